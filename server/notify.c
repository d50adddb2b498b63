/* notify.c -- NOTIFY to secondaries after a change (RFC 1996).
 *
 * The timer keeps a responder of its own (snapshot and zone plan, as an
 * answering thread has), so the serial it announces is the one a transfer
 * started now would carry.  A NOTIFY is a QUERY-shaped message with opcode
 * 4, AA set, the zone's SOA question and its SOA in the answer section;
 * the secondary's reply (same id, QR) ends the retries for that secondary.
 */
#include "notify.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dname.h"
#include "dns_encode.h"
#include "dns_packet.h"
#include "log.h"
#include "responder.h"

struct notify_target {
	const struct cfg_zone *zone;
	struct sockaddr_storage sa;
	socklen_t salen;
	const char *text;            /* as written in the config */
	uint16_t id;                 /* of the NOTIFY in flight */
	unsigned tries;              /* 0: nothing in flight */
	time_t next;                 /* when to send again */
	uint32_t serial;
};

struct notify_zone {
	const struct cfg_zone *cfg;
	int known;                   /* serial below seen once */
	uint32_t serial;
	int pending;                 /* moved: announce once still */
	time_t changed;
};

struct notify {
	const struct config *cfg;
	struct responder r;
	struct event *tick;
	int fd[2];                   /* IPv4, IPv6 sockets (-1: none) */
	struct event *ev[2];
	struct notify_zone *zones;
	size_t nzones;
	struct notify_target *targets;
	size_t ntargets;
	uint16_t next_id;
};

static int notify_fd_index(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* Sends target t's NOTIFY for zone `z` of the plan. */
static void notify_send(struct notify *n, struct notify_target *t,
			const struct zp_zone *z)
{
	uint8_t qpkt[DNS_HEADER_LEN + DNAME_MAX + 4], out[512];
	struct dns_query q;
	struct dns_writer w;
	size_t qlen = wname_len(z->wname), len;
	int fd = n->fd[notify_fd_index(t->sa.ss_family)];

	/* The question, parsed as a query so the writer can copy it. */
	memset(qpkt, 0, DNS_HEADER_LEN);
	qpkt[5] = 1;
	memcpy(qpkt + DNS_HEADER_LEN, z->wname, qlen);
	dns_put16(qpkt + DNS_HEADER_LEN + qlen, DNS_TYPE_SOA);
	dns_put16(qpkt + DNS_HEADER_LEN + qlen + 2, DNS_CLASS_IN);
	if (fd < 0 || dns_query_parse(qpkt, DNS_HEADER_LEN + qlen + 4, &q) !=
	    DNS_PARSE_OK)
		return;
	dns_writer_init(&w, out, sizeof(out));
	if (dns_encode_header(&w, t->id, (uint16_t)(DNS_OPCODE_NOTIFY << 11 |
						    DNS_FLAG_AA)) < 0 ||
	    dns_encode_question(&w, &q) < 0)
		return;
	dns_writer_set_zone(&w, &q, z->wname, 0);
	if (z->soa_rdata_ok)
		dns_encode_tmpl(&w, DNS_QNAME_OFFSET, DNS_TYPE_SOA, z->soa_ttl,
				&z->soa_rdata);
	len = dns_writer_finish(&w);
	if (sendto(fd, out, len, 0, (struct sockaddr *)&t->sa, t->salen) < 0)
		log_warn("NOTIFY of %s to %s: %s", t->zone->name, t->text,
			 strerror(errno));
	else
		log_debug("NOTIFY of %s serial %u to %s (try %u)",
			  t->zone->name, t->serial, t->text, t->tries);
}

static const struct zp_zone *notify_plan_zone(const struct notify *n,
					      const struct cfg_zone *cz)
{
	for (size_t i = 0; i < n->r.plan.nzones; i++)
		if (dname_equal(n->r.plan.zones[i].wname, cz->wname))
			return &n->r.plan.zones[i];
	return NULL;
}

static void notify_tick(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (responder_begin(&n->r) < 0)
		return;
	for (size_t i = 0; i < n->nzones; i++) {
		struct notify_zone *nz = &n->zones[i];
		const struct zp_zone *z = notify_plan_zone(n, nz->cfg);

		if (!z)
			continue;
		if (!nz->known || z->soa_serial != nz->serial) {
			nz->known = 1;
			nz->serial = z->soa_serial;
			nz->pending = 1;
			nz->changed = now;
		}
		if (nz->pending && now - nz->changed >= NOTIFY_DEBOUNCE_S) {
			nz->pending = 0;
			for (size_t k = 0; k < n->ntargets; k++) {
				struct notify_target *t = &n->targets[k];

				if (t->zone != nz->cfg)
					continue;
				t->serial = nz->serial;
				t->id = n->next_id++;
				t->tries = 1;
				t->next = now;
			}
		}
		for (size_t k = 0; k < n->ntargets; k++) {
			struct notify_target *t = &n->targets[k];

			if (t->zone != nz->cfg || !t->tries || t->next > now)
				continue;
			if (t->tries > NOTIFY_TRIES) {
				log_warn("NOTIFY of %s serial %u to %s: no answer "
					 "after %d tries", t->zone->name,
					 t->serial, t->text, NOTIFY_TRIES);
				t->tries = 0;
				continue;
			}
			notify_send(n, t, z);
			t->tries++;
			t->next = now + NOTIFY_RETRY_S;
		}
	}
	responder_idle(&n->r);
}

/* 1 if `from` is target t's address and port. */
static int notify_same_peer(const struct notify_target *t,
			    const struct sockaddr_storage *from)
{
	if (t->sa.ss_family != from->ss_family)
		return 0;
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&t->sa,
					 *b = (const struct sockaddr_in *)from;

		return a->sin_port == b->sin_port &&
		       a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&t->sa,
					  *b = (const struct sockaddr_in6 *)from;

		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0;
	}
	return 0;
}

/* A reply from a secondary: ends the retries of the NOTIFY it answers. */
static void notify_read(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	uint8_t buf[512];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ssize_t len;

	(void)what;
	while ((len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			       (struct sockaddr *)&from, &fromlen)) >= 0) {
		uint16_t id, flags;

		fromlen = sizeof(from);
		if (len < DNS_HEADER_LEN)
			continue;
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		flags = (uint16_t)(buf[2] << 8 | buf[3]);
		if (!(flags & DNS_FLAG_QR) ||
		    DNS_OPCODE(flags) != DNS_OPCODE_NOTIFY)
			continue;
		for (size_t k = 0; k < n->ntargets; k++) {
			struct notify_target *t = &n->targets[k];

			if (!t->tries || t->id != id || !notify_same_peer(t, &from))
				continue;
			log_info("NOTIFY of %s serial %u: %s answered (rcode %u)",
				 t->zone->name, t->serial, t->text, flags & 15);
			t->tries = 0;
		}
	}
}

static int notify_socket(struct notify *n, struct event_base *base,
			 int family)
{
	int i = notify_fd_index(family);

	if (n->fd[i] >= 0)
		return 0;
	n->fd[i] = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd[i] < 0)
		return -1;
	n->ev[i] = event_new(base, n->fd[i], EV_READ | EV_PERSIST, notify_read,
			     n);
	return n->ev[i] && event_add(n->ev[i], NULL) == 0 ? 0 : -1;
}

static int notify_targets(struct notify *n, struct event_base *base)
{
	for (size_t i = 0; i < n->cfg->nzones; i++) {
		const struct cfg_zone *cz = &n->cfg->zones[i];

		for (size_t k = 0; k < cz->nxfr_notify; k++) {
			const struct cfg_listen *l = &cz->xfr_notify[k];
			struct addrinfo hints, *res = NULL;
			struct notify_target *t, *v;
			int rc;

			memset(&hints, 0, sizeof(hints));
			hints.ai_socktype = SOCK_DGRAM;
			rc = getaddrinfo(l->host, l->port, &hints, &res);
			if (rc != 0 || !res) {
				log_err("%s: %s: %s", l->where, l->text,
					gai_strerror(rc));
				return -1;
			}
			v = realloc(n->targets, (n->ntargets + 1) * sizeof(*v));
			if (!v || notify_socket(n, base, res->ai_family) < 0) {
				freeaddrinfo(res);
				if (v)
					n->targets = v;
				log_err("NOTIFY: cannot set up a socket: %s",
					strerror(errno));
				return -1;
			}
			n->targets = v;
			t = &n->targets[n->ntargets++];
			memset(t, 0, sizeof(*t));
			t->zone = cz;
			memcpy(&t->sa, res->ai_addr, res->ai_addrlen);
			t->salen = res->ai_addrlen;
			t->text = l->text;
			freeaddrinfo(res);
		}
	}
	return 0;
}

struct notify *notify_start(struct event_base *base, const struct config *cfg,
			    struct store *st)
{
	struct notify *n;
	struct timeval tv = { 1, 0 };
	char err[256];
	size_t want = 0;

	for (size_t i = 0; i < cfg->nzones; i++)
		want += cfg->zones[i].nxfr_notify;
	if (!want)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->cfg = cfg;
	n->fd[0] = n->fd[1] = -1;
	n->next_id = (uint16_t)(time(NULL) ^ getpid());
	n->zones = calloc(cfg->nzones, sizeof(*n->zones));
	if (!n->zones || notify_targets(n, base) < 0 ||
	    responder_init(&n->r, cfg, st, "notify", err, sizeof(err)) < 0) {
		notify_free(n);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg->zones[i].nxfr_notify)
			n->zones[n->nzones++].cfg = &cfg->zones[i];
	n->tick = event_new(base, -1, EV_PERSIST, notify_tick, n);
	if (!n->tick || event_add(n->tick, &tv) < 0) {
		notify_free(n);
		return NULL;
	}
	log_info("NOTIFY: %zu secondaries of %zu zones", n->ntargets,
		 n->nzones);
	return n;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	if (n->tick)
		event_free(n->tick);
	for (int i = 0; i < 2; i++) {
		if (n->ev[i])
			event_free(n->ev[i]);
		if (n->fd[i] >= 0)
			close(n->fd[i]);
	}
	if (n->r.rd)
		responder_free(&n->r);
	free(n->targets);
	free(n->zones);
	free(n);
}
