/* test_jsonw.c -- lib/jsonw.c: any bytes make a valid JSON string. */
#include "check.h"

#include <stdlib.h>

#include "jsonw.h"

static const char *json(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	jsonw_str(f, s);
	fclose(f);
	return buf;
}

int main(void)
{
	CHECK_STR(json(NULL), "null");
	CHECK_STR(json(""), "\"\"");
	CHECK_STR(json("plain /path/x.ip4set"), "\"plain /path/x.ip4set\"");
	CHECK_STR(json("a \"quote\" and \\"), "\"a \\\"quote\\\" and \\\\\"");
	CHECK_STR(json("tab\there\nnl"), "\"tab\\u0009here\\u000anl\"");
	CHECK_STR(json("caf\xe9 \x7f"), "\"caf\\u00e9 \\u007f\"");
	return check_report();
}
