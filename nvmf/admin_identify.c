/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_identify.c - Identify: controller, namespace, active namespace
 * list, namespace identification descriptors, I/O command set structures.
 * The data is built in a 4 KiB buffer and min(transfer, 4096) bytes copied.
 */
#include <string.h>

#include "nvmf/nvmf_internal.h"

#define NVMF_VID 0x0000
#define NVMF_RAB 6
#define NVMF_ACL 3 /* four Aborts, zero-based */
#define NVMF_WCTEMP 343
#define NVMF_CCTEMP 373

static void pad_copy(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n);

	memset(dst, ' ', n);
	memcpy(dst, src, len);
}

static uint8_t mdts_of(uint32_t max_io_size)
{
	uint8_t m = 0;

	while ((4096ull << (m + 1)) <= max_io_size && m < 15)
		m++;
	return max_io_size >= 8192 ? m : 1;
}

static void id_ctrl_fabrics(struct nvme_id_ctrl *id, struct nvmf_conn *c)
{
	const struct nvmf_transport_opts *o = &c->tr->opts;

	id->ioccsz = (64 + o->in_capsule_data_size) / 16;
	id->iorcsz = 1;
	id->icdoff = 0;
	id->fcatt = 0; /* dynamic controller model */
	id->msdbd = 1;
	id->ofcs = NVME_CTRL_OFCS_DISCONNECT;
	/* SGL data blocks (byte aligned), offsets for in-capsule data,
	 * transport data blocks and keyed data blocks, whichever the transport
	 * uses. */
	id->sgls = NVME_CTRL_SGLS_SUPPORTED | NVME_CTRL_SGLS_KEYED | NVME_CTRL_SGLS_OFFSET |
		   NVME_CTRL_SGLS_TRANSPORT_DATA_BLOCK;
}

static void id_ctrl_fill(struct nvme_id_ctrl *id, struct nvmf_ctrlr *ctrlr, struct nvmf_conn *c)
{
	struct nvmf_subsystem *ss = ctrlr->ss;
	const struct nvmf_transport_opts *o = &c->tr->opts;
	bool disc = ss->discovery;

	id->vid = NVMF_VID;
	id->ssvid = NVMF_VID;
	pad_copy(id->sn, sizeof(id->sn), disc ? "" : ss->sn);
	pad_copy(id->mn, sizeof(id->mn), disc ? "nvmf-tgt discovery" : ss->mn);
	pad_copy(id->fr, sizeof(id->fr), NVMF_FW_REVISION);
	id->rab = NVMF_RAB;
	id->cmic = disc ? 0 : NVME_CTRL_CMIC_MULTI_PORT | NVME_CTRL_CMIC_MULTI_CTRL;
	id->mdts = mdts_of(o->max_io_size);
	id->cntlid = ctrlr->cntlid;
	id->ver = NVME_VS(1, 3, 0);
	/* OAES bit 31 (Discovery Log Page Change Notification Support): a
	 * discovery controller reports Discovery Log Page Change notices. */
	id->oaes = disc ? NVME_CTRL_OAES_DISCOVERY_LOG_CHANGE : NVME_CTRL_OAES_NS_ATTR;
	id->ctratt = NVME_CTRL_CTRATT_HOSTID_128;
	id->cntrltype = disc ? NVME_CNTRLTYPE_DISCOVERY : NVME_CNTRLTYPE_IO;
	id->acl = NVMF_ACL;
	id->aerl = NVMF_AER_MAX - 1;
	id->frmw = 0x3; /* one slot, slot 1 read-only */
	id->lpa = NVME_CTRL_LPA_CMD_EFFECTS | NVME_CTRL_LPA_EXTENDED;
	id->elpe = NVMF_ERROR_LOG_MAX - 1;
	id->wctemp = NVMF_WCTEMP;
	id->cctemp = NVMF_CCTEMP;
	id->kas = NVMF_KAS_MS / 100;
	id->sqes = (NVME_SQES_LOG2 << 4) | NVME_SQES_LOG2;
	id->cqes = (NVME_CQES_LOG2 << 4) | NVME_CQES_LOG2;
	id->maxcmd = (uint16_t)(disc ? o->max_aq_depth : o->max_queue_depth);
	id->nn = disc ? 0 : ss->max_nsid;
	id->mnan = disc ? 0 : ss->max_nsid;
	if (!disc) {
		id->oncs = NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM |
			   NVME_CTRL_ONCS_WRITE_ZEROES | NVME_CTRL_ONCS_RESERVATIONS;
		/* Bits 2:1 = 10b: Flush with NSID FFFFFFFFh is not supported. */
		if (nvmf_ss_has_vwc(ss))
			id->vwc = NVME_CTRL_VWC_PRESENT | (2u << 1);
		nvmf_admin_passthru_id_ctrl(ss, id); /* OACS, SANICAP, FNA */
	}
	snprintf(id->subnqn, sizeof(id->subnqn), "%s", ss->nqn);
	id_ctrl_fabrics(id, c);
	if (!disc)
		nvmf_ana_id_ctrl(id);
}

static uint16_t id_ns_fill(struct nvme_id_ns *id, struct nvmf_ctrlr *ctrlr, uint32_t nsid)
{
	struct nvmf_ns *ns;

	if (nsid == NVME_NSID_ALL)
		return NVME_STATUS_SUCCESS; /* nothing in common to report */
	if (nsid == 0 || nsid > ctrlr->ss->max_nsid)
		return NVMF_ST_INVALID_NS;
	ns = nvmf_ss_ns(ctrlr->ss, nsid);
	if (ns == NULL)
		return NVME_STATUS_SUCCESS; /* inactive: all zeroes */
	id->nsze = ns->nsze;
	id->ncap = ns->nsze;
	id->nuse = ns->nsze;
	id->nlbaf = 0;
	id->flbas = 0;
	id->nmic = NVME_NS_NMIC_SHARED;
	id->rescap = nvmf_resv_rescap(ctrlr->ss->tgt);
	id->lbaf[0].lbads = ns->lbads;
	nvme_le128_set(id->nvmcap, ns->nsze * ns->block_size);
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, ns->eui64, sizeof(id->eui64));
	id->anagrpid = ns->anagrpid;
	return NVME_STATUS_SUCCESS;
}

static uint16_t active_ns_list(uint32_t *list, struct nvmf_ctrlr *ctrlr, uint32_t start)
{
	uint32_t n = 0;

	if (start >= NVME_NSID_ALL - 1)
		return NVMF_ST_INVALID_NS;
	for (uint32_t nsid = start + 1; nsid <= ctrlr->ss->max_nsid && n < NVME_ACTIVE_NS_LIST_MAX;
	     nsid++) {
		if (nvmf_ss_ns(ctrlr->ss, nsid) != NULL)
			list[n++] = nsid;
	}
	return NVME_STATUS_SUCCESS;
}

static size_t desc_put(uint8_t *buf, size_t off, uint8_t nidt, const void *nid, uint8_t len)
{
	struct nvme_ns_id_desc *d = (struct nvme_ns_id_desc *)(buf + off);

	d->nidt = nidt;
	d->nidl = len;
	memcpy(d->nid, nid, len);
	return off + sizeof(*d) + len;
}

static uint16_t ns_id_descs(uint8_t *buf, struct nvmf_ctrlr *ctrlr, uint32_t nsid)
{
	struct nvmf_ns *ns = nsid <= ctrlr->ss->max_nsid ? nvmf_ss_ns(ctrlr->ss, nsid) : NULL;
	uint8_t csi = NVME_CSI_NVM;
	size_t off = 0;

	if (ns == NULL)
		return NVMF_ST_INVALID_NS;
	off = desc_put(buf, off, NVME_NIDT_EUI64, ns->eui64, NVME_NIDT_EUI64_LEN);
	off = desc_put(buf, off, NVME_NIDT_NGUID, ns->nguid, NVME_NIDT_NGUID_LEN);
	off = desc_put(buf, off, NVME_NIDT_UUID, ns->uuid, NVME_NIDT_UUID_LEN);
	desc_put(buf, off, NVME_NIDT_CSI, &csi, NVME_NIDT_CSI_LEN);
	return NVME_STATUS_SUCCESS;
}

/* CNS 05h / 06h / 07h for the NVM command set: nothing beyond the base. */
static uint16_t id_csi(uint32_t *buf, struct nvmf_ctrlr *ctrlr, const struct nvme_cmd *cmd,
		       uint8_t cns)
{
	uint8_t csi = (uint8_t)(cmd->cdw11 >> NVME_IDENTIFY_CSI_SHIFT);

	if (csi != NVME_CSI_NVM)
		return NVMF_ST_INVALID_FIELD;
	if (cns == NVME_CNS_CSI_ACTIVE_NS_LIST)
		return active_ns_list(buf, ctrlr, cmd->nsid);
	if (cns == NVME_CNS_CSI_NAMESPACE &&
	    (cmd->nsid == 0 || (cmd->nsid > ctrlr->ss->max_nsid && cmd->nsid != NVME_NSID_ALL)))
		return NVMF_ST_INVALID_NS;
	return NVME_STATUS_SUCCESS;
}

uint16_t nvmf_admin_identify(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint8_t cns = req->cmd.cdw10 & NVME_IDENTIFY_CNS_MASK;
	uint32_t buf[NVME_IDENTIFY_DATA_SIZE / 4];
	uint16_t st;

	memset(buf, 0, sizeof(buf));
	if (ctrlr->ss->discovery && cns != NVME_CNS_CONTROLLER)
		return NVMF_ST_INVALID_FIELD;
	switch (cns) {
	case NVME_CNS_NAMESPACE:
		st = id_ns_fill((struct nvme_id_ns *)buf, ctrlr, req->cmd.nsid);
		break;
	case NVME_CNS_CONTROLLER:
		id_ctrl_fill((struct nvme_id_ctrl *)buf, ctrlr, nvmf_conn_of(req->qpair));
		st = NVME_STATUS_SUCCESS;
		break;
	case NVME_CNS_ACTIVE_NS_LIST:
		st = active_ns_list(buf, ctrlr, req->cmd.nsid);
		break;
	case NVME_CNS_NS_ID_DESCRIPTOR_LIST:
		st = ns_id_descs((uint8_t *)buf, ctrlr, req->cmd.nsid);
		break;
	case NVME_CNS_CSI_NAMESPACE:
	case NVME_CNS_CSI_CONTROLLER:
	case NVME_CNS_CSI_ACTIVE_NS_LIST:
		st = id_csi(buf, ctrlr, &req->cmd, cns);
		break;
	default:
		st = NVMF_ST_INVALID_FIELD;
		break;
	}
	if (st == NVME_STATUS_SUCCESS)
		nvmf_req_copy_page(req, buf, sizeof(buf), 0, sizeof(buf));
	return st;
}
