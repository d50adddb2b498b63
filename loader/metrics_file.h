/* metrics_file.h -- `dnsbl-loader watch -m FILE`: metrics for Prometheus's
 * node_exporter (its textfile collector).
 *
 * The loader has no socket to scrape; node_exporter reads *.prom files
 * from a directory instead.  The file is rewritten (a temporary file
 * renamed over it, so a reader never sees half of one) when a dataset is
 * loaded or fails, when trap counters move, and every few seconds for the
 * store's size.
 */
#ifndef DNSBLD_LOADER_METRICS_FILE_H
#define DNSBLD_LOADER_METRICS_FILE_H

#include "feedwatch.h"
#include "store.h"
#include "rdns.h"
#include "trap.h"

struct metrics_file;

/* A writer of `path` (NULL on out of memory); nothing is written yet. */
struct metrics_file *metrics_file_new(const char *path);
void metrics_file_free(struct metrics_file *mf);

/* Takes one watch event into account (loads and failures of datasets). */
void metrics_file_event(struct metrics_file *mf,
			const struct feedwatch_event *ev, int64_t now);

/* Takes the counters of trap dataset `dataset` (hits, listings, ...)
 * since the watch started, and of its rDNS lookups (`rs`, NULL when it
 * does none). */
void metrics_file_traps(struct metrics_file *mf, const char *dataset,
			const struct trap_ingest_stats *s,
			const struct rdns_stats *rs);

/* Rewrites the file if something changed, or every few seconds anyway (the
 * store's size moves with compactions).  0, or -1 with `err` saying why
 * (the next call tries again). */
int metrics_file_write(struct metrics_file *mf, struct store *st, int64_t now,
		       char *err, size_t errlen);

#endif
