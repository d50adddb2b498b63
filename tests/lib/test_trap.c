/* test_trap.c -- lib/trap_line.c, trap_policy.c, trap_txt.c, trap_allow.c:
 * the hit line, the listing decision, the TXT fields, the allow-list. */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "trap.h"

static int parse(const char *line, struct trap_hit *h, const char **why)
{
	return trap_line_parse(line, strlen(line), h, why);
}

static void test_line(void)
{
	struct trap_hit h;
	const char *why;

	CHECK_INT(parse("192.0.2.7", &h, &why), 1);
	CHECK_INT(h.family, 4);
	CHECK_INT(h.addr[3], 7);
	CHECK_INT(h.time, 0);
	CHECK_INT(h.trap, 0);
	CHECK_INT(parse("  2001:db8::1 trap=t1 time=1700000000 reason=a b=c\r",
			&h, &why), 1);
	CHECK_INT(h.family, 6);
	CHECK_INT(h.time, 1700000000);
	CHECK(h.trap != 0);
	CHECK_STR(h.reason, "a b=c");
	CHECK_INT(parse("::ffff:198.51.100.9", &h, &why), 1);
	CHECK_INT(h.family, 4);
	CHECK_INT(h.addr[0], 198);
	CHECK_INT(h.addr[3], 9);
	CHECK_INT(h.addr[4], 0);
	/* Blank lines and comments are no hits and no errors. */
	CHECK_INT(parse("", &h, &why), 0);
	CHECK_INT(parse("   # a comment", &h, &why), 0);
	/* Malformed, each with its reason. */
	CHECK_INT(parse("300.1.1.1", &h, &why), -1);
	CHECK_STR(why, "not an IPv4 or IPv6 address");
	CHECK_INT(parse("192.0.2.1/24", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 trap=", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 trap=a trap=b", &h, &why), -1);
	CHECK_STR(why, "trap= given twice");
	CHECK_INT(parse("1.2.3.4 time=12x", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 time=99999999999", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 foo=bar", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 trailing", &h, &why), -1);
	CHECK_INT(parse("1.2.3.4 reason=bell\a", &h, &why), -1);
	{
		char big[TRAP_LINE_MAX + 20];

		memset(big, 'a', sizeof(big));
		memcpy(big, "1.2.3.4 reason=", 15);
		CHECK_INT(trap_line_parse(big, sizeof(big), &h, &why), -1);
		CHECK_STR(why, "line too long");
	}
	/* The same trap id hashes the same. */
	{
		struct trap_hit a, b;

		parse("1.2.3.4 trap=x", &a, &why);
		parse("5.6.7.8 trap=x", &b, &why);
		CHECK_INT(a.trap, b.trap);
		parse("5.6.7.8 trap=y", &b, &why);
		CHECK(a.trap != b.trap);
	}
}

static struct cfg_trap policy(unsigned threshold, int distinct)
{
	struct cfg_trap t;

	memset(&t, 0, sizeof(t));
	t.threshold = threshold;
	t.distinct_traps = distinct;
	t.window = 3600;
	t.expire = 86400;
	t.repeat_expire = 7 * 86400;
	t.repeat_within = 30 * 86400;
	t.prefix6 = 64;
	return t;
}

static void test_policy(void)
{
	struct cfg_trap t = policy(3, 0);
	struct trap_counter c;
	int64_t now = 1000000, until = 0;

	memset(&c, 0, sizeof(c));
	/* Below the threshold, then at it. */
	CHECK_INT(trap_policy_hit(&t, &c, now, 0, now, &until), TRAP_COUNTED);
	CHECK_INT(trap_policy_hit(&t, &c, now + 10, 0, now + 10, &until),
		  TRAP_COUNTED);
	CHECK_INT(trap_policy_hit(&t, &c, now + 20, 0, now + 20, &until),
		  TRAP_LISTED);
	CHECK_INT(until, now + 20 + 86400);
	CHECK_INT(c.hits, 3);
	CHECK_INT(c.times_listed, 1);
	/* Listed: a hit pushes the end out. */
	CHECK_INT(trap_policy_hit(&t, &c, now + 100, 0, now + 100, &until),
		  TRAP_EXTENDED);
	CHECK_INT(until, now + 100 + 86400);
	CHECK(!trap_policy_prunable(&t, &c, now + 200));

	/* Hits spread wider than the window never list. */
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 10; i++)
		CHECK_INT(trap_policy_hit(&t, &c, now + i * 2000, 0,
					  now + i * 2000, &until), TRAP_COUNTED);
	CHECK_INT(c.hits, 10);
	CHECK(c.nslots <= 3);
	CHECK(trap_policy_prunable(&t, &c, now + 9 * 2000 + 3601));
	CHECK(!trap_policy_prunable(&t, &c, now + 9 * 2000 + 3599));

	/* A repeat offender: listed again within repeat_within. */
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 3; i++)
		trap_policy_hit(&t, &c, now + i, 0, now + i, &until);
	CHECK_INT(c.listed_for, 86400);
	int64_t later = now + 2 * 86400;   /* the first listing is over */
	for (int i = 0; i < 2; i++)
		CHECK_INT(trap_policy_hit(&t, &c, later + i, 0, later + i,
					  &until), TRAP_COUNTED);
	CHECK_INT(trap_policy_hit(&t, &c, later + 2, 0, later + 2, &until),
		  TRAP_LISTED);
	CHECK_INT(until, later + 2 + 7 * 86400);
	CHECK_INT(c.times_listed, 2);
	/* Remembered while within repeat_within, then prunable. */
	CHECK(!trap_policy_prunable(&t, &c, later + 8 * 86400));
	CHECK(trap_policy_prunable(&t, &c, later + 31 * 86400));

	/* A replay of hits long over lists nothing. */
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 3; i++)
		CHECK_INT(trap_policy_hit(&t, &c, now + i, 0, now + 10 * 86400,
					  &until), TRAP_COUNTED);

	/* distinct_traps: three hits from one trap are one. */
	t = policy(2, 1);
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 3; i++)
		CHECK_INT(trap_policy_hit(&t, &c, now + i, 11, now + i, &until),
			  TRAP_COUNTED);
	CHECK_INT(trap_policy_hit(&t, &c, now + 5, 12, now + 5, &until),
		  TRAP_LISTED);

	/* A delisting's no-relist time holds listings off. */
	t = policy(1, 0);
	memset(&c, 0, sizeof(c));
	c.norelist_until = now + 50;
	CHECK_INT(trap_policy_hit(&t, &c, now, 0, now, &until), TRAP_COUNTED);
	CHECK_INT(trap_policy_hit(&t, &c, now + 60, 0, now + 60, &until),
		  TRAP_LISTED);
}

static void test_prefix(void)
{
	struct cfg_trap t = policy(1, 0);
	uint8_t a[16];

	inet_pton(AF_INET6, "2001:db8:1:2:3:4:5:6", a);
	CHECK_INT(trap_policy_prefix(&t, 6, a), 64);
	CHECK_INT(a[7], 2);
	CHECK_INT(a[8], 0);
	CHECK_INT(a[15], 0);
	t.prefix6 = 56;
	inet_pton(AF_INET6, "2001:db8:1:2ff::", a);
	CHECK_INT(trap_policy_prefix(&t, 6, a), 56);
	CHECK_INT(a[6], 2);
	CHECK_INT(a[7], 0);
	memset(a, 0, sizeof(a));
	a[0] = 8;
	a[3] = 8;
	CHECK_INT(trap_policy_prefix(&t, 4, a), 32);
	CHECK_INT(a[3], 8);
}

static void test_txt(void)
{
	struct trap_counter c;
	char out[256];

	memset(&c, 0, sizeof(c));
	c.hits = 5;
	c.first = 1700000000;
	c.last = 1700003600;
	c.times_listed = 2;
	c.listed_until = 1700090000;
	trap_txt_render("$ hit ${hits}x, ${first} .. ${last} (#${listed}, "
			"until ${until}) $$1 $1", &c, out);
	CHECK_STR(out, "$ hit 5x, 2023-11-14T22:13:20Z .. 2023-11-14T23:13:20Z "
		  "(#2, until 2023-11-15T23:13:20Z) $$1 $1");
	CHECK(trap_txt_check("ok ${hits} $ $$ $1") == NULL);
	CHECK(trap_txt_check("bad ${nope}") != NULL);
	CHECK(trap_txt_check("bad ${hits") != NULL);
	/* Cut at 255 bytes. */
	{
		char tpl[300];

		memset(tpl, 'x', sizeof(tpl) - 1);
		tpl[sizeof(tpl) - 1] = '\0';
		CHECK_INT(trap_txt_render(tpl, &c, out), 255);
	}
}

static void test_allow(void)
{
	struct cfg_trap t = policy(1, 0);
	struct cfg_cidr cidr = { .family = 4, .plen = 24, .addr = { 8, 8, 4 } };
	struct trap_allow *a;
	uint8_t lo[16], hi[16], x[16];

	t.allow = &cidr;
	t.nallow = 1;
	t.allow_special = 1;
	a = trap_allow_new(&t);
	CHECK(a != NULL);
#define ALLOWED(fam, text, plen)                                              \
	(memset(x, 0, 16), inet_pton(fam == 4 ? AF_INET : AF_INET6, text, x), \
	 trap_allow_range(fam, x, plen, lo, hi),                              \
	 trap_allow_overlaps(a, fam, lo, hi))
	CHECK(ALLOWED(4, "8.8.4.4", 32));
	CHECK(!ALLOWED(4, "8.8.8.8", 32));
	CHECK(ALLOWED(4, "10.1.2.3", 32));
	CHECK(ALLOWED(4, "127.0.0.1", 32));
	CHECK(ALLOWED(4, "192.168.1.1", 32));
	CHECK(ALLOWED(4, "172.31.255.255", 32));
	CHECK(!ALLOWED(4, "172.32.0.0", 32));
	CHECK(ALLOWED(4, "255.255.255.255", 32));
	CHECK(ALLOWED(6, "::1", 128));
	CHECK(ALLOWED(6, "fe80::1", 64));
	CHECK(ALLOWED(6, "2001:db8:5::", 64));
	CHECK(ALLOWED(6, "fd00::", 64));
	CHECK(!ALLOWED(6, "2a00:1450::", 64));
	CHECK_STR(trap_allow_special(4, x), NULL);
	inet_pton(AF_INET, "100.64.1.1", x);
	CHECK_STR(trap_allow_special(4, x), "100.64.0.0/10");
	trap_allow_free(a);

	/* allow_special off: only the CIDRs. */
	t.allow_special = 0;
	a = trap_allow_new(&t);
	CHECK(!ALLOWED(4, "10.1.2.3", 32));
	CHECK(ALLOWED(4, "8.8.4.0", 24));
	/* A /64 that holds an allowed address is allowed as a whole. */
	{
		struct cfg_cidr one = { .family = 6, .plen = 128 };

		inet_pton(AF_INET6, "2a00:1:2:3::99", one.addr);
		t.allow = &one;
		trap_allow_free(a);
		a = trap_allow_new(&t);
		CHECK(ALLOWED(6, "2a00:1:2:3::", 64));
		CHECK(!ALLOWED(6, "2a00:1:2:4::", 64));
	}
	trap_allow_free(a);
}

int main(void)
{
	test_line();
	test_policy();
	test_prefix();
	test_txt();
	test_allow();
	return check_report();
}
