/* main.c -- dnsbl-loader: command line, config, subcommand dispatch.
 *
 * The loader fills the LMDB store the server reads.  Options are parsed
 * here once; each subcommand is a function in its own file, found through
 * the table below, so adding `watch` later touches nothing else.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "loader.h"
#include "metrics_file.h"
#include "store.h"
#include "storeadmin.h"

struct loader_command {
	const char *name;
	int (*run)(struct loader *ld, int nargs, char **args);
	/* A command that moved to dnsbl-ctl (lib/storeadmin.c), kept here
	 * as an alias that says so. */
	int (*moved)(const struct storeadmin *sa, int nargs, char **args);
	unsigned config_flags;   /* CONFIG_* for config_load_flags */
	const char *help;
};

static int loader_cmd_check(struct loader *ld, int nargs, char **args);

static const struct loader_command loader_commands[] = {
	{ "load", loader_cmd_load, NULL, CONFIG_NO_FILE_CHECK,
	  "parse each DATASET's files (default: all) and store it" },
	{ "watch", loader_cmd_watch, NULL, CONFIG_NO_FILE_CHECK,
	  "load everything, then apply every feed and config change as it "
	  "lands,\n          and remove hand-added entries whose --for time "
	  "has passed" },
	{ "hits", loader_cmd_hits, NULL, CONFIG_NO_FILE_CHECK,
	  "read trap hit lines (IP [trap=ID] [time=UNIX] [reason=TEXT])\n"
	  "          from standard input into trap DATASET until it ends" },
	{ "check", loader_cmd_check, NULL, 0,
	  "check the config, including that every data file is readable" },
	{ "show", NULL, storeadmin_show, CONFIG_NO_FILE_CHECK, NULL },
	{ "zones", NULL, storeadmin_zones, CONFIG_NO_FILE_CHECK, NULL },
	{ "drop", NULL, storeadmin_drop, CONFIG_NO_FILE_CHECK, NULL },
	{ "compact", NULL, storeadmin_compact, CONFIG_NO_FILE_CHECK, NULL },
};

static void loader_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s -c FILE [-e] [-C] [-q] [-w N] [-d MS] [-i S] COMMAND [DATASET...]\n"
		"\n"
		"Fills and inspects the dnsbld LMDB store named in the YAML config.\n"
		"\n"
		"commands:\n", prog);
	for (size_t i = 0; i < sizeof(loader_commands) / sizeof(loader_commands[0]); i++)
		if (loader_commands[i].help)
			fprintf(out, "  %-7s %s\n", loader_commands[i].name,
				loader_commands[i].help);
	fprintf(out,
		"  show, zones, drop, compact: moved to dnsbl-ctl (still run "
		"here, with a note)\n"
		"\n"
		"options:\n"
		"  -c FILE  the YAML config (required)\n"
		"  -e       accept CIDR entries with host bits set (mask them), as rbldnsd -e\n"
		"  -C       do not gunzip: a gzip-compressed file is an error, as rbldnsd -C\n"
		"  -q       quiet: no summary lines, only warnings and errors\n"
		"  -w N     print at most N bad-line warnings per dataset (default 100, 0 = all)\n"
		"  -d MS    watch: quiet time after a file event before reloading (default 200;\n"
		"           at most 20 after files were only renamed into place)\n"
		"  -i S     watch: re-check every file and retry failed datasets every S\n"
		"           seconds, for file systems where inotify misses events\n"
		"           (default 60, 0 = never)\n"
		"  -m FILE  watch: keep Prometheus metrics in FILE (node_exporter's\n"
		"           textfile collector): per dataset its loads and failures,\n"
		"           per trap dataset its hits and listings\n"
		"  -h, --help  this help\n"
		"\n"
		"exit status: 0 everything loaded (watch: stopped by SIGTERM/SIGINT),\n"
		"1 a dataset or the store failed, 2 bad usage or config.\n"
		"watch: SIGHUP re-checks every file now.\n"
		"DNSBL_LOADER_NOW (tests): the clock, unix seconds or +/-seconds.\n");
}

struct storeadmin loader_admin(const struct loader *ld)
{
	struct storeadmin sa = { ld->prog, ld->cfg, ld->quiet };

	return sa;
}

/* A command that moved to dnsbl-ctl: one line says where, then it runs. */
static int loader_run_moved(struct loader *ld, const struct loader_command *cmd,
			    int nargs, char **args)
{
	struct storeadmin sa = loader_admin(ld);

	fprintf(stderr, "%s: `%s` has moved: the command is `dnsbl-ctl %s` "
		"now\n", ld->prog, cmd->name, cmd->name);
	return cmd->moved(&sa, nargs, args);
}

static int loader_cmd_check(struct loader *ld, int nargs, char **args)
{
	(void)args;
	if (nargs) {
		fprintf(stderr, "%s: check takes no arguments\n", ld->prog);
		return LOADER_EXIT_USAGE;
	}
	/* config_load already checked everything, files included. */
	if (!ld->quiet)
		printf("%s: ok (%zu datasets, %zu zones)\n", ld->cfg->path,
		       ld->cfg->ndatasets, ld->cfg->nzones);
	return LOADER_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct loader ld = { .max_logged = 100 };
	const struct loader_command *cmd = NULL;
	const char *cfgfile = NULL, *metrics_path = NULL;
	char err[1024];
	char *end;
	unsigned long v;
	int opt, rc;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	ld.prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	while ((opt = getopt_long(argc, argv, "c:eCqw:d:i:m:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfgfile = optarg;
			break;
		case 'e':
			ld.accept_host_bits = 1;
			break;
		case 'C':
			ld.no_gunzip = 1;
			break;
		case 'q':
			ld.quiet = 1;
			break;
		case 'w':
			ld.max_logged = (unsigned)strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end) {
				fprintf(stderr, "%s: -w wants a number, not \"%s\"\n",
					ld.prog, optarg);
				return LOADER_EXIT_USAGE;
			}
			break;
		case 'd':
		case 'i':
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v > 86400000) {
				fprintf(stderr, "%s: -%c wants a number, not \"%s\"\n",
					ld.prog, opt, optarg);
				return LOADER_EXIT_USAGE;
			}
			if (opt == 'd')
				ld.debounce_ms = (unsigned)(v ? v : 1);
			else
				ld.recheck_s = v ? (int)v : -1;
			break;
		case 'm':
			metrics_path = optarg;
			break;
		case 'h':
			loader_usage(stdout, ld.prog);
			return LOADER_EXIT_OK;
		default:
			loader_usage(stderr, ld.prog);
			return LOADER_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no command given\n", ld.prog);
		loader_usage(stderr, ld.prog);
		return LOADER_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(loader_commands) / sizeof(loader_commands[0]); i++)
		if (strcmp(argv[optind], loader_commands[i].name) == 0)
			cmd = &loader_commands[i];
	if (!cmd) {
		fprintf(stderr, "%s: unknown command \"%s\"\n", ld.prog, argv[optind]);
		loader_usage(stderr, ld.prog);
		return LOADER_EXIT_USAGE;
	}
	if (!cfgfile) {
		fprintf(stderr, "%s: -c FILE is required\n", ld.prog);
		loader_usage(stderr, ld.prog);
		return LOADER_EXIT_USAGE;
	}
	if (loader_clock_init(ld.prog) < 0)
		return LOADER_EXIT_USAGE;
	if (config_load_flags(cfgfile, cmd->config_flags, &ld.cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld.prog, err);
		return LOADER_EXIT_USAGE;
	}
	if (metrics_path && !(ld.metrics = metrics_file_new(metrics_path))) {
		fprintf(stderr, "%s: out of memory\n", ld.prog);
		config_free(ld.cfg);
		return LOADER_EXIT_FAILED;
	}
	rc = cmd->moved ? loader_run_moved(&ld, cmd, argc - optind - 1,
					   argv + optind + 1)
			: cmd->run(&ld, argc - optind - 1, argv + optind + 1);
	metrics_file_free(ld.metrics);
	config_free(ld.cfg);
	return rc;
}
