/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the keyring and a host's secrets over RPC
 * (rpc/methods_keys.c, nvmf/keyring.c, the add_host keys): key files and
 * their checks, keys in use, names given to hosts, rotation, and that no
 * answer or error ever holds a secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/rpc/rpc_test_util.h"
#include "util_tls_psk.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:keys"
#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define HOST_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define CTRL_KEY                                                                                   \
	"DHHC-1:00:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5voBXMjQ==:"
#define PSK "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define HOSTP "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\""

static struct nvmf_tgt *g_tgt;
static char g_dir[64];

/* A key file @name in the test's directory holding @text, mode @mode. */
static const char *key_file(const char *name, const char *text, mode_t mode)
{
	static char path[4][128];
	static unsigned next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", g_dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static void add_key(const char *name, const char *path)
{
	char params[256];

	snprintf(params, sizeof(params), "{\"name\":\"%s\",\"path\":\"%s\"}", name, path);
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_add_key", params));
}

static void add_key_err(const char *name, const char *path, int code, const char *part)
{
	char params[256];

	snprintf(params, sizeof(params), "{\"name\":\"%s\",\"path\":\"%s\"}", name, path);
	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_add_key", params), code, part);
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/nvmf_keys_test.XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	g_tgt = rpc_t_tgt();
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN "\"}"));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	nvmf_tgt_destroy(g_tgt);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* The answer as text must not hold @secret. */
static void no_secret(const char *method, const char *params, const char *secret)
{
	const struct json_value *v = rpc_t_call(g_tgt, method, params);
	struct json_writer w;
	const char *text;

	json_writer_init(&w, 0);
	json_write_value(&w, v);
	text = json_writer_finish(&w, NULL);
	assert_non_null(text);
	assert_null(strstr(text, secret));
	json_writer_fini(&w);
}

static void test_add_remove(void **state)
{
	const char *ok = key_file("k0", HOST_KEY, 0600);
	const struct json_value *v;
	const char *s;

	(void)state;
	add_key("key0", ok);
	add_key_err("key0", ok, -EEXIST, "already in the keyring");
	add_key_err("bad/name", ok, RPC_ERR_INVALID_PARAMS, "name:");
	add_key_err(".hidden", ok, RPC_ERR_INVALID_PARAMS, "name:");
	add_key_err("rel", "k0", RPC_ERR_INVALID_PARAMS, "not an absolute path");
	add_key_err("missing", "/nonexistent/key", -ENOENT, "/nonexistent/key");
	add_key_err("open", key_file("k1", HOST_KEY, 0644), -EACCES, "group or others");
	add_key_err("grp", key_file("k2", HOST_KEY, 0640), -EACCES, "chmod 0600");
	add_key_err("empty", key_file("k3", "", 0600), RPC_ERR_INVALID_PARAMS, "empty");
	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_add_key", "{\"name\":\"x\"}"),
		  RPC_ERR_INVALID_PARAMS, "path: required");

	v = rpc_t_ok(rpc_t_call(g_tgt, "keyring_get_keys", NULL));
	assert_int_equal(v->u.arr.count, 1);
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "name"), &s), 0);
	assert_string_equal(s, "key0");
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "path"), &s), 0);
	assert_string_equal(s, ok);
	assert_int_equal(json_obj_get(json_arr_at(v, 0), "users")->u.arr.count, 0);
	no_secret("keyring_get_keys", NULL, "AAECAwQF");

	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"nokey\"}"), -ENOENT,
		  "not in the keyring");
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"key0\"}"));
	v = rpc_t_ok(rpc_t_call(g_tgt, "keyring_get_keys", NULL));
	assert_int_equal(v->u.arr.count, 0);
	rpc_t_err(rpc_t_call(g_tgt, "keyring_get_keys", "{\"name\":\"key0\"}"), -ENOENT, "key0");
}

static void test_host_keys(void **state)
{
	const struct json_value *v;
	const char *s;

	(void)state;
	add_key("hk", key_file("hk", HOST_KEY, 0600));
	add_key("ck", key_file("ck", CTRL_KEY, 0600));
	add_key("psk0", key_file("psk", PSK, 0600));
	add_key("notdh", key_file("notdh", "hello", 0600));

	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"dhchap_key\":\"nokey\"}"),
		  RPC_ERR_INVALID_PARAMS, "dhchap_key: no key nokey in the keyring");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"dhchap_ctrlr_key\":\"ck\"}"),
	    RPC_ERR_INVALID_PARAMS, "needs dhchap_key");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"dhchap_key\":\"notdh\"}"),
		  RPC_ERR_INVALID_PARAMS, "does not hold a DH-HMAC-CHAP secret");
	/* A secret itself is not a key name: refused, and not repeated in the error. */
	no_secret("nvmf_subsystem_add_host", HOSTP ",\"dhchap_key\":\"" HOST_KEY "\"}", "AAECAwQF");
	/* None of the refusals left the host on the list. */
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_subsystems", NULL));
	assert_int_equal(json_obj_get(json_arr_at(v, 0), "hosts")->u.arr.count, 0);

	rpc_t_ok(rpc_t_call(
	    g_tgt, "nvmf_subsystem_add_host",
	    HOSTP ",\"dhchap_key\":\"hk\",\"dhchap_ctrlr_key\":\"ck\",\"psk\":\"psk0\"}"));
	v = rpc_t_ok(rpc_t_call(g_tgt, "keyring_get_keys", "{\"name\":\"ck\"}"));
	v = json_obj_get(json_arr_at(v, 0), "users");
	assert_int_equal(v->u.arr.count, 1);
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "host"), &s), 0);
	assert_string_equal(s, HOST);
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "role"), &s), 0);
	assert_string_equal(s, "dhchap_ctrlr_key");
	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"hk\"}"), -EBUSY,
		  "in use by host " HOST " on subsystem " NQN " (dhchap_key)");
	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"psk0\"}"), -EBUSY,
		  "(psk)");
	assert_true(nvmf_subsystem_dhchap_configured(nvmf_subsystem_find(g_tgt, NQN), HOST));

	/* Rotation: the controller key goes, the host key changes. */
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys",
			     "{\"nqn\":\"" NQN "\",\"host\":\"nqn.2016-06.io.x:other\","
			     "\"dhchap_key\":\"ck\"}"),
		  -ENOENT, "not on the list");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys", HOSTP ",\"dhchap_key\":\"gone\"}"),
		  RPC_ERR_INVALID_PARAMS, "no key gone");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys", HOSTP ",\"psk\":\"psk0\"}"),
		  RPC_ERR_INVALID_PARAMS, "psk");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys", HOSTP ",\"dhchap_key\":\"ck\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"hk\"}"));
	v = rpc_t_ok(rpc_t_call(g_tgt, "keyring_get_keys", "{\"name\":\"ck\"}"));
	v = json_arr_at(json_obj_get(json_arr_at(v, 0), "users"), 0);
	assert_int_equal(json_get_str(json_obj_get(v, "role"), &s), 0);
	assert_string_equal(s, "dhchap_key");
	/* No keys at all: no authentication. */
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys", HOSTP "}"));
	assert_false(nvmf_subsystem_dhchap_configured(nvmf_subsystem_find(g_tgt, NQN), HOST));

	/* Removing the host frees its keys: they can go from the keyring. */
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_set_keys", HOSTP ",\"dhchap_key\":\"ck\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host", HOSTP "}"));
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"ck\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"psk0\"}"));

	/* Deleting the subsystem frees its hosts' keys too. */
	add_key("hk", key_file("hk", HOST_KEY, 0600));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"dhchap_key\":\"hk\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"hk\"}"), -EBUSY,
		  "in use");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_delete_subsystem", "{\"nqn\":\"" NQN "\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"hk\"}"));
}

/* psk takes a keyring name as well as what it took before. */
static void test_psk_forms(void **state)
{
	char params[512], src[256];
	const char *file = key_file("p", PSK, 0600);

	(void)state;
	add_key("tls0", file);
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"psk\":\"tls0\"}"));
	assert_int_equal(tls_keyring_source(nvmf_tgt_keyring(g_tgt), HOST, NQN, src, sizeof(src)),
			 0);
	assert_string_equal(src, file);
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host", HOSTP "}"));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"psk\":\"" PSK "\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host", HOSTP "}"));
	snprintf(params, sizeof(params), HOSTP ",\"psk\":\"%s\"}", file);
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", params));
	rpc_t_ok(rpc_t_call(g_tgt, "keyring_file_remove_key", "{\"name\":\"tls0\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host", HOSTP "}"));
	/* A DH-HMAC-CHAP key file is no PSK. */
	add_key("dh", key_file("dh", HOST_KEY, 0600));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host", HOSTP ",\"psk\":\"dh\"}"),
		  RPC_ERR_INVALID_PARAMS, "psk:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_add_remove, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_psk_forms, setup, teardown),
	};

	return cmocka_run_group_tests_name("rpc_keys", tests, NULL, NULL);
}
