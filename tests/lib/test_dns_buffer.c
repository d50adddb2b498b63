/* test_dns_buffer.c -- lib/dns_buffer.h: every read and write is bounded.
 *
 * A failed read or write must move nothing and touch nothing past the
 * limit; the canary bytes after the limit prove the latter.
 */
#include "check.h"
#include "dns_buffer.h"

static void test_read(void)
{
	uint8_t data[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	struct dns_buffer b;
	uint8_t u8 = 0, out[4];
	uint16_t u16;
	uint32_t u32;

	dns_buffer_init(&b, data, 7);
	CHECK_INT(dns_buffer_remaining(&b), 7);
	CHECK_INT(dns_buffer_get_u16(&b, &u16), 0);
	CHECK_INT(u16, 0x1234);
	CHECK_INT(dns_buffer_get_u32(&b, &u32), 0);
	CHECK(u32 == 0x56789abcU);
	/* One byte left: a u16 or u32 fails and consumes nothing. */
	CHECK_INT(dns_buffer_get_u16(&b, &u16), -1);
	CHECK_INT(dns_buffer_get_u32(&b, &u32), -1);
	CHECK_INT(dns_buffer_get_bytes(&b, out, 2), -1);
	CHECK_INT(b.pos, 6);
	CHECK_INT(dns_buffer_get_u8(&b, &u8), 0);
	CHECK_INT(u8, 0xde);
	/* At the limit: nothing more, even though data[7] exists. */
	CHECK_INT(dns_buffer_get_u8(&b, &u8), -1);
	CHECK_INT(dns_buffer_skip(&b, 1), -1);
	CHECK_INT(dns_buffer_skip(&b, 0), 0);
	CHECK_INT(dns_buffer_seek(&b, 8), -1);
	CHECK_INT(dns_buffer_seek(&b, 2), 0);
	CHECK_INT(dns_buffer_skip(&b, 5), 0);
	CHECK_INT(dns_buffer_remaining(&b), 0);
	/* A huge skip cannot wrap around. */
	CHECK_INT(dns_buffer_seek(&b, 0), 0);
	CHECK_INT(dns_buffer_skip(&b, (size_t)-1), -1);
	CHECK(!dns_buffer_available(&b, (size_t)-1));
}

static void test_write(void)
{
	uint8_t data[8];
	struct dns_buffer b;

	memset(data, 0xee, sizeof(data));
	dns_buffer_init(&b, data, 5);
	CHECK_INT(dns_buffer_put_u32(&b, 0x01020304), 0);
	CHECK_INT(dns_buffer_put_u16(&b, 0x0506), -1);
	CHECK_INT(dns_buffer_put_u32(&b, 1), -1);
	CHECK_INT(dns_buffer_put_bytes(&b, "ab", 2), -1);
	CHECK_INT(dns_buffer_put_u8(&b, 9), 0);
	CHECK_INT(dns_buffer_put_u8(&b, 9), -1);
	CHECK(memcmp(data, "\1\2\3\4\11", 5) == 0);
	CHECK_INT(data[5], 0xee);
	CHECK_INT(data[6], 0xee);
	/* Patching only inside what was written. */
	CHECK_INT(dns_buffer_set_u16_at(&b, 1, 0xaabb), 0);
	CHECK_INT(data[1], 0xaa);
	CHECK_INT(dns_buffer_set_u16_at(&b, 4, 0xaabb), -1);
	CHECK_INT(data[5], 0xee);
}

int main(void)
{
	test_read();
	test_write();
	return check_report();
}
