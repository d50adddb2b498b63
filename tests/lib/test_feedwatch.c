/* test_feedwatch.c -- the watch engine (lib/feedwatch*.c) on real files.
 *
 * A real config, real feed files and a real store: the engine is driven
 * through its poll interface (feedwatch_fd / feedwatch_timeout_ms /
 * feedwatch_process) and then in its own thread.  Each step changes files
 * the way operators do (rename over, rewrite, corrupt, write slowly while
 * holding the file open, edit the config) and checks what the store answers
 * and which datasets were reloaded.  Every wait is bounded.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "feedwatch.h"
#include "test_store_util.h"

struct tfw_log {
	unsigned loaded[4], failed[4];   /* per dataset a, b, c, other */
	unsigned dropped, zones, config, config_failed, notes;
	char last[2048];
};

static struct tfw_log tlog;

static int tfw_idx(const char *name)
{
	if (!name)
		return 3;
	return name[0] >= 'a' && name[0] <= 'c' && !name[1] ? name[0] - 'a' : 3;
}

static void tfw_on_event(void *arg, const struct feedwatch_event *ev)
{
	(void)arg;
	snprintf(tlog.last, sizeof(tlog.last), "%s", ev->message);
	switch (ev->kind) {
	case FEEDWATCH_LOADED: tlog.loaded[tfw_idx(ev->dataset)]++; break;
	case FEEDWATCH_FAILED: tlog.failed[tfw_idx(ev->dataset)]++; break;
	case FEEDWATCH_DROPPED: tlog.dropped++; break;
	case FEEDWATCH_ZONES: tlog.zones++; break;
	case FEEDWATCH_CONFIG: tlog.config++; break;
	case FEEDWATCH_CONFIG_FAILED: tlog.config_failed++; break;
	case FEEDWATCH_NOTE: tlog.notes++; break;
	}
	if (getenv("TFW_VERBOSE"))
		fprintf(stderr, "event: %s\n", ev->message);
}

static char dir[512];

static void tfw_write(const char *name, const char *text)
{
	char path[700], tmp[720];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		exit(2);
	fputs(text, f);
	fclose(f);
	if (rename(tmp, path) < 0)
		exit(2);
}

/* Runs the engine's loop for at most `ms`, or until *counter reaches
 * `target` (counter NULL: the whole time). */
static void tfw_run(struct feedwatch *fw, int ms, const unsigned *counter,
		    unsigned target)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = feedwatch_fd(fw), .events = POLLIN };
		int left, to = feedwatch_timeout_ms(fw);

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
				  (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || (counter && *counter >= target))
			return;
		poll(&p, 1, to < 0 || to > left ? left : to);
		feedwatch_process(fw);
	}
}

/* "2" (the A value's last octet) if `ip` is listed in `ds`, "" if not,
 * "missing" if the dataset is not stored. */
static const char *tfw_lookup(struct store *st, const char *ds, const char *ip)
{
	static char out[16];
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	struct store_match mt;
	struct store_value v;
	uint8_t addr[16] = { 0 };

	out[0] = '\0';
	if (store_reader_new(st, &rd) < 0)
		return "error";
	if (store_dataset_meta(rd, ds, &m) < 0) {
		store_reader_free(rd);
		return "missing";
	}
	inet_pton(AF_INET, ip, addr);
	if (store_lookup_ip(rd, m->dsid, 4, addr, &mt) == 1 &&
	    store_value_get(rd, mt.values[0], &v) == 0)
		snprintf(out, sizeof(out), "%u", v.a & 255);
	store_dsmeta_free(m);
	store_reader_free(rd);
	return out;
}

static size_t tfw_nzones(struct store *st)
{
	struct store_reader *rd;
	struct store_zones *zt;
	size_t n = 0;

	if (store_reader_new(st, &rd) < 0)
		return 0;
	if (store_get_zones(rd, &zt) == 0) {
		n = zt->nzones;
		store_zones_free(zt);
	}
	store_reader_free(rd);
	return n;
}

static const char *cfg_ab =
	"store: st\n"
	"datasets:\n"
	"  a: { type: ip4set, files: [a.ip4set], max_errors: 2 }\n"
	"  b: { type: ip4set, files: [b.ip4set] }\n"
	"zones:\n"
	"  bl.test: { datasets: [a, b] }\n";
static const char *cfg_ac =
	"store: st\n"
	"datasets:\n"
	"  a: { type: ip4set, files: [a.ip4set], max_errors: 2 }\n"
	"  c: { type: ip4set, files: [sub/c.ip4set] }\n"
	"zones:\n"
	"  bl.test: { datasets: [a] }\n"
	"  two.test: { datasets: [a, c] }\n";

int main(void)
{
	struct feedwatch_options o;
	struct feedwatch *fw = NULL;
	struct store *st = NULL;
	char path[700], err[1024];
	unsigned loaded_a, loaded_b;
	FILE *slow;

	snprintf(dir, sizeof(dir), "%s", tsu_tmpdir("feedwatch"));
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);
	tfw_write("a.ip4set", ":127.0.0.2:a\n10.0.0.1\n10.0.0.2\n");
	tfw_write("b.ip4set", ":127.0.0.3:b\n10.0.1.1\n");
	tfw_write("sub/c.ip4set", ":127.0.0.4:c\n10.0.2.1\n");
	tfw_write("c.yaml", cfg_ab);

	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	o.config_path = path;
	o.debounce_ms = 50;
	o.recheck_s = -1;
	o.on_event = tfw_on_event;
	CHECK_INT(feedwatch_new(&fw, &o, err, sizeof(err)), 0);
	if (!fw) {
		fprintf(stderr, "%s\n", err);
		return check_report();
	}
	CHECK_INT(feedwatch_load_all(fw), 0);
	CHECK_INT(tlog.loaded[0], 1);
	CHECK_INT(tlog.loaded[1], 1);
	CHECK_INT(tlog.zones, 1);
	CHECK_INT(feedwatch_timeout_ms(fw), -1);   /* nothing due */
	snprintf(path, sizeof(path), "%s/st", dir);
	CHECK_INT(store_open(&st, path, STORE_READONLY, err, sizeof(err)), 0);
	if (!st)
		return check_report();
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.2"), "2");
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.1"), "3");
	CHECK_INT(tfw_nzones(st), 1);

	/* Rename over: only a is reloaded, once. */
	tfw_write("a.ip4set", ":127.0.0.2:a\n10.0.0.1\n10.0.0.9\n");
	tfw_run(fw, 3000, &tlog.loaded[0], 2);
	tfw_run(fw, 300, NULL, 0);
	CHECK_INT(tlog.loaded[0], 2);
	CHECK_INT(tlog.loaded[1], 1);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.9"), "2");
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.2"), "");

	/* Rewritten in place (truncate + write, same inode). */
	snprintf(path, sizeof(path), "%s/b.ip4set", dir);
	slow = fopen(path, "w");
	CHECK(slow != NULL);
	if (slow) {
		fputs(":127.0.0.3:b\n10.0.1.1\n10.0.1.2\n", slow);
		fclose(slow);
	}
	tfw_run(fw, 3000, &tlog.loaded[1], 2);
	CHECK_INT(tlog.loaded[1], 2);
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.2"), "3");

	/* Corrupt, over max_errors (2): failed, the last good stays. */
	tfw_write("a.ip4set", ":127.0.0.2:a\n10.0.0.1\nbad one\nbad two\n"
		  "bad three\n10.0.0.77\n");
	tfw_run(fw, 3000, &tlog.failed[0], 1);
	CHECK_INT(tlog.failed[0], 1);
	CHECK(strstr(tlog.last, "a: FAILED (") != NULL);
	CHECK(strstr(tlog.last, "the stored version is unchanged") != NULL);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.9"), "2");
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.77"), "");

	/* Deleted: failed again, still the last good; re-created: loaded. */
	snprintf(path, sizeof(path), "%s/a.ip4set", dir);
	unlink(path);
	tfw_run(fw, 3000, &tlog.failed[0], 2);
	CHECK_INT(tlog.failed[0], 2);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.9"), "2");
	loaded_a = tlog.loaded[0];
	tfw_write("a.ip4set", ":127.0.0.2:a\n10.0.0.1\n10.0.0.5\n");
	tfw_run(fw, 3000, &tlog.loaded[0], loaded_a + 1);
	CHECK_INT(tlog.loaded[0], loaded_a + 1);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.5"), "2");
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.9"), "");

	/* A slow writer that holds the file open across pauses longer than
	 * the debounce: nothing is loaded until it closes the file, then the
	 * final content is. */
	loaded_b = tlog.loaded[1];
	snprintf(path, sizeof(path), "%s/b.ip4set", dir);
	slow = fopen(path, "w");
	CHECK(slow != NULL);
	if (slow) {
		fputs(":127.0.0.3:b\n10.0.1.1\n", slow);
		fflush(slow);
		tfw_run(fw, 400, NULL, 0);
		CHECK_INT(tlog.loaded[1], loaded_b);
		CHECK_STR(tfw_lookup(st, "b", "10.0.1.2"), "3");
		fputs("10.0.1.2\n10.0.1.3\n", slow);
		fflush(slow);
		tfw_run(fw, 400, NULL, 0);
		CHECK_INT(tlog.loaded[1], loaded_b);
		fclose(slow);
	}
	tfw_run(fw, 3000, &tlog.loaded[1], loaded_b + 1);
	CHECK_INT(tlog.loaded[1], loaded_b + 1);
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.3"), "3");

	/* A bad config: named with file:line, the old one stays in force. */
	tfw_write("c.yaml", "store: st\ndatasets:\n  a: { type: nosuchtype, "
		  "files: [a.ip4set] }\nzones: {}\n");
	tfw_run(fw, 3000, &tlog.config_failed, 1);
	CHECK_INT(tlog.config_failed, 1);
	CHECK(strstr(tlog.last, "c.yaml:3") != NULL);
	CHECK(strstr(tlog.last, "previous config stays in force") != NULL);
	CHECK_INT(feedwatch_config(fw)->ndatasets, 2);
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.1"), "3");

	/* Config change: c (in a new directory) and zone two.test come, b
	 * goes (dropped after the zone table stops naming it). */
	loaded_a = tlog.loaded[0];
	tfw_write("c.yaml", cfg_ac);
	tfw_run(fw, 3000, &tlog.config, 1);
	CHECK_INT(tlog.config, 1);
	CHECK_INT(tlog.loaded[2], 1);
	CHECK_INT(tlog.loaded[0], loaded_a);   /* a unchanged: not reloaded */
	CHECK_INT(tlog.dropped, 1);
	CHECK_INT(tlog.zones, 2);
	CHECK_STR(tfw_lookup(st, "c", "10.0.2.1"), "4");
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.1"), "missing");
	CHECK_INT(tfw_nzones(st), 2);

	/* The new dataset's file is followed too. */
	tfw_write("sub/c.ip4set", ":127.0.0.4:c\n10.0.2.2\n");
	tfw_run(fw, 3000, &tlog.loaded[2], 2);
	CHECK_STR(tfw_lookup(st, "c", "10.0.2.2"), "4");
	CHECK_STR(tfw_lookup(st, "c", "10.0.2.1"), "");

	/* In-place rewrites in a directory that is also the parent of a
	 * watched one (sub/): a feed, then the config itself. */
	loaded_a = tlog.loaded[0];
	snprintf(path, sizeof(path), "%s/a.ip4set", dir);
	slow = fopen(path, "w");
	if (slow) {
		fputs(":127.0.0.2:a\n10.0.0.1\n10.0.0.3\n", slow);
		fclose(slow);
	}
	tfw_run(fw, 3000, &tlog.loaded[0], loaded_a + 1);
	CHECK_INT(tlog.loaded[0], loaded_a + 1);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.3"), "2");
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	slow = fopen(path, "w");
	if (slow) {
		fputs(cfg_ab, slow);
		fclose(slow);
	}
	tfw_run(fw, 3000, &tlog.config, 2);
	CHECK_INT(tlog.config, 2);
	CHECK_INT(tlog.dropped, 2);            /* c went */
	CHECK_STR(tfw_lookup(st, "b", "10.0.1.3"), "3");
	CHECK_STR(tfw_lookup(st, "c", "10.0.2.2"), "missing");
	CHECK_INT(tfw_nzones(st), 1);

	/* The same engine in its own thread. */
	CHECK_INT(feedwatch_thread_start(fw), 0);
	tfw_write("a.ip4set", ":127.0.0.2:a\n10.0.0.6\n");
	for (int i = 0; i < 300 && strcmp(tfw_lookup(st, "a", "10.0.0.6"), "2");
	     i++)
		usleep(10000);
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.6"), "2");
	CHECK_STR(tfw_lookup(st, "a", "10.0.0.5"), "");
	feedwatch_thread_stop(fw);

	store_close(st);
	feedwatch_free(fw);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
	return check_report();
}
