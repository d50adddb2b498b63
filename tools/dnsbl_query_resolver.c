/* dnsbl_query_resolver.c -- the c-ares channel and its poll(2) loop.
 *
 * c-ares 1.18 (Debian 12) has no event thread, so the program drives it:
 * the socket state callback keeps a pollfd list, and each wait polls it
 * with c-ares' own next timeout.  The UDP socket gets a large receive
 * buffer because a window of a thousand queries to a local server can put
 * a thousand replies in it while the client is busy sending; a full buffer
 * drops replies, and each drop costs a retry after the timeout.
 */
#include "dnsbl_query_resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes; the kernel caps it at net.core.rmem_max. */
#define DQ_RCVBUF (4 << 20)
/* The EDNS payload we advertise: the common DNS Flag Day 2020 size. */
#define DQ_EDNS_SIZE 1232

static void res_sock_state(void *data, ares_socket_t fd, int readable,
			   int writable)
{
	struct dq_resolver *r = data;
	short events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	size_t i;

	for (i = 0; i < r->nfds && r->fds[i].fd != fd; i++)
		;
	if (!events) {
		if (i < r->nfds)
			r->fds[i] = r->fds[--r->nfds];
		return;
	}
	if (i == r->nfds) {
		if (r->nfds == r->capfds) {
			size_t cap = r->capfds ? 2 * r->capfds : 8;
			struct pollfd *grown = realloc(r->fds, cap * sizeof(*grown));

			/* Without the entry the socket is never read: c-ares
			 * then times its queries out, which is reported. */
			if (!grown)
				return;
			r->fds = grown;
			r->capfds = cap;
		}
		r->nfds++;
	}
	r->fds[i].fd = fd;
	r->fds[i].events = events;
	r->fds[i].revents = 0;
}

/* "HOST[:PORT]", "[V6]:PORT", "V6" into one c-ares server. */
static int res_server(const char *spec, struct ares_addr_port_node *node,
		      char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':'), *port = NULL;
	struct addrinfo hints, *ai = NULL;
	char host[256];
	size_t len;
	int rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || (close[1] && close[1] != ':')) {
			snprintf(err, errlen, "@%s: expected @[ADDRESS]:PORT", spec);
			return -1;
		}
		len = (size_t)(close - spec - 1);
		spec++;
		if (close[1] == ':')
			port = close + 2;
	} else if (colon && strchr(colon + 1, ':')) {
		len = strlen(spec);     /* a bare IPv6 address: port 53 */
	} else {
		len = colon ? (size_t)(colon - spec) : strlen(spec);
		if (colon)
			port = colon + 1;
	}
	if (len == 0 || len >= sizeof(host)) {
		snprintf(err, errlen, "@%s: bad server", spec);
		return -1;
	}
	memcpy(host, spec, len);
	host[len] = '\0';
	node->udp_port = node->tcp_port = 53;
	if (port) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(port, &end, 10);
		if (*port < '0' || *port > '9' || *end || errno || v < 1 ||
		    v > 65535) {
			snprintf(err, errlen, "@%s: bad port \"%s\" (1..65535)",
				 spec, port);
			return -1;
		}
		node->udp_port = node->tcp_port = (int)v;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "@%s: %s", host, gai_strerror(rc));
		return -1;
	}
	node->family = ai->ai_family;
	if (ai->ai_family == AF_INET)
		node->addr.addr4 =
			((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
	else
		memcpy(&node->addr.addr6,
		       &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr,
		       sizeof(node->addr.addr6));
	freeaddrinfo(ai);
	return 0;
}

int dq_resolver_init(struct dq_resolver *r, const struct dq_resolver_opts *o,
		     char *err, size_t errlen)
{
	struct ares_options opts;
	struct ares_addr_port_node server;
	int optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
		      ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF |
		      ARES_OPT_EDNSPSZ;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&server, 0, sizeof(server));
	if (o->server && res_server(o->server, &server, err, errlen) < 0)
		return -1;
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	/* STAYOPEN: the socket (and its buffer) outlive a moment with no
	 * query in flight, e.g. while standard input is slow.  NOCHECKRESP:
	 * SERVFAIL and REFUSED are answers to report (a list refusing a key,
	 * a broken zone); c-ares 1.18 would retry them and then report
	 * "connection refused". */
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES |
		     ARES_FLAG_STAYOPEN | ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP;
	opts.ednspsz = DQ_EDNS_SIZE;
	opts.timeout = (int)(o->timeout * 1000.0 + 0.5);
	if (opts.timeout < 1)
		opts.timeout = 1;
	opts.tries = o->tries;
	opts.sock_state_cb = res_sock_state;
	opts.sock_state_cb_data = r;
	opts.socket_receive_buffer_size = DQ_RCVBUF;
	rc = ares_init_options(&r->ch, &opts, optmask);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		ares_library_cleanup();
		return -1;
	}
	if (o->server && (rc = ares_set_servers_ports(r->ch, &server)) !=
	    ARES_SUCCESS) {
		snprintf(err, errlen, "@%s: %s", o->server, ares_strerror(rc));
		dq_resolver_free(r);
		return -1;
	}
	return 0;
}

int dq_resolver_wait(struct dq_resolver *r, int in_fd, int block)
{
	struct pollfd fds[64];
	struct timeval tv, *tvp;
	size_t n = 0;
	int timeout = 0, ready, in_ready = 0;

	if (block) {
		tvp = ares_timeout(r->ch, NULL, &tv);
		timeout = tvp ? (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000)
			      : -1;
	}
	/* A copy: c-ares' callbacks change r->fds while we walk it. */
	for (size_t i = 0; i < r->nfds && n < sizeof(fds) / sizeof(fds[0]) - 1; i++)
		fds[n++] = r->fds[i];
	if (in_fd >= 0) {
		fds[n].fd = in_fd;
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	ready = poll(fds, (nfds_t)n, timeout);
	if (ready < 0)
		return errno == EINTR ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		short ev = fds[i].revents;

		if (!ev)
			continue;
		if (in_fd >= 0 && i == n - 1) {
			in_ready = 1;
			continue;
		}
		ares_process_fd(r->ch,
				ev & (POLLIN | POLLERR | POLLHUP) ? fds[i].fd : ARES_SOCKET_BAD,
				ev & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD);
	}
	/* Timeouts (ares_process_fd runs them with any socket event too). */
	if (ready == 0 || (ready == 1 && in_ready))
		ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	return in_ready;
}

void dq_resolver_free(struct dq_resolver *r)
{
	if (r->ch) {
		ares_destroy(r->ch);
		ares_library_cleanup();
	}
	r->ch = NULL;
	free(r->fds);
	r->fds = NULL;
	r->nfds = r->capfds = 0;
}
