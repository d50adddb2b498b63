/* dnsbl_query_result.c -- what one (item, zone) check found. */
#include "dnsbl_query_result.h"

#include <stdio.h>
#include <string.h>

#include "dnsbl_query_codes.h"
#include "dnsbl_query_reply.h"
#include "dnsbl_query_zones.h"

int dq_result_a(struct dq_result *r, int status, const unsigned char *abuf,
		int alen)
{
	const char *err = NULL;
	int in127 = 0;

	switch (dq_reply_a(status, abuf, alen, r->codes, DQ_MAX_CODES,
			   &r->ncodes, &err)) {
	case DQ_REPLY_NONE:
		return 0;
	case DQ_REPLY_ERROR:
		snprintf(r->error, sizeof(r->error), "%s", err);
		return 0;
	default:
		break;
	}
	for (size_t i = 0; i < r->ncodes; i++) {
		const char *name;
		char addr[16];

		dq_code_text(addr, sizeof(addr), r->codes[i]);
		switch (dq_code_class(r->zone->name, r->zone->cfg, r->codes[i],
				      &name)) {
		case DQ_CODE_LISTED:
			r->listed = 1;
			in127 = 1;
			break;
		case DQ_CODE_ERROR:
			in127 = 1;
			if (!r->error[0])
				snprintf(r->error, sizeof(r->error),
					 "list service error %s%s%s%s", addr,
					 name ? " (" : "", name ? name : "",
					 name ? ")" : "");
			break;
		default:
			if (!r->error[0])
				snprintf(r->error, sizeof(r->error),
					 "answer %s is outside 127.0.0.0/8, not a "
					 "DNSBL return code (does the resolver "
					 "rewrite NXDOMAIN?)", addr);
			break;
		}
	}
	return in127;
}

void dq_result_txt(struct dq_result *r, int status, const unsigned char *abuf,
		   int alen)
{
	const char *err = NULL;

	if (dq_reply_txt(status, abuf, alen, &r->txt, &r->ntxt, &err) ==
	    DQ_REPLY_ERROR && !r->error[0])
		snprintf(r->error, sizeof(r->error), "TXT query: %s", err);
}

void dq_result_clear(struct dq_result *r)
{
	dq_reply_txt_free(r->txt, r->ntxt);
	r->txt = NULL;
	r->ntxt = 0;
}
