/* trap_allow.c -- a trap dataset's allow-list: addresses never listed.
 *
 * Allow always wins over hits.  Three sources: the CIDRs of `allow`, the
 * special-use ranges (RFC 6890 and its IANA registries: loopback, RFC
 * 1918, link-local, documentation, multicast, ...; on by default, so a
 * forged or internal sender never lands in a public list), and every
 * address that a dataset named in `allow` lists (a DNSWL mirror, your
 * own MX list), looked up in the store.  A listing is a whole IPv6
 * /prefix6, so a hit is refused when any allowed address lies in the
 * prefix it would list.  The CIDRs are merged into sorted, disjoint
 * intervals per family once, so a check is one binary search plus one
 * store range lookup per allow dataset.
 */
#include "trap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

struct allow_iv {
	uint8_t lo[16], hi[16];   /* big-endian, 4 bytes used for IPv4 */
};

struct trap_allow {
	struct allow_iv *iv[2];   /* [0] IPv4, [1] IPv6 */
	size_t n[2];
	uint32_t *dsids;          /* the allow datasets stored (trap_allow_bind) */
	size_t ndsids;
};

/* RFC 6890 and the IANA special-purpose registries (as of 2024). */
static const struct {
	const char *text;
	int family;
	uint8_t plen;
	uint8_t addr[16];
} allow_special[] = {
	{ "0.0.0.0/8", 4, 8, { 0 } },
	{ "10.0.0.0/8", 4, 8, { 10 } },
	{ "100.64.0.0/10", 4, 10, { 100, 64 } },
	{ "127.0.0.0/8", 4, 8, { 127 } },
	{ "169.254.0.0/16", 4, 16, { 169, 254 } },
	{ "172.16.0.0/12", 4, 12, { 172, 16 } },
	{ "192.0.0.0/24", 4, 24, { 192, 0, 0 } },
	{ "192.0.2.0/24", 4, 24, { 192, 0, 2 } },
	{ "192.88.99.0/24", 4, 24, { 192, 88, 99 } },
	{ "192.168.0.0/16", 4, 16, { 192, 168 } },
	{ "198.18.0.0/15", 4, 15, { 198, 18 } },
	{ "198.51.100.0/24", 4, 24, { 198, 51, 100 } },
	{ "203.0.113.0/24", 4, 24, { 203, 0, 113 } },
	{ "224.0.0.0/4", 4, 4, { 224 } },
	{ "240.0.0.0/4", 4, 4, { 240 } },
	{ "::/128", 6, 128, { 0 } },
	{ "::1/128", 6, 128, { [15] = 1 } },
	{ "::ffff:0:0/96", 6, 96, { [10] = 0xff, [11] = 0xff } },
	{ "64:ff9b::/96", 6, 96, { 0, 0x64, 0xff, 0x9b } },
	{ "64:ff9b:1::/48", 6, 48, { 0, 0x64, 0xff, 0x9b, 0, 1 } },
	{ "100::/64", 6, 64, { 1, 0 } },
	{ "2001::/23", 6, 23, { 0x20, 0x01 } },
	{ "2001:db8::/32", 6, 32, { 0x20, 0x01, 0x0d, 0xb8 } },
	{ "2002::/16", 6, 16, { 0x20, 0x02 } },
	{ "fc00::/7", 6, 7, { 0xfc } },
	{ "fe80::/10", 6, 10, { 0xfe, 0x80 } },
	{ "ff00::/8", 6, 8, { 0xff } },
};
#define ALLOW_NSPECIAL (sizeof(allow_special) / sizeof(allow_special[0]))

static size_t allow_alen(int family)
{
	return family == 4 ? 4 : 16;
}

void trap_allow_range(int family, const uint8_t *addr, unsigned plen,
		      uint8_t lo[16], uint8_t hi[16])
{
	unsigned bits = family == 4 ? 32 : 128;

	memset(lo, 0, 16);
	memcpy(lo, addr, allow_alen(family));
	memcpy(hi, lo, 16);
	for (unsigned b = plen; b < bits; b++) {
		lo[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		hi[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	}
}

void trap_prefix_text(int family, const uint8_t *addr, unsigned plen,
		      char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (plen == (family == 4 ? 32u : 128u))
		snprintf(out, len, "%s", a);
	else
		snprintf(out, len, "%s/%u", a, plen);
}

const char *trap_allow_special(int family, const uint8_t addr[16])
{
	size_t alen = allow_alen(family);
	uint8_t lo[16], hi[16];

	for (size_t i = 0; i < ALLOW_NSPECIAL; i++) {
		if (allow_special[i].family != family)
			continue;
		trap_allow_range(family, allow_special[i].addr,
				 allow_special[i].plen, lo, hi);
		if (memcmp(addr, lo, alen) >= 0 && memcmp(addr, hi, alen) <= 0)
			return allow_special[i].text;
	}
	return NULL;
}

static int allow_add(struct trap_allow *a, size_t *cap, int family,
		     const uint8_t *addr, unsigned plen)
{
	int f = family == 4 ? 0 : 1;

	if (a->n[f] == cap[f]) {
		size_t ncap = cap[f] ? cap[f] * 2 : 32;
		struct allow_iv *p = realloc(a->iv[f], ncap * sizeof(*p));

		if (!p)
			return -1;
		a->iv[f] = p;
		cap[f] = ncap;
	}
	trap_allow_range(family, addr, plen, a->iv[f][a->n[f]].lo,
			 a->iv[f][a->n[f]].hi);
	a->n[f]++;
	return 0;
}

static int allow_cmp(const void *x, const void *y)
{
	const struct allow_iv *a = x, *b = y;

	return memcmp(a->lo, b->lo, 16);
}

/* Sorts and merges overlapping intervals. */
static void allow_merge(struct allow_iv *v, size_t *n)
{
	size_t k = 0;

	if (!*n)
		return;
	qsort(v, *n, sizeof(*v), allow_cmp);
	for (size_t i = 1; i < *n; i++) {
		if (memcmp(v[i].lo, v[k].hi, 16) <= 0) {
			if (memcmp(v[i].hi, v[k].hi, 16) > 0)
				memcpy(v[k].hi, v[i].hi, 16);
		} else {
			v[++k] = v[i];
		}
	}
	*n = k + 1;
}

struct trap_allow *trap_allow_new(const struct cfg_trap *t)
{
	struct trap_allow *a = calloc(1, sizeof(*a));
	size_t cap[2] = { 0, 0 };
	int rc = 0;

	if (!a)
		return NULL;
	for (size_t i = 0; rc == 0 && i < t->nallow; i++)
		rc = allow_add(a, cap, t->allow[i].family, t->allow[i].addr,
			       t->allow[i].plen);
	for (size_t i = 0; rc == 0 && t->allow_special && i < ALLOW_NSPECIAL; i++)
		rc = allow_add(a, cap, allow_special[i].family,
			       allow_special[i].addr, allow_special[i].plen);
	if (rc) {
		trap_allow_free(a);
		return NULL;
	}
	allow_merge(a->iv[0], &a->n[0]);
	allow_merge(a->iv[1], &a->n[1]);
	return a;
}

void trap_allow_free(struct trap_allow *a)
{
	if (!a)
		return;
	free(a->iv[0]);
	free(a->iv[1]);
	free(a->dsids);
	free(a);
}

int trap_allow_overlaps(const struct trap_allow *a, int family,
			const uint8_t lo[16], const uint8_t hi[16])
{
	int f = family == 4 ? 0 : 1;
	size_t b = 0, e = a->n[f], alen = allow_alen(family);

	/* The first interval ending at or after lo; it overlaps if it starts
	 * at or before hi. */
	while (b < e) {
		size_t m = b + (e - b) / 2;

		if (memcmp(a->iv[f][m].hi, lo, alen) < 0)
			b = m + 1;
		else
			e = m;
	}
	return b < a->n[f] && memcmp(a->iv[f][b].lo, hi, alen) <= 0;
}

int trap_allow_bind(struct trap_allow *a, const struct cfg_trap *t,
		    struct store_reader *rd)
{
	a->ndsids = 0;
	if (!t->nallow_datasets)
		return 0;
	if (!a->dsids && !(a->dsids = calloc(t->nallow_datasets,
					     sizeof(*a->dsids))))
		return -1;
	for (size_t i = 0; i < t->nallow_datasets; i++) {
		struct store_dsmeta *m = NULL;
		int rc = store_dataset_meta(rd, t->allow_datasets[i], &m);

		if (rc == STORE_ENOTFOUND)
			continue;
		if (rc != STORE_OK)
			return -1;
		a->dsids[a->ndsids++] = m->dsid;
		store_dsmeta_free(m);
	}
	return 0;
}

int trap_allow_check(const struct trap_allow *a, struct store_reader *rd,
		     int family, const uint8_t lo[16], const uint8_t hi[16])
{
	if (trap_allow_overlaps(a, family, lo, hi))
		return 1;
	for (size_t i = 0; i < a->ndsids; i++)
		if (store_ip_range_listed(rd, a->dsids[i], family, lo, hi) == 1)
			return 1;
	return 0;
}
