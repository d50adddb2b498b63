/* feedwatch.h -- the watch engine: keep the store in step with the feeds.
 *
 * Given a config (a file it follows, or a fixed one from the caller) and a
 * store opened for writing, the engine loads every dataset once, then
 * follows every dataset file and the config file (lib/filewatch: rename
 * over, in-place rewrite, delete and re-create, directory replaced).  After
 * a quiet moment it reloads only the datasets whose files changed, each as
 * a diff in one transaction (lib/dsload), and on a config change it loads
 * new and changed datasets, stores the new zone table and drops the
 * datasets that left the config.  Failures keep the last good data.
 *
 * Embedding: the engine has no global state and no thread of its own.
 * Drive it from any loop: wait until feedwatch_fd() is readable or
 * feedwatch_timeout_ms() passed, then call feedwatch_process().  Or attach
 * it to a libevent base (feedwatch_attach, feedwatch_event.c), or run it in
 * its own thread (feedwatch_thread_start, feedwatch_thread.c).  A load runs
 * inside feedwatch_process() (a 1M-line feed takes about a second), so a
 * server embedding it should use the thread, not its query loops.
 */
#ifndef DNSBLD_FEEDWATCH_H
#define DNSBLD_FEEDWATCH_H

#include <stddef.h>

#include "config.h"
#include "dsload.h"
#include "store.h"

/* What happened, for feedwatch_options.on_event. */
enum feedwatch_kind {
	FEEDWATCH_LOADED = 0,   /* a dataset was stored (report: +added...) */
	FEEDWATCH_FAILED,       /* a dataset load failed: last good kept */
	FEEDWATCH_DROPPED,      /* a dataset left the config and was dropped */
	FEEDWATCH_ZONES,        /* the stored zone table changed */
	FEEDWATCH_CONFIG,       /* the config was re-read and applied */
	FEEDWATCH_CONFIG_FAILED,/* the config is bad: the old one stays */
	FEEDWATCH_NOTE          /* anything else worth a line (warnings) */
};

struct feedwatch_event {
	enum feedwatch_kind kind;
	const char *dataset;              /* LOADED, FAILED, DROPPED; else NULL */
	const struct dsload_report *report; /* LOADED, FAILED; else NULL */
	const char *message;              /* the whole line, ready to log */
};

struct feedwatch_options {
	/* Exactly one of these: a config file the engine reads and follows,
	 * or a config the caller owns (kept alive until feedwatch_free; its
	 * files are followed, it is never re-read). */
	const char *config_path;
	const struct config *config;
	/* The store to write (opened for writing, owned by the caller), or
	 * NULL: the engine opens (creating it) the config's store itself. */
	struct store *store;
	struct dsload_options load;
	unsigned debounce_ms;    /* quiet time after the last file event before
	                            loading; 0 = 200 */
	unsigned max_delay_ms;   /* longest wait after the first event when the
	                            events never stop; 0 = 2000 */
	unsigned busy_wait_ms;   /* how long a file still open for writing
	                            (filebusy.h) holds its load back; 0 = 10000 */
	int drop_strays;         /* the store is this engine's alone: drop
	                            stored datasets the config does not name
	                            (else they are only reported, once) */
	int recheck_s;           /* periodic re-scan of every file (for file
	                            systems where inotify misses events) and
	                            retry of failed datasets; 0 = 60, <0 = off */
	/* Called for every event, in the thread that runs the engine.  NULL:
	 * events go to log_msg() (errors for failures, info otherwise). */
	void (*on_event)(void *arg, const struct feedwatch_event *ev);
	void *arg;
};

struct feedwatch;

/* Creates an engine: reads the config (if config_path), opens the store
 * (if not given) and arms the file watches.  Loads nothing yet.  Returns 0,
 * or -1 with `err` saying why (a bad config names file:line). */
int feedwatch_new(struct feedwatch **out, const struct feedwatch_options *o,
		  char *err, size_t errlen);

/* Frees the engine (stop its thread or detach it from its base first). */
void feedwatch_free(struct feedwatch *fw);

/* Loads every dataset of the config and stores its zone table; datasets
 * that fail keep their stored version and are retried on their next change
 * (and at each periodic re-check).  Returns the number that failed. */
int feedwatch_load_all(struct feedwatch *fw);

/* The descriptor to wait on for readability (it never changes). */
int feedwatch_fd(const struct feedwatch *fw);

/* Milliseconds until feedwatch_process() has work even without a file
 * event (debounce end, a busy file's retry, the periodic re-check); -1 if
 * none. */
int feedwatch_timeout_ms(const struct feedwatch *fw);

/* Reads file events and does whatever is due: re-scans files after the
 * quiet moment, re-reads the config, loads changed datasets.  Cheap when
 * nothing is due; call it when the fd is readable or the timeout passed. */
void feedwatch_process(struct feedwatch *fw);

/* Makes the engine re-scan every file and retry failed datasets now (what
 * SIGHUP does in dnsbl-loader watch).  The one call that is safe from any
 * thread (and, being lock-free, from a libevent signal callback). */
void feedwatch_recheck(struct feedwatch *fw);

/* The config currently in force (replaced when a new one is applied: do
 * not keep the pointer across feedwatch_process calls). */
const struct config *feedwatch_config(const struct feedwatch *fw);

/* ---- running it: libevent (feedwatch_event.c) ---------------------------- */

struct event_base;
/* Adds the engine's events to `base` (the caller runs the loop).  0 or -1. */
int feedwatch_attach(struct feedwatch *fw, struct event_base *base);
/* Removes them again (also done by feedwatch_free). */
void feedwatch_detach(struct feedwatch *fw);

/* ---- running it: its own thread (feedwatch_thread.c) ---------------------- */

/* Starts a thread that runs the engine until feedwatch_thread_stop.  The
 * caller must not call the functions above meanwhile.  0 or -1 (errno). */
int feedwatch_thread_start(struct feedwatch *fw);
/* Wakes the thread, waits for it to finish what it is doing, joins it. */
void feedwatch_thread_stop(struct feedwatch *fw);

#endif
