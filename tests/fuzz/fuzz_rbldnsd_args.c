/* fuzz_rbldnsd_args.c -- libFuzzer target: rbldnsd's command line
 * (lib/rbldnsd_args.c), as `dnsbld` accepts it in drop-in mode.
 *
 * The input is the argument list: arguments separated by NUL or newline
 * bytes (at most 64), after argv[0] "rbldnsd".  A parse that fails must
 * say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rbldnsd_args.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[FUZZ_MAX_ARGS + 2];
	int argc = 0;
	struct rbldnsd_args a;
	char err[512] = "";
	size_t start = 0;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "rbldnsd";
	for (size_t i = 0; i <= size && argc <= FUZZ_MAX_ARGS; i++) {
		if (i < size && buf[i] != '\0' && buf[i] != '\n')
			continue;
		buf[i] = '\0';
		if (i < size || i > start)
			argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	memset(&a, 0, sizeof(a));
	if (rbldnsd_args_parse(argc, argv, &a, err, sizeof(err)) == 0)
		rbldnsd_args_free(&a);
	else if (!err[0])
		abort();        /* an error says which option or spec */
	free(buf);
	return 0;
}
