/* compact.c -- `dnsbl-loader compact`: give the store's unused space back.
 *
 * `load`, `drop` and `watch` compact on their own when a quarter of the
 * store file is free (lib/store_compact.c); this command does it now, e.g.
 * after dropping a big dataset, and says how big the store was and is.
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "store.h"

int loader_cmd_compact(struct loader *ld, int nargs, char **args)
{
	struct store_compact_stats cs;
	struct store *st = NULL;
	char err[1024], line[256];
	int rc;

	(void)args;
	if (nargs != 0) {
		fprintf(stderr, "%s: compact takes no dataset names\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	st = loader_open_existing(ld);
	if (!st)
		return LOADER_EXIT_FAILED;
	rc = store_compact(st, &cs, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: store: FAILED to compact: %s\n", ld->prog, err);
		return LOADER_EXIT_FAILED;
	}
	if (!ld->quiet) {
		store_compact_describe(&cs, line, sizeof(line));
		printf("%s\n", line);
	}
	return LOADER_EXIT_OK;
}

void loader_compact_if_bloated(struct loader *ld, struct store *st)
{
	struct store_compact_stats cs;
	char err[1024], line[256];
	int rc = store_compact_if_bloated(st, &cs, err, sizeof(err));

	if (rc < 0) {
		/* The data is stored and served: only space is not returned. */
		fprintf(stderr, "%s: store: could not compact (the data is "
			"stored): %s\n", ld->prog, err);
	} else if (rc > 0 && !ld->quiet) {
		store_compact_describe(&cs, line, sizeof(line));
		printf("%s\n", line);
	}
}
