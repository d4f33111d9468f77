/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_internal.h - NVMe/RDMA target transport: objects shared by its files.
 *
 *   nvmf_rdma_transport.c  create/destroy, listeners, CM events of the listeners
 *                     (connect requests, main thread), ops table
 *   rdma_device.c     devices: PD, references, removal, lost listeners
 *   nvmf_rdma_conn.c       connections: creation, queue pair and CM accept in
 *                     group_add, CM events of accepted ids, close, drain, free
 *   nvmf_rdma_group.c      poll groups: per device CQ, SRQ, receive buffers and
 *                     data buffers; group_poll and completion dispatch
 *   nvmf_rdma_req.c        the request state machine
 *   rdma_parse.c      pure checks: CM private data, SGL descriptors
 *
 * Threads: listeners, devices (PD) and connect requests live on the main
 * thread. A connection is created there, then adopted by a poll group
 * (group_add, group thread): its CM id moves to the group's own event
 * channel (rdma_migrate_id), its queue pair uses the group's CQ and SRQ of
 * that device, and from then on only the group thread touches it.
 */
#ifndef NVMF_TGT_TRANSPORT_RDMA_INTERNAL_H
#define NVMF_TGT_TRANSPORT_RDMA_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "nvmf_transport.h"

#define NVMF_RDMA_LOG "rdma"

/** Work completions fetched per ibv_poll_cq() call, and calls per group poll. */
#define NVMF_RDMA_WC_BATCH 32
#define NVMF_RDMA_WC_ROUNDS 4
/** CM events handled per accept() / group poll. */
#define NVMF_RDMA_CM_BUDGET 16
/** Receive buffers of one shared receive queue (capped by the device). */
#define NVMF_RDMA_SRQ_DEPTH 4096u
/** Completion queue entries per group and device (capped by the device). */
#define NVMF_RDMA_CQ_DEPTH 16384u
/** Most scatter/gather entries used in one RDMA READ / WRITE. */
#define NVMF_RDMA_MAX_SGE 16u
/** Give up waiting for flushed completions of a closed connection after this. */
#define NVMF_RDMA_DRAIN_TIMEOUT_US 5000000u

/* ------------------------------------------------------------ rdma_parse.c */

/** What a CM connect request asks for, once checked. */
struct nvmf_rdma_cm_params {
	uint16_t qid;
	uint16_t depth;   /**< HSQSIZE + 1: commands the host may have in flight */
	uint16_t hrqsize; /**< responses the host can receive */
	uint16_t cntlid;
};

/**
 * Check the private data of a connect request against @o.
 * @return 0 and @out filled, or the NVMF_RDMA_REJECT_* status to send.
 */
uint16_t nvmf_rdma_cm_req_check(const void *pdata, uint8_t len, const struct nvmf_transport_opts *o,
				struct nvmf_rdma_cm_params *out);

/** Fill the accept private data: RECFMT 0 and CRQSIZE @crqsize. */
void nvmf_rdma_cm_accept_data(struct nvmf_rdma_accept_private_data *acc, uint16_t crqsize);

/** Fill the reject private data: RECFMT 0 and @sts. */
void nvmf_rdma_cm_reject_data(struct nvmf_rdma_reject_private_data *rej, uint16_t sts);

/** Where a command's data is, from its SGL. */
enum nvmf_rdma_data_kind {
	NVMF_RDMA_DATA_NONE = 0,
	NVMF_RDMA_DATA_INCAPSULE, /**< in the receive buffer after the SQE */
	NVMF_RDMA_DATA_KEYED,     /**< in host memory: RDMA READ / WRITE */
};

struct nvmf_rdma_sgl_info {
	enum nvmf_xfer xfer;
	enum nvmf_rdma_data_kind kind;
	uint32_t length;
	uint64_t addr;   /**< keyed: remote address; in-capsule: offset */
	uint32_t key;    /**< keyed: rkey */
	bool invalidate; /**< keyed, subtype 0xF: send the response with invalidate */
};

/**
 * Parse the SGL of @cmd. @icd_len is the in-capsule data that came with it
 * (bytes received after the SQE), @max_io the largest transfer.
 * @return NVME_SC_SUCCESS (generic status) and @out filled, or the generic
 * status code to complete the command with.
 */
uint16_t nvmf_rdma_sgl_parse(const struct nvme_cmd *cmd, uint32_t icd_len, uint32_t max_io,
			     struct nvmf_rdma_sgl_info *out);

/* ------------------------------------------------------------------ objects */

struct nvmf_rdma_conn;
struct nvmf_rdma_req;
struct nvmf_rdma_gdev;

struct nvmf_rdma_buried_id;

/**
 * A device seen by a connect request; its PD serves every group. The list
 * is the main thread's; the reference count, the flags and the buried ids
 * are shared (see rdma_device.c).
 */
struct nvmf_rdma_device {
	TAILQ_ENTRY(nvmf_rdma_device) link;
	struct ibv_context *ctx; /**< librdmacm's, not ours to close */
	struct ibv_pd *pd;
	struct ibv_device_attr attr;
	char name[64];
	bool has_srq;
	bool has_inv;         /**< SEND with invalidate supported */
	atomic_uint refs;     /**< the transport, connections, groups' gdevs */
	atomic_bool removed;  /**< gone: DEVICE_REMOVAL, or not listed any more */
	atomic_bool released; /**< the PD and the buried ids are gone */
	bool transport_ref_dropped;
	pthread_mutex_t lock;               /**< buried */
	struct nvmf_rdma_buried_id *buried; /**< ids to destroy after the PD */
};

/** A listening CM id; NULL while its device is gone (retried). */
struct nvmf_rdma_listener {
	TAILQ_ENTRY(nvmf_rdma_listener) link;
	struct rdma_cm_id *id;
	struct nvmf_listen_addr addr;
	uint64_t retry_at; /**< env ticks of the next listen attempt */
};

/** The transport object (main thread, except devices: read-only after creation). */
struct nvmf_rdma_transport {
	struct nvmf_transport base;
	struct rdma_event_channel *ec; /**< every listener, non-blocking */
	TAILQ_HEAD(, nvmf_rdma_listener) listeners;
	TAILQ_HEAD(, nvmf_rdma_device) devices;
	uint32_t max_iov;          /**< data buffers of the largest transfer */
	uint32_t recv_size;        /**< SQE + in-capsule data */
	uint64_t next_device_poll; /**< env ticks */
	uint64_t next_device_scan; /**< env ticks */
	bool sync_pending;         /**< librdmacm's device list wants a sync */
};

/** What a work request is, found from wc.wr_id. */
enum nvmf_rdma_wr_type {
	NVMF_RDMA_WR_RECV = 1,
	NVMF_RDMA_WR_SEND,
	NVMF_RDMA_WR_READ,
	NVMF_RDMA_WR_WRITE,
};

struct nvmf_rdma_wr_ctx {
	enum nvmf_rdma_wr_type type;
};

/** A receive buffer: SQE then in-capsule data. */
struct nvmf_rdma_recv {
	struct nvmf_rdma_wr_ctx ctx; /**< first: wr_id points here */
	struct nvmf_rdma_gdev *gdev;
	struct nvmf_rdma_conn *conn; /**< its queue pair when there is no SRQ */
	uint8_t *buf;
	uint32_t size;     /**< of buf */
	uint32_t byte_len; /**< received */
	STAILQ_ENTRY(nvmf_rdma_recv) link;
};

/** A poll group's resources on one device. */
struct nvmf_rdma_gdev {
	TAILQ_ENTRY(nvmf_rdma_gdev) link;
	struct nvmf_rdma_device *dev; /**< holds a reference */
	uint32_t nconns;              /**< connections of the group on it */
	struct ibv_cq *cq;
	struct ibv_comp_channel *comp_ch; /**< the CQ's events, for idle sleep (non-blocking) */
	bool cq_armed;                    /**< ibv_req_notify_cq done, no event read since */
	uint32_t cq_size;
	uint32_t cq_used;    /**< entries reserved by the group's queue pairs */
	struct ibv_srq *srq; /**< NULL: each queue pair has its own receives */
	uint32_t nrecv;
	struct nvmf_rdma_recv *recvs;
	uint8_t *recv_mem;
	struct ibv_mr *recv_mr;
	/* Data buffers of io_unit_size, carved from one registered area. */
	uint8_t *buf_mem;
	struct ibv_mr *buf_mr;
	void **buf_free; /**< stack of free buffers */
	uint32_t nbuf_free;
	uint32_t nbuf;
};

/** Requests waiting for a resource, in order of arrival. */
TAILQ_HEAD(nvmf_rdma_req_list, nvmf_rdma_req);

/** A poll group. */
struct nvmf_rdma_group {
	struct nvmf_tgroup base;
	struct rdma_event_channel *ec; /**< CM events of its connections */
	int wait_epfd;                 /**< ec and every CQ's completion channel (group_wait_fd) */
	TAILQ_HEAD(, nvmf_rdma_gdev) gdevs;
	TAILQ_HEAD(, nvmf_rdma_conn) conns;
	TAILQ_HEAD(, nvmf_rdma_req) buf_wait; /**< requests waiting for data buffers */
	uint32_t nclosing;                    /**< connections in NVMF_RDMA_CONN_CLOSING */
};

/** Request states; every change through nvmf_rdma_req_set_state(). */
enum nvmf_rdma_req_state {
	NVMF_RDMA_REQ_FREE = 0,
	NVMF_RDMA_REQ_NEED_BUF,  /**< waiting for data buffers */
	NVMF_RDMA_REQ_NEED_READ, /**< waiting for READ credits / send queue slots */
	NVMF_RDMA_REQ_READING,   /**< RDMA READs posted */
	NVMF_RDMA_REQ_EXEC,      /**< lent to the core */
	NVMF_RDMA_REQ_NEED_SEND, /**< completed; waiting for send queue slots */
	NVMF_RDMA_REQ_SENDING,   /**< (WRITEs and) SEND posted */
	NVMF_RDMA_REQ_NSTATES,
};

/** One command slot of a connection. */
struct nvmf_rdma_req {
	struct nvmf_request base;
	struct nvmf_rdma_conn *conn;
	enum nvmf_rdma_req_state state;
	uint16_t idx;
	struct nvmf_rdma_recv *recv; /**< its capsule, held until the slot is free */
	struct nvmf_rdma_sgl_info sgl;
	uint32_t nbufs;      /**< pool buffers in base.iov */
	uint32_t reads_left; /**< READ completions still expected */
	uint32_t sq_slots;   /**< send queue entries it holds */
	bool in_wait;        /**< on the wait list of its state */
	bool wr_error;       /**< a work request of it failed */
	bool aborted;        /**< Abort while READING: answered once the READs are in */
	TAILQ_ENTRY(nvmf_rdma_req) link;
	struct nvmf_rdma_wr_ctx send_ctx;
	struct nvmf_rdma_wr_ctx read_ctx;
	struct nvmf_rdma_wr_ctx write_ctx;
	struct nvme_cpl *rsp; /**< in the connection's registered response area */
};

enum nvmf_rdma_conn_state {
	NVMF_RDMA_CONN_NEW = 0, /**< created on the main thread */
	NVMF_RDMA_CONN_RUNNING, /**< accepted */
	NVMF_RDMA_CONN_CLOSING, /**< queue pair in error; waiting for flushed work */
	NVMF_RDMA_CONN_CLOSED,  /**< qpair_closed called; waiting for qpair_free */
};

/** One NVMe/RDMA queue pair. */
struct nvmf_rdma_conn {
	struct nvmf_qpair base;
	struct rdma_cm_id *id;
	struct nvmf_rdma_device *dev; /**< holds a reference */
	struct nvmf_rdma_group *group;
	struct nvmf_rdma_gdev *gdev;
	enum nvmf_rdma_conn_state state;
	struct nvmf_rdma_cm_params params;
	uint8_t ird;         /**< READs the host may issue to us (responder resources) */
	uint8_t ord;         /**< READs we may have outstanding (initiator depth) */
	atomic_bool cm_gone; /**< the main thread saw a CM event before adoption */
	bool in_group;
	bool accepted;
	bool rejected;

	struct ibv_qp *qp;
	uint32_t sq_size;
	uint32_t sq_used;
	uint32_t max_sge;
	uint32_t cq_reserved;
	uint32_t reads_out; /**< RDMA READ work requests outstanding */
	uint32_t wr_out;    /**< signaled send-side work requests outstanding */
	uint32_t recv_out;  /**< receives posted on the queue pair (no SRQ) */
	uint64_t close_ticks;

	struct nvmf_rdma_req *reqs;
	uint32_t nreqs;
	TAILQ_HEAD(, nvmf_rdma_req) free_reqs;
	struct nvmf_rdma_req_list read_wait; /**< need READ credits / send queue slots */
	struct nvmf_rdma_req_list send_wait; /**< need send queue slots for the response */
	uint32_t core_owned;
	struct nvme_cpl *rsp_mem;
	struct ibv_mr *rsp_mr;
	/* Own receives when the device has no SRQ. */
	struct nvmf_rdma_recv *recvs;
	uint32_t nrecv;
	uint8_t *recv_mem;
	struct ibv_mr *recv_mr;

	TAILQ_ENTRY(nvmf_rdma_conn) link; /**< group->conns */
};

static inline struct nvmf_rdma_transport *nvmf_rdma_transport_of(struct nvmf_transport *t)
{
	return (struct nvmf_rdma_transport *)t;
}

static inline struct nvmf_rdma_conn *nvmf_rdma_conn_of(struct nvmf_qpair *q)
{
	return (struct nvmf_rdma_conn *)q;
}

static inline struct nvmf_rdma_req *nvmf_rdma_req_of(struct nvmf_request *r)
{
	return (struct nvmf_rdma_req *)r;
}

static inline struct nvmf_rdma_transport *nvmf_rdma_conn_transport(struct nvmf_rdma_conn *c)
{
	return nvmf_rdma_transport_of(c->base.transport);
}

extern const struct nvmf_transport_ops nvmf_rdma_ops;

/* nvmf_rdma_transport.c */

/** A CM id on @t's channel listening on @addr, context @ctx. @return 0 or -errno. */
int nvmf_rdma_listen_id(struct nvmf_rdma_transport *t, const struct nvmf_listen_addr *addr,
			void *ctx, struct rdma_cm_id **out);
/** A new non-blocking RDMA CM event channel, or NULL (errno set). */
struct rdma_event_channel *nvmf_rdma_event_channel_create(void);

/* rdma_device.c */

/**
 * Find or open the device of @ctx (main thread; a removed one is never
 * returned). Take your own reference with nvmf_rdma_device_hold().
 * @return it, or NULL.
 */
struct nvmf_rdma_device *nvmf_rdma_device_get(struct nvmf_rdma_transport *t,
					      struct ibv_context *ctx);
void nvmf_rdma_device_hold(struct nvmf_rdma_device *d);
/** Drop a reference; the last one frees the PD and the buried ids. */
void nvmf_rdma_device_put(struct nvmf_rdma_device *d);
/** @d is gone (any thread). */
void nvmf_rdma_device_removed(struct nvmf_rdma_device *d);
/**
 * Keep @id for destruction after @d's PD, when @d was removed.
 * @return true if kept; false: destroy it now.
 */
bool nvmf_rdma_device_bury(struct nvmf_rdma_device *d, struct rdma_cm_id *id);
/** @l's device is gone (its event, if any, acked): let its id go, retry later. */
void nvmf_rdma_listener_lost(struct nvmf_rdma_listener *l);
/** Main thread, every accept poll: removed devices, lost listeners. */
void nvmf_rdma_devices_poll(struct nvmf_rdma_transport *t);
/** Transport destroy: every device's PD and buried ids. */
void nvmf_rdma_devices_free(struct nvmf_rdma_transport *t);

/* nvmf_rdma_group.c */

struct nvmf_tgroup *nvmf_rdma_group_create(struct nvmf_transport *t);
void nvmf_rdma_group_destroy(struct nvmf_tgroup *g);
int nvmf_rdma_group_poll(struct nvmf_tgroup *g);

/* rdma_wait.c: sleeping when idle */

/** Open @g's wait_epfd with its CM event channel in it. @return 0 or -errno. */
int nvmf_rdma_wait_init(struct nvmf_rdma_group *g);
/** Give @gd's CQ a non-blocking completion channel watched by @g. @return 0 or -errno. */
int nvmf_rdma_gdev_wait_init(struct nvmf_rdma_group *g, struct nvmf_rdma_gdev *gd);
/** ops.group_wait_fd */
int nvmf_rdma_group_wait_fd(struct nvmf_tgroup *g);
/** ops.group_sleep: arm every CQ; 0 while requests wait for buffers. */
uint32_t nvmf_rdma_group_sleep(struct nvmf_tgroup *g);
/** ops.group_woken: read and acknowledge the CQ events. */
void nvmf_rdma_group_woken(struct nvmf_tgroup *g);
/** ops.wait_fd: the listeners' CM event channel. */
int nvmf_rdma_wait_fd(struct nvmf_transport *t);
/** The group's resources on @dev, created on first use. @return them, or NULL. */
struct nvmf_rdma_gdev *nvmf_rdma_gdev_get(struct nvmf_rdma_group *g, struct nvmf_rdma_device *dev);
/** Post @r again (to the SRQ, or to its queue pair). @return 0 or -errno. */
int nvmf_rdma_recv_post(struct nvmf_rdma_recv *r);
/** Take @n data buffers, all or none. @return 0 or -ENOMEM. */
int nvmf_rdma_bufs_get(struct nvmf_rdma_gdev *gd, void **bufs, uint32_t n);
void nvmf_rdma_bufs_put(struct nvmf_rdma_gdev *gd, void *const *bufs, uint32_t n);

/* nvmf_rdma_conn.c */

/** A connect request passed its checks: make the connection (main thread). */
struct nvmf_rdma_conn *nvmf_rdma_conn_create(struct nvmf_rdma_transport *t, struct rdma_cm_id *id,
					     const struct nvmf_rdma_cm_params *p, uint8_t ird,
					     uint8_t ord, const struct nvmf_listen_addr *local);
int nvmf_rdma_group_add(struct nvmf_tgroup *g, struct nvmf_qpair *q);
/** Put the queue pair in error and start the drain; qpair_closed follows. */
void nvmf_rdma_conn_close(struct nvmf_rdma_conn *c, const char *why);
/** Drained closing connections: tell the core. @return NVMF_POLL_*. */
int nvmf_rdma_conns_reap(struct nvmf_rdma_group *g);
/** Handle the CM events of the group's connections. @return NVMF_POLL_*. */
int nvmf_rdma_conn_cm_poll(struct nvmf_rdma_group *g);
void nvmf_rdma_qpair_close(struct nvmf_qpair *q);
void nvmf_rdma_qpair_free(struct nvmf_qpair *q);
/** The connection of queue pair number @qp_num in @g, or NULL. */
struct nvmf_rdma_conn *nvmf_rdma_conn_by_qpn(struct nvmf_rdma_group *g, uint32_t qp_num);

/* nvmf_rdma_req.c */

int nvmf_rdma_reqs_alloc(struct nvmf_rdma_conn *c);
void nvmf_rdma_reqs_free(struct nvmf_rdma_conn *c);
void nvmf_rdma_req_set_state(struct nvmf_rdma_req *req, enum nvmf_rdma_req_state s);
/** A capsule arrived in @r for @c: start a command. */
void nvmf_rdma_req_recv(struct nvmf_rdma_conn *c, struct nvmf_rdma_recv *r);
/** A completion for a request's work request (@type SEND / READ / WRITE). */
void nvmf_rdma_req_wc(struct nvmf_rdma_req *req, enum nvmf_rdma_wr_type type,
		      const struct ibv_wc *wc);
/** Retry requests waiting for data buffers in @g. @return NVMF_POLL_*. */
int nvmf_rdma_req_retry_bufs(struct nvmf_rdma_group *g);
/** Retry requests of @c waiting for send queue slots / READ credits. */
void nvmf_rdma_req_retry_sq(struct nvmf_rdma_conn *c);
/** Connection closing: release every request that has no work posted. */
void nvmf_rdma_reqs_abort(struct nvmf_rdma_conn *c);
/** Requests of @c with work still posted (READING / SENDING). */
uint32_t nvmf_rdma_reqs_busy(struct nvmf_rdma_conn *c);
void nvmf_rdma_req_complete(struct nvmf_request *r);
/**
 * ops.req_abort: command @cid of @qp waiting for buffers or READ credits
 * (answered at once) or with its RDMA READs posted (answered when they
 * complete), with Command Abort Requested. @return true when found.
 */
bool nvmf_rdma_req_abort(struct nvmf_qpair *qp, uint16_t cid);

#endif /* NVMF_TGT_TRANSPORT_RDMA_INTERNAL_H */
