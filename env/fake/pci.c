/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env PCI: addresses parse and format as in the real env; the fake
 * machine has no PCI functions, so enumeration finds none and attach
 * reports -ENODEV.
 */
#include <errno.h>

#include "env/env_pci_addr.h"
#include "include/env.h"

int env_pci_addr_parse(const char *str, struct env_pci_addr *addr)
{
	return env_pci_addr_do_parse(str, addr);
}

void env_pci_addr_fmt(const struct env_pci_addr *addr, char *buf, size_t len)
{
	env_pci_addr_do_fmt(addr, buf, len);
}

int env_pci_enumerate(uint32_t class_code, uint16_t vendor_id,
		      int (*cb)(void *ctx, const struct env_pci_info *info), void *ctx)
{
	(void)class_code;
	(void)vendor_id;
	(void)cb;
	(void)ctx;
	return 0;
}

int env_pci_attach(const struct env_pci_addr *addr, struct env_pci_dev **dev)
{
	(void)addr;
	*dev = NULL;
	return -ENODEV;
}

void env_pci_detach(struct env_pci_dev *dev)
{
	(void)dev;
}

int env_pci_map_bar(struct env_pci_dev *dev, unsigned bar, void **vaddr, uint64_t *paddr,
		    uint64_t *size)
{
	(void)dev;
	(void)bar;
	(void)vaddr;
	(void)paddr;
	(void)size;
	return -ENODEV;
}

int env_pci_cfg_read(struct env_pci_dev *dev, void *buf, size_t len, uint32_t offset)
{
	(void)dev;
	(void)buf;
	(void)len;
	(void)offset;
	return -ENODEV;
}

int env_pci_cfg_write(struct env_pci_dev *dev, const void *buf, size_t len, uint32_t offset)
{
	(void)dev;
	(void)buf;
	(void)len;
	(void)offset;
	return -ENODEV;
}
