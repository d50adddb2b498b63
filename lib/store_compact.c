/* store_compact.c -- give a bloated store's space back: copy the live data,
 * packed, into a new instance and move every process over to it.
 *
 * Why a copy and not mdb_env_copy2(MDB_CP_COMPACT): that one drops free
 * pages but keeps the half-full pages diffs leave behind (a 1M-entry store
 * after a few 1% updates: 55 MB against 36 MB fresh).  Re-putting every
 * record in key order with MDB_APPEND fills each page, as a fresh load does.
 *
 * The copy is taken from a read snapshot while the store keeps serving and
 * taking writes; it is only switched in if no write was committed since
 * (checked under the write lock), else it is thrown away and taken again;
 * the last try copies under the write lock (writers wait, it cannot miss).
 * A flock on DIR/compact.lock keeps compactions of several processes apart.
 * How processes move over is in store_instance.c.
 */
#include "store_private.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monoclock.h"
#include "store_diff.h"

/* Attempts when writes keep landing during the copy. */
#define COMPACT_ATTEMPTS 3
/* Below this many free pages (4 MiB of 4 KiB pages) space is not worth a
 * copy of the whole store. */
#define COMPACT_MIN_PAGES 1024

/* Copies table `dbi` of snapshot `src` into `dst` in key order. */
static int compact_table(MDB_txn *src, MDB_txn *dst, MDB_dbi dbi, int fixed)
{
	MDB_cursor *rc_ = NULL, *wc = NULL;
	unsigned append = MDB_APPEND;
	MDB_stat ms;
	MDB_val k, d;
	int rc;

	/* info already holds "schema" (written when the copy was created):
	 * append only into an empty table. */
	rc = mdb_stat(dst, dbi, &ms);
	if (rc == 0 && ms.ms_entries > 0)
		append = 0;
	if (rc == 0)
		rc = mdb_cursor_open(src, dbi, &rc_);
	if (rc == 0)
		rc = mdb_cursor_open(dst, dbi, &wc);
	for (rc = rc ? rc : mdb_cursor_get(rc_, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(rc_, &k, &d, fixed ? MDB_NEXT_NODUP : MDB_NEXT)) {
		size_t rsz = d.mv_size;

		if (!fixed) {
			rc = mdb_cursor_put(wc, &k, &d, append);
			if (rc)
				break;
			continue;
		}
		/* A page of duplicates at a time, appended as a run. */
		for (rc = mdb_cursor_get(rc_, &k, &d, MDB_GET_MULTIPLE); rc == 0;
		     rc = mdb_cursor_get(rc_, &k, &d, MDB_NEXT_MULTIPLE)) {
			rc = store_append_fixed(wc, &k, d.mv_data,
						d.mv_size / rsz, rsz);
			if (rc)
				break;
		}
		if (rc != MDB_NOTFOUND)
			break;
	}
	if (wc)
		mdb_cursor_close(wc);
	if (rc_)
		mdb_cursor_close(rc_);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every table of snapshot `src` into the empty instance `ne`, one write
 * transaction (retried whole with a bigger map when it runs out). */
static int compact_copy(struct store *st, MDB_txn *src, struct store_env *ne,
			char *err, size_t errlen)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		MDB_txn *dst = NULL;
		int rc = mdb_txn_begin(ne->env, NULL, 0, &dst);

		for (int i = 0; rc == 0 && i < SDB_COUNT; i++)
			rc = compact_table(src, dst, st->dbi[i],
					   i == SDB_SRC4 || i == SDB_SRC6 ||
					   i == SDB_IP4 || i == SDB_IP6);
		/* Readers that move over see a new generation. */
		if (rc == 0)
			rc = store_bump_generation(dst, st);
		if (rc == 0)
			rc = mdb_txn_commit(dst);
		else if (dst)
			mdb_txn_abort(dst);
		if (rc != MDB_MAP_FULL)
			return rc;
		if (store_grow(ne, err, errlen) != 0)
			return STORE_EIO;
	}
	return MDB_MAP_FULL;
}

/* Records the packed size in the copy, what store_space_bloated compares
 * the live size with later. */
static int compact_note_packed(struct store *st, struct store_env *ne)
{
	MDB_envinfo info;
	MDB_txn *txn;
	int rc = mdb_txn_begin(ne->env, NULL, 0, &txn);

	if (rc)
		return rc;
	mdb_env_info(ne->env, &info);
	rc = store_info_put(txn, st, "packed_pages", info.me_last_pgno + 1, 8);
	if (rc == 0)
		return mdb_txn_commit(txn);
	mdb_txn_abort(txn);
	return rc;
}

int store_copy_snapshot(struct store *st, MDB_txn *src, struct store_env *ne,
			char *err, size_t errlen)
{
	int rc = compact_copy(st, src, ne, err, errlen);

	if (rc == 0)
		rc = compact_note_packed(st, ne);
	return rc ? rc : mdb_env_sync(ne->env, 1);
}

/* Removes instances older than `number` left by crashes or by openers
 * that raced with an earlier compaction (processes still using one keep
 * their mapping: only the names go). */
static void compact_sweep(const struct store *st, unsigned number)
{
	DIR *d = opendir(st->dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX], *end;
		unsigned long v;

		if (de->d_name[0] != 'v')
			continue;
		v = strtoul(de->d_name + 1, &end, 10);
		if (*end || v == 0 || v >= number)
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, de->d_name);
		store_env_remove(path);
	}
	closedir(d);
}

static uint64_t file_bytes(const char *dir)
{
	char path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* Makes the new directory entries durable before anyone is sent there. */
void store_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Under the write lock of `e` (write txn `w`, which this ends): marks `e`
 * superseded by `ne` and makes `ne` this process's current instance.
 * 1 switched, <0 error (nothing switched). */
int store_switch_to(struct store *st, MDB_txn *w, struct store_env *ne)
{
	int rc = store_info_put(w, st, STORE_INFO_SUPERSEDED, ne->number, 4);

	if (rc == 0)
		rc = store_bump_generation(w, st);
	if (rc) {
		mdb_txn_abort(w);
		return rc;
	}
	/* Held across the commit: a thread of this process that sees the
	 * marker must find `ne` already current, not open it a second time. */
	pthread_mutex_lock(&st->lock);
	rc = mdb_txn_commit(w);
	if (rc == 0)
		store_env_install(st, ne);
	pthread_mutex_unlock(&st->lock);
	return rc ? rc : 1;
}

/* The old instance's files go; its space returns when the last process
 * has left it.  Older ones left behind by crashes go too. */
void store_remove_old(struct store *st, struct store_env *e,
		      unsigned number)
{
	if (e->number > 0)
		compact_sweep(st, number);
	else
		store_env_remove(e->path);   /* a flat store: DIR/data.mdb */
}

/* One try: copy, then switch.  Unlocked, the copy comes from a read
 * snapshot and is only switched in if no write was committed meanwhile;
 * `locked`, it comes from a write transaction, so writers wait for the
 * copy but it cannot miss.  1 done, 0 raced with a write or another
 * process's compaction (then *next is the instance that replaced `e`),
 * <0 error. */
static int compact_once(struct store *st, struct store_env *e, int locked,
			unsigned *next, struct store_compact_stats *cs,
			char *err, size_t errlen)
{
	struct store_env *ne = NULL;
	MDB_txn *src, *w = NULL;
	unsigned number = e->number + 1;
	char path[PATH_MAX];
	size_t txnid;
	int rc;

	rc = mdb_txn_begin(e->env, NULL, locked ? 0 : MDB_RDONLY, &src);
	if (rc)
		return rc;
	rc = store_superseded(src, st, next);
	if (rc == 0 && *next) {
		mdb_txn_abort(src);
		return 0;   /* another process compacted first: follow, retry */
	}
	txnid = mdb_txn_id(src);
	snprintf(path, sizeof(path), "%s/v%u", st->dir, number);
	store_env_remove(path);   /* left by a copy that died */
	if (rc == 0)
		rc = store_env_create(st, number, e->mapsize, &ne, err, errlen);
	if (rc == 0)
		rc = store_copy_snapshot(st, src, ne, err, errlen);
	if (rc == 0)
		store_sync_dir(st->dir);
	if (locked) {
		w = src;
	} else {
		mdb_txn_abort(src);
		if (rc == 0)
			rc = mdb_txn_begin(e->env, NULL, 0, &w);
		if (rc == 0 && mdb_txn_id(w) != txnid + 1) {
			mdb_txn_abort(w);   /* a write came in during the copy */
			w = NULL;
		}
	}
	if (rc == 0 && w)
		rc = store_switch_to(st, w, ne);
	else if (w)
		mdb_txn_abort(w);
	if (rc <= 0) {
		if (ne) {
			snprintf(path, sizeof(path), "%s", ne->path);
			store_env_close(ne);
			store_env_remove(path);
		}
		if (rc < 0 && !(err && *err))
			store_seterr(err, errlen, "store %s: compacting: %s",
				     st->dir, store_strerror(rc));
		return rc;
	}
	/* Switched: send new openers straight there. */
	if (store_point_current(st, number, err, errlen) == 0)
		store_sync_dir(st->dir);
	cs->after_bytes = file_bytes(ne->path);
	cs->instance = number;
	store_remove_old(st, e, number);
	return 1;
}

/* One compaction at a time per store, across processes: a second one
 * would remove the first one's copy in progress. */
int store_compact_lock(const struct store *st, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/compact.lock", st->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		store_seterr(err, errlen, "store %s: compaction lock: %s",
			     path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int store_compact(struct store *st, struct store_compact_stats *cs,
		  char *err, size_t errlen)
{
	double t0 = monoclock_now();
	int rc = 0, lock;

	memset(cs, 0, sizeof(*cs));
	if (err && errlen)
		err[0] = '\0';
	if (st->flags & STORE_READONLY) {
		store_seterr(err, errlen, "store %s: opened read-only", st->dir);
		return STORE_EINVAL;
	}
	lock = store_compact_lock(st, err, errlen);
	if (lock < 0)
		return STORE_EIO;
	for (int attempt = 0; attempt < COMPACT_ATTEMPTS; attempt++) {
		struct store_env *e = store_env_acquire(st);
		int locked = attempt == COMPACT_ATTEMPTS - 1;
		unsigned next = 0;

		cs->before_bytes = file_bytes(e->path);
		rc = compact_once(st, e, locked, &next, cs, err, errlen);
		if (rc == 0 && next) {
			/* Compacted by another process: take up the newest. */
			struct store_env *ne =
				store_env_follow(st, e, next, err, errlen);

			if (ne)
				store_env_release(st, ne);
		}
		store_env_release(st, e);
		if (rc != 0)
			break;
	}
	close(lock);   /* releases the flock */
	cs->seconds = monoclock_now() - t0;
	if (rc == 0) {
		store_seterr(err, errlen, "store %s: the store kept moving "
			     "during the copy (%d tries); try again later",
			     st->dir, COMPACT_ATTEMPTS);
		return STORE_EIO;
	}
	return rc < 0 ? store_rc(rc) : STORE_OK;
}

/* Free pages: the total of the freelist's page lists (as mdb_stat -f). */
static int freelist_pages(MDB_txn *txn, uint64_t *out)
{
	MDB_cursor *c;
	MDB_val k, d;
	int rc = mdb_cursor_open(txn, 0, &c);   /* 0 = LMDB's FREE_DBI */

	*out = 0;
	if (rc)
		return rc;
	while ((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		size_t n;

		if (d.mv_size < sizeof(n))
			continue;
		memcpy(&n, d.mv_data, sizeof(n));   /* an IDL: count first */
		*out += n;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int store_space(struct store *st, struct store_space *sp)
{
	struct store_env *e = store_env_acquire(st);
	MDB_envinfo info;
	MDB_stat ms;
	MDB_txn *txn;
	uint64_t packed = 0;
	int rc;

	memset(sp, 0, sizeof(*sp));
	rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0) {
		mdb_env_info(e->env, &info);
		mdb_env_stat(e->env, &ms);
		sp->page_size = ms.ms_psize;
		sp->file_pages = info.me_last_pgno + 1;
		sp->instance = e->number;
		rc = freelist_pages(txn, &sp->free_pages);
		if (rc == 0)
			rc = store_info_get(txn, st, "packed_pages", &packed, 0);
		sp->packed_pages = packed;
		mdb_txn_abort(txn);
	}
	store_env_release(st, e);
	return store_rc(rc);
}

int store_space_bloated(const struct store_space *sp)
{
	uint64_t live = sp->file_pages - sp->free_pages;

	if (sp->free_pages >= COMPACT_MIN_PAGES &&
	    sp->free_pages * 4 >= sp->file_pages)
		return 1;
	return sp->packed_pages &&
	       live >= sp->packed_pages * 3 / 2 + COMPACT_MIN_PAGES;
}

int store_compact_if_bloated(struct store *st, struct store_compact_stats *cs,
			     char *err, size_t errlen)
{
	struct store_space sp;
	int rc = store_space(st, &sp);

	memset(cs, 0, sizeof(*cs));
	if (rc) {
		store_seterr(err, errlen, "store %s: reading its free space: %s",
			     st->dir, store_strerror(rc));
		return rc;
	}
	if (!store_space_bloated(&sp))
		return 0;
	rc = store_compact(st, cs, err, errlen);
	return rc < 0 ? rc : 1;
}

void store_compact_describe(const struct store_compact_stats *cs, char *buf,
			    size_t len)
{
	snprintf(buf, len, "store: compacted into v%u, %.1f MB -> %.1f MB "
		 "in %.2f s", cs->instance, (double)cs->before_bytes / 1e6,
		 (double)cs->after_bytes / 1e6, cs->seconds);
}
