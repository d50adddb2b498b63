/* dname.c -- domain names: text <-> wire format, comparison. */
#include "dname.h"

#include "dataset.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static uint8_t lower_byte(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

int dname_from_text(const char *text, size_t len, uint8_t *out, int lower)
{
	size_t pos = 0;      /* next free byte in out */
	size_t label = 0;    /* where the current label's length byte is */
	size_t i = 0;

	out[0] = 0;
	pos = 1;
	while (i < len) {
		uint8_t c = (uint8_t)text[i++];

		if (c == '.') {
			/* Close the label; an empty one collapses. */
			if (out[label] != 0) {
				label = pos;
				if (pos >= DNAME_MAX)
					return -1;
				out[pos++] = 0;
			}
			continue;
		}
		if (c == '\\') {
			if (i >= len)
				return -1;
			if (isdigit((unsigned char)text[i])) {
				unsigned v = 0;

				for (int d = 0; d < 3; d++, i++) {
					if (i >= len || !isdigit((unsigned char)text[i]))
						return -1;
					v = v * 10 + (unsigned)(text[i] - '0');
				}
				if (v > 255)
					return -1;
				c = (uint8_t)v;
			} else {
				c = (uint8_t)text[i++];
			}
		}
		if (out[label] >= 63 || pos >= DNAME_MAX)
			return -1;
		out[pos++] = lower ? lower_byte(c) : c;
		out[label]++;
	}
	/* Terminate: if the last label is empty it already is the zero. */
	if (out[label] != 0) {
		if (pos >= DNAME_MAX)
			return -1;
		out[pos++] = 0;
	}
	return (int)pos;
}

int dname_to_text(const uint8_t *wname, char *out, size_t outlen)
{
	size_t pos = 0;

	for (size_t n = 0; wname[n]; n += (size_t)wname[n] + 1) {
		if (n && pos + 1 < outlen)
			out[pos++] = '.';
		for (size_t j = 1; j <= wname[n]; j++) {
			uint8_t c = wname[n + j];

			if (isalnum(c) || c == '-' || c == '_' || c == '*') {
				if (pos + 1 >= outlen)
					return -1;
				out[pos++] = (char)c;
			} else {
				if (pos + 4 >= outlen)
					return -1;
				snprintf(out + pos, 5, "\\%03u", c);
				pos += 4;
			}
		}
	}
	if (pos >= outlen)
		return -1;
	out[pos] = '\0';
	return (int)pos;
}

int dname_concat(const uint8_t *a, const uint8_t *b, uint8_t *out)
{
	size_t la = wname_len(a) - 1, lb = wname_len(b);

	if (la + lb > DNAME_MAX)
		return -1;
	memmove(out, a, la);
	memmove(out + la, b, lb);
	return (int)(la + lb);
}

void dname_lower(uint8_t *wname)
{
	for (size_t n = 0; wname[n]; n += (size_t)wname[n] + 1)
		for (size_t j = 1; j <= wname[n]; j++)
			wname[n + j] = lower_byte(wname[n + j]);
}

int dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la = wname_len(a);

	if (la != wname_len(b))
		return 0;
	for (size_t i = 0; i < la; i++)
		if (lower_byte(a[i]) != lower_byte(b[i]))
			return 0;
	return 1;
}

int dname_below(const uint8_t *name, const uint8_t *zone)
{
	unsigned nl = wname_labels(name), zl = wname_labels(zone);
	const uint8_t *p = name;

	if (nl < zl)
		return -1;
	for (unsigned i = 0; i < nl - zl; i++)
		p += *p + 1;
	return dname_equal(p, zone) ? (int)(nl - zl) : -1;
}
