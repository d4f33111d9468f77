/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_internal.h - the target core's private types (nvmf/ only, and its
 * unit tests).
 *
 * Ownership, by thread:
 *   main thread (= poll group 0's thread): the target, subsystems, hosts,
 *     listeners, namespaces (published to poll groups with atomic pointers),
 *     the controller registry (CNTLID allocation, the qpairs of a controller).
 *   a controller's admin poll group: the controller's state (CC/CSTS,
 *     features, AER slots, keep-alive, changed namespace list).
 *   each poll group: its connections, backend channels, I/O contexts.
 * Cross-thread work is a message (nvmf_msg_send) on the target group's ring.
 */
#ifndef NVMF_TGT_NVMF_INTERNAL_H
#define NVMF_TGT_NVMF_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include "nvmf.h"
#include "nvmf_transport.h"
#include "nvmf/backend.h"
#include "nvmf/resv.h"
#include "nvmf/health.h"

#define NVMF_MAX_TRANSPORTS 4
#define NVMF_MAX_BACKENDS 1024
#define NVMF_MAX_GROUPS 64
#define NVMF_MAX_NSID_LIMIT 1024
#define NVMF_CNTLID_MIN 1
#define NVMF_AER_MAX 4  /* AERL + 1 */
#define NVMF_KAS_MS 100 /* keep-alive granularity (Identify KAS = 1) */
#define NVMF_KATO_MARGIN_MS 5000
#define NVMF_CHANGED_NS_MAX 1024
#define NVMF_ERROR_LOG_MAX 16
_Static_assert(NVMF_ERROR_LOG_MAX == NVMF_ERRLOG_SLOTS, "error log ring");
#define NVMF_IO_CTX_PER_GROUP 1024
#define NVMF_SCRATCH_PER_GROUP 8
#define NVMF_MSG_RING_SIZE 16384
#define NVMF_TIMER_PERIOD_MS NVMF_KAS_MS
#define NVMF_FW_REVISION "0.1"
#define NVMF_DEFAULT_MN "nvmf-tgt"
#define NVMF_HOSTNQN_ANY "*"

struct nvmf_poll_group;
struct nvmf_ctrlr;
struct nvmf_conn;
struct nvmf_auth;

/* ------------------------------------------------------------- messages */

typedef void (*nvmf_msg_fn)(void *arg);

/** Run @fn(@arg) on @pg's thread. Control path only. @return 0 or -ENOMEM/-ENOBUFS. */
int nvmf_msg_send(struct nvmf_poll_group *pg, nvmf_msg_fn fn, void *arg);
/** Run up to @budget queued messages of @pg. @return how many ran. */
unsigned nvmf_msg_poll(struct nvmf_poll_group *pg, unsigned budget);

/* ------------------------------------------------------------ transports */

struct nvmf_tr {
	const struct nvmf_transport_ops *ops;
	struct nvmf_transport *t;
	struct nvmf_transport_opts opts;
};

/* One-line wrappers: generic code never calls an ops member directly. */
/** Create the transport of @tr->ops with @tr->opts (main thread). @return it, or NULL. */
struct nvmf_transport *nvmf_tr_create(struct nvmf_tr *tr, const struct nvmf_transport_upcalls *up);
void nvmf_tr_destroy(struct nvmf_tr *tr);
/** The poll group's part of @tr (group thread). @return it, or NULL. */
struct nvmf_tgroup *nvmf_tr_group_create(struct nvmf_tr *tr);
void nvmf_tr_group_destroy(struct nvmf_tr *tr, struct nvmf_tgroup *g);
/** Adopt @qp into @g (group thread). @return 0 or a negative errno. */
int nvmf_tr_group_add(struct nvmf_tr *tr, struct nvmf_tgroup *g, struct nvmf_qpair *qp);
int nvmf_tr_group_poll(struct nvmf_tr *tr, struct nvmf_tgroup *g);
/** Send output queued since group_poll (optional op; NVMF_POLL_IDLE without it). */
int nvmf_tr_group_flush(struct nvmf_tr *tr, struct nvmf_tgroup *g);
int nvmf_tr_listen(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr);
int nvmf_tr_stop_listen(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr);
int nvmf_tr_accept(struct nvmf_tr *tr);
void nvmf_tr_req_complete(struct nvmf_request *req);
/** Make lent host data (h2c_lent) the request's own; no-op when not lent. */
void nvmf_tr_req_keep_data(struct nvmf_request *req);
void nvmf_tr_qpair_close(struct nvmf_qpair *qp);
void nvmf_tr_qpair_free(struct nvmf_qpair *qp);
void nvmf_tr_discovery_entry(struct nvmf_tr *tr, const struct nvmf_listen_addr *addr,
			     struct nvmf_discovery_log_entry *e);
const char *nvmf_tr_name(const struct nvmf_tr *tr);
/** The group's wait fd, or -1 when the transport has none. */
int nvmf_tr_group_wait_fd(struct nvmf_tr *tr, struct nvmf_tgroup *g);
/** Arm before a sleep. @return the longest sleep in us (NVMF_SLEEP_FOREVER without the op). */
uint32_t nvmf_tr_group_sleep(struct nvmf_tr *tr, struct nvmf_tgroup *g);
/** After a sleep: consume what group_sleep armed (no-op without the op). */
void nvmf_tr_group_woken(struct nvmf_tr *tr, struct nvmf_tgroup *g);
/** The transport's accept fd (main thread); -ENOENT: it accepts nothing; other < 0: none. */
int nvmf_tr_wait_fd(struct nvmf_tr *tr);
/** The transport of @trtype, or NULL. */
struct nvmf_tr *nvmf_tgt_tr_find(struct nvmf_tgt *tgt, uint8_t trtype);
/** The transport of @t, or NULL. */
struct nvmf_tr *nvmf_tgt_tr_of(struct nvmf_tgt *tgt, const struct nvmf_transport *t);

/* ------------------------------------------------------------ listeners */

/** A listen address, shared by the subsystems that use it. */
struct nvmf_listener {
	struct nvmf_listen_addr addr;
	uint16_t portid;
	uint32_t refs;
	bool listening;
	TAILQ_ENTRY(nvmf_listener) link;
};

struct nvmf_ss_listener {
	struct nvmf_listener *l;
	uint8_t ana[NVMF_ANA_GRP_MAX + 1]; /* enum nvme_ana_state by group ID (0 unused) */
	TAILQ_ENTRY(nvmf_ss_listener) link;
};

struct dhchap_key;

struct nvmf_host {
	char nqn[NVMF_NQN_MAX_LEN + 1];
	struct dhchap_key *dhchap_key;      /* DH-HMAC-CHAP host secret, or NULL */
	struct dhchap_key *dhchap_ctrl_key; /* controller secret (bidirectional), or NULL */
	char *dhchap_src; /* the host secret as given: inline, key file or keyring name */
	char *ctrl_src;   /* the controller secret as given, or NULL */
	char *psk_name;   /* keyring key holding the TLS PSK, or NULL */
	TAILQ_ENTRY(nvmf_host) link;
};

/** "tcp 127.0.0.1:4420" / "tcp [::1]:4420" into @buf (the transport's own name). */
void nvmf_listen_addr_fmt(const struct nvmf_listen_addr *a, char *buf, size_t len);

/* ----------------------------------------------------------- namespaces */

struct nvmf_ns {
	struct nvmf_subsystem *ss;
	uint32_t nsid;
	struct nvmf_backend *backend;
	uint64_t nsze; /* blocks */
	uint32_t block_size;
	uint8_t lbads; /* log2(block_size) */
	uint8_t uuid[16];
	uint8_t nguid[16];
	uint8_t eui64[8];
	uint32_t anagrpid; /* 1..NVMF_ANA_GRP_MAX */
	/* Removal: poll groups yet to pass a message boundary (main thread),
	 * and the target to report to (the subsystem may be gone by then). */
	uint32_t release_pending;
	struct nvmf_tgt *tgt;
	uint64_t stats_id; /* a target-wide serial, never reused */
	/* By poll group index: that group's own stats of it (its thread only). */
	struct nvmf_ns_pg_stats *pg_stats[NVMF_MAX_GROUPS];
	/* Reservations (resv.c): the main thread's state, the I/O path's view. */
	struct nvmf_resv *resv;
	_Atomic(struct nvmf_resv_view *) resv_view;
};

bool nvmf_mem_is_zero(const void *buf, size_t len);

/* ----------------------------------------------------------- subsystems */

struct nvmf_subsystem {
	struct nvmf_tgt *tgt;
	char nqn[NVMF_NQN_MAX_LEN + 1];
	char sn[21];
	char mn[41];
	uint32_t max_nsid;
	uint32_t num_ns;
	bool allow_any_host;
	bool admin_passthru; /* Format, Sanitize, firmware go to the drive */
	bool discovery;
	bool deleting;
	/* Namespaces by NSID - 1; written by the main thread, read anywhere. */
	_Atomic(struct nvmf_ns *) ns[NVMF_MAX_NSID_LIMIT];
	TAILQ_HEAD(, nvmf_host) hosts;
	TAILQ_HEAD(, nvmf_ss_listener) listeners;
	TAILQ_HEAD(, nvmf_ctrlr) ctrlrs;
	uint32_t num_ctrlrs;
	uint16_t next_cntlid;
	/* DH-HMAC-CHAP, in order of preference; n 0: the defaults (auth_conf.c). */
	uint8_t dhchap_hashes[3], n_dhchap_hashes;
	uint8_t dhchap_groups[6], n_dhchap_groups;
	TAILQ_ENTRY(nvmf_subsystem) link;
};

/** The namespace @nsid of @ss, or NULL (any thread). */
struct nvmf_ns *nvmf_ss_ns(struct nvmf_subsystem *ss, uint32_t nsid);
bool nvmf_ss_host_allowed(struct nvmf_subsystem *ss, const char *hostnqn);
/** The host entry of @hostnqn on @ss's list, or NULL. */
struct nvmf_host *nvmf_ss_host_find(struct nvmf_subsystem *ss, const char *hostnqn);
bool nvmf_ss_has_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *a);
/** @ss's listener on address @a, or NULL. */
struct nvmf_ss_listener *nvmf_ss_listener_find(struct nvmf_subsystem *ss,
					       const struct nvmf_listen_addr *a);
/** Free a subsystem whose controllers are all gone (main thread). */
void nvmf_ss_free(struct nvmf_subsystem *ss);
/** Called when a controller of @ss was released: finish a pending destroy. */
void nvmf_ss_ctrlr_gone(struct nvmf_subsystem *ss);
/** True when any namespace backend has a volatile cache. */
bool nvmf_ss_has_vwc(struct nvmf_subsystem *ss);

/* ---------------------------------------------------------- controllers */

/* Notice events a controller reports, as bits of notice_pending/_masked. */
#define NVMF_NOTICE_NS_ATTR (1u << 0)  /* NVM: Namespace Attribute Changed, log 04h */
#define NVMF_NOTICE_DISC_LOG (1u << 1) /* discovery: Discovery Log Page Change, log 70h */
#define NVMF_NOTICE_RESV (1u << 2)     /* NVM: Reservation Log Page Available, log 80h */
#define NVMF_NOTICE_ANA (1u << 3)      /* NVM: Asymmetric Namespace Access Change, log 0Ch */

/* Per poll group counters of one controller: one writer, relaxed atomics. */
struct nvmf_ctrlr_stats {
	_Atomic uint64_t bytes_read;
	_Atomic uint64_t bytes_written;
	_Atomic uint64_t read_cmds;
	_Atomic uint64_t write_cmds;
} __attribute__((aligned(64)));

/* A controller's counters summed over its poll groups. */
struct nvmf_ctrlr_totals {
	uint64_t bytes_read, bytes_written, read_cmds, write_cmds;
};

/** Sum @ctrlr's per poll group counters into @t (any thread). */
void nvmf_ctrlr_sum_stats(struct nvmf_ctrlr *ctrlr, struct nvmf_ctrlr_totals *t);

/*
 * Life of a controller, on the main thread (every change through
 * nvmf_ctrlr_set_state(), ctrlr.c):
 *
 *   LIVE --teardown--> DYING --last queue detached--> GONE
 *
 * LIVE: in the registry, takes new I/O queues and namespace events.
 * DYING: "close" sent to each of its connections; no new I/O queue.
 * GONE: out of the registry; freed on its admin group by a message queued
 * after any other message for it there.
 */
enum nvmf_ctrlr_state {
	NVMF_CTRLR_LIVE = 0,
	NVMF_CTRLR_DYING,
	NVMF_CTRLR_GONE,
	NVMF_CTRLR_NSTATES,
};

struct nvmf_ctrlr {
	/* Main thread (registry). */
	struct nvmf_subsystem *ss;
	uint16_t cntlid;
	char hostnqn[NVMF_NQN_MAX_LEN + 1];
	uint8_t hostid[16];
	uint32_t max_qpairs;      /* admin included */
	struct nvmf_conn **conns; /* by qid */
	uint32_t live_qpairs;
	enum nvmf_ctrlr_state state;
	struct nvmf_poll_group *admin_pg;
	TAILQ_ENTRY(nvmf_ctrlr) ss_link;
	_Atomic uint32_t io_queues_granted; /* written by the admin group */
	/* ANA: the address the admin queue came in through, and that
	 * address's state per group; written by the main thread, read by the
	 * I/O groups (state) and the admin group (log page). */
	struct nvmf_listen_addr path;
	_Atomic uint8_t ana[NVMF_ANA_GRP_MAX + 1];
	_Atomic uint64_t ana_chgcnt;

	/* Admin poll group. */
	struct nvmf_conn *admin_conn;
	bool on_group_list;
	TAILQ_ENTRY(nvmf_ctrlr) pg_link;
	uint32_t cc;
	uint32_t csts;
	uint32_t kato_ms;
	uint64_t last_ka_tick;
	uint64_t start_tick;
	uint32_t aec;             /* async event configuration */
	_Atomic bool vwc_enabled; /* read by I/O groups */
	bool num_queues_set;
	uint32_t temp_threshold;
	struct nvmf_request *aer[NVMF_AER_MAX];
	uint32_t naer;
	bool ka_expired;
	uint32_t notice_pending; /* NVMF_NOTICE_*: an event waits for an AER */
	uint32_t notice_masked;  /* NVMF_NOTICE_*: sent; masked until its log is read */
	uint32_t changed_ns[NVMF_CHANGED_NS_MAX];
	uint32_t nchanged;
	bool changed_overflow;
	struct nvmf_resv_log resv_log;
	struct nvmf_errlog errlog;       /* written by any group (health.h) */
	struct nvmf_request *health_req; /* a Get Log Page 02h waiting for drives */
	struct passthru_ctx *passthru;   /* an admin command at the drive (admin_passthru.c) */
	uint64_t health_deadline;

	/* Per poll group, indexed by group index; allocated with the ctrlr. */
	uint32_t nstats;
	struct nvmf_ctrlr_stats *stats;
};

/* ---------------------------------------------------------- connections */

/*
 * Life of a connection, on its poll group's thread (every change through
 * nvmf_conn_set_state(), conn.c). Three phases (open; close asked of the
 * transport; closed: qpair_closed seen) times three bindings (none;
 * Connect on the main thread; bound to a controller), then DETACHING:
 *
 *           Connect            bound
 *   NEW ----------> CONNECTING ------> LIVE
 *    ^  <-refused-- |                  |
 *    | close asked  | close asked      | close asked
 *    v              v                  v
 *   CLOSING ------> CLOSING_CONNECTING ------> CLOSING_LIVE
 *    ^  <-refused-- |                          |
 *    | qpair_closed | qpair_closed             | qpair_closed
 *    v              v                          v
 *   CLOSED          CLOSED_CONNECTING ------> CLOSED_LIVE
 *    ^  <-refused-- |                          | no request left: detach
 *    |                                         v
 *    +----------- ack from the main thread -- DETACHING
 *
 * qpair_closed also comes straight from an open state (NEW -> CLOSED,
 * CONNECTING -> CLOSED_CONNECTING, LIVE -> CLOSED_LIVE) when the transport
 * closes on its own. CLOSED with no request left: the qpair goes back to
 * the transport and the conn is freed. "Attached" (the controller
 * registry holds the conn) = LIVE, CLOSING_LIVE, CLOSED_LIVE, DETACHING.
 */
enum nvmf_conn_state {
	NVMF_CONN_NEW = 0,
	NVMF_CONN_CONNECTING,
	NVMF_CONN_LIVE,
	NVMF_CONN_CLOSING,
	NVMF_CONN_CLOSING_CONNECTING,
	NVMF_CONN_CLOSING_LIVE,
	NVMF_CONN_CLOSED,
	NVMF_CONN_CLOSED_CONNECTING,
	NVMF_CONN_CLOSED_LIVE,
	NVMF_CONN_DETACHING,
	NVMF_CONN_NSTATES,
};

/* The core's state of one qpair; qpair->conn points here. */
struct nvmf_conn {
	struct nvmf_qpair *qp;
	struct nvmf_poll_group *pg;
	struct nvmf_tr *tr;
	struct nvmf_ctrlr *ctrlr; /* set after Connect, cleared on detach */
	enum nvmf_conn_state state;
	struct nvmf_auth *auth; /* DH-HMAC-CHAP of this queue, or NULL (nvmf/auth.h) */
	TAILQ_ENTRY(nvmf_conn) link;
};

static inline struct nvmf_conn *nvmf_conn_of(struct nvmf_qpair *qp)
{
	return qp->conn;
}

/** Is @from -> @to a legal change of a connection's state? Pure. */
bool nvmf_conn_state_change_ok(enum nvmf_conn_state from, enum nvmf_conn_state to);
/**
 * Move @c to @s (group thread), counted in its group's conn_states[];
 * keeps qp->closing in step. An illegal change is a bug: logged, abort().
 */
void nvmf_conn_set_state(struct nvmf_conn *c, enum nvmf_conn_state s);
/** qpair_closed seen: the transport delivers nothing more. */
bool nvmf_conn_is_closed(const struct nvmf_conn *c);
/** The controller registry holds @c (bound, not yet detached). */
bool nvmf_conn_is_attached(const struct nvmf_conn *c);
/** May a Connect start: neither connecting nor bound yet, not closed. */
bool nvmf_conn_may_connect(const struct nvmf_conn *c);
/** A Connect goes to the main thread (only when nvmf_conn_may_connect()). */
void nvmf_conn_connect_begin(struct nvmf_conn *c);
/** The Connect forwarded came back: @bound to a controller, or refused. */
void nvmf_conn_connect_end(struct nvmf_conn *c, bool bound);
/** Ask the transport to close (group thread); idempotent. */
void nvmf_conn_close(struct nvmf_conn *c);

/* ---------------------------------------------------------- poll groups */

struct nvmf_io_ctx {
	struct nvmf_bio bio;
	struct nvmf_request *req;
	struct nvmf_bchannel *ch;
	uint8_t lbads;
	void *scratch;
	struct env_pool *scratch_pool; /* where scratch goes back */
	struct iovec scratch_iov;
	uint32_t range;  /* DSM: next range */
	uint32_t nrange; /* DSM: ranges */
	int status;
	uint64_t start;              /* env_ticks() when the command began */
	struct nvmf_ns_pg_stats *st; /* its namespace's stats on this group */
	SLIST_ENTRY(nvmf_io_ctx) free_link;
};

/* What one poll group did on one namespace; its own thread only. */
struct nvmf_ns_pg_stats {
	uint64_t ns_id;    /* nvmf_ns.stats_id: never reused */
	uint32_t inflight; /* I/O started and not completed */
	struct nvmf_io_stats io;
	struct histogram *lat; /* ticks; NULL when out of memory */
	LIST_ENTRY(nvmf_ns_pg_stats) link;
};

/* Counters of one poll group: its own thread only, read there on request. */
struct nvmf_pg_stats {
	uint64_t admin_qpairs; /* ever attached to a controller */
	uint64_t io_qpairs;
	uint32_t cur_admin_qpairs; /* attached now */
	uint32_t cur_io_qpairs;
	uint32_t cur_tr_qpairs[NVMF_MAX_TRANSPORTS]; /* attached now, by transport */
	uint64_t completed_io;                       /* I/O commands done with success */
	struct nvmf_io_stats io;
	LIST_HEAD(, nvmf_ns_pg_stats) ns; /* namespaces it did I/O on */
};

/** Add @v to a counter that only the calling thread writes (no locked op). */
static inline void nvmf_stat_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

_Static_assert(NVMF_STATS_MAX_TRANSPORTS == NVMF_MAX_TRANSPORTS, "stats transports");

/**
 * The stats of @ns on @pg (group thread), created on first use; NULL when
 * out of memory (the I/O is then not counted).
 */
struct nvmf_ns_pg_stats *nvmf_ns_pg_stats_get(struct nvmf_poll_group *pg, struct nvmf_ns *ns);
/** Count @io (0 = Read/Compare, 1 = Write) of @len bytes that took @ticks. */
void nvmf_ns_pg_stats_count(struct nvmf_poll_group *pg, struct nvmf_ns_pg_stats *s, bool write,
			    uint64_t len, uint64_t ticks);
/** Count a queue pair of @pg that (@d = +1) attached or (-1) detached. */
void nvmf_pg_stats_attach(struct nvmf_poll_group *pg, bool admin, int tr, int d);
/** Free @pg's per-namespace stats (group teardown). */
void nvmf_pg_stats_fini(struct nvmf_poll_group *pg);

struct nvmf_poll_group {
	struct nvmf_tgt *tgt;
	uint32_t idx;
	uint32_t core;
	struct env_ring *ring;
	struct nvmf_tgroup *tgroups[NVMF_MAX_TRANSPORTS];
	struct nvmf_bchannel *channels[NVMF_MAX_BACKENDS];
	uint32_t channel_ids[NVMF_MAX_BACKENDS];
	uint32_t nchannels;
	TAILQ_HEAD(, nvmf_conn) conns;
	uint32_t nconns;
	TAILQ_HEAD(, nvmf_ctrlr) ctrlrs;    /* controllers whose admin queue is here */
	TAILQ_HEAD(, nvmf_request) pending; /* waiting for an I/O context or a retry */
	struct nvmf_io_ctx *ctxs;
	SLIST_HEAD(, nvmf_io_ctx) free_ctxs;
	struct env_pool *scratch; /* Compare buffers of scratch_size bytes */
	uint32_t scratch_size;
	struct env_pool *old_scratch[NVMF_MAX_TRANSPORTS]; /* outgrown, freed with the group */
	uint32_t nold_scratch;
	uint64_t next_timer;
	uint64_t idle_since;
	uint32_t io_inflight; /* I/O contexts in use: a polled backend may owe completions */
	int wait_epfd;        /* idle sleep: the fds that wake the group (nvmf/idle.c) */
	int wake_fd;          /* eventfd a message sender writes while the group sleeps */
	bool nap_only;        /* no event to wait on: short naps instead */
	atomic_bool sleeping; /* set by the group just before it sleeps */
	uint64_t sleeps;      /* times it slept */
	atomic_bool stop;
	bool thread_started;
	uint64_t conn_states[NVMF_CONN_NSTATES]; /* changes into each state */
	struct nvmf_pg_stats stats;
};

int nvmf_pg_create(struct nvmf_tgt *tgt, uint32_t idx, uint32_t core, struct nvmf_poll_group **pg);
/** Create transport groups (on the group's own thread). */
int nvmf_pg_init_on_thread(struct nvmf_poll_group *pg);
void nvmf_pg_destroy(struct nvmf_poll_group *pg);
/** One iteration: messages, transports, backends, transport flush, timers. @return NVMF_POLL_*. */
int nvmf_pg_poll(struct nvmf_poll_group *pg);
/** The channel of @b on @pg (created on first use). NULL on failure. */
struct nvmf_bchannel *nvmf_pg_channel(struct nvmf_poll_group *pg, struct nvmf_backend *b);
/**
 * Close @pg's channel on @b, which is being deleted (group thread): at once
 * when nothing holds it, else from a later poll once its holds are gone.
 * Either way the main thread then gets nvmf_backend_del_ack() for @b.
 */
void nvmf_pg_channel_close(struct nvmf_poll_group *pg, struct nvmf_backend *b);
/** Thread body of a worker poll group. */
int nvmf_pg_thread(void *arg);
/**
 * Set up @pg's idle sleep (group thread, after its transport groups): its
 * epoll fd with the wake-up eventfd and every transport group's wait fd,
 * and on the main group the transports' and the main poller's fds. When
 * one is missing the group only naps briefly when idle.
 */
void nvmf_pg_idle_init(struct nvmf_poll_group *pg);
/** Close what nvmf_pg_idle_init opened. */
void nvmf_pg_idle_fini(struct nvmf_poll_group *pg);
/** Add @fd (level-triggered, readable = work) to @pg's wait set. @return 0 or -errno. */
int nvmf_pg_idle_add_fd(struct nvmf_poll_group *pg, int fd);
/**
 * Transport @idx was added while the target runs and @pg (its own thread)
 * has just made its group: wait on that group's fd too (and, on the main
 * group, on the transport's listeners), or nap if it has none.
 */
void nvmf_pg_idle_tr_added(struct nvmf_poll_group *pg, uint32_t idx);
/** After queueing a message for @pg (any thread): wake it if it sleeps. */
void nvmf_pg_wake(struct nvmf_poll_group *pg);
/**
 * Sleep until an event or @pg's next timer (group thread): arm the
 * transports, mark @pg sleeping, run @poll(@arg) once more, and wait only
 * when that found nothing. @return NVMF_POLL_BUSY when the last poll found
 * work or an event woke the group, else NVMF_POLL_IDLE.
 */
int nvmf_pg_idle_sleep(struct nvmf_poll_group *pg, int (*poll)(void *arg), void *arg);
/**
 * One turn of a group's loop: @poll(@arg), and with the idle policy on,
 * a sleep once nothing was found for IdleSleepUs since *@idle_since (the
 * last time work was found, updated here).
 */
void nvmf_pg_loop_once(struct nvmf_poll_group *pg, int (*poll)(void *arg), void *arg,
		       uint64_t *idle_since);
/** A conn's memory goes back to the transport when nothing refers to it. */
void nvmf_conn_maybe_free(struct nvmf_conn *c);

/* --------------------------------------------------------------- target */

/* A keyring entry: a secret's name and the file holding it. */
struct nvmf_key {
	char name[NVMF_KEY_NAME_MAX + 1];
	char *path;
	TAILQ_ENTRY(nvmf_key) link;
};

/** Free every keyring entry (nvmf_tgt_destroy). */
void nvmf_keyring_clear(struct nvmf_tgt *tgt);

struct nvmf_tgt {
	struct nvmf_tgt_opts opts;
	struct nvmf_tr tr[NVMF_MAX_TRANSPORTS];
	uint32_t ntr;
	TAILQ_HEAD(, nvmf_subsystem) subsystems;
	uint32_t nsubsystems;
	struct nvmf_subsystem *discovery;
	TAILQ_HEAD(, nvmf_listener) listeners;
	uint16_t next_portid;
	TAILQ_HEAD(nvmf_backend_list, nvmf_backend) backends;
	struct nvmf_backend *backend_by_id[NVMF_MAX_BACKENDS];
	uint64_t genctr; /* discovery log generation */
	TAILQ_HEAD(, nvmf_referral) referrals;
	TAILQ_HEAD(, nvmf_key) keys;         /* keyring: named key files */
	char disc_nqn[NVMF_NQN_MAX_LEN + 1]; /* unique discovery NQN; "" = default */
	char disc_nqn_default[NVMF_NQN_MAX_LEN + 1];
	struct nvmf_poll_group *groups[NVMF_MAX_GROUPS];
	uint32_t ngroups;
	uint32_t next_group; /* round robin */
	bool started;
	bool shutting_down;
	atomic_int stop_requested; /* lock-free: async-signal-safe */
	_Atomic uint32_t live_conns;
	uint32_t num_ctrlrs;
	uint64_t ctrlr_states[NVMF_CTRLR_NSTATES]; /* changes into each state */
	uint32_t pending_ns_free;
	uint32_t pending_resv_views; /* replaced, waiting for the groups' boundary */
	uint32_t scratch_size;       /* the groups' Compare buffers, once pending grows are in */
	uint32_t scratch_grows;      /* times grown while running */
	struct nvmf_backend_list deleting; /* deleted, waiting for the groups' channels */
	nvmf_main_poll_fn main_poller;
	void *main_poller_arg;
	int main_wait_fd; /* fd + 1 of the main poller's events; 0: none */
	uint64_t start_tick;
	struct nvmf_transport_upcalls up;
	struct tls_keyring *keyring;          /* the secure channel's PSKs */
	uint64_t ns_serial;                   /* last nvmf_ns.stats_id given */
	TAILQ_HEAD(, nvmf_reattach) reattach; /* gone devices waited for */
	uint64_t reattach_next;               /* tick of the next look at them */
};

/*
 * A gone device waiting to come back (backend_gone.c), on tgt->reattach:
 *
 *   RELEASING --its backends are freed--> WAITING --present, attached,
 *                                                   namespaces back--> (freed)
 */
enum nvmf_reattach_state {
	NVMF_REATTACH_RELEASING = 0, /* namespaces removed; backends being deleted */
	NVMF_REATTACH_WAITING,       /* the device is let go: polling for it */
	NVMF_REATTACH_NSTATES,
};

/** Where one namespace of a gone device was. */
struct nvmf_reattach_place {
	char nqn[NVMF_NQN_MAX_LEN + 1];
	char backend[64];
	struct nvmf_ns_opts opts; /* NSID and identifiers as they were */
};

struct nvmf_reattach {
	TAILQ_ENTRY(nvmf_reattach) link;
	enum nvmf_reattach_state state;
	const struct nvmf_reattach_ops *ops;
	void *ctx;
	char (*names)[64]; /* its backends */
	unsigned nnames;
	struct nvmf_reattach_place *places;
	unsigned nplaces;
	uint32_t attach_fails; /* in a row, for the log */
};

/**
 * Ask each registered backend to look at its device (backend op check):
 * a drive no I/O polls is still found gone. Main group's timer, every
 * NVMF_TIMER_PERIOD_MS, which also bounds how long a sleeping group waits.
 */
void nvmf_backends_check(struct nvmf_tgt *tgt);

/** Move the gone devices on (main group's timers; acts once a second). */
void nvmf_reattach_timers(struct nvmf_tgt *tgt, uint64_t now);

/** Free the waiting devices (target destroyed). */
void nvmf_reattach_free_all(struct nvmf_tgt *tgt);

/** True on the main thread's group (group 0) or before start. */
static inline struct nvmf_poll_group *nvmf_main_pg(struct nvmf_tgt *tgt)
{
	return tgt->groups[0];
}

/** Test seam: add a transport by its ops table. */
int nvmf_tgt_add_transport_ops(struct nvmf_tgt *tgt, const struct nvmf_transport_ops *ops,
			       const struct nvmf_transport_opts *opts);
/** Register an existing backend object (takes ownership). */
int nvmf_tgt_backend_register(struct nvmf_tgt *tgt, struct nvmf_backend *b);
/** One poll of the main core: group 0, acceptors. @return NVMF_POLL_*. */
int nvmf_tgt_poll(struct nvmf_tgt *tgt);
/** Close everything and stop the groups (main thread). */
void nvmf_tgt_shutdown(struct nvmf_tgt *tgt);
/** Open a listener now if the target runs. */
int nvmf_tgt_listener_get(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *a,
			  struct nvmf_listener **out);
void nvmf_tgt_listener_put(struct nvmf_tgt *tgt, struct nvmf_listener *l);
void nvmf_tgt_genctr_bump(struct nvmf_tgt *tgt);
/**
 * Make the groups' Compare buffers hold @max_io_size bytes before a
 * transport that allows it is added while running: new pools, made here
 * and swapped in by message (ahead of the transport's own). @return 0 or
 * -ENOMEM.
 */
int nvmf_tgt_runtime_scratch_fit(struct nvmf_tgt *tgt, uint32_t max_io_size);
/** A group closed its channel on @b (main thread, by message): the last one frees @b. */
void nvmf_backend_del_ack(void *b);
/** Free what is still being deleted (groups stopped). */
void nvmf_backend_del_flush(struct nvmf_tgt *tgt);
/** A transport was added while running: each group creates its part (runtime.c). */
void nvmf_tgt_runtime_tr_added(struct nvmf_tgt *tgt, struct nvmf_tr *tr);
/** Largest in-capsule data size / MDTS / queue depths over all transports. */
const struct nvmf_transport_opts *nvmf_tgt_opts_of(struct nvmf_tgt *tgt, struct nvmf_conn *c);

/* -------------------------------------------------------- upcall entries */

void nvmf_upcall_new_qpair(void *ctx, struct nvmf_qpair *qp);
void nvmf_upcall_exec(struct nvmf_request *req);
void nvmf_upcall_qpair_closed(struct nvmf_qpair *qp);
/** The transport sent a read served in place: the channel's hold goes (io.c). */
void nvmf_upcall_c2h_release(struct nvmf_request *req);

/* ------------------------------------------------------------- requests */

/** Fill the CQE status and hand @req back to the transport. */
void nvmf_req_complete(struct nvmf_request *req, uint16_t status);
/** Copy @len bytes from @buf into the request's data buffers. @return bytes copied. */
size_t nvmf_req_copy_to(struct nvmf_request *req, size_t off, const void *buf, size_t len);
/** Zero the request's data from byte @off to its length. */
void nvmf_req_zero_from(struct nvmf_request *req, size_t off);
/** Copy from the request's data buffers into @buf. @return bytes copied. */
size_t nvmf_req_copy_from(struct nvmf_request *req, size_t off, void *buf, size_t len);

/* Handlers, one per command family; each completes the request. */
void nvmf_fabrics_exec(struct nvmf_request *req);
void nvmf_admin_exec(struct nvmf_request *req);
void nvmf_io_exec(struct nvmf_request *req);
/**
 * Abort command @cid of @qp if it waits on @pg's pending list or in the
 * transport (group thread): it completes with Command Abort Requested.
 * @return true when it was found and aborted.
 */
bool nvmf_io_abort_pending(struct nvmf_poll_group *pg, struct nvmf_qpair *qp, uint16_t cid);
/**
 * Abort command @cid of @qp if it is in flight at a backend on @pg (group
 * thread): the backend's abort op. The command then completes as the
 * backend ends it (Command Abort Requested when aborted), once.
 * @return 0 when asked (@done(@arg, aborted) runs once, on any thread,
 *         possibly before this returns), -ENOENT (not at a backend),
 *         -EOPNOTSUPP (its backend cannot abort), or the op's errno.
 */
int nvmf_io_abort_backend(struct nvmf_poll_group *pg, struct nvmf_qpair *qp, uint16_t cid,
			  void (*done)(void *arg, bool aborted), void *arg);
/** Format NVM, Sanitize, Firmware Download / Commit? (admin_passthru.c) */
bool nvmf_admin_passthru_opc(uint8_t opc);
/**
 * Does @ss pass those to a drive now (AdminPassthru on, every namespace on
 * one drive)? Identify's OACS and the effects log say so.
 */
bool nvmf_admin_passthru_on(struct nvmf_subsystem *ss);
/**
 * Identify Controller fields of @ss's controllers that depend on it: when
 * it passes commands to a drive, OACS Format and Firmware, and the drive's
 * own SANICAP and FNA (what a host needs to issue Sanitize and Format);
 * otherwise @id is left as it is (zero).
 */
void nvmf_admin_passthru_id_ctrl(struct nvmf_subsystem *ss, struct nvme_id_ctrl *id);
/**
 * Serve one of those, or Get Log Page Sanitize Status (81h): to the drive,
 * or Invalid Opcode. @return a status or NVMF_STATUS_ASYNC.
 */
uint16_t nvmf_admin_passthru(struct nvmf_request *req);
/** Complete a passed-through command once the drive answered (admin group timer). */
void nvmf_passthru_timers(struct nvmf_ctrlr *ctrlr);
/** Admin queue gone: complete a passed-through command aborted (admin group). */
void nvmf_passthru_abort(struct nvmf_ctrlr *ctrlr);
/** Serve Abort (admin group, abort.c). @return a status or NVMF_STATUS_ASYNC. */
uint16_t nvmf_admin_abort(struct nvmf_request *req);
/** Retry requests parked for lack of a context or channel space. */
void nvmf_io_resume_pending(struct nvmf_poll_group *pg);
void nvmf_io_ctx_init(struct nvmf_poll_group *pg);

/* ---------------------------------------------- controller (ctrlr.c) */

/** Create and register a controller (main thread). */
int nvmf_ctrlr_create(struct nvmf_subsystem *ss, const char *hostnqn, const uint8_t hostid[16],
		      struct nvmf_conn *admin, uint32_t kato_ms, struct nvmf_ctrlr **out);
/** Is @from -> @to a legal change of a controller's state? Pure. */
bool nvmf_ctrlr_state_change_ok(enum nvmf_ctrlr_state from, enum nvmf_ctrlr_state to);
/**
 * Move @ctrlr to @s (main thread), counted in the target's ctrlr_states[].
 * An illegal change is a bug: logged, abort().
 */
void nvmf_ctrlr_set_state(struct nvmf_ctrlr *ctrlr, enum nvmf_ctrlr_state s);
/** Find a controller of @ss by CNTLID (main thread). */
struct nvmf_ctrlr *nvmf_ctrlr_find(struct nvmf_subsystem *ss, uint16_t cntlid);
/** Tear the controller down: close all its queues (main thread). */
void nvmf_ctrlr_teardown(struct nvmf_ctrlr *ctrlr, const char *why);
/** Ask the main thread to tear @ctrlr down (admin group). */
void nvmf_ctrlr_request_teardown(struct nvmf_ctrlr *ctrlr, const char *why);
/** A closed connection with no request left: detach it on the main thread (group). */
void nvmf_ctrlr_conn_detach(struct nvmf_conn *c);
/** The admin connection closed (admin group): abort AERs, stop timers. */
void nvmf_ctrlr_admin_closed(struct nvmf_conn *c);
/** Connect succeeded (qpair's group): bind the connection. */
void nvmf_ctrlr_conn_bound(struct nvmf_conn *c, struct nvmf_ctrlr *ctrlr);
/** Drop the I/O queues of a controller (CC.EN 1 -> 0), admin group. */
void nvmf_ctrlr_reset(struct nvmf_ctrlr *ctrlr);
/** @kato_ms rounded up to the keep-alive granularity, never past 2^32 - 1. Pure. */
uint32_t nvmf_kato_round(uint32_t kato_ms);
/** Keep-alive check at @now ticks (admin group). @return true when expired. */
bool nvmf_ctrlr_kato_expired(struct nvmf_ctrlr *ctrlr, uint64_t now);
/** Keep-alive timers of @pg's controllers. */
void nvmf_ctrlr_timers(struct nvmf_poll_group *pg, uint64_t now);
/** Post a namespace change to every controller of @ss (main thread). */
void nvmf_ctrlr_ns_changed(struct nvmf_subsystem *ss, uint32_t nsid);
/**
 * The discovery log changed (main thread): tell each live discovery
 * controller, which reports it to a host that enabled the event.
 */
void nvmf_ctrlr_disc_changed(struct nvmf_tgt *tgt);
/** Complete pending AERs while unmasked events wait (admin group). */
void nvmf_ctrlr_aer_kick(struct nvmf_ctrlr *ctrlr);
/** Set Features Asynchronous Event Configuration: keep what this kind of controller reports. */
void nvmf_ctrlr_set_aec(struct nvmf_ctrlr *ctrlr, uint32_t aec);
/**
 * The host read the log page of the @notice event (NVMF_NOTICE_*) with RAE
 * clear (admin group): what it read covers the event, which is unmasked.
 */
void nvmf_ctrlr_notice_read(struct nvmf_ctrlr *ctrlr, uint32_t notice);
/** Complete all parked AERs with "aborted, SQ deletion" (admin group). */
void nvmf_ctrlr_aer_abort_all(struct nvmf_ctrlr *ctrlr);
bool nvmf_ctrlr_is_discovery(const struct nvmf_ctrlr *ctrlr);

/* ------------------------------------------------------- ANA (ana.c) */

/** The ANA state of @ns's group as @ctrlr sees it (any thread): one load. */
static inline uint8_t nvmf_ana_state_of(struct nvmf_ctrlr *ctrlr, const struct nvmf_ns *ns)
{
	return atomic_load_explicit(&ctrlr->ana[ns->anagrpid], memory_order_relaxed);
}

/** Is I/O refused in ANA state @st? (inaccessible, persistent loss, change) */
static inline bool nvmf_ana_blocks_io(uint8_t st)
{
	return st > NVME_ANA_NON_OPTIMIZED;
}

/** The path status an I/O in ANA state @st completes with. Pure. */
uint16_t nvmf_ana_io_status(uint8_t st);
/** A new controller takes the states of the listener it came through (main thread). */
void nvmf_ana_ctrlr_init(struct nvmf_ctrlr *ctrlr, const struct nvmf_listen_addr *path);
/** Set a new listener's states: every group optimized. */
void nvmf_ana_listener_init(struct nvmf_ss_listener *sl);
/** Fill the ANA fields of Identify Controller (NVM controllers). */
void nvmf_ana_id_ctrl(struct nvme_id_ctrl *id);
/** Serve Get Log Page 0Ch (admin group). @return the status. */
uint16_t nvmf_ana_get_log(struct nvmf_request *req, uint64_t offset);
/** Post the ANA Change notice to @ctrlr (main thread; events.c). */
void nvmf_ctrlr_ana_changed(struct nvmf_ctrlr *ctrlr);

/* ---------------------------------------------- referrals (referral.c) */

struct nvmf_referral {
	struct nvmf_listen_addr addr;
	char subnqn[256]; /* as the log entry's field: NUL-terminated, at most 223 */
	bool secure;
	TAILQ_ENTRY(nvmf_referral) link;
};

/** Derive the default unique discovery NQN (target create). */
void nvmf_discovery_nqn_default_init(struct nvmf_tgt *tgt);
/** Free every referral (target destroy). */
void nvmf_referrals_free(struct nvmf_tgt *tgt);
/** Is @nqn the target's unique discovery NQN? */
bool nvmf_is_unique_discovery_nqn(const struct nvmf_tgt *tgt, const char *nqn);

/* ------------------------------------------------------------ admin parts */

/*
 * Admin handlers validate, execute and return the NVMe status to complete
 * the request with, or NVMF_STATUS_ASYNC when they complete it later.
 */
#define NVMF_STATUS_ASYNC ((uint16_t)0xffff)
#define NVMF_ST_DNR(st) ((uint16_t)((st) | NVME_STATUS_DNR))
#define NVMF_ST_INVALID_FIELD NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD))
#define NVMF_ST_INVALID_NS NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_NAMESPACE_OR_FORMAT))

uint16_t nvmf_admin_identify(struct nvmf_request *req);
uint16_t nvmf_admin_get_log_page(struct nvmf_request *req);
uint16_t nvmf_admin_get_features(struct nvmf_request *req);
uint16_t nvmf_admin_set_features(struct nvmf_request *req);
/** Copy @page from byte @off, at most @max bytes, to the request (up to its length). */
void nvmf_req_copy_page(struct nvmf_request *req, const void *page, size_t page_len, uint64_t off,
			uint64_t max);
/** Build the discovery log for @hostnqn seen on @local (main thread). */
int nvmf_discovery_log_build(struct nvmf_tgt *tgt, const char *hostnqn,
			     const struct nvmf_listen_addr *local, void **buf, size_t *len);
/** Serve Get Log Page 0x70 (forwards to the main thread). @return NVMF_STATUS_ASYNC or an error. */
uint16_t nvmf_discovery_get_log(struct nvmf_request *req, uint64_t offset);

#endif /* NVMF_TGT_NVMF_INTERNAL_H */
