/* store_view.c -- a dataset's records as stored, looked up at any place
 * (store_view.h).
 */
#include "store_view.h"

#include <string.h>

int store_view_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid, size_t rsz,
		    struct store_view *v)
{
	MDB_val k = { 4, v->kb }, d;
	int rc;

	memset(v, 0, sizeof(*v));
	v->rsz = rsz;
	v->base_end = 1;
	be32_put(v->kb, dsid);
	rc = store_overlay_read(txn, dbi, dsid, rsz, &v->ovl);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &v->c);
	if (rc == 0)
		rc = mdb_cursor_get(v->c, &k, &d, MDB_SET_KEY);
	if (rc == MDB_NOTFOUND)
		return 0;   /* no base */
	if (rc == 0)
		rc = mdb_cursor_count(v->c, &v->nbase);
	return rc;
}

void store_view_close(struct store_view *v)
{
	if (v->c)
		mdb_cursor_close(v->c);
	store_overlay_free(&v->ovl);
	memset(v, 0, sizeof(*v));
}

/* Records compared as bytes, the first eight as one number: lookups
 * compare a lot, and a call to memcmp per compare was most of their
 * time.  Records here are longer than eight bytes. */
static int rec_cmp(const uint8_t *a, const uint8_t *b, size_t rsz)
{
	uint64_t x = be64_get(a), y = be64_get(b);

	if (x != y)
		return x < y ? -1 : 1;
	return memcmp(a + 8, b + 8, rsz - 8);
}

/* The first of the records [lo, hi) at `a` not below `key`. */
static size_t lower_bound(const uint8_t *a, size_t lo, size_t hi, size_t rsz,
			  const uint8_t *key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rec_cmp(a + mid * rsz, key, rsz) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* lower_bound of all `n`, looked for from `from` on, in steps that
 * double: the lookups of an update mostly move forward a little. */
static size_t bound_from(const uint8_t *a, size_t n, size_t rsz,
			 const uint8_t *key, size_t from)
{
	size_t lo = from, step = 1;

	if (from > n || (from && rec_cmp(a + (from - 1) * rsz, key, rsz) >= 0))
		return lower_bound(a, 0, from > n ? n : from, rsz, key);
	while (lo < n && rec_cmp(a + lo * rsz, key, rsz) < 0) {
		size_t next = lo + step;

		if (next >= n || rec_cmp(a + next * rsz, key, rsz) >= 0)
			return lower_bound(a, lo + 1, next < n ? next : n, rsz, key);
		lo = next;
		step *= 2;
	}
	return lo;
}

/* Takes the leaf page the cursor is on (MDB_GET_MULTIPLE gives all of
 * it and leaves the cursor on its last record) or the next one.  `d` is
 * the record the cursor is on: a key of one record has no page of
 * duplicates, and MDB_GET_MULTIPLE leaves d as it is. */
static int view_page(struct store_view *v, MDB_cursor_op op, MDB_val d)
{
	MDB_val k = { 4, v->kb };
	int rc = mdb_cursor_get(v->c, &k, &d, op);

	v->pi = 0;
	if (rc == MDB_NOTFOUND) {
		v->base_end = 1;
		v->npage = 0;
		return 0;
	}
	if (rc)
		return rc;
	if (d.mv_size % v->rsz || !d.mv_size)
		return STORE_EINVAL;
	v->page = d.mv_data;
	v->npage = d.mv_size / v->rsz;
	v->base_end = 0;
	return 0;
}

static int base_advance(struct store_view *v)
{
	if (++v->pi < v->npage)
		return 0;
	return view_page(v, MDB_NEXT_MULTIPLE, (MDB_val){ 0, NULL });
}

/* The current record: the base's (past those taken away) or the
 * overlay's added one, whichever is lower. */
static int view_current(struct store_view *v, const uint8_t **rec)
{
	const struct store_overlay *o = &v->ovl;
	size_t rsz = v->rsz;
	const uint8_t *b, *a;
	int rc = 0;

	for (;;) {
		int c = -1;

		b = v->base_end ? NULL : v->page + v->pi * rsz;
		while (b && v->di < o->ndel &&
		       (c = rec_cmp(o->del.p + v->di * rsz, b, rsz)) < 0)
			v->di++;
		if (!b || v->di == o->ndel || c != 0)
			break;
		v->di++;   /* taken away */
		rc = base_advance(v);
		if (rc)
			return rc;
	}
	a = v->ai < o->nadd ? o->add.p + v->ai * rsz : NULL;
	*rec = a && (!b || rec_cmp(a, b, rsz) < 0) ? a : b;
	return 0;
}

/* How many leaf pages a lookup ahead of the last page read walks on
 * before it seeks: the next page is a step, a seek a descent. */
#define VIEW_HOPS 2

/* Places the base on its first record not below key. */
static int base_seek(struct store_view *v, const uint8_t *key)
{
	size_t rsz = v->rsz;
	MDB_val k = { 4, v->kb }, d = { rsz, (void *)key };
	int rc;

	if (!v->c || !v->nbase)
		return 0;
	if (v->npage && rec_cmp(key, v->page, rsz) >= 0) {
		for (int hop = 0;; hop++) {
			if (rec_cmp(key, v->page + (v->npage - 1) * rsz,
				    rsz) <= 0) {
				v->pi = lower_bound(v->page, 0, v->npage, rsz,
						    key);
				v->base_end = 0;
				return 0;
			}
			if (hop == VIEW_HOPS)
				break;
			rc = view_page(v, MDB_NEXT_MULTIPLE,
				       (MDB_val){ 0, NULL });
			if (rc || v->base_end)
				return rc;   /* past the last */
		}
	}
	rc = mdb_cursor_get(v->c, &k, &d, MDB_GET_BOTH_RANGE);
	if (rc == MDB_NOTFOUND) {
		v->base_end = 1;
		v->npage = 0;
		return 0;
	}
	if (rc == 0)
		rc = view_page(v, MDB_GET_MULTIPLE, d);
	if (rc == 0 && !v->base_end)
		v->pi = lower_bound(v->page, 0, v->npage, rsz, key);
	return rc;
}

int store_view_seek(struct store_view *v, const uint8_t *key,
		    const uint8_t **rec)
{
	const struct store_overlay *o = &v->ovl;
	int rc = base_seek(v, key);

	if (rc)
		return rc;
	v->ai = bound_from(o->add.p, o->nadd, v->rsz, key, v->ai);
	v->di = bound_from(o->del.p, o->ndel, v->rsz, key, v->di);
	return view_current(v, rec);
}

int store_view_next(struct store_view *v, const uint8_t **rec)
{
	const struct store_overlay *o = &v->ovl;
	const uint8_t *cur;
	int rc = view_current(v, &cur);

	if (rc || !cur)
		return rc ? rc : (*rec = NULL, 0);
	if (v->ai < o->nadd && cur == o->add.p + v->ai * v->rsz)
		v->ai++;
	else
		rc = base_advance(v);
	return rc ? rc : view_current(v, rec);
}
