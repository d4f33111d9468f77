/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of each method (rpc/methods_*.c): its parameter checks and
 * what it does to a real target core, created but not started.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/rpc/rpc_test_util.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:t1"
#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define NS(json) "{\"nqn\":\"" NQN "\",\"namespace\":" json "}"
#define LA(json) "{\"nqn\":\"" NQN "\",\"listen_address\":" json "}"

static struct nvmf_tgt *g_tgt;

static int setup(void **state)
{
	(void)state;
	g_tgt = rpc_t_tgt();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nvmf_tgt_destroy(g_tgt);
	return 0;
}

static void count_ss(void *arg, struct nvmf_subsystem *ss)
{
	(void)ss;
	(*(unsigned *)arg)++;
}

static void test_misc(void **state)
{
	const struct json_value *v;
	const char *s;

	(void)state;
	v = rpc_t_ok(
	    rpc_t_call(g_tgt, "rpc_get_methods", "{\"current\":false,\"include_aliases\":false}"));
	assert_int_equal(v->type, JSON_ARRAY);
	assert_int_equal(v->u.arr.count, 36);
	assert_int_equal(json_get_str(json_arr_at(v, 32), &s), 0);
	assert_string_equal(s, "keyring_file_add_key");
	assert_int_equal(json_get_str(json_arr_at(v, 35), &s), 0);
	assert_string_equal(s, "nvmf_subsystem_set_keys");
	assert_int_equal(json_get_str(json_arr_at(v, 20), &s), 0);
	assert_string_equal(s, "bdev_aio_delete");
	assert_int_equal(json_get_str(json_arr_at(v, 21), &s), 0);
	assert_string_equal(s, "bdev_nvme_attach_controller");
	assert_int_equal(json_get_str(json_arr_at(v, 22), &s), 0);
	assert_string_equal(s, "bdev_nvme_detach_controller");
	assert_int_equal(json_get_str(json_arr_at(v, 23), &s), 0);
	assert_string_equal(s, "save_config");
	assert_int_equal(json_get_str(json_arr_at(v, 26), &s), 0);
	assert_string_equal(s, "nvmf_subsystem_get_qpairs");
	rpc_t_err(rpc_t_call(g_tgt, "rpc_get_methods", "{\"include_aliases\":true}"),
		  RPC_ERR_INVALID_PARAMS, "include_aliases");
	v = rpc_t_ok(rpc_t_call(g_tgt, "spdk_get_version", NULL));
	assert_int_equal(json_get_str(json_obj_get(v, "version"), &s), 0);
	assert_non_null(strstr(s, "nvmf-tgt"));
	rpc_t_err(rpc_t_call(g_tgt, "spdk_get_version", "{\"x\":1}"), RPC_ERR_INVALID_PARAMS,
		  "unknown parameter 'x'");
}

static void test_transports(void **state)
{
	const struct json_value *v;
	uint64_t u = 0;

	(void)state;
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_transport", "{}"), RPC_ERR_INVALID_PARAMS,
		  "trtype: required");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_transport", "{\"trtype\":\"FC\"}"),
		  RPC_ERR_INVALID_PARAMS, "not TCP or RDMA");
	/* What rpc.py sends for "nvmf_create_transport -t TCP -q 64". */
	rpc_t_ok(
	    rpc_t_call(g_tgt, "nvmf_create_transport",
		       "{\"no_srq\":false,\"c2h_success\":true,\"trtype\":\"TCP\",\"zcopy\":false,"
		       "\"dif_insert_or_strip\":false,\"no_wr_batching\":false,"
		       "\"disable_mappable_bar0\":false,\"disable_adaptive_irq\":false,"
		       "\"disable_shadow_doorbells\":false,\"disable_command_passthru\":false,"
		       "\"max_queue_depth\":64}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_transport", "{\"trtype\":\"tcp\"}"), -EEXIST,
		  "already exists");
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_transports", NULL));
	assert_int_equal(v->u.arr.count, 1);
	assert_int_equal(json_get_uint64(json_obj_get(json_arr_at(v, 0), "max_queue_depth"), &u),
			 0);
	assert_int_equal(u, 64);
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_get_transports", "{\"trtype\":\"RDMA\"}"), -ENOENT,
		  "not created");
}

static void test_subsystems(void **state)
{
	const struct json_value *v, *ss;
	unsigned n = 0;
	const char *s;
	bool b = true;

	(void)state;
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_subsystem", "{\"nqn\":\"bogus\"}"),
		  RPC_ERR_INVALID_PARAMS, "not a valid NQN");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_subsystem",
			     "{\"nqn\":\"" NQN "\",\"serial_number\":\"123456789012345678901\"}"),
		  RPC_ERR_INVALID_PARAMS, "serial_number");
	nvmf_subsystem_foreach(g_tgt, count_ss, &n);
	assert_int_equal(n, 0); /* the refused one is gone */
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN "\",\"min_cntlid\":1}"),
	    RPC_ERR_INVALID_PARAMS, "min_cntlid: not supported");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_create_subsystem",
			    "{\"nqn\":\"" NQN
			    "\",\"serial_number\":\"SN1\",\"model_number\":\"M1\","
			    "\"ana_reporting\":false,\"max_namespaces\":8}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN "\"}"), -EEXIST,
		  NQN);
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_subsystems", "{\"nqn\":\"" NQN "\"}"));
	ss = json_arr_at(v, 0);
	assert_int_equal(json_get_str(json_obj_get(ss, "serial_number"), &s), 0);
	assert_string_equal(s, "SN1");
	assert_int_equal(json_get_bool(json_obj_get(ss, "allow_any_host"), &b), 0);
	assert_false(b);
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_allow_any_host",
			    "{\"nqn\":\"" NQN "\",\"allow_any_host\":true}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_allow_any_host", "{\"nqn\":\"" NQN "\"}"),
		  RPC_ERR_INVALID_PARAMS, "allow_any_host: required");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_add_host",
			    "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host",
			     "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\"}"),
		  -EEXIST, "already allowed");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host",
			     "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\",\"psk\":\"k\"}"),
		  RPC_ERR_INVALID_PARAMS, "psk: not a PSK interchange string");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_host",
			     "{\"nqn\":\"" NQN "\",\"host\":\"" HOST
			     "\",\"psk\":\"/nonexistent/k\"}"),
		  RPC_ERR_INVALID_PARAMS, "psk: cannot read key file /nonexistent/k");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host",
			     "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\",\"psk\":\"k\"}"),
		  RPC_ERR_INVALID_PARAMS, "psk");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_host", "{\"nqn\":\"" NQN "\",\"host\":\"x\"}"),
	    RPC_ERR_INVALID_PARAMS, "not a valid NQN");
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_subsystems", NULL));
	assert_int_equal(json_obj_get(json_arr_at(v, 0), "hosts")->u.arr.count, 1);
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host",
			    "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_remove_host",
			     "{\"nqn\":\"" NQN "\",\"host\":\"" HOST "\"}"),
		  -ENOENT, "not on the list");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_delete_subsystem", "{\"nqn\":\"" NVMF_DISCOVERY_NQN "\"}"),
	    -EPERM, "discovery");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_delete_subsystem", "{\"nqn\":\"" NQN "\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_delete_subsystem", "{\"nqn\":\"" NQN "\"}"), -ENOENT,
		  "not found");
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_subsystems", NULL));
	assert_int_equal(v->u.arr.count, 0);
}

static void test_namespaces(void **state)
{
	const struct json_value *v;
	uint64_t nsid = 0;
	const char *s;

	(void)state;
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_create_subsystem",
			    "{\"nqn\":\"" NQN "\",\"max_namespaces\":4}"));
	rpc_t_ok(rpc_t_call(g_tgt, "bdev_malloc_create", "{\"num_blocks\":64,\"block_size\":512}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns", "{\"nqn\":\"" NQN "\"}"),
		  RPC_ERR_INVALID_PARAMS, "namespace: required");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns", NS("{}")), RPC_ERR_INVALID_PARAMS,
		  "namespace.bdev_name: required");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns", NS("{\"bdev_name\":\"nope\"}")),
		  -ENOENT, "bdev nope: not found");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns",
			     NS("{\"bdev_name\":\"Malloc0\",\"nsid\":5}")),
		  RPC_ERR_INVALID_PARAMS, "above max_namespaces");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns",
			     NS("{\"bdev_name\":\"Malloc0\",\"uuid\":\"zz\"}")),
		  RPC_ERR_INVALID_PARAMS, "namespace.uuid");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_ns",
			     NS("{\"bdev_name\":\"Malloc0\",\"anagrpid\":33}")),
		  RPC_ERR_INVALID_PARAMS, "namespace.anagrpid: 33 is over 32");
	v = rpc_t_ok(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_ns",
		       NS("{\"bdev_name\":\"Malloc0\",\"nsid\":3,\"uuid\":"
			  "\"0123abcd-0000-4000-8000-00000000beef\",\"no_auto_visible\":false}")));
	assert_int_equal(json_get_uint64(v, &nsid), 0);
	assert_int_equal(nsid, 3);
	v = rpc_t_ok(rpc_t_call(g_tgt, "nvmf_get_subsystems", NULL));
	v = json_arr_at(json_obj_get(json_arr_at(v, 0), "namespaces"), 0);
	assert_int_equal(json_get_str(json_obj_get(v, "uuid"), &s), 0);
	assert_string_equal(s, "0123abcd-0000-4000-8000-00000000beef");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_malloc_delete", "{\"name\":\"Malloc0\"}"), -EBUSY,
		  "remove the namespace first");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_remove_ns", "{\"nqn\":\"" NQN "\",\"nsid\":1}"),
		  -ENOENT, "no namespace 1");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_ns", "{\"nqn\":\"" NQN "\",\"nsid\":3}"));
	rpc_t_ok(rpc_t_call(g_tgt, "bdev_malloc_delete", "{\"name\":\"Malloc0\"}"));
	assert_null(nvmf_backend_find(g_tgt, "Malloc0"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_remove_ns",
			     "{\"nqn\":\"nqn.2016-06.io.x:y\",\"nsid\":1}"),
		  -ENOENT, "subsystem nqn.2016-06.io.x:y: not found");
}

static void test_listeners(void **state)
{
	(void)state;
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_create_subsystem", "{\"nqn\":\"" NQN "\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_create_transport", "{\"trtype\":\"TCP\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_listener", LA("{\"trtype\":\"tcp\"}")),
		  RPC_ERR_INVALID_PARAMS, "listen_address.traddr: required");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_listener",
		       LA("{\"trtype\":\"tcp\",\"traddr\":\"127.0.0.1\",\"trsvcid\":\"99999\"}")),
	    RPC_ERR_INVALID_PARAMS, "trsvcid a port");
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_listener",
			     LA("{\"trtype\":\"tcp\",\"traddr\":\"::1\",\"trsvcid\":\"4420\","
				"\"adrfam\":\"ipv4\"}")),
		  RPC_ERR_INVALID_PARAMS, "adrfam");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_listener",
		       LA("{\"trtype\":\"rdma\",\"traddr\":\"127.0.0.1\",\"trsvcid\":\"4420\"}")),
	    -ENOTSUP, "nvmf_create_transport");
	rpc_t_err(
	    rpc_t_call(g_tgt, "nvmf_subsystem_add_listener",
		       "{\"nqn\":\"" NQN "\",\"secure_channel\":true,\"listen_address\":"
		       "{\"trtype\":\"rdma\",\"traddr\":\"127.0.0.1\",\"trsvcid\":\"4420\"}}"),
	    RPC_ERR_INVALID_PARAMS, "secure_channel: TLS is for TCP listeners only");
	rpc_t_ok(rpc_t_call(
	    g_tgt, "nvmf_subsystem_add_listener",
	    "{\"nqn\":\"" NQN "\",\"secure_channel\":false,\"listen_address\":"
	    "{\"trtype\":\"tcp\",\"traddr\":\"::1\",\"trsvcid\":\"4420\",\"adrfam\":\"IPv6\"}}"));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_add_listener",
			     LA("{\"trtype\":\"TCP\",\"traddr\":\"::1\",\"trsvcid\":\"4420\"}")),
		  -EEXIST, "already listens");
	rpc_t_ok(rpc_t_call(g_tgt, "nvmf_subsystem_remove_listener",
			    LA("{\"trtype\":\"tcp\",\"traddr\":\"::1\",\"trsvcid\":\"4420\"}")));
	rpc_t_err(rpc_t_call(g_tgt, "nvmf_subsystem_remove_listener",
			     LA("{\"trtype\":\"tcp\",\"traddr\":\"::1\",\"trsvcid\":\"4420\"}")),
		  -ENOENT, "does not listen");
}

static void test_bdevs(void **state)
{
	const struct json_value *v;
	char path[] = "/tmp/rpc_test_aio.XXXXXX";
	char req[256];
	const char *s;
	int fd;

	(void)state;
	rpc_t_err(rpc_t_call(g_tgt, "bdev_null_create", "{\"num_blocks\":8,\"block_size\":512}"),
		  RPC_ERR_INVALID_PARAMS, "name: required");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_null_create",
			     "{\"name\":\"n\",\"num_blocks\":0,\"block_size\":512}"),
		  RPC_ERR_INVALID_PARAMS, "num_blocks");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_malloc_create",
			     "{\"name\":\"m\",\"num_blocks\":8,\"block_size\":512,\"md_size\":8}"),
		  RPC_ERR_INVALID_PARAMS, "md_size: not supported");
	v = rpc_t_ok(rpc_t_call(g_tgt, "bdev_null_create",
				"{\"name\":\"Null0\",\"num_blocks\":16,\"block_size\":4096,\"dif_"
				"is_head_of_md\":false}"));
	assert_int_equal(json_get_str(v, &s), 0);
	assert_string_equal(s, "Null0");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_null_create",
			     "{\"name\":\"Null0\",\"num_blocks\":16,\"block_size\":512}"),
		  -EEXIST, "already exists");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_malloc_delete", "{\"name\":\"Null0\"}"),
		  RPC_ERR_INVALID_PARAMS, "not Malloc disk");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	snprintf(req, sizeof(req),
		 "{\"filename\":\"%s\",\"name\":\"aio0\",\"readonly\":false,\"fallocate\":false}",
		 path);
	rpc_t_ok(rpc_t_call(g_tgt, "bdev_aio_create", req));
	v = rpc_t_ok(rpc_t_call(g_tgt, "bdev_get_bdevs", "{\"name\":\"aio0\"}"));
	assert_int_equal(v->u.arr.count, 1);
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "product_name"), &s), 0);
	assert_string_equal(s, "AIO disk");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_get_bdevs", "{\"name\":\"zz\"}"), -ENODEV, "not found");
	rpc_t_ok(rpc_t_call(g_tgt, "bdev_aio_delete", "{\"name\":\"aio0\"}"));
	rpc_t_ok(rpc_t_call(g_tgt, "bdev_null_delete", "{\"name\":\"Null0\"}"));
	rpc_t_err(rpc_t_call(g_tgt, "bdev_null_delete", "{\"name\":\"Null0\"}"), -ENODEV,
		  "not found");
	v = rpc_t_ok(rpc_t_call(g_tgt, "bdev_get_bdevs", NULL));
	assert_int_equal(v->u.arr.count, 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_misc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_subsystems, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listeners, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bdevs, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	json_free(g_resp);
	return rc;
}
