/* feed_lines.c -- a feed file's lines as hashes, and the lines two versions
 * differ in (feed_lines.h).
 */
#include "feed_lines.h"

#include "feed.h"
#include "feed_reader.h"
#include "le_load.h"
#include "store_blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A line this long or longer might be cut by rbldnsd's reader. */
#define LINES_MAX_LEN (FEED_ISTREAM_BUF / 2 - 1)

/* feed_lines_read reads the blocks it needs this much at a time: few
 * reads, little memory. */
#define LINES_READ_WINDOW ((size_t)1 << 20)

/* How far ahead the walk looks for the next pair of equal lines. */
#define DIFF_WINDOW 256

static const uint64_t K1 = 0x9e3779b97f4a7c15ULL, K2 = 0xff51afd7ed558ccdULL;

/* 0x80 in each byte of `v` that is zero.  Exact for the lowest zero byte
 * only: a borrow may also mark the byte above a zero one, never a byte
 * below the first zero.  So "is any of the first k bytes zero" is a mask
 * test, and the lowest mark is the first zero byte. */
static uint64_t zero_bytes(uint64_t v)
{
	return (v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL;
}

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * K1;
	return h ^ (h >> 29);
}

/* The line at `s` (`left` bytes of text from there): its length, its
 * hash into *hash and whether a newline ends it (*eol); *nul is set if it
 * holds a NUL byte.  One pass, 8 bytes at a time, both looking for the
 * newline and hashing (most lines are a few words long: a memchr call per
 * line would cost as much); the newline's place in its word comes from
 * the zero-byte mask, not a loop.  A 64-bit hash: two different lines at
 * matched places are taken for equal with odds of 2^-64 per pair. */
static size_t line_scan(const char *s, size_t left, uint64_t *hash, int *nul,
			int *eol)
{
	const uint64_t nls = 0x0a0a0a0a0a0a0a0aULL;
	uint64_t h = K1, w = 0, nl = 0, zero = 0, keep;
	size_t i = 0, n;

	for (; left - i >= 8; i += 8) {
		w = le_load64(s + i);
		nl = zero_bytes(w ^ nls);
		if (nl)
			break;   /* a newline in this word */
		zero |= zero_bytes(w);
		h = mix(h, w);
	}
	if (left - i < 8) {
		/* The text's end: its last bytes, the rest of the word zero
		 * (0 ^ '\n' is no newline, and the NUL test stops at n). */
		w = 0;
		for (size_t k = 0; k < left - i; k++)
			w |= (uint64_t)(unsigned char)s[i + k] << 8 * k;
		nl = zero_bytes(w ^ nls);
	}
	*eol = nl != 0;
	n = nl ? (size_t)__builtin_ctzll(nl) / 8 : left - i;
	/* Only the word's bytes before the newline count (n < 8). */
	keep = ((uint64_t)1 << 8 * n) - 1;
	zero |= zero_bytes(w) & keep;
	w &= keep;
	*nul |= zero != 0;
	if (n)
		h = mix(h, w);
	n += i;
	/* The length, and whether a newline ends it. */
	h ^= (uint64_t)n << 1 | !*eol;
	h *= K2;
	*hash = h ^ (h >> 32);
	return n;
}

static int push_index(size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		size_t *p = realloc(*v, ncap * sizeof(*p));

		if (!p)
			return -1;
		*v = p;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

int feed_lines_begin(struct feed_lines *fl, const char *text, size_t len)
{
	memset(fl, 0, sizeof(*fl));
	fl->text = text;
	fl->len = len;
	fl->cap = len / 16 + 16;
	fl->hash = malloc(fl->cap * sizeof(*fl->hash));
	fl->mark = malloc((fl->cap / FEED_LINES_STEP + 1) * sizeof(*fl->mark));
	if (fl->hash && fl->mark)
		return 0;
	feed_lines_free(fl);
	return -1;
}

/* Room for one more line. */
static int lines_grow(struct feed_lines *fl)
{
	size_t ncap = fl->cap * 2;
	uint64_t *hash = realloc(fl->hash, ncap * sizeof(*hash));
	size_t *mark;

	if (!hash)
		return -1;
	fl->hash = hash;
	mark = realloc(fl->mark, (ncap / FEED_LINES_STEP + 1) * sizeof(*mark));
	if (!mark)
		return -1;
	fl->mark = mark;
	fl->cap = ncap;
	return 0;
}

int feed_lines_more(struct feed_lines *fl, size_t avail)
{
	int last = avail >= fl->len, eol;

	while (fl->pos < fl->len) {
		const char *s = fl->text + (fl->pos - fl->base);
		uint64_t h;
		size_t n = line_scan(s, avail - fl->pos, &h, &fl->nul, &eol);

		if (n >= LINES_MAX_LEN || fl->nul) {
			feed_lines_free(fl);
			return 1;
		}
		if (!eol && !last)
			break;   /* the rest of it is still to come */
		if (fl->n == fl->cap && lines_grow(fl) < 0)
			goto oom;
		if (fl->n % FEED_LINES_STEP == 0)
			fl->mark[fl->nmark++] = fl->pos;
		if (feed_line_is_state(s, n) &&
		    push_index(&fl->state, &fl->nstate, &fl->state_cap, fl->n) < 0)
			goto oom;
		fl->hash[fl->n++] = h;
		fl->pos += n + 1;
	}
	return 0;
oom:
	feed_lines_free(fl);
	return -1;
}

void feed_lines_window(struct feed_lines *fl, const char *text, size_t base)
{
	fl->text = text;
	fl->base = base;
}

int feed_lines_index(struct feed_lines *fl, const char *text, size_t len)
{
	if (feed_lines_begin(fl, text, len) < 0)
		return -1;
	return feed_lines_more(fl, len);
}

void feed_lines_free(struct feed_lines *fl)
{
	if (fl->map) {
		munmap(fl->map, fl->maplen);
		fl->map = NULL;
	} else {
		free(fl->hash);
		free(fl->mark);
		free(fl->state);
	}
	fl->hash = NULL;
	fl->mark = NULL;
	fl->state = NULL;
	fl->n = fl->nmark = fl->nstate = fl->state_cap = fl->cap = 0;
}

/* A saved index: this header, then hash[n], mark[nmark], state[nstate],
 * each as u64 in the machine's byte order (the file never travels). */
#define LINES_MAGIC "dnsbld-lines 1\n"

struct lines_head {
	char magic[16];
	uint64_t tag[4];
	uint64_t len, n, nmark, nstate;
};

int feed_lines_save(const struct feed_lines *fl, const char *path,
		    const uint64_t tag[4])
{
	struct lines_head h;
	FILE *f;
	int ok;

	if (sizeof(size_t) != sizeof(uint64_t))
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, LINES_MAGIC, sizeof(LINES_MAGIC));
	memcpy(h.tag, tag, sizeof(h.tag));
	h.len = fl->len;
	h.n = fl->n;
	h.nmark = fl->nmark;
	h.nstate = fl->nstate;
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ok = fwrite(&h, sizeof(h), 1, f) == 1 &&
	     (!fl->n || fwrite(fl->hash, 8, fl->n, f) == fl->n) &&
	     (!fl->nmark || fwrite(fl->mark, 8, fl->nmark, f) == fl->nmark) &&
	     (!fl->nstate || fwrite(fl->state, 8, fl->nstate, f) == fl->nstate);
	ok = fclose(f) == 0 && ok;
	if (!ok)
		unlink(path);
	return ok ? 0 : -1;
}

int feed_lines_load(struct feed_lines *fl, const char *path,
		    const uint64_t tag[4], const char *text, size_t len)
{
	struct lines_head h;
	struct stat sb;
	uint8_t *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(fl, 0, sizeof(*fl));
	if (fd < 0)
		return -1;
	if (sizeof(size_t) != sizeof(uint64_t) || fstat(fd, &sb) < 0 ||
	    (size_t)sb.st_size < sizeof(h) ||
	    (m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	    MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	memcpy(&h, m, sizeof(h));
	if (memcmp(h.magic, LINES_MAGIC, sizeof(LINES_MAGIC)) != 0 ||
	    memcmp(h.tag, tag, sizeof(h.tag)) != 0 || h.len != len ||
	    h.nmark != (h.n + FEED_LINES_STEP - 1) / FEED_LINES_STEP ||
	    h.nstate > h.n ||
	    (uint64_t)sb.st_size != sizeof(h) + 8 * (h.n + h.nmark + h.nstate)) {
		munmap(m, (size_t)sb.st_size);
		return -1;
	}
	/* Where the lines are found must lie in the text. */
	for (uint64_t i = 0; i < h.nmark; i++) {
		uint64_t off;

		memcpy(&off, m + sizeof(h) + 8 * (h.n + i), 8);
		if (off >= len) {
			munmap(m, (size_t)sb.st_size);
			return -1;
		}
	}
	for (uint64_t i = 0; i < h.nstate; i++) {
		uint64_t idx;

		memcpy(&idx, m + sizeof(h) + 8 * (h.n + h.nmark + i), 8);
		if (idx >= h.n) {
			munmap(m, (size_t)sb.st_size);
			return -1;
		}
	}
	fl->map = m;
	fl->maplen = (size_t)sb.st_size;
	fl->text = text;
	fl->len = len;
	fl->n = h.n;
	fl->nmark = h.nmark;
	fl->nstate = h.nstate;
	fl->hash = (uint64_t *)(void *)(m + sizeof(h));
	fl->mark = (size_t *)(void *)(m + sizeof(h) + 8 * h.n);
	fl->state = (size_t *)(void *)(m + sizeof(h) + 8 * (h.n + h.nmark));
	return 0;
}

/* Where the line `k` lines after the one at `p` starts, newlines looked
 * for before `e`: NULL if fewer than k are there.  A word at a time: the
 * lines are short, and a memchr call per line costs more than the bytes.
 * The zero-byte mask here is exact in every byte (no borrow crosses a
 * byte), so its marks are the newlines, and they are counted without a
 * branch per newline (the multiply adds up the bytes' 0 or 1). */
static const char *lines_skip(const char *p, const char *e, size_t k)
{
	const uint64_t nls = 0x0a0a0a0a0a0a0a0aULL, low7 = 0x7f7f7f7f7f7f7f7fULL;

	if (!k)
		return p;
	for (; e - p >= 8; p += 8) {
		uint64_t x = le_load64(p) ^ nls;
		uint64_t m = ~(((x & low7) + low7) | x | low7);
		size_t c = (size_t)(((m >> 7) * 0x0101010101010101ULL) >> 56);

		if (c >= k) {
			while (--k)
				m &= m - 1;   /* the k-th newline in this word */
			return p + __builtin_ctzll(m) / 8 + 1;
		}
		k -= c;
	}
	for (; p < e; p++)
		if (*p == '\n' && !--k)
			return p + 1;
	return NULL;
}

const char *feed_lines_get(const struct feed_lines *fl, size_t i, size_t *len,
			   int *noeol)
{
	const char *end = fl->text + fl->len;
	const char *s = lines_skip(fl->text + fl->mark[i / FEED_LINES_STEP],
				   end, i % FEED_LINES_STEP);
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	*len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*noeol = !nl;
	return s;
}

/* Where the block of FEED_LINES_STEP lines that holds line `idx` ends:
 * the next block's mark, or the end of the text. */
static size_t block_end(const struct feed_lines *fl, size_t idx)
{
	size_t b = idx / FEED_LINES_STEP + 1;

	return b < fl->nmark ? fl->mark[b] : fl->len;
}

/* Reads bytes [from, to) of file `fd` into *buf (grown as needed).
 * 0, or -1 (out of memory, a read error, or the file is shorter). */
static int read_window(int fd, size_t from, size_t to, char **buf, size_t *cap)
{
	size_t got = 0;

	if (to - from > *cap) {
		char *nb = realloc(*buf, to - from);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = to - from;
	}
	while (got < to - from) {
		ssize_t r = pread(fd, *buf + got, to - from - got,
				  (off_t)(from + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int feed_lines_read(const struct feed_lines *fl, int fd, struct feed_line *v,
		    size_t n, char **arena)
{
	struct blob_writer text = { 0 };
	size_t *offs = malloc((n ? n : 1) * sizeof(*offs));
	char *buf = NULL;
	size_t cap = 0;
	size_t wfrom = 0, wto = 0;   /* the window read: file offsets */
	size_t line = 0, at = 0;     /* line `line` starts at offset `at` */
	size_t k;

	*arena = NULL;
	for (k = 0; offs && k < n; k++) {
		size_t idx = v[k].lineno - 1, to;
		const char *p, *e, *nl;

		if (v[k].lineno == 0 || idx >= fl->n)
			break;
		to = block_end(fl, idx);
		if (line > idx || line / FEED_LINES_STEP != idx / FEED_LINES_STEP) {
			line = idx - idx % FEED_LINES_STEP;
			at = fl->mark[idx / FEED_LINES_STEP];
		}
		if (at < wfrom || to > wto) {
			/* A new window: this block, and the next wanted ones
			 * while they fit in LINES_READ_WINDOW. */
			size_t end = to;

			for (size_t j = k + 1; j < n; j++) {
				if (v[j].lineno == 0 || v[j].lineno > fl->n ||
				    block_end(fl, v[j].lineno - 1) - at >
				    LINES_READ_WINDOW)
					break;
				end = block_end(fl, v[j].lineno - 1);
			}
			if (read_window(fd, at, end, &buf, &cap) < 0)
				break;
			wfrom = at;
			wto = end;
		}
		/* From line `line` on to line idx, inside its block. */
		e = buf + (to - wfrom);
		p = lines_skip(buf + (at - wfrom), e, idx - line);
		if (!p)
			break;   /* fewer lines in the block than the index said */
		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl && to != fl->len)
			break;   /* only the text's last line ends without one */
		v[k].len = nl ? (size_t)(nl - p) : (size_t)(e - p);
		v[k].noeol = !nl;
		offs[k] = text.len;
		blob_put(&text, p, v[k].len);
		at = wfrom + (size_t)(p - buf) + v[k].len + 1;
		line = idx + 1;
	}
	free(buf);
	if (offs && k == n && !text.oom) {
		for (size_t c = 0; c < n; c++)
			v[c].text = text.p ? (const char *)text.p + offs[c] : "";
		*arena = (char *)text.p;
		free(offs);
		return 0;
	}
	free(text.p);
	free(offs);
	return -1;
}

int feed_line_is_state(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
		return 0;
	if (s[i] == '$' || s[i] == ':')
		return 1;
	return (s[i] == '#' || s[i] == ';') && i + 1 < len && s[i + 1] == '$';
}

/* The nearest place at or after (i, j) where the two go on alike,
 * nearest by the lines skipped on both sides: *a old and *b new lines
 * skipped.  0 if found within the window. */
static int diff_resync(const struct feed_lines *o, const struct feed_lines *c,
		       size_t i, size_t j, size_t *a, size_t *b)
{
	int found = 0;

	for (size_t s = 1; s < 2 * DIFF_WINDOW; s++) {
		for (size_t x = 0; x <= s; x++) {
			size_t y = s - x;

			if (x >= DIFF_WINDOW || y >= DIFF_WINDOW ||
			    i + x >= o->n || j + y >= c->n ||
			    o->hash[i + x] != c->hash[j + y])
				continue;
			/* Two equal lines in a row; one alone may be a blank
			 * line or a repeated entry met by chance, and is only
			 * taken when nothing better is in the window. */
			if (i + x + 1 == o->n || j + y + 1 == c->n ||
			    o->hash[i + x + 1] == c->hash[j + y + 1]) {
				*a = x;
				*b = y;
				return 0;
			}
			if (!found) {
				*a = x;
				*b = y;
				found = 1;
			}
		}
		if (i + s >= o->n && j + s >= c->n)
			break;
	}
	if (!found && o->n - i < DIFF_WINDOW && c->n - j < DIFF_WINDOW) {
		/* Near both ends with nothing alike: the rest changed. */
		*a = o->n - i;
		*b = c->n - j;
		found = 1;
	}
	return found ? 0 : -1;
}

int feed_lines_diff(const struct feed_lines *old, const struct feed_lines *cur,
		    size_t max_changed, struct feed_lines_diff *out)
{
	size_t i = 0, j = 0, rcap = 0, acap = 0, a, b;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (rc == 0 && (i < old->n || j < cur->n)) {
		if (i < old->n && j < cur->n && old->hash[i] == cur->hash[j]) {
			i++;
			j++;
			continue;
		}
		if (i == old->n || j == cur->n) {
			/* The rest of one side: all taken away or all added. */
			a = old->n - i;
			b = cur->n - j;
		} else if (diff_resync(old, cur, i, j, &a, &b) < 0) {
			rc = 1;
			break;
		}
		if (out->nremoved + out->nadded + a + b > max_changed) {
			rc = 1;
			break;
		}
		for (; rc == 0 && a; a--)
			rc = push_index(&out->removed, &out->nremoved, &rcap, i++);
		for (; rc == 0 && b; b--)
			rc = push_index(&out->added, &out->nadded, &acap, j++);
	}
	if (rc)
		feed_lines_diff_free(out);
	return rc;
}

void feed_lines_diff_free(struct feed_lines_diff *d)
{
	free(d->removed);
	free(d->added);
	memset(d, 0, sizeof(*d));
}
