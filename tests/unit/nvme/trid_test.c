/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trid_test.c - transport ID strings: parsing (keys in any order and case,
 * defaults for adrfam and trsvcid, PCIe addresses with colons), rejection
 * of bad strings, and format -> parse round trips.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nvme.h"

static void test_parse_tcp_full(void **state)
{
	struct nvme_trid t;

	(void)state;
	assert_int_equal(nvme_trid_parse("trtype:TCP adrfam:IPv4 traddr:10.0.0.1 trsvcid:4421 "
					 "subnqn:nqn.2016-06.io.x:a",
					 &t),
			 0);
	assert_int_equal(t.trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(t.adrfam, NVMF_ADRFAM_IPV4);
	assert_string_equal(t.traddr, "10.0.0.1");
	assert_string_equal(t.trsvcid, "4421");
	assert_string_equal(t.subnqn, "nqn.2016-06.io.x:a");
	assert_string_equal(t.hostnqn, "");
}

static void test_parse_defaults_and_case(void **state)
{
	struct nvme_trid t;

	(void)state;
	assert_int_equal(nvme_trid_parse("  TRADDR:127.0.0.1\tTrType:tcp  ", &t), 0);
	assert_int_equal(t.trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(t.adrfam, NVMF_ADRFAM_IPV4);
	assert_string_equal(t.trsvcid, "4420");
	assert_string_equal(t.subnqn, "");

	assert_int_equal(nvme_trid_parse("trtype:rdma traddr:fe80::1 hostnqn:nqn.h:1", &t), 0);
	assert_int_equal(t.trtype, NVMF_TRTYPE_RDMA);
	assert_int_equal(t.adrfam, NVMF_ADRFAM_IPV6);
	assert_string_equal(t.traddr, "fe80::1");
	assert_string_equal(t.trsvcid, "4420");
	assert_string_equal(t.hostnqn, "nqn.h:1");
}

static void test_parse_pcie(void **state)
{
	struct nvme_trid t;

	(void)state;
	assert_int_equal(nvme_trid_parse("trtype:PCIe traddr:0000:00:04.0", &t), 0);
	assert_int_equal(t.trtype, NVME_TRTYPE_PCIE);
	assert_string_equal(t.traddr, "0000:00:04.0");
	assert_string_equal(t.trsvcid, "");
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "traddr:127.0.0.1",                    /* no trtype */
	    "trtype:TCP",                          /* no traddr */
	    "trtype:FOO traddr:1.2.3.4",           /* unknown transport */
	    "trtype:TCP traddr:1.2.3.4 color:red", /* unknown key */
	    "trtype:TCP traddr:",                  /* empty value */
	    "trtype:TCP traddr:1.2.3.4 adrfam:IPX",
	    "trtype:TCP traddr 1.2.3.4", /* no colon */
	    ":TCP traddr:1.2.3.4",
	    "trtype:PCIe traddr:0000:00:04.0 subnqn:nqn.x",
	    "trtype:TCP traddr:1.2.3.4 trsvcid:123456789012345678901234567890123456",
	};
	struct nvme_trid t;
	size_t i;

	(void)state;
	memset(&t, 0x5A, sizeof(t));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad: '%s'\n", bad[i]);
		assert_int_equal(nvme_trid_parse(bad[i], &t), -EINVAL);
	}
	assert_int_equal(nvme_trid_parse(NULL, &t), -EINVAL);
	assert_int_equal(t.trtype, 0x5A5A5A5Au); /* untouched on error */
}

static void test_long_nqn(void **state)
{
	char s[512], nqn[300];
	struct nvme_trid t;

	(void)state;
	memset(nqn, 'a', 223);
	nqn[223] = '\0';
	snprintf(s, sizeof(s), "trtype:TCP traddr:1.2.3.4 subnqn:%s", nqn);
	assert_int_equal(nvme_trid_parse(s, &t), 0);
	assert_int_equal(strlen(t.subnqn), 223);
	memset(nqn, 'a', 260);
	nqn[260] = '\0';
	snprintf(s, sizeof(s), "trtype:TCP traddr:1.2.3.4 subnqn:%s", nqn);
	assert_int_equal(nvme_trid_parse(s, &t), -EINVAL);
}

static void test_fmt_roundtrip(void **state)
{
	static const char *const in[] = {
	    "trtype:TCP traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.nvmf-tgt:ram0",
	    "trtype:TCP adrfam:IPv6 traddr:::1 trsvcid:8009",
	    "trtype:RDMA traddr:192.168.0.9 subnqn:nqn.a:b hostnqn:nqn.c:d",
	    "trtype:PCIe traddr:0000:81:00.0",
	};
	struct nvme_trid a, b;
	char buf[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(nvme_trid_parse(in[i], &a), 0);
		nvme_trid_fmt(&a, buf, sizeof(buf));
		assert_int_equal(nvme_trid_parse(buf, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	assert_int_equal(nvme_trid_parse(in[0], &a), 0);
	nvme_trid_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 "
				 "subnqn:nqn.2016-06.io.nvmf-tgt:ram0");
	nvme_trid_fmt(&a, buf, 10); /* truncates, stays terminated */
	assert_int_equal(strlen(buf), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_tcp_full), cmocka_unit_test(test_parse_defaults_and_case),
	    cmocka_unit_test(test_parse_pcie),     cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_long_nqn),       cmocka_unit_test(test_fmt_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
