/* store_dnkey.c -- domain names as store keys: labels reversed.
 *
 * Reversing the labels (zone side first) makes a name's whole subtree one
 * contiguous key range, so "anything below this name" and "the closest
 * wildcard" are cheap; see store_layout.h for the key layout.
 */
#include "store_layout.h"

#include <string.h>

int store_dnkey(uint32_t dsid, const uint8_t *wname, uint8_t *key,
		uint16_t *lvl, uint16_t *woff, unsigned *nlabels)
{
	uint16_t off[DN_MAX_LABELS];
	unsigned n = 0;
	size_t pos = 0, klen = 4;

	while (wname[pos]) {
		if (wname[pos] > 63 || n >= DN_MAX_LABELS ||
		    pos + wname[pos] + 1 >= 255)
			return -1;
		off[n++] = (uint16_t)pos;
		pos += (size_t)wname[pos] + 1;
	}
	be32_put(key, dsid);
	if (lvl)
		lvl[0] = 4;
	if (woff)
		woff[0] = (uint16_t)pos;
	for (unsigned k = 1; k <= n; k++) {
		const uint8_t *lab = wname + off[n - k];

		key[klen++] = lab[0];
		for (unsigned i = 1; i <= lab[0]; i++) {
			uint8_t c = lab[i];

			key[klen++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
		}
		if (lvl)
			lvl[k] = (uint16_t)klen;
		if (woff)
			woff[k] = off[n - k];
	}
	if (nlabels)
		*nlabels = n;
	return (int)klen;
}
