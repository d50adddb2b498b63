/* daemon.h -- the process plumbing of rbldnsd's options: -p, -u, -r, -w, -F.
 *
 * Order, as rbldnsd does it: resolve the user (-u, default "rbldns" when
 * started as root) while /etc/passwd is still reachable, write the pid file
 * (-p, before chroot, so its path is outside the jail), chroot (-r), chdir
 * (-w, inside the jail), then drop privileges (setgroups, setgid, setuid).
 * rbldnsd refuses to keep running as root: the server must call
 * daemon_drop when started as root.
 */
#ifndef DNSBLD_DAEMON_H
#define DNSBLD_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#include "defaults.h"

#define DAEMON_DEFAULT_USER DEFAULT_DROPIN_USER

struct daemon_ids {
	uid_t uid;
	gid_t gid;
	char name[256];
};

/* Resolves -u `spec` ("user", "user:group", numeric ids allowed) to ids;
 * `spec` NULL means rbldnsd's default DAEMON_DEFAULT_USER.  A group not
 * given is the user's primary group.  0, or -1 with `err` as rbldnsd words
 * it ("unknown user `x'", "unknown group `y'"). */
int daemon_resolve_user(const char *spec, struct daemon_ids *out,
			char *err, size_t errlen);

/* Writes "pid\n" to `path` (created 0644, replaced if there).  0 or -1
 * with `err` naming the file. */
int daemon_write_pidfile(const char *path, pid_t pid, char *err,
			 size_t errlen);

/* chroot(root) if root, then chdir(workdir) if workdir (else "/" after a
 * chroot).  0 or -1 with `err` naming the directory. */
int daemon_enter(const char *root, const char *workdir, char *err,
		 size_t errlen);

/* Drops to ids: setgroups(1, gid), setgid, setuid; then checks that root
 * cannot be regained.  Only for a process started as root; a process
 * that is not root and asked for its own ids succeeds without change.
 * 0 or -1 with `err`. */
int daemon_drop(const struct daemon_ids *ids, char *err, size_t errlen);

/* rbldnsd refuses to run as root (checked with the Debian binary:
 * `-u root` gives "daemon should not run as root, specify -u option").
 * 0 if `ids` is not root, else -1 with that message in `err`. */
int daemon_check_not_root(const struct daemon_ids *ids, char *err,
			  size_t errlen);

/* Goes to the background: forks, and the parent waits until the child
 * says it serves (daemon_ready) and exits 0, or exits 1 if the child exits
 * first (its reason is already on stderr, which the parent shares).  The
 * child starts a new session.  Call before any thread exists.  Returns the
 * pipe the child reports on, or -1 with `err` if fork failed. */
int daemon_background(char *err, size_t errlen);

/* In the child of daemon_background: tells the parent the start worked
 * (the parent exits 0) and points standard input, output and error at
 * /dev/null.  *ready_fd is closed and set to -1; a no-op when it is -1. */
void daemon_ready(int *ready_fd);

/* syslog facility by name (-F): "daemon", "local0".."local7", "mail",
 * "user"... (case-insensitive, an optional "log_" prefix).  Returns the
 * LOG_* value or -1 if unknown (rbldnsd: "log facility X is not valid"). */
int daemon_facility(const char *name);

#endif
