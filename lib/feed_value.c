/* feed_value.c -- rbldnsd `:A:TXT` values and their interning.
 *
 * Every list type writes its answer the same way after the key (or alone on
 * a default line): `:A:TXT`, `:A:` (no TXT), `:A` (TXT from the default) or
 * bare text (default A, the whole rest as TXT, `#` included).  One parser
 * keeps those rules identical for every type.
 */
#include "feed_ctx.h"

#include <string.h>

void feed_val_builtin(struct feed_val *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = VAL_LISTED;
	v->a = 0x7f000002u;
}

int feed_val_parse(struct feed_ctx *ctx, const char *s,
		   const struct feed_val *def, struct feed_val *out)
{
	const char *value = s;
	size_t len;

	out->kind = VAL_LISTED;
	if (*s == ':') {
		uint32_t a;
		int bits = feed_ip4_addr(s + 1, &a, &s);

		if (bits < 0 || a == 0)
			return feed_warn(ctx, "invalid A RR %s",
					 feed_quote(ctx, value, strlen(value))),
			       -1;
		if (bits == 8)
			a |= 0x7f000000u;   /* `:5` is 127.0.0.5 */
		out->a = a;
		FEED_SKIPSPACE(s);
		if (*s == ':') {
			s++;
			FEED_SKIPSPACE(s);
		} else if (*s) {
			return feed_warn(ctx, "unrecognized value for an entry "
					 "%s", feed_quote(ctx, value,
							  strlen(value))), -1;
		} else {
			/* Only an A: the TXT comes from the default. */
			out->has_txt = def->has_txt;
			out->txtlen = def->txtlen;
			memcpy(out->txt, def->txt, def->txtlen);
			return 0;
		}
	} else {
		out->a = def->a;
	}
	len = strlen(s);
	if (len > 255) {
		if (feed_warn(ctx, "TXT RR truncated to 255 bytes") < 0)
			return -1;
		len = 255;
	}
	out->has_txt = len > 0;
	out->txtlen = (uint16_t)len;
	memcpy(out->txt, s, len);
	return 0;
}

int64_t feed_val_intern(struct feed_ctx *ctx, struct dataset *ds,
			const struct feed_val *v)
{
	int64_t id = dataset_value(ds, v->kind, v->a,
				   v->has_txt ? v->txt : NULL, v->txtlen);

	if (id < 0)
		feed_fail(ctx, "out of memory");
	return id;
}

int64_t feed_val_default_id(struct feed_ctx *ctx, struct feed_dsstate *st)
{
	if (st->def_id < 0)
		st->def_id = feed_val_intern(ctx, st->ds, &st->def);
	return st->def_id;
}
