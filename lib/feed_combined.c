/* feed_combined.c -- `$DATASET type[:name] sub...` sections of a combined
 * dataset.
 *
 * A combined file is several datasets in one, each serving some subzones of
 * the base zone.  Each $DATASET line closes the previous section and opens a
 * new child dataset that starts with a copy of the parent's $TTL and $n
 * values as they are at that line.  Structure errors are fatal, as in
 * rbldnsd: a half-understood combined file must not be served.
 */
#include "feed_ctx.h"

#include "dname.h"

#include <stdlib.h>
#include <string.h>

int feed_combined_finish(struct feed_ctx *ctx)
{
	int r = 0;

	if (ctx->in_sub)
		r = feed_ipsets_finish(ctx, &ctx->sub);
	feed_dsstate_clear(&ctx->sub);
	ctx->in_sub = 0;
	ctx->sub_current = 0;
	return r;
}

static int combined_copy_meta_vars(struct ds_meta *to, const struct ds_meta *from)
{
	for (int i = 0; i < 10; i++)
		if (from->vars[i] && !(to->vars[i] = strdup(from->vars[i])))
			return -1;
	if (from->base_template &&
	    !(to->base_template = strdup(from->base_template)))
		return -1;
	to->ttl = from->ttl;
	to->maxrange4 = from->maxrange4;
	return 0;
}

int feed_combined_newset(struct feed_ctx *ctx, char *line)
{
	struct dataset *top = ctx->top.ds;
	struct ds_child *child;
	enum ds_type type = DS_TYPE_COUNT;
	char *p, *tname, *label, *save = NULL;
	size_t nsub = 0;

	if (feed_combined_finish(ctx) < 0)
		return -1;
	/* A comment is recognised only after whitespace. */
	for (p = line; *p; p++) {
		if (FEED_ISCOMMENT(*p) && (p == line || FEED_ISSPACE(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	tname = strtok_r(line, " \t", &save);
	if (!tname)
		return 0;
	label = strchr(tname, ':');
	if (label)
		*label++ = '\0';
	for (int t = 0; t < DS_TYPE_COUNT; t++)
		if (strcmp(tname, ds_type_name((enum ds_type)t)) == 0)
			type = (enum ds_type)t;
	if (type == DS_TYPE_COUNT || type == DS_TRAP || type == DS_COUNTRY ||
	    type == DS_ASN)
		return feed_fail(ctx, "unknown dataset type %s",
				 feed_quote(ctx, tname, strlen(tname)));
	if (type == DS_COMBINED || type == DS_ACL)
		return feed_fail(ctx, "dataset type `%s' cannot be used inside "
				 "`combined'", tname);
	if (label && strlen(label) > 20)
		label[20] = '\0';
	child = dataset_add_child(top, type, label && *label ? label : NULL);
	if (!child || combined_copy_meta_vars(&child->data->meta, &top->meta) < 0)
		return feed_fail(ctx, "out of memory");
	while ((p = strtok_r(NULL, " \t", &save))) {
		uint8_t w[DNAME_MAX];
		uint8_t **nz;

		if (strcmp(p, "@") == 0) {
			w[0] = 0;
		} else if (feed_dname(p, strlen(p), w, 1) < 0) {
			if (feed_warn(ctx, "invalid domain name %s",
				      feed_quote(ctx, p, strlen(p))) < 0)
				return -1;
			continue;
		}
		nz = realloc(child->subzones, (nsub + 1) * sizeof(*nz));
		if (!nz)
			return feed_fail(ctx, "out of memory");
		child->subzones = nz;
		if (!(nz[nsub] = wname_dup(w)))
			return feed_fail(ctx, "out of memory");
		child->nsubzones = ++nsub;
	}
	if (!nsub && feed_warn(ctx, "no subzone(s) specified for dataset, "
			       "data will be ignored") < 0)
		return -1;
	memset(&ctx->sub, 0, sizeof(ctx->sub));
	ctx->sub.ds = child->data;
	feed_val_builtin(&ctx->sub.def);
	ctx->sub.acl_rr = ctx->sub.def;
	ctx->sub.def_id = -1;
	ctx->in_sub = 1;
	return 1;
}
