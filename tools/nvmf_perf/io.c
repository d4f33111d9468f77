/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_perf I/O path of one queue pair: pick an LBA and a direction, submit
 * (split at MDTS, retried when the queue is full), complete, record the
 * latency, verify, resubmit.
 *
 * Verify: context i of a queue pair only touches the slots s of its region
 * with s % qd == i, so no two I/Os overlap in flight. A write carries a new
 * generation number and, once it completed, slot_gen[s] holds it; a read of
 * a slot with a known generation is compared word by word. A read of a slot
 * never written in this run is turned into a write, and every successful
 * write is read back by the same context as its next I/O.
 *
 * Retry: an I/O with a command aborted by a controller reset (Aborted due
 * to SQ Deletion, DNR clear) is submitted again whole, same LBA, same data
 * (a write's buffer still holds its pattern), and counted as retried.
 * With several paths, an I/O is submitted whole on the path
 * perf_mp_pick() gives (it waits like a full queue while none is usable);
 * one completing with an ANA path status is submitted again the same way,
 * counted as a failover.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "tools/nvmf_perf/perf.h"

#define PERF_VERIFY_MSGS_MAX 5
#define GOLDEN 0x9E3779B97F4A7C15ull

void perf_stats_init(struct perf_stats *s)
{
	memset(s, 0, sizeof(*s) - sizeof(s->lat));
	histogram_init(&s->lat);
}

void perf_stats_restart(struct perf_stats *s)
{
	uint64_t verified = s->verified, verify_errors = s->verify_errors;

	perf_stats_init(s);
	s->verified = verified;
	s->verify_errors = verify_errors;
}

void perf_stats_merge(struct perf_stats *dst, const struct perf_stats *src)
{
	dst->ios += src->ios;
	dst->reads += src->reads;
	dst->writes += src->writes;
	dst->bytes += src->bytes;
	dst->io_errors += src->io_errors;
	dst->verify_errors += src->verify_errors;
	dst->verified += src->verified;
	dst->retried += src->retried;
	dst->failovers += src->failovers;
	histogram_merge(&dst->lat, &src->lat);
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static inline uint64_t pattern_word(uint64_t seed, uint64_t lba, uint32_t gen, uint64_t k)
{
	return seed ^ (lba * GOLDEN) ^ ((uint64_t)gen << 32) ^ k;
}

static void pattern_fill(const struct perf_qpair *pq, struct perf_io *io)
{
	uint32_t bs = pq->pns->ns->block_size, words = bs / 8;
	uint64_t *w = io->buf;

	for (uint32_t b = 0; b < io->nlb; b++)
		for (uint32_t k = 0; k < words; k++)
			*w++ = pattern_word(pq->seed, io->lba + b, io->gen, k);
}

/* @return true when the buffer holds the pattern of @gen. */
static bool pattern_check(struct perf_qpair *pq, const struct perf_io *io, uint32_t gen)
{
	uint32_t bs = pq->pns->ns->block_size, words = bs / 8;
	const uint64_t *w = io->buf;

	for (uint32_t b = 0; b < io->nlb; b++) {
		for (uint32_t k = 0; k < words; k++, w++) {
			uint64_t want = pattern_word(pq->seed, io->lba + b, gen, k);

			if (*w == want)
				continue;
			if (pq->verify_msgs++ < PERF_VERIFY_MSGS_MAX)
				fprintf(stderr,
					"nvmf_perf: verify: %s: lba %" PRIu64
					" byte %u: read 0x%016" PRIx64 ", expected 0x%016" PRIx64
					" (generation %u)\n",
					pq->pns->name, io->lba + b, k * 8, *w, want, gen);
			return false;
		}
	}
	return true;
}

static uint64_t pick_slot(struct perf_qpair *pq, struct perf_io *io)
{
	uint32_t idx = (uint32_t)(io - pq->ios);
	uint64_t own;

	if (!pq->args->verify) {
		if (pq->args->random)
			return rng_next(&pq->rng) % pq->nslots;
		return pq->seq_next++ % pq->nslots;
	}
	own = (pq->nslots - idx + pq->ncontexts - 1) / pq->ncontexts;
	if (pq->args->random)
		return idx + (rng_next(&pq->rng) % own) * pq->ncontexts;
	return idx + (io->seq_cursor++ % own) * pq->ncontexts;
}

static bool pick_read(struct perf_qpair *pq)
{
	unsigned pct = pq->args->read_pct;

	if (pct >= 100 || pct == 0)
		return pct != 0;
	return rng_next(&pq->rng) % 100 < pct;
}

static void io_cb(void *arg, const struct nvme_cpl *cpl);

/*
 * Submit the commands of @io not yet submitted.
 * @return 0, 1 when the queue is full (call again later), or an errno.
 */
static int io_submit_cmds(struct perf_qpair *pq, struct perf_io *io)
{
	struct perf_ns *pns = pq->pns;
	struct nvme_qpair *qp;
	struct nvme_ns *ns;
	uint32_t n;
	char *buf;
	int rc;

	if (io->next_blk == 0) {
		rc = perf_mp_pick(pq);
		if (rc < 0 && env_ticks() - io->submit_tsc > pq->pns->path_wait_ticks)
			return -EHOSTUNREACH;
		if (rc < 0)
			return 1; /* no usable path yet: wait as for queue space */
		io->path = (uint8_t)rc;
	}
	qp = pq->qpairs[io->path];
	ns = pns->paths[io->path].ns;
	while (io->next_blk < io->nlb) {
		n = io->nlb - io->next_blk;
		if (n > pns->cmd_blocks)
			n = pns->cmd_blocks;
		buf = (char *)io->buf + (size_t)io->next_blk * pns->ns->block_size;
		if (io->is_read)
			rc = nvme_ns_read(ns, qp, buf, io->lba + io->next_blk, n, 0, io_cb, io);
		else
			rc = nvme_ns_write(ns, qp, buf, io->lba + io->next_blk, n, 0, io_cb, io);
		if (rc == -EAGAIN)
			return 1;
		if (rc)
			return rc;
		io->next_blk += n;
		io->pending++;
	}
	return 0;
}

/* Submit every command of @io from its first block (queued when full). */
static int io_resubmit(struct perf_qpair *pq, struct perf_io *io)
{
	int rc;

	io->next_blk = 0;
	io->pending = 0;
	io->failed = false;
	io->retry = false;
	io->failover = false;
	/* Others wait for a free slot: queue behind them, or they starve. */
	if (pq->nretry > 0) {
		pq->retry[pq->nretry++] = io;
		return 0;
	}
	rc = io_submit_cmds(pq, io);
	if (rc == 1) {
		pq->retry[pq->nretry++] = io;
		rc = 0;
	}
	return rc;
}

static int io_start(struct perf_qpair *pq, struct perf_io *io)
{
	uint32_t g;

	if (io->readback) {
		io->readback = false;
		io->is_read = true;
	} else {
		io->slot = pick_slot(pq, io);
		io->is_read = pick_read(pq);
	}
	io->lba = (pq->slot_base + io->slot) * pq->pns->io_blocks;
	io->nlb = pq->pns->io_blocks;
	if (pq->args->verify) {
		g = pq->slot_gen[io->slot];
		if (io->is_read && (g == PERF_GEN_NONE || g == PERF_GEN_UNKNOWN))
			io->is_read = false;
		if (!io->is_read) {
			if (++pq->next_gen == PERF_GEN_UNKNOWN)
				pq->next_gen = 1;
			io->gen = pq->next_gen;
			pattern_fill(pq, io);
		}
	}
	pq->active++;
	io->submit_tsc = env_ticks();
	return io_resubmit(pq, io);
}

static void io_verify(struct perf_qpair *pq, struct perf_io *io)
{
	uint32_t *gen = &pq->slot_gen[io->slot];

	if (io->failed) {
		if (!io->is_read)
			*gen = PERF_GEN_UNKNOWN;
		return;
	}
	if (!io->is_read) {
		*gen = io->gen;
		io->readback = true;
		return;
	}
	if (*gen == PERF_GEN_NONE || *gen == PERF_GEN_UNKNOWN)
		return;
	pq->stats.verified++;
	if (!pattern_check(pq, io, *gen))
		pq->stats.verify_errors++;
}

static void io_done(struct perf_qpair *pq, struct perf_io *io)
{
	uint64_t now = env_ticks(), bytes = (uint64_t)io->nlb * pq->pns->ns->block_size;
	int rc;

	if (io->retry && !io->failed) {
		if (!pq->dead) {
			if (io->failover)
				pq->stats.failovers++;
			else
				pq->stats.retried++;
			rc = io_resubmit(pq, io);
			if (rc && !pq->rc)
				pq->rc = rc;
			return;
		}
		io->failed = true; /* the queue pair is going away */
	}
	pq->active--;
	pq->all_ios++;
	pq->all_bytes += bytes;
	if (pq->args->verify)
		io_verify(pq, io);
	if (pq->measuring) {
		if (io->failed) {
			pq->stats.io_errors++;
		} else {
			pq->stats.ios++;
			pq->stats.bytes += bytes;
			if (io->is_read)
				pq->stats.reads++;
			else
				pq->stats.writes++;
			histogram_record(&pq->stats.lat, now - io->submit_tsc);
		}
	}
	/* Once the run is over, only the read-back of a completed write goes on. */
	if (pq->dead || (!pq->running && !io->readback))
		return;
	if (pq->args->pause_ms != 0 && !io->readback) {
		io->paused = true;
		io->resume_tsc = now + env_ticks_hz() * pq->args->pause_ms / 1000;
		pq->npaused++;
		return;
	}
	rc = io_start(pq, io);
	if (rc && !pq->rc)
		pq->rc = rc;
}

static void io_cb(void *arg, const struct nvme_cpl *cpl)
{
	struct perf_io *io = arg;
	uint16_t st = nvme_cpl_get_status(cpl);

	io->pending--;
	if (st == NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION)) {
		io->retry = true; /* DNR clear: the controller was reset */
	} else if (io->pq->pns->npaths > 1 && perf_mp_is_ana_status(st)) {
		perf_mp_path_status(io->pq->pns, io->path, st);
		io->retry = true;
		io->failover = true;
	} else if (nvme_cpl_is_error(cpl)) {
		io->failed = true;
		if (io->pq->first_error == 0)
			io->pq->first_error = nvme_cpl_get_status(cpl);
	}
	if (io->pending || io->next_blk < io->nlb)
		return;
	io_done(io->pq, io);
}

int perf_qpair_init(struct perf_qpair *pq, struct perf_ns *pns, const struct perf_args *a,
		    uint64_t slot_base, uint64_t nslots, uint64_t seed)
{
	memset(pq, 0, sizeof(*pq) - sizeof(pq->stats));
	perf_stats_init(&pq->stats);
	pq->pns = pns;
	pq->args = a;
	pq->slot_base = slot_base;
	pq->nslots = nslots;
	pq->seed = seed;
	pq->rng = (seed ^ (slot_base * GOLDEN)) | 1;
	pq->ncontexts = a->qd;
	pq->ios = calloc(a->qd, sizeof(*pq->ios));
	pq->retry = calloc(a->qd, sizeof(*pq->retry));
	if (a->verify)
		pq->slot_gen = calloc(nslots, sizeof(*pq->slot_gen));
	if (!pq->ios || !pq->retry || (a->verify && !pq->slot_gen))
		goto err_free;
	for (uint32_t i = 0; i < a->qd; i++) {
		pq->ios[i].pq = pq;
		pq->ios[i].buf = env_dma_zalloc(a->io_size, 4096);
		if (!pq->ios[i].buf)
			goto err_free;
	}
	return 0;
err_free:
	perf_qpair_fini(pq);
	return -ENOMEM;
}

void perf_qpair_fini(struct perf_qpair *pq)
{
	if (pq->ios)
		for (uint32_t i = 0; i < pq->ncontexts; i++)
			env_dma_free(pq->ios[i].buf);
	free(pq->ios);
	free(pq->retry);
	free(pq->slot_gen);
	pq->ios = NULL;
	pq->retry = NULL;
	pq->slot_gen = NULL;
}

int perf_qpair_start(struct perf_qpair *pq)
{
	int rc;

	pq->running = true;
	for (uint32_t i = 0; i < pq->ncontexts; i++) {
		rc = io_start(pq, &pq->ios[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* Give waiting I/Os another chance, in the order they waited. */
static int retry_waiting(struct perf_qpair *pq)
{
	uint32_t i, n = pq->nretry;
	int rc = 0;

	for (i = 0; i < n; i++) {
		rc = io_submit_cmds(pq, pq->retry[i]);
		if (rc)
			break;
	}
	memmove(pq->retry, pq->retry + i, (n - i) * sizeof(*pq->retry));
	pq->nretry = n - i;
	return rc < 0 ? rc : 0;
}

static int poll_paths(struct perf_qpair *pq, uint32_t budget)
{
	int rc, sum = 0;

	for (uint32_t p = 0; p < pq->pns->npaths; p++) {
		rc = nvme_qpair_poll(pq->qpairs[p], budget);
		if (rc < 0)
			return rc;
		sum += rc;
	}
	return sum;
}

/* Start the contexts whose --pause-ms is over (none once the run ends). */
static int resume_paused(struct perf_qpair *pq)
{
	uint64_t now = env_ticks();
	int rc = 0;

	for (uint32_t i = 0; i < pq->ncontexts && rc == 0; i++) {
		struct perf_io *io = &pq->ios[i];

		if (!io->paused || (pq->running && now < io->resume_tsc))
			continue;
		io->paused = false;
		pq->npaused--;
		if (pq->running)
			rc = io_start(pq, io);
	}
	return rc;
}

int perf_qpair_poll(struct perf_qpair *pq, uint32_t budget)
{
	int rc;

	if (pq->dead)
		return -ENXIO;
	if (pq->npaused) {
		rc = resume_paused(pq);
		if (rc)
			goto fail;
	}
	if (pq->nretry) {
		rc = retry_waiting(pq);
		if (rc)
			goto fail;
	}
	rc = poll_paths(pq, budget);
	if (rc >= 0 && pq->rc)
		rc = pq->rc;
	if (rc >= 0)
		return rc;
fail:
	pq->dead = true;
	pq->running = false;
	return rc;
}
