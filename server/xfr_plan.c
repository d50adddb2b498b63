/* xfr_plan.c -- the names of a zone transfer, and what each one holds.
 *
 * A secondary must answer every name as dnsbld does, with plain DNS
 * records.  This file decides WHICH names exist; xfr.c fills each with
 * WHAT dnsbld answers for it (answer.c, an ANY query).
 *  - Addresses: per origin (the zone, or a combined dataset's subzone) and
 *    family, the answer maps of the address datasets are merged into one
 *    list of disjoint segments, each with the key of the values that answer
 *    it.  A walk down the reversed-name tree (octets, nibbles) then names
 *    each node whose segments are not all one key: a `*.node` wildcard for
 *    the key most of its children have, and explicitly the children that
 *    differ (a leaf address, a `*.child` wildcard, a child to walk into, or
 *    a CNAME to `excluded.<zone>` for an unlisted child inside a wildcard: a
 *    name that exists stops the wildcard, and the CNAME's target does not
 *    exist, so a resolver gets NXDOMAIN as from dnsbld).
 *  - dnset and generic entries are names already; every name and ancestor
 *    is visited, and its `*.name` gets whatever dnsbld answers below it
 *    (rbldnsd's wildcards match at any depth, DNS ones stop at the first
 *    name that exists).
 * The whole plan reads the caller's snapshot.  What DNS cannot express is
 * listed in docs/SERVER.md, "Zone transfers".
 */
#include "xfr_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "dns_packet.h"

__extension__ typedef unsigned __int128 xfr_u128;

#define XFR_KEY_NONE 0            /* not listed */
#define XFR_KEY_TEST 1            /* an RFC 5782 test point */
#define XFR_MAX_DS 64             /* address datasets merged per origin */

/* ---- keys: value lists interned to numbers ------------------------------ */

struct xfr_keys {
	uint32_t *pool;               /* per key: length, then the words */
	size_t used, cap;
	size_t *off;                  /* per key id: its offset in pool */
	uint32_t n, ncap;
	uint32_t *table;              /* open addressing: id + 1, 0 empty */
	size_t tsize;
};

static uint32_t keys_hash(const uint32_t *w, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= w[i];
		h *= 16777619u;
	}
	return h;
}

static int keys_grow(struct xfr_keys *k)
{
	size_t ts = k->tsize ? k->tsize * 2 : 1024;
	uint32_t *t = calloc(ts, sizeof(*t));

	if (!t)
		return -1;
	for (uint32_t id = 2; id < k->n; id++) {
		const uint32_t *w = k->pool + k->off[id];
		size_t h = keys_hash(w + 1, w[0]) & (ts - 1);

		while (t[h])
			h = (h + 1) & (ts - 1);
		t[h] = id + 1;
	}
	free(k->table);
	k->table = t;
	k->tsize = ts;
	return 0;
}

/* The id of word list `w` (n words), added if new; ids 0 and 1 are the
 * fixed keys.  -1 (as uint32) on out of memory. */
static uint32_t keys_id(struct xfr_keys *k, const uint32_t *w, size_t n)
{
	size_t h;

	if (k->n < 2)
		k->n = 2;
	if ((k->n + 1) * 2 > k->tsize && keys_grow(k) < 0)
		return UINT32_MAX;
	h = keys_hash(w, n) & (k->tsize - 1);
	while (k->table[h]) {
		uint32_t id = k->table[h] - 1;
		const uint32_t *e = k->pool + k->off[id];

		if (e[0] == n && memcmp(e + 1, w, n * sizeof(*w)) == 0)
			return id;
		h = (h + 1) & (k->tsize - 1);
	}
	if (k->used + n + 1 > k->cap) {
		size_t cap = (k->cap + n + 1) * 2;
		uint32_t *p = realloc(k->pool, cap * sizeof(*p));

		if (!p)
			return UINT32_MAX;
		k->pool = p;
		k->cap = cap;
	}
	if (k->n >= k->ncap) {
		uint32_t ncap = k->ncap ? k->ncap * 2 : 256;
		size_t *o = realloc(k->off, ncap * sizeof(*o));

		if (!o)
			return UINT32_MAX;
		k->off = o;
		k->ncap = ncap;
	}
	k->off[k->n] = k->used;
	k->pool[k->used] = (uint32_t)n;
	memcpy(k->pool + k->used + 1, w, n * sizeof(*w));
	k->used += n + 1;
	k->table[h] = k->n + 1;
	return k->n++;
}

static void keys_free(struct xfr_keys *k)
{
	free(k->pool);
	free(k->off);
	free(k->table);
}

/* ---- segments: one origin's merged answer map for one family ------------ */

/* Packed: 36 bytes, not 48 (a 1M-entry zone holds about 1.4M of them). */
struct __attribute__((packed)) xfr_seg {
	xfr_u128 lo, hi;
	uint32_t key;
};

struct xfr_segs {
	struct xfr_seg *v;
	size_t n, cap;
};

static int segs_push(struct xfr_segs *s, xfr_u128 lo, xfr_u128 hi,
		     uint32_t key)
{
	if (s->n && s->v[s->n - 1].key == key && s->v[s->n - 1].hi + 1 == lo) {
		s->v[s->n - 1].hi = hi;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct xfr_seg *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].lo = lo;
	s->v[s->n].hi = hi;
	s->v[s->n].key = key;
	s->n++;
	return 0;
}

static xfr_u128 addr_get(const uint8_t *a, int family)
{
	xfr_u128 v = 0;

	for (unsigned i = 0; i < (family == 4 ? 4u : 16u); i++)
		v = v << 8 | a[i];
	return v;
}

/* One dataset's answer map as segments keyed by its own value list. */
struct xfr_collect {
	struct xfr_keys *keys;
	struct xfr_segs *out;
	int family;
	uint32_t dsidx;
	int oom;
};

static int collect_cb(const struct store_range_item *it, void *arg)
{
	struct xfr_collect *c = arg;
	uint32_t w[STORE_MAX_MATCH + 1], key;

	if (it->family != c->family)
		return 0;
	w[0] = c->dsidx;
	memcpy(w + 1, it->values, it->nvalues * sizeof(w[0]));
	key = keys_id(c->keys, w, it->nvalues + 1);
	if (key == UINT32_MAX ||
	    segs_push(c->out, addr_get(it->start, it->family),
		      addr_get(it->end, it->family), key) < 0) {
		c->oom = 1;
		return 1;
	}
	return 0;
}

/* Merges the datasets' segment lists into `out`: each piece of address
 * space gets the key of the list of keys covering it, in dataset order. */
static int segs_merge(struct xfr_keys *keys, struct xfr_segs *in, size_t nin,
		      xfr_u128 top, struct xfr_segs *out)
{
	size_t pos[XFR_MAX_DS] = { 0 };
	uint32_t w[XFR_MAX_DS];
	xfr_u128 x = 0;

	if (nin == 1) {       /* the common case: nothing to merge */
		*out = in[0];
		memset(&in[0], 0, sizeof(in[0]));
		return 0;
	}
	for (;;) {
		xfr_u128 next = top;
		int any = 0, end = 1, last = 0;
		size_t nw = 0;

		for (size_t k = 0; k < nin; k++) {
			const struct xfr_seg *s;

			if (pos[k] >= in[k].n)
				continue;
			end = 0;
			s = &in[k].v[pos[k]];
			if (s->lo <= x) {
				any = 1;
				w[nw++] = s->key;
				if (s->hi < next)
					next = s->hi;
			} else if (s->lo - 1 < next) {
				next = s->lo - 1;
			}
		}
		if (end)
			return 0;
		/* [x, next] is one piece: covered by the same lists. */
		if (any && segs_push(out, x, next, keys_id(keys, w, nw)) < 0)
			return -1;
		if (next == top)
			last = 1;
		for (size_t k = 0; k < nin; k++)
			if (pos[k] < in[k].n && in[k].v[pos[k]].hi == next)
				pos[k]++;
		if (last)
			return 0;
		x = next + 1;
	}
}

/* Gives [lo, hi] key `key` (XFR_KEY_NONE: unlisted), whatever covered it. */
static int segs_set(struct xfr_segs *s, xfr_u128 lo, xfr_u128 hi,
		    uint32_t key)
{
	struct xfr_segs t = { 0 };
	int put = key == XFR_KEY_NONE;

	for (size_t i = 0; i <= s->n; i++) {
		const struct xfr_seg *g = i < s->n ? &s->v[i] : NULL;

		if (!put && (!g || g->hi >= lo)) {
			if (g && g->lo < lo &&
			    segs_push(&t, g->lo, lo - 1, g->key) < 0)
				goto oom;
			if (segs_push(&t, lo, hi, key) < 0)
				goto oom;
			put = 1;
		}
		if (!g)
			break;
		if (g->hi < lo || g->lo > hi) {
			if (segs_push(&t, g->lo, g->hi, g->key) < 0)
				goto oom;
			continue;
		}
		if (g->lo < lo && key == XFR_KEY_NONE &&
		    segs_push(&t, g->lo, lo - 1, g->key) < 0)
			goto oom;
		if (g->hi > hi && segs_push(&t, hi + 1, g->hi, g->key) < 0)
			goto oom;
	}
	free(s->v);
	*s = t;
	return 0;
oom:
	free(t.v);
	return -1;
}

/* An RFC 5782 test point at `a`: never listed (`key` XFR_KEY_NONE), or
 * listed: by the data if it lists it, else with the test point's answer. */
static int segs_test_point(struct xfr_segs *s, xfr_u128 a, uint32_t key)
{
	size_t i = 0;

	while (key != XFR_KEY_NONE && i < s->n && s->v[i].hi < a)
		i++;
	if (key != XFR_KEY_NONE && i < s->n && s->v[i].lo <= a)
		return 0;
	return segs_set(s, a, a, key);
}

/* ---- the name tree of one origin and family ----------------------------- */

struct xfr_run {
	unsigned first, count;        /* children [first, first + count) */
	int constant;                 /* all of them one key */
	uint32_t key;
	size_t si, se;                /* not constant: its segments */
};

struct xfr_frame {
	unsigned level;               /* labels fixed from the top */
	xfr_u128 base;
	struct xfr_run runs[256];
	unsigned nruns, next, next_child;
	uint32_t dflt;                /* the key of its wildcard, 0: none */
};

struct xfr_tree {
	int family;
	unsigned labels, bits, fanout;
	uint8_t origin[DNAME_MAX];    /* relative to the zone */
	struct xfr_segs segs;
	int mixed;                    /* the other family shares the origin */
	struct xfr_frame *st;
	unsigned depth;
	int started;
};

static xfr_u128 tree_mask(const struct xfr_tree *t, unsigned level)
{
	unsigned host = t->bits * (t->labels - level);

	return host >= 128 ? ~(xfr_u128)0 : ((xfr_u128)1 << host) - 1;
}

/* The label values of the node, top first, are all below 10: read as
 * decimal octets and as nibbles alike, so in a zone with both families its
 * names are both trees' (only the first 4 levels: an IPv4 name has 4). */
static int tree_colliding(const struct xfr_tree *t, unsigned level,
			  xfr_u128 base)
{
	if (!t->mixed || level >= 4)
		return 0;
	for (unsigned j = 0; j < level; j++)
		if (((unsigned)(base >> (t->bits * (t->labels - 1 - j))) &
		     (t->fanout - 1)) >= 10)
			return 0;
	return 1;
}

/* The relative name of a node (`wild`: its `*.` wildcard). */
static void tree_name(const struct xfr_tree *t, unsigned level, xfr_u128 base,
		      int wild, uint8_t *out)
{
	size_t p = 0, olen = wname_len(t->origin) - 1;

	if (wild) {
		out[p++] = 1;
		out[p++] = '*';
	}
	for (unsigned j = level; j-- > 0;) {
		unsigned v = (unsigned)(base >> (t->bits * (t->labels - 1 - j))) &
			     (t->fanout - 1);
		char txt[4];
		int n = t->family == 4 ? snprintf(txt, sizeof(txt), "%u", v)
				       : snprintf(txt, sizeof(txt), "%x", v);

		out[p++] = (uint8_t)n;
		memcpy(out + p, txt, (size_t)n);
		p += (size_t)n;
	}
	memcpy(out + p, t->origin, olen);
	out[p + olen] = 0;
}

/* The first segment ending at or after `a`. */
static size_t segs_find(const struct xfr_segs *s, xfr_u128 a)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].hi < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Splits a node's children into runs and picks its wildcard's key. */
static void frame_fill(struct xfr_tree *t, struct xfr_frame *f)
{
	unsigned ch = t->bits * (t->labels - f->level - 1), c = 0;
	xfr_u128 cm = tree_mask(t, f->level + 1);
	size_t s = segs_find(&t->segs, f->base);
	struct { uint32_t key; unsigned count; } tally[256];
	unsigned ntally = 0, best = 0;

	f->nruns = f->next = f->next_child = 0;
	while (c < t->fanout) {
		struct xfr_run *r = &f->runs[f->nruns++];
		xfr_u128 cb = f->base + ((xfr_u128)c << ch), ce = cb | cm;

		while (s < t->segs.n && t->segs.v[s].hi < cb)
			s++;
		r->first = c;
		if (s == t->segs.n || t->segs.v[s].lo > ce) {
			unsigned next = t->fanout;

			if (s < t->segs.n &&
			    t->segs.v[s].lo <= (f->base | tree_mask(t, f->level)))
				next = (unsigned)((t->segs.v[s].lo - f->base) >> ch);
			r->constant = 1;
			r->key = XFR_KEY_NONE;
			r->count = next - c;
		} else if (t->segs.v[s].lo <= cb && t->segs.v[s].hi >= ce) {
			xfr_u128 hi = t->segs.v[s].hi, bend = f->base |
				      tree_mask(t, f->level);
			unsigned last = hi >= bend ? t->fanout - 1
				: (unsigned)((hi - f->base) >> ch);

			if (hi < bend && (hi & cm) != cm)
				last--;
			r->constant = 1;
			r->key = t->segs.v[s].key;
			r->count = last - c + 1;
		} else {
			size_t e = s;

			while (e < t->segs.n && t->segs.v[e].lo <= ce)
				e++;
			r->constant = 0;
			r->count = 1;
			r->si = s;
			r->se = e;
		}
		c += r->count;
		if (r->constant) {
			unsigned k = 0;

			while (k < ntally && tally[k].key != r->key)
				k++;
			if (k == ntally) {
				tally[ntally].key = r->key;
				tally[ntally++].count = 0;
			}
			tally[k].count += r->count;
		}
	}
	f->dflt = XFR_KEY_NONE;
	for (unsigned k = 0; k < ntally; k++)
		if (tally[k].count > best ||
		    (tally[k].count == best && tally[k].key == XFR_KEY_NONE)) {
			best = tally[k].count;
			f->dflt = tally[k].key;
		}
	if (tree_colliding(t, f->level, f->base))
		f->dflt = XFR_KEY_NONE;
}

/* Pushes a node; 1 if its wildcard is to be written (in *e). */
static int tree_push(struct xfr_tree *t, unsigned level, xfr_u128 base,
		     struct xfr_item *e)
{
	struct xfr_frame *f = &t->st[t->depth++];

	f->level = level;
	f->base = base;
	frame_fill(t, f);
	if (f->dflt == XFR_KEY_NONE)
		return 0;
	/* An address of the wildcard's key: the start of a run that has it. */
	for (unsigned i = 0; i < f->nruns; i++)
		if (f->runs[i].constant && f->runs[i].key == f->dflt) {
			unsigned ch = t->bits * (t->labels - level - 1);

			tree_name(t, level, base, 1, e->owner);
			tree_name(t, t->labels, base +
				  ((xfr_u128)f->runs[i].first << ch), 0, e->ask);
			e->kind = XFR_ITEM_ANSWER;
			return 1;
		}
	return 0;
}

/* The next name of the tree: 1 and *e, or 0 when the walk is over. */
static int tree_next(struct xfr_tree *t, struct xfr_item *e)
{
	if (!t->started) {
		t->started = 1;
		if (!t->segs.n)
			return 0;
		if (tree_push(t, 0, 0, e))
			return 1;
	}
	while (t->depth) {
		struct xfr_frame *f = &t->st[t->depth - 1];
		struct xfr_run *r;
		unsigned ch, level = f->level + 1, c;
		xfr_u128 cb;

		if (f->next >= f->nruns) {
			t->depth--;
			continue;
		}
		r = &f->runs[f->next];
		ch = t->bits * (t->labels - level);
		if (!r->constant) {
			f->next++;
			if (tree_push(t, level, f->base + ((xfr_u128)r->first << ch),
				      e))
				return 1;
			continue;
		}
		if (r->key == f->dflt || f->next_child >= r->count) {
			f->next++;
			f->next_child = 0;
			continue;
		}
		c = r->first + f->next_child++;
		cb = f->base + ((xfr_u128)c << ch);
		if (level == t->labels) {
			tree_name(t, level, cb, 0, e->owner);
			memcpy(e->ask, e->owner, wname_len(e->owner));
			e->kind = r->key == XFR_KEY_NONE ? XFR_ITEM_CNAME
							 : XFR_ITEM_ANSWER;
			return 1;
		}
		if (r->key != XFR_KEY_NONE && tree_colliding(t, level, cb)) {
			/* No wildcard here: name its children one by one. */
			if (tree_push(t, level, cb, e))
				return 1;
			continue;
		}
		e->kind = r->key == XFR_KEY_NONE ? XFR_ITEM_CNAME : XFR_ITEM_ANSWER;
		tree_name(t, level, cb, e->kind == XFR_ITEM_ANSWER, e->owner);
		tree_name(t, t->labels, cb, 0, e->ask);
		return 1;
	}
	return 0;
}

/* ---- dnset and generic names --------------------------------------------- */

/* A name in canonical order: reversed labels, each followed by a zero. */
struct xfr_name {
	uint8_t *key;
	size_t klen;
};

struct xfr_dnames {
	struct xfr_name *v;
	size_t n, cap;
	int oom;
	const uint8_t *origin;        /* collecting: relative to the zone */
};

/* Adds relative name `rel` (and, by the caller, its ancestors). */
static void names_add(struct xfr_dnames *ns, const uint8_t *rel)
{
	const uint8_t *lab[DNS_MAX_LABELS];
	unsigned n = 0;
	size_t len = 0;
	struct xfr_name *e;

	for (const uint8_t *p = rel; *p && n < DNS_MAX_LABELS; p += *p + 1)
		lab[n++] = p;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 256;
		struct xfr_name *v = realloc(ns->v, cap * sizeof(*v));

		if (!v) {
			ns->oom = 1;
			return;
		}
		ns->v = v;
		ns->cap = cap;
	}
	e = &ns->v[ns->n];
	e->key = malloc(wname_len(rel) + 1);
	if (!e->key) {
		ns->oom = 1;
		return;
	}
	while (n-- > 0) {
		memcpy(e->key + len, lab[n] + 1, lab[n][0]);
		len += lab[n][0];
		e->key[len++] = 0;
	}
	e->klen = len;
	ns->n++;
}

/* `rel` and every ancestor of it below the zone. */
static void names_add_all(struct xfr_dnames *ns, const uint8_t *rel)
{
	for (const uint8_t *p = rel; *p && !ns->oom; p += *p + 1)
		names_add(ns, p);
}

static int names_item(struct xfr_dnames *ns, const uint8_t *name)
{
	uint8_t rel[DNAME_MAX];

	if (dname_concat(name, ns->origin, rel) < 0)
		return 0;
	names_add_all(ns, rel);
	return ns->oom ? STORE_ENOMEM : 0;
}

static int names_dn_cb(const struct store_dn_item *it, void *arg)
{
	return names_item(arg, it->name);
}

static int names_generic_cb(const struct store_generic_item *it, void *arg)
{
	return names_item(arg, it->name);
}

static int name_cmp(const void *pa, const void *pb)
{
	const struct xfr_name *a = pa, *b = pb;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int d = memcmp(a->key, b->key, n);

	if (d)
		return d;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

/* The wire name (relative) of canonical key `k`. */
static void name_wire(const struct xfr_name *k, uint8_t *out)
{
	size_t starts[DNS_MAX_LABELS], n = 0, p = 0, o = 0;

	while (p < k->klen && n < DNS_MAX_LABELS) {
		starts[n++] = p;
		p += strlen((const char *)k->key + p) + 1;
	}
	while (n-- > 0) {
		size_t l = strlen((const char *)k->key + starts[n]);

		out[o++] = (uint8_t)l;
		memcpy(out + o, k->key + starts[n], l);
		o += l;
	}
	out[o] = 0;
}

/* Is name i's next one below it (so name i has descendants)? */
static int names_has_below(const struct xfr_dnames *ns, size_t i)
{
	return i + 1 < ns->n && ns->v[i + 1].klen > ns->v[i].klen &&
	       memcmp(ns->v[i + 1].key, ns->v[i].key, ns->v[i].klen) == 0;
}

static void names_free(struct xfr_dnames *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].key);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/* ---- the plan ------------------------------------------------------------ */

struct xfr_plan {
	const struct zp_zone *z;
	struct store_reader *rd;
	struct xfr_keys keys;
	struct xfr_tree *trees;
	size_t ntrees, ti;
	struct xfr_dnames names;
	size_t ni;
	int ni_step;                  /* 0: the name, 1: its wildcard */
};

/* ---- building it ------------------------------------------------------- */

/* The datasets answering at one origin. */
struct xfr_origin {
	const uint8_t *name;          /* relative to the zone */
	const struct zp_dataset *ds[XFR_MAX_DS];
	size_t nds;
};

static int xfr_tree_add(struct xfr_plan *x, const struct xfr_origin *o,
			int family, int apex)
{
	struct xfr_segs in[XFR_MAX_DS];
	struct xfr_tree *t, *v;
	size_t nin = 0;
	int rc = 0;

	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < o->nds; i++) {
		struct xfr_collect c = { &x->keys, &in[nin], family,
					 (uint32_t)i, 0 };

		if (!o->ds[i]->meta || !(ds_type_keys(o->ds[i]->meta->type) &
				       ds_keys_of_family(family)))
			continue;
		if (store_iter_ranges(x->rd, o->ds[i]->meta->dsid, collect_cb,
				      &c) != 0 || c.oom)
			rc = -1;
		nin++;
	}
	v = realloc(x->trees, (x->ntrees + 1) * sizeof(*v));
	if (!v)
		rc = -1;
	else
		x->trees = v;
	if (rc == 0) {
		t = &x->trees[x->ntrees];
		memset(t, 0, sizeof(*t));
		t->family = family;
		t->labels = family == 4 ? 4 : 32;
		t->bits = family == 4 ? 8 : 4;
		t->fanout = family == 4 ? 256 : 16;
		memcpy(t->origin, o->name, wname_len(o->name));
		if (nin)
			rc = segs_merge(&x->keys, in, nin, family == 4 ?
					0xffffffffu : ~(xfr_u128)0, &t->segs);
		/* RFC 5782 test points, as answer.c has them at the apex. */
		if (rc == 0 && apex && family == 4 && x->z->has_ip4)
			rc = segs_test_point(&t->segs, 0x7f000001, XFR_KEY_NONE) ||
			     segs_test_point(&t->segs, 0x7f000002, XFR_KEY_TEST);
		if (rc == 0 && apex && family == 6 && x->z->has_ip6) {
			xfr_u128 m = (xfr_u128)0xffff << 32;

			if (x->z->has_ip4)
				rc = segs_set(&t->segs, m, m | 0xffffffffu,
					      XFR_KEY_NONE);
			if (rc == 0)
				rc = segs_test_point(&t->segs, m | 0x7f000001,
						     XFR_KEY_NONE) ||
				     segs_test_point(&t->segs, m | 0x7f000002,
						     XFR_KEY_TEST);
		}
		t->st = calloc(t->labels + 1, sizeof(*t->st));
		if (!t->st)
			rc = -1;
		x->ntrees++;
	}
	for (size_t i = 0; i < nin; i++)
		free(in[i].v);
	return rc;
}

static int xfr_names_add(struct xfr_plan *x, const struct xfr_origin *o)
{
	x->names.origin = o->name;
	for (size_t i = 0; i < o->nds; i++) {
		const struct store_dsmeta *m = o->ds[i]->meta;
		int rc = 0;

		if (!m)
			continue;
		if (m->type == DS_DNSET)
			rc = store_iter_dn(x->rd, m->dsid, names_dn_cb, &x->names);
		else if (m->type == DS_GENERIC)
			rc = store_iter_generic(x->rd, m->dsid, names_generic_cb,
						&x->names);
		if (rc != 0 || x->names.oom)
			return -1;
	}
	return 0;
}

/* Collects the origins of the zone, their trees and names. */
static int xfr_prepare(struct xfr_plan *x)
{
	const struct zp_zone *z = x->z;
	struct xfr_origin *o = calloc(1 + 64, sizeof(*o));
	size_t no = 1;
	int rc = 0;

	if (!o)
		return -1;
	o[0].name = (const uint8_t *)"";
	for (size_t i = 0; i < z->nds; i++) {
		if (z->ds[i].type != DS_COMBINED) {
			if (o[0].nds < XFR_MAX_DS)
				o[0].ds[o[0].nds++] = &z->ds[i];
			continue;
		}
		for (size_t k = 0; z->subs[i] && k < z->nsubs[i]; k++) {
			const struct zp_sub *s = &z->subs[i][k];
			size_t j = 0;

			while (j < no && !dname_equal(o[j].name, s->subzone))
				j++;
			if (j == no) {
				if (no == 65)
					continue;
				o[no++].name = s->subzone;
			}
			if (o[j].nds < XFR_MAX_DS)
				o[j].ds[o[j].nds++] = &s->ds;
		}
	}
	for (size_t j = 0; j < no && rc == 0; j++) {
		size_t first = x->ntrees;

		rc = xfr_tree_add(x, &o[j], 4, j == 0);
		if (rc == 0)
			rc = xfr_tree_add(x, &o[j], 6, j == 0);
		if (rc == 0 && x->trees[first].segs.n &&
		    x->trees[first + 1].segs.n)
			x->trees[first].mixed = x->trees[first + 1].mixed = 1;
		if (rc == 0)
			rc = xfr_names_add(x, &o[j]);
	}
	if (rc == 0 && z->has_dn) {
		names_add(&x->names, (const uint8_t *)"\004test");
		names_add(&x->names, (const uint8_t *)"\007invalid");
	}
	names_add(&x->names, (const uint8_t *)"");   /* `*.zone` */
	if (x->names.oom)
		rc = -1;
	if (rc == 0 && x->names.n > 1) {
		size_t u = 1;

		qsort(x->names.v, x->names.n, sizeof(*x->names.v), name_cmp);
		for (size_t i = 1; i < x->names.n; i++) {
			if (name_cmp(&x->names.v[i], &x->names.v[u - 1]) == 0) {
				free(x->names.v[i].key);
				continue;
			}
			x->names.v[u++] = x->names.v[i];
		}
		x->names.n = u;
	}
	free(o);
	return rc;
}

struct xfr_plan *xfr_plan_new(const struct zp_zone *z, struct store_reader *rd)
{
	struct xfr_plan *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->z = z;
	x->rd = rd;
	if (xfr_prepare(x) < 0) {
		xfr_plan_free(x);
		return NULL;
	}
	return x;
}

int xfr_plan_next(struct xfr_plan *x, struct xfr_item *it)
{
	while (x->ti < x->ntrees) {
		if (tree_next(&x->trees[x->ti], it))
			return 1;
		x->ti++;
	}
	while (x->ni < x->names.n) {
		const struct xfr_name *k = &x->names.v[x->ni];

		if (x->ni_step == 0) {
			x->ni_step = 1;
			if (k->klen == 0)
				continue;  /* the apex: its wildcard only */
			name_wire(k, it->owner);
			memcpy(it->ask, it->owner, wname_len(it->owner));
			it->kind = XFR_ITEM_NAME;
			it->leaf = !names_has_below(&x->names, x->ni);
			return 1;
		}
		x->ni_step = 0;
		x->ni++;
		if (k->klen + 3 > DNAME_MAX)
			continue;
		it->owner[0] = 1;
		it->owner[1] = '*';
		name_wire(k, it->owner + 2);
		memcpy(it->ask, it->owner, wname_len(it->owner));
		it->kind = XFR_ITEM_ANSWER;
		return 1;
	}
	return 0;
}

void xfr_plan_free(struct xfr_plan *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->ntrees; i++) {
		free(x->trees[i].segs.v);
		free(x->trees[i].st);
	}
	free(x->trees);
	names_free(&x->names);
	keys_free(&x->keys);
	free(x);
}
