/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rpc/methods_stats.c: nvmf_get_stats,
 * nvmf_subsystem_get_controllers and nvmf_subsystem_get_qpairs on a
 * target core started on the fake env, with one controller connected
 * through the core's test transport and I/O done on it.
 */
#include "tests/unit/nvmf/fixture.h"
#include "tests/unit/rpc/rpc_test_util.h"

#define SS_PARAMS "{\"nqn\":\"" FX_SSNQN "\"}"

static uint64_t u64_of(const struct json_value *obj, const char *key)
{
	uint64_t v = UINT64_MAX;

	assert_int_equal(json_get_uint64(json_obj_get(obj, key), &v), 0);
	return v;
}

static const char *str_of(const struct json_value *obj, const char *key)
{
	const char *s = NULL;

	assert_int_equal(json_get_str(json_obj_get(obj, key), &s), 0);
	return s;
}

static void test_params(void **state)
{
	struct fx fx;
	const struct json_value *v;

	(void)state;
	fx_init(&fx);
	rpc_t_err(rpc_t_call(fx.tgt, "nvmf_get_stats", "{\"tgt_name\":\"x\"}"),
		  RPC_ERR_INVALID_PARAMS, "tgt_name");
	rpc_t_err(rpc_t_call(fx.tgt, "nvmf_get_stats", "{\"nqn\":\"x\"}"), RPC_ERR_INVALID_PARAMS,
		  "unknown parameter 'nqn'");
	/* Before start there are no poll groups. */
	v = rpc_t_ok(rpc_t_call(fx.tgt, "nvmf_get_stats", NULL));
	assert_int_equal(json_obj_get(v, "poll_groups")->u.arr.count, 0);
	for (int i = 0; i < 2; i++) {
		const char *m = i ? "nvmf_subsystem_get_qpairs" : "nvmf_subsystem_get_controllers";

		rpc_t_err(rpc_t_call(fx.tgt, m, NULL), RPC_ERR_INVALID_PARAMS, "nqn: required");
		rpc_t_err(rpc_t_call(fx.tgt, m, "{\"nqn\":1}"), RPC_ERR_INVALID_PARAMS, "nqn");
		rpc_t_err(rpc_t_call(fx.tgt, m, "{\"nqn\":\"nqn.2016-06.io.x:none\"}"), -ENOENT,
			  "nqn.2016-06.io.x:none");
		rpc_t_err(rpc_t_call(fx.tgt, m, "{\"nqn\":\"" NVMF_DISCOVERY_NQN "\"}"), -EPERM,
			  "discovery");
		rpc_t_err(rpc_t_call(fx.tgt, m, "{\"nqn\":\"" FX_SSNQN "\",\"tgt_name\":\"t\"}"),
			  RPC_ERR_INVALID_PARAMS, "tgt_name");
		v = rpc_t_ok(rpc_t_call(fx.tgt, m, SS_PARAMS));
		assert_int_equal(v->type, JSON_ARRAY);
		assert_int_equal(v->u.arr.count, 0);
	}
	fx_fini(&fx);
}

/* Sum @key over the poll groups @pgs. */
static uint64_t pg_sum(const struct json_value *pgs, const char *key)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < pgs->u.arr.count; i++)
		sum += u64_of(json_arr_at(pgs, i), key);
	return sum;
}

static void check_stats(struct fx *fx)
{
	const struct json_value *v = rpc_t_ok(rpc_t_call(fx->tgt, "nvmf_get_stats", "{}"));
	const struct json_value *pgs = json_obj_get(v, "poll_groups");
	uint64_t trq = 0;

	assert_int_equal(pgs->u.arr.count, fx->tgt->ngroups);
	for (size_t i = 0; i < pgs->u.arr.count; i++) {
		const struct json_value *pg = json_arr_at(pgs, i), *tr;
		char name[48];

		snprintf(name, sizeof(name), "nvmf_tgt_poll_group_%03u", (unsigned)i);
		assert_string_equal(str_of(pg, "name"), name);
		tr = json_obj_get(pg, "transports");
		assert_int_equal(tr->u.arr.count, 1);
		assert_non_null(json_obj_get(json_arr_at(tr, 0), "trtype"));
		trq += u64_of(json_arr_at(tr, 0), "current_qpairs");
	}
	assert_int_equal(pg_sum(pgs, "admin_qpairs"), 1);
	assert_int_equal(pg_sum(pgs, "io_qpairs"), 1);
	assert_int_equal(pg_sum(pgs, "current_admin_qpairs"), 1);
	assert_int_equal(pg_sum(pgs, "current_io_qpairs"), 1);
	assert_int_equal(trq, 2);
	assert_int_equal(pg_sum(pgs, "completed_nvme_io"), 3);
	assert_int_equal(pg_sum(pgs, "num_read_ops"), 1);
	assert_int_equal(pg_sum(pgs, "bytes_read"), 2 * FX_BS);
	assert_int_equal(pg_sum(pgs, "num_write_ops"), 2);
	assert_int_equal(pg_sum(pgs, "bytes_written"), 3 * FX_BS);
}

static void check_ctrlrs(struct fx *fx, uint16_t cntlid)
{
	const struct json_value *v =
	    rpc_t_ok(rpc_t_call(fx->tgt, "nvmf_subsystem_get_controllers", SS_PARAMS));
	const struct json_value *c;

	assert_int_equal(v->u.arr.count, 1);
	c = json_arr_at(v, 0);
	assert_int_equal(u64_of(c, "cntlid"), cntlid);
	assert_string_equal(str_of(c, "hostnqn"), FX_HOSTNQN);
	assert_string_equal(str_of(c, "hostid"), "abababab-abab-abab-abab-abababababab");
	assert_int_equal(u64_of(c, "num_io_qpairs"), 1);
	assert_string_equal(str_of(c, "state"), "active");
	assert_int_equal(u64_of(c, "num_read_ops"), 1);
	assert_int_equal(u64_of(c, "bytes_written"), 3 * FX_BS);
}

static void check_qpairs(struct fx *fx, uint16_t cntlid)
{
	const struct json_value *v =
	    rpc_t_ok(rpc_t_call(fx->tgt, "nvmf_subsystem_get_qpairs", SS_PARAMS));

	assert_int_equal(v->u.arr.count, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct json_value *q = json_arr_at(v, i);
		const struct json_value *la = json_obj_get(q, "listen_address");
		const struct json_value *pa = json_obj_get(q, "peer_address");

		assert_int_equal(u64_of(q, "cntlid"), cntlid);
		assert_int_equal(u64_of(q, "qid"), i);
		assert_string_equal(str_of(q, "state"), "active");
		assert_string_equal(str_of(la, "traddr"), "127.0.0.1");
		assert_string_equal(str_of(la, "trsvcid"), "4420");
		assert_string_equal(str_of(la, "adrfam"), "IPv4");
		assert_string_equal(str_of(pa, "trsvcid"), "50000");
	}
}

static void test_connected(void **state)
{
	uint8_t buf[3 * FX_BS];
	struct fx_qp *admin, *io;
	struct fx fx;
	uint16_t cntlid;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	cntlid = fx_admin_up(&fx, &admin, FX_SSNQN);
	io = fx_io_up(&fx, cntlid, 1);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 0, 1, buf, FX_BS), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 1, 2, buf, 2 * FX_BS), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 1, 0, 2, buf, 2 * FX_BS), 0);
	check_stats(&fx);
	check_ctrlrs(&fx, cntlid);
	check_qpairs(&fx, cntlid);
	fx_fini(&fx);
	json_free(g_resp);
	g_resp = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_connected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
