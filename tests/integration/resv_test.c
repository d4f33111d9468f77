/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resv_test.c - NVMe reservations against a child nvmf_tgt on 127.0.0.1,
 * through the host driver (include/nvme.h): two hosts (controllers with
 * different host identifiers) and a second controller of the first host.
 * Register, Acquire, Preempt, Release, Report (with and without the
 * extended data structure), conflicts on Read / Write / Flush, the
 * Reservation Notification log and its AEN, features 81h-83h, Identify,
 * and a Persist Through Power Loss reservation that survives a restart of
 * the target.
 *
 * The binary: $NVMF_TGT_BIN, else build/bin/nvmf_tgt. The port:
 * $NVMF_TEST_PORT, else 26000 + pid % 1000.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "nvme.h"
#include "tests/integration/host_env.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:resv"
#define ST_CONFLICT NVME_STATUS_GENERIC(NVME_SC_RESERVATION_CONFLICT)
#define STATUS_OF(cpl) ((uint16_t)(nvme_cpl_get_status(cpl) & ~NVME_STATUS_DNR))

static struct tgt_child g_tgt;
static char g_dir[64];
static char g_conf[1024];

static const uint8_t HOST_A[16] = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t HOST_B[16] = {0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct host {
	struct nvme_ctrlr *c;
	struct nvme_qpair *q;
	void *buf; /* DMA-able, 4 KiB */
};

static int setup(void **state)
{
	const char *port = getenv("NVMF_TEST_PORT");

	(void)state;
	g_tgt.port = port ? atoi(port) : 26000 + getpid() % 1000;
	snprintf(g_dir, sizeof(g_dir), "/tmp/resv_itest.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	snprintf(g_conf, sizeof(g_conf),
		 "[Global]\n  ReactorMask 0x1\n  LogLevel notice\n  ReservationDir %s/state\n"
		 "[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name ram0\n  Size 16M\n  BlockSize 512\n"
		 "[Subsystem]\n  NQN " NQN "\n  SN NVMFTGTRESV\n"
		 "  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n  Namespace ram0 1\n",
		 g_dir, g_tgt.port);
	return host_env_start(&g_tgt, "resv_test", g_conf);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	tgt_child_stop(&g_tgt);
	env_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void host_connect(struct host *h, const uint8_t *hostid, char tag)
{
	struct nvme_ctrlr_opts o;
	struct nvme_trid t;
	char s[256];

	snprintf(s, sizeof(s), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN, g_tgt.port);
	assert_int_equal(nvme_trid_parse(s, &t), 0);
	nvme_ctrlr_opts_init(&o);
	o.timeout_ms = 5000;
	memcpy(o.hostid, hostid, 16);
	snprintf(o.hostnqn, sizeof(o.hostnqn), "nqn.2014-08.org.nvmexpress:uuid:%c-resv-test", tag);
	assert_int_equal(nvme_ctrlr_connect(&t, &o, &h->c), 0);
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(h->c, NULL, &h->q), 0);
	h->buf = env_dma_zalloc(4096, 4096);
	assert_non_null(h->buf);
}

static void host_close(struct host *h)
{
	env_dma_free(h->buf);
	nvme_ctrlr_free_io_qpair(h->q);
	nvme_ctrlr_disconnect(h->c);
}

static void done_cb(void *arg, const struct nvme_cpl *cpl)
{
	struct nvme_cpl *out = arg;

	*out = *cpl;
	out->cid = 0xffff; /* done */
}

/* Run @cmd on @h's I/O queue with @len bytes of h->buf. @return the status (no DNR). */
static uint16_t io_sync(struct host *h, struct nvme_cmd *cmd, uint32_t len)
{
	struct nvme_cpl cpl = {.cid = 0};

	cmd->nsid = 1;
	assert_int_equal(nvme_qpair_submit_raw(h->q, cmd, len ? h->buf : NULL, len, done_cb, &cpl),
			 0);
	for (int i = 0; i < 500000 && cpl.cid != 0xffff; i++) {
		assert_true(nvme_qpair_poll(h->q, 0) >= 0);
		nvme_ctrlr_poll_admin(h->c);
		if (i > 1000)
			usleep(10);
	}
	assert_int_equal(cpl.cid, 0xffff);
	return STATUS_OF(&cpl);
}

static uint16_t resv(struct host *h, uint8_t opc, uint32_t cdw10, uint64_t k1, uint64_t k2)
{
	struct nvme_cmd cmd = {.opc = opc, .cdw10 = cdw10};

	memcpy(h->buf, &k1, 8);
	memcpy((uint8_t *)h->buf + 8, &k2, 8);
	return io_sync(h, &cmd, opc == NVME_OPC_RESERVATION_RELEASE ? 8 : 16);
}

static uint16_t rw(struct host *h, uint8_t opc)
{
	struct nvme_cmd cmd = {.opc = opc};

	return io_sync(h, &cmd, opc == NVME_OPC_FLUSH ? 0 : 512);
}

static uint16_t report(struct host *h, bool eds, struct nvme_resv_status_ext *hdr,
		       struct nvme_resv_ctrl_ext *e, int n)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_RESERVATION_REPORT,
			       .cdw10 = 4096 / 4 - 1,
			       .cdw11 = eds ? NVME_RESV_REPORT_EDS : 0};
	uint16_t st;

	memset(h->buf, 0, 4096);
	st = io_sync(h, &cmd, 4096);
	memcpy(hdr, h->buf, sizeof(*hdr));
	memcpy(e, (uint8_t *)h->buf + 64, (size_t)n * sizeof(*e));
	return st;
}

static uint32_t rtype_cdw10(uint8_t action, uint8_t rtype)
{
	return action | (uint32_t)rtype << NVME_RESV_RTYPE_SHIFT;
}

static uint16_t get_feature(struct host *h, uint8_t fid, uint32_t nsid, uint32_t cdw11,
			    uint32_t *cdw0, void *buf, uint32_t len)
{
	struct nvme_cmd cmd = {
	    .opc = NVME_OPC_GET_FEATURES, .nsid = nsid, .cdw10 = fid, .cdw11 = cdw11};
	struct nvme_cpl cpl;

	assert_int_equal(nvme_ctrlr_admin_sync(h->c, &cmd, buf, len, &cpl), 0);
	*cdw0 = cpl.cdw0;
	return STATUS_OF(&cpl);
}

static void test_identify_features(void **state)
{
	struct host a;
	uint8_t hostid[16];
	uint32_t v;

	(void)state;
	host_connect(&a, HOST_A, 'a');
	assert_true(nvme_ctrlr_id(a.c)->oncs & NVME_CTRL_ONCS_RESERVATIONS);
	assert_int_equal(nvme_ns_id(nvme_ctrlr_ns(a.c, 1))->rescap, 0xff);
	assert_int_equal(
	    get_feature(&a, NVME_FEAT_HOST_IDENTIFIER, 0, NVME_FEAT_HOSTID_EXHID, &v, hostid, 16),
	    0);
	assert_memory_equal(hostid, HOST_A, 16);
	assert_int_equal(get_feature(&a, NVME_FEAT_RESERVATION_PERSISTENCE, 1, 0, &v, NULL, 0), 0);
	assert_int_equal(v, 0);
	host_close(&a);
}

static void test_two_hosts(void **state)
{
	struct host a, a2, b;
	struct nvme_resv_status_ext hdr;
	struct nvme_resv_ctrl_ext e[4];

	(void)state;
	host_connect(&a, HOST_A, 'a');
	host_connect(&a2, HOST_A, 'a'); /* the same host: its registration too */
	host_connect(&b, HOST_B, 'b');
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xa1),
			 0);
	assert_int_equal(resv(&a2, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xa1),
			 0);
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xb1),
			 0);
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_ACQUIRE,
			      rtype_cdw10(NVME_RESV_ACQUIRE, NVME_RESV_WRITE_EXCLUSIVE), 0xa1, 0),
			 ST_CONFLICT); /* not B's key */
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_ACQUIRE,
			      rtype_cdw10(NVME_RESV_ACQUIRE, NVME_RESV_WRITE_EXCLUSIVE), 0xa1, 0),
			 0);
	/* Write Exclusive: B reads, B may not write or flush; A's controllers may. */
	assert_int_equal(rw(&b, NVME_OPC_READ), 0);
	assert_int_equal(rw(&b, NVME_OPC_WRITE), ST_CONFLICT);
	assert_int_equal(rw(&b, NVME_OPC_FLUSH), ST_CONFLICT);
	assert_int_equal(rw(&a, NVME_OPC_WRITE), 0);
	assert_int_equal(rw(&a2, NVME_OPC_WRITE), 0);
	/* Report: EDS needed for 128-bit host identifiers. */
	assert_int_equal(report(&b, false, &hdr, e, 4),
			 NVME_STATUS_GENERIC(NVME_SC_HOSTID_INCONSISTENT_FORMAT));
	assert_int_equal(report(&b, true, &hdr, e, 4), 0);
	assert_int_equal(hdr.rtype, NVME_RESV_WRITE_EXCLUSIVE);
	assert_int_equal(hdr.regctl, 3); /* A's two controllers, B's one */
	assert_int_equal(hdr.gen, 2);
	for (int i = 0; i < 3; i++)
		assert_int_equal(e[i].rcsts, memcmp(e[i].hostid, HOST_A, 16) == 0 ? 1 : 0);
	/* B preempts A and takes Exclusive Access: A is out, even for reads. */
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_ACQUIRE,
			      rtype_cdw10(NVME_RESV_PREEMPT, NVME_RESV_EXCLUSIVE_ACCESS), 0xb1,
			      0xa1),
			 0);
	assert_int_equal(rw(&a, NVME_OPC_READ), ST_CONFLICT);
	assert_int_equal(rw(&a2, NVME_OPC_WRITE), ST_CONFLICT);
	assert_int_equal(rw(&b, NVME_OPC_WRITE), 0);
	assert_int_equal(report(&a, true, &hdr, e, 4), 0);
	assert_int_equal(hdr.regctl, 1);
	assert_memory_equal(e[0].hostid, HOST_B, 16);
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_RELEASE,
			      rtype_cdw10(NVME_RESV_RELEASE, NVME_RESV_EXCLUSIVE_ACCESS), 0xa1, 0),
			 ST_CONFLICT); /* no longer registered */
	/* Clear: all gone, A writes again. */
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_CLEAR, 0xb1, 0), 0);
	assert_int_equal(rw(&a, NVME_OPC_WRITE), 0);
	host_close(&b);
	host_close(&a2);
	host_close(&a);
}

static void test_notice_log(void **state)
{
	struct host a, b;
	struct nvme_resv_notification_log log;
	struct nvme_cmd glp = {.opc = NVME_OPC_GET_LOG_PAGE,
			       .nsid = NVME_NSID_ALL,
			       .cdw10 = NVME_LOG_RESERVATION_NOTIFICATION | (64 / 4 - 1) << 16};
	struct nvme_cpl cpl;

	(void)state;
	host_connect(&a, HOST_A, 'a');
	host_connect(&b, HOST_B, 'b');
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xa2),
			 0);
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xb2),
			 0);
	/* B preempts A's registration: A's controller gets a log page. */
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_ACQUIRE,
			      rtype_cdw10(NVME_RESV_PREEMPT, NVME_RESV_WRITE_EXCLUSIVE), 0xb2,
			      0xa2),
			 0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(nvme_ctrlr_admin_sync(a.c, &glp, &log, sizeof(log), &cpl), 0);
		if (log.type != 0)
			break;
		usleep(10000);
	}
	assert_int_equal(log.type, NVME_RESV_NOTIFY_REGISTRATION_PREEMPTED);
	assert_int_equal(log.nsid, 1);
	assert_true(log.log_page_count >= 1);
	/* Read: the queue is empty now. */
	assert_int_equal(nvme_ctrlr_admin_sync(a.c, &glp, &log, sizeof(log), &cpl), 0);
	assert_int_equal(log.type, 0);
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_CLEAR, 0xb2, 0), 0);
	host_close(&b);
	host_close(&a);
}

static void test_ptpl_restart(void **state)
{
	struct host a, b;
	struct nvme_resv_status_ext hdr;
	struct nvme_resv_ctrl_ext e[2];
	uint32_t v;

	(void)state;
	host_connect(&a, HOST_A, 'a');
	host_connect(&b, HOST_B, 'b');
	/* CPTPL 11b: persist through power loss. */
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_REGISTER,
			      NVME_RESV_REGISTER_KEY | 3u << NVME_RESV_CPTPL_SHIFT, 0, 0xa3),
			 0);
	assert_int_equal(resv(&b, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, 0xb3),
			 0);
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_ACQUIRE,
			      rtype_cdw10(NVME_RESV_ACQUIRE, NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY),
			      0xa3, 0),
			 0);
	assert_int_equal(get_feature(&a, NVME_FEAT_RESERVATION_PERSISTENCE, 1, 0, &v, NULL, 0), 0);
	assert_int_equal(v, NVME_FEAT_RESV_PTPL);
	host_close(&b);
	host_close(&a);

	assert_int_equal(tgt_child_stop(&g_tgt), 0);
	assert_int_equal(tgt_child_write_conf(&g_tgt, g_conf), 0);
	assert_int_equal(tgt_child_start(&g_tgt), 0);

	host_connect(&a, HOST_A, 'a');
	host_connect(&b, HOST_B, 'b');
	assert_int_equal(report(&b, true, &hdr, e, 2), 0);
	assert_int_equal(hdr.rtype, NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY);
	assert_int_equal(hdr.ptpls, 1);
	assert_int_equal(hdr.regctl, 2);
	/* Registrants still pass, and the holder's key still works. */
	assert_int_equal(rw(&b, NVME_OPC_WRITE), 0);
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_RELEASE,
			      rtype_cdw10(NVME_RESV_RELEASE, NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY),
			      0xa3, 0),
			 0);
	assert_int_equal(resv(&a, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_CLEAR, 0xa3, 0), 0);
	host_close(&b);
	host_close(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identify_features),
	    cmocka_unit_test(test_two_hosts),
	    cmocka_unit_test(test_notice_log),
	    cmocka_unit_test(test_ptpl_restart),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
