/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_send.c - NVMe/TCP send side: PDU builders and the per-connection send
 * queue.
 *
 * Every outgoing PDU lives in a header area that already exists: the
 * connection's ICResp and TermReq slots, or the request's rsp (R2T or
 * CapsuleResp) and c2h (the C2HData being sent) slots; nothing is allocated
 * per I/O. nvmf_tcp_send_flush() gathers up to TCP_SEND_IOV_MAX iovecs of queued
 * PDUs (header, padding, data straight from the request's buffers, digest)
 * into one sendmsg(MSG_NOSIGNAL | MSG_DONTWAIT), keeps what is left of a
 * partly written PDU for the next call, and runs each PDU's completion once
 * it is fully written.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "transport/tcp/tcp_internal.h"
#include "util.h"
#include "util_iov.h"

static const uint8_t tcp_zero_pad[TCP_PAD_MAX];

/* Where a request's C2H data is: the backend's memory or the request's buffers. */
static const struct iovec *tcp_c2h_iov(const struct tcp_req *req, uint32_t *iovcnt)
{
	if (req->base.c2h_iov != NULL) {
		*iovcnt = req->base.c2h_iovcnt;
		return req->base.c2h_iov;
	}
	*iovcnt = req->base.iovcnt;
	return req->base.iov;
}

static void tcp_pdu_enqueue(struct tcp_conn *c, struct tcp_pdu *pdu)
{
	pdu->total = pdu->hdr_len + pdu->pad_len + pdu->data_len + pdu->ddgst_len + pdu->extra_len;
	pdu->sent = 0;
	pdu->queued = true;
	TAILQ_INSERT_TAIL(&c->sendq, pdu, link);
	nvmf_tcp_group_want_send(c);
}

/* Common header into @pdu; @hdgst adds the header digest when negotiated. */
static struct nvme_tcp_common_hdr *tcp_pdu_init(struct tcp_pdu *pdu, enum tcp_pdu_kind kind,
						uint8_t type, uint8_t hlen)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)pdu->hdr;

	memset(pdu->hdr, 0, hlen);
	pdu->kind = kind;
	pdu->hdr_len = hlen;
	pdu->pad_len = 0;
	pdu->data_off = 0;
	pdu->data_len = 0;
	pdu->ddgst_len = 0;
	pdu->extra_len = 0;
	ch->pdu_type = type;
	ch->hlen = hlen;
	ch->plen = hlen;
	return ch;
}

/* Finish the header: digest flags, PDO, PLEN and the digests themselves. */
static void tcp_pdu_seal(struct tcp_conn *c, struct tcp_pdu *pdu)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)pdu->hdr;
	uint32_t hlen = ch->hlen, plen;
	struct tcp_req *req = pdu->req;

	if (c->hdgst) {
		ch->flags |= NVME_TCP_FLAG_HDGSTF;
		pdu->hdr_len = hlen + 4;
	}
	if (pdu->data_len > 0) {
		uint32_t pdo = pdu->hdr_len;

		pdo = (pdo + c->hpda_align - 1) / c->hpda_align * c->hpda_align;
		pdu->pad_len = pdo - pdu->hdr_len;
		ch->pdo = (uint8_t)pdo;
		if (c->ddgst) {
			ch->flags |= NVME_TCP_FLAG_DDGSTF;
			pdu->ddgst_len = 4;
			uint32_t n;
			const struct iovec *iov = tcp_c2h_iov(req, &n);

			nvme_put_le32(pdu->ddgst,
				      nvmf_tcp_iov_crc(iov, n, pdu->data_off, pdu->data_len));
		}
		plen = pdo + pdu->data_len + pdu->ddgst_len;
	} else {
		plen = pdu->hdr_len + pdu->extra_len;
	}
	ch->plen = plen;
	if (c->hdgst)
		nvme_put_le32(pdu->hdr + hlen, crc32c(0, pdu->hdr, hlen));
}

void nvmf_tcp_send_icresp(struct tcp_conn *c, uint8_t dgst, uint32_t maxh2cdata)
{
	struct tcp_pdu *pdu = &c->icresp;
	struct nvme_tcp_icresp *ic;

	tcp_pdu_init(pdu, TCP_PDU_ICRESP, NVME_TCP_PDU_ICRESP, sizeof(*ic));
	ic = (struct nvme_tcp_icresp *)pdu->hdr;
	ic->pfv = 0;
	ic->cpda = 0;
	ic->dgst = dgst;
	ic->maxh2cdata = maxh2cdata;
	pdu->req = NULL;
	tcp_pdu_enqueue(c, pdu);
}

void nvmf_tcp_send_term(struct tcp_conn *c, uint16_t fes, uint32_t fei)
{
	struct tcp_pdu *pdu = &c->term;
	struct nvme_tcp_term_req_hdr *term;
	uint32_t n = c->rx_hdr_len < TCP_TERM_ERR_DATA_MAX ? c->rx_hdr_len : TCP_TERM_ERR_DATA_MAX;

	tcp_pdu_init(pdu, TCP_PDU_TERM, NVME_TCP_PDU_C2H_TERM_REQ, sizeof(*term));
	term = (struct nvme_tcp_term_req_hdr *)pdu->hdr;
	term->fes = fes;
	term->fei = fei;
	memcpy(pdu->extra, c->rx_hdr, n);
	pdu->extra_len = n;
	pdu->req = NULL;
	/* TermReq PDUs carry no digests: their header is sealed by hand. */
	term->ch.plen = sizeof(*term) + n;
	tcp_pdu_enqueue(c, pdu);
}

void nvmf_tcp_send_r2t(struct tcp_req *req)
{
	struct tcp_pdu *pdu = &req->rsp;
	struct nvme_tcp_r2t_hdr *r2t;

	tcp_pdu_init(pdu, TCP_PDU_R2T, NVME_TCP_PDU_R2T, sizeof(*r2t));
	r2t = (struct nvme_tcp_r2t_hdr *)pdu->hdr;
	r2t->cccid = req->base.cmd.cid;
	r2t->ttag = req->ttag;
	r2t->r2to = req->r2t_off;
	r2t->r2tl = req->r2t_len;
	tcp_pdu_seal(req->conn, pdu);
	tcp_pdu_enqueue(req->conn, pdu);
}

void nvmf_tcp_send_resp(struct tcp_req *req)
{
	struct tcp_pdu *pdu = &req->rsp;
	struct nvme_tcp_rsp *rsp;

	tcp_pdu_init(pdu, TCP_PDU_RESP, NVME_TCP_PDU_CAPSULE_RESP, sizeof(*rsp));
	rsp = (struct nvme_tcp_rsp *)pdu->hdr;
	rsp->rccqe = req->base.cpl;
	tcp_pdu_seal(req->conn, pdu);
	tcp_pdu_enqueue(req->conn, pdu);
}

/* SUCCESS may replace the CapsuleResp only with SQ flow control disabled. */
static bool tcp_c2h_success_ok(struct tcp_req *req)
{
	struct tcp_conn *c = req->conn;

	return nvmf_tcp_conn_transport(c)->c2h_success && c->base.sq_flow_disabled &&
	       !nvme_cpl_is_error(&req->base.cpl);
}

void nvmf_tcp_send_c2h(struct tcp_req *req)
{
	struct tcp_pdu *pdu = &req->c2h;
	struct nvme_tcp_data_hdr *h;
	uint32_t left = req->base.length - req->c2h_off;
	uint32_t len = left < TCP_MAX_C2H_PDU ? left : TCP_MAX_C2H_PDU;

	tcp_pdu_init(pdu, TCP_PDU_C2H, NVME_TCP_PDU_C2H_DATA, sizeof(*h));
	h = (struct nvme_tcp_data_hdr *)pdu->hdr;
	h->cccid = req->base.cmd.cid;
	h->datao = req->c2h_off;
	h->datal = len;
	if (len == left) {
		h->ch.flags |= NVME_TCP_FLAG_LAST_PDU;
		if (tcp_c2h_success_ok(req))
			h->ch.flags |= NVME_TCP_FLAG_SUCCESS;
	}
	pdu->data_off = req->c2h_off;
	pdu->data_len = len;
	req->c2h_off += len;
	tcp_pdu_seal(req->conn, pdu);
	tcp_pdu_enqueue(req->conn, pdu);
	/* The CapsuleResp goes right behind the last C2HData: same sendmsg(). */
	if (len == left && !(h->ch.flags & NVME_TCP_FLAG_SUCCESS))
		nvmf_tcp_send_resp(req);
}

/* A PDU is fully written: move its request on. */
static void tcp_pdu_written(struct tcp_conn *c, struct tcp_pdu *pdu)
{
	struct tcp_req *req = pdu->req;
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)pdu->hdr;

	switch (pdu->kind) {
	case TCP_PDU_R2T:
		nvmf_tcp_req_r2t_sent(req);
		break;
	case TCP_PDU_RESP:
		nvmf_tcp_req_sent(req);
		break;
	case TCP_PDU_C2H:
		if (req->c2h_off < req->base.length)
			nvmf_tcp_send_c2h(req);
		else if (ch->flags & NVME_TCP_FLAG_SUCCESS)
			nvmf_tcp_req_sent(req);
		break;
	case TCP_PDU_ICRESP:
	case TCP_PDU_TERM:
		break;
	}
	(void)c;
}

static uint32_t tcp_pdu_iov(struct tcp_pdu *pdu, struct iovec *iov, uint32_t cnt)
{
	size_t skip = pdu->sent;

	cnt = iov_append(iov, cnt, TCP_SEND_IOV_MAX, pdu->hdr, pdu->hdr_len, &skip);
	cnt = iov_append(iov, cnt, TCP_SEND_IOV_MAX, tcp_zero_pad, pdu->pad_len, &skip);
	if (pdu->data_len > 0 && cnt < TCP_SEND_IOV_MAX) {
		uint32_t n;
		const struct iovec *data = tcp_c2h_iov(pdu->req, &n);

		if (skip >= pdu->data_len) {
			skip -= pdu->data_len;
		} else {
			cnt += iov_slice(data, n, pdu->data_off + skip, pdu->data_len - skip,
					 iov + cnt, TCP_SEND_IOV_MAX - cnt);
			skip = 0;
		}
	}
	cnt = iov_append(iov, cnt, TCP_SEND_IOV_MAX, pdu->ddgst, pdu->ddgst_len, &skip);
	cnt = iov_append(iov, cnt, TCP_SEND_IOV_MAX, pdu->extra, pdu->extra_len, &skip);
	return cnt;
}

/* Account @n written bytes to the queue head(s). */
static void tcp_send_consume(struct tcp_conn *c, size_t n)
{
	struct tcp_pdu *pdu;

	while (n > 0 && (pdu = TAILQ_FIRST(&c->sendq)) != NULL) {
		uint32_t left = pdu->total - pdu->sent;

		if (n < left) {
			pdu->sent += (uint32_t)n;
			return;
		}
		n -= left;
		TAILQ_REMOVE(&c->sendq, pdu, link);
		pdu->queued = false;
		c->tx_pdus++;
		tcp_pdu_written(c, pdu);
	}
}

int nvmf_tcp_send_flush(struct tcp_conn *c)
{
	struct iovec iov[TCP_SEND_IOV_MAX];
	struct msghdr msg = {0};
	struct tcp_pdu *pdu;
	int busy = NVMF_POLL_IDLE, rounds = 0;
	uint32_t cnt;
	ssize_t n;

	while (!TAILQ_EMPTY(&c->sendq) && c->state < TCP_CONN_CLOSING && rounds++ < 16) {
		cnt = 0;
		TAILQ_FOREACH(pdu, &c->sendq, link)
		{
			if (cnt >= TCP_SEND_IOV_MAX)
				break;
			cnt = tcp_pdu_iov(pdu, iov, cnt);
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = cnt;
		n = c->tls == NULL ? sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT)
				   : nvmf_tcp_tls_write(c, iov, cnt);
		c->tx_syscalls++;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			log_info(TCP_LOG, "connection from %s:%s: send failed: %s",
				 c->base.peer.traddr, c->base.peer.trsvcid, strerror(errno));
			nvmf_tcp_conn_close(c);
			return NVMF_POLL_BUSY;
		}
		busy = NVMF_POLL_BUSY;
		tcp_send_consume(c, (size_t)n);
	}
	return busy;
}

void nvmf_tcp_send_drop(struct tcp_conn *c)
{
	struct tcp_pdu *pdu;

	while ((pdu = TAILQ_FIRST(&c->sendq)) != NULL) {
		TAILQ_REMOVE(&c->sendq, pdu, link);
		pdu->queued = false;
	}
}

uint32_t nvmf_tcp_iov_crc(const struct iovec *iov, uint32_t iovcnt, uint32_t off, uint32_t len)
{
	struct iovec s[NVMF_REQ_MAX_IOV];
	uint32_t i, n, crc = 0;

	n = iov_slice(iov, iovcnt, off, len, s, NVMF_REQ_MAX_IOV);
	for (i = 0; i < n; i++)
		crc = crc32c(crc, s[i].iov_base, s[i].iov_len);
	return crc;
}
