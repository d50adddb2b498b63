/* store_hash.c -- 64-bit FNV-1a, the content hash kept for source files.
 * Not cryptographic: it only tells "this file changed" in metadata. */
#include "store.h"

uint64_t store_hash_update(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}
