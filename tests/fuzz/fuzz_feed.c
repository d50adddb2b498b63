/* fuzz_feed.c -- libFuzzer target: one feed format parser (lib/feed*.c).
 *
 * Built once per dataset type with FUZZ_FEED_TYPE set to its name
 * ("ip4set", "combined", ...).  The input is the feed text; a line "%%"
 * splits it into up to three files, loaded as one dataset the way a
 * dataset's `files:` list is (rbldnsd's per-file reset rules apply at each
 * boundary).  Each load runs twice, with and without rbldnsd's -e (host
 * bits masked instead of rejected).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "feed.h"
#include "fuzz_util.h"

#ifndef FUZZ_FEED_TYPE
#error "FUZZ_FEED_TYPE must name a dataset type"
#endif

#define FUZZ_FEED_FILES 3

static enum ds_type fuzz_type;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (ds_type_parse(FUZZ_FEED_TYPE, &fuzz_type) < 0) {
		fprintf(stderr, "fuzz_feed: unknown type %s\n", FUZZ_FEED_TYPE);
		abort();
	}
	return 0;
}

static void fuzz_feed_load(const char *const *files, size_t n, int ehost)
{
	struct feed_options o = { .accept_host_bits = ehost, .max_errors = 0,
				  .log = fuzz_devnull(), .max_logged = 0 };
	struct feed_result res;
	struct dataset *ds = NULL;
	char err[1024];

	memset(&res, 0, sizeof(res));
	if (feed_load(fuzz_type, files, n, &o, &ds, &res, err, sizeof(err)) == 0)
		dataset_free(ds);
	feed_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%\n";
	char *paths[FUZZ_FEED_FILES];
	const char *files[FUZZ_FEED_FILES];
	size_t n = 0, pos = 0;

	while (n < FUZZ_FEED_FILES) {
		const uint8_t *cut = NULL;
		size_t len;
		char name[16];

		if (n + 1 < FUZZ_FEED_FILES)
			cut = memmem(data + pos, size - pos, sep, sizeof(sep) - 1);
		len = cut ? (size_t)(cut - (data + pos)) + 1 : size - pos;
		snprintf(name, sizeof(name), "feed%zu", n);
		paths[n] = strdup(fuzz_write(name, data + pos, len));
		if (!paths[n])
			abort();
		files[n] = paths[n];
		n++;
		if (!cut)
			break;
		pos = (size_t)(cut - data) + sizeof(sep) - 1;
	}
	fuzz_feed_load(files, n, 0);
	fuzz_feed_load(files, n, 1);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return 0;
}
