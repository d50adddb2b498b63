/* store_edit.c -- incremental edits of a dataset's entries.
 *
 * Admin listings, delistings and trap hits change a handful of prefixes in
 * a dataset of millions: rebuilding it would rewrite nothing but still read
 * it all.  An edit instead updates the one source record, then re-derives
 * only the window of the interval map the prefix covers: its deepest
 * ancestor (one point read per shorter length) answers the gaps, its
 * descendants (one range scan) the rest, store_derive() applies the
 * longest-prefix rule, and the intervals crossing the window's edges keep
 * their outside parts.  Adjacent equal intervals are merged as in a full
 * derivation, so a later full re-put of the same data finds nothing to
 * change.  A dnset entry is one key of the dn table.  Each edited entry's
 * expiry goes with it (store_expiry.c); the transaction, the dataset and
 * its metadata are store_change.c's.
 */
#include "store_manual.h"
#include "store_overlay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct edit_ctx {
	struct store *st;
	MDB_txn *txn;
	uint32_t dsid;
	enum ds_type type;
	struct store_apply_stats stats;
	int64_t entries_delta;
};

struct span {
	layout_u128 s, e;
	uint32_t ref;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static int spans_add(struct spans *l, layout_u128 s, layout_u128 e,
		     uint32_t ref)
{
	if (l->n && l->v[l->n - 1].ref == ref && l->v[l->n - 1].e + 1 == s) {
		l->v[l->n - 1].e = e;   /* adjacent and equal: merge */
		return 0;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct span *p = realloc(l->v, ncap * sizeof(*p));

		if (!p)
			return STORE_ENOMEM;
		l->v = p;
		l->cap = ncap;
	}
	l->v[l->n].s = s;
	l->v[l->n].e = e;
	l->v[l->n].ref = ref;
	l->n++;
	return 0;
}

static void span_pack(const struct span *sp, unsigned alen, uint8_t *rec)
{
	layout_addr_put(sp->e, rec, alen);
	layout_addr_put(sp->s, rec + alen, alen);
	be32_put(rec + 2 * alen, sp->ref);
}

/* Finds the source record at exactly (addr, plen); *ref gets its ref. */
static int edit_src_find(struct edit_ctx *ec, MDB_cursor *c, unsigned alen,
			 const uint8_t *addr, uint8_t plen, uint32_t *ref)
{
	uint8_t kb[4], probe[17];
	MDB_val k = { 4, kb }, d = { alen + 1, probe };
	int rc;

	be32_put(kb, ec->dsid);
	memcpy(probe, addr, alen);
	probe[alen] = plen;
	rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH_RANGE);
	if (rc)
		return rc;
	if (d.mv_size != alen + 5u || memcmp(d.mv_data, probe, alen + 1) != 0)
		return MDB_NOTFOUND;
	*ref = be32_get((const uint8_t *)d.mv_data + alen + 1);
	return 0;
}

/* The new intervals of window [s, e] from the source records. */
static int edit_derive_window(struct edit_ctx *ec, MDB_cursor *src, int family,
			      const uint8_t *addr, uint8_t plen,
			      layout_u128 s, layout_u128 e, struct spans *out)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	unsigned rsz = layout_src_size(family);
	uint8_t *list = NULL;   /* packed source records */
	size_t n = 0, cap = 16;
	uint8_t *recs = NULL, kb[4];
	size_t nrecs = 0;
	int rc = 0;

	list = malloc(cap * rsz);
	if (!list)
		return STORE_ENOMEM;
	/* The deepest enclosing prefix answers what no descendant covers.  A
	 * trap dataset's IPv4 entries are all /32s: none encloses another,
	 * so there is none to look for (its IPv6 prefix length may change
	 * with the config: looked for). */
	for (int pl = ec->type == DS_TRAP && family == 4 ? -1 : (int)plen - 1;
	     pl >= 0; pl--) {
		layout_u128 a = s & ~layout_prefix_end(0, (unsigned)pl, bits);
		uint8_t ab[16];
		uint32_t ref;

		layout_addr_put(a, ab, alen);
		rc = edit_src_find(ec, src, alen, ab, (uint8_t)pl, &ref);
		if (rc == 0) {
			memcpy(list, ab, alen);
			list[alen] = (uint8_t)pl;
			be32_put(list + alen + 1, ref);
			n = 1;
			break;
		}
		if (rc != MDB_NOTFOUND)
			goto out;
		rc = 0;
	}
	/* The prefix itself and everything inside it, in key order. */
	{
		uint8_t probe[17];
		MDB_val k = { 4, kb }, d = { alen + 1, probe };

		be32_put(kb, ec->dsid);
		memcpy(probe, addr, alen);
		probe[alen] = plen;
		for (rc = mdb_cursor_get(src, &k, &d, MDB_GET_BOTH_RANGE); rc == 0;
		     rc = mdb_cursor_get(src, &k, &d, MDB_NEXT_DUP)) {
			const uint8_t *r = d.mv_data;

			if (d.mv_size != alen + 5u) {
				rc = STORE_EINVAL;
				goto out;
			}
			if (layout_addr_get(r, alen) > e)
				break;
			if (n == cap) {
				uint8_t *p = realloc(list, 2 * cap * rsz);

				if (!p) {
					rc = STORE_ENOMEM;
					goto out;
				}
				list = p;
				cap *= 2;
			}
			memcpy(list + n * rsz, r, rsz);
			n++;
		}
		if (rc == MDB_NOTFOUND)
			rc = 0;
		if (rc)
			goto out;
	}
	rc = store_derive(list, n, family, &recs, &nrecs);
	for (size_t i = 0; rc == 0 && i < nrecs; i++) {
		const uint8_t *r = recs + i * (2 * alen + 4);
		layout_u128 ie = layout_addr_get(r, alen);
		layout_u128 is = layout_addr_get(r + alen, alen);

		if (ie < s || is > e)
			continue;
		rc = spans_add(out, is < s ? s : is, ie > e ? e : ie,
			       be32_get(r + 2 * alen));
	}
out:
	free(list);
	free(recs);
	return rc;
}

/* Replaces the interval map over [s, e] (and merges at its edges). */
static int edit_rederive(struct edit_ctx *ec, int family, const uint8_t *addr,
			 uint8_t plen)
{
	unsigned alen = family == 4 ? 4 : 16, bits = alen * 8;
	unsigned isz = layout_ip_size(family);
	layout_u128 max = layout_prefix_end(0, 0, bits);
	layout_u128 s = layout_addr_get(addr, alen);
	layout_u128 e = layout_prefix_end(s, plen, bits);
	MDB_dbi ipdb = ec->st->dbi[family == 4 ? SDB_IP4 : SDB_IP6];
	MDB_cursor *src = NULL, *ip = NULL;
	struct spans inside = { 0 }, win = { 0 };
	uint8_t *old = NULL, kb[4], probe[16];
	size_t nold = 0, oldcap = 0;
	int rc;

	rc = mdb_cursor_open(ec->txn, ec->st->dbi[family == 4 ? SDB_SRC4 : SDB_SRC6],
			     &src);
	if (rc == 0)
		rc = edit_derive_window(ec, src, family, addr, plen, s, e, &inside);
	if (rc == 0)
		rc = mdb_cursor_open(ec->txn, ipdb, &ip);
	if (rc)
		goto out;
	/* The stored intervals overlapping or touching [s, e]. */
	be32_put(kb, ec->dsid);
	layout_addr_put(s ? s - 1 : s, probe, alen);
	{
		MDB_val k = { 4, kb }, d = { alen, probe };

		for (rc = mdb_cursor_get(ip, &k, &d, MDB_GET_BOTH_RANGE); rc == 0;
		     rc = mdb_cursor_get(ip, &k, &d, MDB_NEXT_DUP)) {
			layout_u128 is;

			if (d.mv_size != isz) {
				rc = STORE_EINVAL;
				goto out;
			}
			is = layout_addr_get((const uint8_t *)d.mv_data + alen, alen);
			if (e != max && is > e + 1)
				break;
			if (nold == oldcap) {
				size_t ncap = oldcap ? oldcap * 2 : 8;
				uint8_t *p = realloc(old, ncap * isz);

				if (!p) {
					rc = STORE_ENOMEM;
					goto out;
				}
				old = p;
				oldcap = ncap;
			}
			memcpy(old + nold * isz, d.mv_data, isz);
			nold++;
		}
		if (rc == MDB_NOTFOUND)
			rc = 0;
		if (rc)
			goto out;
	}
	/* New window: outside parts of the old ones, then the inside. */
	for (size_t i = 0; rc == 0 && i < nold; i++) {
		const uint8_t *r = old + i * isz;
		layout_u128 ie = layout_addr_get(r, alen), is = layout_addr_get(r + alen, alen);

		if (is < s)
			rc = spans_add(&win, is, ie < s - 1 ? ie : s - 1,
				       be32_get(r + 2 * alen));
	}
	for (size_t i = 0; rc == 0 && i < inside.n; i++)
		rc = spans_add(&win, inside.v[i].s, inside.v[i].e, inside.v[i].ref);
	for (size_t i = 0; rc == 0 && i < nold; i++) {
		const uint8_t *r = old + i * isz;
		layout_u128 ie = layout_addr_get(r, alen), is = layout_addr_get(r + alen, alen);

		if (ie > e)
			rc = spans_add(&win, is > e + 1 ? is : e + 1, ie,
				       be32_get(r + 2 * alen));
	}
	if (rc)
		goto out;
	/* Write the difference: both lists are sorted by end. */
	{
		size_t i = 0, j = 0;
		uint8_t rec[IP6_REC];

		while (rc == 0 && (i < nold || j < win.n)) {
			int cmp;

			if (j < win.n)
				span_pack(&win.v[j], alen, rec);
			cmp = i >= nold ? 1 : j >= win.n ? -1 :
				memcmp(old + i * isz, rec, isz);
			if (cmp == 0) {
				ec->stats.unchanged++;
				i++;
				j++;
			} else if (cmp < 0) {
				MDB_val k = { 4, kb }, d = { isz, old + i * isz };

				rc = mdb_del(ec->txn, ipdb, &k, &d);
				ec->stats.removed++;
				i++;
			} else {
				MDB_val k = { 4, kb }, d = { isz, rec };

				rc = mdb_put(ec->txn, ipdb, &k, &d, MDB_NODUPDATA);
				ec->stats.added++;
				j++;
			}
		}
	}
out:
	if (src)
		mdb_cursor_close(src);
	if (ip)
		mdb_cursor_close(ip);
	free(inside.v);
	free(win.v);
	free(old);
	return rc;
}

/* An edit's value fits a value record: a TXT of 255 bytes at most. */
static int edit_value_check(uint8_t op, const struct ds_value *v, size_t i,
			    char *err, size_t errlen)
{
	if (op == STORE_EDIT_SET && v->txt && v->txtlen > 255) {
		store_seterr(err, errlen, "edit %zu: TXT over 255 bytes", i);
		return STORE_EINVAL;
	}
	return 0;
}

/* The ref an edited entry gets: its value interned, or an exclusion. */
static int edit_ref(struct edit_ctx *ec, uint8_t op, const struct ds_value *v,
		    uint32_t *ref)
{
	uint8_t vrec[VALREC_MAX];

	*ref = REF_EXCLUDED;
	if (op != STORE_EDIT_SET)
		return 0;
	return store_value_intern(ec->txn, ec->st, vrec,
				  store_value_encode(v, vrec), ref);
}

static int edit_check(const struct store_ip_edit *ed, enum ds_type type,
		      size_t i, char *err, size_t errlen)
{
	unsigned bits = ed->family == 4 ? 32 : 128;
	int fam_ok = ed->family == 4 ?
		(type == DS_IP4SET || type == DS_IP4TSET || type == DS_IP4TRIE ||
		 type == DS_ACL || type == DS_TRAP) :
		ed->family == 6 &&
		(type == DS_IP6TRIE || type == DS_IP6TSET || type == DS_ACL ||
		 type == DS_TRAP);

	if (!fam_ok) {
		store_seterr(err, errlen, "edit %zu: family %u not allowed in %s",
			     i, ed->family, ds_type_name(type) ? ds_type_name(type) : "?");
		return STORE_EINVAL;
	}
	if (ed->plen > bits || ed->op > STORE_EDIT_REMOVE) {
		store_seterr(err, errlen, "edit %zu: bad prefix length or op", i);
		return STORE_EINVAL;
	}
	for (unsigned b = ed->plen; b < bits; b++) {
		if (ed->addr[b / 8] & (0x80 >> (b % 8))) {
			store_seterr(err, errlen, "edit %zu: host bits set beyond /%u",
				     i, ed->plen);
			return STORE_EINVAL;
		}
	}
	return edit_value_check(ed->op, &ed->value, i, err, errlen);
}

/* Applies one edit: the source record, then the window it covers. */
static int edit_one(struct edit_ctx *ec, const struct store_ip_edit *ed)
{
	unsigned alen = ed->family == 4 ? 4 : 16;
	MDB_dbi srcdb = ec->st->dbi[ed->family == 4 ? SDB_SRC4 : SDB_SRC6];
	uint8_t kb[4], rec[SRC6_REC];
	uint32_t ref, oldref = 0;
	MDB_cursor *c;
	int have, rc;

	rc = edit_ref(ec, ed->op, &ed->value, &ref);
	if (rc)
		return rc;
	rc = mdb_cursor_open(ec->txn, srcdb, &c);
	if (rc)
		return rc;
	rc = edit_src_find(ec, c, alen, ed->addr, ed->plen, &oldref);
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	have = rc == 0;
	if (ed->op == STORE_EDIT_REMOVE ? !have : have && oldref == ref)
		return 0;   /* already so: nothing to write */
	be32_put(kb, ec->dsid);
	memcpy(rec, ed->addr, alen);
	rec[alen] = ed->plen;
	if (have) {
		MDB_val k = { 4, kb }, d = { alen + 5u, rec };

		be32_put(rec + alen + 1, oldref);
		rc = mdb_del(ec->txn, srcdb, &k, &d);
		if (rc)
			return rc;
		ec->stats.removed++;
		ec->entries_delta--;
	}
	if (ed->op != STORE_EDIT_REMOVE) {
		MDB_val k = { 4, kb }, d = { alen + 5u, rec };

		be32_put(rec + alen + 1, ref);
		rc = mdb_put(ec->txn, srcdb, &k, &d, MDB_NODUPDATA);
		if (rc)
			return rc;
		ec->stats.added++;
		ec->entries_delta++;
	}
	return edit_rederive(ec, ed->family, ed->addr, ed->plen);
}

/* ---- dnset entries ------------------------------------------------------- */

static int edit_dn_check(const struct store_dn_edit *ed, enum ds_type type,
			 size_t i, char *err, size_t errlen)
{
	if (type != DS_DNSET) {
		store_seterr(err, errlen, "edit %zu: a domain entry is not "
			     "allowed in %s", i,
			     ds_type_name(type) ? ds_type_name(type) : "?");
		return STORE_EINVAL;
	}
	if (ed->op > STORE_EDIT_REMOVE || ed->name[0] == 0 ||
	    wname_len(ed->name) > 255) {
		store_seterr(err, errlen, "edit %zu: bad name or op", i);
		return STORE_EINVAL;
	}
	return edit_value_check(ed->op, &ed->value, i, err, errlen);
}

/* Applies one dnset edit: the one dn-table key of the name (or of its
 * wildcard), as store_write.c's put_names would have written it. */
static int edit_dn_one(struct edit_ctx *ec, const struct store_dn_edit *ed)
{
	MDB_dbi dbi = ec->st->dbi[SDB_DN];
	uint8_t key[DNKEY_MAX], rb[4];
	uint32_t ref, oldref = 0;
	int klen = store_dnkey(ec->dsid, ed->name, key, NULL, NULL, NULL);
	MDB_val k, d;
	int have, rc;

	if (klen < 0)
		return STORE_EINVAL;
	if (ed->wild) {
		key[klen++] = 1;
		key[klen++] = '*';
	}
	key[klen++] = 0;
	key[klen++] = ed->wild ? DNK_WILD : DNK_EXACT;
	rc = edit_ref(ec, ed->op, &ed->value, &ref);
	if (rc)
		return rc;
	k.mv_size = (size_t)klen;
	k.mv_data = key;
	rc = mdb_get(ec->txn, dbi, &k, &d);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	have = rc == 0;
	if (have) {
		if (d.mv_size != 4)
			return STORE_EINVAL;
		oldref = be32_get(d.mv_data);
	}
	if (ed->op == STORE_EDIT_REMOVE ? !have : have && oldref == ref)
		return 0;   /* already so: nothing to write */
	if (ed->op == STORE_EDIT_REMOVE) {
		ec->stats.removed++;
		ec->entries_delta--;
		return mdb_del(ec->txn, dbi, &k, NULL);
	}
	if (have)
		ec->stats.removed++;
	else
		ec->entries_delta++;
	ec->stats.added++;
	be32_put(rb, ref);
	d.mv_size = 4;
	d.mv_data = rb;
	return mdb_put(ec->txn, dbi, &k, &d, 0);
}

/* An edited entry's expiry: the change's for what it sets, none for what
 * it removes. */
static int edit_expiry(struct edit_ctx *ec, int64_t expires, int op,
		       const uint8_t *ekey, size_t eklen, int *changed)
{
	int64_t when = op == STORE_EDIT_REMOVE ? 0 : expires;

	if (!ec->st->dbi[SDB_EXPIRY])
		return 0;
	return store_expiry_set(ec->txn, ec->st, ec->dsid, ekey, eklen,
				when > 0 ? when : 0, changed);
}

int store_edit_entries(MDB_txn *txn, struct store *st, uint32_t dsid,
		       enum ds_type type, const struct store_change *ch,
		       struct store_apply_stats *stats, int64_t *entries_delta,
		       int *expiry_moved, char *err, size_t errlen)
{
	struct edit_ctx ec = { .st = st, .txn = txn, .dsid = dsid,
			       .type = type };
	uint8_t ekey[EKEY_MAX];
	/* Edits change the base records in place: the overlay goes first. */
	int rc = ch->nip ? store_overlay_fold(txn, st, dsid) : 0;

	for (size_t i = 0; rc == 0 && i < ch->nip; i++) {
		const struct store_ip_edit *ed = &ch->ip[i];

		rc = edit_check(ed, type, i, err, errlen);
		if (rc == 0)
			rc = edit_one(&ec, ed);
		if (rc == 0)
			rc = edit_expiry(&ec, ch->ip_expires ?
					 ch->ip_expires[i] : ch->expires, ed->op, ekey,
					 store_ekey_ip(ed->family, ed->addr,
						       ed->plen, ekey),
					 expiry_moved);
	}
	for (size_t i = 0; rc == 0 && i < ch->ndn; i++) {
		const struct store_dn_edit *ed = &ch->dn[i];

		rc = edit_dn_check(ed, type, i, err, errlen);
		if (rc == 0)
			rc = edit_dn_one(&ec, ed);
		if (rc == 0)
			rc = edit_expiry(&ec, ch->expires, ed->op, ekey,
					 store_ekey_dn(ed->name, ed->wild, ekey),
					 expiry_moved);
	}
	stats->added += ec.stats.added;
	stats->removed += ec.stats.removed;
	*entries_delta += ec.entries_delta;
	return rc;
}
