/* dnsbl_qname.c -- a checked item (address or domain) to its DNSBL query name.
 *
 * Items come from people and log files, so parsing is strict and says what
 * is wrong: an item that is neither an address nor a host-style name is
 * refused rather than sent as some odd query that can only come back
 * "not listed".
 */
#include "dnsbl_qname.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* A host-style name: labels of 1..63 letters, digits, '-' or '_', at most
 * DNSBL_NAME_MAX - 1 characters; one trailing dot is dropped.  Copied
 * lowercase into `out` (DNSBL_NAME_MAX bytes).  Returns 0 or -1 with *why. */
static int qname_name(const char *text, size_t len, char *out,
		      const char **why)
{
	size_t label = 0;

	if (len > 0 && text[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty name";
		return -1;
	}
	if (len >= DNSBL_NAME_MAX) {
		*why = "name longer than 253 characters";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c == '.') {
			if (label == 0) {
				*why = "empty label in name";
				return -1;
			}
			label = 0;
			out[i] = c;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_')) {
			*why = "not an IP address or a domain name";
			return -1;
		}
		if (++label > 63) {
			*why = "label longer than 63 characters";
			return -1;
		}
		out[i] = c;
	}
	if (label == 0) {
		*why = "empty label in name";
		return -1;
	}
	out[len] = '\0';
	return 0;
}

/* Digits and dots only: meant as an IPv4 address, whatever inet_pton says. */
static int qname_looks_ip4(const char *s, size_t len)
{
	int digits = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits = 1;
		else if (s[i] != '.')
			return 0;
	}
	return digits;
}

int dnsbl_item_parse(const char *text, struct dnsbl_item *out,
		     const char **why)
{
	char buf[64];
	size_t len = strlen(text);
	const char *last;

	memset(out, 0, sizeof(*out));
	/* "[192.0.2.1]" and "[2001:db8::1]" as in Received: headers. */
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len < sizeof(buf)) {
		memcpy(buf, text, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET, buf, out->addr) == 1) {
			out->kind = DNSBL_IP4;
			return 0;
		}
		if (inet_pton(AF_INET6, buf, out->addr) == 1) {
			out->kind = DNSBL_IP6;
			return 0;
		}
	}
	if (memchr(text, '/', len)) {
		*why = "a network, not an address";
		return -1;
	}
	if (memchr(text, ':', len)) {
		*why = "not a valid IPv6 address";
		return -1;
	}
	if (qname_looks_ip4(text, len)) {
		*why = "not a valid IPv4 address";
		return -1;
	}
	if (qname_name(text, len, out->name, why) < 0)
		return -1;
	/* A numeric top label is no domain (RFC 3696 2): "1.2.3.400", say. */
	last = strrchr(out->name, '.');
	if (qname_looks_ip4(last ? last + 1 : out->name,
			    strlen(last ? last + 1 : out->name))) {
		*why = "not an IP address or a domain name";
		return -1;
	}
	out->kind = DNSBL_DOMAIN;
	return 0;
}

int dnsbl_zone_parse(const char *text, char *out, const char **why)
{
	return qname_name(text, strlen(text), out, why);
}

int dnsbl_qname(const struct dnsbl_item *item, const char *zone, char *out,
		size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	char rev[DNSBL_NAME_MAX];
	const uint8_t *a = item->addr;
	int n;

	switch (item->kind) {
	case DNSBL_IP4:
		snprintf(rev, sizeof(rev), "%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
		break;
	case DNSBL_IP6:
		/* Lowest nibble first: 2001:db8::1 -> 1.0.0.0 ... 8.b.d.0.1.0.0.2 */
		for (int i = 0; i < 32; i++) {
			uint8_t byte = a[15 - i / 2];

			rev[2 * i] = hex[i % 2 ? byte >> 4 : byte & 15];
			rev[2 * i + 1] = '.';
		}
		rev[63] = '\0';
		break;
	default:
		snprintf(rev, sizeof(rev), "%s", item->name);
		break;
	}
	n = snprintf(out, outlen, "%s.%s", rev, zone);
	if (n < 0 || (size_t)n >= outlen || n >= DNSBL_NAME_MAX)
		return -1;
	return n;
}

void dnsbl_item_text(const struct dnsbl_item *item, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	if (item->kind == DNSBL_IP4) {
		if (!inet_ntop(AF_INET, item->addr, out, (socklen_t)outlen))
			out[0] = '\0';
	} else if (item->kind == DNSBL_IP6) {
		if (!inet_ntop(AF_INET6, item->addr, out, (socklen_t)outlen))
			out[0] = '\0';
	} else {
		snprintf(out, outlen, "%s", item->name);
	}
}

const char *dnsbl_kind_name(enum dnsbl_kind kind)
{
	switch (kind) {
	case DNSBL_IP4:
		return "ip4";
	case DNSBL_IP6:
		return "ip6";
	default:
		return "domain";
	}
}
