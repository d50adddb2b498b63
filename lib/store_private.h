/* store_private.h -- the store's internal types and cross-file helpers.
 *
 * Private to lib/store_*.c: the public contract is store.h.  Internal
 * functions return 0, a positive errno / negative MDB_* code from LMDB, or
 * a negative STORE_E* code; store_rc() maps that to the public codes.
 */
#ifndef DNSBLD_STORE_PRIVATE_H
#define DNSBLD_STORE_PRIVATE_H

#include <lmdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_layout.h"

struct store {
	MDB_env *env;
	unsigned flags;
	MDB_dbi dbi[SDB_COUNT];
	size_t mapsize;
	atomic_int active_readers;  /* read txns live in this process */
};

/* Answer values the reader has already read in its current snapshot (a
 * small direct-mapped cache: a few values answer most queries). */
#define READER_VCACHE 64
struct reader_vcache {
	uint32_t id;          /* 0 = empty */
	struct store_value v; /* txt points into the snapshot's map */
};

struct store_reader {
	struct store *st;
	MDB_txn *txn;
	int active;
	MDB_cursor *ip[2];   /* SDB_IP4, SDB_IP6 */
	MDB_cursor *dn;
	/* Per snapshot (reset when the transaction changes): cursors renewed
	 * into it (bit 0 ip4, 1 ip6, 2 dn), the generation read in it. */
	unsigned fresh;
	int gen_known;
	uint64_t gen;
	struct reader_vcache vcache[READER_VCACHE];
};

/* Maps an internal code to STORE_OK / STORE_E*. */
int store_rc(int rc);
/* snprintf into err if err is non-NULL. */
void store_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Readable text for an internal code. */
const char *store_strerror(int rc);

/* info counters inside a write transaction. */
int store_info_get(MDB_txn *txn, const struct store *st, const char *key,
		   uint64_t *out, uint64_t dflt);
int store_info_put(MDB_txn *txn, const struct store *st, const char *key,
		   uint64_t v, size_t width);
/* Doubles the map size (writer, no readers active in this process). */
int store_grow(struct store *st, char *err, size_t errlen);
/* Moves the store-wide generation counter (readers rebuild their caches). */
int store_bump_generation(MDB_txn *txn, const struct store *st);
/* Runs body(txn, arg) in one write transaction and commits it.  When the
 * map is full the map grows and the WHOLE transaction runs again, so body
 * must start from scratch each call.  Any failure aborts the transaction:
 * nothing changed.  Returns 0 or an internal code (err set on growth
 * failure). */
int store_write_txn(struct store *st, int (*body)(MDB_txn *txn, void *arg),
		    void *arg, char *err, size_t errlen);

/* Value table (store_value.c). */
/* Interns record `rec` (VALREC_*) and returns its ref in *ref. */
int store_value_intern(MDB_txn *txn, const struct store *st,
		       const uint8_t *rec, size_t len, uint32_t *ref);
/* Encodes a dataset value; returns the record length. */
size_t store_value_encode(const struct ds_value *v, uint8_t *rec);

/* Derivation (store_derive.c). */
struct store_src {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t ref;     /* REF_EXCLUDED or a value/set ref */
};
/* Derives the disjoint interval map of sorted, distinct prefixes `src` of
 * `family`: the longest covering prefix decides, ref 0 is a hole, adjacent
 * intervals with the same ref merge.  Writes packed IP4_REC/IP6_REC records
 * to *out (malloc'd) and their count to *nout.  0 or STORE_ENOMEM. */
int store_derive(const struct store_src *src, size_t n, int family,
		 uint8_t **out, size_t *nout);

/* Checks a dataset before writing (store_validate.c): 0 or STORE_EINVAL
 * with err naming the entry and why. */
int store_validate(const struct dataset *ds, int child, char *err,
		   size_t errlen);
/* Checks a top-level dataset name. */
int store_validate_name(const char *name, char *err, size_t errlen);

/* Metadata blobs (store_meta.c). */
struct store_meta_in {
	const char *name;
	enum ds_type type;
	const struct ds_meta *meta;
	const struct ds_child *children;   /* combined */
	const uint32_t *child_dsids;
	size_t nchildren;
	uint32_t serial;
	int64_t newest_mtime, loaded_at;
	uint64_t entries;
	const struct store_source *sources;
	size_t nsources;
};
/* Encodes into a malloc'd blob; *content_len is the length of the part
 * that describes the content (a change there changes the serial). */
int store_meta_encode(const struct store_meta_in *in, uint8_t **blob,
		      size_t *len);
/* Splits a blob into its content part; 0 or STORE_EINVAL. */
int store_meta_content(const uint8_t *blob, size_t len,
		       const uint8_t **content, size_t *clen);
/* Decodes a blob into a new store_dsmeta (children's meta left NULL) and
 * the children's dsids (malloc'd array, may be NULL if none). */
int store_meta_decode(const uint8_t *blob, size_t len, uint32_t dsid,
		      struct store_dsmeta **out, uint32_t **child_dsids);

#endif
