/* geo_policy.h -- policy zones: country and ASN tables as block lists.
 *
 * A zone with `countries: [CC...]` (or `asns: [N...]`) next to its
 * `datasets` lists every address its country (asn) datasets place in one
 * of those countries (AS numbers), answered with that dataset's A and TXT,
 * and nothing else of them.  Allow-lists win: an address that any other
 * address dataset of the zone excludes with a `!` entry (a combined
 * dataset's sections at the zone apex too) is not listed by the policy.
 * docs/GEO.md.
 */
#ifndef DNSBLD_GEO_POLICY_H
#define DNSBLD_GEO_POLICY_H

#include "zones.h"

/* 1 if zone `z` filters its country or asn datasets. */
static inline int geo_policy_zone(const struct zp_zone *z)
{
	return z->cfg && (z->cfg->ncountries || z->cfg->nasns);
}

/* In policy zone `z`, keeps the values of match `m` (dataset `d` lists
 * `addr` of `family`) that the zone's countries or AS numbers take, and
 * drops them all if another dataset of the zone excludes the address.
 * Returns 1 if something is left to answer, else 0.  Datasets other than
 * country and asn ones are left alone (1). */
int geo_policy_filter(struct store_reader *rd, const struct zp_zone *z,
		      const struct zp_dataset *d, int family,
		      const uint8_t addr[16], struct store_match *m);

#endif
