/* store_view.h -- a dataset's records in one address table as stored
 * (base and overlay merged), looked up at any place.
 *
 * Private to lib/store_*.c.  An update of a few records of a big dataset
 * (store_delta.c) looks at the records around each change rather than
 * reading them all: a lookup is a binary search in the leaf page it last
 * read, or else one seek of the base (each leaf page read is kept, so the
 * lookups of nearby places, made in order, cost no seek), with the
 * overlay's records (store_overlay.h) merged in.  Read only: the records
 * it gives are valid until the transaction writes.
 */
#ifndef DNSBLD_STORE_VIEW_H
#define DNSBLD_STORE_VIEW_H

#include "store_overlay.h"

struct store_view {
	MDB_cursor *c;
	uint8_t kb[4];
	size_t rsz;
	size_t nbase;              /* the base's records */
	struct store_overlay ovl;  /* read whole when opened */
	const uint8_t *page;       /* the base leaf page last read */
	size_t npage, pi;          /* its records; the place in it */
	int base_end;              /* the place is past the base's last */
	size_t ai, di;             /* the place in ovl.add, ovl.del */
};

/* Opens the view of `dsid` in DUPFIXED table `dbi` (records of `rsz`
 * bytes); store_view_close frees it, also after an error. */
int store_view_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid, size_t rsz,
		    struct store_view *v);
void store_view_close(struct store_view *v);

/* *rec gets the first record not below `key` (rsz bytes, compared as
 * bytes), NULL when there is none; 0 or an error. */
int store_view_seek(struct store_view *v, const uint8_t *key,
		    const uint8_t **rec);
/* *rec gets the record after the one the last call gave (NULL at the
 * end). */
int store_view_next(struct store_view *v, const uint8_t **rec);

#endif
