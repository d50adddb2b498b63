/* feedwatch.c -- the watch engine: file events -> debounced diff reloads.
 *
 * Events from lib/filewatch only say "look now".  The engine waits for a
 * quiet moment (debounce_ms after the last event, at most max_delay_ms after
 * the first), asks filewatch which files really changed, and marks their
 * datasets pending.  A pending dataset whose file some process still holds
 * open for writing (lib/filebusy) waits for the writer to close it (at most
 * busy_wait_ms); then it is loaded through lib/dsload, the one place that
 * keeps the last good version on any failure.  A config change is applied
 * in an order that keeps every intermediate store state consistent for a
 * server reading it: new and changed datasets first, then the zone table
 * that names them, then the drops of datasets no zone uses any more.
 */
#include "feedwatch_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "filebusy.h"
#include "log.h"
#include "monoclock.h"

#define FW_DEBOUNCE_MS 200
/* The quiet time after files renamed into place and nothing else: they
 * are complete, and this is only long enough to take a burst of such
 * renames (rsync --delay-updates, a script's mv of every file) as one. */
#define FW_RENAMED_SETTLE_MS 20
#define FW_MAX_DELAY_MS 2000
#define FW_BUSY_WAIT_MS 10000
#define FW_RECHECK_S 60
/* After a failed compaction (say, no write access to the store directory)
 * the data is still served: try again this much later, not every load. */
#define FW_COMPACT_RETRY_S 600

/* ---- reporting ---------------------------------------------------------- */

static void fw_emit(struct feedwatch *fw, enum feedwatch_kind kind,
		    const char *dataset, const struct dsload_report *rep,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void fw_emit(struct feedwatch *fw, enum feedwatch_kind kind,
		    const char *dataset, const struct dsload_report *rep,
		    const char *fmt, ...)
{
	struct feedwatch_event ev;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ev.kind = kind;
	ev.dataset = dataset;
	ev.report = rep;
	ev.message = line;
	if (fw->o.on_event)
		fw->o.on_event(fw->o.arg, &ev);
	else if (kind == FEEDWATCH_FAILED || kind == FEEDWATCH_CONFIG_FAILED)
		log_err("%s", line);
	else
		log_info("%s", line);
}

static const char *fw_cfg_path(const struct config *cfg)
{
	return cfg->path ? cfg->path : "config";
}

/* ---- watches ------------------------------------------------------------ */

static void fw_set_free(struct fw_set *s)
{
	for (size_t i = 0; s->paths && i < s->npaths; i++)
		free(s->paths[i]);
	free(s->paths);
	filewatch_free(s->w);
	memset(s, 0, sizeof(*s));
	s->cfg = -1;
}

static long fw_set_find(const struct fw_set *s, const char *path)
{
	for (size_t i = 0; i < s->npaths; i++)
		if (strcmp(s->paths[i], path) == 0)
			return (long)i;
	return -1;
}

static size_t fw_depth(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

static int fw_depth_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t dx = fw_depth(x), dy = fw_depth(y);

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x, y);
}

/* Marks the paths that a rename into delivers whole (filewatch.h): the
 * config file, and a dataset's file when it is its only one and no
 * dataset of several files has it too.  A dataset of several files may
 * get them renamed in one after another: the quiet time waits for all. */
static void fw_set_mark_whole(struct fw_set *s, const struct config *cfg)
{
	for (size_t i = 0; i < s->npaths; i++) {
		int whole = (long)i == s->cfg, with_others = 0;

		for (size_t d = 0; d < cfg->ndatasets; d++) {
			const struct cfg_dataset *ds = &cfg->datasets[d];

			for (size_t k = 0; k < ds->nfiles; k++) {
				if (strcmp(ds->files[k], s->paths[i]) != 0)
					continue;
				whole = 1;
				with_others |= ds->nfiles > 1;
			}
		}
		if (whole && !with_others)
			filewatch_rename_completes(s->w, i);
	}
}

/* Watches `config_path` (NULL: none) and every file of `cfg`.  0, or -1
 * with errno set (the set is then empty). */
static int fw_set_build(struct fw_set *s, const char *config_path,
			const struct config *cfg)
{
	size_t max = config_path ? 1 : 0;

	memset(s, 0, sizeof(*s));
	s->cfg = -1;
	for (size_t i = 0; i < cfg->ndatasets; i++)
		max += cfg->datasets[i].nfiles;
	s->paths = calloc(max ? max : 1, sizeof(*s->paths));
	s->w = filewatch_new();
	if (!s->paths || !s->w)
		goto fail;
	for (size_t i = 0; i <= cfg->ndatasets; i++) {
		const struct cfg_dataset *d = i ? &cfg->datasets[i - 1] : NULL;
		size_t nf = d ? d->nfiles : config_path ? 1 : 0;

		for (size_t k = 0; k < nf; k++) {
			const char *p = d ? d->files[k] : config_path;

			if (fw_set_find(s, p) >= 0)
				continue;
			s->paths[s->npaths] = strdup(p);
			if (!s->paths[s->npaths])
				goto fail;
			s->npaths++;
		}
	}
	qsort(s->paths, s->npaths, sizeof(*s->paths), fw_depth_cmp);
	for (size_t i = 0; i < s->npaths; i++) {
		int idx = filewatch_add(s->w, s->paths[i]);

		if (idx < 0)
			goto fail;
		if ((size_t)idx != i) {
			errno = EINVAL;
			goto fail;
		}
	}
	if (config_path)
		s->cfg = fw_set_find(s, config_path);
	fw_set_mark_whole(s, cfg);
	return 0;
fail:
	{
		int e = errno ? errno : ENOMEM;

		fw_set_free(s);
		errno = e;
	}
	return -1;
}

static void fw_free_ds(struct fw_dataset *ds, size_t n)
{
	for (size_t i = 0; ds && i < n; i++)
		free(ds[i].watch);
	free(ds);
}

/* Per-dataset state for `cfg`, with indices into watch set `s`.  NULL on
 * error. */
static struct fw_dataset *fw_bind(const struct fw_set *s,
				  const struct config *cfg)
{
	struct fw_dataset *ds = calloc(cfg->ndatasets ? cfg->ndatasets : 1,
				       sizeof(*ds));

	if (!ds)
		return NULL;
	for (size_t i = 0; i < cfg->ndatasets; i++) {
		const struct cfg_dataset *d = &cfg->datasets[i];

		ds[i].watch = calloc(d->nfiles ? d->nfiles : 1,
				     sizeof(*ds[i].watch));
		if (!ds[i].watch) {
			fw_free_ds(ds, cfg->ndatasets);
			return NULL;
		}
		for (size_t k = 0; k < d->nfiles; k++) {
			long idx = fw_set_find(s, d->files[k]);

			if (idx >= 0)
				ds[i].watch[ds[i].nwatch++] = (size_t)idx;
		}
	}
	return ds;
}

/* Marks pending whatever changed in set `s` since its last scan: the
 * datasets of `cfg` (state `ds`) that read a changed file, and the config.
 * Returns -1 if out of memory (the caller retries later). */
static int fw_set_scan(struct feedwatch *fw, const struct fw_set *s,
		       const struct config *cfg, struct fw_dataset *ds)
{
	size_t *changed = calloc(s->npaths ? s->npaths : 1, sizeof(*changed));
	size_t n;

	if (!changed)
		return -1;
	n = filewatch_scan(s->w, changed, s->npaths);
	for (size_t c = 0; c < n; c++) {
		const char *p = s->paths[changed[c]];

		if ((long)changed[c] == s->cfg)
			fw->cfg_pending = 1;
		for (size_t i = 0; i < cfg->ndatasets; i++)
			for (size_t k = 0; k < cfg->datasets[i].nfiles; k++)
				if (strcmp(cfg->datasets[i].files[k], p) == 0)
					ds[i].pending = 1;
	}
	free(changed);
	return 0;
}

/* Makes `s` the set the caller's loop waits on (through fw->epfd). */
static int fw_set_install(struct feedwatch *fw, struct fw_set *s)
{
	struct epoll_event ev = { .events = EPOLLIN };

	ev.data.fd = filewatch_fd(s->w);
	if (epoll_ctl(fw->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return -1;
	if (fw->set.w)
		epoll_ctl(fw->epfd, EPOLL_CTL_DEL, filewatch_fd(fw->set.w), NULL);
	fw_set_free(&fw->set);
	fw->set = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

static void fw_load_one(struct feedwatch *fw, size_t i)
{
	const struct cfg_dataset *d = &fw->cfg->datasets[i];
	struct dsload_report rep;
	char line[2048];

	fw->ds[i].pending = 0;
	fw->ds[i].busy_since = 0;
	if (dsload_dataset(fw->st, d, &fw->o.load, &rep) < 0) {
		fw->ds[i].failed = 1;
		dsload_failure(d, fw_cfg_path(fw->cfg), &rep, line, sizeof(line));
		fw_emit(fw, FEEDWATCH_FAILED, d->name, &rep, "%s", line);
		return;
	}
	fw->ds[i].failed = 0;
	fw->wrote = 1;
	dsload_summary(d, &rep, line, sizeof(line));
	fw_emit(fw, FEEDWATCH_LOADED, d->name, &rep, "%s", line);
}

static int fw_put_zones(struct feedwatch *fw)
{
	char err[1024];
	int changed = 0;

	if (store_put_zones(fw->st, fw->cfg->zones, fw->cfg->nzones, &changed,
			    err, sizeof(err)) < 0) {
		fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
			"zones: FAILED to store the zone table: %s", err);
		return -1;
	}
	if (changed)
		fw_emit(fw, FEEDWATCH_ZONES, NULL, NULL,
			"zones: zone table stored (%zu zone%s)", fw->cfg->nzones,
			fw->cfg->nzones == 1 ? "" : "s");
	return 0;
}

/* Stored datasets the config does not name: said once at start, since
 * they may be someone else's (dnsbl-ctl) and are never dropped unasked;
 * dropped when the store is the engine's alone (o.drop_strays). */
static void fw_strays(struct feedwatch *fw)
{
	struct store_reader *rd;
	char **names = NULL, err[512];
	size_t n = 0;
	int rc;

	if (store_reader_new(fw->st, &rd) < 0)
		return;
	rc = store_dataset_names(rd, &names, &n);
	/* No snapshot may stay open across the drops below. */
	store_reader_free(rd);
	if (rc != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (config_dataset(fw->cfg, names[i])) {
			/* served: nothing to say */
		} else if (!fw->o.drop_strays) {
			fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
				"%s: stored but not in %s (remove it with "
				"`dnsbl-ctl drop %s`)", names[i],
				fw_cfg_path(fw->cfg), names[i]);
		} else if (dsload_drop(fw->st, names[i], err,
					      sizeof(err)) < 0) {
			fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
				"%s: no longer served, FAILED to drop: %s",
				names[i], err);
		} else {
			fw->wrote = 1;
			fw_emit(fw, FEEDWATCH_DROPPED, names[i], NULL,
				"%s: no longer served: dropped", names[i]);
		}
		free(names[i]);
	}
	free(names);
}

/* After writes: gives the store's space back when a quarter of it is free
 * (broad diffs leave the previous version's pages behind). */
static void fw_compact_if_bloated(struct feedwatch *fw)
{
	struct store_compact_stats cs;
	char err[1024], line[256];
	double now = monoclock_now();
	int rc;

	if (!fw->wrote || now < fw->compact_after)
		return;
	fw->wrote = 0;
	rc = store_compact_if_bloated(fw->st, &cs, err, sizeof(err));
	if (rc < 0) {
		fw->compact_after = now + FW_COMPACT_RETRY_S;
		fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL, "store: could not "
			"compact (the data is stored and served; next try in "
			"%d s): %s", FW_COMPACT_RETRY_S, err);
	} else if (rc > 0) {
		store_compact_describe(&cs, line, sizeof(line));
		fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL, "%s", line);
	}
}

int feedwatch_load_all(struct feedwatch *fw)
{
	int failed = 0;

	for (size_t i = 0; i < fw->cfg->ndatasets; i++) {
		fw_load_one(fw, i);
		failed += fw->ds[i].failed;
	}
	fw_put_zones(fw);
	fw_strays(fw);
	fw_compact_if_bloated(fw);
	return failed;
}

/* ---- config changes ----------------------------------------------------- */

static int fw_same_files(const struct cfg_dataset *a, const struct cfg_dataset *b)
{
	if (a->nfiles != b->nfiles)
		return 0;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], b->files[i]) != 0)
			return 0;
	return 1;
}

static void fw_apply_config(struct feedwatch *fw)
{
	struct config *ncfg = NULL, *ocfg = fw->own_cfg;
	struct fw_dataset *nds, *ods = fw->ds;
	struct fw_set nset;
	size_t nnew = 0, nchanged = 0, ndropped = 0;
	char err[1024];

	fw->cfg_pending = 0;
	if (config_load_flags(fw->config_path, CONFIG_NO_FILE_CHECK, &ncfg, err,
			      sizeof(err)) < 0) {
		fw_emit(fw, FEEDWATCH_CONFIG_FAILED, NULL, NULL,
			"config: %s; the previous config stays in force", err);
		return;
	}
	if (strcmp(ncfg->store, ocfg->store) != 0)
		fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
			"config: store changed from %s to %s: that takes a "
			"restart; still writing to %s", ocfg->store, ncfg->store,
			ocfg->store);
	/* The new files are watched before anything is loaded, and the old
	 * set is scanned one last time after that, so a change landing
	 * meanwhile is seen by one or the other. */
	nds = NULL;
	if (fw_set_build(&nset, fw->config_path, ncfg) < 0 ||
	    !(nds = fw_bind(&nset, ncfg))) {
		fw_emit(fw, FEEDWATCH_CONFIG_FAILED, NULL, NULL,
			"config: cannot watch its files (%s); the previous "
			"config stays in force", strerror(errno));
		fw_set_free(&nset);
		config_free(ncfg);
		return;
	}
	/* Carry each unchanged dataset's state over; new or changed ones load
	 * now. */
	for (size_t i = 0; i < ncfg->ndatasets; i++) {
		const struct cfg_dataset *d = &ncfg->datasets[i];
		const struct cfg_dataset *od = NULL;
		size_t oi = 0;

		for (size_t k = 0; k < ocfg->ndatasets; k++) {
			if (strcmp(ocfg->datasets[k].name, d->name) == 0) {
				od = &ocfg->datasets[k];
				oi = k;
			}
		}
		if (od && od->type == d->type && od->max_errors == d->max_errors &&
		    fw_same_files(od, d)) {
			nds[i].pending = ods[oi].pending;
			nds[i].failed = ods[oi].failed;
			nds[i].busy_since = ods[oi].busy_since;
		} else {
			nds[i].pending = 1;
			if (od)
				nchanged++;
			else
				nnew++;
		}
	}
	filewatch_drain(fw->set.w, NULL);
	if (fw_set_scan(fw, &fw->set, ncfg, nds) < 0 ||
	    fw_set_install(fw, &nset) < 0) {
		fw_emit(fw, FEEDWATCH_CONFIG_FAILED, NULL, NULL,
			"config: cannot watch its files (%s); the previous "
			"config stays in force", strerror(errno));
		fw_set_free(&nset);
		fw_free_ds(nds, ncfg->ndatasets);
		config_free(ncfg);
		return;
	}
	fw->own_cfg = ncfg;
	fw->cfg = ncfg;
	fw->ds = nds;
	for (size_t i = 0; i < ncfg->ndatasets; i++) {
		const struct cfg_dataset *d = &ncfg->datasets[i];
		const struct cfg_dataset *od = config_dataset(ocfg, d->name);

		if (!nds[i].pending)
			continue;
		if (!od)
			fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
				"%s: new in %s:%d", d->name, fw_cfg_path(ncfg),
				d->line);
		else if (!(od->type == d->type && od->max_errors == d->max_errors &&
			   fw_same_files(od, d)))
			fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
				"%s: changed in %s:%d (%s)", d->name,
				fw_cfg_path(ncfg), d->line,
				od->type != d->type ? "type" :
				!fw_same_files(od, d) ? "files" : "max_errors");
		fw_load_one(fw, i);
	}
	fw_put_zones(fw);
	for (size_t k = 0; k < ocfg->ndatasets; k++) {
		const char *name = ocfg->datasets[k].name;
		int rc;

		if (config_dataset(ncfg, name))
			continue;
		rc = dsload_drop(fw->st, name, err, sizeof(err));
		if (rc == 0 || rc == STORE_ENOTFOUND) {
			ndropped++;
			fw->wrote = 1;
			fw_emit(fw, FEEDWATCH_DROPPED, name, NULL,
				"%s: no longer in %s: %s", name,
				fw_cfg_path(ncfg),
				rc == 0 ? "dropped from the store" :
				"was not stored");
		} else {
			fw_emit(fw, FEEDWATCH_NOTE, name, NULL,
				"%s: no longer in %s, FAILED to drop: %s", name,
				fw_cfg_path(ncfg), err);
		}
	}
	fw_emit(fw, FEEDWATCH_CONFIG, NULL, NULL,
		"config: %s applied: %zu datasets (%zu new, %zu changed, %zu "
		"dropped), %zu zones", fw_cfg_path(ncfg), ncfg->ndatasets, nnew,
		nchanged, ndropped, ncfg->nzones);
	fw_free_ds(ods, ocfg->ndatasets);
	config_free(ocfg);
}

/* ---- the engine --------------------------------------------------------- */

int feedwatch_new(struct feedwatch **out, const struct feedwatch_options *o,
		  char *err, size_t errlen)
{
	struct feedwatch *fw;

	*out = NULL;
	if (!o || (!o->config_path == !o->config)) {
		snprintf(err, errlen, "feedwatch: give a config path or a "
			 "config, not both");
		return -1;
	}
	fw = calloc(1, sizeof(*fw));
	if (!fw) {
		snprintf(err, errlen, "feedwatch: out of memory");
		return -1;
	}
	fw->o = *o;
	if (!fw->o.debounce_ms)
		fw->o.debounce_ms = FW_DEBOUNCE_MS;
	if (!fw->o.max_delay_ms)
		fw->o.max_delay_ms = FW_MAX_DELAY_MS;
	if (fw->o.max_delay_ms < fw->o.debounce_ms)
		fw->o.max_delay_ms = fw->o.debounce_ms;
	if (!fw->o.busy_wait_ms)
		fw->o.busy_wait_ms = FW_BUSY_WAIT_MS;
	if (!fw->o.recheck_s)
		fw->o.recheck_s = FW_RECHECK_S;
	atomic_init(&fw->recheck_now, 0);
	fw->set.cfg = -1;
	fw->epfd = -1;
	fw->wake[0] = fw->wake[1] = -1;
	if (o->config_path) {
		fw->config_path = strdup(o->config_path);
		if (!fw->config_path ||
		    config_load_flags(o->config_path, CONFIG_NO_FILE_CHECK,
				      &fw->own_cfg, err, errlen) < 0) {
			if (!fw->config_path)
				snprintf(err, errlen, "feedwatch: out of memory");
			feedwatch_free(fw);
			return -1;
		}
		fw->cfg = fw->own_cfg;
	} else {
		fw->cfg = o->config;
	}
	if (o->store) {
		fw->st = o->store;
	} else {
		if (dsload_open_store(fw->cfg->store, &fw->st, err,
				      errlen) < 0) {
			feedwatch_free(fw);
			return -1;
		}
		fw->own_store = 1;
	}
	/* Watches first, loads later: a change made while loading is seen. */
	{
		struct fw_set s;

		fw->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (fw->epfd < 0 ||
		    fw_set_build(&s, fw->config_path, fw->cfg) < 0 ||
		    fw_set_install(fw, &s) < 0 ||
		    !(fw->ds = fw_bind(&fw->set, fw->cfg))) {
			snprintf(err, errlen, "watching the files (inotify): %s",
				 strerror(errno));
			feedwatch_free(fw);
			return -1;
		}
	}
	if (fw->o.recheck_s > 0)
		fw->next_recheck = monoclock_now() + fw->o.recheck_s;
	*out = fw;
	return 0;
}

void feedwatch_free(struct feedwatch *fw)
{
	if (!fw)
		return;
	if (fw->thread_stop)
		fw->thread_stop(fw);
	if (fw->detach)
		fw->detach(fw);
	if (fw->cfg)
		fw_free_ds(fw->ds, fw->cfg->ndatasets);
	fw_set_free(&fw->set);
	if (fw->epfd >= 0)
		close(fw->epfd);
	if (fw->own_store)
		store_close(fw->st);
	config_free(fw->own_cfg);
	free(fw->config_path);
	free(fw);
}

int feedwatch_fd(const struct feedwatch *fw)
{
	return fw->epfd;
}

const struct config *feedwatch_config(const struct feedwatch *fw)
{
	return fw->cfg;
}

void feedwatch_recheck(struct feedwatch *fw)
{
	atomic_store(&fw->recheck_now, 1);
	if (fw->poke)
		fw->poke(fw);
}

static double fw_min(double a, double b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* When the files the pending events were about are looked at: after a
 * quiet moment (a short one when files were only renamed into place), at
 * the latest max_delay_ms after the first event.  0 = no events. */
static double fw_scan_due(const struct feedwatch *fw)
{
	unsigned quiet_ms = fw->o.debounce_ms;
	double quiet, cap;

	if (!fw->events)
		return 0;
	if (!fw->events_open && quiet_ms > FW_RENAMED_SETTLE_MS)
		quiet_ms = FW_RENAMED_SETTLE_MS;
	quiet = fw->last_event + quiet_ms / 1000.0;
	cap = fw->first_event + fw->o.max_delay_ms / 1000.0;
	return quiet < cap ? quiet : cap;
}

/* When the engine next has work without an event (monotonic s), or 0. */
static double fw_due(const struct feedwatch *fw)
{
	double due;

	if (atomic_load(&fw->recheck_now) || fw->cfg_pending)
		return monoclock_now();
	due = fw_min(fw_scan_due(fw), fw->retry_at);
	return fw_min(due, fw->next_recheck);
}

int feedwatch_timeout_ms(const struct feedwatch *fw)
{
	double due = fw_due(fw), now = monoclock_now();

	if (due == 0)
		return -1;
	if (due <= now)
		return 0;
	/* Round up, so a caller woken at the deadline finds it passed. */
	return (int)((due - now) * 1000.0) + 1;
}

/* Asks filewatch which files changed and marks their owners pending. */
static void fw_scan(struct feedwatch *fw)
{
	/* Out of memory: try again at the next turn rather than lose it. */
	if (fw_set_scan(fw, &fw->set, fw->cfg, fw->ds) < 0)
		fw->events = 1;
}

/* Is a writer still holding one of dataset i's files? */
static int fw_busy(const struct feedwatch *fw, size_t i)
{
	const struct cfg_dataset *d = &fw->cfg->datasets[i];

	for (size_t k = 0; k < d->nfiles; k++)
		if (filebusy_writing(d->files[k]))
			return 1;
	return 0;
}

void feedwatch_process(struct feedwatch *fw)
{
	double now;
	int unfinished = 0, n = filewatch_drain(fw->set.w, &unfinished);

	now = monoclock_now();
	if (n > 0) {
		if (!fw->events) {
			fw->first_event = now;
			fw->events_open = 0;
		}
		fw->events = 1;
		fw->events_open |= unfinished > 0;
		fw->last_event = now;
	}
	if (fw->events && now >= fw_scan_due(fw)) {
		fw->events = 0;
		fw_scan(fw);
	}
	if (atomic_exchange(&fw->recheck_now, 0) ||
	    (fw->next_recheck && now >= fw->next_recheck)) {
		/* The fallback for missed events, and rbldnsd's retry of a
		 * failed dataset at every check. */
		if (fw->o.recheck_s > 0)
			fw->next_recheck = now + fw->o.recheck_s;
		fw_scan(fw);
		for (size_t i = 0; i < fw->cfg->ndatasets; i++)
			if (fw->ds[i].failed)
				fw->ds[i].pending = 1;
	}
	if (fw->cfg_pending && fw->config_path)
		fw_apply_config(fw);   /* may set it again: a change meanwhile */
	if (!fw->config_path)
		fw->cfg_pending = 0;
	fw->retry_at = 0;
	for (size_t i = 0; i < fw->cfg->ndatasets; i++) {
		struct fw_dataset *ds = &fw->ds[i];

		if (!ds->pending)
			continue;
		if (fw_busy(fw, i)) {
			now = monoclock_now();
			if (!ds->busy_since) {
				ds->busy_since = now;
				fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
					"%s: a file is still open for writing; "
					"waiting for the writer to close it (at "
					"most %u ms)", fw->cfg->datasets[i].name,
					fw->o.busy_wait_ms);
			}
			if (now < ds->busy_since + fw->o.busy_wait_ms / 1000.0) {
				fw->retry_at = fw_min(fw->retry_at, now +
						      fw->o.debounce_ms / 1000.0);
				continue;
			}
		}
		fw_load_one(fw, i);
	}
	fw_compact_if_bloated(fw);
}
