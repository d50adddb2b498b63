/* sdnotify.c -- the sd_notify protocol over a UNIX datagram socket.
 *
 * See sdnotify.h.  One connected socket for the process: connect() resolves
 * the path once, so sends keep working after chroot; the kernel attaches
 * the sender's credentials, which is how systemd knows who speaks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sdnotify.h"

static int sdnotify_fd = -1;

int sdnotify_open(char *err, size_t errlen)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	int fd;

	sdnotify_close();
	if (!name || !*name)
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "NOTIFY_SOCKET=%s: want an absolute path "
			 "or @name, shorter than %zu bytes", name,
			 sizeof(sa.sun_path));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';   /* abstract: no terminating NUL */
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un,
						   sun_path) + len)) < 0) {
		snprintf(err, errlen, "NOTIFY_SOCKET=%s: %s", name,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sdnotify_fd = fd;
	return 1;
}

int sdnotify_send(const char *state)
{
	size_t len = strlen(state);
	ssize_t n;

	if (sdnotify_fd < 0)
		return 0;
	do
		n = send(sdnotify_fd, state, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int sdnotify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000ULL);
	return sdnotify_send(msg);
}

void sdnotify_close(void)
{
	if (sdnotify_fd >= 0)
		close(sdnotify_fd);
	sdnotify_fd = -1;
}
