/* test_qstats.c -- lib/qstats.c: the stats file and log lines, replaying
 * two sessions captured from Debian's rbldnsd 1.0~20210120 (-s file and
 * -s +file, -c 2, SIGUSR1, SIGUSR2, TERM) and comparing byte for byte. */
#include "check.h"
#include "qstats.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const zones[] = { "bl.test", "dn.test" };

static char logged[4096];

static void collect(const char *line, void *arg)
{
	(void)arg;
	strcat(logged, line);
	strcat(logged, "\n");
}

static char *slurp(const char *path)
{
	static char buf[8192];
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

static void put(struct qstats *s, const char *path, time_t t)
{
	char err[256], *line = qstats_line(s, t);

	CHECK(line != NULL);
	CHECK_INT(qstats_append(path, t, line, err, sizeof(err)), 0);
	free(line);
}

static void bare(const char *path, time_t t)
{
	char err[256];

	CHECK_INT(qstats_append(path, t, NULL, err, sizeof(err)), 0);
}

/* Session 1 (absolute): bl.test 4 queries (2 ok, 2 NXDOMAIN), one query
 * outside every zone (REFUSED) and one CH version.bind, spread over two
 * workers; then USR1, USR2, one more query, TERM. */
static void test_absolute(const char *path)
{
	struct qstats *s = qstats_new(zones, 2, 2, 0, 1795866719);

	unlink(path);
	bare(path, 1795866719);
	qstats_count(s, 0, 0, 0, 56, 102);
	qstats_count(s, 1, 0, 3, 56, 75);
	qstats_count(s, 0, -1, 5, 44, 25);
	qstats_count(s, 1, 0, 0, 48, 84);
	qstats_count(s, 0, 0, 3, 56, 75);
	qstats_count(s, 1, -1, 0, 57, 77);
	put(s, path, 1795866721);   /* -c interval */
	put(s, path, 1795866723);   /* -c interval */
	put(s, path, 1795866723);   /* USR1 */
	logged[0] = '\0';
	qstats_log(s, 1795866723, collect, NULL);
	CHECK_STR(logged,
		  "stats for 4secs zone bl.test: tot=4 ok=2 nxd=2 err=0 in=216 out=336\n"
		  "stats for 4secs zone dn.test: tot=0 ok=0 nxd=0 err=0 in=0 out=0\n"
		  "stats for 4sec: tot=6 ok=3 nxd=2 err=1 in=317 out=438\n");
	put(s, path, 1795866723);   /* USR2: line, then reset and a bare line */
	qstats_reset(s, 1795866723);
	bare(path, 1795866723);
	qstats_count(s, 1, 0, 0, 56, 82);
	put(s, path, 1795866725);
	put(s, path, 1795866726);   /* TERM: line, then bare */
	bare(path, 1795866726);
	logged[0] = '\0';
	qstats_log(s, 1795866726, collect, NULL);
	CHECK_STR(logged,
		  "stats for 3secs zone bl.test: tot=1 ok=1 nxd=0 err=0 in=56 out=82\n"
		  "stats for 3secs zone dn.test: tot=0 ok=0 nxd=0 err=0 in=0 out=0\n"
		  "stats for 3sec: tot=1 ok=1 nxd=0 err=0 in=56 out=82\n");
	CHECK_STR(slurp(path),
		  "1795866719\n"
		  "1795866721 bl.test:4:2:2:216:336 dn.test:0:0:0:0:0 *:6:3:2:317:438\n"
		  "1795866723 bl.test:4:2:2:216:336 dn.test:0:0:0:0:0 *:6:3:2:317:438\n"
		  "1795866723 bl.test:4:2:2:216:336 dn.test:0:0:0:0:0 *:6:3:2:317:438\n"
		  "1795866723 bl.test:4:2:2:216:336 dn.test:0:0:0:0:0 *:6:3:2:317:438\n"
		  "1795866723\n"
		  "1795866725 bl.test:1:1:0:56:82 dn.test:0:0:0:0:0 *:1:1:0:56:82\n"
		  "1795866726 bl.test:1:1:0:56:82 dn.test:0:0:0:0:0 *:1:1:0:56:82\n"
		  "1795866726\n");
	qstats_free(s);
}

/* Session 2 (-s +file): dn.test SOA and NS without $SOA/$NS are REFUSED
 * inside the zone (err there); each line has the change since the last. */
static void test_relative(const char *path)
{
	struct qstats *s = qstats_new(zones, 2, 3, 1, 1795866736);
	struct qstats_counters sum[3];

	unlink(path);
	bare(path, 1795866736);
	qstats_count(s, 0, 0, 0, 56, 102);
	qstats_count(s, 1, 0, 3, 56, 75);
	qstats_count(s, 2, 1, 0, 64, 107);
	qstats_count(s, 0, 1, 5, 48, 0);
	qstats_count(s, 1, 1, 5, 48, 0);
	qstats_count(s, 2, -1, 5, 44, 25);
	qstats_count(s, 0, -1, 0, 57, 77);
	put(s, path, 1795866738);
	put(s, path, 1795866740);
	qstats_count(s, 1, 0, 0, 56, 82);
	put(s, path, 1795866740);   /* USR1 */
	logged[0] = '\0';
	qstats_log(s, 1795866740, collect, NULL);
	/* The log has totals since the reset, whatever '+' says. */
	CHECK_STR(logged,
		  "stats for 4secs zone bl.test: tot=3 ok=2 nxd=1 err=0 in=168 out=259\n"
		  "stats for 4secs zone dn.test: tot=3 ok=1 nxd=0 err=2 in=160 out=107\n"
		  "stats for 4sec: tot=8 ok=4 nxd=1 err=3 in=429 out=468\n");
	qstats_count(s, 2, 0, 0, 56, 82);
	put(s, path, 1795866740);   /* USR2 */
	qstats_reset(s, 1795866740);
	bare(path, 1795866740);
	qstats_sum(s, sum);
	CHECK_INT(sum[2].q, 0);
	CHECK_INT(sum[0].out, 0);
	qstats_count(s, 0, 0, 0, 56, 82);
	put(s, path, 1795866742);
	put(s, path, 1795866743);   /* TERM */
	bare(path, 1795866743);
	CHECK_STR(slurp(path),
		  "1795866736\n"
		  "1795866738 bl.test:2:1:1:112:177 dn.test:3:1:0:160:107 *:7:3:1:373:386\n"
		  "1795866740 bl.test:0:0:0:0:0 dn.test:0:0:0:0:0 *:0:0:0:0:0\n"
		  "1795866740 bl.test:1:1:0:56:82 dn.test:0:0:0:0:0 *:1:1:0:56:82\n"
		  "1795866740 bl.test:1:1:0:56:82 dn.test:0:0:0:0:0 *:1:1:0:56:82\n"
		  "1795866740\n"
		  "1795866742 bl.test:1:1:0:56:82 dn.test:0:0:0:0:0 *:1:1:0:56:82\n"
		  "1795866743 bl.test:0:0:0:0:0 dn.test:0:0:0:0:0 *:0:0:0:0:0\n"
		  "1795866743\n");
	qstats_free(s);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	char dir[400], path[512], err[256];

	snprintf(dir, sizeof(dir), "%s", tmp ? tmp : "/tmp");
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/qstats.log", dir);
	test_absolute(path);
	test_relative(path);
	/* An unwritable path is an error that names it. */
	CHECK_INT(qstats_append("/nonexistent/x/stats", 1, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/x/stats") != NULL);
	unlink(path);
	return check_report();
}
