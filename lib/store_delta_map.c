/* store_delta_map.c -- the IPv4 interval map changed around the prefixes
 * an update touched, rather than derived again from every prefix.
 *
 * The map answers each address with its longest covering prefix
 * (store_derive.c), so a changed source record can change the map only
 * inside its own prefix T, and through the merging of equal neighbours
 * at T's edges.  Inside T the new map is derived from T's new record (or,
 * when T goes, from the prefix enclosing it) and the prefixes nested in
 * it; outside T it stays.  So for each outermost touched prefix the
 * stored intervals reaching from the one holding T's first address minus
 * one to the one holding its last plus one are read, the part inside T
 * replaced, equal neighbours merged again, and the two lists compared.
 * Touched prefixes whose spans meet are done as one group, so that no
 * interval is compared twice and every merge is seen.
 *
 * The enclosing prefix of a /32 that goes is found in the map itself:
 * any prefix shorter than /32 holding the address holds its neighbour
 * in the same /31 too, so unless that neighbour is a /32 of its own, the
 * map's answer there is the enclosing prefix's.  Else, and for longer
 * prefixes, the source records are looked up one length at a time.
 */
#include "store_diff.h"
#include "store_view.h"

#include <stdlib.h>
#include <string.h>

/* A touched prefix: its span, its new answer (REF_EXCLUDED: none). */
struct touch {
	uint32_t s, e;
	uint8_t plen;
	int stays;
	uint32_t ref;
};

/* An interval of the map; positions past 2^32 - 1 fit. */
struct ival {
	uint64_t s, e;
	uint32_t ref;
};

struct ivals {
	struct ival *v;
	size_t n, cap;
	int oom;
};

/* Appends an interval as it is. */
static void ivals_append(struct ivals *l, const struct ival *iv)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct ival *p = realloc(l->v, ncap * sizeof(*p));

		if (!p) {
			l->oom = 1;
			return;
		}
		l->v = p;
		l->cap = ncap;
	}
	l->v[l->n++] = *iv;
}

/* Appends a piece of the new map: none for an exclusion, and equal
 * neighbours made one, as store_derive makes them. */
static void ivals_push(struct ivals *l, uint64_t s, uint64_t e, uint32_t ref)
{
	struct ival iv = { s, e, ref };

	if (ref == REF_EXCLUDED)
		return;
	if (l->n && l->v[l->n - 1].ref == ref && l->v[l->n - 1].e + 1 == s) {
		l->v[l->n - 1].e = e;
		return;
	}
	ivals_append(l, &iv);
}

static void ival_get(const uint8_t *r, struct ival *iv)
{
	iv->e = be32_get(r);
	iv->s = be32_get(r + 4);
	iv->ref = be32_get(r + 8);
}

static void ival_put(const struct ival *iv, uint8_t *r)
{
	be32_put(r, (uint32_t)iv->e);
	be32_put(r + 4, (uint32_t)iv->s);
	be32_put(r + 8, iv->ref);
}

/* The source record of prefix (addr, plen), if stored (found: 1). */
static int src_at(struct store_view *src, uint32_t addr, uint8_t plen,
		  uint32_t *ref, int *rc)
{
	uint8_t key[SRC4_REC] = { 0 };
	const uint8_t *r;

	layout_src4_put(key, addr, plen, 0);
	*rc = store_view_seek(src, key, &r);
	if (*rc || !r || memcmp(r, key, 5) != 0)
		return 0;
	*ref = be32_get(r + 5);
	return 1;
}

static uint32_t mask4(unsigned plen)
{
	return plen ? ~(uint32_t)0 << (32 - plen) : 0;
}

/* The interval of `old` (sorted) holding address x, or NULL; looked for
 * from the last, as x is near it. */
static const struct ival *ival_in(const struct ivals *old, uint64_t x)
{
	for (size_t k = old->n; k-- > 0 && old->v[k].e >= x;)
		if (old->v[k].s <= x)
			return &old->v[k];
	return NULL;
}

/* The answer of the prefix enclosing t as stored (REF_EXCLUDED: none);
 * `old` holds the stored intervals up to the one holding t->e + 1. */
static int enclosing_ref(struct store_view *src, const struct ivals *old,
			 const struct touch *t, uint32_t *ref)
{
	uint32_t r;
	int rc = 0;

	if (t->plen == 32 && !src_at(src, t->s ^ 1, 32, &r, &rc)) {
		const struct ival *iv = ival_in(old, t->s ^ 1);

		*ref = iv ? iv->ref : REF_EXCLUDED;
		return rc;
	}
	for (int k = t->plen - 1; rc == 0 && k >= 0; k--)
		if (src_at(src, t->s & mask4((unsigned)k), (uint8_t)k, ref, &rc))
			return 0;
	*ref = REF_EXCLUDED;
	return rc;
}

/* Is record r (SRC4_REC) among the n sorted at a? */
static int rec_in(const uint8_t *a, size_t n, const uint8_t *r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(a + mid * SRC4_REC, r, SRC4_REC);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The new intervals inside t, pushed to out: derived from t's answer
 * and the prefixes nested in it as they will be (stored ones not gone,
 * and those that came). */
static int touch_pieces(struct store_view *src, const uint8_t *gone,
			size_t ngone, const uint8_t *came, size_t ncame,
			const struct touch *t, struct ivals *out)
{
	struct blob_writer w = { 0 };
	uint8_t key[SRC4_REC], rec[SRC4_REC], *map = NULL;
	const uint8_t *r;
	size_t ci, nmap = 0;
	int rc;

	if (t->plen == 32) {
		ivals_push(out, t->s, t->e, t->ref);
		return out->oom ? STORE_ENOMEM : 0;
	}
	/* t first (its answer on every address no nested prefix takes),
	 * then the nested ones in order: stored merged with came. */
	layout_src4_put(rec, t->s, t->plen, t->ref);
	blob_put(&w, rec, SRC4_REC);
	layout_src4_put(key, t->s, (uint8_t)(t->plen + 1), 0);
	ci = 0;
	while (ci < ncame && memcmp(came + ci * SRC4_REC, key, SRC4_REC) < 0)
		ci++;
	rc = store_view_seek(src, key, &r);
	while (rc == 0) {
		const uint8_t *c = ci < ncame && be32_get(came + ci * SRC4_REC) <=
							 t->e ?
				   came + ci * SRC4_REC : NULL;

		if (r && be32_get(r) > t->e)
			r = NULL;
		if (!r && !c)
			break;
		if (c && (!r || memcmp(c, r, SRC4_REC) < 0)) {
			blob_put(&w, c, SRC4_REC);
			ci++;
			continue;
		}
		if (!rec_in(gone, ngone, r))
			blob_put(&w, r, SRC4_REC);
		rc = store_view_next(src, &r);
	}
	if (rc == 0 && w.oom)
		rc = STORE_ENOMEM;
	if (rc == 0)
		rc = store_derive(w.p, w.len / SRC4_REC, 4, &map, &nmap);
	for (size_t i = 0; rc == 0 && i < nmap; i++) {
		struct ival iv;

		ival_get(map + i * IP4_REC, &iv);
		ivals_push(out, iv.s, iv.e, iv.ref);
	}
	if (rc == 0 && out->oom)
		rc = STORE_ENOMEM;
	free(map);
	free(w.p);
	return rc;
}

/* The touched prefixes that no other touched one holds, in order, with
 * their new answers. */
static int touched_outermost(const uint8_t *gone, size_t ngone,
			     const uint8_t *came, size_t ncame,
			     struct touch **out, size_t *nout)
{
	struct touch *t = malloc((ngone + ncame + 1) * sizeof(*t));
	size_t gi = 0, ci = 0, n = 0;

	*out = t;
	if (!t)
		return STORE_ENOMEM;
	while (gi < ngone || ci < ncame) {
		const uint8_t *g = gi < ngone ? gone + gi * SRC4_REC : NULL;
		const uint8_t *c = ci < ncame ? came + ci * SRC4_REC : NULL;
		int cmp = !g ? 1 : !c ? -1 : memcmp(g, c, 5);
		const uint8_t *k = cmp <= 0 ? g : c;
		struct touch x = { 0 };

		x.s = be32_get(k);
		x.plen = k[4];
		x.e = x.s | ~mask4(x.plen);
		x.stays = cmp >= 0;
		x.ref = x.stays ? be32_get(c + 5) : REF_EXCLUDED;
		if (cmp <= 0)
			gi++;
		if (cmp >= 0)
			ci++;
		if (n && x.s <= t[n - 1].e)
			continue;   /* inside the last one */
		t[n++] = x;
	}
	*nout = n;
	return 0;
}

/* The stored intervals `old` clipped to [from, to], pushed to out (*j:
 * the first of them that may still reach past `from`). */
static void old_parts(const struct ivals *old, size_t *j, uint64_t from,
		      uint64_t to, struct ivals *out)
{
	while (*j < old->n && old->v[*j].e < from)
		(*j)++;
	for (size_t k = *j; k < old->n && old->v[k].s <= to; k++)
		ivals_push(out, old->v[k].s > from ? old->v[k].s : from,
			   old->v[k].e < to ? old->v[k].e : to, old->v[k].ref);
}

/* Appends the intervals of a that b lacks to out. */
static void ivals_minus(const struct ivals *a, const struct ivals *b,
			struct blob_writer *out)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		const struct ival *x = &a->v[i];
		uint8_t r[IP4_REC];

		while (j < b->n && (b->v[j].e < x->e ||
				    (b->v[j].e == x->e && b->v[j].s < x->s)))
			j++;
		if (j < b->n && b->v[j].e == x->e && b->v[j].s == x->s &&
		    b->v[j].ref == x->ref)
			continue;
		ival_put(x, r);
		blob_put(out, r, IP4_REC);
	}
}

/* The stored intervals read in order for a group (struct reader). */
struct reader {
	struct store_view *ip;
	const uint8_t *r;      /* the next stored interval, NULL: no more */
	struct ival next;
};

/* Places the reader on the first stored interval that ends at x or
 * after: where it is if that one does, else by a lookup. */
static int reader_to(struct reader *rd, uint64_t x)
{
	uint8_t key[IP4_REC] = { 0 };
	int rc;

	if (rd->r && rd->next.e >= x)
		return 0;
	be32_put(key, (uint32_t)x);
	rc = store_view_seek(rd->ip, key, &rd->r);
	if (rc == 0 && rd->r)
		ival_get(rd->r, &rd->next);
	return rc;
}

/* Appends to `old` the stored intervals that start at `to` or before. */
static int reader_take(struct reader *rd, uint64_t to, struct ivals *old)
{
	int rc = 0;

	while (rc == 0 && rd->r && rd->next.s <= to) {
		ivals_append(old, &rd->next);
		rc = store_view_next(rd->ip, &rd->r);
		if (rc == 0 && rd->r)
			ival_get(rd->r, &rd->next);
	}
	return rc ? rc : old->oom ? STORE_ENOMEM : 0;
}

int store_ip4_delta(struct store_view *src, struct store_view *ip,
		    const uint8_t *gone, size_t ngone, const uint8_t *came,
		    size_t ncame, struct blob_writer *ip_gone,
		    struct blob_writer *ip_came)
{
	struct touch *t = NULL;
	struct ivals old = { 0 }, now = { 0 };
	struct reader rd = { ip, NULL, { 0, 0, 0 } };
	size_t nt = 0, i = 0;
	int rc = touched_outermost(gone, ngone, came, ncame, &t, &nt);

	while (rc == 0 && i < nt) {
		uint64_t gs = t[i].s, ge = 0, pos;
		size_t j = i, o = 0;
		const struct ival *iv;

		/* A group: the touched prefixes whose spans meet, each span
		 * reaching from the stored interval holding its first address
		 * minus one to the one holding its last plus one.  Its stored
		 * intervals are read in one walk. */
		old.n = now.n = 0;
		rc = reader_to(&rd, t[i].s ? (uint64_t)t[i].s - 1 : 0);
		if (rc == 0 && rd.r && t[i].s && rd.next.s < t[i].s)
			gs = rd.next.s;
		while (rc == 0 && j < nt) {
			uint64_t s1 = t[j].s ? (uint64_t)t[j].s - 1 : 0;

			if (j > i) {
				/* Its span's start: the stored interval holding
				 * s1, read already or next. */
				iv = old.n && old.v[old.n - 1].e >= s1 ?
				     ival_in(&old, s1) : NULL;
				if (!iv && rd.r && rd.next.s <= s1 &&
				    rd.next.e >= s1)
					iv = &rd.next;
				if ((iv && t[j].s ? iv->s : t[j].s) > ge + 1)
					break;
			}
			rc = reader_take(&rd, (uint64_t)t[j].e + 1, &old);
			ge = t[j].e;
			iv = old.n ? &old.v[old.n - 1] : NULL;
			if (iv && iv->e > ge)
				ge = iv->e;
			if (rc == 0 && !t[j].stays)
				rc = enclosing_ref(src, &old, &t[j], &t[j].ref);
			j++;
		}
		/* The new ones: the stored outside the touched prefixes, the
		 * touched prefixes' own inside. */
		pos = gs;
		for (size_t k = i; rc == 0 && k < j; k++) {
			if (t[k].s > pos)
				old_parts(&old, &o, pos, (uint64_t)t[k].s - 1,
					  &now);
			rc = touch_pieces(src, gone, ngone, came, ncame, &t[k],
					  &now);
			pos = (uint64_t)t[k].e + 1;
		}
		if (rc == 0 && pos <= ge)
			old_parts(&old, &o, pos, ge, &now);
		if (rc == 0 && (old.oom || now.oom))
			rc = STORE_ENOMEM;
		if (rc == 0) {
			ivals_minus(&old, &now, ip_gone);
			ivals_minus(&now, &old, ip_came);
		}
		i = j;
	}
	if (rc == 0 && (ip_gone->oom || ip_came->oom))
		rc = STORE_ENOMEM;
	free(t);
	free(old.v);
	free(now.v);
	return rc;
}
