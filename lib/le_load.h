/* le_load.h -- little-endian integers read from unaligned bytes.
 *
 * Byte by byte, so that the first byte is the low one on any machine and
 * no alignment is assumed; compilers make one load of each (a byte swap
 * on a big-endian machine).
 */
#ifndef DNSBLD_LE_LOAD_H
#define DNSBLD_LE_LOAD_H

#include <stdint.h>

static inline uint64_t le_load32(const void *s)
{
	const unsigned char *p = s;

	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
}

static inline uint64_t le_load64(const void *s)
{
	const unsigned char *p = s;

	return le_load32(p) | le_load32(p + 4) << 32;
}

#endif
