/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_perf worker loop: poll every queue pair of the worker in turn, move
 * from warm-up to measuring to done by the clock, then drain. Worker 0 (the
 * main core) also prints the progress line, polls the admin queues (keep
 * alive) and, with --reset-at, resets the controllers once; the other
 * workers go on meanwhile (their queue pairs recover on their next poll).
 * Workers share nothing but g_run's read-only times, the stop flag and
 * their own published progress counters.
 * While measuring, each worker adds up the time of its polls that completed
 * nothing: the share of its core it did not need (reported as idle).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "env.h"
#include "tools/nvmf_perf/perf.h"

#define POLL_BUDGET 64
#define DRAIN_SECONDS 5
#define ADMIN_POLL_MS 100

struct perf_run g_run;

enum phase { PHASE_WARMUP, PHASE_MEASURE, PHASE_DONE };

/* Main-core duties: progress line and admin queues. */
struct main_state {
	uint64_t t0;
	uint64_t next_progress;
	uint64_t next_admin;
	uint64_t last_ios;
	uint64_t last_bytes;
	uint64_t last_tick;
	bool reset_done;
};

/* Stop every worker; the first caller records the time. */
static void stop_all(uint64_t now)
{
	uint64_t zero = 0;

	__atomic_compare_exchange_n(&g_run.t_stopped, &zero, now, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	__atomic_store_n(&g_run.stop, 1, __ATOMIC_RELEASE);
}

static void publish(struct perf_worker *w)
{
	uint64_t ios = 0, bytes = 0;

	for (uint32_t i = 0; i < w->nqpairs; i++) {
		ios += w->qpairs[i].all_ios;
		bytes += w->qpairs[i].all_bytes;
	}
	__atomic_store_n(&w->progress_ios, ios, __ATOMIC_RELAXED);
	__atomic_store_n(&w->progress_bytes, bytes, __ATOMIC_RELAXED);
}

static void progress(struct main_state *m, uint64_t now)
{
	uint64_t ios = 0, bytes = 0;
	double dt = (double)(now - m->last_tick) / (double)g_run.hz;

	for (uint32_t i = 0; i < g_run.nworkers; i++) {
		ios += __atomic_load_n(&g_run.workers[i].progress_ios, __ATOMIC_RELAXED);
		bytes += __atomic_load_n(&g_run.workers[i].progress_bytes, __ATOMIC_RELAXED);
	}
	perf_progress(&g_run, (double)(now - m->t0) / (double)g_run.hz, ios - m->last_ios,
		      bytes - m->last_bytes, dt, now < g_run.t_measure);
	m->last_ios = ios;
	m->last_bytes = bytes;
	m->last_tick = now;
}

/* --reset-at: reset every controller once. @return 0 or the first errno. */
static int reset_ctrlrs(void)
{
	char str[600];
	int rc;

	for (uint32_t c = 0; c < g_run.nctrlrs; c++) {
		nvme_trid_fmt(nvme_ctrlr_trid(g_run.ctrlrs[c]), str, sizeof(str));
		rc = nvme_ctrlr_reset(g_run.ctrlrs[c]);
		if (rc) {
			fprintf(stderr, "nvmf_perf: controller '%s': reset failed: %s\n", str,
				rc == -ENOTSUP ? "not supported on this transport" : strerror(-rc));
			return rc;
		}
		fprintf(stderr, "nvmf_perf: controller '%s': reset\n", str);
	}
	return 0;
}

static void main_duties(struct main_state *m, uint64_t now)
{
	int rc;

	if (g_run.args->reset && !m->reset_done &&
	    now >= g_run.t_measure + g_run.hz * g_run.args->reset_at) {
		m->reset_done = true;
		rc = reset_ctrlrs();
		if (rc) {
			g_run.workers[0].rc = rc;
			stop_all(now);
			return;
		}
	}

	if (now >= m->next_progress) {
		progress(m, now);
		m->next_progress += g_run.hz;
	}
	if (now < m->next_admin)
		return;
	m->next_admin = now + g_run.hz * ADMIN_POLL_MS / 1000;
	rc = perf_mp_refresh(&g_run, false);
	if (rc) {
		g_run.workers[0].rc = rc;
		stop_all(now);
		return;
	}
	for (uint32_t c = 0; c < g_run.nctrlrs; c++) {
		rc = nvme_ctrlr_poll_admin(g_run.ctrlrs[c]);
		if (rc < 0) {
			char str[600];

			nvme_trid_fmt(nvme_ctrlr_trid(g_run.ctrlrs[c]), str, sizeof(str));
			fprintf(stderr, "nvmf_perf: controller '%s': admin queue failed: %s\n", str,
				strerror(-rc));
			g_run.workers[0].rc = rc;
			stop_all(now);
		}
	}
}

static void set_measuring(struct perf_worker *w, bool on)
{
	for (uint32_t i = 0; i < w->nqpairs; i++) {
		if (on)
			perf_stats_restart(&w->qpairs[i].stats);
		w->qpairs[i].measuring = on;
	}
}

static enum phase step_phase(struct perf_worker *w, enum phase ph, uint64_t now)
{
	if (ph == PHASE_WARMUP && now >= g_run.t_measure) {
		set_measuring(w, true);
		ph = PHASE_MEASURE;
	}
	if (ph == PHASE_MEASURE && now >= g_run.t_end) {
		set_measuring(w, false);
		ph = PHASE_DONE;
	}
	return ph;
}

/* @return completions, or a negative errno. */
static int poll_all(struct perf_worker *w)
{
	int rc, done = 0;

	for (uint32_t i = 0; i < w->nqpairs; i++) {
		rc = perf_qpair_poll(&w->qpairs[i], POLL_BUDGET);
		if (rc < 0) {
			fprintf(stderr, "nvmf_perf: core %u: %s: queue pair failed: %s\n", w->core,
				w->qpairs[i].pns->name, strerror(-rc));
			return rc;
		}
		done += rc;
	}
	return done;
}

/*
 * Stop resubmitting and wait (bounded) for what is in flight; with --verify,
 * every write that completed is still read back and checked, so a run
 * verifies what it wrote however short it was.
 */
static void drain(struct perf_worker *w)
{
	uint64_t deadline = env_ticks() + g_run.hz * DRAIN_SECONDS;
	bool busy = true;

	set_measuring(w, false);
	for (uint32_t i = 0; i < w->nqpairs; i++)
		w->qpairs[i].running = false;
	while (busy && env_ticks() < deadline) {
		busy = false;
		for (uint32_t i = 0; i < w->nqpairs; i++) {
			struct perf_qpair *pq = &w->qpairs[i];

			if (pq->dead || pq->active == 0)
				continue;
			if (perf_qpair_poll(pq, POLL_BUDGET) >= 0 && pq->active)
				busy = true;
		}
	}
}

static void run_loop(struct perf_worker *w, bool is_main)
{
	struct main_state m = {0};
	enum phase ph = PHASE_WARMUP;
	uint64_t now = env_ticks(), before;
	int rc;

	m.t0 = m.last_tick = now;
	m.next_progress = now + g_run.hz;
	m.next_admin = now;
	while (ph != PHASE_DONE) {
		before = now;
		rc = poll_all(w);
		if (rc < 0) {
			w->rc = rc;
			stop_all(env_ticks());
			break;
		}
		publish(w);
		now = env_ticks();
		if (ph == PHASE_MEASURE) {
			w->meas_ticks += now - before;
			if (rc == 0)
				w->idle_ticks += now - before;
		}
		ph = step_phase(w, ph, now);
		if (__atomic_load_n(&g_run.stop, __ATOMIC_ACQUIRE)) {
			stop_all(now); /* records the time for a signal */
			break;
		}
		if (is_main)
			main_duties(&m, now);
	}
	now = env_ticks();
	if (is_main && ph == PHASE_DONE && now - m.last_tick > g_run.hz / 4)
		progress(&m, now);
}

int perf_worker_main(void *arg)
{
	struct perf_worker *w = arg;
	int rc;

	for (uint32_t i = 0; i < w->nqpairs; i++) {
		rc = perf_qpair_start(&w->qpairs[i]);
		if (rc) {
			fprintf(stderr, "nvmf_perf: core %u: %s: cannot submit: %s\n", w->core,
				w->qpairs[i].pns->name, strerror(-rc));
			w->rc = rc;
			stop_all(env_ticks());
			break;
		}
	}
	if (!w->rc)
		run_loop(w, w == &g_run.workers[0]);
	drain(w);
	return w->rc;
}
