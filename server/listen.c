/* listen.c -- open the UDP and TCP sockets of a `listen` address.
 *
 * Every worker binds its own sockets to the same addresses (SO_REUSEPORT),
 * so the kernel spreads queries and connections over workers with no shared
 * socket.  UDP sockets on a wildcard address ask for the destination
 * address of each packet (IP_PKTINFO / IPV6_RECVPKTINFO) so replies leave
 * from the address the client used.  Addresses are numeric here: names were
 * resolved once at start-up (listen_resolve_config, lib/listen_addr.h).
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/time.h>
#include <string.h>
#include <unistd.h>

/* Is there an IPv4 listener on `port`? */
static int listen_has_v4(const struct config *cfg, const char *port)
{
	for (size_t i = 0; i < cfg->nlisten; i++)
		if (!strchr(cfg->listen[i].host, ':') &&
		    strcmp(cfg->listen[i].port, port) == 0)
			return 1;
	return 0;
}

/* Is `sa` 0.0.0.0 or ::? */
static int listen_is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)sa)
			       ->sin_addr.s_addr == htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr);
	return 0;
}

/* "HOST port PORT" for messages, with the spelling it came from when the
 * operator wrote a name ("127.0.0.1 port 53 (from localhost/domain)"). */
static void listen_name(const struct cfg_listen *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s port %s%s%s%s", l->host, l->port,
		 l->text ? " (from " : "", l->text ? l->text : "",
		 l->text ? ")" : "");
}

/* The address of numeric listen entry `l` for socket `type`; 0 and *ai
 * (freeaddrinfo it), or -1 with err. */
static int listen_resolve(const struct cfg_listen *l, int type,
			  struct addrinfo **ai, char *err, size_t errlen)
{
	struct addrinfo hints;
	char name[600];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	*ai = NULL;
	rc = getaddrinfo(l->host, l->port, &hints, ai);
	if (rc != 0 || !*ai) {
		listen_name(l, name, sizeof(name));
		snprintf(err, errlen, "listen %s: %s", name, gai_strerror(rc));
		return -1;
	}
	return 0;
}

int listen_probe(const struct cfg_listen *l, int type, char *err,
		 size_t errlen)
{
	struct addrinfo *ai = NULL;
	char name[600];
	int fd, one = 1;

	if (listen_resolve(l, type, &ai, err, errlen) < 0)
		return -1;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd >= 0 && ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				 sizeof(one));
	/* TCP: SO_REUSEADDR only (TIME_WAIT is fine, a listener is not);
	 * UDP: neither, since SO_REUSEADDR lets UDP sockets share a port. */
	if (fd < 0 ||
	    (type == SOCK_STREAM &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		int e = errno;

		listen_name(l, name, sizeof(name));
		snprintf(err, errlen, "listen %s %s: %s%s",
			 type == SOCK_DGRAM ? "udp" : "tcp", name, strerror(e),
			 e == EADDRINUSE ? " (another server runs there?)" : "");
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	close(fd);
	freeaddrinfo(ai);
	return 0;
}

int listen_socket(const struct config *cfg, const struct cfg_listen *l,
		  int type, char *err, size_t errlen)
{
	struct addrinfo *ai = NULL;
	int fd = -1, one = 1, e;
	const char *what = type == SOCK_DGRAM ? "udp" : "tcp";
	char name[600];

	if (listen_resolve(l, type, &ai, err, errlen) < 0)
		return -1;
	/* UDP sockets block: their thread sleeps in recvmmsg. */
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    (type == SOCK_STREAM ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		goto fail;
	if ((type == SOCK_STREAM &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (ai->ai_family == AF_INET6) {
		int v6only = !(strcmp(l->host, "::") == 0 &&
			       !listen_has_v4(cfg, l->port));

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			       sizeof(v6only)) < 0)
			goto fail;
	}
	if (type == SOCK_DGRAM) {
		int bufsize = 4 << 20;
		struct timeval idle = { 0, WORKER_IDLE_MS * 1000 };

		/* Best effort: a bigger receive queue absorbs bursts. */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize,
				 sizeof(bufsize));
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle,
			       sizeof(idle)) < 0)
			goto fail;
		/* A socket bound to one address replies from it anyway;
		 * packet info (a control message per datagram each way)
		 * is needed on wildcard binds only. */
		if (!listen_is_wildcard(ai->ai_addr)) {
			/* nothing to ask for */
		} else if (ai->ai_family == AF_INET6) {
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
				       sizeof(one)) < 0)
				goto fail;
			/* v4-mapped clients on a dual-stack socket. */
			(void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
					 sizeof(one));
		} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
				      sizeof(one)) < 0) {
			goto fail;
		}
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	e = errno;
	listen_name(l, name, sizeof(name));
	snprintf(err, errlen, "listen %s %s: %s", what, name, strerror(e));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}
