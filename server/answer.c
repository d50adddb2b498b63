/* answer.c -- decide a query's answer: zone, acl, query form, datasets,
 * test points, empty non-terminals, apex records, rcode.
 *
 * The rules (docs/SERVER.md lists where they differ from rbldnsd):
 *  - the zone is the longest one containing the name, else REFUSED;
 *  - the name's form picks the datasets that can answer it: exactly 4
 *    decimal labels for IPv4 types, 32 nibble labels for IPv6 types (a
 *    v4-mapped ::ffff:a.b.c.d or 6to4 2002:a.b.c.d::/48 name is also looked
 *    up in IPv4 data, as rbldnsd does; v4-mapped names then skip the IPv6
 *    data when the zone has IPv4 data), any name for dnset and generic;
 *  - every dataset of the zone is searched and the records merged (identical
 *    ones once, one TTL per type: the smallest); a combined dataset sends
 *    the name to its most specific matching subzone only;
 *  - a name that is not listed but has data below it (or a subzone below
 *    it, or is a subzone apex) exists: NODATA, not NXDOMAIN; a full IPv4
 *    address in a zone with IPv4 data never has anything below it;
 *  - RFC 5782 test points hold whatever the data says;
 *  - a zone whose data is past its $TIMESTAMP expiry answers SERVFAIL.
 */
#include "answer.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "acl.h"
#include "keys.h"
#include "dname.h"
#include "geo_policy.h"
#include "txt.h"
#include "version.h"

/* The forms a relative name can take (several at once: "1.2.3.4" is a full
 * IPv4 name and a partial IPv6 nibble name). */
struct qform {
	int ip4;                 /* exactly 4 decimal labels */
	uint8_t a4[16];
	int ip6;                 /* exactly 32 nibble labels */
	uint8_t a6[16];
	int embedded4;           /* ip6 is v4-mapped (1) or 6to4 (2) */
	uint8_t e4[16];
	int p4;                  /* 1..3 decimal labels: a range */
	uint8_t lo4[16], hi4[16];
	int p6;                  /* 1..31 nibble labels: a range */
	uint8_t lo6[16], hi6[16];
};

struct ans_ctx {
	struct answer *a;
	struct store_reader *rd;
	const struct zp_zone *z;
	int want_a, want_txt, want_mx, want_any;
	uint16_t qtype;
	int listed;              /* some dataset lists the name */
	int exists;              /* the name exists (listed, data below, ...) */
	int empty;               /* acl :empty -- list datasets see nothing */
};

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xff, 0xff };
static const uint8_t test4_listed[4] = { 127, 0, 0, 2 };
static const uint8_t test4_never[4] = { 127, 0, 0, 1 };
static const uint8_t test6_listed[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  0xff, 0xff, 127, 0, 0, 2 };
static const uint8_t test6_never[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					 0xff, 0xff, 127, 0, 0, 1 };

/* ---- query forms -------------------------------------------------------- */

/* A label of 1-3 decimal digits worth at most 255, as its value; the
 * digits are checked without a loop (four of these per IPv4 query). */
static int label_decimal(const uint8_t *l, unsigned *v)
{
	unsigned d0, d1, d2, n;

	if (l[0] < 1 || l[0] > 3)
		return 0;
	d0 = (unsigned)l[1] - '0';
	if (d0 > 9)
		return 0;
	if (l[0] == 1) {
		*v = d0;
		return 1;
	}
	d1 = (unsigned)l[2] - '0';
	if (d1 > 9)
		return 0;
	if (l[0] == 2) {
		*v = d0 * 10 + d1;
		return 1;
	}
	d2 = (unsigned)l[3] - '0';
	n = d0 * 100 + d1 * 10 + d2;
	if (d2 > 9 || n > 255)
		return 0;
	*v = n;
	return 1;
}

static int label_nibble(const uint8_t *l, unsigned *v)
{
	uint8_t c = l[1];

	if (l[0] != 1)
		return 0;
	if (c >= '0' && c <= '9')
		*v = (unsigned)(c - '0');
	else if (c >= 'a' && c <= 'f')
		*v = (unsigned)(c - 'a' + 10);
	else
		return 0;
	return 1;
}

/* Parses relative wire name `name` of `nl` labels (reversed order: the
 * first label is the least significant octet/nibble), in one pass that
 * stops as soon as the name can be neither form.  Only the flags are
 * cleared: each address field is set (and read) only with its flag. */
static void qform_parse(const uint8_t *name, unsigned nl, struct qform *f)
{
	int dec = nl >= 1 && nl <= 4, nib = nl >= 1 && nl <= 32;
	uint8_t oct[4] = { 0, 0, 0, 0 }, lo[16];
	const uint8_t *p = name;

	f->ip4 = f->ip6 = f->embedded4 = f->p4 = f->p6 = 0;
	if (!dec && !nib)
		return;
	memset(lo, 0, sizeof(lo));
	for (unsigned i = 0; i < nl && (dec || nib); i++, p += *p + 1) {
		unsigned at = nl - 1 - i, v;   /* octet / nibble index */

		if (dec) {
			if (label_decimal(p, &v))
				oct[at] = (uint8_t)v;
			else
				dec = 0;
		}
		if (nib) {
			if (label_nibble(p, &v))
				lo[at / 2] = (uint8_t)(lo[at / 2] |
						       (at % 2 ? v : v << 4));
			else
				nib = 0;
		}
	}
	if (dec) {
		if (nl == 4) {
			f->ip4 = 1;
			memcpy(f->a4, oct, 4);
		} else {
			f->p4 = 1;
			memcpy(f->lo4, oct, 4);
			memcpy(f->hi4, oct, 4);
			for (unsigned i = nl; i < 4; i++)
				f->hi4[i] = 255;
		}
	}
	if (nib) {
		if (nl == 32) {
			f->ip6 = 1;
			memcpy(f->a6, lo, 16);
			if (memcmp(lo, v4mapped_prefix, 12) == 0) {
				f->embedded4 = 1;
				memcpy(f->e4, lo + 12, 4);
			} else if (lo[0] == 0x20 && lo[1] == 0x02) {
				f->embedded4 = 2;
				memcpy(f->e4, lo + 2, 4);
			}
		} else {
			/* hi: the nibbles not given are all ones. */
			f->p6 = 1;
			memcpy(f->lo6, lo, 16);
			memcpy(f->hi6, lo, 16);
			if (nl % 2)
				f->hi6[nl / 2] |= 0x0f;
			for (unsigned i = (nl + 1) / 2; i < 16; i++)
				f->hi6[i] = 0xff;
		}
	}
}

/* In a zone (or subzone) with IPv4 data, 4 decimal labels name an IPv4
 * address, and an address is a leaf: it exists only when listed, as in
 * rbldnsd.  Read as nibbles the same labels may also be the top of an IPv6
 * range ("0.0.0.0" is ::/16, where the v4-mapped names are), which must not
 * make the address an empty non-terminal. */
static void qform_leaf4(struct qform *f, int ip4_data)
{
	if (f->ip4 && ip4_data)
		f->p6 = 0;
}

static int answer_type_ip4(enum ds_type t)
{
	return t == DS_IP4SET || t == DS_IP4TSET || t == DS_IP4TRIE;
}

/* The IPv4 range covered by a partial nibble name inside ::ffff:0:0/96;
 * 0 if the range misses it. */
static int qform_mapped_range(const struct qform *f, uint8_t lo[16],
			      uint8_t hi[16])
{
	uint8_t mlo[16], mhi[16];
	const uint8_t *l, *h;

	if (!f->p6)
		return 0;
	memcpy(mlo, v4mapped_prefix, 12);
	memset(mlo + 12, 0, 4);
	memcpy(mhi, v4mapped_prefix, 12);
	memset(mhi + 12, 0xff, 4);
	if (!f->p6 || memcmp(f->hi6, mlo, 16) < 0 || memcmp(f->lo6, mhi, 16) > 0)
		return 0;
	l = memcmp(f->lo6, mlo, 16) > 0 ? f->lo6 : mlo;
	h = memcmp(f->hi6, mhi, 16) < 0 ? f->hi6 : mhi;
	memset(lo, 0, 16);
	memset(hi, 0, 16);
	memcpy(lo, l + 12, 4);
	memcpy(hi, h + 12, 4);
	return 1;
}

/* ---- collecting records ------------------------------------------------- */

/* Adds one answer record (rdata copied), or lowers the TTL of an identical
 * one already there. */
static void ans_add(struct answer *a, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t len, int rel)
{
	for (size_t i = 0; i < a->nrr; i++) {
		struct answer_rr *r = &a->rr[i];

		if (r->type == type && r->len == len && r->rel == rel &&
		    memcmp(a->arena + r->off, rdata, len) == 0) {
			if (ttl < r->ttl)
				r->ttl = ttl;
			return;
		}
	}
	if (a->nrr >= ANSWER_MAX_RR || len > 0xffff ||
	    len > ANSWER_ARENA - a->arena_used)
		return;
	memcpy(a->arena + a->arena_used, rdata, len);
	a->rr[a->nrr].type = type;
	a->rr[a->nrr].rel = (uint8_t)rel;
	a->rr[a->nrr].ttl = ttl;
	a->rr[a->nrr].off = (uint32_t)a->arena_used;
	a->rr[a->nrr].len = (uint16_t)len;
	a->arena_used += len;
	a->nrr++;
}

static void ans_add_a(struct answer *a, uint32_t ttl, uint32_t addr)
{
	uint8_t rd[4] = { (uint8_t)(addr >> 24), (uint8_t)(addr >> 16),
			  (uint8_t)(addr >> 8), (uint8_t)addr };

	ans_add(a, DNS_TYPE_A, ttl, rd, 4, 0);
}

static void ans_add_txt(struct answer *a, uint32_t ttl, const char *s,
			size_t len)
{
	uint8_t rd[256];

	if (len > 255)
		len = 255;
	rd[0] = (uint8_t)len;
	memcpy(rd + 1, s, len);
	ans_add(a, DNS_TYPE_TXT, ttl, rd, len + 1, 0);
}

/* What a TXT `$` expands to: an address or a name, formatted only when a
 * TXT record is actually written (most queries ask for A only). */
struct subject {
	int family;              /* 4 or 6: `addr`; 0: `name` */
	const uint8_t *addr;
	const uint8_t *name;     /* relative wire name */
	int done;
	size_t len;
	char text[1024];
};

/* Dotted quad without printf: this runs for every IPv4 TXT answer. */
static size_t subject_ip4(const uint8_t a[4], char *out)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i)
			out[n++] = '.';
		if (v >= 100)
			out[n++] = (char)('0' + v / 100);
		if (v >= 10)
			out[n++] = (char)('0' + v / 10 % 10);
		out[n++] = (char)('0' + v % 10);
	}
	out[n] = '\0';
	return n;
}

static const char *subject_text(struct subject *s, size_t *len)
{
	if (!s->done) {
		s->done = 1;
		if (s->family == 4)
			s->len = subject_ip4(s->addr, s->text);
		else if (s->family == 6 &&
			 inet_ntop(AF_INET6, s->addr, s->text, sizeof(s->text)))
			s->len = strlen(s->text);
		else if (!s->family &&
			 dname_to_text(s->name, s->text, sizeof(s->text)) >= 0)
			s->len = strlen(s->text);
		else
			s->text[0] = '\0';
	}
	*len = s->len;
	return s->text;
}

/* Adds the A and TXT of every listed value in `m`. */
static void ctx_add_match(struct ans_ctx *c, const struct zp_dataset *d,
			  const struct store_match *m, struct subject *subj)
{
	for (size_t i = 0; i < m->nvalues; i++) {
		struct store_value v;
		char txt[TXT_MAX];
		const char *st;
		size_t sl;
		int n;

		if (store_value_get(c->rd, m->values[i], &v) < 0 ||
		    v.kind != VAL_LISTED)
			continue;
		c->listed = c->exists = 1;
		if (c->want_a && v.a)
			ans_add_a(c->a, d->ttl, v.a);
		if (c->want_txt) {
			st = subject_text(subj, &sl);
			n = txt_expand(v.txt, v.txtlen, &d->meta->meta, st, sl,
				       txt);
			if (n >= 0)
				ans_add_txt(c->a, d->ttl, txt, (size_t)n);
		}
	}
}

/* ---- dataset searches --------------------------------------------------- */

static void ctx_lookup_ip(struct ans_ctx *c, const struct zp_dataset *d,
			  int family, const uint8_t addr[16])
{
	struct store_match m;
	struct subject subj;

	if (store_lookup_ip(c->rd, d->meta->dsid, family, addr, &m) != 1)
		return;
	if (geo_policy_zone(c->z) &&
	    !geo_policy_filter(c->rd, c->z, d, family, addr, &m))
		return;
	subj.family = family;
	subj.addr = addr;
	subj.done = 0;
	ctx_add_match(c, d, &m, &subj);
}

static void ctx_range(struct ans_ctx *c, const struct zp_dataset *d,
		      int family, const uint8_t lo[16], const uint8_t hi[16])
{
	if (!c->exists &&
	    store_ip_range_listed(c->rd, d->meta->dsid, family, lo, hi) == 1)
		c->exists = 1;
}

static void ctx_generic(struct ans_ctx *c, const struct zp_dataset *d,
			const uint8_t *name)
{
	struct store_rrset it;
	struct store_rr rr;

	if (store_lookup_generic(c->rd, d->meta->dsid, name, &it) == 1) {
		c->exists = 1;
		while (store_rrset_next(&it, &rr) == 1) {
			uint32_t ttl = rr.ttl ? rr.ttl : d->ttl;
			int want = c->want_any || rr.type == c->qtype;

			/* rbldnsd -t min:max clamps per-record TTLs too. */
			if (rr.ttl && c->z->ttl_min && ttl < c->z->ttl_min)
				ttl = c->z->ttl_min;
			if (rr.ttl && c->z->ttl_max && ttl > c->z->ttl_max)
				ttl = c->z->ttl_max;

			if (!want)
				continue;
			c->listed = 1;
			ans_add(c->a, rr.type, ttl, rr.rdata, rr.rdlen,
				rr.type == DNS_TYPE_MX && rr.rel_target);
		}
	}
	if (!c->exists && store_name_has_below(c->rd, d->meta->dsid, name) == 1)
		c->exists = 1;
}

static void ctx_dnset(struct ans_ctx *c, const struct zp_dataset *d,
		      const uint8_t *name)
{
	struct store_match m;
	struct subject subj;
	int below, rc = store_lookup_dn(c->rd, d->meta->dsid, name, &m, &below);

	if (rc == 1) {
		subj.family = 0;
		subj.name = m.entry;
		subj.done = 0;
		ctx_add_match(c, d, &m, &subj);
	}
	/* A match answers for the name's existence, but for a value that is
	 * not an answer; the lookup told whether anything is below otherwise. */
	if (!c->exists && (rc == 1 ? store_name_has_below(c->rd, d->meta->dsid,
							 name) == 1
				   : below))
		c->exists = 1;
}

/* The IPv4 side of an address dataset: the address, or the range a
 * partial name covers. */
static void ctx_search4(struct ans_ctx *c, const struct zp_dataset *d,
			const struct qform *f)
{
	uint8_t lo[16], hi[16];

	if (f->ip4)
		ctx_lookup_ip(c, d, 4, f->a4);
	else if (f->embedded4)
		ctx_lookup_ip(c, d, 4, f->e4);
	if (f->p4)
		ctx_range(c, d, 4, f->lo4, f->hi4);
	if (qform_mapped_range(f, lo, hi))
		ctx_range(c, d, 4, lo, hi);
}

static void ctx_search6(struct ans_ctx *c, const struct zp_dataset *d,
			const struct qform *f)
{
	if (f->ip6 && !(f->embedded4 == 1 && c->z->has_ip4))
		ctx_lookup_ip(c, d, 6, f->a6);
	if (f->p6)
		ctx_range(c, d, 6, f->lo6, f->hi6);
}

/* Searches one (non-combined) dataset for relative name `name`. */
static void ctx_search(struct ans_ctx *c, const struct zp_dataset *d,
		       const uint8_t *name, const struct qform *f)
{
	if (!d->meta)
		return;
	switch (d->meta->type) {
	case DS_IP4SET:
	case DS_IP4TSET:
	case DS_IP4TRIE:
		if (!c->empty)
			ctx_search4(c, d, f);
		break;
	case DS_IP6TRIE:
	case DS_IP6TSET:
		if (!c->empty)
			ctx_search6(c, d, f);
		break;
	case DS_TRAP:      /* trap listings: both families, one descent each */
	case DS_COUNTRY:   /* country and ASN tables too */
	case DS_ASN:
		if (!c->empty) {
			ctx_search4(c, d, f);
			ctx_search6(c, d, f);
		}
		break;
	case DS_DNSET:
		if (!c->empty)
			ctx_dnset(c, d, name);
		break;
	case DS_GENERIC:
		ctx_generic(c, d, name);
		break;
	default:
		break;
	}
}

/* Copies the first `n` labels of wire name `name` as a name of its own. */
static void answer_name_prefix(const uint8_t *name, unsigned n,
			       uint8_t out[256])
{
	size_t len = 0;

	for (unsigned i = 0; i < n && name[len]; i++)
		len += (size_t)name[len] + 1;
	memcpy(out, name, len);
	out[len] = 0;
}

/* The first `n` labels of the query name, from the label offsets the
 * parse noted (no walk). */
static void answer_query_prefix(const struct dns_query *q, unsigned n,
				uint8_t out[256])
{
	size_t len = n < q->qlabels ? q->qoff[n] : q->qname_len - 1;

	memcpy(out, q->qname, len);
	out[len] = 0;
}

/* 1 if section `s` belongs to the same subzone as `best`. */
static int sub_is(const struct zp_sub *s, const struct zp_sub *best)
{
	return s->labels == best->labels &&
	       dname_equal(s->subzone, best->subzone);
}

/* A combined dataset: the most specific subzone containing the name gets
 * the query (all its sections); subzones below the name make it exist. */
static void ctx_combined(struct ans_ctx *c, size_t i, const uint8_t *name,
			 unsigned nl)
{
	const struct zp_sub *subs = c->z->subs[i], *best = NULL;
	size_t n = c->z->nsubs[i];
	uint8_t rest[256];
	unsigned restl;
	struct qform f;
	int ip4_data = 0;

	for (size_t k = 0; k < n; k++) {
		if (dname_below(subs[k].subzone, name) > 0)
			c->exists = 1;
		if (dname_below(name, subs[k].subzone) >= 0 &&
		    (!best || subs[k].labels > best->labels))
			best = &subs[k];
	}
	if (!best)
		return;
	restl = nl - best->labels;
	if (restl == 0) {
		c->exists = 1;     /* a subzone apex: NODATA */
		return;
	}
	answer_name_prefix(name, restl, rest);
	qform_parse(rest, restl, &f);
	for (size_t k = 0; k < n; k++)
		if (sub_is(&subs[k], best) && answer_type_ip4(subs[k].ds.type))
			ip4_data = 1;
	qform_leaf4(&f, ip4_data);
	for (size_t k = 0; k < n; k++)
		if (sub_is(&subs[k], best))
			ctx_search(c, &subs[k].ds, rest, &f);
}

/* ---- the decision ------------------------------------------------------- */

static int answer_is_version_name(const uint8_t *qname)
{
	return dname_equal(qname, (const uint8_t *)"\007version\004bind") ||
	       dname_equal(qname, (const uint8_t *)"\007version\006server");
}

static void answer_reset(struct answer *a)
{
	a->drop = 0;
	a->access = -1;
	a->rcode = DNS_RCODE_NOERROR;
	a->aa = 0;
	a->rclass = DNS_CLASS_IN;
	a->zone = NULL;
	a->before = 0;
	a->nrr = 0;
	a->soa_answer = a->ns_answer = a->soa_authority = 0;
	a->arena_used = 0;
}

/* 1 if some dataset of `z` is searched for a name of form `f` (rbldnsd
 * gives an acl's "always listed" answer only then: in an ip4set zone
 * `1.2.3.4.zone` is listed, `1.2.3.zone` and `x.zone` are not). */
static int answer_form_queried(const struct zp_zone *z, const struct qform *f)
{
	for (size_t i = 0; i < z->nds; i++) {
		switch (z->ds[i].type) {
		case DS_IP4SET:
		case DS_IP4TSET:
		case DS_IP4TRIE:
			if (f->ip4 || f->embedded4)
				return 1;
			break;
		case DS_IP6TRIE:
		case DS_IP6TSET:
			if (f->ip6)
				return 1;
			break;
		case DS_TRAP:
		case DS_COUNTRY:
		case DS_ASN:
			if (f->ip4 || f->embedded4 || f->ip6)
				return 1;
			break;
		default:
			return 1;
		}
	}
	return 0;
}

/* RFC 5782 test points: 1 = always listed, -1 = never, 0 = neither. */
static int answer_test_point(const struct zp_zone *z, const uint8_t *name,
		      const struct qform *f)
{
	if (z->has_ip4 && (f->ip4 || f->embedded4 == 1)) {
		const uint8_t *a = f->ip4 ? f->a4 : f->e4;

		if (memcmp(a, test4_listed, 4) == 0)
			return 1;
		if (memcmp(a, test4_never, 4) == 0)
			return -1;
	}
	if (z->has_ip6 && f->ip6) {
		if (memcmp(f->a6, test6_listed, 16) == 0)
			return 1;
		if (memcmp(f->a6, test6_never, 16) == 0)
			return -1;
	}
	if (z->has_dn) {
		if (dname_equal(name, (const uint8_t *)"\004test"))
			return 1;
		if (dname_equal(name, (const uint8_t *)"\007invalid"))
			return -1;
	}
	return 0;
}

/* Is a test point below this partial name (so the name exists)? */
static int answer_test_point_below(const struct zp_zone *z,
				   const struct qform *f)
{
	if (z->has_ip4 && f->p4 && memcmp(f->lo4, test4_listed, 4) <= 0 &&
	    memcmp(f->hi4, test4_listed, 4) >= 0)
		return 1;
	if ((z->has_ip6 || z->has_ip4) && f->p6 &&
	    memcmp(f->lo6, test6_listed, 16) <= 0 &&
	    memcmp(f->hi6, test6_listed, 16) >= 0)
		return 1;
	return 0;
}

/* Makes every record of a type carry the smallest TTL among them. */
static void answer_unify_ttls(struct answer *a)
{
	for (size_t i = 0; i < a->nrr; i++)
		for (size_t j = 0; j < a->nrr; j++)
			if (a->rr[j].type == a->rr[i].type &&
			    a->rr[j].ttl < a->rr[i].ttl)
				a->rr[i].ttl = a->rr[j].ttl;
}

/* The config's `access` rule for the client (access.c), noted in
 * a->access; 1 if it decided the answer alone (drop, REFUSED). */
static int answer_access(struct answer *a, const struct zone_plan *plan,
			 const struct zp_zone *z, const struct sockaddr *client,
			 const struct cfg_access_rule **rule)
{
	*rule = access_find(plan->policy, z ? z->stats_index : -1, client);
	if (!*rule)
		return 0;
	a->access = (*rule)->action;
	if (a->access == CFG_ACCESS_DROP) {
		a->drop = 1;
		return 1;
	}
	if (a->access == CFG_ACCESS_REFUSE) {
		a->rcode = DNS_RCODE_REFUSED;
		return 1;
	}
	return 0;
}

/* A key-in-name zone asked with an unknown or revoked key: the zone's
 * code and TXT for every name and type that has them, else REFUSED. */
static void answer_bad_key(struct answer *a, const struct zone_plan *plan,
			   const struct zp_zone *z, const struct dns_query *q)
{
	const struct cfg_keys *k = plan->policy->zones[z->stats_index].keys;
	int any = q->qtype == DNS_TYPE_ANY;

	if (k->refuse) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	a->aa = 1;
	if (any || q->qtype == DNS_TYPE_A)
		ans_add_a(a, z->ttl, k->code);
	if ((any || q->qtype == DNS_TYPE_TXT) && k->txt)
		ans_add_txt(a, z->ttl, k->txt, strlen(k->txt));
	if (!a->nrr)
		a->soa_authority = 1;
}

/* version.bind: "dnsbld VERSION"; rbldnsd's -v says only the name, -vv
 * refuses the query. */
static void answer_version(struct answer *a, const struct dns_query *q,
			   int hide)
{
	static const char version[] = "dnsbld " DNSBLD_VERSION;
	size_t len = hide ? sizeof("dnsbld") - 1 : sizeof(version) - 1;

	a->rclass = DNS_CLASS_CH;
	if (!answer_is_version_name(q->qname) || hide > 1) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	if (q->qtype == DNS_TYPE_TXT || q->qtype == DNS_TYPE_ANY)
		ans_add_txt(a, 0, version, len);
}

void answer_decide(struct answer *a, const struct zone_plan *plan,
		   struct store_reader *rd, const struct dns_query *q,
		   const struct sockaddr *client)
{
	struct ans_ctx c;
	const struct zp_zone *z = NULL;
	const struct cfg_access_rule *rule;
	uint8_t name[256];
	struct qform f;
	unsigned before = 0;
	int tp, keyed = 0;

	answer_reset(a);
	if (q->qclass == DNS_CLASS_IN || q->qclass == DNS_CLASS_ANY)
		z = zones_find(plan, q, &before);
	if (answer_access(a, plan, z, client, &rule))
		return;
	if (q->qclass == DNS_CLASS_CH) {
		answer_version(a, q, plan->hide_version);
		return;
	}
	if (q->qclass != DNS_CLASS_IN && q->qclass != DNS_CLASS_ANY) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	if (!z || q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	a->zone = z;
	a->before = before;
	if (plan->keys && z->stats_index >= 0) {
		/* `<name>.<key>.<zone>`: a known key is taken off the name. */
		enum keys_verdict kv = keys_check(plan->keys, z->stats_index,
						  q, before);

		if (kv == KEYS_UNKNOWN) {
			answer_bad_key(a, plan, z, q);
			return;
		}
		if (kv == KEYS_OK) {
			keyed = 1;
			before--;
		}
	}
	if (z->expires && (int64_t)time(NULL) > z->expires) {
		/* Data past its $TIMESTAMP expiry: refuse to vouch for it, as
		 * rbldnsd does, rather than serve a stale list. */
		a->rcode = DNS_RCODE_SERVFAIL;
		return;
	}
	a->aa = 1;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.rd = rd;
	c.z = z;
	c.qtype = q->qtype;
	c.want_any = q->qtype == DNS_TYPE_ANY;
	c.want_a = c.want_any || q->qtype == DNS_TYPE_A;
	c.want_txt = c.want_any || q->qtype == DNS_TYPE_TXT;
	c.want_mx = c.want_any || q->qtype == DNS_TYPE_MX;

	answer_query_prefix(q, before, name);
	qform_parse(name, before, &f);
	qform_leaf4(&f, z->has_ip4);

	if (rule && (rule->action == CFG_ACCESS_UNLISTED ||
		     rule->action == CFG_ACCESS_ANSWER)) {
		/* The rule's answer where a listing would be, else as not
		 * listed; the lists (and the acl dataset) are not consulted. */
		if (rule->action == CFG_ACCESS_ANSWER && before > 0 &&
		    answer_form_queried(z, &f)) {
			c.listed = c.exists = 1;
			if (c.want_a)
				ans_add_a(a, z->ttl, rule->code);
			if (c.want_txt && rule->txt)
				ans_add_txt(a, z->ttl, rule->txt,
					    strlen(rule->txt));
		}
		c.empty = 1;
	} else if (z->has_acl) {
		struct store_value v;
		int act = acl_check(rd, &z->acl, client, &v);

		if (act == VAL_ACL_IGNORE) {
			a->drop = 1;
			return;
		}
		if (act == VAL_ACL_REFUSE) {
			a->rcode = DNS_RCODE_REFUSED;
			a->aa = 0;
			return;
		}
		if (act == VAL_ACL_EMPTY)
			c.empty = 1;
		if (act == VAL_LISTED && before > 0 &&
		    answer_form_queried(z, &f)) {
			/* Always listed: the acl's answer, `$` = client. */
			uint8_t addr[16];
			int fam = acl_client_addr(client, addr);
			struct store_match m;
			struct subject subj;

			subj.family = fam == 4 ? 4 : 6;
			subj.addr = addr;
			subj.done = 0;
			memset(&m, 0, sizeof(m));
			/* Re-look the value up by its match for ctx_add_match. */
			if (store_lookup_ip(rd, z->acl.meta->dsid, fam, addr,
					    &m) == 1 && m.nvalues)
				ctx_add_match(&c, &z->acl, &m, &subj);
			c.empty = 1;   /* lists are not consulted */
		}
	}

	tp = c.empty ? 0 : answer_test_point(z, name, &f);
	if (tp < 0) {
		a->rcode = DNS_RCODE_NXDOMAIN;
		a->soa_authority = 1;
		return;
	}

	if (before == 0 && keyed) {
		c.exists = 1;      /* a key's own name: no records of its own */
	} else if (before == 0) {
		c.exists = 1;
		if (q->qtype == DNS_TYPE_SOA || c.want_any)
			a->soa_answer = 1;
		if ((q->qtype == DNS_TYPE_NS || c.want_any) && z->nns)
			a->ns_answer = 1;
	}
	for (size_t i = 0; i < z->nds; i++) {
		if (z->ds[i].type == DS_COMBINED) {
			if (z->subs[i])
				ctx_combined(&c, i, name, before);
		} else {
			ctx_search(&c, &z->ds[i], name, &f);
		}
	}
	if (tp > 0 && !c.listed) {
		c.listed = c.exists = 1;
		if (c.want_a)
			ans_add_a(a, z->ttl, 0x7f000002);
		if (c.want_txt)
			ans_add_txt(a, z->ttl, ANSWER_TEST_TXT,
				    sizeof(ANSWER_TEST_TXT) - 1);
	}
	if (!c.exists && !c.empty && answer_test_point_below(z, &f))
		c.exists = 1;

	answer_unify_ttls(a);
	if (a->nrr || a->soa_answer || a->ns_answer)
		return;
	a->soa_authority = 1;
	if (!c.exists)
		a->rcode = DNS_RCODE_NXDOMAIN;
}
