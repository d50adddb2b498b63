/* store_blob.h -- bounds-checked byte buffers for the store's record blobs.
 *
 * Private to lib/store_*.c.  The metadata record (store_meta.c) and the zone
 * table (store_zones.c) are blobs of big-endian integers, strings and wire
 * names; both are built with a blob_writer (which only records an out of
 * memory and carries on, so encoders need no error path per field) and read
 * with a blob_reader (which turns any short read into `bad` and never reads
 * past the end).
 */
#ifndef DNSBLD_STORE_BLOB_H
#define DNSBLD_STORE_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob_writer {
	uint8_t *p;          /* malloc'd; the caller frees it */
	size_t len, cap;
	int oom;             /* a write failed: the blob is incomplete */
};

void blob_put(struct blob_writer *b, const void *data, size_t n);
void blob_put_u8(struct blob_writer *b, uint8_t v);
void blob_put_u16(struct blob_writer *b, uint16_t v);
void blob_put_u32(struct blob_writer *b, uint32_t v);
void blob_put_u64(struct blob_writer *b, uint64_t v);

struct blob_reader {
	const uint8_t *p, *end;
	int bad;             /* a read ran short or a field was malformed */
};

/* The next n bytes, or NULL (and bad set) if fewer remain. */
const uint8_t *blob_take(struct blob_reader *r, size_t n);
uint8_t blob_u8(struct blob_reader *r);
uint16_t blob_u16(struct blob_reader *r);
uint32_t blob_u32(struct blob_reader *r);
uint64_t blob_u64(struct blob_reader *r);
/* The next n bytes as a fresh NUL-terminated string; NULL and bad if they
 * run short, hold a NUL or memory runs out. */
char *blob_strdup(struct blob_reader *r, size_t n);
/* The next n bytes as a fresh copy of one wire name whose labels end
 * exactly at its last byte; NULL and bad otherwise. */
uint8_t *blob_wname(struct blob_reader *r, size_t n);

#endif
