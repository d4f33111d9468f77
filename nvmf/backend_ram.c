/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_ram.c - a namespace kept in anonymous memory.
 *
 * The store is one private anonymous mapping with MAP_NORESERVE: pages that
 * were never written cost nothing, so a large RAM disk needs no hugepage DMA
 * memory. I/O is synchronous: submit() copies between the store and the
 * bio's iovecs and runs the callback before it returns; read_span() lets a
 * transport that can send from any memory read the store in place, with no
 * copy at all. Write Zeroes and
 * Deallocate give whole pages back to the kernel (they read back as zeroes).
 * Channels hold no state; any thread may use its own channel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvmf/backend.h"
#include "util.h"
#include "util_iov.h"

/* Ranges at least this long are zeroed with madvise, shorter ones by memset. */
#define RAM_MADVISE_MIN (64u * 1024)

struct ram_backend {
	struct nvmf_backend base;
	uint8_t *mem;
	size_t page_size;
};

static struct ram_backend *ram_backend(struct nvmf_backend *b)
{
	return container_of(b, struct ram_backend, base);
}

/* Zero [off, off + len): whole pages of long ranges go back to the kernel. */
static void ram_zero(struct ram_backend *rb, uint64_t off, uint64_t len)
{
	uint64_t ps = rb->page_size;
	uint64_t first = (off + ps - 1) / ps * ps;
	uint64_t last = (off + len) / ps * ps;

	if (len < RAM_MADVISE_MIN || last <= first ||
	    madvise(rb->mem + first, last - first, MADV_DONTNEED) != 0) {
		memset(rb->mem + off, 0, len);
		return;
	}
	memset(rb->mem + off, 0, first - off);
	memset(rb->mem + last, 0, off + len - last);
}

static int ram_submit(struct nvmf_bchannel *ch, struct nvmf_bio *bio)
{
	struct ram_backend *rb = ram_backend(ch->backend);
	bool data = bio->op == NVMF_BIO_READ || bio->op == NVMF_BIO_WRITE;

	if (bio->op != NVMF_BIO_FLUSH && !nvmf_backend_range_ok(&rb->base, bio->offset, bio->len))
		return -EINVAL;
	if (data && !iov_covers(bio->iov, bio->iovcnt, bio->len))
		return -EINVAL;
	switch (bio->op) {
	case NVMF_BIO_READ:
		iov_from_buf(bio->iov, bio->iovcnt, 0, rb->mem + bio->offset, bio->len);
		break;
	case NVMF_BIO_WRITE:
		iov_to_buf(bio->iov, bio->iovcnt, 0, rb->mem + bio->offset, bio->len);
		break;
	case NVMF_BIO_FLUSH:
		break;
	case NVMF_BIO_WRITE_ZEROES:
	case NVMF_BIO_DEALLOCATE:
		ram_zero(rb, bio->offset, bio->len);
		break;
	default:
		return -EOPNOTSUPP;
	}
	bio->cb(bio, 0);
	return 0;
}

static int ram_read_span(struct nvmf_bchannel *ch, uint64_t offset, uint64_t len, const void **data)
{
	struct ram_backend *rb = ram_backend(ch->backend);

	if (!nvmf_backend_range_ok(&rb->base, offset, len))
		return -EINVAL;
	*data = rb->mem + offset;
	return 0;
}

static void ram_destroy(struct nvmf_backend *b)
{
	struct ram_backend *rb = ram_backend(b);

	munmap(rb->mem, b->size);
	free(rb);
}

static const struct nvmf_backend_ops ram_ops = {
    .type = "ram",
    .channel_create = nvmf_bchannel_plain_create,
    .channel_destroy = nvmf_bchannel_plain_destroy,
    .submit = ram_submit,
    .read_span = ram_read_span,
    .poll = NULL,
    .destroy = ram_destroy,
};

static int ram_check_args(const char *name, uint64_t size, uint32_t block_size)
{
	if (name == NULL || name[0] == '\0' ||
	    strlen(name) >= sizeof(((struct nvmf_backend *)0)->name))
		return -EINVAL;
	if (block_size != 512 && block_size != 4096)
		return -EINVAL;
	if (size == 0 || size % block_size != 0 || size > SIZE_MAX)
		return -EINVAL;
	return 0;
}

int nvmf_backend_ram_new(const char *name, uint64_t size, uint32_t block_size,
			 struct nvmf_backend **b)
{
	struct ram_backend *rb;
	int rc = ram_check_args(name, size, block_size);

	if (rc != 0)
		return rc;
	rb = calloc(1, sizeof(*rb));
	if (rb == NULL)
		return -ENOMEM;
	rb->mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (rb->mem == MAP_FAILED) {
		free(rb);
		return -ENOMEM;
	}
	rb->page_size = (size_t)sysconf(_SC_PAGESIZE);
	rb->base.ops = &ram_ops;
	strcpy(rb->base.name, name);
	rb->base.size = size;
	rb->base.block_size = block_size;
	rb->base.volatile_cache = false;
	rb->base.supports_dealloc = true;
	rb->base.sync_data = true;
	*b = &rb->base;
	return 0;
}
