/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health_test.c - nvmf/health.c and nvmf/errlog.c: merging drive health
 * logs (worst of each), the snapshot cache of a drive (fresh for 1 s, one
 * read in flight at a time), Get Log Page 02h carrying a drive's values
 * and parked while the drive is read, and the error log ring behind 01h.
 */
#include "fixture.h"

#include "env/fake/env_fake.h"
#include "nvmf/health.h"

/* A drive whose health log read completes on poll once @answer is set. */
struct fake_drive {
	atomic_bool answer;
	atomic_bool pending;
	atomic_int submits;
	struct nvme_health_log log;
	void (*done)(void *arg, bool ok);
	void *arg;
	void *buf;
};

static int fd_submit(void *ctx, void *buf, void (*done)(void *arg, bool ok), void *arg)
{
	struct fake_drive *d = ctx;

	d->done = done;
	d->arg = arg;
	d->buf = buf;
	atomic_fetch_add(&d->submits, 1);
	atomic_store(&d->pending, true);
	return 0;
}

static int fd_poll(void *ctx)
{
	struct fake_drive *d = ctx;

	if (!atomic_load(&d->pending) || !atomic_load(&d->answer))
		return 0;
	memcpy(d->buf, &d->log, sizeof(d->log));
	atomic_store(&d->pending, false);
	d->done(d->arg, true);
	return 1;
}

static const struct nvmf_health_src_ops fd_ops = {.submit = fd_submit, .poll = fd_poll};

static void drive_log(struct nvme_health_log *l, uint16_t kelvin, uint8_t cw, uint8_t spare,
		      uint8_t used, uint64_t media)
{
	memset(l, 0, sizeof(*l));
	l->temperature = kelvin;
	l->temp_sensor[0] = kelvin;
	l->critical_warning = cw;
	l->available_spare = spare;
	l->available_spare_threshold = 10;
	l->percentage_used = used;
	nvme_le128_set(l->media_errors, media);
}

static void test_merge_worst(void **state)
{
	struct nvme_health_log dst, a, b;

	(void)state;
	memset(&dst, 0, sizeof(dst));
	dst.temperature = 293;
	nvme_le128_set(dst.host_read_commands, 7);
	drive_log(&a, 310, NVME_HEALTH_CW_TEMPERATURE, 90, 3, 2);
	drive_log(&b, 305, NVME_HEALTH_CW_SPARE, 40, 9, 5);
	b.available_spare_threshold = 50;
	nvmf_health_merge(&dst, &a, true);
	assert_int_equal(dst.temperature, 310);
	assert_int_equal(dst.available_spare, 90);
	nvmf_health_merge(&dst, &b, false);
	assert_int_equal(dst.temperature, 310);
	assert_int_equal(dst.temp_sensor[0], 310);
	assert_int_equal(dst.critical_warning, NVME_HEALTH_CW_TEMPERATURE | NVME_HEALTH_CW_SPARE);
	assert_int_equal(dst.available_spare, 40);
	assert_int_equal(dst.available_spare_threshold, 50);
	assert_int_equal(dst.percentage_used, 9);
	assert_int_equal(nvme_le128_get_sat(dst.media_errors), 7);
	/* The target's own counters are not the drive's. */
	assert_int_equal(nvme_le128_get_sat(dst.host_read_commands), 7);
}

static void test_drive_cache(void **state)
{
	struct fake_drive d = {0};
	struct nvmf_drive_health *h;
	struct nvme_health_log out;
	uint64_t sec = env_ticks_hz();

	(void)state;
	drive_log(&d.log, 300, 0, 100, 1, 0);
	atomic_store(&d.answer, true);
	assert_int_equal(nvmf_drive_health_new(&fd_ops, &d, 100, &h), 0);
	assert_int_equal(atomic_load(&d.submits), 1);
	assert_int_equal(nvmf_drive_health_get(h, sec, &out), 0);
	assert_int_equal(out.temperature, 300);
	assert_int_equal(atomic_load(&d.submits), 1); /* fresh: no read */
	/* 1.5 s later the drive is slow: the old snapshot, one read only. */
	atomic_store(&d.answer, false);
	drive_log(&d.log, 333, NVME_HEALTH_CW_RELIABILITY, 100, 1, 4);
	env_fake_clock_advance(1500ull * 1000 * 1000);
	assert_int_equal(nvmf_drive_health_get(h, sec, &out), -EAGAIN);
	assert_int_equal(out.temperature, 300);
	assert_int_equal(nvmf_drive_health_get(h, sec, &out), -EAGAIN);
	assert_int_equal(atomic_load(&d.submits), 2);
	atomic_store(&d.answer, true);
	assert_int_equal(nvmf_drive_health_get(h, sec, &out), 0);
	assert_int_equal(out.temperature, 333);
	assert_int_equal(out.critical_warning, NVME_HEALTH_CW_RELIABILITY);
	nvmf_drive_health_free(h);
}

static void test_drive_never_read(void **state)
{
	struct fake_drive d = {0};
	struct nvmf_drive_health *h;
	struct nvme_health_log out;

	(void)state;
	assert_int_equal(nvmf_drive_health_new(&fd_ops, &d, 1, &h), 0);
	assert_int_equal(nvmf_drive_health_get(h, env_ticks_hz(), &out), -ENODATA);
	atomic_store(&d.answer, true); /* lets free() reap the read in flight */
	nvmf_drive_health_free(h);
}

static void test_errlog_ring(void **state)
{
	struct nvme_error_log_entry out[NVMF_ERRLOG_SLOTS];
	struct nvmf_errlog log;
	struct nvme_cmd cmd;

	(void)state;
	nvmf_errlog_init(&log);
	for (uint32_t i = 1; i <= 20; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opc = NVME_OPC_READ;
		cmd.cid = (uint16_t)i;
		cmd.nsid = 1;
		cmd.cdw10 = i * 8;
		cmd.cdw11 = 1;
		nvmf_errlog_record(&log, 3, &cmd, NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE),
				   NVMF_TRTYPE_TCP);
	}
	assert_int_equal(nvmf_errlog_count(&log), 20);
	memset(out, 0, sizeof(out));
	assert_int_equal(nvmf_errlog_fill(&log, out, NVMF_ERRLOG_SLOTS), sizeof(out));
	for (uint32_t n = 0; n < NVMF_ERRLOG_SLOTS; n++) {
		assert_int_equal(out[n].error_count, 20 - n); /* newest first */
		assert_int_equal(out[n].cid, 20 - n);
		assert_int_equal(out[n].sqid, 3);
		assert_int_equal(out[n].lba, (1ull << 32) | ((20 - n) * 8));
		assert_int_equal(out[n].status >> 1, NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE));
		assert_int_equal(out[n].trtype, NVMF_TRTYPE_TCP);
	}
	cmd.opc = NVME_OPC_IDENTIFY; /* admin: no LBA */
	nvmf_errlog_record(&log, 0, &cmd, NVMF_ST_INVALID_FIELD, NVMF_TRTYPE_TCP);
	nvmf_errlog_fill(&log, out, 1);
	assert_int_equal(out[0].lba, 0);
	assert_int_equal(out[0].sqid, 0);
}

/* ------------------------------------------ Get Log Page through the core */

static struct nvmf_drive_health *g_dh;

static struct nvmf_drive_health *fx_drive_health(struct nvmf_backend *b)
{
	(void)b;
	return g_dh;
}

static void test_log_pages_with_drive(void **state)
{
	static struct nvmf_backend_ops ops;
	struct nvme_health_log h;
	struct fake_drive d = {0};
	struct nvme_error_log_entry errs[NVMF_ERRLOG_SLOTS];
	struct nvmf_request *req;
	struct fx_backend *ssd;
	struct fx_qp *a, *io;
	uint8_t data[FX_BS];
	uint16_t cntlid;
	struct fx fx;

	(void)state;
	drive_log(&d.log, 318, NVME_HEALTH_CW_TEMPERATURE, 77, 12, 3);
	atomic_store(&d.answer, true);
	assert_int_equal(nvmf_drive_health_new(&fd_ops, &d, 100, &g_dh), 0);
	fx_init(&fx);
	ssd = fx_backend_add(fx.tgt, "ssd0", FX_BLOCKS, FX_BS, false);
	ops = *ssd->base.ops;
	ops.drive_health = fx_drive_health;
	ssd->base.ops = &ops;
	assert_int_equal(nvmf_subsystem_add_ns(fx.ss, "ssd0", NULL), 2);
	fx_start(&fx);
	cntlid = fx_admin_up(&fx, &a, FX_SSNQN);

	memset(&h, 0, sizeof(h));
	assert_int_equal(fx_get_log(&fx, a, NVME_LOG_HEALTH_INFORMATION, 0, &h, sizeof(h)), 0);
	assert_int_equal(h.temperature, 318);
	assert_int_equal(h.critical_warning, NVME_HEALTH_CW_TEMPERATURE);
	assert_int_equal(h.available_spare, 77);
	assert_int_equal(h.percentage_used, 12);
	assert_int_equal(nvme_le128_get_sat(h.media_errors), 3);

	/* Stale and the drive slow: the command waits, then carries the new value. */
	atomic_store(&d.answer, false);
	d.log.temperature = 321;
	env_fake_clock_advance(1500ull * 1000 * 1000);
	{
		struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE, .nsid = NVME_NSID_ALL};

		nvme_glp_set(&cmd, NVME_LOG_HEALTH_INFORMATION, sizeof(h), 0);
		memset(&h, 0, sizeof(h));
		req = fx_submit_cmd(a, &cmd, &h, sizeof(h), NVMF_XFER_C2H);
	}
	for (int i = 0; i < 5; i++) { /* 500 ms: under NVMF_HEALTH_WAIT_MS */
		env_fake_clock_advance(NVMF_TIMER_PERIOD_MS * 1000000ull);
		fx_poll(&fx, 2);
	}
	assert_false(fx_req_done(a, req));
	atomic_store(&d.answer, true);
	for (double end = fx_now() + FX_WAIT_SECONDS; !fx_req_done(a, req) && fx_now() < end;) {
		env_fake_clock_advance(NVMF_TIMER_PERIOD_MS * 1000000ull);
		fx_poll(&fx, 1);
	}
	assert_true(fx_req_done(a, req));
	assert_int_equal(nvme_cpl_get_status(&req->cpl), 0);
	assert_int_equal(h.temperature, 321);

	/* Errors land in log 01h, newest first; the health log counts them. */
	io = fx_io_up(&fx, cntlid, 1);
	assert_int_not_equal(fx_rw(&fx, io, NVME_OPC_READ, 9, 0, 1, data, FX_BS), 0);
	assert_int_not_equal(fx_rw(&fx, io, NVME_OPC_READ, 2, FX_BLOCKS, 1, data, FX_BS), 0);
	memset(errs, 0, sizeof(errs));
	assert_int_equal(fx_get_log(&fx, a, NVME_LOG_ERROR, 0, errs, sizeof(errs)), 0);
	assert_int_equal(errs[0].error_count, 2);
	assert_int_equal(errs[0].sqid, 1);
	assert_int_equal(errs[0].nsid, 2);
	assert_int_equal(errs[0].lba, FX_BLOCKS);
	assert_int_equal((errs[0].status >> 1) & 0x7ff,
			 NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE));
	assert_int_equal(errs[1].error_count, 1);
	assert_int_equal(errs[1].nsid, 9);
	assert_int_equal(errs[2].error_count, 0);
	assert_int_equal(fx_get_log(&fx, a, NVME_LOG_HEALTH_INFORMATION, 0, &h, sizeof(h)), 0);
	assert_int_equal(nvme_le128_get_sat(h.num_error_info_log_entries), 2);
	fx_fini(&fx);
	nvmf_drive_health_free(g_dh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_worst),          cmocka_unit_test(test_drive_cache),
	    cmocka_unit_test(test_drive_never_read),     cmocka_unit_test(test_errlog_ring),
	    cmocka_unit_test(test_log_pages_with_drive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
