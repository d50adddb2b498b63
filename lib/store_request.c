/* store_request.c -- removal requests kept in the store (store_request.h).
 *
 * Keyed by a sequence number, as the history is, so a walk from the end
 * finds the recent ones (the limits per day) without reading the rest.
 */
#include "store_request.h"
#include "store_blob.h"
#include "store_manual.h"

#include <stdlib.h>
#include <string.h>

#define REQ_FIELDS 5

struct req_job {
	const struct store *st;
	const struct store_request *r;
	uint64_t id;
};

static int req_txn(MDB_txn *txn, void *arg)
{
	struct req_job *job = arg;
	const struct store_request *r = job->r;
	struct blob_writer b = { 0 };
	uint8_t kb[8];
	MDB_val k = { 8, kb }, d;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, job->st->dbi[SDB_REQUEST], &c);

	if (rc)
		return rc;
	job->id = 1;
	rc = mdb_cursor_get(c, &k, &d, MDB_LAST);
	if (rc == 0 && k.mv_size == 8)
		job->id = be64_get(k.mv_data) + 1;
	mdb_cursor_close(c);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	blob_put_u8(&b, REQ_VERSION);
	blob_put_u64(&b, (uint64_t)r->time);
	store_rec_put_str(&b, r->item);
	store_rec_put_str(&b, r->client);
	store_rec_put_str(&b, r->contact);
	store_rec_put_str(&b, r->message);
	store_rec_put_str(&b, r->outcome);
	if (b.oom) {
		free(b.p);
		return STORE_ENOMEM;
	}
	be64_put(kb, job->id);
	k.mv_size = 8;
	k.mv_data = kb;
	d.mv_size = b.len;
	d.mv_data = b.p;
	rc = mdb_put(txn, job->st->dbi[SDB_REQUEST], &k, &d, MDB_APPEND);
	free(b.p);
	return rc;
}

int store_request_add(struct store *st, const struct store_request *r,
		      uint64_t *id, char *err, size_t errlen)
{
	struct req_job job = { st, r, 0 };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!st || (st->flags & STORE_READONLY) || !st->dbi[SDB_REQUEST]) {
		store_seterr(err, errlen, "store_request_add: store opened "
			     "read-only");
		return STORE_EINVAL;
	}
	rc = store_write_txn(st, req_txn, &job, err, errlen);
	if (rc && (!err || !errlen || !err[0]))
		store_seterr(err, errlen, "removal request: %s",
			     store_strerror(rc));
	if (rc == 0 && id)
		*id = job.id;
	return store_rc(rc);
}

/* The strings point into the map: copied to NUL-terminated buffers. */
struct req_strs {
	char buf[REQ_FIELDS][65536 + 1];
};

static int req_decode(const MDB_val *k, const MDB_val *d,
		      struct store_request *r, struct req_strs *s)
{
	struct blob_reader br = { d->mv_data, (const uint8_t *)d->mv_data +
						      d->mv_size, 0 };
	const char **field[REQ_FIELDS] = { &r->item, &r->client, &r->contact,
					   &r->message, &r->outcome };

	if (k->mv_size != 8 || blob_u8(&br) != REQ_VERSION)
		return STORE_EINVAL;
	r->id = be64_get(k->mv_data);
	r->time = (int64_t)blob_u64(&br);
	for (int i = 0; i < REQ_FIELDS; i++) {
		size_t n;
		const char *p = store_rec_str(&br, &n);

		if (!p)
			return STORE_EINVAL;
		memcpy(s->buf[i], p, n);
		s->buf[i][n] = '\0';
		*field[i] = s->buf[i];
	}
	return br.bad ? STORE_EINVAL : 0;
}

int store_iter_requests(struct store_reader *rd, int newest_first,
			int (*fn)(const struct store_request *r, void *arg),
			void *arg)
{
	MDB_cursor_op first = newest_first ? MDB_LAST : MDB_FIRST;
	MDB_cursor_op next = newest_first ? MDB_PREV : MDB_NEXT;
	struct req_strs *s;
	MDB_cursor *c;
	MDB_val k, d;
	int rc, ret = 0;

	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_REQUEST])
		return 0;   /* an older store: no requests yet */
	s = malloc(sizeof(*s));
	if (!s)
		return STORE_ENOMEM;
	rc = mdb_cursor_open(rd->txn, rd->st->dbi[SDB_REQUEST], &c);
	if (rc) {
		free(s);
		return store_rc(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &d, first); rc == 0 && ret == 0;
	     rc = mdb_cursor_get(c, &k, &d, next)) {
		struct store_request r;

		ret = req_decode(&k, &d, &r, s);
		if (ret == 0)
			ret = fn(&r, arg);
	}
	mdb_cursor_close(c);
	free(s);
	if (ret)
		return ret;
	return rc == MDB_NOTFOUND ? 0 : store_rc(rc);
}

struct req_count {
	int64_t since;
	const char *item, *client;
	unsigned *for_item, *from_client;
};

static int req_count_cb(const struct store_request *r, void *arg)
{
	struct req_count *rc = arg;

	if (r->time < rc->since)
		return 1;   /* older ones follow: done */
	*rc->for_item += strcmp(r->item, rc->item) == 0;
	*rc->from_client += strcmp(r->client, rc->client) == 0;
	return 0;
}

int store_request_count(struct store_reader *rd, int64_t since,
			const char *item, const char *client,
			unsigned *for_item, unsigned *from_client)
{
	struct req_count rc = { since, item, client, for_item, from_client };
	int ret;

	*for_item = *from_client = 0;
	ret = store_iter_requests(rd, 1, req_count_cb, &rc);
	return ret < 0 ? ret : 0;
}
