/* test_feed_entry.c -- lib/feed_entry.c: one entry line, as in a file.
 *
 * A hand edit's line must mean what it means in a data file of the type
 * (values, ranges, wildcards, exclusions, the parser's own refusals), must
 * not be a `$`, default or comment line, and a stored entry must be found
 * on the line of the file that made it.
 */
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

#include "dname.h"
#include "feed_entry.h"

static struct dataset *parse_ok(enum ds_type t, const char *line)
{
	struct dataset *ds = NULL;
	char err[512];

	if (feed_entry_parse(t, line, 0, &ds, err, sizeof(err)) < 0) {
		fprintf(stderr, "    \"%s\": %s\n", line, err);
		return NULL;
	}
	return ds;
}

/* The error of a refused line (static buffer). */
static const char *parse_err(enum ds_type t, const char *line)
{
	static char err[512];
	struct dataset *ds = NULL;

	if (feed_entry_parse(t, line, 0, &ds, err, sizeof(err)) == 0) {
		dataset_free(ds);
		return "(accepted)";
	}
	return err;
}

/* The i-th address entry of `ds` (a copy, one of a few kept). */
static const struct ds_ip_entry *ent(const struct dataset *ds, size_t i)
{
	static struct ds_ip_entry e[4];
	static unsigned next;
	struct ds_ip_entry *o = &e[next++ % 4];

	dataset_ip_get(ds, i, o);
	return o;
}

static void test_parse(void)
{
	struct dataset *ds;

	ds = parse_ok(DS_IP4SET, "  192.0.2.0/24 :2:listed by hand  ");
	CHECK(ds && dataset_nip(ds) == 1);
	if (ds && dataset_nip(ds) == 1) {
		const struct ds_value *v = &ds->values[ent(ds, 0)->value];

		CHECK_INT(ent(ds, 0)->plen, 24);
		CHECK_INT(ent(ds, 0)->addr[2], 2);
		CHECK_INT(v->a, 0x7f000002);
		CHECK(v->txt && v->txtlen == 14 &&
		      memcmp(v->txt, "listed by hand", 14) == 0);
	}
	dataset_free(ds);
	/* An ip4set range is the entries rbldnsd stores it as. */
	ds = parse_ok(DS_IP4SET, "10.0.0.0-10.0.1.255");
	CHECK(ds && dataset_nip(ds) == 2 && ent(ds, 0)->plen == 24 && ent(ds, 1)->plen == 24);
	dataset_free(ds);
	ds = parse_ok(DS_IP4TRIE, "!192.0.2.5");
	CHECK(ds && dataset_nip(ds) == 1 && ent(ds, 0)->excluded && ent(ds, 0)->plen == 32);
	dataset_free(ds);
	/* "::" starts an address in ip6trie, not a default line. */
	ds = parse_ok(DS_IP6TRIE, "::1/128 :3");
	CHECK(ds && dataset_nip(ds) == 1 && ent(ds, 0)->plen == 128);
	dataset_free(ds);
	/* `.d`: the name and its subdomains. */
	ds = parse_ok(DS_DNSET, ".Example.COM :3:x");
	CHECK(ds && ds->ndn == 2 && ds->dn[0].wild != ds->dn[1].wild);
	if (ds && ds->ndn)
		CHECK(dname_equal(ds->dn[0].name,
				  (const uint8_t *)"\007example\003com"));
	dataset_free(ds);
	ds = parse_ok(DS_IP4TSET, "1.2.3.4");
	CHECK(ds && dataset_nip(ds) == 1 && ds->values[ent(ds, 0)->value].a == 0x7f000002);
	dataset_free(ds);
}

static void test_refused(void)
{
	CHECK_STR(parse_err(DS_IP4SET, "   "), "no entry given");
	CHECK_STR(parse_err(DS_IP4SET, "# 1.2.3.4"), "no entry given");
	CHECK(strstr(parse_err(DS_IP4SET, "$TTL 60"), "a `$` line is not an entry"));
	CHECK(strstr(parse_err(DS_DNSET, ":2:x"), "a default value line"));
	CHECK_STR(parse_err(DS_IP4SET, "10.0.0.0/40"),
		  "invalid address \"10.0.0.0/40\"");
	CHECK_STR(parse_err(DS_IP4TRIE, "10.0.0.1/8"),
		  "invalid range (non-zero host part) \"10.0.0.1/8\"");
	CHECK_STR(parse_err(DS_DNSET, "bad..name :2"),
		  "(accepted)");   /* rbldnsd collapses empty labels */
	CHECK(strstr(parse_err(DS_IP4TSET, "1.2.3.4 :5:x"), "takes no value"));
	CHECK(strstr(parse_err(DS_IP6TSET, "2001:db8:1:2 :5"), "takes no value"));
	CHECK(strstr(parse_err(DS_GENERIC, "www A 1.2.3.4"),
		     "cannot be edited entry by entry"));
	CHECK(strstr(parse_err(DS_IP4SET, "1.2.3.4 :999:x"), "invalid A RR"));
}

static void test_find(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char path[512];
	const char *files[1] = { path };
	struct ds_ip_entry ip = { .family = 4, .plen = 24, .addr = { 10, 0, 1 } };
	struct ds_dn_entry dn = { .wild = 1,
				  .name = (uint8_t *)"\005phish\007example" };
	struct feed_entry_want want = { .ip = &ip };
	char text[256];
	unsigned long line = 0;
	size_t file = 9;
	FILE *f;

	snprintf(path, sizeof(path), "%s/feed_entry.%d",
		 base && *base ? base : "/tmp", (int)getpid());
	f = fopen(path, "w");
	fputs("$TTL 60\n# a comment\n:3:default\n10.0.0.0-10.0.1.255 :4:r\n"
	      "10.0.1.7\n", f);
	fclose(f);
	CHECK_INT(feed_entry_find(DS_IP4SET, files, 1, &want, &file, &line,
				  text, sizeof(text)), 1);
	CHECK_INT(file, 0);
	CHECK_INT(line, 4);
	CHECK_STR(text, "10.0.0.0-10.0.1.255 :4:r");
	ip.plen = 32;
	ip.addr[3] = 8;
	CHECK_INT(feed_entry_find(DS_IP4SET, files, 1, &want, &file, &line,
				  text, sizeof(text)), 0);
	f = fopen(path, "w");
	fputs("example.com\n.phish.example :2\n", f);
	fclose(f);
	want.ip = NULL;
	want.dn = &dn;
	CHECK_INT(feed_entry_find(DS_DNSET, files, 1, &want, &file, &line,
				  text, sizeof(text)), 1);
	CHECK_INT(line, 2);
	unlink(path);
}

int main(void)
{
	test_parse();
	test_refused();
	test_find();
	return check_report();
}
