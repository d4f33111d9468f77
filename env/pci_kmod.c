/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel-module specifics of an attached PCI function:
 * uio_pci_generic (sysfs config file and resourceN mmap; DMA needs IOVA as
 * PA) and vfio-pci (DPDK's VFIO helpers set up the group, the container and
 * the IOMMU mappings of DMA memory; BARs and config space are VFIO regions).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_vfio.h>

#include "env/env_pci.h"
#include "include/util.h"

int env_pci_uio_open(struct env_pci_dev *dev)
{
	char path[128];

	if (rte_eal_iova_mode() != RTE_IOVA_PA) {
		log_error("env",
			  "PCI %s: uio_pci_generic needs physical addresses (hugepages, root, no "
			  "IOMMU); bind it to vfio-pci instead (tools/setup.sh)",
			  dev->name);
		return -ENOTSUP;
	}
	snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s/config", dev->name);
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int rc = -errno;

		log_error("env", "PCI %s: cannot open %s: %s", dev->name, path, strerror(-rc));
		return rc;
	}
	dev->cfg_off = 0;
	return 0;
}

int env_pci_uio_map(struct env_pci_dev *dev, unsigned bar, uint64_t len, void **va)
{
	char path[128];
	void *p;
	int fd;

	snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s/resource%u", dev->name, bar);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	*va = p;
	return 0;
}

static int env_pci_vfio_region(struct env_pci_dev *dev, unsigned index,
			       struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, info) == 0 ? 0 : -errno;
}

/* Set (@fd >= 0) or clear (-1) the device request eventfd. @return 0 or -errno. */
static int env_pci_vfio_req_set(struct env_pci_dev *dev, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	memcpy(set->data, &fd, sizeof(fd));
	return ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set) == 0 ? 0 : -errno;
}

/* Ask the kernel to tell us (an eventfd) when it wants the device back. */
static void env_pci_vfio_req_open(struct env_pci_dev *dev)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd >= 0 && env_pci_vfio_req_set(dev, fd) == 0) {
		dev->req_fd = fd;
		return;
	}
	log_warn("env",
		 "PCI %s: no VFIO device request notifier: a removal of the function waits "
		 "until the target lets it go",
		 dev->name);
	if (fd >= 0)
		close(fd);
}

bool env_pci_vfio_req_fired(struct env_pci_dev *dev)
{
	uint64_t v;

	return dev->req_fd >= 0 && read(dev->req_fd, &v, sizeof(v)) == (ssize_t)sizeof(v);
}

int env_pci_vfio_open(struct env_pci_dev *dev)
{
	struct vfio_device_info dinfo = {.argsz = sizeof(dinfo)};
	struct vfio_region_info rinfo;
	int rc;

	rc = rte_vfio_setup_device(ENV_PCI_SYSFS, dev->name, &dev->fd, &dinfo);
	if (rc != 0) {
		log_error("env",
			  "PCI %s: VFIO set-up failed (is the IOMMU group viable and "
			  "/dev/vfio accessible? see tools/setup.sh)",
			  dev->name);
		dev->fd = -1;
		return rc < 0 ? -EIO : -ENODEV;
	}
	rc = env_pci_vfio_region(dev, VFIO_PCI_CONFIG_REGION_INDEX, &rinfo);
	if (rc != 0) {
		env_pci_close(dev);
		return rc;
	}
	dev->cfg_off = rinfo.offset;
	env_pci_vfio_req_open(dev);
	return 0;
}

int env_pci_vfio_map(struct env_pci_dev *dev, unsigned bar, void **va, uint64_t *len)
{
	struct vfio_region_info info;
	void *p;
	int rc = env_pci_vfio_region(dev, VFIO_PCI_BAR0_REGION_INDEX + bar, &info);

	if (rc != 0)
		return rc;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) || info.size == 0)
		return -ENOTSUP;
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, (off_t)info.offset);
	if (p == MAP_FAILED)
		return -errno;
	*va = p;
	*len = info.size;
	return 0;
}

void env_pci_close(struct env_pci_dev *dev)
{
	if (dev->fd < 0)
		return;
	if (dev->req_fd >= 0) {
		(void)env_pci_vfio_req_set(dev, -1);
		close(dev->req_fd);
		dev->req_fd = -1;
	}
	if (dev->vfio)
		rte_vfio_release_device(ENV_PCI_SYSFS, dev->name, dev->fd);
	else
		close(dev->fd);
	dev->fd = -1;
}
