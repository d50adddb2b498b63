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
	r->qc.cfg = cfg;
	r->qc.rd = r->rd;
	r->qc.ans = r->ans;
	r->qc.plan = &r->plan;
	return 0;
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
	r->plan_ok = zones_build(&r->plan, r->cfg, r->rd) == 0;
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
	if (r->rd)
		store_reader_reset(r->rd);
}

void responder_free(struct responder *r)
{
	if (r->plan_ok)
		zones_free(&r->plan);
	r->plan_ok = 0;
	if (r->rd)
		store_reader_free(r->rd);
	r->rd = NULL;
	free(r->ans);
	r->ans = NULL;
}
