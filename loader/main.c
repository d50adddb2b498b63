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
#include "store.h"

struct loader_command {
	const char *name;
	int (*run)(struct loader *ld, int nargs, char **args);
	unsigned config_flags;   /* CONFIG_* for config_load_flags */
	const char *help;
};

static int loader_cmd_check(struct loader *ld, int nargs, char **args);

static const struct loader_command loader_commands[] = {
	{ "load", loader_cmd_load, CONFIG_NO_FILE_CHECK,
	  "parse each DATASET's files (default: all) and store it" },
	{ "show", loader_cmd_show, CONFIG_NO_FILE_CHECK,
	  "print what the store holds for each DATASET (default: all)" },
	{ "zones", loader_cmd_zones, CONFIG_NO_FILE_CHECK,
	  "print the zone table stored with the data" },
	{ "drop", loader_cmd_drop, CONFIG_NO_FILE_CHECK,
	  "remove each DATASET from the store (e.g. one gone from the config)" },
	{ "compact", loader_cmd_compact, CONFIG_NO_FILE_CHECK,
	  "return the store's free space now (load/drop/watch do it by themselves)" },
	{ "watch", loader_cmd_watch, CONFIG_NO_FILE_CHECK,
	  "load everything, then apply every feed and config change as it lands" },
	{ "check", loader_cmd_check, 0,
	  "check the config, including that every data file is readable" },
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
		fprintf(out, "  %-7s %s\n", loader_commands[i].name,
			loader_commands[i].help);
	fprintf(out,
		"\n"
		"options:\n"
		"  -c FILE  the YAML config (required)\n"
		"  -e       accept CIDR entries with host bits set (mask them), as rbldnsd -e\n"
		"  -C       do not gunzip: a gzip-compressed file is an error, as rbldnsd -C\n"
		"  -q       quiet: no summary lines, only warnings and errors\n"
		"  -w N     print at most N bad-line warnings per dataset (default 100, 0 = all)\n"
		"  -d MS    watch: quiet time after a file event before reloading (default 200)\n"
		"  -i S     watch: re-check every file and retry failed datasets every S\n"
		"           seconds, for file systems where inotify misses events\n"
		"           (default 60, 0 = never)\n"
		"  -h       this help\n"
		"\n"
		"exit status: 0 everything loaded (watch: stopped by SIGTERM/SIGINT),\n"
		"1 a dataset or the store failed, 2 bad usage or config.\n"
		"watch: SIGHUP re-checks every file now.\n");
}

struct store *loader_open_existing(const struct loader *ld)
{
	struct store *st = NULL;
	struct stat sb;
	char err[1024];

	if (stat(ld->cfg->store, &sb) < 0) {
		fprintf(stderr, "%s: store %s: %s\n", ld->prog, ld->cfg->store,
			strerror(errno));
		return NULL;
	}
	if (store_open(&st, ld->cfg->store, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: store %s: %s\n", ld->prog, ld->cfg->store, err);
		return NULL;
	}
	return st;
}

int loader_check_names(const struct loader *ld, int nargs, char **args)
{
	for (int i = 0; i < nargs; i++) {
		if (!config_dataset(ld->cfg, args[i])) {
			fprintf(stderr, "%s: %s: no dataset named \"%s\"\n", ld->prog,
				ld->cfg->path, args[i]);
			return -1;
		}
	}
	return 0;
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
	const char *cfgfile = NULL;
	char err[1024];
	char *end;
	unsigned long v;
	int opt, rc;

	ld.prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	while ((opt = getopt(argc, argv, "c:eCqw:d:i:h")) != -1) {
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
	if (config_load_flags(cfgfile, cmd->config_flags, &ld.cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", ld.prog, err);
		return LOADER_EXIT_USAGE;
	}
	rc = cmd->run(&ld, argc - optind - 1, argv + optind + 1);
	config_free(ld.cfg);
	return rc;
}
