/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_nvmf.c - transports: nvmf_create_transport, nvmf_get_transports.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "rpc/rpc_internal.h"

struct create_transport_params {
	const char *trtype;
	uint32_t max_queue_depth;
	uint32_t max_io_qpairs_per_ctrlr;
	uint32_t in_capsule_data_size;
	uint32_t max_io_size;
	uint32_t io_unit_size;
	uint32_t max_aq_depth;
	uint32_t num_shared_buffers;
	bool passthru_off;
};

#define CT(n, field) RPC_PARAM(n, RPC_P_U32, false, struct create_transport_params, field)

/* SPDK's names; the first eight map onto struct nvmf_transport_opts. */
static const struct rpc_param create_transport_tab[] = {
    RPC_PARAM("trtype", RPC_P_STR, true, struct create_transport_params, trtype),
    CT("max_queue_depth", max_queue_depth),
    CT("max_io_qpairs_per_ctrlr", max_io_qpairs_per_ctrlr),
    CT("in_capsule_data_size", in_capsule_data_size),
    CT("max_io_size", max_io_size),
    CT("io_unit_size", io_unit_size),
    CT("max_aq_depth", max_aq_depth),
    CT("num_shared_buffers", num_shared_buffers),
    /* No command passthrough exists here, so either value holds. */
    RPC_PARAM("disable_command_passthru", RPC_P_BOOL, false, struct create_transport_params,
	      passthru_off),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
    RPC_REFUSE("buf_cache_size", "each poll group has its own num_shared_buffers"),
    RPC_FIXED("zcopy", false, "TCP sends and receives without copies where it can"),
    RPC_REFUSE("num_cqe", "the CQ size follows the queue depths"),
    RPC_REFUSE("max_srq_depth", "the SRQ depth follows num_shared_buffers"),
    RPC_FIXED("no_srq", false, "RDMA always uses a shared receive queue"),
    RPC_FIXED("c2h_success", true,
	      "C2HData carries SUCCESS whenever the host disabled SQ flow control"),
    RPC_FIXED("dif_insert_or_strip", false, "no protection information"),
    RPC_REFUSE("sock_priority", "no socket priorities"),
    RPC_REFUSE("acceptor_backlog", "the listen backlog is fixed"),
    RPC_REFUSE("abort_timeout_sec", "Abort does not wait for commands"),
    RPC_FIXED("no_wr_batching", false, "RDMA always batches work requests"),
    RPC_REFUSE("control_msg_num", "control messages are not pooled"),
    RPC_FIXED("disable_mappable_bar0", false, "vfio-user only; not a transport here"),
    RPC_FIXED("disable_adaptive_irq", false, "vfio-user only; not a transport here"),
    RPC_FIXED("disable_shadow_doorbells", false, "vfio-user only; not a transport here"),
    RPC_REFUSE("acceptor_poll_rate", "the acceptor runs on every main-loop pass"),
    RPC_REFUSE("ack_timeout", "RDMA ACK timeouts are the device's"),
    RPC_REFUSE("data_wr_pool_size", "RDMA data work requests are per request"),
    RPC_REFUSE("kas", "Keep Alive granularity is fixed at 100 ms"),
    RPC_REFUSE("min_kato", "the host's KATO is taken as given"),
};

#define N_CT (sizeof(create_transport_tab) / sizeof(create_transport_tab[0]))

/* Override the defaults with what was given (bits 1..7 of @given). */
static void transport_opts_apply(const struct create_transport_params *p, uint64_t given,
				 struct nvmf_transport_opts *o)
{
	if (given & (1u << 1))
		o->max_queue_depth = p->max_queue_depth;
	if (given & (1u << 2))
		o->max_qpairs_per_ctrlr = p->max_io_qpairs_per_ctrlr + 1;
	if (given & (1u << 3))
		o->in_capsule_data_size = p->in_capsule_data_size;
	if (given & (1u << 4))
		o->max_io_size = p->max_io_size;
	if (given & (1u << 5))
		o->io_unit_size = p->io_unit_size;
	if (given & (1u << 6))
		o->max_aq_depth = p->max_aq_depth;
	if (given & (1u << 7))
		o->num_shared_buffers = p->num_shared_buffers;
}

static void rpc_nvmf_create_transport(struct rpc_req *r, const struct json_value *params)
{
	struct create_transport_params p = {0};
	struct nvmf_transport_opts opts;
	uint64_t given;
	uint8_t trtype;
	int rc;

	if (rpc_params_decode(r, params, NULL, create_transport_tab, N_CT, &p, &given) != 0)
		return;
	if (nvmf_trtype_parse(p.trtype, &trtype) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "trtype: '%.32s' is not TCP or RDMA",
			  p.trtype);
		return;
	}
	if ((given & (1u << 2)) && p.max_io_qpairs_per_ctrlr == UINT32_MAX) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "max_io_qpairs_per_ctrlr: too large");
		return;
	}
	nvmf_transport_opts_init(&opts, trtype);
	transport_opts_apply(&p, given, &opts);
	rc = nvmf_tgt_add_transport(r->tgt, &opts);
	if (rc == -EEXIST)
		rpc_error(r, rc, "transport %s: already exists", p.trtype);
	else if (rc == -ENOTSUP)
		rpc_error(r, rc, "transport %s: not built into this program", p.trtype);
	else if (rc == -ENOMEM)
		rpc_error(r, rc,
			  "transport %s: refused its options or out of memory (the target's log "
			  "says which)",
			  p.trtype);
	else
		rpc_reply_rc(r, rc, "nvmf_create_transport");
}

struct get_transports_ctx {
	struct json_writer *w;
	const char *trtype; /* filter, or NULL */
	unsigned n;
};

static void write_transport(void *arg, const char *name, const struct nvmf_transport_opts *o)
{
	struct get_transports_ctx *c = arg;
	struct json_writer *w = c->w;

	if (c->trtype != NULL && strcasecmp(c->trtype, name) != 0)
		return;
	c->n++;
	json_obj_begin(w);
	json_kv_str(w, "trtype", name);
	json_kv_uint(w, "max_queue_depth", o->max_queue_depth);
	json_kv_uint(w, "max_io_qpairs_per_ctrlr", o->max_qpairs_per_ctrlr - 1);
	json_kv_uint(w, "in_capsule_data_size", o->in_capsule_data_size);
	json_kv_uint(w, "max_io_size", o->max_io_size);
	json_kv_uint(w, "io_unit_size", o->io_unit_size);
	json_kv_uint(w, "max_aq_depth", o->max_aq_depth);
	json_kv_uint(w, "num_shared_buffers", o->num_shared_buffers);
	json_kv_bool(w, "c2h_success", true);
	json_kv_bool(w, "zcopy", false);
	json_obj_end(w);
}

static void count_transport(void *arg, const char *name, const struct nvmf_transport_opts *o)
{
	struct get_transports_ctx *c = arg;

	(void)o;
	if (c->trtype == NULL || strcasecmp(c->trtype, name) == 0)
		c->n++;
}

static void rpc_nvmf_get_transports(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("trtype", RPC_P_STR, false, struct get_transports_ctx, trtype),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct get_transports_ctx c = {0};
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 2, &c, &given) != 0)
		return;
	nvmf_tgt_foreach_transport(r->tgt, count_transport, &c);
	if (c.trtype != NULL && c.n == 0) {
		rpc_error(r, -ENOENT, "transport %.32s: not created (nvmf_create_transport)",
			  c.trtype);
		return;
	}
	c.w = rpc_result(r);
	json_arr_begin(c.w);
	nvmf_tgt_foreach_transport(r->tgt, write_transport, &c);
	json_arr_end(c.w);
}

const struct rpc_method rpc_methods_nvmf[] = {
    {"nvmf_create_transport", rpc_nvmf_create_transport},
    {"nvmf_get_transports", rpc_nvmf_get_transports},
    {NULL, NULL},
};
