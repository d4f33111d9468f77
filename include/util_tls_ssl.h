/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_tls_ssl.h - the OpenSSL side of the NVMe/TCP secure channel, shared
 * by the target's transport and the host driver: a TLS 1.3 PSK-only
 * context, the session a TLS PSK becomes, and record I/O over iovecs on a
 * non-blocking socket with the errno conventions of recvmsg / sendmsg.
 * OpenSSL types are named by their struct tags so callers need not
 * include OpenSSL headers.
 */
#ifndef NVMF_TGT_UTIL_TLS_SSL_H
#define NVMF_TGT_UTIL_TLS_SSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "util_tls_psk.h"

struct ssl_st;
struct ssl_ctx_st;
struct ssl_session_st;

/**
 * A context for @server or client use: TLS 1.3 only, the suites
 * TLS_AES_128_GCM_SHA256 and TLS_AES_256_GCM_SHA384, no tickets, no early
 * data, partial and moving writes allowed, kernel TLS asked for.
 * @return it, or NULL.
 */
struct ssl_ctx_st *tls_ssl_ctx_new(bool server);

/**
 * The TLS 1.3 session of TLS PSK @tls on @ssl (the suite of its hash).
 * @return it (the caller or OpenSSL owns it), or NULL.
 */
struct ssl_session_st *tls_ssl_session(struct ssl_st *ssl, const struct tls_psk *tls);

/** 1 when @ssl writes its records through kernel TLS. */
bool tls_ssl_ktls(struct ssl_st *ssl);

/**
 * As recvmsg(): decrypted bytes into @iov, 0 when the peer closed, -1
 * with errno EAGAIN (nothing yet) or EPROTO (a TLS error: see
 * tls_ssl_error()). *@pending says whether decrypted bytes stay buffered
 * inside OpenSSL (no socket event will announce them).
 */
ssize_t tls_ssl_read(struct ssl_st *ssl, struct iovec *iov, int iovcnt, bool *pending);

/**
 * As sendmsg(): up to @txlen bytes of @iov gathered into @tx and written as
 * records. Retry with the same leading bytes after EAGAIN.
 * @return bytes taken, or -1 with errno EAGAIN or EPIPE.
 */
ssize_t tls_ssl_write(struct ssl_st *ssl, uint8_t *tx, size_t txlen, const struct iovec *iov,
		      uint32_t cnt);

/**
 * Send close_notify without waiting (best effort: the socket may be full
 * or gone), before the socket is closed. NULL is ignored.
 */
void tls_ssl_shutdown(struct ssl_st *ssl);

/** The first queued OpenSSL error as text into @buf (or @dflt), queue cleared. */
void tls_ssl_error(char *buf, size_t len, const char *dflt);

#endif /* NVMF_TGT_UTIL_TLS_SSL_H */
