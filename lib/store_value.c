/* store_value.c -- the global answer-value table: intern, read.
 *
 * Every (kind, A, TXT) value and every multi-value set is stored once for
 * the whole store and referenced by a u32 ref, so a million entries sharing
 * one answer cost one record, and equal values dedup across datasets.
 * Records are never deleted: the table stays tiny next to the data.
 * Reading a value (store_value_get) is in store_read.c, with the readers.
 */
#include "store_private.h"

#include <string.h>

size_t store_value_encode(const struct ds_value *v, uint8_t *rec)
{
	size_t len = 7;

	rec[0] = VALREC_VALUE;
	rec[1] = v->kind;
	be32_put(rec + 2, v->a);
	rec[6] = v->txt != NULL;
	if (v->txt) {
		size_t n = v->txtlen > 255 ? 255 : v->txtlen;

		memcpy(rec + 7, v->txt, n);
		len += n;
	}
	return len;
}

size_t store_set_encode(const uint32_t *ids, size_t n, uint8_t *rec)
{
	size_t len = 1;

	rec[0] = VALREC_SET;
	for (size_t i = 0; i < n; i++, len += 4)
		be32_put(rec + len, ids[i]);
	return len;
}

int store_value_intern(MDB_txn *txn, const struct store *st,
		       const uint8_t *rec, size_t len, uint32_t *ref)
{
	MDB_val k = { len, (void *)rec }, d;
	int set = rec[0] == VALREC_SET;
	const char *ctr = set ? "next_set" : "next_value";
	uint64_t next;
	uint8_t idb[4];
	int rc;

	rc = mdb_get(txn, st->dbi[SDB_VINDEX], &k, &d);
	if (rc == 0) {
		if (d.mv_size != 4)
			return STORE_EINVAL;
		*ref = be32_get(d.mv_data);
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	rc = store_info_get(txn, st, ctr, &next, 1);
	if (rc)
		return rc;
	if (next >= REF_SET)
		return STORE_ENOMEM;   /* 2^31 distinct values: out of ids */
	*ref = (uint32_t)next | (set ? REF_SET : 0);
	be32_put(idb, *ref);
	d.mv_size = 4;
	d.mv_data = idb;
	rc = mdb_put(txn, st->dbi[SDB_VINDEX], &k, &d, 0);
	if (rc == 0) {
		MDB_val vk = { 4, idb }, vd = { len, (void *)rec };

		rc = mdb_put(txn, st->dbi[SDB_VALUES], &vk, &vd, 0);
	}
	if (rc == 0)
		rc = store_info_put(txn, st, ctr, next + 1, 4);
	return rc;
}
