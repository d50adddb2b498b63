/* answer.h -- the ONE place that decides what a query gets.
 *
 * Input: a parsed query, the client address, the worker's zone plan and
 * store reader.  Output: a `struct answer` -- rcode, AA, the answer records
 * (already deduplicated, one TTL per type), and which apex records go where.
 * Turning it into bytes (and truncation) is query.c's job, so every rule of
 * the issue lives here and nowhere else.
 */
#ifndef DNSBLD_ANSWER_H
#define DNSBLD_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns_packet.h"
#include "store.h"
#include "zones.h"

#define ANSWER_MAX_RR 255          /* as rbldnsd */
#define ANSWER_ARENA 65536
#define ANSWER_TEST_TXT "RFC 5782 test point"

/* One record of the answer section; its owner is the question name. */
struct answer_rr {
	uint16_t type;
	uint8_t rel;       /* MX: target relative to the zone */
	uint32_t ttl;
	uint32_t off;      /* rdata in answer.arena */
	uint16_t len;
};

struct answer {
	int drop;                 /* send nothing (acl ignore) */
	int access;               /* the `access` rule's CFG_ACCESS_* action,
	                             -1: no rule matched */
	uint8_t rcode;
	int aa;
	uint16_t rclass;          /* class of the records written */
	const struct zp_zone *zone; /* NULL outside every zone */
	unsigned before;          /* labels of the question before the zone */

	size_t nrr;
	struct answer_rr rr[ANSWER_MAX_RR];
	int soa_answer;           /* apex SOA in ANSWER */
	int ns_answer;            /* apex NS RRset in ANSWER */
	int soa_authority;        /* negative answer: SOA in AUTHORITY */

	size_t arena_used;
	uint8_t arena[ANSWER_ARENA];
};

/* Decides the answer to well-formed query `q` from `client` into `a`
 * (caller-owned, reused; nothing is allocated).  `rd` must be renewed. */
void answer_decide(struct answer *a, const struct zone_plan *plan,
		   struct store_reader *rd, const struct dns_query *q,
		   const struct sockaddr *client);

#endif
