/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_pdu.c - NVMe/TCP received PDUs: header checks and handlers.
 *
 * nvmf_tcp_pdu_check_ch() runs on the 8-byte common header (type, HLEN, PLEN),
 * nvmf_tcp_pdu_header() on the whole header (sequence, PDO, the type's fields;
 * it decides where the data goes), nvmf_tcp_pdu_complete() once the data and
 * digests are in. A fatal error queues a C2HTermReq whose FES/FEI name the
 * offending field (FEI = its byte offset in the header) and closes.
 *
 * Data digest errors are not fatal: the command is completed with
 * Transient Transport Error (generic status 22h) and the connection lives
 * on. Header digest errors are fatal (FES 03h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "transport/tcp/tcp_internal.h"
#include "util.h"

/* HLEN of a PDU a host may send; 0 for any other type. */
static uint32_t tcp_pdu_expected_hlen(uint8_t type)
{
	return nvme_tcp_pdu_from_host(type) ? nvme_tcp_pdu_hlen(type) : 0;
}

static int tcp_fatal(struct tcp_conn *c, uint16_t fes, uint32_t fei)
{
	nvmf_tcp_conn_fatal(c, fes, fei);
	return -EPROTO;
}

int nvmf_tcp_pdu_check_ch(struct tcp_conn *c)
{
	const struct nvme_tcp_common_hdr *ch = (const void *)c->rx_hdr;
	uint32_t hlen = tcp_pdu_expected_hlen(ch->pdu_type);
	uint32_t hd;

	if (hlen == 0)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_common_hdr, pdu_type));
	if (ch->hlen != hlen)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_common_hdr, hlen));
	hd = nvme_tcp_pdu_hdgst_len(ch->pdu_type, c->hdgst);
	if (ch->plen < hlen + hd)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_common_hdr, plen));
	c->rx_type = ch->pdu_type;
	c->rx_hlen = hlen;
	c->rx_plen = ch->plen;
	c->rx_pdo = ch->pdo;
	return 0;
}

/* Where the data is and how long: PDO and PLEN against the header. */
static int tcp_pdu_data_len(struct tcp_conn *c, uint32_t max)
{
	uint32_t hd = nvme_tcp_pdu_hdgst_len(c->rx_type, c->hdgst);
	uint32_t dd = c->ddgst ? 4 : 0;
	uint32_t hend = c->rx_hlen + hd;

	c->rx_data_len = 0;
	if (c->rx_plen == hend)
		return 0;
	if (c->rx_pdo < hend || c->rx_pdo - hend > TCP_PAD_MAX || c->rx_pdo + dd >= c->rx_plen)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_common_hdr, pdo));
	c->rx_data_len = c->rx_plen - c->rx_pdo - dd;
	if (c->rx_data_len > max)
		return tcp_fatal(c, NVME_TCP_FES_DATA_LIMIT_EXCEEDED,
				 offsetof(struct nvme_tcp_common_hdr, plen));
	return 0;
}

static int tcp_icreq_header(struct tcp_conn *c)
{
	if (c->rx_plen != sizeof(struct nvme_tcp_icreq))
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_common_hdr, plen));
	return 0;
}

static int tcp_icreq_done(struct tcp_conn *c)
{
	const struct nvme_tcp_icreq *ic = (const void *)c->rx_hdr;
	const struct nvmf_transport_opts *o = &c->base.transport->opts;
	uint8_t dgst = 0;

	if (ic->pfv != 0)
		return tcp_fatal(c, NVME_TCP_FES_UNSUPPORTED_PARAMETER,
				 offsetof(struct nvme_tcp_icreq, pfv));
	if (ic->hpda > NVME_TCP_PDA_MAX)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_icreq, hpda));
	c->hpda_align = nvme_tcp_pda_bytes(ic->hpda);
	c->maxr2t = ic->maxr2t;
	if ((ic->dgst & NVME_TCP_DGST_HDGST_ENABLE) && o->hdgst_allowed)
		dgst |= NVME_TCP_DGST_HDGST_ENABLE;
	if ((ic->dgst & NVME_TCP_DGST_DDGST_ENABLE) && o->ddgst_allowed)
		dgst |= NVME_TCP_DGST_DDGST_ENABLE;
	nvmf_tcp_send_icresp(c, dgst, TCP_MAXH2CDATA);
	c->hdgst = dgst & NVME_TCP_DGST_HDGST_ENABLE;
	c->ddgst = dgst & NVME_TCP_DGST_DDGST_ENABLE;
	c->state = TCP_CONN_RUNNING;
	return 0;
}

static int tcp_term_header(struct tcp_conn *c)
{
	const struct nvme_tcp_term_req_hdr *t = (const void *)c->rx_hdr;

	log_info(TCP_LOG, "connection from %s:%s: host terminated it (FES %u, FEI %u)",
		 c->base.peer.traddr, c->base.peer.trsvcid, t->fes, t->fei);
	nvmf_tcp_conn_close(c);
	return -ECONNRESET;
}

static int tcp_capsule_header(struct tcp_conn *c)
{
	const struct nvme_tcp_cmd *pdu = (const void *)c->rx_hdr;
	struct tcp_req *req;

	if (tcp_pdu_data_len(c, nvmf_tcp_conn_icd_limit(c)) != 0)
		return -EPROTO;
	req = nvmf_tcp_req_get(c);
	if (req == NULL)
		return tcp_fatal(c, NVME_TCP_FES_PDU_SEQUENCE_ERROR, 0);
	req->base.cmd = pdu->ccsqe;
	c->rx_req = req;
	c->rx_data_off = 0;
	if (c->rx_data_len > 0) {
		nvmf_tcp_req_set_state(req, TCP_REQ_RECV_ICD);
		req->base.iov[0].iov_base = req->icd;
		req->base.iov[0].iov_len = c->rx_data_len;
		req->base.iovcnt = 1;
	}
	return 0;
}

/* The SGL says how much data and where; check it against what came in. */
static uint16_t tcp_capsule_parse(struct tcp_conn *c, struct tcp_req *req, uint32_t icd_len)
{
	const struct nvme_sgl_desc *sgl = &req->base.cmd.dptr.sgl1;
	uint32_t xfer = nvmf_cmd_data_transfer(&req->base.cmd);
	uint32_t len = sgl->unkeyed.length;
	uint8_t type = nvme_sgl_type(sgl), sub = nvme_sgl_subtype(sgl);

	if (xfer == NVME_DATA_BIDIRECTIONAL)
		return NVME_SC_INVALID_FIELD;
	if (xfer == NVMF_XFER_NONE || len == 0) {
		req->base.xfer = NVMF_XFER_NONE;
		return icd_len ? NVME_SC_DATA_SGL_LENGTH_INVALID : NVME_SC_SUCCESS;
	}
	req->base.xfer = (enum nvmf_xfer)xfer;
	req->base.length = len;
	if (type == NVME_SGL_TYPE_DATA_BLOCK && sub == NVME_SGL_SUBTYPE_OFFSET) {
		if (xfer != NVMF_XFER_H2C)
			return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
		if (sgl->address != 0)
			return NVME_SC_INVALID_SGL_OFFSET;
		if (len != icd_len)
			return NVME_SC_DATA_SGL_LENGTH_INVALID;
		return NVME_SC_SUCCESS;
	}
	if (type != NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK || sub != NVME_SGL_SUBTYPE_TRANSPORT)
		return NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID;
	if (icd_len != 0)
		return NVME_SC_DATA_SGL_LENGTH_INVALID;
	if (len > c->base.transport->opts.max_io_size)
		return NVME_SC_INVALID_FIELD;
	return NVME_SC_SUCCESS;
}

static int tcp_capsule_done(struct tcp_conn *c)
{
	struct tcp_req *req = c->rx_req;
	uint32_t icd_len = c->rx_data_len;
	uint16_t sc;

	if (req->ddgst_error) {
		nvmf_tcp_req_fail(req, NVME_SCT_GENERIC, NVME_SC_TRANSIENT_TRANSPORT_ERROR);
		return 0;
	}
	sc = tcp_capsule_parse(c, req, icd_len);
	if (sc != NVME_SC_SUCCESS) {
		nvmf_tcp_req_fail(req, NVME_SCT_GENERIC, (uint8_t)sc);
		return 0;
	}
	if (req->base.xfer == NVMF_XFER_NONE) {
		req->base.length = 0;
		req->base.iovcnt = 0;
		nvmf_tcp_req_exec(req);
	} else if (icd_len > 0) {
		nvmf_tcp_req_exec(req);
	} else {
		nvmf_tcp_req_start_buffers(req);
	}
	return 0;
}

static int tcp_h2c_header(struct tcp_conn *c)
{
	const struct nvme_tcp_data_hdr *h = (const void *)c->rx_hdr;
	struct tcp_req *req;

	if (tcp_pdu_data_len(c, TCP_MAXH2CDATA) != 0)
		return -EPROTO;
	if (h->ttag >= c->nreqs || c->reqs[h->ttag].state != TCP_REQ_H2C)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_data_hdr, ttag));
	req = &c->reqs[h->ttag];
	if (h->cccid != req->base.cmd.cid)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_data_hdr, cccid));
	if (h->datal == 0 || h->datal != c->rx_data_len)
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD,
				 offsetof(struct nvme_tcp_data_hdr, datal));
	if (h->datao != req->h2c_done)
		return tcp_fatal(c, NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_hdr, datao));
	if ((uint64_t)h->datao + h->datal > (uint64_t)req->r2t_off + req->r2t_len)
		return tcp_fatal(c, NVME_TCP_FES_DATA_OUT_OF_RANGE,
				 offsetof(struct nvme_tcp_data_hdr, datal));
	c->rx_req = req;
	c->rx_data_off = h->datao;
	return 0;
}

static int tcp_h2c_done(struct tcp_conn *c)
{
	struct tcp_req *req = c->rx_req;

	req->h2c_done += c->rx_data_len;
	if (req->h2c_done == req->r2t_off + req->r2t_len)
		nvmf_tcp_req_h2c_window_done(req);
	return 0;
}

int nvmf_tcp_pdu_header(struct tcp_conn *c)
{
	bool init = c->state == TCP_CONN_WAIT_ICREQ;

	if (c->rx_type == NVME_TCP_PDU_H2C_TERM_REQ)
		return tcp_term_header(c);
	if (init != (c->rx_type == NVME_TCP_PDU_ICREQ))
		return tcp_fatal(c, NVME_TCP_FES_PDU_SEQUENCE_ERROR, 0);
	switch (c->rx_type) {
	case NVME_TCP_PDU_ICREQ:
		return tcp_icreq_header(c);
	case NVME_TCP_PDU_CAPSULE_CMD:
		return tcp_capsule_header(c);
	case NVME_TCP_PDU_H2C_DATA:
		return tcp_h2c_header(c);
	default:
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD, 0);
	}
}

int nvmf_tcp_pdu_complete(struct tcp_conn *c)
{
	switch (c->rx_type) {
	case NVME_TCP_PDU_ICREQ:
		return tcp_icreq_done(c);
	case NVME_TCP_PDU_CAPSULE_CMD:
		return tcp_capsule_done(c);
	case NVME_TCP_PDU_H2C_DATA:
		return tcp_h2c_done(c);
	default:
		return tcp_fatal(c, NVME_TCP_FES_INVALID_HEADER_FIELD, 0);
	}
}
