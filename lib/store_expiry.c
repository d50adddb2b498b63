/* store_expiry.c -- entries added for a while (`dnsbl-ctl add --for`).
 *
 * An entry given a lifetime gets two keys in the expiry table
 * (store_layout.h): one ordered by time, so the sweep finds what is due
 * with one range scan from the start and nothing else, and one by entry,
 * so any later edit of that entry (a new add, a del) replaces or cancels
 * its expiry in the same transaction.  The sweep (store_expire) removes
 * what is due exactly as `dnsbl-ctl del` would, one transaction for all,
 * and writes a history record per entry.  Nobody has to run it by hand:
 * `dnsbl-loader watch` calls it every second; `dnsbl-ctl expire` on
 * demand (e.g. from cron where no watch runs).
 */
#include "store_manual.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"

size_t store_ekey_ip(int family, const uint8_t *addr, unsigned plen,
		     uint8_t *key)
{
	unsigned alen = family == 4 ? 4 : 16;

	key[0] = family == 4 ? EKEY_IP4 : EKEY_IP6;
	memcpy(key + 1, addr, alen);
	key[1 + alen] = (uint8_t)plen;
	return 2 + alen;
}

size_t store_ekey_dn(const uint8_t *name, int wild, uint8_t *key)
{
	size_t len = wname_len(name);

	key[0] = EKEY_DN;
	key[1] = wild ? 1 : 0;
	memcpy(key + 2, name, len);
	dname_lower(key + 2);   /* one key per name, whatever its case */
	return 2 + len;
}

/* The edit that removes the entry `key` names; 0, or -1 if malformed. */
static int expiry_key_edit(const uint8_t *key, size_t len,
			   struct store_ip_edit *ip, struct store_dn_edit *dn)
{
	unsigned alen = key[0] == EKEY_IP4 ? 4 : 16;

	if (key[0] == EKEY_IP4 || key[0] == EKEY_IP6) {
		if (len != 2 + alen)
			return -1;
		memset(ip, 0, sizeof(*ip));
		ip->op = STORE_EDIT_REMOVE;
		ip->family = key[0] == EKEY_IP4 ? 4 : 6;
		memcpy(ip->addr, key + 1, alen);
		ip->plen = key[1 + alen];
		return 0;
	}
	if (key[0] != EKEY_DN || len < 3 || len - 2 > sizeof(dn->name) ||
	    wname_len(key + 2) != len - 2)
		return -1;
	memset(dn, 0, sizeof(*dn));
	dn->op = STORE_EDIT_REMOVE;
	dn->wild = key[1];
	memcpy(dn->name, key + 2, len - 2);
	return 0;
}

void store_ekey_text(const uint8_t *key, size_t len, char *out,
		     size_t outlen)
{
	struct store_ip_edit ip;
	struct store_dn_edit dn;
	char a[INET6_ADDRSTRLEN], n[DNAME_MAX * 4 + 1];

	if (len < 1 || expiry_key_edit(key, len, &ip, &dn) < 0) {
		snprintf(out, outlen, "(bad key)");
	} else if (key[0] == EKEY_DN) {
		if (dname_to_text(dn.name, n, sizeof(n)) < 0)
			snprintf(n, sizeof(n), "(bad name)");
		snprintf(out, outlen, "%s%s", dn.wild ? "*." : "", n);
	} else {
		inet_ntop(ip.family == 4 ? AF_INET : AF_INET6, ip.addr, a,
			  sizeof(a));
		if (ip.plen == (ip.family == 4 ? 32 : 128))
			snprintf(out, outlen, "%s", a);
		else
			snprintf(out, outlen, "%s/%u", a, ip.plen);
	}
}

/* The two keys of entry `ekey` of `dsid` expiring at `when`. */
static size_t expiry_by_entry(uint32_t dsid, const uint8_t *ekey,
			      size_t eklen, uint8_t *k)
{
	k[0] = EXP_BY_ENTRY;
	be32_put(k + 1, dsid);
	memcpy(k + 5, ekey, eklen);
	return 5 + eklen;
}

static size_t expiry_by_time(int64_t when, uint32_t dsid,
			     const uint8_t *ekey, size_t eklen, uint8_t *k)
{
	k[0] = EXP_BY_TIME;
	be64_put(k + 1, (uint64_t)when);
	be32_put(k + 9, dsid);
	memcpy(k + 13, ekey, eklen);
	return 13 + eklen;
}

int store_expiry_set(MDB_txn *txn, const struct store *st, uint32_t dsid,
		     const uint8_t *ekey, size_t eklen, int64_t when,
		     int *changed)
{
	MDB_dbi dbi = st->dbi[SDB_EXPIRY];
	uint8_t ek[5 + EKEY_MAX], tk[13 + EKEY_MAX], tb[8];
	MDB_val k = { expiry_by_entry(dsid, ekey, eklen, ek), ek }, d;
	int64_t old = 0;
	int rc = mdb_get(txn, dbi, &k, &d);

	if (rc == 0 && d.mv_size == 8)
		old = (int64_t)be64_get(d.mv_data);
	else if (rc != MDB_NOTFOUND)
		return rc ? rc : STORE_EINVAL;
	if (old == when)
		return 0;
	*changed = 1;
	if (old) {
		MDB_val t = { expiry_by_time(old, dsid, ekey, eklen, tk), tk };

		rc = mdb_del(txn, dbi, &k, NULL);
		if (rc == 0)
			rc = mdb_del(txn, dbi, &t, NULL);
		if (rc && rc != MDB_NOTFOUND)
			return rc;
	}
	if (!when)
		return 0;
	be64_put(tb, (uint64_t)when);
	d.mv_size = 8;
	d.mv_data = tb;
	rc = mdb_put(txn, dbi, &k, &d, 0);
	if (rc == 0) {
		MDB_val t = { expiry_by_time(when, dsid, ekey, eklen, tk), tk };
		MDB_val none = { 0, tb };

		rc = mdb_put(txn, dbi, &t, &none, 0);
	}
	return rc;
}

/* ---- reading ------------------------------------------------------------- */

int store_expiry_get_txn(MDB_txn *txn, const struct store *st, uint32_t dsid,
			 const uint8_t *ekey, size_t eklen, int64_t *when)
{
	uint8_t ek[5 + EKEY_MAX];
	MDB_val k = { expiry_by_entry(dsid, ekey, eklen, ek), ek }, d;
	int rc;

	*when = 0;
	if (!st->dbi[SDB_EXPIRY])
		return 0;
	rc = mdb_get(txn, st->dbi[SDB_EXPIRY], &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc || d.mv_size != 8)
		return rc ? rc : STORE_EINVAL;
	*when = (int64_t)be64_get(d.mv_data);
	return 0;
}

static int expiry_get(struct store_reader *rd, uint32_t dsid,
		      const uint8_t *ekey, size_t eklen, int64_t *when)
{
	int rc;

	if (!rd->active)
		return STORE_EINVAL;
	rc = store_expiry_get_txn(rd->txn, rd->st, dsid, ekey, eklen, when);
	return rc ? store_rc(rc) : *when != 0;
}

int store_expiry_ip(struct store_reader *rd, uint32_t dsid, int family,
		    const uint8_t addr[16], unsigned plen, int64_t *when)
{
	uint8_t ek[EKEY_MAX];

	return expiry_get(rd, dsid, ek, store_ekey_ip(family, addr, plen, ek),
			  when);
}

int store_expiry_dn(struct store_reader *rd, uint32_t dsid,
		    const uint8_t *name, int wild, int64_t *when)
{
	uint8_t ek[EKEY_MAX];

	if (wname_len(name) > 255)
		return STORE_EINVAL;
	return expiry_get(rd, dsid, ek, store_ekey_dn(name, wild, ek), when);
}

int store_expiry_pending(struct store_reader *rd, uint32_t dsid,
			 uint64_t *count, int64_t *first)
{
	uint8_t pk[5];
	MDB_val k = { 5, pk }, d;
	MDB_cursor *c;
	int rc;

	*count = 0;
	*first = 0;
	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_EXPIRY])
		return 0;
	pk[0] = EXP_BY_ENTRY;
	be32_put(pk + 1, dsid);
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_EXPIRY], &c);
	if (rc)
		return store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		int64_t t;

		if (k.mv_size < 5 || memcmp(k.mv_data, pk, 5) != 0)
			break;
		if (d.mv_size != 8)
			continue;
		t = (int64_t)be64_get(d.mv_data);
		if (!*first || t < *first)
			*first = t;
		(*count)++;
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}

/* Is anything due at `now`?  A read of the table's first key. */
static int expiry_due(struct store *st, int64_t now)
{
	struct store_reader *rd = NULL;
	uint8_t pk[1] = { EXP_BY_TIME };
	MDB_val k = { 1, pk }, d;
	MDB_cursor *c;
	int rc, due = 0;

	if (!st->dbi[SDB_EXPIRY] || store_reader_new(st, &rd) != STORE_OK)
		return 1;   /* let the write transaction say what is wrong */
	rc = mdb_cursor_open(rd->txn, st->dbi[SDB_EXPIRY], &c);
	if (rc == 0) {
		rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
		due = rc == 0 && k.mv_size >= 9 &&
		      ((const uint8_t *)k.mv_data)[0] == EXP_BY_TIME &&
		      (int64_t)be64_get((const uint8_t *)k.mv_data + 1) <= now;
		mdb_cursor_close(c);
	}
	store_reader_free(rd);
	return due;
}

/* ---- the sweep ----------------------------------------------------------- */

struct expiry_item {
	int64_t when;
	uint32_t dsid;
	size_t eklen;
	uint8_t ekey[EKEY_MAX];
};

struct expire_job {
	struct store *st;
	int64_t now;
	const char *user;
	uint64_t removed;
	char *err;
	size_t errlen;
};

static int expiry_item_cmp(const void *a, const void *b)
{
	const struct expiry_item *x = a, *y = b;

	if (x->dsid != y->dsid)
		return x->dsid < y->dsid ? -1 : 1;
	return x->when < y->when ? -1 : x->when > y->when;
}

/* Everything due, sorted by dataset (malloc'd). */
static int expiry_collect(MDB_txn *txn, const struct store *st, int64_t now,
			  struct expiry_item **out, size_t *n)
{
	uint8_t pk[1] = { EXP_BY_TIME };
	MDB_val k = { 1, pk }, d;
	struct expiry_item *v = NULL;
	size_t cap = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, st->dbi[SDB_EXPIRY], &c);

	*n = 0;
	for (rc = rc ? rc : mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		const uint8_t *p = k.mv_data;
		struct expiry_item *it;

		if (k.mv_size < 14 || p[0] != EXP_BY_TIME ||
		    (int64_t)be64_get(p + 1) > now)
			break;
		if (k.mv_size - 13 > EKEY_MAX)
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct expiry_item *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				rc = STORE_ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		it = &v[(*n)++];
		it->when = (int64_t)be64_get(p + 1);
		it->dsid = be32_get(p + 9);
		it->eklen = k.mv_size - 13;
		memcpy(it->ekey, p + 13, it->eklen);
	}
	if (c)
		mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		free(v);
		return rc;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), expiry_item_cmp);
	*out = v;
	return 0;
}

/* The dataset's name, or NULL (*rc 0) if it is gone (dropped). */
static char *expiry_dataset_name(MDB_txn *txn, const struct store *st,
				 uint32_t dsid, int *rc)
{
	struct store_dsmeta *m = NULL;
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	char *name = NULL;

	be32_put(kb, dsid);
	*rc = mdb_get(txn, st->dbi[SDB_META], &k, &d);
	if (*rc == MDB_NOTFOUND) {
		*rc = 0;
		return NULL;
	}
	if (*rc == 0)
		*rc = store_meta_decode(d.mv_data, d.mv_size, dsid, &m, NULL);
	if (*rc == 0) {
		name = m->name;
		m->name = NULL;
		store_dsmeta_free(m);
	}
	return name;
}

/* Removes one dataset's due entries `it[0..n)`, recording each. */
static int expire_dataset(MDB_txn *txn, struct expire_job *job,
			  const struct expiry_item *it, size_t n)
{
	struct store_ip_edit *ip = calloc(n, sizeof(*ip));
	struct store_dn_edit *dn = calloc(n, sizeof(*dn));
	struct store_change ch = { .ip = ip, .dn = dn, .type = DS_TYPE_COUNT,
				   .now = job->now };
	struct store_apply_stats stats = { 0 };
	struct store_status status;
	char *name = NULL, text[DNAME_MAX * 4 + 8];
	uint32_t dsid;
	int changed = 0, rc = 0;

	if (!ip || !dn)
		rc = STORE_ENOMEM;
	if (rc == 0)
		name = expiry_dataset_name(txn, job->st, it[0].dsid, &rc);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct store_ip_edit e4;
		struct store_dn_edit ed;

		if (!name) {   /* the dataset was dropped: forget its expiries */
			rc = store_expiry_set(txn, job->st, it[i].dsid,
					      it[i].ekey, it[i].eklen, 0,
					      &changed);
		} else if (expiry_key_edit(it[i].ekey, it[i].eklen, &e4, &ed) < 0) {
			rc = STORE_EINVAL;
		} else if (it[i].ekey[0] == EKEY_DN) {
			dn[ch.ndn++] = ed;
		} else {
			ip[ch.nip++] = e4;
		}
	}
	if (rc == 0 && name)
		rc = store_edit_apply(txn, job->st, name, &ch, &stats, &changed,
				      &dsid, job->err, job->errlen);
	for (size_t i = 0; rc == 0 && name && i < n; i++) {
		struct store_hist h = { .time = job->now, .op = STORE_HIST_EXPIRE,
					.dataset = name, .entry = text,
					.user = job->user };

		store_ekey_text(it[i].ekey, it[i].eklen, text, sizeof(text));
		rc = store_history_append(txn, job->st, &h);
	}
	if (rc == 0 && name) {
		memset(&status, 0, sizeof(status));
		status.time = job->now;
		status.kind = STORE_STATUS_EXPIRE;
		status.ok = 1;
		status.added = stats.added;
		status.removed = stats.removed;
		status.entries = stats.entries;
		snprintf(status.message, sizeof(status.message),
			 "%zu entr%s expired", n, n == 1 ? "y" : "ies");
		rc = store_status_write(txn, job->st, name, &status);
		job->removed += n;
	}
	free(name);
	free(ip);
	free(dn);
	return rc;
}

static int expire_txn(MDB_txn *txn, void *arg)
{
	struct expire_job *job = arg;
	struct expiry_item *v = NULL;
	size_t n = 0;
	int rc;

	job->removed = 0;
	rc = expiry_collect(txn, job->st, job->now, &v, &n);
	for (size_t i = 0, j; rc == 0 && i < n; i = j) {
		for (j = i; j < n && v[j].dsid == v[i].dsid; j++)
			;
		rc = expire_dataset(txn, job, v + i, j - i);
	}
	free(v);
	return rc;
}

int store_expire(struct store *st, int64_t now, const char *user,
		 uint64_t *removed, char *err, size_t errlen)
{
	struct expire_job job = { .st = st, .now = now, .user = user,
				  .err = err, .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (removed)
		*removed = 0;
	if (!st || (st->flags & STORE_READONLY)) {
		store_seterr(err, errlen, "store_expire: store opened read-only");
		return STORE_EINVAL;
	}
	if (!expiry_due(st, now))
		return STORE_OK;
	rc = store_write_txn(st, expire_txn, &job, err, errlen);
	if (rc) {
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "expiring entries: %s",
				     store_strerror(rc));
		return store_rc(rc);
	}
	if (removed)
		*removed = job.removed;
	return STORE_OK;
}
