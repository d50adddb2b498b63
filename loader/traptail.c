/* traptail.c -- a trap dataset's `tail`: a log file followed by
 * `dnsbl-loader watch`, each line made a hit by a regular expression
 * (POSIX ERE: its ip_group is the address, its trap_group the trap id)
 * or by the Postfix preset (lib/trap_postfix.c).
 *
 * The file is read from its end when the tail starts (old lines are not
 * replayed; from_start reads them), then whenever inotify says something
 * happened near it (lib/filewatch.c) and every TRAPTAIL_RECHECK_MS anyway,
 * so a missed event costs a second, never a line.  Each look reads the
 * open file to its end, then compares identities: a file renamed away
 * (logrotate) has been read to its end, so the new one at the path is
 * opened from its start when it appears; a file shorter than what was
 * read (copytruncate) is read again from 0.  A partial last line waits
 * for its newline.  Lines that are not hits (most of a mail log) are only
 * counted; a hit goes to the caller as a hit line, whose parser refuses
 * a bad address (named by file and line, never applied).
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "filewatch.h"
#include "trap.h"
#include "traptail.h"

#define TRAPTAIL_LINE_MAX 4096      /* longer log lines are skipped */
#define TRAPTAIL_RECHECK_MS 1000    /* a look without an inotify event */
#define TRAPTAIL_READ 65536         /* bytes per read() */

struct traptail {
	const struct cfg_trap_tail *tl;
	traptail_hit_fn hit;
	void *arg;
	regex_t re;
	int have_re;
	struct trap_postfix *pf;
	struct filewatch *fw;
	struct event *ev_fw, *ev_timer;
	int fd;                     /* the file being read, or -1 */
	dev_t dev;
	ino_t ino;
	off_t pos;                  /* read up to here */
	uint64_t lineno;            /* lines of the file before `line` */
	char line[TRAPTAIL_LINE_MAX + 1];
	size_t len;                 /* a partial line waiting */
	int skipping;               /* the rest of an over-long line */
	struct traptail_stats st;
};

/* A regex group's text into out; -1 if it did not take part or is too
 * long. */
static int tail_group(const char *line, const regmatch_t *m, char *out,
		      size_t cap)
{
	size_t n;

	if (m->rm_so < 0 || m->rm_eo < m->rm_so)
		return -1;
	n = (size_t)(m->rm_eo - m->rm_so);
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, line + m->rm_so, n);
	out[n] = '\0';
	return 0;
}

/* One complete log line (NUL-terminated in tt->line, `len` bytes). */
static void tail_line(struct traptail *tt, size_t len)
{
	char ip[TRAP_POSTFIX_IP], trap[TRAP_ID_MAX + 1], out[256];
	regmatch_t m[10];
	int n, is_hit;

	tt->lineno++;
	tt->st.lines++;
	if (len && tt->line[len - 1] == '\r')
		tt->line[--len] = '\0';
	trap[0] = '\0';
	if (tt->pf) {
		is_hit = trap_postfix_line(tt->pf, tt->line, len, ip, trap) == 1;
	} else {
		is_hit = regexec(&tt->re, tt->line, 10, m, 0) == 0;
		if (is_hit && tail_group(tt->line, &m[tt->tl->ip_group], ip,
					 sizeof(ip)) < 0)
			snprintf(ip, sizeof(ip), "(none)");  /* malformed */
		if (is_hit && tt->tl->trap_group &&
		    tail_group(tt->line, &m[tt->tl->trap_group], trap,
			       sizeof(trap)) < 0)
			trap[0] = '\0';
	}
	if (!is_hit)
		return;
	tt->st.hits++;
	/* A trap id with a space or a control character would change the
	 * hit line: it is left out rather than mangled. */
	for (size_t i = 0; trap[i]; i++)
		if ((unsigned char)trap[i] <= 0x20 || trap[i] == 0x7f)
			trap[0] = '\0';
	n = snprintf(out, sizeof(out), trap[0] ? "%s trap=%s" : "%s", ip, trap);
	tt->hit(tt->arg, out, (size_t)n, tt->tl->file, tt->lineno);
}

/* Splits `n` bytes read into lines. */
static void tail_bytes(struct traptail *tt, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (tt->skipping) {
				tt->lineno++;
				tt->st.lines++;
				tt->st.skipped++;
			} else {
				tt->line[tt->len] = '\0';
				tail_line(tt, tt->len);
			}
			tt->len = 0;
			tt->skipping = 0;
		} else if (tt->skipping) {
			continue;
		} else if (tt->len == TRAPTAIL_LINE_MAX || buf[i] == '\0') {
			tt->skipping = 1;   /* over-long, or not text */
		} else {
			tt->line[tt->len++] = buf[i];
		}
	}
}

static void tail_close(struct traptail *tt)
{
	if (tt->fd >= 0)
		close(tt->fd);
	tt->fd = -1;
	tt->pos = 0;
	tt->lineno = 0;
	tt->len = 0;
	tt->skipping = 0;
}

/* Opens the file at the path, at its end (counting its lines, so what
 * comes is named by its line) or at its start. */
static void tail_open(struct traptail *tt, int at_end)
{
	char buf[TRAPTAIL_READ];
	struct stat sb;
	ssize_t r;

	tail_close(tt);
	tt->fd = open(tt->tl->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (tt->fd < 0)
		return;
	if (fstat(tt->fd, &sb) < 0) {
		tail_close(tt);
		return;
	}
	tt->dev = sb.st_dev;
	tt->ino = sb.st_ino;
	while (at_end && (r = read(tt->fd, buf, sizeof(buf))) > 0) {
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + r - p)));
		     p++)
			tt->lineno++;
		tt->pos += r;
		/* The rest of a line begun before is no line of its own. */
		tt->skipping = buf[r - 1] != '\n';
	}
}

/* Reads the open file to its end. */
static void tail_read(struct traptail *tt)
{
	char buf[TRAPTAIL_READ];
	struct stat sb;
	ssize_t r;

	if (fstat(tt->fd, &sb) == 0 && sb.st_size < tt->pos) {
		/* Truncated (copytruncate): the file starts again. */
		lseek(tt->fd, 0, SEEK_SET);
		tt->pos = 0;
		tt->lineno = 0;
		tt->len = 0;
		tt->skipping = 0;
	}
	while ((r = read(tt->fd, buf, sizeof(buf))) > 0) {
		tail_bytes(tt, buf, (size_t)r);
		tt->pos += r;
	}
}

void traptail_poll(struct traptail *tt)
{
	struct stat sb;

	if (tt->fd >= 0)
		tail_read(tt);
	if (stat(tt->tl->file, &sb) < 0)
		return;   /* renamed away and no new file yet: keep reading */
	if (tt->fd >= 0 && sb.st_dev == tt->dev && sb.st_ino == tt->ino)
		return;
	/* A new file at the path (after a rename, or the first one): the old
	 * one was read to its end, its partial last line ends with it. */
	if (tt->len && !tt->skipping) {
		tt->line[tt->len] = '\0';
		tail_line(tt, tt->len);
	}
	tail_open(tt, 0);
	if (tt->fd >= 0)
		tail_read(tt);
}

static void tail_on_fw(evutil_socket_t fd, short what, void *arg)
{
	struct traptail *tt = arg;
	size_t changed[4];

	(void)fd;
	(void)what;
	if (filewatch_drain(tt->fw, NULL) > 0) {
		filewatch_scan(tt->fw, changed, 4);   /* re-arms its watches */
		traptail_poll(tt);
	}
}

static void tail_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	traptail_poll(arg);
}

struct traptail *traptail_new(struct event_base *base,
			      const struct cfg_trap_tail *tl,
			      traptail_hit_fn hit, void *arg, char *err,
			      size_t errlen)
{
	const struct timeval every = { TRAPTAIL_RECHECK_MS / 1000,
				       (TRAPTAIL_RECHECK_MS % 1000) * 1000 };
	struct traptail *tt = calloc(1, sizeof(*tt));
	int rc;

	if (!tt) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tt->tl = tl;
	tt->hit = hit;
	tt->arg = arg;
	tt->fd = -1;
	if (tl->regex) {
		if ((rc = regcomp(&tt->re, tl->regex, REG_EXTENDED)) != 0) {
			regerror(rc, &tt->re, err, errlen);
			free(tt);
			return NULL;
		}
		tt->have_re = 1;
	} else if (!(tt->pf = trap_postfix_new(tl->recipients,
						tl->nrecipients))) {
		snprintf(err, errlen, "out of memory");
		traptail_free(tt);
		return NULL;
	}
	/* inotify is an accelerator: without it the timer still follows. */
	tt->fw = filewatch_new();
	if (tt->fw && filewatch_add(tt->fw, tl->file) >= 0) {
		tt->ev_fw = event_new(base, filewatch_fd(tt->fw),
				      EV_READ | EV_PERSIST, tail_on_fw, tt);
		if (tt->ev_fw)
			event_add(tt->ev_fw, NULL);
	}
	tt->ev_timer = event_new(base, -1, EV_PERSIST, tail_on_timer, tt);
	if (!tt->ev_timer || event_add(tt->ev_timer, &every) < 0) {
		snprintf(err, errlen, "event loop");
		traptail_free(tt);
		return NULL;
	}
	/* A file there now is read from its end (or start); one that
	 * appears later is new, read from its start. */
	tail_open(tt, !tl->from_start);
	traptail_poll(tt);
	return tt;
}

const struct traptail_stats *traptail_stats(const struct traptail *tt)
{
	return &tt->st;
}

void traptail_free(struct traptail *tt)
{
	if (!tt)
		return;
	if (tt->ev_fw)
		event_free(tt->ev_fw);
	if (tt->ev_timer)
		event_free(tt->ev_timer);
	filewatch_free(tt->fw);
	if (tt->fd >= 0)
		close(tt->fd);
	if (tt->have_re)
		regfree(&tt->re);
	trap_postfix_free(tt->pf);
	free(tt);
}
