/* feed_ctx.h -- state shared by the feed parser modules (internal to lib/feed*.c).
 *
 * feed.c drives a load: it reads each file (feed_reader.c), splits lines, and
 * hands `$` lines to feed_special.c and data lines to the parser of the
 * current dataset type (feed_ipsets.c, feed_dnset.c, feed_generic.c).  They
 * all report through feed_warn() so that the `file:line: reason` format, the
 * max_logged suppression and the max_errors limit live in one place.
 */
#ifndef DNSBLD_FEED_CTX_H
#define DNSBLD_FEED_CTX_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "dataset.h"
#include "feed.h"

/* rbldnsd's whitespace is space and TAB only; comments start '#' or ';'. */
#define FEED_ISSPACE(c) ((c) == ' ' || (c) == '\t')
#define FEED_ISCOMMENT(c) ((c) == '#' || (c) == ';')
#define FEED_SKIPSPACE(p) while (FEED_ISSPACE(*(p))) ++(p)

/* Bytes of a bad line's text quoted in a warning (the rest is cut). */
#define FEED_QUOTE_MAX 64

/* A value before interning: what an `:A:TXT` or an acl keyword denotes. */
struct feed_val {
	uint8_t kind;          /* enum ds_value_kind */
	uint32_t a;            /* host byte order */
	int has_txt;
	uint16_t txtlen;
	char txt[256];
};

/* Per-dataset parse state (the top dataset and each combined section). */
struct feed_dsstate {
	struct dataset *ds;
	struct feed_val def;       /* current default value */
	int64_t def_id;            /* interned def, -1 = not yet */
	int tset_def_seen;         /* ip4tset/ip6tset: first ':' line taken */
	struct feed_val acl_rr;    /* acl: base for `:A:TXT` (def is the
	                              default action) */
	/* ip4trie/ip6trie/acl duplicate detection: open-addressing table of
	 * indices + 1 into ds->ip. */
	uint32_t *dup_slots;
	size_t dup_cap, dup_count;
};

struct feed_ctx {
	const struct feed_options *opts;
	struct feed_result *res;
	char *err;
	size_t errlen;
	int fatal;                 /* set when err is filled */

	const char *fname;         /* current file, NULL between files */
	unsigned long lineno;
	unsigned long logged;      /* warnings printed */
	FILE *held_log;            /* messages of the file being read, held
	                              until it is known to be read cleanly */

	struct feed_dsstate top;   /* the dataset being loaded */
	struct feed_dsstate sub;   /* combined: the current $DATASET section */
	int in_sub;                /* sub is live */
	int sub_current;           /* data lines go to sub (else to top) */

	uint32_t maxrange4;        /* $MAXRANGE4, 0 = none; spans everything */
	struct feed_geo *geo;      /* country/asn: the rows read (feed_geo.c) */

	char quote[FEED_QUOTE_MAX * 4 + 8]; /* feed_quote's result */
};

/* Logs `fname:line: reason` (subject to max_logged) and counts a warning.
 * Returns -1 (and sets a fatal error) if that exceeds opts->max_errors,
 * else 0. */
int feed_warn(struct feed_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like feed_warn but only logs: for notes that are not bad lines. */
void feed_note(struct feed_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fills ctx->err with `fname:line: reason` and marks the load failed.
 * Always returns -1. */
int feed_fail(struct feed_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* `n` bytes of line text at `s` in double quotes, for a warning to show
 * what it is about (`invalid address "1.2.3.4/40"`): `"` and `\` escaped,
 * other bytes outside printable ASCII as `\xHH` (a CR is `\r`, a TAB
 * `\t`), a NUL a parser cut the line at as a space, cut after
 * FEED_QUOTE_MAX bytes with `...`.  The result lives in ctx->quote: one
 * quoted text per message. */
const char *feed_quote(struct feed_ctx *ctx, const char *s, size_t n);
/* feed_quote of the word at `s` (up to a blank or the end). */
const char *feed_quote_word(struct feed_ctx *ctx, const char *s);

/* ---- feed_value.c ------------------------------------------------------ */

/* The built-in default: A 127.0.0.2, no TXT. */
void feed_val_builtin(struct feed_val *v);
/* Parses an rbldnsd value (`:A:TXT`, `:A:`, `:A`, or bare text) at `s`
 * (leading space already skipped, not empty, not a comment) against the
 * default `def`.  Returns 0, or -1 after a warning (bad A or trailing junk).
 * A TXT over 255 bytes is cut with a warning. */
int feed_val_parse(struct feed_ctx *ctx, const char *s,
		   const struct feed_val *def, struct feed_val *out);
/* Interns `v` in `ds`; returns the index or -1 on out of memory (sets
 * the fatal error). */
int64_t feed_val_intern(struct feed_ctx *ctx, struct dataset *ds,
			const struct feed_val *v);
/* Index of the state's current default (interned on first use), or -1. */
int64_t feed_val_default_id(struct feed_ctx *ctx, struct feed_dsstate *st);

/* ---- feed_ip.c --------------------------------------------------------- */

/* Prefix `a`, `a.b`, `a.b.c`, `a.b.c.d` (octets 0..255, decimal with any
 * leading zeros).  Returns the bits (8/16/24/32) with *end after it, or -1. */
int feed_ip4_prefix(const char *s, uint32_t *addr, const char **end);
/* inet_aton-like A value: `n` -> 0.0.0.n, `a.b` -> a.0.0.b, `a.b.c` ->
 * a.b.0.c.  Returns the octets written (as bits 8..32) or -1. */
int feed_ip4_addr(const char *s, uint32_t *addr, const char **end);
/* Prefix or `prefix/len`; a bare single number is rejected.  Returns the
 * prefix length (0..32) or -1; *addr may have host bits set. */
int feed_ip4_cidr(const char *s, uint32_t *addr, const char **end);
/* ip4set keys: CIDR/prefix -> [lo, hi] with *is_range 0 and the length
 * returned; `a-b` ranges -> *is_range 1 and 32 returned.  -1 if invalid. */
int feed_ip4_range(const char *s, uint32_t *lo, uint32_t *hi, int *is_range,
		   const char **end);
/* IPv6 address as rbldnsd reads it: groups of hex digits; without `::`
 * returns 16 per group written (the ':' after an 8th group is left as the
 * start of a value), with `::` 128.  -1 if invalid. */
int feed_ip6_prefix(const char *s, uint8_t addr[16], const char **end);
/* feed_ip6_prefix plus an optional `/len` (0..128); a single bare group
 * without `/len` is rejected.  Returns the length or -1. */
int feed_ip6_cidr(const char *s, uint8_t addr[16], const char **end);
/* Host-part check: 1 if `addr` has bits set beyond `plen` (of 32/128). */
int feed_ip_host_bits(const uint8_t addr[16], int family, unsigned plen);
/* Zeroes bits beyond plen. */
void feed_ip_mask(uint8_t addr[16], int family, unsigned plen);

/* ---- feed_dname.c ------------------------------------------------------ */

/* A name as rbldnsd reads it (`\d`, `\dd`, `\ddd` and `\c` escapes, a
 * trailing backslash dropped, empty labels collapsed) into wire format in
 * `out` (DNAME_MAX bytes), lowercased if `lower`.  Returns the wire length
 * or -1. */
int feed_dname(const char *text, size_t len, uint8_t *out, int lower);

/* ---- feed_special.c ---------------------------------------------------- */

/* Handles a `$` line (`line` points after the `$`, `#$`, `;$` or `:$`).
 * Returns 1 if handled, 0 if invalid/unrecognised (caller warns), -1 fatal
 * (ctx->err set). */
int feed_special(struct feed_ctx *ctx, char *line);
/* Time value with an optional unit s/m/h/d/w; rbldnsd's parse_time. */
char *feed_parse_time(char *s, uint32_t *out);

/* ---- per-type line parsers --------------------------------------------- */

/* Each returns 0 (line consumed, maybe with a warning) or -1 fatal. */
int feed_ipsets_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s);
int feed_dnset_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s);
int feed_generic_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s);
/* Called at the end of a (sub)dataset: ip4tset/ip6tset entries get the
 * shared value.  Returns 0 or -1 fatal. */
int feed_ipsets_finish(struct feed_ctx *ctx, struct feed_dsstate *st);
/* Frees the duplicate-detection table. */
void feed_dsstate_clear(struct feed_dsstate *st);

/* ---- feed_geo.c --------------------------------------------------------- */

/* A line of a country or asn table (CSV).  0 or -1 fatal. */
int feed_geo_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s);
/* The end of the load: overlapping rows made disjoint (the narrower range
 * wins, then the later line) and added as prefixes.  0 or -1 fatal. */
int feed_geo_finish(struct feed_ctx *ctx);
void feed_geo_free(struct feed_ctx *ctx);

/* ---- feed_combined.c ---------------------------------------------------- */

/* `$DATASET type[:name] sub...`: closes the current section and opens a new
 * one.  Returns 1, or -1 fatal (unknown or forbidden type). */
int feed_combined_newset(struct feed_ctx *ctx, char *line);
/* Closes the current section (end of the load).  0 or -1. */
int feed_combined_finish(struct feed_ctx *ctx);

#endif
