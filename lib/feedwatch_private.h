/* feedwatch_private.h -- the watch engine's state, shared by its runners.
 *
 * Private to lib/feedwatch*.c: feedwatch.c is the engine, feedwatch_event.c
 * and feedwatch_thread.c only drive it, each keeping its handles here so
 * feedwatch_free can release whichever is in use without linking the other.
 */
#ifndef DNSBLD_FEEDWATCH_PRIVATE_H
#define DNSBLD_FEEDWATCH_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "feedwatch.h"
#include "filewatch.h"

/* Per dataset of the config in force (parallel to cfg->datasets). */
struct fw_dataset {
	size_t *watch;        /* filewatch indices of its files */
	size_t nwatch;
	int pending;          /* a file changed: load at the next chance */
	int failed;           /* the last load failed (last good kept) */
	double busy_since;    /* first time a writer still held a file, or 0 */
};

/* Every file followed (the config first if any), in one filewatch.  Paths
 * are added deepest directory first: inotify keeps one watch per directory
 * inode, and a later "parent" watch with fewer events would replace the
 * mask of a directory that holds watched files itself. */
struct fw_set {
	struct filewatch *w;
	char **paths;                 /* path of each filewatch index */
	size_t npaths;
	long cfg;                     /* index of the config file, or -1 */
};

struct feedwatch {
	struct feedwatch_options o;
	char *config_path;            /* owned copy, NULL for a fixed config */
	struct config *own_cfg;       /* the config read from config_path */
	const struct config *cfg;     /* the one in force */
	struct store *st;
	int own_store;

	struct fw_set set;            /* rebuilt on every config change */
	int epfd;                     /* epoll set holding set.w's descriptor:
	                                 what feedwatch_fd gives, stable */
	struct fw_dataset *ds;

	int cfg_pending;              /* the config file changed */
	int events;                   /* file events not yet scanned */
	int events_open;              /* ... some not a file renamed in: a
	                                 writer may not be done yet */
	double first_event, last_event;
	double next_recheck;          /* 0 = off */
	atomic_int recheck_now;       /* feedwatch_recheck, any thread */
	double retry_at;              /* busy files: look again then, or 0 */
	int wrote;                    /* stored something since the last
	                                 look at the store's free space */
	double compact_after;         /* a compaction failed: not before */

	/* Tells the runner that feedwatch_recheck made work due now. */
	void (*poke)(struct feedwatch *fw);
	/* feedwatch_event.c */
	void *ev_read, *ev_timer;
	void (*detach)(struct feedwatch *fw);
	/* feedwatch_thread.c */
	pthread_t thread;
	int thread_running;
	int wake[2];
	void (*thread_stop)(struct feedwatch *fw);
};

#endif
