/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.c - what run-time control needs from the core beyond set-up:
 * transports added while running, the main-loop poller, listings of
 * transports, backends, subsystems, hosts, listeners and namespaces, and
 * backend deletion. Main thread only (the transport part messages the
 * poll groups).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"
#include "nvmf/nvmf_internal.h"

/* ------------------------------------------------------------ transports */

struct tr_added {
	struct nvmf_poll_group *pg;
	uint32_t idx; /* the transport's index in tgt->tr */
};

static void tgroup_create_on_group(struct nvmf_poll_group *pg, uint32_t idx)
{
	struct nvmf_tr *tr = &pg->tgt->tr[idx];

	pg->tgroups[idx] = tr->ops->group_create(tr->t);
	if (pg->tgroups[idx] == NULL)
		log_error("nvmf",
			  "poll group %u: %s transport group failed; its connections go elsewhere",
			  pg->idx, tr->ops->name);
	else
		nvmf_pg_idle_tr_added(pg, idx);
}

static void tgroup_create_msg(void *arg)
{
	struct tr_added *m = arg;

	tgroup_create_on_group(m->pg, m->idx);
	free(m);
}

struct scratch_swap {
	struct nvmf_poll_group *pg;
	struct env_pool *pool;
	uint32_t size;
};

/* On the group's thread: Compare buffers come from the bigger pool from now on. */
static void scratch_swap_on_group(void *arg)
{
	struct scratch_swap *m = arg;
	struct nvmf_poll_group *pg = m->pg;

	/* Buffers in use go back to their own pool (ctx->scratch_pool). */
	pg->old_scratch[pg->nold_scratch++] = pg->scratch;
	pg->scratch = m->pool;
	pg->scratch_size = m->size;
	free(m);
}

static void scratch_swaps_free(struct scratch_swap **m, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (m[i] != NULL)
			env_pool_free(m[i]->pool);
		free(m[i]);
	}
}

int nvmf_tgt_runtime_scratch_fit(struct nvmf_tgt *tgt, uint32_t max_io_size)
{
	struct scratch_swap *m[NVMF_MAX_GROUPS] = {0};
	char name[32];

	if (max_io_size <= tgt->scratch_size)
		return 0;
	/* Each grow is for a transport added while running: fewer than NVMF_MAX_TRANSPORTS. */
	if (tgt->scratch_grows >= NVMF_MAX_TRANSPORTS)
		return -ENOMEM;
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		m[i] = calloc(1, sizeof(*m[i]));
		snprintf(name, sizeof(name), "nvmf_cmp%u_%u", i, tgt->scratch_grows + 1);
		if (m[i] != NULL)
			m[i]->pool = env_pool_create(name, NVMF_SCRATCH_PER_GROUP, max_io_size, 0);
		if (m[i] == NULL || m[i]->pool == NULL) {
			scratch_swaps_free(m, i + 1);
			return -ENOMEM;
		}
		m[i]->pg = tgt->groups[i];
		m[i]->size = max_io_size;
	}
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		/* Not sent: that group keeps the small buffers and fails a larger Compare. */
		if (nvmf_msg_send(m[i]->pg, scratch_swap_on_group, m[i]) != 0)
			scratch_swaps_free(&m[i], 1);
	}
	tgt->scratch_size = max_io_size;
	tgt->scratch_grows++;
	return 0;
}

void nvmf_tgt_runtime_tr_added(struct nvmf_tgt *tgt, struct nvmf_tr *tr)
{
	uint32_t idx = (uint32_t)(tr - tgt->tr);

	/* Group 0 is this thread. Each other group gets the message before
	 * any connection of the new transport: one ring, FIFO. */
	tgroup_create_on_group(tgt->groups[0], idx);
	for (uint32_t i = 1; i < tgt->ngroups; i++) {
		struct tr_added *m = malloc(sizeof(*m));

		if (m == NULL) {
			log_error("nvmf", "poll group %u: no memory to add the %s transport", i,
				  tr->ops->name);
			continue;
		}
		m->pg = tgt->groups[i];
		m->idx = idx;
		if (nvmf_msg_send(m->pg, tgroup_create_msg, m) != 0)
			free(m);
	}
}

void nvmf_tgt_foreach_transport(struct nvmf_tgt *tgt,
				void (*cb)(void *arg, const char *name,
					   const struct nvmf_transport_opts *opts),
				void *arg)
{
	for (uint32_t i = 0; i < tgt->ntr; i++)
		cb(arg, nvmf_tr_name(&tgt->tr[i]), &tgt->tr[i].opts);
}

/* ------------------------------------------------------------- main loop */

void nvmf_tgt_set_main_poller(struct nvmf_tgt *tgt, nvmf_main_poll_fn fn, void *arg)
{
	tgt->main_poller = fn;
	tgt->main_poller_arg = arg;
}

int nvmf_tgt_set_main_wait_fd(struct nvmf_tgt *tgt, int fd)
{
	struct nvmf_poll_group *pg = nvmf_main_pg(tgt);

	if (fd < 0)
		return -EBADF;
	tgt->main_wait_fd = fd + 1;
	if (pg == NULL || !tgt->started)
		return 0; /* nvmf_pg_idle_init adds it */
	return nvmf_pg_idle_add_fd(pg, fd);
}

void nvmf_tgt_get_opts(const struct nvmf_tgt *tgt, struct nvmf_tgt_opts *opts)
{
	*opts = tgt->opts;
}

bool nvmf_tgt_running(const struct nvmf_tgt *tgt)
{
	return tgt->started;
}

/* -------------------------------------------------------------- backends */

void nvmf_backend_get_info(const struct nvmf_backend *b, struct nvmf_backend_info *info)
{
	info->name = b->name;
	info->type = b->ops->type;
	info->size = b->size;
	info->block_size = b->block_size;
	info->refs = b->refs;
	info->volatile_cache = b->volatile_cache;
	info->path = b->path;
	info->nsid = b->nsid;
}

void nvmf_backend_foreach(struct nvmf_tgt *tgt,
			  void (*cb)(void *arg, const struct nvmf_backend_info *info), void *arg)
{
	struct nvmf_backend_info info;
	struct nvmf_backend *b;

	TAILQ_FOREACH(b, &tgt->backends, link)
	{
		nvmf_backend_get_info(b, &info);
		cb(arg, &info);
	}
}

/*
 * Deleting a backend while the target runs (main thread):
 *
 *   nvmf_backend_delete: out of the list (its name is free at once), onto
 *     tgt->deleting; "close your channel" to every group, behind the
 *     messages of the namespace removal that dropped its last reference
 *   each group: no channel -> ack; else the channel closes from the
 *     group's poll once nothing holds it (bios in flight, reads served in
 *     place that the transport has not released) -> ack
 *   last ack: the backend is destroyed and its id freed for reuse
 */
struct nvmf_backend_del {
	struct nvmf_tgt *tgt;
	struct nvmf_backend *b;
	uint32_t remaining; /* groups that have not acked */
	struct del_msg {
		struct nvmf_backend_del *d;
		struct nvmf_poll_group *pg;
	} msgs[];
};

static void backend_free(struct nvmf_tgt *tgt, struct nvmf_backend *b)
{
	tgt->backend_by_id[b->id] = NULL;
	free(b->del);
	b->del = NULL;
	b->ops->destroy(b);
}

static void backend_del_on_group(void *arg)
{
	struct del_msg *m = arg;

	nvmf_pg_channel_close(m->pg, m->d->b);
}

void nvmf_backend_del_ack(void *arg)
{
	struct nvmf_backend *b = arg;
	struct nvmf_tgt *tgt = b->del->tgt;

	if (--b->del->remaining > 0)
		return;
	TAILQ_REMOVE(&tgt->deleting, b, link);
	backend_free(tgt, b);
}

void nvmf_backend_del_flush(struct nvmf_tgt *tgt)
{
	struct nvmf_backend *b;

	while ((b = TAILQ_FIRST(&tgt->deleting)) != NULL) {
		TAILQ_REMOVE(&tgt->deleting, b, link);
		backend_free(tgt, b);
	}
}

int nvmf_backend_delete(struct nvmf_tgt *tgt, const char *name)
{
	struct nvmf_backend *b = nvmf_backend_find(tgt, name);
	struct nvmf_backend_del *d;

	if (b == NULL)
		return -ENOENT;
	if (b->refs > 0)
		return -EBUSY;
	if (!tgt->started) {
		/* No poll group: nobody can hold it. */
		TAILQ_REMOVE(&tgt->backends, b, link);
		backend_free(tgt, b);
		return 0;
	}
	d = calloc(1, sizeof(*d) + tgt->ngroups * sizeof(d->msgs[0]));
	if (d == NULL)
		return -ENOMEM;
	d->tgt = tgt;
	d->b = b;
	d->remaining = tgt->ngroups;
	b->del = d;
	TAILQ_REMOVE(&tgt->backends, b, link);
	TAILQ_INSERT_TAIL(&tgt->deleting, b, link);
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		d->msgs[i].d = d;
		d->msgs[i].pg = tgt->groups[i];
		/* On failure the backend stays on tgt->deleting until the target is destroyed. */
		if (nvmf_msg_send(tgt->groups[i], backend_del_on_group, &d->msgs[i]) != 0)
			log_error("nvmf", "backend %s: poll group %u not told; freed at exit", name,
				  i);
	}
	return 0;
}

/* ------------------------------------------------------------ subsystems */

void nvmf_subsystem_foreach(struct nvmf_tgt *tgt, void (*cb)(void *arg, struct nvmf_subsystem *ss),
			    void *arg)
{
	struct nvmf_subsystem *ss = TAILQ_FIRST(&tgt->subsystems), *next;

	/* @cb may delete @ss. */
	for (; ss != NULL; ss = next) {
		next = TAILQ_NEXT(ss, link);
		cb(arg, ss);
	}
}

void nvmf_subsystem_get_info(const struct nvmf_subsystem *ss, struct nvmf_subsystem_info *info)
{
	info->nqn = ss->nqn;
	info->sn = ss->sn;
	info->mn = ss->mn;
	info->max_nsid = ss->max_nsid;
	info->num_ns = ss->num_ns;
	info->num_ctrlrs = ss->num_ctrlrs;
	info->allow_any_host = ss->allow_any_host;
	info->admin_passthru = ss->admin_passthru;
}

void nvmf_subsystem_foreach_host(struct nvmf_subsystem *ss,
				 void (*cb)(void *arg, const char *hostnqn), void *arg)
{
	struct nvmf_host *h;

	TAILQ_FOREACH(h, &ss->hosts, link)
	cb(arg, h->nqn);
}

void nvmf_subsystem_foreach_listener(struct nvmf_subsystem *ss,
				     void (*cb)(void *arg, const struct nvmf_listen_addr *addr),
				     void *arg)
{
	struct nvmf_ss_listener *sl;

	TAILQ_FOREACH(sl, &ss->listeners, link)
	cb(arg, &sl->l->addr);
}

void nvmf_subsystem_foreach_ns(struct nvmf_subsystem *ss,
			       void (*cb)(void *arg, const struct nvmf_ns_info *ns), void *arg)
{
	struct nvmf_ns_info info;

	for (uint32_t nsid = 1; nsid <= NVMF_MAX_NSID_LIMIT; nsid++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

		if (ns == NULL)
			continue;
		info.nsid = nsid;
		info.backend_name = ns->backend->name;
		memcpy(info.uuid, ns->uuid, sizeof(info.uuid));
		memcpy(info.nguid, ns->nguid, sizeof(info.nguid));
		memcpy(info.eui64, ns->eui64, sizeof(info.eui64));
		info.anagrpid = ns->anagrpid;
		cb(arg, &info);
	}
}
