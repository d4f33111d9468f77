/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_abuse_test.c - broken secure channel openings against a secure=tls
 * listener, each while an nvmf_perf --tls-key --verify run of another host
 * goes on: half a ClientHello and then close; half a ClientHello and then
 * silence until [Transport] TlsHandshakeTimeout; a plain ICReq, random bytes
 * or a bogus TLS record before a real ClientHello. Each connection must be
 * refused (closed by the target, no ServerHello), named exactly once in
 * the target's log with the reason, and the perf run must end with its I/O
 * verified and no error.
 *
 * The ClientHello is a real one: OpenSSL's client writes it into a memory
 * BIO, and the test sends what it wants of those bytes.
 *
 * The binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN (else build/bin/...). The
 * port: $NVMF_TEST_PORT, else 28200 + pid % 1000.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "tgt_child.h"
#include "util_tls_psk.h"

#define SUB "nqn.2016-06.io.nvmf-tgt:abuse"
#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
/* The host that runs perf meanwhile, with its own key. */
#define PERF_HOST "nqn.2014-08.org.nvmexpress:uuid:66666666-7777-8888-9999-aaaaaaaaaaaa"
#define PERF_KEY "NVMeTLSkey-1:01:Ux2X2E1Yi9ODPvFnx0jJdFg6i6UmJfNA2GqvagRAqx5fJaa4:"
#define TIMEOUT_S 2 /* TlsHandshakeTimeout */
#define PERF_S 5    /* each perf run: longer than the timeout */

static struct tgt_child g_tgt;
static char g_log[64]; /* the target's stderr */

/* ------------------------------------------------------------- the target */

static int start(void **state)
{
	const char *env = getenv("NVMF_TEST_PORT");
	char text[1024];
	int fd, saved, rc;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	g_tgt.port = env ? atoi(env) : 28200 + getpid() % 1000;
	snprintf(text, sizeof(text),
		 "[Transport]\nType TCP\nTlsHandshakeTimeout %d\n[Ram]\nName ram0\nSize 32M\n"
		 "[Subsystem]\nNQN " SUB "\nListen TCP 127.0.0.1:%d secure=tls\n"
		 "Host " HOST " psk=" KEY "\nHost " PERF_HOST " psk=" PERF_KEY
		 "\nNamespace ram0 1\n",
		 TIMEOUT_S, g_tgt.port);
	snprintf(g_log, sizeof(g_log), "/tmp/nvmf_tls_abuse_log.XXXXXX");
	fd = mkstemp(g_log);
	if (fd < 0 || tgt_child_write_conf(&g_tgt, text) != 0)
		return -1;
	/* The child takes the log file as its stderr at fork. */
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	rc = tgt_child_start(&g_tgt);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	return rc;
}

static int stop(void **state)
{
	int rc = tgt_child_stop(&g_tgt);

	(void)state;
	unlink(g_log);
	return rc == 0 ? 0 : -1;
}

/*
 * Lines of the target's log above info level that name the connection from
 * local port @port ("from 127.0.0.1:PORT" then ':' or ' ') and contain @what.
 */
static unsigned log_lines(unsigned port, const char *what)
{
	char line[4096], who[32];
	FILE *f = fopen(g_log, "r");
	unsigned n = 0;
	const char *p;

	assert_non_null(f);
	snprintf(who, sizeof(who), "from 127.0.0.1:%u", port);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "[info]") != NULL || strstr(line, "[debug]") != NULL)
			continue;
		p = strstr(line, who);
		if (p != NULL && (p[strlen(who)] == ':' || p[strlen(who)] == ' '))
			n += strstr(line, what) != NULL;
	}
	fclose(f);
	return n;
}

/* ----------------------------------------------------------- the perf run */

static FILE *perf_start(void)
{
	const char *bin = getenv("NVMF_PERF_BIN");
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" SUB
		 " hostnqn:" PERF_HOST "' --tls-key " PERF_KEY
		 " -q 8 -o 4096 -w randrw -t %d --verify 2>&1",
		 bin ? bin : "build/bin/nvmf_perf", g_tgt.port, PERF_S);
	p = popen(cmd, "r");
	assert_non_null(p);
	sleep(1); /* connected and doing I/O */
	return p;
}

/* Wait for perf: verified I/O, no error. */
static void perf_end(FILE *p)
{
	char out[8192];
	size_t n = 0, got;
	int rc;

	while (n + 1 < sizeof(out) && (got = fread(out + n, 1, sizeof(out) - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	rc = pclose(p);
	if (rc != 0 || strstr(out, "0 mismatches") == NULL || strstr(out, "I/O errors: 0") == NULL)
		fail_msg("nvmf_perf --tls-key --verify beside the abuse (status %d):\n%s", rc, out);
}

/* ------------------------------------------------------ the raw client */

struct client {
	int fd;
	unsigned port; /* ours: how the target's log names the connection */
};

static void client_open(struct client *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_tgt.port)};
	struct timeval tv = {.tv_sec = 3 * TIMEOUT_S};
	socklen_t len = sizeof(sa);

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&sa, &len), 0);
	c->port = ntohs(sa.sin_port);
}

static void client_send(struct client *c, const void *buf, size_t len)
{
	assert_int_equal(send(c->fd, buf, len, 0), (ssize_t)len);
}

/* The target closes the connection without a byte of answer. */
static void client_expect_closed(struct client *c)
{
	uint8_t b;
	ssize_t n = recv(c->fd, &b, 1, 0);

	if (n > 0)
		fail_msg("port %u: the target answered (first byte 0x%02x)", c->port, b);
	assert_true(n == 0 || errno == ECONNRESET);
}

static struct tls_psk g_psk;
static char g_ident[TLS_PSK_IDENTITY_MAX];

static int offer_psk(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
		     SSL_SESSION **sess)
{
	static const unsigned char aes128[2] = {0x13, 0x01};
	SSL_SESSION *s = SSL_SESSION_new();

	(void)md;
	if (s == NULL || !SSL_SESSION_set1_master_key(s, g_psk.key, g_psk.len) ||
	    !SSL_SESSION_set_cipher(s, SSL_CIPHER_find(ssl, aes128)) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return 0;
	}
	*id = (const unsigned char *)g_ident;
	*idlen = strlen(g_ident);
	*sess = s;
	return 1;
}

/* The ClientHello HOST sends with KEY (a TLS record, malloc'd) and its length. */
static uint8_t *client_hello(size_t *len)
{
	struct tls_psk cfg, ret;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
	uint8_t *hello;
	SSL *ssl;

	assert_int_equal(tls_psk_parse(KEY, &cfg, NULL), 0);
	assert_int_equal(tls_psk_retained(&cfg, HOST, &ret), 0);
	assert_int_equal(tls_psk_identity(&ret, 1, HOST, SUB, g_ident, sizeof(g_ident), &g_psk), 0);
	assert_true(ctx != NULL && in != NULL && out != NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
	SSL_CTX_set_psk_use_session_callback(ctx, offer_psk);
	ssl = SSL_new(ctx);
	assert_non_null(ssl);
	SSL_set_bio(ssl, in, out);
	assert_int_equal(SSL_connect(ssl), -1); /* waits for the ServerHello */
	*len = BIO_pending(out);
	assert_true(*len > 100);
	hello = malloc(*len);
	assert_non_null(hello);
	assert_int_equal(BIO_read(out, hello, (int)*len), (int)*len);
	assert_int_equal(hello[0], 0x16); /* a handshake record */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	tls_psk_wipe(&cfg);
	tls_psk_wipe(&ret);
	tls_psk_wipe(&g_psk);
	return hello;
}

/*
 * After perf ended (so well past the handshake timeout): the target's log
 * names @c in exactly one line, the one with @why.
 */
static void logged_once(const struct client *c, const char *why)
{
	unsigned all = log_lines(c->port, "connection"), with = log_lines(c->port, why);

	if (all != 1 || with != 1)
		fail_msg("port %u: %u log lines, %u with '%s' (want 1 and 1)", c->port, all, with,
			 why);
}

/* ------------------------------------------------------------------ tests */

/* Half a ClientHello, then the host closes. */
static void test_half_hello_then_close(void **state)
{
	struct client c;
	size_t len;
	uint8_t *hello = client_hello(&len);
	FILE *perf = perf_start();

	(void)state;
	client_open(&c);
	client_send(&c, hello, len / 2);
	usleep(200000); /* the target has read it */
	close(c.fd);
	perf_end(perf);
	logged_once(&c, "TLS handshake failed");
	free(hello);
}

/* Half a ClientHello, then silence: closed at the handshake timeout. */
static void test_half_hello_then_silence(void **state)
{
	struct timespec t0, t1;
	struct client c;
	size_t len;
	uint8_t *hello = client_hello(&len);
	FILE *perf = perf_start();
	double s;

	(void)state;
	client_open(&c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	client_send(&c, hello, len / 2);
	client_expect_closed(&c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (s < TIMEOUT_S - 0.5 || s > TIMEOUT_S + 2.0)
		fail_msg("closed after %.2f s, TlsHandshakeTimeout is %d s", s, TIMEOUT_S);
	close(c.fd);
	perf_end(perf);
	logged_once(&c, "no TLS handshake within");
	free(hello);
}

/* @junk, then a whole ClientHello: refused, logged once with @why. */
static void junk_then_hello(const uint8_t *junk, size_t junk_len, const char *why)
{
	struct client c;
	size_t len;
	uint8_t *hello = client_hello(&len);
	FILE *perf = perf_start();

	client_open(&c);
	client_send(&c, junk, junk_len);
	(void)send(c.fd, hello, len, 0); /* may meet a closed connection */
	client_expect_closed(&c);
	close(c.fd);
	perf_end(perf);
	logged_once(&c, why);
	free(hello);
}

/* A plain ICReq PDU first. */
static void test_icreq_before_hello(void **state)
{
	uint8_t pdu[128] = {0x00, 0x00, 128, 0, 128, 0, 0, 0};

	(void)state;
	junk_then_hello(pdu, sizeof(pdu), "plain NVMe/TCP (first byte 0x00)");
}

/* Random bytes first (the first one not a TLS handshake record's). */
static void test_random_before_hello(void **state)
{
	uint8_t junk[300];
	char why[64];

	(void)state;
	srand(0x5eed);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	if (junk[0] == 0x16)
		junk[0] = 0x17;
	snprintf(why, sizeof(why), "(first byte 0x%02x) on a listener that requires TLS", junk[0]);
	junk_then_hello(junk, sizeof(junk), why);
}

/* A record that claims to be a handshake but is not a TLS one, first. */
static void test_bogus_record_before_hello(void **state)
{
	/* Handshake type, version 0x0909, 16 bytes of a type-0x55 message. */
	uint8_t rec[21] = {0x16, 0x09, 0x09, 0x00, 0x10, 0x55};

	(void)state;
	junk_then_hello(rec, sizeof(rec), "TLS handshake failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_half_hello_then_close),
	    cmocka_unit_test(test_half_hello_then_silence),
	    cmocka_unit_test(test_icreq_before_hello),
	    cmocka_unit_test(test_random_before_hello),
	    cmocka_unit_test(test_bogus_record_before_hello),
	};

	return cmocka_run_group_tests(tests, start, stop);
}
