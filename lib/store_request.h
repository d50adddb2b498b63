/* store_request.h -- removal requests: what people asked the operator.
 *
 * dnsbl-web's page lets a listed party ask for removal.  Each request is
 * kept in the store (table `request`, store_layout.h), so the operator
 * sees them with `dnsbl-ctl requests` and the API's GET /api/v1/requests,
 * and the limits per client and per address hold across restarts.  Where
 * a dataset allows self-service delisting the request says that it was
 * done at once; otherwise it is pending for the operator.
 */
#ifndef DNSBLD_STORE_REQUEST_H
#define DNSBLD_STORE_REQUEST_H

#include <stdint.h>

#include "store.h"

/* One request (strings: views valid during a walk's call; "" if none). */
struct store_request {
	uint64_t id;           /* 1, 2, ... in order */
	int64_t time;          /* unix seconds */
	const char *item;      /* the address or domain, as normalised */
	const char *client;    /* the requester's IP address */
	const char *contact;   /* an e-mail address they gave */
	const char *message;   /* their words */
	const char *outcome;   /* what happened: "pending", "delisted from
	                          traps at once", ... */
};

/* Appends `r` (its id assigned into *id, may be NULL) in one write
 * transaction.  0 or a STORE_E* code with err set. */
int store_request_add(struct store *st, const struct store_request *r,
		      uint64_t *id, char *err, size_t errlen);

/* Walks the requests, oldest first (newest first with `newest_first`);
 * `fn` returns 0 to go on, anything else stops the walk, which returns
 * it.  0 at the end, or a negative STORE_E* code. */
int store_iter_requests(struct store_reader *rd, int newest_first,
			int (*fn)(const struct store_request *r, void *arg),
			void *arg);

/* Requests at or after `since` for `item` (*for_item) and from `client`
 * (*from_client).  0 or a negative STORE_E* code. */
int store_request_count(struct store_reader *rd, int64_t since,
			const char *item, const char *client,
			unsigned *for_item, unsigned *from_client);

#endif
