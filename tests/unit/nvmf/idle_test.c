/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idle_test.c - a poll group sleeping on events (nvmf/idle.c): a message
 * pushed to a sleeping group wakes it, with no lost wake-up when the push
 * races the sleep; a busy group's sender makes no system call; the
 * transport's wait fd wakes it and its group_sleep can refuse the sleep;
 * I/O in flight keeps it awake; a stop request ends nvmf_tgt_run at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "nvmf.h"
#include "nvmf/nvmf_internal.h"

#define RACE_ROUNDS 2000

/* ---------------------------------------------- a transport with a wait fd */

static int g_pipe[2] = {-1, -1};
static uint32_t g_sleep_us = NVMF_SLEEP_FOREVER;
static int g_sleep_calls, g_woken_calls;

static struct nvmf_transport *wt_create(const struct nvmf_transport_opts *opts,
					const struct nvmf_transport_upcalls *up)
{
	struct nvmf_transport *t = calloc(1, sizeof(*t));

	t->opts = *opts;
	t->up = *up;
	return t;
}
static void wt_destroy(struct nvmf_transport *t)
{
	free(t);
}
static struct nvmf_tgroup *wt_group_create(struct nvmf_transport *t)
{
	struct nvmf_tgroup *g = calloc(1, sizeof(*g));

	g->transport = t;
	return g;
}
static void wt_group_destroy(struct nvmf_tgroup *g)
{
	free(g);
}
static int wt_group_add(struct nvmf_tgroup *g, struct nvmf_qpair *qp)
{
	(void)g;
	(void)qp;
	return -ENOTSUP;
}
/* Busy while the pipe holds a byte: it reads it. */
static int wt_group_poll(struct nvmf_tgroup *g)
{
	char c;

	(void)g;
	return read(g_pipe[0], &c, 1) == 1 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}
static int wt_group_wait_fd(struct nvmf_tgroup *g)
{
	(void)g;
	return g_pipe[0];
}
static uint32_t wt_group_sleep(struct nvmf_tgroup *g)
{
	(void)g;
	g_sleep_calls++;
	return g_sleep_us;
}
static void wt_group_woken(struct nvmf_tgroup *g)
{
	(void)g;
	g_woken_calls++;
}
static void wt_req_complete(struct nvmf_request *req)
{
	(void)req;
}
static void wt_qpair(struct nvmf_qpair *qp)
{
	(void)qp;
}

static const struct nvmf_transport_ops wt_ops = {
    .name = "TCP",
    .trtype = NVMF_TRTYPE_TCP,
    .create = wt_create,
    .destroy = wt_destroy,
    .group_create = wt_group_create,
    .group_destroy = wt_group_destroy,
    .group_add = wt_group_add,
    .group_poll = wt_group_poll,
    .group_wait_fd = wt_group_wait_fd,
    .group_sleep = wt_group_sleep,
    .group_woken = wt_group_woken,
    .req_complete = wt_req_complete,
    .qpair_close = wt_qpair,
    .qpair_free = wt_qpair,
};

/* ------------------------------------------------------------- helpers */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000};

	nanosleep(&ts, NULL);
}

/* A running target with the test transport, added before start or (@late) after. */
static struct nvmf_tgt *tgt_up_as(bool late)
{
	struct nvmf_transport_opts o;
	struct nvmf_tgt_opts to;
	struct nvmf_tgt *tgt;

	assert_int_equal(pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC), 0);
	g_sleep_us = NVMF_SLEEP_FOREVER;
	g_sleep_calls = g_woken_calls = 0;
	nvmf_tgt_opts_init(&to);
	to.idle_sleep = true;
	to.idle_us = 0;
	assert_int_equal(nvmf_tgt_create(&to, &tgt), 0);
	nvmf_transport_opts_init(&o, NVMF_TRTYPE_TCP);
	if (!late)
		assert_int_equal(nvmf_tgt_add_transport_ops(tgt, &wt_ops, &o), 0);
	assert_int_equal(nvmf_tgt_start(tgt), 0);
	if (late) /* as nvmf_create_transport over RPC does */
		assert_int_equal(nvmf_tgt_add_transport_ops(tgt, &wt_ops, &o), 0);
	assert_false(nvmf_main_pg(tgt)->nap_only);
	for (int i = 0; i < 1000 && nvmf_tgt_poll(tgt) == NVMF_POLL_BUSY; i++)
		; /* start-up work done: idle from here on */
	return tgt;
}

static struct nvmf_tgt *tgt_up(void)
{
	return tgt_up_as(false);
}

static void tgt_down(struct nvmf_tgt *tgt)
{
	nvmf_tgt_destroy(tgt);
	close(g_pipe[0]);
	close(g_pipe[1]);
}

static int poll_cb(void *tgt)
{
	return nvmf_tgt_poll(tgt);
}

/* Sleep once, with the group's timer 10 s away (the wait is capped at 100 ms). */
static int sleep_once(struct nvmf_tgt *tgt)
{
	struct nvmf_poll_group *pg = nvmf_main_pg(tgt);

	pg->next_timer = env_ticks() + 10 * env_ticks_hz();
	return nvmf_pg_idle_sleep(pg, poll_cb, tgt);
}

static void set_flag(void *arg)
{
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
}

struct sender {
	struct nvmf_poll_group *pg;
	unsigned delay_us;
	int ran;
};

static void *send_later(void *arg)
{
	struct sender *s = arg;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)s->delay_us * 1000};

	nanosleep(&ts, NULL);
	assert_int_equal(nvmf_msg_send(s->pg, set_flag, &s->ran), 0);
	return NULL;
}

/* --------------------------------------------------------------- tests */

/*
 * A message sent 20 ms into a sleep ends it: the sleep returns BUSY (its
 * wait saw an event; a timeout returns IDLE) after at least 15 ms.
 */
static void test_message_wakes_sleeper(void **state)
{
	struct nvmf_tgt *tgt = tgt_up();
	struct sender s = {.pg = nvmf_main_pg(tgt), .delay_us = 20000};
	uint64_t sleeps = s.pg->sleeps;
	pthread_t t;
	double t0, dt;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, send_later, &s), 0);
	t0 = now_ms();
	assert_int_equal(sleep_once(tgt), NVMF_POLL_BUSY);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	assert_int_equal(s.pg->sleeps, sleeps + 1); /* it did sleep ... */
	assert_true(dt >= 15.0);                    /* ... until the message */
	assert_false(atomic_load(&s.pg->sleeping));
	nvmf_tgt_poll(tgt);
	assert_int_equal(__atomic_load_n(&s.ran, __ATOMIC_ACQUIRE), 1);
	tgt_down(tgt);
}

/*
 * The push races the sleep: sent 0..300 us after the group starts to go
 * to sleep, before it sets its flag, between the flag and the wait, or
 * during the wait. A lost wake-up is a sleep that ends by its timeout
 * (NVMF_POLL_IDLE) although the message was queued long before: every
 * such sleep is counted. (The send-to-run time is printed, not checked:
 * on a loaded machine a thread may wait that long for a core.)
 */
struct racer {
	struct nvmf_poll_group *pg;
	unsigned delay_us;
	int ran;
	uint64_t sent_us; /* after nvmf_msg_send returned */
};

static void *race_send(void *arg)
{
	struct racer *r = arg;
	double t0 = now_ms();

	while (now_ms() - t0 < r->delay_us / 1000.0)
		;
	assert_int_equal(nvmf_msg_send(r->pg, set_flag, &r->ran), 0);
	__atomic_store_n(&r->sent_us, (uint64_t)(now_ms() * 1000.0), __ATOMIC_RELEASE);
	return NULL;
}

static void test_no_lost_wakeup(void **state)
{
	struct nvmf_tgt *tgt = tgt_up();
	double worst = 0;
	int lost = 0;

	(void)state;
	srand(7);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct racer r = {.pg = nvmf_main_pg(tgt), .delay_us = (unsigned)(rand() % 300)};
		pthread_t t;
		double t0 = now_ms();

		assert_int_equal(pthread_create(&t, NULL, race_send, &r), 0);
		while (!__atomic_load_n(&r.ran, __ATOMIC_ACQUIRE) && now_ms() - t0 < 1000) {
			int rc = sleep_once(tgt);
			uint64_t sent = __atomic_load_n(&r.sent_us, __ATOMIC_ACQUIRE);

			/* Timed out with the message queued 20 ms before: lost. */
			lost += rc == NVMF_POLL_IDLE && sent > 0 && now_ms() - sent / 1000.0 > 20.0;
		}
		worst = now_ms() - t0 > worst ? now_ms() - t0 : worst;
		pthread_join(t, NULL);
		assert_int_equal(__atomic_load_n(&r.ran, __ATOMIC_ACQUIRE), 1);
	}
	print_message("%d rounds: worst send-to-run %.2f ms, %d lost wake-ups\n", RACE_ROUNDS,
		      worst, lost);
	assert_int_equal(lost, 0);
	tgt_down(tgt);
}

/* A sender to a group that does not sleep writes no eventfd. */
static void test_busy_group_no_syscall(void **state)
{
	struct nvmf_tgt *tgt = tgt_up();
	struct nvmf_poll_group *pg = nvmf_main_pg(tgt);
	uint64_t v;
	int ran = 0;

	(void)state;
	assert_int_equal(nvmf_msg_send(pg, set_flag, &ran), 0);
	assert_int_equal(read(pg->wake_fd, &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);
	nvmf_tgt_poll(tgt);
	assert_int_equal(ran, 1);
	/* The same send while it sleeps does write it. */
	atomic_store(&pg->sleeping, true);
	assert_int_equal(nvmf_msg_send(pg, set_flag, &ran), 0);
	atomic_store(&pg->sleeping, false);
	assert_int_equal(read(pg->wake_fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_int_equal(v, 1);
	nvmf_tgt_poll(tgt);
	tgt_down(tgt);
}

static void *write_pipe_later(void *arg)
{
	(void)arg;
	sleep_ms(20);
	assert_int_equal(write(g_pipe[1], "x", 1), 1);
	return NULL;
}

/* The transport group's wait fd wakes the group; group_woken follows. */
static void transport_fd_wakes(bool late)
{
	struct nvmf_tgt *tgt = tgt_up_as(late);
	pthread_t t;
	double t0, dt;

	assert_int_equal(pthread_create(&t, NULL, write_pipe_later, NULL), 0);
	t0 = now_ms();
	assert_int_equal(sleep_once(tgt), NVMF_POLL_BUSY);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	assert_true(dt >= 15.0);
	assert_int_equal(g_sleep_calls, 1);
	assert_int_equal(g_woken_calls, 1);
	assert_int_equal(nvmf_tgt_poll(tgt), NVMF_POLL_BUSY); /* the byte is read */
	/* Timeout only: nothing woke it, IDLE. */
	nvmf_main_pg(tgt)->next_timer = env_ticks() + env_ticks_hz() / 100;
	assert_int_equal(nvmf_pg_idle_sleep(nvmf_main_pg(tgt), poll_cb, tgt), NVMF_POLL_IDLE);
	tgt_down(tgt);
}

static void test_transport_fd_wakes(void **state)
{
	(void)state;
	transport_fd_wakes(false);
}

/* A transport created while the target runs wakes its groups the same way. */
static void test_transport_added_at_run_time_wakes(void **state)
{
	(void)state;
	transport_fd_wakes(true);
}

/* group_sleep() saying 0, or I/O in flight, keeps the group awake. */
static void test_sleep_refused(void **state)
{
	struct nvmf_tgt *tgt = tgt_up();
	struct nvmf_poll_group *pg = nvmf_main_pg(tgt);
	uint64_t sleeps = pg->sleeps;
	double t0;

	(void)state;
	g_sleep_us = 0;
	assert_int_equal(sleep_once(tgt), NVMF_POLL_IDLE);
	g_sleep_us = NVMF_SLEEP_FOREVER;
	pg->io_inflight = 1;
	assert_int_equal(sleep_once(tgt), NVMF_POLL_IDLE);
	pg->io_inflight = 0;
	assert_int_equal(pg->sleeps, sleeps);
	assert_int_equal(g_sleep_calls, 1); /* in flight: not even asked */
	/* A bounded sleep: 2 ms (the timer is 100 ms away): a timeout. */
	g_sleep_us = 2000;
	t0 = now_ms();
	assert_int_equal(sleep_once(tgt), NVMF_POLL_IDLE);
	assert_int_equal(pg->sleeps, sleeps + 1);
	assert_true(now_ms() - t0 >= 1.5);
	tgt_down(tgt);
}

static void *stop_later(void *tgt)
{
	sleep_ms(30);
	nvmf_tgt_stop_async(tgt);
	return NULL;
}

/* A stop request writes the sleeping main group's eventfd; nvmf_tgt_run ends. */
static void test_run_stops_while_asleep(void **state)
{
	struct nvmf_tgt *tgt = tgt_up();
	pthread_t t;
	double t0, dt;

	struct nvmf_poll_group *pg = nvmf_main_pg(tgt);
	uint64_t v;

	(void)state;
	atomic_store(&pg->sleeping, true);
	nvmf_tgt_stop_async(tgt);
	atomic_store(&pg->sleeping, false);
	assert_int_equal(read(pg->wake_fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	atomic_store(&tgt->stop_requested, 0);
	assert_int_equal(pthread_create(&t, NULL, stop_later, tgt), 0);
	t0 = now_ms();
	assert_int_equal(nvmf_tgt_run(tgt), 0);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	assert_false(tgt->started);
	assert_true(dt >= 25.0);
	tgt_down(tgt);
}

static int setup(void **state)
{
	struct env_opts o;

	(void)state;
	env_opts_init(&o);
	o.core_mask = "0x1";
	return env_init(&o) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_wakes_sleeper),
	    cmocka_unit_test(test_no_lost_wakeup),
	    cmocka_unit_test(test_busy_group_no_syscall),
	    cmocka_unit_test(test_transport_fd_wakes),
	    cmocka_unit_test(test_transport_added_at_run_time_wakes),
	    cmocka_unit_test(test_sleep_refused),
	    cmocka_unit_test(test_run_stops_while_asleep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
