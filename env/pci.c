/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env PCI, through sysfs: enumeration reads
 * /sys/bus/pci/devices/<addr>/{class,vendor,device,driver}, which needs no
 * EAL PCI bus and no device. A function bound to uio_pci_generic is used
 * through sysfs (config file, resourceN mmap); one bound to vfio-pci
 * through DPDK's VFIO helpers, which also map the DMA memory in the IOMMU.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "env/env_internal.h"
#include "env/env_pci.h"
#include "env/env_pci_addr.h"
#include "include/env.h"
#include "include/util.h"

int env_pci_addr_parse(const char *str, struct env_pci_addr *addr)
{
	return env_pci_addr_do_parse(str, addr);
}

void env_pci_addr_fmt(const struct env_pci_addr *addr, char *buf, size_t len)
{
	env_pci_addr_do_fmt(addr, buf, len);
}

int env_pci_driver_name(const char *name, char *buf, size_t len)
{
	char path[512], link[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s/driver", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		buf[0] = '\0';
		return errno == ENOENT ? 0 : -errno;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	snprintf(buf, len, "%s", base ? base + 1 : link);
	return 0;
}

static int env_pci_read_info(const char *name, struct env_pci_info *info)
{
	uint64_t v[3];
	static const char *const files[3] = {"class", "vendor", "device"};
	char path[512];

	memset(info, 0, sizeof(*info));
	if (env_pci_addr_do_parse(name, &info->addr) != 0)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s/%s", name, files[i]);
		if (env_read_u64(path, &v[i]) != 0)
			return -EIO;
	}
	info->class_code = (uint32_t)v[0] & 0xffffff;
	info->vendor_id = (uint16_t)v[1];
	info->device_id = (uint16_t)v[2];
	return env_pci_driver_name(name, info->driver, sizeof(info->driver));
}

int env_pci_enumerate(uint32_t class_code, uint16_t vendor_id,
		      int (*cb)(void *ctx, const struct env_pci_info *info), void *ctx)
{
	struct dirent **list;
	int n, rc = 0;

	if (cb == NULL)
		return -EINVAL;
	n = scandir(ENV_PCI_SYSFS, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno; /* no PCI bus at all */
	for (int i = 0; i < n; i++) {
		struct env_pci_info info;

		if (rc == 0 && list[i]->d_name[0] != '.' &&
		    env_pci_read_info(list[i]->d_name, &info) == 0 &&
		    (class_code == UINT32_MAX || info.class_code == class_code) &&
		    (vendor_id == 0xffff || info.vendor_id == vendor_id))
			rc = cb(ctx, &info);
		free(list[i]);
	}
	free(list);
	return rc;
}

/* Read the physical start and size of BAR @bar from the "resource" file. */
static int env_pci_bar_resource(const char *name, unsigned bar, uint64_t *start, uint64_t *size)
{
	uint64_t s, e, flags;
	char path[128], line[128];
	int rc = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s/resource", name);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	for (unsigned i = 0; fgets(line, sizeof(line), f) != NULL; i++) {
		if (i != bar)
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &flags) != 3)
			rc = -EIO;
		else if (s == 0 && e == 0)
			rc = -ENOENT; /* the device has no such BAR (sysfs shows zeros) */
		else if (flags & ENV_IORESOURCE_IO)
			rc = -ENOTSUP; /* I/O port BAR: not mappable */
		else
			rc = 0;
		break;
	}
	fclose(f);
	if (rc == 0) {
		*start = s;
		*size = e - s + 1;
	}
	return rc;
}

static int env_pci_check_driver(const char *name, bool *vfio)
{
	char drv[64];
	int rc = env_pci_driver_name(name, drv, sizeof(drv));

	if (rc != 0)
		return rc;
	*vfio = strcmp(drv, "vfio-pci") == 0;
	if (*vfio || strcmp(drv, "uio_pci_generic") == 0)
		return 0;
	if (drv[0] == '\0')
		log_error("env",
			  "PCI %s: not bound to any driver; run tools/setup.sh to bind it to "
			  "vfio-pci or uio_pci_generic",
			  name);
	else
		log_error("env",
			  "PCI %s: bound to kernel driver %s; run tools/setup.sh to bind it to "
			  "vfio-pci or uio_pci_generic",
			  name, drv);
	return -EBUSY;
}

/* Turn on memory decoding and bus mastering (DMA), or bus mastering off. */
static int env_pci_set_master(struct env_pci_dev *dev, bool on)
{
	uint16_t cmd;
	int rc = env_pci_cfg_read(dev, &cmd, sizeof(cmd), ENV_PCI_COMMAND);

	if (rc != 0)
		return rc;
	if (on)
		cmd |= ENV_PCI_COMMAND_MEMORY | ENV_PCI_COMMAND_MASTER;
	else
		cmd &= (uint16_t)~ENV_PCI_COMMAND_MASTER;
	return env_pci_cfg_write(dev, &cmd, sizeof(cmd), ENV_PCI_COMMAND);
}

int env_pci_attach(const struct env_pci_addr *addr, struct env_pci_dev **devp)
{
	struct env_pci_dev *dev;
	char path[128];
	struct stat st;
	int rc;

	*devp = NULL;
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->addr = *addr;
	dev->fd = -1;
	dev->req_fd = -1;
	env_pci_addr_do_fmt(addr, dev->name, sizeof(dev->name));
	snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s", dev->name);
	if (stat(path, &st) != 0) {
		log_error("env", "PCI %s: no such function (see lspci)", dev->name);
		rc = -ENODEV;
		goto err_free_dev;
	}
	rc = env_pci_check_driver(dev->name, &dev->vfio);
	if (rc != 0)
		goto err_free_dev;
	rc = dev->vfio ? env_pci_vfio_open(dev) : env_pci_uio_open(dev);
	if (rc != 0)
		goto err_free_dev;
	rc = env_pci_set_master(dev, true);
	if (rc != 0)
		goto err_close;
	*devp = dev;
	return 0;

err_close:
	env_pci_close(dev);
err_free_dev:
	free(dev);
	return rc;
}

void env_pci_detach(struct env_pci_dev *dev)
{
	if (dev == NULL)
		return;
	/* Stop the device's DMA before its memory goes back to the heap. */
	(void)env_pci_set_master(dev, false);
	for (unsigned i = 0; i < ENV_PCI_BARS; i++)
		if (dev->bars[i].va != NULL)
			munmap(dev->bars[i].va, dev->bars[i].size);
	env_pci_close(dev);
	free(dev);
}

bool env_pci_removal_requested(struct env_pci_dev *dev)
{
	char path[128];
	struct stat st;
	bool gone;

	if (dev == NULL || __atomic_load_n(&dev->removed, __ATOMIC_ACQUIRE))
		return dev != NULL;
	if (dev->vfio) {
		gone = env_pci_vfio_req_fired(dev);
	} else {
		snprintf(path, sizeof(path), ENV_PCI_SYSFS "/%s", dev->name);
		gone = stat(path, &st) != 0 && errno == ENOENT;
	}
	if (gone)
		__atomic_store_n(&dev->removed, true, __ATOMIC_RELEASE);
	return gone;
}

int env_pci_map_bar(struct env_pci_dev *dev, unsigned bar, void **vaddr, uint64_t *paddr,
		    uint64_t *size)
{
	uint64_t start, len;
	void *va;
	int rc;

	if (dev == NULL || bar >= ENV_PCI_BARS)
		return -EINVAL;
	rc = env_pci_bar_resource(dev->name, bar, &start, &len);
	if (rc != 0)
		return rc;
	if (dev->bars[bar].va == NULL) {
		rc = dev->vfio ? env_pci_vfio_map(dev, bar, &va, &len)
			       : env_pci_uio_map(dev, bar, len, &va);
		if (rc != 0) {
			log_error("env", "PCI %s: cannot map BAR%u: %s", dev->name, bar,
				  strerror(-rc));
			return rc;
		}
		dev->bars[bar].va = va;
		dev->bars[bar].size = len;
	}
	*vaddr = dev->bars[bar].va;
	*paddr = start;
	*size = dev->bars[bar].size;
	return 0;
}

/* @len bytes of config space at @offset: read into @rbuf, or (@rbuf NULL) written from @wbuf. */
static int cfg_access(struct env_pci_dev *dev, void *rbuf, const void *wbuf, size_t len,
		      uint32_t offset)
{
	off_t at;
	ssize_t n;

	if (dev == NULL || (rbuf == NULL && wbuf == NULL) || len > ENV_PCI_CFG_MAX ||
	    offset > ENV_PCI_CFG_MAX - len)
		return -EINVAL;
	at = (off_t)(dev->cfg_off + offset);
	n = rbuf != NULL ? pread(dev->fd, rbuf, len, at) : pwrite(dev->fd, wbuf, len, at);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int env_pci_cfg_read(struct env_pci_dev *dev, void *buf, size_t len, uint32_t offset)
{
	return buf == NULL ? -EINVAL : cfg_access(dev, buf, NULL, len, offset);
}

int env_pci_cfg_write(struct env_pci_dev *dev, const void *buf, size_t len, uint32_t offset)
{
	return buf == NULL ? -EINVAL : cfg_access(dev, NULL, buf, len, offset);
}
