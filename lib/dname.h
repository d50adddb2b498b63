/* dname.h -- domain names: text <-> uncompressed wire format.
 *
 * Wire names here are a sequence of length-prefixed labels ending in a zero
 * byte (RFC 1035 3.1), never compressed.  See dataset.h for wname_len() and
 * friends.
 */
#ifndef DNSBLD_DNAME_H
#define DNSBLD_DNAME_H

#include <stddef.h>
#include <stdint.h>

#define DNAME_MAX 255   /* wire length limit, final zero included */

/* Converts `len` bytes of presentation text ("a.Example.com.", `\ddd` and
 * `\c` escapes allowed, empty labels collapse as in rbldnsd) into wire
 * format in `out` (DNAME_MAX bytes).  Lowercases ASCII letters if `lower`.
 * "" and "." give the root/apex "\0".  Returns the wire length, or -1 if a
 * label is over 63 bytes, the name over 255, or an escape is bad. */
int dname_from_text(const char *text, size_t len, uint8_t *out, int lower);

/* Writes `wname` as text ("a.example.com", no trailing dot; "" for the
 * root) into `out` of `outlen`, escaping bytes outside [-_a-zA-Z0-9*] as
 * \ddd.  Returns the text length, or -1 if it does not fit. */
int dname_to_text(const uint8_t *wname, char *out, size_t outlen);

/* Appends wire name `b` to `a` (dropping a's final zero) into `out`
 * (DNAME_MAX bytes).  Returns the length or -1 if too long. */
int dname_concat(const uint8_t *a, const uint8_t *b, uint8_t *out);

/* Lowercases ASCII letters of a wire name in place. */
void dname_lower(uint8_t *wname);

/* Case-insensitive equality of two wire names. */
int dname_equal(const uint8_t *a, const uint8_t *b);

/* If `name` is `zone` or below it, returns the number of labels of `name`
 * in front of `zone` (0 at the apex); otherwise -1.  Case-insensitive. */
int dname_below(const uint8_t *name, const uint8_t *zone);

#endif
