/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_prp_test.c - PRP entries and lists of the PCIe host transport (fake
 * env: IOVA == VA for env_dma_zalloc'd memory): one page, offsets, exactly
 * two pages, lists, lists that chain across list pages, and refusals
 * (non-DMA memory, odd alignment, lists too small).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/pcie/pcie_internal.h"

#define PG NVME_PCIE_PAGE

struct lists {
	uint64_t *pages; /* npages consecutive list pages (DMA) */
	uint64_t iova[4];
	uint32_t npages;
};

static void lists_init(struct lists *l, uint32_t npages)
{
	l->npages = npages;
	l->pages = env_dma_zalloc((size_t)npages * PG, PG);
	assert_non_null(l->pages);
	for (uint32_t i = 0; i < npages; i++)
		l->iova[i] = env_iova((uint8_t *)l->pages + (size_t)i * PG);
}

static uint64_t va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void test_one_page_with_offset(void **state)
{
	uint8_t *buf = env_dma_zalloc(2 * PG, PG);
	struct nvme_cmd cmd;

	(void)state;
	memset(&cmd, 0xAA, sizeof(cmd));
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 512, 1024, NULL, NULL, 0), 0);
	assert_int_equal(cmd.psdt, NVME_PSDT_PRP);
	assert_int_equal(cmd.dptr.prp.prp1, va(buf + 512));
	assert_int_equal(cmd.dptr.prp.prp2, 0);
	/* Ends exactly at the page end: still one page. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 512, PG - 512, NULL, NULL, 0), 0);
	assert_int_equal(cmd.dptr.prp.prp2, 0);
	env_dma_free(buf);
}

static void test_two_pages(void **state)
{
	uint8_t *buf = env_dma_zalloc(3 * PG, PG);
	struct nvme_cmd cmd;

	(void)state;
	/* Exactly two aligned pages: PRP2 is the second page, no list. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf, 2 * PG, NULL, NULL, 0), 0);
	assert_int_equal(cmd.dptr.prp.prp1, va(buf));
	assert_int_equal(cmd.dptr.prp.prp2, va(buf + PG));
	/* 4 KiB crossing a page boundary: two pages as well. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 100, PG, NULL, NULL, 0), 0);
	assert_int_equal(cmd.dptr.prp.prp1, va(buf + 100));
	assert_int_equal(cmd.dptr.prp.prp2, va(buf + PG));
	env_dma_free(buf);
}

static void test_list(void **state)
{
	uint8_t *buf = env_dma_zalloc(8 * PG, PG);
	struct nvme_cmd cmd;
	struct lists l;

	(void)state;
	lists_init(&l, 1);
	/* Offset 8: 4 pages + 8 bytes touch 5 pages -> list of 4 entries. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 8, 4 * PG, l.pages, l.iova, 1), 0);
	assert_int_equal(cmd.dptr.prp.prp1, va(buf + 8));
	assert_int_equal(cmd.dptr.prp.prp2, l.iova[0]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(l.pages[i], va(buf + (size_t)(i + 1) * PG));
	/* Three aligned pages: PRP2 is a list of 2. */
	memset(l.pages, 0, PG);
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf, 3 * PG, l.pages, l.iova, 1), 0);
	assert_int_equal(cmd.dptr.prp.prp2, l.iova[0]);
	assert_int_equal(l.pages[0], va(buf + PG));
	assert_int_equal(l.pages[1], va(buf + 2 * PG));
	assert_int_equal(l.pages[2], 0);
	env_dma_free(l.pages);
	env_dma_free(buf);
}

/* 513 list entries, one list page full of 512: fits without a chain. */
static void test_list_exactly_full(void **state)
{
	uint8_t *buf = env_dma_zalloc(514 * PG, PG);
	struct nvme_cmd cmd;
	struct lists l;

	(void)state;
	lists_init(&l, 1);
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf, 513 * PG, l.pages, l.iova, 1), 0);
	assert_int_equal(l.pages[511], va(buf + 512 * PG));
	/* One page more needs a chain, and only one list page is given. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf, 514 * PG, l.pages, l.iova, 1), -EINVAL);
	env_dma_free(l.pages);
	env_dma_free(buf);
}

static void test_list_chains(void **state)
{
	const uint32_t npg = 1100; /* entries after PRP1 */
	uint8_t *buf = env_dma_zalloc((size_t)(npg + 2) * PG, PG);
	struct nvme_cmd cmd;
	struct lists l;
	uint32_t i, page, idx;

	(void)state;
	lists_init(&l, 3);
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 64, npg * PG, l.pages, l.iova, 3), 0);
	assert_int_equal(cmd.dptr.prp.prp1, va(buf + 64));
	assert_int_equal(cmd.dptr.prp.prp2, l.iova[0]);
	/* Page 0: 511 entries then the chain to page 1; page 1 likewise. */
	assert_int_equal(l.pages[511], l.iova[1]);
	assert_int_equal(l.pages[512 + 511], l.iova[2]);
	for (i = 0; i < npg; i++) {
		page = i / 511;
		idx = i % 511;
		assert_int_equal(l.pages[page * 512 + idx], va(buf + (size_t)(i + 1) * PG));
	}
	/* Two list pages are too few for 1100 entries. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 64, npg * PG, l.pages, l.iova, 2),
			 -EINVAL);
	env_dma_free(l.pages);
	env_dma_free(buf);
}

static void test_refusals(void **state)
{
	uint8_t *buf = env_dma_zalloc(4 * PG, PG);
	uint8_t *plain = malloc(PG);
	struct nvme_cmd cmd;

	(void)state;
	assert_int_equal(nvme_pcie_prp_build(&cmd, plain, 512, NULL, NULL, 0), -EINVAL);
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf + 2, 512, NULL, NULL, 0), -EINVAL);
	/* Needs a list but none is given. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, buf, 3 * PG, NULL, NULL, 0), -EINVAL);
	/* No data: no pointers. */
	assert_int_equal(nvme_pcie_prp_build(&cmd, plain, 0, NULL, NULL, 0), 0);
	assert_int_equal(cmd.dptr.prp.prp1, 0);
	free(plain);
	env_dma_free(buf);
}

static void test_pages_per_request(void **state)
{
	(void)state;
	/* 2 MiB at any offset: 512 list entries, one list page. */
	assert_int_equal(NVME_PCIE_PRP_PAGES, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_page_with_offset),
	    cmocka_unit_test(test_two_pages),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_list_exactly_full),
	    cmocka_unit_test(test_list_chains),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_pages_per_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
