/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fabrics.c - the fabrics commands every fabrics transport shares: Connect
 * (admin and I/O queues) with its error mapping, and Property Get / Set,
 * which stand in for register access over the admin queue; and the
 * controller object, which holds nothing of a fabrics transport's own.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme_internal.h"
#include "util.h"

int nvme_fabrics_ctrlr_create(const struct nvme_transport_ops *ops, const struct nvme_trid *trid,
			      const struct nvme_ctrlr_opts *opts, struct nvme_ctrlr **ctrlr)
{
	struct nvme_ctrlr *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->ops = ops;
	c->trid = *trid;
	c->opts = *opts;
	if (c->opts.admin_queue_size < 2)
		c->opts.admin_queue_size = 32;
	if (c->opts.timeout_ms == 0)
		c->opts.timeout_ms = 10000;
	rc = ops->qpair_create(c, 0, c->opts.admin_queue_size, &c->adminq);
	if (rc != 0) {
		tls_psk_wipe(&c->opts.tls_key);
		free(c);
		return rc;
	}
	*ctrlr = c;
	return 0;
}

void nvme_fabrics_ctrlr_destroy(struct nvme_ctrlr *ctrlr)
{
	if (ctrlr->adminq != NULL)
		ctrlr->ops->qpair_destroy(ctrlr->adminq);
	tls_psk_wipe(&ctrlr->opts.tls_key);
	free(ctrlr);
}

const char *nvme_fabrics_hostnqn(const struct nvme_ctrlr *ctrlr)
{
	return ctrlr->trid.hostnqn[0] ? ctrlr->trid.hostnqn : ctrlr->opts.hostnqn;
}

const char *nvme_fabrics_subnqn(const struct nvme_ctrlr *ctrlr)
{
	return ctrlr->trid.subnqn[0] ? ctrlr->trid.subnqn : NVME_DISCOVERY_NQN;
}

int nvme_fabrics_connect_errno(const struct nvme_cpl *cpl)
{
	uint16_t st = nvme_cpl_get_status(cpl);

	if (nvme_status_sct(st) == NVME_SCT_COMMAND_SPECIFIC) {
		if (nvme_status_sc(st) == NVME_SC_FABRICS_CONNECT_INVALID_HOST)
			return -EACCES;
		if (nvme_status_sc(st) == NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS &&
		    NVMF_CONNECT_RSP_IATTR(cpl->cdw0) == NVMF_CONNECT_IATTR_DATA &&
		    NVMF_CONNECT_RSP_IPO(cpl->cdw0) == offsetof(struct nvmf_connect_data, subnqn))
			return -ENOENT;
	}
	return -EPROTO;
}

static const char *connect_reason(int err)
{
	switch (err) {
	case -EACCES:
		return "host not allowed";
	case -ENOENT:
		return "no such subsystem";
	default:
		return "rejected";
	}
}

int nvme_fabrics_connect(struct nvme_qpair *q, uint16_t cntlid, uint16_t *cntlid_out)
{
	struct nvme_ctrlr *ctrlr = q->ctrlr;
	const struct nvme_ctrlr_opts *o = &ctrlr->opts;
	struct nvmf_connect_data data;
	struct nvmf_connect_cmd cmd;
	struct nvme_cpl cpl;
	const char *hostnqn = nvme_fabrics_hostnqn(ctrlr);
	const char *subnqn = nvme_fabrics_subnqn(ctrlr);
	int rc;

	memset(&data, 0, sizeof(data));
	memcpy(data.hostid, o->hostid, sizeof(data.hostid));
	data.cntlid = cntlid;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", subnqn);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", hostnqn);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_OPC_FABRICS;
	cmd.fctype = NVMF_FCTYPE_CONNECT;
	cmd.recfmt = NVMF_RECFMT_0;
	cmd.qid = q->qid;
	cmd.sqsize = (uint16_t)(q->num_entries - 1);
	cmd.kato = q->qid == 0 ? o->kato_ms : 0;
	/*
	 * Unless asked to keep it (opts.sq_flow_control), I/O queues ask the
	 * controller to disable SQ flow control: this driver never reads SQHD (it
	 * keeps at most queue size - 1 commands in flight, which also honours
	 * flow control), and on NVMe/TCP it lets the target end a read with a
	 * C2HData PDU that carries SUCCESS instead of a separate CapsuleResp.
	 */
	if (nvme_fabrics_sq_flow_disabled(q))
		cmd.cattr = NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL;
	rc = nvme_qpair_exec_sync(q, (const struct nvme_cmd *)&cmd, &data, sizeof(data),
				  NVME_DATA_HOST_TO_CONTROLLER, &cpl, o->timeout_ms);
	if (rc != 0) {
		log_error(NVME_LOG, "%s: queue %u: Connect failed: %s", subnqn, q->qid,
			  rc == -ETIMEDOUT ? "timed out" : "connection lost");
		return rc;
	}
	if (nvme_cpl_is_error(&cpl)) {
		rc = nvme_fabrics_connect_errno(&cpl);
		log_error(
		    NVME_LOG,
		    "%s: queue %u: Connect %s (host %s): status sct 0x%x sc 0x%02x cdw0 0x%08x",
		    subnqn, q->qid, connect_reason(rc), hostnqn,
		    nvme_status_sct(nvme_cpl_get_status(&cpl)),
		    nvme_status_sc(nvme_cpl_get_status(&cpl)), cpl.cdw0);
		return rc;
	}
	if (cntlid_out != NULL)
		*cntlid_out = NVMF_CONNECT_RSP_CNTLID(cpl.cdw0);
	if (cpl.cdw0 & NVMF_CONNECT_RSP_AUTHREQ_ATR)
		return nvme_auth_queue(q, hostnqn, subnqn);
	return 0;
}

/*
 * Run the Property Get / Set (@what) command @cmd for offset @off on the
 * admin queue. @return 0 with @cpl filled, -EPROTO (logged) for an error
 * status, or the queue's error.
 */
static int prop_exec(struct nvme_ctrlr *ctrlr, const void *cmd, const char *what, uint32_t off,
		     struct nvme_cpl *cpl)
{
	int rc = nvme_qpair_exec_sync(ctrlr->adminq, cmd, NULL, 0, NVME_DATA_NONE, cpl,
				      ctrlr->opts.timeout_ms);

	if (rc != 0)
		return rc;
	if (nvme_cpl_is_error(cpl)) {
		log_error(NVME_LOG, "Property %s 0x%x: status 0x%04x", what, off,
			  nvme_cpl_get_status(cpl));
		return -EPROTO;
	}
	return 0;
}

static int prop_get(struct nvme_ctrlr *ctrlr, uint32_t off, uint8_t size, uint64_t *val)
{
	struct nvmf_property_get_cmd cmd;
	struct nvme_cpl cpl;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_OPC_FABRICS;
	cmd.fctype = NVMF_FCTYPE_PROPERTY_GET;
	cmd.attrib = size;
	cmd.ofst = off;
	rc = prop_exec(ctrlr, &cmd, "Get", off, &cpl);
	if (rc != 0)
		return rc;
	*val = (uint64_t)cpl.cdw0 | (size == NVMF_PROP_SIZE_8 ? (uint64_t)cpl.cdw1 << 32 : 0);
	return 0;
}

int nvme_fabrics_reg_read4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t *val)
{
	uint64_t v = 0;
	int rc = prop_get(ctrlr, off, NVMF_PROP_SIZE_4, &v);

	*val = (uint32_t)v;
	return rc;
}

int nvme_fabrics_reg_read8(struct nvme_ctrlr *ctrlr, uint32_t off, uint64_t *val)
{
	return prop_get(ctrlr, off, NVMF_PROP_SIZE_8, val);
}

int nvme_fabrics_reg_write4(struct nvme_ctrlr *ctrlr, uint32_t off, uint32_t val)
{
	struct nvmf_property_set_cmd cmd;
	struct nvme_cpl cpl;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_OPC_FABRICS;
	cmd.fctype = NVMF_FCTYPE_PROPERTY_SET;
	cmd.attrib = NVMF_PROP_SIZE_4;
	cmd.ofst = off;
	cmd.value = val;
	return prop_exec(ctrlr, &cmd, "Set", off, &cpl);
}
