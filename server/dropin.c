/* dropin.c -- rbldnsd mode: specs -> store -> serve -> watch -> signals.
 *
 * Why one file: this is the start-up sequence rbldnsd users rely on, in
 * rbldnsd's order (resolve the user, pid file, chroot, chdir, load, bind,
 * drop privileges), wiring the tested lib/ pieces together.  The store is
 * opened once, read-write, and shared by the workers' readers and the watch
 * engine's thread (LMDB must not be opened twice in one process).
 */
#include "dropin.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "daemon.h"
#include "dsload.h"
#include "feedwatch.h"
#include "listen_addr.h"
#include "log.h"
#include "qstats.h"
#include "querylog.h"
#include "rbldnsd_args.h"
#include "sigevents.h"
#include "store.h"
#include "worker.h"
#include "zonedump.h"

#ifndef DNSBLD_VERSION
#define DNSBLD_VERSION "0.1"
#endif

/* rbldnsd's options that take an argument (lib/rbldnsd_args.c's string). */
static const char dropin_argopts[] = "urbwtcplsFxX";

int dropin_wanted(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "--") == 0)
			return i + 1 < argc;
		if (strcmp(s, "--store") == 0) {
			i++;
			continue;
		}
		if (s[0] != '-' || s[1] == '\0')
			return 1;
		if (s[1] == '-')
			continue;
		/* A cluster of flags; the first that takes an argument takes
		 * the rest of the word, or the next word. */
		for (const char *p = s + 1; *p; p++) {
			if (strchr(dropin_argopts, *p)) {
				if (p[1] == '\0')
					i++;
				break;
			}
		}
	}
	return 0;
}

/* Everything the mode holds, for one clean-up path. */
struct dropin {
	struct rbldnsd_args a;
	struct store *store;
	struct feedwatch *fw;
	int fw_running;
	struct server srv;
	struct worker *workers;
	unsigned nworkers;
	struct event_base *base;
	struct sigevents *sigs;        /* TERM, INT, HUP, USR1, USR2 */
	struct event *stats_tick;      /* -s with -c: a line every interval */
	struct querylog *qlog;         /* -l */
	struct querylog_buf **qbufs;   /* one per responder */
	struct qstats *stats;          /* always counted (USR1, exit) */
	size_t nslots;                 /* responders: buffers, stats slots */
};

static void dropin_on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct dropin *d = arg;

	(void)what;
	log_info("signal %d: terminating", (int)sig);
	event_base_loopbreak(d->base);
}

/* Loads every dataset now in this thread (only when the watch thread does
 * not run: one writer at a time), keeping the last good data of a dataset
 * that fails. */
static void dropin_reload_now(struct dropin *d)
{
	const struct config *cfg = d->a.cfg;
	struct dsload_options o = {
		.accept_host_bits = d->a.accept_host_bits,
		.no_gunzip = d->a.no_gunzip,
		.max_logged = 10,
	};
	char line[1536];

	for (size_t i = 0; i < cfg->ndatasets; i++) {
		struct dsload_report rep;

		if (dsload_dataset(d->store, &cfg->datasets[i], &o, &rep) < 0) {
			dsload_failure(&cfg->datasets[i], NULL, &rep,
				       line, sizeof(line));
			log_err("%s", line);
		} else {
			dsload_summary(&cfg->datasets[i], &rep, line,
				       sizeof(line));
			log_info("%s", line);
		}
	}
}

/* Appends a stats line (or a bare timestamp when `line` is 0) to -s. */
static void dropin_stats_write(struct dropin *d, int line)
{
	time_t now = time(NULL);
	char err[512], *text = NULL;

	if (!d->a.stats_file || !d->stats)
		return;
	if (line && !(text = qstats_line(d->stats, now))) {
		log_err("stats: out of memory");
		return;
	}
	if (qstats_append(d->a.stats_file, now, text, err, sizeof(err)) < 0)
		log_err("%s", err);
	free(text);
}

static void dropin_log_line(const char *line, void *arg)
{
	(void)arg;
	log_info("%s", line);
}

static void dropin_on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dropin_stats_write(arg, 1);
}

/* USR1: a stats line and the stats in the log; USR2: the same, then the
 * counters start over (and the stats file gets a bare timestamp). */
static void dropin_on_usr(evutil_socket_t sig, short what, void *arg)
{
	struct dropin *d = arg;
	time_t now = time(NULL);

	(void)what;
	if (!d->stats)
		return;
	dropin_stats_write(d, 1);
	qstats_log(d->stats, now, dropin_log_line, NULL);
	if (sig == SIGUSR2) {
		qstats_reset(d->stats, now);
		dropin_stats_write(d, 0);
	}
}

static void dropin_on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct dropin *d = arg;
	char err[512];

	(void)sig;
	(void)what;
	if (d->qlog && querylog_reopen(d->qlog, err, sizeof(err)) < 0)
		log_err("%s", err);
	if (d->fw_running) {
		log_info("SIGHUP: re-checking the data files");
		feedwatch_recheck(d->fw);
		return;
	}
	/* -c 0: no watching, but HUP still reloads, as in rbldnsd.  Each
	 * load is a diff, so unchanged files change nothing. */
	log_info("SIGHUP: reloading the data files (-c 0)");
	dropin_reload_now(d);
}

/* -d: the loaded zones in BIND format on stdout. */
static int dropin_dump(struct dropin *d)
{
	struct store_reader *rd = NULL;
	struct zonedump_options o = {
		.ttl_default = d->a.ttl_default,
		.ttl_min = d->a.ttl_min,
		.ttl_max = d->a.ttl_max,
		.now = time(NULL),
		.version = "dnsbld " DNSBLD_VERSION,
	};
	char err[512];
	int rc;

	if (store_reader_new(d->store, &rd) < 0) {
		fprintf(stderr, "dnsbld: cannot read the store\n");
		return 1;
	}
	rc = zonedump_write(stdout, d->a.cfg, rd, &o, err, sizeof(err));
	store_reader_free(rd);
	if (fflush(stdout) != 0 || rc < 0) {
		fprintf(stderr, "dnsbld: %s\n", rc < 0 ? err : "write error");
		return 1;
	}
	return 0;
}

/* Without -n: fork; the parent waits until the child says it serves (one
 * byte on a pipe) and exits 0, or 1 if the child failed to start.  Must run
 * before any thread or store exists.  Returns the pipe's write end in the
 * child (-1 when staying in the foreground). */
static int dropin_background(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "dnsbld: cannot fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		ssize_t n;

		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

/* Tells a waiting parent the start worked, and detaches from the terminal. */
static void dropin_started(int *ready_fd)
{
	int fd;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, "", 1) != 1)
		log_warn("cannot tell the parent the server started");
	close(*ready_fd);
	*ready_fd = -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void dropin_free(struct dropin *d)
{
	if (d->fw_running)
		feedwatch_thread_stop(d->fw);
	d->fw_running = 0;
	for (unsigned i = 0; d->workers && i < d->nworkers; i++)
		worker_stop(&d->workers[i]);
	for (size_t i = 0; d->qbufs && i < d->nslots; i++)
		if (d->qbufs[i])
			querylog_buf_free(d->qbufs[i]);
	free(d->qbufs);
	if (d->qlog)
		querylog_close(d->qlog);
	for (unsigned i = 0; d->workers && i < d->nworkers; i++)
		worker_free(&d->workers[i]);
	qstats_free(d->stats);
	free(d->workers);
	sigevents_free(d->sigs);
	if (d->stats_tick)
		event_free(d->stats_tick);
	if (d->base)
		event_base_free(d->base);
	if (d->fw)
		feedwatch_free(d->fw);
	if (d->store)
		store_close(d->store);
	rbldnsd_args_free(&d->a);
}

/* Loads every dataset and stores the zone table through the watch engine
 * (the same code that reloads them later).  0, or -1 if the start must
 * fail. */
static int dropin_load(struct dropin *d)
{
	struct feedwatch_options o;
	char err[1024];
	int failed;

	if (dsload_mkdirs(d->a.cfg->store, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	if (store_open(&d->store, d->a.cfg->store, 0, err, sizeof(err)) < 0) {
		log_err("store %s: %s", d->a.cfg->store, err);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.config = d->a.cfg;
	o.store = d->store;
	o.load.accept_host_bits = d->a.accept_host_bits;
	o.load.no_gunzip = d->a.no_gunzip;
	o.load.max_logged = 10;
	o.recheck_s = d->a.check_interval ? (int)d->a.check_interval : -1;
	if (feedwatch_new(&d->fw, &o, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	failed = feedwatch_load_all(d->fw);
	if (failed && !d->a.quick_start) {
		log_err("%d dataset(s) failed to load (see above); -q starts "
			"anyway", failed);
		return -1;
	}
	log_info("zones loaded into %s (%zu zone(s), %zu dataset(s), %d "
		 "failed)", d->a.cfg->store, d->a.cfg->nzones,
		 d->a.cfg->ndatasets, failed);
	return 0;
}

/* Binds every -b address in every worker (as root, before the drop). */
static int dropin_bind(struct dropin *d)
{
	const struct config *cfg = d->a.cfg;
	long n = cfg->workers ? (long)cfg->workers : worker_default_count();
	char err[512];

	d->srv.cfg = cfg;
	d->srv.store = d->store;
	atomic_init(&d->srv.tcp_clients, 0);
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (listen_probe(&cfg->listen[i], SOCK_DGRAM, err,
				 sizeof(err)) < 0 ||
		    listen_probe(&cfg->listen[i], SOCK_STREAM, err,
				 sizeof(err)) < 0) {
			log_err("%s", err);
			return -1;
		}
	}
	d->workers = calloc((size_t)n, sizeof(*d->workers));
	if (!d->workers) {
		log_err("out of memory");
		return -1;
	}
	for (d->nworkers = 0; d->nworkers < (unsigned)n;) {
		unsigned id = d->nworkers++;   /* counted: worker_free frees it */

		if (worker_init(&d->workers[id], &d->srv, id, err,
				sizeof(err)) < 0) {
			log_err("%s", err);
			return -1;
		}
	}
	return 0;
}

/* Gives every responder (each UDP thread, each TCP loop) -t's TTL policy,
 * its query log buffer and its stats slot. */
static int dropin_attach(struct dropin *d)
{
	const struct config *cfg = d->a.cfg;
	const char **names = calloc(cfg->nzones ? cfg->nzones : 1,
				    sizeof(*names));
	size_t slot = 0;

	d->nslots = 0;
	for (unsigned i = 0; i < d->nworkers; i++)
		d->nslots += 1 + d->workers[i].nudp;
	if (!names)
		return -1;
	for (size_t i = 0; i < cfg->nzones; i++)
		names[i] = cfg->zones[i].name;
	d->stats = qstats_new(names, cfg->nzones, (unsigned)d->nslots,
			      d->a.stats_relative, time(NULL));
	free(names);
	d->qbufs = calloc(d->nslots, sizeof(*d->qbufs));
	if (!d->stats || !d->qbufs)
		return -1;
	for (unsigned i = 0; i < d->nworkers; i++) {
		struct worker *w = &d->workers[i];

		for (size_t k = 0; k <= w->nudp; k++, slot++) {
			struct responder *r = k < w->nudp ? &w->udp[k].r : &w->r;
			struct query_ctx *qc = &r->qc;

			r->ttl.def = d->a.ttl_default;
			r->ttl.min = d->a.ttl_min;
			r->ttl.max = d->a.ttl_max;
			r->hide_version = d->a.hide_version;
			qc->stats = d->stats;
			qc->stats_slot = (unsigned)slot;
			if (d->qlog) {
				d->qbufs[slot] = querylog_buf_new(d->qlog);
				if (!d->qbufs[slot])
					return -1;
				qc->qlog = d->qbufs[slot];
			}
		}
	}
	return 0;
}

static int dropin_signals(struct dropin *d)
{
	const struct sigevent_spec specs[] = {
		{ SIGTERM, dropin_on_stop, d },
		{ SIGINT, dropin_on_stop, d },
		{ SIGHUP, dropin_on_hup, d },
		{ SIGUSR1, dropin_on_usr, d },
		{ SIGUSR2, dropin_on_usr, d },
	};
	char err[512];

	if (sigevents_add(d->base, specs, sizeof(specs) / sizeof(specs[0]),
			  &d->sigs, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	/* The stats file gets a line every -c interval, as in rbldnsd. */
	if (d->a.stats_file && d->a.check_interval) {
		struct timeval tv = { (time_t)d->a.check_interval, 0 };

		d->stats_tick = event_new(d->base, -1, EV_PERSIST,
					  dropin_on_tick, d);
		if (!d->stats_tick || event_add(d->stats_tick, &tv) < 0) {
			log_err("cannot arm the stats timer");
			return -1;
		}
	}
	return 0;
}

int dropin_main(int argc, char *argv[])
{
	struct dropin d;
	struct daemon_ids ids;
	char err[1024];
	int have_ids = 0, ready_fd = -1, rc = 1, dump;

	memset(&d, 0, sizeof(d));
	if (rbldnsd_args_parse(argc, argv, &d.a, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsbld: %s\n", err);
		return 1;
	}
	dump = d.a.dump;
	if (d.a.help) {
		rbldnsd_args_usage("dnsbld", stdout);
		rbldnsd_args_free(&d.a);
		return 0;
	}
	/* -b names -> addresses (of -4 / -6's family only) before the chroot
	 * hides the hosts file; -d binds nothing, as in rbldnsd. */
	if (!d.a.dump &&
	    listen_resolve_config(d.a.cfg, d.a.family == 4 ? AF_INET
				  : d.a.family == 6 ? AF_INET6 : AF_UNSPEC,
				  err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsbld: %s\n", err);
		rbldnsd_args_free(&d.a);
		return 1;
	}
	log_init("dnsbld", !d.a.dump, LOG_LVL_INFO);
	if (d.a.syslog_facility) {
		int fac = daemon_facility(d.a.syslog_facility);

		if (fac < 0) {
			fprintf(stderr, "dnsbld: log facility %s is not valid\n",
				d.a.syslog_facility);
			goto out;
		}
		openlog("dnsbld", LOG_PID, fac);
	}
	for (size_t i = 0; i < d.a.nignored; i++)
		log_info("%s", d.a.ignored[i]);
	signal(SIGPIPE, SIG_IGN);

	if (!d.a.dump && geteuid() == 0) {
		if (daemon_resolve_user(d.a.user, &ids, err, sizeof(err)) < 0 ||
		    daemon_check_not_root(&ids, err, sizeof(err)) < 0) {
			log_err("%s", err);
			goto out;
		}
		have_ids = 1;
	}
	if (!d.a.dump && !d.a.foreground)
		ready_fd = dropin_background();
	if (!d.a.dump && d.a.pid_file &&
	    daemon_write_pidfile(d.a.pid_file, getpid(), err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	/* The query log's path is outside the chroot: open it first. */
	if (!dump && d.a.query_log) {
		char spec[4096];

		snprintf(spec, sizeof(spec), "%s%s",
			 d.a.query_log_unbuffered ? "+" : "", d.a.query_log);
		if (querylog_open(&d.qlog, spec, err, sizeof(err)) < 0) {
			log_err("%s", err);
			goto out;
		}
	}
	if (daemon_enter(d.a.dump ? NULL : d.a.root_dir, d.a.work_dir, err,
			 sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (dropin_load(&d) < 0)
		goto out;
	if (d.a.dump) {
		rc = dropin_dump(&d);
		goto out;
	}
	if (evthread_use_pthreads() < 0 || !(d.base = event_base_new())) {
		log_err("cannot set up the event loop");
		goto out;
	}
	if (dropin_bind(&d) < 0)
		goto out;
	if (dropin_attach(&d) < 0) {
		log_err("out of memory");
		goto out;
	}
	/* The watch thread compacts the store as that user. */
	if (have_ids && d.store &&
	    store_give_to(d.store, ids.uid, ids.gid, err, sizeof(err)) < 0)
		log_warn("%s (compaction will fail)", err);
	if (have_ids && daemon_drop(&ids, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (dropin_signals(&d) < 0)
		goto out;
	if (d.a.check_interval) {
		if (feedwatch_thread_start(d.fw) < 0) {
			log_err("cannot start the watch thread: %s",
				strerror(errno));
			goto out;
		}
		d.fw_running = 1;
	} else {
		log_info("-c 0: the data files are not watched (no updates)");
	}
	for (unsigned i = 0; i < d.nworkers; i++) {
		if (worker_start(&d.workers[i]) < 0) {
			log_err("cannot start worker %u", i);
			goto out;
		}
	}
	for (size_t i = 0; i < d.a.cfg->nlisten; i++)
		log_info("listening on %s/%s", d.a.cfg->listen[i].host,
			 d.a.cfg->listen[i].port);
	log_info("rbldnsd mode: serving %zu zone(s) with %u worker(s)",
		 d.a.cfg->nzones, d.nworkers);
	dropin_stats_write(&d, 0);
	dropin_started(&ready_fd);
	event_base_dispatch(d.base);
	rc = 0;
	/* rbldnsd at exit: a stats line, a bare timestamp, the stats logged. */
	for (unsigned i = 0; i < d.nworkers; i++)
		worker_stop(&d.workers[i]);
	dropin_stats_write(&d, 1);
	dropin_stats_write(&d, 0);
	qstats_log(d.stats, time(NULL), dropin_log_line, NULL);
out:
	dropin_free(&d);
	if (ready_fd >= 0)
		close(ready_fd);
	if (rc == 0 && !dump)
		log_info("stopped");
	return rc;
}
