/* store_instance.c -- which LMDB environment holds the store, and moving
 * to a new one after a compaction.
 *
 * A store directory DIR holds:
 *   DIR/current          symlink to the current instance, "vN"
 *   DIR/vN/data.mdb      one LMDB environment (and its lock.mdb)
 *   DIR/compact.lock     flock'd by a compaction (store_compact.c)
 * A store made before instances existed keeps DIR/data.mdb itself: it is
 * instance 0 until its first compaction.
 *
 * Why instances: LMDB never gives file space back, and a write keeps both
 * versions of every page it touches, so a store that takes broad diffs
 * grows to 2-3x its packed size.  Compaction (store_compact.c) writes the
 * live data, packed, into DIR/vN+1, commits "superseded_by N+1" in vN and
 * then points `current` at vN+1.  Every process notices the marker in its
 * next snapshot (readers when the data changed, writers when they begin)
 * and moves over; the old files are unlinked, and their space returns when
 * the last process unmaps them.  Marker first, symlink second: a crash in
 * between leaves a marker that still leads to the complete copy.
 *
 * An LMDB environment must not be open twice in one process (closing one
 * descriptor drops the process's locks on the lock file), so each process
 * opens an instance once and shares it: st->cur is counted (users) and an
 * instance closes when its last reader or writer has left it.
 */
#include "store_private.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_MAP_INITIAL ((size_t)1 << 30)
#define STORE_MAP_READER (sizeof(size_t) > 4 ? (size_t)64 << 30 : (size_t)1 << 30)
/* Instances one open may pass through (each hop is a compaction that
 * happened while we were opening). */
#define STORE_MAX_HOPS 16

static const char *const store_db_names[SDB_COUNT] = {
	[SDB_INFO] = "info",     [SDB_NAMES] = "names", [SDB_META] = "meta",
	[SDB_VALUES] = "values", [SDB_VINDEX] = "vindex",
	[SDB_SRC4] = "src4",     [SDB_SRC6] = "src6",
	[SDB_IP4] = "ip4",       [SDB_IP6] = "ip6",     [SDB_DN] = "dn",
	[SDB_HISTORY] = "history", [SDB_EXPIRY] = "expiry",
	[SDB_STATUS] = "status", [SDB_TRAP] = "trap",
	[SDB_REQUEST] = "request",
};

/* The map size to start with: DNSBLD_STORE_MAPSIZE (bytes) overrides, so
 * tests can exercise growth. */
static size_t store_initial_mapsize(int readonly)
{
	const char *s = getenv("DNSBLD_STORE_MAPSIZE");

	if (s && *s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);

		if (*end == '\0' && v >= 65536)
			return (size_t)v;
	}
	return readonly ? STORE_MAP_READER : STORE_MAP_INITIAL;
}

int store_superseded(MDB_txn *txn, const struct store *st, unsigned *next)
{
	uint64_t v;
	int rc = store_info_get(txn, st, STORE_INFO_SUPERSEDED, &v, 0);

	*next = rc == 0 && v <= UINT_MAX ? (unsigned)v : 0;
	return rc;
}

/* memcmp order (LMDB's default: on a tie the shorter sorts first), four
 * bytes at a time and without a library call.  Same order, so stores
 * written with or without it are read alike; it only saves instructions
 * (the descents of one address lookup compare about 20 times). */
static int env_cmp_bytes(const MDB_val *a, const MDB_val *b)
{
	const uint8_t *x = a->mv_data, *y = b->mv_data;
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size, i = 0;

	for (; i + 4 <= n; i += 4) {
		uint32_t u, v;

		memcpy(&u, x + i, 4);
		memcpy(&v, y + i, 4);
		if (u != v) {
			u = __builtin_bswap32(u);
			v = __builtin_bswap32(v);
			return u < v ? -1 : 1;
		}
	}
	for (; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return a->mv_size < b->mv_size ? -1 : a->mv_size > b->mv_size;
}

/* Opens the tables of instance `e` (`create`: makes them in a new one),
 * checks the schema and reads its superseded marker into *next. */
static int env_open_dbs(struct store *st, struct store_env *e, int create,
			unsigned *next, char *err, size_t errlen)
{
	int ro = st->flags & STORE_READONLY;
	MDB_dbi dbi[SDB_COUNT];
	MDB_txn *txn;
	uint64_t schema;
	int rc;

	rc = mdb_txn_begin(e->env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc) {
		store_seterr(err, errlen, "store %s: begin: %s", e->path,
			     mdb_strerror(rc));
		return rc;
	}
	for (int i = 0; i < SDB_COUNT; i++) {
		int optional = i >= SDB_FIRST_OPTIONAL;
		unsigned f = create || (optional && !ro) ? MDB_CREATE : 0;

		if (i == SDB_SRC4 || i == SDB_SRC6 || i == SDB_IP4 || i == SDB_IP6)
			f |= MDB_DUPSORT | MDB_DUPFIXED;
		rc = mdb_dbi_open(txn, store_db_names[i], f, &dbi[i]);
		if (rc == MDB_NOTFOUND && optional) {
			/* An older store read-only: these read as empty. */
			dbi[i] = 0;
			continue;
		}
		if (rc == 0)
			rc = mdb_set_compare(txn, dbi[i], env_cmp_bytes);
		if (rc == 0 && (f & MDB_DUPSORT))
			rc = mdb_set_dupsort(txn, dbi[i], env_cmp_bytes);
		if (rc) {
			store_seterr(err, errlen, "store: table %s: %s%s",
				     store_db_names[i], mdb_strerror(rc),
				     rc == MDB_NOTFOUND ? " (store not initialised)" : "");
			mdb_txn_abort(txn);
			return rc == MDB_NOTFOUND ? STORE_ESCHEMA : rc;
		}
		if (st->dbi_known && dbi[i] != st->dbi[i] &&
		    !(optional && !st->dbi[i])) {
			store_seterr(err, errlen, "store %s: table %s has handle "
				     "%u, not %u as in the first instance",
				     e->path, store_db_names[i], dbi[i],
				     st->dbi[i]);
			mdb_txn_abort(txn);
			return STORE_EINVAL;
		}
	}
	memcpy(st->dbi, dbi, sizeof(dbi));
	st->dbi_known = 1;
	rc = store_info_get(txn, st, "schema", &schema, 0);
	if (rc == 0 && schema == 0 && !ro) {
		schema = STORE_SCHEMA;
		rc = store_info_put(txn, st, "schema", schema, 4);
	}
	if (rc == 0)
		rc = store_superseded(txn, st, next);
	if (rc) {
		store_seterr(err, errlen, "store: schema: %s", store_strerror(rc));
		mdb_txn_abort(txn);
		return rc;
	}
	if (schema != STORE_SCHEMA) {
		store_seterr(err, errlen, "store schema %llu, this program reads %d",
			     (unsigned long long)schema, STORE_SCHEMA);
		mdb_txn_abort(txn);
		return STORE_ESCHEMA;
	}
	rc = mdb_txn_commit(txn);
	if (rc)
		store_seterr(err, errlen, "store: commit: %s", mdb_strerror(rc));
	return rc;
}

/* No committed transaction at all: LMDB's first meta pages only. */
static int store_env_is_empty(struct store_env *e)
{
	MDB_envinfo info;

	return mdb_env_info(e->env, &info) == 0 && info.me_last_txnid == 0;
}

void store_env_close(struct store_env *e)
{
	if (!e)
		return;
	mdb_env_close(e->env);
	free(e->path);
	free(e);
}

/* Readers register in lock.mdb, so whoever may read the data must be
 * able to write the lock file: a group that reads data.mdb gets write on
 * lock.mdb.  That lets dnsbld run as another user of the store's group
 * (docs/SERVER.md, "Users and rights") and still follow a compaction into
 * a new instance; data.mdb itself stays the writer's alone.  A lock file
 * made by another user cannot be changed and is left as it is. */
static void env_share_lock(const char *path)
{
	char data[PATH_MAX + 16], lock[PATH_MAX + 16];
	struct stat ds, ls;

	snprintf(data, sizeof(data), "%s/data.mdb", path);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", path);
	if (stat(data, &ds) == 0 && (ds.st_mode & S_IRGRP) &&
	    stat(lock, &ls) == 0 && !(ls.st_mode & S_IWGRP))
		chmod(lock, (ls.st_mode & 07777) | S_IRGRP | S_IWGRP);
}

/* Opens instance directory `path` (`create`: a new, empty one); *next
 * gets its superseded marker.  STORE_ENOTFOUND if it has gone. */
static int env_open(struct store *st, const char *path, unsigned number,
		    int create, unsigned *next, struct store_env **out,
		    char *err, size_t errlen)
{
	char data[PATH_MAX];
	struct stat sb;
	int ro = st->flags & STORE_READONLY;
	struct store_env *e = calloc(1, sizeof(*e));
	MDB_envinfo info;
	int rc, dead;

	*out = NULL;
	if (!e || !(e->path = strdup(path))) {
		free(e);
		return STORE_ENOMEM;
	}
	e->number = number;
	atomic_init(&e->active_readers, 0);
	/* A writer would create data.mdb in an instance a compaction has
	 * just removed: look first (and see env_open_dbs for the rest). */
	snprintf(data, sizeof(data), "%s/data.mdb", path);
	if (!create && stat(data, &sb) < 0) {
		free(e->path);
		free(e);
		return STORE_ENOTFOUND;
	}
	rc = mdb_env_create(&e->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(e->env, SDB_COUNT + 2);
	if (rc == 0)
		rc = mdb_env_set_maxreaders(e->env, 512);
	if (rc == 0)
		rc = mdb_env_set_mapsize(e->env, store_initial_mapsize(ro));
	if (rc == 0)
		rc = mdb_env_open(e->env, path, MDB_NOTLS | (ro ? MDB_RDONLY : 0),
				  0644);
	if (rc) {
		store_seterr(err, errlen, "store %s: %s", path, mdb_strerror(rc));
		store_env_close(e);
		return rc == ENOENT ? STORE_ENOTFOUND : store_rc(rc);
	}
	if (!ro)
		env_share_lock(path);
	/* Slots of readers that died without closing would pin old pages. */
	mdb_reader_check(e->env, &dead);
	mdb_env_info(e->env, &info);
	e->mapsize = info.me_mapsize;
	rc = env_open_dbs(st, e, create, next, err, errlen);
	if (rc == STORE_ESCHEMA && !create && !(st->flags & STORE_READONLY) &&
	    store_env_is_empty(e)) {
		/* Made empty by our own open after the instance was removed. */
		store_env_close(e);
		store_env_remove(path);
		return STORE_ENOTFOUND;
	}
	if (rc) {
		store_env_close(e);
		return store_rc(rc);
	}
	*out = e;
	return STORE_OK;
}

int store_env_open_at(struct store *st, const char *path, unsigned number,
		      int create, unsigned *next, struct store_env **out,
		      char *err, size_t errlen)
{
	return env_open(st, path, number, create, next, out, err, errlen);
}

int store_env_create(struct store *st, unsigned number, size_t mapsize,
		     struct store_env **out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	unsigned next;
	int rc;

	snprintf(path, sizeof(path), "%s/v%u", st->dir, number);
	if (mkdir(path, 0755) < 0 && (errno != EEXIST || number != 1)) {
		store_seterr(err, errlen, "store %s: mkdir: %s", path,
			     strerror(errno));
		return STORE_EIO;
	}
	rc = env_open(st, path, number, 1, &next, out, err, errlen);
	if (rc == 0 && mapsize > (*out)->mapsize &&
	    mdb_env_set_mapsize((*out)->env, mapsize) == 0)
		(*out)->mapsize = mapsize;
	return rc;
}

void store_env_remove(const char *path)
{
	char f[PATH_MAX];

	snprintf(f, sizeof(f), "%s/data.mdb", path);
	unlink(f);
	snprintf(f, sizeof(f), "%s/lock.mdb", path);
	unlink(f);
	rmdir(path);   /* fails harmlessly for a flat store's DIR */
}

/* Which instance `current` names: 0 and *number set, STORE_ENOTFOUND if
 * there is none yet (*flat = 1 when DIR/data.mdb is an old flat store). */
static int store_locate(const struct store *st, unsigned *number, int *flat)
{
	char link[PATH_MAX], name[32];
	struct stat sb;
	ssize_t n;
	char *end;
	unsigned long v;

	*flat = 0;
	snprintf(link, sizeof(link), "%s/current", st->dir);
	n = readlink(link, name, sizeof(name) - 1);
	if (n > 1 && name[0] == 'v') {
		name[n] = '\0';
		v = strtoul(name + 1, &end, 10);
		if (*end == '\0' && v > 0 && v <= UINT_MAX) {
			*number = (unsigned)v;
			return 0;
		}
	}
	snprintf(link, sizeof(link), "%s/data.mdb", st->dir);
	if (stat(link, &sb) == 0) {
		*flat = 1;
		*number = 0;
		return 0;
	}
	return STORE_ENOTFOUND;
}

int store_point_current(const struct store *st, unsigned number,
			char *err, size_t errlen)
{
	char target[32], tmp[PATH_MAX], link[PATH_MAX];

	snprintf(target, sizeof(target), "v%u", number);
	snprintf(tmp, sizeof(tmp), "%s/current.%ld", st->dir, (long)getpid());
	snprintf(link, sizeof(link), "%s/current", st->dir);
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		store_seterr(err, errlen, "store %s: pointing current at %s: %s",
			     st->dir, target, strerror(errno));
		unlink(tmp);
		return STORE_EIO;
	}
	return 0;
}

/* Opens the newest instance: the one `current` names, or when that is the
 * instance `stale` we already know to be superseded (the compactor has not
 * moved the link yet, or died before it could), the one its marker
 * `stale_next` names.  A writer creates v1 in an empty store. */
static int store_open_newest(struct store *st, unsigned stale,
			     unsigned stale_next, struct store_env **out,
			     char *err, size_t errlen)
{
	int ro = st->flags & STORE_READONLY;
	int rc = STORE_ENOTFOUND;

	for (int hop = 0; hop < STORE_MAX_HOPS; hop++) {
		char path[PATH_MAX];
		unsigned number, next;
		int flat;

		rc = store_locate(st, &number, &flat);
		if (rc == STORE_ENOTFOUND && !ro && !stale_next) {
			/* A new store: make v1 and point at it (another
			 * writer doing the same at once wins the link). */
			struct store_env *e;

			rc = store_env_create(st, 1, 0, &e, err, errlen);
			if (rc)
				return rc;
			store_env_close(e);
			if (store_point_current(st, 1, err, errlen) < 0)
				return STORE_EIO;
			continue;
		}
		if (stale_next && (rc != 0 || number == stale)) {
			number = stale_next;
			flat = 0;
			rc = 0;
		}
		if (rc) {
			store_seterr(err, errlen, "store %s: no data there "
				     "(nothing loaded yet?)", st->dir);
			return rc;
		}
		if (flat)
			snprintf(path, sizeof(path), "%s", st->dir);
		else
			snprintf(path, sizeof(path), "%s/v%u", st->dir, number);
		rc = env_open(st, path, number, 0, &next, out, err, errlen);
		if (rc == STORE_ENOTFOUND)
			continue;   /* removed by a compaction meanwhile */
		if (rc)
			return rc;
		if (!next)
			return 0;
		store_env_close(*out);
		*out = NULL;
		stale = number;
		stale_next = next;
	}
	store_seterr(err, errlen, "store %s: the current instance "
		     "keeps moving (more than %d compactions while "
		     "opening)", st->dir, STORE_MAX_HOPS);
	return STORE_EIO;
}

struct store_env *store_env_acquire(struct store *st)
{
	struct store_env *e;

	pthread_mutex_lock(&st->lock);
	e = st->cur;
	e->users++;
	pthread_mutex_unlock(&st->lock);
	return e;
}

void store_env_release(struct store *st, struct store_env *e)
{
	int last;

	pthread_mutex_lock(&st->lock);
	last = --e->users == 0 && e != st->cur;
	pthread_mutex_unlock(&st->lock);
	if (last)
		store_env_close(e);
}

struct store_env *store_env_follow(struct store *st, struct store_env *old,
				   unsigned next, char *err, size_t errlen)
{
	struct store_env *e;

	pthread_mutex_lock(&st->lock);
	if (st->cur == old) {
		if (store_open_newest(st, old->number, next, &e, err,
				      errlen) != 0) {
			pthread_mutex_unlock(&st->lock);
			return NULL;
		}
		e->users = 1;      /* the store's own reference */
		old->users--;      /* the caller still holds one */
		st->cur = e;
	}
	e = st->cur;
	e->users++;
	pthread_mutex_unlock(&st->lock);
	return e;
}

int store_env_is_current(struct store *st, const struct store_env *e)
{
	int yes;

	pthread_mutex_lock(&st->lock);
	yes = st->cur == e;
	pthread_mutex_unlock(&st->lock);
	return yes;
}

void store_env_install(struct store *st, struct store_env *e)
{
	/* Called with st->lock held by the compactor, which holds `old`. */
	e->users = 1;
	st->cur->users--;
	st->cur = e;
}

int store_open(struct store **out, const char *dir, unsigned flags,
	       char *err, size_t errlen)
{
	int ro = flags & STORE_READONLY;
	struct store *st;
	struct stat sb;
	int rc;

	*out = NULL;
	if (!ro && mkdir(dir, 0755) < 0 && errno != EEXIST) {
		store_seterr(err, errlen, "store %s: mkdir: %s", dir, strerror(errno));
		return STORE_EIO;
	}
	if (stat(dir, &sb) < 0) {
		store_seterr(err, errlen, "store %s: %s%s", dir, strerror(errno),
			     ro ? " (nothing loaded yet?)" : "");
		return STORE_ENOTFOUND;
	}
	if (!S_ISDIR(sb.st_mode)) {
		store_seterr(err, errlen, "store %s: not a directory", dir);
		return STORE_ENOTFOUND;
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->dir = strdup(dir))) {
		free(st);
		return STORE_ENOMEM;
	}
	st->flags = flags;
	pthread_mutex_init(&st->lock, NULL);
	rc = store_open_newest(st, 0, 0, &st->cur, err, errlen);
	if (rc) {
		pthread_mutex_destroy(&st->lock);
		free(st->dir);
		free(st);
		return rc;
	}
	st->cur->users = 1;   /* the store's own reference */
	*out = st;
	return STORE_OK;
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	/* Readers and writers are gone: only the store's reference is left. */
	store_env_close(st->cur);
	pthread_mutex_destroy(&st->lock);
	free(st->dir);
	free(st);
}

int store_give_to(struct store *st, uid_t uid, gid_t gid, char *err,
		  size_t errlen)
{
	struct store_env *e = store_env_acquire(st);
	const char *names[] = { "", "/current", "/data.mdb", "/lock.mdb" };
	char path[PATH_MAX];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < 4; i++) {
		/* current is the store's; the files are the instance's. */
		snprintf(path, sizeof(path), "%s%s", i < 2 ? st->dir : e->path,
			 names[i]);
		if (lchown(path, uid, gid) < 0 && errno != ENOENT) {
			store_seterr(err, errlen, "store %s: chown: %s", path,
				     strerror(errno));
			rc = STORE_EIO;
		}
	}
	if (rc == 0 && e->number > 0 && lchown(e->path, uid, gid) < 0) {
		store_seterr(err, errlen, "store %s: chown: %s", e->path,
			     strerror(errno));
		rc = STORE_EIO;
	}
	store_env_release(st, e);
	return rc;
}
