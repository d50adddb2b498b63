/* dnsbl_ctl_accept.c -- `dnsbl-ctl accept DATASET`: apply a held load.
 *
 * The shrink guard (lib/shrink_guard.h) holds a load that would remove
 * more than `max_shrink` of a dataset's entries.  accept is the operator
 * saying the files are right: it loads the dataset from its files now, as
 * `dnsbl-loader load DATASET` would, but without the guard, in one
 * transaction served at once.  A running `dnsbl-loader watch` then finds
 * the stored version matching the files and has nothing left to do.
 */
#include <stdio.h>

#include "dnsbl_ctl.h"
#include "dsload.h"

int ctl_accept(struct ctl *c, int argc, char **argv)
{
	const struct cfg_dataset *d;
	struct dsload_options o = { .log = stderr, .accept = 1 };
	struct dsload_report rep;
	struct store *st;
	char line[2048];
	int ex, i = ctl_operands(c, argc, argv, 1, 1, &ex);

	if (i < 0)
		return ex;
	if (!(d = ctl_dataset(c, argv[i])))
		return CTL_EXIT_USAGE;
	if (d->manual) {
		fprintf(stderr, "%s: %s is edited by hand, not loaded from "
			"files: nothing to accept\n", c->prog, d->name);
		return CTL_EXIT_FAILED;
	}
	if (!(st = ctl_open_write(c)))
		return CTL_EXIT_FAILED;
	if (dsload_dataset(st, d, &o, &rep) < 0) {
		dsload_failure(d, c->cfg->path, &rep, line, sizeof(line));
		fprintf(stderr, "%s: %s\n", c->prog, line);
		store_close(st);
		return CTL_EXIT_FAILED;
	}
	if (!c->quiet) {
		dsload_summary(d, &rep, line, sizeof(line));
		printf("accepted: %s\n", line);
	}
	store_close(st);
	return CTL_EXIT_OK;
}
