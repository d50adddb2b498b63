/* qstats.c -- rbldnsd-compatible query counters, stats-file lines and logs.
 *
 * Why slots per worker and baselines: the query path must not take a lock
 * or a locked instruction per query, yet another thread writes the stats
 * file.  Each worker owns one slot of counters (padded to a cache line) and
 * is its only writer; readers sum the slots with relaxed atomic loads, and
 * resets move a baseline instead of writing into the workers' slots.
 */
#include "qstats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { QS_Q, QS_OK, QS_NXD, QS_ERR, QS_IN, QS_OUT, QS_N };

struct qstats_slot {
	_Atomic uint64_t c[QS_N];
};

struct qstats {
	size_t nzones;
	char **zones;
	unsigned nworkers;
	int relative;
	time_t since;                     /* last reset */
	struct qstats_slot *slots;        /* [worker][nzones + 1] */
	struct qstats_counters *base;     /* sums at the last reset */
	struct qstats_counters *prev;     /* at the last line (relative) */
};

struct qstats *qstats_new(const char *const *zones, size_t nzones,
			  unsigned nworkers, int relative, time_t now)
{
	struct qstats *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (nworkers == 0)
		nworkers = 1;
	s->nzones = nzones;
	s->nworkers = nworkers;
	s->relative = relative;
	s->since = now;
	s->zones = calloc(nzones + 1, sizeof(*s->zones));
	s->slots = calloc((size_t)nworkers * (nzones + 1), sizeof(*s->slots));
	s->base = calloc(nzones + 1, sizeof(*s->base));
	s->prev = calloc(nzones + 1, sizeof(*s->prev));
	if (!s->zones || !s->slots || !s->base || !s->prev) {
		qstats_free(s);
		return NULL;
	}
	for (size_t i = 0; i < nzones; i++) {
		s->zones[i] = strdup(zones[i]);
		if (!s->zones[i]) {
			qstats_free(s);
			return NULL;
		}
	}
	return s;
}

void qstats_free(struct qstats *s)
{
	if (!s)
		return;
	if (s->zones)
		for (size_t i = 0; i < s->nzones; i++)
			free(s->zones[i]);
	free(s->zones);
	free(s->slots);
	free(s->base);
	free(s->prev);
	free(s);
}

/* Single-writer increment: a relaxed load and store, no locked add. */
static inline void qstats_bump(_Atomic uint64_t *c, uint64_t by)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
			      memory_order_relaxed);
}

static void qstats_slot_count(struct qstats_slot *sl, unsigned rcode,
			      size_t qlen, size_t rlen)
{
	qstats_bump(&sl->c[QS_Q], 1);
	qstats_bump(&sl->c[rcode == 0 ? QS_OK : rcode == 3 ? QS_NXD : QS_ERR], 1);
	qstats_bump(&sl->c[QS_IN], qlen);
	qstats_bump(&sl->c[QS_OUT], rlen);
}

void qstats_count(struct qstats *s, unsigned worker, int zone,
		  unsigned rcode, size_t query_len, size_t reply_len)
{
	struct qstats_slot *row;

	if (worker >= s->nworkers)
		worker = 0;
	row = s->slots + (size_t)worker * (s->nzones + 1);
	if (zone >= 0 && (size_t)zone < s->nzones)
		qstats_slot_count(&row[zone], rcode, query_len, reply_len);
	qstats_slot_count(&row[s->nzones], rcode, query_len, reply_len);
}

void qstats_totals(const struct qstats *s, struct qstats_counters *out)
{
	memset(out, 0, (s->nzones + 1) * sizeof(*out));
	for (unsigned w = 0; w < s->nworkers; w++)
		for (size_t z = 0; z <= s->nzones; z++) {
			const struct qstats_slot *sl =
				&s->slots[(size_t)w * (s->nzones + 1) + z];
			uint64_t v[QS_N];

			for (int i = 0; i < QS_N; i++)
				v[i] = atomic_load_explicit(&sl->c[i],
							    memory_order_relaxed);
			out[z].q += v[QS_Q];
			out[z].ok += v[QS_OK];
			out[z].nxd += v[QS_NXD];
			out[z].err += v[QS_ERR];
			out[z].in += v[QS_IN];
			out[z].out += v[QS_OUT];
		}
}

static void qstats_sub(struct qstats_counters *a, const struct qstats_counters *b)
{
	a->q -= b->q;
	a->ok -= b->ok;
	a->nxd -= b->nxd;
	a->err -= b->err;
	a->in -= b->in;
	a->out -= b->out;
}

void qstats_sum(const struct qstats *s, struct qstats_counters *out)
{
	qstats_totals(s, out);
	for (size_t z = 0; z <= s->nzones; z++)
		qstats_sub(&out[z], &s->base[z]);
}

char *qstats_line(struct qstats *s, time_t now)
{
	struct qstats_counters *cur = malloc((s->nzones + 1) * sizeof(*cur));
	size_t cap = 32, len;
	char *line;

	if (!cur)
		return NULL;
	for (size_t z = 0; z < s->nzones; z++)
		cap += strlen(s->zones[z]) + 6 * 21;
	cap += 2 + 6 * 21;
	line = malloc(cap);
	if (!line) {
		free(cur);
		return NULL;
	}
	qstats_sum(s, cur);
	len = (size_t)snprintf(line, cap, "%lld", (long long)now);
	for (size_t z = 0; z <= s->nzones; z++) {
		struct qstats_counters c = cur[z];

		if (s->relative)
			qstats_sub(&c, &s->prev[z]);
		len += (size_t)snprintf(line + len, cap - len,
					" %s:%llu:%llu:%llu:%llu:%llu",
					z < s->nzones ? s->zones[z] : "*",
					(unsigned long long)c.q,
					(unsigned long long)c.ok,
					(unsigned long long)c.nxd,
					(unsigned long long)c.in,
					(unsigned long long)c.out);
	}
	snprintf(line + len, cap - len, "\n");
	memcpy(s->prev, cur, (s->nzones + 1) * sizeof(*cur));
	free(cur);
	return line;
}

int qstats_append(const char *path, time_t now, const char *line,
		  char *err, size_t errlen)
{
	char bare[32];
	size_t len, off = 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "unable to open stats file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (!line) {
		snprintf(bare, sizeof(bare), "%lld\n", (long long)now);
		line = bare;
	}
	len = strlen(line);
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "unable to write stats file %s: %s",
				 path, n < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "unable to write stats file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void qstats_log(const struct qstats *s, time_t now,
		void (*emit)(const char *line, void *arg), void *arg)
{
	struct qstats_counters *cur = malloc((s->nzones + 1) * sizeof(*cur));
	long long secs = (long long)(now - s->since);
	char line[512];

	if (!cur)
		return;
	qstats_sum(s, cur);
	for (size_t z = 0; z <= s->nzones; z++) {
		const struct qstats_counters *c = &cur[z];
		int n;

		if (z < s->nzones)
			n = snprintf(line, sizeof(line), "stats for %lldsecs zone %s:",
				     secs, s->zones[z]);
		else
			n = snprintf(line, sizeof(line), "stats for %lldsec:", secs);
		if (n < 0 || (size_t)n >= sizeof(line))
			n = 0;
		snprintf(line + n, sizeof(line) - (size_t)n,
			 " tot=%llu ok=%llu nxd=%llu err=%llu in=%llu out=%llu",
			 (unsigned long long)c->q, (unsigned long long)c->ok,
			 (unsigned long long)c->nxd, (unsigned long long)c->err,
			 (unsigned long long)c->in, (unsigned long long)c->out);
		emit(line, arg);
	}
	free(cur);
}

void qstats_reset(struct qstats *s, time_t now)
{
	qstats_totals(s, s->base);
	memset(s->prev, 0, (s->nzones + 1) * sizeof(*s->prev));
	s->since = now;
}

size_t qstats_nzones(const struct qstats *s)
{
	return s->nzones;
}

const char *qstats_zone(const struct qstats *s, size_t i)
{
	return i < s->nzones ? s->zones[i] : NULL;
}
