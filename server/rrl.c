/* rrl.c -- response rate limiting: a lock-free table of per-prefix budgets.
 *
 * A bucket word: tag (24 bits, from the key's hash) | second (16 bits, the
 * monotonic clock's, wrapping) | units spent in that second (24 bits).  A
 * reply whose bucket holds another tag or an older second starts it over.
 * The window is a fixed second: a client at the rate or below is never
 * limited; above it, what exceeds the rate within each second is.
 */
#include "rrl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "acl.h"

#define RRL_UNITS_MAX 0xffffffu

struct rrl {
	const struct config *cfg;
	uint64_t seed;
	uint64_t mask;
	_Atomic uint64_t *b;
};

struct rrl *rrl_new(const struct config *cfg, int *oom)
{
	struct rrl *r;
	int any = cfg->rrl.present && cfg->rrl.rate;

	*oom = 0;
	for (size_t i = 0; i < cfg->nzones && !any; i++)
		any = cfg->zones[i].rrl.present && cfg->zones[i].rrl.rate;
	if (!any)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r)
		r->b = calloc(cfg->rrl.buckets, sizeof(*r->b));
	if (!r || !r->b) {
		free(r);
		*oom = 1;
		return NULL;
	}
	r->cfg = cfg;
	r->mask = cfg->rrl.buckets - 1;
	if (getrandom(&r->seed, sizeof(r->seed), 0) != sizeof(r->seed))
		r->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
	return r;
}

void rrl_free(struct rrl *r)
{
	if (!r)
		return;
	free(r->b);
	free(r);
}

/* A 64-bit mix (splitmix64's finaliser). */
static uint64_t rrl_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The hash of the client's prefix in zone `zone`. */
static uint64_t rrl_key(const struct rrl *r, const struct sockaddr *client,
			int zone)
{
	uint8_t addr[16];
	int family = acl_client_addr(client, addr);
	unsigned plen = family == 4 ? r->cfg->rrl.ipv4_prefix
				    : r->cfg->rrl.ipv6_prefix;
	uint64_t hi, lo;

	/* Host bits off: the prefix is what is counted. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = plen > i * 8 ? plen - i * 8 : 0;

		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	memcpy(&hi, addr, 8);
	memcpy(&lo, addr + 8, 8);
	return rrl_mix(r->seed ^ rrl_mix(hi ^ (uint64_t)family << 60) ^
		       rrl_mix(lo + (uint64_t)(int64_t)zone));
}

enum rrl_verdict rrl_check(struct rrl *r, const struct sockaddr *client,
			   int zone, size_t len, unsigned *limited)
{
	const struct config *cfg = r->cfg;
	const struct cfg_rrl *lim = &cfg->rrl;
	struct timespec ts;
	uint64_t h, tag, sec, old, neu, units = 0;
	unsigned cost;
	_Atomic uint64_t *b;

	if (zone >= 0 && (size_t)zone < cfg->nzones &&
	    cfg->zones[zone].rrl.present)
		lim = &cfg->zones[zone].rrl;
	if (!lim->present || !lim->rate || !client)
		return RRL_SEND;
	cost = (unsigned)((len + cfg->rrl.cost_bytes - 1) / cfg->rrl.cost_bytes);
	if (!cost)
		cost = 1;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	sec = (uint64_t)ts.tv_sec & 0xffff;
	h = rrl_key(r, client, zone);
	tag = h >> 40;
	b = &r->b[h & r->mask];
	old = atomic_load_explicit(b, memory_order_relaxed);
	/* A few tries; a bucket that busy is being flooded anyway, so the
	 * last reading decides without being written. */
	for (int tries = 0; tries < 4; tries++) {
		units = cost;
		if (old >> 40 == tag && (old >> 24 & 0xffff) == sec)
			units += old & RRL_UNITS_MAX;
		if (units > RRL_UNITS_MAX)
			units = RRL_UNITS_MAX;
		neu = tag << 40 | sec << 24 | units;
		if (atomic_compare_exchange_weak_explicit(b, &old, neu,
							  memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	if (units <= lim->rate)
		return RRL_SEND;
	++*limited;
	if (lim->slip && *limited % lim->slip == 0)
		return RRL_SLIP;
	return RRL_DROP;
}
