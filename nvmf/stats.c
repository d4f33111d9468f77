/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - the statistics listings of the run-time control API. Poll
 * group and controller counters have one writer each (the group's thread)
 * and are read here with relaxed loads; the controller registry and its
 * queue pairs belong to the main thread, where these calls run.
 */
#include <string.h>

#include "nvmf/nvmf_internal.h"

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

void nvmf_ctrlr_sum_stats(struct nvmf_ctrlr *ctrlr, struct nvmf_ctrlr_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < ctrlr->nstats; i++) {
		struct nvmf_ctrlr_stats *s = &ctrlr->stats[i];

		t->bytes_read += LOAD(s->bytes_read);
		t->bytes_written += LOAD(s->bytes_written);
		t->read_cmds += LOAD(s->read_cmds);
		t->write_cmds += LOAD(s->write_cmds);
	}
}

static void pg_fill(struct nvmf_tgt *tgt, struct nvmf_poll_group *pg,
		    struct nvmf_pg_stats_info *info)
{
	struct nvmf_pg_stats *s = &pg->stats;

	memset(info, 0, sizeof(*info));
	info->idx = pg->idx;
	info->core = pg->core;
	info->admin_qpairs = LOAD(s->admin_qpairs);
	info->io_qpairs = LOAD(s->io_qpairs);
	info->current_admin_qpairs = LOAD(s->cur_admin_qpairs);
	info->current_io_qpairs = LOAD(s->cur_io_qpairs);
	info->completed_io = LOAD(s->completed_io);
	info->read_cmds = LOAD(s->read_cmds);
	info->write_cmds = LOAD(s->write_cmds);
	info->bytes_read = LOAD(s->bytes_read);
	info->bytes_written = LOAD(s->bytes_written);
	info->ntr = tgt->ntr;
	for (uint32_t i = 0; i < tgt->ntr; i++) {
		info->tr[i].name = nvmf_tr_name(&tgt->tr[i]);
		info->tr[i].current_qpairs = LOAD(s->cur_tr_qpairs[i]);
	}
}

void nvmf_tgt_foreach_poll_group(struct nvmf_tgt *tgt,
				 void (*cb)(void *arg, const struct nvmf_pg_stats_info *pg),
				 void *arg)
{
	struct nvmf_pg_stats_info info;

	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		if (tgt->groups[i] == NULL)
			continue;
		pg_fill(tgt, tgt->groups[i], &info);
		cb(arg, &info);
	}
}

void nvmf_subsystem_foreach_ctrlr(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_ctrlr_info *c), void *arg)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		struct nvmf_ctrlr_info info = {
		    .cntlid = ctrlr->cntlid,
		    .hostnqn = ctrlr->hostnqn,
		    .live = ctrlr->state == NVMF_CTRLR_LIVE,
		};
		struct nvmf_ctrlr_totals t;

		memcpy(info.hostid, ctrlr->hostid, sizeof(info.hostid));
		for (uint32_t qid = 1; qid < ctrlr->max_qpairs; qid++)
			info.num_io_qpairs += ctrlr->conns[qid] != NULL;
		nvmf_ctrlr_sum_stats(ctrlr, &t);
		info.read_cmds = t.read_cmds;
		info.write_cmds = t.write_cmds;
		info.bytes_read = t.bytes_read;
		info.bytes_written = t.bytes_written;
		cb(arg, &info);
	}
}

void nvmf_subsystem_foreach_qpair(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_qpair_info *q), void *arg)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		for (uint32_t qid = 0; qid < ctrlr->max_qpairs; qid++) {
			struct nvmf_conn *c = ctrlr->conns[qid];
			struct nvmf_qpair_info info;

			if (c == NULL)
				continue;
			info.cntlid = ctrlr->cntlid;
			info.qid = (uint16_t)qid;
			info.state = ctrlr->state == NVMF_CTRLR_LIVE ? "active" : "deleting";
			info.peer = &c->qp->peer;
			info.listen = &c->qp->local;
			cb(arg, &info);
		}
	}
}
