/* qstats.h -- rbldnsd's per-zone query counters and its -s stats file.
 *
 * rbldnsd counts, per zone and in a total `*`: queries, ok (NOERROR, NODATA
 * included), nxd (NXDOMAIN), err (any other rcode), bytes in (the query
 * packet) and bytes out (the reply).  A query outside every zone (REFUSED),
 * a CH version.bind query, a NOTIMP... counts only in the total.
 *
 * Stats file line (checked against Debian's rbldnsd):
 *   `ts zone:qtot:qok:qnxd:bin:bout zone:... *:qtot:qok:qnxd:bin:bout`
 * written every -c interval, on SIGUSR1, on SIGUSR2 (then a reset) and at
 * exit; a bare `ts` line at start, after a reset and at exit (after the
 * last stats line).  Without `+` the numbers are totals since the last
 * reset; with `+` (-s +file) each line has the change since the previous
 * line.  SIGUSR1/USR2 also log, per zone, `stats for Nsecs zone Z: tot=..
 * ok=.. nxd=.. err=.. in=.. out=..` and then `stats for Nsec: tot=...` for
 * the total (rbldnsd writes "sec" there, not "secs"), always totals since
 * the last reset, N = seconds since it.
 *
 * Threads: each worker counts in its own slot (qstats_count, no locks and
 * no read-modify-write atomics: relaxed loads and stores of a counter only
 * its worker writes); a writer thread sums the slots.  A reset never writes
 * to the slots: it records a baseline that later sums subtract.
 */
#ifndef DNSBLD_QSTATS_H
#define DNSBLD_QSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct qstats_counters {
	uint64_t q, ok, nxd, err, in, out;
};

struct qstats;

/* Counters for `nzones` zones (names copied, in the order the stats line
 * lists them) and `nworkers` workers.  `relative` = `-s +file`.  Its clock
 * (for "stats for Nsecs") starts at `now`.  NULL on out of memory. */
struct qstats *qstats_new(const char *const *zones, size_t nzones,
			  unsigned nworkers, int relative, time_t now);
void qstats_free(struct qstats *s);

/* Counts one answered query on `worker`: in zone `zone` (index into the
 * names given to qstats_new) or -1 when it is in no zone. */
void qstats_count(struct qstats *s, unsigned worker, int zone,
		  unsigned rcode, size_t query_len, size_t reply_len);

/* Sums of all workers since the last reset: out[0..nzones-1] per zone,
 * out[nzones] the total.  `out` holds nzones + 1 entries. */
void qstats_sum(const struct qstats *s, struct qstats_counters *out);

/* Formats the stats-file line for time `now` (without `+`: totals since
 * the last reset; with `+`: the change since the previous line made by
 * this function, which it then remembers).  Returns a malloc'd string with
 * its newline, or NULL on out of memory. */
char *qstats_line(struct qstats *s, time_t now);

/* Appends `line` (or a bare "ts\n" when line is NULL) to stats file `path`
 * (opened O_APPEND and closed each time, so rotation needs no signal).
 * 0 or -1 with `err` naming the file and why. */
int qstats_append(const char *path, time_t now, const char *line,
		  char *err, size_t errlen);

/* Makes rbldnsd's SIGUSR1 log lines (no newline): one per zone, then the
 * total, each passed to `emit` (e.g. a wrapper of log_info), all from one
 * consistent sum. */
void qstats_log(const struct qstats *s, time_t now,
		void (*emit)(const char *line, void *arg), void *arg);

/* Totals since the start, resets ignored (monotonic, for Prometheus):
 * out[0..nzones-1] per zone, out[nzones] for all. */
void qstats_totals(const struct qstats *s, struct qstats_counters *out);
/* The zones counted, in order (nzones of them). */
size_t qstats_nzones(const struct qstats *s);
const char *qstats_zone(const struct qstats *s, size_t i);

/* Resets the counters at `now` (SIGUSR2, after its line and log). */
void qstats_reset(struct qstats *s, time_t now);

#endif
