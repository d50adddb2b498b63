/* defaults.h -- every default value of dnsbld, its loader and tools.
 *
 * One place, so the YAML config, rbldnsd's command line, the zone plan and
 * the BIND dump cannot disagree.  README.md ("Configuration") and the
 * programs' --help quote these numbers.
 */
#ifndef DNSBLD_DEFAULTS_H
#define DNSBLD_DEFAULTS_H

/* Answer TTL when neither the zone nor the data ($TTL) sets one: rbldnsd's
 * -t default, 35 minutes. */
#define DEFAULT_TTL 2100

/* SOA timers when neither the config nor the data ($SOA) gives them. */
#define DEFAULT_SOA_REFRESH 3600
#define DEFAULT_SOA_RETRY 900
#define DEFAULT_SOA_EXPIRE 604800
#define DEFAULT_SOA_MINIMUM 300

/* Where the YAML mode keeps its store, relative to the config file. */
#define DEFAULT_STORE "var/store"
/* What the YAML mode listens on. */
#define DEFAULT_LISTEN_HOST "127.0.0.1"
#define DEFAULT_LISTEN_PORT "53"

/* A load that removes more than this share (%) of a dataset's stored
 * entries is held until accepted (`max_shrink:`, lib/shrink_guard.c). */
#define DEFAULT_MAX_SHRINK 50

/* The Prometheus endpoint's port when `metrics:` names only an address
 * (the port DNS servers' exporters commonly use). */
#define DEFAULT_METRICS_PORT "9153"

/* dnsbl-web (`web:`): where it listens, and its limits per client. */
#define DEFAULT_WEB_HOST "127.0.0.1"
#define DEFAULT_WEB_PORT "8080"
#define DEFAULT_WEB_RATE_LIMIT 120        /* API requests a minute */
#define DEFAULT_WEB_REQUESTS_PER_CLIENT 5 /* removal requests a day */
#define DEFAULT_WEB_REQUESTS_PER_ADDRESS 3

/* The largest UDP answer we send to an EDNS client (the DNS flag day 2020
 * value: no IP fragmentation on common paths). */
#define DEFAULT_MAX_UDP_SIZE 1232
#define DEFAULT_TCP_IDLE_MS 10000
#define DEFAULT_TCP_MAX_CLIENTS 256
#define DEFAULT_TCP_MAX_PER_CLIENT 16       /* connections per address */
#define DEFAULT_TCP_QUERY_TIMEOUT_MS 2000   /* a begun query must be whole */
/* Zone transfers in progress at once (each holds a snapshot and the
 * zone's merged answer map: about 100 MB for a 1M-entry zone). */
#define DEFAULT_MAX_TRANSFERS 8

/* Response rate limiting (`rate_limit:`), when a rate is given. */
#define DEFAULT_RRL_SLIP 2                  /* every 2nd limited: TC=1 */
#define DEFAULT_RRL_IPV4_PREFIX 24
#define DEFAULT_RRL_IPV6_PREFIX 56
#define DEFAULT_RRL_COST_BYTES 256          /* a reply costs 1 per 256 B */
#define DEFAULT_RRL_BUCKETS 65536

/* Seconds between stats file lines (rbldnsd writes one every -c check
 * interval, default 1m). */
#define DEFAULT_STATS_INTERVAL 60

/* rbldnsd mode: how often the data files are re-checked (-c). */
#define DEFAULT_CHECK_INTERVAL 60

/* rbldnsd mode: the store directory, relative to the working directory; it
 * holds one store per running instance (server/dropin_store.c). */
#define DEFAULT_DROPIN_STORE "dnsbld-store"
/* rbldnsd mode, started as root: the user to run as (-u). */
#define DEFAULT_DROPIN_USER "rbldns"

/* A `type: trap` dataset (README "Running spam traps"). */
#define DEFAULT_TRAP_THRESHOLD 1
#define DEFAULT_TRAP_WINDOW 86400           /* 1d */
#define DEFAULT_TRAP_EXPIRE 604800          /* 7d after the last hit */
#define DEFAULT_TRAP_REPEAT_WITHIN 2592000  /* 30d */
#define DEFAULT_TRAP_PREFIX6 64
#define DEFAULT_TRAP_CODE 0x7f000002        /* 127.0.0.2 */
/* No ${...} fields: with them each listing's answer is a value of its own,
 * which the store keeps for good (README "Running spam traps"). */
#define DEFAULT_TRAP_TXT "$ is listed: it sent mail to our spam traps"
#define DEFAULT_TRAP_LISTEN_HOST "127.0.0.1"
/* rdns: off unless asked for (it sends a DNS query per new sender); a
 * lookup (PTR, then A/AAAA) gives up after this long. */
#define DEFAULT_TRAP_RDNS_TIMEOUT 5
#define DEFAULT_TRAP_RDNS_PORT "53"

#endif
