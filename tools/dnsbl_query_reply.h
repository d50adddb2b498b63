/* dnsbl_query_reply.h -- reading c-ares replies: status, A, TXT, SOA, NS.
 *
 * The one place that turns what c-ares hands a callback into what a DNSBL
 * client needs: return codes, texts, apex facts, and a short error text.
 */
#ifndef DNSBLD_DNSBL_QUERY_REPLY_H
#define DNSBLD_DNSBL_QUERY_REPLY_H

#include <stddef.h>
#include <stdint.h>

/* RR types, numerically (arpa/nameser.h is not C11-clean). */
enum { DQ_T_A = 1, DQ_T_NS = 2, DQ_T_SOA = 6, DQ_T_TXT = 16 };
enum { DQ_C_IN = 1 };

/* What a reply says. */
enum dq_reply_kind {
	DQ_REPLY_DATA,     /* records of the asked type */
	DQ_REPLY_NONE,     /* NXDOMAIN or NODATA: nothing there */
	DQ_REPLY_ERROR     /* no usable answer; see the error text */
};

/* A short text for a failed c-ares status: "timeout", "SERVFAIL",
 * "REFUSED", "connection refused", ... */
const char *dq_reply_status_text(int status);

/* Reads an A reply into `codes` (host byte order, at most `max`; extras are
 * dropped) and *n.  On DQ_REPLY_ERROR, *err is the reason. */
enum dq_reply_kind dq_reply_a(int status, const unsigned char *abuf, int alen,
			      uint32_t *codes, size_t max, size_t *n,
			      const char **err);

/* Reads a TXT reply: each record's strings joined into one malloc'd string,
 * appended to *txt (a malloc'd array of *ntxt). */
enum dq_reply_kind dq_reply_txt(int status, const unsigned char *abuf,
				int alen, char ***txt, size_t *ntxt,
				const char **err);

/* Reads an SOA reply: its serial. */
enum dq_reply_kind dq_reply_soa(int status, const unsigned char *abuf,
				int alen, uint32_t *serial, const char **err);

/* Reads an NS reply: how many name servers. */
enum dq_reply_kind dq_reply_ns(int status, const unsigned char *abuf,
			       int alen, size_t *count, const char **err);

/* Frees what dq_reply_txt appended. */
void dq_reply_txt_free(char **txt, size_t ntxt);

#endif
