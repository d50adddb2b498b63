/* xfr.h -- zone transfers to secondaries: AXFR (RFC 5936) over TCP, and
 * IXFR (RFC 1995): the current serial's SOA when the client is up to date,
 * the changes since its serial when ixfr.c has them, else the whole zone
 * AXFR-style (as RFC 1995 allows).
 *
 * A transfer reads one store snapshot from start to end, so a secondary
 * always gets one consistent version of the zone, and writes its messages
 * a chunk at a time from the TCP loop's write callback, so a large zone
 * never stalls the other connections.  What a transfer holds, and what DNS
 * wildcards cannot express: docs/SERVER.md, "Zone transfers".
 */
#ifndef DNSBLD_XFR_H
#define DNSBLD_XFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "config.h"
#include "store.h"

struct xfr;

/* 1 if TCP frame `pkt` is a well-formed AXFR or IXFR query (the TCP path
 * hands those to xfr_start instead of answering them). */
int xfr_is_transfer(const uint8_t *pkt, size_t len);

/* Starts the transfer asked for by query `pkt` from `client`: checks the
 * zone's `transfer.allow` in `cfg` (REFUSED outside it, and without a
 * `transfer` key), takes a snapshot of `st` and writes the first messages
 * (framed) to `out`.  Returns the transfer to continue with xfr_fill, or
 * NULL when the reply is complete already (refused, up to date, or an
 * error answered). */
struct xfr *xfr_start(const struct config *cfg, struct store *st,
		      const uint8_t *pkt, size_t len,
		      const struct sockaddr *client, struct evbuffer *out);

/* Writes more messages to `out` until it holds `highwater` bytes or the
 * transfer ends.  Returns 1 while there is more to send, 0 when the last
 * message is written (or the transfer failed and was cut short: the
 * caller then closes the connection, see xfr_failed). */
int xfr_fill(struct xfr *x, struct evbuffer *out, size_t highwater);

/* 1 if the transfer stopped on an error (the client must not take what
 * was sent as a whole zone: close the connection). */
int xfr_failed(const struct xfr *x);

/* Frees the transfer and its snapshot. */
void xfr_free(struct xfr *x);

/* For ixfr.c: a snapshot of zone `zone` (wire name) of `st` to walk, as
 * a transfer with no client; NULL if the zone is not served or on error. */
struct xfr *xfr_open(const struct config *cfg, struct store *st,
		     const uint8_t *zone);
/* For ixfr.c: the records of a transfer's zone as bytes.  xfr_walk hands
 * every record of its snapshot but the SOA to `sink` (the same record in
 * two snapshots gives the same bytes; 0 or -1 to stop); xfr_rec_len is the
 * length of one; xfr_soa_rec writes the zone's SOA as one into `b` (its
 * length, 0 if `size` is too small); xfr_serial is its SOA serial and
 * xfr_zone_name its name as text. */
typedef int (*xfr_rr_sink)(void *arg, const uint8_t *rec, size_t len);
int xfr_walk(struct xfr *x, xfr_rr_sink sink, void *arg);
size_t xfr_rec_len(const uint8_t *rec);
size_t xfr_soa_rec(const struct xfr *x, uint8_t *b, size_t size);
uint32_t xfr_serial(const struct xfr *x);
const char *xfr_zone_name(const struct xfr *x);

#endif
