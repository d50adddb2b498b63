/* test_feed_lines.c -- a feed's lines hashed, found again, and diffed. */
#include "check.h"

#include "feed.h"
#include "feed_lines.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A text of lines built in a buffer. */
struct text {
	char *p;
	size_t len, cap;
};

static void text_add(struct text *t, const char *line)
{
	size_t n = strlen(line);

	if (t->len + n + 2 > t->cap) {
		t->cap = (t->len + n + 2) * 2;
		t->p = realloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, line, n);
	t->len += n;
	t->p[t->len++] = '\n';
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_index(void)
{
	static const char text[] = "1.2.3.4\n  $TTL 60\n\n:127.0.0.3:x\n"
				   "# comment\n#$NS 60 ns.\n5.6.7.8 :2:y\nlast";
	struct feed_lines fl;
	size_t len;
	int noeol;
	const char *s;

	CHECK_INT(feed_lines_index(&fl, text, strlen(text)), 0);
	CHECK_INT(fl.n, 8);
	CHECK_INT(fl.nstate, 3);
	CHECK_INT(fl.state[0], 1);
	CHECK_INT(fl.state[1], 3);
	CHECK_INT(fl.state[2], 5);
	s = feed_lines_get(&fl, 6, &len, &noeol);
	CHECK(len == 12 && memcmp(s, "5.6.7.8 :2:y", 12) == 0 && !noeol);
	s = feed_lines_get(&fl, 7, &len, &noeol);
	CHECK(len == 4 && memcmp(s, "last", 4) == 0 && noeol);
	s = feed_lines_get(&fl, 2, &len, &noeol);
	CHECK(len == 0 && !noeol);
	/* Equal lines hash alike, a last line without newline otherwise. */
	CHECK(fl.hash[0] != fl.hash[6]);
	feed_lines_free(&fl);

	CHECK_INT(feed_lines_index(&fl, "a\nb\0c\nd\n", 8), 1);   /* NUL */
	{
		char *big = malloc(40000);

		memset(big, 'x', 40000);
		big[39999] = '\n';
		CHECK_INT(feed_lines_index(&fl, big, 40000), 1);   /* too long */
		free(big);
	}
	CHECK_INT(feed_lines_index(&fl, "", 0), 0);
	CHECK_INT(fl.n, 0);
	feed_lines_free(&fl);
}

/* A line's bytes, `len` of them: letters mixed with bytes next to '\n'
 * and NUL in value, which the word-at-a-time search must not take for
 * either. */
static void odd_line(char *s, size_t len)
{
	static const char fill[] = "ab\x0b\x09\x01\x8a\x80\xff" "c.1\x0c";

	for (size_t k = 0; k < len; k++)
		s[k] = fill[(k * 7 + len) % (sizeof(fill) - 1)];
}

/* Lines of every length from 0 to 40, at every place in a word: each is
 * found whole, with or without its newline, and hashes the same wherever
 * it lies. */
static void test_index_lengths(void)
{
	uint64_t h_eol[41], h_noeol[41];
	char buf[128];
	int ok = 1;

	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at < 8; at++) {
			struct feed_lines fl;
			const char *s;
			size_t got;
			int noeol;

			/* `at` bytes of a first line, then the line, then
			 * another one (not the same each time: it is no part
			 * of the line's hash); and the same with the line
			 * last, no newline. */
			memset(buf, 'p', at);
			buf[at] = '\n';
			odd_line(buf + at + 1, len);
			memcpy(buf + at + 1 + len, "\nz\n", 3);
			buf[at + 2 + len] = (char)('q' + at);
			ok &= feed_lines_index(&fl, buf, at + len + 4) == 0 &&
			      fl.n == 3;
			if (fl.n == 3) {
				s = feed_lines_get(&fl, 1, &got, &noeol);
				ok &= s == buf + at + 1 && got == len && !noeol;
				if (!at)
					h_eol[len] = fl.hash[1];
				ok &= fl.hash[1] == h_eol[len];
			}
			feed_lines_free(&fl);
			ok &= feed_lines_index(&fl, buf, at + 1 + len) == 0 &&
			      fl.n == 1 + (len > 0);
			if (len && fl.n == 2) {
				s = feed_lines_get(&fl, 1, &got, &noeol);
				ok &= s == buf + at + 1 && got == len && noeol;
				if (!at)
					h_noeol[len] = fl.hash[1];
				ok &= fl.hash[1] == h_noeol[len];
			}
			feed_lines_free(&fl);
		}
	}
	CHECK(ok);
	/* A line and the same line one byte longer, or without its newline,
	 * differ. */
	ok = 1;
	for (size_t len = 1; len <= 40; len++)
		ok &= h_eol[len] != h_eol[len - 1] && h_eol[len] != h_noeol[len];
	CHECK(ok);
}

/* A NUL byte anywhere in a line, at every place in a word, makes the text
 * not plain; the same bytes without it are plain. */
static void test_index_nul(void)
{
	char buf[128];
	int ok = 1;

	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < 8; at++) {
			struct feed_lines fl;

			memset(buf, 'p', at);
			buf[at] = '\n';
			odd_line(buf + at + 1, len);
			buf[at + 1 + len] = '\n';
			ok &= feed_lines_index(&fl, buf, at + len + 2) == 0;
			feed_lines_free(&fl);
			for (size_t p = 0; p < len; p++) {
				char keep = buf[at + 1 + p];

				buf[at + 1 + p] = '\0';
				/* with its newline, and as the text's last
				 * bytes without one */
				ok &= feed_lines_index(&fl, buf, at + len + 2) == 1;
				feed_lines_free(&fl);
				ok &= feed_lines_index(&fl, buf, at + len + 1) == 1;
				feed_lines_free(&fl);
				buf[at + 1 + p] = keep;
			}
		}
	}
	CHECK(ok);
}

/* Many lines to find again through the sparse marks. */
static void test_get_many(void)
{
	struct text t = { 0 };
	struct feed_lines fl;
	char line[32];
	int ok = 1;

	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "10.0.%d.%d", i / 256, i % 256);
		text_add(&t, line);
	}
	CHECK_INT(feed_lines_index(&fl, t.p, t.len), 0);
	CHECK_INT(fl.n, 1000);
	for (int i = 0; i < 1000; i++) {
		size_t len;
		int noeol;
		const char *s = feed_lines_get(&fl, (size_t)i, &len, &noeol);

		snprintf(line, sizeof(line), "10.0.%d.%d", i / 256, i % 256);
		ok &= len == strlen(line) && memcmp(s, line, len) == 0;
	}
	CHECK(ok);
	feed_lines_free(&fl);
	free(t.p);
}

/* A text indexed as it arrives, in pieces of any size, is indexed as a
 * whole text is. */
static void test_index_pieces(void)
{
	struct text t = { 0 };
	struct feed_lines whole, part;
	char line[64];
	int ok = 1;

	for (int i = 0; i < 3000; i++) {
		snprintf(line, sizeof(line), i % 97 ? "10.%d.%d.1 :%d:txt" : ":127.0.0.%d",
			 i % 256, i / 256, i % 7);
		text_add(&t, line);
	}
	t.p[t.len - 1] = 'x';   /* a last line without newline */
	CHECK_INT(feed_lines_index(&whole, t.p, t.len), 0);
	for (int round = 0; round < 20; round++) {
		size_t avail = 0;

		CHECK_INT(feed_lines_begin(&part, t.p, t.len), 0);
		while (avail < t.len) {
			avail += 1 + rnd() % (round < 10 ? 7 : 5000);
			if (avail > t.len)
				avail = t.len;
			if (feed_lines_more(&part, avail) != 0)
				break;
		}
		ok &= part.n == whole.n && part.nstate == whole.nstate &&
		      part.nmark == whole.nmark &&
		      memcmp(part.hash, whole.hash, whole.n * 8) == 0 &&
		      memcmp(part.mark, whole.mark, whole.nmark * sizeof(size_t)) == 0 &&
		      memcmp(part.state, whole.state, whole.nstate * sizeof(size_t)) == 0;
		feed_lines_free(&part);
	}
	CHECK(ok);
	CHECK_INT(whole.nstate, 31);
	feed_lines_free(&whole);
	free(t.p);
}

/* A saved index maps back for the same text and tag only. */
static void test_save_load(void)
{
	static const char text[] = "1.2.3.4\n:127.0.0.3\n5.6.7.8\n";
	uint64_t tag[4] = { 1, 2, 3, 4 }, other[4] = { 1, 2, 3, 5 };
	struct feed_lines fl, back;
	char path[600];

	snprintf(path, sizeof(path), "%s/test_feed_lines.idx",
		 getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp");
	CHECK_INT(feed_lines_index(&fl, text, strlen(text)), 0);
	CHECK_INT(feed_lines_save(&fl, path, tag), 0);
	CHECK_INT(feed_lines_load(&back, path, tag, text, strlen(text)), 0);
	CHECK(back.n == 3 && back.nstate == 1 && back.state[0] == 1 &&
	      memcmp(back.hash, fl.hash, 3 * 8) == 0);
	feed_lines_free(&back);
	CHECK_INT(feed_lines_load(&back, path, other, text, strlen(text)), -1);
	CHECK_INT(feed_lines_load(&back, path, tag, text, 5), -1);
	unlink(path);
	feed_lines_free(&fl);
}

/* A file holding `len` bytes of `text`: its descriptor. */
static int text_file(const char *name, const char *text, size_t len)
{
	char path[600];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s",
		 getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp", name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(text, 1, len, f);
	fclose(f);
	fd = open(path, O_RDONLY);
	unlink(path);
	return fd;
}

/* feed_lines_read finds the same lines as feed_lines_get: 1; 0 if it
 * finds others, -1 if it fails. */
static int read_matches(const struct feed_lines *fl, int fd, const size_t *idx,
			size_t n)
{
	struct feed_line *v = calloc(n ? n : 1, sizeof(*v));
	char *arena;
	int ok;

	for (size_t k = 0; k < n; k++)
		v[k].lineno = idx[k] + 1;
	if (feed_lines_read(fl, fd, v, n, &arena) < 0) {
		free(v);
		return -1;
	}
	ok = 1;
	for (size_t k = 0; ok && k < n && (ok = idx[k] < fl->n); k++) {
		size_t len;
		int noeol;
		const char *s = feed_lines_get(fl, idx[k], &len, &noeol);

		ok = v[k].len == len && v[k].noeol == noeol &&
		     memcmp(v[k].text, s, len) == 0;
	}
	free(arena);
	free(v);
	return ok;
}

/* Lines read from the file an index was made of, through its marks: any
 * set of them, over blocks wider than one read, and a file that does not
 * hold what its index says fails. */
static void test_read(void)
{
	struct text t = { 0 };
	struct feed_lines fl;
	size_t idx[64], *all, *start = malloc(40001 * sizeof(*start)), n = 0;
	char *line = malloc(20001);
	int fd, ok = 1;

	/* Short lines, a stretch of 20 KB ones (blocks wider than a read
	 * window), empty ones, and a last line without newline. */
	for (int i = 0; i < 40000; i++) {
		size_t len = i >= 9000 && i < 9200 ? 20000 : i % 13 == 0 ? 0 : (size_t)(i % 37);

		odd_line(line, len);
		line[len] = '\0';
		start[i] = t.len;
		text_add(&t, line);
	}
	start[40000] = t.len;
	t.p[t.len - 1] = 'z';
	CHECK_INT(feed_lines_index(&fl, t.p, t.len), 0);
	/* Every line where it was written (feed_lines_get). */
	for (size_t i = 0; i < fl.n; i++) {
		size_t len;
		int noeol;
		const char *s = feed_lines_get(&fl, i, &len, &noeol);

		ok &= s == t.p + start[i] && len == start[i + 1] - start[i] - 1 + noeol &&
		      noeol == (i + 1 == fl.n);
	}
	CHECK(ok);
	fd = text_file("test_feed_lines.read", t.p, t.len);
	CHECK(fd >= 0);
	all = malloc(fl.n * sizeof(*all));
	for (size_t i = 0; i < fl.n; i++)
		all[i] = i;
	CHECK_INT(read_matches(&fl, fd, all, fl.n), 1);
	CHECK_INT(read_matches(&fl, fd, all, 0), 1);
	CHECK_INT(read_matches(&fl, fd, all + fl.n - 1, 1), 1);   /* no newline */
	CHECK_INT(read_matches(&fl, fd, all + 9100, 1), 1);       /* a wide block */
	for (int round = 0; round < 200; round++) {
		/* Sorted, distinct, some close together, some far apart. */
		size_t at = rnd() % 64;

		n = 0;
		while (n < 64 && at < fl.n) {
			idx[n++] = at;
			at += 1 + (rnd() % 4 ? rnd() % 70 : rnd() % 5000);
		}
		ok &= read_matches(&fl, fd, idx, n) == 1;
	}
	CHECK(ok);
	close(fd);

	/* The file one byte short: its last line is not there. */
	fd = text_file("test_feed_lines.read", t.p, t.len - 1);
	CHECK_INT(read_matches(&fl, fd, all + fl.n - 1, 1), -1);
	CHECK_INT(read_matches(&fl, fd, all, 100), 1);
	close(fd);
	/* A newline gone: that block holds one line less. */
	t.p[fl.mark[3] - 1] = 'x';
	fd = text_file("test_feed_lines.read", t.p, t.len);
	idx[0] = 3 * FEED_LINES_STEP - 1;
	CHECK_INT(read_matches(&fl, fd, idx, 1), -1);
	idx[0] = 3 * FEED_LINES_STEP - 2;
	CHECK_INT(read_matches(&fl, fd, idx, 1), 1);
	idx[0] = 2 * FEED_LINES_STEP - 1;
	CHECK_INT(read_matches(&fl, fd, idx, 1), 1);
	close(fd);
	/* A line the index does not have. */
	idx[0] = fl.n;
	CHECK_INT(read_matches(&fl, -1, idx, 1), -1);
	free(all);
	free(start);
	feed_lines_free(&fl);
	free(t.p);
	free(line);
}

/* The old lines not taken away, in order, are the new lines not added. */
static int diff_consistent(const struct feed_lines *o, const struct feed_lines *c,
			   const struct feed_lines_diff *d)
{
	size_t i = 0, j = 0, r = 0, a = 0;

	for (;;) {
		while (i < o->n && r < d->nremoved && d->removed[r] == i)
			i++, r++;
		while (j < c->n && a < d->nadded && d->added[a] == j)
			j++, a++;
		if (i == o->n || j == c->n)
			return i == o->n && j == c->n && r == d->nremoved &&
			       a == d->nadded;
		if (o->hash[i] != c->hash[j])
			return 0;
		i++;
		j++;
	}
}

static void test_diff_random(void)
{
	for (int round = 0; round < 200; round++) {
		struct text a = { 0 }, b = { 0 };
		struct feed_lines fa, fb;
		struct feed_lines_diff d;
		int n = 1 + (int)(rnd() % 3000), changes = 0, unique = 0;
		char line[48];

		for (int i = 0; i < n; i++) {
			/* Some lines repeat (blank, equal entries). */
			if (rnd() % 20 == 0)
				snprintf(line, sizeof(line), "%s",
					 rnd() % 2 ? "" : "1.1.1.1");
			else
				snprintf(line, sizeof(line), "%u.%u.%u.%u",
					 (unsigned)(rnd() % 256), (unsigned)(rnd() % 256),
					 (unsigned)(rnd() % 256), (unsigned)(rnd() % 256));
			text_add(&a, line);
			switch (rnd() % 50) {
			case 0:   /* taken away */
				changes++;
				break;
			case 1:   /* replaced */
				snprintf(line, sizeof(line), "9.9.%d.%d", round, i);
				changes += 2;
				unique++;
				/* fall through */
			default:
				text_add(&b, line);
			}
			if (rnd() % 50 == 0) {   /* added */
				snprintf(line, sizeof(line), "8.8.%d.%d", round, i);
				text_add(&b, line);
				changes++;
				unique++;
			}
		}
		CHECK_INT(feed_lines_index(&fa, a.p, a.len), 0);
		CHECK_INT(feed_lines_index(&fb, b.p ? b.p : "", b.len), 0);
		if (feed_lines_diff(&fa, &fb, (size_t)n * 2 + 10, &d) != 0) {
			CHECK(!"diff found");
			fprintf(stderr, "    round %d n %d changes %d\n", round, n, changes);
		} else {
			CHECK(diff_consistent(&fa, &fb, &d));
			/* About the edits made: a line next to an edit may be
			 * taken for changed, or a repeated line matched
			 * elsewhere. */
			if (!CHECK(d.nremoved + d.nadded <= (size_t)changes * 3 / 2 + 4))
				fprintf(stderr, "    %zu changed for %d edits\n",
					d.nremoved + d.nadded, changes);
			feed_lines_diff_free(&d);
		}
		/* The lines only the new text has are added, whatever the
		 * matching: a limit below them is refused. */
		if (unique)
			CHECK_INT(feed_lines_diff(&fa, &fb, (size_t)unique - 1,
						  &d), 1);
		feed_lines_free(&fa);
		feed_lines_free(&fb);
		free(a.p);
		free(b.p);
	}
}

/* A file reordered far apart cannot be matched up. */
static void test_diff_reordered(void)
{
	struct text a = { 0 }, b = { 0 };
	struct feed_lines fa, fb;
	struct feed_lines_diff d;
	char line[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), "10.1.%d.%d", i / 256, i % 256);
		text_add(&a, line);
		snprintf(line, sizeof(line), "10.1.%d.%d", (1999 - i) / 256,
			 (1999 - i) % 256);
		text_add(&b, line);
	}
	CHECK_INT(feed_lines_index(&fa, a.p, a.len), 0);
	CHECK_INT(feed_lines_index(&fb, b.p, b.len), 0);
	CHECK_INT(feed_lines_diff(&fa, &fb, 100000, &d), 1);
	feed_lines_free(&fa);
	feed_lines_free(&fb);
	free(a.p);
	free(b.p);
}

/* Only some lines parsed, with the state lines among them. */
static void test_load_lines(void)
{
	struct feed_line lines[] = {
		{ ":127.0.0.4:dflt", 15, 3, 0 },
		{ "1.2.3.4", 7, 10, 0 },
		{ "1.2.3.300", 9, 11, 0 },
		{ "5.6.7.8 :5:own", 14, 12, 0 },
	};
	struct feed_options o = { 0 };
	struct feed_result res;
	struct dataset *ds = NULL;
	char err[256], *log = NULL;
	size_t loglen = 0;
	FILE *f = open_memstream(&log, &loglen);

	o.log = f;
	CHECK_INT(feed_load_lines(DS_IP4SET, "x.ip4set", lines, 4, &o, &ds, &res,
				  err, sizeof(err)), 0);
	fclose(f);
	CHECK(strstr(log, "x.ip4set:11: ") != NULL);
	CHECK_INT(res.lines, 4);
	CHECK_INT(res.warnings, 1);
	CHECK_INT(ds->nip4, 2);
	CHECK_INT(ds->values[ds->ip4[0].value].a, 0x7f000004);
	CHECK_INT(ds->values[ds->ip4[1].value].a, 0x7f000005);
	dataset_free(ds);
	feed_result_free(&res);
	free(log);
}

int main(void)
{
	test_index();
	test_index_lengths();
	test_index_nul();
	test_get_many();
	test_index_pieces();
	test_save_load();
	test_read();
	test_diff_random();
	test_diff_reordered();
	test_load_lines();
	return check_report();
}
