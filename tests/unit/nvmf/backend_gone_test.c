/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of a backend whose device is gone (nvmf/backend_gone.c and
 * the -ENODEV status in nvmf/io.c): its namespaces leave the subsystem,
 * hosts get Namespace Attribute Changed, its failed I/O is a path error,
 * and the other namespaces keep serving. Re-attach: the backend is
 * deleted, the device is looked for on the (fake env's) PCI bus once a
 * second, attached again once it is back and bound to a userspace driver,
 * and its namespace returns with its NSID and identifiers. A local drive
 * that sees no I/O (no queue pair polls it) is still found gone, by the
 * main group's timer, and its namespace leaves once.
 */
#include "env/fake/env_fake.h"
#include "fixture.h"
#include "nvme/pcie/pcie_internal.h"
#include "nvmf/backend_nvme.h"

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

static uint8_t *g_sim_bar; /* registers of the simulated drive, when a test has one */

static int teardown(void **state)
{
	struct gx *gx = *state;

	fx_fini(&gx->fx);
	free(g_sim_bar);
	g_sim_bar = NULL;
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

/* Ask for Namespace Attribute Changed events: an AER the target keeps. */
static struct nvmf_request *aer_arm(struct gx *gx)
{
	struct nvmf_request *aer;
	struct nvme_cmd cmd;

	assert_int_equal(fx_admin(&gx->fx, gx->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_NS_ATTR, NULL, 0, NULL),
			 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_ASYNC_EVENT_REQUEST;
	aer = fx_submit_cmd(gx->a, &cmd, NULL, 0, NVMF_XFER_NONE);
	fx_poll(&gx->fx, 2);
	assert_false(fx_req_done(gx->a, aer));
	return aer;
}

static void assert_ns_changed(struct gx *gx, struct nvmf_request *aer)
{
	assert_true(fx_req_done(gx->a, aer));
	assert_int_equal(NVME_ASYNC_EVENT_TYPE(aer->cpl.cdw0), NVME_AER_TYPE_NOTICE);
	assert_int_equal(NVME_ASYNC_EVENT_INFO(aer->cpl.cdw0), NVME_AER_NOTICE_NS_ATTR_CHANGED);
	assert_int_equal(NVME_ASYNC_EVENT_LID(aer->cpl.cdw0), NVME_LOG_CHANGED_NS_LIST);
}

/* The event names NSID 1; reading the log also unmasks the next one. */
static void assert_ns1_listed(struct gx *gx)
{
	uint32_t list[1024];

	assert_int_equal(fx_get_log(&gx->fx, gx->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 1);
	assert_int_equal(list[1], 0);
}

static void test_gone_removes_its_namespaces_only(void **state)
{
	struct gx *gx = *state;
	struct nvmf_request *aer = aer_arm(gx);
	uint8_t buf[FX_BS];

	assert_int_equal(nvmf_backends_gone(gx->fx.tgt, is_backend, &gx->fx.be->base), 0);
	fx_poll(&gx->fx, 4);
	assert_null(nvmf_ss_ns(gx->fx.ss, 1));
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
	assert_ns_changed(gx, aer);
	assert_status(fx_rw(&gx->fx, gx->q, NVME_OPC_READ, 1, 0, 1, buf, FX_BS), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_NAMESPACE_OR_FORMAT);
	assert_int_equal(fx_rw(&gx->fx, gx->q, NVME_OPC_WRITE, 2, 0, 1, buf, FX_BS), 0);
	/* Said again: nothing left to remove, the other stays. */
	assert_int_equal(nvmf_backends_gone(gx->fx.tgt, is_backend, &gx->fx.be->base), 0);
	fx_poll(&gx->fx, 4);
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
}

/* ------------------------------------------------------------ re-attach */

#define RA_ADDR "0000:00:10.0"

/* The device of backend "ram0", as the re-attach ops see it. */
static struct {
	int attaches;
	int refuse; /* the next attach fails with this */
	int frees;
} g_dev;

static bool ra_present(void *ctx)
{
	return nvmf_bnvme_present(ctx);
}

static int ra_attach(struct nvmf_tgt *tgt, void *ctx)
{
	assert_string_equal(ctx, RA_ADDR);
	g_dev.attaches++;
	if (g_dev.refuse != 0) {
		int rc = g_dev.refuse;

		g_dev.refuse = 0;
		return rc;
	}
	fx_backend_add(tgt, "ram0", FX_BLOCKS, FX_BS, true);
	return 0;
}

static void ra_free(void *ctx)
{
	assert_string_equal(ctx, RA_ADDR);
	g_dev.frees++;
}

static const struct nvmf_reattach_ops ra_ops = {
    .present = ra_present,
    .attach = ra_attach,
    .free = ra_free,
};

/* Put the device on the fake bus, bound to @driver ("" : none; NULL: off the bus). */
static void bus_set(const char *driver)
{
	struct env_pci_info info = {.vendor_id = 0x1b36, .class_code = NVMF_BNVME_PCI_CLASS};

	assert_int_equal(env_pci_addr_parse(RA_ADDR, &info.addr), 0);
	if (driver != NULL)
		snprintf(info.driver, sizeof(info.driver), "%s", driver);
	assert_int_equal(env_fake_pci_set(&info, driver != NULL), 0);
}

/* A second later (the re-attach timer's period), a few polls. */
static void second_later(struct gx *gx)
{
	env_fake_clock_advance(1100ull * 1000 * 1000);
	fx_poll(&gx->fx, 4);
}

/* ram0's device goes (off the bus), to be waited for with ra_ops. */
static void ram0_gone(struct gx *gx)
{
	memset(&g_dev, 0, sizeof(g_dev));
	bus_set(NULL);
	assert_int_equal(
	    nvmf_backends_gone_reattach(gx->fx.tgt, is_backend, &gx->fx.be->base, &ra_ops, RA_ADDR),
	    0);
	fx_poll(&gx->fx, 4);
}

static enum nvmf_reattach_state ra_state(struct gx *gx)
{
	struct nvmf_reattach *ra = TAILQ_FIRST(&gx->fx.tgt->reattach);

	assert_non_null(ra);
	assert_null(TAILQ_NEXT(ra, link));
	return ra->state;
}

static void test_reattach(void **state)
{
	struct gx *gx = *state;
	struct nvmf_request *aer = aer_arm(gx);
	struct nvmf_ns before = *nvmf_ss_ns(gx->fx.ss, 1);
	uint8_t buf[FX_BS], back[FX_BS];
	struct nvmf_ns *ns;

	/* Gone: the namespace leaves, the backend is deleted, the device let go. */
	ram0_gone(gx);
	assert_null(nvmf_ss_ns(gx->fx.ss, 1));
	assert_ns_changed(gx, aer);
	assert_ns1_listed(gx);
	assert_int_equal(ra_state(gx), NVMF_REATTACH_RELEASING);
	second_later(gx);
	second_later(gx);
	assert_null(nvmf_backend_find(gx->fx.tgt, "ram0"));
	assert_true(TAILQ_EMPTY(&gx->fx.tgt->deleting));
	assert_int_equal(ra_state(gx), NVMF_REATTACH_WAITING);
	/* Off the bus, then back but held by the kernel's driver: not attached. */
	second_later(gx);
	bus_set("nvme");
	second_later(gx);
	assert_int_equal(g_dev.attaches, 0);
	assert_int_equal(ra_state(gx), NVMF_REATTACH_WAITING);
	/* Bound to a userspace driver: attached; a failed attach is tried again. */
	aer = aer_arm(gx);
	bus_set("uio_pci_generic");
	g_dev.refuse = -EBUSY;
	second_later(gx);
	assert_int_equal(g_dev.attaches, 1);
	assert_int_equal(ra_state(gx), NVMF_REATTACH_WAITING);
	assert_null(nvmf_ss_ns(gx->fx.ss, 1));
	second_later(gx);
	assert_int_equal(g_dev.attaches, 2);
	assert_true(TAILQ_EMPTY(&gx->fx.tgt->reattach));
	assert_int_equal(g_dev.frees, 1);
	/* Back where it was, with its identifiers; hosts are told. */
	ns = nvmf_ss_ns(gx->fx.ss, 1);
	assert_non_null(ns);
	assert_string_equal(ns->backend->name, "ram0");
	assert_memory_equal(ns->uuid, before.uuid, sizeof(ns->uuid));
	assert_memory_equal(ns->nguid, before.nguid, sizeof(ns->nguid));
	assert_memory_equal(ns->eui64, before.eui64, sizeof(ns->eui64));
	assert_int_equal(ns->anagrpid, before.anagrpid);
	assert_ns_changed(gx, aer);
	assert_ns1_listed(gx);
	/* The same I/O queue serves it again. */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(fx_rw(&gx->fx, gx->q, NVME_OPC_WRITE, 1, 7, 1, buf, FX_BS), 0);
	assert_int_equal(fx_rw(&gx->fx, gx->q, NVME_OPC_READ, 1, 7, 1, back, FX_BS), 0);
	assert_memory_equal(buf, back, FX_BS);
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
	bus_set(NULL);
}

/* A target destroyed while it waits frees what it waited with. */
static void test_reattach_freed_with_target(void **state)
{
	struct gx *gx = *state;

	ram0_gone(gx);
	second_later(gx);
	second_later(gx);
	assert_int_equal(ra_state(gx), NVMF_REATTACH_WAITING);
	nvmf_reattach_free_all(gx->fx.tgt);
	assert_int_equal(g_dev.frees, 1);
	assert_int_equal(g_dev.attaches, 0);
}

/* ------------------------------------------------------ an idle drive */

#define SIM_BAR_SIZE 0x2000u

static void sim_csts(uint32_t v)
{
	__atomic_store_n((uint32_t *)(g_sim_bar + NVME_REG_CSTS), v, __ATOMIC_RELEASE);
}

/*
 * A local controller as the PCIe driver holds it after attach, with
 * namespace 1 (FX_BLOCKS of FX_BS): registers in memory (CSTS.RDY), no
 * admin or I/O queue (nothing but the timer may touch it).
 */
static struct nvme_ctrlr *sim_drive(void)
{
	struct nvme_pcie_ctrlr *pc = calloc(1, sizeof(*pc));
	struct nvme_ctrlr *c = &pc->base;

	g_sim_bar = calloc(1, SIM_BAR_SIZE);
	assert_true(pc != NULL && g_sim_bar != NULL);
	pc->bar = g_sim_bar;
	pc->bar_size = SIM_BAR_SIZE;
	pthread_mutex_init(&pc->admin_lock, NULL);
	sim_csts(1);
	c->ops = &nvme_pcie_ops;
	snprintf(c->trid.traddr, sizeof(c->trid.traddr), "0000:00:11.0");
	c->opts.timeout_ms = 1000;
	c->ns = calloc(1, sizeof(*c->ns));
	assert_non_null(c->ns);
	c->num_ns = 1;
	c->ns[0].ns.ctrlr = c;
	c->ns[0].ns.nsid = 1;
	c->ns[0].ns.block_size = FX_BS;
	c->ns[0].ns.num_blocks = FX_BLOCKS;
	return c;
}

/* A main group timer period later (NVMF_TIMER_PERIOD_MS), a few polls. */
static void period_later(struct gx *gx)
{
	env_fake_clock_advance((NVMF_TIMER_PERIOD_MS + 10ull) * 1000 * 1000);
	fx_poll(&gx->fx, 4);
}

/*
 * No I/O ever reached the drive (no queue pair polls it): its registers
 * read all ones -> the main group's timer finds it gone, its namespace
 * leaves the subsystem and the host is told, once.
 */
static void test_idle_drive_gone(void **state)
{
	struct gx *gx = *state;
	struct nvme_ctrlr *c = sim_drive();
	struct nvmf_ns_opts o = {.nsid = 3};
	struct nvmf_request *aer;
	uint32_t list[1024];

	assert_int_equal(nvmf_bnvme_register(gx->fx.tgt, "sim", c, NULL, 0), 0);
	assert_int_equal(nvmf_subsystem_add_ns(gx->fx.ss, "simn1", &o), 3);
	fx_poll(&gx->fx, 4);
	/* The host hears of the new namespace first (and reads the log). */
	assert_int_equal(fx_admin(&gx->fx, gx->a, NVME_OPC_SET_FEATURES, 0,
				  NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_NS_ATTR, NULL, 0, NULL),
			 0);
	aer = fx_submit_cmd(gx->a, &(struct nvme_cmd){.opc = NVME_OPC_ASYNC_EVENT_REQUEST}, NULL, 0,
			    NVMF_XFER_NONE);
	fx_poll(&gx->fx, 2);
	assert_ns_changed(gx, aer);
	assert_int_equal(fx_get_log(&gx->fx, gx->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 3);
	aer = aer_arm(gx);
	/* Healthy: timer periods pass, nothing happens. */
	for (int i = 0; i < 3; i++)
		period_later(gx);
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 3));
	assert_false(fx_req_done(gx->a, aer));
	assert_false(nvme_ctrlr_is_removed(c));
	assert_null(c->io_qpairs); /* idle: no queue pair to poll */

	/* Gone from the bus. */
	sim_csts(UINT32_MAX);
	period_later(gx);
	assert_true(nvme_ctrlr_is_removed(c));
	assert_null(nvmf_ss_ns(gx->fx.ss, 3));
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 1));
	assert_non_null(nvmf_ss_ns(gx->fx.ss, 2));
	assert_ns_changed(gx, aer);
	assert_int_equal(fx_get_log(&gx->fx, gx->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 3);
	assert_int_equal(list[1], 0);

	/* Once: later periods tell the host nothing more. */
	aer = aer_arm(gx);
	for (int i = 0; i < 3; i++)
		period_later(gx);
	assert_false(fx_req_done(gx->a, aer));
	assert_int_equal(fx_get_log(&gx->fx, gx->a, NVME_LOG_CHANGED_NS_LIST, 0, list, 4096), 0);
	assert_int_equal(list[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_gone_io_is_path_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gone_removes_its_namespaces_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reattach, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reattach_freed_with_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle_drive_gone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
