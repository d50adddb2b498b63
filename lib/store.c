/* store.c -- the LMDB environment: open, close, map growth, counters.
 *
 * One environment directory holds every dataset (layout: store_layout.h).
 * The writer starts with a modest map and doubles it on MDB_MAP_FULL (the
 * write is retried whole); read-only opens map a large window up front so a
 * growing writer in another process practically never forces a remap.
 * Stale reader slots left by crashed processes are cleared at open.
 */
#include "store_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STORE_MAP_INITIAL ((size_t)1 << 30)
#define STORE_MAP_READER (sizeof(size_t) > 4 ? (size_t)64 << 30 : (size_t)1 << 30)

static const char *const store_db_names[SDB_COUNT] = {
	[SDB_INFO] = "info",     [SDB_NAMES] = "names", [SDB_META] = "meta",
	[SDB_VALUES] = "values", [SDB_VINDEX] = "vindex",
	[SDB_SRC4] = "src4",     [SDB_SRC6] = "src6",
	[SDB_IP4] = "ip4",       [SDB_IP6] = "ip6",     [SDB_DN] = "dn",
};

int store_rc(int rc)
{
	if (rc == 0)
		return STORE_OK;
	if (rc <= STORE_ENOTFOUND && rc >= STORE_ESCHEMA)
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

int store_grow(struct store *st, char *err, size_t errlen)
{
	size_t want = st->mapsize * 2;
	int rc;

	if (atomic_load(&st->active_readers) > 0) {
		store_seterr(err, errlen, "store map full (%zu bytes) and it "
			     "cannot grow while this process has readers open",
			     st->mapsize);
		return STORE_EIO;
	}
	if (want < st->mapsize) {
		store_seterr(err, errlen, "store map size overflow");
		return STORE_EIO;
	}
	rc = mdb_env_set_mapsize(st->env, want);
	if (rc) {
		store_seterr(err, errlen, "growing the store map to %zu bytes: %s",
			     want, mdb_strerror(rc));
		return rc;
	}
	st->mapsize = want;
	return 0;
}

int store_bump_generation(MDB_txn *txn, const struct store *st)
{
	uint64_t g;
	int rc = store_info_get(txn, st, "generation", &g, 0);

	return rc ? rc : store_info_put(txn, st, "generation", g + 1, 8);
}

/* Enough doublings to go from the smallest map to any disk. */
#define STORE_WRITE_ATTEMPTS 16

int store_write_txn(struct store *st, int (*body)(MDB_txn *txn, void *arg),
		    void *arg, char *err, size_t errlen)
{
	int rc = 0;

	for (int attempt = 0; attempt < STORE_WRITE_ATTEMPTS; attempt++) {
		MDB_txn *txn;

		rc = mdb_txn_begin(st->env, NULL, 0, &txn);
		if (rc)
			return rc;
		rc = body(txn, arg);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
		if (rc != MDB_MAP_FULL)
			return rc;
		if (store_grow(st, err, errlen) != 0)
			return STORE_EIO;
	}
	return rc;
}

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

static int store_open_dbs(struct store *st, char *err, size_t errlen)
{
	int ro = st->flags & STORE_READONLY;
	MDB_txn *txn;
	uint64_t schema;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc) {
		store_seterr(err, errlen, "store: begin: %s", mdb_strerror(rc));
		return rc;
	}
	for (int i = 0; i < SDB_COUNT; i++) {
		unsigned f = ro ? 0 : MDB_CREATE;

		if (i == SDB_SRC4 || i == SDB_SRC6 || i == SDB_IP4 || i == SDB_IP6)
			f |= MDB_DUPSORT | MDB_DUPFIXED;
		rc = mdb_dbi_open(txn, store_db_names[i], f, &st->dbi[i]);
		if (rc) {
			store_seterr(err, errlen, "store: table %s: %s%s",
				     store_db_names[i], mdb_strerror(rc),
				     rc == MDB_NOTFOUND ? " (store not initialised)" : "");
			mdb_txn_abort(txn);
			return rc == MDB_NOTFOUND ? STORE_ESCHEMA : rc;
		}
	}
	rc = store_info_get(txn, st, "schema", &schema, 0);
	if (rc == 0 && schema == 0 && !ro) {
		schema = STORE_SCHEMA;
		rc = store_info_put(txn, st, "schema", schema, 4);
	}
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

int store_open(struct store **out, const char *dir, unsigned flags,
	       char *err, size_t errlen)
{
	int ro = flags & STORE_READONLY;
	struct store *st;
	MDB_envinfo info;
	struct stat sb;
	int rc, dead;

	*out = NULL;
	if (!ro && mkdir(dir, 0755) < 0 && errno != EEXIST) {
		store_seterr(err, errlen, "store %s: mkdir: %s", dir, strerror(errno));
		return STORE_EIO;
	}
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		store_seterr(err, errlen, "store %s: not a directory%s", dir,
			     ro ? " (nothing loaded yet?)" : "");
		return STORE_ENOTFOUND;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return STORE_ENOMEM;
	st->flags = flags;
	atomic_init(&st->active_readers, 0);
	rc = mdb_env_create(&st->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(st->env, SDB_COUNT + 2);
	if (rc == 0)
		rc = mdb_env_set_maxreaders(st->env, 512);
	if (rc == 0)
		rc = mdb_env_set_mapsize(st->env, store_initial_mapsize(ro));
	if (rc == 0)
		rc = mdb_env_open(st->env, dir, MDB_NOTLS | (ro ? MDB_RDONLY : 0),
				  0644);
	if (rc) {
		store_seterr(err, errlen, "store %s: %s", dir, mdb_strerror(rc));
		mdb_env_close(st->env);
		free(st);
		return rc == ENOENT ? STORE_ENOTFOUND : store_rc(rc);
	}
	/* Slots of readers that died without closing would pin old pages. */
	mdb_reader_check(st->env, &dead);
	mdb_env_info(st->env, &info);
	st->mapsize = info.me_mapsize;
	rc = store_open_dbs(st, err, errlen);
	if (rc) {
		mdb_env_close(st->env);
		free(st);
		return store_rc(rc);
	}
	*out = st;
	return STORE_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	mdb_env_close(st->env);
	free(st);
}
