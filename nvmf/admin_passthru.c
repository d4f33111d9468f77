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
 *
 * What hosts need to issue the passed commands is advertised from the
 * same test: OACS Format and Firmware, the drive's own SANICAP and FNA,
 * and the Sanitize Status log (81h), read from the drive as a passed
 * Get Log Page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvmf/backend.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

#define PASSTHRU_LOG_MAX 4096u /* the longest log read passed to the drive */

struct passthru_ctx {
	struct nvmf_request *req; /* NULL once the host's controller let go */
	struct nvmf_backend *b;
	void *buf;
	uint32_t len; /* of buf */
	bool to_host; /* buf goes back to the host (Get Log Page) */
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

/* SANICAP bits this target passes on: the sanitize actions and how No-Deallocate behaves. */
#define PASSTHRU_SANICAP                                                                           \
	(NVME_CTRL_SANICAP_CES | NVME_CTRL_SANICAP_BES | NVME_CTRL_SANICAP_OWS |                   \
	 NVME_CTRL_SANICAP_NDI | NVME_CTRL_SANICAP_NODMMAS_MASK)
#define PASSTHRU_FNA                                                                               \
	(NVME_CTRL_FNA_FORMAT_ALL | NVME_CTRL_FNA_SEC_ERASE_ALL | NVME_CTRL_FNA_CRYPTO_ERASE)

void nvmf_admin_passthru_id_ctrl(struct nvmf_subsystem *ss, struct nvme_id_ctrl *id)
{
	struct nvmf_backend *b = ss->admin_passthru ? passthru_backend(ss) : NULL;
	const struct nvme_id_ctrl *drive;

	if (b == NULL)
		return;
	id->oacs |= NVME_CTRL_OACS_FORMAT | NVME_CTRL_OACS_FIRMWARE;
	drive = b->ops->drive_id != NULL ? b->ops->drive_id(b) : NULL;
	if (drive == NULL)
		return;
	id->sanicap = drive->sanicap & PASSTHRU_SANICAP;
	id->fna = drive->fna & PASSTHRU_FNA;
}

static void passthru_done(void *arg, const struct nvme_cpl *cpl)
{
	struct passthru_ctx *cx = arg;

	/* Any thread that polls the drive's admin queue (an Abort's wait, too). */
	cx->cpl = *cpl;
	__atomic_store_n(&cx->done, true, __ATOMIC_RELEASE);
}

static bool passthru_is_done(const struct passthru_ctx *cx)
{
	return __atomic_load_n(&cx->done, __ATOMIC_ACQUIRE);
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

/*
 * The drive's buffer for @req: the host's data (Firmware Image Download: the
 * image piece), or room for what the drive returns (Get Log Page: the
 * length its NUMD says, whatever the host's transfer holds, since the drive
 * writes that much, at most PASSTHRU_LOG_MAX). @return 0, -EINVAL (too
 * long), -ENOMEM or -EIO.
 */
static int passthru_buf(struct passthru_ctx *cx, struct nvmf_request *req)
{
	enum nvme_data_transfer dir = nvmf_cmd_data_transfer(&req->cmd);

	if (dir == NVME_DATA_CONTROLLER_TO_HOST && req->cmd.opc == NVME_OPC_GET_LOG_PAGE) {
		if (nvme_glp_len(&req->cmd) > PASSTHRU_LOG_MAX)
			return -EINVAL;
		cx->to_host = true;
		cx->len = (uint32_t)nvme_glp_len(&req->cmd);
	} else if (dir == NVME_DATA_HOST_TO_CONTROLLER) {
		cx->len = req->length;
	}
	if (cx->len == 0)
		return 0;
	cx->buf = env_dma_zalloc(cx->len, 4096);
	if (cx->buf == NULL)
		return -ENOMEM;
	if (!cx->to_host && nvmf_req_copy_from(req, 0, cx->buf, cx->len) != cx->len) {
		env_dma_free(cx->buf);
		cx->buf = NULL;
		return -EIO;
	}
	return 0;
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
	rc = passthru_buf(cx, req);
	if (rc != 0) {
		free(cx);
		return rc == -EINVAL ? NVMF_ST_INVALID_FIELD
				     : NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	}
	cx->req = req;
	cx->b = b;
	rc = b->ops->admin_submit(b, &cmd, cx->buf, cx->len, passthru_done, cx);
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
	if (!passthru_is_done(cx))
		return;
	ctrlr->passthru = NULL;
	cx->req->cpl.cdw0 = cx->cpl.cdw0;
	if (cx->to_host && !nvme_cpl_is_error(&cx->cpl))
		nvmf_req_copy_page(cx->req, cx->buf, cx->len, 0, cx->len);
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
	while (!passthru_is_done(cx) && env_ticks() < end)
		cx->b->ops->admin_poll(cx->b);
	ctrlr->passthru = NULL;
	nvmf_req_complete(cx->req, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	if (passthru_is_done(cx)) {
		env_dma_free(cx->buf);
		free(cx);
	} else {
		log_error("nvmf",
			  "admin passthrough: the drive did not answer; its buffer is kept");
	}
}
