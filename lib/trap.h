/* trap.h -- spam-trap hits become listings: the pieces the loader joins.
 *
 * A trap dataset (`type: trap`, config.h's cfg_trap) is fed hit lines
 * (`<ip> [trap=<id>] [time=<unix>] [reason=<text>]`) from a socket or
 * standard input.  Each piece is one file:
 *
 *   trap_line.c    one hit line -> struct trap_hit (bounds-checked)
 *   trap_allow.c   the allow-list: CIDRs, special-use ranges, and the
 *                  addresses other datasets list (allow always wins)
 *   trap_policy.c  one sender's counter and the listing decision
 *   trap_txt.c     the TXT template's `${hits}` `${first}` ... fields
 *   trap_postfix.c the `tail` preset: Postfix log lines -> hits
 *   trap_ingest.c  hits batched in memory, committed in one transaction
 *   store_trap.c   the counters table and the batch's transaction
 *
 * Listings are ordinary entries of the DS_TRAP dataset (IPv4 /32, IPv6
 * /prefix6) with an expiry (store_expiry.c), so dnsbld answers them with
 * the same one-descent lookup as any address dataset and the expiry sweep
 * removes them; every listing is a history record.
 */
#ifndef DNSBLD_TRAP_H
#define DNSBLD_TRAP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct store;
struct store_reader;
struct store_trap_hit;  /* store.h */

/* ---- trap_line.c --------------------------------------------------------- */

#define TRAP_LINE_MAX 1024      /* longer lines are malformed */
#define TRAP_REASON_MAX 96      /* reason=<text> is kept up to this */
#define TRAP_ID_MAX 64          /* trap=<id> length */
#define TRAP_FUTURE_SLACK 300   /* time= at most this far ahead of now */

struct trap_hit {
	uint8_t family;          /* 4 or 6 (::ffff:a.b.c.d is 4) */
	uint8_t addr[16];        /* as sent; IPv4 in the first 4 bytes */
	int64_t time;            /* time=, or 0: the receiver's clock */
	uint32_t trap;           /* a hash of trap=<id>, 0: none */
	char reason[TRAP_REASON_MAX];  /* reason=<text>, "" if none */
};

/* Parses one line (`len` bytes, no newline needed; a trailing CR is
 * ignored).  Returns 1 and fills *hit, 0 for a blank or `#` comment line,
 * or -1 with *why saying what is wrong (a static string). */
int trap_line_parse(const char *line, size_t len, struct trap_hit *hit,
		    const char **why);

/* ---- trap_policy.c ------------------------------------------------------- */

/* The most recent hits a counter keeps to decide on a sliding window. */
#define TRAP_SLOTS 16

/* ---- trap_rdns.c --------------------------------------------------------- */

/* A sender's reverse DNS, as the loader's lookup (loader/rdns.c) found it. */
enum trap_rdns_status {
	TRAP_RDNS_NONE = 0,      /* not looked up (yet) */
	TRAP_RDNS_CONFIRMED,     /* a PTR name whose A/AAAA has the address */
	TRAP_RDNS_MISMATCH,      /* PTR names, none resolving back to it */
	TRAP_RDNS_NOPTR,         /* NXDOMAIN or no PTR record */
	TRAP_RDNS_TIMEOUT,       /* no answer within rdns_timeout */
	TRAP_RDNS_FAILURE        /* SERVFAIL, REFUSED, a bad reply ... */
};

#define TRAP_RDNS_NAME_MAX 254   /* a PTR name as text, + NUL */
#define TRAP_RDNS_RETRY 3600     /* a timeout or failure: again after this */

struct trap_rdns {
	uint8_t status;          /* enum trap_rdns_status */
	uint8_t family;          /* of addr: the address looked up (a hit's) */
	uint8_t addr[16];
	int64_t time;            /* when the outcome came */
	char name[TRAP_RDNS_NAME_MAX]; /* confirmed or mismatch: the PTR name */
};

/* What the store keeps per sender (IPv4 address or IPv6 prefix). */
struct trap_counter {
	uint32_t hits;           /* every hit since `first` */
	int64_t first, last;     /* first and last hit */
	int64_t listed_until;    /* listed while now < this; 0: never */
	uint32_t listed_for;     /* the current listing's length */
	uint32_t times_listed;
	int64_t last_listed;     /* when the last listing began */
	int64_t norelist_until;  /* delisted by hand: no listing before this
	                            (for `dnsbl-ctl delist --for`; 0 now) */
	uint8_t nslots;
	struct trap_slot {
		uint32_t tag;    /* the trap id hash (distinct_traps), else 0 */
		uint32_t time;   /* unix seconds */
	} slots[TRAP_SLOTS];     /* the newest hits within the window */
	struct trap_rdns rdns;   /* its reverse DNS (rdns: true) */
};

enum trap_verdict {
	TRAP_COUNTED = 0,        /* counted, no listing change */
	TRAP_LISTED,             /* a listing begins (until *until) */
	TRAP_EXTENDED            /* the listing now lasts until *until */
};

/* The policy of cfg_trap `t` applied to counter `c` for one hit at time
 * `t_hit` (trap `tag`) seen at `now`: updates *c and says what changed
 * (*until: the listing's end).  A hit older than `now - window` counts
 * in the totals only; a listing that would already be over is not made. */
enum trap_verdict trap_policy_hit(const struct cfg_trap *t,
				  struct trap_counter *c, int64_t t_hit,
				  uint32_t tag, int64_t now, int64_t *until);

/* The listing decision alone, for a counter that got no hit but news
 * (its rDNS): a listing begins, at `t_hit` (the last hit), if the slots
 * reach the threshold that applies (trap_rdns_threshold) and nothing
 * holds it off.  TRAP_LISTED with *until, or TRAP_COUNTED. */
enum trap_verdict trap_policy_begin(const struct cfg_trap *t,
				    struct trap_counter *c, int64_t t_hit,
				    int64_t now, int64_t *until);

/* Can the counter go (nothing listed, its window and its repeat-offender
 * memory over at `now`)? */
int trap_policy_prunable(const struct cfg_trap *t,
			 const struct trap_counter *c, int64_t now);

/* The prefix a hit counts for: IPv4 /32, IPv6 /prefix6 (host bits
 * cleared in `addr`); returns the prefix length. */
unsigned trap_policy_prefix(const struct cfg_trap *t, int family,
			    uint8_t addr[16]);

/* ---- trap_txt.c ---------------------------------------------------------- */

/* Checks a template: every `${` names a field (hits first last listed
 * until rdns) and is closed.  NULL if fine, else what is wrong. */
const char *trap_txt_check(const char *tpl);

/* Expands the fields of `tpl` from counter `c` into out (at most 255
 * bytes, cut there); everything else (`$`, `$$`, `$0`...) is left for
 * the server's rbldnsd-style expansion.  Returns the length. */
size_t trap_txt_render(const char *tpl, const struct trap_counter *c,
		       char out[256]);

/* ---- trap_rdns.c: the rDNS policy ---------------------------------------- */

/* NULL if the rDNS keys of `t` fit together, else what is wrong (the
 * policy keys and ${rdns} need rdns: true; threshold_no_fcrdns is at most
 * threshold; rdns_timeout is 1s..5m). */
const char *trap_rdns_config_check(const struct cfg_trap *t);

/* Is the outcome "no forward-confirmed rDNS" (a mismatch, or no PTR)?
 * A timeout or a failure is not: nothing is known. */
int trap_rdns_no_fcrdns(const struct trap_rdns *r);

/* The hits (slots) that list counter `c`: threshold_no_fcrdns for a
 * sender without FCrDNS, else threshold; with only_no_fcrdns, never
 * (UINT32_MAX) for the others. */
unsigned trap_rdns_threshold(const struct cfg_trap *t,
			     const struct trap_counter *c);

/* The A code a listing of `c` answers: code_no_fcrdns for a sender
 * without FCrDNS (when set), else code. */
uint32_t trap_rdns_code(const struct cfg_trap *t, const struct trap_counter *c);

/* Should the loader look up the rDNS of `c` at `now` (rdns on, and none
 * known yet, or a timeout or failure TRAP_RDNS_RETRY old)? */
int trap_rdns_wanted(const struct cfg_trap *t, const struct trap_counter *c,
		     int64_t now);

/* The outcome as words: "confirmed NAME", "mismatch NAME", "no PTR",
 * "timeout", "failure", "not looked up".  Returns out. */
const char *trap_rdns_text(const struct trap_rdns *r, char *out, size_t len);

/* Records outcome `r` in counter `c` and decides again (it may now be
 * listed after fewer hits: trap_policy_begin).  TRAP_LISTED with *until,
 * or TRAP_COUNTED. */
enum trap_verdict trap_rdns_apply(const struct cfg_trap *t,
				  struct trap_counter *c,
				  const struct trap_rdns *r, int64_t now,
				  int64_t *until);

/* Are the rDNS keys of two trap datasets the same (watch restarts the
 * listeners when they change)? */
int trap_rdns_same_config(const struct cfg_trap *a, const struct cfg_trap *b);

/* ---- trap_postfix.c ----------------------------------------------------- */

#define TRAP_POSTFIX_QUEUE 10000 /* queue id -> client remembered */
#define TRAP_POSTFIX_QID 32      /* queue id length + 1 */
#define TRAP_POSTFIX_IP 64       /* client address text + 1 */

struct trap_postfix;

/* The preset's state for `recipients` (exact addresses, or `@domain`;
 * the caller's strings, which must outlive it).  NULL on out of memory. */
struct trap_postfix *trap_postfix_new(char *const *recipients, size_t n);
void trap_postfix_free(struct trap_postfix *pf);

/* Is `addr` a trap recipient (case-insensitive; `@domain` matches every
 * address of the domain)?  1 yes, 0 no. */
int trap_postfix_match(const struct trap_postfix *pf, const char *addr);

/* One log line (`len` bytes, no newline): 1 if it is a hit, with the
 * client address text in ip and the recipient in trap; 0 if not (most
 * lines), remembering smtpd's `QUEUEID: client=HOST[IP]`. */
int trap_postfix_line(struct trap_postfix *pf, const char *line, size_t len,
		      char ip[TRAP_POSTFIX_IP], char trap[TRAP_ID_MAX + 1]);

/* ---- trap_ingest.c ------------------------------------------------------- */

#define TRAP_BATCH_MAX 65536    /* hits in memory before a commit */
#define TRAP_BATCH_MS 100       /* ...or this long after the first one */

struct trap_ingest;

struct trap_ingest_stats {
	uint64_t lines;          /* hit lines read (not blank or comments) */
	uint64_t malformed;      /* refused lines */
	uint64_t allowed;        /* hits on the allow-list: ignored */
	uint64_t hits;           /* hits committed */
	uint64_t listed, extended, commits, pruned;
	uint64_t relabeled;      /* listings whose answer an rDNS outcome changed */
};

/* The ingest of trap dataset `d` (d->trap set) into `st`: makes the
 * dataset (empty) if it is not stored, so its zones serve it at once.
 * `user` names the writer in history.  NULL with err set on failure. */
struct trap_ingest *trap_ingest_new(struct store *st,
				    const struct cfg_dataset *d,
				    const char *user, char *err, size_t errlen);
void trap_ingest_free(struct trap_ingest *ti);

/* Takes one line seen at `now`: 1 queued, 0 nothing to do (blank,
 * comment, allowed), -1 malformed with *why (not applied, counted). */
int trap_ingest_line(struct trap_ingest *ti, const char *line, size_t len,
		     int64_t now, const char **why);

/* Hits waiting, and the monotonic time (monoclock_now) the first came. */
size_t trap_ingest_pending(const struct trap_ingest *ti, double *since);

/* Commits what is waiting in one transaction (clock `now`).  0, or -1
 * with err set: the batch is dropped, the store unchanged. */
int trap_ingest_commit(struct trap_ingest *ti, int64_t now, char *err,
		       size_t errlen);

/* The rDNS hook (loader/rdns.c): after each commit, want(h, arg) for
 * each sender whose rDNS is wanted (trap_rdns_wanted), `h` its last hit
 * (h->host the address to look up). */
void trap_ingest_on_want_rdns(struct trap_ingest *ti,
			      void (*want)(const struct store_trap_hit *, void *),
			      void *arg);

/* Queues rDNS outcome `r` of sender `who` (family, addr, plen as the
 * hook gave them) for the next commit, which records it in the counter
 * and applies the rDNS policy (trap_rdns_apply).  0, or -1 out of memory. */
int trap_ingest_rdns(struct trap_ingest *ti, const struct store_trap_hit *who,
		     const struct trap_rdns *r, int64_t now);

/* Prunes up to `limit` counters from where the last call stopped; 1 if
 * it went round the whole table, 0 if more remain, -1 with err. */
int trap_ingest_prune(struct trap_ingest *ti, int64_t now, size_t limit,
		      char *err, size_t errlen);

/* Allow always wins, also over listings made before the allow-list grew
 * (an allow dataset reloaded, the config changed): ends every listing of
 * the dataset the allow-list now covers (store_trap_delist, with a
 * history record).  Returns how many, or -1 with err. */
long trap_ingest_enforce_allow(struct trap_ingest *ti, int64_t now,
			       char *err, size_t errlen);

/* Are all the allow datasets stored?  0, or -1 with err naming the first
 * that is not (it allows nothing until it is loaded). */
int trap_ingest_check_allow(struct trap_ingest *ti, char *err, size_t errlen);

const struct trap_ingest_stats *trap_ingest_stats(const struct trap_ingest *ti);
const struct cfg_dataset *trap_ingest_dataset(const struct trap_ingest *ti);

/* ---- trap_allow.c -------------------------------------------------------- */

struct trap_allow;

/* The allow-list of `t`: its CIDRs, plus the special-use ranges unless
 * allow_special is off.  NULL on out of memory. */
struct trap_allow *trap_allow_new(const struct cfg_trap *t);
void trap_allow_free(struct trap_allow *a);

/* Does any allowed address fall in [lo, hi] (one family's addresses, 4
 * or 16 bytes big-endian)?  A binary search of merged intervals. */
int trap_allow_overlaps(const struct trap_allow *a, int family,
			const uint8_t lo[16], const uint8_t hi[16]);

/* Resolves `t->allow_datasets` in the reader's snapshot (a dataset not
 * stored allows nothing); call it after each renew.  0 or -1. */
int trap_allow_bind(struct trap_allow *a, const struct cfg_trap *t,
		    struct store_reader *rd);

/* Is [lo, hi] allowed: the list above, or an address a bound dataset
 * lists?  1 yes, 0 no. */
int trap_allow_check(const struct trap_allow *a, struct store_reader *rd,
		     int family, const uint8_t lo[16], const uint8_t hi[16]);

/* A listed prefix as written in history: "192.0.2.1" (a full address
 * needs no length), "2001:db8:1:2::/64". */
void trap_prefix_text(int family, const uint8_t *addr, unsigned plen,
		      char *out, size_t len);

/* lo and hi of prefix addr/plen (16 bytes each; IPv4 uses 4). */
void trap_allow_range(int family, const uint8_t *addr, unsigned plen,
		      uint8_t lo[16], uint8_t hi[16]);

/* The special-use range containing the address, as text ("10.0.0.0/8"),
 * or NULL. */
const char *trap_allow_special(int family, const uint8_t addr[16]);

#endif
