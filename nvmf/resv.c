/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resv.c - reservations of a namespace, kept by the target for every
 * backend (a local SSD's own reservations are never used).
 *
 *   I/O group                      main thread
 *   nvmf_resv_exec(): parse  ----> resv_main_msg(): apply to a copy of the
 *                                  state, save it (PTPL), keep it, publish
 *                                  a new view, post the notices
 *   resv_done_msg(): copy the <--- (Report: the data structure built)
 *   Report data, complete
 *
 * The I/O path reads the namespace's view (an atomic pointer to an
 * immutable copy of the state) and never waits. A replaced view is freed
 * once every poll group has passed a message boundary.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

#define ST_INTERNAL NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR)
#define ST_CONFLICT NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_RESERVATION_CONFLICT))

_Static_assert(NVMF_RESV_MASK_NSIDS == NVMF_MAX_NSID_LIMIT, "a mask per namespace");

/* The main thread's state of a namespace's reservation. */
struct nvmf_resv {
	struct nvmf_resv_state st;
	char path[PATH_MAX]; /* the PTPL file; empty: no ReservationDir */
};

/* What the I/O path reads: a copy of the state, never changed once published. */
struct nvmf_resv_view {
	struct nvmf_resv_state st;
	struct nvmf_tgt *tgt;
	uint32_t pending; /* poll groups yet to pass a message boundary */
};

enum resv_kind { RESV_CMD, RESV_REPORT, RESV_SET_PTPL };

/* One reservation command on its way to the main thread and back. */
struct resv_ctx {
	struct nvmf_request *req;
	struct nvmf_poll_group *pg;
	struct nvmf_subsystem *ss;
	uint32_t nsid;
	enum resv_kind kind;
	struct nvmf_resv_cmd c;
	bool ptpl; /* RESV_SET_PTPL */
	uint16_t status;
	uint8_t *data; /* RESV_REPORT: data_len bytes */
	size_t data_len;
};

/* ------------------------------------------------------------- views */

static void view_ack(void *arg)
{
	struct nvmf_resv_view *v = arg;

	if (--v->pending > 0)
		return;
	v->tgt->pending_resv_views--;
	free(v);
}

static void view_passed(void *arg)
{
	struct nvmf_resv_view *v = arg;

	if (nvmf_msg_send(nvmf_main_pg(v->tgt), view_ack, v) != 0)
		log_error("nvmf", "reservation view: release lost (message ring full); kept");
}

static void view_retire(struct nvmf_tgt *tgt, struct nvmf_resv_view *v)
{
	if (v == NULL)
		return;
	if (!tgt->started) {
		free(v);
		return;
	}
	v->tgt = tgt;
	v->pending = tgt->ngroups;
	tgt->pending_resv_views++;
	for (uint32_t i = 0; i < tgt->ngroups; i++) {
		if (nvmf_msg_send(tgt->groups[i], view_passed, v) != 0)
			log_error("nvmf",
				  "reservation view: release lost (message ring full); kept");
	}
}

/* Publish @v (a copy of @ns's state), retire the one before. */
static void view_publish(struct nvmf_ns *ns, struct nvmf_resv_view *v)
{
	v->st = ns->resv->st;
	view_retire(ns->ss->tgt, atomic_exchange_explicit(&ns->resv_view, v, memory_order_acq_rel));
}

/* --------------------------------------------------- namespace life */

int nvmf_resv_ns_init(struct nvmf_ns *ns)
{
	const char *dir = ns->ss->tgt->opts.resv_dir;
	struct nvmf_resv_view *v;
	struct nvmf_resv *r;

	r = calloc(1, sizeof(*r));
	v = calloc(1, sizeof(*v));
	if (r == NULL || v == NULL)
		goto err_free;
	if (dir[0] != '\0') {
		if (nvmf_resv_state_path(r->path, sizeof(r->path), dir, ns->ss->nqn, ns->nsid) != 0)
			goto err_free;
		if (nvmf_resv_state_load(r->path, &r->st) == 0)
			log_notice("nvmf",
				   "subsystem %s: namespace %u: reservation state restored from %s "
				   "(%u registrants, type %u, generation %u)",
				   ns->ss->nqn, ns->nsid, r->path, r->st.nregs, r->st.rtype,
				   r->st.gen);
	}
	ns->resv = r;
	v->st = r->st;
	atomic_store_explicit(&ns->resv_view, v, memory_order_release);
	return 0;
err_free:
	free(v);
	free(r);
	return -ENOMEM;
}

void nvmf_resv_ns_free(struct nvmf_ns *ns)
{
	free(ns->resv);
	free(atomic_load(&ns->resv_view)); /* no poll group holds @ns any more */
	ns->resv = NULL;
}

uint8_t nvmf_resv_rescap(const struct nvmf_tgt *tgt)
{
	uint8_t cap = NVME_NS_RESCAP_WE | NVME_NS_RESCAP_EA | NVME_NS_RESCAP_WE_RO |
		      NVME_NS_RESCAP_EA_RO | NVME_NS_RESCAP_WE_AR | NVME_NS_RESCAP_EA_AR |
		      NVME_NS_RESCAP_IEK_13;

	return tgt->opts.resv_dir[0] != '\0' ? cap | NVME_NS_RESCAP_PTPL : cap;
}

bool nvmf_resv_ptpl(struct nvmf_ns *ns)
{
	struct nvmf_resv_view *v = atomic_load_explicit(&ns->resv_view, memory_order_acquire);

	return v != NULL && v->st.ptpl;
}

/* ------------------------------------------------------------ I/O path */

uint16_t nvmf_resv_io_check(struct nvmf_request *req, struct nvmf_ns *ns)
{
	struct nvmf_resv_view *v = atomic_load_explicit(&ns->resv_view, memory_order_acquire);
	enum nvmf_resv_role role;

	if (v == NULL || v->st.rtype == 0)
		return NVME_STATUS_SUCCESS;
	role = nvmf_resv_role_of(&v->st, req->qpair->ctrlr->hostid);
	return nvmf_resv_conflicts(v->st.rtype, role, req->cmd.opc) ? ST_CONFLICT
								    : NVME_STATUS_SUCCESS;
}

/* -------------------------------------------------------- main thread */

static void notify_hosts(struct nvmf_subsystem *ss, uint32_t nsid,
			 const struct nvmf_resv_effects *fx)
{
	struct nvmf_ctrlr *ctrlr;

	for (uint32_t i = 0; i < fx->nnotify; i++) {
		TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
		{
			if (ctrlr->state == NVMF_CTRLR_LIVE &&
			    memcmp(ctrlr->hostid, fx->notify[i].hostid, NVMF_RESV_HOSTID_LEN) == 0)
				nvmf_ctrlr_resv_notice(ctrlr, nsid, fx->notify[i].type);
		}
	}
}

/* Keep @next as @ns's state: saved first when it persists. */
static uint16_t resv_commit(struct nvmf_ns *ns, const struct nvmf_resv_state *next)
{
	struct nvmf_resv *r = ns->resv;
	struct nvmf_resv_view *v = malloc(sizeof(*v));

	if (v == NULL)
		return ST_INTERNAL;
	if (next->ptpl && nvmf_resv_state_save(r->path, next) != 0) {
		free(v);
		return ST_INTERNAL; /* nothing changed */
	}
	if (!next->ptpl && r->st.ptpl && nvmf_resv_state_remove(r->path) != 0)
		log_warn("nvmf", "reservation state %s: not removed after PTPL was cleared",
			 r->path);
	r->st = *next;
	view_publish(ns, v);
	return NVME_STATUS_SUCCESS;
}

static uint16_t resv_apply_main(struct nvmf_ns *ns, struct resv_ctx *cx)
{
	struct nvmf_resv_state next = ns->resv->st;
	struct nvmf_resv_effects fx;
	uint16_t st;

	if (cx->kind == RESV_SET_PTPL) {
		if (cx->ptpl && ns->resv->path[0] == '\0')
			return NVMF_ST_INVALID_FIELD;
		fx.nnotify = 0;
		next.ptpl = cx->ptpl;
		st = NVME_STATUS_SUCCESS;
	} else {
		st = nvmf_resv_apply(&next, &cx->c, ns->resv->path[0] != '\0', &fx);
	}
	if (st == NVME_STATUS_SUCCESS)
		st = resv_commit(ns, &next);
	if (st == NVME_STATUS_SUCCESS)
		notify_hosts(ns->ss, ns->nsid, &fx);
	return st;
}

static uint16_t resv_report_main(struct nvmf_ns *ns, struct resv_ctx *cx)
{
	struct nvmf_resv_ctrl *ctrls;
	struct nvmf_ctrlr *ctrlr;
	uint32_t n = 0;

	cx->data = malloc(cx->data_len);
	ctrls = calloc(ns->ss->num_ctrlrs + 1, sizeof(*ctrls));
	if (cx->data == NULL || ctrls == NULL) {
		free(ctrls);
		return ST_INTERNAL;
	}
	TAILQ_FOREACH(ctrlr, &ns->ss->ctrlrs, ss_link)
	{
		if (ctrlr->state != NVMF_CTRLR_LIVE || n == ns->ss->num_ctrlrs)
			continue;
		ctrls[n].cntlid = ctrlr->cntlid;
		memcpy(ctrls[n].hostid, ctrlr->hostid, NVMF_RESV_HOSTID_LEN);
		n++;
	}
	nvmf_resv_report_build(&ns->resv->st, ctrls, n, cx->data, cx->data_len);
	free(ctrls);
	return NVME_STATUS_SUCCESS;
}

static void resv_done_msg(void *arg)
{
	struct resv_ctx *cx = arg;
	struct nvmf_request *req = cx->req;
	uint16_t st = cx->status;

	if (st == NVME_STATUS_SUCCESS && cx->data != NULL)
		nvmf_req_copy_to(req, 0, cx->data, cx->data_len);
	free(cx->data);
	free(cx);
	nvmf_req_complete(req, st);
}

static void resv_main_msg(void *arg)
{
	struct resv_ctx *cx = arg;
	struct nvmf_ns *ns = nvmf_ss_ns(cx->ss, cx->nsid);

	if (ns == NULL || ns->resv == NULL)
		cx->status = NVMF_ST_INVALID_NS; /* removed meanwhile */
	else if (cx->kind == RESV_REPORT)
		cx->status = resv_report_main(ns, cx);
	else
		cx->status = resv_apply_main(ns, cx);
	if (nvmf_msg_send(cx->pg, resv_done_msg, cx) != 0)
		log_error("nvmf",
			  "subsystem %s: namespace %u: a reservation command's completion "
			  "was lost (message ring full)",
			  cx->ss->nqn, cx->nsid);
}

/* Send @cx to the main thread. @return NVMF_STATUS_ASYNC, or an error (@cx freed). */
static uint16_t resv_forward(struct resv_ctx *cx)
{
	struct nvmf_tgt *tgt = cx->ss->tgt;

	cx->pg = nvmf_conn_of(cx->req->qpair)->pg;
	if (nvmf_msg_send(nvmf_main_pg(tgt), resv_main_msg, cx) != 0) {
		free(cx);
		return ST_INTERNAL;
	}
	return NVMF_STATUS_ASYNC;
}

/* ------------------------------------------------------- group side */

static uint16_t resv_parse(struct nvmf_request *req, struct resv_ctx *cx)
{
	const struct nvme_cmd *cmd = &req->cmd;
	struct nvme_resv_register_data d;
	size_t need = cmd->opc == NVME_OPC_RESERVATION_RELEASE ? 8 : sizeof(d);

	if (cmd->fuse != NVME_FUSE_NORMAL)
		return NVMF_ST_INVALID_FIELD;
	if (cmd->opc == NVME_OPC_RESERVATION_REPORT) {
		/* Host identifiers here are 128-bit: only the extended structure holds them. */
		if (!(cmd->cdw11 & NVME_RESV_REPORT_EDS))
			return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_HOSTID_INCONSISTENT_FORMAT));
		cx->kind = RESV_REPORT;
		cx->data_len = ((size_t)cmd->cdw10 + 1) * 4;
		if (cx->data_len > req->length)
			cx->data_len = req->length;
		return cx->data_len > 0 ? NVME_STATUS_SUCCESS : NVMF_ST_INVALID_FIELD;
	}
	if (req->length < need)
		return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_DATA_SGL_LENGTH_INVALID));
	memset(&d, 0, sizeof(d));
	nvmf_req_copy_from(req, 0, &d, need);
	cx->kind = RESV_CMD;
	cx->c.opc = cmd->opc;
	cx->c.action = cmd->cdw10 & NVME_RESV_ACTION_MASK;
	cx->c.iekey = (cmd->cdw10 & NVME_RESV_IEKEY) != 0;
	cx->c.rtype = (uint8_t)(cmd->cdw10 >> NVME_RESV_RTYPE_SHIFT);
	cx->c.cptpl = (uint8_t)(cmd->cdw10 >> NVME_RESV_CPTPL_SHIFT);
	cx->c.crkey = d.crkey;
	cx->c.key2 = d.nrkey;
	return NVME_STATUS_SUCCESS;
}

bool nvmf_resv_is_cmd(uint8_t opc)
{
	return opc == NVME_OPC_RESERVATION_REGISTER || opc == NVME_OPC_RESERVATION_REPORT ||
	       opc == NVME_OPC_RESERVATION_ACQUIRE || opc == NVME_OPC_RESERVATION_RELEASE;
}

void nvmf_resv_exec(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint32_t nsid = req->cmd.nsid;
	struct resv_ctx *cx;
	uint16_t st;

	if (nsid > ctrlr->ss->max_nsid || nvmf_ss_ns(ctrlr->ss, nsid) == NULL) {
		nvmf_req_complete(req, NVMF_ST_INVALID_NS);
		return;
	}
	cx = calloc(1, sizeof(*cx));
	if (cx == NULL) {
		nvmf_req_complete(req, ST_INTERNAL);
		return;
	}
	cx->req = req;
	cx->ss = ctrlr->ss;
	cx->nsid = nsid;
	memcpy(cx->c.hostid, ctrlr->hostid, NVMF_RESV_HOSTID_LEN);
	st = resv_parse(req, cx);
	if (st == NVME_STATUS_SUCCESS)
		st = resv_forward(cx);
	else
		free(cx);
	if (st != NVMF_STATUS_ASYNC)
		nvmf_req_complete(req, st);
}

/* ------------------------------------------------- features 82h, 83h */

/* The namespace a namespace-specific feature names, or NULL. */
static struct nvmf_ns *feat_ns(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;

	if (req->cmd.nsid > ctrlr->ss->max_nsid)
		return NULL;
	return nvmf_ss_ns(ctrlr->ss, req->cmd.nsid);
}

uint16_t nvmf_resv_get_feature(struct nvmf_request *req, uint8_t fid)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	struct nvmf_ns *ns = feat_ns(req);

	if (ns == NULL)
		return NVMF_ST_INVALID_NS;
	if (fid == NVME_FEAT_RESERVATION_NOTIFICATION_MASK)
		req->cpl.cdw0 = ctrlr->resv_log.mask[ns->nsid - 1];
	else
		req->cpl.cdw0 = nvmf_resv_ptpl(ns) ? NVME_FEAT_RESV_PTPL : 0;
	return NVME_STATUS_SUCCESS;
}

static uint16_t set_mask(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint8_t m = req->cmd.cdw11 &
		    (NVME_RESV_MASK_REGISTRATION_PREEMPTED | NVME_RESV_MASK_RESERVATION_RELEASED |
		     NVME_RESV_MASK_RESERVATION_PREEMPTED);
	struct nvmf_ns *ns;

	if (req->cmd.nsid == NVME_NSID_ALL) {
		memset(ctrlr->resv_log.mask, m, sizeof(ctrlr->resv_log.mask));
		return NVME_STATUS_SUCCESS;
	}
	ns = feat_ns(req);
	if (ns == NULL)
		return NVMF_ST_INVALID_NS;
	ctrlr->resv_log.mask[ns->nsid - 1] = m;
	return NVME_STATUS_SUCCESS;
}

uint16_t nvmf_resv_set_feature(struct nvmf_request *req, uint8_t fid)
{
	struct nvmf_ns *ns;
	struct resv_ctx *cx;

	if (fid == NVME_FEAT_RESERVATION_NOTIFICATION_MASK)
		return set_mask(req);
	ns = feat_ns(req);
	if (ns == NULL)
		return NVMF_ST_INVALID_NS;
	cx = calloc(1, sizeof(*cx));
	if (cx == NULL)
		return ST_INTERNAL;
	cx->req = req;
	cx->ss = ns->ss;
	cx->nsid = ns->nsid;
	cx->kind = RESV_SET_PTPL;
	cx->ptpl = (req->cmd.cdw11 & NVME_FEAT_RESV_PTPL) != 0;
	return resv_forward(cx);
}
