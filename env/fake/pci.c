/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env PCI: addresses parse and format as in the real env; the fake
 * bus holds the functions a test put there with env_fake_pci_set() (none
 * at first) for enumeration; attach always reports -ENODEV.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "env/env_pci_addr.h"
#include "env/fake/env_fake.h"
#include "include/env.h"

int env_pci_addr_parse(const char *str, struct env_pci_addr *addr)
{
	return env_pci_addr_do_parse(str, addr);
}

void env_pci_addr_fmt(const struct env_pci_addr *addr, char *buf, size_t len)
{
	env_pci_addr_do_fmt(addr, buf, len);
}

#define FAKE_PCI_MAX 8

/* The functions env_fake_pci_set() put on the fake bus. */
static struct env_pci_info fake_pci[FAKE_PCI_MAX];
static unsigned fake_pci_n;
static pthread_mutex_t fake_pci_lock = PTHREAD_MUTEX_INITIALIZER;

int env_fake_pci_set(const struct env_pci_info *infos, unsigned n)
{
	if (n > FAKE_PCI_MAX || (n > 0 && infos == NULL))
		return -EINVAL;
	pthread_mutex_lock(&fake_pci_lock);
	if (n > 0)
		memcpy(fake_pci, infos, n * sizeof(*infos));
	fake_pci_n = n;
	pthread_mutex_unlock(&fake_pci_lock);
	return 0;
}

int env_pci_enumerate(uint32_t class_code, uint16_t vendor_id,
		      int (*cb)(void *ctx, const struct env_pci_info *info), void *ctx)
{
	struct env_pci_info list[FAKE_PCI_MAX];
	unsigned n;
	int rc = 0;

	pthread_mutex_lock(&fake_pci_lock);
	n = fake_pci_n;
	memcpy(list, fake_pci, sizeof(list));
	pthread_mutex_unlock(&fake_pci_lock);
	for (unsigned i = 0; i < n && rc == 0; i++) {
		if (class_code != UINT32_MAX && list[i].class_code != class_code)
			continue;
		if (vendor_id != 0xffff && list[i].vendor_id != vendor_id)
			continue;
		rc = cb(ctx, &list[i]);
	}
	return rc;
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

bool env_pci_removal_requested(struct env_pci_dev *dev)
{
	(void)dev;
	return false;
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
