/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crc32c_test.c - CRC32C: RFC 3720 vectors on both implementations, the
 * table and instruction paths against each other and against a bit-at-a-time
 * reference over every length 0..4096 at every alignment 0..7, and chaining.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

typedef uint32_t (*crc_fn)(uint32_t crc, const void *buf, size_t len);

/* Bit-at-a-time definition of CRC32C: the independent oracle. */
static uint32_t crc_ref(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
	}
	return ~crc;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint8_t rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rng_byte();
}

/*
 * RFC 3720 appendix B.4 lists each CRC as the four digest bytes in wire
 * order ("aa 36 91 8a" for 32 zero bytes); the digest goes on the wire least
 * significant byte first, so the value is 0x8A9136AA.
 */
static const uint8_t rfc_read_pdu[48] = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void check_vectors(crc_fn fn)
{
	uint8_t buf[32];
	static const uint8_t zeros_digest[4] = {0xaa, 0x36, 0x91, 0x8a};
	uint32_t v;

	memset(buf, 0, sizeof(buf));
	v = fn(0, buf, sizeof(buf));
	assert_int_equal(v, 0x8A9136AA);
	/* Byte order as the RFC prints the digest: little-endian on the wire. */
	uint8_t wire[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};
	assert_memory_equal(wire, zeros_digest, 4);

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(fn(0, buf, sizeof(buf)), 0x62A8AB43);

	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(fn(0, buf, sizeof(buf)), 0x46DD794E);

	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(fn(0, buf, sizeof(buf)), 0x113FDB5C);

	assert_int_equal(fn(0, rfc_read_pdu, sizeof(rfc_read_pdu)), 0xD9963A56);
	assert_int_equal(fn(0, "123456789", 9), 0xE3069283);
	assert_int_equal(fn(0, "", 0), 0);
	assert_int_equal(fn(0x12345678, buf, 0), 0x12345678);
}

static void test_vectors_ref(void **state)
{
	(void)state;
	check_vectors(crc_ref);
}

static void test_vectors_table(void **state)
{
	(void)state;
	check_vectors(crc32c_table);
}

static void test_vectors_hw(void **state)
{
	(void)state;
	print_message("crc32c: SSE4.2 instruction %savailable\n",
		      crc32c_hw_available() ? "" : "NOT ");
	if (!crc32c_hw_available())
		skip();
	check_vectors(crc32c_hw);
}

static void test_vectors_dispatch(void **state)
{
	(void)state;
	check_vectors(crc32c);
}

#define MAXLEN 4096

/* table vs hw (vs reference on a sample) for every length and alignment. */
static void test_cross_all_lengths(void **state)
{
	uint8_t *mem = malloc(MAXLEN + 16);
	int hw = crc32c_hw_available();

	(void)state;
	assert_non_null(mem);
	fill_random(mem, MAXLEN + 16);
	for (size_t align = 0; align < 8; align++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			const uint8_t *p = mem + align;
			uint32_t t = crc32c_table(0, p, len);

			if (hw)
				assert_int_equal(t, crc32c_hw(0, p, len));
			assert_int_equal(t, crc32c(0, p, len));
			if (len < 64 || len % 97 == 0)
				assert_int_equal(t, crc_ref(0, p, len));
		}
	}
	free(mem);
}

/* Long buffers hit the interleaved rounds of both block sizes. */
static void test_cross_long(void **state)
{
	static const size_t lens[] = {3071,  3072,      3073,         3 * 1024 + 384, 6144 + 383,
				      65536, 65536 + 7, 131072 + 389, 1 << 20};
	uint8_t *mem = malloc((1 << 20) + 8);

	(void)state;
	assert_non_null(mem);
	fill_random(mem, (1 << 20) + 8);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		for (size_t align = 0; align < 8; align += 3) {
			uint32_t r = crc_ref(0xdeadbeef, mem + align, lens[i]);

			assert_int_equal(crc32c_table(0xdeadbeef, mem + align, lens[i]), r);
			if (crc32c_hw_available())
				assert_int_equal(crc32c_hw(0xdeadbeef, mem + align, lens[i]), r);
		}
	}
	free(mem);
}

static void check_chaining(crc_fn fn)
{
	enum { N = 5000 };
	uint8_t *mem = malloc(N);

	assert_non_null(mem);
	fill_random(mem, N);
	uint32_t whole = fn(0, mem, N);

	for (size_t n = 0; n <= N; n += (n < 64 ? 1 : 131)) {
		uint32_t a = fn(0, mem, n);

		assert_int_equal(fn(a, mem + n, N - n), whole);
	}
	/* Three pieces, and a chain of single bytes. */
	assert_int_equal(fn(fn(fn(0, mem, 7), mem + 7, 1000), mem + 1007, N - 1007), whole);
	uint32_t c = 0;

	for (size_t i = 0; i < 300; i++)
		c = fn(c, mem + i, 1);
	assert_int_equal(c, fn(0, mem, 300));
	free(mem);
}

static void test_chaining_table(void **state)
{
	(void)state;
	check_chaining(crc32c_table);
}

static void test_chaining_hw(void **state)
{
	(void)state;
	if (!crc32c_hw_available())
		skip();
	check_chaining(crc32c_hw);
}

static void test_chaining_dispatch(void **state)
{
	(void)state;
	check_chaining(crc32c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors_ref),       cmocka_unit_test(test_vectors_table),
	    cmocka_unit_test(test_vectors_hw),        cmocka_unit_test(test_vectors_dispatch),
	    cmocka_unit_test(test_cross_all_lengths), cmocka_unit_test(test_cross_long),
	    cmocka_unit_test(test_chaining_table),    cmocka_unit_test(test_chaining_hw),
	    cmocka_unit_test(test_chaining_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
