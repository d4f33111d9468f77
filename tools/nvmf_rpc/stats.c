/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - `nvmf_rpc stats`: rates per poll group, subsystem and
 * controller from two samples of nvmf_get_stats and
 * nvmf_subsystem_get_controllers taken one interval apart.
 *
 *   nvmf_rpc [-s SOCK] stats [--watch] [--count N]
 *
 * One report by default; --watch repeats once per second until
 * interrupted, --count N stops after N reports. The target keeps no
 * per-namespace counters and no latency histograms: the report says so
 * instead of showing numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/nvmf_rpc/nvmf_rpc.h"

#define STATS_MAX_SS 64
#define MIB (1024.0 * 1024.0)

/* One sample: the results of the calls and when they were taken. */
struct sample {
	double t; /* seconds, monotonic */
	struct json_value *stats, *subsystems;
	struct json_value *ctrlrs[STATS_MAX_SS]; /* by subsystem index */
};

/* The four counters a rate is computed from. */
struct io_ctr {
	uint64_t rd_ops, wr_ops, rd_bytes, wr_bytes;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Call @method with @nqn (or no params); @return the response, NULL after an error message. */
static struct json_value *call(const char *sock, const char *method, const char *nqn)
{
	const struct json_value *err;
	struct json_value *resp = NULL;
	const char *msg = "(no message)";
	char buf[512];
	int n;

	n = nqn ? snprintf(buf, sizeof(buf),
			   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\","
			   "\"params\":{\"nqn\":\"%s\"}}",
			   method, nqn)
		: snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}",
			   method);
	if (n < 0 || (size_t)n >= sizeof(buf) || nvmf_rpc_call(sock, buf, (size_t)n, &resp) != 0)
		return NULL;
	err = json_obj_get(resp, "error");
	if (err != NULL || json_obj_get(resp, "result") == NULL) {
		json_get_str(json_obj_get(err, "message"), &msg);
		fprintf(stderr, "nvmf_rpc: %s: %s\n", method, msg);
		json_free(resp);
		return NULL;
	}
	return resp;
}

static const struct json_value *result(const struct json_value *resp)
{
	return json_obj_get(resp, "result");
}

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

static void sample_free(struct sample *s)
{
	json_free(s->stats);
	json_free(s->subsystems);
	for (size_t i = 0; i < STATS_MAX_SS; i++)
		json_free(s->ctrlrs[i]);
	memset(s, 0, sizeof(*s));
}

/* @return 0, or 1 after an error message (@s is then empty). */
static int sample_take(const char *sock, struct sample *s)
{
	const struct json_value *ss;

	memset(s, 0, sizeof(*s));
	s->stats = call(sock, "nvmf_get_stats", NULL);
	if (s->stats == NULL)
		return 1;
	s->subsystems = call(sock, "nvmf_get_subsystems", NULL);
	if (s->subsystems == NULL)
		goto fail;
	ss = result(s->subsystems);
	for (size_t i = 0; i < count_of(ss) && i < STATS_MAX_SS; i++) {
		s->ctrlrs[i] =
		    call(sock, "nvmf_subsystem_get_controllers", str_of(json_arr_at(ss, i), "nqn"));
		if (s->ctrlrs[i] == NULL)
			goto fail;
	}
	s->t = now_s();
	return 0;
fail:
	sample_free(s);
	return 1;
}

static void ctr_get(const struct json_value *obj, struct io_ctr *c)
{
	c->rd_ops = u64_of(obj, "num_read_ops");
	c->wr_ops = u64_of(obj, "num_write_ops");
	c->rd_bytes = u64_of(obj, "bytes_read");
	c->wr_bytes = u64_of(obj, "bytes_written");
}

/* The entry of @arr whose @key equals @v, or NULL (it came or went). */
static const struct json_value *find_by(const struct json_value *arr, const char *key, uint64_t v)
{
	for (size_t i = 0; i < count_of(arr); i++) {
		if (u64_of(json_arr_at(arr, i), key) == v)
			return json_arr_at(arr, i);
	}
	return NULL;
}

/* Add @b - @a (counters only grow; a restart reads as zero) into @d. */
static void ctr_delta_add(const struct json_value *a, const struct json_value *b, struct io_ctr *d)
{
	struct io_ctr x, y;

	ctr_get(a, &x);
	ctr_get(b, &y);
	d->rd_ops += y.rd_ops >= x.rd_ops ? y.rd_ops - x.rd_ops : 0;
	d->wr_ops += y.wr_ops >= x.wr_ops ? y.wr_ops - x.wr_ops : 0;
	d->rd_bytes += y.rd_bytes >= x.rd_bytes ? y.rd_bytes - x.rd_bytes : 0;
	d->wr_bytes += y.wr_bytes >= x.wr_bytes ? y.wr_bytes - x.wr_bytes : 0;
}

static void print_row(const char *name, const char *qpairs, const struct io_ctr *d, double dt)
{
	printf("%-40s %9s %12.0f %10.2f %10.2f\n", name, qpairs,
	       (double)(d->rd_ops + d->wr_ops) / dt, (double)d->rd_bytes / MIB / dt,
	       (double)d->wr_bytes / MIB / dt);
}

static void print_groups(const struct sample *a, const struct sample *b, double dt)
{
	const struct json_value *pa = json_obj_get(result(a->stats), "poll_groups");
	const struct json_value *pb = json_obj_get(result(b->stats), "poll_groups");

	printf("%-40s %9s %12s %10s %10s\n", "poll group", "adm/io qp", "IOPS", "rd MiB/s",
	       "wr MiB/s");
	for (size_t i = 0; i < count_of(pb); i++) {
		const struct json_value *g = json_arr_at(pb, i);
		const struct json_value *g0 = i < count_of(pa) ? json_arr_at(pa, i) : NULL;
		struct io_ctr d = {0};
		char qp[32];

		if (g0 != NULL)
			ctr_delta_add(g0, g, &d);
		snprintf(qp, sizeof(qp), "%llu/%llu",
			 (unsigned long long)u64_of(g, "current_admin_qpairs"),
			 (unsigned long long)u64_of(g, "current_io_qpairs"));
		print_row(str_of(g, "name"), qp, &d, dt);
	}
}

/* One subsystem: its total, each controller, each namespace. */
static void print_ss(const struct json_value *ss, const struct json_value *ca,
		     const struct json_value *cb, double dt)
{
	const struct json_value *nss = json_obj_get(ss, "namespaces");
	struct io_ctr total = {0};
	uint64_t ioq = 0;
	char name[64], qp[32];

	printf("subsystem %s\n", str_of(ss, "nqn"));
	for (size_t i = 0; i < count_of(cb); i++) {
		const struct json_value *c = json_arr_at(cb, i);
		const struct json_value *c0 = find_by(ca, "cntlid", u64_of(c, "cntlid"));
		struct io_ctr d = {0};
		const char *host;

		if (c0 != NULL)
			ctr_delta_add(c0, c, &d);
		total.rd_ops += d.rd_ops;
		total.wr_ops += d.wr_ops;
		total.rd_bytes += d.rd_bytes;
		total.wr_bytes += d.wr_bytes;
		ioq += u64_of(c, "num_io_qpairs");
		host = str_of(c, "hostnqn");
		/* The end of a host NQN tells hosts apart (a UUID, a host name). */
		snprintf(name, sizeof(name), "  ctrlr %llu %s%s",
			 (unsigned long long)u64_of(c, "cntlid"), strlen(host) > 26 ? "..." : "",
			 host + (strlen(host) > 26 ? strlen(host) - 26 : 0));
		snprintf(qp, sizeof(qp), "1/%llu", (unsigned long long)u64_of(c, "num_io_qpairs"));
		print_row(name, qp, &d, dt);
	}
	snprintf(qp, sizeof(qp), "%zu/%llu", count_of(cb), (unsigned long long)ioq);
	print_row("  all controllers", qp, &total, dt);
	for (size_t i = 0; i < count_of(nss); i++) {
		const struct json_value *ns = json_arr_at(nss, i);

		printf("  ns %llu (%s): no per-namespace counters in the target\n",
		       (unsigned long long)u64_of(ns, "nsid"), str_of(ns, "bdev_name"));
	}
}

static void print_report(const struct sample *a, const struct sample *b)
{
	const struct json_value *ss = result(b->subsystems);
	double dt = b->t - a->t > 1e-3 ? b->t - a->t : 1e-3;

	print_groups(a, b, dt);
	for (size_t i = 0; i < count_of(ss) && i < STATS_MAX_SS; i++) {
		const struct json_value *s = json_arr_at(ss, i);
		const struct json_value *ca = NULL;
		const struct json_value *sa = result(a->subsystems);

		/* The same subsystem in the first sample, if it was there. */
		for (size_t j = 0; j < count_of(sa) && j < STATS_MAX_SS; j++) {
			if (strcmp(str_of(json_arr_at(sa, j), "nqn"), str_of(s, "nqn")) == 0)
				ca = result(a->ctrlrs[j]);
		}
		print_ss(s, ca, result(b->ctrlrs[i]), dt);
	}
	printf("latency percentiles: not available (the target keeps no latency histograms)\n\n");
	fflush(stdout);
}

static void sleep_until(double t)
{
	double left = t - now_s();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int stats_usage(FILE *f, int rc)
{
	fprintf(f, "usage: nvmf_rpc [-s SOCK] stats [--watch] [--count N]\n"
		   "rates per poll group, subsystem and controller over 1 s intervals\n");
	return rc;
}

int nvmf_rpc_stats(const char *sock, int argc, char **argv)
{
	struct sample a, b;
	long count = 1;
	bool watch = false, counted = false;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return stats_usage(stdout, 0);
		if (strcmp(argv[i], "--watch") == 0) {
			watch = true;
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end != '\0' || count < 1)
				return stats_usage(stderr, 2);
			counted = true;
		} else {
			return stats_usage(stderr, 2);
		}
	}
	if (watch && !counted)
		count = -1; /* until interrupted */
	if (sample_take(sock, &a) != 0)
		return 1;
	for (long n = 0; count < 0 || n < count; n++) {
		sleep_until(a.t + 1.0);
		if (sample_take(sock, &b) != 0) {
			sample_free(&a);
			return 1;
		}
		print_report(&a, &b);
		sample_free(&a);
		a = b;
	}
	sample_free(&a);
	return 0;
}
