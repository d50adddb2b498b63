/* acl.h -- per-zone access control by client address (rbldnsd `acl`).
 *
 * A zone's acl dataset maps client prefixes to an action: ignore (drop),
 * refuse, empty (answer as not listed), pass, or "always listed" with the
 * acl entry's A/TXT.  This module only says which; answer.c applies it.
 */
#ifndef DNSBLD_ACL_H
#define DNSBLD_ACL_H

#include <stdint.h>
#include <sys/socket.h>

#include "store.h"
#include "zones.h"

/* The client's address as family (4 or 6) and 16 bytes; an IPv4 client seen
 * on a dual-stack IPv6 socket (::ffff:a.b.c.d) is returned as IPv4 so IPv4
 * acl entries match it.  Returns 0 for an unknown address family. */
int acl_client_addr(const struct sockaddr *sa, uint8_t addr[16]);

/* 1 if `family` address `addr` (as acl_client_addr gives it) is inside
 * prefix `c`. */
int acl_cidr_match(const struct cfg_cidr *c, int family, const uint8_t *addr);

/* Looks the client up in the zone's acl.  Returns the action, an enum
 * ds_value_kind: VAL_ACL_PASS when there is no acl, no stored acl data or no
 * matching entry; VAL_LISTED ("always listed") with *val filled. */
int acl_check(struct store_reader *rd, const struct zp_dataset *acl,
	      const struct sockaddr *client, struct store_value *val);

#endif
