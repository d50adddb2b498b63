/* dnsbl_ctl.c -- dnsbl-ctl: the operator's tool to inspect and edit the store.
 *
 * One verb, one home: dnsbl-loader ingests (load, watch), dnsbl-ctl
 * inspects (get, stats, export, history, check, show, zones) and edits
 * (add, del, expire, drop, compact).  Reads take a read-only snapshot and
 * never block dnsbld or the loader; edits share LMDB's single writer with
 * the loader, so they may run while `watch` applies a big update.  This
 * file has the global options, the verb table and what verbs share.
 */
#include "dnsbl_ctl.h"
#include "help_wanted.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dsload.h"
#include "storeadmin.h"

/* show, zones, drop, compact: lib/storeadmin.c, shared with the loader. */
static int ctl_admin(struct ctl *c, int argc, char **argv,
		     int (*fn)(const struct storeadmin *sa, int nargs,
			       char **args))
{
	struct storeadmin sa = { c->prog, c->cfg, c->quiet };
	int ex, i = ctl_operands(c, argc, argv, 0, -1, &ex);

	return i < 0 ? ex : fn(&sa, argc - i, argv + i);
}

static int ctl_show(struct ctl *c, int argc, char **argv)
{
	return ctl_admin(c, argc, argv, storeadmin_show);
}

static int ctl_zones(struct ctl *c, int argc, char **argv)
{
	return ctl_admin(c, argc, argv, storeadmin_zones);
}

static int ctl_drop(struct ctl *c, int argc, char **argv)
{
	return ctl_admin(c, argc, argv, storeadmin_drop);
}

static int ctl_compact(struct ctl *c, int argc, char **argv)
{
	return ctl_admin(c, argc, argv, storeadmin_compact);
}

static const struct ctl_verb ctl_verbs[] = {
	{ "get", "ADDRESS|DOMAIN",
	  "every dataset and zone that lists it: the entry, A, TXT as served, "
	  "where it came from", ctl_get },
	{ "add", "DATASET ENTRY [:A:TXT] [--reason TEXT] [--for DURATION]",
	  "list an entry in a manual dataset (one transaction, served at once)",
	  ctl_add },
	{ "del", "DATASET ENTRY [--reason TEXT]",
	  "remove an entry from a manual dataset", ctl_del },
	{ "delist", "ADDRESS --reason TEXT [--for DURATION]",
	  "end a spam-trap listing of ADDRESS; --for: the traps do not list "
	  "it again for that long", ctl_delist },
	{ "requests", "[--pending]",
	  "the removal requests made on dnsbl-web's page, and what was done",
	  ctl_requests },
	{ "history", "[DATASET]",
	  "the hand edits and expiries: time, what, entry, who, why",
	  ctl_history },
	{ "expire", "",
	  "remove the entries whose --for time has passed now (dnsbl-loader "
	  "watch does it every second)", ctl_expire },
	{ "stats", "[--json]",
	  "per dataset: type, entries, serial, last change, sources; the "
	  "store's size; per zone its datasets and SOA serial", ctl_stats },
	{ "export", "DATASET [--format rbldnsd|bind] [--zone ZONE]",
	  "the dataset as an rbldnsd data file (loads back to the same "
	  "answers), or as a BIND zone file", ctl_export },
	{ "check", "",
	  "verify the metadata against the data; exit 1 on any mismatch",
	  ctl_check },
	{ "show", "[DATASET...]",
	  "what the store holds for each dataset (default: all)", ctl_show },
	{ "zones", "", "the zone table stored with the data", ctl_zones },
	{ "drop", "DATASET...",
	  "remove datasets from the store (e.g. one gone from the config)",
	  ctl_drop },
	{ "compact", "",
	  "return the store's free space now (load, drop, watch do it "
	  "themselves)", ctl_compact },
	{ "accept", "DATASET",
	  "load a dataset whose update was held for removing more than "
	  "max_shrink of its entries", ctl_accept },
	{ "ship", "DIR",
	  "write a packed copy of the store to DIR/data.mdb for mirrors "
	  "(renamed in whole; send it with rsync)", ctl_ship },
	{ "adopt", "FILE",
	  "make a copy written by ship this store's data; dnsbld moves over "
	  "with no pause", ctl_adopt },
};
#define CTL_NVERBS (sizeof(ctl_verbs) / sizeof(ctl_verbs[0]))

static void ctl_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s -c FILE [-q] VERB [ARGS...]\n"
		"       %s [-c FILE] VERB --help\n"
		"\n"
		"Inspects and edits the dnsbld store named in the YAML config.\n"
		"Reads never block dnsbld or the loader; edits are one transaction\n"
		"each, served at once, and only of datasets marked `manual: true`.\n"
		"\n"
		"verbs:\n", prog, prog);
	for (size_t i = 0; i < CTL_NVERBS; i++)
		fprintf(f, "  %-9s %s\n", ctl_verbs[i].name, ctl_verbs[i].help);
	fprintf(f,
		"\n"
		"options:\n"
		"  -c FILE      the YAML config (required)\n"
		"  -q           quiet: no summary lines, only warnings and errors\n"
		"  -h, --help   this help (VERB --help: the verb's)\n"
		"\n"
		"exit status: 0 ok, 1 a failure, a refused edit or a mismatch,\n"
		"2 bad usage or config.\n");
}

void ctl_verb_usage(const struct ctl *c, const struct ctl_verb *v, FILE *f)
{
	fprintf(f, "usage: %s -c FILE %s%s%s\n  %s\n", c->prog, v->name,
		v->args[0] ? " " : "", v->args, v->help);
}

const struct ctl_verb *ctl_verb_find(const char *name)
{
	for (size_t i = 0; i < CTL_NVERBS; i++)
		if (strcmp(ctl_verbs[i].name, name) == 0)
			return &ctl_verbs[i];
	return NULL;
}

int ctl_getopt(struct ctl *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts,
	       int (*opt)(struct ctl *c, int ch, const char *arg, void *a),
	       void *a, int *exit)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const struct ctl_verb *v = ctl_verb_find(argv[0]);
	struct option all[16];
	char spec[64];
	size_t n = 0;
	int ch;

	for (const struct option *o = longopts ? longopts : none; o->name &&
	     n < 14; o++)
		all[n++] = *o;
	all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(spec, sizeof(spec), ":h%s", shortopts);
	optind = 0;   /* glibc: start over with this argv */
	while ((ch = getopt_long(argc, argv, spec, all, NULL)) != -1) {
		if (ch == 'h') {
			ctl_verb_usage(c, v, stdout);
			*exit = CTL_EXIT_OK;
			return -1;
		}
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "%s: %s: %s %s\n", c->prog, argv[0],
				ch == ':' ? "missing the value of" : "unknown option",
				argv[optind - 1]);
			ctl_verb_usage(c, v, stderr);
			*exit = CTL_EXIT_USAGE;
			return -1;
		}
		*exit = opt(c, ch, optarg, a);
		if (*exit != CTL_EXIT_OK)
			return -1;
	}
	return optind;
}

int ctl_operands(struct ctl *c, int argc, char **argv, int min, int max,
		 int *exit)
{
	int i = ctl_getopt(c, argc, argv, "", NULL, NULL, NULL, exit);

	if (i >= 0 && (argc - i < min || (max >= 0 && argc - i > max))) {
		fprintf(stderr, "%s: %s: %s arguments\n", c->prog, argv[0],
			argc - i < min ? "too few" : "too many");
		ctl_verb_usage(c, ctl_verb_find(argv[0]), stderr);
		*exit = CTL_EXIT_USAGE;
		return -1;
	}
	return i;
}

struct store *ctl_open_read(const struct ctl *c, struct store_reader **rd)
{
	struct storeadmin sa = { c->prog, c->cfg, c->quiet };
	struct store *st = storeadmin_open(&sa, STORE_READONLY);

	*rd = NULL;
	if (st && store_reader_new(st, rd) != STORE_OK) {
		fprintf(stderr, "%s: store %s: cannot start a read transaction\n",
			c->prog, c->cfg->store);
		store_close(st);
		st = NULL;
	}
	return st;
}

struct store *ctl_open_write(const struct ctl *c)
{
	struct store *st = NULL;
	char err[1024];

	if (dsload_open_store(c->cfg->store, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return NULL;
	}
	return st;
}

const struct cfg_dataset *ctl_dataset(const struct ctl *c, const char *name)
{
	const struct cfg_dataset *d = config_dataset(c->cfg, name);

	if (!d)
		fprintf(stderr, "%s: %s: no dataset named \"%s\"\n", c->prog,
			c->cfg->path, name);
	return d;
}

void ctl_zones_of(const struct ctl *c, struct store_reader *rd,
		  const char *name, char *out, size_t outlen)
{
	struct store_zones *zt = NULL;
	const struct cfg_zone *zones = c->cfg->zones;
	size_t nzones = c->cfg->nzones, len = 0;

	/* What the server serves: the stored table once a loader wrote it. */
	if (rd && store_get_zones(rd, &zt) == STORE_OK) {
		zones = zt->zones;
		nzones = zt->nzones;
	}
	out[0] = '\0';
	for (size_t i = 0; i < nzones; i++) {
		int in = zones[i].acl && strcmp(zones[i].acl, name) == 0;

		for (size_t k = 0; k < zones[i].ndatasets; k++)
			in |= strcmp(zones[i].datasets[k], name) == 0;
		if (in && len < outlen)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s",
						len ? ", " : "", zones[i].name);
	}
	store_zones_free(zt);
}

const char *ctl_time(int64_t t)
{
	return storeadmin_time(t);
}

/* DNSBL_CTL_NOW: the clock, for tests of --for expiry (unix seconds). */
static int ctl_clock(struct ctl *c)
{
	const char *s = getenv("DNSBL_CTL_NOW");
	char *end;
	long long v;

	c->now = (int64_t)time(NULL);
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0) {
		fprintf(stderr, "%s: DNSBL_CTL_NOW wants unix seconds, not "
			"\"%s\"\n", c->prog, s);
		return -1;
	}
	c->now = (int64_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .prog = "dnsbl-ctl" };
	const struct ctl_verb *v;
	const char *cfgfile = NULL;
	char err[1024];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+c:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfgfile = optarg;
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'h':
			ctl_usage(stdout, c.prog);
			return CTL_EXIT_OK;
		default:
			ctl_usage(stderr, c.prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no verb given\n", c.prog);
		ctl_usage(stderr, c.prog);
		return CTL_EXIT_USAGE;
	}
	v = ctl_verb_find(argv[optind]);
	if (!v) {
		fprintf(stderr, "%s: unknown verb \"%s\"\n", c.prog, argv[optind]);
		ctl_usage(stderr, c.prog);
		return CTL_EXIT_USAGE;
	}
	if (help_wanted(argc - optind, argv + optind)) {
		ctl_verb_usage(&c, v, stdout);
		return CTL_EXIT_OK;
	}
	if (!cfgfile) {
		fprintf(stderr, "%s: -c FILE is required\n", c.prog);
		ctl_verb_usage(&c, v, stderr);
		return CTL_EXIT_USAGE;
	}
	if (ctl_clock(&c) < 0)
		return CTL_EXIT_USAGE;
	if (config_load_flags(cfgfile, CONFIG_NO_FILE_CHECK, &c.cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c.prog, err);
		return CTL_EXIT_USAGE;
	}
	rc = v->run(&c, argc - optind, argv + optind);
	config_free(c.cfg);
	return rc;
}
