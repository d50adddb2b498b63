/* fuzz_config.c -- libFuzzer target: the YAML config (lib/config.c).
 *
 * The input is written as a config file and loaded with config_load_flags,
 * first without the data-file checks (so the whole document is checked, as
 * dnsbl-loader load and the server do), then with them as
 * `dnsbl-loader check` does.  A load that fails must say why.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_config_load(const char *path, unsigned flags)
{
	struct config *cfg = NULL;
	char err[1024] = "";

	if (config_load_flags(path, flags, &cfg, err, sizeof(err)) == 0)
		config_free(cfg);
	else if (!err[0])
		abort();        /* a failed load names file:line and why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("dnsbld.yaml", data, size);

	fuzz_config_load(path, CONFIG_NO_FILE_CHECK);
	fuzz_config_load(path, 0);
	return 0;
}
