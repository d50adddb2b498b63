/* trap_ingest.c -- hit lines in, batched commits out, for one trap dataset.
 *
 * Every input (a socket connection, standard input) hands its lines to
 * the dataset's ingest.  A line is parsed and checked against the static
 * allow-list at once (cheap: a binary search), then kept in memory; the
 * caller commits the batch when TRAP_BATCH_MAX hits wait or TRAP_BATCH_MS
 * after the first, so a flood costs one transaction per batch, not per
 * hit, and a lone hit is listed within about 100 ms.  At commit the hits
 * are checked against the allow datasets in a fresh snapshot, sorted by
 * sender so each counter is read and written once, and handed to
 * store_trap_commit.
 */
#include "trap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monoclock.h"
#include "store.h"

/* A waiting hit; its reason (rare) is kept aside, so sorting moves
 * small records. */
struct ingest_hit {
	struct store_trap_hit h;
	uint32_t reason;             /* 1 + index into reasons, 0: none */
	uint32_t rdns;               /* 1 + index into rdns: an rDNS outcome */
};

struct trap_ingest {
	struct store *st;
	const struct cfg_dataset *d;
	const char *user;
	struct trap_allow *allow;
	struct store_reader *rd;     /* for the allow datasets */
	struct ingest_hit *pending;
	size_t npending, cap;
	char (*reasons)[TRAP_REASON_MAX];
	size_t nreasons, reasons_cap;
	struct trap_rdns *rdns;      /* rDNS outcomes waiting (trap_ingest_rdns) */
	size_t nrdns, rdns_cap;
	void (*want_rdns)(const struct store_trap_hit *, void *);
	void *want_arg;
	double since;
	struct store_trap_hit *flat; /* the batch as the store takes it */
	uint8_t prune_pos[STORE_TRAP_POS_MAX];
	size_t prune_len;
	struct trap_ingest_stats stats;
};

struct trap_ingest *trap_ingest_new(struct store *st,
				    const struct cfg_dataset *d,
				    const char *user, char *err, size_t errlen)
{
	struct store_change ch = { .type = DS_TRAP, .create = 1 };
	struct trap_ingest *ti;

	if (!d->trap) {
		snprintf(err, errlen, "%s is not a trap dataset", d->name);
		return NULL;
	}
	ti = calloc(1, sizeof(*ti));
	if (!ti || !(ti->allow = trap_allow_new(d->trap))) {
		snprintf(err, errlen, "out of memory");
		free(ti);
		return NULL;
	}
	ti->st = st;
	ti->d = d;
	ti->user = user;
	ch.now = (int64_t)time(NULL);
	if (store_change(st, d->name, &ch, NULL, NULL, err, errlen) < 0) {
		trap_ingest_free(ti);
		return NULL;
	}
	return ti;
}

void trap_ingest_free(struct trap_ingest *ti)
{
	if (!ti)
		return;
	trap_allow_free(ti->allow);
	if (ti->rd)
		store_reader_free(ti->rd);
	free(ti->pending);
	free(ti->reasons);
	free(ti->rdns);
	free(ti->flat);
	free(ti);
}

/* Room for one more of `n` elements of `size` in the array *p of *cap
 * (doubled, `first` to start with).  0, or -1 out of memory (unchanged). */
static int ingest_room(void **p, size_t n, size_t *cap, size_t size,
		       size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *np;

	if (n < *cap)
		return 0;
	if (!(np = realloc(*p, ncap * size)))
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

int trap_ingest_line(struct trap_ingest *ti, const char *line, size_t len,
		     int64_t now, const char **why)
{
	const struct cfg_trap *t = ti->d->trap;
	struct ingest_hit *ih;
	struct trap_hit hit;
	uint8_t lo[16], hi[16];
	int rc = trap_line_parse(line, len, &hit, why);

	if (rc == 0)
		return 0;
	ti->stats.lines++;
	if (rc == 1 && hit.time > now + TRAP_FUTURE_SLACK) {
		*why = "time= is in the future";
		rc = -1;
	}
	if (rc < 0) {
		ti->stats.malformed++;
		return -1;
	}
	if (ingest_room((void **)&ti->pending, ti->npending, &ti->cap,
			sizeof(*ti->pending), 1024) < 0) {
		*why = "out of memory";
		ti->stats.malformed++;
		return -1;
	}
	ih = &ti->pending[ti->npending];
	ih->h.family = hit.family;
	memcpy(ih->h.addr, hit.addr, 16);
	memcpy(ih->h.host, hit.addr, 16);
	ih->h.plen = (uint8_t)trap_policy_prefix(t, hit.family, ih->h.addr);
	trap_allow_range(hit.family, ih->h.addr, ih->h.plen, lo, hi);
	if (trap_allow_overlaps(ti->allow, hit.family, lo, hi)) {
		ti->stats.allowed++;
		return 0;
	}
	ih->h.time = hit.time ? hit.time : now;
	ih->h.trap = hit.trap;
	ih->h.reason = NULL;
	ih->h.rdns = NULL;
	ih->reason = 0;
	ih->rdns = 0;
	if (hit.reason[0]) {
		if (ingest_room((void **)&ti->reasons, ti->nreasons,
				&ti->reasons_cap, sizeof(*ti->reasons), 64) < 0) {
			*why = "out of memory";
			ti->stats.malformed++;
			return -1;
		}
		memcpy(ti->reasons[ti->nreasons++], hit.reason, TRAP_REASON_MAX);
		ih->reason = (uint32_t)ti->nreasons;
	}
	if (ti->npending++ == 0)
		ti->since = monoclock_now();
	return 1;
}

size_t trap_ingest_pending(const struct trap_ingest *ti, double *since)
{
	if (since)
		*since = ti->since;
	return ti->npending;
}

static int ingest_cmp(const void *x, const void *y)
{
	const struct ingest_hit *a = x, *b = y;
	int c;

	if (a->h.family != b->h.family)
		return a->h.family < b->h.family ? -1 : 1;
	c = memcmp(a->h.addr, b->h.addr, 16);
	if (c)
		return c;
	return a->h.time < b->h.time ? -1 : a->h.time > b->h.time;
}

/* Drops the hits an allow dataset covers (a fresh snapshot of them). */
static int ingest_allow_datasets(struct trap_ingest *ti)
{
	size_t k = 0;

	if (!ti->d->trap->nallow_datasets)
		return 0;
	if (ti->rd ? store_reader_renew(ti->rd) != STORE_OK
		   : store_reader_new(ti->st, &ti->rd) != STORE_OK)
		return -1;
	if (trap_allow_bind(ti->allow, ti->d->trap, ti->rd) < 0) {
		store_reader_reset(ti->rd);
		return -1;
	}
	for (size_t i = 0; i < ti->npending; i++) {
		struct store_trap_hit *h = &ti->pending[i].h;
		uint8_t lo[16], hi[16];

		trap_allow_range(h->family, h->addr, h->plen, lo, hi);
		if (trap_allow_check(ti->allow, ti->rd, h->family, lo, hi))
			ti->stats.allowed++;
		else
			ti->pending[k++] = ti->pending[i];
	}
	ti->npending = k;
	store_reader_reset(ti->rd);
	return 0;
}

int trap_ingest_commit(struct trap_ingest *ti, int64_t now, char *err,
		       size_t errlen)
{
	struct store_trap_result res = { 0 };
	size_t n, outcomes = 0;
	int rc;

	if (!ti->npending)
		return 0;
	if (ingest_allow_datasets(ti) < 0) {
		snprintf(err, errlen, "%s: cannot read the allow datasets; %zu "
			 "hits dropped", ti->d->name, ti->npending);
		ti->npending = ti->nreasons = ti->nrdns = 0;
		return -1;
	}
	n = ti->npending;
	qsort(ti->pending, n, sizeof(*ti->pending), ingest_cmp);
	free(ti->flat);
	ti->flat = malloc((n ? n : 1) * sizeof(*ti->flat));
	if (!ti->flat) {
		snprintf(err, errlen, "out of memory; %zu hits dropped", n);
		ti->npending = ti->nreasons = ti->nrdns = 0;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		ti->flat[i] = ti->pending[i].h;
		ti->flat[i].reason = ti->pending[i].reason ?
			ti->reasons[ti->pending[i].reason - 1] : "";
		ti->flat[i].rdns = ti->pending[i].rdns ?
			&ti->rdns[ti->pending[i].rdns - 1] : NULL;
		outcomes += ti->flat[i].rdns != NULL;
	}
	res.want_rdns = ti->want_rdns;
	res.want_arg = ti->want_arg;
	rc = store_trap_commit(ti->st, ti->d->name, ti->d->trap, ti->flat, n,
			       now, ti->user, &res, err, errlen);
	n -= outcomes;   /* rDNS outcomes are no hits */
	ti->npending = 0;
	ti->nreasons = 0;
	ti->nrdns = 0;
	if (rc < 0)
		return -1;
	ti->stats.hits += n;
	ti->stats.listed += res.listed;
	ti->stats.extended += res.extended;
	ti->stats.relabeled += res.relabeled;
	ti->stats.commits++;
	return 0;
}

void trap_ingest_on_want_rdns(struct trap_ingest *ti,
			      void (*want)(const struct store_trap_hit *, void *),
			      void *arg)
{
	ti->want_rdns = want;
	ti->want_arg = arg;
}

int trap_ingest_rdns(struct trap_ingest *ti, const struct store_trap_hit *who,
		     const struct trap_rdns *r, int64_t now)
{
	struct ingest_hit *ih;

	if (ingest_room((void **)&ti->pending, ti->npending, &ti->cap,
			sizeof(*ti->pending), 1024) < 0 ||
	    ingest_room((void **)&ti->rdns, ti->nrdns, &ti->rdns_cap,
			sizeof(*ti->rdns), 64) < 0)
		return -1;
	ti->rdns[ti->nrdns++] = *r;
	ih = &ti->pending[ti->npending];
	memset(ih, 0, sizeof(*ih));
	ih->h.family = who->family;
	ih->h.plen = who->plen;
	memcpy(ih->h.addr, who->addr, 16);
	memcpy(ih->h.host, who->host, 16);
	ih->h.time = now;
	ih->rdns = (uint32_t)ti->nrdns;
	if (ti->npending++ == 0)
		ti->since = monoclock_now();
	return 0;
}

int trap_ingest_prune(struct trap_ingest *ti, int64_t now, size_t limit,
		      char *err, size_t errlen)
{
	uint64_t pruned = 0;

	if (store_trap_prune(ti->st, ti->d->name, ti->d->trap, now, limit,
			     ti->prune_pos, &ti->prune_len, &pruned, err,
			     errlen) < 0)
		return -1;
	ti->stats.pruned += pruned;
	return ti->prune_len == 0;
}

/* The dataset's listings, collected (a walk must not share the reader's
 * lookups). */
struct enforce_walk {
	struct store_trap_hit *v;
	size_t n, cap;
};

static int enforce_collect(const struct store_ip_item *it, void *arg)
{
	struct enforce_walk *w = arg;

	if (it->excluded)
		return 0;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 256;
		struct store_trap_hit *p = realloc(w->v, ncap * sizeof(*p));

		if (!p)
			return STORE_ENOMEM;
		w->v = p;
		w->cap = ncap;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	w->v[w->n].family = it->family;
	w->v[w->n].plen = it->plen;
	memcpy(w->v[w->n].addr, it->addr, 16);
	w->n++;
	return 0;
}

long trap_ingest_enforce_allow(struct trap_ingest *ti, int64_t now,
			       char *err, size_t errlen)
{
	struct enforce_walk w = { 0 };
	struct store_dsmeta *m = NULL;
	size_t k = 0;
	long removed = 0;
	int rc;

	if (ti->rd ? store_reader_renew(ti->rd) != STORE_OK
		   : store_reader_new(ti->st, &ti->rd) != STORE_OK) {
		snprintf(err, errlen, "cannot read the store");
		return -1;
	}
	rc = store_dataset_meta(ti->rd, ti->d->name, &m);
	if (rc == STORE_OK)
		rc = store_iter_ip(ti->rd, m->dsid, enforce_collect, &w);
	if (rc == STORE_OK && trap_allow_bind(ti->allow, ti->d->trap, ti->rd) < 0)
		rc = STORE_EIO;
	for (size_t i = 0; rc == STORE_OK && i < w.n; i++) {
		uint8_t lo[16], hi[16];

		trap_allow_range(w.v[i].family, w.v[i].addr, w.v[i].plen, lo, hi);
		if (trap_allow_check(ti->allow, ti->rd, w.v[i].family, lo, hi))
			w.v[k++] = w.v[i];
	}
	store_reader_reset(ti->rd);
	store_dsmeta_free(m);
	if (rc != STORE_OK && rc != STORE_ENOTFOUND) {
		snprintf(err, errlen, "reading %s's listings failed", ti->d->name);
		free(w.v);
		return -1;
	}
	for (size_t i = 0; i < k; i++) {
		int gone = 0;

		if (store_trap_delist(ti->st, ti->d->name, &w.v[i], now, 0,
				      "allow-listed", ti->user, &gone, err,
				      errlen) < 0) {
			free(w.v);
			return -1;
		}
		removed += gone;
	}
	free(w.v);
	return removed;
}

int trap_ingest_check_allow(struct trap_ingest *ti, char *err, size_t errlen)
{
	const struct cfg_trap *t = ti->d->trap;
	int rc = 0;

	if (!t->nallow_datasets)
		return 0;
	if (ti->rd ? store_reader_renew(ti->rd) != STORE_OK
		   : store_reader_new(ti->st, &ti->rd) != STORE_OK) {
		snprintf(err, errlen, "cannot read the store");
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < t->nallow_datasets; i++) {
		struct store_dsmeta *m = NULL;

		if (store_dataset_meta(ti->rd, t->allow_datasets[i], &m) ==
		    STORE_OK) {
			store_dsmeta_free(m);
			continue;
		}
		snprintf(err, errlen, "allow dataset %s is not stored (load it "
			 "first): it allows nothing yet", t->allow_datasets[i]);
		rc = -1;
	}
	store_reader_reset(ti->rd);
	return rc;
}

const struct trap_ingest_stats *trap_ingest_stats(const struct trap_ingest *ti)
{
	return &ti->stats;
}

const struct cfg_dataset *trap_ingest_dataset(const struct trap_ingest *ti)
{
	return ti->d;
}
