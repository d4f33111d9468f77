/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/init.c and env/memory.c with hugepages. When none are free and the
 * test runs as root, it reserves 64 pages (and mounts a hugetlbfs when none
 * is mounted), and undoes both at the end; otherwise it skips.
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
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>

#include "env/env_internal.h"
#include "include/env.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static uint64_t g_orig_nr;
static bool g_reserved;
static char g_mount[64];
static bool g_started;

static int write_nr(uint64_t nr)
{
	FILE *f = fopen(NR_HUGEPAGES, "w");
	int rc;

	if (f == NULL)
		return -errno;
	rc = fprintf(f, "%llu\n", (unsigned long long)nr) < 0 ? -EIO : 0;
	if (fclose(f) != 0)
		rc = -errno;
	return rc;
}

/* Make hugepages usable if we can. @return true when they are. */
static bool prepare_hugepages(void)
{
	struct env_huge_probe p;

	env_huge_probe(&p, 0);
	if (p.free_pages == 0 && geteuid() == 0 && write_nr(g_orig_nr + 64) == 0)
		g_reserved = true;
	env_huge_probe(&p, 0);
	if (p.free_pages > 0 && p.mount[0] == '\0' && geteuid() == 0) {
		snprintf(g_mount, sizeof(g_mount), "/tmp/env_huge.XXXXXX");
		if (mkdtemp(g_mount) == NULL ||
		    mount("nodev", g_mount, "hugetlbfs", 0, NULL) != 0) {
			if (g_mount[0] != '\0')
				rmdir(g_mount);
			g_mount[0] = '\0';
		}
	}
	env_huge_probe(&p, 0);
	if (!p.usable)
		print_message("hugepages not usable here: %s\n", p.reason);
	return p.usable;
}

static int group_setup(void **state)
{
	(void)state;
	(void)env_read_u64(NR_HUGEPAGES, &g_orig_nr);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g_started)
		env_fini();
	if (g_mount[0] != '\0') {
		umount(g_mount);
		rmdir(g_mount);
	}
	if (g_reserved)
		write_nr(g_orig_nr);
	return 0;
}

static void test_probe_reason(void **state)
{
	struct env_huge_probe p;

	(void)state;
	env_huge_probe(&p, 0);
	if (g_orig_nr == 0 && p.reserved == 0) {
		assert_false(p.usable);
		assert_string_equal(p.reason, "none reserved: /proc/sys/vm/nr_hugepages is 0");
	}
	if (p.usable)
		assert_true(p.free_pages > 0 && p.page_kb > 0 && p.mount[0] != '\0');
	/* Asking for more than is free is refused with a reason. */
	env_huge_probe(&p, (size_t)1 << 30);
	if (p.free_pages * p.page_kb < ((uint64_t)1 << 40)) {
		assert_false(p.usable);
		assert_true(p.reason[0] != '\0');
	}
}

static void test_start_with_hugepages(void **state)
{
	struct env_opts opts;

	(void)state;
	if (!prepare_hugepages())
		skip();
	env_opts_init(&opts);
	opts.name = "hugepage_test";
	assert_int_equal(env_init(&opts), 0);
	g_started = true;
	assert_true(env_hugepages());
}

static void test_iova_with_hugepages(void **state)
{
	const size_t size = 5 * 4096;
	uint8_t *buf;
	uint64_t base;

	(void)state;
	if (!g_started)
		skip();
	buf = env_dma_zalloc(size, 4096);
	assert_non_null(buf);
	base = env_iova(buf);
	assert_int_not_equal(base, ENV_IOVA_INVALID);
	if (base == (uint64_t)(uintptr_t)buf) {
		for (size_t off = 0; off < size; off += 97)
			assert_int_equal(env_iova(buf + off), base + off);
	} else {
		/* IOVA as PA: contiguous within each 4 KiB page. */
		for (size_t pg = 0; pg < size; pg += 4096) {
			uint64_t p = env_iova(buf + pg);

			assert_int_not_equal(p, ENV_IOVA_INVALID);
			for (size_t off = 1; off < 4096; off += 255)
				assert_int_equal(env_iova(buf + pg + off), p + off);
		}
	}
	env_dma_free(buf);
}

static void test_page_pool_with_hugepages(void **state)
{
	struct env_pool *pool;
	void *objs[16];

	(void)state;
	if (!g_started)
		skip();
	pool = env_pool_create("hp", 16, 4096, 4);
	assert_non_null(pool);
	assert_int_equal(env_pool_get_bulk(pool, objs, 16), 0);
	for (int i = 0; i < 16; i++) {
		assert_int_equal((uintptr_t)objs[i] % 4096, 0);
		assert_int_not_equal(env_iova(objs[i]), ENV_IOVA_INVALID);
		assert_int_equal(env_iova((char *)objs[i] + 4095), env_iova(objs[i]) + 4095);
	}
	env_pool_put_bulk(pool, objs, 16);
	env_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe_reason),
	    cmocka_unit_test(test_start_with_hugepages),
	    cmocka_unit_test(test_iova_with_hugepages),
	    cmocka_unit_test(test_page_pool_with_hugepages),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
