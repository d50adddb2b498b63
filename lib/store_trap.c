/* store_trap.c -- spam-trap counters and a batch of hits, one transaction.
 *
 * A batch (trap_ingest.c collects up to ~100 ms of hits) is committed as
 * one write transaction: each sender's counter is read once, every hit
 * of the batch applied to it by the policy (trap_policy.c), and written
 * back once; the listings that begin become entries of the trap dataset
 * through the hand-edit machinery (store_edit_apply: re-derives only what
 * they touch, moves the serial and generation), each with its own expiry
 * and a history record; a listing pushed out by a new hit only moves its
 * expiry time, so dnsbld's answers and the generation do not change for
 * it.  A crash loses at most the batch in memory: what was committed is
 * whole.  Counters are keyed dsid + family + prefix (store_layout.h).
 */
#include "store_manual.h"
#include "store_blob.h"
#include "trap.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(STORE_TRAP_POS_MAX == TRAPKEY_MAX, "prune position size");

static size_t trap_key(uint32_t dsid, int family, const uint8_t *addr,
		       uint8_t *key)
{
	size_t alen = family == 4 ? 4 : 16;

	be32_put(key, dsid);
	key[4] = (uint8_t)family;
	memcpy(key + 5, addr, alen);
	return 5 + alen;
}

static size_t trap_encode(const struct trap_counter *c, uint8_t *p)
{
	size_t n = TRAPREC_FIXED;

	p[0] = TRAP_VERSION;
	be32_put(p + 1, c->hits);
	be64_put(p + 5, (uint64_t)c->first);
	be64_put(p + 13, (uint64_t)c->last);
	be64_put(p + 21, (uint64_t)c->listed_until);
	be32_put(p + 29, c->listed_for);
	be32_put(p + 33, c->times_listed);
	be64_put(p + 37, (uint64_t)c->last_listed);
	be64_put(p + 45, (uint64_t)c->norelist_until);
	p[53] = c->nslots;
	for (unsigned i = 0; i < c->nslots; i++, n += 8) {
		be32_put(p + n, c->slots[i].tag);
		be32_put(p + n + 4, c->slots[i].time);
	}
	if (c->rdns.status != TRAP_RDNS_NONE) {
		/* Version 2: the rDNS outcome follows (store_layout.h). */
		size_t nlen = strnlen(c->rdns.name, TRAP_RDNS_NAME_MAX - 1);

		p[0] = TRAP_VERSION_RDNS;
		p[n] = c->rdns.status;
		p[n + 1] = c->rdns.family;
		memcpy(p + n + 2, c->rdns.addr, 16);
		be64_put(p + n + 18, (uint64_t)c->rdns.time);
		p[n + 26] = (uint8_t)nlen;
		memcpy(p + n + 27, c->rdns.name, nlen);
		n += 27 + nlen;
	}
	return n;
}

static int trap_decode(const void *data, size_t len, struct trap_counter *c)
{
	struct blob_reader r = { data, (const uint8_t *)data + len, 0 };
	uint8_t version = blob_u8(&r);
	const uint8_t *name;
	size_t nlen;

	memset(c, 0, sizeof(*c));
	if (version != TRAP_VERSION && version != TRAP_VERSION_RDNS)
		return STORE_EINVAL;
	c->hits = blob_u32(&r);
	c->first = (int64_t)blob_u64(&r);
	c->last = (int64_t)blob_u64(&r);
	c->listed_until = (int64_t)blob_u64(&r);
	c->listed_for = blob_u32(&r);
	c->times_listed = blob_u32(&r);
	c->last_listed = (int64_t)blob_u64(&r);
	c->norelist_until = (int64_t)blob_u64(&r);
	c->nslots = blob_u8(&r);
	if (c->nslots > TRAP_SLOTS)
		return STORE_EINVAL;
	for (unsigned i = 0; i < c->nslots; i++) {
		c->slots[i].tag = blob_u32(&r);
		c->slots[i].time = blob_u32(&r);
	}
	if (version == TRAP_VERSION_RDNS) {
		c->rdns.status = blob_u8(&r);
		c->rdns.family = blob_u8(&r);
		if ((name = blob_take(&r, 16)) != NULL)
			memcpy(c->rdns.addr, name, 16);
		c->rdns.time = (int64_t)blob_u64(&r);
		nlen = blob_u8(&r);
		if (nlen >= TRAP_RDNS_NAME_MAX)
			return STORE_EINVAL;
		if ((name = blob_take(&r, nlen)) != NULL)
			memcpy(c->rdns.name, name, nlen);
	}
	return r.bad || r.p != r.end ? STORE_EINVAL : 0;
}

/* A listing's end as the expiry table keeps it: rounded up to the next
 * TRAP_END_STEP seconds, so a sender that keeps hitting moves its expiry
 * keys once a step, not once a batch (the listing lasts at most that
 * much longer than the policy says). */
#define TRAP_END_STEP 60

static int64_t trap_end_stored(int64_t end)
{
	return (end + TRAP_END_STEP - 1) / TRAP_END_STEP * TRAP_END_STEP;
}

/* The dsid of dataset `name` in `txn`. */
static int trap_dsid(MDB_txn *txn, const struct store *st, const char *name,
		     uint32_t *dsid)
{
	MDB_val k = { strlen(name), (void *)name }, d;
	int rc = mdb_get(txn, st->dbi[SDB_NAMES], &k, &d);

	if (rc == 0 && d.mv_size != 5)
		rc = STORE_EINVAL;
	if (rc == 0)
		*dsid = be32_get(d.mv_data);
	return rc;
}

/* ---- the batch ----------------------------------------------------------- */

/* A listing that begins in this batch. */
struct trap_listing {
	size_t hit;              /* the group's last hit (its sender) */
	struct trap_counter c;   /* the counter as listed */
	char txt[256];
	int64_t relabel;         /* not a new listing: its code or TXT changed
	                            with its rDNS; the stored end (else 0) */
};

struct trap_job {
	struct store *st;
	const char *name;
	const struct cfg_trap *t;
	const struct store_trap_hit *hits;
	size_t nhits;
	int64_t now;
	const char *user;
	struct store_trap_result res;
	/* Per run (store_write_txn may run the body again). */
	struct trap_listing *lst;
	size_t nlst;
	struct store_ip_edit *edits;
	int64_t *expires;
	size_t *want;            /* senders whose rDNS is wanted (a hit each) */
	size_t nwant;
	char *err;
	size_t errlen;
};

static int trap_same_sender(const struct store_trap_hit *a,
			    const struct store_trap_hit *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

/* One sender's hits [i, j): its counter, and what the listing does. */
static int trap_sender(MDB_txn *txn, struct trap_job *job, uint32_t dsid,
		       size_t i, size_t j)
{
	const struct store_trap_hit *h = &job->hits[i];
	uint8_t key[TRAPKEY_MAX], rec[TRAPREC_MAX], ek[EKEY_MAX];
	MDB_val k = { trap_key(dsid, h->family, h->addr, key), key }, d;
	struct trap_counter c;
	int64_t until = 0, stored;
	int listed = 0, extended = 0, rc, moved = 0, news = 0, found;
	size_t eklen, last_hit = j;

	rc = mdb_get(txn, job->st->dbi[SDB_TRAP], &k, &d);
	found = rc == 0;
	if (rc == 0)
		rc = trap_decode(d.mv_data, d.mv_size, &c);
	else if (rc == MDB_NOTFOUND)
		rc = 0, memset(&c, 0, sizeof(c));
	if (rc)
		return rc;
	for (size_t x = i; x < j; x++) {
		enum trap_verdict v;

		if (job->hits[x].rdns) {   /* an rDNS outcome (trap_rdns.c) */
			v = trap_rdns_apply(job->t, &c, job->hits[x].rdns,
					    job->now, &until);
			news = 1;
		} else {
			v = trap_policy_hit(job->t, &c, job->hits[x].time,
					    job->hits[x].trap, job->now, &until);
			last_hit = x;
		}
		listed |= v == TRAP_LISTED;
		extended |= v == TRAP_EXTENDED;
	}
	if (last_hit == j && !found)
		return 0;   /* news of a sender gone (pruned): nothing to keep */
	if (last_hit < j && trap_rdns_wanted(job->t, &c, job->now))
		job->want[job->nwant++] = last_hit;
	job->lst[job->nlst].relabel = 0;
	if (news && !listed && c.listed_until > job->now &&
	    (trap_rdns_code(job->t, &c) != job->t->code ||
	     (job->t->txt && strstr(job->t->txt, "${rdns}")))) {
		/* Listed before the outcome came: its answer says it now. */
		eklen = store_ekey_ip(h->family, h->addr, h->plen, ek);
		rc = store_expiry_get_txn(txn, job->st, dsid, ek, eklen, &stored);
		if (rc)
			return rc;
		if (stored) {
			job->lst[job->nlst].relabel = stored;
			listed = 1;
		}
	}
	job->res.senders++;
	d.mv_size = trap_encode(&c, rec);
	d.mv_data = rec;
	rc = mdb_put(txn, job->st->dbi[SDB_TRAP], &k, &d, 0);
	if (rc || (!listed && !extended))
		return rc;
	if (!listed) {
		/* Listed already: only its end moves -- if the entry is still
		 * there (the sweep may have taken it at the old end). */
		eklen = store_ekey_ip(h->family, h->addr, h->plen, ek);
		rc = store_expiry_get_txn(txn, job->st, dsid, ek, eklen, &stored);
		if (rc)
			return rc;
		if (stored) {
			job->res.extended++;
			if (stored >= c.listed_until)
				return 0;   /* the rounded end covers it */
			return store_expiry_set(txn, job->st, dsid, ek, eklen,
						trap_end_stored(c.listed_until),
						&moved);
		}
	}
	if (!job->lst[job->nlst].relabel)
		job->res.listed++;
	else
		job->res.relabeled++;
	job->lst[job->nlst].hit = j - 1;
	job->lst[job->nlst].c = c;
	trap_txt_render(job->t->txt ? job->t->txt : "", &c,
			job->lst[job->nlst].txt);
	job->nlst++;
	return 0;
}

/* The listings as entries, their history and the dataset's status. */
static int trap_list(MDB_txn *txn, struct trap_job *job)
{
	struct store_change ch = { .type = DS_TRAP, .now = job->now };
	struct store_apply_stats stats = { 0 };
	struct store_status status;
	char entry[INET6_ADDRSTRLEN + 8], reason[512], first[32], last[32];
	uint32_t dsid;
	int changed, rc;

	for (size_t i = 0; i < job->nlst; i++) {
		const struct store_trap_hit *h = &job->hits[job->lst[i].hit];
		struct store_ip_edit *e = &job->edits[i];

		memset(e, 0, sizeof(*e));
		e->op = STORE_EDIT_SET;
		e->family = h->family;
		e->plen = h->plen;
		memcpy(e->addr, h->addr, 16);
		e->value.kind = VAL_LISTED;
		e->value.a = trap_rdns_code(job->t, &job->lst[i].c);
		if (job->t->txt) {
			e->value.txt = job->lst[i].txt;
			e->value.txtlen = (uint16_t)strlen(job->lst[i].txt);
		}
		job->expires[i] = job->lst[i].relabel ? job->lst[i].relabel :
				  trap_end_stored(job->lst[i].c.listed_until);
	}
	ch.ip = job->edits;
	ch.nip = job->nlst;
	ch.ip_expires = job->expires;
	rc = store_edit_apply(txn, job->st, job->name, &ch, &stats, &changed,
			      &dsid, job->err, job->errlen);
	for (size_t i = 0; rc == 0 && i < job->nlst; i++) {
		const struct store_trap_hit *h = &job->hits[job->lst[i].hit];
		const struct trap_counter *c = &job->lst[i].c;
		struct store_hist hist = { .time = job->now, .op = STORE_HIST_ADD,
					   .expires = c->listed_until,
					   .dataset = job->name, .entry = entry,
					   .reason = reason, .user = job->user };
		time_t tf = (time_t)c->first, tl = (time_t)c->last;
		struct tm tm;
		char rdns[TRAP_RDNS_NAME_MAX + 16];

		if (job->lst[i].relabel)
			continue;   /* its listing's record is there already */

		trap_prefix_text(h->family, h->addr, h->plen, entry,
				 sizeof(entry));
		strftime(first, sizeof(first), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&tf, &tm));
		strftime(last, sizeof(last), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&tl, &tm));
		snprintf(reason, sizeof(reason), "trap: %" PRIu32 " hit%s, first "
			 "%s, last %s; listing %" PRIu32 "%s%s%s%s%s", c->hits,
			 c->hits == 1 ? "" : "s", first, last, c->times_listed,
			 c->times_listed > 1 ? " (repeat offender)" : "",
			 c->rdns.status ? "; rDNS " : "",
			 c->rdns.status ? trap_rdns_text(&c->rdns, rdns,
							 sizeof(rdns)) : "",
			 h->reason && *h->reason ? "; " : "",
			 h->reason ? h->reason : "");
		rc = store_history_append(txn, job->st, &hist);
	}
	if (rc == 0) {
		memset(&status, 0, sizeof(status));
		status.time = job->now;
		status.kind = STORE_STATUS_EDIT;
		status.ok = 1;
		status.added = stats.added;
		status.removed = stats.removed;
		status.entries = stats.entries;
		snprintf(status.message, sizeof(status.message), "trap: %zu "
			 "listed by %s", job->nlst, job->user ? job->user : "?");
		rc = store_status_write(txn, job->st, job->name, &status);
	}
	return rc;
}

static int trap_txn(MDB_txn *txn, void *arg)
{
	struct trap_job *job = arg;
	uint32_t dsid;
	int rc;

	memset(&job->res, 0, sizeof(job->res));
	job->nlst = 0;
	job->nwant = 0;
	rc = trap_dsid(txn, job->st, job->name, &dsid);
	if (rc == MDB_NOTFOUND)
		store_seterr(job->err, job->errlen, "trap dataset %s is not "
			     "stored", job->name);
	for (size_t i = 0, j; rc == 0 && i < job->nhits; i = j) {
		for (j = i + 1; j < job->nhits &&
		     trap_same_sender(&job->hits[i], &job->hits[j]); j++)
			;
		rc = trap_sender(txn, job, dsid, i, j);
	}
	if (rc == 0 && job->nlst)
		rc = trap_list(txn, job);
	return rc;
}

/* Runs `body` in one write transaction (the trap functions' common
 * frame): a writable store with the trap table, and an error naming
 * `what` and dataset `name` if LMDB gave none. */
static int trap_write(struct store *st, int (*body)(MDB_txn *, void *),
		      void *job, const char *what, const char *name,
		      char *err, size_t errlen)
{
	int rc;

	if (!st || (st->flags & STORE_READONLY) || !st->dbi[SDB_TRAP]) {
		store_seterr(err, errlen, "%s %s: store opened read-only", what,
			     name);
		return STORE_EINVAL;
	}
	rc = store_write_txn(st, body, job, err, errlen);
	if (rc) {
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "%s %s: %s", what, name,
				     store_strerror(rc));
		return store_rc(rc);
	}
	return STORE_OK;
}

int store_trap_commit(struct store *st, const char *name,
		      const struct cfg_trap *t, const struct store_trap_hit *hits,
		      size_t nhits, int64_t now, const char *user,
		      struct store_trap_result *res, char *err, size_t errlen)
{
	struct trap_job job = { .st = st, .name = name, .t = t, .hits = hits,
				.nhits = nhits, .now = now, .user = user,
				.err = err, .errlen = errlen };
	int rc;

	void (*want_rdns)(const struct store_trap_hit *, void *) =
		res ? res->want_rdns : NULL;
	void *want_arg = res ? res->want_arg : NULL;

	if (err && errlen)
		err[0] = '\0';
	if (res)
		memset(res, 0, sizeof(*res));
	if (nhits == 0)
		return STORE_OK;
	/* At most one listing per sender, so nhits bounds them. */
	job.lst = malloc(nhits * sizeof(*job.lst));
	job.edits = malloc(nhits * sizeof(*job.edits));
	job.expires = malloc(nhits * sizeof(*job.expires));
	job.want = malloc(nhits * sizeof(*job.want));
	if (!job.lst || !job.edits || !job.expires || !job.want)
		rc = STORE_ENOMEM;
	else
		rc = trap_write(st, trap_txn, &job, "trap dataset", name, err,
				errlen);
	free(job.lst);
	free(job.edits);
	free(job.expires);
	/* Lookups start once the counters they will update are committed. */
	for (size_t i = 0; rc == 0 && want_rdns && i < job.nwant; i++)
		want_rdns(&hits[job.want[i]], want_arg);
	free(job.want);
	if (rc)
		return rc;
	if (res) {
		*res = job.res;
		res->want_rdns = want_rdns;
		res->want_arg = want_arg;
	}
	return STORE_OK;
}

/* ---- delisting ----------------------------------------------------------- */

struct delist_job {
	struct store *st;
	const char *name;
	const struct store_trap_hit *who;
	int64_t now, norelist_until;
	const char *reason, *user;
	int removed;
	char *err;
	size_t errlen;
};

static int delist_txn(MDB_txn *txn, void *arg)
{
	struct delist_job *job = arg;
	const struct store_trap_hit *h = job->who;
	struct store_ip_edit e = { .op = STORE_EDIT_REMOVE, .family = h->family,
				   .plen = h->plen };
	struct store_change ch = { .ip = &e, .nip = 1, .type = DS_TRAP,
				   .now = job->now };
	struct store_apply_stats stats = { 0 };
	struct store_status status;
	uint8_t key[TRAPKEY_MAX], rec[TRAPREC_MAX];
	char entry[INET6_ADDRSTRLEN + 8];
	struct trap_counter c;
	uint32_t dsid;
	MDB_val k, d;
	int changed, rc;

	memcpy(e.addr, h->addr, 16);
	job->removed = 0;
	rc = store_edit_apply(txn, job->st, job->name, &ch, &stats, &changed,
			      &dsid, job->err, job->errlen);
	if (rc)
		return rc;
	/* The counter forgets the listing (so a hit is no extension), and
	 * holds a new one off until norelist_until. */
	k.mv_size = trap_key(dsid, h->family, h->addr, key);
	k.mv_data = key;
	rc = mdb_get(txn, job->st->dbi[SDB_TRAP], &k, &d);
	if (rc == 0 && trap_decode(d.mv_data, d.mv_size, &c) == 0) {
		c.listed_until = 0;
		if (job->norelist_until > c.norelist_until)
			c.norelist_until = job->norelist_until;
		d.mv_size = trap_encode(&c, rec);
		d.mv_data = rec;
		rc = mdb_put(txn, job->st->dbi[SDB_TRAP], &k, &d, 0);
	} else if (rc == MDB_NOTFOUND) {
		rc = 0;
	}
	if (rc || !stats.removed)
		return rc;
	job->removed = 1;
	trap_prefix_text(h->family, h->addr, h->plen, entry, sizeof(entry));
	{
		struct store_hist hist = { .time = job->now, .op = STORE_HIST_DEL,
					   .dataset = job->name, .entry = entry,
					   .reason = job->reason, .user = job->user };

		rc = store_history_append(txn, job->st, &hist);
	}
	if (rc == 0) {
		memset(&status, 0, sizeof(status));
		status.time = job->now;
		status.kind = STORE_STATUS_EDIT;
		status.ok = 1;
		status.removed = stats.removed;
		status.entries = stats.entries;
		snprintf(status.message, sizeof(status.message), "del %s by %s",
			 entry, job->user ? job->user : "?");
		rc = store_status_write(txn, job->st, job->name, &status);
	}
	return rc;
}

int store_trap_delist(struct store *st, const char *name,
		      const struct store_trap_hit *who, int64_t now,
		      int64_t norelist_until, const char *reason,
		      const char *user, int *removed, char *err, size_t errlen)
{
	struct delist_job job = { .st = st, .name = name, .who = who,
				  .now = now, .norelist_until = norelist_until,
				  .reason = reason, .user = user, .err = err,
				  .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (removed)
		*removed = 0;
	rc = trap_write(st, delist_txn, &job, "delisting from", name, err,
			errlen);
	if (rc)
		return rc;
	if (removed)
		*removed = job.removed;
	return STORE_OK;
}

/* ---- pruning ------------------------------------------------------------- */

struct prune_job {
	struct store *st;
	const char *name;
	const struct cfg_trap *t;
	int64_t now;
	size_t limit;
	uint8_t *pos;
	size_t poslen, newlen;
	uint8_t next[TRAPKEY_MAX];
	uint64_t pruned;
	char *err;
	size_t errlen;
};

static int prune_txn(MDB_txn *txn, void *arg)
{
	struct prune_job *job = arg;
	uint8_t start[TRAPKEY_MAX];
	MDB_val k, d;
	MDB_cursor *c;
	uint32_t dsid;
	size_t seen = 0;
	int rc;

	job->pruned = 0;
	job->newlen = 0;
	rc = trap_dsid(txn, job->st, job->name, &dsid);
	if (rc == MDB_NOTFOUND)
		return 0;   /* not stored: nothing to prune */
	if (rc)
		return rc;
	if (job->poslen >= 4 && be32_get(job->pos) == dsid) {
		memcpy(start, job->pos, job->poslen);
		k.mv_size = job->poslen;
	} else {
		be32_put(start, dsid);
		k.mv_size = 4;
	}
	k.mv_data = start;
	rc = mdb_cursor_open(txn, job->st->dbi[SDB_TRAP], &c);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		struct trap_counter tc;

		if (k.mv_size < 5 || be32_get(k.mv_data) != dsid)
			break;
		if (seen++ == job->limit) {
			memcpy(job->next, k.mv_data, k.mv_size);
			job->newlen = k.mv_size;
			break;
		}
		if (trap_decode(d.mv_data, d.mv_size, &tc) != 0 ||
		    trap_policy_prunable(job->t, &tc, job->now)) {
			rc = mdb_cursor_del(c, 0);
			if (rc)
				break;
			job->pruned++;
		}
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : rc;
}

int store_trap_prune(struct store *st, const char *name,
		     const struct cfg_trap *t, int64_t now, size_t limit,
		     uint8_t *pos, size_t *poslen, uint64_t *pruned,
		     char *err, size_t errlen)
{
	struct prune_job job = { .st = st, .name = name, .t = t, .now = now,
				 .limit = limit ? limit : 1, .pos = pos,
				 .poslen = *poslen, .err = err,
				 .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	*pruned = 0;
	rc = trap_write(st, prune_txn, &job, "pruning the counters of", name,
			err, errlen);
	if (rc)
		return rc;
	memcpy(pos, job.next, job.newlen);
	*poslen = job.newlen;
	*pruned = job.pruned;
	return STORE_OK;
}

/* ---- reading ------------------------------------------------------------- */

int store_trap_get(struct store_reader *rd, uint32_t dsid, int family,
		   const uint8_t addr[16], struct trap_counter *c)
{
	uint8_t key[TRAPKEY_MAX];
	MDB_val k = { trap_key(dsid, family, addr, key), key }, d;
	int rc;

	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_TRAP])
		return 0;
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_TRAP], &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_rc(rc);
	return trap_decode(d.mv_data, d.mv_size, c) ? STORE_EINVAL : 1;
}

int store_trap_count(struct store_reader *rd, uint32_t dsid, uint64_t *n)
{
	uint8_t start[4];
	MDB_val k = { 4, start }, d;
	MDB_cursor *c;
	int rc;

	*n = 0;
	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_TRAP])
		return 0;
	be32_put(start, dsid);
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_TRAP], &c);
	if (rc)
		return store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 &&
	     k.mv_size >= 4 && be32_get(k.mv_data) == dsid;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT))
		(*n)++;
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}
