/* test_store_overlay.c -- lib/store: a dataset's change written beside its
 * records (the overlay) stores and answers exactly what a full load does.
 *
 * Model-based and randomised.  Three address datasets (ip4set, ip4trie,
 * ip6trie) live in one store S1 that takes ~20 versions of each with
 * DNSBLD_OVERLAY_MIN=0: mostly small changes (lines added, removed, given
 * another value, moved), sometimes a big one, a re-put of the same data,
 * or a hand edit (store_change, as dnsbl-ctl add/del does, some with an
 * expiry that store_expire then sweeps) followed by the next put.  After
 * every step S1 is compared with S2, a fresh store holding the same version
 * put once (and given the same edit), on every lookup of each entry's
 * edges and their neighbours and of random addresses, range queries,
 * covering entries, both iterations, store_check, and the raw records:
 * S1's effective records ((base minus D) plus A) must be S2's base record
 * for record, answers resolved.  S3 takes the same sequence with the
 * overlay off; its put and edit statistics must equal S1's.  The raw
 * records also show that the writer decides as specified: an overlay
 * (A = new minus base, D = base minus new, base untouched) when the change
 * is at most an eighth of the base, else a fold (A and D empty), and the
 * whole dataset folded after the load once an overlay is past a sixteenth;
 * a fold at every hand edit; never an overlay in S3.  At the end S1 is
 * compacted (the overlay survives, answers stay) and a dataset dropped
 * (all three of its keys go).
 *
 * Seeds: 7 and a new one per run, printed; OVERLAY_SEED="N ..." reruns
 * them.  OVERLAY_STEPS=N: versions per seed (20).
 */
#include "check.h"
#include "feed_entry.h"
#include "test_store_util.h"

#include <lmdb.h>
#include <stdarg.h>
#include <time.h>

/* The overlay's keys (the store's layout): dsid | bit. */
#define OVL_ADD 0x80000000u
#define OVL_DEL 0x40000000u

__extension__ typedef unsigned __int128 u128;

/* ---- random ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static unsigned rndn(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

/* ---- addresses ----------------------------------------------------------- */

static unsigned abits(int family)
{
	return family == 4 ? 32 : 128;
}

static u128 amax(int family)
{
	return family == 4 ? 0xffffffffu : ~(u128)0;
}

static u128 aget(const uint8_t *a, int family)
{
	u128 v = 0;

	for (unsigned i = 0; i < abits(family) / 8; i++)
		v = v << 8 | a[i];
	return v;
}

static void aput(u128 v, int family, uint8_t a[16])
{
	memset(a, 0, 16);
	for (unsigned i = abits(family) / 8; i-- > 0;) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static u128 hostmask(unsigned plen, int family)
{
	unsigned host = abits(family) - plen;

	return host >= 128 ? ~(u128)0 : ((u128)1 << host) - 1;
}

static const char *atext(u128 v, int family)
{
	static char buf[4][64];
	static int n;
	char *o = buf[n++ % 4];
	uint8_t a[16];

	aput(v, family, a);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, o, 64);
	return o;
}

/* ---- the model: a dataset as the lines of a feed ------------------------- */

#define NVALUES 7
static const struct {
	unsigned a;
	const char *txt;
} pool[NVALUES] = {
	{ 2, NULL }, { 3, "listed $" }, { 4, NULL }, { 5, "five" },
	{ 6, NULL }, { 2, "two" }, { 7, "seven $ again" },
};

struct line {
	char text[96];
	unsigned vi;              /* pool index */
	struct ds_ip_entry *e;    /* what the parser makes of the text */
	size_t ne;
};

struct model {
	const char *name;
	enum ds_type type;
	int family;
	u128 base[4];             /* where addresses are drawn */
	struct line *l;
	size_t n, cap;
};

/* An address near one of the model's bases: mostly dense (so prefixes
 * nest and touch), sometimes anywhere in the base's /16 or /80. */
static u128 m_addr(const struct model *m)
{
	unsigned b = rndn(10) < 8 ? rndn(2) : 2 + rndn(2);
	u128 off;

	if (m->family == 4)
		off = rndn(10) < 7 ? rndn(0x900) : rndn(0x10000);
	else
		off = (u128)rndn(4) << 80 | (u128)rndn(3) << 64 |
		      (rndn(10) < 7 ? rndn(0x900) : rnd() & 0xffffffffu);
	if (m->base[b] == amax(m->family) - hostmask(m->family == 4 ? 16 : 48,
						     m->family))
		off &= hostmask(m->family == 4 ? 16 : 48, m->family);
	return m->base[b] | off;
}

static unsigned m_plen(const struct model *m)
{
	static const unsigned p4set[] = { 16, 20, 22, 23, 24, 24, 25, 26, 27,
					  28, 29, 30, 31, 32 };
	static const unsigned p4trie[] = { 8, 12, 16, 19, 20, 21, 22, 23, 24,
					   24, 25, 26, 27, 28, 29, 30, 31, 32 };
	static const unsigned p6[] = { 32, 40, 46, 47, 48, 56, 60, 63, 64,
				       64, 72, 96, 112, 116, 120, 124, 126,
				       127, 128 };

	if (m->family == 6)
		return p6[rndn(sizeof(p6) / sizeof(p6[0]))];
	if (m->type == DS_IP4SET)
		return p4set[rndn(sizeof(p4set) / sizeof(p4set[0]))];
	return p4trie[rndn(sizeof(p4trie) / sizeof(p4trie[0]))];
}

/* A key in one of the type's forms (host bits left in: the parser takes
 * them off). */
static void m_key(const struct model *m, char *o, size_t len)
{
	u128 a = m_addr(m);
	unsigned r = rndn(100);
	int n = 0;

	if (rndn(100) < 12)
		o[n++] = '!';
	if (r < 40) {
		snprintf(o + n, len - n, "%s", atext(a, m->family));
	} else if (m->type == DS_IP4SET && r < 52) {
		u128 hi = a + 1 + rndn(rndn(4) ? 40 : 700);

		if (hi > amax(4))
			hi = amax(4);
		snprintf(o + n, len - n, "%s-%s", atext(a, 4), atext(hi, 4));
	} else if (m->type == DS_IP4SET && r < 60) {
		char t[64];

		snprintf(t, sizeof(t), "%s", atext(a, 4));
		*strrchr(t, '.') = '\0';   /* a.b.c: the /24 */
		snprintf(o + n, len - n, "%s", t);
	} else if (r < 99) {
		snprintf(o + n, len - n, "%s/%u", atext(a, m->family),
			 m_plen(m));
	} else {
		/* Wide: everything of the base under it. */
		snprintf(o + n, len - n, "%s/%u", atext(a, m->family),
			 m->family == 4 ? (m->type == DS_IP4SET ? 16 : 8) : 24);
	}
}

/* Makes a line: a fresh key, or (duplicates) one already in the model. */
static void m_newline(const struct model *m, struct line *ln)
{
	char err[256];

	for (;;) {
		struct dataset *pds = NULL;

		if (m->n && rndn(100) < 8)
			snprintf(ln->text, sizeof(ln->text), "%s",
				 m->l[rndn((unsigned)m->n)].text);
		else
			m_key(m, ln->text, sizeof(ln->text));
		if (feed_entry_parse(m->type, ln->text, 1, &pds, err,
				     sizeof(err)) < 0) {
			continue;   /* e.g. a range the type refuses: another */
		}
		ln->ne = dataset_nip(pds);
		ln->e = malloc(ln->ne * sizeof(*ln->e));
		if (!ln->e)
			exit(2);
		for (size_t i = 0; i < ln->ne; i++)
			dataset_ip_get(pds, i, &ln->e[i]);
		dataset_free(pds);
		ln->vi = rndn(NVALUES);
		return;
	}
}

static void m_insert(struct model *m, size_t at)
{
	struct line ln;

	m_newline(m, &ln);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->l = realloc(m->l, m->cap * sizeof(*m->l));
		if (!m->l)
			exit(2);
	}
	memmove(m->l + at + 1, m->l + at, (m->n - at) * sizeof(*m->l));
	m->l[at] = ln;
	m->n++;
}

static void m_remove(struct model *m, size_t at)
{
	free(m->l[at].e);
	memmove(m->l + at, m->l + at + 1, (m->n - at - 1) * sizeof(*m->l));
	m->n--;
}

/* The line with the entry that reaches highest (`top`) or starts lowest:
 * the ends of a dataset are where a merge of two sorted streams goes
 * wrong. */
static size_t m_end_line(const struct model *m, int top)
{
	size_t best = 0;
	u128 bv = top ? 0 : amax(m->family);

	for (size_t i = 0; i < m->n; i++)
		for (size_t j = 0; j < m->l[i].ne; j++) {
			const struct ds_ip_entry *e = &m->l[i].e[j];
			u128 s = aget(e->addr, m->family);
			u128 v = top ? s | hostmask(e->plen, m->family) : s;

			if (top ? v >= bv : v <= bv) {
				bv = v;
				best = i;
			}
		}
	return best;
}

/* `k` random changes: lines added, removed, given another value; now and
 * then a block of lines moved (the first of equal prefixes wins in a
 * trie), or the first or last entry changed. */
static void m_change(struct model *m, size_t k)
{
	if (rndn(100) < 40 && m->n > 10) {
		size_t i = m_end_line(m, rndn(3) > 0);

		if (rndn(2))
			m->l[i].vi = (m->l[i].vi + 1 + rndn(NVALUES - 1)) % NVALUES;
		else
			m_remove(m, i);
	}
	for (size_t i = 0; i < k; i++) {
		unsigned r = rndn(100);

		if (r < 35 && m->n > 10)
			m_remove(m, rndn((unsigned)m->n));
		else if (r < 70)
			m_insert(m, rndn((unsigned)m->n + 1));
		else if (m->n)
			m->l[rndn((unsigned)m->n)].vi = rndn(NVALUES);
	}
	if (rndn(100) < 15 && m->n > 40) {
		size_t len = 1 + rndn(20), from = rndn((unsigned)(m->n - len));
		size_t to = rndn((unsigned)(m->n - len));
		struct line tmp[20];

		memcpy(tmp, m->l + from, len * sizeof(*tmp));
		memmove(m->l + from, m->l + from + len,
			(m->n - from - len) * sizeof(*tmp));
		memmove(m->l + to + len, m->l + to,
			(m->n - len - to) * sizeof(*tmp));
		memcpy(m->l + to, tmp, len * sizeof(*tmp));
	}
}

static struct dataset *m_dataset(const struct model *m)
{
	struct dataset *ds = dataset_new(m->type);
	uint32_t vid[NVALUES];

	for (unsigned v = 0; v < NVALUES; v++)
		vid[v] = tsu_val(ds, pool[v].a, pool[v].txt);
	for (size_t i = 0; i < m->n; i++)
		for (size_t j = 0; j < m->l[i].ne; j++) {
			struct ds_ip_entry e = m->l[i].e[j];

			e.value = vid[m->l[i].vi];
			dataset_add_ip(ds, &e);
		}
	dataset_sort_ip4(ds);   /* as the parser leaves it */
	return ds;
}

static void m_init(struct model *m, const char *name, enum ds_type type,
		   size_t lines)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->type = type;
	m->family = type == DS_IP6TRIE ? 6 : 4;
	if (m->family == 4) {
		m->base[0] = (u128)(10 + rndn(200)) << 24 | (u128)rndn(255) << 16;
		m->base[1] = m->base[0] + 0x10000;   /* the next /16: touching */
		m->base[2] = (u128)(10 + rndn(200)) << 24 | (u128)rndn(256) << 16;
		/* an edge of the address space */
		m->base[3] = rndn(2) ? 0 : amax(4) - 0xffff;
	} else {
		m->base[0] = (u128)0x20010db8u << 96 | (u128)rndn(0x10000) << 80;
		m->base[1] = m->base[0] + ((u128)1 << 82);
		m->base[2] = (u128)0x2a00u << 112 | (u128)rndn(0x10000) << 96;
		m->base[3] = rndn(2) ? 0 : amax(6) - hostmask(48, 6);
	}
	for (size_t i = 0; i < lines; i++)
		m_insert(m, m->n);
}

static void m_free(struct model *m)
{
	while (m->n)
		m_remove(m, m->n - 1);
	free(m->l);
}

/* ---- a growable text, for walks and raw records ------------------------ */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	for (;;) {
		va_start(ap, fmt);
		need = vsnprintf(b->p ? b->p + b->n : NULL,
				 b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (b->p && b->n + (size_t)need < b->cap)
			break;
		b->cap = (b->cap + (size_t)need + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(2);
	}
	b->n += (size_t)need;
}

/* The first line where two texts differ, for the report. */
static void sb_firstdiff(const char *what, const struct sbuf *a,
			 const struct sbuf *b)
{
	const char *x = a->p ? a->p : "", *y = b->p ? b->p : "";
	size_t i = 0, ls = 0;

	while (x[i] && x[i] == y[i]) {
		if (x[i] == '\n')
			ls = i + 1;
		i++;
	}
	fprintf(stderr, "    %s: first difference at byte %zu:\n"
		"      S1: %.*s\n      S2: %.*s\n", what, ls,
		(int)strcspn(x + ls, "\n"), x + ls, (int)strcspn(y + ls, "\n"),
		y + ls);
}

/* ---- answers as text ------------------------------------------------------ */

static void values_text(struct store_reader *rd, const uint32_t *ids, size_t n,
			struct sbuf *o)
{
	for (size_t i = 0; i < n; i++) {
		struct store_value v;

		if (store_value_get(rd, ids[i], &v) != STORE_OK) {
			sb_printf(o, " BADVALUE");
			continue;
		}
		sb_printf(o, " %u:%x:%.*s", v.kind, v.a, v.txt ? (int)v.txtlen : 1,
			  v.txt ? v.txt : "-");
	}
}

static void lookup_text(struct store_reader *rd, uint32_t dsid, int family,
			u128 a, struct sbuf *o)
{
	struct store_match m;
	uint8_t ab[16];
	int rc;

	aput(a, family, ab);
	rc = store_lookup_ip(rd, dsid, family, ab, &m);
	sb_printf(o, "%d", rc);
	if (rc == 1)
		values_text(rd, m.values, m.nvalues, o);
}

/* A lookup's answer, its values resolved (views into the snapshot). */
struct answer {
	int rc;
	size_t n;
	struct store_value v[STORE_MAX_MATCH];
};

static void answer_get(struct store_reader *rd, uint32_t dsid, int family,
		       u128 a, struct answer *out)
{
	struct store_match m;
	uint8_t ab[16];

	aput(a, family, ab);
	out->n = 0;
	out->rc = store_lookup_ip(rd, dsid, family, ab, &m);
	for (size_t i = 0; out->rc == 1 && i < m.nvalues; i++)
		if (store_value_get(rd, m.values[i], &out->v[out->n++]))
			out->rc = -100;   /* a value that does not resolve */
}

static int answer_same(const struct answer *x, const struct answer *y)
{
	if (x->rc != y->rc || x->n != y->n)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct store_value *a = &x->v[i], *b = &y->v[i];

		if (a->kind != b->kind || a->a != b->a || !a->txt != !b->txt ||
		    (a->txt && (a->txtlen != b->txtlen ||
				memcmp(a->txt, b->txt, a->txtlen))))
			return 0;
	}
	return 1;
}

static int iter_ip_cb(const struct store_ip_item *it, void *arg)
{
	void **a = arg;
	struct sbuf *o = a[1];

	sb_printf(o, "%s/%u %s", atext(aget(it->addr, it->family), it->family),
		  it->plen, it->excluded ? "!" : "");
	values_text(a[0], it->values, it->nvalues, o);
	sb_printf(o, "\n");
	return 0;
}

static int iter_ranges_cb(const struct store_range_item *it, void *arg)
{
	void **a = arg;
	struct sbuf *o = a[1];

	sb_printf(o, "%s-", atext(aget(it->start, it->family), it->family));
	sb_printf(o, "%s", atext(aget(it->end, it->family), it->family));
	values_text(a[0], it->values, it->nvalues, o);
	sb_printf(o, "\n");
	return 0;
}

static void walks_text(struct store_reader *rd, uint32_t dsid, struct sbuf *ip,
		       struct sbuf *ranges)
{
	void *a[2] = { rd, ip };
	int rc = store_iter_ip(rd, dsid, iter_ip_cb, a);

	sb_printf(ip, "end %d\n", rc);
	a[1] = ranges;
	rc = store_iter_ranges(rd, dsid, iter_ranges_cb, a);
	sb_printf(ranges, "end %d\n", rc);
}

static void check_cb(void *arg, const char *dataset, const char *problem)
{
	fprintf(stderr, "    %s: store_check: %s: %s\n", (const char *)arg,
		dataset ? dataset : "(store)", problem);
}

/* ---- the raw records (LMDB, read-only, beside the store) ------------------ */

struct recs {
	uint8_t *p;
	size_t n, rsz, cap;
};

enum { T_SRC4, T_SRC6, T_IP4, T_IP6, NTABLES };
static const char *const tname[NTABLES] = { "src4", "src6", "ip4", "ip6" };
static const size_t trsz[NTABLES] = { 9, 21, 12, 36 };

/* One dataset's records in one table under its three keys. */
struct rawtab {
	struct recs b, a, d;
};
struct raw {
	struct rawtab t[NTABLES];
	struct sbuf canon[NTABLES];   /* base (S2) or effective (S1) set,
	                                 answers resolved, one per line */
	int bad;                      /* a record of the wrong size */
};

static void key_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t key_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void recs_add(struct recs *r, const void *p)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->p = realloc(r->p, r->cap * r->rsz);
		if (!r->p)
			exit(2);
	}
	memcpy(r->p + r->n++ * r->rsz, p, r->rsz);
}

static void recs_free(struct recs *r)
{
	free(r->p);
	r->p = NULL;
	r->n = r->cap = 0;
}

static int recs_cmp(const struct recs *r, size_t i, const struct recs *s,
		    size_t j)
{
	return memcmp(r->p + i * r->rsz, s->p + j * s->rsz, r->rsz);
}

/* x minus y (both sorted), into out (empty, same rsz). */
static void recs_minus(const struct recs *x, const struct recs *y,
		       struct recs *out)
{
	size_t i = 0, j = 0;

	out->rsz = x->rsz;
	while (i < x->n) {
		int c = j < y->n ? recs_cmp(x, i, y, j) : -1;

		if (c < 0)
			recs_add(out, x->p + i++ * x->rsz);
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
}

/* (x minus y) plus z, sorted. */
static void recs_effective(const struct recs *b, const struct recs *d,
			   const struct recs *a, struct recs *out)
{
	struct recs bd = { .rsz = b->rsz };
	size_t i = 0, j = 0;

	recs_minus(b, d, &bd);
	out->rsz = b->rsz;
	while (i < bd.n || j < a->n) {
		int c = i == bd.n ? 1 : j == a->n ? -1 : recs_cmp(&bd, i, a, j);

		if (c <= 0)
			recs_add(out, bd.p + i++ * bd.rsz);
		if (c >= 0 && c != 0)
			recs_add(out, a->p + j++ * a->rsz);
		else if (c == 0)
			j++;   /* in A and in the base: reported elsewhere */
	}
	recs_free(&bd);
}

static int recs_equal(const struct recs *x, const struct recs *y)
{
	return x->n == y->n && (x->n == 0 || memcmp(x->p, y->p, x->n * x->rsz) == 0);
}

static void raw_dups(MDB_txn *txn, MDB_dbi dbi, uint32_t key, struct recs *r,
		     int *bad)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	int rc;

	key_put(kb, key);
	if (mdb_cursor_open(txn, dbi, &c))
		exit(2);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) {
		if (d.mv_size != r->rsz) {
			*bad = 1;
			continue;
		}
		recs_add(r, d.mv_data);
	}
	mdb_cursor_close(c);
}

/* A record's bytes before its ref, in hex, a space after each address. */
static void raw_key_text(const uint8_t *p, size_t klen, size_t alen,
			 struct sbuf *o)
{
	static const char hex[] = "0123456789abcdef";
	char buf[1024];
	size_t n = 0;

	for (size_t j = 0; j < klen && n + 3 < sizeof(buf); j++) {
		if (j && j % alen == 0)
			buf[n++] = ' ';
		buf[n++] = hex[p[j] >> 4];
		buf[n++] = hex[p[j] & 15];
	}
	sb_printf(o, "%.*s ", (int)n, buf);
}

/* A ref as the answer it stands for (value records, sets expanded). */
static void raw_ref_text(MDB_txn *txn, MDB_dbi values, uint32_t ref,
			 struct sbuf *o, int depth)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	const uint8_t *p;

	if (ref == 0) {
		sb_printf(o, "excluded");
		return;
	}
	key_put(kb, ref);
	if (depth > 1 || mdb_get(txn, values, &k, &d) || d.mv_size < 1) {
		sb_printf(o, "MISSING-%x", ref);
		return;
	}
	p = d.mv_data;
	if (p[0] == 1) {
		sb_printf(o, "{");
		for (size_t i = 1; i + 4 <= d.mv_size; i += 4)
			raw_ref_text(txn, values, key_get(p + i), o, depth + 1);
		sb_printf(o, "}");
		return;
	}
	raw_key_text(p, d.mv_size, d.mv_size, o);
}

/* Reads dataset `dsid`'s records under its three keys from the store in
 * `dir`, and with `canon` its effective set as text (r->canon). */
static void raw_read_as(const char *dir, uint32_t dsid, struct raw *r,
			int canon)
{
	char path[600];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi values;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/current/data.mdb", dir);
	/* NOLOCK: no lock file, so nothing of the store's own environment
	 * in this process is disturbed; nothing writes meanwhile. */
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 32) ||
	    mdb_env_open(env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK,
			 0644) ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) ||
	    mdb_dbi_open(txn, "values", 0, &values)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	for (int t = 0; t < NTABLES; t++) {
		struct rawtab *rt = &r->t[t];
		struct recs eff = { .rsz = trsz[t] };
		MDB_dbi dbi;
		size_t alen = t == T_SRC4 || t == T_IP4 ? 4 : 16;
		size_t klen = trsz[t] - 4;   /* the record before its ref */

		rt->b.rsz = rt->a.rsz = rt->d.rsz = trsz[t];
		if (mdb_dbi_open(txn, tname[t], MDB_DUPSORT | MDB_DUPFIXED, &dbi))
			continue;    /* never written: empty */
		raw_dups(txn, dbi, dsid, &rt->b, &r->bad);
		raw_dups(txn, dbi, dsid | OVL_ADD, &rt->a, &r->bad);
		raw_dups(txn, dbi, dsid | OVL_DEL, &rt->d, &r->bad);
		if (canon)
			recs_effective(&rt->b, &rt->d, &rt->a, &eff);
		for (size_t i = 0; i < eff.n; i++) {
			const uint8_t *p = eff.p + i * eff.rsz;

			raw_key_text(p, klen, alen, &r->canon[t]);
			raw_ref_text(txn, values, key_get(p + klen), &r->canon[t],
				     0);
			sb_printf(&r->canon[t], "\n");
		}
		recs_free(&eff);
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

static void raw_read(const char *dir, uint32_t dsid, struct raw *r)
{
	raw_read_as(dir, dsid, r, 0);
}

static void raw_free(struct raw *r)
{
	for (int t = 0; t < NTABLES; t++) {
		recs_free(&r->t[t].b);
		recs_free(&r->t[t].a);
		recs_free(&r->t[t].d);
		free(r->canon[t].p);
	}
}

static size_t raw_overlay(const struct raw *r)
{
	size_t n = 0;

	for (int t = 0; t < NTABLES; t++)
		n += r->t[t].a.n + r->t[t].d.n;
	return n;
}

/* ---- one run ----------------------------------------------------------------- */

#define NMODELS 3

struct run {
	unsigned long long seed;
	struct store *s1, *s3;
	const char *dir1, *dir3;
	struct model m[NMODELS];
	uint32_t id1[NMODELS], id3[NMODELS];
	int step;
	const char *what;              /* the step's kind, for reports */
	/* per model, how often an overlay was seen in S1, per table kind */
	unsigned ovl_src[NMODELS], ovl_ip[NMODELS], folds[NMODELS];
	int64_t now;
	/* Readers of S1 kept from step to step and renewed for each
	 * comparison, as a server's are: what a reader holds of a snapshot
	 * must go with the snapshot.  One per model, asked about that
	 * dataset only, and one asked about all of them in turn (their ids
	 * share the slots a reader keeps things of datasets in). */
	struct store_reader *rdk[NMODELS], *rdl;
	uint32_t id2[NMODELS];         /* the datasets in the current S2 */
	int dropped;                   /* the model no longer in S1, or -1 */
};

static void say_fail(struct run *r, int mi, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say_fail(struct run *r, int mi, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  seed %llu step %d (%s) %s: ", r->seed, r->step,
		r->what, mi >= 0 ? r->m[mi].name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static void put_one(struct run *r, struct store *st, const char *name,
		    const struct dataset *ds, struct store_apply_stats *s);

/* A small other dataset in S1 and S3. */
static void put_filler(struct run *r, int i)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	struct store_apply_stats s;
	char name[32];

	snprintf(name, sizeof(name), "filler%d", i);
	tsu_ip(ds, "192.0.2.1", tsu_val(ds, 2, NULL));
	put_one(r, r->s1, name, ds, &s);
	put_one(r, r->s3, name, ds, &s);
	dataset_free(ds);
}

static void put_one(struct run *r, struct store *st, const char *name,
		    const struct dataset *ds, struct store_apply_stats *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	if (store_put_dataset(st, name, ds, NULL, 0, s, err, sizeof(err))) {
		say_fail(r, -1, "put %s: %s", name, err);
		check_one(0, "store_put_dataset", __FILE__, __LINE__);
	}
}

static uint32_t dsid_of(struct store *st, const char *name)
{
	struct store_reader *rd;
	struct store_dsmeta *m;
	uint32_t id = 0;

	if (store_reader_new(st, &rd))
		exit(2);
	if (store_dataset_meta(rd, name, &m) == STORE_OK) {
		id = m->dsid;
		store_dsmeta_free(m);
	}
	store_reader_free(rd);
	return id;
}

/* The addresses every comparison asks about: each entry's first and last
 * address and their neighbours, random ones near the data and anywhere,
 * the ends of the address space. */
struct probes {
	u128 *v;
	size_t n, cap;
};

static void probe_add(struct probes *p, u128 a)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			exit(2);
	}
	p->v[p->n++] = a;
}

static void probe_prefix(struct probes *p, int family, const uint8_t *addr,
			 unsigned plen)
{
	u128 s = aget(addr, family), e = s | hostmask(plen, family);

	probe_add(p, s);
	probe_add(p, e);
	if (s > 0)
		probe_add(p, s - 1);
	if (e < amax(family))
		probe_add(p, e + 1);
}

static void probes_make(const struct model *m, struct probes *p)
{
	p->n = 0;
	for (size_t i = 0; i < m->n; i++)
		for (size_t j = 0; j < m->l[i].ne; j++)
			probe_prefix(p, m->family, m->l[i].e[j].addr,
				     m->l[i].e[j].plen);
	for (int i = 0; i < 600; i++)
		probe_add(p, m_addr(m));
	for (int i = 0; i < 40; i++)
		probe_add(p, ((u128)rnd() << 64 | rnd()) & amax(m->family));
	probe_add(p, 0);
	probe_add(p, amax(m->family));
}

/* Compares dataset `mi` of S1 (id1) with S2 (id2) on every reading. */
static void compare(struct run *r, int mi, struct store *s2, const char *dir2,
		    uint32_t id2, const struct probes *p)
{
	const struct model *m = &r->m[mi];
	struct store_reader *rd1, *rd2;
	struct sbuf x = { 0 }, y = { 0 };
	unsigned bad = 0, badr = 0, badc = 0;
	uint32_t id1 = r->id1[mi];
	struct raw w1, w2;
	int n;

	if (store_reader_new(r->s1, &rd1) || store_reader_new(s2, &rd2))
		exit(2);
	if (!r->rdl ? store_reader_new(r->s1, &r->rdl)
		    : store_reader_renew(r->rdl))
		exit(2);
	if (!r->rdk[mi] ? store_reader_new(r->s1, &r->rdk[mi])
			: store_reader_renew(r->rdk[mi]))
		exit(2);
	/* Lookups: by a new reader, by this dataset's kept one, and by the
	 * shared kept one, which between two of this dataset's asks another
	 * dataset.  (Compared as answers; rendered only to report.) */
	for (size_t i = 0; i < p->n; i++) {
		int mj = (int)rndn(NMODELS);
		int fam;

		while (mj == r->dropped)
			mj = (int)rndn(NMODELS);
		fam = r->m[mj].family;
		u128 aj = fam == m->family ? p->v[i] : m_addr(&r->m[mj]);
		struct store_reader *by[3] = { rd1, r->rdk[mi], r->rdl };
		static const char *const byname[3] = {
			"", " by a renewed reader", " by the shared renewed reader"
		};
		struct answer want, got;

		answer_get(rd2, id2, m->family, p->v[i], &want);
		for (int b = 0; b < 3; b++) {
			answer_get(by[b], id1, m->family, p->v[i], &got);
			if (answer_same(&got, &want))
				continue;
			if (bad++ >= 5)
				continue;
			x.n = y.n = 0;
			lookup_text(by[b], id1, m->family, p->v[i], &x);
			lookup_text(rd2, id2, m->family, p->v[i], &y);
			say_fail(r, mi, "store_lookup_ip %s%s: S1 \"%s\", full "
				 "load \"%s\"", atext(p->v[i], m->family),
				 byname[b], x.p, y.p);
		}
		answer_get(r->rdl, r->id1[mj], fam, aj, &got);
		answer_get(rd2, r->id2[mj], fam, aj, &want);
		if (!answer_same(&got, &want) && bad++ < 5) {
			x.n = y.n = 0;
			lookup_text(r->rdl, r->id1[mj], fam, aj, &x);
			lookup_text(rd2, r->id2[mj], fam, aj, &y);
			say_fail(r, mj, "store_lookup_ip %s by the shared renewed "
				 "reader (between lookups in %s): S1 \"%s\", "
				 "full load \"%s\"", atext(aj, fam), m->name,
				 x.p, y.p);
		}
	}
	store_reader_reset(r->rdl);
	store_reader_reset(r->rdk[mi]);
	CHECK_INT(bad, 0);
	/* Ranges: from a probe, of many widths (some empty: hi < lo). */
	for (int i = 0; i < 1500; i++) {
		static const unsigned w[] = { 0, 1, 2, 15, 255, 256, 4095, 65535 };
		u128 lo = p->v[rndn((unsigned)p->n)], hi;
		uint8_t lb[16], hb[16];
		int a, b;

		hi = rndn(4) ? lo + w[rndn(8)] : lo + (rnd() & 0xfffff);
		if (rndn(20) == 0)
			hi = lo - 1;
		if (hi > amax(m->family))
			hi = amax(m->family);
		aput(lo, m->family, lb);
		aput(hi, m->family, hb);
		a = store_ip_range_listed(rd1, id1, m->family, lb, hb);
		b = store_ip_range_listed(rd2, id2, m->family, lb, hb);
		if (a != b && badr++ < 5)
			say_fail(r, mi, "store_ip_range_listed %s..%s: S1 %d, "
				 "full load %d", atext(lo, m->family),
				 atext(hi, m->family), a, b);
	}
	CHECK_INT(badr, 0);
	/* Covering entries: one point read per prefix length, so a sample. */
	for (int i = 0; i < (m->family == 4 ? 2500 : 800); i++) {
		u128 a = p->v[rndn((unsigned)p->n)];
		unsigned pl1 = 999, pl2 = 999;
		int ex1 = -1, ex2 = -1, c1, c2;
		uint8_t ab[16];

		aput(a, m->family, ab);
		c1 = store_ip_covering(rd1, id1, m->family, ab, &pl1, &ex1);
		c2 = store_ip_covering(rd2, id2, m->family, ab, &pl2, &ex2);
		if ((c1 != c2 || (c1 == 1 && (pl1 != pl2 || ex1 != ex2))) &&
		    badc++ < 5)
			say_fail(r, mi, "store_ip_covering %s: S1 %d /%u %s, "
				 "full load %d /%u %s", atext(a, m->family), c1,
				 pl1, ex1 ? "excluded" : "", c2, pl2,
				 ex2 ? "excluded" : "");
	}
	CHECK_INT(badc, 0);
	/* Both walks, every field. */
	{
		struct sbuf xr = { 0 }, yr = { 0 };

		x.n = y.n = 0;
		walks_text(rd1, id1, &x, &xr);
		walks_text(rd2, id2, &y, &yr);
		if (!CHECK(strcmp(x.p, y.p) == 0)) {
			say_fail(r, mi, "store_iter_ip differs");
			sb_firstdiff("store_iter_ip", &x, &y);
		}
		if (!CHECK(strcmp(xr.p, yr.p) == 0)) {
			say_fail(r, mi, "store_iter_ranges differs");
			sb_firstdiff("store_iter_ranges", &xr, &yr);
		}
		free(xr.p);
		free(yr.p);
	}
	/* The whole store checks clean. */
	n = store_check(rd1, check_cb, "S1");
	if (!CHECK(n == 0))
		say_fail(r, mi, "store_check of S1: %d problems", n);
	n = store_check(rd2, check_cb, "S2");
	if (!CHECK(n == 0))
		say_fail(r, mi, "store_check of the full load: %d problems", n);
	store_reader_free(rd1);
	store_reader_free(rd2);
	/* The records: S1's effective set is S2's, answers resolved; S2 has
	 * no overlay. */
	raw_read_as(r->dir1, id1, &w1, 1);
	raw_read_as(dir2, id2, &w2, 1);
	CHECK_INT(w1.bad + w2.bad, 0);
	CHECK_INT(raw_overlay(&w2), 0);
	for (int t = 0; t < NTABLES; t++) {
		const char *a = w1.canon[t].p ? w1.canon[t].p : "";
		const char *b = w2.canon[t].p ? w2.canon[t].p : "";

		if (!CHECK(strcmp(a, b) == 0)) {
			say_fail(r, mi, "table %s: S1's effective records are "
				 "not the full load's", tname[t]);
			sb_firstdiff(tname[t], &w1.canon[t], &w2.canon[t]);
		}
	}
	raw_free(&w1);
	raw_free(&w2);
	free(x.p);
	free(y.p);
}

/* ---- the writer's decision, from the records ----------------------------- */

/* After a put into S1 (overlay on: DNSBLD_OVERLAY_MIN=0), from the
 * records before (`was`) and after (`now`): per table, A and B disjoint
 * and D within B; and the writer decided as specified.  The load writes a
 * table's change against its base as an overlay (A = new minus base, D =
 * base minus new, base untouched) when it is at most an eighth of the
 * base, else folds it in (A and D empty); then, in a transaction of its
 * own, it folds the whole dataset if any table's overlay is past a
 * sixteenth of its base.  Counts what it saw. */
static void check_decision(struct run *r, int mi, const struct raw *was,
			   const struct raw *now)
{
	size_t nadd[NTABLES], ndel[NTABLES], nbase[NTABLES];
	int overlay[NTABLES], due = 0;
	struct recs adds[NTABLES], dels[NTABLES];

	for (int t = 0; t < NTABLES; t++) {
		const struct rawtab *w = &was->t[t], *n = &now->t[t];
		struct recs eff = { 0 }, anotb = { 0 }, dnotb = { 0 };

		memset(&adds[t], 0, sizeof(adds[t]));
		memset(&dels[t], 0, sizeof(dels[t]));
		recs_effective(&n->b, &n->d, &n->a, &eff);
		recs_minus(&eff, &w->b, &adds[t]);
		recs_minus(&w->b, &eff, &dels[t]);
		recs_minus(&n->a, &n->b, &anotb);
		recs_minus(&n->d, &n->b, &dnotb);
		if (!CHECK(anotb.n == n->a.n))
			say_fail(r, mi, "%s: %zu records both in A and the base",
				 tname[t], n->a.n - anotb.n);
		if (!CHECK(dnotb.n == 0))
			say_fail(r, mi, "%s: %zu records of D not in the base",
				 tname[t], dnotb.n);
		nadd[t] = adds[t].n;
		ndel[t] = dels[t].n;
		nbase[t] = w->b.n;
		overlay[t] = nbase[t] > 0 && (nadd[t] + ndel[t]) * 8 <= nbase[t];
		due |= overlay[t] && nadd[t] + ndel[t] > nbase[t] / 16;
		recs_free(&eff);
		recs_free(&anotb);
		recs_free(&dnotb);
	}
	for (int t = 0; t < NTABLES; t++) {
		const struct rawtab *w = &was->t[t], *n = &now->t[t];

		if (overlay[t] && !due) {
			if (!CHECK(recs_equal(&n->b, &w->b) &&
				   recs_equal(&n->a, &adds[t]) &&
				   recs_equal(&n->d, &dels[t])))
				say_fail(r, mi, "%s: a change of +%zu -%zu over "
					 "a base of %zu must be an overlay "
					 "beside the untouched base; stored: "
					 "base %zu, A %zu, D %zu", tname[t],
					 nadd[t], ndel[t], nbase[t], n->b.n,
					 n->a.n, n->d.n);
		} else {
			if (!CHECK(n->a.n == 0 && n->d.n == 0))
				say_fail(r, mi, "%s: a change of +%zu -%zu over "
					 "a base of %zu must be folded in%s; "
					 "stored: base %zu, A %zu, D %zu",
					 tname[t], nadd[t], ndel[t], nbase[t],
					 due ? " (an overlay of the dataset is "
					       "past a sixteenth)" : "",
					 n->b.n, n->a.n, n->d.n);
			r->folds[mi] += nbase[t] > 0 && nadd[t] + ndel[t] > 0;
		}
		if (t == T_SRC4 || t == T_SRC6)
			r->ovl_src[mi] += n->a.n + n->d.n > 0;
		else
			r->ovl_ip[mi] += n->a.n + n->d.n > 0;
		recs_free(&adds[t]);
		recs_free(&dels[t]);
	}
}

static void check_no_overlay(struct run *r, int mi, const char *dir,
			     uint32_t id, const char *which)
{
	struct raw w;

	raw_read(dir, id, &w);
	if (!CHECK(raw_overlay(&w) == 0))
		say_fail(r, mi, "%s: %zu overlay records where there must be "
			 "none", which, raw_overlay(&w));
	raw_free(&w);
}

static int stats_equal(const struct store_apply_stats *a,
		       const struct store_apply_stats *b)
{
	return a->entries == b->entries && a->added == b->added &&
	       a->removed == b->removed && a->unchanged == b->unchanged;
}

static void say_stats(struct run *r, int mi, const char *what,
		      const struct store_apply_stats *a,
		      const struct store_apply_stats *b)
{
	say_fail(r, mi, "%s: overlay on: entries %llu +%llu -%llu =%llu, off: "
		 "entries %llu +%llu -%llu =%llu", what,
		 (unsigned long long)a->entries, (unsigned long long)a->added,
		 (unsigned long long)a->removed, (unsigned long long)a->unchanged,
		 (unsigned long long)b->entries, (unsigned long long)b->added,
		 (unsigned long long)b->removed,
		 (unsigned long long)b->unchanged);
}

/* ---- the steps ------------------------------------------------------------- */

/* Puts `ds` into S1 (overlay on) and S3 (off) and checks what they did. */
static void step_put(struct run *r, int mi, const struct dataset *ds)
{
	struct store_apply_stats a, b;
	struct raw was, now;

	raw_read(r->dir1, r->id1[mi], &was);
	setenv("DNSBLD_OVERLAY_MIN", "0", 1);
	put_one(r, r->s1, r->m[mi].name, ds, &a);
	setenv("DNSBLD_OVERLAY_MIN", "1000000000", 1);
	put_one(r, r->s3, r->m[mi].name, ds, &b);
	setenv("DNSBLD_OVERLAY_MIN", "0", 1);
	r->id1[mi] = dsid_of(r->s1, r->m[mi].name);
	r->id3[mi] = dsid_of(r->s3, r->m[mi].name);
	if (!CHECK(stats_equal(&a, &b)))
		say_stats(r, mi, "put statistics", &a, &b);
	raw_read(r->dir1, r->id1[mi], &now);
	CHECK_INT(now.bad, 0);
	check_decision(r, mi, &was, &now);
	raw_free(&was);
	raw_free(&now);
	check_no_overlay(r, mi, r->dir3, r->id3[mi], "S3 (overlay off)");
}

/* A hand edit of a few entries of model `mi`'s dataset: values set,
 * entries excluded or removed, existing ones and new ones. */
static size_t make_edits(struct run *r, int mi, struct store_ip_edit *ed,
			 size_t max, struct probes *p)
{
	const struct model *m = &r->m[mi];
	size_t n = 1 + rndn((unsigned)max);

	for (size_t i = 0; i < n; i++) {
		struct store_ip_edit *e = &ed[i];
		unsigned k = rndn(100);

		memset(e, 0, sizeof(*e));
		e->family = (uint8_t)m->family;
		if (k < 60 && m->n) {
			const struct line *ln = &m->l[rndn((unsigned)m->n)];
			const struct ds_ip_entry *x = &ln->e[rndn((unsigned)ln->ne)];

			memcpy(e->addr, x->addr, 16);
			e->plen = x->plen;
		} else {
			unsigned plen = m->type == DS_IP4SET ? (rndn(2) ? 32 : 24)
							   : m_plen(m);
			u128 a = m_addr(m) & ~hostmask(plen, m->family);

			aput(a, m->family, e->addr);
			e->plen = (uint8_t)plen;
		}
		k = rndn(100);
		e->op = k < 55 ? STORE_EDIT_SET : k < 75 ? STORE_EDIT_EXCLUDE
							: STORE_EDIT_REMOVE;
		if (e->op == STORE_EDIT_SET) {
			unsigned v = rndn(NVALUES);

			e->value.kind = VAL_LISTED;
			e->value.a = 0x7f000000u | pool[v].a;
			e->value.txt = (char *)pool[v].txt;
			e->value.txtlen = pool[v].txt ? (uint16_t)strlen(pool[v].txt)
						      : 0;
		}
		probe_prefix(p, m->family, e->addr, e->plen);
	}
	return n;
}

static void edit_one(struct run *r, int mi, struct store *st,
		     const struct store_change *ch, struct store_apply_stats *s,
		     int *changed)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	if (store_change(st, r->m[mi].name, ch, s, changed, err, sizeof(err))) {
		say_fail(r, mi, "store_change: %s", err);
		check_one(0, "store_change", __FILE__, __LINE__);
	}
}

/* The same hand edit in S1, S3 and the full load S2; some set entries
 * that expire, then swept.  S1's overlay is folded in first. */
static void step_edit(struct run *r, int mi, struct store *s2,
		      const char *dir2, uint32_t id2, struct probes *p)
{
	struct store_ip_edit ed[6];
	struct store_change ch = { 0 };
	struct store_apply_stats a, b, c;
	int ca, cb, cc, expiring = rndn(3) == 0;

	ch.ip = ed;
	ch.nip = make_edits(r, mi, ed, 6, p);
	ch.type = r->m[mi].type;
	ch.now = r->now;
	ch.expires = expiring ? r->now + 50 : 0;
	ch.op = STORE_HIST_ADD;
	ch.entry = "a hand edit";
	ch.user = "test";
	edit_one(r, mi, r->s1, &ch, &a, &ca);
	edit_one(r, mi, r->s3, &ch, &b, &cb);
	edit_one(r, mi, s2, &ch, &c, &cc);
	if (!CHECK(stats_equal(&a, &b) && ca == cb))
		say_stats(r, mi, "edit statistics", &a, &b);
	if (!CHECK(stats_equal(&a, &c) && ca == cc))
		say_stats(r, mi, "edit statistics vs. the full load", &a, &c);
	r->what = "the hand edit";
	check_no_overlay(r, mi, r->dir1, r->id1[mi], "S1 after a hand edit");
	compare(r, mi, s2, dir2, id2, p);
	if (expiring) {
		uint64_t na = 0, nb = 0, nc = 0;
		char err[256];

		r->what = "the edit's entries expired";
		CHECK_INT(store_expire(r->s1, r->now + 100, "test", &na, err,
				       sizeof(err)), 0);
		CHECK_INT(store_expire(r->s3, r->now + 100, "test", &nb, err,
				       sizeof(err)), 0);
		CHECK_INT(store_expire(s2, r->now + 100, "test", &nc, err,
				       sizeof(err)), 0);
		CHECK_INT(na, nb);
		CHECK_INT(na, nc);
		check_no_overlay(r, mi, r->dir1, r->id1[mi],
				 "S1 after the expiry");
		compare(r, mi, s2, dir2, id2, p);
	}
}

enum kind { K_SMALL, K_BIG, K_SAME, K_EDIT, K_TINY };
static const char *const kname[] = { "small change", "big change",
				     "same again", "small change + hand edit",
				     "one line changed" };

static int has_overlay(struct run *r, int mi)
{
	struct raw w;
	size_t n;

	raw_read(r->dir1, r->id1[mi], &w);
	n = raw_overlay(&w);
	raw_free(&w);
	return n > 0;
}

static const char *mkdir_store(const char *tag, char *buf, size_t len)
{
	const char *base = getenv("TEST_TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(buf, len, "%s/store-%s-XXXXXX", base, tag);
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		exit(2);
	}
	return buf;
}

static void test_overlay_model(unsigned long long seed, int steps)
{
	static const enum kind plan[10] = { K_SMALL, K_SMALL, K_EDIT, K_SMALL,
					    K_BIG, K_SMALL, K_SMALL, K_EDIT,
					    K_SAME, K_SMALL };
	static const enum ds_type types[NMODELS] = { DS_IP4SET, DS_IP4TRIE,
						     DS_IP6TRIE };
	static const char *const names[NMODELS] = { "set4", "trie4", "trie6" };
	struct run r;
	struct probes p[NMODELS] = { { 0 } };
	struct store *s2 = NULL;
	char dir2[600] = "";
	uint32_t id2[NMODELS] = { 0 };

	memset(&r, 0, sizeof(r));
	r.dropped = -1;
	r.seed = seed;
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	r.dir1 = tsu_tmpdir("ovl-s1");
	r.dir3 = tsu_tmpdir("ovl-s3");
	r.s1 = tsu_open(r.dir1);
	r.s3 = tsu_open(r.dir3);
	for (int mi = 0; mi < NMODELS; mi++)
		m_init(&r.m[mi], names[mi], types[mi],
		       types[mi] == DS_IP4SET ? 500 + rndn(300)
					      : 800 + rndn(500));
	for (r.step = 0; r.step <= steps; r.step++) {
		enum kind k[NMODELS];
		char buf[600];

		r.now = 1700000000 + r.step * 1000;
		if (s2) {
			store_close(s2);
			tsu_rmtree(dir2);
		}
		snprintf(dir2, sizeof(dir2), "%s",
			 mkdir_store("ovl-s2", buf, sizeof(buf)));
		s2 = tsu_open(dir2);
		for (int mi = 0; mi < NMODELS; mi++) {
			struct model *m = &r.m[mi];
			struct dataset *ds;

			k[mi] = r.step == 0 ? K_BIG :
				r.step == steps ? K_TINY :
				plan[(r.step + 3 * mi + seed) % 10];
			r.what = r.step ? kname[k[mi]] : "first load";
			if (r.step && k[mi] == K_BIG)
				m_change(m, m->n * (30 + rndn(40)) / 100);
			else if (r.step && k[mi] == K_TINY)
				m_change(m, 1);
			else if (r.step && k[mi] != K_SAME)
				m_change(m, 1 + m->n * (4 + rndn(14)) / 1000);
			ds = m_dataset(m);
			step_put(&r, mi, ds);
			/* The last step leaves an overlay for the compaction
			 * and the drop: one line changed until one stays (a
			 * change that grew past a sixteenth is folded). */
			for (int i = 0; k[mi] == K_TINY && i < 5 &&
					!has_overlay(&r, mi); i++) {
				dataset_free(ds);
				m_change(m, 1);
				ds = m_dataset(m);
				step_put(&r, mi, ds);
			}
			id2[mi] = r.id2[mi] = tsu_put(s2, m->name, ds, NULL);
			dataset_free(ds);
			/* Datasets between the models: their ids share the
			 * slots a reader keeps things of datasets in. */
			for (int f = 0; r.step == 0 && mi < NMODELS - 1 &&
					f < 15; f++)
				put_filler(&r, mi * 15 + f);
		}
		for (int mi = 0; mi < NMODELS; mi++) {
			r.what = r.step ? kname[k[mi]] : "first load";
			probes_make(&r.m[mi], &p[mi]);
			compare(&r, mi, s2, dir2, id2[mi], &p[mi]);
			if (r.step && k[mi] == K_EDIT)
				step_edit(&r, mi, s2, dir2, id2[mi], &p[mi]);
		}
	}

	/* Compaction copies the overlay as it is; the answers stay. */
	{
		struct store_compact_stats cs;
		struct raw before[NMODELS], after;
		char err[256];

		r.what = "compacted";
		for (int mi = 0; mi < NMODELS; mi++)
			raw_read(r.dir1, r.id1[mi], &before[mi]);
		CHECK_INT(store_compact(r.s1, &cs, err, sizeof(err)), 0);
		for (int mi = 0; mi < NMODELS; mi++) {
			raw_read(r.dir1, r.id1[mi], &after);
			for (int t = 0; t < NTABLES; t++)
				if (!CHECK(recs_equal(&before[mi].t[t].b, &after.t[t].b) &&
					   recs_equal(&before[mi].t[t].a, &after.t[t].a) &&
					   recs_equal(&before[mi].t[t].d, &after.t[t].d)))
					say_fail(&r, mi, "%s: compaction changed "
						 "the records", tname[t]);
			raw_free(&before[mi]);
			raw_free(&after);
			compare(&r, mi, s2, dir2, id2[mi], &p[mi]);
		}
	}
	/* Dropping a dataset with an overlay takes all three of its keys.
	 * A dataset whose interval map is a few wide intervals folds even a
	 * one-line change (past a sixteenth of that table), so the one
	 * dropped is the first that still has an overlay. */
	{
		struct raw w;
		char err[256];
		int dm = -1;

		r.what = "dropped";
		for (int mi = 0; dm < 0 && mi < NMODELS; mi++) {
			raw_read(r.dir1, r.id1[mi], &w);
			if (raw_overlay(&w))
				dm = mi;
			raw_free(&w);
		}
		if (!CHECK(dm >= 0)) {
			say_fail(&r, 0, "no dataset has an overlay to drop");
			dm = 0;
		}
		CHECK_INT(store_drop_dataset(r.s1, r.m[dm].name, err, sizeof(err)), 0);
		r.dropped = dm;
		raw_read(r.dir1, r.id1[dm], &w);
		for (int t = 0; t < NTABLES; t++)
			if (!CHECK(w.t[t].b.n + w.t[t].a.n + w.t[t].d.n == 0))
				say_fail(&r, dm, "%s: records left after the drop: "
					 "base %zu, A %zu, D %zu", tname[t],
					 w.t[t].b.n, w.t[t].a.n, w.t[t].d.n);
		raw_free(&w);
		for (int mi = 0; mi < NMODELS; mi++)
			if (mi != dm)
				compare(&r, mi, s2, dir2, id2[mi], &p[mi]);
	}

	/* The overlay was really used, and folded too. */
	for (int mi = 0; mi < NMODELS; mi++) {
		printf("  %s: %zu lines; overlay written %u times in its source "
		       "table, %u in its interval map; %u folds\n", r.m[mi].name,
		       r.m[mi].n, r.ovl_src[mi], r.ovl_ip[mi], r.folds[mi]);
		CHECK(r.ovl_src[mi] > 0);
		CHECK(r.ovl_ip[mi] > 0);
		CHECK(r.folds[mi] > 0);
		m_free(&r.m[mi]);
		free(p[mi].v);
	}
	store_close(s2);
	tsu_rmtree(dir2);
	store_reader_free(r.rdl);
	for (int mi = 0; mi < NMODELS; mi++)
		store_reader_free(r.rdk[mi]);
	store_close(r.s1);
	store_close(r.s3);
	tsu_rmtree(r.dir1);
	tsu_rmtree(r.dir3);
}

int main(void)
{
	const char *env = getenv("OVERLAY_SEED");
	const char *ns = getenv("OVERLAY_STEPS");
	int steps = ns && *ns ? atoi(ns) : 20;
	char seeds[64], *p, *end;

	/* Seed 7 always (it takes away a dataset's last interval, and folds
	 * a big change over an overlay), and a new one each run. */
	if (env && *env)
		snprintf(seeds, sizeof(seeds), "%s", env);
	else
		snprintf(seeds, sizeof(seeds), "7 %llu",
			 (unsigned long long)time(NULL) % 1000000 + getpid());
	for (p = seeds;; p = end) {
		unsigned long long seed = strtoull(p, &end, 10);

		if (end == p)
			break;
		printf("seed %llu (OVERLAY_SEED=%llu to rerun it)\n", seed, seed);
		test_overlay_model(seed, steps);
	}
	tsu_cleanup();
	return check_report();
}
