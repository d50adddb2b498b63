/* worker.c -- worker lifecycle and the per-batch read snapshot.
 *
 * A batch (a recvmmsg worth of datagrams, or what one TCP read delivered)
 * runs under one renewed LMDB read transaction: a loader commit becomes
 * visible at the next batch, and the zone plan is rebuilt only when the
 * store generation moved.  Everything a query needs was allocated here, once.
 */
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int worker_batch_begin(struct worker *w)
{
	uint64_t gen;

	if (store_reader_renew(w->rd) < 0) {
		if (w->renew_failures++ % 1000 == 0)
			log_err("worker %u: cannot renew the store read "
				"transaction", w->id);
		return -1;
	}
	gen = store_generation(w->rd);
	if (!w->plan_ok || gen != w->plan.generation) {
		if (w->plan_ok)
			zones_free(&w->plan);
		w->plan_ok = zones_build(&w->plan, w->srv->cfg, w->rd) == 0;
		if (!w->plan_ok) {
			log_err("worker %u: out of memory building the zone plan",
				w->id);
			store_reader_reset(w->rd);
			return -1;
		}
		log_debug("worker %u: zone plan rebuilt at store generation %llu",
			  w->id, (unsigned long long)gen);
	}
	w->qc.plan = &w->plan;
	return 0;
}

void worker_batch_end(struct worker *w)
{
	store_reader_reset(w->rd);
}

int worker_init(struct worker *w, struct server *srv, unsigned id,
		char *err, size_t errlen)
{
	const struct config *cfg = srv->cfg;
	size_t n = cfg->nlisten;

	w->srv = srv;
	w->id = id;
	w->base = event_base_new();
	if (!w->base) {
		snprintf(err, errlen, "worker %u: cannot create an event base", id);
		return -1;
	}
	if (store_reader_new(srv->store, &w->rd) < 0) {
		snprintf(err, errlen, "worker %u: cannot create a store reader", id);
		return -1;
	}
	/* Idle workers hold no snapshot: an old one would keep the writer
	 * from reusing pages and other readers from adopting a grown map. */
	store_reader_reset(w->rd);
	w->ans = malloc(sizeof(*w->ans));
	w->tx_size = cfg->max_udp_size > 512 ? cfg->max_udp_size : 512;
	w->rx = malloc((size_t)WORKER_BATCH * WORKER_RX_SIZE);
	w->tx = malloc((size_t)WORKER_BATCH * w->tx_size);
	w->udp_fds = calloc(n ? n : 1, sizeof(int));
	w->udp_events = calloc(n ? n : 1, sizeof(struct event *));
	w->tcp = calloc(n ? n : 1, sizeof(struct evconnlistener *));
	if (!w->ans || !w->rx || !w->tx || !w->udp_fds || !w->udp_events ||
	    !w->tcp) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -1;
	}
	w->qc.cfg = cfg;
	w->qc.rd = w->rd;
	w->qc.ans = w->ans;
	w->qc.plan = &w->plan;

	for (size_t i = 0; i < n; i++) {
		int fd = listen_socket(cfg, &cfg->listen[i], SOCK_DGRAM, err,
				       errlen);

		if (fd < 0)
			return -1;
		w->udp_fds[w->nudp] = fd;
		w->udp_events[w->nudp] = event_new(w->base, fd,
						   EV_READ | EV_PERSIST,
						   udp_on_readable, w);
		w->nudp++;
		if (!w->udp_events[w->nudp - 1] ||
		    event_add(w->udp_events[w->nudp - 1], NULL) < 0) {
			snprintf(err, errlen, "worker %u: cannot watch a UDP "
				 "socket", id);
			return -1;
		}
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

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

int worker_start(struct worker *w)
{
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->started = 1;
	return 0;
}

void worker_stop(struct worker *w)
{
	if (!w->started)
		return;
	event_base_loopbreak(w->base);
	pthread_join(w->thread, NULL);
	w->started = 0;
}

void worker_free(struct worker *w)
{
	tcp_close_all(w);
	for (size_t i = 0; i < w->ntcp; i++)
		evconnlistener_free(w->tcp[i]);
	for (size_t i = 0; i < w->nudp; i++) {
		if (w->udp_events[i])
			event_free(w->udp_events[i]);
		close(w->udp_fds[i]);
	}
	free(w->tcp);
	free(w->udp_events);
	free(w->udp_fds);
	if (w->plan_ok)
		zones_free(&w->plan);
	if (w->rd)
		store_reader_free(w->rd);
	if (w->base)
		event_base_free(w->base);
	free(w->ans);
	free(w->rx);
	free(w->tx);
}
