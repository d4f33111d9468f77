/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the Null backend (nvmf/backend_null.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvmf/backend.h"

struct done {
	int count;
	int status;
};

static void on_done(struct nvmf_bio *bio, int status)
{
	struct done *d = bio->cb_arg;

	d->count++;
	d->status = status;
}

/* Submit one bio and require that it completed inside submit(). */
static int run_bio(struct nvmf_bchannel *ch, enum nvmf_bio_op op, uint64_t off, uint64_t len,
		   const struct iovec *iov, uint32_t iovcnt)
{
	struct done d = {0, 1};
	struct nvmf_bio bio = {.op = op, .offset = off, .len = len, .iov = iov, .iovcnt = iovcnt};
	int rc;

	bio.cb = on_done;
	bio.cb_arg = &d;
	rc = ch->backend->ops->submit(ch, &bio);
	if (rc != 0) {
		assert_int_equal(d.count, 0);
		return rc;
	}
	assert_int_equal(d.count, 1);
	return d.status;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

struct fixture {
	struct nvmf_backend *b;
	struct nvmf_bchannel *ch;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || nvmf_backend_null_new("null0", 1ull << 40, 4096, &f->b) != 0)
		return -1;
	if (f->b->ops->channel_create(f->b, &f->ch) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->b->ops->channel_destroy(f->ch);
	f->b->ops->destroy(f->b);
	free(f);
	return 0;
}

static void test_bad_args(void **state)
{
	struct nvmf_backend *b = NULL;
	char long_name[80];

	(void)state;
	assert_int_equal(nvmf_backend_null_new("n", 1 << 20, 1000, &b), -EINVAL);
	assert_int_equal(nvmf_backend_null_new("n", 1 << 20, 0, &b), -EINVAL);
	assert_int_equal(nvmf_backend_null_new("n", 4096 + 512, 4096, &b), -EINVAL);
	assert_int_equal(nvmf_backend_null_new("n", 0, 512, &b), -EINVAL);
	assert_int_equal(nvmf_backend_null_new(NULL, 4096, 512, &b), -EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(nvmf_backend_null_new(long_name, 4096, 512, &b), -EINVAL);
	assert_null(b);
}

static void test_properties(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->b->ops->type, "null");
	assert_string_equal(f->b->name, "null0");
	assert_int_equal(f->b->size, 1ull << 40);
	assert_int_equal(f->b->block_size, 4096);
	assert_false(f->b->volatile_cache);
	assert_true(f->b->supports_dealloc);
	assert_null(f->b->ops->poll);
	assert_ptr_equal(f->ch->backend, f->b);
}

static void test_channels(void **state)
{
	struct fixture *f = *state;
	struct nvmf_bchannel *a = NULL, *c = NULL;

	assert_int_equal(f->b->ops->channel_create(f->b, &a), 0);
	assert_int_equal(f->b->ops->channel_create(f->b, &c), 0);
	assert_ptr_not_equal(a, c);
	assert_int_equal(run_bio(a, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	f->b->ops->channel_destroy(a);
	f->b->ops->channel_destroy(c);
}

static void test_write_then_read_zeroes(void **state)
{
	struct fixture *f = *state;
	static uint8_t w[8192], r[8192 + 16];
	struct iovec wv[3] = {{w, 512}, {w + 512, 3584}, {w + 4096, 4096}};
	struct iovec rv[3] = {{r, 512}, {r + 512, 3584}, {r + 4096, 4096 + 16}};

	memset(w, 0x77, sizeof(w));
	memset(r, 0xaa, sizeof(r));
	assert_int_equal(run_bio(f->ch, NVMF_BIO_WRITE, 8192, 8192, wv, 3), 0);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_READ, 8192, 8192, rv, 3), 0);
	assert_true(all_bytes(r, 8192, 0));
	/* Bytes of the iovecs beyond len are left alone. */
	assert_true(all_bytes(r + 8192, 16, 0xaa));
}

static void test_other_ops(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_bio(f->ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 0, 1 << 20, NULL, 0), 0);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_DEALLOCATE, 4096, 1ull << 30, NULL, 0), 0);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_READ, 0, 0, NULL, 0), 0);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_WRITE, 1ull << 40, 0, NULL, 0), 0);
}

static void test_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t r[4096];
	struct iovec rv = {r, 2048};

	memset(r, 0xaa, sizeof(r));
	assert_int_equal(run_bio(f->ch, NVMF_BIO_READ, 0, 4096, &rv, 1), -EINVAL);
	assert_true(all_bytes(r, sizeof(r), 0xaa));
	rv.iov_len = sizeof(r);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_READ, 1ull << 40, 4096, &rv, 1), -EINVAL);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_READ, 512, 4096, &rv, 1), -EINVAL);
	assert_int_equal(run_bio(f->ch, NVMF_BIO_WRITE, 0, 512, &rv, 1), -EINVAL);
	assert_int_equal(run_bio(f->ch, (enum nvmf_bio_op)42, 0, 4096, &rv, 1), -EOPNOTSUPP);
}

/* read_span() gives zeroes for any valid range up to 8 MiB, whatever was
 * written; longer reads go through submit(), bad ranges are refused. */
static void test_read_span(void **state)
{
	struct fixture *f = *state;
	static uint8_t w[8192];
	struct iovec wv = {w, sizeof(w)};
	const void *p = NULL;

	memset(w, 0x5a, sizeof(w));
	assert_int_equal(run_bio(f->ch, NVMF_BIO_WRITE, 0, sizeof(w), &wv, 1), 0);
	assert_int_equal(f->b->ops->read_span(f->ch, 0, sizeof(w), &p), 0);
	assert_true(all_bytes(p, sizeof(w), 0));
	assert_int_equal(f->b->ops->read_span(f->ch, (1ull << 40) - (8 << 20), 8 << 20, &p), 0);
	assert_true(all_bytes(p, 8 << 20, 0));
	p = NULL;
	assert_int_equal(f->b->ops->read_span(f->ch, 0, (8 << 20) + 4096, &p), -EOPNOTSUPP);
	assert_int_equal(f->b->ops->read_span(f->ch, 1ull << 40, 4096, &p), -EINVAL);
	assert_int_equal(f->b->ops->read_span(f->ch, 512, 4096, &p), -EINVAL);
	assert_int_equal(f->b->ops->read_span(f->ch, 0, 512, &p), -EINVAL);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test_setup_teardown(test_properties, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_channels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_then_read_zeroes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_ops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_span, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
