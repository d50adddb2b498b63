/* rdns.c -- reverse DNS of trap senders: c-ares in the loader's event loop.
 *
 * With `rdns: true`, each commit of a trap dataset's hits names the
 * senders whose rDNS is wanted (lib/trap_rdns.c: none known yet, or a
 * timeout or failure an hour old).  For each, one lookup: the PTR of the
 * address that hit (in-addr.arpa / ip6.arpa, names built by
 * lib/dnsbl_qname.c), then the A (or AAAA) of every PTR name (at most
 * RDNS_NAMES); the address among them is a forward-confirmed name.  The
 * outcome -- confirmed NAME, mismatch NAME, no PTR (NXDOMAIN or no
 * record), timeout, failure -- goes back into the ingest's next batch
 * (trap_ingest_rdns), which records it in the sender's counter and
 * applies the rDNS policy in the same transaction as the hits.
 *
 * Nothing here blocks: c-ares sockets are libevent events (its socket
 * state callback adds and removes them), its timeouts and the lookups'
 * own deadline (rdns_timeout from the start, whatever c-ares retries)
 * are a timer that runs while lookups are alive.  At most
 * RDNS_MAX_LOOKUPS are alive at once: a flood of new senders takes no
 * more memory or sockets; a sender wanted while all are busy is looked
 * up on a later hit (counted as dropped).  A lookup that timed out stays
 * alive, ignored, until c-ares ends its queries.
 */
#include "rdns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <event2/event.h>

#include "dnsbl_qname.h"
#include "listen_addr.h"
#include "loader.h"
#include "monoclock.h"
#include "store.h"
#include "trap.h"

#define RDNS_MAX_LOOKUPS 512     /* alive at once */
#define RDNS_NAMES 4             /* PTR names checked forward */
#define RDNS_TICK_MS 50          /* timeouts looked at this often */

struct rdns_lookup {
	struct rdns *r;
	struct store_trap_hit who;   /* the sender (prefix) and host */
	double deadline;             /* monoclock */
	int started, done;           /* queries sent; outcome given */
	int queries;                 /* c-ares queries not called back yet */
	char names[RDNS_NAMES][TRAP_RDNS_NAME_MAX];
	int nnames;
	int fwd_timeout, fwd_failure;
};

struct rdns_fd {
	ares_socket_t fd;
	struct event *ev;
};

struct rdns {
	struct event_base *base;
	struct trap_ingest *ti;
	const struct cfg_trap *t;
	ares_channel ch;
	int have_ch, closing;
	struct rdns_fd *fds;
	size_t nfds, capfds;
	struct rdns_lookup *alive[RDNS_MAX_LOOKUPS];
	size_t nalive;
	size_t pending;              /* alive and not done */
	struct event *tick, *kick;   /* timeouts; start what was queued */
	int ticking;
	struct rdns_stats stats;
};

static void rdns_on_fd(evutil_socket_t fd, short what, void *arg)
{
	struct rdns *r = arg;

	ares_process_fd(r->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
			(what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

/* c-ares opens, changes and closes its sockets: one event each. */
static void rdns_sock_state(void *data, ares_socket_t fd, int readable,
			    int writable)
{
	struct rdns *r = data;
	short what = (short)((readable ? EV_READ : 0) |
			     (writable ? EV_WRITE : 0));
	size_t i;

	for (i = 0; i < r->nfds && r->fds[i].fd != fd; i++)
		;
	if (i < r->nfds) {
		event_free(r->fds[i].ev);
		if (!what) {
			r->fds[i] = r->fds[--r->nfds];
			return;
		}
	} else if (!what) {
		return;
	} else {
		if (r->nfds == r->capfds) {
			size_t cap = r->capfds ? 2 * r->capfds : 8;
			struct rdns_fd *p = realloc(r->fds, cap * sizeof(*p));

			/* Without the event the socket is never read: its
			 * queries time out, and that is what is recorded. */
			if (!p)
				return;
			r->fds = p;
			r->capfds = cap;
		}
		r->nfds++;
	}
	r->fds[i].fd = fd;
	r->fds[i].ev = event_new(r->base, fd, what | EV_PERSIST, rdns_on_fd, r);
	if (!r->fds[i].ev || event_add(r->fds[i].ev, NULL) < 0) {
		if (r->fds[i].ev)
			event_free(r->fds[i].ev);
		r->fds[i] = r->fds[--r->nfds];
	}
}

/* Frees lookup `lk` once its outcome is given and c-ares is done with it. */
static void rdns_maybe_free(struct rdns_lookup *lk)
{
	struct rdns *r = lk->r;

	if (!lk->done || lk->queries)
		return;
	for (size_t i = 0; i < r->nalive; i++) {
		if (r->alive[i] == lk) {
			r->alive[i] = r->alive[--r->nalive];
			break;
		}
	}
	free(lk);
}

/* Keeps only what a TXT and a log line can carry: printable ASCII, no
 * `$` (the server's TXT expansion) and no quote. */
static void rdns_clean(char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '$' || *s == '"' ||
		    *s == '\\')
			*s = '?';
}

/* The outcome of `lk`: into the ingest's next batch. */
static void rdns_finish(struct rdns_lookup *lk, int status, const char *name)
{
	struct rdns *r = lk->r;
	struct trap_rdns out;

	if (lk->done)
		return;
	lk->done = 1;
	r->pending--;
	if (r->closing)
		return;
	memset(&out, 0, sizeof(out));
	out.status = (uint8_t)status;
	out.family = lk->who.family;
	memcpy(out.addr, lk->who.host, 16);
	out.time = loader_now();
	if (name) {
		snprintf(out.name, sizeof(out.name), "%s", name);
		rdns_clean(out.name);
	}
	switch (status) {
	case TRAP_RDNS_CONFIRMED: r->stats.confirmed++; break;
	case TRAP_RDNS_MISMATCH: r->stats.mismatch++; break;
	case TRAP_RDNS_NOPTR: r->stats.noptr++; break;
	case TRAP_RDNS_TIMEOUT: r->stats.timeout++; break;
	default: r->stats.failure++; break;
	}
	/* Out of memory loses the outcome; the sender is looked up again. */
	(void)trap_ingest_rdns(r->ti, &lk->who, &out, loader_now());
}

/* A c-ares status as an outcome for a query that found nothing. */
static int rdns_status_of(int status)
{
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA)
		return TRAP_RDNS_NOPTR;
	if (status == ARES_ETIMEOUT)
		return TRAP_RDNS_TIMEOUT;
	return TRAP_RDNS_FAILURE;
}

/* Does the A/AAAA reply hold the sender's address? */
static int rdns_reply_has(const struct rdns_lookup *lk,
			  const unsigned char *abuf, int alen)
{
	int n = 16;

	if (lk->who.family == 4) {
		struct ares_addrttl a[16];

		if (ares_parse_a_reply(abuf, alen, NULL, a, &n) != ARES_SUCCESS)
			return 0;
		for (int i = 0; i < n; i++)
			if (memcmp(&a[i].ipaddr, lk->who.host, 4) == 0)
				return 1;
	} else {
		struct ares_addr6ttl a[16];

		if (ares_parse_aaaa_reply(abuf, alen, NULL, a, &n) != ARES_SUCCESS)
			return 0;
		for (int i = 0; i < n; i++)
			if (memcmp(&a[i].ip6addr, lk->who.host, 16) == 0)
				return 1;
	}
	return 0;
}

/* Every PTR name was asked and none has the address: a mismatch -- unless
 * an answer is missing (a timeout, a failure): nothing known is no
 * mismatch. */
static void rdns_fwd_end(struct rdns_lookup *lk)
{
	rdns_finish(lk, lk->fwd_timeout ? TRAP_RDNS_TIMEOUT :
		    lk->fwd_failure ? TRAP_RDNS_FAILURE : TRAP_RDNS_MISMATCH,
		    lk->names[0]);
}

/* The A/AAAA of one PTR name: the lookup and the name's index. */
struct rdns_fwd {
	struct rdns_lookup *lk;
	int idx;
};

static void rdns_on_fwd(void *arg, int status, int timeouts,
			unsigned char *abuf, int alen)
{
	struct rdns_fwd *f = arg;
	struct rdns_lookup *lk = f->lk;
	int idx = f->idx;

	(void)timeouts;
	free(f);
	lk->queries--;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		rdns_finish(lk, TRAP_RDNS_FAILURE, NULL);
	} else if (status == ARES_SUCCESS && rdns_reply_has(lk, abuf, alen)) {
		rdns_finish(lk, TRAP_RDNS_CONFIRMED, lk->names[idx]);
	} else {
		if (status == ARES_ETIMEOUT)
			lk->fwd_timeout++;
		else if (status != ARES_SUCCESS && status != ARES_ENOTFOUND &&
			 status != ARES_ENODATA)
			lk->fwd_failure++;
		if (!lk->queries)
			rdns_fwd_end(lk);
	}
	rdns_maybe_free(lk);
}

static void rdns_on_ptr(void *arg, int status, int timeouts,
			unsigned char *abuf, int alen)
{
	struct rdns_lookup *lk = arg;
	struct rdns *r = lk->r;
	struct hostent *he = NULL;

	(void)timeouts;
	lk->queries--;
	if (status == ARES_SUCCESS &&
	    (status = ares_parse_ptr_reply(abuf, alen, lk->who.host,
					   lk->who.family == 4 ? 4 : 16,
					   lk->who.family == 4 ? AF_INET : AF_INET6,
					   &he)) == ARES_SUCCESS) {
		if (he->h_name && he->h_name[0])
			snprintf(lk->names[lk->nnames++], TRAP_RDNS_NAME_MAX, "%s",
				 he->h_name);
		for (int i = 0; he->h_aliases && he->h_aliases[i] &&
		     lk->nnames < RDNS_NAMES; i++)
			snprintf(lk->names[lk->nnames++], TRAP_RDNS_NAME_MAX, "%s",
				 he->h_aliases[i]);
		ares_free_hostent(he);
	}
	if (status != ARES_SUCCESS || !lk->nnames || lk->done || r->closing) {
		rdns_finish(lk, status == ARES_SUCCESS ? TRAP_RDNS_NOPTR :
			    rdns_status_of(status), NULL);
		rdns_maybe_free(lk);
		return;
	}
	/* Held while the queries go out: c-ares may call one back at once. */
	lk->queries++;
	for (int i = 0; i < lk->nnames; i++) {
		struct rdns_fwd *f = malloc(sizeof(*f));

		if (!f) {
			lk->fwd_failure++;
			continue;
		}
		f->lk = lk;
		f->idx = i;
		lk->queries++;
		ares_query(r->ch, lk->names[i], ns_c_in,
			   lk->who.family == 4 ? ns_t_a : ns_t_aaaa, rdns_on_fwd, f);
	}
	if (--lk->queries == 0)
		rdns_fwd_end(lk);
	rdns_maybe_free(lk);
}

/* Ends the lookups past their deadline (their late answers are
 * ignored) and lets c-ares time its queries out. */
static void rdns_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rdns *r = arg;
	double now = monoclock_now();

	(void)fd;
	(void)what;
	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	for (size_t i = r->nalive; i-- > 0;) {
		struct rdns_lookup *lk = r->alive[i];

		if (!lk->done && now >= lk->deadline) {
			rdns_finish(lk, TRAP_RDNS_TIMEOUT, NULL);
			rdns_maybe_free(lk);
		}
	}
	if (!r->nalive && r->ticking) {
		event_del(r->tick);
		r->ticking = 0;
	}
}

/* Starts the queued lookups (outside the commit that wanted them). */
static void rdns_on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct rdns *r = arg;
	const struct timeval tick = { 0, RDNS_TICK_MS * 1000 };
	struct rdns_lookup *todo[RDNS_MAX_LOOKUPS];
	size_t n = 0;

	(void)fd;
	(void)what;
	/* A copy: a query called back at once may free its lookup. */
	for (size_t i = 0; i < r->nalive; i++)
		if (!r->alive[i]->started)
			todo[n++] = r->alive[i];
	for (size_t i = 0; i < n; i++) {
		struct rdns_lookup *lk = todo[i];
		struct dnsbl_item item;
		char qname[DNSBL_NAME_MAX];

		lk->started = 1;
		lk->deadline = monoclock_now() + r->t->rdns_timeout;
		memset(&item, 0, sizeof(item));
		item.kind = lk->who.family == 4 ? DNSBL_IP4 : DNSBL_IP6;
		memcpy(item.addr, lk->who.host, 16);
		if (dnsbl_qname(&item, lk->who.family == 4 ? "in-addr.arpa" :
				"ip6.arpa", qname, sizeof(qname)) < 0)
			continue;   /* cannot happen; the deadline ends it */
		r->stats.started++;
		lk->queries++;
		ares_query(r->ch, qname, ns_c_in, ns_t_ptr, rdns_on_ptr, lk);
	}
	if (r->nalive && !r->ticking && event_add(r->tick, &tick) == 0)
		r->ticking = 1;
}

/* The ingest wants sender `h` looked up. */
static void rdns_want(const struct store_trap_hit *h, void *arg)
{
	struct rdns *r = arg;
	struct rdns_lookup *lk;

	if (r->closing)
		return;
	if (r->nalive == RDNS_MAX_LOOKUPS) {   /* before the scan: a flood */
		r->stats.dropped++;
		return;
	}
	for (size_t i = 0; i < r->nalive; i++) {
		const struct store_trap_hit *o = &r->alive[i]->who;

		if (!r->alive[i]->done && o->family == h->family &&
		    memcmp(o->addr, h->addr, 16) == 0)
			return;   /* in flight */
	}
	if (!(lk = calloc(1, sizeof(*lk)))) {
		r->stats.dropped++;
		return;
	}
	lk->r = r;
	lk->who = *h;
	lk->who.reason = NULL;
	lk->who.rdns = NULL;
	r->alive[r->nalive++] = lk;
	r->pending++;
	event_active(r->kick, 0, 0);
}

/* One server "ADDR:PORT" of the config (numeric, checked there). */
static int rdns_server(const struct cfg_listen *l,
		       struct ares_addr_port_node *node, char *err,
		       size_t errlen)
{
	unsigned port;
	const char *why = listen_check_port(l->port, &port);

	memset(node, 0, sizeof(*node));
	if (why) {
		snprintf(err, errlen, "resolver port %s: %s", l->port, why);
		return -1;
	}
	node->udp_port = node->tcp_port = (int)port;
	if (inet_pton(AF_INET, l->host, &node->addr.addr4) == 1) {
		node->family = AF_INET;
	} else if (inet_pton(AF_INET6, l->host, &node->addr.addr6) == 1) {
		node->family = AF_INET6;
	} else {
		snprintf(err, errlen, "resolver %s: not a numeric address",
			 l->host);
		return -1;
	}
	return 0;
}

struct rdns *rdns_new(struct event_base *base, struct trap_ingest *ti,
		      const struct cfg_trap *t, char *err, size_t errlen)
{
	struct ares_options opts;
	struct ares_addr_port_node server;
	struct rdns *r;
	int rc;

	if (t->resolver && rdns_server(t->resolver, &server, err, errlen) < 0)
		return NULL;
	if (!(r = calloc(1, sizeof(*r)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->base = base;
	r->ti = ti;
	r->t = t;
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(r);
		return NULL;
	}
	memset(&opts, 0, sizeof(opts));
	/* NOCHECKRESP: a SERVFAIL or REFUSED is an answer (a failure),
	 * not a reason to try again until the deadline. */
	opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN;
	opts.timeout = (int)t->rdns_timeout * 1000;
	opts.tries = 1;
	opts.sock_state_cb = rdns_sock_state;
	opts.sock_state_cb_data = r;
	rc = ares_init_options(&r->ch, &opts, ARES_OPT_FLAGS |
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
			       ARES_OPT_SOCK_STATE_CB);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		ares_library_cleanup();
		free(r);
		return NULL;
	}
	r->have_ch = 1;
	if (t->resolver && (rc = ares_set_servers_ports(r->ch, &server)) !=
	    ARES_SUCCESS) {
		snprintf(err, errlen, "resolver %s: %s", t->resolver->host,
			 ares_strerror(rc));
		rdns_free(r);
		return NULL;
	}
	r->tick = event_new(base, -1, EV_PERSIST, rdns_on_tick, r);
	r->kick = event_new(base, -1, 0, rdns_on_kick, r);
	if (!r->tick || !r->kick) {
		snprintf(err, errlen, "event loop: out of memory");
		rdns_free(r);
		return NULL;
	}
	trap_ingest_on_want_rdns(ti, rdns_want, r);
	return r;
}

void rdns_free(struct rdns *r)
{
	if (!r)
		return;
	r->closing = 1;
	trap_ingest_on_want_rdns(r->ti, NULL, NULL);
	/* Every query is called back (ARES_EDESTRUCTION): each lookup is
	 * done and freed there; the unstarted ones here. */
	if (r->have_ch)
		ares_destroy(r->ch);
	for (size_t i = r->nalive; i-- > 0;) {
		r->alive[i]->done = 1;
		r->alive[i]->queries = 0;
		rdns_maybe_free(r->alive[i]);
	}
	for (size_t i = 0; i < r->nfds; i++)
		event_free(r->fds[i].ev);
	free(r->fds);
	if (r->tick)
		event_free(r->tick);
	if (r->kick)
		event_free(r->kick);
	if (r->have_ch)
		ares_library_cleanup();
	free(r);
}

size_t rdns_pending(const struct rdns *r)
{
	return r ? r->pending : 0;
}


void rdns_describe(const struct rdns *r, char *out, size_t len)
{
	const struct rdns_stats *s = &r->stats;

	snprintf(out, len, "; rdns: %llu looked up: %llu confirmed, %llu "
		 "mismatch, %llu no PTR, %llu timeout, %llu failure, %llu "
		 "dropped", (unsigned long long)s->started,
		 (unsigned long long)s->confirmed,
		 (unsigned long long)s->mismatch,
		 (unsigned long long)s->noptr, (unsigned long long)s->timeout,
		 (unsigned long long)s->failure, (unsigned long long)s->dropped);
}

const struct rdns_stats *rdns_stats(const struct rdns *r)
{
	return &r->stats;
}
