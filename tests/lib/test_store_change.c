/* test_store_change.c -- hand edits: lib/store_change.c, store_expiry.c,
 * store_history.c, store_status.c (and store_edit.c's dnset entries).
 *
 * A manual dataset is made by its first edit, takes address and domain
 * entries in one transaction each, keeps its serial above every other in
 * the store (so zone SOA serials move), records who and why, and loses
 * entries given a lifetime when the sweep runs at a clock past it.
 */
#include "check.h"
#include "test_store_util.h"

static struct store *st;

static struct store_ip_edit ip_edit(const char *text, int op, unsigned a,
				    const char *txt)
{
	struct store_ip_edit ed;
	struct ds_ip_entry e;

	tsu_parse(text, &e);
	memset(&ed, 0, sizeof(ed));
	ed.op = (uint8_t)op;
	ed.family = e.family;
	ed.plen = e.plen;
	memcpy(ed.addr, e.addr, 16);
	ed.value.kind = VAL_LISTED;
	ed.value.a = 0x7f000000u | a;
	ed.value.txt = (char *)txt;
	ed.value.txtlen = txt ? (uint16_t)strlen(txt) : 0;
	return ed;
}

static struct store_dn_edit dn_edit(const char *text, int op, unsigned a)
{
	struct store_dn_edit ed;

	memset(&ed, 0, sizeof(ed));
	ed.op = (uint8_t)op;
	ed.wild = text[0] == '*';
	dname_from_text(text + (ed.wild ? 2 : 0), strlen(text) - (ed.wild ? 2 : 0),
			ed.name, 0);
	ed.value.kind = VAL_LISTED;
	ed.value.a = 0x7f000000u | a;
	return ed;
}

static uint32_t meta_of(const char *name, uint32_t *serial, uint64_t *entries)
{
	struct store_reader *rd;
	struct store_dsmeta *m = NULL;
	uint32_t dsid = 0;

	store_reader_new(st, &rd);
	if (store_dataset_meta(rd, name, &m) == STORE_OK) {
		dsid = m->dsid;
		if (serial)
			*serial = m->serial;
		if (entries)
			*entries = m->entries;
	}
	store_dsmeta_free(m);
	store_reader_free(rd);
	return dsid;
}

struct hist_list {
	char lines[16][256];
	int n;
};

static int hist_cb(const struct store_hist *h, void *arg)
{
	struct hist_list *l = arg;

	if (l->n < 16)
		snprintf(l->lines[l->n++], 256, "%d %s %s %s %s %lld", h->op,
			 h->dataset, h->entry, h->user, h->reason,
			 (long long)h->expires);
	return 0;
}

static void test_create_and_edit(void)
{
	struct store_ip_edit ip[2] = {
		ip_edit("192.0.2.0/24", STORE_EDIT_SET, 2, "by hand"),
		ip_edit("192.0.2.7", STORE_EDIT_EXCLUDE, 0, NULL),
	};
	struct store_change ch = { .ip = ip, .nip = 2, .type = DS_IP4SET,
				   .create = 1, .now = 1000, .op = STORE_HIST_ADD,
				   .entry = "192.0.2.0/24 :2:by hand",
				   .reason = "ticket 1", .user = "alice" };
	struct store_apply_stats s;
	struct store_reader *rd;
	struct store_status ss;
	struct hist_list hl = { .n = 0 };
	char err[256];
	uint32_t dsid, serial = 0, serial2 = 0;
	uint64_t entries = 0;
	int changed;

	/* Not stored and not to be made: nothing happens. */
	ch.create = 0;
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  STORE_ENOTFOUND);
	CHECK(meta_of("hand", NULL, NULL) == 0);
	ch.create = 1;
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(changed, 1);
	CHECK_INT(s.entries, 2);
	dsid = meta_of("hand", &serial, &entries);
	CHECK(dsid != 0);
	CHECK_INT(entries, 2);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, dsid, "192.0.2.1"), "2");
	CHECK_STR(tsu_q(rd, dsid, "192.0.2.7"), "");
	CHECK_STR(tsu_q(rd, dsid, "192.0.3.1"), "");
	CHECK_INT(store_status_get(rd, "hand", &ss), 0);
	CHECK_INT(ss.kind, STORE_STATUS_EDIT);
	CHECK(strstr(ss.message, "192.0.2.0/24 :2:by hand by alice") != NULL);
	store_reader_free(rd);

	/* The same again: nothing to write, no history. */
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(changed, 0);
	CHECK_INT(s.added + s.removed, 0);

	/* A wrong type is refused, naming both. */
	ch.type = DS_IP4TRIE;
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  STORE_EINVAL);
	CHECK(strstr(err, "stored as ip4set, not ip4trie") != NULL);
	ch.type = DS_IP4SET;

	/* A delete: the serial moves up, even within the same second. */
	ip[0].op = STORE_EDIT_REMOVE;
	ch.nip = 1;
	ch.op = STORE_HIST_DEL;
	ch.entry = "192.0.2.0/24";
	ch.reason = NULL;
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(changed, 1);
	meta_of("hand", &serial2, &entries);
	CHECK(serial2 > serial);
	CHECK_INT(entries, 1);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, dsid, "192.0.2.1"), "");
	CHECK_INT(store_iter_history(rd, "hand", hist_cb, &hl), 0);
	CHECK_INT(hl.n, 2);
	CHECK_STR(hl.lines[0], "1 hand 192.0.2.0/24 :2:by hand alice ticket 1 0");
	CHECK_STR(hl.lines[1], "2 hand 192.0.2.0/24 alice  0");
	store_reader_free(rd);
}

/* A dnset: exact and wildcard keys, exclusions, entry counts. */
static void test_dnset(void)
{
	struct store_dn_edit dn[3] = {
		dn_edit("Example.COM", STORE_EDIT_SET, 3),
		dn_edit("*.example.com", STORE_EDIT_SET, 4),
		dn_edit("ok.example.com", STORE_EDIT_EXCLUDE, 0),
	};
	struct store_change ch = { .dn = dn, .ndn = 3, .type = DS_DNSET,
				   .create = 1, .now = 2000 };
	struct store_apply_stats s;
	struct store_reader *rd;
	char err[256], entry[256];
	uint32_t dsid;
	uint64_t entries;
	int changed;

	CHECK_INT(store_change(st, "handdn", &ch, &s, &changed, err,
			       sizeof(err)), 0);
	dsid = meta_of("handdn", NULL, &entries);
	CHECK_INT(entries, 3);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, dsid, "example.com", entry), "3");
	CHECK_STR(tsu_qdn(rd, dsid, "a.example.com", entry), "4");
	CHECK_STR(entry, "example.com");
	CHECK_STR(tsu_qdn(rd, dsid, "ok.example.com", NULL), "");
	store_reader_free(rd);
	/* An address edit in a dnset, a name edit in an ip4set: refused. */
	{
		struct store_ip_edit ip = ip_edit("10.0.0.1", STORE_EDIT_SET, 2,
						  NULL);
		struct store_change bad = { .ip = &ip, .nip = 1,
					    .type = DS_DNSET, .now = 2001 };

		CHECK_INT(store_change(st, "handdn", &bad, &s, &changed, err,
				       sizeof(err)), STORE_EINVAL);
		bad.ip = NULL;
		bad.nip = 0;
		bad.dn = dn;
		bad.ndn = 1;
		bad.type = DS_IP4SET;
		CHECK_INT(store_change(st, "hand", &bad, &s, &changed, err,
				       sizeof(err)), STORE_EINVAL);
		CHECK(strstr(err, "not allowed in ip4set") != NULL);
	}
	/* Removing the wildcard. */
	dn[1].op = STORE_EDIT_REMOVE;
	ch.dn = dn + 1;
	ch.ndn = 1;
	CHECK_INT(store_change(st, "handdn", &ch, &s, &changed, err,
			       sizeof(err)), 0);
	meta_of("handdn", NULL, &entries);
	CHECK_INT(entries, 2);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_qdn(rd, dsid, "a.example.com", NULL), "");
	CHECK_STR(tsu_qdn(rd, dsid, "example.com", NULL), "3");
	store_reader_free(rd);
}

/* The edit's serial beats every other dataset's and zone's. */
static void test_serial_floor(void)
{
	struct dataset *ds = dataset_new(DS_IP4SET);
	struct store_ip_edit ip = ip_edit("10.9.9.9", STORE_EDIT_SET, 2, NULL);
	struct store_change ch = { .ip = &ip, .nip = 1, .type = DS_IP4SET,
				   .now = 5 };
	struct store_apply_stats s;
	char err[256];
	uint32_t fed, hand;
	int changed;

	tsu_ip(ds, "10.0.0.0/8", tsu_val(ds, 2, NULL));
	tsu_put(st, "fed", ds, NULL);   /* serial: now, the wall clock */
	dataset_free(ds);
	/* A clock far behind: the serial still goes above the others. */
	CHECK_INT(store_change(st, "hand", &ch, &s, &changed, err, sizeof(err)),
		  0);
	meta_of("fed", &fed, NULL);
	meta_of("hand", &hand, NULL);
	CHECK(hand > fed);
}

static void test_expiry(void)
{
	struct store_ip_edit ip[2] = {
		ip_edit("198.51.100.0/24", STORE_EDIT_SET, 5, NULL),
		ip_edit("198.51.101.1", STORE_EDIT_SET, 6, NULL),
	};
	struct store_dn_edit dn = dn_edit("*.temp.example", STORE_EDIT_SET, 7);
	struct store_change ch = { .ip = ip, .nip = 2, .type = DS_IP4SET,
				   .create = 1, .now = 10000, .expires = 10600,
				   .op = STORE_HIST_ADD, .entry = "x",
				   .user = "bob" };
	struct store_change chd = { .dn = &dn, .ndn = 1, .type = DS_DNSET,
				    .now = 10000, .expires = 10300,
				    .op = STORE_HIST_ADD, .entry = "*.temp.example",
				    .user = "bob" };
	struct store_apply_stats s;
	struct store_reader *rd;
	struct hist_list hl = { .n = 0 };
	char err[256];
	uint32_t dsid, dndsid;
	uint64_t n, pending;
	int64_t when, first;
	int changed;

	CHECK_INT(store_change(st, "temp", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(store_change(st, "handdn", &chd, &s, &changed, err,
			       sizeof(err)), 0);
	dsid = meta_of("temp", NULL, NULL);
	dndsid = meta_of("handdn", NULL, NULL);
	store_reader_new(st, &rd);
	CHECK_INT(store_expiry_ip(rd, dsid, 4, ip[1].addr, 32, &when), 1);
	CHECK_INT(when, 10600);
	CHECK_INT(store_expiry_pending(rd, dsid, &pending, &first), 0);
	CHECK_INT(pending, 2);
	CHECK_INT(first, 10600);
	CHECK_INT(store_expiry_dn(rd, dndsid, dn.name, 1, &when), 1);
	store_reader_free(rd);

	/* Listing one again for good cancels its expiry. */
	ch.ip = ip + 1;
	ch.nip = 1;
	ch.expires = 0;
	CHECK_INT(store_change(st, "temp", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(changed, 1);   /* only the expiry moved */
	CHECK_INT(s.added + s.removed, 0);

	/* Before its time nothing goes; after it, in one sweep, the rest. */
	CHECK_INT(store_expire(st, 10299, "sweeper", &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_expire(st, 10300, "sweeper", &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_expire(st, 20000, "sweeper", &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_expire(st, 30000, "sweeper", &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	store_reader_new(st, &rd);
	CHECK_STR(tsu_q(rd, dsid, "198.51.100.9"), "");
	CHECK_STR(tsu_q(rd, dsid, "198.51.101.1"), "6");
	CHECK_STR(tsu_qdn(rd, dndsid, "a.temp.example", NULL), "");
	CHECK_INT(store_expiry_pending(rd, dsid, &pending, &first), 0);
	CHECK_INT(pending, 0);
	CHECK_INT(store_iter_history(rd, "temp", hist_cb, &hl), 0);
	CHECK_INT(hl.n, 3);
	CHECK_STR(hl.lines[0], "1 temp x bob  10600");
	CHECK_STR(hl.lines[2], "3 temp 198.51.100.0/24 sweeper  0");
	{
		struct store_status ss;

		CHECK_INT(store_status_get(rd, "temp", &ss), 0);
		CHECK_INT(ss.kind, STORE_STATUS_EXPIRE);
		CHECK_STR(ss.message, "1 entry expired");
	}
	store_reader_free(rd);

	/* A dropped dataset's expiries go quietly. */
	ch.ip = ip;
	ch.expires = 40000;
	CHECK_INT(store_change(st, "temp", &ch, &s, &changed, err, sizeof(err)),
		  0);
	CHECK_INT(store_drop_dataset(st, "temp", err, sizeof(err)), 0);
	CHECK_INT(store_expire(st, 50000, "sweeper", &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_expire(st, 50000, "sweeper", &n, err, sizeof(err)), 0);
}

/* A failed load's status, and the good load that clears it. */
static void test_status(void)
{
	struct store_status s = { .time = 7, .kind = STORE_STATUS_LOAD };
	struct store_status got;
	struct store_reader *rd;
	char err[256];

	snprintf(s.message, sizeof(s.message), "x.ip4set: No such file");
	CHECK_INT(store_status_put(st, "fed", &s, err, sizeof(err)), 0);
	store_reader_new(st, &rd);
	CHECK_INT(store_status_get(rd, "fed", &got), 0);
	CHECK_INT(got.ok, 0);
	CHECK_STR(got.message, "x.ip4set: No such file");
	store_reader_free(rd);
	CHECK_INT(store_status_put(st, "fed", NULL, err, sizeof(err)), 0);
	store_reader_new(st, &rd);
	CHECK_INT(store_status_get(rd, "fed", &got), STORE_ENOTFOUND);
	store_reader_free(rd);
}

int main(void)
{
	st = tsu_open(tsu_tmpdir("change"));
	test_create_and_edit();
	test_dnset();
	test_serial_floor();
	test_expiry();
	test_status();
	store_close(st);
	tsu_cleanup();
	return check_report();
}
