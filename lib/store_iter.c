/* store_iter.c -- walk a dataset's stored entries in key order.
 *
 * Why: a dump (rbldnsd -d) or an export must list what is stored, not
 * answer queries.  The walks read the same tables the lookups use (see
 * store_layout.h): src4/src6 for the operator's prefixes, ip4/ip6 for the
 * derived answer map, dn for dnset and generic names.  A ref is resolved to
 * value ids here with a small equivalent of store_read.c's static helper.
 */
#include "store_overlay.h"

#include <string.h>

/* Resolves `ref` (one value id or a set of them) into ids/n. */
static int iter_resolve(struct store_reader *rd, uint32_t ref,
			uint32_t *ids, size_t *n)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	const uint8_t *p;
	int rc;

	*n = 0;
	if (ref == REF_EXCLUDED)
		return 0;
	if (!(ref & REF_SET)) {
		ids[0] = ref;
		*n = 1;
		return 0;
	}
	be32_put(kb, ref);
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_VALUES], &k, &d);
	if (rc)
		return rc == MDB_NOTFOUND ? STORE_EINVAL : store_rc(rc);
	p = d.mv_data;
	if (d.mv_size < 1 || p[0] != VALREC_SET || (d.mv_size - 1) % 4)
		return STORE_EINVAL;
	for (size_t off = 1; off < d.mv_size && *n < STORE_MAX_MATCH; off += 4)
		ids[(*n)++] = be32_get(p + off);
	return 0;
}

/* Visits every record of dataset `dsid` in address table `db` (its
 * base merged with its overlay, in order) with `rec(record, size, arg)`. */
static int iter_dups(struct store_reader *rd, enum store_db db, uint32_t dsid,
		     size_t rsz,
		     int (*rec)(struct store_reader *rd, const uint8_t *r,
				size_t len, void *arg),
		     void *arg)
{
	struct store_ovl_iter it;
	const uint8_t *r;
	int rc, ret = 0;

	if (!rd->active)
		return STORE_EINVAL;
	rc = store_ovl_iter_open(rd->txn, rd->st->dbi[db], dsid, rsz, &it);
	if (rc)
		return store_rc(rc);
	while (ret == 0 && (rc = store_ovl_iter_next(&it, &r)) == 0 && r)
		ret = rec(rd, r, rsz, arg);
	store_ovl_iter_close(&it);
	return ret ? ret : store_rc(rc);
}

struct iter_ip_ctx {
	int family;
	int (*fn)(const struct store_ip_item *it, void *arg);
	void *arg;
};

static int iter_ip_rec(struct store_reader *rd, const uint8_t *r, size_t len,
		       void *arg)
{
	struct iter_ip_ctx *cx = arg;
	unsigned alen = cx->family == 4 ? 4 : 16;
	struct store_ip_item it;
	uint32_t ref;
	int rc;

	if (len != layout_src_size(cx->family))
		return STORE_EINVAL;
	memset(&it, 0, sizeof(it));
	it.family = (uint8_t)cx->family;
	memcpy(it.addr, r, alen);
	it.plen = r[alen];
	ref = be32_get(r + alen + 1);
	it.excluded = ref == REF_EXCLUDED;
	rc = iter_resolve(rd, ref, it.values, &it.nvalues);
	return rc ? rc : cx->fn(&it, cx->arg);
}

int store_iter_ip(struct store_reader *rd, uint32_t dsid,
		  int (*fn)(const struct store_ip_item *it, void *arg),
		  void *arg)
{
	struct iter_ip_ctx cx = { 4, fn, arg };
	int rc = iter_dups(rd, SDB_SRC4, dsid, SRC4_REC, iter_ip_rec, &cx);

	if (rc)
		return rc;
	cx.family = 6;
	return iter_dups(rd, SDB_SRC6, dsid, SRC6_REC, iter_ip_rec, &cx);
}

struct iter_range_ctx {
	int family;
	int (*fn)(const struct store_range_item *it, void *arg);
	void *arg;
};

static int iter_range_rec(struct store_reader *rd, const uint8_t *r,
			  size_t len, void *arg)
{
	struct iter_range_ctx *cx = arg;
	unsigned alen = cx->family == 4 ? 4 : 16;
	struct store_range_item it;
	int rc;

	if (len != layout_ip_size(cx->family))
		return STORE_EINVAL;
	memset(&it, 0, sizeof(it));
	it.family = (uint8_t)cx->family;
	memcpy(it.end, r, alen);        /* records are {end, start, ref} */
	memcpy(it.start, r + alen, alen);
	rc = iter_resolve(rd, be32_get(r + 2 * alen), it.values, &it.nvalues);
	if (rc)
		return rc;
	return it.nvalues ? cx->fn(&it, cx->arg) : 0;
}

int store_iter_ranges(struct store_reader *rd, uint32_t dsid,
		      int (*fn)(const struct store_range_item *it, void *arg),
		      void *arg)
{
	struct iter_range_ctx cx = { 4, fn, arg };
	int rc = iter_dups(rd, SDB_IP4, dsid, IP4_REC, iter_range_rec, &cx);

	if (rc)
		return rc;
	cx.family = 6;
	return iter_dups(rd, SDB_IP6, dsid, IP6_REC, iter_range_rec, &cx);
}

/* Decodes a dn-table key after the dsid: reversed labels, 0, tag.  Writes
 * the forward wire name to `name` (without a final "*" label, which sets
 * *wild).  Returns the tag, or -1 if the key is malformed. */
static int iter_dn_key(const uint8_t *k, size_t klen, uint8_t *name,
		       int *wild)
{
	size_t off[DN_MAX_LABELS], n = 0, pos = 4, out = 0;

	while (pos < klen && k[pos]) {
		if (k[pos] > 63 || n >= DN_MAX_LABELS ||
		    pos + 1 + k[pos] > klen)
			return -1;
		off[n++] = pos;
		pos += (size_t)k[pos] + 1;
	}
	if (pos + 2 != klen)
		return -1;
	*wild = k[pos + 1] == DNK_WILD;
	if (*wild) {
		if (n == 0 || k[off[n - 1]] != 1 || k[off[n - 1] + 1] != '*')
			return -1;
		n--;
	}
	while (n-- > 0) {
		memcpy(name + out, k + off[n], (size_t)k[off[n]] + 1);
		out += (size_t)k[off[n]] + 1;
	}
	name[out] = 0;
	return k[pos + 1];
}

/* Visits every dn-table key of `dsid` with `rec(tag, name, wild, data)`. */
static int iter_dn_keys(struct store_reader *rd, uint32_t dsid,
			int (*rec)(struct store_reader *rd, int tag,
				   const uint8_t *name, int wild,
				   const MDB_val *d, void *arg),
			void *arg)
{
	uint8_t kb[4], name[DNKEY_MAX];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	int rc, ret = 0;

	if (!rd->active)
		return STORE_EINVAL;
	be32_put(kb, dsid);
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_DN], &c);
	if (rc)
		return store_rc(rc);
	for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && ret == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		int wild, tag;

		if (k.mv_size < 4 || memcmp(k.mv_data, kb, 4) != 0)
			break;
		tag = iter_dn_key(k.mv_data, k.mv_size, name, &wild);
		ret = tag < 0 ? STORE_EINVAL : rec(rd, tag, name, wild, &d, arg);
	}
	mdb_cursor_close(c);
	if (ret)
		return ret;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}

struct iter_dn_ctx {
	int (*fn)(const struct store_dn_item *it, void *arg);
	int (*gfn)(const struct store_generic_item *it, void *arg);
	void *arg;
};

static int iter_dn_rec(struct store_reader *rd, int tag, const uint8_t *name,
		       int wild, const MDB_val *d, void *arg)
{
	struct iter_dn_ctx *cx = arg;
	struct store_dn_item it;
	uint32_t ref;
	int rc;

	if (tag != DNK_EXACT && tag != DNK_WILD)
		return 0;
	if (d->mv_size != 4)
		return STORE_EINVAL;
	memset(&it, 0, sizeof(it));
	it.name = name;
	it.wild = (uint8_t)wild;
	ref = be32_get(d->mv_data);
	it.excluded = ref == REF_EXCLUDED;
	rc = iter_resolve(rd, ref, it.values, &it.nvalues);
	return rc ? rc : cx->fn(&it, cx->arg);
}

int store_iter_dn(struct store_reader *rd, uint32_t dsid,
		  int (*fn)(const struct store_dn_item *it, void *arg),
		  void *arg)
{
	struct iter_dn_ctx cx = { fn, NULL, arg };

	return iter_dn_keys(rd, dsid, iter_dn_rec, &cx);
}

static int iter_generic_rec(struct store_reader *rd, int tag,
			    const uint8_t *name, int wild, const MDB_val *d,
			    void *arg)
{
	struct iter_dn_ctx *cx = arg;
	struct store_generic_item it;

	(void)rd;
	(void)wild;
	if (tag != DNK_RRS)
		return 0;
	it.name = name;
	it.rrs.pos = d->mv_data;
	it.rrs.end = it.rrs.pos + d->mv_size;
	return cx->gfn(&it, cx->arg);
}

int store_iter_generic(struct store_reader *rd, uint32_t dsid,
		       int (*fn)(const struct store_generic_item *it, void *arg),
		       void *arg)
{
	struct iter_dn_ctx cx = { NULL, fn, arg };

	return iter_dn_keys(rd, dsid, iter_generic_rec, &cx);
}
