/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tgt.c - the target object: transports, backends, start, the main loop and
 * shutdown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "env.h"
#include "util.h"
#include "util_tls_psk.h"
#include "nvmf/nvmf_internal.h"

#define SHUTDOWN_WARN_S 5
#define SHUTDOWN_GIVE_UP_S 30

void nvmf_tgt_opts_init(struct nvmf_tgt_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_subsystems = 1024;
	opts->idle_sleep = true; /* sleeps on events when idle (nvmf/idle.c) */
	opts->idle_us = 1000;
	snprintf(opts->resv_dir, sizeof(opts->resv_dir), "%s", NVMF_RESV_DIR_DEFAULT);
}

static int discovery_ss_create(struct nvmf_tgt *tgt)
{
	struct nvmf_subsystem *ss = calloc(1, sizeof(*ss));

	if (ss == NULL)
		return -ENOMEM;
	ss->tgt = tgt;
	snprintf(ss->nqn, sizeof(ss->nqn), "%s", NVMF_DISCOVERY_NQN);
	ss->discovery = true;
	ss->allow_any_host = true;
	ss->next_cntlid = NVMF_CNTLID_MIN;
	TAILQ_INIT(&ss->hosts);
	TAILQ_INIT(&ss->listeners);
	TAILQ_INIT(&ss->ctrlrs);
	tgt->discovery = ss;
	return 0;
}

int nvmf_tgt_create(const struct nvmf_tgt_opts *opts, struct nvmf_tgt **out)
{
	struct nvmf_tgt *tgt = calloc(1, sizeof(*tgt));

	if (tgt == NULL)
		return -ENOMEM;
	if (opts != NULL)
		tgt->opts = *opts;
	else
		nvmf_tgt_opts_init(&tgt->opts);
	if (tgt->opts.max_subsystems == 0)
		tgt->opts.max_subsystems = 1024;
	TAILQ_INIT(&tgt->subsystems);
	TAILQ_INIT(&tgt->listeners);
	TAILQ_INIT(&tgt->backends);
	TAILQ_INIT(&tgt->deleting);
	TAILQ_INIT(&tgt->referrals);
	TAILQ_INIT(&tgt->keys);
	TAILQ_INIT(&tgt->reattach);
	nvmf_discovery_nqn_default_init(tgt);
	tgt->genctr = 1;
	tgt->up.ctx = tgt;
	tgt->up.new_qpair = nvmf_upcall_new_qpair;
	tgt->up.exec = nvmf_upcall_exec;
	tgt->up.qpair_closed = nvmf_upcall_qpair_closed;
	tgt->up.c2h_release = nvmf_upcall_c2h_release;
	tgt->keyring = tls_keyring_create();
	tgt->up.keyring = tgt->keyring;
	if (tgt->keyring == NULL || discovery_ss_create(tgt) != 0) {
		tls_keyring_destroy(tgt->keyring);
		free(tgt);
		return -ENOMEM;
	}
	*out = tgt;
	return 0;
}

int nvmf_tgt_add_transport_ops(struct nvmf_tgt *tgt, const struct nvmf_transport_ops *ops,
			       const struct nvmf_transport_opts *opts)
{
	struct nvmf_tr *tr;

	if (nvmf_tgt_tr_find(tgt, ops->trtype) != NULL)
		return -EEXIST;
	if (tgt->ntr == NVMF_MAX_TRANSPORTS)
		return -ENOSPC;
	if (tgt->started && nvmf_tgt_runtime_scratch_fit(tgt, opts->max_io_size) != 0)
		return -ENOMEM;
	tr = &tgt->tr[tgt->ntr];
	tr->ops = ops;
	tr->opts = *opts;
	tr->t = nvmf_tr_create(tr, &tgt->up);
	if (tr->t == NULL)
		return -ENOMEM;
	tgt->ntr++;
	if (tgt->started)
		nvmf_tgt_runtime_tr_added(tgt, tr);
	return 0;
}

int nvmf_tgt_add_transport(struct nvmf_tgt *tgt, const struct nvmf_transport_opts *opts)
{
	const struct nvmf_transport_ops *ops = nvmf_transport_ops_get(opts->trtype);

	if (ops == NULL)
		return -ENOTSUP;
	return nvmf_tgt_add_transport_ops(tgt, ops, opts);
}

const struct nvmf_transport_opts *nvmf_tgt_opts_of(struct nvmf_tgt *tgt, struct nvmf_conn *c)
{
	(void)tgt;
	return &c->tr->opts;
}

void nvmf_tgt_genctr_bump(struct nvmf_tgt *tgt)
{
	tgt->genctr++;
	if (tgt->started)
		nvmf_ctrlr_disc_changed(tgt);
}

/* ------------------------------------------------------------- backends */

int nvmf_tgt_backend_register(struct nvmf_tgt *tgt, struct nvmf_backend *b)
{
	for (uint32_t id = 0; id < NVMF_MAX_BACKENDS; id++) {
		if (tgt->backend_by_id[id] == NULL) {
			b->id = id;
			tgt->backend_by_id[id] = b;
			TAILQ_INSERT_TAIL(&tgt->backends, b, link);
			return 0;
		}
	}
	return -ENOSPC;
}

static int backend_add(struct nvmf_tgt *tgt, int rc, struct nvmf_backend *b)
{
	if (rc != 0)
		return rc;
	if (b == NULL)
		return -ENOMEM;
	rc = nvmf_tgt_backend_register(tgt, b);
	if (rc != 0)
		b->ops->destroy(b);
	return rc;
}

int nvmf_backend_ram_create(struct nvmf_tgt *tgt, const char *name, uint64_t size,
			    uint32_t block_size)
{
	struct nvmf_backend *b = NULL;

	if (nvmf_backend_find(tgt, name) != NULL)
		return -EEXIST;
	int rc = nvmf_backend_ram_new(name, size, block_size, &b);

	return backend_add(tgt, rc, b);
}

int nvmf_backend_null_create(struct nvmf_tgt *tgt, const char *name, uint64_t size,
			     uint32_t block_size)
{
	struct nvmf_backend *b = NULL;

	if (nvmf_backend_find(tgt, name) != NULL)
		return -EEXIST;
	int rc = nvmf_backend_null_new(name, size, block_size, &b);

	return backend_add(tgt, rc, b);
}

int nvmf_backend_file_create(struct nvmf_tgt *tgt, const char *name, const char *path,
			     uint64_t size, uint32_t block_size)
{
	struct nvmf_backend *b = NULL;

	if (nvmf_backend_find(tgt, name) != NULL)
		return -EEXIST;
	int rc = nvmf_backend_file_new(name, path, size, block_size, &b);

	return backend_add(tgt, rc, b);
}

struct nvmf_backend *nvmf_backend_find(struct nvmf_tgt *tgt, const char *name)
{
	struct nvmf_backend *b;

	TAILQ_FOREACH(b, &tgt->backends, link)
	{
		if (strcmp(b->name, name) == 0)
			return b;
	}
	return NULL;
}

/* ---------------------------------------------------------------- start */

static void log_subsystem(struct nvmf_subsystem *ss)
{
	uint32_t nl = 0, nh = 0;
	struct nvmf_ss_listener *sl;
	struct nvmf_host *h;

	TAILQ_FOREACH(sl, &ss->listeners, link)
	nl++;
	TAILQ_FOREACH(h, &ss->hosts, link)
	nh++;
	if (ss->allow_any_host)
		log_notice("nvmf", "subsystem %s: %u namespace%s, %u listener%s, any host", ss->nqn,
			   ss->num_ns, ss->num_ns == 1 ? "" : "s", nl, nl == 1 ? "" : "s");
	else
		log_notice("nvmf", "subsystem %s: %u namespace%s, %u listener%s, %u allowed host%s",
			   ss->nqn, ss->num_ns, ss->num_ns == 1 ? "" : "s", nl, nl == 1 ? "" : "s",
			   nh, nh == 1 ? "" : "s");
}

static int listeners_open(struct nvmf_tgt *tgt)
{
	struct nvmf_listener *l;
	char buf[320];

	TAILQ_FOREACH(l, &tgt->listeners, link)
	{
		struct nvmf_tr *tr = nvmf_tgt_tr_find(tgt, l->addr.trtype);
		int rc = tr ? nvmf_tr_listen(tr, &l->addr) : -ENOTSUP;

		nvmf_listen_addr_fmt(&l->addr, buf, sizeof(buf));
		if (rc != 0) {
			log_error("nvmf", "cannot listen on %s: %s", buf, strerror(-rc));
			return rc;
		}
		l->listening = true;
		log_notice("nvmf", "listening on %s", buf);
	}
	return 0;
}

static void listeners_close(struct nvmf_tgt *tgt)
{
	struct nvmf_listener *l;

	TAILQ_FOREACH(l, &tgt->listeners, link)
	{
		if (l->listening)
			nvmf_tr_stop_listen(nvmf_tgt_tr_find(tgt, l->addr.trtype), &l->addr);
		l->listening = false;
	}
}

static int groups_create(struct nvmf_tgt *tgt)
{
	uint32_t main_core = env_main_core();
	int rc = nvmf_pg_create(tgt, 0, main_core, &tgt->groups[0]);

	if (rc != 0)
		return rc;
	tgt->ngroups = 1;
	for (uint32_t core = env_core_next(ENV_CORE_ANY); core != ENV_CORE_ANY;
	     core = env_core_next(core)) {
		if (core == main_core || tgt->ngroups == NVMF_MAX_GROUPS)
			continue;
		rc = nvmf_pg_create(tgt, tgt->ngroups, core, &tgt->groups[tgt->ngroups]);
		if (rc != 0)
			return rc;
		tgt->ngroups++;
	}
	return nvmf_pg_init_on_thread(tgt->groups[0]);
}

static void groups_stop(struct nvmf_tgt *tgt)
{
	for (uint32_t i = 1; i < tgt->ngroups; i++) {
		struct nvmf_poll_group *pg = tgt->groups[i];
		if (pg->thread_started) {
			atomic_store_explicit(&pg->stop, true, memory_order_release);
			nvmf_pg_wake(pg);
			env_thread_join(pg->core);
		}
	}
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		nvmf_pg_destroy(tgt->groups[i]);
		tgt->groups[i] = NULL;
	}
	tgt->ngroups = 0;
}

int nvmf_tgt_start(struct nvmf_tgt *tgt)
{
	struct nvmf_subsystem *ss;
	int rc;

	if (tgt->started)
		return -EALREADY;
	tgt->start_tick = env_ticks();
	rc = groups_create(tgt);
	for (uint32_t i = 1; rc == 0 && i < tgt->ngroups; i++) {
		rc = env_thread_launch(tgt->groups[i]->core, nvmf_pg_thread, tgt->groups[i]);
		tgt->groups[i]->thread_started = rc == 0;
	}
	if (rc == 0)
		rc = listeners_open(tgt);
	if (rc != 0) {
		listeners_close(tgt);
		groups_stop(tgt);
		return rc;
	}
	tgt->started = true;
	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	log_subsystem(ss);
	return 0;
}

/* ----------------------------------------------------------------- loop */

int nvmf_tgt_poll(struct nvmf_tgt *tgt)
{
	int busy = nvmf_pg_poll(tgt->groups[0]);

	if (!tgt->shutting_down) {
		for (uint32_t i = 0; i < tgt->ntr; i++)
			busy |= nvmf_tr_accept(&tgt->tr[i]);
		if (tgt->main_poller != NULL)
			busy |= tgt->main_poller(tgt->main_poller_arg);
	}
	return busy;
}

void nvmf_tgt_stop_async(struct nvmf_tgt *tgt)
{
	atomic_store_explicit(&tgt->stop_requested, 1, memory_order_relaxed);
	if (nvmf_main_pg(tgt) != NULL)
		nvmf_pg_wake(nvmf_main_pg(tgt)); /* a write(): async-signal-safe */
}

static void idle_nap(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000};

	nanosleep(&ts, NULL);
}

/* A stop request counts as work: the main thread must not go to sleep on it. */
static int tgt_poll_cb(void *arg)
{
	struct nvmf_tgt *tgt = arg;

	return nvmf_tgt_poll(tgt) |
	       (atomic_load_explicit(&tgt->stop_requested, memory_order_relaxed) != 0);
}

int nvmf_tgt_run(struct nvmf_tgt *tgt)
{
	uint64_t idle_since = env_ticks();

	while (!atomic_load_explicit(&tgt->stop_requested, memory_order_relaxed))
		nvmf_pg_loop_once(nvmf_main_pg(tgt), tgt_poll_cb, tgt, &idle_since);
	nvmf_tgt_shutdown(tgt);
	return 0;
}

static void close_all_msg(void *arg)
{
	struct nvmf_poll_group *pg = arg;
	struct nvmf_conn *c;

	TAILQ_FOREACH(c, &pg->conns, link)
	nvmf_conn_close(c);
}

static void teardown_all_ctrlrs(struct nvmf_subsystem *ss)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	nvmf_ctrlr_teardown(ctrlr, "target shutting down");
}

static bool shutdown_done(struct nvmf_tgt *tgt)
{
	return atomic_load(&tgt->live_conns) == 0 && tgt->num_ctrlrs == 0 &&
	       tgt->pending_ns_free == 0 && tgt->pending_resv_views == 0 &&
	       TAILQ_EMPTY(&tgt->deleting);
}

void nvmf_tgt_shutdown(struct nvmf_tgt *tgt)
{
	struct nvmf_subsystem *ss;
	uint64_t hz = env_ticks_hz(), t0 = env_ticks();
	bool warned = false;

	if (!tgt->started)
		return;
	tgt->shutting_down = true;
	listeners_close(tgt);
	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	teardown_all_ctrlrs(ss);
	teardown_all_ctrlrs(tgt->discovery);
	for (uint32_t i = 0; i < tgt->ngroups; i++)
		nvmf_msg_send(tgt->groups[i], close_all_msg, tgt->groups[i]);
	while (!shutdown_done(tgt)) {
		uint64_t waited = (env_ticks() - t0) / hz;
		if (nvmf_tgt_poll(tgt) == NVMF_POLL_IDLE)
			idle_nap();
		if (!warned && waited >= SHUTDOWN_WARN_S) {
			log_warn("nvmf", "shutdown: still waiting for %u connection(s)",
				 atomic_load(&tgt->live_conns));
			warned = true;
		}
		if (waited >= SHUTDOWN_GIVE_UP_S) {
			log_error("nvmf", "shutdown: connections did not close; giving up");
			break;
		}
	}
	groups_stop(tgt);
	tgt->started = false;
	tgt->shutting_down = false;
}

void nvmf_tgt_destroy(struct nvmf_tgt *tgt)
{
	struct nvmf_subsystem *ss;
	struct nvmf_backend *b;

	if (tgt == NULL)
		return;
	nvmf_tgt_shutdown(tgt);
	while ((ss = TAILQ_FIRST(&tgt->subsystems)) != NULL) {
		TAILQ_REMOVE(&tgt->subsystems, ss, link);
		nvmf_ss_free(ss);
	}
	nvmf_ss_free(tgt->discovery);
	nvmf_referrals_free(tgt);
	nvmf_reattach_free_all(tgt);
	nvmf_backend_del_flush(tgt);
	while ((b = TAILQ_FIRST(&tgt->backends)) != NULL) {
		TAILQ_REMOVE(&tgt->backends, b, link);
		b->ops->destroy(b);
	}
	for (uint32_t i = 0; i < tgt->ntr; i++)
		nvmf_tr_destroy(&tgt->tr[i]);
	tls_keyring_destroy(tgt->keyring);
	nvmf_keyring_clear(tgt);
	free(tgt);
}

struct tls_keyring *nvmf_tgt_keyring(struct nvmf_tgt *tgt)
{
	return tgt->keyring;
}
