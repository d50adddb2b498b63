/* dnsbl_web_lookup.c -- GET /api/v1/lookup/ITEM and GET /api/v1/stats.
 *
 * A lookup asks every stored dataset (a combined one section by section)
 * the way dnsbld does, in one read snapshot, as `dnsbl-ctl get` does, and
 * answers JSON: per dataset that has the item, the entry that decided, the
 * answers with their TXT as served, when it was listed and until when
 * (a hand edit's history record and expiry; a spam-trap listing's
 * counter: hits, first and last hit, times listed), then per zone whether
 * it lists the item and with which answers.  Nothing else of the store
 * shows: no file paths, no users, no internal ids.
 */
#include "dnsbl_web.h"

#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "dnsbl_qname.h"
#include "entry_change.h"
#include "feed_entry.h"
#include "jsonw.h"
#include "store_request.h"
#include "trap.h"
#include "txt.h"

int web_item_parse(const char *s, struct web_item *it, char *why,
		   size_t whylen)
{
	struct dnsbl_item di;
	const char *reason = NULL;

	memset(it, 0, sizeof(*it));
	/* lib/dnsbl_qname.c's rules, as dnsbl-query's; a lookup also wants
	 * a name of two labels at least (no TLD is listed). */
	if (dnsbl_item_parse(s, &di, &reason) < 0 ||
	    (di.kind == DNSBL_DOMAIN && !strchr(di.name, '.'))) {
		snprintf(why, whylen, "\"%.100s\" is not an IP address or a "
			 "domain name%s%s", s, reason ? ": " : "",
			 reason ? reason : "");
		return -1;
	}
	it->family = di.kind == DNSBL_IP4 ? 4 : di.kind == DNSBL_IP6 ? 6 : 0;
	memcpy(it->addr, di.addr, 16);
	dnsbl_item_text(&di, it->text, sizeof(it->text));
	if (!it->family &&
	    dname_from_text(di.name, strlen(di.name), it->name, 1) <= 1) {
		snprintf(why, whylen, "\"%.100s\" is not a domain name", s);
		return -1;
	}
	return 0;
}

/* ---- one dataset ---------------------------------------------------------- */

/* What a dataset says of the item, kept for the zones' part. */
struct lk_hit {
	char name[256];
	int listed;
	char *answers;             /* its answers array, as JSON text */
};

struct lk_ctx {
	struct web_req *r;
	struct store_reader *rd;
	const struct web_item *it;
	FILE *f;                   /* the datasets array */
	int first;
	struct lk_hit *hits;
	size_t nhits;
};

/* The answers of a match, JSON: [{"a": "127.0.0.2", "txt": "..."}]. */
static void lk_answers(struct lk_ctx *g, FILE *f, const struct store_dsmeta *m,
		       const struct store_match *mt, const char *subject)
{
	int n = 0;

	fputc('[', f);
	for (size_t i = 0; i < mt->nvalues; i++) {
		struct store_value v;
		char txt[TXT_MAX + 1];
		int tl;

		if (store_value_get(g->rd, mt->values[i], &v) < 0 ||
		    v.kind != VAL_LISTED)
			continue;
		fprintf(f, "%s{\"a\": \"%u.%u.%u.%u\", \"txt\": ", n++ ? ", " : "",
			v.a >> 24, (v.a >> 16) & 255, (v.a >> 8) & 255, v.a & 255);
		tl = txt_expand(v.txt, v.txtlen, &m->meta, subject,
				strlen(subject), txt);
		if (tl >= 0) {
			txt[tl] = '\0';
			jsonw_str(f, txt);
		} else {
			fputs("null", f);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

/* A trap dataset's counter for the item's sender prefix. */
static void lk_trap(struct lk_ctx *g, const struct store_dsmeta *m,
		    const struct cfg_dataset *d, FILE *f, int64_t *since)
{
	struct trap_counter c;
	uint8_t addr[16];
	unsigned plen = g->it->family == 4 ? 32 :
			(d && d->trap ? d->trap->prefix6 : 64);

	entry_prefix(g->it->family, g->it->addr, plen, addr, NULL, 0);
	if (store_trap_get(g->rd, m->dsid, g->it->family, addr, &c) != 1)
		return;
	if (c.listed_until > g->r->web->now)
		*since = c.last_listed;
	fprintf(f, ", \"trap\": {\"hits\": %u, \"first_hit\": ", c.hits);
	web_json_time(f, c.first);
	fputs(", \"last_hit\": ", f);
	web_json_time(f, c.last);
	fprintf(f, ", \"times_listed\": %u", c.times_listed);
	if (c.rdns.status != TRAP_RDNS_NONE) {
		static const char *const st[] = { "none", "confirmed",
			"mismatch", "no PTR", "timeout", "failure" };

		fprintf(f, ", \"rdns\": {\"status\": \"%s\", \"name\": ",
			c.rdns.status < 6 ? st[c.rdns.status] : "?");
		if (c.rdns.name[0])
			jsonw_str(f, c.rdns.name);
		else
			fputs("null", f);
		fputs("}", f);
	}
	fputs("}", f);
}

static struct lk_hit *lk_hit_new(struct lk_ctx *g, const char *name)
{
	struct lk_hit *h = realloc(g->hits, (g->nhits + 1) * sizeof(*h));

	if (!h)
		return NULL;
	g->hits = h;
	h = &g->hits[g->nhits];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	g->nhits++;
	return h;
}

/* One dataset, or one section of a combined one. */
static void lk_dataset(void *arg, const char *name, const char *section,
		       const struct store_dsmeta *m,
		       const struct store_dsmeta *parent)
{
	struct lk_ctx *g = arg;
	/* A combined file's section is a feed like its parent. */
	(void)parent;
	const struct web_item *it = g->it;
	const struct cfg_dataset *d = config_dataset(g->r->web->cfg, name);
	struct feed_entry_want want = { 0 };
	struct ds_ip_entry ip = { 0 };
	struct ds_dn_entry dn = { 0 };
	struct store_match mt;
	char entry[DNAME_MAX * 4 + 64], subj[DNAME_MAX * 4];
	const char *subject = it->text;
	int64_t expires = 0, since = 0;
	int listed = 0, excluded = 0, covered = 0;
	unsigned plen = 0;
	struct lk_hit *h;
	struct web_json aj;
	char *trap = NULL;
	size_t traplen = 0;
	FILE *tf;

	/* An acl says who may ask, and a country or asn table says where
	 * every address is: neither lists anyone. */
	if (m->type == DS_ACL || m->type == DS_COUNTRY || m->type == DS_ASN ||
	    !(ds_type_keys(m->type) & ds_keys_of_family(it->family)))
		return;
	memset(&mt, 0, sizeof(mt));
	if (it->family) {
		listed = store_lookup_ip(g->rd, m->dsid, it->family, it->addr,
					 &mt) == 1;
		covered = store_ip_covering(g->rd, m->dsid, it->family, it->addr,
					    &plen, &excluded) == 1;
		if (covered) {
			ip.family = (uint8_t)it->family;
			ip.plen = (uint8_t)plen;
			ip.excluded = (uint8_t)excluded;
			entry_prefix(it->family, it->addr, plen, ip.addr, entry,
				     sizeof(entry));
			want.ip = &ip;
			store_expiry_ip(g->rd, m->dsid, ip.family, ip.addr, plen,
					&expires);
		}
	} else if (m->type == DS_DNSET) {
		listed = store_lookup_dn(g->rd, m->dsid, it->name, &mt, NULL) == 1;
		if (listed) {
			covered = 1;
			dn.name = mt.entry;
			dn.wild = !dname_equal(mt.entry, it->name);
			want.dn = &dn;
			dname_to_text(mt.entry, subj, sizeof(subj));
			subject = subj;
			snprintf(entry, sizeof(entry), "%s%s", dn.wild ? "*." : "",
				 subj);
			store_expiry_dn(g->rd, m->dsid, dn.name, dn.wild,
					&expires);
		}
	}
	/* A trap dataset's counter shows even below its threshold. */
	tf = open_memstream(&trap, &traplen);
	if (tf && m->type == DS_TRAP && it->family)
		lk_trap(g, m, d, tf, &since);
	if (tf)
		fclose(tf);
	if (!covered && traplen == 0) {
		free(trap);
		return;
	}
	h = lk_hit_new(g, name);
	if (!h || web_json_open(&aj) < 0) {
		g->nhits -= h != NULL;   /* no answers: not kept */
		free(trap);
		return;
	}
	h->listed = listed && !excluded;
	if (h->listed)
		lk_answers(g, aj.f, m, &mt, subject);
	else
		fputs("[]", aj.f);
	fclose(aj.f);
	h->answers = aj.buf;
	if (covered && m->type != DS_TRAP && d && d->manual) {
		struct entry_added ea;

		if (entry_last_add(g->rd, name, m->type, &want, &ea) == 1)
			since = ea.time;
	}
	fprintf(g->f, "%s\n  {\"dataset\": ", g->first ? "" : ",");
	g->first = 0;
	jsonw_str(g->f, name);
	if (section) {
		fputs(", \"section\": ", g->f);
		jsonw_str(g->f, section);
	}
	fprintf(g->f, ", \"type\": \"%s\", \"listed\": %s, \"entry\": ",
		ds_type_name(m->type), h->listed ? "true" : "false");
	if (covered)
		jsonw_str(g->f, entry);
	else
		fputs("null", g->f);
	fprintf(g->f, ", \"excluded\": %s, \"answers\": %s, \"source\": \"%s\""
		", \"since\": ", excluded ? "true" : "false", h->answers,
		m->type == DS_TRAP ? "spam traps" : d && d->manual ? "by hand" :
		"feed");
	web_json_time(g->f, since);
	fputs(", \"until\": ", g->f);
	web_json_time(g->f, expires);
	fprintf(g->f, ", \"self_delist\": %s%s}", d && d->self_delist ?
		"true" : "false", trap ? trap : "");
	free(trap);
}

/* The names the config gives the zone's return codes (`codes:`), so a
 * reader learns what 127.0.0.4 means there. */
static void lk_codes(struct lk_ctx *g, const char *zone, FILE *f)
{
	const struct config *cfg = g->r->web->cfg;

	for (size_t i = 0; i < cfg->nzones; i++) {
		const struct cfg_zone *z = &cfg->zones[i];

		if (strcmp(z->name, zone) != 0 || !z->ncodes)
			continue;
		fputs(", \"codes\": {", f);
		for (size_t k = 0; k < z->ncodes; k++) {
			uint32_t a = z->codes[k].a;

			fprintf(f, "%s\"%u.%u.%u.%u\": ", k ? ", " : "", a >> 24,
				(a >> 16) & 255, (a >> 8) & 255, a & 255);
			jsonw_str(f, z->codes[k].name);
		}
		fputs("}", f);
	}
}

static void lk_zones(struct lk_ctx *g, FILE *f)
{
	struct store_zones *zt = NULL;
	const struct cfg_zone *zones = g->r->web->cfg->zones;
	size_t nzones = g->r->web->cfg->nzones;

	/* What the server serves: the stored table once a loader wrote it. */
	if (store_get_zones(g->rd, &zt) == STORE_OK) {
		zones = zt->zones;
		nzones = zt->nzones;
	}
	fputs("\"zones\": [", f);
	for (size_t i = 0; i < nzones; i++) {
		int listed = 0, n = 0;

		for (size_t k = 0; k < zones[i].ndatasets; k++)
			for (size_t h = 0; h < g->nhits; h++)
				if (strcmp(zones[i].datasets[k], g->hits[h].name) == 0)
					listed |= g->hits[h].listed;
		fprintf(f, "%s\n  {\"zone\": ", i ? "," : "");
		jsonw_str(f, zones[i].name);
		fprintf(f, ", \"listed\": %s, \"datasets\": [",
			listed ? "true" : "false");
		for (size_t k = 0; k < zones[i].ndatasets; k++)
			for (size_t h = 0; h < g->nhits; h++)
				if (g->hits[h].listed &&
				    strcmp(zones[i].datasets[k], g->hits[h].name) == 0) {
					fputs(n++ ? ", " : "", f);
					jsonw_str(f, g->hits[h].name);
				}
		fputs("], \"answers\": [", f);
		n = 0;
		for (size_t k = 0; k < zones[i].ndatasets; k++)
			for (size_t h = 0; h < g->nhits; h++)
				if (g->hits[h].listed &&
				    strcmp(zones[i].datasets[k], g->hits[h].name) == 0 &&
				    strcmp(g->hits[h].answers, "[]") != 0)
					fprintf(f, "%s%.*s", n++ ? ", " : "",
						(int)strlen(g->hits[h].answers) - 2,
						g->hits[h].answers + 1);
		fputs("]", f);
		lk_codes(g, zones[i].name, f);
		fputs("}", f);
	}
	fputs("]", f);
	store_zones_free(zt);
}

void web_lookup(struct web_req *r, const char *text)
{
	struct lk_ctx g = { .r = r, .first = 1 };
	struct web_item it;
	struct web_json j, ds;
	char why[256];
	int any = 0;

	if (web_item_parse(text, &it, why, sizeof(why)) < 0) {
		web_error(r, 400, "%s", why);
		return;
	}
	g.it = &it;
	if (!(g.rd = web_reader(r)))
		return;
	if (web_json_open(&j) < 0 || web_json_open(&ds) < 0) {
		store_reader_free(g.rd);
		web_error(r, 500, "out of memory");
		return;
	}
	g.f = ds.f;
	entry_each_dataset(g.rd, lk_dataset, &g);
	fclose(ds.f);
	for (size_t h = 0; h < g.nhits; h++)
		any |= g.hits[h].listed;
	fputs("{\"query\": ", j.f);
	jsonw_str(j.f, it.text);
	fprintf(j.f, ", \"kind\": \"%s\", \"listed\": %s, \"now\": ",
		it.family == 4 ? "ipv4" : it.family == 6 ? "ipv6" : "domain",
		any ? "true" : "false");
	web_json_time(j.f, r->web->now);
	fprintf(j.f, ",\n\"datasets\": [%s],\n", ds.buf);
	lk_zones(&g, j.f);
	fputs("}", j.f);
	free(ds.buf);
	for (size_t h = 0; h < g.nhits; h++)
		free(g.hits[h].answers);
	free(g.hits);
	store_reader_free(g.rd);
	web_json_send(r, 200, &j);
}

/* ---- stats ---------------------------------------------------------------- */

static int st_pending(const struct store_request *q, void *arg)
{
	*(unsigned *)arg += strcmp(q->outcome, "pending") == 0;
	return 0;
}

void web_stats(struct web_req *r)
{
	struct store_reader *rd = web_reader(r);
	struct store_zones *zt = NULL;
	struct web_json j;
	char **names = NULL;
	size_t n = 0;
	unsigned pending = 0;

	if (!rd)
		return;
	if (web_json_open(&j) < 0) {
		store_reader_free(rd);
		web_error(r, 500, "out of memory");
		return;
	}
	fputs("{\"now\": ", j.f);
	web_json_time(j.f, r->web->now);
	fputs(",\n\"datasets\": [", j.f);
	if (store_dataset_names(rd, &names, &n) < 0)
		n = 0;
	for (size_t k = 0; k < n; k++) {
		struct store_dsmeta *m = NULL;

		if (store_dataset_meta(rd, names[k], &m) == STORE_OK &&
		    m->type != DS_ACL) {
			fprintf(j.f, "%s\n  {\"dataset\": ", k ? "," : "");
			jsonw_str(j.f, m->name);
			fprintf(j.f, ", \"type\": \"%s\", \"entries\": %llu, "
				"\"serial\": %u, \"changed\": ",
				ds_type_name(m->type),
				(unsigned long long)m->entries, m->serial);
			web_json_time(j.f, m->loaded_at);
			fputc('}', j.f);
		}
		store_dsmeta_free(m);
		free(names[k]);
	}
	free(names);
	fputs("],\n\"zones\": [", j.f);
	if (store_get_zones(rd, &zt) == STORE_OK) {
		for (size_t i = 0; i < zt->nzones; i++) {
			fprintf(j.f, "%s\n  {\"zone\": ", i ? "," : "");
			jsonw_str(j.f, zt->zones[i].name);
			fputs(", \"datasets\": [", j.f);
			for (size_t k = 0; k < zt->zones[i].ndatasets; k++) {
				fputs(k ? ", " : "", j.f);
				jsonw_str(j.f, zt->zones[i].datasets[k]);
			}
			fputs("]}", j.f);
		}
	}
	store_zones_free(zt);
	store_iter_requests(rd, 0, st_pending, &pending);
	fprintf(j.f, "],\n\"requests_pending\": %u}", pending);
	store_reader_free(rd);
	web_json_send(r, 200, &j);
}
