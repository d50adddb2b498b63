/* dnsbl_query_output.c -- one result line: plain text or JSON.
 *
 * TXT records are the list operator's bytes, so both forms escape them:
 * valid UTF-8 passes, anything else becomes \ddd (text) or \u00XX (JSON),
 * and a line is always one line and a JSON line always parses.
 */
#include "dnsbl_query_output.h"

#include "dnsbl_query_codes.h"
#include "dnsbl_query_result.h"
#include "dnsbl_query_zones.h"

/* The length of the valid UTF-8 sequence (2..4 bytes) at `p`, else 0. */
static size_t out_utf8_len(const unsigned char *p)
{
	size_t n;
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	/* Stops at the terminating NUL, which is no continuation byte. */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* `s` for a text line: '"' and '\' escaped, bytes that are not printable
 * ASCII or valid UTF-8 as \ddd (DNS presentation style). */
static void out_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
		} else if ((n = out_utf8_len(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fprintf(f, "\\%03u", *p++);
		}
	}
}

/* `s` as a JSON string, or null. */
static void out_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p >= 0x20 && *p < 0x80) {
			fputc(*p++, f);
		} else if (*p >= 0x80 && (n = out_utf8_len(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			/* Controls, and stray bytes read as Latin-1. */
			fprintf(f, "\\u%04x", *p++);
		}
	}
	fputc('"', f);
}

static void out_line_text(FILE *f, const struct dq_result *r)
{
	out_text(f, r->item);
	if (!r->zone) {
		fprintf(f, ": error: %s\n", r->error);
		return;
	}
	fprintf(f, " %s: ", r->zone->name);
	if (r->listed) {
		fputs("listed", f);
		for (size_t i = 0; i < r->ncodes; i++) {
			char addr[16];
			const char *name;

			dq_code_class(r->zone->name, r->zone->cfg, r->codes[i], &name);
			dq_code_text(addr, sizeof(addr), r->codes[i]);
			fprintf(f, "%s %s", i ? "," : "", addr);
			if (name) {
				fputs(" (", f);
				out_text(f, name);
				fputc(')', f);
			}
		}
		if (r->error[0])
			fprintf(f, "; error: %s", r->error);
	} else if (r->error[0]) {
		fprintf(f, "error: %s", r->error);
	} else {
		fputs("not listed", f);
	}
	for (size_t i = 0; i < r->ntxt; i++) {
		fputs(" \"", f);
		out_text(f, r->txt[i]);
		fputc('"', f);
	}
	fputc('\n', f);
}

static void out_line_json(FILE *f, const struct dq_result *r)
{
	fputs("{\"item\":", f);
	out_json_str(f, r->item);
	fputs(",\"zone\":", f);
	out_json_str(f, r->zone ? r->zone->name : NULL);
	fputs(",\"query\":", f);
	out_json_str(f, r->qname[0] ? r->qname : NULL);
	fprintf(f, ",\"listed\":%s,\"codes\":[", r->listed ? "true" : "false");
	for (size_t i = 0; i < r->ncodes; i++) {
		char addr[16];
		const char *name = NULL;

		if (r->zone)
			dq_code_class(r->zone->name, r->zone->cfg, r->codes[i], &name);
		dq_code_text(addr, sizeof(addr), r->codes[i]);
		fprintf(f, "%s{\"address\":\"%s\",\"name\":", i ? "," : "", addr);
		out_json_str(f, name);
		fputc('}', f);
	}
	fputs("],\"txt\":[", f);
	for (size_t i = 0; i < r->ntxt; i++) {
		if (i)
			fputc(',', f);
		out_json_str(f, r->txt[i]);
	}
	fputs("],\"error\":", f);
	out_json_str(f, r->error[0] ? r->error : NULL);
	fprintf(f, ",\"time_ms\":%.3f}\n", r->ms);
}

void dq_output_result(FILE *f, const struct dq_result *r, int json)
{
	if (json)
		out_line_json(f, r);
	else
		out_line_text(f, r);
}
