/* zones.c -- build the per-worker zone plan from config + stored metadata.
 *
 * Decides, once per store generation rather than per query: each dataset's
 * TTL (config zone ttl, else the data's $TTL, else the config's
 * default_ttl), the apex SOA (config, else the first dataset's $SOA, else a
 * default naming the zone itself and hostmaster.<zone>), its serial (the
 * $SOA serial if non-zero, else the newest stored serial of the zone's
 * datasets), and the apex NS (config, else the first $NS; none at all is
 * allowed).
 */
#include "zones.h"

#include <stdlib.h>
#include <string.h>

#include "defaults.h"

static int zones_keep_meta(struct zone_plan *p, struct store_dsmeta *m)
{
	struct store_dsmeta **n = realloc(p->metas,
					  (p->nmetas + 1) * sizeof(*n));

	if (!n)
		return -1;
	p->metas = n;
	p->metas[p->nmetas++] = m;
	return 0;
}

/* A TTL taken from data, clamped to -t's min and max. */
static uint32_t zone_clamp(const struct zone_plan *p, uint32_t ttl)
{
	if (p->ttl.min && ttl < p->ttl.min)
		ttl = p->ttl.min;
	if (p->ttl.max && ttl > p->ttl.max)
		ttl = p->ttl.max;
	return ttl;
}

static uint32_t zone_default_ttl(const struct zone_plan *p)
{
	return p->ttl.def ? p->ttl.def : DEFAULT_TTL;
}

static uint32_t zone_ds_ttl(const struct zone_plan *p,
			    const struct cfg_zone *cz,
			    const struct store_dsmeta *m, uint32_t parent_ttl)
{
	if (cz->ttl)
		return cz->ttl;
	if (m && m->meta.ttl)
		return zone_clamp(p, m->meta.ttl);
	if (parent_ttl)
		return zone_clamp(p, parent_ttl);
	return zone_default_ttl(p);
}

/* Keeps the earliest $TIMESTAMP expiry seen (rbldnsd: SERVFAIL after it). */
static void zone_note_expiry(struct zp_zone *z, const struct store_dsmeta *m)
{
	if (m && m->meta.expires &&
	    (!z->expires || m->meta.expires < z->expires))
		z->expires = m->meta.expires;
}

static void zone_note_type(struct zp_zone *z, enum ds_type t)
{
	unsigned keys = t == DS_ACL ? 0 : ds_type_keys(t);

	z->has_ip4 |= (keys & DS_KEYS_IP4) != 0;
	z->has_ip6 |= (keys & DS_KEYS_IP6) != 0;
	z->has_dn |= t == DS_DNSET;   /* generic names are looked up whole */
}

/* Fetches dataset `name`'s meta (NULL if not stored). */
static int zone_meta(struct zone_plan *p, struct store_reader *rd,
		     const char *name, const struct store_dsmeta **out)
{
	struct store_dsmeta *m = NULL;
	int rc = store_dataset_meta(rd, name, &m);

	*out = NULL;
	if (rc == STORE_ENOTFOUND || rc < 0 || !m)
		return rc == STORE_ENOMEM ? -1 : 0;
	if (zones_keep_meta(p, m) < 0) {
		store_dsmeta_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* Expands a combined dataset into (subzone, section) pairs. */
static int zone_subs(const struct zone_plan *p, struct zp_zone *z, size_t i,
		     const struct cfg_zone *cz)
{
	const struct store_dsmeta *m = z->ds[i].meta;
	size_t n = 0, k = 0;

	for (size_t c = 0; c < m->nchildren; c++)
		n += m->children[c].nsubzones;
	z->subs[i] = calloc(n ? n : 1, sizeof(struct zp_sub));
	if (!z->subs[i])
		return -1;
	for (size_t c = 0; c < m->nchildren; c++) {
		const struct store_dschild *ch = &m->children[c];

		for (size_t s = 0; s < ch->nsubzones; s++, k++) {
			struct zp_sub *sub = &z->subs[i][k];

			sub->subzone = ch->subzones[s];
			sub->labels = wname_labels(ch->subzones[s]);
			sub->ds.name = ch->label ? ch->label : z->ds[i].name;
			sub->ds.meta = ch->meta;
			sub->ds.type = ch->meta ? ch->meta->type : DS_TYPE_COUNT;
			sub->ds.ttl = zone_ds_ttl(p, cz, ch->meta, m->meta.ttl);
			zone_note_type(z, sub->ds.type);
			zone_note_expiry(z, ch->meta);
		}
	}
	z->nsubs[i] = n;
	return 0;
}

static void zone_apex(const struct zone_plan *p, struct zp_zone *z,
		      const struct cfg_zone *cz, uint32_t floor)
{
	const struct ds_soa *dsoa = NULL;
	uint32_t serial = floor;

	for (size_t i = 0; i < z->nds; i++) {
		const struct store_dsmeta *m = z->ds[i].meta;

		if (!m)
			continue;
		if (m->serial > serial)
			serial = m->serial;
		if (!dsoa && m->meta.soa.present)
			dsoa = &m->meta.soa;
		if (!z->nns && !cz->nns && m->meta.ns.count) {
			z->nns = m->meta.ns.count;
			for (size_t k = 0; k < z->nns; k++)
				z->ns[k] = m->meta.ns.names[k];
			z->ns_ttl = m->meta.ns.ttl ? zone_clamp(p, m->meta.ns.ttl)
						   : z->ttl;
		}
	}
	if (!serial)
		serial = 1;
	if (cz->nns) {
		z->nns = cz->nns < DS_MAX_NS ? cz->nns : DS_MAX_NS;
		for (size_t k = 0; k < z->nns; k++)
			z->ns[k] = cz->ns[k];
		z->ns_ttl = z->ttl;
	}

	if (cz->soa.present) {
		z->soa_mname = cz->soa.mname;
		z->soa_rname = cz->soa.rname;
		z->soa_ttl = cz->soa.ttl ? cz->soa.ttl : z->ttl;
		z->soa_serial = serial;
		z->soa_refresh = cz->soa.refresh;
		z->soa_retry = cz->soa.retry;
		z->soa_expire = cz->soa.expire;
		z->soa_minimum = cz->soa.minimum;
	} else if (dsoa) {
		z->soa_mname = dsoa->mname;
		z->soa_rname = dsoa->rname;
		z->soa_ttl = dsoa->ttl ? zone_clamp(p, dsoa->ttl) : z->ttl;
		z->soa_serial = dsoa->serial ? dsoa->serial : serial;
		z->soa_refresh = dsoa->refresh;
		z->soa_retry = dsoa->retry;
		z->soa_expire = dsoa->expire;
		z->soa_minimum = dsoa->minimum;
	} else {
		/* RFC-sane default: the primary is the first NS if there is
		 * one, else the zone itself; mail to hostmaster@<zone>. */
		z->soa_mname = z->nns ? z->ns[0] : z->wname;
		if (dname_concat((const uint8_t *)"\012hostmaster",
				 z->wname, z->default_rname) < 0)
			memcpy(z->default_rname, z->wname,
			       wname_len(z->wname));
		z->soa_rname = z->default_rname;
		z->soa_ttl = z->ttl;
		z->soa_serial = serial;
		z->soa_refresh = DEFAULT_SOA_REFRESH;
		z->soa_retry = DEFAULT_SOA_RETRY;
		z->soa_expire = DEFAULT_SOA_EXPIRE;
		z->soa_minimum = DEFAULT_SOA_MINIMUM;
	}
	/* Every negative answer carries it: encode it now, not per query. */
	z->soa_rdata_ok = dns_tmpl_soa(&z->soa_rdata, z->wname, z->soa_mname,
				       z->soa_rname, z->soa_serial,
				       z->soa_refresh, z->soa_retry,
				       z->soa_expire, z->soa_minimum) == 0;
}

static int zone_build_one(struct zone_plan *p, struct zp_zone *z,
			  const struct config *cfg, const struct cfg_zone *cz,
			  struct store_reader *rd)
{
	z->cfg = cz;
	z->wname = cz->wname;
	z->labels = wname_labels(cz->wname);
	z->wlen = wname_len(cz->wname);
	z->ds = calloc(cz->ndatasets ? cz->ndatasets : 1, sizeof(*z->ds));
	z->subs = calloc(cz->ndatasets ? cz->ndatasets : 1, sizeof(*z->subs));
	z->nsubs = calloc(cz->ndatasets ? cz->ndatasets : 1, sizeof(*z->nsubs));
	if (!z->ds || !z->subs || !z->nsubs)
		return -1;
	z->nds = cz->ndatasets;
	for (size_t i = 0; i < z->nds; i++) {
		const struct cfg_dataset *cd = config_dataset(cfg, cz->datasets[i]);

		z->ds[i].name = cz->datasets[i];
		z->ds[i].type = cd ? cd->type : DS_TYPE_COUNT;
		if (zone_meta(p, rd, cz->datasets[i], &z->ds[i].meta) < 0)
			return -1;
		if (z->ds[i].meta)
			z->ds[i].type = z->ds[i].meta->type;
		zone_note_type(z, z->ds[i].type);
		zone_note_expiry(z, z->ds[i].meta);
	}
	/* The zone default TTL: config, else the first dataset's $TTL. */
	z->ttl = cz->ttl;
	for (size_t i = 0; !z->ttl && i < z->nds; i++)
		if (z->ds[i].meta && z->ds[i].meta->meta.ttl)
			z->ttl = zone_clamp(p, z->ds[i].meta->meta.ttl);
	z->ttl_min = p->ttl.min;
	z->ttl_max = p->ttl.max;
	if (!z->ttl)
		z->ttl = zone_default_ttl(p);
	for (size_t i = 0; i < z->nds; i++) {
		z->ds[i].ttl = zone_ds_ttl(p, cz, z->ds[i].meta, 0);
		if (z->ds[i].type == DS_COMBINED && z->ds[i].meta &&
		    zone_subs(p, z, i, cz) < 0)
			return -1;
	}
	if (cz->acl) {
		z->has_acl = 1;
		z->acl.name = cz->acl;
		z->acl.type = DS_ACL;
		if (zone_meta(p, rd, cz->acl, &z->acl.meta) < 0)
			return -1;
		z->acl.ttl = zone_ds_ttl(p, cz, z->acl.meta, 0);
	}
	zone_apex(p, z, cz, p->serial_floor);
	return 0;
}

/* The search order of zones_find: most labels first, so the first zone
 * that matches is the most specific one (a stable insertion sort keeps the
 * config order among zones of as many labels). */
static int zones_order(struct zone_plan *p)
{
	p->by_labels = calloc(p->nzones ? p->nzones : 1, sizeof(size_t));
	if (!p->by_labels)
		return -1;
	for (size_t i = 0; i < p->nzones; i++) {
		size_t k = i;

		while (k > 0 &&
		       p->zones[p->by_labels[k - 1]].labels < p->zones[i].labels) {
			p->by_labels[k] = p->by_labels[k - 1];
			k--;
		}
		p->by_labels[k] = i;
	}
	return 0;
}

int zones_build(struct zone_plan *plan, const struct config *cfg,
		struct store_reader *rd, const uint32_t *zone_serials)
{
	return zones_build_ttl(plan, cfg, rd, zone_serials, NULL);
}

int zones_build_ttl(struct zone_plan *plan, const struct config *cfg,
		    struct store_reader *rd, const uint32_t *zone_serials,
		    const struct zones_ttl *ttl)
{
	memset(plan, 0, sizeof(*plan));
	if (ttl)
		plan->ttl = *ttl;
	plan->generation = store_generation(rd);
	plan->zones = calloc(cfg->nzones ? cfg->nzones : 1,
			     sizeof(*plan->zones));
	if (!plan->zones)
		return -1;
	plan->nzones = cfg->nzones;
	for (size_t i = 0; i < cfg->nzones; i++) {
		plan->serial_floor = zone_serials ? zone_serials[i] : 0;
		if (zone_build_one(plan, &plan->zones[i], cfg, &cfg->zones[i],
				   rd) < 0) {
			zones_free(plan);
			return -1;
		}
	}
	if (zones_order(plan) < 0) {
		zones_free(plan);
		return -1;
	}
	return 0;
}

void zones_free(struct zone_plan *plan)
{
	for (size_t i = 0; i < plan->nzones; i++) {
		struct zp_zone *z = &plan->zones[i];

		for (size_t k = 0; z->subs && k < z->nds; k++)
			free(z->subs[k]);
		free(z->subs);
		free(z->nsubs);
		free(z->ds);
	}
	free(plan->zones);
	free(plan->by_labels);
	for (size_t i = 0; i < plan->nmetas; i++)
		store_dsmeta_free(plan->metas[i]);
	free(plan->metas);
	memset(plan, 0, sizeof(*plan));
}

const struct zp_zone *zones_find(const struct zone_plan *plan,
				 const struct dns_query *q, unsigned *before)
{
	unsigned nl = q->qlabels;
	size_t len = q->qname_len;

	/* The parse noted where each label starts; a zone is then one
	 * comparison of the name's suffix with the same number of labels
	 * (both lowercase).  Most labels first: the first match is the most
	 * specific zone. */
	for (size_t i = 0; i < plan->nzones; i++) {
		const struct zp_zone *z = &plan->zones[plan->by_labels[i]];
		size_t at;

		if (z->labels > nl)
			continue;
		at = z->labels ? q->qoff[nl - z->labels] : len - 1;
		if (len - at == z->wlen &&
		    memcmp(q->qname + at, z->wname, z->wlen) == 0) {
			*before = nl - z->labels;
			return z;
		}
	}
	return NULL;
}
