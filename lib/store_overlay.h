/* store_overlay.h -- a small change kept beside a big dataset's records.
 *
 * Private to lib/store_*.c.  In the four address tables (src4, src6, ip4,
 * ip6) a dataset's records are the duplicates of key dsid (the base, B),
 * but a load that changes few of many records writes the change under two
 * more keys instead (store_layout.h): dsid | OVL_ADD holds the records
 * added (A, none of them in B) and dsid | OVL_DEL the base records taken
 * away (D, all of them in B).  The dataset is (B minus D) plus A, in the
 * same record order a full load would store.  Why: a change spread over a
 * big sorted table touches nearly every leaf page, and LMDB copies every
 * page it touches; the overlay makes an update write what changed.
 */
#ifndef DNSBLD_STORE_OVERLAY_H
#define DNSBLD_STORE_OVERLAY_H

#include "store_blob.h"
#include "store_private.h"

/* The least base records a table must hold before a load keeps its change
 * as an overlay (DNSBLD_OVERLAY_MIN, read at every load; default 65536):
 * smaller tables are cheap to rewrite and stay in one piece. */
size_t store_overlay_min(void);

/* Appends every duplicate of 4-byte key `key` in DUPFIXED table `dbi`
 * (records of `rsz` bytes) to `out`; *n gets their count. */
int store_dups_read(MDB_txn *txn, MDB_dbi dbi, uint32_t key, size_t rsz,
		    struct blob_writer *out, size_t *n);

/* Makes the duplicates of `key` exactly the `n` sorted records `recs`
 * (none: the key goes). */
int store_dups_replace(MDB_txn *txn, MDB_dbi dbi, uint32_t key,
		       const uint8_t *recs, size_t n, size_t rsz);

/* A dataset's overlay in one table, read whole (records packed, sorted). */
struct store_overlay {
	struct blob_writer add, del;
	size_t nadd, ndel;
};

/* Reads the overlay of `dsid` in `dbi` into *o (zeroed by the caller);
 * store_overlay_free releases it, also after an error. */
int store_overlay_read(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid, size_t rsz,
		       struct store_overlay *o);
/* Deletes the keys of overlay `o` (read from `dbi` for `dsid`). */
int store_overlay_clear(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			const struct store_overlay *o);
void store_overlay_free(struct store_overlay *o);

/* Writes the overlay of `dsid` in every address table into its base and
 * deletes it: the base alone is then the dataset (hand edits change the
 * base in place).  Nothing to do costs a point read per table. */
int store_overlay_fold(MDB_txn *txn, const struct store *st, uint32_t dsid);

/* Has `dsid`'s overlay grown big enough to fold (after the load that
 * wrote it, in its own transaction: answers have the load already)? */
int store_overlay_due(MDB_txn *txn, const struct store *st, uint32_t dsid);

/* Deletes the overlay keys of `dsid` in every address table (a drop). */
int store_overlay_drop(MDB_txn *txn, const struct store *st, uint32_t dsid);

/* A dataset's records of one address table in order: the base merged
 * with its overlay.  `bad` counts overlay records that break the rules
 * (an added record already in the base, a taken-away one not in it). */
struct store_ovl_iter {
	MDB_cursor *c[3];          /* base, added, taken away */
	const uint8_t *rec[3];     /* each one's current record, NULL: done */
	size_t rsz;
	size_t bad;
};

int store_ovl_iter_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			size_t rsz, struct store_ovl_iter *it);
/* 0 with *rec the next record (valid in the transaction; NULL at the
 * end), or an error. */
int store_ovl_iter_next(struct store_ovl_iter *it, const uint8_t **rec);
void store_ovl_iter_close(struct store_ovl_iter *it);

#endif
