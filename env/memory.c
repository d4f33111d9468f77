/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env DMA memory: rte_zmalloc'd heap memory and its IO addresses,
 * looked up through the memseg that holds an address.
 */
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "include/env.h"

_Static_assert(ENV_IOVA_INVALID == RTE_BAD_IOVA, "ENV_IOVA_INVALID must match RTE_BAD_IOVA");

void *env_dma_zalloc(size_t size, size_t align)
{
	if (align == 0)
		align = 64;
	if (size == 0 || (align & (align - 1)) != 0 || align > UINT32_MAX)
		return NULL;
	return rte_zmalloc(NULL, size, (unsigned)align);
}

void env_dma_free(void *buf)
{
	rte_free(buf);
}

uint64_t env_iova(const void *addr)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(addr, NULL);
	uintptr_t off;

	if (ms == NULL)
		return ENV_IOVA_INVALID;
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return (uint64_t)(uintptr_t)addr;
	off = (uintptr_t)addr - (uintptr_t)ms->addr;
	if (ms->iova != RTE_BAD_IOVA)
		return ms->iova + off;
	/* Segment without a recorded IOVA: ask the kernel for this page. */
	return rte_mem_virt2iova(addr);
}
