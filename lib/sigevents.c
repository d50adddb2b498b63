/* sigevents.c -- a list of signal handlers as events of a libevent loop.
 *
 * The events are kept in one allocation with their count, so a caller holds
 * one pointer and its clean-up path needs no sizes.  A half-done setup is
 * undone at once: a caller never has to free a partial list.
 */
#include "sigevents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sigevents {
	size_t n;
	struct event *ev[];
};

void sigevents_free(struct sigevents *se)
{
	if (!se)
		return;
	for (size_t i = 0; i < se->n; i++)
		if (se->ev[i])
			event_free(se->ev[i]);   /* event_free also deletes */
	free(se);
}

int sigevents_add(struct event_base *base, const struct sigevent_spec *specs,
		  size_t n, struct sigevents **out, char *err, size_t errlen)
{
	struct sigevents *se = calloc(1, sizeof(*se) + n * sizeof(se->ev[0]));

	*out = NULL;
	if (!se) {
		snprintf(err, errlen, "signal handlers: out of memory");
		return -1;
	}
	se->n = n;
	for (size_t i = 0; i < n; i++) {
		se->ev[i] = evsignal_new(base, specs[i].signo, specs[i].fn,
					 specs[i].arg);
		if (!se->ev[i] || evsignal_add(se->ev[i], NULL) < 0) {
			snprintf(err, errlen, "cannot install a handler for "
				 "signal %d (%s)", specs[i].signo,
				 strsignal(specs[i].signo));
			sigevents_free(se);
			return -1;
		}
	}
	*out = se;
	return 0;
}
