/* access.h -- the config's `access:` rules: what a client's query gets.
 *
 * Rules come from the zone (`zones.NAME.access`) and from the server
 * (`access` at top level or under `server:`); the first rule whose `from`
 * holds the client decides, the zone's rules before the global ones.  An
 * IPv4 client on a dual-stack socket (::ffff:a.b.c.d) matches IPv4
 * prefixes.  This module only finds the rule; answer.c applies it, after
 * which a zone's rbldnsd acl dataset (acl.c) is consulted only when no rule
 * matched or the rule said `pass`.
 */
#ifndef DNSBLD_ACCESS_H
#define DNSBLD_ACCESS_H

#include <sys/socket.h>

#include "config.h"

/* The rule for `client` in zone `zone` (an index into cfg->zones, -1: the
 * query is in none of them), or NULL when no rule matches (or `cfg` is
 * NULL).  Costs nothing when the config has no rules. */
const struct cfg_access_rule *access_find(const struct config *cfg, int zone,
					  const struct sockaddr *client);

/* The action's name as the config spells it ("drop", "refuse", ...). */
const char *access_action_name(int action);

#endif
