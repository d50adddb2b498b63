/* store_diff.h -- diff-writing one dataset's records of one table.
 *
 * Private to lib/store_*.c.  All functions run inside the caller's write
 * transaction and return 0 or an internal code (store_private.h).
 */
#ifndef DNSBLD_STORE_DIFF_H
#define DNSBLD_STORE_DIFF_H

#include "store_overlay.h"

/* A variable-length record (dn table). */
struct store_vrec {
	const uint8_t *key;
	uint16_t klen;
	const uint8_t *data;
	uint32_t dlen;
};

/* Makes the duplicates of key `dsid` in DUPFIXED table `dbi` equal to the
 * new records (sorted, distinct, `rsz` bytes each) read from `src`, which
 * must not write to the transaction: only a window of them and the changes
 * are held.  For the address tables: the change may be
 * kept as the dataset's overlay (store_overlay.h); the stats count it
 * against the dataset as it was, overlay included. */
int store_diff_fixed_from(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			  struct store_rec_source *src, size_t rsz,
			  struct store_apply_stats *st);

/* store_diff_fixed_from in two steps, so that the reading step of one
 * table can run on another thread, in a read transaction of the same
 * snapshot (it writes nothing): the plan is the change from the stored
 * records, the apply writes it. */
struct store_diff_plan {
	struct blob_writer dels, adds;   /* the change from the base */
	struct store_overlay old;        /* the overlay stored before */
	size_t nold, n;                  /* base records, new records */
	size_t ndel, nadd;               /* the change's size */
	size_t id, ia;                   /* of which the old overlay had */
	size_t od, oa;                   /* (its records merged so far) */
	int has_base;
	int rewrite;      /* mostly new: dels and adds not kept */
};
int store_diff_plan_fixed(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			  struct store_rec_source *src, size_t rsz,
			  struct store_diff_plan *p);
/* The plan of a change known record by record: `gone` (ngone records,
 * all in the dataset as stored) taken away and `came` (none of them in
 * it) put in, both sorted.  Against the base B with overlay (A, D) the
 * new records are B minus dels plus adds, with dels = (D - came) plus
 * (gone - A) and adds = (A - gone) plus (came - D): no record but the
 * overlay's and the change's is read.  Takes the view's overlay (it is
 * the plan's old one).  The apply needs no source unless
 * store_diff_plan_rewrites says so. */
struct store_view;
int store_diff_plan_change(struct store_view *v, const uint8_t *gone,
			   size_t ngone, const uint8_t *came, size_t ncame,
			   struct store_diff_plan *p);
/* Rewinds `src` when it writes all of it again. */
int store_diff_apply_fixed(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			   struct store_rec_source *src, size_t rsz,
			   const struct store_diff_plan *p,
			   struct store_apply_stats *st);
void store_diff_plan_free(struct store_diff_plan *p);
/* Does the apply of plan `p` write every record of its source again
 * (rather than an overlay or the changes in place)? */
int store_diff_plan_rewrites(const struct store_diff_plan *p);

/* The records stored under key `dsid` of DUPFIXED table `dbi`, read back
 * in transaction `txn` as a source, a leaf page at a time: what a table
 * just rewritten holds.  store_dups_source_close frees it. */
struct store_dups_source;
int store_dups_source_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			   size_t rsz, struct store_dups_source **out,
			   struct store_rec_source *src);
void store_dups_source_close(struct store_dups_source *ds);

/* Writes sorted fixed-size records as duplicates of key k after those it
 * has: the first with a plain put (it may create the key), the rest in
 * MDB_MULTIPLE|MDB_APPENDDUP calls, so LMDB fills leaf pages in sequence
 * (full pages, no search per record). */
int store_append_fixed(MDB_cursor *c, MDB_val *k, const uint8_t *recs,
		       size_t n, size_t rsz);

/* Makes the keys starting with `dsid` in plain table `dbi` equal to `recs`
 * (sorted in LMDB key order, distinct keys). */
int store_diff_var(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
		   const struct store_vrec *recs, size_t n,
		   struct store_apply_stats *st);

/* An ip4set's source records changed by the entries of the feed lines
 * that changed (store_delta.c).  del and add: the entries taken away and
 * added, packed SRC4_RECs sorted by prefix (ref REF_EXCLUDED for an
 * exclusion; a prefix may come several times); multi: the stored prefixes
 * several entries give (struct ds_ip4_multi, sorted). */
struct store_src4_change {
	const uint8_t *del, *add;
	size_t ndel, nadd;
	const struct ds_ip4_multi *multi;
	size_t nmulti;
	uint8_t *gone, *came;             /* the records changed (malloc'd) */
	size_t ngone, ncame;
	struct ds_ip4_multi *multi_out;   /* the new multi (malloc'd) */
	size_t nmulti_out;
};
/* The answer of one prefix's entries, given as `n` rows (struct
 * ds_ip4_multi): an exclusion hides the rest, else its distinct values
 * ordered by value (the encoded records' bytes), at most STORE_MAX_MATCH,
 * as one value or a set made (intern) or looked up.  1 with *ref, 0 when
 * the rows hold no entry, or an error (STORE_EDELTA: a set looked up and
 * not stored). */
int store_multi_ref(MDB_txn *txn, const struct store *st,
		    const struct ds_ip4_multi *rows, size_t n, int intern,
		    uint32_t *ref);

/* Fills ch->gone, ch->came and ch->multi_out: the stored records (`v`,
 * the view of the dataset's source records) of the prefixes the change
 * touches that it takes away or answers otherwise, and their new records,
 * sorted.  STORE_EDELTA when the change does not fit them: a taken-away
 * entry that is not stored, a touched prefix that answers otherwise than
 * `multi` says. */
int store_src4_delta(MDB_txn *txn, const struct store *st, struct store_view *v,
		     struct store_src4_change *ch);
/* All of the new source records (the stored ones, ch->gone taken away,
 * ch->came put in) into *out: for a change written whole. */
int store_src4_delta_records(MDB_txn *txn, const struct store *st,
			     uint32_t dsid, const struct store_src4_change *ch,
			     uint8_t **out, size_t *nout);
/* The interval map's change that follows from the source records' (gone
 * and came of the view `src`, sorted): the stored intervals (view `ip`)
 * taken away and the new ones, appended to ip_gone and ip_came, sorted.
 * Only the intervals around each touched prefix are read. */
int store_ip4_delta(struct store_view *src, struct store_view *ip,
		    const uint8_t *gone, size_t ngone, const uint8_t *came,
		    size_t ncame, struct blob_writer *ip_gone,
		    struct blob_writer *ip_came);

/* Deletes every key starting with `dsid` from plain table `dbi`. */
int store_clear_range(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid);

#endif
