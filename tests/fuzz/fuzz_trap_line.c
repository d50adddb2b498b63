/* fuzz_trap_line.c -- libFuzzer target: the trap-hit line protocol
 * (lib/trap_line.c, `<ip> [trap=<id>] [time=<unix>] [reason=<text>]`).
 *
 * The input is one line as a socket or tail hands it over (no newline
 * needed); its bytes are copied to a buffer of exactly that size so that
 * any read past the end is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trap_hit hit;
	const char *why = NULL;
	char *line = malloc(size ? size : 1);
	int rc;

	if (!line)
		abort();
	memcpy(line, data, size);
	rc = trap_line_parse(line, size, &hit, &why);
	if (rc < 0 && (!why || !*why))
		abort();        /* a malformed line must say why */
	if (rc == 1) {
		if (hit.family != 4 && hit.family != 6)
			abort();
		if (strnlen(hit.reason, sizeof(hit.reason)) >= sizeof(hit.reason))
			abort();
	}
	free(line);
	return 0;
}
