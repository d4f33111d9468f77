/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_mr_test.c - the NVMe/RDMA host registration cache with a fake
 * registration function: hits by containment, misses just outside a
 * range, overlapping and nested ranges, many entries inserted out of
 * order, growth of the table, its bound, registration failures and
 * teardown (every registration released: the fake handles are heap
 * allocations, so a missed one leaks under SAN=1).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/rdma/rdma_internal.h"

struct fake_reg {
	uint32_t regs, deregs;
	uint32_t next_key;
	int fail; /* errno to return from the next registration */
	int last_access;
};

struct fake_handle {
	uintptr_t addr;
	size_t len;
};

static int fake_reg(void *ctx, void *addr, size_t len, int access, struct nvme_rdma_mr *mr)
{
	struct fake_reg *f = ctx;
	struct fake_handle *h;

	if (f->fail) {
		int e = f->fail;

		f->fail = 0;
		return -e;
	}
	h = malloc(sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->addr = (uintptr_t)addr;
	h->len = len;
	f->regs++;
	f->last_access = access;
	mr->handle = h;
	mr->lkey = 0x1000 + f->next_key;
	mr->rkey = 0x2000 + f->next_key;
	f->next_key++;
	return 0;
}

static void fake_dereg(void *ctx, void *handle)
{
	struct fake_reg *f = ctx;

	f->deregs++;
	free(handle);
}

static const struct nvme_rdma_mr_ops g_ops = {.reg = fake_reg, .dereg = fake_dereg};

/* An address space nobody touches: the cache never dereferences it. */
#define BASE ((uintptr_t)0x7f0000000000ull)
#define P(off) ((void *)(BASE + (off)))

static void test_empty_and_basic(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr, mr2;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 64, 7);
	assert_false(nvme_rdma_mr_cache_find(&c, P(0), 4096, &mr));
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &mr), 0);
	assert_int_equal(f.regs, 1);
	assert_int_equal(f.last_access, 7);
	assert_int_equal(mr.addr, BASE);
	assert_int_equal(mr.len, 4096);
	assert_int_equal(mr.rkey, 0x2000);
	/* Again: served from the cache, no new registration. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &mr2), 0);
	assert_int_equal(f.regs, 1);
	assert_int_equal(mr2.rkey, mr.rkey);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 1);
	assert_null(c.ents);
}

static void test_containment(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 64, 0);
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(8192), 4096, &mr), 0);
	assert_true(nvme_rdma_mr_cache_find(&c, P(8192), 4096, &mr));
	assert_true(nvme_rdma_mr_cache_find(&c, P(8192 + 100), 200, &mr));
	assert_true(nvme_rdma_mr_cache_find(&c, P(8192 + 4095), 1, &mr));
	assert_false(nvme_rdma_mr_cache_find(&c, P(8192 + 4000), 200, &mr)); /* runs past the end */
	assert_false(nvme_rdma_mr_cache_find(&c, P(8191), 2, &mr));          /* starts before */
	assert_false(nvme_rdma_mr_cache_find(&c, P(8192 + 4096), 1, &mr));
	assert_false(nvme_rdma_mr_cache_find(&c, P(8192), 0, &mr));
	assert_false(nvme_rdma_mr_cache_find(&c, (void *)UINTPTR_MAX, 2, &mr)); /* wraps */
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, f.regs);
}

static void test_overlap_and_nested(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr small, big, mr;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 64, 0);
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &small), 0);
	/* Larger than the cached range: registered on its own. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 65536, &big), 0);
	assert_int_equal(f.regs, 2);
	assert_int_not_equal(small.rkey, big.rkey);
	assert_true(nvme_rdma_mr_cache_find(&c, P(5000), 100, &mr));
	assert_int_equal(mr.rkey, big.rkey);
	assert_true(nvme_rdma_mr_cache_find(&c, P(0), 4096, &mr));
	/* A range inside the big one is a hit, not a new registration. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(32768), 8192, &mr), 0);
	assert_int_equal(mr.rkey, big.rkey);
	assert_int_equal(f.regs, 2);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 2);
}

/* A long range followed by many short ones: lookups inside the long one
 * must walk back past the short ones. */
static void test_long_range_behind_short_ones(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr big, mr;
	uint32_t i;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 256, 0);
	for (i = 1; i <= 100; i++)
		assert_int_equal(nvme_rdma_mr_cache_get(&c, P((size_t)i * 8192 + 8192), 64, &mr),
				 0);
	assert_int_equal(f.regs, 100);
	/* Not inside any short one: registered, sorted before all of them. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 1 << 20, &big), 0);
	assert_int_equal(f.regs, 101);
	assert_int_equal(c.ents[0].rkey, big.rkey);
	for (i = 1; i <= 100; i++)
		assert_int_equal(
		    nvme_rdma_mr_cache_get(&c, P((2u << 20) + (size_t)i * 8192), 64, &mr), 0);
	assert_int_equal(f.regs, 201);
	/* Between two short ones, inside the long one. */
	assert_true(nvme_rdma_mr_cache_find(&c, P(50 * 8192 + 8192 + 1000), 4096, &mr));
	assert_int_equal(mr.rkey, big.rkey);
	assert_true(nvme_rdma_mr_cache_find(&c, P(700000), 4096, &mr));
	assert_int_equal(mr.rkey, big.rkey);
	assert_false(nvme_rdma_mr_cache_find(&c, P((1 << 20) - 10), 20, &mr));
	assert_true(nvme_rdma_mr_cache_find(&c, P((2u << 20) + 50 * 8192 + 8), 56, &mr));
	assert_int_equal(mr.addr, BASE + (2u << 20) + 50 * 8192);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 201);
}

static void test_many_out_of_order_and_growth(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr;
	uint32_t keys[200], i, j;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 1000, 0);
	for (i = 0; i < 200; i++) {
		j = (i * 73) % 200; /* 73 is prime to 200: every slot once, scrambled */
		assert_int_equal(nvme_rdma_mr_cache_get(&c, P((size_t)j * 16384), 4096, &mr), 0);
		keys[j] = mr.rkey;
	}
	assert_int_equal(c.n, 200);
	assert_int_equal(c.cap, 256); /* 16 -> 32 -> 64 -> 128 -> 256 */
	for (i = 1; i < c.n; i++)
		assert_true(c.ents[i - 1].addr < c.ents[i].addr);
	for (j = 0; j < 200; j++) {
		assert_true(nvme_rdma_mr_cache_find(&c, P((size_t)j * 16384 + 512), 512, &mr));
		assert_int_equal(mr.rkey, keys[j]);
		assert_false(nvme_rdma_mr_cache_find(&c, P((size_t)j * 16384 + 8192), 16, &mr));
	}
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 200);
}

static void test_bound(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr;
	uint32_t i;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 20, 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(nvme_rdma_mr_cache_get(&c, P((size_t)i * 4096), 4096, &mr), 0);
	assert_int_equal(c.cap, 20); /* growth stops at the bound */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(1 << 24), 4096, &mr), -ENOSPC);
	assert_int_equal(f.regs, 20);
	/* Hits still work when full. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(5 * 4096), 4096, &mr), 0);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 20);
}

static void test_reg_failure_and_bad_args(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 8, 0);
	f.fail = EFAULT;
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &mr), -EFAULT);
	assert_int_equal(c.n, 0);
	assert_false(nvme_rdma_mr_cache_find(&c, P(0), 4096, &mr));
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 0, &mr), -EINVAL);
	assert_int_equal(nvme_rdma_mr_cache_get(&c, (void *)(UINTPTR_MAX - 10), 100, &mr), -EINVAL);
	assert_int_equal(f.regs, 0);
	/* The failure left nothing behind: the next registration works. */
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &mr), 0);
	assert_int_equal(c.n, 1);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 1);
}

static void test_fini_twice_and_reuse(void **state)
{
	struct fake_reg f = {0};
	struct nvme_rdma_mr_cache c;
	struct nvme_rdma_mr mr;

	(void)state;
	nvme_rdma_mr_cache_init(&c, &g_ops, &f, 8, 0);
	nvme_rdma_mr_cache_fini(&c); /* empty: nothing to release */
	assert_int_equal(f.deregs, 0);
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(0), 4096, &mr), 0);
	assert_int_equal(nvme_rdma_mr_cache_get(&c, P(4096), 4096, &mr), 0);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 2);
	nvme_rdma_mr_cache_fini(&c);
	assert_int_equal(f.deregs, 2);
	assert_false(nvme_rdma_mr_cache_find(&c, P(0), 4096, &mr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_and_basic),
	    cmocka_unit_test(test_containment),
	    cmocka_unit_test(test_overlap_and_nested),
	    cmocka_unit_test(test_long_range_behind_short_ones),
	    cmocka_unit_test(test_many_out_of_order_and_growth),
	    cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_reg_failure_and_bad_args),
	    cmocka_unit_test(test_fini_twice_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
