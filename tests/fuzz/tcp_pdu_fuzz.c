/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_pdu_fuzz.c - libFuzzer target: the NVMe/TCP target's receive path.
 *
 * The input is the byte stream a host sends on one connection, fed through
 * a socketpair into the real transport (transport/tcp) with a fake core:
 * exec completes every request at once with success. The first byte is a
 * control byte:
 *   bit 0     prepend a valid ICReq (so the stream starts past the handshake)
 *   bits 1-3  send chunk size, 1 << n bytes (exercises partial PDUs)
 *   bits 4-5  DGST of that ICReq (header / data digest)
 *   bit 6     C2HData SUCCESS optimisation on
 *   bit 7     the connection is a secure channel's (secure=tls): a TLS 1.3
 *             PSK handshake with an OpenSSL client first, then the bytes
 *             go in TLS records of the chunk size, so the target reads
 *             them through its TLS path (nvmf_tcp_tls_read: SSL_read into
 *             the staging buffer or straight into request buffers, with
 *             bytes left inside OpenSSL counted as pending, not drained)
 * Afterwards the connection must be idle (nothing queued, no request held)
 * or closed; then the host hangs up and the connection must close within a
 * bounded number of polls, every pool buffer back. Anything else aborts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "env.h"
#include "nvmf_transport.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"
#include "util_tls_psk.h"
#include "util_tls_ssl.h"

#define FZ_HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define FZ_SUB "nqn.2016-06.io.nvmf-tgt:fuzz"
#define FZ_KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** The fake core and the one connection under test. */
struct fz {
	const struct nvmf_transport_ops *ops;
	struct nvmf_transport *t;
	struct nvmf_tgroup *g;
	struct tcp_conn *c;
	int host;
	SSL *tls;               /**< the host's end of a secure channel, or NULL */
	struct tls_keyring *kr; /**< the target's keys (secure channel) */
	struct tls_psk tls_psk; /**< what the host offers */
	char ident[TLS_PSK_IDENTITY_MAX + 1];
	int closed;  /**< qpair_closed calls */
	bool in_ops; /**< inside an ops call (qpair_closed must not come then) */
};

static struct fz *g_fz;

static void fz_check(bool ok)
{
	if (!ok)
		abort();
}

static void fz_new_qpair(void *ctx, struct nvmf_qpair *q)
{
	struct fz *f = ctx;

	fz_check(f->ops->group_add(f->g, q) == 0);
}

static void fz_exec(struct nvmf_request *req)
{
	uint32_t i;

	fz_check(req->iovcnt <= NVMF_REQ_MAX_IOV);
	for (i = 0; i < req->iovcnt; i++) {
		/* Every byte lent to the core must be addressable. */
		if (req->xfer == NVMF_XFER_C2H)
			memset(req->iov[i].iov_base, 0xA5, req->iov[i].iov_len);
		else if (req->iov[i].iov_len > 0)
			(void)((volatile uint8_t *)req->iov[i].iov_base)[req->iov[i].iov_len - 1];
	}
	memset(&req->cpl, 0, sizeof(req->cpl));
	req->cpl.cid = req->cmd.cid;
	g_fz->ops->req_complete(req);
}

static void fz_qpair_closed(struct nvmf_qpair *q)
{
	fz_check(q == &g_fz->c->base);
	fz_check(!g_fz->in_ops);
	g_fz->closed++;
}

static int fz_poll(struct fz *f)
{
	return f->ops->group_poll(f->g);
}

/* Read and drop whatever the target sent. @return true at EOF. */
static bool fz_drain(struct fz *f)
{
	uint8_t buf[65536];

	for (;;) {
		ssize_t n = recv(f->host, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0)
			return true;
		if (n < 0)
			return false;
	}
}

static int fz_offer_psk(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
			SSL_SESSION **sess)
{
	(void)md;
	*sess = tls_ssl_session(ssl, &g_fz->tls_psk);
	*id = (const unsigned char *)g_fz->ident;
	*idlen = strlen(g_fz->ident);
	return *sess != NULL;
}

/* The keyring of the target and the host's PSK identity and TLS PSK. */
static void fz_tls_keys(struct fz *f, struct nvmf_transport_upcalls *up)
{
	struct tls_psk cfg, retained;

	fz_check(tls_psk_parse(FZ_KEY, &cfg, NULL) == 0);
	f->kr = tls_keyring_create();
	fz_check(f->kr != NULL && tls_keyring_add(f->kr, FZ_HOST, FZ_SUB, &cfg, NULL) == 0);
	fz_check(tls_psk_retained(&cfg, FZ_HOST, &retained) == 0);
	fz_check(tls_psk_identity(&retained, 1, FZ_HOST, FZ_SUB, f->ident, sizeof(f->ident),
				  &f->tls_psk) == 0);
	tls_psk_wipe(&cfg);
	tls_psk_wipe(&retained);
	up->keyring = f->kr;
}

/* The handshake, both ends stepped in turn; it must succeed. */
static void fz_tls_handshake(struct fz *f)
{
	SSL_CTX *ctx = tls_ssl_ctx_new(false);
	int i, rc = 0;

	fz_check(ctx != NULL && nvmf_tcp_tls_ctx(nvmf_tcp_transport_of(f->t)) == 0);
	f->tls = SSL_new(ctx);
	SSL_CTX_free(ctx);
	fz_check(f->tls != NULL && SSL_set_fd(f->tls, f->host));
	SSL_set_psk_use_session_callback(f->tls, fz_offer_psk);
	SSL_set_connect_state(f->tls);
	for (i = 0; i < 1000 && (rc = SSL_do_handshake(f->tls)) != 1; i++) {
		int err = SSL_get_error(f->tls, rc);

		fz_check(err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE);
		fz_poll(f);
	}
	fz_check(rc == 1);
	for (i = 0; i < 1000 && f->c->tls_phase != TCP_TLS_ON; i++)
		fz_poll(f);
	fz_check(f->c->tls_phase == TCP_TLS_ON && f->closed == 0);
}

/* Send up to @len bytes: plain, or as one TLS record. @return bytes, 0 (full), -1. */
static ssize_t fz_send(struct fz *f, const uint8_t *p, size_t len)
{
	size_t done = 0;
	int err;

	if (f->tls == NULL) {
		ssize_t n = send(f->host, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		return n >= 0 ? n : errno == EAGAIN ? 0 : -1;
	}
	if (SSL_write_ex(f->tls, p, len, &done) == 1)
		return (ssize_t)done;
	err = SSL_get_error(f->tls, 0);
	return err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ ? 0 : -1;
}

static int fz_setup(struct fz *f, uint8_t ctl)
{
	struct nvmf_listen_addr local = {.trtype = NVMF_TRTYPE_TCP,
					 .adrfam = NVMF_ADRFAM_IPV4,
					 .traddr = "127.0.0.1",
					 .trsvcid = "4420",
					 .secure = NVMF_LISTEN_SECURE_TLS};
	struct nvmf_transport_upcalls up = {
	    .ctx = f,
	    .new_qpair = fz_new_qpair,
	    .exec = fz_exec,
	    .qpair_closed = fz_qpair_closed,
	};
	struct nvmf_transport_opts o;
	int sv[2];

	memset(f, 0, sizeof(*f));
	g_fz = f;
	/* As in nvmf_tgt: OpenSSL writes with write(), a closed peer must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* Fatal errors are the expected outcome: log them only when asked. */
	log_set_level(getenv("FUZZ_LOG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	nvmf_transport_opts_init(&o, NVMF_TRTYPE_TCP);
	/* Small queues and pools: exhaustion is reachable. */
	o.max_queue_depth = 8;
	o.max_aq_depth = 8;
	o.in_capsule_data_size = 4096;
	o.io_unit_size = 4096;
	o.max_io_size = 32768;
	o.num_shared_buffers = 12;
	o.hdgst_allowed = true;
	o.ddgst_allowed = true;
	if (ctl & 0x80)
		fz_tls_keys(f, &up);
	f->ops = nvmf_transport_ops_get(NVMF_TRTYPE_TCP);
	fz_check(f->ops != NULL);
	f->t = f->ops->create(&o, &up);
	fz_check(f->t != NULL);
	nvmf_tcp_transport_of(f->t)->c2h_success = ctl & 0x40;
	f->g = f->ops->group_create(f->t);
	fz_check(f->g != NULL);
	fz_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	f->host = sv[1];
	f->c = nvmf_tcp_conn_create(nvmf_tcp_transport_of(f->t), sv[0], NULL,
				    ctl & 0x80 ? &local : NULL);
	fz_check(f->c != NULL);
	f->in_ops = true;
	fz_check(f->ops->group_add(f->g, &f->c->base) == 0);
	f->in_ops = false;
	if (ctl & 0x80) {
		fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
		fz_tls_handshake(f);
	}
	return 0;
}

/* Send @len bytes in @chunk pieces, polling the target between them. */
static void fz_feed(struct fz *f, const uint8_t *p, size_t len, size_t chunk)
{
	int stuck = 0;

	while (len > 0 && f->closed == 0) {
		ssize_t n = fz_send(f, p, len < chunk ? len : chunk);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			stuck = 0;
		} else if (n < 0) {
			break; /* the target closed its end */
		} else {
			fz_check(++stuck < 10000); /* it stopped reading: a hang */
		}
		fz_poll(f);
		if (fz_drain(f))
			break;
	}
}

/* Poll until nothing happens for a few rounds; check idle or closed. */
static void fz_settle(struct fz *f)
{
	int i, quiet = 0;

	for (i = 0; i < 2000 && quiet < 4; i++) {
		int busy = fz_poll(f);
		bool eof = fz_drain(f);

		quiet = busy == NVMF_POLL_IDLE || eof ? quiet + 1 : 0;
	}
	fz_check(quiet >= 4); /* busy forever on a stream that ended */
	if (getenv("FUZZ_LOG") != NULL)
		fprintf(stderr, "fuzz: %lu PDUs received, last type %u, connection state %d\n",
			(unsigned long)f->c->rx_pdus, f->c->rx_type, f->c->state);
	if (f->closed == 0 && f->c->state < TCP_CONN_CLOSING) {
		fz_check(TAILQ_EMPTY(&f->c->sendq));
		fz_check(f->c->core_owned == 0);
	}
}

/* Hang up; the connection must close and give every buffer back. */
static void fz_teardown(struct fz *f)
{
	struct tcp_group *g = (struct tcp_group *)f->g;
	int i;

	SSL_free(f->tls);
	close(f->host);
	for (i = 0; i < 1000 && f->closed == 0; i++)
		fz_poll(f);
	fz_check(f->closed == 1);
	fz_poll(f);
	fz_check(f->closed == 1);
	fz_check(f->c->core_owned == 0);
	fz_check(env_pool_avail(g->buf_pool) == f->t->opts.num_shared_buffers);
	f->in_ops = true;
	f->ops->qpair_free(&f->c->base);
	f->ops->group_destroy(f->g);
	f->ops->destroy(f->t);
	tls_keyring_destroy(f->kr);
	tls_psk_wipe(&f->tls_psk);
	g_fz = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_tcp_icreq ic;
	struct fz f;
	uint8_t ctl;
	size_t chunk;

	if (size < 1)
		return 0;
	ctl = data[0];
	chunk = (size_t)1 << ((ctl >> 1) & 7) * 2;
	data++;
	size--;
	fz_setup(&f, ctl);
	if (ctl & 1) {
		memset(&ic, 0, sizeof(ic));
		ic.ch.pdu_type = NVME_TCP_PDU_ICREQ;
		ic.ch.hlen = sizeof(ic);
		ic.ch.plen = sizeof(ic);
		ic.maxr2t = 3;
		ic.dgst = (ctl >> 4) & 3;
		fz_feed(&f, (const uint8_t *)&ic, sizeof(ic), sizeof(ic));
	}
	fz_feed(&f, data, size, chunk);
	fz_settle(&f);
	fz_teardown(&f);
	return 0;
}
