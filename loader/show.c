/* show.c -- `dnsbl-loader show`: print what the store holds.
 *
 * Reads only the store (read-only, through the same reader API the server
 * uses), so what it prints is what dnsbld will serve: per dataset its type,
 * entries, serial, source files' identity and the `$` lines that describe
 * the zone.  Datasets of the config that are not stored say so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dname.h"
#include "loader.h"
#include "store.h"

/* "2026-11-28 11:00:00 UTC" (static buffer). */
static const char *show_time(int64_t t)
{
	static char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, sizeof(buf), "%" PRId64, t);
	return buf;
}

/* An absolute wire name as text with a trailing dot (static buffer). */
static const char *show_name(const uint8_t *wname, int which)
{
	static char bufs[2][DNAME_MAX * 4 + 2];
	char *buf = bufs[which & 1];
	int n;

	if (!wname)
		return "-";
	n = dname_to_text(wname, buf, sizeof(bufs[0]) - 1);
	if (n < 0)
		return "(bad name)";
	buf[n] = '.';
	buf[n + 1] = '\0';
	return buf;
}

static void show_meta(const struct ds_meta *m, const char *indent)
{
	if (m->soa.present)
		printf("%s$SOA       %" PRIu32 " %s %s %" PRIu32 " %" PRIu32 " %" PRIu32
		       " %" PRIu32 " %" PRIu32 "\n", indent, m->soa.ttl,
		       show_name(m->soa.mname, 0), show_name(m->soa.rname, 1),
		       m->soa.serial, m->soa.refresh, m->soa.retry, m->soa.expire,
		       m->soa.minimum);
	if (m->ns.count) {
		printf("%s$NS        %" PRIu32, indent, m->ns.ttl);
		for (size_t i = 0; i < m->ns.count && i < DS_MAX_NS; i++)
			printf(" %s", show_name(m->ns.names[i], 0));
		printf("\n");
	}
	if (m->ttl)
		printf("%s$TTL       %" PRIu32 "\n", indent, m->ttl);
	if (m->maxrange4)
		printf("%s$MAXRANGE4 %" PRIu32 "\n", indent, m->maxrange4);
	if (m->timestamp) {
		printf("%s$TIMESTAMP %s", indent, show_time(m->timestamp));
		if (m->expires)
			printf(", expires %s", show_time(m->expires));
		printf("\n");
	}
	for (int i = 0; i < 10; i++)
		if (m->vars[i])
			printf("%s$%d         %s\n", indent, i, m->vars[i]);
	if (m->base_template)
		printf("%s$=         %s\n", indent, m->base_template);
}

static void show_dataset(const struct store_dsmeta *m, const char *indent)
{
	printf("%sentries    %" PRIu64 "\n", indent, m->entries);
	printf("%sserial     %" PRIu32 "\n", indent, m->serial);
	if (m->loaded_at)
		printf("%sloaded     %s\n", indent, show_time(m->loaded_at));
	for (size_t i = 0; i < m->nsources; i++) {
		const struct store_source *s = &m->sources[i];

		printf("%ssource     %s size %" PRIu64 " mtime %s fnv1a %016" PRIx64
		       "\n", indent, s->path ? s->path : "-", s->size,
		       show_time(s->mtime), s->hash);
	}
	show_meta(&m->meta, indent);
	for (size_t i = 0; i < m->nchildren; i++) {
		const struct store_dschild *c = &m->children[i];
		char sub[128];

		printf("%s$DATASET   %s%s%s", indent,
		       c->meta ? ds_type_name(c->meta->type) : "?",
		       c->label ? ":" : "", c->label ? c->label : "");
		for (size_t j = 0; j < c->nsubzones; j++) {
			int n = c->subzones[j][0] ?
				dname_to_text(c->subzones[j], sub, sizeof(sub)) : -2;

			printf(" %s", n == -2 ? "@" : n < 0 ? "(bad)" : sub);
		}
		printf("\n");
		if (c->meta) {
			char deeper[64];

			snprintf(deeper, sizeof(deeper), "%s    ", indent);
			show_dataset(c->meta, deeper);
		}
	}
}

/* Prints one dataset; returns 0, or -1 on a store error. */
static int show_one(struct loader *ld, struct store_reader *rd,
		    const char *name, const char *note)
{
	const struct cfg_dataset *d = config_dataset(ld->cfg, name);
	struct store_dsmeta *m = NULL;
	int rc = store_dataset_meta(rd, name, &m);

	if (rc == STORE_ENOTFOUND) {
		printf("dataset %s (%s): not loaded\n", name,
		       d ? ds_type_name(d->type) : "?");
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s: cannot read its metadata (error %d)\n",
			ld->prog, name, rc);
		return -1;
	}
	printf("dataset %s (%s)%s\n", name, ds_type_name(m->type), note);
	show_dataset(m, "  ");
	store_dsmeta_free(m);
	return 0;
}

/* The zone table the loader stored (what a server following the store
 * serves): one line per zone.  0, or -1 if there is none or it is bad. */
static int show_zones(const struct loader *ld, struct store_reader *rd)
{
	struct store_zones *zt = NULL;
	int rc = store_get_zones(rd, &zt);

	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "%s: no zone table stored yet\n", ld->prog);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: the stored zone table is unreadable\n",
			ld->prog);
		return -1;
	}
	printf("zones (stored table, serial %" PRIu32 "):\n", zt->serial);
	for (size_t i = 0; i < zt->nzones; i++) {
		const struct cfg_zone *z = &zt->zones[i];

		printf("  %s serial %" PRIu32 " datasets", z->name, zt->serials[i]);
		for (size_t k = 0; k < z->ndatasets; k++)
			printf("%s%s", k ? "," : " ", z->datasets[k]);
		if (z->acl)
			printf(" acl %s", z->acl);
		printf("\n");
	}
	store_zones_free(zt);
	return 0;
}

int loader_cmd_zones(struct loader *ld, int nargs, char **args)
{
	struct store *st = NULL;
	struct store_reader *rd = NULL;
	char err[1024];
	int rc;

	(void)args;
	if (nargs) {
		fprintf(stderr, "%s: zones takes no arguments\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	if (store_open(&st, ld->cfg->store, STORE_READONLY, err,
		       sizeof(err)) < 0) {
		fprintf(stderr, "%s: store %s: %s\n", ld->prog, ld->cfg->store,
			err);
		return LOADER_EXIT_FAILED;
	}
	if (store_reader_new(st, &rd) < 0) {
		fprintf(stderr, "%s: store %s: cannot start a read transaction\n",
			ld->prog, ld->cfg->store);
		store_close(st);
		return LOADER_EXIT_FAILED;
	}
	rc = show_zones(ld, rd);
	store_reader_free(rd);
	store_close(st);
	return rc < 0 ? LOADER_EXIT_FAILED : LOADER_EXIT_OK;
}

int loader_cmd_show(struct loader *ld, int nargs, char **args)
{
	const struct config *cfg = ld->cfg;
	struct store *st = NULL;
	struct store_reader *rd = NULL;
	char **names = NULL;
	size_t nnames = 0;
	char err[1024];
	struct stat sb;
	int failed = 0;

	if (loader_check_names(ld, nargs, args) < 0)
		return LOADER_EXIT_USAGE;
	if (stat(cfg->store, &sb) < 0) {
		fprintf(stderr, "%s: store %s: %s (nothing loaded yet?)\n", ld->prog,
			cfg->store, strerror(errno));
		return LOADER_EXIT_FAILED;
	}
	if (store_open(&st, cfg->store, STORE_READONLY, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: store %s: %s\n", ld->prog, cfg->store, err);
		return LOADER_EXIT_FAILED;
	}
	if (store_reader_new(st, &rd) < 0 || store_reader_renew(rd) < 0) {
		fprintf(stderr, "%s: store %s: cannot start a read transaction\n",
			ld->prog, cfg->store);
		store_reader_free(rd);
		store_close(st);
		return LOADER_EXIT_FAILED;
	}
	if (nargs) {
		for (int i = 0; i < nargs; i++)
			failed |= show_one(ld, rd, args[i], "") < 0;
	} else {
		printf("store %s, generation %" PRIu64 "\n", cfg->store,
		       store_generation(rd));
		for (size_t i = 0; i < cfg->ndatasets; i++)
			failed |= show_one(ld, rd, cfg->datasets[i].name, "") < 0;
		/* Datasets stored earlier under names the config no longer has. */
		if (store_dataset_names(rd, &names, &nnames) < 0) {
			fprintf(stderr, "%s: cannot list the stored datasets\n", ld->prog);
			failed = 1;
		}
		for (size_t i = 0; i < nnames; i++) {
			if (!config_dataset(cfg, names[i]))
				failed |= show_one(ld, rd, names[i],
						   " [not in the config]") < 0;
			free(names[i]);
		}
		free(names);
	}
	store_reader_reset(rd);
	store_reader_free(rd);
	store_close(st);
	return failed ? LOADER_EXIT_FAILED : LOADER_EXIT_OK;
}
