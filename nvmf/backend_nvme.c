/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_nvme.c - the "nvme" backend: each active namespace of a local
 * NVMe controller (our PCIe driver) is one backend, named <prefix>n<nsid>.
 *
 * The controller is connected on the main thread when the backends are
 * created and shared by its namespace backends (reference counted); its
 * admin queue stays with the main thread, except that I/O queue pairs are
 * created from poll-group threads under the controller's mutex (set-up
 * path only) and that a poll group sends Aborts of its own commands there
 * (under the driver's admin lock; see "Abort of a bio" below). Each poll group has one I/O queue pair per controller, shared
 * by its channels on that controller's namespaces (same thread, no locks).
 *
 * Life of a read or write:
 *   submit: take an I/O slot from the channel's preallocated array; cut the
 *           bio into commands (never across an iovec: each iovec is one
 *           DMA-able pool buffer; never over MDTS) and submit them; when the
 *           queue is full the rest waits on the channel's retry list
 *   poll:   nvme_qpair_poll() completes commands; the last one of a bio
 *           runs its callback; then the retry list is resumed
 * The controller's stripe boundary (a vendor-specific Identify field) is
 * not honoured: commands are only split at MDTS.
 *
 * Abort of a bio (ops.abort, the channel's thread): the CIDs of its
 * commands on the group's queue pair are looked up, and one Abort admin
 * command per command goes to the drive's admin queue (any thread, under
 * the driver's admin lock). While any Abort is unanswered every channel
 * on the drive also polls its admin queue; the answers may thus be reaped
 * on any thread, and the last one calls the caller's done(). The aborted
 * commands complete on the I/O queue pair as usual: a bio whose command
 * the drive ended with Command Abort Requested ends with -ECANCELED.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "nvme.h"
#include "nvme/pcie/nvme_pcie.h"
#include "nvmf/backend.h"
#include "nvmf/backend_nvme.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

#define BNVME_LOG "backend"
#define BNVME_IOS 256               /* bios in flight per channel */
#define BNVME_QUEUE_SIZE 128        /* entries of each I/O queue pair */
#define BNVME_POLL_BUDGET 64        /* completions per poll */
#define BNVME_MAX_THREADS 128       /* poll groups sharing a controller */
#define BNVME_ZERO_MAX 65536u       /* blocks per Write Zeroes */
#define BNVME_HEALTH_FIRST_MS 2000u /* the first SMART log read, at attach */
#define BNVME_ABORT_CMDS 8          /* drive Aborts for one bio, at most */
#define BNVME_ABORTS_MAX 16         /* bios being aborted per controller */

/* What attaches a local controller: kept to attach it again after a removal. */
struct bnvme_where {
	char prefix[64];
	char addr[32];
	unsigned n_nsids;
	uint32_t nsids[]; /* empty: all active */
};

/* One controller, shared by its namespace backends. */
struct bnvme_ctrlr {
	struct nvme_ctrlr *ctrlr;
	struct nvmf_tgt *tgt;
	pthread_mutex_t lock;             /* the thread table and queue pair alloc / free */
	uint32_t refs;                    /* namespace backends */
	struct nvmf_drive_health *health; /* local drives: the SMART log (health.c) */
	struct bnvme_where *where;        /* how to attach it again once gone */
	uint64_t next_check;              /* main thread: ticks of the next idle check */
	void (*health_done)(void *arg, bool ok);
	void *health_arg;
	uint32_t aborts; /* __atomic: bios whose Aborts the drive has not all answered */
	struct {
		pthread_t thread;
		struct nvme_qpair *qp;
		uint32_t refs; /* channels using qp */
	} tq[BNVME_MAX_THREADS];
};

struct bnvme_backend {
	struct nvmf_backend base;
	struct bnvme_ctrlr *sc;
	struct nvme_ns *ns;
};

struct bnvme_io {
	struct nvmf_bio *bio;
	struct bnvme_channel *ch;
	enum nvmf_bnvme_io_state state;
	struct nvmf_bnvme_cursor cur; /* Read / Write: the next piece; others: cur.done */
	uint32_t pending;             /* commands submitted, not completed */
	int status;
	struct bnvme_io *next; /* free list or retry list */
};

struct bnvme_channel {
	struct nvmf_bchannel base;
	struct nvme_qpair *qp;
	struct bnvme_io *free;
	struct bnvme_io *retry_head, *retry_tail;
	uint32_t inflight;
	uint64_t io_states[NVMF_BNVME_IO_NSTATES]; /* changes into each state */
	struct bnvme_io ios[BNVME_IOS];
};

static struct bnvme_backend *bnvme(struct nvmf_backend *b)
{
	return container_of(b, struct bnvme_backend, base);
}

static struct bnvme_channel *bnvme_ch(struct nvmf_bchannel *ch)
{
	return container_of(ch, struct bnvme_channel, base);
}

/* ------------------------------------------------------------- splitting */

int nvmf_bnvme_next_seg(const struct iovec *iov, uint32_t iovcnt, uint64_t len, uint32_t block_size,
			uint32_t max_bytes, struct nvmf_bnvme_cursor *cur,
			struct nvmf_bnvme_seg *seg)
{
	uint64_t n;

	if (cur->done >= len)
		return 0;
	while (cur->iov_idx < iovcnt && cur->iov_off >= iov[cur->iov_idx].iov_len) {
		cur->iov_idx++;
		cur->iov_off = 0;
	}
	if (cur->iov_idx >= iovcnt)
		return -EINVAL;
	n = iov[cur->iov_idx].iov_len - cur->iov_off;
	if (n > len - cur->done)
		n = len - cur->done;
	max_bytes -= max_bytes % block_size;
	if (n > max_bytes)
		n = max_bytes;
	if (n == 0 || n % block_size != 0)
		return -EINVAL;
	seg->buf = (uint8_t *)iov[cur->iov_idx].iov_base + cur->iov_off;
	seg->off = cur->done;
	seg->len = (uint32_t)n;
	cur->iov_off += n;
	cur->done += n;
	return 1;
}

/* ------------------------------------------------------------- the I/O path */

#define S(x) (1u << NVMF_BNVME_IO_##x)
/* Legal predecessors of each state (see backend_nvme.h). */
static const uint32_t io_from[NVMF_BNVME_IO_NSTATES] = {
    [NVMF_BNVME_IO_FREE] = S(SENDING) | S(WAIT_QUEUE) | S(IN_FLIGHT),
    [NVMF_BNVME_IO_SENDING] = S(FREE) | S(WAIT_QUEUE),
    [NVMF_BNVME_IO_WAIT_QUEUE] = S(SENDING),
    [NVMF_BNVME_IO_IN_FLIGHT] = S(SENDING) | S(WAIT_QUEUE),
};
#undef S

bool nvmf_bnvme_io_state_change_ok(enum nvmf_bnvme_io_state from, enum nvmf_bnvme_io_state to)
{
	return from < NVMF_BNVME_IO_NSTATES && to < NVMF_BNVME_IO_NSTATES &&
	       (io_from[to] & (1u << from)) != 0;
}

static void io_set_state(struct bnvme_io *io, enum nvmf_bnvme_io_state s)
{
	if (!nvmf_bnvme_io_state_change_ok(io->state, s)) {
		log_error(BNVME_LOG, "%s: I/O %u: illegal state change %d -> %d",
			  io->ch->base.backend->name, (unsigned)(io - io->ch->ios), io->state, s);
		abort();
	}
	io->state = s;
	io->ch->io_states[s]++;
}

/* Back on the free list; the bio's callback is the caller's business. */
static void io_put(struct bnvme_io *io)
{
	struct bnvme_channel *ch = io->ch;

	io_set_state(io, NVMF_BNVME_IO_FREE);
	io->bio = NULL;
	io->next = ch->free;
	ch->free = io;
	ch->inflight--;
}

/* The bio is done: the slot is freed first, so the callback may submit again. */
/* @rc, or -ENODEV once the controller is gone for good (a path error to hosts). */
static int bnvme_io_errno(struct bnvme_channel *ch, int rc)
{
	return nvme_ctrlr_is_removed(bnvme(ch->base.backend)->sc->ctrlr) ? -ENODEV : rc;
}

static void bnvme_io_complete(struct bnvme_io *io)
{
	struct nvmf_bio *bio = io->bio;
	int status = io->status;

	io_put(io);
	bio->cb(bio, status);
}

/* The errno of a command the drive ended with error status @st. */
static int cmd_errno(uint16_t st)
{
	if (nvme_status_sct(st) == NVME_SCT_GENERIC &&
	    nvme_status_sc(st) == NVME_SC_ABORTED_BY_REQUEST)
		return -ECANCELED; /* an Abort of ours (ops.abort) */
	return -EIO;
}

static void io_cmd_done(void *arg, const struct nvme_cpl *cpl)
{
	struct bnvme_io *io = arg;

	if (nvme_cpl_is_error(cpl) && io->status == 0) {
		log_debug(BNVME_LOG, "%s: command failed: status 0x%04x",
			  io->ch->base.backend->name, nvme_cpl_get_status(cpl));
		io->status = bnvme_io_errno(io->ch, cmd_errno(nvme_cpl_get_status(cpl)));
	}
	if (--io->pending == 0 && io->state == NVMF_BNVME_IO_IN_FLIGHT)
		bnvme_io_complete(io);
}

/*
 * Submit the command of @io for the next piece of a Read / Write.
 * @return 1 sent, 0 nothing left to send, <0 refused (-EAGAIN: queue full).
 */
static int io_send_one(struct bnvme_io *io)
{
	struct bnvme_backend *bb = bnvme(io->ch->base.backend);
	struct nvmf_bio *bio = io->bio;
	struct nvme_ns *ns = bb->ns;
	uint32_t bs = ns->block_size, max = ns->max_io_blocks * bs;
	struct nvmf_bnvme_cursor saved = io->cur;
	struct nvmf_bnvme_seg seg;
	uint64_t lba;
	uint32_t nlb;
	int rc;

	rc = nvmf_bnvme_next_seg(bio->iov, bio->iovcnt, bio->len, bs, max ? max : (1u << 20),
				 &io->cur, &seg);
	if (rc <= 0)
		return rc;
	lba = (bio->offset + seg.off) / bs;
	nlb = seg.len / bs;
	if (bio->op == NVMF_BIO_READ)
		rc = nvme_ns_read(ns, io->ch->qp, seg.buf, lba, nlb, 0, io_cmd_done, io);
	else
		rc = nvme_ns_write(ns, io->ch->qp, seg.buf, lba, nlb, bio->fua ? NVME_IO_FUA : 0,
				   io_cmd_done, io);
	if (rc != 0) {
		io->cur = saved; /* resend this piece later (queue full) */
		return rc;
	}
	io->pending++;
	return 1;
}

/*
 * Next Flush / Write Zeroes / Deallocate command of @io. A Flush is one
 * command: once it is out nothing is left (it only comes here while
 * SENDING, so it is never sent twice). @return as io_send_one().
 */
static int io_send_misc(struct bnvme_io *io)
{
	struct bnvme_backend *bb = bnvme(io->ch->base.backend);
	struct nvmf_bio *bio = io->bio;
	uint32_t bs = bb->ns->block_size;
	uint64_t left = bio->len - io->cur.done, lba = (bio->offset + io->cur.done) / bs;
	uint64_t nlb = left / bs;
	struct nvme_dsm_range r;
	int rc;

	if (bio->op == NVMF_BIO_FLUSH) {
		rc = nvme_ns_flush(bb->ns, io->ch->qp, io_cmd_done, io);
		if (rc == 0)
			io->pending++;
		return rc;
	}
	if (io->cur.done >= bio->len)
		return 0;
	if (bio->op == NVMF_BIO_WRITE_ZEROES) {
		nlb = nlb > BNVME_ZERO_MAX ? BNVME_ZERO_MAX : nlb;
		rc = nvme_ns_write_zeroes(bb->ns, io->ch->qp, lba, (uint32_t)nlb, io_cmd_done, io);
	} else {
		nlb = nlb > UINT32_MAX ? UINT32_MAX - (UINT32_MAX % 8) : nlb;
		memset(&r, 0, sizeof(r));
		r.slba = lba;
		r.length = (uint32_t)nlb;
		rc = nvme_ns_deallocate(bb->ns, io->ch->qp, &r, 1, io_cmd_done, io);
	}
	if (rc != 0)
		return rc;
	io->cur.done += nlb * bs;
	io->pending++;
	return 1;
}

static void retry_push(struct bnvme_channel *ch, struct bnvme_io *io)
{
	io->next = NULL;
	if (ch->retry_tail != NULL)
		ch->retry_tail->next = io;
	else
		ch->retry_head = io;
	ch->retry_tail = io;
}

/* No more commands go out for @io: it ends with the last completion. */
static void io_all_sent(struct bnvme_io *io)
{
	io_set_state(io, NVMF_BNVME_IO_IN_FLIGHT);
	if (io->pending == 0)
		bnvme_io_complete(io); /* nothing was in flight (zero length) */
}

/*
 * Send what is left of @io (SENDING) and settle it: queue full -> parked
 * (WAIT_QUEUE); all sent -> IN_FLIGHT; a command refused -> IN_FLIGHT with
 * that error when others are in flight, else, when @may_refuse, released
 * without its callback. @return 0, or the errno of a refusal so released.
 */
static int io_send(struct bnvme_io *io, bool may_refuse)
{
	bool rw = io->bio->op == NVMF_BIO_READ || io->bio->op == NVMF_BIO_WRITE;
	int rc;

	do
		rc = rw ? io_send_one(io) : io_send_misc(io);
	while (rc == 1);
	if (rc == -ENXIO)
		rc = bnvme_io_errno(io->ch, rc);
	if (rc == -EAGAIN) {
		io_set_state(io, NVMF_BNVME_IO_WAIT_QUEUE);
		retry_push(io->ch, io);
		return 0;
	}
	if (rc != 0 && io->pending == 0 && may_refuse) {
		io_put(io); /* nothing went out: refused, the callback does not run */
		return rc;
	}
	if (rc != 0)
		io->status = rc;
	io_all_sent(io);
	return 0;
}

/* Start @io (FREE). @return what submit() returns. */
static int io_start(struct bnvme_io *io, struct nvmf_bio *bio)
{
	io->bio = bio;
	io->cur = (struct nvmf_bnvme_cursor){0};
	io->pending = 0;
	io->status = 0;
	io->next = NULL;
	io_set_state(io, NVMF_BNVME_IO_SENDING);
	return io_send(io, true);
}

static int bnvme_submit(struct nvmf_bchannel *bch, struct nvmf_bio *bio)
{
	struct bnvme_channel *ch = bnvme_ch(bch);
	struct nvmf_backend *b = bch->backend;
	struct bnvme_io *io;

	if (bio->op != NVMF_BIO_FLUSH && !nvmf_backend_range_ok(b, bio->offset, bio->len))
		return -EINVAL;
	if (bio->op > NVMF_BIO_DEALLOCATE)
		return -EOPNOTSUPP;
	io = ch->free;
	if (io == NULL)
		return -EAGAIN;
	ch->free = io->next;
	ch->inflight++;
	return io_start(io, bio);
}

/* Queue space may be back: send again what waits, in order. */
static void retry_resume(struct bnvme_channel *ch)
{
	struct bnvme_io *io = ch->retry_head, *stop = ch->retry_tail;

	ch->retry_head = ch->retry_tail = NULL;
	while (io != NULL) {
		struct bnvme_io *next = io == stop ? NULL : io->next;

		io_set_state(io, NVMF_BNVME_IO_SENDING);
		io_send(io, false);
		io = next;
	}
}

/* The queue pair failed: bios waiting to be resent end with -EIO. */
static void retry_fail(struct bnvme_channel *ch)
{
	struct bnvme_io *io = ch->retry_head;

	ch->retry_head = ch->retry_tail = NULL;
	while (io != NULL) {
		struct bnvme_io *next = io->next;

		io->status = bnvme_io_errno(ch, -EIO);
		io_all_sent(io);
		io = next;
	}
}

static void sc_admin_poll(struct bnvme_ctrlr *sc);

static int bnvme_poll(struct nvmf_bchannel *bch)
{
	struct bnvme_channel *ch = bnvme_ch(bch);
	struct bnvme_ctrlr *sc = bnvme(bch->backend)->sc;
	int n = nvme_qpair_poll(ch->qp, BNVME_POLL_BUDGET);

	if (__atomic_load_n(&sc->aborts, __ATOMIC_ACQUIRE) != 0)
		sc_admin_poll(sc); /* the drive's answers to Aborts */
	if (n < 0) {
		retry_fail(ch);
		return 0;
	}
	if (ch->retry_head != NULL)
		retry_resume(ch);
	return n;
}

const uint64_t *nvmf_bnvme_io_states(const struct nvmf_bchannel *bch)
{
	return container_of(bch, const struct bnvme_channel, base)->io_states;
}

/* ---------------------------------------------------------------- channels */

/* The calling thread's queue pair on @sc, created on first use. */
static int tq_get(struct bnvme_ctrlr *sc, struct nvme_qpair **qp)
{
	struct nvme_qpair_opts qo = {.queue_size = BNVME_QUEUE_SIZE};
	pthread_t self = pthread_self();
	int i, slot = -1, rc = 0;

	pthread_mutex_lock(&sc->lock);
	for (i = 0; i < BNVME_MAX_THREADS; i++) {
		if (sc->tq[i].refs != 0 && pthread_equal(sc->tq[i].thread, self))
			break;
		if (sc->tq[i].refs == 0 && slot < 0)
			slot = i;
	}
	if (i == BNVME_MAX_THREADS) {
		if (slot < 0) {
			rc = -EBUSY;
			goto out;
		}
		i = slot;
		rc = nvme_ctrlr_alloc_io_qpair(sc->ctrlr, &qo, &sc->tq[i].qp);
		if (rc != 0)
			goto out;
		sc->tq[i].thread = self;
	}
	sc->tq[i].refs++;
	*qp = sc->tq[i].qp;
out:
	pthread_mutex_unlock(&sc->lock);
	return rc;
}

static void tq_put(struct bnvme_ctrlr *sc, struct nvme_qpair *qp)
{
	pthread_mutex_lock(&sc->lock);
	for (int i = 0; i < BNVME_MAX_THREADS; i++) {
		if (sc->tq[i].refs != 0 && sc->tq[i].qp == qp) {
			if (--sc->tq[i].refs == 0) {
				nvme_ctrlr_free_io_qpair(qp);
				sc->tq[i].qp = NULL;
			}
			break;
		}
	}
	pthread_mutex_unlock(&sc->lock);
}

static int bnvme_channel_create(struct nvmf_backend *b, struct nvmf_bchannel **out)
{
	struct bnvme_channel *ch = calloc(1, sizeof(*ch));
	int i, rc;

	if (ch == NULL)
		return -ENOMEM;
	rc = tq_get(bnvme(b)->sc, &ch->qp);
	if (rc != 0) {
		log_error(BNVME_LOG, "nvme backend %s: no I/O queue pair for this poll group: %s",
			  b->name, strerror(-rc));
		free(ch);
		return rc;
	}
	for (i = BNVME_IOS - 1; i >= 0; i--) {
		ch->ios[i].ch = ch;
		ch->ios[i].next = ch->free;
		ch->free = &ch->ios[i];
	}
	ch->base.backend = b;
	*out = &ch->base;
	return 0;
}

/* Waits (bounded) for in-flight bios; their callbacks run. */
static void bnvme_channel_destroy(struct nvmf_bchannel *bch)
{
	struct bnvme_channel *ch = bnvme_ch(bch);
	uint64_t deadline = env_ticks() + env_ticks_hz() * 35;

	while (ch->inflight > 0 && env_ticks() < deadline)
		if (nvme_qpair_poll(ch->qp, 0) < 0 || bnvme_poll(bch) < 0)
			break;
	retry_fail(ch);
	tq_put(bnvme(bch->backend)->sc, ch->qp);
	free(ch);
}

/* ----------------------------------------------------------------- backend */

static void sc_put(struct bnvme_ctrlr *sc)
{
	if (--sc->refs != 0)
		return;
	nvmf_drive_health_free(sc->health);
	free(sc->where);
	nvme_ctrlr_disconnect(sc->ctrlr);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

static void bnvme_destroy(struct nvmf_backend *b)
{
	struct bnvme_backend *bb = bnvme(b);

	sc_put(bb->sc);
	free(bb);
}

/* ------------------------------------------------------------------ health */

static void health_read_done(void *arg, const struct nvme_cpl *cpl)
{
	struct bnvme_ctrlr *sc = arg;

	sc->health_done(sc->health_arg, !nvme_cpl_is_error(cpl));
}

/* One read at a time (health.c sees to it): the callback is kept in @sc. */
static int health_submit(void *ctx, void *buf, void (*done)(void *arg, bool ok), void *arg)
{
	struct bnvme_ctrlr *sc = ctx;
	struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE, .nsid = NVME_NSID_ALL};

	nvme_glp_set(&cmd, NVME_LOG_HEALTH_INFORMATION, sizeof(struct nvme_health_log), 0);
	sc->health_done = done;
	sc->health_arg = arg;
	return nvme_pcie_admin_submit(sc->ctrlr, &cmd, buf, sizeof(struct nvme_health_log),
				      health_read_done, sc);
}

static int health_poll(void *ctx)
{
	return nvme_pcie_admin_poll(((struct bnvme_ctrlr *)ctx)->ctrlr);
}

static const struct nvmf_health_src_ops bnvme_health_ops = {
    .submit = health_submit,
    .poll = health_poll,
};

static struct nvmf_drive_health *bnvme_drive_health(struct nvmf_backend *b)
{
	return bnvme(b)->sc->health;
}

/* --------------------------------------------------- admin passthrough */

static int bnvme_admin_submit(struct nvmf_backend *b, const struct nvme_cmd *cmd, void *buf,
			      uint32_t len, void (*done)(void *arg, const struct nvme_cpl *cpl),
			      void *arg)
{
	return nvme_pcie_admin_submit(bnvme(b)->sc->ctrlr, cmd, buf, len, done, arg);
}

static void bnvme_admin_poll(struct nvmf_backend *b)
{
	(void)nvme_pcie_admin_poll(bnvme(b)->sc->ctrlr);
}

/* ------------------------------------------------------------------- abort */

/* One bio being aborted: the Aborts of its commands, answered on any thread. */
struct bnvme_abort {
	struct bnvme_ctrlr *sc;
	void (*done)(void *arg, bool aborted);
	void *arg;
	uint32_t left; /* __atomic: answers still due, plus one while sending */
	bool aborted;  /* __atomic: the drive aborted one of the commands */
};

/*
 * An admin command without data from any thread: a local drive's admin
 * queue is taken under the driver's admin lock. A controller of another
 * transport (only the unit tests register one) is used from one thread.
 */
static int sc_admin_submit(struct bnvme_ctrlr *sc, const struct nvme_cmd *cmd, nvme_cb cb,
			   void *arg)
{
	if (nvme_ctrlr_trid(sc->ctrlr)->trtype == NVME_TRTYPE_PCIE)
		return nvme_pcie_admin_submit(sc->ctrlr, cmd, NULL, 0, cb, arg);
	return nvme_ctrlr_admin_raw(sc->ctrlr, cmd, NULL, 0, cb, arg);
}

static void sc_admin_poll(struct bnvme_ctrlr *sc)
{
	if (nvme_ctrlr_trid(sc->ctrlr)->trtype == NVME_TRTYPE_PCIE)
		(void)nvme_pcie_admin_poll(sc->ctrlr);
	else
		(void)nvme_ctrlr_poll_admin(sc->ctrlr);
}

/* One answer (or the sender's guard) less; the last one tells the caller. */
static void abort_put(struct bnvme_abort *a)
{
	if (__atomic_sub_fetch(&a->left, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	__atomic_sub_fetch(&a->sc->aborts, 1, __ATOMIC_RELEASE);
	a->done(a->arg, __atomic_load_n(&a->aborted, __ATOMIC_ACQUIRE));
	free(a);
}

/* The drive answered one Abort (any thread that polls its admin queue). */
static void abort_answered(void *arg, const struct nvme_cpl *cpl)
{
	struct bnvme_abort *a = arg;

	/* Success with CDW0 bit 0 clear: the command was aborted. */
	if (!nvme_cpl_is_error(cpl) && (cpl->cdw0 & 1u) == 0)
		__atomic_store_n(&a->aborted, true, __ATOMIC_RELEASE);
	abort_put(a);
}

static struct bnvme_io *io_of_bio(struct bnvme_channel *ch, const struct nvmf_bio *bio)
{
	for (uint32_t i = 0; i < BNVME_IOS; i++)
		if (ch->ios[i].state != NVMF_BNVME_IO_FREE && ch->ios[i].bio == bio)
			return &ch->ios[i];
	return NULL;
}

/* Send the Aborts of @n commands @cids of @ch's queue pair. @return how many went out. */
static uint32_t abort_send(struct bnvme_abort *a, struct bnvme_channel *ch, const uint16_t *cids,
			   uint32_t n)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_ABORT};
	uint32_t sent = 0;

	for (uint32_t i = 0; i < n; i++) {
		cmd.cdw10 = (uint32_t)cids[i] << NVME_ABORT_CID_SHIFT | nvme_qpair_qid(ch->qp);
		if (sc_admin_submit(a->sc, &cmd, abort_answered, a) == 0)
			sent++;
		else
			__atomic_sub_fetch(&a->left, 1, __ATOMIC_ACQ_REL);
	}
	return sent;
}

static int bnvme_abort(struct nvmf_bchannel *bch, struct nvmf_bio *bio,
		       void (*done)(void *arg, bool aborted), void *arg)
{
	struct bnvme_channel *ch = bnvme_ch(bch);
	struct bnvme_ctrlr *sc = bnvme(bch->backend)->sc;
	struct bnvme_io *io = io_of_bio(ch, bio);
	uint16_t cids[BNVME_ABORT_CMDS];
	struct bnvme_abort *a;
	uint32_t n;

	if (io == NULL)
		return -ENOENT;
	if (nvme_ctrlr_is_removed(sc->ctrlr) || nvme_pcie_resetting(sc->ctrlr))
		return -ENODEV;
	n = nvme_qpair_cids_of(ch->qp, io, cids, BNVME_ABORT_CMDS);
	if (n == 0)
		return -ENOENT; /* waits for queue space, nothing at the drive */
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	if (__atomic_add_fetch(&sc->aborts, 1, __ATOMIC_ACQ_REL) > BNVME_ABORTS_MAX) {
		__atomic_sub_fetch(&sc->aborts, 1, __ATOMIC_RELEASE);
		free(a);
		return -EBUSY;
	}
	a->sc = sc;
	a->done = done;
	a->arg = arg;
	a->left = n + 1;
	if (abort_send(a, ch, cids, n) == 0) {
		__atomic_sub_fetch(&sc->aborts, 1, __ATOMIC_RELEASE);
		free(a);
		return -ENODEV;
	}
	abort_put(a); /* the guard: done() once every answer is in */
	return 0;
}

static const void *bnvme_device(const struct nvmf_backend *b)
{
	return container_of(b, const struct bnvme_backend, base)->sc;
}

static const struct nvme_id_ctrl *bnvme_drive_id(const struct nvmf_backend *b)
{
	return nvme_ctrlr_id(container_of(b, const struct bnvme_backend, base)->sc->ctrlr);
}

/* ------------------------------------------------------------ idle drive */

/*
 * Main thread timer: CSTS of a drive that may see no I/O (a gone one is
 * then reported through bnvme_removed(), as from an I/O poll). Each
 * namespace backend asks; the controller is looked at once per period.
 */
static void bnvme_check(struct nvmf_backend *b)
{
	struct bnvme_ctrlr *sc = bnvme(b)->sc;
	uint64_t now = env_ticks();

	if (now < sc->next_check)
		return;
	/* Half a period: the timer's next tick is never skipped. */
	sc->next_check = now + env_ticks_hz() * NVMF_TIMER_PERIOD_MS / 2000;
	(void)nvme_pcie_check(sc->ctrlr); /* -EINVAL for a fabrics controller: nothing to do */
}

static const struct nvmf_backend_ops bnvme_ops = {
    .type = "nvme",
    .channel_create = bnvme_channel_create,
    .channel_destroy = bnvme_channel_destroy,
    .submit = bnvme_submit,
    .poll = bnvme_poll,
    .abort = bnvme_abort,
    .drive_health = bnvme_drive_health,
    .admin_submit = bnvme_admin_submit,
    .admin_poll = bnvme_admin_poll,
    .device = bnvme_device,
    .drive_id = bnvme_drive_id,
    .check = bnvme_check,
    .destroy = bnvme_destroy,
};

static int ns_backend_new(struct bnvme_ctrlr *sc, const char *prefix, struct nvme_ns *ns,
			  struct nvmf_backend **out)
{
	struct bnvme_backend *bb;

	if (ns->block_size != 512 && ns->block_size != 4096) {
		log_error(BNVME_LOG, "nvme backend %sn%u: block size %u not supported", prefix,
			  ns->nsid, ns->block_size);
		return -ENOTSUP;
	}
	bb = calloc(1, sizeof(*bb));
	if (bb == NULL)
		return -ENOMEM;
	bb->base.ops = &bnvme_ops;
	if ((size_t)snprintf(bb->base.name, sizeof(bb->base.name), "%sn%u", prefix, ns->nsid) >=
	    sizeof(bb->base.name)) {
		free(bb);
		return -EINVAL;
	}
	bb->base.block_size = ns->block_size;
	bb->base.size = ns->num_blocks * ns->block_size;
	bb->base.volatile_cache = nvme_ctrlr_id(sc->ctrlr)->vwc & 1u;
	bb->base.supports_dealloc = (nvme_ctrlr_id(sc->ctrlr)->oncs & NVME_CTRL_ONCS_DSM) != 0;
	bb->base.path = nvme_ctrlr_trid(sc->ctrlr)->traddr;
	bb->base.nsid = ns->nsid;
	bb->sc = sc;
	bb->ns = ns;
	sc->refs++;
	*out = &bb->base;
	return 0;
}

static bool nsid_wanted(uint32_t nsid, const uint32_t *nsids, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (nsids[i] == nsid)
			return true;
	return n == 0;
}

/* Undo the first @made backends register_namespaces() made (it failed). */
static void unregister_namespaces(struct nvmf_tgt *tgt, struct bnvme_ctrlr *sc, const char *prefix,
				  const uint32_t *nsids, unsigned n_nsids, int made)
{
	char name[sizeof(((struct nvmf_backend *)0)->name)];
	struct nvme_ns *ns;

	for (ns = nvme_ctrlr_ns_next(sc->ctrlr, 0); ns && made > 0;
	     ns = nvme_ctrlr_ns_next(sc->ctrlr, ns->nsid)) {
		if (!nsid_wanted(ns->nsid, nsids, n_nsids))
			continue;
		snprintf(name, sizeof(name), "%sn%u", prefix, ns->nsid);
		nvmf_backend_delete(tgt, name);
		made--;
	}
}

/* Register one backend per wanted namespace. @return backends made, or <0 (none left). */
static int register_namespaces(struct nvmf_tgt *tgt, struct bnvme_ctrlr *sc, const char *prefix,
			       const uint32_t *nsids, unsigned n_nsids)
{
	struct nvme_ns *ns;
	struct nvmf_backend *b;
	int made = 0, rc;

	for (unsigned i = 0; i < n_nsids; i++)
		if (nvme_ctrlr_ns(sc->ctrlr, nsids[i]) == NULL) {
			log_error(BNVME_LOG, "nvme backend %s: namespace %u is not active", prefix,
				  nsids[i]);
			return -ENOENT;
		}
	for (ns = nvme_ctrlr_ns_next(sc->ctrlr, 0); ns;
	     ns = nvme_ctrlr_ns_next(sc->ctrlr, ns->nsid)) {
		if (!nsid_wanted(ns->nsid, nsids, n_nsids))
			continue;
		rc = ns_backend_new(sc, prefix, ns, &b);
		if (rc == 0 && nvmf_backend_find(tgt, b->name) != NULL) {
			bnvme_destroy(b);
			rc = -EEXIST;
		}
		if (rc == 0) {
			rc = nvmf_tgt_backend_register(tgt, b);
			if (rc != 0)
				bnvme_destroy(b);
		}
		if (rc != 0) {
			unregister_namespaces(tgt, sc, prefix, nsids, n_nsids, made);
			return rc;
		}
		log_notice(BNVME_LOG, "nvme backend %s: %llu blocks of %u bytes%s", b->name,
			   (unsigned long long)(b->size / b->block_size), b->block_size,
			   b->volatile_cache ? ", volatile write cache" : "");
		made++;
	}
	return made;
}

/* Is the controller at @addr ours already, or still being let go? */
static bool addr_in_use(const struct nvmf_backend_list *list, const struct env_pci_addr *addr)
{
	const struct nvmf_backend *b;
	struct env_pci_addr a;

	TAILQ_FOREACH(b, list, link)
	{
		if (b->ops == &bnvme_ops && env_pci_addr_parse(b->path, &a) == 0 &&
		    a.domain == addr->domain && a.bus == addr->bus && a.dev == addr->dev &&
		    a.func == addr->func)
			return true;
	}
	return false;
}

static bool bnvme_of_ctrlr(const struct nvmf_backend *b, const void *sc)
{
	return b->ops == &bnvme_ops && container_of(b, const struct bnvme_backend, base)->sc == sc;
}

static bool usable_driver(const char *driver)
{
	return strcmp(driver, "vfio-pci") == 0 || strcmp(driver, "uio_pci_generic") == 0;
}

static int present_one(void *ctx, const struct env_pci_info *info)
{
	const struct env_pci_addr *want = ctx;

	return info->addr.domain == want->domain && info->addr.bus == want->bus &&
	       info->addr.dev == want->dev && info->addr.func == want->func &&
	       usable_driver(info->driver);
}

bool nvmf_bnvme_present(const char *pci_addr)
{
	struct env_pci_addr a;

	return env_pci_addr_parse(pci_addr, &a) == 0 &&
	       env_pci_enumerate(NVMF_BNVME_PCI_CLASS, 0xffff, present_one, &a) == 1;
}

static bool where_present(void *ctx)
{
	return nvmf_bnvme_present(((struct bnvme_where *)ctx)->addr);
}

static int where_attach(struct nvmf_tgt *tgt, void *ctx)
{
	struct bnvme_where *w = ctx;

	log_notice(BNVME_LOG, "nvme backend %s: controller %s is back: attaching it", w->prefix,
		   w->addr);
	return nvmf_backend_nvme_create(tgt, w->prefix, w->addr, w->nsids, w->n_nsids);
}

static const struct nvmf_reattach_ops bnvme_reattach_ops = {
    .present = where_present,
    .attach = where_attach,
    .free = free,
};

/* The controller is gone (a polling thread): its namespaces leave their subsystems. */
static void bnvme_removed(void *arg)
{
	struct bnvme_ctrlr *sc = arg;
	struct bnvme_where *w = sc->where;
	int rc;

	sc->where = NULL;
	if (w != NULL)
		rc = nvmf_backends_gone_reattach(sc->tgt, bnvme_of_ctrlr, sc, &bnvme_reattach_ops,
						 w);
	else
		rc = nvmf_backends_gone(sc->tgt, bnvme_of_ctrlr, sc);
	if (rc != 0)
		log_error(BNVME_LOG,
			  "controller %s is gone but its namespaces could not be removed",
			  nvme_ctrlr_trid(sc->ctrlr)->traddr);
}

/* nvmf_bnvme_register(), with @where (taken over) for a re-attach, or NULL. */
static int bnvme_register(struct nvmf_tgt *tgt, const char *name_prefix, struct nvme_ctrlr *ctrlr,
			  const uint32_t *nsids, unsigned n_nsids, struct bnvme_where *where)
{
	struct bnvme_ctrlr *sc = calloc(1, sizeof(*sc));
	int rc;

	if (sc == NULL) {
		free(where);
		nvme_ctrlr_disconnect(ctrlr);
		return -ENOMEM;
	}
	sc->where = where;
	sc->ctrlr = ctrlr;
	sc->tgt = tgt;
	pthread_mutex_init(&sc->lock, NULL);
	nvme_ctrlr_set_removed_cb(ctrlr, bnvme_removed, sc);
	sc->refs = 1; /* held while registering */
	if (nvme_ctrlr_trid(ctrlr)->trtype == NVME_TRTYPE_PCIE &&
	    nvmf_drive_health_new(&bnvme_health_ops, sc, BNVME_HEALTH_FIRST_MS, &sc->health) != 0)
		log_warn(BNVME_LOG,
			 "nvme backend %s: no memory for the health log; hosts see "
			 "the defaults",
			 name_prefix);
	rc = register_namespaces(tgt, sc, name_prefix, nsids, n_nsids);
	if (rc == 0) {
		log_error(BNVME_LOG, "nvme backend %s: controller %s has no active namespace",
			  name_prefix, nvme_ctrlr_trid(ctrlr)->traddr);
		rc = -ENOENT;
	}
	sc_put(sc);
	return rc < 0 ? rc : 0;
}

int nvmf_bnvme_register(struct nvmf_tgt *tgt, const char *name_prefix, struct nvme_ctrlr *ctrlr,
			const uint32_t *nsids, unsigned n_nsids)
{
	return bnvme_register(tgt, name_prefix, ctrlr, nsids, n_nsids, NULL);
}

/* Register, keeping where the controller is (for a re-attach after a removal). */
static int bnvme_register_where(struct nvmf_tgt *tgt, const char *prefix, const char *pci_addr,
				struct nvme_ctrlr *ctrlr, const uint32_t *nsids, unsigned n_nsids)
{
	struct bnvme_where *w = calloc(1, sizeof(*w) + n_nsids * sizeof(w->nsids[0]));

	if (w == NULL) {
		nvme_ctrlr_disconnect(ctrlr);
		return -ENOMEM;
	}
	snprintf(w->prefix, sizeof(w->prefix), "%s", prefix);
	snprintf(w->addr, sizeof(w->addr), "%s", pci_addr);
	w->n_nsids = n_nsids;
	if (n_nsids > 0)
		memcpy(w->nsids, nsids, n_nsids * sizeof(w->nsids[0]));
	return bnvme_register(tgt, prefix, ctrlr, nsids, n_nsids, w);
}

int nvmf_backend_nvme_create(struct nvmf_tgt *tgt, const char *name_prefix, const char *pci_addr,
			     const uint32_t *nsids, unsigned n_nsids)
{
	struct nvme_ctrlr_opts opts;
	struct nvme_ctrlr *ctrlr;
	struct env_pci_addr addr;
	struct nvme_trid trid;
	char str[300];
	int rc;

	if (name_prefix == NULL || name_prefix[0] == '\0' || pci_addr == NULL ||
	    (n_nsids > 0 && nsids == NULL) || env_pci_addr_parse(pci_addr, &addr) != 0)
		return -EINVAL;
	if (addr_in_use(&tgt->backends, &addr) || addr_in_use(&tgt->deleting, &addr)) {
		log_error(BNVME_LOG,
			  "nvme backend %s: controller %s is in use (or still being "
			  "detached)",
			  name_prefix, pci_addr);
		return -EBUSY;
	}
	snprintf(str, sizeof(str), "trtype:PCIe traddr:%s", pci_addr);
	rc = nvme_trid_parse(str, &trid);
	if (rc == 0) {
		nvme_ctrlr_opts_init(&opts);
		opts.num_io_queues = 64;
		rc = nvme_ctrlr_connect(&trid, &opts, &ctrlr);
	}
	if (rc != 0) {
		log_error(BNVME_LOG, "nvme backend: controller %s: cannot connect: %s", pci_addr,
			  strerror(-rc));
		return rc;
	}
	return bnvme_register_where(tgt, name_prefix, pci_addr, ctrlr, nsids, n_nsids);
}
