/* txt.h -- rbldnsd TXT template expansion, done at answer time.
 *
 * Rules (rbldnsd-behaviour.md, "TXT substitution"): `$` -> the subject (the
 * queried IP, IPv6 compressed; for dnset the listed entry's name; for an acl
 * "always listed" answer the client IP); `$$` -> `$`; `$0`..`$9` -> that
 * dataset variable, or the literal `$n` if undefined; with a base template
 * `$=` defined, the entry text (or the subject when the entry has no text)
 * is put in its place without further expansion, unless the entry text starts
 * with `=`, which skips the base template and loses the `=`.  The result is
 * cut to 254 bytes, as rbldnsd sends it.
 */
#ifndef DNSBLD_TXT_H
#define DNSBLD_TXT_H

#include <stddef.h>

#include "dataset.h"

#define TXT_MAX 254

/* Expands entry text `txt` (`txtlen` bytes; txt == NULL: the entry has no
 * TXT) with the dataset's variables `meta` and `subject`.  Writes at most
 * TXT_MAX bytes to `out`.  Returns the length written, or -1 when there is
 * no TXT to send (no entry text and no base template). */
int txt_expand(const char *txt, size_t txtlen, const struct ds_meta *meta,
	       const char *subject, size_t subjectlen, char out[TXT_MAX]);

#endif
