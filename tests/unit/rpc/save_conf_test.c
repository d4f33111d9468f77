/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of save_config (rpc/save_conf.c): the text it writes for a
 * target built through the core API, that text loaded into a second
 * target by the conf reader and saved again (the same text), secrets, and
 * the state it refuses to write because the conf format cannot express it.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "rpc/rpc_internal.h"
#include "tests/unit/rpc/rpc_test_util.h"
#include "util_tls_psk.h"

#define NQN_A "nqn.2016-06.io.nvmf-tgt:save-a"
#define NQN_B "nqn.2016-06.io.nvmf-tgt:save-b"
#define HOST1 "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define HOST2 "nqn.2016-06.io.example:host-b"
#define UUID "6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b"
#define NGUID "00112233445566778899aabbccddeeff"

static char g_file[64];

/* The text of a save_config result (owned by the last response). */
static const char *saved_text(struct nvmf_tgt *tgt)
{
	const struct json_value *res = rpc_t_ok(rpc_t_call(tgt, "save_config", NULL));
	const char *s = NULL;

	assert_int_equal(json_get_str(json_obj_get(res, "format"), &s), 0);
	assert_string_equal(s, "nvmf-tgt.conf");
	assert_int_equal(json_get_str(json_obj_get(res, "text"), &s), 0);
	return s;
}

static void add_listener(struct nvmf_subsystem *ss, const char *hostport)
{
	struct nvmf_listen_addr a;

	assert_int_equal(nvmf_listen_addr_parse("TCP", hostport, &a), 0);
	assert_int_equal(nvmf_subsystem_add_listener(ss, &a), 0);
}

/* Two subsystems over RAM, Null and File backends, with every directive save writes. */
static void build_state(struct nvmf_tgt *tgt)
{
	struct nvmf_transport_opts to;
	struct nvmf_ns_opts ns = {.nsid = 7};
	struct nvmf_subsystem *a, *b;
	int fd;

	nvmf_transport_opts_init(&to, NVMF_TRTYPE_TCP);
	to.max_queue_depth = 64;
	to.in_capsule_data_size = 4096;
	to.ddgst_allowed = false;
	assert_int_equal(nvmf_tgt_add_transport(tgt, &to), 0);
	assert_int_equal(nvmf_backend_ram_create(tgt, "ram0", 1 << 20, 4096), 0);
	assert_int_equal(nvmf_backend_null_create(tgt, "null.0", 1ull << 40, 512), 0);
	snprintf(g_file, sizeof(g_file), "/tmp/nvmf_save_test.XXXXXX");
	fd = mkstemp(g_file);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(nvmf_backend_file_create(tgt, "file0", g_file, 65536, 512), 0);

	assert_int_equal(nvmf_subsystem_create(tgt, NQN_A, &a), 0);
	assert_int_equal(nvmf_subsystem_set_sn(a, "SAVE0001"), 0);
	assert_int_equal(nvmf_subsystem_set_mn(a, "Saved Model"), 0);
	assert_int_equal(nvmf_subsystem_set_max_namespaces(a, 64), 0);
	add_listener(a, "127.0.0.1:4420");
	add_listener(a, "[::1]:4421");
	assert_int_equal(nvmf_subsystem_add_host(a, HOST1), 0);
	assert_int_equal(nvmf_subsystem_add_host(a, HOST2), 0);
	assert_int_equal(rpc_parse_uuid(UUID, ns.uuid), 0);
	assert_int_equal(nvmf_subsystem_add_ns(a, "ram0", &ns), 7);
	assert_int_equal(nvmf_subsystem_add_ns(a, "file0", NULL), 1);

	assert_int_equal(nvmf_subsystem_create(tgt, NQN_B, &b), 0);
	nvmf_subsystem_set_allow_any_host(b, true);
	add_listener(b, "127.0.0.1:4420");
	ns = (struct nvmf_ns_opts){.nsid = 3};
	assert_int_equal(rpc_parse_hex(NGUID, ns.nguid, sizeof(ns.nguid)), 0);
	assert_int_equal(nvmf_subsystem_add_ns(b, "null.0", &ns), 3);
}

static void expect_line(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("no '%s' in:\n%s", line, text);
}

static void test_round_trip(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt(), *again = rpc_t_tgt();
	struct conf_errors errs;
	struct conf *c = NULL;
	char *first, path_line[128];

	(void)state;
	build_state(tgt);
	first = strdup(saved_text(tgt));
	assert_non_null(first);
	expect_line(first, "[Transport]\n  Type TCP\n  MaxQueueDepth 64\n");
	expect_line(first, "  InCapsuleDataSize 4096\n");
	expect_line(first, "  DataDigest No\n");
	expect_line(first, "[Ram]\n  Name ram0\n  Size 1048576\n  BlockSize 4096\n");
	expect_line(first, "[Null]\n  Name null.0\n  Size 1099511627776\n  BlockSize 512\n");
	snprintf(path_line, sizeof(path_line), "[File]\n  Name file0\n  Path %s\n  Size 65536\n",
		 g_file);
	expect_line(first, path_line);
	expect_line(first,
		    "[Subsystem1]\n  NQN " NQN_A "\n  SN SAVE0001\n  MN Saved Model\n"
		    "  MaxNamespaces 64\n  Listen TCP 127.0.0.1:4420\n"
		    "  Listen TCP [::1]:4421\n  AllowAnyHost No\n  Host " HOST1 "\n  Host " HOST2
		    "\n  Namespace file0 1\n  Namespace ram0 7 " UUID "\n");
	expect_line(first, "[Subsystem2]\n  NQN " NQN_B "\n");
	expect_line(first, "  AllowAnyHost Yes\n  Namespace null.0 3 " NGUID "\n");
	/* The default MaxNamespaces is not written. */
	assert_null(strstr(strstr(first, "[Subsystem2]"), "MaxNamespaces"));

	/* Loaded by the conf reader into a new target, it saves to the same text. */
	conf_errors_init(&errs);
	assert_int_equal(conf_load_buffer("saved", first, strlen(first), &c, &errs), 0);
	assert_int_equal(conf_apply(c, again, &errs), 0);
	conf_free(c);
	assert_string_equal(saved_text(again), first);
	free(first);
	nvmf_tgt_destroy(again);
	nvmf_tgt_destroy(tgt);
	unlink(g_file);
}

#define KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

/*
 * TLS through RPC: a secure_channel listener and hosts with psk= (inline and
 * from a key file) save as secure=tls and psk= as given, load back to the
 * same text; removing a host drops its key.
 */
static void test_tls_round_trip(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt(), *again = rpc_t_tgt();
	struct conf_errors errs;
	struct conf *c = NULL;
	char keyfile[64] = "/tmp/nvmf_save_key.XXXXXX", params[512], line[256], *first;
	int fd = mkstemp(keyfile);

	(void)state;
	assert_true(fd >= 0 && write(fd, KEY "\n", sizeof(KEY)) == (ssize_t)sizeof(KEY));
	close(fd);
	rpc_t_ok(rpc_t_call(tgt, "nvmf_create_transport", "{\"trtype\":\"TCP\"}"));
	rpc_t_ok(rpc_t_call(tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN_A "\"}"));
	rpc_t_ok(rpc_t_call(tgt, "nvmf_subsystem_add_listener",
			    "{\"nqn\":\"" NQN_A "\",\"secure_channel\":true,\"listen_address\":"
			    "{\"trtype\":\"TCP\",\"traddr\":\"127.0.0.1\",\"trsvcid\":\"4430\"}}"));
	rpc_t_ok(rpc_t_call(tgt, "nvmf_subsystem_add_host",
			    "{\"nqn\":\"" NQN_A "\",\"host\":\"" HOST1 "\",\"psk\":\"" KEY "\"}"));
	snprintf(params, sizeof(params), "{\"nqn\":\"%s\",\"host\":\"%s\",\"psk\":\"%s\"}", NQN_A,
		 HOST2, keyfile);
	rpc_t_ok(rpc_t_call(tgt, "nvmf_subsystem_add_host", params));
	first = strdup(saved_text(tgt));
	assert_non_null(first);
	expect_line(first, "  Listen TCP 127.0.0.1:4430 secure=tls\n");
	expect_line(first, "  Host " HOST1 " psk=" KEY "\n");
	snprintf(line, sizeof(line), "  Host %s psk=%s\n", HOST2, keyfile);
	expect_line(first, line);

	conf_errors_init(&errs);
	assert_int_equal(conf_load_buffer("saved", first, strlen(first), &c, &errs), 0);
	assert_int_equal(conf_apply(c, again, &errs), 0);
	conf_free(c);
	assert_string_equal(saved_text(again), first);

	rpc_t_ok(rpc_t_call(tgt, "nvmf_subsystem_remove_host",
			    "{\"nqn\":\"" NQN_A "\",\"host\":\"" HOST1 "\"}"));
	assert_int_equal(
	    tls_keyring_source(nvmf_tgt_keyring(tgt), HOST1, NQN_A, line, sizeof(line)), -ENOENT);
	assert_null(strstr(saved_text(tgt), HOST1));
	free(first);
	nvmf_tgt_destroy(again);
	nvmf_tgt_destroy(tgt);
	unlink(keyfile);
}

#define DH_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define DH_CTRL                                                                                    \
	"DHHC-1:00:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5voBXMjQ==:"

/*
 * DH-HMAC-CHAP: keyring keys saved as their files' paths (never the
 * secret), a secret given inline saved inline, the subsystem's lists; the
 * text loaded into a second target saves the same, with the same secrets.
 */
static void test_dhchap_round_trip(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt(), *again = rpc_t_tgt();
	const uint8_t sha512 = 3, groups[] = {0, 2};
	char keyfile[64] = "/tmp/nvmf_save_dh.XXXXXX", params[512], line[512], *first;
	int fd = mkstemp(keyfile);
	struct conf_errors errs;
	struct conf *c = NULL;
	struct nvmf_subsystem *ss;

	(void)state;
	assert_true(fd >= 0 &&
		    write(fd, DH_CTRL "\n", sizeof(DH_CTRL)) == (ssize_t)sizeof(DH_CTRL));
	close(fd);
	snprintf(params, sizeof(params), "{\"name\":\"ck\",\"path\":\"%s\"}", keyfile);
	rpc_t_ok(rpc_t_call(tgt, "keyring_file_add_key", params));
	rpc_t_ok(rpc_t_call(tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN_A "\"}"));
	ss = nvmf_subsystem_find(tgt, NQN_A);
	rpc_t_ok(rpc_t_call(tgt, "nvmf_subsystem_add_host",
			    "{\"nqn\":\"" NQN_A "\",\"host\":\"" HOST1
			    "\",\"dhchap_key\":\"ck\"}"));
	assert_int_equal(nvmf_subsystem_add_host(ss, HOST2), 0);
	assert_int_equal(nvmf_subsystem_host_set_dhchap(ss, HOST2, DH_KEY, keyfile), 0);
	assert_int_equal(nvmf_subsystem_set_dhchap_hashes(ss, &sha512, 1), 0);
	assert_int_equal(nvmf_subsystem_set_dhchap_groups(ss, groups, 2), 0);
	first = strdup(saved_text(tgt));
	assert_non_null(first);
	assert_null(strstr(first, "QEFCQ0RF")); /* the key file's secret */
	snprintf(line, sizeof(line), "  Host %s dhchap_key=%s\n", HOST1, keyfile);
	expect_line(first, line);
	snprintf(line, sizeof(line), "  Host %s dhchap_key=%s dhchap_ctrlr_key=%s\n", HOST2, DH_KEY,
		 keyfile);
	expect_line(first, line);
	expect_line(first, "  DhchapDigests sha512\n");
	expect_line(first, "  DhchapDHGroups null,ffdhe3072\n");

	conf_errors_init(&errs);
	assert_int_equal(conf_load_buffer("saved", first, strlen(first), &c, &errs), 0);
	assert_int_equal(conf_apply(c, again, &errs), 0);
	conf_free(c);
	assert_string_equal(saved_text(again), first);
	ss = nvmf_subsystem_find(again, NQN_A);
	assert_true(nvmf_subsystem_dhchap_configured(ss, HOST1));
	assert_true(nvmf_subsystem_dhchap_configured(ss, HOST2));
	free(first);
	nvmf_tgt_destroy(again);
	nvmf_tgt_destroy(tgt);
	unlink(keyfile);
}

static void test_refused(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt();
	struct nvmf_ns_opts ns = {.eui64 = {1, 2, 3}};
	struct nvmf_subsystem *ss;

	(void)state;
	rpc_t_err(rpc_t_call(tgt, "save_config", "{\"subsystems\":[]}"), RPC_ERR_INVALID_PARAMS,
		  "subsystems");
	/* Nothing configured: a valid, nearly empty file. */
	expect_line(saved_text(tgt), "[Global]\n  ReactorMask 0x");
	assert_int_equal(nvmf_backend_ram_create(tgt, "r0", 4096, 512), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, NQN_A, &ss), 0);
	/* An EUI-64 given at run time cannot be written: refused, not dropped. */
	assert_int_equal(nvmf_subsystem_add_ns(ss, "r0", &ns), 1);
	rpc_t_err(rpc_t_call(tgt, "save_config", NULL), -EOPNOTSUPP, "EUI-64");
	assert_int_equal(nvmf_subsystem_remove_ns(ss, 1), 0);
	saved_text(tgt);
	/* A model number the conf reader would cut at " #". */
	assert_int_equal(nvmf_subsystem_set_mn(ss, "model #2"), 0);
	rpc_t_err(rpc_t_call(tgt, "save_config", NULL), -EOPNOTSUPP, "MN 'model #2'");
	assert_int_equal(nvmf_subsystem_set_mn(ss, " lead"), 0);
	rpc_t_err(rpc_t_call(tgt, "save_config", NULL), -EOPNOTSUPP, "blanks");
	assert_int_equal(nvmf_subsystem_set_mn(ss, "m"), 0);
	saved_text(tgt);
	nvmf_tgt_destroy(tgt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_tls_round_trip),
	    cmocka_unit_test(test_dhchap_round_trip),
	};

	return cmocka_run_group_tests_name("rpc_save_conf", tests, NULL, NULL);
}
