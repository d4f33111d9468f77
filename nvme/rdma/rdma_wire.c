/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_wire.c - NVMe/RDMA host pieces that need no device: the CM connect
 * request private data, the reject private data, SGL descriptors and the
 * in-capsule data limit.
 */
#include <errno.h>
#include <string.h>

#include "nvme/rdma/rdma_internal.h"

void nvme_rdma_cm_req_data(struct nvmf_rdma_request_private_data *pd, uint16_t qid,
			   uint32_t entries, uint16_t cntlid)
{
	memset(pd, 0, sizeof(*pd));
	pd->recfmt = NVMF_RECFMT_0;
	pd->qid = qid;
	pd->hrqsize = (uint16_t)entries;
	pd->hsqsize = (uint16_t)(entries - 1);
	pd->cntlid = qid == 0 ? NVMF_CNTLID_DYNAMIC : cntlid;
}

int nvme_rdma_cm_reject_parse(const void *pdata, uint8_t len, uint16_t *sts)
{
	struct nvmf_rdma_reject_private_data rej;

	*sts = 0;
	if (pdata == NULL || len < sizeof(rej))
		return -ECONNREFUSED;
	memcpy(&rej, pdata, sizeof(rej));
	if (rej.recfmt != NVMF_RECFMT_0 || rej.sts == 0)
		return -ECONNREFUSED;
	*sts = rej.sts;
	return rej.sts == NVMF_RDMA_REJECT_NO_RESOURCES ? -ECONNREFUSED : -EPROTO;
}

const char *nvme_rdma_reject_str(uint16_t sts)
{
	switch (sts) {
	case NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH:
		return "invalid private data length";
	case NVMF_RDMA_REJECT_INVALID_RECFMT:
		return "invalid record format";
	case NVMF_RDMA_REJECT_INVALID_QID:
		return "invalid queue ID";
	case NVMF_RDMA_REJECT_INVALID_HSQSIZE:
		return "invalid host send queue size";
	case NVMF_RDMA_REJECT_INVALID_HRQSIZE:
		return "invalid host receive queue size";
	case NVMF_RDMA_REJECT_NO_RESOURCES:
		return "no resources";
	case NVMF_RDMA_REJECT_INVALID_IRD:
		return "invalid IRD";
	case NVMF_RDMA_REJECT_INVALID_ORD:
		return "invalid ORD";
	case NVMF_RDMA_REJECT_INVALID_CNTLID:
		return "invalid controller ID";
	default:
		return "unknown status";
	}
}

void nvme_rdma_sgl_none(struct nvme_cmd *cmd)
{
	cmd->psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_keyed(&cmd->dptr.sgl1, NVME_SGL_SUBTYPE_ADDRESS, 0, 0, 0);
}

void nvme_rdma_sgl_keyed(struct nvme_cmd *cmd, uint64_t addr, uint32_t len, uint32_t rkey)
{
	cmd->psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_keyed(&cmd->dptr.sgl1, NVME_SGL_SUBTYPE_ADDRESS, addr, len, rkey);
}

void nvme_rdma_sgl_incapsule(struct nvme_cmd *cmd, uint32_t len)
{
	cmd->psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	nvme_sgl_set_unkeyed(&cmd->dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 0,
			     len);
}

uint32_t nvme_rdma_icd_max(uint16_t qid, uint32_t ioccsz)
{
	uint32_t icd;

	/* IOCCSZ counts 16-byte units of the whole capsule; 4 units are the SQE. */
	if (qid == 0 || ioccsz <= 4)
		return 0;
	icd = ioccsz * 16u - NVME_SQE_SIZE;
	return icd < NVME_RDMA_ICD_CAP ? icd : NVME_RDMA_ICD_CAP;
}
