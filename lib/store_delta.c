/* store_delta.c -- an ip4set's IPv4 source records changed by the lines
 * of a feed that changed, rather than made again from every line.
 *
 * An update of a big ip4set that parsed only its changed lines
 * (lib/dsdelta.c) knows the entries taken away and the entries added.  A
 * stored source record holds one prefix's answer, so the new records are
 * the stored ones (base and overlay merged) with each touched prefix's
 * answer made again, in one pass that copies the untouched runs whole.
 * A prefix's answer depends on all of its entries, so a prefix that
 * several entries give is noted with them (struct ds_ip4_multi: one row
 * per distinct value and its count, made by every load); one entry is
 * its stored record itself.  An answer of several values is ordered by
 * value (store_multi_ref), which the lines' order cannot change, so it is
 * made from the rows alone, by a full load and an update alike.  What the
 * update does not fit -- an entry taken away that is not there, a noted
 * prefix whose stored answer is another -- is STORE_EDELTA, and the
 * caller parses the whole feed.  The rest of the write -- the plans, the
 * interval map, the overlay -- is a full load's (store_write.c), fed
 * with these records.
 */
#include "store_diff.h"
#include "store_overlay.h"

#include <stdlib.h>
#include <string.h>

/* Records compared by prefix (address and plen), not by answer. */
static int prefix_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 5);
}

/* The stored records in order: the base minus the overlay's taken-away
 * records plus its added ones. */
struct stored_iter {
	struct store_rec_source base;
	struct store_dups_source *ds;
	uint8_t buf[256 * SRC4_REC];
	size_t n, i;
	int end;
	struct store_overlay ovl;
	size_t ai, di;
};

static int stored_base_peek(struct stored_iter *it, const uint8_t **rec)
{
	int rc = 0;

	while (it->i == it->n && !it->end) {
		rc = it->base.read(it->base.arg, it->buf, 256, &it->n);
		it->i = 0;
		if (rc)
			return rc;
		if (!it->n)
			it->end = 1;
	}
	*rec = it->end ? NULL : it->buf + it->i * SRC4_REC;
	return 0;
}

/* *rec gets the next stored record (NULL at the end). */
static int stored_next(struct stored_iter *it, const uint8_t **rec)
{
	const uint8_t *add = it->ai < it->ovl.nadd ?
			     it->ovl.add.p + it->ai * SRC4_REC : NULL;
	const uint8_t *b;
	int rc;

	for (;;) {
		rc = stored_base_peek(it, &b);
		if (rc)
			return rc;
		if (b && it->di < it->ovl.ndel &&
		    memcmp(b, it->ovl.del.p + it->di * SRC4_REC, SRC4_REC) == 0) {
			it->i++;
			it->di++;
			continue;   /* taken away */
		}
		break;
	}
	if (add && (!b || memcmp(add, b, SRC4_REC) < 0)) {
		it->ai++;
		*rec = add;
	} else {
		if (b)
			it->i++;
		*rec = b;
	}
	return 0;
}

/* Copies the base records below `limit` (a prefix) straight to `out`:
 * none of them is touched by the overlay or the update, which the
 * caller's limit says.  Most of a big dataset goes this way. */
static int stored_copy_below(struct stored_iter *it, const uint8_t *limit,
			     struct blob_writer *out)
{
	const uint8_t *b;
	int rc;

	while ((rc = stored_base_peek(it, &b)) == 0 && b) {
		size_t k = 0, left = it->n - it->i;

		while (k < left && prefix_cmp(b + k * SRC4_REC, limit) < 0)
			k++;
		blob_put(out, b, k * SRC4_REC);
		if (out->oom)
			return STORE_ENOMEM;
		it->i += k;
		if (k < left)
			break;
	}
	return rc;
}

/* The lowest of the prefixes at which the slow path must look again. */
static void limit_min(uint8_t limit[5], const uint8_t *key)
{
	if (key && prefix_cmp(key, limit) < 0)
		memcpy(limit, key, 5);
}

static int out_put(struct blob_writer *out, const uint8_t *key, uint32_t ref)
{
	uint8_t rec[SRC4_REC];

	memcpy(rec, key, 5);
	be32_put(rec + 5, ref);
	blob_put(out, rec, SRC4_REC);
	return out->oom ? STORE_ENOMEM : 0;
}

/* The smallest prefix of the next stored record and the next changes
 * into key; 0 when all are done. */
static int next_key(const uint8_t *r, const struct store_src4_change *ch,
		    size_t di, size_t ai, uint8_t key[5])
{
	const uint8_t *best = r;

	if (di < ch->ndel && (!best || prefix_cmp(ch->del + di * SRC4_REC,
						  best) < 0))
		best = ch->del + di * SRC4_REC;
	if (ai < ch->nadd && (!best || prefix_cmp(ch->add + ai * SRC4_REC,
						  best) < 0))
		best = ch->add + ai * SRC4_REC;
	if (best)
		memcpy(key, best, 5);
	return best != NULL;
}

/* ---- the answer of a prefix that several entries give ------------------ */

struct ref_rec {
	uint32_t ref;
	MDB_val rec;
};

static int ref_rec_cmp(const void *a, const void *b)
{
	const MDB_val *x = &((const struct ref_rec *)a)->rec;
	const MDB_val *y = &((const struct ref_rec *)b)->rec;

	return store_key_cmp(x->mv_data, x->mv_size, y->mv_data, y->mv_size);
}

int store_multi_ref(MDB_txn *txn, const struct store *st,
		    const struct ds_ip4_multi *rows, size_t n, int intern,
		    uint32_t *ref)
{
	struct ref_rec *v;
	uint32_t ids[STORE_MAX_MATCH];
	uint8_t rec[VALREC_MAX];
	size_t k = 0, len;
	int rc = 0;

	*ref = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].count && !rows[i].ref) {
			*ref = REF_EXCLUDED;
			return 1;
		}
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return STORE_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (rows[i].count)
			v[k++].ref = rows[i].ref;
	if (k <= 1) {
		*ref = k ? v[0].ref : 0;
		free(v);
		return k;
	}
	/* Ordered by the values themselves, which the lines' order cannot
	 * change. */
	for (size_t i = 0; rc == 0 && i < k; i++) {
		uint8_t kb[4];
		MDB_val key = { 4, kb };

		be32_put(kb, v[i].ref);
		rc = mdb_get(txn, st->dbi[SDB_VALUES], &key, &v[i].rec);
	}
	if (rc == 0) {
		qsort(v, k, sizeof(*v), ref_rec_cmp);
		if (k > STORE_MAX_MATCH)
			k = STORE_MAX_MATCH;
		for (size_t i = 0; i < k; i++)
			ids[i] = v[i].ref;
		len = store_set_encode(ids, k, rec);
		if (intern) {
			rc = store_value_intern(txn, st, rec, len, ref);
		} else {
			MDB_val key = { len, rec }, d;

			rc = mdb_get(txn, st->dbi[SDB_VINDEX], &key, &d);
			if (rc == 0 && d.mv_size == 4)
				*ref = be32_get(d.mv_data);
			else if (rc == 0 || rc == MDB_NOTFOUND)
				rc = STORE_EDELTA;
		}
	}
	free(v);
	return rc ? rc : 1;
}

/* ---- an update's records -------------------------------------------------- */

/* One prefix's rows (struct ds_ip4_multi) while an update changes them. */
struct rows {
	struct ds_ip4_multi *v;
	size_t n, cap;
};

static struct ds_ip4_multi *rows_find(struct rows *r, uint32_t ref, int add)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].ref == ref)
			return &r->v[i];
	if (!add)
		return NULL;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		struct ds_ip4_multi *p = realloc(r->v, ncap * sizeof(*p));

		if (!p)
			return NULL;
		r->v = p;
		r->cap = ncap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->v[r->n].ref = ref;
	return &r->v[r->n++];
}

static int row_cmp(const void *a, const void *b)
{
	const struct ds_ip4_multi *x = a, *y = b;

	return (x->ref > y->ref) - (x->ref < y->ref);
}

/* Applies the taken-away and added entries at `key` to its rows; drops
 * the rows left empty.  STORE_EDELTA for an entry taken away that it
 * does not have. */
static int rows_change(const struct store_src4_change *ch, const uint8_t *key,
		       size_t *di, size_t *ai, struct rows *r)
{
	size_t k = 0;

	for (; *di < ch->ndel && prefix_cmp(ch->del + *di * SRC4_REC, key) == 0;
	     (*di)++) {
		struct ds_ip4_multi *m =
			rows_find(r, be32_get(ch->del + *di * SRC4_REC + 5), 0);

		if (!m || !m->count)
			return STORE_EDELTA;   /* taken away, yet not there */
		m->count--;
	}
	for (; *ai < ch->nadd && prefix_cmp(ch->add + *ai * SRC4_REC, key) == 0;
	     (*ai)++) {
		struct ds_ip4_multi *m =
			rows_find(r, be32_get(ch->add + *ai * SRC4_REC + 5), 1);

		if (!m)
			return STORE_ENOMEM;
		m->count++;
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].count)
			r->v[k++] = r->v[i];
	r->n = k;
	qsort(r->v, r->n, sizeof(*r->v), row_cmp);
	return 0;
}

static void multi_key(const struct ds_ip4_multi *m, uint8_t key[5])
{
	be32_put(key, m->addr);
	key[4] = m->plen;
}

/* The rows of a touched prefix as stored: the noted ones (checked against
 * the stored answer), else the one entry the stored record is. */
static int rows_stored(MDB_txn *txn, const struct store *st,
		       const struct store_src4_change *ch, size_t *mi,
		       const uint8_t *key, const uint8_t *r, struct rows *rows)
{
	uint8_t mkey[5];
	size_t from = *mi;
	uint32_t ref;
	int rc;

	rows->n = 0;
	while (*mi < ch->nmulti) {
		multi_key(&ch->multi[*mi], mkey);
		if (prefix_cmp(mkey, key) != 0)
			break;
		if (!rows_find(rows, ch->multi[*mi].ref, 1))
			return STORE_ENOMEM;
		rows->v[rows->n - 1] = ch->multi[(*mi)++];
	}
	if (*mi > from) {
		rc = store_multi_ref(txn, st, rows->v, rows->n, 0, &ref);
		if (rc < 0)
			return rc;
		return r && be32_get(r + 5) == ref ? 0 : STORE_EDELTA;
	}
	if (!r)
		return 0;
	ref = be32_get(r + 5);
	if (ref & REF_SET)
		return STORE_EDELTA;   /* several values, yet not noted */
	if (!rows_find(rows, ref, 1))
		return STORE_ENOMEM;
	rows->v[0].count = 1;
	return 0;
}

int store_src4_delta(MDB_txn *txn, const struct store *st, uint32_t dsid,
		     struct store_src4_change *ch)
{
	struct stored_iter it;
	struct blob_writer w = { 0 }, mw = { 0 };
	struct rows rows = { NULL, 0, 0 };
	const uint8_t *r = NULL;
	uint8_t key[5], mkey[5];
	size_t di = 0, ai = 0, mi = 0;
	int rc;

	ch->out = NULL;
	ch->nout = 0;
	ch->multi_out = NULL;
	ch->nmulti_out = 0;
	memset(&it, 0, sizeof(it));
	rc = store_overlay_read(txn, st->dbi[SDB_SRC4], dsid, SRC4_REC, &it.ovl);
	if (rc == 0)
		rc = store_dups_source_open(txn, st->dbi[SDB_SRC4], dsid, SRC4_REC,
					    &it.ds, &it.base);
	if (rc == 0)
		rc = stored_next(&it, &r);
	while (rc == 0 && next_key(r, ch, di, ai, key)) {
		const uint8_t *here = r && prefix_cmp(r, key) == 0 ? r : NULL;
		int touched = (di < ch->ndel &&
			       prefix_cmp(ch->del + di * SRC4_REC, key) == 0) ||
			      (ai < ch->nadd &&
			       prefix_cmp(ch->add + ai * SRC4_REC, key) == 0);
		uint32_t ref;

		if (mi < ch->nmulti) {
			multi_key(&ch->multi[mi], mkey);
			if (prefix_cmp(mkey, key) < 0) {
				rc = STORE_EDELTA;   /* noted, yet not stored */
				break;
			}
		}
		if (!touched) {
			/* As it is: its noted rows too. */
			while (mi < ch->nmulti &&
			       (multi_key(&ch->multi[mi], mkey),
				prefix_cmp(mkey, key) == 0))
				blob_put(&mw, &ch->multi[mi++],
					 sizeof(ch->multi[0]));
			rc = out_put(&w, key, be32_get(r + 5));
			if (rc == 0) {
				uint8_t limit[5];

				memset(limit, 0xff, sizeof(limit));
				limit_min(limit, di < ch->ndel ?
					  ch->del + di * SRC4_REC : NULL);
				limit_min(limit, ai < ch->nadd ?
					  ch->add + ai * SRC4_REC : NULL);
				limit_min(limit, it.ai < it.ovl.nadd ?
					  it.ovl.add.p + it.ai * SRC4_REC : NULL);
				limit_min(limit, it.di < it.ovl.ndel ?
					  it.ovl.del.p + it.di * SRC4_REC : NULL);
				if (mi < ch->nmulti) {
					multi_key(&ch->multi[mi], mkey);
					limit_min(limit, mkey);
				}
				rc = stored_copy_below(&it, limit, &w);
			}
			if (rc == 0)
				rc = stored_next(&it, &r);
			continue;
		}
		rc = rows_stored(txn, st, ch, &mi, key, here, &rows);
		if (rc == 0)
			rc = rows_change(ch, key, &di, &ai, &rows);
		for (size_t i = 0; i < rows.n; i++) {
			rows.v[i].addr = be32_get(key);
			rows.v[i].plen = key[4];
		}
		if (rc == 0)
			rc = store_multi_ref(txn, st, rows.v, rows.n, 1, &ref);
		if (rc > 0)
			rc = out_put(&w, key, ref);
		if (rc == 0 && (rows.n > 1 || (rows.n && rows.v[0].count > 1)))
			blob_put(&mw, rows.v, rows.n * sizeof(*rows.v));
		if (rc == 0 && mw.oom)
			rc = STORE_ENOMEM;
		if (rc == 0 && here)
			rc = stored_next(&it, &r);
	}
	if (rc == 0 && mi < ch->nmulti)
		rc = STORE_EDELTA;
	if (rc == 0 && mw.oom)
		rc = STORE_ENOMEM;
	free(rows.v);
	store_dups_source_close(it.ds);
	store_overlay_free(&it.ovl);
	if (rc) {
		free(w.p);
		free(mw.p);
		return rc;
	}
	ch->out = w.p;
	ch->nout = w.len / SRC4_REC;
	ch->multi_out = (struct ds_ip4_multi *)(void *)mw.p;
	ch->nmulti_out = mw.len / sizeof(struct ds_ip4_multi);
	return 0;
}
