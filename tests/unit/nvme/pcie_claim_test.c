/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcie_claim_test.c - the claim lock of a local NVMe function: the PID in
 * the file, a second claim refused with the holder's PID (in this process
 * and from a forked child holding it), the lock gone with a SIGKILLed
 * holder and its stale file taken over, addresses written two ways naming
 * one lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nvme/pcie/nvme_pcie.h"

#define ADDR "0000:00:04.0"

static char g_dir[64];
static char g_file[128];

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/pcie_claim_test.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	snprintf(g_file, sizeof(g_file), "%s/nvmf_tgt_pci_" ADDR, g_dir);
	return setenv(NVME_PCIE_CLAIM_DIR_ENV, g_dir, 1);
}

static int teardown(void **state)
{
	(void)state;
	unlink(g_file);
	return rmdir(g_dir);
}

/* The PID written in the lock file, 0 when it is empty. */
static long file_pid(void)
{
	char buf[32] = {0};
	int fd = open(g_file, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	return n == 0 ? 0 : strtol(buf, NULL, 10);
}

struct child {
	pid_t pid;
	int done_w; /* close to let the child exit */
};

/* Fork a child that claims ADDR and holds it until done_w is closed. */
static struct child child_claims(void)
{
	int ready[2], done[2];
	struct child c;
	char b;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		int fd;

		close(ready[0]);
		close(done[1]);
		if (nvme_pcie_claim(ADDR, &fd, NULL) != 0)
			_exit(2);
		b = 'y';
		if (write(ready[1], &b, 1) != 1)
			_exit(3);
		(void)read(done[0], &b, 1); /* until the parent closes its end */
		nvme_pcie_unclaim(fd);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	c.done_w = done[1];
	return c;
}

static void test_claim_own_process(void **state)
{
	pid_t holder = -1;
	int fd, fd2;

	(void)state;
	assert_int_equal(nvme_pcie_claim_holder(ADDR), 0);
	assert_int_equal(nvme_pcie_claim(ADDR, &fd, &holder), 0);
	assert_true(fd >= 0);
	assert_int_equal(file_pid(), (long)getpid());
	assert_int_equal(nvme_pcie_claim_holder(ADDR), getpid());
	/* The same drive a second time, written without the domain: refused. */
	assert_int_equal(nvme_pcie_claim("00:04.0", &fd2, &holder), -EBUSY);
	assert_int_equal(fd2, -1);
	assert_int_equal(holder, getpid());
	/* Another function is another drive. */
	assert_int_equal(nvme_pcie_claim("0000:00:04.1", &fd2, NULL), 0);
	nvme_pcie_unclaim(fd2);
	nvme_pcie_unclaim(fd);
	assert_int_equal(file_pid(), 0);
	assert_int_equal(nvme_pcie_claim_holder(ADDR), 0);
	assert_int_equal(nvme_pcie_claim(ADDR, &fd, NULL), 0);
	nvme_pcie_unclaim(fd);
	{
		char other[128];

		snprintf(other, sizeof(other), "%s/nvmf_tgt_pci_0000:00:04.1", g_dir);
		unlink(other);
	}
	assert_int_equal(nvme_pcie_claim("nvme0", &fd, NULL), -EINVAL);
}

static void test_claim_contention(void **state)
{
	struct child c;
	pid_t holder = 0;
	int fd, status;

	(void)state;
	c = child_claims();
	assert_int_equal(nvme_pcie_claim(ADDR, &fd, &holder), -EBUSY);
	assert_int_equal(holder, c.pid);
	assert_int_equal(nvme_pcie_claim_holder(ADDR), c.pid);
	close(c.done_w);
	assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(nvme_pcie_claim(ADDR, &fd, &holder), 0);
	assert_int_equal(file_pid(), (long)getpid());
	nvme_pcie_unclaim(fd);
}

static void test_claim_stale_after_sigkill(void **state)
{
	struct child c;
	pid_t holder = 0;
	int fd, status;

	(void)state;
	c = child_claims();
	assert_int_equal(kill(c.pid, SIGKILL), 0);
	assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(c.done_w);
	/* The file stays with the dead holder's PID; the lock went with it. */
	assert_int_equal(file_pid(), (long)c.pid);
	assert_int_equal(nvme_pcie_claim_holder(ADDR), 0);
	assert_int_equal(nvme_pcie_claim(ADDR, &fd, &holder), 0);
	assert_int_equal(file_pid(), (long)getpid());
	nvme_pcie_unclaim(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_own_process),
	    cmocka_unit_test(test_claim_contention),
	    cmocka_unit_test(test_claim_stale_after_sigkill),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
