/* store_meta.c -- a dataset's metadata record: encode, decode, free.
 *
 * One blob per dataset: version u8, content length u32, the content part
 * (type, the $SOA/$NS/$TTL/$n/$=/$TIMESTAMP specials, combined sections),
 * then the state part (name, serial, mtimes, load time, entry count, source
 * files).  The writer compares content parts byte for byte: a change there
 * is a change of the dataset even when no record moved.  Every read is
 * bounds-checked; a short or odd blob is STORE_EINVAL, never an over-read.
 */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

#define META_VERSION 1
#define META_NOSTR 0xffffffffu

struct mbuf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

static uint8_t *mb_room(struct mbuf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->len + n > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		uint8_t *p;

		while (ncap < b->len + n)
			ncap *= 2;
		p = realloc(b->p, ncap);
		if (!p) {
			b->oom = 1;
			return NULL;
		}
		b->p = p;
		b->cap = ncap;
	}
	b->len += n;
	return b->p + b->len - n;
}

static void mb_u8(struct mbuf *b, uint8_t v)
{
	uint8_t *p = mb_room(b, 1);

	if (p)
		*p = v;
}

static void mb_u32(struct mbuf *b, uint32_t v)
{
	uint8_t *p = mb_room(b, 4);

	if (p)
		be32_put(p, v);
}

static void mb_u64(struct mbuf *b, uint64_t v)
{
	uint8_t *p = mb_room(b, 8);

	if (p)
		be64_put(p, v);
}

static void mb_bytes(struct mbuf *b, const void *data, size_t len)
{
	uint8_t *p;

	if (!data) {
		mb_u32(b, META_NOSTR);
		return;
	}
	mb_u32(b, (uint32_t)len);
	p = mb_room(b, len);
	if (p && len)
		memcpy(p, data, len);
}

static void mb_str(struct mbuf *b, const char *s)
{
	mb_bytes(b, s, s ? strlen(s) : 0);
}

static void mb_wname(struct mbuf *b, const uint8_t *w)
{
	mb_bytes(b, w, w ? wname_len(w) : 0);
}

static void meta_encode_specials(struct mbuf *b, const struct ds_meta *m)
{
	mb_u8(b, m->soa.present ? 1 : 0);
	mb_u32(b, m->soa.ttl);
	mb_wname(b, m->soa.present ? m->soa.mname : NULL);
	mb_wname(b, m->soa.present ? m->soa.rname : NULL);
	mb_u32(b, m->soa.serial);
	mb_u32(b, m->soa.refresh);
	mb_u32(b, m->soa.retry);
	mb_u32(b, m->soa.expire);
	mb_u32(b, m->soa.minimum);
	mb_u32(b, m->ns.ttl);
	mb_u32(b, (uint32_t)m->ns.count);
	for (size_t i = 0; i < m->ns.count; i++)
		mb_wname(b, m->ns.names[i]);
	mb_u32(b, m->ttl);
	mb_u32(b, m->maxrange4);
	mb_u64(b, (uint64_t)m->timestamp);
	mb_u64(b, (uint64_t)m->expires);
	for (int i = 0; i < 10; i++)
		mb_str(b, m->vars[i]);
	mb_str(b, m->base_template);
}

int store_meta_encode(const struct store_meta_in *in, uint8_t **blob,
		      size_t *len)
{
	struct mbuf b = { 0 };
	size_t cstart;

	mb_u8(&b, META_VERSION);
	mb_u32(&b, 0);            /* content length, patched below */
	cstart = b.len;
	mb_u8(&b, (uint8_t)in->type);
	meta_encode_specials(&b, in->meta);
	mb_u32(&b, (uint32_t)in->nchildren);
	for (size_t i = 0; i < in->nchildren; i++) {
		const struct ds_child *c = &in->children[i];

		mb_str(&b, c->label);
		mb_u32(&b, in->child_dsids[i]);
		mb_u32(&b, (uint32_t)c->nsubzones);
		for (size_t j = 0; j < c->nsubzones; j++)
			mb_wname(&b, c->subzones[j]);
	}
	if (!b.oom)
		be32_put(b.p + 1, (uint32_t)(b.len - cstart));
	mb_str(&b, in->name);
	mb_u32(&b, in->serial);
	mb_u64(&b, (uint64_t)in->newest_mtime);
	mb_u64(&b, (uint64_t)in->loaded_at);
	mb_u64(&b, in->entries);
	mb_u32(&b, (uint32_t)in->nsources);
	for (size_t i = 0; i < in->nsources; i++) {
		mb_str(&b, in->sources[i].path);
		mb_u64(&b, in->sources[i].size);
		mb_u64(&b, (uint64_t)in->sources[i].mtime);
		mb_u64(&b, in->sources[i].hash);
	}
	if (b.oom) {
		free(b.p);
		return STORE_ENOMEM;
	}
	*blob = b.p;
	*len = b.len;
	return 0;
}

int store_meta_content(const uint8_t *blob, size_t len,
		       const uint8_t **content, size_t *clen)
{
	uint32_t n;

	if (len < 5 || blob[0] != META_VERSION)
		return STORE_EINVAL;
	n = be32_get(blob + 1);
	if (n > len - 5)
		return STORE_EINVAL;
	*content = blob + 5;
	*clen = n;
	return 0;
}

/* ---- decoding ----------------------------------------------------------- */

struct mrd {
	const uint8_t *p, *end;
	int bad;    /* short read or out of memory */
};

static const uint8_t *rd_take(struct mrd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}

static uint8_t rd_u8(struct mrd *r)
{
	const uint8_t *p = rd_take(r, 1);

	return p ? *p : 0;
}

static uint32_t rd_u32(struct mrd *r)
{
	const uint8_t *p = rd_take(r, 4);

	return p ? be32_get(p) : 0;
}

static uint64_t rd_u64(struct mrd *r)
{
	const uint8_t *p = rd_take(r, 8);

	return p ? be64_get(p) : 0;
}

/* A fresh NUL-terminated copy of a length-prefixed field, NULL if absent. */
static char *rd_str(struct mrd *r)
{
	uint32_t n = rd_u32(r);
	const uint8_t *p;
	char *s;

	if (r->bad || n == META_NOSTR)
		return NULL;
	p = rd_take(r, n);
	if (!p)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s) {
		r->bad = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static uint8_t *rd_wname(struct mrd *r)
{
	uint32_t n = rd_u32(r);
	const uint8_t *p;
	uint8_t *w;

	if (r->bad || n == META_NOSTR)
		return NULL;
	p = rd_take(r, n);
	if (!p || n == 0 || n > 255) {
		r->bad = 1;
		return NULL;
	}
	/* Bounded walk: the labels must end exactly at the last byte. */
	for (size_t i = 0; i < n; i += (size_t)p[i] + 1) {
		if (p[i] == 0 ? i != n - 1 : p[i] > 63) {
			r->bad = 1;
			return NULL;
		}
		if (p[i] == 0)
			break;
		if (i + p[i] + 1 >= n) {
			r->bad = 1;
			return NULL;
		}
	}
	w = malloc(n);
	if (!w) {
		r->bad = 1;
		return NULL;
	}
	memcpy(w, p, n);
	return w;
}

static void meta_decode_specials(struct mrd *r, struct ds_meta *m)
{
	uint32_t nns;

	m->soa.present = rd_u8(r);
	m->soa.ttl = rd_u32(r);
	m->soa.mname = rd_wname(r);
	m->soa.rname = rd_wname(r);
	m->soa.serial = rd_u32(r);
	m->soa.refresh = rd_u32(r);
	m->soa.retry = rd_u32(r);
	m->soa.expire = rd_u32(r);
	m->soa.minimum = rd_u32(r);
	m->ns.ttl = rd_u32(r);
	nns = rd_u32(r);
	if (nns > DS_MAX_NS) {
		r->bad = 1;
		return;
	}
	for (uint32_t i = 0; i < nns && !r->bad; i++) {
		m->ns.names[i] = rd_wname(r);
		if (m->ns.names[i])
			m->ns.count = i + 1;
	}
	if (m->ns.count != nns)
		r->bad = 1;
	m->ttl = rd_u32(r);
	m->maxrange4 = rd_u32(r);
	m->timestamp = (int64_t)rd_u64(r);
	m->expires = (int64_t)rd_u64(r);
	for (int i = 0; i < 10; i++)
		m->vars[i] = rd_str(r);
	m->base_template = rd_str(r);
}

int store_meta_decode(const uint8_t *blob, size_t len, uint32_t dsid,
		      struct store_dsmeta **out, uint32_t **child_dsids)
{
	struct mrd r = { blob, blob + len, 0 };
	struct store_dsmeta *m;
	uint32_t *cids = NULL;
	uint32_t n;

	*out = NULL;
	if (child_dsids)
		*child_dsids = NULL;
	if (rd_u8(&r) != META_VERSION)
		return STORE_EINVAL;
	rd_u32(&r);
	m = calloc(1, sizeof(*m));
	if (!m)
		return STORE_ENOMEM;
	m->dsid = dsid;
	m->type = (enum ds_type)rd_u8(&r);
	meta_decode_specials(&r, &m->meta);
	n = rd_u32(&r);
	if (!r.bad && n > (size_t)(r.end - r.p) / 12)
		r.bad = 1;
	if (!r.bad && n) {
		m->children = calloc(n, sizeof(*m->children));
		cids = calloc(n, sizeof(*cids));
		if (!m->children || !cids)
			r.bad = 1;
	}
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct store_dschild *c = &m->children[i];
		uint32_t ns;

		m->nchildren = i + 1;
		c->label = rd_str(&r);
		cids[i] = rd_u32(&r);
		ns = rd_u32(&r);
		if (r.bad || ns > (size_t)(r.end - r.p) / 5) {
			r.bad = 1;
			break;
		}
		c->subzones = calloc(ns ? ns : 1, sizeof(*c->subzones));
		if (!c->subzones) {
			r.bad = 1;
			break;
		}
		for (uint32_t j = 0; j < ns && !r.bad; j++) {
			c->subzones[j] = rd_wname(&r);
			c->nsubzones = j + 1;
		}
	}
	m->name = rd_str(&r);
	m->serial = rd_u32(&r);
	m->newest_mtime = (int64_t)rd_u64(&r);
	m->loaded_at = (int64_t)rd_u64(&r);
	m->entries = rd_u64(&r);
	n = rd_u32(&r);
	if (!r.bad && n > (size_t)(r.end - r.p) / 28)
		r.bad = 1;
	if (!r.bad && n) {
		m->sources = calloc(n, sizeof(*m->sources));
		if (!m->sources)
			r.bad = 1;
	}
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		m->nsources = i + 1;
		m->sources[i].path = rd_str(&r);
		m->sources[i].size = rd_u64(&r);
		m->sources[i].mtime = (int64_t)rd_u64(&r);
		m->sources[i].hash = rd_u64(&r);
	}
	if (r.bad || !m->name) {
		free(cids);
		store_dsmeta_free(m);
		return STORE_EINVAL;
	}
	*out = m;
	if (child_dsids)
		*child_dsids = cids;
	else
		free(cids);
	return 0;
}

void store_dsmeta_free(struct store_dsmeta *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->meta.soa.mname);
	free(m->meta.soa.rname);
	for (size_t i = 0; i < m->meta.ns.count; i++)
		free(m->meta.ns.names[i]);
	for (int i = 0; i < 10; i++)
		free(m->meta.vars[i]);
	free(m->meta.base_template);
	for (size_t i = 0; i < m->nsources; i++)
		free((char *)m->sources[i].path);
	free(m->sources);
	for (size_t i = 0; i < m->nchildren; i++) {
		struct store_dschild *c = &m->children[i];

		free(c->label);
		for (size_t j = 0; j < c->nsubzones; j++)
			free(c->subzones[j]);
		free(c->subzones);
		store_dsmeta_free(c->meta);
	}
	free(m->children);
	free(m);
}
