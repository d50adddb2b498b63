/* store.c -- error codes, info counters, map growth, the write transaction.
 *
 * The writer starts with a modest map and doubles it on MDB_MAP_FULL (the
 * write is retried whole).  Every write runs through store_write_txn, which
 * also moves a writer to the new instance when the store was compacted
 * while it waited for the write lock (store_instance.c).
 */
#include "store_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

int store_rc(int rc)
{
	if (rc == 0)
		return STORE_OK;
	if (rc <= STORE_ENOTFOUND && rc >= STORE_EDELTA)
		return rc;
	if (rc == MDB_NOTFOUND)
		return STORE_ENOTFOUND;
	if (rc == ENOMEM)
		return STORE_ENOMEM;
	if (rc == MDB_VERSION_MISMATCH || rc == MDB_INVALID)
		return STORE_ESCHEMA;
	return STORE_EIO;
}

const char *store_strerror(int rc)
{
	switch (rc) {
	case STORE_ENOTFOUND: return "not found";
	case STORE_EIO: return "I/O error";
	case STORE_ENOMEM: return "out of memory";
	case STORE_EINVAL: return "invalid argument or corrupt record";
	case STORE_ESCHEMA: return "incompatible store schema";
	case STORE_ESPENT: return "the map had to grow after the entries were "
				  "given back: load again";
	case STORE_EDELTA: return "the changed lines do not fit the stored "
				  "version: load the whole feed";
	default: return mdb_strerror(rc);
	}
}

void store_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int store_info_get(MDB_txn *txn, const struct store *st, const char *key,
		   uint64_t *out, uint64_t dflt)
{
	MDB_val k = { strlen(key), (void *)key }, d;
	int rc = mdb_get(txn, st->dbi[SDB_INFO], &k, &d);

	if (rc == MDB_NOTFOUND) {
		*out = dflt;
		return 0;
	}
	if (rc)
		return rc;
	if (d.mv_size == 4)
		*out = be32_get(d.mv_data);
	else if (d.mv_size == 8)
		*out = be64_get(d.mv_data);
	else
		return STORE_EINVAL;
	return 0;
}

int store_info_put(MDB_txn *txn, const struct store *st, const char *key,
		   uint64_t v, size_t width)
{
	uint8_t buf[8];
	MDB_val k = { strlen(key), (void *)key }, d = { width, buf };

	if (width == 4)
		be32_put(buf, (uint32_t)v);
	else
		be64_put(buf, v);
	return mdb_put(txn, st->dbi[SDB_INFO], &k, &d, 0);
}

int store_grow(struct store_env *e, char *err, size_t errlen)
{
	size_t want = e->mapsize * 2;
	int rc;

	if (atomic_load(&e->active_readers) > 0) {
		store_seterr(err, errlen, "store map full (%zu bytes) and it "
			     "cannot grow while this process has readers open",
			     e->mapsize);
		return STORE_EIO;
	}
	if (want < e->mapsize) {
		store_seterr(err, errlen, "store map size overflow");
		return STORE_EIO;
	}
	rc = mdb_env_set_mapsize(e->env, want);
	if (rc) {
		store_seterr(err, errlen, "growing the store map to %zu bytes: %s",
			     want, mdb_strerror(rc));
		return rc;
	}
	e->mapsize = want;
	return 0;
}

int store_reserve(struct store *st, uint64_t bytes)
{
	struct store_env *e = store_env_acquire(st);
	MDB_envinfo info;
	MDB_stat ms;
	uint64_t need;
	int rc = 0;

	mdb_env_info(e->env, &info);
	mdb_env_stat(e->env, &ms);
	need = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize + bytes;
	while (rc == 0 && (uint64_t)e->mapsize < need)
		rc = store_grow(e, NULL, 0);
	store_env_release(st, e);
	return rc ? -1 : 0;
}

int store_bump_generation(MDB_txn *txn, const struct store *st)
{
	uint64_t g;
	int rc = store_info_get(txn, st, "generation", &g, 0);

	return rc ? rc : store_info_put(txn, st, "generation", g + 1, 8);
}

/* A write that failed with EIO or ENOSPC on a file system with (almost)
 * no room left: says so, since LMDB reports a short write on a full disk
 * as a bare EIO.  Leaves `err` alone otherwise. */
static void store_full_note(const char *path, int rc, char *err,
			    size_t errlen)
{
	struct statvfs fs;
	unsigned long long avail;

	if ((rc != EIO && rc != ENOSPC) || !err || !errlen || err[0] ||
	    statvfs(path, &fs) != 0)
		return;
	avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
	if (avail >= 1024 * 1024)
		return;
	store_seterr(err, errlen, "the file system holding %s is full (%llu "
		     "KiB free): %s", path, avail / 1024, strerror(rc));
}

/* Enough doublings to go from the smallest map to any disk. */
#define STORE_WRITE_ATTEMPTS 16

int store_write_txn(struct store *st, int (*body)(MDB_txn *txn, void *arg),
		    void *arg, char *err, size_t errlen)
{
	struct store_env *e = store_env_acquire(st);
	int rc = 0;

	for (int attempt = 0; attempt < STORE_WRITE_ATTEMPTS; attempt++) {
		MDB_txn *txn;
		unsigned next;

		rc = mdb_txn_begin(e->env, NULL, 0, &txn);
		if (rc)
			break;
		/* Compacted meanwhile: write to the new instance instead. */
		rc = store_superseded(txn, st, &next);
		if (rc || next) {
			struct store_env *ne = NULL;

			mdb_txn_abort(txn);
			if (rc == 0)
				ne = store_env_follow(st, e, next, err, errlen);
			if (!ne) {
				rc = rc ? rc : STORE_EIO;
				break;
			}
			store_env_release(st, e);
			e = ne;
			continue;
		}
		rc = body(txn, arg);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc != MDB_MAP_FULL)
			break;
		if (store_grow(e, err, errlen) != 0) {
			rc = STORE_EIO;
			break;
		}
	}
	store_full_note(e->path, rc, err, errlen);
	store_env_release(st, e);
	return rc;
}
