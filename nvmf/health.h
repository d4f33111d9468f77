/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.h - inside nvmf/: what the log pages report of real hardware.
 *
 * Drive health: a local SSD's own SMART / health log (02h), read on the
 * drive's admin queue asynchronously and kept as a snapshot; a host's Get
 * Log Page 02h waits (parked, never blocking the poll group) until every
 * drive behind the subsystem's namespaces has a snapshot at most
 * NVMF_HEALTH_MAX_AGE_MS old, or NVMF_HEALTH_WAIT_MS passed (then the last
 * snapshot is used). The drive values (temperature, critical warnings,
 * spare, percentage used, media errors) replace the target's defaults;
 * the data units and command counters stay the target controller's own.
 * Several drives: the worst of each (hottest, warnings OR'ed, least
 * spare, most used, media errors summed).
 *
 * Error log: each target controller keeps a ring of the last
 * NVMF_ERROR_LOG_MAX commands it completed with an error, written from any
 * poll group (a tiny spin lock: errors are rare), read by the admin group.
 */
#ifndef NVMF_TGT_HEALTH_H
#define NVMF_TGT_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "nvme_spec.h"

#define NVMF_HEALTH_MAX_AGE_MS 1000u /* a snapshot older than this is read again */
#define NVMF_HEALTH_WAIT_MS 2000u    /* the longest a Get Log Page waits for a drive */
#define NVMF_ERRLOG_SLOTS 16u        /* = NVMF_ERROR_LOG_MAX */

struct nvmf_ctrlr;
struct nvmf_request;

/* ------------------------------------------------------------ drive health */

/** How a drive's health log is read; the backend's, or a test's. */
struct nvmf_health_src_ops {
	/**
	 * Start reading log 02h (512 bytes) into @buf (DMA-able); @done(@arg,
	 * @ok) runs from a later poll(). Any thread. @return 0 or an errno.
	 */
	int (*submit)(void *ctx, void *buf, void (*done)(void *arg, bool ok), void *arg);
	/** Reap completions; any thread, never waits. @return count or an errno. */
	int (*poll)(void *ctx);
};

struct nvmf_drive_health;

/**
 * A health source for one drive (@ctx for @ops), with a first snapshot read
 * synchronously (bounded by @timeout_ms) when @ops can answer. Main thread.
 * @return 0, -ENOMEM.
 */
int nvmf_drive_health_new(const struct nvmf_health_src_ops *ops, void *ctx, uint32_t timeout_ms,
			  struct nvmf_drive_health **h);

/** Free @h, waiting (bounded) for a read in flight. NULL is ignored. */
void nvmf_drive_health_free(struct nvmf_drive_health *h);

/**
 * The drive's last snapshot into @out. When it is older than @max_age
 * ticks (or there is none), a read is started if none is in flight, and
 * the drive's queue polled once. Thread-safe, never waits.
 * @return 0 (fresh), -EAGAIN (stale or being read: @out holds the last
 *         one), -ENODATA (never read: @out untouched).
 */
int nvmf_drive_health_get(struct nvmf_drive_health *h, uint64_t max_age,
			  struct nvme_health_log *out);

/**
 * Merge drive log @d into @dst: @first replaces the target's defaults,
 * later drives keep the worst of each value. Pure.
 */
void nvmf_health_merge(struct nvme_health_log *dst, const struct nvme_health_log *d, bool first);

/**
 * Get Log Page 02h of @req's controller: fill @h (target counters already
 * in it) with the drives' values. @return true when @h is complete; false
 * when @req must wait for a drive (it is then parked on its controller,
 * and finished from nvmf_health_timers()). Admin group.
 */
bool nvmf_health_fill(struct nvmf_request *req, struct nvme_health_log *h);

/** Admin group timer: finish a parked Get Log Page whose drives answered. */
void nvmf_health_timers(struct nvmf_ctrlr *ctrlr, uint64_t now);

/** Admin queue gone or controller reset: complete a parked request aborted. */
void nvmf_health_abort(struct nvmf_ctrlr *ctrlr);

/* ---------------------------------------------------------------- errors */

struct nvmf_errlog {
	atomic_flag lock;
	uint64_t count; /* errors so far: the newest entry's error count */
	struct nvme_error_log_entry ring[NVMF_ERRLOG_SLOTS];
};

/** Start @log empty (count 0). */
void nvmf_errlog_init(struct nvmf_errlog *log);

/**
 * Record that command @cmd on queue @sqid completed with @status (the CQE
 * status without phase) over transport @trtype. Any thread.
 */
void nvmf_errlog_record(struct nvmf_errlog *log, uint16_t sqid, const struct nvme_cmd *cmd,
			uint16_t status, uint8_t trtype);

/** Errors recorded so far. Any thread. */
uint64_t nvmf_errlog_count(struct nvmf_errlog *log);

/**
 * Log page 01h into @out (@max entries, zeroed by the caller): newest
 * first. Any thread. @return the page size in bytes (@max entries).
 */
size_t nvmf_errlog_fill(struct nvmf_errlog *log, struct nvme_error_log_entry *out, uint32_t max);

#endif /* NVMF_TGT_HEALTH_H */
