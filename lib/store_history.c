/* store_history.c -- the record of hand edits: who changed what, and why.
 *
 * Every `dnsbl-ctl add` / `del` and every expiry appends one record in the
 * same transaction as the change itself, so the history never claims a
 * change that did not land, nor misses one that did.  Records are keyed
 * by a sequence number (commit order, which is time order) and name the
 * dataset by name, so they outlive a drop; store_layout.h has the format.
 */
#include "store_manual.h"
#include "store_blob.h"

#include <stdlib.h>
#include <string.h>

void store_rec_put_str(struct blob_writer *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 0xffff)
		n = 0xffff;
	blob_put_u16(b, (uint16_t)n);
	blob_put(b, s ? s : "", n);
}

const char *store_rec_str(struct blob_reader *r, size_t *len)
{
	*len = blob_u16(r);
	return r->bad ? NULL : (const char *)blob_take(r, *len);
}

int store_history_append(MDB_txn *txn, const struct store *st,
			 const struct store_hist *h)
{
	struct blob_writer b = { 0 };
	uint8_t kb[8];
	MDB_val k = { 8, kb }, d;
	MDB_cursor *c;
	uint64_t seq = 1;
	int rc = mdb_cursor_open(txn, st->dbi[SDB_HISTORY], &c);

	if (rc)
		return rc;
	rc = mdb_cursor_get(c, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		seq = be64_get(k.mv_data) + 1;
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	blob_put_u8(&b, HIST_VERSION);
	blob_put_u64(&b, (uint64_t)h->time);
	blob_put_u8(&b, (uint8_t)h->op);
	blob_put_u64(&b, (uint64_t)h->expires);
	store_rec_put_str(&b, h->dataset);
	store_rec_put_str(&b, h->entry);
	store_rec_put_str(&b, h->reason);
	store_rec_put_str(&b, h->user);
	if (b.oom) {
		free(b.p);
		return STORE_ENOMEM;
	}
	be64_put(kb, seq);
	k.mv_size = 8;
	k.mv_data = kb;
	d.mv_size = b.len;
	d.mv_data = b.p;
	rc = mdb_put(txn, st->dbi[SDB_HISTORY], &k, &d, MDB_APPEND);
	free(b.p);
	return rc;
}

/* The strings point into the map: copied to NUL-terminated buffers. */
struct hist_strs {
	char buf[4][65536 + 1];
};

static int hist_decode(const MDB_val *k, const MDB_val *d,
		       struct store_hist *h, struct hist_strs *s)
{
	struct blob_reader r = { d->mv_data, (const uint8_t *)d->mv_data +
						     d->mv_size, 0 };
	const char **field[4] = { &h->dataset, &h->entry, &h->reason, &h->user };

	if (k->mv_size != 8 || blob_u8(&r) != HIST_VERSION)
		return STORE_EINVAL;
	h->seq = be64_get(k->mv_data);
	h->time = (int64_t)blob_u64(&r);
	h->op = (enum store_hist_op)blob_u8(&r);
	h->expires = (int64_t)blob_u64(&r);
	for (int i = 0; i < 4; i++) {
		size_t n;
		const char *p = store_rec_str(&r, &n);

		if (!p)
			return STORE_EINVAL;
		memcpy(s->buf[i], p, n);
		s->buf[i][n] = '\0';
		*field[i] = s->buf[i];
	}
	return r.bad ? STORE_EINVAL : 0;
}

int store_iter_history(struct store_reader *rd, const char *dataset,
		       int (*fn)(const struct store_hist *h, void *arg),
		       void *arg)
{
	struct hist_strs *s;
	MDB_cursor *c;
	MDB_val k, d;
	int rc, ret = 0;

	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_HISTORY])
		return 0;   /* an older store: no history yet */
	s = malloc(sizeof(*s));
	if (!s)
		return STORE_ENOMEM;
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_HISTORY], &c);
	if (rc) {
		free(s);
		return store_rc(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0 && ret == 0;
	     rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		struct store_hist h;

		ret = hist_decode(&k, &d, &h, s);
		if (ret == 0 && (!dataset || strcmp(dataset, h.dataset) == 0))
			ret = fn(&h, arg);
	}
	mdb_cursor_close(c);
	free(s);
	if (ret)
		return ret;
	return rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}
