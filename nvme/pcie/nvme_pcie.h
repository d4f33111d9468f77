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

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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

/**
 * Submit an admin command to local controller @ctrlr from any thread (the
 * controller's admin lock is held; nvme_ctrlr_admin_raw() is for the
 * owning thread only). The callback runs inside a later
 * nvme_pcie_admin_poll(), on the thread that polls.
 * @return 0, -EAGAIN (queue full), -ENXIO (failed), -EINVAL (not PCIe).
 */
int nvme_pcie_admin_submit(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			   uint32_t len, nvme_cb cb, void *arg);

/**
 * Reap admin completions of local controller @ctrlr from any thread; does
 * not wait when another thread holds the admin queue (returns 0 then).
 * @return completions processed, -ENXIO (failed), -EINVAL (not PCIe).
 */
int nvme_pcie_admin_poll(struct nvme_ctrlr *ctrlr);

/**
 * Look at local controller @ctrlr now, without a queue: CSTS all ones
 * (gone from the bus), CSTS.CFS, or a removal asked by the kernel mark it
 * failed and call its removed callback (nvme_ctrlr_set_removed_cb()),
 * once for all such checks and queue polls together. For a drive no queue
 * pair polls (no I/O): call it from a timer, e.g. on the thread that owns
 * the admin queue. Any thread; never waits.
 * @return 0 (healthy), -ENXIO (failed), -EINVAL (not PCIe).
 */
int nvme_pcie_check(struct nvme_ctrlr *ctrlr);

/**
 * Is a reset of local controller @ctrlr running now (any thread)? False
 * for a controller of another transport. A reset may begin right after.
 */
bool nvme_pcie_resetting(const struct nvme_ctrlr *ctrlr);

/** Where the claim lock files are: $NVMF_TGT_LOCK_DIR, or else /var/tmp. */
#define NVME_PCIE_CLAIM_DIR_ENV "NVMF_TGT_LOCK_DIR"
#define NVME_PCIE_CLAIM_DIR "/var/tmp"

/**
 * Claim local NVMe function @pci_addr for this process: an exclusive lock
 * (F_OFD_SETLK, whole file) on <dir>/nvmf_tgt_pci_<DDDD:BB:DD.F> with this
 * process's PID written in the file. nvme_ctrlr_connect() does this for
 * every PCIe controller before touching it, and releases it at disconnect;
 * a tool calls it directly only to hold a drive without attaching it. The
 * kernel drops the lock when the process ends however it ends (SIGKILL
 * included); a file left behind without a holder is taken over. Two
 * claims of one address conflict even within one process. Thread-safe.
 * @param fd receives the lock's descriptor (for nvme_pcie_unclaim()).
 * @param holder may be NULL; on -EBUSY receives the holder's PID, 0 when
 *        it could not be read.
 * @return 0, -EBUSY (held by another), -EINVAL (not a PCI address), or the
 *         errno of opening the file.
 */
int nvme_pcie_claim(const char *pci_addr, int *fd, pid_t *holder);

/** Release a claim from nvme_pcie_claim() (empties the file). -1 is ignored. */
void nvme_pcie_unclaim(int fd);

/**
 * The PID of the process holding the claim of @pci_addr, 0 when none does
 * (or its PID cannot be read). Does not take the lock. Thread-safe.
 */
pid_t nvme_pcie_claim_holder(const char *pci_addr);

#endif /* NVMF_TGT_NVME_PCIE_H */
