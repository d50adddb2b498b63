/* metrics_file.c -- the loader's metrics as a node_exporter textfile.
 *
 * Per dataset: the last attempt (time, result), the last good load (time,
 * lines, bad lines, seconds, records written), and counts of loads and
 * failures since the watch started; per trap dataset the hits, listings
 * and refused lines; for the store: its file size and free space.  Counters start at zero with each watch, as Prometheus expects of
 * a restarted process.
 */
#include "metrics_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define METRICS_FILE_EVERY_S 15   /* rewrite at least this often */

/* A dataset's values, in the order of mf_series below. */
enum { MF_ATTEMPT_AT, MF_OK, MF_LOADED_AT, MF_LINES, MF_BAD_LINES, MF_SECONDS,
	MF_WRITTEN, MF_LOADS, MF_FAILURES, MF_N };



/* A trap dataset's counters, in the order of mf_trap_series. */
enum { MT_HITS, MT_LISTED, MT_EXTENDED, MT_ALLOWED, MT_MALFORMED, MT_PRUNED,
	MT_RDNS_CONFIRMED, MT_RDNS_MISMATCH, MT_RDNS_NOPTR, MT_RDNS_TIMEOUT,
	MT_RDNS_FAILURE, MT_RDNS_DROPPED, MT_N };
#define MT_RDNS_FIRST MT_RDNS_CONFIRMED

/* A dataset's values: v[MF_*] of a load, or v[MT_*] of a trap dataset. */
#define MF_VALUES ((int)MF_N > (int)MT_N ? (int)MF_N : (int)MT_N)
struct mf_dataset {
	char *name;
	double v[MF_VALUES];
};

struct metrics_file {
	char *path;
	struct mf_dataset *ds;
	size_t nds;
	struct mf_dataset *traps;   /* v[MT_*] */
	size_t ntraps;
	struct mf_dataset *rdns;    /* v[MT_RDNS_*]: trap datasets with rdns */
	size_t nrdns;
	int dirty;
	int64_t written_at;
};

struct metrics_file *metrics_file_new(const char *path)
{
	struct metrics_file *mf = calloc(1, sizeof(*mf));

	if (!mf || !(mf->path = strdup(path))) {
		free(mf);
		return NULL;
	}
	mf->dirty = 1;
	return mf;
}

void metrics_file_free(struct metrics_file *mf)
{
	if (!mf)
		return;
	for (size_t i = 0; i < mf->nds; i++)
		free(mf->ds[i].name);
	free(mf->ds);
	for (size_t i = 0; i < mf->ntraps; i++)
		free(mf->traps[i].name);
	free(mf->traps);
	for (size_t i = 0; i < mf->nrdns; i++)
		free(mf->rdns[i].name);
	free(mf->rdns);
	free(mf->path);
	free(mf);
}

/* The entry of dataset `name` in list *ds (made if new). */
static struct mf_dataset *mf_find(struct mf_dataset **ds, size_t *n,
				  const char *name)
{
	struct mf_dataset *d;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*ds)[i].name, name) == 0)
			return &(*ds)[i];
	d = realloc(*ds, (*n + 1) * sizeof(*d));
	if (!d)
		return NULL;
	*ds = d;
	d = &d[*n];
	memset(d, 0, sizeof(*d));
	if (!(d->name = strdup(name)))
		return NULL;
	(*n)++;
	return d;
}

void metrics_file_event(struct metrics_file *mf,
			const struct feedwatch_event *ev, int64_t now)
{
	const struct dsload_report *r = ev->report;
	struct mf_dataset *d;

	if (!ev->dataset || !r ||
	    (ev->kind != FEEDWATCH_LOADED && ev->kind != FEEDWATCH_FAILED) ||
	    !(d = mf_find(&mf->ds, &mf->nds, ev->dataset)))
		return;
	d->v[MF_ATTEMPT_AT] = (double)now;
	d->v[MF_OK] = ev->kind == FEEDWATCH_LOADED;
	if (ev->kind == FEEDWATCH_LOADED) {
		d->v[MF_LOADS]++;
		d->v[MF_LOADED_AT] = (double)now;
		d->v[MF_LINES] = (double)r->lines;
		d->v[MF_BAD_LINES] = (double)r->warnings;
		d->v[MF_SECONDS] = r->parse_s + r->write_s;
		d->v[MF_WRITTEN] = (double)(r->stats.added + r->stats.removed);
	} else {
		d->v[MF_FAILURES]++;
	}
	mf->dirty = 1;
}

/* Sets values [from, to) of `d` to `v`, noting a change. */
static void mf_set(struct metrics_file *mf, struct mf_dataset *d,
		   const uint64_t *v, int from, int to)
{
	for (int k = from; d && k < to; k++) {
		if (d->v[k] != (double)v[k])
			mf->dirty = 1;
		d->v[k] = (double)v[k];
	}
}

void metrics_file_traps(struct metrics_file *mf, const char *dataset,
			const struct trap_ingest_stats *s,
			const struct rdns_stats *rs)
{
	const uint64_t v[MT_N] = {
		s->hits, s->listed, s->extended, s->allowed, s->malformed,
		s->pruned, rs ? rs->confirmed : 0, rs ? rs->mismatch : 0,
		rs ? rs->noptr : 0, rs ? rs->timeout : 0, rs ? rs->failure : 0,
		rs ? rs->dropped : 0 };

	mf_set(mf, mf_find(&mf->traps, &mf->ntraps, dataset), v, 0,
	       MT_RDNS_FIRST);
	if (rs)
		mf_set(mf, mf_find(&mf->rdns, &mf->nrdns, dataset), v,
		       MT_RDNS_FIRST, MT_N);
}

/* A label value with \, " and newline escaped. */
static void mf_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* One gauge or counter per dataset of `ds`: value `k` of each. */
static void mf_series(FILE *f, const struct mf_dataset *ds, size_t n,
		      const char *name, const char *type, const char *help,
		      int k)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s{dataset=\"", name);
		mf_label(f, ds[i].name);
		fprintf(f, "\"} %.17g\n", ds[i].v[k]);
	}
}

int metrics_file_write(struct metrics_file *mf, struct store *st, int64_t now,
		       char *err, size_t errlen)
{
	static const struct { const char *name, *type, *help; } series[MF_N] = {
		{ "dnsbl_loader_dataset_last_attempt_timestamp_seconds", "gauge",
		  "When the dataset was last loaded or tried." },
		{ "dnsbl_loader_dataset_last_attempt_ok", "gauge",
		  "1 if that attempt stored the data, 0 if it failed (the last good data stays)." },
		{ "dnsbl_loader_dataset_last_load_timestamp_seconds", "gauge",
		  "When the dataset was last stored." },
		{ "dnsbl_loader_dataset_lines", "gauge", "Lines read by the last good load." },
		{ "dnsbl_loader_dataset_bad_lines", "gauge",
		  "Bad lines skipped by the last good load." },
		{ "dnsbl_loader_dataset_load_seconds", "gauge",
		  "Parse and write time of the last good load." },
		{ "dnsbl_loader_dataset_records_written", "gauge",
		  "Records added and removed by the last good load (its diff)." },
		{ "dnsbl_loader_dataset_loads_total", "counter",
		  "Loads stored since the watch started." },
		{ "dnsbl_loader_dataset_failures_total", "counter",
		  "Loads that failed since the watch started." },
	};
	static const struct { const char *name, *help; } trap_series[MT_N] = {
		{ "dnsbl_loader_trap_hits_total", "Spam-trap hits committed." },
		{ "dnsbl_loader_trap_listed_total",
		  "Senders listed by the traps (new listings)." },
		{ "dnsbl_loader_trap_extended_total",
		  "Listings made longer by another hit." },
		{ "dnsbl_loader_trap_allowed_total",
		  "Hits on allow-listed or special-use addresses (ignored)." },
		{ "dnsbl_loader_trap_malformed_total",
		  "Hit lines refused as malformed." },
		{ "dnsbl_loader_trap_pruned_total",
		  "Counters of one-off senders pruned." },
		{ "dnsbl_loader_trap_rdns_confirmed_total",
		  "rDNS lookups: forward-confirmed." },
		{ "dnsbl_loader_trap_rdns_mismatch_total",
		  "rDNS lookups: a PTR name that does not resolve back." },
		{ "dnsbl_loader_trap_rdns_noptr_total",
		  "rDNS lookups: no PTR record (NXDOMAIN or none)." },
		{ "dnsbl_loader_trap_rdns_timeout_total",
		  "rDNS lookups that timed out (the resolver did not answer)." },
		{ "dnsbl_loader_trap_rdns_failure_total",
		  "rDNS lookups that failed otherwise." },
		{ "dnsbl_loader_trap_rdns_dropped_total",
		  "Senders not looked up because every lookup slot was busy." },
	};
	struct store_space sp;
	char tmp[4200];
	FILE *f;

	if (!mf->dirty && now - mf->written_at < METRICS_FILE_EVERY_S)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", mf->path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "metrics file %s: name too long", mf->path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "metrics file %s: %s", tmp, strerror(errno));
		return -1;
	}
	for (int k = 0; k < MF_N; k++)
		mf_series(f, mf->ds, mf->nds, series[k].name, series[k].type,
			  series[k].help, k);
	for (int k = 0; mf->ntraps && k < MT_RDNS_FIRST; k++)
		mf_series(f, mf->traps, mf->ntraps, trap_series[k].name,
			  "counter", trap_series[k].help, k);
	for (int k = MT_RDNS_FIRST; mf->nrdns && k < MT_N; k++)
		mf_series(f, mf->rdns, mf->nrdns, trap_series[k].name,
			  "counter", trap_series[k].help, k);
	if (store_space(st, &sp) == 0) {
		fprintf(f, "# HELP dnsbl_loader_store_file_bytes The store's data file.\n"
			"# TYPE dnsbl_loader_store_file_bytes gauge\n"
			"dnsbl_loader_store_file_bytes %" PRIu64 "\n"
			"# HELP dnsbl_loader_store_free_bytes Of it, free for reuse "
			"(a compaction returns it).\n"
			"# TYPE dnsbl_loader_store_free_bytes gauge\n"
			"dnsbl_loader_store_free_bytes %" PRIu64 "\n",
			sp.file_pages * sp.page_size, sp.free_pages * sp.page_size);
	}
	if (fclose(f) != 0 || rename(tmp, mf->path) < 0) {
		snprintf(err, errlen, "metrics file %s: %s", mf->path,
			 strerror(errno));
		unlink(tmp);
		return -1;
	}
	mf->dirty = 0;
	mf->written_at = now;
	return 0;
}
