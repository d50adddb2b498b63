/* server.c -- dnsbld's start-up, in rbldnsd's order, for both modes.
 *
 * The order matters and is rbldnsd's: resolve the user while /etc/passwd
 * is still reachable, go to the background (the parent waits for the
 * child's word, so a failed start still exits non-zero with the reason on
 * stderr), write the pid file (its path is outside the chroot), chroot
 * and chdir, open (and with the built-in
 * loader, fill) the store, bind every listen address in every worker (a
 * port below 1024 needs root), drop privileges, and only then start the
 * threads and answer.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/thread.h>

#include "daemon.h"
#include "listen_addr.h"
#include "log.h"
#include "metrics.h"
#include "ixfr.h"
#include "keys.h"
#include "notify.h"
#include "rrl.h"
#include "sdnotify.h"
#include "sigevents.h"
#include "server.h"
#include "tcp_peers.h"

static void server_logging(const struct config *cfg, int debug)
{
	log_init("dnsbld", cfg->syslog != NULL,
		 debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (cfg->syslog)
		openlog("dnsbld", LOG_PID, daemon_facility(cfg->syslog));
}

/* The user to drop to, when started as root.  1 with *ids set, 0 when
 * nothing is to be dropped, -1 logged. */
static int server_user(const struct config *cfg, struct daemon_ids *ids)
{
	char spec[512], err[512];

	if (geteuid() != 0)
		return 0;
	if (!cfg->user) {
		log_warn("running as root: set `user` in the config to drop "
			 "privileges after binding");
		return 0;
	}
	snprintf(spec, sizeof(spec), "%s%s%s", cfg->user,
		 cfg->group ? ":" : "", cfg->group ? cfg->group : "");
	if (daemon_resolve_user(spec, ids, err, sizeof(err)) < 0 ||
	    daemon_check_not_root(ids, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	return 1;
}

/* 1 if absolute `path` lies inside directory `root`. */
static int server_path_under(const char *root, const char *path)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	return path && path[0] == '/' && strncmp(path, root, n) == 0 &&
	       (path[n] == '/' || path[n] == '\0');
}

/* A config path (absolute, on the host) the server opens after
 * chroot(root): it must lie inside the new root and loses that prefix. */
static int server_path_in_root(const char *root, char **path,
			       const char *what)
{
	size_t n = strlen(root);
	char *inside;

	if (!*path)
		return 0;
	if (!server_path_under(root, *path)) {
		log_err("%s %s is outside the chroot directory %s", what, *path,
			root);
		return -1;
	}
	while (n > 1 && root[n - 1] == '/')
		n--;
	inside = strdup((*path)[n] ? *path + n : "/");
	if (!inside) {
		log_err("out of memory");
		return -1;
	}
	free(*path);
	*path = inside;
	return 0;
}

/* chroot and chdir.  The YAML config's paths are the host's: inside the
 * chroot they lose its prefix (the store, the stats file and key files
 * must be in it; a query log inside it is opened there, so HUP can reopen it, one
 * outside it is opened before).  rbldnsd's paths are already relative to
 * the new root, as rbldnsd takes them, and its query log opens before. */
static int server_enter(struct dnsbld *d)
{
	struct config *cfg = d->cfg;
	int translate = cfg->chroot && !d->o->paths_in_root;
	int log_inside = translate &&
			 server_path_under(cfg->chroot, cfg->query_log);
	char err[1024];

	if (!log_inside && counters_open_log(d) < 0)
		return -1;
	if (translate &&
	    (server_path_in_root(cfg->chroot, &cfg->store, "store") < 0 ||
	     server_path_in_root(cfg->chroot, &cfg->stats_file,
				 "stats_file") < 0 ||
	     (log_inside && server_path_in_root(cfg->chroot, &cfg->query_log,
						"query_log") < 0)))
		return -1;
	for (size_t i = 0; translate && i < cfg->nzones; i++)
		if (cfg->zones[i].keys &&
		    server_path_in_root(cfg->chroot, &cfg->zones[i].keys->file,
					"keys file") < 0)
			return -1;
	if (daemon_enter(cfg->chroot, d->o->workdir, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	return log_inside ? counters_open_log(d) : 0;
}

/* The store: filled by the built-in loader, or a loader's, read-only. */
static int server_store(struct dnsbld *d)
{
	const struct config *cfg = d->cfg;
	char err[1024];
	int failed;

	if (!d->o->autoload) {
		if (store_open(&d->own_store, cfg->store, STORE_READONLY, err,
			       sizeof(err)) < 0) {
			log_err("%s", err);   /* it names the store */
			return -1;
		}
		d->srv.store = d->own_store;
		return 0;
	}
	if (autoload_open(&d->al, d->o->autoload, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	failed = autoload_load_all(d->al);
	if (failed && !d->o->quick_start) {
		log_err("%d dataset(s) failed to load (see above); not "
			"starting", failed);
		return -1;
	}
	log_info("store %s: %zu zone(s), %zu dataset(s), %d failed",
		 cfg->store, cfg->nzones, cfg->ndatasets, failed);
	d->srv.store = autoload_store(d->al);
	return 0;
}

/* Binds every listen address in every worker. */
static int server_bind(struct dnsbld *d)
{
	const struct config *cfg = d->cfg;
	long n = d->o->workers ? d->o->workers
	       : cfg->workers ? (long)cfg->workers : worker_default_count();
	char err[512];

	int oom;

	d->srv.cfg = cfg;
	atomic_init(&d->srv.tcp_clients, 0);
	d->srv.tcp_peers = tcp_peers_new();
	d->srv.rrl = rrl_new(cfg, &oom);
	if (!d->srv.tcp_peers || oom) {
		log_err("out of memory");
		return -1;
	}
	if (keys_new(cfg, &d->srv.keys, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
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
	while (d->nworkers < (unsigned)n) {
		unsigned id = d->nworkers++;   /* counted: worker_free frees it */

		if (worker_init(&d->workers[id], &d->srv, id, err,
				sizeof(err)) < 0) {
			log_err("%s", err);
			return -1;
		}
	}
	return 0;
}

static int server_drop(struct dnsbld *d, const struct daemon_ids *ids)
{
	char err[512];

	/* The watch thread compacts the store as that user. */
	if (d->al && autoload_give_to(d->al, ids->uid, ids->gid, err,
				      sizeof(err)) < 0)
		log_warn("%s (compaction will fail)", err);
	if (daemon_drop(ids, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return -1;
	}
	log_info("running as %s", ids->name);
	return 0;
}

static int server_start(struct dnsbld *d)
{
	const struct config *cfg = d->cfg;

	if (d->al && autoload_start(d->al) < 0) {
		log_err("cannot start the watch thread: %s", strerror(errno));
		return -1;
	}
	if (keys_watch(d->srv.keys, d->base) < 0) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < d->nworkers; i++) {
		if (worker_start(&d->workers[i]) < 0) {
			log_err("cannot start worker %u", i);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->nlisten; i++)
		log_info("listening on %s port %s (udp, tcp)%s%s",
			 cfg->listen[i].host, cfg->listen[i].port,
			 cfg->listen[i].text ? ", from " : "",
			 cfg->listen[i].text ? cfg->listen[i].text : "");
	log_info("serving %zu zone(s) from %s with %u worker(s)", cfg->nzones,
		 cfg->store, d->nworkers);
	return 0;
}

static void server_stop(struct dnsbld *d, int clean)
{
	for (unsigned i = 0; d->workers && i < d->nworkers; i++)
		worker_stop(&d->workers[i]);
	if (clean) {
		counters_final(d);
		for (unsigned i = 0; i < d->nworkers; i++) {
			uint64_t q, dropped;

			worker_counts(&d->workers[i], &q, &dropped);
			log_info("worker %u: %llu queries, %llu dropped", i,
				 (unsigned long long)q,
				 (unsigned long long)dropped);
		}
	}
	counters_free(d);
	for (unsigned i = 0; d->workers && i < d->nworkers; i++)
		worker_free(&d->workers[i]);
	free(d->workers);
	tcp_peers_free(d->srv.tcp_peers);
	rrl_free(d->srv.rrl);
	keys_free(d->srv.keys);
	/* After the workers: their readers are on its store. */
	autoload_free(d->al);
	metrics_stop(d);
	sigevents_free(d->sigs);
	if (d->stats_tick)
		event_free(d->stats_tick);
	if (d->base)
		event_base_free(d->base);
	if (d->own_store)
		store_close(d->own_store);
}

/* Tells systemd (Type=notify) that dnsbld answers now. */
static void server_notify_ready(const struct config *cfg)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving %zu zone(s)",
		 cfg->nzones);
	if (sdnotify_send(msg) < 0)
		log_warn("cannot tell systemd that dnsbld is ready: %s",
			 strerror(errno));
}

int server_run(struct config *cfg, const struct server_options *o)
{
	struct dnsbld d;
	struct notify *notify;
	struct ixfr *ixfr;
	struct daemon_ids ids;
	char err[512];
	int drop, ready_fd = -1, rc = 1;

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.o = o;
	server_logging(cfg, o->debug);
	for (size_t i = 0; i < o->nnotes; i++)
		log_info("%s", o->notes[i]);
	signal(SIGPIPE, SIG_IGN);
	/* systemd's Type=notify: connect before a chroot hides the socket. */
	if (sdnotify_open(err, sizeof(err)) < 0)
		log_warn("%s (systemd will not hear that dnsbld is ready)", err);

	/* Names -> addresses before a chroot hides the hosts file. */
	if (listen_resolve_config(cfg, o->family == 4 ? AF_INET
				  : o->family == 6 ? AF_INET6 : AF_UNSPEC,
				  err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if ((drop = server_user(cfg, &ids)) < 0)
		goto out;
	if (cfg->daemon && (ready_fd = daemon_background(err, sizeof(err))) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (cfg->pidfile &&
	    daemon_write_pidfile(cfg->pidfile, getpid(), err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (server_enter(&d) < 0 || server_store(&d) < 0)
		goto out;
	if (evthread_use_pthreads() < 0 || !(d.base = event_base_new())) {
		log_err("cannot set up the event loop");
		goto out;
	}
	if (server_bind(&d) < 0 || counters_attach(&d) < 0 ||
	    metrics_start(&d) < 0 ||
	    (drop && server_drop(&d, &ids) < 0) || signals_install(&d) < 0 ||
	    server_start(&d) < 0)
		goto out;
	counters_write(&d, 0);
	daemon_ready(&ready_fd);
	server_notify_ready(cfg);
	/* NOTIFY to secondaries (notify.c): a timer on this loop. */
	notify = notify_start(d.base, cfg, d.srv.store);
	/* The changes IXFR sends (ixfr.c): a timer and a diff thread. */
	ixfr = ixfr_start(d.base, cfg, d.srv.store);
	event_base_dispatch(d.base);
	ixfr_stop(ixfr);
	notify_free(notify);
	sdnotify_send("STOPPING=1");
	rc = 0;
out:
	sdnotify_close();
	server_stop(&d, rc == 0);
	if (ready_fd >= 0)
		close(ready_fd);   /* the waiting parent exits 1 */
	if (rc == 0)
		log_info("stopped");
	return rc;
}
