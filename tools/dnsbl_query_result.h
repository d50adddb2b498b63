/* dnsbl_query_result.h -- what one (item, zone) check found.
 *
 * Filled from the A reply (listed or not, the return codes, a service error)
 * and, when the A answer held return codes, from the TXT reply.  The rules
 * of what counts as listed live here, for the bulk checks and the --check
 * probe alike.
 */
#ifndef DNSBLD_DNSBL_QUERY_RESULT_H
#define DNSBLD_DNSBL_QUERY_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsbl_qname.h"

struct dq_zone;

/* A records kept per answer (a list answers one per sub-list). */
#define DQ_MAX_CODES 16

struct dq_result {
	const char *item;             /* as given */
	const struct dq_zone *zone;   /* NULL: the item itself was refused */
	char qname[DNSBL_NAME_MAX];   /* "" if none was asked */
	uint32_t codes[DQ_MAX_CODES]; /* the A answer, host byte order */
	size_t ncodes;
	int listed;
	char **txt;                   /* malloc'd, one per TXT record */
	size_t ntxt;
	char error[256];              /* "" = none */
	double ms;                    /* first query sent to last answer */
};

/* Reads the A reply into `r`: listed if a return code is a listing;
 * 127.255.255.x and other service error codes, answers outside 127/8 and
 * failed queries set r->error.  Returns 1 if the TXT is worth asking (the
 * answer held codes in 127.0.0.0/8), else 0. */
int dq_result_a(struct dq_result *r, int status, const unsigned char *abuf,
		int alen);

/* Reads the TXT reply into `r`; a failed query sets r->error unless it is
 * set already. */
void dq_result_txt(struct dq_result *r, int status, const unsigned char *abuf,
		   int alen);

/* Frees the TXT strings (the result itself belongs to the caller). */
void dq_result_clear(struct dq_result *r);

#endif
