/* storeadmin.c -- show, zones, drop, compact: one copy for two programs.
 *
 * These commands moved from dnsbl-loader to dnsbl-ctl (the loader keeps
 * them as aliases).  `show` and `zones` read the store read-only, through
 * the reader API the server uses, so what they print is what dnsbld
 * serves; `drop` and `compact` write, each step in its own transaction.
 * Datasets of the config that are not stored, and stored ones the config
 * lacks, say so.
 */
#include "storeadmin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dname.h"
#include "dsload.h"

struct store *storeadmin_open(const struct storeadmin *sa, unsigned flags)
{
	struct store *st = NULL;
	struct stat sb;
	char err[1024];

	if (stat(sa->cfg->store, &sb) < 0) {
		fprintf(stderr, "%s: store %s: %s (nothing loaded yet?)\n",
			sa->prog, sa->cfg->store, strerror(errno));
		return NULL;
	}
	if (store_open(&st, sa->cfg->store, flags, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", sa->prog, err);   /* names the store */
		return NULL;
	}
	return st;
}

int storeadmin_check_names(const struct storeadmin *sa, int nargs,
			   char **args)
{
	for (int i = 0; i < nargs; i++) {
		if (!config_dataset(sa->cfg, args[i])) {
			fprintf(stderr, "%s: %s: no dataset named \"%s\"\n",
				sa->prog, sa->cfg->path, args[i]);
			return -1;
		}
	}
	return 0;
}

const char *storeadmin_time(int64_t t)
{
	static char bufs[2][64];
	static int turn;
	char *buf = bufs[turn++ & 1];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, 64, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, 64, "%" PRId64, t);
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
		printf("%s$TIMESTAMP %s", indent, storeadmin_time(m->timestamp));
		if (m->expires)
			printf(", expires %s", storeadmin_time(m->expires));
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
		printf("%sloaded     %s\n", indent, storeadmin_time(m->loaded_at));
	for (size_t i = 0; i < m->nsources; i++) {
		const struct store_source *s = &m->sources[i];

		printf("%ssource     %s size %" PRIu64 " mtime %s xxh64 %016" PRIx64
		       "\n", indent, s->path ? s->path : "-", s->size,
		       storeadmin_time(s->mtime), s->hash);
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
static int show_one(const struct storeadmin *sa, struct store_reader *rd,
		    const char *name, const char *note)
{
	const struct cfg_dataset *d = config_dataset(sa->cfg, name);
	struct store_dsmeta *m = NULL;
	int rc = store_dataset_meta(rd, name, &m);

	if (rc == STORE_ENOTFOUND) {
		printf("dataset %s (%s): not loaded\n", name,
		       d ? ds_type_name(d->type) : "?");
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s: cannot read its metadata (error %d)\n",
			sa->prog, name, rc);
		return -1;
	}
	printf("dataset %s (%s)%s%s\n", name, ds_type_name(m->type),
	       d && d->trap ? " [trap: listed by trap hits]" :
	       d && d->manual ? " [manual: edited with dnsbl-ctl]" : "", note);
	show_dataset(m, "  ");
	store_dsmeta_free(m);
	return 0;
}

/* The zone table the loader stored (what a server following the store
 * serves): one line per zone.  0, or -1 if there is none or it is bad. */
static int show_zones(const struct storeadmin *sa, struct store_reader *rd)
{
	struct store_zones *zt = NULL;
	int rc = store_get_zones(rd, &zt);

	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "%s: no zone table stored yet\n", sa->prog);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: the stored zone table is unreadable\n",
			sa->prog);
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

int storeadmin_zones(const struct storeadmin *sa, int nargs, char **args)
{
	struct store *st = NULL;
	struct store_reader *rd = NULL;
	int rc;

	(void)args;
	if (nargs) {
		fprintf(stderr, "%s: zones takes no arguments\n", sa->prog);
		return STOREADMIN_USAGE;
	}
	st = storeadmin_open(sa, STORE_READONLY);
	if (!st)
		return STOREADMIN_FAILED;
	if (store_reader_new(st, &rd) < 0) {
		fprintf(stderr, "%s: store %s: cannot start a read transaction\n",
			sa->prog, sa->cfg->store);
		store_close(st);
		return STOREADMIN_FAILED;
	}
	rc = show_zones(sa, rd);
	store_reader_free(rd);
	store_close(st);
	return rc < 0 ? STOREADMIN_FAILED : STOREADMIN_OK;
}

int storeadmin_show(const struct storeadmin *sa, int nargs, char **args)
{
	const struct config *cfg = sa->cfg;
	struct store *st = NULL;
	struct store_reader *rd = NULL;
	char **names = NULL;
	size_t nnames = 0;
	int failed = 0;

	if (storeadmin_check_names(sa, nargs, args) < 0)
		return STOREADMIN_USAGE;
	st = storeadmin_open(sa, STORE_READONLY);
	if (!st)
		return STOREADMIN_FAILED;
	if (store_reader_new(st, &rd) < 0 || store_reader_renew(rd) < 0) {
		fprintf(stderr, "%s: store %s: cannot start a read transaction\n",
			sa->prog, cfg->store);
		store_reader_free(rd);
		store_close(st);
		return STOREADMIN_FAILED;
	}
	if (nargs) {
		for (int i = 0; i < nargs; i++)
			failed |= show_one(sa, rd, args[i], "") < 0;
	} else {
		printf("store %s, generation %" PRIu64 "\n", cfg->store,
		       store_generation(rd));
		for (size_t i = 0; i < cfg->ndatasets; i++)
			failed |= show_one(sa, rd, cfg->datasets[i].name, "") < 0;
		/* Datasets stored earlier under names the config no longer has. */
		if (store_dataset_names(rd, &names, &nnames) < 0) {
			fprintf(stderr, "%s: cannot list the stored datasets\n", sa->prog);
			failed = 1;
		}
		for (size_t i = 0; i < nnames; i++) {
			if (!config_dataset(cfg, names[i]))
				failed |= show_one(sa, rd, names[i],
						   " [not in the config]") < 0;
			free(names[i]);
		}
		free(names);
	}
	store_reader_reset(rd);
	store_reader_free(rd);
	store_close(st);
	return failed ? STOREADMIN_FAILED : STOREADMIN_OK;
}

/* ---- drop, compact ------------------------------------------------------ */

int storeadmin_drop(const struct storeadmin *sa, int nargs, char **args)
{
	struct store *st = NULL;
	char err[1024];
	int failed = 0;

	if (nargs == 0) {
		fprintf(stderr, "%s: drop: name the datasets to remove\n", sa->prog);
		return STOREADMIN_USAGE;
	}
	st = storeadmin_open(sa, 0);
	if (!st)
		return STOREADMIN_FAILED;
	for (int i = 0; i < nargs; i++) {
		int rc = dsload_drop(st, args[i], err, sizeof(err));

		if (rc == STORE_ENOTFOUND) {
			fprintf(stderr, "%s: %s: not in the store\n", sa->prog, args[i]);
			failed++;
		} else if (rc < 0) {
			fprintf(stderr, "%s: %s: FAILED to drop: %s\n", sa->prog,
				args[i], err);
			failed++;
		} else if (!sa->quiet) {
			printf("%s: dropped\n", args[i]);
		}
	}
	storeadmin_compact_if_bloated(sa, st);
	store_close(st);
	return failed ? STOREADMIN_FAILED : STOREADMIN_OK;
}

int storeadmin_compact(const struct storeadmin *sa, int nargs, char **args)
{
	struct store_compact_stats cs;
	struct store *st = NULL;
	char err[1024], line[256];
	int rc;

	(void)args;
	if (nargs != 0) {
		fprintf(stderr, "%s: compact takes no dataset names\n", sa->prog);
		return STOREADMIN_USAGE;
	}
	st = storeadmin_open(sa, 0);
	if (!st)
		return STOREADMIN_FAILED;
	rc = store_compact(st, &cs, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "%s: store: FAILED to compact: %s\n", sa->prog, err);
		return STOREADMIN_FAILED;
	}
	if (!sa->quiet) {
		store_compact_describe(&cs, line, sizeof(line));
		printf("%s\n", line);
	}
	return STOREADMIN_OK;
}

void storeadmin_compact_if_bloated(const struct storeadmin *sa, struct store *st)
{
	struct store_compact_stats cs;
	char err[1024], line[256];
	int rc = store_compact_if_bloated(st, &cs, err, sizeof(err));

	if (rc < 0) {
		/* The data is stored and served: only space is not returned. */
		fprintf(stderr, "%s: store: could not compact (the data is "
			"stored): %s\n", sa->prog, err);
	} else if (rc > 0 && !sa->quiet) {
		store_compact_describe(&cs, line, sizeof(line));
		printf("%s\n", line);
	}
}
