/* ixfr.h -- the changes an IXFR (RFC 1995) sends, kept in memory.
 *
 * dnsbld never writes the store, so it keeps what an IXFR needs itself.
 * For every zone with `transfer:` it holds the snapshot of the zone's
 * current serial (the "base").  Once a second a timer on the main loop
 * reads the serials; when one has moved, a thread walks the base and the
 * new snapshot (xfr_walk), diffs them record by record into a change (the
 * records deleted and the records added), keeps the change and makes the
 * new snapshot the base.  So a change is diffed once, before the NOTIFY
 * that follows it reaches a secondary, and every secondary that asks IXFR
 * from a kept serial gets the changes since, chained; one whose serial no
 * kept chain leads from gets the zone AXFR-style.  Costs: docs/SERVER.md,
 * "Zone transfers".
 */
#ifndef DNSBLD_IXFR_H
#define DNSBLD_IXFR_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "store.h"

struct xfr;
struct ixfr;
struct ixfr_change;

/* Changes one IXFR may chain (more: AXFR-style), and changes kept per
 * zone. */
#define IXFR_CHAIN_MAX 16

/* Starts keeping changes for the zones of `cfg` with `transfer:` (a timer
 * on `base`); NULL when there are none, or on error (logged: IXFRs are
 * then answered AXFR-style). */
struct ixfr *ixfr_start(struct event_base *base, const struct config *cfg,
			struct store *st);
/* Stops the timer, waits for a diff in progress, frees every snapshot and
 * change (before the store closes). */
void ixfr_stop(struct ixfr *ix);

/* The kept changes leading from serial `from` to `to` of zone `zone` (wire
 * name), into `chain` (each held: ixfr_change_release); how many, 0 if no
 * kept chain leads from `from` to `to`. */
size_t ixfr_chain(const uint8_t *zone, uint32_t from, uint32_t to,
		  struct ixfr_change **chain, size_t max);

/* Part `part` of a change (0 its old SOA, 1 the deleted records, 2 its new
 * SOA, 3 the added records), records of xfr_rec_len each: *recs, and the
 * length of them all. */
size_t ixfr_change_part(const struct ixfr_change *c, int part,
			const uint8_t **recs);
void ixfr_change_release(struct ixfr_change *c);

#endif
