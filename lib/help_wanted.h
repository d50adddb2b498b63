/* help_wanted.h -- "did the user ask for --help?", for every program.
 *
 * Each program answers `-h` and `--help` anywhere on its command line
 * (before a `--`) with its usage on standard output and status 0, before
 * it looks at anything else, so a newcomer's first command always works.
 */
#ifndef DNSBLD_HELP_WANTED_H
#define DNSBLD_HELP_WANTED_H

#include <string.h>

/* 1 if an argument before "--" is exactly "-h" or "--help". */
static inline int help_wanted(int argc, char *const argv[])
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

#endif
