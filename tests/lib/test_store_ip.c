/* test_store_ip.c -- lib/store: address datasets and the interval map.
 *
 * Every derivation rule (longest prefix, set union vs. trie first-wins,
 * exclusion holes), the address-space edges, IPv6, acl, range queries, and
 * a randomized cross-check against a naive longest-prefix scan.
 */
#include "check.h"
#include "test_store_util.h"

static struct store *st;

static void test_ip4set_levels(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, "three");
	uint32_t v4 = tsu_val(ds, 4, NULL);
	struct store_reader *rd;
	uint32_t id;

	tsu_ip(ds, "10.0.0.0/8", v2);
	tsu_ip(ds, "10.1.0.0/16", v3);
	tsu_ip(ds, "!10.1.1.0/24", 0);     /* hides the /16 below it */
	tsu_ip(ds, "10.1.1.1/32", v4);     /* a /32 beats the /24 exclusion */
	tsu_ip(ds, "!10.2.0.0/16", 0);
	tsu_ip(ds, "!10.3.3.3/32", 0);
	id = tsu_put(st, "levels", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "10.0.0.0"), "2");
	CHECK_STR(tsu_q(rd, id, "10.255.255.255"), "2");
	CHECK_STR(tsu_q(rd, id, "9.255.255.255"), "");
	CHECK_STR(tsu_q(rd, id, "11.0.0.0"), "");
	CHECK_STR(tsu_q(rd, id, "10.1.0.0"), "3");
	CHECK_STR(tsu_q(rd, id, "10.1.2.3"), "3");
	CHECK_STR(tsu_q(rd, id, "10.1.1.0"), "");
	CHECK_STR(tsu_q(rd, id, "10.1.1.2"), "");
	CHECK_STR(tsu_q(rd, id, "10.1.1.255"), "");
	CHECK_STR(tsu_q(rd, id, "10.1.1.1"), "4");
	CHECK_STR(tsu_q(rd, id, "10.2.0.0"), "");
	CHECK_STR(tsu_q(rd, id, "10.2.255.255"), "");
	CHECK_STR(tsu_q(rd, id, "10.3.0.0"), "2");
	CHECK_STR(tsu_q(rd, id, "10.3.3.3"), "");
	CHECK_STR(tsu_q(rd, id, "10.3.3.4"), "2");
	/* The same address family mismatch is simply not listed. */
	CHECK_STR(tsu_q(rd, id, "::a01:101"), "");
	/* TXT is kept with the value. */
	{
		struct store_match m;
		struct ds_ip_entry e;
		struct store_value v;

		tsu_parse("10.1.2.3", &e);
		CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 1);
		CHECK_INT(store_value_get(rd, m.values[0], &v), STORE_OK);
		CHECK_INT(v.a, 0x7f000003);
		CHECK_INT(v.txtlen, 5);
		CHECK(v.txt && memcmp(v.txt, "three", 5) == 0);
		CHECK_INT(v.kind, VAL_LISTED);
	}
	store_reader_free(rd);
	dataset_free(ds);
}

static void test_equal_prefix_set(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	uint32_t v4 = tsu_val(ds, 4, NULL);
	struct store_reader *rd;
	uint32_t id;

	/* Union ordered by value (not by line: an update of the changed
	 * lines alone makes the same), each value once. */
	tsu_ip(ds, "1.2.3.4", v3);
	tsu_ip(ds, "1.2.3.4", v2);
	tsu_ip(ds, "1.2.3.4", v3);
	tsu_ip(ds, "1.2.3.4", v4);
	/* Any exclusion at the same prefix wins, whatever the order. */
	tsu_ip(ds, "1.2.3.5", v2);
	tsu_ip(ds, "!1.2.3.5", 0);
	tsu_ip(ds, "!1.2.3.6", 0);
	tsu_ip(ds, "1.2.3.6", v2);
	/* ... at every ip4set level. */
	tsu_ip(ds, "5.0.0.0/8", v4);
	tsu_ip(ds, "5.6.0.0/16", v3);
	tsu_ip(ds, "5.6.7.0/24", v2);
	tsu_ip(ds, "!5.6.7.0/24", 0);
	tsu_ip(ds, "!5.7.0.0/16", 0);
	tsu_ip(ds, "5.7.0.0/16", v2);
	tsu_ip(ds, "6.0.0.0/8", v2);
	tsu_ip(ds, "!6.0.0.0/8", 0);
	tsu_ip(ds, "6.1.1.0/24", v3);
	tsu_ip(ds, "6.1.1.0/24", v2);
	id = tsu_put(st, "equalset", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "1.2.3.4"), "2 3 4");
	CHECK_STR(tsu_q(rd, id, "1.2.3.5"), "");
	CHECK_STR(tsu_q(rd, id, "1.2.3.6"), "");
	CHECK_STR(tsu_q(rd, id, "1.2.3.3"), "");
	CHECK_STR(tsu_q(rd, id, "5.6.7.8"), "");     /* /24 excluded hides /16 */
	CHECK_STR(tsu_q(rd, id, "5.6.8.1"), "3");
	CHECK_STR(tsu_q(rd, id, "5.7.1.1"), "");
	CHECK_STR(tsu_q(rd, id, "5.8.1.1"), "4");
	CHECK_STR(tsu_q(rd, id, "6.0.0.1"), "");
	CHECK_STR(tsu_q(rd, id, "6.1.1.1"), "2 3");
	store_reader_free(rd);
	dataset_free(ds);

	/* More distinct values than a match holds: the first ones, in order. */
	ds = dataset_new(DS_IP4SET);
	for (unsigned v = 0; v < STORE_MAX_MATCH + 6; v++)
		tsu_ip(ds, "7.7.7.7", tsu_val(ds, 10 + v, NULL));
	id = tsu_put(st, "manyvalues", ds, NULL);
	store_reader_new(st, &rd);
	{
		struct store_match m;
		struct store_value v0, vl;
		struct ds_ip_entry e;

		tsu_parse("7.7.7.7", &e);
		CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 1);
		CHECK_INT(m.nvalues, STORE_MAX_MATCH);
		CHECK_INT(store_value_get(rd, m.values[0], &v0), 0);
		CHECK_INT(store_value_get(rd, m.values[STORE_MAX_MATCH - 1], &vl), 0);
		CHECK_INT(v0.a & 0xff, 10);
		CHECK_INT(vl.a & 0xff, 10 + STORE_MAX_MATCH - 1);
	}
	store_reader_free(rd);
	dataset_free(ds);
}

static void test_equal_prefix_trie(void)
{
	struct dataset *ds = dataset_new(DS_IP4TRIE);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	uint32_t v4 = tsu_val(ds, 4, NULL), v5 = tsu_val(ds, 5, NULL);
	struct store_reader *rd;
	uint32_t id;

	tsu_ip(ds, "1.2.3.0/24", v2);        /* first written wins */
	tsu_ip(ds, "1.2.3.0/24", v3);
	tsu_ip(ds, "!1.2.4.0/24", 0);        /* first is a hole ... */
	tsu_ip(ds, "1.2.4.0/24", v2);
	tsu_ip(ds, "1.2.0.0/16", v4);        /* ... in the /16 */
	tsu_ip(ds, "1.2.6.0/24", v3);        /* listing first: the ! is lost */
	tsu_ip(ds, "!1.2.6.0/24", 0);
	/* Nested prefixes sharing a start address. */
	tsu_ip(ds, "10.0.0.0/8", v2);
	tsu_ip(ds, "10.0.0.0/16", v3);
	tsu_ip(ds, "10.0.0.0/24", v4);
	tsu_ip(ds, "10.0.0.0/32", v5);
	/* A more specific listing inside an exclusion. */
	tsu_ip(ds, "!20.0.0.0/8", 0);
	tsu_ip(ds, "20.1.0.0/16", v5);
	tsu_ip(ds, "0.0.0.0/1", v4);
	id = tsu_put(st, "trie", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "1.2.3.200"), "2");
	CHECK_STR(tsu_q(rd, id, "1.2.4.1"), "");
	CHECK_STR(tsu_q(rd, id, "1.2.5.1"), "4");
	CHECK_STR(tsu_q(rd, id, "1.2.6.1"), "3");
	CHECK_STR(tsu_q(rd, id, "10.0.0.0"), "5");
	CHECK_STR(tsu_q(rd, id, "10.0.0.1"), "4");
	CHECK_STR(tsu_q(rd, id, "10.0.1.0"), "3");
	CHECK_STR(tsu_q(rd, id, "10.1.0.0"), "2");
	CHECK_STR(tsu_q(rd, id, "20.0.0.0"), "");
	CHECK_STR(tsu_q(rd, id, "20.1.2.3"), "5");
	CHECK_STR(tsu_q(rd, id, "20.2.0.0"), "");
	CHECK_STR(tsu_q(rd, id, "21.0.0.0"), "4");
	CHECK_STR(tsu_q(rd, id, "127.255.255.255"), "4");
	CHECK_STR(tsu_q(rd, id, "128.0.0.0"), "");
	store_reader_free(rd);
	dataset_free(ds);
}

static void test_ip4_edges(void)
{
	struct dataset *ds = dataset_new(DS_IP4TRIE);
	struct dataset *ds2 = dataset_new(DS_IP4SET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	struct store_reader *rd;
	uint32_t id, id2;

	tsu_ip(ds, "0.0.0.0/0", v2);
	tsu_ip(ds, "0.0.0.0/32", v3);
	tsu_ip(ds, "!255.255.255.255/32", 0);
	tsu_ip(ds, "!128.0.0.0/32", 0);
	id = tsu_put(st, "edges", ds, NULL);
	tsu_ip(ds2, "255.255.255.255", tsu_val(ds2, 7, NULL));
	tsu_ip(ds2, "0.0.0.0", tsu_val(ds2, 8, NULL));
	id2 = tsu_put(st, "edges2", ds2, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "0.0.0.0"), "3");
	CHECK_STR(tsu_q(rd, id, "0.0.0.1"), "2");
	CHECK_STR(tsu_q(rd, id, "127.255.255.255"), "2");
	CHECK_STR(tsu_q(rd, id, "128.0.0.0"), "");
	CHECK_STR(tsu_q(rd, id, "128.0.0.1"), "2");
	CHECK_STR(tsu_q(rd, id, "255.255.255.254"), "2");
	CHECK_STR(tsu_q(rd, id, "255.255.255.255"), "");
	CHECK_STR(tsu_q(rd, id2, "255.255.255.255"), "7");
	CHECK_STR(tsu_q(rd, id2, "255.255.255.254"), "");
	CHECK_STR(tsu_q(rd, id2, "0.0.0.0"), "8");
	CHECK_STR(tsu_q(rd, id2, "0.0.0.1"), "");
	/* Datasets are separate key ranges: no answer leaks across. */
	CHECK_STR(tsu_q(rd, id2 + 1000, "0.0.0.0"), "");
	store_reader_free(rd);
	dataset_free(ds);
	dataset_free(ds2);
}

static void test_merge_and_ranges(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	struct store_apply_stats s;
	struct store_reader *rd;
	uint32_t id;

	/* Three adjacent /24s with one value, then one with another. */
	tsu_ip(ds, "1.1.1.0/24", v2);
	tsu_ip(ds, "1.1.2.0/24", v2);
	tsu_ip(ds, "1.1.3.0/24", v2);
	tsu_ip(ds, "1.1.4.0/24", v3);
	tsu_ip(ds, "10.0.0.5", v2);
	id = tsu_put(st, "merge", ds, &s);
	/* 5 source records; intervals 1.1.1-3 merged, 1.1.4, 10.0.0.5. */
	CHECK_INT(s.entries, 5);
	CHECK_INT(s.added, 5 + 3);
	CHECK_INT(s.removed, 0);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "1.1.0.255"), "");
	CHECK_STR(tsu_q(rd, id, "1.1.2.128"), "2");
	CHECK_STR(tsu_q(rd, id, "1.1.3.255"), "2");
	CHECK_STR(tsu_q(rd, id, "1.1.4.0"), "3");
	CHECK_STR(tsu_q(rd, id, "1.1.5.0"), "");
	CHECK_INT(tsu_range(rd, id, "10.0.0.0", "10.0.0.255"), 1);
	CHECK_INT(tsu_range(rd, id, "10.0.0.5", "10.0.0.5"), 1);
	CHECK_INT(tsu_range(rd, id, "10.0.0.0", "10.0.0.4"), 0);
	CHECK_INT(tsu_range(rd, id, "10.0.0.6", "10.0.0.255"), 0);
	CHECK_INT(tsu_range(rd, id, "10.0.1.0", "10.0.1.255"), 0);
	CHECK_INT(tsu_range(rd, id, "0.0.0.0", "255.255.255.255"), 1);
	CHECK_INT(tsu_range(rd, id, "11.0.0.0", "255.255.255.255"), 0);
	CHECK_INT(tsu_range(rd, id, "1.1.4.255", "1.1.5.0"), 1);
	CHECK_INT(tsu_range(rd, id, "10.0.0.6", "10.0.0.4"), 0);   /* empty */
	store_reader_free(rd);
	dataset_free(ds);
}

static void test_ip6(void)
{
	struct dataset *ds = dataset_new(DS_IP6TRIE);
	struct dataset *ts = dataset_new(DS_IP6TSET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	uint32_t v4 = tsu_val(ds, 4, NULL), v5 = tsu_val(ds, 5, NULL);
	struct store_reader *rd;
	uint32_t id, tid;

	tsu_ip(ds, "::/0", v2);
	tsu_ip(ds, "2001:db8::/32", v3);
	tsu_ip(ds, "!2001:db8::1/128", 0);
	tsu_ip(ds, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", v4);
	tsu_ip(ds, "::/128", v5);
	tsu_ip(ds, "!8000::/1", 0);
	tsu_ip(ds, "8000::/2", v3);
	id = tsu_put(st, "six", ds, NULL);
	tsu_ip(ts, "2001:db8:1:2::/64", tsu_val(ts, 2, NULL));
	tsu_ip(ts, "2001:db8:1:2::/64", tsu_val(ts, 3, NULL));
	tsu_ip(ts, "2001:db8:1:3::/64", tsu_val(ts, 2, NULL));
	tsu_ip(ts, "!2001:db8:1:3::7", 0);
	tid = tsu_put(st, "sixset", ts, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "::"), "5");
	CHECK_STR(tsu_q(rd, id, "::1"), "2");
	CHECK_STR(tsu_q(rd, id, "2001:db8::"), "3");
	CHECK_STR(tsu_q(rd, id, "2001:db8::1"), "");
	CHECK_STR(tsu_q(rd, id, "2001:db8::2"), "3");
	CHECK_STR(tsu_q(rd, id, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "3");
	CHECK_STR(tsu_q(rd, id, "2001:db9::"), "2");
	CHECK_STR(tsu_q(rd, id, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "2");
	CHECK_STR(tsu_q(rd, id, "8000::"), "3");
	CHECK_STR(tsu_q(rd, id, "bfff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "3");
	CHECK_STR(tsu_q(rd, id, "c000::"), "");
	CHECK_STR(tsu_q(rd, id, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), "");
	CHECK_STR(tsu_q(rd, id, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "4");
	CHECK_STR(tsu_q(rd, id, "0.0.0.0"), "");   /* no IPv4 data */
	CHECK_STR(tsu_q(rd, tid, "2001:db8:1:2:ffff::1"), "2 3");
	CHECK_STR(tsu_q(rd, tid, "2001:db8:1:3::6"), "2");
	CHECK_STR(tsu_q(rd, tid, "2001:db8:1:3::7"), "");
	CHECK_STR(tsu_q(rd, tid, "2001:db8:1:4::"), "");
	CHECK_INT(tsu_range(rd, tid, "2001:db8:1::",
			    "2001:db8:1:1:ffff:ffff:ffff:ffff"), 0);
	CHECK_INT(tsu_range(rd, tid, "2001:db8:1::", "2001:db8:1:2::"), 1);
	CHECK_INT(tsu_range(rd, tid, "2001:db8:1:3::7", "2001:db8:1:3::7"), 0);
	store_reader_free(rd);
	dataset_free(ds);
	dataset_free(ts);
}

static void test_acl(void)
{
	struct dataset *ds = dataset_new(DS_ACL);
	uint32_t refuse = (uint32_t)dataset_value(ds, VAL_ACL_REFUSE, 0, NULL, 0);
	uint32_t empty = (uint32_t)dataset_value(ds, VAL_ACL_EMPTY, 0, NULL, 0);
	struct store_reader *rd;
	struct store_match m;
	struct store_value v;
	struct ds_ip_entry e;
	uint32_t id;

	tsu_ip(ds, "10.0.0.0/8", refuse);
	tsu_ip(ds, "10.0.0.0/8", empty);     /* duplicate: first wins */
	tsu_ip(ds, "2001:db8::/32", empty);
	tsu_ip(ds, "!2001:db8:1::/48", 0);
	id = tsu_put(st, "acl", ds, NULL);
	store_reader_new(st, &rd);
	tsu_parse("10.9.9.9", &e);
	CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 1);
	CHECK_INT(m.nvalues, 1);
	CHECK_INT(store_value_get(rd, m.values[0], &v), STORE_OK);
	CHECK_INT(v.kind, VAL_ACL_REFUSE);
	tsu_parse("2001:db8:2::1", &e);
	CHECK_INT(store_lookup_ip(rd, id, 6, e.addr, &m), 1);
	CHECK_INT(store_value_get(rd, m.values[0], &v), STORE_OK);
	CHECK_INT(v.kind, VAL_ACL_EMPTY);
	CHECK(v.txt == NULL);
	tsu_parse("2001:db8:1::1", &e);
	CHECK_INT(store_lookup_ip(rd, id, 6, e.addr, &m), 0);
	tsu_parse("11.0.0.0", &e);
	CHECK_INT(store_lookup_ip(rd, id, 4, e.addr, &m), 0);
	CHECK_INT(store_lookup_ip(rd, id, 5, e.addr, &m), STORE_EINVAL);
	store_reader_free(rd);
	dataset_free(ds);
}

/* Naive reference: the longest prefix covering `a`, with the type's
 * equal-prefix rule; returns a bit mask of A octets (1 << a), 0 = none. */
static unsigned naive(const struct dataset *ds, uint32_t a, int set)
{
	int best = -1;
	unsigned mask = 0;
	int excl = 0, first = 1;

	for (size_t i = 0; i < dataset_nip(ds); i++) {
		struct ds_ip_entry ent, *e = &ent;
		uint32_t p, m;

		dataset_ip_get(ds, i, &ent);
		p = (uint32_t)e->addr[0] << 24 | (uint32_t)e->addr[1] << 16 |
		    (uint32_t)e->addr[2] << 8 | e->addr[3];
		m = e->plen ? ~0u << (32 - e->plen) : 0;

		if ((a & m) != p || (int)e->plen < best)
			continue;
		if ((int)e->plen > best) {
			best = e->plen;
			mask = 0;
			excl = 0;
			first = 1;
		}
		if (set) {
			if (e->excluded)
				excl = 1;
			else
				mask |= 1u << (ds->values[e->value].a & 0xff);
		} else if (first) {
			excl = e->excluded;
			if (!excl)
				mask = 1u << (ds->values[e->value].a & 0xff);
		}
		first = 0;
	}
	return excl ? 0 : mask;
}

static void test_random_vs_naive(void)
{
	unsigned seed = 12345;
	unsigned mismatches = 0, listed = 0;

	for (int round = 0; round < 12; round++) {
		int set = round % 2 == 0;
		struct dataset *ds = dataset_new(set ? DS_IP4SET : DS_IP4TRIE);
		uint32_t vals[5];
		struct store_reader *rd;
		char name[32];
		uint32_t id;

		for (unsigned v = 0; v < 5; v++)
			vals[v] = tsu_val(ds, v + 2, NULL);
		/* 60 prefixes inside 10.0.0.0/22, lengths 22..32, with
		 * repeats and exclusions. */
		for (int i = 0; i < 60; i++) {
			struct ds_ip_entry e = { 0 };
			uint32_t a, plen;

			seed = seed * 1103515245u + 12345u;
			plen = 22 + (seed >> 8) % 11;
			seed = seed * 1103515245u + 12345u;
			a = 0x0a000000u | ((seed >> 4) & 0x3ff);
			a &= plen ? ~0u << (32 - plen) : 0;
			e.family = 4;
			e.plen = (uint8_t)plen;
			e.addr[0] = (uint8_t)(a >> 24);
			e.addr[1] = (uint8_t)(a >> 16);
			e.addr[2] = (uint8_t)(a >> 8);
			e.addr[3] = (uint8_t)a;
			seed = seed * 1103515245u + 12345u;
			e.excluded = (seed >> 12) % 5 == 0;
			e.value = vals[(seed >> 16) % 5];
			dataset_add_ip(ds, &e);
		}
		snprintf(name, sizeof(name), "random%d", round);
		id = tsu_put(st, name, ds, NULL);
		store_reader_new(st, &rd);
		for (uint32_t a = 0x09ffffff; a <= 0x0a000400; a++) {
			struct store_match m;
			uint8_t ab[16] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16),
					   (uint8_t)(a >> 8), (uint8_t)a };
			unsigned want = naive(ds, a, set), got = 0;
			int rc = store_lookup_ip(rd, id, 4, ab, &m);

			for (size_t i = 0; rc == 1 && i < m.nvalues; i++) {
				struct store_value v;

				store_value_get(rd, m.values[i], &v);
				got |= 1u << (v.a & 0xff);
			}
			if (rc == 1 && !set && m.nvalues != 1)
				got = ~0u;
			listed += want != 0;
			mismatches += got != want || rc < 0;
		}
		store_reader_free(rd);
		dataset_free(ds);
	}
	CHECK_INT(mismatches, 0);
	CHECK(listed > 1000);   /* the data really covered something */
}

/* A dataset edited round after round and re-put (diff path) answers
 * exactly like the same data put fresh under another name. */
static void test_reput_vs_fresh(void)
{
	struct dataset *cur = NULL;
	unsigned seed = 777, mismatches = 0;
	struct ds_ip_entry pool[80];
	int on[80] = { 0 };

	for (int i = 0; i < 80; i++) {
		uint32_t a, plen;

		seed = seed * 1103515245u + 12345u;
		plen = 20 + (seed >> 8) % 13;
		seed = seed * 1103515245u + 12345u;
		a = 0xc0a80000u | ((seed >> 4) & 0xfff);
		a &= ~0u << (32 - plen);
		memset(&pool[i], 0, sizeof(pool[i]));
		pool[i].family = 4;
		pool[i].plen = (uint8_t)plen;
		pool[i].addr[0] = (uint8_t)(a >> 24);
		pool[i].addr[1] = (uint8_t)(a >> 16);
		pool[i].addr[2] = (uint8_t)(a >> 8);
		pool[i].addr[3] = (uint8_t)a;
		pool[i].excluded = i % 7 == 3;
		pool[i].value = (uint32_t)(i % 3);
	}
	for (int round = 0; round < 15; round++) {
		struct store_apply_stats s;
		struct store_reader *rd;
		char fresh[32];
		uint32_t id, fid;

		/* Toggle a few entries per round (many in round 5). */
		for (int k = 0; k < (round == 5 ? 60 : 4); k++) {
			seed = seed * 1103515245u + 12345u;
			on[(seed >> 8) % 80] ^= 1;
		}
		dataset_free(cur);
		cur = dataset_new(round % 2 ? DS_IP4TRIE : DS_IP4SET);
		for (unsigned v = 0; v < 3; v++)
			tsu_val(cur, v + 2 + (round == 9), NULL);
		for (int i = 0; i < 80; i++)
			if (on[i])
				dataset_add_ip(cur, &pool[i]);
		id = tsu_put(st, "edited", cur, &s);
		snprintf(fresh, sizeof(fresh), "fresh%d", round);
		fid = tsu_put(st, fresh, cur, NULL);
		store_reader_new(st, &rd);
		for (uint32_t a = 0xc0a7ffff; a <= 0xc0a81001; a++) {
			struct store_match m1, m2;
			uint8_t ab[16] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16),
					   (uint8_t)(a >> 8), (uint8_t)a };
			int r1 = store_lookup_ip(rd, id, 4, ab, &m1);
			int r2 = store_lookup_ip(rd, fid, 4, ab, &m2);

			if (r1 != r2 || (r1 == 1 && (m1.nvalues != m2.nvalues ||
			    memcmp(m1.values, m2.values, m1.nvalues * 4) != 0)))
				mismatches++;
		}
		store_reader_free(rd);
	}
	CHECK_INT(mismatches, 0);
	dataset_free(cur);
}

/* Random incremental edits answer exactly like the same entries put
 * fresh, and leave the interval map in the canonical form a full put
 * would write (so re-putting the same data changes nothing). */
static void edits_vs_fresh(int family, enum ds_type type, const char *name)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	/* Model: per pool prefix, -1 absent, 0 excluded, else A octet. */
	int state[60];
	struct ds_ip_entry pool[60];
	unsigned seed = family * 1000 + 99, mismatches = 0;
	struct store_apply_stats s;
	char err[256];
	int rc;

	for (int i = 0; i < 60; i++) {
		uint8_t *a = pool[i].addr;
		unsigned plen;

		memset(&pool[i], 0, sizeof(pool[i]));
		seed = seed * 1103515245u + 12345u;
		plen = bits - 12 + (seed >> 8) % 13;     /* inside a /(bits-12) */
		if (i == 0)
			plen = 0;                        /* and one /0 */
		seed = seed * 1103515245u + 12345u;
		a[0] = 0x7f;
		a[alen - 2] = (uint8_t)((seed >> 4) & 0x0f);
		a[alen - 1] = (uint8_t)(seed >> 12);
		for (unsigned b = plen; b < bits; b++)
			a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		pool[i].family = (uint8_t)family;
		pool[i].plen = (uint8_t)plen;
		state[i] = -1;
		/* Distinct prefixes: the model keeps one entry per prefix. */
		for (int j = 0; j < i; j++) {
			if (pool[j].plen == pool[i].plen &&
			    memcmp(pool[j].addr, pool[i].addr, 16) == 0) {
				i--;
				break;
			}
		}
	}
	{
		struct dataset *empty = dataset_new(type);

		tsu_put(st, name, empty, NULL);
		dataset_free(empty);
	}
	for (int round = 0; round < 25; round++) {
		struct store_ip_edit ed[6];
		struct dataset *model = dataset_new(type);
		struct store_reader *rd;
		uint32_t vals[3], id, mid;
		uint8_t lo[16] = { 0 };

		memset(ed, 0, sizeof(ed));
		for (int k = 0; k < 6; k++) {
			int i;

			seed = seed * 1103515245u + 12345u;
			i = (int)((seed >> 8) % 60);
			ed[k].family = (uint8_t)family;
			ed[k].plen = pool[i].plen;
			memcpy(ed[k].addr, pool[i].addr, 16);
			ed[k].op = (uint8_t)((seed >> 16) % 3);
			ed[k].value.kind = VAL_LISTED;
			ed[k].value.a = 0x7f000002u + (seed >> 20) % 3;
			state[i] = ed[k].op == STORE_EDIT_SET ? (int)(ed[k].value.a & 0xff) :
				ed[k].op == STORE_EDIT_EXCLUDE ? 0 : -1;
		}
		rc = store_edit_ip(st, name, ed, 6, &s, err, sizeof(err));
		CHECK_INT(rc, 0);
		if (rc)
			fprintf(stderr, "    %s\n", err);
		for (unsigned v = 0; v < 3; v++)
			vals[v] = tsu_val(model, 2 + v, NULL);
		for (int i = 0; i < 60; i++) {
			struct ds_ip_entry e = pool[i];

			if (state[i] < 0)
				continue;
			e.excluded = state[i] == 0;
			e.value = state[i] ? vals[state[i] - 2] : 0;
			dataset_add_ip(model, &e);
		}
		mid = tsu_put(st, "model", model, NULL);
		store_reader_new(st, &rd);
		id = 0;
		{
			struct store_dsmeta *m;

			if (store_dataset_meta(rd, name, &m) == 0) {
				id = m->dsid;
				CHECK_INT(m->entries, dataset_nip(model));
				store_dsmeta_free(m);
			}
		}
		lo[0] = 0x7f;
		for (unsigned x = 0; x < 0x1000 + 2; x++) {
			struct store_match m1, m2;
			uint8_t q[16];
			unsigned v = x - 1;   /* from just below the region */
			int r1, r2;

			memcpy(q, lo, 16);
			if (x == 0) {
				memset(q + 1, 0, 15);
				q[0] = 0x7e;
				memset(q + 1, 0xff, alen - 1);
			} else {
				q[alen - 2] = (uint8_t)(v >> 8);
				q[alen - 1] = (uint8_t)v;
			}
			r1 = store_lookup_ip(rd, id, family, q, &m1);
			r2 = store_lookup_ip(rd, mid, family, q, &m2);
			if (r1 != r2 || (r1 == 1 && m1.values[0] != m2.values[0]))
				mismatches++;
		}
		store_reader_free(rd);
		/* Canonical: a full re-put of the model writes nothing. */
		rc = store_put_dataset(st, name, model, NULL, 0, &s, err, sizeof(err));
		CHECK_INT(rc, 0);
		CHECK_INT(s.added + s.removed, 0);
		dataset_free(model);
	}
	CHECK_INT(mismatches, 0);
}

static void test_edits(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET), *dn = dataset_new(DS_DNSET);
	struct store_ip_edit ed;
	struct store_apply_stats s;
	struct store_dsmeta *m1, *m2;
	struct store_reader *rd;
	char err[256];
	uint32_t id;

	tsu_ip(ds, "10.0.0.0/8", tsu_val(ds, 2, NULL));
	tsu_ip(ds, "10.1.0.0/16", tsu_val(ds, 3, NULL));
	id = tsu_put(st, "edit", ds, NULL);
	tsu_put(st, "editdn", dn, NULL);
	store_reader_new(st, &rd);
	store_dataset_meta(rd, "edit", &m1);
	store_reader_free(rd);

	/* Delist one address inside the /16, list one outside. */
	memset(&ed, 0, sizeof(ed));
	ed.family = 4;
	ed.plen = 32;
	tsu_parse("10.1.2.3", &(struct ds_ip_entry){ 0 });
	ed.addr[0] = 10; ed.addr[1] = 1; ed.addr[2] = 2; ed.addr[3] = 3;
	ed.op = STORE_EDIT_EXCLUDE;
	CHECK_INT(store_edit_ip(st, "edit", &ed, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.entries, 3);
	/* 1 source record; the /16 interval splits in two. */
	CHECK_INT(s.added, 1 + 2);
	CHECK_INT(s.removed, 1);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "10.1.2.3"), "");
	CHECK_STR(tsu_q(rd, id, "10.1.2.2"), "3");
	CHECK_STR(tsu_q(rd, id, "10.1.2.4"), "3");
	CHECK_STR(tsu_q(rd, id, "10.2.0.0"), "2");
	store_dataset_meta(rd, "edit", &m2);
	CHECK(m1 && m2 && m2->serial > m1->serial && m2->entries == 3);
	store_dsmeta_free(m2);
	store_reader_free(rd);
	/* The same edit again changes nothing. */
	CHECK_INT(store_edit_ip(st, "edit", &ed, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.added + s.removed, 0);
	/* Removing the exclusion merges the /16 back into one interval. */
	ed.op = STORE_EDIT_REMOVE;
	CHECK_INT(store_edit_ip(st, "edit", &ed, 1, &s, err, sizeof(err)), 0);
	CHECK_INT(s.added, 1);
	CHECK_INT(s.removed, 1 + 2);
	CHECK_INT(s.entries, 2);
	/* Errors: wrong type, unknown dataset, host bits; nothing changes. */
	CHECK_INT(store_edit_ip(st, "editdn", &ed, 1, &s, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "dnset") != NULL);
	CHECK_INT(store_edit_ip(st, "nosuch", &ed, 1, &s, err, sizeof(err)),
		  STORE_ENOTFOUND);
	{
		struct store_ip_edit two[2] = { ed, ed };

		two[0].op = STORE_EDIT_EXCLUDE;
		two[1].plen = 16;   /* 10.1.2.3/16: host bits */
		CHECK_INT(store_edit_ip(st, "edit", two, 2, &s, err, sizeof(err)),
			  STORE_EINVAL);
		CHECK(strstr(err, "edit 1") != NULL);
	}
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, id, "10.1.2.3"), "3");
	store_reader_free(rd);
	store_dsmeta_free(m1);
	dataset_free(ds);
	dataset_free(dn);
	edits_vs_fresh(4, DS_IP4TRIE, "edit4");
	edits_vs_fresh(4, DS_IP4SET, "edit4set");
	edits_vs_fresh(6, DS_IP6TRIE, "edit6");
}

int main(void)
{
	st = tsu_open(tsu_tmpdir("ip"));
	test_ip4set_levels();
	test_equal_prefix_set();
	test_equal_prefix_trie();
	test_ip4_edges();
	test_merge_and_ranges();
	test_ip6();
	test_acl();
	test_random_vs_naive();
	test_reput_vs_fresh();
	test_edits();
	store_close(st);
	tsu_cleanup();
	return check_report();
}
