/* xfr_plan.h -- the names of a zone transfer, in the order they are sent.
 *
 * Which names a secondary needs so that DNS wildcards answer every address
 * as dnsbld does (ranges as wildcards at label boundaries, the differing
 * children named, unlisted ones inside a wildcard as CNAMEs), and the dnset
 * and generic names.  What each name holds is dnsbld's answer (xfr.c asks
 * answer.c), so this file only decides structure.
 */
#ifndef DNSBLD_XFR_PLAN_H
#define DNSBLD_XFR_PLAN_H

#include <stdint.h>

#include "dname.h"
#include "store.h"
#include "zones.h"

enum xfr_item_kind {
	XFR_ITEM_ANSWER,   /* the records of `ask`'s answer, at `owner` */
	XFR_ITEM_CNAME,    /* `owner` CNAME excluded.<zone> */
	XFR_ITEM_NAME      /* a dnset/generic name: its own records; with none
	                      and `leaf`, a CNAME if its parent's wildcard
	                      would answer it */
};

struct xfr_item {
	enum xfr_item_kind kind;
	uint8_t owner[DNAME_MAX];   /* relative to the zone */
	uint8_t ask[DNAME_MAX];     /* relative; an address inside a wildcard */
	int leaf;                   /* XFR_ITEM_NAME: no name below it */
};

struct xfr_plan;

/* Collects the structure of zone `z` from `rd`'s snapshot (which must stay
 * the same until xfr_plan_free).  NULL on out of memory or a store error. */
struct xfr_plan *xfr_plan_new(const struct zp_zone *z, struct store_reader *rd);

/* The next name: 1 and *it, or 0 when every name was given. */
int xfr_plan_next(struct xfr_plan *p, struct xfr_item *it);

void xfr_plan_free(struct xfr_plan *p);

#endif
