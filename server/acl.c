/* acl.c -- client address -> acl action, from the zone's acl dataset.
 *
 * Fixes rbldnsd's dual-stack bug: there, an IPv4 client arriving on an IPv6
 * socket shows up as ::ffff:a.b.c.d and IPv4 acl entries never match it.
 */
#include "acl.h"

#include <netinet/in.h>
#include <string.h>

int acl_client_addr(const struct sockaddr *sa, uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(addr, &s4->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
			memcpy(addr, (const uint8_t *)&s6->sin6_addr + 12, 4);
			return 4;
		}
		memcpy(addr, &s6->sin6_addr, 16);
		return 6;
	}
	return 0;
}

int acl_cidr_match(const struct cfg_cidr *c, int family, const uint8_t *addr)
{
	unsigned full = c->plen / 8, rest = c->plen % 8;

	if (c->family != family)
		return 0;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	return !rest || ((c->addr[full] ^ addr[full]) & (0xff00 >> rest)) == 0;
}

int acl_check(struct store_reader *rd, const struct zp_dataset *acl,
	      const struct sockaddr *client, struct store_value *val)
{
	struct store_match m;
	uint8_t addr[16];
	int family;

	if (!acl->meta || !client)
		return VAL_ACL_PASS;
	family = acl_client_addr(client, addr);
	if (!family)
		return VAL_ACL_PASS;
	if (store_lookup_ip(rd, acl->meta->dsid, family, addr, &m) != 1 ||
	    m.nvalues == 0)
		return VAL_ACL_PASS;
	if (store_value_get(rd, m.values[0], val) < 0)
		return VAL_ACL_PASS;
	return val->kind;
}
