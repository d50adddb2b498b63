/* test_store_zones.c -- the zone table record (lib/store_zones.c).
 *
 * Zones come from real YAML configs (config_load), are stored, read back in
 * a reader's snapshot and compared field by field; re-putting the same table
 * must write nothing, a changed zone must get a newer serial while the
 * others keep theirs, and a damaged record must be refused, then replaced.
 */
#include <lmdb.h>

#include "check.h"
#include "config.h"
#include "test_store_util.h"

/* Writes `yaml` to a config file in a new directory and loads it (no file
 * checks). */
static struct config *tz_config(const char *yaml)
{
	const char *dir = tsu_tmpdir("zones-cfg");
	char path[600], err[512];
	struct config *cfg = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/zones.yaml", dir);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(yaml, f);
	fclose(f);
	if (config_load_flags(path, CONFIG_NO_FILE_CHECK, &cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "config: %s\n", err);
		return NULL;
	}
	return cfg;
}

static uint64_t tz_generation(struct store *st)
{
	struct store_reader *rd;
	uint64_t g;

	if (store_reader_new(st, &rd) < 0)
		return 0;
	g = store_generation(rd);
	store_reader_free(rd);
	return g;
}

static struct store_zones *tz_get(struct store *st, int *rc)
{
	struct store_reader *rd;
	struct store_zones *zt = NULL;

	*rc = store_reader_new(st, &rd);
	if (*rc < 0)
		return NULL;
	*rc = store_get_zones(rd, &zt);
	store_reader_free(rd);
	return zt;
}

static int tz_wire_eq(const uint8_t *a, const uint8_t *b)
{
	if (!a || !b)
		return a == b;
	return wname_len(a) == wname_len(b) &&
	       memcmp(a, b, wname_len(a)) == 0;
}

/* Every field the server uses is the same in `got` as in `want`. */
static int tz_zone_eq(const struct cfg_zone *got, const struct cfg_zone *want)
{
	if (strcmp(got->name, want->name) || !tz_wire_eq(got->wname, want->wname) ||
	    got->ndatasets != want->ndatasets || got->nns != want->nns ||
	    got->ttl != want->ttl || got->soa.present != want->soa.present)
		return 0;
	for (size_t i = 0; i < got->ndatasets; i++)
		if (strcmp(got->datasets[i], want->datasets[i]))
			return 0;
	if ((got->acl == NULL) != (want->acl == NULL) ||
	    (got->acl && strcmp(got->acl, want->acl)))
		return 0;
	for (size_t i = 0; i < got->nns; i++)
		if (!tz_wire_eq(got->ns[i], want->ns[i]))
			return 0;
	if (want->soa.present &&
	    (!tz_wire_eq(got->soa.mname, want->soa.mname) ||
	     !tz_wire_eq(got->soa.rname, want->soa.rname) ||
	     got->soa.ttl != want->soa.ttl ||
	     got->soa.refresh != want->soa.refresh ||
	     got->soa.retry != want->soa.retry ||
	     got->soa.expire != want->soa.expire ||
	     got->soa.minimum != want->soa.minimum))
		return 0;
	return 1;
}

static const char *yaml_a =
	"store: st\n"
	"datasets:\n"
	"  spam: { type: ip4set, files: [spam.txt] }\n"
	"  names: { type: dnset, files: names.txt }\n"
	"  nets: { type: acl, files: [acl.txt] }\n"
	"zones:\n"
	"  bl.example.org:\n"
	"    datasets: [spam]\n"
	"    acl: nets\n"
	"    ttl: 10m\n"
	"    ns: [ns1.example.org, ns2.example.org]\n"
	"    soa: { mname: ns1.example.org, rname: hostmaster@example.org,\n"
	"           refresh: 1h, retry: 5m, expire: 1w, minimum: 60 }\n"
	"  dbl.example.org: { datasets: [names] }\n";

/* bl changes its datasets, dbl is unchanged, zen is new. */
static const char *yaml_b =
	"store: st\n"
	"datasets:\n"
	"  spam: { type: ip4set, files: [spam.txt] }\n"
	"  names: { type: dnset, files: names.txt }\n"
	"  nets: { type: acl, files: [acl.txt] }\n"
	"zones:\n"
	"  bl.example.org:\n"
	"    datasets: [spam, names]\n"
	"    acl: nets\n"
	"    ttl: 10m\n"
	"    ns: [ns1.example.org, ns2.example.org]\n"
	"    soa: { mname: ns1.example.org, rname: hostmaster@example.org,\n"
	"           refresh: 1h, retry: 5m, expire: 1w, minimum: 60 }\n"
	"  dbl.example.org: { datasets: [names] }\n"
	"  zen.example.org: { datasets: [spam, names] }\n";

static void test_roundtrip_and_changes(void)
{
	const char *dir = tsu_tmpdir("zones");
	const char *sdir = dir;
	char err[512];
	struct config *a = tz_config(yaml_a), *b = tz_config(yaml_b);
	struct store *st = NULL;
	struct store_zones *zt, *zt2;
	uint64_t g0, g1;
	uint32_t bl_serial = 0, dbl_serial = 0, table_serial;
	int rc, changed = -1;

	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_INT(store_open(&st, sdir, 0, err, sizeof(err)), STORE_OK);

	/* Nothing stored yet: the server falls back to its config. */
	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_ENOTFOUND);
	CHECK(zt == NULL);

	g0 = tz_generation(st);
	CHECK_INT(store_put_zones(st, a->zones, a->nzones, &changed, err,
				  sizeof(err)), STORE_OK);
	CHECK_INT(changed, 1);
	g1 = tz_generation(st);
	CHECK(g1 > g0);

	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_OK);
	CHECK(zt != NULL);
	if (!zt)
		goto out;
	CHECK_INT(zt->nzones, 2);
	for (size_t i = 0; i < zt->nzones && i < a->nzones; i++) {
		CHECK(tz_zone_eq(&zt->zones[i], &a->zones[i]));
		CHECK(zt->serials[i] > 0);
	}
	CHECK(zt->zones[0].acl && strcmp(zt->zones[0].acl, "nets") == 0);
	CHECK(zt->zones[1].acl == NULL);
	CHECK_INT(zt->zones[0].soa.present, 1);
	CHECK_INT(zt->zones[1].soa.present, 0);
	CHECK_INT(zt->zones[0].soa.minimum, 60);
	CHECK_INT(zt->zones[0].ttl, 600);
	bl_serial = zt->serials[0];
	dbl_serial = zt->serials[1];
	table_serial = zt->serial;
	store_zones_free(zt);

	/* The same table again writes nothing. */
	changed = -1;
	CHECK_INT(store_put_zones(st, a->zones, a->nzones, &changed, err,
				  sizeof(err)), STORE_OK);
	CHECK_INT(changed, 0);
	CHECK_INT(tz_generation(st), g1);

	/* A reader that took its snapshot before a change keeps seeing the
	 * old table, in the same snapshot as the datasets. */
	{
		struct store_reader *old_rd;

		CHECK_INT(store_reader_new(st, &old_rd), STORE_OK);
		CHECK_INT(store_put_zones(st, b->zones, b->nzones, &changed,
					  err, sizeof(err)), STORE_OK);
		CHECK_INT(changed, 1);
		CHECK_INT(store_get_zones(old_rd, &zt2), STORE_OK);
		CHECK(zt2 && zt2->nzones == 2);
		store_zones_free(zt2);
		store_reader_renew(old_rd);
		CHECK_INT(store_get_zones(old_rd, &zt2), STORE_OK);
		CHECK(zt2 && zt2->nzones == 3);
		store_zones_free(zt2);
		store_reader_free(old_rd);
	}
	CHECK(tz_generation(st) > g1);

	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_OK);
	if (!zt)
		goto out;
	CHECK_INT(zt->nzones, 3);
	for (size_t i = 0; i < zt->nzones && i < b->nzones; i++)
		CHECK(tz_zone_eq(&zt->zones[i], &b->zones[i]));
	CHECK(zt->serials[0] > bl_serial);       /* bl changed */
	CHECK_INT(zt->serials[1], dbl_serial);    /* dbl did not */
	CHECK(zt->serials[2] > 0);                /* zen is new */
	CHECK(zt->serial > table_serial);
	CHECK_INT(zt->zones[0].ndatasets, 2);
	store_zones_free(zt);

	/* Back to a: zen removed, bl changed again. */
	CHECK_INT(store_put_zones(st, a->zones, a->nzones, &changed, err,
				  sizeof(err)), STORE_OK);
	CHECK_INT(changed, 1);
	zt = tz_get(st, &rc);
	CHECK(zt && zt->nzones == 2);
	if (zt) {
		CHECK(tz_zone_eq(&zt->zones[0], &a->zones[0]));
		CHECK_INT(zt->serials[1], dbl_serial);
	}
	store_zones_free(zt);

	/* No zones at all is a table too. */
	CHECK_INT(store_put_zones(st, NULL, 0, &changed, err, sizeof(err)),
		  STORE_OK);
	CHECK_INT(changed, 1);
	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_OK);
	CHECK(zt && zt->nzones == 0);
	store_zones_free(zt);

	/* An incomplete zone is refused and changes nothing. */
	{
		struct cfg_zone bad = a->zones[0];
		uint64_t g = tz_generation(st);

		bad.wname = NULL;
		CHECK_INT(store_put_zones(st, &bad, 1, &changed, err,
					  sizeof(err)), STORE_EINVAL);
		CHECK(strstr(err, "bl.example.org") != NULL);
		CHECK_INT(tz_generation(st), g);
	}
out:
	store_close(st);
	config_free(a);
	config_free(b);
}

/* Replaces the stored record with `len` raw bytes (LMDB directly, in the
 * current instance: store_instance.c). */
static int tz_poke(const char *sdir, const void *bytes, size_t len)
{
	char path[1024];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 5, "zones" }, d = { len, (void *)bytes };
	int rc = mdb_env_create(&env);

	if (rc)
		return rc;
	mdb_env_set_maxdbs(env, 16);
	snprintf(path, sizeof(path), "%s/current", sdir);
	rc = mdb_env_open(env, path, 0, 0644);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc == 0) {
		rc = mdb_dbi_open(txn, "info", 0, &dbi);
		if (rc == 0)
			rc = mdb_put(txn, dbi, &k, &d, 0);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc;
}

static void test_damaged_record(void)
{
	const char *dir = tsu_tmpdir("zones-bad");
	const char *sdir = dir;
	char err[512];
	struct config *a = tz_config(yaml_a);
	struct store *st = NULL;
	struct store_zones *zt;
	/* Version 1, serial, one zone whose content length runs past the end. */
	static const uint8_t truncated[] = { 1, 0, 0, 0, 9, 0, 0, 0, 1,
					     0, 0, 0, 7, 0, 0, 1, 0, 2, 'b' };
	/* A well-framed zone whose wire name claims a label past its end. */
	static const uint8_t badwire[] = { 1, 0, 0, 0, 9, 0, 0, 0, 1,
		0, 0, 0, 7, 0, 0, 0, 10,
		0, 1, 'x', 0, 2, 5, 'x', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	int rc, changed;

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(store_open(&st, sdir, 0, err, sizeof(err)), STORE_OK);
	store_close(st);

	CHECK_INT(tz_poke(sdir, truncated, sizeof(truncated)), 0);
	CHECK_INT(store_open(&st, sdir, 0, err, sizeof(err)), STORE_OK);
	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_EINVAL);
	CHECK(zt == NULL);
	store_close(st);

	CHECK_INT(tz_poke(sdir, badwire, sizeof(badwire)), 0);
	CHECK_INT(store_open(&st, sdir, 0, err, sizeof(err)), STORE_OK);
	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_EINVAL);
	CHECK(zt == NULL);

	/* The writer replaces a damaged record whole. */
	CHECK_INT(store_put_zones(st, a->zones, a->nzones, &changed, err,
				  sizeof(err)), STORE_OK);
	CHECK_INT(changed, 1);
	zt = tz_get(st, &rc);
	CHECK_INT(rc, STORE_OK);
	CHECK(zt && zt->nzones == 2);
	store_zones_free(zt);
	store_close(st);

	/* A read-only store cannot take a table. */
	CHECK_INT(store_open(&st, sdir, STORE_READONLY, err, sizeof(err)),
		  STORE_OK);
	CHECK_INT(store_put_zones(st, a->zones, a->nzones, &changed, err,
				  sizeof(err)), STORE_EINVAL);
	store_close(st);
	config_free(a);
}

int main(void)
{
	test_roundtrip_and_changes();
	test_damaged_record();
	tsu_cleanup();
	return check_report();
}
