/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host side of Asymmetric Namespace Access: read a controller's ANA log
 * page (0Ch) and find the state of one namespace's group on that path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvme.h"
#include "nvme_spec_log.h"

/* The largest ANA log the controller may return (every group, every NSID), at most 64 KiB. */
static uint32_t ana_log_max(const struct nvme_id_ctrl *id)
{
	uint64_t len = sizeof(struct nvme_ana_log_hdr) +
		       (uint64_t)id->nanagrpid * sizeof(struct nvme_ana_group_desc) +
		       (uint64_t)id->nn * sizeof(uint32_t);

	if (len < 4096)
		len = 4096;
	return len > (1u << 16) ? 1u << 16 : (uint32_t)((len + 3) & ~3ull);
}

/* Does the descriptor at @d (of @left bytes) name @grp or @nsid? @return its length, 0: bad. */
static size_t ana_desc_match(const uint8_t *d, size_t left, uint32_t grp, uint32_t nsid,
			     bool *match)
{
	struct nvme_ana_group_desc h;
	size_t len;

	if (left < sizeof(h))
		return 0;
	memcpy(&h, d, sizeof(h)); /* descriptors are only 4-byte aligned */
	len = sizeof(h) + (size_t)h.nnsids * sizeof(uint32_t);
	if (len > left)
		return 0;
	*match = grp != 0 && h.anagrpid == grp;
	for (uint32_t i = 0; !*match && i < h.nnsids; i++)
		*match = nvme_get_le32(d + sizeof(h) + i * sizeof(uint32_t)) == nsid;
	return len;
}

int nvme_ana_log_find(const void *log, size_t len, uint32_t grp, uint32_t nsid)
{
	const uint8_t *buf = log;
	struct nvme_ana_log_hdr hdr;
	size_t off = sizeof(hdr), dlen;
	bool match = false;

	if (len < sizeof(hdr))
		return -EPROTO;
	memcpy(&hdr, buf, sizeof(hdr));
	for (uint16_t i = 0; i < hdr.num_ana_group_desc; i++, off += dlen) {
		dlen = ana_desc_match(buf + off, len - off, grp, nsid, &match);
		if (dlen == 0)
			return -EPROTO;
		if (match)
			return buf[off + offsetof(struct nvme_ana_group_desc, state)] & 0xF;
	}
	return -ENOENT;
}

int nvme_ctrlr_ana_state(struct nvme_ctrlr *ctrlr, uint32_t nsid, uint8_t *state)
{
	const struct nvme_id_ctrl *id = nvme_ctrlr_id(ctrlr);
	struct nvme_ns *ns = nvme_ctrlr_ns(ctrlr, nsid);
	uint32_t len = ana_log_max(id), grp;
	struct nvme_cpl cpl;
	uint8_t *buf;
	int rc;

	if (!ns)
		return -ENOENT;
	if (!(id->cmic & NVME_CTRL_CMIC_ANA))
		return -ENOTSUP;
	grp = nvme_ns_id(ns)->anagrpid;
	buf = env_dma_zalloc(len, 4096);
	if (!buf)
		return -ENOMEM;
	rc = nvme_ctrlr_get_log(ctrlr, NVME_LOG_ANA, 0, buf, len, 0, &cpl);
	if (rc == 0 && nvme_cpl_is_error(&cpl))
		rc = -EIO;
	if (rc == 0)
		rc = nvme_ana_log_find(buf, len, grp, nsid);
	env_dma_free(buf);
	if (rc < 0)
		return rc;
	*state = (uint8_t)rc;
	return 0;
}
