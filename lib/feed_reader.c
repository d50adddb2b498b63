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

int feed_reader_open(struct feed_reader *rd, const char *path, int no_gunzip,
		     char *err, size_t errlen)
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
	rd->hash = store_hash_update(STORE_HASH_INIT, raw, rawlen);
	if (rawlen >= 2 && (unsigned char)raw[0] == 0x1f &&
	    (unsigned char)raw[1] == 0x8b) {
		const char *why;
		char *text;
		size_t textlen;

		if (no_gunzip) {
			snprintf(err, errlen, "%s: file is compressed, "
				 "decompression disabled", path);
			free(raw);
			return -1;
		}
		if (reader_gunzip(raw, rawlen, &text, &textlen, &why) < 0) {
			snprintf(err, errlen, "%s: gzip: %s", path, why);
			free(raw);
			return -1;
		}
		free(raw);
		raw = text;
		rawlen = textlen;
		rd->gz = 1;
	}
	rd->buf = raw;
	rd->len = rawlen;
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

char *feed_reader_line(struct feed_reader *rd, int *flags)
{
	if (rd->has_saved) {
		rd->buf[rd->saved_at] = rd->saved;
		rd->has_saved = 0;
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
		if (memchr(line, '\0', n))
			*flags |= FEED_LINE_NUL;
		line[n] = '\0';
		return line;
	}
}

void feed_reader_close(struct feed_reader *rd)
{
	free(rd->buf);
	memset(rd, 0, sizeof(*rd));
}
