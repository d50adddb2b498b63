/* test_store_dn.c -- lib/store: dnset and generic (name) datasets.
 *
 * Exact vs. wildcard vs. exclusions, the matched entry name used for `$`,
 * case folding, empty-non-terminal detection and generic record iteration.
 */
#include "check.h"
#include "test_store_util.h"

static struct store *st;

static void test_dnset(void)
{
	struct dataset *ds = dataset_new(DS_DNSET);
	uint32_t v2 = tsu_val(ds, 2, NULL), v3 = tsu_val(ds, 3, NULL);
	uint32_t v4 = tsu_val(ds, 4, NULL), v5 = tsu_val(ds, 5, NULL);
	struct store_reader *rd;
	char entry[256];
	uint32_t id;

	tsu_dn(ds, "example.com", v2);
	tsu_dn(ds, "*.example.com", v3);
	tsu_dn(ds, "foo.com", v4);            /* ".foo.com" = exact + wild */
	tsu_dn(ds, "*.foo.com", v4);
	tsu_dn(ds, "!bar.foo.com", 0);
	tsu_dn(ds, "!*.baz.foo.com", 0);
	tsu_dn(ds, "multi.org", v3);
	tsu_dn(ds, "Multi.ORG", v2);          /* same key: union */
	tsu_dn(ds, "multi.org", v3);
	tsu_dn(ds, "x.multi.org", v2);
	tsu_dn(ds, "!x.multi.org", 0);        /* an exclusion at the same key wins */
	tsu_dn(ds, "*.deep.net", v5);
	tsu_dn(ds, "*.a.b.deep.net", v2);
	id = tsu_put(st, "dn", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, id, "example.com", entry), "2");
	CHECK_STR(entry, "example.com");
	CHECK_STR(tsu_qdn(rd, id, "x.example.com", entry), "3");
	CHECK_STR(entry, "example.com");
	CHECK_STR(tsu_qdn(rd, id, "a.x.EXAMPLE.com", entry), "3");
	CHECK_STR(entry, "example.com");
	CHECK_STR(tsu_qdn(rd, id, "com", NULL), "");
	CHECK_STR(tsu_qdn(rd, id, "xexample.com", NULL), "");
	CHECK_STR(tsu_qdn(rd, id, "foo.com", entry), "4");
	CHECK_STR(entry, "foo.com");
	CHECK_STR(tsu_qdn(rd, id, "bar.foo.com", NULL), "");      /* exact ! */
	CHECK_STR(tsu_qdn(rd, id, "x.bar.foo.com", entry), "4");  /* *.foo.com */
	CHECK_STR(entry, "foo.com");
	CHECK_STR(tsu_qdn(rd, id, "baz.foo.com", NULL), "4");     /* *.baz is below */
	CHECK_STR(tsu_qdn(rd, id, "q.baz.foo.com", NULL), "");    /* closest is ! */
	CHECK_STR(tsu_qdn(rd, id, "r.q.baz.foo.com", NULL), "");
	CHECK_STR(tsu_qdn(rd, id, "MULTI.org", entry), "3 2");
	CHECK_STR(entry, "multi.org");
	CHECK_STR(tsu_qdn(rd, id, "x.multi.org", NULL), "");
	CHECK_STR(tsu_qdn(rd, id, "deep.net", NULL), "");         /* wild only */
	CHECK_STR(tsu_qdn(rd, id, "a.b.deep.net", entry), "5");
	CHECK_STR(entry, "deep.net");
	CHECK_STR(tsu_qdn(rd, id, "c.a.b.deep.net", entry), "2");
	CHECK_STR(entry, "a.b.deep.net");
	CHECK_STR(tsu_qdn(rd, id, "", NULL), "");                 /* the apex */
	/* Empty non-terminals: is anything strictly below? */
	CHECK_INT(store_name_has_below(rd, id, tsu_name("com")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("foo.com")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("bar.foo.com")), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("example.com")), 1); /* *. */
	CHECK_INT(store_name_has_below(rd, id, tsu_name("x.example.com")), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("b.deep.net")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("B.DEEP.net")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("c.deep.net")), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("org")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("nope")), 0);
	CHECK_INT(store_name_has_below(rd, id + 77, tsu_name("")), 0);
	store_reader_free(rd);
	dataset_free(ds);
}

static void add_rr(struct dataset *ds, const char *name, uint16_t type,
		   uint32_t ttl, const void *rdata, uint16_t rdlen, int rel)
{
	struct ds_rr rr = { 0 };

	rr.name = (uint8_t *)tsu_name(name);
	rr.type = type;
	rr.ttl = ttl;
	rr.rdata = (uint8_t *)rdata;
	rr.rdlen = rdlen;
	rr.rel_target = (uint8_t)rel;
	dataset_add_rr(ds, &rr);
}

static void test_generic(void)
{
	struct dataset *ds = dataset_new(DS_GENERIC);
	struct store_reader *rd;
	struct store_rrset it;
	struct store_rr rr;
	uint32_t id;

	add_rr(ds, "", 1, 0, "\x7f\x00\x00\x01", 4, 0);
	add_rr(ds, "mail", 15, 300, "\x00\x0a\x02mx\x00", 6, 1);
	add_rr(ds, "", 16, 60, "\x05hello", 6, 0);
	add_rr(ds, "a.b.c", 1, 0, "\x01\x02\x03\x04", 4, 0);
	add_rr(ds, "Mail", 1, 0, "\x0a\x00\x00\x01", 4, 0);
	id = tsu_put(st, "gen", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_INT(store_lookup_generic(rd, id, tsu_name(""), &it), 1);
	CHECK_INT(store_rrset_next(&it, &rr), 1);
	CHECK_INT(rr.type, 1);
	CHECK_INT(rr.rdlen, 4);
	CHECK(memcmp(rr.rdata, "\x7f\x00\x00\x01", 4) == 0);
	CHECK_INT(store_rrset_next(&it, &rr), 1);
	CHECK_INT(rr.type, 16);
	CHECK_INT(rr.ttl, 60);
	CHECK(rr.rdlen == 6 && memcmp(rr.rdata, "\x05hello", 6) == 0);
	CHECK_INT(store_rrset_next(&it, &rr), 0);
	/* Records of a name come back in data order, names fold case. */
	CHECK_INT(store_lookup_generic(rd, id, tsu_name("MAIL"), &it), 1);
	CHECK_INT(store_rrset_next(&it, &rr), 1);
	CHECK_INT(rr.type, 15);
	CHECK_INT(rr.ttl, 300);
	CHECK_INT(rr.rel_target, 1);
	CHECK(rr.rdlen == 6 && memcmp(rr.rdata, "\x00\x0a\x02mx\x00", 6) == 0);
	CHECK_INT(store_rrset_next(&it, &rr), 1);
	CHECK_INT(rr.type, 1);
	CHECK_INT(rr.rel_target, 0);
	CHECK_INT(store_rrset_next(&it, &rr), 0);
	CHECK_INT(store_lookup_generic(rd, id, tsu_name("b.c"), &it), 0);
	CHECK_INT(store_rrset_next(&it, &rr), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("b.c")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("c")), 1);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("a.b.c")), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("mail")), 0);
	CHECK_INT(store_name_has_below(rd, id, tsu_name("")), 1);
	/* A dnset lookup on generic data finds no dnset entry. */
	CHECK_STR(tsu_qdn(rd, id, "mail", NULL), "");
	store_reader_free(rd);
	dataset_free(ds);
}

/* Names near the limits: 63-byte labels, 127 labels, 255 bytes. */
static void test_long_names(void)
{
	struct dataset *ds = dataset_new(DS_DNSET);
	uint32_t v2 = tsu_val(ds, 2, NULL);
	struct store_reader *rd;
	struct store_match m;
	char text[300], entry[300];
	uint8_t w[DNAME_MAX];
	uint32_t id;
	int len;

	memset(text, 0, sizeof(text));
	for (int i = 0; i < 127; i++) {
		text[2 * i] = 'a';
		text[2 * i + 1] = i < 126 ? '.' : '\0';
	}
	len = dname_from_text(text, strlen(text), w, 1);
	CHECK_INT(len, 255);
	tsu_dn(ds, "*.a", v2);
	id = tsu_put(st, "longdn", ds, NULL);
	store_reader_new(st, &rd);
	CHECK_INT(store_lookup_dn(rd, id, w, &m, NULL), 1);
	dname_to_text(m.entry, entry, sizeof(entry));
	CHECK_STR(entry, "a");
	/* Malformed query names are not listed, never read out of bounds. */
	CHECK_INT(store_lookup_dn(rd, id, (const uint8_t *)"\x50zzz\0", &m, NULL), 0);
	store_reader_free(rd);
	dataset_free(ds);
}

/* Re-put of a dnset: only the changed names are written. */
static void test_dn_diff(void)
{
	struct dataset *a = dataset_new(DS_DNSET), *b = dataset_new(DS_DNSET);
	struct store_apply_stats s;
	struct store_reader *rd;
	char name[64];
	uint32_t id, va = tsu_val(a, 2, NULL), vb = tsu_val(b, 2, NULL);
	uint32_t vb3 = tsu_val(b, 3, NULL);

	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "host%d.example", i);
		tsu_dn(a, name, va);
		if (i == 10)
			continue;                        /* removed */
		tsu_dn(b, name, i == 20 ? vb3 : vb);     /* 20 changes value */
	}
	tsu_dn(b, "*.new.example", vb);                  /* added */
	id = tsu_put(st, "dndiff", a, &s);
	CHECK_INT(s.added, 50);
	CHECK_INT(s.entries, 50);
	CHECK(tsu_put(st, "dndiff", b, &s) == id);
	CHECK_INT(s.removed, 1);
	CHECK_INT(s.added, 2);
	CHECK_INT(s.unchanged, 48);
	CHECK_INT(s.entries, 50);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, id, "host10.example", NULL), "");
	CHECK_STR(tsu_qdn(rd, id, "host20.example", NULL), "3");
	CHECK_STR(tsu_qdn(rd, id, "host21.example", NULL), "2");
	CHECK_STR(tsu_qdn(rd, id, "x.new.example", NULL), "2");
	store_reader_free(rd);
	/* The same again: nothing written. */
	tsu_put(st, "dndiff", b, &s);
	CHECK_INT(s.added + s.removed, 0);
	CHECK_INT(s.unchanged, 50);
	dataset_free(a);
	dataset_free(b);
}

/* ---- random names against a model ---------------------------------------- */

/* Labels that sort before, at and after a wildcard's "*" in its place
 * ("!" "#" "(" ")" are single bytes below '*', "+" just above), so the
 * range-search lookup and its label-by-label fallback both run. */
static const char *const rnd_labels[] = { "a", "b", "ab", "b-", "0", "zz",
	"!", "#", "(", ")", "*", "+", "-", "xn--q" };
#define RND_NLAB (sizeof(rnd_labels) / sizeof(rnd_labels[0]))
#define RND_MAXD 5

struct rnd_name {
	unsigned n;                 /* labels, apex side first */
	unsigned lab[RND_MAXD];
};

struct rnd_entry {
	struct rnd_name name;
	int wild, excluded;
	unsigned value;             /* 2..6 */
};

static uint32_t rnd_state;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static void rnd_pick(struct rnd_name *nm, unsigned maxd)
{
	nm->n = rnd(maxd + 1);
	for (unsigned i = 0; i < nm->n; i++)
		nm->lab[i] = rnd(RND_NLAB);
}

/* Wire form (leaf label first) of the name's first `n` labels. */
static void rnd_wire(const struct rnd_name *nm, unsigned n, uint8_t *w)
{
	size_t o = 0;

	for (unsigned i = n; i-- > 0;) {
		const char *l = rnd_labels[nm->lab[i]];

		w[o++] = (uint8_t)strlen(l);
		memcpy(w + o, l, strlen(l));
		o += strlen(l);
	}
	w[o] = 0;
}

static int rnd_prefix(const struct rnd_name *a, unsigned n,
		      const struct rnd_name *b)
{
	if (a->n != n || n > b->n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (a->lab[i] != b->lab[i])
			return 0;
	return 1;
}

static const struct rnd_entry *rnd_find(const struct rnd_entry *e, size_t ne,
					const struct rnd_name *q, unsigned n,
					int wild)
{
	for (size_t i = 0; i < ne; i++)
		if (e[i].wild == wild && rnd_prefix(&e[i].name, n, q))
			return &e[i];
	return NULL;
}

/* The model: the exact entry, else the longest strict ancestor's wildcard;
 * "below": an entry whose name lies under q, or a wildcard of q itself. */
static void rnd_expect(const struct rnd_entry *e, size_t ne,
		       const struct rnd_name *q, char *want, char *entry,
		       int *below)
{
	const struct rnd_entry *hit = rnd_find(e, ne, q, q->n, 0);
	unsigned depth = q->n;

	for (unsigned k = q->n; !hit && k-- > 0;)
		if ((hit = rnd_find(e, ne, q, k, 1)) != NULL)
			depth = k;
	want[0] = entry[0] = '\0';
	if (hit && !hit->excluded) {
		uint8_t w[DNAME_MAX];

		sprintf(want, "%u", hit->value);
		rnd_wire(q, depth, w);
		dname_to_text(w, entry, 256);
	}
	*below = 0;
	for (size_t i = 0; i < ne; i++) {
		const struct rnd_name *n = &e[i].name;
		int under = n->n >= q->n;

		for (unsigned k = 0; under && k < q->n; k++)
			under = n->lab[k] == q->lab[k];
		if (under && (n->n > q->n || e[i].wild))
			*below = 1;
	}
}

static void test_dn_random(void)
{
	char label[32], want[16], wentry[256], entry[256];
	uint8_t w[DNAME_MAX];
	int bad = 0;

	for (unsigned round = 0; round < 40; round++) {
		struct dataset *ds = dataset_new(DS_DNSET);
		struct rnd_entry e[60];
		struct store_reader *rd;
		size_t ne = 0;
		uint32_t id, vals[7];

		rnd_state = 7919u * round + 1;
		for (unsigned v = 2; v <= 6; v++)
			vals[v] = tsu_val(ds, v, NULL);
		while (ne < 10 + rnd(50)) {
			struct rnd_entry *x = &e[ne];
			struct ds_dn_entry de = { 0 };

			rnd_pick(&x->name, RND_MAXD - 1);
			x->wild = rnd(3) == 0;
			if (rnd_find(e, ne, &x->name, x->name.n, x->wild))
				continue;   /* one value per key keeps the model simple */
			x->excluded = rnd(6) == 0;
			x->value = 2 + rnd(5);
			rnd_wire(&x->name, x->name.n, w);
			de.name = w;
			de.wild = (uint8_t)x->wild;
			de.excluded = (uint8_t)x->excluded;
			de.value = vals[x->value];
			dataset_add_dn(ds, &de);
			ne++;
		}
		snprintf(label, sizeof(label), "rnd%u", round);
		id = tsu_put(st, label, ds, NULL);
		store_reader_new(st, &rd);
		for (unsigned t = 0; t < 400; t++) {
			struct rnd_name q;
			struct store_match m;
			int below, wbelow, rc;
			const char *got;

			rnd_pick(&q, RND_MAXD);
			if (t % 2 && ne) {   /* often under a stored name */
				const struct rnd_entry *x = &e[rnd((unsigned)ne)];

				q.n = x->name.n + rnd(3);
				if (q.n > RND_MAXD)
					q.n = RND_MAXD;
				memcpy(q.lab, x->name.lab, x->name.n * sizeof(q.lab[0]));
				for (unsigned i = x->name.n; i < q.n; i++)
					q.lab[i] = rnd(RND_NLAB);
			}
			rnd_expect(e, ne, &q, want, wentry, &wbelow);
			rnd_wire(&q, q.n, w);
			rc = store_lookup_dn(rd, id, w, &m, &below);
			got = tsu_render(rd, rc, &m);
			entry[0] = '\0';
			if (rc == 1)
				dname_to_text(m.entry, entry, sizeof(entry));
			if (strcmp(got, want) || strcmp(entry, wentry) ||
			    (rc == 0 && below != wbelow) ||
			    store_name_has_below(rd, id, w) != wbelow) {
				dname_to_text(w, label, sizeof(label));
				if (bad++ < 10)
					fprintf(stderr, "round %u: %s: got \"%s\" (%s) "
						"below %d, want \"%s\" (%s) below %d\n",
						round, label, got, entry, below,
						want, wentry, wbelow);
			}
		}
		store_reader_free(rd);
		dataset_free(ds);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	st = tsu_open(tsu_tmpdir("dn"));
	test_dnset();
	test_generic();
	test_long_names();
	test_dn_diff();
	test_dn_random();
	store_close(st);
	tsu_cleanup();
	return check_report();
}
