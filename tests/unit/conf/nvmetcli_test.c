/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the nvmetcli converter (conf/nvmetcli*.c): the fixture
 * tests/fixtures/nvmetcli/config.json to the exact conf text, warnings
 * and RPC calls; the conf text accepted by the conf reader; the files it
 * refuses, each with its JSON path. Run from the top of the tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "conf_nvmetcli.h"

#define FIXTURE "tests/fixtures/nvmetcli/config.json"
#define HOST1 "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define DISKS "nqn.2016-06.io.example:disks"
#define SCRATCH "nqn.2016-06.io.example:scratch"

static const char expected_conf[] =
    "# nvmf-tgt.conf converted from the nvmetcli file config.json\n"
    "# by nvmf_tgt --from-nvmetcli; what had no equivalent was named on stderr.\n"
    "\n"
    "[Transport]\n  Type RDMA\n\n"
    "[File]\n  Name nvmet1n1\n  Path /srv/nvmet/disk0.img\n\n"
    "[File]\n  Name nvmet1n2\n  Path /srv/nvmet/disk1.img\n\n"
    "[File]\n  Name nvmet2n5\n  Path /srv/nvmet/scratch.img\n\n"
    "[Subsystem1]\n"
    "  NQN " DISKS "\n"
    "  SN 8d2f9c1a4b7e3d60\n"
    "  MN Linux\n"
    "  Listen TCP 192.0.2.10:4420\n"
    "  Listen RDMA 192.0.2.10:4421\n"
    "  AllowAnyHost No\n"
    "  Host " HOST1 "\n"
    "  Host nqn.2016-06.io.example:host-b\n"
    "  Namespace nvmet1n1 1 6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b\n"
    "  Namespace nvmet1n2 2 0f9e8d7c-6b5a-4f3e-8d2c-1b0a99887766 "
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9\n"
    "\n"
    "[Subsystem2]\n"
    "  NQN " SCRATCH "\n"
    "  SN SCRATCH0001\n"
    "  MN Scratch Space\n"
    "  Listen TCP 192.0.2.10:4420\n"
    "  AllowAnyHost Yes\n"
    "  Namespace nvmet2n5 5 3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b "
    "00112233445566778899aabbccddeeff\n"
    "\n";

static const char *const expected_warnings[] = {
    "hosts[2].dhchap_key: DH-HMAC-CHAP key (not shown): no DH-HMAC-CHAP in nvmf-tgt yet; the "
    "host is left out of every allowed_hosts",
    "subsystems[0].allowed_hosts[2]: nqn.2016-06.io.example:host-chap: left out (it has a "
    "DH-HMAC-CHAP key)",
    "subsystems[0].attr.qid_max: '64': queues per controller are set per transport ([Transport] "
    "MaxQueuesPerSession); ignored",
    "subsystems[0].namespaces[1].ana_grpid: '2': no ANA groups: every namespace is in group 1; "
    "ignored",
    "subsystems[1].attr.cntlid_min: '16': controller IDs are dynamic, from 1 up; ignored",
    "subsystems[1].attr.version: '2.0': nvmf-tgt reports NVMe version 1.3; ignored",
    "subsystems[1].namespaces[0].resv_enable: unknown key; ignored",
    "subsystems[1].namespaces[1]: disabled (enable 0), so not served; dropped (device.path "
    "/srv/nvmet/retired.img)",
    "subsystems[1].passthru: no NVMe passthrough in nvmf-tgt; ignored",
    "ports[0].param.inline_data_size: '16384': the in-capsule data size is set per transport "
    "([Transport] InCapsuleDataSize); ignored",
    "ports[0].referrals[0]: discovery referral to tcp 192.0.2.20:4420: nvmf-tgt has no "
    "referrals; dropped",
    "ports[1].ana_groups[1]: ANA group 2 (non-optimized): no ANA in nvmf-tgt; ignored",
    "ports[2].addr.trtype: 'loop': nvmf-tgt serves TCP and RDMA only; port dropped",
    "ports[3].addr.tsas: 'tls1.3': no TLS on nvmf-tgt listeners yet; port dropped",
};

#define CALL(method, params) "{\"method\":\"" method "\",\"params\":{" params "}}"
#define LISTEN(nqn, tr, port)                                                                      \
	CALL("nvmf_subsystem_add_listener",                                                        \
	     "\"nqn\":\"" nqn "\",\"listen_address\":{\"trtype\":\"" tr "\",\"adrfam\":\"IPv4\","  \
	     "\"traddr\":\"192.0.2.10\",\"trsvcid\":\"" port "\"}")

static const char
    expected_rpc
	[] = "[" CALL("nvmf_create_transport",
		      "\"trtype\":\"TCP\"") "," CALL("nvmf_create_transport", "\"trtype\":\"RDMA\"") "," CALL("bdev_aio_create",
													      "\"name\":\"nvmet1n1\",\"filename\":\"/srv/nvmet/"
													      "disk0.img\"") "," CALL("bdev_aio_create",
																      "\"name\":\"nvmet1n2\","
																      "\"filename\":\"/srv/nvmet/"
																      "disk1.img\"") "," CALL("bdev_aio_create", "\"name\":\"nvmet2n5\",\"filename\":\"/srv/nvmet/scratch.img\"") "," CALL("nvmf_create_subsystem", "\"nqn\":\"" DISKS
																																		    "\",\"serial_number\":\"8d2f9c1a4b7e3d60\","
																																		    "\"model_number\":\"Linux\",\"allow_any_host\":false") "," CALL("nvmf_subsystem_add_host", "\"nqn\":\"" DISKS
																																													       "\",\"host\":\"" HOST1 "\"") "," CALL("nvmf_subsystem_add_host",
																																																		     "\"nqn\":\"" DISKS "\",\"host\":\"nqn.2016-06.io.example:host-b\"") "," LISTEN(DISKS, "TCP", "4420") "," LISTEN(DISKS, "RDMA", "4421") "," CALL("nvmf_subsystem_add_ns",
																																																																				     "\"nqn\":\"" DISKS
																																																																				     "\",\"namespace\":{\"bdev_name\":\"nvmet1n1\",\"nsid\":1,"
																																																																				     "\"uuid\":\"6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b\"}") "," CALL("nvmf_subsystem_add_ns", "\"nqn\":\"" DISKS
																																																																															     "\",\"namespace\":{\"bdev_name\":\"nvmet1n2\",\"nsid\":2,"
																																																																															     "\"uuid\":\"0f9e8d7c-6b5a-4f3e-8d2c-1b0a99887766\","
																																																																															     "\"nguid\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"}") "," CALL("nvmf_create_subsystem",
																																																																																							 "\"nqn\":\"" SCRATCH
																																																																																							 "\",\"serial_number\":\"SCRATCH0001\","
																																																																																							 "\"model_number\":\"Scratch Space\",\"allow_any_host\":true") "," LISTEN(SCRATCH, "TCP", "4420") "," CALL("nvmf_subsystem_add_ns",
																																																																																																				   "\"nqn\":\"" SCRATCH
																																																																																																				   "\",\"namespace\":{\"bdev_name\":\"nvmet2n5\",\"nsid\":5,"
																																																																																																				   "\"uuid\":\"3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b\","
																																																																																																				   "\"nguid\":\"00112233445566778899aabbccddeeff\"}") "]";

static struct nvmetcli_model *parse_ok(const char *text)
{
	struct nvmetcli_model *m = NULL;
	char err[256] = "";

	if (nvmetcli_parse(text, strlen(text), &m, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	return m;
}

static void expect_refused(const char *text, const char *msg)
{
	struct nvmetcli_model *m = (struct nvmetcli_model *)1;
	char err[256] = "";

	assert_int_equal(nvmetcli_parse(text, strlen(text), &m, err, sizeof(err)), -EINVAL);
	assert_null(m);
	assert_string_equal(err, msg);
}

static void test_fixture(void **state)
{
	struct nvmetcli_model *m = NULL;
	struct conf_errors errs;
	struct json_writer w;
	struct conf *c = NULL;
	char err[256] = "", *text = NULL;
	size_t n = sizeof(expected_warnings) / sizeof(expected_warnings[0]);

	(void)state;
	assert_int_equal(nvmetcli_parse_file(FIXTURE, &m, err, sizeof(err)), 0);
	for (unsigned i = 0; i < m->n_warnings && i < n; i++)
		assert_string_equal(m->warnings[i], expected_warnings[i]);
	assert_int_equal(m->n_warnings, n);
	for (unsigned i = 0; i < m->n_warnings; i++) /* a key is never shown */
		assert_null(strstr(m->warnings[i], "DHHC-1"));

	assert_int_equal(nvmetcli_emit_conf(m, "config.json", &text), 0);
	assert_string_equal(text, expected_conf);
	/* The conf reader takes it as it is. */
	conf_errors_init(&errs);
	assert_int_equal(conf_load_buffer("converted", text, strlen(text), &c, &errs), 0);
	conf_free(c);
	free(text);

	json_writer_init(&w, 0);
	nvmetcli_emit_rpc(m, &w);
	assert_non_null(json_writer_finish(&w, NULL));
	assert_string_equal(w.buf, expected_rpc);
	json_writer_fini(&w);
	nvmetcli_free(m);
}

/* IPv6, numbers and booleans for the string attributes, no ports: no transport at all. */
static void test_forms(void **state)
{
	struct nvmetcli_model *m;
	struct json_writer w;
	char *text;

	(void)state;
	m = parse_ok("{\"subsystems\":[{\"nqn\":\"nqn.2016-06.io.a:b\",\"attr\":"
		     "{\"allow_any_host\":true},\"namespaces\":[{\"nsid\":\"3\",\"enable\":1,"
		     "\"device\":{\"path\":\"/dev/sdb\"}}]}],\"ports\":[{\"addr\":{\"trtype\":"
		     "\"TCP\",\"adrfam\":\"IPv6\",\"traddr\":\"::1\",\"trsvcid\":4420},"
		     "\"subsystems\":[\"nqn.2016-06.io.a:b\",\"nqn.2016-06.io.a:b\",\"nqn.x:y\"]}],"
		     "\"extra\":{}}");
	assert_int_equal(nvmetcli_emit_conf(m, "f", &text), 0);
	assert_non_null(strstr(text, "[File]\n  Name nvmet1n3\n  Path /dev/sdb\n\n[Subsystem1]\n"
				     "  NQN nqn.2016-06.io.a:b\n  Listen TCP [::1]:4420\n"
				     "  AllowAnyHost Yes\n  Namespace nvmet1n3 3\n"));
	assert_null(strstr(text, "[Transport]"));
	free(text);
	assert_int_equal(m->n_warnings, 3);
	assert_string_equal(m->warnings[0], "extra: unknown key; ignored");
	assert_string_equal(m->warnings[1], "ports[0].subsystems[1]: nqn.2016-06.io.a:b listens on "
					    "this address already; ignored");
	assert_string_equal(
	    m->warnings[2],
	    "ports[0].subsystems[2]: nqn.x:y: no such subsystem in the file; ignored");
	json_writer_init(&w, 0);
	nvmetcli_emit_rpc(m, &w);
	assert_non_null(json_writer_finish(&w, NULL));
	assert_non_null(strstr(w.buf, "\"adrfam\":\"IPv6\",\"traddr\":\"::1\""));
	json_writer_fini(&w);
	nvmetcli_free(m);

	/* An empty object is an empty target. */
	m = parse_ok("{}");
	assert_int_equal(m->n_subs, 0);
	assert_int_equal(m->n_warnings, 0);
	nvmetcli_free(m);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("{\"subsystems\":[}", "line 1, column 16: unexpected character");
	expect_refused("[]", "the top level: expected an object (nvmetcli's config.json)");
	expect_refused("{\"subsystems\":{}}", "subsystems: expected an array");
	expect_refused("{\"subsystems\":[{\"attr\":{}}]}",
		       "subsystems[0]: a subsystem needs an nqn");
	expect_refused("{\"subsystems\":[{\"nqn\":\"nqn.a:b\"},{\"nqn\":\"nqn.a:b\"}]}",
		       "subsystems[1]: subsystem nqn.a:b is in the file twice");
	expect_refused("{\"subsystems\":[{\"nqn\":\"nqn.a:b\",\"namespaces\":[{\"enable\":1,"
		       "\"nsid\":1}]}]}",
		       "subsystems[0].namespaces[0]: an enabled namespace needs device.path and an "
		       "nsid above 0");
	expect_refused(
	    "{\"subsystems\":[{\"nqn\":\"nqn.a:b\",\"attr\":{\"allow_any_host\":\"yes\"}}]}",
	    "subsystems[0].attr.allow_any_host: expected 1 or 0");
	expect_refused("{\"subsystems\":[{\"nqn\":\"nqn.a:b\",\"namespaces\":[{\"nsid\":-1}]}]}",
		       "subsystems[0].namespaces[0].nsid: expected an integer");
	expect_refused("{\"subsystems\":[{\"nqn\":\"nqn.a:b\",\"namespaces\":[{\"device\":"
		       "{\"uuid\":\"6b1e3d2a\"}}]}]}",
		       "subsystems[0].namespaces[0].device.uuid: expected 32 hex digits, with or "
		       "without dashes");
	expect_refused("{\"hosts\":[{\"dhchap_key\":\"\"}]}", "hosts[0]: a host needs an nqn");
	expect_refused("{\"ports\":[{\"subsystems\":[1],\"addr\":{\"trtype\":\"tcp\",\"adrfam\":"
		       "\"ipv4\",\"traddr\":\"1.2.3.4\",\"trsvcid\":\"1\"}}]}",
		       "ports[0].subsystems[0]: expected a subsystem NQN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),
	    cmocka_unit_test(test_forms),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
