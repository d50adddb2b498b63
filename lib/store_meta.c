/* store_meta.c -- a dataset's metadata record: encode, decode, free.
 *
 * One blob per dataset: version u8, content length u32, the content part
 * (type, the $SOA/$NS/$TTL/$n/$=/$TIMESTAMP specials, combined sections),
 * then the state part (name, serial, mtimes, load time, entry count, source
 * files).  The writer compares content parts byte for byte: a change there
 * is a change of the dataset even when no record moved.  Every read is
 * bounds-checked; a short or odd blob is STORE_EINVAL, never an over-read.
 */
#include "store_manual.h"
#include "store_blob.h"

#include <stdlib.h>
#include <string.h>

#define META_VERSION 1
#define META_NOSTR 0xffffffffu

/* Strings and names carry a u32 length; META_NOSTR stands for "none". */
static void mb_bytes(struct blob_writer *b, const void *data, size_t len)
{
	if (!data) {
		blob_put_u32(b, META_NOSTR);
		return;
	}
	blob_put_u32(b, (uint32_t)len);
	blob_put(b, data, len);
}

static void mb_str(struct blob_writer *b, const char *s)
{
	mb_bytes(b, s, s ? strlen(s) : 0);
}

static void mb_wname(struct blob_writer *b, const uint8_t *w)
{
	mb_bytes(b, w, w ? wname_len(w) : 0);
}

static void meta_encode_specials(struct blob_writer *b, const struct ds_meta *m)
{
	blob_put_u8(b, m->soa.present ? 1 : 0);
	blob_put_u32(b, m->soa.ttl);
	mb_wname(b, m->soa.present ? m->soa.mname : NULL);
	mb_wname(b, m->soa.present ? m->soa.rname : NULL);
	blob_put_u32(b, m->soa.serial);
	blob_put_u32(b, m->soa.refresh);
	blob_put_u32(b, m->soa.retry);
	blob_put_u32(b, m->soa.expire);
	blob_put_u32(b, m->soa.minimum);
	blob_put_u32(b, m->ns.ttl);
	blob_put_u32(b, (uint32_t)m->ns.count);
	for (size_t i = 0; i < m->ns.count; i++)
		mb_wname(b, m->ns.names[i]);
	blob_put_u32(b, m->ttl);
	blob_put_u32(b, m->maxrange4);
	blob_put_u64(b, (uint64_t)m->timestamp);
	blob_put_u64(b, (uint64_t)m->expires);
	for (int i = 0; i < 10; i++)
		mb_str(b, m->vars[i]);
	mb_str(b, m->base_template);
}

int store_meta_encode(const struct store_meta_in *in, uint8_t **blob,
		      size_t *len)
{
	struct blob_writer b = { 0 };
	size_t cstart;

	blob_put_u8(&b, META_VERSION);
	blob_put_u32(&b, 0);            /* content length, patched below */
	cstart = b.len;
	blob_put_u8(&b, (uint8_t)in->type);
	meta_encode_specials(&b, in->meta);
	blob_put_u32(&b, (uint32_t)in->nchildren);
	for (size_t i = 0; i < in->nchildren; i++) {
		const struct ds_child *c = &in->children[i];

		mb_str(&b, c->label);
		blob_put_u32(&b, in->child_dsids[i]);
		blob_put_u32(&b, (uint32_t)c->nsubzones);
		for (size_t j = 0; j < c->nsubzones; j++)
			mb_wname(&b, c->subzones[j]);
	}
	if (!b.oom)
		be32_put(b.p + 1, (uint32_t)(b.len - cstart));
	mb_str(&b, in->name);
	blob_put_u32(&b, in->serial);
	blob_put_u64(&b, (uint64_t)in->newest_mtime);
	blob_put_u64(&b, (uint64_t)in->loaded_at);
	blob_put_u64(&b, in->entries);
	blob_put_u32(&b, (uint32_t)in->nsources);
	for (size_t i = 0; i < in->nsources; i++) {
		mb_str(&b, in->sources[i].path);
		blob_put_u64(&b, in->sources[i].size);
		blob_put_u64(&b, (uint64_t)in->sources[i].mtime);
		blob_put_u64(&b, in->sources[i].hash);
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

int store_meta_serial(const uint8_t *blob, size_t len, uint32_t *serial)
{
	const uint8_t *content;
	size_t clen;
	struct blob_reader r;
	uint32_t n;

	if (store_meta_content(blob, len, &content, &clen))
		return STORE_EINVAL;
	/* The state part: the name, then the serial. */
	r.p = content + clen;
	r.end = blob + len;
	r.bad = 0;
	n = blob_u32(&r);
	if (n != META_NOSTR)
		blob_take(&r, n);
	*serial = blob_u32(&r);
	return r.bad ? STORE_EINVAL : 0;
}

/* The highest serial of any dataset or zone in the store. */
static int meta_serial_floor(MDB_txn *txn, struct store *st, uint32_t *floor)
{
	struct store_reader zr = { .st = st, .txn = txn, .active = 1 };
	struct store_zones *zt = NULL;
	MDB_cursor *c;
	MDB_val k, d;
	uint32_t s;
	int rc;

	*floor = 0;
	rc = mdb_cursor_open(txn, st->dbi[SDB_META], &c);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT))
		if (store_meta_serial(d.mv_data, d.mv_size, &s) == 0 && s > *floor)
			*floor = s;
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return rc;
	/* The zone table is read through a reader on this transaction. */
	if (store_get_zones(&zr, &zt) == STORE_OK) {
		if (zt->serial > *floor)
			*floor = zt->serial;
		for (size_t i = 0; i < zt->nzones; i++)
			if (zt->serials[i] > *floor)
				*floor = zt->serials[i];
		store_zones_free(zt);
	}
	return 0;
}

int store_next_serial(MDB_txn *txn, struct store *st, uint32_t old,
		      int64_t now, uint32_t *serial)
{
	uint32_t floor;
	int64_t s = now > (int64_t)old ? now : (int64_t)old + 1;
	int rc = meta_serial_floor(txn, st, &floor);

	if (rc)
		return rc;
	if (s <= (int64_t)floor)
		s = (int64_t)floor + 1;
	*serial = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	return 0;
}

/* ---- decoding ----------------------------------------------------------- */

/* A fresh copy of a length-prefixed field, NULL if absent (META_NOSTR). */
static char *rd_str(struct blob_reader *r)
{
	uint32_t n = blob_u32(r);

	return r->bad || n == META_NOSTR ? NULL : blob_strdup(r, n);
}

static uint8_t *rd_wname(struct blob_reader *r)
{
	uint32_t n = blob_u32(r);

	return r->bad || n == META_NOSTR ? NULL : blob_wname(r, n);
}

static void meta_decode_specials(struct blob_reader *r, struct ds_meta *m)
{
	uint32_t nns;

	m->soa.present = blob_u8(r);
	m->soa.ttl = blob_u32(r);
	m->soa.mname = rd_wname(r);
	m->soa.rname = rd_wname(r);
	m->soa.serial = blob_u32(r);
	m->soa.refresh = blob_u32(r);
	m->soa.retry = blob_u32(r);
	m->soa.expire = blob_u32(r);
	m->soa.minimum = blob_u32(r);
	m->ns.ttl = blob_u32(r);
	nns = blob_u32(r);
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
	m->ttl = blob_u32(r);
	m->maxrange4 = blob_u32(r);
	m->timestamp = (int64_t)blob_u64(r);
	m->expires = (int64_t)blob_u64(r);
	for (int i = 0; i < 10; i++)
		m->vars[i] = rd_str(r);
	m->base_template = rd_str(r);
}

int store_meta_decode(const uint8_t *blob, size_t len, uint32_t dsid,
		      struct store_dsmeta **out, uint32_t **child_dsids)
{
	struct blob_reader r = { blob, blob + len, 0 };
	struct store_dsmeta *m;
	uint32_t *cids = NULL;
	uint32_t n;

	*out = NULL;
	if (child_dsids)
		*child_dsids = NULL;
	if (blob_u8(&r) != META_VERSION)
		return STORE_EINVAL;
	blob_u32(&r);
	m = calloc(1, sizeof(*m));
	if (!m)
		return STORE_ENOMEM;
	m->dsid = dsid;
	m->type = (enum ds_type)blob_u8(&r);
	meta_decode_specials(&r, &m->meta);
	n = blob_u32(&r);
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
		cids[i] = blob_u32(&r);
		ns = blob_u32(&r);
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
	m->serial = blob_u32(&r);
	m->newest_mtime = (int64_t)blob_u64(&r);
	m->loaded_at = (int64_t)blob_u64(&r);
	m->entries = blob_u64(&r);
	n = blob_u32(&r);
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
		m->sources[i].size = blob_u64(&r);
		m->sources[i].mtime = (int64_t)blob_u64(&r);
		m->sources[i].hash = blob_u64(&r);
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
