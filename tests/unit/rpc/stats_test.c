/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rpc/methods_stats.c and nvmf/stats.c: nvmf_get_stats
 * (answered later, from the poll groups' messages),
 * nvmf_subsystem_get_controllers and nvmf_subsystem_get_qpairs on a
 * target core started on the fake env, with one controller connected
 * through the core's test transport and I/O done on it; the table-driven
 * field writer; a call whose client left.
 */
#include "tests/unit/nvmf/fixture.h"
#include "rpc/rpc_internal.h"
#include "tests/unit/rpc/rpc_test_util.h"
#include "util_histogram.h"

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

/* The sum of the counts of a latency_ticks array; each bucket checked. */
static uint64_t lat_count(const struct json_value *lat)
{
	uint64_t n = 0, prev_high = 0;

	assert_int_equal(lat->type, JSON_ARRAY);
	for (size_t i = 0; i < lat->u.arr.count; i++) {
		const struct json_value *b = json_arr_at(lat, i);
		uint64_t lo, hi, cnt;

		assert_int_equal(b->u.arr.count, 3);
		assert_int_equal(json_get_uint64(json_arr_at(b, 0), &lo), 0);
		assert_int_equal(json_get_uint64(json_arr_at(b, 1), &hi), 0);
		assert_int_equal(json_get_uint64(json_arr_at(b, 2), &cnt), 0);
		assert_true(lo <= hi && cnt > 0);
		assert_true(i == 0 || lo > prev_high); /* ascending, no overlap */
		assert_int_equal(histogram_bucket(lo), histogram_bucket(hi));
		prev_high = hi;
		n += cnt;
	}
	return n;
}

/* Namespace 1 shows on the group that did the I/O, with the same counts. */
static void check_ns(const struct json_value *pgs)
{
	size_t found = 0;

	for (size_t i = 0; i < pgs->u.arr.count; i++) {
		const struct json_value *pg = json_arr_at(pgs, i);
		const struct json_value *nss = json_obj_get(pg, "namespaces");

		assert_non_null(nss);
		if (nss->u.arr.count == 0) {
			assert_int_equal(u64_of(pg, "num_read_ops") + u64_of(pg, "num_write_ops"),
					 0);
			continue;
		}
		assert_int_equal(nss->u.arr.count, 1);
		const struct json_value *ns = json_arr_at(nss, 0);
		assert_string_equal(str_of(ns, "nqn"), FX_SSNQN);
		assert_int_equal(u64_of(ns, "nsid"), 1);
		assert_int_equal(u64_of(ns, "num_read_ops"), u64_of(pg, "num_read_ops"));
		assert_int_equal(u64_of(ns, "bytes_read"), 2 * FX_BS);
		assert_int_equal(u64_of(ns, "num_write_ops"), 2);
		assert_int_equal(u64_of(ns, "bytes_written"), 3 * FX_BS);
		assert_int_equal(lat_count(json_obj_get(ns, "latency_ticks")), 3);
		found++;
	}
	assert_int_equal(found, 1);
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
	assert_true(u64_of(v, "tick_rate") > 0);
	check_ns(pgs);
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
	assert_int_equal(c->u.obj.count, 5);
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

/* Start @fx with a controller and one I/O queue (@*cntlid); @return the queue. */
static struct fx_qp *connect_one(struct fx *fx, uint16_t *cntlid)
{
	struct fx_qp *admin;

	fx_init(fx);
	fx_start(fx);
	*cntlid = fx_admin_up(fx, &admin, FX_SSNQN);
	return fx_io_up(fx, *cntlid, 1);
}

/* Tear @fx down and drop the last response. */
static void finish(struct fx *fx)
{
	fx_fini(fx);
	json_free(g_resp);
	g_resp = NULL;
}

static void test_connected(void **state)
{
	uint8_t buf[3 * FX_BS];
	struct fx fx;
	uint16_t cntlid;
	struct fx_qp *io;

	(void)state;
	io = connect_one(&fx, &cntlid);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 0, 1, buf, FX_BS), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 1, 2, buf, 2 * FX_BS), 0);
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_READ, 1, 0, 2, buf, 2 * FX_BS), 0);
	check_stats(&fx);
	check_ctrlrs(&fx, cntlid);
	check_qpairs(&fx, cntlid);
	finish(&fx);
}

/* A namespace removed: no longer listed, and its stats freed on each group. */
static void test_ns_gone(void **state)
{
	uint8_t buf[FX_BS] = {0};
	const struct json_value *v, *pgs;
	struct fx fx;
	uint16_t cntlid;
	struct fx_qp *io = connect_one(&fx, &cntlid);

	(void)state;
	assert_int_equal(fx_rw(&fx, io, NVME_OPC_WRITE, 1, 0, 1, buf, FX_BS), 0);
	assert_int_equal(nvmf_subsystem_remove_ns(fx.ss, 1), 0);
	v = rpc_t_ok(rpc_t_call(fx.tgt, "nvmf_get_stats", NULL));
	pgs = json_obj_get(v, "poll_groups");
	for (size_t i = 0; i < pgs->u.arr.count; i++) {
		assert_int_equal(json_obj_get(json_arr_at(pgs, i), "namespaces")->u.arr.count, 0);
		assert_true(LIST_EMPTY(&fx.tgt->groups[i]->stats.ns));
	}
	assert_int_equal(pg_sum(pgs, "num_write_ops"), 1); /* the group's own count stays */
	finish(&fx);
}

static void never_called(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	(void)len;
	fail_msg("a cancelled call answered");
}

/* The client of a call left: the answer is dropped, nothing leaks (ASan). */
static void test_cancel(void **state)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"nvmf_get_stats\"}";
	const struct rpc_later later = {.fn = never_called};
	struct rpc_call *call = NULL;
	struct json_writer w;
	struct fx fx;

	(void)state;
	fx_init(&fx);
	/* A caller that cannot wait is told so. */
	rpc_t_err(rpc_t_raw_sync(fx.tgt, req), RPC_ERR_INTERNAL, "cannot wait");
	fx_start(&fx);
	json_writer_init(&w, 0);
	assert_int_equal(rpc_handle_later(fx.tgt, req, sizeof(req) - 1, &w, &later, &call),
			 RPC_HANDLE_LATER);
	json_writer_fini(&w);
	rpc_call_cancel(call);
	/* Groups answer in order: once a second call is answered, the first was too. */
	rpc_t_ok(rpc_t_call(fx.tgt, "nvmf_get_stats", NULL));
	finish(&fx);
}

struct fields_obj {
	uint64_t a;
	uint32_t b;
	uint16_t c;
	const char *s, *none;
	uint8_t uuid[16];
	const struct nvmf_listen_addr *addr;
};

/* Designated initializers: what RPC_FIELD() expands to, written out. */
#define FLD(n, k, m)                                                                               \
	{                                                                                          \
		.name = n, .kind = k, .off = offsetof(struct fields_obj, m)                        \
	}
static const struct rpc_field g_fields[] = {
    FLD("a", RPC_F_U64, a),         FLD("b", RPC_F_U32, b),        FLD("c", RPC_F_U16, c),
    FLD("s", RPC_F_STRP, s),        FLD("none", RPC_F_STRP, none), FLD("uuid", RPC_F_UUID, uuid),
    FLD("addr", RPC_F_ADDRP, addr),
};

/* Every kind of the field table, written and read back. */
static void test_fields(void **state)
{
	struct nvmf_listen_addr addr = {.trtype = NVMF_TRTYPE_RDMA, .adrfam = NVMF_ADRFAM_IPV6};
	struct fields_obj o = {.a = UINT64_MAX, .b = 4000000000u, .c = 65535, .s = "x\"y"};
	struct json_value *v = NULL;
	struct json_writer w;
	const char *text;
	size_t len;

	(void)state;
	snprintf(addr.traddr, sizeof(addr.traddr), "fe80::1");
	snprintf(addr.trsvcid, sizeof(addr.trsvcid), "4420");
	o.addr = &addr;
	for (int i = 0; i < 16; i++)
		o.uuid[i] = (uint8_t)(0x10 + i);
	json_writer_init(&w, 0);
	json_obj_begin(&w);
	rpc_write_fields(&w, &o, g_fields, sizeof(g_fields) / sizeof(g_fields[0]));
	json_obj_end(&w);
	text = json_writer_finish(&w, &len);
	assert_non_null(text);
	assert_int_equal(json_parse(text, len, NULL, &v, NULL), 0);
	assert_int_equal(v->u.obj.count, 7);
	assert_int_equal(u64_of(v, "a"), UINT64_MAX);
	assert_int_equal(u64_of(v, "b"), 4000000000u);
	assert_int_equal(u64_of(v, "c"), 65535);
	assert_string_equal(str_of(v, "s"), "x\"y");
	assert_int_equal(json_obj_get(v, "none")->type, JSON_NULL);
	assert_string_equal(str_of(v, "uuid"), "10111213-1415-1617-1819-1a1b1c1d1e1f");
	assert_string_equal(str_of(json_obj_get(v, "addr"), "trtype"), "RDMA");
	assert_string_equal(str_of(json_obj_get(v, "addr"), "adrfam"), "IPv6");
	assert_string_equal(str_of(json_obj_get(v, "addr"), "traddr"), "fe80::1");
	assert_string_equal(str_of(json_obj_get(v, "addr"), "trsvcid"), "4420");
	json_free(v);
	json_writer_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),  cmocka_unit_test(test_connected),
	    cmocka_unit_test(test_ns_gone), cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
