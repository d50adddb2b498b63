/* udp.c -- the UDP path: recvmmsg a batch, answer it, sendmmsg the replies.
 *
 * One read snapshot per batch (worker_batch_begin/end), replies written into
 * per-worker slots, and the destination address of each query (packet info)
 * handed back as the source of its reply.  A readable event drains at most a
 * few batches, so TCP connections on the same loop are never starved.
 */
#include "worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define UDP_ROUNDS 8   /* batches per readable event */

/* Turns the received packet-info control data of slot `i` into the control
 * data of its reply, so it leaves from the address it was sent to. */
static size_t udp_reply_control(struct worker *w, int i)
{
	struct msghdr *in = &w->rx_msgs[i].msg_hdr;
	struct cmsghdr *c;
	size_t len = 0;

	memset(w->tx_ctl[i], 0, sizeof(w->tx_ctl[i]));
	for (c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
		struct cmsghdr *o = (struct cmsghdr *)w->tx_ctl[i];

		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			len = CMSG_SPACE(sizeof(pi));
			break;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			len = CMSG_SPACE(sizeof(pi));
			break;
		}
	}
	return len;
}

void udp_on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)what;
	for (int round = 0; round < UDP_ROUNDS; round++) {
		int n, nout = 0, sent = 0;

		for (int i = 0; i < WORKER_BATCH; i++) {
			struct msghdr *h = &w->rx_msgs[i].msg_hdr;

			w->rx_iov[i].iov_base = w->rx + (size_t)i * WORKER_RX_SIZE;
			w->rx_iov[i].iov_len = WORKER_RX_SIZE;
			memset(h, 0, sizeof(*h));
			h->msg_name = &w->peers[i];
			h->msg_namelen = sizeof(w->peers[i]);
			h->msg_iov = &w->rx_iov[i];
			h->msg_iovlen = 1;
			h->msg_control = w->rx_ctl[i];
			h->msg_controllen = sizeof(w->rx_ctl[i]);
		}
		n = recvmmsg(fd, w->rx_msgs, WORKER_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		if (worker_batch_begin(w) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			uint8_t *out = w->tx + (size_t)nout * w->tx_size;
			size_t len = query_respond(&w->qc, w->rx_iov[i].iov_base,
						   w->rx_msgs[i].msg_len,
						   (struct sockaddr *)&w->peers[i],
						   0, out, w->tx_size);
			struct msghdr *h = &w->tx_msgs[nout].msg_hdr;

			if (!len)
				continue;
			w->tx_iov[nout].iov_base = out;
			w->tx_iov[nout].iov_len = len;
			memset(h, 0, sizeof(*h));
			h->msg_name = &w->peers[i];
			h->msg_namelen = w->rx_msgs[i].msg_hdr.msg_namelen;
			h->msg_iov = &w->tx_iov[nout];
			h->msg_iovlen = 1;
			/* The control slot of the reply follows the query's. */
			h->msg_controllen = udp_reply_control(w, i);
			if (h->msg_controllen) {
				if (i != nout)
					memcpy(w->tx_ctl[nout], w->tx_ctl[i],
					       sizeof(w->tx_ctl[nout]));
				h->msg_control = w->tx_ctl[nout];
			}
			nout++;
		}
		worker_batch_end(w);
		while (sent < nout) {
			int k = sendmmsg(fd, w->tx_msgs + sent,
					 (unsigned)(nout - sent), 0);

			if (k < 0) {
				if (errno == EINTR)
					continue;
				/* EAGAIN or a bad peer: skip that reply. */
				sent++;
				continue;
			}
			sent += k;
		}
		if (n < WORKER_BATCH)
			return;
	}
}
