/* fuzz_util.h -- small helpers the libFuzzer targets of tests/fuzz share.
 *
 * The parsers under test read files (feed files, the YAML config), so each
 * target keeps one private scratch directory for the life of the process
 * and rewrites one file in it per input.  Everything here aborts on a setup
 * failure: a broken harness must not look like a clean run.
 */
#ifndef DNSBLD_FUZZ_UTIL_H
#define DNSBLD_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The target's scratch directory (made on first call under $TMPDIR or
 * /tmp, removed with its files at exit). */
const char *fuzz_dir(void);

/* Writes `len` bytes to `name` in fuzz_dir() (replacing it) and returns its
 * full path (static storage, valid until the next call). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t len);

/* A stream that discards what is written to it (for warnings). */
FILE *fuzz_devnull(void);

#endif
