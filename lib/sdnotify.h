/* sdnotify.h -- tell systemd how a service is doing (the sd_notify protocol).
 *
 * A unit with Type=notify starts its program with $NOTIFY_SOCKET naming a
 * UNIX datagram socket (a path, or an abstract name written with a leading
 * '@'); the program sends newline-separated VAR=VALUE lines to it:
 * "READY=1" once it serves, "RELOADING=1" before a reload (with
 * MONOTONIC_USEC) and "READY=1" after it, "STOPPING=1" when it begins to
 * stop.  This is those few lines without libsystemd.  The socket is
 * connected once, by sdnotify_open, so a later chroot or privilege drop
 * does not lose it; it is process-wide, like the variable it comes from.
 * Started otherwise (no NOTIFY_SOCKET), every call does nothing.
 */
#ifndef DNSBLD_SDNOTIFY_H
#define DNSBLD_SDNOTIFY_H

#include <stddef.h>

/* Connects to $NOTIFY_SOCKET.  1 when connected, 0 when the variable is
 * not set (nothing to tell), -1 with `err` naming the socket and why. */
int sdnotify_open(char *err, size_t errlen);

/* Sends `state` ("READY=1", "STATUS=...\nREADY=1", ...) as one datagram.
 * 0 when sent or when not connected, -1 with errno set. */
int sdnotify_send(const char *state);

/* "RELOADING=1" with MONOTONIC_USEC=now, as Type=notify-reload wants it. */
int sdnotify_reloading(void);

/* Closes the socket; later sends do nothing. */
void sdnotify_close(void);

#endif
