/* dnsbl_query_probe.h -- `--check ZONE`: a monitoring probe of one zone.
 *
 * Asks the RFC 5782 test points (127.0.0.2 must be listed and 127.0.0.1
 * not; ::FFFF:7F00:2 / :1 for IPv6 data; TEST / INVALID for domains), the
 * apex SOA and NS, all at once, and prints one Nagios-style status line:
 *   DNSBL OK - bl.example.org: 127.0.0.2 listed, 127.0.0.1 not listed,
 *   SOA serial 123, 2 NS, 3 ms | time=3ms;1000;
 */
#ifndef DNSBLD_DNSBL_QUERY_PROBE_H
#define DNSBLD_DNSBL_QUERY_PROBE_H

struct dq_resolver;
struct dq_zone;

/* Nagios plugin exit codes. */
enum { DQ_PROBE_OK = 0, DQ_PROBE_WARNING = 1, DQ_PROBE_CRITICAL = 2,
       DQ_PROBE_UNKNOWN = 3 };

struct dq_probe_opts {
	const struct dq_zone *zone;   /* its kinds pick the test points */
	unsigned warn_ms, crit_ms;    /* slowest answer thresholds; 0 = none */
};

/* Runs the probe, prints the status line to standard output and returns
 * DQ_PROBE_OK, _WARNING or _CRITICAL. */
int dq_probe(struct dq_resolver *res, const struct dq_probe_opts *o);

#endif
