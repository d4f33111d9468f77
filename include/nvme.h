/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme.h - the host-side NVMe driver: one API for local (PCIe) and remote
 * (NVMe/TCP, NVMe/RDMA) controllers. Used by nvmf_perf, nvme_identify, the
 * target's "nvme" backend and the tests.
 *
 * Threads: a controller's admin functions are called from one thread at a
 * time (the one that connected it, unless handed over); each I/O queue pair
 * is used from one thread only, with no locks. Completion callbacks run
 * inside nvme_qpair_poll() / nvme_ctrlr_poll_admin() on the caller's thread.
 *
 * Buffers: for remote controllers any memory works; for PCIe controllers
 * data buffers must come from env_dma_zalloc() or an env pool.
 *
 * Functions return 0 or a negative errno unless said otherwise. A full
 * queue is -EAGAIN everywhere (poll, then submit again), the same errno the
 * target's backends use for it (nvmf/backend.h); -ENOMEM is only ever "out
 * of memory".
 */
#ifndef NVMF_TGT_NVME_H
#define NVMF_TGT_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme_spec.h"
#include "nvmf_spec.h"
#include "util_tls_psk.h"

/** Transport type of a local PCIe controller (fabrics types are NVMF_TRTYPE_*). */
#define NVME_TRTYPE_PCIE 256

/** Transport ID: where a controller is, in the form users know. */
struct nvme_trid {
	uint32_t trtype;   /**< NVME_TRTYPE_PCIE or NVMF_TRTYPE_TCP / _RDMA */
	uint8_t adrfam;    /**< NVMF_ADRFAM_IPV4 / _IPV6 (fabrics) */
	char traddr[256];  /**< "127.0.0.1", or PCI "0000:00:04.0" */
	char trsvcid[33];  /**< "4420" */
	char subnqn[224];  /**< subsystem NQN; empty = discovery NQN */
	char hostnqn[224]; /**< optional; empty = the options' hostnqn */
};

/**
 * Parse "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:NQN"
 * (keys case-insensitive, any order, whitespace separated; adrfam defaults
 * from traddr, trsvcid to 4420 for TCP/RDMA) or "trtype:PCIe traddr:0000:00:04.0".
 * @return 0 or -EINVAL.
 */
int nvme_trid_parse(const char *str, struct nvme_trid *trid);

/** Format @trid as the string nvme_trid_parse() reads. */
void nvme_trid_fmt(const struct nvme_trid *trid, char *buf, size_t len);

/** Options of a controller connection. */
struct nvme_ctrlr_opts {
	char hostnqn[224];         /**< default: derived from hostid */
	uint8_t hostid[16];        /**< default: random per process */
	uint32_t num_io_queues;    /**< asked for with Set Features (default 8) */
	uint32_t io_queue_size;    /**< entries per I/O queue (default 128) */
	uint32_t admin_queue_size; /**< entries of the admin queue (default 32) */
	uint32_t kato_ms;          /**< keep-alive timeout (default 10000; 0 off) */
	bool hdgst;                /**< NVMe/TCP header digest */
	bool ddgst;                /**< NVMe/TCP data digest */
	uint32_t timeout_ms;       /**< connect and admin command timeout (default 10000) */
	/** Keep SQ flow control on for I/O queues (as the Linux and SPDK hosts do):
	 *  the controller then ends every command with a response capsule. Default
	 *  false: I/O queues ask for it to be disabled, which lets an NVMe/TCP
	 *  controller end a read with its last C2HData PDU (SUCCESS flag). */
	bool sq_flow_control;
	/** DH-HMAC-CHAP host secret "DHHC-1:..." (caller's string), used when the
	 *  controller asks for authentication; NULL: none */
	const char *dhchap_secret;
	/** controller secret: the controller must authenticate itself too; NULL: not */
	const char *dhchap_ctrl_secret;
	/** NVMe/TCP secure channel (TLS 1.3 PSK): set by nvme_ctrlr_opts_set_tls(). */
	bool tls;
	uint8_t tls_identity;   /**< PSK identity version sent: 0 (default) or 1 */
	struct tls_psk tls_key; /**< the configured PSK; wiped when the controller goes */
};

/** Fill @opts with defaults. */
void nvme_ctrlr_opts_init(struct nvme_ctrlr_opts *opts);

/**
 * Connect over NVMe/TCP with TLS 1.3 and a PSK: @key is a PSK interchange
 * string (NVMeTLSkey-1:HH:...:) or the path of a file holding one (starting
 * with '/' or '.'). The host sends PSK identity version @identity: 0 (what
 * the Linux host sends by default, "NVMe0RHH <hostnqn> <subnqn>") or 1
 * (with the PSK digest). A process connecting with TLS ignores SIGPIPE
 * (OpenSSL writes to the socket with write()) unless it set a handler.
 * @return 0, or -EINVAL (bad key or version; why logged) or the errno of
 * reading the file.
 */
int nvme_ctrlr_opts_set_tls(struct nvme_ctrlr_opts *opts, const char *key, int identity);

struct nvme_ctrlr;

/** Called once when a controller is gone for good; see nvme_ctrlr_set_removed_cb(). */
typedef void (*nvme_removed_fn)(void *arg);

/**
 * Have @cb(@arg) called once when @c is gone for good: a local (PCIe)
 * controller whose registers read as all ones (removed from the bus), that
 * reports a fatal status (CSTS.CFS) or does not come back from a reset. It
 * runs on the thread whose poll saw it (any queue pair's), after the
 * controller was marked failed; it must only hand the news on. Set it
 * before polling; NULL clears it. Fabrics controllers never call it.
 */
void nvme_ctrlr_set_removed_cb(struct nvme_ctrlr *c, nvme_removed_fn cb, void *arg);

/** True once @c is gone for good (set before its commands fail; any thread). */
bool nvme_ctrlr_is_removed(const struct nvme_ctrlr *c);
struct nvme_qpair;

/** A namespace of a connected controller. */
struct nvme_ns {
	struct nvme_ctrlr *ctrlr;
	uint32_t nsid;
	uint32_t block_size;    /**< bytes per LBA */
	uint64_t num_blocks;    /**< NSZE */
	uint32_t max_io_blocks; /**< largest transfer in blocks (MDTS), 0 = no limit */
};

/**
 * Connect to the controller at @trid and bring it up: (fabrics) Connect
 * the admin queue; CC.EN=1 and wait for CSTS.RDY; Identify controller and
 * active namespaces; Set Features number of queues (I/O controllers only).
 * Synchronous, bounded by opts->timeout_ms.
 * @return 0, -ECONNREFUSED, -ETIMEDOUT, -EPROTO (the controller answered
 *         wrongly; logged), -EACCES (host not allowed), -ENOENT (no such
 *         subsystem), -ENOMEM.
 */
int nvme_ctrlr_connect(const struct nvme_trid *trid, const struct nvme_ctrlr_opts *opts,
		       struct nvme_ctrlr **ctrlr);

/**
 * Shut down (CC.SHN normal, bounded wait) and disconnect; frees @ctrlr and
 * any I/O queue pair still allocated on it. NULL is ignored.
 */
void nvme_ctrlr_disconnect(struct nvme_ctrlr *ctrlr);

/**
 * Reset the controller and bring it back, keeping @ctrlr, its namespaces
 * and its I/O queue pairs valid (no new Identify: the data read at connect
 * time stays).
 *
 * Local (PCIe) controllers: a controller-level reset, synchronous on this
 * thread: CC.EN=0, wait for CSTS.RDY=0, the admin queue set up again,
 * CC.EN=1, wait for CSTS.RDY=1, Set Features number of queues. Admin
 * commands outstanding are completed with Command Aborted due to SQ
 * Deletion before it returns. Each I/O queue pair recovers on the thread
 * that owns it, inside its next nvme_qpair_poll(): it creates its queues on
 * the controller again, then completes every command it had outstanding
 * with the generic status Command Aborted due to SQ Deletion (SCT 0,
 * SC 0x08) and DNR clear, exactly once. Nothing is retried by the driver:
 * the caller resubmits what it wants (the callback may do so at once). A
 * command the controller finished just before the reset may be reported
 * aborted too, so only resubmit commands that may be repeated (Read, Write,
 * Write Zeroes, deallocate are). Between the reset and that poll, submitting
 * on the queue pair gives -EAGAIN, as when it is full: poll and retry. When
 * the controller does not come back it is failed: this returns the errno,
 * and every queue pair's poll returns -ENXIO (its commands completed with
 * Transient Transport Error, as for a lost connection).
 *
 * Fabrics controllers (TCP, RDMA): not supported yet.
 *
 * Thread safety: call from the thread that owns the controller's admin
 * functions; its I/O queue pairs may go on being polled and used from
 * their own threads meanwhile (no lock on their path; they never wait for
 * the reset). Do not call it from a completion callback.
 * @return 0, -ENOTSUP (fabrics transport), -ETIMEDOUT (CSTS.RDY did not
 *         follow CC.EN within CAP.TO), -ENXIO (controller failed or gone),
 *         -EPROTO (Set Features refused).
 */
int nvme_ctrlr_reset(struct nvme_ctrlr *ctrlr);

/** Identify Controller data read at connect time. */
const struct nvme_id_ctrl *nvme_ctrlr_id(const struct nvme_ctrlr *ctrlr);

/** The transport ID it was connected with. */
const struct nvme_trid *nvme_ctrlr_trid(const struct nvme_ctrlr *ctrlr);

/** Number of I/O queues the controller granted. */
uint32_t nvme_ctrlr_num_io_queues(const struct nvme_ctrlr *ctrlr);

/** Iterate active namespaces: nsid 0 gives the first. @return NULL at end. */
struct nvme_ns *nvme_ctrlr_ns_next(struct nvme_ctrlr *ctrlr, uint32_t prev_nsid);

/** Namespace @nsid, or NULL when inactive. */
struct nvme_ns *nvme_ctrlr_ns(struct nvme_ctrlr *ctrlr, uint32_t nsid);

/** Identify Namespace data of @ns (read at connect time). */
const struct nvme_id_ns *nvme_ns_id(const struct nvme_ns *ns);

/** Completion callback; @cpl holds the controller's status. */
typedef void (*nvme_cb)(void *arg, const struct nvme_cpl *cpl);

/**
 * Submit a raw admin command. @buf of @len bytes is the data (direction
 * from the opcode). The callback runs from nvme_ctrlr_poll_admin().
 * @return 0, -EAGAIN (queue full), -ENXIO (controller failed).
 */
int nvme_ctrlr_admin_raw(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			 uint32_t len, nvme_cb cb, void *arg);

/**
 * Synchronous admin command (submits and polls until done or timeout).
 * @cpl may be NULL. @return 0 when the command completed (check the status
 * in @cpl), -ETIMEDOUT, -ENXIO.
 */
int nvme_ctrlr_admin_sync(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			  uint32_t len, struct nvme_cpl *cpl);

/**
 * Process admin completions and send a Keep Alive when due (call at least
 * every KATO/2). @return completions processed, or -ENXIO when the
 * controller has failed (connection lost).
 */
int nvme_ctrlr_poll_admin(struct nvme_ctrlr *ctrlr);

/**
 * Read the whole discovery log page (header first, then the entries at an
 * offset). @log (header followed by numrec entries) is malloc'd; free() it.
 * @return 0, -ENOTSUP (not a discovery controller), or an errno.
 */
int nvme_ctrlr_discovery_log(struct nvme_ctrlr *ctrlr, struct nvmf_discovery_log_hdr **log,
			     size_t *len);

/* Drive management (admin queue, synchronous, the owning thread). Each
 * returns 0 when the command completed (its status in @cpl, which may be
 * NULL), -EINVAL for a bad argument, -ETIMEDOUT or -ENXIO. Buffers as for
 * nvme_ctrlr_admin_raw(). Format NVM may take long: connect with a
 * timeout_ms that covers it. */

/** Get Log Page @lid of @nsid: @len bytes (dword multiple) from @offset. */
int nvme_ctrlr_get_log(struct nvme_ctrlr *ctrlr, uint8_t lid, uint32_t nsid, void *buf,
		       uint32_t len, uint64_t offset, struct nvme_cpl *cpl);

/**
 * ANA state (enum nvme_ana_state) of namespace @nsid on the path of @ctrlr,
 * from its ANA log page (0Ch, synchronous, the owning thread). @return 0,
 * -ENOTSUP (the controller does not report ANA), -ENOENT (no such
 * namespace or no group for it), -EIO (error status), -EPROTO (malformed
 * log), -ETIMEDOUT, -ENXIO.
 */
int nvme_ctrlr_ana_state(struct nvme_ctrlr *ctrlr, uint32_t nsid, uint8_t *state);

/**
 * The ANA state of namespace @nsid in ANA log page @log (@len bytes): that
 * of the first descriptor of group @grp (0: not known) or listing @nsid. @return the state (enum nvme_ana_state), -ENOENT (no
 * such descriptor) or -EPROTO (a descriptor runs past @len).
 */
int nvme_ana_log_find(const void *log, size_t len, uint32_t grp, uint32_t nsid);

/**
 * Format NVM namespace @nsid (NVME_NSID_ALL: all) with LBA format @lbaf
 * and Secure Erase Settings @ses (0 none, 1 user data erase, 2 crypto).
 * Every block of the namespace is lost.
 */
int nvme_ctrlr_format(struct nvme_ctrlr *ctrlr, uint32_t nsid, uint8_t lbaf, uint8_t ses,
		      struct nvme_cpl *cpl);

/** Firmware Image Download: @len bytes (dword multiple) at byte @offset of the image. */
int nvme_ctrlr_fw_download(struct nvme_ctrlr *ctrlr, const void *buf, uint32_t len, uint32_t offset,
			   struct nvme_cpl *cpl);

/** Firmware Commit of slot @slot (0-7) with commit action @action (0-7). */
int nvme_ctrlr_fw_commit(struct nvme_ctrlr *ctrlr, uint8_t slot, uint8_t action,
			 struct nvme_cpl *cpl);

/** Options of an I/O queue pair. */
struct nvme_qpair_opts {
	uint32_t queue_size; /**< entries; 0 = the controller options' io_queue_size */
};

/**
 * Create an I/O queue pair (fabrics: a new connection and Connect with the
 * next free QID). The returned qpair is used from one thread only.
 * @return 0, -EBUSY (no queue left), or an errno.
 */
int nvme_ctrlr_alloc_io_qpair(struct nvme_ctrlr *ctrlr, const struct nvme_qpair_opts *opts,
			      struct nvme_qpair **qpair);

/**
 * Free a queue pair; outstanding commands are completed with the generic
 * status Command Aborted due to SQ Deletion (SCT 0, SC 0x08).
 */
void nvme_ctrlr_free_io_qpair(struct nvme_qpair *qpair);

/** I/O flags. */
#define NVME_IO_FUA 0x1u

/**
 * Submit a Read / Write of @nlb blocks at @lba from/into @buf (nlb * block
 * size bytes). @return 0, -EAGAIN (queue full: poll and retry), -EINVAL
 * (over the namespace or MDTS), -ENXIO (qpair failed).
 */
int nvme_ns_read(struct nvme_ns *ns, struct nvme_qpair *qpair, void *buf, uint64_t lba,
		 uint32_t nlb, uint32_t flags, nvme_cb cb, void *arg);
int nvme_ns_write(struct nvme_ns *ns, struct nvme_qpair *qpair, const void *buf, uint64_t lba,
		  uint32_t nlb, uint32_t flags, nvme_cb cb, void *arg);
/** Flush the namespace's volatile cache. */
int nvme_ns_flush(struct nvme_ns *ns, struct nvme_qpair *qpair, nvme_cb cb, void *arg);
/** Write Zeroes of @nlb blocks at @lba. */
int nvme_ns_write_zeroes(struct nvme_ns *ns, struct nvme_qpair *qpair, uint64_t lba, uint32_t nlb,
			 nvme_cb cb, void *arg);
/** Dataset Management deallocate of @nr ranges (copied before return). */
int nvme_ns_deallocate(struct nvme_ns *ns, struct nvme_qpair *qpair,
		       const struct nvme_dsm_range *ranges, uint32_t nr, nvme_cb cb, void *arg);

/** Submit a raw I/O command with @buf of @len bytes. */
int nvme_qpair_submit_raw(struct nvme_qpair *qpair, const struct nvme_cmd *cmd, void *buf,
			  uint32_t len, nvme_cb cb, void *arg);

/**
 * Process up to @max completions (0 = no limit) and send what is queued.
 * @return completions processed, or -ENXIO when the queue pair has failed
 *         (every outstanding command was then completed with the generic
 *         status Transient Transport Error, SCT 0 SC 0x22). Do not free the
 *         queue pair from inside a callback.
 */
int nvme_qpair_poll(struct nvme_qpair *qpair, uint32_t max);

/** Commands submitted and not yet completed. */
uint32_t nvme_qpair_outstanding(const struct nvme_qpair *qpair);

/** Queue ID of @qpair (what an Abort command names as SQID). */
uint16_t nvme_qpair_qid(const struct nvme_qpair *qpair);

/**
 * The CIDs of the commands outstanding on @qpair that were submitted with
 * callback argument @arg: at most @max of them, into @cids. The queue
 * pair's thread only (what an Abort of them needs).
 * @return how many were stored.
 */
uint32_t nvme_qpair_cids_of(const struct nvme_qpair *qpair, const void *arg, uint16_t *cids,
			    uint32_t max);

/** Completion counters of a queue pair since it was created. */
struct nvme_qpair_stats {
	uint64_t completions;      /**< commands completed by the controller */
	uint64_t data_completions; /**< of those, ended by the last data transfer of
				    *  the command (NVMe/TCP C2HData SUCCESS), with no
				    *  response capsule */
};

/** Copy @qpair's completion counters into @st. */
void nvme_qpair_get_stats(const struct nvme_qpair *qpair, struct nvme_qpair_stats *st);

#endif /* NVMF_TGT_NVME_H */
