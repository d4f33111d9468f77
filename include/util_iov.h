/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_iov.h - walking arrays of struct iovec: how much they hold, copying
 * between them and a flat buffer, filling them, and describing a byte range
 * of them as another iovec array (for sendmsg/recvmsg) without copying.
 *
 * Common rules. An array is @iov[0 .. @iovcnt); its bytes are the entries'
 * bytes in order, so byte offset @off of the array may lie in any entry.
 * Entries of length zero hold no bytes and are passed over (their base is
 * never touched, and may be NULL). An offset at or past the end of the array
 * is not an error: nothing is done and 0 is returned. None of these
 * functions allocates; each is thread-safe as long as no other thread
 * writes the memory it reads or writes.
 */
#ifndef NVMF_TGT_UTIL_IOV_H
#define NVMF_TGT_UTIL_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/**
 * Do the entries of @iov hold at least @len bytes in all? Stops reading
 * entries as soon as they do. @len 0: always true.
 */
bool iov_covers(const struct iovec *iov, uint32_t iovcnt, uint64_t len);

/**
 * Copy up to @len bytes from byte offset @off of @iov into @buf.
 * @return the bytes copied: @len, or fewer when the array ends first.
 */
size_t iov_to_buf(const struct iovec *iov, uint32_t iovcnt, size_t off, void *buf, size_t len);

/**
 * Copy up to @len bytes of @buf into @iov from byte offset @off on.
 * @return the bytes copied: @len, or fewer when the array ends first.
 */
size_t iov_from_buf(const struct iovec *iov, uint32_t iovcnt, size_t off, const void *buf,
		    size_t len);

/**
 * Set up to @len bytes of @iov, from byte offset @off on, to the byte @c.
 * @return the bytes set: @len, or fewer when the array ends first.
 */
size_t iov_memset(const struct iovec *iov, uint32_t iovcnt, size_t off, int c, size_t len);

/**
 * Describe bytes [@off, @off + @len) of @iov in @out, at most @max entries,
 * pointing into the same memory (nothing is copied). The slice ends early
 * when @iov ends or @out is full; the sum of the entries' lengths says how
 * much it holds. Zero-length entries of @iov give no entry in @out.
 * @return the number of entries written to @out (0 .. @max).
 */
uint32_t iov_slice(const struct iovec *iov, uint32_t iovcnt, size_t off, size_t len,
		   struct iovec *out, uint32_t max);

/**
 * Append the part of one buffer that is still to go to an iovec array being
 * built for a partial send: @buf of @len bytes follows earlier pieces of a
 * stream of which the first *@skip bytes are gone already. When *@skip
 * covers the whole buffer, *@skip shrinks by @len and nothing is added;
 * otherwise out[@cnt] becomes [@buf + *@skip, @buf + @len) and *@skip 0.
 * An empty buffer, or a full array (@cnt == @max), adds nothing and leaves
 * *@skip as it is.
 * @return the new entry count (@cnt or @cnt + 1).
 */
static inline uint32_t iov_append(struct iovec *out, uint32_t cnt, uint32_t max, const void *buf,
				  size_t len, size_t *skip)
{
	if (len == 0 || cnt >= max)
		return cnt;
	if (*skip >= len) {
		*skip -= len;
		return cnt;
	}
	out[cnt].iov_base = (uint8_t *)(uintptr_t)buf + *skip;
	out[cnt].iov_len = len - *skip;
	*skip = 0;
	return cnt + 1;
}

#endif /* NVMF_TGT_UTIL_IOV_H */
