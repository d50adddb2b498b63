/* tcp.c -- the TCP path (RFC 7766): 2-byte length framing, pipelined
 * queries, idle timeout, caps on open connections (in all and per client
 * address), and a deadline for a query begun but not sent whole.
 *
 * Connections live on the worker's TCP event loop, a thread apart from its
 * UDP threads; all I/O is non-blocking through bufferevents, so a slow or
 * silent TCP client can never stall UDP, nor other TCP clients.  A client that does not read its replies stops being
 * read from once TCP_MAX_PENDING bytes of replies are queued.
 */
#include "worker.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "metrics.h"
#include "tcp_peers.h"
#include "xfr.h"

#define TCP_MAX_PENDING (256 * 1024)

struct tcp_conn {
	struct worker *w;
	struct bufferevent *bev;
	struct sockaddr_storage peer;
	int closing;               /* client sent EOF: close once flushed */
	struct xfr *xfr;           /* a zone transfer in progress (xfr.c) */
	struct event *partial;     /* tcp_query_timeout_ms: a query half sent */
	struct tcp_conn *prev, *next;
};

static void tcp_conn_free(struct tcp_conn *c)
{
	struct worker *w = c->w;

	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	xfr_free(c->xfr);
	if (c->partial)
		event_free(c->partial);
	bufferevent_free(c->bev);
	tcp_peers_del(w->srv->tcp_peers, (struct sockaddr *)&c->peer);
	atomic_fetch_sub(&w->srv->tcp_clients, 1);
	free(c);
}

/* The client began a query and did not finish it in time (a slow or
 * stalled sender holding a connection open). */
static void tcp_on_partial(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_conn *c = arg;
	struct metrics_slot *m = c->w->r.qc.metrics;

	(void)fd;
	(void)what;
	if (m)
		metrics_bump(&m->tcp_query_timeouts);
	tcp_conn_free(c);
}

/* After reading: while part of a query waits in the input, the rest must
 * come within tcp_query_timeout_ms of the last whole query (`progress`) or
 * of its first bytes. */
static void tcp_partial_check(struct tcp_conn *c, int progress)
{
	unsigned ms = c->w->srv->cfg->tcp_query_timeout_ms;
	struct timeval tv = { (time_t)(ms / 1000),
			      (suseconds_t)(ms % 1000) * 1000 };
	int partial = (bufferevent_get_enabled(c->bev) & EV_READ) &&
		      evbuffer_get_length(bufferevent_get_input(c->bev)) > 0;

	if (!partial) {
		evtimer_del(c->partial);
		return;
	}
	if (progress || !evtimer_pending(c->partial, NULL))
		evtimer_add(c->partial, &tv);
}

void tcp_close_all(struct worker *w)
{
	while (w->conns)
		tcp_conn_free(w->conns);
}

/* ---- zone transfers (xfr.c) ---------------------------------------------- */

/* Queues more of the transfer; when it is over, reading resumes.  A
 * transfer that failed half-way ends the connection once what was queued
 * is sent.  Returns -1 if the connection is gone. */
static int tcp_xfr_more(struct tcp_conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (xfr_fill(c->xfr, out, TCP_MAX_PENDING))
		return 0;
	if (xfr_failed(c->xfr)) {
		if (evbuffer_get_length(out) == 0) {
			tcp_conn_free(c);
			return -1;
		}
		c->closing = 1;     /* tcp_on_write frees it once flushed */
		return 0;
	}
	xfr_free(c->xfr);
	c->xfr = NULL;
	bufferevent_enable(c->bev, EV_READ);
	return 0;
}

/* Answers every complete frame in the input buffer. */
static void tcp_process(struct tcp_conn *c)
{
	struct worker *w = c->w;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	int in_batch = 0, done = 0;

	for (;;) {
		uint8_t lenbuf[2];
		size_t len, rlen;

		if (evbuffer_get_length(out) >= TCP_MAX_PENDING) {
			/* Resume from the write callback once drained. */
			bufferevent_disable(c->bev, EV_READ);
			break;
		}
		if (evbuffer_copyout(in, lenbuf, 2) < 2)
			break;
		len = (size_t)lenbuf[0] << 8 | lenbuf[1];
		if (evbuffer_get_length(in) < 2 + len)
			break;
		evbuffer_drain(in, 2);
		if (evbuffer_remove(in, w->tcp_in, len) != (int)len)
			break;
		/* Zone transfers: many messages, written from tcp_on_write;
		 * the connection reads nothing more until the last one. */
		if (xfr_is_transfer(w->tcp_in, len)) {
			c->xfr = xfr_start(w->srv->cfg, w->srv->store, w->tcp_in,
					   len, (struct sockaddr *)&c->peer, out);
			if (!c->xfr)
				continue;
			bufferevent_disable(c->bev, EV_READ);
			if (tcp_xfr_more(c) < 0) {
				if (in_batch)
					responder_idle(&w->r);
				return;
			}
			break;
		}
		done = 1;
		if (!in_batch) {
			if (responder_begin(&w->r) < 0)
				break;
			in_batch = 1;
		}
		rlen = query_respond(&w->r.qc, w->tcp_in, len,
				     (struct sockaddr *)&c->peer, 1,
				     w->tcp_out + 2, WORKER_TCP_MAX);
		if (!rlen)
			continue;
		w->tcp_out[0] = (uint8_t)(rlen >> 8);
		w->tcp_out[1] = (uint8_t)rlen;
		bufferevent_write(c->bev, w->tcp_out, rlen + 2);
	}
	/* The loop may sleep for long: hold no snapshot meanwhile. */
	if (in_batch)
		responder_idle(&w->r);
	tcp_partial_check(c, done);
}

static void tcp_on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	tcp_process(arg);
}

static void tcp_on_write(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			tcp_conn_free(c);
		return;
	}
	if (c->xfr) {
		if (tcp_xfr_more(c) == 0 && !c->xfr && !c->closing)
			tcp_process(c);
		return;
	}
	if (!(bufferevent_get_enabled(bev) & EV_READ) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) <
	    TCP_MAX_PENDING / 2) {
		bufferevent_enable(bev, EV_READ);
		tcp_process(c);
	}
}

static void tcp_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	/* A half-close (EOF) still gets the replies already queued; an error
	 * or the idle timeout ends the connection at once. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		c->closing = 1;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		tcp_conn_free(c);
}

static void tcp_on_accept(struct evconnlistener *ls, evutil_socket_t fd,
			  struct sockaddr *sa, int salen, void *arg)
{
	struct worker *w = arg;
	const struct config *cfg = w->srv->cfg;
	unsigned max = cfg->tcp_max_clients;
	unsigned idle = cfg->tcp_idle_ms;
	struct timeval tv = { (time_t)(idle / 1000),
			      (suseconds_t)(idle % 1000) * 1000 };
	struct metrics_slot *m = w->r.qc.metrics;
	struct tcp_conn *c;

	(void)ls;
	if (atomic_fetch_add(&w->srv->tcp_clients, 1) >= max) {
		atomic_fetch_sub(&w->srv->tcp_clients, 1);
		if (m)
			metrics_bump(&m->tcp_refused[0]);
		close(fd);
		return;
	}
	if (!tcp_peers_add(w->srv->tcp_peers, sa, cfg->tcp_max_per_client)) {
		atomic_fetch_sub(&w->srv->tcp_clients, 1);
		if (m)
			metrics_bump(&m->tcp_refused[1]);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		tcp_peers_del(w->srv->tcp_peers, sa);
		atomic_fetch_sub(&w->srv->tcp_clients, 1);
		close(fd);
		return;
	}
	c->w = w;
	if (salen > 0 && (size_t)salen <= sizeof(c->peer))
		memcpy(&c->peer, sa, (size_t)salen);
	c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->partial = evtimer_new(w->base, tcp_on_partial, c);
	if (!c->bev || !c->partial) {
		if (c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->partial)
			event_free(c->partial);
		tcp_peers_del(w->srv->tcp_peers, sa);
		atomic_fetch_sub(&w->srv->tcp_clients, 1);
		free(c);
		return;
	}
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	bufferevent_setcb(c->bev, tcp_on_read, tcp_on_write, tcp_on_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

struct evconnlistener *tcp_listener(struct worker *w, int fd)
{
	return evconnlistener_new(w->base, tcp_on_accept, w,
				  LEV_OPT_CLOSE_ON_FREE, -1, fd);
}
