/* test_sdnotify.c -- lib/sdnotify.c: plays systemd.  Binds a datagram
 * socket (a path, then an abstract name), points NOTIFY_SOCKET at it and
 * reads what arrives; no NOTIFY_SOCKET sends nothing; bad names are
 * refused; the connection survives the path being renamed (as a chroot
 * would hide it). */
#include "check.h"
#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A bound datagram socket playing systemd's notify socket.  `name` is a
 * path or "@abstract". */
static int listener(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		unlink(name);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				       len + (name[0] != '@'))) < 0) {
		perror(name);
		exit(1);
	}
	return fd;
}

/* The next datagram, or "" when none is waiting. */
static const char *next_msg(int fd)
{
	static char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_unset(void)
{
	char err[256] = "";

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(sdnotify_open(err, sizeof(err)), 0);
	CHECK_INT(sdnotify_send("READY=1"), 0);
	CHECK_INT(sdnotify_reloading(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), 0);
	CHECK_STR(err, "");
}

static void test_bad_names(const char *dir)
{
	char err[256], path[600];

	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), -1);
	CHECK(strstr(err, "NOTIFY_SOCKET=relative/notify: want an absolute") != NULL);
	setenv("NOTIFY_SOCKET", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), -1);
	CHECK(strstr(err, "shorter than") != NULL);
	snprintf(path, sizeof(path), "%s/sdnotify-nobody-listens", dir);
	unlink(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
	CHECK_INT(sdnotify_send("READY=1"), 0);   /* not connected: nothing */
}

static void test_path(const char *dir)
{
	char err[256], path[600], moved[620];
	int fd;

	snprintf(path, sizeof(path), "%s/sdnotify-%d.sock", dir, (int)getpid());
	snprintf(moved, sizeof(moved), "%s.moved", path);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), 1);
	CHECK_INT(sdnotify_send("READY=1"), 0);
	CHECK_STR(next_msg(fd), "READY=1");
	/* Connected once: the path may go away (a chroot hides it). */
	CHECK_INT(rename(path, moved), 0);
	CHECK_INT(sdnotify_reloading(), 0);
	{
		const char *m = next_msg(fd);
		unsigned long long usec = 0;

		CHECK_INT(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
		CHECK_INT(sscanf(m + 27, "%llu", &usec), 1);
		CHECK(usec > 0);
	}
	CHECK_INT(sdnotify_send("STATUS=serving 4 zones\nREADY=1"), 0);
	CHECK_STR(next_msg(fd), "STATUS=serving 4 zones\nREADY=1");
	CHECK_INT(sdnotify_send("STOPPING=1"), 0);
	CHECK_STR(next_msg(fd), "STOPPING=1");
	CHECK_STR(next_msg(fd), "");   /* one datagram per send */
	sdnotify_close();
	CHECK_INT(sdnotify_send("READY=1"), 0);
	CHECK_STR(next_msg(fd), "");
	close(fd);
	unlink(moved);
}

static void test_abstract(void)
{
	char err[256], name[64];
	int fd;

	snprintf(name, sizeof(name), "@dnsbld-test-sdnotify-%d", (int)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK_INT(sdnotify_open(err, sizeof(err)), 1);
	CHECK_INT(sdnotify_send("READY=1"), 0);
	CHECK_STR(next_msg(fd), "READY=1");
	/* Reopening replaces the connection, it does not add one. */
	CHECK_INT(sdnotify_open(err, sizeof(err)), 1);
	CHECK_INT(sdnotify_send("STOPPING=1"), 0);
	CHECK_STR(next_msg(fd), "STOPPING=1");
	CHECK_STR(next_msg(fd), "");
	sdnotify_close();
	close(fd);
	/* Nobody listens any more. */
	CHECK_INT(sdnotify_open(err, sizeof(err)), -1);
	CHECK(strstr(err, name) != NULL);
}

int main(void)
{
	const char *dir = getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";

	test_unset();
	test_bad_names(dir);
	test_path(dir);
	test_abstract();
	unsetenv("NOTIFY_SOCKET");
	return check_report();
}
