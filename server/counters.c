/* counters.c -- the query log and the per-zone stats (rbldnsd's -l, -s).
 *
 * Every responder (each UDP thread, each TCP loop) gets a query log buffer
 * and a stats slot of its own, so counting and logging take no lock on the
 * query path; the main thread sums the slots for the stats file, USR1/USR2,
 * the exit lines and the metrics endpoint.  The zones counted are the config's at start (a zone
 * a loader adds later counts in the total only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "qstats.h"
#include "querylog.h"
#include "server.h"

int counters_open_log(struct dnsbld *d)
{
	char spec[4096], err[512];

	if (!d->cfg->query_log)
		return 0;
	snprintf(spec, sizeof(spec), "%s%s",
		 d->cfg->query_log_unbuffered ? "+" : "", d->cfg->query_log);
	if (querylog_open(&d->qlog, spec, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	querylog_set_json(d->qlog, d->cfg->query_log_format == CFG_QLOG_JSON);
	return 0;
}

int counters_attach(struct dnsbld *d)
{
	const struct config *cfg = d->cfg;
	const char **names = calloc(cfg->nzones ? cfg->nzones : 1,
				    sizeof(*names));
	size_t slot = 0;

	d->nslots = 0;
	for (unsigned i = 0; i < d->nworkers; i++)
		d->nslots += 1 + d->workers[i].nudp;
	if (!names)
		goto oom;
	for (size_t i = 0; i < cfg->nzones; i++)
		names[i] = cfg->zones[i].name;
	d->stats = qstats_new(names, cfg->nzones, (unsigned)d->nslots,
			      cfg->stats_relative, time(NULL));
	free(names);
	d->qbufs = calloc(d->nslots, sizeof(*d->qbufs));
	d->mslots = aligned_alloc(_Alignof(struct metrics_slot),
				  d->nslots * sizeof(*d->mslots));
	if (!d->stats || !d->qbufs || !d->mslots)
		goto oom;
	memset(d->mslots, 0, d->nslots * sizeof(*d->mslots));
	for (unsigned i = 0; i < d->nworkers; i++) {
		struct worker *w = &d->workers[i];

		for (size_t k = 0; k <= w->nudp; k++, slot++) {
			struct responder *r = k < w->nudp ? &w->udp[k].r : &w->r;

			r->qc.stats = d->stats;
			r->qc.stats_slot = (unsigned)slot;
			r->qc.metrics = &d->mslots[slot];
			if (!d->qlog)
				continue;
			if (!(d->qbufs[slot] = querylog_buf_new(d->qlog)))
				goto oom;
			r->qc.qlog = d->qbufs[slot];
		}
	}
	return 0;
oom:
	log_err("out of memory");
	return -1;
}

void counters_reopen(struct dnsbld *d)
{
	char err[512];

	if (d->qlog && querylog_reopen(d->qlog, err, sizeof(err)) < 0)
		log_err("%s", err);
}

void counters_write(struct dnsbld *d, int line)
{
	time_t now = time(NULL);
	char err[512], *text = NULL;

	if (!d->cfg->stats_file || !d->stats)
		return;
	if (line && !(text = qstats_line(d->stats, now))) {
		log_err("stats: out of memory");
		return;
	}
	if (qstats_append(d->cfg->stats_file, now, text, err, sizeof(err)) < 0)
		log_err("%s", err);
	free(text);
}

static void counters_log_line(const char *line, void *arg)
{
	(void)arg;
	log_info("%s", line);
}

void counters_report(struct dnsbld *d, int reset)
{
	time_t now = time(NULL);

	if (!d->stats)
		return;
	counters_write(d, 1);
	qstats_log(d->stats, now, counters_log_line, NULL);
	if (reset) {
		qstats_reset(d->stats, now);
		counters_write(d, 0);
	}
}

void counters_final(struct dnsbld *d)
{
	if (!d->stats)
		return;
	counters_write(d, 1);
	counters_write(d, 0);
	qstats_log(d->stats, time(NULL), counters_log_line, NULL);
}

void counters_free(struct dnsbld *d)
{
	for (size_t i = 0; d->qbufs && i < d->nslots; i++)
		if (d->qbufs[i])
			querylog_buf_free(d->qbufs[i]);
	free(d->qbufs);
	d->qbufs = NULL;
	if (d->qlog)
		querylog_close(d->qlog);
	d->qlog = NULL;
	qstats_free(d->stats);
	d->stats = NULL;
	free(d->mslots);
	d->mslots = NULL;
}
