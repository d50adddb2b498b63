/* dnsbl_web_json.c -- a request's JSON body: one flat object.
 *
 * The API takes small objects of strings ({"entry": "192.0.2.0/24",
 * "reason": "ticket 42"}); numbers and booleans are kept as their text.
 * Nested values, duplicate keys, bad escapes, control bytes and trailing
 * text are refused with a reason, so a client learns what was wrong.
 */
#include "dnsbl_web.h"

#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s;
	const char *err;
};

static void jp_ws(struct jp *p)
{
	p->s += strspn(p->s, " \t\r\n");
}

static void jp_utf8(char **o, unsigned c)
{
	if (c < 0x80) {
		*(*o)++ = (char)c;
	} else if (c < 0x800) {
		*(*o)++ = (char)(0xc0 | c >> 6);
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*(*o)++ = (char)(0xe0 | c >> 12);
		*(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else {
		*(*o)++ = (char)(0xf0 | c >> 18);
		*(*o)++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	}
}

static int jp_hex4(const char *s, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d > 15)
			return -1;
		*out = *out << 4 | d;
	}
	return 0;
}

/* A string at p->s (after its opening quote); a new NUL-free copy. */
static char *jp_string(struct jp *p)
{
	char *out = malloc(strlen(p->s) * 2 + 8), *o = out;

	if (!out) {
		p->err = "out of memory";
		return NULL;
	}
	for (;;) {
		unsigned char c = (unsigned char)*p->s++;
		unsigned u, lo;

		if (c == '"')
			break;
		if (c < 0x20) {
			p->err = c ? "a control character in a string" :
				     "a string is not closed";
			goto bad;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		c = (unsigned char)*p->s++;
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = (char)c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (jp_hex4(p->s, &u) < 0)
				goto badesc;
			p->s += 4;
			if (u >= 0xd800 && u < 0xdc00) {
				if (p->s[0] != '\\' || p->s[1] != 'u' ||
				    jp_hex4(p->s + 2, &lo) < 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					goto badesc;
				p->s += 6;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			} else if (u >= 0xdc00 && u < 0xe000) {
				goto badesc;
			}
			if (u == 0) {
				p->err = "a NUL character in a string";
				goto bad;
			}
			jp_utf8(&o, u);
			break;
		default:
			goto badesc;
		}
	}
	*o = '\0';
	return out;
badesc:
	p->err = "a bad escape in a string";
bad:
	free(out);
	return NULL;
}

/* A number, true, false or null: its text. */
static char *jp_word(struct jp *p)
{
	size_t n = strspn(p->s, "0123456789+-.eEtruefalsn");
	char *out;

	if (n == 0 || n > 64) {
		p->err = "a value must be a string, a number or a boolean";
		return NULL;
	}
	out = strndup(p->s, n);
	if (!out)
		p->err = "out of memory";
	p->s += n;
	return out;
}

int web_obj_parse(const char *text, struct web_obj *o, char *why,
		  size_t whylen)
{
	struct jp p = { text, NULL };

	memset(o, 0, sizeof(*o));
	jp_ws(&p);
	if (*p.s++ != '{') {
		p.err = "the body must be a JSON object";
		goto bad;
	}
	jp_ws(&p);
	if (*p.s == '}') {
		p.s++;
		goto end;
	}
	for (;;) {
		struct web_kv *kv;
		char *key, *val;

		jp_ws(&p);
		if (*p.s++ != '"') {
			p.err = "expected a key in quotes";
			goto bad;
		}
		if (!(key = jp_string(&p)))
			goto bad;
		jp_ws(&p);
		if (*p.s++ != ':') {
			free(key);
			p.err = "expected ':' after a key";
			goto bad;
		}
		jp_ws(&p);
		if (*p.s == '{' || *p.s == '[') {
			free(key);
			p.err = "a value must be a string, a number or a boolean";
			goto bad;
		}
		val = *p.s == '"' ? (p.s++, jp_string(&p)) : jp_word(&p);
		if (!val || web_obj_get(o, key)) {
			if (val)
				p.err = "a key given twice";
			free(key);
			free(val);
			goto bad;
		}
		kv = realloc(o->kv, (o->n + 1) * sizeof(*kv));
		if (!kv) {
			free(key);
			free(val);
			p.err = "out of memory";
			goto bad;
		}
		o->kv = kv;
		o->kv[o->n].key = key;
		o->kv[o->n++].val = val;
		jp_ws(&p);
		if (*p.s == ',') {
			p.s++;
			continue;
		}
		if (*p.s++ == '}')
			break;
		p.err = "expected ',' or '}'";
		goto bad;
	}
end:
	jp_ws(&p);
	if (*p.s == '\0')
		return 0;
	p.err = "text after the object";
bad:
	snprintf(why, whylen, "bad JSON body: %s", p.err ? p.err : "?");
	web_obj_free(o);
	return -1;
}

const char *web_obj_get(const struct web_obj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->kv[i].key, key) == 0)
			return o->kv[i].val;
	return NULL;
}

void web_obj_free(struct web_obj *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->kv[i].key);
		free(o->kv[i].val);
	}
	free(o->kv);
	memset(o, 0, sizeof(*o));
}

int web_obj_known(struct web_req *r, const struct web_obj *o,
		  const char *const *known)
{
	for (size_t i = 0; i < o->n; i++) {
		int ok = 0;

		for (const char *const *k = known; *k; k++)
			ok |= strcmp(*k, o->kv[i].key) == 0;
		if (!ok) {
			web_error(r, 400, "unknown member \"%.64s\"", o->kv[i].key);
			return -1;
		}
	}
	return 0;
}
