/* dnsbl_ctl_export.c -- dnsbl-ctl export DATASET: the data back out.
 *
 * --format rbldnsd (the default) writes the dataset as an rbldnsd data
 * file of its type that loads back to the same answers: the `$` lines that
 * shape answers ($SOA $NS $TTL $TIMESTAMP $0-$9 $=), then every stored
 * entry with its values written out (`:A:TXT`, or `:A:` for no TXT), so
 * no default line or file boundary can change what it means.  ip4set
 * ranges come out as the prefixes they were stored as.  The test
 * (test_dnsbl_ctl.sh) loads each type's export and compares it and the
 * answers with the original.  --format bind is lib/zonedump.c's BIND zone
 * file, as `rbldnsd -d` writes it, for the zone that serves the dataset.
 */
#include "dnsbl_ctl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dname.h"
#include "dnsbl_ctl_export_geo.h"
#include "zonedump.h"

struct export {
	struct store_reader *rd;
	FILE *out;
	enum ds_type type;
	uint32_t tset_value;     /* ip4tset/ip6tset: the one value, 0 unset */
	int mixed;               /* a tset whose entries differ */
	int err;
};

static int export_opt(struct ctl *c, int ch, const char *arg, void *a)
{
	const char **o = a;

	if (ch == 'f' && strcmp(arg, "rbldnsd") != 0 &&
	    strcmp(arg, "bind") != 0) {
		fprintf(stderr, "%s: export: --format is rbldnsd or bind, not "
			"\"%s\"\n", c->prog, arg);
		return CTL_EXIT_USAGE;
	}
	o[ch == 'f' ? 0 : 1] = arg;
	return CTL_EXIT_OK;
}

/* ---- rbldnsd: names, addresses, values ------------------------------------ */

/* A wire name as text, `abs`: with the final dot. */
static void export_name(FILE *f, const uint8_t *w, int abs)
{
	char t[DNAME_MAX * 4 + 2];

	if (dname_to_text(w, t, sizeof(t) - 1) < 0)
		snprintf(t, sizeof(t), "?");
	fprintf(f, "%s%s", t, abs && w[0] ? "." : "");
}

/* An address as rbldnsd reads it: a dotted quad, or all eight IPv6
 * groups (`::` and dotted tails are forms some types do not take);
 * ip6tset's regular entries are their four groups. */
static void export_addr(FILE *f, int family, const uint8_t *a, unsigned groups)
{
	if (family == 4) {
		fprintf(f, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (unsigned i = 0; i < groups; i++)
		fprintf(f, "%s%x", i ? ":" : "", a[2 * i] << 8 | a[2 * i + 1]);
}

/* ":A:TXT" (or an acl's "=action") of value `id`, after `sep`. */
static void export_value(struct export *x, uint32_t id, const char *sep)
{
	static const char *const acl[] = { NULL, "ignore", "refuse", "empty",
					   "pass" };
	struct store_value v;

	if (store_value_get(x->rd, id, &v) < 0) {
		x->err = 1;
		return;
	}
	if (v.kind != VAL_LISTED && v.kind < 5) {
		fprintf(x->out, "%s=%s", sep, acl[v.kind]);
		return;
	}
	fprintf(x->out, "%s:%u.%u.%u.%u:%.*s", sep, v.a >> 24, (v.a >> 16) & 255,
		(v.a >> 8) & 255, v.a & 255, v.txt ? (int)v.txtlen : 0,
		v.txt ? v.txt : "");
}

/* ---- rbldnsd: entries ------------------------------------------------------- */

static int export_ip_cb(const struct store_ip_item *it, void *arg)
{
	struct export *x = arg;
	int tset = x->type == DS_IP4TSET || x->type == DS_IP6TSET;
	unsigned groups = x->type == DS_IP6TSET && !it->excluded ? 4 : 8;
	/* ip4set keeps each value of a prefix (a union): a line each. */
	size_t lines = it->excluded || tset || !it->nvalues ? 1 : it->nvalues;

	if (tset && !it->excluded) {
		if (x->tset_value && (it->nvalues != 1 ||
				      it->values[0] != x->tset_value))
			x->mixed = 1;
	}
	for (size_t i = 0; i < lines; i++) {
		fprintf(x->out, "%s", it->excluded ? "!" : "");
		export_addr(x->out, it->family, it->addr, groups);
		/* The tsets' lengths are implied by how the address is
		 * written; the other types take /len. */
		if (!tset)
			fprintf(x->out, "/%u", it->plen);
		if (!it->excluded && !tset)
			export_value(x, it->values[i], " ");
		fprintf(x->out, "\n");
	}
	return 0;
}

/* A tset's one value: the first listed entry's, as its default line. */
static int export_tset_cb(const struct store_ip_item *it, void *arg)
{
	struct export *x = arg;

	if (it->excluded || !it->nvalues)
		return 0;
	x->tset_value = it->values[0];
	return 1;
}

static int export_dn_cb(const struct store_dn_item *it, void *arg)
{
	struct export *x = arg;
	size_t lines = it->excluded || !it->nvalues ? 1 : it->nvalues;

	for (size_t i = 0; i < lines; i++) {
		fprintf(x->out, "%s%s", it->excluded ? "!" : "",
			it->wild ? "*." : "");
		export_name(x->out, it->name, 0);
		if (!it->excluded)
			export_value(x, it->values[i], " ");
		fprintf(x->out, "\n");
	}
	return 0;
}

static int export_generic_cb(const struct store_generic_item *it, void *arg)
{
	struct export *x = arg;
	struct store_rrset rs = it->rrs;
	struct store_rr rr;

	while (store_rrset_next(&rs, &rr)) {
		if (it->name[0])
			export_name(x->out, it->name, 0);
		else
			fprintf(x->out, "@");
		/* Always the TTL: a record without one would take the $TTL
		 * in force where it stands. */
		fprintf(x->out, " %" PRIu32 " ", rr.ttl);
		if (rr.type == 1 && rr.rdlen == 4) {
			fprintf(x->out, "A %u.%u.%u.%u\n", rr.rdata[0], rr.rdata[1],
				rr.rdata[2], rr.rdata[3]);
		} else if (rr.type == 16 && rr.rdlen >= 1) {
			fprintf(x->out, "TXT \"%.*s\"\n", rr.rdata[0],
				(const char *)rr.rdata + 1);
		} else if (rr.type == 15 && rr.rdlen >= 3) {
			fprintf(x->out, "MX %u ", rr.rdata[0] << 8 | rr.rdata[1]);
			export_name(x->out, rr.rdata + 2, 1);
			fprintf(x->out, "\n");
		} else {
			x->err = 1;
		}
	}
	return 0;
}

/* ---- rbldnsd: `$` lines ----------------------------------------------------- */

static void export_stamp(FILE *f, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y:%m:%d:%H:%M:%S", &tm);
	fprintf(f, "%s", buf);
}

/* The `$` lines of `m`; `parent` (a combined's top) given: only what
 * differs from what the section inherited from it. */
static void export_specials(struct export *x, const struct ds_meta *m,
			    const struct ds_meta *parent, enum ds_type type)
{
	FILE *f = x->out;

	if (!parent && type != DS_ACL && m->soa.present) {
		fprintf(f, "$SOA %" PRIu32 " ", m->soa.ttl);
		export_name(f, m->soa.mname, 1);
		fprintf(f, " ");
		export_name(f, m->soa.rname, 1);
		fprintf(f, " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %"
			PRIu32 "\n", m->soa.serial, m->soa.refresh, m->soa.retry,
			m->soa.expire, m->soa.minimum);
	}
	if (!parent && type != DS_ACL && m->ns.count) {
		fprintf(f, "$NS %" PRIu32, m->ns.ttl);
		for (size_t i = 0; i < m->ns.count; i++) {
			fprintf(f, " ");
			export_name(f, m->ns.names[i], 1);
		}
		fprintf(f, "\n");
	}
	if (m->ttl && (!parent || m->ttl != parent->ttl))
		fprintf(f, "$TTL %" PRIu32 "\n", m->ttl);
	if (!parent && m->timestamp) {
		fprintf(f, "$TIMESTAMP ");
		export_stamp(f, m->timestamp);
		if (m->expires) {
			fprintf(f, " ");
			export_stamp(f, m->expires);
		}
		fprintf(f, "\n");
	}
	/* A section starts with its parent's $n and $= (the first one
	 * wins), so only the ones the parent lacks are its own to write. */
	for (int i = 0; i < 10; i++)
		if (m->vars[i] && !(parent && parent->vars[i]))
			fprintf(f, "$%d %s\n", i, m->vars[i]);
	if (m->base_template && !(parent && parent->base_template))
		fprintf(f, "$= %s\n", m->base_template);
}

/* The entries of one (non-combined) dataset or section. */
static int export_entries(struct export *x, const struct store_dsmeta *m)
{
	int rc;

	x->type = m->type;
	x->tset_value = 0;
	switch (m->type) {
	case DS_IP4TSET:
	case DS_IP6TSET:
		rc = store_iter_ip(x->rd, m->dsid, export_tset_cb, x);
		if (rc < 0)
			return rc;
		if (x->tset_value) {
			/* The default line: the value of them all. */
			export_value(x, x->tset_value, "");
			fprintf(x->out, "\n");
		}
		return store_iter_ip(x->rd, m->dsid, export_ip_cb, x);
	case DS_DNSET:
		return store_iter_dn(x->rd, m->dsid, export_dn_cb, x);
	case DS_GENERIC:
		return store_iter_generic(x->rd, m->dsid, export_generic_cb, x);
	case DS_COUNTRY:
	case DS_ASN:
		return ctl_export_geo(x->rd, m->dsid, m->type, x->out);
	default:
		return store_iter_ip(x->rd, m->dsid, export_ip_cb, x);
	}
}

static int export_rbldnsd(struct ctl *c, struct export *x,
			  const struct store_dsmeta *m)
{
	int rc = 0;

	fprintf(x->out, "# %s: %s, %" PRIu64 " entries, serial %" PRIu32
		", exported %s by dnsbl-ctl\n", m->name, ds_type_name(m->type),
		m->entries, m->serial, ctl_time(c->now));
	export_specials(x, &m->meta, NULL, m->type);
	if (m->type != DS_COMBINED)
		rc = export_entries(x, m);
	for (size_t i = 0; rc >= 0 && i < m->nchildren; i++) {
		const struct store_dschild *ch = &m->children[i];

		if (!ch->meta)
			continue;
		fprintf(x->out, "$DATASET %s%s%s", ds_type_name(ch->meta->type),
			ch->label ? ":" : "", ch->label ? ch->label : "");
		for (size_t s = 0; s < ch->nsubzones; s++) {
			fprintf(x->out, " ");
			if (ch->subzones[s][0])
				export_name(x->out, ch->subzones[s], 0);
			else
				fprintf(x->out, "@");
		}
		fprintf(x->out, "\n");
		export_specials(x, &ch->meta->meta, &m->meta, ch->meta->type);
		rc = export_entries(x, ch->meta);
	}
	if (x->mixed)
		fprintf(stderr, "%s: export: %s: its entries answer different "
			"values, which an %s file cannot say: each was written "
			"with the first one\n", c->prog, m->name,
			ds_type_name(m->type));
	if (rc < 0 || x->err) {
		fprintf(stderr, "%s: export: %s: the store could not be read "
			"(%d)\n", c->prog, m->name, rc);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

/* ---- bind ------------------------------------------------------------------- */

/* The zone to dump the dataset in: --zone, else the first that serves it
 * (the stored table, else the config). */
static int export_bind(struct ctl *c, struct export *x, const char *name,
		       const char *zone)
{
	struct store_zones *zt = NULL;
	const struct cfg_zone *zones = c->cfg->zones, *found = NULL;
	size_t nzones = c->cfg->nzones;
	struct zonedump_options o = { .now = (time_t)c->now,
				      .version = "dnsbl-ctl export" };
	struct config one;
	struct cfg_zone z;
	char *names[1] = { (char *)name }, err[1024];
	uint8_t wname[DNAME_MAX];
	int rc;

	if (store_get_zones(x->rd, &zt) == STORE_OK) {
		zones = zt->zones;
		nzones = zt->nzones;
	}
	for (size_t i = 0; i < nzones && !found; i++) {
		if (zone && strcasecmp(zones[i].name, zone) != 0)
			continue;
		for (size_t k = 0; k < zones[i].ndatasets; k++)
			if (zone || strcmp(zones[i].datasets[k], name) == 0)
				found = &zones[i];
	}
	memset(&z, 0, sizeof(z));
	if (found) {
		z = *found;
	} else if (zone && dname_from_text(zone, strlen(zone), wname, 1) > 0) {
		z.name = (char *)zone;   /* no such zone: a bare one */
		z.wname = wname;
	} else {
		fprintf(stderr, "%s: export: no zone serves %s: give --zone "
			"NAME\n", c->prog, name);
		store_zones_free(zt);
		return CTL_EXIT_USAGE;
	}
	z.datasets = names;
	z.ndatasets = 1;
	z.acl = NULL;
	memset(&one, 0, sizeof(one));
	one.zones = &z;
	one.nzones = 1;
	rc = zonedump_write(x->out, &one, x->rd, &o, err, sizeof(err));
	store_zones_free(zt);
	if (rc < 0) {
		fprintf(stderr, "%s: export: %s\n", c->prog, err);
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

int ctl_export(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "zone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	const char *o[2] = { "rbldnsd", NULL };   /* --format, --zone */
	struct export x = { .out = stdout };
	struct store_dsmeta *m = NULL;
	struct store *st;
	int ex, rc, i = ctl_getopt(c, argc, argv, "", opts, export_opt, o, &ex);

	if (i < 0)
		return ex;
	if (argc - i != 1) {
		fprintf(stderr, "%s: export: name one DATASET\n", c->prog);
		return CTL_EXIT_USAGE;
	}
	st = ctl_open_read(c, &x.rd);
	if (!st)
		return CTL_EXIT_FAILED;
	rc = store_dataset_meta(x.rd, argv[i], &m);
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "%s: export: %s is not in the store\n", c->prog,
			argv[i]);
		ex = CTL_EXIT_FAILED;
	} else if (rc < 0) {
		fprintf(stderr, "%s: export: %s: cannot read its metadata (%d)\n",
			c->prog, argv[i], rc);
		ex = CTL_EXIT_FAILED;
	} else if (strcmp(o[0], "bind") == 0) {
		ex = export_bind(c, &x, argv[i], o[1]);
	} else {
		ex = export_rbldnsd(c, &x, m);
	}
	if (ex == CTL_EXIT_OK && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "%s: export: write error\n", c->prog);
		ex = CTL_EXIT_FAILED;
	}
	store_dsmeta_free(m);
	store_reader_free(x.rd);
	store_close(st);
	return ex;
}
