/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_ana.c - multipath and discovery at run time:
 * nvmf_subsystem_listener_set_ana_state, nvmf_subsystem_get_listeners
 * (with each listener's ANA states), nvmf_discovery_add_referral,
 * nvmf_discovery_remove_referral, nvmf_discovery_get_referrals.
 */
#include <errno.h>
#include <string.h>

#include "nvme_spec.h"
#include "rpc/rpc_internal.h"

struct ana_params {
	const char *nqn;
	const struct json_value *addr;
	const char *ana_state;
	uint32_t anagrpid;
};

static void rpc_nvmf_subsystem_listener_set_ana_state(struct rpc_req *r,
						      const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct ana_params, nqn),
	    RPC_PARAM("listen_address", RPC_P_OBJ, true, struct ana_params, addr),
	    RPC_PARAM("ana_state", RPC_P_STR, true, struct ana_params, ana_state),
	    RPC_PARAM("anagrpid", RPC_P_U32, false, struct ana_params, anagrpid),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct ana_params p = {0};
	struct nvmf_listen_addr a;
	struct nvmf_subsystem *ss;
	uint64_t given;
	uint8_t st;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 5, &p, &given) != 0 ||
	    rpc_listen_addr_decode(r, p.addr, "listen_address", &a) != 0)
		return;
	if (nvmf_ana_state_parse(p.ana_state, &st) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "ana_state: '%.32s' is not optimized, non_optimized, inaccessible, "
			  "persistent_loss or change",
			  p.ana_state);
		return;
	}
	if (p.anagrpid > NVMF_ANA_GRP_MAX) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "anagrpid: %u is over %u (0 or absent: all)",
			  p.anagrpid, NVMF_ANA_GRP_MAX);
		return;
	}
	ss = rpc_ss_lookup(r, p.nqn);
	if (ss == NULL)
		return;
	rc = nvmf_subsystem_set_ana_state(ss, &a, p.anagrpid, st);
	if (rc == -ENOENT)
		rpc_error(r, rc, "%s: does not listen on %s:%s", p.nqn, a.traddr, a.trsvcid);
	else
		rpc_reply_rc(r, rc, p.nqn);
}

struct listeners_ctx {
	struct json_writer *w;
	struct nvmf_subsystem *ss;
};

static void write_ana_listener(void *arg, const struct nvmf_listen_addr *a)
{
	struct listeners_ctx *x = arg;
	struct json_writer *w = x->w;

	json_obj_begin(w);
	json_key(w, "address");
	rpc_write_listen_addr(w, NULL, a);
	json_key(w, "ana_states");
	json_arr_begin(w);
	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX; g++) {
		uint8_t st = NVME_ANA_OPTIMIZED;

		nvmf_subsystem_get_ana_state(x->ss, a, g, &st);
		json_obj_begin(w);
		json_kv_uint(w, "ana_group", g);
		json_kv_str(w, "ana_state", nvmf_ana_state_name(st));
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void rpc_nvmf_subsystem_get_listeners(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct ana_params, nqn),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct ana_params p = {0};
	struct listeners_ctx x;
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 2, &p, &given) != 0)
		return;
	x.ss = rpc_ss_lookup(r, p.nqn);
	if (x.ss == NULL)
		return;
	x.w = rpc_result(r);
	json_arr_begin(x.w);
	nvmf_subsystem_foreach_listener(x.ss, write_ana_listener, &x);
	json_arr_end(x.w);
}

struct referral_params {
	const struct json_value *addr;
	const char *subnqn;
	bool secure;
};

static const struct rpc_param referral_tab[] = {
    RPC_PARAM("address", RPC_P_OBJ, true, struct referral_params, addr),
    RPC_PARAM("subnqn", RPC_P_STR, false, struct referral_params, subnqn),
    RPC_PARAM("secure_channel", RPC_P_BOOL, false, struct referral_params, secure),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
};

static void referral_change(struct rpc_req *r, const struct json_value *params, bool add)
{
	struct referral_params p = {0};
	struct nvmf_listen_addr a;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, referral_tab, 4, &p, &given) != 0 ||
	    rpc_listen_addr_decode(r, p.addr, "address", &a) != 0)
		return;
	if (p.subnqn && strcmp(p.subnqn, "discovery") == 0)
		p.subnqn = NVMF_DISCOVERY_NQN;
	rc = add ? nvmf_discovery_add_referral(r->tgt, &a, p.subnqn, p.secure)
		 : nvmf_discovery_remove_referral(r->tgt, &a);
	if (rc == -EEXIST)
		rpc_error(r, rc, "a referral to %s:%s exists", a.traddr, a.trsvcid);
	else if (rc == -ENOENT)
		rpc_error(r, rc, "no referral to %s:%s", a.traddr, a.trsvcid);
	else if (rc == -EINVAL)
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "subnqn: '%.64s' is not a valid NQN",
			  p.subnqn);
	else
		rpc_reply_rc(r, rc, "referral");
}

static void rpc_nvmf_discovery_add_referral(struct rpc_req *r, const struct json_value *params)
{
	referral_change(r, params, true);
}

static void rpc_nvmf_discovery_remove_referral(struct rpc_req *r, const struct json_value *params)
{
	referral_change(r, params, false);
}

static void write_referral(void *arg, const struct nvmf_listen_addr *a, const char *subnqn,
			   bool secure)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_key(w, "address");
	rpc_write_listen_addr(w, NULL, a);
	json_kv_bool(w, "secure_channel", secure);
	json_kv_str(w, "subnqn", subnqn);
	json_obj_end(w);
}

static void rpc_nvmf_discovery_get_referrals(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	uint64_t given;
	struct json_writer *w;

	if (rpc_params_decode(r, params, NULL, tab, 1, NULL, &given) != 0)
		return;
	w = rpc_result(r);
	json_arr_begin(w);
	nvmf_discovery_foreach_referral(r->tgt, write_referral, w);
	json_arr_end(w);
}

const struct rpc_method rpc_methods_ana[] = {
    {"nvmf_subsystem_listener_set_ana_state", rpc_nvmf_subsystem_listener_set_ana_state},
    {"nvmf_subsystem_get_listeners", rpc_nvmf_subsystem_get_listeners},
    {"nvmf_discovery_add_referral", rpc_nvmf_discovery_add_referral},
    {"nvmf_discovery_remove_referral", rpc_nvmf_discovery_remove_referral},
    {"nvmf_discovery_get_referrals", rpc_nvmf_discovery_get_referrals},
    {NULL, NULL},
};
