/* store_validate.c -- refuse a malformed dataset before any write.
 *
 * The store trusts nothing it is given: a bad entry is reported by index
 * and reason, and the stored dataset stays as it was.
 */
#include "store_private.h"

#include <string.h>

/* Which address families a type holds: bit 0 = IPv4, bit 1 = IPv6. */
static unsigned validate_families(enum ds_type t)
{
	return ds_type_keys(t) & (DS_KEYS_IP4 | DS_KEYS_IP6);
}

/* A wire name is well formed if labels are <= 63 and it is <= 255 bytes. */
static int validate_wname(const uint8_t *w)
{
	size_t pos = 0;

	if (!w)
		return 0;
	while (w[pos]) {
		if (w[pos] > 63)
			return 0;
		pos += (size_t)w[pos] + 1;
		if (pos >= 255)
			return 0;
	}
	return 1;
}

static int validate_meta(const struct ds_meta *m, char *err, size_t errlen)
{
	if (m->soa.present && (!validate_wname(m->soa.mname) ||
			       !validate_wname(m->soa.rname))) {
		store_seterr(err, errlen, "$SOA: malformed name");
		return STORE_EINVAL;
	}
	if (m->ns.count > DS_MAX_NS) {
		store_seterr(err, errlen, "$NS: %zu names (at most %d)",
			     m->ns.count, DS_MAX_NS);
		return STORE_EINVAL;
	}
	for (size_t i = 0; i < m->ns.count; i++) {
		if (!validate_wname(m->ns.names[i])) {
			store_seterr(err, errlen, "$NS: name %zu malformed", i + 1);
			return STORE_EINVAL;
		}
	}
	return 0;
}

/* One address entry, entry `i` of the dataset: `host_bits` says whether
 * bits beyond its prefix length are set. */
static int validate_ip_one(const struct dataset *ds, size_t i, unsigned family,
			   unsigned plen, int host_bits, int excluded,
			   uint32_t value, char *err, size_t errlen)
{
	unsigned fams = validate_families(ds->type);
	unsigned bits = family == 4 ? 32 : 128;

	if ((family != 4 && family != 6) ||
	    !(fams & (family == 4 ? 1u : 2u))) {
		store_seterr(err, errlen, "ip entry %zu: family %u not "
			     "allowed in %s", i, family, ds_type_name(ds->type));
		return STORE_EINVAL;
	}
	if (plen > bits) {
		store_seterr(err, errlen, "ip entry %zu: prefix length "
			     "%u > %u", i, plen, bits);
		return STORE_EINVAL;
	}
	if (host_bits) {
		store_seterr(err, errlen, "ip entry %zu: host bits set beyond "
			     "/%u", i, plen);
		return STORE_EINVAL;
	}
	if (!excluded && value >= ds->nvalues) {
		store_seterr(err, errlen, "ip entry %zu: value %u out of "
			     "range (%zu values)", i, value, ds->nvalues);
		return STORE_EINVAL;
	}
	return 0;
}

static int validate_ip(const struct dataset *ds, char *err, size_t errlen)
{
	int ip4_allowed = (validate_families(ds->type) & 1u) != 0;

	/* The IPv4 entries as kept, without widening tens of millions of
	 * them to ds_ip_entry: a mask tells the host bits, and only a bad
	 * one goes through validate_ip_one for its message. */
	for (size_t i = 0; i < ds->nip4; i++) {
		const struct ds_ip4_entry *e = &ds->ip4[i];
		uint32_t mask = e->plen == 0 ? 0 : e->plen >= 32 ? 0xffffffffu :
				0xffffffffu << (32 - e->plen);

		if (!ip4_allowed || e->plen > 32 || (e->addr & ~mask) ||
		    (!e->excluded && e->value >= ds->nvalues))
			return validate_ip_one(ds, i, 4, e->plen, (e->addr & ~mask) != 0,
					       e->excluded, e->value, err, errlen);
	}
	for (size_t i = 0; i < ds->nip; i++) {
		const struct ds_ip_entry *e = &ds->ip[i];
		unsigned bits = e->family == 4 ? 32 : 128;
		int host_bits = 0;

		for (unsigned b = e->plen; b < bits && !host_bits; b++)
			host_bits = (e->addr[b / 8] & (0x80 >> (b % 8))) != 0;
		if (validate_ip_one(ds, ds->nip4 + i, e->family, e->plen,
				    host_bits, e->excluded, e->value, err, errlen))
			return STORE_EINVAL;
	}
	return 0;
}

int store_validate(const struct dataset *ds, int child, char *err,
		   size_t errlen)
{
	const char *tn = ds_type_name(ds->type);
	int rc;

	if (!tn) {
		store_seterr(err, errlen, "unknown dataset type %d", (int)ds->type);
		return STORE_EINVAL;
	}
	if (child && (ds->type == DS_COMBINED || ds->type == DS_ACL)) {
		store_seterr(err, errlen, "%s not allowed inside combined", tn);
		return STORE_EINVAL;
	}
	if ((dataset_nip(ds) && !validate_families(ds->type)) ||
	    (ds->ndn && ds->type != DS_DNSET) ||
	    (ds->nrr && ds->type != DS_GENERIC) ||
	    (ds->nchildren && ds->type != DS_COMBINED)) {
		store_seterr(err, errlen, "%s dataset holds entries of another "
			     "type", tn);
		return STORE_EINVAL;
	}
	if ((rc = validate_meta(&ds->meta, err, errlen)) != 0)
		return rc;
	for (size_t i = 0; i < ds->nvalues; i++) {
		if (ds->values[i].txt && ds->values[i].txtlen > 255) {
			store_seterr(err, errlen, "value %zu: TXT over 255 bytes", i);
			return STORE_EINVAL;
		}
	}
	if ((rc = validate_ip(ds, err, errlen)) != 0)
		return rc;
	for (size_t i = 0; i < ds->ndn; i++) {
		const struct ds_dn_entry *e = &ds->dn[i];

		if (!validate_wname(e->name)) {
			store_seterr(err, errlen, "dn entry %zu: malformed name", i);
			return STORE_EINVAL;
		}
		if (!e->excluded && e->value >= ds->nvalues) {
			store_seterr(err, errlen, "dn entry %zu: value %u out of "
				     "range (%zu values)", i, e->value, ds->nvalues);
			return STORE_EINVAL;
		}
	}
	for (size_t i = 0; i < ds->nrr; i++) {
		if (!validate_wname(ds->rr[i].name) ||
		    (ds->rr[i].rdlen && !ds->rr[i].rdata)) {
			store_seterr(err, errlen, "record %zu: malformed", i);
			return STORE_EINVAL;
		}
	}
	for (size_t i = 0; i < ds->nchildren; i++) {
		const struct ds_child *c = &ds->children[i];
		char sub[200];

		if (!c->data) {
			store_seterr(err, errlen, "$DATASET %zu: no data", i + 1);
			return STORE_EINVAL;
		}
		for (size_t j = 0; j < c->nsubzones; j++) {
			if (!validate_wname(c->subzones[j])) {
				store_seterr(err, errlen, "$DATASET %zu: subzone "
					     "%zu malformed", i + 1, j + 1);
				return STORE_EINVAL;
			}
		}
		if ((rc = store_validate(c->data, 1, sub, sizeof(sub))) != 0) {
			store_seterr(err, errlen, "$DATASET %zu (%s): %s", i + 1,
				     c->label ? c->label : "", sub);
			return rc;
		}
	}
	return 0;
}

int store_validate_name(const char *name, char *err, size_t errlen)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > 200 || strchr(name, '/')) {
		store_seterr(err, errlen, "bad dataset name \"%s\": 1..200 "
			     "bytes, no '/'", name ? name : "");
		return STORE_EINVAL;
	}
	return 0;
}
