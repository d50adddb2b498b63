/* feed_entry.h -- one entry line of a feed, parsed as the feed files are.
 *
 * `dnsbl-ctl add spam "192.0.2.0/24 :2:listed by hand"` must mean exactly
 * what that line means in an rbldnsd data file of the dataset's type, so
 * a hand edit and a feed never disagree: the line goes through the same
 * per-type parsers as feed_load (feed_ipsets.c, feed_dnset.c) and comes
 * back as the entries it stands for (an ip4set range may be several, a
 * `.domain` two).  The same parse finds which line of a feed file holds a
 * stored entry (dnsbl-ctl get).
 */
#ifndef DNSBLD_FEED_ENTRY_H
#define DNSBLD_FEED_ENTRY_H

#include <stddef.h>

#include "dataset.h"

/* Can a line of this type be edited by hand?  The address types and dnset
 * can (their entries are keys with a value); generic, combined and acl
 * cannot.  1 or 0. */
int feed_entry_type_ok(enum ds_type type);

/* Parses `line`, an entry as it would stand in a data file of `type`
 * (feed_entry_type_ok), into *out, a new dataset holding its entries and
 * values (free with dataset_free).  Refused, with -1 and `err` saying why:
 * a line that is empty, a comment, a `$` line or a default (`:A:TXT`)
 * line; a line the parser rejects (its warning: `invalid address
 * "10.0.0.0/40"`); a value on an ip4tset/ip6tset entry (rbldnsd would
 * ignore it silently: those answer one value for the whole dataset). */
int feed_entry_parse(enum ds_type type, const char *line, int accept_host_bits,
		     struct dataset **out, char *err, size_t errlen);

/* What feed_entry_find looks for: a stored address entry (ip != NULL) or
 * dnset entry (dn != NULL), compared on its key and `excluded`. */
struct feed_entry_want {
	const struct ds_ip_entry *ip;
	const struct ds_dn_entry *dn;
};

/* Does `ds` (a parsed line) hold the entry `want`?  1 or 0. */
int feed_entry_has(const struct dataset *ds, const struct feed_entry_want *want);

/* Reads `files` of a dataset of `type` line by line, as the loader does,
 * and finds the first line whose entries include `want`: 1 and *file (an
 * index into files), *line (1-based) and the line's text in `text`; 0 if
 * no line has it (or a file cannot be read); -1 out of memory. */
int feed_entry_find(enum ds_type type, const char *const *files,
		    size_t nfiles, const struct feed_entry_want *want,
		    size_t *file, unsigned long *line, char *text,
		    size_t textlen);

#endif
