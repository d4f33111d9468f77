/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_split_test.c - how a block I/O becomes NVMe commands for a local
 * controller (the "nvme" backend's cutter): split at MDTS, never across an
 * iovec (each is one DMA-able pool buffer), whole blocks only, iovecs longer
 * than the I/O trimmed, and refusals for unaligned or short iovecs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nvmf/backend_nvme.h"

static uint8_t g_a[1 << 20], g_b[1 << 20];

/* Cut everything; @return the number of segments, or the error. */
static int cut_all(const struct iovec *iov, uint32_t n, uint64_t len, uint32_t bs, uint32_t max,
		   struct nvmf_bnvme_seg *segs, int cap)
{
	struct nvmf_bnvme_cursor cur = {0};
	int count = 0, rc;

	while ((rc = nvmf_bnvme_next_seg(iov, n, len, bs, max, &cur, &segs[count])) == 1)
		if (++count == cap)
			break;
	return rc < 0 ? rc : count;
}

static void test_split_at_mdts(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = sizeof(g_a)};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* 1 MiB with MDTS 512 KiB (QEMU: 2^7 pages): two commands. */
	assert_int_equal(cut_all(&iov, 1, 1 << 20, 512, 512 << 10, s, 8), 2);
	assert_ptr_equal(s[0].buf, g_a);
	assert_int_equal(s[0].len, 512 << 10);
	assert_int_equal(s[0].off, 0);
	assert_ptr_equal(s[1].buf, g_a + (512 << 10));
	assert_int_equal(s[1].off, 512 << 10);
	/* 300 KiB with MDTS 128 KiB: 128 + 128 + 44. */
	assert_int_equal(cut_all(&iov, 1, 300 << 10, 4096, 128 << 10, s, 8), 3);
	assert_int_equal(s[2].len, 44 << 10);
	assert_int_equal(s[2].off, 256 << 10);
}

static void test_mdts_not_block_multiple(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 65536};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* A limit of 10000 bytes with 4 KiB blocks: 8 KiB pieces. */
	assert_int_equal(cut_all(&iov, 1, 16384, 4096, 10000, s, 8), 2);
	assert_int_equal(s[0].len, 8192);
	assert_int_equal(s[1].len, 8192);
}

static void test_per_iovec(void **state)
{
	struct iovec iov[3] = {
	    {.iov_base = g_a, .iov_len = 8192},
	    {.iov_base = g_b, .iov_len = 131072},
	    {.iov_base = g_a + 8192, .iov_len = 131072},
	};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* The last iovec is longer than the I/O: trimmed. */
	assert_int_equal(cut_all(iov, 3, 8192 + 131072 + 4096, 512, 1 << 20, s, 8), 3);
	assert_ptr_equal(s[0].buf, g_a);
	assert_int_equal(s[0].len, 8192);
	assert_ptr_equal(s[1].buf, g_b);
	assert_int_equal(s[1].off, 8192);
	assert_int_equal(s[1].len, 131072);
	assert_ptr_equal(s[2].buf, g_a + 8192);
	assert_int_equal(s[2].len, 4096);
	/* Empty iovecs are skipped. */
	iov[1].iov_len = 0;
	assert_int_equal(cut_all(iov, 3, 8192 + 4096, 512, 1 << 20, s, 8), 2);
	assert_ptr_equal(s[1].buf, g_a + 8192);
}

static void test_refusals(void **state)
{
	struct iovec iov[2] = {
	    {.iov_base = g_a, .iov_len = 1000},
	    {.iov_base = g_b, .iov_len = 8192},
	};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* A piece that is not whole blocks. */
	assert_int_equal(cut_all(iov, 2, 4096, 512, 1 << 20, s, 8), -EINVAL);
	/* Iovecs shorter than the I/O. */
	iov[0].iov_len = 4096;
	assert_int_equal(cut_all(iov, 2, 4096 + 8192 + 512, 512, 1 << 20, s, 8), -EINVAL);
	/* Zero length: nothing to cut. */
	assert_int_equal(cut_all(iov, 2, 0, 512, 1 << 20, s, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_at_mdts),
	    cmocka_unit_test(test_mdts_not_block_multiple),
	    cmocka_unit_test(test_per_iovec),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
