/* querylog.h -- rbldnsd's query log (-l [+]file): one line per answered query.
 *
 * Format, as Debian's rbldnsd writes it:
 *   `unixtime peerip qname QTYPE CLASS: RCODE/ancount/replylen`
 * e.g. `1795866567 127.0.0.1 4.3.2.1.bl.test TXT IN: NOERROR/1/83`.
 * The qname is printed as the client wrote it (case kept; `.` `\` and bytes
 * outside `!`..`~` escaped as `\.` `\\` `\DDD`, the root as `.`); types and
 * classes rbldnsd has no name for print as `typeN` / `classN`.
 *
 * Threads: the log is one file descriptor opened O_APPEND and shared; each
 * worker formats into its own `querylog_buf` and writes whole lines with one
 * write(2), so lines never interleave and the hot path takes no lock.
 * Reopening (SIGHUP) dup2()s the new file onto the same descriptor number,
 * so a worker writing at that moment writes to the old or the new file,
 * never to a closed or reused descriptor.
 */
#ifndef DNSBLD_QUERYLOG_H
#define DNSBLD_QUERYLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* Longest line: a 255-byte name fully escaped is 1020 bytes plus the rest. */
#define QUERYLOG_LINE_MAX 2400  /* the JSON form escapes the name again */

struct querylog;
struct querylog_buf;

/* The facts of one answered query, as the server has them. */
struct querylog_entry {
	time_t when;
	const struct sockaddr *peer;   /* AF_INET or AF_INET6 */
	const uint8_t *qname;          /* wire format as received (any case) */
	uint16_t qtype, qclass;
	unsigned rcode;                /* 0..15 */
	unsigned ancount;
	size_t replylen;               /* bytes sent */
};

/* Opens the log named by an rbldnsd -l argument: `file` (buffered),
 * `+file` (every line written at once), `-` or `+-` (standard output).
 * Returns 0, or -1 with `err` naming the file and why. */
int querylog_open(struct querylog **out, const char *spec,
		  char *err, size_t errlen);

/* Reopens the file (log rotation, SIGHUP); a no-op for standard output.
 * Lines buffered in workers go to the new file.  0 or -1 with `err`
 * (the old file then stays in use). */
int querylog_reopen(struct querylog *ql, char *err, size_t errlen);

/* Closes the log.  Free every querylog_buf first (they flush). */
void querylog_close(struct querylog *ql);

/* Lines as JSON objects (one per line) instead of rbldnsd's format:
 * {"time":1795866567,"client":"127.0.0.1","qname":"4.3.2.1.bl.test",
 *  "qtype":"TXT","qclass":"IN","rcode":"NOERROR","answers":1,"size":83}
 * with the same names and escapes as rbldnsd's line (the qname's `\` and
 * `"` escaped again for JSON).  Set it before any buffer is made. */
void querylog_set_json(struct querylog *ql, int json);

/* 1 if the log is unbuffered (`+`). */
int querylog_unbuffered(const struct querylog *ql);

/* Formats one line (with its newline) into `out`; returns its length, or 0
 * if `outlen` is too small (QUERYLOG_LINE_MAX always fits).  `_json` makes
 * the JSON form. */
size_t querylog_format(const struct querylog_entry *e, char *out,
		       size_t outlen);
size_t querylog_format_json(const struct querylog_entry *e, char *out,
			    size_t outlen);

/* rbldnsd's names: "TXT", "type65"; "IN", "class5"; "NOTIMPL", "rcode12".
 * Write into `buf` (at least 16 bytes) when there is no fixed name. */
const char *querylog_type_name(uint16_t type, char *buf, size_t buflen);
const char *querylog_class_name(uint16_t qclass, char *buf, size_t buflen);
const char *querylog_rcode_name(unsigned rcode, char *buf, size_t buflen);

/* A worker's buffer on `ql` (one per thread; NULL on out of memory). */
struct querylog_buf *querylog_buf_new(struct querylog *ql);
/* Flushes and frees. */
void querylog_buf_free(struct querylog_buf *b);

/* Adds one line; writes the buffer when it is full or when the log is
 * unbuffered.  0, or -1 if a write failed (the lines are dropped: a full
 * disk must not stop answers). */
int querylog_add(struct querylog_buf *b, const struct querylog_entry *e);

/* Writes what is buffered (call it when a worker goes idle, before
 * exit, and after a reopen so old lines are not held for long). */
int querylog_flush(struct querylog_buf *b);

#endif
