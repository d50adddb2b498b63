/* loader.h -- dnsbl-loader's commands and the state they share.
 *
 * main.c parses the options and the config, then dispatches to one command
 * function per subcommand (load.c, watch.c).  A new subcommand is one more
 * file and one more row in main.c's table.
 */
#ifndef DNSBLD_LOADER_H
#define DNSBLD_LOADER_H

#include <stdint.h>

#include "config.h"
#include "storeadmin.h"

struct metrics_file;

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
	struct metrics_file *metrics; /* -m FILE: watch's metrics file */
};

/* `load [DATASET...]`: parse and store each dataset (all by default), each
 * in its own transaction.  `args` are the dataset names.  Returns an exit
 * status. */
int loader_cmd_load(struct loader *ld, int nargs, char **args);

/* `watch`: load every dataset, then follow the config and the feed files
 * (lib/feedwatch.c) until SIGTERM/SIGINT.  Returns an exit status. */
int loader_cmd_watch(struct loader *ld, int nargs, char **args);

/* `hits DATASET`: hit lines from standard input into trap dataset
 * DATASET, committed in batches, until the input ends. */
int loader_cmd_hits(struct loader *ld, int nargs, char **args);

/* The clock (clock.c): time(NULL), or DNSBL_LOADER_NOW for tests.
 * loader_clock_init returns -1 (said on stderr) if the variable is bad. */
int loader_clock_init(const char *prog);
int64_t loader_now(void);

/* The shared admin commands' view of the loader (lib/storeadmin.h): show,
 * zones, drop and compact moved to dnsbl-ctl and run here as aliases. */
struct storeadmin loader_admin(const struct loader *ld);

#endif
