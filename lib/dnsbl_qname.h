/* dnsbl_qname.h -- a checked item (address or domain) to its DNSBL query name.
 *
 * RFC 5782: an IPv4 address is asked as its four octets reversed in front
 * of the zone (192.0.2.99 -> 99.2.0.192.ZONE), an IPv6 address as its 32
 * nibbles reversed (no "::" compression), a domain as itself in front of the
 * zone (bad.example -> bad.example.ZONE).  Clients (dnsbl-query) build the
 * names here so the reversal rules live in one place.
 */
#ifndef DNSBLD_DNSBL_QNAME_H
#define DNSBLD_DNSBL_QNAME_H

#include <stddef.h>
#include <stdint.h>

/* What an item is; the values are bits so a zone can take a set of them. */
enum dnsbl_kind {
	DNSBL_IP4 = 1,
	DNSBL_IP6 = 2,
	DNSBL_DOMAIN = 4
};
#define DNSBL_KIND_IP (DNSBL_IP4 | DNSBL_IP6)
#define DNSBL_KIND_ANY (DNSBL_IP4 | DNSBL_IP6 | DNSBL_DOMAIN)

/* Longest name in presentation form without the trailing dot (RFC 1035's
 * 255 wire bytes), plus its NUL. */
#define DNSBL_NAME_MAX 254

struct dnsbl_item {
	enum dnsbl_kind kind;
	uint8_t addr[16];             /* IPv4: the first 4 bytes */
	char name[DNSBL_NAME_MAX];    /* domain: lowercase, no trailing dot */
};

/* Parses one item: a dotted-quad IPv4 address, an IPv6 address (also in
 * brackets), or a host-style domain name (letters, digits, '-', '_'; a
 * trailing dot is dropped).  Returns 0, or -1 with *why set to a static
 * reason ("not an IP address or a domain name", ...). */
int dnsbl_item_parse(const char *text, struct dnsbl_item *out,
		     const char **why);

/* Checks and normalises a zone name into `out` (lowercase, no trailing
 * dot; DNSBL_NAME_MAX bytes).  Returns 0, or -1 with *why set. */
int dnsbl_zone_parse(const char *text, char *out, const char **why);

/* Writes the query name of `item` in `zone` (as from dnsbl_zone_parse) into
 * `out` of `outlen`.  Returns its length, or -1 if the name would be longer
 * than DNS allows or does not fit `outlen`. */
int dnsbl_qname(const struct dnsbl_item *item, const char *zone, char *out,
		size_t outlen);

/* The item in its usual text form ("192.0.2.1", "2001:db8::1",
 * "bad.example") into `out` of `outlen` (64 is enough for addresses). */
void dnsbl_item_text(const struct dnsbl_item *item, char *out, size_t outlen);

/* "ip4", "ip6" or "domain". */
const char *dnsbl_kind_name(enum dnsbl_kind kind);

#endif
