/* listen_addr.h -- listen addresses: their syntax, and names -> addresses.
 *
 * A listen entry (`listen:` in the YAML config, `-b` on rbldnsd's command
 * line) is a numeric address or a host name, and a port number or a
 * service name.  The config parsers only check the syntax (the two check
 * functions below), so a loader reading the same config does no lookups;
 * the server resolves names once, before binding, into numeric entries
 * (listen_resolve_config): every address a host name has, as rbldnsd does.
 */
#ifndef DNSBLD_LISTEN_ADDR_H
#define DNSBLD_LISTEN_ADDR_H

#include <stddef.h>

#include "config.h"

/* NULL if `host` is a numeric IPv4 or IPv6 address or a well-formed host
 * name, else why not ("missing host part", "bad IPv4 address", "bad IPv6
 * address", "bad host name"). */
const char *listen_check_host(const char *host);

/* `text` as a port: a number 1..65535 or a known service name (looked up
 * in the services database, any protocol).  NULL with *port set, else why
 * not ("bad port: want 1..65535", "bad port: unknown service name"). */
const char *listen_check_port(const char *text, unsigned *port);

/* The message for listen entry `l` failing for `reason`, naming it as the
 * operator wrote it: `FILE:LINE: listen: "TEXT": reason` for the config,
 * `TEXT: reason (-b)` for an option (rbldnsd's wording, then the option),
 * `listen HOST port PORT: reason` for an entry with no origin. */
void listen_error(const struct cfg_listen *l, const char *reason, char *err,
		  size_t errlen);

/* Replaces cfg->listen by numeric entries: each host name by every address
 * it resolves to (`family`: AF_UNSPEC, or AF_INET / AF_INET6 for rbldnsd's
 * -4 / -6), each service name by its number, in order, without duplicates
 * (the same address and port reached twice is bound once).  An entry keeps
 * its `where` and, when it was spelled otherwise than its numeric form, its
 * `text`.  Returns 0, or -1 with a listen_error() message in `err` and cfg
 * unchanged.  Looks names up (resolv.conf, hosts): call it before chroot. */
int listen_resolve_config(struct config *cfg, int family, char *err,
			  size_t errlen);

#endif
