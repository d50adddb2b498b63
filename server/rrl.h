/* rrl.h -- response rate limiting per client prefix (UDP only).
 *
 * `rate_limit:` gives each client prefix (/24 IPv4, /56 IPv6 by default)
 * a budget of cost units a second, per zone (a zone's own rate, else the
 * global one).  A reply costs one unit per `cost_bytes` bytes, rounded up,
 * so a large TXT or ANY answer, the stuff of reflection attacks, spends the
 * budget faster than a small A answer.  Over budget, a reply is limited:
 * every `slip`th limited reply goes out as an empty TC=1 reply (a real
 * resolver behind the prefix retries over TCP, where the source address is
 * proven and no limit applies), the others are dropped.
 *
 * One table serves every thread, without a lock: a bucket is one 64-bit
 * word (a tag of the prefix's hash, the second, the units spent) updated by
 * compare-and-swap.  Two prefixes hashing to one bucket share it only until
 * the newer one takes it over; the table is sized so that is rare.
 */
#ifndef DNSBLD_RRL_H
#define DNSBLD_RRL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

struct rrl;

enum rrl_verdict { RRL_SEND = 0, RRL_SLIP, RRL_DROP };

/* The table for `cfg` (which must outlive it), or NULL when no rate is
 * configured anywhere (also NULL on out of memory: *oom set). */
struct rrl *rrl_new(const struct config *cfg, int *oom);
void rrl_free(struct rrl *r);

/* Charges a `len` byte reply to `client` in zone `zone` (an index into
 * cfg->zones, -1: none) and says whether to send it.  `*limited` is the
 * calling thread's count of limited replies (for the slip). */
enum rrl_verdict rrl_check(struct rrl *r, const struct sockaddr *client,
			   int zone, size_t len, unsigned *limited);

#endif
