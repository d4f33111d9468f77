/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_recv.c - NVMe/TCP host receive side: an explicit state machine over
 * partial reads (any split of the byte stream works), every header field
 * validated, C2HData received into the caller's buffer.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "nvme/tcp/tcp_internal.h"
#include "util.h"

#define RX_DIRECT_MIN 512u /* payloads at least this long bypass the staging buffer */

static void rx_set(struct nvme_tcp_rx *rx, enum nvme_tcp_rx_state st, uint32_t need)
{
	rx->state = st;
	rx->got = 0;
	rx->need = need;
}

static ssize_t rx_recv(struct nvme_tcp_qpair *tq, void *buf, size_t len)
{
	return tq->tls == NULL ? recv(tq->fd, buf, len, MSG_DONTWAIT)
			       : nvme_tcp_tls_recv(tq, buf, len);
}

/*
 * Up to @want bytes into @dst (NULL: discard): from the staging buffer when
 * it holds some, else with one recv(). @return bytes, 0 when nothing is
 * available, -ENXIO when the qpair failed.
 */
static int rx_read(struct nvme_tcp_qpair *tq, uint8_t *dst, uint32_t want, bool direct)
{
	struct nvme_tcp_rx *rx = &tq->rx;
	uint32_t n;
	ssize_t r;

	while (rx->stage_off == rx->stage_len) {
		if (direct && dst != NULL && want >= RX_DIRECT_MIN)
			r = rx_recv(tq, dst, want);
		else
			r = rx_recv(tq, rx->stage, NVME_TCP_STAGE_SIZE);
		if (r == 0)
			return nvme_tcp_fail(tq, "connection closed by the controller");
		if (r < 0) {
			int rc = nvme_tcp_sock_error(tq, "receive");

			if (rc > 0)
				continue;
			return rc;
		}
		if (direct && dst != NULL && want >= RX_DIRECT_MIN)
			return (int)r;
		rx->stage_off = 0;
		rx->stage_len = (uint32_t)r;
	}
	n = rx->stage_len - rx->stage_off;
	if (n > want)
		n = want;
	if (dst != NULL)
		memcpy(dst, rx->stage + rx->stage_off, n);
	rx->stage_off += n;
	return (int)n;
}

/* ------------------------------------------------------------ completion */

void nvme_tcp_req_done(struct nvme_tcp_qpair *tq, uint16_t cid, const struct nvme_cpl *cpl)
{
	struct nvme_tcp_req *t = &tq->treqs[cid];

	t->h2c_left = 0;
	if (t->sends != 0) {
		t->cpl = *cpl;
		t->cpl_pending = true;
		tq->deferred++;
		return;
	}
	tq->rx_completions++;
	nvme_qpair_complete(&tq->base, &tq->base.reqs[cid], cpl);
}

static void complete_deferred(struct nvme_tcp_qpair *tq)
{
	uint32_t i;

	for (i = 0; i < tq->base.num_reqs && tq->deferred != 0; i++) {
		struct nvme_tcp_req *t = &tq->treqs[i];

		if (!t->cpl_pending || t->sends != 0)
			continue;
		t->cpl_pending = false;
		tq->deferred--;
		tq->rx_completions++;
		nvme_qpair_complete(&tq->base, &tq->base.reqs[i], &t->cpl);
	}
}

/* A live command of this qpair, not yet answered. */
static struct nvme_request *rx_req(struct nvme_tcp_qpair *tq, uint16_t cid)
{
	if (cid >= tq->base.num_reqs || !tq->base.reqs[cid].active || tq->treqs[cid].cpl_pending)
		return NULL;
	return &tq->base.reqs[cid];
}

/* ------------------------------------------------------------ PDU headers */

static int rx_ch(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_common_hdr *ch = (const struct nvme_tcp_common_hdr *)tq->rx.hdr;
	bool icresp_wanted = tq->state == NVME_TCP_Q_WAIT_ICRESP;
	uint32_t hd = nvme_tcp_pdu_hdgst_len(ch->pdu_type, tq->hdgst);

	switch (ch->pdu_type) {
	case NVME_TCP_PDU_ICRESP:
		if (!icresp_wanted)
			return nvme_tcp_fail(tq, "unexpected ICResp");
		if (ch->plen != NVME_TCP_ICRESP_HLEN)
			return nvme_tcp_fail(tq, "ICResp PLEN %u", ch->plen);
		break;
	case NVME_TCP_PDU_C2H_TERM_REQ:
		if (ch->plen < NVME_TCP_TERM_REQ_HLEN || ch->plen > NVME_TCP_TERM_REQ_MAX_PLEN)
			return nvme_tcp_fail(tq, "C2HTermReq PLEN %u", ch->plen);
		break;
	case NVME_TCP_PDU_CAPSULE_RESP:
	case NVME_TCP_PDU_R2T:
	case NVME_TCP_PDU_C2H_DATA:
		if (icresp_wanted)
			return nvme_tcp_fail(tq, "PDU type 0x%02x before ICResp", ch->pdu_type);
		if (!!(ch->flags & NVME_TCP_FLAG_HDGSTF) != tq->hdgst)
			return nvme_tcp_fail(tq, "PDU type 0x%02x: header digest flag mismatch",
					     ch->pdu_type);
		break;
	default:
		return nvme_tcp_fail(tq, "unexpected PDU type 0x%02x", ch->pdu_type);
	}
	if (ch->hlen != nvme_tcp_pdu_hlen(ch->pdu_type))
		return nvme_tcp_fail(tq, "PDU type 0x%02x: HLEN %u", ch->pdu_type, ch->hlen);
	if (ch->pdu_type != NVME_TCP_PDU_C2H_DATA && ch->pdu_type != NVME_TCP_PDU_C2H_TERM_REQ &&
	    ch->plen != ch->hlen + hd)
		return nvme_tcp_fail(tq, "PDU type 0x%02x: PLEN %u", ch->pdu_type, ch->plen);
	rx_set(&tq->rx, NVME_TCP_RX_PSH, ch->hlen + hd - (uint32_t)sizeof(*ch));
	return 1;
}

static void pdu_done(struct nvme_tcp_qpair *tq)
{
	rx_set(&tq->rx, NVME_TCP_RX_CH, sizeof(struct nvme_tcp_common_hdr));
}

static int rx_icresp(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_icresp *ic = (const struct nvme_tcp_icresp *)tq->rx.hdr;
	uint8_t asked = (uint8_t)((tq->want_hdgst ? NVME_TCP_DGST_HDGST_ENABLE : 0) |
				  (tq->want_ddgst ? NVME_TCP_DGST_DDGST_ENABLE : 0));

	if (ic->pfv != NVME_TCP_PFV_1_0)
		return nvme_tcp_fail(tq, "ICResp PFV %u not supported", ic->pfv);
	if (ic->cpda > NVME_TCP_PDA_MAX)
		return nvme_tcp_fail(tq, "ICResp CPDA %u", ic->cpda);
	if (ic->dgst & ~asked)
		return nvme_tcp_fail(tq, "ICResp enables digests not asked for (0x%x)", ic->dgst);
	if (ic->maxh2cdata < NVME_TCP_MAXH2CDATA_MIN || ic->maxh2cdata % 4 != 0)
		return nvme_tcp_fail(tq, "ICResp MAXH2CDATA %u", ic->maxh2cdata);
	tq->hdgst = (ic->dgst & NVME_TCP_DGST_HDGST_ENABLE) != 0;
	tq->ddgst = (ic->dgst & NVME_TCP_DGST_DDGST_ENABLE) != 0;
	tq->cpda = ic->cpda;
	tq->maxh2cdata = ic->maxh2cdata;
	tq->state = NVME_TCP_Q_READY;
	pdu_done(tq);
	return 1;
}

static int rx_capsule_resp(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_rsp *r = (const struct nvme_tcp_rsp *)tq->rx.hdr;
	struct nvme_cpl cpl = r->rccqe;

	if (rx_req(tq, cpl.cid) == NULL)
		return nvme_tcp_fail(tq, "CapsuleResp for unknown CID %u", cpl.cid);
	pdu_done(tq);
	nvme_tcp_req_done(tq, cpl.cid, &cpl);
	return 1;
}

static int rx_r2t(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_r2t_hdr *r = (const struct nvme_tcp_r2t_hdr *)tq->rx.hdr;
	const struct nvme_request *req = rx_req(tq, r->cccid);

	if (req == NULL || req->dir != NVME_DATA_HOST_TO_CONTROLLER)
		return nvme_tcp_fail(tq, "R2T for unknown or non-write CID %u", r->cccid);
	if (r->r2tl == 0 || r->r2to > req->len || r->r2tl > req->len - r->r2to)
		return nvme_tcp_fail(tq, "R2T CID %u: R2TO %u R2TL %u beyond the %u-byte buffer",
				     r->cccid, r->r2to, r->r2tl, req->len);
	if (tq->treqs[r->cccid].h2c_left != 0)
		return nvme_tcp_fail(tq, "R2T CID %u: previous R2T still in progress", r->cccid);
	nvme_tcp_h2c_start(tq, r->cccid, r->ttag, r->r2to, r->r2tl);
	pdu_done(tq);
	return 1;
}

static int rx_c2h_data(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_data_hdr *h = (const struct nvme_tcp_data_hdr *)tq->rx.hdr;
	const struct nvme_request *req = rx_req(tq, h->cccid);
	uint32_t hd = nvme_tcp_pdu_hdgst_len(NVME_TCP_PDU_C2H_DATA, tq->hdgst),
		 dd = tq->ddgst ? NVME_TCP_DIGEST_LEN : 0;

	if (req == NULL || req->dir != NVME_DATA_CONTROLLER_TO_HOST)
		return nvme_tcp_fail(tq, "C2HData for unknown or non-read CID %u", h->cccid);
	if (!!(h->ch.flags & NVME_TCP_FLAG_DDGSTF) != tq->ddgst)
		return nvme_tcp_fail(tq, "C2HData CID %u: data digest flag mismatch", h->cccid);
	if (h->datal == 0 || h->datao > req->len || h->datal > req->len - h->datao)
		return nvme_tcp_fail(tq,
				     "C2HData CID %u: DATAO %u DATAL %u beyond the %u-byte buffer",
				     h->cccid, h->datao, h->datal, req->len);
	if (h->ch.pdo < NVME_TCP_DATA_HLEN + hd || h->ch.plen != h->ch.pdo + h->datal + dd)
		return nvme_tcp_fail(tq, "C2HData CID %u: PDO %u PLEN %u DATAL %u inconsistent",
				     h->cccid, h->ch.pdo, h->ch.plen, h->datal);
	if ((h->ch.flags & NVME_TCP_FLAG_SUCCESS) && !(h->ch.flags & NVME_TCP_FLAG_LAST_PDU))
		return nvme_tcp_fail(tq, "C2HData CID %u: SUCCESS without LAST_PDU", h->cccid);
	tq->rx.dst = (uint8_t *)req->buf + h->datao;
	tq->rx.crc = 0;
	if (h->ch.pdo > NVME_TCP_DATA_HLEN + hd)
		rx_set(&tq->rx, NVME_TCP_RX_PAD, h->ch.pdo - NVME_TCP_DATA_HLEN - hd);
	else
		rx_set(&tq->rx, NVME_TCP_RX_DATA, h->datal);
	return 1;
}

static int rx_term_req(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_term_req_hdr *h = (const struct nvme_tcp_term_req_hdr *)tq->rx.hdr;

	tq->rx.dst = tq->rx.term;
	rx_set(&tq->rx, NVME_TCP_RX_DATA, h->ch.plen - NVME_TCP_TERM_REQ_HLEN);
	if (tq->rx.need == 0)
		return nvme_tcp_fail(
		    tq, "controller terminated the connection: C2HTermReq FES 0x%x FEI 0x%x",
		    h->fes, h->fei);
	return 1;
}

static int rx_psh(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_common_hdr *ch = (const struct nvme_tcp_common_hdr *)tq->rx.hdr;

	if (nvme_tcp_pdu_hdgst_len(ch->pdu_type, tq->hdgst) != 0 &&
	    nvme_get_le32(tq->rx.hdr + ch->hlen) != crc32c(0, tq->rx.hdr, ch->hlen))
		return nvme_tcp_fail(tq, "PDU type 0x%02x: header digest error", ch->pdu_type);
	switch (ch->pdu_type) {
	case NVME_TCP_PDU_ICRESP:
		return rx_icresp(tq);
	case NVME_TCP_PDU_CAPSULE_RESP:
		return rx_capsule_resp(tq);
	case NVME_TCP_PDU_R2T:
		return rx_r2t(tq);
	case NVME_TCP_PDU_C2H_DATA:
		return rx_c2h_data(tq);
	default:
		return rx_term_req(tq);
	}
}

/* ------------------------------------------------------------- PDU data */

static int rx_data_done(struct nvme_tcp_qpair *tq)
{
	const struct nvme_tcp_data_hdr *h = (const struct nvme_tcp_data_hdr *)tq->rx.hdr;
	struct nvme_cpl cpl;

	if (h->ch.pdu_type == NVME_TCP_PDU_C2H_TERM_REQ) {
		const struct nvme_tcp_term_req_hdr *t = (const void *)tq->rx.hdr;

		return nvme_tcp_fail(
		    tq, "controller terminated the connection: C2HTermReq FES 0x%x FEI 0x%x",
		    t->fes, t->fei);
	}
	if (tq->ddgst && nvme_get_le32(tq->rx.ddgst) != tq->rx.crc)
		return nvme_tcp_fail(tq, "C2HData CID %u: data digest error", h->cccid);
	tq->treqs[h->cccid].c2h_bytes += h->datal;
	pdu_done(tq);
	if (h->ch.flags & NVME_TCP_FLAG_SUCCESS) {
		memset(&cpl, 0, sizeof(cpl));
		cpl.cid = h->cccid;
		cpl.sqid = tq->base.qid;
		tq->base.stats.data_completions++;
		nvme_tcp_req_done(tq, h->cccid, &cpl);
	}
	return 1;
}

static int rx_data(struct nvme_tcp_qpair *tq)
{
	struct nvme_tcp_rx *rx = &tq->rx;
	bool term = rx->hdr[0] == NVME_TCP_PDU_C2H_TERM_REQ;
	uint8_t *dst = rx->dst + rx->got;
	int n;

	if (term && rx->got >= sizeof(rx->term))
		dst = NULL;
	n = rx_read(tq, dst, rx->need - rx->got, !term);
	if (n <= 0)
		return n;
	if (tq->ddgst && !term)
		rx->crc = crc32c(rx->crc, dst, (size_t)n);
	rx->got += (uint32_t)n;
	if (rx->got < rx->need)
		return 1;
	if (tq->ddgst && !term) {
		rx_set(rx, NVME_TCP_RX_DDGST, NVME_TCP_DIGEST_LEN);
		return 1;
	}
	return rx_data_done(tq);
}

/* One step of the receive state machine. @return 1 progress, 0 no data, -ENXIO. */
static int rx_step(struct nvme_tcp_qpair *tq)
{
	struct nvme_tcp_rx *rx = &tq->rx;
	const struct nvme_tcp_data_hdr *h = (const struct nvme_tcp_data_hdr *)rx->hdr;
	int n;

	switch (rx->state) {
	case NVME_TCP_RX_CH:
	case NVME_TCP_RX_PSH:
		n = rx_read(tq, rx->hdr + (rx->state == NVME_TCP_RX_PSH ? 8 : 0) + rx->got,
			    rx->need - rx->got, false);
		if (n <= 0)
			return n;
		rx->got += (uint32_t)n;
		if (rx->got < rx->need)
			return 1;
		return rx->state == NVME_TCP_RX_CH ? rx_ch(tq) : rx_psh(tq);
	case NVME_TCP_RX_PAD:
		n = rx_read(tq, NULL, rx->need - rx->got, false);
		if (n <= 0)
			return n;
		rx->got += (uint32_t)n;
		if (rx->got == rx->need)
			rx_set(rx, NVME_TCP_RX_DATA, h->datal);
		return 1;
	case NVME_TCP_RX_DATA:
		return rx_data(tq);
	case NVME_TCP_RX_DDGST:
		n = rx_read(tq, rx->ddgst + rx->got, rx->need - rx->got, false);
		if (n <= 0)
			return n;
		rx->got += (uint32_t)n;
		return rx->got < rx->need ? 1 : rx_data_done(tq);
	default:
		return -ENXIO;
	}
}

int nvme_tcp_recv(struct nvme_tcp_qpair *tq, uint32_t max)
{
	int rc;

	for (;;) {
		if (max != 0 && tq->rx_completions >= max && tq->rx.state == NVME_TCP_RX_CH &&
		    tq->rx.got == 0)
			return 0;
		rc = rx_step(tq);
		if (rc <= 0)
			return rc;
	}
}

int nvme_tcp_poll(struct nvme_qpair *q, uint32_t max)
{
	struct nvme_tcp_qpair *tq = nvme_tcp_qpair(q);

	tq->rx_completions = 0;
	if (q->failed || nvme_tcp_flush(tq) != 0 || nvme_tcp_recv(tq, max) != 0 ||
	    nvme_tcp_flush(tq) != 0) {
		nvme_tcp_send_drop(tq);
		return -ENXIO;
	}
	if (tq->deferred != 0)
		complete_deferred(tq);
	return (int)tq->rx_completions;
}
