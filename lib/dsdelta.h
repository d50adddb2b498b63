/* dsdelta.h -- an update of a big ip4set feed read from the lines that
 * changed.
 *
 * Why: most updates of a big feed change a few lines spread over the
 * whole file, and parsing the whole file again costs the file, not the
 * change.  After each load of a one-file ip4set the loader keeps the
 * version it loaded (a hard link in the store directory's `delta/`) and
 * what the store cannot tell about it: the prefixes that several lines
 * give.  The next update hashes both versions' lines, finds the lines
 * taken away and added (feed_lines.h), parses only those and the lines
 * that carry parser state (feed_load_lines), and the store changes its
 * records by them (store_src4_delta).  Whatever it cannot do exactly so
 * -- another type, several files, gzip, a `$` or `:` line changed, a
 * prefix that several lines give, a kept copy that is not what is stored,
 * a file rewritten in place -- is a full parse, which stores the same.
 */
#ifndef DNSBLD_DSDELTA_H
#define DNSBLD_DSDELTA_H

#include "config.h"
#include "feed.h"
#include "store.h"

struct dsdelta;

/* What a load of dataset `d` needs to be, or to make, an update's base;
 * NULL when `d` cannot have one (the caller then calls dsdelta_forget
 * after storing).  Takes the file's identity now, before it is read. */
struct dsdelta *dsdelta_begin(struct store *st, const struct cfg_dataset *d);

/* Parses the update from the changed lines: 0 with *out (ds->ip4_delta
 * set) and *res (the counts a full parse would give), or 1 when it cannot
 * (parse the whole feed; nothing was logged). */
int dsdelta_parse(struct dsdelta *dl, const struct feed_options *fo,
		  struct dataset **out, struct feed_result *res);

/* How many lines the update parsed instead of the file: taken away and
 * added (0 and 0 after a full parse). */
void dsdelta_changed(const struct dsdelta *dl, unsigned long *removed,
		     unsigned long *added);

/* After a full parse, before it is stored: asks the store for the
 * prefixes that several of `ds`'s entries give (ds->ip4_delta). */
void dsdelta_full(struct dsdelta *dl, struct dataset *ds);

/* After the load was stored (stats: as store_put_dataset gave them):
 * keeps the file and the notes for the next update.  Best effort: when
 * it cannot, the next load parses the whole feed. */
void dsdelta_stored(struct dsdelta *dl, const struct feed_result *res,
		    const struct store_apply_stats *stats);

/* Forgets what dataset `name` kept (a load that cannot be a base). */
void dsdelta_forget(struct store *st, const char *name);

void dsdelta_free(struct dsdelta *dl);

#endif
