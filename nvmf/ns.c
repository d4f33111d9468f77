/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns.c - namespaces of a subsystem. Added and removed on the main thread;
 * published to poll groups through atomic pointers. A removed namespace is
 * freed once every poll group has passed a message boundary (no I/O path
 * still holds it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

struct nvmf_ns *nvmf_ss_ns(struct nvmf_subsystem *ss, uint32_t nsid)
{
	if (nsid == 0 || nsid > NVMF_MAX_NSID_LIMIT)
		return NULL;
	return atomic_load_explicit(&ss->ns[nsid - 1], memory_order_acquire);
}

bool nvmf_ss_has_vwc(struct nvmf_subsystem *ss)
{
	for (uint32_t nsid = 1; nsid <= ss->max_nsid; nsid++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);
		if (ns != NULL && ns->backend->volatile_cache)
			return true;
	}
	return false;
}

static uint8_t log2_u32(uint32_t v)
{
	uint8_t l = 0;

	while ((1u << (l + 1)) <= v)
		l++;
	return l;
}

static int pick_nsid(struct nvmf_subsystem *ss, uint32_t want, uint32_t *nsid)
{
	if (want != 0) {
		if (want > ss->max_nsid)
			return -EINVAL;
		if (nvmf_ss_ns(ss, want) != NULL)
			return -EEXIST;
		*nsid = want;
		return 0;
	}
	for (uint32_t i = 1; i <= ss->max_nsid; i++) {
		if (nvmf_ss_ns(ss, i) == NULL) {
			*nsid = i;
			return 0;
		}
	}
	return -ENOSPC;
}

static void ns_fill_ids(struct nvmf_ns *ns, const struct nvmf_ns_opts *opts)
{
	nvmf_ns_derive_ids(ns->ss->nqn, ns->nsid, ns->uuid, ns->nguid, ns->eui64);
	if (opts == NULL)
		return;
	if (!nvmf_mem_is_zero(opts->uuid, sizeof(opts->uuid)))
		memcpy(ns->uuid, opts->uuid, sizeof(ns->uuid));
	if (!nvmf_mem_is_zero(opts->nguid, sizeof(opts->nguid)))
		memcpy(ns->nguid, opts->nguid, sizeof(ns->nguid));
	if (!nvmf_mem_is_zero(opts->eui64, sizeof(opts->eui64)))
		memcpy(ns->eui64, opts->eui64, sizeof(ns->eui64));
}

int nvmf_subsystem_add_ns(struct nvmf_subsystem *ss, const char *backend_name,
			  const struct nvmf_ns_opts *opts)
{
	struct nvmf_backend *b = nvmf_backend_find(ss->tgt, backend_name);
	struct nvmf_ns *ns;
	uint32_t nsid;
	int rc;

	if (b == NULL)
		return -ENOENT;
	if (b->block_size == 0 || b->size < b->block_size ||
	    (opts != NULL && opts->anagrpid > NVMF_ANA_GRP_MAX))
		return -EINVAL;
	for (uint32_t i = 1; i <= NVMF_MAX_NSID_LIMIT; i++) {
		struct nvmf_ns *other = nvmf_ss_ns(ss, i);
		if (other != NULL && other->backend == b)
			return -EEXIST;
	}
	rc = pick_nsid(ss, opts ? opts->nsid : 0, &nsid);
	if (rc != 0)
		return rc;
	ns = calloc(1, sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	ns->ss = ss;
	ns->nsid = nsid;
	ns->backend = b;
	ns->block_size = b->block_size;
	ns->lbads = log2_u32(b->block_size);
	ns->nsze = b->size / b->block_size;
	ns_fill_ids(ns, opts);
	ns->stats_id = ++ss->tgt->ns_serial;
	if (nvmf_resv_ns_init(ns) != 0) {
		free(ns);
		return -ENOMEM;
	}
	ns->anagrpid = opts && opts->anagrpid ? opts->anagrpid : 1;
	b->refs++;
	atomic_store_explicit(&ss->ns[nsid - 1], ns, memory_order_release);
	ss->num_ns++;
	if (ss->tgt->started)
		nvmf_ctrlr_ns_changed(ss, nsid);
	return (int)nsid;
}

static void ns_release_ack(void *arg)
{
	struct nvmf_ns *ns = arg;
	struct nvmf_tgt *tgt = ns->tgt;

	if (--ns->release_pending > 0)
		return;
	tgt->pending_ns_free--;
	nvmf_resv_ns_free(ns);
	free(ns);
}

static void ns_release_on_group(void *arg)
{
	struct nvmf_ns *ns = arg;

	/* Not ns->ss: a subsystem without controllers is freed at once. */
	if (nvmf_msg_send(nvmf_main_pg(ns->tgt), ns_release_ack, ns) != 0)
		log_error("nvmf", "namespace %u: release lost (message ring full); kept", ns->nsid);
}

/*
 * Free @ns once every poll group has passed a message boundary after it was
 * unpublished: an I/O path that loaded the pointer before is done with it
 * (a bio in flight holds the backend channel, never the namespace). The
 * count lives in @ns itself, so no allocation can fail here.
 */
static void ns_release(struct nvmf_tgt *tgt, struct nvmf_ns *ns)
{
	if (!tgt->started) {
		nvmf_resv_ns_free(ns);
		free(ns); /* no poll group runs: none can hold it */
		return;
	}
	ns->tgt = tgt;
	ns->release_pending = tgt->ngroups;
	tgt->pending_ns_free++;
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		if (nvmf_msg_send(tgt->groups[i], ns_release_on_group, ns) != 0) {
			log_error("nvmf", "namespace %u: release lost (message ring full); kept",
				  ns->nsid);
		}
	}
}

int nvmf_subsystem_remove_ns(struct nvmf_subsystem *ss, uint32_t nsid)
{
	struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

	if (ns == NULL)
		return -ENOENT;
	atomic_store_explicit(&ss->ns[nsid - 1], NULL, memory_order_release);
	ss->num_ns--;
	ns->backend->refs--;
	if (ss->tgt->started)
		nvmf_ctrlr_ns_changed(ss, nsid);
	ns_release(ss->tgt, ns);
	return 0;
}
