/* filewatch.c -- inotify wake-ups plus identity comparison of feed files.
 *
 * Each watched file's directory is watched (the file itself may be renamed
 * over at any moment, so a watch on its inode would go stale), and so is the
 * directory's parent, which sees the directory itself being replaced.  Events
 * only say "look now"; filewatch_scan() stats every path and reports those
 * whose identity moved.
 */
#include "filewatch.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		    IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF |       \
		    IN_MOVE_SELF)
#define PARENT_EVENTS (IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

/* What we compare to decide "this file changed". */
struct file_identity {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	nlink_t nlink;
	struct timespec mtime, ctime;
};

/* A watched directory: the directory of one or more files. */
struct watched_dir {
	char *path;        /* the directory */
	char *name;        /* its last component, as seen from its parent */
	int wd;            /* watch on the directory, -1 if it is missing */
	int parent_wd;     /* watch on its parent, -1 if that is missing */
	dev_t dev;
	ino_t ino;
};

struct watched_file {
	char *path;
	char *name;        /* last component */
	size_t dir;        /* index into dirs */
	struct file_identity id;
	int rename_completes;  /* filewatch_rename_completes */
};

struct filewatch {
	int fd;
	struct watched_dir *dirs;
	size_t ndirs;
	struct watched_file *files;
	size_t nfiles;
};

static void identity_read(const char *path, struct file_identity *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return;
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->nlink = st.st_nlink;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
}

/* The same file, unchanged but for its ctime (which a write that puts the
 * mtime back still moves) when `ctime` is set. */
static int identity_same(const struct file_identity *a,
			 const struct file_identity *b, int ctime)
{
	if (a->exists != b->exists)
		return 0;
	if (!a->exists)
		return 1;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       (!ctime || (a->ctime.tv_sec == b->ctime.tv_sec &&
			   a->ctime.tv_nsec == b->ctime.tv_nsec));
}

static int identity_equal(const struct file_identity *a, const struct file_identity *b)
{
	return identity_same(a, b, 1) && a->nlink == b->nlink;
}

/* Only the link count moved (and the ctime with it): a hard link made or
 * removed, as the loader keeps the version it loaded (lib/dsdelta.c).
 * The bytes are the same, and reloading would make another link. */
static int identity_relinked(const struct file_identity *a,
			     const struct file_identity *b)
{
	return a->exists && a->nlink != b->nlink && identity_same(a, b, 0);
}

struct filewatch *filewatch_new(void)
{
	struct filewatch *fw = calloc(1, sizeof(*fw));

	if (!fw)
		return NULL;
	fw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fw->fd < 0) {
		free(fw);
		return NULL;
	}
	return fw;
}

void filewatch_free(struct filewatch *fw)
{
	if (!fw)
		return;
	for (size_t i = 0; i < fw->ndirs; i++) {
		free(fw->dirs[i].path);
		free(fw->dirs[i].name);
	}
	for (size_t i = 0; i < fw->nfiles; i++) {
		free(fw->files[i].path);
		free(fw->files[i].name);
	}
	free(fw->dirs);
	free(fw->files);
	close(fw->fd);
	free(fw);
}

int filewatch_fd(const struct filewatch *fw)
{
	return fw->fd;
}

/* (Re)arms the watches of directory d so they follow its current inode. */
static void dir_arm(struct filewatch *fw, struct watched_dir *d)
{
	char parent[PATH_MAX];
	struct stat st;

	/* No inotify_rm_watch of the old watch: another entry may share it
	 * (a directory is its subdirectory's parent), and a watch on a
	 * replaced inode only sends events nobody matches.  IN_MASK_ADD keeps
	 * both entries' event masks on a shared watch. */
	d->wd = inotify_add_watch(fw->fd, d->path, DIR_EVENTS | IN_MASK_ADD);
	d->dev = 0;
	d->ino = 0;
	if (stat(d->path, &st) == 0) {
		d->dev = st.st_dev;
		d->ino = st.st_ino;
	}
	if (d->parent_wd < 0) {
		snprintf(parent, sizeof(parent), "%s", d->path);
		d->parent_wd = inotify_add_watch(fw->fd, dirname(parent),
						PARENT_EVENTS | IN_MASK_ADD);
	}
}

/* Returns the index of the entry for directory `path`, adding it. */
static int dir_find_or_add(struct filewatch *fw, const char *path)
{
	char tmp[PATH_MAX];
	struct watched_dir *d, *dirs;

	for (size_t i = 0; i < fw->ndirs; i++)
		if (strcmp(fw->dirs[i].path, path) == 0)
			return (int)i;
	dirs = realloc(fw->dirs, (fw->ndirs + 1) * sizeof(*dirs));
	if (!dirs)
		return -1;
	fw->dirs = dirs;
	d = &fw->dirs[fw->ndirs];
	memset(d, 0, sizeof(*d));
	snprintf(tmp, sizeof(tmp), "%s", path);
	d->path = strdup(path);
	d->name = strdup(basename(tmp));
	if (!d->path || !d->name) {
		free(d->path);
		free(d->name);
		return -1;
	}
	d->wd = -1;
	d->parent_wd = -1;
	dir_arm(fw, d);
	return (int)fw->ndirs++;
}

int filewatch_add(struct filewatch *fw, const char *path)
{
	char dir[PATH_MAX], name[PATH_MAX];
	struct watched_file *files, *f;
	int di;

	if (strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(name, sizeof(name), "%s", path);
	di = dir_find_or_add(fw, dirname(dir));
	if (di < 0)
		return -1;
	files = realloc(fw->files, (fw->nfiles + 1) * sizeof(*files));
	if (!files)
		return -1;
	fw->files = files;
	f = &fw->files[fw->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->name = strdup(basename(name));
	if (!f->path || !f->name) {
		free(f->path);
		free(f->name);
		return -1;
	}
	f->dir = (size_t)di;
	identity_read(path, &f->id);
	return (int)fw->nfiles++;
}

/* What an inotify event means to the watcher: does it concern a watched
 * file or directory, and is it a complete file renamed in? */
enum event_kind {
	EV_NONE,       /* nothing watched */
	EV_CHANGE,     /* a watched path or directory changed, maybe not done */
	EV_RENAMED_IN  /* a file renamed into a watched name: complete */
};

static enum event_kind event_relevant(const struct filewatch *fw,
				      const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW)
		return EV_CHANGE;
	for (size_t i = 0; i < fw->ndirs; i++) {
		const struct watched_dir *d = &fw->dirs[i];

		if (ev->wd == d->parent_wd && ev->len && strcmp(ev->name, d->name) == 0)
			return EV_CHANGE;
		if (ev->wd != d->wd)
			continue;
		if (!ev->len)   /* the directory itself moved or went away */
			return EV_CHANGE;
		for (size_t j = 0; j < fw->nfiles; j++)
			if (fw->files[j].dir == i && strcmp(fw->files[j].name, ev->name) == 0)
				return (ev->mask & IN_MOVED_TO) &&
				       fw->files[j].rename_completes ?
				       EV_RENAMED_IN : EV_CHANGE;
	}
	return EV_NONE;
}

void filewatch_rename_completes(struct filewatch *fw, size_t idx)
{
	if (idx < fw->nfiles)
		fw->files[idx].rename_completes = 1;
}

int filewatch_drain(struct filewatch *fw, int *unfinished)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int relevant = 0, open_ended = 0;

	for (;;) {
		ssize_t n = read(fw->fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			break;
		}
		if (n == 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			enum event_kind k = event_relevant(fw, ev);

			relevant += k != EV_NONE;
			open_ended += k == EV_CHANGE;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (unfinished)
		*unfinished = open_ended;
	return relevant;
}

size_t filewatch_scan(struct filewatch *fw, size_t *changed, size_t max)
{
	size_t count = 0;

	/* A directory replaced by another (or created late) gets new watches. */
	for (size_t i = 0; i < fw->ndirs; i++) {
		struct watched_dir *d = &fw->dirs[i];
		struct stat st;
		int exists = stat(d->path, &st) == 0;

		if (exists != (d->wd >= 0) ||
		    (exists && (st.st_dev != d->dev || st.st_ino != d->ino)))
			dir_arm(fw, d);
	}
	for (size_t i = 0; i < fw->nfiles; i++) {
		struct file_identity now;

		identity_read(fw->files[i].path, &now);
		if (identity_equal(&now, &fw->files[i].id))
			continue;
		if (identity_relinked(&now, &fw->files[i].id)) {
			fw->files[i].id = now;
			continue;
		}
		fw->files[i].id = now;
		if (count < max)
			changed[count++] = i;
	}
	return count;
}
