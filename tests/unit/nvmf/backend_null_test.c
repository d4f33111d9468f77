/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the Null backend (nvmf/backend_null.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/nvmf/backend_fixture.h"

/* A 1 TiB, 4096-byte-block backend and one channel. */
static int setup(void **state)
{
	struct nvmf_backend *b = NULL;

	if (nvmf_backend_null_new("null0", 1ull << 40, 4096, &b) != 0)
		return -1;
	return bx_setup(state, b);
}

static void test_bad_args(void **state)
{
	(void)state;
	bx_check_bad_args(nvmf_backend_null_new);
}

static void test_properties(void **state)
{
	struct bx_fixture *f = *state;

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
	struct bx_fixture *f = *state;
	struct nvmf_bchannel *a = NULL, *c = NULL;

	assert_int_equal(f->b->ops->channel_create(f->b, &a), 0);
	assert_int_equal(f->b->ops->channel_create(f->b, &c), 0);
	assert_ptr_not_equal(a, c);
	assert_int_equal(bx_run_bio(a, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	f->b->ops->channel_destroy(a);
	f->b->ops->channel_destroy(c);
}

static void test_write_then_read_zeroes(void **state)
{
	struct bx_fixture *f = *state;
	static uint8_t w[8192], r[8192 + 16];
	struct iovec wv[3] = {{w, 512}, {w + 512, 3584}, {w + 4096, 4096}};
	struct iovec rv[3] = {{r, 512}, {r + 512, 3584}, {r + 4096, 4096 + 16}};

	memset(w, 0x77, sizeof(w));
	memset(r, 0xaa, sizeof(r));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 8192, 8192, wv, 3), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 8192, 8192, rv, 3), 0);
	assert_true(bx_all_bytes(r, 8192, 0));
	/* Bytes of the iovecs beyond len are left alone. */
	assert_true(bx_all_bytes(r + 8192, 16, 0xaa));
}

static void test_other_ops(void **state)
{
	struct bx_fixture *f = *state;

	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 0, 1 << 20, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_DEALLOCATE, 4096, 1ull << 30, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 1ull << 40, 0, NULL, 0), 0);
}

static void test_refused(void **state)
{
	struct bx_fixture *f = *state;
	uint8_t r[4096];
	struct iovec rv = {r, 2048};

	memset(r, 0xaa, sizeof(r));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 4096, &rv, 1), -EINVAL);
	assert_true(bx_all_bytes(r, sizeof(r), 0xaa));
	rv.iov_len = sizeof(r);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 1ull << 40, 4096, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 512, 4096, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, 512, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, (enum nvmf_bio_op)42, 0, 4096, &rv, 1), -EOPNOTSUPP);
}

/* read_span() gives zeroes for any valid range up to 8 MiB, whatever was
 * written; longer reads go through submit(), bad ranges are refused. */
static void test_read_span(void **state)
{
	struct bx_fixture *f = *state;
	static uint8_t w[8192];
	struct iovec wv = {w, sizeof(w)};
	const void *p = NULL;

	memset(w, 0x5a, sizeof(w));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, sizeof(w), &wv, 1), 0);
	assert_int_equal(f->b->ops->read_span(f->ch, 0, sizeof(w), &p), 0);
	assert_true(bx_all_bytes(p, sizeof(w), 0));
	assert_int_equal(f->b->ops->read_span(f->ch, (1ull << 40) - (8 << 20), 8 << 20, &p), 0);
	assert_true(bx_all_bytes(p, 8 << 20, 0));
	p = NULL;
	assert_int_equal(f->b->ops->read_span(f->ch, 0, (8 << 20) + 4096, &p), -EOPNOTSUPP);
	assert_null(p);
	bx_check_span_refused(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test_setup_teardown(test_properties, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_channels, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_write_then_read_zeroes, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_other_ops, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_read_span, setup, bx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
