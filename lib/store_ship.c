/* store_ship.c -- copies of the whole store for mirrors: write one on the
 * primary, adopt one on a mirror.
 *
 * A mirror that runs no loader of its own can take the primary's store
 * instead of zone transfers: store_ship writes a packed copy of one
 * snapshot as a single file (OUT/data.mdb, written beside it and renamed
 * in, so rsync and a watcher only ever see a whole file), and
 * store_adopt, on the mirror, copies such a file in as the next instance
 * (DIR/vN+1) and switches to it exactly as a compaction does
 * (store_instance.c): every dnsbld reading the store moves over at its next
 * snapshot, with no pause and no half-read state.  The adopted copy gets a
 * generation above the one it replaces, so servers rebuild their cached
 * plans even when the two stores' counters happen to meet.
 */
#include "store_private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monoclock.h"

#define SHIP_COPY_BUF (1u << 20)

/* Takes a read snapshot of the newest instance: *e acquired, *txn begun
 * (following compactions that happen meanwhile). */
static int ship_snapshot(struct store *st, struct store_env **e,
			 MDB_txn **txn, char *err, size_t errlen)
{
	*e = store_env_acquire(st);
	*txn = NULL;
	for (int hop = 0; hop < 4; hop++) {
		struct store_env *ne;
		unsigned next;
		int rc = mdb_txn_begin((*e)->env, NULL, MDB_RDONLY, txn);

		if (rc == 0)
			rc = store_superseded(*txn, st, &next);
		if (rc || !next)
			return rc;
		mdb_txn_abort(*txn);
		*txn = NULL;
		ne = store_env_follow(st, *e, next, err, errlen);
		store_env_release(st, *e);
		*e = ne;
		if (!ne)
			return STORE_EIO;
	}
	mdb_txn_abort(*txn);
	*txn = NULL;
	store_seterr(err, errlen, "store %s: kept moving while shipping",
		     st->dir);
	return STORE_EIO;
}

static uint64_t ship_generation(struct store *st, struct store_env *e)
{
	uint64_t g = 0;
	MDB_txn *txn;

	if (mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn) == 0) {
		store_info_get(txn, st, "generation", &g, 0);
		mdb_txn_abort(txn);
	}
	return g;
}

int store_ship(struct store *st, const char *outdir,
	       struct store_ship_stats *ss, char *err, size_t errlen)
{
	char tmp[PATH_MAX], from[PATH_MAX + 16], to[PATH_MAX + 16];
	struct store_env *e = NULL, *ne = NULL;
	double t0 = monoclock_now();
	MDB_txn *src = NULL;
	unsigned next;
	struct stat sb;
	int rc;

	memset(ss, 0, sizeof(*ss));
	if (st->flags & STORE_READONLY) {
		store_seterr(err, errlen, "store %s: opened read-only", st->dir);
		return STORE_EINVAL;
	}
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST) {
		store_seterr(err, errlen, "%s: mkdir: %s", outdir,
			     strerror(errno));
		return STORE_EIO;
	}
	snprintf(tmp, sizeof(tmp), "%s/.ship.%ld", outdir, (long)getpid());
	snprintf(from, sizeof(from), "%s/data.mdb", tmp);
	snprintf(to, sizeof(to), "%s/data.mdb", outdir);
	store_env_remove(tmp);   /* left by a ship that died */
	if (mkdir(tmp, 0755) < 0) {
		store_seterr(err, errlen, "%s: mkdir: %s", tmp, strerror(errno));
		return STORE_EIO;
	}
	rc = ship_snapshot(st, &e, &src, err, errlen);
	if (rc == 0)
		rc = store_env_open_at(st, tmp, 0, 1, &next, &ne, err, errlen);
	if (rc == 0 && e->mapsize > ne->mapsize &&
	    mdb_env_set_mapsize(ne->env, e->mapsize) == 0)
		ne->mapsize = e->mapsize;
	if (rc == 0)
		rc = store_copy_snapshot(st, src, ne, err, errlen);
	if (src)
		mdb_txn_abort(src);
	if (rc == 0)
		ss->generation = ship_generation(st, ne);
	store_env_close(ne);
	if (e)
		store_env_release(st, e);
	if (rc == 0 && rename(from, to) < 0) {
		store_seterr(err, errlen, "%s: rename to %s: %s", from, to,
			     strerror(errno));
		rc = STORE_EIO;
	}
	store_env_remove(tmp);
	if (rc) {
		if (!(err && *err))
			store_seterr(err, errlen, "store %s: shipping to %s: %s",
				     st->dir, outdir, store_strerror(rc));
		return store_rc(rc);
	}
	store_sync_dir(outdir);
	ss->bytes = stat(to, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	ss->seconds = monoclock_now() - t0;
	return STORE_OK;
}

/* Copies `file` to `dst` (a new file) and makes it durable. */
static int ship_copy_file(const char *file, const char *dst, char *err,
			  size_t errlen)
{
	static char buf[SHIP_COPY_BUF];
	int in = open(file, O_RDONLY | O_CLOEXEC), out = -1;
	ssize_t n = 0;

	if (in < 0) {
		store_seterr(err, errlen, "%s: %s", file, strerror(errno));
		return STORE_EIO;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		store_seterr(err, errlen, "%s: %s", dst, strerror(errno));
		close(in);
		return STORE_EIO;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				n = -1;
				break;
			}
			off += w;
		}
		if (n < 0)
			break;
	}
	if (n < 0 || fsync(out) < 0) {
		store_seterr(err, errlen, "copying %s to %s: %s", file, dst,
			     strerror(errno));
		n = -1;
	}
	close(in);
	if (close(out) < 0 && n == 0) {
		store_seterr(err, errlen, "%s: %s", dst, strerror(errno));
		n = -1;
	}
	return n < 0 ? STORE_EIO : 0;
}

/* A data file LMDB can map whole: its meta pages readable and its last
 * page inside the file.  A copy cut short would otherwise pass the open
 * and fault (SIGBUS) at the first read past its end. */
static int ship_check_file(const char *file, const struct stat *sb,
			   char *err, size_t errlen)
{
	MDB_env *env = NULL;
	MDB_envinfo info;
	MDB_stat ms;
	int rc = mdb_env_create(&env);

	if (rc == 0)
		rc = mdb_env_open(env, file, MDB_RDONLY | MDB_NOSUBDIR |
				  MDB_NOLOCK, 0644);
	if (rc) {
		store_seterr(err, errlen, "%s: not a store copy: %s", file,
			     mdb_strerror(rc));
		mdb_env_close(env);
		return STORE_EINVAL;
	}
	mdb_env_info(env, &info);
	mdb_env_stat(env, &ms);
	mdb_env_close(env);
	if ((uint64_t)(info.me_last_pgno + 1) * ms.ms_psize >
	    (uint64_t)sb->st_size) {
		store_seterr(err, errlen, "%s: cut short: %llu bytes, its "
			     "pages need %llu", file,
			     (unsigned long long)sb->st_size,
			     (unsigned long long)(info.me_last_pgno + 1) *
				     ms.ms_psize);
		return STORE_EINVAL;
	}
	return 0;
}

/* Sets the generation of `ne` above both its own and `floor`. */
static int ship_raise_generation(struct store *st, struct store_env *ne,
				 uint64_t floor, uint64_t *out)
{
	uint64_t g;
	MDB_txn *txn;
	int rc = mdb_txn_begin(ne->env, NULL, 0, &txn);

	if (rc)
		return rc;
	rc = store_info_get(txn, st, "generation", &g, 0);
	if (rc == 0) {
		*out = (g > floor ? g : floor) + 1;
		rc = store_info_put(txn, st, "generation", *out, 8);
	}
	if (rc == 0)
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return rc;
}

/* Write txn `w` on instance `e`, which must still be the newest (the
 * compaction lock keeps other processes from replacing it). */
static int adopt_begin_switch(struct store *st, struct store_env *e,
			      MDB_txn **w, char *err, size_t errlen)
{
	unsigned next;
	int rc = mdb_txn_begin(e->env, NULL, 0, w);

	if (rc == 0)
		rc = store_superseded(*w, st, &next);
	if (rc == 0 && next) {
		mdb_txn_abort(*w);
		store_seterr(err, errlen, "store %s: replaced by v%u while "
			     "adopting; try again", st->dir, next);
		rc = STORE_EIO;
	}
	return rc;
}

int store_adopt(struct store *st, const char *file,
		struct store_ship_stats *ss, char *err, size_t errlen)
{
	char path[PATH_MAX], data[PATH_MAX + 16];
	struct store_env *e, *ne = NULL;
	double t0 = monoclock_now();
	MDB_txn *w = NULL;
	unsigned number, next = 0;
	struct stat sb;
	int rc, lock;

	memset(ss, 0, sizeof(*ss));
	if (err && errlen)
		err[0] = '\0';
	if (st->flags & STORE_READONLY) {
		store_seterr(err, errlen, "store %s: opened read-only", st->dir);
		return STORE_EINVAL;
	}
	if (stat(file, &sb) < 0) {
		store_seterr(err, errlen, "%s: %s", file, strerror(errno));
		return STORE_EINVAL;
	}
	if (!S_ISREG(sb.st_mode)) {
		store_seterr(err, errlen, "%s: not a regular file", file);
		return STORE_EINVAL;
	}
	rc = ship_check_file(file, &sb, err, errlen);
	if (rc)
		return rc;
	lock = store_compact_lock(st, err, errlen);
	if (lock < 0)
		return STORE_EIO;
	/* The newest instance, in case one replaced ours before the lock. */
	rc = ship_snapshot(st, &e, &w, err, errlen);
	if (rc) {
		if (w)
			mdb_txn_abort(w);
		if (e)
			store_env_release(st, e);
		close(lock);
		return store_rc(rc);
	}
	mdb_txn_abort(w);
	w = NULL;
	number = e->number + 1;
	snprintf(path, sizeof(path), "%s/v%u", st->dir, number);
	snprintf(data, sizeof(data), "%s/data.mdb", path);
	store_env_remove(path);   /* left by an adoption that died */
	rc = mkdir(path, 0755) < 0 ? STORE_EIO : 0;
	if (rc)
		store_seterr(err, errlen, "%s: mkdir: %s", path,
			     strerror(errno));
	if (rc == 0)
		rc = ship_copy_file(file, data, err, errlen);
	/* The copy must be a store this program reads, with the tables in
	 * the order every instance has, and not one already replaced. */
	if (rc == 0)
		rc = store_env_open_at(st, path, number, 0, &next, &ne, err,
				       errlen);
	if (rc == 0 && next) {
		store_seterr(err, errlen, "%s: a copy of a store instance that "
			     "was already replaced (ship a fresh one)", file);
		rc = STORE_EINVAL;
	}
	if (rc == 0)
		rc = ship_raise_generation(st, ne, ship_generation(st, e),
					   &ss->generation);
	if (rc == 0)
		rc = mdb_env_sync(ne->env, 1);
	if (rc == 0)
		store_sync_dir(st->dir);
	if (rc == 0)
		rc = adopt_begin_switch(st, e, &w, err, errlen);
	if (rc == 0)
		rc = store_switch_to(st, w, ne);
	if (rc <= 0) {
		store_env_close(ne);
		store_env_remove(path);
		store_env_release(st, e);
		close(lock);
		if (!*err)
			store_seterr(err, errlen, "store %s: adopting %s: %s",
				     st->dir, file, store_strerror(rc));
		return rc ? store_rc(rc) : STORE_EIO;
	}
	if (store_point_current(st, number, err, errlen) == 0)
		store_sync_dir(st->dir);
	store_remove_old(st, e, number);
	store_env_release(st, e);
	close(lock);
	ss->instance = number;
	ss->bytes = (uint64_t)sb.st_size;
	ss->seconds = monoclock_now() - t0;
	return STORE_OK;
}
