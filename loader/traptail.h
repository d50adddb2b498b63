/* traptail.h -- a trap dataset's `tail`: a log file followed by
 * `dnsbl-loader watch` (traptail.c), its lines made hit lines. */
#ifndef DNSBLD_TRAPTAIL_H
#define DNSBLD_TRAPTAIL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;
struct traptail;

/* One hit line (trap_line.c's format) from `file` line `lineno`. */
typedef void (*traptail_hit_fn)(void *arg, const char *hit, size_t len,
				const char *file, uint64_t lineno);

/* What a tail has read. */
struct traptail_stats {
	uint64_t lines;          /* log lines read */
	uint64_t hits;           /* ...that were hits (passed to `hit`) */
	uint64_t skipped;        /* ...over-long, skipped */
};

/* Follows `tl->file` in `base` (tl must outlive it): from its end (or
 * its start with from_start), through renames and truncations, every
 * hit going to `hit`.  NULL with err set (out of memory, a bad regex). */
struct traptail *traptail_new(struct event_base *base,
			      const struct cfg_trap_tail *tl,
			      traptail_hit_fn hit, void *arg, char *err,
			      size_t errlen);

/* Reads what is there (the event loop calls it too). */
void traptail_poll(struct traptail *tt);

const struct traptail_stats *traptail_stats(const struct traptail *tt);

void traptail_free(struct traptail *tt);

#endif
