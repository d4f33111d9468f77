/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_ctrlr.c - a local NVMe controller: probe and attach through env,
 * BAR0 register access, the disable / admin queue part of start-up (the
 * generic layer then enables it, identifies it and sets the number of
 * queues), shutdown, and the transport ops table.
 *
 * Start-up, in the spec's order:
 *   attach (vfio-pci / uio_pci_generic), map BAR0, read CAP (NVM command
 *   set and 4 KiB pages required) -> CC.EN=0, wait CSTS.RDY=0 within CAP.TO
 *   -> AQA, ASQ, ACQ -> CC with IOSQES 6, IOCQES 4, MPS 0, CSS NVM, AMS RR
 *   (EN still 0) -> [generic] CC.EN=1, wait CSTS.RDY=1 -> Identify ...
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/pcie/nvme_pcie.h"
#include "nvme/pcie/pcie_internal.h"
#include "util.h"

/* ------------------------------------------------------------- registers */

int nvme_pcie_reg_read4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t *val)
{
	*val = nvme_pcie_mmio_read4(nvme_pcie_ctrlr(ctrlr), off);
	return 0;
}

int nvme_pcie_reg_read8(struct nvme_ctrlr *ctrlr, uint32_t off, uint64_t *val)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(ctrlr);
	uint32_t lo = nvme_pcie_mmio_read4(pc, off), hi = nvme_pcie_mmio_read4(pc, off + 4);

	*val = (uint64_t)hi << 32 | lo;
	return 0;
}

int nvme_pcie_reg_write4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t val)
{
	nvme_pcie_mmio_write4(nvme_pcie_ctrlr(ctrlr), off, val);
	return 0;
}

static void mmio_write8(struct nvme_pcie_ctrlr *pc, uint32_t off, uint64_t v)
{
	nvme_pcie_mmio_write4(pc, off, (uint32_t)v);
	nvme_pcie_mmio_write4(pc, off + 4, (uint32_t)(v >> 32));
}

static uint32_t cap_timeout_ms(const struct nvme_pcie_ctrlr *pc)
{
	uint32_t ms = nvme_cap_timeout_ms(pc->base.cap);

	return ms ? ms : 500;
}

int nvme_pcie_ctrlr_disable(struct nvme_pcie_ctrlr *pc)
{
	uint32_t cc = nvme_pcie_mmio_read4(pc, NVME_REG_CC);
	uint32_t csts = nvme_pcie_mmio_read4(pc, NVME_REG_CSTS);
	uint32_t rdy = NVME_CSTS_RDY_MASK << NVME_CSTS_RDY_SHIFT;
	int rc;

	if (cc == UINT32_MAX || csts == UINT32_MAX)
		return -ENXIO;
	/* Enabling in progress: let it finish before clearing EN. */
	if (NVME_REG_GET(cc, CC_EN) && !(csts & rdy))
		(void)nvme_pcie_wait_csts(pc, rdy, rdy, cap_timeout_ms(pc));
	nvme_pcie_mmio_write4(pc, NVME_REG_CC, NVME_REG_SET(cc, CC_EN, 0));
	rc = nvme_pcie_wait_csts(pc, rdy, 0, cap_timeout_ms(pc));
	if (rc != 0)
		log_error(NVME_PCIE_LOG,
			  "%s: controller did not become disabled (CSTS.RDY still 1 after CAP.TO "
			  "%u ms)",
			  pc->base.trid.traddr, cap_timeout_ms(pc));
	return rc;
}

void nvme_pcie_ctrlr_program_admin(struct nvme_pcie_ctrlr *pc)
{
	struct nvme_pcie_qpair *aq = nvme_pcie_qpair(pc->base.adminq);
	uint32_t n = aq->base.num_entries - 1u, cc = 0;

	nvme_pcie_mmio_write4(pc, NVME_REG_AQA, n << NVME_AQA_ACQS_SHIFT | n);
	mmio_write8(pc, NVME_REG_ASQ, aq->sq_iova);
	mmio_write8(pc, NVME_REG_ACQ, aq->cq_iova);
	cc = NVME_REG_SET(cc, CC_IOSQES, NVME_SQES_LOG2);
	cc = NVME_REG_SET(cc, CC_IOCQES, NVME_CQES_LOG2);
	cc = NVME_REG_SET(cc, CC_MPS, 0);
	cc = NVME_REG_SET(cc, CC_CSS, NVME_CC_CSS_NVM);
	cc = NVME_REG_SET(cc, CC_AMS, NVME_CC_AMS_RR);
	nvme_pcie_mmio_write4(pc, NVME_REG_CC, cc);
}

/* Bound of the shutdown wait: RTD3E (microseconds) or 10 s when not given. */
static uint32_t shutdown_ms(const struct nvme_pcie_ctrlr *pc)
{
	uint32_t ms = pc->base.id.rtd3e / 1000u;

	if (ms == 0)
		return NVME_PCIE_SHUTDOWN_MS;
	return ms < 1000 ? 1000 : ms > 60000 ? 60000 : ms;
}

int nvme_pcie_ctrlr_shutdown(struct nvme_pcie_ctrlr *pc)
{
	uint32_t shst = NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT;
	uint32_t done = NVME_CSTS_SHST_COMPLETE << NVME_CSTS_SHST_SHIFT;
	uint32_t cc = nvme_pcie_mmio_read4(pc, NVME_REG_CC), csts, ms = shutdown_ms(pc);
	uint64_t t0 = env_ticks();
	int rc;

	csts = nvme_pcie_mmio_read4(pc, NVME_REG_CSTS);
	if (cc == UINT32_MAX || csts == UINT32_MAX || !NVME_REG_GET(cc, CC_EN))
		return -ENXIO;
	if ((csts & shst) != done)
		nvme_pcie_mmio_write4(pc, NVME_REG_CC,
				      NVME_REG_SET(cc, CC_SHN, NVME_CC_SHN_NORMAL));
	rc = nvme_pcie_wait_csts(pc, shst, done, ms);
	if (rc == 0)
		log_notice(NVME_PCIE_LOG, "%s: controller shut down (CSTS.SHST complete, %llu ms)",
			   pc->base.trid.traddr,
			   (unsigned long long)((env_ticks() - t0) * 1000 / env_ticks_hz()));
	else
		log_warn(NVME_PCIE_LOG,
			 "%s: shutdown not complete after %u ms (%s); detaching anyway",
			 pc->base.trid.traddr, ms, strerror(-rc));
	return rc;
}

/* ----------------------------------------------------------------- probe */

struct probe_ctx {
	const char *const *allow;
	unsigned num_allow;
	int (*cb)(void *ctx, const char *pci_addr);
	void *ctx;
};

static bool probe_allowed(const struct probe_ctx *p, const struct env_pci_addr *a)
{
	struct env_pci_addr b;
	unsigned i;

	if (p->num_allow == 0)
		return true;
	for (i = 0; i < p->num_allow; i++)
		if (env_pci_addr_parse(p->allow[i], &b) == 0 && b.domain == a->domain &&
		    b.bus == a->bus && b.dev == a->dev && b.func == a->func)
			return true;
	return false;
}

static int probe_one(void *ctx, const struct env_pci_info *info)
{
	struct probe_ctx *p = ctx;
	char addr[16];

	if (!probe_allowed(p, &info->addr))
		return 0;
	env_pci_addr_fmt(&info->addr, addr, sizeof(addr));
	if (strcmp(info->driver, "vfio-pci") != 0 && strcmp(info->driver, "uio_pci_generic") != 0) {
		log_warn(NVME_PCIE_LOG,
			 "PCI %s: NVMe controller %s%s; skipped: run tools/setup.sh to bind it "
			 "to vfio-pci or uio_pci_generic",
			 addr,
			 info->driver[0] ? "bound to kernel driver " : "not bound to a driver",
			 info->driver);
		return 0;
	}
	return p->cb(p->ctx, addr);
}

int nvme_pcie_probe(const char *const *allow, unsigned num_allow,
		    int (*cb)(void *ctx, const char *pci_addr), void *ctx)
{
	struct probe_ctx p = {.allow = allow, .num_allow = num_allow, .cb = cb, .ctx = ctx};

	return env_pci_enumerate(NVME_PCIE_CLASS_CODE, 0xffff, probe_one, &p);
}

static int probe_found(void *ctx, const char *pci_addr)
{
	(void)pci_addr;
	*(bool *)ctx = true;
	return 1;
}

/* ------------------------------------------------------------ controller */

static int ctrlr_attach(struct nvme_pcie_ctrlr *pc)
{
	const char *addr = pc->base.trid.traddr;
	struct env_pci_addr a;
	uint64_t paddr;
	void *va;
	bool found = false;
	int rc;

	if (env_pci_addr_parse(addr, &a) != 0) {
		log_error(NVME_PCIE_LOG, "'%s' is not a PCI address (DDDD:BB:DD.F)", addr);
		return -EINVAL;
	}
	rc = nvme_pcie_probe(&addr, 1, probe_found, &found);
	if (rc < 0)
		return rc;
	if (!found) {
		log_error(NVME_PCIE_LOG,
			  "PCI %s: no usable NVMe controller there (see lspci and tools/setup.sh "
			  "status)",
			  addr);
		return -ENODEV;
	}
	rc = nvme_pcie_claim_ctrlr(pc);
	if (rc != 0)
		return rc;
	rc = env_pci_attach(&a, &pc->dev);
	if (rc != 0)
		return rc;
	rc = env_pci_map_bar(pc->dev, 0, &va, &paddr, &pc->bar_size);
	if (rc != 0)
		return rc;
	pc->bar = va;
	if (pc->bar_size < 0x2000) {
		log_error(NVME_PCIE_LOG, "PCI %s: BAR0 is only %llu bytes", addr,
			  (unsigned long long)pc->bar_size);
		return -ENODEV;
	}
	return 0;
}

/* Read CAP and check what this driver needs of the controller. */
static int ctrlr_check_cap(struct nvme_pcie_ctrlr *pc)
{
	uint64_t cap;

	(void)nvme_pcie_reg_read8(&pc->base, NVME_REG_CAP, &cap);
	if (cap == UINT64_MAX) {
		log_error(NVME_PCIE_LOG, "%s: registers read as all ones", pc->base.trid.traddr);
		return -ENXIO;
	}
	pc->base.cap = cap;
	pc->dstrd = nvme_cap_dstrd(cap);
	if (!(NVME_REG_GET(cap, CAP_CSS) & NVME_CAP_CSS_NVM) ||
	    NVME_REG_GET(cap, CAP_MPSMIN) != 0) {
		log_error(NVME_PCIE_LOG,
			  "%s: needs the NVM command set and 4 KiB pages (CAP 0x%016llx)",
			  pc->base.trid.traddr, (unsigned long long)cap);
		return -ENOTSUP;
	}
	return 0;
}

static int ctrlr_setup(struct nvme_pcie_ctrlr *pc)
{
	uint32_t aqsize = pc->base.opts.admin_queue_size;
	struct nvme_pcie_qpair *aq;
	int rc;

	rc = ctrlr_attach(pc);
	if (rc == 0)
		rc = ctrlr_check_cap(pc);
	if (rc == 0)
		rc = nvme_pcie_ctrlr_disable(pc);
	if (rc != 0)
		return rc;
	if (aqsize < 2)
		aqsize = 32;
	if (aqsize > 4096)
		aqsize = 4096;
	aq = calloc(1, sizeof(*aq));
	if (aq == NULL)
		return -ENOMEM;
	rc = nvme_pcie_qpair_init(aq, pc, 0, aqsize);
	if (rc != 0) {
		free(aq);
		return rc;
	}
	pc->base.adminq = &aq->base;
	nvme_pcie_ctrlr_program_admin(pc);
	return 0;
}

static void ctrlr_release(struct nvme_pcie_ctrlr *pc)
{
	if (pc->base.adminq != NULL) {
		nvme_pcie_qpair_fini(nvme_pcie_qpair(pc->base.adminq));
		free(nvme_pcie_qpair(pc->base.adminq));
	}
	env_pci_detach(pc->dev);
	if (pc->claimed)
		nvme_pcie_unclaim(pc->claim_fd);
	pthread_mutex_destroy(&pc->admin_lock);
	free(pc);
}

static int pcie_ctrlr_create(const struct nvme_transport_ops *ops, const struct nvme_trid *trid,
			     const struct nvme_ctrlr_opts *opts, struct nvme_ctrlr **ctrlr)
{
	struct nvme_pcie_ctrlr *pc = calloc(1, sizeof(*pc));
	pthread_mutexattr_t attr;
	int rc;

	if (pc == NULL)
		return -ENOMEM;
	pc->base.ops = ops;
	pc->base.trid = *trid;
	pc->base.opts = *opts;
	if (pc->base.opts.timeout_ms == 0)
		pc->base.opts.timeout_ms = 10000;
	pc->timeout_ticks = nvme_ms_to_ticks(NVME_PCIE_TIMEOUT_MS);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pc->admin_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	rc = ctrlr_setup(pc);
	if (rc != 0) {
		ctrlr_release(pc);
		return rc;
	}
	log_notice(NVME_PCIE_LOG,
		   "%s: NVMe controller attached (CAP 0x%016llx, doorbell stride %u)", trid->traddr,
		   (unsigned long long)pc->base.cap, 4u << pc->dstrd);
	*ctrlr = &pc->base;
	return 0;
}

static void pcie_ctrlr_destroy(struct nvme_ctrlr *ctrlr)
{
	struct nvme_pcie_ctrlr *pc = nvme_pcie_ctrlr(ctrlr);

	/* The generic layer asked for a shutdown already; make sure, and log. */
	if (pc->bar != NULL && !nvme_pcie_is_dead(pc))
		(void)nvme_pcie_ctrlr_shutdown(pc);
	ctrlr_release(pc);
}

int nvme_pcie_set_timeout(struct nvme_ctrlr *ctrlr, uint32_t timeout_ms)
{
	if (ctrlr == NULL || ctrlr->ops != &nvme_pcie_ops)
		return -EINVAL;
	nvme_pcie_ctrlr(ctrlr)->timeout_ticks = nvme_ms_to_ticks(timeout_ms);
	return 0;
}

int nvme_pcie_admin_submit(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			   uint32_t len, nvme_cb cb, void *arg)
{
	struct nvme_pcie_ctrlr *pc;
	int rc;

	if (ctrlr == NULL || ctrlr->ops != &nvme_pcie_ops)
		return -EINVAL;
	pc = nvme_pcie_ctrlr(ctrlr);
	pthread_mutex_lock(&pc->admin_lock);
	rc = nvme_ctrlr_admin_raw(ctrlr, cmd, buf, len, cb, arg);
	pthread_mutex_unlock(&pc->admin_lock);
	return rc;
}

int nvme_pcie_admin_poll(struct nvme_ctrlr *ctrlr)
{
	struct nvme_pcie_ctrlr *pc;
	int rc;

	if (ctrlr == NULL || ctrlr->ops != &nvme_pcie_ops)
		return -EINVAL;
	pc = nvme_pcie_ctrlr(ctrlr);
	if (pthread_mutex_trylock(&pc->admin_lock) != 0)
		return 0;
	rc = nvme_qpair_poll(ctrlr->adminq, 0);
	pthread_mutex_unlock(&pc->admin_lock);
	return rc;
}

bool nvme_pcie_resetting(const struct nvme_ctrlr *ctrlr)
{
	return ctrlr != NULL && ctrlr->ops == &nvme_pcie_ops &&
	       (nvme_pcie_generation(container_of(ctrlr, const struct nvme_pcie_ctrlr, base)) &
		1u) != 0;
}

const struct nvme_transport_ops nvme_pcie_ops = {
    .name = "PCIe",
    .trtype = NVME_TRTYPE_PCIE,
    .fabrics = false,
    .ctrlr_create = pcie_ctrlr_create,
    .ctrlr_destroy = pcie_ctrlr_destroy,
    .reg_read4 = nvme_pcie_reg_read4,
    .reg_read8 = nvme_pcie_reg_read8,
    .reg_write4 = nvme_pcie_reg_write4,
    .qpair_create = nvme_pcie_qpair_create,
    .qpair_destroy = nvme_pcie_qpair_destroy,
    .qpair_submit = nvme_pcie_qpair_submit,
    .qpair_poll = nvme_pcie_qpair_poll,
    .ctrlr_reset = nvme_pcie_ctrlr_reset_op,
};
