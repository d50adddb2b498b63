/* test_geo.c -- country and ASN tables (lib/feed_geo.c, lib/geo.c) and the
 * policy zone keys of the config. */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dataset.h"
#include "feed.h"
#include "geo.h"

static char tmpdir[512];
static char logbuf[65536];
static char err[512];

static const char *wtext(const char *name, const char *text)
{
	static char paths[8][600];
	static int next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 600, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", p, strerror(errno));
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return p;
}

static struct dataset *load(enum ds_type t, const char *const *files,
			    size_t n)
{
	struct feed_options o;
	struct feed_result res;
	struct dataset *ds = NULL;
	FILE *log = tmpfile();
	size_t got;

	memset(&o, 0, sizeof(o));
	o.log = log;
	if (feed_load(t, files, n, &o, &ds, &res, err, sizeof(err)) < 0)
		ds = NULL;
	else
		feed_result_free(&res);
	rewind(log);
	got = fread(logbuf, 1, sizeof(logbuf) - 1, log);
	logbuf[got] = '\0';
	fclose(log);
	return ds;
}

/* The TXT of the entry covering `addr` ("" if none). */
static const char *txt_at(const struct dataset *ds, const char *addr)
{
	uint8_t a[16] = { 0 };
	int fam = strchr(addr, ':') ? 6 : 4;

	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, addr, a) != 1)
		return "bad test address";
	for (size_t i = 0; i < dataset_nip(ds); i++) {
		struct ds_ip_entry ent, *e = &ent;
		unsigned bits, k;

		dataset_ip_get(ds, i, &ent);
		bits = e->plen;
		if (e->family != fam)
			continue;
		for (k = 0; k < bits; k++)
			if (((a[k / 8] ^ e->addr[k / 8]) >> (7 - k % 8)) & 1)
				break;
		if (k == bits)
			return ds->values[e->value].txt;
	}
	return "";
}

static void test_codes(void)
{
	char cc[3];
	uint32_t asn;

	CHECK_INT(geo_cc_parse("cn", 2, cc), 0);
	CHECK_STR(cc, "CN");
	CHECK_INT(geo_cc_parse("C1", 2, cc), -1);
	CHECK_INT(geo_cc_parse("CHN", 3, cc), -1);
	CHECK_INT(geo_cc_a("CN"), 0x7f00434e);
	CHECK_INT(geo_a_cc(0x7f00434e, cc), 1);
	CHECK_STR(cc, "CN");
	CHECK_INT(geo_a_cc(0x7f000002, cc), 0);
	CHECK_STR(geo_cc_name("DE"), "Germany");
	CHECK(geo_cc_name("QQ") == NULL);
	CHECK_INT(geo_asn_parse("AS13335", 7, &asn), 0);
	CHECK_INT(asn, 13335);
	CHECK_INT(geo_asn_parse("4294967296", 10, &asn), -1);
	CHECK_INT(geo_txt_asn("64500 | 10.0.0.0/8 |", 20, &asn), 0);
	CHECK_INT(asn, 64500);
}

static void test_country(void)
{
	const char *f = wtext("cc.csv",
		"start,end,country\n"
		"# unsorted, overlapping\n"
		"10.1.0.0,10.1.255.255,RU\n"
		"10.0.0.0,10.255.255.255,CN\n"
		"10.1.2.0/24,de\n"
		"10.9.0.0,10.9.0.255,FR\n"
		"10.9.0.0/24,IT\n"
		"192.0.2.1,192.0.2.6,US\n"
		"\"3221226240\",\"3221226495\",\"JP\",\"Japan\"\n"
		"198.51.100.0,198.51.100.255,-\n"
		"2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,NL\n"
		"2001:db8:1::/48,BE\n"
		"::ffff:203.0.113.0,::ffff:203.0.113.255,SE\n"
		"1.2.3\n"
		"10.0.0.1/8,CN\n"
		"10.2.0.0,10.1.0.0,CN\n"
		"11.0.0.0/8,CHN\n");
	struct dataset *ds = load(DS_COUNTRY, &f, 1);

	CHECK(ds != NULL);
	if (!ds)
		return;
	/* The narrower range wins, whatever the order. */
	CHECK_STR(txt_at(ds, "10.0.0.1"), "CN");
	CHECK_STR(txt_at(ds, "10.1.0.0"), "RU");
	CHECK_STR(txt_at(ds, "10.1.255.255"), "RU");
	CHECK_STR(txt_at(ds, "10.1.2.7"), "DE");
	CHECK_STR(txt_at(ds, "10.2.0.0"), "CN");
	CHECK_STR(txt_at(ds, "10.255.255.255"), "CN");
	CHECK_STR(txt_at(ds, "11.0.0.0"), "");
	/* Equally wide: the later line. */
	CHECK_STR(txt_at(ds, "10.9.0.128"), "IT");
	/* Range edges. */
	CHECK_STR(txt_at(ds, "192.0.2.0"), "");
	CHECK_STR(txt_at(ds, "192.0.2.1"), "US");
	CHECK_STR(txt_at(ds, "192.0.2.6"), "US");
	CHECK_STR(txt_at(ds, "192.0.2.7"), "");
	/* IP2Location's numbers and quotes; its "-" is not listed. */
	CHECK_STR(txt_at(ds, "192.0.3.200"), "JP");
	CHECK_STR(txt_at(ds, "198.51.100.1"), "");
	CHECK_STR(txt_at(ds, "2001:db8::1"), "NL");
	CHECK_STR(txt_at(ds, "2001:db8:1::1"), "BE");
	CHECK_STR(txt_at(ds, "2001:db8:2::1"), "NL");
	CHECK_STR(txt_at(ds, "203.0.113.9"), "SE");
	CHECK_INT(ds->values[ds->ip4[0].value].a >> 16, 0x7f00);
	/* Bad lines name file:line; the header line is no error. */
	CHECK(strstr(logbuf, "cc.csv:14: invalid address \"1.2.3\"") != NULL);
	CHECK(strstr(logbuf, "cc.csv:15: invalid network") != NULL);
	CHECK(strstr(logbuf, "cc.csv:16: invalid range") != NULL);
	CHECK(strstr(logbuf, "cc.csv:17: invalid country code \"CHN\"") != NULL);
	CHECK(strstr(logbuf, ":1:") == NULL);
	dataset_free(ds);
}

static void test_maxmind(void)
{
	const char *files[3];
	struct dataset *ds;

	files[0] = wtext("GeoLite2-Country-Blocks-IPv4.csv",
		"network,geoname_id,registered_country_geoname_id,"
		"represented_country_geoname_id,is_anonymous_proxy,"
		"is_satellite_provider\n"
		"1.0.0.0/24,2077456,2077456,,0,0\n"
		"1.0.1.0/24,,1814991,,0,0\n"
		"1.0.2.0/24,6255148,6255148,,0,0\n"
		"1.0.3.0/24,,,,1,0\n"
		"1.0.4.0/24,999,999,,0,0\n");
	files[1] = wtext("GeoLite2-Country-Blocks-IPv6.csv",
		"network,geoname_id,registered_country_geoname_id,"
		"represented_country_geoname_id,is_anonymous_proxy,"
		"is_satellite_provider\n"
		"2001:db8::/32,1814991,1814991,,0,0\n");
	files[2] = wtext("GeoLite2-Country-Locations-en.csv",
		"geoname_id,locale_code,continent_code,continent_name,"
		"country_iso_code,country_name,is_in_european_union\n"
		"2077456,en,OC,Oceania,AU,Australia,0\n"
		"1814991,en,AS,Asia,CN,China,0\n"
		"6255148,en,EU,Europe,,,0\n"
		"1835841,en,AS,Asia,KR,\"Korea, Republic of\",0\n");
	ds = load(DS_COUNTRY, files, 3);
	CHECK(ds != NULL);
	if (!ds)
		return;
	CHECK_STR(txt_at(ds, "1.0.0.1"), "AU");
	CHECK_STR(txt_at(ds, "1.0.1.1"), "CN");
	CHECK_STR(txt_at(ds, "1.0.2.1"), "");
	CHECK_STR(txt_at(ds, "1.0.3.1"), "");
	CHECK_STR(txt_at(ds, "1.0.4.1"), "");
	CHECK_STR(txt_at(ds, "2001:db8::5"), "CN");
	CHECK(strstr(logbuf, "Blocks-IPv4.csv:6: geoname_id 999 is in no "
		      "Locations file") != NULL);
	dataset_free(ds);
}

static void test_asn(void)
{
	const char *f = wtext("asn.csv",
		"network,asn,name\n"
		"10.0.0.0/8,64500,BIG $NET\n"
		"10.1.0.0/16,AS64501,\"Small, Inc.\"\n"
		"2001:db8::/32,64502\n"
		"192.0.2.0/24,0\n"
		"198.51.100.0/24,x\n");
	const char *g = wtext("ip2asn.tsv",
		"1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET\n"
		"1.0.4.0\t1.0.7.255\t38803\tAU\tGTELECOM Gtelecom Pty Ltd\n");
	struct dataset *ds = load(DS_ASN, &f, 1);

	CHECK(ds != NULL);
	if (!ds)
		return;
	CHECK_STR(txt_at(ds, "10.0.0.1"),
		  "64500 | 10.0.0.0/8 |  |  |  | BIG $$NET");
	CHECK_STR(txt_at(ds, "10.1.9.9"),
		  "64501 | 10.1.0.0/16 |  |  |  | Small, Inc.");
	CHECK_STR(txt_at(ds, "10.200.0.1"),
		  "64500 | 10.0.0.0/8 |  |  |  | BIG $$NET");
	CHECK_STR(txt_at(ds, "2001:db8::1"), "64502 | 2001:db8::/32 |  |  | ");
	CHECK_STR(txt_at(ds, "192.0.2.1"), "");
	CHECK(strstr(logbuf, "asn.csv:6: invalid AS number \"x\"") != NULL);
	CHECK_INT(ds->values[ds->ip4[0].value].a, GEO_ASN_A);
	dataset_free(ds);
	ds = load(DS_ASN, &g, 1);
	CHECK(ds != NULL);
	if (!ds)
		return;
	CHECK_STR(txt_at(ds, "1.0.0.9"),
		  "13335 | 1.0.0.0/24 | US |  |  | CLOUDFLARENET");
	CHECK_STR(txt_at(ds, "1.0.5.1"),
		  "38803 | 1.0.4.0/22 | AU |  |  | GTELECOM Gtelecom Pty Ltd");
	dataset_free(ds);
}

/* config_load of `text`: 0, or -1 with the error in err. */
static int config_text(const char *text)
{
	struct config *cfg = NULL;
	const char *p = wtext("geo.yaml", text);
	int r = config_load(p, &cfg, err, sizeof(err));

	if (r == 0) {
		CHECK(cfg->zones[0].ncountries == 2 || cfg->zones[0].nasns ||
		      !cfg->zones[0].ncountries);
		config_free(cfg);
	}
	return r;
}

static void test_config(void)
{
	static const char ds[] =
		"datasets:\n"
		"  geo: {type: country, files: /dev/null}\n"
		"  asn: {type: asn, files: /dev/null}\n"
		"  spam: {type: ip4set, files: /dev/null}\n"
		"zones:\n";
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [geo, spam], "
		 "countries: [cn, RU]}\n", ds);
	CHECK_INT(config_text(buf), 0);
	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [geo], "
		 "countries: [CHN]}\n", ds);
	CHECK_INT(config_text(buf), -1);
	CHECK(strstr(err, "zones.z.test.countries: \"CHN\" is not a country "
		     "code") != NULL);
	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [spam], "
		 "countries: [CN]}\n", ds);
	CHECK_INT(config_text(buf), -1);
	CHECK(strstr(err, "\"countries\" needs a country dataset") != NULL);
	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [geo, asn], "
		 "asns: [AS64500]}\n", ds);
	CHECK_INT(config_text(buf), -1);
	CHECK(strstr(err, "country dataset needs \"countries\"") != NULL);
	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [asn], "
		 "asns: [64500, 0]}\n", ds);
	CHECK_INT(config_text(buf), -1);
	CHECK(strstr(err, "\"0\" is not an AS number") != NULL);
	snprintf(buf, sizeof(buf), "%s  z.test: {datasets: [geo], countries: "
		 "[CN], transfer: {allow: [192.0.2.1/32]}}\n", ds);
	CHECK_INT(config_text(buf), -1);
	CHECK(strstr(err, "a policy zone has no \"transfer\"") != NULL);
}

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/geo.XXXXXX", base ? base : "/tmp");
	if (base)
		mkdir(base, 0777);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_codes();
	test_country();
	test_maxmind();
	test_asn();
	test_config();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_report();
}
