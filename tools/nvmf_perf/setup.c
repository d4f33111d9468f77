/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmf_perf set-up: controllers, namespaces, workers and their queue pairs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "tools/nvmf_perf/perf.h"

#define PERF_QUEUE_SIZE_MAX 1024u

/* Commands one I/O needs at most, given MDTS. */
static uint32_t cmds_per_io(const struct perf_ns *pns)
{
	return (pns->io_blocks + pns->cmd_blocks - 1) / pns->cmd_blocks;
}

static int connect_one(struct perf_run *run, const struct nvme_trid *trid)
{
	const struct perf_args *a = run->args;
	struct nvme_ctrlr_opts opts;
	char str[600];
	int rc;

	nvme_ctrlr_opts_init(&opts);
	opts.hdgst = a->hdgst;
	opts.ddgst = a->ddgst;
	opts.sq_flow_control = a->sq_flow_control;
	opts.dhchap_secret = a->dhchap_secret;
	opts.dhchap_ctrl_secret = a->dhchap_ctrl_secret;
	if (a->tls_key != NULL &&
	    (rc = nvme_ctrlr_opts_set_tls(&opts, a->tls_key, a->tls_identity)))
		return rc;
	opts.tls_key.kdf = (uint8_t)a->tls_kdf;
	if (opts.num_io_queues < run->nworkers * a->qpairs_per_ns)
		opts.num_io_queues = run->nworkers * a->qpairs_per_ns;
	rc = nvme_ctrlr_connect(trid, &opts, &run->ctrlrs[run->nctrlrs]);
	if (rc) {
		nvme_trid_fmt(trid, str, sizeof(str));
		fprintf(stderr, "nvmf_perf: cannot connect to '%s': %s\n", str, strerror(-rc));
		return rc;
	}
	run->nctrlrs++;
	return 0;
}

static int add_ns(struct perf_run *run, struct nvme_ns *ns)
{
	const struct nvme_trid *trid = nvme_ctrlr_trid(ns->ctrlr);
	const struct perf_args *a = run->args;
	struct perf_ns *pns = &run->ns[run->nns];

	if (run->nns == PERF_MAX_NS) {
		fprintf(stderr, "nvmf_perf: more than %d namespaces\n", PERF_MAX_NS);
		return -E2BIG;
	}
	memset(pns, 0, sizeof(*pns));
	pns->ns = ns;
	pns->ctrlr = ns->ctrlr;
	pns->paths[0].ns = ns;
	pns->paths[0].ctrlr = ns->ctrlr;
	pns->npaths = 1;
	if (trid->trtype == NVME_TRTYPE_PCIE)
		snprintf(pns->name, sizeof(pns->name), "%s ns %u", trid->traddr, ns->nsid);
	else
		snprintf(pns->name, sizeof(pns->name), "%s:%s %s ns %u", trid->traddr,
			 trid->trsvcid, trid->subnqn, ns->nsid);
	if (ns->block_size == 0 || a->io_size % ns->block_size) {
		fprintf(stderr,
			"nvmf_perf: %s: I/O size %u is not a multiple of the block size %u\n",
			pns->name, a->io_size, ns->block_size);
		return -EINVAL;
	}
	pns->io_blocks = a->io_size / ns->block_size;
	pns->cmd_blocks = pns->io_blocks;
	if (ns->max_io_blocks && ns->max_io_blocks < pns->cmd_blocks)
		pns->cmd_blocks = ns->max_io_blocks;
	pns->slots = ns->num_blocks / pns->io_blocks;
	run->nns++;
	return 0;
}

static int gather_namespaces(struct perf_run *run)
{
	struct nvme_ns *ns;
	int rc;

	for (uint32_t c = 0; c < run->nctrlrs; c++) {
		for (ns = nvme_ctrlr_ns_next(run->ctrlrs[c], 0); ns;
		     ns = nvme_ctrlr_ns_next(run->ctrlrs[c], ns->nsid)) {
			rc = perf_mp_add_path(run, ns);
			if (rc == 0)
				rc = add_ns(run, ns);
			if (rc < 0)
				return rc;
		}
	}
	if (run->nns == 0) {
		fprintf(stderr, "nvmf_perf: no active namespace on the given controllers\n");
		return -ENODEV;
	}
	return perf_mp_refresh(run, true);
}

static int alloc_workers(struct perf_run *run)
{
	uint32_t core = env_core_next(ENV_CORE_ANY), i = 0;

	run->nworkers = env_core_count();
	run->workers = calloc(run->nworkers, sizeof(*run->workers));
	if (!run->workers)
		return -ENOMEM;
	/* the main core first: worker 0 also prints progress and polls admin queues */
	run->workers[i++].core = env_main_core();
	for (; core != ENV_CORE_ANY && i < run->nworkers; core = env_core_next(core))
		if (core != env_main_core())
			run->workers[i++].core = core;
	return 0;
}

static int alloc_qpair_arrays(struct perf_run *run)
{
	for (uint32_t i = 0; i < run->nworkers; i++) {
		run->workers[i].nqpairs = run->nns * run->args->qpairs_per_ns;
		run->workers[i].qpairs =
		    calloc(run->workers[i].nqpairs, sizeof(*run->workers[i].qpairs));
		if (!run->workers[i].qpairs)
			return -ENOMEM;
	}
	return 0;
}

/* Queue pair @q (of all Q on @pns) of worker @w: its region and its nvme qpair. */
static int setup_qpair(struct perf_run *run, struct perf_qpair *pq, struct perf_ns *pns, uint64_t q,
		       uint64_t region)
{
	const struct perf_args *a = run->args;
	struct nvme_qpair_opts qopts;
	uint64_t want = (uint64_t)a->qd * cmds_per_io(pns) + 1;
	int rc;

	rc = perf_qpair_init(pq, pns, a, q * region, region, run->seed);
	if (rc) {
		fprintf(stderr, "nvmf_perf: out of memory for %u buffers of %u bytes\n", a->qd,
			a->io_size);
		return rc;
	}
	memset(&qopts, 0, sizeof(qopts));
	qopts.queue_size = (uint32_t)(want < PERF_QUEUE_SIZE_MAX ? want : PERF_QUEUE_SIZE_MAX);
	for (uint32_t p = 0; p < pns->npaths; p++) {
		rc = nvme_ctrlr_alloc_io_qpair(pns->paths[p].ctrlr, &qopts, &pq->qpairs[p]);
		if (rc) {
			fprintf(stderr,
				"nvmf_perf: %s: cannot create I/O queue pair %lu (path %u): %s\n",
				pns->name, (unsigned long)q + 1, p + 1, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int setup_qpairs(struct perf_run *run)
{
	const struct perf_args *a = run->args;
	uint64_t nq = (uint64_t)run->nworkers * a->qpairs_per_ns, region;
	int rc;

	for (uint32_t n = 0; n < run->nns; n++) {
		struct perf_ns *pns = &run->ns[n];

		region = pns->slots / nq;
		if (region == 0 || (a->verify && region < a->qd)) {
			fprintf(
			    stderr,
			    "nvmf_perf: %s: %lu I/Os of %u bytes do not fill %lu queue pairs%s\n",
			    pns->name, (unsigned long)pns->slots, a->io_size, (unsigned long)nq,
			    a->verify ? " times the queue depth (--verify)" : "");
			return -ENOSPC;
		}
		for (uint32_t w = 0; w < run->nworkers; w++) {
			for (uint32_t p = 0; p < a->qpairs_per_ns; p++) {
				struct perf_qpair *pq =
				    &run->workers[w].qpairs[n * a->qpairs_per_ns + p];

				rc = setup_qpair(run, pq, pns, (uint64_t)w * a->qpairs_per_ns + p,
						 region);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

int perf_setup(struct perf_run *run)
{
	int rc;

	rc = alloc_workers(run);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < run->args->num_trids; i++) {
		rc = connect_one(run, &run->args->trids[i]);
		if (rc)
			return rc;
	}
	rc = gather_namespaces(run);
	if (rc)
		return rc;
	rc = alloc_qpair_arrays(run);
	if (rc)
		return rc;
	return setup_qpairs(run);
}

void perf_teardown(struct perf_run *run)
{
	for (uint32_t w = 0; run->workers && w < run->nworkers; w++) {
		struct perf_worker *wk = &run->workers[w];

		for (uint32_t i = 0; wk->qpairs && i < wk->nqpairs; i++) {
			wk->qpairs[i].dead = true; /* its aborts are not retried */
			for (uint32_t p = 0; p < PERF_MAX_PATHS; p++)
				if (wk->qpairs[i].qpairs[p])
					nvme_ctrlr_free_io_qpair(wk->qpairs[i].qpairs[p]);
			perf_qpair_fini(&wk->qpairs[i]);
		}
		free(wk->qpairs);
	}
	free(run->workers);
	run->workers = NULL;
	for (uint32_t c = 0; c < run->nctrlrs; c++)
		nvme_ctrlr_disconnect(run->ctrlrs[c]);
	run->nctrlrs = 0;
}
