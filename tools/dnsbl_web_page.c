/* dnsbl_web_page.c -- the lookup page: web/ embedded in the binary.
 *
 * web/index.html, style.css and app.js are compiled in (web/embed.cmake
 * makes them C arrays at build time), so the program is one file to
 * install and the page can never be out of step with the API it calls.
 * The page loads nothing from elsewhere; the Content-Security-Policy
 * says so to the browser too.
 */
#include "dnsbl_web.h"

#include <string.h>

struct web_asset {
	const char *path;
	const unsigned char *data;
	size_t len;
};
extern const struct web_asset web_assets[];

static const char *page_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (dot && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	return "text/html; charset=utf-8";
}

int web_page(struct web_req *r, const char *path)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	struct evbuffer *b;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (const struct web_asset *a = web_assets; a->path; a++) {
		if (strcmp(a->path, path) != 0)
			continue;
		b = evbuffer_new();
		if (!b)
			return 0;
		evhttp_add_header(h, "Content-Type", page_type(path));
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		evhttp_add_header(h, "Referrer-Policy", "no-referrer");
		evhttp_add_header(h, "X-Frame-Options", "DENY");
		evhttp_add_header(h, "Content-Security-Policy",
				  "default-src 'self'; frame-ancestors 'none'");
		evhttp_add_header(h, "Cache-Control", "max-age=300");
		evbuffer_add(b, a->data, a->len);
		evhttp_send_reply(r->req, 200, NULL, b);
		evbuffer_free(b);
		return 1;
	}
	return 0;
}
