/* test_txt.c -- lib/txt.c: TXT template expansion, rbldnsd-compatible.
 *
 * Expected strings are what the Debian rbldnsd binary sent for the same
 * templates (queried on loopback while writing this test): e.g. the entry
 * `1.0.0.14 t$=u` without a base template answered "tt$=uu".
 */
#include "check.h"
#include "txt.h"

#include <string.h>

static char got[TXT_MAX + 1];

/* Expands and NUL-terminates into `got`; returns the length. */
static int expand(const char *txt, const struct ds_meta *meta,
		  const char *subject)
{
	int n = txt_expand(txt, txt ? strlen(txt) : 0, meta, subject,
			   strlen(subject), got);

	got[n < 0 ? 0 : n] = '\0';
	return n;
}

static void test_plain(void)
{
	struct ds_meta m;
	char zero[] = "zero", five[] = "five";

	memset(&m, 0, sizeof(m));
	m.vars[0] = zero;
	m.vars[5] = five;
	CHECK_INT(expand("plain", &m, "1.0.0.10"), 5);
	CHECK_STR(got, "plain");
	expand("a$b", &m, "1.0.0.11");
	CHECK_STR(got, "a1.0.0.11b");
	expand("x$$y", &m, "1.0.0.12");
	CHECK_STR(got, "x$y");
	expand("v$0 v$5 v$7 end", &m, "1.0.0.13");
	CHECK_STR(got, "vzero vfive v$7 end");
	expand("t$=u", &m, "1.0.0.14");
	CHECK_STR(got, "tt$=uu");
	expand("trailing$", &m, "1.0.0.15");
	CHECK_STR(got, "trailing1.0.0.15");
	/* No text and no base template: no TXT at all. */
	CHECK_INT(expand(NULL, &m, "1.0.0.16"), -1);
	CHECK_INT(txt_expand("", 0, &m, "x", 1, got), -1);
	/* NULL meta: variables undefined. */
	expand("$1$", NULL, "s");
	CHECK_STR(got, "$1s");
	/* IPv6 subjects are whatever the caller formats (compressed). */
	expand("v6 $ v6", NULL, "2001:db8::1");
	CHECK_STR(got, "v6 2001:db8::1 v6");
}

static void test_base_template(void)
{
	struct ds_meta m;
	char zero[] = "zero", base[] = "base[$] [$=] [$0]";

	memset(&m, 0, sizeof(m));
	m.vars[0] = zero;
	m.base_template = base;
	expand("entry $ text", &m, "1.0.0.20");
	CHECK_STR(got, "base[1.0.0.20] [entry $ text] [zero]");
	expand("=own $ text", &m, "1.0.0.21");
	CHECK_STR(got, "own 1.0.0.21 text");
	expand(NULL, &m, "1.0.0.22");
	CHECK_STR(got, "base[1.0.0.22] [1.0.0.22] [zero]");
	CHECK_INT(txt_expand("", 0, &m, "1.0.0.23", 8, got), 32);
}

static void test_truncation(void)
{
	char big[400];
	struct ds_meta m;

	memset(&m, 0, sizeof(m));
	memset(big, 'a', 300);
	big[300] = '\0';
	CHECK_INT(expand(big, &m, "s"), TXT_MAX);
	/* Cut in the middle of a substitution too. */
	memset(big, 'b', 250);
	strcpy(big + 250, "$");
	CHECK_INT(expand(big, &m, "123456789"), TXT_MAX);
	CHECK(memcmp(got + 250, "1234", 4) == 0);
}

int main(void)
{
	test_plain();
	test_base_template();
	test_truncation();
	return check_report();
}
