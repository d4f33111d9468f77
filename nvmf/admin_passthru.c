/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_passthru.c - Format NVM, Sanitize, Firmware Image Download and
 * Firmware Commit from a host, passed to the local drive behind the
 * subsystem (admin group). Only when the subsystem allows it
 * (nvmf_subsystem_set_admin_passthru(), conf AdminPassthru) and every one
 * of its namespaces is on the same drive; otherwise the commands keep
 * their answer, Invalid Command Opcode. The host's NSID is translated to
 * the drive's; NSID FFFFFFFFh and Sanitize act on the whole drive. One
 * command at a time per controller; its completion is reaped from the
 * admin group's timer (nvmf_passthru_timers()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvmf/backend.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

struct passthru_ctx {
	struct nvmf_request *req; /* NULL once the host's controller let go */
	struct nvmf_backend *b;
	void *buf;
	bool done;
	struct nvme_cpl cpl;
};

bool nvmf_admin_passthru_opc(uint8_t opc)
{
	return opc == NVME_OPC_FORMAT_NVM || opc == NVME_OPC_SANITIZE ||
	       opc == NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD || opc == NVME_OPC_FIRMWARE_COMMIT;
}

/* The one backend every namespace of @ss is on a drive of, or NULL. */
static struct nvmf_backend *passthru_backend(struct nvmf_subsystem *ss)
{
	struct nvmf_backend *first = NULL;
	const void *dev = NULL;

	for (uint32_t nsid = 1; nsid <= NVMF_MAX_NSID_LIMIT; nsid++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);
		const void *d;

		if (ns == NULL)
			continue;
		if (ns->backend->ops->admin_submit == NULL || ns->backend->ops->device == NULL)
			return NULL;
		d = ns->backend->ops->device(ns->backend);
		if (first != NULL && d != dev)
			return NULL;
		first = first ? first : ns->backend;
		dev = d;
	}
	return first;
}

bool nvmf_admin_passthru_on(struct nvmf_subsystem *ss)
{
	return ss->admin_passthru && passthru_backend(ss) != NULL;
}

static void passthru_done(void *arg, const struct nvme_cpl *cpl)
{
	struct passthru_ctx *cx = arg;

	cx->cpl = *cpl;
	cx->done = true;
}

/*
 * The command as the drive gets it: the host's opcode, NSID and CDW2-15;
 * not its data pointer. The fabric's SGL (PSDT 01b and the transport's
 * descriptor) means nothing to a PCIe drive, which refuses an admin
 * command with PSDT other than PRP (Invalid Field in Command): the PCIe
 * driver builds PRPs for a buffer, and leaves them zero for none.
 */
static void passthru_cmd_for_drive(struct nvme_cmd *cmd)
{
	cmd->fuse = 0;
	cmd->psdt = NVME_PSDT_PRP;
	cmd->mptr = 0;
	memset(&cmd->dptr, 0, sizeof(cmd->dptr));
}

/* The drive's NSID for the host's @nsid (FFFFFFFFh and 0 stay), or 0 when none. */
static bool passthru_nsid(struct nvmf_subsystem *ss, struct nvme_cmd *cmd)
{
	struct nvmf_ns *ns;

	if (cmd->nsid == 0 || cmd->nsid == NVME_NSID_ALL)
		return true;
	ns = nvmf_ss_ns(ss, cmd->nsid);
	if (ns == NULL || ns->backend->nsid == 0)
		return false;
	cmd->nsid = ns->backend->nsid;
	return true;
}

uint16_t nvmf_admin_passthru(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	struct nvmf_backend *b = ctrlr->ss->admin_passthru ? passthru_backend(ctrlr->ss) : NULL;
	struct nvme_cmd cmd = req->cmd;
	struct passthru_ctx *cx;
	int rc;

	if (b == NULL)
		return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE));
	if (ctrlr->passthru != NULL)
		return NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR);
	if (!passthru_nsid(ctrlr->ss, &cmd))
		return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_NAMESPACE_OR_FORMAT));
	passthru_cmd_for_drive(&cmd);
	cx = calloc(1, sizeof(*cx));
	if (cx == NULL)
		return NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	if (req->length > 0) { /* Firmware Image Download: the image piece */
		cx->buf = env_dma_zalloc(req->length, 4096);
		if (cx->buf == NULL ||
		    nvmf_req_copy_from(req, 0, cx->buf, req->length) != req->length) {
			env_dma_free(cx->buf);
			free(cx);
			return NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
		}
	}
	cx->req = req;
	cx->b = b;
	rc = b->ops->admin_submit(b, &cmd, cx->buf, req->length, passthru_done, cx);
	if (rc != 0) {
		env_dma_free(cx->buf);
		free(cx);
		return rc == -EAGAIN ? NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR)
				     : NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	}
	ctrlr->passthru = cx;
	return NVMF_STATUS_ASYNC;
}

void nvmf_passthru_timers(struct nvmf_ctrlr *ctrlr)
{
	struct passthru_ctx *cx = ctrlr->passthru;

	if (cx == NULL)
		return;
	cx->b->ops->admin_poll(cx->b);
	if (!cx->done)
		return;
	ctrlr->passthru = NULL;
	cx->req->cpl.cdw0 = cx->cpl.cdw0;
	nvmf_req_complete(cx->req, nvme_cpl_get_status(&cx->cpl) & 0x7fffu);
	env_dma_free(cx->buf);
	free(cx);
}

void nvmf_passthru_abort(struct nvmf_ctrlr *ctrlr)
{
	struct passthru_ctx *cx = ctrlr->passthru;
	uint64_t end = env_ticks() + env_ticks_hz() * 2;

	if (cx == NULL)
		return;
	/* The drive still owns the buffer: give it a moment to answer. */
	while (!cx->done && env_ticks() < end)
		cx->b->ops->admin_poll(cx->b);
	ctrlr->passthru = NULL;
	nvmf_req_complete(cx->req, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	if (cx->done) {
		env_dma_free(cx->buf);
		free(cx);
	} else {
		log_error("nvmf",
			  "admin passthrough: the drive did not answer; its buffer is kept");
	}
}
