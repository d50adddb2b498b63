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

int store_ip_covering(struct store_reader *rd, uint32_t dsid, int family,
		      const uint8_t addr[16], unsigned *plen, int *excluded)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	uint8_t kb[4];
	MDB_cursor *c;
	int rc, found = 0;

	if (!rd->active || (family != 4 && family != 6))
		return STORE_EINVAL;
	be32_put(kb, dsid);
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[family == 4 ? SDB_SRC4 :
						   SDB_SRC6], &c);
	if (rc)
		return store_rc(rc);
	for (int pl = (int)bits; pl >= 0 && !found; pl--) {
		uint8_t probe[17];
		MDB_val k = { 4, kb }, d = { alen + 1, probe };

		memcpy(probe, addr, alen);
		for (unsigned b = (unsigned)pl; b < bits; b++)
			probe[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		probe[alen] = (uint8_t)pl;
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE);
		if (rc == 0 && d.mv_size == alen + 5u &&
		    memcmp(d.mv_data, probe, alen + 1) == 0) {
			*plen = (unsigned)pl;
			*excluded = be32_get((const uint8_t *)d.mv_data + alen + 1) ==
				    REF_EXCLUDED;
			found = 1;
		} else if (rc && rc != MDB_NOTFOUND) {
			break;
		}
		rc = 0;
	}
	mdb_cursor_close(c);
	return rc ? store_rc(rc) : found;
}
