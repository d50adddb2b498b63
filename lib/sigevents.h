/* sigevents.h -- a program's signal handlers as events of its libevent loop.
 *
 * Why a module: dnsbld, its rbldnsd mode and `dnsbl-loader watch` each wait
 * for a few signals on their main event loop, every one a persistent
 * evsignal with its own callback and argument.  This sets up such a list in
 * one call and takes it down in one call, so a program states only which
 * signal goes where.
 *
 * Like feedwatch_event.c, this uses libevent's API but lib/ does not link
 * it: the programs that call it link libevent.
 */
#ifndef DNSBLD_SIGEVENTS_H
#define DNSBLD_SIGEVENTS_H

#include <stddef.h>

#include <event2/event.h>

/* One signal, and what the loop calls when it arrives (the callback gets
 * the signal number as its first argument). */
struct sigevent_spec {
	int signo;
	event_callback_fn fn;
	void *arg;
};

/* The events sigevents_add installed; opaque. */
struct sigevents;

/* Installs one persistent signal event per spec on `base`.  Returns 0 with
 * *out set (free it with sigevents_free), or -1 with `err` saying which
 * signal failed; then nothing stays installed and *out is NULL. */
int sigevents_add(struct event_base *base, const struct sigevent_spec *specs,
		  size_t n, struct sigevents **out, char *err, size_t errlen);

/* Removes and frees the events (before their event_base is freed).  NULL is
 * a no-op. */
void sigevents_free(struct sigevents *se);

#endif
