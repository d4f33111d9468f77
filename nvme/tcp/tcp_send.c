/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_send.c - NVMe/TCP host send side: CapsuleCmd PDUs (with in-capsule
 * data when it fits), H2CData PDUs for R2Ts, batched into one sendmsg()
 * per flush.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "nvme/tcp/tcp_internal.h"
#include "util.h"
#include "util_iov.h"

/* sendmsg() entries: header, data and digest of NVME_TCP_IOV_BATCH PDUs. */
#define NVME_TCP_IOV_MAX (NVME_TCP_IOV_BATCH * 3)

static uint32_t free_slots(const struct nvme_tcp_qpair *tq)
{
	return tq->base.num_reqs + NVME_TCP_EXTRA_PDUS - tq->sq_count;
}

static struct nvme_tcp_spdu *spdu_get(struct nvme_tcp_qpair *tq)
{
	struct nvme_tcp_spdu *p = tq->spdu_free;

	if (p != NULL) {
		tq->spdu_free = p->next;
		p->next = NULL;
	}
	return p;
}

static void spdu_put(struct nvme_tcp_qpair *tq, struct nvme_tcp_spdu *p)
{
	p->next = tq->spdu_free;
	tq->spdu_free = p;
}

static void sq_append(struct nvme_tcp_qpair *tq, struct nvme_tcp_spdu *p)
{
	p->next = NULL;
	if (tq->sq_tail != NULL)
		tq->sq_tail->next = p;
	else
		tq->sq_head = p;
	tq->sq_tail = p;
	tq->sq_count++;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * Finish the common header of @p: digest flags, HLEN, PDO, PLEN, header
 * digest, padding up to PDO, data digest. @hlen is the header without
 * digest; @data / @len the payload (may be empty).
 */
static void spdu_seal(struct nvme_tcp_qpair *tq, struct nvme_tcp_spdu *p, uint8_t hlen,
		      const void *data, uint32_t len)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)p->hdr;
	uint32_t hd = tq->hdgst ? NVME_TCP_DIGEST_LEN : 0;
	uint32_t pdo = len ? align_up(hlen + hd, nvme_tcp_pda_bytes(tq->cpda)) : 0;

	ch->hlen = hlen;
	ch->flags |= tq->hdgst ? NVME_TCP_FLAG_HDGSTF : 0;
	if (len != 0 && tq->ddgst)
		ch->flags |= NVME_TCP_FLAG_DDGSTF;
	ch->pdo = (uint8_t)pdo;
	p->hdr_len = len ? pdo : hlen + hd;
	p->data = data;
	p->data_len = len;
	p->ddgst_len = len && tq->ddgst ? NVME_TCP_DIGEST_LEN : 0;
	ch->plen = p->hdr_len + len + p->ddgst_len;
	if (hd != 0)
		nvme_put_le32(p->hdr + hlen, crc32c(0, p->hdr, hlen));
	if (p->ddgst_len != 0)
		nvme_put_le32(p->ddgst, crc32c(0, data, len));
}

int nvme_tcp_queue_icreq(struct nvme_tcp_qpair *tq)
{
	struct nvme_tcp_spdu *p = spdu_get(tq);
	struct nvme_tcp_icreq *ic;

	if (p == NULL)
		return -ENOMEM;
	memset(p->hdr, 0, sizeof(p->hdr));
	ic = (struct nvme_tcp_icreq *)p->hdr;
	ic->ch.pdu_type = NVME_TCP_PDU_ICREQ;
	ic->ch.hlen = NVME_TCP_ICREQ_HLEN;
	ic->ch.plen = NVME_TCP_ICREQ_HLEN;
	ic->pfv = NVME_TCP_PFV_1_0;
	ic->hpda = 0;
	ic->dgst = (uint8_t)((tq->want_hdgst ? NVME_TCP_DGST_HDGST_ENABLE : 0) |
			     (tq->want_ddgst ? NVME_TCP_DGST_DDGST_ENABLE : 0));
	ic->maxr2t = 0;
	p->hdr_len = NVME_TCP_ICREQ_HLEN;
	p->data = NULL;
	p->data_len = 0;
	p->ddgst_len = 0;
	p->cid = NVME_TCP_NO_CID;
	sq_append(tq, p);
	return 0;
}

static bool use_in_capsule(const struct nvme_tcp_qpair *tq, const struct nvme_request *req)
{
	if (req->dir != NVME_DATA_HOST_TO_CONTROLLER)
		return false;
	if (tq->base.qid == 0)
		return req->cmd.opc == NVME_OPC_FABRICS && req->len <= NVME_TCP_ADMIN_ICD;
	return req->len <= tq->icd_max;
}

int nvme_tcp_submit(struct nvme_qpair *q, struct nvme_request *req)
{
	struct nvme_tcp_qpair *tq = nvme_tcp_qpair(q);
	struct nvme_tcp_req *t = &tq->treqs[req->cmd.cid];
	struct nvme_tcp_spdu *p;
	struct nvme_tcp_cmd *c;
	bool icd;

	if (q->failed || tq->state != NVME_TCP_Q_READY)
		return -ENXIO;
	if (req->dir == NVME_DATA_BIDIRECTIONAL)
		return -EINVAL;
	if (tq->sq_count >= NVME_TCP_FLUSH_PDUS && nvme_tcp_flush(tq) != 0)
		return -ENXIO;
	p = spdu_get(tq);
	if (p == NULL)
		return -EAGAIN; /* send PDUs all queued: poll, then retry */
	memset(t, 0, sizeof(*t));
	t->next_h2c = NVME_TCP_NO_CID;
	icd = use_in_capsule(tq, req);
	memset(p->hdr, 0, NVME_TCP_HDR_MAX);
	c = (struct nvme_tcp_cmd *)p->hdr;
	c->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	c->ccsqe = req->cmd;
	c->ccsqe.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	if (icd)
		nvme_sgl_set_unkeyed(&c->ccsqe.dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_OFFSET, 0, req->len);
	else
		nvme_sgl_set_unkeyed(&c->ccsqe.dptr.sgl1, NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_TRANSPORT, 0, req->len);
	spdu_seal(tq, p, NVME_TCP_CAPSULE_CMD_HLEN, req->buf, icd ? req->len : 0);
	p->cid = req->cmd.cid;
	t->sends = 1;
	sq_append(tq, p);
	return 0;
}

/* ------------------------------------------------------------------ H2CData */

void nvme_tcp_h2c_start(struct nvme_tcp_qpair *tq, uint16_t cid, uint16_t ttag, uint32_t off,
			uint32_t len)
{
	struct nvme_tcp_req *t = &tq->treqs[cid];

	t->ttag = ttag;
	t->h2c_off = off;
	t->h2c_left = len;
	if (t->in_h2c_list)
		return;
	t->in_h2c_list = true;
	t->next_h2c = NVME_TCP_NO_CID;
	if (tq->h2c_tail != NVME_TCP_NO_CID)
		tq->treqs[tq->h2c_tail].next_h2c = cid;
	else
		tq->h2c_head = cid;
	tq->h2c_tail = cid;
}

static void h2c_queue_one(struct nvme_tcp_qpair *tq, uint16_t cid, struct nvme_tcp_spdu *p)
{
	struct nvme_tcp_req *t = &tq->treqs[cid];
	const struct nvme_request *req = &tq->base.reqs[cid];
	uint32_t chunk = t->h2c_left < tq->maxh2cdata ? t->h2c_left : tq->maxh2cdata;
	struct nvme_tcp_data_hdr *h;

	memset(p->hdr, 0, NVME_TCP_HDR_MAX);
	h = (struct nvme_tcp_data_hdr *)p->hdr;
	h->ch.pdu_type = NVME_TCP_PDU_H2C_DATA;
	h->ch.flags = chunk == t->h2c_left ? NVME_TCP_FLAG_LAST_PDU : 0;
	h->cccid = cid;
	h->ttag = t->ttag;
	h->datao = t->h2c_off;
	h->datal = chunk;
	spdu_seal(tq, p, NVME_TCP_DATA_HLEN, (const uint8_t *)req->buf + t->h2c_off, chunk);
	p->cid = cid;
	t->h2c_off += chunk;
	t->h2c_left -= chunk;
	t->sends++;
	sq_append(tq, p);
}

/*
 * Turn pending R2Ts into H2CData PDUs. Slots needed by requests not yet
 * submitted stay free, so H2CData never starves submission.
 */
static void h2c_fill(struct nvme_tcp_qpair *tq)
{
	uint32_t reserve = tq->base.num_reqs - tq->base.outstanding;

	while (tq->h2c_head != NVME_TCP_NO_CID) {
		uint16_t cid = tq->h2c_head;
		struct nvme_tcp_req *t = &tq->treqs[cid];

		while (t->h2c_left > 0) {
			if (free_slots(tq) <= reserve)
				return;
			h2c_queue_one(tq, cid, spdu_get(tq));
		}
		tq->h2c_head = t->next_h2c;
		if (tq->h2c_head == NVME_TCP_NO_CID)
			tq->h2c_tail = NVME_TCP_NO_CID;
		t->in_h2c_list = false;
	}
}

/* ------------------------------------------------------------------- flush */

static uint32_t spdu_len(const struct nvme_tcp_spdu *p)
{
	return p->hdr_len + p->data_len + p->ddgst_len;
}

/* Fill @iov (NVME_TCP_IOV_MAX entries) with the unsent bytes of the queue. @return count. */
static uint32_t build_iov(struct nvme_tcp_qpair *tq, struct iovec *iov)
{
	struct nvme_tcp_spdu *p = tq->sq_head;
	size_t skip = tq->sq_sent;
	uint32_t i, n = 0;

	for (i = 0; p != NULL && i < NVME_TCP_IOV_BATCH; i++, p = p->next) {
		n = iov_append(iov, n, NVME_TCP_IOV_MAX, p->hdr, p->hdr_len, &skip);
		n = iov_append(iov, n, NVME_TCP_IOV_MAX, p->data, p->data_len, &skip);
		n = iov_append(iov, n, NVME_TCP_IOV_MAX, p->ddgst, p->ddgst_len, &skip);
	}
	return n;
}

static void spdu_sent(struct nvme_tcp_qpair *tq, struct nvme_tcp_spdu *p)
{
	tq->sq_head = p->next;
	if (tq->sq_head == NULL)
		tq->sq_tail = NULL;
	tq->sq_count--;
	if (p->cid != NVME_TCP_NO_CID)
		tq->treqs[p->cid].sends--;
	spdu_put(tq, p);
}

static void sq_consume(struct nvme_tcp_qpair *tq, size_t n)
{
	while (n > 0 && tq->sq_head != NULL) {
		uint32_t rem = spdu_len(tq->sq_head) - tq->sq_sent;

		if (n < rem) {
			tq->sq_sent += (uint32_t)n;
			return;
		}
		n -= rem;
		tq->sq_sent = 0;
		spdu_sent(tq, tq->sq_head);
	}
}

int nvme_tcp_flush(struct nvme_tcp_qpair *tq)
{
	struct iovec iov[NVME_TCP_IOV_MAX];
	struct msghdr msg = {.msg_iov = iov};
	ssize_t n;

	if (tq->base.failed)
		return -ENXIO;
	h2c_fill(tq);
	while (tq->sq_head != NULL) {
		msg.msg_iovlen = build_iov(tq, iov);
		n = tq->tls == NULL ? sendmsg(tq->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT)
				    : nvme_tcp_tls_send(tq, iov, (uint32_t)msg.msg_iovlen);
		if (n < 0) {
			int rc = nvme_tcp_sock_error(tq, "send");

			if (rc > 0)
				continue;
			return rc;
		}
		sq_consume(tq, (size_t)n);
		h2c_fill(tq);
	}
	return 0;
}

void nvme_tcp_send_drop(struct nvme_tcp_qpair *tq)
{
	while (tq->sq_head != NULL)
		spdu_sent(tq, tq->sq_head);
	tq->sq_sent = 0;
	tq->h2c_head = tq->h2c_tail = NVME_TCP_NO_CID;
}
