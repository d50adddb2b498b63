/* feed.h -- rbldnsd-format feed files into a `struct dataset`.
 *
 * One parser per dataset type, all reading lines exactly as rbldnsd does (see
 * ../shared/reference/rbldnsd-behaviour.md): split on '\n' only, space/TAB
 * whitespace, '#'/';' comments, `$` special lines, `:A:TXT` values and
 * default lines with their per-file reset rules, gzip by magic bytes, a last
 * line without newline still loaded.  Bad lines are reported and skipped.
 */
#ifndef DNSBLD_FEED_H
#define DNSBLD_FEED_H

#include <stdio.h>

#include "dataset.h"
#include "store.h"

struct feed_options {
	int accept_host_bits;   /* rbldnsd -e: mask CIDR host bits instead of
	                           rejecting the line */
	int no_gunzip;          /* rbldnsd -C: a gzip file is an error */
	unsigned max_errors;    /* bad lines tolerated before the load fails;
	                           0 = unlimited */
	FILE *log;              /* where `file:line: reason` goes; NULL = stderr */
	unsigned max_logged;    /* warnings printed before "N more suppressed";
	                           0 = all */
};

struct feed_result {
	unsigned long lines;     /* lines read */
	unsigned long entries;   /* entries added */
	unsigned long warnings;  /* bad lines skipped */
	struct store_source *sources; /* identity of each file read (size, mtime,
	                                 hash), nsources of them; owned, free with
	                                 feed_result_free */
	size_t nsources;
};

/* Parses `files` (read as one stream, with rbldnsd's per-file rules) into a
 * new dataset of `type`.  Returns 0 and sets *out, or -1 with `err` naming
 * the file and why: a missing/unreadable file, a file that changed while it
 * was read, a fatal structure error (combined), a $TIMESTAMP in the future,
 * or more bad lines than opts->max_errors.  *out is untouched on failure. */
int feed_load(enum ds_type type, const char *const *files, size_t nfiles,
	      const struct feed_options *opts, struct dataset **out,
	      struct feed_result *res, char *err, size_t errlen);

/* One line of a file handed to feed_load_lines. */
struct feed_line {
	const char *text;       /* its bytes, without the '\n' */
	size_t len;
	unsigned long lineno;   /* where it is in the file, from 1 */
	int noeol;              /* the file's last line, without newline */
};

/* Parses only `lines` (in file order) of file `path`, as feed_load would
 * parse that file alone: for an update that reads no more than the lines
 * it needs (lib/dsdelta.c: every line carrying parser state and the lines
 * that changed).  Warnings name the lines' own numbers; res->lines counts
 * the lines given, and no source is recorded. */
int feed_load_lines(enum ds_type type, const char *path,
		    const struct feed_line *lines, size_t n,
		    const struct feed_options *opts, struct dataset **out,
		    struct feed_result *res, char *err, size_t errlen);

void feed_result_free(struct feed_result *res);

#endif
