/* config_web.c -- the `web:` section of the YAML config (dnsbl-web).
 *
 * Keys: listen (read by config.c like every listen address), tokens,
 * rate_limit, requests_per_client, requests_per_address, trust_proxy.
 * Unknown keys, duplicate token names or secrets, short secrets and
 * unknown rights are errors naming file:line, as everywhere in the config.
 */
#include "config_web.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_error.h"
#include "defaults.h"

/* Shortest token secret taken: a guessable one is no secret. */
#define WEB_TOKEN_MIN 16

struct webp {
	const char *file;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int web_fail(struct webp *p, const yaml_node_t *n, const char *key,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verror(p->err, p->errlen, p->file, n, key, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *web_scalar(struct webp *p, const yaml_node_t *n,
			      const char *key)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0) {
		web_fail(p, n, key, "expected a value");
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		web_fail(p, n, key, "NUL byte in value");
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int web_uint(struct webp *p, const yaml_node_t *n, const char *key,
		    unsigned long max, unsigned *out)
{
	const char *s = web_scalar(p, n, key);
	char *end;
	unsigned long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > max)
		return web_fail(p, n, key, "\"%s\" is not a number in 1..%lu", s,
				max);
	*out = (unsigned)v;
	return 0;
}

static int web_bool(struct webp *p, const yaml_node_t *n, const char *key,
		    int *out)
{
	const char *s = web_scalar(p, n, key);

	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = 0;
	else
		return web_fail(p, n, key, "\"%s\" is not true or false", s);
	return 0;
}

/* Each key of map `n` once, and one of `known`. */
static int web_keys(struct webp *p, yaml_node_t *n, const char *where,
		    const char *const *known, const char *list)
{
	if (n->type != YAML_MAPPING_NODE)
		return web_fail(p, n, where, "expected a map");
	for (yaml_node_pair_t *a = n->data.mapping.pairs.start;
	     a < n->data.mapping.pairs.top; a++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, a->key);
		const char *ks = k->type == YAML_SCALAR_NODE ?
				 (const char *)k->data.scalar.value : NULL;
		int ok = 0;

		if (!ks)
			return web_fail(p, k, where, "a key must be a plain name");
		for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a;
		     b++) {
			yaml_node_t *k2 = yaml_document_get_node(p->doc, b->key);

			if (k2->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k2->data.scalar.value, ks) == 0)
				return web_fail(p, k, where, "%s: duplicate key "
						"(first on line %lu)", ks,
						(unsigned long)k2->start_mark.line + 1);
		}
		for (const char *const *kn = known; kn && *kn; kn++)
			ok |= strcmp(*kn, ks) == 0;
		if (known && !ok)
			return web_fail(p, k, where, "%s: unknown key (known: %s)",
					ks, list);
	}
	return 0;
}

static int web_rights(struct webp *p, yaml_node_t *n, const char *key,
		      unsigned *out)
{
	static const char *const names[] = { "read", "edit", "delist" };
	yaml_node_item_t *it, *end;

	if (n->type != YAML_SEQUENCE_NODE)
		return web_fail(p, n, key, "expected a list of read, edit, delist");
	*out = 0;
	it = n->data.sequence.items.start;
	end = n->data.sequence.items.top;
	for (; it < end; it++) {
		yaml_node_t *v = yaml_document_get_node(p->doc, *it);
		const char *s = web_scalar(p, v, key);
		unsigned r = 0;

		if (!s)
			return -1;
		for (unsigned i = 0; i < 3; i++)
			if (strcmp(s, names[i]) == 0)
				r = 1u << i;
		if (!r)
			return web_fail(p, v, key, "unknown right \"%s\" (read, "
					"edit, delist)", s);
		*out |= r;
	}
	if (!*out)
		return web_fail(p, n, key, "empty list (read, edit, delist)");
	return 0;
}

static int web_token(struct webp *p, struct cfg_web *w, yaml_node_t *kn,
		     yaml_node_t *vn)
{
	static const char *const known[] = { "token", "rights", NULL };
	struct cfg_web_token *t, *grown;
	const char *name = (const char *)kn->data.scalar.value;
	char where[300], key[320];
	int have_rights = 0;

	snprintf(where, sizeof(where), "web.tokens.%s", name);
	if (!*name || strlen(name) > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_.") != strlen(name))
		return web_fail(p, kn, where, "bad token name (1-64 letters, "
				"digits, '-', '_', '.')");
	if (web_keys(p, vn, where, known, "token, rights") < 0)
		return -1;
	grown = realloc(w->tokens, (w->ntokens + 1) * sizeof(*grown));
	if (!grown)
		return web_fail(p, kn, where, "out of memory");
	w->tokens = grown;
	t = &w->tokens[w->ntokens++];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return web_fail(p, kn, where, "out of memory");
	for (yaml_node_pair_t *a = vn->data.mapping.pairs.start;
	     a < vn->data.mapping.pairs.top; a++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, a->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, a->value);
		const char *ks = (const char *)k->data.scalar.value, *s;

		snprintf(key, sizeof(key), "%s.%s", where, ks);
		if (strcmp(ks, "rights") == 0) {
			if (web_rights(p, v, key, &t->rights) < 0)
				return -1;
			have_rights = 1;
			continue;
		}
		if (!(s = web_scalar(p, v, key)))
			return -1;
		if (strlen(s) < WEB_TOKEN_MIN)
			return web_fail(p, v, key, "too short: a token has at "
					"least %d characters", WEB_TOKEN_MIN);
		if (strspn(s, " \t") || strpbrk(s, " \t\r\n"))
			return web_fail(p, v, key, "a token has no blanks");
		for (size_t i = 0; i + 1 < w->ntokens; i++)
			if (w->tokens[i].token && strcmp(w->tokens[i].token, s) == 0)
				return web_fail(p, v, key, "the same secret as "
						"token %s", w->tokens[i].name);
		if (!(t->token = strdup(s)))
			return web_fail(p, v, key, "out of memory");
	}
	if (!t->token)
		return web_fail(p, kn, where, "missing \"token\"");
	if (!have_rights)
		return web_fail(p, kn, where, "missing \"rights\"");
	return 0;
}

struct cfg_web *config_web_default(void)
{
	struct cfg_web *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->listen.host = strdup(DEFAULT_WEB_HOST);
	w->listen.port = strdup(DEFAULT_WEB_PORT);
	w->rate_limit = DEFAULT_WEB_RATE_LIMIT;
	w->requests_per_client = DEFAULT_WEB_REQUESTS_PER_CLIENT;
	w->requests_per_address = DEFAULT_WEB_REQUESTS_PER_ADDRESS;
	if (!w->listen.host || !w->listen.port) {
		config_web_free(w);
		return NULL;
	}
	return w;
}

int config_web_parse(const char *file, yaml_document_t *doc, yaml_node_t *n,
		     struct cfg_web **out, char *err, size_t errlen)
{
	static const char *const known[] = { "listen", "tokens", "rate_limit",
		"requests_per_client", "requests_per_address", "trust_proxy",
		NULL };
	struct webp p = { file, doc, err, errlen };
	struct cfg_web *w;

	if (web_keys(&p, n, "web", known, "listen, tokens, rate_limit, "
		     "requests_per_client, requests_per_address, trust_proxy") < 0)
		return -1;
	config_web_free(*out);
	*out = w = config_web_default();
	if (!w)
		return web_fail(&p, n, "web", "out of memory");
	w->line = (int)n->start_mark.line + 1;
	for (yaml_node_pair_t *a = n->data.mapping.pairs.start;
	     a < n->data.mapping.pairs.top; a++) {
		yaml_node_t *k = yaml_document_get_node(doc, a->key);
		yaml_node_t *v = yaml_document_get_node(doc, a->value);
		const char *ks = (const char *)k->data.scalar.value;
		char key[300];
		int rc = 0;

		snprintf(key, sizeof(key), "web.%s", ks);
		if (strcmp(ks, "listen") == 0) {
			continue;   /* config.c reads it (cfg_addr) */
		} else if (strcmp(ks, "tokens") == 0) {
			rc = web_keys(&p, v, key, NULL, NULL);
			for (yaml_node_pair_t *t = v->data.mapping.pairs.start;
			     rc == 0 && t < v->data.mapping.pairs.top; t++)
				rc = web_token(&p, w,
					       yaml_document_get_node(doc, t->key),
					       yaml_document_get_node(doc, t->value));
		} else if (strcmp(ks, "rate_limit") == 0) {
			rc = web_uint(&p, v, key, 1000000, &w->rate_limit);
		} else if (strcmp(ks, "requests_per_client") == 0) {
			rc = web_uint(&p, v, key, 100000, &w->requests_per_client);
		} else if (strcmp(ks, "requests_per_address") == 0) {
			rc = web_uint(&p, v, key, 100000, &w->requests_per_address);
		} else {
			rc = web_bool(&p, v, key, &w->trust_proxy);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

void config_web_free(struct cfg_web *w)
{
	if (!w)
		return;
	config_listen_free(&w->listen);
	for (size_t i = 0; i < w->ntokens; i++) {
		free(w->tokens[i].name);
		free(w->tokens[i].token);
	}
	free(w->tokens);
	free(w);
}

const struct cfg_web_token *config_web_token(const struct cfg_web *w,
					     const char *secret)
{
	const struct cfg_web_token *found = NULL;
	size_t slen = strlen(secret);

	/* Every token compared in full: the time says nothing of how much
	 * of a guess was right. */
	for (size_t i = 0; w && i < w->ntokens; i++) {
		const char *t = w->tokens[i].token;
		size_t tlen = strlen(t);
		unsigned char diff = tlen != slen;

		for (size_t j = 0; j < tlen; j++)
			diff |= (unsigned char)(t[j] ^ secret[j < slen ? j : 0]);
		if (!diff)
			found = &w->tokens[i];
	}
	return found;
}
