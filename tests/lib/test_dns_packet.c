/* test_dns_packet.c -- lib/dns_packet.c: query parse, every error path.
 *
 * Packets are built byte by byte here so each test states exactly which
 * malformation it carries and which status the parser must return.
 */
#include "check.h"
#include "dns_packet.h"

#include <string.h>

static uint8_t pkt[600];
static size_t plen;

/* Header with the given flags and counts. */
static void hdr(uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
		uint16_t ar)
{
	uint16_t v[6] = { 0x1234, flags, qd, an, ns, ar };

	for (int i = 0; i < 6; i++) {
		pkt[2 * i] = (uint8_t)(v[i] >> 8);
		pkt[2 * i + 1] = (uint8_t)v[i];
	}
	plen = 12;
}

static void put(const void *b, size_t n)
{
	memcpy(pkt + plen, b, n);
	plen += n;
}

static void put16(uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, 2);
}

/* A standard question "2.0.0.127.Bl.Test IN A". */
static void question(uint16_t type)
{
	put("\0012\0010\0010\003127\002Bl\004Test", 19);
	put16(type);
	put16(1);
}

/* An OPT record: owner, size, ext rcode, version, flags, rdata. */
static void opt(const void *owner, size_t olen, uint16_t size, uint8_t version,
		uint16_t flags, const void *rdata, uint16_t rdlen)
{
	put(owner, olen);
	put16(DNS_TYPE_OPT);
	put16(size);
	pkt[plen++] = 0;
	pkt[plen++] = version;
	put16(flags);
	put16(rdlen);
	put(rdata, rdlen);
}

static void test_good(void)
{
	struct dns_query q;

	hdr(0x0100 | DNS_FLAG_AD, 1, 0, 0, 0);
	question(DNS_TYPE_TXT);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.id, 0x1234);
	CHECK_INT(q.qtype, DNS_TYPE_TXT);
	CHECK_INT(q.qclass, DNS_CLASS_IN);
	CHECK_INT(q.qlabels, 6);
	CHECK_INT(q.qname_len, 19);
	CHECK(memcmp(q.qname, "\0012\0010\0010\003127\002bl\004test", 19) == 0);
	/* The raw question keeps the client's case. */
	CHECK_INT(q.question_len, 23);
	CHECK(memcmp(q.question, "\0012\0010\0010\003127\002Bl\004Test", 19) == 0);
	CHECK_INT(q.edns, 0);
	/* Trailing garbage after the last record is ignored. */
	put("xyz", 3);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);

	/* Root name. */
	hdr(0, 1, 0, 0, 0);
	put("\0", 1);
	put16(DNS_TYPE_SOA);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.qlabels, 0);
	CHECK_INT(q.qname_len, 1);
}

static void test_header(void)
{
	struct dns_query q;

	hdr(0, 1, 0, 0, 0);
	for (size_t n = 0; n < 12; n++)
		CHECK_INT(dns_query_parse(pkt, n, &q), DNS_PARSE_DROP);
	hdr(DNS_FLAG_QR, 1, 0, 0, 0);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_DROP);
	/* Opcodes: NOTIFY (4), UPDATE (5), 15; checked before QDCOUNT. */
	hdr(4 << 11, 1, 0, 0, 0);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_NOTIMP);
	hdr(15 << 11, 0, 0, 0, 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_NOTIMP);
	CHECK_INT(DNS_OPCODE(q.flags), 15);
	hdr(0, 0, 0, 0, 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	CHECK_INT(q.has_question, 0);
	hdr(0, 2, 0, 0, 0);
	question(1);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* Flags that do not matter to the parse: TC, Z, AD, CD, RA. */
	hdr(DNS_FLAG_TC | DNS_FLAG_Z | DNS_FLAG_AD | DNS_FLAG_CD | DNS_FLAG_RA,
	    1, 0, 0, 0);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
}

static void test_question_errors(void)
{
	struct dns_query q;
	size_t full;

	/* Truncated at every byte of the question. */
	hdr(0, 1, 0, 0, 0);
	question(1);
	full = plen;
	for (size_t n = 12; n < full; n++) {
		CHECK_INT(dns_query_parse(pkt, n, &q), DNS_PARSE_FORMERR);
		CHECK_INT(q.has_question, 0);
	}
	/* A label running past the end. */
	hdr(0, 1, 0, 0, 0);
	put("\077abc", 4);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* Reserved label types 0x40 and 0x80. */
	hdr(0, 1, 0, 0, 0);
	put("\100abc\0", 5);
	put16(1);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	pkt[12] = 0x80;
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* A pointer to itself (a loop) and a pointer to the header. */
	hdr(0, 1, 0, 0, 0);
	put("\300\014", 2);
	put16(1);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	CHECK(q.error && strstr(q.error, "pointer"));
	hdr(0, 1, 0, 0, 0);
	put("\001a\300\002", 4);
	put16(1);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* A name of 256 bytes: 4 labels of 63 + ... */
	hdr(0, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		pkt[plen++] = 63;
		memset(pkt + plen, 'a', 63);
		plen += 63;
	}
	put("\0", 1);
	put16(1);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* ... while 255 bytes is fine. */
	hdr(0, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		pkt[plen++] = 63;
		memset(pkt + plen, 'a', 63);
		plen += 63;
	}
	pkt[plen++] = 61;
	memset(pkt + plen, 'b', 61);
	plen += 61;
	put("\0", 1);
	put16(1);
	put16(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.qname_len, 255);
}

static void test_records(void)
{
	struct dns_query q;
	size_t full;

	/* An answer record (compressed owner) is stepped over. */
	hdr(0, 1, 1, 0, 0);
	question(1);
	put("\300\014", 2);
	put16(1);
	put16(1);
	put("\0\0\0\1\0\4\1\2\3\4", 10);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	full = plen;
	/* Truncated anywhere inside it: FORMERR, but the question parsed. */
	for (size_t n = 35; n < full; n++) {
		CHECK_INT(dns_query_parse(pkt, n, &q), DNS_PARSE_FORMERR);
		CHECK_INT(q.has_question, 1);
	}
	/* Counts promise more records than there are. */
	hdr(0, 1, 0, 2, 0);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	hdr(0, 1, 0, 0, 1);
	question(1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	/* Reserved label type in an owner name. */
	hdr(0, 1, 0, 0, 1);
	question(1);
	put("\100", 1);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
}

static void test_opt(void)
{
	struct dns_query q;
	uint8_t cookie[12] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };

	hdr(0, 1, 0, 0, 1);
	question(1);
	opt("", 1, 4096, 0, DNS_EDNS_DO | 0x0001, cookie, 12);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.edns, 1);
	CHECK_INT(q.edns_size, 4096);
	CHECK_INT(q.edns_version, 0);
	CHECK_INT(q.edns_flags, DNS_EDNS_DO | 1);

	/* Version 1 parses; the answer logic turns it into BADVERS. */
	hdr(0, 1, 0, 0, 1);
	question(1);
	opt("", 1, 512, 1, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.edns_version, 1);

	/* Two OPTs. */
	hdr(0, 1, 0, 0, 2);
	question(1);
	opt("", 1, 1232, 0, 0, "", 0);
	opt("", 1, 1232, 0, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	CHECK_INT(q.edns, 1);

	/* OPT in the answer and authority sections. */
	hdr(0, 1, 1, 0, 0);
	question(1);
	opt("", 1, 1232, 0, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	hdr(0, 1, 0, 1, 0);
	question(1);
	opt("", 1, 1232, 0, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);

	/* Owner not the root (here: a pointer to the question). */
	hdr(0, 1, 0, 0, 1);
	question(1);
	opt("\300\014", 2, 1232, 0, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	CHECK_INT(q.edns, 0);

	/* Option overrunning the rdata, and a 3-byte option header. */
	hdr(0, 1, 0, 0, 1);
	question(1);
	opt("", 1, 1232, 0, 0, "\0\012\0\011abcd", 8);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);
	hdr(0, 1, 0, 0, 1);
	question(1);
	opt("", 1, 1232, 0, 0, "\0\012\0", 3);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_FORMERR);

	/* OPT after another additional record is fine. */
	hdr(0, 1, 0, 0, 2);
	question(1);
	put("\300\014", 2);
	put16(1);
	put16(1);
	put("\0\0\0\1\0\4\1\2\3\4", 10);
	opt("", 1, 600, 0, 0, "", 0);
	CHECK_INT(dns_query_parse(pkt, plen, &q), DNS_PARSE_OK);
	CHECK_INT(q.edns_size, 600);
}

static void test_name_skip(void)
{
	struct dns_buffer b;
	uint8_t n1[] = "\001a\001b\0";
	uint8_t n2[] = "\001a\300\014";
	uint8_t n3[] = "\001a\300";

	dns_buffer_init(&b, n1, 5);
	CHECK_INT(dns_name_skip(&b), 0);
	CHECK_INT(b.pos, 5);
	dns_buffer_init(&b, n2, 4);
	CHECK_INT(dns_name_skip(&b), 0);
	CHECK_INT(b.pos, 4);
	dns_buffer_init(&b, n3, 3);
	CHECK_INT(dns_name_skip(&b), -1);
	dns_buffer_init(&b, n1, 4);
	CHECK_INT(dns_name_skip(&b), -1);
}

int main(void)
{
	test_good();
	test_header();
	test_question_errors();
	test_records();
	test_opt();
	test_name_skip();
	return check_report();
}
