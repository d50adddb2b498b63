/* test_dname.c -- lib/dname.c: text/wire conversion and comparisons. */
#include "check.h"
#include "dataset.h"
#include "dname.h"

static void test_from_text(void)
{
	uint8_t w[DNAME_MAX];
	char t[300];

	CHECK_INT(dname_from_text("Example.COM.", 12, w, 1), 13);
	CHECK(memcmp(w, "\7example\3com\0", 13) == 0);
	CHECK_INT(dname_from_text("", 0, w, 1), 1);
	CHECK_INT(w[0], 0);
	CHECK_INT(dname_from_text(".", 1, w, 1), 1);
	/* Empty labels collapse, as rbldnsd's parser does. */
	CHECK_INT(dname_from_text("a..b", 4, w, 1), 5);
	CHECK(memcmp(w, "\1a\1b\0", 5) == 0);
	/* Escapes. */
	CHECK_INT(dname_from_text("a\\046b", 6, w, 1), 5);
	CHECK(memcmp(w, "\3a.b\0", 5) == 0);
	CHECK_INT(dname_to_text(w, t, sizeof(t)), 6);
	CHECK_STR(t, "a\\046b");
	CHECK_INT(dname_from_text("a\\2", 3, w, 1), -1);
	CHECK_INT(dname_from_text("a\\300", 5, w, 1), -1);
	/* Case is kept unless asked. */
	dname_from_text("AbC", 3, w, 0);
	CHECK(memcmp(w, "\3AbC\0", 5) == 0);
	/* 63-byte labels are fine, 64 are not. */
	memset(t, 'x', 64);
	CHECK_INT(dname_from_text(t, 63, w, 1), 65);
	CHECK_INT(dname_from_text(t, 64, w, 1), -1);
}

static void test_compare(void)
{
	uint8_t zone[DNAME_MAX], name[DNAME_MAX], cat[DNAME_MAX];

	dname_from_text("bl.example", 10, zone, 1);
	dname_from_text("2.0.0.127.BL.Example", 20, name, 0);
	CHECK_INT(dname_below(name, zone), 4);
	CHECK_INT(dname_below(zone, zone), 0);
	CHECK_INT(dname_below(zone, name), -1);
	dname_from_text("2.0.0.127.bl.other", 18, name, 0);
	CHECK_INT(dname_below(name, zone), -1);
	CHECK_INT(wname_labels(zone), 2);
	CHECK_INT(dname_concat((const uint8_t *)"\1x\0", zone, cat), 14);
	CHECK(dname_equal(cat, (const uint8_t *)"\1x\2BL\7example\0"));
}

int main(void)
{
	test_from_text();
	test_compare();
	return check_report();
}
