/* metrics.h -- per-thread query counters and the Prometheus endpoint.
 *
 * Every responder (UDP thread, TCP loop) counts into a slot of its own with
 * relaxed single-writer stores, so counting takes no lock and no locked
 * instruction on the query path; a scrape sums the slots on the main
 * thread.  The per-zone counts come from the rbldnsd stats (lib/qstats),
 * which are always kept; these add what rbldnsd's stats lack: query types,
 * rcodes, transports, listed or not, truncation.
 */
#ifndef DNSBLD_METRICS_H
#define DNSBLD_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

enum metrics_qtype { MQ_A, MQ_AAAA, MQ_TXT, MQ_ANY, MQ_SOA, MQ_NS, MQ_MX,
	MQ_PTR, MQ_OTHER, MQ_N };
enum metrics_rcode { MR_NOERROR, MR_FORMERR, MR_SERVFAIL, MR_NXDOMAIN,
	MR_NOTIMP, MR_REFUSED, MR_OTHER, MR_N };
/* The answer to a query inside a zone, below its apex: a listing or not. */
enum metrics_result { MRES_NONE = -1, MRES_UNLISTED = 0, MRES_LISTED = 1 };

/* One thread's counters, a cache line apart from the next thread's.
 * Only _Atomic uint64_t fields, one after the other: metrics.c sums them
 * by offset. */
struct metrics_slot {
	_Atomic uint64_t qtype[MQ_N];
	_Atomic uint64_t rcode[MR_N];
	_Atomic uint64_t transport[2];     /* udp, tcp */
	_Atomic uint64_t result[2];        /* unlisted, listed */
	_Atomic uint64_t truncated;
	_Atomic uint64_t access[5];        /* by CFG_ACCESS_* (access.h) */
	_Atomic uint64_t rrl[2];           /* rate limited: slipped, dropped */
	_Atomic uint64_t tcp_refused[2];   /* connections over the total cap,
	                                      over the per-client cap */
	_Atomic uint64_t tcp_query_timeouts; /* half-sent queries closed */
} __attribute__((aligned(64)));

static inline void metrics_bump(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* Counts one reply in `m` (NULL: counting is off). */
static inline void metrics_count(struct metrics_slot *m, uint16_t qtype,
				 unsigned rcode, int tcp,
				 enum metrics_result result, int truncated)
{
	static const uint8_t by_rcode[16] = { MR_NOERROR, MR_FORMERR,
		MR_SERVFAIL, MR_NXDOMAIN, MR_NOTIMP, MR_REFUSED, MR_OTHER,
		MR_OTHER, MR_OTHER, MR_OTHER, MR_OTHER, MR_OTHER, MR_OTHER,
		MR_OTHER, MR_OTHER, MR_OTHER };
	enum metrics_qtype t;

	if (!m)
		return;
	switch (qtype) {
	case 1: t = MQ_A; break;
	case 28: t = MQ_AAAA; break;
	case 16: t = MQ_TXT; break;
	case 255: t = MQ_ANY; break;
	case 6: t = MQ_SOA; break;
	case 2: t = MQ_NS; break;
	case 15: t = MQ_MX; break;
	case 12: t = MQ_PTR; break;
	default: t = MQ_OTHER; break;
	}
	metrics_bump(&m->qtype[t]);
	metrics_bump(&m->rcode[by_rcode[rcode & 15]]);
	metrics_bump(&m->transport[tcp ? 1 : 0]);
	if (result != MRES_NONE)
		metrics_bump(&m->result[result]);
	if (truncated)
		metrics_bump(&m->truncated);
}

struct dnsbld;
/* Binds the endpoint of cfg->metrics on the main loop (before privileges
 * are dropped: the port may be below 1024).  0, or -1 logged. */
int metrics_start(struct dnsbld *d);
/* Closes it (NULL-safe on a server that never started it). */
void metrics_stop(struct dnsbld *d);

#endif
