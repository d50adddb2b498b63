/* monoclock.h -- seconds on the monotonic clock, for durations (load and
 * write times, debounce, compaction), never for dates. */
#ifndef DNSBLD_MONOCLOCK_H
#define DNSBLD_MONOCLOCK_H

#include <time.h>

static inline double monoclock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
