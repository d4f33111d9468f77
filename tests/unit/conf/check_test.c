/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of conf/check.c (the [File] paths, stat() only), conf/summary.c
 * (the line nvmf_tgt --check prints) and the values of an [Nvme] section.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf_internal.h"

static struct conf_errors g_errs;
static char g_dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/conf_check_test.XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static void rm_in_dir(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", g_dir, name);
	unlink(p);
}

static int remove_dir(void **state)
{
	(void)state;
	rm_in_dir("empty");
	rm_in_dir("full");
	return rmdir(g_dir);
}

static void make_file(const char *name, size_t bytes)
{
	char p[128], buf[4096] = {0};
	int fd;

	snprintf(p, sizeof(p), "%s/%s", g_dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_true(bytes <= sizeof(buf));
	assert_int_equal(write(fd, buf, bytes), (ssize_t)bytes);
	close(fd);
}

/* A [File] section for @path (with "Size @size" when @size is not NULL) at lines 1-4. */
static struct conf *load_file_conf(const char *path, const char *size)
{
	char text[512];
	struct conf *c = NULL;

	snprintf(text, sizeof(text), "[File]\nName f\nBlockSize 4096\nPath %s\n%s%s%s", path,
		 size ? "Size " : "", size ? size : "", size ? "\n" : "");
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load_buffer("t.conf", text, strlen(text), &c, &g_errs), 0);
	return c;
}

/* conf_check_paths() on a [File] at @path: no error when @want is NULL, else just @want. */
static void expect_path(const char *path, const char *size, const char *want)
{
	struct conf *c = load_file_conf(path, size);
	int rc = conf_check_paths(c, &g_errs);

	if (want == NULL && rc != 0)
		conf_errors_print(&g_errs, stderr);
	assert_int_equal(rc, want ? -EINVAL : 0);
	assert_int_equal(g_errs.count, want ? 1 : 0);
	if (want)
		assert_string_equal(g_errs.msg[0], want);
	conf_free(c);
}

static void test_file_paths(void **state)
{
	char p[256], parent[128], want[768];
	struct stat st;

	(void)state;
	make_file("empty", 0);
	make_file("full", 4096);
	snprintf(p, sizeof(p), "%s/full", g_dir);
	expect_path(p, NULL, NULL);
	snprintf(p, sizeof(p), "%s/empty", g_dir);
	expect_path(p, "1M", NULL); /* grown to Size at start */
	snprintf(want, sizeof(want),
		 "t.conf:4: Path '%s' is smaller than one block (0 bytes) and no Size is given", p);
	expect_path(p, NULL, want);

	/* A new file: created at start when Size is given, never by the check. */
	snprintf(p, sizeof(p), "%s/new.img", g_dir);
	expect_path(p, "1M", NULL);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(want, sizeof(want),
		 "t.conf:4: Path '%s' does not exist; give Size to have it created", p);
	expect_path(p, NULL, want);

	snprintf(parent, sizeof(parent), "%s/no-such-dir", g_dir);
	snprintf(p, sizeof(p), "%s/x.img", parent);
	snprintf(want, sizeof(want),
		 "t.conf:4: Path '%s': cannot create it in '%s': No such file or directory", p,
		 parent);
	expect_path(p, "1M", want);
	snprintf(parent, sizeof(parent), "%s/full", g_dir);
	snprintf(p, sizeof(p), "%s/x.img", parent);
	snprintf(want, sizeof(want), "t.conf:4: Path '%s': Not a directory", p);
	expect_path(p, "1M", want);

	snprintf(want, sizeof(want), "t.conf:4: Path '%s' is a directory; name a file in it",
		 g_dir);
	expect_path(g_dir, "1M", want);
	expect_path("/dev/null", "1M",
		    "t.conf:4: Path '/dev/null' is neither a regular file nor a block device");
}

/* The summary of @text, which must load. @return it (free it). */
static char *summary_of(const char *text)
{
	struct conf *c = NULL;
	size_t len = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	conf_errors_init(&g_errs);
	if (conf_load_buffer("t.conf", text, strlen(text), &c, &g_errs) != 0)
		conf_errors_print(&g_errs, stderr);
	assert_non_null(c);
	conf_summary(c, f);
	fclose(f);
	conf_free(c);
	return out;
}

static void test_summary(void **state)
{
	char *s;

	(void)state;
	s = summary_of("[Transport]\nType RDMA\n"
		       "[Ram]\nName r\nSize 1536M\n"
		       "[Null]\nName n\nSize 1T\nBlockSize 4096\n"
		       "[File]\nName f\nPath /var/tmp/f.img\n"
		       "[Nvme]\nName nv\nTrAddr 0000:00:04.0\nNamespaces 1,2\n"
		       "[Subsystem]\nNQN nqn.2016-06.io.a:one\nListen TCP 127.0.0.1:4420\n"
		       "Listen rdma 192.0.2.1:4420\nNamespace r\nNamespace n\n"
		       "[Subsystem2]\nNQN nqn.2016-06.io.a:two\nListen TCP 127.0.0.1:4420\n"
		       "Listen TCP [::1]:4421\nNamespace f\nNamespace nvn2\nNamespace nvn1\n");
	assert_string_equal(s, "2 subsystems, 5 namespaces; listens on TCP 127.0.0.1:4420, RDMA "
			       "192.0.2.1:4420, TCP [::1]:4421; backends r (Ram, 1536 MiB, "
			       "512-byte blocks), n (Null, 1 TiB, 4096-byte blocks), f (File "
			       "/var/tmp/f.img, its own size, 512-byte blocks), nv (Nvme "
			       "0000:00:04.0, namespaces 1,2); transports TCP, RDMA");
	free(s);
	s = summary_of("[Global]\nLogLevel info\n");
	assert_string_equal(s, "0 subsystems, 0 namespaces; listens on nothing; backends none; "
			       "transports none");
	free(s);
	s = summary_of("[Ram]\nName r\nSize 1000K\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		       "Listen TCP 10.0.0.1:4420\nNamespace r\n");
	assert_string_equal(s, "1 subsystem, 1 namespace; listens on TCP 10.0.0.1:4420; backends "
			       "r (Ram, 1000 KiB, 512-byte blocks); transports TCP");
	free(s);
}

/* Loading @text fails with @msg as its only error. */
static void expect_only_error(const char *text, const char *msg)
{
	struct conf *c = NULL;

	conf_errors_init(&g_errs);
	assert_int_equal(conf_load_buffer("t.conf", text, strlen(text), &c, &g_errs), -EINVAL);
	assert_null(c);
	if (g_errs.count != 1 || strcmp(g_errs.msg[0], msg) != 0)
		conf_errors_print(&g_errs, stderr);
	assert_int_equal(g_errs.count, 1);
	assert_string_equal(g_errs.msg[0], msg);
}

static void test_nvme_values(void **state)
{
	uint32_t nsids[CONF_NVME_NSIDS_MAX];

	(void)state;
	expect_only_error("[Nvme]\nName n\nTrAddr 0000:00:04\n",
			  "t.conf:3: TrAddr: bad PCI address '0000:00:04' (expected 0000:00:04.0, "
			  "as lspci -D shows)");
	expect_only_error("[Nvme]\nName n\nPciAddress nvme0\n",
			  "t.conf:3: TrAddr: bad PCI address 'nvme0' (expected 0000:00:04.0, as "
			  "lspci -D shows)");
	expect_only_error("[Nvme]\nName n\nTrAddr 0000:00:04.0\nNamespaces 1,x\n",
			  "t.conf:4: Namespaces: bad NSID list '1,x' (expected NSIDs from 1 such "
			  "as 1,2; at most 64)");
	expect_only_error("[Nvme]\nName n\nTrAddr 0000:00:04.0\nNamespaces 0\n",
			  "t.conf:4: Namespaces: bad NSID list '0' (expected NSIDs from 1 such as "
			  "1,2; at most 64)");
	assert_int_equal(conf_nsid_list("1, 2 7", nsids), 3);
	assert_int_equal(nsids[0], 1);
	assert_int_equal(nsids[1], 2);
	assert_int_equal(nsids[2], 7);
	assert_int_equal(conf_nsid_list("4294967295", nsids), 1);
	assert_int_equal(nsids[0], 4294967295u);
	assert_int_equal(conf_nsid_list("4294967296", nsids), -EINVAL);
	assert_int_equal(conf_nsid_list(",", nsids), -EINVAL);
	assert_int_equal(conf_nsid_list("-1", nsids), -EINVAL);
	assert_int_equal(conf_nsid_list("2x", nsids), -EINVAL);
}

/* One drive, one owner: the same PCI function in two [Nvme] sections, however written. */
static void test_nvme_one_owner(void **state)
{
	struct conf *c = NULL;
	const char *ok =
	    "[Nvme]\nName a\nTrAddr 0000:00:04.0\n[Nvme]\nName b\nTrAddr 0000:00:05.0\n";

	(void)state;
	expect_only_error("[Nvme]\nName a\nTrAddr 0000:00:04.0\n[Ram]\nName r\nSize 1M\n"
			  "[Nvme]\nName b\nTrAddr 00:04.0\n",
			  "t.conf:9: [Nvme] b: TrAddr 00:04.0 is the drive of [Nvme] a at t.conf:3 "
			  "already (one drive, one owner: list its namespaces in one section)");
	expect_only_error("[Nvme]\nName a\nPciAddress 0001:00:04.0\n[Nvme]\nName b\n"
			  "TrAddr 0001:00:04.0\n",
			  "t.conf:6: [Nvme] b: TrAddr 0001:00:04.0 is the drive of [Nvme] a at "
			  "t.conf:3 already (one drive, one owner: list its namespaces in one "
			  "section)");
	/* Another function or another domain of the same slot is another drive. */
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load_buffer("t.conf", ok, strlen(ok), &c, &g_errs), 0);
	conf_free(c);
	ok = "[Nvme]\nName a\nTrAddr 0000:00:04.0\n[Nvme]\nName b\nTrAddr 0001:00:04.0\n";
	assert_int_equal(conf_load_buffer("t.conf", ok, strlen(ok), &c, &g_errs), 0);
	assert_int_equal(g_errs.count, 0);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_paths),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_nvme_values),
	    cmocka_unit_test(test_nvme_one_owner),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
