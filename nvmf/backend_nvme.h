/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_nvme.h - inside nvmf/: how the "nvme" backend cuts a block I/O
 * into NVMe commands and follows each bio, exposed for its unit test.
 */
#ifndef NVMF_TGT_BACKEND_NVME_H
#define NVMF_TGT_BACKEND_NVME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct nvme_ctrlr;
struct nvmf_bchannel;
struct nvmf_tgt;

/*
 * Life of one bio in the backend, in its channel's I/O slot (every change
 * through one set_state that checks this table):
 *
 *   FREE --submit--> SENDING --all commands out--> IN_FLIGHT --last completion--> FREE
 *                    |    ^                                                 (callback)
 *        queue full  v    | poll: resume
 *                  WAIT_QUEUE --queue pair failed--> IN_FLIGHT (ends with -EIO)
 *
 * SENDING -> FREE: refused with nothing in flight (submit: no callback;
 *   resume: callback with the error), or nothing to send (zero length).
 * A command refused with others in flight: SENDING -> IN_FLIGHT, the bio
 *   ends with that error. WAIT_QUEUE -> FREE: the queue pair failed with
 *   none of its commands in flight (callback with -EIO).
 * Commands of a WAIT_QUEUE bio may be in flight; only IN_FLIGHT completes.
 */
enum nvmf_bnvme_io_state {
	NVMF_BNVME_IO_FREE = 0,
	NVMF_BNVME_IO_SENDING,    /**< its commands are being cut and submitted */
	NVMF_BNVME_IO_WAIT_QUEUE, /**< the queue was full: on the channel's retry list */
	NVMF_BNVME_IO_IN_FLIGHT,  /**< nothing more to send: waits for completions */
	NVMF_BNVME_IO_NSTATES,
};

/** Is @from -> @to a legal change of a bio's state? Pure, thread safe. */
bool nvmf_bnvme_io_state_change_ok(enum nvmf_bnvme_io_state from, enum nvmf_bnvme_io_state to);

/**
 * How many times a bio of channel @ch entered each state (an array of
 * NVMF_BNVME_IO_NSTATES). The channel's thread only.
 */
const uint64_t *nvmf_bnvme_io_states(const struct nvmf_bchannel *ch);

/**
 * Register one backend per namespace of the connected controller @ctrlr
 * (those of @nsids, or all active ones when @n_nsids is 0), named
 * <@name_prefix>n<nsid>. Takes @ctrlr over: it is disconnected when the
 * last of its backends is destroyed, or here on failure. Main thread.
 * nvmf_backend_nvme_create() connects, then calls this; tests pass a
 * controller of their own transport.
 * @return 0, -ENOENT (no such or no active namespace), -EEXIST (name
 *         taken), -ENOTSUP (block size), -ENOMEM.
 */
int nvmf_bnvme_register(struct nvmf_tgt *tgt, const char *name_prefix, struct nvme_ctrlr *ctrlr,
			const uint32_t *nsids, unsigned n_nsids);

/** PCI class code of an NVMe controller (mass storage, NVM, NVMe). */
#define NVMF_BNVME_PCI_CLASS 0x010802u

/**
 * Is the local controller at @pci_addr on the bus and bound to vfio-pci or
 * uio_pci_generic (so that it can be attached)? Thread safe (sysfs).
 */
bool nvmf_bnvme_present(const char *pci_addr);

/** Where the next command of a split I/O starts. */
struct nvmf_bnvme_cursor {
	uint32_t iov_idx; /**< current iovec */
	uint64_t iov_off; /**< bytes of it already used */
	uint64_t done;    /**< bytes of the I/O already cut */
};

/** One NVMe command of a split I/O. */
struct nvmf_bnvme_seg {
	void *buf;    /**< inside one iovec */
	uint64_t off; /**< byte offset of the I/O where it starts */
	uint32_t len; /**< bytes: a block multiple, at most max_bytes */
};

/**
 * Cut the next command out of an I/O of @len bytes over @iov / @iovcnt:
 * never across an iovec, never over @max_bytes, always whole blocks of
 * @block_size. Advances @cur. Not thread-safe per cursor; no state else.
 * @return 1 with @seg filled, 0 when the I/O is all cut, -EINVAL when an
 *         iovec piece is not a multiple of the block size or the iovecs
 *         are shorter than @len.
 */
int nvmf_bnvme_next_seg(const struct iovec *iov, uint32_t iovcnt, uint64_t len, uint32_t block_size,
			uint32_t max_bytes, struct nvmf_bnvme_cursor *cur,
			struct nvmf_bnvme_seg *seg);

#endif /* NVMF_TGT_BACKEND_NVME_H */
