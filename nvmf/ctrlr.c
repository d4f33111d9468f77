/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlr.c - controllers: the registry on the main thread (CNTLID, queues of
 * a controller), teardown by messages, keep-alive, namespace change events
 * and asynchronous event requests on the admin poll group.
 *
 * States: enum nvmf_ctrlr_state (nvmf_internal.h), LIVE -> DYING -> GONE.
 * Teardown: main marks the controller DYING and sends "close" to the group
 * of each of its connections. Each closed connection, once it owns no
 * request, is detached on the main thread (message), which acknowledges to
 * the connection's group (message) so it can be freed. When the last one is
 * detached the controller leaves the registry (GONE) and is freed on its
 * admin group, after any message already queued there for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"
#include "nvmf/nvmf_internal.h"

#define S(x) (1u << NVMF_CTRLR_##x)
/* Legal predecessors of each state (LIVE is where calloc leaves it). */
static const uint32_t ctrlr_from[NVMF_CTRLR_NSTATES] = {
    [NVMF_CTRLR_LIVE] = 0,
    [NVMF_CTRLR_DYING] = S(LIVE),
    [NVMF_CTRLR_GONE] = S(DYING),
};
#undef S

bool nvmf_ctrlr_state_change_ok(enum nvmf_ctrlr_state from, enum nvmf_ctrlr_state to)
{
	return from < NVMF_CTRLR_NSTATES && to < NVMF_CTRLR_NSTATES &&
	       (ctrlr_from[to] & (1u << from)) != 0;
}

void nvmf_ctrlr_set_state(struct nvmf_ctrlr *ctrlr, enum nvmf_ctrlr_state s)
{
	if (!nvmf_ctrlr_state_change_ok(ctrlr->state, s)) {
		log_error("nvmf", "subsystem %s: controller %u: illegal state change %d -> %d",
			  ctrlr->ss->nqn, ctrlr->cntlid, ctrlr->state, s);
		abort();
	}
	ctrlr->state = s;
	ctrlr->ss->tgt->ctrlr_states[s]++;
}

bool nvmf_ctrlr_is_discovery(const struct nvmf_ctrlr *ctrlr)
{
	return ctrlr->ss->discovery;
}

struct nvmf_ctrlr *nvmf_ctrlr_find(struct nvmf_subsystem *ss, uint16_t cntlid)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (ctrlr->cntlid == cntlid)
			return ctrlr;
	}
	return NULL;
}

static int cntlid_alloc(struct nvmf_subsystem *ss, uint16_t *cntlid)
{
	uint16_t id = ss->next_cntlid;

	for (uint32_t tries = 0; tries < NVMF_CNTLID_MAX; tries++) {
		if (id < NVMF_CNTLID_MIN || id > NVMF_CNTLID_MAX)
			id = NVMF_CNTLID_MIN;
		if (nvmf_ctrlr_find(ss, id) == NULL) {
			*cntlid = id;
			ss->next_cntlid = (uint16_t)(id + 1);
			return 0;
		}
		id++;
	}
	return -ENOSPC;
}

int nvmf_ctrlr_create(struct nvmf_subsystem *ss, const char *hostnqn, const uint8_t hostid[16],
		      struct nvmf_conn *admin, uint32_t kato_ms, struct nvmf_ctrlr **out)
{
	struct nvmf_tgt *tgt = ss->tgt;
	struct nvmf_ctrlr *ctrlr;
	uint32_t maxq = admin->tr->opts.max_qpairs_per_ctrlr;
	size_t stats_sz = sizeof(struct nvmf_ctrlr_stats) * tgt->ngroups;

	ctrlr = calloc(1, sizeof(*ctrlr));
	if (ctrlr == NULL)
		return -ENOMEM;
	if (cntlid_alloc(ss, &ctrlr->cntlid) != 0) {
		free(ctrlr);
		return -ENOSPC;
	}
	ctrlr->max_qpairs = maxq < 2 ? 2 : maxq;
	ctrlr->conns = calloc(ctrlr->max_qpairs, sizeof(*ctrlr->conns));
	ctrlr->stats = aligned_alloc(64, stats_sz);
	if (ctrlr->conns == NULL || ctrlr->stats == NULL) {
		free(ctrlr->conns);
		free(ctrlr->stats);
		free(ctrlr);
		return -ENOMEM;
	}
	memset(ctrlr->stats, 0, stats_sz);
	ctrlr->nstats = tgt->ngroups;
	nvmf_errlog_init(&ctrlr->errlog);
	ctrlr->ss = ss;
	ctrlr->state = NVMF_CTRLR_LIVE;
	tgt->ctrlr_states[NVMF_CTRLR_LIVE]++;
	snprintf(ctrlr->hostnqn, sizeof(ctrlr->hostnqn), "%s", hostnqn);
	memcpy(ctrlr->hostid, hostid, sizeof(ctrlr->hostid));
	nvmf_ana_ctrlr_init(ctrlr, &admin->qp->local);
	ctrlr->conns[0] = admin;
	ctrlr->live_qpairs = 1;
	ctrlr->admin_pg = admin->pg;
	ctrlr->kato_ms = kato_ms;
	ctrlr->vwc_enabled = true;
	ctrlr->temp_threshold = 343; /* 70 C */
	atomic_store(&ctrlr->io_queues_granted, ctrlr->max_qpairs - 1);
	TAILQ_INSERT_TAIL(&ss->ctrlrs, ctrlr, ss_link);
	ss->num_ctrlrs++;
	tgt->num_ctrlrs++;
	log_info("nvmf", "subsystem %s: controller %u created for host %s (%s %s:%s)", ss->nqn,
		 ctrlr->cntlid, hostnqn, nvmf_tr_name(admin->tr), admin->qp->peer.traddr,
		 admin->qp->peer.trsvcid);
	*out = ctrlr;
	return 0;
}

void nvmf_ctrlr_conn_bound(struct nvmf_conn *c, struct nvmf_ctrlr *ctrlr)
{
	c->ctrlr = ctrlr;
	c->qp->ctrlr = ctrlr;
	c->qp->connected = true;
	if (c->qp->qid != 0)
		return;
	ctrlr->admin_conn = c;
	ctrlr->start_tick = env_ticks();
	ctrlr->last_ka_tick = ctrlr->start_tick;
	TAILQ_INSERT_TAIL(&c->pg->ctrlrs, ctrlr, pg_link);
	ctrlr->on_group_list = true;
}

/* ------------------------------------------------------------- teardown */

static void close_conn_msg(void *arg)
{
	nvmf_conn_close(arg);
}

void nvmf_ctrlr_teardown(struct nvmf_ctrlr *ctrlr, const char *why)
{
	if (ctrlr->state != NVMF_CTRLR_LIVE)
		return;
	nvmf_ctrlr_set_state(ctrlr, NVMF_CTRLR_DYING);
	log_info("nvmf", "subsystem %s: controller %u (host %s): closing: %s", ctrlr->ss->nqn,
		 ctrlr->cntlid, ctrlr->hostnqn, why);
	for (uint32_t qid = 0; qid < ctrlr->max_qpairs; qid++) {
		struct nvmf_conn *c = ctrlr->conns[qid];
		if (c != NULL)
			nvmf_msg_send(c->pg, close_conn_msg, c);
	}
}

struct teardown_req {
	struct nvmf_ctrlr *ctrlr;
	const char *why;
};

static void teardown_msg(void *arg)
{
	struct teardown_req *t = arg;

	nvmf_ctrlr_teardown(t->ctrlr, t->why);
	free(t);
}

void nvmf_ctrlr_request_teardown(struct nvmf_ctrlr *ctrlr, const char *why)
{
	struct teardown_req *t = malloc(sizeof(*t));

	if (t == NULL)
		return;
	t->ctrlr = ctrlr;
	t->why = why;
	if (nvmf_msg_send(nvmf_main_pg(ctrlr->ss->tgt), teardown_msg, t) != 0)
		free(t);
}

static void ctrlr_free_msg(void *arg)
{
	struct nvmf_ctrlr *ctrlr = arg;

	free(ctrlr->conns);
	free(ctrlr->stats);
	free(ctrlr);
}

static void ctrlr_release(struct nvmf_ctrlr *ctrlr)
{
	struct nvmf_subsystem *ss = ctrlr->ss;
	struct nvmf_tgt *tgt = ss->tgt;

	nvmf_ctrlr_set_state(ctrlr, NVMF_CTRLR_GONE);
	TAILQ_REMOVE(&ss->ctrlrs, ctrlr, ss_link);
	ss->num_ctrlrs--;
	tgt->num_ctrlrs--;
	log_info("nvmf", "subsystem %s: controller %u (host %s) removed", ss->nqn, ctrlr->cntlid,
		 ctrlr->hostnqn);
	if (nvmf_msg_send(ctrlr->admin_pg, ctrlr_free_msg, ctrlr) != 0)
		log_error("nvmf", "controller %u: leaked (message ring full)", ctrlr->cntlid);
	nvmf_ss_ctrlr_gone(ss);
}

static void detach_ack_msg(void *arg)
{
	struct nvmf_conn *c = arg;

	nvmf_conn_set_state(c, NVMF_CONN_CLOSED);
	c->ctrlr = NULL;
	c->qp->ctrlr = NULL;
	nvmf_conn_maybe_free(c);
}

static void detach_msg(void *arg)
{
	struct nvmf_conn *c = arg;
	struct nvmf_ctrlr *ctrlr = c->ctrlr;
	uint16_t qid = c->qp->qid;

	if (qid < ctrlr->max_qpairs && ctrlr->conns[qid] == c)
		ctrlr->conns[qid] = NULL;
	ctrlr->live_qpairs--;
	if (qid == 0)
		nvmf_ctrlr_teardown(ctrlr, "admin queue disconnected");
	nvmf_msg_send(c->pg, detach_ack_msg, c);
	if (ctrlr->live_qpairs == 0)
		ctrlr_release(ctrlr);
}

void nvmf_ctrlr_conn_detach(struct nvmf_conn *c)
{
	nvmf_msg_send(nvmf_main_pg(c->pg->tgt), detach_msg, c);
}

void nvmf_ctrlr_admin_closed(struct nvmf_conn *c)
{
	struct nvmf_ctrlr *ctrlr = c->ctrlr;

	if (ctrlr->admin_conn != c)
		return;
	nvmf_ctrlr_aer_abort_all(ctrlr);
	nvmf_health_abort(ctrlr);
	nvmf_passthru_abort(ctrlr);
	ctrlr->admin_conn = NULL;
	if (ctrlr->on_group_list) {
		TAILQ_REMOVE(&c->pg->ctrlrs, ctrlr, pg_link);
		ctrlr->on_group_list = false;
	}
}

/* Drop the I/O queues (CC.EN 1 -> 0): main thread closes them. */
static void reset_msg(void *arg)
{
	struct nvmf_ctrlr *ctrlr = arg;

	for (uint32_t qid = 1; qid < ctrlr->max_qpairs; qid++) {
		struct nvmf_conn *c = ctrlr->conns[qid];
		if (c != NULL)
			nvmf_msg_send(c->pg, close_conn_msg, c);
	}
}

void nvmf_ctrlr_reset(struct nvmf_ctrlr *ctrlr)
{
	log_info("nvmf", "subsystem %s: controller %u (host %s): reset", ctrlr->ss->nqn,
		 ctrlr->cntlid, ctrlr->hostnqn);
	nvmf_ctrlr_aer_abort_all(ctrlr);
	nvmf_health_abort(ctrlr);
	nvmf_passthru_abort(ctrlr);
	nvmf_msg_send(nvmf_main_pg(ctrlr->ss->tgt), reset_msg, ctrlr);
}

/* ----------------------------------------------------------- keep-alive */

uint32_t nvmf_kato_round(uint32_t kato_ms)
{
	uint32_t rem = kato_ms % NVMF_KAS_MS;

	if (rem == 0)
		return kato_ms;
	/* Up to the granularity (Identify KAS), without wrapping past 2^32 - 1. */
	if (kato_ms > UINT32_MAX - (NVMF_KAS_MS - rem))
		return kato_ms - rem;
	return kato_ms + (NVMF_KAS_MS - rem);
}

bool nvmf_ctrlr_kato_expired(struct nvmf_ctrlr *ctrlr, uint64_t now)
{
	uint64_t limit_ms, limit;

	if (ctrlr->kato_ms == 0 || now <= ctrlr->last_ka_tick)
		return false;
	/* 64-bit throughout: KATO may be up to 2^32 - 1 ms (about 49 days). */
	limit_ms = (uint64_t)ctrlr->kato_ms + NVMF_KATO_MARGIN_MS;
	limit = limit_ms * (env_ticks_hz() / 1000);
	return now - ctrlr->last_ka_tick > limit;
}

void nvmf_ctrlr_timers(struct nvmf_poll_group *pg, uint64_t now)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &pg->ctrlrs, pg_link)
	{
		nvmf_health_timers(ctrlr, now);
		nvmf_passthru_timers(ctrlr);
		if (ctrlr->ka_expired || !nvmf_ctrlr_kato_expired(ctrlr, now))
			continue;
		ctrlr->ka_expired = true;
		log_error("nvmf",
			  "subsystem %s: controller %u (host %s): keep-alive timeout (KATO %u ms), "
			  "closing its queues",
			  ctrlr->ss->nqn, ctrlr->cntlid, ctrlr->hostnqn, ctrlr->kato_ms);
		nvmf_ctrlr_request_teardown(ctrlr, "keep-alive timeout");
	}
}
