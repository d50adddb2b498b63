/* main.c -- dnsbld's command lines: `dnsbld -c FILE`, or rbldnsd's.
 *
 * Only argument handling lives here: a command line with zone specs is
 * rbldnsd's and dropin.c translates it; `-c FILE` names a YAML config.
 * Both end in server_run (server.c), the one server path.
 * `--check-config FILE` loads a YAML config as a start would and stops
 * there, before the store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dropin.h"
#include "help_wanted.h"
#include "rbldnsd_args.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f,
		"dnsbld: an authoritative DNS server for DNS blocklists (DNSBL).\n"
		"It answers from an LMDB store that dnsbl-loader fills, or, given\n"
		"rbldnsd's command line, reads rbldnsd's data files itself.\n"
		"\n"
		"usage: dnsbld -c FILE [-n] [-l] [-w WORKERS] [-d]\n"
		"   or: dnsbld --check-config FILE\n"
		"   or: dnsbld [rbldnsd options] ZONE:TYPE:FILE[,FILE...]...\n"
		"\n"
		"With -c FILE (a YAML config; zones, datasets, store, listen\n"
		"addresses, user, chroot, logs: see README.md):\n"
		"  -c FILE     the config\n"
		"  -n, -f      stay in the foreground even if the config says\n"
		"              `daemon: true` (the foreground is the default)\n"
		"  -l          log to syslog too (facility daemon; or `syslog:`)\n"
		"  -w WORKERS  answering threads, 1..1024 (default: the config's\n"
		"              `workers`, else one per core)\n"
		"  -d          debug log lines\n"
		"  -h, --help  this help\n"
		"  --check-config FILE  check the config as a start would (syntax,\n"
		"              values, datasets, zones, the form of listen addresses)\n"
		"              and exit: 0 and \"FILE: ok (N datasets, M zones)\",\n"
		"              or 2 and the error.  It never opens the store; the\n"
		"              data files are dnsbl-loader's (`dnsbl-loader check`)\n"
		"\n"
		"With zone specs instead of -c, dnsbld is a drop-in rbldnsd and\n"
		"the letters mean what they mean to rbldnsd: -c is the check\n"
		"interval, -w the working directory, -d dumps the zones, -l is the\n"
		"query log, -f is ignored.  Those options follow.\n"
		"\n");
	rbldnsd_args_usage("dnsbld", f);
	fprintf(f,
		"\n"
		"Signals, in both modes: TERM and INT stop (exit status 0), HUP\n"
		"reopens the query log and re-checks the data files, USR1 logs the\n"
		"stats (and writes a stats file line), USR2 does that and resets\n"
		"the counters.\n");
}

/* A whole decimal number in [min, max]; -1 for anything else ("4x"). */
static long parse_count(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < min || v > max ? -1 : v;
}

/* The YAML config, as both a start and --check-config read it.  The
 * server answers from the store, so the data files are not its business:
 * a feed not there yet must not stop it (dnsbl-loader check looks at
 * them). */
static int load_config(const char *file, struct config **cfg)
{
	char err[1024];

	if (config_load_flags(file, CONFIG_NO_FILE_CHECK, cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "dnsbld: %s\n", err);
		return -1;
	}
	return 0;
}

/* `dnsbld --check-config FILE` (or =FILE), alone: -1 when the command line
 * is something else. */
static int check_config(int argc, char **argv)
{
	const char *opt = "--check-config", *file = NULL;
	size_t n = strlen(opt);
	struct config *cfg;
	int found = 0;

	for (int i = 1; i < argc; i++)
		found |= strncmp(argv[i], opt, n) == 0 &&
			 (argv[i][n] == '\0' || argv[i][n] == '=');
	if (!found)
		return -1;
	if (argc == 2 && argv[1][n] == '=')
		file = argv[1] + n + 1;
	else if (argc == 3 && argv[1][n] == '\0')
		file = argv[2];
	if (!file || !*file) {
		fprintf(stderr, "dnsbld: usage: dnsbld --check-config FILE "
			"(alone)\n");
		return 2;
	}
	if (load_config(file, &cfg) < 0)
		return 2;
	printf("%s: ok (%zu datasets, %zu zones)\n", file, cfg->ndatasets,
	       cfg->nzones);
	config_free(cfg);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgfile = NULL;
	struct server_options o;
	struct config *cfg = NULL;
	int opt, foreground = 0, use_syslog = 0, rc;

	if (help_wanted(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if ((rc = check_config(argc, argv)) >= 0)
		return rc;
	/* zone specs on the command line: rbldnsd's command line */
	if (dropin_wanted(argc, argv))
		return dropin_main(argc, argv);
	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:fnlw:d", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfgfile = optarg;
			break;
		case 'f':
		case 'n':
			foreground = 1;
			break;
		case 'l':
			use_syslog = 1;
			break;
		case 'w':
			o.workers = parse_count(optarg, 1, 1024);
			if (o.workers < 0) {
				fprintf(stderr, "dnsbld: -w %s: want a number "
					"of workers, 1..1024\n", optarg);
				return 2;
			}
			break;
		case 'd':
			o.debug = 1;
			break;
		default:
			if (optopt)
				fprintf(stderr, "dnsbld: -%c: %s\n", optopt,
					strchr("cw", optopt) ? "needs a value"
							     : "unknown option");
			else
				fprintf(stderr, "dnsbld: %s: unknown option\n",
					argv[optind - 1]);
			fprintf(stderr, "dnsbld: `dnsbld --help` lists the "
				"options\n");
			return 2;
		}
	}
	if (!cfgfile || optind != argc) {
		fprintf(stderr, "dnsbld: %s\nusage: dnsbld -c FILE [-n] [-l] "
			"[-w WORKERS] [-d], or rbldnsd's command line; "
			"`dnsbld --help` says more\n",
			!cfgfile ? "no config (-c FILE) and no zone specs"
				 : "unexpected arguments after the options");
		return 2;
	}
	if (load_config(cfgfile, &cfg) < 0)
		return 1;
	if (foreground)
		cfg->daemon = 0;
	if (use_syslog && !cfg->syslog && !(cfg->syslog = strdup("daemon"))) {
		fprintf(stderr, "dnsbld: out of memory\n");
		config_free(cfg);
		return 1;
	}
	rc = server_run(cfg, &o);
	config_free(cfg);
	return rc;
}
