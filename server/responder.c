/* responder.c -- a thread's read snapshot, zone plan and answer scratch.
 *
 * The zone plan (dataset ids, TTLs, SOA/NS) depends on stored metadata, so
 * it is rebuilt only when store_generation() moves; between commits a
 * batch costs no store access at all before its lookups.
 */
#include "responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "querylog.h"

int responder_init(struct responder *r, const struct config *cfg,
		   struct store *st, const char *who, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->who = who;
	if (store_reader_new(st, &r->rd) < 0) {
		snprintf(err, errlen, "%s: cannot create a store reader", who);
		return -1;
	}
	store_reader_reset(r->rd);
	r->ans = malloc(sizeof(*r->ans));
	if (!r->ans) {
		snprintf(err, errlen, "%s: out of memory", who);
		return -1;
	}
	r->ttl.def = cfg->default_ttl;
	r->ttl.min = cfg->min_ttl;
	r->ttl.max = cfg->max_ttl;
	r->hide_version = cfg->version_bind;
	r->qc.cfg = cfg;
	r->qc.rd = r->rd;
	r->qc.ans = r->ans;
	r->qc.plan = &r->plan;
	return 0;
}

/* Builds the zone plan from the zone table the loader stored with the data
 * (so zones added, removed or changed in the loader's config reach a running
 * server with the data, in the same snapshot); the server's own config zones
 * serve until a loader has stored a table.  The plan points into r->zt. */
static int responder_build_plan(struct responder *r)
{
	struct config view = *r->cfg;
	int rc;

	store_zones_free(r->zt);
	r->zt = NULL;
	rc = store_get_zones(r->rd, &r->zt);
	if (rc == 0) {
		view.zones = r->zt->zones;
		view.nzones = r->zt->nzones;
	} else if (rc != STORE_ENOTFOUND) {
		log_err("%s: cannot read the stored zone table (error %d); "
			"serving the config's zones", r->who, rc);
	}
	rc = zones_build_ttl(&r->plan, &view, r->rd,
			     r->zt ? r->zt->serials : NULL, &r->ttl);
	r->plan.hide_version = r->hide_version;
	r->plan.policy = r->cfg;
	r->plan.keys = r->keys;
	/* The stats count the server's own config zones (counters.c); a
	 * stored zone table may list others, or in another order. */
	for (size_t i = 0; rc == 0 && i < r->plan.nzones; i++) {
		struct zp_zone *z = &r->plan.zones[i];

		z->stats_index = -1;
		for (size_t k = 0; k < r->cfg->nzones; k++)
			if (strcmp(r->cfg->zones[k].name, z->cfg->name) == 0)
				z->stats_index = (int)k;
	}
	return rc;
}

int responder_begin(struct responder *r)
{
	uint64_t gen;

	if (store_reader_renew(r->rd) < 0) {
		if (r->renew_failures++ % 1000 == 0)
			log_err("%s: cannot renew the store read transaction",
				r->who);
		return -1;
	}
	gen = store_generation(r->rd);
	if (r->plan_ok && gen == r->plan.generation)
		return 0;
	if (r->plan_ok)
		zones_free(&r->plan);
	r->plan_ok = responder_build_plan(r) == 0;
	if (!r->plan_ok) {
		log_err("%s: out of memory building the zone plan", r->who);
		store_reader_reset(r->rd);
		return -1;
	}
	log_debug("%s: zone plan rebuilt at store generation %llu", r->who,
		  (unsigned long long)gen);
	return 0;
}

void responder_idle(struct responder *r)
{
	if (r->qc.qlog)
		querylog_flush(r->qc.qlog);
	if (r->rd)
		store_reader_idle(r->rd);
}

void responder_free(struct responder *r)
{
	if (r->plan_ok)
		zones_free(&r->plan);
	r->plan_ok = 0;
	store_zones_free(r->zt);
	r->zt = NULL;
	if (r->rd)
		store_reader_free(r->rd);
	r->rd = NULL;
	free(r->ans);
	r->ans = NULL;
}
