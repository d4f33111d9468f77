/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_transport.h - the contract between the target core (nvmf/) and the
 * target transports (transport/tcp, transport/rdma).
 *
 * The transport layer sits below the core: this header names core types only
 * as opaque pointers (struct nvmf_ctrlr, struct nvmf_conn), which a
 * transport never dereferences. A transport moves capsules and data; the
 * core executes commands. They meet in three places:
 *
 *   - struct nvmf_qpair, embedded first in each transport's connection object
 *     (recovered with container_of), carries the fields both sides read;
 *   - struct nvmf_request, one per outstanding command, owned by the
 *     transport (from a per-qpair array, never malloc per I/O) and lent to the
 *     core between nvmf_transport_upcalls.exec and nvmf_transport_ops.req_complete;
 *   - the ops table (core -> transport) and the upcalls (transport -> core).
 *
 * Threads: a transport object is created on the main thread; accept() and
 * listen() run there. Each poll group (one per core) creates its own group
 * object and calls group_poll() and group_flush() on its own thread only; a
 * qpair, after group_add(), is touched only from its group's thread. No locks.
 *
 * Request life cycle (both directions):
 *
 *   capsule received -> transport picks a request, sets cmd, length, xfer and,
 *   when length > 0, iov/iovcnt pointing at data buffers (in-capsule data or
 *   buffers from its group's DMA-able pool) -> for host-to-controller data,
 *   the transport first receives all of it into those buffers (R2T/H2CData,
 *   RDMA READ) -> upcalls.exec(req) -> the core fills req->cpl and, for
 *   controller-to-host data, the buffers -> ops.req_complete(req) -> the
 *   transport sends the data (C2HData, RDMA WRITE) then the response, and
 *   recycles the request and its buffers.
 */
#ifndef NVMF_TGT_NVMF_TRANSPORT_H
#define NVMF_TGT_NVMF_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include "nvme_spec.h"
#include "nvmf_spec.h"

/** Most data buffers one request may use (MaxIOSize / IOUnitSize, plus one). */
#define NVMF_REQ_MAX_IOV 33

/** group_sleep(): no time limit, only the wait fd wakes the group. */
#define NVMF_SLEEP_FOREVER UINT32_MAX

/** Poll results: work was done, or nothing was there. */
#define NVMF_POLL_IDLE 0
#define NVMF_POLL_BUSY 1

struct nvmf_transport;
struct nvmf_tgroup;
struct nvmf_qpair;
/* The core's own objects, opaque to transports. */
struct nvmf_ctrlr;
struct nvmf_conn;
struct tls_keyring;

/** Options of one transport, from the conf file's [Transport] section. */
struct nvmf_transport_opts {
	uint8_t trtype;                /**< NVMF_TRTYPE_TCP, NVMF_TRTYPE_RDMA */
	uint32_t max_queue_depth;      /**< entries per I/O queue (MQES + 1) */
	uint32_t max_aq_depth;         /**< entries of the admin queue */
	uint32_t max_qpairs_per_ctrlr; /**< admin queue included */
	uint32_t in_capsule_data_size; /**< bytes of in-capsule data accepted */
	uint32_t max_io_size;          /**< largest transfer (MDTS) in bytes */
	uint32_t io_unit_size;         /**< size of one data buffer */
	uint32_t num_shared_buffers;   /**< data buffers per poll group */
	bool hdgst_allowed;            /**< header digest may be negotiated */
	bool ddgst_allowed;            /**< data digest may be negotiated */
	/** Seconds a secure-channel handshake may take ([Transport] TlsHandshakeTimeout). */
	uint32_t tls_handshake_timeout_s;
};

/** Default of nvmf_transport_opts.tls_handshake_timeout_s. */
#define NVMF_TLS_HANDSHAKE_TIMEOUT_S_DEFAULT 10u

/** Fill @opts with the defaults of @trtype. */
void nvmf_transport_opts_init(struct nvmf_transport_opts *opts, uint8_t trtype);

/** A listen address, as in a discovery log entry. */
struct nvmf_listen_addr {
	uint8_t trtype;   /**< NVMF_TRTYPE_* */
	uint8_t adrfam;   /**< NVMF_ADRFAM_IPV4 / _IPV6 */
	char traddr[256]; /**< "127.0.0.1", "::1" */
	char trsvcid[33]; /**< "4420" */
	/**
	 * Secure channel of a listener: NVMF_LISTEN_SECURE_NONE, or
	 * NVMF_LISTEN_SECURE_TLS (TLS 1.3 with PSK required, TCP only). Not
	 * part of the address: nvmf_listen_addr_eq() ignores it.
	 */
	uint8_t secure;
};

#define NVMF_LISTEN_SECURE_NONE 0
#define NVMF_LISTEN_SECURE_TLS 1

/** Same transport, family, address and port? Thread safe. */
bool nvmf_listen_addr_eq(const struct nvmf_listen_addr *a, const struct nvmf_listen_addr *b);

/** Direction of a command's data. */
enum nvmf_xfer {
	NVMF_XFER_NONE = 0,
	NVMF_XFER_H2C, /**< host to controller: write, in-capsule or R2T */
	NVMF_XFER_C2H, /**< controller to host: read, identify, log page */
};
/* The same values as the spec's direction bits (nvmf_cmd_data_transfer()). */
_Static_assert((int)NVMF_XFER_NONE == (int)NVME_DATA_NONE, "xfer none");
_Static_assert((int)NVMF_XFER_H2C == (int)NVME_DATA_HOST_TO_CONTROLLER, "xfer h2c");
_Static_assert((int)NVMF_XFER_C2H == (int)NVME_DATA_CONTROLLER_TO_HOST, "xfer c2h");

/** One command in flight. Owned by the transport; lent to the core. */
struct nvmf_request {
	struct nvmf_qpair *qpair;
	struct nvme_cmd cmd; /**< the SQE as received */
	struct nvme_cpl cpl; /**< the CQE the core fills */
	uint32_t length;     /**< data length from the SGL, bytes */
	enum nvmf_xfer xfer;
	uint32_t iovcnt;
	struct iovec iov[NVMF_REQ_MAX_IOV];
	/**
	 * Transport: C2H data may be sent from any memory the core names in
	 * c2h_iov (the transport copies it out, e.g. into a socket, and needs
	 * no registration). Left false, the core always fills iov[].
	 */
	bool c2h_any;
	/**
	 * Core: when not NULL, a completed read's data is here and not in
	 * iov[]: the backend's own memory, readable until the transport
	 * gives it back with upcalls.c2h_release when it recycles the
	 * request. The transport sets it to NULL for every new command.
	 */
	const struct iovec *c2h_iov;
	uint32_t c2h_iovcnt;
	struct iovec c2h_span; /**< core: what c2h_iov points at */
	void *c2h_owner;       /**< core: what keeps c2h_iov readable, for c2h_release */
	/**
	 * Transport: iov[] is lent, e.g. a receive buffer that the next
	 * receive overwrites, and only holds the host data until exec()
	 * returns. A core that needs the data later (a parked request, an
	 * asynchronous backend, any command but an I/O-queue Write) calls
	 * ops.req_keep_data() first.
	 */
	bool h2c_lent;
	TAILQ_ENTRY(nvmf_request) core_link; /**< core: its lists while it owns the request */
};

/**
 * Generic part of a connection; embedded first in the transport's object.
 * Fields marked "core" are set by the core only; the transport may read
 * qid, sqsize and sq_flow_disabled, and only after the Connect command
 * completed.
 */
struct nvmf_qpair {
	struct nvmf_transport *transport; /**< set by the transport */
	struct nvmf_tgroup *tgroup;       /**< set by the transport in group_add */
	struct nvmf_listen_addr peer;     /**< host address, for logs */
	struct nvmf_listen_addr local;    /**< the listener it came in on */
	struct nvmf_ctrlr *ctrlr;         /**< core: the controller, after Connect */
	struct nvmf_conn *conn;           /**< core: its state of this connection */
	uint16_t qid;                     /**< core: queue id from Connect */
	uint16_t sqsize;                  /**< core: SQSIZE (0's based) */
	uint16_t sq_head;                 /**< core: for CQE SQHD */
	bool connected;                   /**< core: Connect succeeded */
	/**
	 * core: the host asked to disable SQ flow control (Connect CATTR) and
	 * the controller agreed. SQHD then means nothing to the host, and a
	 * transport whose binding allows it may answer a successful read with
	 * its data alone, without a response capsule.
	 */
	bool sq_flow_disabled;
	bool closing; /**< core: teardown started */
	/**
	 * Set by the transport before it passes the first command, on a
	 * connection that authenticated with a PSK identity (a secure
	 * channel): the identity's host and subsystem NQN, valid while the
	 * qpair lives. The core refuses a Connect whose data names others.
	 * NULL on a plain connection.
	 */
	const char *tls_hostnqn;
	const char *tls_subnqn;
	uint32_t outstanding; /**< core: requests the core owns */
	TAILQ_ENTRY(nvmf_qpair) core_link;
};

/** Calls from a transport into the core. */
struct nvmf_transport_upcalls {
	void *ctx; /**< the core's context, passed to new_qpair */
	/**
	 * A connection was accepted (main thread). The core chooses a poll
	 * group and, on that group's thread, calls ops.group_add().
	 */
	void (*new_qpair)(void *ctx, struct nvmf_qpair *qpair);
	/** A command and its host data are ready (qpair's group thread). */
	void (*exec)(struct nvmf_request *req);
	/**
	 * The connection is gone: peer closed, fatal protocol error, or the
	 * core asked with ops.qpair_close(). Called exactly once per qpair
	 * that was passed to new_qpair, on its group's thread (never from
	 * inside an ops call: from group_poll). Afterwards the transport
	 * sends nothing more; requests the core still owns come back through
	 * req_complete() as usual and are only recycled. When the core owns
	 * no request and has dropped its state, it calls ops.qpair_free().
	 */
	void (*qpair_closed)(struct nvmf_qpair *qpair);
	/**
	 * The transport is done with the memory @req's c2h_iov named: its data
	 * was sent (copied out) or will never be. Called once for each request
	 * that came back from the core with c2h_iov set, when the transport
	 * recycles it (also when its connection is freed), on the qpair's
	 * group thread, never from inside an ops call; the transport then
	 * clears c2h_iov. Until then the core keeps that memory (a backend
	 * being deleted waits). NULL: nothing to tell.
	 */
	void (*c2h_release)(struct nvmf_request *req);
	/**
	 * The target's TLS PSKs (util_tls_psk.h), for a transport with a
	 * secure channel to look up the PSK identity a host sends. Thread
	 * safe. May be NULL: no key known.
	 */
	struct tls_keyring *keyring;
};

/** The ops table a transport fills with designated initializers. */
struct nvmf_transport_ops {
	/**
	 * The transport's own name, "TCP": in logs, and lower-cased in listen
	 * addresses ("tcp 127.0.0.1:4420"). The conf file's Type names it too.
	 */
	const char *name;
	uint8_t trtype; /**< NVMF_TRTYPE_* */

	/** Create the transport (main thread). @return it, or NULL. */
	struct nvmf_transport *(*create)(const struct nvmf_transport_opts *opts,
					 const struct nvmf_transport_upcalls *up);
	/** Destroy: listeners closed; all groups already destroyed. */
	void (*destroy)(struct nvmf_transport *t);

	/** Start listening (main thread). @return 0, -EADDRINUSE, -EINVAL ... */
	int (*listen)(struct nvmf_transport *t, const struct nvmf_listen_addr *addr);
	/** Stop listening on @addr (main thread); connections stay. */
	int (*stop_listen)(struct nvmf_transport *t, const struct nvmf_listen_addr *addr);
	/** Accept pending connections (main thread, polled). NVMF_POLL_*. */
	int (*accept)(struct nvmf_transport *t);

	/** Per poll group state, created and used on that group's thread. */
	struct nvmf_tgroup *(*group_create)(struct nvmf_transport *t);
	void (*group_destroy)(struct nvmf_tgroup *g);
	/** Adopt a connection into the group (group thread). */
	int (*group_add)(struct nvmf_tgroup *g, struct nvmf_qpair *qpair);
	/** Do bounded work on all the group's connections. NVMF_POLL_*. */
	int (*group_poll)(struct nvmf_tgroup *g);
	/**
	 * Send what completions queued since group_poll() (group thread).
	 * The poll group calls it once per loop, after polling its backend
	 * channels, so a response that an asynchronous backend completed
	 * there does not wait for the next loop. Never calls an upcall.
	 * Optional (NULL: output waits for group_poll). NVMF_POLL_*.
	 */
	int (*group_flush)(struct nvmf_tgroup *g);

	/**
	 * The core keeps @req's lent host data (h2c_lent) beyond exec():
	 * copy it into the request's own buffers, point iov[] there and clear
	 * h2c_lent. Called on the group thread, inside exec(). Optional for a
	 * transport that never lends.
	 */
	void (*req_keep_data)(struct nvmf_request *req);
	/** The core finished @req: send its data (C2H) and its response. */
	void (*req_complete)(struct nvmf_request *req);
	/**
	 * Abort command @cid of @qpair if the transport still holds it, not
	 * yet given to the core (waiting for host data or a buffer): complete
	 * it with Command Abort Requested (SCT 0, SC 07h) through the usual
	 * response path and return true; false when it holds no such command.
	 * Group thread of @qpair. Optional (NULL: never found).
	 */
	bool (*req_abort)(struct nvmf_qpair *qpair, uint16_t cid);
	/** The core wants the connection closed (group thread). Async: ends in upcalls.qpair_closed. */
	void (*qpair_close)(struct nvmf_qpair *qpair);
	/** Free the connection after qpair_closed (group thread). */
	void (*qpair_free)(struct nvmf_qpair *qpair);

	/*
	 * Sleeping when idle (all optional; a transport without group_wait_fd
	 * keeps its groups from sleeping longer than a short nap). A group
	 * that found no work for a while calls group_sleep() on each of its
	 * transport groups, polls once more, then blocks until one of their
	 * wait fds is readable, a message arrives or its next timer is due;
	 * after such a wait it calls group_woken().
	 */
	/** A file descriptor of the group (level-triggered; e.g. an epoll fd) readable when group_poll has work. */
	int (*group_wait_fd)(struct nvmf_tgroup *g);
	/**
	 * About to sleep (group thread): arm the notifications behind
	 * group_wait_fd (completions that arrive from now on make it
	 * readable; the caller polls once more after this). @return the
	 * longest sleep in microseconds: 0 when work is pending that no fd
	 * announces, NVMF_SLEEP_FOREVER when only the fd matters.
	 */
	uint32_t (*group_sleep)(struct nvmf_tgroup *g);
	/** Woken after a sleep (group thread): consume the notifications group_sleep armed. */
	void (*group_woken)(struct nvmf_tgroup *g);
	/** A file descriptor readable when accept() has work (main thread), or -1. */
	int (*wait_fd)(struct nvmf_transport *t);

	/** Fill transport-specific fields of a discovery log entry (TSAS...). Optional. */
	void (*discovery_entry)(struct nvmf_transport *t, const struct nvmf_listen_addr *addr,
				struct nvmf_discovery_log_entry *entry);
};

/** Base of every transport object; embedded first by each transport. */
struct nvmf_transport {
	const struct nvmf_transport_ops *ops;
	struct nvmf_transport_opts opts;
	struct nvmf_transport_upcalls up;
};

/** Base of every transport poll group object; embedded first. */
struct nvmf_tgroup {
	struct nvmf_transport *transport;
};

/** The ops table of a transport type, or NULL when not built in. */
const struct nvmf_transport_ops *nvmf_transport_ops_get(uint8_t trtype);

/** A built-in transport's name (ops.name, case-insensitive) -> NVMF_TRTYPE_*. @return 0 or -EINVAL. */
int nvmf_trtype_parse(const char *name, uint8_t *trtype);

/** The name of @trtype's transport (ops.name), or NULL when not built in. */
const char *nvmf_trtype_name(uint8_t trtype);

#endif /* NVMF_TGT_NVMF_TRANSPORT_H */
