/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepage detection: are hugepages reserved and free, and is a hugetlbfs
 * mounted where this process may create files? The answer and its reason
 * go into env_init()'s one memory log line.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env/env_internal.h"

#define HUGE_SYSFS "/sys/kernel/mm/hugepages"

/* Fill reserved/free counts, choosing the page size with most free pages. */
static void huge_scan_sizes(struct env_huge_probe *p)
{
	struct dirent *de;
	DIR *dir = opendir(HUGE_SYSFS);

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		uint64_t kb, nr = 0, nfree = 0;
		char path[512];

		if (sscanf(de->d_name, "hugepages-%" SCNu64 "kB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), HUGE_SYSFS "/%s/nr_hugepages", de->d_name);
		(void)env_read_u64(path, &nr);
		snprintf(path, sizeof(path), HUGE_SYSFS "/%s/free_hugepages", de->d_name);
		(void)env_read_u64(path, &nfree);
		p->reserved += nr;
		if (nfree > p->free_pages || p->page_kb == 0) {
			p->free_pages = nfree;
			p->page_kb = kb;
		}
	}
	closedir(dir);
}

static void huge_find_mount(struct env_huge_probe *p)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "r");

	if (f == NULL)
		return;
	while ((m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_type, "hugetlbfs") == 0) {
			snprintf(p->mount, sizeof(p->mount), "%s", m->mnt_dir);
			break;
		}
	}
	endmntent(f);
}

void env_huge_size_str(uint64_t kb, char *buf, size_t len)
{
	if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", kb / (1024 * 1024));
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", kb / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", kb);
}

void env_huge_probe(struct env_huge_probe *p, size_t mem_mb)
{
	uint64_t nr = 0;
	char sz[32];

	memset(p, 0, sizeof(*p));
	(void)env_read_u64("/proc/sys/vm/nr_hugepages", &nr);
	huge_scan_sizes(p);
	huge_find_mount(p);
	env_huge_size_str(p->page_kb, sz, sizeof(sz));
	if (nr == 0 && p->reserved == 0)
		snprintf(p->reason, sizeof(p->reason),
			 "none reserved: /proc/sys/vm/nr_hugepages is 0");
	else if (p->free_pages == 0)
		snprintf(p->reason, sizeof(p->reason),
			 "none free: all %" PRIu64 " reserved hugepages are in use", p->reserved);
	else if (p->mount[0] == '\0')
		snprintf(p->reason, sizeof(p->reason),
			 "%" PRIu64 " x %s free but no hugetlbfs is mounted (see /proc/mounts)",
			 p->free_pages, sz);
	else if (access(p->mount, W_OK) != 0)
		snprintf(p->reason, sizeof(p->reason), "hugetlbfs at %s is not writable: %s",
			 p->mount, strerror(errno));
	else if (mem_mb > p->free_pages * p->page_kb / 1024)
		snprintf(p->reason, sizeof(p->reason),
			 "%zu MiB asked but only %" PRIu64 " x %s free", mem_mb, p->free_pages, sz);
	else
		p->usable = true;
}
