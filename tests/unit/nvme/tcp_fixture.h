/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_fixture.h - shared by the NVMe/TCP host unit tests: a host queue pair
 * on one end of a socketpair, the other end played by the test (canned
 * controller PDUs with digests, reading back what the host sent).
 * Header-only: each test program includes it once.
 */
#ifndef NVMF_TGT_TESTS_NVME_TCP_FIXTURE_H
#define NVMF_TGT_TESTS_NVME_TCP_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nvme/tcp/tcp_internal.h"
#include "util.h"

struct fx {
	int peer;
	struct nvme_ctrlr *ctrlr;
	struct nvme_tcp_qpair *tq;
};

struct done {
	int calls;
	uint16_t status;
};

static inline void on_done(void *arg, const struct nvme_cpl *cpl)
{
	struct done *d = arg;

	d->calls++;
	d->status = nvme_cpl_get_status(cpl);
}

/* A host qpair (qid 1, 8 entries) on a socketpair; nothing exchanged yet. */
static inline void fx_open(struct fx *f, bool hd, bool dd)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	f->peer = sv[1];
	f->ctrlr = calloc(1, sizeof(*f->ctrlr));
	f->tq = calloc(1, sizeof(*f->tq));
	assert_non_null(f->ctrlr);
	assert_non_null(f->tq);
	f->ctrlr->ops = &nvme_tcp_ops;
	assert_int_equal(nvme_tcp_qpair_init(f->tq, f->ctrlr, 1, 8, sv[0], hd, dd), 0);
}

static inline void fx_close(struct fx *f)
{
	nvme_qpair_abort_all(&f->tq->base, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	nvme_tcp_qpair_fini(f->tq);
	free(f->tq);
	free(f->ctrlr);
	close(f->peer);
}

/* ------------------------------------------------------- the peer's side */

static inline int peer_read(struct fx *f, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(f->peer, p, len, MSG_DONTWAIT);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static inline void peer_write(struct fx *f, const void *buf, size_t len)
{
	if (len != 0)
		assert_int_equal(send(f->peer, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* A PDU header of @len bytes (+ checked header digest when @hd). */
static inline void peer_read_pdu_hdr(struct fx *f, void *hdr, size_t len, bool hd)
{
	uint8_t dg[4];

	assert_int_equal(peer_read(f, hdr, len), 0);
	if (hd) {
		assert_int_equal(peer_read(f, dg, 4), 0);
		assert_int_equal(nvme_get_le32(dg), crc32c(0, hdr, len));
	}
}

/* PDU data of @len bytes (+ checked data digest when @dd). */
static inline void peer_read_data(struct fx *f, void *buf, size_t len, bool dd)
{
	uint8_t dg[4];

	assert_int_equal(peer_read(f, buf, len), 0);
	if (dd) {
		assert_int_equal(peer_read(f, dg, 4), 0);
		assert_int_equal(nvme_get_le32(dg), crc32c(0, buf, len));
	}
}

/* ------------------------------------------------------ canned PDU stream */

struct stream {
	uint8_t buf[65536];
	size_t len;
	bool hd, dd;
};

static inline void stream_reset(struct stream *s, bool hd, bool dd)
{
	s->len = 0;
	s->hd = hd;
	s->dd = dd;
}

/* Append header @h (HLEN @hlen, flags/plen/pdo filled here) and data. */
static inline void put_pdu(struct stream *s, void *h, uint8_t hlen, const void *data, uint32_t dlen,
			   bool digests)
{
	struct nvme_tcp_common_hdr *ch = h;
	uint32_t hd = digests && s->hd ? 4 : 0, dd = digests && s->dd && dlen ? 4 : 0;

	ch->hlen = hlen;
	ch->flags |= (hd ? NVME_TCP_FLAG_HDGSTF : 0) | (dd ? NVME_TCP_FLAG_DDGSTF : 0);
	ch->pdo = dlen ? (uint8_t)(hlen + hd) : 0;
	ch->plen = hlen + hd + dlen + dd;
	assert_true(s->len + ch->plen <= sizeof(s->buf));
	memcpy(s->buf + s->len, h, hlen);
	s->len += hlen;
	if (hd) {
		nvme_put_le32(s->buf + s->len, crc32c(0, h, hlen));
		s->len += 4;
	}
	if (dlen) {
		memcpy(s->buf + s->len, data, dlen);
		s->len += dlen;
	}
	if (dd) {
		nvme_put_le32(s->buf + s->len, crc32c(0, data, dlen));
		s->len += 4;
	}
}

static inline void put_icresp(struct stream *s, uint8_t dgst, uint32_t maxh2cdata)
{
	struct nvme_tcp_icresp ic = {.ch.pdu_type = NVME_TCP_PDU_ICRESP};

	ic.dgst = dgst;
	ic.maxh2cdata = maxh2cdata;
	put_pdu(s, &ic, 128, NULL, 0, false);
}

static inline void put_resp(struct stream *s, uint16_t cid, uint16_t status)
{
	struct nvme_tcp_rsp r = {.ch.pdu_type = NVME_TCP_PDU_CAPSULE_RESP};

	r.rccqe.cid = cid;
	r.rccqe.sqid = 1;
	nvme_cpl_set_status(&r.rccqe, status);
	put_pdu(s, &r, 24, NULL, 0, true);
}

static inline void put_c2h(struct stream *s, uint16_t cid, uint32_t off, const void *data,
			   uint32_t len, uint8_t flags)
{
	struct nvme_tcp_data_hdr h = {.ch.pdu_type = NVME_TCP_PDU_C2H_DATA};

	h.ch.flags = flags;
	h.cccid = cid;
	h.datao = off;
	h.datal = len;
	put_pdu(s, &h, 24, data, len, true);
}

static inline void put_r2t(struct stream *s, uint16_t cid, uint16_t ttag, uint32_t off,
			   uint32_t len)
{
	struct nvme_tcp_r2t_hdr r = {.ch.pdu_type = NVME_TCP_PDU_R2T};

	r.cccid = cid;
	r.ttag = ttag;
	r.r2to = off;
	r.r2tl = len;
	put_pdu(s, &r, 24, NULL, 0, true);
}

/* fx_open() + ICReq read + ICResp delivered: the qpair is ready. */
static inline void fx_open_ready(struct fx *f, bool hd, bool dd, uint32_t maxh2cdata)
{
	struct nvme_tcp_icreq ic;
	struct stream *s = malloc(sizeof(*s));

	assert_non_null(s);
	fx_open(f, hd, dd);
	assert_int_equal(nvme_tcp_poll(&f->tq->base, 0), 0);
	assert_int_equal(peer_read(f, &ic, sizeof(ic)), 0);
	stream_reset(s, false, false);
	put_icresp(s,
		   (uint8_t)((hd ? NVME_TCP_DGST_HDGST_ENABLE : 0) |
			     (dd ? NVME_TCP_DGST_DDGST_ENABLE : 0)),
		   maxh2cdata);
	peer_write(f, s->buf, s->len);
	free(s);
	assert_int_equal(nvme_tcp_poll(&f->tq->base, 0), 0);
	assert_int_equal(f->tq->state, NVME_TCP_Q_READY);
}

#endif /* NVMF_TGT_TESTS_NVME_TCP_FIXTURE_H */
