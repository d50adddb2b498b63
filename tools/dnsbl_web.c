/* dnsbl_web.c -- dnsbl-web: a lookup page and an HTTP API over the store.
 *
 * `dnsbl-web -c FILE` listens where the config's `web: {listen:}` says
 * (127.0.0.1:8080 by default), serves the page at / and the API under
 * /api/v1/.  One libevent loop answers every request in turn; each
 * request reads one store snapshot or writes one store transaction, so
 * nothing is cached between requests and dnsbld, the loader and dnsbl-ctl
 * see the same store.  This file has the options, the listener, the
 * routing, tokens, the per-client rate limit and the JSON replies.
 */
#include "dnsbl_web.h"
#include "help_wanted.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <event2/keyvalq_struct.h>

#include "dsload.h"
#include "jsonw.h"
#include "monoclock.h"
#include "sigevents.h"
#include "version.h"

#define WEB_PROG "dnsbl-web"
#define WEB_MAX_BODY 16384

/* ---- replies ----------------------------------------------------------- */

int web_json_open(struct web_json *j)
{
	j->buf = NULL;
	j->len = 0;
	j->f = open_memstream(&j->buf, &j->len);
	return j->f ? 0 : -1;
}

static void web_headers(struct web_req *r, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
}

void web_json_send(struct web_req *r, int status, struct web_json *j)
{
	struct evbuffer *b = evbuffer_new();

	fputc('\n', j->f);
	fclose(j->f);
	web_headers(r, "application/json; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Cache-Control", "no-store");
	if (b)
		evbuffer_add(b, j->buf, j->len);
	evhttp_send_reply(r->req, status, NULL, b);
	if (b)
		evbuffer_free(b);
	free(j->buf);
	j->buf = NULL;
}

void web_error(struct web_req *r, int status, const char *fmt, ...)
{
	struct web_json j;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (web_json_open(&j) < 0) {
		evhttp_send_error(r->req, 500, NULL);
		return;
	}
	fprintf(j.f, "{\"error\": ");
	jsonw_str(j.f, msg);
	fprintf(j.f, ", \"status\": %d}", status);
	web_json_send(r, status, &j);
}

void web_json_time(FILE *f, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		fputs("null", f);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "\"%s\"", buf);
}

int web_authorised(struct web_req *r, unsigned right)
{
	const char *h = evhttp_find_header(
		evhttp_request_get_input_headers(r->req), "Authorization");
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		evhttp_add_header(out, "WWW-Authenticate", "Bearer");
		web_error(r, 401, "this needs a bearer token (Authorization: "
			  "Bearer TOKEN)");
		return 0;
	}
	for (h += 7; *h == ' '; h++)
		;
	r->token = config_web_token(r->web->w, h);
	if (!r->token) {
		evhttp_add_header(out, "WWW-Authenticate",
				  "Bearer error=\"invalid_token\"");
		web_error(r, 401, "unknown token");
		return 0;
	}
	if (!(r->token->rights & right)) {
		web_error(r, 403, "token %s lacks the %s right", r->token->name,
			  right == CFG_WEB_READ ? "read" :
			  right == CFG_WEB_EDIT ? "edit" : "delist");
		return 0;
	}
	return 1;
}

char *web_body(struct web_req *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t n = evbuffer_get_length(in);
	char *s;

	if (n == 0 || n > WEB_MAX_BODY)
		return NULL;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	evbuffer_copyout(in, s, n);
	s[n] = '\0';
	if (strlen(s) != n) {   /* a NUL byte: not text */
		free(s);
		return NULL;
	}
	return s;
}

struct store_reader *web_reader(struct web_req *r)
{
	struct store_reader *rd = NULL;

	if (store_reader_new(r->web->st, &rd) != STORE_OK) {
		web_error(r, 503, "the store cannot be read now");
		return NULL;
	}
	return rd;
}

/* ---- the client ---------------------------------------------------------- */

static int web_is_loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	       strncmp(a, "::ffff:127.", 11) == 0;
}

/* The peer's address, or with trust_proxy and a loopback peer the last
 * address of X-Forwarded-For (what the proxy saw). */
static void web_client(struct web_req *r)
{
	struct evhttp_connection *c = evhttp_request_get_connection(r->req);
	const char *fwd;
	char *addr = NULL;
	ev_uint16_t port = 0;

	snprintf(r->client, sizeof(r->client), "unknown");
	if (c) {
		evhttp_connection_get_peer(c, &addr, &port);
		if (addr)
			snprintf(r->client, sizeof(r->client), "%s", addr);
	}
	fwd = evhttp_find_header(evhttp_request_get_input_headers(r->req),
				 "X-Forwarded-For");
	if (r->web->w->trust_proxy && fwd && web_is_loopback(r->client)) {
		const char *last = strrchr(fwd, ',');
		char cand[64];
		uint8_t a[16];
		size_t n;

		last = last ? last + 1 : fwd;
		last += strspn(last, " ");
		n = strcspn(last, " ");
		if (n < sizeof(cand)) {
			memcpy(cand, last, n);
			cand[n] = '\0';
			if (inet_pton(AF_INET, cand, a) == 1 ||
			    inet_pton(AF_INET6, cand, a) == 1)
				snprintf(r->client, sizeof(r->client), "%s", cand);
		}
	}
}

/* ---- routing ----------------------------------------------------------- */

static int web_json_body_ok(struct web_req *r)
{
	const char *ct = evhttp_find_header(
		evhttp_request_get_input_headers(r->req), "Content-Type");

	if (evbuffer_get_length(evhttp_request_get_input_buffer(r->req)) == 0)
		return 1;
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		web_error(r, 415, "the body must be JSON (Content-Type: "
			  "application/json)");
		return 0;
	}
	return 1;
}

static void web_method_not_allowed(struct web_req *r, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow",
			  allow);
	web_error(r, 405, "method not allowed here (allowed: %s)", allow);
}

static void web_api(struct web_req *r, const char *path,
		    enum evhttp_cmd_type m)
{
	static const char ds_prefix[] = "datasets/";
	unsigned retry;
	char hdr[16];

	if (!web_limit_take(r->web->limit, r->client,
			    (uint64_t)(monoclock_now() * 1000), &retry)) {
		snprintf(hdr, sizeof(hdr), "%u", retry);
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
				  "Retry-After", hdr);
		web_error(r, 429, "too many requests from %s: try again in %u s",
			  r->client, retry);
		return;
	}
	if (!web_json_body_ok(r))
		return;
	if (strncmp(path, "lookup/", 7) == 0) {
		if (m != EVHTTP_REQ_GET)
			web_method_not_allowed(r, "GET");
		else
			web_lookup(r, path + 7);
	} else if (strcmp(path, "stats") == 0) {
		if (m != EVHTTP_REQ_GET)
			web_method_not_allowed(r, "GET");
		else
			web_stats(r);
	} else if (strcmp(path, "delist") == 0) {
		if (m != EVHTTP_REQ_POST)
			web_method_not_allowed(r, "POST");
		else
			web_delist(r);
	} else if (strcmp(path, "requests") == 0) {
		if (m == EVHTTP_REQ_POST)
			web_request_post(r);
		else if (m == EVHTTP_REQ_GET)
			web_request_list(r);
		else
			web_method_not_allowed(r, "GET, POST");
	} else if (strncmp(path, ds_prefix, sizeof(ds_prefix) - 1) == 0) {
		char name[256];
		const char *s = path + sizeof(ds_prefix) - 1;
		const char *slash = strchr(s, '/');

		if (!slash || strcmp(slash, "/entries") != 0 || slash == s ||
		    (size_t)(slash - s) >= sizeof(name)) {
			web_error(r, 404, "no such API path (want "
				  "/api/v1/datasets/NAME/entries)");
			return;
		}
		memcpy(name, s, (size_t)(slash - s));
		name[slash - s] = '\0';
		if (m == EVHTTP_REQ_POST || m == EVHTTP_REQ_DELETE)
			web_entries(r, name, m == EVHTTP_REQ_DELETE);
		else
			web_method_not_allowed(r, "POST, DELETE");
	} else {
		web_error(r, 404, "no such API path");
	}
}

static void web_dispatch(struct evhttp_request *req, void *arg)
{
	struct web *web = arg;
	struct web_req r = { .web = web, .req = req };
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
	char *path = NULL;
	size_t len = 0;

	web->now = web->fixed_now ? web->fixed_now : (int64_t)time(NULL);
	web_client(&r);
	if (raw && *raw)
		path = evhttp_uridecode(raw, 0, &len);
	if (!path || strlen(path) != len) {
		web_error(&r, 400, "bad request path");
	} else if (strncmp(path, "/api/v1/", 8) == 0) {
		web_api(&r, path + 8, m);
	} else if (strncmp(path, "/api/", 5) == 0) {
		web_error(&r, 404, "no such API path (the API is /api/v1/)");
	} else if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, NULL);
	} else if (!web_page(&r, path)) {
		evhttp_send_error(req, 404, NULL);
	}
	free(path);
}

/* ---- the program --------------------------------------------------------- */

static void web_usage(FILE *f)
{
	fprintf(f,
		"usage: %s -c FILE\n"
		"\n"
		"Serves the lookup page (/) and the HTTP API (/api/v1/) over the\n"
		"dnsbld store named in the YAML config, where its `web: {listen:}`\n"
		"says (default 127.0.0.1:8080).  Put a TLS reverse proxy in front\n"
		"of it for the Internet.\n"
		"\n"
		"options:\n"
		"  -c FILE      the YAML config (required)\n"
		"  -h, --help   this help\n"
		"  -V           the version\n"
		"\n"
		"API: GET /api/v1/lookup/ADDRESS|DOMAIN, GET /api/v1/stats,\n"
		"POST /api/v1/requests (a removal request); with a bearer token:\n"
		"GET /api/v1/requests (read), POST|DELETE /api/v1/datasets/NAME/\n"
		"entries (edit), POST /api/v1/delist (delist).\n", WEB_PROG);
}

static void web_on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static int web_clock(struct web *web)
{
	const char *s = getenv("DNSBL_WEB_NOW");
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0) {
		fprintf(stderr, "%s: DNSBL_WEB_NOW wants unix seconds, not "
			"\"%s\"\n", WEB_PROG, s);
		return -1;
	}
	web->fixed_now = v;
	return 0;
}

static int web_serve(struct web *web)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = base ? evhttp_new(base) : NULL;
	struct sigevents *se = NULL;
	struct sigevent_spec sigs[2] = { { SIGINT, web_on_signal, base },
					 { SIGTERM, web_on_signal, base } };
	const struct cfg_listen *l = &web->w->listen;
	char err[256];
	int rc = 1;

	if (!http) {
		fprintf(stderr, "%s: cannot start the event loop\n", WEB_PROG);
		goto out;
	}
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_POST | EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(http, WEB_MAX_BODY);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, web_dispatch, web);
	if (!evhttp_bind_socket_with_handle(http, l->host,
					    (ev_uint16_t)atoi(l->port))) {
		fprintf(stderr, "%s: %s%scannot listen on %s port %s: %s\n",
			WEB_PROG, l->where ? l->where : "",
			l->where ? ": " : "", l->host, l->port, strerror(errno));
		goto out;
	}
	if (sigevents_add(base, sigs, 2, &se, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", WEB_PROG, err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "%s: listening on %s port %s (store %s)\n", WEB_PROG,
		l->host, l->port, web->cfg->store);
	event_base_dispatch(base);
	fprintf(stderr, "%s: stopped\n", WEB_PROG);
	rc = 0;
out:
	sigevents_free(se);
	if (http)
		evhttp_free(http);
	if (base)
		event_base_free(base);
	return rc;
}

int main(int argc, char **argv)
{
	struct web web = { 0 };
	const char *cfgfile = NULL;
	char err[1024];
	int rc = 2;

	if (help_wanted(argc, argv)) {
		web_usage(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			cfgfile = argv[++i];
		} else if (strcmp(argv[i], "-V") == 0) {
			printf("%s %s\n", WEB_PROG, DNSBLD_VERSION);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown argument \"%s\"\n", WEB_PROG,
				argv[i]);
			web_usage(stderr);
			return 2;
		}
	}
	if (!cfgfile) {
		fprintf(stderr, "%s: -c FILE is required\n", WEB_PROG);
		web_usage(stderr);
		return 2;
	}
	if (web_clock(&web) < 0)
		return 2;
	if (config_load_flags(cfgfile, CONFIG_NO_FILE_CHECK, &web.cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", WEB_PROG, err);
		return 2;
	}
	if (!web.cfg->web && !(web.cfg->web = config_web_default())) {
		fprintf(stderr, "%s: out of memory\n", WEB_PROG);
		goto out;
	}
	web.w = web.cfg->web;
	rc = 1;
	web.limit = web_limit_new(web.w->rate_limit);
	if (!web.limit) {
		fprintf(stderr, "%s: out of memory\n", WEB_PROG);
		goto out;
	}
	if (dsload_open_store(web.cfg->store, &web.st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", WEB_PROG, err);
		goto out;
	}
	rc = web_serve(&web);
out:
	store_close(web.st);
	web_limit_free(web.limit);
	config_free(web.cfg);
	return rc;
}
