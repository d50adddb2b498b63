/* store_delta.c -- an ip4set's IPv4 source records changed by the lines
 * of a feed that changed, rather than made again from every line.
 *
 * An update of a big ip4set that parsed only its changed lines
 * (lib/dsdelta.c) knows the entries taken away and the entries added.  A
 * stored source record holds one prefix's answer, so only the prefixes
 * those entries touch can change: each is looked up in the stored records
 * (store_view.h) and its answer made again.  A prefix's answer depends
 * on all of its entries, so a prefix that several entries give is noted
 * with them (struct ds_ip4_multi: one row per distinct value and its
 * count, made by every load); one entry is its stored record itself.  An
 * answer of several values is ordered by value (store_multi_ref), which
 * the lines' order cannot change, so it is made from the rows alone, by a
 * full load and an update alike.  What the update does not fit -- an
 * entry taken away that is not there, a noted prefix whose stored answer
 * is another -- is STORE_EDELTA, and the caller parses the whole feed.
 * The records that change are the update's whole change of the source
 * table; store_delta_map.c follows it into the interval map, and
 * store_diff_plan_change writes both (store_write.c).
 */
#include "store_diff.h"
#include "store_overlay.h"
#include "store_view.h"

#include <stdlib.h>
#include <string.h>

/* Records compared by prefix (address and plen), not by answer. */
static int prefix_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 5);
}

/* The smallest prefix of the next changes into key; 0 when all are
 * done. */
static int next_key(const struct store_src4_change *ch, size_t di, size_t ai,
		    uint8_t key[5])
{
	const uint8_t *best = NULL;

	if (di < ch->ndel)
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

/* The stored record of prefix `key` (NULL if none) from the view. */
static int stored_at(struct store_view *v, const uint8_t *key,
		     const uint8_t **rec)
{
	uint8_t k[SRC4_REC] = { 0 };
	int rc;

	memcpy(k, key, 5);
	rc = store_view_seek(v, k, rec);
	if (rc == 0 && *rec && prefix_cmp(*rec, key) != 0)
		*rec = NULL;
	return rc;
}

/* Copies the noted rows of the prefixes below `key` (untouched: as they
 * are) to mw. */
static void multi_copy_below(const struct store_src4_change *ch, size_t *mi,
			     const uint8_t *key, struct blob_writer *mw)
{
	uint8_t mkey[5];

	while (*mi < ch->nmulti) {
		multi_key(&ch->multi[*mi], mkey);
		if (key && prefix_cmp(mkey, key) >= 0)
			break;
		blob_put(mw, &ch->multi[(*mi)++], sizeof(ch->multi[0]));
	}
}

int store_src4_delta(MDB_txn *txn, const struct store *st, struct store_view *v,
		     struct store_src4_change *ch)
{
	struct blob_writer gw = { 0 }, cw = { 0 }, mw = { 0 };
	struct rows rows = { NULL, 0, 0 };
	uint8_t key[5];
	size_t di = 0, ai = 0, mi = 0;
	int rc = 0;

	ch->gone = ch->came = NULL;
	ch->ngone = ch->ncame = 0;
	ch->multi_out = NULL;
	ch->nmulti_out = 0;
	while (rc == 0 && next_key(ch, di, ai, key)) {
		const uint8_t *here;
		uint32_t ref = 0;

		multi_copy_below(ch, &mi, key, &mw);
		rc = stored_at(v, key, &here);
		if (rc == 0)
			rc = rows_stored(txn, st, ch, &mi, key, here, &rows);
		if (rc == 0)
			rc = rows_change(ch, key, &di, &ai, &rows);
		for (size_t i = 0; i < rows.n; i++) {
			rows.v[i].addr = be32_get(key);
			rows.v[i].plen = key[4];
		}
		if (rc == 0)
			rc = store_multi_ref(txn, st, rows.v, rows.n, 1, &ref);
		if (rc < 0)
			break;
		/* rc: 1 if the prefix stays, with its answer ref. */
		if (!here || !rc || be32_get(here + 5) != ref) {
			uint8_t rec[SRC4_REC];

			if (here)
				blob_put(&gw, here, SRC4_REC);
			if (rc) {
				memcpy(rec, key, 5);
				be32_put(rec + 5, ref);
				blob_put(&cw, rec, SRC4_REC);
			}
		}
		rc = 0;
		if (rows.n > 1 || (rows.n && rows.v[0].count > 1))
			blob_put(&mw, rows.v, rows.n * sizeof(*rows.v));
	}
	if (rc == 0)
		multi_copy_below(ch, &mi, NULL, &mw);
	if (rc == 0 && (gw.oom || cw.oom || mw.oom))
		rc = STORE_ENOMEM;
	free(rows.v);
	if (rc) {
		free(gw.p);
		free(cw.p);
		free(mw.p);
		return rc;
	}
	ch->gone = gw.p;
	ch->ngone = gw.len / SRC4_REC;
	ch->came = cw.p;
	ch->ncame = cw.len / SRC4_REC;
	ch->multi_out = (struct ds_ip4_multi *)(void *)mw.p;
	ch->nmulti_out = mw.len / sizeof(struct ds_ip4_multi);
	return 0;
}

int store_src4_delta_records(MDB_txn *txn, const struct store *st,
			     uint32_t dsid, const struct store_src4_change *ch,
			     uint8_t **out, size_t *nout)
{
	struct store_ovl_iter it;
	struct blob_writer w = { 0 };
	const uint8_t *r;
	size_t gi = 0, ci = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	rc = store_ovl_iter_open(txn, st->dbi[SDB_SRC4], dsid, SRC4_REC, &it);
	while (rc == 0 && (rc = store_ovl_iter_next(&it, &r)) == 0) {
		while (ci < ch->ncame &&
		       (!r || memcmp(ch->came + ci * SRC4_REC, r, SRC4_REC) < 0))
			blob_put(&w, ch->came + ci++ * SRC4_REC, SRC4_REC);
		if (!r)
			break;
		if (gi < ch->ngone &&
		    memcmp(ch->gone + gi * SRC4_REC, r, SRC4_REC) == 0)
			gi++;   /* taken away */
		else
			blob_put(&w, r, SRC4_REC);
	}
	store_ovl_iter_close(&it);
	if (rc == 0 && (w.oom || gi != ch->ngone))
		rc = w.oom ? STORE_ENOMEM : STORE_EDELTA;
	if (rc) {
		free(w.p);
		return rc;
	}
	*out = w.p;
	*nout = w.len / SRC4_REC;
	return 0;
}
