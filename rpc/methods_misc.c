/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_misc.c - rpc_get_methods and spdk_get_version.
 */
#include "rpc/rpc_internal.h"

/* The version of this program, as spdk_get_version reports it. */
#define RPC_VERSION_MAJOR 0
#define RPC_VERSION_MINOR 1
#define RPC_VERSION_PATCH 0
#define RPC_VERSION_STRING "nvmf-tgt 0.1.0"

struct get_methods_params {
	bool current;
	bool include_aliases;
};

static void write_name(void *arg, const char *name)
{
	json_str(arg, name);
}

static void rpc_rpc_get_methods(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    /* Every method works once the target runs, which is always. */
	    RPC_PARAM("current", RPC_P_BOOL, false, struct get_methods_params, current),
	    RPC_FIXED("include_aliases", false, "there are no aliases"),
	};
	struct get_methods_params p = {0};
	struct json_writer *w;
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 2, &p, &given) != 0)
		return;
	w = rpc_result(r);
	json_arr_begin(w);
	rpc_foreach_method(write_name, w);
	json_arr_end(w);
}

static void rpc_spdk_get_version(struct rpc_req *r, const struct json_value *params)
{
	struct json_writer *w;
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, NULL, 0, NULL, &given) != 0)
		return;
	w = rpc_result(r);
	json_obj_begin(w);
	json_kv_str(w, "version", RPC_VERSION_STRING);
	json_key(w, "fields");
	json_obj_begin(w);
	json_kv_int(w, "major", RPC_VERSION_MAJOR);
	json_kv_int(w, "minor", RPC_VERSION_MINOR);
	json_kv_int(w, "patch", RPC_VERSION_PATCH);
	json_kv_str(w, "suffix", "");
	json_obj_end(w);
	json_obj_end(w);
}

const struct rpc_method rpc_methods_misc[] = {
    {"rpc_get_methods", rpc_rpc_get_methods},
    {"spdk_get_version", rpc_spdk_get_version},
    {NULL, NULL},
};
