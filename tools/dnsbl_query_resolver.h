/* dnsbl_query_resolver.h -- the c-ares channel and its poll(2) loop.
 *
 * One channel per run: the system resolver (resolv.conf) or one server
 * given as @HOST[:PORT].  c-ares tells us its sockets through the socket
 * state callback; dq_resolver_wait() polls them (and, optionally, the
 * input) and lets c-ares read, write and time out.
 */
#ifndef DNSBLD_DNSBL_QUERY_RESOLVER_H
#define DNSBLD_DNSBL_QUERY_RESOLVER_H

#include <ares.h>
#include <poll.h>
#include <stddef.h>

struct dq_resolver_opts {
	const char *server;   /* "HOST[:PORT]" (after the '@'), NULL: system */
	double timeout;       /* seconds per try */
	int tries;
};

struct dq_resolver {
	ares_channel ch;
	struct pollfd *fds;   /* c-ares' sockets and what it waits for */
	size_t nfds, capfds;
};

/* Sets up the channel.  Returns 0, or -1 with `err` saying why (a bad
 * server spec, a host that does not resolve, c-ares failing). */
int dq_resolver_init(struct dq_resolver *r, const struct dq_resolver_opts *o,
		     char *err, size_t errlen);

/* Waits until a c-ares socket is ready, c-ares' next timeout is due, or
 * `in_fd` (if >= 0) is readable -- but not at all if `block` is 0 -- then
 * lets c-ares process what is ready (its callbacks run here).  Returns 1 if
 * in_fd is readable, 0 if not, -1 on a poll error. */
int dq_resolver_wait(struct dq_resolver *r, int in_fd, int block);

void dq_resolver_free(struct dq_resolver *r);

#endif
