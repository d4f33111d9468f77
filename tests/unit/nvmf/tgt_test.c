/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the target on two cores (nvmf/tgt.c, nvmf/poll_group.c,
 * nvmf/msg.c): a worker poll group on its own thread, Connect forwarded
 * between threads, per-group SMART counters summed by the admin group,
 * nvmf_tgt_run() / nvmf_tgt_stop_async() and a clean shutdown.
 */
#include <pthread.h>
#include <time.h>

#include "env.h"
#include "fixture.h"

static int setup(void **state)
{
	struct env_opts o;

	(void)state;
	env_opts_init(&o);
	o.core_mask = "0x3";
	return env_init(&o) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void test_two_groups_connect_and_io(void **state)
{
	struct fx fx;
	struct fx_qp *a, *io;
	uint16_t cntlid;
	uint8_t buf[4 * FX_BS];
	struct nvme_health_log h;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	assert_int_equal(fx.tgt->ngroups, 2);
	cntlid = fx_admin_up(&fx, &a, FX_SSNQN); /* group 0 */
	io = fx_io_up(&fx, cntlid, 1);           /* group 1: another thread */
	assert_ptr_equal(nvmf_conn_of(&io->qp)->pg, fx.tgt->groups[1]);
	memset(buf, 0x3c, sizeof(buf));
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 0, 4, buf, sizeof(buf)), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 1, 0, 4, buf, sizeof(buf)), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 1, 0, 4, buf, sizeof(buf)), 0);
	assert_int_equal(fx_get_log(&fx, a, NVME_LOG_HEALTH_INFORMATION, 0, &h, sizeof(h)), 0);
	assert_int_equal(nvme_le128_get_sat(h.host_write_commands), 1);
	assert_int_equal(nvme_le128_get_sat(h.host_read_commands), 2);
	fx_fini(&fx); /* closes both queues across threads, joins the worker */
}

static void *stopper(void *arg)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};

	nanosleep(&ts, NULL);
	nvmf_tgt_stop_async(arg);
	return NULL;
}

static void test_run_until_stopped(void **state)
{
	struct fx fx;
	struct fx_qp *a;
	pthread_t t;

	(void)state;
	fx_init(&fx);
	fx.tgt->opts.idle_sleep = true;
	fx.tgt->opts.idle_us = 100;
	fx_start(&fx);
	fx_admin_up(&fx, &a, FX_SSNQN);
	/* A host in the middle of a shutdown. */
	assert_int_equal(fx_prop_set(&fx, a, NVME_REG_CC, 0x4001), 0);
	assert_int_equal(pthread_create(&t, NULL, stopper, fx.tgt), 0);
	assert_int_equal(nvmf_tgt_run(fx.tgt), 0);
	pthread_join(t, NULL);
	assert_false(fx.tgt->started);
	assert_true(a->freed);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_groups_connect_and_io),
	    cmocka_unit_test(test_run_until_stopped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
