/* dns_buffer.h -- bounds-checked cursor over a packet, for reading and writing.
 *
 * Every byte the server reads from the network or writes into a reply goes
 * through this type (as in NSD's buffer.h): a read or write that would cross
 * the limit fails and moves nothing, so no parser or encoder ever indexes raw
 * packet bytes and a short or hostile packet can never be over-read, and a
 * reply can never outgrow the size the client allowed.
 */
#ifndef DNSBLD_DNS_BUFFER_H
#define DNSBLD_DNS_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dns_buffer {
	uint8_t *data;   /* first byte of the packet */
	size_t pos;      /* next byte to read or write */
	size_t limit;    /* reading: packet length; writing: size allowed */
};

/* Points `b` at `len` bytes of `data` with the cursor at 0. */
static inline void dns_buffer_init(struct dns_buffer *b, uint8_t *data,
				   size_t len)
{
	b->data = data;
	b->pos = 0;
	b->limit = len;
}

/* Bytes left between the cursor and the limit. */
static inline size_t dns_buffer_remaining(const struct dns_buffer *b)
{
	return b->pos <= b->limit ? b->limit - b->pos : 0;
}

/* 1 if `n` more bytes can be read or written, else 0. */
static inline int dns_buffer_available(const struct dns_buffer *b, size_t n)
{
	return n <= dns_buffer_remaining(b);
}

/* Moves the cursor to `pos`; -1 (cursor unchanged) if beyond the limit. */
static inline int dns_buffer_seek(struct dns_buffer *b, size_t pos)
{
	if (pos > b->limit)
		return -1;
	b->pos = pos;
	return 0;
}

/* Skips `n` bytes; -1 if fewer remain. */
static inline int dns_buffer_skip(struct dns_buffer *b, size_t n)
{
	if (!dns_buffer_available(b, n))
		return -1;
	b->pos += n;
	return 0;
}

/* Reads one byte / a big-endian u16 / u32; -1 (nothing consumed) if short. */
static inline int dns_buffer_get_u8(struct dns_buffer *b, uint8_t *out)
{
	if (!dns_buffer_available(b, 1))
		return -1;
	*out = b->data[b->pos++];
	return 0;
}

static inline int dns_buffer_get_u16(struct dns_buffer *b, uint16_t *out)
{
	if (!dns_buffer_available(b, 2))
		return -1;
	*out = (uint16_t)((unsigned)b->data[b->pos] << 8 | b->data[b->pos + 1]);
	b->pos += 2;
	return 0;
}

static inline int dns_buffer_get_u32(struct dns_buffer *b, uint32_t *out)
{
	if (!dns_buffer_available(b, 4))
		return -1;
	*out = (uint32_t)b->data[b->pos] << 24 |
	       (uint32_t)b->data[b->pos + 1] << 16 |
	       (uint32_t)b->data[b->pos + 2] << 8 | b->data[b->pos + 3];
	b->pos += 4;
	return 0;
}

/* Copies `n` bytes out; -1 if short. */
static inline int dns_buffer_get_bytes(struct dns_buffer *b, void *out,
				       size_t n)
{
	if (!dns_buffer_available(b, n))
		return -1;
	memcpy(out, b->data + b->pos, n);
	b->pos += n;
	return 0;
}

/* The next `n` bytes as one bounds-checked view, the cursor stepped over
 * them; NULL (nothing consumed) if fewer remain.  Lets a fixed-size block
 * (the 12-byte header, a record's fixed fields, a label) be read or written
 * after one check instead of one per field. */
static inline uint8_t *dns_buffer_take(struct dns_buffer *b, size_t n)
{
	uint8_t *p;

	if (!dns_buffer_available(b, n))
		return NULL;
	p = b->data + b->pos;
	b->pos += n;
	return p;
}

/* Big-endian u16 / u32 at `p` (a view from dns_buffer_take), read or
 * written. */
static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t dns_get32(const uint8_t *p)
{
	return (uint32_t)dns_get16(p) << 16 | dns_get16(p + 2);
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writes one byte / a big-endian u16 / u32 / `n` bytes; -1 (nothing
 * written) if the limit would be crossed. */
static inline int dns_buffer_put_u8(struct dns_buffer *b, uint8_t v)
{
	if (!dns_buffer_available(b, 1))
		return -1;
	b->data[b->pos++] = v;
	return 0;
}

static inline int dns_buffer_put_u16(struct dns_buffer *b, uint16_t v)
{
	if (!dns_buffer_available(b, 2))
		return -1;
	b->data[b->pos] = (uint8_t)(v >> 8);
	b->data[b->pos + 1] = (uint8_t)v;
	b->pos += 2;
	return 0;
}

static inline int dns_buffer_put_u32(struct dns_buffer *b, uint32_t v)
{
	if (!dns_buffer_available(b, 4))
		return -1;
	b->data[b->pos] = (uint8_t)(v >> 24);
	b->data[b->pos + 1] = (uint8_t)(v >> 16);
	b->data[b->pos + 2] = (uint8_t)(v >> 8);
	b->data[b->pos + 3] = (uint8_t)v;
	b->pos += 4;
	return 0;
}

static inline int dns_buffer_put_bytes(struct dns_buffer *b, const void *src,
				       size_t n)
{
	if (!dns_buffer_available(b, n))
		return -1;
	memcpy(b->data + b->pos, src, n);
	b->pos += n;
	return 0;
}

/* Overwrites a u16 at absolute offset `at` (already written); -1 if `at`
 * is not inside what was written. */
static inline int dns_buffer_set_u16_at(struct dns_buffer *b, size_t at,
					uint16_t v)
{
	if (at + 2 > b->pos)
		return -1;
	b->data[at] = (uint8_t)(v >> 8);
	b->data[at + 1] = (uint8_t)v;
	return 0;
}

#endif
