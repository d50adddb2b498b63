/* test_daemon.c -- lib/daemon.c: user lookup with rbldnsd's messages, pid
 * file, chdir, facility names; chroot + privilege drop in a child when the
 * test runs as root (the order rbldnsd uses: pid file before chroot). */
#include "check.h"
#include "daemon.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

static void test_users(void)
{
	struct daemon_ids ids;
	char err[256];

	CHECK_INT(daemon_resolve_user("nobody", &ids, err, sizeof(err)), 0);
	CHECK_INT(ids.uid, 65534);
	CHECK_STR(ids.name, "nobody");
	CHECK_INT(daemon_resolve_user("nobody:root", &ids, err, sizeof(err)), 0);
	CHECK_INT(ids.uid, 65534);
	CHECK_INT(ids.gid, 0);
	CHECK_INT(daemon_resolve_user("1234:55", &ids, err, sizeof(err)), 0);
	CHECK_INT(ids.uid, 1234);
	CHECK_INT(ids.gid, 55);
	/* Messages as the Debian binary prints them. */
	CHECK_INT(daemon_resolve_user("nosuchuser", &ids, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown user `nosuchuser'");
	CHECK_INT(daemon_resolve_user("nobody:nosuchgroup", &ids, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown group `nosuchgroup'");
	CHECK_INT(daemon_resolve_user("root", &ids, err, sizeof(err)), 0);
	CHECK_INT(daemon_check_not_root(&ids, err, sizeof(err)), -1);
	CHECK_STR(err, "daemon should not run as root, specify -u option");
	/* The default user, when it exists (Debian's rbldnsd package adds it). */
	if (daemon_resolve_user(NULL, &ids, err, sizeof(err)) == 0) {
		CHECK_STR(ids.name, "rbldns");
		CHECK_INT(daemon_check_not_root(&ids, err, sizeof(err)), 0);
	} else {
		CHECK_STR(err, "unknown user `rbldns'");
	}
}

static void test_facility(void)
{
	CHECK_INT(daemon_facility("daemon"), LOG_DAEMON);
	CHECK_INT(daemon_facility("LOCAL5"), LOG_LOCAL5);
	CHECK_INT(daemon_facility("log_mail"), LOG_MAIL);
	CHECK_INT(daemon_facility("bogus"), -1);
	CHECK_INT(daemon_facility(NULL), -1);
}

static void test_files(const char *dir)
{
	char pid[600], err[256], buf[64] = "", cwd[600];
	FILE *f;

	snprintf(pid, sizeof(pid), "%s/test.pid", dir);
	CHECK_INT(daemon_write_pidfile(pid, 4242, err, sizeof(err)), 0);
	f = fopen(pid, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		fclose(f);
	}
	CHECK_STR(buf, "4242\n");
	unlink(pid);
	CHECK_INT(daemon_write_pidfile("/nonexistent/d/x.pid", 1, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/d/x.pid") != NULL);
	CHECK_INT(daemon_enter(NULL, "/nonexistent/w", err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/w") != NULL);
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_INT(daemon_enter(NULL, dir, err, sizeof(err)), 0);
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	CHECK(chdir(cwd) == 0);
}

/* As root: pid file, chroot into dir, chdir to a subdirectory, drop to
 * nobody, in a child; the child reports what it sees through its status. */
static void test_root(const char *dir)
{
	char jail[600], sub[700], pid[700], err[256];
	pid_t child;
	int status = 0;

	if (geteuid() != 0) {
		printf("not root: chroot/setuid part skipped\n");
		return;
	}
	snprintf(jail, sizeof(jail), "%s/jail", dir);
	snprintf(sub, sizeof(sub), "%s/work", jail);
	snprintf(pid, sizeof(pid), "%s/jail.pid", dir);
	mkdir(jail, 0755);
	mkdir(sub, 0755);
	child = fork();
	if (child == 0) {
		struct daemon_ids ids;
		char cwd[64];

		if (daemon_resolve_user("nobody", &ids, err, sizeof(err)) ||
		    daemon_write_pidfile(pid, getpid(), err, sizeof(err)) ||
		    daemon_enter(jail, "/work", err, sizeof(err)) ||
		    daemon_drop(&ids, err, sizeof(err)))
			_exit(10);
		if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/work") != 0)
			_exit(11);
		if (geteuid() != 65534 || getegid() != 65534)
			_exit(12);
		if (setuid(0) == 0)
			_exit(13);
		if (access("/work", F_OK) != 0 || access(jail, F_OK) == 0)
			_exit(14);   /* the jail's inside, not the host's */
		_exit(0);
	}
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
	/* The pid file was written outside the jail, before chroot. */
	CHECK(access(pid, F_OK) == 0);
	unlink(pid);
	rmdir(sub);
	rmdir(jail);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	char dir[400];

	snprintf(dir, sizeof(dir), "%s", tmp ? tmp : "/tmp");
	mkdir(dir, 0755);
	test_users();
	test_facility();
	test_files(dir);
	test_root(dir);
	return check_report();
}
