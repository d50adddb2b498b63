/* server.h -- the one way dnsbld runs, whichever command line started it.
 *
 * `dnsbld -c FILE` (main.c) and rbldnsd's command line (dropin.c) each
 * turn their arguments into a `struct config` and a few options, then call
 * server_run: the same start-up (server.c), privilege drop (lib/daemon.c),
 * signals (signals.c), logs and counters (counters.c) and workers
 * (worker.c) serve both.  The only difference a mode makes is where the
 * data comes from: a store that dnsbl-loader fills (opened read-only), or
 * the loader built into the server (autoload.c), as rbldnsd reads its files
 * itself.
 */
#ifndef DNSBLD_SERVER_H
#define DNSBLD_SERVER_H

#include <stddef.h>

#include <event2/event.h>

#include "autoload.h"
#include "config.h"
#include "worker.h"

struct server_options {
	int debug;                   /* debug log lines */
	long workers;                /* 0 = the config's, else one per core */
	const char *workdir;         /* chdir here after the chroot (rbldnsd
	                                -w); NULL: "/" after a chroot */
	int paths_in_root;           /* the config's paths are already as seen
	                                inside the chroot (rbldnsd's) */
	int family;                  /* 4 or 6: listen names resolve to that
	                                family only (rbldnsd -4 / -6) */
	/* The built-in loader (rbldnsd mode), or NULL: serve a store that
	 * dnsbl-loader fills. */
	const struct autoload_options *autoload;
	int quick_start;             /* start even if a dataset failed */
	char *const *notes;          /* lines to log once at start */
	size_t nnotes;
};

/* Runs the server until SIGTERM or SIGINT.  Returns the exit status: 0
 * after a signal, 1 when the start failed (the reason is logged and, in the
 * background, makes the waiting parent exit 1). */
int server_run(struct config *cfg, const struct server_options *o);

/* ---- shared by server.c, signals.c and counters.c ----------------------- */

struct querylog;
struct querylog_buf;
struct qstats;
struct metrics_slot;
struct evhttp;

struct dnsbld {
	struct config *cfg;
	const struct server_options *o;
	struct autoload *al;           /* rbldnsd mode */
	struct store *own_store;       /* YAML mode: opened read-only */
	struct server srv;
	struct worker *workers;
	unsigned nworkers;
	struct event_base *base;       /* the main thread's: signals, timer */
	struct sigevents *sigs;
	struct event *stats_tick;      /* stats_file: a line every interval */
	struct querylog *qlog;         /* query_log */
	struct querylog_buf **qbufs;   /* one per responder */
	struct qstats *stats;          /* always counted (USR1/USR2, exit) */
	struct metrics_slot *mslots;   /* one per responder (metrics.h) */
	size_t nslots;                 /* responders: buffers, stats slots */
	struct evhttp *http;           /* metrics: the Prometheus endpoint */
	time_t started;
};

/* signals.c: TERM/INT stop, HUP re-checks and reopens the query log,
 * USR1/USR2 stats, and the stats file's timer.  0, or -1 logged. */
int signals_install(struct dnsbld *d);

/* counters.c: opens the query log.  0, or -1 logged. */
int counters_open_log(struct dnsbld *d);
/* counters.c: gives every responder its query log buffer, stats slot and
 * metrics slot.  0, or -1 logged. */
int counters_attach(struct dnsbld *d);
/* counters.c: reopens the query log (SIGHUP, for log rotation). */
void counters_reopen(struct dnsbld *d);
/* counters.c: a stats file line (`line`) or a bare timestamp. */
void counters_write(struct dnsbld *d, int line);
/* counters.c: USR1 (a stats line and the stats in the log) and USR2 (the
 * same, then the counters start over). */
void counters_report(struct dnsbld *d, int reset);
/* counters.c: at exit, after the workers stopped: a stats line, a bare
 * timestamp and the stats in the log, as rbldnsd does. */
void counters_final(struct dnsbld *d);
/* counters.c: frees the buffers (flushing them), the log and the stats. */
void counters_free(struct dnsbld *d);

#endif
