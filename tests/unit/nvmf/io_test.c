/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of NVM I/O commands (nvmf/io.c) and the SMART counters. */
#include "fixture.h"

struct ix {
	struct fx fx;
	struct fx_qp *a;
	struct fx_qp *q;
	uint16_t cntlid;
};

static int setup(void **state)
{
	struct ix *ix = calloc(1, sizeof(*ix));

	fx_init(&ix->fx);
	fx_start(&ix->fx);
	ix->cntlid = fx_admin_up(&ix->fx, &ix->a, FX_SSNQN);
	ix->q = fx_io_up(&ix->fx, ix->cntlid, 1);
	*state = ix;
	return 0;
}

static int teardown(void **state)
{
	struct ix *ix = *state;

	fx_fini(&ix->fx);
	free(ix);
	return 0;
}

static void pattern(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

static void test_write_read_round_trip(void **state)
{
	struct ix *ix = *state;
	uint8_t w[4 * FX_BS], r[4 * FX_BS];

	pattern(w, sizeof(w), 3);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 10, 4, w, sizeof(w)), 0);
	assert_memory_equal(ix->fx.be->data + 10 * FX_BS, w, sizeof(w));
	memset(r, 0, sizeof(r));
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, 10, 4, r, sizeof(r)), 0);
	assert_memory_equal(r, w, sizeof(w));
	/* Last block of the namespace. */
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, FX_BLOCKS - 1, 1, r, FX_BS), 0);
}

static void test_errors(void **state)
{
	struct ix *ix = *state;
	uint8_t buf[4 * FX_BS];

	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, FX_BLOCKS - 1, 2, buf, 2 * FX_BS),
		      NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE);
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, UINT64_MAX, 1, buf, FX_BS),
		      NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE);
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, 0, 4, buf, 3 * FX_BS),
		      NVME_SCT_GENERIC, NVME_SC_DATA_SGL_LENGTH_INVALID);
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 0, 1, buf, 2 * FX_BS),
		      NVME_SCT_GENERIC, NVME_SC_DATA_SGL_LENGTH_INVALID);
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 2, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 0, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_status(fx_rw(&ix->fx, ix->q, 0x7e, 1, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_OPCODE);
	/* Over MDTS (128 KiB): 257 blocks of 512 B. */
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, 0, 257, buf, 257 * FX_BS),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	/* Backend refuses: internal error. */
	ix->fx.be->fail_next = -EIO;
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INTERNAL_DEVICE_ERROR);
}

static void test_busy_backend_retries(void **state)
{
	struct ix *ix = *state;
	uint8_t buf[FX_BS];

	pattern(buf, sizeof(buf), 9);
	ix->fx.be->fail_next = -EAGAIN;
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 3, 1, buf, FX_BS), 0);
	assert_memory_equal(ix->fx.be->data + 3 * FX_BS, buf, FX_BS);
}

static void test_fua_flush_zeroes(void **state)
{
	struct ix *ix = *state;
	uint8_t buf[2 * FX_BS];
	struct nvme_cmd cmd;

	pattern(buf, sizeof(buf), 1);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE;
	cmd.nsid = 1;
	nvme_cmd_set_lba_range(&cmd, 20, 2);
	cmd.cdw12 |= NVME_RW_FUA;
	assert_int_equal(fx_cmd(&ix->fx, ix->q, &cmd, buf, sizeof(buf), NVMF_XFER_H2C, NULL), 0);
	assert_int_equal(ix->fx.be->fua_writes, 1);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_FLUSH;
	cmd.nsid = 1;
	assert_int_equal(fx_cmd(&ix->fx, ix->q, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), 0);
	assert_int_equal(ix->fx.be->flushes, 1);
	cmd.nsid = NVME_NSID_ALL;
	assert_status(fx_cmd(&ix->fx, ix->q, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE_ZEROES;
	cmd.nsid = 1;
	nvme_cmd_set_lba_range(&cmd, 20, 2);
	assert_int_equal(fx_cmd(&ix->fx, ix->q, &cmd, NULL, 0, NVMF_XFER_NONE, NULL), 0);
	assert_true(nvmf_mem_is_zero(ix->fx.be->data + 20 * FX_BS, 2 * FX_BS));
	/* Write cache disabled: every write becomes FUA. */
	assert_int_equal(fx_admin(&ix->fx, ix->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_VOLATILE_WRITE_CACHE, 0, NULL, 0, NULL),
			 0);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 0, 1, buf, FX_BS), 0);
	assert_int_equal(ix->fx.be->fua_writes, 2);
}

static void test_dsm_deallocate(void **state)
{
	struct ix *ix = *state;
	struct nvme_dsm_range r[2];
	struct nvme_cmd cmd;

	memset(ix->fx.be->data, 0x5a, FX_BLOCKS * FX_BS);
	memset(r, 0, sizeof(r));
	r[0].slba = 4;
	r[0].length = 2;
	r[1].slba = 100;
	r[1].length = 1;
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_DATASET_MANAGEMENT;
	cmd.nsid = 1;
	cmd.cdw10 = 1; /* two ranges */
	cmd.cdw11 = NVME_DSM_ATTR_AD;
	assert_int_equal(fx_cmd(&ix->fx, ix->q, &cmd, r, sizeof(r), NVMF_XFER_H2C, NULL), 0);
	assert_int_equal(ix->fx.be->deallocs, 2);
	assert_true(nvmf_mem_is_zero(ix->fx.be->data + 4 * FX_BS, 2 * FX_BS));
	assert_true(nvmf_mem_is_zero(ix->fx.be->data + 100 * FX_BS, FX_BS));
	assert_int_equal(ix->fx.be->data[6 * FX_BS], 0x5a);
	/* Short range buffer; range out of the namespace. */
	assert_status(fx_cmd(&ix->fx, ix->q, &cmd, r, 16, NVMF_XFER_H2C, NULL), NVME_SCT_GENERIC,
		      NVME_SC_DATA_SGL_LENGTH_INVALID);
	r[1].slba = FX_BLOCKS;
	assert_status(fx_cmd(&ix->fx, ix->q, &cmd, r, sizeof(r), NVMF_XFER_H2C, NULL),
		      NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE);
	/* Without AD: advisory, nothing done. */
	cmd.cdw11 = 0;
	assert_int_equal(fx_cmd(&ix->fx, ix->q, &cmd, r, sizeof(r), NVMF_XFER_H2C, NULL), 0);
	assert_int_equal(ix->fx.be->deallocs, 2);
}

static void test_compare(void **state)
{
	struct ix *ix = *state;
	uint8_t buf[2 * FX_BS];

	pattern(buf, sizeof(buf), 77);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 30, 2, buf, sizeof(buf)), 0);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_COMPARE, 1, 30, 2, buf, sizeof(buf)), 0);
	buf[700] ^= 1;
	assert_status(fx_rw(&ix->fx, ix->q, NVME_OPC_COMPARE, 1, 30, 2, buf, sizeof(buf)),
		      NVME_SCT_MEDIA_ERROR, NVME_SC_COMPARE_FAILURE);
}

/* A transport added while running with a larger max_io_size grows every
 * group's Compare buffers first; a Compare still works, from the new pool,
 * and a transport that needs no more leaves them alone. */
static void test_transport_added_grows_compare(void **state)
{
	struct ix *ix = *state;
	struct nvmf_tgt *tgt = ix->fx.tgt;
	struct nvmf_transport_ops big_ops = fx_ops;
	struct nvmf_transport_opts o = ix->fx.topts;
	struct nvmf_poll_group *pg = tgt->groups[0];
	uint8_t buf[2 * FX_BS];

	assert_int_equal(pg->scratch_size, 131072);
	big_ops.name = "RDMA";
	big_ops.trtype = NVMF_TRTYPE_RDMA;
	o.trtype = NVMF_TRTYPE_RDMA;
	o.max_io_size = 1024 * 1024;
	assert_int_equal(nvmf_tgt_add_transport_ops(tgt, &big_ops, &o), 0);
	fx_poll(&ix->fx, 5);
	assert_int_equal(pg->scratch_size, 1024 * 1024);
	assert_int_equal(pg->nold_scratch, 1);
	assert_int_equal(env_pool_avail(pg->scratch), NVMF_SCRATCH_PER_GROUP);
	pattern(buf, sizeof(buf), 78);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 30, 2, buf, sizeof(buf)), 0);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_COMPARE, 1, 30, 2, buf, sizeof(buf)), 0);
	assert_int_equal(env_pool_avail(pg->scratch), NVMF_SCRATCH_PER_GROUP);
	assert_int_equal(env_pool_avail(pg->old_scratch[0]), NVMF_SCRATCH_PER_GROUP);
	/* No larger than what the groups hold now: nothing to grow. */
	assert_int_equal(nvmf_tgt_runtime_scratch_fit(tgt, 1024 * 1024), 0);
	assert_int_equal(nvmf_tgt_runtime_scratch_fit(tgt, 65536), 0);
	fx_poll(&ix->fx, 5);
	assert_int_equal(pg->nold_scratch, 1);
	assert_int_equal(pg->scratch_size, 1024 * 1024);
}

static void test_smart_counters(void **state)
{
	struct ix *ix = *state;
	static uint8_t big[64 * 1024];
	struct nvme_health_log h;
	uint8_t part[16];

	/* 3 writes of 64 KiB (384 units of 512 B -> 1 data unit, rounded up). */
	for (int i = 0; i < 3; i++)
		assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 0, 128, big, sizeof(big)),
				 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_READ, 1, 0, 128, big, sizeof(big)),
				 0);
	assert_int_equal(fx_get_log(&ix->fx, ix->a, NVME_LOG_HEALTH_INFORMATION, 0, &h, sizeof(h)),
			 0);
	assert_int_equal(nvme_le128_get_sat(h.host_write_commands), 3);
	assert_int_equal(nvme_le128_get_sat(h.host_read_commands), 2);
	assert_int_equal(nvme_le128_get_sat(h.data_units_written), 1);
	assert_int_equal(nvme_le128_get_sat(h.data_units_read), 1);
	assert_int_equal(h.temperature, 293);
	assert_int_equal(h.available_spare, 100);
	/* 16 more writes of 64 KiB: 19 x 128 = 2432 units -> 3 data units. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 0, 128, big, sizeof(big)),
				 0);
	/* Read at an offset: data units written is at byte 48. */
	assert_int_equal(
	    fx_get_log(&ix->fx, ix->a, NVME_LOG_HEALTH_INFORMATION, 48, part, sizeof(part)), 0);
	assert_int_equal(nvme_le128_get_sat(part), 3);
}

static void test_io_queue_dropped_on_teardown(void **state)
{
	struct ix *ix = *state;

	assert_int_equal(nvmf_subsystem_destroy(ix->fx.ss), 0);
	fx_poll(&ix->fx, 10);
	assert_true(ix->q->freed);
	assert_true(ix->a->freed);
	assert_null(nvmf_subsystem_find(ix->fx.tgt, FX_SSNQN));
}

static struct nvmf_request *read_cmd(struct ix *ix, uint8_t opc, uint32_t nsid, uint64_t slba,
				     uint32_t nlb, void *buf, uint32_t len)
{
	struct nvmf_request *req;
	struct nvme_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = nsid;
	nvme_cmd_set_lba_range(&cmd, slba, nlb);
	req = fx_submit_cmd(ix->q, &cmd, buf, len, NVMF_XFER_C2H);
	for (double end = fx_now() + FX_WAIT_SECONDS; !fx_req_done(ix->q, req) && fx_now() < end;)
		fx_poll(&ix->fx, 1);
	assert_true(fx_req_done(ix->q, req));
	return req;
}

/* A Read on a backend with read_span, for a transport that sends from any
 * memory, points the request at the backend's bytes and copies nothing;
 * other backends, other commands and other transports still fill iov[]. */
static void test_read_in_place(void **state)
{
	struct ix *ix = *state;
	struct nvmf_backend *ram = NULL;
	struct nvmf_ns_opts o = {.nsid = 2};
	static uint8_t w[2 * 4096], r[2 * 4096];
	struct nvmf_request *req;
	struct nvme_health_log h;

	assert_int_equal(nvmf_backend_ram_new("ram2", 64 * 4096, 4096, &ram), 0);
	assert_int_equal(nvmf_tgt_backend_register(ix->fx.tgt, ram), 0);
	assert_int_equal(nvmf_subsystem_add_ns(ix->fx.ss, "ram2", &o), 2);
	pattern(w, sizeof(w), 5);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 2, 3, 2, w, sizeof(w)), 0);

	ix->q->c2h_any = true;
	memset(r, 0xee, sizeof(r));
	req = read_cmd(ix, NVME_OPC_READ, 2, 3, 2, r, sizeof(r));
	assert_int_equal(nvme_cpl_get_status(&req->cpl), 0);
	assert_non_null(req->c2h_iov);
	assert_int_equal(req->c2h_iovcnt, 1);
	assert_int_equal(req->c2h_iov[0].iov_len, sizeof(w));
	assert_memory_equal(req->c2h_iov[0].iov_base, w, sizeof(w));
	assert_int_equal(r[0], 0xee);
	assert_int_equal(r[sizeof(r) - 1], 0xee);
	/* Out of range: an error, nothing to send. */
	req = read_cmd(ix, NVME_OPC_READ, 2, 63, 2, r, sizeof(r));
	assert_status(nvme_cpl_get_status(&req->cpl), NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE);
	assert_null(req->c2h_iov);
	/* Compare reads into scratch through submit(). */
	req = read_cmd(ix, NVME_OPC_COMPARE, 2, 3, 2, w, sizeof(w));
	assert_int_equal(nvme_cpl_get_status(&req->cpl), 0);
	assert_null(req->c2h_iov);
	/* The test backend has no read_span: the data is copied into iov[]. */
	req = read_cmd(ix, NVME_OPC_READ, 1, 0, 1, r, FX_BS);
	assert_int_equal(nvme_cpl_get_status(&req->cpl), 0);
	assert_null(req->c2h_iov);
	assert_memory_equal(r, ix->fx.be->data, FX_BS);
	/* A transport that needs its own buffers gets the data there. */
	ix->q->c2h_any = false;
	memset(r, 0xee, sizeof(r));
	req = read_cmd(ix, NVME_OPC_READ, 2, 3, 2, r, sizeof(r));
	assert_int_equal(nvme_cpl_get_status(&req->cpl), 0);
	assert_null(req->c2h_iov);
	assert_memory_equal(r, w, sizeof(w));
	/* Reads done in place count in SMART like the others. */
	assert_int_equal(fx_get_log(&ix->fx, ix->a, NVME_LOG_HEALTH_INFORMATION, 0, &h, sizeof(h)),
			 0);
	assert_int_equal(nvme_le128_get_sat(h.host_read_commands), 4);
}

/* Poll the main core until backend slot @id is free (or the deadline). */
static bool slot_freed(struct ix *ix, uint32_t id)
{
	for (double end = fx_now() + FX_WAIT_SECONDS;
	     ix->fx.tgt->backend_by_id[id] != NULL && fx_now() < end;)
		fx_poll(&ix->fx, 1);
	return ix->fx.tgt->backend_by_id[id] == NULL;
}

/* A backend deleted while the target runs is freed only once nothing holds
 * its channel: a read served in place keeps the backend's memory until the
 * transport releases it; a backend no group opened goes at once. */
static void test_delete_while_read_in_place(void **state)
{
	struct ix *ix = *state;
	struct nvmf_tgt *tgt = ix->fx.tgt;
	struct nvmf_backend *ram = NULL, *idle = NULL;
	struct nvmf_ns_opts o = {.nsid = 2};
	static uint8_t w[4096], r[4096];
	struct nvmf_request *req;
	uint32_t id;

	assert_int_equal(nvmf_backend_ram_new("ram2", 16 * 4096, 4096, &ram), 0);
	assert_int_equal(nvmf_tgt_backend_register(tgt, ram), 0);
	id = ram->id;
	assert_int_equal(nvmf_subsystem_add_ns(ix->fx.ss, "ram2", &o), 2);
	pattern(w, sizeof(w), 9);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 2, 1, 1, w, sizeof(w)), 0);
	ix->q->c2h_any = true;
	req = read_cmd(ix, NVME_OPC_READ, 2, 1, 1, r, sizeof(r));
	assert_non_null(req->c2h_iov);
	assert_int_equal(nvmf_backend_delete(tgt, "ram2"), -EBUSY);
	assert_int_equal(nvmf_subsystem_remove_ns(ix->fx.ss, 2), 0);
	assert_int_equal(nvmf_backend_delete(tgt, "ram2"), 0);
	assert_null(nvmf_backend_find(tgt, "ram2"));
	assert_int_equal(nvmf_backend_delete(tgt, "ram2"), -ENOENT);
	/* Not yet sent by the transport: the bytes must still be readable. */
	fx_poll(&ix->fx, 50);
	assert_ptr_equal(tgt->backend_by_id[id], ram);
	assert_memory_equal(req->c2h_iov[0].iov_base, w, sizeof(w));
	/* Its name is free already. */
	assert_int_equal(nvmf_backend_ram_create(tgt, "ram2", 4096, 4096), 0);
	tgt->up.c2h_release(req);
	req->c2h_iov = NULL;
	assert_true(slot_freed(ix, id));
	/* Never opened by a group: freed by the first poll's messages. */
	assert_int_equal(nvmf_backend_ram_new("idle", 4096, 4096, &idle), 0);
	assert_int_equal(nvmf_tgt_backend_register(tgt, idle), 0);
	id = idle->id;
	assert_int_equal(nvmf_backend_delete(tgt, "idle"), 0);
	assert_true(slot_freed(ix, id));
}

/* Lent host data (a transport's receive buffer) is used in place only by
 * an I/O-queue Write that a sync_data backend finishes inside exec();
 * everything that holds it longer asks the transport to keep it first. */
static void test_write_lent_data(void **state)
{
	struct ix *ix = *state;
	uint8_t w[2 * FX_BS];
	struct nvme_cmd cmd;

	ix->q->lend = true;
	ix->a->lend = true;
	pattern(w, sizeof(w), 11);
	/* The test backend does not say sync_data: kept before submit. */
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 20, 2, w, sizeof(w)), 0);
	assert_int_equal(ix->q->keeps, 1);
	assert_memory_equal(ix->fx.be->data + 20 * FX_BS, w, sizeof(w));
	/* sync_data: used in place, never copied. */
	ix->fx.be->base.sync_data = true;
	pattern(w, sizeof(w), 12);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 20, 2, w, sizeof(w)), 0);
	assert_int_equal(ix->q->keeps, 1);
	assert_memory_equal(ix->fx.be->data + 20 * FX_BS, w, sizeof(w));
	/* Parked (the backend is busy): kept, then written on the retry. */
	ix->fx.be->fail_next = -EAGAIN;
	pattern(w, sizeof(w), 13);
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_WRITE, 1, 20, 2, w, sizeof(w)), 0);
	assert_int_equal(ix->q->keeps, 2);
	assert_memory_equal(ix->fx.be->data + 20 * FX_BS, w, sizeof(w));
	/* Not a Write, or not an I/O queue: kept at once. */
	assert_int_equal(fx_rw(&ix->fx, ix->q, NVME_OPC_COMPARE, 1, 20, 2, w, sizeof(w)), 0);
	assert_int_equal(ix->q->keeps, 3);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_WRITE; /* opcode 01h on the admin queue is not a Write */
	assert_true(fx_cmd(&ix->fx, ix->a, &cmd, w, FX_BS, NVMF_XFER_H2C, NULL) != 0);
	assert_int_equal(ix->a->keeps, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_read_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_busy_backend_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fua_flush_zeroes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dsm_deallocate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_compare, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transport_added_grows_compare, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_smart_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_while_read_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_lent_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_io_queue_dropped_on_teardown, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
