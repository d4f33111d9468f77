/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_pcie_regs - print the controller registers CAP, VS, CC and CSTS
 * (with CSTS.RDY / CFS / SHST decoded) of an NVMe function, read from
 * BAR0 through sysfs (resource0). For checking a controller's state after
 * the target released it, e.g. that shutdown completed.
 *
 * usage: nvme_pcie_regs 0000:00:04.0
 * Exit status: 0 when read, 1 on an error. Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvme_spec.h"

static uint32_t rd4(const volatile uint8_t *bar, uint32_t off)
{
	return *(const volatile uint32_t *)(bar + off);
}

int main(int argc, char **argv)
{
	char path[256];
	volatile uint8_t *bar;
	uint32_t cc, csts;
	void *p;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PCI_ADDR (e.g. 0000:00:04.0)\n", argv[0]);
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", path, strerror(errno));
		return 1;
	}
	bar = p;
	cc = rd4(bar, NVME_REG_CC);
	csts = rd4(bar, NVME_REG_CSTS);
	printf("CAP  0x%08" PRIx32 "%08" PRIx32 "\n", rd4(bar, NVME_REG_CAP + 4),
	       rd4(bar, NVME_REG_CAP));
	printf("VS   0x%08" PRIx32 "\n", rd4(bar, NVME_REG_VS));
	printf("CC   0x%08" PRIx32 " EN=%u SHN=%u\n", cc, (unsigned)NVME_REG_GET(cc, CC_EN),
	       (unsigned)NVME_REG_GET(cc, CC_SHN));
	printf("CSTS 0x%08" PRIx32 " RDY=%u CFS=%u SHST=%u (%s)\n", csts,
	       (unsigned)NVME_REG_GET(csts, CSTS_RDY), (unsigned)NVME_REG_GET(csts, CSTS_CFS),
	       (unsigned)NVME_REG_GET(csts, CSTS_SHST),
	       NVME_REG_GET(csts, CSTS_SHST) == NVME_CSTS_SHST_COMPLETE    ? "shutdown complete"
	       : NVME_REG_GET(csts, CSTS_SHST) == NVME_CSTS_SHST_OCCURRING ? "shutdown occurring"
									   : "normal");
	munmap(p, 4096);
	return 0;
}
