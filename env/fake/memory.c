/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env memory: aligned_alloc plus a registry of live allocations, so
 * env_iova() knows which addresses are "DMA-able" (IOVA == VA).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "include/env.h"
#include "include/util.h"

struct fake_region {
	uintptr_t base;
	size_t size;
};

static pthread_mutex_t g_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_region *g_regions;
static size_t g_nregions;
static size_t g_cap;

static int fake_mem_add(void *buf, size_t size)
{
	if (g_nregions == g_cap) {
		size_t cap = g_cap ? g_cap * 2 : 64;
		struct fake_region *r = realloc(g_regions, cap * sizeof(*r));

		if (r == NULL)
			return -ENOMEM;
		g_regions = r;
		g_cap = cap;
	}
	g_regions[g_nregions].base = (uintptr_t)buf;
	g_regions[g_nregions].size = size;
	g_nregions++;
	return 0;
}

/* Index of the region containing @a, or -1. Called with the lock held. */
static long fake_mem_find(uintptr_t a)
{
	for (size_t i = 0; i < g_nregions; i++)
		if (a >= g_regions[i].base && a - g_regions[i].base < g_regions[i].size)
			return (long)i;
	return -1;
}

void *env_dma_zalloc(size_t size, size_t align)
{
	void *buf;
	size_t alloc;

	if (align == 0)
		align = 64;
	if (size == 0 || (align & (align - 1)) != 0 || size > SIZE_MAX - align)
		return NULL;
	alloc = (size + align - 1) & ~(align - 1);
	buf = aligned_alloc(align, alloc);
	if (buf == NULL)
		return NULL;
	memset(buf, 0, alloc);
	pthread_mutex_lock(&g_mem_lock);
	if (fake_mem_add(buf, size) != 0) {
		pthread_mutex_unlock(&g_mem_lock);
		free(buf);
		return NULL;
	}
	pthread_mutex_unlock(&g_mem_lock);
	return buf;
}

void env_dma_free(void *buf)
{
	long i;

	if (buf == NULL)
		return;
	pthread_mutex_lock(&g_mem_lock);
	i = fake_mem_find((uintptr_t)buf);
	if (i < 0 || g_regions[i].base != (uintptr_t)buf) {
		pthread_mutex_unlock(&g_mem_lock);
		log_error("env", "env_dma_free(%p): not an env_dma_zalloc() allocation", buf);
		abort();
	}
	g_regions[i] = g_regions[--g_nregions];
	if (g_nregions == 0) {
		free(g_regions);
		g_regions = NULL;
		g_cap = 0;
	}
	pthread_mutex_unlock(&g_mem_lock);
	free(buf);
}

uint64_t env_iova(const void *addr)
{
	long i;

	pthread_mutex_lock(&g_mem_lock);
	i = fake_mem_find((uintptr_t)addr);
	pthread_mutex_unlock(&g_mem_lock);
	return i < 0 ? ENV_IOVA_INVALID : (uint64_t)(uintptr_t)addr;
}
