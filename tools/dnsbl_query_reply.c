/* dnsbl_query_reply.c -- reading c-ares replies: status, A, TXT, SOA, NS.
 *
 * c-ares' own parsers do the bounds checking of the packet; this file only
 * maps their results.  NXDOMAIN and NODATA both mean "nothing there" to a
 * DNSBL client (RFC 5782: a listed name may lack a TXT).
 */
#include "dnsbl_query_reply.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

/* TXT records kept per name: enough for any list, bounded for a bad one. */
#define DQ_REPLY_MAX_TXT 16

const char *dq_reply_status_text(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return "timeout";
	case ARES_ESERVFAIL:
		return "SERVFAIL";
	case ARES_EREFUSED:
		return "REFUSED";
	case ARES_ENOTIMP:
		return "NOTIMP";
	case ARES_EFORMERR:
		return "FORMERR";
	case ARES_ECONNREFUSED:
		return "connection refused";
	case ARES_EBADRESP:
		return "bad reply";
	case ARES_ENOMEM:
		return "out of memory";
	default:
		return ares_strerror(status);
	}
}

/* Common first step: 1 = parse the reply, else the kind to return. */
static int reply_status(int status, enum dq_reply_kind *kind, const char **err)
{
	if (status == ARES_SUCCESS)
		return 1;
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		*kind = DQ_REPLY_NONE;
	} else {
		*kind = DQ_REPLY_ERROR;
		*err = dq_reply_status_text(status);
	}
	return 0;
}

/* What a parser's own status means. */
static enum dq_reply_kind reply_parsed(int rc, const char **err)
{
	if (rc == ARES_SUCCESS)
		return DQ_REPLY_DATA;
	if (rc == ARES_ENODATA)
		return DQ_REPLY_NONE;
	*err = dq_reply_status_text(rc);
	return DQ_REPLY_ERROR;
}

enum dq_reply_kind dq_reply_a(int status, const unsigned char *abuf, int alen,
			      uint32_t *codes, size_t max, size_t *n,
			      const char **err)
{
	struct ares_addrttl addrs[32];
	int naddrs = (int)(sizeof(addrs) / sizeof(addrs[0]));
	enum dq_reply_kind kind;
	int rc;

	*n = 0;
	if (!reply_status(status, &kind, err))
		return kind;
	rc = ares_parse_a_reply(abuf, alen, NULL, addrs, &naddrs);
	kind = reply_parsed(rc, err);
	if (kind != DQ_REPLY_DATA)
		return kind;
	for (int i = 0; i < naddrs && *n < max; i++)
		codes[(*n)++] = ntohl(addrs[i].ipaddr.s_addr);
	return *n ? DQ_REPLY_DATA : DQ_REPLY_NONE;
}

/* Appends `len` bytes to the malloc'd string *s. */
static int reply_append(char **s, const unsigned char *p, size_t len)
{
	size_t old = *s ? strlen(*s) : 0;
	char *grown = realloc(*s, old + len + 1);

	if (!grown)
		return -1;
	memcpy(grown + old, p, len);
	grown[old + len] = '\0';
	*s = grown;
	return 0;
}

enum dq_reply_kind dq_reply_txt(int status, const unsigned char *abuf,
				int alen, char ***txt, size_t *ntxt,
				const char **err)
{
	struct ares_txt_ext *list = NULL;
	enum dq_reply_kind kind;
	int rc;

	if (!reply_status(status, &kind, err))
		return kind;
	rc = ares_parse_txt_reply_ext(abuf, alen, &list);
	kind = reply_parsed(rc, err);
	if (kind != DQ_REPLY_DATA)
		return kind;
	/* A record's character-strings are one text (RFC 7208 3.3 reads them
	 * so too); each record is one entry. */
	for (struct ares_txt_ext *t = list; t; t = t->next) {
		if (t->record_start || *ntxt == 0) {
			char **grown;

			if (*ntxt >= DQ_REPLY_MAX_TXT)
				break;
			grown = realloc(*txt, (*ntxt + 1) * sizeof(**txt));
			if (!grown)
				goto oom;
			*txt = grown;
			(*txt)[(*ntxt)++] = NULL;
		}
		if (reply_append(&(*txt)[*ntxt - 1], t->txt, t->length) < 0)
			goto oom;
	}
	ares_free_data(list);
	return DQ_REPLY_DATA;
oom:
	ares_free_data(list);
	*err = "out of memory";
	return DQ_REPLY_ERROR;
}

enum dq_reply_kind dq_reply_soa(int status, const unsigned char *abuf,
				int alen, uint32_t *serial, const char **err)
{
	struct ares_soa_reply *soa = NULL;
	enum dq_reply_kind kind;

	if (!reply_status(status, &kind, err))
		return kind;
	kind = reply_parsed(ares_parse_soa_reply(abuf, alen, &soa), err);
	if (kind == DQ_REPLY_DATA)
		*serial = soa->serial;
	if (soa)
		ares_free_data(soa);
	return kind;
}

enum dq_reply_kind dq_reply_ns(int status, const unsigned char *abuf,
			       int alen, size_t *count, const char **err)
{
	struct hostent *h = NULL;
	enum dq_reply_kind kind;

	*count = 0;
	if (!reply_status(status, &kind, err))
		return kind;
	kind = reply_parsed(ares_parse_ns_reply(abuf, alen, &h), err);
	if (kind == DQ_REPLY_DATA)
		for (char **a = h->h_aliases; a && *a; a++)
			(*count)++;
	if (h)
		ares_free_hostent(h);
	return kind == DQ_REPLY_DATA && *count == 0 ? DQ_REPLY_NONE : kind;
}

void dq_reply_txt_free(char **txt, size_t ntxt)
{
	for (size_t i = 0; i < ntxt; i++)
		free(txt[i]);
	free(txt);
}
