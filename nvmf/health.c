/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * health.c - a local drive's SMART / health log behind a subsystem's
 * namespaces, read asynchronously and cached, merged into the log page
 * 02h the hosts read (see health.h for the rules).
 *
 * Life of a host's Get Log Page 02h, on the controller's admin group:
 *   every drive fresh (snapshot <= 1 s old) -> answered at once
 *   else: each stale drive gets a read started on its admin queue, the
 *   request is parked on the controller (one at a time; a second one is
 *   answered at once with the last snapshots); each timer tick polls the
 *   drives, and the request is answered when all are fresh or after
 *   NVMF_HEALTH_WAIT_MS with what there is. I/O never waits for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvmf/health.h"
#include "nvmf/nvmf_internal.h"

struct nvmf_drive_health {
	const struct nvmf_health_src_ops *ops;
	void *ctx;
	atomic_flag lock; /* snap and snap_tick */
	struct nvme_health_log snap;
	uint64_t snap_tick; /* 0: never read */
	atomic_bool inflight;
	struct nvme_health_log *buf; /* DMA: the read in flight lands here */
};

static void spin_lock(atomic_flag *f)
{
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
		;
}

static void spin_unlock(atomic_flag *f)
{
	atomic_flag_clear_explicit(f, memory_order_release);
}

static void read_done(void *arg, bool ok)
{
	struct nvmf_drive_health *h = arg;

	if (ok) {
		spin_lock(&h->lock);
		h->snap = *h->buf;
		h->snap_tick = env_ticks();
		if (h->snap_tick == 0)
			h->snap_tick = 1;
		spin_unlock(&h->lock);
	}
	atomic_store_explicit(&h->inflight, false, memory_order_release);
}

static void read_start(struct nvmf_drive_health *h)
{
	if (atomic_exchange_explicit(&h->inflight, true, memory_order_acq_rel))
		return;
	if (h->ops->submit(h->ctx, h->buf, read_done, h) != 0)
		atomic_store_explicit(&h->inflight, false, memory_order_release);
}

/* Poll @h until its read is done or @ms passed. */
static void read_wait(struct nvmf_drive_health *h, uint32_t ms)
{
	uint64_t deadline = env_ticks() + env_ticks_hz() * ms / 1000;

	while (atomic_load_explicit(&h->inflight, memory_order_acquire) && env_ticks() < deadline)
		if (h->ops->poll(h->ctx) < 0)
			break;
}

int nvmf_drive_health_new(const struct nvmf_health_src_ops *ops, void *ctx, uint32_t timeout_ms,
			  struct nvmf_drive_health **out)
{
	struct nvmf_drive_health *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return -ENOMEM;
	h->buf = env_dma_zalloc(sizeof(*h->buf), 4096);
	if (h->buf == NULL) {
		free(h);
		return -ENOMEM;
	}
	h->ops = ops;
	h->ctx = ctx;
	atomic_flag_clear(&h->lock);
	read_start(h);
	read_wait(h, timeout_ms);
	*out = h;
	return 0;
}

void nvmf_drive_health_free(struct nvmf_drive_health *h)
{
	if (h == NULL)
		return;
	read_wait(h, 5000);
	env_dma_free(h->buf);
	free(h);
}

static int snapshot(struct nvmf_drive_health *h, uint64_t max_age, struct nvme_health_log *out)
{
	uint64_t tick;

	spin_lock(&h->lock);
	tick = h->snap_tick;
	if (tick != 0)
		*out = h->snap;
	spin_unlock(&h->lock);
	if (tick == 0)
		return -ENODATA;
	return env_ticks() - tick <= max_age ? 0 : -EAGAIN;
}

int nvmf_drive_health_get(struct nvmf_drive_health *h, uint64_t max_age,
			  struct nvme_health_log *out)
{
	int rc = snapshot(h, max_age, out);

	if (rc == 0)
		return 0;
	read_start(h);
	(void)h->ops->poll(h->ctx);
	return snapshot(h, max_age, out);
}

void nvmf_health_merge(struct nvme_health_log *dst, const struct nvme_health_log *d, bool first)
{
	uint64_t media = nvme_le128_get_sat(d->media_errors);

	if (first) {
		dst->critical_warning = d->critical_warning;
		dst->temperature = d->temperature;
		dst->available_spare = d->available_spare;
		dst->available_spare_threshold = d->available_spare_threshold;
		dst->percentage_used = d->percentage_used;
		nvme_le128_set(dst->media_errors, media);
		memcpy(dst->temp_sensor, d->temp_sensor, sizeof(dst->temp_sensor));
		return;
	}
	dst->critical_warning |= d->critical_warning;
	if (d->temperature > dst->temperature)
		dst->temperature = d->temperature;
	if (d->available_spare < dst->available_spare)
		dst->available_spare = d->available_spare;
	if (d->available_spare_threshold > dst->available_spare_threshold)
		dst->available_spare_threshold = d->available_spare_threshold;
	if (d->percentage_used > dst->percentage_used)
		dst->percentage_used = d->percentage_used;
	nvme_le128_add(dst->media_errors, media);
	for (size_t i = 0; i < 8; i++)
		if (d->temp_sensor[i] > dst->temp_sensor[i])
			dst->temp_sensor[i] = d->temp_sensor[i];
}

/*
 * Walk the drives behind @ctrlr's namespaces (only @nsid's when it names
 * one), merging each into @h. @return true when every drive was fresh.
 */
static bool drives_walk(struct nvmf_ctrlr *ctrlr, uint32_t nsid, struct nvme_health_log *h)
{
	struct nvmf_subsystem *ss = ctrlr->ss;
	uint64_t max_age = env_ticks_hz() * NVMF_HEALTH_MAX_AGE_MS / 1000;
	uint32_t lo = 1, hi = ss->max_nsid;
	bool first = true, fresh = true;

	if (nsid != 0 && nsid != NVME_NSID_ALL)
		lo = hi = nsid;
	for (uint32_t i = lo; i <= hi && i <= ss->max_nsid; i++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, i);
		struct nvmf_drive_health *dh;
		struct nvme_health_log d;
		int rc;

		if (ns == NULL || ns->backend->ops->drive_health == NULL)
			continue;
		dh = ns->backend->ops->drive_health(ns->backend);
		if (dh == NULL)
			continue;
		rc = nvmf_drive_health_get(dh, max_age, &d);
		if (rc != 0)
			fresh = false;
		if (rc == -ENODATA)
			continue;
		nvmf_health_merge(h, &d, first);
		first = false;
	}
	return fresh;
}

bool nvmf_health_fill(struct nvmf_request *req, struct nvme_health_log *h)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;

	if (drives_walk(ctrlr, req->cmd.nsid, h) || ctrlr->health_req != NULL)
		return true; /* fresh, or being finished, or another one waits already */
	ctrlr->health_req = req;
	ctrlr->health_deadline = env_ticks() + env_ticks_hz() * NVMF_HEALTH_WAIT_MS / 1000;
	return false;
}

void nvmf_health_timers(struct nvmf_ctrlr *ctrlr, uint64_t now)
{
	struct nvmf_request *req = ctrlr->health_req;
	struct nvme_health_log scratch;
	uint16_t st;

	if (req == NULL)
		return;
	memset(&scratch, 0, sizeof(scratch));
	if (!drives_walk(ctrlr, req->cmd.nsid, &scratch) && now < ctrlr->health_deadline)
		return;
	/* health_req still set: the page is built from what there is, not parked again. */
	st = nvmf_admin_get_log_page(req);
	ctrlr->health_req = NULL;
	nvmf_req_complete(req, st);
}

void nvmf_health_abort(struct nvmf_ctrlr *ctrlr)
{
	struct nvmf_request *req = ctrlr->health_req;

	if (req == NULL)
		return;
	ctrlr->health_req = NULL;
	nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
}
