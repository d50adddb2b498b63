/* dnsbl_query_run.c -- check many items against zones, many queries in flight.
 *
 * Between two looks at the replies at most RUN_BURST items are started, so
 * replies are read while the window fills and never pile up in the socket
 * buffer.  Nothing here blocks except dq_resolver_wait(), which also
 * watches standard input when more items are wanted.
 */
#include "dnsbl_query_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl_qname.h"
#include "dnsbl_query_input.h"
#include "dnsbl_query_output.h"
#include "dnsbl_query_reply.h"
#include "dnsbl_query_resolver.h"
#include "dnsbl_query_result.h"
#include "dnsbl_query_zones.h"
#include "monoclock.h"

#define RUN_BURST 128
/* Longer than any valid item: a longer one is cut and then refused. */
#define RUN_ITEM_MAX 512

struct run;
struct run_item;

struct run_check {
	struct dq_result r;
	struct run_item *item;
	double t0;
};

struct run_item {
	struct run *run;
	size_t pending;            /* its queries in flight */
	size_t nchecks;
	struct run_check checks[]; /* the item's text follows them */
};

struct run {
	const struct dq_run_opts *o;
	struct dq_resolver *res;
	struct run_item **ring;    /* started items, in input order */
	size_t cap, head, count;
	size_t inflight;           /* queries in flight */
	int listed, error;
};

static void run_check_done(struct run_check *c)
{
	c->r.ms = (monoclock_now() - c->t0) * 1000.0;
	c->item->pending--;
}

static void run_on_txt(void *arg, int status, int timeouts,
		       unsigned char *abuf, int alen)
{
	struct run_check *c = arg;

	(void)timeouts;
	c->item->run->inflight--;
	dq_result_txt(&c->r, status, abuf, alen);
	run_check_done(c);
}

static void run_on_a(void *arg, int status, int timeouts, unsigned char *abuf,
		     int alen)
{
	struct run_check *c = arg;
	struct run *run = c->item->run;

	(void)timeouts;
	run->inflight--;
	if (dq_result_a(&c->r, status, abuf, alen)) {
		/* Counted first: c-ares may call back before returning. */
		run->inflight++;
		ares_query(run->res->ch, c->r.qname, DQ_C_IN, DQ_T_TXT,
			   run_on_txt, c);
		return;
	}
	run_check_done(c);
}

static const char *run_kind_text(enum dnsbl_kind kind)
{
	switch (kind) {
	case DNSBL_IP4:
		return "IPv4 addresses";
	case DNSBL_IP6:
		return "IPv6 addresses";
	default:
		return "domains";
	}
}

/* Starts the checks of one item.  Returns -1 when out of memory. */
static int run_start(struct run *run, const char *text)
{
	const struct dq_zones *zs = run->o->zones;
	struct dnsbl_item parsed;
	struct run_item *item;
	const char *why = NULL;
	size_t n = 0, len = strlen(text);
	int ok = dnsbl_item_parse(text, &parsed, &why) == 0;
	char *copy;

	for (size_t i = 0; ok && i < zs->n; i++)
		if (zs->v[i].kinds & parsed.kind)
			n++;
	item = calloc(1, sizeof(*item) + (n ? n : 1) * sizeof(item->checks[0]) +
			 len + 1);
	if (!item)
		return -1;
	copy = (char *)&item->checks[n ? n : 1];
	memcpy(copy, text, len + 1);
	item->run = run;
	item->nchecks = n ? n : 1;
	run->ring[(run->head + run->count++) % run->cap] = item;
	if (n == 0) {
		/* One line saying why nothing was asked. */
		item->checks[0].r.item = copy;
		if (ok)
			snprintf(item->checks[0].r.error,
				 sizeof(item->checks[0].r.error),
				 "no zone checks %s", run_kind_text(parsed.kind));
		else
			snprintf(item->checks[0].r.error,
				 sizeof(item->checks[0].r.error), "%s", why);
		return 0;
	}
	for (size_t i = 0, k = 0; i < zs->n; i++) {
		struct run_check *c;

		if (!(zs->v[i].kinds & parsed.kind))
			continue;
		c = &item->checks[k++];
		c->item = item;
		c->r.item = copy;
		c->r.zone = &zs->v[i];
		if (dnsbl_qname(&parsed, zs->v[i].name, c->r.qname,
				sizeof(c->r.qname)) < 0) {
			c->r.qname[0] = '\0';
			snprintf(c->r.error, sizeof(c->r.error),
				 "query name longer than 253 characters");
			continue;
		}
		c->t0 = monoclock_now();
		item->pending++;
		run->inflight++;
		ares_query(run->res->ch, c->r.qname, DQ_C_IN, DQ_T_A, run_on_a, c);
	}
	return 0;
}

/* Prints and frees the finished items at the head of the ring. */
static void run_print_done(struct run *run)
{
	while (run->count) {
		struct run_item *item = run->ring[run->head];

		if (item->pending)
			break;
		for (size_t i = 0; i < item->nchecks; i++) {
			struct dq_result *r = &item->checks[i].r;

			run->error |= r->error[0] != '\0';
			run->listed |= r->listed;
			if (!run->o->quiet || r->listed || r->error[0])
				dq_output_result(stdout, r, run->o->json);
			dq_result_clear(r);
		}
		free(item);
		run->head = (run->head + 1) % run->cap;
		run->count--;
	}
}

int dq_run(struct dq_resolver *res, struct dq_input *in,
	   const struct dq_run_opts *o)
{
	struct run run = { .o = o, .res = res };
	char text[RUN_ITEM_MAX];
	int input_done = 0;

	/* Room for finished items behind a slow one at the head. */
	run.cap = o->window * 4 > 4096 ? o->window * 4 : 4096;
	run.ring = calloc(run.cap, sizeof(*run.ring));
	if (!run.ring) {
		fprintf(stderr, "dnsbl-query: out of memory\n");
		return 2;
	}
	for (;;) {
		int want_input = 0, block = 1, rc;
		size_t started = 0;

		while (!input_done && run.count < run.cap &&
		       run.inflight < o->window) {
			if (started == RUN_BURST) {
				block = 0;
				break;
			}
			rc = dq_input_next(in, text, sizeof(text));
			if (rc == 0) {
				want_input = 1;
				break;
			}
			if (rc < 0) {
				input_done = 1;
				break;
			}
			if (run_start(&run, text) < 0) {
				fprintf(stderr, "dnsbl-query: out of memory\n");
				run.error = 1;
				input_done = 1;
				break;
			}
			started++;
		}
		run_print_done(&run);
		if (input_done && run.count == 0)
			break;
		if (block)
			fflush(stdout);
		rc = dq_resolver_wait(res, want_input ? dq_input_fd(in) : -1,
				      block);
		if (rc < 0) {
			fprintf(stderr, "dnsbl-query: poll: %s\n", strerror(errno));
			run.error = 1;
			break;
		}
		if (rc == 1 && dq_input_fill(in) < 0) {
			fprintf(stderr, "dnsbl-query: reading the items: %s\n",
				strerror(errno));
			run.error = 1;
		}
	}
	if (run.count) {
		/* After a poll error: every callback runs now, with an error. */
		ares_cancel(res->ch);
		run_print_done(&run);
	}
	fflush(stdout);
	free(run.ring);
	return run.error ? 2 : run.listed ? 1 : 0;
}
