/* store_claim.h -- one store per running rbldnsd-mode server.
 *
 * rbldnsd keeps no state between runs, and scripts start many short-lived
 * instances from one directory, several at a time.  So a dnsbld started
 * with rbldnsd's command line keeps its store in a directory of its own
 * (dnsbld-store/KEY, KEY naming its listen addresses: a restart finds its
 * data again and starts fast), holds a lock on it while it runs, and
 * removes the stores of instances that have stopped.
 */
#ifndef DNSBLD_STORE_CLAIM_H
#define DNSBLD_STORE_CLAIM_H

#include <stddef.h>

/* Creates store directory `dir` if needed and takes its lock
 * (DIR/instance.lock) for this process.  With `prune`, `dir` is one of
 * several under its parent directory: under the parent's lock, the stores
 * beside it that no running server holds are removed first (and the files
 * of the old single-store layout in the parent itself).  Returns the lock's
 * descriptor (keep it open while serving), or -1 with `err` ("store DIR is
 * in use by another dnsbld (pid N)"). */
int store_claim(const char *dir, int prune, char *err, size_t errlen);

/* Removes store directory `dir` and everything in it (symbolic links are
 * removed, never followed). */
void store_claim_remove(const char *dir);

#endif
