/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_gone.c - a backend whose device went away (a local SSD pulled
 * out, or failed): every namespace it serves is removed from its subsystem
 * on the main thread, so hosts get Namespace Attribute Changed and stop
 * using it; the other namespaces keep serving.
 *
 * A device is found gone by the poll of an I/O channel on it, or, when no
 * I/O runs (no channel, or every poll group asleep), by the main group's
 * timer (nvmf_backends_check()), which asks each backend to look.
 *
 * Without re-attach ops the backend stays registered until it is deleted
 * (conf reload or RPC). With them (nvmf_backends_gone_reattach()) the
 * places of its namespaces are recorded, its backends are deleted so the
 * device is let go, and the main group's timer waits for the device to
 * come back: then the backends are registered again and the namespaces
 * return where they were (see enum nvmf_reattach_state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvmf/backend.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

#define GONE_LOG "nvmf"
#define REATTACH_PERIOD_MS 1000

struct gone_ctx {
	struct nvmf_tgt *tgt;
	nvmf_backend_match_fn match;
	const void *key;
	struct nvmf_reattach *ra; /* NULL: no re-attach */
};

static void reattach_free(struct nvmf_reattach *ra)
{
	if (ra->ops->free != NULL)
		ra->ops->free(ra->ctx);
	free(ra->names);
	free(ra->places);
	free(ra);
}

/* Note where namespace @ns was, so that it can come back there. */
static void place_record(struct nvmf_reattach *ra, const struct nvmf_ns *ns)
{
	struct nvmf_reattach_place *p, *grown;

	grown = realloc(ra->places, (ra->nplaces + 1) * sizeof(*grown));
	if (grown == NULL) {
		log_error(GONE_LOG, "namespace %u (%s): no memory; it will not come back", ns->nsid,
			  ns->backend->name);
		return;
	}
	ra->places = grown;
	p = &grown[ra->nplaces++];
	memset(p, 0, sizeof(*p));
	snprintf(p->nqn, sizeof(p->nqn), "%s", ns->ss->nqn);
	snprintf(p->backend, sizeof(p->backend), "%s", ns->backend->name);
	p->opts.nsid = ns->nsid;
	memcpy(p->opts.uuid, ns->uuid, sizeof(p->opts.uuid));
	memcpy(p->opts.nguid, ns->nguid, sizeof(p->opts.nguid));
	memcpy(p->opts.eui64, ns->eui64, sizeof(p->opts.eui64));
	p->opts.anagrpid = ns->anagrpid;
}

/* The names of the device's backends, to delete them and wait for them. */
static int names_record(struct nvmf_reattach *ra, struct gone_ctx *cx)
{
	struct nvmf_backend *b;
	unsigned n = 0;

	TAILQ_FOREACH(b, &cx->tgt->backends, link)
	n += cx->match(b, cx->key);
	ra->names = calloc(n ? n : 1, sizeof(*ra->names));
	if (ra->names == NULL)
		return -ENOMEM;
	TAILQ_FOREACH(b, &cx->tgt->backends, link)
	{
		if (cx->match(b, cx->key))
			snprintf(ra->names[ra->nnames++], sizeof(ra->names[0]), "%s", b->name);
	}
	return 0;
}

static void gone_main(void *arg)
{
	struct gone_ctx *cx = arg;
	struct nvmf_subsystem *ss;

	if (cx->ra != NULL && names_record(cx->ra, cx) != 0) {
		log_error(GONE_LOG, "no memory: a gone device will not be attached again");
		reattach_free(cx->ra);
		cx->ra = NULL;
	}
	TAILQ_FOREACH(ss, &cx->tgt->subsystems, link)
	{
		for (uint32_t nsid = 1; nsid <= NVMF_MAX_NSID_LIMIT; nsid++) {
			struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

			if (ns == NULL || !cx->match(ns->backend, cx->key))
				continue;
			log_error(GONE_LOG,
				  "subsystem %s: namespace %u (%s) removed: its device is gone",
				  ss->nqn, nsid, ns->backend->name);
			if (cx->ra != NULL)
				place_record(cx->ra, ns);
			(void)nvmf_subsystem_remove_ns(ss, nsid);
		}
	}
	if (cx->ra != NULL)
		TAILQ_INSERT_TAIL(&cx->tgt->reattach, cx->ra, link);
	free(cx);
}

int nvmf_backends_gone_reattach(struct nvmf_tgt *tgt, nvmf_backend_match_fn match, const void *key,
				const struct nvmf_reattach_ops *ops, void *ctx)
{
	struct gone_ctx *cx = calloc(1, sizeof(*cx));

	if (cx != NULL && ops != NULL) {
		cx->ra = calloc(1, sizeof(*cx->ra));
		if (cx->ra == NULL) {
			free(cx);
			cx = NULL;
		}
	}
	if (cx == NULL) {
		if (ops != NULL && ops->free != NULL)
			ops->free(ctx);
		return -ENOMEM;
	}
	cx->tgt = tgt;
	cx->match = match;
	cx->key = key;
	if (cx->ra != NULL) {
		cx->ra->state = NVMF_REATTACH_RELEASING;
		cx->ra->ops = ops;
		cx->ra->ctx = ctx;
	}
	if (nvmf_msg_send(nvmf_main_pg(tgt), gone_main, cx) != 0) {
		if (cx->ra != NULL)
			reattach_free(cx->ra);
		free(cx);
		return -EAGAIN;
	}
	return 0;
}

int nvmf_backends_gone(struct nvmf_tgt *tgt, nvmf_backend_match_fn match, const void *key)
{
	return nvmf_backends_gone_reattach(tgt, match, key, NULL, NULL);
}

void nvmf_backends_check(struct nvmf_tgt *tgt)
{
	struct nvmf_backend *b;

	TAILQ_FOREACH(b, &tgt->backends, link)
	{
		if (b->ops->check != NULL)
			b->ops->check(b);
	}
}

/* ---------------------------------------------------------- re-attach */

static bool name_held(const struct nvmf_backend_list *list, const char *name)
{
	const struct nvmf_backend *b;

	TAILQ_FOREACH(b, list, link)
	{
		if (strcmp(b->name, name) == 0)
			return true;
	}
	return false;
}

/* RELEASING: delete what is left of the backends. @return true once all are freed. */
static bool release_step(struct nvmf_tgt *tgt, struct nvmf_reattach *ra)
{
	bool held = false;

	for (unsigned i = 0; i < ra->nnames; i++) {
		/* -EBUSY: a namespace removal is still under way. */
		if (name_held(&tgt->backends, ra->names[i]))
			(void)nvmf_backend_delete(tgt, ra->names[i]);
		held |= name_held(&tgt->backends, ra->names[i]) ||
			name_held(&tgt->deleting, ra->names[i]);
	}
	return !held;
}

static void places_restore(struct nvmf_tgt *tgt, const struct nvmf_reattach *ra)
{
	for (unsigned i = 0; i < ra->nplaces; i++) {
		const struct nvmf_reattach_place *p = &ra->places[i];
		struct nvmf_subsystem *ss = nvmf_subsystem_find(tgt, p->nqn);
		int rc = ss ? nvmf_subsystem_add_ns(ss, p->backend, &p->opts) : -ENOENT;

		if (rc < 0)
			log_error(GONE_LOG, "subsystem %s: namespace %u (%s) cannot come back: %s",
				  p->nqn, p->opts.nsid, p->backend, strerror(-rc));
		else
			log_notice(GONE_LOG, "subsystem %s: namespace %u (%s) is back", p->nqn,
				   p->opts.nsid, p->backend);
	}
}

/* WAITING: is the device back? @return true once re-attached and restored. */
static bool wait_step(struct nvmf_tgt *tgt, struct nvmf_reattach *ra)
{
	int rc;

	if (!ra->ops->present(ra->ctx))
		return false;
	rc = ra->ops->attach(tgt, ra->ctx);
	if (rc != 0) {
		if (ra->attach_fails++ % 60 == 0)
			log_error(GONE_LOG,
				  "backend %s: its device is back but cannot be attached: %s",
				  ra->nnames ? ra->names[0] : "?", strerror(-rc));
		return false;
	}
	places_restore(tgt, ra);
	return true;
}

void nvmf_reattach_timers(struct nvmf_tgt *tgt, uint64_t now)
{
	struct nvmf_reattach *ra, *next;

	if (TAILQ_EMPTY(&tgt->reattach) || now < tgt->reattach_next)
		return;
	tgt->reattach_next = now + env_ticks_hz() * REATTACH_PERIOD_MS / 1000;
	for (ra = TAILQ_FIRST(&tgt->reattach); ra != NULL; ra = next) {
		next = TAILQ_NEXT(ra, link);
		if (ra->state == NVMF_REATTACH_RELEASING) {
			if (!release_step(tgt, ra))
				continue;
			log_notice(GONE_LOG,
				   "backend %s: device let go; waiting for it to come back",
				   ra->nnames ? ra->names[0] : "?");
			ra->state = NVMF_REATTACH_WAITING;
		}
		if (wait_step(tgt, ra)) {
			TAILQ_REMOVE(&tgt->reattach, ra, link);
			reattach_free(ra);
		}
	}
}

void nvmf_reattach_free_all(struct nvmf_tgt *tgt)
{
	struct nvmf_reattach *ra;

	while ((ra = TAILQ_FIRST(&tgt->reattach)) != NULL) {
		TAILQ_REMOVE(&tgt->reattach, ra, link);
		reattach_free(ra);
	}
}
