/* feed_ipsets.c -- data lines of the address datasets: ip4set, ip4tset,
 * ip4trie, ip6trie, ip6tset and acl.
 *
 * They share keys and values but differ in what they accept (ranges only in
 * ip4set, `!` not in the tsets, keywords only in acl) and in how rbldnsd
 * stores them: ip4set expands each key into entries at the /32 /24 /16 /8
 * levels (the lookup takes the most specific level with any entry), the
 * tries keep one prefix each with "first one wins" for duplicates.
 */
#include "feed_ctx.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

static int ipsets_add(struct feed_ctx *ctx, struct dataset *ds,
		  const struct ds_ip_entry *e)
{
	if (dataset_add_ip(ds, e) < 0)
		return feed_fail(ctx, "out of memory");
	ctx->res->entries++;
	return 0;
}

static uint64_t ipsets_prefix_hash(const struct ds_ip_entry *e)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ e->family) * 0x100000001b3ULL;
	h = (h ^ e->plen) * 0x100000001b3ULL;
	for (int i = 0; i < (e->family == 4 ? 4 : 16); i++)
		h = (h ^ e->addr[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static int ipsets_same_prefix(const struct ds_ip_entry *a, const struct ds_ip_entry *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

/* A duplicate-table slot names an entry by its family's array and its
 * index there (IPv4 entries live apart from the others): index << 1 |
 * (not IPv4), plus one (0 is an empty slot). */
static uint32_t ipsets_slot_of(const struct dataset *ds, int family)
{
	size_t idx = family == 4 ? ds->nip4 : ds->nip;

	return (uint32_t)(idx << 1 | (family != 4)) + 1;
}

static void ipsets_slot_entry(const struct dataset *ds, uint32_t slot,
			      struct ds_ip_entry *out)
{
	size_t idx = (slot - 1) >> 1;

	dataset_ip_get(ds, (slot - 1) & 1 ? ds->nip4 + idx : idx, out);
}

/* 1 if the prefix of `e` was already added to st->ds, 0 if not (and it
 * is remembered as the next entry to be added), -1 out of memory. */
static int ipsets_seen_prefix(struct feed_dsstate *st, const struct ds_ip_entry *e)
{
	struct dataset *ds = st->ds;
	struct ds_ip_entry old;
	size_t s;

	if ((st->dup_count + 1) * 2 > st->dup_cap) {
		size_t ncap = st->dup_cap ? st->dup_cap * 2 : 1024;
		uint32_t *slots = calloc(ncap, sizeof(*slots));

		if (!slots)
			return -1;
		for (size_t i = 0; i < st->dup_cap; i++) {
			uint32_t slot = st->dup_slots[i];

			if (!slot)
				continue;
			ipsets_slot_entry(ds, slot, &old);
			s = ipsets_prefix_hash(&old) & (ncap - 1);
			while (slots[s])
				s = (s + 1) & (ncap - 1);
			slots[s] = slot;
		}
		free(st->dup_slots);
		st->dup_slots = slots;
		st->dup_cap = ncap;
	}
	s = ipsets_prefix_hash(e) & (st->dup_cap - 1);
	for (; st->dup_slots[s]; s = (s + 1) & (st->dup_cap - 1)) {
		ipsets_slot_entry(ds, st->dup_slots[s], &old);
		if (ipsets_same_prefix(&old, e))
			return 1;
	}
	st->dup_slots[s] = ipsets_slot_of(ds, e->family);
	st->dup_count++;
	return 0;
}

void feed_dsstate_clear(struct feed_dsstate *st)
{
	free(st->dup_slots);
	st->dup_slots = NULL;
	st->dup_cap = st->dup_count = 0;
}

static void ipsets_put4(uint8_t addr[16], uint32_t a)
{
	memset(addr, 0, 16);
	addr[0] = (uint8_t)(a >> 24);
	addr[1] = (uint8_t)(a >> 16);
	addr[2] = (uint8_t)(a >> 8);
	addr[3] = (uint8_t)a;
}

/* The value after a key at `s` (space not yet skipped): the default when
 * empty or a comment, else parsed.  Returns the id, -2 for a bad value
 * (warned, skip the line) or -1 fatal. */
static int64_t ipsets_entry_value(struct feed_ctx *ctx, struct feed_dsstate *st,
			   const char *s)
{
	struct feed_val v;

	FEED_SKIPSPACE(s);
	if (!*s || FEED_ISCOMMENT(*s))
		return feed_val_default_id(ctx, st);
	if (feed_val_parse(ctx, s, &st->def, &v) < 0)
		return ctx->fatal ? -1 : -2;
	return feed_val_intern(ctx, st->ds, &v);
}

/* After a key: the end, whitespace, a comment or (IPv4) a ':' value. */
static int ipsets_key_end_ok(const char *s, int colon_ok)
{
	return !*s || FEED_ISSPACE(*s) || FEED_ISCOMMENT(*s) ||
	       (colon_ok && *s == ':');
}

/* A bad key: the reason and the key as written. */
static int ipsets_bad_key(struct feed_ctx *ctx, const char *why,
			  const char *key)
{
	return feed_warn(ctx, "%s %s", why, feed_quote_word(ctx, key));
}

static int ipsets_too_large(struct feed_ctx *ctx, unsigned long long n,
			    const char *key)
{
	return feed_warn(ctx, "too large range %s (%llu) ignored (%u max)",
			 feed_quote_word(ctx, key), n, ctx->maxrange4);
}

/* ---- ip4set ------------------------------------------------------------- */

/* Adds `count` entries at `level` (0 = /32 ... 3 = /8) starting at unit
 * `unit` (an address shifted right by 8*level). */
static int ipsets_ip4set_emit(struct feed_ctx *ctx, struct dataset *ds, unsigned level,
		       uint32_t unit, uint32_t count, int excl, uint32_t value)
{
	uint8_t plen = (uint8_t)(32 - 8 * level);

	for (uint32_t i = 0; i < count; i++) {
		if (dataset_add_ip4(ds, (unit + i) << (8 * level), plen,
				    (uint8_t)excl, excl ? 0 : value) < 0)
			return feed_fail(ctx, "out of memory");
	}
	ctx->res->entries += count;
	return 0;
}

/* Splits [a, b] into the fewest blocks aligned to whole octets, the way
 * rbldnsd stores ranges: ragged ends at one level, whole blocks of 256 one
 * level up.  A block that is exactly one unit of the next level goes there
 * (so 10.0.0.0-10.0.0.255 is one /24 entry, not 256 /32s). */
static int ipsets_ip4set_expand(struct feed_ctx *ctx, struct dataset *ds, uint32_t a,
			 uint32_t b, int excl, uint32_t value)
{
	for (unsigned level = 0; level < 3; level++) {
		if ((a | 255u) >= b) {
			if (b - a == 255u)
				return ipsets_ip4set_emit(ctx, ds, level + 1, a >> 8, 1,
						   excl, value);
			return ipsets_ip4set_emit(ctx, ds, level, a, b - a + 1, excl,
					   value);
		}
		if (a & 255u) {
			if (ipsets_ip4set_emit(ctx, ds, level, a, 256u - (a & 255u),
					excl, value) < 0)
				return -1;
			a = (a >> 8) + 1;
		} else {
			a >>= 8;
		}
		if ((b & 255u) != 255u) {
			if (ipsets_ip4set_emit(ctx, ds, level, b & ~255u, (b & 255u) + 1,
					excl, value) < 0)
				return -1;
			b = (b >> 8) - 1;
		} else {
			b >>= 8;
		}
	}
	return ipsets_ip4set_emit(ctx, ds, 3, a, b - a + 1, excl, value);
}

static int ipsets_ip4set_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	uint32_t lo, hi;
	int excl = 0, is_range, bits;
	int64_t value = 0;
	const char *e;

	if (*s == '!') {
		excl = 1;
		s++;
		FEED_SKIPSPACE(s);
	}
	bits = feed_ip4_range(s, &lo, &hi, &is_range, &e);
	if (bits < 0 || !ipsets_key_end_ok(e, 1) || (!is_range && bits == 0))
		return ipsets_bad_key(ctx, "invalid address", s);
	if (!is_range) {
		uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;

		if (lo & ~mask) {
			if (!ctx->opts->accept_host_bits)
				return ipsets_bad_key(ctx, "invalid range "
						      "(non-zero host part)", s);
			lo &= mask;
		}
	}
	if (ctx->maxrange4 && ctx->maxrange4 <= hi - lo)
		return ipsets_too_large(ctx, (unsigned long long)(hi - lo) + 1,
					s);
	if (!excl) {
		value = ipsets_entry_value(ctx, st, e);
		if (value == -2)
			return 0;
		if (value < 0)
			return -1;
	}
	return ipsets_ip4set_expand(ctx, st->ds, lo, hi, excl, (uint32_t)value);
}

/* ---- ip4tset / ip6tset -------------------------------------------------- */

/* The end of a dataset's lines.  The tsets' entries get the shared value
 * now: rbldnsd reads the first `:` line of the whole dataset at query
 * time, so it applies to lines above it too.  The IPv4 entries are put in
 * the order the store writes them. */
int feed_ipsets_finish(struct feed_ctx *ctx, struct feed_dsstate *st)
{
	struct dataset *ds = st->ds;
	int64_t id;

	feed_dsstate_clear(st);   /* its slots index the entries */
	if (dataset_sort_ip4(ds) < 0)
		return feed_fail(ctx, "out of memory");
	if (ds->type != DS_IP4TSET && ds->type != DS_IP6TSET)
		return 0;
	if (!dataset_nip(ds))
		return 0;
	id = feed_val_default_id(ctx, st);
	if (id < 0)
		return -1;
	for (size_t i = 0; i < ds->nip4; i++)
		ds->ip4[i].value = ds->ip4[i].excluded ? 0 : (uint32_t)id;
	for (size_t i = 0; i < ds->nip; i++)
		ds->ip[i].value = ds->ip[i].excluded ? 0 : (uint32_t)id;
	return 0;
}

static int ipsets_ip4tset_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct ds_ip_entry e;
	uint32_t a;
	const char *end;

	if (feed_ip4_prefix(s, &a, &end) != 32 || !ipsets_key_end_ok(end, 1))
		return ipsets_bad_key(ctx, "invalid address", s);
	/* Anything after the address is ignored. */
	memset(&e, 0, sizeof(e));
	ipsets_put4(e.addr, a);
	e.family = 4;
	e.plen = 32;
	return ipsets_add(ctx, st->ds, &e);
}

static int ipsets_ip6tset_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct ds_ip_entry e;
	const char *end;
	int excl = 0, bits;

	if (*s == '!') {
		excl = 1;
		s++;
		FEED_SKIPSPACE(s);
	}
	memset(&e, 0, sizeof(e));
	/* No `/len` here: a regular entry is 4 groups (a /64), an exclusion
	 * a full /128 (8 groups or any `::` form). */
	bits = feed_ip6_prefix(s, e.addr, &end);
	if (bits < 0 || !ipsets_key_end_ok(end, 1))
		return ipsets_bad_key(ctx, "invalid address", s);
	if (bits != (excl ? 128 : 64))
		return feed_warn(ctx, "invalid address %s for %s (should be "
				 "%d bits)", feed_quote_word(ctx, s),
				 excl ? "exclusion" : "regular entry",
				 excl ? 128 : 64);
	e.family = 6;
	e.plen = (uint8_t)bits;
	e.excluded = (uint8_t)excl;
	return ipsets_add(ctx, st->ds, &e);
}

/* ---- ip4trie / ip6trie / acl -------------------------------------------- */

/* acl keywords; a prefix of a keyword matches it, as in rbldnsd. */
static int ipsets_acl_keyword(const char *s)
{
	static const struct { const char *name; uint8_t kind; } kws[] = {
		{"ignore", VAL_ACL_IGNORE}, {"blackhole", VAL_ACL_IGNORE},
		{"refuse", VAL_ACL_REFUSE}, {"empty", VAL_ACL_EMPTY},
		{"pass", VAL_ACL_PASS},
	};

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return -1;
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		const char *k = kws[i].name, *p = s;

		for (;;) {
			char c = *p;

			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (c != *k++)
				break;
			p++;
			if (!*p || *p == ':' || FEED_ISSPACE(*p) ||
			    FEED_ISCOMMENT(*p))
				return kws[i].kind;
			if (!*k)
				break;
		}
	}
	return -1;
}

/* An acl value: `=kw`, `:kw`, or an `:A:TXT` (always listed).  0 and *v
 * filled, -2 bad (warned), -1 fatal. */
static int ipsets_acl_value(struct feed_ctx *ctx, struct feed_dsstate *st,
		     const char *s, struct feed_val *v)
{
	int kind;

	if (*s == '=' || (*s == ':' && ipsets_acl_keyword(s + 1) >= 0)) {
		kind = ipsets_acl_keyword(s + 1);
		if (kind < 0)
			return feed_warn(ctx, "invalid keyword %s",
					 feed_quote_word(ctx, s)) < 0 ? -1 : -2;
		memset(v, 0, sizeof(*v));
		v->kind = (uint8_t)kind;
		return 0;
	}
	if (feed_val_parse(ctx, s, &st->acl_rr, v) < 0)
		return ctx->fatal ? -1 : -2;
	return 0;
}

static int ipsets_trie_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct dataset *ds = st->ds;
	struct ds_ip_entry e;
	const char *end;
	int excl = 0, bits, r;
	int64_t value = 0;

	if (*s == '!' && ds->type != DS_ACL) {
		excl = 1;
		s++;
		FEED_SKIPSPACE(s);
	}
	memset(&e, 0, sizeof(e));
	bits = -1;
	if (ds->type != DS_IP6TRIE) {
		/* acl tries IPv4 first, then IPv6, as rbldnsd does. */
		uint32_t a;

		bits = feed_ip4_cidr(s, &a, &end);
		if (bits >= 0 && ipsets_key_end_ok(end, 1)) {
			ipsets_put4(e.addr, a);
			e.family = 4;
		} else {
			bits = -1;
		}
	}
	if (bits < 0 && ds->type != DS_IP4TRIE) {
		bits = feed_ip6_cidr(s, e.addr, &end);
		if (bits >= 0 && ipsets_key_end_ok(end, 1))
			e.family = 6;
		else
			bits = -1;
	}
	if (bits < 0)
		return ipsets_bad_key(ctx, "invalid address", s);
	e.plen = (uint8_t)bits;
	if (feed_ip_host_bits(e.addr, e.family, e.plen)) {
		if (!ctx->opts->accept_host_bits)
			return ipsets_bad_key(ctx, "invalid range (non-zero "
					      "host part)", s);
		feed_ip_mask(e.addr, e.family, e.plen);
	}
	if (e.family == 4 && ctx->maxrange4 && e.plen < 32 &&
	    ctx->maxrange4 <= (0xffffffffu >> e.plen))
		return ipsets_too_large(ctx, 1ull << (32 - e.plen), s);
	if (!excl) {
		const char *v = end;

		FEED_SKIPSPACE(v);
		if (ds->type == DS_ACL && *v && !FEED_ISCOMMENT(*v)) {
			struct feed_val val;

			r = ipsets_acl_value(ctx, st, v, &val);
			if (r == -2)
				return 0;
			if (r < 0)
				return -1;
			value = feed_val_intern(ctx, ds, &val);
		} else {
			value = ipsets_entry_value(ctx, st, v);
			if (value == -2)
				return 0;
		}
		if (value < 0)
			return -1;
	}
	e.excluded = (uint8_t)excl;
	e.value = (uint32_t)value;
	r = ipsets_seen_prefix(st, &e);
	if (r < 0)
		return feed_fail(ctx, "out of memory");
	if (r > 0) {
		char buf[INET6_ADDRSTRLEN + 8];

		if (e.family == 4)
			snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", e.addr[0],
				 e.addr[1], e.addr[2], e.addr[3], e.plen);
		else if (inet_ntop(AF_INET6, e.addr, buf, sizeof(buf)))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "/%u", e.plen);
		return feed_warn(ctx, "duplicated entry for %s", buf);
	}
	return ipsets_add(ctx, ds, &e);
}

/* A `:...` line (or `=kw` in acl): the default value. */
static int ipsets_default_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	struct dataset *ds = st->ds;
	struct feed_val v, builtin;
	int r;

	if (ds->type == DS_IP4TSET || ds->type == DS_IP6TSET) {
		if (st->tset_def_seen)
			return 0;   /* only the first one counts, silently */
	}
	if (ds->type == DS_ACL) {
		r = ipsets_acl_value(ctx, st, s, &v);
		if (r == -2)
			return 0;
		if (r < 0)
			return -1;
	} else {
		/* rbldnsd parses default lines against the built-in value,
		 * so `:6` alone has no TXT. */
		feed_val_builtin(&builtin);
		if (feed_val_parse(ctx, s, &builtin, &v) < 0)
			return ctx->fatal ? -1 : 0;
	}
	st->tset_def_seen = 1;
	if (ds->type == DS_ACL && v.kind == VAL_LISTED)
		st->acl_rr = v;   /* also the base of later `:A` values */
	st->def = v;
	st->def_id = -1;
	return 0;
}

int feed_ipsets_line(struct feed_ctx *ctx, struct feed_dsstate *st, char *s)
{
	enum ds_type t = st->ds->type;

	/* In ip6trie and acl a line starting "::" is an address (in ip6tset
	 * it is a bad default line, as in rbldnsd). */
	if (*s == ':' && !((t == DS_IP6TRIE || t == DS_ACL) && s[1] == ':'))
		return ipsets_default_line(ctx, st, s);
	if (*s == '=' && t == DS_ACL)
		return ipsets_default_line(ctx, st, s);
	switch (t) {
	case DS_IP4SET:
		return ipsets_ip4set_line(ctx, st, s);
	case DS_IP4TSET:
		return ipsets_ip4tset_line(ctx, st, s);
	case DS_IP6TSET:
		return ipsets_ip6tset_line(ctx, st, s);
	default:
		return ipsets_trie_line(ctx, st, s);
	}
}
