/* trap_rdns.c -- a trap sender's reverse DNS: what it means for the policy.
 *
 * With `rdns: true` the loader (loader/rdns.c) looks up the PTR of each
 * sender that gets hits and checks that a PTR name resolves back to the
 * address (forward-confirmed rDNS, FCrDNS); the outcome is kept in the
 * sender's counter (store_trap.c) and shown by `dnsbl-ctl get` and the
 * TXT field ${rdns}.  Mail from a host without FCrDNS is suspect already
 * (RFC 1912 2.1; Postfix's reject_unknown_client_hostname), so the
 * policy may list such a sender after fewer hits (threshold_no_fcrdns),
 * answer another code for it (code_no_fcrdns, so a client can tell the
 * two apart), or list only such senders (only_no_fcrdns, a dataset of its
 * own for a zone of its own).  A timeout or a resolver failure says
 * nothing about the sender and never counts as "no FCrDNS"; it is looked
 * up again TRAP_RDNS_RETRY later.  Pure functions, like trap_policy.c.
 */
#include "trap.h"

#include <stdio.h>
#include <string.h>

const char *trap_rdns_config_check(const struct cfg_trap *t)
{
	if (!t->rdns && (t->threshold_no_fcrdns || t->code_no_fcrdns ||
			 t->only_no_fcrdns || t->resolver ||
			 (t->txt && strstr(t->txt, "${rdns}"))))
		return "resolver, threshold_no_fcrdns, code_no_fcrdns, "
		       "only_no_fcrdns and ${rdns} need rdns: true";
	if (t->threshold_no_fcrdns > t->threshold)
		return "threshold_no_fcrdns is above threshold (it is the "
		       "lower threshold for senders without FCrDNS)";
	if (t->rdns_timeout < 1 || t->rdns_timeout > 300)
		return "rdns_timeout must be 1s..5m";
	return NULL;
}

int trap_rdns_no_fcrdns(const struct trap_rdns *r)
{
	return r->status == TRAP_RDNS_MISMATCH || r->status == TRAP_RDNS_NOPTR;
}

unsigned trap_rdns_threshold(const struct cfg_trap *t,
			     const struct trap_counter *c)
{
	int no = trap_rdns_no_fcrdns(&c->rdns);

	if (t->only_no_fcrdns && !no)
		return UINT32_MAX;
	return no && t->threshold_no_fcrdns ? t->threshold_no_fcrdns
					    : t->threshold;
}

uint32_t trap_rdns_code(const struct cfg_trap *t, const struct trap_counter *c)
{
	return trap_rdns_no_fcrdns(&c->rdns) && t->code_no_fcrdns ?
	       t->code_no_fcrdns : t->code;
}

int trap_rdns_wanted(const struct cfg_trap *t, const struct trap_counter *c,
		     int64_t now)
{
	if (!t->rdns)
		return 0;
	switch (c->rdns.status) {
	case TRAP_RDNS_NONE:
		return 1;
	case TRAP_RDNS_TIMEOUT:
	case TRAP_RDNS_FAILURE:
		return c->rdns.time + TRAP_RDNS_RETRY <= now;
	default:
		return 0;
	}
}

const char *trap_rdns_text(const struct trap_rdns *r, char *out, size_t len)
{
	switch (r->status) {
	case TRAP_RDNS_CONFIRMED:
		snprintf(out, len, "confirmed %s", r->name);
		break;
	case TRAP_RDNS_MISMATCH:
		snprintf(out, len, "mismatch %s", r->name);
		break;
	case TRAP_RDNS_NOPTR:
		snprintf(out, len, "no PTR");
		break;
	case TRAP_RDNS_TIMEOUT:
		snprintf(out, len, "timeout");
		break;
	case TRAP_RDNS_FAILURE:
		snprintf(out, len, "failure");
		break;
	default:
		snprintf(out, len, "not looked up");
		break;
	}
	return out;
}

enum trap_verdict trap_rdns_apply(const struct cfg_trap *t,
				  struct trap_counter *c,
				  const struct trap_rdns *r, int64_t now,
				  int64_t *until)
{
	c->rdns = *r;
	if (c->hits == 0)
		return TRAP_COUNTED;
	return trap_policy_begin(t, c, c->last, now, until);
}

static int rdns_same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

int trap_rdns_same_config(const struct cfg_trap *a, const struct cfg_trap *b)
{
	if (a->rdns != b->rdns || a->rdns_timeout != b->rdns_timeout ||
	    a->threshold_no_fcrdns != b->threshold_no_fcrdns ||
	    a->code_no_fcrdns != b->code_no_fcrdns ||
	    a->only_no_fcrdns != b->only_no_fcrdns ||
	    !a->resolver != !b->resolver)
		return 0;
	return !a->resolver ||
	       (rdns_same_str(a->resolver->host, b->resolver->host) &&
		rdns_same_str(a->resolver->port, b->resolver->port));
}
