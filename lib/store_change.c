/* store_change.c -- one hand edit of one dataset, as one transaction.
 *
 * `dnsbl-ctl add` / `del` (and the expiry sweep) change a few entries of a
 * dataset nobody loads from files.  Everything one such change means is
 * committed together: the dataset itself on its first edit, the entries
 * (store_edit.c re-derives only what they overlap), their expiry, the
 * metadata (a serial above every other in the store, so the SOA serial of
 * each zone serving it moves), the generation, a history record saying
 * who and why, and the dataset's status.  A failure changes nothing.
 */
#include "store_manual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct change_ctx {
	struct store *st;
	MDB_txn *txn;
	uint32_t dsid;
	struct store_apply_stats stats;
	int64_t entries_delta;
};

/* Makes dataset `name`, empty, of `type` (a manual dataset's first edit):
 * a new dsid, its name, and metadata that the edit then completes. */
static int change_create(struct change_ctx *cc, const char *name,
		       enum ds_type type)
{
	static const struct ds_meta none;
	struct store_meta_in in;
	uint8_t nb[5], mk[4], *blob = NULL;
	MDB_val k = { strlen(name), (void *)name }, d = { 5, nb };
	uint64_t next;
	size_t len;
	int rc = store_info_get(cc->txn, cc->st, "next_dsid", &next, 1);

	if (rc == 0 && next > DSID_MAX)
		rc = STORE_ENOMEM;
	if (rc)
		return rc;
	cc->dsid = (uint32_t)next;
	be32_put(nb, cc->dsid);
	nb[4] = 0;
	rc = mdb_put(cc->txn, cc->st->dbi[SDB_NAMES], &k, &d, MDB_NOOVERWRITE);
	if (rc == 0)
		rc = store_info_put(cc->txn, cc->st, "next_dsid", next + 1, 4);
	memset(&in, 0, sizeof(in));
	in.name = name;
	in.type = type;
	in.meta = &none;
	if (rc == 0)
		rc = store_meta_encode(&in, &blob, &len);
	if (rc == 0) {
		be32_put(mk, cc->dsid);
		k.mv_size = 4;
		k.mv_data = mk;
		d.mv_size = len;
		d.mv_data = blob;
		rc = mdb_put(cc->txn, cc->st->dbi[SDB_META], &k, &d, 0);
	}
	free(blob);
	return rc;
}

/* Rewrites the metadata after a change of the records: a new serial, the
 * entry count, the change's time; and moves the generation. */
static int change_meta_update(struct change_ctx *cc, const struct store_dsmeta *m,
			    int64_t now)
{
	struct store_meta_in in;
	uint8_t mk[4], *blob = NULL;
	MDB_val k = { 4, mk }, d;
	uint32_t serial;
	size_t len;
	int rc = store_next_serial(cc->txn, cc->st, m->serial, now, &serial);

	if (rc)
		return rc;
	memset(&in, 0, sizeof(in));
	in.name = m->name;
	in.type = m->type;
	in.meta = &m->meta;
	in.serial = serial;
	in.newest_mtime = m->newest_mtime;
	in.loaded_at = now;
	in.entries = (uint64_t)((int64_t)m->entries + cc->entries_delta);
	in.sources = m->sources;
	in.nsources = m->nsources;
	cc->stats.entries = in.entries;
	rc = store_meta_encode(&in, &blob, &len);
	if (rc == 0) {
		be32_put(mk, cc->dsid);
		d.mv_size = len;
		d.mv_data = blob;
		rc = mdb_put(cc->txn, cc->st->dbi[SDB_META], &k, &d, 0);
	}
	if (rc == 0)
		rc = store_bump_generation(cc->txn, cc->st);
	free(blob);
	return rc;
}

/* Finds (or with ch->create makes) the dataset and reads its metadata. */
static int change_open(struct change_ctx *cc, const char *name,
		     const struct store_change *ch, struct store_dsmeta **m,
		     int *created, char *err, size_t errlen)
{
	MDB_val k = { strlen(name), (void *)name }, d;
	uint8_t mk[4];
	int rc;

	*created = 0;
	rc = mdb_get(cc->txn, cc->st->dbi[SDB_NAMES], &k, &d);
	if (rc == MDB_NOTFOUND && ch->create && ch->type < DS_TYPE_COUNT) {
		rc = change_create(cc, name, ch->type);
		*created = rc == 0;
	} else if (rc == MDB_NOTFOUND) {
		store_seterr(err, errlen, "editing %s: no such dataset", name);
	} else if (rc == 0 && d.mv_size != 5) {
		rc = STORE_EINVAL;
	} else if (rc == 0) {
		cc->dsid = be32_get(d.mv_data);
	}
	if (rc)
		return rc;
	be32_put(mk, cc->dsid);
	k.mv_size = 4;
	k.mv_data = mk;
	rc = mdb_get(cc->txn, cc->st->dbi[SDB_META], &k, &d);
	if (rc == 0)
		rc = store_meta_decode(d.mv_data, d.mv_size, cc->dsid, m, NULL);
	if (rc == 0 && ch->type < DS_TYPE_COUNT && (*m)->type != ch->type) {
		store_seterr(err, errlen, "%s is stored as %s, not %s (drop it "
			     "first to change its type)", name,
			     ds_type_name((*m)->type) ? ds_type_name((*m)->type) : "?",
			     ds_type_name(ch->type));
		rc = STORE_EINVAL;
	}
	return rc;
}

int store_edit_apply(MDB_txn *txn, struct store *st, const char *name,
		     const struct store_change *ch,
		     struct store_apply_stats *stats, int *changed,
		     uint32_t *dsid, char *err, size_t errlen)
{
	struct change_ctx cc = { .st = st, .txn = txn };
	struct store_dsmeta *m = NULL;
	int created, expiry_moved = 0, rc;

	*changed = 0;
	rc = change_open(&cc, name, ch, &m, &created, err, errlen);
	if (rc == 0)
		rc = store_edit_entries(txn, st, cc.dsid, m->type, ch, &cc.stats,
					&cc.entries_delta, &expiry_moved, err,
					errlen);
	if (rc == 0 && (cc.stats.added + cc.stats.removed || created))
		rc = change_meta_update(&cc, m, ch->now);
	else if (rc == 0)
		cc.stats.entries = m->entries;
	if (rc == 0) {
		*changed = cc.stats.added + cc.stats.removed || created ||
			   expiry_moved;
		*stats = cc.stats;
		*dsid = cc.dsid;
	}
	store_dsmeta_free(m);
	return rc;
}

/* ---- store_change / store_edit_ip ---------------------------------------- */

/* One store_change transaction (store_write_txn may run it again). */
struct change_job {
	struct store *st;
	const char *name;
	const struct store_change *ch;
	struct store_apply_stats stats;
	int changed;
	char *err;
	size_t errlen;
};

static int change_txn(MDB_txn *txn, void *arg)
{
	struct change_job *job = arg;
	const struct store_change *ch = job->ch;
	struct store_status status;
	struct store_hist h;
	uint32_t dsid;
	int rc;

	memset(&job->stats, 0, sizeof(job->stats));
	rc = store_edit_apply(txn, job->st, job->name, ch, &job->stats,
			      &job->changed, &dsid, job->err, job->errlen);
	if (rc || !job->changed || ch->op == STORE_HIST_NONE)
		return rc;
	memset(&h, 0, sizeof(h));
	h.time = ch->now;
	h.op = ch->op;
	h.expires = ch->op == STORE_HIST_ADD ? ch->expires : 0;
	h.dataset = job->name;
	h.entry = ch->entry;
	h.reason = ch->reason;
	h.user = ch->user;
	rc = store_history_append(txn, job->st, &h);
	memset(&status, 0, sizeof(status));
	status.time = ch->now;
	status.kind = ch->op == STORE_HIST_EXPIRE ? STORE_STATUS_EXPIRE :
						   STORE_STATUS_EDIT;
	status.ok = 1;
	status.added = job->stats.added;
	status.removed = job->stats.removed;
	status.entries = job->stats.entries;
	snprintf(status.message, sizeof(status.message), "%s %s by %s",
		 ch->op == STORE_HIST_DEL ? "del" : "add",
		 ch->entry ? ch->entry : "", ch->user ? ch->user : "?");
	if (rc == 0)
		rc = store_status_write(txn, job->st, job->name, &status);
	return rc;
}

int store_change(struct store *st, const char *name,
		 const struct store_change *ch, struct store_apply_stats *stats,
		 int *changed, char *err, size_t errlen)
{
	struct change_job job = { .st = st, .name = name, .ch = ch,
				  .err = err, .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (changed)
		*changed = 0;
	if (!st || !ch || (st->flags & STORE_READONLY)) {
		store_seterr(err, errlen, "store_change: %s",
			     st && ch ? "store opened read-only" : "bad argument");
		return STORE_EINVAL;
	}
	if ((rc = store_validate_name(name, err, errlen)) != 0)
		return rc;
	rc = store_write_txn(st, change_txn, &job, err, errlen);
	if (rc) {
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "editing dataset %s: %s", name,
				     store_strerror(rc));
		return store_rc(rc);
	}
	if (stats)
		*stats = job.stats;
	if (changed)
		*changed = job.changed;
	return STORE_OK;
}

int store_edit_ip(struct store *st, const char *name,
		  const struct store_ip_edit *edits, size_t nedits,
		  struct store_apply_stats *stats, char *err, size_t errlen)
{
	struct store_change ch = {
		.ip = edits, .nip = nedits, .type = DS_TYPE_COUNT,
		.now = (int64_t)time(NULL), .op = STORE_HIST_NONE,
	};

	return store_change(st, name, &ch, stats, NULL, err, errlen);
}
