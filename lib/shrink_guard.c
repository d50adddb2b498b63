/* shrink_guard.c -- a load removing most of a dataset waits to be accepted.
 *
 * See shrink_guard.h.  The status record of a held load is an ordinary
 * failed-load status (kind LOAD, not ok) whose time is when the hold began
 * and whose message ends with the held version's identity, "[version
 * HEX]" (a hash of its files' hashes): a different version starts the
 * hold over, the same one keeps its start.
 */
#include "shrink_guard.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "feed.h"

#define SHRINK_TAG "[version "

/* The identity of a version: its files' hashes, in order. */
static uint64_t shrink_version(const struct feed_result *res)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < res->nsources; i++) {
		h ^= res->sources[i].hash;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The stored entry count and, when the last load was held, its version
 * and since when.  -1 if the dataset is not stored (or cannot be read). */
static int shrink_stored(struct store *st, const char *name, uint64_t *entries,
			 uint64_t *held, int64_t *since)
{
	struct store_reader *rd = NULL;
	struct store_dsmeta *m = NULL;
	struct store_status s;
	const char *tag;
	int rc = -1;

	*held = 0;
	*since = 0;
	if (store_reader_new(st, &rd) != 0)
		return -1;
	if (store_dataset_meta(rd, name, &m) == 0) {
		*entries = m->entries;
		rc = 0;
		if (store_status_get(rd, name, &s) == 0 &&
		    s.kind == STORE_STATUS_LOAD && !s.ok &&
		    (tag = strstr(s.message, SHRINK_TAG)) != NULL &&
		    sscanf(tag + strlen(SHRINK_TAG), "%" SCNx64, held) == 1)
			*since = s.time;
		store_dsmeta_free(m);
	}
	store_reader_free(rd);
	return rc;
}

int shrink_guard_check(struct store *st, const struct cfg_dataset *d,
		       const struct feed_result *res, int64_t now, char *why,
		       size_t whylen)
{
	uint64_t old, version = shrink_version(res), held;
	uint64_t now_entries = res->entries;
	int64_t since;
	struct store_status s;
	char until[96] = "", when[32];
	time_t t;
	struct tm tm;

	if (!d->max_shrink || d->manual || d->trap)
		return 0;
	if (shrink_stored(st, d->name, &old, &held, &since) < 0 ||
	    old < SHRINK_GUARD_MIN_ENTRIES ||
	    now_entries >= old ||
	    (old - now_entries) * 100 <= (uint64_t)d->max_shrink * old)
		return 0;
	if (held != version || since <= 0 || since > now)
		since = now;
	if (d->shrink_hold && now - since >= (int64_t)d->shrink_hold)
		return 0;      /* it stayed so long enough: it is meant */
	if (d->shrink_hold)
		snprintf(until, sizeof(until), ", or once it has stayed so for "
			 "%" PRIu32 " s (%" PRId64 " s to go)", d->shrink_hold,
			 (int64_t)d->shrink_hold - (now - since));
	t = (time_t)since;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(why, whylen, "the new version has %" PRIu64 " entries, "
		 "%" PRIu64 " fewer than the %" PRIu64 " stored (more than "
		 "max_shrink %u%%), seen since %s; it is applied by "
		 "`dnsbl-ctl accept %s`%s " SHRINK_TAG "%016" PRIx64 "]",
		 now_entries, old - now_entries, old, d->max_shrink, when,
		 d->name, until, version);
	memset(&s, 0, sizeof(s));
	s.time = since;
	s.kind = STORE_STATUS_LOAD;
	s.entries = now_entries;
	snprintf(s.message, sizeof(s.message), "%s", why);
	store_status_put(st, d->name, &s, NULL, 0);
	return 1;
}
