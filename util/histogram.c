/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-bucket histogram: see include/util_histogram.h for the layout. */
#include <string.h>

#include "include/util_histogram.h"

void histogram_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t histogram_bucket_low(uint32_t idx)
{
	uint32_t shift;

	if (idx < 2 * HISTOGRAM_SUB_COUNT)
		return idx;
	shift = idx / HISTOGRAM_SUB_COUNT - 1;
	return (uint64_t)(idx - shift * HISTOGRAM_SUB_COUNT) << shift;
}

uint64_t histogram_bucket_high(uint32_t idx)
{
	uint32_t shift;

	if (idx < 2 * HISTOGRAM_SUB_COUNT)
		return idx;
	shift = idx / HISTOGRAM_SUB_COUNT - 1;
	return histogram_bucket_low(idx) + ((1ull << shift) - 1);
}

void histogram_merge(struct histogram *dst, const struct histogram *src)
{
	if (src->count == 0)
		return;
	for (uint32_t i = 0; i < HISTOGRAM_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

static uint64_t clamp(const struct histogram *h, uint64_t v)
{
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

uint64_t histogram_percentile(const struct histogram *h, double p)
{
	uint64_t rank, seen = 0, lo, hi;
	double want;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	want = p / 100.0 * (double)h->count;
	rank = (uint64_t)want;
	if ((double)rank < want)
		rank++;
	if (rank == 0)
		rank = 1;
	for (uint32_t i = 0; i < HISTOGRAM_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			lo = histogram_bucket_low(i);
			hi = histogram_bucket_high(i);
			return clamp(h, lo + (hi - lo) / 2);
		}
	}
	return h->max;
}

uint64_t histogram_count(const struct histogram *h)
{
	return h->count;
}

uint64_t histogram_min(const struct histogram *h)
{
	return h->count ? h->min : 0;
}

uint64_t histogram_max(const struct histogram *h)
{
	return h->max;
}

double histogram_mean(const struct histogram *h)
{
	if (h->count == 0)
		return 0;
	return (double)h->sum / (double)h->count;
}
