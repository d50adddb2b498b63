/* store_status.c -- each dataset's last change and how it went.
 *
 * The metadata says when a dataset was last written; it cannot say that
 * the loader's latest attempt failed (a failed load writes nothing, by
 * design), nor what a hand edit did.  This record can: the last hand edit
 * or expiry of a dataset (written in that change's own transaction), or
 * the loader's last failed load (deleted by the next good one).  `dnsbl-ctl
 * stats` shows it.  Keyed by dataset name; store_layout.h has the format.
 */
#include "store_manual.h"
#include "store_blob.h"

#include <stdlib.h>
#include <string.h>

static int status_encode(const struct store_status *s, struct blob_writer *b)
{
	blob_put_u8(b, STATUS_VERSION);
	blob_put_u64(b, (uint64_t)s->time);
	blob_put_u8(b, (uint8_t)s->kind);
	blob_put_u8(b, s->ok ? 1 : 0);
	blob_put_u64(b, s->added);
	blob_put_u64(b, s->removed);
	blob_put_u64(b, s->entries);
	store_rec_put_str(b, s->message);
	return b->oom ? STORE_ENOMEM : 0;
}

static int status_decode(const MDB_val *d, struct store_status *s)
{
	struct blob_reader r = { d->mv_data, (const uint8_t *)d->mv_data +
						     d->mv_size, 0 };
	const char *msg;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (blob_u8(&r) != STATUS_VERSION)
		return STORE_EINVAL;
	s->time = (int64_t)blob_u64(&r);
	s->kind = (enum store_status_kind)blob_u8(&r);
	s->ok = blob_u8(&r);
	s->added = blob_u64(&r);
	s->removed = blob_u64(&r);
	s->entries = blob_u64(&r);
	msg = store_rec_str(&r, &n);
	if (!msg || r.bad)
		return STORE_EINVAL;
	if (n >= sizeof(s->message))
		n = sizeof(s->message) - 1;
	memcpy(s->message, msg, n);
	s->message[n] = '\0';
	return 0;
}

int store_status_write(MDB_txn *txn, const struct store *st,
		       const char *name, const struct store_status *s)
{
	struct blob_writer b = { 0 };
	MDB_val k = { strlen(name), (void *)name }, d;
	int rc;

	if (!s) {
		rc = mdb_del(txn, st->dbi[SDB_STATUS], &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	rc = status_encode(s, &b);
	if (rc == 0) {
		d.mv_size = b.len;
		d.mv_data = b.p;
		rc = mdb_put(txn, st->dbi[SDB_STATUS], &k, &d, 0);
	}
	free(b.p);
	return rc;
}

int store_status_get(struct store_reader *rd, const char *name,
		     struct store_status *out)
{
	MDB_val k = { strlen(name), (void *)name }, d;
	int rc;

	if (!rd->active)
		return STORE_EINVAL;
	if (!rd->st->dbi[SDB_STATUS])
		return STORE_ENOTFOUND;
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_STATUS], &k, &d);
	if (rc)
		return store_rc(rc);
	return status_decode(&d, out);
}

struct status_job {
	const struct store *st;
	const char *name;
	const struct store_status *s;
};

/* Writes only when the record would change: a good load after a good
 * load (the common case) leaves the store untouched. */
static int status_txn(MDB_txn *txn, void *arg)
{
	struct status_job *job = arg;
	MDB_val k = { strlen(job->name), (void *)job->name }, d;
	struct blob_writer b = { 0 };
	int rc = mdb_get(txn, job->st->dbi[SDB_STATUS], &k, &d);

	if (rc == MDB_NOTFOUND && !job->s)
		return 0;
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0 && job->s && status_encode(job->s, &b) == 0 &&
	    b.len == d.mv_size && memcmp(b.p, d.mv_data, b.len) == 0) {
		free(b.p);
		return 0;
	}
	free(b.p);
	return store_status_write(txn, job->st, job->name, job->s);
}

int store_status_put(struct store *st, const char *name,
		     const struct store_status *s, char *err, size_t errlen)
{
	struct status_job job = { st, name, s };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!st || (st->flags & STORE_READONLY) || !st->dbi[SDB_STATUS]) {
		store_seterr(err, errlen, "store_status_put: store opened "
			     "read-only");
		return STORE_EINVAL;
	}
	rc = store_write_txn(st, status_txn, &job, err, errlen);
	if (rc && (!err || !errlen || !err[0]))
		store_seterr(err, errlen, "status of %s: %s", name,
			     store_strerror(rc));
	return store_rc(rc);
}
