/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_stats.c - nvmf_get_stats, nvmf_subsystem_get_controllers and
 * nvmf_subsystem_get_qpairs. Each answers at once from the main thread:
 * the poll groups' counters are made to be read from another thread
 * (relaxed atomics, one writer each), and controllers and their queue
 * pairs are main-thread state (see nvmf.h, statistics).
 */
#include <stdio.h>

#include "rpc/rpc_internal.h"

struct stats_params {
	const char *nqn;
};

static const struct rpc_param get_stats_tab[] = {
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
};

static const struct rpc_param ss_list_tab[] = {
    RPC_PARAM("nqn", RPC_P_STR, true, struct stats_params, nqn),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
};

static void write_pg(void *arg, const struct nvmf_pg_stats_info *pg)
{
	struct json_writer *w = arg;
	char name[32];

	snprintf(name, sizeof(name), "nvmf_tgt_poll_group_%03u", pg->idx);
	json_obj_begin(w);
	json_kv_str(w, "name", name);
	json_kv_uint(w, "core", pg->core);
	json_kv_uint(w, "admin_qpairs", pg->admin_qpairs);
	json_kv_uint(w, "io_qpairs", pg->io_qpairs);
	json_kv_uint(w, "current_admin_qpairs", pg->current_admin_qpairs);
	json_kv_uint(w, "current_io_qpairs", pg->current_io_qpairs);
	json_kv_uint(w, "completed_nvme_io", pg->completed_io);
	json_kv_uint(w, "num_read_ops", pg->read_cmds);
	json_kv_uint(w, "bytes_read", pg->bytes_read);
	json_kv_uint(w, "num_write_ops", pg->write_cmds);
	json_kv_uint(w, "bytes_written", pg->bytes_written);
	json_key(w, "transports");
	json_arr_begin(w);
	for (uint32_t i = 0; i < pg->ntr; i++) {
		json_obj_begin(w);
		json_kv_str(w, "trtype", pg->tr[i].name);
		json_kv_uint(w, "current_qpairs", pg->tr[i].current_qpairs);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void rpc_nvmf_get_stats(struct rpc_req *r, const struct json_value *params)
{
	struct stats_params p = {0};
	struct json_writer *w;
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, get_stats_tab, 1, &p, &given) != 0)
		return;
	w = rpc_result(r);
	json_obj_begin(w);
	json_key(w, "poll_groups");
	json_arr_begin(w);
	nvmf_tgt_foreach_poll_group(r->tgt, write_pg, w);
	json_arr_end(w);
	json_obj_end(w);
}

static void write_ctrlr(void *arg, const struct nvmf_ctrlr_info *c)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_uint(w, "cntlid", c->cntlid);
	json_kv_str(w, "hostnqn", c->hostnqn);
	rpc_write_uuid(w, "hostid", c->hostid);
	json_kv_uint(w, "num_io_qpairs", c->num_io_qpairs);
	json_kv_str(w, "state", c->live ? "active" : "deleting");
	json_kv_uint(w, "num_read_ops", c->read_cmds);
	json_kv_uint(w, "bytes_read", c->bytes_read);
	json_kv_uint(w, "num_write_ops", c->write_cmds);
	json_kv_uint(w, "bytes_written", c->bytes_written);
	json_obj_end(w);
}

static void write_qpair(void *arg, const struct nvmf_qpair_info *q)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_uint(w, "cntlid", q->cntlid);
	json_kv_uint(w, "qid", q->qid);
	json_kv_str(w, "state", q->state);
	rpc_write_listen_addr(w, "listen_address", q->listen);
	rpc_write_listen_addr(w, "peer_address", q->peer);
	json_obj_end(w);
}

/* A listing of @params' subsystem: @ctrlrs picks controllers or queue pairs. */
static void ss_list(struct rpc_req *r, const struct json_value *params, bool ctrlrs)
{
	struct stats_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, ss_list_tab, 2, &p);
	struct json_writer *w;

	if (ss == NULL)
		return;
	w = rpc_result(r);
	json_arr_begin(w);
	if (ctrlrs)
		nvmf_subsystem_foreach_ctrlr(ss, write_ctrlr, w);
	else
		nvmf_subsystem_foreach_qpair(ss, write_qpair, w);
	json_arr_end(w);
}

static void rpc_nvmf_subsystem_get_controllers(struct rpc_req *r, const struct json_value *params)
{
	ss_list(r, params, true);
}

static void rpc_nvmf_subsystem_get_qpairs(struct rpc_req *r, const struct json_value *params)
{
	ss_list(r, params, false);
}

const struct rpc_method rpc_methods_stats[] = {
    {"nvmf_get_stats", rpc_nvmf_get_stats},
    {"nvmf_subsystem_get_controllers", rpc_nvmf_subsystem_get_controllers},
    {"nvmf_subsystem_get_qpairs", rpc_nvmf_subsystem_get_qpairs},
    {NULL, NULL},
};
