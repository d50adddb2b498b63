/* zones.h -- the zone plan: config zones resolved against the store.
 *
 * Answering a query needs, per zone, the datasets' ids, types, TTLs and the
 * apex records (SOA, NS).  These come from the config plus each dataset's
 * stored metadata, which changes when the loader commits.  Each worker keeps
 * its own plan and rebuilds it when store_generation() moves, so the query
 * path reads plain structs and never parses metadata or takes a lock.
 */
#ifndef DNSBLD_ZONES_H
#define DNSBLD_ZONES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "defaults.h"
#include "dname.h"
#include "dns_encode.h"
#include "store.h"

/* One dataset (or one section of a combined one) as the answer sees it. */
struct zp_dataset {
	const char *name;              /* config name (or section label) */
	enum ds_type type;             /* from the config, or the stored meta */
	const struct store_dsmeta *meta; /* NULL: not in the store yet */
	uint32_t ttl;                  /* TTL of records answered from it */
};

/* A combined dataset's section with one of its subzones. */
struct zp_sub {
	const uint8_t *subzone;        /* relative to the zone; "\0" = @ */
	unsigned labels;
	struct zp_dataset ds;
};

struct zp_zone {
	const struct cfg_zone *cfg;
	const uint8_t *wname;          /* absolute, lowercase */
	size_t wlen;                   /* its length, final zero included */
	unsigned labels;
	uint32_t ttl;                  /* zone default TTL */
	uint32_t ttl_min, ttl_max;     /* -t clamp of TTLs from data, 0 = none */
	int stats_index;               /* its row in the server's stats (the
	                                  config's zone index), -1: none */

	struct zp_dataset *ds;         /* answer order; combined ones have subs */
	size_t nds;
	struct zp_sub **subs;          /* per ds: its sections (combined), or NULL */
	size_t *nsubs;

	struct zp_dataset acl;         /* acl.meta NULL: no acl (or not stored) */
	int has_acl;

	int has_ip4, has_ip6, has_dn;  /* which query forms/test points apply */
	int64_t expires;               /* earliest $TIMESTAMP expiry of its
	                                  datasets (unix time), 0 = never */

	/* Apex SOA (always present: config, $SOA, or the default). */
	const uint8_t *soa_mname, *soa_rname;
	uint32_t soa_ttl, soa_serial, soa_refresh, soa_retry, soa_expire,
		 soa_minimum;
	uint8_t default_rname[DNAME_MAX];
	struct dns_rdata_tmpl soa_rdata; /* the SOA rdata, encoded once */
	int soa_rdata_ok;
	/* Apex NS (config or $NS); none: NS queries get NODATA. */
	const uint8_t *ns[DS_MAX_NS];
	size_t nns;
	uint32_t ns_ttl;
};

/* rbldnsd's -t def:min:max: the TTL when the data has no $TTL (0 =
 * DEFAULT_TTL) and the clamp of TTLs taken from data (0 = none). */
struct zones_ttl {
	uint32_t def, min, max;
};

struct zone_plan {
	struct zp_zone *zones;
	size_t nzones;
	size_t *by_labels;             /* zone indexes, most labels first
	                                  (config order among equals) */
	struct store_dsmeta **metas;   /* owned metadata */
	size_t nmetas;
	uint64_t generation;           /* store generation it was built at */
	uint32_t serial_floor;         /* building: the zone table's serial */
	struct zones_ttl ttl;          /* the TTL policy it was built with */
	int hide_version;              /* rbldnsd -v: 1 = version.bind says
	                                  only "dnsbld", 2 = refused */
	const struct config *policy;   /* the server's config: its `access`
	                                  rules, zones by stats_index (NULL:
	                                  none) */
	struct keys *keys;             /* key-in-name zones (server/keys.h),
	                                  by stats_index; NULL: none */
};

/* Builds `plan` for `cfg` from the store seen by `rd` (renewed by the
 * caller).  Datasets missing from the store are kept without data.  Returns
 * 0, or -1 on out of memory (plan left empty). */
int zones_build(struct zone_plan *plan, const struct config *cfg,
		struct store_reader *rd, const uint32_t *zone_serials);
/* zones_build with a TTL policy (`ttl` NULL = the defaults). */
int zones_build_ttl(struct zone_plan *plan, const struct config *cfg,
		    struct store_reader *rd, const uint32_t *zone_serials,
		    const struct zones_ttl *ttl);

/* Frees what zones_build allocated; the plan is empty afterwards. */
void zones_free(struct zone_plan *plan);

/* The most specific zone containing the name of parsed query `q` (its
 * lowercase qname and label offsets), and in *before the number of labels
 * in front of it; NULL if none. */
const struct zp_zone *zones_find(const struct zone_plan *plan,
				 const struct dns_query *q, unsigned *before);

#endif
