/* store.h -- the LMDB store: every dataset, its lookup tables and metadata.
 *
 * One LMDB environment (a directory) holds all datasets.  The loader writes a
 * whole dataset change in ONE write transaction (store_put_dataset), as a diff
 * against what is stored, so a reader sees the old or the new dataset, never
 * half of one.  The server reads through a `store_reader`: one reusable read
 * transaction per thread, renewed per batch of queries; lookups allocate
 * nothing and return views into the memory map that stay valid until the
 * reader is reset or renewed.
 *
 * Address lookups cost one B+tree descent per dataset whatever the prefix
 * lengths in the data: the store keeps a derived, disjoint interval map keyed
 * by interval end.  Domain lookups cost at most one descent per label.
 *
 * All functions return 0 on success or a negative STORE_E* code; the ones
 * that take `err` fill it with a readable message on failure.
 */
#ifndef DNSBLD_STORE_H
#define DNSBLD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dataset.h"

#define STORE_OK 0
#define STORE_ENOTFOUND (-1)  /* no such dataset / key */
#define STORE_EIO (-2)        /* LMDB or file system error */
#define STORE_ENOMEM (-3)
#define STORE_EINVAL (-4)     /* bad argument or corrupt record */
#define STORE_ESCHEMA (-5)    /* store written by an incompatible version */
#define STORE_ESPENT (-6)     /* the write has to be made again from a fresh
                                 dataset (see dataset.ip4_spendable) */
#define STORE_EDELTA (-7)     /* an update of the changed lines only does not
                                 fit the stored version (dataset.ip4_delta):
                                 nothing changed; load the whole feed */

#define STORE_READONLY 0x1    /* open for reading only (server, tools) */

struct store;
struct store_reader;

/* Opens (creating it unless STORE_READONLY) the environment in directory
 * `dir`.  The map size grows as needed on write (not while this process
 * has a reader open: the write then fails with STORE_EIO, nothing changed).
 * Env DNSBLD_STORE_MAPSIZE (bytes) sets the initial map size (tests). */
int store_open(struct store **out, const char *dir, unsigned flags,
	       char *err, size_t errlen);
void store_close(struct store *st);
/* The store's directory, as given to store_open. */
const char *store_dir(const struct store *st);

/* ---- writing (loader, admin tools) -------------------------------------- */

/* Identity of a source file, kept in the dataset's metadata. */
struct store_source {
	const char *path;
	uint64_t size;
	int64_t mtime;
	uint64_t hash;   /* XXH64 of the raw file bytes (content_hash.h) */
};

struct store_apply_stats {
	uint64_t entries;   /* source entries now stored */
	uint64_t added;     /* records written (source + derived) */
	uint64_t removed;   /* records deleted */
	uint64_t unchanged; /* records left as they were */
};

/* Replaces dataset `name` with `ds` in one write transaction, writing only
 * what differs from the stored version.  On failure nothing changed.
 * A combined dataset's sections are stored as hidden child datasets
 * ("name/1", "name/2", ...).  Names are 1..200 bytes without '/'.  An
 * address answers at most STORE_MAX_MATCH distinct values (an ip4set's
 * first ones by value, the other types' first ones in data order).  When ds->ip4_spendable is set, the IPv4 entries' memory
 * is given back as they are written; STORE_ESPENT then says that the write
 * could not be finished with them (the map had to grow again): nothing
 * changed, and only a dataset parsed afresh can be put. */
int store_put_dataset(struct store *st, const char *name,
		      const struct dataset *ds,
		      const struct store_source *sources, size_t nsources,
		      struct store_apply_stats *stats, char *err, size_t errlen);

/* One change to an address dataset's source entries (admin listing or
 * delisting, trap hits, live updates). */
enum store_edit_op {
	STORE_EDIT_SET = 0,    /* the prefix answers exactly `value` */
	STORE_EDIT_EXCLUDE,    /* the prefix becomes an exclusion (a hole) */
	STORE_EDIT_REMOVE      /* the prefix's entry is deleted (if any) */
};
struct store_ip_edit {
	uint8_t op;            /* enum store_edit_op */
	uint8_t family;        /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];      /* host bits beyond plen zero */
	struct ds_value value; /* STORE_EDIT_SET only */
};

/* Applies `edits` in order to stored address dataset `name` (ip4set,
 * ip4tset, ip4trie, ip6trie, ip6tset, acl) in one write transaction,
 * re-deriving only the intervals each edit overlaps.  An edit replaces the
 * entry at exactly that prefix (for set types too: no union with what was
 * there).  The serial and generation move as for store_put_dataset.
 * STORE_ENOTFOUND if `name` is not stored; STORE_EINVAL for another type
 * or a malformed edit (err names which).  On failure nothing changed. */
int store_edit_ip(struct store *st, const char *name,
		  const struct store_ip_edit *edits, size_t nedits,
		  struct store_apply_stats *stats, char *err, size_t errlen);

/* ---- hand edits (store_edit.c, store_history.c, store_expiry.c) -------- */

/* One change to a dnset's entries. */
struct store_dn_edit {
	uint8_t op;            /* enum store_edit_op */
	uint8_t wild;          /* the `*.name` entry (subdomains only) */
	uint8_t name[256];     /* relative wire name (lowercased when stored) */
	struct ds_value value; /* STORE_EDIT_SET only */
};

/* What a history record says happened. */
enum store_hist_op {
	STORE_HIST_NONE = 0,   /* write no history record */
	STORE_HIST_ADD,        /* dnsbl-ctl add */
	STORE_HIST_DEL,        /* dnsbl-ctl del */
	STORE_HIST_EXPIRE      /* an entry's --for time passed */
};

/* One hand edit of one dataset (dnsbl-ctl add / del): the entries one
 * line of the operator's means (an ip4set range, a `.domain`: several),
 * when they expire, and the history record that says who and why. */
struct store_change {
	const struct store_ip_edit *ip;   /* address datasets */
	size_t nip;
	const struct store_dn_edit *dn;   /* dnset */
	size_t ndn;
	enum ds_type type;     /* the type the dataset must have */
	int create;            /* not stored yet: create it, empty, of `type` */
	int64_t now;           /* the clock (unix time): serial, history */
	int64_t expires;       /* > 0: the entries this change sets go away
	                          then (store_expire); 0: they stay, and any
	                          earlier expiry of theirs is cancelled */
	const int64_t *ip_expires; /* non-NULL: ip[i] expires at ip_expires[i]
	                          instead (trap listings: one time each) */
	enum store_hist_op op; /* the history record (STORE_HIST_NONE: none) */
	const char *entry;     /* the entry as the operator wrote it */
	const char *reason;    /* NULL = none */
	const char *user;      /* who (the Unix user) */
};

/* Applies `ch` to dataset `name` in one write transaction, re-deriving
 * only what each edit overlaps, and records it: the entries' expiry, a
 * history record and the dataset's status (store_status_get), when
 * anything changed.  An edit replaces the entry at exactly its key.  The
 * dataset's serial then exceeds every dataset's and zone's serial in the
 * store, so the SOA serial of each zone serving it moves.  *changed (may
 * be NULL) is 1 if a record or an expiry changed, else 0 (nothing was
 * written).  STORE_ENOTFOUND if `name` is not stored (and not ch->create);
 * STORE_EINVAL for a type other than ch->type or an edit the type does not
 * take (err says which).  On failure nothing changed. */
int store_change(struct store *st, const char *name,
		 const struct store_change *ch, struct store_apply_stats *stats,
		 int *changed, char *err, size_t errlen);

/* A history record, as store_iter_history shows it (views valid during
 * the call; absent strings are ""). */
struct store_hist {
	uint64_t seq;          /* 1, 2, ... in commit order */
	int64_t time;
	enum store_hist_op op;
	int64_t expires;       /* an add's --for end, else 0 */
	const char *dataset, *entry, *reason, *user;
};
/* Walks the history oldest first, only dataset `dataset`'s records if it
 * is not NULL.  Returns as the other walks do (store_iter.c). */
int store_iter_history(struct store_reader *rd, const char *dataset,
		       int (*fn)(const struct store_hist *h, void *arg),
		       void *arg);

/* Removes every entry whose expiry time is `now` or earlier, all in one
 * write transaction, each dataset's serial moving once, with a history
 * record (op STORE_HIST_EXPIRE, user `user`) per entry.  Cheap when
 * nothing is due (a read, no write lock), so a watcher may call it every
 * second.  *removed (may be NULL) gets the entries removed.  0 or a
 * STORE_E* code (err set; nothing changed). */
int store_expire(struct store *st, int64_t now, const char *user,
		 uint64_t *removed, char *err, size_t errlen);

/* The expiry time of one entry of dataset `dsid`: 1 and *when, 0 if it
 * does not expire, <0 on error. */
int store_expiry_ip(struct store_reader *rd, uint32_t dsid, int family,
		    const uint8_t addr[16], unsigned plen, int64_t *when);
int store_expiry_dn(struct store_reader *rd, uint32_t dsid,
		    const uint8_t *name, int wild, int64_t *when);
/* Pending expiries of dataset `dsid`: their count and the first time
 * (0 if none).  0 or <0 on error. */
int store_expiry_pending(struct store_reader *rd, uint32_t dsid,
			 uint64_t *count, int64_t *first);

/* ---- spam-trap counters (store_trap.c) ----------------------------------- */

struct cfg_trap;       /* config.h */
struct trap_counter;   /* trap.h */
struct trap_rdns;      /* trap.h */

/* One hit as the store takes it: the sender's prefix (IPv4 /32, IPv6
 * /prefix6, host bits zero) and when. */
struct store_trap_hit {
	uint8_t family;        /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];
	int64_t time;          /* unix seconds */
	uint32_t trap;         /* trap id hash, 0: none */
	const char *reason;    /* "" if none; goes into a listing's history */
	uint8_t host[16];      /* the address as sent (its rDNS is looked up) */
	const struct trap_rdns *rdns; /* not a hit but this sender's rDNS
	                          outcome (trap_rdns_apply), or NULL */
};

/* What a committed batch did. */
struct store_trap_result {
	uint64_t senders;      /* distinct prefixes counted */
	uint64_t listed;       /* listings made */
	uint64_t extended;     /* listings pushed out by a new hit */
	uint64_t relabeled;    /* listings whose code or TXT an rDNS outcome
	                          changed */
	/* In (kept by the call): with t->rdns, called after the commit for
	 * each sender whose rDNS is wanted (trap_rdns_wanted), with its
	 * batch's last hit; NULL: none. */
	void (*want_rdns)(const struct store_trap_hit *h, void *arg);
	void *want_arg;
};

/* Applies hits `hits` (sorted by family, addr, time: trap_ingest does it)
 * to trap dataset `name` in ONE write transaction: each sender's counter
 * (policy `t`, clock `now`), the listings that begin (entries answering
 * `code` and the TXT template rendered from the counter, expiring at the
 * listing's end), the listings pushed out (their expiry only), a history
 * record per listing (user `user`), the status, serial and generation.
 * STORE_ENOTFOUND if the dataset is not stored; on failure nothing
 * changed. */
int store_trap_commit(struct store *st, const char *name,
		      const struct cfg_trap *t, const struct store_trap_hit *hits,
		      size_t nhits, int64_t now, const char *user,
		      struct store_trap_result *res, char *err, size_t errlen);

/* Ends the listing of prefix `who` (family, addr, plen) in trap dataset
 * `name` in one transaction: the entry and its expiry go, the counter
 * forgets the listing and lists it again no sooner than norelist_until
 * (0: as soon as the policy says), a history record (op del, `reason`,
 * `user`) and the status say so.  *removed (may be NULL) is 1 if a
 * listing was there.  (The allow-list's enforcement; `dnsbl-ctl delist
 * ADDRESS --for` is this with a no-relist time.)  0 or a STORE_E* code. */
int store_trap_delist(struct store *st, const char *name,
		      const struct store_trap_hit *who, int64_t now,
		      int64_t norelist_until, const char *reason,
		      const char *user, int *removed, char *err, size_t errlen);

/* Room for store_trap_prune's position. */
#define STORE_TRAP_POS_MAX 21

/* Removes, in one write transaction, the counters of trap dataset `name`
 * that trap_policy_prunable says can go, looking at up to `limit`
 * counters from position `pos` (STORE_TRAP_POS_MAX bytes, *poslen 0 = the
 * start); *poslen is set to where the next call goes on (0 when it went
 * round).  *pruned gets the count.  0 or a STORE_E* code. */
int store_trap_prune(struct store *st, const char *name,
		     const struct cfg_trap *t, int64_t now, size_t limit,
		     uint8_t *pos, size_t *poslen, uint64_t *pruned,
		     char *err, size_t errlen);

/* The counter of prefix addr (family 4 or 6, host bits zero) of dataset
 * `dsid`: 1 and *c, 0 if there is none, <0 on error. */
int store_trap_get(struct store_reader *rd, uint32_t dsid, int family,
		   const uint8_t addr[16], struct trap_counter *c);
/* Counters kept for dataset `dsid`. */
int store_trap_count(struct store_reader *rd, uint32_t dsid, uint64_t *n);

/* ---- status (store_status.c) --------------------------------------------- */

/* A dataset's last hand change, or its last failed load (what `dnsbl-ctl
 * stats` shows next to the metadata's load time). */
enum store_status_kind {
	STORE_STATUS_LOAD = 1,   /* a load from files (kept only if it failed) */
	STORE_STATUS_EDIT,       /* dnsbl-ctl add / del */
	STORE_STATUS_EXPIRE      /* entries expired */
};
struct store_status {
	int64_t time;
	enum store_status_kind kind;
	int ok;
	uint64_t added, removed;  /* records */
	uint64_t entries;         /* entries after it */
	char message[512];        /* the failure, or the entry edited */
};
/* Reads dataset `name`'s status; STORE_ENOTFOUND if there is none. */
int store_status_get(struct store_reader *rd, const char *name,
		     struct store_status *out);
/* Records `s` for dataset `name` in a transaction of its own (the loader,
 * after a failed load); s == NULL deletes it (after a good one, so an old
 * failure is not shown).  Writes nothing if that is what is stored.
 * 0 or a STORE_E* code. */
int store_status_put(struct store *st, const char *name,
		     const struct store_status *s, char *err, size_t errlen);

/* ---- checking (store_check.c) ------------------------------------------- */

/* Checks the snapshot's metadata against the data: every name has its
 * metadata, the entry counts match the source records, each address
 * dataset's interval map is exactly what its source entries derive, every
 * answer reference resolves, no records belong to no dataset.  Calls
 * `fn` with a line per problem (`dataset` NULL for the store as a whole).
 * Returns the number of problems, or <0 if the store could not be read. */
int store_check(struct store_reader *rd,
		void (*fn)(void *arg, const char *dataset, const char *problem),
		void *arg);

/* Removes dataset `name` and all its records in one transaction. */
int store_drop_dataset(struct store *st, const char *name,
		       char *err, size_t errlen);

/* ---- space (store_compact.c) ------------------------------------------- */

/* LMDB never returns file space, and a write keeps the old version of every
 * page it touches for readers still on it, so a store that takes broad
 * diffs grows to 2-3x its packed size.  Compaction copies the live data,
 * packed, into a new environment directory beside the old one (DIR/vN+1,
 * DIR/current points at it); every process using the store moves there on
 * its next snapshot, and the old files go. */
struct store_space {
	uint64_t page_size;
	uint64_t file_pages;     /* pages in the data file */
	uint64_t free_pages;     /* of those, free for reuse */
	uint64_t packed_pages;   /* size right after the last compaction, 0 */
	unsigned instance;       /* N of DIR/vN (0: an old flat store) */
};
int store_space(struct store *st, struct store_space *sp);
/* Worth compacting: a quarter of the file free (and at least 4 MiB), or
 * the live pages half again what they were when packed. */
int store_space_bloated(const struct store_space *sp);

struct store_compact_stats {
	uint64_t before_bytes, after_bytes;   /* data file sizes */
	unsigned instance;                    /* the new N */
	double seconds;
};
/* Compacts now, while readers and writers go on.  If a write is committed
 * during the copy, the copy is discarded and taken again; the third try
 * holds the write lock during the copy (writers wait).  Needs free disk
 * space for one packed copy.  On failure nothing changed. */
int store_compact(struct store *st, struct store_compact_stats *cs,
		  char *err, size_t errlen);
/* Compacts if store_space_bloated says so: 1 compacted, 0 not needed, or
 * a negative STORE_E* code (err set; nothing changed). */
int store_compact_if_bloated(struct store *st, struct store_compact_stats *cs,
			     char *err, size_t errlen);
/* "store: compacted into vN, A MB -> B MB in T s" (no newline). */
void store_compact_describe(const struct store_compact_stats *cs, char *buf,
			    size_t len);

/* ---- copies for mirrors (store_ship.c) -------------------------------- */

struct store_ship_stats {
	uint64_t bytes;          /* the copy's size */
	uint64_t generation;     /* its store generation */
	unsigned instance;       /* store_adopt: the new N of DIR/vN */
	double seconds;
};
/* Writes a packed copy of the store's current snapshot to OUTDIR/data.mdb
 * (made beside it and renamed in: never seen half-written), while the
 * store keeps serving and taking writes.  Needs the store opened for
 * writing (the copy is made with the store's own table layout). */
int store_ship(struct store *st, const char *outdir,
	       struct store_ship_stats *ss, char *err, size_t errlen);
/* Replaces the store's data with `file`, a copy written by store_ship:
 * copied in as the next instance, checked (schema, tables), and switched
 * to as a compaction does, so every reader moves over at its next
 * snapshot.  On failure nothing changed. */
int store_adopt(struct store *st, const char *file,
		struct store_ship_stats *ss, char *err, size_t errlen);

/* Hands the store's directory and current files to uid:gid, so a process
 * that drops privileges after opening it can still compact (which makes
 * and removes files there).  0 or STORE_EIO with err set. */
int store_give_to(struct store *st, uid_t uid, gid_t gid, char *err,
		  size_t errlen);

/* ---- zone table (store_zones.c) ----------------------------------------- */

/* The config's zone table kept in the store, so a running server can follow
 * zone changes (a zone added or removed, its datasets, acl, ttl, SOA, NS)
 * without a restart: the loader writes it at every load and config change,
 * the server reads it in the same snapshot as the datasets. */
struct cfg_zone;   /* config.h */
struct store_zones {
	struct cfg_zone *zones;   /* as config_load makes them (line = 0) */
	size_t nzones;
	uint32_t *serials;        /* per zone: strictly increases with every
	                             commit that changes that zone's definition
	                             (unix time); a server's SOA serial should be
	                             the larger of this and its datasets' */
	uint32_t serial;          /* of the whole table, likewise */
};

/* Replaces the stored zone table with `zones` in one write transaction.
 * Zones whose definition is unchanged keep their serial; if nothing changed
 * nothing is written (the generation does not move) and *changed is 0,
 * else 1 (changed may be NULL).  On failure nothing changed. */
int store_put_zones(struct store *st, const struct cfg_zone *zones,
		    size_t nzones, int *changed, char *err, size_t errlen);

/* Reads the zone table in the reader's snapshot into a new *out (free with
 * store_zones_free).  STORE_ENOTFOUND if none was ever written (a server
 * then uses its config's zones); STORE_EINVAL if the record is damaged. */
int store_get_zones(struct store_reader *rd, struct store_zones **out);
void store_zones_free(struct store_zones *zt);

/* ---- reading ------------------------------------------------------------ */

/* A reader is owned by one thread.  Call renew before a batch of lookups and
 * reset after it; views returned between the two stay valid until reset.
 * store_reader_new returns a reader already holding a snapshot; renew on an
 * active reader takes a fresh one.  Lookups on a reset reader fail. */
int store_reader_new(struct store *st, struct store_reader **out);
void store_reader_free(struct store_reader *rd);
int store_reader_renew(struct store_reader *rd);
void store_reader_reset(struct store_reader *rd);
/* For a thread about to sleep: holds no snapshot, and no store instance a
 * compaction has replaced (store_compact), so the old file's space can go
 * back; the next renew takes the newest.  Call it now and then too. */
void store_reader_idle(struct store_reader *rd);

/* Counter that changes with every committed write to the store (cheap: one
 * key read).  The server rebuilds cached dataset metadata when it moves. */
uint64_t store_generation(struct store_reader *rd);

/* Metadata of one dataset, copied out of the map (owned by the caller). */
struct store_dsmeta;
struct store_dschild {
	char *label;
	size_t nsubzones;
	uint8_t **subzones;          /* wire names relative to the base zone */
	struct store_dsmeta *meta;
};
struct store_dsmeta {
	char *name;
	uint32_t dsid;               /* what the lookups below take */
	enum ds_type type;
	struct ds_meta meta;         /* $SOA $NS $TTL $n $= $TIMESTAMP ... */
	uint32_t serial;             /* strictly increases with every commit
	                                that changes this dataset (unix time) */
	int64_t newest_mtime;        /* newest source file mtime */
	int64_t loaded_at;           /* unix time of the last commit */
	uint64_t entries;
	size_t nsources;
	struct store_source *sources;/* paths owned by this struct */
	size_t nchildren;            /* combined only */
	struct store_dschild *children;
};

/* Reads dataset `name`'s metadata; STORE_ENOTFOUND if it is not stored. */
int store_dataset_meta(struct store_reader *rd, const char *name,
		       struct store_dsmeta **out);
void store_dsmeta_free(struct store_dsmeta *m);

/* Names of all stored top-level datasets (caller frees each and the array). */
int store_dataset_names(struct store_reader *rd, char ***names, size_t *count);

/* One answer value, viewed in the map. */
struct store_value {
	uint8_t kind;         /* enum ds_value_kind */
	uint32_t a;           /* host byte order */
	const char *txt;      /* NULL = no TXT; not NUL-terminated */
	uint16_t txtlen;
};
int store_value_get(struct store_reader *rd, uint32_t id,
		    struct store_value *out);

#define STORE_MAX_MATCH 64
/* Result of a list lookup: the value ids to answer with, in the stored
 * order (duplicates of the same id removed). */
struct store_match {
	size_t nvalues;
	uint32_t values[STORE_MAX_MATCH];
	/* dnset only: the listed entry's name, relative wire format (the base
	 * name for a wildcard), what a TXT `$` expands to. */
	uint8_t entry[256];
};

/* Address lookup in an ip4set/ip4tset/ip4trie/ip6trie/ip6tset/acl dataset.
 * Returns 1 if listed (match filled), 0 if not, <0 on error. */
int store_lookup_ip(struct store_reader *rd, uint32_t dsid, int family,
		    const uint8_t addr[16], struct store_match *m);

/* Which source entry decides an address lookup: the longest stored prefix
 * covering `addr` (an exclusion too), as every address type's rule picks
 * it.  1 with *plen and *excluded, 0 if no entry covers it, <0 on error.
 * (Not for the query path: one point read per prefix length.) */
int store_ip_covering(struct store_reader *rd, uint32_t dsid, int family,
		      const uint8_t addr[16], unsigned *plen, int *excluded);

/* Is any address in [lo, hi] listed?  (Empty non-terminal detection for
 * partial reversed names.)  1 yes, 0 no, <0 error. */
int store_ip_range_listed(struct store_reader *rd, uint32_t dsid, int family,
			  const uint8_t lo[16], const uint8_t hi[16]);

/* dnset lookup of a relative wire name: exact entry first, then the closest
 * enclosing wildcard.  1 listed, 0 not, <0 error.  If `below` is not NULL
 * and 0 is returned, it gets store_name_has_below's answer (1 or 0), mostly
 * found by the same search; else 0. */
int store_lookup_dn(struct store_reader *rd, uint32_t dsid,
		    const uint8_t *qname, struct store_match *m, int *below);

/* Is there any dnset or generic entry strictly below `qname`?  1/0/<0. */
int store_name_has_below(struct store_reader *rd, uint32_t dsid,
			 const uint8_t *qname);

/* generic: the records at a relative name, viewed in the map. */
struct store_rr {
	uint16_t type;
	uint32_t ttl;         /* 0 = zone default */
	uint8_t rel_target;   /* MX target is relative to the zone */
	uint16_t rdlen;
	const uint8_t *rdata;
};
struct store_rrset {
	const uint8_t *pos, *end;   /* private cursor into the record blob */
};
/* 1 if the name has records (iterate with store_rrset_next), 0 if not. */
int store_lookup_generic(struct store_reader *rd, uint32_t dsid,
			 const uint8_t *qname, struct store_rrset *it);
/* 1 and fills rr, or 0 at the end. */
int store_rrset_next(struct store_rrset *it, struct store_rr *rr);

/* ---- iteration (store_iter.c) ------------------------------------------- */

/* Walk a dataset's stored entries in key order, for dumps and exports
 * (rbldnsd -d, dnsbl-ctl export).  Each walk calls `fn` once per item with
 * views valid only during the call; `fn` returns 0 to go on or anything
 * else to stop, and the walk returns that value.  A walk returns 0 at the
 * end, or a negative STORE_E* code.  `dsid` is store_dsmeta.dsid (for a
 * combined dataset, a child's). */

/* An address dataset's source entry (ip4set, ip4tset, ip4trie, ip6trie,
 * ip6tset, acl): one per distinct prefix, IPv4 first, each family in
 * address order then prefix length. */
struct store_ip_item {
	uint8_t family;      /* 4 or 6 */
	uint8_t plen;
	uint8_t excluded;    /* a '!' entry: no values */
	uint8_t addr[16];
	size_t nvalues;      /* value ids (store_value_get), stored order */
	uint32_t values[STORE_MAX_MATCH];
};
int store_iter_ip(struct store_reader *rd, uint32_t dsid,
		  int (*fn)(const struct store_ip_item *it, void *arg),
		  void *arg);

/* An address dataset's derived answer map: disjoint listed intervals, in
 * address order (IPv4 first), adjacent ones with the same answer merged;
 * holes (exclusions, unlisted space) are not visited. */
struct store_range_item {
	uint8_t family;
	uint8_t start[16], end[16];   /* inclusive */
	size_t nvalues;
	uint32_t values[STORE_MAX_MATCH];
};
int store_iter_ranges(struct store_reader *rd, uint32_t dsid,
		      int (*fn)(const struct store_range_item *it, void *arg),
		      void *arg);

/* A dnset entry, in key order (by reversed labels: a name, then its
 * wildcard, then its subdomains). */
struct store_dn_item {
	const uint8_t *name; /* relative wire name, lowercase; for a wildcard
	                        `*.d` this is d */
	uint8_t wild;
	uint8_t excluded;
	size_t nvalues;
	uint32_t values[STORE_MAX_MATCH];
};
int store_iter_dn(struct store_reader *rd, uint32_t dsid,
		  int (*fn)(const struct store_dn_item *it, void *arg),
		  void *arg);

/* A generic dataset's records at one name, in key order; iterate `rrs`
 * with store_rrset_next. */
struct store_generic_item {
	const uint8_t *name; /* relative wire name; the apex is "\0" */
	struct store_rrset rrs;
};
int store_iter_generic(struct store_reader *rd, uint32_t dsid,
		       int (*fn)(const struct store_generic_item *it, void *arg),
		       void *arg);

/* 64-bit FNV-1a over a few bytes: a cheap key for small things (a
 * transfer's record, a name too long to keep whole).  A feed file's
 * content hash is XXH64 (content_hash.h). */
uint64_t store_hash_update(uint64_t h, const void *data, size_t len);
#define STORE_HASH_INIT 0xcbf29ce484222325ULL

#endif
