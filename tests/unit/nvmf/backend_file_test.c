/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the File backend (nvmf/backend_file.c), on a real file in
 * /var/tmp (a disk file system with O_DIRECT) and in /dev/shm (tmpfs).
 * open() is interposed so a test can make O_DIRECT fail; RLIMIT_FSIZE
 * injects write errors (EFBIG) from inside the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/nvmf/backend_fixture.h"

#define MIB (1u << 20)

/* ------------------------------------------------------------ open() seam */

static bool refuse_direct;

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (refuse_direct && (flags & O_DIRECT)) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* -------------------------------------------------------------- helpers */

struct fixture {
	const char *base; /* parent directory */
	char dir[128];
	char path[160];
	struct nvmf_backend *b;
	struct nvmf_bchannel *ch;
};

static uint8_t *aligned_buf(size_t len)
{
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, 4096, len), 0);
	return p;
}

/* Count this process's descriptors on @path, and those with O_DIRECT. */
static void count_fds(const char *path, int *all, int *direct)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char link[300], target[256], info[300], line[128];

	*all = *direct = 0;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		ssize_t n;
		FILE *fp;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) != 0)
			continue;
		(*all)++;
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%s", de->d_name);
		fp = fopen(info, "r");
		assert_non_null(fp);
		while (fgets(line, sizeof(line), fp) != NULL) {
			unsigned long flags;

			if (sscanf(line, "flags: %lo", &flags) == 1 && (flags & O_DIRECT))
				(*direct)++;
		}
		fclose(fp);
	}
	closedir(d);
}

static int setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->base = *state;
	snprintf(f->dir, sizeof(f->dir), "%s/nvmf_file_test.XXXXXX", f->base);
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/disk.img", f->dir);
	*state = f;
	return 0;
}

/* A 4 MiB, 512-byte-block backend and one channel. */
static int setup(void **state)
{
	struct fixture *f;

	if (setup_dir(state) != 0)
		return -1;
	f = *state;
	if (nvmf_backend_file_new("file0", f->path, 4 * MIB, 512, &f->b) != 0)
		return -1;
	return f->b->ops->channel_create(f->b, &f->ch);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ch != NULL)
		f->b->ops->channel_destroy(f->ch);
	if (f->b != NULL)
		f->b->ops->destroy(f->b);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_bad_args(void **state)
{
	struct fixture *f = *state;
	struct nvmf_backend *b = NULL;
	int fd;

	assert_int_equal(nvmf_backend_file_new("f", f->path, MIB, 1000, &b), -EINVAL);
	assert_int_equal(nvmf_backend_file_new("f", f->path, 4096 + 512, 4096, &b), -EINVAL);
	assert_int_equal(nvmf_backend_file_new("f", f->path, 1000, 512, &b), -EINVAL);
	/* Size checked against the block size of the file: the new file is removed. */
	assert_int_equal(nvmf_backend_file_new("f", f->path, 1000, 0, &b), -EINVAL);
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(nvmf_backend_file_new(NULL, f->path, MIB, 512, &b), -EINVAL);
	assert_int_equal(nvmf_backend_file_new("f", NULL, MIB, 512, &b), -EINVAL);
	assert_int_equal(nvmf_backend_file_new("f", f->dir, 0, 512, &b), -EISDIR);
	assert_int_equal(nvmf_backend_file_new("f", "/dev/null", 0, 512, &b), -EINVAL);
	/* Size 0 keeps the size of an existing file; it does not create one. */
	assert_int_equal(nvmf_backend_file_new("f", f->path, 0, 512, &b), -ENOENT);
	fd = open(f->path, O_CREAT | O_RDWR, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(nvmf_backend_file_new("f", f->path, 0, 512, &b), -EINVAL);
	assert_null(b);
}

static void test_create_and_reopen(void **state)
{
	struct fixture *f = *state;
	struct nvmf_backend *b = NULL;
	struct stat st;
	uint8_t *w = aligned_buf(8192), *r = aligned_buf(8192);
	struct iovec wv = {w, 8192}, rv = {r, 8192};
	int fd;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 4 * MIB);
	assert_string_equal(f->b->ops->type, "file");
	assert_int_equal(f->b->size, 4 * MIB);
	assert_int_equal(f->b->block_size, 512);
	assert_true(f->b->volatile_cache);
	assert_non_null(f->b->ops->poll);
	/* Durability round trip: write, flush, close, reopen with size 0. */
	bx_fill(w, 8192, 21);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4 * MIB - 8192, 8192, &wv, 1), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	f->b->ops->channel_destroy(f->ch);
	f->b->ops->destroy(f->b);
	f->ch = NULL;
	f->b = NULL;
	assert_int_equal(nvmf_backend_file_new("again", f->path, 0, 0, &b), 0);
	f->b = b;
	assert_int_equal(b->size, 4 * MIB);
	assert_int_equal(b->block_size, 512);
	assert_int_equal(b->ops->channel_create(b, &f->ch), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 4 * MIB - 8192, 8192, &rv, 1), 0);
	assert_memory_equal(w, r, 8192);
	/* A larger size extends the file; an odd tail is ignored with size 0. */
	f->b->ops->channel_destroy(f->ch);
	f->b->ops->destroy(f->b);
	f->ch = NULL;
	f->b = NULL;
	assert_int_equal(nvmf_backend_file_new("big", f->path, 8 * MIB, 4096, &b), 0);
	assert_int_equal(b->size, 8 * MIB);
	b->ops->destroy(b);
	fd = open(f->path, O_RDWR);
	assert_int_equal(ftruncate(fd, 8 * MIB + 1000), 0);
	close(fd);
	assert_int_equal(nvmf_backend_file_new("odd", f->path, 0, 4096, &b), 0);
	assert_int_equal(b->size, 8 * MIB);
	f->b = b;
	free(w);
	free(r);
}

static void test_write_read_segments(void **state)
{
	struct fixture *f = *state;
	uint8_t *w = aligned_buf(8192), *r = aligned_buf(8192);
	struct iovec wv[3] = {{w, 512}, {w + 512, 3584}, {w + 4096, 4096}};
	struct iovec rv[2] = {{r, 4096}, {r + 4096, 8192}};
	int fd;

	bx_fill(w, 8192, 3);
	memset(r, 0xee, 8192);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4096, 8192, wv, 3), 0);
	/* The second read iovec is longer than needed: only len bytes move. */
	rv[1].iov_len = 4096;
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 4096, 8192, rv, 2), 0);
	assert_memory_equal(w, r, 8192);
	/* The bytes are really in the file, at the right place. */
	fd = open(f->path, O_RDONLY);
	assert_int_equal(pread(fd, r, 8192, 4096), 8192);
	close(fd);
	assert_memory_equal(w, r, 8192);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 4096, rv, 1), 0);
	assert_true(bx_all_zero(r, 4096));
	free(w);
	free(r);
}

/* Iovecs not aligned in memory or length still work next to O_DIRECT. */
static void test_misaligned_iovecs(void **state)
{
	struct fixture *f = *state;
	uint8_t *w = aligned_buf(16384), *r = aligned_buf(16384);
	struct iovec wv[3] = {{w + 3, 700}, {w + 703, 3000}, {w + 3703, 4489 + 3}};
	struct iovec rv[2] = {{r + 1, 5000}, {r + 5001, 3192}};
	int all, direct;

	count_fds(f->path, &all, &direct);
	assert_int_equal(all, 1 + direct);
	if (strcmp(f->base, "/var/tmp") == 0)
		assert_int_equal(direct, 1);
	bx_fill(w, 16384, 8);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 65536, 8192, wv, 3), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 65536, 8192, rv, 2), 0);
	assert_memory_equal(w + 3, r + 1, 8192);
	/* Read back aligned, through the direct descriptor. */
	rv[0].iov_base = r;
	rv[0].iov_len = 8192;
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 65536, 8192, rv, 1), 0);
	assert_memory_equal(w + 3, r, 8192);
	free(w);
	free(r);
}

/* More iovecs than a request slot holds inline. */
static void test_many_iovecs(void **state)
{
	struct fixture *f = *state;
	enum { N = 40 };
	uint8_t *w = aligned_buf(N * 512), *r = aligned_buf(N * 512);
	struct iovec wv[N], rv[N];
	int i;

	for (i = 0; i < N; i++) {
		wv[i] = (struct iovec){w + (N - 1 - i) * 512, 512};
		rv[i] = (struct iovec){r + (N - 1 - i) * 512, 512};
	}
	bx_fill(w, N * 512, 99);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, N * 512, wv, N), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, N * 512, rv, N), 0);
	assert_memory_equal(w, r, N * 512);
	free(w);
	free(r);
}

static void test_zeroes_dealloc_flush_fua(void **state)
{
	struct fixture *f = *state;
	size_t len = MIB;
	uint8_t *w = aligned_buf(len), *r = aligned_buf(len);
	struct iovec wv = {w, len}, rv = {r, len};
	int fd;

	bx_fill(w, len, 4);
	assert_int_equal(bx_run_bio_fua(f->ch, NVMF_BIO_WRITE, 0, len, &wv, 1, true), 0);
	fd = open(f->path, O_RDONLY);
	assert_int_equal(pread(fd, r, len, 0), (ssize_t)len);
	close(fd);
	assert_memory_equal(w, r, len);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 512, 1536, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_DEALLOCATE, 65536, 131072, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_DEALLOCATE, 300 * 1024, 512, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, len, &rv, 1), 0);
	assert_memory_equal(r, w, 512);
	assert_true(bx_all_zero(r + 512, 1536));
	assert_memory_equal(r + 2048, w + 2048, 65536 - 2048);
	assert_true(bx_all_zero(r + 65536, 131072));
	assert_memory_equal(r + 196608, w + 196608, 300 * 1024 - 196608);
	assert_true(bx_all_zero(r + 300 * 1024, 512));
	assert_memory_equal(r + 300 * 1024 + 512, w + 300 * 1024 + 512, len - 300 * 1024 - 512);
	assert_true(f->b->supports_dealloc);
	free(w);
	free(r);
}

static void test_zero_len_and_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *r = aligned_buf(4096);
	struct iovec rv = {r, 2048};

	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4 * MIB, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 4096, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 4 * MIB, 512, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 100, 512, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, (enum nvmf_bio_op)7, 0, 512, &rv, 1), -EOPNOTSUPP);
	free(r);
}

/* 128 slots per channel: the 129th submit gets -EAGAIN until a poll frees one. */
static void test_ring_full(void **state)
{
	struct fixture *f = *state;
	enum { N = 128 };
	uint8_t *buf = aligned_buf(N * 512), *expect = aligned_buf(N * 512);
	struct iovec iov[N];
	struct nvmf_bio bios[N + 1];
	struct bx_done d = {0, 0};
	int i;

	bx_fill(buf, N * 512, 1);
	memcpy(expect, buf, N * 512);
	for (i = 0; i < N; i++) {
		iov[i] = (struct iovec){buf + i * 512, 512};
		bx_bio_init(&bios[i], &d, NVMF_BIO_WRITE, (uint64_t)i * 512, 512, &iov[i], 1);
		assert_int_equal(f->b->ops->submit(f->ch, &bios[i]), 0);
	}
	bx_bio_init(&bios[N], &d, NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(f->b->ops->submit(f->ch, &bios[N]), -EAGAIN);
	assert_int_equal(f->b->ops->submit(f->ch, &bios[0]), -EAGAIN);
	assert_int_equal(d.count, 0);
	bx_wait_for(f->ch, &d, N);
	assert_int_equal(d.status, 0);
	assert_int_equal(f->b->ops->submit(f->ch, &bios[N]), 0);
	bx_wait_for(f->ch, &d, N + 1);
	assert_int_equal(d.status, 0);
	memset(buf, 0, N * 512);
	assert_int_equal(
	    bx_run_bio(f->ch, NVMF_BIO_READ, 0, N * 512, &(struct iovec){buf, N * 512}, 1), 0);
	assert_memory_equal(buf, expect, N * 512);
	free(buf);
	free(expect);
}

/* Destroying a channel with I/O in flight waits for it and runs the callbacks. */
static void test_destroy_with_inflight(void **state)
{
	struct fixture *f = *state;
	uint8_t *buf = aligned_buf(4096);
	struct iovec iov = {buf, 4096};
	struct nvmf_bio bio[4];
	struct bx_done d = {0, 1};
	int i;

	memset(buf, 0x3c, 4096);
	for (i = 0; i < 4; i++) {
		bx_bio_init(&bio[i], &d, NVMF_BIO_WRITE, (uint64_t)i * 4096, 4096, &iov, 1);
		assert_int_equal(f->b->ops->submit(f->ch, &bio[i]), 0);
	}
	f->b->ops->channel_destroy(f->ch);
	f->ch = NULL;
	assert_int_equal(d.count, 4);
	assert_int_equal(d.status, 0);
	free(buf);
}

/* The file shrank behind the backend: a read past its end returns zeroes. */
static void test_short_read_past_eof(void **state)
{
	struct fixture *f = *state;
	uint8_t *w = aligned_buf(8192), *r = aligned_buf(8192);
	struct iovec wv = {w, 8192}, rv = {r, 8192};
	int fd;

	bx_fill(w, 8192, 6);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 2 * MIB, 8192, &wv, 1), 0);
	fd = open(f->path, O_RDWR);
	assert_int_equal(ftruncate(fd, 2 * MIB + 4096), 0);
	close(fd);
	memset(r, 0xee, 8192);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 2 * MIB, 8192, &rv, 1), 0);
	assert_memory_equal(r, w, 4096);
	assert_true(bx_all_zero(r + 4096, 4096));
	/* Misaligned (buffered) read across the end too. */
	rv.iov_base = r + 1;
	memset(r, 0xee, 8192);
	rv.iov_len = 7680;
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 2 * MIB + 512, 7680, &rv, 1), 0);
	assert_memory_equal(r + 1, w + 512, 3584);
	assert_true(bx_all_zero(r + 1 + 3584, 4096));
	free(w);
	free(r);
}

/* Writes past RLIMIT_FSIZE fail in the kernel (EFBIG): errors reach the callback. */
static void test_write_error(void **state)
{
	struct fixture *f = *state;
	uint8_t *w = aligned_buf(8192);
	struct iovec wv = {w, 8192};
	struct rlimit old, lim;
	void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);

	bx_fill(w, 8192, 2);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 65536;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	/* Wholly beyond the limit, aligned and misaligned. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, MIB, 8192, &wv, 1), -EFBIG);
	wv.iov_base = w + 1;
	wv.iov_len = 4096;
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, MIB, 4096, &wv, 1), -EFBIG);
	/* Across the limit: the first half lands, the write still fails. */
	wv.iov_base = w;
	wv.iov_len = 8192;
	assert_int_equal(bx_run_bio_fua(f->ch, NVMF_BIO_WRITE, 61440, 8192, &wv, 1, true), -EFBIG);
	/* Reads are not limited. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, MIB, 8192, &wv, 1), 0);
	assert_true(bx_all_zero(w, 8192));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_sig);
	free(w);
}

/* When O_DIRECT is refused the backend logs a notice naming the path and goes buffered. */
static void test_direct_refused(void **state)
{
	struct fixture *f = *state;
	struct nvmf_backend *b = NULL;
	struct nvmf_bchannel *ch = NULL;
	char log_path[200], path[200], text[1024];
	uint8_t *w = aligned_buf(4096), *r = aligned_buf(4096);
	struct iovec wv = {w, 4096}, rv = {r, 4096};
	int saved, lfd, all, direct;
	ssize_t n;

	snprintf(log_path, sizeof(log_path), "%s/log.txt", f->dir);
	snprintf(path, sizeof(path), "%s/nodirect.img", f->dir);
	lfd = open(log_path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	assert_true(lfd >= 0);
	saved = dup(2);
	dup2(lfd, 2);
	refuse_direct = true;
	assert_int_equal(nvmf_backend_file_new("nodirect", path, MIB, 512, &b), 0);
	refuse_direct = false;
	dup2(saved, 2);
	close(saved);
	n = pread(lfd, text, sizeof(text) - 1, 0);
	close(lfd);
	unlink(log_path);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, path));
	assert_non_null(strstr(text, "O_DIRECT"));
	count_fds(path, &all, &direct);
	assert_int_equal(all, 1);
	assert_int_equal(direct, 0);
	assert_int_equal(b->ops->channel_create(b, &ch), 0);
	bx_fill(w, 4096, 12);
	assert_int_equal(bx_run_bio_fua(ch, NVMF_BIO_WRITE, 8192, 4096, &wv, 1, true), 0);
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_READ, 8192, 4096, &rv, 1), 0);
	assert_memory_equal(w, r, 4096);
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	b->ops->channel_destroy(ch);
	b->ops->destroy(b);
	unlink(path);
	free(w);
	free(r);
}

static void test_two_channels(void **state)
{
	struct fixture *f = *state;
	struct nvmf_bchannel *other = NULL;
	uint8_t *w = aligned_buf(4096), *r = aligned_buf(4096);
	struct iovec wv = {w, 4096}, rv = {r, 4096};

	assert_int_equal(f->b->ops->channel_create(f->b, &other), 0);
	assert_ptr_not_equal(other, f->ch);
	bx_fill(w, 4096, 31);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 12288, 4096, &wv, 1), 0);
	assert_int_equal(bx_run_bio(other, NVMF_BIO_READ, 12288, 4096, &rv, 1), 0);
	assert_memory_equal(w, r, 4096);
	assert_int_equal(f->b->ops->poll(other), 0);
	f->b->ops->channel_destroy(other);
	free(w);
	free(r);
}

#define FILE_TEST(fn, base) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (base))

int main(void)
{
	static char var_tmp[] = "/var/tmp", dev_shm[] = "/dev/shm";
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_prestate_setup_teardown(test_bad_args, setup_dir, teardown, var_tmp),
	    FILE_TEST(test_create_and_reopen, var_tmp),
	    FILE_TEST(test_create_and_reopen, dev_shm),
	    FILE_TEST(test_write_read_segments, var_tmp),
	    FILE_TEST(test_write_read_segments, dev_shm),
	    FILE_TEST(test_misaligned_iovecs, var_tmp),
	    FILE_TEST(test_misaligned_iovecs, dev_shm),
	    FILE_TEST(test_many_iovecs, var_tmp),
	    FILE_TEST(test_zeroes_dealloc_flush_fua, var_tmp),
	    FILE_TEST(test_zeroes_dealloc_flush_fua, dev_shm),
	    FILE_TEST(test_zero_len_and_refused, var_tmp),
	    FILE_TEST(test_ring_full, var_tmp),
	    FILE_TEST(test_destroy_with_inflight, var_tmp),
	    FILE_TEST(test_short_read_past_eof, var_tmp),
	    FILE_TEST(test_short_read_past_eof, dev_shm),
	    FILE_TEST(test_write_error, var_tmp),
	    FILE_TEST(test_write_error, dev_shm),
	    FILE_TEST(test_direct_refused, var_tmp),
	    FILE_TEST(test_two_channels, dev_shm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
