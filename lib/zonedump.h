/* zonedump.h -- rbldnsd's -d: every zone as a BIND master file.
 *
 * Output mirrors Debian's rbldnsd 1.0~20210120 (`rbldnsd -d`): a header
 * comment, then per zone and dataset `$ORIGIN<TAB>zone.`, the zone's SOA
 * and NS (once per zone), `$TTL n` and the records: address entries as
 * reversed names, ranges as `*.x.y` wildcards, exclusions as
 * `CNAME excluded`, TXT templates expanded with the first address of each
 * name.  Documented differences: see docs/MIGRATING.md ("-d").
 */
#ifndef DNSBLD_ZONEDUMP_H
#define DNSBLD_ZONEDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "store.h"

struct zonedump_options {
	uint32_t ttl_default;   /* rbldnsd -t def (2100 if 0) */
	uint32_t ttl_min, ttl_max; /* 0 = no clamp */
	time_t now;             /* for the header comment */
	const char *version;    /* the header's second line: "; <version>" */
};

/* Writes the zones of `cfg` (its order), read from `rd`'s snapshot, to
 * `out`.  acl datasets are not dumped (rbldnsd does not either).  Returns
 * 0, or -1 with `err` naming the zone/dataset and why (e.g. a dataset that
 * is not in the store). */
int zonedump_write(FILE *out, const struct config *cfg,
		   struct store_reader *rd, const struct zonedump_options *o,
		   char *err, size_t errlen);

#endif
