/* feed_dnset.c -- dnset data lines: `name`, `*.name`, `.name`, `!` forms.
 *
 * rbldnsd keeps exact and wildcard entries apart: `*.d` lists only the
 * subdomains of d, `.d` both d and its subdomains, and `!` excludes exactly
 * the form written.  `.d` therefore becomes two entries here.
 */
#include "feed_ctx.h"

#include "dname.h"

#include <string.h>

static int dnset_add(struct feed_ctx *ctx, struct dataset *ds, const uint8_t *w,
		  int wild, int excl, uint32_t value)
{
	struct ds_dn_entry e;

	memset(&e, 0, sizeof(e));
	e.name = (uint8_t *)(uintptr_t)w;
	e.wild = (uint8_t)wild;
	e.excluded = (uint8_t)excl;
	e.value = excl ? 0 : value;
	if (dataset_add_dn(ds, &e) < 0)
		return feed_fail(ctx, "out of memory");
	ctx->res->entries++;
	return 0;
}

int feed_dnset_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	uint8_t w[DNAME_MAX];
	int excl = 0, form;   /* form: 0 exact, 1 wild, 2 both */
	int64_t value = 0;
	char *key, *e;

	if (*s == ':') {
		struct feed_val v, builtin;

		feed_val_builtin(&builtin);
		if (feed_val_parse(ctx, s, &builtin, &v) < 0)
			return ctx->fatal ? -1 : 0;
		st->def = v;
		st->def_id = -1;
		return 0;
	}
	if (*s == '!') {
		excl = 1;
		s++;
		FEED_SKIPSPACE(s);
	}
	key = s;
	if (s[0] == '*' && s[1] == '.') {
		form = 1;
		s += 2;
	} else if (s[0] == '.') {
		form = 2;
		s++;
	} else {
		form = 0;
	}
	for (e = s; *e && !FEED_ISSPACE(*e); e++)
		;
	if (e == s || feed_dname(s, (size_t)(e - s), w, 1) <= 1)
		return feed_warn(ctx, "invalid domain name %s",
				 feed_quote(ctx, key, (size_t)(e - key)));
	if (!excl) {
		FEED_SKIPSPACE(e);
		if (!*e || FEED_ISCOMMENT(*e)) {
			value = feed_val_default_id(ctx, st);
		} else {
			struct feed_val v;

			if (feed_val_parse(ctx, e, &st->def, &v) < 0)
				return ctx->fatal ? -1 : 0;
			value = feed_val_intern(ctx, st->ds, &v);
		}
		if (value < 0)
			return -1;
	}
	if (form != 1 && dnset_add(ctx, st->ds, w, 0, excl, (uint32_t)value) < 0)
		return -1;
	if (form != 0 && dnset_add(ctx, st->ds, w, 1, excl, (uint32_t)value) < 0)
		return -1;
	return 0;
}
