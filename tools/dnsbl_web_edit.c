/* dnsbl_web_edit.c -- the API's writes: entries, delistings, requests.
 *
 * POST / DELETE /api/v1/datasets/NAME/entries (the `edit` right) add or
 * remove an entry of a manual dataset, exactly as `dnsbl-ctl add/del`
 * does: the line parsed by the feed parsers, one store_change transaction
 * with a history record whose "who" is the token's name.  POST
 * /api/v1/delist (`delist`) is `dnsbl-ctl delist`.  POST /api/v1/requests
 * is the page's removal request: limited per client and per address a
 * day (counted in the store), it delists at once from the datasets marked
 * `self_delist`, and is recorded for the operator either way (`dnsbl-ctl
 * requests`, GET /api/v1/requests with the `read` right).
 */
#include "dnsbl_web.h"

#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "entry_change.h"
#include "feed_entry.h"
#include "jsonw.h"
#include "store_request.h"
#include "timeunit.h"

#define WEB_DAY 86400

/* The body as an object with members `known`; NULL after a 400. */
static int edit_body(struct web_req *r, struct web_obj *o,
		     const char *const *known)
{
	char *body = web_body(r), why[256];

	if (!body) {
		web_error(r, 400, "a JSON body is needed");
		return -1;
	}
	if (web_obj_parse(body, o, why, sizeof(why)) < 0) {
		free(body);
		web_error(r, 400, "%s", why);
		return -1;
	}
	free(body);
	if (web_obj_known(r, o, known) < 0) {
		web_obj_free(o);
		return -1;
	}
	return 0;
}

/* `for`: a duration; 0 if absent, -1 after a 400. */
static int64_t edit_for(struct web_req *r, const struct web_obj *o)
{
	const char *s = web_obj_get(o, "for"), *end;
	uint32_t v;

	if (!s)
		return 0;
	end = timeunit_scan(s, &v);
	if (!end || *end || v == 0) {
		web_error(r, 400, "\"for\" wants a duration (seconds, or a number "
			  "with s m h d w: 90m, 2d), not \"%.64s\"", s);
		return -1;
	}
	return v;
}

/* A text member of at most `max` bytes with no control characters. */
static int edit_text(struct web_req *r, const struct web_obj *o,
		     const char *key, size_t max, int required)
{
	const char *s = web_obj_get(o, key);

	if (!s && !required)
		return 0;
	if (!s || !*s) {
		web_error(r, 400, "\"%s\" is required", key);
		return -1;
	}
	if (strlen(s) > max) {
		web_error(r, 400, "\"%s\" is too long (at most %zu bytes)", key,
			  max);
		return -1;
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t') {
			web_error(r, 400, "\"%s\" holds a control character",
				  key);
			return -1;
		}
	return 0;
}

void web_entries(struct web_req *r, const char *name, int del)
{
	static const char *const known[] = { "entry", "reason", "for", NULL };
	const struct cfg_dataset *d;
	struct store_change ch = { 0 };
	struct store_apply_stats stats;
	struct dataset *ds = NULL;
	struct web_obj o;
	struct web_json j;
	const char *entry;
	char err[1024];
	int64_t for_s;
	int changed = 0, rc;

	if (!web_authorised(r, CFG_WEB_EDIT) || edit_body(r, &o, known) < 0)
		return;
	d = config_dataset(r->web->cfg, name);
	entry = web_obj_get(&o, "entry");
	if (!d) {
		web_error(r, 404, "no dataset named \"%.200s\"", name);
		goto out;
	}
	if (!d->manual || d->trap) {
		web_error(r, 409, "%s is %s: only datasets marked `manual: true` "
			  "take hand edits", d->name, d->trap ? "fed by spam "
			  "traps (use /api/v1/delist)" : "fed from files, and "
			  "its next load would undo an edit");
		goto out;
	}
	if (edit_text(r, &o, "entry", 1024, 1) < 0 ||
	    edit_text(r, &o, "reason", 1024, 0) < 0 ||
	    (for_s = edit_for(r, &o)) < 0)
		goto out;
	if (del && for_s) {
		web_error(r, 400, "\"for\" is for adding");
		goto out;
	}
	if (feed_entry_parse(d->type, entry, 0, &ds, err, sizeof(err)) < 0) {
		web_error(r, 400, "bad %s entry: %s", ds_type_name(d->type), err);
		goto out;
	}
	ch.type = d->type;
	ch.create = !del;
	ch.now = r->web->now;
	ch.expires = for_s ? r->web->now + for_s : 0;
	ch.op = del ? STORE_HIST_DEL : STORE_HIST_ADD;
	ch.entry = entry;
	ch.reason = web_obj_get(&o, "reason");
	ch.user = r->token->name;
	if (entry_change_build(ds, del, &ch) < 0) {
		web_error(r, 500, "out of memory");
		goto out;
	}
	rc = store_change(r->web->st, d->name, &ch, &stats, &changed, err,
			  sizeof(err));
	if ((rc == STORE_ENOTFOUND && del) || (rc == 0 && del && !changed)) {
		web_error(r, 404, "\"%.200s\" is not in %s: nothing deleted",
			  entry, d->name);
	} else if (rc < 0) {
		fprintf(stderr, "dnsbl-web: %s: %s\n", d->name, err);
		web_error(r, 500, "%s: the edit failed; nothing changed",
			  d->name);
	} else if (web_json_open(&j) == 0) {
		fputs("{\"dataset\": ", j.f);
		jsonw_str(j.f, d->name);
		fputs(", \"entry\": ", j.f);
		jsonw_str(j.f, entry);
		fprintf(j.f, ", \"action\": \"%s\", \"changed\": %s, "
			"\"entries\": %llu, \"until\": ", del ? "deleted" : "added",
			changed ? "true" : "false",
			(unsigned long long)stats.entries);
		web_json_time(j.f, ch.expires);
		fputs("}", j.f);
		web_json_send(r, changed && !del ? 201 : 200, &j);
	}
out:
	free((void *)ch.ip);
	free((void *)ch.dn);
	dataset_free(ds);
	web_obj_free(&o);
}

/* ---- delisting ------------------------------------------------------------- */

struct delisted {
	FILE *f;
	int n, removed;
	const char **names;        /* removed ones, for a request's outcome */
	size_t nnames;
};

static void delist_each(void *arg, const char *dataset, int removed)
{
	struct delisted *dl = arg;

	if (dl->f) {
		fprintf(dl->f, "%s{\"dataset\": ", dl->n ? ", " : "");
		jsonw_str(dl->f, dataset);
		fprintf(dl->f, ", \"delisted\": %s}", removed ? "true" : "false");
	}
	dl->n++;
	dl->removed += removed;
	if (removed && dl->names && dl->nnames < 255)
		dl->names[dl->nnames++] = dataset;
}

void web_delist(struct web_req *r)
{
	static const char *const known[] = { "address", "reason", "for", NULL };
	struct delisted dl = { 0 };
	struct web_item it;
	struct web_obj o;
	struct web_json j, list;
	char err[1024];
	int64_t for_s;
	int n;

	if (!web_authorised(r, CFG_WEB_DELIST) || edit_body(r, &o, known) < 0)
		return;
	if (edit_text(r, &o, "address", 64, 1) < 0 ||
	    edit_text(r, &o, "reason", 1024, 1) < 0 ||
	    (for_s = edit_for(r, &o)) < 0)
		goto out;
	if (web_item_parse(web_obj_get(&o, "address"), &it, err,
			   sizeof(err)) < 0 || !it.family) {
		web_error(r, 400, "\"address\" must be an IPv4 or IPv6 address");
		goto out;
	}
	if (web_json_open(&list) < 0) {
		web_error(r, 500, "out of memory");
		goto out;
	}
	dl.f = list.f;
	n = entry_delist_traps(r->web->st, r->web->cfg, it.family, it.addr,
			       r->web->now, for_s ? r->web->now + for_s : 0,
			       web_obj_get(&o, "reason"), r->token->name, 0,
			       delist_each, &dl, err, sizeof(err));
	fclose(list.f);
	if (n < 0) {
		fprintf(stderr, "dnsbl-web: delist: %s\n", err);
		web_error(r, 500, "the delisting failed");
	} else if (n == 0) {
		web_error(r, 409, "there is no spam-trap dataset to delist from");
	} else if (web_json_open(&j) == 0) {
		fputs("{\"address\": ", j.f);
		jsonw_str(j.f, it.text);
		fprintf(j.f, ", \"delisted\": %s, \"datasets\": [%s], "
			"\"no_relist_until\": ", dl.removed ? "true" : "false",
			list.buf);
		web_json_time(j.f, for_s ? r->web->now + for_s : 0);
		fputs("}", j.f);
		web_json_send(r, 200, &j);
	}
	free(list.buf);
out:
	web_obj_free(&o);
}

/* ---- removal requests ------------------------------------------------------ */

/* Self-service in a manual (not trap) dataset: the entry that lists the
 * item goes, as `del` of it would.  1 removed, 0 nothing, -1 failed. */
static int req_remove_entry(struct web_req *r, const struct cfg_dataset *d,
			    const struct web_item *it, const char *reason,
			    const char *user)
{
	struct store_reader *rd = NULL;
	struct store_dsmeta *m = NULL;
	struct store_ip_edit ip;
	struct store_dn_edit dn;
	struct store_match mt;
	struct store_change ch = { 0 };
	char entry[1100], err[512];
	int changed = 0, found = 0, excluded = 0, rc;
	unsigned plen = 0;

	memset(&ip, 0, sizeof(ip));
	memset(&dn, 0, sizeof(dn));
	if (store_reader_new(r->web->st, &rd) != STORE_OK)
		return -1;
	if (store_dataset_meta(rd, d->name, &m) == STORE_OK &&
	    (ds_type_keys(m->type) & ds_keys_of_family(it->family))) {
		if (it->family &&
		    store_ip_covering(rd, m->dsid, it->family, it->addr, &plen,
				      &excluded) == 1 && !excluded) {
			ip.op = STORE_EDIT_REMOVE;
			ip.family = (uint8_t)it->family;
			ip.plen = (uint8_t)plen;
			entry_prefix(it->family, it->addr, plen, ip.addr, entry,
				     sizeof(entry));
			ch.ip = &ip;
			ch.nip = 1;
			found = 1;
		} else if (!it->family &&
			   store_lookup_dn(rd, m->dsid, it->name, &mt, NULL) == 1) {
			dn.op = STORE_EDIT_REMOVE;
			dn.wild = !dname_equal(mt.entry, it->name);
			memcpy(dn.name, mt.entry, wname_len(mt.entry));
			dname_to_text(mt.entry, entry + 2, sizeof(entry) - 2);
			memcpy(entry, "*.", 2);
			ch.dn = &dn;
			ch.ndn = 1;
			found = 1;
		}
	}
	store_dsmeta_free(m);
	store_reader_free(rd);   /* no reader while writing (map growth) */
	if (!found)
		return 0;
	ch.type = d->type;
	ch.now = r->web->now;
	ch.op = STORE_HIST_DEL;
	ch.entry = ch.dn && !dn.wild ? entry + 2 : entry;
	ch.reason = reason;
	ch.user = user;
	rc = store_change(r->web->st, d->name, &ch, NULL, &changed, err,
			  sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "dnsbl-web: %s: %s\n", d->name, err);
		return -1;
	}
	return changed;
}

static int req_email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at > s && at[1] && !strchr(at + 1, '@') &&
	       strchr(at + 1, '.') && strlen(s) <= 254 && !strpbrk(s, " \t<>\"");
}

void web_request_post(struct web_req *r)
{
	static const char *const known[] = { "item", "contact", "message",
		NULL };
	const struct cfg_web *w = r->web->w;
	struct store_reader *rd;
	struct store_request q = { 0 };
	struct delisted dl = { 0 };
	const char *names[256];
	struct web_item it;
	struct web_obj o;
	struct web_json j;
	char why[1024], reason[1400], user[128], outcome[1024];
	unsigned for_item = 0, from_client = 0;
	uint64_t id = 0;
	int failed = 0;

	if (edit_body(r, &o, known) < 0)
		return;
	if (edit_text(r, &o, "item", 255, 1) < 0 ||
	    edit_text(r, &o, "message", 2000, 1) < 0 ||
	    edit_text(r, &o, "contact", 254, 0) < 0)
		goto out;
	if (web_item_parse(web_obj_get(&o, "item"), &it, why, sizeof(why)) < 0) {
		web_error(r, 400, "%s", why);
		goto out;
	}
	if (web_obj_get(&o, "contact") && !req_email_ok(web_obj_get(&o, "contact"))) {
		web_error(r, 400, "\"contact\" must be an e-mail address");
		goto out;
	}
	if (!(rd = web_reader(r)))
		goto out;
	if (store_request_count(rd, r->web->now - WEB_DAY, it.text, r->client,
				&for_item, &from_client) < 0)
		failed = 1;
	store_reader_free(rd);
	if (failed) {
		web_error(r, 503, "the store cannot be read now");
		goto out;
	}
	if (from_client >= w->requests_per_client) {
		web_error(r, 429, "%s has made %u removal requests today, the "
			  "most allowed: try again tomorrow", r->client,
			  from_client);
		goto out;
	}
	if (for_item >= w->requests_per_address) {
		web_error(r, 429, "%s has had %u removal requests today, the "
			  "most allowed: try again tomorrow", it.text, for_item);
		goto out;
	}
	/* Self-service: the datasets marked self_delist, at once. */
	snprintf(reason, sizeof(reason), "removal request from %s: %s",
		 r->client, web_obj_get(&o, "message"));
	snprintf(user, sizeof(user), "dnsbl-web self-service");
	dl.names = names;
	if (it.family &&
	    entry_delist_traps(r->web->st, r->web->cfg, it.family, it.addr,
			       r->web->now, 0, reason, user, 1, delist_each, &dl,
			       why, sizeof(why)) < 0) {
		fprintf(stderr, "dnsbl-web: removal request: %s\n", why);
		failed = 1;
	}
	for (size_t k = 0; k < r->web->cfg->ndatasets && !failed; k++) {
		const struct cfg_dataset *d = &r->web->cfg->datasets[k];
		int rc;

		if (!d->self_delist || d->trap || dl.nnames >= 255)
			continue;
		rc = req_remove_entry(r, d, &it, reason, user);
		if (rc < 0)
			failed = 1;
		else if (rc > 0)
			names[dl.nnames++] = d->name;
	}
	if (dl.nnames) {
		size_t len = (size_t)snprintf(outcome, sizeof(outcome),
					      "delisted at once from");

		for (size_t i = 0; i < dl.nnames && len < sizeof(outcome); i++)
			len += (size_t)snprintf(outcome + len, sizeof(outcome) - len,
						"%s %s", i ? "," : "", names[i]);
	} else {
		snprintf(outcome, sizeof(outcome), "pending");
	}
	q.time = r->web->now;
	q.item = it.text;
	q.client = r->client;
	q.contact = web_obj_get(&o, "contact");
	q.message = web_obj_get(&o, "message");
	q.outcome = outcome;
	if (store_request_add(r->web->st, &q, &id, why, sizeof(why)) < 0) {
		fprintf(stderr, "dnsbl-web: removal request: %s\n", why);
		web_error(r, 500, "the request could not be recorded");
		goto out;
	}
	if (web_json_open(&j) == 0) {
		fprintf(j.f, "{\"id\": %llu, \"item\": ", (unsigned long long)id);
		jsonw_str(j.f, it.text);
		fprintf(j.f, ", \"status\": \"%s\", \"outcome\": ",
			dl.nnames ? "delisted" : "pending");
		jsonw_str(j.f, outcome);
		fputs(", \"delisted\": [", j.f);
		for (size_t i = 0; i < dl.nnames; i++) {
			fputs(i ? ", " : "", j.f);
			jsonw_str(j.f, names[i]);
		}
		fputs("]}", j.f);
		web_json_send(r, 201, &j);
	}
out:
	web_obj_free(&o);
}

struct req_list {
	FILE *f;
	int n;
	int pending_only;
};

static int req_list_cb(const struct store_request *q, void *arg)
{
	struct req_list *rl = arg;

	if (rl->pending_only && strcmp(q->outcome, "pending") != 0)
		return 0;
	fprintf(rl->f, "%s\n  {\"id\": %llu, \"time\": ", rl->n ? "," : "",
		(unsigned long long)q->id);
	web_json_time(rl->f, q->time);
	fputs(", \"item\": ", rl->f);
	jsonw_str(rl->f, q->item);
	fputs(", \"client\": ", rl->f);
	jsonw_str(rl->f, q->client);
	fputs(", \"contact\": ", rl->f);
	jsonw_str(rl->f, q->contact);
	fputs(", \"message\": ", rl->f);
	jsonw_str(rl->f, q->message);
	fputs(", \"outcome\": ", rl->f);
	jsonw_str(rl->f, q->outcome);
	fputc('}', rl->f);
	return ++rl->n >= 1000;   /* the newest 1000 */
}

void web_request_list(struct web_req *r)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct req_list rl = { 0 };
	struct store_reader *rd;
	struct web_json j;

	if (!web_authorised(r, CFG_WEB_READ) || !(rd = web_reader(r)))
		return;
	if (web_json_open(&j) < 0) {
		store_reader_free(rd);
		web_error(r, 500, "out of memory");
		return;
	}
	rl.f = j.f;
	rl.pending_only = query && strcmp(query, "pending=1") == 0;
	fputs("{\"requests\": [", j.f);
	store_iter_requests(rd, 1, req_list_cb, &rl);
	fputs("]}", j.f);
	store_reader_free(rd);
	web_json_send(r, 200, &j);
}
