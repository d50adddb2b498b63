/* clock.c -- the loader's clock, which tests can set.
 *
 * Trap listings and hand-added entries expire on the wall clock, which a
 * test cannot wait days for.  DNSBL_LOADER_NOW (for tests only, like
 * dnsbl-ctl's DNSBL_CTL_NOW) sets it: unix seconds ("1767225600") stop
 * the clock there, a signed offset ("+86400", "-60") moves the real clock
 * by that many seconds and keeps it running.  Unset, it is time(NULL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "loader.h"

static int clock_mode;          /* 0 real, 1 fixed, 2 offset */
static int64_t clock_value;

int loader_clock_init(const char *prog)
{
	const char *s = getenv("DNSBL_LOADER_NOW");
	char *end;
	long long v;
	int sign;

	if (!s || !*s)
		return 0;
	sign = *s == '+' || *s == '-';
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[sign] < '0' || s[sign] > '9' || *end || errno ||
	    (!sign && v <= 0)) {
		fprintf(stderr, "%s: DNSBL_LOADER_NOW wants unix seconds or "
			"+/-seconds, not \"%s\"\n", prog, s);
		return -1;
	}
	clock_mode = sign ? 2 : 1;
	clock_value = v;
	return 0;
}

int64_t loader_now(void)
{
	if (clock_mode == 1)
		return clock_value;
	return (int64_t)time(NULL) + (clock_mode == 2 ? clock_value : 0);
}
