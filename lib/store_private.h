/* store_private.h -- the store's internal types and cross-file helpers.
 *
 * Private to lib/store_*.c: the public contract is store.h.  Internal
 * functions return 0, a positive errno / negative MDB_* code from LMDB, or
 * a negative STORE_E* code; store_rc() maps that to the public codes.
 */
#ifndef DNSBLD_STORE_PRIVATE_H
#define DNSBLD_STORE_PRIVATE_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_layout.h"

/* One LMDB environment directory holding the store's data (an "instance").
 * Compaction (store_compact.c) writes a packed copy into a new instance and
 * the store moves to it; a process keeps an old instance open until its
 * last reader has left it (store_instance.c). */
struct store_env {
	MDB_env *env;
	char *path;                 /* the environment directory */
	unsigned number;            /* N of DIR/vN; 0 = a flat (old) layout */
	size_t mapsize;
	atomic_int active_readers;  /* read txns live on it in this process */
	int users;                  /* readers and writers holding it (lock) */
};

struct store {
	char *dir;                  /* as given to store_open */
	unsigned flags;
	/* The same in every instance: store_env_open opens the tables in one
	 * fixed order, and LMDB numbers them in opening order. */
	MDB_dbi dbi[SDB_COUNT];
	int dbi_known;              /* dbi set by the first instance opened */
	pthread_mutex_t lock;       /* cur, users, moving to a new instance */
	struct store_env *cur;      /* the newest instance this process knows */
};

/* Answer values the reader has already read in its current snapshot (a
 * small direct-mapped cache: a few values answer most queries). */
#define READER_VCACHE 64
#define READER_APEXWILD 4
#define READER_OVL 8
struct reader_vcache {
	uint32_t id;          /* 0 = empty */
	struct store_value v; /* txt points into the snapshot's map */
};

struct store_reader {
	struct store *st;
	struct store_env *e;  /* the instance txn and the cursors belong to */
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
	/* Is there a wildcard at a dnset's apex ("*.zone")?  Nearly every
	 * unlisted name would otherwise search for it. */
	struct reader_apexwild {
		uint32_t dsid;
		uint8_t state;        /* 0 unknown, 1 none, 2 stored */
		uint8_t ref[4];       /* its data, when stored */
	} apexwild[READER_APEXWILD];
	/* The overlays (store_overlay.h) of the address datasets looked up
	 * in this snapshot, read once into sorted arrays (a binary search
	 * costs a fraction of a B+tree descent). */
	struct reader_ovl {
		uint32_t dsid;
		uint8_t known[2];     /* IPv4, IPv6: read in this snapshot */
		uint8_t *add[2], *del[2];   /* interval records, malloc'd */
		size_t nadd[2], ndel[2];
	} ovl[READER_OVL];
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
/* Doubles the map size of instance `e` (writer, no readers active on it
 * in this process). */
int store_grow(struct store_env *e, char *err, size_t errlen);
/* Grows the map ahead of a write of about `bytes` new bytes, so that it is
 * not retried for want of room; 0, or -1 if the map cannot grow now. */
int store_reserve(struct store *st, uint64_t bytes);
/* Instances (store_instance.c).  store_env_acquire returns the current
 * instance with one more user; store_env_release drops one (the last user
 * of an instance that is no longer current closes it).  A holder of `old`
 * that found it superseded by instance `next` (store_superseded) calls
 * store_env_follow: it makes the newest instance current if `old` still
 * is, and returns the current one acquired (NULL and err set if it cannot
 * be opened); the caller then releases `old`. */
struct store_env *store_env_acquire(struct store *st);
void store_env_release(struct store *st, struct store_env *e);
struct store_env *store_env_follow(struct store *st, struct store_env *old,
				   unsigned next, char *err, size_t errlen);
/* *next = the instance that superseded the one of snapshot `txn`, 0 if
 * none.  Returns 0 or an internal error code. */
int store_superseded(MDB_txn *txn, const struct store *st, unsigned *next);
/* Creates and opens (as a writer, tables made) the empty instance DIR/vN,
 * its map at least `mapsize` bytes.  The directory must not exist. */
int store_env_create(struct store *st, unsigned number, size_t mapsize,
		     struct store_env **out, char *err, size_t errlen);
void store_env_close(struct store_env *e);
/* Deletes an instance's files (data.mdb, lock.mdb, the directory). */
void store_env_remove(const char *path);
/* Points DIR/current at vN (atomically: a new link renamed over). */
int store_point_current(const struct store *st, unsigned number,
			char *err, size_t errlen);
/* Is `e` this process's current instance? */
int store_env_is_current(struct store *st, const struct store_env *e);
/* Makes `e` the current instance (st->lock held by the caller). */
void store_env_install(struct store *st, struct store_env *e);
/* Opens the instance directory `path` as instance `number` (`create`: a
 * new, empty one, tables made); *next gets its superseded marker.  The
 * tables must get the handles of the instances opened before.
 * STORE_ENOTFOUND if it has no data.mdb (and not `create`). */
int store_env_open_at(struct store *st, const char *path, unsigned number,
		      int create, unsigned *next, struct store_env **out,
		      char *err, size_t errlen);
/* Moving to a new instance (store_compact.c; store_ship.c adopts one).
 * store_copy_snapshot: every table of snapshot `src` into the empty
 * instance `ne`, packed, its size noted as packed, synced to disk;
 * store_switch_to: under write txn `w` of the current instance (which it
 * ends), marks it superseded by `ne` and makes `ne` current (1 switched,
 * <0 error: nothing switched); store_remove_old: the old instance's files
 * and older leftovers go; store_compact_lock: flock of DIR/compact.lock
 * (one instance change at a time across processes; close() releases it,
 * -1 with err set); store_sync_dir: makes new directory entries durable. */
int store_copy_snapshot(struct store *st, MDB_txn *src, struct store_env *ne,
			char *err, size_t errlen);
int store_switch_to(struct store *st, MDB_txn *w, struct store_env *ne);
void store_remove_old(struct store *st, struct store_env *e, unsigned number);
int store_compact_lock(const struct store *st, char *err, size_t errlen);
void store_sync_dir(const char *dir);
/* The info key a superseded instance carries (the new instance's number). */
#define STORE_INFO_SUPERSEDED "superseded_by"

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
/* The record of a set of `n` value refs (2..STORE_MAX_MATCH, in the order
 * they answer) into `rec` (VALREC_MAX bytes); its length. */
size_t store_set_encode(const uint32_t *ids, size_t n, uint8_t *rec);

/* Fixed-size records read a few at a time (store_diff.c): read copies up
 * to `max` next ones to `buf` and sets *got (0 at the end), rewind starts
 * over; both return 0 or an internal code.  What a big table's records
 * are written from without holding them all. */
struct store_rec_source {
	int (*read)(void *arg, uint8_t *buf, size_t max, size_t *got);
	int (*rewind)(void *arg);
	void *arg;
};
/* `n` packed records of `rsz` bytes as a source (`a` holds its place). */
struct store_rec_array {
	const uint8_t *recs;
	size_t n, i, rsz;
};
struct store_rec_source store_rec_array_source(struct store_rec_array *a,
					       const uint8_t *recs, size_t n,
					       size_t rsz);

/* Derivation (store_derive.c). */
/* Derives the disjoint interval map of `n` sorted, distinct prefixes of
 * `family`, given as packed SRC4_REC/SRC6_REC records (address, plen, ref;
 * ref REF_EXCLUDED is an exclusion): the longest covering prefix decides,
 * ref 0 is a hole, adjacent intervals with the same ref merge.  Writes
 * packed IP4_REC/IP6_REC records to *out (malloc'd) and their count to
 * *nout.  0 or STORE_ENOMEM. */
int store_derive(const uint8_t *src, size_t n, int family,
		 uint8_t **out, size_t *nout);
/* The same records a few at a time, for a big map that need not be held
 * whole, from source records read from `src` (which must outlive the
 * iterator): open (0 or STORE_ENOMEM), read up to `max` next records into
 * `buf` (*got of them, 0 at the end; 0, STORE_EINVAL or the source's
 * error), rewind to the first, close. */
struct store_derive_iter;
int store_derive_open(struct store_rec_source *src, int family,
		      struct store_derive_iter **out);
int store_derive_read(struct store_derive_iter *it, uint8_t *buf, size_t max,
		      size_t *got);
int store_derive_rewind(struct store_derive_iter *it);
void store_derive_close(struct store_derive_iter *it);

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
