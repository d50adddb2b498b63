/* dnsbl_ctl_get.c -- dnsbl-ctl get ADDRESS|DOMAIN: who lists it, and why.
 *
 * Asks every stored dataset (a combined one section by section) the way
 * dnsbld does, in one read snapshot, and for each that lists the item
 * prints the entry that decided it (the longest covering prefix, the name
 * or the wildcard), each answer's A and its TXT expanded as served, the
 * zones serving the dataset, and where the entry came from: the line of
 * the source file (re-read with the feed parser, and said to be changed
 * if the file no longer is what was loaded), for a hand edit its
 * history record (who, when, why) and its expiry, for a spam-trap
 * listing its hits, expiry and rDNS (dnsbl_ctl_trap.c).
 */
#include "dnsbl_ctl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dname.h"
#include "entry_change.h"
#include "feed_entry.h"
#include "txt.h"

struct get_item {
	const char *text;
	int family;                  /* 4 or 6; 0: a domain */
	uint8_t addr[16];
	uint8_t name[DNAME_MAX];     /* relative wire name, lowercase */
	char subject[INET6_ADDRSTRLEN];
};

struct get_ctx {
	struct ctl *c;
	struct store_reader *rd;
	const struct get_item *it;
	int found;
};

static int get_parse(const char *s, struct get_item *it)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(it, 0, sizeof(*it));
	it->text = s;
	/* "[192.0.2.1]", as a mail log writes it. */
	if (n > 2 && n < sizeof(buf) && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET, s, it->addr) == 1)
		it->family = 4;
	else if (inet_pton(AF_INET6, s, it->addr) == 1)
		it->family = 6;
	if (it->family) {
		inet_ntop(it->family == 4 ? AF_INET : AF_INET6, it->addr,
			  it->subject, sizeof(it->subject));
		return 0;
	}
	/* A host-style name (an IDN in its xn-- form). */
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_.") != strlen(s) ||
	    dname_from_text(s, strlen(s), it->name, 1) <= 1)
		return -1;
	return 0;
}

static int get_type_takes(enum ds_type t, int family)
{
	return (ds_type_keys(t) & ds_keys_of_family(family)) != 0;
}

/* The answers of a match: A and the TXT as dnsbld expands it. */
static void get_answers(struct get_ctx *g, const struct store_dsmeta *m,
			const struct store_match *mt, const char *subject)
{
	static const char *const acl[] = { "", "=ignore", "=refuse", "=empty",
					   "=pass" };

	for (size_t i = 0; i < mt->nvalues; i++) {
		struct store_value v;
		char txt[TXT_MAX];
		int n;

		if (store_value_get(g->rd, mt->values[i], &v) < 0)
			continue;
		if (v.kind != VAL_LISTED) {
			printf("  action  %s\n", v.kind < 5 ? acl[v.kind] : "?");
			continue;
		}
		printf("  answer  %u.%u.%u.%u", v.a >> 24, (v.a >> 16) & 255,
		       (v.a >> 8) & 255, v.a & 255);
		n = txt_expand(v.txt, v.txtlen, &m->meta, subject, strlen(subject),
			       txt);
		if (n >= 0)
			printf(" \"%.*s\"", n, txt);
		else
			printf(" (no TXT)");
		printf("\n");
	}
}

/* Where a file-fed entry came from: the line of its source file. */
static void get_source_line(const struct store_dsmeta *m,
			    const struct feed_entry_want *want)
{
	const char **files = calloc(m->nsources ? m->nsources : 1,
				    sizeof(*files));
	char text[1024];
	unsigned long line;
	size_t f;

	for (size_t i = 0; files && i < m->nsources; i++)
		files[i] = m->sources[i].path;
	if (files && feed_entry_find(m->type, files, m->nsources, want, &f,
				     &line, text, sizeof(text)) == 1) {
		const struct store_source *s = &m->sources[f];
		struct stat sb;
		int same = stat(s->path, &sb) == 0 &&
			   (uint64_t)sb.st_size == s->size &&
			   (int64_t)sb.st_mtime == s->mtime;

		printf("  source  %s:%lu: %s%s\n", s->path, line, text,
		       same ? "" : "  (the file changed since it was loaded)");
	} else {
		/* A country or asn table's prefixes come from its rows merged
		 * (docs/GEO.md), not from one line each. */
		int geo = m->type == DS_COUNTRY || m->type == DS_ASN;

		for (size_t i = 0; i < m->nsources; i++)
			printf("  source  %s%s\n", m->sources[i].path,
			       geo ? "" : " (the line is no longer there)");
	}
	free(files);
}

static void get_source(struct get_ctx *g, const char *name,
		       const struct store_dsmeta *m,
		       const struct store_dsmeta *parent,
		       const struct feed_entry_want *want, int64_t expires)
{
	const struct cfg_dataset *d = config_dataset(g->c->cfg, name);
	struct entry_added ea;

	if (want->ip && ctl_get_trap(g->rd, name, m, want->ip->family,
				     want->ip->addr, expires)) {
		return;   /* a trap listing: its counter says why */
	} else if (parent) {   /* a combined file's section: its file */
		for (size_t i = 0; i < parent->nsources; i++)
			printf("  source  %s\n", parent->sources[i].path);
	} else if (d && d->manual) {
		if (entry_last_add(g->rd, name, m->type, want, &ea) == 1)
			printf("  source  added %s by %s: \"%s\"%s%s\n",
			       ctl_time(ea.time), ea.user, ea.entry,
			       ea.reason[0] ? ", reason: " : "", ea.reason);
		else
			printf("  source  a hand edit (no history record has "
			       "it)\n");
		if (expires)
			printf("  expires %s\n", ctl_time(expires));
	} else if (m->nsources) {
		get_source_line(m, want);
	}
}

/* One dataset, or one section of a combined one (`section` its label). */
static void get_dataset(void *arg, const char *name, const char *section,
			const struct store_dsmeta *m,
			const struct store_dsmeta *parent)
{
	struct get_ctx *g = arg;
	const struct get_item *it = g->it;
	struct feed_entry_want want = { 0 };
	struct ds_ip_entry ip = { 0 };
	struct ds_dn_entry dn = { 0 };
	struct store_match mt;
	char entry[DNAME_MAX * 4 + 64], zones[1024], subj[DNAME_MAX * 4];
	const char *subject = it->subject;
	int64_t expires = 0;
	int listed, excluded = 0;
	unsigned plen = 0;

	if (!get_type_takes(m->type, it->family))
		return;
	if (it->family) {
		listed = store_lookup_ip(g->rd, m->dsid, it->family, it->addr,
					 &mt) == 1;
		if (store_ip_covering(g->rd, m->dsid, it->family, it->addr,
				      &plen, &excluded) != 1)
			return;
		ip.family = (uint8_t)it->family;
		ip.plen = (uint8_t)plen;
		ip.excluded = (uint8_t)excluded;
		memcpy(ip.addr, it->addr, 16);
		for (unsigned b = plen; b < (it->family == 4 ? 32u : 128u); b++)
			ip.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		inet_ntop(it->family == 4 ? AF_INET : AF_INET6, ip.addr, entry,
			  sizeof(entry));
		snprintf(entry + strlen(entry), sizeof(entry) - strlen(entry),
			 "/%u", plen);
		want.ip = &ip;
		store_expiry_ip(g->rd, m->dsid, ip.family, ip.addr, plen,
				&expires);
	} else if (m->type == DS_DNSET) {
		listed = store_lookup_dn(g->rd, m->dsid, it->name, &mt, NULL) == 1;
		if (!listed)
			return;
		dn.name = mt.entry;
		dn.wild = !dname_equal(mt.entry, it->name);
		want.dn = &dn;
		dname_to_text(mt.entry, subj, sizeof(subj));
		subject = subj;
		snprintf(entry, sizeof(entry), "%s%s", dn.wild ? "*." : "", subj);
		store_expiry_dn(g->rd, m->dsid, dn.name, dn.wild, &expires);
	} else {
		struct store_rrset rs;
		struct store_rr rr;

		if (store_lookup_generic(g->rd, m->dsid, it->name, &rs) != 1)
			return;
		printf("%s in %s%s%s (generic):\n", it->text, name,
		       section ? " section " : "", section ? section : "");
		while (store_rrset_next(&rs, &rr)) {
			if (rr.type == 1 && rr.rdlen == 4)
				printf("  record  A %u.%u.%u.%u\n", rr.rdata[0],
				       rr.rdata[1], rr.rdata[2], rr.rdata[3]);
			else if (rr.type == 16 && rr.rdlen >= 1)
				printf("  record  TXT \"%.*s\"\n", rr.rdata[0],
				       (const char *)rr.rdata + 1);
			else
				printf("  record  type %u\n", rr.type);
		}
		g->found++;
		return;
	}
	printf("%s in %s%s%s (%s): %s%s\n", it->text, name,
	       section ? " section " : "", section ? section : "",
	       ds_type_name(m->type), excluded ? "!" : "", entry);
	if (excluded)
		printf("  answer  none: the entry excludes it\n");
	else if (listed)
		get_answers(g, m, &mt, subject);
	ctl_zones_of(g->c, g->rd, name, zones, sizeof(zones));
	printf("  zones   %s\n", zones[0] ? zones : "none");
	get_source(g, name, m, parent, &want, expires);
	g->found++;
}

int ctl_get(struct ctl *c, int argc, char **argv)
{
	struct get_ctx g = { .c = c };
	struct get_item it;
	struct store *st;
	int ex, i = ctl_operands(c, argc, argv, 1, 1, &ex);

	if (i < 0)
		return ex;
	if (get_parse(argv[i], &it) < 0) {
		fprintf(stderr, "%s: get: \"%s\" is not an IP address or a "
			"domain name\n", c->prog, argv[i]);
		return CTL_EXIT_USAGE;
	}
	g.it = &it;
	st = ctl_open_read(c, &g.rd);
	if (!st)
		return CTL_EXIT_FAILED;
	ex = CTL_EXIT_OK;
	if (entry_each_dataset(g.rd, get_dataset, &g) < 0) {
		fprintf(stderr, "%s: cannot list the stored datasets\n", c->prog);
		ex = CTL_EXIT_FAILED;
	}
	if (!g.found && ex == CTL_EXIT_OK)
		printf("%s: in no dataset\n", it.text);
	store_reader_free(g.rd);
	store_close(st);
	return ex;
}
