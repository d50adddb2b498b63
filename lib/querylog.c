/* querylog.c -- rbldnsd's query log: line format, per-worker buffers, reopen.
 *
 * Why per-worker buffers and O_APPEND: the server answers on several
 * threads; a shared FILE* would need a lock per query.  Each worker keeps
 * its own buffer of whole lines and hands it to write(2) on a descriptor
 * opened O_APPEND, which appends atomically, so lines from different
 * workers never mix.  Names and layout were checked against Debian's
 * rbldnsd 1.0~20210120 (see tests/lib/test_querylog.c).
 */
#include "querylog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUERYLOG_BUF_SIZE 16384

struct querylog {
	char *path;          /* NULL = standard output */
	int fd;              /* stays the same number across reopens */
	int unbuffered;
	int json;            /* querylog_format_json lines */
};

struct querylog_buf {
	struct querylog *ql;
	size_t len;
	char data[QUERYLOG_BUF_SIZE];
};

/* rbldnsd's type names (its table stops at OPT, then the meta types). */
static const char *const querylog_types[] = {
	NULL, "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL",
	"WKS", "PTR", "HINFO", "MINFO", "MX", "TXT", "RP", "AFSDB", "X25",
	"ISDN", "RT", "NSAP", "NSAP_PTR", "SIG", "KEY", "PX", "GPOS", "AAAA",
	"LOC", "NXT", "EID", "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT",
	"A6", "DNAME", "SINK", "OPT"
};
static const char *const querylog_meta_types[] = {
	"TSIG", "IXFR", "AXFR", "MAILB", "MAILA", "ANY", "ZXFR"   /* 250.. */
};
static const char *const querylog_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMPL", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"
};

const char *querylog_type_name(uint16_t type, char *buf, size_t buflen)
{
	if (type < sizeof(querylog_types) / sizeof(querylog_types[0]) &&
	    querylog_types[type])
		return querylog_types[type];
	if (type >= 250 && type <= 256)
		return querylog_meta_types[type - 250];
	snprintf(buf, buflen, "type%u", (unsigned)type);
	return buf;
}

const char *querylog_class_name(uint16_t qclass, char *buf, size_t buflen)
{
	switch (qclass) {
	case 1: return "IN";
	case 3: return "CH";
	case 4: return "HS";
	case 255: return "ANY";
	default:
		snprintf(buf, buflen, "class%u", (unsigned)qclass);
		return buf;
	}
}

const char *querylog_rcode_name(unsigned rcode, char *buf, size_t buflen)
{
	if (rcode < sizeof(querylog_rcodes) / sizeof(querylog_rcodes[0]))
		return querylog_rcodes[rcode];
	snprintf(buf, buflen, "rcode%u", rcode);
	return buf;
}

/* Appends the escaped text form of wire name `w` (at most 255 bytes read;
 * a malformed name stops where it breaks).  Returns the new length. */
static size_t querylog_name(const uint8_t *w, char *out, size_t len)
{
	size_t pos = 0;

	if (!w[0]) {
		out[len++] = '.';
		return len;
	}
	while (w[pos] && w[pos] < 64 && pos + w[pos] < 255) {
		if (pos)
			out[len++] = '.';
		for (unsigned i = 1; i <= w[pos]; i++) {
			uint8_t c = w[pos + i];

			if (c == '.' || c == '\\') {
				out[len++] = '\\';
				out[len++] = (char)c;
			} else if (c > ' ' && c < 127) {
				out[len++] = (char)c;
			} else {
				len += (size_t)sprintf(out + len, "\\%03u", c);
			}
		}
		pos += (size_t)w[pos] + 1;
	}
	return len;
}

/* A line formatted into `tmp` (`cap` bytes): `len` bytes, then the last
 * snprintf's `n` more; copied to `out` if it was not cut and fits.  Returns
 * its length, or 0. */
static size_t querylog_emit(const char *tmp, size_t cap, size_t len, int n,
			    char *out, size_t outlen)
{
	if (n < 0 || (size_t)n >= cap - len)
		return 0;
	len += (size_t)n;
	if (len > outlen)
		return 0;
	memcpy(out, tmp, len);
	return len;
}

/* The client address as text ("?" if unknown). */
static void querylog_peer(const struct sockaddr *peer, char *ip, size_t iplen)
{
	snprintf(ip, iplen, "?");
	if (peer && peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr,
			  ip, (socklen_t)iplen);
	else if (peer && peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)peer)->sin6_addr, ip,
			  (socklen_t)iplen);
}

size_t querylog_format(const struct querylog_entry *e, char *out,
		       size_t outlen)
{
	char tmp[QUERYLOG_LINE_MAX], ip[INET6_ADDRSTRLEN];
	char tb[16], cb[16], rb[16];
	size_t len;
	int n;

	querylog_peer(e->peer, ip, sizeof(ip));
	n = snprintf(tmp, sizeof(tmp), "%lld %s ", (long long)e->when, ip);
	len = querylog_name(e->qname, tmp, (size_t)n);
	n = snprintf(tmp + len, sizeof(tmp) - len, " %s %s: %s/%u/%zu\n",
		     querylog_type_name(e->qtype, tb, sizeof(tb)),
		     querylog_class_name(e->qclass, cb, sizeof(cb)),
		     querylog_rcode_name(e->rcode, rb, sizeof(rb)),
		     e->ancount, e->replylen);
	return querylog_emit(tmp, sizeof(tmp), len, n, out, outlen);
}

size_t querylog_format_json(const struct querylog_entry *e, char *out,
			    size_t outlen)
{
	char name[QUERYLOG_LINE_MAX], tmp[QUERYLOG_LINE_MAX];
	char ip[INET6_ADDRSTRLEN], tb[16], cb[16], rb[16];
	size_t nlen, len = 0;
	int n;

	querylog_peer(e->peer, ip, sizeof(ip));
	/* rbldnsd's escaped name is printable ASCII; JSON needs \ and \"
	 * escaped once more. */
	nlen = querylog_name(e->qname, name, 0);
	n = snprintf(tmp, sizeof(tmp), "{\"time\":%lld,\"client\":\"%s\","
		     "\"qname\":\"", (long long)e->when, ip);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return 0;
	len = (size_t)n;
	for (size_t i = 0; i < nlen && len + 2 < sizeof(tmp); i++) {
		if (name[i] == '\\' || name[i] == '"')
			tmp[len++] = '\\';
		tmp[len++] = name[i];
	}
	n = snprintf(tmp + len, sizeof(tmp) - len, "\",\"qtype\":\"%s\","
		     "\"qclass\":\"%s\",\"rcode\":\"%s\",\"answers\":%u,"
		     "\"size\":%zu}\n",
		     querylog_type_name(e->qtype, tb, sizeof(tb)),
		     querylog_class_name(e->qclass, cb, sizeof(cb)),
		     querylog_rcode_name(e->rcode, rb, sizeof(rb)),
		     e->ancount, e->replylen);
	return querylog_emit(tmp, sizeof(tmp), len, n, out, outlen);
}

void querylog_set_json(struct querylog *ql, int json)
{
	ql->json = json;
}

static int querylog_open_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		snprintf(err, errlen, "unable to open query log %s: %s", path,
			 strerror(errno));
	return fd;
}

int querylog_open(struct querylog **out, const char *spec,
		  char *err, size_t errlen)
{
	struct querylog *ql;

	*out = NULL;
	if (!spec || !*spec || (spec[0] == '+' && !spec[1])) {
		snprintf(err, errlen, "query log: no file name given");
		return -1;
	}
	ql = calloc(1, sizeof(*ql));
	if (!ql) {
		snprintf(err, errlen, "query log: out of memory");
		return -1;
	}
	if (spec[0] == '+') {
		ql->unbuffered = 1;
		spec++;
	}
	if (strcmp(spec, "-") == 0) {
		ql->fd = STDOUT_FILENO;
	} else {
		ql->path = strdup(spec);
		ql->fd = ql->path ? querylog_open_file(spec, err, errlen) : -1;
		if (!ql->path)
			snprintf(err, errlen, "query log: out of memory");
		if (ql->fd < 0) {
			free(ql->path);
			free(ql);
			return -1;
		}
	}
	*out = ql;
	return 0;
}

int querylog_reopen(struct querylog *ql, char *err, size_t errlen)
{
	int fd;

	if (!ql->path)
		return 0;
	fd = querylog_open_file(ql->path, err, errlen);
	if (fd < 0)
		return -1;
	/* Same descriptor number, new file: concurrent writers are safe. */
	if (dup3(fd, ql->fd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "unable to reopen query log %s: %s",
			 ql->path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void querylog_close(struct querylog *ql)
{
	if (!ql)
		return;
	if (ql->path)
		close(ql->fd);
	free(ql->path);
	free(ql);
}

int querylog_unbuffered(const struct querylog *ql)
{
	return ql->unbuffered;
}

struct querylog_buf *querylog_buf_new(struct querylog *ql)
{
	struct querylog_buf *b = malloc(sizeof(*b));

	if (b) {
		b->ql = ql;
		b->len = 0;
	}
	return b;
}

int querylog_flush(struct querylog_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(b->ql->fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			b->len = 0;
			return -1;
		}
		off += (size_t)n;
	}
	b->len = 0;
	return 0;
}

void querylog_buf_free(struct querylog_buf *b)
{
	if (!b)
		return;
	querylog_flush(b);
	free(b);
}

int querylog_add(struct querylog_buf *b, const struct querylog_entry *e)
{
	int rc = 0;

	if (sizeof(b->data) - b->len < QUERYLOG_LINE_MAX)
		rc = querylog_flush(b);
	b->len += (b->ql->json ? querylog_format_json : querylog_format)(e,
		b->data + b->len, sizeof(b->data) - b->len);
	if (b->ql->unbuffered && querylog_flush(b) < 0)
		rc = -1;
	return rc;
}
