/* keys.h -- key-in-name zones: `<name>.<key>.<zone>` served only for
 * configured keys, as commercial DNSBL services run them.
 *
 * A zone with `keys:` takes the label in front of it as the customer's key.
 * A known key is stripped and the rest answered as usual; an unknown (or
 * revoked) one gets the zone's configured code (127.255.255.x, with a TXT)
 * or REFUSED.  Keys come from the config (`keys.list`) and a key file
 * (`keys.file`: one key a line, optionally followed by a name for the
 * counters; `#` comments), which the main thread re-reads within a second of
 * a change, with no restart.
 *
 * The query path reads an immutable key set through an atomic pointer: a
 * reload builds a new set and swaps it in; the old one is freed a minute
 * later, long after any query that could still read it.  Each key's
 * queries are counted (relaxed atomics), under its name, in
 * dnsbld_key_queries_total; counts survive reloads.
 */
#ifndef DNSBLD_KEYS_H
#define DNSBLD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"
#include "dns_packet.h"

struct keys;

/* The key sets of every `keys:` zone of `cfg` (which must outlive them), key
 * files read.  Returns 0 and *out (NULL when no zone has keys), or -1 with
 * `err` naming the file and line. */
int keys_new(const struct config *cfg, struct keys **out, char *err,
	     size_t errlen);
void keys_free(struct keys *k);

/* Re-reads changed key files once a second on `base` (the main loop).
 * 0, or -1 on out of memory. */
int keys_watch(struct keys *k, struct event_base *base);

enum keys_verdict {
	KEYS_NONE = 0,      /* the zone has no keys (or the name is its apex) */
	KEYS_OK,            /* a known key: strip it */
	KEYS_UNKNOWN        /* an unknown or revoked key */
};

/* Checks the key of query `q` in config zone `zone` (its stats_index),
 * `before` labels in front of the zone (the key the last of them), and
 * counts it.  `k` NULL: KEYS_NONE. */
enum keys_verdict keys_check(struct keys *k, int zone,
			     const struct dns_query *q, unsigned before);

/* The counters, in Prometheus text. */
void keys_metrics(struct keys *k, struct evbuffer *b);

#endif
