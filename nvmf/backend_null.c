/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_null.c - a namespace that stores nothing.
 *
 * Writes are dropped, reads return zeroes, Flush, Write Zeroes and
 * Deallocate succeed at once. Synchronous: the callback runs inside
 * submit(). Meant for benchmarking the fabric without any storage cost.
 *
 * read_span() hands out a read-only anonymous mapping that was never
 * written, so every page of it is the kernel's shared zero page: a
 * transport that can send from any memory sends zeroes with no memset and
 * no memory used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "nvmf/backend.h"
#include "util.h"
#include "util_iov.h"

/* Largest read served from the zero mapping; longer ones are memset. */
#define NULL_ZERO_SPAN (8u << 20)

struct null_backend {
	struct nvmf_backend base;
	const void *zeroes; /**< NULL_ZERO_SPAN read-only bytes, or NULL */
};

static int null_submit(struct nvmf_bchannel *ch, struct nvmf_bio *bio)
{
	const struct nvmf_backend *b = ch->backend;

	if (bio->op != NVMF_BIO_FLUSH && !nvmf_backend_range_ok(b, bio->offset, bio->len))
		return -EINVAL;
	switch (bio->op) {
	case NVMF_BIO_READ:
		if (!iov_covers(bio->iov, bio->iovcnt, bio->len))
			return -EINVAL;
		iov_memset(bio->iov, bio->iovcnt, 0, 0, bio->len);
		break;
	case NVMF_BIO_WRITE:
	case NVMF_BIO_FLUSH:
	case NVMF_BIO_WRITE_ZEROES:
	case NVMF_BIO_DEALLOCATE:
		break;
	default:
		return -EOPNOTSUPP;
	}
	bio->cb(bio, 0);
	return 0;
}

static int null_read_span(struct nvmf_bchannel *ch, uint64_t offset, uint64_t len,
			  const void **data)
{
	const struct null_backend *nb = container_of(ch->backend, struct null_backend, base);

	if (!nvmf_backend_range_ok(&nb->base, offset, len))
		return -EINVAL;
	if (nb->zeroes == NULL || len > NULL_ZERO_SPAN)
		return -EOPNOTSUPP;
	*data = nb->zeroes;
	return 0;
}

static void null_destroy(struct nvmf_backend *b)
{
	struct null_backend *nb = container_of(b, struct null_backend, base);

	if (nb->zeroes != NULL)
		munmap((void *)nb->zeroes, NULL_ZERO_SPAN);
	free(nb);
}

static const struct nvmf_backend_ops null_ops = {
    .type = "null",
    .channel_create = nvmf_bchannel_plain_create,
    .channel_destroy = nvmf_bchannel_plain_destroy,
    .submit = null_submit,
    .read_span = null_read_span,
    .poll = NULL,
    .destroy = null_destroy,
};

int nvmf_backend_null_new(const char *name, uint64_t size, uint32_t block_size,
			  struct nvmf_backend **b)
{
	struct null_backend *nb;

	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(nb->base.name))
		return -EINVAL;
	if (block_size != 512 && block_size != 4096)
		return -EINVAL;
	if (size == 0 || size % block_size != 0)
		return -EINVAL;
	nb = calloc(1, sizeof(*nb));
	if (nb == NULL)
		return -ENOMEM;
	nb->zeroes = mmap(NULL, NULL_ZERO_SPAN, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (nb->zeroes == MAP_FAILED)
		nb->zeroes = NULL; /* reads are memset instead */
	nb->base.ops = &null_ops;
	strcpy(nb->base.name, name);
	nb->base.size = size;
	nb->base.block_size = block_size;
	nb->base.volatile_cache = false;
	nb->base.supports_dealloc = true;
	nb->base.sync_data = true;
	*b = &nb->base;
	return 0;
}
