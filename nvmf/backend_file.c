/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_file.c - a namespace on a regular file or a block device.
 *
 * Two descriptors: one opened with O_DIRECT (when the file system accepts
 * it) for aligned I/O, one buffered for everything else (iovecs that are not
 * aligned to the direct I/O granularity, retries, the rare synchronous
 * paths). Both reach the same inode, and the kernel keeps page cache and
 * direct I/O coherent. When O_DIRECT is refused only the buffered one exists.
 *
 * Each channel owns an io_uring of FILE_RING_ENTRIES entries and as many
 * request slots; a submit with no free slot returns -EAGAIN. submit()
 * prepares SQEs; poll() hands them to the kernel in one batch, then reaps
 * up to FILE_POLL_BUDGET completions without blocking.
 *
 * Life of a read or write:
 *   submit: take a slot, copy the iovecs trimmed to bio->len, pick the fd,
 *           prepare readv / writev (RWF_DSYNC for FUA)
 *   poll:   error -EINVAL on the direct fd -> resubmit on the buffered fd
 *           short transfer -> finish the rest synchronously (zeroes past the
 *           end of a regular file on read; a write never completes partial)
 *           then: free the slot, run the callback
 * Flush is IORING_OP_FSYNC with IORING_FSYNC_DATASYNC. Write Zeroes and
 * Deallocate are synchronous fallocate() calls (rare commands).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nvmf/backend.h"
#include "util.h"

#define FILE_RING_ENTRIES 128
#define FILE_POLL_BUDGET 64
#define FILE_INLINE_IOVS 32
#define FILE_ZERO_CHUNK (1024u * 1024)
#define FILE_LOG "backend"

struct file_backend {
	struct nvmf_backend base;
	int fd_direct; /* O_DIRECT descriptor, or -1 */
	int fd_buf;    /* buffered descriptor */
	bool is_blkdev;
	uint32_t dio_align; /* offset, length and address granularity of fd_direct */
	char *path;
};

struct file_io {
	struct nvmf_bio *bio;
	struct iovec *iov; /* iov_inline, or allocated for long lists */
	uint32_t iovcnt;
	bool buffered; /* issued on fd_buf */
	struct file_io *next_free;
	struct iovec iov_inline[FILE_INLINE_IOVS];
};

struct file_channel {
	struct nvmf_bchannel base;
	struct io_uring ring;
	struct file_io *free_ios;
	uint32_t inflight;
	uint32_t unsubmitted; /* SQEs prepared but not yet given to the kernel */
	struct file_io ios[FILE_RING_ENTRIES];
};

static struct file_backend *file_backend(struct nvmf_backend *b)
{
	return container_of(b, struct file_backend, base);
}

static struct file_channel *file_channel(struct nvmf_bchannel *ch)
{
	return container_of(ch, struct file_channel, base);
}

/* ------------------------------------------------------------ request slots */

static struct file_io *file_io_get(struct file_channel *fc)
{
	struct file_io *io = fc->free_ios;

	if (io != NULL) {
		fc->free_ios = io->next_free;
		fc->inflight++;
	}
	return io;
}

static void file_io_put(struct file_channel *fc, struct file_io *io)
{
	if (io->iov != io->iov_inline)
		free(io->iov);
	io->iov = NULL;
	io->bio = NULL;
	io->next_free = fc->free_ios;
	fc->free_ios = io;
	fc->inflight--;
}

/* Copy the iovecs of @bio into @io, trimmed to exactly bio->len bytes. */
static int file_io_set_iov(struct file_io *io, const struct nvmf_bio *bio)
{
	uint64_t left = bio->len;
	uint32_t i, n = 0;

	for (i = 0; i < bio->iovcnt && left > 0; i++)
		left -= bio->iov[i].iov_len < left ? bio->iov[i].iov_len : left;
	if (left > 0)
		return -EINVAL;
	io->iov = io->iov_inline;
	if (i > FILE_INLINE_IOVS) {
		io->iov = calloc(i, sizeof(*io->iov));
		if (io->iov == NULL)
			return -ENOMEM;
	}
	left = bio->len;
	for (i = 0; left > 0; i++) {
		size_t len = bio->iov[i].iov_len < left ? bio->iov[i].iov_len : left;

		if (len == 0)
			continue;
		io->iov[n].iov_base = bio->iov[i].iov_base;
		io->iov[n++].iov_len = len;
		left -= len;
	}
	io->iovcnt = n;
	return 0;
}

/* True when the direct descriptor can take @io as it is. */
static bool file_io_direct_ok(const struct file_backend *fb, const struct file_io *io)
{
	uint64_t mask = fb->dio_align - 1;
	uint32_t i;

	if (fb->fd_direct < 0 || (io->bio->offset & mask) != 0)
		return false;
	for (i = 0; i < io->iovcnt; i++)
		if (((uintptr_t)io->iov[i].iov_base & mask) != 0 ||
		    (io->iov[i].iov_len & mask) != 0)
			return false;
	return true;
}

/* ------------------------------------------------------- synchronous paths */

/*
 * Transfer the bytes of @io from @done to the end with pread/pwrite on the
 * buffered descriptor. A read that meets the end of a regular file fills
 * the rest with zeroes. @return 0 or a negative errno; never a partial
 * success.
 */
static int file_io_finish_sync(struct file_backend *fb, struct file_io *io, uint64_t done)
{
	bool is_write = io->bio->op == NVMF_BIO_WRITE;
	uint64_t pos = 0;
	uint32_t i;

	for (i = 0; i < io->iovcnt; pos += io->iov[i].iov_len, i++) {
		uint8_t *base = io->iov[i].iov_base;
		uint64_t seg = io->iov[i].iov_len;
		uint64_t skip = done > pos ? done - pos : 0;

		while (skip < seg) {
			off_t off = (off_t)(io->bio->offset + pos + skip);
			ssize_t n = is_write ? pwrite(fb->fd_buf, base + skip, seg - skip, off)
					     : pread(fb->fd_buf, base + skip, seg - skip, off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (n == 0 && (is_write || fb->is_blkdev))
				return -EIO;
			if (n == 0) {
				memset(base + skip, 0, seg - skip);
				n = (ssize_t)(seg - skip);
			}
			skip += (uint64_t)n;
		}
	}
	if (is_write && io->bio->fua && fdatasync(fb->fd_buf) != 0)
		return -errno;
	return 0;
}

/* Write zeroes over [off, off + len) with plain writes (last resort). */
static int file_write_zero_buf(struct file_backend *fb, uint64_t off, uint64_t len)
{
	void *zero = calloc(1, FILE_ZERO_CHUNK);
	int rc = 0;

	if (zero == NULL)
		return -ENOMEM;
	while (len > 0 && rc == 0) {
		size_t n = len < FILE_ZERO_CHUNK ? len : FILE_ZERO_CHUNK;
		ssize_t w = pwrite(fb->fd_buf, zero, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		else {
			off += (uint64_t)w;
			len -= (uint64_t)w;
		}
	}
	free(zero);
	return rc;
}

/*
 * Make [off, off + len) read as zeroes: punch a hole for Deallocate, zero
 * the range for Write Zeroes, falling back to the other and then to
 * writing zeroes when the file system lacks the operation.
 */
static int file_zero_range(struct file_backend *fb, uint64_t off, uint64_t len, bool dealloc)
{
	static const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	static const int zero = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	int modes[2] = {dealloc ? punch : zero, dealloc ? zero : punch};
	int i;

	if (len == 0)
		return 0;
	for (i = 0; i < 2; i++) {
		if (fallocate(fb->fd_buf, modes[i], (off_t)off, (off_t)len) == 0)
			return 0;
		if (errno != EOPNOTSUPP && errno != EINVAL)
			return -errno;
	}
	return file_write_zero_buf(fb, off, len);
}

/* ------------------------------------------------------------ the I/O path */

static struct io_uring_sqe *file_get_sqe(struct file_channel *fc)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&fc->ring);

	if (sqe == NULL && io_uring_submit(&fc->ring) > 0) {
		fc->unsubmitted = 0;
		sqe = io_uring_get_sqe(&fc->ring);
	}
	return sqe;
}

/* Prepare the read/write SQE of @io; on the direct fd unless @buffered. */
static int file_io_queue_rw(struct file_channel *fc, struct file_io *io, bool buffered)
{
	struct file_backend *fb = file_backend(fc->base.backend);
	struct nvmf_bio *bio = io->bio;
	struct io_uring_sqe *sqe = file_get_sqe(fc);
	int fd;

	if (sqe == NULL)
		return -EAGAIN;
	io->buffered = buffered || !file_io_direct_ok(fb, io);
	fd = io->buffered ? fb->fd_buf : fb->fd_direct;
	if (bio->op == NVMF_BIO_READ)
		io_uring_prep_readv(sqe, fd, io->iov, io->iovcnt, bio->offset);
	else
		io_uring_prep_writev2(sqe, fd, io->iov, io->iovcnt, bio->offset,
				      bio->fua ? RWF_DSYNC : 0);
	io_uring_sqe_set_data(sqe, io);
	fc->unsubmitted++;
	return 0;
}

static int file_submit_rw(struct file_channel *fc, struct nvmf_bio *bio)
{
	struct file_io *io;
	int rc;

	if (bio->len == 0) {
		bio->cb(bio, 0);
		return 0;
	}
	io = file_io_get(fc);
	if (io == NULL)
		return -EAGAIN;
	io->bio = bio;
	rc = file_io_set_iov(io, bio);
	if (rc == 0)
		rc = file_io_queue_rw(fc, io, false);
	if (rc != 0)
		file_io_put(fc, io);
	return rc;
}

static int file_submit_flush(struct file_channel *fc, struct nvmf_bio *bio)
{
	struct file_backend *fb = file_backend(fc->base.backend);
	struct io_uring_sqe *sqe;
	struct file_io *io = file_io_get(fc);

	if (io == NULL)
		return -EAGAIN;
	sqe = file_get_sqe(fc);
	if (sqe == NULL) {
		file_io_put(fc, io);
		return -EAGAIN;
	}
	io->bio = bio;
	io->iov = io->iov_inline;
	io->iovcnt = 0;
	io_uring_prep_fsync(sqe, fb->fd_buf, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data(sqe, io);
	fc->unsubmitted++;
	return 0;
}

static int file_submit(struct nvmf_bchannel *ch, struct nvmf_bio *bio)
{
	struct file_channel *fc = file_channel(ch);
	struct file_backend *fb = file_backend(ch->backend);

	if (bio->op != NVMF_BIO_FLUSH && !nvmf_backend_range_ok(&fb->base, bio->offset, bio->len))
		return -EINVAL;
	switch (bio->op) {
	case NVMF_BIO_READ:
	case NVMF_BIO_WRITE:
		return file_submit_rw(fc, bio);
	case NVMF_BIO_FLUSH:
		return file_submit_flush(fc, bio);
	case NVMF_BIO_WRITE_ZEROES:
	case NVMF_BIO_DEALLOCATE:
		bio->cb(bio,
			file_zero_range(fb, bio->offset, bio->len, bio->op == NVMF_BIO_DEALLOCATE));
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* Turn the result @res of @io into a final status, or -EINPROGRESS if requeued. */
static int file_io_result(struct file_channel *fc, struct file_io *io, int res)
{
	struct file_backend *fb = file_backend(fc->base.backend);
	enum nvmf_bio_op op = io->bio->op;

	if (op != NVMF_BIO_READ && op != NVMF_BIO_WRITE)
		return res < 0 ? res : 0;
	/* The direct descriptor refused this I/O (alignment): redo it buffered. */
	if (res == -EINVAL && !io->buffered) {
		if (file_io_queue_rw(fc, io, true) == 0)
			return -EINPROGRESS;
		return file_io_finish_sync(fb, io, 0);
	}
	if (res < 0)
		return res;
	if ((uint64_t)res < io->bio->len)
		return file_io_finish_sync(fb, io, (uint64_t)res);
	return 0;
}

static void file_io_complete(struct file_channel *fc, struct file_io *io, int res)
{
	struct nvmf_bio *bio = io->bio;
	int status = file_io_result(fc, io, res);

	if (status == -EINPROGRESS)
		return;
	/* Free the slot first: the callback may submit again. */
	file_io_put(fc, io);
	bio->cb(bio, status);
}

static void file_flush_sq(struct file_channel *fc)
{
	int rc;

	if (fc->unsubmitted == 0)
		return;
	rc = io_uring_submit(&fc->ring);
	if (rc >= 0)
		fc->unsubmitted -= (uint32_t)rc < fc->unsubmitted ? (uint32_t)rc : fc->unsubmitted;
	else if (rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
		log_error(FILE_LOG, "file backend %s: io_uring submit failed: %s",
			  fc->base.backend->name, strerror(-rc));
}

static int file_poll(struct nvmf_bchannel *ch)
{
	struct file_channel *fc = file_channel(ch);
	struct io_uring_cqe *cqe;
	int count = 0;

	file_flush_sq(fc);
	while (count < FILE_POLL_BUDGET && io_uring_peek_cqe(&fc->ring, &cqe) == 0) {
		struct file_io *io = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&fc->ring, cqe);
		file_io_complete(fc, io, res);
		count++;
	}
	/* Requeued I/O (buffered retries) goes out now rather than next time. */
	file_flush_sq(fc);
	return count;
}

/* ---------------------------------------------------------------- channels */

static int file_channel_create(struct nvmf_backend *b, struct nvmf_bchannel **ch)
{
	struct file_channel *fc = calloc(1, sizeof(*fc));
	int i, rc;

	if (fc == NULL)
		return -ENOMEM;
	rc = io_uring_queue_init(FILE_RING_ENTRIES, &fc->ring, 0);
	if (rc < 0) {
		log_error(FILE_LOG, "file backend %s: io_uring setup failed: %s", b->name,
			  strerror(-rc));
		free(fc);
		return rc;
	}
	for (i = FILE_RING_ENTRIES - 1; i >= 0; i--) {
		fc->ios[i].next_free = fc->free_ios;
		fc->free_ios = &fc->ios[i];
	}
	fc->base.backend = b;
	*ch = &fc->base;
	return 0;
}

/* Waits for I/O still in flight (its callbacks run) before freeing the ring. */
static void file_channel_destroy(struct nvmf_bchannel *ch)
{
	struct file_channel *fc = file_channel(ch);
	struct io_uring_cqe *cqe;

	while (fc->inflight > 0) {
		int rc;

		file_flush_sq(fc);
		rc = io_uring_wait_cqe(&fc->ring, &cqe);
		if (rc == 0)
			file_poll(ch);
		else if (rc != -EINTR && rc != -EAGAIN)
			break;
	}
	io_uring_queue_exit(&fc->ring);
	free(fc);
}

/* ----------------------------------------------------------------- backend */

static void file_destroy(struct nvmf_backend *b)
{
	struct file_backend *fb = file_backend(b);

	if (fb->fd_direct >= 0)
		close(fb->fd_direct);
	if (fb->fd_buf >= 0)
		close(fb->fd_buf);
	free(fb->path);
	free(fb);
}

static const struct nvmf_backend_ops file_ops = {
    .type = "file",
    .channel_create = file_channel_create,
    .channel_destroy = file_channel_destroy,
    .submit = file_submit,
    .poll = file_poll,
    .destroy = file_destroy,
};

/*
 * Find the smallest granularity (512 .. 4096) the direct descriptor
 * accepts, by reading the first bytes into an aligned buffer. Closes
 * fd_direct when none works.
 */
static void file_probe_direct(struct file_backend *fb)
{
	void *buf = NULL;
	uint32_t align;
	int err = 0;

	if (fb->fd_direct < 0 || posix_memalign(&buf, 4096, 4096) != 0)
		goto err_no_direct;
	for (align = 512; align <= 4096; align *= 2) {
		if (pread(fb->fd_direct, buf, align, 0) >= 0) {
			fb->dio_align = align;
			free(buf);
			return;
		}
		err = errno;
	}
	free(buf);
	log_notice(FILE_LOG, "file backend %s: %s: direct reads fail (%s); using buffered I/O",
		   fb->base.name, fb->path, strerror(err));
err_no_direct:
	if (fb->fd_direct >= 0)
		close(fb->fd_direct);
	fb->fd_direct = -1;
}

/* Settle size and block size from the file and the request. */
static int file_set_geometry(struct file_backend *fb, uint64_t size, uint32_t block_size)
{
	struct stat st;
	uint64_t cur;
	int ssz = 512;

	if (fstat(fb->fd_buf, &st) != 0)
		return -errno;
	fb->is_blkdev = S_ISBLK(st.st_mode);
	if (!fb->is_blkdev && !S_ISREG(st.st_mode))
		return -EINVAL;
	cur = (uint64_t)st.st_size;
	if (fb->is_blkdev &&
	    (ioctl(fb->fd_buf, BLKGETSIZE64, &cur) != 0 || ioctl(fb->fd_buf, BLKSSZGET, &ssz) != 0))
		return -errno;
	if (block_size == 0)
		block_size = (uint32_t)ssz;
	if ((block_size != 512 && block_size != 4096) || size % block_size != 0)
		return -EINVAL;
	if (size == 0)
		size = cur / block_size * block_size;
	else if (size > cur && fb->is_blkdev)
		return -EINVAL;
	else if (size > cur && ftruncate(fb->fd_buf, (off_t)size) != 0)
		return -errno;
	if (size == 0)
		return -EINVAL;
	fb->base.size = size;
	fb->base.block_size = block_size;
	return 0;
}

/* Deallocate is advertised when punching a hole works (probed past the end). */
static bool file_probe_dealloc(struct file_backend *fb)
{
	struct stat st;
	off_t end;

	if (fb->is_blkdev)
		return true;
	if (fstat(fb->fd_buf, &st) != 0)
		return false;
	end = st.st_size > (off_t)fb->base.size ? st.st_size : (off_t)fb->base.size;
	return fallocate(fb->fd_buf, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, end,
			 fb->base.block_size) == 0;
}

/* Open the buffered descriptor; *created tells whether the file is new. */
static int file_open_buf(struct file_backend *fb, uint64_t size, bool *created)
{
	int flags = O_RDWR | O_CLOEXEC;
	int rc;

	*created = false;
	if (size > 0) {
		fb->fd_buf = open(fb->path, flags | O_CREAT | O_EXCL, 0600);
		*created = fb->fd_buf >= 0;
	}
	if (fb->fd_buf < 0)
		fb->fd_buf = open(fb->path, flags);
	if (fb->fd_buf >= 0)
		return 0;
	rc = -errno;
	log_error(FILE_LOG, "file backend %s: cannot open %s: %s", fb->base.name, fb->path,
		  strerror(-rc));
	return rc;
}

static int file_open(struct file_backend *fb, uint64_t size, uint32_t block_size)
{
	bool created;
	int rc = file_open_buf(fb, size, &created);

	if (rc != 0)
		return rc;
	rc = file_set_geometry(fb, size, block_size);
	if (rc != 0) {
		log_error(FILE_LOG, "file backend %s: %s: bad size or block size (%s)",
			  fb->base.name, fb->path, strerror(-rc));
		/* Leave no empty file behind for a refused configuration. */
		if (created)
			unlink(fb->path);
		return rc;
	}
	fb->fd_direct = open(fb->path, O_RDWR | O_CLOEXEC | O_DIRECT);
	if (fb->fd_direct < 0)
		log_notice(FILE_LOG,
			   "file backend %s: %s refuses O_DIRECT (%s); using buffered I/O",
			   fb->base.name, fb->path, strerror(errno));
	file_probe_direct(fb);
	fb->base.supports_dealloc = file_probe_dealloc(fb);
	return 0;
}

int nvmf_backend_file_new(const char *name, const char *path, uint64_t size, uint32_t block_size,
			  struct nvmf_backend **b)
{
	struct file_backend *fb;
	int rc;

	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(fb->base.name) ||
	    path == NULL || path[0] == '\0')
		return -EINVAL;
	if (block_size != 0 && block_size != 512 && block_size != 4096)
		return -EINVAL;
	if (block_size != 0 && size % block_size != 0)
		return -EINVAL;
	fb = calloc(1, sizeof(*fb));
	if (fb == NULL)
		return -ENOMEM;
	fb->fd_buf = -1;
	fb->fd_direct = -1;
	fb->path = strdup(path);
	if (fb->path == NULL) {
		free(fb);
		return -ENOMEM;
	}
	fb->base.ops = &file_ops;
	fb->base.path = fb->path;
	strcpy(fb->base.name, name);
	fb->base.volatile_cache = true;
	rc = file_open(fb, size, block_size);
	if (rc != 0) {
		file_destroy(&fb->base);
		return rc;
	}
	*b = &fb->base;
	return 0;
}
