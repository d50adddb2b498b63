/* feedwatch_event.c -- run the watch engine inside a libevent loop.
 *
 * For programs that already own an event_base (dnsbl-loader watch): one
 * persistent read event on the engine's descriptor and one timer that is
 * re-armed after every turn to feedwatch_timeout_ms().  Kept apart from
 * feedwatch.c so that code not using libevent never links it.
 */
#include "feedwatch_private.h"

#include <event2/event.h>

static void fwev_arm(struct feedwatch *fw)
{
	int ms = feedwatch_timeout_ms(fw);

	if (ms < 0) {
		event_del(fw->ev_timer);
	} else {
		struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

		event_add(fw->ev_timer, &tv);
	}
}

static void fwev_on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct feedwatch *fw = arg;

	(void)fd;
	(void)what;
	feedwatch_process(fw);
	fwev_arm(fw);
}

static void fwev_detach(struct feedwatch *fw)
{
	if (fw->ev_read)
		event_free(fw->ev_read);
	if (fw->ev_timer)
		event_free(fw->ev_timer);
	fw->ev_read = NULL;
	fw->ev_timer = NULL;
	fw->detach = NULL;
	fw->poke = NULL;
}

int feedwatch_attach(struct feedwatch *fw, struct event_base *base)
{
	if (fw->ev_read)
		return -1;
	fw->ev_read = event_new(base, feedwatch_fd(fw), EV_READ | EV_PERSIST,
				fwev_on_wake, fw);
	fw->ev_timer = evtimer_new(base, fwev_on_wake, fw);
	if (!fw->ev_read || !fw->ev_timer ||
	    event_add(fw->ev_read, NULL) < 0) {
		fwev_detach(fw);
		return -1;
	}
	fw->detach = fwev_detach;
	fw->poke = fwev_arm;
	fwev_arm(fw);
	return 0;
}

void feedwatch_detach(struct feedwatch *fw)
{
	if (fw->detach)
		fw->detach(fw);
}
