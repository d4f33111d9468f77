/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssd.h - nvme_ssd: manage the local NVMe drives through our PCIe driver.
 */
#ifndef NVMF_TGT_NVME_SSD_H
#define NVMF_TGT_NVME_SSD_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme.h"

#define SSD_PROG "nvme_ssd"

/** Start the environment for the PCI functions @addrs (@n of them). @return 0 or errno. */
int ssd_env_start(const char *const *addrs, unsigned n);

/**
 * Connect to the local controller at @addr (claim lock taken by the driver:
 * refused, naming the holder, when another process has it), admin
 * commands bounded by @timeout_ms. @return 0 or an errno (printed).
 */
int ssd_connect(const char *addr, uint32_t timeout_ms, struct nvme_ctrlr **ctrlr);

/** Print an admin command's outcome "@what: ok" or its status by name. @return 0 or 1. */
int ssd_report(const char *what, int rc, const struct nvme_cpl *cpl);

/** `list [--json]`. @return the exit status. */
int ssd_cmd_list(int argc, char **argv);

#endif /* NVMF_TGT_NVME_SSD_H */
