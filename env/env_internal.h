/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env_internal.h - state and helpers shared by the DPDK env sources.
 * Not for use outside env/.
 */
#ifndef NVMF_TGT_ENV_INTERNAL_H
#define NVMF_TGT_ENV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** True between a successful env_init() and env_fini(). */
extern bool g_env_started;

/** True when env_init() chose hugepage-backed memory. */
extern bool g_env_hugepages;

/**
 * Read the first line of a small text file (sysfs, procfs) into @buf,
 * without the trailing newline. @return 0 or a negative errno.
 */
int env_read_line(const char *path, char *buf, size_t len);

/** Read a file holding one number (base from its prefix). @return 0 or -errno. */
int env_read_u64(const char *path, uint64_t *val);

/**
 * Make a name unique within the process for DPDK objects (rings, pools):
 * "<prefix>_<n>", truncated to fit @len.
 */
void env_unique_name(char *buf, size_t len, const char *prefix);

/** What env_huge_probe() found out about hugepages on this machine. */
struct env_huge_probe {
	uint64_t reserved;   /**< hugepages reserved, all sizes */
	uint64_t free_pages; /**< free pages of the size with most free */
	uint64_t page_kb;    /**< that size, in KiB */
	char mount[256];     /**< a hugetlbfs mount point, "" when none */
	bool usable;         /**< hugepages can back @mem_mb MiB */
	char reason[384];    /**< why not, when !usable */
};

/** Look at procfs/sysfs: can hugepages back @mem_mb MiB (0: any amount)? */
void env_huge_probe(struct env_huge_probe *p, size_t mem_mb);

/** Format a page size in KiB as "2 MiB" / "1 GiB". */
void env_huge_size_str(uint64_t kb, char *buf, size_t len);

#endif /* NVMF_TGT_ENV_INTERNAL_H */
