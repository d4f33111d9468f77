/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_perf - remote (and local) IOPS and latency benchmark on the host
 * driver: one worker per core, each with its own queue pairs on every
 * namespace of every controller given with -r. See perf.h for the objects
 * and `nvmf_perf -h` for the options.
 *
 * Exit status: 0 when every I/O succeeded (and verified), 1 when a
 * connection failed or was lost, or an I/O or verify error happened (what
 * was measured is printed anyway), 2 for bad options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "tools/nvmf_perf/perf.h"
#include "util.h"

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&g_run.stop, 1, __ATOMIC_RELEASE);
}

static int start_env(const struct perf_args *a, const char **pci, unsigned *npci)
{
	struct env_opts opts;
	char name[64];
	int rc;

	*npci = 0;
	for (unsigned i = 0; i < a->num_trids; i++)
		if (a->trids[i].trtype == NVME_TRTYPE_PCIE)
			pci[(*npci)++] = a->trids[i].traddr;
	snprintf(name, sizeof(name), "nvmf_perf_%d", (int)getpid());
	env_opts_init(&opts);
	opts.name = name;
	opts.core_mask = a->core_mask;
	opts.no_pci = *npci == 0;
	opts.pci_allow = *npci ? pci : NULL;
	opts.num_pci_allow = *npci;
	rc = env_init(&opts);
	if (rc)
		fprintf(stderr, "nvmf_perf: cannot start the environment (cores %s): %s\n",
			a->core_mask, strerror(-rc));
	return rc;
}

/* Run every worker (worker 0 on this thread) and wait for them. */
static int run_workers(void)
{
	uint32_t launched = 0;
	int rc = 0, wrc;

	g_run.hz = env_ticks_hz();
	g_run.t_measure = env_ticks() + g_run.hz * g_run.args->warmup;
	g_run.t_end = g_run.t_measure + g_run.hz * g_run.args->seconds;
	for (uint32_t i = 1; i < g_run.nworkers; i++) {
		rc = env_thread_launch(g_run.workers[i].core, perf_worker_main, &g_run.workers[i]);
		if (rc) {
			fprintf(stderr, "nvmf_perf: cannot start a worker on core %u: %s\n",
				g_run.workers[i].core, strerror(-rc));
			__atomic_store_n(&g_run.stop, 1, __ATOMIC_RELEASE);
			break;
		}
		launched = i;
	}
	if (rc == 0)
		rc = perf_worker_main(&g_run.workers[0]);
	else
		perf_worker_main(&g_run.workers[0]);
	for (uint32_t i = 1; i <= launched; i++) {
		wrc = env_thread_join(g_run.workers[i].core);
		if (wrc && !rc)
			rc = wrc;
	}
	return rc;
}

/* Report and pick the exit status. */
static int finish(int rc)
{
	uint64_t io_errors, verify_errors;
	const char *status = "ok", *error = NULL;
	char msg[128];

	perf_totals(&g_run, &io_errors, &verify_errors);
	if (rc) {
		status = "failed";
		snprintf(msg, sizeof(msg), "%s (connection lost?)", strerror(-rc));
		error = msg;
	} else if (g_run.t_stopped) {
		status = "interrupted";
	} else if (io_errors || verify_errors) {
		uint16_t st = perf_first_error(&g_run);

		status = "errors";
		if (st != 0) {
			snprintf(msg, sizeof(msg), "first failed I/O: SCT %u SC 0x%02x%s",
				 nvme_status_sct(st), nvme_status_sc(st),
				 nvme_status_dnr(st) ? " DNR" : "");
			error = msg;
		}
	}
	perf_report(&g_run, status, error);
	if (rc)
		fprintf(stderr, "nvmf_perf: run ended early: %s\n", msg);
	if (rc || io_errors || verify_errors)
		return PERF_EXIT_FAIL;
	return 0;
}

int main(int argc, char **argv)
{
	static struct perf_args args;
	const char *pci[PERF_MAX_TRIDS];
	unsigned npci;
	int rc, status;

	rc = perf_parse_args(argc, argv, &args);
	if (rc)
		return rc > 0 ? 0 : PERF_EXIT_USAGE;
	log_set_level(LOG_LEVEL_WARN);
	if (start_env(&args, pci, &npci) != 0)
		return PERF_EXIT_FAIL;
	g_run.args = &args;
	g_run.seed = env_ticks() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	rc = util_signals_install(on_signal, false);
	if (rc == 0)
		rc = perf_setup(&g_run);
	if (rc) {
		status = PERF_EXIT_FAIL;
		goto out;
	}
	status = finish(run_workers());
out:
	perf_teardown(&g_run);
	env_fini();
	return status;
}
