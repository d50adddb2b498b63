/* fuzz_util.c -- scratch directory and file helpers for the fuzz targets. */
#include "fuzz_util.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dirpath[PATH_MAX];

/* Removes the scratch directory's files (one level: the targets make no
 * subdirectories) and the directory itself. */
static void fuzz_cleanup(void)
{
	DIR *d = opendir(fuzz_dirpath);
	struct dirent *e;
	char path[PATH_MAX + 256];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dirpath, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(fuzz_dirpath);
}

const char *fuzz_dir(void)
{
	const char *tmp;

	if (fuzz_dirpath[0])
		return fuzz_dirpath;
	tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(fuzz_dirpath, sizeof(fuzz_dirpath), "%s/dnsbld-fuzz.XXXXXX",
		 tmp);
	if (!mkdtemp(fuzz_dirpath)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_dirpath;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t len)
{
	static char path[PATH_MAX + 256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

FILE *fuzz_devnull(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null) {
		perror("fuzz: /dev/null");
		abort();
	}
	return null;
}
