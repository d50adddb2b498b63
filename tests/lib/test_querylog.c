/* test_querylog.c -- lib/querylog.c: lines exactly as Debian's rbldnsd writes
 * them (captured from rbldnsd 1.0~20210120 -l on loopback), buffering,
 * several writers, reopen after rotation. */
#include "check.h"
#include "querylog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sockaddr_in peer4;
static struct sockaddr_in6 peer6;

static const char *fmt(time_t when, const struct sockaddr *peer,
		       const char *wire, uint16_t qt, uint16_t qc, unsigned rc,
		       unsigned an, size_t len)
{
	static char line[QUERYLOG_LINE_MAX];
	struct querylog_entry e = { when, peer, (const uint8_t *)wire, qt, qc,
				    rc, an, len };
	size_t n = querylog_format(&e, line, sizeof(line));

	line[n] = '\0';
	return line;
}

static const char *fmt_json(time_t when, const struct sockaddr *peer,
			    const char *wire, uint16_t qt, uint16_t qc,
			    unsigned rc, unsigned an, size_t len)
{
	static char line[QUERYLOG_LINE_MAX];
	struct querylog_entry e = { when, peer, (const uint8_t *)wire, qt, qc,
				    rc, an, len };
	size_t n = querylog_format_json(&e, line, sizeof(line));

	line[n] = '\0';
	return line;
}

/* The JSON lines: the same names as rbldnsd's, valid JSON for any name. */
static void test_format_json(void)
{
	const struct sockaddr *p4 = (const struct sockaddr *)&peer4;
	char big[300];

	CHECK_STR(fmt_json(1795866720, p4, "\0014\0013\0012\0011\2bl\4test", 16, 1, 0, 2, 102),
		  "{\"time\":1795866720,\"client\":\"127.0.0.1\",\"qname\":"
		  "\"4.3.2.1.bl.test\",\"qtype\":\"TXT\",\"qclass\":\"IN\","
		  "\"rcode\":\"NOERROR\",\"answers\":2,\"size\":102}\n");
	/* A quote and a backslash in a label: escaped for JSON on top of
	 * rbldnsd's escapes. */
	CHECK_STR(fmt_json(5, (const struct sockaddr *)&peer6, "\3a\"\\\1.", 65, 3, 3, 0, 9),
		  "{\"time\":5,\"client\":\"::1\",\"qname\":\"a\\\"\\\\\\\\.\\\\.\","
		  "\"qtype\":\"type65\",\"qclass\":\"CH\",\"rcode\":\"NXDOMAIN\","
		  "\"answers\":0,\"size\":9}\n");
	/* A long name of quotes: every byte escaped, the line still whole. */
	for (int i = 0; i < 3; i++) {
		big[i * 64] = 63;
		memset(big + i * 64 + 1, '"', 63);
	}
	big[192] = 0;
	CHECK_INT(strlen(fmt_json(1, p4, big, 1, 1, 0, 0, 5)),
		  strlen("{\"time\":1,\"client\":\"127.0.0.1\",\"qname\":\"\","
			 "\"qtype\":\"A\",\"qclass\":\"IN\",\"rcode\":\"NOERROR\","
			 "\"answers\":0,\"size\":5}\n") + 189 * 2 + 2);
}

static void test_format(void)
{
	const struct sockaddr *p4 = (const struct sockaddr *)&peer4;
	char b[16];

	/* Lines captured from the binary. */
	CHECK_STR(fmt(1795866720, p4, "\0014\0013\0012\0011\2bl\4test", 16, 1, 0, 2, 102),
		  "1795866720 127.0.0.1 4.3.2.1.bl.test TXT IN: NOERROR/2/102\n");
	CHECK_STR(fmt(1795866567, p4, "\3Foo\7Example\3com\2dn\4test", 255, 1, 0, 4, 122),
		  "1795866567 127.0.0.1 Foo.Example.com.dn.test ANY IN: NOERROR/4/122\n");
	CHECK_STR(fmt(1795866720, p4, "\1x\5other", 28, 1, 5, 0, 25),
		  "1795866720 127.0.0.1 x.other AAAA IN: REFUSED/0/25\n");
	CHECK_STR(fmt(1795866720, p4, "\0011\0011\0011\0011\2bl\4test", 65, 1, 3, 0, 75),
		  "1795866720 127.0.0.1 1.1.1.1.bl.test type65 IN: NXDOMAIN/0/75\n");
	CHECK_STR(fmt(1795866720, p4, "\7version\4bind", 16, 3, 0, 1, 77),
		  "1795866720 127.0.0.1 version.bind TXT CH: NOERROR/1/77\n");
	CHECK_STR(fmt(1795866758, p4, "\0011\2bl\4test", 250, 1, 4, 0, 27),
		  "1795866758 127.0.0.1 1.bl.test TSIG IN: NOTIMPL/0/27\n");
	CHECK_STR(fmt(1795866758, p4, "\1a\2bl\4test", 1, 254, 5, 0, 27),
		  "1795866758 127.0.0.1 a.bl.test A class254: REFUSED/0/27\n");
	CHECK_STR(fmt(1795866758, p4, "\11a.b\\c\001\040\303\251\2bl\4test", 1, 1, 3, 0, 77),
		  "1795866758 127.0.0.1 a\\.b\\\\c\\001\\032\\195\\169.bl.test A IN: NXDOMAIN/0/77\n");
	CHECK_STR(fmt(1795866758, p4, "", 1, 1, 5, 0, 17),
		  "1795866758 127.0.0.1 . A IN: REFUSED/0/17\n");
	CHECK_STR(fmt(5, (const struct sockaddr *)&peer6, "\1a", 23, 255, 0, 0, 9),
		  "5 ::1 a NSAP_PTR ANY: NOERROR/0/9\n");
	CHECK_STR(querylog_type_name(41, b, sizeof(b)), "OPT");
	CHECK_STR(querylog_type_name(42, b, sizeof(b)), "type42");
	CHECK_STR(querylog_type_name(256, b, sizeof(b)), "ZXFR");
	CHECK_STR(querylog_type_name(257, b, sizeof(b)), "type257");
	CHECK_STR(querylog_class_name(4, b, sizeof(b)), "HS");
	CHECK_STR(querylog_rcode_name(9, b, sizeof(b)), "NOTAUTH");
	CHECK_STR(querylog_rcode_name(12, b, sizeof(b)), "rcode12");
	/* A malformed name (label over 63) stops where it breaks. */
	CHECK_STR(fmt(1, p4, "\1a\100xx", 1, 1, 1, 0, 5),
		  "1 127.0.0.1 a A IN: FORMERR/0/5\n");
	/* Too small a buffer: nothing. */
	{
		struct querylog_entry e = { 1, p4, (const uint8_t *)"\1a", 1, 1, 0, 0, 5 };
		char small[10];

		CHECK_INT(querylog_format(&e, small, sizeof(small)), 0);
	}
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void test_files(const char *dir)
{
	char path[512], spec[520], moved[520], err[256];
	struct querylog *ql;
	struct querylog_buf *a, *b;
	struct querylog_entry e = { 7, (const struct sockaddr *)&peer4,
				    (const uint8_t *)"\1q\2bl", 1, 1, 0, 1, 50 };

	snprintf(path, sizeof(path), "%s/query.log", dir);
	snprintf(moved, sizeof(moved), "%s/query.log.1", dir);
	unlink(path);
	unlink(moved);

	/* Buffered: nothing reaches the file before a flush. */
	CHECK_INT(querylog_open(&ql, path, err, sizeof(err)), 0);
	CHECK_INT(querylog_unbuffered(ql), 0);
	a = querylog_buf_new(ql);
	b = querylog_buf_new(ql);
	CHECK_INT(querylog_add(a, &e), 0);
	e.when = 8;
	CHECK_INT(querylog_add(b, &e), 0);
	CHECK_STR(slurp(path), "");
	CHECK_INT(querylog_flush(b), 0);
	CHECK_INT(querylog_flush(a), 0);
	CHECK_STR(slurp(path), "8 127.0.0.1 q.bl A IN: NOERROR/1/50\n"
			       "7 127.0.0.1 q.bl A IN: NOERROR/1/50\n");
	/* Many lines: the buffer writes itself out, whole lines only. */
	for (int i = 0; i < 1000; i++)
		querylog_add(a, &e);
	querylog_flush(a);
	{
		char *s = slurp(path);
		size_t lines = 0;

		for (char *p = s; *p; p++)
			lines += *p == '\n';
		CHECK_INT(lines, 1002);
		CHECK(strstr(s, "\n8 127.0.0.1 q.bl A IN: NOERROR/1/50\n") != NULL);
	}
	/* Rotation: rename, reopen; new lines go to the new file. */
	CHECK_INT(rename(path, moved), 0);
	e.when = 9;
	querylog_add(a, &e);
	CHECK_INT(querylog_reopen(ql, err, sizeof(err)), 0);
	querylog_flush(a);
	CHECK_STR(slurp(path), "9 127.0.0.1 q.bl A IN: NOERROR/1/50\n");
	querylog_buf_free(a);
	querylog_buf_free(b);
	querylog_close(ql);

	/* '+': every line is written at once. */
	unlink(path);
	snprintf(spec, sizeof(spec), "+%s", path);
	CHECK_INT(querylog_open(&ql, spec, err, sizeof(err)), 0);
	CHECK_INT(querylog_unbuffered(ql), 1);
	a = querylog_buf_new(ql);
	e.when = 10;
	querylog_add(a, &e);
	CHECK_STR(slurp(path), "10 127.0.0.1 q.bl A IN: NOERROR/1/50\n");
	querylog_buf_free(a);
	querylog_close(ql);

	/* Errors name the file. */
	CHECK_INT(querylog_open(&ql, "/nonexistent/dir/q.log", err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/dir/q.log") != NULL);
	CHECK_INT(querylog_open(&ql, "+", err, sizeof(err)), -1);
	/* '-' is standard output; reopen is a no-op there. */
	CHECK_INT(querylog_open(&ql, "-", err, sizeof(err)), 0);
	CHECK_INT(querylog_reopen(ql, err, sizeof(err)), 0);
	querylog_close(ql);
	unlink(path);
	unlink(moved);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	char dir[400];

	peer4.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &peer4.sin_addr);
	peer6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &peer6.sin6_addr);
	snprintf(dir, sizeof(dir), "%s", tmp ? tmp : "/tmp");
	mkdir(dir, 0755);
	test_format();
	test_format_json();
	test_files(dir);
	return check_report();
}
