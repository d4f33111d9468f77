/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_device.c - RDMA devices: opened on the first connect request that
 * arrives through them, and let go when they are removed.
 *
 * A device's protection domain serves every poll group. Its reference
 * count is the transport's own reference, one per connection, and one per
 * poll group that holds resources on it (struct nvmf_rdma_gdev).
 *
 * A device is removed when a DEVICE_REMOVAL CM event says so (to the
 * listener on the main thread, or to a connection on its group's thread),
 * or when it is gone from the system's device list, which the main thread
 * reads every second. The list matters: for a driver that cannot detach
 * user space from a device (rxe), the kernel waits for every user of the
 * device to close it before it sends any CM event. Then:
 * - connections on it close;
 * - each group frees its CQ, SRQ and registered buffers on it once its last
 *   connection there is freed;
 * - the main thread drops the transport's reference, and a listener bound
 *   to it lets its id go and tries to listen again every second.
 * The last one to drop a reference frees the protection domain. Until then
 * no CM id on the device may be destroyed: librdmacm closes the device's
 * verbs context with its last id, and our objects on it would be left
 * pointing at a closed context. So the ids of the connections are buried
 * (kept on the device) and destroyed right after the protection domain.
 * librdmacm closes a gone device's context when its device list is next
 * synchronised (rdma_get_devices), which the scan does once the device is
 * released, not before. It keeps the context open while no RDMA device at
 * all is left in the system.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "transport/rdma/rdma_internal.h"
#include "util.h"

/** How often a lost listener tries again, devices are looked after, the list is read. */
#define NVMF_RDMA_RELISTEN_US 1000000u
#define NVMF_RDMA_DEVICE_POLL_US 100000u
#define NVMF_RDMA_DEVICE_SCAN_US 1000000u

struct nvmf_rdma_buried_id {
	struct rdma_cm_id *id;
	struct nvmf_rdma_buried_id *next;
};

struct nvmf_rdma_device *nvmf_rdma_device_get(struct nvmf_rdma_transport *t,
					      struct ibv_context *ctx)
{
	struct nvmf_rdma_device *d;

	TAILQ_FOREACH(d, &t->devices, link)
	{
		if (d->ctx == ctx && !atomic_load(&d->removed))
			return d;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->ctx = ctx;
	if (ibv_query_device(ctx, &d->attr) != 0)
		goto err_free;
	d->pd = ibv_alloc_pd(ctx);
	if (d->pd == NULL)
		goto err_free;
	d->has_srq = d->attr.max_srq > 0 && d->attr.max_srq_wr > 0;
	d->has_inv = (d->attr.device_cap_flags & IBV_DEVICE_MEM_MGT_EXTENSIONS) != 0;
	snprintf(d->name, sizeof(d->name), "%s", ibv_get_device_name(ctx->device));
	atomic_init(&d->refs, 1); /* the transport's */
	atomic_init(&d->removed, false);
	atomic_init(&d->released, false);
	pthread_mutex_init(&d->lock, NULL);
	TAILQ_INSERT_TAIL(&t->devices, d, link);
	log_info(NVMF_RDMA_LOG,
		 "device %s: SRQ %s, send with invalidate %s, max_qp_wr %d, max_sge %d", d->name,
		 d->has_srq ? "yes" : "no", d->has_inv ? "yes" : "no", d->attr.max_qp_wr,
		 d->attr.max_sge);
	return d;
err_free:
	log_error(NVMF_RDMA_LOG, "device %s: cannot query it or allocate a protection domain",
		  ibv_get_device_name(ctx->device));
	free(d);
	return NULL;
}

void nvmf_rdma_device_hold(struct nvmf_rdma_device *d)
{
	atomic_fetch_add(&d->refs, 1);
}

/* Free the protection domain, then the ids that kept the device open. */
static void nvmf_rdma_device_release(struct nvmf_rdma_device *d)
{
	struct nvmf_rdma_buried_id *b;

	if (d->pd != NULL && ibv_dealloc_pd(d->pd) != 0)
		log_warn(NVMF_RDMA_LOG, "device %s: protection domain still in use", d->name);
	d->pd = NULL;
	pthread_mutex_lock(&d->lock);
	b = d->buried;
	d->buried = NULL;
	pthread_mutex_unlock(&d->lock);
	while (b != NULL) {
		struct nvmf_rdma_buried_id *next = b->next;

		rdma_destroy_id(b->id);
		free(b);
		b = next;
	}
	atomic_store(&d->released, true);
}

void nvmf_rdma_device_put(struct nvmf_rdma_device *d)
{
	if (atomic_fetch_sub(&d->refs, 1) == 1) {
		log_notice(NVMF_RDMA_LOG, "device %s: removed, and all it held is released",
			   d->name);
		nvmf_rdma_device_release(d);
	}
}

void nvmf_rdma_device_removed(struct nvmf_rdma_device *d)
{
	if (!atomic_exchange(&d->removed, true))
		log_warn(NVMF_RDMA_LOG, "device %s: removed: closing its connections", d->name);
}

bool nvmf_rdma_device_bury(struct nvmf_rdma_device *d, struct rdma_cm_id *id)
{
	struct nvmf_rdma_buried_id *b;

	if (d == NULL || !atomic_load(&d->removed))
		return false;
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		/* Cannot keep it: destroying it now is the lesser evil. */
		log_error(NVMF_RDMA_LOG, "device %s: no memory to keep a CM id", d->name);
		return false;
	}
	/* Its owner is going away: later events for it are only acked. */
	id->context = NULL;
	b->id = id;
	pthread_mutex_lock(&d->lock);
	b->next = d->buried;
	d->buried = b;
	pthread_mutex_unlock(&d->lock);
	return true;
}

/* Is a device named @name in @list? */
static bool nvmf_rdma_device_listed(struct ibv_device **list, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(ibv_get_device_name(list[i]), name) == 0)
			return true;
	}
	return false;
}

/* Is the device @id is bound to in the system's list? */
static bool nvmf_rdma_id_device_listed(struct rdma_cm_id *id)
{
	struct ibv_device **list;
	bool listed;
	int n = 0;

	if (id->verbs == NULL)
		return true; /* bound to no device (a wildcard address) */
	list = ibv_get_device_list(&n);
	if (list == NULL)
		return false;
	listed = nvmf_rdma_device_listed(list, n, ibv_get_device_name(id->verbs->device));
	ibv_free_device_list(list);
	return listed;
}

void nvmf_rdma_listener_lost(struct nvmf_rdma_listener *l)
{
	log_warn(NVMF_RDMA_LOG,
		 "listener %s:%s: its RDMA device was removed; listening again once the address "
		 "is back on a device",
		 l->addr.traddr, l->addr.trsvcid);
	/* No object of ours hangs on a listener's id: it can go now. */
	l->id->context = NULL;
	rdma_destroy_id(l->id);
	l->id = NULL;
	l->retry_at = env_ticks() + env_ticks_hz() * NVMF_RDMA_RELISTEN_US / 1000000u;
}

/* A lost listener tries to listen again. */
static void nvmf_rdma_relisten(struct nvmf_rdma_transport *t, struct nvmf_rdma_listener *l,
			       uint64_t now)
{
	struct rdma_cm_id *id;
	int rc;

	if (now < l->retry_at)
		return;
	l->retry_at = now + env_ticks_hz() * NVMF_RDMA_RELISTEN_US / 1000000u;
	rc = nvmf_rdma_listen_id(t, &l->addr, l, &id);
	if (rc == 0 && !nvmf_rdma_id_device_listed(id)) {
		/* Bound to the device that is still on its way out. */
		rdma_destroy_id(id);
		rc = -ENODEV;
	}
	if (rc != 0) {
		log_debug(NVMF_RDMA_LOG, "listener %s:%s: not yet: %s", l->addr.traddr,
			  l->addr.trsvcid, strerror(-rc));
		return;
	}
	l->id = id;
	log_notice(NVMF_RDMA_LOG, "listening on rdma %s:%s again", l->addr.traddr, l->addr.trsvcid);
}

/*
 * Devices no longer in the system's list are removed, and so are the
 * listeners bound to them (a listener's device may not be open here yet).
 */
static void nvmf_rdma_devices_scan(struct nvmf_rdma_transport *t)
{
	struct ibv_device **list;
	struct ibv_context **ctxs;
	struct nvmf_rdma_device *d;
	struct nvmf_rdma_listener *l;
	bool gone = false;
	int n = 0;

	list = ibv_get_device_list(&n);
	if (list == NULL)
		return;
	TAILQ_FOREACH(d, &t->devices, link)
	{
		if (!atomic_load(&d->removed) && !nvmf_rdma_device_listed(list, n, d->name)) {
			log_warn(NVMF_RDMA_LOG, "device %s: no longer in the system", d->name);
			nvmf_rdma_device_removed(d);
			gone = true;
		}
	}
	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (l->id != NULL && l->id->verbs != NULL &&
		    !nvmf_rdma_device_listed(list, n, ibv_get_device_name(l->id->verbs->device))) {
			nvmf_rdma_listener_lost(l);
			gone = true;
		}
	}
	ibv_free_device_list(list);
	if (gone)
		t->sync_pending = true;
	/*
	 * librdmacm closes a gone device's context when it syncs its list and
	 * no id of it is left. Our CQs, SRQs, MRs and PD on that context do not
	 * count there (a poll group may hold them with no connection, so with
	 * no id): sync only once every removed device is released.
	 */
	if (t->sync_pending) {
		TAILQ_FOREACH(d, &t->devices, link)
		{
			if (atomic_load(&d->removed) && !atomic_load(&d->released))
				return;
		}
		ctxs = rdma_get_devices(&n);
		if (ctxs != NULL)
			rdma_free_devices(ctxs);
		t->sync_pending = false;
	}
}

void nvmf_rdma_devices_poll(struct nvmf_rdma_transport *t)
{
	struct nvmf_rdma_device *d, *next;
	struct nvmf_rdma_listener *l;
	uint64_t now = env_ticks();

	if (now < t->next_device_poll)
		return;
	t->next_device_poll = now + env_ticks_hz() * NVMF_RDMA_DEVICE_POLL_US / 1000000u;
	if (now >= t->next_device_scan) {
		t->next_device_scan = now + env_ticks_hz() * NVMF_RDMA_DEVICE_SCAN_US / 1000000u;
		nvmf_rdma_devices_scan(t);
	}
	for (d = TAILQ_FIRST(&t->devices); d != NULL; d = next) {
		next = TAILQ_NEXT(d, link);
		if (atomic_load(&d->removed) && !d->transport_ref_dropped) {
			d->transport_ref_dropped = true;
			nvmf_rdma_device_put(d);
		}
		if (atomic_load(&d->released)) {
			TAILQ_REMOVE(&t->devices, d, link);
			pthread_mutex_destroy(&d->lock);
			free(d);
			t->sync_pending = true;
		}
	}
	TAILQ_FOREACH(l, &t->listeners, link)
	{
		if (l->id == NULL)
			nvmf_rdma_relisten(t, l, now);
	}
}

void nvmf_rdma_devices_free(struct nvmf_rdma_transport *t)
{
	struct nvmf_rdma_device *d;

	while ((d = TAILQ_FIRST(&t->devices)) != NULL) {
		TAILQ_REMOVE(&t->devices, d, link);
		if (!atomic_load(&d->released))
			nvmf_rdma_device_release(d);
		pthread_mutex_destroy(&d->lock);
		free(d);
	}
}
