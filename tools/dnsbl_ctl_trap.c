/* dnsbl_ctl_trap.c -- what `dnsbl-ctl get` says of a spam-trap listing.
 *
 * A trap dataset's entry was made by its hits, not by a hand edit: the
 * sender's counter (lib/store_trap.c) tells how (hits, first and last
 * hit, how many times listed), the expiry table when it ends, and with
 * `rdns: true` what its reverse DNS was (lib/trap_rdns.c).
 */
#include "dnsbl_ctl.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trap.h"

int ctl_get_trap(struct store_reader *rd, const char *name,
		 const struct store_dsmeta *m, int family,
		 const uint8_t prefix[16], int64_t expires)
{
	struct trap_counter c;
	char rdns[TRAP_RDNS_NAME_MAX + 16], host[INET6_ADDRSTRLEN];

	if (m->type != DS_TRAP ||
	    store_trap_get(rd, m->dsid, family, prefix, &c) != 1)
		return 0;
	printf("  source  trap dataset %s: %" PRIu32 " hit%s, listing %" PRIu32
	       "%s\n", name, c.hits, c.hits == 1 ? "" : "s", c.times_listed,
	       c.times_listed > 1 ? " (repeat offender)" : "");
	printf("  first   %s\n", ctl_time(c.first));
	printf("  last    %s\n", ctl_time(c.last));
	if (expires)
		printf("  expires %s\n", ctl_time(expires));
	trap_rdns_text(&c.rdns, rdns, sizeof(rdns));
	if (c.rdns.status == TRAP_RDNS_NONE) {
		printf("  rdns    %s\n", rdns);
		return 1;
	}
	inet_ntop(c.rdns.family == 4 ? AF_INET : AF_INET6, c.rdns.addr, host,
		  sizeof(host));
	printf("  rdns    %s%s (%s, %s)\n", rdns,
	       trap_rdns_no_fcrdns(&c.rdns) ? ": no FCrDNS" : "", host,
	       ctl_time(c.rdns.time));
	return 1;
}
