/* dataset.h -- in-memory model of one parsed blocklist dataset.
 *
 * The feed parsers (feed.h) turn rbldnsd-format files into a `struct dataset`;
 * the store (store.h) derives its lookup tables from it and writes them in one
 * LMDB transaction.  Nothing here knows about files or LMDB: this is the
 * contract between the two.
 *
 * Conventions:
 *  - Addresses are big-endian bytes in a 16-byte array; IPv4 uses the first 4
 *    bytes and prefix lengths 0..32, IPv6 all 16 and 0..128.
 *  - Domain names are uncompressed DNS wire format, lowercased, RELATIVE to
 *    the zone: a sequence of length-prefixed labels ending in a zero byte.
 *    The zone apex itself is the single byte "\0".
 *  - Answer values are interned per dataset: entries carry an index into
 *    `values`, so a million entries that share the default cost one value.
 */
#ifndef DNSBLD_DATASET_H
#define DNSBLD_DATASET_H

#include <stddef.h>
#include <stdint.h>

enum ds_type {
	DS_IP4SET = 0,
	DS_IP4TSET,
	DS_IP4TRIE,
	DS_IP6TRIE,
	DS_IP6TSET,
	DS_DNSET,
	DS_GENERIC,
	DS_COMBINED,
	DS_ACL,
	DS_TRAP,         /* spam-trap listings (lib/trap*.c): IPv4 /32 and IPv6
	                    /prefix6 entries in one dataset, answered like an
	                    ip4trie and an ip6trie; never loaded from files */
	DS_COUNTRY,      /* IP-to-country table (lib/feed_geo.c): both families,
	                    disjoint prefixes answering 127.0.x.y and "CC" */
	DS_ASN,          /* IP-to-ASN table: Team Cymru's origin TXT */
	DS_TYPE_COUNT
};

/* Name as written in configs and rbldnsd specs ("ip4set"), or NULL. */
const char *ds_type_name(enum ds_type type);
/* Parses a type name (case-insensitive); returns 0 or -1 if unknown. */
int ds_type_parse(const char *name, enum ds_type *out);

/* What a dataset of a type is searched by: IPv4 and/or IPv6 addresses,
 * or domain names.  A combined dataset has none itself: its sections say. */
enum { DS_KEYS_IP4 = 1, DS_KEYS_IP6 = 2, DS_KEYS_NAME = 4 };
unsigned ds_type_keys(enum ds_type type);
/* The DS_KEYS_* bit of an address family (4 or 6; 0 = a name). */
static inline unsigned ds_keys_of_family(int family)
{
	return family == 4 ? DS_KEYS_IP4 : family == 6 ? DS_KEYS_IP6
						       : DS_KEYS_NAME;
}

/* What an entry's value means.  Plain lists only use VAL_LISTED; acl
 * datasets use the others (rbldnsd's :ignore :refuse :empty :pass). */
enum ds_value_kind {
	VAL_LISTED = 0,  /* answer with a and txt */
	VAL_ACL_IGNORE,  /* drop the query silently */
	VAL_ACL_REFUSE,  /* REFUSED */
	VAL_ACL_EMPTY,   /* answer as if nothing were listed */
	VAL_ACL_PASS     /* normal processing */
};

struct ds_value {
	uint8_t kind;     /* enum ds_value_kind */
	uint32_t a;       /* A record, host byte order (127.0.0.2 = 0x7f000002) */
	char *txt;        /* TXT template (rbldnsd `$` syntax, unexpanded), NULL = none */
	uint16_t txtlen;  /* bytes in txt, at most 255 */
};

/* An address prefix entry (ip4set, ip4tset, ip4trie, ip6trie, ip6tset, acl).
 * ip4set ranges arrive already expanded to rbldnsd's /32 /24 /16 /8 levels.
 * This is how entries are added and read (dataset_add_ip, dataset_ip_get);
 * a dataset keeps its IPv4 ones as struct ds_ip4_entry. */
struct ds_ip_entry {
	uint8_t addr[16];  /* host bits beyond plen are zero */
	uint8_t family;    /* 4 or 6 */
	uint8_t plen;      /* 0..32 (family 4) or 0..128 (family 6) */
	uint8_t excluded;  /* written with a leading '!' */
	uint32_t value;    /* index into dataset.values; ignored if excluded */
	uint32_t seq;      /* order of appearance, for "first one wins" types */
};

/* How a dataset keeps an IPv4 entry: 16 bytes where a ds_ip_entry takes
 * 28, for the feeds with tens of millions of them. */
struct ds_ip4_entry {
	uint32_t addr;     /* host byte order, host bits beyond plen zero */
	uint32_t value;
	uint32_t seq;
	uint8_t plen;      /* 0..32 */
	uint8_t excluded;
};

/* A dnset entry.  `.d` arrives as two entries (exact and wild). */
struct ds_dn_entry {
	uint8_t *name;     /* wire format, lowercase, relative to the zone */
	uint8_t wild;      /* 0: the name itself; 1: its subdomains only (*.d) */
	uint8_t excluded;
	uint32_t value;
	uint32_t seq;
};

/* A generic dataset record (A, TXT or MX). */
struct ds_rr {
	uint8_t *name;     /* wire format, lowercase, relative; apex = "\0" */
	uint16_t type;     /* 1 A, 16 TXT, 15 MX */
	uint32_t ttl;      /* 0 = the zone default */
	uint16_t rdlen;
	uint8_t *rdata;    /* RFC 1035 rdata; MX target as an absolute wire name
	                      when written with a trailing dot, else relative and
	                      flagged by `rel_target` */
	uint8_t rel_target;
	uint32_t seq;
};

/* rbldnsd special lines that describe the dataset as a whole. */
struct ds_soa {
	int present;
	uint32_t ttl;          /* 0 = the zone default */
	uint8_t *mname, *rname;/* absolute wire names */
	uint32_t serial;       /* 0 = newest source file mtime */
	uint32_t refresh, retry, expire, minimum;
};

#define DS_MAX_NS 32
struct ds_ns {
	uint32_t ttl;
	size_t count;
	uint8_t *names[DS_MAX_NS]; /* absolute wire names */
};

struct ds_meta {
	struct ds_soa soa;       /* first $SOA */
	struct ds_ns ns;         /* first $NS line */
	uint32_t ttl;            /* last $TTL, 0 = not given */
	uint32_t maxrange4;      /* $MAXRANGE4 in addresses, 0 = unlimited */
	int64_t timestamp;       /* $TIMESTAMP stamp (unix), 0 = not given */
	int64_t expires;         /* $TIMESTAMP expiry (unix), 0 = never */
	char *vars[10];          /* $0..$9, NULL = undefined */
	char *base_template;     /* $=, NULL = undefined */
};

struct dataset;

/* A `$DATASET type[:name] sub1 sub2 ...` section of a combined dataset. */
struct ds_child {
	char *label;             /* the optional :name, for logs */
	size_t nsubzones;
	uint8_t **subzones;      /* wire names relative to the base zone; "\0" = @ */
	struct dataset *data;
};

/* The entries of a prefix that several IPv4 entries give, as an update of
 * changed lines must know them (the store keeps only the answer they
 * make): one row per distinct value, with how many entries have it.  A
 * table of them is sorted by (addr, plen, ref). */
struct ds_ip4_multi {
	uint32_t addr;      /* host byte order */
	uint8_t plen;
	uint32_t ref;       /* the store's value id; 0: the exclusions */
	uint32_t count;
};

/* An update of an ip4set from the feed lines that changed (lib/dsdelta.c).
 * With `update` set, the dataset's IPv4 entries are those of the lines
 * added and `removed`'s those of the lines taken away (with values of its
 * own); the store keeps every other record it holds, and `multi` holds
 * the entries of those that several entries give.  Either way
 * store_put_dataset fills `multi_out` with the same once it is written
 * (malloc'd; the caller frees it). */
struct ds_ip4_delta {
	int update;
	const struct dataset *removed;
	const struct ds_ip4_multi *multi;
	size_t nmulti;
	struct ds_ip4_multi *multi_out;
	size_t nmulti_out;
};

struct dataset {
	enum ds_type type;
	struct ds_meta meta;

	struct ds_value *values;
	size_t nvalues, values_cap;

	struct ds_ip4_entry *ip4;     /* the IPv4 entries */
	size_t nip4, ip4_cap;
	int ip4_sorted;               /* dataset_sort_ip4 sorted them and none
	                                 was added since */
	/* Set by a caller that only frees the dataset after storing it:
	 * store_put_dataset may then give the IPv4 entries' pages back as it
	 * writes them, so a big feed's entries and the write's pages are not
	 * held at the same time (their contents are gone afterwards). */
	int ip4_spendable;
	/* Set for an update made of only the feed lines that changed, and
	 * for the full load that prepares one (struct ds_ip4_delta). */
	struct ds_ip4_delta *ip4_delta;
	struct ds_ip_entry *ip;       /* the others (IPv6) */
	size_t nip, ip_cap;

	struct ds_dn_entry *dn;
	size_t ndn, dn_cap;

	struct ds_rr *rr;
	size_t nrr, rr_cap;

	struct ds_child *children;   /* combined only */
	size_t nchildren, children_cap;
};

/* Allocates an empty dataset of `type`; NULL on out of memory. */
struct dataset *dataset_new(enum ds_type type);
/* Frees the dataset and everything it owns (children included). */
void dataset_free(struct dataset *ds);

/* Interns a value: returns its index (the same index for an equal value),
 * or -1 on out of memory.  `txt` may be NULL; it is copied. */
int64_t dataset_value(struct dataset *ds, uint8_t kind, uint32_t a,
		      const char *txt, size_t txtlen);

/* Appends entries; the dataset copies names and rdata.  Return 0 or -1 on
 * out of memory.  `seq` is assigned from the dataset's running count. */
int dataset_add_ip(struct dataset *ds, const struct ds_ip_entry *e);
int dataset_add_dn(struct dataset *ds, const struct ds_dn_entry *e);
int dataset_add_rr(struct dataset *ds, const struct ds_rr *rr);
/* The address entries, IPv4 ones first: how many, and the i-th
 * (i < dataset_nip) as a ds_ip_entry. */
size_t dataset_nip(const struct dataset *ds);
/* dataset_add_ip for an IPv4 entry given as a number (host byte order),
 * without the ds_ip_entry round trip: the loop of a big ip4set feed. */
int dataset_add_ip4(struct dataset *ds, uint32_t addr, uint8_t plen,
		    uint8_t excluded, uint32_t value);
void dataset_ip_get(const struct dataset *ds, size_t i, struct ds_ip_entry *out);

/* Sorts the IPv4 entries by (address, plen, seq), the order the store
 * writes them in: a parser does it once it is done, so the store need not
 * sort a copy of them.  0, or -1 out of memory (left unsorted). */
int dataset_sort_ip4(struct dataset *ds);
/* Whether the IPv4 entries are in that order: known without a pass over
 * them when dataset_sort_ip4 sorted them and none was added since. */
int dataset_ip4_in_order(const struct dataset *ds);
/* Whether `n` IPv4 entries are in that order (1 or 0); sorting them in
 * place (0, or -1 out of memory). */
int ds_ip4_sorted(const struct ds_ip4_entry *a, size_t n);
int ds_ip4_sort(struct ds_ip4_entry *a, size_t n);

/* Appends a combined section; returns it (owning a new empty dataset of
 * `type`), or NULL on out of memory. */
struct ds_child *dataset_add_child(struct dataset *ds, enum ds_type type,
				   const char *label);

/* Wire-name helpers shared by parsers, store and server. */
/* Length of a wire name including the final zero byte. */
size_t wname_len(const uint8_t *wname);
/* Number of labels (the apex "\0" has 0). */
unsigned wname_labels(const uint8_t *wname);
/* Copies a wire name into fresh memory; NULL on out of memory. */
uint8_t *wname_dup(const uint8_t *wname);

#endif
