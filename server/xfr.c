/* xfr.c -- zone transfers: AXFR over TCP, and IXFR from the changes
 * ixfr.c keeps (AXFR-style when it has none that reach back far enough).
 *
 * The protocol side: who may transfer (the zone's transfer.allow), the
 * reply to an IXFR that is up to date, and the stream of messages: the
 * SOA, the apex NS and records, every name of the plan (xfr_plan.c) with
 * the records dnsbld answers for it (answer.c, an ANY query: merged
 * datasets, TTLs, test points and TXT templates as dnsbld's), the SOA.
 * The transfer keeps its own responder, so it reads one snapshot from
 * start to end.  Messages are at most XFR_MSG_MAX bytes, so every owner
 * written can be pointed at (compression pointers reach 16 KiB), and they
 * are written a chunk at a time from the TCP loop's write callback.
 */
#include "xfr.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "answer.h"
#include "dname.h"
#include "dns_encode.h"
#include "dns_packet.h"
#include "log.h"
#include "responder.h"
#include "ixfr.h"
#include "xfr_plan.h"
#include "zones.h"

#define XFR_MSG_MAX 16000

/* ---- the transfer --------------------------------------------------------- */

enum xfr_phase { XP_SOA, XP_APEX, XP_NAMES, XP_END, XP_DONE,
		 XP_IXFR };   /* the changes of `chain`, then XP_END */

/* IXFR: where in the chain of changes the stream is (ixfr.h). */
struct xfr_ixfr_pos {
	struct ixfr_change *chain[IXFR_CHAIN_MAX];
	size_t n, idx;
	int part;                     /* 0 from-SOA, 1 deleted, 2 to-SOA, 3 added */
	size_t off;                   /* in the part's records */
};

struct xfr {
	struct responder r;           /* its own snapshot and zone plan */
	const struct zp_zone *z;
	uint8_t qpkt[65535];
	struct dns_query q;           /* the client's query (in qpkt) */
	enum xfr_phase phase;
	int failed;
	struct xfr_plan *plan;

	uint8_t lpkt[600];            /* a lookup's query */
	struct dns_query lq;

	uint8_t excluded[DNAME_MAX];  /* excluded.<zone> */
	uint8_t msg[2 + XFR_MSG_MAX];
	struct dns_writer w;
	struct dns_owners own;
	int msg_open;
	unsigned msg_rrs;
	uint64_t nmsgs, nrrs, bytes;
	char zname[DNAME_MAX * 4];
	char peer[64];

	int counted;                  /* one of the transfers in progress */

	/* xfr_walk: every record goes to `sink` instead of a message. */
	xfr_rr_sink sink;
	void *sink_arg;
	struct xfr_ixfr_pos ix;
};

int xfr_is_transfer(const uint8_t *pkt, size_t len)
{
	struct dns_buffer b;
	struct dns_query q;
	uint16_t qtype;

	/* The QTYPE first (every TCP query comes here), the full parse only
	 * for a transfer. */
	dns_buffer_init(&b, (uint8_t *)pkt, len);
	if (dns_buffer_seek(&b, DNS_HEADER_LEN) < 0 || dns_name_skip(&b) < 0 ||
	    dns_buffer_get_u16(&b, &qtype) < 0 ||
	    (qtype != DNS_TYPE_AXFR && qtype != DNS_TYPE_IXFR))
		return 0;
	return dns_query_parse(pkt, len, &q) == DNS_PARSE_OK;
}

/* Transfers in progress, against the config's max_transfers. */
static atomic_uint xfr_running;

/* Refusals are logged at most once per XFR_LOG_REFUSED_S seconds (any
 * client can ask), with the count of the others. */
#define XFR_LOG_REFUSED_S 10
static void xfr_log_refused(const struct xfr *x, const char *why)
{
	static atomic_llong last;
	static atomic_uint quiet;
	long long now = (long long)time(NULL), was = atomic_load(&last);

	if (now - was < XFR_LOG_REFUSED_S ||
	    !atomic_compare_exchange_strong(&last, &was, now)) {
		atomic_fetch_add(&quiet, 1);
		return;
	}
	log_info("transfer of %s to %s refused (%s; %u more refused since "
		 "the last such line)", x->zname, x->peer, why,
		 atomic_exchange(&quiet, 0));
}

static void xfr_msg_begin(struct xfr *x, uint8_t rcode)
{
	uint16_t flags = (uint16_t)(DNS_FLAG_QR | (x->q.flags & DNS_FLAG_RD) |
				    rcode);

	if (rcode == DNS_RCODE_NOERROR)
		flags |= DNS_FLAG_AA;
	dns_writer_init(&x->w, x->msg + 2, XFR_MSG_MAX);
	dns_encode_header(&x->w, x->q.id, flags);
	dns_encode_question(&x->w, &x->q);
	if (x->z)
		dns_writer_set_zone(&x->w, &x->q, x->z->wname, 0);
	dns_writer_owners(&x->w, &x->own);
	x->msg_open = 1;
	x->msg_rrs = 0;
}

static void xfr_msg_end(struct xfr *x, struct evbuffer *out)
{
	size_t len = dns_writer_finish(&x->w);

	x->msg[0] = (uint8_t)(len >> 8);
	x->msg[1] = (uint8_t)len;
	evbuffer_add(out, x->msg, len + 2);
	x->msg_open = 0;
	x->nmsgs++;
	x->bytes += len + 2;
}

/* One record to write: an answer record, the SOA, an NS or the CNAME. */
struct xfr_rec {
	const uint8_t *owner;         /* relative to the zone */
	const struct answer_rr *rr;   /* with its rdata in `arena` */
	const uint8_t *arena;
	int soa, cname;
	size_t ns;                    /* NS: index + 1 */
};

/* The TTL of an exclusion's CNAME: the zone's negative-caching TTL. */
static uint32_t xfr_cname_ttl(const struct zp_zone *z)
{
	return z->soa_ttl < z->soa_minimum ? z->soa_ttl : z->soa_minimum;
}

/* An answer record at the owner set: an MX with its target (relative to
 * the zone when `rel`), any other type as its rdata. */
static int xfr_encode_rdata(struct dns_writer *w, uint16_t type, uint32_t ttl,
			    const uint8_t *rd, size_t len, int rel)
{
	if (type == DNS_TYPE_MX && len >= 3)
		return dns_encode_mx(w, DNS_OWNER_SET, ttl, dns_get16(rd),
				     rd + 2, rel);
	return dns_encode_raw(w, DNS_OWNER_SET, type, DNS_CLASS_IN, ttl, rd,
			      len);
}

static int xfr_encode(struct xfr *x, const struct xfr_rec *c)
{
	const struct zp_zone *z = x->z;
	struct dns_writer *w = &x->w;

	if (dns_writer_owner(w, c->owner) < 0)
		return -1;
	if (c->soa)
		return z->soa_rdata_ok
		       ? dns_encode_tmpl(w, DNS_OWNER_SET, DNS_TYPE_SOA,
					 z->soa_ttl, &z->soa_rdata)
		       : dns_encode_soa(w, DNS_OWNER_SET, z->soa_ttl,
					z->soa_mname, z->soa_rname,
					z->soa_serial, z->soa_refresh,
					z->soa_retry, z->soa_expire,
					z->soa_minimum);
	if (c->ns)
		return dns_encode_ns(w, DNS_OWNER_SET, z->ns_ttl, z->ns[c->ns - 1]);
	if (c->cname)
		return dns_encode_cname(w, DNS_OWNER_SET, xfr_cname_ttl(z),
					x->excluded);
	return xfr_encode_rdata(w, c->rr->type, c->rr->ttl,
				c->arena + c->rr->off, c->rr->len, c->rr->rel);
}

/* ---- records as ixfr.c keeps them -------------------------------------------
 *
 * A record of the zone (never the SOA of the walk) as bytes: kind, rel,
 * type, TTL, the owner relative to the zone, rdata.  The same record in
 * two snapshots gives the same bytes, so ixfr.c can diff two walks. */
enum { XREC_RAW = 0, XREC_CNAME, XREC_NS, XREC_SOA };
#define XREC_HEAD 9                   /* kind rel type(2) ttl(4) ownerlen */
#define XREC_MAX (XREC_HEAD + DNAME_MAX + 2 + 65535)

static size_t xrec_make(uint8_t *b, int kind, int rel, uint16_t type,
			uint32_t ttl, const uint8_t *owner,
			const uint8_t *rd, size_t rdlen)
{
	size_t ol = wname_len(owner);

	b[0] = (uint8_t)kind;
	b[1] = (uint8_t)rel;
	dns_put16(b + 2, type);
	dns_put32(b + 4, ttl);
	b[8] = (uint8_t)ol;
	memcpy(b + XREC_HEAD, owner, ol);
	dns_put16(b + XREC_HEAD + ol, (uint16_t)rdlen);
	if (rdlen)
		memcpy(b + XREC_HEAD + ol + 2, rd, rdlen);
	return XREC_HEAD + ol + 2 + rdlen;
}

size_t xfr_rec_len(const uint8_t *b)
{
	size_t ol = b[8];

	return XREC_HEAD + ol + 2 + dns_get16(b + XREC_HEAD + ol);
}

/* Walking: record `c` as bytes, to the sink. */
static int xfr_sink_rec(struct xfr *x, const struct xfr_rec *c)
{
	static _Thread_local uint8_t b[XREC_MAX];
	const struct zp_zone *z = x->z;
	size_t n;

	if (c->soa)
		return 0;
	if (c->ns) {
		const uint8_t *ns = z->ns[c->ns - 1];

		n = xrec_make(b, XREC_NS, 0, DNS_TYPE_NS, z->ns_ttl, c->owner,
			      ns, wname_len(ns));
	} else if (c->cname) {
		n = xrec_make(b, XREC_CNAME, 0, DNS_TYPE_CNAME,
			      xfr_cname_ttl(z), c->owner, NULL, 0);
	} else {
		const struct answer_rr *r = c->rr;

		n = xrec_make(b, XREC_RAW, r->rel, r->type, r->ttl, c->owner,
			      c->arena + r->off, r->len);
	}
	x->nrrs++;
	return x->sink(x->sink_arg, b, n) < 0 ? -1 : 0;
}

size_t xfr_soa_rec(const struct xfr *x, uint8_t *b, size_t size)
{
	const struct zp_zone *z = x->z;
	size_t ml = wname_len(z->soa_mname), rl = wname_len(z->soa_rname);
	uint8_t rd[2 * DNAME_MAX + 20], *p = rd;
	const uint32_t v[5] = { z->soa_serial, z->soa_refresh, z->soa_retry,
				z->soa_expire, z->soa_minimum };

	if (size < XREC_HEAD + 1 + 2 + ml + rl + 20)
		return 0;
	memcpy(p, z->soa_mname, ml);
	p += ml;
	memcpy(p, z->soa_rname, rl);
	p += rl;
	for (int i = 0; i < 5; i++, p += 4)
		dns_put32(p, v[i]);
	return xrec_make(b, XREC_SOA, 0, DNS_TYPE_SOA, z->soa_ttl,
			 (const uint8_t *)"", rd, (size_t)(p - rd));
}

/* Writes kept record `b` into the current message. */
static int xfr_encode_rec(struct xfr *x, const uint8_t *b)
{
	struct dns_writer *w = &x->w;
	const uint8_t *owner = b + XREC_HEAD;
	size_t ol = b[8];
	uint16_t type = dns_get16(b + 2);
	uint32_t ttl = dns_get32(b + 4);
	const uint8_t *rd = owner + ol + 2;
	size_t rdlen = dns_get16(owner + ol);

	if (dns_writer_owner(w, owner) < 0)
		return -1;
	switch (b[0]) {
	case XREC_CNAME:
		return dns_encode_cname(w, DNS_OWNER_SET, ttl, x->excluded);
	case XREC_NS:
		return dns_encode_ns(w, DNS_OWNER_SET, ttl, rd);
	default:
		return xfr_encode_rdata(w, type, ttl, rd, rdlen, b[1]);
	}
}

/* Writes one record (`c`, or kept record `kept`), starting a new message
 * when the current one is full.  -1 (and failed) if it fits in no
 * message. */
static int xfr_put_either(struct xfr *x, struct evbuffer *out,
			  const struct xfr_rec *c, const uint8_t *kept)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!x->msg_open)
			xfr_msg_begin(x, DNS_RCODE_NOERROR);
		if ((c ? xfr_encode(x, c) : xfr_encode_rec(x, kept)) == 0) {
			x->msg_rrs++;
			x->nrrs++;
			return 0;
		}
		if (!x->msg_rrs)
			break;
		xfr_msg_end(x, out);
	}
	x->failed = 1;
	return -1;
}

/* Writes (or, walking, hands to the sink) one record. */
static int xfr_put(struct xfr *x, struct evbuffer *out, const struct xfr_rec *c)
{
	if (x->sink)
		return xfr_sink_rec(x, c);
	return xfr_put_either(x, out, c, NULL);
}

/* Writes into `pkt` a query for absolute name `name`, type `qtype`, class
 * IN (id 0, no flags), and parses it into *q. */
static int xfr_make_query(uint8_t *pkt, const uint8_t *name, uint16_t qtype,
			  struct dns_query *q)
{
	size_t n = wname_len(name);

	memset(pkt, 0, DNS_HEADER_LEN);
	pkt[5] = 1;                           /* QDCOUNT */
	memcpy(pkt + DNS_HEADER_LEN, name, n);
	dns_put16(pkt + DNS_HEADER_LEN + n, qtype);
	dns_put16(pkt + DNS_HEADER_LEN + n + 2, DNS_CLASS_IN);
	return dns_query_parse(pkt, DNS_HEADER_LEN + n + 4, q) == DNS_PARSE_OK
	       ? 0 : -1;
}

/* dnsbld's answer to an ANY query for relative name `rel`, or NULL (the
 * name is another zone's, or the lookup failed). */
static const struct answer *xfr_answer(struct xfr *x, const uint8_t *rel)
{
	uint8_t full[DNAME_MAX];
	struct answer *a = x->r.ans;

	if (dname_concat(rel, x->z->wname, full) < 0 ||
	    xfr_make_query(x->lpkt, full, DNS_TYPE_ANY, &x->lq) < 0)
		return NULL;
	answer_decide(a, &x->r.plan, x->r.rd, &x->lq, NULL);
	return a->zone == x->z ? a : NULL;
}

/* The records of `ask`'s answer, written at `owner`.  1 if there were. */
static int xfr_put_answer(struct xfr *x, struct evbuffer *out,
			  const uint8_t *owner, const uint8_t *ask)
{
	const struct answer *a = xfr_answer(x, ask);
	struct xfr_rec c;

	if (!a || !a->nrr)
		return 0;
	memset(&c, 0, sizeof(c));
	c.owner = owner;
	c.arena = a->arena;
	for (size_t i = 0; i < a->nrr; i++) {
		c.rr = &a->rr[i];
		if (xfr_put(x, out, &c) < 0)
			return -1;
	}
	return 1;
}

static int xfr_put_cname(struct xfr *x, struct evbuffer *out,
			 const uint8_t *owner)
{
	struct xfr_rec c;

	memset(&c, 0, sizeof(c));
	c.owner = owner;
	c.cname = 1;
	return xfr_put(x, out, &c);
}

/* A dnset/generic name: its records, or, for an unlisted leaf under a
 * wildcard, the CNAME that keeps the wildcard from answering it. */
static int xfr_put_name(struct xfr *x, struct evbuffer *out,
			const struct xfr_item *it)
{
	const uint8_t *parent = it->owner + it->owner[0] + 1;
	uint8_t wild[DNAME_MAX];
	const struct answer *a;
	int rc = xfr_put_answer(x, out, it->owner, it->owner);

	if (rc != 0 || !it->leaf)
		return rc < 0 ? -1 : 0;
	wild[0] = 1;
	wild[1] = '*';
	memcpy(wild + 2, parent, wname_len(parent));
	a = xfr_answer(x, wild);
	return a && a->nrr ? xfr_put_cname(x, out, it->owner) : 0;
}

/* ---- the client, the zone and the reply ------------------------------------ */

static int xfr_allowed(const struct config *cfg, const struct zp_zone *z,
		       const struct sockaddr *client)
{
	uint8_t addr[16];
	int family = acl_client_addr(client, addr);

	for (size_t i = 0; i < cfg->nzones; i++) {
		const struct cfg_zone *cz = &cfg->zones[i];

		if (!dname_equal(cz->wname, z->wname) || !cz->has_transfer)
			continue;
		for (size_t k = 0; k < cz->nxfr_allow; k++)
			if (acl_cidr_match(&cz->xfr_allow[k], family, addr))
				return 1;
	}
	return 0;
}

/* An IXFR query's SOA serial (authority section): 1 and *serial, else 0. */
static int xfr_ixfr_serial(const uint8_t *pkt, size_t len,
			   const struct dns_query *q, uint32_t *serial)
{
	struct dns_buffer b;
	uint16_t type, class, rdlen;
	uint32_t ttl;

	if (q->nscount < 1)
		return 0;
	dns_buffer_init(&b, (uint8_t *)pkt, len);
	if (dns_buffer_seek(&b, DNS_HEADER_LEN + q->question_len) < 0 ||
	    dns_name_skip(&b) < 0 || dns_buffer_get_u16(&b, &type) < 0 ||
	    dns_buffer_get_u16(&b, &class) < 0 ||
	    dns_buffer_get_u32(&b, &ttl) < 0 ||
	    dns_buffer_get_u16(&b, &rdlen) < 0 || type != DNS_TYPE_SOA ||
	    dns_name_skip(&b) < 0 || dns_name_skip(&b) < 0 ||
	    dns_buffer_get_u32(&b, serial) < 0)
		return 0;
	return 1;
}

static void xfr_peer_text(const struct sockaddr *sa, char *out, size_t len)
{
	uint8_t a[16];
	int fam = acl_client_addr(sa, a);

	if (!fam || !inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, out,
			       (socklen_t)len))
		snprintf(out, len, "?");
}

/* A one-message reply: `rcode`, with the SOA when `soa`. */
static void xfr_reply_short(struct xfr *x, struct evbuffer *out,
			    uint8_t rcode, int soa)
{
	struct xfr_rec c;

	xfr_msg_begin(x, rcode);
	if (soa) {
		memset(&c, 0, sizeof(c));
		c.owner = (const uint8_t *)"";
		c.soa = 1;
		xfr_encode(x, &c);
	}
	xfr_msg_end(x, out);
}

struct xfr *xfr_start(const struct config *cfg, struct store *st,
		      const uint8_t *pkt, size_t len,
		      const struct sockaddr *client, struct evbuffer *out)
{
	struct xfr *x = calloc(1, sizeof(*x));
	char err[256];
	unsigned before = 0;
	uint32_t serial = 0;
	int ixfr_ask;

	if (!x)
		return NULL;
	if (len > sizeof(x->qpkt))
		len = sizeof(x->qpkt);
	memcpy(x->qpkt, pkt, len);
	if (dns_query_parse(x->qpkt, len, &x->q) != DNS_PARSE_OK) {
		free(x);
		return NULL;
	}
	xfr_peer_text(client, x->peer, sizeof(x->peer));
	dname_to_text(x->q.qname, x->zname, sizeof(x->zname));
	if (responder_init(&x->r, cfg, st, "transfer", err, sizeof(err)) < 0 ||
	    responder_begin(&x->r) < 0) {
		log_err("transfer of %s to %s: %s", x->zname, x->peer,
			x->r.rd ? "cannot read the store" : err);
		xfr_reply_short(x, out, DNS_RCODE_SERVFAIL, 0);
		xfr_free(x);
		return NULL;
	}
	x->z = zones_find(&x->r.plan, &x->q, &before);
	if (!x->z || before != 0 || x->q.qclass != DNS_CLASS_IN) {
		x->z = NULL;
		xfr_reply_short(x, out, 9 /* NOTAUTH */, 0);
		xfr_free(x);
		return NULL;
	}
	if (!xfr_allowed(cfg, x->z, client)) {
		xfr_log_refused(x, "not in transfer.allow");
		x->z = NULL;
		xfr_reply_short(x, out, DNS_RCODE_REFUSED, 0);
		xfr_free(x);
		return NULL;
	}
	if (x->z->expires && (int64_t)time(NULL) > x->z->expires) {
		/* Past its $TIMESTAMP expiry dnsbld answers SERVFAIL: a
		 * secondary must not serve the stale data either. */
		log_warn("transfer of %s to %s: the data has expired", x->zname,
			 x->peer);
		x->z = NULL;
		xfr_reply_short(x, out, DNS_RCODE_SERVFAIL, 0);
		xfr_free(x);
		return NULL;
	}
	ixfr_ask = x->q.qtype == DNS_TYPE_IXFR &&
		   xfr_ixfr_serial(x->qpkt, len, &x->q, &serial);
	if (ixfr_ask && (int32_t)(serial - x->z->soa_serial) >= 0) {
		log_info("IXFR of %s to %s: serial %u is current", x->zname,
			 x->peer, serial);
		xfr_reply_short(x, out, DNS_RCODE_NOERROR, 1);
		xfr_free(x);
		return NULL;
	}
	if (dname_concat((const uint8_t *)"\010excluded", x->z->wname,
			 x->excluded) < 0) {
		xfr_reply_short(x, out, DNS_RCODE_SERVFAIL, 0);
		xfr_free(x);
		return NULL;
	}
	/* A transfer holds a snapshot (and, AXFR-style, the zone's merged
	 * answer map): max_transfers at once; a secondary turned away with
	 * SERVFAIL tries again after its retry interval. */
	if (atomic_fetch_add(&xfr_running, 1) >= cfg->max_transfers) {
		atomic_fetch_sub(&xfr_running, 1);
		xfr_log_refused(x, "max_transfers are in progress");
		x->z = NULL;
		xfr_reply_short(x, out, DNS_RCODE_SERVFAIL, 0);
		xfr_free(x);
		return NULL;
	}
	x->counted = 1;
	/* IXFR: the kept changes from the client's serial to ours. */
	if (ixfr_ask)
		x->ix.n = ixfr_chain(x->z->wname, serial, x->z->soa_serial,
				     x->ix.chain, IXFR_CHAIN_MAX);
	if (x->ix.n) {
		log_info("IXFR of %s serial %u -> %u to %s: started (%zu "
			 "change%s)", x->zname, serial, x->z->soa_serial,
			 x->peer, x->ix.n, x->ix.n == 1 ? "" : "s");
		x->phase = XP_SOA;
		return x;
	}
	if (!(x->plan = xfr_plan_new(x->z, x->r.rd))) {
		log_err("transfer of %s to %s: out of memory or store error",
			x->zname, x->peer);
		xfr_reply_short(x, out, DNS_RCODE_SERVFAIL, 0);
		xfr_free(x);
		return NULL;
	}
	log_info("%s of %s serial %u to %s: started",
		 x->q.qtype == DNS_TYPE_IXFR ? "IXFR (as AXFR)" : "AXFR",
		 x->zname, x->z->soa_serial, x->peer);
	x->phase = XP_SOA;
	return x;
}

/* IXFR: the next record of the chain of changes: per change its old
 * SOA, the records it deleted, its new SOA, the records it added. */
static int xfr_step_ixfr(struct xfr *x, struct evbuffer *out)
{
	struct xfr_ixfr_pos *ix = &x->ix;
	const uint8_t *recs;
	size_t len = ixfr_change_part(ix->chain[ix->idx], ix->part, &recs);
	const uint8_t *rec;

	if (ix->off >= len) {
		ix->off = 0;
		if (++ix->part > 3) {
			ix->part = 0;
			if (++ix->idx == ix->n)
				x->phase = XP_END;
		}
		return 0;
	}
	rec = recs + ix->off;
	ix->off += xfr_rec_len(rec);
	return xfr_put_either(x, out, NULL, rec);
}

/* One step of the transfer (a few records); -1 on failure. */
static int xfr_step(struct xfr *x, struct evbuffer *out)
{
	struct xfr_rec c;
	struct xfr_item it;

	memset(&c, 0, sizeof(c));
	c.owner = (const uint8_t *)"";
	switch (x->phase) {
	case XP_SOA:
		c.soa = 1;
		x->phase = x->ix.n ? XP_IXFR : XP_APEX;
		return xfr_put(x, out, &c);
	case XP_IXFR:
		return xfr_step_ixfr(x, out);
	case XP_APEX:
		for (size_t k = 0; k < x->z->nns; k++) {
			c.ns = k + 1;
			if (xfr_put(x, out, &c) < 0)
				return -1;
		}
		x->phase = XP_NAMES;
		/* The apex's own data (generic `@` records). */
		return xfr_put_answer(x, out, (const uint8_t *)"",
				      (const uint8_t *)"") < 0 ? -1 : 0;
	case XP_NAMES:
		if (!xfr_plan_next(x->plan, &it)) {
			x->phase = XP_END;
			return 0;
		}
		if (it.kind == XFR_ITEM_CNAME)
			return xfr_put_cname(x, out, it.owner);
		if (it.kind == XFR_ITEM_NAME)
			return xfr_put_name(x, out, &it);
		return xfr_put_answer(x, out, it.owner, it.ask) < 0 ? -1 : 0;
	case XP_END:
		c.soa = 1;
		if (xfr_put(x, out, &c) < 0)
			return -1;
		xfr_msg_end(x, out);
		x->phase = XP_DONE;
		return 0;
	default:
		return 0;
	}
}

int xfr_fill(struct xfr *x, struct evbuffer *out, size_t highwater)
{
	while (x->phase != XP_DONE && !x->failed &&
	       evbuffer_get_length(out) < highwater)
		if (xfr_step(x, out) < 0)
			x->failed = 1;
	if (x->failed) {
		log_err("transfer of %s to %s failed after %llu records",
			x->zname, x->peer, (unsigned long long)x->nrrs);
		return 0;
	}
	if (x->phase != XP_DONE)
		return 1;
	log_info("%s of %s serial %u to %s: %llu records, %llu "
		 "messages, %llu bytes", x->ix.n ? "IXFR" : "transfer", x->zname, x->z->soa_serial, x->peer,
		 (unsigned long long)x->nrrs, (unsigned long long)x->nmsgs,
		 (unsigned long long)x->bytes);
	return 0;
}

int xfr_failed(const struct xfr *x)
{
	return x->failed;
}

int xfr_walk(struct xfr *x, xfr_rr_sink sink, void *arg)
{
	struct xfr_plan *plan = x->plan;
	enum xfr_phase phase = x->phase;
	uint64_t nrrs = x->nrrs;
	int rc = 0;

	x->plan = xfr_plan_new(x->z, x->r.rd);
	if (!x->plan) {
		x->plan = plan;
		return -1;
	}
	x->sink = sink;
	x->sink_arg = arg;
	x->phase = XP_APEX;
	while (rc == 0 && x->phase != XP_END)
		rc = xfr_step(x, NULL);
	xfr_plan_free(x->plan);
	x->plan = plan;
	x->phase = phase;
	x->sink = NULL;
	x->nrrs = nrrs;
	return rc;
}

uint32_t xfr_serial(const struct xfr *x)
{
	return x->z->soa_serial;
}

const char *xfr_zone_name(const struct xfr *x)
{
	return x->zname;
}

struct xfr *xfr_open(const struct config *cfg, struct store *st,
		     const uint8_t *zone)
{
	struct xfr *x = calloc(1, sizeof(*x));
	unsigned before = 0;
	char err[256];

	if (!x)
		return NULL;
	snprintf(x->peer, sizeof(x->peer), "ixfr");
	dname_to_text(zone, x->zname, sizeof(x->zname));
	/* A query for the zone's SOA stands in for a client's. */
	if (xfr_make_query(x->qpkt, zone, DNS_TYPE_SOA, &x->q) < 0 ||
	    responder_init(&x->r, cfg, st, "ixfr", err, sizeof(err)) < 0 ||
	    responder_begin(&x->r) < 0 ||
	    !(x->z = zones_find(&x->r.plan, &x->q, &before)) || before ||
	    dname_concat((const uint8_t *)"\010excluded", x->z->wname,
			 x->excluded) < 0) {
		xfr_free(x);
		return NULL;
	}
	return x;
}

void xfr_free(struct xfr *x)
{
	if (!x)
		return;
	if (x->counted)
		atomic_fetch_sub(&xfr_running, 1);
	for (size_t i = 0; i < x->ix.n; i++)
		ixfr_change_release(x->ix.chain[i]);
	xfr_plan_free(x->plan);
	responder_free(&x->r);
	free(x);
}
