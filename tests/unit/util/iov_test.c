/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iov_test.c - the iovec walker (util/iov.c, include/util_iov.h): empty
 * arrays, zero-length entries (with NULL bases, never touched), offsets on
 * entry boundaries and past the end, copies cut short by the array's end,
 * slices cut short by the output's size, and appends for partial sends.
 * Every copy and fill is checked byte by byte against a flat model of the
 * same bytes, and bytes outside the range must keep their guard value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util_iov.h"

#define GUARD 0xee

/* Backing memory: entries of 3, 0, 5, 0, 8 bytes (16 in all), apart. */
static uint8_t g_mem[64];
static struct iovec g_iov[5];

static void layout(void)
{
	memset(g_mem, GUARD, sizeof(g_mem));
	g_iov[0] = (struct iovec){g_mem + 1, 3};
	g_iov[1] = (struct iovec){NULL, 0};
	g_iov[2] = (struct iovec){g_mem + 10, 5};
	g_iov[3] = (struct iovec){g_mem + 40, 0};
	g_iov[4] = (struct iovec){g_mem + 20, 8};
}

/* Address of byte @k of the array. */
static uint8_t *at(size_t k)
{
	if (k < 3)
		return g_mem + 1 + k;
	if (k < 8)
		return g_mem + 10 + (k - 3);
	return g_mem + 20 + (k - 8);
}

/* Bytes of g_mem that no entry covers still hold the guard. */
static void assert_outside_untouched(void)
{
	for (size_t i = 0; i < sizeof(g_mem); i++) {
		bool inside = (i >= 1 && i < 4) || (i >= 10 && i < 15) || (i >= 20 && i < 28);

		if (!inside)
			assert_int_equal(g_mem[i], GUARD);
	}
}

static void test_covers(void **state)
{
	(void)state;
	layout();
	assert_true(iov_covers(NULL, 0, 0));
	assert_false(iov_covers(NULL, 0, 1));
	assert_true(iov_covers(g_iov, 5, 16));
	assert_false(iov_covers(g_iov, 5, 17));
	assert_true(iov_covers(g_iov, 1, 3));
	assert_false(iov_covers(g_iov, 2, 4)); /* the zero-length entry adds nothing */
	assert_true(iov_covers(g_iov, 3, 8));
	/* Stops once covered: a later entry is not read (a huge one would wrap). */
	struct iovec v[2] = {{g_mem, 4}, {g_mem, SIZE_MAX}};
	assert_true(iov_covers(v, 2, 4));
}

/* Every (off, len) over the array and beyond, both copy directions. */
static void test_copy_every_range(void **state)
{
	uint8_t src[32], dst[32];

	(void)state;
	for (size_t off = 0; off <= 18; off++) {
		for (size_t len = 0; len <= 20; len++) {
			size_t want = off >= 16 ? 0 : (len < 16 - off ? len : 16 - off);

			layout();
			for (size_t i = 0; i < sizeof(src); i++)
				src[i] = (uint8_t)(i + 1);
			assert_int_equal(iov_from_buf(g_iov, 5, off, src, len), want);
			for (size_t k = 0; k < 16; k++) {
				bool in = k >= off && k < off + want;

				assert_int_equal(*at(k), in ? src[k - off] : GUARD);
			}
			assert_outside_untouched();

			memset(dst, 0x11, sizeof(dst));
			assert_int_equal(iov_to_buf(g_iov, 5, off, dst, len), want);
			for (size_t i = 0; i < sizeof(dst); i++)
				assert_int_equal(dst[i], i < want ? *at(off + i) : 0x11);
		}
	}
}

static void test_memset_every_range(void **state)
{
	(void)state;
	for (size_t off = 0; off <= 18; off++) {
		for (size_t len = 0; len <= 20; len++) {
			size_t want = off >= 16 ? 0 : (len < 16 - off ? len : 16 - off);

			layout();
			assert_int_equal(iov_memset(g_iov, 5, off, 0, len), want);
			for (size_t k = 0; k < 16; k++)
				assert_int_equal(*at(k), k >= off && k < off + want ? 0 : GUARD);
			assert_outside_untouched();
		}
	}
}

static void test_empty_arrays(void **state)
{
	uint8_t buf[4] = {1, 2, 3, 4};
	struct iovec out[2];
	struct iovec zeros[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};

	(void)state;
	assert_int_equal(iov_to_buf(NULL, 0, 0, buf, 4), 0);
	assert_int_equal(iov_from_buf(NULL, 0, 0, buf, 4), 0);
	assert_int_equal(iov_memset(NULL, 0, 0, 0, 4), 0);
	assert_int_equal(iov_slice(NULL, 0, 0, 4, out, 2), 0);
	/* Only zero-length entries: nothing to touch (their bases are NULL). */
	assert_int_equal(iov_to_buf(zeros, 3, 0, buf, 4), 0);
	assert_int_equal(iov_from_buf(zeros, 3, 0, buf, 4), 0);
	assert_int_equal(iov_memset(zeros, 3, 0, 0, 4), 0);
	assert_int_equal(iov_slice(zeros, 3, 0, 4, out, 2), 0);
	assert_memory_equal(buf, ((uint8_t[]){1, 2, 3, 4}), 4);
}

/* Sum of the slice's lengths, and each piece where the model says. */
static size_t check_slice(const struct iovec *out, uint32_t n, size_t off)
{
	size_t k = off;

	for (uint32_t i = 0; i < n; i++) {
		assert_true(out[i].iov_len > 0);
		for (size_t j = 0; j < out[i].iov_len; j++)
			assert_ptr_equal((uint8_t *)out[i].iov_base + j, at(k + j));
		k += out[i].iov_len;
	}
	return k - off;
}

static void test_slice(void **state)
{
	struct iovec out[8];
	uint32_t n;

	(void)state;
	layout();
	for (size_t off = 0; off <= 18; off++) {
		for (size_t len = 0; len <= 20; len++) {
			size_t want = off >= 16 ? 0 : (len < 16 - off ? len : 16 - off);

			n = iov_slice(g_iov, 5, off, len, out, 8);
			assert_int_equal(check_slice(out, n, off), want);
		}
	}
	/* Entry boundaries: a slice starting at byte 3 begins in the third entry. */
	n = iov_slice(g_iov, 5, 3, 13, out, 8);
	assert_int_equal(n, 2);
	assert_ptr_equal(out[0].iov_base, g_mem + 10);
	assert_int_equal(out[0].iov_len, 5);
	assert_ptr_equal(out[1].iov_base, g_mem + 20);
	assert_int_equal(out[1].iov_len, 8);
	/* A full output cuts the slice short, and nothing past it is written. */
	out[1].iov_base = NULL;
	out[1].iov_len = 77;
	n = iov_slice(g_iov, 5, 1, 15, out, 1);
	assert_int_equal(n, 1);
	assert_ptr_equal(out[0].iov_base, g_mem + 2);
	assert_int_equal(out[0].iov_len, 2);
	assert_int_equal(out[1].iov_len, 77);
	assert_int_equal(iov_slice(g_iov, 5, 0, 16, out, 0), 0);
}

/* A stream of pieces "abc" "" "defgh" "ij", sent in steps of every size. */
static void test_append_partial_sends(void **state)
{
	static const char *pieces[] = {"abc", "", "defgh", "ij"};
	const char *all = "abcdefghij";

	(void)state;
	for (size_t sent = 0; sent <= 11; sent++) {
		struct iovec out[4];
		size_t skip = sent;
		uint32_t cnt = 0;
		char got[16];

		for (size_t i = 0; i < 4; i++)
			cnt = iov_append(out, cnt, 4, pieces[i], strlen(pieces[i]), &skip);
		/* What is left after @sent bytes; skip keeps any excess. */
		assert_int_equal(skip, sent > 10 ? sent - 10 : 0);
		size_t left = sent >= 10 ? 0 : 10 - sent;
		assert_int_equal(iov_to_buf(out, cnt, 0, got, sizeof(got)), left);
		assert_memory_equal(got, all + (sent >= 10 ? 10 : sent), left);
		for (uint32_t i = 0; i < cnt; i++)
			assert_true(out[i].iov_len > 0);
	}
}

static void test_append_full_array(void **state)
{
	struct iovec out[2];
	size_t skip = 1;
	uint32_t cnt;

	(void)state;
	cnt = iov_append(out, 0, 2, "xy", 2, &skip);
	assert_int_equal(cnt, 1);
	assert_int_equal(skip, 0);
	assert_memory_equal(out[0].iov_base, "y", 1);
	cnt = iov_append(out, cnt, 2, "zz", 2, &skip);
	assert_int_equal(cnt, 2);
	/* Full: nothing added, and skip is left for the caller's next build. */
	skip = 5;
	assert_int_equal(iov_append(out, cnt, 2, "w", 1, &skip), 2);
	assert_int_equal(skip, 5);
	/* An empty buffer neither adds an entry nor consumes skip. */
	assert_int_equal(iov_append(out, 0, 2, "", 0, &skip), 0);
	assert_int_equal(skip, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_covers),
	    cmocka_unit_test(test_copy_every_range),
	    cmocka_unit_test(test_memset_every_range),
	    cmocka_unit_test(test_empty_arrays),
	    cmocka_unit_test(test_slice),
	    cmocka_unit_test(test_append_partial_sends),
	    cmocka_unit_test(test_append_full_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
