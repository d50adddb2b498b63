/* trapsock.c -- the spam-trap hit listeners of `dnsbl-loader watch`.
 *
 * Each trap dataset with `socket:` (a UNIX stream socket) or `listen:` (a
 * TCP port, loopback unless a host is given) takes hit lines from any
 * number of clients, one line per hit, into its batch (lib/trap_ingest.c),
 * committed every TRAP_BATCH_MS or TRAP_BATCH_MAX hits.  Clients cannot
 * stop one another: each read callback handles only what one read
 * brought (libevent serves ready connections in turn), a line longer
 * than TRAP_LINE_MAX is refused and skipped to its newline, a connection
 * past TRAPSOCK_MAX_CLIENTS is closed at once, and one that sends more
 * than TRAPSOCK_MAX_BAD malformed lines is closed.  Malformed lines are
 * named by their source and line number (the first TRAPSOCK_LOG_BAD per
 * connection; the rest are counted in its closing line).  A dataset's
 * `tail:` log file (traptail.c) feeds the same batch, its malformed hits
 * named by file and line the same way (TRAPSOCK_LOG_BAD a minute).  The
 * config file is followed: when a trap dataset's settings change, the
 * listeners restart with the new ones.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "loader.h"
#include "monoclock.h"
#include "rdns.h"
#include "store.h"
#include "trap.h"
#include "trapsock.h"
#include "traptail.h"

#define TRAPSOCK_MAX_CLIENTS 256    /* per dataset */
#define TRAPSOCK_MAX_BAD 1000       /* malformed lines before a close */
#define TRAPSOCK_LOG_BAD 5          /* logged per connection */
#define TRAPSOCK_TICK_MS 20         /* how often batches are looked at */
#define TRAPSOCK_PRUNE 20000        /* counters looked at per second */
#define TRAPSOCK_SAY_FAIL_S 10      /* at most one failure line this often */
#define TRAPSOCK_COMPACT_S 60       /* how often the store's space is
                                       looked at after trap commits */

struct trapsock_ds;

struct trapsock_conn {
	struct trapsock_ds *ds;
	struct bufferevent *bev;
	char source[400];
	uint64_t lineno, bad;
	int skipping;               /* the rest of an over-long line */
	struct trapsock_conn *next;
};

struct trapsock_ds {
	struct trapsock *ts;
	struct trap_ingest *ti;
	struct evconnlistener *lev[2];   /* UNIX, TCP */
	struct traptail *tail;      /* the log file followed, or NULL */
	struct rdns *rdns;          /* rdns: true: its lookups (rdns.c) */
	uint64_t tail_bad;          /* its malformed hits this minute */
	char tcpname[300];
	size_t nconns;
	struct trapsock_conn *conns;
	uint64_t said_listed, said_bad;
	uint64_t failures;          /* commits failed since the last line */
	double said_failure_at;
	uint64_t refused;           /* connections refused since the last line */
	double said_refused_at;
};

struct trapsock {
	struct event_base *base;
	struct store *st;
	const struct config *cfg;
	trapsock_say_fn say;
	void *arg;
	struct trapsock_ds *ds;
	size_t nds;
	const char *path;           /* the config file, to follow it */
	struct stat cfg_id;         /* its identity when last read */
	struct config *own;         /* the config trapsock_reload read */
	struct event *tick;
	unsigned long ticks;
	uint64_t commits_seen;      /* at the last look at the space */
};

static void trapsock_sayf(struct trapsock *ts, int failure, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));
static void trapsock_close(struct trapsock *ts);
static void trapsock_reload(struct trapsock *ts);

static void trapsock_sayf(struct trapsock *ts, int failure, const char *fmt,
			  ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ts->say(ts->arg, failure, msg);
}

/* Commits the batch; a failure (the batch is dropped) is said at most
 * every TRAPSOCK_SAY_FAIL_S seconds, with the count of the others. */
static void trapsock_commit(struct trapsock_ds *d)
{
	char err[1024];
	double now;

	if (trap_ingest_commit(d->ti, loader_now(), err, sizeof(err)) == 0)
		return;
	now = monoclock_now();
	d->failures++;
	if (now < d->said_failure_at + TRAPSOCK_SAY_FAIL_S)
		return;
	trapsock_sayf(d->ts, 1, "traps: %s: FAILED to commit (%llu batch%s "
		      "dropped): %s", trap_ingest_dataset(d->ti)->name,
		      (unsigned long long)d->failures,
		      d->failures == 1 ? "" : "es", err);
	d->said_failure_at = now;
	d->failures = 0;
}

/* Allow always wins: listings an allow dataset now covers (it was
 * reloaded, say) end, looked at at start and every TRAPSOCK_COMPACT_S. */
static void trapsock_enforce(struct trapsock *ts)
{
	char err[1024];

	for (size_t i = 0; i < ts->nds; i++) {
		const char *name = trap_ingest_dataset(ts->ds[i].ti)->name;
		long n = trap_ingest_enforce_allow(ts->ds[i].ti, loader_now(), err,
						   sizeof(err));

		if (n < 0)
			trapsock_sayf(ts, 1, "traps: %s: allow-list: %s", name, err);
		else if (n)
			trapsock_sayf(ts, 0, "traps: %s: %ld listing%s ended: "
				      "allow-listed now", name, n,
				      n == 1 ? "" : "s");
	}
}

/* Every commit leaves the pages it rewrote behind (LMDB copies on
 * write): now and then, give the space back as a feed load does. */
static void trapsock_compact(struct trapsock *ts)
{
	struct store_compact_stats cs;
	uint64_t commits = 0;
	char err[1024], line[256];
	int rc;

	for (size_t i = 0; i < ts->nds; i++)
		commits += trap_ingest_stats(ts->ds[i].ti)->commits;
	if (commits == ts->commits_seen)
		return;
	ts->commits_seen = commits;
	rc = store_compact_if_bloated(ts->st, &cs, err, sizeof(err));
	if (rc < 0) {
		trapsock_sayf(ts, 1, "store: could not compact (the data is "
			      "stored and served): %s", err);
	} else if (rc > 0) {
		store_compact_describe(&cs, line, sizeof(line));
		trapsock_sayf(ts, 1, "%s", line);
	}
}

static void conn_close(struct trapsock_conn *c, const char *why)
{
	struct trapsock_ds *d = c->ds;

	for (struct trapsock_conn **p = &d->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	d->nconns--;
	if (c->bad > TRAPSOCK_LOG_BAD || why)
		trapsock_sayf(d->ts, 1, "traps: %s: closed%s%s after %llu lines, "
			      "%llu malformed", c->source, why ? ": " : "",
			      why ? why : "", (unsigned long long)c->lineno,
			      (unsigned long long)c->bad);
	bufferevent_free(c->bev);
	free(c);
}

/* One hit line from `source` line `lineno` (a connection's or a tailed
 * file's, whose count of malformed lines is *bad): into the batch, or
 * named (the first TRAPSOCK_LOG_BAD, the last saying `until`) and
 * counted. */
static void ds_line(struct trapsock_ds *d, const char *source,
		    uint64_t lineno, uint64_t *bad, const char *until,
		    const char *line, size_t len)
{
	const char *why;

	if (trap_ingest_line(d->ti, line, len, loader_now(), &why) < 0 &&
	    ++*bad <= TRAPSOCK_LOG_BAD)
		trapsock_sayf(d->ts, 1, "traps: %s:%llu: %s%s%s%s", source,
			      (unsigned long long)lineno, why,
			      *bad == TRAPSOCK_LOG_BAD ? " (no more logged " : "",
			      *bad == TRAPSOCK_LOG_BAD ? until : "",
			      *bad == TRAPSOCK_LOG_BAD ? ")" : "");
	if (trap_ingest_pending(d->ti, NULL) >= TRAP_BATCH_MAX)
		trapsock_commit(d);
}

/* One line of a connection; -1 if the connection must go. */
static int conn_line(struct trapsock_conn *c, const char *line, size_t len)
{
	ds_line(c->ds, c->source, ++c->lineno, &c->bad, "for this connection",
		line, len);
	return c->bad > TRAPSOCK_MAX_BAD ? -1 : 0;
}

/* A hit of the dataset's tailed log file (traptail.c). */
static void ds_on_tail_hit(void *arg, const char *hit, size_t len,
			   const char *file, uint64_t lineno)
{
	struct trapsock_ds *d = arg;

	ds_line(d, file, lineno, &d->tail_bad, "this minute", hit, len);
}

static void conn_on_read(struct bufferevent *bev, void *arg)
{
	struct trapsock_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in), used = 0;
	const char *buf = (const char *)evbuffer_pullup(in, -1);

	while (buf && used < n) {
		const char *nl = memchr(buf + used, '\n', n - used);
		size_t len = nl ? (size_t)(nl - buf - used) : n - used;

		if (!nl && len <= TRAP_LINE_MAX + 1)
			break;   /* the rest comes with the next read */
		if (!c->skipping && conn_line(c, buf + used, len) < 0) {
			conn_close(c, "too many malformed lines");
			return;
		}
		c->skipping = !nl;   /* over-long: skip to its newline */
		used += len + (nl != NULL);
	}
	evbuffer_drain(in, used);
}

static void conn_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct trapsock_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (n && !c->skipping)   /* a last line without its newline */
		conn_line(c, (const char *)evbuffer_pullup(in, -1), n);
	conn_close(c, what & BEV_EVENT_ERROR ? strerror(EVUTIL_SOCKET_ERROR())
					     : NULL);
}

static void ds_on_accept(struct evconnlistener *lev, evutil_socket_t fd,
			 struct sockaddr *sa, int salen, void *arg)
{
	struct trapsock_ds *d = arg;
	struct trapsock_conn *c;
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "";
	int is_unix = lev == d->lev[0];

	if (d->nconns >= TRAPSOCK_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		double now = monoclock_now();

		/* Said at most every TRAPSOCK_SAY_FAIL_S: a storm of
		 * connections must not become a storm of log lines. */
		d->refused++;
		if (now >= d->said_refused_at + TRAPSOCK_SAY_FAIL_S) {
			trapsock_sayf(d->ts, 1, "traps: %s: %llu connection%s "
				      "refused (%d clients at most)",
				      trap_ingest_dataset(d->ti)->name,
				      (unsigned long long)d->refused,
				      d->refused == 1 ? "" : "s",
				      TRAPSOCK_MAX_CLIENTS);
			d->said_refused_at = now;
			d->refused = 0;
		}
		evutil_closesocket(fd);
		return;
	}
	if (!is_unix)
		getnameinfo(sa, (socklen_t)salen, host, sizeof(host), port,
			    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
	if (is_unix)
		snprintf(c->source, sizeof(c->source), "%s#%d",
			 trap_ingest_dataset(d->ti)->trap->socket, (int)fd);
	else
		snprintf(c->source, sizeof(c->source), "%s from %s:%s",
			 d->tcpname, host, port);
	c->ds = d;
	c->bev = bufferevent_socket_new(d->ts->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!c->bev) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_on_read, NULL, conn_on_event, c);
	bufferevent_enable(c->bev, EV_READ);
	c->next = d->conns;
	d->conns = c;
	d->nconns++;
}

/* The UNIX socket: a stale socket file of an earlier run is replaced. */
static int ds_listen_unix(struct trapsock_ds *d, const char *path,
			  char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat sb;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(path);
	d->lev[0] = evconnlistener_new_bind(d->ts->base, ds_on_accept, d,
					    LEV_OPT_CLOSE_ON_FREE |
					    LEV_OPT_CLOSE_ON_EXEC, 64,
					    (struct sockaddr *)&sun, sizeof(sun));
	if (!d->lev[0]) {
		snprintf(err, errlen, "socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int ds_listen_tcp(struct trapsock_ds *d, const char *host,
			 const char *port, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "listen %s:%s: %s", host, port,
			 gai_strerror(rc));
		return -1;
	}
	snprintf(d->tcpname, sizeof(d->tcpname), strchr(host, ':') ?
		 "[%s]:%s" : "%s:%s", host, port);
	d->lev[1] = evconnlistener_new_bind(d->ts->base, ds_on_accept, d,
					    LEV_OPT_CLOSE_ON_FREE |
					    LEV_OPT_CLOSE_ON_EXEC |
					    LEV_OPT_REUSEABLE, 64,
					    res->ai_addr, (int)res->ai_addrlen);
	freeaddrinfo(res);
	if (!d->lev[1]) {
		snprintf(err, errlen, "listen %s: %s", d->tcpname,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Every TRAPSOCK_TICK_MS: commit the batches due; every second, prune a
 * slice of the counters and say what was listed. */
static void trapsock_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct trapsock *ts = arg;
	double now = monoclock_now();
	char err[1024];

	(void)fd;
	(void)what;
	ts->ticks++;
	if (ts->ticks % (1000 / TRAPSOCK_TICK_MS) == 0)
		trapsock_reload(ts);
	if (ts->ticks % (TRAPSOCK_COMPACT_S * 1000 / TRAPSOCK_TICK_MS) == 0) {
		trapsock_enforce(ts);
		trapsock_compact(ts);
		for (size_t i = 0; i < ts->nds; i++)
			ts->ds[i].tail_bad = 0;   /* a log runs for months */
	}
	for (size_t i = 0; i < ts->nds; i++) {
		struct trapsock_ds *d = &ts->ds[i];
		const struct trap_ingest_stats *s;
		double since;

		if (trap_ingest_pending(d->ti, &since) &&
		    now - since >= TRAP_BATCH_MS / 1000.0)
			trapsock_commit(d);
		if (ts->ticks % (1000 / TRAPSOCK_TICK_MS))
			continue;
		if (trap_ingest_prune(d->ti, loader_now(), TRAPSOCK_PRUNE, err,
				      sizeof(err)) < 0)
			trapsock_sayf(ts, 1, "traps: %s: pruning: %s",
				      trap_ingest_dataset(d->ti)->name, err);
		s = trap_ingest_stats(d->ti);
		if (s->listed != d->said_listed || s->malformed != d->said_bad) {
			const struct traptail_stats *tst =
				d->tail ? traptail_stats(d->tail) : NULL;
			char tailsay[160] = "", rdnssay[200] = "";

			if (tst)
				snprintf(tailsay, sizeof(tailsay), "; log: %llu "
					 "lines, %llu hits, %llu not hits",
					 (unsigned long long)tst->lines,
					 (unsigned long long)tst->hits,
					 (unsigned long long)(tst->lines -
							      tst->hits));
			if (d->rdns)
				rdns_describe(d->rdns, rdnssay, sizeof(rdnssay));
			trapsock_sayf(ts, 0, "traps: %s: %llu hits, %llu listed, "
				      "%llu extended, %llu allowed, %llu malformed "
				      "so far%s%s", trap_ingest_dataset(d->ti)->name,
				      (unsigned long long)s->hits,
				      (unsigned long long)s->listed,
				      (unsigned long long)s->extended,
				      (unsigned long long)s->allowed,
				      (unsigned long long)s->malformed, tailsay,
				      rdnssay);
			d->said_listed = s->listed;
			d->said_bad = s->malformed;
		}
	}
}

/* Does trap dataset `cd` take hits in watch (a socket, a port, a log)? */
static int trapsock_wanted(const struct cfg_dataset *cd)
{
	return cd->trap && (cd->trap->socket || cd->trap->listen_host ||
			    cd->trap->tail);
}

/* Opens the listeners of `cfg`'s trap datasets into ts->ds.  Returns
 * how many, or -1 with err (what was opened is closed again). */
static int trapsock_open(struct trapsock *ts, const struct config *cfg,
			 char *err, size_t errlen)
{
	int n = 0;

	ts->nds = 0;
	ts->cfg = cfg;
	if (!(ts->ds = calloc(cfg->ndatasets ? cfg->ndatasets : 1,
			      sizeof(*ts->ds)))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->ndatasets; i++) {
		const struct cfg_dataset *cd = &cfg->datasets[i];
		struct trapsock_ds *d = &ts->ds[ts->nds];
		char why[1024];

		if (!trapsock_wanted(cd))
			continue;
		d->ts = ts;
		d->ti = trap_ingest_new(ts->st, cd, "dnsbl-loader watch", why,
					sizeof(why));
		ts->nds += d->ti != NULL;
		if (!d->ti ||
		    (cd->trap->socket &&
		     ds_listen_unix(d, cd->trap->socket, why, sizeof(why)) < 0) ||
		    (cd->trap->listen_host &&
		     ds_listen_tcp(d, cd->trap->listen_host,
				   cd->trap->listen_port, why, sizeof(why)) < 0) ||
		    (cd->trap->tail &&
		     !(d->tail = traptail_new(ts->base, cd->trap->tail,
					      ds_on_tail_hit, d, why,
					      sizeof(why)))) ||
		    (cd->trap->rdns &&
		     !(d->rdns = rdns_new(ts->base, d->ti, cd->trap, why,
					  sizeof(why))))) {
			snprintf(err, errlen, "traps: %s: %s", cd->name, why);
			trapsock_close(ts);
			return -1;
		}
		if (trap_ingest_check_allow(d->ti, why, sizeof(why)) < 0)
			trapsock_sayf(ts, 1, "traps: %s: %s", cd->name, why);
		trapsock_sayf(ts, 0, "traps: %s: hits on %s%s%s%s%s%s", cd->name,
			      cd->trap->socket ? cd->trap->socket : "",
			      cd->trap->socket && d->lev[1] ? " and " : "",
			      d->lev[1] ? d->tcpname : "",
			      d->tail && (d->lev[0] || d->lev[1]) ? " and " : "",
			      d->tail ? "the log " : "",
			      d->tail ? cd->trap->tail->file : "");
		n++;
	}
	trapsock_enforce(ts);
	return n;
}

/* Closes every connection and listener, committing what they hold. */
static void trapsock_close(struct trapsock *ts)
{
	for (size_t i = 0; i < ts->nds; i++) {
		struct trapsock_ds *d = &ts->ds[i];
		const struct cfg_trap *t = trap_ingest_dataset(d->ti)->trap;

		while (d->conns)
			conn_close(d->conns, NULL);
		if (d->tail)   /* what the log holds now, then it closes */
			traptail_poll(d->tail);
		traptail_free(d->tail);
		trapsock_commit(d);    /* what is in memory is not lost */
		rdns_free(d->rdns);    /* lookups in flight: again next hit */
		for (int k = 0; k < 2; k++)
			if (d->lev[k])
				evconnlistener_free(d->lev[k]);
		if (d->lev[0] && t->socket)
			unlink(t->socket);
		trap_ingest_free(d->ti);
	}
	free(ts->ds);
	ts->ds = NULL;
	ts->nds = 0;
}

/* The config file's identity, to see it change. */
static void trapsock_cfg_id(const char *path, struct stat *sb)
{
	if (stat(path, sb) < 0)
		memset(sb, 0, sizeof(*sb));
}

int trapsock_start(struct trapsock **out, struct event_base *base,
		   struct store *st, const struct config *cfg,
		   trapsock_say_fn say, void *arg, char *err, size_t errlen)
{
	const struct timeval tick = { 0, TRAPSOCK_TICK_MS * 1000 };
	struct trapsock *ts = calloc(1, sizeof(*ts));
	int n;

	*out = NULL;
	if (!ts) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ts->base = base;
	ts->st = st;
	ts->say = say;
	ts->arg = arg;
	ts->path = cfg->path;
	trapsock_cfg_id(ts->path, &ts->cfg_id);
	n = trapsock_open(ts, cfg, err, errlen);
	if (n < 0) {
		free(ts);
		return -1;
	}
	ts->tick = event_new(base, -1, EV_PERSIST, trapsock_on_tick, ts);
	if (!ts->tick || event_add(ts->tick, &tick) < 0) {
		snprintf(err, errlen, "traps: event loop");
		trapsock_free(ts);
		return -1;
	}
	*out = ts;
	return n;
}

void trapsock_free(struct trapsock *ts)
{
	if (!ts)
		return;
	if (ts->tick)
		event_free(ts->tick);
	trapsock_close(ts);
	config_free(ts->own);
	free(ts);
}

static int same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Are two `tail`s the same? */
static int same_tail(const struct cfg_trap_tail *a,
		     const struct cfg_trap_tail *b)
{
	if (!a || !b)
		return a == b;
	if (!same_str(a->file, b->file) || !same_str(a->regex, b->regex) ||
	    a->preset_postfix != b->preset_postfix ||
	    a->ip_group != b->ip_group || a->trap_group != b->trap_group ||
	    a->from_start != b->from_start || a->nrecipients != b->nrecipients)
		return 0;
	for (size_t i = 0; i < a->nrecipients; i++)
		if (strcmp(a->recipients[i], b->recipients[i]) != 0)
			return 0;
	return 1;
}

/* Are two trap datasets' settings the same? */
static int same_trap(const struct cfg_trap *a, const struct cfg_trap *b)
{
	if (a->threshold != b->threshold || a->window != b->window ||
	    a->distinct_traps != b->distinct_traps || a->expire != b->expire ||
	    a->repeat_expire != b->repeat_expire ||
	    a->repeat_within != b->repeat_within || a->prefix6 != b->prefix6 ||
	    a->allow_special != b->allow_special || a->code != b->code ||
	    !same_str(a->txt, b->txt) || !same_str(a->socket, b->socket) ||
	    !same_str(a->listen_host, b->listen_host) ||
	    !same_str(a->listen_port, b->listen_port) ||
	    a->nallow != b->nallow || a->nallow_datasets != b->nallow_datasets ||
	    !trap_rdns_same_config(a, b) ||
	    (a->nallow && memcmp(a->allow, b->allow,
				 a->nallow * sizeof(*a->allow)) != 0))
		return 0;
	for (size_t i = 0; i < a->nallow_datasets; i++)
		if (strcmp(a->allow_datasets[i], b->allow_datasets[i]) != 0)
			return 0;
	return same_tail(a->tail, b->tail);
}

/* Would `cfg` open exactly the listeners (and policies) `ts` runs? */
static int same_listeners(const struct trapsock *ts, const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->ndatasets; i++) {
		const struct cfg_dataset *cd = &cfg->datasets[i];
		const struct cfg_dataset *run = NULL;

		if (!trapsock_wanted(cd))
			continue;
		n++;
		for (size_t k = 0; ts && k < ts->nds; k++)
			if (strcmp(trap_ingest_dataset(ts->ds[k].ti)->name,
				   cd->name) == 0)
				run = trap_ingest_dataset(ts->ds[k].ti);
		if (!run || !same_trap(run->trap, cd->trap))
			return 0;
	}
	return ts ? n == ts->nds : n == 0;
}

/* The config file changed (watch applies it too): when a trap
 * dataset's settings or listeners differ from what runs (one added,
 * removed or changed), the listeners are closed (committing what they
 * hold, dropping their connections) and the new config's opened.  A
 * config that does not load keeps the running ones (watch says why). */
static void trapsock_reload(struct trapsock *ts)
{
	struct config *cfg = NULL;
	struct stat sb;
	char err[1024];

	trapsock_cfg_id(ts->path, &sb);
	if (sb.st_mtim.tv_sec == ts->cfg_id.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == ts->cfg_id.st_mtim.tv_nsec &&
	    sb.st_size == ts->cfg_id.st_size && sb.st_ino == ts->cfg_id.st_ino)
		return;
	ts->cfg_id = sb;
	if (config_load_flags(ts->path, CONFIG_NO_FILE_CHECK, &cfg, err,
			      sizeof(err)) < 0)
		return;
	if (same_listeners(ts, cfg)) {
		config_free(cfg);
		return;
	}
	trapsock_sayf(ts, 0, "traps: %s changed: the trap listeners restart",
		      ts->path);
	/* The old listeners go first: the new ones bind the same socket and
	 * port. */
	trapsock_close(ts);
	if (trapsock_open(ts, cfg, err, sizeof(err)) < 0) {
		trapsock_sayf(ts, 1, "%s (no trap listeners until the config "
			      "changes again)", err);
		config_free(cfg);
		cfg = NULL;
	}
	config_free(ts->own);
	ts->own = cfg;
}

void trapsock_report(const struct trapsock *ts,
		     void (*fn)(void *arg, const char *dataset,
				const struct trap_ingest_stats *s,
				const struct rdns_stats *rs),
		     void *arg)
{
	for (size_t i = 0; ts && i < ts->nds; i++)
		fn(arg, trap_ingest_dataset(ts->ds[i].ti)->name,
		   trap_ingest_stats(ts->ds[i].ti),
		   ts->ds[i].rdns ? rdns_stats(ts->ds[i].rdns) : NULL);
}
