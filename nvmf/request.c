/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * request.c - completing requests and moving bytes between flat buffers and
 * a request's data buffers.
 */
#include "nvmf/nvmf_internal.h"
#include "util_iov.h"

void nvmf_req_complete(struct nvmf_request *req, uint16_t status)
{
	struct nvmf_qpair *qp = req->qpair;
	struct nvmf_conn *c = nvmf_conn_of(qp);

	req->cpl.cid = req->cmd.cid;
	req->cpl.sqid = qp->qid;
	req->cpl.sqhd = qp->sq_head;
	nvme_cpl_set_status(&req->cpl, status);
	if (status != NVME_STATUS_SUCCESS && qp->ctrlr != NULL &&
	    req->cmd.opc != NVME_OPC_FABRICS &&
	    !(qp->qid == 0 && req->cmd.opc == NVME_OPC_ASYNC_EVENT_REQUEST))
		nvmf_errlog_record(&qp->ctrlr->errlog, qp->qid, &req->cmd, status,
				   qp->transport->opts.trtype);
	qp->outstanding--;
	nvmf_tr_req_complete(req);
	if (nvmf_conn_is_closed(c))
		nvmf_conn_maybe_free(c);
}

size_t nvmf_req_copy_to(struct nvmf_request *req, size_t off, const void *buf, size_t len)
{
	if (off >= req->length)
		return 0;
	if (len > req->length - off)
		len = req->length - off;
	return iov_from_buf(req->iov, req->iovcnt, off, buf, len);
}

size_t nvmf_req_copy_from(struct nvmf_request *req, size_t off, void *buf, size_t len)
{
	if (off >= req->length)
		return 0;
	if (len > req->length - off)
		len = req->length - off;
	return iov_to_buf(req->iov, req->iovcnt, off, buf, len);
}

void nvmf_req_zero_from(struct nvmf_request *req, size_t off)
{
	if (off < req->length)
		iov_memset(req->iov, req->iovcnt, off, 0, req->length - off);
}
