/* store_manual.h -- hand edits' records inside a write transaction.
 *
 * Private to lib/store_*.c.  A hand edit (store_change) and the expiry
 * sweep (store_expire) write the entries, their expiry, a history record
 * and the dataset's status in ONE transaction, so these helpers take the
 * caller's transaction; store_layout.h has the tables' keys and records.
 * They return 0 or an internal code (store_private.h).
 */
#ifndef DNSBLD_STORE_MANUAL_H
#define DNSBLD_STORE_MANUAL_H

#include "store_private.h"

/* ---- store_edit.c -------------------------------------------------------- */

/* Applies the entry edits of `ch` to dataset `dsid` of `type`, each with
 * its expiry: adds to stats' added/removed and to *entries_delta; sets
 * *expiry_moved to 1 if an expiry changed.  The metadata is the caller's. */
int store_edit_entries(MDB_txn *txn, struct store *st, uint32_t dsid,
		       enum ds_type type, const struct store_change *ch,
		       struct store_apply_stats *stats, int64_t *entries_delta,
		       int *expiry_moved, char *err, size_t errlen);

/* ---- store_change.c ------------------------------------------------------ */

/* store_change's work without the history and status: the dataset (made
 * if ch->create), the entries, their expiry, the metadata and generation.
 * *changed is 1 if a record or an expiry moved; *dsid gets the id. */
int store_edit_apply(MDB_txn *txn, struct store *st, const char *name,
		     const struct store_change *ch,
		     struct store_apply_stats *stats, int *changed,
		     uint32_t *dsid, char *err, size_t errlen);

/* ---- store_meta.c -------------------------------------------------------- */

/* The serial in a metadata blob, without decoding the rest.  0 or
 * STORE_EINVAL. */
int store_meta_serial(const uint8_t *blob, size_t len, uint32_t *serial);
/* A changed dataset's new serial: above its old one and above every other
 * serial in the store (datasets and zones), close to the wall clock `now`.
 * A zone's SOA serial is the largest of its own and its datasets'
 * (server/zones.c), so it then moves for every zone serving the dataset,
 * even right after another write in the same second. */
int store_next_serial(MDB_txn *txn, struct store *st, uint32_t old,
		      int64_t now, uint32_t *serial);

/* ---- store_expiry.c ------------------------------------------------------ */

/* An entry's key in the expiry table (store_layout.h); returns its length.
 * `key` holds EKEY_MAX bytes. */
size_t store_ekey_ip(int family, const uint8_t *addr, unsigned plen,
		     uint8_t *key);
size_t store_ekey_dn(const uint8_t *name, int wild, uint8_t *key);
/* The entry an expiry key names, as the operator writes it
 * ("192.0.2.0/24", "*.example.com"). */
void store_ekey_text(const uint8_t *key, size_t len, char *out,
		     size_t outlen);
/* The expiry time of entry `ekey` of `dsid` in transaction `txn`: 0 and
 * *when (0 if it does not expire), or an internal error code. */
int store_expiry_get_txn(MDB_txn *txn, const struct store *st, uint32_t dsid,
			 const uint8_t *ekey, size_t eklen, int64_t *when);
/* Makes entry `ekey` of `dsid` expire at `when` (0: never); *changed is
 * set to 1 if that differs from what was stored. */
int store_expiry_set(MDB_txn *txn, const struct store *st, uint32_t dsid,
		     const uint8_t *ekey, size_t eklen, int64_t when,
		     int *changed);

/* ---- store_history.c ----------------------------------------------------- */

/* Appends `h` (its seq is assigned) to the history. */
int store_history_append(MDB_txn *txn, const struct store *st,
			 const struct store_hist *h);

/* ---- store_status.c ------------------------------------------------------ */

/* Writes (s != NULL) or deletes dataset `name`'s status. */
int store_status_write(MDB_txn *txn, const struct store *st,
		       const char *name, const struct store_status *s);

/* ---- strings in records (store_history.c) --------------------------------- */

struct blob_writer;
struct blob_reader;
/* A u16 length and the bytes (NULL: empty); longer ones are cut. */
void store_rec_put_str(struct blob_writer *b, const char *s);
/* A view of the next such string; *len its length.  NULL if bad. */
const char *store_rec_str(struct blob_reader *r, size_t *len);

#endif
