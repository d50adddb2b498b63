/* store_overlay.c -- a small change kept beside a big dataset's records
 * (store_overlay.h has the model; store_diff.c decides when to write one,
 * store_read.c answers from one).
 */
#include "store_overlay.h"

#include "store_diff.h"

#include <stdlib.h>
#include <string.h>

#define OVERLAY_MIN_DEFAULT 65536
/* Past base / 16, lookups and the next load pay for the overlay. */
#define OVERLAY_FOLD_DIVISOR 16

static const enum store_db ovl_tables[] = { SDB_SRC4, SDB_SRC6, SDB_IP4,
					    SDB_IP6 };

size_t store_overlay_min(void)
{
	const char *s = getenv("DNSBLD_OVERLAY_MIN");
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return OVERLAY_MIN_DEFAULT;
	v = strtoull(s, &end, 10);
	return *end ? OVERLAY_MIN_DEFAULT : (size_t)v;
}

int store_dups_read(MDB_txn *txn, MDB_dbi dbi, uint32_t key, size_t rsz,
		    struct blob_writer *out, size_t *n)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	int rc;

	*n = 0;
	be32_put(kb, key);
	rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rc;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
	while (rc == 0) {
		if (d.mv_size % rsz) {
			rc = STORE_EINVAL;
			break;
		}
		blob_put(out, d.mv_data, d.mv_size);
		if (out->oom) {
			rc = STORE_ENOMEM;
			break;
		}
		*n += d.mv_size / rsz;
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_MULTIPLE);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int store_dups_replace(MDB_txn *txn, MDB_dbi dbi, uint32_t key,
		       const uint8_t *recs, size_t n, size_t rsz)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb };
	MDB_cursor *c;
	int rc;

	be32_put(kb, key);
	rc = mdb_del(txn, dbi, &k, NULL);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc || n == 0)
		return rc;
	rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rc;
	rc = store_append_fixed(c, &k, recs, n, rsz);
	mdb_cursor_close(c);
	return rc;
}

int store_overlay_read(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid, size_t rsz,
		       struct store_overlay *o)
{
	int rc = store_dups_read(txn, dbi, dsid | OVL_ADD, rsz, &o->add,
				 &o->nadd);

	return rc ? rc : store_dups_read(txn, dbi, dsid | OVL_DEL, rsz,
					 &o->del, &o->ndel);
}

int store_overlay_clear(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			const struct store_overlay *o)
{
	int rc = 0;

	if (o->nadd)
		rc = store_dups_replace(txn, dbi, dsid | OVL_ADD, NULL, 0, 0);
	if (rc == 0 && o->ndel)
		rc = store_dups_replace(txn, dbi, dsid | OVL_DEL, NULL, 0, 0);
	return rc;
}

void store_overlay_free(struct store_overlay *o)
{
	free(o->add.p);
	free(o->del.p);
	memset(o, 0, sizeof(*o));
}

/* store_overlay_fold for one table. */
static int ovl_fold_table(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid, size_t rsz)
{
	struct store_overlay o = { { 0 }, { 0 }, 0, 0 };
	uint8_t kb[4];
	MDB_val k = { 4, kb };
	int rc = store_overlay_read(txn, dbi, dsid, rsz, &o);

	be32_put(kb, dsid);
	for (size_t i = 0; rc == 0 && i < o.ndel; i++) {
		MDB_val d = { rsz, o.del.p + i * rsz };

		rc = mdb_del(txn, dbi, &k, &d);
	}
	for (size_t i = 0; rc == 0 && i < o.nadd; i++) {
		MDB_val d = { rsz, o.add.p + i * rsz };

		rc = mdb_put(txn, dbi, &k, &d, MDB_NODUPDATA);
	}
	if (rc == 0)
		rc = store_overlay_clear(txn, dbi, dsid, &o);
	store_overlay_free(&o);
	return rc;
}

static size_t ovl_rec_size(enum store_db t)
{
	return t == SDB_SRC4 ? SRC4_REC : t == SDB_SRC6 ? SRC6_REC :
	       t == SDB_IP4 ? IP4_REC : IP6_REC;
}

int store_overlay_fold(MDB_txn *txn, const struct store *st, uint32_t dsid)
{
	int rc = 0;

	for (size_t t = 0; rc == 0 && t < 4; t++)
		rc = ovl_fold_table(txn, st->dbi[ovl_tables[t]], dsid,
				    ovl_rec_size(ovl_tables[t]));
	return rc;
}

/* Duplicates of `key` (0 if none). */
static size_t ovl_count(MDB_cursor *c, uint32_t key)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	size_t n = 0;

	be32_put(kb, key);
	if (mdb_cursor_get(c, &k, &d, MDB_SET) != 0 ||
	    mdb_cursor_count(c, &n) != 0)
		return 0;
	return n;
}

int store_overlay_due(MDB_txn *txn, const struct store *st, uint32_t dsid)
{
	int due = 0;

	for (size_t t = 0; !due && t < 4; t++) {
		MDB_cursor *c;
		size_t base, change;

		if (mdb_cursor_open(txn, st->dbi[ovl_tables[t]], &c) != 0)
			return 0;   /* a fold is an optimisation: skip it */
		change = ovl_count(c, dsid | OVL_ADD) + ovl_count(c, dsid | OVL_DEL);
		base = ovl_count(c, dsid);
		due = change > base / OVERLAY_FOLD_DIVISOR;
		mdb_cursor_close(c);
	}
	return due;
}

int store_overlay_drop(MDB_txn *txn, const struct store *st, uint32_t dsid)
{
	int rc = 0;

	for (size_t t = 0; rc == 0 && t < 4; t++) {
		MDB_dbi dbi = st->dbi[ovl_tables[t]];

		rc = store_dups_replace(txn, dbi, dsid | OVL_ADD, NULL, 0, 0);
		if (rc == 0)
			rc = store_dups_replace(txn, dbi, dsid | OVL_DEL, NULL,
						0, 0);
	}
	return rc;
}

/* ---- the merged walk ------------------------------------------------------ */

/* Stream i's record from a cursor read that returned rc. */
static int ovl_take(struct store_ovl_iter *it, int i, int rc, const MDB_val *d)
{
	if (rc == MDB_NOTFOUND) {
		it->rec[i] = NULL;
		return 0;
	}
	if (rc)
		return rc;
	if (d->mv_size != it->rsz)
		return STORE_EINVAL;
	it->rec[i] = d->mv_data;
	return 0;
}

/* Moves stream i to its next record. */
static int ovl_step(struct store_ovl_iter *it, int i)
{
	MDB_val k, d;

	return ovl_take(it, i, mdb_cursor_get(it->c[i], &k, &d, MDB_NEXT_DUP),
			&d);
}

int store_ovl_iter_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			size_t rsz, struct store_ovl_iter *it)
{
	static const uint32_t bits[3] = { 0, OVL_ADD, OVL_DEL };
	int rc = 0;

	memset(it, 0, sizeof(*it));
	it->rsz = rsz;
	for (int i = 0; rc == 0 && i < 3; i++) {
		uint8_t kb[4];
		MDB_val k = { 4, kb }, d;

		be32_put(kb, dsid | bits[i]);
		/* Overlay keys are rare: no cursor for an absent one. */
		if (i && mdb_get(txn, dbi, &k, &d) == MDB_NOTFOUND)
			continue;
		rc = mdb_cursor_open(txn, dbi, &it->c[i]);
		if (rc == 0)
			rc = ovl_take(it, i, mdb_cursor_get(it->c[i], &k, &d,
							    MDB_SET_KEY), &d);
	}
	if (rc)
		store_ovl_iter_close(it);
	return rc;
}

int store_ovl_iter_next(struct store_ovl_iter *it, const uint8_t **rec)
{
	size_t rsz = it->rsz;
	int rc;

	for (;;) {
		const uint8_t *b = it->rec[0], *a = it->rec[1], *d = it->rec[2];
		int cmp;

		/* A taken-away record not (or no longer) in the base. */
		if (d && (!b || memcmp(d, b, rsz) < 0)) {
			it->bad++;
			if ((rc = ovl_step(it, 2)) != 0)
				return rc;
			continue;
		}
		if (!a && !b) {
			*rec = NULL;
			return 0;
		}
		cmp = !a ? -1 : !b ? 1 : memcmp(b, a, rsz);
		if (cmp < 0 && d && memcmp(d, b, rsz) == 0) {
			/* Taken away: skip it in both. */
			if ((rc = ovl_step(it, 0)) != 0 ||
			    (rc = ovl_step(it, 2)) != 0)
				return rc;
			continue;
		}
		if (cmp == 0) {
			it->bad++;   /* added although in the base: once */
			if ((rc = ovl_step(it, 0)) != 0)
				return rc;
			continue;
		}
		*rec = cmp < 0 ? b : a;
		return ovl_step(it, cmp < 0 ? 0 : 1);
	}
}

void store_ovl_iter_close(struct store_ovl_iter *it)
{
	for (int i = 0; i < 3; i++)
		if (it->c[i])
			mdb_cursor_close(it->c[i]);
	memset(it, 0, sizeof(*it));
}
