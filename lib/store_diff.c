/* store_diff.c -- write a dataset's new records as a diff against the old.
 *
 * The new records of one table arrive sorted in key order.  One read pass
 * over the stored range finds what disappeared and what is new (pointers
 * into the map are only read, never kept across a write), then the few
 * changes are applied.  When most records change, the range is dropped and
 * rewritten with MDB_APPEND/MDB_APPENDDUP, which also packs pages full.
 * When few records of a big address table change, the change is written
 * beside them as the dataset's overlay instead (store_overlay.h): a
 * change spread over a sorted table would touch nearly every page.
 */
#include "store_diff.h"

#include "store_blob.h"
#include "store_overlay.h"
#include "store_view.h"

#include <stdlib.h>
#include <string.h>

/* Appends to a growable list of deletions or additions. */
static int diff_gb_add(struct blob_writer *b, const void *data, size_t n)
{
	blob_put(b, data, n);
	return b->oom ? STORE_ENOMEM : 0;
}

/* Appends records after the duplicates key k already has. */
static int diff_append_dups(MDB_cursor *c, MDB_val *k, const uint8_t *recs,
			    size_t n, size_t rsz)
{
	size_t done = 0;
	int rc = 0;

	while (rc == 0 && done < n) {
		MDB_val d[2] = { { rsz, (void *)(recs + done * rsz) },
				 { n - done, NULL } };

		rc = mdb_cursor_put(c, k, d, MDB_MULTIPLE | MDB_APPENDDUP);
		if (rc == 0 && d[1].mv_size == 0)
			rc = STORE_EIO;   /* no progress: never loop forever */
		done += d[1].mv_size;
	}
	return rc;
}

int store_append_fixed(MDB_cursor *c, MDB_val *k, const uint8_t *recs,
		       size_t n, size_t rsz)
{
	MDB_val first = { rsz, (void *)recs };
	int rc;

	if (n == 0)
		return 0;
	rc = mdb_cursor_put(c, k, &first, 0);
	return rc ? rc : diff_append_dups(c, k, recs + rsz, n - 1, rsz);
}

/* The new records as store_diff_fixed_from sees them: a window of them
 * read from the source, [i, n) not consumed yet. */
#define DIFF_WINDOW 16384

struct diff_window {
	struct store_rec_source *src;
	uint8_t *buf;
	size_t rsz, i, n;
	int end;               /* the source has nothing more */
};

/* Makes at least `want` records available after w->i, unless the source
 * ends first; *avail gets how many are.  0 or the source's error. */
static int diff_window_fill(struct diff_window *w, size_t want, size_t *avail)
{
	int rc = 0;

	while (!w->end && w->n - w->i < want) {
		size_t got;

		if (w->i) {
			memmove(w->buf, w->buf + w->i * w->rsz,
				(w->n - w->i) * w->rsz);
			w->n -= w->i;
			w->i = 0;
		}
		rc = w->src->read(w->src->arg, w->buf + w->n * w->rsz,
				  DIFF_WINDOW - w->n, &got);
		if (rc)
			break;
		if (!got)
			w->end = 1;
		w->n += got;
	}
	*avail = w->n - w->i;
	return rc;
}

/* Appends every record of the source to key k (store_append_fixed, a
 * window at a time); *n gets their count. */
static int diff_append_all(MDB_cursor *c, MDB_val *k, struct diff_window *w,
			   size_t *n)
{
	size_t avail;
	int rc;

	*n = 0;
	while ((rc = diff_window_fill(w, DIFF_WINDOW, &avail)) == 0 && avail) {
		const uint8_t *recs = w->buf + w->i * w->rsz;

		rc = *n == 0 ? store_append_fixed(c, k, recs, avail, w->rsz) :
			       diff_append_dups(c, k, recs, avail, w->rsz);
		if (rc)
			return rc;
		*n += avail;
		w->i += avail;
	}
	return rc;
}

/* Is a change of `nchange` records over a base of `nbase` worth keeping
 * as an overlay?  Past an eighth of the base, lookups pay for it and it
 * is about as dear as rewriting the pages. */
static int diff_use_overlay(size_t nbase, size_t nchange)
{
	return nbase > 0 && nbase >= store_overlay_min() &&
	       nchange <= nbase / 8;
}

/* Is the change planned so far sure to be written as a rewrite?  The new
 * records are the base minus dels plus adds, so the final test of the
 * apply, (dels + adds) * 2 > base + new, is 3 dels + adds > 2 base, and
 * both only grow: past that, keeping the records is a waste of memory. */
static int diff_is_rewrite(const struct store_diff_plan *p, size_t nbase)
{
	return 3 * p->ndel + p->nadd > 2 * nbase;
}

/* Notes a record the base loses (del) or gains, and whether the old
 * overlay already said so (its sorted records are merged along, as the
 * changes come in order): the stats count against the dataset as it
 * was.  The record is kept unless the plan is a rewrite. */
static int diff_plan_note(struct store_diff_plan *p, int del,
			  const uint8_t *rec, size_t rsz)
{
	const uint8_t *o = del ? p->old.del.p : p->old.add.p;
	size_t on = del ? p->old.ndel : p->old.nadd, *pos = del ? &p->od : &p->oa;
	int c = -1;

	while (*pos < on && (c = memcmp(o + *pos * rsz, rec, rsz)) < 0)
		(*pos)++;
	if (*pos < on && c == 0) {
		if (del)
			p->id++;
		else
			p->ia++;
	}
	if (del)
		p->ndel++;
	else
		p->nadd++;
	if (p->rewrite)
		return 0;
	return diff_gb_add(del ? &p->dels : &p->adds, rec, rsz);
}

/* How many of the `n` records of `rsz` bytes at a and b are equal before
 * the first that differs, compared 8 bytes at a time: a small change
 * leaves runs of hundreds of equal records between its records, and a
 * call per record was most of the read pass. */
static size_t diff_equal_run(const uint8_t *a, const uint8_t *b, size_t n,
			     size_t rsz)
{
	size_t len = n * rsz, i = 0;

	for (; i + 32 <= len; i += 32) {
		uint64_t x[4], y[4];

		memcpy(x, a + i, 32);
		memcpy(y, b + i, 32);
		if ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]))
			break;
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < len && a[i] == b[i])
		i++;
	return i / rsz;
}

int store_diff_plan_fixed(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			  struct store_rec_source *src, size_t rsz,
			  struct store_diff_plan *p)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c = NULL;
	struct diff_window w = { .src = src, .rsz = rsz };
	size_t avail, nbase = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	be32_put(kb, dsid);
	w.buf = malloc(DIFF_WINDOW * rsz);
	if (!w.buf)
		return STORE_ENOMEM;
	rc = store_overlay_read(txn, dbi, dsid, rsz, &p->old);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &c);
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_SET_KEY);
	if (rc == MDB_NOTFOUND) {
		rc = 0;   /* no base: the records are all new */
		goto out;
	}
	p->has_base = rc == 0;
	if (rc == 0)
		rc = mdb_cursor_count(c, &nbase);
	/* Read pass: merge the stored duplicates with the new records, a leaf
	 * page of them at a time (DUPFIXED pages are plain arrays); each run
	 * of records equal to the next new ones is skipped whole
	 * (diff_equal_run).  The changes are kept as records (the new ones
	 * are not held). */
	if (rc == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_MULTIPLE);
	while (rc == 0) {
		const uint8_t *page = d.mv_data;
		size_t cnt = d.mv_size / rsz, b = 0;

		if (d.mv_size % rsz) {
			rc = STORE_EINVAL;
			break;
		}
		while (rc == 0 && b < cnt) {
			const uint8_t *oldrec, *cur;
			size_t same;
			int cmp;

			rc = diff_window_fill(&w, cnt - b, &avail);
			if (rc)
				break;
			same = diff_equal_run(page + b * rsz, w.buf + w.i * rsz,
					      avail < cnt - b ? avail : cnt - b,
					      rsz);
			p->nold += same;
			p->n += same;
			w.i += same;
			b += same;
			avail -= same;
			if (b == cnt)
				break;
			oldrec = page + b * rsz;
			cur = w.buf + w.i * rsz;
			cmp = avail ? memcmp(oldrec, cur, rsz) : -1;
			if (cmp <= 0) {
				p->nold++;   /* this stored record is done with */
				b++;
			}
			if (cmp == 0) {
				w.i++;
				p->n++;
			} else if (cmp < 0) {
				rc = diff_plan_note(p, 1, oldrec, rsz);
			} else {
				rc = diff_plan_note(p, 0, cur, rsz);
				w.i++;
				p->n++;
			}
		}
		if (rc == 0 && !p->rewrite && diff_is_rewrite(p, nbase)) {
			/* Decided: the apply rewrites it all from the source,
			 * so the pass only counts from here on. */
			p->rewrite = 1;
			free(p->dels.p);
			free(p->adds.p);
			memset(&p->dels, 0, sizeof(p->dels));
			memset(&p->adds, 0, sizeof(p->adds));
		}
		if (rc == 0)
			rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_MULTIPLE);
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	while (rc == 0 && (rc = diff_window_fill(&w, 1, &avail)) == 0 && avail) {
		rc = diff_plan_note(p, 0, w.buf + w.i * rsz, rsz);
		w.i++;
		p->n++;
	}
out:
	free(w.buf);
	if (c)
		mdb_cursor_close(c);
	return rc;
}

/* a minus b (sorted records) appended to out; the count kept. */
static size_t diff_minus(const uint8_t *a, size_t na, const uint8_t *b,
			 size_t nb, size_t rsz, struct blob_writer *out)
{
	size_t i = 0, j = 0, kept = 0;

	for (; i < na; i++) {
		int c = 1;

		while (j < nb && (c = memcmp(b + j * rsz, a + i * rsz, rsz)) < 0)
			j++;
		if (j < nb && c == 0)
			continue;
		blob_put(out, a + i * rsz, rsz);
		kept++;
	}
	return kept;
}

/* The union of two disjoint sorted record arrays, into out. */
static void diff_union(const uint8_t *a, size_t na, const uint8_t *b,
		       size_t nb, size_t rsz, struct blob_writer *out)
{
	size_t i = 0, j = 0;

	while (i < na || j < nb) {
		if (j == nb || (i < na && memcmp(a + i * rsz, b + j * rsz,
						 rsz) < 0))
			blob_put(out, a + i++ * rsz, rsz);
		else
			blob_put(out, b + j++ * rsz, rsz);
	}
}

int store_diff_plan_change(struct store_view *v, const uint8_t *gone,
			   size_t ngone, const uint8_t *came, size_t ncame,
			   struct store_diff_plan *p)
{
	const struct store_overlay *o = &v->ovl;
	struct blob_writer x = { 0 }, y = { 0 };
	size_t rsz = v->rsz, nx, ny;

	memset(p, 0, sizeof(*p));
	p->has_base = v->nbase > 0;
	p->nold = v->nbase;
	/* dels: (D - came) + (gone - A) */
	p->id = nx = diff_minus(o->del.p, o->ndel, came, ncame, rsz, &x);
	ny = diff_minus(gone, ngone, o->add.p, o->nadd, rsz, &y);
	diff_union(x.p, nx, y.p, ny, rsz, &p->dels);
	p->ndel = nx + ny;
	x.len = y.len = 0;
	/* adds: (A - gone) + (came - D) */
	p->ia = nx = diff_minus(o->add.p, o->nadd, gone, ngone, rsz, &x);
	ny = diff_minus(came, ncame, o->del.p, o->ndel, rsz, &y);
	diff_union(x.p, nx, y.p, ny, rsz, &p->adds);
	p->nadd = nx + ny;
	p->n = p->nold - p->ndel + p->nadd;
	p->old = v->ovl;
	memset(&v->ovl, 0, sizeof(v->ovl));
	v->ai = v->di = 0;
	if (x.oom || y.oom || p->dels.oom || p->adds.oom) {
		free(x.p);
		free(y.p);
		store_diff_plan_free(p);
		return STORE_ENOMEM;
	}
	free(x.p);
	free(y.p);
	return 0;
}

void store_diff_plan_free(struct store_diff_plan *p)
{
	free(p->dels.p);
	free(p->adds.p);
	store_overlay_free(&p->old);
	memset(p, 0, sizeof(*p));
}

/* Drops the base and appends every record of the source as the new one. */
static int diff_rewrite(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			struct store_rec_source *src, size_t rsz, size_t *n)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb };
	struct diff_window w = { .src = src, .rsz = rsz };
	MDB_cursor *c = NULL;
	int rc;

	be32_put(kb, dsid);
	w.buf = malloc(DIFF_WINDOW * rsz);
	if (!w.buf)
		return STORE_ENOMEM;
	rc = mdb_del(txn, dbi, &k, NULL);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &c);
	if (rc == 0)
		rc = src->rewind(src->arg);
	if (rc == 0)
		rc = diff_append_all(c, &k, &w, n);
	if (c)
		mdb_cursor_close(c);
	free(w.buf);
	return rc;
}

/* store_diff_apply_fixed's choice, made from the plan alone. */
int store_diff_plan_rewrites(const struct store_diff_plan *p)
{
	return !p->has_base || p->rewrite ||
	       (!diff_use_overlay(p->nold, p->nadd + p->ndel) &&
		(p->ndel + p->nadd) * 2 > p->nold + p->n);
}

int store_diff_apply_fixed(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			   struct store_rec_source *src, size_t rsz,
			   const struct store_diff_plan *p,
			   struct store_apply_stats *st)
{
	const struct store_overlay *old = &p->old;
	uint8_t kb[4];
	MDB_val k = { 4, kb };
	size_t ndel = p->ndel, nadd = p->nadd, n = 0, added, removed;
	int rc;

	be32_put(kb, dsid);
	if (!p->has_base) {
		rc = store_overlay_clear(txn, dbi, dsid, old);
		if (rc == 0)
			rc = diff_rewrite(txn, dbi, dsid, src, rsz, &n);
		if (rc == 0) {
			st->added += n;
			st->removed += old->nadd;
		}
		return rc;
	}
	/* adds and dels are the change from the base alone; against what the
	 * dataset was (the base with its old overlay) it is:
	 * added (adds - old adds) + (old dels - dels), removed the other way,
	 * whichever way it is written. */
	added = nadd - p->ia + old->ndel - p->id;
	removed = old->nadd - p->ia + ndel - p->id;
	if (!p->rewrite && diff_use_overlay(p->nold, nadd + ndel)) {
		rc = store_dups_replace(txn, dbi, dsid | OVL_ADD, p->adds.p, nadd,
					rsz);
		if (rc == 0)
			rc = store_dups_replace(txn, dbi, dsid | OVL_DEL, p->dels.p,
						ndel, rsz);
		if (rc == 0) {
			st->added += added;
			st->removed += removed;
			st->unchanged += p->n - added;
		}
		return rc;
	}
	rc = store_overlay_clear(txn, dbi, dsid, old);
	if (rc == 0 && store_diff_plan_rewrites(p)) {
		/* Mostly new: drop and rewrite, pages come out full. */
		rc = diff_rewrite(txn, dbi, dsid, src, rsz, &n);
		if (rc == 0) {
			st->added += added;
			st->removed += removed;
			st->unchanged += p->n - added;
		}
		return rc;
	}
	for (size_t j = 0; rc == 0 && j < ndel; j++) {
		MDB_val dd = { rsz, p->dels.p + j * rsz };

		rc = mdb_del(txn, dbi, &k, &dd);
	}
	for (size_t j = 0; rc == 0 && j < nadd; j++) {
		MDB_val dd = { rsz, p->adds.p + j * rsz };

		rc = mdb_put(txn, dbi, &k, &dd, MDB_NODUPDATA);
	}
	if (rc == 0) {
		st->added += added;
		st->removed += removed;
		st->unchanged += p->n - added;
	}
	return rc;
}

int store_diff_fixed_from(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			  struct store_rec_source *src, size_t rsz,
			  struct store_apply_stats *st)
{
	struct store_diff_plan p;
	int rc = store_diff_plan_fixed(txn, dbi, dsid, src, rsz, &p);

	if (rc == 0)
		rc = store_diff_apply_fixed(txn, dbi, dsid, src, rsz, &p, st);
	store_diff_plan_free(&p);
	return rc;
}

static int diff_array_read(void *arg, uint8_t *buf, size_t max, size_t *got)
{
	struct store_rec_array *a = arg;
	size_t k = a->n - a->i < max ? a->n - a->i : max;

	if (k)
		memcpy(buf, a->recs + a->i * a->rsz, k * a->rsz);
	a->i += k;
	*got = k;
	return 0;
}

static int diff_array_rewind(void *arg)
{
	((struct store_rec_array *)arg)->i = 0;
	return 0;
}

struct store_rec_source store_rec_array_source(struct store_rec_array *a,
					       const uint8_t *recs, size_t n,
					       size_t rsz)
{
	struct store_rec_source src = { diff_array_read, diff_array_rewind, a };

	a->recs = recs;
	a->n = n;
	a->i = 0;
	a->rsz = rsz;
	return src;
}

/* LMDB's largest page: MDB_GET_MULTIPLE gives at most one page's worth. */
#define STORE_PAGE_MAX 65536

struct store_dups_source {
	MDB_cursor *c;
	uint8_t kb[4];
	size_t rsz;
	uint8_t *page;        /* a copy of the leaf page's records being read */
	size_t n, i;          /* its records, [i, n) not read yet */
	int started, end;
};

/* Copies the next leaf page's records into ds->page (none at the end). */
static int dups_source_next(struct store_dups_source *ds)
{
	MDB_val k = { 4, ds->kb }, d;
	int rc;

	if (!ds->started) {
		rc = mdb_cursor_get(ds->c, &k, &d, MDB_SET);
		if (rc == 0)
			rc = mdb_cursor_get(ds->c, &k, &d, MDB_GET_MULTIPLE);
		ds->started = 1;
	} else {
		rc = mdb_cursor_get(ds->c, &k, &d, MDB_NEXT_MULTIPLE);
	}
	ds->i = ds->n = 0;
	if (rc == MDB_NOTFOUND) {
		ds->end = 1;
		return 0;
	}
	if (rc)
		return rc;
	if (d.mv_size % ds->rsz || d.mv_size > STORE_PAGE_MAX)
		return STORE_EINVAL;
	memcpy(ds->page, d.mv_data, d.mv_size);
	ds->n = d.mv_size / ds->rsz;
	return 0;
}

static int dups_source_read(void *arg, uint8_t *buf, size_t max, size_t *got)
{
	struct store_dups_source *ds = arg;
	size_t k = 0;
	int rc = 0;

	while (rc == 0 && k < max && !ds->end) {
		size_t m = ds->n - ds->i;

		if (!m) {
			rc = dups_source_next(ds);
			continue;
		}
		if (m > max - k)
			m = max - k;
		memcpy(buf + k * ds->rsz, ds->page + ds->i * ds->rsz,
		       m * ds->rsz);
		ds->i += m;
		k += m;
	}
	*got = k;
	return rc;
}

static int dups_source_rewind(void *arg)
{
	struct store_dups_source *ds = arg;

	ds->started = ds->end = 0;
	ds->n = ds->i = 0;
	return 0;
}

int store_dups_source_open(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
			   size_t rsz, struct store_dups_source **out,
			   struct store_rec_source *src)
{
	struct store_dups_source *ds = calloc(1, sizeof(*ds));
	int rc;

	*out = NULL;
	if (!ds || !(ds->page = malloc(STORE_PAGE_MAX))) {
		free(ds);
		return STORE_ENOMEM;
	}
	be32_put(ds->kb, dsid);
	ds->rsz = rsz;
	rc = mdb_cursor_open(txn, dbi, &ds->c);
	if (rc) {
		store_dups_source_close(ds);
		return rc;
	}
	*src = (struct store_rec_source){ dups_source_read, dups_source_rewind,
					  ds };
	*out = ds;
	return 0;
}

void store_dups_source_close(struct store_dups_source *ds)
{
	if (!ds)
		return;
	if (ds->c)
		mdb_cursor_close(ds->c);
	free(ds->page);
	free(ds);
}

int store_diff_var(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid,
		   const struct store_vrec *recs, size_t n,
		   struct store_apply_stats *st)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	MDB_cursor *c;
	struct blob_writer dels = { 0 }, puts = { 0 };
	size_t nold = 0, i = 0, nput;
	unsigned putflags = 0;
	int rc;

	be32_put(kb, dsid);
	rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rc;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size >= 4 && memcmp(k.mv_data, kb, 4) == 0) {
		int cmp;

		cmp = i < n ? store_key_cmp(k.mv_data, k.mv_size, recs[i].key,
				       recs[i].klen) : -1;
		if (cmp <= 0)
			nold++;
		if (cmp == 0) {
			if (d.mv_size == recs[i].dlen &&
			    memcmp(d.mv_data, recs[i].data, d.mv_size) == 0)
				st->unchanged++;
			else if ((rc = diff_gb_add(&puts, &i, sizeof(i))) != 0)
				break;
			i++;
		} else if (cmp < 0) {
			uint16_t kl = (uint16_t)k.mv_size;

			if ((rc = diff_gb_add(&dels, &kl, sizeof(kl))) != 0 ||
			    (rc = diff_gb_add(&dels, k.mv_data, kl)) != 0)
				break;
		} else {
			if ((rc = diff_gb_add(&puts, &i, sizeof(i))) != 0)
				break;
			i++;
			continue;
		}
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	for (; rc == 0 && i < n; i++)
		rc = diff_gb_add(&puts, &i, sizeof(i));
	/* A brand-new range that sorts after everything: append. */
	if (rc == 0 && nold == 0 && n) {
		rc = mdb_cursor_get(c, &k, &d, MDB_LAST);
		if (rc == MDB_NOTFOUND ||
		    (rc == 0 && store_key_cmp(k.mv_data, k.mv_size, recs[0].key,
					 recs[0].klen) < 0)) {
			putflags = MDB_APPEND;
			rc = 0;
		}
	}
	for (size_t off = 0; rc == 0 && off < dels.len;) {
		uint16_t kl;
		MDB_val dk;

		memcpy(&kl, dels.p + off, sizeof(kl));
		dk.mv_size = kl;
		dk.mv_data = dels.p + off + sizeof(kl);
		off += sizeof(kl) + kl;
		rc = mdb_del(txn, dbi, &dk, NULL);
		st->removed++;
	}
	nput = puts.len / sizeof(size_t);
	for (size_t j = 0; rc == 0 && j < nput; j++) {
		size_t idx;
		MDB_val pk, pd;

		memcpy(&idx, puts.p + j * sizeof(idx), sizeof(idx));
		pk.mv_size = recs[idx].klen;
		pk.mv_data = (void *)recs[idx].key;
		pd.mv_size = recs[idx].dlen;
		pd.mv_data = (void *)recs[idx].data;
		rc = mdb_cursor_put(c, &pk, &pd, putflags);
		st->added++;
	}
	free(dels.p);
	free(puts.p);
	mdb_cursor_close(c);
	return rc;
}

int store_clear_range(MDB_txn *txn, MDB_dbi dbi, uint32_t dsid)
{
	uint8_t kb[4];
	MDB_cursor *c;
	int rc;

	be32_put(kb, dsid);
	rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rc;
	/* One descent per record: drops are rare and this never relies on
	 * cursor state after a delete. */
	for (;;) {
		MDB_val k = { 4, kb }, d;

		rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
		if (rc || k.mv_size < 4 || memcmp(k.mv_data, kb, 4) != 0)
			break;
		rc = mdb_cursor_del(c, 0);
		if (rc)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
