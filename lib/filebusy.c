/* filebusy.c -- "open for writing?" through a momentary read lease.
 *
 * F_SETLEASE F_RDLCK succeeds only when no descriptor (ours included) has
 * the file open for writing; EAGAIN means a writer is there.  Anything else
 * (EACCES for a file we do not own, EINVAL on NFS and friends) is "cannot
 * tell", which answers 0 so the caller loads and lets feed_load's
 * size/mtime check catch a write in progress.
 */
#include "filebusy.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int filebusy_writing(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int busy = 0;

	if (fd < 0)
		return 0;
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	else if (errno == EAGAIN)
		busy = 1;
	close(fd);
	return busy;
}
