/* dnsbl_query_codes.c -- what a DNSBL's A answer means, and its name.
 *
 * The built-in map is kept small on purpose: only zones whose codes their
 * operators publish and that mail admins commonly query (Spamhaus, SpamCop,
 * Barracuda; see /work/shared/reference/dnsbl-ecosystem.md section 3).  A
 * wrong name is worse than none, so anything else prints the bare address,
 * and a config's `codes:` names an operator's own zones.
 */
#include "dnsbl_query_codes.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dnsbl_qname.h"
#include "geo.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

struct code_name {
	uint32_t a;
	const char *name;
	int error;         /* a service error, not a listing */
};

/* ZEN and its parts share one numbering (Spamhaus "Return codes"). */
static const struct code_name spamhaus_zen[] = {
	{ IP4(127, 0, 0, 2), "SBL", 0 },
	{ IP4(127, 0, 0, 3), "SBL CSS", 0 },
	{ IP4(127, 0, 0, 4), "XBL", 0 },
	{ IP4(127, 0, 0, 5), "XBL", 0 },
	{ IP4(127, 0, 0, 6), "XBL", 0 },
	{ IP4(127, 0, 0, 7), "XBL", 0 },
	{ IP4(127, 0, 0, 9), "SBL DROP", 0 },
	{ IP4(127, 0, 0, 10), "PBL (ISP maintained)", 0 },
	{ IP4(127, 0, 0, 11), "PBL (Spamhaus maintained)", 0 },
	{ 0, NULL, 0 }
};

static const struct code_name spamhaus_dbl[] = {
	{ IP4(127, 0, 1, 2), "DBL spam domain", 0 },
	{ IP4(127, 0, 1, 4), "DBL phish domain", 0 },
	{ IP4(127, 0, 1, 5), "DBL malware domain", 0 },
	{ IP4(127, 0, 1, 6), "DBL botnet C&C domain", 0 },
	{ IP4(127, 0, 1, 102), "DBL abused legit spam", 0 },
	{ IP4(127, 0, 1, 103), "DBL abused spammed redirector", 0 },
	{ IP4(127, 0, 1, 104), "DBL abused legit phish", 0 },
	{ IP4(127, 0, 1, 105), "DBL abused legit malware", 0 },
	{ IP4(127, 0, 1, 106), "DBL abused legit botnet C&C", 0 },
	{ IP4(127, 0, 1, 255), "IP queries prohibited", 1 },
	{ 0, NULL, 0 }
};

static const struct code_name spamcop[] = {
	{ IP4(127, 0, 0, 2), "SpamCop SCBL", 0 },
	{ 0, NULL, 0 }
};

static const struct code_name barracuda[] = {
	{ IP4(127, 0, 0, 2), "Barracuda BRBL", 0 },
	{ 0, NULL, 0 }
};

/* 127.255.255.0/24, for every zone (Spamhaus' conventions, which other
 * lists and the filters that read them follow). */
static const struct code_name service_errors[] = {
	{ IP4(127, 255, 255, 252), "typing error in DNSBL name", 1 },
	{ IP4(127, 255, 255, 254), "query via public/open resolver", 1 },
	{ IP4(127, 255, 255, 255), "excessive number of queries", 1 },
	{ 0, NULL, 0 }
};

/* A name starting with '.' is a key-in-name zone: any labels in front
 * (Spamhaus DQS: KEY.zen.dq.spamhaus.net). */
static const struct {
	const char *zone;
	const struct code_name *codes;
	unsigned kinds;
} known_zones[] = {
	{ "zen.spamhaus.org", spamhaus_zen, DNSBL_KIND_IP },
	{ "sbl.spamhaus.org", spamhaus_zen, DNSBL_KIND_IP },
	{ "xbl.spamhaus.org", spamhaus_zen, DNSBL_KIND_IP },
	{ "pbl.spamhaus.org", spamhaus_zen, DNSBL_KIND_IP },
	{ "sbl-xbl.spamhaus.org", spamhaus_zen, DNSBL_KIND_IP },
	{ ".zen.dq.spamhaus.net", spamhaus_zen, DNSBL_KIND_IP },
	{ ".sbl.dq.spamhaus.net", spamhaus_zen, DNSBL_KIND_IP },
	{ ".xbl.dq.spamhaus.net", spamhaus_zen, DNSBL_KIND_IP },
	{ ".pbl.dq.spamhaus.net", spamhaus_zen, DNSBL_KIND_IP },
	{ "dbl.spamhaus.org", spamhaus_dbl, DNSBL_DOMAIN },
	{ ".dbl.dq.spamhaus.net", spamhaus_dbl, DNSBL_DOMAIN },
	{ "bl.spamcop.net", spamcop, DNSBL_KIND_IP },
	{ "b.barracudacentral.org", barracuda, DNSBL_IP4 },
};

static int codes_zone_match(const char *pattern, const char *zone)
{
	size_t plen = strlen(pattern), zlen = strlen(zone);

	if (pattern[0] != '.')
		return strcmp(pattern, zone) == 0;
	return zlen > plen && strcmp(zone + zlen - plen, pattern) == 0;
}

static const struct code_name *codes_find(const struct code_name *table,
					  uint32_t a)
{
	for (; table && table->name; table++)
		if (table->a == a)
			return table;
	return NULL;
}

static int codes_known_zone(const char *zone)
{
	for (size_t i = 0; i < sizeof(known_zones) / sizeof(known_zones[0]); i++)
		if (codes_zone_match(known_zones[i].zone, zone))
			return (int)i;
	return -1;
}

enum dq_code_class dq_code_class(const char *zone, const struct cfg_zone *cz,
				 uint32_t a, const char **name)
{
	const struct code_name *c = NULL;
	int k = codes_known_zone(zone);
	int error;
	char cc[3];

	*name = NULL;
	if (cz)
		for (size_t i = 0; i < cz->ncodes; i++)
			if (cz->codes[i].a == a)
				*name = cz->codes[i].name;
	if (k >= 0)
		c = codes_find(known_zones[k].codes, a);
	if (!c)
		c = codes_find(service_errors, a);
	if (!*name && c)
		*name = c->name;
	/* A country zone's 127.0.x.y: the country (docs/GEO.md). */
	if (!*name && cz && cz->geo_country && geo_a_cc(a, cc))
		*name = geo_cc_name(cc);
	if (a >> 24 != 127)
		return DQ_CODE_BOGUS;
	error = (a >> 8) == (IP4(127, 255, 255, 0) >> 8) || (c && c->error);
	return error ? DQ_CODE_ERROR : DQ_CODE_LISTED;
}

void dq_code_text(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

unsigned dq_code_zone_kinds(const char *zone)
{
	int k = codes_known_zone(zone);

	return k < 0 ? 0 : known_zones[k].kinds;
}
