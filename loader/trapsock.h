/* trapsock.h -- the spam-trap hit listeners of `dnsbl-loader watch`
 * (trapsock.c): a UNIX socket, a TCP port and a log file (traptail.c) per
 * trap dataset. */
#ifndef DNSBLD_TRAPSOCK_H
#define DNSBLD_TRAPSOCK_H

#include <stddef.h>

#include "config.h"

struct event_base;
struct store;
struct trapsock;
struct trap_ingest_stats;
struct rdns_stats;

/* How the listeners report: failure lines go to stderr, others stdout. */
typedef void (*trapsock_say_fn)(void *arg, int failure, const char *msg);

/* Opens the listeners of every trap dataset of `cfg` that has `socket`,
 * `listen` or `tail`, in `base`, committing into `st` (cfg must outlive
 * them), and follows cfg->path: when a trap dataset's settings change
 * there, the listeners restart with the new ones (their connections are
 * dropped).  Returns how many datasets listen (0: none), or -1 with err
 * set (nothing left open). */
int trapsock_start(struct trapsock **out, struct event_base *base,
		   struct store *st, const struct config *cfg,
		   trapsock_say_fn say, void *arg, char *err, size_t errlen);

/* Closes every connection and listener (removing the socket files) and
 * commits the hits still in memory. */
void trapsock_free(struct trapsock *ts);

/* Calls fn(arg, dataset, its counters, its rDNS counts or NULL when it
 * has no `rdns`) for each trap dataset. */
void trapsock_report(const struct trapsock *ts,
		     void (*fn)(void *arg, const char *dataset,
				const struct trap_ingest_stats *s,
				const struct rdns_stats *rs),
		     void *arg);

#endif
