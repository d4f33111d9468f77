/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_test.c - the NVMe/TCP secure channel from the wire: a child nvmf_tgt
 * serves one subsystem on a secure=tls listener (port P) and a plain one
 * (P + 1). An OpenSSL TLS 1.3 client offers the PSK identity a Linux host
 * sends (version 0 and 1) and exchanges ICReq/ICResp inside TLS; a wrong
 * key, a plain ICReq on the TLS listener and a silent client are refused
 * or dropped (after [Transport] TlsHandshakeTimeout) while other
 * connections keep working. A Connect must name the host and subsystem of
 * the PSK identity; a connection the target closes ends with close_notify.
 *
 * The binary: $NVMF_TGT_BIN, else build/bin/nvmf_tgt. The port:
 * $NVMF_TEST_PORT, else 25200 + pid % 1000.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "nvme_spec.h"
#include "nvmf_spec.h"
#include "tgt_child.h"
#include "util_tls_psk.h"

#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define SUB "nqn.2016-06.io.nvmf-tgt:tls0"
/* A second host of SUB and a second subsystem HOST may use, each with a key. */
#define HOST2 "nqn.2014-08.org.nvmexpress:uuid:66666666-7777-8888-9999-aaaaaaaaaaaa"
#define SUB2 "nqn.2016-06.io.nvmf-tgt:tls1"
#define KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
/* Another valid key (from nvme-cli's gen-tls-key): the wrong one here. */
#define OTHER_KEY "NVMeTLSkey-1:01:Ux2X2E1Yi9ODPvFnx0jJdFg6i6UmJfNA2GqvagRAqx5fJaa4:"

static struct tgt_child g_tgt;

/* What the client offers: identity and TLS PSK. */
static char g_ident[TLS_PSK_IDENTITY_MAX];
static struct tls_psk g_tls;

static int start(void **state)
{
	const char *env = getenv("NVMF_TEST_PORT");
	char text[1024];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	g_tgt.port = env ? atoi(env) : 25200 + getpid() % 1000;
	snprintf(text, sizeof(text),
		 "[Transport]\nType TCP\nTlsHandshakeTimeout 3\n[Ram]\nName ram0\nSize 16M\n"
		 "[Ram]\nName ram1\nSize 16M\n[Subsystem]\nNQN " SUB "\n"
		 "Listen TCP 127.0.0.1:%d secure=tls\nListen TCP 127.0.0.1:%d\n"
		 "Host " HOST " psk=" KEY "\nHost " HOST2 " psk=" OTHER_KEY "\nNamespace ram0 1\n"
		 "[Subsystem]\nNQN " SUB2 "\nListen TCP 127.0.0.1:%d secure=tls\n"
		 "Host " HOST " psk=" KEY "\nNamespace ram1 1\n",
		 g_tgt.port, g_tgt.port + 1, g_tgt.port);
	if (tgt_child_write_conf(&g_tgt, text) != 0 || tgt_child_start(&g_tgt) != 0)
		return -1;
	return 0;
}

static int stop(void **state)
{
	(void)state;
	return tgt_child_stop(&g_tgt) == 0 ? 0 : -1;
}

static int dial(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct timeval tv = {.tv_sec = 15};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Identity and TLS PSK of @key for version @version. */
static void offer(const char *key, int version)
{
	struct tls_psk cfg, ret;

	assert_int_equal(tls_psk_parse(key, &cfg, NULL), 0);
	assert_int_equal(tls_psk_retained(&cfg, HOST, &ret), 0);
	assert_int_equal(
	    tls_psk_identity(&ret, version, HOST, SUB, g_ident, sizeof(g_ident), &g_tls), 0);
}

static int use_session(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
		       SSL_SESSION **sess)
{
	static const unsigned char aes128[2] = {0x13, 0x01};
	SSL_SESSION *s = SSL_SESSION_new();

	(void)md;
	SSL_SESSION_set1_master_key(s, g_tls.key, g_tls.len);
	SSL_SESSION_set_cipher(s, SSL_CIPHER_find(ssl, aes128));
	SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION);
	*id = (const unsigned char *)g_ident;
	*idlen = strlen(g_ident);
	*sess = s;
	return 1;
}

/* A TLS client on @fd. @return the SSL after a good handshake, or NULL. */
static SSL *tls_connect(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;

	assert_non_null(ctx);
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
	SSL_CTX_set_psk_use_session_callback(ctx, use_session);
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

static void icreq(uint8_t *pdu)
{
	memset(pdu, 0, 128);
	pdu[0] = 0x00; /* ICReq */
	pdu[2] = 128;  /* HLEN */
	pdu[4] = 128;  /* PLEN */
}

static void check_icresp(const uint8_t *pdu)
{
	assert_int_equal(pdu[0], 0x01); /* ICResp */
	assert_int_equal(pdu[2], 128);
	assert_int_equal(pdu[4], 128);
}

/* ICReq / ICResp through TLS on @ssl. */
static void tls_icreq(SSL *ssl)
{
	uint8_t pdu[128];
	size_t n, got = 0;

	icreq(pdu);
	assert_int_equal(SSL_write_ex(ssl, pdu, sizeof(pdu), &n), 1);
	while (got < sizeof(pdu)) {
		assert_int_equal(SSL_read_ex(ssl, pdu + got, sizeof(pdu) - got, &n), 1);
		got += n;
	}
	check_icresp(pdu);
}

static void test_tls_identities(void **state)
{
	(void)state;
	for (int version = 0; version <= 1; version++) {
		int fd = dial(g_tgt.port);
		SSL *ssl;

		offer(KEY, version);
		ssl = tls_connect(fd);
		assert_non_null(ssl);
		tls_icreq(ssl);
		SSL_free(ssl);
		close(fd);
	}
}

static void test_wrong_key_refused(void **state)
{
	int fd = dial(g_tgt.port);

	(void)state;
	offer(OTHER_KEY, 1);
	assert_null(tls_connect(fd));
	close(fd);
}

/* A plain ICReq: answered on the plain listener, the connection closed on the TLS one. */
static void test_plain_icreq(void **state)
{
	uint8_t pdu[128];
	int fd;

	(void)state;
	fd = dial(g_tgt.port + 1);
	icreq(pdu);
	assert_int_equal(send(fd, pdu, sizeof(pdu), 0), (ssize_t)sizeof(pdu));
	assert_int_equal(recv(fd, pdu, sizeof(pdu), MSG_WAITALL), (ssize_t)sizeof(pdu));
	check_icresp(pdu);
	close(fd);

	fd = dial(g_tgt.port);
	icreq(pdu);
	assert_int_equal(send(fd, pdu, sizeof(pdu), 0), (ssize_t)sizeof(pdu));
	assert_true(recv(fd, pdu, sizeof(pdu), MSG_WAITALL) <= 0); /* closed, no ICResp */
	close(fd);
}

/* A client that says nothing is closed after the handshake time; another one is served. */
static void test_silent_client_dropped(void **state)
{
	struct timespec t0, t1;
	int silent = dial(g_tgt.port), fd;
	uint8_t b;
	SSL *ssl;
	double s;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = dial(g_tgt.port);
	offer(KEY, 0);
	ssl = tls_connect(fd);
	assert_non_null(ssl);
	tls_icreq(ssl);
	assert_true(recv(silent, &b, 1, 0) <= 0); /* blocks until the target closes it */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(s > 2.5 && s < 6.0); /* TlsHandshakeTimeout 3 */
	SSL_free(ssl);
	close(fd);
	close(silent);
}

/* Read exactly @len bytes through TLS. */
static void tls_read_all(SSL *ssl, uint8_t *buf, size_t len)
{
	size_t n, got = 0;

	while (got < len) {
		assert_int_equal(SSL_read_ex(ssl, buf + got, len - got, &n), 1);
		got += n;
	}
}

/* An admin-queue Connect for @hostnqn / @subnqn through TLS. @return its status field. */
static uint16_t tls_connect_cmd(SSL *ssl, const char *hostnqn, const char *subnqn)
{
	uint8_t pdu[72 + sizeof(struct nvmf_connect_data)], rsp[24];
	struct nvmf_connect_cmd cmd = {.opcode = NVME_OPC_FABRICS, .fctype = NVMF_FCTYPE_CONNECT};
	struct nvmf_connect_data data = {.cntlid = NVMF_CNTLID_DYNAMIC};
	struct nvme_cpl cpl;
	uint32_t plen = sizeof(pdu);
	size_t n;

	cmd.cid = 7;
	cmd.sqsize = 31;
	nvme_sgl_set_unkeyed(&cmd.sgl1, NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_OFFSET, 0,
			     sizeof(data));
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", hostnqn);
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", subnqn);
	memset(pdu, 0, 8);
	pdu[0] = 0x04; /* CapsuleCmd */
	pdu[2] = 72;   /* HLEN */
	pdu[3] = 72;   /* PDO */
	memcpy(pdu + 4, &plen, 4);
	memcpy(pdu + 8, &cmd, sizeof(cmd));
	memcpy(pdu + 72, &data, sizeof(data));
	assert_int_equal(SSL_write_ex(ssl, pdu, sizeof(pdu), &n), 1);
	tls_read_all(ssl, rsp, sizeof(rsp));
	assert_int_equal(rsp[0], 0x05); /* CapsuleResp */
	memcpy(&cpl, rsp + 8, sizeof(cpl));
	assert_int_equal(cpl.cid, 7);
	return (uint16_t)(cpl.status.raw >> 1);
}

/* Connect on a TLS connection of identity (HOST, SUB) for @hostnqn / @subnqn. */
static uint16_t connect_as(const char *hostnqn, const char *subnqn)
{
	int fd = dial(g_tgt.port);
	uint16_t st;
	SSL *ssl;

	offer(KEY, 1);
	ssl = tls_connect(fd);
	assert_non_null(ssl);
	tls_icreq(ssl);
	st = tls_connect_cmd(ssl, hostnqn, subnqn);
	SSL_free(ssl);
	close(fd);
	return st;
}

/* The Connect data must name the host and subsystem the PSK identity named. */
static void test_connect_bound_to_identity(void **state)
{
	uint16_t st;

	(void)state;
	assert_int_equal(connect_as(HOST, SUB), 0);
	/* HOST2 may use SUB, but not on HOST's secure channel: Connect Invalid Host. */
	st = connect_as(HOST2, SUB);
	assert_int_equal((st >> 8) & 7, NVME_SCT_COMMAND_SPECIFIC);
	assert_int_equal(st & 0xff, NVME_SC_FABRICS_CONNECT_INVALID_HOST);
	/* HOST may use SUB2, but not through its identity for SUB: Invalid Parameters. */
	st = connect_as(HOST, SUB2);
	assert_int_equal((st >> 8) & 7, NVME_SCT_COMMAND_SPECIFIC);
	assert_int_equal(st & 0xff, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
}

/* A connection the target closes (a second ICReq is a fatal error) ends with close_notify. */
static void test_close_notify(void **state)
{
	int fd = dial(g_tgt.port);
	uint8_t pdu[128], term[8];
	size_t n;
	SSL *ssl;

	(void)state;
	offer(KEY, 0);
	ssl = tls_connect(fd);
	assert_non_null(ssl);
	tls_icreq(ssl);
	icreq(pdu);
	assert_int_equal(SSL_write_ex(ssl, pdu, sizeof(pdu), &n), 1);
	tls_read_all(ssl, term, sizeof(term));
	assert_int_equal(term[0], 0x03); /* C2HTermReq */
	while (SSL_read_ex(ssl, pdu, sizeof(pdu), &n) == 1)
		; /* the rest of the TermReq */
	assert_int_equal(SSL_get_error(ssl, 0), SSL_ERROR_ZERO_RETURN);
	SSL_free(ssl);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_identities),
	    cmocka_unit_test(test_wrong_key_refused),
	    cmocka_unit_test(test_plain_icreq),
	    cmocka_unit_test(test_silent_client_dropped),
	    cmocka_unit_test(test_connect_bound_to_identity),
	    cmocka_unit_test(test_close_notify),
	};

	return cmocka_run_group_tests(tests, start, stop);
}
