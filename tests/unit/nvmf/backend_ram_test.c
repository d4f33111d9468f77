/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the RAM backend (nvmf/backend_ram.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/nvmf/backend_fixture.h"

/* A 4 MiB, 512-byte-block backend and one channel. */
static int setup(void **state)
{
	struct nvmf_backend *b = NULL;

	if (nvmf_backend_ram_new("ram0", 4 << 20, 512, &b) != 0)
		return -1;
	return bx_setup(state, b);
}

static void test_bad_args(void **state)
{
	struct nvmf_backend *b = NULL;

	(void)state;
	bx_check_bad_args(nvmf_backend_ram_new);
	assert_int_equal(nvmf_backend_ram_new("r", 1000, 512, &b), -EINVAL);
	assert_int_equal(nvmf_backend_ram_new("", 4096, 512, &b), -EINVAL);
	assert_null(b);
}

static void test_properties(void **state)
{
	struct nvmf_backend *b = NULL;

	(void)state;
	assert_int_equal(nvmf_backend_ram_new("ram4k", 8 << 20, 4096, &b), 0);
	assert_string_equal(b->ops->type, "ram");
	assert_string_equal(b->name, "ram4k");
	assert_int_equal(b->size, 8 << 20);
	assert_int_equal(b->block_size, 4096);
	assert_false(b->volatile_cache);
	assert_true(b->supports_dealloc);
	assert_null(b->ops->poll);
	b->ops->destroy(b);
}

static void test_channels(void **state)
{
	struct bx_fixture *f = *state;
	struct nvmf_bchannel *a = NULL, *c = NULL;
	uint8_t w[512], r[512];
	struct iovec wv = {w, sizeof(w)}, rv = {r, sizeof(r)};

	assert_int_equal(f->b->ops->channel_create(f->b, &a), 0);
	assert_int_equal(f->b->ops->channel_create(f->b, &c), 0);
	assert_ptr_not_equal(a, c);
	assert_ptr_equal(a->backend, f->b);
	/* Data written through one channel is seen through another. */
	bx_fill(w, sizeof(w), 3);
	assert_int_equal(bx_run_bio(a, NVMF_BIO_WRITE, 512, 512, &wv, 1), 0);
	assert_int_equal(bx_run_bio(c, NVMF_BIO_READ, 512, 512, &rv, 1), 0);
	assert_memory_equal(w, r, sizeof(w));
	f->b->ops->channel_destroy(a);
	f->b->ops->channel_destroy(c);
}

static void test_write_read_segments(void **state)
{
	struct bx_fixture *f = *state;
	static uint8_t w[8192], r[8192];
	struct iovec wv[3] = {{w, 512}, {w + 512, 3584}, {w + 4096, 4096}};
	struct iovec rv[3] = {{r, 100}, {r + 100, 5000}, {r + 5100, 3092}};

	bx_fill(w, sizeof(w), 11);
	memset(r, 0xee, sizeof(r));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4096, 8192, wv, 3), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 4096, 8192, rv, 3), 0);
	assert_memory_equal(w, r, sizeof(w));
	/* Untouched space reads as zeroes. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 4096, rv, 3), 0);
	assert_true(bx_all_zero(r, 4096));
}

static void test_iov_longer_than_len(void **state)
{
	struct bx_fixture *f = *state;
	uint8_t w[2048], r[2048];
	struct iovec wv = {w, sizeof(w)}, rv = {r, sizeof(r)};

	bx_fill(w, sizeof(w), 5);
	memset(r, 0xab, sizeof(r));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, 1024, &wv, 1), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 1024, &rv, 1), 0);
	assert_memory_equal(w, r, 1024);
	/* Bytes beyond len are neither written nor read. */
	assert_int_equal(r[1024], 0xab);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 1024, 1024, &rv, 1), 0);
	assert_true(bx_all_zero(r, 1024));
}

static void test_zeroes_and_dealloc(void **state)
{
	struct bx_fixture *f = *state;
	size_t len = 2 << 20;
	uint8_t *w = malloc(len), *r = malloc(len);
	struct iovec wv = {w, len}, rv = {r, len};

	assert_non_null(w);
	assert_non_null(r);
	bx_fill(w, len, 1);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, len, &wv, 1), 0);
	/* Short range: memset. Long, page-unaligned range: madvise plus edges. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 1024, 1024, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_DEALLOCATE, 8704, 1 << 20, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, len, &rv, 1), 0);
	assert_memory_equal(r, w, 1024);
	assert_true(bx_all_zero(r + 1024, 1024));
	assert_memory_equal(r + 2048, w + 2048, 8704 - 2048);
	assert_true(bx_all_zero(r + 8704, 1 << 20));
	assert_memory_equal(r + 8704 + (1 << 20), w + 8704 + (1 << 20), len - 8704 - (1 << 20));
	/* Long page-aligned Write Zeroes. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, len, &wv, 1), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 0, len, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, len, &rv, 1), 0);
	assert_true(bx_all_zero(r, len));
	free(w);
	free(r);
}

static void test_flush_and_zero_len(void **state)
{
	struct bx_fixture *f = *state;

	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4 << 20, 0, NULL, 0), 0);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 512, 0, NULL, 0), 0);
}

static void test_refused(void **state)
{
	struct bx_fixture *f = *state;
	uint8_t w[1024], r[1024];
	struct iovec wv = {w, 512}, rv = {r, sizeof(r)};

	bx_fill(w, sizeof(w), 9);
	/* Past the end, unaligned, iovecs shorter than len: refused, no callback. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 4 << 20, 512, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, (4 << 20) - 512, 1024, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 100, 512, &rv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, 1000, &wv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 0, 1024, &wv, 1), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 0, 8 << 20, NULL, 0), -EINVAL);
	assert_int_equal(bx_run_bio(f->ch, (enum nvmf_bio_op)99, 0, 512, &rv, 1), -EOPNOTSUPP);
	/* The refused write left nothing behind. */
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_READ, 0, 1024, &rv, 1), 0);
	assert_true(bx_all_zero(r, sizeof(r)));
}

static long resident_kib(void)
{
	long pages_total = 0, pages_res = 0;
	FILE *fp = fopen("/proc/self/statm", "r");

	if (fp == NULL)
		return -1;
	if (fscanf(fp, "%ld %ld", &pages_total, &pages_res) != 2)
		pages_res = -1;
	fclose(fp);
	return pages_res < 0 ? -1 : pages_res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A 1 GiB disk costs only the pages that were written. */
static void test_large_sparse(void **state)
{
	struct nvmf_backend *b = NULL;
	struct nvmf_bchannel *ch = NULL;
	uint64_t size = 1ull << 30;
	uint8_t w[4096], r[4096];
	struct iovec wv = {w, sizeof(w)}, rv = {r, sizeof(r)};
	long before = resident_kib();

	(void)state;
	assert_true(before > 0);
	assert_int_equal(nvmf_backend_ram_new("big", size, 4096, &b), 0);
	assert_int_equal(b->ops->channel_create(b, &ch), 0);
	bx_fill(w, sizeof(w), 77);
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_WRITE, size - 4096, 4096, &wv, 1), 0);
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_READ, size - 4096, 4096, &rv, 1), 0);
	assert_memory_equal(w, r, sizeof(w));
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_READ, size / 2, 4096, &rv, 1), 0);
	assert_true(bx_all_zero(r, sizeof(r)));
	assert_true(resident_kib() - before < 64 * 1024);
	b->ops->channel_destroy(ch);
	b->ops->destroy(b);
}

/* Deallocating a long range gives its pages back. */
static void test_dealloc_releases_memory(void **state)
{
	struct nvmf_backend *b = NULL;
	struct nvmf_bchannel *ch = NULL;
	size_t len = 32 << 20;
	uint8_t *w = malloc(len);
	struct iovec wv = {w, len};
	long written, freed;

	(void)state;
	assert_non_null(w);
	memset(w, 0x5a, len);
	assert_int_equal(nvmf_backend_ram_new("rel", len, 4096, &b), 0);
	assert_int_equal(b->ops->channel_create(b, &ch), 0);
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_WRITE, 0, len, &wv, 1), 0);
	written = resident_kib();
	assert_int_equal(bx_run_bio(ch, NVMF_BIO_DEALLOCATE, 0, len, NULL, 0), 0);
	freed = resident_kib();
	assert_true(written - freed > 24 * 1024);
	free(w);
	b->ops->channel_destroy(ch);
	b->ops->destroy(b);
}

/* read_span() points into the store: it shows what was written, later
 * writes and zeroing included, and refuses ranges the store does not hold. */
static void test_read_span(void **state)
{
	struct bx_fixture *f = *state;
	uint8_t w[8192];
	struct iovec wv = {w, sizeof(w)};
	const void *p = NULL, *q = NULL;

	bx_fill(w, sizeof(w), 9);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4096, sizeof(w), &wv, 1), 0);
	assert_int_equal(f->b->ops->read_span(f->ch, 4096, sizeof(w), &p), 0);
	assert_memory_equal(p, w, sizeof(w));
	assert_int_equal(f->b->ops->read_span(f->ch, 4608, 512, &q), 0);
	assert_ptr_equal(q, (const uint8_t *)p + 512);
	bx_fill(w, sizeof(w), 10);
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE, 4096, sizeof(w), &wv, 1), 0);
	assert_memory_equal(p, w, sizeof(w));
	assert_int_equal(bx_run_bio(f->ch, NVMF_BIO_WRITE_ZEROES, 4096, 512, NULL, 0), 0);
	assert_true(bx_all_zero(p, 512));
	/* Never written: zeroes. The whole store, and not a byte more. */
	assert_int_equal(f->b->ops->read_span(f->ch, 0, 4 << 20, &q), 0);
	assert_true(bx_all_zero(q, 4096));
	bx_check_span_refused(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_properties),
	    cmocka_unit_test_setup_teardown(test_channels, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_write_read_segments, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_iov_longer_than_len, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_zeroes_and_dealloc, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_flush_and_zero_len, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, bx_teardown),
	    cmocka_unit_test_setup_teardown(test_read_span, setup, bx_teardown),
	    cmocka_unit_test(test_large_sparse),
	    cmocka_unit_test(test_dealloc_releases_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
