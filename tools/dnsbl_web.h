/* dnsbl_web.h -- dnsbl-web: the lookup page and the HTTP API.
 *
 * One process on libevent's evhttp, bound where the config's `web:` says
 * (loopback by default; TLS is a reverse proxy's job).  It reads the same
 * store as dnsbld and writes hand edits, delistings and removal requests
 * through the same lib/ functions as dnsbl-ctl, one store transaction per
 * request, so dnsbld answers them at its next query.
 *
 * dnsbl_web.c has the options, the listener, the routing, tokens, rate
 * limits and the JSON error replies; _lookup.c the lookup and stats,
 * _edit.c the entries, delistings and removal requests, _json.c reading
 * a request's JSON body, _limit.c the per-client counters, _page.c the
 * page (web/ embedded at build time).
 */
#ifndef DNSBLD_DNSBL_WEB_H
#define DNSBLD_DNSBL_WEB_H

#include <stdint.h>
#include <stdio.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "config.h"
#include "config_web.h"
#include "store.h"

struct web_limit;

struct web {
	struct config *cfg;
	const struct cfg_web *w;
	struct store *st;          /* opened for writing (made if new) */
	struct web_limit *limit;   /* API requests per client and minute */
	int64_t now;               /* the clock (DNSBL_WEB_NOW for tests) */
	int64_t fixed_now;         /* DNSBL_WEB_NOW, 0: the real clock */
};

/* One request being answered: the request, its client and token. */
struct web_req {
	struct web *web;
	struct evhttp_request *req;
	char client[64];           /* the client's IP address */
	const struct cfg_web_token *token;  /* NULL: none given */
};

/* ---- replies (dnsbl_web.c) ---------------------------------------------- */

/* A JSON body being written: `f` writes into `buf`. */
struct web_json {
	FILE *f;
	char *buf;
	size_t len;
};
/* Opens a JSON body (0, or -1 out of memory). */
int web_json_open(struct web_json *j);
/* Sends the body with `status` (and closes it). */
void web_json_send(struct web_req *r, int status, struct web_json *j);
/* Sends {"error": message, "status": status} with `status`. */
void web_error(struct web_req *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Writes `t` as "2026-12-01T14:03:00Z" (a JSON string; null for 0). */
void web_json_time(FILE *f, int64_t t);
/* Whether the request carries a token with `right` (CFG_WEB_*); if not,
 * sends 401 (no or an unknown token) or 403 and returns 0. */
int web_authorised(struct web_req *r, unsigned right);
/* The request's body (NUL-terminated copy, malloc'd), NULL if none. */
char *web_body(struct web_req *r);

/* ---- request bodies (dnsbl_web_json.c) ---------------------------------- */

/* A flat JSON object's members whose values are strings, numbers or
 * booleans (as text). */
struct web_kv {
	char *key, *val;
};
struct web_obj {
	struct web_kv *kv;
	size_t n;
};
/* Parses `text`; 0, or -1 with `why` set. */
int web_obj_parse(const char *text, struct web_obj *o, char *why,
		  size_t whylen);
/* The value of `key`, or NULL. */
const char *web_obj_get(const struct web_obj *o, const char *key);
void web_obj_free(struct web_obj *o);
/* Checks that every key of `o` is in NULL-terminated `known`; else sends
 * 400 naming the first other one and returns -1. */
int web_obj_known(struct web_req *r, const struct web_obj *o,
		  const char *const *known);

/* ---- per-client counters (dnsbl_web_limit.c) ---------------------------- */

/* A table of `per_minute` requests per client address (a token bucket;
 * the least recently seen client makes room for a new one). */
struct web_limit *web_limit_new(unsigned per_minute);
void web_limit_free(struct web_limit *l);
/* 1 if `client` may make one more request at monotonic time `now_ms`
 * (and counts it), 0 if not (*retry_s: seconds until it may). */
int web_limit_take(struct web_limit *l, const char *client, uint64_t now_ms,
		   unsigned *retry_s);

/* ---- the handlers --------------------------------------------------------- */

/* GET /api/v1/lookup/ITEM (dnsbl_web_lookup.c). */
void web_lookup(struct web_req *r, const char *item);
/* GET /api/v1/stats. */
void web_stats(struct web_req *r);
/* POST / DELETE /api/v1/datasets/NAME/entries (dnsbl_web_edit.c). */
void web_entries(struct web_req *r, const char *dataset, int del);
/* POST /api/v1/delist. */
void web_delist(struct web_req *r);
/* POST /api/v1/requests (the page's form), GET (a token's read right). */
void web_request_post(struct web_req *r);
void web_request_list(struct web_req *r);
/* The page's files (dnsbl_web_page.c): 1 if `path` was one and sent. */
int web_page(struct web_req *r, const char *path);

/* ---- shared by the handlers ---------------------------------------------- */

/* An item of a lookup or a request: an IP address or a domain name. */
struct web_item {
	int family;                /* 4 or 6; 0: a domain */
	uint8_t addr[16];
	uint8_t name[256];         /* relative wire name, lowercase */
	char text[256];            /* normalised: the address, the name */
};
/* Parses `s` ("192.0.2.1", "2001:db8::1", "example.com", "[192.0.2.1]");
 * 0, or -1 with `why`. */
int web_item_parse(const char *s, struct web_item *it, char *why,
		   size_t whylen);
/* A reader on the store (NULL after a 503 reply). */
struct store_reader *web_reader(struct web_req *r);

#endif
