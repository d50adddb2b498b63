/* load.c -- `dnsbl-loader load`: feed files -> one store transaction each.
 *
 * Every dataset is parsed completely in memory first (feed_load) and only
 * then written (store_put_dataset, one write transaction, as a diff), so a
 * missing file, a fatal structure error or too many bad lines fail that one
 * dataset before the store is touched, and the other datasets still load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "feed.h"
#include "loader.h"
#include "store.h"

/* mkdir -p: the store directory and its parents. */
static int load_mkdirs(const char *path, char *err, size_t errlen)
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

/* Loads one dataset; returns 0 or -1 (already reported). */
static int load_dataset(struct loader *ld, struct store *st,
			const struct cfg_dataset *d)
{
	struct feed_options fo = {
		.accept_host_bits = ld->accept_host_bits,
		.no_gunzip = ld->no_gunzip,
		.max_errors = d->max_errors,
		.log = stderr,
		.max_logged = ld->max_logged,
	};
	struct feed_result res;
	struct store_apply_stats stats;
	struct dataset *ds = NULL;
	char err[1024];
	double t0, t1, t2;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&stats, 0, sizeof(stats));
	t0 = loader_now();
	rc = feed_load(d->type, (const char *const *)d->files, d->nfiles, &fo,
		       &ds, &res, err, sizeof(err));
	t1 = loader_now();
	if (rc < 0) {
		fprintf(stderr, "%s: %s: FAILED (%s:%d): %s; the stored version "
			"is unchanged\n", ld->prog, d->name, ld->cfg->path,
			d->line, err);
		feed_result_free(&res);
		return -1;
	}
	rc = store_put_dataset(st, d->name, ds, res.sources, res.nsources,
			       &stats, err, sizeof(err));
	t2 = loader_now();
	if (rc < 0) {
		fprintf(stderr, "%s: %s: FAILED to store: %s; the stored version "
			"is unchanged\n", ld->prog, d->name, err);
	} else if (!ld->quiet) {
		printf("%s: %s, %lu lines, %llu entries, %lu warnings; records "
		       "+%llu -%llu =%llu; %.3f s (parse %.3f s, write %.3f s)\n",
		       d->name, ds_type_name(d->type), res.lines,
		       (unsigned long long)stats.entries, res.warnings,
		       (unsigned long long)stats.added,
		       (unsigned long long)stats.removed,
		       (unsigned long long)stats.unchanged, t2 - t0, t1 - t0,
		       t2 - t1);
		fflush(stdout);
	}
	dataset_free(ds);
	feed_result_free(&res);
	return rc < 0 ? -1 : 0;
}

int loader_cmd_load(struct loader *ld, int nargs, char **args)
{
	const struct config *cfg = ld->cfg;
	struct store *st = NULL;
	char err[1024];
	int failed = 0;

	if (loader_check_names(ld, nargs, args) < 0)
		return LOADER_EXIT_USAGE;
	if (load_mkdirs(cfg->store, err, sizeof(err)) < 0 ||
	    store_open(&st, cfg->store, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: store %s: %s\n", ld->prog, cfg->store, err);
		return LOADER_EXIT_FAILED;
	}
	if (nargs == 0) {
		for (size_t i = 0; i < cfg->ndatasets; i++)
			if (load_dataset(ld, st, &cfg->datasets[i]) < 0)
				failed++;
	} else {
		for (int i = 0; i < nargs; i++) {
			int seen = 0;

			/* A name given twice loads once. */
			for (int j = 0; j < i; j++)
				seen |= strcmp(args[i], args[j]) == 0;
			if (!seen &&
			    load_dataset(ld, st, config_dataset(cfg, args[i])) < 0)
				failed++;
		}
	}
	store_close(st);
	if (failed) {
		fprintf(stderr, "%s: %d dataset%s failed\n", ld->prog, failed,
			failed == 1 ? "" : "s");
		return LOADER_EXIT_FAILED;
	}
	return LOADER_EXIT_OK;
}
