/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/init.c: option checks, the core mask parser, and a real EAL start in
 * no-hugepage mode, including its one memory log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env/env_cores.h"
#include "include/env.h"

static void test_coreset_parse(void **state)
{
	struct env_coreset set;
	char buf[64];

	(void)state;
	assert_int_equal(env_coreset_parse("0x5", &set), 0);
	assert_int_equal(env_coreset_count(&set), 2);
	assert_true(env_coreset_has(&set, 0));
	assert_false(env_coreset_has(&set, 1));
	assert_true(env_coreset_has(&set, 2));
	assert_int_equal(env_coreset_parse("0-2,7,9-10", &set), 0);
	assert_int_equal(env_coreset_fmt(&set, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0,1,2,7,9,10");
	assert_int_equal(env_coreset_parse("0x10000000000000000", &set), 0);
	assert_true(env_coreset_has(&set, 64));
	assert_int_equal(env_coreset_next(&set, ENV_CORE_ANY), 64);
	assert_int_equal(env_coreset_next(&set, 64), ENV_CORE_ANY);
	assert_int_equal(env_coreset_fmt(&set, buf, 2), -ENOSPC);
	assert_int_equal(env_coreset_parse("0x0", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("0x", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("3-1", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("1,", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("1;2", &set), -EINVAL);
	assert_int_equal(env_coreset_parse("128", &set), -EINVAL);
	assert_int_equal(env_coreset_parse(NULL, &set), -EINVAL);
}

static void test_bad_options(void **state)
{
	const char *bad_pci[] = {"0000:00:04.0", "00:04"};
	struct env_opts opts;

	(void)state;
	assert_int_equal(env_init(NULL), -EINVAL);
	env_opts_init(&opts);
	opts.core_mask = "0xz";
	assert_int_equal(env_init(&opts), -EINVAL);
	env_opts_init(&opts);
	opts.name = "";
	assert_int_equal(env_init(&opts), -EINVAL);
	opts.name = "a/b";
	assert_int_equal(env_init(&opts), -EINVAL);
	env_opts_init(&opts);
	opts.no_pci = false;
	opts.pci_allow = bad_pci;
	opts.num_pci_allow = 2;
	assert_int_equal(env_init(&opts), -EINVAL);
	opts.pci_allow = NULL;
	assert_int_equal(env_init(&opts), -EINVAL);
	env_opts_init(&opts);
	opts.eal_log_level = -1;
	assert_int_equal(env_init(&opts), -EINVAL);
}

/* Run env_init() with stderr captured into @out. */
static int init_captured(const struct env_opts *opts, char *out, size_t len)
{
	char path[] = "/tmp/env_init_test.XXXXXX";
	int fd = mkstemp(path), saved, rc;
	ssize_t n;

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	rc = env_init(opts);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, out, len - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	fputs(out, stderr);
	return rc;
}

static void test_start_no_huge(void **state)
{
	struct env_opts opts;
	char log[4096];

	(void)state;
	env_opts_init(&opts);
	opts.name = "init_test";
	opts.no_huge = true;
	opts.mem_mb = 48;
	assert_int_equal(init_captured(&opts, log, sizeof(log)), 0);
	assert_non_null(strstr(
	    log, "env: memory: no hugepages (disabled by option), IOVA as VA, 48 MiB heap\n"));
	/* One line from env, nothing from the EAL at its default level. */
	assert_null(strchr(strchr(log, '\n') + 1, '\n'));
	assert_false(env_hugepages());
	assert_int_equal(env_core_count(), 1);
	assert_int_equal(env_main_core(), 0);
	assert_int_equal(env_core_id(), 0);
	assert_int_equal(env_init(&opts), -EALREADY);
	env_fini();
	assert_int_equal(access("/var/run/dpdk/init_test", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_coreset_parse),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_start_no_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
