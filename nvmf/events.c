/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * events.c - asynchronous events of a controller, on its admin poll group:
 * the Asynchronous Event Requests it holds, the Namespace Attribute Changed
 * notice with its Changed Namespace List, the Asymmetric Namespace Access
 * Change notice (ana.c) and the Reservation Log Page Available event with
 * its queue of Reservation Notification log pages (NVM controllers), and
 * the Discovery Log Page Change notice (discovery controllers). The
 * changes come from the main thread by message.
 *
 * Reservation notices are not enabled by Asynchronous Event Configuration
 * but masked per namespace by the Reservation Notification Mask feature: a
 * masked one queues no log page at all.
 *
 * A notice the host enabled (Set Features Asynchronous Event
 * Configuration) is pending until an AER reports it, then masked until the
 * host reads the log page named in that completion with Retain
 * Asynchronous Event clear (NVMe base specification, "Asynchronous Event
 * Request command": the event is cleared by reading that log page). That
 * read covers every change so far, so it also drops a change still
 * pending; a change after it (a later message) is reported again.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

struct ctrlr_event {
	struct nvmf_ctrlr *ctrlr;
	uint32_t notice; /* NVMF_NOTICE_* */
	uint32_t nsid;   /* NVMF_NOTICE_NS_ATTR / _RESV: the namespace */
	uint8_t rtype;   /* NVMF_NOTICE_RESV: enum nvme_resv_notification_type */
};

/* What each notice looks like on the wire (NVMe base specification,
 * "Asynchronous Event Information - Notice" and "Asynchronous Event
 * Configuration"). */
static const struct notice_desc {
	uint32_t bit;   /* NVMF_NOTICE_* */
	uint32_t aec;   /* its enable bit in Asynchronous Event Configuration; 0: none */
	uint8_t type;   /* Asynchronous Event Type */
	uint8_t info;   /* Asynchronous Event Information */
	uint8_t lid;    /* the log page that clears it */
	bool discovery; /* reported by discovery controllers (else by NVM ones) */
} notices[] = {
    {NVMF_NOTICE_NS_ATTR, NVME_AEC_NS_ATTR, NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_NS_ATTR_CHANGED,
     NVME_LOG_CHANGED_NS_LIST, false},
    {NVMF_NOTICE_DISC_LOG, NVME_AEC_DISCOVERY_LOG_CHANGE, NVME_AER_TYPE_NOTICE,
     NVME_AER_NOTICE_DISCOVERY_LOG_CHANGE, NVME_LOG_DISCOVERY, true},
    {NVMF_NOTICE_RESV, 0, NVME_AER_TYPE_IO_SPECIFIC, NVME_AER_IO_RESERVATION_LOG,
     NVME_LOG_RESERVATION_NOTIFICATION, false},
    {NVMF_NOTICE_ANA, NVME_AEC_ANA_CHANGE, NVME_AER_TYPE_NOTICE, NVME_AER_NOTICE_ANA_CHANGE,
     NVME_LOG_ANA, false},
};

#define NNOTICES (sizeof(notices) / sizeof(notices[0]))

static const struct notice_desc *notice_of(uint32_t bit)
{
	for (size_t i = 0; i < NNOTICES; i++) {
		if (notices[i].bit == bit)
			return &notices[i];
	}
	return NULL;
}

void nvmf_ctrlr_aer_kick(struct nvmf_ctrlr *ctrlr)
{
	for (size_t i = 0; i < NNOTICES && ctrlr->naer > 0; i++) {
		const struct notice_desc *d = &notices[i];
		struct nvmf_request *req;

		if (!(ctrlr->notice_pending & d->bit) || (ctrlr->notice_masked & d->bit))
			continue;
		req = ctrlr->aer[--ctrlr->naer];
		ctrlr->notice_pending &= ~d->bit;
		ctrlr->notice_masked |= d->bit;
		req->cpl.cdw0 = NVME_ASYNC_EVENT(d->type, d->info, d->lid);
		nvmf_req_complete(req, NVME_STATUS_SUCCESS);
	}
}

void nvmf_ctrlr_aer_abort_all(struct nvmf_ctrlr *ctrlr)
{
	while (ctrlr->naer > 0) {
		struct nvmf_request *req = ctrlr->aer[--ctrlr->naer];
		nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	}
}

void nvmf_ctrlr_set_aec(struct nvmf_ctrlr *ctrlr, uint32_t aec)
{
	uint32_t supported = 0;

	for (size_t i = 0; i < NNOTICES; i++) {
		if (notices[i].discovery == nvmf_ctrlr_is_discovery(ctrlr))
			supported |= notices[i].aec;
	}
	ctrlr->aec = aec & supported;
	/* Namespaces that changed before the host enabled the notice. */
	if ((ctrlr->aec & NVME_AEC_NS_ATTR) && ctrlr->nchanged > 0)
		ctrlr->notice_pending |= NVMF_NOTICE_NS_ATTR;
	nvmf_ctrlr_aer_kick(ctrlr);
}

void nvmf_ctrlr_notice_read(struct nvmf_ctrlr *ctrlr, uint32_t notice)
{
	ctrlr->notice_pending &= ~notice;
	ctrlr->notice_masked &= ~notice;
	nvmf_ctrlr_aer_kick(ctrlr);
}

static void changed_ns_add(struct nvmf_ctrlr *ctrlr, uint32_t nsid)
{
	for (uint32_t i = 0; i < ctrlr->nchanged; i++) {
		if (ctrlr->changed_ns[i] == nsid)
			return;
	}
	if (ctrlr->nchanged == NVMF_CHANGED_NS_MAX) {
		ctrlr->changed_overflow = true;
		return;
	}
	/* Keep the list ascending, as hosts expect. */
	uint32_t i = ctrlr->nchanged++;
	while (i > 0 && ctrlr->changed_ns[i - 1] > nsid) {
		ctrlr->changed_ns[i] = ctrlr->changed_ns[i - 1];
		i--;
	}
	ctrlr->changed_ns[i] = nsid;
}

/* Queue a Reservation Notification log page. @return false when masked. */
static bool resv_log_add(struct nvmf_ctrlr *ctrlr, uint32_t nsid, uint8_t type)
{
	struct nvmf_resv_log *l = &ctrlr->resv_log;
	struct nvmf_resv_log_entry *e;

	if (nsid == 0 || nsid > NVMF_RESV_MASK_NSIDS || (l->mask[nsid - 1] & (1u << type)))
		return false;
	if (l->n == NVMF_RESV_LOG_MAX) {
		/* Full: the oldest goes; the host sees the gap in the counts. */
		l->head = (l->head + 1) % NVMF_RESV_LOG_MAX;
		l->n--;
	}
	if (++l->count == 0)
		l->count = 1; /* the count wraps to 1 */
	e = &l->e[(l->head + l->n) % NVMF_RESV_LOG_MAX];
	e->count = l->count;
	e->nsid = nsid;
	e->type = type;
	l->n++;
	return true;
}

void nvmf_resv_log_fill(struct nvmf_ctrlr *ctrlr, void *page, bool rae)
{
	struct nvmf_resv_log *l = &ctrlr->resv_log;
	struct nvme_resv_notification_log *p = page;

	memset(p, 0, sizeof(*p));
	if (l->n > 0) {
		const struct nvmf_resv_log_entry *e = &l->e[l->head];
		p->log_page_count = e->count;
		p->type = e->type;
		p->nsid = e->nsid;
		l->head = (l->head + 1) % NVMF_RESV_LOG_MAX;
		l->n--;
		p->num_avail_pages = (uint8_t)(l->n > 255 ? 255 : l->n);
	}
	if (rae)
		return;
	nvmf_ctrlr_notice_read(ctrlr, NVMF_NOTICE_RESV);
	if (l->n > 0) {
		ctrlr->notice_pending |= NVMF_NOTICE_RESV; /* more pages wait */
		nvmf_ctrlr_aer_kick(ctrlr);
	}
}

static void event_msg(void *arg)
{
	struct ctrlr_event *ev = arg;
	struct nvmf_ctrlr *ctrlr = ev->ctrlr;
	const struct notice_desc *d = notice_of(ev->notice);

	if (ctrlr->admin_conn != NULL && d != NULL) {
		if (ev->notice == NVMF_NOTICE_NS_ATTR)
			changed_ns_add(ctrlr, ev->nsid);
		if (ev->notice == NVMF_NOTICE_RESV && !resv_log_add(ctrlr, ev->nsid, ev->rtype))
			d = NULL; /* masked */
		if (d != NULL && (d->aec == 0 || (ctrlr->aec & d->aec))) {
			ctrlr->notice_pending |= ev->notice;
			nvmf_ctrlr_aer_kick(ctrlr);
		}
	}
	free(ev);
}

/* Send @notice to @ctrlr's admin group (main thread). */
static void event_post(struct nvmf_ctrlr *ctrlr, uint32_t notice, uint32_t nsid, uint8_t rtype)
{
	struct ctrlr_event *ev = malloc(sizeof(*ev));

	if (ev == NULL) {
		log_error("nvmf", "subsystem %s: controller %u: no memory for an event",
			  ctrlr->ss->nqn, ctrlr->cntlid);
		return;
	}
	ev->ctrlr = ctrlr;
	ev->notice = notice;
	ev->nsid = nsid;
	ev->rtype = rtype;
	if (nvmf_msg_send(ctrlr->admin_pg, event_msg, ev) != 0)
		free(ev);
}

/* Send @notice to each live controller of @ss (main thread). */
static void event_post_all(struct nvmf_subsystem *ss, uint32_t notice, uint32_t nsid)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (ctrlr->state == NVMF_CTRLR_LIVE)
			event_post(ctrlr, notice, nsid, 0);
	}
}

void nvmf_ctrlr_resv_notice(struct nvmf_ctrlr *ctrlr, uint32_t nsid, uint8_t type)
{
	event_post(ctrlr, NVMF_NOTICE_RESV, nsid, type);
}

void nvmf_ctrlr_ana_changed(struct nvmf_ctrlr *ctrlr)
{
	event_post(ctrlr, NVMF_NOTICE_ANA, 0, 0);
}

void nvmf_ctrlr_ns_changed(struct nvmf_subsystem *ss, uint32_t nsid)
{
	event_post_all(ss, NVMF_NOTICE_NS_ATTR, nsid);
}

void nvmf_ctrlr_disc_changed(struct nvmf_tgt *tgt)
{
	event_post_all(tgt->discovery, NVMF_NOTICE_DISC_LOG, 0);
}
