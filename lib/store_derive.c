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

/* The packed records ready to be read, and the last piece, pending: it
 * may still grow. */
struct derive_out {
	uint8_t *buf;
	size_t n;
	unsigned alen;
	int have;
	struct piece last;
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

/* Records kept ready; one step of the sweep adds at most a stack's worth
 * (130) and two more.  Source records are read as many at a time. */
#define DERIVE_READY 4096
#define DERIVE_STEP_MAX 132

struct store_derive_iter {
	struct store_rec_source *src;
	uint8_t *in;           /* source records read, [i, n) not used yet */
	size_t n, i;
	int in_end;            /* the source has no more */
	unsigned alen, bits, rsz;
	u128 max;
	struct piece stack[130];
	unsigned top;
	u128 pos;
	int done, finished;
	struct derive_out o;
};

int store_derive_open(struct store_rec_source *src, int family,
		      struct store_derive_iter **out)
{
	struct store_derive_iter *it = calloc(1, sizeof(*it));

	*out = NULL;
	if (!it)
		return STORE_ENOMEM;
	it->alen = family == 4 ? 4 : 16;
	it->bits = it->alen * 8;
	it->rsz = layout_src_size(family);
	it->max = it->bits == 128 ? ~(u128)0 : (((u128)1 << it->bits) - 1);
	it->src = src;
	it->o.alen = it->alen;
	it->o.buf = malloc((DERIVE_READY + DERIVE_STEP_MAX) * (2 * it->alen + 4));
	it->in = malloc(DERIVE_READY * it->rsz);
	if (!it->o.buf || !it->in) {
		store_derive_close(it);
		return STORE_ENOMEM;
	}
	*out = it;
	return 0;
}

int store_derive_rewind(struct store_derive_iter *it)
{
	it->i = it->n = 0;
	it->in_end = 0;
	it->top = 0;
	it->pos = 0;
	it->done = it->finished = 0;
	it->o.n = 0;
	it->o.have = 0;
	return it->src->rewind(it->src->arg);
}

void store_derive_close(struct store_derive_iter *it)
{
	if (!it)
		return;
	free(it->o.buf);
	free(it->in);
	free(it);
}

/* One step of the sweep: the next source prefix, or (after the last) one
 * enclosing prefix closed.  0, STORE_EINVAL or the source's error. */
static int derive_step(struct store_derive_iter *it)
{
	struct derive_out *o = &it->o;

	if (it->i == it->n && !it->in_end) {
		int rc = it->src->read(it->src->arg, it->in, DERIVE_READY,
				       &it->n);

		if (rc)
			return rc;
		it->i = 0;
		it->in_end = it->n == 0;
	}
	if (it->i < it->n) {
		const uint8_t *r = it->in + it->i++ * it->rsz;
		u128 s = addr_get(r, it->alen);
		u128 e = layout_prefix_end(s, r[it->alen], it->bits);

		/* Close the open prefixes that end before this one. */
		while (it->top && it->stack[it->top - 1].e < s) {
			struct piece *t = &it->stack[--it->top];

			if (it->pos <= t->e)
				derive_out_emit(o, it->pos, t->e, t->ref);
			it->pos = t->e + 1;   /* t->e < s <= max: no overflow */
		}
		/* The enclosing prefix answers up to where this one starts. */
		if (it->top && it->pos < s)
			derive_out_emit(o, it->pos, s - 1,
					it->stack[it->top - 1].ref);
		if (it->top >= sizeof(it->stack) / sizeof(it->stack[0]))
			return STORE_EINVAL;   /* not nested: input not canonical */
		it->stack[it->top].s = s;
		it->stack[it->top].e = e;
		it->stack[it->top].ref = be32_get(r + it->alen + 1);
		it->top++;
		it->pos = s;
	} else if (it->top) {
		struct piece *t = &it->stack[--it->top];

		if (!it->done && it->pos <= t->e)
			derive_out_emit(o, it->pos, t->e, t->ref);
		if (t->e == it->max)
			it->done = 1;
		else
			it->pos = t->e + 1;
	} else {
		derive_out_flush(o);
		it->finished = 1;
	}
	return 0;
}

int store_derive_read(struct store_derive_iter *it, uint8_t *buf, size_t max,
		      size_t *got)
{
	size_t isz = 2 * it->alen + 4;
	int rc = 0;

	*got = 0;
	while (rc == 0 && *got < max) {
		size_t take;

		while (rc == 0 && it->o.n < DERIVE_READY && !it->finished)
			rc = derive_step(it);
		if (rc || !it->o.n)
			break;
		take = it->o.n < max - *got ? it->o.n : max - *got;
		memcpy(buf + *got * isz, it->o.buf, take * isz);
		memmove(it->o.buf, it->o.buf + take * isz,
			(it->o.n - take) * isz);
		it->o.n -= take;
		*got += take;
	}
	return rc;
}

int store_derive(const uint8_t *src, size_t n, int family,
		 uint8_t **out, size_t *nout)
{
	struct store_derive_iter *it;
	struct store_rec_array a;
	struct store_rec_source in = store_rec_array_source(&a, src, n,
					layout_src_size(family));
	unsigned isz = layout_ip_size(family);
	size_t got = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	rc = store_derive_open(&in, family, &it);
	if (rc)
		return rc;
	/* Each prefix adds at most two pieces (itself and the rest of its
	 * parent after it). */
	*out = malloc((2 * n + 1) * isz);
	if (!*out)
		rc = STORE_ENOMEM;
	if (rc == 0)
		rc = store_derive_read(it, *out, 2 * n + 1, &got);
	store_derive_close(it);
	if (rc) {
		free(*out);
		*out = NULL;
		return rc;
	}
	*nout = got;
	return 0;
}
