/* test_store_compact.c -- compaction gives space back and loses nothing;
 * readers and writers in this and other processes move to the new
 * instance; an old flat store is compacted into the instance layout.
 */
#include "check.h"
#include "store_private.h"
#include "test_store_util.h"

#include <errno.h>
#include <sys/wait.h>

#define N_ADDR 200000

static uint32_t lcg_state;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

/* An ip4set of N_ADDR /32s from seed `seed`, every `change`-th one from
 * seed `seed2` instead (so two calls differ in about 1/change of it), plus
 * a few fixed CIDRs and an exclusion. */
static struct dataset *make_ip4(uint32_t seed, uint32_t seed2, unsigned change)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t v[4];
	char text[64];

	for (unsigned a = 0; a < 4; a++)
		v[a] = tsu_val(ds, 2 + a, NULL);
	tsu_ip(ds, "10.0.0.0/8", v[0]);
	tsu_ip(ds, "!10.1.0.0/16", 0);
	lcg_state = seed;
	for (unsigned i = 0; i < N_ADDR; i++) {
		uint32_t x = lcg(), y;
		uint32_t saved;

		if (change && i % change == 0) {
			saved = lcg_state;
			lcg_state = seed2 + i;
			y = lcg();
			lcg_state = saved;
			x = y;
		}
		snprintf(text, sizeof(text), "%u.%u.%u.%u", 11 + (x >> 24) % 200,
			 (x >> 16) & 255, (x >> 8) & 255, x & 255);
		tsu_ip(ds, text, v[x % 4]);
	}
	return ds;
}

static struct dataset *make_dn(void)
{
	struct dataset *ds = dataset_new(DS_DNSET);
	uint32_t v = tsu_val(ds, 2, "listed $");
	char text[64];

	for (unsigned i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "%sd%u.example", i % 7 ? "" : "*.", i);
		tsu_dn(ds, text, v);
	}
	return ds;
}

/* ---- a fingerprint of everything stored -------------------------------- */

static uint64_t fp_values(uint64_t h, const uint32_t *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = store_hash_update(h, &values[i], sizeof(values[i]));
	return h;
}

static int fp_range(const struct store_range_item *it, void *arg)
{
	uint64_t *h = arg;

	*h = store_hash_update(*h, &it->family, 1);
	*h = store_hash_update(*h, it->start, 16);
	*h = store_hash_update(*h, it->end, 16);
	*h = fp_values(*h, it->values, it->nvalues);
	return 0;
}

static int fp_ip(const struct store_ip_item *it, void *arg)
{
	uint64_t *h = arg;

	*h = store_hash_update(*h, &it->plen, 1);
	*h = store_hash_update(*h, &it->excluded, 1);
	*h = store_hash_update(*h, it->addr, 16);
	*h = fp_values(*h, it->values, it->nvalues);
	return 0;
}

static int fp_dn(const struct store_dn_item *it, void *arg)
{
	uint64_t *h = arg;
	char text[300];

	dname_to_text(it->name, text, sizeof(text));
	*h = store_hash_update(*h, text, strlen(text));
	*h = store_hash_update(*h, &it->wild, 1);
	*h = fp_values(*h, it->values, it->nvalues);
	return 0;
}

/* Every dataset's entries, answer map, values and counts. */
static uint64_t fingerprint(struct store *st)
{
	uint64_t h = STORE_HASH_INIT;
	struct store_reader *rd;
	char **names = NULL;
	size_t n = 0;

	if (store_reader_new(st, &rd) != STORE_OK)
		return 0;
	store_dataset_names(rd, &names, &n);
	for (size_t i = 0; i < n; i++) {
		struct store_dsmeta *m;

		h = store_hash_update(h, names[i], strlen(names[i]));
		if (store_dataset_meta(rd, names[i], &m) == STORE_OK) {
			h = store_hash_update(h, &m->entries, sizeof(m->entries));
			h = store_hash_update(h, &m->serial, sizeof(m->serial));
			if (m->type == DS_DNSET) {
				store_iter_dn(rd, m->dsid, fp_dn, &h);
			} else {
				store_iter_ip(rd, m->dsid, fp_ip, &h);
				store_iter_ranges(rd, m->dsid, fp_range, &h);
			}
			store_dsmeta_free(m);
		}
		free(names[i]);
	}
	free(names);
	store_reader_free(rd);
	return h;
}

/* Is a deleted data.mdb still mapped in this process? */
static int maps_deleted_store(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, "data.mdb (deleted)") != NULL;
	if (f)
		fclose(f);
	return found;
}

static int exists(const char *dir, const char *name)
{
	char p[1024];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &sb) == 0;
}

static const char *current_of(const char *dir)
{
	static char target[64];
	char p[1024];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/current", dir);
	n = readlink(p, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	return target;
}

/* Broad diffs leave the store bloated; compaction packs it and keeps every
 * record; the old instance's files are gone. */
static void test_compact_packs(void)
{
	const char *dir = tsu_tmpdir("compact");
	struct store *st = tsu_open(dir);
	struct store_space sp0, sp1, sp2;
	struct store_compact_stats cs;
	struct dataset *dn = make_dn(), *ds;
	uint64_t before;
	char err[512];

	CHECK_STR(current_of(dir), "v1");
	ds = make_ip4(1, 0, 0);
	tsu_put(st, "big", ds, NULL);
	dataset_free(ds);
	tsu_put(st, "names", dn, NULL);
	CHECK_INT(store_space(st, &sp0), STORE_OK);
	CHECK(!store_space_bloated(&sp0));   /* a fresh load is packed */
	for (uint32_t round = 1; round <= 2; round++) {
		ds = make_ip4(1, 1000 * round, 10);   /* 10% changed */
		tsu_put(st, "big", ds, NULL);
		dataset_free(ds);
	}
	CHECK_INT(store_space(st, &sp1), STORE_OK);
	CHECK(sp1.free_pages > 0);
	CHECK(store_space_bloated(&sp1));
	before = fingerprint(st);
	CHECK_INT(store_compact_if_bloated(st, &cs, err, sizeof(err)), 1);
	CHECK(cs.after_bytes > 0 && cs.after_bytes < cs.before_bytes);
	CHECK_INT(cs.instance, 2);
	CHECK(fingerprint(st) == before);
	CHECK_STR(current_of(dir), "v2");
	CHECK(!exists(dir, "v1"));
	CHECK_INT(store_space(st, &sp2), STORE_OK);
	CHECK(!store_space_bloated(&sp2));
	CHECK(sp2.packed_pages > 0);
	/* Packed at least as well as the fresh load. */
	CHECK(sp2.file_pages <= sp0.file_pages + 8);
	CHECK_INT(store_compact_if_bloated(st, &cs, err, sizeof(err)), 0);
	store_close(st);

	/* A new open finds the new instance and the same data. */
	st = tsu_open(dir);
	CHECK(fingerprint(st) == before);
	store_close(st);
	dataset_free(dn);
}

/* A reader of this process holding a snapshot across the compaction moves
 * over at its next renew; once idle it maps no deleted file. */
static void test_reader_follows(void)
{
	const char *dir = tsu_tmpdir("follow");
	struct store *st = tsu_open(dir);
	struct store_compact_stats cs;
	struct store_reader *rd;
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t id;
	char err[512];

	tsu_ip(ds, "192.0.2.0/24", tsu_val(ds, 2, NULL));
	id = tsu_put(st, "bl", ds, NULL);
	CHECK_INT(store_reader_new(st, &rd), STORE_OK);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "2");
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_OK);
	/* The snapshot taken before still answers. */
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "2");
	dataset_free(ds);
	ds = dataset_new(DS_IP4SET);
	tsu_ip(ds, "198.51.100.0/24", tsu_val(ds, 3, NULL));
	CHECK_INT(tsu_put(st, "bl", ds, NULL), id);
	CHECK_INT(store_reader_renew(rd), STORE_OK);
	CHECK(rd->e == st->cur);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "");
	CHECK_STR(tsu_q(rd, id, "198.51.100.7"), "3");
	/* Twice more while the reader is idle: it lets go of each one. */
	store_reader_idle(rd);
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_OK);
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_OK);
	CHECK_INT(cs.instance, 4);
	store_reader_idle(rd);
	CHECK(!maps_deleted_store());
	CHECK_INT(store_reader_renew(rd), STORE_OK);
	CHECK_STR(tsu_q(rd, id, "198.51.100.7"), "3");
	store_reader_free(rd);
	store_close(st);
	dataset_free(ds);
}

/* Another process, with a reader and a writer opened before the
 * compaction: the reader sees data written after it, the write lands in
 * the new instance, and the child ends mapping no deleted file. */
static void test_other_process(void)
{
	const char *dir = tsu_tmpdir("proc");
	struct store *st = tsu_open(dir);
	struct store_compact_stats cs;
	struct dataset *ds = dataset_new(DS_IP4SET);
	int go[2], ready[2], status = -1;
	char err[512], c;
	uint32_t id;
	pid_t pid;

	tsu_ip(ds, "192.0.2.0/24", tsu_val(ds, 2, NULL));
	id = tsu_put(st, "bl", ds, NULL);
	dataset_free(ds);
	store_close(st);
	CHECK(pipe(go) == 0 && pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		struct store *rs = NULL, *ws = tsu_open(dir);
		struct store_reader *rd;
		struct dataset *w = dataset_new(DS_IP4SET);
		int bad = 0;

		bad |= store_open(&rs, dir, STORE_READONLY, err,
				  sizeof(err)) != STORE_OK;
		bad |= store_reader_new(rs, &rd) != STORE_OK;
		bad |= strcmp(tsu_q(rd, id, "192.0.2.1"), "2") != 0;
		store_reader_idle(rd);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		/* The parent compacted and wrote "ok" 203.0.113.0/24 -> 4. */
		bad |= store_reader_renew(rd) != STORE_OK;
		bad |= strcmp(tsu_q(rd, id, "203.0.113.9"), "4") != 0;
		/* This writer still has the old instance: it must follow. */
		tsu_ip(w, "233.252.0.0/24", tsu_val(w, 5, NULL));
		bad |= store_put_dataset(ws, "child", w, NULL, 0, NULL, err,
					 sizeof(err)) != STORE_OK;
		store_reader_idle(rd);
		bad |= maps_deleted_store();
		store_reader_free(rd);
		store_close(rs);
		store_close(ws);
		dataset_free(w);
		_exit(bad ? 1 : 0);
	}
	CHECK(pid > 0);
	CHECK(read(ready[0], &c, 1) == 1);
	st = tsu_open(dir);
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_OK);
	ds = dataset_new(DS_IP4SET);
	tsu_ip(ds, "203.0.113.0/24", tsu_val(ds, 4, NULL));
	CHECK_INT(tsu_put(st, "bl", ds, NULL), id);
	dataset_free(ds);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	store_close(st);
	/* The child's write is in the store everyone opens now. */
	st = tsu_open(dir);
	{
		struct store_reader *rd;
		struct store_dsmeta *m = NULL;

		CHECK_INT(store_reader_new(st, &rd), STORE_OK);
		CHECK_INT(store_dataset_meta(rd, "child", &m), STORE_OK);
		if (m)
			CHECK_STR(tsu_q(rd, m->dsid, "233.252.0.1"), "5");
		store_dsmeta_free(m);
		store_reader_free(rd);
	}
	store_close(st);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* Writes from another process keep landing while this one compacts again
 * and again: a copy is only switched in if nothing was committed during
 * it (the last try holds the write lock), so not one write is lost and
 * every compaction ends. */
static void test_writes_during_compaction(void)
{
	const char *dir = tsu_tmpdir("race");
	struct store *st = tsu_open(dir);
	struct store_compact_stats cs;
	struct dataset *ds = make_ip4(7, 0, 0);
	struct store_reader *rd;
	int status = -1, compacted = 0;
	char err[512];
	uint32_t id;
	pid_t pid;

	id = tsu_put(st, "bl", ds, NULL);
	dataset_free(ds);
	store_close(st);
	pid = fork();
	if (pid == 0) {
		struct store *ws = tsu_open(dir);
		int bad = 0;

		for (unsigned i = 0; i < 150; i++) {
			struct store_ip_edit e = { .op = STORE_EDIT_SET,
						   .family = 4, .plen = 32 };

			e.addr[0] = 198;
			e.addr[1] = 18;
			e.addr[2] = (uint8_t)(i >> 8);
			e.addr[3] = (uint8_t)i;
			e.value.a = 0x7f000009;
			bad |= store_edit_ip(ws, "bl", &e, 1, NULL, err,
					     sizeof(err)) != STORE_OK;
		}
		store_close(ws);
		_exit(bad ? 1 : 0);
	}
	st = tsu_open(dir);
	for (int i = 0; i < 6; i++)
		compacted += store_compact(st, &cs, err, sizeof(err)) == STORE_OK;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(compacted, 6);
	CHECK_INT(store_reader_new(st, &rd), STORE_OK);
	for (unsigned i = 0; i < 150; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.%u.%u", i >> 8, i & 255);
		if (strcmp(tsu_q(rd, id, a), "9") != 0) {
			CHECK_STR(tsu_q(rd, id, a), "9");
			break;
		}
	}
	CHECK_STR(tsu_q(rd, id, "198.18.0.149"), "9");
	store_reader_free(rd);
	store_close(st);
}

/* Two processes compacting the same store at once take turns (flock):
 * each compaction makes one new instance and the data stays whole. */
static void test_two_compactors(void)
{
	const char *dir = tsu_tmpdir("two");
	struct store *st = tsu_open(dir);
	struct store_compact_stats cs;
	struct dataset *ds = make_ip4(9, 0, 0);
	int status = -1, ok = 0;
	char err[512];
	uint64_t before;
	pid_t pid;

	tsu_put(st, "bl", ds, NULL);
	dataset_free(ds);
	before = fingerprint(st);
	store_close(st);
	pid = fork();
	if (pid == 0) {
		struct store *cs_st = tsu_open(dir);
		int bad = 0;

		for (int i = 0; i < 3; i++)
			bad |= store_compact(cs_st, &cs, err, sizeof(err)) != STORE_OK;
		store_close(cs_st);
		_exit(bad);
	}
	st = tsu_open(dir);
	for (int i = 0; i < 3; i++)
		ok += store_compact(st, &cs, err, sizeof(err)) == STORE_OK;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(ok, 3);
	CHECK_STR(current_of(dir), "v7");
	CHECK(fingerprint(st) == before);
	store_close(st);
	st = tsu_open(dir);
	CHECK(fingerprint(st) == before);
	CHECK_INT(st->cur->number, 7);
	store_close(st);
}

/* A store made before instances (DIR/data.mdb) opens as it is and is
 * compacted into DIR/v1. */
static void test_flat_store(void)
{
	const char *dir = tsu_tmpdir("flat");
	struct store *st = tsu_open(dir);
	struct store_compact_stats cs;
	struct dataset *dn = make_dn();
	char from[1024], to[1024], err[512];
	uint64_t before;

	tsu_put(st, "names", dn, NULL);
	before = fingerprint(st);
	store_close(st);
	/* Turn it into the old layout. */
	for (int i = 0; i < 2; i++) {
		const char *f = i ? "lock.mdb" : "data.mdb";

		snprintf(from, sizeof(from), "%s/v1/%s", dir, f);
		snprintf(to, sizeof(to), "%s/%s", dir, f);
		CHECK(rename(from, to) == 0);
	}
	snprintf(from, sizeof(from), "%s/v1", dir);
	CHECK(rmdir(from) == 0);
	snprintf(from, sizeof(from), "%s/current", dir);
	CHECK(unlink(from) == 0);

	st = tsu_open(dir);
	CHECK(fingerprint(st) == before);
	CHECK_INT(st->cur->number, 0);
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_OK);
	CHECK_INT(cs.instance, 1);
	CHECK_STR(current_of(dir), "v1");
	CHECK(!exists(dir, "data.mdb"));
	CHECK(fingerprint(st) == before);
	store_close(st);
	st = tsu_open(dir);
	CHECK(fingerprint(st) == before);
	store_close(st);
	dataset_free(dn);
}

/* A read-only open of a directory with no store says so. */
static void test_readonly_empty(void)
{
	const char *dir = tsu_tmpdir("empty");
	struct store *st = NULL;
	struct store_compact_stats cs;
	char err[512];

	CHECK_INT(store_open(&st, dir, STORE_READONLY, err, sizeof(err)),
		  STORE_ENOTFOUND);
	CHECK(strstr(err, "nothing loaded yet") != NULL);
	CHECK(!exists(dir, "current"));
	st = tsu_open(dir);
	store_close(st);
	CHECK_INT(store_open(&st, dir, STORE_READONLY, err, sizeof(err)),
		  STORE_OK);
	CHECK_INT(store_compact(st, &cs, err, sizeof(err)), STORE_EINVAL);
	store_close(st);
}

int main(void)
{
	test_compact_packs();
	test_reader_follows();
	test_other_process();
	test_writes_during_compaction();
	test_two_compactors();
	test_flat_store();
	test_readonly_empty();
	tsu_cleanup();
	return check_report();
}
