/* trap_postfix.c -- the `preset: postfix` of a trap dataset's `tail`:
 * Postfix log lines of mail to trap recipients become hits.
 *
 * Two forms give a hit (the trap id is the recipient address):
 *
 *   smtpd's refusal, all on one line:
 *     postfix/smtpd[..]: NOQUEUE: reject: RCPT from HOST[IP]: ...
 *       from=<..> to=<trap@example.org> proto=ESMTP helo=<..>
 *   accepted mail, over several lines joined by the queue id:
 *     postfix/smtpd[..]: QUEUEID: client=HOST[IP]
 *     postfix/local|virtual|lmtp|smtp|pipe[..]: QUEUEID: to=<trap@..>, ..
 *
 * The client of each queue id is remembered in a ring of TRAP_POSTFIX_QUEUE
 * entries (the oldest is dropped); a delivery line whose queue id is not
 * remembered is no hit.  Recipients match case-insensitively, an exact
 * address or `@domain` (every address of that domain).  Nothing here
 * checks the IP: the caller's hit line parser does (a bad one is a
 * malformed hit, named by file and line).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trap.h"

struct trap_postfix_q {
	char id[TRAP_POSTFIX_QID];
	char ip[TRAP_POSTFIX_IP];
};

struct trap_postfix {
	char *const *rcpt;          /* the recipients (the caller's) */
	size_t nrcpt;
	struct trap_postfix_q *q;   /* ring of TRAP_POSTFIX_QUEUE */
	size_t qnext, qused;
};

struct trap_postfix *trap_postfix_new(char *const *recipients, size_t n)
{
	struct trap_postfix *pf = calloc(1, sizeof(*pf));

	if (!pf || !(pf->q = calloc(TRAP_POSTFIX_QUEUE, sizeof(*pf->q)))) {
		free(pf);
		return NULL;
	}
	pf->rcpt = recipients;
	pf->nrcpt = n;
	return pf;
}

void trap_postfix_free(struct trap_postfix *pf)
{
	if (!pf)
		return;
	free(pf->q);
	free(pf);
}

/* The first `needle` in line[0..len), or NULL. */
static const char *pf_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* Copies [s, s + n) into out (size `cap`); -1 if it does not fit. */
static int pf_copy(const char *s, size_t n, char *out, size_t cap)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* The text between `open` (at *p) and the next `close` before end. */
static int pf_between(const char *p, const char *end, char close, char *out,
		      size_t cap)
{
	const char *c = memchr(p, close, (size_t)(end - p));

	return c ? pf_copy(p, (size_t)(c - p), out, cap) : -1;
}

int trap_postfix_match(const struct trap_postfix *pf, const char *addr)
{
	size_t alen = strlen(addr);

	for (size_t i = 0; i < pf->nrcpt; i++) {
		const char *r = pf->rcpt[i];
		size_t rlen = strlen(r);

		if (r[0] == '@' ? rlen < alen &&
		    strcasecmp(addr + alen - rlen, r) == 0 :
		    strcasecmp(addr, r) == 0)
			return 1;
	}
	return 0;
}

/* `to=<ADDR>` in [s, end): 1 if ADDR is a trap recipient (into trap). */
static int pf_trap_to(const struct trap_postfix *pf, const char *s,
		      const char *end, char trap[TRAP_ID_MAX + 1])
{
	const char *to = pf_find(s, (size_t)(end - s), " to=<");

	if (!to || pf_between(to + 5, end, '>', trap, TRAP_ID_MAX + 1) < 0)
		return 0;
	return trap_postfix_match(pf, trap);
}

/* A queue id: upper-case hex (short ids) or the long base-52 form. */
static size_t pf_qid(const char *s, const char *end)
{
	size_t n = 0;

	while (s + n < end && ((s[n] >= '0' && s[n] <= '9') ||
	       (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z')))
		n++;
	return n;
}

int trap_postfix_line(struct trap_postfix *pf, const char *line, size_t len,
		      char ip[TRAP_POSTFIX_IP], char trap[TRAP_ID_MAX + 1])
{
	const char *end = line + len, *prog, *msg, *p;
	size_t plen, qlen;
	char qid[TRAP_POSTFIX_QID];

	prog = pf_find(line, len, "postfix");
	if (!prog || !(p = memchr(prog, '/', (size_t)(end - prog))))
		return 0;
	prog = p + 1;
	plen = 0;
	while (prog + plen < end && prog[plen] != '[' && prog[plen] != ':' &&
	       prog[plen] != ' ')
		plen++;
	if (!(msg = pf_find(prog, (size_t)(end - prog), ": ")))
		return 0;
	msg += 2;
	if (plen == 5 && memcmp(prog, "smtpd", 5) == 0 &&
	    (size_t)(end - msg) > 27 &&
	    memcmp(msg, "NOQUEUE: reject: RCPT from ", 27) == 0) {
		p = memchr(msg, '[', (size_t)(end - msg));
		if (!p || pf_between(p + 1, end, ']', ip, TRAP_POSTFIX_IP) < 0)
			return 0;
		return pf_trap_to(pf, p, end, trap);
	}
	qlen = pf_qid(msg, end);
	if (qlen == 0 || qlen >= sizeof(qid) || (size_t)(end - msg - qlen) < 2 ||
	    memcmp(msg + qlen, ": ", 2) != 0)
		return 0;
	memcpy(qid, msg, qlen);
	qid[qlen] = '\0';
	p = msg + qlen + 2;
	if (plen == 5 && memcmp(prog, "smtpd", 5) == 0) {
		struct trap_postfix_q *q = &pf->q[pf->qnext];
		const char *b;

		if ((size_t)(end - p) < 7 || memcmp(p, "client=", 7) != 0 ||
		    !(b = memchr(p, '[', (size_t)(end - p))) ||
		    pf_between(b + 1, end, ']', q->ip, sizeof(q->ip)) < 0)
			return 0;
		memcpy(q->id, qid, qlen + 1);
		pf->qnext = (pf->qnext + 1) % TRAP_POSTFIX_QUEUE;
		if (pf->qused < TRAP_POSTFIX_QUEUE)
			pf->qused++;
		return 0;
	}
	if ((size_t)(end - p) < 4 || memcmp(p, "to=<", 4) != 0)
		return 0;
	/* The newest first: a queue id may come back after a long time. */
	for (size_t k = 0; k < pf->qused; k++) {
		size_t i = (pf->qnext + TRAP_POSTFIX_QUEUE - 1 - k) %
			   TRAP_POSTFIX_QUEUE;

		if (strcmp(pf->q[i].id, qid) != 0)
			continue;
		if (!pf_trap_to(pf, p - 1, end, trap))
			return 0;
		memcpy(ip, pf->q[i].ip, sizeof(pf->q[i].ip));
		return 1;
	}
	return 0;
}
