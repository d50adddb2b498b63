/* test_store_trap.c -- lib/store_trap.c through lib/trap_ingest.c: a batch
 * of hits is one transaction of counters, listings (entries with their
 * expiry and history), extensions and pruning; allow datasets win. */
#include "check.h"
#include "test_store_util.h"
#include "trap.h"

static struct store *st;

static int lookup(const char *ds, const char *text)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	struct store_match mt;
	uint8_t a[16] = { 0 };
	int fam = strchr(text, ':') ? 6 : 4, rc;

	inet_pton(fam == 4 ? AF_INET : AF_INET6, text, a);
	store_reader_new(st, &rd);
	if (store_dataset_meta(rd, ds, &m) != STORE_OK) {
		store_reader_free(rd);
		return -1;
	}
	rc = store_lookup_ip(rd, m->dsid, fam, a, &mt);
	store_dsmeta_free(m);
	store_reader_free(rd);
	return rc;
}

static void feed(struct trap_ingest *ti, const char *lines, int64_t now)
{
	const char *why, *p = lines;
	char err[256];

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		trap_ingest_line(ti, p, len, now, &why);
		p += len + (nl != NULL);
	}
	CHECK_INT(trap_ingest_commit(ti, now, err, sizeof(err)), 0);
}

struct hist_count {
	int adds, expires;
	char last[128];
};

static int hist_cb(const struct store_hist *h, void *arg)
{
	struct hist_count *hc = arg;

	if (h->op == STORE_HIST_ADD)
		hc->adds++;
	if (h->op == STORE_HIST_EXPIRE)
		hc->expires++;
	snprintf(hc->last, sizeof(hc->last), "%s", h->entry);
	return 0;
}

static struct hist_count history(const char *ds)
{
	struct hist_count hc = { 0 };
	struct store_reader *rd;

	store_reader_new(st, &rd);
	store_iter_history(rd, ds, hist_cb, &hc);
	store_reader_free(rd);
	return hc;
}

static uint64_t counters(const char *ds)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	uint64_t n = 0;

	store_reader_new(st, &rd);
	if (store_dataset_meta(rd, ds, &m) == STORE_OK)
		store_trap_count(rd, m->dsid, &n);
	store_dsmeta_free(m);
	store_reader_free(rd);
	return n;
}

static void test_listing(void)
{
	struct cfg_trap t = { .threshold = 2, .window = 3600, .expire = 86400,
			      .repeat_expire = 86400, .repeat_within = 2 * 86400,
			      .prefix6 = 64, .allow_special = 1,
			      .code = 0x7f000002, .txt = "${hits} hits" };
	struct cfg_dataset d = { .name = "tr", .type = DS_TRAP, .manual = 1,
				 .trap = &t };
	int64_t now = 1800000000;
	struct trap_ingest *ti;
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	struct trap_counter c;
	uint8_t a[16] = { 0 };
	char err[256];
	uint64_t n;

	ti = trap_ingest_new(st, &d, "test", err, sizeof(err));
	CHECK(ti != NULL);
	CHECK_INT(lookup("tr", "8.8.8.8"), 0);   /* made, empty */
	feed(ti, "8.8.8.8\n9.9.9.9\n10.0.0.1\n10.0.0.1\nnot-an-ip\n"
		 "2a00:1:2:3::1\n2a00:1:2:3::2\n", now);
	CHECK_INT(trap_ingest_stats(ti)->malformed, 1);
	CHECK_INT(trap_ingest_stats(ti)->allowed, 2);
	CHECK_INT(trap_ingest_stats(ti)->listed, 1);
	CHECK_INT(lookup("tr", "8.8.8.8"), 0);
	CHECK_INT(lookup("tr", "2a00:1:2:3:ffff::1"), 1);   /* the /64 */
	CHECK_INT(lookup("tr", "2a00:1:2:4::1"), 0);
	feed(ti, "8.8.8.8 time=1799999990\n", now);
	CHECK_INT(lookup("tr", "8.8.8.8"), 1);
	CHECK_INT(trap_ingest_stats(ti)->listed, 2);
	CHECK_INT(history("tr").adds, 2);
	CHECK_STR(history("tr").last, "8.8.8.8");
	/* The counter, and the listing's end in the expiry table. */
	store_reader_new(st, &rd);
	CHECK_INT(store_dataset_meta(rd, "tr", &m), STORE_OK);
	a[0] = a[1] = a[2] = a[3] = 8;
	CHECK_INT(store_trap_get(rd, m->dsid, 4, a, &c), 1);
	CHECK_INT(c.hits, 2);
	CHECK_INT(c.listed_until, now + 86400);
	{
		int64_t when = 0;

		CHECK_INT(store_expiry_ip(rd, m->dsid, 4, a, 32, &when), 1);
		CHECK_INT(when, now + 86400);
	}
	store_reader_free(rd);
	/* A hit while listed moves only the end (kept rounded up to the
	 * minute: a hit within it changes nothing stored). */
	feed(ti, "8.8.8.8\n", now + 100);
	CHECK_INT(trap_ingest_stats(ti)->extended, 1);
	CHECK_INT(history("tr").adds, 2);
	store_reader_new(st, &rd);
	{
		int64_t when = 0;

		CHECK_INT(store_expiry_ip(rd, m->dsid, 4, a, 32, &when), 1);
		CHECK_INT(when, now + 120 + 86400);
		CHECK_INT(store_trap_get(rd, m->dsid, 4, a, &c), 1);
		CHECK_INT(c.listed_until, now + 100 + 86400);
	}
	store_reader_free(rd);
	feed(ti, "8.8.8.8\n", now + 110);
	CHECK_INT(trap_ingest_stats(ti)->extended, 2);
	store_reader_new(st, &rd);
	{
		int64_t when = 0;

		CHECK_INT(store_expiry_ip(rd, m->dsid, 4, a, 32, &when), 1);
		CHECK_INT(when, now + 120 + 86400);
	}
	store_reader_free(rd);
	/* The sweep ends the listings; then the counters can go. */
	CHECK_INT(store_expire(st, now + 86400 + 50, "test", &n, err,
			       sizeof(err)), 0);
	CHECK_INT(n, 1);   /* the /64, listed at `now` */
	CHECK_INT(lookup("tr", "2a00:1:2:3::1"), 0);
	CHECK_INT(lookup("tr", "8.8.8.8"), 1);
	CHECK_INT(store_expire(st, now + 86400 + 119, "test", &n, err,
			       sizeof(err)), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_expire(st, now + 86400 + 120, "test", &n, err,
			       sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(lookup("tr", "8.8.8.8"), 0);
	CHECK_INT(history("tr").expires, 2);
	CHECK_INT(counters("tr"), 3);   /* 8.8.8.8, 9.9.9.9, the /64 */
	/* Kept for repeat offenders until repeat_within is over. */
	CHECK_INT(trap_ingest_prune(ti, now + 86400 + 200, 100, err,
				    sizeof(err)), 1);
	CHECK_INT(counters("tr"), 2);
	CHECK_INT(trap_ingest_prune(ti, now + 3 * 86400, 1, err, sizeof(err)), 0);
	while (trap_ingest_prune(ti, now + 3 * 86400, 1, err, sizeof(err)) == 0)
		;
	CHECK_INT(counters("tr"), 0);
	store_dsmeta_free(m);
	trap_ingest_free(ti);
}

static void test_allow_dataset(void)
{
	struct cfg_trap t = { .threshold = 1, .window = 3600, .expire = 86400,
			      .repeat_expire = 86400, .repeat_within = 86400,
			      .prefix6 = 64, .code = 0x7f000002 };
	char *names[] = { "good" };
	struct cfg_dataset d = { .name = "tr2", .type = DS_TRAP, .manual = 1,
				 .trap = &t };
	struct dataset *good = dataset_new(DS_IP4TRIE);
	struct ds_ip_entry e;
	struct trap_ingest *ti;
	char err[256];

	t.allow_datasets = names;
	t.nallow_datasets = 1;
	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.plen = 24;
	e.addr[0] = 5;
	e.addr[1] = 5;
	e.addr[2] = 5;
	e.value = tsu_val(good, 2, NULL);
	dataset_add_ip(good, &e);
	ti = trap_ingest_new(st, &d, "test", err, sizeof(err));
	feed(ti, "5.5.5.5\n6.6.6.6\n", 1800000000);
	CHECK_INT(lookup("tr2", "6.6.6.6"), 1);
	CHECK_INT(lookup("tr2", "5.5.5.5"), 1);   /* "good" not stored yet */
	CHECK_INT(store_put_dataset(st, "good", good, NULL, 0, NULL, err,
				    sizeof(err)), 0);
	feed(ti, "5.5.5.7\n", 1800000000);
	CHECK_INT(lookup("tr2", "5.5.5.7"), 0);
	CHECK_INT(trap_ingest_stats(ti)->allowed, 1);
	trap_ingest_free(ti);
	dataset_free(good);
}

static void test_delist_and_drop(void)
{
	struct cfg_trap t = { .threshold = 1, .window = 3600, .expire = 86400,
			      .repeat_expire = 86400, .repeat_within = 86400,
			      .prefix6 = 64, .code = 0x7f000002 };
	struct cfg_dataset d = { .name = "tr3", .type = DS_TRAP, .manual = 1,
				 .trap = &t };
	struct store_trap_hit who = { .family = 4, .plen = 32,
				      .addr = { 7, 7, 7, 7 } };
	int64_t now = 1800000000;
	struct trap_ingest *ti;
	char err[256];
	int removed = 0;

	ti = trap_ingest_new(st, &d, "test", err, sizeof(err));
	feed(ti, "7.7.7.7\n", now);
	CHECK_INT(lookup("tr3", "7.7.7.7"), 1);
	/* Delisted with a no-relist time: hits count but do not list. */
	CHECK_INT(store_trap_delist(st, "tr3", &who, now + 10, now + 3600,
				    "complaint", "admin", &removed, err,
				    sizeof(err)), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(lookup("tr3", "7.7.7.7"), 0);
	CHECK_STR(history("tr3").last, "7.7.7.7");
	feed(ti, "7.7.7.7\n", now + 20);
	CHECK_INT(lookup("tr3", "7.7.7.7"), 0);
	CHECK_INT(trap_ingest_stats(ti)->extended, 0);
	feed(ti, "7.7.7.7\n", now + 3700);
	CHECK_INT(lookup("tr3", "7.7.7.7"), 1);
	CHECK_INT(store_trap_delist(st, "tr3", &who, now + 3800, 0, NULL, "x",
				    &removed, err, sizeof(err)), 0);
	CHECK_INT(store_trap_delist(st, "tr3", &who, now + 3800, 0, NULL, "x",
				    &removed, err, sizeof(err)), 0);
	CHECK_INT(removed, 0);   /* nothing left to delist */
	/* A drop takes the counters with it. */
	CHECK_INT(counters("tr3"), 1);
	{
		struct store_reader *rd;
		struct store_dsmeta *m = NULL;
		uint64_t n = 9;
		uint32_t dsid;

		store_reader_new(st, &rd);
		store_dataset_meta(rd, "tr3", &m);
		dsid = m->dsid;
		store_dsmeta_free(m);
		store_reader_free(rd);
		CHECK_INT(store_drop_dataset(st, "tr3", err, sizeof(err)), 0);
		store_reader_new(st, &rd);
		CHECK_INT(store_trap_count(rd, dsid, &n), 0);
		CHECK_INT(n, 0);
		store_reader_free(rd);
	}
	trap_ingest_free(ti);
}

int main(void)
{
	st = tsu_open(tsu_tmpdir("trap"));
	test_listing();
	test_allow_dataset();
	test_delist_and_drop();
	store_close(st);
	tsu_cleanup();
	return check_report();
}
