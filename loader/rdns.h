/* rdns.h -- a trap dataset's reverse-DNS lookups in the loader's event
 * loop (rdns.c): c-ares driven by libevent. */
#ifndef DNSBLD_RDNS_H
#define DNSBLD_RDNS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct trap_ingest;
struct rdns;

struct rdns_stats {
	uint64_t started;        /* lookups begun */
	uint64_t confirmed, mismatch, noptr, timeout, failure;
	uint64_t dropped;        /* wanted while RDNS_MAX_LOOKUPS were busy
	                            (looked up on a later hit) */
};

/* The lookups of trap dataset `t` (t->rdns set), fed the senders that
 * ingest `ti` wants looked up (trap_ingest_on_want_rdns) and handing it
 * each outcome (trap_ingest_rdns), in `base`; asks t->resolver, else the
 * servers of /etc/resolv.conf.  NULL with err on failure. */
struct rdns *rdns_new(struct event_base *base, struct trap_ingest *ti,
		      const struct cfg_trap *t, char *err, size_t errlen);

/* The counts of the lookups so far. */
const struct rdns_stats *rdns_stats(const struct rdns *r);

/* Cancels the lookups in flight (their outcomes are not recorded; the
 * senders are looked up again on their next hit) and frees it.  NULL is
 * fine. */
void rdns_free(struct rdns *r);

/* Lookups wanted or in flight whose outcome is not known yet (each ends
 * within rdns_timeout of its start). */
size_t rdns_pending(const struct rdns *r);

/* "; rdns: N looked up: N confirmed, N mismatch, N no PTR, N timeout, N
 * failure, N dropped" into out (watch's and hits' summary lines). */
void rdns_describe(const struct rdns *r, char *out, size_t len);

#endif
