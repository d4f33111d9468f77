/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_fixture.h - shared helpers of the backend unit tests (header only):
 * running one bio to completion, byte patterns, and a fixture of one
 * backend with one channel.
 *
 * A backend with no poll() op must complete a bio inside submit(); one with
 * poll() is polled until the bio completes (at most 10 s).
 */
#ifndef NVMF_TEST_BACKEND_FIXTURE_H
#define NVMF_TEST_BACKEND_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "nvmf/backend.h"

#define BX_UNUSED __attribute__((unused))

/** Completions a bio got, and the status of the last one. */
struct bx_done {
	int count;
	int status;
};

static BX_UNUSED void bx_on_done(struct nvmf_bio *bio, int status)
{
	struct bx_done *d = bio->cb_arg;

	d->count++;
	d->status = status;
}

/* Poll @ch until @d has @want completions; fails after 10 s. */
static BX_UNUSED void bx_wait_for(struct nvmf_bchannel *ch, struct bx_done *d, int want)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (d->count < want) {
		ch->backend->ops->poll(ch);
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_true(t.tv_sec - t0.tv_sec < 10);
	}
	assert_int_equal(d->count, want);
}

/** A bio of @op on [@off, @off + @len) with data @iov, completing into @d. */
static BX_UNUSED void bx_bio_init(struct nvmf_bio *bio, struct bx_done *d, enum nvmf_bio_op op,
				  uint64_t off, uint64_t len, const struct iovec *iov,
				  uint32_t iovcnt)
{
	memset(bio, 0, sizeof(*bio));
	bio->op = op;
	bio->offset = off;
	bio->len = len;
	bio->iov = iov;
	bio->iovcnt = iovcnt;
	bio->cb = bx_on_done;
	bio->cb_arg = d;
}

/*
 * Submit one bio and see it complete exactly once (a refused one: never).
 * @return its status, or submit()'s error.
 */
static BX_UNUSED int bx_run_bio_fua(struct nvmf_bchannel *ch, enum nvmf_bio_op op, uint64_t off,
				    uint64_t len, const struct iovec *iov, uint32_t iovcnt,
				    bool fua)
{
	struct bx_done d = {0, 1};
	struct nvmf_bio bio;
	int rc;

	bx_bio_init(&bio, &d, op, off, len, iov, iovcnt);
	bio.fua = fua;
	rc = ch->backend->ops->submit(ch, &bio);
	if (rc != 0) {
		assert_int_equal(d.count, 0);
		return rc;
	}
	if (ch->backend->ops->poll == NULL)
		assert_int_equal(d.count, 1);
	else
		bx_wait_for(ch, &d, 1);
	return d.status;
}

static BX_UNUSED int bx_run_bio(struct nvmf_bchannel *ch, enum nvmf_bio_op op, uint64_t off,
				uint64_t len, const struct iovec *iov, uint32_t iovcnt)
{
	return bx_run_bio_fua(ch, op, off, len, iov, iovcnt, false);
}

/** A pattern that differs per @seed and per 512-byte block. */
static BX_UNUSED void bx_fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

/** True when all @len bytes at @p are @v. */
static BX_UNUSED bool bx_all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static BX_UNUSED bool bx_all_zero(const uint8_t *p, size_t len)
{
	return bx_all_bytes(p, len, 0);
}

/** The constructor of a backend that has a name, a size and a block size. */
typedef int (*bx_new_fn)(const char *name, uint64_t size, uint32_t block_size,
			 struct nvmf_backend **b);

/*
 * What such a backend refuses with -EINVAL, creating nothing: block sizes
 * other than 512 and 4096, a size of zero or not whole blocks, no name, a
 * name too long.
 */
static BX_UNUSED void bx_check_bad_args(bx_new_fn new_fn)
{
	struct nvmf_backend *b = NULL;
	char long_name[80];

	assert_int_equal(new_fn("x", 1 << 20, 1000, &b), -EINVAL);
	assert_int_equal(new_fn("x", 1 << 20, 0, &b), -EINVAL);
	assert_int_equal(new_fn("x", 4096 + 512, 4096, &b), -EINVAL);
	assert_int_equal(new_fn("x", 0, 512, &b), -EINVAL);
	assert_int_equal(new_fn(NULL, 4096, 512, &b), -EINVAL);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(new_fn(long_name, 4096, 512, &b), -EINVAL);
	assert_null(b);
}

/** One backend and one channel on it. */
struct bx_fixture {
	struct nvmf_backend *b;
	struct nvmf_bchannel *ch;
};

/*
 * cmocka set-up body: a new fixture in *@state holding @b, just created,
 * and a channel on it. @return 0, or -1 (@b is destroyed).
 */
static BX_UNUSED int bx_setup(void **state, struct nvmf_backend *b)
{
	struct bx_fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || b->ops->channel_create(b, &f->ch) != 0) {
		b->ops->destroy(b);
		free(f);
		return -1;
	}
	f->b = b;
	*state = f;
	return 0;
}

/*
 * read_span() of @f refuses any range that is not whole blocks inside the
 * backend (past the end, over the end, an offset or a length off block
 * boundaries) with -EINVAL, and leaves *data alone.
 */
static BX_UNUSED void bx_check_span_refused(const struct bx_fixture *f)
{
	uint64_t bs = f->b->block_size, size = f->b->size;
	const void *p = NULL;

	assert_int_equal(f->b->ops->read_span(f->ch, size, bs, &p), -EINVAL);
	assert_int_equal(f->b->ops->read_span(f->ch, bs, size, &p), -EINVAL);
	assert_int_equal(f->b->ops->read_span(f->ch, bs / 8, bs, &p), -EINVAL);
	assert_int_equal(f->b->ops->read_span(f->ch, 0, bs / 8, &p), -EINVAL);
	assert_null(p);
}

static BX_UNUSED int bx_teardown(void **state)
{
	struct bx_fixture *f = *state;

	f->b->ops->channel_destroy(f->ch);
	f->b->ops->destroy(f->b);
	free(f);
	return 0;
}

#endif /* NVMF_TEST_BACKEND_FIXTURE_H */
