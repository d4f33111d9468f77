/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bdev_nvme_attach_controller / bdev_nvme_detach_controller
 * (rpc/methods_nvme.c): parameter checks, and detaching a controller
 * whose backends a test registers itself (the fake env has no PCI bus).
 */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/rpc/rpc_test_util.h"
#include "nvmf/nvmf_internal.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:t1"
#define ATTACH(extra)                                                                              \
	"{\"name\":\"Nvme1\",\"trtype\":\"PCIe\",\"traddr\":\"0000:00:05.0\"" extra "}"

static struct nvmf_tgt *g_tgt; /* the test's state, for the stand-in backends */

/* ------------------------------------------- a stand-in "nvme" backend */

static int t_ch_create(struct nvmf_backend *b, struct nvmf_bchannel **ch)
{
	return nvmf_bchannel_plain_create(b, ch);
}

static int t_submit(struct nvmf_bchannel *ch, struct nvmf_bio *bio)
{
	(void)ch;
	(void)bio;
	return -EIO;
}

static void t_destroy(struct nvmf_backend *b)
{
	free(b);
}

static const struct nvmf_backend_ops t_nvme_ops = {
    .type = "nvme",
    .channel_create = t_ch_create,
    .channel_destroy = nvmf_bchannel_plain_destroy,
    .submit = t_submit,
    .destroy = t_destroy,
};

/* Backend <prefix>n<nsid> of "controller" @prefix at PCI @addr. */
static void t_nvme_add(const char *prefix, uint32_t nsid, const char *addr)
{
	struct nvmf_backend *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->ops = &t_nvme_ops;
	snprintf(b->name, sizeof(b->name), "%sn%u", prefix, nsid);
	b->size = 1 << 20;
	b->block_size = 512;
	b->path = addr;
	b->nsid = nsid;
	assert_int_equal(nvmf_tgt_backend_register(g_tgt, b), 0);
}

/* --------------------------------------------------------------- tests */

static void test_attach_params(void **state)
{
	g_tgt = *state;
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"traddr\":\"0000:00:05.0\"}"),
		  RPC_ERR_INVALID_PARAMS, "trtype: required");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"trtype\":\"PCIe\"}"),
		  RPC_ERR_INVALID_PARAMS, "traddr: required");
	/* What rpc.py sends for a remote controller: refused by trtype. */
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"trtype\":\"tcp\",\"traddr\":\"127.0.0.1\","
			     "\"adrfam\":\"ipv4\",\"trsvcid\":\"4420\",\"subnqn\":\"" NQN "\"}"),
		  RPC_ERR_INVALID_PARAMS, "adrfam: not supported");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"trtype\":\"RDMA\",\"traddr\":\"192.0.2.1\"}"),
		  RPC_ERR_INVALID_PARAMS, "trtype: 'RDMA' not supported: only PCIe");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller", ATTACH(",\"hostnqn\":\"x\"")),
		  RPC_ERR_INVALID_PARAMS, "hostnqn: not supported");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller", ATTACH(",\"ddgst\":true")),
		  RPC_ERR_INVALID_PARAMS, "ddgst");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller", ATTACH(",\"num_io_queues\":4")),
		  RPC_ERR_INVALID_PARAMS, "num_io_queues: not supported");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller", ATTACH(",\"bogus\":1")),
		  RPC_ERR_INVALID_PARAMS, "unknown parameter 'bogus'");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"a b\",\"trtype\":\"PCIe\",\"traddr\":\"0000:00:05.0\"}"),
		  RPC_ERR_INVALID_PARAMS, "name: 1 to 52");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"trtype\":\"pcie\",\"traddr\":\"05.0\"}"),
		  RPC_ERR_INVALID_PARAMS, "not a PCI address");
	/* Well formed, case-insensitive trtype, false digests accepted: no such device here. */
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Nvme1\",\"trtype\":\"pcie\",\"traddr\":\"00:05.0\","
			     "\"hdgst\":false,\"ddgst\":false,\"prchk_guard\":false}"),
		  -ENODEV, "traddr 0000:00:05.0: no NVMe controller");
	assert_null(nvmf_backend_find(g_tgt, "Nvme1n1"));
}

static void test_attach_taken(void **state)
{
	g_tgt = *state;
	t_nvme_add("Nvme0", 1, "0000:00:04.0");
	rpc_t_err(
	    rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
		       "{\"name\":\"Nvme0\",\"trtype\":\"PCIe\",\"traddr\":\"0000:00:06.0\"}"),
	    -EEXIST, "controller Nvme0: already exists (at 0000:00:04.0)");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
			     "{\"name\":\"Other\",\"trtype\":\"PCIe\",\"traddr\":\"00:04.0\"}"),
		  -EBUSY, "already attached (bdev Nvme0n1)");
}

static void test_detach(void **state)
{
	struct nvmf_subsystem *ss;
	const struct json_value *v;
	const char *s;

	g_tgt = *state;
	t_nvme_add("Nvme0", 1, "0000:00:04.0");
	t_nvme_add("Nvme0", 2, "0000:00:04.0");
	v = rpc_t_ok(rpc_t_call(g_tgt, "bdev_get_bdevs", "{\"name\":\"Nvme0n2\"}"));
	assert_int_equal(json_get_str(json_obj_get(json_arr_at(v, 0), "product_name"), &s), 0);
	assert_string_equal(s, "NVMe disk");
	v = rpc_t_ok(rpc_t_call(g_tgt, "save_config", NULL));
	assert_int_equal(json_get_str(json_obj_get(v, "text"), &s), 0);
	assert_non_null(strstr(s, "[Nvme]\n  Name Nvme0\n  TrAddr 0000:00:04.0\n  Namespaces 1,2"));
	t_nvme_add("Nvme0n1", 1, "0000:00:07.0"); /* another controller, a lookalike name */
	rpc_t_err(
	    rpc_t_call(g_tgt, "bdev_nvme_attach_controller",
		       "{\"name\":\"Nvme0n2\",\"trtype\":\"PCIe\",\"traddr\":\"0000:00:06.0\"}"),
	    -EEXIST, "bdev Nvme0n2 exists");

	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller", "{}"), RPC_ERR_INVALID_PARAMS,
		  "name: required");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller", "{\"name\":\"Nvme9\"}"), -ENODEV,
		  "controller Nvme9: not found");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller",
			     "{\"name\":\"Nvme0\",\"trtype\":\"TCP\"}"),
		  RPC_ERR_INVALID_PARAMS, "trtype: 'TCP' not supported");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller",
			     "{\"name\":\"Nvme0\",\"traddr\":\"0000:00:05.0\"}"),
		  -ENODEV, "is at 0000:00:04.0");
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller",
			     "{\"name\":\"Nvme0\",\"subnqn\":\"" NQN "\"}"),
		  RPC_ERR_INVALID_PARAMS, "subnqn: not supported");
	assert_int_equal(nvmf_subsystem_create(g_tgt, NQN, &ss), 0);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "Nvme0n2", NULL), 1);
	rpc_t_err(rpc_t_call(g_tgt, "bdev_nvme_detach_controller", "{\"name\":\"Nvme0\"}"), -EBUSY,
		  "bdev Nvme0n2 is a namespace of a subsystem");
	assert_non_null(nvmf_backend_find(g_tgt, "Nvme0n1"));
	assert_int_equal(nvmf_subsystem_remove_ns(ss, 1), 0);
	v = rpc_t_ok(rpc_t_call(g_tgt, "bdev_nvme_detach_controller",
				"{\"name\":\"Nvme0\",\"trtype\":\"pcie\",\"traddr\":\"00:04.0\"}"));
	assert_int_equal(v->type, JSON_BOOL);
	assert_true(v->u.boolean);
	assert_null(nvmf_backend_find(g_tgt, "Nvme0n1"));
	assert_null(nvmf_backend_find(g_tgt, "Nvme0n2"));
	assert_non_null(nvmf_backend_find(g_tgt, "Nvme0n1n1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_attach_params, rpc_t_setup, rpc_t_teardown),
	    cmocka_unit_test_setup_teardown(test_attach_taken, rpc_t_setup, rpc_t_teardown),
	    cmocka_unit_test_setup_teardown(test_detach, rpc_t_setup, rpc_t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
