/* geo.c -- country codes and AS numbers as the geo datasets write them
 * (geo.h). */
#include "geo.h"

static int geo_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int geo_cc_parse(const char *s, size_t n, char out[3])
{
	if (n != 2 || !geo_letter(s[0]) || !geo_letter(s[1]))
		return -1;
	for (int i = 0; i < 2; i++)
		out[i] = (char)(s[i] >= 'a' ? s[i] - 32 : s[i]);
	out[2] = '\0';
	return 0;
}

int geo_a_cc(uint32_t a, char out[3])
{
	char c1 = (char)(a >> 8 & 0xff), c2 = (char)(a & 0xff);

	if ((a & 0xffff0000u) != 0x7f000000u || c1 < 'A' || c1 > 'Z' ||
	    c2 < 'A' || c2 > 'Z')
		return 0;
	out[0] = c1;
	out[1] = c2;
	out[2] = '\0';
	return 1;
}

int geo_asn_parse(const char *s, size_t n, uint32_t *asn)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*asn = (uint32_t)v;
	return 0;
}

int geo_txt_asn(const char *txt, size_t len, uint32_t *asn)
{
	size_t n = 0;

	while (n < len && txt[n] >= '0' && txt[n] <= '9')
		n++;
	return n ? geo_asn_parse(txt, n, asn) : -1;
}
