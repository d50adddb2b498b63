/* rbldnsd_args.c -- rbldnsd's getopt string and zone specs -> config.
 *
 * Messages copy rbldnsd's wording (checked against the Debian binary), so
 * scripts and people who know rbldnsd read them the same way.
 */
#include "rbldnsd_args.h"

#include "daemon.h"
#include "defaults.h"
#include "dname.h"
#include "listen_addr.h"
#include "store.h"
#include "timeunit.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RBLDNSD_OPTSTRING "u:r:b:w:t:c:p:nel:qs:h46dvaAfF:Cx:X:"
/* The longest dataset name the store accepts. */
#define DATASET_NAME_MAX 200

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int rbldnsd_parse_time(const char *text, uint32_t *seconds)
{
	const char *end = timeunit_scan(text, seconds);

	return end && *end == '\0' ? 0 : -1;
}

/* -t def:min:max, any part may be empty (trailing colons too). */
static int parse_ttls(struct config *cfg, const char *arg)
{
	uint32_t *dst[3] = { &cfg->default_ttl, &cfg->min_ttl, &cfg->max_ttl };
	const char *p = arg;

	for (int i = 0; i < 3 && *p; i++) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char part[32];

		if (len >= sizeof(part))
			return -1;
		memcpy(part, p, len);
		part[len] = '\0';
		if (len && rbldnsd_parse_time(part, dst[i]) < 0)
			return -1;
		if (!colon)
			return 0;
		p = colon + 1;
		if (i == 2)
			return -1;  /* a fourth field */
	}
	return 0;
}

static int push_str(char ***arr, size_t *n, const char *s)
{
	char **p = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!p)
		return -1;
	*arr = p;
	if (!(p[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* `-b addr[/port]` -> a listen entry; the separator is '/' so that IPv6
 * addresses need no brackets.  The address may be a host name and the port
 * a service name; an empty port is 53, as in rbldnsd.  Only the syntax is
 * checked: the server resolves names (listen_addr.h). */
static int add_listen(struct config *cfg, const char *arg, char *err,
		      size_t errlen)
{
	const char *slash = strrchr(arg, '/'), *why;
	struct cfg_listen *l = realloc(cfg->listen, (cfg->nlisten + 1) * sizeof(*l));
	unsigned num;

	if (!l)
		return fail(err, errlen, "out of memory");
	cfg->listen = l;
	l = &cfg->listen[cfg->nlisten];
	memset(l, 0, sizeof(*l));
	cfg->nlisten++;   /* counted now: config_free frees a half-made one */
	l->host = slash ? strndup(arg, (size_t)(slash - arg)) : strdup(arg);
	l->port = strdup(slash && slash[1] ? slash + 1 : "53");
	l->text = strdup(arg);
	l->where = strdup("-b");
	if (!l->host || !l->port || !l->text || !l->where)
		return fail(err, errlen, "out of memory");
	if ((why = listen_check_host(l->host)) != NULL ||
	    (why = listen_check_port(l->port, &num)) != NULL) {
		listen_error(l, why, err, errlen);
		return -1;
	}
	return 0;
}

/* The store name of spec "type:files": the spec itself, readable in logs
 * and `dnsbl-ctl show`, with '%' and '/' escaped as %25 and %2F (store
 * names have no '/'); a spec longer than the store allows keeps its start
 * and ends in a hash of the whole, so distinct specs keep distinct names. */
static char *dataset_name_for_spec(const char *spec)
{
	char *name = malloc(strlen(spec) * 3 + 1), *o = name;

	if (!name)
		return NULL;
	for (const char *p = spec; *p; p++) {
		if (*p == '%' || *p == '/')
			o += sprintf(o, "%%%02X", (unsigned char)*p);
		else
			*o++ = *p;
	}
	*o = '\0';
	if (o - name > DATASET_NAME_MAX)
		snprintf(name + DATASET_NAME_MAX - 17, 18, "~%016llx",
			 (unsigned long long)store_hash_update(STORE_HASH_INIT, spec,
							      strlen(spec)));
	return name;
}

/* Finds the dataset for spec "type:files", creating it: identical specs
 * share one dataset, as rbldnsd loads them once.  Returns its name. */
static const char *dataset_for_spec(struct config *cfg, enum ds_type type,
				    const char *spec, const char *files)
{
	struct cfg_dataset *d;
	const char *p = files;
	char *name = dataset_name_for_spec(spec);

	if (!name)
		return NULL;
	for (size_t i = 0; i < cfg->ndatasets; i++) {
		if (strcmp(cfg->datasets[i].name, name) == 0) {
			free(name);
			return cfg->datasets[i].name;
		}
	}
	d = realloc(cfg->datasets, (cfg->ndatasets + 1) * sizeof(*d));
	if (!d) {
		free(name);
		return NULL;
	}
	cfg->datasets = d;
	d = &cfg->datasets[cfg->ndatasets];
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->name = name;
	cfg->ndatasets++;
	/* Files are separated by ',' or ':'; empty names are skipped. */
	while (*p) {
		size_t len = strcspn(p, ",:");

		if (len) {
			char *f = strndup(p, len);

			if (!f || push_str(&d->files, &d->nfiles, f) < 0) {
				free(f);
				return NULL;
			}
			free(f);
		}
		p += len;
		if (*p)
			p++;
	}
	return d->name;
}

static struct cfg_zone *zone_find_or_add(struct config *cfg, const char *name)
{
	uint8_t wire[DNAME_MAX];
	struct cfg_zone *z;
	int len;

	for (size_t i = 0; i < cfg->nzones; i++)
		if (strcmp(cfg->zones[i].name, name) == 0)
			return &cfg->zones[i];
	len = dname_from_text(name, strlen(name), wire, 1);
	if (len < 0)
		return NULL;
	z = realloc(cfg->zones, (cfg->nzones + 1) * sizeof(*z));
	if (!z)
		return NULL;
	cfg->zones = z;
	z = &cfg->zones[cfg->nzones];
	memset(z, 0, sizeof(*z));
	z->name = malloc(DNAME_MAX * 4 + 1);
	z->wname = malloc((size_t)len);
	if (!z->name || !z->wname) {
		free(z->name);
		free(z->wname);
		return NULL;
	}
	memcpy(z->wname, wire, (size_t)len);
	dname_to_text(wire, z->name, DNAME_MAX * 4 + 1);
	cfg->nzones++;
	return z;
}

/* One `zone:type:file[,file...]` argument. */
static int add_zone_spec(struct config *cfg, char **global_acl, const char *arg,
			 char *err, size_t errlen)
{
	const char *c1 = strchr(arg, ':'), *c2;
	char typename[32], zonename[DNAME_MAX * 4 + 1];
	const char *dsname;
	enum ds_type type;
	struct cfg_zone *z;

	if (!c1 || !(c2 = strchr(c1 + 1, ':')) || (size_t)(c1 - arg) >= sizeof(zonename) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(typename))
		return fail(err, errlen, "invalid zone spec `%.60s'", arg);
	memcpy(zonename, arg, (size_t)(c1 - arg));
	zonename[c1 - arg] = '\0';
	memcpy(typename, c1 + 1, (size_t)(c2 - c1 - 1));
	typename[c2 - c1 - 1] = '\0';
	if (ds_type_parse(typename, &type) < 0 || type == DS_TRAP ||
	    type == DS_COUNTRY || type == DS_ASN)
		return fail(err, errlen, "unknown dataset type `%.60s'", typename);
	if (c2[strspn(c2, ",:")] == '\0')
		return fail(err, errlen, "missing filenames for %s", typename);
	dsname = dataset_for_spec(cfg, type, c1 + 1, c2 + 1);
	if (!dsname)
		return fail(err, errlen, "out of memory");

	if (zonename[0] == '\0') {
		/* `:acl:file` is the global acl; nothing else may omit a zone. */
		if (type != DS_ACL)
			return fail(err, errlen, "invalid zone spec `%.60s'", arg);
		free(*global_acl);
		*global_acl = strdup(dsname);
		return *global_acl ? 0 : fail(err, errlen, "out of memory");
	}
	z = zone_find_or_add(cfg, zonename);
	if (!z)
		return fail(err, errlen, "invalid domain name `%.60s'", zonename);
	if (type == DS_ACL) {
		if (z->acl)
			return fail(err, errlen, "repeated ACL definition for zone `%.60s'",
				    zonename);
		z->acl = strdup(dsname);
		return z->acl ? 0 : fail(err, errlen, "out of memory");
	}
	if (push_str(&z->datasets, &z->ndatasets, dsname) < 0)
		return fail(err, errlen, "out of memory");
	return 0;
}

/* Replaces *dst by a copy of `s`; 0, or -1 on out of memory. */
static int set_str(char **dst, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

static int ignore(struct rbldnsd_args *a, const char *what)
{
	return push_str(&a->ignored, &a->nignored, what);
}

int rbldnsd_args_parse(int argc, char *const argv[], struct rbldnsd_args *out,
		       char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct rbldnsd_args a;
	struct config *cfg;
	char *global_acl = NULL, *facility = NULL;
	int opt, rc = -1, versions = 0, foreground = 0;

	memset(&a, 0, sizeof(a));
	memset(out, 0, sizeof(*out));
	a.check_interval = DEFAULT_CHECK_INTERVAL;
	a.cfg = cfg = config_new();
	if (!cfg)
		return fail(err, errlen, "out of memory");

	optind = 0;   /* GNU: restart scanning (parse may be called twice) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, RBLDNSD_OPTSTRING, longopts, NULL)) != -1) {
		int bad = 0;

		switch (opt) {
		case 'u': {
			const char *colon = strchr(optarg, ':');

			free(cfg->user);
			free(cfg->group);
			cfg->group = NULL;
			cfg->user = colon ? strndup(optarg, (size_t)(colon - optarg))
					  : strdup(optarg);
			bad = !cfg->user || (colon && !(cfg->group = strdup(colon + 1)));
			break;
		}
		case 'r': bad = set_str(&cfg->chroot, optarg); break;
		case 'w': bad = set_str(&a.work_dir, optarg); break;
		case 'p': bad = set_str(&cfg->pidfile, optarg); break;
		case 'b':
			if (add_listen(a.cfg, optarg, err, errlen) < 0)
				goto out;
			break;
		case 't':
			if (parse_ttls(cfg, optarg) < 0) {
				fail(err, errlen, "invalid ttl (-t) value `%.60s'", optarg);
				goto out;
			}
			break;
		case 'c':
			if (rbldnsd_parse_time(optarg, &a.check_interval) < 0) {
				fail(err, errlen, "invalid check interval (-c) value `%.60s'", optarg);
				goto out;
			}
			break;
		case 'n': foreground = 1; break;
		case 'e': a.accept_host_bits = 1; break;
		case 'q': a.quick_start = 1; break;
		case 'l':
			cfg->query_log_unbuffered = optarg[0] == '+';
			bad = set_str(&cfg->query_log,
				      optarg + cfg->query_log_unbuffered);
			break;
		case 's':
			cfg->stats_relative = optarg[0] == '+';
			bad = set_str(&cfg->stats_file, optarg + cfg->stats_relative);
			break;
		case 'h': a.help = 1; break;
		case '4': a.family = 4; break;
		case '6': a.family = 6; break;
		case 'd': a.dump = 1; break;
		case 'v': versions++; break;
		case 'a': a.minimal_answers = 1; break;
		case 'A': a.minimal_answers = 0; break;
		case 'f':
			a.fork_on_reload = 1;
			bad = ignore(&a, "-f: dnsbld never pauses to reload, so there is nothing to fork for");
			break;
		case 'F': bad = set_str(&facility, optarg); break;
		case 'C': a.no_gunzip = 1; break;
		case 'x':
		case 'X':
			bad = ignore(&a, "-x/-X: rbldnsd extension modules are not supported; option ignored");
			break;
		case 'S': bad = set_str(&cfg->store, optarg); break;
		case '?':
		default:
			if (optopt && strchr(RBLDNSD_OPTSTRING, optopt))
				fail(err, errlen, "option requires an argument -- '%c'", optopt);
			else if (optopt)
				fail(err, errlen, "invalid option -- '%c'", optopt);
			else
				fail(err, errlen, "unrecognized option '%s'", argv[optind - 1]);
			goto out;
		}
		if (bad) {
			fail(err, errlen, "out of memory");
			goto out;
		}
	}
	if (a.help) {
		rc = 0;
		goto done;
	}
	if ((cfg->min_ttl && cfg->max_ttl && cfg->min_ttl > cfg->max_ttl) ||
	    (cfg->min_ttl && cfg->default_ttl < cfg->min_ttl) ||
	    (cfg->max_ttl && cfg->default_ttl > cfg->max_ttl)) {
		fail(err, errlen, "inconsistent def:min:max ttl: %u:%u:%u",
		     cfg->default_ttl, cfg->min_ttl, cfg->max_ttl);
		goto out;
	}
	if (facility && daemon_facility(facility) < 0) {
		fail(err, errlen, "log facility %s is not valid", facility);
		goto out;
	}
	/* rbldnsd's ways: a daemon logging to syslog, -v hides and -vv
	 * refuses version.bind, stats lines every check interval, and
	 * "rbldns" as the user when started as root. */
	cfg->daemon = !foreground && !a.dump;
	if (!a.dump && !cfg->syslog &&
	    set_str(&cfg->syslog, facility ? facility : "daemon")) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	cfg->version_bind = versions >= 2 ? CFG_VERSION_REFUSE
			    : versions ? CFG_VERSION_HIDE : CFG_VERSION_ANSWER;
	cfg->stats_interval = a.check_interval;
	if (!cfg->user && set_str(&cfg->user, DEFAULT_DROPIN_USER)) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (add_zone_spec(a.cfg, &global_acl, argv[i], err, errlen) < 0)
			goto out;
	if (a.cfg->nzones == 0) {
		fail(err, errlen, "no zone(s) to service specified (-h for help)");
		goto out;
	}
	for (size_t i = 0; i < a.cfg->nzones; i++) {
		struct cfg_zone *z = &a.cfg->zones[i];

		if (z->ndatasets == 0) {
			fail(err, errlen, "missing data for zone `%s'", z->name);
			goto out;
		}
		z->ttl = 0;
		/* The global acl applies where a zone has none of its own. */
		if (!z->acl && global_acl && !(z->acl = strdup(global_acl))) {
			fail(err, errlen, "out of memory");
			goto out;
		}
	}
	if (a.cfg->nlisten == 0 && !a.dump) {
		fail(err, errlen, "no address to listen on (-b option) specified");
		goto out;
	}
	rc = 0;
done:
	free(global_acl);
	free(facility);
	*out = a;
	return rc;
out:
	free(global_acl);
	free(facility);
	rbldnsd_args_free(&a);
	return rc;
}

void rbldnsd_args_free(struct rbldnsd_args *a)
{
	config_free(a->cfg);
	free(a->work_dir);
	for (size_t i = 0; i < a->nignored; i++)
		free(a->ignored[i]);
	free(a->ignored);
	memset(a, 0, sizeof(*a));
}

void rbldnsd_args_usage(const char *prog, FILE *out)
{
	fprintf(out,
		"%s: DNSBL server, rbldnsd-compatible command line\n"
		"Usage is: %s options zonespec...\n"
		"where options are:\n"
		" -u user[:group] - run as this user:group (rbldns)\n"
		" -r rootdir - chroot to this directory\n"
		" -w workdir - working directory with zone files\n"
		" -b address[/port] - bind to (listen on) this address (required);\n"
		"  a host name binds all its addresses, port may be a service name\n"
		" -4 - use IPv4 socket type\n"
		" -6 - use IPv6 socket type\n"
		" -t def:min:max - TTL for data without $TTL (35m), and the range TTLs\n"
		"  taken from the data are clamped to (none)\n"
		" -v - hide version information in replies to version.bind CH TXT\n"
		"  (second -v makes %s to refuse such requests completely)\n"
		" -e - enable CIDR ranges where prefix is not on the range boundary\n"
		"  (by default ranges such 127.0.0.1/8 will be rejected)\n"
		" -c check - time interval to check for data file updates (1m);\n"
		"  %s watches files with inotify, 0 disables updates\n"
		" -p pidfile - write pid to specified file\n"
		" -n - do not become a daemon\n"
		" -f - accepted and ignored: answers never pause during reloads\n"
		" -q - start even if a dataset fails to load (it is retried when its\n"
		"  files change; by default a failed dataset stops the start)\n"
		" -l [+]logfile - log queries and answers to this file (+ for unbuffered)\n"
		" -s [+]statsfile - write a line with short statistics summary into this\n"
		"  file every `check' (-c) seconds (+ for relative counters)\n"
		" -a, -A - accepted: positive answers never carry NS records in the\n"
		"  AUTH section (as rbldnsd -a); negative ones carry the SOA\n"
		" -F facility - Log facility for syslog. Default is 'daemon'.\n"
		" -C - disable on-the-fly decompression of dataset files\n"
		" -x extension, -X extarg - accepted and ignored (no extension modules)\n"
		" -d - dump all zones in BIND format to standard output and exit\n"
		" -h, --help - this help\n"
		" --store dir - LMDB store directory (dnsbld only; default: one per\n"
		"  instance under ./%s, see docs/MIGRATING.md)\n"
		"each zone specified using `name:type:file,file...'\n"
		"syntax, repeated names constitute the same zone.\n"
		"Available dataset types:\n"
		" ip4set - set of (ip4 range, value) pairs\n"
		" ip4tset - (trivial) set of ip4 addresses\n"
		" ip4trie - set of (ip4cidr, value) pairs\n"
		" ip6tset - (trivial) set of ip6 addresses\n"
		" ip6trie - set of (ip6cidr, value) pairs\n"
		" dnset - set of (domain name, value) pairs\n"
		" combined - several datasets/subzones combined\n"
		" generic - generic simplified bind-format\n"
		" acl - Access Control List dataset\n",
		prog, prog, prog, prog, DEFAULT_DROPIN_STORE);
}
