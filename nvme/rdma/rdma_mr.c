/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_mr.c - a cache of memory registrations, one per queue pair (its PD).
 *
 * Entries live in an array sorted by start address; they may overlap (a
 * larger range than a cached one is registered on its own). A lookup finds
 * the last entry starting at or below the address with a binary search,
 * then walks back only over entries that could still reach the address:
 * those starting less than the longest entry's length below it. With
 * buffers of one size (nvmf_perf) that is one or two entries.
 *
 * The table grows by doubling up to its bound; when full, callers register
 * per command instead. Nothing is evicted: an entry may be in use by a
 * command in flight until the queue pair is torn down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/rdma/rdma_internal.h"

#define MR_CACHE_INITIAL 16u

void nvme_rdma_mr_cache_init(struct nvme_rdma_mr_cache *c, const struct nvme_rdma_mr_ops *ops,
			     void *ctx, uint32_t max, int access)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	c->max = max;
	c->access = access;
}

/* Index of the first entry starting above @addr (0..n). */
static uint32_t upper_bound(const struct nvme_rdma_mr_cache *c, uintptr_t addr)
{
	uint32_t lo = 0, hi = c->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->ents[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool nvme_rdma_mr_cache_find(const struct nvme_rdma_mr_cache *c, const void *addr, size_t len,
			     struct nvme_rdma_mr *out)
{
	uintptr_t a = (uintptr_t)addr;
	uint32_t i = upper_bound(c, a);

	if (len == 0 || a + len < a)
		return false;
	while (i-- > 0) {
		const struct nvme_rdma_mr *e = &c->ents[i];

		if (a - e->addr >= c->max_len)
			break; /* no entry further back reaches @addr */
		if (a + len <= e->addr + e->len) {
			*out = *e;
			return true;
		}
	}
	return false;
}

static int cache_grow(struct nvme_rdma_mr_cache *c)
{
	uint32_t cap = c->cap ? c->cap * 2 : MR_CACHE_INITIAL;
	struct nvme_rdma_mr *ents;

	if (cap > c->max)
		cap = c->max;
	ents = realloc(c->ents, (size_t)cap * sizeof(*ents));
	if (ents == NULL)
		return -ENOMEM;
	c->ents = ents;
	c->cap = cap;
	return 0;
}

int nvme_rdma_mr_cache_get(struct nvme_rdma_mr_cache *c, void *addr, size_t len,
			   struct nvme_rdma_mr *out)
{
	struct nvme_rdma_mr mr;
	uint32_t pos;
	int rc;

	if (nvme_rdma_mr_cache_find(c, addr, len, out))
		return 0;
	if (len == 0 || (uintptr_t)addr + len < (uintptr_t)addr)
		return -EINVAL;
	if (c->n == c->max)
		return -ENOSPC;
	if (c->n == c->cap) {
		rc = cache_grow(c);
		if (rc != 0)
			return rc;
	}
	memset(&mr, 0, sizeof(mr));
	rc = c->ops->reg(c->ctx, addr, len, c->access, &mr);
	if (rc != 0)
		return rc;
	mr.addr = (uintptr_t)addr;
	mr.len = len;
	pos = upper_bound(c, mr.addr);
	memmove(&c->ents[pos + 1], &c->ents[pos], (size_t)(c->n - pos) * sizeof(mr));
	c->ents[pos] = mr;
	c->n++;
	if (len > c->max_len)
		c->max_len = len;
	*out = mr;
	return 0;
}

void nvme_rdma_mr_cache_fini(struct nvme_rdma_mr_cache *c)
{
	uint32_t i;

	for (i = 0; i < c->n; i++)
		c->ops->dereg(c->ctx, c->ents[i].handle);
	free(c->ents);
	c->ents = NULL;
	c->n = c->cap = 0;
	c->max_len = 0;
}
