/* access.c -- the config's `access:` rules: first match, zone then global.
 *
 * Rules are few (large lists belong in an acl dataset, looked up in the
 * store by acl.c), so they are scanned in order: the client's address is
 * normalised once (acl_client_addr) and compared with each prefix.
 */
#include "access.h"

#include <stdint.h>

#include "acl.h"

static const char *const access_names[CFG_ACCESS_N] = { "pass", "drop",
	"refuse", "unlisted", "answer" };

const char *access_action_name(int action)
{
	return action >= 0 && action < CFG_ACCESS_N ? access_names[action]
						     : "?";
}

/* The first rule of `acc` holding the address, or NULL. */
static const struct cfg_access_rule *access_scan(const struct cfg_access *acc,
						 int family,
						 const uint8_t *addr)
{
	for (size_t i = 0; i < acc->nrules; i++) {
		const struct cfg_access_rule *r = &acc->rules[i];

		for (size_t k = 0; k < r->nfrom; k++)
			if (acl_cidr_match(&r->from[k], family, addr))
				return r;
	}
	return NULL;
}

const struct cfg_access_rule *access_find(const struct config *cfg, int zone,
					  const struct sockaddr *client)
{
	const struct cfg_access *za = NULL;
	const struct cfg_access_rule *r = NULL;
	uint8_t addr[16];
	int family;

	if (!cfg || !client)
		return NULL;
	if (zone >= 0 && (size_t)zone < cfg->nzones &&
	    cfg->zones[zone].access.nrules)
		za = &cfg->zones[zone].access;
	if (!za && !cfg->access.nrules)
		return NULL;
	family = acl_client_addr(client, addr);
	if (!family)
		return NULL;
	if (za)
		r = access_scan(za, family, addr);
	if (!r)
		r = access_scan(&cfg->access, family, addr);
	return r;
}
