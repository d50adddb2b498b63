/* test_filebusy.c -- filebusy_writing() against real writers.
 *
 * A descriptor open for writing in this process, then in a child process,
 * makes the file busy; closing it makes it idle again; a read-only opener
 * never does; a missing file is "cannot tell" (0).  When leases are off
 * (fs.leases-enable = 0) the busy checks cannot hold and are skipped
 * (said on stdout).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "filebusy.h"

int main(void)
{
	const char *base = getenv("TEST_TMPDIR");
	char dir[512], path[600], gone[600];
	int fd, rfd, pipefd[2];
	pid_t pid;
	char c;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/filebusy-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/feed", dir);
	snprintf(gone, sizeof(gone), "%s/missing", dir);
	f = fopen("/proc/sys/fs/leases-enable", "r");
	if (f && fscanf(f, " %c", &c) == 1 && c == '0') {
		printf("leases disabled: busy checks skipped\n");
		fclose(f);
		rmdir(dir);
		return check_report();
	}
	if (f)
		fclose(f);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "1.2.3.4\n", 8) == 8);
	CHECK_INT(filebusy_writing(path), 1);
	close(fd);
	CHECK_INT(filebusy_writing(path), 0);

	/* Readers are not writers. */
	rfd = open(path, O_RDONLY);
	CHECK_INT(filebusy_writing(path), 0);
	close(rfd);

	/* A writer in another process, as a feed fetcher would be. */
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	if (pid == 0) {
		int wfd = open(path, O_WRONLY | O_APPEND);

		close(pipefd[0]);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		sleep(2);   /* the parent checks, then kills us */
		close(wfd);
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1);
	CHECK_INT(filebusy_writing(path), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	CHECK_INT(filebusy_writing(path), 0);

	CHECK_INT(filebusy_writing(gone), 0);
	unlink(path);
	rmdir(dir);
	return check_report();
}
