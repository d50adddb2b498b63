/* store_claim.c -- lock a store directory for this process, remove the
 * ones left by servers that stopped.
 *
 * The locks are flocks: the kernel releases them when a process exits,
 * even after a crash, so a stale lock never keeps a restarted server out,
 * and "nobody holds the lock" means "nobody serves from this store".  The
 * parent directory's lock orders a new server's "create and lock my store"
 * against another's "remove unlocked stores", so a store is never removed
 * between its creation and its lock.
 */
#include "store_claim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsload.h"
#include "log.h"

#define CLAIM_LOCK "instance.lock"
#define CLAIM_PARENT_LOCK ".lock"
#define PATH_BUF 4096

/* DIR/NAME into `out` (PATH_BUF bytes); -1 if too long. */
static int claim_join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_BUF, "%s/%s", dir, name);

	return n < 0 || n >= PATH_BUF ? -1 : 0;
}

static int claim_rm_one(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 &&
	    errno != ENOENT)
		log_warn("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

void store_claim_remove(const char *path)
{
	nftw(path, claim_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Opens and locks (non-blocking) DIR/instance.lock; the descriptor, or
 * -1 (errno EWOULDBLOCK: somebody holds it). */
static int claim_try_lock(const char *dir, int create)
{
	char path[PATH_BUF];
	int fd;

	if (claim_join(path, dir, CLAIM_LOCK) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The old layout kept one store right in the parent: vN/, current,
 * data.mdb, lock.mdb, compact.lock. */
static int claim_old_layout_name(const char *name)
{
	static const char *const files[] = { "current", "data.mdb",
		"lock.mdb", "compact.lock", NULL };

	for (size_t i = 0; files[i]; i++)
		if (strcmp(name, files[i]) == 0)
			return 1;
	return name[0] == 'v' && name[1] &&
	       strspn(name + 1, "0123456789") == strlen(name + 1);
}

/* Removes what stopped servers left under `parent`, except `keep`. */
static void claim_prune(const char *parent, const char *keep)
{
	DIR *d = opendir(parent);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_BUF];
		int fd;

		if (e->d_name[0] == '.' || strcmp(e->d_name, keep) == 0 ||
		    claim_join(path, parent, e->d_name) < 0)
			continue;
		if (claim_old_layout_name(e->d_name)) {
			store_claim_remove(path);
			continue;
		}
		/* A store only if it has a lock file; nobody holds it, so
		 * nobody serves from it. */
		fd = claim_try_lock(path, 0);
		if (fd < 0)
			continue;
		log_info("removing %s, the store of a server that stopped",
			 path);
		store_claim_remove(path);
		close(fd);
	}
	closedir(d);
}

/* The parent directory of `dir` (its last component in *base). */
static int claim_split(const char *dir, char *parent, size_t plen,
		       const char **base)
{
	const char *slash = strrchr(dir, '/');

	*base = slash ? slash + 1 : dir;
	if (!slash)
		return snprintf(parent, plen, ".") < 0 ? -1 : 0;
	if ((size_t)(slash - dir) >= plen)
		return -1;
	memcpy(parent, dir, (size_t)(slash - dir));
	parent[slash - dir] = '\0';
	if (!*parent)
		snprintf(parent, plen, "/");
	return 0;
}

int store_claim(const char *dir, int prune, char *err, size_t errlen)
{
	char parent[PATH_BUF], path[PATH_BUF], pid[32] = "";
	const char *base;
	int pfd = -1, fd, len;
	ssize_t n;

	if (dsload_mkdirs(dir, err, errlen) < 0)
		return -1;
	if (prune) {
		if (claim_split(dir, parent, sizeof(parent), &base) < 0) {
			snprintf(err, errlen, "store %s: path too long", dir);
			return -1;
		}
		if (claim_join(path, parent, CLAIM_PARENT_LOCK) < 0) {
			snprintf(err, errlen, "store %s: path too long", dir);
			return -1;
		}
		pfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (pfd < 0 || flock(pfd, LOCK_EX) < 0) {
			snprintf(err, errlen, "cannot lock %s: %s", path,
				 strerror(errno));
			if (pfd >= 0)
				close(pfd);
			return -1;
		}
	}
	fd = claim_try_lock(dir, 1);
	if (fd < 0) {
		int e = errno;

		if (claim_join(path, dir, CLAIM_LOCK) < 0)
			snprintf(path, sizeof(path), "%s", CLAIM_LOCK);
		if (e != EWOULDBLOCK) {
			snprintf(err, errlen, "store %s: cannot lock %s: %s",
				 dir, path, strerror(e));
		} else {
			int rfd = open(path, O_RDONLY | O_CLOEXEC);

			n = rfd >= 0 ? read(rfd, pid, sizeof(pid) - 1) : -1;
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			if (rfd >= 0)
				close(rfd);
			snprintf(err, errlen, "store %s is in use by another "
				 "dnsbld%s%s%s", dir, *pid ? " (pid " : "", pid,
				 *pid ? ")" : "");
		}
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		log_warn("store %s: cannot write its lock file: %s", dir,
			 strerror(errno));
	if (prune) {
		claim_prune(parent, base);
		close(pfd);
	}
	return fd;
}
