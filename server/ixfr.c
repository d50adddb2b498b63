/* ixfr.c -- the changes an IXFR sends: per zone with `transfer:`, the
 * snapshot of its current serial and the changes diffed from one serial to
 * the next (ixfr.h has the model).
 *
 * A diff walks the base and the current snapshot once each.  The base's
 * records are kept as bytes with a 64-bit hash each in an open-addressing
 * table; every record of the current walk that matches one (hash, then
 * bytes) marks it, the others are added records, and the unmarked base
 * records are the deleted ones.  Memory during a diff is about 50 bytes
 * per record of the zone; afterwards only the change itself is kept.
 * Diffs run in a thread of their own, one zone at a time, so neither the
 * main loop nor a transfer waits for one; the lock guards only the lists.
 */
#include "ixfr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "log.h"
#include "monoclock.h"
#include "responder.h"
#include "xfr.h"

/* Changes kept per zone (the oldest go first). */
#define IXFR_KEEP 16

struct ixfr_change {
	uint32_t from, to;
	int refs;                     /* the zone's list, transfers sending it */
	uint8_t *part[4];             /* old SOA, deleted, new SOA, added */
	size_t len[4];
};

struct ixfr_zone {
	const uint8_t *name;          /* the config's wire name */
	struct xfr *base;             /* the snapshot of base_serial, or NULL */
	uint32_t base_serial;
	struct ixfr_change *changes[IXFR_KEEP];   /* oldest first */
	size_t nchanges;
};

struct ixfr {
	const struct config *cfg;
	struct store *st;
	struct responder r;           /* reads the serials, once a second */
	struct event *tick;
	struct ixfr_zone *zones;
	size_t nzones;
	pthread_t thread;
	int running;                  /* a diff thread is busy (or not joined) */
	atomic_int done;              /* ...and has finished */
};

/* The lists of the one ixfr of the process, for ixfr_chain (transfers run
 * on the TCP threads). */
static pthread_mutex_t ixfr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ixfr *ixfr_the;

static struct ixfr_zone *ixfr_zone(struct ixfr *ix, const uint8_t *name)
{
	for (size_t i = 0; ix && i < ix->nzones; i++)
		if (dname_equal(ix->zones[i].name, name))
			return &ix->zones[i];
	return NULL;
}

/* ---- the diff ---------------------------------------------------------------- */

struct ixfr_buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_add(struct ixfr_buf *b, const uint8_t *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

struct ixfr_diff {
	struct ixfr_buf old, add;
	size_t *off;                  /* per base record: where in `old` */
	uint64_t *hash;               /* ...its hash */
	uint8_t *seen;                /* ...found again in the current walk */
	size_t nold, cap;
	uint32_t *table;              /* record index + 1, 0 empty */
	size_t tsize;
};

static uint64_t rec_hash(const uint8_t *b, size_t n)
{
	return store_hash_update(STORE_HASH_INIT, b, n);
}

/* The table slot of record bytes `rec` (its index + 1 there), or the empty
 * slot where it would go. */
static size_t diff_find(const struct ixfr_diff *d, const uint8_t *rec,
			size_t len, uint64_t h)
{
	size_t i = (size_t)h & (d->tsize - 1);

	for (; d->table[i]; i = (i + 1) & (d->tsize - 1)) {
		size_t k = d->table[i] - 1;

		if (d->hash[k] == h && xfr_rec_len(d->old.p + d->off[k]) == len &&
		    memcmp(d->old.p + d->off[k], rec, len) == 0)
			break;
	}
	return i;
}

static int diff_grow(struct ixfr_diff *d)
{
	size_t cap = d->cap ? d->cap * 2 : 65536, ts = cap * 2;
	size_t *off = realloc(d->off, cap * sizeof(*off));
	uint64_t *hash = off ? realloc(d->hash, cap * sizeof(*hash)) : NULL;
	uint32_t *table = calloc(ts, sizeof(*table));

	if (off)
		d->off = off;
	if (hash)
		d->hash = hash;
	if (!off || !hash || !table || cap > UINT32_MAX) {
		free(table);
		return -1;
	}
	free(d->table);
	d->table = table;
	d->tsize = ts;
	d->cap = cap;
	for (size_t k = 0; k < d->nold; k++) {
		size_t i = (size_t)d->hash[k] & (ts - 1);

		while (table[i])
			i = (i + 1) & (ts - 1);
		table[i] = (uint32_t)(k + 1);
	}
	return 0;
}

static int sink_base(void *arg, const uint8_t *rec, size_t len)
{
	struct ixfr_diff *d = arg;
	uint64_t h = rec_hash(rec, len);
	size_t i;

	if (d->nold == d->cap && diff_grow(d) < 0)
		return -1;
	i = diff_find(d, rec, len, h);
	if (d->table[i])
		return 0;               /* the same record twice */
	d->off[d->nold] = d->old.len;
	d->hash[d->nold] = h;
	if (buf_add(&d->old, rec, len) < 0)
		return -1;
	d->table[i] = (uint32_t)++d->nold;
	return 0;
}

static int sink_current(void *arg, const uint8_t *rec, size_t len)
{
	struct ixfr_diff *d = arg;
	size_t i = d->tsize ? diff_find(d, rec, len, rec_hash(rec, len)) : 0;

	if (d->tsize && d->table[i]) {
		d->seen[d->table[i] - 1] = 1;
		return 0;
	}
	return buf_add(&d->add, rec, len);
}

static void diff_free(struct ixfr_diff *d)
{
	free(d->old.p);
	free(d->add.p);
	free(d->off);
	free(d->hash);
	free(d->seen);
	free(d->table);
}

static void change_free(struct ixfr_change *c)
{
	for (int i = 0; i < 4; i++)
		free(c->part[i]);
	free(c);
}

static int change_soa(struct ixfr_change *c, int part, const struct xfr *x)
{
	uint8_t b[2 * DNAME_MAX + 64];
	size_t n = xfr_soa_rec(x, b, sizeof(b));

	c->part[part] = n ? malloc(n) : NULL;
	if (!c->part[part])
		return -1;
	memcpy(c->part[part], b, n);
	c->len[part] = n;
	return 0;
}

/* The change from `base` to `cur`, or NULL (out of memory, store error);
 * *nrecs: the records of the base. */
static struct ixfr_change *ixfr_diff(struct xfr *base, struct xfr *cur,
				     size_t *nrecs)
{
	struct ixfr_change *c = calloc(1, sizeof(*c));
	struct ixfr_buf del = { 0 };
	struct ixfr_diff d;
	int rc;

	memset(&d, 0, sizeof(d));
	if (!c)
		return NULL;
	rc = xfr_walk(base, sink_base, &d);
	if (rc == 0 && !(d.seen = calloc(d.nold + 1, 1)))
		rc = -1;
	if (rc == 0)
		rc = xfr_walk(cur, sink_current, &d);
	for (size_t k = 0; rc == 0 && k < d.nold; k++)
		if (!d.seen[k])
			rc = buf_add(&del, d.old.p + d.off[k],
				     xfr_rec_len(d.old.p + d.off[k]));
	if (rc == 0)
		rc = change_soa(c, 0, base);
	if (rc == 0)
		rc = change_soa(c, 2, cur);
	if (rc < 0) {
		diff_free(&d);
		free(del.p);
		change_free(c);
		return NULL;
	}
	c->from = xfr_serial(base);
	c->to = xfr_serial(cur);
	c->part[1] = del.p;
	c->len[1] = del.len;
	c->part[3] = d.add.p;
	c->len[3] = d.add.len;
	d.add.p = NULL;
	*nrecs = d.nold;
	diff_free(&d);
	return c;
}

/* ---- the journal ------------------------------------------------------------- */

/* Adds change `c` (the zone's reference); the oldest goes when full and
 * is returned for the caller to release outside the lock. */
static struct ixfr_change *zone_add_change(struct ixfr_zone *z,
					   struct ixfr_change *c)
{
	struct ixfr_change *gone = NULL;

	if (z->nchanges == IXFR_KEEP) {
		gone = z->changes[0];
		memmove(z->changes, z->changes + 1,
			(IXFR_KEEP - 1) * sizeof(z->changes[0]));
		z->nchanges--;
	}
	c->refs = 1;
	z->changes[z->nchanges++] = c;
	return gone;
}

static struct ixfr_change *zone_change_from(const struct ixfr_zone *z,
					    uint32_t from)
{
	for (size_t i = z->nchanges; i-- > 0;)
		if (z->changes[i]->from == from)
			return z->changes[i];
	return NULL;
}

size_t ixfr_chain(const uint8_t *zone, uint32_t from, uint32_t to,
		  struct ixfr_change **chain, size_t max)
{
	struct ixfr_zone *z;
	uint32_t s = from;
	size_t n = 0;

	pthread_mutex_lock(&ixfr_lock);
	z = ixfr_zone(ixfr_the, zone);
	while (z && s != to && n < max) {
		struct ixfr_change *c = zone_change_from(z, s);

		if (!c)
			break;
		c->refs++;
		chain[n++] = c;
		s = c->to;
	}
	if (s != to) {
		for (size_t i = 0; i < n; i++)
			chain[i]->refs--;   /* the zone's reference remains */
		n = 0;
	}
	pthread_mutex_unlock(&ixfr_lock);
	return n;
}

size_t ixfr_change_part(const struct ixfr_change *c, int part,
			const uint8_t **recs)
{
	*recs = c->part[part];
	return c->len[part];
}

void ixfr_change_release(struct ixfr_change *c)
{
	int last;

	if (!c)
		return;
	pthread_mutex_lock(&ixfr_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&ixfr_lock);
	if (last)
		change_free(c);
}

/* ---- following the serials --------------------------------------------------- */

/* The diff thread: for each zone whose serial moved, the change from its
 * base to a new snapshot, which becomes the base. */
static void *ixfr_follow(void *arg)
{
	struct ixfr *ix = arg;

	for (size_t i = 0; i < ix->nzones; i++) {
		struct ixfr_zone *z = &ix->zones[i];
		struct xfr *cur = xfr_open(ix->cfg, ix->st, z->name), *old;
		struct ixfr_change *c = NULL, *gone = NULL;
		double t0 = monoclock_now();
		size_t nrecs = 0;

		if (!cur || (z->base && xfr_serial(cur) == z->base_serial)) {
			xfr_free(cur);
			continue;
		}
		if (z->base)
			c = ixfr_diff(z->base, cur, &nrecs);
		pthread_mutex_lock(&ixfr_lock);
		if (c)
			gone = zone_add_change(z, c);
		old = z->base;
		z->base = cur;
		z->base_serial = xfr_serial(cur);
		pthread_mutex_unlock(&ixfr_lock);
		if (c)
			log_info("IXFR of %s: the change %u -> %u kept, diffed "
				 "in %.2f s from %zu records: %zu bytes deleted, "
				 "%zu added", xfr_zone_name(cur), c->from, c->to,
				 monoclock_now() - t0, nrecs, c->len[1], c->len[3]);
		else if (old)
			log_err("IXFR of %s: the change from serial %u could "
				"not be diffed (out of memory?); IXFR from it is "
				"answered AXFR-style", xfr_zone_name(cur),
				xfr_serial(old));
		ixfr_change_release(gone);
		xfr_free(old);
	}
	atomic_store(&ix->done, 1);
	return NULL;
}

static void ixfr_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ixfr *ix = arg;
	int moved = 0;

	(void)fd;
	(void)what;
	if (ix->running) {
		if (!atomic_load(&ix->done))
			return;
		pthread_join(ix->thread, NULL);
		ix->running = 0;
	}
	if (responder_begin(&ix->r) < 0)
		return;
	for (size_t i = 0; i < ix->nzones && !moved; i++) {
		const struct ixfr_zone *z = &ix->zones[i];

		for (size_t k = 0; k < ix->r.plan.nzones; k++)
			if (dname_equal(ix->r.plan.zones[k].wname, z->name))
				moved = !z->base || ix->r.plan.zones[k].soa_serial !=
							    z->base_serial;
	}
	responder_idle(&ix->r);
	if (!moved)
		return;
	atomic_store(&ix->done, 0);
	if (pthread_create(&ix->thread, NULL, ixfr_follow, ix) == 0)
		ix->running = 1;
	else
		log_err("IXFR: cannot start the diff thread");
}

struct ixfr *ixfr_start(struct event_base *base, const struct config *cfg,
			struct store *st)
{
	struct timeval tv = { 1, 0 };
	struct ixfr *ix;
	char err[256];
	size_t n = 0;

	for (size_t i = 0; i < cfg->nzones; i++)
		n += cfg->zones[i].has_transfer != 0;
	if (!n)
		return NULL;
	ix = calloc(1, sizeof(*ix));
	if (!ix || !(ix->zones = calloc(n, sizeof(*ix->zones))) ||
	    responder_init(&ix->r, cfg, st, "ixfr", err, sizeof(err)) < 0) {
		log_err("IXFR: cannot start (IXFR is answered AXFR-style)");
		ixfr_stop(ix);
		return NULL;
	}
	ix->cfg = cfg;
	ix->st = st;
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].has_transfer)
			ix->zones[ix->nzones++].name = cfg->zones[i].wname;
	ix->tick = event_new(base, -1, EV_PERSIST, ixfr_tick, ix);
	if (!ix->tick || event_add(ix->tick, &tv) < 0) {
		ixfr_stop(ix);
		return NULL;
	}
	pthread_mutex_lock(&ixfr_lock);
	ixfr_the = ix;
	pthread_mutex_unlock(&ixfr_lock);
	return ix;
}

void ixfr_stop(struct ixfr *ix)
{
	if (!ix)
		return;
	if (ix->tick)
		event_free(ix->tick);
	if (ix->running)
		pthread_join(ix->thread, NULL);
	pthread_mutex_lock(&ixfr_lock);
	if (ixfr_the == ix)
		ixfr_the = NULL;
	pthread_mutex_unlock(&ixfr_lock);
	for (size_t i = 0; ix->zones && i < ix->nzones; i++) {
		xfr_free(ix->zones[i].base);
		for (size_t k = 0; k < ix->zones[i].nchanges; k++)
			ixfr_change_release(ix->zones[i].changes[k]);
	}
	if (ix->r.rd)
		responder_free(&ix->r);
	free(ix->zones);
	free(ix);
}
