/* feed_reader.c -- read a feed file, check its identity, gunzip it.
 *
 * A file is read with large read(2) calls into one buffer, and its hash
 * taken, on a second thread while the caller splits lines (memchr) behind
 * it: the line reader waits for the bytes it needs and writes its NULs
 * only into bytes already read and hashed.  The stat before and after the
 * read is how rbldnsd notices a file rewritten in place; that verdict
 * comes with feed_reader_finish.  A gzip file is read whole, then
 * inflated.
 */
#include "feed_reader.h"

#include "content_hash.h"
#include "mem_giveback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_BLOCK (1u << 20)

/* The reading thread's verdict when the file changed under it. */
#define READER_CHANGED (-1)

/* The reading thread: reads the file (st_size bytes expected) into buf,
 * hashes what it read, and tells how far it got after every block. */
static void *reader_main(void *arg)
{
	struct feed_reader *rd = arg;
	struct content_hash h;
	size_t off = 0, room = rd->cap - 2;   /* buf[size] is the reader's */
	struct stat st1;
	int status = 0, stop = 0;

	content_hash_init(&h);
	for (;;) {
		size_t want = room - off < READ_BLOCK ? room - off : READ_BLOCK;
		char extra;
		ssize_t n;

		/* A full buffer: one more byte means the file grew. */
		n = want ? read(rd->fd, rd->buf + off, want)
			 : read(rd->fd, &extra, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			status = errno;
			break;
		}
		if (n == 0)
			break;
		if (!want) {
			status = READER_CHANGED;
			break;
		}
		if (rd->want_hash)
			content_hash_update(&h, rd->buf + off, (size_t)n);
		off += (size_t)n;
		pthread_mutex_lock(&rd->lock);
		rd->ready = off;
		stop = rd->stop;
		pthread_cond_broadcast(&rd->moved);
		pthread_mutex_unlock(&rd->lock);
		if (stop)
			break;
	}
	if (!status && !stop &&
	    (fstat(rd->fd, &st1) < 0 ||
	     rd->st0.st_mtim.tv_sec != st1.st_mtim.tv_sec ||
	     rd->st0.st_mtim.tv_nsec != st1.st_mtim.tv_nsec ||
	     rd->st0.st_size != st1.st_size || (off_t)off != st1.st_size))
		status = READER_CHANGED;
	close(rd->fd);
	rd->fd = -1;
	rd->hash = content_hash_digest(&h);
	pthread_mutex_lock(&rd->lock);
	rd->ready = off;
	rd->status = status;
	rd->done = 1;
	pthread_cond_broadcast(&rd->moved);
	pthread_mutex_unlock(&rd->lock);
	return NULL;
}

/* Waits until `end` bytes are read (or the reading ended short: then the
 * text ends where it did), and notes any NUL byte in what arrived. */
static void reader_need(struct feed_reader *rd, size_t end)
{
	size_t from = rd->avail;

	if (end <= rd->avail)
		return;
	pthread_mutex_lock(&rd->lock);
	while (rd->ready < end && !rd->done)
		pthread_cond_wait(&rd->moved, &rd->lock);
	rd->avail = rd->ready;
	pthread_mutex_unlock(&rd->lock);
	if (rd->avail > rd->len)
		rd->avail = rd->len;
	if (rd->avail < end)
		rd->len = rd->avail;   /* ended short: a failed read */
	if (!rd->maybe_nul && memchr(rd->buf + from, '\0', rd->avail - from))
		rd->maybe_nul = 1;
}

/* Waits for the reading thread to end. */
static void reader_join(struct feed_reader *rd, int stop)
{
	if (!rd->threaded)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->stop |= stop;
	pthread_mutex_unlock(&rd->lock);
	pthread_join(rd->thread, NULL);
	pthread_cond_destroy(&rd->moved);
	pthread_mutex_destroy(&rd->lock);
	rd->threaded = 0;
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

int feed_reader_finish(struct feed_reader *rd, const char *path, char *err,
		       size_t errlen)
{
	reader_join(rd, 0);
	if (rd->status == READER_CHANGED) {
		snprintf(err, errlen, "%s: file changed while it was being "
			 "read, load aborted (write a temp file and rename(2) it)",
			 path);
		return -1;
	}
	if (rd->status) {
		snprintf(err, errlen, "%s: error reading file: %s", path,
			 strerror(rd->status));
		return -1;
	}
	return 0;
}

uint64_t feed_reader_hash(struct feed_reader *rd)
{
	reader_join(rd, 0);
	return rd->hash;
}

/* Starts the reading thread (or, where none can be started, reads the
 * whole file now). */
static void reader_start(struct feed_reader *rd)
{
	if (pthread_mutex_init(&rd->lock, NULL) == 0) {
		if (pthread_cond_init(&rd->moved, NULL) == 0) {
			rd->threaded = 1;
			if (pthread_create(&rd->thread, NULL, reader_main,
					   rd) == 0)
				return;
			rd->threaded = 0;
			pthread_cond_destroy(&rd->moved);
		}
		pthread_mutex_destroy(&rd->lock);
	}
	/* Without a thread the lock is never taken: reader_main would use
	 * it, so it is made now (a failure here leaves the file unread). */
	if (pthread_mutex_init(&rd->lock, NULL) == 0 &&
	    pthread_cond_init(&rd->moved, NULL) == 0) {
		reader_main(rd);
		pthread_cond_destroy(&rd->moved);
		pthread_mutex_destroy(&rd->lock);
	} else {
		close(rd->fd);
		rd->fd = -1;
		rd->status = ENOMEM;
		rd->done = 1;
	}
}

int feed_reader_open(struct feed_reader *rd, const char *path, int no_gunzip,
		     int want_hash, char *err, size_t errlen)
{
	int fd;

	memset(rd, 0, sizeof(*rd));
	rd->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &rd->st0) < 0) {
		snprintf(err, errlen, "%s: unable to open file: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(rd->st0.st_mode)) {
		snprintf(err, errlen, "%s: unable to read file: is a directory",
			 path);
		close(fd);
		return -1;
	}
	rd->cap = (size_t)rd->st0.st_size + 2;
	rd->buf = malloc(rd->cap);
	if (!rd->buf) {
		snprintf(err, errlen, "%s: error reading file: %s", path,
			 strerror(ENOMEM));
		close(fd);
		return -1;
	}
	rd->fd = fd;
	rd->want_hash = want_hash;
	rd->size = (uint64_t)rd->st0.st_size;
	rd->mtime = (int64_t)rd->st0.st_mtime;
	rd->len = (size_t)rd->st0.st_size;
	reader_start(rd);
	reader_need(rd, 2);
	if (rd->avail >= 2 && (unsigned char)rd->buf[0] == 0x1f &&
	    (unsigned char)rd->buf[1] == 0x8b) {
		const char *why;
		char *text;
		size_t textlen;

		/* A read error or a change says so before the gzip does. */
		reader_need(rd, rd->len);
		if (feed_reader_finish(rd, path, err, errlen) < 0) {
			feed_reader_close(rd);
			return -1;
		}
		if (no_gunzip) {
			snprintf(err, errlen, "%s: file is compressed, "
				 "decompression disabled", path);
			feed_reader_close(rd);
			return -1;
		}
		if (reader_gunzip(rd->buf, rd->len, &text, &textlen,
				  &why) < 0) {
			snprintf(err, errlen, "%s: gzip: %s", path, why);
			feed_reader_close(rd);
			return -1;
		}
		free(rd->buf);
		rd->buf = text;
		rd->len = textlen;
		rd->avail = textlen;
		rd->maybe_nul = memchr(text, '\0', textlen) != NULL;
		rd->gz = 1;
	}
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
		reader_need(rd, rd->win_end + got);
		got = rd->len - rd->win_end < want ? rd->len - rd->win_end : want;
		if (!got)
			return rd->pos - s;
		rd->win_end += got;
	}
}

/* Ends the line of `n` bytes at `line` with a NUL (a byte already read
 * and hashed: the line is inside the window); its length as a string
 * into *len. */
static char *reader_end_line(struct feed_reader *rd, char *line, size_t n,
			     int *flags, size_t *len)
{
	*len = n;
	if (rd->maybe_nul && memchr(line, '\0', n)) {
		*flags |= FEED_LINE_NUL;
		*len = strlen(line);
	}
	line[n] = '\0';
	return line;
}

/* The text behind the replayed rbldnsd buffer is never looked at again
 * (a line's value is copied when it is interned): it goes back as the
 * lines move on (mem_giveback.h). */
static void reader_spend(struct feed_reader *rd)
{
	size_t keep = rd->win_start < rd->pos ? rd->win_start : rd->pos;

	if (keep > FEED_ISTREAM_BUF)
		mem_giveback(rd->buf, &rd->spent_to, keep - FEED_ISTREAM_BUF, 0);
}

char *feed_reader_line(struct feed_reader *rd, int *flags, size_t *len)
{
	reader_spend(rd);
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
		 * be scanned: that one is put back on the next call.  It may
		 * not be read yet, and the reading thread hashes what it
		 * reads: it is waited for before it is overwritten. */
		if (!eol && rd->pos < rd->len)
			reader_need(rd, rd->pos + 1);
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
	reader_join(rd, 1);
	free(rd->buf);
	memset(rd, 0, sizeof(*rd));
}
