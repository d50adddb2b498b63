/* filebusy.h -- is some process still holding a file open for writing?
 *
 * Why: a feed rewritten in place by a slow writer (several chunks, pauses
 * longer than any debounce) would otherwise be loaded half written.  The
 * kernel knows whether a file has writers: a read lease (fcntl F_SETLEASE)
 * is refused with EAGAIN while any descriptor has it open for writing.  The
 * lease is dropped at once, so a writer opening the file is never held up
 * for more than that instant.
 */
#ifndef DNSBLD_FILEBUSY_H
#define DNSBLD_FILEBUSY_H

/* Returns 1 if `path` is open for writing by any process, 0 if not, or if
 * that cannot be told (missing file, a file system or user without leases:
 * leases need the file's owner or CAP_LEASE; the caller then relies on its
 * other checks). */
int filebusy_writing(const char *path);

#endif
