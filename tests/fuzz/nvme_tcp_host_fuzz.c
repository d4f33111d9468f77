/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_tcp_host_fuzz.c - libFuzzer target: the NVMe/TCP host driver's
 * receive path (nvme/tcp) against a malicious controller.
 *
 * A host queue pair sits on one end of a socketpair; the input is what the
 * controller sends after the host's ICReq. The first byte is a control byte:
 *   bit 0     prepend a valid ICResp (so the stream starts past the handshake)
 *   bits 1-2  header / data digest asked for in the ICReq
 *   bits 3-5  send chunk size, 1 << 2n bytes (exercises partial PDUs)
 * As soon as the queue pair is ready, a read, an R2T write and an in-capsule
 * write are submitted into exactly sized heap buffers (ASan sees any byte
 * written past them). Every command must complete at most once while the
 * stream plays and exactly once after the queue pair is aborted; nothing
 * may stay outstanding, and the queue pair must never spin.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nvme/nvme_internal.h"
#include "nvme/tcp/tcp_internal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_NCMDS 3

static const uint32_t g_len[FZ_NCMDS] = {1024, 4096, 512};
static const uint8_t g_opc[FZ_NCMDS] = {NVME_OPC_READ, NVME_OPC_WRITE, NVME_OPC_WRITE};

struct fz {
	int peer;
	struct nvme_ctrlr *ctrlr;
	struct nvme_tcp_qpair *tq;
	bool submitted;
	uint8_t *buf[FZ_NCMDS];
	int calls[FZ_NCMDS];
	bool queued[FZ_NCMDS];
};

static void fz_check(bool ok)
{
	if (!ok)
		abort();
}

static void fz_done(void *arg, const struct nvme_cpl *cpl)
{
	int *calls = arg;

	(void)cpl;
	(*calls)++;
	fz_check(*calls == 1); /* completed twice */
}

/* Read and drop what the host sent (ICReq, capsules, H2CData). */
static void fz_drain(struct fz *f)
{
	uint8_t buf[16384];

	while (recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void fz_setup(struct fz *f, uint8_t ctl)
{
	int sv[2], i;

	memset(f, 0, sizeof(*f));
	log_set_level(getenv("FUZZ_LOG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	fz_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	f->peer = sv[1];
	fcntl(f->peer, F_SETFL, fcntl(f->peer, F_GETFL) | O_NONBLOCK);
	f->ctrlr = calloc(1, sizeof(*f->ctrlr));
	f->tq = calloc(1, sizeof(*f->tq));
	fz_check(f->ctrlr != NULL && f->tq != NULL);
	f->ctrlr->ops = &nvme_tcp_ops;
	fz_check(nvme_tcp_qpair_init(f->tq, f->ctrlr, 1, 8, sv[0], ctl & 2, ctl & 4) == 0);
	f->tq->icd_max = 1024;
	for (i = 0; i < FZ_NCMDS; i++) {
		f->buf[i] = malloc(g_len[i]);
		fz_check(f->buf[i] != NULL);
		memset(f->buf[i], i, g_len[i]);
	}
	fz_check(nvme_tcp_poll(&f->tq->base, 0) == 0); /* sends the ICReq */
	fz_drain(f);
}

/* Once the queue pair is ready, put the commands in flight. */
static void fz_submit(struct fz *f)
{
	struct nvme_cmd cmd;
	int i;

	if (f->submitted || f->tq->state != NVME_TCP_Q_READY || f->tq->base.failed)
		return;
	f->submitted = true;
	for (i = 0; i < FZ_NCMDS; i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.opc = g_opc[i];
		cmd.nsid = 1;
		f->queued[i] = nvme_qpair_submit_raw(&f->tq->base, &cmd, f->buf[i], g_len[i],
						     fz_done, &f->calls[i]) == 0;
	}
}

static int fz_poll(struct fz *f)
{
	int rc = nvme_qpair_poll(&f->tq->base, 0);

	fz_check(rc >= 0 || rc == -ENXIO);
	fz_drain(f);
	fz_submit(f);
	return rc;
}

static void fz_feed(struct fz *f, const uint8_t *p, size_t len, size_t chunk)
{
	int stuck = 0;

	while (len > 0 && !f->tq->base.failed) {
		ssize_t n =
		    send(f->peer, p, len < chunk ? len : chunk, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			stuck = 0;
		} else if (n < 0 && errno != EAGAIN) {
			break;
		} else {
			fz_check(++stuck < 10000); /* the host stopped reading */
		}
		fz_poll(f);
	}
}

static void fz_teardown(struct fz *f)
{
	struct nvme_qpair *q = &f->tq->base;
	int i;

	for (i = 0; i < 64; i++)
		fz_poll(f);
	if (getenv("FUZZ_LOG") != NULL)
		fprintf(stderr, "fuzz: state %d failed %d, completed before abort: %d %d %d\n",
			f->tq->state, f->tq->base.failed, f->calls[0], f->calls[1], f->calls[2]);
	nvme_qpair_abort_all(q, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	fz_check(nvme_qpair_outstanding(q) == 0);
	for (i = 0; i < FZ_NCMDS; i++) {
		fz_check(f->calls[i] == (f->queued[i] ? 1 : 0));
		free(f->buf[i]);
	}
	nvme_tcp_qpair_fini(f->tq);
	free(f->tq);
	free(f->ctrlr);
	close(f->peer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_tcp_icresp ic;
	struct fz f;
	uint8_t ctl;

	if (size < 1)
		return 0;
	ctl = data[0];
	fz_setup(&f, ctl);
	if (ctl & 1) {
		memset(&ic, 0, sizeof(ic));
		ic.ch.pdu_type = NVME_TCP_PDU_ICRESP;
		ic.ch.hlen = sizeof(ic);
		ic.ch.plen = sizeof(ic);
		ic.dgst = (uint8_t)((ctl & 2 ? NVME_TCP_DGST_HDGST_ENABLE : 0) |
				    (ctl & 4 ? NVME_TCP_DGST_DDGST_ENABLE : 0));
		ic.maxh2cdata = 4096;
		fz_feed(&f, (const uint8_t *)&ic, sizeof(ic), sizeof(ic));
	}
	fz_feed(&f, data + 1, size - 1, (size_t)1 << ((ctl >> 3) & 7) * 2);
	fz_teardown(&f);
	return 0;
}
