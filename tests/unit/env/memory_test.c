/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/memory.c on the real EAL in no-hugepage mode (IOVA as VA): DMA
 * allocation, alignment, zero fill and IOVA translation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "include/env.h"

static int setup(void **state)
{
	struct env_opts opts;

	(void)state;
	env_opts_init(&opts);
	opts.name = "memory_test";
	opts.no_huge = true;
	opts.mem_mb = 64;
	return env_init(&opts);
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void test_zalloc_alignment(void **state)
{
	static const size_t aligns[] = {0, 8, 64, 256, 4096, 65536};

	(void)state;
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		size_t align = aligns[i] ? aligns[i] : 64;
		uint8_t *buf = env_dma_zalloc(3000, aligns[i]);

		assert_non_null(buf);
		assert_int_equal((uintptr_t)buf % align, 0);
		for (size_t j = 0; j < 3000; j++)
			assert_int_equal(buf[j], 0);
		memset(buf, 0xa5, 3000);
		env_dma_free(buf);
	}
	env_dma_free(NULL);
}

static void test_zalloc_bad_args(void **state)
{
	(void)state;
	assert_null(env_dma_zalloc(0, 64));
	assert_null(env_dma_zalloc(128, 48));
	assert_null(env_dma_zalloc((size_t)1 << 40, 64)); /* beyond the 64 MiB heap */
}

static void test_iova_offsets(void **state)
{
	const size_t size = 3 * 4096 + 123;
	uint8_t *buf = env_dma_zalloc(size, 4096);
	uint64_t base;

	(void)state;
	assert_non_null(buf);
	assert_false(env_hugepages());
	base = env_iova(buf);
	assert_int_not_equal(base, ENV_IOVA_INVALID);
	/* IOVA as VA: the IOVA is the address, and offsets carry over. */
	assert_int_equal(base, (uint64_t)(uintptr_t)buf);
	for (size_t off = 0; off < size; off += 509)
		assert_int_equal(env_iova(buf + off), base + off);
	assert_int_equal(env_iova(buf + size - 1), base + size - 1);
	env_dma_free(buf);
}

static void test_iova_unknown(void **state)
{
	int on_stack = 0;
	void *heap = malloc(64);

	(void)state;
	assert_non_null(heap);
	assert_int_equal(env_iova(&on_stack), ENV_IOVA_INVALID);
	assert_int_equal(env_iova(heap), ENV_IOVA_INVALID);
	assert_int_equal(env_iova(NULL), ENV_IOVA_INVALID);
	free(heap);
}

static void test_many_allocations(void **state)
{
	void *bufs[256];

	(void)state;
	for (int i = 0; i < 256; i++) {
		bufs[i] = env_dma_zalloc((size_t)(i + 1) * 61, 0);
		assert_non_null(bufs[i]);
		assert_int_not_equal(env_iova(bufs[i]), ENV_IOVA_INVALID);
	}
	for (int i = 0; i < 256; i++)
		env_dma_free(bufs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zalloc_alignment), cmocka_unit_test(test_zalloc_bad_args),
	    cmocka_unit_test(test_iova_offsets),     cmocka_unit_test(test_iova_unknown),
	    cmocka_unit_test(test_many_allocations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
