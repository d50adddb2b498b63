/* store_hash.c -- 64-bit FNV-1a over a few bytes: a cheap key for small
 * things (store.h).  Not cryptographic.  A feed file's content hash is
 * XXH64 (content_hash.h), which reads big files many times faster. */
#include "store.h"

uint64_t store_hash_update(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}
