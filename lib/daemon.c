/* daemon.c -- pid file, user/group lookup, chroot/chdir and privilege drop.
 *
 * Why a lib module: rbldnsd's -p -u -r -w -F must behave the same in
 * dnsbld's rbldnsd mode, and most of it can be tested without root (user
 * lookup, pid file, chdir, facility names); only chroot and setuid need
 * root, and the tests run those steps in a child when they are root.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

/* A decimal id, or -1. */
static long daemon_number(const char *s)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return (*end || errno || v < 0) ? -1 : v;
}

int daemon_resolve_user(const char *spec, struct daemon_ids *out,
			char *err, size_t errlen)
{
	char user[256];
	const char *group = NULL, *colon;
	struct passwd *pw;
	long n;

	if (!spec)
		spec = DAEMON_DEFAULT_USER;
	colon = strchr(spec, ':');
	if (colon) {
		group = colon + 1;
		snprintf(user, sizeof(user), "%.*s", (int)(colon - spec), spec);
	} else {
		snprintf(user, sizeof(user), "%s", spec);
	}
	memset(out, 0, sizeof(*out));
	pw = getpwnam(user);
	if (pw) {
		out->uid = pw->pw_uid;
		out->gid = pw->pw_gid;
	} else if ((n = daemon_number(user)) >= 0) {
		out->uid = (uid_t)n;
		out->gid = (gid_t)n;   /* rbldnsd: numeric user, group = uid */
	} else {
		snprintf(err, errlen, "unknown user `%s'", user);
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", user);
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (gr)
			out->gid = gr->gr_gid;
		else if ((n = daemon_number(group)) >= 0)
			out->gid = (gid_t)n;
		else {
			snprintf(err, errlen, "unknown group `%s'", group);
			return -1;
		}
	}
	return 0;
}

int daemon_write_pidfile(const char *path, pid_t pid, char *err,
			 size_t errlen)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "unable to write pid file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (write(fd, buf, (size_t)len) != len || close(fd) != 0) {
		snprintf(err, errlen, "unable to write pid file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int daemon_enter(const char *root, const char *workdir, char *err,
		 size_t errlen)
{
	if (root && *root) {
		if (chroot(root) < 0) {
			snprintf(err, errlen, "unable to chroot to %s: %s", root,
				 strerror(errno));
			return -1;
		}
		if (!workdir && chdir("/") < 0) {
			snprintf(err, errlen, "unable to chdir to / in %s: %s",
				 root, strerror(errno));
			return -1;
		}
	}
	if (workdir && *workdir && chdir(workdir) < 0) {
		snprintf(err, errlen, "unable to chdir to %s: %s", workdir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int daemon_drop(const struct daemon_ids *ids, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		if (geteuid() == ids->uid)
			return 0;
		snprintf(err, errlen, "cannot switch to user %s: not root",
			 ids->name);
		return -1;
	}
	if (setgroups(1, &ids->gid) < 0 || setgid(ids->gid) < 0 ||
	    setuid(ids->uid) < 0) {
		snprintf(err, errlen, "unable to switch to user %s: %s",
			 ids->name, strerror(errno));
		return -1;
	}
	if (ids->uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		snprintf(err, errlen, "still able to regain root after "
			 "switching to user %s", ids->name);
		return -1;
	}
	return 0;
}

int daemon_check_not_root(const struct daemon_ids *ids, char *err,
			  size_t errlen)
{
	if (ids->uid != 0)
		return 0;
	snprintf(err, errlen, "daemon should not run as root, specify -u option");
	return -1;
}

/* /dev/null, opened before any chroot hides it: the background child's
 * standard descriptors end up there. */
static int daemon_devnull = -1;

int daemon_background(char *err, size_t errlen)
{
	int p[2];
	pid_t pid;
	char c;

	daemon_devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (daemon_devnull < 0) {
		snprintf(err, errlen, "cannot open /dev/null: %s",
			 strerror(errno));
		return -1;
	}
	if (pipe(p) < 0) {
		snprintf(err, errlen, "cannot go to the background: %s",
			 strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "cannot go to the background: %s",
			 strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		ssize_t n;

		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

void daemon_ready(int *ready_fd)
{
	int fd;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, "", 1) != 1) {
		/* The parent is gone: nobody waits for the answer. */
	}
	close(*ready_fd);
	*ready_fd = -1;
	fd = daemon_devnull;
	daemon_devnull = -1;
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int daemon_facility(const char *name)
{
	static const struct { const char *n; int v; } tab[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON },
		{ "ftp", LOG_FTP }, { "kern", LOG_KERN }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL }, { "news", LOG_NEWS },
		{ "syslog", LOG_SYSLOG }, { "user", LOG_USER },
		{ "uucp", LOG_UUCP }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};

	if (!name)
		return -1;
	if (strncasecmp(name, "log_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].n) == 0)
			return tab[i].v;
	return -1;
}
