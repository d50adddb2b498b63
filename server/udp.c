/* udp.c -- the UDP path: a thread per socket that blocks in recvmmsg,
 * answers the batch and sends it with sendmmsg.
 *
 * Why a thread that blocks rather than an event loop: at moderate rates a
 * batch is one or two datagrams, and an epoll_wait plus a recvmmsg that
 * ends in EAGAIN per batch cost more than answering.  recvmmsg with
 * MSG_WAITFORONE sleeps until one datagram is there and then takes every
 * one already queued, so a wake-up is two or three system calls (receive,
 * the first reply, the rest) at any rate.  The read snapshot is kept
 * between batches while the store does not change (free to renew) and
 * released when the socket has been idle for WORKER_IDLE_MS (the receive
 * timeout), which is also when the thread looks at the stop flag.  Replies
 * leave from the address the query came to (packet info, asked for on
 * wildcard binds only).
 */
#include "worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int udp_thread_init(struct udp_thread *u, struct worker *w, int fd,
		    char *err, size_t errlen)
{
	const struct config *cfg = w->srv->cfg;

	u->w = w;
	u->fd = fd;
	snprintf(u->who, sizeof(u->who), "worker %u udp fd %d", w->id, fd);
	if (responder_init(&u->r, cfg, w->srv->store, u->who, err,
			   errlen) < 0)
		return -1;
	u->r.qc.rrl = w->srv->rrl;     /* TCP replies are never limited */
	u->r.keys = w->srv->keys;
	u->tx_size = cfg->max_udp_size > 512 ? cfg->max_udp_size : 512;
	u->rx = malloc((size_t)WORKER_BATCH * WORKER_RX_SIZE);
	u->tx = malloc((size_t)WORKER_BATCH * u->tx_size);
	if (!u->rx || !u->tx) {
		snprintf(err, errlen, "%s: out of memory", u->who);
		return -1;
	}
	for (int i = 0; i < WORKER_BATCH; i++) {
		struct msghdr *h = &u->rx_msgs[i].msg_hdr;

		u->rx_iov[i].iov_base = u->rx + (size_t)i * WORKER_RX_SIZE;
		u->rx_iov[i].iov_len = WORKER_RX_SIZE;
		memset(h, 0, sizeof(*h));
		h->msg_name = &u->peers[i];
		h->msg_iov = &u->rx_iov[i];
		h->msg_iovlen = 1;
		h->msg_control = u->rx_ctl[i];
	}
	return 0;
}

void udp_thread_free(struct udp_thread *u)
{
	responder_free(&u->r);
	free(u->rx);
	free(u->tx);
	u->rx = u->tx = NULL;
	close(u->fd);
}

/* Turns the received packet-info control data of slot `i` into the control
 * data of its reply (in tx_ctl[i]), so it leaves from the address it was
 * sent to.  Returns its length, 0 if the query came with none. */
static size_t udp_reply_control(struct udp_thread *u, int i)
{
	struct msghdr *in = &u->rx_msgs[i].msg_hdr;
	struct cmsghdr *c;

	if (in->msg_controllen == 0)
		return 0;
	memset(u->tx_ctl[i], 0, sizeof(u->tx_ctl[i]));
	for (c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
		struct cmsghdr *o = (struct cmsghdr *)u->tx_ctl[i];

		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

/* Sends replies [from, to) of tx_msgs, one sendmmsg for as many as the
 * kernel takes at a time. */
static void udp_send_replies(struct udp_thread *u, int from, int to)
{
	while (from < to) {
		int k = sendmmsg(u->fd, u->tx_msgs + from, (unsigned)(to - from),
				 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			/* A full send queue or a bad peer: skip that reply
			 * (UDP; the client retries). */
			from++;
			continue;
		}
		from += k;
	}
}

/* Answers datagram `i` into reply slot `nout`; returns 1 if it has a
 * reply, 0 if it is dropped. */
static int udp_answer_one(struct udp_thread *u, int i, int nout)
{
	uint8_t *out = u->tx + (size_t)nout * u->tx_size;
	struct msghdr *h = &u->tx_msgs[nout].msg_hdr;
	size_t len = query_respond(&u->r.qc, u->rx_iov[i].iov_base,
				   u->rx_msgs[i].msg_len,
				   (struct sockaddr *)&u->peers[i], 0, out,
				   u->tx_size);

	if (!len)
		return 0;
	u->tx_iov[nout].iov_base = out;
	u->tx_iov[nout].iov_len = len;
	memset(h, 0, sizeof(*h));
	h->msg_name = &u->peers[i];
	h->msg_namelen = u->rx_msgs[i].msg_hdr.msg_namelen;
	h->msg_iov = &u->tx_iov[nout];
	h->msg_iovlen = 1;
	h->msg_controllen = udp_reply_control(u, i);
	if (h->msg_controllen) {
		/* The control slot of the reply follows the query's. */
		if (i != nout)
			memcpy(u->tx_ctl[nout], u->tx_ctl[i],
			       sizeof(u->tx_ctl[nout]));
		h->msg_control = u->tx_ctl[nout];
	}
	return 1;
}

/* Answers and sends the `n` datagrams received into the slots.
 *
 * The first reply leaves as soon as it is ready, the others together after
 * it: the client wakes on that first one while the rest are answered.
 * Sending all at the end held the first back by every other answer of the
 * batch (2-3 datagrams at moderate rates, about a microsecond each on a
 * cold cache), which put dnsbld's median latency 3-4 us above the
 * do-nothing UDP floor (bench/udp_floor.c); sent early it was at the floor
 * side by side on a quiet host, for no measurable CPU (one more sendmmsg
 * per batch; docs/BENCHMARKS.md). */
static void udp_answer_batch(struct udp_thread *u, int n)
{
	int nout = 0, sent = 0;

	for (int i = 0; i < n; i++) {
		nout += udp_answer_one(u, i, nout);
		if (nout == 1 && sent == 0 && i + 1 < n) {
			udp_send_replies(u, 0, 1);
			sent = 1;
		}
	}
	udp_send_replies(u, sent, nout);
}

void *udp_thread_main(void *arg)
{
	struct udp_thread *u = arg;
	int used = WORKER_BATCH;   /* slots whose headers need resetting */
	unsigned errors = 0;

	while (!atomic_load_explicit(&u->w->stop, memory_order_relaxed)) {
		int n;

		/* recvmmsg rewrote the lengths of the slots it filled. */
		for (int i = 0; i < used; i++) {
			u->rx_msgs[i].msg_hdr.msg_namelen = sizeof(u->peers[i]);
			u->rx_msgs[i].msg_hdr.msg_controllen =
				sizeof(u->rx_ctl[i]);
		}
		n = recvmmsg(u->fd, u->rx_msgs, WORKER_BATCH, MSG_WAITFORONE,
			     NULL);
		if (n <= 0) {
			used = 0;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				/* Idle for WORKER_IDLE_MS: pin nothing. */
				responder_idle(&u->r);
			} else if (n < 0 && errno != EINTR &&
				   errors++ % 1000 == 0) {
				log_err("%s: recvmmsg: %s", u->who,
					strerror(errno));
			}
			continue;
		}
		used = n;
		/* worker_stop's shutdown(SHUT_RD) ends the wait with an empty
		 * "datagram": not a query to count as dropped. */
		if (atomic_load_explicit(&u->w->stop, memory_order_relaxed))
			break;
		if (responder_begin(&u->r) < 0)
			continue;
		udp_answer_batch(u, n);
	}
	responder_idle(&u->r);
	return NULL;
}
