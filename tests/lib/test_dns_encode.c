/* test_dns_encode.c -- lib/dns_encode.c: reply layout, compression, limits.
 *
 * Replies are parsed back with the bounds-checked buffer and compared field
 * by field, so a wrong pointer, count or RDLENGTH fails here.
 */
#include "check.h"
#include "dname.h"
#include "dns_encode.h"
#include "dns_packet.h"

#include <string.h>

static uint8_t qpkt[64];
static size_t qlen;

/* A query for "2.0.0.127.BL.test" type `type` parsed into q. */
static void make_query(struct dns_query *q, uint16_t type)
{
	static const uint8_t h[12] = { 0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };

	memcpy(qpkt, h, 12);
	memcpy(qpkt + 12, "\0012\0010\0010\003127\002BL\004test", 19);
	qlen = 31;
	qpkt[qlen++] = 0;
	qpkt[qlen++] = (uint8_t)type;
	qpkt[qlen++] = 0;
	qpkt[qlen++] = 1;
	CHECK_INT(dns_query_parse(qpkt, qlen, q), DNS_PARSE_OK);
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void test_answer(void)
{
	struct dns_query q;
	struct dns_writer w;
	uint8_t out[512];
	uint8_t zone[DNAME_MAX], ns[DNAME_MAX], other[DNAME_MAX];
	size_t apex, len, p;

	make_query(&q, DNS_TYPE_A);
	dname_from_text("bl.test", 7, zone, 1);
	dname_from_text("ns1.bl.test", 11, ns, 1);
	dname_from_text("ns.example", 10, other, 1);
	dns_writer_init(&w, out, sizeof(out));
	CHECK_INT(dns_encode_header(&w, q.id, DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RD), 0);
	CHECK_INT(dns_encode_question(&w, &q), 0);
	apex = dns_writer_set_zone(&w, &q, zone, 4);
	CHECK_INT(apex, 12 + 10);
	CHECK_INT(dns_encode_a(&w, DNS_QNAME_OFFSET, DNS_CLASS_IN, 2100, 0x7f000002), 0);
	CHECK_INT(dns_encode_txt(&w, DNS_QNAME_OFFSET, DNS_CLASS_IN, 2100, "hi", 2), 0);
	dns_writer_section(&w, DNS_SEC_AUTHORITY);
	CHECK_INT(dns_encode_ns(&w, apex, 300, ns), 0);
	CHECK_INT(dns_encode_ns(&w, apex, 300, other), 0);
	dns_writer_section(&w, DNS_SEC_ADDITIONAL);
	CHECK_INT(dns_encode_opt(&w, 1232, 0, DNS_EDNS_DO | 0x1234), 0);
	len = dns_writer_finish(&w);

	CHECK_INT(u16(out), 0xabcd);
	CHECK_INT(u16(out + 2), DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RD);
	CHECK_INT(u16(out + 4), 1);
	CHECK_INT(u16(out + 6), 2);
	CHECK_INT(u16(out + 8), 2);
	CHECK_INT(u16(out + 10), 1);
	/* Question copied with its case. */
	CHECK(memcmp(out + 12, "\0012\0010\0010\003127\002BL\004test", 19) == 0);
	p = 12 + 23;
	/* A: pointer to 12, type, class, ttl, rdlen 4, rdata. */
	CHECK_INT(u16(out + p), 0xc00c);
	CHECK_INT(u16(out + p + 2), DNS_TYPE_A);
	CHECK_INT(u16(out + p + 4), DNS_CLASS_IN);
	CHECK_INT(u16(out + p + 8), 2100);
	CHECK_INT(u16(out + p + 10), 4);
	CHECK(memcmp(out + p + 12, "\177\0\0\2", 4) == 0);
	p += 16;
	/* TXT: one character-string. */
	CHECK_INT(u16(out + p + 10), 3);
	CHECK(memcmp(out + p + 12, "\2hi", 3) == 0);
	p += 15;
	/* NS below the zone: "ns1" + pointer to the apex in the question. */
	CHECK_INT(u16(out + p), 0xc000 | apex);
	CHECK_INT(u16(out + p + 10), 6);
	CHECK(memcmp(out + p + 12, "\003ns1", 4) == 0);
	CHECK_INT(u16(out + p + 16), 0xc000 | apex);
	p += 18;
	/* NS elsewhere: written in full. */
	CHECK_INT(u16(out + p + 10), 12);
	CHECK(memcmp(out + p + 12, "\002ns\007example\0", 12) == 0);
	p += 24;
	/* OPT: root, type 41, size, ext rcode 0, version 0, only DO kept. */
	CHECK_INT(out[p], 0);
	CHECK_INT(u16(out + p + 1), DNS_TYPE_OPT);
	CHECK_INT(u16(out + p + 3), 1232);
	CHECK_INT(out[p + 5], 0);
	CHECK_INT(out[p + 6], 0);
	CHECK_INT(u16(out + p + 7), DNS_EDNS_DO);
	CHECK_INT(u16(out + p + 9), 0);
	p += 11;
	CHECK_INT(len, p);
}

static void test_soa_mx(void)
{
	struct dns_query q;
	struct dns_writer w;
	uint8_t out[512], zone[DNAME_MAX], mname[DNAME_MAX], rname[DNAME_MAX];
	size_t apex, p;

	make_query(&q, DNS_TYPE_SOA);
	dname_from_text("bl.test", 7, zone, 1);
	dname_from_text("bl.test", 7, mname, 1);
	dname_from_text("hostmaster.example", 18, rname, 1);
	dns_writer_init(&w, out, sizeof(out));
	dns_encode_header(&w, q.id, DNS_FLAG_QR);
	dns_encode_question(&w, &q);
	apex = dns_writer_set_zone(&w, &q, zone, 4);
	CHECK_INT(dns_encode_soa(&w, apex, 60, mname, rname, 7, 1, 2, 3, 4), 0);
	p = 12 + 23;
	/* mname is the zone itself: a bare pointer. */
	CHECK_INT(u16(out + p + 10), 2 + 20 + 20);
	CHECK_INT(u16(out + p + 12), 0xc000 | apex);
	CHECK(memcmp(out + p + 14, "\012hostmaster\007example\0", 20) == 0);
	CHECK_INT(u16(out + p + 36), 7);
	CHECK_INT(u16(out + p + 52), 4);
	p += 12 + 42;
	/* MX with a relative target: labels, then the apex pointer. */
	CHECK_INT(dns_encode_mx(&w, DNS_QNAME_OFFSET, 60, 10, (const uint8_t *)"\002mx\0", 1), 0);
	CHECK_INT(u16(out + p + 10), 2 + 3 + 2);
	CHECK_INT(u16(out + p + 12), 10);
	CHECK(memcmp(out + p + 14, "\002mx", 3) == 0);
	CHECK_INT(u16(out + p + 17), 0xc000 | apex);
	CHECK_INT(dns_writer_finish(&w), p + 19);
	CHECK_INT(u16(out + 6), 2);
}

/* A pre-encoded SOA writes the same bytes as dns_encode_soa, wherever the
 * zone sits in the question, for names in and out of the zone. */
static void test_tmpl(void)
{
	static const char *const names[][2] = {
		{ "bl.test", "hostmaster.example" },
		{ "ns1.bl.test", "hostmaster.bl.test" },
		{ "ns.other", "h.x.y.bl.test" },
	};
	struct dns_query q;
	struct dns_rdata_tmpl t;
	uint8_t zone[DNAME_MAX], mname[DNAME_MAX], rname[DNAME_MAX];

	make_query(&q, DNS_TYPE_A);
	dname_from_text("bl.test", 7, zone, 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t a[512], b[512];
		struct dns_writer wa, wb;
		size_t apex;

		dname_from_text(names[i][0], strlen(names[i][0]), mname, 1);
		dname_from_text(names[i][1], strlen(names[i][1]), rname, 1);
		CHECK_INT(dns_tmpl_soa(&t, zone, mname, rname, 9, 8, 7, 6, 5), 0);
		dns_writer_init(&wa, a, sizeof(a));
		dns_writer_init(&wb, b, sizeof(b));
		dns_encode_header(&wa, q.id, DNS_FLAG_QR);
		dns_encode_header(&wb, q.id, DNS_FLAG_QR);
		dns_encode_question(&wa, &q);
		dns_encode_question(&wb, &q);
		apex = dns_writer_set_zone(&wa, &q, zone, 4);
		CHECK_INT(dns_writer_set_zone(&wb, &q, zone, 4), apex);
		dns_writer_section(&wa, DNS_SEC_AUTHORITY);
		dns_writer_section(&wb, DNS_SEC_AUTHORITY);
		CHECK_INT(dns_encode_soa(&wa, apex, 300, mname, rname, 9, 8, 7, 6,
					 5), 0);
		CHECK_INT(dns_encode_tmpl(&wb, apex, DNS_TYPE_SOA, 300, &t), 0);
		CHECK_INT(dns_writer_finish(&wb), dns_writer_finish(&wa));
		CHECK(memcmp(a, b, wa.b.pos) == 0);
		/* Too little room: nothing written, count unchanged. */
		dns_writer_init(&wb, b, wa.b.pos - 1);
		dns_encode_header(&wb, q.id, DNS_FLAG_QR);
		dns_encode_question(&wb, &q);
		dns_writer_set_zone(&wb, &q, zone, 4);
		CHECK_INT(dns_encode_tmpl(&wb, apex, DNS_TYPE_SOA, 300, &t), -1);
		CHECK_INT(wb.b.pos, 12 + q.question_len);
		CHECK_INT(wb.count[0], 0);
	}
	/* Without a zone to point at, a template with pointers is refused. */
	{
		uint8_t b[512];
		struct dns_writer wb;

		dname_from_text("ns1.bl.test", 11, mname, 1);
		CHECK_INT(dns_tmpl_soa(&t, zone, mname, mname, 1, 1, 1, 1, 1), 0);
		CHECK_INT(t.nptr, 2);
		dns_writer_init(&wb, b, sizeof(b));
		dns_encode_header(&wb, q.id, DNS_FLAG_QR);
		dns_encode_question(&wb, &q);
		CHECK_INT(dns_encode_tmpl(&wb, 12, DNS_TYPE_SOA, 1, &t), -1);
	}
}

static void test_limits(void)
{
	struct dns_query q;
	struct dns_writer w;
	struct dns_writer_mark m;
	uint8_t out[64];
	char big[255];

	make_query(&q, DNS_TYPE_TXT);
	memset(big, 'x', sizeof(big));
	/* 35 bytes of header+question, 16 for an A: 3 A fit in 64? no, 1. */
	dns_writer_init(&w, out, 64);
	dns_encode_header(&w, q.id, DNS_FLAG_QR);
	CHECK_INT(dns_encode_question(&w, &q), 0);
	dns_writer_mark(&w, &m);
	CHECK_INT(dns_encode_a(&w, 12, 1, 1, 1), 0);
	CHECK_INT(dns_encode_a(&w, 12, 1, 1, 2), -1);
	CHECK_INT(w.b.pos, 35 + 16);
	CHECK_INT(w.count[0], 1);
	CHECK_INT(dns_encode_txt(&w, 12, 1, 1, big, 255), -1);
	CHECK_INT(dns_encode_txt(&w, 12, 1, 1, big, 256), -1);
	CHECK_INT(w.b.pos, 35 + 16);
	dns_writer_rollback(&w, &m);
	CHECK_INT(w.count[0], 0);
	CHECK_INT(dns_writer_finish(&w), 35);
	dns_writer_set_flags(&w, DNS_FLAG_TC, 0);
	CHECK_INT(u16(out + 2), DNS_FLAG_QR | DNS_FLAG_TC);
	/* A header alone needs 12 bytes. */
	dns_writer_init(&w, out, 11);
	CHECK_INT(dns_encode_header(&w, 1, 0), -1);
	/* The question only right after the header. */
	dns_writer_init(&w, out, 64);
	CHECK_INT(dns_encode_question(&w, &q), -1);
}

/* The name at `off` of `pkt` as text ("4.3.2.10.bl.test"), pointers
 * followed (at most 16); *next is where the name ends at `off`. */
static int read_name(const uint8_t *pkt, size_t len, size_t off, char *out,
		     size_t *next)
{
	size_t o = 0;
	int jumps = 0;

	*next = 0;
	while (off < len) {
		uint8_t l = pkt[off];

		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= len || ++jumps > 16)
				return -1;
			if (!*next)
				*next = off + 2;
			off = (size_t)(l & 0x3f) << 8 | pkt[off + 1];
			continue;
		}
		if (l == 0) {
			if (!*next)
				*next = off + 1;
			out[o ? o - 1 : 0] = '\0';
			return 0;
		}
		if (off + 1 + l > len || o + l + 1 > 255)
			return -1;
		memcpy(out + o, pkt + off + 1, l);
		o += l;
		out[o++] = '.';
		off += 1 + (size_t)l;
	}
	return -1;
}

/* Owners of their own (zone transfers): compressed against the previous
 * owner and the zone, and forgotten when their record is rolled back. */
static void test_owners(void)
{
	static const char *const want[] = { "4.3.2.10.BL.test", "4.3.2.10.BL.test",
		"5.3.2.10.BL.test", "BL.test", "*.7.10.BL.test", "9.9.BL.test" };
	struct dns_query q;
	struct dns_writer w;
	struct dns_owners o;
	struct dns_writer_mark m;
	uint8_t out[512];
	size_t len, off, next, sizes[6];
	char name[256];

	make_query(&q, DNS_TYPE_AXFR);
	dns_writer_init(&w, out, sizeof(out));
	dns_encode_header(&w, q.id, DNS_FLAG_QR);
	CHECK_INT(dns_encode_question(&w, &q), 0);
	dns_writer_set_zone(&w, &q, (const uint8_t *)"\002bl\004test", 4);
	dns_writer_owners(&w, &o);
	for (int i = 0; i < 6; i++) {
		static const char *const rel[] = { "\0014\0013\0012\00210",
			"\0014\0013\0012\00210", "\0015\0013\0012\00210", "",
			"\001*\0017\00210", "\0019\0019" };
		size_t before = w.b.pos;

		CHECK_INT(dns_writer_owner(&w, (const uint8_t *)rel[i]), 0);
		if (i == 4) {
			/* Rolled back: the next owner must not point into it. */
			dns_writer_mark(&w, &m);
			CHECK_INT(dns_encode_a(&w, DNS_OWNER_SET, 1, 1, 1), 0);
			dns_writer_rollback(&w, &m);
			CHECK_INT(w.b.pos, before);
		}
		CHECK_INT(dns_encode_a(&w, DNS_OWNER_SET, 1, 60, 0x7f000002), 0);
		sizes[i] = w.b.pos - before;
	}
	CHECK_INT(sizes[0], 9 + 2 + 14);  /* 4.3.2.10 + zone pointer */
	CHECK_INT(sizes[1], 2 + 14);      /* the same owner: a pointer */
	CHECK_INT(sizes[2], 2 + 2 + 14);  /* "5" + pointer to 3.2.10 */
	CHECK_INT(sizes[3], 2 + 14);      /* the apex: the zone pointer */
	len = dns_writer_finish(&w);
	CHECK_INT(u16(out + 6), 6);
	off = qlen;
	for (int i = 0; i < 6; i++) {
		if (read_name(out, len, off, name, &next) < 0) {
			CHECK(0);
			break;
		}
		CHECK_STR(name, want[i]);
		CHECK_INT(u16(out + next), DNS_TYPE_A);
		off = next + 10 + u16(out + next + 8);
	}
	CHECK_INT(off, len);
	/* Without dns_writer_owners, DNS_OWNER_SET is no owner at all. */
	dns_writer_init(&w, out, sizeof(out));
	dns_encode_header(&w, q.id, DNS_FLAG_QR);
	CHECK_INT(dns_encode_question(&w, &q), 0);
	CHECK_INT(dns_encode_a(&w, DNS_OWNER_SET, 1, 1, 1), -1);
	CHECK_INT(dns_writer_owner(&w, (const uint8_t *)""), -1);
	/* A CNAME's target is compressed against the zone. */
	dns_writer_set_zone(&w, &q, (const uint8_t *)"\002bl\004test", 4);
	CHECK_INT(dns_encode_cname(&w, 12, 60,
				   (const uint8_t *)"\010excluded\002bl\004test"), 0);
	len = dns_writer_finish(&w);
	CHECK_INT(u16(out + qlen + 2), DNS_TYPE_CNAME);
	CHECK_INT(u16(out + qlen + 10), 9 + 2);
	CHECK_INT(read_name(out, len, qlen + 12, name, &next), 0);
	CHECK_STR(name, "excluded.BL.test");
}

int main(void)
{
	test_answer();
	test_soa_mx();
	test_tmpl();
	test_limits();
	test_owners();
	return check_report();
}
