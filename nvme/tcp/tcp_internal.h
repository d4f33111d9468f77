/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_internal.h - the NVMe/TCP host transport.
 *
 *   tcp_conn.c  ops table, socket connect, ICReq/ICResp, qpair create/destroy
 *   tcp_send.c  send queue: command capsules, H2CData for R2Ts, one
 *               sendmsg() per flush with partial-write handling
 *   tcp_recv.c  receive state machine over partial reads; PDU handlers
 *   tcp_tls.c   the secure channel: TLS 1.3 PSK client handshake, records
 *
 * Send side: submit builds the CapsuleCmd PDU into a slot of a preallocated
 * pool and appends it to the send queue; nothing is written until the
 * poll (or until the queue holds NVME_TCP_FLUSH_PDUS PDUs). An R2T makes
 * the request pending for H2CData; the flush turns pending R2Ts into
 * H2CData PDUs (each at most MAXH2CDATA bytes, LAST_PDU on the last) as
 * slots allow. PDUs point at the caller's buffer: no data copy.
 *
 * Receive side: states CH (8-byte common header) -> PSH (rest of the header
 * and the header digest) -> PAD (up to PDO) -> DATA -> DDGST. Bytes come
 * from a staging buffer filled with one recv() of whatever is available;
 * C2HData payloads larger than what is staged are received straight into
 * the caller's buffer at DATAO. Every header field is validated; a bad one,
 * a bad digest, a C2HTermReq or the peer closing fails the qpair.
 *
 * A command's completion waits until its PDUs have left the send queue, so
 * a CapsuleResp that overtakes our own data never frees a buffer that is
 * still referenced.
 */
#ifndef NVMF_TGT_NVME_TCP_INTERNAL_H
#define NVMF_TGT_NVME_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "nvme/nvme_internal.h"
#include "util.h"

#define NVME_TCP_LOG "nvme_tcp"
/* Receive staging: one recv() takes in a whole batch of 4 KiB C2HData PDUs
 * (16 KiB took about seven recv() calls per batch at QD32). */
#define NVME_TCP_STAGE_SIZE 65536u
#define NVME_TCP_FLUSH_PDUS 32u  /* submit flushes when this many PDUs wait */
#define NVME_TCP_EXTRA_PDUS 32u  /* send slots beyond one per request (H2CData) */
#define NVME_TCP_IOV_BATCH 64u   /* PDUs per sendmsg() */
#define NVME_TCP_ADMIN_ICD 8192u /* admin queue in-capsule data (fabrics commands) */
#define NVME_TCP_HDR_MAX 128u    /* largest send header incl. digest and padding */
#define NVME_TCP_NO_CID 0xFFFFu

enum nvme_tcp_rx_state {
	NVME_TCP_RX_CH,
	NVME_TCP_RX_PSH,
	NVME_TCP_RX_PAD,
	NVME_TCP_RX_DATA,
	NVME_TCP_RX_DDGST,
	NVME_TCP_RX_FAILED,
};

/** One outgoing PDU: header (+digest, +padding), data, data digest. */
struct nvme_tcp_spdu {
	uint8_t hdr[NVME_TCP_HDR_MAX];
	uint32_t hdr_len;
	const uint8_t *data;
	uint32_t data_len;
	uint8_t ddgst[4];
	uint32_t ddgst_len;
	uint16_t cid; /* owning request, or NVME_TCP_NO_CID */
	struct nvme_tcp_spdu *next;
};

/** Transport state of one command, indexed by CID. */
struct nvme_tcp_req {
	uint32_t c2h_bytes; /* C2HData bytes received */
	uint32_t h2c_off;   /* next H2CData offset of the current R2T */
	uint32_t h2c_left;  /* bytes of the current R2T still to queue */
	uint16_t ttag;
	uint16_t sends; /* PDUs of this command still in the send queue */
	bool in_h2c_list;
	bool cpl_pending; /* response arrived; complete when sends == 0 */
	struct nvme_cpl cpl;
	uint16_t next_h2c; /* CID of the next request waiting for H2CData */
};

struct nvme_tcp_rx {
	enum nvme_tcp_rx_state state;
	uint8_t hdr[NVME_TCP_ICRESP_HLEN + NVME_TCP_DIGEST_LEN];
	uint32_t got;  /* bytes of the current section received */
	uint32_t need; /* bytes of the current section */
	uint8_t *dst;  /* DATA destination; NULL = discard */
	uint32_t crc;  /* running data digest */
	uint8_t ddgst[4];
	uint8_t term[NVME_TCP_TERM_REQ_MAX_DATA];
	uint8_t *stage;
	uint32_t stage_off, stage_len;
};

enum nvme_tcp_q_state {
	NVME_TCP_Q_WAIT_ICRESP,
	NVME_TCP_Q_READY,
};

struct nvme_tcp_tls;

struct nvme_tcp_qpair {
	struct nvme_qpair base;
	int fd;
	struct nvme_tcp_tls *tls; /* NULL: plain NVMe/TCP */
	enum nvme_tcp_q_state state;
	bool want_hdgst, want_ddgst; /* asked in ICReq */
	bool hdgst, ddgst;           /* negotiated */
	uint32_t maxh2cdata;
	uint8_t cpda;
	uint32_t icd_max; /* in-capsule data limit; admin: fabrics commands only */
	struct nvme_tcp_req *treqs;
	/* send */
	struct nvme_tcp_spdu *spdus, *spdu_free;
	struct nvme_tcp_spdu *sq_head, *sq_tail;
	uint32_t sq_count;
	uint32_t sq_sent; /* bytes of sq_head already written */
	uint16_t h2c_head, h2c_tail;
	/* receive */
	struct nvme_tcp_rx rx;
	uint32_t rx_completions; /* completions counted by the current poll */
	uint32_t deferred;       /* requests with cpl_pending */
	char name[112];          /* for log lines: address, port, queue id */
};

static inline struct nvme_tcp_qpair *nvme_tcp_qpair(struct nvme_qpair *q)
{
	return container_of(q, struct nvme_tcp_qpair, base);
}

/* tcp_conn.c */
/**
 * Set up @tq (already zeroed) on the connected socket @fd (made non-blocking
 * here) and queue the ICReq. The qpair is ready when the ICResp has been
 * processed by nvme_tcp_poll() (state NVME_TCP_Q_READY).
 */
int nvme_tcp_qpair_init(struct nvme_tcp_qpair *tq, struct nvme_ctrlr *ctrlr, uint16_t qid,
			uint32_t entries, int fd, bool hdgst, bool ddgst);
/** Free what nvme_tcp_qpair_init() allocated and close the socket. */
void nvme_tcp_qpair_fini(struct nvme_tcp_qpair *tq);
/** Log why the qpair failed (once) and mark it failed. @return -ENXIO. */
int nvme_tcp_fail(struct nvme_tcp_qpair *tq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/**
 * After a socket call (@what: "send", "receive") failed with errno: 1 when
 * it was interrupted (call again), 0 when it would block, else the qpair
 * fails (nvme_tcp_fail(), -ENXIO).
 */
int nvme_tcp_sock_error(struct nvme_tcp_qpair *tq, const char *what);

/* tcp_send.c */
int nvme_tcp_submit(struct nvme_qpair *q, struct nvme_request *req);
int nvme_tcp_queue_icreq(struct nvme_tcp_qpair *tq);
/** Queue H2CData for the R2T of @cid (r2to/r2tl checked by the caller). */
void nvme_tcp_h2c_start(struct nvme_tcp_qpair *tq, uint16_t cid, uint16_t ttag, uint32_t off,
			uint32_t len);
/** Write what is queued. @return 0 or -ENXIO. */
int nvme_tcp_flush(struct nvme_tcp_qpair *tq);
/** Drop everything queued (the qpair failed). */
void nvme_tcp_send_drop(struct nvme_tcp_qpair *tq);

/* tcp_recv.c */
/** Receive and handle PDUs until EAGAIN or @max completions. @return 0 or -ENXIO. */
int nvme_tcp_recv(struct nvme_tcp_qpair *tq, uint32_t max);
/** Complete @cid with @cpl now or when its PDUs have been sent. */
void nvme_tcp_req_done(struct nvme_tcp_qpair *tq, uint16_t cid, const struct nvme_cpl *cpl);
/** The ops' qpair_poll: flush, receive, flush. */
int nvme_tcp_poll(struct nvme_qpair *q, uint32_t max);

/* tcp_tls.c */
/**
 * TLS 1.3 handshake with a PSK on the connected socket @fd (non-blocking),
 * within @timeout_ms: identity and TLS PSK from @ctrlr's opts and NQNs.
 * Sets tq->tls. @return 0, -ECONNREFUSED (refused or failed; logged),
 * -ETIMEDOUT or -ENOMEM.
 */
int nvme_tcp_tls_connect(struct nvme_tcp_qpair *tq, struct nvme_ctrlr *ctrlr, int fd,
			 uint32_t timeout_ms);
/** As recv(): bytes, 0 (closed), -1 with errno (EAGAIN, EPROTO logged). */
ssize_t nvme_tcp_tls_recv(struct nvme_tcp_qpair *tq, void *buf, size_t len);
/** As sendmsg(): bytes taken, or -1 with errno (EAGAIN, EPIPE). */
ssize_t nvme_tcp_tls_send(struct nvme_tcp_qpair *tq, const struct iovec *iov, uint32_t cnt);
/** Send close_notify (best effort) and free the TLS state; none: nothing. */
void nvme_tcp_tls_close(struct nvme_tcp_qpair *tq);

#endif /* NVMF_TGT_NVME_TCP_INTERNAL_H */
