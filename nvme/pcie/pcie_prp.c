/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_prp.c - PRP entries from env IOVAs (page size 4 KiB, CC.MPS 0).
 *
 * PRP1 is the IOVA of the first byte (any dword offset). A transfer that
 * ends in the first page needs nothing more; one that ends in the second
 * page puts that page in PRP2; a longer one puts a PRP list in PRP2: one
 * entry per further page. A list page holds 512 entries; when more remain
 * than fit, its last entry points to the next list page (a chain).
 *
 * Every page is translated on its own: DMA memory is contiguous in IOVA
 * within a hugepage, not across hugepages when IOVA is the physical address.
 */
#include <errno.h>

#include "nvme/pcie/pcie_internal.h"

static int page_iova(const uint8_t *va, uint64_t *iova)
{
	*iova = env_iova(va);
	return *iova == ENV_IOVA_INVALID ? -EINVAL : 0;
}

/* Write the entries for @npg pages from @va into the list pages. */
static int prp_fill_list(const uint8_t *va, uint32_t npg, uint64_t *list, const uint64_t *list_iova,
			 uint32_t npages)
{
	uint32_t page = 0, idx = 0, i;
	int rc;

	for (i = 0; i < npg; i++) {
		if (idx == NVME_PCIE_PRP_PER_PAGE - 1 && npg - i > 1) {
			/* Page full and more than one entry left: chain. */
			if (page + 1 >= npages)
				return -EINVAL;
			list[page * NVME_PCIE_PRP_PER_PAGE + idx] = list_iova[page + 1];
			page++;
			idx = 0;
		}
		rc = page_iova(va + (uint64_t)i * NVME_PCIE_PAGE,
			       &list[page * NVME_PCIE_PRP_PER_PAGE + idx]);
		if (rc != 0)
			return rc;
		idx++;
	}
	return 0;
}

int nvme_pcie_prp_build(struct nvme_cmd *cmd, const void *buf, uint32_t len, uint64_t *list,
			const uint64_t *list_iova, uint32_t npages)
{
	const uint8_t *va = buf;
	uint32_t off, first, npg;
	uint64_t iova;
	int rc;

	cmd->psdt = NVME_PSDT_PRP;
	cmd->dptr.prp.prp1 = 0;
	cmd->dptr.prp.prp2 = 0;
	if (len == 0)
		return 0;
	rc = page_iova(va, &iova);
	if (rc != 0 || (iova & 3) != 0)
		return -EINVAL;
	cmd->dptr.prp.prp1 = iova;
	off = (uint32_t)((uintptr_t)va & (NVME_PCIE_PAGE - 1));
	first = NVME_PCIE_PAGE - off;
	if (len <= first)
		return 0;
	va += first;
	npg = (len - first + NVME_PCIE_PAGE - 1) / NVME_PCIE_PAGE;
	if (npg == 1)
		return page_iova(va, &cmd->dptr.prp.prp2);
	if (list == NULL || npages == 0)
		return -EINVAL;
	rc = prp_fill_list(va, npg, list, list_iova, npages);
	if (rc != 0)
		return rc;
	cmd->dptr.prp.prp2 = list_iova[0];
	return 0;
}
