/* feed_special.c -- rbldnsd `$` lines: $SOA $NS $TTL $MAXRANGE4 $n $= ...
 *
 * These describe a dataset as a whole rather than an entry, and each has its
 * own "which one counts" rule (first $SOA, first $NS line, last $TTL, first
 * $n, $MAXRANGE4 only lowering).  Keeping them here keeps the rules in one
 * place for every dataset type.
 */
#include "feed_ctx.h"
#include "timeunit.h"

#include "dname.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ISDIGIT(c) ((c) >= '0' && (c) <= '9')

/* If `line` starts with keyword `kw` (any case) followed by whitespace,
 * returns the next word, else NULL. */
static char *special_keyword(char *line, const char *kw)
{
	for (; *kw; kw++, line++) {
		char c = *line;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != *kw)
			return NULL;
	}
	if (!FEED_ISSPACE(*line))
		return NULL;
	FEED_SKIPSPACE(line);
	return line;
}

/* Digits only, fits 32 bits; returns the end or NULL. */
static char *special_u32_bare(char *s, uint32_t *out)
{
	uint64_t n = 0;

	if (!ISDIGIT(*s))
		return NULL;
	do {
		n = n * 10 + (uint64_t)(*s++ - '0');
		if (n > 0xffffffffu)
			return NULL;
	} while (ISDIGIT(*s));
	*out = (uint32_t)n;
	return s;
}

/* A number then whitespace or the end; skips the whitespace. */
static char *special_u32(char *s, uint32_t *out)
{
	if (!(s = special_u32_bare(s, out)))
		return NULL;
	if (*s) {
		if (!FEED_ISSPACE(*s))
			return NULL;
		FEED_SKIPSPACE(s);
	}
	return s;
}

char *feed_parse_time(char *s, uint32_t *out)
{
	uint32_t t;

	if (!(s = (char *)timeunit_scan(s, &t)))
		return NULL;
	if (*s && *s != ':') {
		if (!FEED_ISSPACE(*s))
			return NULL;
		FEED_SKIPSPACE(s);
	}
	*out = t;
	return s;
}

/* A name word, always absolute (rbldnsd ignores a trailing dot), case kept.
 * Returns the next word or NULL; *wname is a fresh copy. */
static char *special_abs_name(char *s, uint8_t **wname)
{
	uint8_t w[DNAME_MAX];
	char *e = s;

	while (*e && !FEED_ISSPACE(*e))
		e++;
	if (e == s || feed_dname(s, (size_t)(e - s), w, 0) < 0)
		return NULL;
	if (!(*wname = wname_dup(w)))
		return NULL;
	FEED_SKIPSPACE(e);
	return e;
}

static int special_soa(struct feed_ctx *ctx, char *w)
{
	struct dataset *ds = ctx->top.ds;
	struct ds_soa soa;
	uint32_t t[4];

	if (ds->type == DS_ACL)
		return 0;
	if (ds->meta.soa.present)
		return 1;   /* the first $SOA wins */
	memset(&soa, 0, sizeof(soa));
	if (!(w = feed_parse_time(w, &soa.ttl)))
		return 0;
	if (!(w = special_abs_name(w, &soa.mname)))
		return 0;
	if (!(w = special_abs_name(w, &soa.rname)))
		goto bad;
	if (!(w = special_u32(w, &soa.serial)))
		goto bad;
	for (int i = 0; i < 4; i++)
		if (!(w = feed_parse_time(w, &t[i])))
			goto bad;
	if (*w)
		goto bad;
	soa.refresh = t[0];
	soa.retry = t[1];
	soa.expire = t[2];
	soa.minimum = t[3];
	soa.present = 1;
	ds->meta.soa = soa;
	return 1;
bad:
	free(soa.mname);
	free(soa.rname);
	return 0;
}

static int special_ns(struct feed_ctx *ctx, char *w)
{
	struct dataset *ds = ctx->top.ds;
	struct ds_ns *ns = &ds->meta.ns;
	uint32_t ttl;

	if (ds->type == DS_ACL)
		return 0;
	if (ns->count)
		return 1;   /* only the first $NS line counts */
	if (!(w = feed_parse_time(w, &ttl)))
		return 0;
	ns->ttl = ttl;
	/* As in rbldnsd, names parsed before a bad one stay. */
	do {
		uint8_t *name;

		if (*w == '-') {   /* a commented-out server */
			while (*w && !FEED_ISSPACE(*w))
				w++;
			FEED_SKIPSPACE(w);
			continue;
		}
		if (!(w = special_abs_name(w, &name)))
			return 0;
		if (ns->count < DS_MAX_NS)
			ns->names[ns->count++] = name;
		else
			free(name);
	} while (*w);
	return 1;
}

/* Days from 1970-01-01 to year-mon-day (civil calendar). */
static int64_t special_days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* One field of a stamp: up to `w` digits within [min, max], then an
 * optional ':' or '-'. */
static char *special_stamp_part(char *s, unsigned *out, unsigned min, unsigned max,
			unsigned w)
{
	unsigned n = 0;

	if (!ISDIGIT(*s))
		return NULL;
	do
		n = n * 10 + (unsigned)(*s++ - '0');
	while (ISDIGIT(*s) && --w);
	if (n < min || n > max)
		return NULL;
	if (*s == ':' || *s == '-')
		s++;
	*out = n;
	return s;
}

/* `yyyy[:-]mm[:-]dd[[:-]hh[[:-]mi[[:-]ss]]]`, or `0`/`-`/`:` for none. */
static char *special_stamp(char *s, int64_t *out)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30,
						31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, dmax;

	if ((*s == '0' || *s == '-' || *s == ':') &&
	    (FEED_ISSPACE(s[1]) || !s[1])) {
		*out = 0;
		s++;
		FEED_SKIPSPACE(s);
		return s;
	}
	if (!(s = special_stamp_part(s, &y, 1970, 2038, 4)) ||
	    !(s = special_stamp_part(s, &mo, 1, 12, 2)))
		return NULL;
	dmax = mdays[mo - 1];
	if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		dmax = 29;
	if (!(s = special_stamp_part(s, &d, 1, dmax, 2)))
		return NULL;
	if (*s && !FEED_ISSPACE(*s) && !(s = special_stamp_part(s, &h, 0, 23, 2)))
		return NULL;
	if (*s && !FEED_ISSPACE(*s) && !(s = special_stamp_part(s, &mi, 0, 59, 2)))
		return NULL;
	if (*s && !FEED_ISSPACE(*s) && !(s = special_stamp_part(s, &sec, 0, 59, 2)))
		return NULL;
	if (*s) {
		if (!FEED_ISSPACE(*s))
			return NULL;
		FEED_SKIPSPACE(s);
	}
	*out = ((special_days_from_civil((int)y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	return s;
}

static int special_timestamp(struct feed_ctx *ctx, char *w)
{
	struct ds_meta *m = &ctx->top.ds->meta;
	int64_t stamp, expires;

	if (!(w = special_stamp(w, &stamp)))
		return 0;
	if (!*w) {
		expires = 0;
	} else if (*w == '+') {
		uint32_t rel;

		if (!(w = feed_parse_time(w + 1, &rel)) || *w || !stamp || !rel)
			return 0;
		expires = stamp + rel;
	} else if (!(w = special_stamp(w, &expires)) || *w) {
		return 0;
	}
	if (stamp) {
		int64_t now = (int64_t)time(NULL);

		if (stamp > now)
			return feed_fail(ctx, "data timestamp is %lld sec in "
					 "the future, aborting loading",
					 (long long)(stamp - now));
		if (stamp > m->timestamp)
			m->timestamp = stamp;
	}
	if (expires && (!m->expires || m->expires > expires))
		m->expires = expires;
	return 1;
}

static int special_maxrange4(struct feed_ctx *ctx, char *w)
{
	uint32_t r;
	int cidr = 0;

	if (*w == '/') {
		cidr = 1;
		w++;
	}
	if (!(w = special_u32(w, &r)) || *w || !r)
		return 0;
	if (cidr) {
		if (r > 32)
			return 0;
		/* 2^(32-len) addresses; /0 is excluded above by !r. */
		r = r == 32 ? 1 : (uint32_t)1 << (32 - r);
	}
	if (ctx->maxrange4 && ctx->maxrange4 < r) {
		if (feed_warn(ctx, "ignoring attempt to increase $MAXRANGE4 "
			      "from %u to %u", ctx->maxrange4, r) < 0)
			return -1;
		return 1;
	}
	ctx->maxrange4 = r;
	/* Recorded for information; entries over it are already dropped. */
	ctx->top.ds->meta.maxrange4 = r;
	if (ctx->in_sub)
		ctx->sub.ds->meta.maxrange4 = r;
	return 1;
}

int feed_special(struct feed_ctx *ctx, char *line)
{
	struct dataset *cur = ctx->in_sub ? ctx->sub.ds : ctx->top.ds;
	char *w;

	if ((w = special_keyword(line, "soa")))
		return special_soa(ctx, w);
	if ((w = special_keyword(line, "ns")) || (w = special_keyword(line, "nameserver")))
		return special_ns(ctx, w);
	if ((w = special_keyword(line, "ttl"))) {
		uint32_t ttl;

		if (!(w = feed_parse_time(w, &ttl)) || *w)
			return 0;
		/* The last $TTL wins (read at query time in rbldnsd); generic
		 * captures it per record as it parses. */
		cur->meta.ttl = ttl;
		return 1;
	}
	if ((w = special_keyword(line, "maxrange4")))
		return special_maxrange4(ctx, w);
	if (((line[0] >= '0' && line[0] <= '9') || line[0] == '=') &&
	    FEED_ISSPACE(line[1])) {
		char **slot = line[0] == '=' ? &cur->meta.base_template :
					       &cur->meta.vars[line[0] - '0'];

		if (*slot)
			return 1;   /* the first definition wins */
		w = line + 2;
		FEED_SKIPSPACE(w);
		if (!*w)
			return 0;
		if (cur->type == DS_GENERIC)
			return 1;   /* accepted, but generic has no templates */
		if (!(*slot = strdup(w)))
			return feed_fail(ctx, "out of memory");
		return 1;
	}
	if ((w = special_keyword(line, "dataset"))) {
		if (ctx->top.ds->type != DS_COMBINED)
			return 0;
		return feed_combined_newset(ctx, w);
	}
	if ((w = special_keyword(line, "timestamp")))
		return special_timestamp(ctx, w);
	return 0;
}
