/* feed_reader.c -- read a feed file whole, check its identity, gunzip it.
 *
 * Reading the whole file with large read(2) calls and splitting lines with
 * memchr keeps a million-line feed well under a second; the stat before and
 * after the read is how rbldnsd notices a file rewritten in place.
 */
#include "feed_reader.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_BLOCK (1u << 20)

static int reader_read_all(int fd, char **out, size_t *outlen, size_t hint)
{
	size_t cap = hint + 2 > READ_BLOCK ? hint + 2 : READ_BLOCK, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -1;
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* Inflates the first member of a gzip stream (its CRC and length checked
 * by zlib); a truncated or corrupt stream is an error. */
static int reader_gunzip(const char *in, size_t inlen, char **out, size_t *outlen,
		  const char **why)
{
	z_stream zs;
	size_t cap = inlen * 4 + READ_BLOCK, len = 0;
	char *buf = malloc(cap);
	int rc;

	*why = "out of memory";
	if (!buf)
		return -1;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(buf);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	for (;;) {
		size_t chunk_in = inlen - (size_t)((const char *)zs.next_in - in);

		zs.avail_in = chunk_in > 0x40000000u ? 0x40000000u : (uInt)chunk_in;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		zs.next_out = (Bytef *)buf + len;
		zs.avail_out = (uInt)((cap - len - 1) > 0x40000000u ?
				      0x40000000u : cap - len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		len = (size_t)((char *)zs.next_out - buf);
		/* Only the first gzip member counts; rbldnsd ignores what
		 * follows it (checked against the Debian binary). */
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_BUF_ERROR && zs.avail_in == 0 &&
		    (const char *)zs.next_in - in >= (ptrdiff_t)inlen) {
			*why = "truncated gzip data";
			goto fail;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			goto bad;
	}
	inflateEnd(&zs);
	*out = buf;
	*outlen = len;
	return 0;
bad:
	*why = zs.msg ? zs.msg : "invalid gzip data";
fail:
	inflateEnd(&zs);
	free(buf);
	return -1;
}

/* How much the hash thread takes between telling the reader how far it
 * got. */
#define HASH_STEP (1u << 20)

static void *reader_hash_main(void *arg)
{
	struct feed_reader *rd = arg;
	uint64_t h = STORE_HASH_INIT;

	for (size_t off = 0; off < rd->hash_len;) {
		size_t n = rd->hash_len - off < HASH_STEP ? rd->hash_len - off
							  : HASH_STEP;

		h = store_hash_update(h, rd->hash_src + off, n);
		off += n;
		pthread_mutex_lock(&rd->hash_lock);
		rd->hashed_to = off;
		pthread_cond_broadcast(&rd->hash_moved);
		pthread_mutex_unlock(&rd->hash_lock);
	}
	rd->hash = h;
	return NULL;
}

/* Starts hashing `len` bytes at `src` on a thread; where no thread can be
 * started, hashes them now. */
static void reader_hash_start(struct feed_reader *rd, const char *src,
			      size_t len)
{
	rd->hash_src = src;
	rd->hash_len = len;
	rd->hashed_to = 0;
	if (pthread_mutex_init(&rd->hash_lock, NULL) == 0) {
		if (pthread_cond_init(&rd->hash_moved, NULL) == 0) {
			if (pthread_create(&rd->hasher, NULL, reader_hash_main,
					   rd) == 0) {
				rd->hashing = 1;
				return;
			}
			pthread_cond_destroy(&rd->hash_moved);
		}
		pthread_mutex_destroy(&rd->hash_lock);
	}
	rd->hash = store_hash_update(STORE_HASH_INIT, src, len);
	rd->hashed_to = len;
}

static void reader_hash_join(struct feed_reader *rd)
{
	if (!rd->hashing)
		return;
	pthread_join(rd->hasher, NULL);
	pthread_cond_destroy(&rd->hash_moved);
	pthread_mutex_destroy(&rd->hash_lock);
	rd->hashing = 0;
	rd->hashed_to = rd->hash_len;
}

/* Waits until the hash has read the byte at `at` of the text (bytes past
 * what it hashes need no wait), so that the reader may write there. */
static void reader_hash_wait(struct feed_reader *rd, size_t at)
{
	size_t need = at < rd->hash_len ? at + 1 : rd->hash_len;

	if (!rd->hashing) {
		rd->hash_safe = SIZE_MAX;
		return;
	}
	pthread_mutex_lock(&rd->hash_lock);
	while (rd->hashed_to < need)
		pthread_cond_wait(&rd->hash_moved, &rd->hash_lock);
	rd->hash_safe = rd->hashed_to;
	pthread_mutex_unlock(&rd->hash_lock);
	if (rd->hash_safe >= rd->hash_len)
		rd->hash_safe = SIZE_MAX;   /* all hashed: no more waits */
}

uint64_t feed_reader_hash(struct feed_reader *rd)
{
	reader_hash_join(rd);
	return rd->hash;
}

int feed_reader_open(struct feed_reader *rd, const char *path, int no_gunzip,
		     int want_hash, char *err, size_t errlen)
{
	struct stat st0, st1;
	char *raw = NULL;
	size_t rawlen = 0;
	int fd;

	memset(rd, 0, sizeof(*rd));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st0) < 0) {
		snprintf(err, errlen, "%s: unable to open file: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st0.st_mode)) {
		snprintf(err, errlen, "%s: unable to read file: is a directory",
			 path);
		close(fd);
		return -1;
	}
	if (reader_read_all(fd, &raw, &rawlen, (size_t)st0.st_size) < 0) {
		snprintf(err, errlen, "%s: error reading file: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (fstat(fd, &st1) < 0 || st0.st_mtim.tv_sec != st1.st_mtim.tv_sec ||
	    st0.st_mtim.tv_nsec != st1.st_mtim.tv_nsec ||
	    st0.st_size != st1.st_size || (off_t)rawlen != st1.st_size) {
		snprintf(err, errlen, "%s: file changed while it was being "
			 "read, load aborted (write a temp file and rename(2) it)",
			 path);
		close(fd);
		free(raw);
		return -1;
	}
	close(fd);
	rd->size = (uint64_t)st0.st_size;
	rd->mtime = (int64_t)st0.st_mtime;
	if (want_hash)
		reader_hash_start(rd, raw, rawlen);
	if (rawlen >= 2 && (unsigned char)raw[0] == 0x1f &&
	    (unsigned char)raw[1] == 0x8b) {
		const char *why;
		char *text;
		size_t textlen;
		int rc = -1;

		if (no_gunzip)
			snprintf(err, errlen, "%s: file is compressed, "
				 "decompression disabled", path);
		else if ((rc = reader_gunzip(raw, rawlen, &text, &textlen,
					     &why)) < 0)
			snprintf(err, errlen, "%s: gzip: %s", path, why);
		/* The text is not what was hashed: done with the raw bytes. */
		reader_hash_join(rd);
		free(raw);
		if (rc < 0)
			return -1;
		raw = text;
		rawlen = textlen;
		rd->gz = 1;
		rd->hash_len = 0;
	}
	rd->buf = raw;
	rd->len = rawlen;
	rd->maybe_nul = memchr(raw, '\0', rawlen) != NULL;
	rd->hash_safe = 0;
	reader_hash_wait(rd, 0);
	return 0;
}

/* One rbldnsd istream_getline() over the in-memory text: returns the
 * length of the piece starting at rd->pos (including its '\n' if any) and
 * advances rd->pos.  0 at the end. */
static size_t reader_istream_piece(struct feed_reader *rd)
{
	const size_t half = FEED_ISTREAM_BUF / 2;
	size_t s = rd->pos;

	for (;;) {
		size_t want, got;
		char *nl = NULL;

		if (rd->pos < rd->win_end)
			nl = memchr(rd->buf + rd->pos, '\n', rd->win_end - rd->pos);
		if (nl) {
			rd->pos = (size_t)(nl - rd->buf) + 1;
			return rd->pos - s;
		}
		rd->pos = rd->win_end;
		if (rd->win_end - s >= half)
			return rd->win_end - s;          /* too long */
		if (s != rd->win_start) {
			if (rd->win_end == s)
				rd->win_start = s;       /* buffer empty */
			else if (rd->win_end - rd->win_start > half)
				rd->win_start = s;       /* memmove to front */
		}
		/* A plain read asks for the whole buffer when it is empty,
		 * else half of it; zlib fills all the free space. */
		if (rd->gz || rd->win_end == rd->win_start)
			want = FEED_ISTREAM_BUF - (rd->win_end - rd->win_start);
		else
			want = half;
		got = rd->len - rd->win_end < want ? rd->len - rd->win_end : want;
		if (!got)
			return rd->pos - s;
		rd->win_end += got;
	}
}

/* Ends the line of `n` bytes at `line` with a NUL, once the hash has read
 * that byte; its length as a string into *len. */
static char *reader_end_line(struct feed_reader *rd, char *line, size_t n,
			     int *flags, size_t *len)
{
	size_t at = (size_t)(line - rd->buf) + n;

	if (at >= rd->hash_safe)
		reader_hash_wait(rd, at);
	*len = n;
	if (rd->maybe_nul && memchr(line, '\0', n)) {
		*flags |= FEED_LINE_NUL;
		*len = strlen(line);
	}
	line[n] = '\0';
	return line;
}

char *feed_reader_line(struct feed_reader *rd, int *flags, size_t *len)
{
	if (rd->has_saved) {
		rd->buf[rd->saved_at] = rd->saved;
		rd->has_saved = 0;
	}
	/* Most lines: the newline is in the text already read. */
	if (!rd->skipping && rd->pos < rd->win_end) {
		char *line = rd->buf + rd->pos;
		char *nl = memchr(line, '\n', rd->win_end - rd->pos);

		if (nl) {
			rd->pos = (size_t)(nl - rd->buf) + 1;
			*flags = 0;
			return reader_end_line(rd, line, (size_t)(nl - line),
					       flags, len);
		}
	}
	for (;;) {
		size_t start = rd->pos, n = reader_istream_piece(rd);
		char *line = rd->buf + start;
		int eol;

		*flags = 0;
		if (!n)
			return NULL;
		eol = line[n - 1] == '\n';
		if (rd->skipping) {
			/* the tail of a line already cut */
			if (eol)
				rd->skipping = 0;
			continue;
		}
		if (eol) {
			n--;
		} else if (rd->pos >= rd->len && n < FEED_ISTREAM_BUF / 2) {
			*flags |= FEED_LINE_NOEOL;
		} else {
			*flags |= FEED_LINE_CUT;
			rd->skipping = 1;
			if (rd->pos >= rd->len)
				*flags |= FEED_LINE_NOEOL;
		}
		/* The byte after the line is its '\n', the spare byte past
		 * the end, or (a cut line) the first byte of the tail still to
		 * be scanned: that one is put back on the next call. */
		if (!eol && rd->pos < rd->len) {
			rd->saved = rd->buf[rd->pos];
			rd->saved_at = rd->pos;
			rd->has_saved = 1;
		}
		return reader_end_line(rd, line, n, flags, len);
	}
}

void feed_reader_close(struct feed_reader *rd)
{
	reader_hash_join(rd);
	free(rd->buf);
	memset(rd, 0, sizeof(*rd));
}
