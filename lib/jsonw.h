/* jsonw.h -- writing JSON text: strings escaped, nothing else needed.
 *
 * Why a module: tools print JSON (`dnsbl-ctl stats --json`), and a string
 * from the store (a path, a TXT, a reason typed by an operator) may hold
 * any byte.  One escaper keeps every such output valid JSON.
 */
#ifndef DNSBLD_JSONW_H
#define DNSBLD_JSONW_H

#include <stdio.h>

/* Writes `s` as a JSON string (NULL: null): `"` `\` and control bytes
 * escaped, bytes over 0x7f read as Latin-1 (\u00XX), so any input gives
 * valid JSON. */
void jsonw_str(FILE *f, const char *s);

#endif
