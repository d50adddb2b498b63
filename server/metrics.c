/* metrics.c -- the Prometheus text endpoint (`metrics: ADDR:PORT`).
 *
 * Served by libevent's evhttp on the main thread's loop, away from the
 * answering threads: a scrape sums the responders' slots (metrics.h) and
 * the rbldnsd stats, and reads the datasets' metadata from a snapshot of
 * the store.  Only GET /metrics is answered.
 */
#include "metrics.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "keys.h"
#include "listen_addr.h"
#include "log.h"
#include "qstats.h"
#include "server.h"
#include "store.h"
#include "version.h"

static const char *const metrics_qtype_names[MQ_N] = { "A", "AAAA", "TXT",
	"ANY", "SOA", "NS", "MX", "PTR", "other" };
static const char *const metrics_rcode_names[MR_N] = { "NOERROR", "FORMERR",
	"SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "other" };

static uint64_t metrics_load(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* A metric's HELP and TYPE lines. */
static void metrics_head(struct evbuffer *b, const char *name,
			 const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			    name, type);
}

/* A label value with \, " and newline escaped (zone and dataset names). */
static void metrics_label(struct evbuffer *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t),
	       "metrics_counter steps through the slot's counters by size");

/* One counter summed over every responder's slot: the field at byte
 * offset `off` of struct metrics_slot. */
static uint64_t metrics_sum(const struct dnsbld *d, size_t off)
{
	uint64_t v = 0;

	for (size_t s = 0; s < d->nslots; s++)
		v += metrics_load((const _Atomic uint64_t *)
				  ((const char *)&d->mslots[s] + off));
	return v;
}

/* Counter `name` with one series per label value: names[i] is the value of
 * the counter at `off` + i (no label when `label` is NULL, n 1). */
static void metrics_counter(struct dnsbld *d, struct evbuffer *b,
			    const char *name, const char *help,
			    const char *label, const char *const *names,
			    size_t off, int n)
{
	metrics_head(b, name, "counter", help);
	for (int i = 0; i < n; i++) {
		uint64_t v = metrics_sum(d, off + (size_t)i * sizeof(uint64_t));

		if (label)
			evbuffer_add_printf(b, "%s{%s=\"%s\"} %" PRIu64 "\n",
					    name, label, names[i], v);
		else
			evbuffer_add_printf(b, "%s %" PRIu64 "\n", name, v);
	}
}

static void metrics_queries(struct dnsbld *d, struct evbuffer *b)
{
	static const char *const transports[] = { "udp", "tcp" };
	static const char *const results[] = { "unlisted", "listed" };

	metrics_counter(d, b, "dnsbld_queries_total",
			"Replies sent, by transport.", "transport", transports,
			offsetof(struct metrics_slot, transport), 2);
	metrics_counter(d, b, "dnsbld_queries_by_qtype_total",
			"Replies sent, by query type.", "qtype",
			metrics_qtype_names,
			offsetof(struct metrics_slot, qtype), MQ_N);
	metrics_counter(d, b, "dnsbld_responses_total",
			"Replies sent, by rcode.", "rcode", metrics_rcode_names,
			offsetof(struct metrics_slot, rcode), MR_N);
	metrics_counter(d, b, "dnsbld_answers_total",
			"Questions below a zone's apex, by whether the name is "
			"listed.", "result", results,
			offsetof(struct metrics_slot, result), 2);
	metrics_counter(d, b, "dnsbld_truncated_total",
			"UDP replies that did not fit and set TC.", NULL, NULL,
			offsetof(struct metrics_slot, truncated), 1);
}

/* The access rules, rate limiting and the TCP caps. */
static void metrics_limits(struct dnsbld *d, struct evbuffer *b)
{
	static const char *const actions[] = { "pass", "drop", "refuse",
		"unlisted", "answer" };
	static const char *const rrl[] = { "slip", "drop" };
	static const char *const caps[] = { "total", "per_client" };

	metrics_counter(d, b, "dnsbld_access_total",
			"Queries that matched an access rule, by its action.",
			"action", actions,
			offsetof(struct metrics_slot, access), 5);
	metrics_counter(d, b, "dnsbld_rate_limited_total",
			"UDP replies over the rate limit: sent as an empty TC "
			"reply (slip) or dropped.", "action", rrl,
			offsetof(struct metrics_slot, rrl), 2);
	metrics_counter(d, b, "dnsbld_tcp_refused_total",
			"TCP connections closed at once: over tcp_max_clients "
			"(total) or tcp_max_per_client.", "cap", caps,
			offsetof(struct metrics_slot, tcp_refused), 2);
	metrics_counter(d, b, "dnsbld_tcp_query_timeouts_total",
			"TCP connections closed with a query half sent past "
			"tcp_query_timeout_ms.", NULL, NULL,
			offsetof(struct metrics_slot, tcp_query_timeouts), 1);
}

static void metrics_zones(struct dnsbld *d, struct evbuffer *b)
{
	size_t n = qstats_nzones(d->stats);
	struct qstats_counters *t = calloc(n + 1, sizeof(*t));
	static const char *const what[] = { "noerror", "nxdomain", "error" };

	if (!t)
		return;
	qstats_totals(d->stats, t);
	metrics_head(b, "dnsbld_zone_queries_total", "counter",
		     "Replies per zone of the config: NOERROR (NODATA too), "
		     "NXDOMAIN, any other rcode.");
	for (size_t z = 0; z < n; z++) {
		const uint64_t v[3] = { t[z].ok, t[z].nxd, t[z].err };

		for (int i = 0; i < 3; i++) {
			evbuffer_add_printf(b, "dnsbld_zone_queries_total{zone=\"");
			metrics_label(b, qstats_zone(d->stats, z));
			evbuffer_add_printf(b, "\",result=\"%s\"} %" PRIu64 "\n",
					    what[i], v[i]);
		}
	}
	metrics_head(b, "dnsbld_zone_bytes_total", "counter",
		     "Query and reply bytes per zone of the config.");
	for (size_t z = 0; z < n; z++) {
		evbuffer_add_printf(b, "dnsbld_zone_bytes_total{zone=\"");
		metrics_label(b, qstats_zone(d->stats, z));
		evbuffer_add_printf(b, "\",direction=\"in\"} %" PRIu64 "\n",
				    t[z].in);
		evbuffer_add_printf(b, "dnsbld_zone_bytes_total{zone=\"");
		metrics_label(b, qstats_zone(d->stats, z));
		evbuffer_add_printf(b, "\",direction=\"out\"} %" PRIu64 "\n",
				    t[z].out);
	}
	free(t);
}

static void metrics_datasets(struct dnsbld *d, struct evbuffer *b)
{
	static const char *const names[] = { "dnsbld_dataset_entries",
		"dnsbld_dataset_serial", "dnsbld_dataset_loaded_timestamp_seconds" };
	static const char *const helps[] = { "Entries stored.",
		"The dataset's serial (it grows with every change).",
		"When the dataset last changed (unix time)." };
	struct store_reader *rd = NULL;
	struct store_dsmeta **metas = NULL;
	char **ds = NULL;
	size_t n = 0;

	if (store_reader_new(d->srv.store, &rd) < 0 || store_reader_renew(rd) < 0 ||
	    store_dataset_names(rd, &ds, &n) < 0)
		goto out;
	metrics_head(b, "dnsbld_store_generation", "gauge",
		     "The store's generation (it grows with every commit).");
	evbuffer_add_printf(b, "dnsbld_store_generation %" PRIu64 "\n",
			    store_generation(rd));
	metas = calloc(n ? n : 1, sizeof(*metas));
	if (!metas)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (store_dataset_meta(rd, ds[i], &metas[i]) != 0)
			metas[i] = NULL;
	for (int k = 0; k < 3; k++) {
		metrics_head(b, names[k], "gauge", helps[k]);
		for (size_t i = 0; i < n; i++) {
			const struct store_dsmeta *m = metas[i];
			int64_t v;

			if (!m)
				continue;
			v = k == 0 ? (int64_t)m->entries
			  : k == 1 ? (int64_t)m->serial : m->loaded_at;
			evbuffer_add_printf(b, "%s{dataset=\"", names[k]);
			metrics_label(b, ds[i]);
			evbuffer_add_printf(b, "\",type=\"%s\"} %" PRId64 "\n",
					    ds_type_name(m->type), v);
		}
	}
out:
	for (size_t i = 0; i < n; i++) {
		if (metas && metas[i])
			store_dsmeta_free(metas[i]);
		free(ds[i]);
	}
	free(metas);
	free(ds);
	store_reader_free(rd);
}

static void metrics_on_request(struct evhttp_request *req, void *arg)
{
	struct dnsbld *d = arg;
	struct evbuffer *b;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET || !path ||
	    strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, "only GET /metrics");
		return;
	}
	b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	metrics_head(b, "dnsbld_info", "gauge", "The server's version.");
	evbuffer_add_printf(b, "dnsbld_info{version=\"%s\"} 1\n", DNSBLD_VERSION);
	metrics_head(b, "dnsbld_start_time_seconds", "gauge",
		     "When the server started (unix time).");
	evbuffer_add_printf(b, "dnsbld_start_time_seconds %lld\n",
			    (long long)d->started);
	metrics_head(b, "dnsbld_tcp_connections", "gauge",
		     "Open TCP connections.");
	evbuffer_add_printf(b, "dnsbld_tcp_connections %u\n",
			    atomic_load(&d->srv.tcp_clients));
	metrics_queries(d, b);
	metrics_limits(d, b);
	keys_metrics(d->srv.keys, b);
	metrics_zones(d, b);
	metrics_datasets(d, b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

int metrics_start(struct dnsbld *d)
{
	const struct cfg_listen *l = d->cfg->metrics;
	unsigned port = 0;

	d->started = time(NULL);
	if (!l)
		return 0;
	listen_check_port(l->port, &port);   /* checked by the config */
	d->http = evhttp_new(d->base);
	if (!d->http) {
		log_err("metrics: cannot create the HTTP server");
		return -1;
	}
	evhttp_set_gencb(d->http, metrics_on_request, d);
	evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET);
	if (evhttp_bind_socket(d->http, l->host, (uint16_t)port) < 0) {
		log_err("%s: cannot listen on %s port %s for metrics",
			l->where ? l->where : "metrics", l->host, l->port);
		return -1;
	}
	log_info("metrics on http://%s%s%s:%s/metrics",
		 strchr(l->host, ':') ? "[" : "", l->host,
		 strchr(l->host, ':') ? "]" : "", l->port);
	return 0;
}

void metrics_stop(struct dnsbld *d)
{
	if (d->http)
		evhttp_free(d->http);
	d->http = NULL;
}
