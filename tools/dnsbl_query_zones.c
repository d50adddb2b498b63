/* dnsbl_query_zones.c -- the zones to check, and which items each takes. */
#include "dnsbl_query_zones.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataset.h"
#include "dnsbl_query_codes.h"

unsigned dq_zones_config_kinds(const struct config *cfg,
			       const struct cfg_zone *z)
{
	unsigned kinds = 0;

	for (size_t i = 0; i < z->ndatasets; i++) {
		const struct cfg_dataset *d = config_dataset(cfg, z->datasets[i]);

		if (!d)
			continue;
		switch (d->type) {
		case DS_IP4SET:
		case DS_IP4TSET:
		case DS_IP4TRIE:
			kinds |= DNSBL_IP4;
			break;
		case DS_IP6TRIE:
		case DS_IP6TSET:
			kinds |= DNSBL_IP6;
			break;
		case DS_TRAP:
		case DS_COUNTRY:
		case DS_ASN:
			kinds |= DNSBL_IP4 | DNSBL_IP6;
			break;
		case DS_DNSET:
		case DS_GENERIC:
			kinds |= DNSBL_DOMAIN;
			break;
		default:
			/* combined: its parts can hold anything */
			kinds |= DNSBL_KIND_ANY;
			break;
		}
	}
	return kinds;
}

int dq_zones_kinds_parse(const char *type, unsigned *kinds)
{
	static const struct {
		const char *name;
		unsigned kinds;
	} names[] = {
		{ "ip", DNSBL_KIND_IP }, { "ip4", DNSBL_IP4 }, { "ip6", DNSBL_IP6 },
		{ "domain", DNSBL_DOMAIN }, { "any", DNSBL_KIND_ANY },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(type, names[i].name) == 0) {
			*kinds = names[i].kinds;
			return 0;
		}
	}
	return -1;
}

static const struct cfg_zone *zones_in_config(const struct config *cfg,
					      const char *name)
{
	for (size_t i = 0; cfg && i < cfg->nzones; i++)
		if (strcmp(cfg->zones[i].name, name) == 0)
			return &cfg->zones[i];
	return NULL;
}

/* Appends a zone unless it is there already. */
static int zones_push(struct dq_zones *zs, const struct dq_zone *z)
{
	struct dq_zone *grown;

	for (size_t i = 0; i < zs->n; i++)
		if (strcmp(zs->v[i].name, z->name) == 0)
			return 0;
	grown = realloc(zs->v, (zs->n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	zs->v = grown;
	zs->v[zs->n++] = *z;
	return 0;
}

int dq_zones_add(struct dq_zones *zs, const char *spec,
		 const struct config *cfg, char *err, size_t errlen)
{
	struct dq_zone z;
	char name[DNSBL_NAME_MAX + 16];
	const char *colon = strchr(spec, ':'), *why;
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	unsigned kinds = 0;

	memset(&z, 0, sizeof(z));
	if (len >= sizeof(name)) {
		snprintf(err, errlen, "zone \"%s\": name longer than 253 characters",
			 spec);
		return -1;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	if (dnsbl_zone_parse(name, z.name, &why) < 0) {
		snprintf(err, errlen, "zone \"%s\": %s", name, why);
		return -1;
	}
	if (colon && dq_zones_kinds_parse(colon + 1, &kinds) < 0) {
		snprintf(err, errlen, "zone \"%s\": unknown type \"%s\" "
			 "(ip, ip4, ip6, domain, any)", spec, colon + 1);
		return -1;
	}
	z.cfg = zones_in_config(cfg, z.name);
	if (!kinds && z.cfg)
		kinds = dq_zones_config_kinds(cfg, z.cfg);
	if (!kinds)
		kinds = dq_code_zone_kinds(z.name);
	z.kinds = kinds ? kinds : DNSBL_KIND_ANY;
	if (zones_push(zs, &z) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int dq_zones_add_config(struct dq_zones *zs, const struct config *cfg,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nzones; i++)
		if (dq_zones_add(zs, cfg->zones[i].name, cfg, err, errlen) < 0)
			return -1;
	return 0;
}

void dq_zones_free(struct dq_zones *zs)
{
	free(zs->v);
	zs->v = NULL;
	zs->n = 0;
}
