/* worker.c -- worker lifecycle: sockets, UDP threads, the TCP loop thread.
 *
 * Everything a query needs is allocated here, once.  A worker is one UDP
 * thread per listen address (blocking in recvmmsg: no event loop between
 * the socket and the answer) plus one libevent thread for TCP, whose
 * connections come and go and need timers; each thread has its own
 * responder (store reader, zone plan, answer scratch).
 */
#include "worker.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

long worker_default_count(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n;
}

static void worker_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	responder_idle(&w->r);
}

int worker_init(struct worker *w, struct server *srv, unsigned id,
		char *err, size_t errlen)
{
	struct timeval tick = { WORKER_TICK_MS / 1000,
				(WORKER_TICK_MS % 1000) * 1000 };
	const struct config *cfg = srv->cfg;
	size_t n = cfg->nlisten;

	w->srv = srv;
	w->id = id;
	atomic_init(&w->stop, 0);
	snprintf(w->who, sizeof(w->who), "worker %u tcp", id);
	w->base = event_base_new();
	if (!w->base) {
		snprintf(err, errlen, "worker %u: cannot create an event base", id);
		return -1;
	}
	if (responder_init(&w->r, cfg, srv->store, w->who, err, errlen) < 0)
		return -1;
	w->r.keys = srv->keys;
	w->tick = event_new(w->base, -1, EV_PERSIST, worker_on_tick, w);
	if (!w->tick || event_add(w->tick, &tick) < 0) {
		snprintf(err, errlen, "worker %u: cannot add a timer", id);
		return -1;
	}
	w->udp = calloc(n ? n : 1, sizeof(*w->udp));
	w->tcp = calloc(n ? n : 1, sizeof(struct evconnlistener *));
	if (!w->udp || !w->tcp) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int fd = listen_socket(cfg, &cfg->listen[i], SOCK_DGRAM, err,
				       errlen);

		if (fd < 0)
			return -1;
		/* Counted first, so worker_free closes the socket even if
		 * the rest of the set-up fails. */
		w->udp[w->nudp++].fd = fd;
		if (udp_thread_init(&w->udp[w->nudp - 1], w, fd, err,
				    errlen) < 0)
			return -1;
		fd = listen_socket(cfg, &cfg->listen[i], SOCK_STREAM, err,
				   errlen);
		if (fd < 0)
			return -1;
		w->tcp[w->ntcp] = tcp_listener(w, fd);
		if (!w->tcp[w->ntcp]) {
			close(fd);
			snprintf(err, errlen, "worker %u: cannot watch a TCP "
				 "socket", id);
			return -1;
		}
		w->ntcp++;
	}
	return 0;
}

static void *worker_tcp_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

int worker_start(struct worker *w)
{
	sigset_t all, old;
	int rc = 0;

	/* The threads inherit a mask blocking every signal, so SIGTERM and
	 * friends reach the main thread's loop and never interrupt a
	 * worker's system call. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (size_t i = 0; rc == 0 && i < w->nudp; i++) {
		rc = pthread_create(&w->udp[i].thread, NULL, udp_thread_main,
				    &w->udp[i]);
		w->udp[i].started = rc == 0;
	}
	if (rc == 0) {
		rc = pthread_create(&w->thread, NULL, worker_tcp_main, w);
		w->started = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

void worker_stop(struct worker *w)
{
	atomic_store(&w->stop, 1);
	for (size_t i = 0; i < w->nudp; i++) {
		if (!w->udp[i].started)
			continue;
		/* Wakes a thread blocked in recvmmsg at once (else it sees
		 * the flag within WORKER_IDLE_MS). */
		shutdown(w->udp[i].fd, SHUT_RD);
		pthread_join(w->udp[i].thread, NULL);
		w->udp[i].started = 0;
	}
	if (w->started) {
		event_base_loopbreak(w->base);
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
}

void worker_free(struct worker *w)
{
	tcp_close_all(w);
	for (size_t i = 0; i < w->ntcp; i++)
		evconnlistener_free(w->tcp[i]);
	for (size_t i = 0; i < w->nudp; i++)
		udp_thread_free(&w->udp[i]);
	free(w->tcp);
	free(w->udp);
	if (w->tick)
		event_free(w->tick);
	responder_free(&w->r);
	if (w->base)
		event_base_free(w->base);
}

void worker_counts(const struct worker *w, uint64_t *queries,
		   uint64_t *dropped)
{
	*queries = w->r.qc.queries;
	*dropped = w->r.qc.dropped;
	for (size_t i = 0; i < w->nudp; i++) {
		*queries += w->udp[i].r.qc.queries;
		*dropped += w->udp[i].r.qc.dropped;
	}
}
