/* feed_ip.c -- IPv4/IPv6 keys as rbldnsd's data files write them.
 *
 * rbldnsd accepts some odd forms (`127.16-31`, inet_aton-style A values,
 * IPv6 prefixes whose length is implied by the groups written) and rejects
 * some obvious ones (a bare `10`, `127-127.0.0`); feeds in the wild rely on
 * both, so these parsers follow its rules exactly rather than inet_pton's.
 */
#include "feed_ctx.h"

#include <string.h>

#define ISDIGIT(c) ((c) >= '0' && (c) <= '9')

static uint32_t ip_mask4(unsigned bits)
{
	return bits ? 0xffffffffu << (32 - bits) : 0;
}

int feed_ip4_prefix(const char *s, uint32_t *addr, const char **end)
{
	uint32_t a = 0;
	int bits = 0;

	for (;;) {
		unsigned o;

		if (!ISDIGIT(*s))
			return -1;
		o = (unsigned)(*s++ - '0');
		while (ISDIGIT(*s)) {
			o = o * 10 + (unsigned)(*s++ - '0');
			if (o > 255)
				return -1;
		}
		bits += 8;
		a |= o << (32 - bits);
		if (bits == 32 || *s != '.')
			break;
		s++;
	}
	*addr = a;
	*end = s;
	return bits;
}

int feed_ip4_addr(const char *s, uint32_t *addr, const char **end)
{
	uint32_t a = 0;   /* feed_ip4_prefix leaves it unset on failure */
	int bits = feed_ip4_prefix(s, &a, end);

	/* The last octet written is the host's last octet. */
	switch (bits) {
	case 8:
		a >>= 24;
		break;
	case 16:
		a = (a & 0xff000000u) | ((a >> 16) & 255);
		break;
	case 24:
		a = (a & 0xffff0000u) | ((a >> 8) & 255);
		break;
	default:
		break;
	}
	*addr = a;
	return bits;
}

/* `/len` after a prefix: decimal, at most 32 (0 allowed here). */
static int ip_ip4_len(const char *s, const char **end)
{
	int bits;

	if (!ISDIGIT(*s))
		return -1;
	bits = *s++ - '0';
	while (ISDIGIT(*s)) {
		bits = bits * 10 + (*s++ - '0');
		if (bits > 32)
			return -1;
	}
	*end = s;
	return bits;
}

int feed_ip4_cidr(const char *s, uint32_t *addr, const char **end)
{
	int bits = feed_ip4_prefix(s, addr, &s);

	if (bits < 0)
		return -1;
	if (*s == '/')
		return ip_ip4_len(s + 1, end);
	if (bits == 8)   /* a bare number: rbldnsd wants `n/8` */
		return -1;
	*end = s;
	return bits;
}

int feed_ip4_range(const char *s, uint32_t *lo, uint32_t *hi, int *is_range,
		   const char **end)
{
	uint32_t a, b;
	int bits = feed_ip4_prefix(s, &a, &s), bbits;

	if (bits < 0)
		return -1;
	if (*s == '-') {
		bbits = feed_ip4_prefix(s + 1, &b, &s);
		if (bbits < 0)
			return -1;
		if (bbits == 8 && bits > 8) {
			/* `127.0.0.1-2`: the single octet replaces the last
			 * octet written on the left. */
			b = (b >> (bits - 8)) | (a & ip_mask4((unsigned)bits - 8));
			bbits = bits;
		} else if (bbits != bits) {
			return -1;   /* `1.2-1.2.3.4`, `127-127.0.0` */
		}
		b |= ~ip_mask4((unsigned)bbits);
		if (a > b)
			return -1;
		*lo = a;
		*hi = b;
		*is_range = 1;
		*end = s;
		return 32;
	}
	if (*s == '/') {
		bits = ip_ip4_len(s + 1, &s);
		if (bits < 0)
			return -1;
	} else if (bits == 8) {
		return -1;
	}
	*lo = a;
	*hi = a | ~ip_mask4((unsigned)bits);
	*is_range = 0;
	*end = s;
	return bits;
}

static int ip_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int feed_ip6_prefix(const char *s, uint8_t addr[16], const char **end)
{
	unsigned bytes = 0;
	int gap = -1, bits = -1;

	memset(addr, 0, 16);
	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	for (;;) {
		const char *start = s;
		unsigned v = 0;
		int h;

		/* Any number of digits while the group fits 16 bits, so a
		 * leading-zero `00001` is fine and `12345` is not. */
		while ((h = ip_hexval(*s)) >= 0 && ((v << 4) | (unsigned)h) <= 0xffff) {
			v = (v << 4) | (unsigned)h;
			s++;
		}
		if (s == start || ip_hexval(*s) >= 0)
			break;          /* no group here, or one over 0xffff */
		addr[bytes++] = (uint8_t)(v >> 8);
		addr[bytes++] = (uint8_t)v;
		if (*s != ':' || bytes == 16) {
			bits = (int)bytes * 8;
			break;
		}
		s++;
		if (gap < 0 && *s == ':') {
			gap = (int)bytes;
			s++;
		}
	}
	if (gap >= 0) {
		/* "::" stands for at least one zero group, wherever the
		 * groups after it stopped (a trailing ':' is tolerated, as
		 * rbldnsd does). */
		unsigned nz = 16 - bytes;

		if (!nz)
			return -1;
		memmove(addr + gap + nz, addr + gap, bytes - (unsigned)gap);
		memset(addr + gap, 0, nz);
		bits = 128;
	}
	*end = s;
	return bits;
}

int feed_ip6_cidr(const char *s, uint8_t addr[16], const char **end)
{
	int bits = feed_ip6_prefix(s, addr, &s);

	if (bits >= 0 && *s == '/') {
		s++;
		if (!ISDIGIT(*s))
			return -1;
		bits = 0;
		while (ISDIGIT(*s)) {
			bits = bits * 10 + (*s++ - '0');
			if (bits > 128)
				return -1;
		}
	} else if (bits == 16) {
		return -1;   /* a single bare group */
	}
	*end = s;
	return bits;
}

int feed_ip_host_bits(const uint8_t addr[16], int family, unsigned plen)
{
	unsigned total = family == 4 ? 32 : 128;

	for (unsigned bit = plen; bit < total; bit++)
		if (addr[bit / 8] & (0x80u >> (bit % 8)))
			return 1;
	return 0;
}

void feed_ip_mask(uint8_t addr[16], int family, unsigned plen)
{
	unsigned total = family == 4 ? 32 : 128;

	for (unsigned bit = plen; bit < total; bit++)
		addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}
