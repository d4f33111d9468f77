/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_histogram.h - a fixed-size log-bucket histogram of uint64_t values
 * (latencies in ticks or nanoseconds), in the style of HDR histograms.
 *
 * Layout: values below 2 * HISTOGRAM_SUB_COUNT (128) each have their own
 * bucket; above that, every power of two [2^k, 2^(k+1)) is cut into
 * HISTOGRAM_SUB_COUNT / 2 (64) equal sub-buckets. A bucket's width is thus
 * at most 1/64 of any value in it. A percentile is reported as the middle of
 * the bucket that holds the exact percentile, so within 1/128 (0.8 %) of it
 * (values below 128 exactly). Recording is a count-leading-zeros,
 * a shift and an increment: no allocation, no sorting of samples.
 *
 * Memory: one struct histogram (about 30 KiB), whatever the number of values.
 *
 * Thread safety: none; a histogram belongs to one thread at a time. Merge
 * per-thread histograms after the threads are done.
 */
#ifndef NVMF_TGT_UTIL_HISTOGRAM_H
#define NVMF_TGT_UTIL_HISTOGRAM_H

#include <stdint.h>

/** log2 of the linear sub-buckets per power of two (times 2). */
#define HISTOGRAM_SUB_BITS 6
#define HISTOGRAM_SUB_COUNT (1u << HISTOGRAM_SUB_BITS)
/** Number of buckets: enough for every uint64_t value. */
#define HISTOGRAM_BUCKETS ((64u - HISTOGRAM_SUB_BITS + 1u) * HISTOGRAM_SUB_COUNT)

struct histogram {
	uint64_t count;        /**< values recorded */
	uint64_t min;          /**< smallest value (UINT64_MAX when empty) */
	uint64_t max;          /**< largest value (0 when empty) */
	unsigned __int128 sum; /**< exact sum, for the mean */
	uint64_t buckets[HISTOGRAM_BUCKETS];
};

/** Empty @h. */
void histogram_init(struct histogram *h);

/** Bucket index of @v (exported for tests). */
static inline uint32_t histogram_bucket(uint64_t v)
{
	uint32_t msb, shift;

	if (v < 2 * HISTOGRAM_SUB_COUNT)
		return (uint32_t)v;
	msb = 63u - (uint32_t)__builtin_clzll(v);
	shift = msb - HISTOGRAM_SUB_BITS;
	return shift * HISTOGRAM_SUB_COUNT + (uint32_t)(v >> shift);
}

/** Record one value @v. Inline: this is the hot path. */
static inline void histogram_record(struct histogram *h, uint64_t v)
{
	h->buckets[histogram_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/** Smallest and largest value bucket @idx holds (@idx < HISTOGRAM_BUCKETS). */
uint64_t histogram_bucket_low(uint32_t idx);
uint64_t histogram_bucket_high(uint32_t idx);

/** Add every value of @src into @dst. */
void histogram_merge(struct histogram *dst, const struct histogram *src);

/**
 * The @p-th percentile (0 <= p <= 100): a value v such that at least p % of
 * the values are <= v, taken as the middle of the bucket holding it and
 * clamped to [min, max]. p <= 0 gives min, p >= 100 gives max.
 * @return the value, or 0 when @h is empty.
 */
uint64_t histogram_percentile(const struct histogram *h, double p);

/** Number of values recorded. */
uint64_t histogram_count(const struct histogram *h);

/** Smallest / largest value; 0 when empty. */
uint64_t histogram_min(const struct histogram *h);
uint64_t histogram_max(const struct histogram *h);

/** Exact arithmetic mean (as a double); 0 when empty. */
double histogram_mean(const struct histogram *h);

#endif /* NVMF_TGT_UTIL_HISTOGRAM_H */
