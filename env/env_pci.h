/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env_pci.h - the attached PCI function, shared by env/pci.c (sysfs, common
 * paths) and env/pci_kmod.c (the uio_pci_generic and vfio-pci specifics).
 * Not for use outside env/.
 */
#ifndef NVMF_TGT_ENV_PCI_H
#define NVMF_TGT_ENV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "include/env.h"

#define ENV_PCI_SYSFS "/sys/bus/pci/devices"
#define ENV_PCI_BARS 6u
#define ENV_PCI_CFG_MAX 4096u
#define ENV_PCI_COMMAND 0x04
#define ENV_PCI_COMMAND_MEMORY 0x2
#define ENV_PCI_COMMAND_MASTER 0x4
#define ENV_IORESOURCE_IO 0x100 /* "resource" flags: an I/O port BAR */

struct env_pci_dev {
	struct env_pci_addr addr;
	char name[16];    /* "0000:00:04.0" */
	bool vfio;        /* vfio-pci, else uio_pci_generic */
	int fd;           /* uio: sysfs config file; vfio: VFIO device */
	uint64_t cfg_off; /* offset of config space in @fd */
	int req_fd;       /* vfio: the device request eventfd, -1 when none */
	bool removed;     /* __atomic: env_pci_removal_requested() latched */
	struct {
		void *va;
		uint64_t size;
	} bars[ENV_PCI_BARS];
};

/** Basename of the driver bound to function @name, "" for none. @return 0 or -errno. */
int env_pci_driver_name(const char *name, char *buf, size_t len);

/** Open a uio_pci_generic function: sets dev->fd, cfg_off. @return 0 or -errno. */
int env_pci_uio_open(struct env_pci_dev *dev);

/** Map BAR @bar of @len bytes through sysfs resourceN. @return 0 or -errno. */
int env_pci_uio_map(struct env_pci_dev *dev, unsigned bar, uint64_t len, void **va);

/** Set up a vfio-pci function (IOMMU group, DMA map): sets fd, cfg_off. */
int env_pci_vfio_open(struct env_pci_dev *dev);

/** Map BAR @bar through VFIO; *len receives the region size. */
int env_pci_vfio_map(struct env_pci_dev *dev, unsigned bar, void **va, uint64_t *len);

/** vfio: has the device request eventfd fired? (non-blocking read) */
bool env_pci_vfio_req_fired(struct env_pci_dev *dev);

/** Close what env_pci_uio_open() / env_pci_vfio_open() opened. */
void env_pci_close(struct env_pci_dev *dev);

#endif /* NVMF_TGT_ENV_PCI_H */
