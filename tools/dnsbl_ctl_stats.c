/* dnsbl_ctl_stats.c -- dnsbl-ctl stats [--json]: the store at a glance.
 *
 * From one read snapshot: the store's size in pages (used and free, what
 * compaction would return), then per dataset its type, entries, serial,
 * last change and how it went (a load, a failed load that left the last
 * good data served, a hand edit, an expiry: lib/store_status.c), sources
 * and pending expiries, then per zone its datasets and the SOA serial
 * dnsbld serves.  The same facts as text or as one JSON object.
 */
#include "dnsbl_ctl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

struct stats {
	struct ctl *c;
	struct store_reader *rd;
	int json;
	int first;               /* JSON: no comma before the next item */
};

static int stats_opt(struct ctl *c, int ch, const char *arg, void *a)
{
	(void)c;
	(void)ch;
	(void)arg;
	((struct stats *)a)->json = 1;
	return CTL_EXIT_OK;
}

static const char *stats_kind(enum store_status_kind k)
{
	return k == STORE_STATUS_LOAD ? "load" : k == STORE_STATUS_EDIT ?
	       "edit" : k == STORE_STATUS_EXPIRE ? "expire" : "?";
}

/* ---- store ---------------------------------------------------------------- */

static void stats_store(struct stats *s, struct store *st)
{
	struct store_space sp = { 0 };
	uint64_t used, gen = store_generation(s->rd);

	store_space(st, &sp);
	used = sp.file_pages - sp.free_pages;
	if (s->json) {
		printf("{\"store\":{\"path\":");
		jsonw_str(stdout, s->c->cfg->store);
		printf(",\"instance\":%u,\"generation\":%" PRIu64 ",\"page_size\":%"
		       PRIu64 ",\"file_pages\":%" PRIu64 ",\"used_pages\":%" PRIu64
		       ",\"free_pages\":%" PRIu64 ",\"bytes\":%" PRIu64 "},",
		       sp.instance, gen, sp.page_size, sp.file_pages, used,
		       sp.free_pages, sp.file_pages * sp.page_size);
		return;
	}
	printf("store %s: instance v%u, generation %" PRIu64 ", %.1f MB "
	       "(%" PRIu64 " pages of %" PRIu64 " bytes: %" PRIu64 " used, %"
	       PRIu64 " free)\n", s->c->cfg->store, sp.instance, gen,
	       (double)(sp.file_pages * sp.page_size) / 1e6, sp.file_pages,
	       sp.page_size, used, sp.free_pages);
}

/* ---- datasets ------------------------------------------------------------- */

/* The last change and its result, as text. */
static void stats_change_text(const struct store_dsmeta *m, int manual,
			      const struct store_status *ss, int have)
{
	printf("  last change  ");
	if (have && ss->kind == STORE_STATUS_LOAD && !ss->ok)
		printf("%s: load FAILED: %s; serving what was stored %s\n",
		       ctl_time(ss->time), ss->message, ctl_time(m->loaded_at));
	else if (have)
		printf("%s: %s: records +%" PRIu64 " -%" PRIu64 ", ok\n",
		       ctl_time(ss->time), ss->message, ss->added, ss->removed);
	else if (manual)
		printf("%s: made empty by the loader, ok (no hand edit yet)\n",
		       ctl_time(m->loaded_at));
	else
		printf("%s: loaded from %zu file%s, ok\n", ctl_time(m->loaded_at),
		       m->nsources, m->nsources == 1 ? "" : "s");
}

static void stats_change_json(const struct store_dsmeta *m, int manual,
			      const struct store_status *ss, int have)
{
	printf(",\"last_change\":{\"time\":%" PRId64 ",\"kind\":",
	       have ? ss->time : m->loaded_at);
	jsonw_str(stdout, have ? stats_kind(ss->kind) : manual ? "create" :
		  "load");
	printf(",\"ok\":%s,\"message\":", !have || ss->ok ? "true" : "false");
	jsonw_str(stdout, have ? ss->message : "");
	if (have && ss->kind != STORE_STATUS_LOAD)
		printf(",\"added\":%" PRIu64 ",\"removed\":%" PRIu64, ss->added,
		       ss->removed);
	printf("}");
}

static void stats_sources(const struct stats *s, const struct store_dsmeta *m)
{
	for (size_t i = 0; i < m->nsources; i++) {
		const struct store_source *src = &m->sources[i];

		if (s->json) {
			printf("%s{\"path\":", i ? "," : "");
			jsonw_str(stdout, src->path);
			printf(",\"size\":%" PRIu64 ",\"mtime\":%" PRId64
			       ",\"xxh64\":\"%016" PRIx64 "\"}", src->size,
			       src->mtime, src->hash);
		} else {
			printf("  source       %s size %" PRIu64 " mtime %s xxh64 %016"
			       PRIx64 "\n", src->path, src->size,
			       ctl_time(src->mtime), src->hash);
		}
	}
}

static void stats_sections(const struct stats *s, const struct store_dsmeta *m)
{
	for (size_t i = 0; i < m->nchildren; i++) {
		const struct store_dschild *ch = &m->children[i];
		const char *type = ch->meta ? ds_type_name(ch->meta->type) : "?";
		uint64_t n = ch->meta ? ch->meta->entries : 0;

		if (s->json) {
			printf("%s{\"label\":", i ? "," : "");
			jsonw_str(stdout, ch->label);
			printf(",\"type\":\"%s\",\"entries\":%" PRIu64 "}", type, n);
		} else {
			printf("  section      %zu%s%s: %s, %" PRIu64 " entries\n",
			       i + 1, ch->label ? ":" : "",
			       ch->label ? ch->label : "", type, n);
		}
	}
}

/* One dataset (`d` its config entry, NULL if the config lacks it). */
static int stats_dataset(struct stats *s, const char *name,
			 const struct cfg_dataset *d)
{
	struct store_dsmeta *m = NULL;
	struct store_status ss;
	uint64_t pending = 0;
	int64_t first = 0;
	int manual = d && d->manual, rc, have;

	rc = store_dataset_meta(s->rd, name, &m);
	if (rc < 0 && rc != STORE_ENOTFOUND) {
		fprintf(stderr, "%s: %s: cannot read its metadata (%d)\n",
			s->c->prog, name, rc);
		return -1;
	}
	have = store_status_get(s->rd, name, &ss) == STORE_OK;
	if (m)
		store_expiry_pending(s->rd, m->dsid, &pending, &first);
	if (s->json) {
		printf("%s{\"name\":", s->first ? "" : ",");
		s->first = 0;
		jsonw_str(stdout, name);
		printf(",\"type\":\"%s\",\"manual\":%s,\"in_config\":%s,"
		       "\"stored\":%s", ds_type_name(m ? m->type : d->type),
		       manual ? "true" : "false", d ? "true" : "false",
		       m ? "true" : "false");
		if (m) {
			printf(",\"entries\":%" PRIu64 ",\"serial\":%" PRIu32
			       ",\"loaded_at\":%" PRId64, m->entries, m->serial,
			       m->loaded_at);
			stats_change_json(m, manual, &ss, have);
			printf(",\"sources\":[");
			stats_sources(s, m);
			printf("],\"sections\":[");
			stats_sections(s, m);
			printf("],\"expiries\":{\"pending\":%" PRIu64 ",\"first\":%"
			       PRId64 "}", pending, first);
		} else if (have) {
			printf(",\"last_change\":{\"time\":%" PRId64 ",\"kind\":"
			       "\"load\",\"ok\":false,\"message\":", ss.time);
			jsonw_str(stdout, ss.message);
			printf("}");
		}
		printf("}");
	} else if (!m) {
		printf("dataset %s (%s%s): not stored%s%s\n", name,
		       ds_type_name(d->type), manual ? ", manual" : "",
		       have ? ": load FAILED: " : "", have ? ss.message : "");
	} else {
		printf("dataset %s (%s%s): %" PRIu64 " entries, serial %" PRIu32
		       "%s\n", name, ds_type_name(m->type),
		       manual ? ", manual" : "", m->entries, m->serial,
		       d ? "" : " [not in the config]");
		stats_change_text(m, manual, &ss, have);
		stats_sources(s, m);
		stats_sections(s, m);
		if (pending)
			printf("  expiries     %" PRIu64 " pending, the first %s\n",
			       pending, ctl_time(first));
	}
	store_dsmeta_free(m);
	return 0;
}

/* ---- zones ---------------------------------------------------------------- */

/* The SOA serial dnsbld serves for zone `z` (server/zones.c decides it
 * the same way): the config's SOA takes the newest serial of the zone
 * and its datasets; a dataset's `$SOA` with a serial of its own keeps it. */
static uint32_t stats_soa_serial(struct stats *s, const struct cfg_zone *z,
				 uint32_t zone_serial)
{
	const struct ds_soa *dsoa = NULL;
	struct store_dsmeta **ms = calloc(z->ndatasets + 1, sizeof(*ms));
	uint32_t serial = zone_serial, out;

	for (size_t i = 0; ms && i < z->ndatasets; i++) {
		if (store_dataset_meta(s->rd, z->datasets[i], &ms[i]) != STORE_OK)
			continue;
		if (ms[i]->serial > serial)
			serial = ms[i]->serial;
		if (!dsoa && ms[i]->meta.soa.present)
			dsoa = &ms[i]->meta.soa;
	}
	if (!serial)
		serial = 1;
	out = !z->soa.present && dsoa && dsoa->serial ? dsoa->serial : serial;
	for (size_t i = 0; ms && i < z->ndatasets; i++)
		store_dsmeta_free(ms[i]);
	free(ms);
	return out;
}

static void stats_zones(struct stats *s)
{
	struct store_zones *zt = NULL;
	const struct cfg_zone *zones = s->c->cfg->zones;
	size_t nzones = s->c->cfg->nzones;

	if (store_get_zones(s->rd, &zt) == STORE_OK) {
		zones = zt->zones;
		nzones = zt->nzones;
	}
	for (size_t i = 0; i < nzones; i++) {
		const struct cfg_zone *z = &zones[i];
		uint32_t serial = stats_soa_serial(s, z, zt ? zt->serials[i] : 0);

		if (s->json) {
			printf("%s{\"name\":", i ? "," : "");
			jsonw_str(stdout, z->name);
			printf(",\"soa_serial\":%" PRIu32 ",\"datasets\":[", serial);
			for (size_t k = 0; k < z->ndatasets; k++) {
				printf("%s", k ? "," : "");
				jsonw_str(stdout, z->datasets[k]);
			}
			printf("],\"acl\":");
			jsonw_str(stdout, z->acl);
			printf("}");
		} else {
			printf("zone %s: SOA serial %" PRIu32 ", datasets", z->name,
			       serial);
			for (size_t k = 0; k < z->ndatasets; k++)
				printf("%s%s", k ? ", " : " ", z->datasets[k]);
			if (z->acl)
				printf(", acl %s", z->acl);
			printf("%s\n", zt ? "" : " (from the config: no zone table "
			       "stored yet)");
		}
	}
	store_zones_free(zt);
}

int ctl_stats(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats s = { .c = c, .first = 1 };
	const struct config *cfg = c->cfg;
	struct store *st;
	char **names = NULL;
	size_t n = 0;
	int ex, failed = 0, i = ctl_getopt(c, argc, argv, "", opts, stats_opt,
					    &s, &ex);

	if (i < 0)
		return ex;
	if (i != argc) {
		fprintf(stderr, "%s: stats takes no arguments but --json\n",
			c->prog);
		return CTL_EXIT_USAGE;
	}
	st = ctl_open_read(c, &s.rd);
	if (!st)
		return CTL_EXIT_FAILED;
	stats_store(&s, st);
	if (s.json)
		printf("\"datasets\":[");
	for (size_t k = 0; k < cfg->ndatasets; k++)
		failed |= stats_dataset(&s, cfg->datasets[k].name,
					&cfg->datasets[k]) < 0;
	/* Stored datasets the config no longer names. */
	if (store_dataset_names(s.rd, &names, &n) < 0)
		failed = 1;
	for (size_t k = 0; k < n; k++) {
		if (!config_dataset(cfg, names[k]))
			failed |= stats_dataset(&s, names[k], NULL) < 0;
		free(names[k]);
	}
	free(names);
	if (s.json)
		printf("],\"zones\":[");
	stats_zones(&s);
	if (s.json)
		printf("]}\n");
	store_reader_free(s.rd);
	store_close(st);
	return failed ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}
