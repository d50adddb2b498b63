/* dnsbl_ctl_check.c -- dnsbl-ctl check: does the store agree with itself?
 *
 * Opens the store read-only and runs lib/store_check.c over one snapshot:
 * the metadata against the records (names, entry counts), every address
 * dataset's interval map against what its source entries derive, answer
 * references, records of no dataset.  One line per problem; exit 1 if
 * there is any, so it fits a cron job or a monitoring probe.
 */
#include "dnsbl_ctl.h"

static void check_report(void *arg, const char *dataset, const char *problem)
{
	const struct ctl *c = arg;

	printf("%s: %s%s%s\n", c->prog, dataset ? dataset : "store",
	       ": ", problem);
}

int ctl_check(struct ctl *c, int argc, char **argv)
{
	struct store_reader *rd;
	struct store *st;
	int ex, n;

	if (ctl_operands(c, argc, argv, 0, 0, &ex) < 0)
		return ex;
	st = ctl_open_read(c, &rd);
	if (!st)
		return CTL_EXIT_FAILED;
	n = store_check(rd, check_report, c);
	store_reader_free(rd);
	store_close(st);
	if (n < 0) {
		fprintf(stderr, "%s: check: the store could not be read (%d)\n",
			c->prog, n);
		return CTL_EXIT_FAILED;
	}
	if (n > 0) {
		printf("%s: %s: %d problem%s found\n", c->prog, c->cfg->store, n,
		       n == 1 ? "" : "s");
		return CTL_EXIT_FAILED;
	}
	if (!c->quiet)
		printf("%s: %s: ok: the metadata matches the data\n", c->prog,
		       c->cfg->store);
	return CTL_EXIT_OK;
}
