/* content_hash.h -- XXH64 (seed 0), the content hash kept for feed files.
 *
 * Why XXH64: the loader hashes every byte of a feed it reads (200 MB for
 * a big one) to tell whether the file changed, and a hash that works a
 * byte at a time (FNV-1a) cost as much as indexing the file's lines.
 * XXH64 takes 32 bytes a step, and `xxhsum -H1 FILE` prints the same
 * value, so an operator can check what `dnsbl-ctl stats` shows.  Not
 * cryptographic: it only tells "this file changed".
 *
 * Streaming: feed the bytes in pieces of any size (read(2) returns what
 * it likes); the digest equals that of the whole in one piece.
 */
#ifndef DNSBLD_CONTENT_HASH_H
#define DNSBLD_CONTENT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct content_hash {
	uint64_t acc[4];          /* the four lanes' accumulators */
	unsigned char stripe[32]; /* bytes of a stripe not yet taken */
	size_t nstripe;           /* how many of them (0..31) */
	uint64_t total;           /* bytes fed so far */
};

/* Starts a hash of no bytes. */
void content_hash_init(struct content_hash *h);

/* Feeds `len` bytes at `data` (len may be 0). */
void content_hash_update(struct content_hash *h, const void *data, size_t len);

/* The XXH64 of all bytes fed so far; `h` is left as it was (more may be
 * fed after). */
uint64_t content_hash_digest(const struct content_hash *h);

/* XXH64 of one buffer: init, update, digest. */
uint64_t content_hash_of(const void *data, size_t len);

#endif
