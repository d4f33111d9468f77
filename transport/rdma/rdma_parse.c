/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_parse.c - NVMe/RDMA checks that need no device: the RDMA CM private
 * data of a connect request, and the SGL descriptor of a command capsule.
 *
 * Connect request (NVMe/RDMA transport binding): RECFMT 0; QID 0 is the
 * admin queue; HSQSIZE is zero-based (the Connect command's SQSIZE) and
 * must give at least 2 entries and at most MaxQueueDepth (MaxAdminQueueDepth
 * for QID 0); HRQSIZE is the host's receive queue size (1-based, non zero).
 *
 * SGL: one descriptor in the SQE. A keyed data block (type 4) with subtype
 * address (0) or invalidate key (F) names host memory moved with RDMA READ /
 * WRITE; a data block with subtype offset (type 0, subtype 1) names data in
 * the capsule right after the SQE (host to controller only). Anything else,
 * segments included, is refused with SGL Descriptor Type Invalid.
 */
#include <string.h>

#include "transport/rdma/rdma_internal.h"

uint16_t nvmf_rdma_cm_req_check(const void *pdata, uint8_t len, const struct nvmf_transport_opts *o,
				struct nvmf_rdma_cm_params *out)
{
	struct nvmf_rdma_request_private_data req;
	uint32_t max_depth, depth;

	if (pdata == NULL || len < sizeof(req))
		return NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH;
	memcpy(&req, pdata, sizeof(req));
	if (req.recfmt != 0)
		return NVMF_RDMA_REJECT_INVALID_RECFMT;
	if (o->max_qpairs_per_ctrlr == 0 || req.qid >= o->max_qpairs_per_ctrlr)
		return NVMF_RDMA_REJECT_INVALID_QID;
	max_depth = req.qid == 0 ? o->max_aq_depth : o->max_queue_depth;
	depth = (uint32_t)req.hsqsize + 1;
	if (depth < 2 || depth > max_depth)
		return NVMF_RDMA_REJECT_INVALID_HSQSIZE;
	if (req.hrqsize == 0)
		return NVMF_RDMA_REJECT_INVALID_HRQSIZE;
	out->qid = req.qid;
	out->depth = (uint16_t)depth;
	out->hrqsize = req.hrqsize;
	out->cntlid = req.cntlid;
	return 0;
}

void nvmf_rdma_cm_accept_data(struct nvmf_rdma_accept_private_data *acc, uint16_t crqsize)
{
	memset(acc, 0, sizeof(*acc));
	acc->recfmt = 0;
	acc->crqsize = crqsize;
}

void nvmf_rdma_cm_reject_data(struct nvmf_rdma_reject_private_data *rej, uint16_t sts)
{
	memset(rej, 0, sizeof(*rej));
	rej->recfmt = 0;
	rej->sts = sts;
}

static uint16_t nvmf_rdma_sgl_keyed(const struct nvme_sgl_desc *sgl, uint32_t icd_len,
				    uint32_t max_io, struct nvmf_rdma_sgl_info *out)
{
	uint8_t sub = nvme_sgl_subtype(sgl);

	if (sub != NVME_SGL_SUBTYPE_ADDRESS && sub != NVME_SGL_SUBTYPE_INVALIDATE_KEY)
		return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
	if (icd_len != 0)
		return NVME_SC_DATA_SGL_LENGTH_INVALID;
	out->length = (uint32_t)sgl->keyed.length;
	out->addr = sgl->address;
	out->key = (uint32_t)sgl->keyed.key;
	out->invalidate = sub == NVME_SGL_SUBTYPE_INVALIDATE_KEY;
	if (out->length > max_io)
		return NVME_SC_DATA_SGL_LENGTH_INVALID;
	out->kind = out->length ? NVMF_RDMA_DATA_KEYED : NVMF_RDMA_DATA_NONE;
	return NVME_SC_SUCCESS;
}

static uint16_t nvmf_rdma_sgl_incapsule(const struct nvme_sgl_desc *sgl, uint32_t icd_len,
					struct nvmf_rdma_sgl_info *out)
{
	if (nvme_sgl_subtype(sgl) != NVME_SGL_SUBTYPE_OFFSET)
		return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
	out->length = sgl->unkeyed.length;
	if (out->xfer != NVMF_XFER_H2C && (out->length != 0 || icd_len != 0))
		return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
	out->addr = sgl->address;
	if (sgl->address > icd_len)
		return NVME_SC_INVALID_SGL_OFFSET;
	if ((uint64_t)out->length > icd_len - sgl->address)
		return NVME_SC_DATA_SGL_LENGTH_INVALID;
	out->kind = out->length ? NVMF_RDMA_DATA_INCAPSULE : NVMF_RDMA_DATA_NONE;
	return NVME_SC_SUCCESS;
}

uint16_t nvmf_rdma_sgl_parse(const struct nvme_cmd *cmd, uint32_t icd_len, uint32_t max_io,
			     struct nvmf_rdma_sgl_info *out)
{
	const struct nvme_sgl_desc *sgl = &cmd->dptr.sgl1;
	uint32_t xfer = nvmf_cmd_data_transfer(cmd);
	uint16_t sc;

	memset(out, 0, sizeof(*out));
	if (xfer == NVME_DATA_BIDIRECTIONAL)
		return NVME_SC_INVALID_FIELD;
	out->xfer = (enum nvmf_xfer)xfer;
	switch (nvme_sgl_type(sgl)) {
	case NVME_SGL_TYPE_KEYED_DATA_BLOCK:
		sc = nvmf_rdma_sgl_keyed(sgl, icd_len, max_io, out);
		break;
	case NVME_SGL_TYPE_DATA_BLOCK:
		sc = nvmf_rdma_sgl_incapsule(sgl, icd_len, out);
		break;
	default:
		/* A command without data may carry any descriptor: it is unused. */
		if (xfer == NVMF_XFER_NONE && icd_len == 0)
			return NVME_SC_SUCCESS;
		return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
	}
	if (sc != NVME_SC_SUCCESS)
		return sc;
	if (out->kind == NVMF_RDMA_DATA_NONE || xfer == NVMF_XFER_NONE) {
		/* No data moves, but a key to invalidate is still honoured. */
		out->xfer = NVMF_XFER_NONE;
		out->kind = NVMF_RDMA_DATA_NONE;
		out->length = 0;
	}
	return NVME_SC_SUCCESS;
}
