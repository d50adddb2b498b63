/* store_zones.c -- the config's zone table as one record in the store.
 *
 * Why: the server takes its zones from the config at start; to let a zone
 * change reach a running server with no restart (and to keep the zones and
 * the datasets they name in one consistent snapshot), the loader stores the
 * table under info key "zones" and the server reads it like any dataset.
 *
 * Record: version u8, table serial u32, count u32, then per zone
 *   serial u32, content length u32, content:
 *     name str, wname wire, ndatasets u16 + str each, acl (u8 0/1 + str),
 *     soa present u8 [mname wire, rname wire, ttl refresh retry expire
 *     minimum u32], nns u16 + wire each, ttl u32, and only in a policy
 *     zone: ncountries u16 + 2 letters each, nasns u16 + u32 each
 * where str = u16 length + bytes and wire = u16 length + an uncompressed
 * wire name.  The writer compares each zone's content with the stored one
 * of the same name, so an unchanged zone keeps its serial.  Every read is
 * bounds-checked: a damaged record is STORE_EINVAL, never an over-read.
 */
#include "store_private.h"
#include "store_blob.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"

#define ZONES_VERSION 1
#define ZONES_KEY "zones"

/* ---- encoding ----------------------------------------------------------- */

/* Strings and names carry a u16 length. */
static void zbuf_str(struct blob_writer *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff) {
		b->oom = 1;
		return;
	}
	blob_put_u16(b, (uint16_t)n);
	blob_put(b, s, n);
}

static void zbuf_wire(struct blob_writer *b, const uint8_t *w)
{
	size_t n = wname_len(w);

	blob_put_u16(b, (uint16_t)n);
	blob_put(b, w, n);
}

/* One zone's content part (everything but its serial). */
static void zones_encode_content(struct blob_writer *b, const struct cfg_zone *z)
{
	zbuf_str(b, z->name);
	zbuf_wire(b, z->wname);
	blob_put_u16(b, (uint16_t)z->ndatasets);
	for (size_t i = 0; i < z->ndatasets; i++)
		zbuf_str(b, z->datasets[i]);
	blob_put_u8(b, z->acl != NULL);
	if (z->acl)
		zbuf_str(b, z->acl);
	blob_put_u8(b, z->soa.present != 0);
	if (z->soa.present) {
		zbuf_wire(b, z->soa.mname);
		zbuf_wire(b, z->soa.rname);
		blob_put_u32(b, z->soa.ttl);
		blob_put_u32(b, z->soa.refresh);
		blob_put_u32(b, z->soa.retry);
		blob_put_u32(b, z->soa.expire);
		blob_put_u32(b, z->soa.minimum);
	}
	blob_put_u16(b, (uint16_t)z->nns);
	for (size_t i = 0; i < z->nns; i++)
		zbuf_wire(b, z->ns[i]);
	blob_put_u32(b, z->ttl);
	/* A policy zone's filters follow only when there are some, so the
	 * record of any other zone is as it always was. */
	if (z->ncountries || z->nasns) {
		blob_put_u16(b, (uint16_t)z->ncountries);
		for (size_t i = 0; i < z->ncountries; i++)
			blob_put(b, z->countries[i], 2);
		blob_put_u16(b, (uint16_t)z->nasns);
		for (size_t i = 0; i < z->nasns; i++)
			blob_put_u32(b, z->asns[i]);
	}
}

/* ---- decoding ----------------------------------------------------------- */

static char *zrd_str(struct blob_reader *r)
{
	return blob_strdup(r, blob_u16(r));
}

static uint8_t *zrd_wire(struct blob_reader *r)
{
	return blob_wname(r, blob_u16(r));
}

static void zones_free_zone(struct cfg_zone *z)
{
	free(z->name);
	free(z->wname);
	for (size_t i = 0; z->datasets && i < z->ndatasets; i++)
		free(z->datasets[i]);
	free(z->datasets);
	free(z->acl);
	free(z->soa.mname);
	free(z->soa.rname);
	for (size_t i = 0; z->ns && i < z->nns; i++)
		free(z->ns[i]);
	free(z->ns);
	free(z->countries);
	free(z->asns);
	memset(z, 0, sizeof(*z));
}

/* A policy zone's `countries` and `asns`. */
static void zones_decode_geo(struct blob_reader *r, struct cfg_zone *z)
{
	z->ncountries = blob_u16(r);
	z->countries = calloc(z->ncountries ? z->ncountries : 1,
			      sizeof(*z->countries));
	for (size_t i = 0; z->countries && !r->bad && i < z->ncountries; i++) {
		const uint8_t *cc = blob_take(r, 2);

		if (cc)
			memcpy(z->countries[i], cc, 2);
	}
	z->nasns = r->bad ? 0 : blob_u16(r);
	z->asns = calloc(z->nasns ? z->nasns : 1, sizeof(*z->asns));
	for (size_t i = 0; z->asns && !r->bad && i < z->nasns; i++)
		z->asns[i] = blob_u32(r);
	if (!z->countries || !z->asns)
		r->bad = 1;
}

static int zones_decode_content(struct blob_reader *r, struct cfg_zone *z)
{
	memset(z, 0, sizeof(*z));
	z->name = zrd_str(r);
	z->wname = zrd_wire(r);
	z->ndatasets = blob_u16(r);
	if (!r->bad) {
		z->datasets = calloc(z->ndatasets ? z->ndatasets : 1,
				     sizeof(*z->datasets));
		if (!z->datasets)
			r->bad = 1;
	}
	for (size_t i = 0; !r->bad && i < z->ndatasets; i++)
		z->datasets[i] = zrd_str(r);
	if (blob_u8(r))
		z->acl = zrd_str(r);
	z->soa.present = blob_u8(r);
	if (z->soa.present && !r->bad) {
		z->soa.mname = zrd_wire(r);
		z->soa.rname = zrd_wire(r);
		z->soa.ttl = blob_u32(r);
		z->soa.refresh = blob_u32(r);
		z->soa.retry = blob_u32(r);
		z->soa.expire = blob_u32(r);
		z->soa.minimum = blob_u32(r);
	}
	z->nns = blob_u16(r);
	if (!r->bad) {
		z->ns = calloc(z->nns ? z->nns : 1, sizeof(*z->ns));
		if (!z->ns)
			r->bad = 1;
	}
	for (size_t i = 0; !r->bad && i < z->nns; i++)
		z->ns[i] = zrd_wire(r);
	z->ttl = blob_u32(r);
	if (!r->bad && r->p != r->end)
		zones_decode_geo(r, z);
	if (r->bad || r->p != r->end) {
		zones_free_zone(z);
		return STORE_EINVAL;
	}
	return 0;
}

void store_zones_free(struct store_zones *zt)
{
	if (!zt)
		return;
	for (size_t i = 0; zt->zones && i < zt->nzones; i++)
		zones_free_zone(&zt->zones[i]);
	free(zt->zones);
	free(zt->serials);
	free(zt);
}

/* One zone's view inside a stored record, for the writer's comparison. */
struct zview {
	uint32_t serial;
	const uint8_t *content;
	uint32_t clen;
	char name[256];
};

/* Splits a stored record into per-zone views (malloc'd array).  0 or
 * STORE_EINVAL / STORE_ENOMEM. */
static int zones_split(const uint8_t *blob, size_t len, uint32_t *serial,
		       struct zview **out, size_t *count)
{
	struct blob_reader r = { blob, blob + len, 0 };
	struct zview *v;
	uint32_t n;

	*out = NULL;
	*count = 0;
	if (blob_u8(&r) != ZONES_VERSION)
		return STORE_EINVAL;
	*serial = blob_u32(&r);
	n = blob_u32(&r);
	if (r.bad || n > len / 8)
		return STORE_EINVAL;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return STORE_ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct blob_reader c;
		uint16_t nl;
		const uint8_t *np;

		v[i].serial = blob_u32(&r);
		v[i].clen = blob_u32(&r);
		v[i].content = blob_take(&r, v[i].clen);
		if (r.bad)
			break;
		c.p = v[i].content;
		c.end = c.p + v[i].clen;
		c.bad = 0;
		nl = blob_u16(&c);
		np = blob_take(&c, nl);
		if (!np || nl >= sizeof(v[i].name)) {
			r.bad = 1;
			break;
		}
		memcpy(v[i].name, np, nl);
		v[i].name[nl] = '\0';
	}
	if (r.bad || r.p != r.end) {
		free(v);
		return STORE_EINVAL;
	}
	*out = v;
	*count = n;
	return 0;
}

int store_get_zones(struct store_reader *rd, struct store_zones **out)
{
	MDB_val k = { strlen(ZONES_KEY), (void *)ZONES_KEY }, d;
	struct store_zones *zt;
	struct zview *v;
	size_t n;
	uint32_t serial;
	int rc;

	*out = NULL;
	if (!rd || !rd->active)
		return STORE_EINVAL;
	rc = mdb_get(rd->txn, rd->st->dbi[SDB_INFO], &k, &d);
	if (rc)
		return store_rc(rc);
	rc = zones_split(d.mv_data, d.mv_size, &serial, &v, &n);
	if (rc)
		return rc;
	zt = calloc(1, sizeof(*zt));
	if (zt) {
		zt->zones = calloc(n ? n : 1, sizeof(*zt->zones));
		zt->serials = calloc(n ? n : 1, sizeof(*zt->serials));
	}
	if (!zt || !zt->zones || !zt->serials) {
		store_zones_free(zt);
		free(v);
		return STORE_ENOMEM;
	}
	zt->serial = serial;
	for (size_t i = 0; i < n; i++) {
		struct blob_reader r = { v[i].content, v[i].content + v[i].clen, 0 };

		rc = zones_decode_content(&r, &zt->zones[i]);
		if (rc) {
			store_zones_free(zt);
			free(v);
			return rc;
		}
		zt->serials[i] = v[i].serial;
		zt->nzones = i + 1;
	}
	free(v);
	*out = zt;
	return STORE_OK;
}

/* ---- writing ------------------------------------------------------------ */

/* A serial that is newer than `old`, close to the wall clock. */
static uint32_t zones_next_serial(uint32_t old, int64_t now)
{
	int64_t s = now > (int64_t)old ? now : (int64_t)old + 1;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* Builds the new record from `zones` against the stored views `old`;
 * sets *changed.  0 or STORE_ENOMEM. */
static int zones_build(const struct cfg_zone *zones, size_t nzones,
		       const struct zview *old, size_t nold, uint32_t oldserial,
		       int have_old, int64_t now, struct blob_writer *out,
		       int *changed)
{
	struct blob_writer body = { 0 }, c = { 0 };
	int ch = !have_old || nold != nzones;

	for (size_t i = 0; i < nzones; i++) {
		const struct zview *o = NULL;
		size_t oi = 0;
		uint32_t serial;

		c.len = 0;
		zones_encode_content(&c, &zones[i]);
		if (c.oom)
			break;
		for (size_t j = 0; j < nold; j++)
			if (strcmp(old[j].name, zones[i].name) == 0) {
				o = &old[j];
				oi = j;
			}
		if (o && o->clen == c.len && memcmp(o->content, c.p, c.len) == 0) {
			serial = o->serial;
			/* Same zones in another order is still a change of the
			 * table (zones_find prefers the longest match anyway). */
			if (oi != i)
				ch = 1;
		} else {
			serial = zones_next_serial(o ? o->serial : 0, now);
			ch = 1;
		}
		blob_put_u32(&body, serial);
		blob_put_u32(&body, (uint32_t)c.len);
		blob_put(&body, c.p, c.len);
	}
	free(c.p);
	if (c.oom || body.oom) {
		free(body.p);
		return STORE_ENOMEM;
	}
	blob_put_u8(out, ZONES_VERSION);
	blob_put_u32(out, ch ? zones_next_serial(oldserial, now) : oldserial);
	blob_put_u32(out, (uint32_t)nzones);
	blob_put(out, body.p, body.len);
	free(body.p);
	*changed = ch;
	return out->oom ? STORE_ENOMEM : 0;
}

/* One store_put_zones transaction (store_write_txn may run it again). */
struct zones_job {
	const struct cfg_zone *zones;
	size_t nzones;
	int changed;
	struct store *st;
};

static int zones_put_txn(MDB_txn *txn, void *arg)
{
	struct zones_job *job = arg;
	struct store *st = job->st;
	MDB_val k = { strlen(ZONES_KEY), (void *)ZONES_KEY }, d;
	struct zview *old = NULL;
	size_t nold = 0;
	uint32_t oldserial = 0;
	int have_old = 0, rc;
	struct blob_writer rec = { 0 };

	job->changed = 0;
	rc = mdb_get(txn, st->dbi[SDB_INFO], &k, &d);
	if (rc == 0) {
		/* A damaged record is simply replaced (every zone changes). */
		if (zones_split(d.mv_data, d.mv_size, &oldserial, &old,
				&nold) == 0)
			have_old = 1;
	} else if (rc == MDB_NOTFOUND) {
		rc = 0;
	}
	if (rc == 0)
		rc = zones_build(job->zones, job->nzones, old, nold, oldserial,
				 have_old, (int64_t)time(NULL), &rec,
				 &job->changed);
	/* Nothing changed: nothing is written, the generation stays. */
	if (rc == 0 && job->changed) {
		d.mv_size = rec.len;
		d.mv_data = rec.p;
		rc = mdb_put(txn, st->dbi[SDB_INFO], &k, &d, 0);
		if (rc == 0)
			rc = store_bump_generation(txn, st);
	}
	free(old);
	free(rec.p);
	return rc;
}

int store_put_zones(struct store *st, const struct cfg_zone *zones,
		    size_t nzones, int *changed, char *err, size_t errlen)
{
	struct zones_job job = { .zones = zones, .nzones = nzones, .st = st };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (changed)
		*changed = 0;
	if (!st || (st->flags & STORE_READONLY) || (nzones && !zones)) {
		store_seterr(err, errlen, "store_put_zones: %s",
			     st && (st->flags & STORE_READONLY) ?
			     "store opened read-only" : "bad argument");
		return STORE_EINVAL;
	}
	for (size_t i = 0; i < nzones; i++) {
		if (!zones[i].name || !zones[i].wname ||
		    strlen(zones[i].name) > 255 || zones[i].ndatasets > 0xffff ||
		    zones[i].nns > 0xffff ||
		    (zones[i].soa.present &&
		     (!zones[i].soa.mname || !zones[i].soa.rname))) {
			store_seterr(err, errlen, "store_put_zones: zone %zu "
				     "(%s) is incomplete", i,
				     zones[i].name ? zones[i].name : "?");
			return STORE_EINVAL;
		}
	}
	rc = store_write_txn(st, zones_put_txn, &job, err, errlen);
	if (rc) {
		if (!err || !errlen || !err[0])
			store_seterr(err, errlen, "storing the zone table: %s",
				     rc == STORE_ENOMEM ? "out of memory" :
				     store_strerror(rc));
		return store_rc(rc);
	}
	if (changed)
		*changed = job.changed;
	return STORE_OK;
}
