/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/thread.c and env/clock.c on the real EAL: core iteration, launching
 * and joining worker threads, env_core_id() on EAL and other threads, and
 * a monotonic clock with a sane rate.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "include/env.h"

static bool g_two_cores;

static int setup(void **state)
{
	struct env_opts opts;

	(void)state;
	g_two_cores = sysconf(_SC_NPROCESSORS_ONLN) >= 2;
	env_opts_init(&opts);
	opts.name = "thread_test";
	opts.no_huge = true;
	opts.mem_mb = 32;
	opts.core_mask = g_two_cores ? "0x3" : "0x1";
	return env_init(&opts);
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void test_cores(void **state)
{
	(void)state;
	assert_int_equal(env_main_core(), 0);
	assert_int_equal(env_core_id(), 0);
	assert_int_equal(env_core_count(), g_two_cores ? 2 : 1);
	assert_int_equal(env_core_next(ENV_CORE_ANY), 0);
	assert_int_equal(env_core_next(0), g_two_cores ? 1 : ENV_CORE_ANY);
	if (g_two_cores)
		assert_int_equal(env_core_next(1), ENV_CORE_ANY);
}

struct job {
	atomic_int go;
	uint32_t core_seen;
};

static int job_fn(void *arg)
{
	struct job *j = arg;

	j->core_seen = env_core_id();
	while (!atomic_load(&j->go))
		;
	return 42;
}

static void test_launch_join(void **state)
{
	struct job j = {.core_seen = 0};

	(void)state;
	if (!g_two_cores)
		skip();
	assert_int_equal(env_thread_launch(1, job_fn, &j), 0);
	/* Still running: the core is busy. */
	assert_int_equal(env_thread_launch(1, job_fn, &j), -EBUSY);
	atomic_store(&j.go, 1);
	assert_int_equal(env_thread_join(1), 42);
	assert_int_equal(j.core_seen, 1);
	/* The core can be used again. */
	atomic_store(&j.go, 1);
	assert_int_equal(env_thread_launch(1, job_fn, &j), 0);
	assert_int_equal(env_thread_join(1), 42);
}

static void test_launch_bad_core(void **state)
{
	struct job j = {.core_seen = 0};

	(void)state;
	assert_int_equal(env_thread_launch(0, job_fn, &j), -EINVAL); /* main core */
	assert_int_equal(env_thread_launch(5, job_fn, &j), -EINVAL); /* not in the mask */
	assert_int_equal(env_thread_launch(ENV_CORE_ANY, job_fn, &j), -EINVAL);
	assert_int_equal(env_thread_launch(1, NULL, &j), -EINVAL);
	assert_int_equal(env_thread_join(0), -EINVAL);
	assert_int_equal(env_thread_join(7), -EINVAL);
}

static void *plain_thread(void *arg)
{
	*(uint32_t *)arg = env_core_id();
	return NULL;
}

static void test_core_id_outside_eal(void **state)
{
	uint32_t seen = 0;
	pthread_t tid;

	(void)state;
	assert_int_equal(pthread_create(&tid, NULL, plain_thread, &seen), 0);
	pthread_join(tid, NULL);
	assert_int_equal(seen, ENV_CORE_ANY);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_clock(void **state)
{
	uint64_t hz = env_ticks_hz(), t0, t1, n0, n1, prev;

	(void)state;
	assert_true(hz >= 1000000ull && hz <= 100000000000ull);
	prev = env_ticks();
	for (int i = 0; i < 100000; i++) {
		uint64_t t = env_ticks();

		assert_true(t >= prev);
		prev = t;
	}
	n0 = now_ns();
	t0 = env_ticks();
	env_delay_us(20000);
	t1 = env_ticks();
	n1 = now_ns();
	/* At least the delay passed, by both clocks. */
	assert_true(n1 - n0 >= 20000000ull);
	assert_true(t1 - t0 >= hz / 50);
	/* The tick rate agrees with the system clock within 10 %. */
	double ratio = (double)(t1 - t0) / hz / ((double)(n1 - n0) / 1e9);

	assert_true(ratio > 0.9 && ratio < 1.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cores),           cmocka_unit_test(test_launch_join),
	    cmocka_unit_test(test_launch_bad_core), cmocka_unit_test(test_core_id_outside_eal),
	    cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
