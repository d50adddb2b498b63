/* worker.h -- a server worker: one thread, one event loop, its own sockets,
 * store reader, zone plan and buffers.
 *
 * Workers share nothing on the query path: each has its own UDP socket per
 * listen address (SO_REUSEPORT spreads packets over them) and its own TCP
 * listener (SO_REUSEPORT too), so adding workers (issue 6) needs no locks.
 * Only the TCP connection count is shared (an atomic), to honour
 * tcp_max_clients across workers.
 */
#ifndef DNSBLD_WORKER_H
#define DNSBLD_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "answer.h"
#include "config.h"
#include "query.h"
#include "store.h"
#include "zones.h"

#define WORKER_BATCH 32            /* datagrams per recvmmsg/sendmmsg */
#define WORKER_RX_SIZE 4096        /* bytes kept of a UDP query */
#define WORKER_TCP_MAX 65535

struct tcp_conn;

struct server {
	const struct config *cfg;
	struct store *store;
	atomic_uint tcp_clients;       /* open TCP connections, all workers */
};

struct worker {
	struct server *srv;
	unsigned id;
	pthread_t thread;
	int started;
	struct event_base *base;

	struct store_reader *rd;
	struct zone_plan plan;
	int plan_ok;
	struct answer *ans;
	struct query_ctx qc;
	unsigned renew_failures;

	int *udp_fds;
	struct event **udp_events;
	size_t nudp;
	struct evconnlistener **tcp;
	size_t ntcp;
	struct tcp_conn *conns;        /* open TCP connections (tcp.c) */

	/* UDP batch buffers, allocated once. */
	size_t tx_size;
	uint8_t *rx, *tx;              /* WORKER_BATCH slots each */
	struct mmsghdr rx_msgs[WORKER_BATCH], tx_msgs[WORKER_BATCH];
	struct iovec rx_iov[WORKER_BATCH], tx_iov[WORKER_BATCH];
	struct sockaddr_storage peers[WORKER_BATCH];
	uint8_t rx_ctl[WORKER_BATCH][128], tx_ctl[WORKER_BATCH][128];

	/* TCP: one query in, one reply out (+2 length bytes). */
	uint8_t tcp_in[WORKER_TCP_MAX];
	uint8_t tcp_out[WORKER_TCP_MAX + 2];
};

/* Creates worker `id`: event base, reader, buffers, and its sockets on every
 * listen address.  Returns 0 or -1 with a message in `err`. */
int worker_init(struct worker *w, struct server *srv, unsigned id,
		char *err, size_t errlen);
/* Runs the worker's loop in a new thread. */
int worker_start(struct worker *w);
/* Asks the loop to stop (callable from another thread) and joins it. */
void worker_stop(struct worker *w);
/* Frees everything worker_init made. */
void worker_free(struct worker *w);

/* Before a batch of queries: renews the read transaction and rebuilds the
 * zone plan if the store changed.  Returns 0, or -1 (answer nothing). */
int worker_batch_begin(struct worker *w);
/* After the batch: releases the read snapshot. */
void worker_batch_end(struct worker *w);

/* listen.c: checks that no other process serves `l` (SO_REUSEPORT would
 * let a second server silently share the port and split the queries).
 * Returns 0, or -1 with `err` (EADDRINUSE: "another server runs there?"). */
int listen_probe(const struct cfg_listen *l, int type, char *err,
		 size_t errlen);
/* listen.c: a non-blocking socket of `type` (SOCK_DGRAM: with packet info
 * on, so replies leave from the address the query came to; SOCK_STREAM:
 * listening) bound to `l` with SO_REUSEPORT, so every worker can bind its
 * own.  IPv6 sockets are IPv6-only unless `l` is "::" with no IPv4 listener
 * on the same port in `cfg` (then dual-stack).  Returns the fd, or -1 with
 * `err` naming the address. */
int listen_socket(const struct config *cfg, const struct cfg_listen *l,
		  int type, char *err, size_t errlen);
/* udp.c: libevent callback: receive a batch, answer, send a batch. */
void udp_on_readable(evutil_socket_t fd, short what, void *arg);

/* tcp.c: wraps listening socket `fd` in a listener on the worker's base. */
struct evconnlistener *tcp_listener(struct worker *w, int fd);
/* tcp.c: closes every open connection of the worker (at shutdown). */
void tcp_close_all(struct worker *w);

#endif
