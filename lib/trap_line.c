/* trap_line.c -- one spam-trap hit line: `<ip> [trap=<id>] [time=<unix>]
 * [reason=<text>]`.
 *
 * The lines come from any client that can open the socket, so every byte
 * is checked: the address must be a whole IPv4 or IPv6 address, each
 * key may appear once, `reason=` takes the rest of the line, and anything
 * else makes the line malformed (it is counted and logged by the caller,
 * never applied).  An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4
 * sender it names.
 */
#include "trap.h"

#include <arpa/inet.h>
#include <string.h>

static int trap_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* FNV-1a of the trap id, never 0 (0 means "no trap given"). */
static uint32_t trap_id_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

static int trap_parse_addr(const char *s, size_t n, struct trap_hit *hit)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(hit->addr, 0, sizeof(hit->addr));
	if (inet_pton(AF_INET, buf, hit->addr) == 1) {
		hit->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, hit->addr) != 1)
		return -1;
	hit->family = 6;
	if (memcmp(hit->addr, mapped, 12) == 0) {
		memmove(hit->addr, hit->addr + 12, 4);
		memset(hit->addr + 4, 0, 12);
		hit->family = 4;
	}
	return 0;
}

/* A decimal unix time, 1..2^32-1 (counters keep 32-bit times). */
static int trap_parse_time(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 0xffffffffLL)
		return -1;
	*out = v;
	return 0;
}

int trap_line_parse(const char *line, size_t len, struct trap_hit *hit,
		    const char **why)
{
	size_t i = 0, start;
	int have_trap = 0, have_time = 0;

	memset(hit, 0, sizeof(*hit));
	*why = NULL;
	if (len && line[len - 1] == '\r')
		len--;
	if (len > TRAP_LINE_MAX) {
		*why = "line too long";
		return -1;
	}
	while (i < len && trap_is_space(line[i]))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	start = i;
	while (i < len && !trap_is_space(line[i]))
		i++;
	if (trap_parse_addr(line + start, i - start, hit) < 0) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	for (;;) {
		const char *key, *val;
		size_t klen, vlen;

		while (i < len && trap_is_space(line[i]))
			i++;
		if (i == len)
			return 1;
		key = line + i;
		while (i < len && line[i] != '=' && !trap_is_space(line[i]))
			i++;
		if (i == len || line[i] != '=') {
			*why = "expected key=value (trap= time= reason=)";
			return -1;
		}
		klen = (size_t)(line + i - key);
		val = line + ++i;
		if (klen == 6 && memcmp(key, "reason", 6) == 0) {
			/* The rest of the line, control characters refused. */
			vlen = len - i;
			for (size_t k = 0; k < vlen; k++) {
				if ((unsigned char)val[k] < 0x20 || val[k] == 0x7f) {
					*why = "control character in reason";
					return -1;
				}
			}
			if (vlen >= sizeof(hit->reason))
				vlen = sizeof(hit->reason) - 1;
			memcpy(hit->reason, val, vlen);
			hit->reason[vlen] = '\0';
			return 1;
		}
		while (i < len && !trap_is_space(line[i]))
			i++;
		vlen = (size_t)(line + i - val);
		if (klen == 4 && memcmp(key, "trap", 4) == 0) {
			if (have_trap++ || vlen == 0 || vlen > TRAP_ID_MAX) {
				*why = have_trap > 1 ? "trap= given twice"
						     : "bad trap id (1-64 bytes)";
				return -1;
			}
			for (size_t k = 0; k < vlen; k++) {
				if ((unsigned char)val[k] < 0x21 || val[k] == 0x7f) {
					*why = "control character in trap id";
					return -1;
				}
			}
			hit->trap = trap_id_hash(val, vlen);
		} else if (klen == 4 && memcmp(key, "time", 4) == 0) {
			if (have_time++) {
				*why = "time= given twice";
				return -1;
			}
			if (trap_parse_time(val, vlen, &hit->time) < 0) {
				*why = "bad time (unix seconds)";
				return -1;
			}
		} else {
			*why = "unknown key (trap= time= reason=)";
			return -1;
		}
	}
}
