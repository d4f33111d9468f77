/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake env (env/fake/) against the env.h contract: the semantics that
 * unit tests of upper layers rely on.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "include/env.h"

static void test_init_options(void **state)
{
	struct env_opts opts;

	(void)state;
	env_opts_init(&opts);
	assert_string_equal(opts.name, "nvmf");
	assert_true(opts.no_pci);
	assert_int_equal(env_init(NULL), -EINVAL);
	opts.core_mask = "0xg";
	assert_int_equal(env_init(&opts), -EINVAL);
	opts.core_mask = "2-1";
	assert_int_equal(env_init(&opts), -EINVAL);
	opts.core_mask = "1,3-4";
	assert_int_equal(env_init(&opts), 0);
	assert_int_equal(env_init(&opts), -EALREADY);
	assert_false(env_hugepages());
	assert_int_equal(env_main_core(), 1);
	assert_int_equal(env_core_id(), 1);
	assert_int_equal(env_core_count(), 3);
	assert_int_equal(env_core_next(ENV_CORE_ANY), 1);
	assert_int_equal(env_core_next(1), 3);
	assert_int_equal(env_core_next(3), 4);
	assert_int_equal(env_core_next(4), ENV_CORE_ANY);
	env_fini();
	opts.core_mask = "0x5";
	assert_int_equal(env_init(&opts), 0);
	assert_int_equal(env_core_count(), 2);
	assert_int_equal(env_core_next(0), 2);
	env_fini();
}

static void test_memory_iova(void **state)
{
	uint8_t *buf = env_dma_zalloc(10000, 4096);
	int local;

	(void)state;
	assert_non_null(buf);
	assert_int_equal((uintptr_t)buf % 4096, 0);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(env_iova(buf), (uint64_t)(uintptr_t)buf);
	assert_int_equal(env_iova(buf + 9999), env_iova(buf) + 9999);
	assert_int_equal(env_iova(buf + 10000), ENV_IOVA_INVALID);
	assert_int_equal(env_iova(&local), ENV_IOVA_INVALID);
	assert_null(env_dma_zalloc(0, 64));
	assert_null(env_dma_zalloc(64, 48));
	env_dma_free(buf);
	assert_int_equal(env_iova(buf), ENV_IOVA_INVALID);
	env_dma_free(NULL);
}

static void test_pool_exhaust_reuse(void **state)
{
	struct env_pool *pool = env_pool_create("t", 8, 100, 4);
	void *objs[9], *extra[2];

	(void)state;
	assert_non_null(pool);
	assert_int_equal(env_pool_avail(pool), 8);
	for (int i = 0; i < 8; i++) {
		objs[i] = env_pool_get(pool);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % 64, 0);
		assert_int_not_equal(env_iova(objs[i]), ENV_IOVA_INVALID);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	}
	assert_null(env_pool_get(pool));
	assert_int_equal(env_pool_get_bulk(pool, extra, 1), -ENOMEM);
	env_pool_put(pool, objs[3]);
	assert_ptr_equal(env_pool_get(pool), objs[3]);
	env_pool_put_bulk(pool, objs, 8);
	assert_int_equal(env_pool_avail(pool), 8);
	assert_int_equal(env_pool_get_bulk(pool, objs, 9), -ENOMEM);
	assert_int_equal(env_pool_avail(pool), 8);
	assert_int_equal(env_pool_get_bulk(pool, objs, 8), 0);
	env_pool_put_bulk(pool, objs, 8);
	env_pool_free(pool);
	env_pool_free(NULL);
}

static void test_pool_page_aligned(void **state)
{
	struct env_pool *pool = env_pool_create("pages", 4, 8192, 0);
	void *objs[4];

	(void)state;
	assert_non_null(pool);
	assert_int_equal(env_pool_get_bulk(pool, objs, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal((uintptr_t)objs[i] % 4096, 0);
	env_pool_put_bulk(pool, objs, 4);
	env_pool_free(pool);
	assert_null(env_pool_create("bad", 0, 64, 0));
	assert_null(env_pool_create("bad", 4, 0, 0));
}

static void test_ring_capacity_fifo(void **state)
{
	struct env_ring *ring = env_ring_create("r", 5, ENV_RING_SP | ENV_RING_SC);
	void *in[7], *out[7];

	(void)state;
	assert_non_null(ring);
	for (uintptr_t i = 0; i < 7; i++)
		in[i] = (void *)(i + 1);
	assert_int_equal(env_ring_enqueue_burst(ring, in, 3), 3);
	assert_int_equal(env_ring_enqueue_burst(ring, in + 3, 4), 2);
	assert_int_equal(env_ring_enqueue(ring, in[6]), -ENOBUFS);
	assert_int_equal(env_ring_count(ring), 5);
	assert_int_equal(env_ring_dequeue_burst(ring, out, 2), 2);
	assert_int_equal(env_ring_enqueue(ring, in[5]), 0);
	assert_int_equal(env_ring_enqueue(ring, in[6]), 0);
	assert_int_equal(env_ring_dequeue_burst(ring, out + 2, 7), 5);
	for (int i = 0; i < 7; i++)
		assert_ptr_equal(out[i], in[i]);
	assert_int_equal(env_ring_dequeue_burst(ring, out, 1), 0);
	env_ring_free(ring);
	assert_null(env_ring_create("r", 0, 0));
	assert_null(env_ring_create("r", 4, 0x80));
}

#define PRODUCED 200000u

static void *producer(void *arg)
{
	struct env_ring *ring = arg;

	for (uintptr_t i = 1; i <= PRODUCED;)
		if (env_ring_enqueue(ring, (void *)i) == 0)
			i++;
	return NULL;
}

static void test_ring_threads(void **state)
{
	struct env_ring *ring = env_ring_create("mt", 64, 0);
	uintptr_t expect = 1;
	pthread_t tid;

	(void)state;
	assert_non_null(ring);
	assert_int_equal(pthread_create(&tid, NULL, producer, ring), 0);
	while (expect <= PRODUCED) {
		void *objs[16];
		unsigned n = env_ring_dequeue_burst(ring, objs, 16);

		for (unsigned i = 0; i < n; i++)
			assert_int_equal((uintptr_t)objs[i], expect++);
	}
	pthread_join(tid, NULL);
	assert_int_equal(env_ring_count(ring), 0);
	env_ring_free(ring);
}

static int worker(void *arg)
{
	*(uint32_t *)arg = env_core_id();
	return 7;
}

static void test_threads_clock(void **state)
{
	struct env_opts opts;
	uint32_t seen = 0;
	uint64_t t0, t1;

	(void)state;
	env_opts_init(&opts);
	opts.core_mask = "0-1";
	assert_int_equal(env_init(&opts), 0);
	assert_int_equal(env_thread_launch(0, worker, &seen), -EINVAL);
	assert_int_equal(env_thread_launch(2, worker, &seen), -EINVAL);
	assert_int_equal(env_thread_launch(1, worker, &seen), 0);
	assert_int_equal(env_thread_join(1), 7);
	assert_int_equal(seen, 1);
	assert_int_equal(env_ticks_hz(), 1000000000ull);
	t0 = env_ticks();
	env_delay_us(2000);
	t1 = env_ticks();
	assert_true(t1 - t0 >= 2000000ull);
	env_fini();
	assert_int_equal(env_core_id(), ENV_CORE_ANY);
}

static void test_pci(void **state)
{
	struct env_pci_addr addr;
	struct env_pci_dev *dev = (void *)1;
	char buf[16];

	(void)state;
	assert_int_equal(env_pci_addr_parse("0000:af:1f.7", &addr), 0);
	env_pci_addr_fmt(&addr, buf, sizeof(buf));
	assert_string_equal(buf, "0000:af:1f.7");
	assert_int_equal(env_pci_addr_parse("00:04.0", &addr), 0);
	assert_int_equal(addr.dev, 4);
	assert_int_equal(env_pci_addr_parse("00:20.0", &addr), -EINVAL);
	assert_int_equal(env_pci_attach(&addr, &dev), -ENODEV);
	assert_null(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_options),       cmocka_unit_test(test_memory_iova),
	    cmocka_unit_test(test_pool_exhaust_reuse), cmocka_unit_test(test_pool_page_aligned),
	    cmocka_unit_test(test_ring_capacity_fifo), cmocka_unit_test(test_ring_threads),
	    cmocka_unit_test(test_threads_clock),      cmocka_unit_test(test_pci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
