/* store_layout.h -- the store's on-disk layout: databases, keys, records.
 *
 * Private to lib/store_*.c.  Everything is big-endian so that LMDB's default
 * byte order is address / id order.  Why this shape: an address lookup must
 * cost one B+tree descent, and a 1M-entry list must stay small on disk, so
 * the address tables are LMDB DUPSORT|DUPFIXED databases whose only key is
 * the dataset id: the records of one dataset are the packed, fixed-size
 * "duplicates" of that key (LEAF2 pages: no per-record node header).
 *
 * Schema version STORE_SCHEMA (bump on any change below).
 *
 *  info    plain.  "schema" -> u32; "generation" -> u64 (bumped by every
 *          commit); "next_dsid", "next_value", "next_set" -> u32 counters.
 *  names   plain.  dataset name (bytes, no NUL) -> dsid u32 + flags u8
 *          (NAME_HIDDEN: a combined dataset's section, named "parent/N").
 *  meta    plain.  dsid u32 -> metadata blob (store_meta.c).
 *  values  plain.  ref u32 -> value or value-set record:
 *            value: 0x00, kind u8, a u32, hastxt u8, txt bytes (rest)
 *            set:   0x01, value ids u32... (2..STORE_MAX_MATCH; an
 *                   ip4set's ordered by value record, else data order)
 *  vindex  plain.  the record above -> ref u32 (global dedup, every dataset).
 *  src4    DUPSORT|DUPFIXED.  dsid u32 -> {addr[4], plen u8, ref u32}
 *  src6    DUPSORT|DUPFIXED.  dsid u32 -> {addr[16], plen u8, ref u32}
 *          The operator's entries, one per distinct prefix, already
 *          collapsed by the type's equal-prefix rule; ref 0 = exclusion.
 *  ip4     DUPSORT|DUPFIXED.  dsid u32 -> {end[4], start[4], ref u32}
 *  ip6     DUPSORT|DUPFIXED.  dsid u32 -> {end[16], start[16], ref u32}
 *          The derived interval map: disjoint listed intervals sorted by
 *          end; lookup = MDB_GET_BOTH_RANGE(dsid, addr), then start <= addr.
 *          In these four tables a big dataset may also have an overlay
 *          (store_overlay.h): key dsid | OVL_ADD -> records added to the
 *          ones under dsid, dsid | OVL_DEL -> records of dsid taken away.
 *          So a dataset id is below OVL_DEL.
 *  dn      plain.  dsid u32 + reversed name + 0x00 + tag u8 -> data
 *          reversed name: the labels from the zone down, each as len u8 +
 *          bytes (lowercase), so every subtree is one contiguous key range.
 *          tag 0 (dnset exact): data = ref u32
 *          tag 1 (dnset wildcard *.d): the name is d plus a last "*" label
 *          (so the wildcard sorts below d, as its DNS name does); data = ref
 *          A name's own records are "name 0x00 tag"; its descendants are
 *          "name len>=1 ...": store_name_has_below is one MDB_SET_RANGE.
 *          tag 2 (generic): data = the name's records in data order, each
 *          type u16, ttl u32, rel_target u8, rdlen u16, rdata.
 *
 * A "ref" is a value id (1..0x7fffffff, one answer value) or a set id
 * (REF_SET bit + n, several value ids), so the common single-value answer
 * needs no second read.  0 is "excluded" in source records.
 *
 * Hand edits (dnsbl-ctl) keep three more tables.  They came without a
 * schema change: no lookup reads them and older programs never open them,
 * so a writer simply creates them in an older store (env_open_dbs) and a
 * reader of a store that lacks them sees them empty (st->dbi[i] == 0).
 *
 *  history plain.  seq u64 (1, 2, ... in commit order) -> version u8,
 *          time i64, op u8 (enum store_hist_op), expires i64, then four
 *          str (u16 length + bytes): dataset, entry as written, reason,
 *          user.  Kept by name, not dsid, so it outlives a drop.
 *  expiry  plain.  Entries added with `--for`, two keys per entry:
 *            EXP_BY_TIME, time u64, dsid u32, entry key -> (empty)
 *            EXP_BY_ENTRY, dsid u32, entry key -> time u64
 *          so the sweep is one range scan from the start, and a new edit
 *          of the entry finds (and replaces) its old expiry.  entry key:
 *            EKEY_IP4 / EKEY_IP6, addr[4 or 16], plen u8
 *            EKEY_DN, wild u8, relative wire name (lowercase)
 *  status  plain.  dataset name -> its last hand edit or expiry, or its
 *          last failed load (a successful load deletes it): version u8,
 *          time i64, kind u8 (enum store_status_kind), ok u8, added u64,
 *          removed u64, entries u64, str message.
 *
 * Spam traps (lib/trap*.c) keep a fourth optional table, the same way.
 * A trap dataset (DS_TRAP) is ONE dataset holding both families: its
 * listings are ordinary src4/src6 entries (IPv4 /32, IPv6 /prefix6) with
 * their ip4/ip6 interval maps, so an answer is the usual one descent per
 * family; each listing's end is its expiry-table time (the sweep removes
 * it), and each listing a history record (op add, user dnsbl-loader).
 *
 *  trap    plain.  dsid u32, family u8 (4 or 6), the sender's address
 *          (4 bytes) or IPv6 prefix (16 bytes, host bits zero) -> its
 *          counter (struct trap_counter): version u8, hits u32, first
 *          i64, last i64, listed_until i64, listed_for u32, times_listed
 *          u32, last_listed i64, norelist_until i64, nslots u8, then
 *          nslots x {tag u32, time u32} (the newest hits in the window,
 *          oldest first).  9 + 54..182 bytes; a counter goes (store_trap_
 *          prune) once nothing is listed and its window and repeat
 *          memory are over.  norelist_until is for a hand delisting with
 *          a no-relist period: a listing never starts before it.
 *          Version 2 (a counter with an rDNS outcome, `rdns: true`) is
 *          version 1 followed by: status u8 (enum trap_rdns_status), the
 *          family u8 and address [16] looked up, time i64, name length
 *          u8, the PTR name (text, no NUL); a counter without one stays
 *          version 1, so stores written before read as they are.
 *
 * dnsbl-web's removal requests (lib/store_request.c) keep a fifth:
 *
 *  request plain.  seq u64 (1, 2, ... in order) -> version u8, time i64,
 *          str item, str client, str contact, str message, str outcome.
 */
#ifndef DNSBLD_STORE_LAYOUT_H
#define DNSBLD_STORE_LAYOUT_H

#include <stdint.h>
#include <string.h>

#define STORE_SCHEMA 1

enum store_db {
	SDB_INFO = 0,
	SDB_NAMES,
	SDB_META,
	SDB_VALUES,
	SDB_VINDEX,
	SDB_SRC4,
	SDB_SRC6,
	SDB_IP4,
	SDB_IP6,
	SDB_DN,
	SDB_HISTORY,        /* from here on: optional, see above */
	SDB_EXPIRY,
	SDB_STATUS,
	SDB_TRAP,
	SDB_REQUEST,
	SDB_COUNT
};
#define SDB_FIRST_OPTIONAL SDB_HISTORY

#define EXP_BY_TIME 1
#define EXP_BY_ENTRY 2
#define EKEY_IP4 4
#define EKEY_IP6 6
#define EKEY_DN 0x64
/* kind + wild + a wire name */
#define EKEY_MAX (2 + 255)
#define HIST_VERSION 1
#define TRAP_VERSION 1
#define TRAP_VERSION_RDNS 2     /* version 1 + the rDNS outcome */
/* dsid + family + an IPv6 prefix */
#define TRAPKEY_MAX (4 + 1 + 16)
/* version .. nslots (54 bytes), then 8 bytes per slot */
#define TRAPREC_FIXED 54
/* ...then (version 2) status, family, addr[16], time, name length, name */
#define TRAPREC_RDNS_MAX (27 + 253)
#define TRAPREC_MAX (TRAPREC_FIXED + 8 * 16 + TRAPREC_RDNS_MAX)
#define STATUS_VERSION 1
#define REQ_VERSION 1

#define NAME_HIDDEN 0x1

#define OVL_ADD 0x80000000u
#define OVL_DEL 0x40000000u
#define DSID_MAX (OVL_DEL - 1)

#define REF_EXCLUDED 0u
#define REF_SET 0x80000000u

#define SRC4_REC 9
#define SRC6_REC 21
#define IP4_REC 12
#define IP6_REC 36

#define DNK_EXACT 0
#define DNK_WILD 1
#define DNK_RRS 2
/* dsid + reversed name (at most 255) + wildcard label + terminator + tag */
#define DNKEY_MAX (4 + 255 + 2 + 2)
#define DN_MAX_LABELS 128

#define VALREC_VALUE 0
#define VALREC_SET 1
#define VALREC_MAX (1 + 4 * 128)

/* The tables' key order (LMDB's default, and env_cmp_bytes'): bytes,
 * then the shorter first. */
static inline int store_key_cmp(const void *a, size_t alen, const void *b,
				size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void be64_put(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

static inline uint64_t be64_get(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}

/* Addresses as numbers, for interval arithmetic (IPv4 uses 4 bytes). */
__extension__ typedef unsigned __int128 layout_u128;

/* An address of `alen` bytes (4 or 16: whole-word loads, as these run
 * for every record of a big dataset's derivation and diff). */
static inline layout_u128 layout_addr_get(const uint8_t *a, unsigned alen)
{
	if (alen == 4)
		return be32_get(a);
	return (layout_u128)be64_get(a) << 64 | be64_get(a + 8);
}

static inline void layout_addr_put(layout_u128 v, uint8_t *a, unsigned alen)
{
	if (alen == 4) {
		be32_put(a, (uint32_t)v);
		return;
	}
	be64_put(a, (uint64_t)(v >> 64));
	be64_put(a + 8, (uint64_t)v);
}

/* Last address of the prefix starting at `s` of `plen` bits of `bits`. */
static inline layout_u128 layout_prefix_end(layout_u128 s, unsigned plen,
					     unsigned bits)
{
	unsigned host = bits - plen;

	return s | (host == 128 ? ~(layout_u128)0 : (((layout_u128)1 << host) - 1));
}

/* Packs an IPv4 source record: address (host order), plen, ref. */
static inline void layout_src4_put(uint8_t *rec, uint32_t addr, uint8_t plen,
				   uint32_t ref)
{
	be32_put(rec, addr);
	rec[4] = plen;
	be32_put(rec + 5, ref);
}

/* Record size of the src / ip table of `family` (4 or 6). */
static inline unsigned layout_src_size(int family)
{
	return family == 4 ? SRC4_REC : SRC6_REC;
}

static inline unsigned layout_ip_size(int family)
{
	return family == 4 ? IP4_REC : IP6_REC;
}

/* Builds dsid + reversed, lowercased labels of relative wire name `wname`
 * into `key` (DNKEY_MAX bytes), without the terminator and tag.  If `lvl`
 * is given, lvl[k] is the key length after the k topmost labels
 * (lvl[0] = 4), and wire offsets woff[k] of the name with those k labels
 * (woff[0] = the apex "\0" offset) go to `woff` if given.  Returns the key
 * length, or -1 if the name is malformed (label > 63, name > 255, more than
 * DN_MAX_LABELS labels).  *nlabels gets the label count. */
int store_dnkey(uint32_t dsid, const uint8_t *wname, uint8_t *key,
		uint16_t *lvl, uint16_t *woff, unsigned *nlabels);

#endif
