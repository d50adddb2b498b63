/* dnsbl_query_zones.h -- the zones to check, and which items each takes.
 *
 * A zone from the config takes the kinds of items its datasets hold (an
 * ip4set zone gets IPv4 addresses, a dnset zone domains), so nothing is
 * asked that can only come back "not listed".  A zone given with -z takes
 * what its ":TYPE" says, else what the built-in map knows of it
 * (dbl.spamhaus.org: domains), else every item.
 */
#ifndef DNSBLD_DNSBL_QUERY_ZONES_H
#define DNSBLD_DNSBL_QUERY_ZONES_H

#include <stddef.h>

#include "dnsbl_qname.h"

struct config;
struct cfg_zone;

struct dq_zone {
	char name[DNSBL_NAME_MAX];    /* lowercase, no trailing dot */
	unsigned kinds;               /* DNSBL_* bits of the items it takes */
	const struct cfg_zone *cfg;   /* the config's zone (codes), or NULL */
};

struct dq_zones {
	struct dq_zone *v;
	size_t n;
};

/* Adds "ZONE[:TYPE]" (TYPE: ip, ip4, ip6, domain or any).  With `cfg`
 * (may be NULL), a zone the config defines gets its kinds and codes
 * unless TYPE says otherwise.  A zone given twice is kept once.  Returns 0,
 * or -1 with `err`. */
int dq_zones_add(struct dq_zones *zs, const char *spec,
		 const struct config *cfg, char *err, size_t errlen);

/* Adds every zone of `cfg`.  Returns 0, or -1 with `err`. */
int dq_zones_add_config(struct dq_zones *zs, const struct config *cfg,
			char *err, size_t errlen);

/* The kinds of items a config zone's datasets hold. */
unsigned dq_zones_config_kinds(const struct config *cfg,
			       const struct cfg_zone *z);

/* Parses a TYPE name into DNSBL_* bits; -1 if unknown. */
int dq_zones_kinds_parse(const char *type, unsigned *kinds);

void dq_zones_free(struct dq_zones *zs);

#endif
