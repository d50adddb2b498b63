/* dnsbl_ctl_ship.c -- ship and adopt: copies of the whole store for
 * mirrors that take the primary's data instead of zone transfers.
 *
 * On the primary, `ship DIR` writes a packed copy of one snapshot to
 * DIR/data.mdb (renamed in whole); rsync carries it to the mirror, where
 * `adopt FILE` makes it the mirror store's data and every dnsbld reading
 * that store moves over at its next snapshot (lib/store_ship.c).
 */
#include "dnsbl_ctl.h"

#include <stdio.h>

/* `ship DIR` (adopt 0) or `adopt FILE` (adopt 1). */
static int ship_run(struct ctl *c, int argc, char **argv, int adopt)
{
	struct store_ship_stats ss;
	struct store *st;
	char err[1024];
	int i, ex, rc;

	i = ctl_operands(c, argc, argv, 1, 1, &ex);
	if (i < 0)
		return ex;
	st = ctl_open_write(c);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = adopt ? store_adopt(st, argv[i], &ss, err, sizeof(err))
		   : store_ship(st, argv[i], &ss, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: %s: FAILED: %s%s\n", c->prog, argv[0], err,
			adopt ? "; the store is unchanged" : "");
		return CTL_EXIT_FAILED;
	}
	if (c->quiet)
		return CTL_EXIT_OK;
	if (adopt)
		printf("adopted %s as %s/v%u", argv[i], c->cfg->store,
		       ss.instance);
	else
		printf("shipped %s/data.mdb", argv[i]);
	printf(": %.1f MB, generation %llu, in %.2f s\n",
	       (double)ss.bytes / 1e6, (unsigned long long)ss.generation,
	       ss.seconds);
	return CTL_EXIT_OK;
}

int ctl_ship(struct ctl *c, int argc, char **argv)
{
	return ship_run(c, argc, argv, 0);
}

int ctl_adopt(struct ctl *c, int argc, char **argv)
{
	return ship_run(c, argc, argv, 1);
}
