/* feedwatch_thread.c -- run the watch engine in a thread of its own.
 *
 * For a server that embeds the engine (dnsbld's rbldnsd mode): its query
 * loops never run a load.  The thread polls the engine's descriptor and a
 * wake-up pipe with the engine's timeout; stopping writes to the pipe and
 * joins, so a load in progress is finished (its transaction committed or
 * aborted whole), never cut.
 */
#include "feedwatch_private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

static void *fwth_main(void *arg)
{
	struct feedwatch *fw = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = feedwatch_fd(fw), .events = POLLIN },
			{ .fd = fw->wake[0], .events = POLLIN },
		};
		int rc = poll(p, 2, feedwatch_timeout_ms(fw));

		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (p[1].revents & POLLIN)) {
			char buf[64];
			ssize_t n = read(fw->wake[0], buf, sizeof(buf));

			/* 's' = stop; anything else just wakes us (recheck). */
			for (ssize_t i = 0; i < n; i++)
				if (buf[i] == 's')
					return NULL;
		}
		feedwatch_process(fw);
	}
	return NULL;
}

static void fwth_poke(struct feedwatch *fw)
{
	ssize_t n = write(fw->wake[1], "w", 1);

	(void)n;   /* a full pipe already wakes the thread */
}

static void fwth_stop(struct feedwatch *fw)
{
	if (fw->thread_running) {
		while (write(fw->wake[1], "s", 1) < 0 && errno == EINTR)
			;
		pthread_join(fw->thread, NULL);
		fw->thread_running = 0;
	}
	if (fw->wake[0] >= 0)
		close(fw->wake[0]);
	if (fw->wake[1] >= 0)
		close(fw->wake[1]);
	fw->wake[0] = fw->wake[1] = -1;
	fw->thread_stop = NULL;
	fw->poke = NULL;
}

int feedwatch_thread_start(struct feedwatch *fw)
{
	int rc;

	if (fw->thread_running || fw->detach) {
		errno = EBUSY;
		return -1;
	}
	if (pipe2(fw->wake, O_CLOEXEC) < 0)
		return -1;
	fcntl(fw->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(fw->wake[1], F_SETFL, O_NONBLOCK);
	fw->poke = fwth_poke;
	fw->thread_stop = fwth_stop;
	rc = pthread_create(&fw->thread, NULL, fwth_main, fw);
	if (rc) {
		fwth_stop(fw);
		errno = rc;
		return -1;
	}
	fw->thread_running = 1;
	return 0;
}

void feedwatch_thread_stop(struct feedwatch *fw)
{
	if (fw->thread_stop)
		fw->thread_stop(fw);
}
