/* test_store.c -- lib/store: writes, diffs, metadata, snapshots, drop.
 *
 * What the loader and server rely on besides the lookups themselves: a
 * re-put writes only the difference and bumps the serial only on change,
 * readers keep their snapshot while a writer commits, metadata round-trips
 * field by field, combined sections become hidden children, a bad dataset
 * changes nothing, and a read-only open reads the same data.
 */
#include "check.h"
#include "store_private.h"
#include "test_store_util.h"

#include <pthread.h>
#include <time.h>

static struct store *st;

static struct dataset *spaced_set(unsigned n, unsigned skip)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t v = tsu_val(ds, 2, "listed $");

	/* 10.0.x.y every other address (so nothing merges), minus `skip`. */
	for (unsigned i = 0; i < n; i++) {
		struct ds_ip_entry e = { 0 };
		uint32_t a = 0x0a000000u + 2 * i;

		if (i == skip)
			continue;
		e.family = 4;
		e.plen = 32;
		e.addr[0] = (uint8_t)(a >> 24);
		e.addr[1] = (uint8_t)(a >> 16);
		e.addr[2] = (uint8_t)(a >> 8);
		e.addr[3] = (uint8_t)a;
		e.value = v;
		dataset_add_ip(ds, &e);
	}
	return ds;
}

static struct store_dsmeta *meta_of(const char *name)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;

	store_reader_new(st, &rd);
	store_dataset_meta(rd, name, &m);
	store_reader_free(rd);
	return m;
}

static uint64_t generation(void)
{
	struct store_reader *rd;
	uint64_t g;

	store_reader_new(st, &rd);
	g = store_generation(rd);
	store_reader_free(rd);
	return g;
}

static void test_diff_reput(void)
{
	struct dataset *a = spaced_set(100, 1000), *b = spaced_set(100, 1000);
	struct dataset *c = spaced_set(100, 7);
	struct store_source src = { "/feeds/a.txt", 1234, 1000, 0xabcdef };
	struct store_apply_stats s;
	struct store_dsmeta *m1, *m2, *m3, *m4;
	struct store_reader *rd;
	char err[256];
	uint64_t g1, g2, g3;
	uint32_t id;

	CHECK_INT(store_put_dataset(st, "diff", a, &src, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.entries, 100);
	CHECK_INT(s.added, 200);      /* 100 source + 100 intervals */
	CHECK_INT(s.removed, 0);
	CHECK_INT(s.unchanged, 0);
	m1 = meta_of("diff");
	g1 = generation();
	CHECK(m1 && m1->serial >= (uint32_t)time(NULL) - 5);

	/* Same data again: nothing written, serial kept, identity updated. */
	src.hash = 0x1111;
	CHECK_INT(store_put_dataset(st, "diff", b, &src, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.added, 0);
	CHECK_INT(s.removed, 0);
	CHECK_INT(s.unchanged, 200);
	m2 = meta_of("diff");
	g2 = generation();
	CHECK(m2 && m1 && m2->serial == m1->serial);
	CHECK(m2 && m2->nsources == 1 && m2->sources[0].hash == 0x1111);
	CHECK(m2 && m1 && m2->loaded_at >= m1->loaded_at);
	CHECK(g2 > g1);

	/* One entry gone: one source and one interval record removed. */
	CHECK_INT(store_put_dataset(st, "diff", c, &src, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.entries, 99);
	CHECK_INT(s.added, 0);
	CHECK_INT(s.removed, 2);
	CHECK_INT(s.unchanged, 198);
	m3 = meta_of("diff");
	g3 = generation();
	CHECK(m3 && m2 && m3->serial > m2->serial);
	CHECK(g3 > g2);
	CHECK(m3 && m3->entries == 99);
	id = m3 ? m3->dsid : 0;
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "10.0.0.14"), "");
	CHECK_STR(tsu_q(rd, id, "10.0.0.12"), "2");
	CHECK_STR(tsu_q(rd, id, "10.0.0.13"), "");
	store_reader_free(rd);

	/* Back, plus a changed value for one: changed records are rewritten. */
	a->values[0].a = 0x7f000003;
	CHECK_INT(store_put_dataset(st, "diff", a, &src, 1, &s, err, sizeof(err)), 0);
	/* Every record's ref changed: rewritten whole, not diffed. */
	CHECK_INT(s.added, 200);
	CHECK_INT(s.removed, 198);
	m4 = meta_of("diff");
	CHECK(m4 && m3 && m4->serial > m3->serial);
	CHECK(m4 && m3 && m4->dsid == m3->dsid);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "10.0.0.14"), "3");
	store_reader_free(rd);
	store_dsmeta_free(m1);
	store_dsmeta_free(m2);
	store_dsmeta_free(m3);
	store_dsmeta_free(m4);
	dataset_free(a);
	dataset_free(b);
	dataset_free(c);
}

static void test_meta_only_change(void)
{
	struct dataset *a = spaced_set(10, 100);
	struct store_apply_stats s;
	struct store_dsmeta *m1, *m2;
	char err[256];

	CHECK_INT(store_put_dataset(st, "ttl", a, NULL, 0, &s, err, sizeof(err)), 0);
	m1 = meta_of("ttl");
	a->meta.ttl = 600;
	CHECK_INT(store_put_dataset(st, "ttl", a, NULL, 0, &s, err, sizeof(err)), 0);
	CHECK_INT(s.added + s.removed, 0);
	m2 = meta_of("ttl");
	CHECK(m1 && m2 && m2->serial > m1->serial);
	CHECK(m2 && m2->meta.ttl == 600);
	store_dsmeta_free(m1);
	store_dsmeta_free(m2);
	dataset_free(a);
}

static void test_value_dedup(void)
{
	struct dataset *a = dataset_new(DS_IP4SET), *b = dataset_new(DS_DNSET);
	struct store_reader *rd;
	struct store_match m1, m2;
	struct ds_ip_entry e;
	uint32_t ida, idb;

	tsu_val(a, 9, "unused");
	tsu_ip(a, "192.0.2.1", tsu_val(a, 4, "shared text"));
	tsu_dn(b, "x.example", tsu_val(b, 4, "shared text"));
	ida = tsu_put(st, "dedup-a", a, NULL);
	idb = tsu_put(st, "dedup-b", b, NULL);
	CHECK(ida != idb);
	store_reader_new(st, &rd);
	tsu_parse("192.0.2.1", &e);
	CHECK_INT(store_lookup_ip(rd, ida, 4, e.addr, &m1), 1);
	CHECK_INT(store_lookup_dn(rd, idb, tsu_name("x.example"), &m2, NULL), 1);
	CHECK(m1.nvalues == 1 && m2.nvalues == 1 && m1.values[0] == m2.values[0]);
	CHECK_INT(store_value_get(rd, 0, &(struct store_value){ 0 }), STORE_EINVAL);
	CHECK_INT(store_value_get(rd, 0x7ffffff0, &(struct store_value){ 0 }),
		  STORE_ENOTFOUND);
	store_reader_free(rd);
	dataset_free(a);
	dataset_free(b);
}

static void test_mvcc(void)
{
	struct dataset *a = dataset_new(DS_IP4SET), *b = dataset_new(DS_IP4SET);
	struct store_reader *old, *cur;
	uint64_t g0;
	uint32_t id;
	char err[256];

	tsu_ip(a, "198.51.100.0/24", tsu_val(a, 2, NULL));
	tsu_ip(b, "198.51.100.0/24", tsu_val(b, 3, NULL));
	tsu_ip(b, "203.0.113.0/24", tsu_val(b, 3, NULL));
	id = tsu_put(st, "mvcc", a, NULL);
	store_reader_new(st, &old);
	g0 = store_generation(old);
	CHECK_INT(store_put_dataset(st, "mvcc", b, NULL, 0, NULL, err, sizeof(err)), 0);
	/* The open snapshot still answers from the old data ... */
	CHECK_STR(tsu_q(old, id, "198.51.100.7"), "2");
	CHECK_STR(tsu_q(old, id, "203.0.113.7"), "");
	CHECK(store_generation(old) == g0);
	/* ... a new reader sees the commit ... */
	store_reader_new(st, &cur);
	CHECK_STR(tsu_q(cur, id, "198.51.100.7"), "3");
	CHECK_STR(tsu_q(cur, id, "203.0.113.7"), "3");
	/* ... and so does the old one once renewed. */
	CHECK_INT(store_reader_renew(old), STORE_OK);
	CHECK(store_generation(old) > g0);
	CHECK_STR(tsu_q(old, id, "203.0.113.7"), "3");
	/* Reset readers refuse lookups instead of reading freed pages. */
	store_reader_reset(old);
	CHECK_STR(tsu_q(old, id, "203.0.113.7"), "ERR");
	CHECK_INT(store_generation(old), 0);
	CHECK_INT(store_reader_renew(old), STORE_OK);
	CHECK_STR(tsu_q(old, id, "203.0.113.7"), "3");
	store_reader_free(old);
	store_reader_free(cur);
	dataset_free(a);
	dataset_free(b);
}

/* A renewed reader keeps its snapshot while nothing is committed (renew is
 * then free) and moves to the new one after a commit: cursors, generation
 * and cached values follow, for every lookup kind, over many renews. */
static void test_renew_keeps_snapshot(void)
{
	struct dataset *a = dataset_new(DS_IP4SET), *b = dataset_new(DS_IP4SET);
	struct dataset *d = dataset_new(DS_DNSET);
	struct store_reader *rd;
	struct store_value v;
	struct store_match m;
	struct ds_ip_entry e;
	uint32_t id, dn;
	uint64_t g0;
	char err[256];

	tsu_ip(a, "192.0.2.0/24", tsu_val(a, 2, "two"));
	tsu_ip(b, "192.0.2.0/24", tsu_val(b, 5, "five"));
	tsu_dn(d, "*.example", tsu_val(d, 7, NULL));
	id = tsu_put(st, "renew", a, NULL);
	dn = tsu_put(st, "renewdn", d, NULL);
	store_reader_new(st, &rd);
	g0 = store_generation(rd);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(store_reader_renew(rd), STORE_OK);
		CHECK(store_generation(rd) == g0);
		CHECK_STR(tsu_q(rd, id, "192.0.2.9"), "2");
		CHECK_STR(tsu_qdn(rd, dn, "x.example", NULL), "7");
		CHECK_INT(store_name_has_below(rd, dn, tsu_name("example")), 1);
	}
	/* A value read twice (the second from the cache) says the same. */
	tsu_parse("192.0.2.9", &e);
	CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 1);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(store_value_get(rd, m.values[0], &v), STORE_OK);
		CHECK_INT(v.a & 0xff, 2);
		CHECK(v.txtlen == 3 && memcmp(v.txt, "two", 3) == 0);
	}
	/* Reset, then renewed with nothing committed: answers again. */
	store_reader_reset(rd);
	CHECK_STR(tsu_q(rd, id, "192.0.2.9"), "ERR");
	CHECK_INT(store_reader_renew(rd), STORE_OK);
	CHECK_STR(tsu_q(rd, id, "192.0.2.9"), "2");
	/* A commit: the held snapshot is kept until renewed, then dropped. */
	CHECK_INT(store_put_dataset(st, "renew", b, NULL, 0, NULL, err,
				    sizeof(err)), 0);
	CHECK_STR(tsu_q(rd, id, "192.0.2.9"), "2");
	CHECK(store_generation(rd) == g0);
	CHECK_INT(store_reader_renew(rd), STORE_OK);
	CHECK(store_generation(rd) > g0);
	CHECK_STR(tsu_q(rd, id, "192.0.2.9"), "5");
	CHECK_STR(tsu_qdn(rd, dn, "y.example", NULL), "7");
	CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 1);
	CHECK_INT(store_value_get(rd, m.values[0], &v), STORE_OK);
	CHECK(v.txtlen == 4 && memcmp(v.txt, "five", 4) == 0);
	store_reader_free(rd);
	dataset_free(a);
	dataset_free(b);
	dataset_free(d);
}

static void test_meta_roundtrip(void)
{
	struct dataset *ds = dataset_new(DS_IP4TRIE);
	struct store_source src[2] = {
		{ "/srv/feeds/one.gz", 77, 1700000000, 0x0123456789abcdefULL },
		{ "/srv/feeds/two", 0, 1700000500, 42 },
	};
	struct store_dsmeta *m;
	char err[256];
	uint8_t w[DNAME_MAX];

	ds->meta.soa.present = 1;
	ds->meta.soa.ttl = 3600;
	dname_from_text("ns1.example.net", 15, w, 1);
	ds->meta.soa.mname = wname_dup(w);
	dname_from_text("hostmaster.example.net", 22, w, 1);
	ds->meta.soa.rname = wname_dup(w);
	ds->meta.soa.serial = 0;
	ds->meta.soa.refresh = 600;
	ds->meta.soa.retry = 300;
	ds->meta.soa.expire = 86400;
	ds->meta.soa.minimum = 120;
	ds->meta.ns.ttl = 7200;
	ds->meta.ns.count = 2;
	dname_from_text("a.ns.example", 12, w, 1);
	ds->meta.ns.names[0] = wname_dup(w);
	dname_from_text("b.ns.example", 12, w, 1);
	ds->meta.ns.names[1] = wname_dup(w);
	ds->meta.ttl = 2100;
	ds->meta.maxrange4 = 65536;
	ds->meta.timestamp = 1690000000;
	ds->meta.expires = 1800000000;
	ds->meta.vars[0] = strdup("zero");
	ds->meta.vars[9] = strdup("");
	ds->meta.base_template = strdup("see http://x/$");
	tsu_ip(ds, "192.0.2.0/24", tsu_val(ds, 2, NULL));
	tsu_ip(ds, "!192.0.2.8/29", 0);
	CHECK_INT(store_put_dataset(st, "meta", ds, src, 2, NULL, err, sizeof(err)), 0);
	m = meta_of("meta");
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(m->name, "meta");
	CHECK_INT(m->type, DS_IP4TRIE);
	CHECK_INT(m->entries, 2);
	CHECK_INT(m->newest_mtime, 1700000500);
	CHECK(m->loaded_at >= (int64_t)time(NULL) - 5);
	CHECK_INT(m->meta.soa.present, 1);
	CHECK_INT(m->meta.soa.ttl, 3600);
	CHECK(dname_equal(m->meta.soa.mname, (const uint8_t *)"\3ns1\7example\3net"));
	CHECK(dname_equal(m->meta.soa.rname,
			  (const uint8_t *)"\12hostmaster\7example\3net"));
	CHECK_INT(m->meta.soa.serial, 0);
	CHECK_INT(m->meta.soa.refresh, 600);
	CHECK_INT(m->meta.soa.retry, 300);
	CHECK_INT(m->meta.soa.expire, 86400);
	CHECK_INT(m->meta.soa.minimum, 120);
	CHECK_INT(m->meta.ns.ttl, 7200);
	CHECK_INT(m->meta.ns.count, 2);
	CHECK(m->meta.ns.count == 2 &&
	      dname_equal(m->meta.ns.names[1], (const uint8_t *)"\1b\2ns\7example"));
	CHECK_INT(m->meta.ttl, 2100);
	CHECK_INT(m->meta.maxrange4, 65536);
	CHECK_INT(m->meta.timestamp, 1690000000);
	CHECK_INT(m->meta.expires, 1800000000);
	CHECK_STR(m->meta.vars[0], "zero");
	CHECK_STR(m->meta.vars[1], NULL);
	CHECK_STR(m->meta.vars[9], "");
	CHECK_STR(m->meta.base_template, "see http://x/$");
	CHECK_INT(m->nsources, 2);
	if (m->nsources == 2) {
		CHECK_STR(m->sources[0].path, "/srv/feeds/one.gz");
		CHECK_INT(m->sources[0].size, 77);
		CHECK_INT(m->sources[0].mtime, 1700000000);
		CHECK(m->sources[0].hash == 0x0123456789abcdefULL);
		CHECK_STR(m->sources[1].path, "/srv/feeds/two");
	}
	CHECK_INT(m->nchildren, 0);
	store_dsmeta_free(m);
	dataset_free(ds);
}

static void test_combined(void)
{
	struct dataset *ds = dataset_new(DS_COMBINED), *one;
	struct ds_child *c1, *c2;
	struct store_reader *rd;
	struct store_dsmeta *m;
	struct store_apply_stats s;
	char **names;
	size_t n;
	uint32_t cid1 = 0, cid2 = 0;
	char err[256];
	int found = 0;

	ds->meta.ttl = 900;
	c1 = dataset_add_child(ds, DS_IP4SET, "ips");
	c1->nsubzones = 2;
	c1->subzones = calloc(2, sizeof(*c1->subzones));
	c1->subzones[0] = wname_dup((const uint8_t *)"");
	c1->subzones[1] = wname_dup((const uint8_t *)"\3ip4");
	tsu_ip(c1->data, "192.0.2.0/24", tsu_val(c1->data, 2, NULL));
	c2 = dataset_add_child(ds, DS_DNSET, NULL);
	c2->nsubzones = 1;
	c2->subzones = calloc(1, sizeof(*c2->subzones));
	c2->subzones[0] = wname_dup((const uint8_t *)"\3dbl");
	tsu_dn(c2->data, "bad.example", tsu_val(c2->data, 3, NULL));
	CHECK_INT(store_put_dataset(st, "combo", ds, NULL, 0, &s, err, sizeof(err)), 0);
	CHECK_INT(s.entries, 2);
	m = meta_of("combo");
	CHECK(m && m->type == DS_COMBINED && m->nchildren == 2);
	if (m && m->nchildren == 2) {
		CHECK_STR(m->children[0].label, "ips");
		CHECK_STR(m->children[1].label, NULL);
		CHECK_INT(m->children[0].nsubzones, 2);
		CHECK(m->children[0].nsubzones == 2 &&
		      m->children[0].subzones[0][0] == 0 &&
		      dname_equal(m->children[0].subzones[1], (const uint8_t *)"\3ip4"));
		CHECK(m->children[0].meta && m->children[0].meta->type == DS_IP4SET);
		CHECK(m->children[1].meta && m->children[1].meta->type == DS_DNSET);
		CHECK_INT(m->meta.ttl, 900);
		if (m->children[0].meta && m->children[1].meta) {
			cid1 = m->children[0].meta->dsid;
			cid2 = m->children[1].meta->dsid;
			CHECK_STR(m->children[0].meta->name, "combo/1");
		}
	}
	store_dsmeta_free(m);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, cid1, "192.0.2.9"), "2");
	CHECK_STR(tsu_qdn(rd, cid2, "bad.example", NULL), "3");
	/* Sections are hidden from the dataset list. */
	CHECK_INT(store_dataset_names(rd, &names, &n), 0);
	for (size_t i = 0; i < n; i++) {
		found += strcmp(names[i], "combo") == 0;
		CHECK(strchr(names[i], '/') == NULL);
		free(names[i]);
	}
	free(names);
	CHECK_INT(found, 1);
	store_reader_free(rd);

	/* One section fewer: the second one's data goes with it. */
	one = dataset_new(DS_COMBINED);
	c1 = dataset_add_child(one, DS_IP4SET, "ips");
	tsu_ip(c1->data, "192.0.2.0/24", tsu_val(c1->data, 2, NULL));
	CHECK_INT(store_put_dataset(st, "combo", one, NULL, 0, &s, err, sizeof(err)), 0);
	m = meta_of("combo");
	CHECK(m && m->nchildren == 1 && m->children[0].nsubzones == 0);
	CHECK(m && m->children[0].meta && m->children[0].meta->dsid == cid1);
	store_dsmeta_free(m);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, cid2, "bad.example", NULL), "");
	CHECK_INT(store_dataset_meta(rd, "combo/2", &m), STORE_ENOTFOUND);
	store_reader_free(rd);

	CHECK_INT(store_drop_dataset(st, "combo", err, sizeof(err)), 0);
	store_reader_new(st, &rd);
	CHECK_INT(store_dataset_meta(rd, "combo", &m), STORE_ENOTFOUND);
	CHECK_INT(store_dataset_meta(rd, "combo/1", &m), STORE_ENOTFOUND);
	CHECK_STR(tsu_q(rd, cid1, "192.0.2.9"), "");
	store_reader_free(rd);
	dataset_free(ds);
	dataset_free(one);
}

static void test_drop_and_type_change(void)
{
	struct dataset *a = dataset_new(DS_IP4SET), *b = dataset_new(DS_DNSET);
	struct store_reader *rd;
	struct store_dsmeta *m;
	char err[256];
	uint32_t id, id2;

	tsu_ip(a, "192.0.2.0/24", tsu_val(a, 2, NULL));
	tsu_dn(b, "example.org", tsu_val(b, 2, NULL));
	id = tsu_put(st, "morph", a, NULL);
	id2 = tsu_put(st, "morph", b, NULL);
	CHECK(id == id2);   /* the id is kept per name */
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "");
	CHECK_STR(tsu_qdn(rd, id, "example.org", NULL), "2");
	store_reader_free(rd);
	CHECK_INT(store_drop_dataset(st, "morph", err, sizeof(err)), 0);
	CHECK_INT(store_drop_dataset(st, "morph", err, sizeof(err)), STORE_ENOTFOUND);
	CHECK(strstr(err, "morph") != NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, id, "example.org", NULL), "");
	CHECK_INT(store_dataset_meta(rd, "morph", &m), STORE_ENOTFOUND);
	store_reader_free(rd);
	/* A new dataset gets a new id. */
	CHECK(tsu_put(st, "morph", a, NULL) != id);
	dataset_free(a);
	dataset_free(b);
}

static void test_failure_changes_nothing(void)
{
	struct dataset *good = dataset_new(DS_IP4SET), *bad = dataset_new(DS_IP4SET);
	struct dataset *bad2 = dataset_new(DS_IP4SET), *bad3 = dataset_new(DS_DNSET);
	struct store_dsmeta *m1, *m2;
	struct store_reader *rd;
	struct ds_ip_entry e;
	char err[256];
	uint64_t g;
	uint32_t id;

	tsu_ip(good, "192.0.2.0/24", tsu_val(good, 2, NULL));
	id = tsu_put(st, "safe", good, NULL);
	m1 = meta_of("safe");
	g = generation();
	/* Host bits beyond the prefix. */
	tsu_ip(bad, "198.51.100.0/24", tsu_val(bad, 3, NULL));
	tsu_parse("192.0.2.1", &e);
	e.plen = 24;
	dataset_add_ip(bad, &e);
	CHECK_INT(store_put_dataset(st, "safe", bad, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "host bits") != NULL);
	/* A value index that does not exist; an IPv6 entry in ip4set. */
	tsu_ip(bad2, "198.51.100.0/24", 5);
	CHECK_INT(store_put_dataset(st, "safe", bad2, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "value") != NULL);
	bad2->ip4[0].value = tsu_val(bad2, 3, NULL);
	tsu_ip(bad2, "2001:db8::/32", 0);
	CHECK_INT(store_put_dataset(st, "safe", bad2, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "family") != NULL);
	/* A malformed name. */
	tsu_dn(bad3, "ok.example", tsu_val(bad3, 2, NULL));
	bad3->dn[0].name[0] = 70;
	CHECK_INT(store_put_dataset(st, "safe", bad3, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	bad3->dn[0].name[0] = 2;
	/* Bad names for datasets. */
	CHECK_INT(store_put_dataset(st, "a/b", good, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK_INT(store_put_dataset(st, "", good, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	m2 = meta_of("safe");
	CHECK(m1 && m2 && m1->serial == m2->serial && m1->loaded_at == m2->loaded_at);
	CHECK(generation() == g);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "2");
	CHECK_STR(tsu_q(rd, id, "198.51.100.1"), "");
	store_reader_free(rd);
	store_dsmeta_free(m1);
	store_dsmeta_free(m2);
	dataset_free(good);
	dataset_free(bad);
	dataset_free(bad2);
	dataset_free(bad3);
}

static void test_readonly_reopen(const char *dir)
{
	struct store *ro;
	struct store_reader *rd;
	struct store_dsmeta *m;
	struct dataset *ds = dataset_new(DS_IP4SET);
	char err[256];

	store_close(st);
	st = NULL;
	CHECK_INT(store_open(&ro, dir, STORE_READONLY, err, sizeof(err)), STORE_OK);
	CHECK_INT(store_reader_new(ro, &rd), STORE_OK);
	CHECK_INT(store_dataset_meta(rd, "safe", &m), STORE_OK);
	CHECK_STR(tsu_q(rd, m->dsid, "192.0.2.77"), "2");
	store_dsmeta_free(m);
	store_reader_free(rd);
	tsu_ip(ds, "192.0.2.0/24", tsu_val(ds, 2, NULL));
	CHECK_INT(store_put_dataset(ro, "x", ds, NULL, 0, NULL, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "read-only") != NULL);
	store_close(ro);
	dataset_free(ds);
	/* A store that was never created cannot be opened read-only. */
	CHECK_INT(store_open(&ro, "/nonexistent/dnsbld-store", STORE_READONLY,
			     err, sizeof(err)), STORE_ENOTFOUND);
	CHECK(ro == NULL);
}

static void test_map_growth(void)
{
	struct dataset *ds = spaced_set(30000, 100000);
	struct store_apply_stats s;
	struct store_reader *rd;
	struct store *small;
	struct store_dsmeta *m;
	char err[256];

	/* Start with a 256 KiB map: the put must grow it several times. */
	setenv("DNSBLD_STORE_MAPSIZE", "262144", 1);
	CHECK_INT(store_open(&small, tsu_tmpdir("grow"), 0, err, sizeof(err)), 0);
	unsetenv("DNSBLD_STORE_MAPSIZE");
	CHECK_INT(store_put_dataset(small, "big", ds, NULL, 0, &s, err, sizeof(err)), 0);
	CHECK_INT(s.entries, 30000);
	store_reader_new(small, &rd);
	CHECK_INT(store_dataset_meta(rd, "big", &m), 0);
	CHECK_STR(tsu_q(rd, m->dsid, "10.0.100.0"), "2");
	CHECK_STR(tsu_q(rd, m->dsid, "10.0.100.1"), "");
	/* With a reader open in this process the map must not move: the
	 * write fails cleanly instead. */
	{
		struct dataset *more = spaced_set(200000, 1000000);
		int rc;

		rc = store_put_dataset(small, "more", more, NULL, 0, &s, err,
				       sizeof(err));
		CHECK_INT(rc, STORE_EIO);
		CHECK(strstr(err, "readers") != NULL);
		CHECK_STR(tsu_q(rd, m->dsid, "10.0.100.0"), "2");
		store_dsmeta_free(m);
		store_reader_free(rd);
		/* Readers closed: now it grows. */
		CHECK_INT(store_put_dataset(small, "more", more, NULL, 0, &s, err,
					    sizeof(err)), 0);
		CHECK_INT(s.entries, 200000);
		dataset_free(more);
	}
	store_close(small);
	dataset_free(ds);
}

/* A damaged metadata record is reported, and a put or drop repairs it. */
static void test_corrupt_meta(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	struct store_reader *rd;
	struct store_dsmeta *m;
	MDB_txn *txn;
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d = { 3, "bad" };
	char err[256];
	uint32_t id;

	tsu_ip(ds, "192.0.2.0/24", tsu_val(ds, 2, NULL));
	id = tsu_put(st, "corrupt", ds, NULL);
	be32_put(kb, id);
	CHECK_INT(mdb_txn_begin(st->cur->env, NULL, 0, &txn), 0);
	CHECK_INT(mdb_put(txn, st->dbi[SDB_META], &k, &d, 0), 0);
	CHECK_INT(mdb_txn_commit(txn), 0);
	store_reader_new(st, &rd);
	CHECK_INT(store_dataset_meta(rd, "corrupt", &m), STORE_EINVAL);
	CHECK(m == NULL);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "2");
	store_reader_free(rd);
	CHECK_INT(store_put_dataset(st, "corrupt", ds, NULL, 0, NULL, err,
				    sizeof(err)), 0);
	m = meta_of("corrupt");
	CHECK(m && m->dsid == id && m->entries == 1);
	store_dsmeta_free(m);
	CHECK_INT(mdb_txn_begin(st->cur->env, NULL, 0, &txn), 0);
	CHECK_INT(mdb_put(txn, st->dbi[SDB_META], &k, &d, 0), 0);
	CHECK_INT(mdb_txn_commit(txn), 0);
	CHECK_INT(store_drop_dataset(st, "corrupt", err, sizeof(err)), 0);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "192.0.2.1"), "");
	store_reader_free(rd);
	dataset_free(ds);
}

struct worker {
	uint32_t dsid;
	unsigned errors, lookups;
};

/* A server worker: renew, look up, reset, with its own reader. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct store_reader *rd;

	if (store_reader_new(st, &rd) != STORE_OK) {
		w->errors++;
		return NULL;
	}
	store_reader_reset(rd);
	for (int batch = 0; batch < 300; batch++) {
		if (store_reader_renew(rd) != STORE_OK) {
			w->errors++;
			continue;
		}
		for (int i = 0; i < 50; i++, w->lookups++) {
			/* 192.0.2.0/24 is listed in both versions of "threads";
			 * 198.51.100.0/24 only in the second. */
			const char *a = tsu_q(rd, w->dsid, "192.0.2.9");
			const char *b = tsu_q(rd, w->dsid, "198.51.100.9");

			if (strcmp(a, "2") != 0 ||
			    (strcmp(b, "") != 0 && strcmp(b, "3") != 0))
				w->errors++;
		}
		store_reader_reset(rd);
	}
	store_reader_free(rd);
	return NULL;
}

static void test_threads(void)
{
	struct dataset *a = dataset_new(DS_IP4SET), *b = dataset_new(DS_IP4SET);
	struct worker w[3];
	pthread_t t[3];
	char err[256];
	unsigned errors = 0, lookups = 0, puts = 0;
	uint32_t id;

	tsu_ip(a, "192.0.2.0/24", tsu_val(a, 2, NULL));
	tsu_ip(b, "192.0.2.0/24", tsu_val(b, 2, NULL));
	tsu_ip(b, "198.51.100.0/24", tsu_val(b, 3, NULL));
	id = tsu_put(st, "threads", a, NULL);
	for (int i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].dsid = id;
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	/* The writer commits while the workers read. */
	for (int i = 0; i < 40; i++)
		puts += store_put_dataset(st, "threads", i % 2 ? a : b, NULL, 0,
					  NULL, err, sizeof(err)) == STORE_OK;
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
		lookups += w[i].lookups;
	}
	CHECK_INT(puts, 40);
	CHECK_INT(errors, 0);
	CHECK_INT(lookups, 3 * 300 * 50);
	dataset_free(a);
	dataset_free(b);
}

int main(void)
{
	const char *dir = tsu_tmpdir("main");

	st = tsu_open(dir);
	test_diff_reput();
	test_meta_only_change();
	test_value_dedup();
	test_mvcc();
	test_renew_keeps_snapshot();
	test_meta_roundtrip();
	test_combined();
	test_drop_and_type_change();
	test_failure_changes_nothing();
	test_threads();
	test_corrupt_meta();
	test_readonly_reopen(dir);
	test_map_growth();
	tsu_cleanup();
	return check_report();
}
