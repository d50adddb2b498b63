/* responder.h -- what one thread needs to answer queries: its store reader,
 * the zone plan built from it, answer scratch space and counters.
 *
 * Every thread that answers (each UDP thread, each TCP loop) owns one, so
 * the query path shares nothing and takes no lock.  The read snapshot is
 * kept from batch to batch while nothing is committed (renewing it is then
 * free, see lib/store_read.c) and released when the thread goes idle, so an
 * idle thread never pins old pages the loader could reuse.
 */
#ifndef DNSBLD_RESPONDER_H
#define DNSBLD_RESPONDER_H

#include <stdint.h>

#include "answer.h"
#include "config.h"
#include "query.h"
#include "store.h"
#include "zones.h"

struct responder {
	const struct config *cfg;
	const char *who;               /* for log lines: "worker 0 udp" */
	struct store_reader *rd;
	struct zone_plan plan;
	struct store_zones *zt;        /* the store's zone table the plan uses */
	int plan_ok;
	struct answer *ans;
	struct query_ctx qc;           /* qc.queries, qc.dropped: counters */
	unsigned renew_failures;
	struct zones_ttl ttl;          /* the config's TTL policy */
	int hide_version;              /* the config's version_bind */
	struct keys *keys;             /* key-in-name zones (keys.h), or NULL */
};

/* Creates the reader (released at once: an idle responder holds no
 * snapshot) and the scratch space.  `who` must outlive `r`.  Returns 0, or
 * -1 with a message in `err`. */
int responder_init(struct responder *r, const struct config *cfg,
		   struct store *st, const char *who, char *err, size_t errlen);

/* Before a batch of queries: takes the newest snapshot (keeping the one
 * held if nothing was committed since) and rebuilds the zone plan when the
 * store generation moved.  Returns 0, or -1: answer nothing this time. */
int responder_begin(struct responder *r);

/* Releases the read snapshot, and a store instance replaced by a
 * compaction (call when the thread is about to sleep, and now and then). */
void responder_idle(struct responder *r);

/* Frees what responder_init made. */
void responder_free(struct responder *r);

#endif
