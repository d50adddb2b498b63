/* trap_policy.c -- one sender's counter and the listing decision.
 *
 * A sender (an IPv4 address, or an IPv6 /prefix6) is listed when it
 * reaches `threshold` hits -- or distinct trap ids, with distinct_traps --
 * within a sliding `window`.  The counter keeps only the newest hits that
 * can still count (at most `threshold` slots, TRAP_SLOTS at most), so
 * its size is bounded whatever the sender does.  A listing lasts `expire`
 * after the last hit, and each hit while listed pushes the end out; a
 * sender listed before within `repeat_within` is a repeat offender and
 * gets `repeat_expire` instead.  Pure functions of the counter and the
 * clock: the store (store_trap.c) reads and writes the counter around
 * them, in the batch's transaction.
 */
#include "trap.h"

#include <string.h>

unsigned trap_policy_prefix(const struct cfg_trap *t, int family,
			    uint8_t addr[16])
{
	unsigned plen = family == 4 ? 32 : t->prefix6;
	uint8_t lo[16], hi[16];

	trap_allow_range(family, addr, plen, lo, hi);
	memcpy(addr, lo, 16);
	return plen;
}

/* How many slots the policy needs: the newest `threshold` hits decide. */
static unsigned policy_slots(const struct cfg_trap *t)
{
	unsigned n = t->distinct_traps ? TRAP_SLOTS : t->threshold;

	return n > TRAP_SLOTS ? TRAP_SLOTS : n ? n : 1;
}

/* Drops slots older than `since`, keeping the order (newest last). */
static void policy_drop_old(struct trap_counter *c, int64_t since)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->nslots; i++)
		if ((int64_t)c->slots[i].time >= since)
			c->slots[k++] = c->slots[i];
	c->nslots = (uint8_t)k;
}

/* Notes a hit at `t` in the slots, kept sorted by time. */
static void policy_note(const struct cfg_trap *t, struct trap_counter *c,
			int64_t when, uint32_t tag)
{
	unsigned max = policy_slots(t), i;

	if (t->distinct_traps) {
		for (i = 0; i < c->nslots; i++) {
			if (c->slots[i].tag == tag) {
				if ((int64_t)c->slots[i].time >= when)
					return;
				/* Moved to its new time below. */
				memmove(&c->slots[i], &c->slots[i + 1],
					(c->nslots - i - 1) * sizeof(c->slots[0]));
				c->nslots--;
				break;
			}
		}
	}
	if (c->nslots == max) {
		if ((int64_t)c->slots[0].time > when)
			return;    /* older than every slot kept: no use */
		memmove(&c->slots[0], &c->slots[1],
			(c->nslots - 1) * sizeof(c->slots[0]));
		c->nslots--;
	}
	for (i = c->nslots; i > 0 && (int64_t)c->slots[i - 1].time > when; i--)
		c->slots[i] = c->slots[i - 1];
	c->slots[i].tag = t->distinct_traps ? tag : 0;
	c->slots[i].time = (uint32_t)when;
	c->nslots++;
}

enum trap_verdict trap_policy_hit(const struct cfg_trap *t,
				  struct trap_counter *c, int64_t t_hit,
				  uint32_t tag, int64_t now, int64_t *until)
{
	int64_t end;

	if (t_hit > now)
		t_hit = now;
	if (c->hits == 0 || t_hit < c->first)
		c->first = t_hit;
	if (t_hit > c->last)
		c->last = t_hit;
	if (c->hits < UINT32_MAX)
		c->hits++;
	policy_drop_old(c, c->last - (int64_t)t->window);
	if (t_hit >= c->last - (int64_t)t->window)
		policy_note(t, c, t_hit, tag);
	if (c->listed_until > now) {
		/* Listed: each hit keeps it listed `listed_for` longer. */
		end = t_hit + (int64_t)c->listed_for;
		if (end <= c->listed_until)
			return TRAP_COUNTED;
		c->listed_until = end;
		*until = end;
		return TRAP_EXTENDED;
	}
	return trap_policy_begin(t, c, t_hit, now, until);
}

enum trap_verdict trap_policy_begin(const struct cfg_trap *t,
				    struct trap_counter *c, int64_t t_hit,
				    int64_t now, int64_t *until)
{
	int64_t end;
	uint32_t len;
	int repeat;

	if (c->listed_until > now || c->nslots < trap_rdns_threshold(t, c) ||
	    now < c->norelist_until)
		return TRAP_COUNTED;
	repeat = c->times_listed > 0 &&
		 c->last_listed + (int64_t)t->repeat_within >= t_hit;
	len = repeat ? t->repeat_expire : t->expire;
	end = c->last + (int64_t)len;
	if (end <= now)
		return TRAP_COUNTED;   /* a replay of hits long gone */
	c->listed_until = end;
	c->listed_for = len;
	c->times_listed++;
	c->last_listed = t_hit;
	*until = end;
	return TRAP_LISTED;
}

int trap_policy_prunable(const struct cfg_trap *t,
			 const struct trap_counter *c, int64_t now)
{
	if (c->listed_until > now || c->norelist_until > now)
		return 0;
	if (c->last + (int64_t)t->window >= now)
		return 0;
	return c->times_listed == 0 ||
	       c->last_listed + (int64_t)t->repeat_within < now;
}
