/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resv.h - NVMe reservations of a namespace (nvmf/ only, and its unit tests).
 *
 * Three parts:
 *   resv_table.c  the rules, pure: which command conflicts with which
 *                 reservation for which role, and the Register / Acquire /
 *                 Release / Report actions on a struct nvmf_resv_state.
 *   resv_state.c  Persist Through Power Loss: the state file of a namespace
 *                 (write: temp file, fsync, rename, fsync of the directory).
 *   resv.c        the glue: reservation commands run on the main thread,
 *                 which owns each namespace's state and publishes an
 *                 immutable view for the I/O path (an atomic pointer, old
 *                 views freed once every poll group passed a message
 *                 boundary); notices to the controllers of affected hosts.
 *
 * A host is its 128-bit host identifier (HOSTID of the Connect data):
 * controllers with the same identifier share one registration.
 */
#ifndef NVMF_TGT_NVMF_RESV_H
#define NVMF_TGT_NVMF_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVMF_RESV_MAX_REGS 64 /* registrant hosts per namespace */
#define NVMF_RESV_LOG_MAX 16  /* queued notification log pages per controller */
#define NVMF_RESV_HOSTID_LEN 16
#define NVMF_RESV_MASK_NSIDS 1024 /* = NVMF_MAX_NSID_LIMIT */

struct nvmf_ns;
struct nvmf_tgt;
struct nvmf_ctrlr;
struct nvmf_request;
struct nvmf_resv;
struct nvmf_resv_view;

/** One queued Reservation Notification log page of a controller. */
struct nvmf_resv_log_entry {
	uint64_t count;
	uint32_t nsid;
	uint8_t type; /* enum nvme_resv_notification_type */
};

/** A controller's reservation notices (admin poll group). */
struct nvmf_resv_log {
	struct nvmf_resv_log_entry e[NVMF_RESV_LOG_MAX];
	uint32_t head; /* oldest */
	uint32_t n;
	uint64_t count;                     /* of the last page queued */
	uint8_t mask[NVMF_RESV_MASK_NSIDS]; /* Reservation Notification Mask per NSID - 1 */
};

struct nvmf_resv_reg {
	uint8_t hostid[NVMF_RESV_HOSTID_LEN];
	uint64_t rkey;
};

/** The reservation state of one namespace: what a PTPL file holds. */
struct nvmf_resv_state {
	uint32_t gen;  /* PRGEN */
	uint8_t rtype; /* 0: no reservation; else enum nvme_reservation_type */
	bool ptpl;     /* Persist Through Power Loss */
	uint8_t holder[NVMF_RESV_HOSTID_LEN]; /* types 1-4: the holder host */
	uint32_t nregs;
	struct nvmf_resv_reg regs[NVMF_RESV_MAX_REGS];
};

/* ------------------------------------------------------ resv_table.c */

/** The role of a host toward a reservation. */
enum nvmf_resv_role {
	NVMF_RESV_HOLDER = 0,
	NVMF_RESV_REGISTRANT,
	NVMF_RESV_NON_REGISTRANT,
};

/**
 * Does I/O opcode @opc conflict with a reservation of type @rtype for a
 * host of @role? No reservation (@rtype 0) never conflicts; an opcode of
 * neither the read nor the write group never does. Pure.
 */
bool nvmf_resv_conflicts(uint8_t rtype, enum nvmf_resv_role role, uint8_t opc);

/** True for the types where every registrant holds the reservation (5, 6). */
bool nvmf_resv_all_regs(uint8_t rtype);

/** The role of @hostid in @s. Pure. */
enum nvmf_resv_role nvmf_resv_role_of(const struct nvmf_resv_state *s, const uint8_t *hostid);

/** Index of @hostid's registration in @s, or -1. */
int nvmf_resv_find(const struct nvmf_resv_state *s, const uint8_t *hostid);

/** What one reservation command asks, parsed from CDW10 and its data. */
struct nvmf_resv_cmd {
	uint8_t opc;    /* NVME_OPC_RESERVATION_* */
	uint8_t action; /* RREGA / RACQA / RRELA */
	bool iekey;
	uint8_t rtype;
	uint8_t cptpl; /* Register: bits 31:30 */
	uint64_t crkey;
	uint64_t key2; /* NRKEY (Register) or PRKEY (Acquire) */
	uint8_t hostid[NVMF_RESV_HOSTID_LEN];
};

/** Who gets a notice of an action: one host and the kind. */
struct nvmf_resv_notify {
	uint8_t hostid[NVMF_RESV_HOSTID_LEN];
	uint8_t type; /* enum nvme_resv_notification_type */
};

/** What an action did beyond the state: notices to send. */
struct nvmf_resv_effects {
	uint32_t nnotify;
	struct nvmf_resv_notify notify[NVMF_RESV_MAX_REGS];
};

/**
 * Apply Register, Acquire or Release @c to @s (in place; the caller works
 * on a copy and keeps it only on success). @ptpl_capable: a CPTPL of 11b
 * is accepted. @return an NVMe status: success, Reservation Conflict,
 * Invalid Field in Command, or Command Sequence Error... see resv_table.c.
 */
uint16_t nvmf_resv_apply(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			 bool ptpl_capable, struct nvmf_resv_effects *fx);

/** A live controller of a registrant host, for a Report. */
struct nvmf_resv_ctrl {
	uint16_t cntlid;
	uint8_t hostid[NVMF_RESV_HOSTID_LEN];
};

/**
 * Build the extended Reservation Status data structure of @s into @buf
 * (@len bytes, zeroed first; what does not fit is left out): one entry
 * per live controller of a registrant host (@ctrls, @nctrls), and one with
 * CNTLID FFFFh for a registrant host with none. @return the full size.
 */
size_t nvmf_resv_report_build(const struct nvmf_resv_state *s, const struct nvmf_resv_ctrl *ctrls,
			      uint32_t nctrls, void *buf, size_t len);

/* ------------------------------------------------------ resv_state.c */

/**
 * Write @s to @path atomically: @path.tmp written, fsync'd, renamed over
 * @path, then the directory fsync'd. The directory is created (mode 0700)
 * when missing, with its parent. @return 0 or a negative errno (logged).
 */
int nvmf_resv_state_save(const char *path, const struct nvmf_resv_state *s);

/**
 * Read @path into @s. A leftover @path.tmp (a write cut short) is removed
 * first: @path is then still the last complete state. @return 0, -ENOENT
 * (no file: @s empty), or -EBADMSG for a file that is short, garbled or of
 * another version: logged, renamed to @path.bad, and @s left empty.
 */
int nvmf_resv_state_load(const char *path, struct nvmf_resv_state *s);

/** Remove @path (PTPL cleared). @return 0 or a negative errno (-ENOENT is 0). */
int nvmf_resv_state_remove(const char *path);

/**
 * The state file of namespace @nsid of @subnqn in @dir into @buf: a '/' in
 * the NQN becomes '_'. @return 0, or -ENAMETOOLONG.
 */
int nvmf_resv_state_path(char *buf, size_t len, const char *dir, const char *subnqn, uint32_t nsid);

/* ------------------------------------------------------------ resv.c */

/**
 * Give the new namespace @ns its reservation state (main thread): empty,
 * or restored from its PTPL file when the target has a ReservationDir.
 * @return 0 or -ENOMEM.
 */
int nvmf_resv_ns_init(struct nvmf_ns *ns);
/** Free the reservation state of @ns, which no poll group can reach any more. */
void nvmf_resv_ns_free(struct nvmf_ns *ns);
/** Identify Namespace RESCAP of the target's namespaces (any thread). */
uint8_t nvmf_resv_rescap(const struct nvmf_tgt *tgt);
/** The PTPL state of @ns (any thread). */
bool nvmf_resv_ptpl(struct nvmf_ns *ns);
/**
 * Reservation Conflict (SCT 0, SC 83h, DNR) when the I/O command @req on
 * @ns meets a reservation its host may not pass, else success (I/O group;
 * lock-free).
 */
uint16_t nvmf_resv_io_check(struct nvmf_request *req, struct nvmf_ns *ns);
/** True for the four reservation opcodes. */
bool nvmf_resv_is_cmd(uint8_t opc);
/** Execute a reservation command (I/O group); completes @req, later. */
void nvmf_resv_exec(struct nvmf_request *req);
/** Get Features 82h / 83h (admin group). @return the status. */
uint16_t nvmf_resv_get_feature(struct nvmf_request *req, uint8_t fid);
/**
 * Set Features 82h (here) / 83h (on the main thread). @return the status,
 * or NVMF_STATUS_ASYNC when @req completes later.
 */
uint16_t nvmf_resv_set_feature(struct nvmf_request *req, uint8_t fid);

/* ----------------------------------------------- events.c (admin group) */

/**
 * Tell @ctrlr (main thread) that namespace @nsid had notice @type
 * (enum nvme_resv_notification_type); its admin group queues a log page unless the
 * host masked the notice, and reports it by an AER.
 */
void nvmf_ctrlr_resv_notice(struct nvmf_ctrlr *ctrlr, uint32_t nsid, uint8_t type);
/**
 * Get Log Page 80h (admin group): the oldest queued page into @page (64
 * bytes), which leaves the queue; empty: a page of zeroes. @rae: keep the
 * event masked.
 */
void nvmf_resv_log_fill(struct nvmf_ctrlr *ctrlr, void *page, bool rae);

#endif /* NVMF_TGT_NVMF_RESV_H */
