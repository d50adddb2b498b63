/* dns_encode.h -- write a DNS reply: header, question, records, OPT.
 *
 * Replies are written front to back into a caller-owned buffer whose limit is
 * the size the client accepts; every record either fits whole or is not
 * written at all (the call fails and the buffer is as before), so the
 * answer logic can set TC without ever sending a partial record.
 *
 * Name compression needs no search: the question name sits at offset 12, and
 * every owner this server writes is that name or one of its suffixes (the
 * zone apex), so owners are 2-byte pointers; names inside rdata (SOA, NS, MX)
 * that end in the zone point at the zone inside the question.
 */
#ifndef DNSBLD_DNS_ENCODE_H
#define DNSBLD_DNS_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "dns_buffer.h"
#include "dns_packet.h"

enum dns_section { DNS_SEC_ANSWER = 0, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL };

struct dns_owners;

struct dns_writer {
	struct dns_buffer b;
	struct dns_owners *own;   /* records with owners of their own (zone
	                             transfers), or NULL: dns_writer_owners */
	uint16_t qdcount;
	uint16_t count[3];        /* per enum dns_section */
	enum dns_section section; /* where the next record is counted */
	size_t zone_off;          /* offset of the zone name in the packet
	                             (inside the question); 0 = none */
	const uint8_t *zone;      /* that zone, lowercase wire, or NULL */
};

/* Starts a reply in `buf`, at most `limit` bytes (at least 12). */
void dns_writer_init(struct dns_writer *w, uint8_t *buf, size_t limit);

/* Writes the header: id and the flags word (opcode, flags and the low 4
 * bits of the rcode); counts are filled in by dns_writer_finish. */
int dns_encode_header(struct dns_writer *w, uint16_t id, uint16_t flags);

/* Copies the query's question as the client wrote it (0x20 case kept).
 * Must follow the header directly; the name lands at offset 12. */
int dns_encode_question(struct dns_writer *w, const struct dns_query *q);

/* Declares that the question name ends in `zone` (lowercase wire name),
 * `labels_before` labels in front of it, so that records can point at the
 * apex and rdata names can be compressed against it.  Returns the apex
 * offset (usable as an owner). */
size_t dns_writer_set_zone(struct dns_writer *w, const struct dns_query *q,
			   const uint8_t *zone, unsigned labels_before);

/* Chooses the section the following records count in (in order). */
void dns_writer_section(struct dns_writer *w, enum dns_section s);

/* Record writers.  `owner` is the packet offset of the owner name (12 for
 * the question name, or the apex offset).  Return 0, or -1 when the record
 * does not fit (nothing written). */
int dns_encode_a(struct dns_writer *w, size_t owner, uint16_t class,
		 uint32_t ttl, uint32_t addr);
/* One character-string of `len` (<= 255) bytes. */
int dns_encode_txt(struct dns_writer *w, size_t owner, uint16_t class,
		   uint32_t ttl, const char *txt, size_t len);
/* `name` is an absolute wire name. */
int dns_encode_ns(struct dns_writer *w, size_t owner, uint32_t ttl,
		  const uint8_t *name);
/* CNAME (zone transfers): `name` is an absolute wire name. */
int dns_encode_cname(struct dns_writer *w, size_t owner, uint32_t ttl,
		     const uint8_t *name);
/* MX: `target` is absolute, or relative to the zone if `relative`. */
int dns_encode_mx(struct dns_writer *w, size_t owner, uint32_t ttl,
		  uint16_t pref, const uint8_t *target, int relative);
int dns_encode_soa(struct dns_writer *w, size_t owner, uint32_t ttl,
		   const uint8_t *mname, const uint8_t *rname, uint32_t serial,
		   uint32_t refresh, uint32_t retry, uint32_t expire,
		   uint32_t minimum);
/* Any record with opaque rdata (no names inside). */
int dns_encode_raw(struct dns_writer *w, size_t owner, uint16_t type,
		   uint16_t class, uint32_t ttl, const uint8_t *rdata,
		   uint16_t rdlen);
/* Rdata encoded once (per zone, when the zone plan is built) and copied
 * into every reply: names inside it that end in the zone are stored as
 * their labels in front of the zone plus a pointer whose target, the zone's
 * offset in the question, is patched in at write time.  The SOA of every
 * negative answer is written this way, with no name walk per query. */
#define DNS_TMPL_MAX (2 * DNAME_MAX + 20)
struct dns_rdata_tmpl {
	uint16_t len;
	uint8_t nptr;                 /* zone pointers in data */
	uint16_t ptr_at[2];           /* their offsets in data */
	uint8_t data[DNS_TMPL_MAX];
};
/* Encodes SOA rdata for zone `zone` (lowercase absolute wire name) into
 * `t`, compressing as dns_encode_soa does.  0, or -1 if a name is bad. */
int dns_tmpl_soa(struct dns_rdata_tmpl *t, const uint8_t *zone,
		 const uint8_t *mname, const uint8_t *rname, uint32_t serial,
		 uint32_t refresh, uint32_t retry, uint32_t expire,
		 uint32_t minimum);
/* Writes a class IN record of `type` with the rdata of template `t`.  The
 * writer's zone (dns_writer_set_zone) must be the template's zone.  0, or
 * -1 when it does not fit (nothing written) or no zone is set. */
int dns_encode_tmpl(struct dns_writer *w, size_t owner, uint16_t type,
		    uint32_t ttl, const struct dns_rdata_tmpl *t);

/* Owner names of their own (a zone transfer's records): after
 * dns_writer_owners(w, o) and dns_writer_set_zone, dns_writer_owner(w, rel)
 * names the owner of the records that follow, and those records are written
 * with `owner` DNS_OWNER_SET.  The first one writes the name compressed
 * against the previous owner's labels and the zone (so consecutive names
 * that share a suffix cost a label and a pointer), the others point at it.
 * `o` is caller-owned scratch; dns_writer_owners resets it for a message. */
#define DNS_OWNER_SET ((size_t)-1)
struct dns_owners {
	uint8_t name[DNAME_MAX];      /* the current owner, relative wire */
	size_t off;                   /* where it was written, 0 = not yet */
	uint8_t prev[DNAME_MAX];      /* the last owner written, relative */
	unsigned prev_labels;
	uint16_t sfx[DNS_MAX_LABELS + 1]; /* offset of its last k labels (+
	                                     the zone), k = 0..prev_labels */
};
void dns_writer_owners(struct dns_writer *w, struct dns_owners *o);
/* 0, or -1 if `rel` + the zone is not a valid name (nothing changed). */
int dns_writer_owner(struct dns_writer *w, const uint8_t *rel);

/* The OPT pseudo-record: our UDP size, the upper 8 bits of the extended
 * rcode, version 0, `flags` (only DO is kept), no options. */
int dns_encode_opt(struct dns_writer *w, uint16_t udp_size,
		   uint8_t ext_rcode, uint16_t flags);

/* Current length; a mark to roll back to with dns_writer_rollback (drops
 * records written after it, counts included). */
struct dns_writer_mark {
	size_t pos;
	uint16_t count[3];
};
void dns_writer_mark(const struct dns_writer *w, struct dns_writer_mark *m);
void dns_writer_rollback(struct dns_writer *w, const struct dns_writer_mark *m);

/* Fills in the header counts; returns the reply length. */
size_t dns_writer_finish(struct dns_writer *w);

/* Sets header flag bits in a written header (e.g. TC after the fact). */
void dns_writer_set_flags(struct dns_writer *w, uint16_t set, uint16_t clear);

#endif
