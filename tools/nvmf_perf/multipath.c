/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_perf multipath: -r entries of one subsystem NQN are paths of one
 * set of namespaces; each path's ANA state comes from its controller's
 * ANA log page, read at start, when a path returns an ANA status, and once
 * a second. Workers read the states with relaxed atomic loads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "env.h"
#include "tools/nvmf_perf/perf.h"

#define PERF_ANA_PERIOD_MS 1000

static const char *ana_name(uint8_t st)
{
	switch (st) {
	case NVME_ANA_OPTIMIZED:
		return "optimized";
	case NVME_ANA_NON_OPTIMIZED:
		return "non-optimized";
	case NVME_ANA_INACCESSIBLE:
		return "inaccessible";
	case NVME_ANA_PERSISTENT_LOSS:
		return "persistent-loss";
	case NVME_ANA_CHANGE:
		return "change";
	default:
		return "unknown";
	}
}

/* The run's namespace of an earlier controller of @ctrlr's subsystem with @nsid. */
static struct perf_ns *mp_find(struct perf_run *run, const struct nvme_ctrlr *ctrlr, uint32_t nsid)
{
	const struct nvme_trid *t = nvme_ctrlr_trid(ctrlr);

	if (t->trtype == NVME_TRTYPE_PCIE || t->subnqn[0] == '\0')
		return NULL;
	for (uint32_t n = 0; n < run->nns; n++) {
		const struct nvme_trid *o = nvme_ctrlr_trid(run->ns[n].ctrlr);

		if (run->ns[n].ctrlr != ctrlr && o->trtype != NVME_TRTYPE_PCIE &&
		    strcmp(o->subnqn, t->subnqn) == 0 && run->ns[n].ns->nsid == nsid)
			return &run->ns[n];
	}
	return NULL;
}

int perf_mp_add_path(struct perf_run *run, struct nvme_ns *ns)
{
	struct perf_ns *pns = mp_find(run, ns->ctrlr, ns->nsid);
	uint8_t anatt;
	size_t len;

	if (!pns)
		return 0;
	if (ns->block_size != pns->ns->block_size || ns->num_blocks != pns->ns->num_blocks ||
	    pns->npaths == PERF_MAX_PATHS) {
		fprintf(stderr, "nvmf_perf: %s: %s\n", pns->name,
			pns->npaths == PERF_MAX_PATHS ? "more than 4 paths"
						      : "another path shows another format");
		return -EINVAL;
	}
	/* The row names every path: "127.0.0.1:4420 NQN ns 1 +127.0.0.1:4421". */
	len = strlen(pns->name);
	snprintf(pns->name + len, sizeof(pns->name) - len, " +%s:%s",
		 nvme_ctrlr_trid(ns->ctrlr)->traddr, nvme_ctrlr_trid(ns->ctrlr)->trsvcid);
	/* ANATT, the longest a path may stay in change (10 s when not given) */
	anatt = nvme_ctrlr_id(pns->ctrlr)->anatt;
	pns->path_wait_ticks = env_ticks_hz() * (anatt ? anatt : 10);
	pns->paths[pns->npaths].ns = ns;
	pns->paths[pns->npaths].ctrlr = ns->ctrlr;
	pns->npaths++;
	if (ns->max_io_blocks && ns->max_io_blocks < pns->cmd_blocks)
		pns->cmd_blocks = ns->max_io_blocks;
	return 1;
}

static int mp_read_path(struct perf_ns *pns, uint32_t p)
{
	struct perf_path *path = &pns->paths[p];
	uint8_t st = 0;
	const struct nvme_trid *t = nvme_ctrlr_trid(path->ctrlr);
	int rc = nvme_ctrlr_ana_state(path->ctrlr, path->ns->nsid, &st);

	if (rc) {
		fprintf(stderr, "nvmf_perf: %s: path %s:%s: cannot read the ANA log: %s\n",
			pns->name, t->traddr, t->trsvcid, strerror(-rc));
		return rc;
	}
	__atomic_store_n(&path->ana, st, __ATOMIC_RELAXED);
	if (st != path->logged)
		fprintf(stderr, "nvmf_perf: ns %u path %s:%s: ANA %s\n", path->ns->nsid, t->traddr,
			t->trsvcid, ana_name(st));
	path->logged = st;
	return 0;
}

int perf_mp_refresh(struct perf_run *run, bool force)
{
	uint64_t now = env_ticks();
	bool periodic = now >= run->ana_next;
	int rc;

	if (periodic)
		run->ana_next = now + run->hz * PERF_ANA_PERIOD_MS / 1000;
	for (uint32_t n = 0; n < run->nns; n++) {
		struct perf_ns *pns = &run->ns[n];
		bool stale = __atomic_exchange_n(&pns->ana_stale, 0, __ATOMIC_ACQ_REL) != 0;

		if (pns->npaths < 2 || !(force || periodic || stale))
			continue;
		for (uint32_t p = 0; p < pns->npaths; p++) {
			rc = mp_read_path(pns, p);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int perf_mp_pick(struct perf_qpair *pq)
{
	const struct perf_ns *pns = pq->pns;
	int fallback = -1;

	if (pns->npaths == 1)
		return 0;
	for (uint32_t i = 0; i < pns->npaths; i++) {
		uint32_t p = (pq->next_path + i) % pns->npaths;
		uint8_t st = __atomic_load_n(&pns->paths[p].ana, __ATOMIC_RELAXED);

		if (st == NVME_ANA_OPTIMIZED) {
			pq->next_path = p + 1;
			return (int)p;
		}
		if (st == NVME_ANA_NON_OPTIMIZED && fallback < 0)
			fallback = (int)p;
	}
	return fallback;
}

bool perf_mp_is_ana_status(uint16_t st)
{
	uint8_t sc = nvme_status_sc(st);

	return nvme_status_sct(st) == NVME_SCT_PATH && !nvme_status_dnr(st) &&
	       (sc == NVME_SC_ANA_PERSISTENT_LOSS || sc == NVME_SC_ANA_INACCESSIBLE ||
		sc == NVME_SC_ANA_TRANSITION);
}

void perf_mp_path_status(struct perf_ns *pns, uint8_t path, uint16_t st)
{
	uint8_t ana = NVME_ANA_CHANGE;

	if (nvme_status_sc(st) == NVME_SC_ANA_INACCESSIBLE)
		ana = NVME_ANA_INACCESSIBLE;
	else if (nvme_status_sc(st) == NVME_SC_ANA_PERSISTENT_LOSS)
		ana = NVME_ANA_PERSISTENT_LOSS;
	/* Not usable until its log says otherwise. */
	__atomic_store_n(&pns->paths[path].ana, ana, __ATOMIC_RELAXED);
	__atomic_store_n(&pns->ana_stale, 1, __ATOMIC_RELEASE);
}

bool perf_multipath(const struct perf_run *run)
{
	for (uint32_t n = 0; n < run->nns; n++)
		if (run->ns[n].npaths > 1)
			return true;
	return false;
}
