/* store_derive.c -- operator prefixes -> the disjoint interval map.
 *
 * The only place that turns prefixes into "what does address X answer":
 * the longest covering prefix decides, an exclusion (ref 0) there is a hole.
 * Equal-prefix rules (set union vs. trie first-wins) are applied before,
 * when source entries are collapsed (store_write.c).  Prefixes are nested or
 * disjoint, so one sweep over them sorted by (start, length) with a stack of
 * the open enclosing prefixes emits every piece in address order: O(n) after
 * the O(n log n) sort.  Adjacent pieces with the same ref are merged.
 */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

typedef layout_u128 u128;
#define addr_get layout_addr_get
#define addr_put layout_addr_put

struct piece {
	u128 s, e;
	uint32_t ref;
};

struct derive_out {
	uint8_t *buf;
	size_t n;
	unsigned alen;
	int have;
	struct piece last;   /* pending, not yet packed: may still grow */
};

static void derive_out_flush(struct derive_out *o)
{
	uint8_t *r;

	if (!o->have)
		return;
	r = o->buf + o->n * (2 * o->alen + 4);
	addr_put(o->last.e, r, o->alen);
	addr_put(o->last.s, r + o->alen, o->alen);
	be32_put(r + 2 * o->alen, o->last.ref);
	o->n++;
	o->have = 0;
}

static void derive_out_emit(struct derive_out *o, u128 s, u128 e, uint32_t ref)
{
	if (ref == REF_EXCLUDED)
		return;
	if (o->have && o->last.ref == ref && o->last.e + 1 == s) {
		o->last.e = e;
		return;
	}
	derive_out_flush(o);
	o->last.s = s;
	o->last.e = e;
	o->last.ref = ref;
	o->have = 1;
}

int store_derive(const uint8_t *src, size_t n, int family,
		 uint8_t **out, size_t *nout)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	unsigned rsz = layout_src_size(family);
	u128 max = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	struct piece stack[130];
	unsigned top = 0;
	struct derive_out o = { .alen = alen };
	u128 pos = 0;
	int done = 0;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	/* Each prefix adds at most two pieces (itself and the rest of its
	 * parent after it). */
	o.buf = malloc((2 * n + 1) * (2 * alen + 4));
	if (!o.buf)
		return STORE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = src + i * rsz;
		u128 s = addr_get(r, alen);
		u128 e = layout_prefix_end(s, r[alen], bits);

		/* Close the open prefixes that end before this one. */
		while (top && stack[top - 1].e < s) {
			struct piece *t = &stack[--top];

			if (pos <= t->e)
				derive_out_emit(&o, pos, t->e, t->ref);
			pos = t->e + 1;   /* t->e < s <= max: no overflow */
		}
		/* The enclosing prefix answers up to where this one starts. */
		if (top && pos < s)
			derive_out_emit(&o, pos, s - 1, stack[top - 1].ref);
		if (top >= sizeof(stack) / sizeof(stack[0])) {
			free(o.buf);
			return STORE_EINVAL;   /* not nested: input not canonical */
		}
		stack[top].s = s;
		stack[top].e = e;
		stack[top].ref = be32_get(r + alen + 1);
		top++;
		pos = s;
	}
	while (top) {
		struct piece *t = &stack[--top];

		if (!done && pos <= t->e)
			derive_out_emit(&o, pos, t->e, t->ref);
		if (t->e == max)
			done = 1;
		else
			pos = t->e + 1;
	}
	derive_out_flush(&o);
	*out = o.buf;
	*nout = o.n;
	return 0;
}
