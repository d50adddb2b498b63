/* query.h -- one query packet in, one reply packet out.
 *
 * Shared by the UDP and TCP paths: parse (lib/dns_packet), decide
 * (answer.c), encode (lib/dns_encode) with EDNS and truncation.  Uses only
 * the caller's buffers and answer scratch space: nothing is allocated.
 */
#ifndef DNSBLD_QUERY_H
#define DNSBLD_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "answer.h"
#include "config.h"
#include "store.h"
#include "zones.h"

struct querylog_buf;
struct qstats;
struct metrics_slot;
struct rrl;

struct query_ctx {
	const struct config *cfg;
	const struct zone_plan *plan;
	struct store_reader *rd;     /* renewed by the caller */
	struct answer *ans;          /* scratch, one per worker */
	uint64_t queries, dropped;   /* counters */
	/* rbldnsd mode (-l, -s): this thread's query log buffer and stats
	 * slot; NULL when off. */
	struct querylog_buf *qlog;
	struct qstats *stats;
	unsigned stats_slot;
	struct metrics_slot *metrics;  /* this thread's (metrics.h) */
	struct rrl *rrl;               /* UDP: rate_limit (rrl.h), or NULL */
	unsigned rrl_limited;          /* replies this thread rate limited */
};

/* Answers `len` bytes of `pkt` from `client` into `out` (`outcap` bytes,
 * at least 512).  Over UDP (`tcp` 0) the reply fits 512 bytes, or the
 * client's EDNS size clamped to [512, cfg->max_udp_size], setting TC when
 * the answer does not fit.  Returns the reply length, or 0 when nothing must
 * be sent (no header, a response, an acl that ignores the client). */
/* (After each reply, when set, the query is logged to c->qlog and counted
 * in c->stats, as rbldnsd's -l and -s do.) */
size_t query_respond(struct query_ctx *c, const uint8_t *pkt, size_t len,
		     const struct sockaddr *client, int tcp, uint8_t *out,
		     size_t outcap);

#endif
