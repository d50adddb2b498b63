/* feed_generic.c -- generic dataset lines: `name [ttl] [IN] TYPE data`.
 *
 * rbldnsd's generic type is a tiny subset of a BIND master file: A, TXT and
 * MX only, `@` for the apex, names relative to the zone, and the current
 * $TTL captured per record as the file is read.
 */
#include "feed_ctx.h"

#include "dname.h"

#include <string.h>
#include <strings.h>

/* Splits off the next whitespace-separated word; returns it (NUL-terminated)
 * and advances *s past the following whitespace, or NULL at the end. */
static char *generic_next_word(char **s)
{
	char *w = *s, *e = w;

	if (!*w)
		return NULL;
	while (*e && !FEED_ISSPACE(*e))
		e++;
	if (*e)
		*e++ = '\0';
	FEED_SKIPSPACE(e);
	*s = e;
	return w;
}

/* The whole line in a warning (words split by the parse show as one). */
static int generic_bad_line(struct feed_ctx *ctx, const char *why,
			    const char *line, size_t len)
{
	return feed_warn(ctx, "%s %s", why, feed_quote(ctx, line, len));
}

int feed_generic_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct ds_rr rr;
	uint8_t name[DNAME_MAX], rdata[2 + DNAME_MAX + 256];
	char *w, *type;
	const char *line = s;
	size_t linelen = strlen(s);
	uint32_t ttl = st->ds->meta.ttl;

	memset(&rr, 0, sizeof(rr));
	w = generic_next_word(&s);
	if (!w)
		return generic_bad_line(ctx, "invalid/unrecognized entry", line,
					linelen);
	if (strcmp(w, "@") == 0) {
		name[0] = 0;
	} else if (feed_dname(w, strlen(w), name, 1) < 0) {
		return feed_warn(ctx, "invalid domain name %s",
				 feed_quote_word(ctx, w));
	}
	type = generic_next_word(&s);
	if (type && type[0] >= '0' && type[0] <= '9') {
		if (!feed_parse_time(type, &ttl) ||
		    strspn(type, "0123456789sSmMhHdDwW") != strlen(type))
			return feed_warn(ctx, "invalid TTL %s",
					 feed_quote_word(ctx, type));
		type = generic_next_word(&s);
	}
	if (type && strcasecmp(type, "IN") == 0)
		type = generic_next_word(&s);
	if (!type || !*s)
		return generic_bad_line(ctx, "invalid/unrecognized entry", line,
					linelen);
	rr.name = name;
	rr.ttl = ttl;
	rr.rdata = rdata;
	if (strcasecmp(type, "a") == 0) {
		uint32_t a;
		const char *end;

		/* Checked against the Debian binary: whatever follows the
		 * address is ignored (`1.2.3.4x` loads as 1.2.3.4). */
		if (feed_ip4_addr(s, &a, &end) < 0)
			return feed_warn(ctx, "invalid IPv4 address %s",
					 feed_quote_word(ctx, s));
		rr.type = 1;
		rdata[0] = (uint8_t)(a >> 24);
		rdata[1] = (uint8_t)(a >> 16);
		rdata[2] = (uint8_t)(a >> 8);
		rdata[3] = (uint8_t)a;
		rr.rdlen = 4;
	} else if (strcasecmp(type, "txt") == 0) {
		size_t len = strlen(s);

		if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
			s++;
			len -= 2;
		}
		if (len > 255) {
			if (feed_warn(ctx, "TXT RR truncated to 255 bytes") < 0)
				return -1;
			len = 255;
		}
		rr.type = 16;
		rdata[0] = (uint8_t)len;
		memcpy(rdata + 1, s, len);
		rr.rdlen = (uint16_t)(len + 1);
	} else if (strcasecmp(type, "mx") == 0) {
		char *pref = generic_next_word(&s), *target;
		uint32_t p = 0;
		int n;

		if (!pref)
			return generic_bad_line(ctx, "invalid MX preference",
						line, linelen);
		for (char *c = pref; *c; c++) {
			if (*c < '0' || *c > '9' ||
			    (p = p * 10 + (uint32_t)(*c - '0')) > 65535)
				return feed_warn(ctx, "invalid MX preference %s",
						 feed_quote_word(ctx, pref));
		}
		/* Checked against the Debian binary: an MX without a target
		 * or with anything after it fails the whole load (rbldnsd
		 * takes it for out of memory); say so clearly. */
		target = generic_next_word(&s);
		if (!target || *s)
			return feed_fail(ctx, "MX record %s needs exactly "
					 "`pref target' (rbldnsd fails the "
					 "load on this line too)",
					 feed_quote(ctx, line, linelen));
		/* Checked against the Debian binary: the target is absolute,
		 * dot or not, and keeps its case. */
		n = feed_dname(target, strlen(target), rdata + 2, 0);
		if (n <= 0)
			return feed_warn(ctx, "invalid MX target %s",
					 feed_quote_word(ctx, target));
		rr.type = 15;
		rdata[0] = (uint8_t)(p >> 8);
		rdata[1] = (uint8_t)p;
		rr.rdlen = (uint16_t)(n + 2);
	} else {
		return generic_bad_line(ctx, "invalid/unrecognized entry", line,
					linelen);
	}
	if (dataset_add_rr(st->ds, &rr) < 0)
		return feed_fail(ctx, "out of memory");
	ctx->res->entries++;
	return 0;
}
