/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fabrics.c - fabrics commands: Connect (validated on the queue's group,
 * bound on the main thread, completed back on the group), Property Get/Set
 * and Disconnect.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"
#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

#define CAP_TO_500MS 15 /* 7.5 s */
#define NVMF_VERSION NVME_VS(1, 3, 0)

#define ST_DNR(st) ((uint16_t)((st) | NVME_STATUS_DNR))
#define ST_INVALID_PARAM ST_DNR(NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS))

struct connect_ctx {
	struct nvmf_request *req;
	struct nvmf_conn *c;
	struct nvmf_connect_data data;
	uint16_t qid;
	uint16_t sqsize;
	uint32_t kato;
	bool sq_flow_disabled; /* CATTR asked for it; granted with the queue */
	uint16_t status;
	uint32_t cdw0;
	struct nvmf_ctrlr *ctrlr;
	struct nvmf_auth *auth; /* DH-HMAC-CHAP context when the host has a secret */
	bool have_data;         /* the Connect data was read: host and subsystem known */
	char why[192];          /* why the Connect is refused, for the one log line */
};

/* Record why the Connect is refused (logged once, by connect_log_refusal). */
static uint16_t refuse(struct connect_ctx *cx, uint16_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static uint16_t refuse(struct connect_ctx *cx, uint16_t st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cx->why, sizeof(cx->why), fmt, ap);
	va_end(ap);
	return st;
}

#define invalid_param(cx, iattr, ipo, ...)                                                         \
	((cx)->cdw0 = NVMF_CONNECT_RSP_INVALID(iattr, ipo),                                        \
	 refuse(cx, ST_INVALID_PARAM, __VA_ARGS__))

/* An NQN from the wire, fit for a log line: quoted, control bytes as '?'. */
static void nqn_for_log(char *out, size_t len, const char *nqn)
{
	size_t o = 0;

	out[o++] = '\'';
	for (; *nqn != '\0' && o + 2 < len; nqn++) {
		unsigned char ch = (unsigned char)*nqn;
		out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* One line at the default level for every refused Connect. */
static void connect_log_refusal(const struct connect_ctx *cx, uint16_t st)
{
	const struct nvmf_qpair *qp = cx->c->qp;
	char host[NVME_NQN_FIELD_LEN + 3] = "'?'", sub[NVME_NQN_FIELD_LEN + 3] = "'?'";

	if (cx->have_data) {
		nqn_for_log(host, sizeof(host), cx->data.hostnqn);
		nqn_for_log(sub, sizeof(sub), cx->data.subnqn);
	}
	log_warn("nvmf",
		 "connect refused: host %s at %s:%s, subsystem %s, queue %u: %s (status sct %u sc "
		 "0x%02x)",
		 host, qp->peer.traddr, qp->peer.trsvcid, sub, cx->qid, cx->why[0] ? cx->why : "?",
		 nvme_status_sct(st), nvme_status_sc(st));
}

/* ---------------------------------------------- Connect, main thread */

static struct nvmf_subsystem *connect_find_ss(struct nvmf_tgt *tgt, const char *subnqn)
{
	struct nvmf_subsystem *ss;

	if (strcmp(subnqn, NVMF_DISCOVERY_NQN) == 0 || nvmf_is_unique_discovery_nqn(tgt, subnqn))
		return tgt->discovery;
	ss = nvmf_subsystem_find(tgt, subnqn);
	return ss != NULL && !ss->deleting ? ss : NULL;
}

static uint16_t connect_admin(struct connect_ctx *cx, struct nvmf_subsystem *ss)
{
	int rc;

	if (cx->data.cntlid != NVMF_CNTLID_DYNAMIC)
		return invalid_param(
		    cx, NVMF_CONNECT_IATTR_DATA, offsetof(struct nvmf_connect_data, cntlid),
		    "CNTLID 0x%04x: an admin queue asks for a dynamic controller (0xffff)",
		    cx->data.cntlid);
	rc = nvmf_ctrlr_create(ss, cx->data.hostnqn, cx->data.hostid, cx->c, cx->kato, &cx->ctrlr);
	if (rc == -ENOSPC)
		return refuse(cx, NVME_STATUS_CMD(NVME_SC_FABRICS_CONTROLLER_BUSY),
			      "no controller ID left in the subsystem's CNTLID range");
	if (rc != 0)
		return refuse(cx, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR),
			      "controller not created: %s", strerror(-rc));
	cx->cdw0 = cx->ctrlr->cntlid;
	return NVME_STATUS_SUCCESS;
}

static uint16_t connect_io(struct connect_ctx *cx, struct nvmf_subsystem *ss)
{
	struct nvmf_ctrlr *ctrlr;
	uint32_t granted;

	if (ss->discovery)
		return invalid_param(cx, NVMF_CONNECT_IATTR_SQE,
				     offsetof(struct nvmf_connect_cmd, qid),
				     "QID %u: a discovery controller has no I/O queues", cx->qid);
	ctrlr = nvmf_ctrlr_find(ss, cx->data.cntlid);
	if (ctrlr == NULL || ctrlr->state != NVMF_CTRLR_LIVE)
		return invalid_param(cx, NVMF_CONNECT_IATTR_DATA,
				     offsetof(struct nvmf_connect_data, cntlid),
				     "CNTLID %u: no such live controller", cx->data.cntlid);
	if (strcmp(ctrlr->hostnqn, cx->data.hostnqn) != 0)
		return invalid_param(cx, NVMF_CONNECT_IATTR_DATA,
				     offsetof(struct nvmf_connect_data, hostnqn),
				     "HOSTNQN differs from controller %u's", ctrlr->cntlid);
	if (memcmp(ctrlr->hostid, cx->data.hostid, sizeof(ctrlr->hostid)) != 0)
		return invalid_param(cx, NVMF_CONNECT_IATTR_DATA,
				     offsetof(struct nvmf_connect_data, hostid),
				     "HOSTID differs from controller %u's", ctrlr->cntlid);
	granted = atomic_load_explicit(&ctrlr->io_queues_granted, memory_order_relaxed);
	if (cx->qid > granted || cx->qid >= ctrlr->max_qpairs)
		return invalid_param(
		    cx, NVMF_CONNECT_IATTR_SQE, offsetof(struct nvmf_connect_cmd, qid),
		    "QID %u > the %u I/O queues granted by Set Features", cx->qid,
		    granted < ctrlr->max_qpairs ? granted : ctrlr->max_qpairs - 1u);
	if (ctrlr->conns[cx->qid] != NULL)
		return invalid_param(
		    cx, NVMF_CONNECT_IATTR_SQE, offsetof(struct nvmf_connect_cmd, qid),
		    "QID %u is already connected on controller %u", cx->qid, ctrlr->cntlid);
	ctrlr->conns[cx->qid] = cx->c;
	ctrlr->live_qpairs++;
	cx->ctrlr = ctrlr;
	cx->cdw0 = ctrlr->cntlid;
	return NVME_STATUS_SUCCESS;
}

static uint16_t connect_bind(struct connect_ctx *cx)
{
	struct nvmf_tgt *tgt = cx->c->pg->tgt;
	struct nvmf_qpair *qp = cx->c->qp;
	struct nvmf_subsystem *ss = connect_find_ss(tgt, cx->data.subnqn);

	if (ss == NULL)
		return invalid_param(cx, NVMF_CONNECT_IATTR_DATA,
				     offsetof(struct nvmf_connect_data, subnqn),
				     "SUBNQN: no such subsystem");
	if (!ss->discovery && qp->local.trsvcid[0] != '\0' && !nvmf_ss_has_listener(ss, &qp->local))
		return invalid_param(cx, NVMF_CONNECT_IATTR_DATA,
				     offsetof(struct nvmf_connect_data, subnqn),
				     "SUBNQN: the subsystem does not listen on %s:%s",
				     qp->local.traddr, qp->local.trsvcid);
	/*
	 * As the reference targets do, a subsystem open to any host takes any
	 * HOSTNQN, even an empty or malformed one (some hosts send none); a
	 * host list needs a listed, hence well-formed, NQN.
	 */
	if (!nvmf_ss_host_allowed(ss, cx->data.hostnqn))
		return refuse(cx, ST_DNR(NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_HOST)),
			      "HOSTNQN: %s",
			      nvmf_nqn_valid(cx->data.hostnqn)
				  ? "not in the subsystem's host list"
				  : "not a valid NQN, and the subsystem has a host list");
	if (nvmf_auth_create(ss, cx->data.hostnqn, &cx->auth) != 0)
		return refuse(cx, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR),
			      "the host's DH-HMAC-CHAP secrets could not be prepared");
	return cx->qid == 0 ? connect_admin(cx, ss) : connect_io(cx, ss);
}

static void connect_done_msg(void *arg);

static void connect_main_msg(void *arg)
{
	struct connect_ctx *cx = arg;

	cx->status = connect_bind(cx);
	nvmf_msg_send(cx->c->pg, connect_done_msg, cx);
}

/* ---------------------------------------------- Connect, queue's group */

static void connect_done_msg(void *arg)
{
	struct connect_ctx *cx = arg;
	struct nvmf_request *req = cx->req;
	struct nvmf_qpair *qp = cx->c->qp;
	uint16_t st = cx->status;

	if (st == NVME_STATUS_SUCCESS) {
		/* The QID first: the group counts the queue by it when bound. */
		qp->qid = cx->qid;
		qp->sqsize = cx->sqsize;
		qp->sq_head = (uint16_t)(1u % (cx->sqsize + 1u));
		qp->sq_flow_disabled = cx->sq_flow_disabled;
		cx->c->auth = cx->auth;
		cx->auth = NULL;
	}
	nvmf_conn_connect_end(cx->c, st == NVME_STATUS_SUCCESS);
	if (st != NVME_STATUS_SUCCESS)
		connect_log_refusal(cx, st);
	else
		nvmf_ctrlr_conn_bound(cx->c, cx->ctrlr);
	req->cpl.cdw0 = cx->cdw0;
	if (cx->c->auth != NULL && st == NVME_STATUS_SUCCESS) {
		nvmf_auth_start(cx->c);
		req->cpl.cdw0 |= NVMF_CONNECT_RSP_AUTHREQ_ATR;
	}
	nvmf_auth_free(cx->auth);
	free(cx);
	nvmf_req_complete(req, st);
}

static uint16_t connect_parse(struct nvmf_request *req, struct connect_ctx *cx)
{
	const struct nvmf_connect_cmd *cmd = (const struct nvmf_connect_cmd *)&req->cmd;
	const struct nvmf_transport_opts *o = &cx->c->tr->opts;
	uint32_t max_depth = cmd->qid == 0 ? o->max_aq_depth : o->max_queue_depth;

	cx->qid = cmd->qid;
	if (cmd->recfmt != NVMF_RECFMT_0)
		return refuse(cx, ST_DNR(NVME_STATUS_CMD(NVME_SC_FABRICS_INCOMPATIBLE_FORMAT)),
			      "RECFMT %u: only format 0 is known", cmd->recfmt);
	if (req->length < sizeof(cx->data) ||
	    nvmf_req_copy_from(req, 0, &cx->data, sizeof(cx->data)) != sizeof(cx->data))
		return refuse(cx, ST_DNR(NVME_STATUS_GENERIC(NVME_SC_DATA_SGL_LENGTH_INVALID)),
			      "Connect data of %u bytes, not 1024", req->length);
	cx->data.subnqn[sizeof(cx->data.subnqn) - 1] = '\0';
	cx->data.hostnqn[sizeof(cx->data.hostnqn) - 1] = '\0';
	cx->have_data = true;
	if (cx->c->qp->tls_hostnqn != NULL && strcmp(cx->c->qp->tls_hostnqn, cx->data.hostnqn) != 0)
		return refuse(cx, ST_DNR(NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_HOST)),
			      "HOSTNQN differs from the host NQN of the connection's TLS PSK "
			      "identity");
	if (cx->c->qp->tls_subnqn != NULL && strcmp(cx->c->qp->tls_subnqn, cx->data.subnqn) != 0)
		return invalid_param(
		    cx, NVMF_CONNECT_IATTR_DATA, offsetof(struct nvmf_connect_data, subnqn),
		    "SUBNQN differs from the subsystem NQN of the connection's TLS "
		    "PSK identity");
	cx->sqsize = cmd->sqsize;
	cx->kato = cmd->kato;
	/*
	 * Every listener advertises TREQ "SQ flow control disable supported",
	 * so a host's request to disable it is always granted. The transports
	 * read the result on the qpair; none of them parses CATTR.
	 */
	cx->sq_flow_disabled = (cmd->cattr & NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL) != 0;
	if (cmd->sqsize == 0)
		return invalid_param(cx, NVMF_CONNECT_IATTR_SQE,
				     offsetof(struct nvmf_connect_cmd, sqsize),
				     "SQSIZE 0 (a queue needs at least 2 entries)");
	if (max_depth != 0 && cmd->sqsize + 1u > max_depth)
		return invalid_param(
		    cx, NVMF_CONNECT_IATTR_SQE, offsetof(struct nvmf_connect_cmd, sqsize),
		    "SQSIZE %u (%u entries) > %s %u", cmd->sqsize, cmd->sqsize + 1u,
		    cmd->qid == 0 ? "the admin queue depth" : "MaxQueueDepth", max_depth);
	cx->kato = nvmf_kato_round(cx->kato);
	return NVME_STATUS_SUCCESS;
}

static void fabrics_connect(struct nvmf_request *req)
{
	struct nvmf_conn *c = nvmf_conn_of(req->qpair);
	struct connect_ctx *cx;
	uint16_t st;

	if (!nvmf_conn_may_connect(c)) {
		log_warn("nvmf",
			 "connect refused: host at %s:%s: a Connect on a queue already connected, "
			 "connecting or closing",
			 req->qpair->peer.traddr, req->qpair->peer.trsvcid);
		nvmf_req_complete(req, ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR)));
		return;
	}
	cx = calloc(1, sizeof(*cx));
	if (cx == NULL) {
		log_error("nvmf", "connect refused: host at %s:%s: out of memory",
			  req->qpair->peer.traddr, req->qpair->peer.trsvcid);
		nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR));
		return;
	}
	cx->req = req;
	cx->c = c;
	st = connect_parse(req, cx);
	if (st != NVME_STATUS_SUCCESS) {
		connect_log_refusal(cx, st);
		req->cpl.cdw0 = cx->cdw0;
		free(cx);
		nvmf_req_complete(req, st);
		return;
	}
	nvmf_conn_connect_begin(c);
	if (nvmf_msg_send(nvmf_main_pg(c->pg->tgt), connect_main_msg, cx) != 0) {
		nvmf_conn_connect_end(c, false);
		refuse(cx, 0, "the main thread's message ring is full");
		connect_log_refusal(cx, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR));
		free(cx);
		nvmf_req_complete(req, NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR));
	}
}

/* ------------------------------------------------------- properties */

static uint64_t prop_cap(struct nvmf_conn *c)
{
	uint32_t depth = c->tr->opts.max_queue_depth ? c->tr->opts.max_queue_depth : 128;
	uint64_t cap = 0;

	cap = NVME_REG_SET(cap, CAP_MQES, depth - 1);
	cap = NVME_REG_SET(cap, CAP_CQR, 1);
	cap = NVME_REG_SET(cap, CAP_TO, CAP_TO_500MS);
	cap = NVME_REG_SET(cap, CAP_CSS, NVME_CAP_CSS_NVM);
	return cap;
}

static uint16_t prop_get(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr)
{
	const struct nvmf_property_get_cmd *cmd = (const void *)&req->cmd;
	uint32_t size = nvmf_prop_size_bytes(cmd->attrib);
	uint64_t v;

	if (size == 8 && cmd->ofst == NVME_REG_CAP)
		v = prop_cap(nvmf_conn_of(req->qpair));
	else if (size == 4 && cmd->ofst == NVME_REG_VS)
		v = NVMF_VERSION;
	else if (size == 4 && cmd->ofst == NVME_REG_CC)
		v = ctrlr->cc;
	else if (size == 4 && cmd->ofst == NVME_REG_CSTS)
		v = ctrlr->csts;
	else
		return ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD));
	req->cpl.cdw0 = (uint32_t)v;
	req->cpl.cdw1 = (uint32_t)(v >> 32);
	return NVME_STATUS_SUCCESS;
}

static void cc_write(struct nvmf_ctrlr *ctrlr, uint32_t cc)
{
	uint32_t old = ctrlr->cc;
	uint32_t en = NVME_REG_GET(cc, CC_EN), old_en = NVME_REG_GET(old, CC_EN);
	uint32_t shn = NVME_REG_GET(cc, CC_SHN), old_shn = NVME_REG_GET(old, CC_SHN);

	ctrlr->cc = cc;
	if (en && !old_en) {
		ctrlr->csts = NVME_REG_SET(ctrlr->csts, CSTS_RDY, 1);
		ctrlr->csts = NVME_REG_SET(ctrlr->csts, CSTS_SHST, NVME_CSTS_SHST_NORMAL);
	} else if (!en && old_en) {
		ctrlr->csts = 0;
		nvmf_ctrlr_reset(ctrlr);
	}
	if (shn != NVME_CC_SHN_NONE && old_shn == NVME_CC_SHN_NONE) {
		log_info("nvmf", "subsystem %s: controller %u (host %s): shutdown", ctrlr->ss->nqn,
			 ctrlr->cntlid, ctrlr->hostnqn);
		ctrlr->csts = NVME_REG_SET(ctrlr->csts, CSTS_SHST, NVME_CSTS_SHST_COMPLETE);
	} else if (shn == NVME_CC_SHN_NONE && old_shn != NVME_CC_SHN_NONE) {
		ctrlr->csts = NVME_REG_SET(ctrlr->csts, CSTS_SHST, NVME_CSTS_SHST_NORMAL);
	}
}

static uint16_t prop_set(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr)
{
	const struct nvmf_property_set_cmd *cmd = (const void *)&req->cmd;

	if (nvmf_prop_size_bytes(cmd->attrib) != 4 || cmd->ofst != NVME_REG_CC)
		return ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD));
	cc_write(ctrlr, (uint32_t)cmd->value);
	return NVME_STATUS_SUCCESS;
}

/* ---------------------------------------------------------- dispatch */

void nvmf_fabrics_exec(struct nvmf_request *req)
{
	struct nvmf_qpair *qp = req->qpair;
	uint8_t fctype = nvmf_cmd_fctype(&req->cmd);
	uint16_t st;

	if (fctype == NVMF_FCTYPE_CONNECT) {
		fabrics_connect(req);
		return;
	}
	if (!qp->connected) {
		nvmf_req_complete(req, ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR)));
		nvmf_conn_close(nvmf_conn_of(qp));
		return;
	}
	switch (fctype) {
	case NVMF_FCTYPE_AUTH_SEND:
		nvmf_auth_send(req);
		return;
	case NVMF_FCTYPE_AUTH_RECV:
		nvmf_auth_recv(req);
		return;
	case NVMF_FCTYPE_PROPERTY_GET:
	case NVMF_FCTYPE_PROPERTY_SET:
		if (!nvmf_auth_ok(nvmf_conn_of(qp))) {
			st = ST_DNR(NVME_STATUS_CMD(NVME_SC_FABRICS_AUTH_REQUIRED));
			break;
		}
		if (qp->qid != 0) {
			st = ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR));
			break;
		}
		nvmf_conn_of(qp)->ctrlr->last_ka_tick = env_ticks();
		st = fctype == NVMF_FCTYPE_PROPERTY_GET ? prop_get(req, qp->ctrlr)
							: prop_set(req, qp->ctrlr);
		break;
	case NVMF_FCTYPE_DISCONNECT:
		nvmf_req_complete(req, NVME_STATUS_SUCCESS);
		nvmf_conn_close(nvmf_conn_of(qp));
		return;
	default:
		st = ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE));
		break;
	}
	nvmf_req_complete(req, st);
}
