/* store_entry.c -- which source entry answered an address (dnsbl-ctl get).
 *
 * The interval map a lookup reads says what an address answers, not which
 * of the operator's entries made it so.  Every address type lets the
 * longest covering prefix decide (ip4set's /32 /24 /16 /8 levels are
 * prefixes too), so the entry is found in the source table with one point
 * read per prefix length, longest first.  A tool's question: the server
 * never asks it.
 */
#include "store_private.h"

#include <string.h>

/* The source record of key `key` for prefix `probe` (alen + 1 bytes):
 * 1 with *r, 0 if none, or an error. */
static int entry_find(MDB_cursor *c, uint32_t key, const uint8_t *probe,
		      unsigned alen, const uint8_t **r)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d = { alen + 1, (void *)probe };
	int rc;

	be32_put(kb, key);
	rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (d.mv_size != alen + 5u || memcmp(d.mv_data, probe, alen + 1) != 0)
		return 0;
	*r = d.mv_data;
	return 1;
}

/* Does `key` have records? */
static int entry_has_key(MDB_cursor *c, uint32_t key)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;

	be32_put(kb, key);
	return mdb_cursor_get(c, &k, &d, MDB_SET) == 0;
}

/* Is the whole record `r` of `rsz` bytes a duplicate of `key`? */
static int entry_has(MDB_cursor *c, uint32_t key, const uint8_t *r, size_t rsz)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d = { rsz, (void *)r };
	int rc;

	be32_put(kb, key);
	rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH);
	return rc == MDB_NOTFOUND ? 0 : rc ? rc : 1;
}

int store_ip_covering(struct store_reader *rd, uint32_t dsid, int family,
		      const uint8_t addr[16], unsigned *plen, int *excluded)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	MDB_cursor *c;
	int rc = 0, found = 0, has_add, has_del;

	if (!rd->active || (family != 4 && family != 6))
		return STORE_EINVAL;
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[family == 4 ? SDB_SRC4 :
						   SDB_SRC6], &c);
	if (rc)
		return store_rc(rc);
	/* The dataset's overlay (store_overlay.h) first, then its base. */
	has_add = entry_has_key(c, dsid | OVL_ADD);
	has_del = entry_has_key(c, dsid | OVL_DEL);
	for (int pl = (int)bits; pl >= 0 && !found; pl--) {
		uint8_t probe[17];
		const uint8_t *r = NULL;

		memcpy(probe, addr, alen);
		for (unsigned b = (unsigned)pl; b < bits; b++)
			probe[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		probe[alen] = (uint8_t)pl;
		found = has_add ? entry_find(c, dsid | OVL_ADD, probe, alen, &r) : 0;
		if (found == 0) {
			found = entry_find(c, dsid, probe, alen, &r);
			if (found == 1 && has_del) {
				int del = entry_has(c, dsid | OVL_DEL, r, alen + 5u);

				found = del == 1 ? 0 : del ? del : 1;
			}
		}
		if (found < 0 || found > 1) {
			rc = found;
			found = 0;
			break;
		}
		if (found) {
			*plen = (unsigned)pl;
			*excluded = be32_get(r + alen + 1) == REF_EXCLUDED;
		}
	}
	mdb_cursor_close(c);
	return rc ? store_rc(rc) : found;
}
