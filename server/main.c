/* main.c -- dnsbld: options, config, store, workers, signals.
 *
 * `dnsbld -c FILE` serves a YAML config; a command line with zone specs is
 * rbldnsd's and runs in dropin.c instead.
 *
 * The main thread only sets things up and waits for SIGTERM/SIGINT on its
 * own event loop; the workers (worker.c) do all the answering.  Sockets are
 * bound before any thread starts, so a bad listen address fails the start
 * with a clear message and exit status 1.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "config.h"
#include "dropin.h"
#include "listen_addr.h"
#include "log.h"
#include "rbldnsd_args.h"
#include "sigevents.h"
#include "store.h"
#include "worker.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dnsbld -c FILE [-f] [-l] [-w WORKERS] [-d]\n"
		"  -c FILE     the YAML config (zones, datasets, store, listen)\n"
		"  -f          stay in the foreground (the default)\n"
		"  -l          also log to syslog\n"
		"  -w WORKERS  worker threads (default: config `workers`, else one"
		" per core)\n"
		"  -d          debug logging\n");
}

static void main_on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(arg);
}

static void main_on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	log_info("SIGHUP ignored: store changes are picked up without a "
		 "reload");
}

int main(int argc, char **argv)
{
	const char *cfgfile = NULL;
	int use_syslog = 0, debug = 0, opt, rc = 1;
	long nworkers = 0;
	struct config *cfg = NULL;
	struct server srv;
	struct worker *workers = NULL;
	struct event_base *base = NULL;
	struct sigevents *sigs = NULL;
	char err[512];
	unsigned n = 0;

	/* zone specs on the command line: rbldnsd's command line */
	if (dropin_wanted(argc, argv))
		return dropin_main(argc, argv);
	while ((opt = getopt(argc, argv, "c:flw:dh")) != -1) {
		switch (opt) {
		case 'c':
			cfgfile = optarg;
			break;
		case 'f':
			break;
		case 'l':
			use_syslog = 1;
			break;
		case 'w':
			nworkers = strtol(optarg, NULL, 10);
			if (nworkers < 1 || nworkers > 1024) {
				fprintf(stderr, "dnsbld: -w %s: want 1..1024\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout);
			fprintf(stdout, "\nor rbldnsd's command line (zone specs "
				"instead of -c FILE):\n");
			rbldnsd_args_usage("dnsbld", stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!cfgfile || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("dnsbld", use_syslog, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);

	if (config_load(cfgfile, &cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 1;
	}
	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	atomic_init(&srv.tcp_clients, 0);
	if (store_open(&srv.store, cfg->store, STORE_READONLY, err,
		       sizeof(err)) < 0) {
		log_err("store %s: %s", cfg->store, err);
		goto out;
	}
	if (evthread_use_pthreads() < 0) {
		log_err("libevent has no pthreads support");
		goto out;
	}
	if (!nworkers)
		nworkers = cfg->workers;
	if (!nworkers)
		nworkers = worker_default_count();
	workers = calloc((size_t)nworkers, sizeof(*workers));
	base = event_base_new();
	if (!workers || !base) {
		log_err("out of memory");
		goto out;
	}
	/* Host and service names -> numeric addresses, once, before binding. */
	if (listen_resolve_config(cfg, AF_UNSPEC, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (listen_probe(&cfg->listen[i], SOCK_DGRAM, err,
				 sizeof(err)) < 0 ||
		    listen_probe(&cfg->listen[i], SOCK_STREAM, err,
				 sizeof(err)) < 0) {
			log_err("%s", err);
			goto out;
		}
	}
	for (n = 0; n < (unsigned)nworkers; n++) {
		if (worker_init(&workers[n], &srv, n, err, sizeof(err)) < 0) {
			log_err("%s", err);
			n++;
			goto out;
		}
	}
	const struct sigevent_spec specs[] = {
		{ SIGTERM, main_on_signal, base },
		{ SIGINT, main_on_signal, base },
		{ SIGHUP, main_on_hup, NULL },
	};
	if (sigevents_add(base, specs, sizeof(specs) / sizeof(specs[0]), &sigs,
			  err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		if (worker_start(&workers[i]) < 0) {
			log_err("cannot start worker %u", i);
			goto out;
		}
	}
	for (size_t i = 0; i < cfg->nlisten; i++)
		log_info("listening on %s port %s (udp, tcp)",
			 cfg->listen[i].host, cfg->listen[i].port);
	log_info("serving %zu zone(s) from %s with %u worker(s)", cfg->nzones,
		 cfg->store, n);
	event_base_dispatch(base);
	rc = 0;
out:
	for (unsigned i = 0; workers && i < n; i++)
		worker_stop(&workers[i]);
	for (unsigned i = 0; rc == 0 && workers && i < n; i++) {
		uint64_t q, d;

		worker_counts(&workers[i], &q, &d);
		log_info("worker %u: %llu queries, %llu dropped", i,
			 (unsigned long long)q, (unsigned long long)d);
	}
	for (unsigned i = 0; workers && i < n; i++)
		worker_free(&workers[i]);
	free(workers);
	sigevents_free(sigs);
	if (base)
		event_base_free(base);
	if (srv.store)
		store_close(srv.store);
	config_free(cfg);
	if (rc == 0)
		log_info("stopped");
	return rc;
}
