/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_tls.c - the host side of the NVMe/TCP secure channel: TLS 1.3 with a
 * PSK, before the ICReq. The configured PSK of the controller's opts gives
 * the retained PSK for the host NQN, then the PSK identity of the chosen
 * version and the TLS PSK for the (host, subsystem) pair (util_tls_psk.h).
 * The handshake runs on the non-blocking socket with poll() and a
 * deadline; afterwards the PDU code reads and writes through OpenSSL.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "env.h"
#include "nvme/tcp/tcp_internal.h"
#include "util.h"
#include "util_tls_ssl.h"

#define NVME_TCP_TLS_TX_SIZE (64u * 1024)

struct nvme_tcp_tls {
	SSL_CTX *ctx;
	SSL *ssl;
	struct tls_psk psk; /* the TLS PSK */
	char identity[TLS_PSK_IDENTITY_MAX + 1];
	bool pending;
	uint8_t tx[NVME_TCP_TLS_TX_SIZE];
};

static int tls_use_session(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
			   SSL_SESSION **sess)
{
	struct nvme_tcp_tls *t = SSL_get_app_data(ssl);

	(void)md;
	*sess = tls_ssl_session(ssl, &t->psk);
	if (*sess == NULL)
		return 0;
	*id = (const unsigned char *)t->identity;
	*idlen = strlen(t->identity);
	return 1;
}

/* OpenSSL writes with write(): a closed peer must fail the call, not kill us. */
static void tls_ignore_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
}

static int tls_setup(struct nvme_tcp_tls *t, struct nvme_ctrlr *ctrlr, int fd)
{
	const struct nvme_ctrlr_opts *o = &ctrlr->opts;
	struct tls_psk retained;
	int rc;

	rc = tls_psk_retained(&o->tls_key, nvme_fabrics_hostnqn(ctrlr), &retained);
	if (rc == 0)
		rc = tls_psk_identity(&retained, o->tls_identity, nvme_fabrics_hostnqn(ctrlr),
				      nvme_fabrics_subnqn(ctrlr), t->identity, sizeof(t->identity),
				      &t->psk);
	tls_psk_wipe(&retained);
	if (rc != 0)
		return rc;
	t->ctx = tls_ssl_ctx_new(false);
	t->ssl = t->ctx != NULL ? SSL_new(t->ctx) : NULL;
	if (t->ssl == NULL || !SSL_set_fd(t->ssl, fd))
		return -ENOMEM;
	SSL_set_app_data(t->ssl, t);
	SSL_set_psk_use_session_callback(t->ssl, tls_use_session);
	SSL_set_connect_state(t->ssl);
	return 0;
}

static int tls_handshake(struct nvme_tcp_qpair *tq, int fd, uint32_t timeout_ms)
{
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(timeout_ms);
	struct pollfd pfd = {.fd = fd};
	char why[256];
	int rc, err;

	for (;;) {
		rc = SSL_do_handshake(tq->tls->ssl);
		if (rc == 1)
			return 0;
		err = SSL_get_error(tq->tls->ssl, rc);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			tls_ssl_error(why, sizeof(why), "connection closed by the controller");
			log_error(NVME_TCP_LOG, "%s: TLS handshake failed (identity '%s'): %s",
				  tq->name, tq->tls->identity, why);
			return -ECONNREFUSED;
		}
		if (env_ticks() > deadline) {
			log_error(NVME_TCP_LOG, "%s: no TLS handshake within %u ms", tq->name,
				  timeout_ms);
			return -ETIMEDOUT;
		}
		pfd.events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		poll(&pfd, 1, 10);
	}
}

int nvme_tcp_tls_connect(struct nvme_tcp_qpair *tq, struct nvme_ctrlr *ctrlr, int fd,
			 uint32_t timeout_ms)
{
	int rc;

	tls_ignore_sigpipe();
	snprintf(tq->name, sizeof(tq->name), "%.64s:%.32s", ctrlr->trid.traddr,
		 ctrlr->trid.trsvcid);
	tq->tls = calloc(1, sizeof(*tq->tls));
	if (tq->tls == NULL)
		return -ENOMEM;
	rc = tls_setup(tq->tls, ctrlr, fd);
	if (rc == 0)
		rc = tls_handshake(tq, fd, timeout_ms);
	if (rc != 0) {
		nvme_tcp_tls_close(tq);
		return rc == -ETIMEDOUT || rc == -ECONNREFUSED ? rc : -ENOMEM;
	}
	log_info(NVME_TCP_LOG, "%s: TLS 1.3 %s, PSK identity version %u, records by %s", tq->name,
		 SSL_CIPHER_get_name(SSL_get_current_cipher(tq->tls->ssl)),
		 ctrlr->opts.tls_identity, tls_ssl_ktls(tq->tls->ssl) ? "kernel TLS" : "OpenSSL");
	return 0;
}

ssize_t nvme_tcp_tls_recv(struct nvme_tcp_qpair *tq, void *buf, size_t len)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	ssize_t n = tls_ssl_read(tq->tls->ssl, &iov, 1, &tq->tls->pending);
	char why[256];

	if (n < 0 && errno == EPROTO) {
		tls_ssl_error(why, sizeof(why), "?");
		log_error(NVME_TCP_LOG, "%s: TLS receive failed: %s", tq->name, why);
		errno = EPROTO;
	}
	return n;
}

ssize_t nvme_tcp_tls_send(struct nvme_tcp_qpair *tq, const struct iovec *iov, uint32_t cnt)
{
	return tls_ssl_write(tq->tls->ssl, tq->tls->tx, sizeof(tq->tls->tx), iov, cnt);
}

void nvme_tcp_tls_close(struct nvme_tcp_qpair *tq)
{
	struct nvme_tcp_tls *t = tq->tls;

	if (t == NULL)
		return;
	tls_ssl_shutdown(t->ssl);
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	tls_psk_wipe(&t->psk);
	free(t);
	tq->tls = NULL;
}
