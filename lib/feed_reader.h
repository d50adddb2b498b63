/* feed_reader.h -- one feed file in memory: raw identity, gunzip, lines.
 *
 * A file is read in big blocks into one buffer (no stdio per character),
 * its XXH64 hash taken over the raw bytes, gzip inflated when the magic
 * bytes say so, and the file stat()ed again at the end: a file that changed
 * while being read is a failed load, as in rbldnsd.
 *
 * Reading and hashing 200 MB takes about as long as parsing half of it,
 * so a plain file is read and hashed on a second thread while its lines
 * are handed out; whether the file read cleanly is only known at the end
 * (feed_reader_finish), and a caller must then treat everything it did
 * with the lines as if the file had not been read.
 */
#ifndef DNSBLD_FEED_READER_H
#define DNSBLD_FEED_READER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* rbldnsd reads through a 64 KiB buffer and cuts a line when 32 KiB or
 * more of it sit in the buffer without a newline, so where a long line is
 * cut depends on how the reads fell (at least 32 KiB is always kept).  The
 * reader replays that buffer arithmetic to cut at the same byte. */
#define FEED_ISTREAM_BUF 65536

struct feed_reader {
	char *buf;            /* the text, with one spare byte at the end */
	size_t len, pos;
	size_t win_start;     /* replayed rbldnsd buffer: its first byte ... */
	size_t win_end;       /* ... and the end of what it has read */
	int gz;               /* reads fill the whole free space (zlib) */
	int skipping;         /* dropping the rest of a cut line */
	int has_saved;        /* the byte after a cut line was overwritten */
	char saved;           /* by its terminating NUL: restored on the */
	size_t saved_at;      /* next call */
	int maybe_nul;        /* the text read so far holds a NUL byte */
	uint64_t size;        /* raw file size */
	int64_t mtime;
	uint64_t hash;        /* XXH64 of the raw bytes (feed_reader_hash) */
	/* The reading thread (reader_main) and what the lines may use. */
	struct stat st0;      /* the file as opened */
	int fd;               /* the thread's until it is done */
	size_t cap;           /* bytes of buf */
	int want_hash;
	int threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t moved;
	size_t ready;         /* under lock: bytes read and hashed */
	int done, status;     /* under lock: the thread ended; 0, an errno or
	                         -1 (the file changed) */
	int stop;             /* under lock: the caller is done with it */
	size_t avail;         /* what the lines know of `ready` */
	size_t spent_to;      /* the text before this offset was given back
	                         (reader_spend) */
};

/* Opens `path` and starts reading it (a gzip file is read whole and
 * inflated here).  no_gunzip: a gzip file is an error.  want_hash: take
 * the raw bytes' hash (feed_reader_hash).  Returns 0, or -1 with `err`
 * ("path: reason"). */
int feed_reader_open(struct feed_reader *rd, const char *path, int no_gunzip,
		     int want_hash, char *err, size_t errlen);

/* Waits for the read to end: 0 if the file was read whole and did not
 * change meanwhile, else -1 with `err` (as feed_reader_open words it: a
 * read error, or the file changed while it was being read). */
int feed_reader_finish(struct feed_reader *rd, const char *path, char *err,
		       size_t errlen);

/* The XXH64 of the file's raw bytes, as `xxhsum -H1` gives it (waits
 * for the read to end). */
uint64_t feed_reader_hash(struct feed_reader *rd);

/* Next line, NUL-terminated in place without its '\n' (a NUL byte inside
 * ends it early, as in rbldnsd), its length (as a string) in *len.
 * *flags gets FEED_LINE_CUT if it was too long (the rest of it is
 * skipped), FEED_LINE_NOEOL if it is a last line without newline and
 * FEED_LINE_NUL if it holds a NUL byte (the line, as a string, ends
 * there).  Returns NULL at the end. */
#define FEED_LINE_CUT 1
#define FEED_LINE_NOEOL 2
#define FEED_LINE_NUL 4
char *feed_reader_line(struct feed_reader *rd, int *flags, size_t *len);

void feed_reader_close(struct feed_reader *rd);

#endif
