/* dnsbl_ctl.h -- dnsbl-ctl's verbs and the state they share.
 *
 * dnsbl-ctl inspects and edits the store the loader fills and dnsbld
 * serves.  dnsbl_ctl.c parses the global options and the config and finds
 * the verb in its table; each verb parses its own arguments and lives in
 * a file of its own: _edit.c (add, del, delist, expire, history), _get.c, _stats.c,
 * _export.c, _check.c, _ship.c (ship, adopt).  show, zones, drop and compact are lib/storeadmin.c,
 * shared with dnsbl-loader's aliases.
 */
#ifndef DNSBLD_DNSBL_CTL_H
#define DNSBLD_DNSBL_CTL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "store.h"

/* Exit statuses (the same as lib/storeadmin.h's). */
#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILED 1      /* a failure, a refusal, a mismatch */
#define CTL_EXIT_USAGE 2       /* bad command line or config */

struct ctl {
	const char *prog;          /* "dnsbl-ctl", for messages */
	struct config *cfg;
	int quiet;                 /* -q: only warnings and errors */
	int64_t now;               /* the clock: time(NULL), or DNSBL_CTL_NOW
	                              (tests of --for expiry) */
};

/* One verb: `run` gets the arguments after the verb name (argv[0] is the
 * verb, for getopt) and returns an exit status. */
struct ctl_verb {
	const char *name;
	const char *args;          /* synopsis after the name */
	const char *help;          /* one line */
	int (*run)(struct ctl *c, int argc, char **argv);
};

/* Prints the verb's usage ("usage: dnsbl-ctl -c FILE VERB ARGS") and its
 * help to `f` (stdout for --help, stderr with a usage error). */
void ctl_verb_usage(const struct ctl *c, const struct ctl_verb *v, FILE *f);
/* The verb called `name`, or NULL. */
const struct ctl_verb *ctl_verb_find(const char *name);
/* Parses a verb's own options with getopt_long (argv[0] the verb): -h and
 * --help print its usage and give *exit = 0; a bad option prints it to
 * stderr and gives 2.  Calls `opt(c, ch, optarg, arg)` for the others (it
 * returns 0, or an exit status after a message).  Returns the index of the
 * first operand, or -1 with *exit set. */
int ctl_getopt(struct ctl *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts,
	       int (*opt)(struct ctl *c, int ch, const char *arg, void *a),
	       void *a, int *exit);

/* ctl_getopt for a verb with no options of its own, and between `min`
 * and `max` operands (max < 0: any number): the index of the first, or -1
 * with *exit set (2 and the verb's usage for a wrong count). */
int ctl_operands(struct ctl *c, int argc, char **argv, int min, int max,
		 int *exit);

/* Opens the config's store read-only (NULL after a message). */
struct store *ctl_open_read(const struct ctl *c, struct store_reader **rd);
/* Opens the config's store for writing, made if new (NULL after a
 * message). */
struct store *ctl_open_write(const struct ctl *c);
/* The dataset `name` of the config, or NULL after "no dataset named". */
const struct cfg_dataset *ctl_dataset(const struct ctl *c, const char *name);
/* Whether the zones that serve dataset `name` (the stored table, else the
 * config's) are listed into `out` as "a, b" (empty: none). */
void ctl_zones_of(const struct ctl *c, struct store_reader *rd,
		  const char *name, char *out, size_t outlen);
/* "2026-11-28 11:00:00 UTC" (lib/storeadmin.c's). */
const char *ctl_time(int64_t t);

/* `get`'s lines for a trap listing (dnsbl_ctl_trap.c): its dataset, hits,
 * first and last hit, expiry and rDNS, from the counter of `prefix` (the
 * listed entry, host bits zero).  1, or 0 if `m` has no such counter. */
int ctl_get_trap(struct store_reader *rd, const char *name,
		 const struct store_dsmeta *m, int family,
		 const uint8_t prefix[16], int64_t expires);

/* The verbs. */
int ctl_add(struct ctl *c, int argc, char **argv);
int ctl_del(struct ctl *c, int argc, char **argv);
int ctl_delist(struct ctl *c, int argc, char **argv);
int ctl_expire(struct ctl *c, int argc, char **argv);
int ctl_history(struct ctl *c, int argc, char **argv);
int ctl_get(struct ctl *c, int argc, char **argv);
int ctl_stats(struct ctl *c, int argc, char **argv);
int ctl_accept(struct ctl *c, int argc, char **argv);
int ctl_export(struct ctl *c, int argc, char **argv);
int ctl_check(struct ctl *c, int argc, char **argv);
int ctl_requests(struct ctl *c, int argc, char **argv);
int ctl_ship(struct ctl *c, int argc, char **argv);
int ctl_adopt(struct ctl *c, int argc, char **argv);

#endif
