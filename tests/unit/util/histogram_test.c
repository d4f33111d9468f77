/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * histogram_test.c - the log-bucket histogram: bucket boundaries cover every
 * value once, percentiles within the documented 1/128 of the exact ones on
 * uniform, constant, two-point and exponential-like data (checked against a
 * sorted copy), min/max/mean/count, merge, and the extremes 0 and
 * UINT64_MAX / 2 and UINT64_MAX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util_histogram.h"

#define N_SAMPLES 200000

static const double g_pcts[] = {1, 10, 25, 50, 75, 90, 99, 99.9, 99.99};

static uint64_t g_rng = 0x243F6A8885A308D3ull;

static uint64_t rng(void)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return g_rng;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Exact p-th percentile of sorted @v: the smallest value with rank >= p % of n. */
static uint64_t exact_pct(const uint64_t *v, size_t n, double p)
{
	double want = p / 100.0 * (double)n;
	size_t rank = (size_t)want;

	if ((double)rank < want)
		rank++;
	if (rank == 0)
		rank = 1;
	return v[rank - 1];
}

static void assert_close(uint64_t got, uint64_t exact)
{
	uint64_t diff = got > exact ? got - exact : exact - got;

	if (exact < 128) {
		assert_int_equal(got, exact);
		return;
	}
	if (diff > exact / 128 + 1)
		fail_msg("percentile %llu, exact %llu: off by more than 1/128",
			 (unsigned long long)got, (unsigned long long)exact);
}

/* Record @v into a new histogram and compare every percentile with the exact one. */
static void check_against_sorted(uint64_t *v, size_t n)
{
	struct histogram *h = malloc(sizeof(*h));
	unsigned __int128 sum = 0;

	assert_non_null(h);
	histogram_init(h);
	for (size_t i = 0; i < n; i++) {
		histogram_record(h, v[i]);
		sum += v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	assert_int_equal(histogram_count(h), n);
	assert_int_equal(histogram_min(h), v[0]);
	assert_int_equal(histogram_max(h), v[n - 1]);
	assert_true(histogram_mean(h) == (double)sum / (double)n);
	for (size_t i = 0; i < sizeof(g_pcts) / sizeof(g_pcts[0]); i++)
		assert_close(histogram_percentile(h, g_pcts[i]), exact_pct(v, n, g_pcts[i]));
	assert_int_equal(histogram_percentile(h, 0), v[0]);
	assert_int_equal(histogram_percentile(h, 100), v[n - 1]);
	free(h);
}

static void test_buckets_tile_the_range(void **state)
{
	(void)state;
	assert_int_equal(histogram_bucket_low(0), 0);
	for (uint32_t i = 1; i < HISTOGRAM_BUCKETS; i++) {
		uint64_t lo = histogram_bucket_low(i), hi = histogram_bucket_high(i);

		assert_true(lo <= hi);
		assert_int_equal(lo, histogram_bucket_high(i - 1) + 1);
		assert_int_equal(histogram_bucket(lo), i);
		assert_int_equal(histogram_bucket(hi), i);
		/* width at most 1/64 of the smallest value in the bucket */
		if (lo >= 128)
			assert_true(hi - lo + 1 <= lo / 64);
	}
	assert_int_equal(histogram_bucket_high(HISTOGRAM_BUCKETS - 1), UINT64_MAX);
	assert_int_equal(histogram_bucket(UINT64_MAX), HISTOGRAM_BUCKETS - 1);
}

static void test_random_values_land_in_their_bucket(void **state)
{
	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng() >> (rng() % 64);
		uint32_t b = histogram_bucket(v);

		assert_true(b < HISTOGRAM_BUCKETS);
		assert_true(histogram_bucket_low(b) <= v && v <= histogram_bucket_high(b));
	}
}

static void test_empty(void **state)
{
	struct histogram h;

	(void)state;
	histogram_init(&h);
	assert_int_equal(histogram_count(&h), 0);
	assert_int_equal(histogram_min(&h), 0);
	assert_int_equal(histogram_max(&h), 0);
	assert_int_equal(histogram_percentile(&h, 50), 0);
	assert_true(histogram_mean(&h) == 0.0);
}

static void test_uniform(void **state)
{
	uint64_t *v = malloc(N_SAMPLES * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < N_SAMPLES; i++)
		v[i] = 1000 + rng() % 1000000;
	check_against_sorted(v, N_SAMPLES);
	free(v);
}

static void test_small_uniform_is_exact(void **state)
{
	uint64_t *v = malloc(N_SAMPLES * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < N_SAMPLES; i++)
		v[i] = rng() % 128;
	check_against_sorted(v, N_SAMPLES);
	free(v);
}

static void test_wide_range(void **state)
{
	uint64_t *v = malloc(N_SAMPLES * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < N_SAMPLES; i++) /* log-uniform over 1 .. 2^40 */
		v[i] = (rng() >> 24) >> (rng() % 40);
	check_against_sorted(v, N_SAMPLES);
	free(v);
}

static void test_constant(void **state)
{
	struct histogram h;
	const uint64_t c = 123456789;

	(void)state;
	histogram_init(&h);
	for (int i = 0; i < 1000; i++)
		histogram_record(&h, c);
	for (size_t i = 0; i < sizeof(g_pcts) / sizeof(g_pcts[0]); i++)
		assert_int_equal(histogram_percentile(&h, g_pcts[i]), c); /* clamped to min = max */
	assert_true(histogram_mean(&h) == (double)c);
}

static void test_two_point(void **state)
{
	struct histogram h;

	(void)state;
	histogram_init(&h);
	for (int i = 0; i < 900; i++)
		histogram_record(&h, 10000);
	for (int i = 0; i < 100; i++)
		histogram_record(&h, 5000000);
	assert_close(histogram_percentile(&h, 50), 10000);
	assert_close(histogram_percentile(&h, 90), 10000);
	assert_close(histogram_percentile(&h, 90.1), 5000000);
	assert_close(histogram_percentile(&h, 99), 5000000);
	assert_int_equal(histogram_percentile(&h, 99.99), 5000000);
	assert_int_equal(histogram_min(&h), 10000);
	assert_int_equal(histogram_max(&h), 5000000);
	assert_true(histogram_mean(&h) == (900.0 * 10000 + 100.0 * 5000000) / 1000);
}

static void test_merge(void **state)
{
	struct histogram *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)),
			 *all = malloc(sizeof(*all));

	(void)state;
	assert_true(a && b && all);
	histogram_init(a);
	histogram_init(b);
	histogram_init(all);
	for (int i = 0; i < 50000; i++) {
		uint64_t v = rng() % 100000;

		histogram_record(i % 3 ? a : b, v);
		histogram_record(all, v);
	}
	histogram_merge(a, b);
	assert_memory_equal(a, all, sizeof(*a));
	histogram_init(b);
	histogram_merge(a, b); /* merging an empty one changes nothing */
	assert_memory_equal(a, all, sizeof(*a));
	histogram_merge(b, all); /* into an empty one: a copy */
	assert_memory_equal(b, all, sizeof(*b));
	free(a);
	free(b);
	free(all);
}

static void test_extremes(void **state)
{
	struct histogram h;
	const uint64_t big = UINT64_MAX / 2;

	(void)state;
	histogram_init(&h);
	histogram_record(&h, 0);
	histogram_record(&h, big);
	histogram_record(&h, big);
	histogram_record(&h, UINT64_MAX);
	assert_int_equal(histogram_count(&h), 4);
	assert_int_equal(histogram_min(&h), 0);
	assert_int_equal(histogram_max(&h), UINT64_MAX);
	assert_int_equal(histogram_percentile(&h, 25), 0);
	assert_close(histogram_percentile(&h, 50), big);
	assert_close(histogram_percentile(&h, 75), big);
	assert_close(histogram_percentile(&h, 99), UINT64_MAX);
	/* the sum does not overflow: (2 * (2^63 - 1) + 2^64 - 1) / 4 */
	assert_true(histogram_mean(&h) > 9.2e18 && histogram_mean(&h) < 9.3e18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buckets_tile_the_range),
	    cmocka_unit_test(test_random_values_land_in_their_bucket),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_uniform),
	    cmocka_unit_test(test_small_uniform_is_exact),
	    cmocka_unit_test(test_wide_range),
	    cmocka_unit_test(test_constant),
	    cmocka_unit_test(test_two_point),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
