/* config_web.h -- the `web:` section of the YAML config (dnsbl-web).
 *
 * dnsbl-web serves a lookup page and an HTTP API over the store the loader
 * fills.  Its settings live in the same file as everything else, under one
 * top-level key:
 *
 *   web:
 *     listen: "127.0.0.1:8080"
 *     tokens:
 *       ticketing: {token: SECRET, rights: [read, edit, delist]}
 *     rate_limit: 120            # API requests per client and minute
 *     requests_per_client: 5     # removal requests per client and day
 *     requests_per_address: 3    # removal requests per address and day
 *     trust_proxy: false         # X-Forwarded-For from a loopback proxy
 *
 * config.c hands the node to config_web_parse; everything about the
 * section is here.
 */
#ifndef DNSBLD_CONFIG_WEB_H
#define DNSBLD_CONFIG_WEB_H

#include <stddef.h>
#include <yaml.h>

#include "config.h"

/* A bearer token's rights. */
#define CFG_WEB_READ 0x1       /* GET /api/v1/requests */
#define CFG_WEB_EDIT 0x2       /* POST/DELETE /api/v1/datasets/NAME/entries */
#define CFG_WEB_DELIST 0x4     /* POST /api/v1/delist */

struct cfg_web_token {
	char *name;            /* "who" in the history */
	char *token;           /* the secret (at least 16 bytes) */
	unsigned rights;       /* CFG_WEB_* */
};

struct cfg_web {
	struct cfg_listen listen;  /* host and port (a number) */
	struct cfg_web_token *tokens;
	size_t ntokens;
	unsigned rate_limit;       /* API requests per client and minute */
	unsigned requests_per_client;  /* removal requests per client, day */
	unsigned requests_per_address; /* removal requests per address, day */
	int trust_proxy;           /* the client is X-Forwarded-For's last
	                              address when the peer is loopback */
	int line;
};

/* Parses the `web:` map `n` of document `doc` (from `file`, for
 * messages) into a new *out.  0, or -1 with "FILE:LINE: web.KEY: why" in
 * err. */
int config_web_parse(const char *file, yaml_document_t *doc, yaml_node_t *n,
		     struct cfg_web **out, char *err, size_t errlen);

/* The defaults with no `web:` key (listen 127.0.0.1:8080, no tokens). */
struct cfg_web *config_web_default(void);

void config_web_free(struct cfg_web *w);

/* The token whose secret is `secret` (compared in constant time), or
 * NULL. */
const struct cfg_web_token *config_web_token(const struct cfg_web *w,
					     const char *secret);

#endif
