/* dnsbl_ctl_export_geo.c -- `dnsbl-ctl export` of country and asn datasets.
 *
 * They are written as the CSV their loader reads (lib/feed_geo.c), so the
 * export loads back to the same answers: a country dataset as `network,CC`
 * per stored prefix (they are disjoint), an asn dataset as each origin
 * network once, `network,asn[,name]` (or ip2asn's `start,end,asn,CC,name`
 * when the TXT has a country), taken from the TXT it answers.  Nested
 * networks come back by the loader's rule: the narrower one wins.
 */
#include "dnsbl_ctl_export_geo.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "store.h"

struct geo_export {
	FILE *out;
	struct store_reader *rd;
	enum ds_type type;
	uint32_t *seen;          /* asn: value ids written, open addressing */
	size_t nseen, cap;
	int err;
};

/* 1 if value `id` was written before, else notes it (0); -1 no memory. */
static int geo_export_seen(struct geo_export *x, uint32_t id)
{
	size_t s;

	if ((x->nseen + 1) * 2 > x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 1024;
		uint32_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -1;
		for (size_t i = 0; i < x->cap; i++) {
			if (!x->seen[i])
				continue;
			for (s = x->seen[i] * 2654435761u & (ncap - 1); n[s];
			     s = (s + 1) & (ncap - 1))
				;
			n[s] = x->seen[i];
		}
		free(x->seen);
		x->seen = n;
		x->cap = ncap;
	}
	for (s = id * 2654435761u & (x->cap - 1); x->seen[s];
	     s = (s + 1) & (x->cap - 1))
		if (x->seen[s] == id)
			return 1;
	x->seen[s] = id;
	x->nseen++;
	return 0;
}

/* A CSV field (`csv`: quoted when it holds a comma, a quote or a TAB),
 * `$$` (a TXT's literal dollar) back to `$`. */
static void geo_export_field(FILE *f, const char *s, size_t n, int csv)
{
	int quote = csv && (memchr(s, ',', n) || memchr(s, '"', n) ||
			    memchr(s, '\t', n) || (n && s[0] == '"'));

	if (quote)
		fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '$' && i + 1 < n && s[i + 1] == '$')
			i++;
		else if (s[i] == '"' && quote)
			fputc('"', f);
		fputc(s[i], f);
	}
	if (quote)
		fputc('"', f);
}

/* "ASN | prefix | CC | registry | date[ | NAME]" as a CSV row. */
static void geo_export_asn(struct geo_export *x, const struct store_value *v)
{
	const char *p = v->txt, *end = v->txt + v->txtlen, *f[6];
	size_t len[6];
	int n = 0;

	while (n < 6) {
		const char *sep = NULL;

		for (const char *q = p; n < 5 && q + 3 <= end; q++)
			if (memcmp(q, " | ", 3) == 0) {
				sep = q;
				break;
			}
		f[n] = p;
		len[n] = (size_t)((sep ? sep : end) - p);
		n++;
		if (!sep)
			break;
		p = sep + 3;
	}
	if (n < 5) {
		x->err = 1;
		return;
	}
	if (len[2]) {
		/* ip2asn's columns keep the country: start,end,asn,CC,name. */
		char net[64];
		uint8_t a[16];
		unsigned plen;
		int fam;
		char *slash;

		snprintf(net, sizeof(net), "%.*s", (int)len[1], f[1]);
		slash = strchr(net, '/');
		if (!slash) {
			x->err = 1;
			return;
		}
		*slash = '\0';
		plen = (unsigned)atoi(slash + 1);
		fam = strchr(net, ':') ? 6 : 4;
		if (inet_pton(fam == 4 ? AF_INET : AF_INET6, net, a) != 1) {
			x->err = 1;
			return;
		}
		fprintf(x->out, "%s\t", net);
		for (unsigned b = plen; b < (fam == 4 ? 32u : 128u); b++)
			a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, net, sizeof(net));
		fprintf(x->out, "%s\t%.*s\t%.*s\t", net, (int)len[0], f[0],
			(int)len[2], f[2]);
		if (n > 5)
			geo_export_field(x->out, f[5], len[5], 0);
		fputc('\n', x->out);
		return;
	}
	fprintf(x->out, "%.*s,%.*s", (int)len[1], f[1], (int)len[0], f[0]);
	if (n > 5) {
		fputc(',', x->out);
		geo_export_field(x->out, f[5], len[5], 1);
	}
	fputc('\n', x->out);
}

static int geo_export_cb(const struct store_ip_item *it, void *arg)
{
	struct geo_export *x = arg;
	struct store_value v;
	char addr[64], cc[3];

	if (it->excluded || !it->nvalues)
		return 0;
	if (store_value_get(x->rd, it->values[0], &v) < 0) {
		x->err = 1;
		return 0;
	}
	if (x->type == DS_COUNTRY) {
		inet_ntop(it->family == 4 ? AF_INET : AF_INET6, it->addr, addr,
			  sizeof(addr));
		if (!geo_a_cc(v.a, cc)) {
			x->err = 1;
			return 0;
		}
		fprintf(x->out, "%s/%u,%s\n", addr, it->plen, cc);
		return 0;
	}
	switch (geo_export_seen(x, it->values[0])) {
	case 0:
		if (v.txt)
			geo_export_asn(x, &v);
		return 0;
	case 1:
		return 0;
	default:
		x->err = 1;
		return 1;
	}
}

int ctl_export_geo(struct store_reader *rd, uint32_t dsid, enum ds_type type,
		   FILE *out)
{
	struct geo_export x = { .out = out, .rd = rd, .type = type };
	int rc;

	fprintf(out, type == DS_COUNTRY ? "network,country\n" :
		"network,asn,name\n");
	rc = store_iter_ip(rd, dsid, geo_export_cb, &x);
	free(x.seen);
	return rc < 0 ? rc : x.err ? STORE_EINVAL : 0;
}
