/* dnsbl_query_probe.c -- `--check ZONE`: a monitoring probe of one zone.
 *
 * RFC 5782 section 5 asks clients to check the test points and to stop
 * using a list that gets them wrong: a list that lists 127.0.0.1 answers
 * everything (a dead list wildcarded by its owner), one that does not list
 * 127.0.0.2 is empty, broken or not served.  Both are CRITICAL, as are
 * failed queries and a missing SOA; a missing NS or a slow answer only
 * WARNING (lookups still work).
 */
#include "dnsbl_query_probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnsbl_qname.h"
#include "dnsbl_query_reply.h"
#include "dnsbl_query_resolver.h"
#include "dnsbl_query_result.h"
#include "dnsbl_query_zones.h"
#include "monoclock.h"

/* Test points of RFC 5782 section 5, per kind of data. */
static const struct {
	enum dnsbl_kind kind;
	const char *listed, *unlisted;
} probe_points[] = {
	{ DNSBL_IP4, "127.0.0.2", "127.0.0.1" },
	{ DNSBL_IP6, "::ffff:7f00:2", "::ffff:7f00:1" },
	{ DNSBL_DOMAIN, "test", "invalid" },
};

struct probe_q {
	int *pending;
	double t0, ms;
	int want_listed;           /* test points */
	struct dq_result r;
	enum dq_reply_kind kind;   /* SOA and NS */
	const char *err;
	uint32_t serial;
	size_t nns;
};

static void probe_done(struct probe_q *q)
{
	q->ms = (monoclock_now() - q->t0) * 1000.0;
	(*q->pending)--;
}

static void probe_on_a(void *arg, int status, int timeouts,
		       unsigned char *abuf, int alen)
{
	struct probe_q *q = arg;

	(void)timeouts;
	dq_result_a(&q->r, status, abuf, alen);
	probe_done(q);
}

static void probe_on_soa(void *arg, int status, int timeouts,
			 unsigned char *abuf, int alen)
{
	struct probe_q *q = arg;

	(void)timeouts;
	q->kind = dq_reply_soa(status, abuf, alen, &q->serial, &q->err);
	probe_done(q);
}

static void probe_on_ns(void *arg, int status, int timeouts,
			unsigned char *abuf, int alen)
{
	struct probe_q *q = arg;

	(void)timeouts;
	q->kind = dq_reply_ns(status, abuf, alen, &q->nns, &q->err);
	probe_done(q);
}

static void probe_send(struct dq_resolver *res, struct probe_q *q,
		       const char *name, int type, ares_callback cb,
		       int *pending)
{
	q->pending = pending;
	q->t0 = monoclock_now();
	(*pending)++;
	ares_query(res->ch, name, DQ_C_IN, type, cb, q);
}

/* The status line under construction. */
struct probe_line {
	char text[1024];
	size_t len;
	int state;
};

__attribute__((format(printf, 3, 4)))
static void probe_say(struct probe_line *l, int state, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (state > l->state)
		l->state = state;
	if (l->len + 2 >= sizeof(l->text))
		return;
	if (l->len) {
		memcpy(l->text + l->len, ", ", 2);
		l->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->text) - l->len ?
			  (size_t)n : sizeof(l->text) - l->len - 1;
}

static void probe_judge_point(struct probe_line *l, const struct probe_q *q)
{
	const struct dq_result *r = &q->r;

	if (r->error[0])
		probe_say(l, DQ_PROBE_CRITICAL, "%s: %s", r->item, r->error);
	else if (q->want_listed && !r->listed)
		probe_say(l, DQ_PROBE_CRITICAL,
			  "%s not listed (RFC 5782: must be)", r->item);
	else if (!q->want_listed && r->listed)
		probe_say(l, DQ_PROBE_CRITICAL,
			  "%s listed (RFC 5782: must not be)", r->item);
	else
		probe_say(l, DQ_PROBE_OK, "%s %s", r->item,
			  r->listed ? "listed" : "not listed");
}

int dq_probe(struct dq_resolver *res, const struct dq_probe_opts *o)
{
	static const char *const states[] = { "OK", "WARNING", "CRITICAL" };
	struct probe_q q[2 * sizeof(probe_points) / sizeof(probe_points[0]) + 2];
	struct probe_line line;
	struct probe_q *soa, *ns;
	size_t n = 0;
	double slowest = 0;
	int pending = 0, prec;

	memset(q, 0, sizeof(q));
	memset(&line, 0, sizeof(line));
	for (size_t i = 0; i < sizeof(probe_points) / sizeof(probe_points[0]); i++) {
		if (!(o->zone->kinds & probe_points[i].kind))
			continue;
		for (int listed = 1; listed >= 0; listed--) {
			struct probe_q *p = &q[n++];
			struct dnsbl_item it;
			const char *why;

			p->want_listed = listed;
			p->r.zone = o->zone;
			p->r.item = listed ? probe_points[i].listed
					   : probe_points[i].unlisted;
			if (dnsbl_item_parse(p->r.item, &it, &why) < 0 ||
			    dnsbl_qname(&it, o->zone->name, p->r.qname,
					sizeof(p->r.qname)) < 0) {
				snprintf(p->r.error, sizeof(p->r.error),
					 "query name longer than 253 characters");
				continue;
			}
			probe_send(res, p, p->r.qname, DQ_T_A, probe_on_a, &pending);
		}
	}
	soa = &q[n++];
	ns = &q[n++];
	probe_send(res, soa, o->zone->name, DQ_T_SOA, probe_on_soa, &pending);
	probe_send(res, ns, o->zone->name, DQ_T_NS, probe_on_ns, &pending);
	while (pending > 0) {
		if (dq_resolver_wait(res, -1, 1) < 0) {
			/* Every callback runs now, with an error. */
			ares_cancel(res->ch);
		}
	}

	for (size_t i = 0; i + 2 < n; i++)
		probe_judge_point(&line, &q[i]);
	if (soa->kind == DQ_REPLY_DATA)
		probe_say(&line, DQ_PROBE_OK, "SOA serial %u", soa->serial);
	else if (soa->kind == DQ_REPLY_NONE)
		probe_say(&line, DQ_PROBE_CRITICAL, "no SOA");
	else
		probe_say(&line, DQ_PROBE_CRITICAL, "SOA: %s", soa->err);
	if (ns->kind == DQ_REPLY_DATA)
		probe_say(&line, DQ_PROBE_OK, "%zu NS", ns->nns);
	else if (ns->kind == DQ_REPLY_NONE)
		probe_say(&line, DQ_PROBE_WARNING, "no NS");
	else
		probe_say(&line, DQ_PROBE_CRITICAL, "NS: %s", ns->err);
	for (size_t i = 0; i < n; i++)
		if (q[i].ms > slowest)
			slowest = q[i].ms;
	/* "0.3 ms" on a local server, "45 ms" through a resolver. */
	prec = slowest < 10 ? 1 : 0;
	if (o->crit_ms && slowest > o->crit_ms)
		probe_say(&line, DQ_PROBE_CRITICAL, "%.*f ms (over %u ms)",
			  prec, slowest, o->crit_ms);
	else if (o->warn_ms && slowest > o->warn_ms)
		probe_say(&line, DQ_PROBE_WARNING, "%.*f ms (over %u ms)",
			  prec, slowest, o->warn_ms);
	else
		probe_say(&line, DQ_PROBE_OK, "%.*f ms", prec, slowest);

	printf("DNSBL %s - %s: %s | time=%.3fms;", states[line.state],
	       o->zone->name, line.text, slowest);
	if (o->warn_ms)
		printf("%u", o->warn_ms);
	putchar(';');
	if (o->crit_ms)
		printf("%u", o->crit_ms);
	putchar('\n');
	return line.state;
}
