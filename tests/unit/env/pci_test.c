/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env/pci.c without a device to spare: address parsing and formatting,
 * sysfs enumeration against what /sys/bus/pci/devices holds, and attach
 * refusing a missing function (-ENODEV) and one a kernel driver owns (-EBUSY).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "include/env.h"

static int setup(void **state)
{
	struct env_opts opts;

	(void)state;
	env_opts_init(&opts);
	opts.name = "pci_test";
	opts.no_huge = true;
	opts.mem_mb = 32;
	return env_init(&opts);
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void test_addr_parse_fmt(void **state)
{
	struct env_pci_addr a;
	char buf[16];

	(void)state;
	assert_int_equal(env_pci_addr_parse("0000:00:04.0", &a), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 0);
	assert_int_equal(a.dev, 4);
	assert_int_equal(a.func, 0);
	assert_int_equal(env_pci_addr_parse("1a:1F.7", &a), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 0x1a);
	assert_int_equal(a.dev, 0x1f);
	assert_int_equal(a.func, 7);
	env_pci_addr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "0000:1a:1f.7");
	assert_int_equal(env_pci_addr_parse("10000:ff:00.1", &a), 0);
	assert_int_equal(a.domain, 0x10000);
	env_pci_addr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "10000:ff:00.1");
	env_pci_addr_fmt(&a, buf, 5);
	assert_string_equal(buf, "1000");

	static const char *const bad[] = {"",          "0000:00:04",    "00:04.8",  "00:20.0",
					  "100:00.0",  "0000:00:04.0x", "00.04.0",  "g0:00.0",
					  "0:0:0:0.0", "0000:00:04.",   ":00:04.0", "00:04:0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(env_pci_addr_parse(bad[i], &a), -EINVAL);
	assert_int_equal(env_pci_addr_parse(NULL, &a), -EINVAL);
}

struct walk {
	unsigned count;
	unsigned stop_after;
	uint32_t class_code;
	uint16_t vendor_id;
	struct env_pci_info first;
	struct env_pci_info owned; /* a function bound to a kernel driver */
};

static int walk_cb(void *ctx, const struct env_pci_info *info)
{
	struct walk *w = ctx;
	char name[16];

	env_pci_addr_fmt(&info->addr, name, sizeof(name));
	if (w->count == 0)
		w->first = *info;
	if (w->class_code != UINT32_MAX)
		assert_int_equal(info->class_code, w->class_code);
	if (w->vendor_id != 0xffff)
		assert_int_equal(info->vendor_id, w->vendor_id);
	if (info->driver[0] != '\0' && strcmp(info->driver, "vfio-pci") != 0 &&
	    strcmp(info->driver, "uio_pci_generic") != 0)
		w->owned = *info;
	w->count++;
	return w->count == w->stop_after ? 77 : 0;
}

static unsigned sysfs_count(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_enumerate(void **state)
{
	struct walk all = {.class_code = UINT32_MAX, .vendor_id = 0xffff};
	struct walk w;

	(void)state;
	assert_int_equal(env_pci_enumerate(UINT32_MAX, 0xffff, walk_cb, &all), 0);
	assert_int_equal(all.count, sysfs_count());
	assert_int_equal(env_pci_enumerate(UINT32_MAX, 0xffff, NULL, NULL), -EINVAL);
	if (all.count == 0)
		return;
	/* Filters: by the first function's class, then by its vendor. */
	w = (struct walk){.class_code = all.first.class_code, .vendor_id = 0xffff};
	assert_int_equal(env_pci_enumerate(w.class_code, 0xffff, walk_cb, &w), 0);
	assert_true(w.count >= 1 && w.count <= all.count);
	w = (struct walk){.class_code = UINT32_MAX, .vendor_id = all.first.vendor_id};
	assert_int_equal(env_pci_enumerate(UINT32_MAX, w.vendor_id, walk_cb, &w), 0);
	assert_true(w.count >= 1);
	/* A class nothing has: no call. */
	w = (struct walk){.class_code = 0xfffffe, .vendor_id = 0xffff};
	assert_int_equal(env_pci_enumerate(0xfffffe, 0xffff, walk_cb, &w), 0);
	assert_int_equal(w.count, 0);
	/* A non-zero return stops the walk and comes back. */
	w = (struct walk){.class_code = UINT32_MAX, .vendor_id = 0xffff, .stop_after = 1};
	assert_int_equal(env_pci_enumerate(UINT32_MAX, 0xffff, walk_cb, &w), 77);
	assert_int_equal(w.count, 1);
}

static void test_attach_missing(void **state)
{
	struct env_pci_addr a = {.domain = 0xfedc, .bus = 0xff, .dev = 0x1f, .func = 7};
	struct env_pci_dev *dev = (struct env_pci_dev *)&a;

	(void)state;
	assert_int_equal(env_pci_attach(&a, &dev), -ENODEV);
	assert_null(dev);
	env_pci_detach(NULL);
}

static void test_attach_kernel_owned(void **state)
{
	struct walk all = {.class_code = UINT32_MAX, .vendor_id = 0xffff};
	struct env_pci_dev *dev = NULL;

	(void)state;
	assert_int_equal(env_pci_enumerate(UINT32_MAX, 0xffff, walk_cb, &all), 0);
	if (all.owned.driver[0] == '\0')
		skip();
	assert_int_equal(env_pci_attach(&all.owned.addr, &dev), -EBUSY);
	assert_null(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr_parse_fmt),
	    cmocka_unit_test(test_enumerate),
	    cmocka_unit_test(test_attach_missing),
	    cmocka_unit_test(test_attach_kernel_owned),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
