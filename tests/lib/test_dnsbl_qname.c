/* test_dnsbl_qname.c -- lib/dnsbl_qname.c: items, zones, query names. */
#include "check.h"
#include "dnsbl_qname.h"

/* The query name of `item` in `zone`, or "ERR: reason". */
static const char *qn(const char *item, const char *zone)
{
	static char out[300];
	struct dnsbl_item it;
	const char *why = NULL;

	if (dnsbl_item_parse(item, &it, &why) < 0) {
		snprintf(out, sizeof(out), "ERR: %s", why);
		return out;
	}
	if (dnsbl_qname(&it, zone, out, sizeof(out)) < 0)
		snprintf(out, sizeof(out), "ERR: too long");
	return out;
}

static void test_ip4(void)
{
	struct dnsbl_item it;
	const char *why;
	char t[64];

	CHECK_STR(qn("192.0.2.99", "bl.example"), "99.2.0.192.bl.example");
	CHECK_STR(qn("127.0.0.2", "zen.test"), "2.0.0.127.zen.test");
	CHECK_STR(qn("[192.0.2.1]", "bl.example"), "1.2.0.192.bl.example");
	CHECK_INT(dnsbl_item_parse("10.0.0.1", &it, &why), 0);
	CHECK_INT(it.kind, DNSBL_IP4);
	dnsbl_item_text(&it, t, sizeof(t));
	CHECK_STR(t, "10.0.0.1");
	CHECK_STR(qn("1.2.3", "bl"), "ERR: not a valid IPv4 address");
	CHECK_STR(qn("1.2.3.256", "bl"), "ERR: not a valid IPv4 address");
	CHECK_STR(qn("01.2.3.4", "bl"), "ERR: not a valid IPv4 address");
	CHECK_STR(qn("1.2.3.0/24", "bl"), "ERR: a network, not an address");
}

static void test_ip6(void)
{
	struct dnsbl_item it;
	const char *why;
	char t[64];

	/* RFC 5782's example. */
	CHECK_STR(qn("2001:db8:1:2:3:4:567:89ab", "bl.example"),
		  "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.example");
	/* The IPv6 test point: ::FFFF:7F00:2, 32 nibbles, no compression. */
	CHECK_STR(qn("::FFFF:7F00:2", "v6.test"),
		  "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.v6.test");
	CHECK_STR(qn("[::1]", "z"),
		  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.z");
	CHECK_INT(dnsbl_item_parse("2001:DB8::1", &it, &why), 0);
	CHECK_INT(it.kind, DNSBL_IP6);
	dnsbl_item_text(&it, t, sizeof(t));
	CHECK_STR(t, "2001:db8::1");
	CHECK_STR(qn("2001:db8::g", "bl"), "ERR: not a valid IPv6 address");
	CHECK_STR(qn("2001:db8::/32", "bl"), "ERR: a network, not an address");
}

static void test_domain(void)
{
	char long_name[300];

	CHECK_STR(qn("Bad.Example.COM.", "dbl.example"), "bad.example.com.dbl.example");
	CHECK_STR(qn("test", "dbl.example"), "test.dbl.example");
	CHECK_STR(qn("_dmarc.x-y.example", "d"), "_dmarc.x-y.example.d");
	CHECK_STR(qn("user@example.com", "d"), "ERR: not an IP address or a domain name");
	CHECK_STR(qn("a..b", "d"), "ERR: empty label in name");
	CHECK_STR(qn(".", "d"), "ERR: empty name");
	CHECK_STR(qn("", "d"), "ERR: empty name");
	CHECK_STR(qn("b\xc3\xbc" "cher.de", "d"), "ERR: not an IP address or a domain name");
	CHECK_STR(qn("host.123", "d"), "ERR: not an IP address or a domain name");
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	CHECK_STR(qn(long_name, "d"), "ERR: label longer than 63 characters");
	/* 4 x 63 + 3 dots = 255 characters: over the limit. */
	for (int i = 0; i < 4; i++) {
		memset(long_name + i * 64, 'a', 63);
		long_name[i * 64 + 63] = '.';
	}
	long_name[255] = '\0';
	CHECK_STR(qn(long_name, "d"), "ERR: name longer than 253 characters");
	/* A name that fits alone but not in front of the zone. */
	long_name[63 * 3 + 2] = '\0';   /* 191 characters */
	CHECK_STR(qn(long_name, "0123456789.0123456789.0123456789.0123456789."
			      "0123456789.0123456789"), "ERR: too long");
}

static void test_zone(void)
{
	char z[DNSBL_NAME_MAX];
	const char *why = NULL;

	CHECK_INT(dnsbl_zone_parse("ZEN.Spamhaus.org.", z, &why), 0);
	CHECK_STR(z, "zen.spamhaus.org");
	CHECK_INT(dnsbl_zone_parse("bad zone", z, &why), -1);
	CHECK_INT(dnsbl_zone_parse("", z, &why), -1);
	CHECK_STR(why, "empty name");
	CHECK_STR(dnsbl_kind_name(DNSBL_IP6), "ip6");
}

int main(void)
{
	test_ip4();
	test_ip6();
	test_domain();
	test_zone();
	return check_report();
}
