/* entry_change.h -- hand edits as the store takes them.
 *
 * `dnsbl-ctl add/del/delist` and dnsbl-web's API make the same edits: an
 * entry line parsed by the feed parsers becomes a store_change, and a
 * spam-trap delisting is store_trap_delist in every trap dataset.  One
 * copy here, so both programs edit alike.
 */
#ifndef DNSBLD_ENTRY_CHANGE_H
#define DNSBLD_ENTRY_CHANGE_H

#include <stdint.h>

#include "config.h"
#include "store.h"

/* Fills ch->ip/nip and ch->dn/ndn with the edits parsed line `ds` means:
 * set (or exclude) each entry, or with `del` remove it.  The two arrays
 * are the caller's to free.  0, or -1 out of memory. */
int entry_change_build(const struct dataset *ds, int del,
		       struct store_change *ch);

/* What the last `add` history record of an entry says (strings cut to
 * their buffers). */
struct entry_added {
	int64_t time;
	char user[256];
	char entry[1024];          /* the line as the editor wrote it */
	char reason[1024];
};
struct feed_entry_want;    /* feed_entry.h */

/* The last `add` history record of dataset `name` (of `type`) whose line
 * holds entry `want` (the line parsed again by the feed parsers): 1 with
 * *out filled, 0 if there is none, <0 (STORE_E*) on a store error. */
int entry_last_add(struct store_reader *rd, const char *name,
		   enum ds_type type, const struct feed_entry_want *want,
		   struct entry_added *out);

/* Calls fn(arg, name, section, meta, parent) for every stored dataset
 * that answers lookups: a top-level one (section and parent NULL), and
 * each section of a combined one (section "N" or "N:label", parent the
 * combined dataset), as dnsbld asks them.  0, or <0 (STORE_E*) if the
 * datasets could not be listed. */
int entry_each_dataset(struct store_reader *rd,
		       void (*fn)(void *arg, const char *name,
				  const char *section,
				  const struct store_dsmeta *m,
				  const struct store_dsmeta *parent),
		       void *arg);

/* The prefix `plen` of address `addr` (family 4 or 6): the address with
 * its host bits cleared into `out`, and (if text is not NULL) its text,
 * "192.0.2.0/24", into `text` of `textlen` (64 is enough). */
void entry_prefix(int family, const uint8_t addr[16], unsigned plen,
		  uint8_t out[16], char *text, size_t textlen);

/* Ends the trap listing of address `family`/`addr` (its /32, or its
 * prefix6 block) in every trap dataset of `cfg` (only those marked
 * self_delist if `self_only`), each in one transaction with a history
 * record (`reason`, `user`); with norelist_until > 0 the traps do not
 * list it again before then.  Calls each(arg, dataset, removed) per trap
 * dataset stored.  Returns the number of trap datasets looked at, or -1
 * with err ("DATASET: why"): the ones before it are delisted. */
int entry_delist_traps(struct store *st, const struct config *cfg, int family,
		       const uint8_t addr[16], int64_t now,
		       int64_t norelist_until, const char *reason,
		       const char *user, int self_only,
		       void (*each)(void *arg, const char *dataset, int removed),
		       void *arg, char *err, size_t errlen);

#endif
