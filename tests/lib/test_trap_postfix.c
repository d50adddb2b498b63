/* test_trap_postfix.c -- lib/trap_postfix.c: the `preset: postfix` line
 * parser (NOQUEUE rejects, accepted mail by queue id, recipients). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "trap.h"

static char ip[TRAP_POSTFIX_IP], trap[TRAP_ID_MAX + 1];

static int line(struct trap_postfix *pf, const char *s)
{
	ip[0] = trap[0] = '\0';
	return trap_postfix_line(pf, s, strlen(s), ip, trap);
}

static void test_reject(struct trap_postfix *pf)
{
	CHECK_INT(line(pf, "Dec  4 20:00:01 mx postfix/smtpd[123]: NOQUEUE: "
		       "reject: RCPT from unknown[192.0.2.7]: 550 5.1.1 "
		       "<trap@example.org>: Recipient address rejected: User "
		       "unknown; from=<x@y.test> to=<trap@example.org> "
		       "proto=ESMTP helo=<h>"), 1);
	CHECK_STR(ip, "192.0.2.7");
	CHECK_STR(trap, "trap@example.org");
	/* Case-insensitive, and @domain. */
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h.test[2001:db8::5]: 554 5.7.1 x; from=<> "
		       "to=<Anyone@TRAPS.example.org> proto=SMTP helo=<h>"), 1);
	CHECK_STR(ip, "2001:db8::5");
	CHECK_STR(trap, "Anyone@TRAPS.example.org");
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[192.0.2.8]: 550 x; from=<a@b> to=<TRAP@Example.ORG> "
		       "proto=ESMTP"), 1);
	/* Not traps: another recipient, a sub-domain's look-alike. */
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[192.0.2.9]: 550 x; from=<a@b> to=<user@example.org> "
		       "proto=ESMTP"), 0);
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[192.0.2.9]: 550 x; from=<a@b> "
		       "to=<a@nottraps.example.org> proto=ESMTP"), 0);
	/* No address: the caller's parser refuses it, but it is a hit. */
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[bogus]: 550 x; from=<a@b> to=<trap@example.org>"), 1);
	CHECK_STR(ip, "bogus");
	/* Truncated lines are no hits. */
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[192.0.2.9"), 0);
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from "
		       "h[192.0.2.9]: 550 x; from=<a@b> to=<trap@example.org"), 0);
	CHECK_INT(line(pf, "mx postfix/smtpd[1]: connect from h[192.0.2.9]"), 0);
	CHECK_INT(line(pf, ""), 0);
	CHECK_INT(line(pf, "postfix"), 0);
	CHECK_INT(line(pf, "postfix/smtpd[1]: NOQUEUE: reject: RCPT from "), 0);
}

static void test_queue(struct trap_postfix *pf)
{
	char buf[256];

	CHECK_INT(line(pf, "mx postfix/smtpd[9]: 4ABC123DEF: "
		       "client=mail.test[198.51.100.4]"), 0);
	CHECK_INT(line(pf, "mx postfix/qmgr[8]: 4ABC123DEF: from=<s@x.test>, "
		       "size=300, nrcpt=2 (queue active)"), 0);
	CHECK_INT(line(pf, "mx postfix/local[7]: 4ABC123DEF: "
		       "to=<someone@example.org>, relay=local, status=sent"), 0);
	CHECK_INT(line(pf, "mx postfix/local[7]: 4ABC123DEF: "
		       "to=<trap@example.org>, relay=local, delay=0.1, "
		       "status=sent (delivered to mailbox)"), 1);
	CHECK_STR(ip, "198.51.100.4");
	CHECK_STR(trap, "trap@example.org");
	CHECK_INT(line(pf, "mx postfix/virtual[7]: 4ABC123DEF: "
		       "to=<x@traps.example.org>, relay=virtual"), 1);
	CHECK_STR(ip, "198.51.100.4");
	/* An unknown queue id is no hit. */
	CHECK_INT(line(pf, "mx postfix/lmtp[7]: 5FFF: to=<trap@example.org>, "
		       "relay=x"), 0);
	/* The ring drops the oldest. */
	for (int i = 0; i < TRAP_POSTFIX_QUEUE; i++) {
		snprintf(buf, sizeof(buf), "postfix/smtpd[1]: Q%d: "
			 "client=h[192.0.2.%d]", i, i % 250);
		line(pf, buf);
	}
	CHECK_INT(line(pf, "postfix/lmtp[7]: 4ABC123DEF: to=<trap@example.org>"),
		  0);
	CHECK_INT(line(pf, "postfix/lmtp[7]: Q0: to=<trap@example.org>"), 1);
	CHECK_STR(ip, "192.0.2.0");
	CHECK_INT(line(pf, "postfix/lmtp[7]: Q9999: to=<trap@example.org>"), 1);
	CHECK_STR(ip, "192.0.2.249");
}

int main(void)
{
	char *rcpt[] = { "trap@example.org", "@traps.example.org" };
	struct trap_postfix *pf = trap_postfix_new(rcpt, 2);

	CHECK(pf != NULL);
	if (!pf)
		return check_report();
	CHECK_INT(trap_postfix_match(pf, "TRAP@example.org"), 1);
	CHECK_INT(trap_postfix_match(pf, "a@traps.example.org"), 1);
	CHECK_INT(trap_postfix_match(pf, "@traps.example.org"), 0);
	CHECK_INT(trap_postfix_match(pf, "a@example.org"), 0);
	test_reject(pf);
	test_queue(pf);
	trap_postfix_free(pf);
	return check_report();
}
