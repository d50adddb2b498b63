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
#include <unistd.h>

#include "filebusy.h"
#include "log.h"

#define FW_DEBOUNCE_MS 200
#define FW_MAX_DELAY_MS 2000
#define FW_BUSY_WAIT_MS 10000
#define FW_RECHECK_S 60

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

/* The filewatch index of `path`, adding it the first time.  Paths are never
 * removed: one that left the config is still stat'ed but owned by nobody,
 * and the inotify descriptor stays the same for the caller's loop. */
static long fw_watch_path(struct feedwatch *fw, const char *path)
{
	char **paths;
	int idx;

	for (size_t i = 0; i < fw->npaths; i++)
		if (strcmp(fw->paths[i], path) == 0)
			return (long)i;
	paths = realloc(fw->paths, (fw->npaths + 1) * sizeof(*paths));
	if (!paths)
		return -1;
	fw->paths = paths;
	fw->paths[fw->npaths] = strdup(path);
	if (!fw->paths[fw->npaths])
		return -1;
	idx = filewatch_add(fw->w, path);
	if (idx < 0 || (size_t)idx != fw->npaths) {
		free(fw->paths[fw->npaths]);
		return -1;
	}
	return (long)fw->npaths++;
}

static void fw_free_ds(struct fw_dataset *ds, size_t n)
{
	for (size_t i = 0; ds && i < n; i++)
		free(ds[i].watch);
	free(ds);
}

/* Per-dataset state for `cfg`, with its files watched.  NULL on error. */
static struct fw_dataset *fw_bind(struct feedwatch *fw, const struct config *cfg)
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
			long idx = fw_watch_path(fw, d->files[k]);

			if (idx < 0) {
				fw_free_ds(ds, cfg->ndatasets);
				return NULL;
			}
			ds[i].watch[ds[i].nwatch++] = (size_t)idx;
		}
	}
	return ds;
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
 * they may be someone else's (dnsbl-ctl) and are never dropped unasked. */
static void fw_note_strays(struct feedwatch *fw)
{
	struct store_reader *rd;
	char **names = NULL;
	size_t n = 0;

	if (store_reader_new(fw->st, &rd) < 0)
		return;
	if (store_dataset_names(rd, &names, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (!config_dataset(fw->cfg, names[i]))
				fw_emit(fw, FEEDWATCH_NOTE, NULL, NULL,
					"%s: stored but not in %s (remove it "
					"with `dnsbl-loader drop %s`)",
					names[i], fw_cfg_path(fw->cfg),
					names[i]);
			free(names[i]);
		}
		free(names);
	}
	store_reader_free(rd);
}

int feedwatch_load_all(struct feedwatch *fw)
{
	int failed = 0;

	for (size_t i = 0; i < fw->cfg->ndatasets; i++) {
		fw_load_one(fw, i);
		failed += fw->ds[i].failed;
	}
	fw_put_zones(fw);
	fw_note_strays(fw);
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
	nds = fw_bind(fw, ncfg);
	if (!nds) {
		fw_emit(fw, FEEDWATCH_CONFIG_FAILED, NULL, NULL,
			"config: out of memory watching its files; the "
			"previous config stays in force");
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
		rc = store_drop_dataset(fw->st, name, err, sizeof(err));
		if (rc == 0 || rc == STORE_ENOTFOUND) {
			ndropped++;
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
	fw->cfg_watch = -1;
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
		if (dsload_mkdirs(fw->cfg->store, err, errlen) < 0 ||
		    store_open(&fw->st, fw->cfg->store, 0, err, errlen) < 0) {
			feedwatch_free(fw);
			return -1;
		}
		fw->own_store = 1;
	}
	fw->w = filewatch_new();
	if (!fw->w) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		feedwatch_free(fw);
		return -1;
	}
	/* Watches first, loads later: a change made while loading is seen. */
	if (fw->config_path)
		fw->cfg_watch = fw_watch_path(fw, fw->config_path);
	fw->ds = fw_bind(fw, fw->cfg);
	if (!fw->ds || (fw->config_path && fw->cfg_watch < 0)) {
		snprintf(err, errlen, "watching the files: %s", strerror(errno));
		feedwatch_free(fw);
		return -1;
	}
	if (fw->o.recheck_s > 0)
		fw->next_recheck = dsload_now() + fw->o.recheck_s;
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
	for (size_t i = 0; i < fw->npaths; i++)
		free(fw->paths[i]);
	free(fw->paths);
	filewatch_free(fw->w);
	if (fw->own_store)
		store_close(fw->st);
	config_free(fw->own_cfg);
	free(fw->config_path);
	free(fw);
}

int feedwatch_fd(const struct feedwatch *fw)
{
	return filewatch_fd(fw->w);
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

/* When the engine next has work without an event (monotonic s), or 0. */
static double fw_due(const struct feedwatch *fw)
{
	double due = 0;

	if (atomic_load(&fw->recheck_now) || fw->cfg_pending)
		return dsload_now();
	if (fw->events) {
		double quiet = fw->last_event + fw->o.debounce_ms / 1000.0;
		double cap = fw->first_event + fw->o.max_delay_ms / 1000.0;

		due = quiet < cap ? quiet : cap;
	}
	due = fw_min(due, fw->retry_at);
	return fw_min(due, fw->next_recheck);
}

int feedwatch_timeout_ms(const struct feedwatch *fw)
{
	double due = fw_due(fw), now = dsload_now();

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
	size_t *changed = calloc(fw->npaths ? fw->npaths : 1, sizeof(*changed));
	size_t n;

	if (!changed) {
		/* Try again at the next turn rather than lose the change. */
		fw->events = 1;
		return;
	}
	n = filewatch_scan(fw->w, changed, fw->npaths);
	for (size_t c = 0; c < n; c++) {
		if ((long)changed[c] == fw->cfg_watch)
			fw->cfg_pending = 1;
		for (size_t i = 0; i < fw->cfg->ndatasets; i++)
			for (size_t k = 0; k < fw->ds[i].nwatch; k++)
				if (fw->ds[i].watch[k] == changed[c])
					fw->ds[i].pending = 1;
	}
	free(changed);
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
	int n = filewatch_drain(fw->w);

	now = dsload_now();
	if (n > 0) {
		if (!fw->events)
			fw->first_event = now;
		fw->events = 1;
		fw->last_event = now;
	}
	if (fw->events && (now >= fw->last_event + fw->o.debounce_ms / 1000.0 ||
			   now >= fw->first_event + fw->o.max_delay_ms / 1000.0)) {
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
		fw_apply_config(fw);
	fw->cfg_pending = 0;
	fw->retry_at = 0;
	for (size_t i = 0; i < fw->cfg->ndatasets; i++) {
		struct fw_dataset *ds = &fw->ds[i];

		if (!ds->pending)
			continue;
		if (fw_busy(fw, i)) {
			now = dsload_now();
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
}
