/* test_feed.c -- lib/feed*.c: rbldnsd-format parsing of every dataset type.
 *
 * Each test writes real files under TEST_TMPDIR and loads them through
 * feed_load(), then checks the dataset model.  Rules marked "checked against
 * the Debian binary" were confirmed by running /usr/sbin/rbldnsd (1.0pre
 * 20210120) on loopback with the same file and querying it with dig.
 */
#include "check.h"
#include "content_hash.h"
#include "dataset.h"
#include "dname.h"
#include "feed.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[512];
static char logbuf[65536];
static struct feed_result res;
static char err[512];

static const char *path_of(const char *name)
{
	static char paths[8][600];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, 600, "%s/%s", tmpdir, name);
	return p;
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "wb");

	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", p, strerror(errno));
		exit(2);
	}
	fwrite(data, 1, len, f);
	fclose(f);
	return p;
}

static const char *wtext(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* Loads `files` with `opts` (NULL: defaults with the log captured). */
static int load_files(enum ds_type t, const char *const *files, size_t n,
		      struct feed_options *opts, struct dataset **ds)
{
	struct feed_options o;
	FILE *log = tmpfile();
	size_t got;
	int r;

	if (opts)
		o = *opts;
	else
		memset(&o, 0, sizeof(o));
	o.log = log;
	*ds = NULL;
	feed_result_free(&res);
	r = feed_load(t, files, n, &o, ds, &res, err, sizeof(err));
	rewind(log);
	got = fread(logbuf, 1, sizeof(logbuf) - 1, log);
	logbuf[got] = '\0';
	fclose(log);
	return r;
}

static struct dataset *load1o(enum ds_type t, const char *text,
			      struct feed_options *opts)
{
	const char *f = wtext("one", text);
	struct dataset *ds;

	if (load_files(t, &f, 1, opts, &ds) < 0) {
		fprintf(stderr, "unexpected load failure: %s\n", err);
		return NULL;
	}
	return ds;
}

static struct dataset *load1(enum ds_type t, const char *text)
{
	return load1o(t, text, NULL);
}

static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- finding things in a dataset --------------------------------------- */

static uint32_t ip4(const char *s)
{
	unsigned a, b, c, d;

	sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d);
	return a << 24 | b << 16 | c << 8 | d;
}

static uint32_t entry_ip4(const struct ds_ip_entry *e)
{
	return (uint32_t)e->addr[0] << 24 | (uint32_t)e->addr[1] << 16 |
	       (uint32_t)e->addr[2] << 8 | e->addr[3];
}

/* Entries (family 4) with this address and length; a copy of the last
 * one in *out (one of a few kept, so several can be held at once). */
static int find4(const struct dataset *ds, const char *addr, unsigned plen,
		 const struct ds_ip_entry **out)
{
	static struct ds_ip_entry found[8];
	static unsigned next;
	struct ds_ip_entry e;
	int n = 0;

	for (size_t i = 0; ds && i < dataset_nip(ds); i++) {
		dataset_ip_get(ds, i, &e);
		if (e.family == 4 && e.plen == plen &&
		    entry_ip4(&e) == ip4(addr)) {
			n++;
			if (out) {
				found[next % 8] = e;
				*out = &found[next % 8];
			}
		}
	}
	next++;
	return n;
}

static int count_plen(const struct dataset *ds, unsigned plen)
{
	struct ds_ip_entry e;
	int n = 0;

	for (size_t i = 0; ds && i < dataset_nip(ds); i++) {
		dataset_ip_get(ds, i, &e);
		n += e.plen == plen;
	}
	return n;
}

static const struct ds_value *val(const struct dataset *ds,
				  const struct ds_ip_entry *e)
{
	return e && e->value < ds->nvalues ? &ds->values[e->value] : NULL;
}

/* "A|TXT" of an entry's value, TXT "-" when none. */
static const char *vstr(const struct dataset *ds, uint32_t id)
{
	static char buf[600];
	const struct ds_value *v;

	if (!ds || id >= ds->nvalues)
		return "(bad)";
	v = &ds->values[id];
	snprintf(buf, sizeof(buf), "%u.%u.%u.%u|%s", v->a >> 24, (v->a >> 16) & 255,
		 (v->a >> 8) & 255, v->a & 255, v->txt ? v->txt : "-");
	return buf;
}

static const char *v4(const struct dataset *ds, const char *addr, unsigned plen)
{
	const struct ds_ip_entry *e = NULL;

	if (find4(ds, addr, plen, &e) != 1)
		return "(none)";
	if (e->excluded)
		return "(excluded)";
	return vstr(ds, e->value);
}

static const struct ds_ip_entry *find6(const struct dataset *ds,
				       const char *hex32, unsigned plen)
{
	uint8_t a[16];

	for (int i = 0; i < 16; i++) {
		unsigned b;

		sscanf(hex32 + 2 * i, "%2x", &b);
		a[i] = (uint8_t)b;
	}
	for (size_t i = 0; ds && i < ds->nip; i++)
		if (ds->ip[i].family == 6 && ds->ip[i].plen == plen &&
		    memcmp(ds->ip[i].addr, a, 16) == 0)
			return &ds->ip[i];
	return NULL;
}

static const struct ds_dn_entry *find_dn(const struct dataset *ds,
					 const char *name, int wild)
{
	uint8_t w[DNAME_MAX];

	dname_from_text(name, strlen(name), w, 0);
	for (size_t i = 0; ds && i < ds->ndn; i++)
		if (ds->dn[i].wild == wild &&
		    wname_len(ds->dn[i].name) == wname_len(w) &&
		    memcmp(ds->dn[i].name, w, wname_len(w)) == 0)
			return &ds->dn[i];
	return NULL;
}

static const char *wtxt(const uint8_t *w)
{
	static char buf[300];

	if (!w)
		return "(null)";
	dname_to_text(w, buf, sizeof(buf));
	return buf;
}

/* ---- lines ----------------------------------------------------------- */

/* `prefix`, spaces, then `suffix`, `n` bytes in all, and a newline. */
static size_t pad_line(char *out, const char *prefix, const char *suffix,
		       size_t n)
{
	size_t lp = strlen(prefix), ls = strlen(suffix);

	memcpy(out, prefix, lp);
	memset(out + lp, ' ', n - lp - ls);
	memcpy(out + n - ls, suffix, ls);
	out[n] = '\n';
	return n + 1;
}

static void long_lines(void)
{
	static char buf[300000];
	struct dataset *ds;
	const char *f;
	size_t n;
	gzFile gz;

	for (size_t len = 65535; len <= 65537; len++) {
		n = pad_line(buf, "1.2.3.4", ":123", len);
		memcpy(buf + n, "5.5.5.5\n", 8);
		f = write_file("long", buf, n + 8);
		CHECK_INT(load_files(DS_IP4SET, &f, 1, NULL, &ds), 0);
		CHECK_STR(v4(ds, "1.2.3.4", 32),
			  len < 65537 ? "127.0.0.123|-" : "127.0.0.12|-");
		CHECK_INT(find4(ds, "5.5.5.5", 32, NULL), 1);
		CHECK_INT(res.lines, 2);
		CHECK_INT(res.warnings, len == 65535 ? 0 : 1);
		dataset_free(ds);
	}

	n = pad_line(buf, "1.2.3.4 :4:", "x", 65525);
	n += pad_line(buf + n, "1.2.3.5", ":123", 65526);
	n += pad_line(buf + n, "1.2.3.6", ":123", 40000);
	memcpy(buf + n, "9.9.9.9\n", 8);
	n += 8;
	f = write_file("long", buf, n);
	CHECK_INT(load_files(DS_IP4SET, &f, 1, NULL, &ds), 0);
	CHECK_STR(v4(ds, "1.2.3.5", 32), "127.0.0.2|-");
	CHECK_STR(v4(ds, "1.2.3.6", 32), "127.0.0.2|-");
	CHECK_INT(find4(ds, "9.9.9.9", 32, NULL), 1);
	CHECK_INT(dataset_nip(ds), 4);
	CHECK_INT(res.lines, 4);
	CHECK(strstr(logbuf, "long:2: long line (truncated)") != NULL);
	CHECK(strstr(logbuf, "long:3: long line (truncated)") != NULL);
	dataset_free(ds);

	f = path_of("long.gz");
	gz = gzopen(f, "wb");
	gzwrite(gz, buf, (unsigned)n);
	gzclose(gz);
	CHECK_INT(load_files(DS_IP4SET, &f, 1, NULL, &ds), 0);
	CHECK_STR(v4(ds, "1.2.3.5", 32), "127.0.0.123|-");
	CHECK_STR(v4(ds, "1.2.3.6", 32), "127.0.0.123|-");
	CHECK(strstr(logbuf, "long line") == NULL);
	dataset_free(ds);
}

static void test_lines(void)
{
	struct dataset *ds;

	/* Checked against the Debian binary: a CR is not whitespace, so
	 * `1.2.3.4\r` is an invalid address and a CR stays in the TXT; an
	 * unterminated last line is loaded although rbldnsd logs
	 * "incomplete last line (ignored)". */
	ds = load1(DS_IP4SET, "1.2.3.4\r\n1.2.3.5 :3:txt\r\n  # comment\n"
		   "; also comment\n\n \t\n\t1.2.3.6 \t\n1.2.3.7");
	CHECK(ds != NULL);
	CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 0);
	CHECK_STR(v4(ds, "1.2.3.5", 32), "127.0.0.3|txt\r");
	CHECK_STR(v4(ds, "1.2.3.6", 32), "127.0.0.2|-");
	CHECK_STR(v4(ds, "1.2.3.7", 32), "127.0.0.2|-");
	CHECK_INT(res.warnings, 1);
	CHECK_INT(res.lines, 8);
	CHECK_INT(res.entries, 3);
	CHECK(strstr(logbuf, "one:1: invalid address \"1.2.3.4\\r\"\n") != NULL);
	CHECK(strstr(logbuf, "one:8: incomplete last line") != NULL);
	dataset_free(ds);

	/* Long lines, checked against the Debian binary: rbldnsd cuts a
	 * line once 32 KiB or more of it sit in its 64 KiB read buffer
	 * without a newline, so the cut depends on where the reads fell: at
	 * the start of a file a 65535-byte line is whole, a 65536-byte one is
	 * flagged but whole, a 65537-byte one loses its last byte; a 65526-
	 * byte line starting at offset 65526 is cut after 32778 bytes.  A
	 * gzip file fills the whole buffer per read, so there that same line
	 * is not cut.  The rest of a cut line is skipped. */
	long_lines();
	/* A NUL byte ends the line (rbldnsd works on C strings; checked
	 * against the Debian binary, which answers TXT "ab" here). */
	{
		const char data[] = "1.2.3.4\0junk\n5.6.7.8\n9.9.9.9 :3:ab\0cd\n";
		const char *f = write_file("nul", data, sizeof(data) - 1);

		CHECK_INT(load_files(DS_IP4SET, &f, 1, NULL, &ds), 0);
		CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 1);
		CHECK_INT(find4(ds, "5.6.7.8", 32, NULL), 1);
		CHECK_STR(v4(ds, "9.9.9.9", 32), "127.0.0.3|ab");
		CHECK_INT(res.warnings, 0);
		dataset_free(ds);
	}
	/* The same far into a big file: the NUL arrives in a later read
	 * than the first, and is still seen. */
	{
		static const char pad[] = "# padding line, read in a later block\n";
		const char tail[] = "1.2.3.4\0junk\n9.9.9.9 :3:ab\0cd\n";
		size_t npad = (3u << 20) / (sizeof(pad) - 1), len = 0;
		char line[128], *data = malloc(npad * (sizeof(pad) - 1) + sizeof(tail));
		const char *f;

		for (size_t i = 0; i < npad; i++, len += sizeof(pad) - 1)
			memcpy(data + len, pad, sizeof(pad) - 1);
		memcpy(data + len, tail, sizeof(tail) - 1);
		len += sizeof(tail) - 1;
		f = write_file("nul-late", data, len);
		CHECK_INT(load_files(DS_IP4SET, &f, 1, NULL, &ds), 0);
		CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 1);
		CHECK_STR(v4(ds, "9.9.9.9", 32), "127.0.0.3|ab");
		CHECK_INT(res.warnings, 0);
		snprintf(line, sizeof(line), "nul-late:%zu: NUL byte in the line",
			 npad + 1);
		CHECK(strstr(logbuf, line) != NULL);
		snprintf(line, sizeof(line), "nul-late:%zu: NUL byte in the line",
			 npad + 2);
		CHECK(strstr(logbuf, line) != NULL);
		dataset_free(ds);
		free(data);
	}
}

/* ---- ip4set keys ------------------------------------------------------ */

static void test_ip4set_keys(void)
{
	struct dataset *ds;
	struct feed_options o;
	const struct ds_ip_entry *e;

	ds = load1(DS_IP4SET,
		   "1.2.3.4\n"
		   "10.20.30\n"          /* /24 */
		   "10.21\n"             /* /16 */
		   "11\n"                /* bare number: rejected */
		   "12/8\n"
		   "192.168.1.0/25\n"    /* 128 /32s */
		   "172.16.0.0/12\n"     /* 16 /16s */
		   "0/0\n"               /* rejected in ip4set */
		   "9.9.9.9/32\n"
		   "8.8.8.0/24\n");
	CHECK(ds != NULL);
	CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 1);
	CHECK_INT(find4(ds, "10.20.30.0", 24, NULL), 1);
	CHECK_INT(find4(ds, "10.21.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "11.0.0.0", 8, NULL), 0);
	CHECK_INT(find4(ds, "12.0.0.0", 8, NULL), 1);
	CHECK_INT(find4(ds, "192.168.1.0", 32, NULL), 1);
	CHECK_INT(find4(ds, "192.168.1.127", 32, NULL), 1);
	CHECK_INT(find4(ds, "192.168.1.128", 32, NULL), 0);
	CHECK_INT(find4(ds, "172.16.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "172.31.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "172.32.0.0", 16, NULL), 0);
	CHECK_INT(find4(ds, "9.9.9.9", 32, NULL), 1);
	CHECK_INT(find4(ds, "8.8.8.0", 24, NULL), 1);
	CHECK_INT(count_plen(ds, 32), 1 + 128 + 1);
	CHECK_INT(count_plen(ds, 16), 1 + 16);
	CHECK_INT(count_plen(ds, 8), 1);
	CHECK_INT(count_plen(ds, 24), 2);
	CHECK_INT(res.warnings, 2);
	CHECK(strstr(logbuf, "one:4: invalid address") != NULL);
	CHECK(strstr(logbuf, "one:8: invalid address") != NULL);
	dataset_free(ds);

	/* Ranges in every form. */
	ds = load1(DS_IP4SET,
		   "127.16-127.31\n"          /* 16 /16s */
		   "128.16-31\n"              /* same, short form */
		   "1.2.3.4-5\n"              /* 2 /32s */
		   "1.2.4.4-1.2.4.7\n"        /* 4 /32s */
		   "10.0.0.0-10.0.0.255\n"    /* exactly one /24 */
		   "20.0.0.250-20.0.2.5\n"    /* 6 /32 + 1 /24 + 6 /32 */
		   "30.0.0.0-30.255.255.255\n"/* one /8 */
		   "127-127.0.0\n"            /* rejected (man page example) */
		   "1.2-1.2.3.4\n"            /* rejected: octet counts differ */
		   "5.5.5.9-5.5.5.1\n"        /* rejected: reversed */
		   "40-41\n");                /* two /8s (checked: accepted) */
	CHECK(ds != NULL);
	CHECK_INT(find4(ds, "127.16.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "127.31.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "127.32.0.0", 16, NULL), 0);
	CHECK_INT(find4(ds, "128.16.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "128.31.0.0", 16, NULL), 1);
	CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 1);
	CHECK_INT(find4(ds, "1.2.3.5", 32, NULL), 1);
	CHECK_INT(find4(ds, "1.2.3.6", 32, NULL), 0);
	CHECK_INT(find4(ds, "1.2.4.7", 32, NULL), 1);
	CHECK_INT(find4(ds, "10.0.0.0", 24, NULL), 1);
	CHECK_INT(find4(ds, "10.0.0.0", 32, NULL), 0);
	CHECK_INT(find4(ds, "20.0.0.250", 32, NULL), 1);
	CHECK_INT(find4(ds, "20.0.0.255", 32, NULL), 1);
	CHECK_INT(find4(ds, "20.0.1.0", 24, NULL), 1);
	CHECK_INT(find4(ds, "20.0.2.0", 32, NULL), 1);
	CHECK_INT(find4(ds, "20.0.2.5", 32, NULL), 1);
	CHECK_INT(find4(ds, "20.0.2.6", 32, NULL), 0);
	CHECK_INT(find4(ds, "30.0.0.0", 8, NULL), 1);
	CHECK_INT(find4(ds, "40.0.0.0", 8, NULL), 1);
	CHECK_INT(find4(ds, "41.0.0.0", 8, NULL), 1);
	CHECK_INT(count_plen(ds, 32), 2 + 4 + 12);
	CHECK_INT(count_plen(ds, 24), 2);
	CHECK_INT(count_plen(ds, 16), 32);
	CHECK_INT(count_plen(ds, 8), 3);
	CHECK_INT(res.warnings, 3);
	dataset_free(ds);

	/* Leading zeros are decimal; a key may run into ':'. */
	ds = load1(DS_IP4SET, "010.001.000.011\n1.2.3.4:2:tight\n"
		   "1.2.3.5# comment right after\n1.2.3.6x\n");
	CHECK_INT(find4(ds, "10.1.0.11", 32, NULL), 1);
	CHECK_STR(v4(ds, "1.2.3.4", 32), "127.0.0.2|tight");
	CHECK_STR(v4(ds, "1.2.3.5", 32), "127.0.0.2|-");
	CHECK_INT(res.warnings, 1);
	dataset_free(ds);

	/* Host bits: warning and skip, or masked with accept_host_bits. */
	ds = load1(DS_IP4SET, "127.0.0.1/8\n10.1.2.3/24 :3\n");
	CHECK_INT(dataset_nip(ds), 0);
	CHECK_INT(res.warnings, 2);
	CHECK(strstr(logbuf, "non-zero host part") != NULL);
	dataset_free(ds);
	memset(&o, 0, sizeof(o));
	o.accept_host_bits = 1;
	ds = load1o(DS_IP4SET, "127.0.0.1/8\n10.1.2.3/24 :3\n", &o);
	CHECK_INT(find4(ds, "127.0.0.0", 8, NULL), 1);
	CHECK_STR(v4(ds, "10.1.2.0", 24), "127.0.0.3|-");
	CHECK_INT(res.warnings, 0);
	dataset_free(ds);

	/* Exclusions at every level; their value is ignored. */
	ds = load1(DS_IP4SET, "!1.2.3.4 :5:ignored\n!1.2.3\n! 1.2\n!1/8\n"
		   "!7.7.7.7-7.7.7.8\n");
	CHECK(find4(ds, "1.2.3.4", 32, &e) == 1 && e->excluded);
	CHECK(find4(ds, "1.2.3.0", 24, &e) == 1 && e->excluded);
	CHECK(find4(ds, "1.2.0.0", 16, &e) == 1 && e->excluded);
	CHECK(find4(ds, "1.0.0.0", 8, &e) == 1 && e->excluded);
	CHECK(find4(ds, "7.7.7.8", 32, &e) == 1 && e->excluded);
	CHECK_INT(ds->nvalues, 0);
	dataset_free(ds);

	/* The same address listed twice keeps both values (rbldnsd answers
	 * with all of them). */
	ds = load1(DS_IP4SET, "1.2.3.4 :3:a\n1.2.3.4 :4:b\n");
	CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 2);
	CHECK_INT(ds->nvalues, 2);
	dataset_free(ds);
}

/* ---- values ------------------------------------------------------------ */

static void test_values(void)
{
	struct dataset *ds;
	char line[400];
	const struct ds_ip_entry *e = NULL;

	/* Checked against the Debian binary: `:6` alone gives no TXT, `:8`
	 * after `:7:seven` takes TXT "seven", bare text keeps its '#'. */
	ds = load1(DS_IP4SET,
		   "1.1.1.0\n"
		   ":6\n"
		   "1.1.1.1\n"
		   ":7:seven\n"
		   "1.1.1.2\n"
		   "1.1.1.3 :8\n"
		   "1.1.1.4 plain # not comment\n"
		   "1.1.1.5 # comment\n"
		   "1.1.1.6 :127.0.0.9:full\n"
		   "1.1.1.7 :9:\n"
		   "1.1.1.8 :1.2\n"
		   "1.1.1.9 :127.0.2:x\n"
		   "1.1.1.10 :0:zero\n"
		   "1.1.1.11 :5  :   spaced  \n"
		   "1.1.1.12 :5x\n"
		   "1.1.1.13 ; semicolon comment\n"
		   "1.1.1.14 :256\n"
		   "1.1.1.15 : 5\n");
	CHECK(ds != NULL);
	CHECK_STR(v4(ds, "1.1.1.0", 32), "127.0.0.2|-");
	CHECK_STR(v4(ds, "1.1.1.1", 32), "127.0.0.6|-");
	CHECK_STR(v4(ds, "1.1.1.2", 32), "127.0.0.7|seven");
	CHECK_STR(v4(ds, "1.1.1.3", 32), "127.0.0.8|seven");
	CHECK_STR(v4(ds, "1.1.1.4", 32), "127.0.0.7|plain # not comment");
	CHECK_STR(v4(ds, "1.1.1.5", 32), "127.0.0.7|seven");
	CHECK_STR(v4(ds, "1.1.1.6", 32), "127.0.0.9|full");
	CHECK_STR(v4(ds, "1.1.1.7", 32), "127.0.0.9|-");
	CHECK_STR(v4(ds, "1.1.1.8", 32), "1.0.0.2|seven");
	CHECK_STR(v4(ds, "1.1.1.9", 32), "127.0.0.2|x");
	CHECK_STR(v4(ds, "1.1.1.10", 32), "(none)");
	CHECK_STR(v4(ds, "1.1.1.11", 32), "127.0.0.5|spaced");
	CHECK_STR(v4(ds, "1.1.1.12", 32), "(none)");
	CHECK_STR(v4(ds, "1.1.1.13", 32), "127.0.0.7|seven");
	CHECK_STR(v4(ds, "1.1.1.14", 32), "(none)");
	/* Checked against the Debian binary: no space is skipped between the
	 * first ':' and the A (": 5" is an invalid A), only after the A and
	 * after the second ':'. */
	CHECK_STR(v4(ds, "1.1.1.15", 32), "(none)");
	CHECK_INT(res.warnings, 4);
	CHECK(strstr(logbuf, "one:13: invalid A RR") != NULL);
	CHECK(strstr(logbuf, "one:15: unrecognized value") != NULL);
	dataset_free(ds);

	/* Over-long TXT: cut to 255 with a warning, the entry kept. */
	memset(line, 'y', sizeof(line));
	memcpy(line, "1.2.3.4 :3:", 11);
	line[11 + 300] = '\n';
	line[11 + 301] = '\0';
	ds = load1(DS_IP4SET, line);
	CHECK(find4(ds, "1.2.3.4", 32, &e) == 1);
	CHECK(e && val(ds, e)->txtlen == 255);
	CHECK_INT(res.warnings, 1);
	dataset_free(ds);

	/* Values are interned: many lines, one value. */
	ds = load1(DS_IP4SET, "1.1.1.1 :3:a\n1.1.1.2 :3:a\n1.1.1.3\n1.1.1.4\n");
	CHECK_INT(ds->nvalues, 2);
	dataset_free(ds);
}

/* ---- per-file default reset vs tset first line --------------------------- */

static void test_default_reset(void)
{
	const char *files[2];
	struct dataset *ds;

	files[0] = wtext("f1", ":5:first\n1.1.1.1\n");
	files[1] = wtext("f2", "1.1.1.2\n:6:second\n1.1.1.3\n");
	CHECK_INT(load_files(DS_IP4SET, files, 2, NULL, &ds), 0);
	CHECK_STR(v4(ds, "1.1.1.1", 32), "127.0.0.5|first");
	CHECK_STR(v4(ds, "1.1.1.2", 32), "127.0.0.2|-");   /* reset */
	CHECK_STR(v4(ds, "1.1.1.3", 32), "127.0.0.6|second");
	CHECK_INT(res.nsources, 2);
	dataset_free(ds);

	/* dnset and ip4trie reset too. */
	files[0] = wtext("f1", ":5:first\nexample.com\n");
	files[1] = wtext("f2", "example.net\n");
	CHECK_INT(load_files(DS_DNSET, files, 2, NULL, &ds), 0);
	CHECK_STR(vstr(ds, find_dn(ds, "example.com", 0)->value),
		  "127.0.0.5|first");
	CHECK_STR(vstr(ds, find_dn(ds, "example.net", 0)->value), "127.0.0.2|-");
	dataset_free(ds);

	/* Checked against the Debian binary: in ip4tset only the first `:`
	 * line of the whole dataset counts, and it applies to every entry,
	 * including those above it and in other files. */
	files[0] = wtext("f1", "1.1.1.1\n:5:first\n1.1.1.2\n:6:second\n");
	files[1] = wtext("f2", "1.1.1.3\n:7:third\n");
	CHECK_INT(load_files(DS_IP4TSET, files, 2, NULL, &ds), 0);
	CHECK_STR(v4(ds, "1.1.1.1", 32), "127.0.0.5|first");
	CHECK_STR(v4(ds, "1.1.1.2", 32), "127.0.0.5|first");
	CHECK_STR(v4(ds, "1.1.1.3", 32), "127.0.0.5|first");
	CHECK_INT(res.warnings, 0);
	dataset_free(ds);

	/* ip4tset without a `:` line: the built-in default. */
	ds = load1(DS_IP4TSET, "1.1.1.1\n");
	CHECK_STR(v4(ds, "1.1.1.1", 32), "127.0.0.2|-");
	dataset_free(ds);
}

/* ---- special lines ---------------------------------------------------- */

static void test_specials(void)
{
	struct dataset *ds;
	char text[4096];
	const char *files[2];
	size_t n;

	/* Checked against the Debian binary: names without a trailing dot
	 * are absolute (SOA answers ns1.example.com.), serial 0 = mtime. */
	ds = load1(DS_IP4SET,
		   "$SOA 1h ns1.example.com Hostmaster.Example.com. 0 1h 2m 3d 4w\n"
		   "$SOA 5 other.example other.example 1 1 1 1 1\n"
		   "$NS 200 ns1.example.com -ns.skipped ns2.example.com.\n"
		   "$NS 300 ns3.example.com\n"
		   "$TTL 5m\n"
		   "#$TTL 2h\n"
		   "$ttl 7\n"
		   "$TTLX 9\n"
		   "$TTL\t1d\n"
		   "$1 one\n"
		   "$1 uno\n"
		   "$= base $\n"
		   "$= other\n"
		   ":$0 zero\n"
		   ";$9 nine\n"
		   "$BOGUS 1\n"
		   "$SOA 1 a b 1 1 1 1\n"
		   "$DATASET ip4set @\n"
		   "1.2.3.4\n");
	CHECK(ds != NULL);
	CHECK(ds->meta.soa.present);
	CHECK_INT(ds->meta.soa.ttl, 3600);
	CHECK_STR(wtxt(ds->meta.soa.mname), "ns1.example.com");
	CHECK_STR(wtxt(ds->meta.soa.rname), "Hostmaster.Example.com");
	CHECK_INT(ds->meta.soa.serial, 0);
	CHECK_INT(ds->meta.soa.refresh, 3600);
	CHECK_INT(ds->meta.soa.retry, 120);
	CHECK_INT(ds->meta.soa.expire, 3 * 86400);
	CHECK_INT(ds->meta.soa.minimum, 4 * 7 * 86400);
	CHECK_INT(ds->meta.ns.count, 2);
	CHECK_INT(ds->meta.ns.ttl, 200);
	CHECK_STR(wtxt(ds->meta.ns.names[0]), "ns1.example.com");
	CHECK_STR(wtxt(ds->meta.ns.names[1]), "ns2.example.com");
	CHECK_INT(ds->meta.ttl, 86400);   /* the last $TTL */
	CHECK_STR(ds->meta.vars[1], "one");
	CHECK_STR(ds->meta.vars[0], "zero");
	CHECK_STR(ds->meta.vars[9], "nine");
	CHECK_STR(ds->meta.base_template, "base $");
	CHECK(ds->meta.vars[2] == NULL);
	/* $TTLX, $BOGUS and $DATASET outside combined; the 7-field $SOA
	 * after the first one is ignored without being parsed, as in
	 * rbldnsd. */
	CHECK_INT(res.warnings, 3);
	CHECK_INT(count_str(logbuf, "invalid or unrecognized special entry"), 3);
	CHECK(strstr(logbuf, "one:8: invalid or unrecognized") != NULL);
	dataset_free(ds);

	/* At most 32 NS names; `0` TTLs kept as 0 ("the default"). */
	n = (size_t)snprintf(text, sizeof(text), "$SOA 0 a. b. 7 1 2 3 4\n$NS 0");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " ns%d.x", i);
	snprintf(text + n, sizeof(text) - n, "\n");
	ds = load1(DS_IP4SET, text);
	CHECK_INT(ds->meta.ns.count, 32);
	CHECK_INT(ds->meta.ns.ttl, 0);
	CHECK_INT(ds->meta.soa.ttl, 0);
	CHECK_INT(ds->meta.soa.serial, 7);
	CHECK_STR(wtxt(ds->meta.ns.names[31]), "ns31.x");
	dataset_free(ds);

	/* Checked against the Debian binary: an $NS line whose names are all
	 * commented out does not count as "the first line" ($NAMESERVER's
	 * ns3.x with TTL 70 is served); names are absolute, dot or not. */
	ds = load1(DS_DNSET, "$NS 60 -ns1.x -ns2.x\n$NAMESERVER 70 ns3.x\n"
		   "$ns 80 ns4.x\n");
	CHECK_INT(ds->meta.ns.count, 1);
	CHECK_INT(ds->meta.ns.ttl, 70);
	CHECK_STR(wtxt(ds->meta.ns.names[0]), "ns3.x");
	CHECK_INT(res.warnings, 0);
	dataset_free(ds);

	/* A $SOA with 7 fields is bad; a later good one then counts. */
	ds = load1(DS_IP4SET, "$SOA 1 a b 1 1 1 1\n$SOA 1 a b 2 1 1 1 1 junk\n"
		   "$SOA 1 a b 3 1 1 1 1\n");
	CHECK_INT(res.warnings, 2);
	CHECK_INT(ds->meta.soa.serial, 3);
	dataset_free(ds);

	/* $NS and $SOA are not allowed in acl. */
	ds = load1(DS_ACL, "$SOA 1 a b 1 1 1 1 1\n$NS 1 a\n");
	CHECK(!ds->meta.soa.present);
	CHECK_INT(ds->meta.ns.count, 0);
	CHECK_INT(res.warnings, 2);
	dataset_free(ds);

	/* $MAXRANGE4: N or /len, only lowers, spans files. */
	files[0] = wtext("f1", "$MAXRANGE4 /16\n10.0.0.0/16\n11.0.0.0/15\n"
			 "$MAXRANGE4 /8\n12.0.0.0/15\n$MAXRANGE4 256\n");
	files[1] = wtext("f2", "1.2.3.0/24\n1.2.0.0/23\n$MAXRANGE4 0\n");
	CHECK_INT(load_files(DS_IP4SET, files, 2, NULL, &ds), 0);
	CHECK_INT(count_plen(ds, 16), 1);          /* 10.0/16 */
	CHECK_INT(find4(ds, "11.0.0.0", 16, NULL), 0);
	CHECK_INT(find4(ds, "12.0.0.0", 16, NULL), 0);
	CHECK_INT(find4(ds, "1.2.3.0", 24, NULL), 1);
	CHECK_INT(find4(ds, "1.2.0.0", 24, NULL), 0);
	CHECK(strstr(logbuf, "f1:2:") == NULL);
	CHECK(strstr(logbuf, "f1:3: too large range") != NULL);
	CHECK(strstr(logbuf, "f1:4: ignoring attempt to increase $MAXRANGE4") != NULL);
	CHECK(strstr(logbuf, "f2:2: too large range") != NULL);
	CHECK(strstr(logbuf, "f2:3: invalid or unrecognized") != NULL);
	dataset_free(ds);
	ds = load1(DS_IP4TRIE, "$MAXRANGE4 /24\n10.0.0.0/24\n10.0.0.0/23\n");
	CHECK_INT(dataset_nip(ds), 1);
	dataset_free(ds);

	/* $TIMESTAMP: a past stamp loads, expiry absolute or relative; the
	 * earliest expiry is kept. */
	ds = load1(DS_IP4SET, "$TIMESTAMP 2020:01:02:03:04:05 +1d\n"
		   "$TIMESTAMP 2020-01-01 2021:01:01\n"
		   "$TIMESTAMP 0\n$TIMESTAMP - 2030:1:1\n"
		   "$TIMESTAMP 2020:02:30\n$TIMESTAMP 0 +1h\n");
	CHECK_INT(ds->meta.timestamp, 1577934245);
	CHECK_INT(ds->meta.expires, 1577934245 + 86400);
	CHECK_INT(res.warnings, 2);   /* Feb 30; +rel with no stamp */
	dataset_free(ds);
	{
		char line[100];
		time_t t = time(NULL) + 86400 * 3;
		struct tm tm;
		struct dataset *keep = (struct dataset *)&keep;

		gmtime_r(&t, &tm);
		snprintf(line, sizeof(line), "1.2.3.4\n$TIMESTAMP %04d:%02d:%02d\n",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		files[0] = wtext("future", line);
		ds = keep;
		CHECK_INT(load_files(DS_IP4SET, files, 1, NULL, &ds), -1);
		CHECK(strstr(err, "future:2: data timestamp is") != NULL);
		CHECK(strstr(err, "in the future") != NULL);
		CHECK_INT(res.nsources, 0);
	}
}

/* ---- gzip and file identity ------------------------------------------ */

static void test_gzip_and_identity(void)
{
	const char *plain = "1.2.3.4 :3:gz\n5.6.7.8\n";
	const char *p = path_of("data.gz");
	struct feed_options o;
	struct dataset *ds;
	struct stat st;
	gzFile gz;
	FILE *f;
	char raw[4096];
	size_t rawlen;

	gz = gzopen(p, "wb");
	CHECK(gz != NULL);
	gzwrite(gz, plain, (unsigned)strlen(plain));
	gzclose(gz);
	f = fopen(p, "rb");
	rawlen = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	CHECK((unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b);
	stat(p, &st);

	CHECK_INT(load_files(DS_IP4SET, &p, 1, NULL, &ds), 0);
	CHECK_STR(v4(ds, "1.2.3.4", 32), "127.0.0.3|gz");
	CHECK_INT(find4(ds, "5.6.7.8", 32, NULL), 1);
	CHECK_INT(res.nsources, 1);
	CHECK_STR(res.sources[0].path, p);
	CHECK_INT(res.sources[0].size, rawlen);
	CHECK_INT(res.sources[0].mtime, st.st_mtime);
	/* The hash is over the raw (compressed) bytes. */
	CHECK(res.sources[0].hash == content_hash_of(raw, rawlen));
	CHECK(res.sources[0].hash != content_hash_of(plain, strlen(plain)));
	dataset_free(ds);

	/* no_gunzip: a compressed file fails the load. */
	memset(&o, 0, sizeof(o));
	o.no_gunzip = 1;
	CHECK_INT(load_files(DS_IP4SET, &p, 1, &o, &ds), -1);
	CHECK(strstr(err, "compressed") != NULL);
	CHECK(strstr(err, "data.gz") != NULL);
	CHECK(ds == NULL);

	/* Checked against the Debian binary: only the first gzip member is
	 * read, anything after it (another member, garbage) is ignored. */
	{
		char two[8192];
		size_t tl;
		const char *g2 = path_of("two.gz");

		gz = gzopen(g2, "wb");
		gzwrite(gz, "1.1.1.1\n", 8);
		gzclose(gz);
		f = fopen(g2, "rb");
		tl = fread(two, 1, sizeof(two) / 2, f);
		fclose(f);
		memcpy(two + tl, raw, rawlen);   /* a second member */
		memcpy(two + tl + rawlen, "garbage", 7);
		g2 = write_file("two.gz", two, tl + rawlen + 7);
		CHECK_INT(load_files(DS_IP4SET, &g2, 1, NULL, &ds), 0);
		CHECK_INT(find4(ds, "1.1.1.1", 32, NULL), 1);
		CHECK_INT(dataset_nip(ds), 1);
		dataset_free(ds);
		/* cut short: an error */
		g2 = write_file("short.gz", two, tl - 6);
		CHECK_INT(load_files(DS_IP4SET, &g2, 1, NULL, &ds), -1);
		CHECK(strstr(err, "short.gz: gzip") != NULL);
	}

	/* A damaged gzip file fails cleanly. */
	raw[rawlen / 2] ^= 0x55;
	raw[rawlen / 2 + 1] ^= 0x55;
	p = write_file("bad.gz", raw, rawlen - 4);
	CHECK_INT(load_files(DS_IP4SET, &p, 1, NULL, &ds), -1);
	CHECK(strstr(err, "bad.gz: gzip") != NULL);

	/* A missing file: error names it, *out untouched. */
	{
		const char *files[2];
		struct dataset *keep = (struct dataset *)&keep;

		files[0] = wtext("exists", "1.2.3.4\n");
		files[1] = path_of("does-not-exist");
		ds = keep;
		feed_result_free(&res);
		CHECK_INT(feed_load(DS_IP4SET, files, 2, NULL, &ds, &res, err,
				    sizeof(err)), -1);
		CHECK(ds == keep);
		CHECK(strstr(err, "does-not-exist: unable to open file") != NULL);
		CHECK_INT(res.nsources, 0);
	}

	/* A file whose size changes while it is read fails the load: here a
	 * FIFO, whose stat size (0) never matches what was read. */
	{
		const char *fifo = path_of("fifo");
		pid_t pid;

		unlink(fifo);
		CHECK_INT(mkfifo(fifo, 0600), 0);
		pid = fork();
		if (pid == 0) {
			FILE *w = fopen(fifo, "w");

			if (w) {
				fputs("1.2.3.4\n", w);
				fclose(w);
			}
			_exit(0);
		}
		CHECK_INT(load_files(DS_IP4SET, &fifo, 1, NULL, &ds), -1);
		CHECK(strstr(err, "fifo: file changed while it was being read") != NULL);
		waitpid(pid, NULL, 0);
		unlink(fifo);
	}

	/* Identity of a plain file. */
	p = wtext("plain", plain);
	stat(p, &st);
	CHECK_INT(load_files(DS_IP4SET, &p, 1, NULL, &ds), 0);
	CHECK_INT(res.sources[0].size, strlen(plain));
	CHECK(res.sources[0].hash == content_hash_of(plain, strlen(plain)));
	dataset_free(ds);
}

/* ---- other address types -------------------------------------------------- */

static void test_ip4tset_ip4trie(void)
{
	struct dataset *ds;
	const struct ds_ip_entry *e;

	ds = load1(DS_IP4TSET, "1.2.3.4 anything here is ignored\n1.2.3\n"
		   "!1.2.3.5\n1.2.3.6-7\n1.2.3.8/32\n1.2.3.9:5:x\n");
	CHECK_INT(dataset_nip(ds), 2);
	CHECK_INT(find4(ds, "1.2.3.4", 32, NULL), 1);
	CHECK_INT(find4(ds, "1.2.3.9", 32, NULL), 1);
	CHECK_INT(res.warnings, 4);
	dataset_free(ds);

	ds = load1(DS_IP4TRIE, "0/0 :9\n10.0.0.0/8\n10.1\n!10.1.2.0/24\n"
		   "10.0.0.0/8 :3:dup\n1.2.3.4-1.2.3.5\n10.1.2.3/16\n20\n"
		   "1.2.3.4:4:tight\n");
	CHECK_STR(v4(ds, "0.0.0.0", 0), "127.0.0.9|-");
	CHECK_STR(v4(ds, "10.0.0.0", 8), "127.0.0.2|-");   /* first wins */
	CHECK_STR(v4(ds, "10.1.0.0", 16), "127.0.0.2|-");
	CHECK(find4(ds, "10.1.2.0", 24, &e) == 1 && e->excluded);
	CHECK_STR(v4(ds, "1.2.3.4", 32), "127.0.0.4|tight");
	CHECK_INT(dataset_nip(ds), 5);
	CHECK(strstr(logbuf, "one:5: duplicated entry for 10.0.0.0/8") != NULL);
	CHECK(strstr(logbuf, "one:6: invalid address") != NULL);
	CHECK(strstr(logbuf, "one:7: invalid range (non-zero host part)") != NULL);
	CHECK(strstr(logbuf, "one:8: invalid address") != NULL);
	dataset_free(ds);
}

static void test_ip6(void)
{
	struct dataset *ds;
	const struct ds_ip_entry *e;

	/* Checked against the Debian binary line by line: which forms are
	 * accepted, and that an 8th group (or a "::" form) may run into a
	 * ':' value, while "2001:dba:" is invalid but "2001:db8::1:" is not. */
	ds = load1(DS_IP6TRIE,
		   "2001:db8 :3:a\n"                 /* /32 */
		   "2001\n"                          /* bare group: invalid */
		   "::1 :4:b\n"                      /* an address, not a default */
		   "2001:db9::/32\n"
		   "1:2:3:4:5:6:7:8 :5\n"
		   "::ffff:1.2.3.4\n"                /* no dotted quad: invalid */
		   "2001:dba:\n"                     /* invalid */
		   "2001:DBC:0:1\n"                  /* /64, any case */
		   "!2001:db8:0:1::/64\n"
		   "2001:db8:12345::\n"              /* invalid */
		   "2001:dbd::1:\n"                  /* accepted: ::1 */
		   "2001:dbf::1/64\n"                /* host bits */
		   "1:2:3:4:5:6:7:9:6:txt\n"         /* runs into the value */
		   "1:2::3:4:5:6:7:8\n"              /* too many groups */
		   "0:0/0\n"
		   "2001:dbe::/129\n"                /* invalid */
		   "2001/16\n");
	CHECK(ds != NULL);
	CHECK((e = find6(ds, "20010db8000000000000000000000000", 32)) != NULL);
	CHECK_STR(e ? vstr(ds, e->value) : "", "127.0.0.3|a");
	CHECK((e = find6(ds, "00000000000000000000000000000001", 128)) != NULL);
	CHECK_STR(e ? vstr(ds, e->value) : "", "127.0.0.4|b");
	CHECK(find6(ds, "20010db9000000000000000000000000", 32) != NULL);
	CHECK(find6(ds, "00010002000300040005000600070008", 128) != NULL);
	CHECK(find6(ds, "20010dbc000000010000000000000000", 64) != NULL);
	CHECK((e = find6(ds, "20010db8000000010000000000000000", 64)) && e->excluded);
	CHECK(find6(ds, "20010dbd000000000000000000000001", 128) != NULL);
	CHECK((e = find6(ds, "00010002000300040005000600070009", 128)) != NULL);
	CHECK_STR(e ? vstr(ds, e->value) : "", "127.0.0.6|txt");
	CHECK(find6(ds, "00000000000000000000000000000000", 0) != NULL);
	CHECK(find6(ds, "20010000000000000000000000000000", 16) != NULL);
	CHECK_INT(dataset_nip(ds), 10);
	CHECK_INT(res.warnings, 7);
	CHECK(strstr(logbuf, "one:12: invalid range (non-zero host part)") != NULL);
	dataset_free(ds);

	/* ip6tset: regular entries exactly /64 (4 groups), exclusions /128. */
	ds = load1(DS_IP6TSET, "2001:db8:1:2\n2001:db8:1\n2001:db8:1:3::\n"
		   "!2001:db8:1:2::5\n!2001:db8:1:4\n2001:db8:1:5/64\n"
		   "::1\n:5:shared\n2001:db8:1:6 trailing ignored\n");
	CHECK(find6(ds, "20010db8000100020000000000000000", 64) != NULL);
	CHECK(find6(ds, "20010db8000100060000000000000000", 64) != NULL);
	CHECK((e = find6(ds, "20010db8000100020000000000000005", 128)) && e->excluded);
	CHECK_INT(dataset_nip(ds), 3);
	CHECK_STR(vstr(ds, ds->ip[0].value), "127.0.0.5|shared");
	/* 3 groups, "::" regular, 4-group exclusion, /len, and "::1" which
	 * ip6tset reads as a (bad) default line, as rbldnsd does. */
	CHECK_INT(res.warnings, 5);
	CHECK(strstr(logbuf, "one:7: invalid A RR") != NULL);
	dataset_free(ds);
}

/* ---- dnset --------------------------------------------------------------- */

static void test_dnset(void)
{
	struct dataset *ds;
	const struct ds_dn_entry *d;

	ds = load1(DS_DNSET,
		   "Example.COM\n"
		   "*.wild.example :3:w $\n"
		   ".both.example\n"
		   "!*.x.wild.example\n"
		   "! exact.excl.example\n"
		   "!.bothx.example\n"
		   "esc\\046aped.example\n"
		   "a..b.example.\n"
		   "*.\n"
		   "tight.example:4\n"
		   ":5:def\n"
		   "after.example\n"
		   "text.example some text # here\n");
	CHECK(ds != NULL);
	CHECK(find_dn(ds, "example.com", 0) != NULL);
	CHECK(find_dn(ds, "example.com", 1) == NULL);
	CHECK((d = find_dn(ds, "wild.example", 1)) != NULL);
	CHECK_STR(d ? vstr(ds, d->value) : "", "127.0.0.3|w $");
	CHECK(find_dn(ds, "wild.example", 0) == NULL);
	CHECK(find_dn(ds, "both.example", 0) != NULL);
	CHECK(find_dn(ds, "both.example", 1) != NULL);
	CHECK((d = find_dn(ds, "x.wild.example", 1)) && d->excluded);
	CHECK((d = find_dn(ds, "exact.excl.example", 0)) && d->excluded);
	CHECK((d = find_dn(ds, "bothx.example", 0)) && d->excluded);
	CHECK((d = find_dn(ds, "bothx.example", 1)) && d->excluded);
	{
		uint8_t w[DNAME_MAX];

		dname_from_text("esc\\046aped.example", 19, w, 1);
		CHECK(memcmp(w, "\010esc.aped\007example\0", 18) == 0);
		CHECK(find_dn(ds, "esc\\046aped.example", 0) != NULL);
	}
	CHECK(find_dn(ds, "a.b.example", 0) != NULL);
	/* the name takes everything up to whitespace, ':' included */
	CHECK(find_dn(ds, "tight.example:4", 0) != NULL);
	CHECK((d = find_dn(ds, "after.example", 0)) != NULL);
	CHECK_STR(d ? vstr(ds, d->value) : "", "127.0.0.5|def");
	CHECK((d = find_dn(ds, "text.example", 0)) != NULL);
	CHECK_STR(d ? vstr(ds, d->value) : "", "127.0.0.5|some text # here");
	CHECK_INT(res.warnings, 1);   /* "*." */
	dataset_free(ds);

	/* Checked against the Debian binary (rbldnsd -d dump): `\d` and
	 * `\dd` are escapes too, a trailing backslash is dropped, `\256` and
	 * over-long labels or names are invalid. */
	{
		char longname[400];

		memset(longname, 'y', 64);
		strcpy(longname + 64, ".com\n");
		ds = load1(DS_DNSET, "a\\0\nb\\09\nc\\\nd\\256\n\\065bc.ex\n");
		CHECK_INT(ds->ndn, 4);
		CHECK(ds->ndn > 0 && memcmp(ds->dn[0].name, "\2a\0\0", 4) == 0);
		CHECK(ds->ndn > 1 && memcmp(ds->dn[1].name, "\2b\011\0", 4) == 0);
		CHECK(ds->ndn > 2 && memcmp(ds->dn[2].name, "\1c\0", 3) == 0);
		CHECK(find_dn(ds, "abc.ex", 0) != NULL);
		CHECK_INT(res.warnings, 1);
		dataset_free(ds);
		ds = load1(DS_DNSET, longname);
		CHECK_INT(ds->ndn, 0);
		dataset_free(ds);
	}
}

/* ---- generic ----------------------------------------------------------- */

static const struct ds_rr *find_rr(const struct dataset *ds, const char *name,
				   uint16_t type, int nth)
{
	uint8_t w[DNAME_MAX];

	dname_from_text(name, strlen(name), w, 1);
	for (size_t i = 0; i < ds->nrr; i++)
		if (ds->rr[i].type == type && dname_equal(ds->rr[i].name, w) &&
		    nth-- == 0)
			return &ds->rr[i];
	return NULL;
}

static void test_generic(void)
{
	struct dataset *ds;
	const struct ds_rr *r;

	/* Checked against the Debian binary: $TTL is captured per record
	 * (foo 300, baz 900, the apex the default), MX targets are absolute
	 * with or without a dot, TXT loses only one pair of outer quotes,
	 * types are case-insensitive. */
	ds = load1(DS_GENERIC,
		   "@ A 127.0.0.5\n"
		   "$TTL 300\n"
		   "foo TXT \"quoted text\"\n"
		   "Foo MX 10 mx.example\n"
		   "bar 600 IN A 1.2\n"
		   "$TTL 900\n"
		   "baz mx 20 mx2.example.\n"
		   "qux a 10.0.0.1 junk\n"
		   "quux txt  \"a\"b\" \n"
		   "bad CNAME x\n"
		   "onlyname\n"
		   "$1 ignored in generic\n"
		   "ttl1h 1h TXT unquoted words\n"
		   "mxbad MX x y\n");
	CHECK(ds != NULL);
	CHECK((r = find_rr(ds, "", 1, 0)) != NULL);
	CHECK(r && r->ttl == 0 && r->rdlen == 4 && memcmp(r->rdata, "\177\0\0\5", 4) == 0);
	CHECK((r = find_rr(ds, "foo", 16, 0)) != NULL);
	CHECK(r && r->ttl == 300 && r->rdlen == 12 &&
	      memcmp(r->rdata, "\013quoted text", 12) == 0);
	CHECK((r = find_rr(ds, "foo", 15, 0)) != NULL);
	CHECK(r && r->rdlen == 2 + 12 && memcmp(r->rdata, "\0\012\002mx\007example\0", 14) == 0);
	CHECK(r && r->rel_target == 0);
	CHECK((r = find_rr(ds, "bar", 1, 0)) != NULL);
	CHECK(r && r->ttl == 600 && memcmp(r->rdata, "\1\0\0\2", 4) == 0);
	CHECK((r = find_rr(ds, "baz", 15, 0)) != NULL);
	CHECK(r && r->ttl == 900 && r->rdata[1] == 20);
	CHECK((r = find_rr(ds, "qux", 1, 0)) != NULL);
	CHECK((r = find_rr(ds, "quux", 16, 0)) != NULL);
	CHECK(r && r->rdlen == 4 && memcmp(r->rdata, "\3a\"b", 4) == 0);
	CHECK((r = find_rr(ds, "ttl1h", 16, 0)) != NULL);
	CHECK(r && r->ttl == 3600 && r->rdata[0] == 14);
	CHECK(ds->meta.vars[1] == NULL);
	CHECK_INT(ds->nrr, 8);
	CHECK_INT(res.warnings, 3);
	dataset_free(ds);

	/* Checked against the Debian binary: the MX target keeps its case,
	 * trailing junk after an A is ignored, and an MX without a target or
	 * with junk after it fails the whole load. */
	ds = load1(DS_GENERIC, "mx MX 10 MX.Example\na A 1.2.3.4x\n"
		   "t TXT \"\"\nq TXT \"\n");
	CHECK((r = find_rr(ds, "mx", 15, 0)) != NULL);
	CHECK(r && memcmp(r->rdata + 2, "\002MX\007Example\0", 12) == 0);
	CHECK((r = find_rr(ds, "a", 1, 0)) && memcmp(r->rdata, "\1\2\3\4", 4) == 0);
	CHECK((r = find_rr(ds, "t", 16, 0)) && r->rdlen == 1 && r->rdata[0] == 0);
	CHECK((r = find_rr(ds, "q", 16, 0)) && r->rdlen == 2 && r->rdata[1] == '"');
	dataset_free(ds);
	{
		const char *f = wtext("mxjunk", "a A 1.2.3.4\nmx MX 10 a.b. c\n");

		CHECK_INT(load_files(DS_GENERIC, &f, 1, NULL, &ds), -1);
		CHECK(strstr(err, "mxjunk:2: MX record \"mx MX 10 a.b. c\" "
			     "needs exactly") != NULL);
		f = wtext("mxjunk", "mx MX 10\n");
		CHECK_INT(load_files(DS_GENERIC, &f, 1, NULL, &ds), -1);
	}
}

/* ---- combined -------------------------------------------------------------- */

static void test_combined(void)
{
	const char *files[2];
	struct dataset *ds, *keep = (struct dataset *)&keep;
	struct ds_child *c;

	/* Checked against the Debian binary: $n copied at $DATASET, $TTL in
	 * the 2nd file (before any $DATASET) goes to the current section and
	 * data after that special line does too. */
	files[0] = wtext("c1",
			 "$SOA 0 ns.x. h.x. 1 2 3 4 5\n"
			 "$1 one\n"
			 "$TTL 100\n"
			 "$DATASET ip4set:mylabel-is-longer-than-twenty @ sub # c\n"
			 "$2 two\n"
			 "1.2.3.4 :3:v $1 $2\n"
			 "$DATASET generic\n"
			 "$DATASET dnset dn\n"
			 ".example.com :4:dn $\n"
			 "!*.x.example.com\n");
	files[1] = wtext("c2", "$TTL 200\nfoo.example.com :5\n");
	CHECK_INT(load_files(DS_COMBINED, files, 2, NULL, &ds), 0);
	CHECK(ds != NULL);
	if (!ds)
		return;
	CHECK(ds->meta.soa.present);
	CHECK_INT(ds->nchildren, 2 + 1);
	c = &ds->children[0];
	CHECK_INT(c->data->type, DS_IP4SET);
	CHECK_STR(c->label, "mylabel-is-longer-th");
	CHECK_INT(c->nsubzones, 2);
	CHECK_INT(c->subzones[0][0], 0);
	CHECK_STR(wtxt(c->subzones[1]), "sub");
	CHECK_STR(c->data->meta.vars[1], "one");
	CHECK_STR(c->data->meta.vars[2], "two");
	CHECK(ds->meta.vars[2] == NULL);
	CHECK_INT(c->data->meta.ttl, 100);
	CHECK_STR(v4(c->data, "1.2.3.4", 32), "127.0.0.3|v $1 $2");
	CHECK_INT(ds->children[1].nsubzones, 0);
	CHECK_INT(ds->children[1].data->type, DS_GENERIC);
	c = &ds->children[2];
	CHECK_INT(c->data->type, DS_DNSET);
	CHECK(c->label == NULL);
	CHECK_INT(c->data->ndn, 3 + 1);
	CHECK_INT(c->data->meta.ttl, 200);
	CHECK(find_dn(c->data, "foo.example.com", 0) != NULL);
	if (find_dn(c->data, "foo.example.com", 0))
		CHECK_STR(vstr(c->data, find_dn(c->data, "foo.example.com", 0)->value),
			  "127.0.0.5|-");
	CHECK(strstr(logbuf, "no subzone(s) specified") != NULL);
	dataset_free(ds);

	/* A data line before the first $DATASET is fatal, also at the top
	 * of a later file (checked against the Debian binary). */
	files[0] = wtext("c1", "1.2.3.4\n");
	ds = keep;
	CHECK_INT(load_files(DS_COMBINED, files, 1, NULL, &ds), -1);
	CHECK(ds == NULL || ds == keep);
	CHECK(strstr(err, "c1:1: invalid/unrecognized entry \"1.2.3.4\" - "
		     "specify $DATASET") != NULL);
	files[0] = wtext("c1", "$DATASET ip4set @\n1.2.3.4\n");
	files[1] = wtext("c2", "# comment\n1.2.3.5\n");
	CHECK_INT(load_files(DS_COMBINED, files, 2, NULL, &ds), -1);
	CHECK(strstr(err, "c2:2:") != NULL);
	files[0] = wtext("c1", "$DATASET ip5set @\n");
	CHECK_INT(load_files(DS_COMBINED, files, 1, NULL, &ds), -1);
	CHECK(strstr(err, "c1:1: unknown dataset type \"ip5set\"") != NULL);
	files[0] = wtext("c1", "$DATASET combined @\n");
	CHECK_INT(load_files(DS_COMBINED, files, 1, NULL, &ds), -1);
	CHECK(strstr(err, "cannot be used inside") != NULL);
	files[0] = wtext("c1", "$DATASET acl @\n");
	CHECK_INT(load_files(DS_COMBINED, files, 1, NULL, &ds), -1);
	CHECK(strstr(err, "cannot be used inside") != NULL);

	/* $MAXRANGE4 spans sub-datasets after it. */
	files[0] = wtext("c1", "$MAXRANGE4 /24\n$DATASET ip4set a\n1.2.0.0/16\n"
			 "$DATASET ip4trie b\n1.2.0.0/16\n1.2.3.0/24\n");
	CHECK_INT(load_files(DS_COMBINED, files, 1, NULL, &ds), 0);
	CHECK_INT(dataset_nip(ds->children[0].data), 0);
	CHECK_INT(dataset_nip(ds->children[1].data), 1);
	CHECK_INT(res.warnings, 2);
	dataset_free(ds);
}

/* ---- acl ------------------------------------------------------------------ */

static void test_acl(void)
{
	struct dataset *ds;
	const struct ds_ip_entry *e;

	/* Checked against the Debian binary: keyword prefixes work (`:ign`
	 * ignores, `=e` empties, `:pa` passes), and `:A:TXT` answers always. */
	ds = load1(DS_ACL,
		   "1.1.1.1\n"              /* default: ignore */
		   "1.1.1.2 :ign\n"
		   "1.1.1.3 =e\n"
		   "1.1.1.4 :Refuse\n"
		   "1.1.1.5 :pa\n"
		   "1.1.1.6 :blackhole\n"
		   "1.1.1.7 =bogus\n"
		   ":refuse\n"
		   "1.1.1.8\n"
		   ":5:always $\n"
		   "1.1.1.9\n"
		   "1.1.1.10 :6\n"
		   "2001:db8::/32 :empty\n"
		   "::1\n"
		   "10.0.0.0/8 pass\n"
		   "12:34::/32 :refuse\n"
		   "11/8 :refuse\n");
	CHECK(ds != NULL);
	CHECK(find4(ds, "1.1.1.1", 32, &e) && val(ds, e)->kind == VAL_ACL_IGNORE);
	CHECK(find4(ds, "1.1.1.2", 32, &e) && val(ds, e)->kind == VAL_ACL_IGNORE);
	CHECK(find4(ds, "1.1.1.3", 32, &e) && val(ds, e)->kind == VAL_ACL_EMPTY);
	CHECK(find4(ds, "1.1.1.4", 32, &e) && val(ds, e)->kind == VAL_ACL_REFUSE);
	CHECK(find4(ds, "1.1.1.5", 32, &e) && val(ds, e)->kind == VAL_ACL_PASS);
	CHECK(find4(ds, "1.1.1.6", 32, &e) && val(ds, e)->kind == VAL_ACL_IGNORE);
	CHECK_INT(find4(ds, "1.1.1.7", 32, NULL), 0);
	CHECK(find4(ds, "1.1.1.8", 32, &e) && val(ds, e)->kind == VAL_ACL_REFUSE);
	CHECK(find4(ds, "1.1.1.9", 32, &e) && val(ds, e)->kind == VAL_LISTED);
	CHECK_STR(v4(ds, "1.1.1.9", 32), "127.0.0.5|always $");
	/* `:6` takes its TXT from the acl's current default */
	CHECK_STR(v4(ds, "1.1.1.10", 32), "127.0.0.6|always $");
	CHECK((e = find6(ds, "20010db8000000000000000000000000", 32)) &&
	      val(ds, e)->kind == VAL_ACL_EMPTY);
	CHECK((e = find6(ds, "00000000000000000000000000000001", 128)) &&
	      val(ds, e)->kind == VAL_LISTED);
	/* a value without ':' or '=' is TXT, not a keyword */
	CHECK_STR(v4(ds, "10.0.0.0", 8), "127.0.0.5|pass");
	/* IPv4 is tried first, then IPv6 */
	CHECK((e = find6(ds, "00120034000000000000000000000000", 32)) &&
	      val(ds, e)->kind == VAL_ACL_REFUSE);
	CHECK(find4(ds, "11.0.0.0", 8, &e) && val(ds, e)->kind == VAL_ACL_REFUSE);
	CHECK_INT(res.warnings, 1);
	CHECK(strstr(logbuf, "one:7: invalid keyword") != NULL);
	dataset_free(ds);
}

/* ---- error limits ------------------------------------------------------- */

static void test_limits(void)
{
	struct feed_options o;
	struct dataset *ds, *keep = (struct dataset *)&keep;
	const char *f;

	memset(&o, 0, sizeof(o));
	o.max_errors = 3;
	f = wtext("bad", "x1\nx2\nx3\n1.2.3.4\n");
	CHECK_INT(load_files(DS_IP4SET, &f, 1, &o, &ds), 0);
	CHECK_INT(res.warnings, 3);
	dataset_free(ds);
	f = wtext("bad", "x1\nx2\nx3\n1.2.3.4\nx5\n1.2.3.5\n");
	ds = keep;
	o.log = tmpfile();
	feed_result_free(&res);
	CHECK_INT(feed_load(DS_IP4SET, &f, 1, &o, &ds, &res, err, sizeof(err)), -1);
	fclose(o.log);
	CHECK(ds == keep);
	/* The failure names the bad line that was one too many. */
	CHECK(strstr(err, "/bad:5: invalid address \"x5\"; too many errors "
		     "(more than 3), load aborted") != NULL);

	/* max_logged: the first N are printed, then a summary. */
	memset(&o, 0, sizeof(o));
	o.max_logged = 2;
	f = wtext("bad", "x1\nx2\nx3\nx4\nx5\n");
	CHECK_INT(load_files(DS_IP4SET, &f, 1, &o, &ds), 0);
	CHECK_INT(res.warnings, 5);
	CHECK_INT(count_str(logbuf, "invalid address"), 2);
	CHECK(strstr(logbuf, "3 more warnings suppressed") != NULL);
	dataset_free(ds);
}

/* ---- speed --------------------------------------------------------------- */

/* A bad line's warning quotes the text it is about, escaped and cut. */
static void test_quoted(void)
{
	struct dataset *ds;
	char longkey[200];

	ds = load1(DS_IP4SET, "1.2.3.4/40 :2:x\n10.0.0.1/8\n1.2.3.5 :0:txt\n"
		   "1.2.3.6 :5x y\n$FOO bar\n\"q\\\x01\t:2\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid address \"1.2.3.4/40\"\n") != NULL);
	CHECK(strstr(logbuf, "one:2: invalid range (non-zero host part) "
		     "\"10.0.0.1/8\"\n") != NULL);
	CHECK(strstr(logbuf, "one:3: invalid A RR \":0:txt\"\n") != NULL);
	CHECK(strstr(logbuf, "one:4: unrecognized value for an entry "
		     "\":5x y\"\n") != NULL);
	CHECK(strstr(logbuf, "one:5: invalid or unrecognized special entry "
		     "\"$FOO bar\"\n") != NULL);
	CHECK(strstr(logbuf, "one:6: invalid address \"\\\"q\\\\\\x01\"\n") != NULL);
	dataset_free(ds);

	memset(longkey, 'x', 100);
	snprintf(longkey + 100, sizeof(longkey) - 100, " :2\n");
	ds = load1(DS_IP4TRIE, longkey);
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid address \"xxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"...\n") != NULL);
	dataset_free(ds);

	ds = load1(DS_IP6TSET, "2001:db8::1\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid address \"2001:db8::1\" for regular "
		     "entry (should be 64 bits)") != NULL);
	dataset_free(ds);
	ds = load1(DS_DNSET, "*.a..b\\300 :2\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid domain name \"*.a..b\\\\300\"\n") != NULL);
	dataset_free(ds);
	ds = load1(DS_ACL, "1.2.3.4 =nothing\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid keyword \"=nothing\"\n") != NULL);
	dataset_free(ds);
	ds = load1(DS_GENERIC, "www  CNAME\tx\nw2 A 1.2.3.x\nw3 1x A 1.2.3.4\n"
		   "w4 MX 10x m\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:1: invalid/unrecognized entry "
		     "\"www  CNAME\\tx\"\n") == NULL);   /* words split */
	CHECK(strstr(logbuf, "one:1: invalid/unrecognized entry \"www") != NULL);
	CHECK(strstr(logbuf, "one:2: invalid IPv4 address \"1.2.3.x\"\n") != NULL);
	CHECK(strstr(logbuf, "one:3: invalid TTL \"1x\"\n") != NULL);
	CHECK(strstr(logbuf, "one:4: invalid MX preference \"10x\"\n") != NULL);
	dataset_free(ds);
	ds = load1(DS_IP4SET, "$MAXRANGE4 /24\n10.0.0.0/16\n");
	CHECK(ds != NULL);
	CHECK(strstr(logbuf, "one:2: too large range \"10.0.0.0/16\" (65536) "
		     "ignored (256 max)") != NULL);
	dataset_free(ds);
}

static void test_speed(void)
{
	const char *p = path_of("big.ip4set");
	FILE *f = fopen(p, "w");
	struct timespec t0, t1;
	struct dataset *ds;
	double secs;

	for (unsigned i = 0; i < 1000000; i++)
		fprintf(f, "%u.%u.%u.%u\n", 10 + (i >> 24), (i >> 16) & 255,
			(i >> 8) & 255, i & 255);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(load_files(DS_IP4SET, &p, 1, NULL, &ds), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("1M-line ip4set parsed in %.3f s\n", secs);
	CHECK_INT(dataset_nip(ds), 1000000);
	CHECK_INT(ds->nvalues, 1);
	/* Generous bound so sanitizer builds pass; an optimised build takes
	 * a fraction of a second. */
	CHECK(secs < 10.0);
	dataset_free(ds);
	unlink(p);
}

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/feed.XXXXXX", base ? base : "/tmp");
	if (base)
		mkdir(base, 0777);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_lines();
	test_ip4set_keys();
	test_values();
	test_default_reset();
	test_specials();
	test_gzip_and_identity();
	test_ip4tset_ip4trie();
	test_ip6();
	test_dnset();
	test_generic();
	test_combined();
	test_acl();
	test_limits();
	test_quoted();
	test_speed();
	feed_result_free(&res);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_report();
}
