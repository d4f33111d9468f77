/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poll_group.c - one poll group per core: its message ring, its transport
 * groups, its backend channels, its I/O contexts and its timers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "util.h"
#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

#define MSG_BUDGET 64

static uint32_t scratch_size(struct nvmf_tgt *tgt)
{
	uint32_t sz = 0;

	for (uint32_t i = 0; i < tgt->ntr; i++) {
		if (tgt->tr[i].opts.max_io_size > sz)
			sz = tgt->tr[i].opts.max_io_size;
	}
	return sz ? sz : NVMF_RUNTIME_MAX_IO_SIZE;
}

int nvmf_pg_create(struct nvmf_tgt *tgt, uint32_t idx, uint32_t core, struct nvmf_poll_group **out)
{
	struct nvmf_poll_group *pg = calloc(1, sizeof(*pg));
	char name[32];

	if (pg == NULL)
		return -ENOMEM;
	pg->tgt = tgt;
	pg->idx = idx;
	pg->core = core;
	pg->wait_epfd = -1;
	pg->wake_fd = -1;
	pg->nap_only = true;
	TAILQ_INIT(&pg->conns);
	TAILQ_INIT(&pg->ctrlrs);
	TAILQ_INIT(&pg->pending);
	LIST_INIT(&pg->stats.ns);
	snprintf(name, sizeof(name), "nvmf_pg%u", idx);
	pg->ring = env_ring_create(name, NVMF_MSG_RING_SIZE, ENV_RING_SC);
	pg->ctxs = calloc(NVMF_IO_CTX_PER_GROUP, sizeof(*pg->ctxs));
	pg->scratch_size = scratch_size(tgt);
	snprintf(name, sizeof(name), "nvmf_cmp%u", idx);
	pg->scratch = env_pool_create(name, NVMF_SCRATCH_PER_GROUP, pg->scratch_size, 0);
	tgt->scratch_size = pg->scratch_size;
	if (pg->ring == NULL || pg->ctxs == NULL || pg->scratch == NULL) {
		env_ring_free(pg->ring);
		env_pool_free(pg->scratch);
		free(pg->ctxs);
		free(pg);
		return -ENOMEM;
	}
	nvmf_io_ctx_init(pg);
	*out = pg;
	return 0;
}

int nvmf_pg_init_on_thread(struct nvmf_poll_group *pg)
{
	struct nvmf_tgt *tgt = pg->tgt;

	for (uint32_t i = 0; i < tgt->ntr; i++) {
		pg->tgroups[i] = nvmf_tr_group_create(&tgt->tr[i]);
		if (pg->tgroups[i] == NULL) {
			log_error("nvmf", "poll group %u: %s transport group failed", pg->idx,
				  nvmf_tr_name(&tgt->tr[i]));
			return -ENOMEM;
		}
	}
	pg->next_timer = env_ticks();
	nvmf_pg_idle_init(pg);
	return 0;
}

/* Forget channel @i of pg->channel_ids[] and destroy it (group thread). */
static void pg_channel_drop(struct nvmf_poll_group *pg, uint32_t i)
{
	struct nvmf_bchannel *ch = pg->channels[pg->channel_ids[i]];

	pg->channels[pg->channel_ids[i]] = NULL;
	pg->channel_ids[i] = pg->channel_ids[--pg->nchannels];
	ch->backend->ops->channel_destroy(ch);
}

/*
 * Destroy the channels, all of them or (@idle_only) those nothing holds.
 * A read served in place holds its channel until the transport releases
 * it, which it may do while its group is destroyed.
 */
static void pg_channels_drop(struct nvmf_poll_group *pg, bool idle_only)
{
	for (uint32_t i = pg->nchannels; i-- > 0;) {
		if (!idle_only || pg->channels[pg->channel_ids[i]]->holds == 0)
			pg_channel_drop(pg, i);
	}
}

/* On the group's own thread: drain messages, close channels and groups. */
static void pg_fini_on_thread(struct nvmf_poll_group *pg)
{
	while (nvmf_msg_poll(pg, MSG_BUDGET) > 0)
		;
	pg_channels_drop(pg, true);
	for (uint32_t i = 0; i < NVMF_MAX_TRANSPORTS; i++) {
		if (pg->tgroups[i] != NULL)
			nvmf_tr_group_destroy(&pg->tgt->tr[i], pg->tgroups[i]);
		pg->tgroups[i] = NULL;
	}
	pg_channels_drop(pg, false);
}

void nvmf_pg_destroy(struct nvmf_poll_group *pg)
{
	if (pg == NULL)
		return;
	pg_fini_on_thread(pg); /* no-op for a worker that already finished */
	nvmf_pg_idle_fini(pg);
	env_ring_free(pg->ring);
	nvmf_pg_stats_fini(pg);
	env_pool_free(pg->scratch);
	for (uint32_t i = 0; i < pg->nold_scratch; i++)
		env_pool_free(pg->old_scratch[i]);
	free(pg->ctxs);
	free(pg);
}

struct nvmf_bchannel *nvmf_pg_channel(struct nvmf_poll_group *pg, struct nvmf_backend *b)
{
	struct nvmf_bchannel *ch = pg->channels[b->id];

	if (ch != NULL)
		return ch;
	if (b->ops->channel_create(b, &ch) != 0 || ch == NULL) {
		log_error("nvmf", "poll group %u: backend %s: cannot open a channel", pg->idx,
			  b->name);
		return NULL;
	}
	ch->backend = b;
	ch->holds = 0;
	ch->closing = false;
	pg->channels[b->id] = ch;
	pg->channel_ids[pg->nchannels++] = b->id;
	return ch;
}

/* Tell the main thread this group has no channel on @b (being deleted) any more. */
static void pg_del_ack(struct nvmf_poll_group *pg, struct nvmf_backend *b)
{
	if (nvmf_msg_send(nvmf_main_pg(pg->tgt), nvmf_backend_del_ack, b) != 0)
		log_error("nvmf", "poll group %u: backend %s: its deletion cannot finish", pg->idx,
			  b->name);
}

void nvmf_pg_channel_close(struct nvmf_poll_group *pg, struct nvmf_backend *b)
{
	struct nvmf_bchannel *ch = pg->channels[b->id];

	if (ch != NULL)
		ch->closing = true; /* poll_channels() closes it once nothing holds it */
	else
		pg_del_ack(pg, b);
}

/* A closing channel that nothing holds any more: closed, and the main thread told. */
static void pg_channel_closed(struct nvmf_poll_group *pg, uint32_t i)
{
	struct nvmf_backend *b = pg->channels[pg->channel_ids[i]]->backend;

	pg_channel_drop(pg, i);
	pg_del_ack(pg, b);
}

static int poll_channels(struct nvmf_poll_group *pg)
{
	int busy = NVMF_POLL_IDLE;

	/* Backwards: a closed channel takes the last one's place. */
	for (uint32_t i = pg->nchannels; i-- > 0;) {
		struct nvmf_bchannel *ch = pg->channels[pg->channel_ids[i]];
		if (ch->backend->ops->poll != NULL && ch->backend->ops->poll(ch) > 0)
			busy = NVMF_POLL_BUSY;
		if (ch->closing && ch->holds == 0) {
			pg_channel_closed(pg, i);
			busy = NVMF_POLL_BUSY;
		}
	}
	return busy;
}

/* Send what the backend channels and resumed requests completed: now, not a loop later. */
static int flush_transports(struct nvmf_poll_group *pg)
{
	int busy = NVMF_POLL_IDLE;

	for (uint32_t i = 0; i < pg->tgt->ntr; i++) {
		if (pg->tgroups[i] != NULL)
			busy |= nvmf_tr_group_flush(&pg->tgt->tr[i], pg->tgroups[i]);
	}
	return busy;
}

int nvmf_pg_poll(struct nvmf_poll_group *pg)
{
	struct nvmf_tgt *tgt = pg->tgt;
	int busy = nvmf_msg_poll(pg, MSG_BUDGET) > 0 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
	uint64_t now;

	/* Not up to tgt->ntr: the main thread may add a transport meanwhile. */
	for (uint32_t i = 0; i < NVMF_MAX_TRANSPORTS; i++) {
		if (pg->tgroups[i] != NULL)
			busy |= nvmf_tr_group_poll(&tgt->tr[i], pg->tgroups[i]);
	}
	busy |= poll_channels(pg);
	if (!TAILQ_EMPTY(&pg->pending)) {
		nvmf_io_resume_pending(pg);
		busy = NVMF_POLL_BUSY;
	}
	busy |= flush_transports(pg);
	now = env_ticks();
	if (now >= pg->next_timer) {
		nvmf_ctrlr_timers(pg, now);
		nvmf_auth_timers(pg, now);
		if (pg == nvmf_main_pg(tgt)) {
			nvmf_backends_check(tgt);
			nvmf_reattach_timers(tgt, now);
		}
		pg->next_timer = now + env_ticks_hz() * NVMF_TIMER_PERIOD_MS / 1000;
	}
	return busy;
}

/* A stop request counts as work: the group must not go to sleep on it. */
static int pg_poll_cb(void *arg)
{
	struct nvmf_poll_group *pg = arg;

	return nvmf_pg_poll(pg) | atomic_load_explicit(&pg->stop, memory_order_acquire);
}

int nvmf_pg_thread(void *arg)
{
	struct nvmf_poll_group *pg = arg;
	uint64_t idle_since = env_ticks();

	if (nvmf_pg_init_on_thread(pg) != 0) {
		pg_fini_on_thread(pg);
		return -ENOMEM;
	}
	while (!atomic_load_explicit(&pg->stop, memory_order_acquire))
		nvmf_pg_loop_once(pg, pg_poll_cb, pg, &idle_since);
	pg_fini_on_thread(pg);
	return 0;
}
