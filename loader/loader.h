/* loader.h -- dnsbl-loader's commands and the state they share.
 *
 * main.c parses the options and the config, then dispatches to one command
 * function per subcommand (load.c, show.c, ...).  A new subcommand (`watch`)
 * is one more file and one more row in main.c's table.
 */
#ifndef DNSBLD_LOADER_H
#define DNSBLD_LOADER_H

#include "config.h"

/* Exit statuses, documented in the usage text and README. */
#define LOADER_EXIT_OK 0
#define LOADER_EXIT_FAILED 1   /* a dataset (or the store) failed */
#define LOADER_EXIT_USAGE 2    /* bad command line or config */

struct loader {
	const char *prog;          /* argv[0] basename, for messages */
	struct config *cfg;
	int accept_host_bits;      /* -e */
	int no_gunzip;             /* -C */
	int quiet;                 /* -q: no summary lines */
	unsigned max_logged;       /* -w: bad-line warnings shown per dataset */
	unsigned debounce_ms;      /* -d: watch: quiet time before a reload */
	int recheck_s;             /* -i: watch: periodic re-check, <0 = off */
};

/* `load [DATASET...]`: parse and store each dataset (all by default), each
 * in its own transaction.  `args` are the dataset names.  Returns an exit
 * status. */
int loader_cmd_load(struct loader *ld, int nargs, char **args);

/* `show [DATASET...]`: print what the store holds.  Returns an exit
 * status. */
int loader_cmd_show(struct loader *ld, int nargs, char **args);

/* `zones`: print the zone table stored in the store (what a server that
 * follows the store serves).  Returns an exit status. */
int loader_cmd_zones(struct loader *ld, int nargs, char **args);

/* `drop DATASET...`: remove each named dataset (in the config or not) from
 * the store, one transaction each.  Returns an exit status. */
int loader_cmd_drop(struct loader *ld, int nargs, char **args);

/* `compact`: copy the store's live data, packed, into a new instance and
 * move to it (lib/store_compact.c).  Returns an exit status. */
int loader_cmd_compact(struct loader *ld, int nargs, char **args);

/* After writes: compacts the store if a quarter of it is free, printing
 * what it did (a failure is a warning: the data is stored). */
struct store;
void loader_compact_if_bloated(struct loader *ld, struct store *st);

/* `watch`: load every dataset, then follow the config and the feed files
 * (lib/feedwatch.c) until SIGTERM/SIGINT.  Returns an exit status. */
int loader_cmd_watch(struct loader *ld, int nargs, char **args);

/* Opens the config's store for writing; it must exist already (drop and
 * compact never make one).  NULL after an error message. */
struct store *loader_open_existing(const struct loader *ld);

/* Checks that every name in `args` is a dataset of the config; prints an
 * error naming the first unknown one.  Returns 0 or -1. */
int loader_check_names(const struct loader *ld, int nargs, char **args);

#endif
