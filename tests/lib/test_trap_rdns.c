/* test_trap_rdns.c -- lib/trap_rdns.c: the rDNS policy, and an rDNS outcome
 * through lib/trap_ingest.c into the sender's counter (store_trap.c's
 * version 2 record; a counter without one stays version 1). */
#include "check.h"
#include "test_store_util.h"
#include "trap.h"

static struct store *st;

static int lookup_a(const char *ds, const char *text, uint32_t *a)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	struct store_match mt;
	struct store_value v;
	uint8_t addr[16] = { 0 };
	int rc;

	inet_pton(AF_INET, text, addr);
	store_reader_new(st, &rd);
	if (store_dataset_meta(rd, ds, &m) != STORE_OK) {
		store_reader_free(rd);
		return -1;
	}
	rc = store_lookup_ip(rd, m->dsid, 4, addr, &mt);
	if (rc == 1 && store_value_get(rd, mt.values[0], &v) == 0)
		*a = v.a;
	store_dsmeta_free(m);
	store_reader_free(rd);
	return rc;
}

static int counter(const char *ds, const char *text, struct trap_counter *c)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	uint8_t addr[16] = { 0 };
	int rc = -1;

	inet_pton(AF_INET, text, addr);
	store_reader_new(st, &rd);
	if (store_dataset_meta(rd, ds, &m) == STORE_OK)
		rc = store_trap_get(rd, m->dsid, 4, addr, c);
	store_dsmeta_free(m);
	store_reader_free(rd);
	return rc;
}

static void test_policy(void)
{
	struct cfg_trap t = { .threshold = 3, .rdns = 1, .rdns_timeout = 5,
			      .code = 0x7f000002 };
	struct trap_counter c = { 0 };
	char buf[300];

	CHECK(trap_rdns_config_check(&t) == NULL);
	CHECK_INT(trap_rdns_threshold(&t, &c), 3);
	CHECK_INT(trap_rdns_wanted(&t, &c, 1000), 1);
	CHECK_STR(trap_rdns_text(&c.rdns, buf, sizeof(buf)), "not looked up");
	t.threshold_no_fcrdns = 1;
	t.code_no_fcrdns = 0x7f000004;
	c.rdns.status = TRAP_RDNS_MISMATCH;
	snprintf(c.rdns.name, sizeof(c.rdns.name), "x.example");
	CHECK_INT(trap_rdns_threshold(&t, &c), 1);
	CHECK_INT(trap_rdns_code(&t, &c), 0x7f000004);
	CHECK_INT(trap_rdns_wanted(&t, &c, 1000), 0);
	CHECK_STR(trap_rdns_text(&c.rdns, buf, sizeof(buf)), "mismatch x.example");
	/* A timeout says nothing: the full threshold, the plain code, and
	 * another try an hour later. */
	c.rdns.status = TRAP_RDNS_TIMEOUT;
	c.rdns.time = 1000;
	CHECK_INT(trap_rdns_threshold(&t, &c), 3);
	CHECK_INT(trap_rdns_code(&t, &c), 0x7f000002);
	CHECK_INT(trap_rdns_wanted(&t, &c, 1000 + TRAP_RDNS_RETRY - 1), 0);
	CHECK_INT(trap_rdns_wanted(&t, &c, 1000 + TRAP_RDNS_RETRY), 1);
	t.only_no_fcrdns = 1;
	CHECK(trap_rdns_threshold(&t, &c) == UINT32_MAX);
	c.rdns.status = TRAP_RDNS_NOPTR;
	CHECK_INT(trap_rdns_threshold(&t, &c), 1);
	t.threshold_no_fcrdns = 4;
	CHECK(trap_rdns_config_check(&t) != NULL);
	t.threshold_no_fcrdns = 0;
	t.rdns = 0;
	CHECK(trap_rdns_config_check(&t) != NULL);   /* only_no_fcrdns */
	CHECK(trap_txt_check("${rdns}") == NULL);
}

static void test_outcome(void)
{
	struct cfg_trap t = { .threshold = 3, .window = 3600, .expire = 86400,
			      .repeat_expire = 86400, .repeat_within = 86400,
			      .prefix6 = 64, .allow_special = 1,
			      .code = 0x7f000002, .rdns = 1, .rdns_timeout = 5,
			      .threshold_no_fcrdns = 1, .code_no_fcrdns = 0x7f000004,
			      .txt = "rdns ${rdns}" };
	struct cfg_dataset d = { .name = "tr", .type = DS_TRAP, .manual = 1,
				 .trap = &t };
	struct store_trap_hit who = { .family = 4, .plen = 32 };
	struct trap_rdns out = { .status = TRAP_RDNS_NOPTR, .family = 4,
				 .time = 1800000001 };
	struct trap_counter c;
	struct trap_ingest *ti;
	int64_t now = 1800000000;
	const char *why;
	char err[256];
	uint32_t a = 0;

	ti = trap_ingest_new(st, &d, "test", err, sizeof(err));
	CHECK(ti != NULL);
	CHECK_INT(trap_ingest_line(ti, "11.0.0.1", 8, now, &why), 1);
	CHECK_INT(trap_ingest_commit(ti, now, err, sizeof(err)), 0);
	CHECK_INT(lookup_a("tr", "11.0.0.1", &a), 0);
	CHECK_INT(counter("tr", "11.0.0.1", &c), 1);
	CHECK_INT(c.rdns.status, TRAP_RDNS_NONE);
	/* The outcome lists it after one hit, with the other code. */
	inet_pton(AF_INET, "11.0.0.1", who.addr);
	memcpy(who.host, who.addr, 16);
	memcpy(out.addr, who.addr, 16);
	CHECK_INT(trap_ingest_rdns(ti, &who, &out, now + 1), 0);
	CHECK_INT(trap_ingest_commit(ti, now + 1, err, sizeof(err)), 0);
	CHECK_INT(lookup_a("tr", "11.0.0.1", &a), 1);
	CHECK_INT(a, 0x7f000004);
	CHECK_INT(counter("tr", "11.0.0.1", &c), 1);
	CHECK_INT(c.rdns.status, TRAP_RDNS_NOPTR);
	CHECK_INT(c.rdns.time, 1800000001);
	CHECK_INT(c.hits, 1);
	CHECK_INT(trap_ingest_stats(ti)->hits, 1);
	CHECK_INT(trap_ingest_stats(ti)->listed, 1);
	/* A confirmed sender listed by its hits; then a name arrives and
	 * stays through a round trip of the record. */
	CHECK_INT(trap_ingest_line(ti, "11.0.0.2", 8, now, &why), 1);
	CHECK_INT(trap_ingest_line(ti, "11.0.0.2", 8, now, &why), 1);
	CHECK_INT(trap_ingest_line(ti, "11.0.0.2", 8, now, &why), 1);
	CHECK_INT(trap_ingest_commit(ti, now, err, sizeof(err)), 0);
	CHECK_INT(lookup_a("tr", "11.0.0.2", &a), 1);
	CHECK_INT(a, 0x7f000002);
	inet_pton(AF_INET, "11.0.0.2", who.addr);
	memcpy(who.host, who.addr, 16);
	out.status = TRAP_RDNS_MISMATCH;
	snprintf(out.name, sizeof(out.name), "mx.example.net");
	CHECK_INT(trap_ingest_rdns(ti, &who, &out, now + 2), 0);
	CHECK_INT(trap_ingest_commit(ti, now + 2, err, sizeof(err)), 0);
	CHECK_INT(lookup_a("tr", "11.0.0.2", &a), 1);
	CHECK_INT(a, 0x7f000004);    /* relabeled */
	CHECK_INT(trap_ingest_stats(ti)->relabeled, 1);
	CHECK_INT(trap_ingest_stats(ti)->listed, 2);
	CHECK_INT(counter("tr", "11.0.0.2", &c), 1);
	CHECK_STR(c.rdns.name, "mx.example.net");
	CHECK_INT(c.hits, 3);
	/* News of a sender with no counter keeps nothing. */
	inet_pton(AF_INET, "11.0.0.3", who.addr);
	CHECK_INT(trap_ingest_rdns(ti, &who, &out, now + 3), 0);
	CHECK_INT(trap_ingest_commit(ti, now + 3, err, sizeof(err)), 0);
	CHECK_INT(counter("tr", "11.0.0.3", &c), 0);
	trap_ingest_free(ti);
}

int main(void)
{
	st = tsu_open(tsu_tmpdir("traprdns"));
	test_policy();
	test_outcome();
	store_close(st);
	tsu_cleanup();
	return check_report();
}
