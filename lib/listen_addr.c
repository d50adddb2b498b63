/* listen_addr.c -- listen addresses: syntax checks and name resolution.
 *
 * Resolution goes through getaddrinfo (hosts file, DNS) once at start-up;
 * the numeric text it leaves behind is what listen.c binds, with
 * AI_NUMERICHOST, so nothing is looked up twice or after a chroot.
 */
#include "listen_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* RFC 1123 names, plus '_' (found in hosts files); a trailing dot is fine. */
static int listen_name_ok(const char *host)
{
	size_t len = strlen(host), label = 0;

	if (len && host[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = host[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

const char *listen_check_host(const char *host)
{
	unsigned char addr[16];

	if (!*host)
		return "missing host part";
	if (strchr(host, ':'))
		return inet_pton(AF_INET6, host, addr) == 1 ? NULL
							     : "bad IPv6 address";
	/* Digits and dots only: meant as an IPv4 address, never a name
	 * ("300.1.1.1" and "127.1" are not looked up). */
	if (host[strspn(host, "0123456789.")] == '\0')
		return inet_pton(AF_INET, host, addr) == 1 ? NULL
							    : "bad IPv4 address";
	return listen_name_ok(host) ? NULL : "bad host name";
}

const char *listen_check_port(const char *text, unsigned *port)
{
	struct servent se, *found = NULL;
	char buf[1024];

	if (!*text)
		return "bad port: want 1..65535";
	if (text[strspn(text, "0123456789")] == '\0') {
		/* Digits only: a number, never cut to 16 bits (getaddrinfo
		 * would take 65536 as 0). */
		unsigned long v = 0;

		for (const char *p = text; *p && v <= 65535; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (v < 1 || v > 65535)
			return "bad port: want 1..65535";
		*port = (unsigned)v;
		return NULL;
	}
	if (getservbyname_r(text, NULL, &se, buf, sizeof(buf), &found) != 0 ||
	    !found)
		return "bad port: unknown service name";
	*port = ntohs((uint16_t)found->s_port);
	return *port ? NULL : "bad port: want 1..65535";
}

void listen_error(const struct cfg_listen *l, const char *reason, char *err,
		  size_t errlen)
{
	if (l->text && l->where && l->where[0] == '-')
		/* An option: rbldnsd's "addr/port: reason", then which. */
		snprintf(err, errlen, "%s: %s (%s)", l->text, reason, l->where);
	else if (l->text && l->where)
		snprintf(err, errlen, "%s: \"%s\": %s", l->where, l->text,
			 reason);
	else
		snprintf(err, errlen, "listen %s port %s: %s", l->host, l->port,
			 reason);
}

static void listen_entry_free(struct cfg_listen *l)
{
	free(l->host);
	free(l->port);
	free(l->text);
	free(l->where);
}

static void listen_list_free(struct cfg_listen *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		listen_entry_free(&list[i]);
	free(list);
}

/* Appends host/port from `from` to the list unless it is there already.
 * Returns 0, or -1 out of memory. */
static int listen_add(struct cfg_listen **list, size_t *n, const char *host,
		      const char *port, const struct cfg_listen *from)
{
	struct cfg_listen *l;
	int respelled;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].host, host) == 0 &&
		    strcmp((*list)[i].port, port) == 0)
			return 0;
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return -1;
	*list = l;
	l += *n;
	memset(l, 0, sizeof(*l));
	(*n)++;   /* counted now: listen_list_free frees a half-made entry */
	/* The original spelling is worth a message only if it differs. */
	respelled = strcmp(from->host, host) != 0 ||
		    strcmp(from->port, port) != 0;
	l->host = strdup(host);
	l->port = strdup(port);
	if (!l->host || !l->port)
		return -1;
	if (from->text && respelled && !(l->text = strdup(from->text)))
		return -1;
	if (from->where && !(l->where = strdup(from->where)))
		return -1;
	return 0;
}

/* Adds every address of entry `l` to the list; 0, or -1 with err. */
static int listen_resolve_one(const struct cfg_listen *l, int family,
			      struct cfg_listen **list, size_t *n, char *err,
			      size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char host[NI_MAXHOST], port[8];
	const char *why;
	unsigned num;
	int rc;

	if ((why = listen_check_port(l->port, &num)) != NULL) {
		listen_error(l, why, err, errlen);
		return -1;
	}
	snprintf(port, sizeof(port), "%u", num);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;   /* one result per address */
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(l->host, port, &hints, &ai);
	if (rc != 0) {
		listen_error(l, rc == EAI_SYSTEM ? strerror(errno)
						 : gai_strerror(rc),
			     err, errlen);
		return -1;
	}
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		rc = getnameinfo(a->ai_addr, a->ai_addrlen, host, sizeof(host),
				 NULL, 0, NI_NUMERICHOST);
		if (rc != 0) {
			listen_error(l, gai_strerror(rc), err, errlen);
			freeaddrinfo(ai);
			return -1;
		}
		if (listen_add(list, n, host, port, l) < 0) {
			listen_error(l, "out of memory", err, errlen);
			freeaddrinfo(ai);
			return -1;
		}
	}
	freeaddrinfo(ai);
	return 0;
}

int listen_resolve_config(struct config *cfg, int family, char *err,
			  size_t errlen)
{
	struct cfg_listen *list = NULL;
	size_t n = 0;

	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (listen_resolve_one(&cfg->listen[i], family, &list, &n, err,
				       errlen) < 0) {
			listen_list_free(list, n);
			return -1;
		}
	}
	listen_list_free(cfg->listen, cfg->nlisten);
	cfg->listen = list;
	cfg->nlisten = n;
	return 0;
}
