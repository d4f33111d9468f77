/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_cmds.c - admin commands for managing a drive: Get Log Page, Format
 * NVM, Firmware Image Download and Firmware Commit, each synchronous on
 * the controller's admin queue (its owning thread).
 */
#include <errno.h>
#include <string.h>

#include "nvme_internal.h"

/* Run @cmd, the completion into @cpl. @return 0 (check the status), or an errno. */
static int admin_run(struct nvme_ctrlr *c, struct nvme_cmd *cmd, void *buf, uint32_t len,
		     struct nvme_cpl *cpl)
{
	struct nvme_cpl local;

	return nvme_ctrlr_admin_sync(c, cmd, buf, len, cpl ? cpl : &local);
}

int nvme_ctrlr_get_log(struct nvme_ctrlr *ctrlr, uint8_t lid, uint32_t nsid, void *buf,
		       uint32_t len, uint64_t offset, struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE, .nsid = nsid};

	if (len == 0 || len % 4 != 0 || offset % 4 != 0)
		return -EINVAL;
	nvme_glp_set(&cmd, lid, len, offset);
	return admin_run(ctrlr, &cmd, buf, len, cpl);
}

int nvme_ctrlr_format(struct nvme_ctrlr *ctrlr, uint32_t nsid, uint8_t lbaf, uint8_t ses,
		      struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_FORMAT_NVM, .nsid = nsid};

	if (lbaf > 63 || ses > 7)
		return -EINVAL;
	/* CDW10: LBAF bits 3:0 (upper bits 13:12), SES bits 11:9; MSET, PI, PIL 0. */
	cmd.cdw10 = (uint32_t)(lbaf & 0xfu) | (uint32_t)ses << 9 | (uint32_t)(lbaf >> 4) << 12;
	return admin_run(ctrlr, &cmd, NULL, 0, cpl);
}

int nvme_ctrlr_fw_download(struct nvme_ctrlr *ctrlr, const void *buf, uint32_t len, uint32_t offset,
			   struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD};

	if (len == 0 || len % 4 != 0 || offset % 4 != 0)
		return -EINVAL;
	cmd.cdw10 = len / 4 - 1; /* NUMD, 0's based */
	cmd.cdw11 = offset / 4;  /* OFST in dwords */
	return admin_run(ctrlr, &cmd, (void *)buf, len, cpl);
}

int nvme_ctrlr_fw_commit(struct nvme_ctrlr *ctrlr, uint8_t slot, uint8_t action,
			 struct nvme_cpl *cpl)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_FIRMWARE_COMMIT};

	if (slot > 7 || action > 7)
		return -EINVAL;
	cmd.cdw10 = (uint32_t)slot | (uint32_t)action << 3; /* FS bits 2:0, CA bits 5:3 */
	return admin_run(ctrlr, &cmd, NULL, 0, cpl);
}
