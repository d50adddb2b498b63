/* hits.c -- `dnsbl-loader hits DATASET`: trap hits from standard input.
 *
 * For replays and for feeding a trap dataset from a pipe: each line of
 * standard input is one hit (lib/trap_line.c), committed in batches
 * (lib/trap_ingest.c: every TRAP_BATCH_MAX hits, and TRAP_BATCH_MS after
 * the first hit of a batch even while the input is quiet, so a pipe from
 * a live log lists as fast as the socket does).  It sweeps what expired
 * when it starts and when the input ends, prunes the counters that can
 * go, and prints one summary line.  It refuses to start while an allow
 * dataset is not stored (`dnsbl-loader load` it first): a sender the
 * allow-list keeps off must never be listed.  Malformed lines are named as
 * `stdin:LINE: reason` (at most -w of them) and never applied.  With
 * `rdns: true` the senders' reverse DNS is looked up meanwhile (rdns.c,
 * in an event loop of its own that each pass of the read loop runs), and
 * at the end of the input it waits for the lookups still going (each ends
 * within rdns_timeout) and commits their outcomes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsload.h"
#include "loader.h"
#include "monoclock.h"
#include "rdns.h"
#include "store.h"
#include "trap.h"

#define HITS_USER "dnsbl-loader"
#define HITS_RDNS_POLL_MS 20   /* the read loop's wake-ups while lookups run */

struct hits_run {
	struct loader *ld;
	struct store *st;
	struct trap_ingest *ti;
	struct event_base *base;   /* rdns: true: the lookups' loop */
	struct rdns *rdns;
	uint64_t lineno, logged;
	int failed;
};

static void hits_commit(struct hits_run *r)
{
	char err[1024];

	if (trap_ingest_commit(r->ti, loader_now(), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: hits: %s\n", r->ld->prog, err);
		r->failed = 1;
	}
}

static void hits_line(struct hits_run *r, const char *line, size_t len)
{
	const char *why;

	r->lineno++;
	if (trap_ingest_line(r->ti, line, len, loader_now(), &why) < 0 &&
	    (!r->ld->max_logged || r->logged++ < r->ld->max_logged))
		fprintf(stderr, "%s: stdin:%llu: %s\n", r->ld->prog,
			(unsigned long long)r->lineno, why);
	if (trap_ingest_pending(r->ti, NULL) >= TRAP_BATCH_MAX)
		hits_commit(r);
}

/* Reads standard input to its end, line by line, committing a batch
 * when it is full or TRAP_BATCH_MS old (poll wakes us for that). */
static void hits_read(struct hits_run *r)
{
	static char buf[1 << 16];
	size_t have = 0;
	int skipping = 0;   /* the rest of an over-long line */

	for (;;) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		double since;
		int timeout = -1;
		ssize_t n;

		if (trap_ingest_pending(r->ti, &since)) {
			double left = since + TRAP_BATCH_MS / 1000.0 - monoclock_now();

			timeout = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		if (r->base) {
			event_base_loop(r->base, EVLOOP_NONBLOCK);
			if (rdns_pending(r->rdns) && (timeout < 0 ||
						      timeout > HITS_RDNS_POLL_MS))
				timeout = HITS_RDNS_POLL_MS;
		}
		if (timeout >= 0 && poll(&pfd, 1, timeout) == 0) {
			hits_commit(r);
			continue;
		}
		n = read(0, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				fprintf(stderr, "%s: stdin: %s\n", r->ld->prog,
					strerror(errno));
			if (have && !skipping)
				hits_line(r, buf, have);   /* no final newline */
			return;
		}
		have += (size_t)n;
		char *start = buf, *nl;

		while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			if (!skipping)
				hits_line(r, start, (size_t)(nl - start));
			skipping = 0;
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have > TRAP_LINE_MAX + 1 && !skipping) {
			/* Longer than any hit line: refused, the rest skipped. */
			hits_line(r, buf, have);
			skipping = 1;
		}
		if (skipping)
			have = 0;
	}
}

/* What expired, the counters that can go, and the space the commits
 * left behind (compacted when a quarter of the file is free). */
static void hits_tidy(struct hits_run *r, const char *when)
{
	struct store_compact_stats cs;
	char err[1024], line[256];
	uint64_t n = 0;
	int rc, compact_rc;

	if (store_expire(r->st, loader_now(), HITS_USER, &n, err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "%s: expiry %s: %s\n", r->ld->prog, when, err);
		r->failed = 1;
	} else if (n && !r->ld->quiet) {
		printf("expiry %s: %llu entr%s expired\n", when,
		       (unsigned long long)n, n == 1 ? "y" : "ies");
	}
	while ((rc = trap_ingest_prune(r->ti, loader_now(), 50000, err,
				       sizeof(err))) == 0)
		;
	if (rc < 0) {
		fprintf(stderr, "%s: pruning counters: %s\n", r->ld->prog, err);
		r->failed = 1;
	}
	compact_rc = store_compact_if_bloated(r->st, &cs, err, sizeof(err));
	if (compact_rc < 0) {
		fprintf(stderr, "%s: store: could not compact (the data is "
			"stored and served): %s\n", r->ld->prog, err);
	} else if (compact_rc > 0 && !r->ld->quiet) {
		store_compact_describe(&cs, line, sizeof(line));
		printf("%s\n", line);
	}
}

/* rdns: true: the lookups and their event loop.  0, or -1 (said). */
static int hits_rdns_start(struct hits_run *r, const struct cfg_dataset *d)
{
	char err[1024];

	if (!d->trap->rdns)
		return 0;
	if (!(r->base = event_base_new())) {
		fprintf(stderr, "%s: hits: event loop: out of memory\n",
			r->ld->prog);
		return -1;
	}
	if (!(r->rdns = rdns_new(r->base, r->ti, d->trap, err, sizeof(err)))) {
		fprintf(stderr, "%s: hits: %s: rdns: %s\n", r->ld->prog, d->name,
			err);
		event_base_free(r->base);
		r->base = NULL;
		return -1;
	}
	return 0;
}

/* The input ended: the lookups still going end (each within
 * rdns_timeout), then their outcomes are committed. */
static void hits_rdns_drain(struct hits_run *r)
{
	if (!r->rdns)
		return;
	double end = monoclock_now() + trap_ingest_dataset(r->ti)->trap->
		     rdns_timeout + 1;

	event_base_loop(r->base, EVLOOP_NONBLOCK);   /* start the last wanted */
	while (rdns_pending(r->rdns) && monoclock_now() < end &&
	       event_base_loop(r->base, EVLOOP_ONCE) == 0)
		;
	hits_commit(r);
}

/* The summary's rDNS part, and the loop freed. */
static void hits_rdns_end(struct hits_run *r)
{
	char line[200];

	if (!r->rdns)
		return;
	rdns_describe(r->rdns, line, sizeof(line));
	if (!r->ld->quiet)
		printf("%s%s; %llu relabeled\n", trap_ingest_dataset(r->ti)->name,
		       line + 1,
		       (unsigned long long)trap_ingest_stats(r->ti)->relabeled);
	rdns_free(r->rdns);
	event_base_free(r->base);
}

/* Listings the allow-list now covers end first (allow always wins). */
static void hits_enforce(struct hits_run *r)
{
	char err[1024];
	long n = trap_ingest_enforce_allow(r->ti, loader_now(), err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "%s: allow-list: %s\n", r->ld->prog, err);
		r->failed = 1;
	} else if (n && !r->ld->quiet) {
		printf("allow-list: %ld listing%s ended (allow-listed now)\n", n,
		       n == 1 ? "" : "s");
	}
}

int loader_cmd_hits(struct loader *ld, int nargs, char **args)
{
	struct hits_run r = { .ld = ld };
	const struct cfg_dataset *d;
	const struct trap_ingest_stats *s;
	char err[1024];

	if (nargs != 1) {
		fprintf(stderr, "%s: hits takes one trap dataset\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	d = config_dataset(ld->cfg, args[0]);
	if (!d || !d->trap) {
		fprintf(stderr, "%s: hits: %s is not a trap dataset of %s\n",
			ld->prog, args[0], ld->cfg->path);
		return LOADER_EXIT_USAGE;
	}
	if (dsload_open_store(ld->cfg->store, &r.st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld->prog, err);
		return LOADER_EXIT_FAILED;
	}
	r.ti = trap_ingest_new(r.st, d, HITS_USER, err, sizeof(err));
	if (!r.ti) {
		fprintf(stderr, "%s: %s: %s\n", ld->prog, d->name, err);
		store_close(r.st);
		return LOADER_EXIT_FAILED;
	}
	if (trap_ingest_check_allow(r.ti, err, sizeof(err)) < 0) {
		/* Listing a sender the allow-list would keep off is worse than
		 * waiting for the allow-list. */
		fprintf(stderr, "%s: hits: %s: %s; nothing read\n", ld->prog,
			d->name, err);
		trap_ingest_free(r.ti);
		store_close(r.st);
		return LOADER_EXIT_FAILED;
	}
	if (hits_rdns_start(&r, d) < 0) {
		trap_ingest_free(r.ti);
		store_close(r.st);
		return LOADER_EXIT_FAILED;
	}
	hits_tidy(&r, "at start");
	hits_enforce(&r);
	hits_read(&r);
	hits_commit(&r);
	hits_rdns_drain(&r);
	hits_tidy(&r, "at end");
	s = trap_ingest_stats(r.ti);
	if (!ld->quiet)
		printf("%s: %llu lines, %llu hits, %llu malformed, %llu allowed; "
		       "%llu listed, %llu extended; %llu commits, %llu counters "
		       "pruned\n", d->name, (unsigned long long)s->lines,
		       (unsigned long long)s->hits,
		       (unsigned long long)s->malformed,
		       (unsigned long long)s->allowed,
		       (unsigned long long)s->listed,
		       (unsigned long long)s->extended,
		       (unsigned long long)s->commits,
		       (unsigned long long)s->pruned);
	hits_rdns_end(&r);
	trap_ingest_free(r.ti);
	store_close(r.st);
	return r.failed ? LOADER_EXIT_FAILED : LOADER_EXIT_OK;
}
