/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/pool.c on the real EAL: exhaustion returns NULL, elements come back
 * for reuse, bulk gets are all-or-nothing, alignment and IOVAs, and two
 * threads sharing a cached pool never get the same element at once.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "include/env.h"

static int setup(void **state)
{
	struct env_opts opts;

	(void)state;
	env_opts_init(&opts);
	opts.name = "pool_test";
	opts.no_huge = true;
	opts.mem_mb = 64;
	opts.core_mask = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? "0-1" : "0";
	return env_init(&opts);
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void drain(struct env_pool *pool, void **objs, size_t count, size_t align)
{
	for (size_t i = 0; i < count; i++) {
		objs[i] = env_pool_get(pool);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % align, 0);
		assert_int_not_equal(env_iova(objs[i]), ENV_IOVA_INVALID);
		for (size_t j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	}
}

static void test_exhaust_and_reuse(void **state)
{
	static const size_t caches[] = {0, 8};

	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct env_pool *pool = env_pool_create("ex", 100, 200, caches[c]);
		void *objs[100], *again;

		assert_non_null(pool);
		assert_int_equal(env_pool_avail(pool), 100);
		drain(pool, objs, 100, 64);
		assert_null(env_pool_get(pool));
		assert_null(env_pool_get(pool));
		assert_int_equal(env_pool_avail(pool), 0);
		memset(objs[99], 0xff, 200); /* the whole element is ours */
		env_pool_put(pool, objs[42]);
		again = env_pool_get(pool);
		assert_ptr_equal(again, objs[42]);
		env_pool_put_bulk(pool, objs, 100);
		assert_int_equal(env_pool_avail(pool), 100);
		drain(pool, objs, 100, 64);
		env_pool_put_bulk(pool, objs, 100);
		env_pool_free(pool);
	}
}

static void test_bulk_all_or_nothing(void **state)
{
	struct env_pool *pool = env_pool_create("bulk", 10, 64, 0);
	void *objs[11];

	(void)state;
	assert_non_null(pool);
	assert_int_equal(env_pool_get_bulk(pool, objs, 11), -ENOMEM);
	assert_int_equal(env_pool_avail(pool), 10);
	assert_int_equal(env_pool_get_bulk(pool, objs, 7), 0);
	assert_int_equal(env_pool_get_bulk(pool, objs + 7, 4), -ENOMEM);
	assert_int_equal(env_pool_avail(pool), 3);
	assert_int_equal(env_pool_get_bulk(pool, objs + 7, 3), 0);
	env_pool_put_bulk(pool, objs, 10);
	env_pool_free(pool);
}

static void test_page_elements(void **state)
{
	struct env_pool *pool = env_pool_create("pages", 8, 8192, 0);
	void *objs[8];

	(void)state;
	assert_non_null(pool);
	drain(pool, objs, 8, 4096);
	assert_null(env_pool_get(pool));
	for (int i = 0; i < 8; i++) {
		memset(objs[i], i, 8192);
		assert_int_equal(env_iova((char *)objs[i] + 8191), env_iova(objs[i]) + 8191);
	}
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 8192; b += 511)
			assert_int_equal(((uint8_t *)objs[i])[b], i);
	env_pool_put_bulk(pool, objs, 8);
	env_pool_free(pool);
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_null(env_pool_create("bad", 0, 64, 0));
	assert_null(env_pool_create("bad", 8, 0, 0));
	assert_null(env_pool_create(NULL, 8, 64, 0));
	env_pool_free(NULL);
	/* A cache larger than the pool is clamped, not refused. */
	struct env_pool *pool = env_pool_create("clamp", 4, 64, 4096);

	assert_non_null(pool);
	env_pool_free(pool);
}

#define ROUNDS 200000

struct shared {
	struct env_pool *pool;
	atomic_int owner[64]; /* 0 free, else 1 + taker */
	atomic_int errors;
};

static int churn(struct shared *s, int me)
{
	for (int r = 0; r < ROUNDS; r++) {
		char *obj = env_pool_get(s->pool);
		int idx, prev;

		if (obj == NULL) {
			sched_yield();
			continue;
		}
		idx = *(int *)obj;
		prev = atomic_exchange(&s->owner[idx], 1 + me);
		if (prev != 0)
			atomic_fetch_add(&s->errors, 1);
		atomic_store(&s->owner[idx], 0);
		env_pool_put(s->pool, obj);
	}
	return 0;
}

static int churn_worker(void *arg)
{
	return churn(arg, 1);
}

static void test_two_threads(void **state)
{
	static struct shared s;
	uint32_t worker = env_core_next(env_main_core());
	void *objs[64];

	(void)state;
	if (worker == ENV_CORE_ANY)
		skip();
	s.pool = env_pool_create("mt", 64, 128, 8);
	assert_non_null(s.pool);
	/* Number the elements so each thread can claim the one it holds. */
	assert_int_equal(env_pool_get_bulk(s.pool, objs, 64), 0);
	for (int i = 0; i < 64; i++)
		*(int *)objs[i] = i;
	env_pool_put_bulk(s.pool, objs, 64);
	assert_int_equal(env_thread_launch(worker, churn_worker, &s), 0);
	churn(&s, 0);
	assert_int_equal(env_thread_join(worker), 0);
	assert_int_equal(atomic_load(&s.errors), 0);
	/* Every element is back (some may sit in per-core caches). */
	assert_int_equal(env_pool_avail(s.pool), 64);
	env_pool_free(s.pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exhaust_and_reuse), cmocka_unit_test(test_bulk_all_or_nothing),
	    cmocka_unit_test(test_page_elements),     cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
