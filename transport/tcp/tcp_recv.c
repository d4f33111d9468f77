/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_recv.c - the NVMe/TCP PDU receive state machine.
 *
 *   CH --8 bytes--> PSH --hlen-8--> [HDGST] --> [PAD] --> [DATA] --> [DDGST]
 *    ^                                                                  |
 *    +------------------------- PDU complete <--------------------------+
 *   any state --fatal error--> ERROR (nothing more is read; TermReq, close)
 *
 * Bytes come through a per-connection staging buffer: one recv() fetches
 * as much as is there (the headers of many PDUs), and the pieces are parsed
 * out of it, so any split of the byte stream works. Data that is not in the
 * staging buffer yet is read with one recvmsg() straight into the request's
 * buffers (zero copy), with the staging buffer as the last iovec for what
 * follows; only data bytes that arrived together with their header are
 * copied out of the staging buffer (at most TCP_RX_STAGE_SIZE per read),
 * except in-capsule data, which is lent to the core in place.
 * A read that comes back short means the socket is empty: the connection
 * reads nothing more in this poll, which saves the recv() that would only
 * say EAGAIN. tcp_pdu.c validates headers and decides where data goes.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "transport/tcp/tcp_internal.h"
#include "util.h"
#include "util_iov.h"

#define S(x) (1u << TCP_RECV_##x)
static const uint32_t tcp_recv_from[TCP_RECV_NSTATES] = {
    [TCP_RECV_CH] = S(PSH) | S(HDGST) | S(DATA) | S(DDGST),
    [TCP_RECV_PSH] = S(CH),
    [TCP_RECV_HDGST] = S(PSH),
    [TCP_RECV_PAD] = S(PSH) | S(HDGST),
    [TCP_RECV_DATA] = S(PSH) | S(HDGST) | S(PAD),
    [TCP_RECV_DDGST] = S(DATA),
    [TCP_RECV_ERROR] = S(CH) | S(PSH) | S(HDGST) | S(PAD) | S(DATA) | S(DDGST),
};
#undef S

/* What a step returned: go on, wait for the socket, or stop for good. */
enum { STEP_AGAIN = 1, STEP_WAIT = 0, STEP_STOP = -1 };

void nvmf_tcp_recv_set_state(struct tcp_conn *c, enum tcp_recv_state s)
{
	if (!(tcp_recv_from[s] & (1u << c->rstate))) {
		log_error(TCP_LOG, "receiver: illegal state change %d -> %d", c->rstate, s);
		s = TCP_RECV_ERROR;
	}
	c->rstate = s;
	c->rstate_counts[s]++;
	c->rx_got = 0;
	switch (s) {
	case TCP_RECV_CH:
		c->rx_need = 8;
		c->rx_req = NULL;
		c->rx_data_len = 0;
		c->rx_hdr_len = 0;
		break;
	case TCP_RECV_PSH:
		c->rx_need = c->rx_hlen - 8;
		break;
	case TCP_RECV_HDGST:
	case TCP_RECV_DDGST:
		c->rx_need = 4;
		break;
	case TCP_RECV_PAD:
		c->rx_need = c->rx_pdo - c->rx_hlen - (c->hdgst ? 4 : 0);
		break;
	case TCP_RECV_DATA:
		c->rx_need = c->rx_data_len;
		break;
	default:
		c->rx_need = 0;
		break;
	}
}

/*
 * One recvmsg() into @iov. @return bytes (> 0), 0 when it would block, -1
 * when the connection is closed. A short read marks the socket drained.
 */
static ssize_t tcp_recv_raw(struct tcp_conn *c, struct iovec *iov, int iovcnt, size_t want)
{
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
	ssize_t n =
	    c->tls == NULL ? recvmsg(c->fd, &msg, MSG_DONTWAIT) : nvmf_tcp_tls_read(c, iov, iovcnt);

	c->rx_syscalls++;
	if (n > 0) {
		/* TLS: bytes still inside OpenSSL need another read, not an event. */
		c->rx_drained = (size_t)n < want && !c->tls_pending;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		c->rx_drained = true;
		return 0;
	}
	log_info(TCP_LOG, "connection from %s:%s %s", c->base.peer.traddr, c->base.peer.trsvcid,
		 n == 0 ? "closed by the host" : strerror(errno));
	nvmf_tcp_conn_close(c);
	return -1;
}

/* Refill the empty staging buffer. @return STEP_AGAIN, STEP_WAIT or STEP_STOP. */
static int tcp_recv_fill(struct tcp_conn *c)
{
	struct iovec iov = {.iov_base = c->rx_stage, .iov_len = TCP_RX_STAGE_SIZE};
	ssize_t n;

	if (c->rx_drained)
		return STEP_WAIT;
	n = tcp_recv_raw(c, &iov, 1, TCP_RX_STAGE_SIZE);
	if (n <= 0)
		return n < 0 ? STEP_STOP : STEP_WAIT;
	c->rx_stage_off = 0;
	c->rx_stage_len = (uint32_t)n;
	return STEP_AGAIN;
}

/* Bytes in the staging buffer (OpenSSL's own buffer not counted: a read gets those). */
static bool tcp_recv_in_stage(const struct tcp_conn *c)
{
	return c->rx_stage_off < c->rx_stage_len;
}

/* Take up to @len staged bytes. @return how many, *@p pointing at them. */
static uint32_t tcp_recv_take(struct tcp_conn *c, uint32_t len, const uint8_t **p)
{
	uint32_t n = c->rx_stage_len - c->rx_stage_off;

	if (n > len)
		n = len;
	*p = c->rx_stage + c->rx_stage_off;
	c->rx_stage_off += n;
	c->rx_bytes += n;
	return n;
}

/* Read what is missing of the current piece into @buf. */
static int tcp_recv_piece(struct tcp_conn *c, uint8_t *buf)
{
	const uint8_t *p;
	uint32_t n;
	int rc;

	while (c->rx_got < c->rx_need) {
		if (!tcp_recv_in_stage(c)) {
			rc = tcp_recv_fill(c);
			if (rc != STEP_AGAIN)
				return rc;
		}
		n = tcp_recv_take(c, c->rx_need - c->rx_got, &p);
		memcpy(buf + c->rx_got, p, n);
		c->rx_got += n;
	}
	return STEP_AGAIN;
}

static int tcp_recv_pdu_done(struct tcp_conn *c)
{
	if (nvmf_tcp_pdu_complete(c) != 0 || c->state >= TCP_CONN_CLOSING)
		return STEP_STOP;
	nvmf_tcp_recv_set_state(c, TCP_RECV_CH);
	c->rx_pdus++;
	return STEP_AGAIN;
}

/* The header (and its digest) is in: validate it, then padding/data/end. */
static int tcp_recv_header_done(struct tcp_conn *c)
{
	if (nvmf_tcp_pdu_header(c) != 0 || c->rstate == TCP_RECV_ERROR ||
	    c->state >= TCP_CONN_CLOSING)
		return STEP_STOP;
	if (c->rx_data_len == 0)
		return tcp_recv_pdu_done(c);
	if (c->rx_pdo > c->rx_hlen + (c->hdgst ? 4u : 0u))
		nvmf_tcp_recv_set_state(c, TCP_RECV_PAD);
	else
		nvmf_tcp_recv_set_state(c, TCP_RECV_DATA);
	return STEP_AGAIN;
}

static int tcp_recv_ch(struct tcp_conn *c)
{
	int rc = tcp_recv_piece(c, c->rx_hdr);

	if (rc != STEP_AGAIN)
		return rc;
	c->rx_hdr_len = 8;
	if (nvmf_tcp_pdu_check_ch(c) != 0)
		return STEP_STOP;
	nvmf_tcp_recv_set_state(c, TCP_RECV_PSH);
	return STEP_AGAIN;
}

static int tcp_recv_psh(struct tcp_conn *c)
{
	int rc = tcp_recv_piece(c, c->rx_hdr + 8);

	if (rc != STEP_AGAIN)
		return rc;
	c->rx_hdr_len = c->rx_hlen;
	if (nvme_tcp_pdu_hdgst_len(c->rx_type, c->hdgst) != 0) {
		nvmf_tcp_recv_set_state(c, TCP_RECV_HDGST);
		return STEP_AGAIN;
	}
	return tcp_recv_header_done(c);
}

static int tcp_recv_hdgst(struct tcp_conn *c)
{
	int rc = tcp_recv_piece(c, c->rx_hdr + c->rx_hlen);

	if (rc != STEP_AGAIN)
		return rc;
	c->rx_hdr_len = c->rx_hlen + 4;
	if (crc32c(0, c->rx_hdr, c->rx_hlen) != nvme_get_le32(c->rx_hdr + c->rx_hlen)) {
		nvmf_tcp_conn_fatal(c, NVME_TCP_FES_HEADER_DIGEST_ERROR, 0);
		return STEP_STOP;
	}
	return tcp_recv_header_done(c);
}

static int tcp_recv_pad(struct tcp_conn *c)
{
	int rc = tcp_recv_piece(c, c->rx_pad);

	if (rc != STEP_AGAIN)
		return rc;
	nvmf_tcp_recv_set_state(c, TCP_RECV_DATA);
	return STEP_AGAIN;
}

/* Copy staged bytes into the request's buffers at the current data offset. */
static void tcp_recv_data_copy(struct tcp_conn *c, struct tcp_req *req)
{
	const uint8_t *p;
	uint32_t n;

	n = tcp_recv_take(c, c->rx_need - c->rx_got, &p);
	iov_from_buf(req->base.iov, req->base.iovcnt, c->rx_data_off + c->rx_got, p, n);
	c->rx_got += n;
}

/* Read the rest of the data straight into the request, what follows into the stage. */
static int tcp_recv_data_direct(struct tcp_conn *c, struct tcp_req *req)
{
	struct iovec iov[NVMF_REQ_MAX_IOV + 1];
	uint32_t want = c->rx_need - c->rx_got, cnt;
	ssize_t n;

	if (c->rx_drained)
		return STEP_WAIT;
	cnt = iov_slice(req->base.iov, req->base.iovcnt, c->rx_data_off + c->rx_got, want, iov,
			NVMF_REQ_MAX_IOV);
	iov[cnt].iov_base = c->rx_stage;
	iov[cnt].iov_len = TCP_RX_STAGE_SIZE;
	n = tcp_recv_raw(c, iov, (int)cnt + 1, (size_t)want + TCP_RX_STAGE_SIZE);
	if (n <= 0)
		return n < 0 ? STEP_STOP : STEP_WAIT;
	if ((uint32_t)n > want) {
		c->rx_stage_off = 0;
		c->rx_stage_len = (uint32_t)n - want;
		n = want;
	}
	c->rx_got += (uint32_t)n;
	c->rx_bytes += (uint64_t)n;
	return STEP_AGAIN;
}

/*
 * A capsule's whole in-capsule data is already staged: lend it to the core
 * where it is (h2c_lent) instead of copying it into the slot; the core
 * copies what it keeps (req_keep_data). Nothing refills the stage before
 * exec() returns: without a data digest to read first, exec() follows at
 * once.
 */
static void tcp_recv_data_lend(struct tcp_conn *c, struct tcp_req *req)
{
	const uint8_t *p;

	if (c->rx_got != 0 || c->ddgst || req->state != TCP_REQ_RECV_ICD ||
	    c->rx_stage_len - c->rx_stage_off < c->rx_need)
		return;
	tcp_recv_take(c, c->rx_need, &p);
	req->base.iov[0].iov_base = (void *)p;
	req->base.h2c_lent = true;
	c->rx_got = c->rx_need;
}

static int tcp_recv_data(struct tcp_conn *c)
{
	struct tcp_req *req = c->rx_req;
	int rc;

	tcp_recv_data_lend(c, req);
	while (c->rx_got < c->rx_need) {
		if (tcp_recv_in_stage(c)) {
			tcp_recv_data_copy(c, req);
			continue;
		}
		rc = tcp_recv_data_direct(c, req);
		if (rc != STEP_AGAIN)
			return rc;
	}
	if (c->ddgst) {
		nvmf_tcp_recv_set_state(c, TCP_RECV_DDGST);
		return STEP_AGAIN;
	}
	return tcp_recv_pdu_done(c);
}

static int tcp_recv_ddgst(struct tcp_conn *c)
{
	struct tcp_req *req = c->rx_req;
	int rc = tcp_recv_piece(c, c->rx_ddgst);

	if (rc != STEP_AGAIN)
		return rc;
	if (nvmf_tcp_iov_crc(req->base.iov, req->base.iovcnt, c->rx_data_off, c->rx_data_len) !=
	    nvme_get_le32(c->rx_ddgst))
		req->ddgst_error = true;
	return tcp_recv_pdu_done(c);
}

/* One step of the machine: one named handler per state. */
static int tcp_recv_step(struct tcp_conn *c)
{
	switch (c->rstate) {
	case TCP_RECV_CH:
		return tcp_recv_ch(c);
	case TCP_RECV_PSH:
		return tcp_recv_psh(c);
	case TCP_RECV_HDGST:
		return tcp_recv_hdgst(c);
	case TCP_RECV_PAD:
		return tcp_recv_pad(c);
	case TCP_RECV_DATA:
		return tcp_recv_data(c);
	case TCP_RECV_DDGST:
		return tcp_recv_ddgst(c);
	default:
		return STEP_STOP;
	}
}

int nvmf_tcp_recv_poll(struct tcp_conn *c)
{
	uint64_t pdus0 = c->rx_pdus, bytes0 = c->rx_bytes;
	int rc = STEP_AGAIN;

	if (c->tls_phase > TCP_TLS_ON)
		return nvmf_tcp_tls_poll(c);
	c->rx_drained = false;
	while (rc == STEP_AGAIN && c->state < TCP_CONN_CLOSING) {
		if (c->rx_pdus - pdus0 >= TCP_RECV_PDU_BUDGET ||
		    c->rx_bytes - bytes0 >= TCP_RECV_BYTE_BUDGET)
			break;
		rc = tcp_recv_step(c);
	}
	if (c->rx_bytes != bytes0)
		c->rx_idle_polls = 0;
	else if (c->rx_idle_polls < TCP_HOT_POLLS)
		c->rx_idle_polls++;
	return c->rx_bytes != bytes0 || rc == STEP_STOP ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}
