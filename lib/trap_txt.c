/* trap_txt.c -- a trap dataset's TXT template: the listing's own fields.
 *
 * The TXT of a trap listing says why it is listed: `${hits}` (hits so
 * far), `${first}` and `${last}` (first and last hit, UTC,
 * 2026-01-31T12:00:00Z), `${listed}` (how many times listed) and
 * `${until}` (when the listing ends, as of its start) and `${rdns}` (the
 * sender's reverse DNS, trap_rdns_text: filled in again when the lookup
 * ends after the listing began).  The loader fills
 * these in when it makes the listing; what remains is rbldnsd's syntax
 * (`$` the queried address, `$$`, `$0`..`$9`), expanded by the server per
 * answer like any other dataset's TXT.  `${` never means anything in
 * rbldnsd's syntax that an operator would want here, so the config
 * refuses an unknown field instead of guessing.
 */
#include "trap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const trap_txt_fields[] = { "hits", "first", "last",
					       "listed", "until", "rdns", NULL };

/* The field `${name}` starting at tpl[0] == '$': its index and length
 * (through the '}'), or -1. */
static int txt_field(const char *tpl, size_t *flen)
{
	const char *close;

	if (tpl[1] != '{' || !(close = strchr(tpl + 2, '}')))
		return -1;
	for (int i = 0; trap_txt_fields[i]; i++) {
		size_t n = strlen(trap_txt_fields[i]);

		if ((size_t)(close - tpl - 2) == n &&
		    memcmp(tpl + 2, trap_txt_fields[i], n) == 0) {
			*flen = n + 3;
			return i;
		}
	}
	return -1;
}

const char *trap_txt_check(const char *tpl)
{
	size_t flen;

	if (strlen(tpl) > 255)
		return "longer than 255 bytes";
	for (const char *p = tpl; (p = strchr(p, '$')) != NULL;) {
		if (p[1] == '$') {
			p += 2;
		} else if (p[1] == '{') {
			if (txt_field(p, &flen) < 0)
				return "unknown ${field} (hits first last listed "
				       "until rdns)";
			p += flen;
		} else {
			p++;
		}
	}
	return NULL;
}

static size_t txt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return 0;
	return strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

size_t trap_txt_render(const char *tpl, const struct trap_counter *c,
		       char out[256])
{
	size_t len = 0, flen;

	for (const char *p = tpl; *p && len < 255;) {
		char val[TRAP_RDNS_NAME_MAX + 16];
		size_t vlen = 0;
		int f = *p == '$' ? txt_field(p, &flen) : -1;

		if (*p == '$' && p[1] == '$') {
			/* `$$` stays for the server, whole. */
			if (len + 2 > 255)
				break;
			out[len++] = '$';
			out[len++] = '$';
			p += 2;
			continue;
		}
		if (f < 0) {
			out[len++] = *p++;
			continue;
		}
		switch (f) {
		case 0:
			vlen = (size_t)snprintf(val, sizeof(val), "%" PRIu32, c->hits);
			break;
		case 1:
			vlen = txt_time(c->first, val, sizeof(val));
			break;
		case 2:
			vlen = txt_time(c->last, val, sizeof(val));
			break;
		case 3:
			vlen = (size_t)snprintf(val, sizeof(val), "%" PRIu32,
						c->times_listed);
			break;
		case 4:
			vlen = txt_time(c->listed_until, val, sizeof(val));
			break;
		default:   /* ${rdns}: lib/trap_rdns.c */
			vlen = strlen(trap_rdns_text(&c->rdns, val, sizeof(val)));
			break;
		}
		if (vlen > 255 - len)
			vlen = 255 - len;
		memcpy(out + len, val, vlen);
		len += vlen;
		p += flen;
	}
	out[len] = '\0';
	return len;
}
