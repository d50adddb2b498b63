/* filewatch.h -- notice when feed files change, however they are replaced.
 *
 * rsync writes a temporary file and renames it over the old one; other tools
 * rewrite in place, delete and re-create, or replace the whole directory.
 * inotify tells us promptly that *something* happened near a watched file;
 * the truth is decided by comparing each file's identity (device, inode,
 * size, mtime, ctime) with the last one seen, so a missed or coalesced
 * event costs latency, never correctness.  The caller owns the event loop:
 * it polls filewatch_fd() for reading, calls filewatch_drain(), waits for a
 * quiet moment (writers may still be busy), then calls filewatch_scan().
 */
#ifndef DNSBLD_FILEWATCH_H
#define DNSBLD_FILEWATCH_H

#include <stddef.h>

struct filewatch;

/* Returns a new watcher, or NULL with errno set. */
struct filewatch *filewatch_new(void);
void filewatch_free(struct filewatch *fw);

/* Starts watching `path` (it need not exist yet).  Returns its index, used
 * by filewatch_scan(), or -1 with errno set.  Adding a path records its
 * current identity: only later changes are reported. */
int filewatch_add(struct filewatch *fw, const char *path);

/* Says that a file renamed into path `idx` completes a change: it is the
 * only file of what it belongs to, so nothing more need follow it (see
 * filewatch_drain).  Off for every path until set. */
void filewatch_rename_completes(struct filewatch *fw, size_t idx);

/* The inotify descriptor (non-blocking) to wait on for readability. */
int filewatch_fd(const struct filewatch *fw);

/* Reads all pending inotify events.  Returns how many concerned a watched
 * path or one of its directories (0: nothing relevant), -1 on error.
 * If `unfinished` is not NULL, it gets how many of those may be followed
 * by more writes: every one but a file renamed into a path marked by
 * filewatch_rename_completes.  A rename is a writer's last step (rsync's,
 * mv's), so a caller need not wait for a quiet moment after one. */
int filewatch_drain(struct filewatch *fw, int *unfinished);

/* Compares every watched path with its last identity, re-arming directory
 * watches that were replaced.  Writes the indices of changed paths (created,
 * removed, replaced or modified) to `changed` (at most `max`) and returns
 * their count. */
size_t filewatch_scan(struct filewatch *fw, size_t *changed, size_t max);

#endif
