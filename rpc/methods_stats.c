/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_stats.c - nvmf_get_stats, nvmf_subsystem_get_controllers and
 * nvmf_subsystem_get_qpairs. nvmf_get_stats answers later: the poll groups
 * send their counters to the main thread by message (nvmf_tgt_get_stats).
 * The listings read the main thread's controller registry and answer at
 * once. Each object is written from a table of {JSON name, kind, offset}.
 */
#include <stdio.h>

#include "util_histogram.h"
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

#define F(n, k, st, m) RPC_FIELD(n, k, st, m)

static const struct rpc_field io_fields[] = {
    F("num_read_ops", RPC_F_U64, struct nvmf_io_stats, read_ops),
    F("bytes_read", RPC_F_U64, struct nvmf_io_stats, bytes_read),
    F("num_write_ops", RPC_F_U64, struct nvmf_io_stats, write_ops),
    F("bytes_written", RPC_F_U64, struct nvmf_io_stats, bytes_written),
};

static const struct rpc_field pg_fields[] = {
    F("core", RPC_F_U32, struct nvmf_pg_stats_info, core),
    F("admin_qpairs", RPC_F_U64, struct nvmf_pg_stats_info, admin_qpairs),
    F("io_qpairs", RPC_F_U64, struct nvmf_pg_stats_info, io_qpairs),
    F("current_admin_qpairs", RPC_F_U32, struct nvmf_pg_stats_info, current_admin_qpairs),
    F("current_io_qpairs", RPC_F_U32, struct nvmf_pg_stats_info, current_io_qpairs),
    F("completed_nvme_io", RPC_F_U64, struct nvmf_pg_stats_info, completed_io),
};

static const struct rpc_field ns_fields[] = {
    F("nqn", RPC_F_STRP, struct nvmf_ns_stats_info, nqn),
    F("nsid", RPC_F_U32, struct nvmf_ns_stats_info, nsid),
};

static const struct rpc_field ctrlr_fields[] = {
    F("cntlid", RPC_F_U16, struct nvmf_ctrlr_info, cntlid),
    F("hostnqn", RPC_F_STRP, struct nvmf_ctrlr_info, hostnqn),
    F("hostid", RPC_F_UUID, struct nvmf_ctrlr_info, hostid),
    F("num_io_qpairs", RPC_F_U32, struct nvmf_ctrlr_info, num_io_qpairs),
};

static const struct rpc_field qpair_fields[] = {
    F("cntlid", RPC_F_U16, struct nvmf_qpair_info, cntlid),
    F("qid", RPC_F_U16, struct nvmf_qpair_info, qid),
    F("state", RPC_F_STRP, struct nvmf_qpair_info, state),
    F("listen_address", RPC_F_ADDRP, struct nvmf_qpair_info, listen),
    F("peer_address", RPC_F_ADDRP, struct nvmf_qpair_info, peer),
};

#define WRITE_FIELDS(w, obj, tab) rpc_write_fields(w, obj, tab, sizeof(tab) / sizeof(tab[0]))

/* "latency_ticks": [[low, high, count], ...], the histogram's non-empty buckets. */
static void write_latency(struct json_writer *w, const struct histogram *h)
{
	json_key(w, "latency_ticks");
	json_arr_begin(w);
	for (uint32_t i = 0; h != NULL && i < HISTOGRAM_BUCKETS; i++) {
		if (h->buckets[i] == 0)
			continue;
		json_arr_begin(w);
		json_uint(w, histogram_bucket_low(i));
		json_uint(w, histogram_bucket_high(i));
		json_uint(w, h->buckets[i]);
		json_arr_end(w);
	}
	json_arr_end(w);
}

static void write_pg(struct json_writer *w, const struct nvmf_pg_stats_info *pg)
{
	char name[32];

	snprintf(name, sizeof(name), "nvmf_tgt_poll_group_%03u", pg->idx);
	json_obj_begin(w);
	json_kv_str(w, "name", name);
	WRITE_FIELDS(w, pg, pg_fields);
	WRITE_FIELDS(w, &pg->io, io_fields);
	json_key(w, "transports");
	json_arr_begin(w);
	for (uint32_t i = 0; i < pg->ntr; i++) {
		json_obj_begin(w);
		json_kv_str(w, "trtype", pg->tr[i].name);
		json_kv_uint(w, "current_qpairs", pg->tr[i].current_qpairs);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "namespaces");
	json_arr_begin(w);
	for (uint32_t i = 0; i < pg->nns; i++) {
		json_obj_begin(w);
		WRITE_FIELDS(w, &pg->ns[i], ns_fields);
		WRITE_FIELDS(w, &pg->ns[i].io, io_fields);
		write_latency(w, pg->ns[i].latency);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

/* The groups' answers are in: the result of the deferred call @arg. */
static void get_stats_done(void *arg, const struct nvmf_stats *st)
{
	struct rpc_call *call = arg;
	struct json_writer *w = rpc_result(rpc_call_req(call));

	json_obj_begin(w);
	json_kv_uint(w, "tick_rate", st->tick_rate);
	json_key(w, "poll_groups");
	json_arr_begin(w);
	for (uint32_t i = 0; i < st->ngroups; i++)
		write_pg(w, &st->groups[i]);
	json_arr_end(w);
	json_obj_end(w);
	rpc_call_done(call);
}

static void rpc_nvmf_get_stats(struct rpc_req *r, const struct json_value *params)
{
	struct stats_params p = {0};
	struct rpc_call *call;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, get_stats_tab, 1, &p, &given) != 0)
		return;
	call = rpc_defer(r);
	if (call == NULL)
		return;
	rc = nvmf_tgt_get_stats(r->tgt, get_stats_done, call);
	if (rc != 0) {
		rpc_error_errno(rpc_call_req(call), rc, "statistics", NULL);
		rpc_call_done(call);
	}
}

static void write_ctrlr(void *arg, const struct nvmf_ctrlr_info *c)
{
	json_obj_begin(arg);
	WRITE_FIELDS(arg, c, ctrlr_fields);
	json_kv_str(arg, "state", c->live ? "active" : "deleting");
	json_obj_end(arg);
}

static void write_qpair(void *arg, const struct nvmf_qpair_info *q)
{
	json_obj_begin(arg);
	WRITE_FIELDS(arg, q, qpair_fields);
	json_obj_end(arg);
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
