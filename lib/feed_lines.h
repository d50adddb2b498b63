/* feed_lines.h -- a feed file's lines as hashes, and the lines in which
 * two versions of it differ.
 *
 * Why: a big feed changes by a few lines spread over the whole file, so an
 * update that parses the whole file again costs the file, not the change.
 * Hashing every line costs a fraction of parsing it, and walking the old
 * and the new hash sequences side by side finds the lines taken away and
 * the lines added (lib/dsdelta.c parses only those).
 *
 * Only "plain" text is indexed: no NUL byte, and no line as long as the
 * 32 KiB at which rbldnsd's reader cuts one (feed_reader.h), so that a
 * line here is exactly a line the parser reads.
 */
#ifndef DNSBLD_FEED_LINES_H
#define DNSBLD_FEED_LINES_H

#include <stddef.h>
#include <stdint.h>

struct feed_lines {
	const char *text;     /* not owned */
	size_t len;
	uint64_t *hash;       /* one per line */
	size_t n;
	/* Offset of line i * FEED_LINES_STEP: a line is found from there. */
	size_t *mark;
	size_t nmark;
	/* The lines that carry parser state (feed_line_is_state), ascending. */
	size_t *state;
	size_t nstate, state_cap;
	void *map;            /* set when the arrays are a saved index's */
	size_t maplen;
	size_t pos, cap;      /* indexing: the text taken, room in hash */
	size_t base;          /* the offset in the text of text[0] */
	int nul;
};

#define FEED_LINES_STEP 64

/* Indexes the `len` bytes at `text`.  0, -1 out of memory, or 1 if the
 * text is not plain (a NUL byte or a line too long to index); on
 * failure nothing is left to free. */
int feed_lines_index(struct feed_lines *fl, const char *text, size_t len);
/* The same for a text that is still arriving: begin (0 or -1), then
 * more each time its first `avail` bytes are there (the whole lines
 * among them are taken; avail == len ends it), with feed_lines_index's
 * results. */
int feed_lines_begin(struct feed_lines *fl, const char *text, size_t len);
int feed_lines_more(struct feed_lines *fl, size_t avail);
/* For a text read a window at a time into a buffer of its own (a big
 * file, read in pieces rather than whole): its bytes from offset `base`
 * on are now at `text` (base <= fl->pos, the first not taken); `avail`
 * stays an offset in the whole text.  The index is then read back with
 * feed_lines_read, not feed_lines_get. */
void feed_lines_window(struct feed_lines *fl, const char *text, size_t base);
void feed_lines_free(struct feed_lines *fl);

/* An index kept in a file, so that the next comparison with this text
 * need not index it again.  `tag` names the text it was made of (the
 * caller's identity of the file): feed_lines_load maps the index saved
 * at `path` only if its tag and the text's length are the same (0),
 * else -1.  Save: 0 or -1. */
int feed_lines_save(const struct feed_lines *fl, const char *path,
		    const uint64_t tag[4]);
int feed_lines_load(struct feed_lines *fl, const char *path,
		    const uint64_t tag[4], const char *text, size_t len);

/* Line i (0-based, < fl->n): its bytes without the '\n' (*len), and
 * whether it ends the text without one (*noeol). */
const char *feed_lines_get(const struct feed_lines *fl, size_t i, size_t *len,
			   int *noeol);

/* The same for lines `v` (n of them, in file order, by v[].lineno) of an
 * index whose text is not in memory (a saved one, loaded with text NULL)
 * but in file `fd`: their bytes are read into *arena (the caller frees
 * it, NULL if no line has a byte) and v[].text, len and noeol set.  Only
 * the blocks of FEED_LINES_STEP lines that hold a wanted line are read
 * and looked through, from their marks.  0, or -1 (out of memory, a read
 * error, or the file does not hold the lines where the index says). */
struct feed_line;
int feed_lines_read(const struct feed_lines *fl, int fd, struct feed_line *v,
		    size_t n, char **arena);

/* Does a line carry parser state forward (a `$` line, a `:` default
 * line, `#$` or `;$`), so that lines after it read differently? */
int feed_line_is_state(const char *s, size_t len);

/* What changed from `old` to `cur`: the old lines taken away and the new
 * lines added, each in ascending order; every other line is matched, in
 * order, to an equal one.  Returns 0, -1 out of memory, or 1 when more
 * than `max_changed` lines (taken away plus added) differ or the two
 * cannot be matched up in order (lines reordered far apart). */
struct feed_lines_diff {
	size_t *removed, nremoved;
	size_t *added, nadded;
};
int feed_lines_diff(const struct feed_lines *old, const struct feed_lines *cur,
		    size_t max_changed, struct feed_lines_diff *out);
void feed_lines_diff_free(struct feed_lines_diff *d);

#endif
