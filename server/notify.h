/* notify.h -- NOTIFY (RFC 1996) to the secondaries of each zone's
 * `transfer.notify` list when a committed change moves the zone's serial.
 *
 * Runs on the main thread's event loop: a timer looks at the store once a
 * second (one generation read when nothing changed), so the query path is
 * untouched.  A zone whose serial moved is announced once it has been
 * still for NOTIFY_DEBOUNCE_S (a burst of commits makes one NOTIFY), and
 * each secondary is asked again every NOTIFY_RETRY_S until it answers, at
 * most NOTIFY_TRIES times.
 */
#ifndef DNSBLD_NOTIFY_H
#define DNSBLD_NOTIFY_H

#include <event2/event.h>

#include "config.h"
#include "store.h"

#define NOTIFY_DEBOUNCE_S 1
#define NOTIFY_RETRY_S 2
#define NOTIFY_TRIES 5

struct notify;

/* Starts notifying for the zones of `cfg` that list secondaries (their
 * addresses are resolved now).  Every zone is announced once at start,
 * so secondaries catch up with changes made while dnsbld was down.
 * Returns NULL when no zone has any (or on an error, logged). */
struct notify *notify_start(struct event_base *base, const struct config *cfg,
			    struct store *st);

/* Stops and frees (NULL is fine). */
void notify_free(struct notify *n);

#endif
