/* feed_dname.c -- domain names as rbldnsd's data files write them.
 *
 * rbldnsd's name parser is a little looser than the project's presentation
 * format (dname_from_text): `\d` and `\dd` are decimal escapes too, and a
 * backslash at the very end is dropped.  Rather than keep a second parser,
 * this rewrites those escapes into the strict `\ddd` form and hands the text
 * to dname_from_text, so both agree on everything else.
 */
#include "feed_ctx.h"

#include "dname.h"

#define ISDIGIT(c) ((c) >= '0' && (c) <= '9')

int feed_dname(const char *text, size_t len, uint8_t *out, int lower)
{
	/* Longer text cannot make a name of at most 255 bytes even with
	 * every byte written as a 4-character escape. */
	char buf[DNAME_MAX * 4 + 64];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (n + 4 >= sizeof(buf))
			return -1;
		if (text[i] != '\\') {
			buf[n++] = text[i];
			continue;
		}
		if (i + 1 >= len)
			break;   /* a trailing backslash is ignored */
		if (ISDIGIT(text[i + 1])) {
			unsigned v = 0, d = 0;

			while (d < 3 && i + 1 < len && ISDIGIT(text[i + 1])) {
				v = v * 10 + (unsigned)(text[++i] - '0');
				d++;
			}
			if (v > 255)
				return -1;
			buf[n++] = '\\';
			buf[n++] = (char)('0' + v / 100);
			buf[n++] = (char)('0' + v / 10 % 10);
			buf[n++] = (char)('0' + v % 10);
			continue;
		}
		buf[n++] = '\\';
		buf[n++] = text[++i];
	}
	return dname_from_text(buf, n, out, lower);
}
