/* dnsbl_query_run.h -- check many items against zones, many queries in flight.
 *
 * Items are taken from the input while fewer than `window` queries are in
 * flight; each (item, zone) sends an A query, and a TXT query once the A
 * answer holds return codes.  Results are printed in input order: finished
 * items wait in a ring until the items before them are done, so a slow
 * answer delays the output but not the queries behind it.
 */
#ifndef DNSBLD_DNSBL_QUERY_RUN_H
#define DNSBLD_DNSBL_QUERY_RUN_H

#include <stddef.h>

struct dq_input;
struct dq_resolver;
struct dq_zones;

struct dq_run_opts {
	const struct dq_zones *zones;
	size_t window;        /* queries in flight at most */
	int json;             /* JSON lines instead of text */
	int quiet;            /* print only listed items and errors */
};

/* Checks every item of `in` against each zone that takes its kind and
 * prints one line per (item, zone) to standard output.  Returns the exit
 * status: 0 nothing listed, 1 something listed, 2 an error (a refused
 * item, a failed query, a service error code). */
int dq_run(struct dq_resolver *res, struct dq_input *in,
	   const struct dq_run_opts *o);

#endif
