/* dnsbl_query_output.h -- one result line: plain text or JSON.
 *
 * Text:  ITEM ZONE: listed 127.0.0.2 (SBL), 127.0.0.4 (XBL) "TXT" ...
 *        ITEM ZONE: not listed
 *        ITEM ZONE: error: REASON
 * JSON:  {"item":..., "zone":..., "query":..., "listed":bool,
 *         "codes":[{"address":..., "name":...|null}], "txt":[...],
 *         "error":...|null, "time_ms":N}
 */
#ifndef DNSBLD_DNSBL_QUERY_OUTPUT_H
#define DNSBLD_DNSBL_QUERY_OUTPUT_H

#include <stdio.h>

struct dq_result;

/* Prints `r` as one line to `f`. */
void dq_output_result(FILE *f, const struct dq_result *r, int json);

#endif
