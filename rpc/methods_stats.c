/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_stats.c - nvmf_get_stats, nvmf_subsystem_get_controllers and
 * nvmf_subsystem_get_qpairs. nvmf_get_stats answers later: the poll groups
 * send their counters to the main thread by message (nvmf_tgt_get_stats).
 * The listings read the main thread's controller registry and answer at
 * once. Each object is written from a table of {JSON name, kind, offset}.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
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

/* A field of the table's struct S: kind K (RPC_F_K), JSON name N, member M. */
#define F(K, N, M) RPC_FIELD(N, RPC_F_##K, S, M)
#define WRITE_FIELDS(w, obj, tab) rpc_write_fields(w, obj, tab, ARRAY_SIZE(tab))

#define S struct nvmf_io_stats
static const struct rpc_field io_fields[] = {
    F(U64, "num_read_ops", read_ops), F(U64, "bytes_read", bytes_read),
    F(U64, "num_write_ops", write_ops), F(U64, "bytes_written", bytes_written)};
#undef S

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

#define S struct nvmf_ns_stats_info
static const struct rpc_field ns_fields[] = {F(STRP, "nqn", nqn), F(U32, "nsid", nsid)};
#undef S

static void write_ns(struct json_writer *w, const struct nvmf_ns_stats_info *ns)
{
	json_obj_begin(w);
	WRITE_FIELDS(w, ns, ns_fields);
	WRITE_FIELDS(w, &ns->io, io_fields);
	write_latency(w, ns->latency);
	json_obj_end(w);
}

#define S struct nvmf_pg_stats_info
static const struct rpc_field pg_fields[] = {F(U32, "core", core),
					     F(U64, "admin_qpairs", admin_qpairs),
					     F(U64, "io_qpairs", io_qpairs),
					     F(U32, "current_admin_qpairs", current_admin_qpairs),
					     F(U32, "current_io_qpairs", current_io_qpairs),
					     F(U64, "completed_nvme_io", completed_io)};
#undef S

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
	for (uint32_t i = 0; i < pg->nns; i++)
		write_ns(w, &pg->ns[i]);
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
	for (const struct nvmf_pg_stats_info *g = st->groups; g < st->groups + st->ngroups; g++)
		write_pg(w, g);
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

#define S struct nvmf_ctrlr_info
static const struct rpc_field ctrlr_fields[] = {
    F(U16, "cntlid", cntlid), F(STRP, "hostnqn", hostnqn), F(UUID, "hostid", hostid),
    F(U32, "num_io_qpairs", num_io_qpairs)};
#undef S
#define S struct nvmf_qpair_info
static const struct rpc_field qpair_fields[] = {F(U16, "cntlid", cntlid), F(U16, "qid", qid),
						F(ADDRP, "listen_address", listen),
						F(ADDRP, "peer_address", peer)};
#undef S

/* One entry of a listing: the fields of @obj by @tab (@n), then its @state. */
static void write_entry(struct json_writer *w, const void *obj, const struct rpc_field *tab,
			size_t n, const char *state)
{
	json_obj_begin(w);
	rpc_write_fields(w, obj, tab, n);
	json_kv_str(w, "state", state);
	json_obj_end(w);
}

static void write_ctrlr(void *w, const struct nvmf_ctrlr_info *c)
{
	write_entry(w, c, ctrlr_fields, ARRAY_SIZE(ctrlr_fields), c->live ? "active" : "deleting");
}

static void write_qpair(void *w, const struct nvmf_qpair_info *q)
{
	write_entry(w, q, qpair_fields, ARRAY_SIZE(qpair_fields), q->state);
}

/*
 * nvmf_subsystem_get_controllers and nvmf_subsystem_get_qpairs: a listing
 * of the subsystem named by "nqn", picked by the method's name.
 */
static void rpc_ss_listing(struct rpc_req *r, const struct json_value *params)
{
	struct stats_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, ss_list_tab, 2, &p);
	struct json_writer *w;

	if (ss == NULL)
		return;
	w = rpc_result(r);
	json_arr_begin(w);
	if (strcmp(r->method, "nvmf_subsystem_get_qpairs") == 0)
		nvmf_subsystem_foreach_qpair(ss, write_qpair, w);
	else
		nvmf_subsystem_foreach_ctrlr(ss, write_ctrlr, w);
	json_arr_end(w);
}

const struct rpc_method rpc_methods_stats[] = {
    {"nvmf_get_stats", rpc_nvmf_get_stats},
    {"nvmf_subsystem_get_controllers", rpc_ss_listing},
    {"nvmf_subsystem_get_qpairs", rpc_ss_listing},
    {NULL, NULL},
};
