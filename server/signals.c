/* signals.c -- what each signal means to dnsbld, in both of its modes.
 *
 * TERM and INT stop the server (exit status 0).  HUP reopens the query log
 * (log rotation) and, with the built-in loader, re-checks the data files
 * now; a store that dnsbl-loader fills needs nothing, since the server
 * follows it by itself.  USR1 writes a stats line and logs the stats, USR2
 * does the same and then starts the counters over, as rbldnsd does.  All of
 * them run on the main thread's event loop, never in a signal handler.
 */
#include <signal.h>
#include <string.h>

#include "log.h"
#include "sdnotify.h"
#include "sigevents.h"
#include "server.h"

static void signals_on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct dnsbld *d = arg;

	(void)what;
	log_info("signal %d: terminating", (int)sig);
	event_base_loopbreak(d->base);
}

static void signals_on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct dnsbld *d = arg;

	(void)sig;
	(void)what;
	sdnotify_reloading();   /* to systemd: reloading, then READY=1 */
	counters_reopen(d);
	if (d->al)
		autoload_hup(d->al);
	else
		log_info("SIGHUP: %s; store changes are served without a "
			 "signal", d->qlog ? "query log reopened"
					   : "no query log to reopen");
	sdnotify_send("READY=1");
}

static void signals_on_usr(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	counters_report(arg, sig == SIGUSR2);
}

static void signals_on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	counters_write(arg, 1);
}

int signals_install(struct dnsbld *d)
{
	const struct sigevent_spec specs[] = {
		{ SIGTERM, signals_on_stop, d },
		{ SIGINT, signals_on_stop, d },
		{ SIGHUP, signals_on_hup, d },
		{ SIGUSR1, signals_on_usr, d },
		{ SIGUSR2, signals_on_usr, d },
	};
	char err[512];

	if (sigevents_add(d->base, specs, sizeof(specs) / sizeof(specs[0]),
			  &d->sigs, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	if (d->cfg->stats_file && d->cfg->stats_interval) {
		struct timeval tv = { (time_t)d->cfg->stats_interval, 0 };

		d->stats_tick = event_new(d->base, -1, EV_PERSIST,
					  signals_on_tick, d);
		if (!d->stats_tick || event_add(d->stats_tick, &tv) < 0) {
			log_err("cannot arm the stats timer");
			return -1;
		}
	}
	return 0;
}
