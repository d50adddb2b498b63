/* dns_encode.c -- reply writer: header, question copy, records, OPT.
 *
 * One encoder per record type, all built on rr_begin/rr_end, which write the
 * owner pointer and the fixed fields and patch RDLENGTH; any failure rolls
 * the buffer back to where the record started, so a reply never contains a
 * partial record.  See dns_encode.h for the compression scheme.
 */
#include "dns_encode.h"

#include "dataset.h"
#include "dname.h"

void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t limit)
{
	dns_buffer_init(&w->b, buf, limit);
	w->qdcount = 0;
	w->count[0] = w->count[1] = w->count[2] = 0;
	w->section = DNS_SEC_ANSWER;
	w->zone_off = 0;
	w->zone = NULL;
	w->own = NULL;
}

int dns_encode_header(struct dns_writer *w, uint16_t id, uint16_t flags)
{
	uint8_t *h;

	w->b.pos = 0;
	h = dns_buffer_take(&w->b, DNS_HEADER_LEN);
	if (!h)
		return -1;
	dns_put16(h, id);
	dns_put16(h + 2, flags);
	memset(h + 4, 0, DNS_HEADER_LEN - 4);   /* counts: at finish */
	return 0;
}

int dns_encode_question(struct dns_writer *w, const struct dns_query *q)
{
	if (!q->has_question || w->b.pos != DNS_HEADER_LEN)
		return -1;
	if (dns_buffer_put_bytes(&w->b, q->question, q->question_len) < 0)
		return -1;
	w->qdcount = 1;
	return 0;
}

size_t dns_writer_set_zone(struct dns_writer *w, const struct dns_query *q,
			   const uint8_t *zone, unsigned labels_before)
{
	/* The parse noted where each label starts (same offsets in the
	 * lowercased copy as in the wire question). */
	size_t off = labels_before < q->qlabels ? q->qoff[labels_before]
			: q->qname_len ? q->qname_len - 1 : 0;

	w->zone_off = DNS_QNAME_OFFSET + off;
	w->zone = zone;
	return w->zone_off;
}

void dns_writer_section(struct dns_writer *w, enum dns_section s)
{
	w->section = s;
}

void dns_writer_mark(const struct dns_writer *w, struct dns_writer_mark *m)
{
	m->pos = w->b.pos;
	for (int i = 0; i < 3; i++)
		m->count[i] = w->count[i];
}

/* Forgets owner names written at or after `pos` (a record rolled back). */
static void owners_cut(struct dns_writer *w, size_t pos)
{
	struct dns_owners *o = w->own;

	if (!o)
		return;
	if (o->off >= pos)
		o->off = 0;
	while (o->prev_labels && o->sfx[o->prev_labels] >= pos)
		o->prev_labels = 0;
}

void dns_writer_rollback(struct dns_writer *w, const struct dns_writer_mark *m)
{
	w->b.pos = m->pos;
	for (int i = 0; i < 3; i++)
		w->count[i] = m->count[i];
	owners_cut(w, m->pos);
}

void dns_writer_owners(struct dns_writer *w, struct dns_owners *o)
{
	w->own = o;
	o->name[0] = 0;
	o->off = 0;
	o->prev_labels = 0;
}

int dns_writer_owner(struct dns_writer *w, const uint8_t *rel)
{
	size_t len = wname_len(rel);

	if (!w->own || !w->zone || len - 1 + wname_len(w->zone) > DNAME_MAX)
		return -1;
	memcpy(w->own->name, rel, len);
	w->own->off = 0;
	return 0;
}

/* A record that did not fit: the buffer back to `start`. */
static void rr_fail(struct dns_writer *w, size_t start)
{
	w->b.pos = start;
	owners_cut(w, start);
}

/* Writes the current owner: its labels in front of the longest suffix it
 * shares with the previous owner (or the zone), then a pointer there.
 * Pointers reach 0x3fff bytes: an owner that would start beyond does not
 * fit (a transfer's messages are kept below that size). */
static int owner_write(struct dns_writer *w)
{
	struct dns_owners *o = w->own;
	const uint8_t *lab[DNS_MAX_LABELS], *plab[DNS_MAX_LABELS];
	unsigned n = 0, pn = 0, common = 0;
	uint16_t sfx[DNS_MAX_LABELS + 1];
	size_t start = w->b.pos;

	if (!w->zone_off || w->zone_off >= 0x4000 || start >= 0x4000 - DNAME_MAX)
		return -1;
	for (const uint8_t *p = o->name; *p && n < DNS_MAX_LABELS; p += *p + 1)
		lab[n++] = p;
	for (const uint8_t *p = o->prev; pn < o->prev_labels; p += *p + 1)
		plab[pn++] = p;
	/* Labels shared at the end (owners are lowercase already). */
	while (common < n && common < pn) {
		const uint8_t *a = lab[n - 1 - common], *b = plab[pn - 1 - common];

		if (a[0] != b[0] || memcmp(a + 1, b + 1, a[0]) != 0)
			break;
		common++;
	}
	sfx[0] = (uint16_t)w->zone_off;
	for (unsigned k = 1; k <= common; k++)
		sfx[k] = o->sfx[k];
	for (unsigned i = 0; i < n - common; i++) {
		sfx[n - i] = (uint16_t)w->b.pos;  /* starts an (n-i)-label suffix */
		if (dns_buffer_put_bytes(&w->b, lab[i], (size_t)lab[i][0] + 1) < 0) {
			w->b.pos = start;
			return -1;
		}
	}
	if (dns_buffer_put_u16(&w->b, (uint16_t)(0xc000 | sfx[common])) < 0) {
		rr_fail(w, start);
		return -1;
	}
	o->off = start;
	memcpy(o->prev, o->name, wname_len(o->name));
	o->prev_labels = n;
	memcpy(o->sfx, sfx, (n + 1) * sizeof(sfx[0]));
	return 0;
}

size_t dns_writer_finish(struct dns_writer *w)
{
	if (w->b.pos >= DNS_HEADER_LEN) {
		uint8_t *h = w->b.data;

		dns_put16(h + 4, w->qdcount);
		dns_put16(h + 6, w->count[0]);
		dns_put16(h + 8, w->count[1]);
		dns_put16(h + 10, w->count[2]);
	}
	return w->b.pos;
}

void dns_writer_set_flags(struct dns_writer *w, uint16_t set, uint16_t clear)
{
	struct dns_buffer h;
	uint16_t flags;

	dns_buffer_init(&h, w->b.data, w->b.pos);
	if (dns_buffer_seek(&h, 2) < 0 || dns_buffer_get_u16(&h, &flags) < 0)
		return;
	flags = (uint16_t)((flags & ~clear) | set);
	dns_buffer_set_u16_at(&w->b, 2, flags);
}

/* Writes a name: the labels in front of the zone, then a pointer to the zone
 * in the question when the name ends in it; otherwise the whole name.
 * `relative` names are relative to the zone (their final zero = the apex). */
static int encode_name(struct dns_writer *w, const uint8_t *name, int relative)
{
	unsigned before;
	size_t n = 0;

	if (relative) {
		before = wname_labels(name);
		if (!w->zone_off) {
			uint8_t full[DNAME_MAX];

			if (!w->zone || dname_concat(name, w->zone, full) < 0)
				return -1;
			return dns_buffer_put_bytes(&w->b, full,
						    wname_len(full));
		}
	} else {
		int below = w->zone_off ? dname_below(name, w->zone) : -1;

		if (below < 0)
			return dns_buffer_put_bytes(&w->b, name,
						    wname_len(name));
		before = (unsigned)below;
	}
	for (unsigned i = 0; i < before; i++)
		n += (size_t)name[n] + 1;
	if (dns_buffer_put_bytes(&w->b, name, n) < 0)
		return -1;
	return dns_buffer_put_u16(&w->b, (uint16_t)(0xc000 | w->zone_off));
}

/* Owner pointer and fixed fields, RDLENGTH zero for now (one bounds check
 * for the 12 bytes); *rdlen_at receives where RDLENGTH goes. */
static int rr_begin(struct dns_writer *w, size_t owner, uint16_t type,
		    uint16_t class, uint32_t ttl, size_t *rdlen_at)
{
	uint8_t *p;

	if (owner == DNS_OWNER_SET && w->own) {
		if (w->own->off && w->own->off < 0x4000) {
			owner = w->own->off;
		} else {
			if (owner_write(w) < 0)
				return -1;
			p = dns_buffer_take(&w->b, 10);
			if (!p) {
				rr_fail(w, w->own->off);
				return -1;
			}
			dns_put16(p, type);
			dns_put16(p + 2, class);
			dns_put32(p + 4, ttl);
			dns_put16(p + 8, 0);
			*rdlen_at = w->b.pos - 2;
			return 0;
		}
	}
	if (owner >= 0x4000)
		return -1;
	p = dns_buffer_take(&w->b, 12);
	if (!p)
		return -1;
	dns_put16(p, (uint16_t)(0xc000 | owner));
	dns_put16(p + 2, type);
	dns_put16(p + 4, class);
	dns_put32(p + 6, ttl);
	dns_put16(p + 10, 0);
	*rdlen_at = w->b.pos - 2;
	return 0;
}

static int rr_end(struct dns_writer *w, size_t rdlen_at)
{
	size_t rdlen = w->b.pos - rdlen_at - 2;

	if (rdlen > 0xffff)
		return -1;
	dns_buffer_set_u16_at(&w->b, rdlen_at, (uint16_t)rdlen);
	w->count[w->section]++;
	return 0;
}

int dns_encode_a(struct dns_writer *w, size_t owner, uint16_t class,
		 uint32_t ttl, uint32_t addr)
{
	size_t start = w->b.pos, at;

	if (rr_begin(w, owner, DNS_TYPE_A, class, ttl, &at) < 0 ||
	    dns_buffer_put_u32(&w->b, addr) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

int dns_encode_txt(struct dns_writer *w, size_t owner, uint16_t class,
		   uint32_t ttl, const char *txt, size_t len)
{
	size_t start = w->b.pos, at;

	if (len > 255 || rr_begin(w, owner, DNS_TYPE_TXT, class, ttl, &at) < 0 ||
	    dns_buffer_put_u8(&w->b, (uint8_t)len) < 0 ||
	    dns_buffer_put_bytes(&w->b, txt, len) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

/* A record whose rdata is one name (NS, CNAME). */
static int encode_name_rr(struct dns_writer *w, size_t owner, uint16_t type,
			  uint32_t ttl, const uint8_t *name)
{
	size_t start = w->b.pos, at;

	if (rr_begin(w, owner, type, DNS_CLASS_IN, ttl, &at) < 0 ||
	    encode_name(w, name, 0) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

int dns_encode_ns(struct dns_writer *w, size_t owner, uint32_t ttl,
		  const uint8_t *name)
{
	return encode_name_rr(w, owner, DNS_TYPE_NS, ttl, name);
}

int dns_encode_cname(struct dns_writer *w, size_t owner, uint32_t ttl,
		     const uint8_t *name)
{
	return encode_name_rr(w, owner, DNS_TYPE_CNAME, ttl, name);
}

int dns_encode_mx(struct dns_writer *w, size_t owner, uint32_t ttl,
		  uint16_t pref, const uint8_t *target, int relative)
{
	size_t start = w->b.pos, at;

	if (rr_begin(w, owner, DNS_TYPE_MX, DNS_CLASS_IN, ttl, &at) < 0 ||
	    dns_buffer_put_u16(&w->b, pref) < 0 ||
	    encode_name(w, target, relative) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

int dns_encode_soa(struct dns_writer *w, size_t owner, uint32_t ttl,
		   const uint8_t *mname, const uint8_t *rname, uint32_t serial,
		   uint32_t refresh, uint32_t retry, uint32_t expire,
		   uint32_t minimum)
{
	size_t start = w->b.pos, at;

	if (rr_begin(w, owner, DNS_TYPE_SOA, DNS_CLASS_IN, ttl, &at) < 0 ||
	    encode_name(w, mname, 0) < 0 || encode_name(w, rname, 0) < 0 ||
	    dns_buffer_put_u32(&w->b, serial) < 0 ||
	    dns_buffer_put_u32(&w->b, refresh) < 0 ||
	    dns_buffer_put_u32(&w->b, retry) < 0 ||
	    dns_buffer_put_u32(&w->b, expire) < 0 ||
	    dns_buffer_put_u32(&w->b, minimum) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

int dns_encode_raw(struct dns_writer *w, size_t owner, uint16_t type,
		   uint16_t class, uint32_t ttl, const uint8_t *rdata,
		   uint16_t rdlen)
{
	size_t start = w->b.pos, at;

	if (rr_begin(w, owner, type, class, ttl, &at) < 0 ||
	    dns_buffer_put_bytes(&w->b, rdata, rdlen) < 0 || rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	return 0;
}

/* Appends `name` to the template: its labels in front of `zone` and a
 * zone pointer to patch, or the whole name if it does not end in `zone`. */
static int tmpl_name(struct dns_rdata_tmpl *t, const uint8_t *name,
		     const uint8_t *zone)
{
	int below = dname_below(name, zone);
	size_t n = 0, len = wname_len(name);

	if (below < 0 || t->nptr >= 2) {
		if (len > sizeof(t->data) - t->len)
			return -1;
		memcpy(t->data + t->len, name, len);
		t->len = (uint16_t)(t->len + len);
		return 0;
	}
	for (int i = 0; i < below; i++)
		n += (size_t)name[n] + 1;
	if (n + 2 > sizeof(t->data) - t->len)
		return -1;
	memcpy(t->data + t->len, name, n);
	t->len = (uint16_t)(t->len + n);
	t->ptr_at[t->nptr++] = t->len;
	t->data[t->len++] = 0xc0;
	t->data[t->len++] = 0;
	return 0;
}

int dns_tmpl_soa(struct dns_rdata_tmpl *t, const uint8_t *zone,
		 const uint8_t *mname, const uint8_t *rname, uint32_t serial,
		 uint32_t refresh, uint32_t retry, uint32_t expire,
		 uint32_t minimum)
{
	const uint32_t v[5] = { serial, refresh, retry, expire, minimum };

	t->len = 0;
	t->nptr = 0;
	if (tmpl_name(t, mname, zone) < 0 || tmpl_name(t, rname, zone) < 0 ||
	    sizeof(t->data) - t->len < 20)
		return -1;
	for (int i = 0; i < 5; i++) {
		t->data[t->len++] = (uint8_t)(v[i] >> 24);
		t->data[t->len++] = (uint8_t)(v[i] >> 16);
		t->data[t->len++] = (uint8_t)(v[i] >> 8);
		t->data[t->len++] = (uint8_t)v[i];
	}
	return 0;
}

int dns_encode_tmpl(struct dns_writer *w, size_t owner, uint16_t type,
		    uint32_t ttl, const struct dns_rdata_tmpl *t)
{
	size_t start = w->b.pos, at;

	if (t->nptr && (!w->zone_off || w->zone_off >= 0x4000))
		return -1;
	if (rr_begin(w, owner, type, DNS_CLASS_IN, ttl, &at) < 0 ||
	    dns_buffer_put_bytes(&w->b, t->data, t->len) < 0 ||
	    rr_end(w, at) < 0) {
		rr_fail(w, start);
		return -1;
	}
	for (unsigned i = 0; i < t->nptr; i++) {
		uint8_t *p = w->b.data + at + 2 + t->ptr_at[i];

		p[0] = (uint8_t)(0xc0 | w->zone_off >> 8);
		p[1] = (uint8_t)w->zone_off;
	}
	return 0;
}

int dns_encode_opt(struct dns_writer *w, uint16_t udp_size,
		   uint8_t ext_rcode, uint16_t flags)
{
	size_t start = w->b.pos;
	enum dns_section saved = w->section;

	/* Owner root, TTL = ext rcode | version 0 | flags (DO only). */
	if (dns_buffer_put_u8(&w->b, 0) < 0 ||
	    dns_buffer_put_u16(&w->b, DNS_TYPE_OPT) < 0 ||
	    dns_buffer_put_u16(&w->b, udp_size) < 0 ||
	    dns_buffer_put_u8(&w->b, ext_rcode) < 0 ||
	    dns_buffer_put_u8(&w->b, 0) < 0 ||
	    dns_buffer_put_u16(&w->b, flags & DNS_EDNS_DO) < 0 ||
	    dns_buffer_put_u16(&w->b, 0) < 0) {
		rr_fail(w, start);
		return -1;
	}
	w->count[DNS_SEC_ADDITIONAL]++;
	w->section = saved;
	return 0;
}
