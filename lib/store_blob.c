/* store_blob.c -- bounds-checked byte buffers for record blobs (see .h). */
#include "store_blob.h"

#include <stdlib.h>
#include <string.h>

#include "store_layout.h"

void blob_put(struct blob_writer *b, const void *data, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		uint8_t *p;

		while (ncap < b->len + n)
			ncap *= 2;
		p = realloc(b->p, ncap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

void blob_put_u8(struct blob_writer *b, uint8_t v)
{
	blob_put(b, &v, 1);
}

void blob_put_u16(struct blob_writer *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	blob_put(b, x, 2);
}

void blob_put_u32(struct blob_writer *b, uint32_t v)
{
	uint8_t x[4];

	be32_put(x, v);
	blob_put(b, x, 4);
}

void blob_put_u64(struct blob_writer *b, uint64_t v)
{
	uint8_t x[8];

	be64_put(x, v);
	blob_put(b, x, 8);
}

const uint8_t *blob_take(struct blob_reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}

uint8_t blob_u8(struct blob_reader *r)
{
	const uint8_t *p = blob_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t blob_u16(struct blob_reader *r)
{
	const uint8_t *p = blob_take(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t blob_u32(struct blob_reader *r)
{
	const uint8_t *p = blob_take(r, 4);

	return p ? be32_get(p) : 0;
}

uint64_t blob_u64(struct blob_reader *r)
{
	const uint8_t *p = blob_take(r, 8);

	return p ? be64_get(p) : 0;
}

char *blob_strdup(struct blob_reader *r, size_t n)
{
	const uint8_t *p = blob_take(r, n);
	char *s;

	if (!p)
		return NULL;
	if (memchr(p, '\0', n) || !(s = malloc(n + 1))) {
		r->bad = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

uint8_t *blob_wname(struct blob_reader *r, size_t n)
{
	const uint8_t *p = blob_take(r, n);
	size_t i = 0;
	uint8_t *w;

	if (!p || n == 0 || n > 255) {
		r->bad = 1;
		return NULL;
	}
	/* Bounded walk: the labels must end exactly at the last byte. */
	while (i < n && p[i] != 0) {
		if (p[i] > 63) {
			r->bad = 1;
			return NULL;
		}
		i += (size_t)p[i] + 1;
	}
	if (i != n - 1 || !(w = malloc(n))) {
		r->bad = 1;
		return NULL;
	}
	memcpy(w, p, n);
	return w;
}
