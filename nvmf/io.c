/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * io.c - NVM I/O commands on I/O queues: Read, Write (FUA), Flush, Write
 * Zeroes, Dataset Management (deallocate) and Compare. Parse (namespace,
 * range, length) then submit one bio from the poll group's context array on
 * the group's own backend channel. Requests wait on the group's pending list
 * when contexts, scratch buffers or channel slots run out.
 */
#include <errno.h>
#include <string.h>

#include "env.h"

#include "nvmf/nvmf_internal.h"

#define ST_LBA_RANGE NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_LBA_OUT_OF_RANGE))
#define ST_SGL_LEN NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_DATA_SGL_LENGTH_INVALID))
#define ST_INTERNAL NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR)
#define ST_AGAIN ((uint16_t)0xfffe) /* internal: park and retry */

void nvmf_io_ctx_init(struct nvmf_poll_group *pg)
{
	SLIST_INIT(&pg->free_ctxs);
	for (uint32_t i = 0; i < NVMF_IO_CTX_PER_GROUP; i++)
		SLIST_INSERT_HEAD(&pg->free_ctxs, &pg->ctxs[i], free_link);
}

static struct nvmf_poll_group *req_pg(struct nvmf_request *req)
{
	return nvmf_conn_of(req->qpair)->pg;
}

static void ctx_put(struct nvmf_poll_group *pg, struct nvmf_io_ctx *ctx)
{
	if (ctx->st != NULL)
		ctx->st->inflight--;
	ctx->st = NULL;
	if (ctx->scratch != NULL)
		env_pool_put(ctx->scratch_pool, ctx->scratch);
	ctx->scratch = NULL;
	if (ctx->ch != NULL)
		ctx->ch->holds--;
	ctx->ch = NULL;
	ctx->req = NULL; /* free: no Abort finds it (nvmf_io_abort_backend) */
	SLIST_INSERT_HEAD(&pg->free_ctxs, ctx, free_link);
	pg->io_inflight--;
}

/*
 * LBA Out of Range unless [@slba, @slba + @nlb) lies in the namespace, in
 * the backend's own terms (nsze is its size in blocks). @slba is bounded
 * first so that its byte offset cannot wrap; @nlb is at most 32 bits.
 */
static uint16_t range_check(struct nvmf_ns *ns, uint64_t slba, uint64_t nlb)
{
	if (slba > ns->nsze ||
	    !nvmf_backend_range_ok(ns->backend, slba << ns->lbads, nlb << ns->lbads))
		return ST_LBA_RANGE;
	return NVME_STATUS_SUCCESS;
}

/* Read / Write / Compare / Write Zeroes: range, transfer length, MDTS. */
static uint16_t parse_rw(struct nvmf_request *req, struct nvmf_ns *ns, bool data)
{
	uint64_t slba = nvme_cmd_slba(&req->cmd);
	uint64_t bytes = (uint64_t)nvme_cmd_nlb(&req->cmd) << ns->lbads;
	uint32_t mdts = nvmf_conn_of(req->qpair)->tr->opts.max_io_size;

	if (data && mdts != 0 && bytes > mdts)
		return NVMF_ST_INVALID_FIELD;
	if (data && req->length != bytes)
		return ST_SGL_LEN;
	return range_check(ns, slba, nvme_cmd_nlb(&req->cmd));
}

static uint16_t parse_dsm(struct nvmf_request *req, struct nvmf_ns *ns, uint32_t *nrange)
{
	uint32_t nr = (req->cmd.cdw10 & NVME_DSM_NR_MASK) + 1;

	if (req->length < nr * sizeof(struct nvme_dsm_range))
		return ST_SGL_LEN;
	if (!(req->cmd.cdw11 & NVME_DSM_ATTR_AD))
		return NVME_STATUS_SUCCESS; /* advisory: ranges unused */
	for (uint32_t i = 0; i < nr; i++) {
		struct nvme_dsm_range r;
		nvmf_req_copy_from(req, i * sizeof(r), &r, sizeof(r));
		if (range_check(ns, r.slba, r.length) != NVME_STATUS_SUCCESS)
			return ST_LBA_RANGE;
	}
	*nrange = nr;
	return NVME_STATUS_SUCCESS;
}

static uint16_t status_of_errno(int rc)
{
	if (rc == -EINVAL || rc == -ERANGE)
		return NVMF_ST_INVALID_FIELD;
	if (rc == -ENODEV) /* the device is gone: no DNR, another path may serve it */
		return NVME_STATUS(NVME_SCT_PATH, NVME_SC_INTERNAL_PATH_ERROR);
	if (rc == -ECANCELED) /* the backend aborted it on an Abort's request */
		return NVME_STATUS_GENERIC(NVME_SC_ABORTED_BY_REQUEST);
	return ST_INTERNAL;
}

static void io_req_complete(struct nvmf_io_ctx *ctx, uint16_t st);

static bool compare_equal(struct nvmf_io_ctx *ctx)
{
	struct nvmf_request *req = ctx->req;
	const char *scratch = ctx->scratch;
	size_t off = 0;

	for (uint32_t i = 0; i < req->iovcnt && off < ctx->bio.len; i++) {
		size_t n = req->iov[i].iov_len;
		if (n > ctx->bio.len - off)
			n = ctx->bio.len - off;
		if (memcmp(req->iov[i].iov_base, scratch + off, n) != 0)
			return false;
		off += n;
	}
	return true;
}

static int dsm_submit_next(struct nvmf_io_ctx *ctx);

static void io_cb(struct nvmf_bio *bio, int status)
{
	struct nvmf_io_ctx *ctx = bio->cb_arg;
	uint16_t st = status == 0 ? NVME_STATUS_SUCCESS : status_of_errno(status);

	if (status == 0 && ctx->nrange > 0 && ctx->range < ctx->nrange) {
		int rc = dsm_submit_next(ctx);
		if (rc == 0)
			return;
		st = status_of_errno(rc);
	}
	if (status == 0 && ctx->scratch != NULL && !compare_equal(ctx))
		st = NVME_STATUS(NVME_SCT_MEDIA_ERROR, NVME_SC_COMPARE_FAILURE);
	io_req_complete(ctx, st);
}

/* A successful command of @len bytes on @ns (stats @st) that started at @start. */
static void count_stats(struct nvmf_request *req, struct nvmf_ns_pg_stats *st, uint64_t len,
			uint64_t start)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	struct nvmf_poll_group *pg = req_pg(req);
	bool wr = req->cmd.opc == NVME_OPC_WRITE;
	struct nvmf_ctrlr_stats *s;

	pg->stats.completed_io++;
	if (!wr && req->cmd.opc != NVME_OPC_READ && req->cmd.opc != NVME_OPC_COMPARE)
		return;
	nvmf_ns_pg_stats_count(pg, st, wr, len, env_ticks() - start);
	if (ctrlr == NULL || pg->idx >= ctrlr->nstats)
		return;
	/* One writer per slot: relaxed load + store is enough. */
	s = &ctrlr->stats[pg->idx];
	nvmf_stat_add(wr ? &s->write_cmds : &s->read_cmds, 1);
	nvmf_stat_add(wr ? &s->bytes_written : &s->bytes_read, len);
}

/* The bio of @ctx is done: count it, free the context, complete the request. */
static void io_req_complete(struct nvmf_io_ctx *ctx, uint16_t st)
{
	struct nvmf_request *req = ctx->req;

	if (st == NVME_STATUS_SUCCESS)
		count_stats(req, ctx->st, ctx->bio.len, ctx->start);
	ctx_put(req_pg(req), ctx);
	nvmf_req_complete(req, st);
}

static int dsm_submit_next(struct nvmf_io_ctx *ctx)
{
	struct nvme_dsm_range r;

	nvmf_req_copy_from(ctx->req, ctx->range * sizeof(r), &r, sizeof(r));
	ctx->range++;
	ctx->bio.offset = r.slba << ctx->lbads;
	ctx->bio.len = (uint64_t)r.length << ctx->lbads;
	if (ctx->bio.len == 0) {
		io_cb(&ctx->bio, 0);
		return 0;
	}
	return ctx->ch->backend->ops->submit(ctx->ch, &ctx->bio);
}

/* @bio does @op, which moves no data. */
static void bio_no_data(struct nvmf_bio *bio, enum nvmf_bio_op op)
{
	bio->op = op;
	bio->iov = NULL;
	bio->iovcnt = 0;
}

/* Fill the bio for @req. @return success, ST_AGAIN (no scratch) or an error. */
static uint16_t bio_prepare(struct nvmf_io_ctx *ctx, struct nvmf_ns *ns, struct nvmf_ctrlr *ctrlr)
{
	struct nvmf_request *req = ctx->req;
	struct nvmf_bio *bio = &ctx->bio;

	bio->offset = nvme_cmd_slba(&req->cmd) << ns->lbads;
	bio->len = (uint64_t)nvme_cmd_nlb(&req->cmd) << ns->lbads;
	bio->iov = req->iov;
	bio->iovcnt = req->iovcnt;
	switch (req->cmd.opc) {
	case NVME_OPC_READ:
		bio->op = NVMF_BIO_READ;
		break;
	case NVME_OPC_WRITE:
		bio->op = NVMF_BIO_WRITE;
		bio->fua = (req->cmd.cdw12 & NVME_RW_FUA) != 0 ||
			   !atomic_load_explicit(&ctrlr->vwc_enabled, memory_order_relaxed);
		break;
	case NVME_OPC_COMPARE:
		if (bio->len > req_pg(req)->scratch_size)
			return ST_INTERNAL; /* the group missed a grow (no memory for its message) */
		ctx->scratch_pool = req_pg(req)->scratch;
		ctx->scratch = env_pool_get(ctx->scratch_pool);
		if (ctx->scratch == NULL)
			return ST_AGAIN;
		ctx->scratch_iov.iov_base = ctx->scratch;
		ctx->scratch_iov.iov_len = bio->len;
		bio->op = NVMF_BIO_READ;
		bio->iov = &ctx->scratch_iov;
		bio->iovcnt = 1;
		break;
	case NVME_OPC_WRITE_ZEROES:
		bio_no_data(bio, NVMF_BIO_WRITE_ZEROES);
		break;
	case NVME_OPC_FLUSH:
		bio_no_data(bio, NVMF_BIO_FLUSH);
		bio->offset = 0;
		bio->len = 0;
		break;
	case NVME_OPC_DATASET_MANAGEMENT:
		bio_no_data(bio, NVMF_BIO_DEALLOCATE);
		break;
	}
	return NVME_STATUS_SUCCESS;
}

/* Parse: the namespace, the opcode, the range and the length. */
static uint16_t io_parse(struct nvmf_request *req, struct nvmf_ns **nsp, uint32_t *nrange)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	struct nvmf_ns *ns =
	    req->cmd.nsid <= ctrlr->ss->max_nsid ? nvmf_ss_ns(ctrlr->ss, req->cmd.nsid) : NULL;

	*nrange = 0;
	*nsp = ns;
	if (req->cmd.fuse != NVME_FUSE_NORMAL)
		return NVMF_ST_INVALID_FIELD; /* no fused operations (FUSES 0) */
	switch (req->cmd.opc) {
	case NVME_OPC_READ:
	case NVME_OPC_WRITE:
	case NVME_OPC_COMPARE:
		return ns ? parse_rw(req, ns, true) : NVMF_ST_INVALID_NS;
	case NVME_OPC_WRITE_ZEROES:
		return ns ? parse_rw(req, ns, false) : NVMF_ST_INVALID_NS;
	case NVME_OPC_FLUSH:
		return ns ? NVME_STATUS_SUCCESS : NVMF_ST_INVALID_NS;
	case NVME_OPC_DATASET_MANAGEMENT:
		return ns ? parse_dsm(req, ns, nrange) : NVMF_ST_INVALID_NS;
	default:
		return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_INVALID_OPCODE));
	}
}

/* Dataset Management without deallocate, or on a backend that cannot: advisory. */
static bool dsm_noop(struct nvmf_request *req, struct nvmf_ns *ns)
{
	return req->cmd.opc == NVME_OPC_DATASET_MANAGEMENT &&
	       (!(req->cmd.cdw11 & NVME_DSM_ATTR_AD) || !ns->backend->supports_dealloc);
}

static void io_park(struct nvmf_request *req)
{
	nvmf_tr_req_keep_data(req); /* it runs after exec() returned */
	TAILQ_INSERT_TAIL(&req_pg(req)->pending, req, core_link);
}

/*
 * A Read whose data the backend already holds in memory, for a transport
 * that sends from any memory: point the request at it, no copy and no bio.
 * @return true when @req was completed here.
 */
static bool io_read_in_place(struct nvmf_request *req, struct nvmf_ns *ns, uint64_t start)
{
	struct nvmf_bchannel *ch;
	uint64_t off, len;
	const void *data;

	if (!req->c2h_any || req->cmd.opc != NVME_OPC_READ || ns->backend->ops->read_span == NULL)
		return false;
	ch = nvmf_pg_channel(req_pg(req), ns->backend);
	off = nvme_cmd_slba(&req->cmd) << ns->lbads;
	len = (uint64_t)nvme_cmd_nlb(&req->cmd) << ns->lbads;
	if (ch == NULL || ns->backend->ops->read_span(ch, off, len, &data) != 0)
		return false;
	req->c2h_span.iov_base = (void *)data;
	req->c2h_span.iov_len = len;
	req->c2h_iov = &req->c2h_span;
	req->c2h_iovcnt = 1;
	/* The backend's memory stays until the transport releases it. */
	req->c2h_owner = ch;
	ch->holds++;
	count_stats(req, nvmf_ns_pg_stats_get(req_pg(req), ns), len, start);
	nvmf_req_complete(req, NVME_STATUS_SUCCESS);
	return true;
}

void nvmf_io_exec(struct nvmf_request *req)
{
	struct nvmf_poll_group *pg = req_pg(req);
	uint64_t start = env_ticks();
	struct nvmf_io_ctx *ctx;
	struct nvmf_ns *ns;
	uint32_t nrange;
	uint16_t st;
	int rc;

	if (nvmf_resv_is_cmd(req->cmd.opc)) {
		nvmf_resv_exec(req);
		return;
	}
	st = io_parse(req, &ns, &nrange);
	/* ANA: one load and compare; refused states complete with a path status. */
	if (st == NVME_STATUS_SUCCESS &&
	    nvmf_ana_blocks_io(nvmf_ana_state_of(req->qpair->ctrlr, ns)))
		st = nvmf_ana_io_status(nvmf_ana_state_of(req->qpair->ctrlr, ns));
	if (st == NVME_STATUS_SUCCESS)
		st = nvmf_resv_io_check(req, ns);
	if (st != NVME_STATUS_SUCCESS || dsm_noop(req, ns)) {
		nvmf_req_complete(req, st);
		return;
	}
	if (io_read_in_place(req, ns, start))
		return;
	if (req->h2c_lent && !ns->backend->sync_data)
		nvmf_tr_req_keep_data(req); /* the backend reads it later */
	ctx = SLIST_FIRST(&pg->free_ctxs);
	if (ctx == NULL) {
		io_park(req);
		return;
	}
	SLIST_REMOVE_HEAD(&pg->free_ctxs, free_link);
	pg->io_inflight++;
	memset(ctx, 0, sizeof(*ctx));
	ctx->req = req;
	ctx->nrange = nrange;
	ctx->lbads = ns->lbads;
	ctx->start = start;
	ctx->st = nvmf_ns_pg_stats_get(pg, ns);
	if (ctx->st != NULL)
		ctx->st->inflight++;
	ctx->ch = nvmf_pg_channel(pg, ns->backend);
	if (ctx->ch != NULL)
		ctx->ch->holds++; /* until ctx_put() */
	ctx->bio.cb = io_cb;
	ctx->bio.cb_arg = ctx;
	st = ctx->ch ? bio_prepare(ctx, ns, req->qpair->ctrlr) : ST_INTERNAL;
	if (st != NVME_STATUS_SUCCESS) {
		ctx_put(pg, ctx);
		if (st == ST_AGAIN)
			io_park(req);
		else
			nvmf_req_complete(req, st);
		return;
	}
	rc = nrange > 0 ? dsm_submit_next(ctx) : ctx->ch->backend->ops->submit(ctx->ch, &ctx->bio);
	if (rc == -EAGAIN && ctx->range <= 1) {
		ctx_put(pg, ctx);
		io_park(req);
	} else if (rc != 0) {
		io_req_complete(ctx, status_of_errno(rc));
	}
}

int nvmf_io_abort_backend(struct nvmf_poll_group *pg, struct nvmf_qpair *qp, uint16_t cid,
			  void (*done)(void *arg, bool aborted), void *arg)
{
	for (uint32_t i = 0; i < NVMF_IO_CTX_PER_GROUP; i++) {
		struct nvmf_io_ctx *ctx = &pg->ctxs[i];
		const struct nvmf_backend_ops *ops;

		if (ctx->req == NULL || ctx->req->qpair != qp || ctx->req->cmd.cid != cid)
			continue;
		ops = ctx->ch->backend->ops;
		return ops->abort ? ops->abort(ctx->ch, &ctx->bio, done, arg) : -EOPNOTSUPP;
	}
	return -ENOENT;
}

void nvmf_upcall_c2h_release(struct nvmf_request *req)
{
	struct nvmf_bchannel *ch = req->c2h_owner;

	req->c2h_owner = NULL;
	if (ch != NULL)
		ch->holds--; /* a closing channel is closed by the group's next poll */
}

void nvmf_io_resume_pending(struct nvmf_poll_group *pg)
{
	TAILQ_HEAD(, nvmf_request) batch = TAILQ_HEAD_INITIALIZER(batch);
	struct nvmf_request *req;

	TAILQ_CONCAT(&batch, &pg->pending, core_link);
	while ((req = TAILQ_FIRST(&batch)) != NULL) {
		TAILQ_REMOVE(&batch, req, core_link);
		nvmf_io_exec(req);
	}
}
