/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the DPDK env sources: reading procfs/sysfs files
 * and naming DPDK objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env/env_internal.h"

int env_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int env_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int rc = env_read_line(path, buf, sizeof(buf));

	if (rc != 0)
		return rc;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno != 0 || end == buf)
		return -EINVAL;
	return 0;
}

void env_unique_name(char *buf, size_t len, const char *prefix)
{
	static atomic_uint seq;
	unsigned n = atomic_fetch_add(&seq, 1);
	char num[16];
	int nlen = snprintf(num, sizeof(num), "_%u", n);

	/* Keep the suffix whole; cut the prefix instead. */
	if ((size_t)nlen >= len)
		nlen = 0;
	snprintf(buf, len, "%.*s%s", (int)(len - 1 - (size_t)nlen), prefix ? prefix : "env",
		 nlen ? num : "");
}
