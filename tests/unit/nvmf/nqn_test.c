/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of NQN validation and derived namespace identifiers (nvmf/nqn.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nvmf.h"
#include "nvmf/nvmf_internal.h"

static void test_valid_forms(void **state)
{
	(void)state;
	assert_true(nvmf_nqn_valid("nqn.2014-08.org.nvmexpress.discovery"));
	assert_true(nvmf_nqn_valid("nqn.2016-06.io.spdk:cnode1"));
	assert_true(nvmf_nqn_valid("nqn.2014-08.com.example:nvme:nvm-subsystem-sn-d78432"));
	assert_true(
	    nvmf_nqn_valid("nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
	assert_true(nvmf_nqn_valid("nqn.2021-12.a-b.c:x"));
}

static void test_invalid_forms(void **state)
{
	(void)state;
	assert_false(nvmf_nqn_valid(NULL));
	assert_false(nvmf_nqn_valid(""));
	assert_false(nvmf_nqn_valid("iqn.2016-06.io.spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.16-06.io.spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-13.io.spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-00.io.spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-06io.spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.io..spdk:cnode1"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.-io.spdk:x"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.io_x.spdk:x"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.io.spdk:"));
	assert_false(nvmf_nqn_valid("nqn.2016-06.io.spdk:a\tb"));
	assert_false(nvmf_nqn_valid("nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765"));
	assert_false(
	    nvmf_nqn_valid("nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bfZ"));
	assert_false(nvmf_nqn_valid(
	    "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6x"));
}

static void make_nqn(char *buf, size_t total)
{
	const char *prefix = "nqn.2016-06.io.example:";

	memset(buf, 0, total + 1);
	strcpy(buf, prefix);
	memset(buf + strlen(prefix), 'a', total - strlen(prefix));
}

static void test_length_limit(void **state)
{
	char nqn[300];

	(void)state;
	make_nqn(nqn, 223);
	assert_int_equal(strlen(nqn), 223);
	assert_true(nvmf_nqn_valid(nqn));
	make_nqn(nqn, 224);
	assert_false(nvmf_nqn_valid(nqn));
}

static void test_derived_ids_stable(void **state)
{
	uint8_t u1[16], u2[16], u3[16], g1[16], g2[16], e1[8], e2[8];

	(void)state;
	nvmf_ns_derive_ids("nqn.2016-06.io.example:a", 1, u1, g1, e1);
	nvmf_ns_derive_ids("nqn.2016-06.io.example:a", 1, u2, g2, e2);
	assert_memory_equal(u1, u2, 16);
	assert_memory_equal(g1, g2, 16);
	assert_memory_equal(e1, e2, 8);
	nvmf_ns_derive_ids("nqn.2016-06.io.example:a", 2, u3, NULL, NULL);
	assert_memory_not_equal(u1, u3, 16);
	nvmf_ns_derive_ids("nqn.2016-06.io.example:b", 1, u3, NULL, NULL);
	assert_memory_not_equal(u1, u3, 16);
	/* RFC 4122 variant, version 8 (custom). */
	assert_int_equal(u1[8] & 0xc0, 0x80);
	assert_int_equal(u1[6] >> 4, 8);
	assert_false(nvmf_mem_is_zero(g1, 16));
	assert_int_equal(e1[0] & 0x03, 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_forms),
	    cmocka_unit_test(test_invalid_forms),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_derived_ids_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
