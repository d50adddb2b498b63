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

#include "dsload.h"

static struct store *ship_open(const struct ctl *c)
{
	struct store *st = NULL;
	char err[1024];

	if (dsload_open_store(c->cfg->store, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return NULL;
	}
	return st;
}

/* `ship DIR`: a packed copy of the store as DIR/data.mdb. */
int ctl_ship(struct ctl *c, int argc, char **argv)
{
	struct store_ship_stats ss;
	struct store *st;
	char err[1024];
	int i, ex, rc;

	i = ctl_operands(c, argc, argv, 1, 1, &ex);
	if (i < 0)
		return ex;
	st = ship_open(c);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = store_ship(st, argv[i], &ss, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: ship: FAILED: %s\n", c->prog, err);
		return CTL_EXIT_FAILED;
	}
	if (!c->quiet)
		printf("shipped %s/data.mdb: %.1f MB, generation %llu, "
		       "in %.2f s\n", argv[i], (double)ss.bytes / 1e6,
		       (unsigned long long)ss.generation, ss.seconds);
	return CTL_EXIT_OK;
}

/* `adopt FILE`: the store becomes the copy in FILE. */
int ctl_adopt(struct ctl *c, int argc, char **argv)
{
	struct store_ship_stats ss;
	struct store *st;
	char err[1024];
	int i, ex, rc;

	i = ctl_operands(c, argc, argv, 1, 1, &ex);
	if (i < 0)
		return ex;
	st = ship_open(c);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = store_adopt(st, argv[i], &ss, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: adopt: FAILED: %s; the store is "
			"unchanged\n", c->prog, err);
		return CTL_EXIT_FAILED;
	}
	if (!c->quiet)
		printf("adopted %s as %s/v%u: %.1f MB, generation %llu, "
		       "in %.2f s\n", argv[i], c->cfg->store, ss.instance,
		       (double)ss.bytes / 1e6,
		       (unsigned long long)ss.generation, ss.seconds);
	return CTL_EXIT_OK;
}
