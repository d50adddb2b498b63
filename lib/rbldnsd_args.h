/* rbldnsd_args.h -- rbldnsd's command line, turned into a dnsbld config.
 *
 * Mirrors run rbldnsd from init scripts with zone specs on the command line
 * (`rbldnsd -u rbldns -b 127.0.0.1/530 bl.example:ip4set:spam,extra`); dnsbld
 * accepts the same line, so migrating means changing the binary's name.
 * This module only parses: every zone spec becomes a zone and a dataset in a
 * `struct config` (identical `type:files` specs share one dataset, as in
 * rbldnsd), every option lands in `struct rbldnsd_args` for the server to
 * apply.
 */
#ifndef DNSBLD_RBLDNSD_ARGS_H
#define DNSBLD_RBLDNSD_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

struct rbldnsd_args {
	/* Everything the server does: zones, datasets, listen, store (NULL
	 * unless --store), user (-u), chroot (-r), pidfile (-p), daemon (not
	 * -n), syslog (-F), query_log (-l), stats_file (-s), TTLs (-t),
	 * version_bind (-v). */
	struct config *cfg;

	/* What only rbldnsd's command line has: the loader built into the
	 * server, and the steps around it. */
	char *work_dir;              /* -w: chdir here (after -r) */
	uint32_t check_interval;     /* -c, seconds (default 60); 0 = no updates */
	int family;                  /* -4 / -6: 4 or 6, 0 = both */
	int accept_host_bits;        /* -e */
	int quick_start;             /* -q */
	int minimal_answers;         /* -a (1) or -A (0, the default) */
	int fork_on_reload;          /* -f (accepted, nothing to do) */
	int dump;                    /* -d */
	int no_gunzip;               /* -C */
	int help;                    /* -h, --help */

	/* Options accepted for compatibility but meaningless for dnsbld, each
	 * with the reason; the server logs them once at start. */
	char **ignored;
	size_t nignored;
};

/* Parses rbldnsd-style `argv` (argv[0] is the program) into a config with
 * rbldnsd's defaults (in the background, syslog "daemon", user "rbldns"
 * when started as root).  One dnsbld-only option is added: `--store DIR`,
 * the LMDB directory to keep the data in (cfg->store; NULL when not given:
 * the server picks one per instance).  On error
 * returns -1 with an rbldnsd-style message in `err` ("invalid option --
 * 'z'", "invalid zone spec `x'", "unknown dataset type `foo'", "invalid ttl
 * (-t) value `1x'"...); *out is then empty. */
int rbldnsd_args_parse(int argc, char *const argv[], struct rbldnsd_args *out,
		       char *err, size_t errlen);
void rbldnsd_args_free(struct rbldnsd_args *a);

/* rbldnsd's usage text (for -h), naming the program `prog`. */
void rbldnsd_args_usage(const char *prog, FILE *out);

/* Parses an rbldnsd time value: a number with an optional unit s, m, h, d
 * or w.  Returns 0 or -1. */
int rbldnsd_parse_time(const char *text, uint32_t *seconds);

#endif
