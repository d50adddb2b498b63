/* geo_policy.c -- policy zones: a country or asn dataset keeps to the
 * zone's `countries` and `asns`, and allow-lists win (geo_policy.h).
 *
 * The country of an answer is its A record (127.0.x.y: geo.h), the AS
 * number the start of its TXT, so the filter needs no second table.  The
 * allow-list check costs one point read per prefix length of the other
 * datasets (store_ip_covering), and runs only for an address the policy
 * would list.
 */
#include "geo_policy.h"

#include "geo.h"

static int geo_policy_takes(const struct cfg_zone *cz, enum ds_type type,
			    const struct store_value *v)
{
	char cc[3];
	uint32_t asn;

	if (type == DS_COUNTRY) {
		if (!geo_a_cc(v->a, cc))
			return 0;
		for (size_t i = 0; i < cz->ncountries; i++)
			if (cz->countries[i][0] == cc[0] &&
			    cz->countries[i][1] == cc[1])
				return 1;
		return 0;
	}
	if (!v->txt || geo_txt_asn(v->txt, v->txtlen, &asn) < 0)
		return 0;
	for (size_t i = 0; i < cz->nasns; i++)
		if (cz->asns[i] == asn)
			return 1;
	return 0;
}

/* 1 if address dataset `d` has a `!` entry that decides `addr`. */
static int geo_policy_excluded(struct store_reader *rd,
			       const struct zp_dataset *d, int family,
			       const uint8_t addr[16])
{
	unsigned plen;
	int excluded = 0;
	enum ds_type t;

	if (!d->meta)
		return 0;
	t = d->meta->type;
	if (t == DS_COUNTRY || t == DS_ASN || t == DS_ACL ||
	    !(ds_type_keys(t) & ds_keys_of_family(family)))
		return 0;
	return store_ip_covering(rd, d->meta->dsid, family, addr, &plen,
				 &excluded) == 1 && excluded;
}

int geo_policy_filter(struct store_reader *rd, const struct zp_zone *z,
		      const struct zp_dataset *d, int family,
		      const uint8_t addr[16], struct store_match *m)
{
	enum ds_type type = d->meta ? d->meta->type : d->type;
	size_t keep = 0;

	if (type != DS_COUNTRY && type != DS_ASN)
		return 1;
	for (size_t i = 0; i < m->nvalues; i++) {
		struct store_value v;

		if (store_value_get(rd, m->values[i], &v) == 0 &&
		    geo_policy_takes(z->cfg, type, &v))
			m->values[keep++] = m->values[i];
	}
	m->nvalues = keep;
	if (!keep)
		return 0;
	for (size_t i = 0; i < z->nds; i++) {
		if (z->ds[i].type != DS_COMBINED) {
			if (geo_policy_excluded(rd, &z->ds[i], family, addr))
				return 0;
			continue;
		}
		for (size_t k = 0; z->subs[i] && k < z->nsubs[i]; k++)
			if (z->subs[i][k].labels == 0 &&
			    geo_policy_excluded(rd, &z->subs[i][k].ds, family,
						addr))
				return 0;
	}
	return 1;
}
