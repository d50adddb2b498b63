/* content_hash.c -- XXH64 with seed 0, streamed (content_hash.h).
 *
 * Written from the public xxHash specification (doc/xxhash_spec.md):
 * four accumulators each take one 8-byte lane of every 32-byte stripe;
 * the input's tail (under 32 bytes) is folded in 8, 4 and 1 bytes at a
 * time when the digest is taken, then the result is avalanched.  Lanes
 * are read little-endian whatever the machine, as the spec says.
 */
#include "content_hash.h"

#include "le_load.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl(uint64_t x, unsigned r)
{
	return x << r | x >> (64 - r);
}

static uint64_t lane_round(uint64_t acc, uint64_t lane)
{
	acc += lane * P2;
	return rotl(acc, 31) * P1;
}

static uint64_t merge(uint64_t acc, uint64_t v)
{
	acc ^= lane_round(0, v);
	return acc * P1 + P4;
}

/* Takes the whole stripes at `p` (n bytes, a multiple of 32). */
static void take_stripes(uint64_t acc[4], const unsigned char *p, size_t n)
{
	uint64_t a = acc[0], b = acc[1], c = acc[2], d = acc[3];

	for (const unsigned char *end = p + n; p < end; p += 32) {
		a = lane_round(a, le_load64(p));
		b = lane_round(b, le_load64(p + 8));
		c = lane_round(c, le_load64(p + 16));
		d = lane_round(d, le_load64(p + 24));
	}
	acc[0] = a;
	acc[1] = b;
	acc[2] = c;
	acc[3] = d;
}

void content_hash_init(struct content_hash *h)
{
	memset(h, 0, sizeof(*h));
	h->acc[0] = P1 + P2;   /* seed 0 */
	h->acc[1] = P2;
	h->acc[2] = 0;
	h->acc[3] = 0 - P1;
}

void content_hash_update(struct content_hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t whole;

	if (!len)
		return;   /* data may be NULL */
	h->total += len;
	if (h->nstripe) {
		/* Fill the stripe a previous piece began. */
		size_t take = 32 - h->nstripe < len ? 32 - h->nstripe : len;

		memcpy(h->stripe + h->nstripe, p, take);
		h->nstripe += take;
		p += take;
		len -= take;
		if (h->nstripe < 32)
			return;
		take_stripes(h->acc, h->stripe, 32);
		h->nstripe = 0;
	}
	whole = len & ~(size_t)31;
	take_stripes(h->acc, p, whole);
	memcpy(h->stripe, p + whole, len - whole);
	h->nstripe = len - whole;
}

uint64_t content_hash_digest(const struct content_hash *h)
{
	const unsigned char *p = h->stripe, *end = h->stripe + h->nstripe;
	uint64_t acc;

	if (h->total >= 32) {
		acc = rotl(h->acc[0], 1) + rotl(h->acc[1], 7) +
		      rotl(h->acc[2], 12) + rotl(h->acc[3], 18);
		for (int i = 0; i < 4; i++)
			acc = merge(acc, h->acc[i]);
	} else {
		acc = P5;   /* seed 0 */
	}
	acc += h->total;
	for (; end - p >= 8; p += 8)
		acc = rotl(acc ^ lane_round(0, le_load64(p)), 27) * P1 + P4;
	if (end - p >= 4) {
		acc = rotl(acc ^ le_load32(p) * P1, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++)
		acc = rotl(acc ^ *p * P5, 11) * P1;
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	return acc ^ acc >> 32;
}

uint64_t content_hash_of(const void *data, size_t len)
{
	struct content_hash h;

	content_hash_init(&h);
	content_hash_update(&h, data, len);
	return content_hash_digest(&h);
}
