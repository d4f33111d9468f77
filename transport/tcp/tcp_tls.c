/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_tls.c - the NVMe/TCP secure channel of the target: TLS 1.3 with a
 * pre-shared key, on listeners with secure=tls.
 *
 * A connection accepted there starts in TCP_TLS_PEEK: its first byte tells
 * a TLS record (0x16, handshake) from a plain ICReq (PDU type 0), which is
 * refused. TCP_TLS_HANDSHAKE then runs the server handshake without
 * blocking, on the group thread: the PSK identity the host sends names the
 * host and the subsystem, and the keyring gives the TLS PSK. Both phases
 * are stepped on every group poll while any connection is in them, and a
 * connection still there after TCP_TLS_HANDSHAKE_MS is closed, so a silent
 * host never stalls the others. In TCP_TLS_ON the PDU code reads and writes
 * through SSL_read / SSL_write (kernel TLS underneath when OpenSSL could
 * turn it on, OpenSSL's records otherwise: the log says which).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "env.h"
#include "transport/tcp/tcp_internal.h"
#include "util.h"
#include "util_tls_psk.h"
#include "util_tls_ssl.h"

/** Bytes gathered from the send queue into one SSL_write. */
#define TCP_TLS_TX_SIZE (64u * 1024)

struct tcp_tls {
	SSL *ssl;
	/* The NQNs of the PSK identity the host authenticated with. */
	char hostnqn[NVME_NQN_FIELD_LEN];
	char subnqn[NVME_NQN_FIELD_LEN];
	uint8_t tx[TCP_TLS_TX_SIZE];
};

/* ----------------------------------------------------------- the context */

/* Keep the NQNs of the identity the keyring accepted, for the Connect check. */
static void tls_keep_identity(struct tcp_conn *c, const unsigned char *id, size_t len)
{
	char buf[TLS_PSK_IDENTITY_MAX + 1];
	struct tls_psk_ident ident;

	if (len > TLS_PSK_IDENTITY_MAX)
		return;
	memcpy(buf, id, len);
	buf[len] = '\0';
	if (tls_psk_ident_parse(buf, &ident) != 0)
		return;
	snprintf(c->tls->hostnqn, sizeof(c->tls->hostnqn), "%s", ident.hostnqn);
	snprintf(c->tls->subnqn, sizeof(c->tls->subnqn), "%s", ident.subnqn);
}

static int tls_find_session(SSL *ssl, const unsigned char *id, size_t len, SSL_SESSION **sess)
{
	struct tcp_conn *c = SSL_get_app_data(ssl);
	struct tls_keyring *kr = nvmf_tcp_conn_transport(c)->base.up.keyring;
	struct tls_psk psk;

	*sess = NULL;
	if (kr == NULL || tls_keyring_find(kr, (const char *)id, len, &psk) != 0) {
		log_warn(TCP_LOG, "TLS from %s:%s: no key for PSK identity '%.*s'",
			 c->base.peer.traddr, c->base.peer.trsvcid, (int)(len < 600 ? len : 600),
			 (const char *)id);
		return 1; /* no session: the handshake fails */
	}
	*sess = tls_ssl_session(ssl, &psk);
	tls_psk_wipe(&psk);
	if (*sess == NULL)
		return 0;
	tls_keep_identity(c, id, len);
	return 1;
}

int nvmf_tcp_tls_ctx(struct tcp_transport *t)
{
	SSL_CTX *ctx;

	if (t->tls_ctx != NULL)
		return 0;
	ctx = tls_ssl_ctx_new(true);
	if (ctx == NULL)
		return -ENOMEM;
	SSL_CTX_set_psk_find_session_callback(ctx, tls_find_session);
	t->tls_ctx = ctx;
	return 0;
}

void nvmf_tcp_tls_ctx_free(struct tcp_transport *t)
{
	SSL_CTX_free(t->tls_ctx);
	t->tls_ctx = NULL;
}

/* ------------------------------------------------------------- handshake */

void nvmf_tcp_tls_conn_init(struct tcp_conn *c)
{
	if (c->base.local.secure != NVMF_LISTEN_SECURE_TLS)
		return;
	c->tls_phase = TCP_TLS_PEEK;
	c->tls_deadline = env_ticks() + env_ticks_hz() * nvmf_tcp_tls_timeout_ms(c) / 1000;
}

uint32_t nvmf_tcp_tls_timeout_ms(struct tcp_conn *c)
{
	uint32_t s = nvmf_tcp_conn_transport(c)->base.opts.tls_handshake_timeout_s;

	return (s != 0 ? s : NVMF_TLS_HANDSHAKE_TIMEOUT_S_DEFAULT) * 1000u;
}

static void tls_log_error(struct tcp_conn *c, const char *what)
{
	char buf[256];

	tls_ssl_error(buf, sizeof(buf), "connection closed by the host");
	log_warn(TCP_LOG, "connection from %s:%s: %s: %s: closing", c->base.peer.traddr,
		 c->base.peer.trsvcid, what, buf);
}

/* The first byte: a TLS handshake record, or a plain PDU (refused). */
static int tls_peek(struct tcp_conn *c)
{
	uint8_t b;
	ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return NVMF_POLL_IDLE;
	if (n == 1 && b == 0x16) {
		c->tls_phase = TCP_TLS_HANDSHAKE;
		return NVMF_POLL_BUSY;
	}
	if (n == 1)
		log_warn(TCP_LOG,
			 "connection from %s:%s on %s:%s: plain NVMe/TCP (first byte 0x%02x) "
			 "on a listener that requires TLS (secure=tls): refused",
			 c->base.peer.traddr, c->base.peer.trsvcid, c->base.local.traddr,
			 c->base.local.trsvcid, b);
	nvmf_tcp_conn_close(c);
	return NVMF_POLL_BUSY;
}

static int tls_new(struct tcp_conn *c)
{
	struct tcp_transport *t = nvmf_tcp_conn_transport(c);
	int fl = fcntl(c->fd, F_GETFL);

	if (t->tls_ctx == NULL || fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -EINVAL;
	c->tls = calloc(1, sizeof(*c->tls));
	if (c->tls == NULL)
		return -ENOMEM;
	c->tls->ssl = SSL_new(t->tls_ctx);
	if (c->tls->ssl == NULL || !SSL_set_fd(c->tls->ssl, c->fd))
		return -ENOMEM;
	SSL_set_app_data(c->tls->ssl, c);
	SSL_set_accept_state(c->tls->ssl);
	return 0;
}

static int tls_handshake(struct tcp_conn *c)
{
	SSL *ssl;
	int rc, err;

	if (c->tls == NULL && tls_new(c) != 0) {
		tls_log_error(c, "TLS setup failed");
		nvmf_tcp_conn_close(c);
		return NVMF_POLL_BUSY;
	}
	ssl = c->tls->ssl;
	rc = SSL_do_handshake(ssl);
	if (rc == 1) {
		c->tls_phase = TCP_TLS_ON;
		/* The core checks the Connect data against these (one identity per connection). */
		c->base.tls_hostnqn = c->tls->hostnqn;
		c->base.tls_subnqn = c->tls->subnqn;
		log_info(TCP_LOG, "connection from %s:%s: TLS 1.3 %s, records by %s",
			 c->base.peer.traddr, c->base.peer.trsvcid,
			 SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)),
			 tls_ssl_ktls(ssl) ? "kernel TLS" : "OpenSSL");
		return NVMF_POLL_BUSY;
	}
	err = SSL_get_error(ssl, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
		return NVMF_POLL_IDLE;
	tls_log_error(c, "TLS handshake failed");
	nvmf_tcp_conn_close(c);
	return NVMF_POLL_BUSY;
}

int nvmf_tcp_tls_poll(struct tcp_conn *c)
{
	if (c->state >= TCP_CONN_CLOSING)
		return NVMF_POLL_IDLE;
	if (c->tls_phase == TCP_TLS_PEEK)
		return tls_peek(c);
	return tls_handshake(c);
}

int nvmf_tcp_tls_sweep(struct tcp_group *g)
{
	struct tcp_conn *c, *next;
	uint64_t now = env_ticks();
	int busy = NVMF_POLL_IDLE;
	uint32_t left = 0;

	for (c = TAILQ_FIRST(&g->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->tls_phase <= TCP_TLS_ON || c->state >= TCP_CONN_CLOSING)
			continue;
		if (now >= c->tls_deadline) {
			log_warn(TCP_LOG,
				 "connection from %s:%s: no TLS handshake within %u ms: closing",
				 c->base.peer.traddr, c->base.peer.trsvcid,
				 nvmf_tcp_tls_timeout_ms(c));
			nvmf_tcp_conn_close(c);
			busy = NVMF_POLL_BUSY;
			continue;
		}
		busy |= nvmf_tcp_tls_poll(c);
		left += c->tls_phase > TCP_TLS_ON && c->state < TCP_CONN_CLOSING;
	}
	g->nhandshakes = left;
	return busy;
}

/* ------------------------------------------------------------- records */

ssize_t nvmf_tcp_tls_read(struct tcp_conn *c, struct iovec *iov, int iovcnt)
{
	ssize_t n = tls_ssl_read(c->tls->ssl, iov, iovcnt, &c->tls_pending);

	if (n < 0 && errno == EPROTO)
		tls_log_error(c, "TLS receive failed");
	return n;
}

ssize_t nvmf_tcp_tls_write(struct tcp_conn *c, const struct iovec *iov, uint32_t cnt)
{
	return tls_ssl_write(c->tls->ssl, c->tls->tx, sizeof(c->tls->tx), iov, cnt);
}

void nvmf_tcp_tls_shutdown(struct tcp_conn *c)
{
	if (c->tls != NULL && c->tls_phase == TCP_TLS_ON)
		tls_ssl_shutdown(c->tls->ssl);
}

void nvmf_tcp_tls_free(struct tcp_conn *c)
{
	if (c->tls == NULL)
		return;
	c->base.tls_hostnqn = c->base.tls_subnqn = NULL;
	SSL_free(c->tls->ssl);
	free(c->tls);
	c->tls = NULL;
}
