/* dataset.c -- in-memory dataset model: value interning, entry arrays.
 *
 * Values are interned with a small open-addressing hash table so that feeds
 * where every line carries the same `:A:TXT` (or the default) keep one copy.
 */
#include "dataset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

static const char *const ds_type_names[DS_TYPE_COUNT] = {
	[DS_IP4SET] = "ip4set",   [DS_IP4TSET] = "ip4tset",
	[DS_IP4TRIE] = "ip4trie", [DS_IP6TRIE] = "ip6trie",
	[DS_IP6TSET] = "ip6tset", [DS_DNSET] = "dnset",
	[DS_GENERIC] = "generic", [DS_COMBINED] = "combined",
	[DS_ACL] = "acl",         [DS_TRAP] = "trap",
	[DS_COUNTRY] = "country", [DS_ASN] = "asn",
};

const char *ds_type_name(enum ds_type type)
{
	return (unsigned)type < DS_TYPE_COUNT ? ds_type_names[type] : NULL;
}

unsigned ds_type_keys(enum ds_type type)
{
	switch (type) {
	case DS_IP4SET:
	case DS_IP4TSET:
	case DS_IP4TRIE:
		return DS_KEYS_IP4;
	case DS_IP6TRIE:
	case DS_IP6TSET:
		return DS_KEYS_IP6;
	case DS_ACL:
	case DS_TRAP:
	case DS_COUNTRY:
	case DS_ASN:
		return DS_KEYS_IP4 | DS_KEYS_IP6;
	case DS_DNSET:
	case DS_GENERIC:
		return DS_KEYS_NAME;
	default:
		return 0;
	}
}

int ds_type_parse(const char *name, enum ds_type *out)
{
	for (int t = 0; t < DS_TYPE_COUNT; t++) {
		if (strcasecmp(name, ds_type_names[t]) == 0) {
			*out = (enum ds_type)t;
			return 0;
		}
	}
	return -1;
}

/* The intern table lives beside the dataset, keyed by its address, so the
 * public struct stays plain data.  A slot holds a value's 32-bit hash in
 * its high half and its index + 1 in the low half (0: empty), so a probe
 * compares hashes in the table and only reads the value itself when they
 * match: a feed where nearly every line has its own text interns a million
 * values, and each read of a value is a cache miss. */
struct value_index {
	uint64_t *slots;
	size_t cap;   /* power of two */
};

struct dataset_private {
	struct dataset pub;   /* first, so a dataset* is a dataset_private* */
	struct value_index vix;
	uint32_t next_seq;
};

static struct dataset_private *priv(struct dataset *ds)
{
	return (struct dataset_private *)ds;
}

struct dataset *dataset_new(enum ds_type type)
{
	struct dataset_private *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pub.type = type;
	return &p->pub;
}

static void meta_free(struct ds_meta *m)
{
	free(m->soa.mname);
	free(m->soa.rname);
	for (size_t i = 0; i < m->ns.count; i++)
		free(m->ns.names[i]);
	for (int i = 0; i < 10; i++)
		free(m->vars[i]);
	free(m->base_template);
}

void dataset_free(struct dataset *ds)
{
	if (!ds)
		return;
	meta_free(&ds->meta);
	for (size_t i = 0; i < ds->nvalues; i++)
		free(ds->values[i].txt);
	free(ds->values);
	free(ds->ip4);
	free(ds->ip);
	for (size_t i = 0; i < ds->ndn; i++)
		free(ds->dn[i].name);
	free(ds->dn);
	for (size_t i = 0; i < ds->nrr; i++) {
		free(ds->rr[i].name);
		free(ds->rr[i].rdata);
	}
	free(ds->rr);
	for (size_t i = 0; i < ds->nchildren; i++) {
		struct ds_child *c = &ds->children[i];

		free(c->label);
		for (size_t j = 0; j < c->nsubzones; j++)
			free(c->subzones[j]);
		free(c->subzones);
		dataset_free(c->data);
	}
	free(ds->children);
	free(priv(ds)->vix.slots);
	free(priv(ds));
}

/* Grows *arr (of *cap elements of `size`) to hold one more than `n`. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* A 32-bit hash of a value, 8 bytes of text at a time; only the intern
 * table sees it (the slot is its low bits). */
static uint32_t value_hash(uint8_t kind, uint32_t a, const char *txt, size_t len)
{
	const uint64_t m = 0x9e3779b97f4a7c15ULL;
	uint64_t h = ((uint64_t)kind << 40 | (uint64_t)(txt != NULL) << 32 | a) * m;
	size_t i = 0;

	h ^= len;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, txt + i, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
	}
	if (i < len) {
		uint64_t w = 0;

		memcpy(&w, txt + i, len - i);
		h = (h ^ w) * m;
	}
	h ^= h >> 32;
	h *= m;
	return (uint32_t)(h >> 32);
}

static int value_equal(const struct ds_value *v, uint8_t kind, uint32_t a,
		       const char *txt, size_t len)
{
	if (v->kind != kind || v->a != a || (v->txt != NULL) != (txt != NULL))
		return 0;
	return !txt || (v->txtlen == len && memcmp(v->txt, txt, len) == 0);
}

/* The table is probed at random, once per line that has a value of its
 * own: past a few MiB each probe is a TLB miss as well as a cache miss
 * with 4 KiB pages, so it asks for huge pages (a hint; only the whole
 * 2 MiB pages inside the block). */
static void vix_huge_pages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

	if (len >= 2 * huge && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/* Moves every slot into a table of `ncap` slots; the hashes are in the
 * slots, so the values are not read. */
static int vix_rehash(struct dataset *ds, size_t ncap)
{
	struct value_index *vix = &priv(ds)->vix;
	uint64_t *slots = calloc(ncap, sizeof(*slots));

	if (!slots)
		return -1;
	vix_huge_pages(slots, ncap * sizeof(*slots));
	for (size_t i = 0; i < vix->cap; i++) {
		uint64_t slot = vix->slots[i];
		size_t s;

		if (!slot)
			continue;
		s = (slot >> 32) & (ncap - 1);
		while (slots[s])
			s = (s + 1) & (ncap - 1);
		slots[s] = slot;
	}
	free(vix->slots);
	vix->slots = slots;
	vix->cap = ncap;
	return 0;
}

int64_t dataset_value(struct dataset *ds, uint8_t kind, uint32_t a,
		      const char *txt, size_t txtlen)
{
	struct value_index *vix = &priv(ds)->vix;
	struct ds_value *v;
	uint32_t h;
	size_t s;

	if (txtlen > 255)
		txtlen = 255;
	/* Keep the load factor under one half. */
	if ((ds->nvalues + 1) * 2 > vix->cap &&
	    vix_rehash(ds, vix->cap ? vix->cap * 2 : 64) < 0)
		return -1;
	h = value_hash(kind, a, txt, txtlen);
	s = h & (vix->cap - 1);
	for (; vix->slots[s]; s = (s + 1) & (vix->cap - 1)) {
		uint64_t slot = vix->slots[s];
		uint32_t idx = (uint32_t)slot - 1;

		if ((uint32_t)(slot >> 32) == h &&
		    value_equal(&ds->values[idx], kind, a, txt, txtlen))
			return idx;
	}
	if (grow((void **)&ds->values, &ds->values_cap, ds->nvalues,
		 sizeof(*ds->values)) < 0)
		return -1;
	v = &ds->values[ds->nvalues];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->a = a;
	if (txt) {
		v->txt = malloc(txtlen + 1);
		if (!v->txt)
			return -1;
		memcpy(v->txt, txt, txtlen);
		v->txt[txtlen] = '\0';
		v->txtlen = (uint16_t)txtlen;
	}
	vix->slots[s] = (uint64_t)h << 32 | ((uint32_t)ds->nvalues + 1);
	return (int64_t)ds->nvalues++;
}

int dataset_add_ip4(struct dataset *ds, uint32_t addr, uint8_t plen,
		    uint8_t excluded, uint32_t value)
{
	struct ds_ip4_entry *o;

	if (ds->nip4 >= ds->ip4_cap &&
	    grow((void **)&ds->ip4, &ds->ip4_cap, ds->nip4,
		 sizeof(*ds->ip4)) < 0)
		return -1;
	ds->ip4_sorted = 0;
	o = &ds->ip4[ds->nip4++];
	memset(o, 0, sizeof(*o));
	o->addr = addr;
	o->value = value;
	o->seq = priv(ds)->next_seq++;
	o->plen = plen;
	o->excluded = excluded;
	return 0;
}

int dataset_add_ip(struct dataset *ds, const struct ds_ip_entry *e)
{
	if (e->family == 4)
		return dataset_add_ip4(ds, (uint32_t)e->addr[0] << 24 |
				       (uint32_t)e->addr[1] << 16 |
				       (uint32_t)e->addr[2] << 8 | e->addr[3],
				       e->plen, e->excluded, e->value);
	if (grow((void **)&ds->ip, &ds->ip_cap, ds->nip, sizeof(*ds->ip)) < 0)
		return -1;
	ds->ip[ds->nip] = *e;
	ds->ip[ds->nip].seq = priv(ds)->next_seq++;
	ds->nip++;
	return 0;
}

size_t dataset_nip(const struct dataset *ds)
{
	return ds->nip4 + ds->nip;
}

void dataset_ip_get(const struct dataset *ds, size_t i, struct ds_ip_entry *out)
{
	const struct ds_ip4_entry *e;

	if (i >= ds->nip4) {
		*out = ds->ip[i - ds->nip4];
		return;
	}
	e = &ds->ip4[i];
	memset(out, 0, sizeof(*out));
	out->addr[0] = (uint8_t)(e->addr >> 24);
	out->addr[1] = (uint8_t)(e->addr >> 16);
	out->addr[2] = (uint8_t)(e->addr >> 8);
	out->addr[3] = (uint8_t)e->addr;
	out->family = 4;
	out->plen = e->plen;
	out->excluded = e->excluded;
	out->value = e->value;
	out->seq = e->seq;
}

/* The sort key: (address, plen) in 40 bits; seq breaks ties. */
static uint64_t ip4_key(const struct ds_ip4_entry *e)
{
	return (uint64_t)e->addr << 8 | e->plen;
}

static int ip4_less(const struct ds_ip4_entry *x, const struct ds_ip4_entry *y)
{
	uint64_t a = ip4_key(x), b = ip4_key(y);

	return a < b || (a == b && x->seq < y->seq);
}

static int ip4_cmp(const void *a, const void *b)
{
	return ip4_less(a, b) ? -1 : ip4_less(b, a);
}

int ds_ip4_sorted(const struct ds_ip4_entry *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (ip4_less(&a[i], &a[i - 1]))
			return 0;
	return 1;
}

static void ip4_insertion_sort(struct ds_ip4_entry *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ds_ip4_entry t = a[i];
		size_t j = i;

		for (; j && ip4_less(&t, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/* Buckets up to this many entries are sorted through a scratch array of
 * that size (1 MiB), bigger ones in place. */
#define IP4_SORT_SCRATCH 65536

/* Sorts `n` entries that agree on the key bytes above `shift` by the key
 * bytes at `shift` and below: LSD radix passes through `tmp`, then each
 * run of one prefix in data order (the passes keep the order they came
 * in, which the in-place passes above did not). */
static void ip4_lsd_sort(struct ds_ip4_entry *a, size_t n, int shift,
			 struct ds_ip4_entry *tmp)
{
	size_t count[5][256] = { { 0 } };
	struct ds_ip4_entry *src = a, *dst = tmp;
	int passes = shift / 8 + 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t k = ip4_key(&a[i]);

		for (int p = 0; p < passes; p++)
			count[p][(k >> (8 * p)) & 255]++;
	}
	for (int p = 0; p < passes; p++) {
		size_t sum = 0;

		if (count[p][(ip4_key(&a[0]) >> (8 * p)) & 255] == n)
			continue;   /* one digit: the pass would move nothing */
		for (unsigned d = 0; d < 256; d++) {
			size_t c = count[p][d];

			count[p][d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[p][(ip4_key(&src[i]) >> (8 * p)) & 255]++] =
				src[i];
		src = dst;
		dst = src == a ? tmp : a;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && ip4_key(&a[j]) == ip4_key(&a[i]); j++)
			;
		if (j - i <= 32)
			ip4_insertion_sort(a + i, j - i);
		else
			qsort(a + i, j - i, sizeof(*a), ip4_cmp);
	}
}

/* From this many entries, the buckets below the first key byte are
 * sorted on two threads (each with its own scratch array). */
#define IP4_SORT_PARALLEL (1u << 20)

static void ip4_radix_sort(struct ds_ip4_entry *a, size_t n, int shift,
			   struct ds_ip4_entry *tmp, int par);

/* The buckets d0 .. d1-1 of one MSD level (the first at `a`), each sorted
 * on the key bytes below. */
struct ip4_buckets {
	struct ds_ip4_entry *a;
	const size_t *count;
	unsigned d0, d1;
	int shift;
	struct ds_ip4_entry *tmp;
};

static void ip4_sort_buckets(const struct ip4_buckets *b)
{
	struct ds_ip4_entry *p = b->a;

	for (unsigned d = b->d0; d < b->d1; d++) {
		if (b->count[d] > 1)
			ip4_radix_sort(p, b->count[d], b->shift, b->tmp, 0);
		p += b->count[d];
	}
}

static void *ip4_sort_buckets_main(void *arg)
{
	ip4_sort_buckets(arg);
	return NULL;
}

/* Sorts the buckets, the upper half of the entries on a second thread when
 * `par` allows one and there are enough of them (the buckets are
 * disjoint, so the result is the same either way). */
static void ip4_sort_bucket_halves(struct ds_ip4_entry *a, size_t n,
				   const size_t *count, int shift,
				   struct ds_ip4_entry *tmp, int par)
{
	struct ip4_buckets lo = { a, count, 0, 256, shift, tmp }, hi;
	size_t half = 0;
	unsigned d = 0;
	pthread_t th;

	if (par && n >= IP4_SORT_PARALLEL) {
		while (d < 256 && half + count[d] <= n / 2)
			half += count[d++];
		hi = (struct ip4_buckets){ a + half, count, d, 256, shift,
					   malloc(IP4_SORT_SCRATCH * sizeof(*tmp)) };
		if (hi.tmp && pthread_create(&th, NULL, ip4_sort_buckets_main,
					     &hi) == 0) {
			lo.d1 = d;
			ip4_sort_buckets(&lo);
			pthread_join(th, NULL);
			free(hi.tmp);
			return;
		}
		free(hi.tmp);
	}
	ip4_sort_buckets(&lo);
}

/* In place, without a second array of the entries' size (a big feed's
 * entries are the loader's largest allocation): an MSD radix sort on the
 * key byte at `shift` (32: the address's first byte ... 0: plen), each
 * bucket permuted by swap cycles, then sorted on the bytes below; once a
 * bucket fits the scratch array, by ip4_lsd_sort. */
static void ip4_radix_sort(struct ds_ip4_entry *a, size_t n, int shift,
			   struct ds_ip4_entry *tmp, int par)
{
	size_t count[256] = { 0 }, next[256], end[256], pos = 0;

	if (n <= 32) {
		ip4_insertion_sort(a, n);
		return;
	}
	if (n <= IP4_SORT_SCRATCH) {
		ip4_lsd_sort(a, n, shift, tmp);
		return;
	}
	if (shift < 0) {   /* one prefix: data order */
		qsort(a, n, sizeof(*a), ip4_cmp);
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[(ip4_key(&a[i]) >> shift) & 255]++;
	for (unsigned d = 0; d < 256; d++) {
		if (count[d] == n) {   /* one bucket: nothing to move */
			ip4_radix_sort(a, n, shift - 8, tmp, par);
			return;
		}
		next[d] = pos;
		pos += count[d];
		end[d] = pos;
	}
	for (unsigned d = 0; d < 256; d++) {
		while (next[d] < end[d]) {
			struct ds_ip4_entry x = a[next[d]];
			unsigned dx = (ip4_key(&x) >> shift) & 255;

			while (dx != d) {
				struct ds_ip4_entry t = a[next[dx]];

				a[next[dx]++] = x;
				x = t;
				dx = (ip4_key(&x) >> shift) & 255;
			}
			a[next[d]++] = x;
		}
	}
	ip4_sort_bucket_halves(a, n, count, shift - 8, tmp, par);
}

int ds_ip4_sort(struct ds_ip4_entry *a, size_t n)
{
	size_t ntmp = n < IP4_SORT_SCRATCH ? n : IP4_SORT_SCRATCH;
	struct ds_ip4_entry *tmp;

	if (ds_ip4_sorted(a, n))
		return 0;
	tmp = malloc((ntmp ? ntmp : 1) * sizeof(*tmp));
	if (!tmp)
		return -1;
	ip4_radix_sort(a, n, 32, tmp, 1);
	free(tmp);
	return 0;
}

int dataset_sort_ip4(struct dataset *ds)
{
	if (ds_ip4_sort(ds->ip4, ds->nip4) < 0)
		return -1;
	ds->ip4_sorted = 1;
	return 0;
}

int dataset_ip4_in_order(const struct dataset *ds)
{
	return ds->ip4_sorted || ds_ip4_sorted(ds->ip4, ds->nip4);
}

int dataset_add_dn(struct dataset *ds, const struct ds_dn_entry *e)
{
	uint8_t *name;

	if (grow((void **)&ds->dn, &ds->dn_cap, ds->ndn, sizeof(*ds->dn)) < 0)
		return -1;
	name = wname_dup(e->name);
	if (!name)
		return -1;
	ds->dn[ds->ndn] = *e;
	ds->dn[ds->ndn].name = name;
	ds->dn[ds->ndn].seq = priv(ds)->next_seq++;
	ds->ndn++;
	return 0;
}

int dataset_add_rr(struct dataset *ds, const struct ds_rr *rr)
{
	uint8_t *name, *rdata;

	if (grow((void **)&ds->rr, &ds->rr_cap, ds->nrr, sizeof(*ds->rr)) < 0)
		return -1;
	name = wname_dup(rr->name);
	rdata = malloc(rr->rdlen ? rr->rdlen : 1);
	if (!name || !rdata) {
		free(name);
		free(rdata);
		return -1;
	}
	memcpy(rdata, rr->rdata, rr->rdlen);
	ds->rr[ds->nrr] = *rr;
	ds->rr[ds->nrr].name = name;
	ds->rr[ds->nrr].rdata = rdata;
	ds->rr[ds->nrr].seq = priv(ds)->next_seq++;
	ds->nrr++;
	return 0;
}

struct ds_child *dataset_add_child(struct dataset *ds, enum ds_type type,
				   const char *label)
{
	struct ds_child *c;

	if (grow((void **)&ds->children, &ds->children_cap, ds->nchildren,
		 sizeof(*ds->children)) < 0)
		return NULL;
	c = &ds->children[ds->nchildren];
	memset(c, 0, sizeof(*c));
	c->data = dataset_new(type);
	if (!c->data)
		return NULL;
	if (label && !(c->label = strdup(label))) {
		dataset_free(c->data);
		return NULL;
	}
	ds->nchildren++;
	return c;
}

size_t wname_len(const uint8_t *wname)
{
	size_t n = 0;

	while (wname[n])
		n += (size_t)wname[n] + 1;
	return n + 1;
}

unsigned wname_labels(const uint8_t *wname)
{
	unsigned count = 0;

	for (size_t n = 0; wname[n]; n += (size_t)wname[n] + 1)
		count++;
	return count;
}

uint8_t *wname_dup(const uint8_t *wname)
{
	size_t len = wname_len(wname);
	uint8_t *p = malloc(len);

	if (p)
		memcpy(p, wname, len);
	return p;
}
