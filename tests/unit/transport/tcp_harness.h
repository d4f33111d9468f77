/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_harness.h - a TCP transport driven from a socketpair, with a fake
 * core (upcalls that record what they get) and PDU builders for the host
 * side. Included by the transport unit tests only.
 */
#ifndef NVMF_TGT_TESTS_TCP_HARNESS_H
#define NVMF_TGT_TESTS_TCP_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "nvmf_transport.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"

#define H_MAX_EXEC 64

/** The fake core and one connection on a socketpair. */
struct harness {
	const struct nvmf_transport_ops *ops;
	struct nvmf_transport *t;
	struct nvmf_tgroup *g;
	struct tcp_conn *c;
	int host;   /**< host end of the socketpair */
	bool hold;  /**< exec keeps requests instead of completing them */
	int closed; /**< qpair_closed calls */
	int nexec;  /**< exec calls */
	struct nvmf_request *held[H_MAX_EXEC];
	int nheld;
	uint8_t last_data[65536]; /**< host data of the last executed write */
	uint32_t last_len;
	uint16_t last_cid;
	bool hdgst, ddgst; /**< what the host negotiated */
	uint8_t *span;     /**< when set, reads c2h_any allows answer from here */
	int span_reads;    /**< reads answered from span */
	int lent;          /**< executed requests whose host data was lent */
};

static struct harness *h_cur;

static inline void h_new_qpair(void *ctx, struct nvmf_qpair *q)
{
	(void)ctx;
	(void)q;
}

/*
 * Fill a read's buffers with a pattern derived from the offset and cid. With
 * h->span and a request that allows it (c2h_any), the pattern goes there
 * instead and the request points at it, as a backend read in place would;
 * its own buffers get bytes that must not be sent.
 */
static inline void h_fill(struct nvmf_request *req)
{
	uint32_t i, off = 0;

	if (h_cur->span != NULL && req->c2h_any) {
		h_cur->span_reads++;
		for (off = 0; off < req->length; off++)
			h_cur->span[off] = (uint8_t)(off * 7 + req->cmd.cid);
		for (i = 0; i < req->iovcnt; i++)
			memset(req->iov[i].iov_base, 0xee, req->iov[i].iov_len);
		req->c2h_span.iov_base = h_cur->span;
		req->c2h_span.iov_len = req->length;
		req->c2h_iov = &req->c2h_span;
		req->c2h_iovcnt = 1;
		return;
	}
	assert_null(req->c2h_iov);
	for (i = 0; i < req->iovcnt; i++) {
		uint8_t *p = req->iov[i].iov_base;
		for (size_t j = 0; j < req->iov[i].iov_len; j++, off++)
			p[j] = (uint8_t)(off * 7 + req->cmd.cid);
	}
}

/* As the core does: a Connect that asks to disable SQ flow control gets it. */
static inline void h_connect_cattr(struct nvmf_request *req)
{
	const struct nvmf_connect_cmd *cc = (const struct nvmf_connect_cmd *)&req->cmd;

	if (req->cmd.opc == NVME_OPC_FABRICS && cc->fctype == NVMF_FCTYPE_CONNECT)
		req->qpair->sq_flow_disabled =
		    (cc->cattr & NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL) != 0;
}

static inline void h_exec(struct nvmf_request *req)
{
	struct harness *h = h_cur;
	uint32_t i, off = 0;

	h->nexec++;
	h->last_cid = req->cmd.cid;
	h->last_len = 0;
	if (req->xfer == NVMF_XFER_H2C) {
		for (i = 0; i < req->iovcnt; i++) {
			assert_true(off + req->iov[i].iov_len <= sizeof(h->last_data));
			memcpy(h->last_data + off, req->iov[i].iov_base, req->iov[i].iov_len);
			off += (uint32_t)req->iov[i].iov_len;
		}
		assert_int_equal(off, req->length);
		h->last_len = off;
	}
	memset(&req->cpl, 0, sizeof(req->cpl));
	req->cpl.cid = req->cmd.cid;
	h->lent += req->h2c_lent;
	h_connect_cattr(req);
	if (h->hold) {
		if (req->h2c_lent) /* kept past exec(), as a core must */
			h->ops->req_keep_data(req);
		h->held[h->nheld++] = req;
		return;
	}
	if (req->xfer == NVMF_XFER_C2H)
		h_fill(req);
	h->ops->req_complete(req);
}

static inline void h_qpair_closed(struct nvmf_qpair *q)
{
	(void)q;
	h_cur->closed++;
}

/** Complete held request @i (reads get the pattern). */
static inline void h_complete_held(struct harness *h, int i)
{
	struct nvmf_request *req = h->held[i];

	if (req->xfer == NVMF_XFER_C2H)
		h_fill(req);
	h->ops->req_complete(req);
}

static inline void h_setup_opts(struct harness *h, const struct nvmf_transport_opts *opts)
{
	struct nvmf_transport_upcalls up = {
	    .ctx = h,
	    .new_qpair = h_new_qpair,
	    .exec = h_exec,
	    .qpair_closed = h_qpair_closed,
	};
	int sv[2];

	memset(h, 0, sizeof(*h));
	h_cur = h;
	h->ops = nvmf_transport_ops_get(NVMF_TRTYPE_TCP);
	assert_non_null(h->ops);
	h->t = h->ops->create(opts, &up);
	assert_non_null(h->t);
	h->g = h->ops->group_create(h->t);
	assert_non_null(h->g);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	h->host = sv[1];
	h->c = nvmf_tcp_conn_create(nvmf_tcp_transport_of(h->t), sv[0], NULL, NULL);
	assert_non_null(h->c);
	assert_int_equal(h->ops->group_add(h->g, &h->c->base), 0);
}

/** Small pools so that exhaustion is easy to reach. */
static inline void h_default_opts(struct nvmf_transport_opts *o)
{
	nvmf_transport_opts_init(o, NVMF_TRTYPE_TCP);
	o->max_queue_depth = 16;
	o->max_aq_depth = 16;
	o->in_capsule_data_size = 8192;
	o->io_unit_size = 8192;
	o->max_io_size = 65536;
	o->num_shared_buffers = 16;
}

static inline void h_setup(struct harness *h)
{
	struct nvmf_transport_opts o;

	h_default_opts(&o);
	h_setup_opts(h, &o);
}

static inline void h_poll(struct harness *h, int n)
{
	while (n-- > 0)
		h->ops->group_poll(h->g);
}

/** Tear down; asserts every pool buffer came back. */
static inline void h_teardown(struct harness *h)
{
	struct tcp_group *g = (struct tcp_group *)h->g;
	int i;

	if (h->host >= 0)
		close(h->host);
	for (i = 0; i < 10 && h->closed == 0; i++)
		h_poll(h, 1);
	assert_int_equal(h->closed, 1);
	for (i = 0; i < h->nheld; i++)
		h->ops->req_complete(h->held[i]);
	assert_int_equal(env_pool_avail(g->buf_pool), h->t->opts.num_shared_buffers);
	h->ops->qpair_free(&h->c->base);
	h->ops->group_destroy(h->g);
	h->ops->destroy(h->t);
	h_cur = NULL;
}

static inline void h_send(struct harness *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(h->host, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			assert_true(errno == EAGAIN);
			h_poll(h, 1);
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
}

/** Read exactly @len bytes from the target, polling it meanwhile. @return 0, or -1 on EOF. */
static inline int h_recv(struct harness *h, void *buf, size_t len)
{
	uint8_t *p = buf;
	int spins = 0;

	while (len > 0) {
		ssize_t n = recv(h->host, p, len, MSG_DONTWAIT);
		if (n == 0)
			return -1;
		if (n < 0) {
			assert_true(errno == EAGAIN);
			assert_true(++spins < 10000);
			h_poll(h, 1);
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/** Read one PDU into @buf (at most @max bytes). @return its PLEN, or -1 on EOF. */
static inline int h_recv_pdu(struct harness *h, uint8_t *buf, size_t max)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)buf;

	if (h_recv(h, buf, 8) != 0)
		return -1;
	if (!(ch->plen >= 8 && ch->plen <= max))
		print_message(
		    "pdu type %u flags %x hlen %u pdo %u plen %u max %zu cid %u datao %u\n",
		    ch->pdu_type, ch->flags, ch->hlen, ch->pdo, ch->plen, max,
		    nvme_get_le16(buf + 8), nvme_get_le32(buf + 12));
	assert_true(ch->plen >= 8 && ch->plen <= max);
	assert_int_equal(h_recv(h, buf + 8, ch->plen - 8), 0);
	return (int)ch->plen;
}

/** True when the target has closed its end (EOF after polling). */
static inline bool h_eof(struct harness *h)
{
	uint8_t b;

	for (int i = 0; i < 100; i++) {
		ssize_t n = recv(h->host, &b, 1, MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n > 0)
			return false;
		h_poll(h, 1);
	}
	return false;
}

/* ----------------------------------------------------------- PDU builders */

static inline size_t h_icreq(uint8_t *buf, uint8_t hpda, uint8_t dgst)
{
	struct nvme_tcp_icreq *ic = (struct nvme_tcp_icreq *)buf;

	memset(ic, 0, sizeof(*ic));
	ic->ch.pdu_type = NVME_TCP_PDU_ICREQ;
	ic->ch.hlen = 128;
	ic->ch.plen = 128;
	ic->hpda = hpda;
	ic->dgst = dgst;
	return 128;
}

/** Connect: ICReq, read and check the ICResp, remember the digests. */
static inline void h_connect(struct harness *h, uint8_t dgst)
{
	uint8_t buf[256];
	struct nvme_tcp_icresp *r = (struct nvme_tcp_icresp *)buf;

	h_send(h, buf, h_icreq(buf, 0, dgst));
	assert_int_equal(h_recv_pdu(h, buf, sizeof(buf)), 128);
	assert_int_equal(r->ch.pdu_type, NVME_TCP_PDU_ICRESP);
	assert_int_equal(r->ch.hlen, 128);
	assert_int_equal(r->pfv, 0);
	assert_int_equal(r->cpda, 0);
	assert_int_equal(r->dgst, dgst);
	assert_int_equal(r->maxh2cdata, TCP_MAXH2CDATA);
	h->hdgst = dgst & NVME_TCP_DGST_HDGST_ENABLE;
	h->ddgst = dgst & NVME_TCP_DGST_DDGST_ENABLE;
}

/** h_setup(), then h_connect() with @dgst. */
static inline void h_start(struct harness *h, uint8_t dgst)
{
	h_setup(h);
	h_connect(h, dgst);
}

/* Seal a host PDU of header @hlen and @dlen data bytes at @buf + pdo. */
static inline size_t h_seal(struct harness *h, uint8_t *buf, uint32_t hlen, const void *data,
			    uint32_t dlen)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)buf;
	uint32_t pdo = hlen + (h->hdgst ? 4 : 0);
	uint32_t plen = pdo;

	ch->hlen = (uint8_t)hlen;
	ch->flags = h->hdgst ? NVME_TCP_FLAG_HDGSTF : 0;
	if (dlen > 0) {
		ch->pdo = (uint8_t)pdo;
		memcpy(buf + pdo, data, dlen);
		plen += dlen;
		if (h->ddgst) {
			ch->flags |= NVME_TCP_FLAG_DDGSTF;
			nvme_put_le32(buf + plen, crc32c(0, data, dlen));
			plen += 4;
		}
	}
	ch->plen = plen;
	if (h->hdgst)
		nvme_put_le32(buf + hlen, crc32c(0, buf, hlen));
	return plen;
}

/** CapsuleCmd: @opc, @cid, in-capsule @data (or an R2T SGL of @len when data is NULL). */
static inline size_t h_capsule(struct harness *h, uint8_t *buf, uint8_t opc, uint16_t cid,
			       const void *data, uint32_t len)
{
	struct nvme_tcp_cmd *cmd = (struct nvme_tcp_cmd *)buf;

	memset(cmd, 0, sizeof(*cmd));
	cmd->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	cmd->ccsqe.opc = opc;
	cmd->ccsqe.cid = cid;
	cmd->ccsqe.nsid = 1;
	cmd->ccsqe.psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	if (data != NULL)
		nvme_sgl_set_unkeyed(&cmd->ccsqe.dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_OFFSET, 0, len);
	else
		nvme_sgl_set_unkeyed(&cmd->ccsqe.dptr.sgl1, NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_TRANSPORT, 0, len);
	return h_seal(h, buf, sizeof(*cmd), data, data != NULL ? len : 0);
}

/** H2CData for @cid / @ttag at @datao. */
static inline size_t h_h2c(struct harness *h, uint8_t *buf, uint16_t cid, uint16_t ttag,
			   uint32_t datao, const void *data, uint32_t len)
{
	struct nvme_tcp_data_hdr *d = (struct nvme_tcp_data_hdr *)buf;

	memset(d, 0, sizeof(*d));
	d->ch.pdu_type = NVME_TCP_PDU_H2C_DATA;
	d->cccid = cid;
	d->ttag = ttag;
	d->datao = datao;
	d->datal = len;
	return h_seal(h, buf, sizeof(*d), data, len);
}

/** Expect a CapsuleResp for @cid with status @st (NVME_STATUS convention, DNR masked). */
static inline void h_expect_resp(struct harness *h, uint16_t cid, uint16_t st)
{
	uint8_t buf[64];
	struct nvme_tcp_rsp *r = (struct nvme_tcp_rsp *)buf;

	assert_int_equal(h_recv_pdu(h, buf, sizeof(buf)), 24 + (h->hdgst ? 4 : 0));
	assert_int_equal(r->ch.pdu_type, NVME_TCP_PDU_CAPSULE_RESP);
	if (h->hdgst)
		assert_int_equal(nvme_get_le32(buf + 24), crc32c(0, buf, 24));
	assert_int_equal(r->rccqe.cid, cid);
	assert_int_equal(nvme_cpl_get_status(&r->rccqe) & ~NVME_STATUS_DNR, st);
}

/** Expect an R2T for @cid; @return its ttag. */
static inline uint16_t h_expect_r2t(struct harness *h, uint16_t cid, uint32_t r2to, uint32_t r2tl)
{
	uint8_t buf[64];
	struct nvme_tcp_r2t_hdr *r = (struct nvme_tcp_r2t_hdr *)buf;

	assert_int_equal(h_recv_pdu(h, buf, sizeof(buf)), 24 + (h->hdgst ? 4 : 0));
	assert_int_equal(r->ch.pdu_type, NVME_TCP_PDU_R2T);
	assert_int_equal(r->cccid, cid);
	assert_int_equal(r->r2to, r2to);
	assert_int_equal(r->r2tl, r2tl);
	return r->ttag;
}

/** Expect a C2HTermReq with @fes / @fei, then EOF and one qpair_closed. */
static inline void h_expect_term(struct harness *h, uint16_t fes, uint32_t fei)
{
	uint8_t buf[256];
	struct nvme_tcp_term_req_hdr *t = (struct nvme_tcp_term_req_hdr *)buf;
	int plen = h_recv_pdu(h, buf, sizeof(buf));

	assert_true(plen >= 24 && plen <= NVME_TCP_TERM_REQ_MAX_PLEN);
	assert_int_equal(t->ch.pdu_type, NVME_TCP_PDU_C2H_TERM_REQ);
	assert_int_equal(t->ch.hlen, 24);
	assert_int_equal(t->fes, fes);
	assert_int_equal(t->fei, fei);
	assert_true(h_eof(h));
	h_poll(h, 2);
	assert_int_equal(h->closed, 1);
}

#endif /* NVMF_TGT_TESTS_TCP_HARNESS_H */
