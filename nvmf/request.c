/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * request.c - completing requests and moving bytes between flat buffers and
 * a request's data buffers.
 */
#include <string.h>

#include "nvmf/nvmf_internal.h"

void nvmf_req_complete(struct nvmf_request *req, uint16_t status)
{
	struct nvmf_qpair *qp = req->qpair;
	struct nvmf_conn *c = nvmf_conn_of(qp);

	req->cpl.cid = req->cmd.cid;
	req->cpl.sqid = qp->qid;
	req->cpl.sqhd = qp->sq_head;
	nvme_cpl_set_status(&req->cpl, status);
	qp->outstanding--;
	nvmf_tr_req_complete(req);
	if (nvmf_conn_is_closed(c))
		nvmf_conn_maybe_free(c);
}

static size_t iov_copy(struct nvmf_request *req, size_t off, void *buf, size_t len, bool to_req)
{
	size_t done = 0;

	for (uint32_t i = 0; i < req->iovcnt && done < len; i++) {
		struct iovec *v = &req->iov[i];
		size_t n;

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		n = v->iov_len - off;
		if (n > len - done)
			n = len - done;
		if (to_req)
			memcpy((char *)v->iov_base + off, (char *)buf + done, n);
		else
			memcpy((char *)buf + done, (char *)v->iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t nvmf_req_copy_to(struct nvmf_request *req, size_t off, const void *buf, size_t len)
{
	if (off >= req->length)
		return 0;
	if (len > req->length - off)
		len = req->length - off;
	return iov_copy(req, off, (void *)buf, len, true);
}

size_t nvmf_req_copy_from(struct nvmf_request *req, size_t off, void *buf, size_t len)
{
	if (off >= req->length)
		return 0;
	if (len > req->length - off)
		len = req->length - off;
	return iov_copy(req, off, buf, len, false);
}

void nvmf_req_zero_from(struct nvmf_request *req, size_t off)
{
	static const char zeroes[4096];

	while (off < req->length) {
		size_t n = nvmf_req_copy_to(req, off, zeroes, sizeof(zeroes));
		if (n == 0)
			break;
		off += n;
	}
}
