/* feed_entry.c -- one entry line through the feed parsers (feed_entry.h).
 *
 * A small driver beside feed.c's: it sets up the same parse state a data
 * file starts with, sorts a line the way feed.c does (blank, comment, `$`
 * special, data) and hands data lines to the type's own line parser, so
 * the syntax and its checks exist once.  Warnings are captured (a memory
 * stream) to become the error of a refused edit.
 */
#include "feed_entry.h"

#include "feed_ctx.h"
#include "feed_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int feed_entry_type_ok(enum ds_type type)
{
	return type == DS_IP4SET || type == DS_IP4TSET || type == DS_IP4TRIE ||
	       type == DS_IP6TRIE || type == DS_IP6TSET || type == DS_DNSET;
}

/* What a data file starts a dataset with (feed.c does the same). */
static void entry_state_start(struct feed_dsstate *st, struct dataset *ds)
{
	memset(st, 0, sizeof(*st));
	st->ds = ds;
	feed_val_builtin(&st->def);
	st->acl_rr = st->def;
	st->def_id = -1;
}

enum entry_line { ENTRY_BLANK, ENTRY_SPECIAL, ENTRY_DEFAULT, ENTRY_DATA };

/* Trims `line` in place (leading and trailing blanks) and says what it is,
 * as feed.c's driver and the type's parser would take it. */
static enum entry_line entry_classify(enum ds_type type, char **line)
{
	char *s = *line, *e;

	FEED_SKIPSPACE(s);
	for (e = s + strlen(s); e > s && FEED_ISSPACE(e[-1]); e--)
		;
	*e = '\0';
	*line = s;
	if (s[0] == '$' || ((FEED_ISCOMMENT(s[0]) || s[0] == ':') && s[1] == '$'))
		return ENTRY_SPECIAL;
	if (!s[0] || FEED_ISCOMMENT(s[0]))
		return ENTRY_BLANK;
	/* In ip6trie and acl a line starting "::" is an address
	 * (feed_ipsets.c). */
	if (s[0] == ':' && !((type == DS_IP6TRIE || type == DS_ACL) && s[1] == ':'))
		return ENTRY_DEFAULT;
	return ENTRY_DATA;
}

static int entry_data_line(struct feed_ctx *ctx, char *s)
{
	return ctx->top.ds->type == DS_DNSET ? feed_dnset_line(ctx, &ctx->top, s)
					     : feed_ipsets_line(ctx, &ctx->top, s);
}

/* An ip4tset/ip6tset line with anything after its address. */
static int entry_tset_value(enum ds_type type, const char *s)
{
	const char *e = s;

	while (*e && !FEED_ISSPACE(*e) && !(type == DS_IP4TSET && *e == ':'))
		e++;
	if (*e == ':')
		return 1;
	FEED_SKIPSPACE(e);
	return *e && !FEED_ISCOMMENT(*e);
}

int feed_entry_parse(enum ds_type type, const char *line, int accept_host_bits,
		     struct dataset **out, char *err, size_t errlen)
{
	struct feed_options opts = { .accept_host_bits = accept_host_bits };
	struct feed_result res;
	struct feed_ctx ctx;
	char *buf = NULL, *s, *log = NULL;
	size_t loglen = 0;
	int rc = -1;

	*out = NULL;
	err[0] = '\0';
	if (!feed_entry_type_ok(type)) {
		snprintf(err, errlen, "%s datasets cannot be edited entry by "
			 "entry", ds_type_name(type) ? ds_type_name(type) : "?");
		return -1;
	}
	memset(&res, 0, sizeof(res));
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = &opts;
	ctx.res = &res;
	ctx.err = err;
	ctx.errlen = errlen;
	buf = strdup(line);
	opts.log = open_memstream(&log, &loglen);
	entry_state_start(&ctx.top, dataset_new(type));
	if (!buf || !opts.log || !ctx.top.ds) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s = buf;
	switch (entry_classify(type, &s)) {
	case ENTRY_BLANK:
		snprintf(err, errlen, "no entry given");
		goto out;
	case ENTRY_SPECIAL:
		snprintf(err, errlen, "\"%s\": a `$` line is not an entry", s);
		goto out;
	case ENTRY_DEFAULT:
		snprintf(err, errlen, "\"%s\": a default value line is not an "
			 "entry (write the value after the entry: "
			 "\"ENTRY :A:TXT\")", s);
		goto out;
	case ENTRY_DATA:
		break;
	}
	if ((type == DS_IP4TSET || type == DS_IP6TSET) &&
	    entry_tset_value(type, s)) {
		snprintf(err, errlen, "\"%s\": an %s entry takes no value: the "
			 "type answers one value for all its entries "
			 "(127.0.0.2 in a manual dataset); use ip4set, ip4trie "
			 "or ip6trie for values of their own", s,
			 ds_type_name(type));
		goto out;
	}
	if (entry_data_line(&ctx, s) == 0 && !ctx.fatal)
		feed_ipsets_finish(&ctx, &ctx.top);   /* the tsets' value */
	fflush(opts.log);
	if (ctx.fatal) {
		/* err already says why */
	} else if (res.warnings) {
		size_t n = loglen;

		while (n && log[n - 1] == '\n')
			n--;
		snprintf(err, errlen, "%.*s", (int)n, log);
	} else if (!dataset_nip(ctx.top.ds) && !ctx.top.ds->ndn) {
		snprintf(err, errlen, "\"%s\": no entry in it", s);
	} else {
		*out = ctx.top.ds;
		ctx.top.ds = NULL;
		rc = 0;
	}
out:
	feed_dsstate_clear(&ctx.top);
	dataset_free(ctx.top.ds);
	if (opts.log)
		fclose(opts.log);
	free(log);
	free(buf);
	return rc;
}

/* ---- finding an entry's line --------------------------------------------- */

int feed_entry_has(const struct dataset *ds, const struct feed_entry_want *want)
{
	for (size_t i = 0; want->ip && i < dataset_nip(ds); i++) {
		struct ds_ip_entry ent, *e = &ent;

		dataset_ip_get(ds, i, &ent);
		if (e->family == want->ip->family && e->plen == want->ip->plen &&
		    !e->excluded == !want->ip->excluded &&
		    memcmp(e->addr, want->ip->addr, 16) == 0)
			return 1;
	}
	for (size_t i = 0; want->dn && i < ds->ndn; i++) {
		const struct ds_dn_entry *e = &ds->dn[i];

		if (e->wild == want->dn->wild &&
		    !e->excluded == !want->dn->excluded &&
		    wname_len(e->name) == wname_len(want->dn->name) &&
		    memcmp(e->name, want->dn->name, wname_len(e->name)) == 0)
			return 1;
	}
	return 0;
}

/* Forgets the entries of the last line (values stay interned). */
static void entry_reset(struct feed_dsstate *st)
{
	for (size_t i = 0; i < st->ds->ndn; i++)
		free(st->ds->dn[i].name);
	st->ds->ndn = 0;
	st->ds->nip4 = 0;
	st->ds->nip = 0;
	feed_dsstate_clear(st);   /* its duplicate table indexes ds->ip */
}

int feed_entry_find(enum ds_type type, const char *const *files,
		    size_t nfiles, const struct feed_entry_want *want,
		    size_t *file, unsigned long *line, char *text,
		    size_t textlen)
{
	struct feed_options opts = { 0 };
	struct feed_result res;
	struct feed_ctx ctx;
	char err[512];
	int found = 0;

	if (!feed_entry_type_ok(type) && type != DS_ACL)
		return 0;
	memset(&res, 0, sizeof(res));
	memset(&ctx, 0, sizeof(ctx));
	opts.accept_host_bits = 1;
	opts.log = fopen("/dev/null", "w");
	ctx.opts = &opts;
	ctx.res = &res;
	ctx.err = err;
	ctx.errlen = sizeof(err);
	entry_state_start(&ctx.top, dataset_new(type));
	if (!opts.log || !ctx.top.ds) {
		found = -1;
		goto out;
	}
	for (size_t f = 0; f < nfiles && !found; f++) {
		struct feed_reader rd;
		unsigned long n = 0;
		char *l;
		int flags = 0;
		size_t len;

		if (feed_reader_open(&rd, files[f], 0, 0, err, sizeof(err)) < 0)
			continue;
		while (!found && (l = feed_reader_line(&rd, &flags, &len))) {
			char *s = l;

			n++;
			if (entry_classify(type, &s) != ENTRY_DATA)
				continue;
			snprintf(text, textlen, "%s", s);
			ctx.fatal = 0;
			entry_data_line(&ctx, s);
			if (feed_entry_has(ctx.top.ds, want)) {
				*file = f;
				*line = n;
				found = 1;
			}
			entry_reset(&ctx.top);
		}
		/* A file that could not be read whole is skipped, as one that
		 * cannot be opened. */
		if (found && feed_reader_finish(&rd, files[f], err,
						       sizeof(err)) < 0)
			found = 0;
		feed_reader_close(&rd);
	}
out:
	feed_dsstate_clear(&ctx.top);
	dataset_free(ctx.top.ds);
	if (opts.log)
		fclose(opts.log);
	return found;
}
