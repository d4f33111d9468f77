/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin.c - admin command dispatch (admin poll group): a table picks the
 * handler; Keep Alive and Asynchronous Event Request live here.
 */
#include <string.h>

#include "env.h"
#include "nvmf/nvmf_internal.h"

typedef uint16_t (*admin_fn)(struct nvmf_request *req);

struct admin_cmd {
	uint8_t opc;
	bool discovery_ok; /* also served by discovery controllers */
	admin_fn fn;
};

static uint16_t admin_keep_alive(struct nvmf_request *req)
{
	(void)req; /* the timestamp was taken on entry */
	return NVME_STATUS_SUCCESS;
}

static uint16_t admin_aer(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;

	if (ctrlr->naer >= NVMF_AER_MAX)
		return NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED));
	ctrlr->aer[ctrlr->naer++] = req;
	nvmf_ctrlr_aer_kick(ctrlr);
	return NVMF_STATUS_ASYNC;
}

static const struct admin_cmd admin_cmds[] = {
    {NVME_OPC_GET_LOG_PAGE, true, nvmf_admin_get_log_page},
    {NVME_OPC_IDENTIFY, true, nvmf_admin_identify},
    {NVME_OPC_ABORT, false, nvmf_admin_abort},
    {NVME_OPC_SET_FEATURES, true, nvmf_admin_set_features},
    {NVME_OPC_GET_FEATURES, true, nvmf_admin_get_features},
    {NVME_OPC_ASYNC_EVENT_REQUEST, true, admin_aer},
    {NVME_OPC_KEEP_ALIVE, true, admin_keep_alive},
    {NVME_OPC_FIRMWARE_COMMIT, false, nvmf_admin_passthru},
    {NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD, false, nvmf_admin_passthru},
    {NVME_OPC_FORMAT_NVM, false, nvmf_admin_passthru},
    {NVME_OPC_SANITIZE, false, nvmf_admin_passthru},
};

static const struct admin_cmd *admin_lookup(uint8_t opc, bool discovery)
{
	for (size_t i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++) {
		if (admin_cmds[i].opc == opc)
			return discovery && !admin_cmds[i].discovery_ok ? NULL : &admin_cmds[i];
	}
	return NULL;
}

void nvmf_admin_exec(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	const struct admin_cmd *desc;
	uint16_t st;

	ctrlr->last_ka_tick = env_ticks();
	desc = admin_lookup(req->cmd.opc, nvmf_ctrlr_is_discovery(ctrlr));
	if (desc == NULL)
		st = NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE));
	else if (!NVME_REG_GET(ctrlr->cc, CC_EN) || !NVME_REG_GET(ctrlr->csts, CSTS_RDY))
		st = NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR));
	else
		st = desc->fn(req);
	if (st != NVMF_STATUS_ASYNC)
		nvmf_req_complete(req, st);
}

void nvmf_req_copy_page(struct nvmf_request *req, const void *page, size_t page_len, uint64_t off,
			uint64_t max)
{
	size_t n;

	n = off < page_len ? page_len - (size_t)off : 0;
	if (n > max)
		n = (size_t)max;
	n = nvmf_req_copy_to(req, 0, (const char *)page + off, n);
	nvmf_req_zero_from(req, n);
}
