/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_ssl.c - TLS 1.3 PSK contexts, sessions and record I/O with OpenSSL,
 * for both ends of the NVMe/TCP secure channel (util_tls_ssl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "util_tls_ssl.h"

struct ssl_ctx_st *tls_ssl_ctx_new(bool server)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (ctx == NULL)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384")) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* PSK only: no tickets (no resumption), no early data; kTLS where the kernel has it. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_max_early_data(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

struct ssl_session_st *tls_ssl_session(struct ssl_st *ssl, const struct tls_psk *tls)
{
	static const unsigned char suite[2][2] = {{0x13, 0x01}, {0x13, 0x02}};
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, suite[tls->hash == TLS_PSK_SHA384]);
	SSL_SESSION *s = SSL_SESSION_new();

	if (cipher == NULL || s == NULL || !SSL_SESSION_set1_master_key(s, tls->key, tls->len) ||
	    !SSL_SESSION_set_cipher(s, cipher) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return NULL;
	}
	return s;
}

bool tls_ssl_ktls(struct ssl_st *ssl)
{
	return BIO_get_ktls_send(SSL_get_wbio(ssl)) != 0;
}

ssize_t tls_ssl_read(struct ssl_st *ssl, struct iovec *iov, int iovcnt, bool *pending)
{
	ssize_t total = 0;
	size_t got;
	int i, err;

	for (i = 0; i < iovcnt; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len) {
			if (SSL_read_ex(ssl, (uint8_t *)iov[i].iov_base + off, iov[i].iov_len - off,
					&got) == 1) {
				off += got;
				continue;
			}
			err = SSL_get_error(ssl, 0);
			*pending = SSL_pending(ssl) > 0;
			if (total + (ssize_t)off > 0)
				return total + (ssize_t)off;
			if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
				errno = EAGAIN;
				return -1;
			}
			if (err == SSL_ERROR_ZERO_RETURN)
				return 0;
			errno = EPROTO;
			return -1;
		}
		total += (ssize_t)off;
	}
	*pending = SSL_pending(ssl) > 0;
	return total;
}

ssize_t tls_ssl_write(struct ssl_st *ssl, uint8_t *tx, size_t txlen, const struct iovec *iov,
		      uint32_t cnt)
{
	size_t len = 0, n, done = 0;
	int err;

	/* Gathered from the queue's head: a retried write sees the same bytes first. */
	for (uint32_t i = 0; i < cnt && len < txlen; i++) {
		n = iov[i].iov_len < txlen - len ? iov[i].iov_len : txlen - len;
		memcpy(tx + len, iov[i].iov_base, n);
		len += n;
	}
	if (SSL_write_ex(ssl, tx, len, &done) == 1)
		return (ssize_t)done;
	err = SSL_get_error(ssl, 0);
	errno = err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ ? EAGAIN : EPIPE;
	if (errno == EPIPE)
		ERR_clear_error();
	return -1;
}

void tls_ssl_shutdown(struct ssl_st *ssl)
{
	/*
	 * One non-blocking attempt: close_notify goes out when the socket
	 * takes it; the peer's close_notify is not waited for (RFC 8446
	 * allows closing without it). A connection that failed mid-record
	 * sends nothing more (a fatal error puts OpenSSL back "in init").
	 */
	if (ssl != NULL && SSL_is_init_finished(ssl) &&
	    !(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN))
		SSL_shutdown(ssl);
	ERR_clear_error();
}

void tls_ssl_error(char *buf, size_t len, const char *dflt)
{
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, buf, len);
	else
		snprintf(buf, len, "%s", dflt);
	ERR_clear_error();
}
