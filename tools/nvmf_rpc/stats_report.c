/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats_report.c - one report of `nvmf_rpc stats`: the difference between
 * two samples (nvmf_get_stats, nvmf_get_subsystems and each subsystem's
 * controllers) as rates and latency percentiles per poll group, per
 * subsystem and per namespace.
 *
 * A row's latency is the difference of the cumulative histograms the
 * target sends (non-empty buckets as [low, high, count] in ticks), so its
 * percentiles are those of the interval only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_histogram.h"
#include "tools/nvmf_rpc/stats.h"

#define MIB (1024.0 * 1024.0)

/* One line of the report: what changed between the samples. */
struct row {
	char name[80];
	char qp[24];
	uint64_t rd_ops, wr_ops, rd_bytes, wr_bytes;
	struct histogram *lat; /* NULL until a bucket comes */
};

static const char *str_of(const struct json_value *obj, const char *key)
{
	const char *s = "?";

	json_get_str(json_obj_get(obj, key), &s);
	return s;
}

static uint64_t u64_of(const struct json_value *obj, const char *key)
{
	uint64_t v = 0;

	json_get_uint64(json_obj_get(obj, key), &v);
	return v;
}

static size_t count_of(const struct json_value *arr)
{
	return arr != NULL && arr->type == JSON_ARRAY ? arr->u.arr.count : 0;
}

/* b - a for counters that only grow (a restart of the target reads as zero). */
static uint64_t grown(uint64_t b, uint64_t a)
{
	return b >= a ? b - a : 0;
}

/* Add the counters of @b less those of @a (NULL: none) into @r. */
static void row_add_io(struct row *r, const struct json_value *b, const struct json_value *a)
{
	r->rd_ops += grown(u64_of(b, "num_read_ops"), u64_of(a, "num_read_ops"));
	r->wr_ops += grown(u64_of(b, "num_write_ops"), u64_of(a, "num_write_ops"));
	r->rd_bytes += grown(u64_of(b, "bytes_read"), u64_of(a, "bytes_read"));
	r->wr_bytes += grown(u64_of(b, "bytes_written"), u64_of(a, "bytes_written"));
}

/* Add (@sign 1) or take away (-1) the buckets of @obj's latency_ticks. */
static void lat_apply(struct row *r, const struct json_value *obj, int sign)
{
	const struct json_value *lat = json_obj_get(obj, "latency_ticks");

	for (size_t i = 0; i < count_of(lat); i++) {
		const struct json_value *b = json_arr_at(lat, i);
		uint64_t low = 0, n = 0;

		if (json_get_uint64(json_arr_at(b, 0), &low) != 0 ||
		    json_get_uint64(json_arr_at(b, 2), &n) != 0)
			continue;
		if (r->lat == NULL && (r->lat = calloc(1, sizeof(*r->lat))) == NULL)
			return;
		r->lat->buckets[histogram_bucket(low)] += sign > 0 ? n : -n;
	}
}

static void row_add_lat(struct row *r, const struct json_value *b, const struct json_value *a)
{
	lat_apply(r, b, 1);
	if (a != NULL)
		lat_apply(r, a, -1);
}

/* Count, min and max of a histogram built bucket by bucket. */
static void lat_finish(struct histogram *h)
{
	h->count = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	for (uint32_t i = 0; i < HISTOGRAM_BUCKETS; i++) {
		if (h->buckets[i] > (uint64_t)INT64_MAX)
			h->buckets[i] = 0; /* fewer than before: the target restarted */
		if (h->buckets[i] == 0)
			continue;
		h->count += h->buckets[i];
		if (h->min == UINT64_MAX)
			h->min = histogram_bucket_low(i);
		h->max = histogram_bucket_high(i);
	}
}

static void print_lat(const struct row *r, double tick_rate)
{
	static const double pcts[] = {50, 99, 99.9};

	if (r->lat != NULL)
		lat_finish(r->lat);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		if (r->lat == NULL || r->lat->count == 0 || tick_rate <= 0)
			printf(" %9s", "-");
		else
			printf(" %9.1f",
			       (double)histogram_percentile(r->lat, pcts[i]) * 1e6 / tick_rate);
	}
	printf("\n");
}

static void print_row(struct row *r, double dt, double tick_rate)
{
	printf("%-44s %9s %10.0f %9.2f %9.2f", r->name, r->qp, (double)(r->rd_ops + r->wr_ops) / dt,
	       (double)r->rd_bytes / MIB / dt, (double)r->wr_bytes / MIB / dt);
	print_lat(r, tick_rate);
	free(r->lat);
	r->lat = NULL;
}

/* The entry of @arr whose @key is @v (and, with @nsid not 0, whose nsid is that). */
static const struct json_value *find(const struct json_value *arr, const char *key, const char *v,
				     uint64_t nsid)
{
	for (size_t i = 0; i < count_of(arr); i++) {
		const struct json_value *e = json_arr_at(arr, i);

		if (strcmp(str_of(e, key), v) == 0 && (nsid == 0 || u64_of(e, "nsid") == nsid))
			return e;
	}
	return NULL;
}

static const struct json_value *groups_of(const struct stats_sample *s)
{
	return json_obj_get(json_obj_get(s->stats, "result"), "poll_groups");
}

/* Add what poll group @gb (@ga in the first sample, or NULL) did on @ns of @nqn. */
static void ns_add(struct row *r, const struct json_value *gb, const struct json_value *ga,
		   const char *nqn, uint64_t nsid)
{
	const struct json_value *b = find(json_obj_get(gb, "namespaces"), "nqn", nqn, nsid);
	const struct json_value *a = find(json_obj_get(ga, "namespaces"), "nqn", nqn, nsid);

	if (b == NULL)
		return;
	row_add_io(r, b, a);
	row_add_lat(r, b, a);
}

/* Every namespace of @nqn (nsid 0) or one, over every poll group, into @r. */
static void ss_add(struct row *r, const struct stats_sample *x, const struct stats_sample *y,
		   const char *nqn, uint64_t nsid)
{
	const struct json_value *gy = groups_of(y), *gx = groups_of(x);

	for (size_t i = 0; i < count_of(gy); i++) {
		const struct json_value *g = json_arr_at(gy, i);
		const struct json_value *g0 = find(gx, "name", str_of(g, "name"), 0);
		const struct json_value *nss = json_obj_get(g, "namespaces");

		for (size_t k = 0; k < count_of(nss); k++) {
			const struct json_value *ns = json_arr_at(nss, k);

			if (strcmp(str_of(ns, "nqn"), nqn) == 0 &&
			    (nsid == 0 || u64_of(ns, "nsid") == nsid))
				ns_add(r, g, g0, nqn, u64_of(ns, "nsid"));
		}
	}
}

static void print_groups(const struct stats_sample *x, const struct stats_sample *y, double dt,
			 double tick_rate)
{
	const struct json_value *gy = groups_of(y);

	for (size_t i = 0; i < count_of(gy); i++) {
		const struct json_value *g = json_arr_at(gy, i);
		const struct json_value *g0 = find(groups_of(x), "name", str_of(g, "name"), 0);
		const struct json_value *nss = json_obj_get(g, "namespaces");
		struct row r = {0};

		snprintf(r.name, sizeof(r.name), "%s (core %llu)", str_of(g, "name"),
			 (unsigned long long)u64_of(g, "core"));
		snprintf(r.qp, sizeof(r.qp), "%llu/%llu",
			 (unsigned long long)u64_of(g, "current_admin_qpairs"),
			 (unsigned long long)u64_of(g, "current_io_qpairs"));
		row_add_io(&r, g, g0);
		for (size_t k = 0; k < count_of(nss); k++) {
			const struct json_value *ns = json_arr_at(nss, k);
			const char *nqn = str_of(ns, "nqn");
			uint64_t nsid = u64_of(ns, "nsid");

			row_add_lat(&r, ns, find(json_obj_get(g0, "namespaces"), "nqn", nqn, nsid));
		}
		print_row(&r, dt, tick_rate);
	}
}

/* One subsystem (index @i of the second sample), then each of its namespaces. */
static void print_ss(const struct stats_sample *x, const struct stats_sample *y, size_t i,
		     double dt, double tick_rate)
{
	const struct json_value *ss = json_arr_at(json_obj_get(y->subsystems, "result"), i);
	const struct json_value *ctrlrs = json_obj_get(y->ctrlrs[i], "result");
	const struct json_value *nss = json_obj_get(ss, "namespaces");
	const char *nqn = str_of(ss, "nqn");
	struct row r = {0};
	uint64_t ioq = 0;

	for (size_t c = 0; c < count_of(ctrlrs); c++)
		ioq += u64_of(json_arr_at(ctrlrs, c), "num_io_qpairs");
	snprintf(r.name, sizeof(r.name), "%.44s", nqn);
	snprintf(r.qp, sizeof(r.qp), "%zu/%llu", count_of(ctrlrs), (unsigned long long)ioq);
	ss_add(&r, x, y, nqn, 0);
	print_row(&r, dt, tick_rate);
	for (size_t k = 0; k < count_of(nss); k++) {
		const struct json_value *ns = json_arr_at(nss, k);
		struct row n = {.qp = "-"};

		snprintf(n.name, sizeof(n.name), "  ns %llu %.30s",
			 (unsigned long long)u64_of(ns, "nsid"), str_of(ns, "bdev_name"));
		ss_add(&n, x, y, nqn, u64_of(ns, "nsid"));
		print_row(&n, dt, tick_rate);
	}
}

void stats_report(const struct stats_sample *x, const struct stats_sample *y)
{
	const struct json_value *ss = json_obj_get(y->subsystems, "result");
	double dt = y->t - x->t > 1e-3 ? y->t - x->t : 1e-3;
	double tick_rate = (double)u64_of(json_obj_get(y->stats, "result"), "tick_rate");

	printf("%-44s %9s %10s %9s %9s %9s %9s %9s\n", "poll group / subsystem / namespace",
	       "qpairs", "IOPS", "rd MiB/s", "wr MiB/s", "p50 us", "p99 us", "p99.9 us");
	print_groups(x, y, dt, tick_rate);
	for (size_t i = 0; i < count_of(ss) && i < STATS_MAX_SS; i++)
		print_ss(x, y, i, dt, tick_rate);
	fflush(stdout);
}
