/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_nvme.h - inside nvmf/: how the "nvme" backend cuts a block I/O
 * into NVMe commands, exposed for its unit test.
 */
#ifndef NVMF_TGT_BACKEND_NVME_H
#define NVMF_TGT_BACKEND_NVME_H

#include <stdint.h>
#include <sys/uio.h>

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
