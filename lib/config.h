/* config.h -- the YAML configuration file (libyaml).
 *
 * Shape:
 *   store: var/store                 # LMDB environment directory
 *   listen: ["127.0.0.1:5353", "[::1]:5353"]
 *   datasets:
 *     spam: { type: ip4set, files: [data/spam.ip4set] }
 *   zones:
 *     bl.example.org: { datasets: [spam] }
 *
 * Full shape and defaults (README.md "Configuration" has the details):
 *   store: PATH (default var/store)   listen: LIST (default 127.0.0.1:53)
 *   datasets.NAME: type, files (list or one string), max_errors (0),
 *     max_shrink (50%; 0 = off), shrink_hold (0 = until accepted),
 *     manual (false; true: no files, edited with dnsbl-ctl); type trap
 *     takes instead threshold 1, window 1d, distinct_traps false, expire
 *     7d, repeat_expire (expire), repeat_within 30d, prefix6 64, allow
 *     (CIDRs and address dataset names), allow_special true, code
 *     127.0.0.2, txt, socket, listen (a port alone: 127.0.0.1)
 *   zones.NAME: datasets (list or one string, not acl), acl (an acl
 *     dataset), ttl (0), ns (list), codes {ADDRESS: name for dnsbl-query},
 *     soa {mname, rname (required; '@' allowed),
 *     ttl (zone ttl or 2100), refresh 3600, retry 900, expire 604800,
 *     minimum 300}, access and rate_limit (as the server's, rate_limit
 *     with only responses_per_second and slip); times take rbldnsd units
 *     s m h d w.
 *   server: {workers 0, max_udp_size 1232, tcp_idle_ms 10000,
 *     tcp_max_clients 256, tcp_max_per_client 16, tcp_query_timeout_ms
 *     2000, max_transfers 8, access [{from, action, code, txt}], rate_limit
 *     {responses_per_second, slip 2, ipv4_prefix 24, ipv6_prefix 56,
 *     cost_bytes 256, buckets 65536}, user, group, chroot, pidfile,
 *     daemon false,
 *     syslog, query_log, query_log_unbuffered false,
 *     query_log_format rbldnsd|json, stats_file,
 *     stats_relative false, stats_interval 60, default_ttl 2100, min_ttl,
 *     max_ttl, version_bind answer|hide|refuse, metrics ADDR:PORT} (the
 *     same keys are also accepted at top level).  Defaults:
 *     lib/defaults.h.
 *
 * Relative paths are relative to the directory of the config file (resolved
 * to absolute paths).  Unknown keys, duplicate keys, wrong types, bad values,
 * references to undefined datasets and missing files are errors naming
 * `file:line: key: reason` (YAML syntax errors: `file:line:column:`).
 */
#ifndef DNSBLD_CONFIG_H
#define DNSBLD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

/* An address prefix in a config list (a trap dataset's `allow`). */
struct cfg_cidr {
	uint8_t family;        /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];      /* host bits zero */
};

/* A trap dataset's `tail`: a log file followed (loader/traptail.c), its
 * lines made hits by a regular expression or a preset. */
struct cfg_trap_tail {
	char *file;            /* the log file (resolved path) */
	int preset_postfix;    /* `preset: postfix` (lib/trap_postfix.c) */
	char **recipients;     /* ...its trap addresses or @domains */
	size_t nrecipients;
	char *regex;           /* else a POSIX ERE (checked at load) */
	unsigned ip_group;     /* ...its group with the address (1) */
	unsigned trap_group;   /* ...and with the trap id (0: none) */
	int from_start;        /* read the file from its start (false: end) */
};

/* A `type: trap` dataset's policy and inputs (README "Running spam
 * traps"); times in seconds. */
struct cfg_trap {
	unsigned threshold;    /* hits (or distinct traps) that list, 1..16 */
	uint32_t window;       /* ...within this long */
	int distinct_traps;    /* count distinct trap=<id>s, not hits */
	uint32_t expire;       /* a listing lasts this long after the last hit */
	uint32_t repeat_expire;/* ...or this long for a repeat offender */
	uint32_t repeat_within;/* listed before within this long: a repeat */
	unsigned prefix6;      /* IPv6 hits count and list per this prefix */
	struct cfg_cidr *allow;/* never listed (CIDRs of `allow`) */
	size_t nallow;
	char **allow_datasets; /* never listed: addresses these datasets list */
	size_t nallow_datasets;
	int allow_special;     /* the special-use ranges are allowed (true) */
	uint32_t code;         /* A answer, host byte order */
	char *txt;             /* TXT template (lib/trap_txt.c), NULL: none */
	char *socket;          /* watch: a UNIX stream socket here, or NULL */
	char *listen_host;     /* watch: a TCP listener (NULL: none) */
	char *listen_port;
	struct cfg_trap_tail *tail; /* watch: a log file followed, or NULL */
	/* Reverse DNS of the senders (loader/rdns.c, lib/trap_rdns.c). */
	int rdns;              /* look senders' PTR up, forward-confirmed */
	struct cfg_listen *resolver; /* ...asking this server (NULL: resolv.conf) */
	uint32_t rdns_timeout; /* ...giving up after this long */
	unsigned threshold_no_fcrdns; /* no FCrDNS: listed after this many
	                          (0: threshold) */
	uint32_t code_no_fcrdns; /* ...answering this A (0: code) */
	int only_no_fcrdns;    /* list only senders without FCrDNS */
};

/* `access:` rules (server/access.c): per zone and global; the first rule
 * whose `from` holds the client decides, the zone's rules before the
 * global ones. */
enum cfg_access_action { CFG_ACCESS_PASS = 0, CFG_ACCESS_DROP,
	CFG_ACCESS_REFUSE, CFG_ACCESS_UNLISTED, CFG_ACCESS_ANSWER,
	CFG_ACCESS_N };

struct cfg_access_rule {
	struct cfg_cidr *from; /* client prefixes */
	size_t nfrom;
	int action;            /* CFG_ACCESS_* */
	uint32_t code;         /* answer: the A record, host byte order */
	char *txt;             /* answer: the TXT record, or NULL */
	int line;
};

struct cfg_access {
	struct cfg_access_rule *rules;
	size_t nrules;
};

/* `rate_limit:` (server/rrl.c): responses a second per client prefix over
 * UDP.  In a zone only `responses_per_second` and `slip` are read. */
struct cfg_rrl {
	int present;           /* the key was given */
	unsigned rate;         /* cost units a second per prefix; 0 = off */
	unsigned slip;         /* every Nth limited reply is a TC=1 reply
	                          (0: none, 1: all) */
	unsigned ipv4_prefix, ipv6_prefix; /* the client prefix counted */
	unsigned cost_bytes;   /* a reply costs one unit per this many bytes
	                          (rounded up) */
	unsigned buckets;      /* the table's size (a power of two) */
};

/* `keys:` of a key-in-name zone (server/keys.c): `<key>.<zone>` is served
 * only for these keys. */
struct cfg_keys {
	char **list;           /* keys given in the config (lowercase) */
	size_t nlist;
	char *file;            /* a key file, re-read when it changes, or NULL */
	int refuse;            /* an unknown key gets REFUSED... */
	uint32_t code;         /* ...else this A answer (host byte order) */
	char *txt;             /* ...and this TXT, or NULL */
};

struct cfg_dataset {
	char *name;
	enum ds_type type;
	char **files;          /* resolved paths */
	size_t nfiles;
	unsigned max_errors;   /* bad lines tolerated; 0 = unlimited */
	unsigned max_shrink;   /* a load removing more than this % of the
	                          stored entries is held (shrink_guard.h);
	                          0 = no guard */
	uint32_t shrink_hold;  /* ...until accepted, or until it has stayed
	                          so this long (seconds); 0 = until accepted */
	int manual;            /* `manual: true`: no files; edited with
	                          dnsbl-ctl, never loaded (nfiles 0); a trap
	                          dataset is manual too */
	struct cfg_trap *trap; /* `type: trap`: its policy, else NULL */
	int self_delist;       /* `self_delist: true` (manual and trap only):
	                          dnsbl-web's removal requests delist at once */
	int line;              /* where it is defined, for messages */
};

/* Zone apex records given in the config (they win over $SOA/$NS in data). */
struct cfg_soa {
	int present;
	uint8_t *mname, *rname;  /* absolute wire names */
	uint32_t ttl, refresh, retry, expire, minimum;
};

/* A return code's name from a zone's `codes:` (dnsbl-query prints it). */
struct cfg_code {
	uint32_t a;            /* host byte order: 127.0.0.2 = 0x7f000002 */
	char *name;
};

struct cfg_web;   /* config_web.h */

struct cfg_zone {
	char *name;            /* lowercase, no trailing dot */
	uint8_t *wname;        /* the same as an absolute wire name */
	char **datasets;       /* dataset names, in answer order */
	size_t ndatasets;
	char *acl;             /* acl dataset name or NULL */
	struct cfg_soa soa;
	uint8_t **ns;          /* absolute wire names */
	size_t nns;
	struct cfg_code *codes; /* in file order; the server ignores them */
	size_t ncodes;
	uint32_t ttl;          /* 0 = the dataset's $TTL, else default_ttl */
	int line;
	/* A policy zone (docs/GEO.md): `countries: [CC...]` and `asns:
	 * [N...]` keep its country and asn datasets to these. */
	char (*countries)[3];  /* upper-case ISO 3166 codes */
	size_t ncountries;
	uint32_t *asns;
	size_t nasns;
	int geo_country;       /* a country dataset answers here (dnsbl-query
	                          names its codes); not in the stored table */
	/* `transfer: {allow: [CIDR...], notify: ["ADDR:PORT"...]}`: who may
	 * AXFR the zone, and whom dnsbld NOTIFYs of a change (docs/SERVER.md,
	 * "Zone transfers").  No key: transfers are refused. */
	int has_transfer;
	struct cfg_cidr *xfr_allow;
	size_t nxfr_allow;
	struct cfg_listen *xfr_notify; /* host and port as written (default 53) */
	size_t nxfr_notify;
	struct cfg_access access;  /* `access:` rules before the global ones */
	struct cfg_rrl rrl;        /* `rate_limit:` (present: the zone's own) */
	struct cfg_keys *keys;     /* `keys:` (a key-in-name zone), or NULL */
};

/* As parsed: host is an address or a host name, port a number or a service
 * name (both checked).  The server makes both numeric with
 * listen_resolve_config (listen_addr.h) before binding. */
struct cfg_listen {
	char *host;
	char *port;
	char *text;            /* as written, for messages ("localhost/5300");
	                          NULL: the default, or already numeric */
	char *where;           /* where written: "FILE:LINE: listen" or "-b" */
};

struct config {
	char *path;            /* the config file */
	char *store;           /* resolved store directory */
	struct cfg_listen *listen;
	size_t nlisten;
	struct cfg_dataset *datasets;
	size_t ndatasets;
	struct cfg_zone *zones;
	size_t nzones;
	unsigned workers;      /* 0 = one per core */
	uint16_t max_udp_size; /* EDNS payload we accept to send */
	unsigned tcp_idle_ms;
	unsigned tcp_max_clients;
	unsigned tcp_max_per_client; /* open connections per client address */
	unsigned tcp_query_timeout_ms; /* a query begun must be whole by then */
	unsigned max_transfers;  /* zone transfers in progress at once */
	struct cfg_access access;  /* global `access:` rules */
	struct cfg_rrl rrl;        /* global `rate_limit:` */

	/* The process (rbldnsd's -u -r -p -n); NULL/0 = not asked for. */
	char *user, *group;    /* drop to them after binding (root only) */
	char *chroot;          /* chroot here after binding */
	char *pidfile;
	int daemon;            /* run in the background */
	char *syslog;          /* log to syslog with this facility */

	/* Logs and counters (rbldnsd's -l and -s). */
	char *query_log;       /* a file, or "-" for standard output */
	int query_log_unbuffered;
	int query_log_format;  /* CFG_QLOG_* */
	char *stats_file;
	int stats_relative;    /* each line the change since the last one */
	unsigned stats_interval; /* seconds between lines; 0 = only on
	                            USR1/USR2 and at exit */

	/* Answers (rbldnsd's -t def:min:max and -v). */
	uint32_t default_ttl;  /* when neither zone nor data sets one */
	uint32_t min_ttl, max_ttl; /* clamp of TTLs taken from data; 0 = none */
	int version_bind;      /* CH TXT version.bind: CFG_VERSION_* */

	struct cfg_listen *metrics; /* the Prometheus endpoint, or NULL */
	struct cfg_web *web;   /* `web:` (lib/config_web.h), or NULL */
};

enum { CFG_VERSION_ANSWER = 0, CFG_VERSION_HIDE, CFG_VERSION_REFUSE };
enum { CFG_QLOG_RBLDNSD = 0, CFG_QLOG_JSON };

/* Loads and checks `file`, including that every dataset file exists and is
 * readable.  Returns 0 and sets *out (free with config_free), or -1 with
 * `err` saying `file:line: key: reason`. */
int config_load(const char *file, struct config **out, char *err, size_t errlen);

/* config_load_flags: skip the data file checks (existence, readability).
 * The loader uses it so a missing file fails only its dataset at load time;
 * the server may use it since it reads the store, not the files. */
#define CONFIG_NO_FILE_CHECK 0x1

/* config_load with CONFIG_* `flags`. */
int config_load_flags(const char *file, unsigned flags, struct config **out,
		      char *err, size_t errlen);

/* An empty config with every default of lib/defaults.h set (for a caller
 * that fills it itself, as rbldnsd's command line does); NULL on out of
 * memory. */
struct config *config_new(void);

/* Frees the strings of one listen entry (not `l` itself). */
void config_listen_free(struct cfg_listen *l);

/* Frees a config from config_load (NULL is fine). */
void config_free(struct config *cfg);

/* The dataset called `name`, or NULL. */
const struct cfg_dataset *config_dataset(const struct config *cfg,
					 const char *name);

#endif
