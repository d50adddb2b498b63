/* keys.c -- key-in-name zones: the key sets, their reload, their counters.
 *
 * A key set is a sorted array searched with bsearch; it never changes once
 * published.  Counters live apart from the sets, in a list per zone that
 * only grows (a key removed and added back keeps its count), so a reload
 * costs the query path nothing and loses no count.
 */
#include "keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

#define KEYS_RETIRE_S 60      /* an old set is freed this long after a swap */
#define KEYS_NAME_MAX 64

struct key_counter {
	char key[64];
	char name[KEYS_NAME_MAX + 1];
	_Atomic uint64_t n;
	struct key_counter *next;
};

struct key_entry {
	const char *key;               /* the counter's */
	size_t len;
	struct key_counter *ctr;
};

struct keyset {
	size_t n;
	struct key_entry *e;           /* sorted by key */
};

struct zone_keys {
	const struct cfg_zone *cz;
	_Atomic(struct keyset *) cur;
	struct key_counter *counters;  /* every key ever loaded (main thread) */
	_Atomic uint64_t unknown;
	struct stat st;                /* the key file as last read */
	int file_ok;
};

struct retired {
	struct keyset *set;
	time_t at;
	struct retired *next;
};

struct keys {
	const struct config *cfg;
	struct zone_keys **by_zone;    /* per config zone, NULL: no keys */
	struct event *tick;
	struct retired *retired;
};

static void keyset_free(struct keyset *s)
{
	if (!s)
		return;
	free(s->e);
	free(s);
}

/* A key's text: letters, digits, '-' and '_', up to 63 (lowercased). */
static int keys_valid(char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return 0;
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	return 1;
}

/* A counter's name: safe in a Prometheus label without escaping. */
static int keys_valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n <= KEYS_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_.@") == n;
}

/* The zone's counter of `key` (made on first sight), named `name`. */
static struct key_counter *keys_counter(struct zone_keys *zk, const char *key,
					const char *name)
{
	struct key_counter *c;

	for (c = zk->counters; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->name, sizeof(c->name), "%s", name ? name : key);
	c->next = zk->counters;
	zk->counters = c;
	return c;
}

static int keys_entry_cmp(const void *a, const void *b)
{
	const struct key_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Adds `key` to the set being built (duplicates are kept once). */
static int keys_add(struct zone_keys *zk, struct keyset *s, size_t *cap,
		    const char *key, const char *name)
{
	struct key_counter *c = keys_counter(zk, key, name);

	if (!c)
		return -1;
	if (name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].ctr == c)
			return 0;
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct key_entry *e = realloc(s->e, ncap * sizeof(*e));

		if (!e)
			return -1;
		s->e = e;
		*cap = ncap;
	}
	s->e[s->n].key = c->key;
	s->e[s->n].len = strlen(c->key);
	s->e[s->n].ctr = c;
	s->n++;
	return 0;
}

/* Reads the key file into `s`.  0, or -1 with `err` ("FILE:LINE: why"). */
static int keys_read_file(struct zone_keys *zk, struct keyset *s, size_t *cap,
			  char *err, size_t errlen)
{
	const char *path = zk->cz->keys->file;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t lcap = 0;
	unsigned long lineno = 0;
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &zk->st) < 0)
		memset(&zk->st, 0, sizeof(zk->st));
	while (rc == 0 && getline(&line, &lcap, f) >= 0) {
		char *key, *name, *extra, *save = NULL, *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		key = strtok_r(line, " \t\r\n", &save);
		if (!key)
			continue;
		name = strtok_r(NULL, " \t\r\n", &save);
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (extra || !keys_valid(key) || (name && !keys_valid_name(name))) {
			snprintf(err, errlen, "%s:%lu: %s", path, lineno,
				 extra ? "more than a key and a name"
				 : name && !keys_valid_name(name)
				 ? "bad name (letters, digits, - _ . @, up to 64)"
				 : "bad key (letters, digits, - and _, up to 63)");
			rc = -1;
		} else if (keys_add(zk, s, cap, key, name) < 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* A new set for the zone: the config's keys and the file's.  NULL with
 * `err` on a bad file or out of memory. */
static struct keyset *keys_build(struct zone_keys *zk, char *err,
				 size_t errlen)
{
	const struct cfg_keys *ck = zk->cz->keys;
	struct keyset *s = calloc(1, sizeof(*s));
	size_t cap = 0;

	if (!s)
		goto oom;
	for (size_t i = 0; i < ck->nlist; i++)
		if (keys_add(zk, s, &cap, ck->list[i], NULL) < 0)
			goto oom;
	if (ck->file && keys_read_file(zk, s, &cap, err, errlen) < 0) {
		keyset_free(s);
		return NULL;
	}
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), keys_entry_cmp);
	return s;
oom:
	keyset_free(s);
	snprintf(err, errlen, "zone %s: keys: out of memory", zk->cz->name);
	return NULL;
}

int keys_new(const struct config *cfg, struct keys **out, char *err,
	     size_t errlen)
{
	struct keys *k;
	int any = 0;

	*out = NULL;
	for (size_t i = 0; i < cfg->nzones; i++)
		any |= cfg->zones[i].keys != NULL;
	if (!any)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k || !(k->by_zone = calloc(cfg->nzones, sizeof(*k->by_zone)))) {
		free(k);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->cfg = cfg;
	for (size_t i = 0; i < cfg->nzones; i++) {
		struct zone_keys *zk;
		struct keyset *s;

		if (!cfg->zones[i].keys)
			continue;
		zk = k->by_zone[i] = calloc(1, sizeof(*zk));
		if (!zk) {
			keys_free(k);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		zk->cz = &cfg->zones[i];
		s = keys_build(zk, err, errlen);
		if (!s) {
			keys_free(k);
			return -1;
		}
		zk->file_ok = 1;
		atomic_init(&zk->cur, s);
		log_info("zone %s: %zu key(s)", zk->cz->name, s->n);
	}
	*out = k;
	return 0;
}

void keys_free(struct keys *k)
{
	if (!k)
		return;
	if (k->tick)
		event_free(k->tick);
	while (k->retired) {
		struct retired *r = k->retired;

		k->retired = r->next;
		keyset_free(r->set);
		free(r);
	}
	for (size_t i = 0; i < k->cfg->nzones; i++) {
		struct zone_keys *zk = k->by_zone[i];

		if (!zk)
			continue;
		keyset_free(atomic_load(&zk->cur));
		while (zk->counters) {
			struct key_counter *c = zk->counters;

			zk->counters = c->next;
			free(c);
		}
		free(zk);
	}
	free(k->by_zone);
	free(k);
}

/* Re-reads the zone's key file if it changed; a bad file keeps the keys
 * served until it is fixed. */
static void keys_reload(struct keys *k, struct zone_keys *zk, time_t now)
{
	struct stat st;
	struct keyset *s, *old;
	struct retired *r;
	char err[512];

	if (stat(zk->cz->keys->file, &st) < 0) {
		if (zk->file_ok)
			log_err("%s: %s (the keys loaded last are served)",
				zk->cz->keys->file, strerror(errno));
		zk->file_ok = 0;
		return;
	}
	if (zk->file_ok && st.st_ino == zk->st.st_ino &&
	    st.st_size == zk->st.st_size &&
	    st.st_mtim.tv_sec == zk->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == zk->st.st_mtim.tv_nsec)
		return;
	s = keys_build(zk, err, sizeof(err));
	if (!s) {
		if (zk->file_ok || st.st_mtim.tv_sec != zk->st.st_mtim.tv_sec)
			log_err("%s (the keys loaded last are served)", err);
		zk->st = st;
		zk->file_ok = 0;
		return;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		keyset_free(s);
		return;
	}
	zk->file_ok = 1;
	old = atomic_exchange(&zk->cur, s);
	r->set = old;
	r->at = now;
	r->next = k->retired;
	k->retired = r;
	log_info("zone %s: %zu key(s), from %s", zk->cz->name, s->n,
		 zk->cz->keys->file);
}

static void keys_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct keys *k = arg;
	time_t now = time(NULL);
	struct retired **rp = &k->retired;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < k->cfg->nzones; i++)
		if (k->by_zone[i] && k->by_zone[i]->cz->keys->file)
			keys_reload(k, k->by_zone[i], now);
	while (*rp) {
		struct retired *r = *rp;

		if (now - r->at < KEYS_RETIRE_S) {
			rp = &r->next;
			continue;
		}
		*rp = r->next;
		keyset_free(r->set);
		free(r);
	}
}

int keys_watch(struct keys *k, struct event_base *base)
{
	struct timeval tv = { 1, 0 };

	if (!k)
		return 0;
	k->tick = event_new(base, -1, EV_PERSIST, keys_on_tick, k);
	if (!k->tick || event_add(k->tick, &tv) < 0)
		return -1;
	return 0;
}

/* bsearch's comparison: a label (length-prefixed) against an entry. */
static int keys_label_cmp(const void *label, const void *entry)
{
	const uint8_t *l = label;
	const struct key_entry *e = entry;
	size_t n = l[0] < e->len ? l[0] : e->len;
	int c = memcmp(l + 1, e->key, n);

	if (c)
		return c;
	return (int)l[0] - (int)e->len;
}

enum keys_verdict keys_check(struct keys *k, int zone,
			     const struct dns_query *q, unsigned before)
{
	struct zone_keys *zk;
	const struct keyset *s;
	const struct key_entry *e;

	if (!k || zone < 0 || (size_t)zone >= k->cfg->nzones ||
	    !(zk = k->by_zone[zone]) || before == 0 || before > q->qlabels)
		return KEYS_NONE;
	s = atomic_load_explicit(&zk->cur, memory_order_acquire);
	e = s->n ? bsearch(q->qname + q->qoff[before - 1], s->e, s->n,
			   sizeof(*s->e), keys_label_cmp) : NULL;
	if (!e) {
		atomic_fetch_add_explicit(&zk->unknown, 1, memory_order_relaxed);
		return KEYS_UNKNOWN;
	}
	atomic_fetch_add_explicit(&e->ctr->n, 1, memory_order_relaxed);
	return KEYS_OK;
}

void keys_metrics(struct keys *k, struct evbuffer *b)
{
	if (!k)
		return;
	evbuffer_add_printf(b, "# HELP dnsbld_key_queries_total Queries of a "
			    "key-in-name zone, by key (its name in the key "
			    "file, else the key).\n"
			    "# TYPE dnsbld_key_queries_total counter\n");
	for (size_t i = 0; i < k->cfg->nzones; i++) {
		struct zone_keys *zk = k->by_zone[i];

		if (!zk)
			continue;
		for (struct key_counter *c = zk->counters; c; c = c->next)
			evbuffer_add_printf(b, "dnsbld_key_queries_total{zone=\"%s\","
					    "key=\"%s\"} %" PRIu64 "\n",
					    zk->cz->name, c->name,
					    atomic_load_explicit(&c->n,
								 memory_order_relaxed));
	}
	evbuffer_add_printf(b, "# HELP dnsbld_key_unknown_total Queries of a "
			    "key-in-name zone with an unknown or revoked key.\n"
			    "# TYPE dnsbld_key_unknown_total counter\n");
	for (size_t i = 0; i < k->cfg->nzones; i++)
		if (k->by_zone[i])
			evbuffer_add_printf(b, "dnsbld_key_unknown_total{zone=\"%s\"} "
					    "%" PRIu64 "\n", k->cfg->zones[i].name,
					    atomic_load_explicit(&k->by_zone[i]->unknown,
								 memory_order_relaxed));
}
