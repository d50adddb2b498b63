/* txt.c -- rbldnsd TXT template expansion (`$`, `$$`, `$0`..`$9`, `$=`).
 *
 * Operators' feeds carry TXT templates written for rbldnsd, so the expansion
 * must give byte-for-byte the text rbldnsd sends.  The rules below were
 * checked against the Debian rbldnsd binary (see tests/lib/test_txt.c):
 *  - the text expanded is the base template `$=` if the dataset has one,
 *    unless the entry text starts with `=` (then the entry text without it);
 *  - `$=` stands for the entry text (after a leading `=`), unexpanded, or
 *    for the subject when the entry has no text;
 *  - `$$` is `$`, `$n` a variable or the literal `$n` when undefined, and a
 *    `$` followed by anything else (or nothing) is the subject;
 *  - the result is cut at 254 bytes.
 */
#include "txt.h"

#include <string.h>

/* Appends up to `n` bytes of `s` to out[*len], never past TXT_MAX. */
static void txt_append(char out[TXT_MAX], size_t *len, const char *s,
		       size_t n)
{
	if (n > TXT_MAX - *len)
		n = TXT_MAX - *len;
	memcpy(out + *len, s, n);
	*len += n;
}

int txt_expand(const char *txt, size_t txtlen, const struct ds_meta *meta,
	       const char *subject, size_t subjectlen, char out[TXT_MAX])
{
	const char *tpl, *entry;
	size_t tpllen, entrylen, len = 0;
	const char *base = meta ? meta->base_template : NULL;

	if (txt && txtlen == 0)
		txt = NULL;
	if (txt && txt[0] == '=') {
		/* Own text: skip the base template. */
		tpl = entry = txt + 1;
		tpllen = entrylen = txtlen - 1;
	} else if (base) {
		tpl = base;
		tpllen = strlen(base);
		entry = txt ? txt : subject;
		entrylen = txt ? txtlen : subjectlen;
	} else if (txt) {
		tpl = entry = txt;
		tpllen = entrylen = txtlen;
	} else {
		return -1;
	}

	for (size_t i = 0; i < tpllen && len < TXT_MAX; i++) {
		const char *dollar = memchr(tpl + i, '$', tpllen - i);
		size_t lit = dollar ? (size_t)(dollar - (tpl + i)) : tpllen - i;

		txt_append(out, &len, tpl + i, lit);
		i += lit;
		if (!dollar)
			break;
		/* tpl[i] is the '$'; look at what follows it. */
		if (i + 1 < tpllen && tpl[i + 1] == '$') {
			txt_append(out, &len, "$", 1);
			i++;
		} else if (i + 1 < tpllen && tpl[i + 1] >= '0' &&
			   tpl[i + 1] <= '9') {
			const char *var = meta ? meta->vars[tpl[i + 1] - '0']
					       : NULL;

			if (var)
				txt_append(out, &len, var, strlen(var));
			else
				txt_append(out, &len, tpl + i, 2);
			i++;
		} else if (i + 1 < tpllen && tpl[i + 1] == '=') {
			txt_append(out, &len, entry, entrylen);
			i++;
		} else {
			txt_append(out, &len, subject, subjectlen);
		}
	}
	return (int)len;
}
