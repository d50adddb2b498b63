/* dnsbl_query_codes.h -- what a DNSBL's A answer means, and its name.
 *
 * An A answer of a DNSBL is a return code, not an address (RFC 5782 2.3).
 * Codes in 127.255.255.0/24 are errors of the list service (Spamhaus: an
 * open resolver, too many queries, a mistyped zone), never listings, and an
 * answer outside 127.0.0.0/8 is not a DNSBL answer at all (a resolver that
 * rewrites NXDOMAIN, a wildcard).  Names come from the zone's `codes:` in
 * the config, else from a small built-in map of well-known public zones.
 */
#ifndef DNSBLD_DNSBL_QUERY_CODES_H
#define DNSBLD_DNSBL_QUERY_CODES_H

#include <stddef.h>
#include <stdint.h>

struct cfg_zone;

enum dq_code_class {
	DQ_CODE_LISTED,  /* the item is listed */
	DQ_CODE_ERROR,   /* the list service reports an error */
	DQ_CODE_BOGUS    /* outside 127.0.0.0/8: not a DNSBL answer */
};

/* Classifies return code `a` (host byte order) of `zone` and sets *name to
 * its name (the config zone `cz`'s codes first, may be NULL; then the
 * built-in map), or NULL if it has none. */
enum dq_code_class dq_code_class(const char *zone, const struct cfg_zone *cz,
				 uint32_t a, const char **name);

/* Writes return code `a` (host byte order) as a dotted quad into `buf`
 * (16 bytes are enough). */
void dq_code_text(char *buf, size_t len, uint32_t a);

/* The item kinds (dnsbl_qname.h DNSBL_* bits) a well-known public zone
 * answers for, or 0 if `zone` is not in the built-in map. */
unsigned dq_code_zone_kinds(const char *zone);

#endif
