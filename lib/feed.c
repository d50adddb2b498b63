/* feed.c -- load rbldnsd-format feed files into a dataset (feed.h).
 *
 * The driver: reads each file (feed_reader.c), trims and classifies lines
 * exactly as rbldnsd's readdslines does, sends `$` lines to feed_special.c
 * and data lines to the current dataset's parser, and owns the warning
 * policy (`file:line: reason`, max_logged, max_errors).  The result is only
 * handed out when the whole load succeeded, so a failed load never leaves a
 * half-filled dataset behind.
 */
#include "feed.h"

#include "feed_ctx.h"
#include "feed_reader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static FILE *feed_log_file(const struct feed_ctx *ctx)
{
	return ctx->opts->log ? ctx->opts->log : stderr;
}

static void feed_log_line(struct feed_ctx *ctx, const char *msg)
{
	FILE *f = ctx->held_log ? ctx->held_log : feed_log_file(ctx);

	if (ctx->fname)
		fprintf(f, "%s:%lu: ", ctx->fname, ctx->lineno);
	fprintf(f, "%s\n", msg);
}

int feed_warn(struct feed_ctx *ctx, const char *fmt, ...)
{
	const struct feed_options *o = ctx->opts;
	int log = !o->max_logged || ctx->logged < o->max_logged;
	int fail = o->max_errors && ctx->res->warnings + 1 > o->max_errors;
	char msg[512];
	va_list ap;

	ctx->res->warnings++;
	if (!log && !fail)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log) {
		ctx->logged++;
		feed_log_line(ctx, msg);
	}
	/* The failure names the bad line that was one too many. */
	if (fail)
		return feed_fail(ctx, "%s; too many errors (more than %u), "
				 "load aborted", msg, o->max_errors);
	return 0;
}

void feed_note(struct feed_ctx *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	feed_log_line(ctx, msg);
}

const char *feed_quote(struct feed_ctx *ctx, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o = ctx->quote;

	*o++ = '"';
	for (size_t i = 0; i < n && i < FEED_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\r' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\r' ? 'r' : 't';
		} else if (c == '\0') {
			*o++ = ' ';
		} else if (c < 0x20 || c > 0x7e) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	if (n > FEED_QUOTE_MAX) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return ctx->quote;
}

const char *feed_quote_word(struct feed_ctx *ctx, const char *s)
{
	size_t n = 0;

	while (s[n] && !FEED_ISSPACE(s[n]))
		n++;
	return feed_quote(ctx, s, n);
}

int feed_fail(struct feed_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (ctx->fatal)
		return -1;   /* keep the first reason */
	ctx->fatal = 1;
	if (ctx->fname)
		n = snprintf(ctx->err, ctx->errlen, "%s:%lu: ", ctx->fname,
			     ctx->lineno);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void feed_state_start(struct feed_dsstate *st)
{
	feed_val_builtin(&st->def);
	st->acl_rr = st->def;
	if (st->ds->type == DS_ACL) {
		/* An acl entry without a value is `:ignore`. */
		memset(&st->def, 0, sizeof(st->def));
		st->def.kind = VAL_ACL_IGNORE;
	}
	st->def_id = -1;
}

/* Data line for the current dataset. */
static int feed_data_line(struct feed_ctx *ctx, char *s)
{
	struct feed_dsstate *st = ctx->sub_current ? &ctx->sub : &ctx->top;

	switch (st->ds->type) {
	case DS_DNSET:
		return feed_dnset_line(ctx, st, s);
	case DS_GENERIC:
		return feed_generic_line(ctx, st, s);
	case DS_COUNTRY:
	case DS_ASN:
		return feed_geo_line(ctx, st, s);
	case DS_COMBINED:
		return feed_fail(ctx, "invalid/unrecognized entry %s - specify "
				 "$DATASET line", feed_quote(ctx, s, strlen(s)));
	default:
		return feed_ipsets_line(ctx, st, s);
	}
}

/* Trims and dispatches one line of `len` bytes; 0 or -1 fatal. */
static int feed_one_line(struct feed_ctx *ctx, char *line, size_t len,
			 int flags)
{
	char *eol = line + len;

	if (flags & FEED_LINE_CUT) {
		if (feed_warn(ctx, "long line (truncated)") < 0)
			return -1;
	}
	/* rbldnsd reads a line as a C string: what follows a NUL is lost. */
	if (flags & FEED_LINE_NUL)
		feed_note(ctx, "NUL byte in the line: the rest of it is ignored");
	FEED_SKIPSPACE(line);
	while (eol > line && FEED_ISSPACE(eol[-1]))
		eol--;
	*eol = '\0';
	if (line[0] == '$' ||
	    ((FEED_ISCOMMENT(line[0]) || line[0] == ':') && line[1] == '$')) {
		int r = feed_special(ctx, line[0] == '$' ? line + 1 : line + 2);

		if (r < 0 || ctx->fatal)
			return -1;
		if (r == 0 && feed_warn(ctx, "invalid or unrecognized special "
					"entry %s",
					feed_quote(ctx, line,
						   (size_t)(eol - line))) < 0)
			return -1;
		/* After any special line, data goes to the current combined
		 * section (if any), as rbldnsd does. */
		ctx->sub_current = ctx->in_sub;
		return 0;
	}
	if (!line[0] || FEED_ISCOMMENT(line[0]))
		return 0;
	if (feed_data_line(ctx, line) < 0 || ctx->fatal)
		return -1;
	return 0;
}

static int feed_add_source(struct feed_result *res, const char *path,
		      const struct feed_reader *rd)
{
	struct store_source *s = realloc(res->sources,
					 (res->nsources + 1) * sizeof(*s));
	char *p;

	if (!s)
		return -1;
	res->sources = s;
	if (!(p = strdup(path)))
		return -1;
	s[res->nsources].path = p;
	s[res->nsources].size = rd->size;
	s[res->nsources].mtime = rd->mtime;
	s[res->nsources].hash = 0;   /* known once the file is read */
	res->nsources++;
	return 0;
}

/* The lines' messages wait in memory until the file is known to have been
 * read cleanly (feed_reader_finish): a file that turns out unreadable or
 * changed must look unread, as it does when that is known first. */
static void feed_hold_log(struct feed_ctx *ctx, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	ctx->held_log = open_memstream(buf, len);
}

/* Writes out (keep) or drops what feed_hold_log held in *buf. */
static void feed_release_log(struct feed_ctx *ctx, char **buf, size_t *len,
			     int keep)
{
	if (!ctx->held_log)
		return;
	fclose(ctx->held_log);   /* sets *buf and *len */
	ctx->held_log = NULL;
	if (keep && *len)
		fwrite(*buf, 1, *len, feed_log_file(ctx));
	free(*buf);
	*buf = NULL;
}

static int feed_load_file(struct feed_ctx *ctx, const char *path)
{
	struct feed_reader rd;
	struct feed_result before = *ctx->res;
	unsigned long logged = ctx->logged;
	char *line, *held = NULL, why[1024];
	size_t len, heldlen = 0;
	int flags = 0, r = 0, read_ok;

	if (feed_reader_open(&rd, path, ctx->opts->no_gunzip, 1, ctx->err,
			     ctx->errlen) < 0) {
		ctx->fatal = 1;
		return -1;
	}
	if (feed_add_source(ctx->res, path, &rd) < 0) {
		feed_reader_close(&rd);
		return feed_fail(ctx, "out of memory");
	}
	ctx->fname = path;
	ctx->lineno = 0;
	/* Per-file rules: the default value resets in every file of the
	 * top dataset (the tsets keep their first `:` line), and a combined
	 * file starts outside any section. */
	if (ctx->top.ds->type != DS_IP4TSET && ctx->top.ds->type != DS_IP6TSET &&
	    ctx->top.ds->type != DS_COMBINED)
		feed_state_start(&ctx->top);
	ctx->sub_current = 0;
	feed_hold_log(ctx, &held, &heldlen);
	while ((line = feed_reader_line(&rd, &flags, &len))) {
		ctx->lineno++;
		ctx->res->lines++;
		if (feed_one_line(ctx, line, len, flags) < 0) {
			r = -1;
			break;
		}
		if (flags & FEED_LINE_NOEOL) {
			/* rbldnsd says "ignored" here, yet loads the line. */
			feed_note(ctx, "incomplete last line (loaded)");
		}
	}
	read_ok = feed_reader_finish(&rd, path, why, sizeof(why)) == 0;
	feed_release_log(ctx, &held, &heldlen, read_ok);
	if (!read_ok) {
		/* As if the file had failed to open: nothing of it counts. */
		before.sources = ctx->res->sources;
		before.nsources = ctx->res->nsources;
		*ctx->res = before;
		ctx->logged = logged;
		snprintf(ctx->err, ctx->errlen, "%s", why);
		ctx->fatal = 1;
		r = -1;
	}
	ctx->res->sources[ctx->res->nsources - 1].hash = feed_reader_hash(&rd);
	feed_reader_close(&rd);
	ctx->fname = NULL;
	return r;
}

/* Readies `ctx` for a load of a new dataset of `type`; 0 or -1 with
 * `err` set. */
static int feed_begin(struct feed_ctx *ctx, enum ds_type type,
		      const struct feed_options *opts, struct feed_result *res,
		      char *err, size_t errlen)
{
	static const struct feed_options defaults;

	memset(res, 0, sizeof(*res));
	memset(ctx, 0, sizeof(*ctx));
	if (errlen)
		err[0] = '\0';
	ctx->opts = opts ? opts : &defaults;
	ctx->res = res;
	ctx->err = err;
	ctx->errlen = errlen;
	if ((unsigned)type >= DS_TYPE_COUNT) {
		snprintf(err, errlen, "unknown dataset type %d", (int)type);
		return -1;
	}
	ctx->top.ds = dataset_new(type);
	if (!ctx->top.ds) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	feed_state_start(&ctx->top);
	return 0;
}

/* Ends the load begun by feed_begin (r: how its lines went): the
 * dataset into *out, or -1 with everything freed. */
static int feed_end(struct feed_ctx *ctx, int r, struct dataset **out)
{
	const struct feed_options *opts = ctx->opts;
	struct feed_result *res = ctx->res;
	enum ds_type type = ctx->top.ds->type;

	if (r == 0 && type == DS_COMBINED)
		r = feed_combined_finish(ctx);
	if (r == 0 && (type == DS_COUNTRY || type == DS_ASN))
		r = feed_geo_finish(ctx);
	if (r == 0)
		r = feed_ipsets_finish(ctx, &ctx->top);
	feed_geo_free(ctx);
	feed_dsstate_clear(&ctx->sub);
	feed_dsstate_clear(&ctx->top);
	if (opts->max_logged && res->warnings > opts->max_logged) {
		FILE *f = opts->log ? opts->log : stderr;

		fprintf(f, "%lu more warnings suppressed\n",
			res->warnings - opts->max_logged);
	}
	if (r < 0 || ctx->fatal) {
		if (!ctx->fatal)
			snprintf(ctx->err, ctx->errlen, "load failed");
		dataset_free(ctx->top.ds);
		feed_result_free(res);
		return -1;
	}
	*out = ctx->top.ds;
	return 0;
}

int feed_load(enum ds_type type, const char *const *files, size_t nfiles,
	      const struct feed_options *opts, struct dataset **out,
	      struct feed_result *res, char *err, size_t errlen)
{
	struct feed_ctx ctx;
	int r = 0;

	if (feed_begin(&ctx, type, opts, res, err, errlen) < 0)
		return -1;
	if (!nfiles) {
		snprintf(err, errlen, "%s: no files given", ds_type_name(type));
		dataset_free(ctx.top.ds);
		return -1;
	}
	for (size_t i = 0; i < nfiles && r == 0; i++)
		r = feed_load_file(&ctx, files[i]);
	return feed_end(&ctx, r, out);
}

int feed_load_lines(enum ds_type type, const char *path,
		    const struct feed_line *lines, size_t n,
		    const struct feed_options *opts, struct dataset **out,
		    struct feed_result *res, char *err, size_t errlen)
{
	struct feed_ctx ctx;
	char *buf = NULL;
	size_t cap = 0;
	int r = 0;

	if (feed_begin(&ctx, type, opts, res, err, errlen) < 0)
		return -1;
	ctx.fname = path;
	for (size_t i = 0; i < n && r == 0; i++) {
		/* The parsers cut a line where they like: a copy of it. */
		if (lines[i].len + 1 > cap) {
			char *p = realloc(buf, lines[i].len + 1);

			if (!p) {
				r = feed_fail(&ctx, "out of memory");
				break;
			}
			buf = p;
			cap = lines[i].len + 1;
		}
		memcpy(buf, lines[i].text, lines[i].len);
		buf[lines[i].len] = '\0';
		ctx.lineno = lines[i].lineno;
		res->lines++;
		r = feed_one_line(&ctx, buf, lines[i].len,
				  lines[i].noeol ? FEED_LINE_NOEOL : 0);
	}
	free(buf);
	ctx.fname = NULL;
	return feed_end(&ctx, r, out);
}

void feed_result_free(struct feed_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nsources; i++)
		free((char *)(uintptr_t)res->sources[i].path);
	free(res->sources);
	res->sources = NULL;
	res->nsources = 0;
}
