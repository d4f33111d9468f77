/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * subsystem.c - NVM subsystems: identity, allowed hosts, listeners.
 * Main thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "util_tls_psk.h"
#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

static bool ascii_printable(const char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			return false;
	}
	return true;
}

int nvmf_subsystem_create(struct nvmf_tgt *tgt, const char *nqn, struct nvmf_subsystem **out)
{
	struct nvmf_subsystem *ss;

	if (!nvmf_nqn_valid(nqn) || strcmp(nqn, NVMF_DISCOVERY_NQN) == 0)
		return -EINVAL;
	if (nvmf_subsystem_find(tgt, nqn) != NULL)
		return -EEXIST;
	if (tgt->nsubsystems >= tgt->opts.max_subsystems)
		return -ENOSPC;
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return -ENOMEM;
	ss->tgt = tgt;
	snprintf(ss->nqn, sizeof(ss->nqn), "%s", nqn);
	snprintf(ss->mn, sizeof(ss->mn), "%s", NVMF_DEFAULT_MN);
	snprintf(ss->sn, sizeof(ss->sn), "%016llx",
		 (unsigned long long)(tgt->nsubsystems + 1) * 0x9e3779b1ull);
	ss->max_nsid = NVMF_DEFAULT_MAX_NSID;
	ss->next_cntlid = NVMF_CNTLID_MIN;
	TAILQ_INIT(&ss->hosts);
	TAILQ_INIT(&ss->listeners);
	TAILQ_INIT(&ss->ctrlrs);
	TAILQ_INSERT_TAIL(&tgt->subsystems, ss, link);
	tgt->nsubsystems++;
	nvmf_tgt_genctr_bump(tgt);
	if (out != NULL)
		*out = ss;
	return 0;
}

struct nvmf_subsystem *nvmf_subsystem_find(struct nvmf_tgt *tgt, const char *nqn)
{
	struct nvmf_subsystem *ss;

	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		if (strcmp(ss->nqn, nqn) == 0)
			return ss;
	}
	return NULL;
}

/* Frees namespaces, hosts and listener references; no controller is left. */
void nvmf_ss_free(struct nvmf_subsystem *ss)
{
	struct nvmf_host *h;
	struct nvmf_ss_listener *sl;

	if (ss == NULL)
		return;
	for (uint32_t i = 0; i < NVMF_MAX_NSID_LIMIT; i++) {
		struct nvmf_ns *ns = atomic_load(&ss->ns[i]);
		if (ns != NULL) {
			ns->backend->refs--;
			nvmf_resv_ns_free(ns);
			free(ns);
		}
	}
	while ((h = TAILQ_FIRST(&ss->hosts)) != NULL) {
		TAILQ_REMOVE(&ss->hosts, h, link);
		nvmf_host_free(h);
	}
	while ((sl = TAILQ_FIRST(&ss->listeners)) != NULL) {
		TAILQ_REMOVE(&ss->listeners, sl, link);
		nvmf_tgt_listener_put(ss->tgt, sl->l);
		free(sl);
	}
	free(ss);
}

void nvmf_ss_ctrlr_gone(struct nvmf_subsystem *ss)
{
	if (ss->deleting && TAILQ_EMPTY(&ss->ctrlrs))
		nvmf_ss_free(ss);
}

int nvmf_subsystem_destroy(struct nvmf_subsystem *ss)
{
	struct nvmf_tgt *tgt = ss->tgt;
	struct nvmf_ctrlr *ctrlr;

	if (ss->discovery || ss->deleting)
		return -EINVAL;
	TAILQ_REMOVE(&tgt->subsystems, ss, link);
	tgt->nsubsystems--;
	ss->deleting = true;
	/* No new secure channel to it; its controllers go below. */
	tls_keyring_remove_subsystem(tgt->keyring, ss->nqn);
	nvmf_tgt_genctr_bump(tgt);
	if (TAILQ_EMPTY(&ss->ctrlrs)) {
		nvmf_ss_free(ss);
		return 0;
	}
	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	nvmf_ctrlr_teardown(ctrlr, "subsystem removed");
	return 0;
}

int nvmf_subsystem_set_sn(struct nvmf_subsystem *ss, const char *sn)
{
	if (sn == NULL || sn[0] == '\0' || strlen(sn) > 20 || !ascii_printable(sn))
		return -EINVAL;
	snprintf(ss->sn, sizeof(ss->sn), "%s", sn);
	return 0;
}

int nvmf_subsystem_set_mn(struct nvmf_subsystem *ss, const char *mn)
{
	if (mn == NULL || mn[0] == '\0' || strlen(mn) > 40 || !ascii_printable(mn))
		return -EINVAL;
	snprintf(ss->mn, sizeof(ss->mn), "%s", mn);
	return 0;
}

int nvmf_subsystem_set_max_namespaces(struct nvmf_subsystem *ss, uint32_t max)
{
	if (max == 0 || max > NVMF_MAX_NSID_LIMIT)
		return -EINVAL;
	for (uint32_t nsid = max + 1; nsid <= NVMF_MAX_NSID_LIMIT; nsid++) {
		if (nvmf_ss_ns(ss, nsid) != NULL)
			return -EINVAL;
	}
	ss->max_nsid = max;
	return 0;
}

static struct nvmf_host *host_find(struct nvmf_subsystem *ss, const char *hostnqn);

/* Close the controllers of hosts @ss no longer allows (main thread). */
static void ss_drop_disallowed(struct nvmf_subsystem *ss, const char *why)
{
	struct nvmf_ctrlr *ctrlr;

	if (ss->allow_any_host)
		return;
	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (host_find(ss, ctrlr->hostnqn) == NULL)
			nvmf_ctrlr_teardown(ctrlr, why);
	}
}

void nvmf_subsystem_set_admin_passthru(struct nvmf_subsystem *ss, bool allow)
{
	ss->admin_passthru = allow;
}

void nvmf_subsystem_set_allow_any_host(struct nvmf_subsystem *ss, bool allow)
{
	if (ss->allow_any_host == allow)
		return;
	ss->allow_any_host = allow;
	nvmf_tgt_genctr_bump(ss->tgt);
	ss_drop_disallowed(ss, "any-host access withdrawn, host not on the allow list");
}

static struct nvmf_host *host_find(struct nvmf_subsystem *ss, const char *hostnqn)
{
	struct nvmf_host *h;

	TAILQ_FOREACH(h, &ss->hosts, link)
	{
		if (strcmp(h->nqn, hostnqn) == 0)
			return h;
	}
	return NULL;
}

struct nvmf_host *nvmf_ss_host_find(struct nvmf_subsystem *ss, const char *hostnqn)
{
	return host_find(ss, hostnqn);
}

bool nvmf_ss_host_allowed(struct nvmf_subsystem *ss, const char *hostnqn)
{
	return ss->allow_any_host || host_find(ss, hostnqn) != NULL;
}

int nvmf_subsystem_add_host(struct nvmf_subsystem *ss, const char *hostnqn)
{
	struct nvmf_host *h;

	if (!nvmf_nqn_valid(hostnqn))
		return -EINVAL;
	if (host_find(ss, hostnqn) != NULL)
		return -EEXIST;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	snprintf(h->nqn, sizeof(h->nqn), "%s", hostnqn);
	TAILQ_INSERT_TAIL(&ss->hosts, h, link);
	nvmf_tgt_genctr_bump(ss->tgt);
	return 0;
}

int nvmf_subsystem_remove_host(struct nvmf_subsystem *ss, const char *hostnqn)
{
	struct nvmf_host *h = host_find(ss, hostnqn);

	if (h == NULL)
		return -ENOENT;
	TAILQ_REMOVE(&ss->hosts, h, link);
	tls_keyring_remove(ss->tgt->keyring, h->nqn, ss->nqn); /* none: fine */
	nvmf_host_free(h);
	nvmf_tgt_genctr_bump(ss->tgt);
	ss_drop_disallowed(ss, "host removed from the allow list");
	return 0;
}

struct nvmf_ss_listener *nvmf_ss_listener_find(struct nvmf_subsystem *ss,
					       const struct nvmf_listen_addr *a)
{
	struct nvmf_ss_listener *sl;

	TAILQ_FOREACH(sl, &ss->listeners, link)
	{
		if (nvmf_listen_addr_eq(&sl->l->addr, a))
			return sl;
	}
	return NULL;
}

bool nvmf_ss_has_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *a)
{
	return nvmf_ss_listener_find(ss, a) != NULL;
}

int nvmf_subsystem_add_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr)
{
	struct nvmf_ss_listener *sl;
	int rc;

	if (nvmf_ss_listener_find(ss, addr) != NULL)
		return -EEXIST;
	if (nvmf_tgt_tr_find(ss->tgt, addr->trtype) == NULL)
		return -ENOTSUP;
	sl = calloc(1, sizeof(*sl));
	if (sl == NULL)
		return -ENOMEM;
	nvmf_ana_listener_init(sl);
	rc = nvmf_tgt_listener_get(ss->tgt, addr, &sl->l);
	if (rc != 0) {
		free(sl);
		return rc;
	}
	TAILQ_INSERT_TAIL(&ss->listeners, sl, link);
	nvmf_tgt_genctr_bump(ss->tgt);
	return 0;
}

/* Did any queue of @ctrlr come in through the listen address @a? (main thread) */
static bool ctrlr_came_through(const struct nvmf_ctrlr *ctrlr, const struct nvmf_listen_addr *a)
{
	for (uint32_t qid = 0; qid < ctrlr->max_qpairs; qid++) {
		const struct nvmf_conn *c = ctrlr->conns[qid];

		if (c != NULL && nvmf_listen_addr_eq(&c->qp->local, a))
			return true;
	}
	return false;
}

int nvmf_subsystem_remove_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr)
{
	struct nvmf_ss_listener *sl = nvmf_ss_listener_find(ss, addr);
	struct nvmf_ctrlr *ctrlr;

	if (sl == NULL)
		return -ENOENT;
	/* Controllers of @ss reached through it go; those through other
	 * listeners, and other subsystems' on the same address, stay. */
	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (ctrlr_came_through(ctrlr, addr))
			nvmf_ctrlr_teardown(ctrlr, "listener removed from the subsystem");
	}
	TAILQ_REMOVE(&ss->listeners, sl, link);
	nvmf_tgt_listener_put(ss->tgt, sl->l);
	free(sl);
	nvmf_tgt_genctr_bump(ss->tgt);
	return 0;
}

/* Listen on @l's address with @secure; @return 0 or the transport's error. */
static int listener_relisten(struct nvmf_tgt *tgt, struct nvmf_listener *l, uint8_t secure)
{
	struct nvmf_tr *tr = nvmf_tgt_tr_find(tgt, l->addr.trtype);
	struct nvmf_listen_addr want = l->addr;
	int rc;

	if (!l->listening) {
		l->addr.secure = secure;
		return 0;
	}
	want.secure = secure;
	nvmf_tr_stop_listen(tr, &l->addr);
	rc = nvmf_tr_listen(tr, &want);
	if (rc == 0) {
		l->addr.secure = secure;
		return 0;
	}
	if (nvmf_tr_listen(tr, &l->addr) != 0) {
		l->listening = false;
		log_error("nvmf", "listener %s:%s: could not listen again", l->addr.traddr,
			  l->addr.trsvcid);
	}
	return rc;
}

int nvmf_tgt_listener_set_secure(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr)
{
	struct nvmf_listener *l;
	struct nvmf_subsystem *ss;
	struct nvmf_ctrlr *ctrlr;
	char buf[320];
	int rc;

	TAILQ_FOREACH(l, &tgt->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, addr))
			break;
	}
	if (l == NULL)
		return -ENOENT;
	if (l->addr.secure == addr->secure)
		return 0;
	rc = listener_relisten(tgt, l, addr->secure);
	if (rc != 0)
		return rc;
	nvmf_listen_addr_fmt(&l->addr, buf, sizeof(buf));
	log_notice("nvmf", "listening on %s again, secure channel %s", buf,
		   addr->secure == NVMF_LISTEN_SECURE_TLS ? "tls" : "none");
	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
		{
			if (ctrlr_came_through(ctrlr, addr))
				nvmf_ctrlr_teardown(ctrlr, "listener secure channel changed");
		}
	}
	nvmf_tgt_genctr_bump(tgt);
	return 0;
}
