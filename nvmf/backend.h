/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend.h - namespace backends behind one small ops table (inside nvmf/).
 *
 * A backend is a block store: RAM, Null, File, or a local NVMe namespace.
 * Each poll group opens its own channel on every backend and submits I/O on
 * it from its own thread only: no locks. Completions are reported through
 * the bio's callback, either inside submit() (synchronous backends: RAM,
 * Null) or from the channel's poll() (File with io_uring, NVMe).
 */
#ifndef NVMF_TGT_BACKEND_H
#define NVMF_TGT_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/uio.h>

struct nvmf_backend;
struct nvmf_bchannel;
struct nvmf_drive_health;
struct nvme_cmd;
struct nvme_cpl;
struct nvme_id_ctrl;

/** Block operations. */
enum nvmf_bio_op {
	NVMF_BIO_READ = 0,
	NVMF_BIO_WRITE,
	NVMF_BIO_FLUSH,        /**< everything acknowledged so far is durable */
	NVMF_BIO_WRITE_ZEROES, /**< offset/len, no data */
	NVMF_BIO_DEALLOCATE,   /**< offset/len, no data; reads may return zeroes */
};

/** One block I/O; lives inside the core's request, never allocated per I/O. */
struct nvmf_bio {
	enum nvmf_bio_op op;
	bool fua;                /**< write: durable before completion */
	uint64_t offset;         /**< bytes, block aligned */
	uint64_t len;            /**< bytes, block multiple */
	const struct iovec *iov; /**< data for READ/WRITE, total >= len */
	uint32_t iovcnt;
	/**
	 * Completion: status 0 or a negative errno (-EIO ...). -ENODEV: the
	 * device is gone (removed, failed for good); the host gets a path
	 * error and may retry on another path. -ECANCELED: aborted on request
	 * (ops.abort); the host gets Command Abort Requested.
	 */
	void (*cb)(struct nvmf_bio *bio, int status);
	void *cb_arg;
};

/**
 * What a backend implements, in designated initializers. Required: type,
 * channel_create, channel_destroy, submit, destroy. Optional (NULL: the
 * behaviour said at each): read_span, poll, abort, and the others below.
 */
struct nvmf_backend_ops {
	const char *type; /**< "ram", "null", "file", "nvme" */
	/** Required. Open a channel for the calling poll group's thread. */
	int (*channel_create)(struct nvmf_backend *b, struct nvmf_bchannel **ch);
	/** Required. Close @ch (its thread); bios still in flight complete first. */
	void (*channel_destroy)(struct nvmf_bchannel *ch);
	/**
	 * Required. Start @bio. @return 0 when accepted (the callback will
	 * run, possibly before submit returns), -EAGAIN when the channel is
	 * full (retry later; the callback will not run; the same errno as a
	 * full queue in nvme.h), another negative errno when refused (the
	 * callback will not run).
	 */
	int (*submit)(struct nvmf_bchannel *ch, struct nvmf_bio *bio);
	/**
	 * Optional, synchronous: where the @len bytes at @offset already are
	 * in memory, so a read needs no copy. The bytes stay readable until
	 * the backend is destroyed (a later write may change them). @return 0
	 * with *@data set, -EINVAL for a bad range, -EOPNOTSUPP when this
	 * range must go through submit(). NULL: never.
	 */
	int (*read_span)(struct nvmf_bchannel *ch, uint64_t offset, uint64_t len,
			 const void **data);
	/** Optional: reap completions; NULL for synchronous backends. @return count. */
	int (*poll)(struct nvmf_bchannel *ch);
	/**
	 * Optional: ask the device to abort @bio, which submit() on @ch
	 * accepted and whose callback has not run yet (channel thread). The
	 * bio still ends through its callback, exactly once: with -ECANCELED
	 * when the device aborted it, otherwise as it would have. @done(@arg,
	 * @aborted) runs once, from a later poll() on any thread (the one that
	 * reaped the device's answer; it must only hand the news on), or even
	 * before abort() returns; @aborted is true only when the device said
	 * it aborted the command. NULL: nothing at this backend is aborted.
	 * @return 0 (@done will run), -ENOENT (@bio is not in flight on the
	 *         device), -ENODEV (the device is gone or resetting), -EBUSY
	 *         (too many aborts outstanding) or -ENOMEM; @done does not run.
	 */
	int (*abort)(struct nvmf_bchannel *ch, struct nvmf_bio *bio,
		     void (*done)(void *arg, bool aborted), void *arg);
	/**
	 * Optional: the health source of the drive behind @b (nvmf/health.h),
	 * for the SMART / health log. NULL, or NULL returned: none.
	 */
	struct nvmf_drive_health *(*drive_health)(struct nvmf_backend *b);
	/**
	 * Optional, with admin_poll and device: pass admin command @cmd (its
	 * NSID already the drive's) with @len bytes of @buf (DMA memory, or
	 * NULL) to the drive behind @b; @done(@arg, cpl) runs inside a later
	 * admin_poll(). Any thread. @return 0, -EAGAIN (busy) or an errno.
	 */
	int (*admin_submit)(struct nvmf_backend *b, const struct nvme_cmd *cmd, void *buf,
			    uint32_t len, void (*done)(void *arg, const struct nvme_cpl *cpl),
			    void *arg);
	/** Reap the drive's admin completions (any thread). */
	void (*admin_poll)(struct nvmf_backend *b);
	/** The drive behind @b: backends on the same drive return the same pointer. */
	const void *(*device)(const struct nvmf_backend *b);
	/**
	 * Optional, with device: the Identify Controller data of the drive
	 * behind @b as it reported it at attach (constant while @b lives), for
	 * what the target advertises of passed commands (SANICAP, FNA). NULL,
	 * or NULL returned: unknown.
	 */
	const struct nvme_id_ctrl *(*drive_id)(const struct nvmf_backend *b);
	/**
	 * Optional: look at the device's health now, without I/O (main thread,
	 * from its timer, every NVMF_TIMER_PERIOD_MS, also while every poll
	 * group sleeps). A device found gone is reported as an I/O poll would
	 * (nvmf_backends_gone*()), once. NULL: nothing to look at.
	 */
	void (*check)(struct nvmf_backend *b);
	/** Required. Free the backend; all channels are closed. */
	void (*destroy)(struct nvmf_backend *b);
};

/** Generic part of a backend; embedded first in each backend object. */
struct nvmf_backend {
	const struct nvmf_backend_ops *ops;
	char name[64];
	uint64_t size;       /**< bytes */
	uint32_t block_size; /**< 512 or 4096 */
	uint32_t id;         /**< index, for per-group channel arrays */
	bool volatile_cache; /**< writes need a flush to be durable */
	bool supports_dealloc;
	bool sync_data;   /**< submit() has finished with the bio's data when it returns */
	uint32_t refs;    /**< namespaces using it */
	const char *path; /**< where the data is (file path, PCI address), for listings; or NULL */
	uint32_t nsid;    /**< the drive's namespace ID (nvme), for listings; or 0 */
	/** Being deleted while the target runs (runtime.c); written before the groups are told. */
	struct nvmf_backend_del *del;
	TAILQ_ENTRY(nvmf_backend) link;
};

/**
 * Is [@offset, @offset + @len) whole blocks of @b, inside it? What every
 * backend checks before it touches data. Thread safe (reads constants).
 */
static inline bool nvmf_backend_range_ok(const struct nvmf_backend *b, uint64_t offset,
					 uint64_t len)
{
	return offset % b->block_size == 0 && len % b->block_size == 0 && offset <= b->size &&
	       len <= b->size - offset;
}

/**
 * Generic part of a channel; embedded first. The core's fields are set by
 * nvmf_pg_channel() and touched only on the channel's poll-group thread.
 */
struct nvmf_bchannel {
	struct nvmf_backend *backend;
	/**
	 * Core: what still uses the channel or the backend's memory: I/O
	 * contexts with a bio on it, and reads served in place whose data the
	 * transport has not released yet (upcalls.c2h_release).
	 */
	uint32_t holds;
	bool closing; /**< core: the backend is being deleted; closed once holds is 0 */
};

/**
 * channel_create / channel_destroy of a backend whose channels hold no state
 * (synchronous backends that need nothing per thread): the channel is just
 * the generic part. @return 0 or -ENOMEM.
 */
int nvmf_bchannel_plain_create(struct nvmf_backend *b, struct nvmf_bchannel **ch);
void nvmf_bchannel_plain_destroy(struct nvmf_bchannel *ch);

/** Does backend @b belong to @key (a backend's own notion, e.g. its controller)? */
typedef bool (*nvmf_backend_match_fn)(const struct nvmf_backend *b, const void *key);

struct nvmf_tgt;

/**
 * The device behind the backends @match accepts with @key is gone for
 * good (any thread): the main thread removes every namespace they serve
 * from its subsystem (hosts get Namespace Attribute Changed). @key is only
 * passed to @match there, never dereferenced by the core.
 * @return 0, -ENOMEM or -EAGAIN (the main thread's ring is full).
 */
int nvmf_backends_gone(struct nvmf_tgt *tgt, nvmf_backend_match_fn match, const void *key);

/** How a gone device is found and attached again (nvmf_backends_gone_reattach()). */
struct nvmf_reattach_ops {
	/** Is the device back and usable? Main thread, about once a second. */
	bool (*present)(void *ctx);
	/**
	 * Register its backends again, under the names they had (main
	 * thread). @return 0, or a negative errno (tried again later).
	 */
	int (*attach)(struct nvmf_tgt *tgt, void *ctx);
	/** Free @ctx (after a re-attach, or when the target is destroyed). */
	void (*free)(void *ctx);
};

/**
 * As nvmf_backends_gone(), and then the device is waited for: the main
 * thread records where each namespace was (subsystem, NSID, identifiers),
 * deletes the backends (so that the device is let go once no poll group
 * holds them), then polls @ops->present about once a second; once it is
 * true, @ops->attach re-registers the backends and each namespace returns
 * to its subsystem with its NSID and identifiers (hosts get Namespace
 * Attribute Changed). @ctx is owned by the target from the call on, also
 * on failure. Any thread.
 * @return 0, -ENOMEM or -EAGAIN (the main thread's ring is full).
 */
int nvmf_backends_gone_reattach(struct nvmf_tgt *tgt, nvmf_backend_match_fn match, const void *key,
				const struct nvmf_reattach_ops *ops, void *ctx);

/** Constructors (the public ones in nvmf.h wrap these and register the result). */
int nvmf_backend_ram_new(const char *name, uint64_t size, uint32_t block_size,
			 struct nvmf_backend **b);
int nvmf_backend_null_new(const char *name, uint64_t size, uint32_t block_size,
			  struct nvmf_backend **b);
int nvmf_backend_file_new(const char *name, const char *path, uint64_t size, uint32_t block_size,
			  struct nvmf_backend **b);

#endif /* NVMF_TGT_BACKEND_H */
