/* geo.h -- country and ASN tables: what their answers mean.
 *
 * A `country` dataset answers every address of a country with A
 * 127.0.x.y, where x and y are the ASCII codes of the two letters of its
 * ISO 3166-1 code (CN = 127.0.67.78), and the code itself as TXT.  An
 * `asn` dataset answers A 127.0.0.2 and the TXT of Team Cymru's origin
 * zones, "ASN | prefix | CC | registry | date", plus " | NAME" when the
 * table names the AS.  The loader's parser is lib/feed_geo.c; a zone's
 * `countries:` and `asns:` filters (policy zones) are server/geo_policy.c.
 * docs/GEO.md has the table of codes.
 */
#ifndef DNSBLD_GEO_H
#define DNSBLD_GEO_H

#include <stddef.h>
#include <stdint.h>

/* The A record of every asn dataset entry. */
#define GEO_ASN_A 0x7f000002u

/* A country code: two ASCII letters, any case, at `s` (n bytes).  0 and
 * the code in upper case (NUL-terminated) in `out`, or -1. */
int geo_cc_parse(const char *s, size_t n, char out[3]);

/* The A record of country code `cc` (upper case): 127.0.x.y. */
static inline uint32_t geo_cc_a(const char cc[2])
{
	return 0x7f000000u | (uint32_t)(unsigned char)cc[0] << 8 |
	       (unsigned char)cc[1];
}

/* 1 and the code in `out` if `a` is the A record of a country code
 * (127.0.x.y, x and y upper-case ASCII letters), else 0. */
int geo_a_cc(uint32_t a, char out[3]);

/* The English name of ISO 3166-1 code `cc` (upper case), or NULL. */
const char *geo_cc_name(const char cc[2]);

/* An AS number, `13335` or `AS13335` (any case), at `s` (n bytes):
 * 0 and *asn, or -1 (not a number, or above 4294967295). */
int geo_asn_parse(const char *s, size_t n, uint32_t *asn);

/* The AS number an asn dataset's TXT starts with: 0 and *asn, or -1. */
int geo_txt_asn(const char *txt, size_t len, uint32_t *asn);

#endif
