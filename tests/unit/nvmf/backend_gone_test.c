/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of a backend whose device is gone (nvmf/backend_gone.c and
 * the -ENODEV status in nvmf/io.c): its namespaces leave the subsystem,
 * hosts get Namespace Attribute Changed, its failed I/O is a path error,
 * and the other namespaces keep serving.
 */
#include "fixture.h"

struct gx {
	struct fx fx;
	struct fx_qp *a;
	struct fx_qp *q;
	struct fx_backend *other;
};

static int setup(void **state)
{
	struct gx *gx = calloc(1, sizeof(*gx));
	struct nvmf_ns_opts o = {.nsid = 2};
	uint16_t cntlid;

	fx_init(&gx->fx);
	gx->other = fx_backend_add(gx->fx.tgt, "ram2", FX_BLOCKS, FX_BS, false);
	assert_int_equal(nvmf_subsystem_add_ns(gx->fx.ss, "ram2", &o), 2);
	fx_start(&gx->fx);
	cntlid = fx_admin_up(&gx->fx, &gx->a, FX_SSNQN);
	gx->q = fx_io_up(&gx->fx, cntlid, 1);
	*state = gx;
	return 0;
}

static int teardown(void **state)
{
	struct gx *gx = *state;

	fx_fini(&gx->fx);
	free(gx);
	return 0;
}

static bool is_backend(const struct nvmf_backend *b, const void *key)
{
	return b == key;
}

static void test_gone_io_is_path_error(void **state)
{
	struct gx *gx = *state;
	uint8_t buf[FX_BS];
	uint16_t st;

	gx->fx.be->fail_next = -ENODEV;
	st = fx_rw(&gx->fx, gx->q, NVME_OPC_READ, 1, 0, 1, buf, FX_BS);
	assert_status(st, NVME_SCT_PATH, NVME_SC_INTERNAL_PATH_ERROR);
	assert_int_equal(st & NVME_STATUS_DNR, 0); /* another path may serve it */
}

static void test_gone_removes_its_namespaces_only(void **state)
{
	struct gx *gx = *state;
	struct nvmf_request *aer;
	uint8_t buf[FX_BS];
	struct nvme_cmd cmd;

	assert_int_equal(fx_admin(&gx->fx, gx->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_NS_ATTR, NULL, 0, NULL),
			 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	aer = fx_submit_cmd(gx->a, &cmd, NULL, 0, NVMF_XFER_NONE);
	fx_poll(&gx->fx, 2);
	assert_false(fx_req_done(gx->a, aer));
	assert_int_equal(nvmf_backends_gone(gx->fx.tgt, is_backend, &gx->fx.be->base), 0);
	fx_poll(&gx->fx, 4);
	assert_null(nvmf_ss_ns(gx->fx.ss, 1));
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
	assert_true(fx_req_done(gx->a, aer));
	assert_int_equal(NVME_ASYNC_EVENT_TYPE(aer->cpl.cdw0), NVME_AER_TYPE_NOTICE);
	assert_int_equal(NVME_ASYNC_EVENT_INFO(aer->cpl.cdw0), NVME_AER_NOTICE_NS_ATTR_CHANGED);
	assert_int_equal(NVME_ASYNC_EVENT_LID(aer->cpl.cdw0), NVME_LOG_CHANGED_NS_LIST);
	assert_status(fx_rw(&gx->fx, gx->q, NVME_OPC_READ, 1, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_int_equal(fx_rw(&gx->fx, gx->q, NVME_OPC_WRITE, 2, 0, 1, buf, FX_BS), 0);
	/* Said again: nothing left to remove, the other stays. */
	assert_int_equal(nvmf_backends_gone(gx->fx.tgt, is_backend, &gx->fx.be->base), 0);
	fx_poll(&gx->fx, 4);
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_gone_io_is_path_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gone_removes_its_namespaces_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
