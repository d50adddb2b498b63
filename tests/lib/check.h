/* check.h -- the unit tests' assertions: count, report, never stop early.
 *
 * Each test file calls CHECK*() freely and ends main() with
 * `return check_report();`, which prints "N passed, N failed" and returns
 * non-zero if anything failed.
 */
#ifndef DNSBLD_TEST_CHECK_H
#define DNSBLD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

#define CHECK(cond) check_one((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (!check_one(g_ == w_, #got " == " #want, __FILE__, __LINE__)) \
			fprintf(stderr, "    got %lld, want %lld\n", g_, w_);    \
	} while (0)
#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		int ok_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;           \
		if (!check_one(ok_, #got " == " #want, __FILE__, __LINE__))    \
			fprintf(stderr, "    got \"%s\", want \"%s\"\n",         \
				g_ ? g_ : "(null)", w_ ? w_ : "(null)");       \
	} while (0)

static inline int check_one(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
	}
	return ok;
}

static inline int check_report(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
