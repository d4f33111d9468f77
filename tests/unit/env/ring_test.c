/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/ring.c on the real EAL: exact capacity, FIFO order, bursts, and
 * 1M-item stress runs with one and with two producers against one consumer
 * (no loss, no duplicate, FIFO per producer).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "include/env.h"

#define ITEMS 1000000u

static int setup(void **state)
{
	struct env_opts opts;

	(void)state;
	env_opts_init(&opts);
	opts.name = "ring_test";
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

static void test_capacity_exact(void **state)
{
	static const size_t counts[] = {1, 5, 64, 100, 1023};

	(void)state;
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct env_ring *ring = env_ring_create("cap", counts[c], 0);
		size_t n = 0;

		assert_non_null(ring);
		while (env_ring_enqueue(ring, (void *)(uintptr_t)(n + 1)) == 0)
			n++;
		assert_int_equal(n, counts[c]);
		assert_int_equal(env_ring_count(ring), counts[c]);
		assert_int_equal(env_ring_enqueue(ring, ring), -ENOBUFS);
		env_ring_free(ring);
	}
	assert_null(env_ring_create("zero", 0, 0));
	assert_null(env_ring_create("flags", 8, 0x10));
	assert_null(env_ring_create(NULL, 8, 0));
	env_ring_free(NULL);
}

static void test_burst_fifo(void **state)
{
	/* Two rings of the same name must both be creatable. */
	struct env_ring *ring = env_ring_create("fifo", 10, ENV_RING_SP | ENV_RING_SC);
	struct env_ring *twin = env_ring_create("fifo", 10, 0);
	void *in[16], *out[16];

	(void)state;
	assert_non_null(ring);
	assert_non_null(twin);
	for (uintptr_t i = 0; i < 16; i++)
		in[i] = (void *)(i + 100);
	assert_int_equal(env_ring_enqueue_burst(ring, in, 16), 10);
	assert_int_equal(env_ring_dequeue_burst(ring, out, 4), 4);
	assert_int_equal(env_ring_enqueue_burst(ring, in + 10, 6), 4);
	assert_int_equal(env_ring_dequeue_burst(ring, out + 4, 16), 10);
	for (int i = 0; i < 14; i++)
		assert_ptr_equal(out[i], in[i]);
	assert_int_equal(env_ring_dequeue_burst(ring, out, 16), 0);
	assert_int_equal(env_ring_count(ring), 0);
	env_ring_free(ring);
	env_ring_free(twin);
}

struct producer {
	struct env_ring *ring;
	uintptr_t id;
};

/* Items carry (producer id << 32) | sequence, sequences from 1. */
static int produce(void *arg)
{
	struct producer *p = arg;
	void *batch[32];
	uint32_t seq = 1;

	while (seq <= ITEMS) {
		unsigned n = 0, done = 0;

		while (n < 32 && seq + n <= ITEMS) {
			batch[n] = (void *)(p->id << 32 | (uintptr_t)(seq + n));
			n++;
		}
		while (done < n) {
			unsigned k = env_ring_enqueue_burst(p->ring, batch + done, n - done);

			/* Full: let the consumer run if it shares this CPU. */
			if (k == 0)
				sched_yield();
			done += k;
		}
		seq += n;
	}
	return 0;
}

static void *produce_pthread(void *arg)
{
	produce(arg);
	return NULL;
}

static void consume(struct env_ring *ring, unsigned producers)
{
	uint32_t next[2] = {1, 1};
	uint64_t total = 0;

	while (total < (uint64_t)ITEMS * producers) {
		void *objs[64];
		unsigned n = env_ring_dequeue_burst(ring, objs, 64);

		if (n == 0)
			sched_yield();

		for (unsigned i = 0; i < n; i++) {
			uintptr_t v = (uintptr_t)objs[i];
			uintptr_t id = v >> 32;

			assert_true(id < producers);
			/* Anything but the next number is loss, duplication or reordering. */
			assert_int_equal((uint32_t)v, next[id]);
			next[id]++;
		}
		total += n;
	}
	assert_int_equal(env_ring_dequeue_burst(ring, (void *[1]){NULL}, 1), 0);
}

static void test_stress_spsc(void **state)
{
	struct producer p = {.id = 0};
	uint32_t worker = env_core_next(env_main_core());

	(void)state;
	if (worker == ENV_CORE_ANY)
		skip();
	p.ring = env_ring_create("spsc", 1024, ENV_RING_SP | ENV_RING_SC);
	assert_non_null(p.ring);
	assert_int_equal(env_thread_launch(worker, produce, &p), 0);
	consume(p.ring, 1);
	assert_int_equal(env_thread_join(worker), 0);
	env_ring_free(p.ring);
}

static void test_stress_mpsc(void **state)
{
	struct producer p[2] = {{.id = 0}, {.id = 1}};
	uint32_t worker = env_core_next(env_main_core());
	pthread_t tid;

	(void)state;
	if (worker == ENV_CORE_ANY)
		skip();
	p[0].ring = p[1].ring = env_ring_create("mpsc", 1024, ENV_RING_SC);
	assert_non_null(p[0].ring);
	/* One producer on the worker core, one on a thread outside the EAL. */
	assert_int_equal(env_thread_launch(worker, produce, &p[0]), 0);
	assert_int_equal(pthread_create(&tid, NULL, produce_pthread, &p[1]), 0);
	consume(p[0].ring, 2);
	assert_int_equal(env_thread_join(worker), 0);
	pthread_join(tid, NULL);
	env_ring_free(p[0].ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capacity_exact),
	    cmocka_unit_test(test_burst_fifo),
	    cmocka_unit_test(test_stress_spsc),
	    cmocka_unit_test(test_stress_mpsc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
