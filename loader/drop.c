/* drop.c -- `dnsbl-loader drop DATASET...`: remove datasets from the store.
 *
 * A dataset taken out of the config stays in the store (show lists it as
 * "[not in the config]") until it is dropped, so removing one is an explicit
 * act, each in its own transaction.  Names need not be in the config.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "store.h"

int loader_cmd_drop(struct loader *ld, int nargs, char **args)
{
	struct store *st = NULL;
	char err[1024];
	int failed = 0;

	if (nargs == 0) {
		fprintf(stderr, "%s: drop: name the datasets to remove\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	st = loader_open_existing(ld);
	if (!st)
		return LOADER_EXIT_FAILED;
	for (int i = 0; i < nargs; i++) {
		int rc = store_drop_dataset(st, args[i], err, sizeof(err));

		if (rc == STORE_ENOTFOUND) {
			fprintf(stderr, "%s: %s: not in the store\n", ld->prog, args[i]);
			failed++;
		} else if (rc < 0) {
			fprintf(stderr, "%s: %s: FAILED to drop: %s\n", ld->prog,
				args[i], err);
			failed++;
		} else if (!ld->quiet) {
			printf("%s: dropped\n", args[i]);
		}
	}
	loader_compact_if_bloated(ld, st);
	store_close(st);
	return failed ? LOADER_EXIT_FAILED : LOADER_EXIT_OK;
}
