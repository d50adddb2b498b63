/* dns_packet.h -- DNS protocol constants and the parse of one query packet.
 *
 * The server turns every received datagram or TCP frame into a `struct
 * dns_query` here and nowhere else: header, the single question, and the
 * EDNS OPT record (RFC 6891).  The parse decides only what the packet IS
 * (well formed, drop, FORMERR, NOTIMP); what to answer is server/answer.c's
 * job.  Nothing is allocated: the query keeps a pointer into the packet for
 * the question as the client wrote it (its letter case is echoed, 0x20) and a
 * lowercased copy of the name for lookups.
 */
#ifndef DNSBLD_DNS_PACKET_H
#define DNSBLD_DNS_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "dns_buffer.h"

#define DNS_HEADER_LEN 12
#define DNS_QNAME_OFFSET 12   /* the question name always starts here */
#define DNS_MAX_UDP 65535

/* Header flag bits in the 16-bit flags word. */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_Z  0x0040
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)

#define DNS_OPCODE_QUERY 0
#define DNS_OPCODE_NOTIFY 4

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_RCODE_BADVERS 16   /* extended: needs an OPT in the reply */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_OPT 41
#define DNS_TYPE_IXFR 251
#define DNS_TYPE_AXFR 252
#define DNS_TYPE_ANY 255

#define DNS_CLASS_IN 1
#define DNS_CLASS_CH 3
#define DNS_CLASS_ANY 255

#define DNS_EDNS_DO 0x8000     /* in the OPT TTL's low 16 bits */

/* What the parse found. */
enum dns_parse_status {
	DNS_PARSE_OK = 0,     /* a well-formed query */
	DNS_PARSE_DROP,       /* no header, or a response (QR): never answer */
	DNS_PARSE_NOTIMP,     /* opcode other than QUERY */
	DNS_PARSE_FORMERR     /* malformed; see has_question / edns */
};

/* A wire name of at most 255 bytes has at most 127 labels. */
#define DNS_MAX_LABELS 127

struct dns_query {
	uint16_t id;
	uint16_t flags;            /* the header's flags word as received */
	uint16_t qdcount, ancount, nscount, arcount;

	int has_question;          /* the question parsed (even on FORMERR) */
	const uint8_t *question;   /* the raw question in the packet */
	size_t question_len;       /* name + type + class */
	size_t qname_len;          /* bytes in qname, final zero included */
	unsigned qlabels;
	uint16_t qtype, qclass;

	int edns;                  /* a valid OPT record was seen */
	uint16_t edns_size;        /* the client's UDP payload size */
	uint8_t edns_version;
	uint16_t edns_flags;       /* DO and the rest */

	const char *error;         /* why FORMERR / DROP, for debug logs */

	/* Last, so that the parse clears only the fields above (the name
	 * buffers are written as far as the name goes). */
	uint8_t qname[256];        /* lowercased wire name */
	uint8_t qoff[DNS_MAX_LABELS]; /* offset in qname of each label, so
	                              that the zone search, the relative name
	                              and the encoder never walk it again */
};

/* Parses `len` bytes of `pkt` into `q`.  Checks, in this order: at least a
 * header (else DROP); QR clear (else DROP); opcode QUERY (else NOTIMP);
 * QDCOUNT 1 (else FORMERR); the question (labels 1..63 bytes, no
 * compression pointer -- nothing precedes it to point to --, name at most
 * 255 bytes, type and class present); every answer/authority/additional
 * record complete; at most one OPT, only in the additional section, owned by
 * the root, with well-formed options.  Bytes after the last record are
 * ignored.  Returns the status; `q` holds what was parsed so far. */
enum dns_parse_status dns_query_parse(const uint8_t *pkt, size_t len,
				      struct dns_query *q);

/* Steps the cursor over a (possibly compressed) name without following
 * pointers.  Returns 0, or -1 (cursor unspecified) if the name is truncated,
 * longer than 255 bytes or uses a reserved label type. */
int dns_name_skip(struct dns_buffer *b);

#endif
