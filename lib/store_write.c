/* store_write.c -- store_put_dataset / store_drop_dataset.
 *
 * A put is one write transaction: keep or assign the dataset id, intern the
 * answer values, build the new source records and the derived interval map
 * (or the name records) in memory, diff them against what is stored
 * (store_diff.c), then write the metadata and bump the generation.  Any
 * error aborts the transaction, so nothing changes; MDB_MAP_FULL grows the
 * map and retries the whole transaction.
 */
#include "store_diff.h"
#include "store_view.h"
#include "store_manual.h"
#include "store_blob.h"
#include "store_overlay.h"
#include "mem_giveback.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct put_ctx {
	struct store *st;
	MDB_txn *txn;
	struct store_apply_stats stats;
	int64_t now;
	char *err;
	size_t errlen;
	/* The last multi-value set interned: lists tend to repeat it. */
	uint8_t set_rec[VALREC_MAX];
	size_t set_len;
	uint32_t set_ref;
	/* Every dataset id written (a combined dataset's sections too), for
	 * the overlay fold after the commit. */
	struct blob_writer written;
	/* The map has room for the whole write (store_reserve), so the last
	 * reading of spendable entries may give their pages back; *spent
	 * (kept across attempts) says it did. */
	int spend_ok;
	int *spent;
};

/* ---- values ------------------------------------------------------------- */

/* Looks values [from, to) of `ds` up in the value index: gid[i] gets the
 * ref of each one stored, 0 for one that is not.  Reads only. */
struct put_lookup {
	MDB_txn *txn;
	MDB_env *env;       /* set: look up in a read transaction of it */
	MDB_dbi vindex;
	const struct dataset *ds;
	uint32_t *gid;
	size_t from, to;
	int rc;
};

static void *put_lookup_run(void *arg)
{
	struct put_lookup *l = arg;
	MDB_txn *txn = l->txn;
	uint8_t rec[VALREC_MAX];

	l->rc = l->env ? mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn) : 0;
	for (size_t i = l->from; l->rc == 0 && i < l->to; i++) {
		MDB_val k = { store_value_encode(&l->ds->values[i], rec), rec }, d;
		int rc = mdb_get(txn, l->vindex, &k, &d);

		if (rc == 0 && d.mv_size == 4)
			l->gid[i] = be32_get(d.mv_data);
		else if (rc != MDB_NOTFOUND)
			l->rc = rc ? rc : STORE_EINVAL;
	}
	if (l->env && txn && txn != l->txn)
		mdb_txn_abort(txn);
	return NULL;
}

/* Below this many values a second thread is not worth starting. */
#define PUT_LOOKUP_SPLIT 4096

/* Global refs of a dataset's values (malloc'd array, nvalues long).  A big
 * list's values are mostly stored already: they are looked up first, half
 * of them on a second thread in a read transaction (the write transaction
 * has written no value yet, so both see the same index), then the new ones
 * are interned in order, so their ids are what one pass would give. */
static int put_values(struct put_ctx *pc, const struct dataset *ds,
		      uint32_t **gid)
{
	uint8_t rec[VALREC_MAX];
	size_t n = ds->nvalues, half = n >= PUT_LOOKUP_SPLIT ? n / 2 : n;
	struct put_lookup mine = { pc->txn, NULL, pc->st->dbi[SDB_VINDEX], ds,
				   NULL, 0, half, 0 };
	struct put_lookup other = mine;
	pthread_t th;
	int rc = 0, started = 0;

	*gid = calloc(n ? n : 1, sizeof(**gid));
	if (!*gid)
		return STORE_ENOMEM;
	mine.gid = other.gid = *gid;
	if (half < n) {
		other.env = mdb_txn_env(pc->txn);
		other.txn = NULL;
		other.from = half;
		other.to = n;
		started = pthread_create(&th, NULL, put_lookup_run, &other) == 0;
		if (!started)
			mine.to = n;
	}
	put_lookup_run(&mine);
	if (started)
		pthread_join(th, NULL);
	rc = mine.rc ? mine.rc : started ? other.rc : 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len;

		if ((*gid)[i])
			continue;
		len = store_value_encode(&ds->values[i], rec);
		rc = store_value_intern(pc->txn, pc->st, rec, len, &(*gid)[i]);
	}
	return rc;
}

/* The ref answering with value refs `ids` (distinct, data order). */
static int put_union(struct put_ctx *pc, const uint32_t *ids, size_t n,
		     uint32_t *ref)
{
	uint8_t rec[VALREC_MAX];
	size_t len;
	int rc;

	if (n == 1) {
		*ref = ids[0];
		return 0;
	}
	len = store_set_encode(ids, n, rec);
	if (len == pc->set_len && memcmp(rec, pc->set_rec, len) == 0) {
		*ref = pc->set_ref;
		return 0;
	}
	rc = store_value_intern(pc->txn, pc->st, rec, len, ref);
	if (rc == 0) {
		memcpy(pc->set_rec, rec, len);
		pc->set_len = len;
		pc->set_ref = *ref;
	}
	return rc;
}

/* Adds `id` to the distinct list `ids` (at most STORE_MAX_MATCH kept). */
static void put_union_add(uint32_t *ids, size_t *n, uint32_t id)
{
	for (size_t i = 0; i < *n; i++)
		if (ids[i] == id)
			return;
	if (*n < STORE_MAX_MATCH)
		ids[(*n)++] = id;
}

/* Equal-prefix / equal-name rule: sets answer the union of their values
 * unless one is an exclusion; tries keep the first one written. */
static int put_type_is_union(enum ds_type t)
{
	return t == DS_IP4SET || t == DS_IP4TSET || t == DS_IP6TSET ||
	       t == DS_DNSET;
}

/* ---- address datasets --------------------------------------------------- */

/* The equal-prefix rule folded over one run of entries with the same
 * prefix, in data order: a set answers the union of the values (at most
 * STORE_MAX_MATCH) unless one entry is an exclusion, a trie the first.
 * (An ip4set's union is ordered by value instead: put_multi_run.) */
struct put_run {
	uint32_t ids[STORE_MAX_MATCH];
	size_t nids;
	int excluded;
	int seen;
};

static void put_run_add(struct put_run *r, enum ds_type t, const uint32_t *gid,
			int excluded, uint32_t value)
{
	if (put_type_is_union(t)) {
		if (excluded)
			r->excluded = 1;
		else
			put_union_add(r->ids, &r->nids, gid[value]);
	} else if (!r->seen) {
		r->excluded = excluded;
		if (!excluded)
			r->ids[r->nids++] = gid[value];
	}
	r->seen = 1;
}

/* Starts a run; ids[] is only read up to nids (not cleared: this runs
 * once per entry). */
static void put_run_start(struct put_run *r)
{
	r->nids = 0;
	r->excluded = 0;
	r->seen = 0;
}

/* The run's ref (REF_EXCLUDED for an exclusion). */
static int put_run_ref(struct put_ctx *pc, const struct put_run *r,
		       uint32_t *ref)
{
	*ref = REF_EXCLUDED;
	return r->excluded ? 0 : put_union(pc, r->ids, r->nids, ref);
}

/* The IPv4 source records, made as they are read: the dataset's IPv4
 * entries in (address, plen, seq) order -- as a parser leaves them, else a
 * sorted copy -- collapsed by the type's rule into packed SRC4_RECs.  A
 * big feed's records are never held whole.  Reading touches no
 * transaction (the refs of repeated prefixes are made first), so a copy
 * of the reader can run on another thread. */
struct put_src4 {
	const struct dataset *ds;
	const uint32_t *gid;
	const struct ds_ip4_entry *a;
	size_t n, i;
	struct ds_ip4_entry *copy;   /* a's memory when the entries were not
	                                in order */
	uint32_t *run_ref;           /* the ref of each repeated prefix */
	size_t nrun, ri;
	int spend;                   /* the entries' last reading: give */
	size_t spent_to;             /* their pages back (mem_giveback) */
	uint8_t *packed;             /* else: the records made already (an
	                                update of changed lines), n of them */
};

/* Gives back the entries read so far (put_src4.spend); they are never
 * read again, as put_src4_rewind makes sure. */
static void put_src4_spend(struct put_src4 *g)
{
	mem_giveback(g->a, &g->spent_to, g->i * sizeof(*g->a), g->i == g->n);
}

static int put_src4_read(void *arg, uint8_t *buf, size_t max, size_t *got)
{
	struct put_src4 *g = arg;
	const struct ds_ip4_entry *a = g->a;
	size_t k = 0;

	if (g->packed) {
		k = g->n - g->i < max ? g->n - g->i : max;
		memcpy(buf, g->packed + g->i * SRC4_REC, k * SRC4_REC);
		g->i += k;
		*got = k;
		return 0;
	}
	while (k < max && g->i < g->n) {
		uint32_t addr = a[g->i].addr, ref;
		uint8_t plen = a[g->i].plen, *r = buf + k++ * SRC4_REC;
		size_t j = g->i + 1;

		if (j == g->n || a[j].addr != addr || a[j].plen != plen) {
			/* One entry, the common case: its own value. */
			ref = a[g->i].excluded ? REF_EXCLUDED : g->gid[a[g->i].value];
		} else {
			while (j < g->n && a[j].addr == addr && a[j].plen == plen)
				j++;
			if (g->ri >= g->nrun)
				return STORE_EINVAL;   /* never: counted alike */
			ref = g->run_ref[g->ri++];
		}
		layout_src4_put(r, addr, plen, ref);
		g->i = j;
	}
	*got = k;
	if (g->spend)
		put_src4_spend(g);
	return 0;
}

static int put_src4_rewind(void *arg)
{
	struct put_src4 *g = arg;

	if (g->spent_to)
		return STORE_ESPENT;
	g->i = g->ri = 0;
	return 0;
}

static int put_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The answer of the `n` entries `e` of one ip4set prefix (n >= 2) into
 * *ref, made from their rows (struct ds_ip4_multi), which are also
 * appended to `out` when it is given: an update of changed lines needs
 * them (store_src4_delta makes the answer the same way). */
static int put_multi_run(struct put_ctx *pc, const uint32_t *gid,
			 const struct ds_ip4_entry *e, size_t n,
			 struct blob_writer *out, uint32_t *ref)
{
	uint32_t *refs = malloc(n * sizeof(*refs));
	struct ds_ip4_multi *rows = malloc(n * sizeof(*rows));
	size_t nrows = 0;
	int rc;

	if (!refs || !rows) {
		free(refs);
		free(rows);
		return STORE_ENOMEM;
	}
	for (size_t k = 0; k < n; k++)
		refs[k] = e[k].excluded ? REF_EXCLUDED : gid[e[k].value];
	qsort(refs, n, sizeof(*refs), put_u32_cmp);
	for (size_t k = 0; k < n; k++) {
		if (k && refs[k] == refs[k - 1]) {
			rows[nrows - 1].count++;
			continue;
		}
		memset(&rows[nrows], 0, sizeof(rows[0]));
		rows[nrows].addr = e->addr;
		rows[nrows].plen = e->plen;
		rows[nrows].ref = refs[k];
		rows[nrows++].count = 1;
	}
	rc = store_multi_ref(pc->txn, pc->st, rows, nrows, 1, ref);
	rc = rc < 0 ? rc : 0;
	if (rc == 0 && out) {
		blob_put(out, rows, nrows * sizeof(*rows));
		if (out->oom)
			rc = STORE_ENOMEM;
	}
	free(refs);
	free(rows);
	return rc;
}

/* Counts the records into *nsrc and makes the refs of the repeated
 * prefixes, interning the value sets they answer (in record order, as the
 * store always has).  Only a prefix given more than once can answer a
 * set. */
static int put_src4_intern(struct put_ctx *pc, struct put_src4 *g,
			   size_t *nsrc)
{
	const struct ds_ip4_entry *a = g->a;
	struct ds_ip4_delta *dd = g->ds->ip4_delta;
	struct blob_writer refs = { 0 }, multi = { 0 };
	int rc = 0;

	*nsrc = 0;
	for (size_t i = 0, j; rc == 0 && i < g->n; i = j, (*nsrc)++) {
		struct put_run run;
		uint32_t ref;

		for (j = i + 1; j < g->n && a[j].addr == a[i].addr &&
		     a[j].plen == a[i].plen; j++)
			;
		if (j - i == 1)
			continue;
		if (g->ds->type == DS_IP4SET) {
			rc = put_multi_run(pc, g->gid, a + i, j - i,
					   dd ? &multi : NULL, &ref);
		} else {
			put_run_start(&run);
			for (size_t k = i; k < j; k++)
				put_run_add(&run, g->ds->type, g->gid,
					    a[k].excluded, a[k].value);
			rc = put_run_ref(pc, &run, &ref);
		}
		blob_put(&refs, &ref, sizeof(ref));
		if (rc == 0 && refs.oom)
			rc = STORE_ENOMEM;
	}
	g->run_ref = (uint32_t *)(void *)refs.p;
	g->nrun = refs.len / sizeof(uint32_t);
	if (dd) {
		/* (a write made again replaces what the last attempt made) */
		free(dd->multi_out);
		dd->multi_out = (struct ds_ip4_multi *)(void *)multi.p;
		dd->nmulti_out = multi.len / sizeof(struct ds_ip4_multi);
	} else {
		free(multi.p);
	}
	return rc;
}

/* Readies `g` and counts its records into *nsrc (put_src4_intern). */
static int put_src4_open(struct put_ctx *pc, const struct dataset *ds,
			 const uint32_t *gid, struct put_src4 *g, size_t *nsrc)
{
	memset(g, 0, sizeof(*g));
	g->ds = ds;
	g->gid = gid;
	g->a = ds->ip4;
	g->n = ds->nip4;
	*nsrc = 0;
	if (!dataset_ip4_in_order(ds)) {
		g->copy = malloc(g->n * sizeof(*g->copy));
		if (!g->copy)
			return STORE_ENOMEM;
		memcpy(g->copy, g->a, g->n * sizeof(*g->copy));
		if (ds_ip4_sort(g->copy, g->n) < 0)
			return STORE_ENOMEM;
		g->a = g->copy;
	}
	return put_src4_intern(pc, g, nsrc);
}

/* An update's entries (`ds`'s IPv4 entries, sorted, with refs `gid`)
 * packed as SRC4_RECs into *out, one per entry (ref REF_EXCLUDED for an
 * exclusion): STORE_EDELTA for a value the store does not have. */
static int put_delta_recs(const struct dataset *ds, const uint32_t *gid,
			  uint8_t **out)
{
	const struct ds_ip4_entry *a = ds->ip4;
	uint8_t *r = malloc(ds->nip4 * SRC4_REC + 1);

	*out = r;
	if (!r)
		return STORE_ENOMEM;
	for (size_t i = 0; i < ds->nip4; i++, r += SRC4_REC) {
		uint32_t ref = a[i].excluded ? REF_EXCLUDED : gid[a[i].value];

		if (!a[i].excluded && !ref)
			return STORE_EDELTA;   /* a value never stored */
		layout_src4_put(r, a[i].addr, a[i].plen, ref);
	}
	return 0;
}

/* The change of an update's source records and its interval map, both
 * planned from the records around the touched prefixes alone, and
 * written (*written; *nsrc: the source records the dataset has now)
 * unless either plan must write its table whole. */
static int put_delta_write(struct put_ctx *pc, uint32_t dsid,
			   struct store_src4_change *ch, int *written,
			   size_t *nsrc)
{
	struct store_view sv, iv;
	struct store_diff_plan sp, ip;
	struct blob_writer ig = { 0 }, ic = { 0 };
	int rc;

	memset(&sp, 0, sizeof(sp));
	memset(&ip, 0, sizeof(ip));
	memset(&iv, 0, sizeof(iv));
	rc = store_view_open(pc->txn, pc->st->dbi[SDB_SRC4], dsid, SRC4_REC,
			     &sv);
	if (rc == 0)
		rc = store_src4_delta(pc->txn, pc->st, &sv, ch);
	if (rc == 0)
		rc = store_view_open(pc->txn, pc->st->dbi[SDB_IP4], dsid, IP4_REC,
				     &iv);
	if (rc == 0)
		rc = store_ip4_delta(&sv, &iv, ch->gone, ch->ngone, ch->came,
				     ch->ncame, &ig, &ic);
	if (rc == 0)
		rc = store_diff_plan_change(&sv, ch->gone, ch->ngone, ch->came,
					    ch->ncame, &sp);
	if (rc == 0)
		rc = store_diff_plan_change(&iv, ig.p, ig.len / IP4_REC, ic.p,
					    ic.len / IP4_REC, &ip);
	store_view_close(&sv);
	store_view_close(&iv);
	free(ig.p);
	free(ic.p);
	*written = rc == 0 && !store_diff_plan_rewrites(&sp) &&
		   !store_diff_plan_rewrites(&ip);
	if (*written)
		rc = store_diff_apply_fixed(pc->txn, pc->st->dbi[SDB_SRC4], dsid,
					    NULL, SRC4_REC, &sp, &pc->stats);
	if (*written && rc == 0)
		rc = store_diff_apply_fixed(pc->txn, pc->st->dbi[SDB_IP4], dsid,
					    NULL, IP4_REC, &ip, &pc->stats);
	*nsrc = sp.n;
	store_diff_plan_free(&sp);
	store_diff_plan_free(&ip);
	return rc;
}

/* put_src4_open for an update of changed lines (ds->ip4_delta): the
 * records stored, changed by the removed and the added entries, written
 * as a change (*written), or else made whole into g. */
static int put_src4_delta(struct put_ctx *pc, uint32_t dsid,
			  const struct dataset *ds, const uint32_t *gid,
			  struct put_src4 *g, size_t *nsrc, int *written)
{
	struct ds_ip4_delta *dd = ds->ip4_delta;
	const struct dataset *rm = dd->removed;
	struct put_lookup l = { pc->txn, NULL, pc->st->dbi[SDB_VINDEX], rm,
				NULL, 0, rm->nvalues, 0 };
	struct store_src4_change ch;
	uint8_t *del = NULL, *add = NULL;
	int rc;

	memset(g, 0, sizeof(*g));
	*nsrc = 0;
	*written = 0;
	if (ds->type != DS_IP4SET || !dataset_ip4_in_order(ds) ||
	    !dataset_ip4_in_order(rm))
		return STORE_EDELTA;
	/* The removed entries' values are stored: looked up, not made. */
	l.gid = calloc(rm->nvalues + 1, sizeof(*l.gid));
	if (!l.gid)
		return STORE_ENOMEM;
	put_lookup_run(&l);
	rc = l.rc;
	if (rc == 0)
		rc = put_delta_recs(rm, l.gid, &del);
	if (rc == 0)
		rc = put_delta_recs(ds, gid, &add);
	memset(&ch, 0, sizeof(ch));
	ch.del = del;
	ch.ndel = rm->nip4;
	ch.add = add;
	ch.nadd = ds->nip4;
	ch.multi = dd->multi;
	ch.nmulti = dd->nmulti;
	if (rc == 0)
		rc = put_delta_write(pc, dsid, &ch, written, nsrc);
	if (rc == 0 && !*written)
		rc = store_src4_delta_records(pc->txn, pc->st, dsid, &ch,
					      &g->packed, &g->n);
	free(l.gid);
	free(del);
	free(add);
	free(ch.gone);
	free(ch.came);
	free(dd->multi_out);
	dd->multi_out = ch.multi_out;
	dd->nmulti_out = ch.nmulti_out;
	if (!*written)
		*nsrc = g->n;
	return rc;
}

/* An IPv6 entry as it is sorted. */
struct ipsort {
	uint64_t hi, lo;    /* address, big-endian halves */
	uint32_t seq;
	uint32_t value;     /* dataset value index */
	uint8_t plen;
	uint8_t excluded;
};

static int put_ipsort_cmp(const void *a, const void *b)
{
	const struct ipsort *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The IPv6 source records, as put_src4 makes the IPv4 ones. */
static int put_src6(struct put_ctx *pc, const struct dataset *ds,
		    const uint32_t *gid, size_t n, uint8_t **out, size_t *nout)
{
	/* Few and rarely big: a sort record each, then the records. */
	struct ipsort *ix = malloc(n * sizeof(*ix));
	uint8_t *srec = malloc(n * SRC6_REC);
	size_t k = 0, nsrc = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!ix || !srec) {
		free(ix);
		free(srec);
		return STORE_ENOMEM;
	}
	for (size_t i = 0; i < ds->nip; i++) {
		const struct ds_ip_entry *e = &ds->ip[i];
		struct ipsort *s;

		if (e->family != 6)
			continue;
		s = &ix[k++];
		s->hi = be64_get(e->addr);
		s->lo = be64_get(e->addr + 8);
		s->plen = e->plen;
		s->seq = e->seq;
		s->value = e->value;
		s->excluded = e->excluded;
	}
	qsort(ix, n, sizeof(*ix), put_ipsort_cmp);
	for (size_t i = 0; rc == 0 && i < n;) {
		struct put_run run;
		uint32_t ref;
		uint8_t *r = srec + nsrc * SRC6_REC;
		size_t j = i;

		put_run_start(&run);
		for (; j < n && ix[j].hi == ix[i].hi && ix[j].lo == ix[i].lo &&
		       ix[j].plen == ix[i].plen; j++)
			put_run_add(&run, ds->type, gid, ix[j].excluded,
				    ix[j].value);
		rc = put_run_ref(pc, &run, &ref);
		be64_put(r, ix[i].hi);
		be64_put(r + 8, ix[i].lo);
		r[16] = ix[i].plen;
		be32_put(r + 17, ref);
		nsrc++;
		i = j;
	}
	free(ix);
	if (rc) {
		free(srec);
		return rc;
	}
	*out = srec;
	*nout = nsrc;
	return 0;
}

/* The interval map derived as store_diff_fixed_from reads it. */
static int put_derive_read(void *arg, uint8_t *buf, size_t max, size_t *got)
{
	return store_derive_read(arg, buf, max, got);
}

static int put_derive_rewind(void *arg)
{
	return store_derive_rewind(arg);
}

/* The interval map's read pass on another thread, in a read transaction:
 * it sees the snapshot the write transaction started from, and nothing of
 * this dataset is written before both tables' plans are made. */
struct put_plan_job {
	MDB_env *env;
	MDB_dbi dbi;
	uint32_t dsid;
	struct store_rec_source *src;
	struct store_diff_plan plan;
	int rc;
};

static void *put_plan_thread(void *arg)
{
	struct put_plan_job *job = arg;
	MDB_txn *rt = NULL;

	job->rc = mdb_txn_begin(job->env, NULL, MDB_RDONLY, &rt);
	if (job->rc == 0) {
		job->rc = store_diff_plan_fixed(rt, job->dbi, job->dsid, job->src,
						IP4_REC, &job->plan);
		mdb_txn_abort(rt);
	}
	return NULL;
}


/* put_family's IPv4 tables of a big dataset: the source records planned
 * here while another thread derives the interval map and plans it (each
 * from its own reader of the entries), then both written. */
static int put_ip4_tables(struct put_ctx *pc, uint32_t dsid,
			  struct put_src4 *g4)
{
	struct put_src4 g4b = *g4;   /* the other thread's place */
	struct store_rec_source s4 = { put_src4_read, put_src4_rewind, g4 };
	struct store_rec_source s4b = { put_src4_read, put_src4_rewind, &g4b };
	struct store_rec_source ip, s4s;
	struct store_derive_iter *it = NULL;
	struct store_dups_source *stored = NULL;
	struct store_diff_plan sp;
	struct put_plan_job job;
	pthread_t th;
	int rc, started, from_stored;

	memset(&sp, 0, sizeof(sp));
	memset(&job, 0, sizeof(job));
	put_src4_rewind(&g4b);
	rc = store_derive_open(&s4b, 4, &it);
	if (rc)
		return rc;
	ip = (struct store_rec_source){ put_derive_read, put_derive_rewind, it };
	job.env = mdb_txn_env(pc->txn);
	job.dbi = pc->st->dbi[SDB_IP4];
	job.dsid = dsid;
	job.src = &ip;
	started = pthread_create(&th, NULL, put_plan_thread, &job) == 0;
	rc = store_diff_plan_fixed(pc->txn, pc->st->dbi[SDB_SRC4], dsid, &s4,
				   SRC4_REC, &sp);
	if (started)
		pthread_join(th, NULL);
	else   /* no thread: the same plan, here */
		job.rc = store_diff_plan_fixed(pc->txn, job.dbi, dsid, &ip,
					       IP4_REC, &job.plan);
	if (rc == 0)
		rc = job.rc;
	/* Both tables written whole (a new or mostly new dataset): the map
	 * is derived from the source records as just stored, so writing
	 * those is the entries' last reading and can give their pages back
	 * as it goes (spend_ok); else writing the map is. */
	from_stored = rc == 0 && store_diff_plan_rewrites(&sp) &&
		      store_diff_plan_rewrites(&job.plan);
	if (pc->spend_ok) {
		(from_stored ? g4 : &g4b)->spend = 1;
		*pc->spent = 1;
	}
	if (rc == 0)
		rc = store_diff_apply_fixed(pc->txn, pc->st->dbi[SDB_SRC4], dsid,
					    &s4, SRC4_REC, &sp, &pc->stats);
	if (rc == 0 && from_stored) {
		store_derive_close(it);
		it = NULL;
		rc = store_dups_source_open(pc->txn, pc->st->dbi[SDB_SRC4], dsid,
					    SRC4_REC, &stored, &s4s);
		if (rc == 0)
			rc = store_derive_open(&s4s, 4, &it);
		ip.arg = it;
	}
	if (rc == 0)
		rc = store_diff_apply_fixed(pc->txn, job.dbi, dsid, &ip, IP4_REC,
					    &job.plan, &pc->stats);
	store_diff_plan_free(&sp);
	store_diff_plan_free(&job.plan);
	store_derive_close(it);
	store_dups_source_close(stored);
	return rc;
}

/* Builds and diff-writes the src and ip tables of one family.  The IPv4
 * source records and the interval map are made while they are written
 * (the map from the records, they from the dataset), never held whole:
 * the write transaction's dirty pages grow meanwhile. */
static int put_family(struct put_ctx *pc, uint32_t dsid,
		      const struct dataset *ds, const uint32_t *gid,
		      int family, uint64_t *entries)
{
	struct put_src4 g4 = { .copy = NULL };
	struct store_rec_array a6;
	struct store_rec_source src;
	struct store_derive_iter *it = NULL;
	uint8_t *srec6 = NULL;
	size_t n = 0, nsrc = 0;
	int rc = 0;

	if (family == 4) {
		int written = 0;

		rc = ds->ip4_delta && ds->ip4_delta->update ?
		     put_src4_delta(pc, dsid, ds, gid, &g4, &nsrc, &written) :
		     put_src4_open(pc, ds, gid, &g4, &nsrc);
		src = (struct store_rec_source){ put_src4_read,
						 put_src4_rewind, &g4 };
		if (rc == 0 && written)
			goto out;
		if (rc == 0 && g4.n) {
			rc = put_ip4_tables(pc, dsid, &g4);
			goto out;
		}
	} else {
		for (size_t i = 0; i < ds->nip; i++)
			n += ds->ip[i].family == 6;
		if (n)
			rc = put_src6(pc, ds, gid, n, &srec6, &nsrc);
		src = store_rec_array_source(&a6, srec6, nsrc, SRC6_REC);
	}
	if (rc == 0)
		rc = store_diff_fixed_from(pc->txn,
					   pc->st->dbi[family == 4 ? SDB_SRC4 :
						       SDB_SRC6],
					   dsid, &src, layout_src_size(family),
					   &pc->stats);
	if (rc == 0)
		rc = src.rewind(src.arg);
	if (rc == 0)
		rc = store_derive_open(&src, family, &it);
	if (rc == 0) {
		struct store_rec_source ip = { put_derive_read,
					       put_derive_rewind, it };

		rc = store_diff_fixed_from(pc->txn,
					   pc->st->dbi[family == 4 ? SDB_IP4 :
						       SDB_IP6],
					   dsid, &ip, layout_ip_size(family),
					   &pc->stats);
	}
out:
	store_derive_close(it);
	free(g4.copy);
	free(g4.run_ref);
	free(g4.packed);
	free(srec6);
	if (rc == 0)
		*entries += nsrc;
	return rc;
}

/* ---- name datasets ------------------------------------------------------ */

struct dnsort {
	const uint8_t *key;   /* in the arena, allocated once */
	uint16_t klen;
	uint32_t seq, idx;
};

static int put_dnsort_cmp(const void *a, const void *b)
{
	const struct dnsort *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Builds the dn table records of a dnset or generic dataset. */
static int put_names(struct put_ctx *pc, uint32_t dsid,
		     const struct dataset *ds, const uint32_t *gid,
		     uint64_t *entries)
{
	int generic = ds->type == DS_GENERIC;
	size_t n = generic ? ds->nrr : ds->ndn, nrec = 0;
	size_t asize = 1, dsize = 1, doff = 0;
	struct dnsort *ix = NULL;
	struct store_vrec *recs = NULL;
	uint8_t *arena = NULL, *data = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		asize += 4 + wname_len(generic ? ds->rr[i].name : ds->dn[i].name) + 4;
		dsize += generic ? 9u + ds->rr[i].rdlen : 4u;
	}
	ix = malloc((n ? n : 1) * sizeof(*ix));
	recs = malloc((n ? n : 1) * sizeof(*recs));
	arena = malloc(asize);
	data = malloc(dsize);
	if (!ix || !recs || !arena || !data) {
		rc = STORE_ENOMEM;
		goto out;
	}
	for (size_t i = 0, aoff = 0; i < n; i++) {
		const uint8_t *name = generic ? ds->rr[i].name : ds->dn[i].name;
		int klen = store_dnkey(dsid, name, arena + aoff, NULL, NULL, NULL);

		if (klen < 0) {
			store_seterr(pc->err, pc->errlen, "entry %zu: malformed name", i);
			rc = STORE_EINVAL;
			goto out;
		}
		if (!generic && ds->dn[i].wild) {
			arena[aoff + klen++] = 1;
			arena[aoff + klen++] = '*';
		}
		arena[aoff + klen] = 0;
		arena[aoff + klen + 1] = generic ? DNK_RRS :
			ds->dn[i].wild ? DNK_WILD : DNK_EXACT;
		ix[i].key = arena + aoff;
		ix[i].klen = (uint16_t)(klen + 2);
		ix[i].seq = generic ? ds->rr[i].seq : ds->dn[i].seq;
		ix[i].idx = (uint32_t)i;
		aoff += (size_t)klen + 2;
	}
	if (n)
		qsort(ix, n, sizeof(*ix), put_dnsort_cmp);
	for (size_t i = 0; rc == 0 && i < n;) {
		size_t j = i;
		struct store_vrec *r = &recs[nrec++];

		while (j < n && ix[j].klen == ix[i].klen &&
		       memcmp(ix[j].key, ix[i].key, ix[i].klen) == 0)
			j++;
		r->key = ix[i].key;
		r->klen = ix[i].klen;
		r->data = data + doff;
		if (generic) {
			/* All of the name's records, in data order. */
			for (size_t k = i; k < j; k++) {
				const struct ds_rr *rr = &ds->rr[ix[k].idx];
				uint8_t *p = data + doff;

				p[0] = (uint8_t)(rr->type >> 8);
				p[1] = (uint8_t)rr->type;
				be32_put(p + 2, rr->ttl);
				p[6] = rr->rel_target ? 1 : 0;
				p[7] = (uint8_t)(rr->rdlen >> 8);
				p[8] = (uint8_t)rr->rdlen;
				if (rr->rdlen)
					memcpy(p + 9, rr->rdata, rr->rdlen);
				doff += 9u + rr->rdlen;
			}
			*entries += j - i;
		} else {
			uint32_t ids[STORE_MAX_MATCH], ref = REF_EXCLUDED;
			size_t nids = 0;
			int excl = 0;

			for (size_t k = i; k < j; k++) {
				const struct ds_dn_entry *e = &ds->dn[ix[k].idx];

				if (e->excluded)
					excl = 1;
				else
					put_union_add(ids, &nids, gid[e->value]);
			}
			if (!excl)
				rc = put_union(pc, ids, nids, &ref);
			be32_put(data + doff, ref);
			doff += 4;
			*entries += 1;
		}
		r->dlen = (uint32_t)(data + doff - r->data);
		i = j;
	}
	if (rc == 0)
		rc = store_diff_var(pc->txn, pc->st->dbi[SDB_DN], dsid, recs, nrec,
				    &pc->stats);
out:
	free(ix);
	free(recs);
	free(arena);
	free(data);
	return rc;
}

/* Writes every record table of `dsid` for `ds` (NULL: none, as for a
 * combined parent), each as a diff. */
static int put_records(struct put_ctx *pc, uint32_t dsid,
		       const struct dataset *ds, uint64_t *entries)
{
	static const struct dataset empty;
	uint32_t *gid = NULL;
	int rc;

	if (!ds || ds->type == DS_COMBINED)
		ds = &empty;
	rc = put_values(pc, ds, &gid);
	if (rc == 0)
		rc = put_family(pc, dsid, ds, gid, 4, entries);
	if (rc == 0)
		rc = put_family(pc, dsid, ds, gid, 6, entries);
	if (rc == 0 && (ds->type == DS_DNSET || ds->type == DS_GENERIC))
		rc = put_names(pc, dsid, ds, gid, entries);
	else if (rc == 0)
		rc = store_diff_var(pc->txn, pc->st->dbi[SDB_DN], dsid, NULL, 0,
				    &pc->stats);
	free(gid);
	return rc;
}

/* ---- datasets ----------------------------------------------------------- */

static int put_name_get(struct put_ctx *pc, const char *name, uint32_t *dsid)
{
	MDB_val k = { strlen(name), (void *)name }, d;
	int rc = mdb_get(pc->txn, pc->st->dbi[SDB_NAMES], &k, &d);

	if (rc)
		return rc;
	if (d.mv_size != 5)
		return STORE_EINVAL;
	*dsid = be32_get(d.mv_data);
	return 0;
}

/* Reads and decodes the stored metadata of `dsid`; *blob is a copy. */
static int put_meta_load(struct put_ctx *pc, uint32_t dsid, uint8_t **blob,
		     size_t *len, struct store_dsmeta **m, uint32_t **cids)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, d;
	int rc;

	be32_put(kb, dsid);
	rc = mdb_get(pc->txn, pc->st->dbi[SDB_META], &k, &d);
	if (rc)
		return rc;
	*blob = malloc(d.mv_size ? d.mv_size : 1);
	if (!*blob)
		return STORE_ENOMEM;
	memcpy(*blob, d.mv_data, d.mv_size);
	*len = d.mv_size;
	rc = store_meta_decode(*blob, *len, dsid, m, cids);
	if (rc) {
		free(*blob);
		*blob = NULL;
	}
	return rc;
}

static int put_drop_one(struct put_ctx *pc, const char *name)
{
	uint8_t kb[4], *blob = NULL;
	MDB_val k = { 4, kb }, nk = { strlen(name), (void *)name };
	struct store_dsmeta *m = NULL;
	uint32_t dsid, *cids = NULL;
	size_t len;
	int rc;

	rc = put_name_get(pc, name, &dsid);
	if (rc)
		return rc;
	rc = put_meta_load(pc, dsid, &blob, &len, &m, &cids);
	if (rc && rc != MDB_NOTFOUND && rc != STORE_EINVAL)
		return rc;   /* an unreadable record is dropped all the same */
	rc = 0;
	for (size_t i = 0; m && rc == 0 && i < m->nchildren; i++) {
		char cname[256];

		snprintf(cname, sizeof(cname), "%s/%zu", name, i + 1);
		rc = put_drop_one(pc, cname);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	be32_put(kb, dsid);
	for (int t = SDB_SRC4; rc == 0 && t <= SDB_IP6; t++) {
		rc = mdb_del(pc->txn, pc->st->dbi[t], &k, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc == 0)
		rc = store_overlay_drop(pc->txn, pc->st, dsid);
	if (rc == 0)
		rc = store_clear_range(pc->txn, pc->st->dbi[SDB_DN], dsid);
	if (rc == 0 && pc->st->dbi[SDB_TRAP])   /* a trap dataset's counters */
		rc = store_clear_range(pc->txn, pc->st->dbi[SDB_TRAP], dsid);
	if (rc == 0) {
		rc = mdb_del(pc->txn, pc->st->dbi[SDB_META], &k, NULL);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc == 0)
		rc = mdb_del(pc->txn, pc->st->dbi[SDB_NAMES], &nk, NULL);
	free(blob);
	free(cids);
	store_dsmeta_free(m);
	return rc;
}

static int put_one(struct put_ctx *pc, const char *name,
		   const struct dataset *ds, const struct store_source *srcs,
		   size_t nsrcs, int hidden, uint32_t *dsid_out,
		   int *changed_out, uint64_t *entries_out);

/* Writes the sections of a combined dataset as hidden children. */
static int put_children(struct put_ctx *pc, const char *name,
			const struct dataset *ds, uint32_t *cids,
			int *changed, uint64_t *entries)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < ds->nchildren; i++) {
		char cname[256];
		int cch = 0;

		snprintf(cname, sizeof(cname), "%s/%zu", name, i + 1);
		rc = put_one(pc, cname, ds->children[i].data, NULL, 0, 1,
			     &cids[i], &cch, entries);
		*changed |= cch;
	}
	return rc;
}

static int put_one(struct put_ctx *pc, const char *name,
		   const struct dataset *ds, const struct store_source *srcs,
		   size_t nsrcs, int hidden, uint32_t *dsid_out,
		   int *changed_out, uint64_t *entries_out)
{
	uint8_t kb[5], *oldblob = NULL, *blob = NULL;
	size_t oldlen = 0, len, ncid = ds->type == DS_COMBINED ? ds->nchildren : 0;
	struct store_dsmeta *old = NULL;
	uint32_t dsid = 0, *oldcids = NULL, *cids = NULL;
	uint64_t entries = 0, moved = pc->stats.added + pc->stats.removed;
	struct store_meta_in in;
	int changed = 0, rc;

	rc = put_name_get(pc, name, &dsid);
	if (rc == MDB_NOTFOUND) {
		uint64_t next;
		MDB_val k = { strlen(name), (void *)name }, d = { 5, kb };

		changed = 1;
		rc = store_info_get(pc->txn, pc->st, "next_dsid", &next, 1);
		if (rc == 0 && next > DSID_MAX)
			rc = STORE_ENOMEM;
		if (rc == 0) {
			dsid = (uint32_t)next;
			be32_put(kb, dsid);
			kb[4] = hidden ? NAME_HIDDEN : 0;
			rc = mdb_put(pc->txn, pc->st->dbi[SDB_NAMES], &k, &d, 0);
		}
		if (rc == 0)
			rc = store_info_put(pc->txn, pc->st, "next_dsid", next + 1, 4);
	} else if (rc == 0) {
		rc = put_meta_load(pc, dsid, &oldblob, &oldlen, &old, &oldcids);
		if (rc == MDB_NOTFOUND || rc == STORE_EINVAL) {
			/* Missing or unreadable metadata: rewrite it. */
			changed = 1;
			rc = 0;
		}
	}
	if (rc)
		goto out;
	cids = calloc(ncid ? ncid : 1, sizeof(*cids));
	if (!cids) {
		rc = STORE_ENOMEM;
		goto out;
	}
	if (ncid)
		rc = put_children(pc, name, ds, cids, &changed, &entries);
	/* Sections the dataset no longer has. */
	for (size_t i = ncid; rc == 0 && old && i < old->nchildren; i++) {
		char cname[256];

		snprintf(cname, sizeof(cname), "%s/%zu", name, i + 1);
		rc = put_drop_one(pc, cname);
		if (rc == MDB_NOTFOUND)
			rc = 0;
		changed = 1;
	}
	if (rc == 0)
		rc = put_records(pc, dsid, ds, &entries);
	if (rc)
		goto out;
	if (pc->stats.added + pc->stats.removed != moved)
		changed = 1;

	memset(&in, 0, sizeof(in));
	in.name = name;
	in.type = ds->type;
	in.meta = &ds->meta;
	in.children = ds->children;
	in.child_dsids = cids;
	in.nchildren = ncid;
	in.loaded_at = pc->now;
	in.entries = entries;
	in.sources = srcs;
	in.nsources = nsrcs;
	for (size_t i = 0; i < nsrcs; i++)
		if (srcs[i].mtime > in.newest_mtime)
			in.newest_mtime = srcs[i].mtime;
	rc = store_meta_encode(&in, &blob, &len);
	if (rc)
		goto out;
	if (!changed) {
		const uint8_t *oc, *nc;
		size_t ocl, ncl;

		if (store_meta_content(oldblob, oldlen, &oc, &ocl) ||
		    store_meta_content(blob, len, &nc, &ncl) ||
		    ocl != ncl || memcmp(oc, nc, ncl) != 0)
			changed = 1;
	}
	in.serial = old ? old->serial : 0;
	if (changed)
		rc = store_next_serial(pc->txn, pc->st, in.serial, pc->now,
				       &in.serial);
	if (rc)
		goto out;
	free(blob);
	blob = NULL;
	rc = store_meta_encode(&in, &blob, &len);
	if (rc == 0) {
		MDB_val k = { 4, kb }, d = { len, blob };

		be32_put(kb, dsid);
		rc = mdb_put(pc->txn, pc->st->dbi[SDB_META], &k, &d, 0);
	}
	if (rc == 0) {
		*dsid_out = dsid;
		*changed_out = changed;
		*entries_out += entries;
		blob_put(&pc->written, &dsid, sizeof(dsid));
		if (pc->written.oom)
			rc = STORE_ENOMEM;
	}
out:
	free(oldblob);
	free(oldcids);
	free(cids);
	free(blob);
	store_dsmeta_free(old);
	return rc;
}

/* One store_put_dataset transaction (store_write_txn may run it again). */
struct put_job {
	struct put_ctx pc;
	const char *name;
	const struct dataset *ds;
	const struct store_source *sources;
	size_t nsources;
	int spend_ok, spent;
};

static void put_ctx_init(struct put_ctx *pc, struct store *st, MDB_txn *txn,
			 char *err, size_t errlen)
{
	memset(pc, 0, sizeof(*pc));
	pc->st = st;
	pc->txn = txn;
	pc->now = (int64_t)time(NULL);
	pc->err = err;
	pc->errlen = errlen;
}

static int put_txn(MDB_txn *txn, void *arg)
{
	struct put_job *job = arg;
	struct put_ctx *pc = &job->pc;
	uint64_t entries = 0;
	uint32_t dsid;
	int changed, rc;

	free(pc->written.p);   /* a retried transaction starts over */
	put_ctx_init(pc, pc->st, txn, pc->err, pc->errlen);
	if (job->spent)        /* ... but without the entries it gave back */
		return STORE_ESPENT;
	pc->spend_ok = job->spend_ok;
	pc->spent = &job->spent;
	rc = put_one(pc, job->name, job->ds, job->sources, job->nsources, 0,
		     &dsid, &changed, &entries);
	if (rc == 0)
		rc = store_bump_generation(txn, pc->st);
	pc->stats.entries = entries;
	return rc;
}

/* Folds the overlays that grew big (store_overlay.h), in a transaction
 * of their own: the answers have the load already, so an update is as
 * quick as its change and the rewrite of the pages comes after it. */
struct fold_job {
	const struct store *st;
	const struct blob_writer *dsids;
};

static int fold_txn(MDB_txn *txn, void *arg)
{
	const struct fold_job *job = arg;
	size_t n = job->dsids->len / sizeof(uint32_t);
	int rc = 0, folded = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint32_t dsid;

		memcpy(&dsid, job->dsids->p + i * sizeof(dsid), sizeof(dsid));
		if (store_overlay_due(txn, job->st, dsid)) {
			rc = store_overlay_fold(txn, job->st, dsid);
			folded = 1;
		}
	}
	return rc ? rc : folded ? store_bump_generation(txn, job->st) : 0;
}

static void put_fold(struct store *st, const struct blob_writer *dsids)
{
	struct fold_job job = { st, dsids };
	char err[256];

	/* A failed fold leaves the overlay as it was: still right. */
	(void)store_write_txn(st, fold_txn, &job, err, sizeof(err));
}

int store_put_dataset(struct store *st, const char *name,
		      const struct dataset *ds,
		      const struct store_source *sources, size_t nsources,
		      struct store_apply_stats *stats, char *err, size_t errlen)
{
	struct put_job job = { .name = name, .ds = ds, .sources = sources,
			       .nsources = nsources };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!st || !ds || (st->flags & STORE_READONLY)) {
		store_seterr(err, errlen, "store_put_dataset: %s",
			     st && ds ? "store opened read-only" : "bad argument");
		return STORE_EINVAL;
	}
	if ((rc = store_validate_name(name, err, errlen)) != 0)
		return rc;
	if ((rc = store_validate(ds, 0, err, errlen)) != 0)
		return rc;
	put_ctx_init(&job.pc, st, NULL, err, errlen);
	/* Entries given back cannot be read again: only when the map has
	 * room for all the write can make (a source and two interval records
	 * an entry, a value and its index entry a value, twice over for
	 * pages half full) is it sure not to be retried for want of room.
	 * The map is address space, not file. */
	job.spend_ok = ds->ip4_spendable && ds->nip4 &&
		       store_reserve(st, ((uint64_t)ds->nip4 *
					  (SRC4_REC + 2 * IP4_REC) +
					  (uint64_t)ds->nvalues *
					  2 * (VALREC_MAX + 16)) * 2) == 0;
	rc = store_write_txn(st, put_txn, &job, err, errlen);
	if (rc) {
		free(job.pc.written.p);
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "storing dataset %s: %s", name,
				     store_strerror(rc));
		return store_rc(rc);
	}
	if (stats)
		*stats = job.pc.stats;
	if (ds->ip4_spendable && ds->nip4) {
		/* Not read again (a fold reads the store): all their pages
		 * go back before the fold makes its own. */
		size_t done = 0;

		mem_giveback(ds->ip4, &done, ds->nip4 * sizeof(*ds->ip4), 1);
	}
	put_fold(st, &job.pc.written);
	free(job.pc.written.p);
	return STORE_OK;
}

struct drop_job {
	struct put_ctx pc;
	const char *name;
};

static int drop_txn(MDB_txn *txn, void *arg)
{
	struct drop_job *job = arg;
	int rc;

	put_ctx_init(&job->pc, job->pc.st, txn, job->pc.err, job->pc.errlen);
	rc = put_drop_one(&job->pc, job->name);
	return rc ? rc : store_bump_generation(txn, job->pc.st);
}

int store_drop_dataset(struct store *st, const char *name,
		       char *err, size_t errlen)
{
	struct drop_job job = { .name = name };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!st || (st->flags & STORE_READONLY)) {
		store_seterr(err, errlen, "store_drop_dataset: store opened read-only");
		return STORE_EINVAL;
	}
	if ((rc = store_validate_name(name, err, errlen)) != 0)
		return rc;
	put_ctx_init(&job.pc, st, NULL, err, errlen);
	rc = store_write_txn(st, drop_txn, &job, err, errlen);
	if (rc) {
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "dropping dataset %s: %s", name,
				     rc == MDB_NOTFOUND ? "not stored" :
				     store_strerror(rc));
		return store_rc(rc);
	}
	return STORE_OK;
}
