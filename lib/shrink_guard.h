/* shrink_guard.h -- hold a feed update that would delist most of a dataset.
 *
 * An upstream that serves an empty or cut file still parses cleanly, and
 * loading it would delist everything at once.  Before a load is written,
 * the guard compares its entry count with the stored one: a version that
 * removes more than the dataset's `max_shrink` share (default 50%) of at
 * least SHRINK_GUARD_MIN_ENTRIES stored entries is held
 * -- not written, logged, the stored version served -- until the operator
 * accepts it (`dnsbl-ctl accept DATASET`, which loads it without the
 * guard), or until the same version (the same file contents) has been
 * seen for `shrink_hold`.  The hold's start and the version's identity are
 * kept in the dataset's status record (store_status_put), so one-shot
 * `dnsbl-loader load` runs from cron count the hold time too, and
 * `dnsbl-ctl stats` shows it.
 */
#ifndef DNSBLD_SHRINK_GUARD_H
#define DNSBLD_SHRINK_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

struct feed_result;

/* Smaller datasets are not guarded: a hand-kept list of a few entries
 * may well halve in one edit. */
#define SHRINK_GUARD_MIN_ENTRIES 100

/* Decides whether the parsed version of dataset `d` (`res`: its entry
 * count and its files' identity) may be written at time `now`.  Returns 0
 * to write it, or 1 to hold it, with `why` saying so (the counts, since
 * when, and how to accept it); a held version's status record is written
 * here.  Errors reading the store let the load through (0). */
int shrink_guard_check(struct store *st, const struct cfg_dataset *d,
		       const struct feed_result *res, int64_t now, char *why,
		       size_t whylen);

#endif
