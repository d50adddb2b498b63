/* zonedump.c -- rbldnsd -d: the zones as a BIND master file, from the store.
 *
 * Why from the store: in rbldnsd mode dnsbld keeps the data only in its
 * LMDB store, so the dump walks it (store_iter.c) rather than the files.
 * The shape of each type's output follows the Debian binary:
 *  - ip4set: entries in address order, a prefix after everything inside
 *    it; an entry inside a larger one first gets `*.` names for the
 *    octet levels in between with the larger one's values (in DNS, the
 *    inner name would otherwise hide the outer wildcard there);
 *  - ip4tset / ip6tset: the entries; ip6tset /64s as `*.` + 16 nibbles;
 *  - ip4trie / ip6trie: each prefix's own addresses (minus the more
 *    specific prefixes inside it) in whole octet (nibble) blocks,
 *    exclusions left out;
 *  - dnset: exact names, then wildcards, each by name length, then bytes;
 *  - generic: names by length, every record with its TTL;
 *  - combined: the sections under `$ORIGIN sub.zone.`, the apex ones last.
 */
#include "zonedump.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "dname.h"
#include "txt.h"

__extension__ typedef unsigned __int128 zd_u128;

struct zd {
	FILE *out;
	struct store_reader *rd;
	const struct ds_meta *meta;
	int family;              /* of the walk in progress */
	char *err;
	size_t errlen;
	/* ip4set walk */
	struct store_ip_item stack[8];
	size_t depth;
	uint32_t done_block[5];  /* per level: last intermediate block + 1 */
	int done_valid[5];
};

/* ---- names ------------------------------------------------------------- */

/* The reversed name of the block of `level` labels' worth of host bits at
 * address `a` (ip4: 4 labels of 8 bits; ip6: 32 of 4); level 0 is the
 * address itself, level k > 0 the wildcard "*." + the labels above. */
static void zd_block_name(int family, zd_u128 a, unsigned level, char *out)
{
	unsigned labels = family == 4 ? 4 : 32, w = family == 4 ? 8 : 4;
	size_t len = 0;

	if (level > 0) {
		out[len++] = '*';
		out[len++] = '.';
	}
	for (unsigned i = level; i < labels; i++) {
		unsigned v = (unsigned)(a >> (w * i)) & ((1u << w) - 1);

		if (i > level)
			out[len++] = '.';
		len += (size_t)sprintf(out + len, family == 4 ? "%u" : "%x", v);
	}
	out[len] = '\0';
}

static zd_u128 zd_addr_get(const uint8_t *a, int family)
{
	zd_u128 v = 0;

	for (unsigned i = 0; i < (family == 4 ? 4u : 16u); i++)
		v = v << 8 | a[i];
	return v;
}

static void zd_addr_text(int family, zd_u128 a, char *out)
{
	uint8_t b[16];
	unsigned alen = family == 4 ? 4 : 16;

	for (unsigned i = alen; i-- > 0;) {
		b[i] = (uint8_t)a;
		a >>= 8;
	}
	inet_ntop(family == 4 ? AF_INET : AF_INET6, b, out, INET6_ADDRSTRLEN);
}

/* ---- records ------------------------------------------------------------ */

/* TXT text in master-file quoting. */
static void zd_quoted(FILE *out, const char *t, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < ' ' || c >= 127)
			fprintf(out, "\\%03u", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* `name A a` (+ `TXT "..."`) for every value, or `name CNAME excluded`. */
static int zd_values(struct zd *z, const char *name, int excluded,
		     const uint32_t *values, size_t n, const char *subject)
{
	if (excluded) {
		fprintf(z->out, "%s\tCNAME\texcluded\n", name);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct store_value v;
		char txt[TXT_MAX];
		int tl;

		if (store_value_get(z->rd, values[i], &v) != 0) {
			snprintf(z->err, z->errlen, "value %u unreadable", values[i]);
			return -1;
		}
		if (v.kind != VAL_LISTED)
			continue;
		fprintf(z->out, "%s\tA\t%u.%u.%u.%u\n", name, v.a >> 24,
			(v.a >> 16) & 255, (v.a >> 8) & 255, v.a & 255);
		tl = txt_expand(v.txt, v.txtlen, z->meta, subject,
				strlen(subject), txt);
		if (tl >= 0) {
			fputs("\tTXT\t", z->out);
			zd_quoted(z->out, txt, (size_t)tl);
			fputc('\n', z->out);
		}
	}
	return 0;
}

/* ---- ip4set: nesting walk ------------------------------------------------ */

static zd_u128 zd_prefix_end(zd_u128 a, unsigned plen, int family)
{
	unsigned bits = family == 4 ? 32 : 128, host = bits - plen;

	return a | (host >= 128 ? ~(zd_u128)0 : (((zd_u128)1 << host) - 1));
}

static int zd_item(struct zd *z, const struct store_ip_item *it)
{
	unsigned w = it->family == 4 ? 8 : 4, bits = it->family == 4 ? 32 : 128;
	zd_u128 a = zd_addr_get(it->addr, it->family);
	char name[80], subj[INET6_ADDRSTRLEN];

	zd_block_name(it->family, a, (bits - it->plen) / w, name);
	zd_addr_text(it->family, a, subj);
	return zd_values(z, name, it->excluded, it->values, it->nvalues, subj);
}

static int zd_pop(struct zd *z)
{
	return zd_item(z, &z->stack[--z->depth]);
}

static int zd_ip4set_cb(const struct store_ip_item *it, void *arg)
{
	struct zd *z = arg;
	zd_u128 a = zd_addr_get(it->addr, 4);

	if (it->family != 4)
		return 0;
	/* Close the prefixes that do not contain this one. */
	while (z->depth) {
		const struct store_ip_item *c = &z->stack[z->depth - 1];
		zd_u128 cs = zd_addr_get(c->addr, 4);

		if (c->plen < it->plen && a >= cs &&
		    a <= zd_prefix_end(cs, c->plen, 4))
			break;
		if (zd_pop(z) < 0)
			return -1;
	}
	if (z->depth) {
		/* Wildcards for the levels between the cover and this entry. */
		const struct store_ip_item *c = &z->stack[z->depth - 1];
		char name[40], subj[INET6_ADDRSTRLEN];

		for (unsigned p = c->plen + 8; p < it->plen; p += 8) {
			unsigned level = (32 - p) / 8;
			uint32_t blk = (uint32_t)(a >> (32 - p));

			if (z->done_valid[level] && z->done_block[level] == blk)
				continue;
			z->done_valid[level] = 1;
			z->done_block[level] = blk;
			zd_block_name(4, (zd_u128)blk << (32 - p), level, name);
			zd_addr_text(4, (zd_u128)blk << (32 - p), subj);
			if (zd_values(z, name, c->excluded, c->values, c->nvalues,
				      subj) < 0)
				return -1;
		}
	}
	if (it->plen < 32 && z->depth < sizeof(z->stack) / sizeof(z->stack[0])) {
		z->stack[z->depth++] = *it;
		return 0;
	}
	return zd_item(z, it);
}

/* ---- ip4tset, ip6tset: the entries --------------------------------------- */

static int zd_plain_cb(const struct store_ip_item *it, void *arg)
{
	return zd_item(arg, it);
}

/* ---- tries: intervals as octet / nibble blocks ---------------------------- */

static int zd_units(struct zd *z, zd_u128 lo, zd_u128 hi, unsigned level,
		    const struct store_range_item *it)
{
	unsigned w = z->family == 4 ? 8 : 4;
	zd_u128 unit = (zd_u128)1 << (w * level);
	char name[80], subj[INET6_ADDRSTRLEN];

	for (zd_u128 u = lo;; u += unit) {
		zd_block_name(z->family, u, level, name);
		zd_addr_text(z->family, u, subj);
		if (zd_values(z, name, 0, it->values, it->nvalues, subj) < 0)
			return -1;
		if (hi - u < unit || u + unit - 1 >= hi)
			return 0;
	}
}

/* Splits [a, b] into whole blocks: the ragged low end at this level, the
 * middle one level up, the ragged high end at this level, in address
 * order. */
static int zd_expand(struct zd *z, zd_u128 a, zd_u128 b, unsigned level,
		     const struct store_range_item *it)
{
	unsigned labels = z->family == 4 ? 4 : 32, w = z->family == 4 ? 8 : 4;
	zd_u128 mask, tail_lo = 0, tail_hi = b, mid_hi = b;
	int tail = 0;

	if (level == labels - 1)
		return zd_units(z, a, b, level, it);
	mask = ((zd_u128)1 << (w * (level + 1))) - 1;
	/* Whole blocks of the next level: name them there. */
	if (!(a & mask) && (b & mask) == mask)
		return zd_expand(z, a, b, level + 1, it);
	if ((a >> (w * (level + 1))) == (b >> (w * (level + 1))))
		return zd_units(z, a, b, level, it);
	if (a & mask) {
		if (zd_units(z, a, a | mask, level, it) < 0)
			return -1;
		a = (a | mask) + 1;
	}
	if ((b & mask) != mask) {
		tail = 1;
		tail_lo = b & ~mask;
		mid_hi = tail_lo - 1;
	}
	/* a and b were in different blocks, so a <= mid_hi unless the middle
	 * is empty (a == tail_lo). */
	if (a < tail_lo || !tail)
		if (a <= mid_hi && zd_expand(z, a, mid_hi, level + 1, it) < 0)
			return -1;
	return tail ? zd_units(z, tail_lo, tail_hi, level, it) : 0;
}

/* Tries, as rbldnsd walks them: every prefix names its own addresses (the
 * prefix minus the more specific prefixes inside it), block by block;
 * adjacent prefixes with the same answer are not merged; exclusions name
 * nothing. */
struct zd_trie_open {
	struct store_ip_item it;
	zd_u128 start, end, cursor;
	int spent;               /* cursor moved past the end of the space */
};

struct zd_trie {
	struct zd *z;
	struct zd_trie_open st[130];
	size_t depth;
};

static int zd_trie_emit(struct zd *z, const struct zd_trie_open *o,
			zd_u128 lo, zd_u128 hi)
{
	struct store_range_item r;

	if (o->it.excluded || !o->it.nvalues)
		return 0;
	memset(&r, 0, sizeof(r));
	r.family = o->it.family;
	r.nvalues = o->it.nvalues;
	memcpy(r.values, o->it.values, o->it.nvalues * sizeof(r.values[0]));
	z->family = o->it.family;
	return zd_expand(z, lo, hi, 0, &r);
}

static int zd_trie_close(struct zd_trie *t)
{
	struct zd_trie_open *o = &t->st[--t->depth];

	if (o->spent || o->cursor > o->end)
		return 0;
	return zd_trie_emit(t->z, o, o->cursor, o->end);
}

static int zd_trie_cb(const struct store_ip_item *it, void *arg)
{
	struct zd_trie *t = arg;
	zd_u128 s = zd_addr_get(it->addr, it->family);
	zd_u128 e = zd_prefix_end(s, it->plen, it->family);
	struct zd_trie_open *o;

	while (t->depth) {
		struct zd_trie_open *p = &t->st[t->depth - 1];

		if (p->it.family == it->family && p->it.plen < it->plen &&
		    s >= p->start && e <= p->end)
			break;
		if (zd_trie_close(t) < 0)
			return -1;
	}
	if (t->depth) {
		struct zd_trie_open *p = &t->st[t->depth - 1];

		if (!p->spent && p->cursor < s &&
		    zd_trie_emit(t->z, p, p->cursor, s - 1) < 0)
			return -1;
		if (e == p->end)
			p->spent = 1;
		else
			p->cursor = e + 1;
	}
	if (t->depth == sizeof(t->st) / sizeof(t->st[0]))
		return -1;
	o = &t->st[t->depth++];
	o->it = *it;
	o->start = o->cursor = s;
	o->end = e;
	o->spent = 0;
	return 0;
}

static int zd_trie(struct zd *z, uint32_t dsid)
{
	struct zd_trie *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return STORE_ENOMEM;
	t->z = z;
	rc = store_iter_ip(z->rd, dsid, zd_trie_cb, t);
	while (rc == 0 && t->depth)
		rc = zd_trie_close(t);
	free(t);
	return rc;
}

/* ---- dnset and generic: collected, then sorted as rbldnsd lists them ---- */

struct zd_name {
	uint8_t *name;
	size_t len;           /* wire length */
	uint8_t wild, excluded;
	size_t nvalues;
	uint32_t *values;
	uint8_t *rrs;         /* generic: the record blob */
	size_t idx;           /* position in key order */
	size_t rrslen;
};

struct zd_names {
	struct zd_name *v;
	size_t n, cap;
	int oom;
};

static struct zd_name *zd_names_add(struct zd_names *ns, const uint8_t *name)
{
	struct zd_name *e;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		struct zd_name *v = realloc(ns->v, cap * sizeof(*v));

		if (!v) {
			ns->oom = 1;
			return NULL;
		}
		ns->v = v;
		ns->cap = cap;
	}
	e = &ns->v[ns->n];
	memset(e, 0, sizeof(*e));
	e->idx = ns->n;
	e->len = wname_len(name);
	e->name = malloc(e->len);
	if (!e->name) {
		ns->oom = 1;
		return NULL;
	}
	memcpy(e->name, name, e->len);
	ns->n++;
	return e;
}

static void zd_names_free(struct zd_names *ns)
{
	for (size_t i = 0; i < ns->n; i++) {
		free(ns->v[i].name);
		free(ns->v[i].values);
		free(ns->v[i].rrs);
	}
	free(ns->v);
}

static int zd_dn_cb(const struct store_dn_item *it, void *arg)
{
	struct zd_names *ns = arg;
	struct zd_name *e = zd_names_add(ns, it->name);

	if (!e)
		return STORE_ENOMEM;
	e->wild = it->wild;
	e->excluded = it->excluded;
	e->nvalues = it->nvalues;
	if (it->nvalues) {
		e->values = malloc(it->nvalues * sizeof(*e->values));
		if (!e->values)
			return STORE_ENOMEM;
		memcpy(e->values, it->values, it->nvalues * sizeof(*e->values));
	}
	return 0;
}

static int zd_generic_cb(const struct store_generic_item *it, void *arg)
{
	struct zd_names *ns = arg;
	struct zd_name *e = zd_names_add(ns, it->name);
	size_t len = (size_t)(it->rrs.end - it->rrs.pos);

	if (!e)
		return STORE_ENOMEM;
	e->rrs = malloc(len ? len : 1);
	if (!e->rrs)
		return STORE_ENOMEM;
	memcpy(e->rrs, it->rrs.pos, len);
	e->rrslen = len;
	return 0;
}

/* rbldnsd's order (checked with the binary): exact before wildcard, then
 * shorter wire names first, then the wire bytes (forward, not reversed). */
static int zd_name_cmp(const void *pa, const void *pb)
{
	const struct zd_name *a = pa, *b = pb;
	int d;

	if (a->wild != b->wild)
		return a->wild - b->wild;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	d = memcmp(a->name, b->name, a->len);
	if (d)
		return d;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void zd_sort(struct zd_names *ns)
{
	if (ns->n > 1)
		qsort(ns->v, ns->n, sizeof(*ns->v), zd_name_cmp);
}

static int zd_dnset(struct zd *z, uint32_t dsid)
{
	struct zd_names ns = { 0 };
	int rc = store_iter_dn(z->rd, dsid, zd_dn_cb, &ns);

	if (rc == 0 && !ns.oom) {
		zd_sort(&ns);
		for (size_t i = 0; i < ns.n && rc == 0; i++) {
			struct zd_name *e = &ns.v[i];
			char text[1100], name[1104];

			if (dname_to_text(e->name, text, sizeof(text)) < 0)
				snprintf(text, sizeof(text), "?");
			snprintf(name, sizeof(name), "%s%s", e->wild ? "*." : "",
				 text);
			rc = zd_values(z, name, e->excluded, e->values,
				       e->nvalues, text);
		}
	}
	if (rc > 0 || ns.oom)
		rc = STORE_ENOMEM;
	zd_names_free(&ns);
	return rc;
}

static void zd_rr(struct zd *z, const struct store_rr *rr, uint32_t ttl)
{
	const uint8_t *d = rr->rdata;

	fprintf(z->out, "\t%u\t", rr->ttl ? rr->ttl : ttl);
	if (rr->type == 1 && rr->rdlen == 4) {
		fprintf(z->out, "A\t%u.%u.%u.%u\n", d[0], d[1], d[2], d[3]);
	} else if (rr->type == 16 && rr->rdlen >= 1 && d[0] < rr->rdlen) {
		fputs("TXT\t", z->out);
		zd_quoted(z->out, (const char *)d + 1, d[0]);
		fputc('\n', z->out);
	} else if (rr->type == 15 && rr->rdlen >= 3) {
		char t[1100];

		if (dname_to_text(d + 2, t, sizeof(t)) < 0)
			snprintf(t, sizeof(t), "?");
		/* The loader stores MX targets absolute, dot or not, as
		 * rbldnsd does ("mx2" is mx2.); rel_target is kept for a
		 * dataset written otherwise. */
		fprintf(z->out, "MX\t%u\t%s%s\n", d[0] << 8 | d[1], t,
			rr->rel_target || !strcmp(t, ".") ? "" : ".");
	} else {
		fprintf(z->out, "TYPE%u\t\\# %u\n", rr->type, rr->rdlen);
	}
}

static int zd_generic(struct zd *z, uint32_t dsid, uint32_t ttl)
{
	struct zd_names ns = { 0 };
	int rc = store_iter_generic(z->rd, dsid, zd_generic_cb, &ns);

	if (rc == 0 && !ns.oom) {
		zd_sort(&ns);
		for (size_t i = 0; i < ns.n; i++) {
			struct store_rrset it = { ns.v[i].rrs,
						  ns.v[i].rrs + ns.v[i].rrslen };
			struct store_rr rr;
			char text[1100];
			int first = 1;

			if (ns.v[i].name[0] == 0)
				snprintf(text, sizeof(text), "@");
			else if (dname_to_text(ns.v[i].name, text, sizeof(text)) < 0)
				snprintf(text, sizeof(text), "?");
			while (store_rrset_next(&it, &rr)) {
				if (first)
					fputs(text, z->out);
				first = 0;
				zd_rr(z, &rr, ttl);
			}
		}
	}
	if (rc > 0 || ns.oom)
		rc = STORE_ENOMEM;
	zd_names_free(&ns);
	return rc;
}

/* ---- datasets and zones --------------------------------------------------- */

static uint32_t zd_clamp(const struct zonedump_options *o, uint32_t ttl)
{
	uint32_t def = o->ttl_default ? o->ttl_default : DEFAULT_TTL;

	if (!ttl)
		return def;
	if (o->ttl_min && ttl < o->ttl_min)
		ttl = o->ttl_min;
	if (o->ttl_max && ttl > o->ttl_max)
		ttl = o->ttl_max;
	return ttl;
}

/* Dumps the records of one (non-combined) dataset. */
static int zd_dataset(struct zd *z, const struct store_dsmeta *m, uint32_t ttl)
{
	struct zd walk = *z;
	int rc;

	walk.meta = &m->meta;
	walk.depth = 0;
	memset(walk.done_valid, 0, sizeof(walk.done_valid));
	switch (m->type) {
	case DS_IP4SET:
		rc = store_iter_ip(walk.rd, m->dsid, zd_ip4set_cb, &walk);
		while (rc == 0 && walk.depth)
			rc = zd_pop(&walk);
		break;
	case DS_IP4TSET:
	case DS_IP6TSET:
		rc = store_iter_ip(walk.rd, m->dsid, zd_plain_cb, &walk);
		break;
	case DS_IP4TRIE:
	case DS_IP6TRIE:
		rc = zd_trie(&walk, m->dsid);
		break;
	case DS_DNSET:
		rc = zd_dnset(&walk, m->dsid);
		break;
	case DS_GENERIC:
		rc = zd_generic(&walk, m->dsid, ttl);
		break;
	default:
		rc = 0;   /* acl: nothing to dump */
		break;
	}
	if (rc > 0)
		rc = -1;
	if (rc < 0 && !z->err[0])
		snprintf(z->err, z->errlen, "dataset %s: store read failed (%d)",
			 m->name, rc);
	return rc < 0 ? -1 : 0;
}

/* Text of absolute wire name `w` with the final dot. */
static void zd_abs(const uint8_t *w, char *out, size_t len)
{
	if (dname_to_text(w, out, len - 1) < 0)
		snprintf(out, len, "?");
	if (strcmp(out, ".") != 0)
		strcat(out, ".");
}

static void zd_apex(struct zd *z, const struct cfg_zone *zone,
		    struct store_dsmeta **metas, const struct zonedump_options *o)
{
	const struct ds_soa *soa = NULL;
	const struct ds_ns *ns = NULL;
	int64_t newest = 0;
	char a[1100], b[1100];

	for (size_t i = 0; i < zone->ndatasets; i++) {
		if (!soa && metas[i]->meta.soa.present)
			soa = &metas[i]->meta.soa;
		if (!ns && metas[i]->meta.ns.count)
			ns = &metas[i]->meta.ns;
		if (metas[i]->newest_mtime > newest)
			newest = metas[i]->newest_mtime;
	}
	if (zone->soa.present) {
		zd_abs(zone->soa.mname, a, sizeof(a));
		zd_abs(zone->soa.rname, b, sizeof(b));
		fprintf(z->out, "@\t%u\tSOA\t%s\t%s\t(%u %u %u %u %u)\n",
			zd_clamp(o, zone->soa.ttl), a, b, (uint32_t)newest,
			zone->soa.refresh, zone->soa.retry, zone->soa.expire,
			zone->soa.minimum);
	} else if (soa) {
		zd_abs(soa->mname, a, sizeof(a));
		zd_abs(soa->rname, b, sizeof(b));
		fprintf(z->out, "@\t%u\tSOA\t%s\t%s\t(%u %u %u %u %u)\n",
			zd_clamp(o, soa->ttl), a, b,
			soa->serial ? soa->serial : (uint32_t)newest,
			soa->refresh, soa->retry, soa->expire, soa->minimum);
	}
	if (zone->nns) {
		for (size_t i = 0; i < zone->nns; i++) {
			zd_abs(zone->ns[i], a, sizeof(a));
			fprintf(z->out, "\t%u\tNS\t%s\n", zd_clamp(o, zone->ttl), a);
		}
	} else if (ns) {
		for (size_t i = 0; i < ns->count; i++) {
			zd_abs(ns->names[i], a, sizeof(a));
			fprintf(z->out, "\t%u\tNS\t%s\n", zd_clamp(o, ns->ttl), a);
		}
	}
}

/* A combined dataset, as rbldnsd lists it: each subzone once, in order of
 * first appearance, with every section that serves it; the apex last. */
static int zd_combined(struct zd *z, const struct cfg_zone *zone,
		       const struct store_dsmeta *m,
		       const struct zonedump_options *o)
{
	char zname[1100], sub[1100];

	zd_abs(zone->wname, zname, sizeof(zname));
	for (int apex = 0; apex < 2; apex++)
		for (size_t i = 0; i < m->nchildren; i++)
			for (size_t s = 0; s < m->children[i].nsubzones; s++) {
				const uint8_t *sz = m->children[i].subzones[s];
				int seen = 0;

				if ((sz[0] == 0) != apex)
					continue;
				/* Printed already with an earlier section? */
				for (size_t pi = 0; pi <= i && !seen; pi++)
					for (size_t ps = 0; ps < m->children[pi].nsubzones &&
					     !(pi == i && ps >= s); ps++)
						if (dname_equal(m->children[pi].subzones[ps], sz))
							seen = 1;
				if (seen)
					continue;
				if (apex) {
					fprintf(z->out, "$ORIGIN %s\n", zname);
				} else {
					if (dname_to_text(sz, sub, sizeof(sub)) < 0)
						continue;
					fprintf(z->out, "$ORIGIN %s.%s\n", sub, zname);
				}
				for (size_t j = i; j < m->nchildren; j++) {
					const struct store_dschild *c = &m->children[j];
					int has = 0;

					for (size_t k = 0; k < c->nsubzones && !has; k++)
						has = dname_equal(c->subzones[k], sz);
					if (has && c->meta &&
					    zd_dataset(z, c->meta,
						       zd_clamp(o, c->meta->meta.ttl)) < 0)
						return -1;
				}
			}
	return 0;
}

int zonedump_write(FILE *out, const struct config *cfg,
		   struct store_reader *rd, const struct zonedump_options *o,
		   char *err, size_t errlen)
{
	struct zd z;
	char when[64];
	struct tm tm;
	int rc = 0;

	memset(&z, 0, sizeof(z));
	z.out = out;
	z.rd = rd;
	z.err = err;
	z.errlen = errlen;
	err[0] = '\0';
	localtime_r(&o->now, &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	fprintf(out, "; zone dump made %s\n", when);
	fprintf(out, "; %s\n", o->version ? o->version : "dnsbld");
	for (size_t zi = 0; zi < cfg->nzones && rc == 0; zi++) {
		const struct cfg_zone *zone = &cfg->zones[zi];
		struct store_dsmeta **metas = calloc(zone->ndatasets + 1,
						     sizeof(*metas));
		char zname[1100];

		if (!metas) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < zone->ndatasets && rc == 0; i++)
			if (store_dataset_meta(rd, zone->datasets[i], &metas[i])) {
				snprintf(err, errlen,
					 "zone %s: dataset %s is not in the store",
					 zone->name, zone->datasets[i]);
				rc = -1;
			}
		zd_abs(zone->wname, zname, sizeof(zname));
		for (size_t i = 0; i < zone->ndatasets && rc == 0; i++) {
			const struct store_dsmeta *m = metas[i];
			uint32_t ttl = zd_clamp(o, m->meta.ttl);

			if (m->type == DS_ACL)
				continue;
			fprintf(out, "$ORIGIN\t%s\n", zname);
			if (i == 0)
				zd_apex(&z, zone, metas, o);
			fprintf(out, "$TTL %u\n", ttl);
			rc = m->type == DS_COMBINED ? zd_combined(&z, zone, m, o)
						    : zd_dataset(&z, m, ttl);
		}
		for (size_t i = 0; i < zone->ndatasets; i++)
			store_dsmeta_free(metas[i]);
		free(metas);
	}
	if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
		snprintf(err, errlen, "write error on the dump output");
		rc = -1;
	}
	return rc;
}
