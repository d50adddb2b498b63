/* test_store_check.c -- lib/store_check.c: metadata against the data.
 *
 * A store written by loads and edits checks clean; then records are taken
 * away or added behind the store's back (plain LMDB calls, as a bug or a
 * bad copy would) and each kind of damage must be reported.
 */
#include "check.h"
#include "test_store_util.h"

#include <lmdb.h>

struct problems {
	char lines[16][512];
	int n;
};

static void collect(void *arg, const char *dataset, const char *problem)
{
	struct problems *p = arg;

	if (p->n < 16)
		snprintf(p->lines[p->n++], 512, "%s: %s",
			 dataset ? dataset : "store", problem);
}

static int run_check(struct store *st, struct problems *p)
{
	struct store_reader *rd;
	int n;

	memset(p, 0, sizeof(*p));
	store_reader_new(st, &rd);
	n = store_check(rd, collect, p);
	store_reader_free(rd);
	return n;
}

static int has(const struct problems *p, const char *text)
{
	for (int i = 0; i < p->n; i++)
		if (strstr(p->lines[i], text))
			return 1;
	fprintf(stderr, "    no problem says \"%s\"; got:\n", text);
	for (int i = 0; i < p->n; i++)
		fprintf(stderr, "      %s\n", p->lines[i]);
	return 0;
}

/* Damages the store directly: `fn` gets a write transaction and the
 * tables it asks for by name. */
static void tamper(const char *dir, void (*fn)(MDB_txn *txn, MDB_env *env))
{
	char path[600];
	MDB_env *env;
	MDB_txn *txn;

	snprintf(path, sizeof(path), "%s/v1", dir);
	mdb_env_create(&env);
	mdb_env_set_maxdbs(env, 32);
	mdb_env_set_mapsize(env, (size_t)1 << 30);
	if (mdb_env_open(env, path, 0, 0644) != 0) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	mdb_txn_begin(env, NULL, 0, &txn);
	fn(txn, env);
	mdb_txn_commit(txn);
	mdb_env_close(env);
}

static MDB_dbi table(MDB_txn *txn, const char *name, unsigned flags)
{
	MDB_dbi dbi;

	mdb_dbi_open(txn, name, flags, &dbi);
	return dbi;
}

/* One interval of dataset 1's IPv4 map gone. */
static void drop_interval(MDB_txn *txn, MDB_env *env)
{
	MDB_dbi dbi = table(txn, "ip4", MDB_DUPSORT | MDB_DUPFIXED);
	uint8_t kb[4] = { 0, 0, 0, 1 };
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;

	(void)env;
	mdb_cursor_open(txn, dbi, &c);
	if (mdb_cursor_get(c, &k, &d, MDB_SET_KEY) == 0)
		mdb_cursor_del(c, 0);
	mdb_cursor_close(c);
}

/* A source record of a dataset id no name has. */
static void add_orphan(MDB_txn *txn, MDB_env *env)
{
	MDB_dbi dbi = table(txn, "src4", MDB_DUPSORT | MDB_DUPFIXED);
	uint8_t kb[4] = { 0, 0, 3, 0xe7 }, rec[9] = { 10, 0, 0, 0, 8, 0, 0, 0, 1 };
	MDB_val k = { 4, kb }, d = { 9, rec };

	(void)env;
	mdb_put(txn, dbi, &k, &d, 0);
}

/* The last name record of the dn table (the dnset's) gone. */
static void drop_name(MDB_txn *txn, MDB_env *env)
{
	MDB_dbi dbi = table(txn, "dn", 0);
	MDB_val k, d;
	MDB_cursor *c;

	(void)env;
	mdb_cursor_open(txn, dbi, &c);
	if (mdb_cursor_get(c, &k, &d, MDB_LAST) == 0)
		mdb_cursor_del(c, 0);
	mdb_cursor_close(c);
}

int main(void)
{
	const char *dir = tsu_tmpdir("check");
	struct store *st = tsu_open(dir);
	struct dataset *ip = dataset_new(DS_IP4SET), *dn = dataset_new(DS_DNSET);
	struct store_ip_edit ed;
	struct problems p;
	char err[256];

	tsu_ip(ip, "10.0.0.0/8", tsu_val(ip, 2, NULL));
	tsu_ip(ip, "!10.1.2.3", 0);
	tsu_ip(ip, "192.0.2.0/24", tsu_val(ip, 3, "x"));
	tsu_put(st, "ip", ip, NULL);   /* dataset id 1 */
	tsu_dn(dn, "example.com", tsu_val(dn, 2, NULL));
	tsu_dn(dn, "*.example.com", tsu_val(dn, 2, NULL));
	tsu_put(st, "names", dn, NULL);
	/* An edit's window re-derivation must leave a consistent map too. */
	memset(&ed, 0, sizeof(ed));
	ed.op = STORE_EDIT_EXCLUDE;
	ed.family = 4;
	ed.plen = 16;
	ed.addr[0] = 10;
	ed.addr[1] = 7;
	CHECK_INT(store_edit_ip(st, "ip", &ed, 1, NULL, err, sizeof(err)), 0);
	CHECK_INT(run_check(st, &p), 0);
	store_close(st);

	tamper(dir, drop_interval);
	st = tsu_open(dir);
	CHECK(run_check(st, &p) >= 1);
	CHECK(has(&p, "ip: the IPv4 interval map is not what its 4 source "
		  "entries derive"));
	store_close(st);

	tamper(dir, add_orphan);
	tamper(dir, drop_name);
	st = tsu_open(dir);
	CHECK(run_check(st, &p) >= 3);
	CHECK(has(&p, "store: src4 records of dataset id 999, which no name has"));
	CHECK(has(&p, "names: the metadata counts 2 entries, the records hold 1"));
	store_close(st);
	dataset_free(ip);
	dataset_free(dn);
	tsu_cleanup();
	return check_report();
}
