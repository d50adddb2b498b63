/* dnsbl_web_limit.c -- dnsbl-web's rate limit: requests per client.
 *
 * A token bucket per client address: `per_minute` requests at once, then
 * one more every 60/per_minute seconds.  The table has a fixed number of
 * slots (no growth under a flood of addresses): a new client takes the
 * slot of the one seen longest ago, so a flood can only make the limit
 * forget, never use memory.
 */
#include "dnsbl_web.h"

#include <stdlib.h>
#include <string.h>

#define LIMIT_SLOTS 4096

struct limit_slot {
	char client[64];
	double tokens;
	uint64_t seen_ms;
};

struct web_limit {
	unsigned per_minute;
	struct limit_slot *slots;
};

struct web_limit *web_limit_new(unsigned per_minute)
{
	struct web_limit *l = calloc(1, sizeof(*l));

	if (!l || !(l->slots = calloc(LIMIT_SLOTS, sizeof(*l->slots)))) {
		free(l);
		return NULL;
	}
	l->per_minute = per_minute ? per_minute : 1;
	return l;
}

void web_limit_free(struct web_limit *l)
{
	if (l)
		free(l->slots);
	free(l);
}

/* FNV-1a of the address: the slot to look in first. */
static size_t limit_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

int web_limit_take(struct web_limit *l, const char *client, uint64_t now_ms,
		   unsigned *retry_s)
{
	/* Eight slots from the hash: the client's, or the oldest of them. */
	size_t h = limit_hash(client), pick = h % LIMIT_SLOTS;
	double rate = l->per_minute / 60000.0;   /* tokens per ms */
	struct limit_slot *s = NULL;

	for (size_t i = 0; i < 8; i++) {
		struct limit_slot *c = &l->slots[(h + i) % LIMIT_SLOTS];

		if (strcmp(c->client, client) == 0) {
			s = c;
			break;
		}
		if (c->seen_ms < l->slots[pick].seen_ms)
			pick = (h + i) % LIMIT_SLOTS;
	}
	if (!s) {
		s = &l->slots[pick];
		snprintf(s->client, sizeof(s->client), "%s", client);
		s->tokens = l->per_minute;
		s->seen_ms = now_ms;
	}
	s->tokens += (double)(now_ms - s->seen_ms) * rate;
	if (s->tokens > l->per_minute)
		s->tokens = l->per_minute;
	s->seen_ms = now_ms;
	if (s->tokens < 1.0) {
		*retry_s = (unsigned)((1.0 - s->tokens) / rate / 1000.0) + 1;
		return 0;
	}
	s->tokens -= 1.0;
	return 1;
}
