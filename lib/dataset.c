/* dataset.c -- in-memory dataset model: value interning, entry arrays.
 *
 * Values are interned with a small open-addressing hash table so that feeds
 * where every line carries the same `:A:TXT` (or the default) keep one copy.
 */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
 * public struct stays plain data.  It maps value hash -> index + 1. */
struct value_index {
	uint32_t *slots;
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

static uint64_t value_hash(uint8_t kind, uint32_t a, const char *txt, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ kind) * 0x100000001b3ULL;
	h = (h ^ a) * 0x100000001b3ULL;
	h = (h ^ (txt ? 1u : 0u)) * 0x100000001b3ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)txt[i]) * 0x100000001b3ULL;
	return h;
}

static int value_equal(const struct ds_value *v, uint8_t kind, uint32_t a,
		       const char *txt, size_t len)
{
	if (v->kind != kind || v->a != a || (v->txt != NULL) != (txt != NULL))
		return 0;
	return !txt || (v->txtlen == len && memcmp(v->txt, txt, len) == 0);
}

static int vix_rehash(struct dataset *ds, size_t ncap)
{
	uint32_t *slots = calloc(ncap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < ds->nvalues; i++) {
		const struct ds_value *v = &ds->values[i];
		size_t s = value_hash(v->kind, v->a, v->txt, v->txtlen) & (ncap - 1);

		while (slots[s])
			s = (s + 1) & (ncap - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(priv(ds)->vix.slots);
	priv(ds)->vix.slots = slots;
	priv(ds)->vix.cap = ncap;
	return 0;
}

int64_t dataset_value(struct dataset *ds, uint8_t kind, uint32_t a,
		      const char *txt, size_t txtlen)
{
	struct value_index *vix = &priv(ds)->vix;
	struct ds_value *v;
	size_t s;

	if (txtlen > 255)
		txtlen = 255;
	/* Keep the load factor under one half. */
	if ((ds->nvalues + 1) * 2 > vix->cap &&
	    vix_rehash(ds, vix->cap ? vix->cap * 2 : 64) < 0)
		return -1;
	s = value_hash(kind, a, txt, txtlen) & (vix->cap - 1);
	for (; vix->slots[s]; s = (s + 1) & (vix->cap - 1)) {
		uint32_t idx = vix->slots[s] - 1;

		if (value_equal(&ds->values[idx], kind, a, txt, txtlen))
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
	vix->slots[s] = (uint32_t)ds->nvalues + 1;
	return (int64_t)ds->nvalues++;
}

int dataset_add_ip(struct dataset *ds, const struct ds_ip_entry *e)
{
	if (grow((void **)&ds->ip, &ds->ip_cap, ds->nip, sizeof(*ds->ip)) < 0)
		return -1;
	ds->ip[ds->nip] = *e;
	ds->ip[ds->nip].seq = priv(ds)->next_seq++;
	ds->nip++;
	return 0;
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
