/* test_content_hash.c -- XXH64 against known values, and streamed in
 * pieces of every size. */
#include "check.h"

#include "content_hash.h"

#include <stdint.h>
#include <string.h>

/* Values as `xxhsum -H1` prints them. */
static void test_known(void)
{
	static const char fox[] = "The quick brown fox jumps over the lazy "
				  "dog. Pack my box with five dozen liquor "
				  "jugs.";
	unsigned char bin[1000];

	CHECK(content_hash_of(NULL, 0) == 0xef46db3751d8e999ULL);
	CHECK(content_hash_of("a", 1) == 0xd24ec4f1a98c6e5bULL);
	CHECK(content_hash_of("abc", 3) == 0x44bc2cf5ad770999ULL);
	CHECK(content_hash_of("1.2.3.4\n", 8) == 0x7facacb486f0aaf7ULL);
	/* 31 and 32 bytes: either side of the first whole stripe. */
	CHECK(content_hash_of("0123456789abcdef0123456789abcde", 31) ==
	      0x1fdfc63febacfde7ULL);
	CHECK(content_hash_of("0123456789abcdef0123456789abcdef", 32) ==
	      0x642a94958e71e6c5ULL);
	CHECK(content_hash_of(fox, 43) == 0x0b242d361fda71bcULL);
	/* A stripe, then 8 * 3 + 4 + 3 bytes: every step of the tail. */
	CHECK(content_hash_of(fox, 63) == 0xd113a77f2e725cdeULL);
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 31 + 7);
	CHECK(content_hash_of(bin, sizeof(bin)) == 0x99594f4828043d35ULL);
}

/* Any cut into two or three pieces gives the whole's hash, and the digest
 * leaves the state to go on with. */
static void test_pieces(void)
{
	unsigned char text[100];
	uint64_t whole;
	unsigned bad = 0;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)(i * 131 + 17);
	for (size_t len = 0; len <= sizeof(text); len++) {
		whole = content_hash_of(text, len);
		for (size_t a = 0; a <= len; a++) {
			for (size_t b = a; b <= len; b++) {
				struct content_hash h;

				content_hash_init(&h);
				content_hash_update(&h, text, a);
				if (content_hash_digest(&h) !=
				    content_hash_of(text, a))
					bad++;
				content_hash_update(&h, text + a, b - a);
				content_hash_update(&h, text + b, len - b);
				if (content_hash_digest(&h) != whole)
					bad++;
			}
		}
	}
	CHECK_INT(bad, 0);
}

/* A byte at a time, as a slow reader might hand it over. */
static void test_bytewise(void)
{
	unsigned char bin[1000];
	struct content_hash h;

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 31 + 7);
	content_hash_init(&h);
	for (size_t i = 0; i < sizeof(bin); i++)
		content_hash_update(&h, bin + i, 1);
	CHECK(content_hash_digest(&h) == 0x99594f4828043d35ULL);
}

int main(void)
{
	test_known();
	test_pieces();
	test_bytewise();
	return check_report();
}
