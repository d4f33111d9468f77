/* SPDX-License-Identifier: BSD-3-Clause */
/* Walking iovec arrays: see include/util_iov.h. */
#include <string.h>

#include "include/util_iov.h"

enum iov_op {
	IOV_OP_TO_BUF,
	IOV_OP_FROM_BUF,
	IOV_OP_SET,
};

/*
 * The walker behind the copy and fill functions: visit the bytes [@off, @off + @len) of @iov piece by
 * piece (one piece per non-empty entry) and apply @op to each, against
 * @buf (advancing with the pieces) or the byte @c. @return bytes visited.
 */
static size_t iov_walk(const struct iovec *iov, uint32_t iovcnt, size_t off, uint8_t *buf, int c,
		       size_t len, enum iov_op op)
{
	size_t done = 0;
	uint32_t i;

	for (i = 0; i < iovcnt && done < len; i++) {
		size_t n = iov[i].iov_len;
		uint8_t *p;

		if (off >= n) {
			off -= n;
			continue;
		}
		p = (uint8_t *)iov[i].iov_base + off;
		n -= off;
		if (n > len - done)
			n = len - done;
		if (op == IOV_OP_TO_BUF)
			memcpy(buf + done, p, n);
		else if (op == IOV_OP_FROM_BUF)
			memcpy(p, buf + done, n);
		else
			memset(p, c, n);
		done += n;
		off = 0;
	}
	return done;
}

bool iov_covers(const struct iovec *iov, uint32_t iovcnt, uint64_t len)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < iovcnt && total < len; i++)
		total += iov[i].iov_len;
	return total >= len;
}

size_t iov_to_buf(const struct iovec *iov, uint32_t iovcnt, size_t off, void *buf, size_t len)
{
	return iov_walk(iov, iovcnt, off, buf, 0, len, IOV_OP_TO_BUF);
}

size_t iov_from_buf(const struct iovec *iov, uint32_t iovcnt, size_t off, const void *buf,
		    size_t len)
{
	return iov_walk(iov, iovcnt, off, (uint8_t *)(uintptr_t)buf, 0, len, IOV_OP_FROM_BUF);
}

size_t iov_memset(const struct iovec *iov, uint32_t iovcnt, size_t off, int c, size_t len)
{
	return iov_walk(iov, iovcnt, off, NULL, c, len, IOV_OP_SET);
}

uint32_t iov_slice(const struct iovec *iov, uint32_t iovcnt, size_t off, size_t len,
		   struct iovec *out, uint32_t max)
{
	uint32_t i, n = 0;

	for (i = 0; i < iovcnt && len > 0 && n < max; i++) {
		size_t piece = iov[i].iov_len;

		if (off >= piece) {
			off -= piece;
			continue;
		}
		piece -= off;
		if (piece > len)
			piece = len;
		out[n].iov_base = (uint8_t *)iov[i].iov_base + off;
		out[n].iov_len = piece;
		len -= piece;
		off = 0;
		n++;
	}
	return n;
}
