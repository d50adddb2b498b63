/* store_read.c -- readers and the lookups the server runs per query.
 *
 * A reader is one read-only LMDB transaction (MDB_NOTLS, so a thread may
 * keep it across batches) plus cursors opened once and renewed with it.
 * Lookups allocate nothing and build their keys on the stack; returned
 * views point into the map and stay valid until the reader is reset.
 * Address lookups are one MDB_GET_BOTH_RANGE on the interval map (two when
 * the dataset has an overlay, store_overlay.h); name
 * lookups one point read per candidate name.
 *
 * Why renew is usually free: a server worker renews before every batch of
 * queries, often a batch of one.  Beginning an LMDB read transaction and
 * renewing a cursor into it costs a B+tree search of the main database per
 * named database (LMDB re-reads their roots in every transaction), more
 * than the lookup itself.  So renew keeps the snapshot it holds when no
 * write was committed since (same transaction id: the very same data), and
 * cursors, the generation and a small cache of answer values live as long
 * as the snapshot does.  A cursor is renewed only when a lookup first needs
 * it in a new snapshot.
 */
#include "store_overlay.h"

#include <stdlib.h>
#include <string.h>

static void reader_close_cursors(struct store_reader *rd)
{
	for (int i = 0; i < 2; i++)
		if (rd->ip[i])
			mdb_cursor_close(rd->ip[i]);
	if (rd->dn)
		mdb_cursor_close(rd->dn);
	rd->ip[0] = rd->ip[1] = rd->dn = NULL;
}

/* Begins or renews the transaction, adopting a map grown by a writer in
 * another process when no other reader of this process is using it. */
static int reader_begin(struct store_reader *rd)
{
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		rc = rd->txn ? mdb_txn_renew(rd->txn)
			     : mdb_txn_begin(rd->e->env, NULL, MDB_RDONLY, &rd->txn);
		if (rc != MDB_MAP_RESIZED)
			break;
		if (atomic_load(&rd->e->active_readers) > 0)
			break;
		rc = mdb_env_set_mapsize(rd->e->env, 0);
		if (rc)
			break;
	}
	return rc;
}

/* Forgets an overlay slot's arrays (its dataset stays). */
static void reader_ovl_clear(struct reader_ovl *o)
{
	for (int f = 0; f < 2; f++) {
		free(o->add[f]);
		free(o->del[f]);
		o->add[f] = o->del[f] = NULL;
		o->nadd[f] = o->ndel[f] = 0;
		o->known[f] = 0;
	}
}

/* A new snapshot: everything cached from the previous one is stale. */
static void reader_forget(struct store_reader *rd)
{
	rd->fresh = 0;
	rd->gen_known = 0;
	for (size_t i = 0; i < READER_VCACHE; i++)
		rd->vcache[i].id = 0;
	for (size_t i = 0; i < READER_APEXWILD; i++)
		rd->apexwild[i].state = 0;
	for (size_t i = 0; i < READER_OVL; i++)
		reader_ovl_clear(&rd->ovl[i]);
}

/* Is the active snapshot still the newest commit? */
static int reader_is_current(const struct store_reader *rd)
{
	MDB_envinfo info;

	if (!rd->active || !rd->e || mdb_env_info(rd->e->env, &info) != 0)
		return 0;
	return info.me_last_txnid == mdb_txn_id(rd->txn);
}

/* The family's (0 ip4, 1 ip6) or the dn cursor (2), renewed into the
 * current snapshot on first use; NULL (rc set) if that fails. */
static MDB_cursor *reader_cursor(struct store_reader *rd, unsigned which,
				 int *rc)
{
	MDB_cursor *c = which == 2 ? rd->dn : rd->ip[which];

	if (!(rd->fresh & (1u << which))) {
		*rc = mdb_cursor_renew(rd->txn, c);
		if (*rc) {
			*rc = store_rc(*rc);
			return NULL;
		}
		rd->fresh |= 1u << which;
	}
	return c;
}

/* Begins a snapshot on the reader's instance and opens its cursors. */
static int reader_start(struct store_reader *rd)
{
	int rc = reader_begin(rd);

	if (rc == 0)
		rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_IP4], &rd->ip[0]);
	if (rc == 0)
		rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_IP6], &rd->ip[1]);
	if (rc == 0)
		rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_DN], &rd->dn);
	if (rc) {
		reader_close_cursors(rd);
		if (rd->txn)
			mdb_txn_abort(rd->txn);
		rd->txn = NULL;
		return rc;
	}
	reader_forget(rd);
	rd->active = 1;
	rd->fresh = 7;   /* the cursors were opened in this snapshot */
	atomic_fetch_add(&rd->e->active_readers, 1);
	return 0;
}

/* Ends the snapshot and gives the instance's cursors and txn back. */
static void reader_stop(struct store_reader *rd)
{
	reader_close_cursors(rd);
	if (rd->active)
		atomic_fetch_sub(&rd->e->active_readers, 1);
	rd->active = 0;
	if (rd->txn)
		mdb_txn_abort(rd->txn);
	rd->txn = NULL;
}

/* The snapshot just begun is of a compacted-away instance: move the reader
 * to the newest one (cursors and transactions belong to one instance). */
static int reader_follow(struct store_reader *rd)
{
	for (int hop = 0; hop < 4; hop++) {
		struct store_env *e;
		unsigned next;
		int rc = store_superseded(rd->txn, rd->st, &next);

		if (rc || !next)
			return rc;
		reader_stop(rd);
		e = store_env_follow(rd->st, rd->e, next, NULL, 0);
		if (!e)
			return STORE_EIO;
		store_env_release(rd->st, rd->e);
		rd->e = e;
		rc = reader_start(rd);
		if (rc)
			return rc;
	}
	return 0;
}

int store_reader_new(struct store *st, struct store_reader **out)
{
	struct store_reader *rd = calloc(1, sizeof(*rd));
	int rc;

	*out = NULL;
	if (!rd)
		return STORE_ENOMEM;
	rd->st = st;
	rd->e = store_env_acquire(st);
	rc = reader_start(rd);
	if (rc == 0)
		rc = reader_follow(rd);
	if (rc) {
		store_reader_free(rd);
		return store_rc(rc);
	}
	*out = rd;
	return STORE_OK;
}

void store_reader_free(struct store_reader *rd)
{
	if (!rd)
		return;
	reader_stop(rd);
	if (rd->e)
		store_env_release(rd->st, rd->e);
	reader_forget(rd);   /* its overlay arrays */
	free(rd);
}

void store_reader_reset(struct store_reader *rd)
{
	if (!rd->active)
		return;
	mdb_txn_reset(rd->txn);
	rd->active = 0;
	atomic_fetch_sub(&rd->e->active_readers, 1);
}

int store_reader_renew(struct store_reader *rd)
{
	int rc;

	if (reader_is_current(rd))
		return STORE_OK;   /* nothing committed since: same data */
	store_reader_reset(rd);
	if (!rd->e)
		rd->e = store_env_acquire(rd->st);   /* let go by idle */
	rc = rd->txn ? reader_begin(rd) : reader_start(rd);
	if (rc)
		return store_rc(rc);
	if (!rd->active) {
		reader_forget(rd);
		rd->active = 1;
		atomic_fetch_add(&rd->e->active_readers, 1);
	}
	/* A commit happened: it may be a compaction's marker. */
	return store_rc(reader_follow(rd));
}

void store_reader_idle(struct store_reader *rd)
{
	/* Renewing looks for a compaction's marker, so an idle thread lets go
	 * of a compacted-away instance even if no query ever comes. */
	store_reader_renew(rd);
	store_reader_reset(rd);
	if (rd->e && !store_env_is_current(rd->st, rd->e)) {
		reader_stop(rd);
		store_env_release(rd->st, rd->e);
		rd->e = NULL;
	}
}

uint64_t store_generation(struct store_reader *rd)
{
	uint64_t g = 0;

	if (!rd->active)
		return 0;
	if (rd->gen_known)
		return rd->gen;
	if (store_info_get(rd->txn, rd->st, "generation", &g, 0) == 0) {
		rd->gen = g;
		rd->gen_known = 1;
	}
	return g;
}

int store_value_get(struct store_reader *rd, uint32_t id,
		    struct store_value *out)
{
	struct reader_vcache *slot = &rd->vcache[id % READER_VCACHE];
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	const uint8_t *p;
	int rc;

	if (!rd->active || id == 0 || (id & REF_SET))
		return STORE_EINVAL;
	if (slot->id == id) {
		*out = slot->v;
		return STORE_OK;
	}
	be32_put(kb, id);
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_VALUES], &k, &d);
	if (rc)
		return store_rc(rc);
	p = d.mv_data;
	if (d.mv_size < 7 || d.mv_size > 7 + 255 || p[0] != VALREC_VALUE)
		return STORE_EINVAL;
	out->kind = p[1];
	out->a = be32_get(p + 2);
	out->txt = p[6] ? (const char *)p + 7 : NULL;
	out->txtlen = p[6] ? (uint16_t)(d.mv_size - 7) : 0;
	slot->id = id;
	slot->v = *out;
	return STORE_OK;
}

/* Fills m with the values of `ref` (a value or a set). */
static int read_match_fill(struct store_reader *rd, uint32_t ref,
		      struct store_match *m)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	const uint8_t *p;
	int rc;

	m->nvalues = 0;
	if (!(ref & REF_SET)) {
		m->values[0] = ref;
		m->nvalues = 1;
		return 1;
	}
	be32_put(kb, ref);
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_VALUES], &k, &d);
	if (rc)
		return store_rc(rc) == STORE_ENOTFOUND ? STORE_EINVAL : store_rc(rc);
	p = d.mv_data;
	if (d.mv_size < 1 || p[0] != VALREC_SET || (d.mv_size - 1) % 4)
		return STORE_EINVAL;
	for (size_t off = 1; off < d.mv_size && m->nvalues < STORE_MAX_MATCH;
	     off += 4)
		m->values[m->nvalues++] = be32_get(p + off);
	return 1;
}

/* The family's overlay of `dsid` in this snapshot (read on first use);
 * NULL on an error (*rc set). */
static struct reader_ovl *read_ovl(struct store_reader *rd, uint32_t dsid,
				   int family, int *rc)
{
	struct reader_ovl *o = &rd->ovl[dsid % READER_OVL];
	MDB_dbi dbi = rd->st->dbi[family == 4 ? SDB_IP4 : SDB_IP6];
	size_t rsz = layout_ip_size(family);
	int f = family == 6;

	if (o->dsid != dsid) {
		reader_ovl_clear(o);
		o->dsid = dsid;
	}
	if (!o->known[f]) {
		struct blob_writer add = { 0 }, del = { 0 };

		*rc = store_dups_read(rd->txn, dbi, dsid | OVL_ADD, rsz, &add,
				      &o->nadd[f]);
		if (*rc == 0)
			*rc = store_dups_read(rd->txn, dbi, dsid | OVL_DEL, rsz,
					      &del, &o->ndel[f]);
		if (*rc) {
			free(add.p);
			free(del.p);
			o->nadd[f] = o->ndel[f] = 0;
			*rc = store_rc(*rc);
			return NULL;
		}
		o->add[f] = add.p;
		o->del[f] = del.p;
		o->known[f] = 1;
	}
	return o;
}

/* The first of `n` interval records (sorted by end, `alen`-byte ends)
 * ending at or after `addr`, or NULL. */
static const uint8_t *read_ovl_first(const uint8_t *recs, size_t n,
				     size_t rsz, const uint8_t *addr,
				     unsigned alen)
{
	size_t lo = 0, hi = n;

	if (alen == 4) {   /* the common case: compare numbers */
		uint32_t x = be32_get(addr);

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (be32_get(recs + mid * rsz) < x)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (memcmp(recs + mid * rsz, addr, alen) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return lo < n ? recs + lo * rsz : NULL;
}

/* Is interval record `r` one of the `n` records `recs`?  Intervals are
 * disjoint, so the one with r's end is the only candidate. */
static int read_ovl_has(const uint8_t *recs, size_t n, size_t rsz,
			unsigned alen, const uint8_t *r)
{
	const uint8_t *f = read_ovl_first(recs, n, rsz, r, alen);

	return f && memcmp(f, r, rsz) == 0;
}

/* The dataset's first interval ending at or after `addr`, its overlay
 * included (the one interval a lookup of addr can hit); NULL (rc 0): none. */
static const uint8_t *read_ip_seek(struct store_reader *rd, uint32_t dsid,
			      int family, const uint8_t *addr, int *rc)
{
	unsigned rsz = layout_ip_size(family), alen = family == 4 ? 4 : 16;
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d = { alen, (void *)addr };
	const uint8_t *a = NULL, *b = NULL;
	struct reader_ovl *o;
	MDB_cursor *c;
	int f = family == 6;

	*rc = 0;
	if (!rd->active || (family != 4 && family != 6)) {
		*rc = STORE_EINVAL;
		return NULL;
	}
	c = reader_cursor(rd, f, rc);
	if (!c)
		return NULL;
	o = read_ovl(rd, dsid, family, rc);
	if (!o)
		return NULL;
	if (o->nadd[f])
		a = read_ovl_first(o->add[f], o->nadd[f], rsz, addr, alen);
	be32_put(kb, dsid);
	*rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE);
	/* Base intervals the overlay takes away do not count. */
	while (*rc == 0 && d.mv_size == rsz && o->ndel[f] &&
	       read_ovl_has(o->del[f], o->ndel[f], rsz, alen, d.mv_data))
		*rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP);
	if (*rc == 0 && d.mv_size != rsz)
		*rc = STORE_EINVAL;
	if (*rc == 0)
		b = d.mv_data;
	else if (*rc != MDB_NOTFOUND)
		return (*rc = store_rc(*rc), NULL);
	*rc = 0;
	if (!a || !b)
		return a ? a : b;
	return memcmp(a, b, alen) < 0 ? a : b;   /* by end */
}

int store_lookup_ip(struct store_reader *rd, uint32_t dsid, int family,
		    const uint8_t addr[16], struct store_match *m)
{
	unsigned alen = family == 4 ? 4 : 16;
	int rc;
	const uint8_t *r = read_ip_seek(rd, dsid, family, addr, &rc);

	if (!r)
		return rc;
	if (memcmp(r + alen, addr, alen) > 0)   /* starts after addr: a gap */
		return 0;
	m->entry[0] = 0;
	return read_match_fill(rd, be32_get(r + 2 * alen), m);
}

int store_ip_range_listed(struct store_reader *rd, uint32_t dsid, int family,
			  const uint8_t lo[16], const uint8_t hi[16])
{
	unsigned alen = family == 4 ? 4 : 16;
	const uint8_t *r;
	int rc;

	if (memcmp(lo, hi, alen) > 0)
		return 0;   /* an empty range */
	r = read_ip_seek(rd, dsid, family, lo, &rc);
	if (!r)
		return rc;
	return memcmp(r + alen, hi, alen) <= 0;
}

/* Point read of a dn-table key. */
static int read_dn_get(struct store_reader *rd, const uint8_t *key, size_t klen,
		  MDB_val *d)
{
	MDB_val k = { klen, (void *)key };
	int rc = mdb_get(rd->txn, rd->st->dbi[SDB_DN], &k, d);

	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? store_rc(rc) : 1;
}

/* Copies the lowercased wire name at `w` into `out`. */
static void read_copy_lower(const uint8_t *w, uint8_t *out)
{
	size_t i = 0;

	for (;;) {
		uint8_t len = w[i];

		out[i] = len;
		if (!len)
			break;
		for (size_t j = 1; j <= len; j++) {
			uint8_t c = w[i + j];

			out[i + j] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
		}
		i += (size_t)len + 1;
	}
}

/* The closest enclosing wildcard by one point read per strict ancestor,
 * the longest first: right for any name.  Returns 1 (found, *depth set,
 * *d its data), 0 or <0; `key` is the name's key, lvl[] its label ends. */
static int dn_wild_probe(struct store_reader *rd, uint8_t *key,
			 const uint16_t *lvl, unsigned n, unsigned *depth,
			 MDB_val *d)
{
	int rc = 0;

	for (unsigned k = n; rc == 0 && k-- > 0;) {
		key[lvl[k]] = 1;
		key[lvl[k] + 1] = '*';
		key[lvl[k] + 2] = 0;
		key[lvl[k] + 3] = DNK_WILD;
		rc = read_dn_get(rd, key, (size_t)lvl[k] + 4, d);
		if (rc == 1)
			*depth = k;
	}
	return rc;
}

/* Whole labels `found` shares with the name's key (dsid included), at most
 * `max`; -1 if not even the dataset id. */
static int dn_common_labels(const MDB_val *found, const uint8_t *key,
			    const uint16_t *lvl, int max)
{
	int k = -1;

	while (k < max && found->mv_size >= lvl[k + 1] &&
	       memcmp(found->mv_data, key, lvl[k + 1]) == 0)
		k++;
	return k;
}

/* Does every label of the name sort after a wildcard's "*" label in its
 * place?  (Longer than one byte, or one byte above '*'.)  Then the
 * wildcard of each ancestor sorts before the name and before the wildcards
 * of longer ancestors, which dn_wild_seek relies on. */
static int dn_labels_after_star(const uint8_t *key, const uint16_t *lvl,
				unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (key[lvl[k]] == 1 && key[lvl[k] + 1] <= '*')
			return 0;
	return 1;
}

/* The closest enclosing wildcard by range searches.  `pred` is the greatest
 * key below the name's own, `d` its data.  Every key between a wildcard
 * "A *" of an ancestor A and the name starts with A, so the longest such
 * wildcard lies at most as deep as the labels `pred` shares with the name.
 * A wildcard that would sort after `pred` is not stored (nothing lies
 * between `pred` and the key searched last); one equal to it is found; only
 * one that sorts before it needs a search, whose miss gives the next
 * `pred`.  Usually one or two searches for a name of any length, where
 * probing costs one per label. */
static int dn_wild_seek(struct store_reader *rd, MDB_cursor *c,
			uint32_t dsid, const uint8_t *key, const uint16_t *lvl,
			unsigned n, MDB_val pred, int have_pred,
			unsigned *depth, MDB_val *d)
{
	struct reader_apexwild *aw = &rd->apexwild[dsid % READER_APEXWILD];
	int k = have_pred ? dn_common_labels(&pred, key, lvl, (int)n - 1) : -1;

	while (k >= 0) {
		uint8_t w[DNKEY_MAX];
		size_t wlen = (size_t)lvl[k] + 4;
		MDB_val wk = { wlen, w };
		int rc, cmp;

		memcpy(w, key, lvl[k]);
		w[lvl[k]] = 1;
		w[lvl[k] + 1] = '*';
		w[lvl[k] + 2] = 0;
		w[lvl[k] + 3] = DNK_WILD;
		cmp = store_key_cmp(pred.mv_data, pred.mv_size, w, wlen);
		if (cmp == 0) {
			*depth = (unsigned)k;
			return 1;
		}
		if (cmp < 0) {
			k = dn_common_labels(&pred, key, lvl, k - 1);
			continue;
		}
		if (k == 0 && aw->dsid == dsid && aw->state) {
			d->mv_size = sizeof(aw->ref);
			d->mv_data = aw->ref;
			*depth = 0;
			return aw->state == 2;
		}
		rc = mdb_cursor_get(c, &wk, d, MDB_SET_RANGE);
		if (rc == 0 &&
		    store_key_cmp(wk.mv_data, wk.mv_size, w, wlen) == 0) {
			if (k == 0 && d->mv_size == sizeof(aw->ref)) {
				aw->dsid = dsid;
				aw->state = 2;
				memcpy(aw->ref, d->mv_data, sizeof(aw->ref));
			}
			*depth = (unsigned)k;
			return 1;
		}
		if (rc != 0 && rc != MDB_NOTFOUND)
			return store_rc(rc);
		if (k == 0) {
			aw->dsid = dsid;
			aw->state = 1;
			return 0;
		}
		rc = mdb_cursor_get(c, &pred, d, rc == 0 ? MDB_PREV : MDB_LAST);
		if (rc == MDB_NOTFOUND)
			return 0;
		if (rc)
			return store_rc(rc);
		k = dn_common_labels(&pred, key, lvl, k - 1);
	}
	return 0;
}

int store_lookup_dn(struct store_reader *rd, uint32_t dsid,
		    const uint8_t *qname, struct store_match *m, int *below)
{
	uint8_t key[DNKEY_MAX];
	uint16_t lvl[DN_MAX_LABELS + 1], woff[DN_MAX_LABELS + 1];
	unsigned n, depth;
	int klen, rc, have_pred = 0;
	MDB_val k, d, pred = { 0, NULL };
	MDB_cursor *c;

	if (below)
		*below = 0;
	if (!rd->active)
		return STORE_EINVAL;
	klen = store_dnkey(dsid, qname, key, lvl, woff, &n);
	if (klen < 0)
		return 0;   /* not a name the store can hold: not listed */
	c = reader_cursor(rd, 2, &rc);
	if (!c)
		return rc;
	key[klen] = 0;
	key[klen + 1] = DNK_EXACT;
	/* One range search finds the name itself, or else the first key
	 * after it (is anything below the name?) and the last one before. */
	k.mv_size = (size_t)klen + 2;
	k.mv_data = key;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	if (rc && rc != MDB_NOTFOUND)
		return store_rc(rc);
	depth = n;
	if (rc == 0 && k.mv_size == (size_t)klen + 2 &&
	    memcmp(k.mv_data, key, k.mv_size) == 0) {
		rc = 1;
		if (below && d.mv_size == 4 && be32_get(d.mv_data) == REF_EXCLUDED)
			*below = store_name_has_below(rd, dsid, qname) == 1;
	} else {
		if (below && rc == 0 && k.mv_size > (size_t)klen &&
		    memcmp(k.mv_data, key, klen) == 0)
			*below = ((const uint8_t *)k.mv_data)[klen] != 0 ||
				 store_name_has_below(rd, dsid, qname) == 1;
		rc = mdb_cursor_get(c, &pred, &d, rc == 0 ? MDB_PREV : MDB_LAST);
		if (rc && rc != MDB_NOTFOUND)
			return store_rc(rc);
		have_pred = rc == 0;
		/* Then the closest enclosing wildcard, strict ancestors only. */
		rc = dn_labels_after_star(key, lvl, n)
			? dn_wild_seek(rd, c, dsid, key, lvl, n, pred,
				       have_pred, &depth, &d)
			: dn_wild_probe(rd, key, lvl, n, &depth, &d);
	}
	if (rc <= 0)
		return rc;
	if (d.mv_size != 4)
		return STORE_EINVAL;
	if (be32_get(d.mv_data) == REF_EXCLUDED)
		return 0;
	read_copy_lower(qname + woff[depth], m->entry);
	return read_match_fill(rd, be32_get(d.mv_data), m);
}

int store_name_has_below(struct store_reader *rd, uint32_t dsid,
			 const uint8_t *qname)
{
	uint8_t key[DNKEY_MAX];
	MDB_val k, d;
	MDB_cursor *c;
	int klen, rc;

	if (!rd->active)
		return STORE_EINVAL;
	klen = store_dnkey(dsid, qname, key, NULL, NULL, NULL);
	if (klen < 0)
		return 0;
	c = reader_cursor(rd, 2, &rc);
	if (!c)
		return rc;
	/* Below = the key continues with another label (length byte >= 1). */
	key[klen] = 1;
	k.mv_size = (size_t)klen + 1;
	k.mv_data = key;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return store_rc(rc);
	return k.mv_size > (size_t)klen && memcmp(k.mv_data, key, klen) == 0 &&
	       ((const uint8_t *)k.mv_data)[klen] != 0;
}

int store_lookup_generic(struct store_reader *rd, uint32_t dsid,
			 const uint8_t *qname, struct store_rrset *it)
{
	uint8_t key[DNKEY_MAX];
	MDB_val d;
	int klen, rc;

	it->pos = it->end = NULL;
	if (!rd->active)
		return STORE_EINVAL;
	klen = store_dnkey(dsid, qname, key, NULL, NULL, NULL);
	if (klen < 0)
		return 0;
	key[klen] = 0;
	key[klen + 1] = DNK_RRS;
	rc = read_dn_get(rd, key, (size_t)klen + 2, &d);
	if (rc <= 0)
		return rc;
	it->pos = d.mv_data;
	it->end = it->pos + d.mv_size;
	return 1;
}

int store_rrset_next(struct store_rrset *it, struct store_rr *rr)
{
	uint16_t rdlen;

	if (!it->pos || it->end - it->pos < 9)
		return 0;
	rdlen = (uint16_t)(it->pos[7] << 8 | it->pos[8]);
	if ((size_t)(it->end - it->pos) < 9u + rdlen) {
		it->pos = it->end;   /* corrupt tail: stop */
		return 0;
	}
	rr->type = (uint16_t)(it->pos[0] << 8 | it->pos[1]);
	rr->ttl = be32_get(it->pos + 2);
	rr->rel_target = it->pos[6];
	rr->rdlen = rdlen;
	rr->rdata = it->pos + 9;
	it->pos += 9u + rdlen;
	return 1;
}

/* ---- metadata ----------------------------------------------------------- */

static int read_meta(struct store_reader *rd, uint32_t dsid, int depth,
		     struct store_dsmeta **out)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	uint32_t *cids = NULL;
	int rc;

	be32_put(kb, dsid);
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_META], &k, &d);
	if (rc)
		return store_rc(rc);
	rc = store_meta_decode(d.mv_data, d.mv_size, dsid, out, &cids);
	if (rc)
		return rc;
	for (size_t i = 0; i < (*out)->nchildren; i++) {
		rc = depth > 0 ? STORE_EINVAL :
			read_meta(rd, cids[i], depth + 1, &(*out)->children[i].meta);
		if (rc) {
			store_dsmeta_free(*out);
			*out = NULL;
			break;
		}
	}
	free(cids);
	return rc;
}

int store_dataset_meta(struct store_reader *rd, const char *name,
		       struct store_dsmeta **out)
{
	MDB_val k = { strlen(name), (void *)name }, d;
	int rc;

	*out = NULL;
	if (!rd->active)
		return STORE_EINVAL;
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_NAMES], &k, &d);
	if (rc)
		return store_rc(rc);
	if (d.mv_size != 5)
		return STORE_EINVAL;
	return read_meta(rd, be32_get(d.mv_data), 0, out);
}

int store_dataset_names(struct store_reader *rd, char ***names, size_t *count)
{
	MDB_cursor *c;
	MDB_val k, d;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*names = NULL;
	*count = 0;
	if (!rd->active)
		return STORE_EINVAL;
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_NAMES], &c);
	if (rc)
		return store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		char *s;

		if (d.mv_size == 5 && (((uint8_t *)d.mv_data)[4] & NAME_HIDDEN))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 8) * sizeof(*v));

			if (!nv) {
				rc = STORE_ENOMEM;
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 8;
		}
		s = malloc(k.mv_size + 1);
		if (!s) {
			rc = STORE_ENOMEM;
			break;
		}
		memcpy(s, k.mv_data, k.mv_size);
		s[k.mv_size] = '\0';
		v[n++] = s;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND) {
		while (n)
			free(v[--n]);
		free(v);
		return store_rc(rc);
	}
	*names = v;
	*count = n;
	return STORE_OK;
}
