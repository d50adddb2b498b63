/* store_check.c -- does the metadata agree with the data?  (dnsbl-ctl check)
 *
 * The store keeps derived data next to what it was derived from: the
 * interval maps next to the source entries, the entry counts in the
 * metadata, answer references into the value table.  Loads and edits keep
 * them in step inside one transaction; this walk verifies it from a read
 * snapshot (it never blocks a writer), re-deriving each address dataset's
 * interval map with the same store_derive() a load uses and comparing it
 * record for record.
 */
#include "store_overlay.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check {
	struct store_reader *rd;
	void (*fn)(void *arg, const char *dataset, const char *problem);
	void *arg;
	int problems;
	uint32_t *dsids;         /* every dsid the names table knows */
	size_t ndsids;
	uint32_t ref_ok;         /* the last ref found good (lists repeat) */
};

static void check_say(struct check *ck, const char *ds, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check_say(struct check *ck, const char *ds, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck->problems++;
	ck->fn(ck->arg, ds, msg);
}

static int check_is_ip_type(enum ds_type t)
{
	return t == DS_IP4SET || t == DS_IP4TSET || t == DS_IP4TRIE ||
	       t == DS_IP6TRIE || t == DS_IP6TSET || t == DS_ACL ||
	       t == DS_TRAP || t == DS_COUNTRY || t == DS_ASN;
}

/* Does `ref` resolve (a value, or a set of values)?  0, or 1 if not. */
static int check_ref(struct check *ck, uint32_t ref)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	const uint8_t *p;

	if (ref == REF_EXCLUDED || ref == ck->ref_ok)
		return 0;
	be32_put(kb, ref);
	if (mdb_get(ck->rd->txn, ck->rd->st->dbi[SDB_VALUES], &k, &d) != 0)
		return 1;
	p = d.mv_data;
	if (!(ref & REF_SET)) {
		if (d.mv_size < 7 || p[0] != VALREC_VALUE)
			return 1;
	} else {
		if (d.mv_size < 5 || p[0] != VALREC_SET || (d.mv_size - 1) % 4)
			return 1;
		for (size_t off = 1; off < d.mv_size; off += 4)
			if (check_ref(ck, be32_get(p + off)))
				return 1;
	}
	ck->ref_ok = ref;
	return 0;
}

/* The records of dataset `dsid` in address table `db`, its overlay
 * merged in (malloc'd, packed); *bad counts broken overlay records. */
static int check_dups(struct check *ck, enum store_db db, uint32_t dsid,
		      size_t rsz, uint8_t **out, size_t *n, size_t *bad)
{
	struct blob_writer b = { 0 };
	struct store_ovl_iter it;
	const uint8_t *r;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_ovl_iter_open(ck->rd->txn, ck->rd->st->dbi[db], dsid, rsz,
				 &it);
	if (rc)
		return store_rc(rc);
	while ((rc = store_ovl_iter_next(&it, &r)) == 0 && r) {
		blob_put(&b, r, rsz);
		(*n)++;
	}
	*bad += it.bad;
	store_ovl_iter_close(&it);
	if (rc == 0 && b.oom)
		rc = STORE_ENOMEM;
	if (rc) {
		free(b.p);
		return store_rc(rc);
	}
	*out = b.p;
	return 0;
}

static void check_addr_text(int family, const uint8_t *a, char *out,
			    size_t len)
{
	uint8_t full[16] = { 0 };

	memcpy(full, a, family == 4 ? 4 : 16);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, full, out, (socklen_t)len);
}

/* One family of an address dataset: its source records (counted into
 * *entries), their refs, and the interval map they derive. */
static int check_family(struct check *ck, const char *name, uint32_t dsid,
			int family, uint64_t *entries)
{
	unsigned alen = family == 4 ? 4 : 16, ssz = layout_src_size(family);
	unsigned isz = layout_ip_size(family);
	uint8_t *src = NULL, *ip = NULL, *derived = NULL;
	size_t nsrc, nip, nder = 0, bad = 0, badovl = 0;
	int rc;

	rc = check_dups(ck, family == 4 ? SDB_SRC4 : SDB_SRC6, dsid, ssz, &src,
			&nsrc, &badovl);
	if (rc == 0)
		rc = check_dups(ck, family == 4 ? SDB_IP4 : SDB_IP6, dsid, isz,
				&ip, &nip, &badovl);
	if (rc)
		goto out;
	if (badovl)
		check_say(ck, name, "%zu IPv%d overlay records do not fit the "
			  "records they change", badovl, family);
	*entries += nsrc;
	for (size_t i = 0; i < nsrc; i++)
		bad += check_ref(ck, be32_get(src + i * ssz + alen + 1));
	for (size_t i = 0; i < nip; i++)
		bad += check_ref(ck, be32_get(ip + i * isz + 2 * alen));
	if (bad)
		check_say(ck, name, "%zu IPv%d records refer to answer values "
			  "that are not stored", bad, family);
	rc = store_derive(src, nsrc, family, &derived, &nder);
	if (rc)
		goto out;
	if (nder != nip || (nip && memcmp(derived, ip, nip * isz) != 0)) {
		size_t i = 0;
		char a[INET6_ADDRSTRLEN];

		while (i < nip && i < nder &&
		       memcmp(derived + i * isz, ip + i * isz, isz) == 0)
			i++;
		check_addr_text(family, i < nder ? derived + i * isz + alen :
				ip + i * isz + alen, a, sizeof(a));
		check_say(ck, name, "the IPv%d interval map is not what its "
			  "%zu source entries derive: %zu intervals stored, "
			  "%zu derived, first difference at %s", family, nsrc,
			  nip, nder, a);
	}
out:
	free(src);
	free(ip);
	free(derived);
	return rc;
}

/* A dnset's or generic's dn-table keys: entries counted, refs checked. */
static int check_names(struct check *ck, const char *name, uint32_t dsid,
		       enum ds_type type, uint64_t *entries)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	size_t bad = 0, wrong = 0;
	int rc;

	be32_put(kb, dsid);
	rc = mdb_cursor_open(ck->rd->txn, ck->rd->st->dbi[SDB_DN], &c);
	if (rc)
		return store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		uint8_t tag;

		if (k.mv_size < 6 || memcmp(kp, kb, 4) != 0)
			break;
		tag = kp[k.mv_size - 1];
		if (type == DS_GENERIC && tag == DNK_RRS) {
			struct store_rrset it = { d.mv_data,
						  (const uint8_t *)d.mv_data +
							  d.mv_size };
			struct store_rr rr;

			while (store_rrset_next(&it, &rr))
				(*entries)++;
		} else if (type == DS_DNSET && (tag == DNK_EXACT || tag == DNK_WILD) &&
			   d.mv_size == 4) {
			(*entries)++;
			bad += check_ref(ck, be32_get(d.mv_data));
		} else {
			wrong++;
		}
	}
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return store_rc(rc);
	if (bad)
		check_say(ck, name, "%zu names refer to answer values that are "
			  "not stored", bad);
	if (wrong)
		check_say(ck, name, "%zu name records of the wrong kind for %s",
			  wrong, ds_type_name(type));
	return 0;
}

/* Does `dsid` have records in table `db` (a table its type never uses)? */
static int check_has_dups(struct check *ck, enum store_db db, uint32_t dsid)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;

	be32_put(kb, dsid);
	return mdb_get(ck->rd->txn, ck->rd->st->dbi[db], &k, &d) == 0;
}

static int check_has_names(struct check *ck, uint32_t dsid)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	int rc, has = 0;

	be32_put(kb, dsid);
	if (mdb_cursor_open(ck->rd->txn, ck->rd->st->dbi[SDB_DN], &c))
		return 0;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	has = rc == 0 && k.mv_size >= 4 && memcmp(k.mv_data, kb, 4) == 0;
	mdb_cursor_close(c);
	return has;
}

/* One dataset of the names table; *entries gets what its records count. */
static int check_dataset(struct check *ck, const char *name, uint32_t dsid,
			 uint64_t *entries)
{
	struct store_dsmeta *m = NULL;
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	uint64_t counted = 0;
	int rc;

	*entries = 0;
	be32_put(kb, dsid);
	rc = mdb_get(ck->rd->txn, ck->rd->st->dbi[SDB_META], &k, &d);
	if (rc == MDB_NOTFOUND) {
		check_say(ck, name, "no metadata record");
		return 0;
	}
	if (rc)
		return store_rc(rc);
	if (store_meta_decode(d.mv_data, d.mv_size, dsid, &m, NULL) != 0) {
		check_say(ck, name, "its metadata record is unreadable");
		return 0;
	}
	if (strcmp(m->name, name) != 0)
		check_say(ck, name, "its metadata names it \"%s\"", m->name);
	if (check_is_ip_type(m->type)) {
		rc = check_family(ck, name, dsid, 4, &counted);
		if (rc == 0)
			rc = check_family(ck, name, dsid, 6, &counted);
		if (rc == 0 && check_has_names(ck, dsid))
			check_say(ck, name, "name records in an address dataset");
	} else if (m->type == DS_DNSET || m->type == DS_GENERIC) {
		rc = check_names(ck, name, dsid, m->type, &counted);
	} else if (m->type == DS_COMBINED) {
		/* Its entries are its sections' (checked as datasets of
		 * their own: "name/1", ...). */
		for (size_t i = 0; rc == 0 && i < m->nchildren; i++) {
			char cname[256];
			MDB_val ck_ = { 0, cname }, cd;
			uint64_t ce;

			snprintf(cname, sizeof(cname), "%s/%zu", name, i + 1);
			ck_.mv_size = strlen(cname);
			if (mdb_get(ck->rd->txn, ck->rd->st->dbi[SDB_NAMES], &ck_,
				    &cd) != 0 || cd.mv_size != 5) {
				check_say(ck, name, "section %s is missing", cname);
				continue;
			}
			rc = check_dataset(ck, cname, be32_get(cd.mv_data), &ce);
			counted += ce;
		}
	} else {
		check_say(ck, name, "unknown type %d", (int)m->type);
	}
	if (rc == 0 && !check_is_ip_type(m->type) &&
	    (check_has_dups(ck, SDB_SRC4, dsid) || check_has_dups(ck, SDB_SRC6, dsid) ||
	     check_has_dups(ck, SDB_IP4, dsid) || check_has_dups(ck, SDB_IP6, dsid)))
		check_say(ck, name, "address records in a %s dataset",
			  ds_type_name(m->type));
	if (rc == 0 && m->type == DS_COMBINED && check_has_names(ck, dsid))
		check_say(ck, name, "name records in a combined dataset");
	if (rc == 0 && counted != m->entries)
		check_say(ck, name, "the metadata counts %llu entries, the "
			  "records hold %llu", (unsigned long long)m->entries,
			  (unsigned long long)counted);
	*entries = counted;
	store_dsmeta_free(m);
	return rc;
}

static int check_known(const struct check *ck, uint32_t dsid)
{
	for (size_t i = 0; i < ck->ndsids; i++)
		if (ck->dsids[i] == dsid)
			return 1;
	return 0;
}

/* Records of datasets the names table does not know (left behind). */
static int check_orphans(struct check *ck)
{
	static const enum store_db dbs[] = { SDB_META, SDB_SRC4, SDB_SRC6,
					     SDB_IP4, SDB_IP6, SDB_DN };
	static const char *const what[] = { "meta", "src4", "src6", "ip4",
					    "ip6", "dn" };

	for (size_t t = 0; t < sizeof(dbs) / sizeof(dbs[0]); t++) {
		uint8_t kb[4] = { 0 };
		MDB_val k = { 4, kb }, d;
		MDB_cursor *c;
		int rc = mdb_cursor_open(ck->rd->txn, ck->rd->st->dbi[dbs[t]], &c);

		if (rc)
			return store_rc(rc);
		/* One step per dataset id: jump past each id's keys. */
		for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE)) {
			uint32_t dsid;

			if (k.mv_size < 4)
				break;
			dsid = be32_get(k.mv_data);
			/* An overlay key belongs to the dataset it changes. */
			if (!check_known(ck, dsid & ~(OVL_ADD | OVL_DEL)))
				check_say(ck, NULL, "%s records of dataset id %u, "
					  "which no name has", what[t],
					  dsid & ~(OVL_ADD | OVL_DEL));
			if (dsid == UINT32_MAX)
				break;
			be32_put(kb, dsid + 1);
			k.mv_size = 4;
			k.mv_data = kb;
		}
		mdb_cursor_close(c);
		if (rc && rc != MDB_NOTFOUND)
			return store_rc(rc);
	}
	return 0;
}

int store_check(struct store_reader *rd,
		void (*fn)(void *arg, const char *dataset, const char *problem),
		void *arg)
{
	struct check ck = { .rd = rd, .fn = fn, .arg = arg };
	MDB_val k, d;
	MDB_cursor *c;
	int rc;

	if (!rd->active)
		return STORE_EINVAL;
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_NAMES], &c);
	if (rc)
		return store_rc(rc);
	/* The ids first (orphans are records of none of them), then each
	 * top-level dataset (sections are checked through their parent). */
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		uint32_t *p;

		if (d.mv_size != 5) {
			check_say(&ck, NULL, "a malformed names record");
			continue;
		}
		p = realloc(ck.dsids, (ck.ndsids + 1) * sizeof(*p));
		if (!p) {
			rc = STORE_ENOMEM;
			break;
		}
		ck.dsids = p;
		ck.dsids[ck.ndsids++] = be32_get(d.mv_data);
	}
	for (rc = rc == MDB_NOTFOUND ? mdb_cursor_get(c, &k, &d, MDB_FIRST) : rc;
	     rc == 0; rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		char name[256];
		uint64_t entries;

		if (d.mv_size != 5 || (((const uint8_t *)d.mv_data)[4] & NAME_HIDDEN))
			continue;
		if (k.mv_size >= sizeof(name)) {
			check_say(&ck, NULL, "a dataset name over 255 bytes");
			continue;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		rc = check_dataset(&ck, name, be32_get(d.mv_data), &entries);
		if (rc)
			break;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND || rc == 0)
		rc = check_orphans(&ck);
	free(ck.dsids);
	return rc ? store_rc(rc) : ck.problems;
}
