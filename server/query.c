/* query.c -- query packet -> reply packet: parse, decide, encode.
 *
 * Protocol choices made here (docs/SERVER.md): FORMERR copies the question
 * only when it parsed; NOTIMP keeps the opcode and sends no sections; the
 * OPT is echoed whenever the query had a valid one (DO copied, RFC 3225;
 * other flags and all options dropped); BADVERS for EDNS version > 0; RD and
 * CD are copied (for opcode QUERY only), AD and RA are never set (no DNSSEC,
 * no recursion); over UDP an answer that does
 * not fit whole is dropped entirely and TC set, so no partial RRset leaves.
 */
#include "query.h"

#include <string.h>
#include <time.h>

#include "dns_encode.h"
#include "dns_packet.h"
#include "metrics.h"
#include "qstats.h"
#include "querylog.h"
#include "rrl.h"

#define OPT_LEN 11

static uint16_t query_udp_limit(const struct query_ctx *c,
				const struct dns_query *q)
{
	unsigned max = c->cfg->max_udp_size;
	unsigned size = q->edns ? q->edns_size : 512;

	if (max < 512)
		max = 512;
	if (size < 512)
		size = 512;
	if (size > max)
		size = max;
	return (uint16_t)size;
}

static uint16_t query_our_udp_size(const struct query_ctx *c)
{
	unsigned max = c->cfg->max_udp_size;

	return (uint16_t)(max < 512 ? 512 : max);
}

/* Reply flags from the query's: QR and its opcode; RD and CD copied only
 * for QUERY, the one opcode that defines them (in UPDATE, RFC 2136, the
 * same bits are Z; RFC 6895 expects only RD and CD to be copied at all). */
static uint16_t query_base_flags(const struct dns_query *q)
{
	uint16_t copy = 0x7800;

	if (DNS_OPCODE(q->flags) == DNS_OPCODE_QUERY)
		copy |= DNS_FLAG_RD | DNS_FLAG_CD;
	return (uint16_t)(DNS_FLAG_QR | (q->flags & copy));
}

/* The zone's SOA record, from the rdata encoded with the zone plan. */
static int query_write_soa(struct dns_writer *w, const struct zp_zone *z,
			   size_t apex, uint32_t ttl)
{
	if (z->soa_rdata_ok)
		return dns_encode_tmpl(w, apex, DNS_TYPE_SOA, ttl,
				       &z->soa_rdata);
	return dns_encode_soa(w, apex, ttl, z->soa_mname, z->soa_rname,
			      z->soa_serial, z->soa_refresh, z->soa_retry,
			      z->soa_expire, z->soa_minimum);
}

/* Writes the answer section: RRsets grouped by type in order of first
 * appearance, then the apex SOA and NS.  -1 if something did not fit. */
static int query_write_answer(struct dns_writer *w, const struct answer *a,
			      size_t apex)
{
	const struct zp_zone *z = a->zone;

	for (size_t i = 0; i < a->nrr; i++) {
		int seen = 0;

		for (size_t k = 0; k < i && !seen; k++)
			seen = a->rr[k].type == a->rr[i].type;
		if (seen)
			continue;
		for (size_t k = i; k < a->nrr; k++) {
			const struct answer_rr *r = &a->rr[k];
			const uint8_t *rd = a->arena + r->off;
			int rc;

			if (r->type != a->rr[i].type)
				continue;
			if (r->type == DNS_TYPE_MX && r->len >= 3)
				rc = dns_encode_mx(w, DNS_QNAME_OFFSET, r->ttl,
						   (uint16_t)(rd[0] << 8 | rd[1]),
						   rd + 2, r->rel);
			else
				rc = dns_encode_raw(w, DNS_QNAME_OFFSET,
						    r->type, a->rclass, r->ttl,
						    rd, r->len);
			if (rc < 0)
				return -1;
		}
	}
	if (a->soa_answer && query_write_soa(w, z, apex, z->soa_ttl) < 0)
		return -1;
	if (a->ns_answer)
		for (size_t k = 0; k < z->nns; k++)
			if (dns_encode_ns(w, apex, z->ns_ttl, z->ns[k]) < 0)
				return -1;
	return 0;
}

static int query_write_authority(struct dns_writer *w, const struct answer *a,
				 size_t apex)
{
	const struct zp_zone *z = a->zone;
	uint32_t ttl;

	if (!a->soa_authority || !z)
		return 0;
	/* RFC 2308: the negative TTL is min(SOA TTL, MINIMUM). */
	ttl = z->soa_ttl < z->soa_minimum ? z->soa_ttl : z->soa_minimum;
	dns_writer_section(w, DNS_SEC_AUTHORITY);
	return query_write_soa(w, z, apex, ttl);
}

/* The reply to one query; *zone is set to the answer's zone index in the
 * plan when one was decided, else stays -1. */
static size_t query_build(struct query_ctx *c, const uint8_t *pkt, size_t len,
			  const struct sockaddr *client, int tcp, uint8_t *out,
			  size_t outcap, struct dns_query *qp, int *zone)
{
	struct dns_writer w;
	struct dns_writer_mark m;
	enum dns_parse_status st;
	const struct answer *a = c->ans;
	size_t limit, apex = 0;
	uint16_t flags;

	c->queries++;
	st = dns_query_parse(pkt, len, qp);
	if (outcap > DNS_MAX_UDP)
		outcap = DNS_MAX_UDP;
	limit = tcp ? outcap : query_udp_limit(c, qp);
	if (limit > outcap)
		limit = outcap;
	dns_writer_init(&w, out, limit);

	switch (st) {
	case DNS_PARSE_DROP:
		c->dropped++;
		return 0;
	case DNS_PARSE_NOTIMP:
		/* Same opcode, all counts zero. */
		dns_encode_header(&w, qp->id, (uint16_t)(query_base_flags(qp) |
						      DNS_RCODE_NOTIMP));
		return dns_writer_finish(&w);
	case DNS_PARSE_FORMERR:
		dns_encode_header(&w, qp->id, (uint16_t)(query_base_flags(qp) |
						      DNS_RCODE_FORMERR));
		if (qp->has_question)
			dns_encode_question(&w, qp);
		if (qp->edns) {
			dns_writer_section(&w, DNS_SEC_ADDITIONAL);
			dns_encode_opt(&w, query_our_udp_size(c), 0,
				       qp->edns_flags);
		}
		return dns_writer_finish(&w);
	case DNS_PARSE_OK:
		break;
	}

	if (qp->edns && qp->edns_version > 0) {
		/* BADVERS = 16: low 4 bits 0 in the header, 1 in the OPT. */
		dns_encode_header(&w, qp->id, query_base_flags(qp));
		dns_encode_question(&w, qp);
		dns_writer_section(&w, DNS_SEC_ADDITIONAL);
		dns_encode_opt(&w, query_our_udp_size(c),
			       DNS_RCODE_BADVERS >> 4, qp->edns_flags);
		return dns_writer_finish(&w);
	}

	answer_decide(c->ans, c->plan, c->rd, qp, client);
	if (a->access >= 0 && c->metrics)
		metrics_bump(&c->metrics->access[a->access]);
	if (a->drop) {
		c->dropped++;
		return 0;
	}
	if (a->zone)
		*zone = (int)(a->zone - c->plan->zones);
	flags = (uint16_t)(query_base_flags(qp) | (a->aa ? DNS_FLAG_AA : 0) |
			   a->rcode);
	if (dns_encode_header(&w, qp->id, flags) < 0 ||
	    dns_encode_question(&w, qp) < 0)
		return 0;
	if (a->zone)
		apex = dns_writer_set_zone(&w, qp, a->zone->wname, a->before);
	/* Keep room for the OPT while writing the sections. */
	if (qp->edns)
		w.b.limit -= OPT_LEN;
	dns_writer_mark(&w, &m);
	dns_writer_section(&w, DNS_SEC_ANSWER);
	if (query_write_answer(&w, a, apex) < 0 ||
	    query_write_authority(&w, a, apex) < 0) {
		dns_writer_rollback(&w, &m);
		dns_writer_set_flags(&w, DNS_FLAG_TC, 0);
	}
	if (qp->edns) {
		w.b.limit += OPT_LEN;
		dns_writer_section(&w, DNS_SEC_ADDITIONAL);
		dns_encode_opt(&w, query_our_udp_size(c), 0, qp->edns_flags);
	}
	return dns_writer_finish(&w);
}

/* Response rate limiting (rrl.c) of UDP reply `out` of `n` bytes: the
 * length to send, 0 to drop it; a slipped reply is cut to its header and
 * question with TC set. */
static size_t query_rate_limit(struct query_ctx *c, const struct dns_query *q,
			       const struct sockaddr *client, int zone,
			       uint8_t *out, size_t n)
{
	int idx = zone >= 0 ? c->plan->zones[zone].stats_index : -1;
	enum rrl_verdict v = rrl_check(c->rrl, client, idx, n,
				       &c->rrl_limited);

	if (v == RRL_SEND)
		return n;
	if (c->metrics)
		metrics_bump(&c->metrics->rrl[v == RRL_SLIP ? 0 : 1]);
	if (v == RRL_DROP) {
		c->dropped++;
		return 0;
	}
	out[2] |= 0x02;                          /* TC */
	memset(out + 6, 0, 6);                   /* AN, NS, AR: none */
	if (!q->has_question || DNS_HEADER_LEN + q->qname_len + 4 > n) {
		out[4] = out[5] = 0;
		return DNS_HEADER_LEN;
	}
	return DNS_HEADER_LEN + q->qname_len + 4;
}

/* rbldnsd's -l line and -s counters for one reply of `n` bytes. */
static void query_account(struct query_ctx *c, const uint8_t *pkt, size_t len,
			  const struct dns_query *q, const struct sockaddr *client,
			  const uint8_t *out, size_t n, int zone)
{
	unsigned rcode = out[3] & 0x0f;

	if (c->stats)
		qstats_count(c->stats, c->stats_slot,
			     zone >= 0 ? c->plan->zones[zone].stats_index : -1,
			     rcode, len, n);
	if (c->qlog && q->has_question && q->qname_len &&
	    len >= DNS_QNAME_OFFSET + q->qname_len) {
		struct querylog_entry e = {
			.when = time(NULL),
			.peer = client,
			.qname = pkt + DNS_QNAME_OFFSET,   /* as received */
			.qtype = q->qtype,
			.qclass = q->qclass,
			.rcode = rcode,
			.ancount = (unsigned)(out[6] << 8 | out[7]),
			.replylen = n,
		};

		querylog_add(c->qlog, &e);
	}
}

size_t query_respond(struct query_ctx *c, const uint8_t *pkt, size_t len,
		     const struct sockaddr *client, int tcp, uint8_t *out,
		     size_t outcap)
{
	struct dns_query q;
	int zone = -1;
	size_t n;

	/* dns_query_parse sets every field of q (no memset of its name
	 * buffers here). */
	n = query_build(c, pkt, len, client, tcp, out, outcap, &q, &zone);
	if (n < DNS_HEADER_LEN)
		return n;
	if (c->rrl && !tcp) {
		n = query_rate_limit(c, &q, client, zone, out, n);
		if (!n)
			return 0;
	}
	if (c->qlog || c->stats)
		query_account(c, pkt, len, &q, client, out, n, zone);
	if (c->metrics) {
		/* Below a zone's apex, an answer is a listing or not. */
		enum metrics_result res = zone >= 0 && c->ans->before > 0
			? (c->ans->nrr ? MRES_LISTED : MRES_UNLISTED) : MRES_NONE;

		metrics_count(c->metrics, q.has_question ? q.qtype : 0,
			      out[3] & 0x0f, tcp, res, out[2] & 0x02);
	}
	return n;
}
