/* dsload.h -- load one configured dataset into the store, keeping last good.
 *
 * Why a module: `dnsbl-loader load`, the watch engine (feedwatch.h) and the
 * server's rbldnsd-compatible mode all load datasets the same way: parse the
 * files completely in memory (feed_load), and only if that worked, write the
 * dataset as a diff in one transaction (store_put_dataset).  A missing or
 * unreadable file, a file still being written, a $TIMESTAMP in the future
 * or too many bad lines fail before the store is touched, so the stored
 * version (the last good one) stays served.
 */
#ifndef DNSBLD_DSLOAD_H
#define DNSBLD_DSLOAD_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "store.h"

struct dsload_options {
	int accept_host_bits;   /* rbldnsd -e */
	int no_gunzip;          /* rbldnsd -C */
	unsigned max_logged;    /* bad-line warnings shown per load, 0 = all */
	FILE *log;              /* where bad-line warnings go; NULL = stderr */
	int accept;             /* write even a version the shrink guard
	                           would hold (dnsbl-ctl accept) */
};

enum dsload_stage {
	DSLOAD_OK = 0,
	DSLOAD_PARSE_FAILED,    /* feed_load failed: the store is untouched */
	DSLOAD_STORE_FAILED,    /* store_put_dataset failed: nothing changed */
	DSLOAD_HELD             /* parsed, but it would remove more than
	                           max_shrink of the entries: not written
	                           (shrink_guard.h) */
};

/* What one load did, for the caller to log or count. */
struct dsload_report {
	enum dsload_stage stage;
	unsigned long lines, warnings;
	struct store_apply_stats stats;   /* valid when stage == DSLOAD_OK */
	double parse_s, write_s;          /* seconds spent in each step */
	unsigned long delta_removed;      /* an update read from the lines */
	unsigned long delta_added;        /* that changed: how many (dsdelta.h) */
	char err[1024];                   /* why, when stage != DSLOAD_OK */
};

/* Loads dataset `d` into `st` (opened for writing).  Returns 0 if it was
 * stored (rep->stats tell what changed), -1 if not (rep->stage and rep->err
 * say why; the stored version is unchanged).  Bad lines are reported to
 * o->log with file:line as they are parsed. */
int dsload_dataset(struct store *st, const struct cfg_dataset *d,
		   const struct dsload_options *o, struct dsload_report *rep);

/* The one-line summary of a successful load, as dnsbl-loader prints it:
 * "NAME: TYPE, N lines, N entries, N warnings; records +A -R =U; T s
 * (parse P s, write W s)" (no newline) into `buf`; an update read from
 * the lines that changed says "(parse P s of lines -R +A, write W s)". */
void dsload_summary(const struct cfg_dataset *d, const struct dsload_report *rep,
		    char *buf, size_t buflen);

/* The one-line reason of a failed load: "NAME: FAILED (CONFIG:LINE): why;
 * the stored version is unchanged" or "NAME: FAILED to store: why; ...".
 * A dataset with no config line (d->line 0: rbldnsd's command line) gets
 * no config location: "NAME: FAILED: why; ...".  A parse failure's `why`
 * names the data file, and the line and its quoted text when one line
 * caused it ("spam.ip4set:30: invalid address \"1.2.3.4/40\"; too many
 * errors ...").  A held load: "NAME: HELD: why; the stored version is
 * served".  `cfgpath` may be NULL. */
void dsload_failure(const struct cfg_dataset *d, const char *cfgpath,
		    const struct dsload_report *rep, char *buf, size_t buflen);

/* Drops dataset `name` from the store (store_drop_dataset's result) and
 * what the loader kept for its next update (dsdelta.h). */
int dsload_drop(struct store *st, const char *name, char *err, size_t errlen);

/* mkdir -p `path` (the store directory and its parents).  0, or -1 with
 * `err` naming the directory and why. */
int dsload_mkdirs(const char *path, char *err, size_t errlen);

/* Opens store `dir` for writing, creating the directory (and its parents)
 * if needed: what every writer (load, watch, hits, dnsbl-ctl's edits) does
 * first.  0, or -1 with `err` naming the store and why. */
int dsload_open_store(const char *dir, struct store **out, char *err,
		      size_t errlen);

#endif
