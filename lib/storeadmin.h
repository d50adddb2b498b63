/* storeadmin.h -- the store's admin commands: show, zones, drop, compact.
 *
 * `dnsbl-ctl` inspects and edits the store; `dnsbl-loader` fills it.  These
 * four commands moved from the loader to dnsbl-ctl, and the loader keeps
 * them as aliases, so both programs run this one copy.  Each function is a
 * whole command: it opens the store, prints to stdout (errors to stderr,
 * prefixed with the program's name) and returns an exit status.
 */
#ifndef DNSBLD_STOREADMIN_H
#define DNSBLD_STOREADMIN_H

#include <stdint.h>

#include "config.h"
#include "store.h"

/* Exit statuses, the same in both programs. */
#define STOREADMIN_OK 0
#define STOREADMIN_FAILED 1   /* the store (or a dataset in it) failed */
#define STOREADMIN_USAGE 2    /* bad command line */

struct storeadmin {
	const char *prog;         /* for messages */
	const struct config *cfg;
	int quiet;                /* no summary lines */
};

/* `show [DATASET...]`: per dataset (default: the config's, then stored
 * ones it lacks) its type, entries, serial, load time, sources and `$`
 * lines, read-only. */
int storeadmin_show(const struct storeadmin *sa, int nargs, char **args);

/* `zones`: the zone table stored with the data (what a server following
 * the store serves), read-only. */
int storeadmin_zones(const struct storeadmin *sa, int nargs, char **args);

/* `drop DATASET...`: removes each from the store (in the config or not),
 * one transaction each; compacts if that left the store bloated. */
int storeadmin_drop(const struct storeadmin *sa, int nargs, char **args);

/* `compact`: copies the live data, packed, into a new instance now. */
int storeadmin_compact(const struct storeadmin *sa, int nargs, char **args);

/* After writes: compacts if a quarter of the store is free, printing what
 * it did (a failure is a warning: the data is stored). */
void storeadmin_compact_if_bloated(const struct storeadmin *sa,
				   struct store *st);

/* Opens the config's store; it must exist already (nothing here makes
 * one).  `flags`: STORE_READONLY or 0.  NULL after an error message. */
struct store *storeadmin_open(const struct storeadmin *sa, unsigned flags);

/* Checks that every name in `args` is a dataset of the config; prints an
 * error naming the first unknown one.  0 or -1. */
int storeadmin_check_names(const struct storeadmin *sa, int nargs,
			   char **args);

/* "2026-11-28 11:00:00 UTC" (a static buffer, one of two in turn). */
const char *storeadmin_time(int64_t t);

#endif
