/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_internal.h - NVMe/TCP target transport: objects shared by its files.
 *
 *   tcp_transport.c  create/destroy, listen, accept, ops table
 *   tcp_group.c      poll groups: epoll, buffer pool, group_poll
 *   tcp_conn.c       connection create, close, free
 *   tcp_recv.c       the PDU receive state machine
 *   tcp_pdu.c        handlers of received PDUs (ICReq, capsule, H2CData)
 *   tcp_send.c       send queue, PDU builders, batched sendmsg
 *   tcp_req.c        requests: buffers, R2T, completion
 *   tcp_tls.c        the secure channel: TLS 1.3 PSK handshake and records
 *
 * Everything of one connection runs on its poll group's thread (after
 * accept on the main thread); nothing here takes a lock.
 */
#ifndef NVMF_TGT_TRANSPORT_TCP_INTERNAL_H
#define NVMF_TGT_TRANSPORT_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "nvmf_transport.h"

#define TCP_LOG "tcp"

/** Largest H2CData payload we accept, advertised as MAXH2CDATA. */
#define TCP_MAXH2CDATA (128u * 1024)
/** Largest C2HData payload we send in one PDU. */
#define TCP_MAX_C2H_PDU (128u * 1024)
/** In-capsule data accepted on the admin queue whatever the option says. */
#define TCP_ADMIN_ICD_SIZE 8192u
/** Received PDUs handled per connection per poll. */
#define TCP_RECV_PDU_BUDGET 32
/** Bytes received per connection per poll (a soft limit, checked per PDU). */
#define TCP_RECV_BYTE_BUDGET (1024u * 1024)
/** Largest PDU header (ICReq) plus a header digest. */
#define TCP_HDR_MAX 132
/** Most header bytes copied into a C2HTermReq. */
#define TCP_TERM_ERR_DATA_MAX NVME_TCP_TERM_REQ_MAX_DATA
/** Largest padding between header and data (HPDA/CPDA 31: 128 bytes). */
#define TCP_PAD_MAX 128
/**
 * Data buffers kept in the poll group core's cache of its pool: a freed
 * buffer is the next one handed out, still in the CPU cache, instead of
 * the pool's oldest.
 */
#define TCP_BUF_CACHE 512u
/** Iovecs of one sendmsg() batch. */
#define TCP_SEND_IOV_MAX 64
/** Epoll events fetched per group poll. */
#define TCP_EPOLL_EVENTS 64
/** Bytes of the per-connection receive staging buffer (headers, small data). */
#define TCP_RX_STAGE_SIZE (16u * 1024)
/** A connection is hot (received directly, no epoll) for this many empty polls. */
#ifndef TCP_HOT_POLLS
#define TCP_HOT_POLLS 4096u
#endif
/** Most hot connections a group receives from directly; more: epoll only. */
#ifndef TCP_DIRECT_MAX
#define TCP_DIRECT_MAX 8u
#endif
/** With hot connections, epoll_wait() looks for the others every this many polls. */
#define TCP_EPOLL_EVERY 16u
/** The main thread tries accept() at most once per this many microseconds. */
#define TCP_ACCEPT_PERIOD_US 1000u

struct ssl_ctx_st;
struct tcp_tls;

struct tcp_conn;
struct tcp_req;

/** A listening socket. */
struct tcp_listener {
	TAILQ_ENTRY(tcp_listener) link;
	int fd;
	struct nvmf_listen_addr addr;
};

/** The transport object. */
struct tcp_transport {
	struct nvmf_transport base;
	TAILQ_HEAD(, tcp_listener) listeners;
	uint64_t next_accept; /**< env ticks of the next accept() attempt */
	int listen_epfd;      /**< epoll fd of the listening sockets (ops.wait_fd) */
	/** Set C2HData SUCCESS (and omit the CapsuleResp) when the spec allows. */
	bool c2h_success;
	uint32_t icd_buf_size;      /**< per-request in-capsule buffer: max(option, 8192) */
	struct ssl_ctx_st *tls_ctx; /**< OpenSSL server context, from the first secure listener */
};

/** A poll group. */
struct tcp_group {
	struct nvmf_tgroup base;
	int epfd;
	struct env_pool *buf_pool;
	TAILQ_HEAD(, tcp_conn) conns;      /**< every connection of the group */
	TAILQ_HEAD(, tcp_conn) send_list;  /**< connections with queued output */
	TAILQ_HEAD(, tcp_conn) close_list; /**< closing, qpair_closed not yet sent */
	TAILQ_HEAD(, tcp_req) buf_wait;    /**< requests waiting for data buffers */
	uint64_t npolls;                   /**< group_poll calls */
	uint32_t nhot;                     /**< hot connections seen by the last poll */
	uint32_t nhandshakes;              /**< connections before or in a TLS handshake */
};

/** What a queued PDU is; decides what happens when it is sent. */
enum tcp_pdu_kind {
	TCP_PDU_ICRESP,
	TCP_PDU_TERM,
	TCP_PDU_RESP,
	TCP_PDU_R2T,
	TCP_PDU_C2H,
};

/** An outgoing PDU: header (+ digest), optional data slice, data digest. */
struct tcp_pdu {
	TAILQ_ENTRY(tcp_pdu) link;
	enum tcp_pdu_kind kind;
	struct tcp_req *req;                  /**< NULL for ICResp, TermReq */
	_Alignas(8) uint8_t hdr[TCP_HDR_MAX]; /**< 8-aligned: built through PDU structs */
	uint32_t hdr_len;                     /**< header + header digest */
	uint32_t pad_len;                     /**< zero bytes up to PDO */
	uint32_t data_off;                    /**< slice of req->base.iov */
	uint32_t data_len;
	uint8_t ddgst[4];
	uint32_t ddgst_len;
	uint8_t extra[TCP_TERM_ERR_DATA_MAX]; /**< TermReq error data */
	uint32_t extra_len;
	uint32_t total; /**< bytes of the whole PDU */
	uint32_t sent;  /**< bytes already written */
	bool queued;
};

/** Life of a request (see tcp_req.c for the transitions). */
enum tcp_req_state {
	TCP_REQ_FREE = 0,
	TCP_REQ_RECV_ICD,    /**< receiving in-capsule data */
	TCP_REQ_NEED_BUF,    /**< waiting for pool buffers */
	TCP_REQ_R2T_SENDING, /**< R2T queued, not yet written */
	TCP_REQ_H2C,         /**< expecting H2CData for the current R2T */
	TCP_REQ_EXEC,        /**< lent to the core */
	TCP_REQ_SENDING,     /**< C2HData / CapsuleResp queued */
	TCP_REQ_NSTATES,
};

/** One command slot of a connection. */
struct tcp_req {
	struct nvmf_request base;
	struct tcp_conn *conn;
	enum tcp_req_state state;
	uint16_t ttag;     /**< index in conn->reqs */
	void *icd;         /**< in-capsule buffer of this slot */
	uint32_t nbufs;    /**< pool buffers in base.iov */
	uint32_t h2c_done; /**< host data received so far */
	uint32_t r2t_off;  /**< current R2T window */
	uint32_t r2t_len;
	uint32_t c2h_off; /**< controller data sent so far */
	bool ddgst_error; /**< a data digest of its data failed */
	bool aborted;     /**< Abort found it waiting for host data: fail once it is in */
	bool in_buf_wait;
	TAILQ_ENTRY(tcp_req) link; /**< free list or group buf_wait */
	struct tcp_pdu rsp;        /**< R2T or CapsuleResp */
	struct tcp_pdu c2h;        /**< the C2HData PDU being sent */
};

/** Receive states of a connection (tcp_recv.c). */
enum tcp_recv_state {
	TCP_RECV_CH = 0, /**< the 8-byte common header */
	TCP_RECV_PSH,    /**< the rest of the header, by hlen */
	TCP_RECV_HDGST,  /**< the header digest */
	TCP_RECV_PAD,    /**< padding up to PDO */
	TCP_RECV_DATA,   /**< data, straight into the request's buffers */
	TCP_RECV_DDGST,  /**< the data digest */
	TCP_RECV_ERROR,  /**< a fatal error was reported: read nothing more */
	TCP_RECV_NSTATES,
};

/** Connection states. */
enum tcp_conn_state {
	TCP_CONN_WAIT_ICREQ = 0,
	TCP_CONN_RUNNING,
	TCP_CONN_CLOSING, /**< socket closed; qpair_closed not yet called */
	TCP_CONN_CLOSED,  /**< qpair_closed called; waiting for qpair_free */
};

/** Secure channel phases of a connection (tcp_tls.c); plain ones stay OFF. */
enum tcp_tls_phase {
	TCP_TLS_OFF = 0,   /**< plain NVMe/TCP */
	TCP_TLS_ON,        /**< handshake done: PDUs go through TLS records */
	TCP_TLS_PEEK,      /**< secure listener: waiting for the first byte */
	TCP_TLS_HANDSHAKE, /**< server handshake in progress */
};

/** One NVMe/TCP connection (a queue pair). */
struct tcp_conn {
	struct nvmf_qpair base;
	struct tcp_group *group;
	int fd;
	enum tcp_conn_state state;
	bool in_group; /**< group_add done */
	bool in_send_list;
	bool close_pending;    /**< close once the send queue is flushed (TermReq) */
	uint8_t tls_phase;     /**< enum tcp_tls_phase */
	bool tls_pending;      /**< TLS: decrypted bytes wait inside OpenSSL (no epoll event) */
	struct tcp_tls *tls;   /**< NULL for a plain connection */
	uint64_t tls_deadline; /**< env ticks: end of the handshake time */

	/* Negotiated by ICReq/ICResp. */
	bool hdgst;
	bool ddgst;
	uint32_t hpda_align; /**< C2H data alignment in bytes */
	uint32_t maxr2t;

	/* Receive side (tcp_recv.c). */
	enum tcp_recv_state rstate;
	_Alignas(8) uint8_t rx_hdr[TCP_HDR_MAX]; /**< 8-aligned: read through PDU structs */
	uint32_t rx_hdr_len;                     /**< header bytes in rx_hdr (for a TermReq) */
	uint64_t rx_pdus;                        /**< PDUs received */
	uint64_t rx_bytes;                       /**< bytes received */
	uint32_t rx_got;                         /**< bytes of the current piece received */
	uint32_t rx_need;                        /**< bytes of the current piece */
	uint8_t rx_type;
	uint32_t rx_hlen;
	uint32_t rx_plen;
	uint32_t rx_pdo;
	uint32_t rx_data_len;
	uint32_t rx_data_off; /**< offset of the data in the request's buffers */
	struct tcp_req *rx_req;
	uint8_t rx_ddgst[4];
	uint8_t rx_pad[TCP_PAD_MAX];
	uint64_t rstate_counts[TCP_RECV_NSTATES];
	uint64_t rx_syscalls;   /**< receive system calls made */
	uint64_t polled_at;     /**< group->npolls of the last receive poll */
	uint32_t rx_idle_polls; /**< receive polls in a row that got nothing */
	bool rx_drained;        /**< this poll's last read came back short */
	uint32_t rx_stage_off;  /**< next unread byte in rx_stage */
	uint32_t rx_stage_len;  /**< bytes in rx_stage */
	uint8_t *rx_stage;      /**< TCP_RX_STAGE_SIZE bytes read ahead of the parser */

	/* Send side (tcp_send.c). */
	TAILQ_HEAD(, tcp_pdu) sendq;
	struct tcp_pdu icresp;
	struct tcp_pdu term;
	uint64_t tx_syscalls; /**< sendmsg() calls made */
	uint64_t tx_pdus;     /**< PDUs fully written */

	/* Requests (tcp_req.c). */
	struct tcp_req *reqs;
	uint32_t nreqs;
	uint8_t *icd_mem;
	TAILQ_HEAD(, tcp_req) free_reqs;
	uint32_t core_owned; /**< requests in TCP_REQ_EXEC */

	TAILQ_ENTRY(tcp_conn) link;       /**< group->conns */
	TAILQ_ENTRY(tcp_conn) send_link;  /**< group->send_list */
	TAILQ_ENTRY(tcp_conn) close_link; /**< group->close_list */
};

static inline struct tcp_transport *nvmf_tcp_transport_of(struct nvmf_transport *t)
{
	return (struct tcp_transport *)t;
}

static inline struct tcp_conn *nvmf_tcp_conn_of(struct nvmf_qpair *q)
{
	return (struct tcp_conn *)q;
}

static inline struct tcp_req *nvmf_tcp_req_of(struct nvmf_request *r)
{
	return (struct tcp_req *)r;
}

static inline struct tcp_transport *nvmf_tcp_conn_transport(struct tcp_conn *c)
{
	return nvmf_tcp_transport_of(c->base.transport);
}

extern const struct nvmf_transport_ops nvmf_tcp_ops;

/* tcp_group.c */

struct nvmf_tgroup *nvmf_tcp_group_create(struct nvmf_transport *t);
void nvmf_tcp_group_destroy(struct nvmf_tgroup *g);
int nvmf_tcp_group_add(struct nvmf_tgroup *g, struct nvmf_qpair *q);
int nvmf_tcp_group_poll(struct nvmf_tgroup *g);
/** ops.group_flush: write what completions queued since group_poll. NVMF_POLL_*. */
int nvmf_tcp_group_flush(struct nvmf_tgroup *g);
/** Put @c on its group's list of connections with output to flush. */
void nvmf_tcp_group_want_send(struct tcp_conn *c);

/* tcp_wait.c: sleeping when idle */

/** ops.group_wait_fd: the group's epoll fd (all its sockets). */
int nvmf_tcp_group_wait_fd(struct nvmf_tgroup *g);
/** ops.group_sleep: 0 while output, staged bytes or waiters need polling. */
uint32_t nvmf_tcp_group_sleep(struct nvmf_tgroup *g);
/** ops.wait_fd: the epoll fd of the listeners. */
int nvmf_tcp_wait_fd(struct nvmf_transport *t);
/** Add listening socket @fd to @t's listen_epfd. @return 0 or -errno. */
int nvmf_tcp_listen_watch(struct tcp_transport *t, int fd);

/* tcp_conn.c */

/** ops.qpair_close / ops.qpair_free */
void nvmf_tcp_qpair_close(struct nvmf_qpair *q);
void nvmf_tcp_qpair_free(struct nvmf_qpair *q);

/**
 * Wrap a connected non-blocking socket @fd into a connection of @t
 * (main thread). @peer / @local may be NULL. On success the connection owns
 * @fd. @return the connection, or NULL (out of memory: @fd is not closed).
 */
struct tcp_conn *nvmf_tcp_conn_create(struct tcp_transport *t, int fd,
				      const struct nvmf_listen_addr *peer,
				      const struct nvmf_listen_addr *local);
/** Close the socket and start teardown; qpair_closed follows in group_poll. */
void nvmf_tcp_conn_close(struct tcp_conn *c);
/** Report a fatal protocol error: queue a C2HTermReq, then close. */
void nvmf_tcp_conn_fatal(struct tcp_conn *c, uint16_t fes, uint32_t fei);
/** Free a connection (after qpair_closed, or one never added to a group). */
void nvmf_tcp_conn_free(struct tcp_conn *c);
/** In-capsule data limit of @c now (admin queue / before Connect: 8192 at least). */
uint32_t nvmf_tcp_conn_icd_limit(struct tcp_conn *c);

/* tcp_recv.c */

/** Receive and handle PDUs within the budget. @return NVMF_POLL_*. */
int nvmf_tcp_recv_poll(struct tcp_conn *c);
/** Bytes read from the socket but not yet parsed (they need no epoll event). */
static inline bool nvmf_tcp_recv_staged(const struct tcp_conn *c)
{
	return c->rx_stage_off < c->rx_stage_len || c->tls_pending;
}
/** Move the receive state machine (the only place rstate changes). */
void nvmf_tcp_recv_set_state(struct tcp_conn *c, enum tcp_recv_state s);
/** Start the data phase of the current PDU into @req at @off for rx_data_len bytes. */
void nvmf_tcp_recv_expect_data(struct tcp_conn *c, struct tcp_req *req, uint32_t off);

/* tcp_pdu.c: handlers of received PDUs. Return 0, or -EPROTO after nvmf_tcp_conn_fatal(). */
/** The common header is in: check type, hlen, plen, pdo. */
int nvmf_tcp_pdu_check_ch(struct tcp_conn *c);
int nvmf_tcp_pdu_header(struct tcp_conn *c);
int nvmf_tcp_pdu_complete(struct tcp_conn *c);

/* tcp_send.c */

void nvmf_tcp_send_icresp(struct tcp_conn *c, uint8_t dgst, uint32_t maxh2cdata);
void nvmf_tcp_send_term(struct tcp_conn *c, uint16_t fes, uint32_t fei);
void nvmf_tcp_send_r2t(struct tcp_req *req);
void nvmf_tcp_send_resp(struct tcp_req *req);
void nvmf_tcp_send_c2h(struct tcp_req *req);
/** Write queued PDUs. @return NVMF_POLL_*; closes the connection on a socket error. */
int nvmf_tcp_send_flush(struct tcp_conn *c);
/** Forget every queued PDU (connection closing); their requests are released. */
void nvmf_tcp_send_drop(struct tcp_conn *c);

/* tcp_req.c */

int nvmf_tcp_reqs_alloc(struct tcp_conn *c);
void nvmf_tcp_reqs_free(struct tcp_conn *c);
struct tcp_req *nvmf_tcp_req_get(struct tcp_conn *c);
void nvmf_tcp_req_set_state(struct tcp_req *req, enum tcp_req_state s);
/** Release buffers and put the slot back on the free list. */
void nvmf_tcp_req_recycle(struct tcp_req *req);
/** Complete @req locally (never seen by the core) with @sct/@sc. */
void nvmf_tcp_req_fail(struct tcp_req *req, uint8_t sct, uint8_t sc);
/** Host data of @req is all in (or none is needed): hand it to the core. */
void nvmf_tcp_req_exec(struct tcp_req *req);
/** Buffers for R2T / C2H data: take them, then go on. @return 0 or -ENOMEM (queued). */
int nvmf_tcp_req_start_buffers(struct tcp_req *req);
/** Try the group's waiters again. @return NVMF_POLL_*. */
int nvmf_tcp_req_retry_waiters(struct tcp_group *g);
/** The R2T of @req was written: accept H2CData for it. */
void nvmf_tcp_req_r2t_sent(struct tcp_req *req);
/** H2CData for the current R2T window is all in: next R2T or exec. */
void nvmf_tcp_req_h2c_window_done(struct tcp_req *req);
/** Response of @req written (or last C2H with SUCCESS): recycle. */
void nvmf_tcp_req_sent(struct tcp_req *req);
/** Connection closing: release every request the transport owns. */
void nvmf_tcp_reqs_abort(struct tcp_conn *c);
/** ops.req_complete */
void nvmf_tcp_req_complete(struct nvmf_request *r);
/** ops.req_keep_data: copy lent in-capsule data from the stage into the slot's buffer. */
void nvmf_tcp_req_keep_data(struct nvmf_request *r);
/** ops.req_abort: a command waiting for buffers or host data (tcp_req.c). */
bool nvmf_tcp_req_abort(struct nvmf_qpair *qp, uint16_t cid);

/* tcp_tls.c */

/** The server context of @t, made once (main thread). @return 0, -ENOMEM, -EINVAL. */
int nvmf_tcp_tls_ctx(struct tcp_transport *t);
void nvmf_tcp_tls_ctx_free(struct tcp_transport *t);
/** A new connection: TCP_TLS_PEEK and a handshake deadline when its listener wants TLS. */
void nvmf_tcp_tls_conn_init(struct tcp_conn *c);
/** Step the first-byte check or the handshake of @c. @return NVMF_POLL_*. */
int nvmf_tcp_tls_poll(struct tcp_conn *c);
/** Step every handshake of @g, close those past their deadline. @return NVMF_POLL_*. */
int nvmf_tcp_tls_sweep(struct tcp_group *g);
/** As recvmsg() on a TLS connection: bytes, 0 (closed), or -1 with errno (EAGAIN). */
ssize_t nvmf_tcp_tls_read(struct tcp_conn *c, struct iovec *iov, int iovcnt);
/** As sendmsg() on a TLS connection: bytes taken, or -1 with errno (EAGAIN). */
ssize_t nvmf_tcp_tls_write(struct tcp_conn *c, const struct iovec *iov, uint32_t cnt);
/** Send close_notify on a TLS connection, without waiting (before its socket closes). */
void nvmf_tcp_tls_shutdown(struct tcp_conn *c);
/** Free the TLS state of @c (none: nothing). */
void nvmf_tcp_tls_free(struct tcp_conn *c);
/** The handshake time of @c's transport ([Transport] TlsHandshakeTimeout), in ms. */
uint32_t nvmf_tcp_tls_timeout_ms(struct tcp_conn *c);

/** CRC32C over a slice of iovecs. */
uint32_t nvmf_tcp_iov_crc(const struct iovec *iov, uint32_t iovcnt, uint32_t off, uint32_t len);

#endif /* NVMF_TGT_TRANSPORT_TCP_INTERNAL_H */
