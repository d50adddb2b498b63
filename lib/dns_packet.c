/* dns_packet.c -- parse one DNS query: header, question, EDNS OPT.
 *
 * The single gate between untrusted bytes and the answer logic.  All reads
 * go through struct dns_buffer, so a truncated packet fails a bounds check
 * instead of being over-read, and every failure says why (q->error) so the
 * server can answer FORMERR or drop without guessing.
 */
#include "dns_packet.h"

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

/* Reads the question name into q->qname (lowercased).  No pointers: the
 * question is the first thing after the header, so a pointer could only
 * aim at the header or forward, which is a loop or garbage. */
static int packet_read_qname(struct dns_buffer *b, struct dns_query *q)
{
	size_t n = 0;

	q->qlabels = 0;
	for (;;) {
		uint8_t len;

		if (dns_buffer_get_u8(b, &len) < 0) {
			q->error = "question name truncated";
			return -1;
		}
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
		q->qname[n++] = len;
		if (len == 0)
			break;
		if (dns_buffer_get_bytes(b, q->qname + n, len) < 0) {
			q->error = "question name truncated";
			return -1;
		}
		for (size_t i = n; i < n + len; i++)
			if (q->qname[i] >= 'A' && q->qname[i] <= 'Z')
				q->qname[i] = (uint8_t)(q->qname[i] + 32);
		n += len;
		q->qlabels++;
	}
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
	size_t qstart;

	memset(q, 0, sizeof(*q));

	/* The buffer never writes through this pointer when reading. */
	dns_buffer_init(&b, (uint8_t *)(uintptr_t)pkt, len);
	if (dns_buffer_get_u16(&b, &q->id) < 0 ||
	    dns_buffer_get_u16(&b, &q->flags) < 0 ||
	    dns_buffer_get_u16(&b, &q->qdcount) < 0 ||
	    dns_buffer_get_u16(&b, &q->ancount) < 0 ||
	    dns_buffer_get_u16(&b, &q->nscount) < 0 ||
	    dns_buffer_get_u16(&b, &q->arcount) < 0) {
		q->error = "shorter than a DNS header";
		return DNS_PARSE_DROP;
	}
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
	if (dns_buffer_get_u16(&b, &q->qtype) < 0 ||
	    dns_buffer_get_u16(&b, &q->qclass) < 0) {
		q->error = "question type/class truncated";
		return DNS_PARSE_FORMERR;
	}
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
