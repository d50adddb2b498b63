/* test_store_util.h -- fixtures shared by the store unit tests.
 *
 * A fresh store directory per test under $TEST_TMPDIR (or /tmp), dataset
 * builders that take text ("10.0.0.0/8"), and lookups rendered as strings
 * of A-record last octets ("2 3", "" = not listed) so expectations read
 * like the data.
 */
#ifndef DNSBLD_TEST_STORE_UTIL_H
#define DNSBLD_TEST_STORE_UTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "dname.h"
#include "store.h"

/* Each test file uses some of these helpers. */
#define TSU_FN __attribute__((unused)) static

static char tsu_dirs[64][512];
static int tsu_ndirs;

/* Makes a new empty directory for a store; removed by tsu_cleanup(). */
TSU_FN const char *tsu_tmpdir(const char *tag)
{
	const char *base = getenv("TEST_TMPDIR");
	char *d = tsu_dirs[tsu_ndirs % 64];

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(d, 512, "%s/store-%s-XXXXXX", base, tag);
	if (!mkdtemp(d)) {
		perror("mkdtemp");
		exit(2);
	}
	tsu_ndirs++;
	return d;
}

/* Removes a store directory: its files, instance directories, links. */
TSU_FN void tsu_rmtree(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char p[1024];

	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, e->d_name) >=
		    (int)sizeof(p))
			continue;
		if (e->d_type == DT_DIR)
			tsu_rmtree(p);
		else
			unlink(p);
	}
	if (dir)
		closedir(dir);
	rmdir(path);
}

TSU_FN void tsu_cleanup(void)
{
	for (int i = 0; i < tsu_ndirs && i < 64; i++)
		tsu_rmtree(tsu_dirs[i]);
}

TSU_FN struct store *tsu_open(const char *dir)
{
	char err[256];
	struct store *st = NULL;

	if (store_open(&st, dir, 0, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "store_open %s: %s\n", dir, err);
		exit(2);
	}
	return st;
}

/* Value with A 127.0.0.<a> and optional TXT. */
TSU_FN uint32_t tsu_val(struct dataset *ds, unsigned a, const char *txt)
{
	return (uint32_t)dataset_value(ds, VAL_LISTED, 0x7f000000u | a, txt,
				       txt ? strlen(txt) : 0);
}

/* Parses "addr[/plen]" (IPv4 or IPv6) into an entry. */
TSU_FN void tsu_parse(const char *text, struct ds_ip_entry *e)
{
	char buf[128];
	char *slash;

	memset(e, 0, sizeof(*e));
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (strchr(buf, ':')) {
		e->family = 6;
		inet_pton(AF_INET6, buf, e->addr);
		e->plen = slash ? (uint8_t)atoi(slash + 1) : 128;
	} else {
		e->family = 4;
		inet_pton(AF_INET, buf, e->addr);
		e->plen = slash ? (uint8_t)atoi(slash + 1) : 32;
	}
}

/* Adds a prefix entry; "!" in front = exclusion. */
TSU_FN void tsu_ip(struct dataset *ds, const char *text, uint32_t value)
{
	struct ds_ip_entry e;

	tsu_parse(text[0] == '!' ? text + 1 : text, &e);
	e.excluded = text[0] == '!';
	e.value = value;
	dataset_add_ip(ds, &e);
}

/* Text -> relative wire name (static buffer). */
TSU_FN const uint8_t *tsu_name(const char *text)
{
	static _Thread_local uint8_t w[4][DNAME_MAX];
	static _Thread_local int n;
	uint8_t *o = w[n++ % 4];

	dname_from_text(text, strlen(text), o, 0);
	return o;
}

/* dnset entry: "name", "*.name", "!name", "!*.name". */
TSU_FN void tsu_dn(struct dataset *ds, const char *text, uint32_t value)
{
	struct ds_dn_entry e = { 0 };

	e.excluded = text[0] == '!';
	if (e.excluded)
		text++;
	e.wild = text[0] == '*' && text[1] == '.';
	if (e.wild)
		text += 2;
	e.name = (uint8_t *)tsu_name(text);
	e.value = value;
	dataset_add_dn(ds, &e);
}

/* The A values of a match as "2 3" (last octets), in match order. */
TSU_FN const char *tsu_render(struct store_reader *rd, int rc,
			      const struct store_match *m)
{
	static _Thread_local char out[8][512];
	static _Thread_local int n;
	char *o = out[n++ % 8];
	size_t len = 0;

	o[0] = '\0';
	if (rc < 0)
		return "ERR";
	if (rc == 0)
		return "";
	for (size_t i = 0; i < m->nvalues; i++) {
		struct store_value v;

		if (store_value_get(rd, m->values[i], &v) != STORE_OK)
			return "BADVALUE";
		len += (size_t)snprintf(o + len, 512 - len, "%s%u", i ? " " : "",
					v.a & 0xff);
	}
	return o;
}

TSU_FN const char *tsu_q(struct store_reader *rd, uint32_t dsid,
			 const char *addr)
{
	struct ds_ip_entry e;
	struct store_match m;

	tsu_parse(addr, &e);
	return tsu_render(rd, store_lookup_ip(rd, dsid, e.family, e.addr, &m), &m);
}

TSU_FN const char *tsu_qdn(struct store_reader *rd, uint32_t dsid,
			   const char *name, char *entry)
{
	struct store_match m;
	int rc = store_lookup_dn(rd, dsid, tsu_name(name), &m, NULL);

	if (entry) {
		entry[0] = '\0';
		if (rc == 1)
			dname_to_text(m.entry, entry, 256);
	}
	return tsu_render(rd, rc, &m);
}

TSU_FN int tsu_range(struct store_reader *rd, uint32_t dsid, const char *lo,
		     const char *hi)
{
	struct ds_ip_entry a, b;

	tsu_parse(lo, &a);
	tsu_parse(hi, &b);
	return store_ip_range_listed(rd, dsid, a.family, a.addr, b.addr);
}

/* Puts `ds` as `name` and returns its dsid (exits on failure). */
TSU_FN uint32_t tsu_put(struct store *st, const char *name,
			const struct dataset *ds, struct store_apply_stats *stats)
{
	char err[256];
	struct store_reader *rd;
	struct store_dsmeta *m;
	uint32_t dsid;

	if (store_put_dataset(st, name, ds, NULL, 0, stats, err, sizeof(err))) {
		fprintf(stderr, "put %s: %s\n", name, err);
		exit(2);
	}
	if (store_reader_new(st, &rd) || store_dataset_meta(rd, name, &m)) {
		fprintf(stderr, "meta %s missing\n", name);
		exit(2);
	}
	dsid = m->dsid;
	store_dsmeta_free(m);
	store_reader_free(rd);
	return dsid;
}

#endif
