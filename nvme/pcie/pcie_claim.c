/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_claim.c - one drive, one owner across processes: whoever attaches a
 * local NVMe function holds an exclusive open-file-description lock
 * (F_OFD_SETLK) on <dir>/nvmf_tgt_pci_<DDDD:BB:DD.F>, its PID written in
 * the file. The kernel drops the lock with the last descriptor, so it goes
 * with the process however that ends (SIGKILL included); a file left
 * behind is only a file, and the next claimer takes it over. The file is
 * never unlinked: removing it while another process has it open would let
 * two processes lock two different files of the same name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvme/pcie/nvme_pcie.h"
#include "nvme/pcie/pcie_internal.h"

#define CLAIM_PID_TRIES 20 /* the holder writes its PID right after locking */

static int claim_path(const char *pci_addr, char *path, size_t len)
{
	const char *dir = getenv(NVME_PCIE_CLAIM_DIR_ENV);
	struct env_pci_addr a;
	char name[16];

	if (pci_addr == NULL || env_pci_addr_parse(pci_addr, &a) != 0)
		return -EINVAL;
	env_pci_addr_fmt(&a, name, sizeof(name));
	if (dir == NULL || dir[0] == '\0')
		dir = NVME_PCIE_CLAIM_DIR;
	if ((size_t)snprintf(path, len, "%s/nvmf_tgt_pci_%s", dir, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Take the whole-file write lock on @fd. @return 0, -EAGAIN (held elsewhere), -errno. */
static int claim_lock(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_OFD_SETLK, &fl) == 0 ? 0 : -errno;
}

/* Is the whole-file lock of @fd held by another open file description? */
static bool claim_locked(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* The PID written in the claim file @fd, 0 when none is (yet). */
static pid_t claim_read_pid(int fd)
{
	char buf[24];
	ssize_t n;
	long v;

	for (int i = 0; i < CLAIM_PID_TRIES; i++) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			v = strtol(buf, NULL, 10);
			if (v > 0)
				return (pid_t)v;
		}
		usleep(1000);
	}
	return 0;
}

int nvme_pcie_claim(const char *pci_addr, int *fdp, pid_t *holder)
{
	char path[512], pid[24];
	int fd, rc, n;

	*fdp = -1;
	if (holder)
		*holder = 0;
	rc = claim_path(pci_addr, path, sizeof(path));
	if (rc != 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	rc = claim_lock(fd);
	if (rc == -EAGAIN || rc == -EACCES) {
		if (holder)
			*holder = claim_read_pid(fd);
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	errno = 0;
	if (rc == 0 && (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n))
		rc = errno ? -errno : -EIO;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

void nvme_pcie_unclaim(int fd)
{
	if (fd < 0)
		return;
	/* Still locked here: nobody reads the emptied file as ours. */
	(void)ftruncate(fd, 0);
	close(fd);
}

pid_t nvme_pcie_claim_holder(const char *pci_addr)
{
	char path[512];
	pid_t pid = 0;
	int fd;

	if (claim_path(pci_addr, path, sizeof(path)) != 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (claim_locked(fd))
		pid = claim_read_pid(fd);
	close(fd);
	return pid;
}

int nvme_pcie_claim_ctrlr(struct nvme_pcie_ctrlr *pc)
{
	const char *addr = pc->base.trid.traddr;
	pid_t holder;
	int rc = nvme_pcie_claim(addr, &pc->claim_fd, &holder);

	if (rc == -EBUSY) {
		if (holder == getpid())
			log_error(NVME_PCIE_LOG,
				  "PCI %s: already attached by this process (pid %ld)", addr,
				  (long)holder);
		else if (holder > 0)
			log_error(NVME_PCIE_LOG,
				  "PCI %s: in use by process %ld (it holds the claim lock); one "
				  "drive, one owner: stop it or detach the drive there first",
				  addr, (long)holder);
		else
			log_error(NVME_PCIE_LOG,
				  "PCI %s: in use by another process (claim lock held)", addr);
	} else if (rc != 0) {
		log_error(NVME_PCIE_LOG, "PCI %s: cannot take the claim lock in %s: %s", addr,
			  getenv(NVME_PCIE_CLAIM_DIR_ENV) ? getenv(NVME_PCIE_CLAIM_DIR_ENV)
							  : NVME_PCIE_CLAIM_DIR,
			  strerror(-rc));
	}
	pc->claimed = rc == 0;
	return rc;
}
