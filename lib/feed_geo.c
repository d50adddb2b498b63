/* feed_geo.c -- country and ASN range tables (dataset types country, asn).
 *
 * The free IP-to-country and IP-to-ASN downloads come as CSV: `start,end,CC`
 * or `network,CC` (DB-IP, IP2Location, RIR-derived lists), MaxMind's
 * GeoLite2 `network,geoname_id,...` blocks plus a Locations file that maps
 * geoname_id to country_iso_code, and `network,asn[,name]` (or ip2asn's
 * tab-separated `start end asn CC name`).  Every row is read into a range;
 * at the end of the load (feed_geo_finish) the ranges are made disjoint,
 * where they overlap the NARROWER range wins (fewer addresses), and of two
 * equally wide ones the LATER line: so a more specific network beats the
 * block around it, as in routing, and a row added at the end of a table
 * overrides an equal one above it.  The disjoint pieces are cut into CIDR
 * prefixes, which the store keeps as ordinary address entries of both
 * families, so a country or ASN zone is answered with one B+tree descent
 * per query like any trie.
 *
 * The first line of each file that is not data is a header: MaxMind's
 * headers say which columns hold what, any other one is skipped.  A bad
 * line later is a warning naming file:line, as in every feed.
 */
#include "feed_ctx.h"
#include "geo.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

typedef unsigned __int128 u128;

#define GEO_MAXF 8

/* One row of a table: an address range and its value. */
struct geo_row {
	u128 s, e;
	uint32_t value;          /* dataset value index; pending: geoname_id */
	uint32_t seq;            /* line order, for "the later line wins" */
	uint8_t family;
	uint8_t pending;         /* MaxMind: value awaits the Locations file */
};

/* A MaxMind row whose country is known once every file is read. */
struct geo_pending {
	size_t row;
	uint32_t gid, gid2;      /* geoname_id, registered_country_geoname_id */
	const char *fname;
	unsigned long lineno;
};

struct geo_loc {
	uint32_t gid;
	char cc[2];              /* "\0\0": a place with no country */
};

enum { GEO_FILE_NEW = 0, GEO_FILE_DATA, GEO_FILE_MM_BLOCKS,
       GEO_FILE_MM_LOCATIONS };

struct feed_geo {
	struct geo_row *rows;
	size_t nrows, rows_cap;
	struct geo_pending *pend;
	size_t npend, pend_cap;
	struct geo_loc *locs;
	size_t nlocs, locs_cap;
	uint32_t seq;
	const char *file;        /* the file `kind` is for */
	int kind;                /* GEO_FILE_* of that file */
	int col_net, col_gid, col_gid2;       /* MaxMind blocks */
	int col_lgid, col_cc;                 /* MaxMind locations */
	int64_t cc_value[26 * 26];            /* interned value + 1 per code */
};

/* ---- helpers ------------------------------------------------------------ */

static int geo_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 1024;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Splits a CSV (or, with a TAB in it, tab-separated) line in place into
 * at most GEO_MAXF fields, each trimmed, double quotes removed ("" is a
 * quote).  Returns the number of fields. */
static int geo_split(char *s, char **f, int maxf)
{
	char sep = strchr(s, '\t') ? '\t' : ',';
	int n = 0;

	for (;;) {
		char *o, *start;

		while (*s == ' ' || (sep != '\t' && *s == '\t'))
			s++;
		start = o = s;
		if (*s == '"') {
			s++;
			while (*s) {
				if (*s == '"' && s[1] == '"') {
					*o++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*o++ = *s++;
				}
			}
			while (*s && *s != sep)
				s++;
		} else {
			while (*s && *s != sep)
				*o++ = *s++;
			while (o > start && (o[-1] == ' ' || o[-1] == '\t' ||
					     o[-1] == '\r'))
				o--;
		}
		if (n < maxf)
			f[n++] = start;
		if (!*s) {
			*o = '\0';
			break;
		}
		s++;
		*o = '\0';
	}
	return n;
}

static u128 geo_max(int family)
{
	return family == 4 ? (u128)0xffffffffu : ~(u128)0;
}

static u128 geo_get(const uint8_t *a, int family)
{
	u128 v = 0;

	for (int i = 0; i < (family == 4 ? 4 : 16); i++)
		v = v << 8 | a[i];
	return v;
}

static void geo_put(u128 v, uint8_t a[16], int family)
{
	memset(a, 0, 16);
	for (int i = (family == 4 ? 4 : 16); i-- > 0;) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* A decimal address (IP2Location writes them so): 0 and *v, or -1. */
static int geo_decimal(const char *s, u128 *v)
{
	u128 x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (~(u128)0 - 9) / 10)
			return -1;
		x = x * 10 + (unsigned)(*s - '0');
	}
	*v = x;
	return 0;
}

/* An address, `addr/len` or (decimal_ok) a decimal number.  Returns the
 * family (4, 6, or 0 for a decimal) with *v and *plen (the family's bits
 * when no length), or -1. */
static int geo_addr(const char *s, int decimal_ok, u128 *v, unsigned *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t a[16];
	int family;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		family = 6;
	else if (!slash && decimal_ok && geo_decimal(buf, v) == 0)
		return *plen = 0, 0;
	else
		return -1;
	*v = geo_get(a, family);
	*plen = family == 4 ? 32 : 128;
	if (slash) {
		char *end;
		unsigned long l = strtoul(slash + 1, &end, 10);

		if (end == slash + 1 || *end || l > *plen)
			return -1;
		*plen = (unsigned)l;
	}
	return family;
}

/* The range [*s, *e] of a prefix of `plen` bits; -1 if host bits are set
 * and may not be masked. */
static int geo_prefix_range(u128 *s, u128 *e, int family, unsigned plen,
			    int mask_ok)
{
	unsigned bits = family == 4 ? 32 : 128, host = bits - plen;
	u128 hostmask = host == 128 ? ~(u128)0 : (((u128)1 << host) - 1);

	if (*s & hostmask) {
		if (!mask_ok)
			return -1;
		*s &= ~hostmask;
	}
	*e = *s | hostmask;
	return 0;
}

/* IPv4 written inside ::ffff:0:0/96 (IP2Location's IPv6 tables) is IPv4. */
static void geo_unmap(int *family, u128 *s, u128 *e)
{
	u128 base = (u128)0xffff << 32;

	if (*family == 6 && *s >= base && *e <= (base | 0xffffffffu)) {
		*family = 4;
		*s -= base;
		*e -= base;
	}
}

static int geo_add_row(struct feed_ctx *ctx, struct feed_geo *g, int family,
		       u128 s, u128 e, uint32_t value, int pending)
{
	struct geo_row *r;

	if (geo_grow((void **)&g->rows, &g->rows_cap, g->nrows,
		     sizeof(*g->rows)) < 0)
		return feed_fail(ctx, "out of memory");
	r = &g->rows[g->nrows++];
	r->s = s;
	r->e = e;
	r->value = value;
	r->seq = g->seq++;
	r->family = (uint8_t)family;
	r->pending = (uint8_t)pending;
	return 0;
}

/* The value of country `cc` (upper case), interned once. */
static int64_t geo_cc_value(struct feed_ctx *ctx, struct feed_geo *g,
			    const char cc[2])
{
	int64_t *slot = &g->cc_value[(cc[0] - 'A') * 26 + (cc[1] - 'A')];

	if (!*slot) {
		int64_t id = dataset_value(ctx->top.ds, VAL_LISTED, geo_cc_a(cc),
					   cc, 2);

		if (id < 0)
			return feed_fail(ctx, "out of memory");
		*slot = id + 1;
	}
	return *slot - 1;
}

/* ---- headers ------------------------------------------------------------ */

static int geo_col(char **f, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

/* The first line of a file is not data: a MaxMind header says what the
 * columns are, any other header is skipped. */
static int geo_header(struct feed_ctx *ctx, struct feed_geo *g, char **f,
		      int n)
{
	int net = geo_col(f, n, "network"), gid = geo_col(f, n, "geoname_id"),
	    cc = geo_col(f, n, "country_iso_code");

	g->kind = GEO_FILE_DATA;
	if (ctx->top.ds->type != DS_COUNTRY)
		return 0;
	if (net >= 0 && gid >= 0) {
		g->kind = GEO_FILE_MM_BLOCKS;
		g->col_net = net;
		g->col_gid = gid;
		g->col_gid2 = geo_col(f, n, "registered_country_geoname_id");
	} else if (gid >= 0 && cc >= 0) {
		g->kind = GEO_FILE_MM_LOCATIONS;
		g->col_lgid = gid;
		g->col_cc = cc;
	}
	return 0;
}

/* ---- rows --------------------------------------------------------------- */

/* MaxMind Locations: geoname_id -> country_iso_code (may be empty). */
static int geo_location_row(struct feed_ctx *ctx, struct feed_geo *g,
			    char **f, int n)
{
	struct geo_loc *l;
	uint32_t id;
	char cc[3] = "";

	if (g->col_lgid >= n || g->col_cc >= n ||
	    geo_asn_parse(f[g->col_lgid], strlen(f[g->col_lgid]), &id) < 0)
		return feed_warn(ctx, "invalid Locations line (no geoname_id)");
	if (f[g->col_cc][0] &&
	    geo_cc_parse(f[g->col_cc], strlen(f[g->col_cc]), cc) < 0)
		return feed_warn(ctx, "invalid country code %s",
				 feed_quote(ctx, f[g->col_cc],
					    strlen(f[g->col_cc])));
	if (geo_grow((void **)&g->locs, &g->locs_cap, g->nlocs,
		     sizeof(*g->locs)) < 0)
		return feed_fail(ctx, "out of memory");
	l = &g->locs[g->nlocs++];
	l->gid = id;
	memcpy(l->cc, cc, 2);
	return 0;
}

/* MaxMind blocks: network, geoname_id (or the registered country's). */
static int geo_block_row(struct feed_ctx *ctx, struct feed_geo *g, char **f,
			 int n)
{
	struct geo_pending *p;
	uint32_t gid = 0, gid2 = 0;
	unsigned plen;
	u128 s, e;
	int fam;

	if (g->col_net >= n ||
	    (fam = geo_addr(f[g->col_net], 0, &s, &plen)) <= 0)
		return feed_warn(ctx, "invalid network %s",
				 feed_quote(ctx, g->col_net < n ? f[g->col_net] : "",
					    g->col_net < n ?
					    strlen(f[g->col_net]) : 0));
	if (geo_prefix_range(&s, &e, fam, plen, ctx->opts->accept_host_bits) < 0)
		return feed_warn(ctx, "invalid network %s (non-zero host part)",
				 feed_quote(ctx, f[g->col_net],
					    strlen(f[g->col_net])));
	if (g->col_gid < n && f[g->col_gid][0])
		(void)geo_asn_parse(f[g->col_gid], strlen(f[g->col_gid]), &gid);
	if (g->col_gid2 >= 0 && g->col_gid2 < n && f[g->col_gid2][0])
		(void)geo_asn_parse(f[g->col_gid2], strlen(f[g->col_gid2]),
				    &gid2);
	if (!gid && !gid2)
		return 0;   /* no country given (anonymous proxies): unlisted */
	geo_unmap(&fam, &s, &e);
	if (geo_grow((void **)&g->pend, &g->pend_cap, g->npend,
		     sizeof(*g->pend)) < 0)
		return feed_fail(ctx, "out of memory");
	p = &g->pend[g->npend++];
	p->row = g->nrows;
	p->gid = gid;
	p->gid2 = gid2;
	p->fname = ctx->fname;
	p->lineno = ctx->lineno;
	return geo_add_row(ctx, g, fam, s, e, 0, 1);
}

/* geo_key's columns: 1 or 2, 0 after a warning, -1 if the first is no
 * address. */
static int geo_key_cols(struct feed_ctx *ctx, char **f, int n, int *family,
			u128 *s, u128 *e)
{
	u128 s2;
	unsigned plen, plen2;
	int fam = geo_addr(f[0], 1, s, &plen), fam2;

	if (fam < 0)
		return -1;
	/* A number is a range end only after a number (IP2Location). */
	fam2 = n >= 3 ? geo_addr(f[1], fam == 0, &s2, &plen2) : -1;
	if (fam2 < 0) {
		/* network,VALUE */
		if (fam == 0)
			return -1;
		if (geo_prefix_range(s, e, fam, plen,
				     ctx->opts->accept_host_bits) < 0) {
			feed_warn(ctx, "invalid network %s (non-zero host part)",
				  feed_quote(ctx, f[0], strlen(f[0])));
			return 0;
		}
		*family = fam;
		return 1;
	}
	/* start,end,VALUE: addresses of one family, or two numbers. */
	if ((fam == 0) != (fam2 == 0) || (fam && fam2 != fam) ||
	    (fam == 4 && (plen != 32 || plen2 != 32)) ||
	    (fam == 6 && (plen != 128 || plen2 != 128))) {
		feed_warn(ctx, "invalid range %s - %s",
			  feed_quote(ctx, f[0], strlen(f[0])), f[1]);
		return 0;
	}
	if (fam == 0)
		fam = s2 <= 0xffffffffu ? 4 : 6;
	if (s2 < *s) {
		feed_warn(ctx, "invalid range %s: the end is before the start",
			  feed_quote(ctx, f[0], strlen(f[0])));
		return 0;
	}
	*e = s2;
	*family = fam;
	return 2;
}

/* The key columns of a plain row, `network` or `start,end`, followed by
 * the value column (`what`, for the warning when it is missing).  Returns
 * the number of key columns (1 or 2), 0 after a warning, -1 fatal. */
static int geo_key(struct feed_ctx *ctx, char **f, int n, const char *what,
		   int *family, u128 *s, u128 *e)
{
	int k = geo_key_cols(ctx, f, n, family, s, e);

	if (k < 0)
		return feed_warn(ctx, "invalid address %s",
				 feed_quote(ctx, f[0], strlen(f[0]))) < 0 ? -1 : 0;
	if (k == 0)
		return ctx->fatal ? -1 : 0;
	if (k >= n)
		return feed_warn(ctx, "missing %s", what) < 0 ? -1 : 0;
	return k;
}

static int geo_country_row(struct feed_ctx *ctx, struct feed_geo *g,
			   char **f, int n)
{
	char cc[3];
	u128 s, e;
	int fam, k;
	int64_t v;

	k = geo_key(ctx, f, n, "country code", &fam, &s, &e);
	if (k <= 0)
		return k;
	/* IP2Location writes "-" for unassigned space: not listed. */
	if (!f[k][0] || strcmp(f[k], "-") == 0)
		return 0;
	if (geo_cc_parse(f[k], strlen(f[k]), cc) < 0)
		return feed_warn(ctx, "invalid country code %s (two letters "
				 "expected)", feed_quote(ctx, f[k], strlen(f[k])));
	v = geo_cc_value(ctx, g, cc);
	if (v < 0)
		return -1;
	geo_unmap(&fam, &s, &e);
	return geo_add_row(ctx, g, fam, s, e, (uint32_t)v, 0);
}

/* "ASN | prefix | CC | registry | date" (Team Cymru's origin TXT), and
 * " | NAME" when the table has one; `$` doubled (TXT templates expand
 * it), cut whole at 255 bytes. */
static int64_t geo_asn_value(struct feed_ctx *ctx, uint32_t asn, int family,
			     u128 s, unsigned plen, const char *cc,
			     const char *name)
{
	char txt[600], pfx[64];
	uint8_t a[16];
	size_t n;
	int64_t id;

	geo_put(s, a, family);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, pfx, sizeof(pfx));
	n = (size_t)snprintf(txt, sizeof(txt), "%u | %s/%u | %s |  | ", asn,
			     pfx, plen, cc);
	if (name && *name) {
		memcpy(txt + n, " | ", 3);
		n += 3;
		for (; *name && n + 2 <= 255; name++) {
			if (*name == '$')
				txt[n++] = '$';
			txt[n++] = *name;
		}
	}
	if (n > 255)
		n = 255;
	id = dataset_value(ctx->top.ds, VAL_LISTED, GEO_ASN_A, txt, n);
	if (id < 0)
		return feed_fail(ctx, "out of memory");
	return id;
}

/* Calls fn for each CIDR prefix of [s, e] (family's addresses), in
 * order.  Returns what fn returned last, stopping at a non-zero one. */
static int geo_cidrs(int family, u128 s, u128 e,
		     int (*fn)(u128 s, unsigned plen, void *arg), void *arg)
{
	unsigned bits = family == 4 ? 32 : 128;

	for (;;) {
		unsigned host = 0;
		u128 last;
		int r;

		while (host < bits) {
			u128 size;

			if (host + 1 == bits) {
				if (s == 0 && e == geo_max(family))
					host = bits;
				break;
			}
			size = (u128)1 << (host + 1);
			if ((s & (size - 1)) || e - s < size - 1)
				break;
			host++;
		}
		r = fn(s, bits - host, arg);
		if (r)
			return r;
		last = host == 128 ? ~(u128)0 : s + (((u128)1 << host) - 1);
		if (last >= e)
			return 0;
		s = last + 1;
	}
}

struct geo_asn_job {
	struct feed_ctx *ctx;
	struct feed_geo *g;
	int family;
	uint32_t asn;
	const char *cc, *name;
};

static int geo_asn_cidr(u128 s, unsigned plen, void *arg)
{
	struct geo_asn_job *j = arg;
	unsigned host = (j->family == 4 ? 32 : 128) - plen;
	u128 e = s | (host == 128 ? ~(u128)0 : (((u128)1 << host) - 1));
	int64_t v = geo_asn_value(j->ctx, j->asn, j->family, s, plen, j->cc,
				  j->name);

	if (v < 0)
		return -1;
	return geo_add_row(j->ctx, j->g, j->family, s, e, (uint32_t)v, 0);
}

/* network,asn[,name] or start,end,asn[,name] (ip2asn's five columns:
 * start,end,asn,CC,name). */
static int geo_asn_row(struct feed_ctx *ctx, struct feed_geo *g, char **f,
		       int n)
{
	struct geo_asn_job j = { ctx, g, 0, 0, "", NULL };
	char cc[3] = "";
	u128 s, e;
	int k;

	k = geo_key(ctx, f, n, "AS number", &j.family, &s, &e);
	if (k <= 0)
		return k;
	if (geo_asn_parse(f[k], strlen(f[k]), &j.asn) < 0)
		return feed_warn(ctx, "invalid AS number %s",
				 feed_quote(ctx, f[k], strlen(f[k])));
	if (j.asn == 0)
		return 0;   /* AS0: not routed (ip2asn), not listed */
	if (k == 2 && n >= 5) {
		if (geo_cc_parse(f[3], strlen(f[3]), cc) == 0)
			j.cc = cc;
		j.name = f[4];
	} else if (k + 1 < n) {
		j.name = f[k + 1];
	}
	geo_unmap(&j.family, &s, &e);
	return geo_cidrs(j.family, s, e, geo_asn_cidr, &j) < 0 ? -1 : 0;
}

int feed_geo_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct feed_geo *g = ctx->geo;
	char *f[GEO_MAXF];
	int n;

	(void)st;
	if (!g) {
		g = ctx->geo = calloc(1, sizeof(*g));
		if (!g)
			return feed_fail(ctx, "out of memory");
	}
	if (g->file != ctx->fname) {
		g->file = ctx->fname;
		g->kind = GEO_FILE_NEW;
	}
	n = geo_split(s, f, GEO_MAXF);
	if (g->kind == GEO_FILE_NEW) {
		u128 v;
		unsigned plen;

		if (geo_addr(f[0], 1, &v, &plen) < 0)
			return geo_header(ctx, g, f, n);
		g->kind = GEO_FILE_DATA;
	}
	switch (g->kind) {
	case GEO_FILE_MM_BLOCKS:
		return geo_block_row(ctx, g, f, n);
	case GEO_FILE_MM_LOCATIONS:
		return geo_location_row(ctx, g, f, n);
	default:
		if (ctx->top.ds->type == DS_ASN)
			return geo_asn_row(ctx, g, f, n);
		return geo_country_row(ctx, g, f, n);
	}
}

/* ---- the end of the load: MaxMind countries, overlaps, prefixes --------- */

static int geo_loc_cmp(const void *a, const void *b)
{
	const struct geo_loc *x = a, *y = b;

	return x->gid < y->gid ? -1 : x->gid > y->gid;
}

static const struct geo_loc *geo_loc_find(const struct feed_geo *g,
					  uint32_t gid)
{
	struct geo_loc key = { .gid = gid };

	return gid ? bsearch(&key, g->locs, g->nlocs, sizeof(*g->locs),
			     geo_loc_cmp) : NULL;
}

/* Gives each MaxMind row its country (its geoname_id's, else its
 * registered country's); rows left without one are dropped. */
static int geo_resolve(struct feed_ctx *ctx, struct feed_geo *g)
{
	size_t keep = 0;

	if (!g->npend)
		return 0;
	qsort(g->locs, g->nlocs, sizeof(*g->locs), geo_loc_cmp);
	for (size_t i = 0; i < g->npend; i++) {
		struct geo_pending *p = &g->pend[i];
		const struct geo_loc *l = geo_loc_find(g, p->gid),
				     *l2 = geo_loc_find(g, p->gid2);
		const struct geo_loc *use = l && l->cc[0] ? l :
					    l2 && l2->cc[0] ? l2 : NULL;
		int64_t v;

		if (!use) {
			if (l || l2)
				continue;   /* a continent, no country */
			ctx->fname = p->fname;
			ctx->lineno = p->lineno;
			if (feed_warn(ctx, "geoname_id %u is in no Locations "
				      "file (list GeoLite2-Country-Locations-"
				      "*.csv in files)", p->gid ? p->gid :
				      p->gid2) < 0)
				return -1;
			continue;
		}
		v = geo_cc_value(ctx, g, use->cc);
		if (v < 0)
			return -1;
		g->rows[p->row].value = (uint32_t)v;
		g->rows[p->row].pending = 0;
	}
	ctx->fname = NULL;
	for (size_t i = 0; i < g->nrows; i++)
		if (!g->rows[i].pending)
			g->rows[keep++] = g->rows[i];
	g->nrows = keep;
	return 0;
}

static int geo_row_cmp(const void *a, const void *b)
{
	const struct geo_row *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return 0;
}

/* Heap order: the row that wins on top (narrower, then later). */
static int geo_beats(const struct geo_row *x, const struct geo_row *y)
{
	u128 wx = x->e - x->s, wy = y->e - y->s;

	return wx != wy ? wx < wy : x->seq > y->seq;
}

struct geo_heap {
	const struct geo_row **h;
	size_t n;
};

static void geo_heap_push(struct geo_heap *hp, const struct geo_row *r)
{
	size_t i = hp->n++;

	while (i && geo_beats(r, hp->h[(i - 1) / 2])) {
		hp->h[i] = hp->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	hp->h[i] = r;
}

static void geo_heap_pop(struct geo_heap *hp)
{
	const struct geo_row *last = hp->h[--hp->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= hp->n)
			break;
		if (c + 1 < hp->n && geo_beats(hp->h[c + 1], hp->h[c]))
			c++;
		if (!geo_beats(hp->h[c], last))
			break;
		hp->h[i] = hp->h[c];
		i = c;
	}
	if (hp->n)
		hp->h[i] = last;
}

/* Disjoint pieces, adjacent ones with the same value merged, go out as
 * prefixes. */
struct geo_out {
	struct feed_ctx *ctx;
	int family;
	int have;
	u128 s, e;
	uint32_t value;
};

static int geo_out_prefix(u128 s, unsigned plen, void *arg)
{
	struct geo_out *o = arg;
	struct ds_ip_entry ent;

	memset(&ent, 0, sizeof(ent));
	geo_put(s, ent.addr, o->family);
	ent.family = (uint8_t)o->family;
	ent.plen = (uint8_t)plen;
	ent.value = o->value;
	if (dataset_add_ip(o->ctx->top.ds, &ent) < 0)
		return feed_fail(o->ctx, "out of memory");
	o->ctx->res->entries++;
	return 0;
}

static int geo_out_flush(struct geo_out *o)
{
	if (!o->have)
		return 0;
	o->have = 0;
	return geo_cidrs(o->family, o->s, o->e, geo_out_prefix, o);
}

static int geo_out_piece(struct geo_out *o, u128 s, u128 e, uint32_t value)
{
	if (o->have && o->value == value && o->e + 1 == s) {
		o->e = e;
		return 0;
	}
	if (geo_out_flush(o) < 0)
		return -1;
	o->have = 1;
	o->s = s;
	o->e = e;
	o->value = value;
	return 0;
}

/* One family's rows (sorted by start): a sweep that keeps the rows
 * covering the current address in a heap, the winner on top. */
static int geo_sweep(struct feed_ctx *ctx, const struct geo_row *rows,
		     size_t n, int family)
{
	struct geo_out o = { .ctx = ctx, .family = family };
	struct geo_heap hp = { malloc((n ? n : 1) * sizeof(*hp.h)), 0 };
	u128 cur = 0, max = geo_max(family);
	size_t i = 0;
	int rc = 0;

	if (!hp.h)
		return feed_fail(ctx, "out of memory");
	while (rc == 0) {
		const struct geo_row *t;
		u128 end;

		if (!hp.n) {
			if (i == n)
				break;
			cur = rows[i].s;
		}
		while (i < n && rows[i].s <= cur)
			geo_heap_push(&hp, &rows[i++]);
		while (hp.n && hp.h[0]->e < cur)
			geo_heap_pop(&hp);
		if (!hp.n)
			continue;
		t = hp.h[0];
		end = t->e;
		if (i < n && rows[i].s - 1 < end)
			end = rows[i].s - 1;
		rc = geo_out_piece(&o, cur, end, t->value);
		if (end == max)
			break;
		cur = end + 1;
	}
	if (rc == 0)
		rc = geo_out_flush(&o);
	free(hp.h);
	return rc;
}

/* Sorts the IPv4 rows (first) by start with two 16-bit radix passes
 * (qsort of half a million 48-byte rows was a third of a load), then the
 * IPv6 rows with qsort.  Tables come sorted more often than not: then
 * nothing moves.  Returns the number of IPv4 rows, or -1 out of memory. */
static ssize_t geo_sort(struct feed_geo *g)
{
	struct geo_row *tmp;
	size_t n4 = 0, sorted = 1, *count;

	for (size_t i = 0; i < g->nrows; i++) {
		if (i && geo_row_cmp(&g->rows[i - 1], &g->rows[i]) > 0)
			sorted = 0;
		n4 += g->rows[i].family == 4;
	}
	if (sorted)
		return (ssize_t)n4;
	tmp = malloc((g->nrows ? g->nrows : 1) * sizeof(*tmp));
	count = malloc((65536 + 1) * sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -1;
	}
	/* IPv4 first, IPv6 after, each in file order. */
	for (size_t i = 0, a = 0, b = n4; i < g->nrows; i++)
		tmp[g->rows[i].family == 4 ? a++ : b++] = g->rows[i];
	for (int pass = 0; pass < 2; pass++) {
		struct geo_row *from = pass ? g->rows : tmp,
			       *to = pass ? tmp : g->rows;

		memset(count, 0, (65536 + 1) * sizeof(*count));
		for (size_t i = 0; i < n4; i++)
			count[((uint32_t)from[i].s >> (16 * pass) & 0xffff) + 1]++;
		for (size_t k = 1; k <= 65536; k++)
			count[k] += count[k - 1];
		for (size_t i = 0; i < n4; i++)
			to[count[(uint32_t)from[i].s >> (16 * pass) & 0xffff]++] =
				from[i];
	}
	/* The IPv4 rows are in tmp now; IPv6 ones too, unsorted. */
	memcpy(g->rows, tmp, g->nrows * sizeof(*tmp));
	free(tmp);
	free(count);
	qsort(g->rows + n4, g->nrows - n4, sizeof(*g->rows), geo_row_cmp);
	return (ssize_t)n4;
}

int feed_geo_finish(struct feed_ctx *ctx)
{
	struct feed_geo *g = ctx->geo;
	ssize_t n4;

	if (!g)
		return 0;
	if (geo_resolve(ctx, g) < 0)
		return -1;
	n4 = geo_sort(g);
	if (n4 < 0)
		return feed_fail(ctx, "out of memory");
	/* (A table with no rows has no row array: no pointer into it.) */
	if (geo_sweep(ctx, g->rows, (size_t)n4, 4) < 0 ||
	    geo_sweep(ctx, g->rows ? g->rows + n4 : NULL,
		      g->nrows - (size_t)n4, 6) < 0)
		return -1;
	return 0;
}

void feed_geo_free(struct feed_ctx *ctx)
{
	struct feed_geo *g = ctx->geo;

	if (!g)
		return;
	free(g->rows);
	free(g->pend);
	free(g->locs);
	free(g);
	ctx->geo = NULL;
}
