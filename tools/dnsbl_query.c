/* dnsbl_query.c -- dnsbl-query: check addresses and domains against DNSBLs.
 *
 * A command-line client for mail admins: the items come as arguments or on
 * standard input, the zones with -z or from a dnsbld config (-c), and the
 * queries go to the system resolver or to @HOST[:PORT], many at once
 * (c-ares).  --check ZONE turns it into a Nagios-style probe of one zone.
 * This file holds the options; the work is in dnsbl_query_run.c and
 * dnsbl_query_probe.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dnsbl_qname.h"
#include "dnsbl_query_codes.h"
#include "dnsbl_query_input.h"
#include "dnsbl_query_probe.h"
#include "dnsbl_query_resolver.h"
#include "dnsbl_query_run.h"
#include "dnsbl_query_zones.h"

#define DQ_DEFAULT_TIMEOUT 2.0
#define DQ_DEFAULT_TRIES 2
#define DQ_DEFAULT_WINDOW 2000
#define DQ_DEFAULT_WARN_MS 1000

static void usage(FILE *f)
{
	fputs(
"usage: dnsbl-query [OPTIONS] [@SERVER[:PORT]] [ITEM...]\n"
"       dnsbl-query --check ZONE [--type ip4|ip6|domain] [OPTIONS] [@SERVER[:PORT]]\n"
"Checks IPv4/IPv6 addresses and domains against DNSBL zones: the ITEMs, or\n"
"standard input when there are none or ITEM is \"-\" (one per line or\n"
"separated by blanks; '#' starts a comment).\n"
"  -z, --zone ZONE[:TYPE]  check against ZONE (repeatable).  TYPE is ip, ip4,\n"
"                     ip6, domain or any: the items ZONE gets.  Default: what\n"
"                     the built-in map knows (dbl.spamhaus.org: domains,\n"
"                     zen.spamhaus.org: addresses), else every item\n"
"  -c, --config FILE  every zone of a dnsbld config (with -z: only those), each\n"
"                     getting the items its datasets hold; codes are named by\n"
"                     the zone's codes: map\n"
"  @SERVER[:PORT]     ask this server (@127.0.0.1:5353, @[::1]:5353, @::1);\n"
"                     default: the system resolver (/etc/resolv.conf)\n"
"  -t, --timeout SEC  wait per try, fractions allowed (default 2); c-ares\n"
"                     doubles it on each further try\n"
"      --tries N      tries per query (default 2)\n"
"  -w, --window N     queries in flight at most (default 2000)\n"
"      --json         JSON lines: item, zone, query, listed, codes, txt, error,\n"
"                     time_ms\n"
"  -q, --quiet        print only listed items and errors\n"
"      --check ZONE   monitoring probe: RFC 5782 test points, SOA, NS, time;\n"
"                     one status line, Nagios exit codes (0 OK, 1 WARNING,\n"
"                     2 CRITICAL, 3 UNKNOWN)\n"
"      --type T       --check's test points: ip4 (127.0.0.2), ip6\n"
"                     (::ffff:7f00:2), domain (test).  Default: from -c, the\n"
"                     built-in map, else ip4\n"
"      --warn-ms N    --check: WARNING when the slowest answer takes longer\n"
"                     (default 1000; 0 = never)\n"
"      --crit-ms N    --check: CRITICAL when it takes longer (default: never)\n"
"  -h, --help         this text\n"
"Output: one line per item and zone, in input order:\n"
"  1.2.3.4 zen.spamhaus.org: listed 127.0.0.2 (SBL) \"TXT record\"\n"
"  5.6.7.8 zen.spamhaus.org: not listed\n"
"  9.9.9.9 zen.spamhaus.org: error: list service error 127.255.255.254 (...)\n"
"Exit status: 0 nothing listed, 1 something listed, 2 an error (bad usage,\n"
"a refused item, a timeout, SERVFAIL, a 127.255.255.x answer...).\n", f);
}

enum { OPT_TRIES = 256, OPT_JSON, OPT_CHECK, OPT_TYPE, OPT_WARN, OPT_CRIT };

struct dq_opts {
	struct dq_resolver_opts res;
	struct dq_run_opts run;
	const char *config;
	const char *check;
	const char *type;
	unsigned warn_ms, crit_ms;
	int probe_option;     /* --type, --warn-ms or --crit-ms was given */
	char **zone_specs;
	size_t nzone_specs;
	char **items;
	int nitems;
};

/* A whole number in [min, max]. */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Fails with a usage message; `status` is 2, or 3 (UNKNOWN) for --check,
 * whose message is a status line on standard output, where Nagios reads. */
__attribute__((format(printf, 2, 3)))
static int usage_error(int status, const char *fmt, ...)
{
	FILE *f = status == DQ_PROBE_UNKNOWN ? stdout : stderr;
	va_list ap;

	fputs(f == stdout ? "DNSBL UNKNOWN - " : "dnsbl-query: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputs(f == stdout ? "\n" : "\n(dnsbl-query --help for the options)\n", f);
	return status;
}

/* Parses the command line into `o`.  Returns -1 to go on, else the exit
 * status (0 after --help). */
static int parse_args(int argc, char **argv, struct dq_opts *o, int bad)
{
	static const struct option longs[] = {
		{ "zone", required_argument, NULL, 'z' },
		{ "config", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "tries", required_argument, NULL, OPT_TRIES },
		{ "window", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "warn-ms", required_argument, NULL, OPT_WARN },
		{ "crit-ms", required_argument, NULL, OPT_CRIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long v;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":z:c:t:w:qh", longs, NULL)) != -1) {
		switch (c) {
		case 'z':
			o->zone_specs[o->nzone_specs++] = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 't':
			errno = 0;
			o->res.timeout = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(o->res.timeout) ||
			    o->res.timeout < 0.001 || o->res.timeout > 3600)
				return usage_error(bad, "-t %s: want seconds, 0.001..3600",
						   optarg);
			break;
		case OPT_TRIES:
			if (parse_uint(optarg, 1, 100, &v) < 0)
				return usage_error(bad, "--tries %s: want 1..100", optarg);
			o->res.tries = (int)v;
			break;
		case 'w':
			if (parse_uint(optarg, 1, 100000, &v) < 0)
				return usage_error(bad, "-w %s: want 1..100000", optarg);
			o->run.window = v;
			break;
		case OPT_JSON:
			o->run.json = 1;
			break;
		case 'q':
			o->run.quiet = 1;
			break;
		case OPT_CHECK:
			o->check = optarg;
			break;
		case OPT_TYPE:
			o->type = optarg;
			o->probe_option = 1;
			break;
		case OPT_WARN:
		case OPT_CRIT:
			if (parse_uint(optarg, 0, 3600000, &v) < 0)
				return usage_error(bad, "%s %s: want milliseconds",
						   c == OPT_WARN ? "--warn-ms" : "--crit-ms",
						   optarg);
			*(c == OPT_WARN ? &o->warn_ms : &o->crit_ms) = (unsigned)v;
			o->probe_option = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error(bad, "%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error(bad, "unknown option -%c", optopt);
			return usage_error(bad, "unknown option %s", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '@') {
			if (o->res.server)
				return usage_error(bad, "one @SERVER only");
			o->res.server = argv[i] + 1;
		} else {
			o->items[o->nitems++] = argv[i];
		}
	}
	return -1;
}

/* The items --check's test points are for. */
static int probe_kinds(const struct dq_opts *o, const struct dq_zone *z,
		       unsigned *kinds)
{
	if (o->type) {
		if (dq_zones_kinds_parse(o->type, kinds) < 0 ||
		    (*kinds != DNSBL_IP4 && *kinds != DNSBL_IP6 &&
		     *kinds != DNSBL_DOMAIN))
			return -1;
		return 0;
	}
	*kinds = z->kinds;
	/* Unknown, or a combined zone: IPv4, the usual case. */
	if (*kinds == DNSBL_KIND_ANY)
		*kinds = DNSBL_IP4;
	else if (*kinds == DNSBL_KIND_IP && !z->cfg)
		*kinds = DNSBL_IP4;   /* a public list known for addresses */
	return 0;
}

static int run_check(struct dq_opts *o, const struct config *cfg)
{
	struct dq_zones zones = { 0 };
	struct dq_resolver res;
	struct dq_probe_opts po = { .warn_ms = o->warn_ms, .crit_ms = o->crit_ms };
	struct dq_zone zone;
	char err[512];
	int status;

	if (strchr(o->check, ':')) {
		printf("DNSBL UNKNOWN - --check %s: give the zone's name, and "
		       "--type for its kind\n", o->check);
		return DQ_PROBE_UNKNOWN;
	}
	if (dq_zones_add(&zones, o->check, cfg, err, sizeof(err)) < 0) {
		printf("DNSBL UNKNOWN - %s\n", err);
		dq_zones_free(&zones);
		return DQ_PROBE_UNKNOWN;
	}
	zone = zones.v[0];
	dq_zones_free(&zones);
	if (probe_kinds(o, &zone, &zone.kinds) < 0) {
		printf("DNSBL UNKNOWN - --type %s: want ip4, ip6 or domain\n",
		       o->type);
		return DQ_PROBE_UNKNOWN;
	}
	if (dq_resolver_init(&res, &o->res, err, sizeof(err)) < 0) {
		printf("DNSBL UNKNOWN - %s\n", err);
		return DQ_PROBE_UNKNOWN;
	}
	po.zone = &zone;
	status = dq_probe(&res, &po);
	dq_resolver_free(&res);
	return status;
}

static int run_items(struct dq_opts *o, const struct config *cfg)
{
	struct dq_zones zones = { 0 };
	struct dq_resolver res;
	struct dq_input in;
	char err[512];
	int status;

	for (size_t i = 0; i < o->nzone_specs; i++) {
		if (dq_zones_add(&zones, o->zone_specs[i], cfg, err,
				 sizeof(err)) < 0) {
			dq_zones_free(&zones);
			return usage_error(2, "%s", err);
		}
	}
	if (o->nzone_specs == 0 && cfg &&
	    dq_zones_add_config(&zones, cfg, err, sizeof(err)) < 0) {
		dq_zones_free(&zones);
		fprintf(stderr, "dnsbl-query: %s: %s\n", cfg->path, err);
		return 2;
	}
	if (zones.n == 0) {
		dq_zones_free(&zones);
		return usage_error(2, cfg ? "%s has no zones" : "no zone: give -z ZONE "
				   "or -c FILE", cfg ? cfg->path : "");
	}
	if (dq_resolver_init(&res, &o->res, err, sizeof(err)) < 0) {
		dq_zones_free(&zones);
		fprintf(stderr, "dnsbl-query: %s\n", err);
		return 2;
	}
	/* "-" alone: standard input, as many tools read it. */
	if (o->nitems && !(o->nitems == 1 && strcmp(o->items[0], "-") == 0))
		dq_input_from_args(&in, o->items, o->nitems);
	else
		dq_input_from_fd(&in, STDIN_FILENO);
	o->run.zones = &zones;
	status = dq_run(&res, &in, &o->run);
	dq_resolver_free(&res);
	dq_zones_free(&zones);
	return status;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct dq_opts o;
	struct config *cfg = NULL;
	char err[1024];
	int bad = 2, status;

	memset(&o, 0, sizeof(o));
	o.res.timeout = DQ_DEFAULT_TIMEOUT;
	o.res.tries = DQ_DEFAULT_TRIES;
	o.run.window = DQ_DEFAULT_WINDOW;
	o.warn_ms = DQ_DEFAULT_WARN_MS;
	/* Usage errors of a probe are UNKNOWN (3) to Nagios, not CRITICAL. */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--check", 7) == 0)
			bad = DQ_PROBE_UNKNOWN;
	o.zone_specs = calloc((size_t)argc, sizeof(*o.zone_specs));
	o.items = calloc((size_t)argc, sizeof(*o.items));
	if (!o.zone_specs || !o.items) {
		fprintf(stderr, "dnsbl-query: out of memory\n");
		return bad;
	}
	status = parse_args(argc, argv, &o, bad);
	if (status >= 0)
		goto out;
	if (o.check && (o.nitems || o.nzone_specs || o.run.json || o.run.quiet)) {
		status = usage_error(bad, "--check takes no items, -z, --json or -q");
		goto out;
	}
	if (!o.check && o.probe_option) {
		status = usage_error(bad, "--type, --warn-ms and --crit-ms go with --check");
		goto out;
	}
	if (o.config && config_load_flags(o.config, CONFIG_NO_FILE_CHECK, &cfg,
					  err, sizeof(err)) < 0) {
		if (o.check)
			printf("DNSBL UNKNOWN - %s\n", err);
		else
			fprintf(stderr, "dnsbl-query: %s\n", err);
		status = bad;
		goto out;
	}
	setvbuf(stdout, outbuf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
		sizeof(outbuf));
	status = o.check ? run_check(&o, cfg) : run_items(&o, cfg);
out:
	fflush(stdout);
	config_free(cfg);
	free(o.zone_specs);
	free(o.items);
	return status;
}
