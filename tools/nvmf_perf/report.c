/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmf_perf output: the progress line, the result table and the JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/nvmf_perf/perf.h"
#include "util_json.h"

static const double g_pcts[] = {50, 90, 99, 99.9, 99.99};
static const char *const g_pct_names[] = {"p50", "p90", "p99", "p99.9", "p99.99"};
#define NPCTS (sizeof(g_pcts) / sizeof(g_pcts[0]))

struct row {
	const char *label;
	uint32_t core; /* UINT32_MAX: total */
	const char *ns;
	struct perf_stats st;
};

void perf_progress(const struct perf_run *run, double elapsed_s, uint64_t ios, uint64_t bytes,
		   double interval_s, bool warmup)
{
	(void)run;
	if (interval_s <= 0)
		return;
	fprintf(stderr, "[%6.1f s]%s %12.0f IOPS %10.2f MiB/s\n", elapsed_s,
		warmup ? " warm-up" : "", (double)ios / interval_s,
		(double)bytes / interval_s / (1024.0 * 1024.0));
}

static double measured_seconds(const struct perf_run *run)
{
	uint64_t end = run->t_end;

	if (run->t_stopped && run->t_stopped < end)
		end = run->t_stopped;
	if (end <= run->t_measure)
		return 0;
	return (double)(end - run->t_measure) / (double)run->hz;
}

static double us(const struct perf_run *run, double ticks)
{
	return ticks * 1e6 / (double)run->hz;
}

/* Rows: one per (worker, namespace), then the total. @return count, or 0. */
static size_t build_rows(const struct perf_run *run, struct row **out)
{
	uint32_t P = run->args->qpairs_per_ns;
	size_t n = (size_t)run->nworkers * run->nns, r = 0;
	struct row *rows = malloc((n + 1) * sizeof(*rows));

	if (!rows)
		return 0;
	perf_stats_init(&rows[n].st);
	rows[n].label = "Total";
	rows[n].core = UINT32_MAX;
	rows[n].ns = NULL;
	for (uint32_t w = 0; w < run->nworkers; w++) {
		for (uint32_t ns = 0; ns < run->nns; ns++, r++) {
			struct perf_worker *wk = &run->workers[w];

			perf_stats_init(&rows[r].st);
			for (uint32_t p = 0; p < P; p++)
				perf_stats_merge(&rows[r].st, &wk->qpairs[ns * P + p].stats);
			perf_stats_merge(&rows[n].st, &rows[r].st);
			rows[r].core = wk->core;
			rows[r].ns = run->ns[ns].name;
			rows[r].label = run->ns[ns].name;
		}
	}
	*out = rows;
	return n + 1;
}

static void print_row(const struct perf_run *run, const struct row *r, int width, double secs)
{
	const struct histogram *h = &r->st.lat;
	char core[16] = "";

	if (r->core != UINT32_MAX)
		snprintf(core, sizeof(core), "%u", r->core);
	printf("%-*s %4s %11.0f %9.2f %9.1f %8.1f %9.1f", width, r->label, core,
	       secs > 0 ? (double)r->st.ios / secs : 0.0,
	       secs > 0 ? (double)r->st.bytes / secs / (1024.0 * 1024.0) : 0.0,
	       us(run, histogram_mean(h)), us(run, (double)histogram_min(h)),
	       us(run, (double)histogram_max(h)));
	for (size_t i = 0; i < NPCTS; i++)
		printf(" %8.1f", us(run, (double)histogram_percentile(h, g_pcts[i])));
	printf("\n");
}

/* Percent of @w's measured time spent in polls that completed nothing. */
static double idle_pct(const struct perf_worker *w)
{
	return w->meas_ticks ? 100.0 * (double)w->idle_ticks / (double)w->meas_ticks : 0.0;
}

static void print_table(const struct perf_run *run, const struct row *rows, size_t n,
			const char *status, const char *error)
{
	double secs = measured_seconds(run);
	const struct perf_stats *t = &rows[n - 1].st;
	int width = 9;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rows[i].label) > width)
			width = (int)strlen(rows[i].label);
	printf("%s, %u-byte I/O, QD %u, %u queue pair%s per namespace per core, %.2f s measured\n",
	       run->args->workload, run->args->io_size, run->args->qd, run->args->qpairs_per_ns,
	       run->args->qpairs_per_ns == 1 ? "" : "s", secs);
	printf("%-*s %4s %11s %9s %9s %8s %9s", width, "Namespace", "Core", "IOPS", "MiB/s",
	       "avg(us)", "min(us)", "max(us)");
	for (size_t i = 0; i < NPCTS; i++)
		printf(" %8s", g_pct_names[i]);
	printf("\n");
	for (size_t i = 0; i < n; i++)
		print_row(run, &rows[i], width, secs);
	printf("I/O errors: %lu", (unsigned long)t->io_errors);
	if (run->args->reset)
		printf("; retried after reset: %lu", (unsigned long)t->retried);
	if (perf_multipath(run))
		printf("; failovers: %lu", (unsigned long)t->failovers);
	if (run->args->verify)
		printf("; verify: %lu reads checked, %lu mismatches", (unsigned long)t->verified,
		       (unsigned long)t->verify_errors);
	printf("; status: %s%s%s\n", status, error ? ": " : "", error ? error : "");
	printf("Idle (polls that completed nothing):");
	for (uint32_t w = 0; w < run->nworkers; w++)
		printf(" core %u %.1f %%", run->workers[w].core, idle_pct(&run->workers[w]));
	printf("\n");
}

static void json_stats(const struct perf_run *run, struct json_writer *j,
		       const struct perf_stats *s, double secs)
{
	const struct histogram *h = &s->lat;

	json_kv_uint(j, "ios", s->ios);
	json_kv_uint(j, "reads", s->reads);
	json_kv_uint(j, "writes", s->writes);
	json_kv_uint(j, "bytes", s->bytes);
	json_key(j, "iops");
	json_double(j, secs > 0 ? (double)s->ios / secs : 0.0);
	json_key(j, "mib_s");
	json_double(j, secs > 0 ? (double)s->bytes / secs / (1024.0 * 1024.0) : 0.0);
	json_kv_uint(j, "io_errors", s->io_errors);
	json_kv_uint(j, "verified", s->verified);
	json_kv_uint(j, "verify_errors", s->verify_errors);
	json_kv_uint(j, "retried", s->retried);
	json_kv_uint(j, "failovers", s->failovers);
	json_key(j, "latency_us");
	json_obj_begin(j);
	json_key(j, "avg");
	json_double(j, us(run, histogram_mean(h)));
	json_key(j, "min");
	json_double(j, us(run, (double)histogram_min(h)));
	json_key(j, "max");
	json_double(j, us(run, (double)histogram_max(h)));
	for (size_t i = 0; i < NPCTS; i++) {
		json_key(j, g_pct_names[i]);
		json_double(j, us(run, (double)histogram_percentile(h, g_pcts[i])));
	}
	json_obj_end(j);
}

/*
 * Completions of the whole run (warm-up included) as the queue pairs
 * counted them: all, and those a read's last data PDU carried (no response
 * capsule; never with --sq-flow-control).
 */
static void json_completions(const struct perf_run *run, struct json_writer *j)
{
	struct nvme_qpair_stats sum = {0}, st;

	for (uint32_t w = 0; w < run->nworkers; w++) {
		for (uint32_t i = 0; i < run->workers[w].nqpairs; i++) {
			const struct perf_qpair *pq = &run->workers[w].qpairs[i];

			for (uint32_t p = 0; p < pq->pns->npaths; p++) {
				if (pq->qpairs[p] == NULL)
					continue;
				nvme_qpair_get_stats(pq->qpairs[p], &st);
				sum.completions += st.completions;
				sum.data_completions += st.data_completions;
			}
		}
	}
	json_kv_uint(j, "completions", sum.completions);
	json_kv_uint(j, "data_completions", sum.data_completions);
	json_kv_uint(j, "capsule_completions", sum.completions - sum.data_completions);
}

static void json_config(const struct perf_run *run, struct json_writer *j)
{
	const struct perf_args *a = run->args;

	json_key(j, "config");
	json_obj_begin(j);
	json_kv_str(j, "workload", a->workload);
	json_kv_uint(j, "read_pct", a->read_pct);
	json_kv_uint(j, "io_size", a->io_size);
	json_kv_uint(j, "queue_depth", a->qd);
	json_kv_uint(j, "qpairs_per_ns", a->qpairs_per_ns);
	json_kv_str(j, "core_mask", a->core_mask);
	json_kv_uint(j, "seconds", a->seconds);
	json_kv_uint(j, "warmup", a->warmup);
	json_kv_bool(j, "verify", a->verify);
	json_kv_bool(j, "hdgst", a->hdgst);
	json_kv_bool(j, "ddgst", a->ddgst);
	json_kv_bool(j, "sq_flow_control", a->sq_flow_control);
	if (a->reset)
		json_kv_uint(j, "reset_at", a->reset_at);
	json_obj_end(j);
}

static void print_json(const struct perf_run *run, const struct row *rows, size_t n,
		       const char *status, const char *error)
{
	double secs = measured_seconds(run);
	struct json_writer j;
	const char *out;

	json_writer_init(&j, JSON_WRITE_PRETTY);
	json_obj_begin(&j);
	json_config(run, &j);
	json_kv_str(&j, "status", status);
	if (error)
		json_kv_str(&j, "error", error);
	json_key(&j, "elapsed_s");
	json_double(&j, secs);
	json_key(&j, "results");
	json_arr_begin(&j);
	for (size_t i = 0; i + 1 < n; i++) {
		json_obj_begin(&j);
		json_kv_uint(&j, "core", rows[i].core);
		json_kv_str(&j, "namespace", rows[i].ns);
		json_stats(run, &j, &rows[i].st, secs);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "workers");
	json_arr_begin(&j);
	for (uint32_t w = 0; w < run->nworkers; w++) {
		json_obj_begin(&j);
		json_kv_uint(&j, "core", run->workers[w].core);
		json_key(&j, "idle_pct");
		json_double(&j, idle_pct(&run->workers[w]));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "total");
	json_obj_begin(&j);
	json_stats(run, &j, &rows[n - 1].st, secs);
	json_completions(run, &j);
	json_obj_end(&j);
	json_obj_end(&j);
	out = json_writer_finish(&j, NULL);
	if (out)
		printf("%s\n", out);
	else
		fprintf(stderr, "nvmf_perf: cannot write the JSON output\n");
	json_writer_fini(&j);
}

void perf_report(const struct perf_run *run, const char *status, const char *error)
{
	struct row *rows = NULL;
	size_t n = build_rows(run, &rows);

	if (n == 0) {
		fprintf(stderr, "nvmf_perf: out of memory for the report\n");
		return;
	}
	if (run->args->json)
		print_json(run, rows, n, status, error);
	else
		print_table(run, rows, n, status, error);
	fflush(stdout);
	free(rows);
}

/* Totals, for the exit status. */
uint16_t perf_first_error(const struct perf_run *run)
{
	for (uint32_t w = 0; w < run->nworkers; w++) {
		for (uint32_t i = 0; i < run->workers[w].nqpairs; i++) {
			if (run->workers[w].qpairs[i].first_error != 0)
				return run->workers[w].qpairs[i].first_error;
		}
	}
	return 0;
}

void perf_totals(const struct perf_run *run, uint64_t *io_errors, uint64_t *verify_errors)
{
	*io_errors = 0;
	*verify_errors = 0;
	for (uint32_t w = 0; w < run->nworkers; w++) {
		for (uint32_t i = 0; i < run->workers[w].nqpairs; i++) {
			*io_errors += run->workers[w].qpairs[i].stats.io_errors;
			*verify_errors += run->workers[w].qpairs[i].stats.verify_errors;
		}
	}
}
