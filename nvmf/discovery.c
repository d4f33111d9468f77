/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * discovery.c - the discovery log page (0x70). Built whole on the main
 * thread (which owns subsystems, hosts and listeners) for the asking host,
 * then the requested window [offset, offset + length) is copied on the
 * discovery controller's admin poll group.
 *
 * Entries: one per (subsystem the host may reach x listener of that
 * subsystem), one per referral (another discovery service, referral.c),
 * then one "current discovery subsystem" entry, with the target's unique
 * discovery NQN, for the address the host is connected to. TREQ: secure channel not specified, SQ flow
 * control disable supported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

#define DISC_TREQ (NVMF_TREQ_SECURE_CHANNEL_NOT_SPECIFIED | NVMF_TREQ_DISABLE_SQ_FLOW_CONTROL)

struct disc_req {
	struct nvmf_request *req;
	struct nvmf_poll_group *pg;
	struct nvmf_tgt *tgt;
	char hostnqn[NVMF_NQN_MAX_LEN + 1];
	struct nvmf_listen_addr local;
	uint64_t offset;
	uint64_t max;
	bool rae; /* Retain Asynchronous Event */
	void *log;
	size_t len;
	int rc;
};

/* NUL-padded string field (the entry was zeroed). */
static void field_copy(char *dst, size_t n, const char *src)
{
	memcpy(dst, src, strnlen(src, n));
}

static void entry_fill(struct nvmf_tgt *tgt, struct nvmf_discovery_log_entry *e,
		       const struct nvmf_listener *l, const char *subnqn, uint8_t subtype)
{
	struct nvmf_tr *tr = nvmf_tgt_tr_find(tgt, l->addr.trtype);

	e->trtype = l->addr.trtype;
	e->adrfam = l->addr.adrfam;
	e->subtype = subtype;
	e->treq = DISC_TREQ;
	if (l->addr.secure == NVMF_LISTEN_SECURE_TLS)
		e->treq =
		    (e->treq & ~NVMF_TREQ_SECURE_CHANNEL_MASK) | NVMF_TREQ_SECURE_CHANNEL_REQUIRED;
	e->portid = l->portid;
	e->cntlid = NVMF_CNTLID_DYNAMIC;
	e->asqsz = tr && tr->opts.max_aq_depth ? (uint16_t)tr->opts.max_aq_depth : 32;
	field_copy(e->trsvcid, sizeof(e->trsvcid), l->addr.trsvcid);
	field_copy(e->traddr, sizeof(e->traddr), l->addr.traddr);
	field_copy(e->subnqn, sizeof(e->subnqn), subnqn);
	if (tr != NULL)
		nvmf_tr_discovery_entry(tr, &l->addr, e);
}

static const struct nvmf_listener *listener_of(struct nvmf_tgt *tgt,
					       const struct nvmf_listen_addr *a)
{
	const struct nvmf_listener *l;

	TAILQ_FOREACH(l, &tgt->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, a))
			return l;
	}
	return NULL;
}

/* Referral entries (subtype 01h) into @e, NULL only counts. @return how many. */
static uint64_t referrals_walk(struct nvmf_tgt *tgt, struct nvmf_discovery_log_entry *e)
{
	const struct nvmf_referral *r;
	uint64_t n = 0;

	TAILQ_FOREACH(r, &tgt->referrals, link)
	{
		if (e != NULL) {
			struct nvmf_discovery_log_entry *x = &e[n];

			x->trtype = r->addr.trtype;
			x->adrfam = r->addr.adrfam;
			x->subtype = NVMF_SUBTYPE_DISCOVERY_REFERRAL;
			x->treq = r->secure ? NVMF_TREQ_SECURE_CHANNEL_REQUIRED
					    : NVMF_TREQ_SECURE_CHANNEL_NOT_SPECIFIED;
			x->portid = 0;
			x->cntlid = NVMF_CNTLID_DYNAMIC;
			x->asqsz = 32;
			field_copy(x->trsvcid, sizeof(x->trsvcid), r->addr.trsvcid);
			field_copy(x->traddr, sizeof(x->traddr), r->addr.traddr);
			field_copy(x->subnqn, sizeof(x->subnqn), r->subnqn);
		}
		n++;
	}
	return n;
}

/* Visit the entries in order; @e NULL only counts. @return the number of entries. */
static uint64_t entries_walk(struct nvmf_tgt *tgt, const char *hostnqn,
			     const struct nvmf_listen_addr *local,
			     struct nvmf_discovery_log_entry *e)
{
	const struct nvmf_listener *cur = local ? listener_of(tgt, local) : NULL;
	struct nvmf_subsystem *ss;
	uint64_t n = 0;

	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		struct nvmf_ss_listener *sl;

		if (ss->deleting || !nvmf_ss_host_allowed(ss, hostnqn))
			continue;
		TAILQ_FOREACH(sl, &ss->listeners, link)
		{
			if (e != NULL)
				entry_fill(tgt, &e[n], sl->l, ss->nqn, NVMF_SUBTYPE_NVME);
			n++;
		}
	}
	n += referrals_walk(tgt, e ? &e[n] : NULL);
	if (cur != NULL) {
		if (e != NULL)
			entry_fill(tgt, &e[n], cur, nvmf_tgt_discovery_nqn(tgt),
				   NVMF_SUBTYPE_DISCOVERY_CURRENT);
		n++;
	}
	return n;
}

int nvmf_discovery_log_build(struct nvmf_tgt *tgt, const char *hostnqn,
			     const struct nvmf_listen_addr *local, void **buf, size_t *len)
{
	uint64_t n = entries_walk(tgt, hostnqn, local, NULL);
	size_t size =
	    sizeof(struct nvmf_discovery_log_hdr) + n * sizeof(struct nvmf_discovery_log_entry);
	struct nvmf_discovery_log_hdr *hdr = calloc(1, size);

	if (hdr == NULL)
		return -ENOMEM;
	hdr->genctr = tgt->genctr;
	hdr->numrec = n;
	hdr->recfmt = 0;
	entries_walk(tgt, hostnqn, local, hdr->entries);
	*buf = hdr;
	*len = size;
	return 0;
}

static void disc_reply_msg(void *arg)
{
	struct disc_req *d = arg;
	struct nvmf_request *req = d->req;
	uint16_t st = NVME_STATUS_SUCCESS;

	if (d->rc != 0)
		st = NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	else if (d->offset > d->len)
		st = NVMF_ST_INVALID_FIELD;
	else
		nvmf_req_copy_page(req, d->log, d->len, d->offset, d->max);
	/* Read with RAE clear: the Discovery Log Page Change event is cleared
	 * and reported again at the next change. */
	if (st == NVME_STATUS_SUCCESS && !d->rae)
		nvmf_ctrlr_notice_read(req->qpair->ctrlr, NVMF_NOTICE_DISC_LOG);
	free(d->log);
	free(d);
	nvmf_req_complete(req, st);
}

static void disc_build_msg(void *arg)
{
	struct disc_req *d = arg;
	const struct nvmf_listen_addr *local = d->local.trsvcid[0] ? &d->local : NULL;

	d->rc = nvmf_discovery_log_build(d->tgt, d->hostnqn, local, &d->log, &d->len);
	nvmf_msg_send(d->pg, disc_reply_msg, d);
}

uint16_t nvmf_discovery_get_log(struct nvmf_request *req, uint64_t offset)
{
	struct nvmf_conn *c = nvmf_conn_of(req->qpair);
	struct disc_req *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	d->req = req;
	d->pg = c->pg;
	d->tgt = c->pg->tgt;
	snprintf(d->hostnqn, sizeof(d->hostnqn), "%s", c->ctrlr->hostnqn);
	d->local = req->qpair->local;
	d->offset = offset;
	d->max = nvme_glp_len(&req->cmd);
	d->rae = (req->cmd.cdw10 & NVME_GLP_RAE) != 0;
	if (nvmf_msg_send(nvmf_main_pg(d->tgt), disc_build_msg, d) != 0) {
		free(d);
		return NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	}
	return NVMF_STATUS_ASYNC;
}
