/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_pcie.h - what the PCIe host transport offers beyond nvme.h: probing
 * the local NVMe functions, and the command time-out of a local controller.
 * Connecting is nvme_ctrlr_connect() with "trtype:PCIe traddr:0000:00:04.0".
 *
 * Functions return 0 or a negative errno unless said otherwise.
 */
#ifndef NVMF_TGT_NVME_PCIE_H
#define NVMF_TGT_NVME_PCIE_H

#include <stdint.h>

#include "nvme.h"

/**
 * Call @cb with the PCI address ("0000:00:04.0") of each NVMe function
 * (class code 0x010802) that is in @allow (all when @num_allow is 0) and
 * bound to vfio-pci or uio_pci_generic. A function still bound to a kernel
 * driver is skipped with a log line telling the user to run tools/setup.sh.
 * A non-zero return from @cb stops the walk and is returned.
 * Thread-safe (reads sysfs only).
 * @return 0, @cb's return, or the errno of the PCI enumeration.
 */
int nvme_pcie_probe(const char *const *allow, unsigned num_allow,
		    int (*cb)(void *ctx, const char *pci_addr), void *ctx);

/**
 * Set the time after which a command of a local (PCIe) controller is
 * aborted, and after as long again the controller reset (default 30000 ms;
 * 0 disables). Call before I/O queue pairs are in use.
 * @return 0, or -EINVAL when @ctrlr is not a PCIe controller.
 */
int nvme_pcie_set_timeout(struct nvme_ctrlr *ctrlr, uint32_t timeout_ms);

#endif /* NVMF_TGT_NVME_PCIE_H */
