/* test_filewatch.c -- lib/filewatch.c: every way a feed file gets replaced
 * is noticed (promptly, through inotify) and reported once by a scan. */
#include "check.h"
#include "filewatch.h"

#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256], dir[300], file[400], other[400];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* Waits (bounded) for inotify to report something relevant, then scans.
 * Returns the number of changed paths, with the first in *idx. */
static size_t wait_change(struct filewatch *fw, size_t *idx, int *woke)
{
	struct pollfd p = { .fd = filewatch_fd(fw), .events = POLLIN };
	size_t changed[4];
	size_t n;

	*woke = 0;
	for (int tries = 0; tries < 20 && !*woke; tries++) {
		if (poll(&p, 1, 100) > 0)
			*woke = filewatch_drain(fw, NULL) > 0;
	}
	n = filewatch_scan(fw, changed, 4);
	if (n)
		*idx = changed[0];
	return n;
}

int main(void)
{
	const char *tmp = getenv("TEST_TMPDIR");
	struct filewatch *fw;
	size_t idx = 99;
	int woke, i;
	char cmd[4096];

	snprintf(root, sizeof(root), "%s/filewatch.%d", tmp ? tmp : "/tmp", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/feeds", root);
	snprintf(file, sizeof(file), "%s/spam.ip4set", dir);
	snprintf(other, sizeof(other), "%s/unrelated", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root, dir);
	if (system(cmd) != 0)
		return 2;
	write_file(file, "1.2.3.4\n");

	fw = filewatch_new();
	CHECK(fw != NULL);
	i = filewatch_add(fw, file);
	CHECK_INT(i, 0);
	/* Nothing changed yet. */
	CHECK_INT(filewatch_scan(fw, &idx, 1), 0);

	/* An unrelated file in the same directory wakes nothing. */
	write_file(other, "x\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 0);
	CHECK_INT(woke, 0);

	/* In-place rewrite. */
	write_file(file, "1.2.3.4\n5.6.7.8\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);
	CHECK_INT(idx, 0);

	/* rsync style: write a temp file, rename it over. */
	snprintf(cmd, sizeof(cmd), "%s/.spam.tmp", dir);
	write_file(cmd, "9.9.9.9\n");
	CHECK_INT(rename(cmd, file), 0);
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);

	/* Delete, then re-create. */
	CHECK_INT(unlink(file), 0);
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);
	write_file(file, "1.1.1.1\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);

	/* The whole directory replaced by another one. */
	snprintf(cmd, sizeof(cmd),
		 "mkdir '%s/new' && printf '2.2.2.2\\n' > '%s/new/spam.ip4set' && "
		 "mv '%s' '%s/old' && mv '%s/new' '%s'", root, root, dir, root, root, dir);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);
	/* ...and the new directory is watched from now on. */
	write_file(file, "3.3.3.3\n4.4.4.4\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);

	filewatch_free(fw);

	/* A feed directory that is also another feed directory's parent keeps
	 * its own event mask (the parent watch must not replace it). */
	fw = filewatch_new();
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sub'", dir);
	CHECK_INT(system(cmd), 0);
	snprintf(other, sizeof(other), "%s/sub/nested.ip4set", dir);
	write_file(other, "5.5.5.5\n");
	CHECK_INT(filewatch_add(fw, file), 0);
	CHECK_INT(filewatch_add(fw, other), 1);
	write_file(file, "6.6.6.6\n7.7.7.7\n8.8.8.8\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);
	CHECK_INT(idx, 0);
	write_file(other, "9.9.9.9\n");
	CHECK_INT(wait_change(fw, &idx, &woke), 1);
	CHECK(woke);
	CHECK_INT(idx, 1);
	filewatch_free(fw);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 2;
	return check_report();
}
