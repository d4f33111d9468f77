/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the JSON-RPC envelope (rpc/dispatch.c), parameter decoding
 * (rpc/params.c) and stream framing (rpc/frame.c).
 */
#include <errno.h>

#include "tests/unit/rpc/rpc_test_util.h"

static void test_parse_error(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt();

	(void)state;
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",}"), RPC_ERR_PARSE, "Parse error");
	assert_int_equal(json_obj_get(g_resp, "id")->type, JSON_NULL);
	rpc_t_err(rpc_t_raw(tgt, "{\"a\":1} x"), RPC_ERR_PARSE, "Parse error");
	nvmf_tgt_destroy(tgt);
}

static void test_invalid_request(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt();
	int64_t id = 0;

	(void)state;
	rpc_t_err(rpc_t_raw(tgt, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}]"),
		  RPC_ERR_INVALID_REQUEST, "batch");
	rpc_t_err(rpc_t_raw(tgt, "{\"id\":5,\"method\":\"spdk_get_version\"}"),
		  RPC_ERR_INVALID_REQUEST, "jsonrpc");
	assert_int_equal(json_get_int64(json_obj_get(g_resp, "id"), &id), 0);
	assert_int_equal(id, 5);
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"x\"}"),
		  RPC_ERR_INVALID_REQUEST, "jsonrpc");
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",\"id\":1}"), RPC_ERR_INVALID_REQUEST,
		  "method: required");
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"),
		  RPC_ERR_INVALID_REQUEST, "method");
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}"),
		  RPC_ERR_INVALID_REQUEST, "id:");
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"extra\":1}"),
		  RPC_ERR_INVALID_REQUEST, "extra");
	rpc_t_err(rpc_t_raw(tgt, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}"),
		  RPC_ERR_INVALID_REQUEST, "params");
	rpc_t_err(rpc_t_call(tgt, "spdk_get_version", "[1]"), RPC_ERR_INVALID_PARAMS,
		  "by-position");
	nvmf_tgt_destroy(tgt);
}

static void test_unknown_method_and_ids(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt();
	const char *s = NULL;

	(void)state;
	rpc_t_err(rpc_t_call(tgt, "bdev_lvol_create", "{}"), RPC_ERR_METHOD_NOT_FOUND,
		  "unknown method 'bdev_lvol_create'");
	/* String ids come back as they were. */
	rpc_t_ok(rpc_t_raw(
	    tgt, "{\"jsonrpc\":\"2.0\",\"id\":\"ab\\u0063\",\"method\":\"spdk_get_version\"}"));
	assert_int_equal(json_get_str(json_obj_get(g_resp, "id"), &s), 0);
	assert_string_equal(s, "abc");
	/* A notification runs and gets no response. */
	assert_null(rpc_t_raw(tgt,
			      "{\"jsonrpc\":\"2.0\",\"method\":\"bdev_null_create\","
			      "\"params\":{\"name\":\"n0\",\"num_blocks\":8,\"block_size\":512}}"));
	assert_non_null(nvmf_backend_find(tgt, "n0"));
	nvmf_tgt_destroy(tgt);
}

static void test_params_errors_name_the_parameter(void **state)
{
	struct nvmf_tgt *tgt = rpc_t_tgt();

	(void)state;
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_subsystem", "{}"), RPC_ERR_INVALID_PARAMS,
		  "nqn: required");
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_subsystem", NULL), RPC_ERR_INVALID_PARAMS,
		  "nqn: required");
	rpc_t_err(
	    rpc_t_call(tgt, "nvmf_create_subsystem", "{\"nqn\":\"nqn.2016-06.io.a:b\",\"foo\":1}"),
	    RPC_ERR_INVALID_PARAMS, "unknown parameter 'foo'");
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_subsystem", "{\"nqn\":5}"), RPC_ERR_INVALID_PARAMS,
		  "nqn: expected a non-empty string");
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_subsystem", "{\"nqn\":\"\"}"),
		  RPC_ERR_INVALID_PARAMS, "nqn: expected");
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_subsystem",
			     "{\"nqn\":\"nqn.2016-06.io.a:b\",\"allow_any_host\":1}"),
		  RPC_ERR_INVALID_PARAMS, "allow_any_host: expected true or false");
	rpc_t_err(rpc_t_call(tgt, "nvmf_subsystem_remove_ns",
			     "{\"nqn\":\"nqn.2016-06.io.a:b\",\"nsid\":-1}"),
		  RPC_ERR_INVALID_PARAMS, "nsid: expected an integer");
	rpc_t_err(rpc_t_call(tgt, "nvmf_subsystem_remove_ns",
			     "{\"nqn\":\"nqn.2016-06.io.a:b\",\"nsid\":4294967296}"),
		  RPC_ERR_INVALID_PARAMS, "nsid: expected an integer from 0 to 4294967295");
	rpc_t_err(rpc_t_call(tgt, "nvmf_subsystem_remove_ns",
			     "{\"nqn\":\"nqn.2016-06.io.a:b\",\"nsid\":1.5}"),
		  RPC_ERR_INVALID_PARAMS, "nsid: expected");
	/* Supported only with what we do; refused whatever the value. */
	rpc_t_err(rpc_t_call(tgt, "nvmf_create_transport", "{\"trtype\":\"TCP\",\"zcopy\":true}"),
		  RPC_ERR_INVALID_PARAMS, "zcopy: true is not supported");
	rpc_t_err(
	    rpc_t_call(tgt, "nvmf_create_transport", "{\"trtype\":\"TCP\",\"sock_priority\":0}"),
	    RPC_ERR_INVALID_PARAMS, "sock_priority: not supported");
	rpc_t_err(rpc_t_call(tgt, "nvmf_get_subsystems", "{\"tgt_name\":\"t\"}"),
		  RPC_ERR_INVALID_PARAMS, "tgt_name: not supported");
	nvmf_tgt_destroy(tgt);
}

static void test_frame(void **state)
{
	const char *s = "  {\"a\":\"}\\\"{\",\"b\":[1,{}]} \n[2]{";
	struct rpc_frame f;
	size_t start, end;

	(void)state;
	rpc_frame_reset(&f);
	/* Byte by byte: nothing until the object closes. */
	for (size_t n = 0; n < 25; n++)
		assert_int_equal(rpc_frame_next(&f, s, n, &start, &end), 0);
	assert_int_equal(rpc_frame_next(&f, s, strlen(s), &start, &end), 1);
	assert_int_equal(start, 2);
	assert_int_equal(end, 25);
	rpc_frame_reset(&f);
	assert_int_equal(rpc_frame_next(&f, s + end, strlen(s + end), &start, &end), 1);
	assert_int_equal(end - start, 3);
	rpc_frame_reset(&f);
	assert_int_equal(rpc_frame_next(&f, "{", 1, &start, &end), 0);
	rpc_frame_reset(&f);
	assert_int_equal(rpc_frame_next(&f, " 12", 3, &start, &end), -EINVAL);
	rpc_frame_reset(&f);
	assert_int_equal(rpc_frame_next(&f, "\"x\"", 3, &start, &end), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_error),
	    cmocka_unit_test(test_invalid_request),
	    cmocka_unit_test(test_unknown_method_and_ids),
	    cmocka_unit_test(test_params_errors_name_the_parameter),
	    cmocka_unit_test(test_frame),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	json_free(g_resp);
	return rc;
}
