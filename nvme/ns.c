/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ns.c - NVM command set I/O on a namespace: Read, Write, Flush, Write
 * Zeroes and Dataset Management (deallocate).
 */
#include <errno.h>
#include <string.h>

#include "nvme_internal.h"

static int range_check(const struct nvme_ns *ns, uint64_t lba, uint32_t nlb, bool mdts)
{
	if (nlb == 0 || nlb > 65536 || lba >= ns->num_blocks || nlb > ns->num_blocks - lba)
		return -EINVAL;
	if (mdts && ns->max_io_blocks != 0 && nlb > ns->max_io_blocks)
		return -EINVAL;
	return 0;
}

static int ns_rw(struct nvme_ns *ns, struct nvme_qpair *qpair, uint8_t opc, void *buf, uint64_t lba,
		 uint32_t nlb, uint32_t flags, nvme_cb cb, void *arg)
{
	struct nvme_cmd cmd;
	uint8_t dir =
	    opc == NVME_OPC_READ ? NVME_DATA_CONTROLLER_TO_HOST : NVME_DATA_HOST_TO_CONTROLLER;
	int rc = range_check(ns, lba, nlb, true);

	if (rc != 0)
		return rc;
	if (buf == NULL || (uint64_t)nlb * ns->block_size > UINT32_MAX)
		return -EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = opc;
	cmd.nsid = ns->nsid;
	nvme_cmd_set_lba_range(&cmd, lba, nlb);
	if (flags & NVME_IO_FUA)
		cmd.cdw12 |= NVME_RW_FUA;
	return nvme_qpair_submit(qpair, &cmd, buf, nlb * ns->block_size, dir, cb, arg);
}

int nvme_ns_read(struct nvme_ns *ns, struct nvme_qpair *qpair, void *buf, uint64_t lba,
		 uint32_t nlb, uint32_t flags, nvme_cb cb, void *arg)
{
	return ns_rw(ns, qpair, NVME_OPC_READ, buf, lba, nlb, flags, cb, arg);
}

int nvme_ns_write(struct nvme_ns *ns, struct nvme_qpair *qpair, const void *buf, uint64_t lba,
		  uint32_t nlb, uint32_t flags, nvme_cb cb, void *arg)
{
	/* The buffer is only read from: the request stores it without const. */
	return ns_rw(ns, qpair, NVME_OPC_WRITE, (void *)(uintptr_t)buf, lba, nlb, flags, cb, arg);
}

int nvme_ns_flush(struct nvme_ns *ns, struct nvme_qpair *qpair, nvme_cb cb, void *arg)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_FLUSH, .nsid = ns->nsid};

	return nvme_qpair_submit(qpair, &cmd, NULL, 0, NVME_DATA_NONE, cb, arg);
}

int nvme_ns_write_zeroes(struct nvme_ns *ns, struct nvme_qpair *qpair, uint64_t lba, uint32_t nlb,
			 nvme_cb cb, void *arg)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_WRITE_ZEROES, .nsid = ns->nsid};
	int rc = range_check(ns, lba, nlb, false);

	if (rc != 0)
		return rc;
	nvme_cmd_set_lba_range(&cmd, lba, nlb);
	return nvme_qpair_submit(qpair, &cmd, NULL, 0, NVME_DATA_NONE, cb, arg);
}

/*
 * The caller owns @ranges only until return: the request carries a malloc'd
 * copy (freed at completion). DSM is not on the read/write hot path.
 */
int nvme_ns_deallocate(struct nvme_ns *ns, struct nvme_qpair *qpair,
		       const struct nvme_dsm_range *ranges, uint32_t nr, nvme_cb cb, void *arg)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_DATASET_MANAGEMENT, .nsid = ns->nsid};
	uint32_t i;

	if (nr == 0 || nr > NVME_DSM_MAX_RANGES || ranges == NULL)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (ranges[i].length != 0 && range_check(ns, ranges[i].slba, 1, false) != 0)
			return -EINVAL;
	cmd.cdw10 = (nr - 1) & NVME_DSM_NR_MASK;
	cmd.cdw11 = NVME_DSM_ATTR_AD;
	return nvme_qpair_submit_copy(qpair, &cmd, ranges, nr * (uint32_t)sizeof(*ranges), cb, arg);
}
