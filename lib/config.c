/* config.c -- the YAML configuration file: parse, check, resolve.
 *
 * The file is read into a libyaml document (aliases resolved, every node
 * carrying its line), then walked once with strict checks: every key is
 * known, every value has the right shape, every reference resolves.  The
 * first problem stops the load with `file:line: key: reason`, so an operator
 * fixes one thing at a time and never runs on a half-understood config.
 */
#include "config.h"
#include "config_error.h"
#include "config_web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "daemon.h"
#include "defaults.h"
#include "dname.h"
#include "feed_entry.h"
#include "geo.h"
#include "listen_addr.h"
#include "timeunit.h"
#include "trap.h"

struct cfg_parser {
	const char *file;     /* as given, for messages */
	char *dir;            /* absolute directory of the config file */
	unsigned flags;
	yaml_document_t doc;
	struct config *cfg;
	char *err;
	size_t errlen;
};

void cfg_verror(char *err, size_t errlen, const char *file,
		const yaml_node_t *n, const char *key, const char *fmt,
		va_list ap)
{
	char reason[512];
	unsigned long line = n ? (unsigned long)n->start_mark.line + 1 : 1UL;

	vsnprintf(reason, sizeof(reason), fmt, ap);
	if (key && *key)
		snprintf(err, errlen, "%s:%lu: %s: %s", file, line, key, reason);
	else
		snprintf(err, errlen, "%s:%lu: %s", file, line, reason);
}

/* Formats "file:line: key: reason" into the caller's buffer; returns -1. */
__attribute__((format(printf, 4, 5)))
static int cfg_fail(struct cfg_parser *p, const yaml_node_t *n, const char *key,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verror(p->err, p->errlen, p->file, n, key, fmt, ap);
	va_end(ap);
	return -1;
}

static int cfg_oom(struct cfg_parser *p)
{
	snprintf(p->err, p->errlen, "%s: out of memory", p->file);
	return -1;
}

static yaml_node_t *cfg_node(struct cfg_parser *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

static const char *cfg_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *cfg_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a map";
	default:
		return "nothing";
	}
}

/* Joins a key path "a.b" for messages; a path too long for `out` is cut,
 * which only shortens the message. */
static void cfg_keyjoin(char *out, size_t outlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s%s%s", a, *a ? "." : "", b);

	if (n < 0 || (size_t)n >= outlen)
		out[outlen - 1] = '\0';
}

/* ---- typed values ------------------------------------------------------ */

static int cfg_want_scalar(struct cfg_parser *p, const yaml_node_t *n,
			   const char *key)
{
	if (n->type != YAML_SCALAR_NODE)
		return cfg_fail(p, n, key, "expected a value, found %s",
				cfg_kind(n));
	if (n->data.scalar.length == 0)
		return cfg_fail(p, n, key, "missing value");
	return 0;
}

static int cfg_want_map(struct cfg_parser *p, const yaml_node_t *n,
			const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return cfg_fail(p, n, key, "expected a map, found %s", cfg_kind(n));
	return 0;
}

static int cfg_string(struct cfg_parser *p, const yaml_node_t *n,
		      const char *key, char **out)
{
	char *s;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	if (strlen(cfg_scalar(n)) != n->data.scalar.length)
		return cfg_fail(p, n, key, "NUL byte in value");
	s = strdup(cfg_scalar(n));
	if (!s)
		return cfg_oom(p);
	free(*out);
	*out = s;
	return 0;
}

/* Reads the decimal digits `s` starts with into *v (no sign, no space);
 * *end gets what follows them.  0, or -1 if `s` does not start with a
 * digit or the number overflows. */
static int cfg_decimal(const char *s, unsigned long *v, char **end)
{
	errno = 0;
	*v = strtoul(s, end, 10);
	return *s >= '0' && *s <= '9' && !errno ? 0 : -1;
}

/* A decimal integer in [min, max]. */
static int cfg_uint(struct cfg_parser *p, const yaml_node_t *n, const char *key,
		    unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s;
	char *end;
	unsigned long v;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (cfg_decimal(s, &v, &end) < 0 || *end)
		return cfg_fail(p, n, key, "\"%s\" is not a number", s);
	if (v < min || v > max)
		return cfg_fail(p, n, key, "%lu is out of range %lu..%lu", v,
				min, max);
	*out = v;
	return 0;
}

/* A time in seconds, optionally with one rbldnsd unit: s m h d w. */
static int cfg_time(struct cfg_parser *p, const yaml_node_t *n, const char *key,
		    uint32_t *out)
{
	const char *s, *end;
	uint32_t v;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	end = timeunit_scan(s, &v);
	if (!end && *s >= '0' && *s <= '9')
		return cfg_fail(p, n, key, "\"%s\" is too large", s);
	if (!end || *end)
		return cfg_fail(p, n, key,
				"\"%s\" is not a time (units: s m h d w)", s);
	*out = v;
	return 0;
}

/* A percentage 0..100, written `50%` or `50`. */
static int cfg_percent(struct cfg_parser *p, const yaml_node_t *n,
		       const char *key, unsigned *out)
{
	const char *s;
	char *end;
	unsigned long v;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (cfg_decimal(s, &v, &end) < 0 || (*end == '%' ? end[1] : *end) ||
	    v > 100)
		return cfg_fail(p, n, key, "\"%s\" is not a percentage "
				"0..100 (e.g. 50%%)", s);
	*out = (unsigned)v;
	return 0;
}

/* A domain name as an absolute wire name (lowercase).  `at_is_dot` lets an
 * SOA rname be written as a mail address. */
static int cfg_dname(struct cfg_parser *p, const yaml_node_t *n,
		     const char *key, int at_is_dot, uint8_t **out)
{
	uint8_t w[DNAME_MAX];
	char buf[DNAME_MAX * 4 + 1];
	const char *s;
	char *at;
	int len;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (strlen(s) >= sizeof(buf))
		return cfg_fail(p, n, key, "\"%s\" is too long", s);
	strcpy(buf, s);
	if (at_is_dot && (at = strchr(buf, '@')) != NULL)
		*at = '.';
	len = dname_from_text(buf, strlen(buf), w, 1);
	if (len < 0)
		return cfg_fail(p, n, key, "\"%s\" is not a valid domain name", s);
	if (len == 1)
		return cfg_fail(p, n, key, "the root is not allowed here");
	free(*out);
	*out = wname_dup(w);
	if (!*out)
		return cfg_oom(p);
	return 0;
}

/* A scalar or a list of scalars; calls `each` on every item. */
static int cfg_list(struct cfg_parser *p, yaml_node_t *n, const char *key,
		    int (*each)(struct cfg_parser *, yaml_node_t *, const char *,
				void *),
		    void *arg)
{
	if (n->type == YAML_SCALAR_NODE)
		return each(p, n, key, arg);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail(p, n, key, "expected a list, found %s", cfg_kind(n));
	if (n->data.sequence.items.start == n->data.sequence.items.top)
		return cfg_fail(p, n, key, "empty list");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = cfg_node(p, *it);

		if (each(p, item, key, arg) < 0)
			return -1;
	}
	return 0;
}

/* Appends one element to a growing array. */
static void *cfg_push(void **arr, size_t *n, size_t size)
{
	void *grown = realloc(*arr, (*n + 1) * size);
	char *slot;

	if (!grown)
		return NULL;
	*arr = grown;
	slot = (char *)grown + *n * size;
	memset(slot, 0, size);
	(*n)++;
	return slot;
}

/* ---- maps: known keys, no duplicates ----------------------------------- */

/* Checks that every key of map `n` is a scalar, appears once and is in the
 * NULL-terminated `known` list (NULL list: any key). */
static int cfg_check_keys(struct cfg_parser *p, yaml_node_t *n,
			  const char *where, const char *const *known)
{
	for (yaml_node_pair_t *a = n->data.mapping.pairs.start;
	     a < n->data.mapping.pairs.top; a++) {
		yaml_node_t *k = cfg_node(p, a->key);
		char path[300];

		if (k->type != YAML_SCALAR_NODE)
			return cfg_fail(p, k, where, "a key must be a plain name, found %s",
					cfg_kind(k));
		cfg_keyjoin(path, sizeof(path), where, cfg_scalar(k));
		for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++) {
			yaml_node_t *k2 = cfg_node(p, b->key);

			if (k2->type == YAML_SCALAR_NODE &&
			    strcmp(cfg_scalar(k), cfg_scalar(k2)) == 0)
				return cfg_fail(p, k, path,
						"duplicate key (first on line %lu)",
						(unsigned long)k2->start_mark.line + 1);
		}
		if (!known)
			continue;
		int ok = 0;
		char list[512] = "";

		for (const char *const *kn = known; *kn; kn++) {
			if (strcmp(*kn, cfg_scalar(k)) == 0)
				ok = 1;
			if (strlen(list) + strlen(*kn) + 3 < sizeof(list)) {
				if (*list)
					strcat(list, ", ");
				strcat(list, *kn);
			}
		}
		if (!ok)
			return cfg_fail(p, k, path, "unknown key (known: %s)", list);
	}
	return 0;
}

#define CFG_FOR_PAIRS(p, map, kvar, vvar)                                      \
	for (yaml_node_pair_t *pr_ = (map)->data.mapping.pairs.start;         \
	     pr_ < (map)->data.mapping.pairs.top &&                            \
	     ((kvar) = cfg_node((p), pr_->key)) != NULL &&                     \
	     ((vvar) = cfg_node((p), pr_->value)) != NULL;                     \
	     pr_++)

/* ---- paths ------------------------------------------------------------- */

/* Removes "." and "x/.." components and repeated slashes of an absolute
 * path in place, lexically (the file may not exist yet), so messages and
 * stored source paths read "/srv/var/store", not "/srv/zones/../var/store". */
static void cfg_normalize(char *path)
{
	const char *stop = path + strlen(path);
	const char *in = path + 1;   /* path[0] is '/' */
	char *out = path + 1;        /* never ahead of `in` */

	while (in < stop) {
		const char *slash = memchr(in, '/', (size_t)(stop - in));
		size_t len = slash ? (size_t)(slash - in) : (size_t)(stop - in);
		const char *next = slash ? slash + 1 : stop;

		if (len == 0 || (len == 1 && in[0] == '.')) {
			/* skip */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			/* Back to the previous component (not above the root). */
			if (out > path + 1) {
				out--;
				while (out > path + 1 && out[-1] != '/')
					out--;
			}
		} else {
			memmove(out, in, len);
			out += len;
			*out++ = '/';
		}
		in = next;
	}
	if (out > path + 1)
		out--;   /* drop the trailing slash */
	*out = '\0';
}

/* Resolves `path` against the config file's directory, normalized. */
static char *cfg_resolve(const struct cfg_parser *p, const char *path)
{
	char *out;

	if (path[0] == '/')
		out = strdup(path);
	else if (asprintf(&out, "%s/%s", p->dir, path) < 0)
		out = NULL;
	if (out)
		cfg_normalize(out);
	return out;
}

/* A path, resolved against the config file's directory. */
static int cfg_path(struct cfg_parser *p, const yaml_node_t *n,
		    const char *key, char **out)
{
	char *s = NULL, *abs;

	if (cfg_string(p, n, key, &s) < 0)
		return -1;
	abs = cfg_resolve(p, s);
	free(s);
	if (!abs)
		return cfg_oom(p);
	free(*out);
	*out = abs;
	return 0;
}

/* YAML 1.1's booleans that people write: true/false, yes/no, on/off. */
static int cfg_bool(struct cfg_parser *p, const yaml_node_t *n,
		    const char *key, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *s;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	for (size_t i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return cfg_fail(p, n, key, "\"%s\" is not true or false", s);
}

/* `syslog: FACILITY` ("daemon", "local0"...), or true for "daemon". */
static int cfg_syslog(struct cfg_parser *p, const yaml_node_t *n,
		      const char *key, char **out)
{
	int on = 0;
	char *s = NULL;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	if (cfg_bool(p, n, key, &on) == 0) {
		free(*out);
		*out = on ? strdup("daemon") : NULL;
		return on && !*out ? cfg_oom(p) : 0;
	}
	if (daemon_facility(cfg_scalar(n)) < 0)
		return cfg_fail(p, n, key, "unknown syslog facility \"%s\" "
				"(daemon, mail, user, local0..local7...)",
				cfg_scalar(n));
	if (cfg_string(p, n, key, &s) < 0)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

/* One of `names` (NULL-terminated), its index into *out:
 * "\"x\" is not a, b or c". */
static int cfg_choice(struct cfg_parser *p, const yaml_node_t *n,
		      const char *key, const char *const *names, int *out)
{
	char list[256] = "";

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (strcmp(cfg_scalar(n), names[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ",
			 names[i]);
	}
	return cfg_fail(p, n, key, "\"%s\" is not %s", cfg_scalar(n), list);
}

/* ---- listen ------------------------------------------------------------ */

/* One `listen` entry: "a.b.c.d[:port]", "name[:port]", "[IPv6][:port]" or a
 * bare IPv6 address; the port a number or a service name (default 53).
 * Only the syntax is checked here: the server resolves names before it
 * binds (listen_addr.h), and the loader never needs to. */
/* One "host:port", "[IPv6]:port" or bare address (port `defport`) into
 * `l` (its strings allocated; `where` names the key for messages). */
static int cfg_addr(struct cfg_parser *p, yaml_node_t *n, const char *key,
		    const char *defport, struct cfg_listen *l)
{
	char host[256];
	const char *s, *port = defport, *why;
	unsigned char addr[16];
	unsigned num;
	size_t hlen;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return cfg_fail(p, n, key, "\"%s\": missing ']'", s);
		hlen = (size_t)(close - s - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return cfg_fail(p, n, key,
					"\"%s\": expected \"[address]:port\"", s);
		if (hlen >= sizeof(host))
			return cfg_fail(p, n, key, "\"%s\": bad IPv6 address", s);
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, addr) != 1)
			return cfg_fail(p, n, key, "\"%s\": bad IPv6 address", s);
	} else if (inet_pton(AF_INET6, s, addr) == 1) {
		/* A bare IPv6 address: the default port. */
		hlen = strlen(s);
		memcpy(host, s, hlen + 1);
	} else {
		const char *colon = strrchr(s, ':');

		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			port = colon + 1;
		if (hlen >= sizeof(host))
			return cfg_fail(p, n, key, "\"%s\": bad host name", s);
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (strchr(host, ':'))
			return cfg_fail(p, n, key, "\"%s\": bad address (want "
					"\"a.b.c.d:port\", \"name:port\" or "
					"\"[IPv6]:port\")", s);
		if ((why = listen_check_host(host)) != NULL)
			return cfg_fail(p, n, key, "\"%s\": %s", s, why);
	}
	if ((why = listen_check_port(port, &num)) != NULL)
		return cfg_fail(p, n, key, "\"%s\": %s", s, why);
	l->host = strdup(host);
	l->port = strdup(port);
	l->text = strdup(s);
	if (asprintf(&l->where, "%s:%lu: %s", p->file,
		     (unsigned long)n->start_mark.line + 1, key) < 0)
		l->where = NULL;
	if (!l->host || !l->port || !l->text || !l->where)
		return cfg_oom(p);
	return 0;
}

/* Appends one address (cfg_addr, port `defport`) to `*list`; the same
 * host and port twice is an error. */
static int cfg_addr_add(struct cfg_parser *p, yaml_node_t *n, const char *key,
			const char *defport, struct cfg_listen **list,
			size_t *count)
{
	struct cfg_listen one, *l;

	memset(&one, 0, sizeof(one));
	if (cfg_addr(p, n, key, defport, &one) < 0) {
		config_listen_free(&one);
		return -1;
	}
	for (size_t i = 0; i < *count; i++) {
		if (strcmp((*list)[i].host, one.host) == 0 &&
		    strcmp((*list)[i].port, one.port) == 0) {
			cfg_fail(p, n, key, "\"%s\" is listed twice", one.text);
			config_listen_free(&one);
			return -1;
		}
	}
	l = cfg_push((void **)list, count, sizeof(*l));
	if (!l) {
		config_listen_free(&one);
		return cfg_oom(p);
	}
	*l = one;
	return 0;
}

static int cfg_listen_one(struct cfg_parser *p, yaml_node_t *n, const char *key,
			  void *arg)
{
	(void)arg;
	return cfg_addr_add(p, n, key, DEFAULT_LISTEN_PORT, &p->cfg->listen,
			    &p->cfg->nlisten);
}

/* `metrics: "ADDR:PORT"`: the Prometheus endpoint. */
static int cfg_metrics(struct cfg_parser *p, yaml_node_t *n, const char *key,
		       void *field)
{
	struct cfg_listen **out = field, *l = calloc(1, sizeof(*l));

	if (!l)
		return cfg_oom(p);
	if (cfg_addr(p, n, key, DEFAULT_METRICS_PORT, l) < 0) {
		config_listen_free(l);
		free(l);
		return -1;
	}
	if (*out) {
		config_listen_free(*out);
		free(*out);
	}
	*out = l;
	return 0;
}

/* ---- datasets ---------------------------------------------------------- */

static int cfg_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return 1;
}

static int cfg_file_one(struct cfg_parser *p, yaml_node_t *n, const char *key,
			void *arg)
{
	struct cfg_dataset *d = arg;
	char **slot, *path;
	struct stat st;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	path = cfg_resolve(p, cfg_scalar(n));
	if (!path)
		return cfg_oom(p);
	slot = cfg_push((void **)&d->files, &d->nfiles, sizeof(*slot));
	if (!slot) {
		free(path);
		return cfg_oom(p);
	}
	*slot = path;
	if (p->flags & CONFIG_NO_FILE_CHECK)
		return 0;
	if (stat(path, &st) < 0)
		return cfg_fail(p, n, key, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return cfg_fail(p, n, key, "%s: is a directory", path);
	if (access(path, R_OK) < 0)
		return cfg_fail(p, n, key, "%s: %s", path, strerror(errno));
	return 0;
}

/* ---- trap datasets ------------------------------------------------------ */

/* A CIDR (or a bare address, a full-length prefix) in scalar `n`: 1 and
 * *c, 0 if the text does not look like an address at all (the caller may
 * read it otherwise), -1 after an error message. */
static int cfg_cidr_parse(struct cfg_parser *p, yaml_node_t *n,
			  const char *key, struct cfg_cidr *c)
{
	const char *s = cfg_scalar(n), *slash = strchr(s, '/');
	char buf[64];
	uint8_t lo[16], hi[16];
	unsigned long plen;
	char *end;
	size_t alen;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(buf) || !(strchr(s, ':') || slash ||
	    strspn(s, "0123456789.") == strlen(s)))
		return 0;
	alen = slash ? (size_t)(slash - s) : strlen(s);
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = 6;
	else
		return cfg_fail(p, n, key, "\"%s\" is not an address or CIDR", s);
	plen = c->family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || errno ||
		    plen > (c->family == 4 ? 32UL : 128UL))
			return cfg_fail(p, n, key, "\"%s\": bad prefix length", s);
	}
	c->plen = (uint8_t)plen;
	trap_allow_range(c->family, c->addr, c->plen, lo, hi);
	if (memcmp(lo, c->addr, 16) != 0)
		return cfg_fail(p, n, key, "\"%s\": host bits set beyond /%lu",
				s, plen);
	return 1;
}

/* One `allow` item: a CIDR (or a bare address), else a dataset name
 * (resolved by cfg_trap_resolve once every dataset is read). */
static int cfg_trap_allow_one(struct cfg_parser *p, yaml_node_t *n,
			      const char *key, void *arg)
{
	struct cfg_trap *t = arg;
	const char *s;
	struct cfg_cidr c;
	int rc;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	rc = cfg_cidr_parse(p, n, key, &c);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		struct cfg_cidr *slot = cfg_push((void **)&t->allow, &t->nallow,
						 sizeof(*slot));
		if (!slot)
			return cfg_oom(p);
		*slot = c;
		return 0;
	}
	if (!cfg_name_ok(s))
		return cfg_fail(p, n, key, "\"%s\" is neither a CIDR nor a "
				"dataset name", s);
	char **name = cfg_push((void **)&t->allow_datasets,
			       &t->nallow_datasets, sizeof(*name));
	if (!name || !(*name = strdup(s)))
		return cfg_oom(p);
	return 0;
}

/* `listen: PORT` (127.0.0.1) or `HOST:PORT` / `[IPv6]:PORT`. */
static int cfg_trap_listen(struct cfg_parser *p, yaml_node_t *n,
			   const char *key, struct cfg_trap *t)
{
	const char *s, *port, *why;
	char host[256];
	unsigned num;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (strspn(s, "0123456789") == strlen(s)) {
		snprintf(host, sizeof(host), "%s", DEFAULT_TRAP_LISTEN_HOST);
		port = s;
	} else if (s[0] == '[') {
		const char *close = strchr(s, ']');
		unsigned char a6[16];

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return cfg_fail(p, n, key, "\"%s\": expected "
					"\"[address]:port\"", s);
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, host, a6) != 1)
			return cfg_fail(p, n, key, "\"%s\": bad IPv6 address", s);
		port = close + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return cfg_fail(p, n, key, "\"%s\": expected PORT or "
					"HOST:PORT", s);
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		if (strchr(host, ':') || (why = listen_check_host(host)) != NULL)
			return cfg_fail(p, n, key, "\"%s\": bad host", s);
		port = colon + 1;
	}
	if ((why = listen_check_port(port, &num)) != NULL)
		return cfg_fail(p, n, key, "\"%s\": %s", s, why);
	free(t->listen_host);
	free(t->listen_port);
	t->listen_host = strdup(host);
	t->listen_port = strdup(port);
	if (!t->listen_host || !t->listen_port)
		return cfg_oom(p);
	return 0;
}

/* An IPv4 answer code in 127.0.0.0/8 (RFC 5782). */
static int cfg_trap_code(struct cfg_parser *p, yaml_node_t *n,
			 const char *key, uint32_t *code)
{
	struct in_addr a;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	if (inet_pton(AF_INET, cfg_scalar(n), &a) != 1 ||
	    ntohl(a.s_addr) >> 24 != 127)
		return cfg_fail(p, n, key, "\"%s\" is not an address in "
				"127.0.0.0/8 (RFC 5782)", cfg_scalar(n));
	*code = ntohl(a.s_addr);
	return 0;
}

/* `resolver: "ADDR[:PORT]"`: a numeric address (the loader asks it, no
 * name is looked up to find it); port 53 by default. */
static int cfg_trap_resolver(struct cfg_parser *p, yaml_node_t *n,
			     const char *key, struct cfg_trap *t)
{
	unsigned char a[16];

	if (!t->resolver && !(t->resolver = calloc(1, sizeof(*t->resolver))))
		return cfg_oom(p);
	if (cfg_addr(p, n, key, DEFAULT_TRAP_RDNS_PORT, t->resolver) < 0)
		return -1;
	if (inet_pton(AF_INET, t->resolver->host, a) != 1 &&
	    inet_pton(AF_INET6, t->resolver->host, a) != 1)
		return cfg_fail(p, n, key, "\"%s\": not a numeric address",
				cfg_scalar(n));
	return 0;
}

/* One `recipients` item: an address or `@domain`. */
static int cfg_tail_rcpt_one(struct cfg_parser *p, yaml_node_t *n,
			     const char *key, void *arg)
{
	struct cfg_trap_tail *tl = arg;
	char **slot;
	const char *s;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = cfg_scalar(n);
	if (!strchr(s, '@') || strlen(s) > TRAP_ID_MAX ||
	    strcspn(s, " \t<>") != strlen(s))
		return cfg_fail(p, n, key, "\"%s\" is not an address or "
				"@domain (at most %d bytes)", s, TRAP_ID_MAX);
	slot = cfg_push((void **)&tl->recipients, &tl->nrecipients,
			sizeof(*slot));
	if (!slot || !(*slot = strdup(s)))
		return cfg_oom(p);
	return 0;
}

/* A trap dataset's `tail: {file, preset, recipients, regex, ip_group,
 * trap_group, from_start}`; the regex is compiled here to name its error. */
static int cfg_trap_tail(struct cfg_parser *p, yaml_node_t *n,
			 const char *where, struct cfg_trap *t)
{
	static const char *const known[] = { "file", "preset", "recipients",
		"regex", "ip_group", "trap_group", "from_start", NULL };
	struct cfg_trap_tail *tl;
	yaml_node_t *k, *v;
	char key[320];
	regex_t re;
	size_t nsub;
	int rc;

	if (cfg_want_map(p, n, where) < 0 || cfg_check_keys(p, n, where, known) < 0)
		return -1;
	if (!(tl = t->tail = calloc(1, sizeof(*tl))))
		return cfg_oom(p);
	tl->ip_group = 1;
	CFG_FOR_PAIRS(p, n, k, v) {
		const char *name = cfg_scalar(k);
		unsigned long u;

		cfg_keyjoin(key, sizeof(key), where, name);
		rc = 0;
		if (strcmp(name, "file") == 0) {
			rc = cfg_path(p, v, key, &tl->file);
		} else if (strcmp(name, "preset") == 0) {
			if (cfg_want_scalar(p, v, key) < 0)
				return -1;
			if (strcmp(cfg_scalar(v), "postfix") != 0)
				return cfg_fail(p, v, key, "unknown preset \"%s\" "
						"(known: postfix)", cfg_scalar(v));
			tl->preset_postfix = 1;
		} else if (strcmp(name, "recipients") == 0) {
			rc = cfg_list(p, v, key, cfg_tail_rcpt_one, tl);
		} else if (strcmp(name, "regex") == 0) {
			rc = cfg_string(p, v, key, &tl->regex);
		} else if (strcmp(name, "ip_group") == 0) {
			rc = cfg_uint(p, v, key, 1, 9, &u);
			tl->ip_group = (unsigned)u;
		} else if (strcmp(name, "trap_group") == 0) {
			rc = cfg_uint(p, v, key, 1, 9, &u);
			tl->trap_group = (unsigned)u;
		} else {
			rc = cfg_bool(p, v, key, &tl->from_start);
		}
		if (rc < 0)
			return -1;
	}
	if (!tl->file)
		return cfg_fail(p, n, where, "file is required");
	if (tl->preset_postfix == !!tl->regex)
		return cfg_fail(p, n, where, "give either preset or regex");
	if (tl->preset_postfix && !tl->nrecipients)
		return cfg_fail(p, n, where, "preset postfix needs recipients");
	if (!tl->preset_postfix && tl->nrecipients)
		return cfg_fail(p, n, where, "recipients are for preset postfix");
	if (!tl->regex)
		return 0;
	if ((rc = regcomp(&re, tl->regex, REG_EXTENDED)) != 0) {
		char why[256];

		regerror(rc, &re, why, sizeof(why));
		return cfg_fail(p, n, where, "regex: %s", why);
	}
	nsub = re.re_nsub;
	regfree(&re);
	if (tl->ip_group > nsub || tl->trap_group > nsub)
		return cfg_fail(p, n, where, "regex has %zu group%s: ip_group or "
				"trap_group is beyond", nsub, nsub == 1 ? "" : "s");
	return 0;
}

/* A `type: trap` dataset's keys (the type was read by cfg_dataset). */
static int cfg_trap(struct cfg_parser *p, yaml_node_t *kn, yaml_node_t *vn,
		    const char *where, struct cfg_dataset *d)
{
	static const char *const known[] = { "type", "threshold", "window",
		"distinct_traps", "expire", "repeat_expire", "repeat_within",
		"prefix6", "allow", "allow_special", "code", "txt", "socket",
		"listen", "tail", "self_delist", "rdns", "resolver",
		"rdns_timeout", "threshold_no_fcrdns", "code_no_fcrdns",
		"only_no_fcrdns", NULL };
	struct cfg_trap *t;
	yaml_node_t *k, *v;
	char key[320];
	int have_repeat = 0, have_txt = 0;
	const char *why;

	if (cfg_check_keys(p, vn, where, known) < 0)
		return -1;
	t = d->trap = calloc(1, sizeof(*t));
	if (!t)
		return cfg_oom(p);
	d->manual = 1;   /* no files; made empty if not stored, never loaded */
	t->threshold = DEFAULT_TRAP_THRESHOLD;
	t->window = DEFAULT_TRAP_WINDOW;
	t->expire = DEFAULT_TRAP_EXPIRE;
	t->repeat_within = DEFAULT_TRAP_REPEAT_WITHIN;
	t->prefix6 = DEFAULT_TRAP_PREFIX6;
	t->allow_special = 1;
	t->code = DEFAULT_TRAP_CODE;
	t->rdns_timeout = DEFAULT_TRAP_RDNS_TIMEOUT;
	CFG_FOR_PAIRS(p, vn, k, v) {
		const char *name = cfg_scalar(k);
		unsigned long u;
		int rc = 0;

		cfg_keyjoin(key, sizeof(key), where, name);
		if (strcmp(name, "type") == 0) {
			continue;
		} else if (strcmp(name, "threshold") == 0) {
			rc = cfg_uint(p, v, key, 1, TRAP_SLOTS, &u);
			t->threshold = (unsigned)u;
		} else if (strcmp(name, "prefix6") == 0) {
			rc = cfg_uint(p, v, key, 1, 128, &u);
			t->prefix6 = (unsigned)u;
		} else if (strcmp(name, "window") == 0) {
			rc = cfg_time(p, v, key, &t->window);
		} else if (strcmp(name, "expire") == 0) {
			rc = cfg_time(p, v, key, &t->expire);
		} else if (strcmp(name, "repeat_expire") == 0) {
			rc = cfg_time(p, v, key, &t->repeat_expire);
			have_repeat = 1;
		} else if (strcmp(name, "repeat_within") == 0) {
			rc = cfg_time(p, v, key, &t->repeat_within);
		} else if (strcmp(name, "distinct_traps") == 0) {
			rc = cfg_bool(p, v, key, &t->distinct_traps);
		} else if (strcmp(name, "allow_special") == 0) {
			rc = cfg_bool(p, v, key, &t->allow_special);
		} else if (strcmp(name, "allow") == 0) {
			rc = cfg_list(p, v, key, cfg_trap_allow_one, t);
		} else if (strcmp(name, "code") == 0) {
			rc = cfg_trap_code(p, v, key, &t->code);
		} else if (strcmp(name, "txt") == 0) {
			rc = cfg_string(p, v, key, &t->txt);
			if (rc == 0 && (why = trap_txt_check(t->txt)) != NULL)
				rc = cfg_fail(p, v, key, "%s", why);
			have_txt = 1;
		} else if (strcmp(name, "socket") == 0) {
			rc = cfg_path(p, v, key, &t->socket);
			if (rc == 0 && strlen(t->socket) >= 108)
				rc = cfg_fail(p, v, key, "%s: too long for a UNIX "
					      "socket (107 bytes)", t->socket);
		} else if (strcmp(name, "tail") == 0) {
			rc = cfg_trap_tail(p, v, key, t);
		} else if (strcmp(name, "rdns") == 0) {
			rc = cfg_bool(p, v, key, &t->rdns);
		} else if (strcmp(name, "resolver") == 0) {
			rc = cfg_trap_resolver(p, v, key, t);
		} else if (strcmp(name, "rdns_timeout") == 0) {
			rc = cfg_time(p, v, key, &t->rdns_timeout);
		} else if (strcmp(name, "threshold_no_fcrdns") == 0) {
			rc = cfg_uint(p, v, key, 1, TRAP_SLOTS, &u);
			t->threshold_no_fcrdns = (unsigned)u;
		} else if (strcmp(name, "code_no_fcrdns") == 0) {
			rc = cfg_trap_code(p, v, key, &t->code_no_fcrdns);
		} else if (strcmp(name, "only_no_fcrdns") == 0) {
			rc = cfg_bool(p, v, key, &t->only_no_fcrdns);
		} else if (strcmp(name, "self_delist") == 0) {
			rc = cfg_bool(p, v, key, &d->self_delist);
		} else {
			rc = cfg_trap_listen(p, v, key, t);
		}
		if (rc < 0)
			return -1;
	}
	if (t->window == 0 || t->expire == 0)
		return cfg_fail(p, kn, where, "window and expire must be above 0");
	if ((why = trap_rdns_config_check(t)) != NULL)
		return cfg_fail(p, kn, where, "%s", why);
	if (!have_repeat)
		t->repeat_expire = t->expire;
	if (!have_txt && !(t->txt = strdup(DEFAULT_TRAP_TXT)))
		return cfg_oom(p);
	return 0;
}

/* Every `allow` dataset of a trap dataset is an address dataset of the
 * config (checked once all datasets are read). */
static int cfg_trap_resolve(struct cfg_parser *p, yaml_node_t *datasets)
{
	struct config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->ndatasets; i++) {
		const struct cfg_trap *t = cfg->datasets[i].trap;

		for (size_t j = 0; t && j < t->nallow_datasets; j++) {
			const struct cfg_dataset *a =
				config_dataset(cfg, t->allow_datasets[j]);
			char where[300], key[320];

			cfg_keyjoin(where, sizeof(where), "datasets",
				    cfg->datasets[i].name);
			cfg_keyjoin(key, sizeof(key), where, "allow");
			if (!a)
				return cfg_fail(p, datasets, key, "no dataset "
						"named \"%s\" (line %d)",
						t->allow_datasets[j],
						cfg->datasets[i].line);
			if (a->type == DS_DNSET || a->type == DS_GENERIC ||
			    a->type == DS_COMBINED || a->type == DS_ACL ||
			    a == &cfg->datasets[i])
				return cfg_fail(p, datasets, key, "\"%s\" is not "
						"an address dataset (line %d)",
						a->name, cfg->datasets[i].line);
		}
	}
	return 0;
}

static int cfg_dataset(struct cfg_parser *p, yaml_node_t *kn, yaml_node_t *vn)
{
	static const char *const known[] = { "type", "files", "max_errors",
					     "manual", "self_delist",
					     "max_shrink", "shrink_hold", NULL };
	struct config *cfg = p->cfg;
	struct cfg_dataset *d;
	yaml_node_t *k, *v;
	char where[300], key[320];
	int have_type = 0, have_files = 0;

	cfg_keyjoin(where, sizeof(where), "datasets", cfg_scalar(kn));
	if (!cfg_name_ok(cfg_scalar(kn)))
		return cfg_fail(p, kn, where,
				"bad dataset name (letters, digits, '-', '_', '.')");
	if (cfg_want_map(p, vn, where) < 0)
		return -1;
	d = cfg_push((void **)&cfg->datasets, &cfg->ndatasets, sizeof(*d));
	if (!d)
		return cfg_oom(p);
	d->line = (int)kn->start_mark.line + 1;
	d->max_shrink = DEFAULT_MAX_SHRINK;
	d->name = strdup(cfg_scalar(kn));
	if (!d->name)
		return cfg_oom(p);
	/* A trap dataset has keys of its own. */
	CFG_FOR_PAIRS(p, vn, k, v)
		if (strcmp(cfg_scalar(k), "type") == 0 &&
		    v->type == YAML_SCALAR_NODE &&
		    strcasecmp(cfg_scalar(v), "trap") == 0) {
			d->type = DS_TRAP;
			return cfg_trap(p, kn, vn, where, d);
		}
	if (cfg_check_keys(p, vn, where, known) < 0)
		return -1;
	CFG_FOR_PAIRS(p, vn, k, v) {
		cfg_keyjoin(key, sizeof(key), where, cfg_scalar(k));
		if (strcmp(cfg_scalar(k), "type") == 0) {
			if (cfg_want_scalar(p, v, key) < 0)
				return -1;
			if (ds_type_parse(cfg_scalar(v), &d->type) < 0)
				return cfg_fail(p, v, key,
						"unknown dataset type \"%s\" (ip4set ip4tset "
						"ip4trie ip6trie ip6tset dnset generic "
						"combined acl trap country asn)",
						cfg_scalar(v));
			have_type = 1;
		} else if (strcmp(cfg_scalar(k), "files") == 0) {
			if (cfg_list(p, v, key, cfg_file_one, d) < 0)
				return -1;
			have_files = 1;
		} else if (strcmp(cfg_scalar(k), "manual") == 0) {
			if (cfg_bool(p, v, key, &d->manual) < 0)
				return -1;
		} else if (strcmp(cfg_scalar(k), "self_delist") == 0) {
			if (cfg_bool(p, v, key, &d->self_delist) < 0)
				return -1;
		} else if (strcmp(cfg_scalar(k), "max_shrink") == 0) {
			if (cfg_percent(p, v, key, &d->max_shrink) < 0)
				return -1;
		} else if (strcmp(cfg_scalar(k), "shrink_hold") == 0) {
			if (cfg_time(p, v, key, &d->shrink_hold) < 0)
				return -1;
		} else {
			unsigned long m;

			if (cfg_uint(p, v, key, 0, UINT_MAX, &m) < 0)
				return -1;
			d->max_errors = (unsigned)m;
		}
	}
	if (!have_type)
		return cfg_fail(p, kn, where, "missing \"type\"");
	/* A manual dataset is edited with dnsbl-ctl, never loaded. */
	if (d->manual && have_files)
		return cfg_fail(p, kn, where, "a manual dataset has no \"files\" "
				"(it is edited with dnsbl-ctl)");
	if (d->manual && !feed_entry_type_ok(d->type))
		return cfg_fail(p, kn, where, "a manual dataset cannot be %s "
				"(ip4set ip4tset ip4trie ip6trie ip6tset dnset)",
				ds_type_name(d->type));
	if (!have_files && !d->manual)
		return cfg_fail(p, kn, where, "missing \"files\" (or \"manual: "
				"true\" for a dataset edited by hand)");
	if (d->self_delist && !d->manual)
		return cfg_fail(p, kn, where, "self_delist needs a manual dataset "
				"(a file-fed one is undone by its next load)");
	return 0;
}

/* ---- zones ------------------------------------------------------------- */

static int cfg_zone_ds_one(struct cfg_parser *p, yaml_node_t *n,
			   const char *key, void *arg)
{
	struct cfg_zone *z = arg;
	const struct cfg_dataset *d;
	char **slot;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	d = config_dataset(p->cfg, cfg_scalar(n));
	if (!d)
		return cfg_fail(p, n, key, "no dataset named \"%s\"", cfg_scalar(n));
	if (d->type == DS_ACL)
		return cfg_fail(p, n, key,
				"\"%s\" is an acl dataset; name it in \"acl\"",
				cfg_scalar(n));
	for (size_t i = 0; i < z->ndatasets; i++)
		if (strcmp(z->datasets[i], d->name) == 0)
			return cfg_fail(p, n, key, "\"%s\" is listed twice", d->name);
	slot = cfg_push((void **)&z->datasets, &z->ndatasets, sizeof(*slot));
	if (!slot || !(*slot = strdup(d->name)))
		return cfg_oom(p);
	return 0;
}

static int cfg_zone_ns_one(struct cfg_parser *p, yaml_node_t *n,
			   const char *key, void *arg)
{
	struct cfg_zone *z = arg;
	uint8_t **slot;

	if (z->nns >= DS_MAX_NS)
		return cfg_fail(p, n, key, "more than %d name servers", DS_MAX_NS);
	slot = cfg_push((void **)&z->ns, &z->nns, sizeof(*slot));
	if (!slot)
		return cfg_oom(p);
	return cfg_dname(p, n, key, 0, slot);
}

/* `codes: {127.0.0.2: spam source, ...}`: names of the zone's return
 * codes for dnsbl-query's output; the server does not use them. */
static int cfg_zone_codes(struct cfg_parser *p, yaml_node_t *n,
			  const char *where, struct cfg_zone *z)
{
	yaml_node_t *k, *v;
	char key[400];

	if (cfg_want_map(p, n, where) < 0 || cfg_check_keys(p, n, where, NULL) < 0)
		return -1;
	CFG_FOR_PAIRS(p, n, k, v) {
		struct cfg_code *c;
		struct in_addr a;

		cfg_keyjoin(key, sizeof(key), where, cfg_scalar(k));
		if (inet_pton(AF_INET, cfg_scalar(k), &a) != 1)
			return cfg_fail(p, k, key, "\"%s\" is not an IPv4 address",
					cfg_scalar(k));
		if (ntohl(a.s_addr) >> 24 != 127)
			return cfg_fail(p, k, key, "\"%s\" is not in 127.0.0.0/8, "
					"where return codes are (RFC 5782)",
					cfg_scalar(k));
		c = cfg_push((void **)&z->codes, &z->ncodes, sizeof(*c));
		if (!c)
			return cfg_oom(p);
		c->a = ntohl(a.s_addr);
		if (cfg_string(p, v, key, &c->name) < 0)
			return -1;
		/* The name goes on one output line. */
		for (const char *s = c->name; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return cfg_fail(p, v, key,
						"control character in the name");
	}
	return 0;
}

/* `countries: [CN, RU]`: ISO 3166 codes for a policy zone. */
static int cfg_zone_cc_one(struct cfg_parser *p, yaml_node_t *n,
			   const char *key, void *arg)
{
	struct cfg_zone *z = arg;
	char cc[3], (*slot)[3];

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	if (geo_cc_parse(cfg_scalar(n), strlen(cfg_scalar(n)), cc) < 0)
		return cfg_fail(p, n, key, "\"%s\" is not a country code (two "
				"letters, ISO 3166)", cfg_scalar(n));
	slot = cfg_push((void **)&z->countries, &z->ncountries, sizeof(*slot));
	if (!slot)
		return cfg_oom(p);
	memcpy(*slot, cc, 3);
	return 0;
}

/* `asns: [13335, AS64500]`: AS numbers for a policy zone. */
static int cfg_zone_asn_one(struct cfg_parser *p, yaml_node_t *n,
			    const char *key, void *arg)
{
	struct cfg_zone *z = arg;
	uint32_t asn, *slot;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	if (geo_asn_parse(cfg_scalar(n), strlen(cfg_scalar(n)), &asn) < 0 ||
	    asn == 0)
		return cfg_fail(p, n, key, "\"%s\" is not an AS number",
				cfg_scalar(n));
	slot = cfg_push((void **)&z->asns, &z->nasns, sizeof(*slot));
	if (!slot)
		return cfg_oom(p);
	*slot = asn;
	return 0;
}

/* A zone with `countries` or `asns` is a policy zone: each of its country
 * datasets needs `countries`, each asn dataset `asns`. */
static int cfg_zone_geo(struct cfg_parser *p, yaml_node_t *kn,
			const char *where, struct cfg_zone *z)
{
	int country = 0, asn = 0;

	for (size_t i = 0; i < z->ndatasets; i++) {
		const struct cfg_dataset *d = config_dataset(p->cfg,
							     z->datasets[i]);

		country |= d && d->type == DS_COUNTRY;
		asn |= d && d->type == DS_ASN;
	}
	z->geo_country = country;
	if (!z->ncountries && !z->nasns)
		return 0;
	if (z->ncountries && !country)
		return cfg_fail(p, kn, where, "\"countries\" needs a country "
				"dataset in \"datasets\"");
	if (z->nasns && !asn)
		return cfg_fail(p, kn, where, "\"asns\" needs an asn dataset "
				"in \"datasets\"");
	if (country && !z->ncountries)
		return cfg_fail(p, kn, where, "a policy zone's country dataset "
				"needs \"countries\" (else it lists every address)");
	if (asn && !z->nasns)
		return cfg_fail(p, kn, where, "a policy zone's asn dataset needs "
				"\"asns\" (else it lists every address)");
	if (z->has_transfer)
		return cfg_fail(p, kn, where, "a policy zone has no \"transfer\" "
				"(a secondary would get the unfiltered table)");
	return 0;
}

static int cfg_soa(struct cfg_parser *p, yaml_node_t *n, const char *where,
		   struct cfg_zone *z)
{
	static const char *const known[] = { "mname", "rname", "ttl", "refresh",
		"retry", "expire", "minimum", NULL };
	struct cfg_soa *soa = &z->soa;
	yaml_node_t *k, *v;
	char key[400];
	int have_ttl = 0;

	if (cfg_want_map(p, n, where) < 0 || cfg_check_keys(p, n, where, known) < 0)
		return -1;
	soa->present = 1;
	soa->refresh = DEFAULT_SOA_REFRESH;
	soa->retry = DEFAULT_SOA_RETRY;
	soa->expire = DEFAULT_SOA_EXPIRE;
	soa->minimum = DEFAULT_SOA_MINIMUM;
	CFG_FOR_PAIRS(p, n, k, v) {
		const char *name = cfg_scalar(k);
		int rc;

		cfg_keyjoin(key, sizeof(key), where, name);
		if (strcmp(name, "mname") == 0)
			rc = cfg_dname(p, v, key, 0, &soa->mname);
		else if (strcmp(name, "rname") == 0)
			rc = cfg_dname(p, v, key, 1, &soa->rname);
		else if (strcmp(name, "ttl") == 0) {
			rc = cfg_time(p, v, key, &soa->ttl);
			have_ttl = 1;
		}
		else if (strcmp(name, "refresh") == 0)
			rc = cfg_time(p, v, key, &soa->refresh);
		else if (strcmp(name, "retry") == 0)
			rc = cfg_time(p, v, key, &soa->retry);
		else if (strcmp(name, "expire") == 0)
			rc = cfg_time(p, v, key, &soa->expire);
		else
			rc = cfg_time(p, v, key, &soa->minimum);
		if (rc < 0)
			return -1;
	}
	if (!soa->mname)
		return cfg_fail(p, n, where, "missing \"mname\"");
	if (!soa->rname)
		return cfg_fail(p, n, where, "missing \"rname\"");
	if (!have_ttl)
		soa->ttl = z->ttl ? z->ttl : p->cfg->default_ttl;
	return 0;
}

/* A list of CIDRs being read (`transfer.allow`, an access rule's `from`). */
struct cfg_cidrs {
	struct cfg_cidr **v;
	size_t *n;
};

/* One item of a list of CIDRs (`arg` a struct cfg_cidrs). */
static int cfg_cidr_one(struct cfg_parser *p, yaml_node_t *n, const char *key,
			void *arg)
{
	struct cfg_cidrs *l = arg;
	struct cfg_cidr c, *slot;
	int rc;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	rc = cfg_cidr_parse(p, n, key, &c);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return cfg_fail(p, n, key, "\"%s\" is not an address or CIDR",
				cfg_scalar(n));
	slot = cfg_push((void **)l->v, l->n, sizeof(*slot));
	if (!slot)
		return cfg_oom(p);
	*slot = c;
	return 0;
}

static int cfg_zone_allow_one(struct cfg_parser *p, yaml_node_t *n,
			      const char *key, void *arg)
{
	struct cfg_zone *z = arg;
	struct cfg_cidrs l = { &z->xfr_allow, &z->nxfr_allow };

	return cfg_cidr_one(p, n, key, &l);
}

static int cfg_zone_notify_one(struct cfg_parser *p, yaml_node_t *n,
			       const char *key, void *arg)
{
	struct cfg_zone *z = arg;

	return cfg_addr_add(p, n, key, DEFAULT_LISTEN_PORT, &z->xfr_notify,
			    &z->nxfr_notify);
}

/* `transfer: {allow: [CIDR...], notify: ["ADDR:PORT"...]}`. */
static int cfg_zone_transfer(struct cfg_parser *p, yaml_node_t *n,
			     const char *where, struct cfg_zone *z)
{
	static const char *const known[] = { "allow", "notify", NULL };
	yaml_node_t *k, *v;
	char key[400];

	if (cfg_want_map(p, n, where) < 0 || cfg_check_keys(p, n, where, known) < 0)
		return -1;
	z->has_transfer = 1;
	CFG_FOR_PAIRS(p, n, k, v) {
		const char *name = cfg_scalar(k);

		cfg_keyjoin(key, sizeof(key), where, name);
		if (cfg_list(p, v, key, strcmp(name, "allow") == 0 ?
			     cfg_zone_allow_one : cfg_zone_notify_one, z) < 0)
			return -1;
	}
	return 0;
}

/* ---- access rules and rate limits (server/access.c, server/rrl.c) ------- */

static const char *const cfg_access_names[] = { "pass", "drop", "refuse",
	"unlisted", "answer", NULL };

/* One `access` rule: {from: CIDRs, action: A[, code: C, txt: T]}. */
static int cfg_access_rule(struct cfg_parser *p, yaml_node_t *n,
			   const char *key, void *arg)
{
	static const char *const known[] = { "from", "action", "code", "txt",
		NULL };
	struct cfg_access *acc = arg;
	struct cfg_access_rule *r;
	struct cfg_cidrs from;
	yaml_node_t *k, *v, *extra = NULL;
	char sub[400];
	int have_code = 0;

	if (cfg_want_map(p, n, key) < 0 || cfg_check_keys(p, n, key, known) < 0)
		return -1;
	r = cfg_push((void **)&acc->rules, &acc->nrules, sizeof(*r));
	if (!r)
		return cfg_oom(p);
	r->line = (int)n->start_mark.line + 1;
	r->action = -1;
	from.v = &r->from;
	from.n = &r->nfrom;
	CFG_FOR_PAIRS(p, n, k, v) {
		const char *name = cfg_scalar(k);

		cfg_keyjoin(sub, sizeof(sub), key, name);
		if (strcmp(name, "from") == 0) {
			if (cfg_list(p, v, sub, cfg_cidr_one, &from) < 0)
				return -1;
		} else if (strcmp(name, "action") == 0) {
			if (cfg_choice(p, v, sub, cfg_access_names,
				       &r->action) < 0)
				return -1;
		} else if (strcmp(name, "code") == 0) {
			if (cfg_trap_code(p, v, sub, &r->code) < 0)
				return -1;
			have_code = 1;
			extra = k;
		} else {
			if (cfg_string(p, v, sub, &r->txt) < 0)
				return -1;
			if (strlen(r->txt) > 255)
				return cfg_fail(p, v, sub, "longer than 255 "
						"characters");
			extra = k;
		}
	}
	if (!r->nfrom)
		return cfg_fail(p, n, key, "a rule needs \"from\"");
	if (r->action < 0)
		return cfg_fail(p, n, key, "a rule needs \"action\" (%s)",
				"pass, drop, refuse, unlisted or answer");
	if (r->action == CFG_ACCESS_ANSWER && !have_code)
		return cfg_fail(p, n, key, "action answer needs \"code\"");
	if (r->action != CFG_ACCESS_ANSWER && extra)
		return cfg_fail(p, extra, key, "\"%s\" goes with action answer "
				"only", cfg_scalar(extra));
	return 0;
}

/* `access: [RULE...]` into `acc` (once: a second list is an error). */
static int cfg_access(struct cfg_parser *p, yaml_node_t *n, const char *key,
		      struct cfg_access *acc)
{
	if (acc->nrules)
		return cfg_fail(p, n, key, "given twice (top level and "
				"server?)");
	return cfg_list(p, n, key, cfg_access_rule, acc);
}

/* `rate_limit: {...}`; `zone` allows only the per-zone keys. */
static int cfg_rrl(struct cfg_parser *p, yaml_node_t *n, const char *key,
		   int zone, struct cfg_rrl *r)
{
	static const char *const known[] = { "responses_per_second", "slip",
		"ipv4_prefix", "ipv6_prefix", "cost_bytes", "buckets", NULL };
	static const char *const zone_known[] = { "responses_per_second",
		"slip", NULL };
	/* Each key a number in a range, in the order of `known`. */
	static const struct {
		size_t off;
		unsigned long min, max;
	} field[] = {
		{ offsetof(struct cfg_rrl, rate), 0, 1000000 },
		{ offsetof(struct cfg_rrl, slip), 0, 100 },
		{ offsetof(struct cfg_rrl, ipv4_prefix), 8, 32 },
		{ offsetof(struct cfg_rrl, ipv6_prefix), 16, 128 },
		{ offsetof(struct cfg_rrl, cost_bytes), 1, 65535 },
		{ offsetof(struct cfg_rrl, buckets), 64, 1UL << 24 },
	};
	yaml_node_t *k, *v;
	char sub[400];
	unsigned long x;

	if (cfg_want_map(p, n, key) < 0 ||
	    cfg_check_keys(p, n, key, zone ? zone_known : known) < 0)
		return -1;
	if (r->present)
		return cfg_fail(p, n, key, "given twice (top level and "
				"server?)");
	r->present = 1;
	CFG_FOR_PAIRS(p, n, k, v) {
		const char *name = cfg_scalar(k);

		size_t i = 0;

		while (strcmp(known[i], name) != 0)
			i++;   /* cfg_check_keys let only these through */
		cfg_keyjoin(sub, sizeof(sub), key, name);
		if (cfg_uint(p, v, sub, field[i].min, field[i].max, &x) < 0)
			return -1;
		if (field[i].off == offsetof(struct cfg_rrl, buckets) &&
		    (x & (x - 1)))
			return cfg_fail(p, v, sub, "%lu is not a power of two",
					x);
		*(unsigned *)(void *)((char *)r + field[i].off) = (unsigned)x;
	}
	return 0;
}

/* One key of `keys.list`: letters, digits, '-' and '_', up to 63. */
static int cfg_key_one(struct cfg_parser *p, yaml_node_t *n, const char *key,
		       void *arg)
{
	struct cfg_keys *k = arg;
	char **slot;
	char *s;

	if (cfg_want_scalar(p, n, key) < 0)
		return -1;
	s = strdup(cfg_scalar(n));
	if (!s)
		return cfg_oom(p);
	if (strlen(s) > 63 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
	    strlen(s)) {
		free(s);
		return cfg_fail(p, n, key, "\"%s\" is not a key (letters, "
				"digits, - and _, up to 63)", cfg_scalar(n));
	}
	for (char *c = s; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	slot = cfg_push((void **)&k->list, &k->nlist, sizeof(*slot));
	if (!slot) {
		free(s);
		return cfg_oom(p);
	}
	*slot = s;
	return 0;
}

/* `keys: {list: [KEY...], file: PATH, unknown: refuse|CODE, txt: T}`. */
static int cfg_keys(struct cfg_parser *p, yaml_node_t *n, const char *where,
		    struct cfg_zone *z)
{
	static const char *const known[] = { "list", "file", "unknown", "txt",
		NULL };
	struct cfg_keys *k;
	yaml_node_t *kn, *v;
	char key[400];

	if (cfg_want_map(p, n, where) < 0 ||
	    cfg_check_keys(p, n, where, known) < 0)
		return -1;
	if (!(k = z->keys = calloc(1, sizeof(*k))))
		return cfg_oom(p);
	k->refuse = 1;
	CFG_FOR_PAIRS(p, n, kn, v) {
		const char *name = cfg_scalar(kn);
		int rc;

		cfg_keyjoin(key, sizeof(key), where, name);
		if (strcmp(name, "list") == 0)
			rc = cfg_list(p, v, key, cfg_key_one, k);
		else if (strcmp(name, "file") == 0)
			rc = cfg_path(p, v, key, &k->file);
		else if (strcmp(name, "txt") == 0)
			rc = cfg_string(p, v, key, &k->txt);
		else if (v->type == YAML_SCALAR_NODE &&
			 strcmp(cfg_scalar(v), "refuse") == 0)
			rc = 0;
		else if ((rc = cfg_trap_code(p, v, key, &k->code)) == 0)
			k->refuse = 0;
		if (rc < 0)
			return -1;
	}
	if (!k->nlist && !k->file)
		return cfg_fail(p, n, where, "needs \"list\" or \"file\"");
	if (k->txt && (k->refuse || strlen(k->txt) > 255))
		return cfg_fail(p, n, where, "\"txt\" goes with an unknown "
				"code, up to 255 characters");
	return 0;
}

static int cfg_zone(struct cfg_parser *p, yaml_node_t *kn, yaml_node_t *vn)
{
	static const char *const known[] = { "datasets", "acl", "ttl", "soa",
		"ns", "codes", "transfer", "access", "rate_limit", "keys",
		"countries", "asns", NULL };
	struct config *cfg = p->cfg;
	struct cfg_zone *z;
	yaml_node_t *k, *v, *soa_node = NULL;
	uint8_t w[DNAME_MAX];
	char where[300], key[400], text[DNAME_MAX * 4];
	int len;

	cfg_keyjoin(where, sizeof(where), "zones", cfg_scalar(kn));
	len = dname_from_text(cfg_scalar(kn), strlen(cfg_scalar(kn)), w, 1);
	if (len < 0)
		return cfg_fail(p, kn, where, "not a valid domain name");
	if (len == 1)
		return cfg_fail(p, kn, where, "a zone cannot be the root");
	if (dname_to_text(w, text, sizeof(text)) < 0)
		return cfg_fail(p, kn, where, "not a valid domain name");
	for (size_t i = 0; i < cfg->nzones; i++)
		if (dname_equal(cfg->zones[i].wname, w))
			return cfg_fail(p, kn, where,
					"zone defined twice (first on line %d)",
					cfg->zones[i].line);
	if (cfg_want_map(p, vn, where) < 0 || cfg_check_keys(p, vn, where, known) < 0)
		return -1;
	z = cfg_push((void **)&cfg->zones, &cfg->nzones, sizeof(*z));
	if (!z)
		return cfg_oom(p);
	z->line = (int)kn->start_mark.line + 1;
	z->name = strdup(text);
	z->wname = wname_dup(w);
	if (!z->name || !z->wname)
		return cfg_oom(p);
	CFG_FOR_PAIRS(p, vn, k, v) {
		const char *name = cfg_scalar(k);

		cfg_keyjoin(key, sizeof(key), where, name);
		if (strcmp(name, "countries") == 0) {
			if (cfg_list(p, v, key, cfg_zone_cc_one, z) < 0)
				return -1;
		} else if (strcmp(name, "asns") == 0) {
			if (cfg_list(p, v, key, cfg_zone_asn_one, z) < 0)
				return -1;
		} else if (strcmp(name, "datasets") == 0) {
			if (cfg_list(p, v, key, cfg_zone_ds_one, z) < 0)
				return -1;
		} else if (strcmp(name, "acl") == 0) {
			const struct cfg_dataset *d;

			if (cfg_want_scalar(p, v, key) < 0)
				return -1;
			d = config_dataset(cfg, cfg_scalar(v));
			if (!d)
				return cfg_fail(p, v, key, "no dataset named \"%s\"",
						cfg_scalar(v));
			if (d->type != DS_ACL)
				return cfg_fail(p, v, key,
						"\"%s\" is a %s dataset, not an acl",
						d->name, ds_type_name(d->type));
			if (cfg_string(p, v, key, &z->acl) < 0)
				return -1;
		} else if (strcmp(name, "ttl") == 0) {
			if (cfg_time(p, v, key, &z->ttl) < 0)
				return -1;
		} else if (strcmp(name, "soa") == 0) {
			soa_node = v;   /* after ttl, whatever the key order */
		} else if (strcmp(name, "codes") == 0) {
			if (cfg_zone_codes(p, v, key, z) < 0)
				return -1;
		} else if (strcmp(name, "transfer") == 0) {
			if (cfg_zone_transfer(p, v, key, z) < 0)
				return -1;
		} else if (strcmp(name, "access") == 0) {
			if (cfg_access(p, v, key, &z->access) < 0)
				return -1;
		} else if (strcmp(name, "rate_limit") == 0) {
			z->rrl.slip = cfg->rrl.slip;   /* unless given */
			if (cfg_rrl(p, v, key, 1, &z->rrl) < 0)
				return -1;
		} else if (strcmp(name, "keys") == 0) {
			if (cfg_keys(p, v, key, z) < 0)
				return -1;
		} else {
			if (cfg_list(p, v, key, cfg_zone_ns_one, z) < 0)
				return -1;
		}
	}
	if (z->ndatasets == 0)
		return cfg_fail(p, kn, where, "missing \"datasets\"");
	if (cfg_zone_geo(p, kn, where, z) < 0)
		return -1;
	if (soa_node) {
		cfg_keyjoin(key, sizeof(key), where, "soa");
		if (cfg_soa(p, soa_node, key, z) < 0)
			return -1;
	}
	return 0;
}

/* ---- server settings --------------------------------------------------- */

/* The server settings (`server.X` or top-level X): each key, how its
 * value is read, and the config field it fills. */
enum cfg_setting_kind {
	CFG_UINT,        /* unsigned, in [min, max] */
	CFG_U16,         /* uint16_t, in [min, max] */
	CFG_TIME,        /* uint32_t seconds, rbldnsd units */
	CFG_UTIME,       /* unsigned seconds, rbldnsd units */
	CFG_BOOL,        /* int 0/1 */
	CFG_STRING,      /* char * */
	CFG_PATH,        /* char *, resolved against the config's directory */
	CFG_LOG_PATH,    /* CFG_PATH, or "-" for standard output */
	CFG_SYSLOG,      /* char * facility name, or NULL for off */
	CFG_CHOICE,      /* int, the index of one of `choices` */
	CFG_ADDR,        /* struct cfg_listen *, one address and port */
	CFG_ACCESS,      /* struct cfg_access, `access` rules */
	CFG_RRL          /* struct cfg_rrl, `rate_limit` */
};

struct cfg_setting {
	const char *name;
	enum cfg_setting_kind kind;
	size_t field;                  /* offsetof(struct config, ...) */
	unsigned long min, max;        /* CFG_UINT, CFG_U16 */
	const char *const *choices;    /* CFG_CHOICE: names in value order */
};

/* version_bind: rbldnsd's no -v, -v, -vv (CFG_VERSION_*). */
static const char *const cfg_version_names[] = { "answer", "hide", "refuse",
	NULL };
/* query_log_format (CFG_QLOG_*). */
static const char *const cfg_qlog_names[] = { "rbldnsd", "json", NULL };

#define CFG_FIELD(f) offsetof(struct config, f)
static const struct cfg_setting cfg_settings[] = {
	{ "workers", CFG_UINT, CFG_FIELD(workers), 0, 256, NULL },
	{ "max_udp_size", CFG_U16, CFG_FIELD(max_udp_size), 512, 65535, NULL },
	{ "tcp_idle_ms", CFG_UINT, CFG_FIELD(tcp_idle_ms), 1, 3600000, NULL },
	{ "tcp_max_clients", CFG_UINT, CFG_FIELD(tcp_max_clients), 1, 1000000, NULL },
	{ "tcp_max_per_client", CFG_UINT, CFG_FIELD(tcp_max_per_client), 1, 1000000, NULL },
	{ "tcp_query_timeout_ms", CFG_UINT, CFG_FIELD(tcp_query_timeout_ms), 1, 3600000, NULL },
	{ "max_transfers", CFG_UINT, CFG_FIELD(max_transfers), 1, 10000, NULL },
	{ "access", CFG_ACCESS, CFG_FIELD(access), 0, 0, NULL },
	{ "rate_limit", CFG_RRL, CFG_FIELD(rrl), 0, 0, NULL },
	{ "user", CFG_STRING, CFG_FIELD(user), 0, 0, NULL },
	{ "group", CFG_STRING, CFG_FIELD(group), 0, 0, NULL },
	{ "chroot", CFG_PATH, CFG_FIELD(chroot), 0, 0, NULL },
	{ "pidfile", CFG_PATH, CFG_FIELD(pidfile), 0, 0, NULL },
	{ "daemon", CFG_BOOL, CFG_FIELD(daemon), 0, 0, NULL },
	{ "syslog", CFG_SYSLOG, CFG_FIELD(syslog), 0, 0, NULL },
	{ "query_log", CFG_LOG_PATH, CFG_FIELD(query_log), 0, 0, NULL },
	{ "query_log_unbuffered", CFG_BOOL, CFG_FIELD(query_log_unbuffered), 0, 0, NULL },
	{ "stats_file", CFG_PATH, CFG_FIELD(stats_file), 0, 0, NULL },
	{ "stats_relative", CFG_BOOL, CFG_FIELD(stats_relative), 0, 0, NULL },
	{ "stats_interval", CFG_UTIME, CFG_FIELD(stats_interval), 0, 0, NULL },
	{ "default_ttl", CFG_TIME, CFG_FIELD(default_ttl), 0, 0, NULL },
	{ "min_ttl", CFG_TIME, CFG_FIELD(min_ttl), 0, 0, NULL },
	{ "max_ttl", CFG_TIME, CFG_FIELD(max_ttl), 0, 0, NULL },
	{ "version_bind", CFG_CHOICE, CFG_FIELD(version_bind), 0, 0,
	  cfg_version_names },
	{ "query_log_format", CFG_CHOICE, CFG_FIELD(query_log_format), 0, 0,
	  cfg_qlog_names },
	{ "metrics", CFG_ADDR, CFG_FIELD(metrics), 0, 0, NULL },
};
#define CFG_NSETTINGS (sizeof(cfg_settings) / sizeof(cfg_settings[0]))

/* Reads setting `set` from `v` into the config. */
static int cfg_setting_read(struct cfg_parser *p, const struct cfg_setting *set,
			    yaml_node_t *v, const char *key)
{
	void *field = (char *)p->cfg + set->field;
	unsigned long n;
	uint32_t t;

	switch (set->kind) {
	case CFG_UINT:
	case CFG_U16:
		if (cfg_uint(p, v, key, set->min, set->max, &n) < 0)
			return -1;
		if (set->kind == CFG_U16)
			*(uint16_t *)field = (uint16_t)n;
		else
			*(unsigned *)field = (unsigned)n;
		return 0;
	case CFG_TIME:
		return cfg_time(p, v, key, field);
	case CFG_UTIME:
		if (cfg_time(p, v, key, &t) < 0)
			return -1;
		*(unsigned *)field = t;
		return 0;
	case CFG_BOOL:
		return cfg_bool(p, v, key, field);
	case CFG_STRING:
		return cfg_string(p, v, key, field);
	case CFG_LOG_PATH:
		if (cfg_want_scalar(p, v, key) < 0)
			return -1;
		/* "-" is standard output, not a file beside the config. */
		if (strcmp(cfg_scalar(v), "-") == 0)
			return cfg_string(p, v, key, field);
		return cfg_path(p, v, key, field);
	case CFG_PATH:
		return cfg_path(p, v, key, field);
	case CFG_SYSLOG:
		return cfg_syslog(p, v, key, field);
	case CFG_CHOICE:
		return cfg_choice(p, v, key, set->choices, field);
	case CFG_ADDR:
		return cfg_metrics(p, v, key, field);
	case CFG_ACCESS:
		return cfg_access(p, v, key, field);
	case CFG_RRL:
		return cfg_rrl(p, v, key, 0, field);
	}
	return -1;
}

/* Handles one server setting (`server.X` or top-level X); 1 if `name` is
 * not one. */
static int cfg_server_key(struct cfg_parser *p, const char *name, yaml_node_t *v,
			  const char *key)
{
	for (size_t i = 0; i < CFG_NSETTINGS; i++)
		if (strcmp(name, cfg_settings[i].name) == 0)
			return cfg_setting_read(p, &cfg_settings[i], v, key);
	return 1;
}

/* Settings that only make sense together: checked once all are read. */
static int cfg_server_check(struct cfg_parser *p, yaml_node_t *root)
{
	struct config *cfg = p->cfg;

	if (cfg->min_ttl && cfg->max_ttl && cfg->min_ttl > cfg->max_ttl)
		return cfg_fail(p, root, "min_ttl", "%u is above max_ttl %u",
				cfg->min_ttl, cfg->max_ttl);
	if (cfg->group && !cfg->user)
		return cfg_fail(p, root, "group", "needs `user` too");
	if (cfg->stats_relative && !cfg->stats_file)
		return cfg_fail(p, root, "stats_relative", "needs `stats_file`");
	if (cfg->query_log_unbuffered && !cfg->query_log)
		return cfg_fail(p, root, "query_log_unbuffered",
				"needs `query_log`");
	return 0;
}

/* `web:` (dnsbl-web): lib/config_web.c, but its listen address is read
 * here like every other one. */
static int cfg_web(struct cfg_parser *p, yaml_node_t *n)
{
	yaml_node_t *k, *v;

	if (config_web_parse(p->file, &p->doc, n, &p->cfg->web, p->err,
			     p->errlen) < 0)
		return -1;
	CFG_FOR_PAIRS(p, n, k, v)
		if (strcmp(cfg_scalar(k), "listen") == 0) {
			config_listen_free(&p->cfg->web->listen);
			return cfg_addr(p, v, "web.listen", DEFAULT_WEB_PORT,
					&p->cfg->web->listen);
		}
	return 0;
}

/* ---- the document ------------------------------------------------------ */

static int cfg_root(struct cfg_parser *p, yaml_node_t *root)
{
	static const char *const own_keys[] = { "store", "listen", "datasets",
		"zones", "server", "web", NULL };
	const char *known[sizeof(own_keys) / sizeof(own_keys[0]) + CFG_NSETTINGS];
	const char *server_known[CFG_NSETTINGS + 1];
	size_t nknown = 0;
	struct config *cfg = p->cfg;
	yaml_node_t *k, *v, *datasets = NULL, *zones = NULL, *store = NULL;
	char key[300];

	if (root->type != YAML_MAPPING_NODE)
		return cfg_fail(p, root, "", "the config must be a map of settings, "
				"found %s", cfg_kind(root));
	for (size_t i = 0; own_keys[i]; i++)
		known[nknown++] = own_keys[i];
	for (size_t i = 0; i < CFG_NSETTINGS; i++)
		known[nknown++] = server_known[i] = cfg_settings[i].name;
	known[nknown] = server_known[CFG_NSETTINGS] = NULL;
	if (cfg_check_keys(p, root, "", known) < 0)
		return -1;
	CFG_FOR_PAIRS(p, root, k, v) {
		const char *name = cfg_scalar(k);

		if (strcmp(name, "datasets") == 0) {
			datasets = v;
		} else if (strcmp(name, "zones") == 0) {
			zones = v;
		} else if (strcmp(name, "store") == 0) {
			store = v;
		} else if (strcmp(name, "listen") == 0) {
			if (cfg_list(p, v, "listen", cfg_listen_one, NULL) < 0)
				return -1;
		} else if (strcmp(name, "web") == 0) {
			if (cfg_web(p, v) < 0)
				return -1;
		} else if (strcmp(name, "server") == 0) {
			yaml_node_t *sk, *sv;

			if (cfg_want_map(p, v, "server") < 0 ||
			    cfg_check_keys(p, v, "server", server_known) < 0)
				return -1;
			CFG_FOR_PAIRS(p, v, sk, sv) {
				cfg_keyjoin(key, sizeof(key), "server", cfg_scalar(sk));
				if (cfg_server_key(p, cfg_scalar(sk), sv, key) < 0)
					return -1;
			}
		} else if (cfg_server_key(p, name, v, name) < 0) {
			return -1;
		}
	}

	if (cfg_server_check(p, root) < 0)
		return -1;
	if (store) {
		if (cfg_path(p, store, "store", &cfg->store) < 0)
			return -1;
	} else if (!(cfg->store = cfg_resolve(p, DEFAULT_STORE))) {
		return cfg_oom(p);
	}

	if (cfg->nlisten == 0) {
		cfg->listen = calloc(1, sizeof(*cfg->listen));
		if (!cfg->listen)
			return cfg_oom(p);
		cfg->nlisten = 1;
		cfg->listen[0].host = strdup(DEFAULT_LISTEN_HOST);
		cfg->listen[0].port = strdup(DEFAULT_LISTEN_PORT);
		if (!cfg->listen[0].host || !cfg->listen[0].port)
			return cfg_oom(p);
	}

	if (!datasets)
		return cfg_fail(p, root, "datasets", "missing (no dataset defined)");
	if (cfg_want_map(p, datasets, "datasets") < 0 ||
	    cfg_check_keys(p, datasets, "datasets", NULL) < 0)
		return -1;
	if (datasets->data.mapping.pairs.start == datasets->data.mapping.pairs.top)
		return cfg_fail(p, datasets, "datasets", "no dataset defined");
	CFG_FOR_PAIRS(p, datasets, k, v)
		if (cfg_dataset(p, k, v) < 0)
			return -1;
	if (cfg_trap_resolve(p, datasets) < 0)
		return -1;

	if (zones) {
		if (cfg_want_map(p, zones, "zones") < 0 ||
		    cfg_check_keys(p, zones, "zones", NULL) < 0)
			return -1;
		CFG_FOR_PAIRS(p, zones, k, v)
			if (cfg_zone(p, k, v) < 0)
				return -1;
	}
	return 0;
}

/* Absolute directory of `file`. */
static char *cfg_dirname(const char *file)
{
	char *copy = strdup(file), *slash, *real;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (!slash) {
		free(copy);
		return realpath(".", NULL);
	}
	if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	real = realpath(copy, NULL);
	free(copy);
	return real;
}

int config_load_flags(const char *file, unsigned flags, struct config **out,
		      char *err, size_t errlen)
{
	struct cfg_parser p = { .file = file, .flags = flags, .err = err,
				.errlen = errlen };
	yaml_parser_t parser;
	yaml_node_t *root;
	FILE *fp;
	int rc = -1, have_doc = 0;

	fp = fopen(file, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	p.dir = cfg_dirname(file);
	p.cfg = config_new();
	if (!p.dir || !p.cfg || !(p.cfg->path = strdup(file))) {
		fclose(fp);
		free(p.dir);
		config_free(p.cfg);
		return cfg_oom(&p);
	}
	if (!yaml_parser_initialize(&parser)) {
		cfg_oom(&p);
		goto out_file;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &p.doc)) {
		snprintf(err, errlen, "%s:%lu:%lu: YAML syntax error: %s%s%s",
			 file, (unsigned long)parser.problem_mark.line + 1,
			 (unsigned long)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "unknown",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		goto out_parser;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&p.doc);
	if (!root) {
		snprintf(err, errlen, "%s:1: the config is empty", file);
		goto out_parser;
	}
	rc = cfg_root(&p, root);
	if (rc == 0) {
		/* A second document ("---") would be silently ignored: refuse it. */
		yaml_document_t next;

		if (!yaml_parser_load(&parser, &next)) {
			snprintf(err, errlen, "%s:%lu:%lu: YAML syntax error: %s",
				 file, (unsigned long)parser.problem_mark.line + 1,
				 (unsigned long)parser.problem_mark.column + 1,
				 parser.problem ? parser.problem : "unknown");
			rc = -1;
		} else {
			yaml_node_t *extra = yaml_document_get_root_node(&next);

			if (extra) {
				snprintf(err, errlen, "%s:%lu: a second YAML document; "
					 "the config is one document", file,
					 (unsigned long)extra->start_mark.line + 1);
				rc = -1;
			}
			yaml_document_delete(&next);
		}
	}
out_parser:
	if (have_doc)
		yaml_document_delete(&p.doc);
	yaml_parser_delete(&parser);
out_file:
	fclose(fp);
	free(p.dir);
	if (rc == 0)
		*out = p.cfg;
	else
		config_free(p.cfg);
	return rc;
}

int config_load(const char *file, struct config **out, char *err, size_t errlen)
{
	return config_load_flags(file, 0, out, err, errlen);
}

void config_listen_free(struct cfg_listen *l)
{
	free(l->host);
	free(l->port);
	free(l->text);
	free(l->where);
	memset(l, 0, sizeof(*l));
}

struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->max_udp_size = DEFAULT_MAX_UDP_SIZE;
	cfg->tcp_idle_ms = DEFAULT_TCP_IDLE_MS;
	cfg->tcp_max_clients = DEFAULT_TCP_MAX_CLIENTS;
	cfg->tcp_max_per_client = DEFAULT_TCP_MAX_PER_CLIENT;
	cfg->tcp_query_timeout_ms = DEFAULT_TCP_QUERY_TIMEOUT_MS;
	cfg->max_transfers = DEFAULT_MAX_TRANSFERS;
	cfg->rrl.slip = DEFAULT_RRL_SLIP;
	cfg->rrl.ipv4_prefix = DEFAULT_RRL_IPV4_PREFIX;
	cfg->rrl.ipv6_prefix = DEFAULT_RRL_IPV6_PREFIX;
	cfg->rrl.cost_bytes = DEFAULT_RRL_COST_BYTES;
	cfg->rrl.buckets = DEFAULT_RRL_BUCKETS;
	cfg->stats_interval = DEFAULT_STATS_INTERVAL;
	cfg->default_ttl = DEFAULT_TTL;
	return cfg;
}

static void config_access_free(struct cfg_access *acc)
{
	for (size_t i = 0; i < acc->nrules; i++) {
		free(acc->rules[i].from);
		free(acc->rules[i].txt);
	}
	free(acc->rules);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->store);
	free(cfg->user);
	free(cfg->group);
	free(cfg->chroot);
	free(cfg->pidfile);
	free(cfg->syslog);
	free(cfg->query_log);
	free(cfg->stats_file);
	for (size_t i = 0; i < cfg->nlisten; i++)
		config_listen_free(&cfg->listen[i]);
	free(cfg->listen);
	if (cfg->metrics) {
		config_listen_free(cfg->metrics);
		free(cfg->metrics);
	}
	config_web_free(cfg->web);
	for (size_t i = 0; i < cfg->ndatasets; i++) {
		struct cfg_dataset *d = &cfg->datasets[i];

		free(d->name);
		for (size_t j = 0; j < d->nfiles; j++)
			free(d->files[j]);
		free(d->files);
		if (d->trap) {
			free(d->trap->allow);
			for (size_t j = 0; j < d->trap->nallow_datasets; j++)
				free(d->trap->allow_datasets[j]);
			free(d->trap->allow_datasets);
			free(d->trap->txt);
			free(d->trap->socket);
			free(d->trap->listen_host);
			free(d->trap->listen_port);
			if (d->trap->resolver)
				config_listen_free(d->trap->resolver);
			free(d->trap->resolver);
			if (d->trap->tail) {
				struct cfg_trap_tail *tl = d->trap->tail;

				for (size_t j = 0; j < tl->nrecipients; j++)
					free(tl->recipients[j]);
				free(tl->recipients);
				free(tl->file);
				free(tl->regex);
				free(tl);
			}
			free(d->trap);
		}
	}
	free(cfg->datasets);
	for (size_t i = 0; i < cfg->nzones; i++) {
		struct cfg_zone *z = &cfg->zones[i];

		free(z->name);
		free(z->wname);
		for (size_t j = 0; j < z->ndatasets; j++)
			free(z->datasets[j]);
		free(z->datasets);
		free(z->acl);
		free(z->soa.mname);
		free(z->soa.rname);
		for (size_t j = 0; j < z->nns; j++)
			free(z->ns[j]);
		free(z->ns);
		for (size_t j = 0; j < z->ncodes; j++)
			free(z->codes[j].name);
		free(z->codes);
		free(z->countries);
		free(z->asns);
		free(z->xfr_allow);
		for (size_t j = 0; j < z->nxfr_notify; j++)
			config_listen_free(&z->xfr_notify[j]);
		free(z->xfr_notify);
		config_access_free(&z->access);
		if (z->keys) {
			for (size_t j = 0; j < z->keys->nlist; j++)
				free(z->keys->list[j]);
			free(z->keys->list);
			free(z->keys->file);
			free(z->keys->txt);
			free(z->keys);
		}
	}
	free(cfg->zones);
	config_access_free(&cfg->access);
	free(cfg);
}

const struct cfg_dataset *config_dataset(const struct config *cfg,
					 const char *name)
{
	for (size_t i = 0; i < cfg->ndatasets; i++)
		if (strcmp(cfg->datasets[i].name, name) == 0)
			return &cfg->datasets[i];
	return NULL;
}
