/* dsload.c -- one dataset: feed files -> parse in memory -> one diff commit.
 *
 * The only place that decides "keep last good": the store is written only
 * after the whole dataset parsed, and store_put_dataset either commits the
 * diff or changes nothing.  Shared by the loader's one-shot and watch modes
 * and by anything that embeds the watch engine.  A manual dataset (edited
 * with dnsbl-ctl) is never loaded here, only made if it is not stored.
 */
#include "dsload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dsdelta.h"
#include "feed.h"
#include "monoclock.h"
#include "shrink_guard.h"

int dsload_mkdirs(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", copy, strerror(errno));
			free(copy);
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return 0;
}

int dsload_open_store(const char *dir, struct store **out, char *err,
		      size_t errlen)
{
	char why[512];

	*out = NULL;
	if (dsload_mkdirs(dir, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "store %s: cannot create %s", dir, why);
		return -1;
	}
	/* store_open's messages name the store themselves. */
	return store_open(out, dir, 0, err, errlen) < 0 ? -1 : 0;
}

/* A manual dataset is not loaded: its entries come from dnsbl-ctl and
 * a load must not touch them.  It is only made (empty) if it is not
 * stored yet, so its zones serve it, and its stored type checked. */
static int dsload_manual(struct store *st, const struct cfg_dataset *d,
			 struct dsload_report *rep)
{
	struct store_change ch = { .type = d->type, .create = 1,
				   .now = (int64_t)time(NULL) };

	if (store_change(st, d->name, &ch, &rep->stats, NULL, rep->err,
			 sizeof(rep->err)) < 0) {
		rep->stage = DSLOAD_STORE_FAILED;
		return -1;
	}
	return 0;
}

/* The store's note of how the last load went (dnsbl-ctl stats): a
 * failure is kept until a load succeeds.  Only information: a failure to
 * write it changes nothing else. */
static void dsload_note(struct store *st, const struct cfg_dataset *d,
			const struct dsload_report *rep)
{
	struct store_status s;

	if (rep->stage == DSLOAD_OK) {
		store_status_put(st, d->name, NULL, NULL, 0);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.time = (int64_t)time(NULL);
	s.kind = STORE_STATUS_LOAD;
	snprintf(s.message, sizeof(s.message), "%.500s", rep->err);
	store_status_put(st, d->name, &s, NULL, 0);
}

/* dsload_load's parse and write; the store's code, -1 when it stopped
 * before the write (rep->stage says where).  `delta`: an update may be
 * read from the lines that changed (dsdelta.h). */
static int dsload_parse_put(struct store *st, const struct cfg_dataset *d,
			    const struct dsload_options *o,
			    const struct feed_options *fo, int spend,
			    int delta, struct dsload_report *rep)
{
	struct feed_result res;
	struct dataset *ds = NULL;
	struct dsdelta *dl = dsdelta_begin(st, d);
	double t0, t1, t2;
	int rc;

	memset(&res, 0, sizeof(res));
	t0 = monoclock_now();
	if (delta && dsdelta_parse(dl, fo, &ds, &res) == 0) {
		rc = 0;
	} else {
		rc = feed_load(d->type, (const char *const *)d->files,
			       d->nfiles, fo, &ds, &res, rep->err,
			       sizeof(rep->err));
		if (rc == 0)
			dsdelta_full(dl, ds);
	}
	t1 = monoclock_now();
	rep->lines = res.lines;
	rep->warnings = res.warnings;
	rep->parse_s = t1 - t0;
	dsdelta_changed(dl, &rep->delta_removed, &rep->delta_added);
	if (rc < 0) {
		rep->stage = DSLOAD_PARSE_FAILED;
		feed_result_free(&res);
		dsdelta_free(dl);
		return -1;
	}
	if (!(o && o->accept) &&
	    shrink_guard_check(st, d, &res, (int64_t)time(NULL), rep->err,
			       sizeof(rep->err))) {
		rep->stage = DSLOAD_HELD;
		dataset_free(ds);
		feed_result_free(&res);
		dsdelta_free(dl);
		return -1;
	}
	ds->ip4_spendable = spend && !(ds->ip4_delta && ds->ip4_delta->update);
	rc = store_put_dataset(st, d->name, ds, res.sources, res.nsources,
			       &rep->stats, rep->err, sizeof(rep->err));
	t2 = monoclock_now();
	rep->write_s = t2 - t1;
	if (rc == 0 && dl)
		dsdelta_stored(dl, &res, &rep->stats);
	else if (rc == 0)
		dsdelta_forget(st, d->name);
	dataset_free(ds);
	feed_result_free(&res);
	dsdelta_free(dl);
	return rc;
}

static int dsload_load(struct store *st, const struct cfg_dataset *d,
		       const struct dsload_options *o, struct dsload_report *rep)
{
	struct feed_options fo = {
		.accept_host_bits = o ? o->accept_host_bits : 0,
		.no_gunzip = o ? o->no_gunzip : 0,
		.max_errors = d->max_errors,
		.log = o && o->log ? o->log : stderr,
		.max_logged = o ? o->max_logged : 0,
	};
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (d->manual)
		return dsload_manual(st, d, rep);
	/* The store gives a big dataset's entries back as it writes them;
	 * in the rare write it must then make again, it needs them parsed
	 * again (STORE_ESPENT).  An update read from its changed lines that
	 * does not fit what is stored is parsed whole (STORE_EDELTA). */
	for (int spend = 1, delta = 1;;) {
		rc = dsload_parse_put(st, d, o, &fo, spend, delta, rep);
		if (rc == STORE_ESPENT && spend)
			spend = 0;
		else if (rc == STORE_EDELTA && delta)
			delta = 0;
		else
			break;
		rep->err[0] = '\0';
	}
	if (rc < 0 && rep->stage == DSLOAD_OK)
		rep->stage = DSLOAD_STORE_FAILED;
	return rc < 0 ? -1 : 0;
}

int dsload_drop(struct store *st, const char *name, char *err, size_t errlen)
{
	int rc = store_drop_dataset(st, name, err, errlen);

	if (rc == 0 || rc == STORE_ENOTFOUND)
		dsdelta_forget(st, name);
	return rc;
}

int dsload_dataset(struct store *st, const struct cfg_dataset *d,
		   const struct dsload_options *o, struct dsload_report *rep)
{
	int r = dsload_load(st, d, o, rep);

	/* (A held load's status is the guard's: it keeps the hold's start.) */
	if (!d->manual && rep->stage != DSLOAD_HELD)
		dsload_note(st, d, rep);
	return r;
}

void dsload_summary(const struct cfg_dataset *d, const struct dsload_report *rep,
		    char *buf, size_t buflen)
{
	if (d->trap) {
		snprintf(buf, buflen, "%s: trap, %llu entries: listed by trap "
			 "hits (dnsbl-loader watch, dnsbl-loader hits)", d->name,
			 (unsigned long long)rep->stats.entries);
		return;
	}
	if (d->manual) {
		snprintf(buf, buflen, "%s: %s, manual, %llu entries: not loaded "
			 "(edit it with dnsbl-ctl)", d->name,
			 ds_type_name(d->type),
			 (unsigned long long)rep->stats.entries);
		return;
	}
	char changed[64] = "";

	if (rep->delta_removed || rep->delta_added)
		snprintf(changed, sizeof(changed), " of lines -%lu +%lu",
			 rep->delta_removed, rep->delta_added);
	snprintf(buf, buflen, "%s: %s, %lu lines, %llu entries, %lu warnings; "
		 "records +%llu -%llu =%llu; %.3f s (parse %.3f s%s, write "
		 "%.3f s)",
		 d->name, ds_type_name(d->type), rep->lines,
		 (unsigned long long)rep->stats.entries, rep->warnings,
		 (unsigned long long)rep->stats.added,
		 (unsigned long long)rep->stats.removed,
		 (unsigned long long)rep->stats.unchanged,
		 rep->parse_s + rep->write_s, rep->parse_s, changed,
		 rep->write_s);
}

void dsload_failure(const struct cfg_dataset *d, const char *cfgpath,
		    const struct dsload_report *rep, char *buf, size_t buflen)
{
	if (rep->stage == DSLOAD_HELD)
		snprintf(buf, buflen, "%s: HELD: %s; the stored version is "
			 "served", d->name, rep->err);
	else if (rep->stage == DSLOAD_STORE_FAILED)
		snprintf(buf, buflen, "%s: FAILED to store: %s; the stored "
			 "version is unchanged", d->name, rep->err);
	else if (d->line > 0)
		snprintf(buf, buflen, "%s: FAILED (%s:%d): %s; the stored "
			 "version is unchanged", d->name,
			 cfgpath ? cfgpath : "config", d->line, rep->err);
	else    /* no config line: a dataset of rbldnsd's command line */
		snprintf(buf, buflen, "%s: FAILED: %s; the stored version is "
			 "unchanged", d->name, rep->err);
}
