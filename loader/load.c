/* load.c -- `dnsbl-loader load`: feed files -> one store transaction each.
 *
 * Every dataset is parsed completely in memory first and only then written
 * (lib/dsload.c: one write transaction, as a diff), so a missing file, a
 * fatal structure error or too many bad lines fail that one dataset before
 * the store is touched, and the other datasets still load.
 */
#include <stdio.h>
#include <string.h>

#include "dsload.h"
#include "loader.h"
#include "store.h"

/* Loads one dataset (lib/dsload.c); returns 0 or -1 (already reported). */
static int load_dataset(struct loader *ld, struct store *st,
			const struct cfg_dataset *d)
{
	struct dsload_options o = {
		.accept_host_bits = ld->accept_host_bits,
		.no_gunzip = ld->no_gunzip,
		.max_logged = ld->max_logged,
		.log = stderr,
	};
	struct dsload_report rep;
	char line[2048];

	if (dsload_dataset(st, d, &o, &rep) < 0) {
		dsload_failure(d, ld->cfg->path, &rep, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", ld->prog, line);
		return -1;
	}
	if (!ld->quiet) {
		dsload_summary(d, &rep, line, sizeof(line));
		printf("%s\n", line);
		fflush(stdout);
	}
	return 0;
}

int loader_cmd_load(struct loader *ld, int nargs, char **args)
{
	const struct config *cfg = ld->cfg;
	struct storeadmin sa = loader_admin(ld);
	struct store *st = NULL;
	char err[1024];
	int failed = 0;

	if (storeadmin_check_names(&sa, nargs, args) < 0)
		return LOADER_EXIT_USAGE;
	if (dsload_open_store(cfg->store, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
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
	/* The zone table goes with every load, so a server that follows the
	 * store's zones sees the config's (unchanged tables write nothing). */
	if (store_put_zones(st, cfg->zones, cfg->nzones, NULL, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "%s: zones: FAILED to store the zone table: %s\n",
			ld->prog, err);
		failed++;
	}
	/* LMDB keeps the pages a write transaction dirtied for reuse until the
	 * environment closes (about the store's size after a big update), so
	 * the compaction starts from a freshly opened store. */
	store_close(st);
	if (dsload_open_store(cfg->store, &st, err, sizeof(err)) == 0) {
		storeadmin_compact_if_bloated(&sa, st);
		store_close(st);
	}
	if (failed) {
		fprintf(stderr, "%s: %d dataset%s failed\n", ld->prog, failed,
			failed == 1 ? "" : "s");
		return LOADER_EXIT_FAILED;
	}
	return LOADER_EXIT_OK;
}
