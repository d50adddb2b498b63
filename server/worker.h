/* worker.h -- a server worker: UDP threads and a TCP event loop, each with
 * its own sockets, store reader, zone plan and buffers.
 *
 * Workers share nothing on the query path: each has its own UDP socket per
 * listen address (SO_REUSEPORT spreads packets over them) served by a
 * thread of its own that blocks in recvmmsg, and its own TCP listener
 * (SO_REUSEPORT too) on a libevent loop in another thread, so a slow TCP
 * client never delays UDP and adding workers needs no locks.  Only the TCP
 * connection count is shared (an atomic), to honour tcp_max_clients.
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

#include "config.h"
#include "responder.h"
#include "store.h"

#define WORKER_BATCH 32            /* datagrams per recvmmsg/sendmmsg */
#define WORKER_RX_SIZE 4096        /* bytes kept of a UDP query */
#define WORKER_TCP_MAX 65535
/* How often the TCP loop lets go of what its reader holds even when no
 * query comes (a compacted store's old file). */
#define WORKER_TICK_MS 1000
#define WORKER_IDLE_MS 100         /* a UDP thread idle this long releases
                                      its snapshot and checks for stop */

struct tcp_conn;
struct worker;
struct rrl;
struct tcp_peers;
struct keys;

struct server {
	const struct config *cfg;
	struct store *store;
	atomic_uint tcp_clients;       /* open TCP connections, all workers */
	struct tcp_peers *tcp_peers;   /* ...per client address (tcp_peers.h) */
	struct rrl *rrl;               /* rate_limit (rrl.h), or NULL: off */
	struct keys *keys;             /* key-in-name zones (keys.h), or NULL */
};

/* One UDP socket and the thread that serves it (udp.c). */
struct udp_thread {
	struct worker *w;
	int fd;
	pthread_t thread;
	int started;
	char who[48];
	struct responder r;

	/* Batch buffers, allocated once. */
	size_t tx_size;
	uint8_t *rx, *tx;              /* WORKER_BATCH slots each */
	struct mmsghdr rx_msgs[WORKER_BATCH], tx_msgs[WORKER_BATCH];
	struct iovec rx_iov[WORKER_BATCH], tx_iov[WORKER_BATCH];
	struct sockaddr_storage peers[WORKER_BATCH];
	uint8_t rx_ctl[WORKER_BATCH][128], tx_ctl[WORKER_BATCH][128];
};

struct worker {
	struct server *srv;
	unsigned id;
	atomic_int stop;               /* set by worker_stop */

	struct udp_thread *udp;        /* one per listen address */
	size_t nudp;

	/* TCP: one loop thread. */
	pthread_t thread;
	int started;
	char who[48];
	struct event_base *base;
	struct event *tick;            /* WORKER_TICK_MS: responder_idle */
	struct responder r;
	struct evconnlistener **tcp;
	size_t ntcp;
	struct tcp_conn *conns;        /* open TCP connections (tcp.c) */
	uint8_t tcp_in[WORKER_TCP_MAX];        /* one query in */
	uint8_t tcp_out[WORKER_TCP_MAX + 2];   /* one reply out, framed */
};

/* The default number of workers: the cores this process may run on
 * (taskset, cgroup cpusets), so no more answering threads than cores. */
long worker_default_count(void);

/* Creates worker `id`: event base, responders, buffers, and its sockets on
 * every listen address.  Returns 0 or -1 with a message in `err`. */
int worker_init(struct worker *w, struct server *srv, unsigned id,
		char *err, size_t errlen);
/* Starts the worker's threads. */
int worker_start(struct worker *w);
/* Asks the threads to stop (callable from another thread) and joins them. */
void worker_stop(struct worker *w);
/* Frees everything worker_init made. */
void worker_free(struct worker *w);
/* Queries answered and dropped by all of the worker's threads. */
void worker_counts(const struct worker *w, uint64_t *queries,
		   uint64_t *dropped);

/* listen.c: `l` must be numeric, as listen_resolve_config leaves it
 * (lib/listen_addr.h); messages name its original spelling too.
 * listen_probe: checks that no other process serves `l` (SO_REUSEPORT would
 * let a second server silently share the port and split the queries).
 * Returns 0, or -1 with `err` (EADDRINUSE: "another server runs there?"). */
int listen_probe(const struct cfg_listen *l, int type, char *err,
		 size_t errlen);
/* listen.c: a socket of `type` bound to `l` with SO_REUSEPORT, so every
 * worker can bind its own.  SOCK_DGRAM: blocking (a UDP thread sleeps in
 * recvmmsg) with a WORKER_IDLE_MS receive timeout, and, on a wildcard
 * address only, packet info on, so replies leave from the address the query
 * came to.  SOCK_STREAM: non-blocking and listening.  IPv6 sockets are
 * IPv6-only unless `l` is "::" with no IPv4 listener on the same port in
 * `cfg` (then dual-stack).  Returns the fd, or -1 with `err` naming the
 * address. */
int listen_socket(const struct config *cfg, const struct cfg_listen *l,
		  int type, char *err, size_t errlen);

/* udp.c: sets up `u` for socket `fd` (buffers, responder). */
int udp_thread_init(struct udp_thread *u, struct worker *w, int fd,
		    char *err, size_t errlen);
/* udp.c: the thread body: receive a batch, answer, send, until w->stop. */
void *udp_thread_main(void *arg);
/* udp.c: frees what udp_thread_init made and closes the socket. */
void udp_thread_free(struct udp_thread *u);

/* tcp.c: wraps listening socket `fd` in a listener on the worker's base. */
struct evconnlistener *tcp_listener(struct worker *w, int fd);
/* tcp.c: closes every open connection of the worker (at shutdown). */
void tcp_close_all(struct worker *w);

#endif
