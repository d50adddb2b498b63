/* autoload.h -- the loader built into dnsbld, for rbldnsd's command line.
 *
 * rbldnsd reads its data files itself; so does dnsbld when started with
 * rbldnsd's command line: it keeps a store of its own (server/dropin_store.c
 * says where), loads the files into it with the loader's code (lib/dsload,
 * lib/feedwatch) and follows them in a thread of its own while the workers
 * answer from the same store.  The store is opened once, read-write, and
 * shared (LMDB must not be opened twice in one process).
 *
 * The store is this process's alone: a lock file keeps a second dnsbld out,
 * and datasets that the command line no longer names are dropped, since
 * rbldnsd keeps nothing between runs.
 */
#ifndef DNSBLD_AUTOLOAD_H
#define DNSBLD_AUTOLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "store.h"

struct autoload_options {
	const struct config *cfg;    /* kept alive by the caller */
	int accept_host_bits;        /* rbldnsd -e */
	int no_gunzip;               /* rbldnsd -C */
	uint32_t check_interval;     /* rbldnsd -c: re-check every N seconds;
	                                0 = no watching (SIGHUP reloads) */
	int prune;                   /* the store is one of several under the
	                                default directory (store_claim.h) */
};

struct autoload;

/* Creates the store directory and takes its lock (store_claim), opens it
 * for writing and prepares the watch engine.  Loads nothing yet.  0, or -1 with `err`
 * ("store DIR is in use by another dnsbld (pid N)"). */
int autoload_open(struct autoload **out, const struct autoload_options *o,
		  char *err, size_t errlen);

/* The store, for the workers' readers. */
struct store *autoload_store(struct autoload *al);

/* Loads every dataset (unchanged files are not re-read), stores the zone
 * table and drops stored datasets the config does not name.  Returns the
 * number of datasets that failed (their last good data is kept). */
int autoload_load_all(struct autoload *al);

/* Hands the store's files to the user the server drops to, so the watch
 * thread can still compact it.  0, or -1 with `err`. */
int autoload_give_to(struct autoload *al, uid_t uid, gid_t gid, char *err,
		     size_t errlen);

/* Starts following the files in a thread (when check_interval is not 0).
 * 0, or -1 with errno set. */
int autoload_start(struct autoload *al);

/* SIGHUP: re-checks every file now (watching), or reloads every dataset
 * in this thread (-c 0: nothing runs beside it). */
void autoload_hup(struct autoload *al);

/* Stops the thread and closes the store (NULL is fine). */
void autoload_free(struct autoload *al);

#endif
