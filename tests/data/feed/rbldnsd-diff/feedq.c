/* feedq.c -- answer address queries from a feed parsed by lib/feed*.c.
 *
 * Used by run.sh to compare our parser with the Debian rbldnsd binary: it
 * reads addresses on stdin and prints "addr: A..." the way rbldnsd would
 * answer them (ip4set: the most specific /32 /24 /16 /8 level with any
 * entry, all its values, an exclusion hiding them; tries: longest prefix).
 * Usage: feedq ip4set|ip4trie|ip6trie FILE [e]  (e = accept host bits)
 */
#include "feed.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int covers(const struct ds_ip_entry *e, const uint8_t q[16])
{
	for (unsigned b = 0; b < e->plen; b++)
		if (((q[b / 8] ^ e->addr[b / 8]) >> (7 - b % 8)) & 1)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct feed_options o;
	struct feed_result res;
	struct dataset *ds;
	enum ds_type type;
	char err[512], line[200];
	const char *file;

	if (argc < 3 || ds_type_parse(argv[1], &type) < 0) {
		fprintf(stderr, "usage: feedq ip4set|ip4trie|ip6trie FILE [e]\n");
		return 2;
	}
	file = argv[2];
	memset(&o, 0, sizeof(o));
	o.log = fopen("/dev/null", "w");
	o.accept_host_bits = argc > 3;
	if (feed_load(type, &file, 1, &o, &ds, &res, err, sizeof(err)) < 0) {
		printf("ERR %s\n", err);
		return 1;
	}
	fprintf(stderr, "warnings=%lu entries=%lu\n", res.warnings, res.entries);
	while (fgets(line, sizeof(line), stdin)) {
		uint32_t out[256];
		uint8_t q[16] = {0};
		int n = 0, found = 0, excl = 0;

		line[strcspn(line, "\n")] = '\0';
		if (inet_pton(type == DS_IP6TRIE ? AF_INET6 : AF_INET, line, q) != 1)
			continue;
		if (type == DS_IP4SET) {
			for (int plen = 32; plen >= 8 && !found; plen -= 8) {
				for (size_t i = 0; i < dataset_nip(ds); i++) {
					struct ds_ip_entry ent, *e = &ent;

					dataset_ip_get(ds, i, &ent);
					if (e->plen != plen || !covers(e, q))
						continue;
					found = 1;
					if (e->excluded)
						excl = 1;
					else if (n < 256)
						out[n++] = ds->values[e->value].a;
				}
			}
		} else {
			struct ds_ip_entry e, be;
			int best = -1;

			for (size_t i = 0; i < dataset_nip(ds); i++) {
				dataset_ip_get(ds, i, &e);
				if (covers(&e, q) && e.plen > best) {
					best = e.plen;
					be = e;
				}
			}
			if (best >= 0) {
				found = 1;
				excl = be.excluded;
				out[n++] = ds->values[be.value].a;
			}
		}
		printf("%s:", line);
		if (found && !excl) {
			qsort(out, (size_t)n, sizeof(out[0]), cmp_u32);
			for (int i = 0; i < n; i++)
				if (!i || out[i] != out[i - 1])
					printf(" %u.%u.%u.%u", out[i] >> 24,
					       (out[i] >> 16) & 255,
					       (out[i] >> 8) & 255, out[i] & 255);
		}
		printf("\n");
	}
	dataset_free(ds);
	feed_result_free(&res);
	return 0;
}
