/* dns_packet.c -- parse one DNS query: header, question, EDNS OPT.
 *
 * The single gate between untrusted bytes and the answer logic.  All reads
 * go through struct dns_buffer, so a truncated packet fails a bounds check
 * instead of being over-read, and every failure says why (q->error) so the
 * server can answer FORMERR or drop without guessing.
 */
#include "dns_packet.h"

#include <stddef.h>
#include <string.h>

int dns_name_skip(struct dns_buffer *b)
{
	size_t total = 0;

	for (;;) {
		uint8_t len;

		if (dns_buffer_get_u8(b, &len) < 0)
			return -1;
		if ((len & 0xc0) == 0xc0)     /* a pointer ends the name */
			return dns_buffer_skip(b, 1);
		if (len & 0xc0)               /* 0x40 / 0x80: reserved types */
			return -1;
		total += (size_t)len + 1;
		if (total > 255)
			return -1;
		if (len == 0)
			return 0;
		if (dns_buffer_skip(b, len) < 0)
			return -1;
	}
}

/* One 8-byte word with its ASCII letters lowercased. */
static uint64_t packet_lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t low7 = x & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');   /* bit 7: low7 >= 'A' */
	uint64_t gt_z = low7 + ones * (0x7f - 'Z');   /* bit 7: low7 > 'Z' */

	/* 'A'..'Z' and not >= 0x80: add 0x20 (= 0x80 >> 2). */
	return x | ((ge_a ^ gt_z) & ~x & high) >> 2;
}

/* Copies `n` bytes from `src` to `dst` with ASCII letters lowercased, 8 at
 * a time (this runs for every query).  Label length bytes (0..63) are never
 * letters, so a whole wire name can go through it.  Reads and writes only
 * the n bytes: the last word overlaps the one before it (lowercasing twice
 * changes nothing). */
static void packet_copy_lower(uint8_t *dst, const uint8_t *src, size_t n)
{
	uint64_t x;
	size_t i = 0;

	if (n < 8) {
		for (; i < n; i++) {
			uint8_t c = src[i];

			dst[i] = (uint8_t)(c + ((unsigned)(c - 'A') < 26u ? 32 : 0));
		}
		return;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, src + i, 8);
		x = packet_lower8(x);
		memcpy(dst + i, &x, 8);
	}
	if (i < n) {
		memcpy(&x, src + n - 8, 8);
		x = packet_lower8(x);
		memcpy(dst + n - 8, &x, 8);
	}
}

/* Reads the question name into q->qname (lowercased) and the offset of
 * each label into q->qoff.  No pointers: the question is the first thing
 * after the header, so a pointer could only aim at the header or forward,
 * which is a loop or garbage.  The labels are checked against the bytes the
 * buffer has left (kept in locals: stores into q's byte arrays could alias
 * the buffer's fields and force a reload per label), then the buffer steps
 * over the name and it is copied and lowercased as a whole. */
static int packet_read_qname(struct dns_buffer *b, struct dns_query *q)
{
	const uint8_t *name = b->data + b->pos;
	size_t room = dns_buffer_remaining(b), n = 0;
	unsigned nl = 0;

	for (;;) {
		uint8_t len;

		if (n >= room) {
			q->error = "question name truncated";
			return -1;
		}
		len = name[n];
		if (len & 0xc0) {
			q->error = (len & 0xc0) == 0xc0
				? "compression pointer in the question name"
				: "reserved label type in the question name";
			return -1;
		}
		if (n + 1 + len > 255) {
			q->error = "question name longer than 255 bytes";
			return -1;
		}
		if (len == 0)
			break;
		if (n + 1 + len > room) {
			q->error = "question name truncated";
			return -1;
		}
		/* n + 1 + len <= 255 with len >= 1: fewer than 128 labels. */
		q->qoff[nl++] = (uint8_t)n;
		n += (size_t)len + 1;
	}
	n++;   /* the final zero */
	if (dns_buffer_skip(b, n) < 0)
		return -1;   /* cannot happen: n <= room */
	packet_copy_lower(q->qname, name, n);
	q->qlabels = nl;
	q->qname_len = n;
	return 0;
}

/* Checks the option list of an OPT rdata: each option's header and data
 * must be complete and the list must end exactly at the rdata's end. */
static int packet_check_options(struct dns_buffer *b, size_t end)
{
	while (b->pos < end) {
		uint16_t code, olen;

		if (end - b->pos < 4 || dns_buffer_get_u16(b, &code) < 0 ||
		    dns_buffer_get_u16(b, &olen) < 0)
			return -1;
		if (olen > end - b->pos || dns_buffer_skip(b, olen) < 0)
			return -1;
	}
	return 0;
}

/* Steps over one resource record of section `section` (1 answer,
 * 2 authority, 3 additional), recording an OPT. */
static int packet_read_rr(struct dns_buffer *b, struct dns_query *q,
			  int section)
{
	size_t name_at = b->pos;
	uint16_t type, class, rdlen;
	uint32_t ttl;
	uint8_t first;

	if (dns_name_skip(b) < 0) {
		q->error = "record owner name truncated or malformed";
		return -1;
	}
	if (dns_buffer_get_u16(b, &type) < 0 ||
	    dns_buffer_get_u16(b, &class) < 0 ||
	    dns_buffer_get_u32(b, &ttl) < 0 ||
	    dns_buffer_get_u16(b, &rdlen) < 0) {
		q->error = "record header truncated";
		return -1;
	}
	if (!dns_buffer_available(b, rdlen)) {
		q->error = "record data truncated";
		return -1;
	}
	if (type != DNS_TYPE_OPT)
		return dns_buffer_skip(b, rdlen);

	if (section != 3) {
		q->error = "OPT record outside the additional section";
		return -1;
	}
	if (q->edns) {
		q->error = "more than one OPT record";
		return -1;
	}
	{
		struct dns_buffer nb = *b;

		nb.pos = name_at;
		if (dns_buffer_get_u8(&nb, &first) < 0 || first != 0) {
			q->error = "OPT record not owned by the root";
			return -1;
		}
	}
	if (packet_check_options(b, b->pos + rdlen) < 0) {
		q->error = "malformed EDNS option";
		return -1;
	}
	q->edns = 1;
	q->edns_size = class;
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_flags = (uint16_t)ttl;
	return 0;
}

enum dns_parse_status dns_query_parse(const uint8_t *pkt, size_t len,
				      struct dns_query *q)
{
	struct dns_buffer b;
	const uint8_t *h;
	size_t qstart;

	/* Every field but the name buffers (written as far as the name goes). */
	memset(q, 0, offsetof(struct dns_query, qname));
	q->qname[0] = 0;

	/* The buffer never writes through this pointer when reading. */
	dns_buffer_init(&b, (uint8_t *)(uintptr_t)pkt, len);
	h = dns_buffer_take(&b, DNS_HEADER_LEN);
	if (!h) {
		q->error = "shorter than a DNS header";
		return DNS_PARSE_DROP;
	}
	q->id = dns_get16(h);
	q->flags = dns_get16(h + 2);
	q->qdcount = dns_get16(h + 4);
	q->ancount = dns_get16(h + 6);
	q->nscount = dns_get16(h + 8);
	q->arcount = dns_get16(h + 10);
	if (q->flags & DNS_FLAG_QR) {
		q->error = "a response (QR set)";
		return DNS_PARSE_DROP;
	}
	if (DNS_OPCODE(q->flags) != DNS_OPCODE_QUERY) {
		q->error = "opcode not implemented";
		return DNS_PARSE_NOTIMP;
	}
	if (q->qdcount != 1) {
		q->error = "QDCOUNT is not 1";
		return DNS_PARSE_FORMERR;
	}

	qstart = b.pos;
	if (packet_read_qname(&b, q) < 0)
		return DNS_PARSE_FORMERR;
	h = dns_buffer_take(&b, 4);
	if (!h) {
		q->error = "question type/class truncated";
		return DNS_PARSE_FORMERR;
	}
	q->qtype = dns_get16(h);
	q->qclass = dns_get16(h + 2);
	q->has_question = 1;
	q->question = pkt + qstart;
	q->question_len = b.pos - qstart;

	for (int section = 1; section <= 3; section++) {
		unsigned count = section == 1 ? q->ancount
			       : section == 2 ? q->nscount : q->arcount;

		for (unsigned i = 0; i < count; i++)
			if (packet_read_rr(&b, q, section) < 0)
				return DNS_PARSE_FORMERR;
	}
	return DNS_PARSE_OK;
}
