/* watch.c -- `dnsbl-loader watch`: load everything, then follow the feeds.
 *
 * A thin runner around the watch engine (lib/feedwatch.c): it owns the
 * event loop and the signals and prints each event with a UTC timestamp.
 * Applied changes go to stdout (unless -q), failures and notes to stderr.
 * SIGTERM/SIGINT end it with status 0 (a load in progress finishes first:
 * signals are handled by the loop between loads); SIGHUP re-checks every
 * file now and retries failed datasets, like rbldnsd's HUP.  Every second
 * it also removes the hand-added entries whose `--for` time has passed
 * (store_expire: a read when nothing is due), so they expire with no
 * operator action wherever a watch runs, and rewrites the -m metrics file
 * when something changed (metrics_file.c).  Trap datasets with `socket:` or
 * `listen:` take hit lines there (trapsock.c), and those with `tail:` from
 * a log file followed (traptail.c), for as long as it runs.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "dsload.h"
#include "feedwatch.h"
#include "loader.h"
#include "metrics_file.h"
#include "sigevents.h"
#include "trapsock.h"

static void watch_on_event(void *arg, const struct feedwatch_event *ev)
{
	const struct loader *ld = arg;
	int failure = ev->kind == FEEDWATCH_FAILED ||
		      ev->kind == FEEDWATCH_CONFIG_FAILED ||
		      ev->kind == FEEDWATCH_NOTE;
	FILE *out = failure ? stderr : stdout;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (ld->metrics)
		metrics_file_event(ld->metrics, ev, loader_now());
	if (!failure && ld->quiet)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (failure)
		fprintf(out, "%s: %s %s\n", ld->prog, stamp, ev->message);
	else
		fprintf(out, "%s %s\n", stamp, ev->message);
	fflush(out);
}

/* The trap listeners' lines, as event lines. */
static void watch_on_trap_say(void *arg, int failure, const char *msg)
{
	struct feedwatch_event ev = {
		.kind = failure ? FEEDWATCH_NOTE : FEEDWATCH_LOADED,
		.message = msg,
	};

	watch_on_event(arg, &ev);
}

static void watch_on_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	fprintf(stderr, "dnsbl-loader watch: signal %d, stopping\n", (int)sig);
	event_base_loopbreak(arg);
}

/* The expiry sweep's timer: what it removed is an event line. */
struct watch_sweep {
	const struct loader *ld;
	struct store *st;
	struct trapsock **traps;   /* the trap listeners, once started */
};

static void watch_trap_metrics(void *arg, const char *dataset,
			       const struct trap_ingest_stats *s,
			       const struct rdns_stats *rs)
{
	metrics_file_traps(arg, dataset, s, rs);
}

static void watch_on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct watch_sweep *sw = arg;
	struct feedwatch_event ev = { .kind = FEEDWATCH_LOADED };
	char err[1024], line[1200];
	uint64_t n = 0;

	(void)fd;
	(void)what;
	if (sw->ld->metrics && *sw->traps)
		trapsock_report(*sw->traps, watch_trap_metrics, sw->ld->metrics);
	if (sw->ld->metrics &&
	    metrics_file_write(sw->ld->metrics, sw->st, loader_now(), err,
			       sizeof(err)) < 0)
		fprintf(stderr, "%s: %s\n", sw->ld->prog, err);
	if (store_expire(sw->st, loader_now(), "dnsbl-loader watch", &n,
			 err, sizeof(err)) < 0) {
		ev.kind = FEEDWATCH_NOTE;
		snprintf(line, sizeof(line), "expiry: FAILED: %s (next try in "
			 "a second)", err);
	} else if (n) {
		snprintf(line, sizeof(line), "expiry: %llu hand-added entr%s "
			 "expired (dnsbl-ctl history shows which)",
			 (unsigned long long)n, n == 1 ? "y" : "ies");
	} else {
		return;
	}
	ev.message = line;
	watch_on_event((void *)sw->ld, &ev);
}

static void watch_on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	feedwatch_recheck(arg);
}

int loader_cmd_watch(struct loader *ld, int nargs, char **args)
{
	struct feedwatch_options o;
	struct feedwatch *fw = NULL;
	struct event_base *base = NULL;
	struct sigevents *sigs = NULL;
	struct event *sweep = NULL;
	struct trapsock *traps = NULL;
	struct watch_sweep sw = { ld, NULL, &traps };
	const struct timeval second = { 1, 0 };
	char err[1024];
	int failed, rc = LOADER_EXIT_FAILED;
	size_t nfiles = 0;

	(void)args;
	if (nargs) {
		fprintf(stderr, "%s: watch takes no dataset names: it follows "
			"every dataset of the config\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.config_path = ld->cfg->path;
	o.load.accept_host_bits = ld->accept_host_bits;
	o.load.no_gunzip = ld->no_gunzip;
	o.load.max_logged = ld->max_logged;
	o.load.log = stderr;
	o.debounce_ms = ld->debounce_ms;
	o.recheck_s = ld->recheck_s;
	o.on_event = watch_on_event;
	o.arg = ld;
	/* The store is ours, so the expiry sweep shares the engine's. */
	if (dsload_open_store(ld->cfg->store, &sw.st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
		return LOADER_EXIT_FAILED;
	}
	o.store = sw.st;
	if (feedwatch_new(&fw, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
		store_close(sw.st);
		return LOADER_EXIT_FAILED;
	}
	base = event_base_new();
	if (!base) {
		fprintf(stderr, "%s: cannot set up the event loop\n", ld->prog);
		goto out;
	}
	const struct sigevent_spec specs[] = {
		{ SIGTERM, watch_on_stop, base },
		{ SIGINT, watch_on_stop, base },
		{ SIGHUP, watch_on_hup, fw },
	};
	if (sigevents_add(base, specs, sizeof(specs) / sizeof(specs[0]), &sigs,
			  err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
		goto out;
	}
	failed = feedwatch_load_all(fw);
	for (size_t i = 0; i < feedwatch_config(fw)->ndatasets; i++)
		nfiles += feedwatch_config(fw)->datasets[i].nfiles;
	sweep = event_new(base, -1, EV_PERSIST, watch_on_sweep, &sw);
	if (feedwatch_attach(fw, base) < 0 || !sweep ||
	    event_add(sweep, &second) < 0) {
		fprintf(stderr, "%s: cannot watch: event loop\n", ld->prog);
		goto out;
	}
	watch_on_sweep(-1, 0, &sw);   /* what expired while none ran */
	/* Trap hits: after the load, which made the trap datasets. */
	if (trapsock_start(&traps, base, sw.st, ld->cfg, watch_on_trap_say, ld,
			   err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
		goto out;
	}
	if (!ld->quiet) {
		printf("watching %s and %zu file%s of %zu dataset%s (%d failed, "
		       "kept as stored)\n", ld->cfg->path, nfiles,
		       nfiles == 1 ? "" : "s", feedwatch_config(fw)->ndatasets,
		       feedwatch_config(fw)->ndatasets == 1 ? "" : "s", failed);
		fflush(stdout);
	}
	event_base_dispatch(base);
	rc = LOADER_EXIT_OK;
out:
	trapsock_free(traps);
	if (sweep)
		event_free(sweep);
	feedwatch_free(fw);
	store_close(sw.st);
	sigevents_free(sigs);
	if (base)
		event_base_free(base);
	return rc;
}
