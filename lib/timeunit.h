/* timeunit.h -- rbldnsd's time values: a number with an optional unit.
 *
 * Used by feed special lines ($SOA, $TTL, generic TTLs), the YAML config and
 * the rbldnsd command line (-t, -c), so all three read "35m" the same way.
 */
#ifndef DNSBLD_TIMEUNIT_H
#define DNSBLD_TIMEUNIT_H

#include <stdint.h>

/* Scans decimal digits and one optional unit letter (s, m, h, d, w; either
 * case) at `s`.  Returns a pointer just past them and sets *seconds, or NULL
 * if there is no digit or the value does not fit in 32 bits.  The caller
 * decides what may follow. */
const char *timeunit_scan(const char *s, uint32_t *seconds);

#endif
