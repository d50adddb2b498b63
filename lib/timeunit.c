/* timeunit.c -- rbldnsd's time values (see timeunit.h). */
#include "timeunit.h"

#include <stddef.h>

const char *timeunit_scan(const char *s, uint32_t *seconds)
{
	uint64_t n = 0, mult = 1;

	if (*s < '0' || *s > '9')
		return NULL;
	do {
		n = n * 10 + (uint64_t)(*s++ - '0');
		if (n > UINT32_MAX)
			return NULL;
	} while (*s >= '0' && *s <= '9');
	switch (*s) {
	case 'w': case 'W': mult = 7 * 24 * 3600; s++; break;
	case 'd': case 'D': mult = 24 * 3600; s++; break;
	case 'h': case 'H': mult = 3600; s++; break;
	case 'm': case 'M': mult = 60; s++; break;
	case 's': case 'S': s++; break;
	default: break;
	}
	if (n * mult > UINT32_MAX)
		return NULL;
	*seconds = (uint32_t)(n * mult);
	return s;
}
