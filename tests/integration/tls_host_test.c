/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_host_test.c - the host driver over the NVMe/TCP secure channel: a
 * child nvmf_tgt serves a subsystem on a secure=tls listener; nvmf_perf
 * --verify and nvme_identify connect with --tls-key (an interchange string
 * or a key file) and either PSK identity version. A wrong key, no key and
 * a bad --tls-identity fail. Both forms of the PSK derivation: the default
 * (the one nvme-cli uses) and, with [Global] TlsPskDerivation rfc8446 on
 * a second target, RFC 8446's; a host deriving in the other form is refused.
 *
 * The binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN, $NVME_IDENTIFY_BIN (default
 * build/bin/...). The port: a free one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"
#include "tests/integration/tgt_child.h"

#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define SUB "nqn.2016-06.io.nvmf-tgt:tls0"
#define KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define OTHER_KEY "NVMeTLSkey-1:01:Ux2X2E1Yi9ODPvFnx0jJdFg6i6UmJfNA2GqvagRAqx5fJaa4:"
#define RUN_TIMEOUT_S 60

static const char *g_tgt_bin, *g_perf_bin, *g_id_bin, *g_conf_dir;
static struct tgt_child g_tgt;
static char g_keyfile[64];
static char g_trid[512];

static int start(void **state)
{
	char text[1024];
	FILE *f;
	int fd;

	(void)state;
	test_bins_from_env(&g_tgt_bin, &g_perf_bin, &g_id_bin, &g_conf_dir);
	snprintf(g_keyfile, sizeof(g_keyfile), "/tmp/tls_host_test_key.XXXXXX");
	fd = mkstemp(g_keyfile);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fprintf(f, "%s\n", KEY) < 0 || fclose(f) != 0)
		return -1;
	g_tgt.port = free_port();
	snprintf(text, sizeof(text),
		 "[Transport]\nType TCP\n[Ram]\nName ram0\nSize 64M\n[Subsystem]\nNQN " SUB "\n"
		 "Listen TCP 127.0.0.1:%d secure=tls\nHost " HOST " psk=%s\nNamespace ram0 1\n",
		 g_tgt.port, g_keyfile);
	snprintf(g_trid, sizeof(g_trid),
		 "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:%d subnqn:" SUB " hostnqn:" HOST,
		 g_tgt.port);
	if (tgt_child_write_conf(&g_tgt, text) != 0 || tgt_child_start(&g_tgt) != 0)
		return -1;
	return 0;
}

static int stop(void **state)
{
	(void)state;
	unlink(g_keyfile);
	return tgt_child_stop(&g_tgt) == 0 ? 0 : -1;
}

/* nvmf_perf -r g_trid with @extra options (NULL-terminated). */
static void run_perf(struct result *r, ...)
{
	char *argv[32];
	int n = 0;
	va_list ap;

	argv[n++] = (char *)g_perf_bin;
	argv[n++] = "-r";
	argv[n++] = g_trid;
	va_start(ap, r);
	for (char *a = va_arg(ap, char *); a && n < 31; a = va_arg(ap, char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, r);
}

/* A clean verified run: I/Os done, reads checked, no error. */
static void check_verified(const struct result *r)
{
	struct json_value *root;
	const struct json_value *total;

	expect_exit(r, 0);
	root = parse_json(r->out);
	total = json_obj_get(root, "total");
	assert_non_null(total);
	assert_true(json_u64(total, "ios") > 0);
	assert_true(json_u64(total, "verified") > 0);
	assert_int_equal(json_u64(total, "io_errors"), 0);
	assert_int_equal(json_u64(total, "verify_errors"), 0);
	json_free(root);
}

static void test_perf_verify_both_identities(void **state)
{
	static char *const versions[] = {"0", "1"};
	struct result r;

	(void)state;
	for (int i = 0; i < 2; i++) {
		run_perf(&r, "-q", "16", "-o", "8192", "-w", "randrw", "-t", "2", "--verify",
			 "--json", "--tls-key", KEY, "--tls-identity", versions[i], NULL);
		check_verified(&r);
		result_free(&r);
	}
	/* Large I/O (several records per PDU) with the key from a file. */
	run_perf(&r, "-q", "4", "-o", "128K", "-w", "rw", "-t", "2", "--verify", "--json",
		 "--tls-key", g_keyfile, NULL);
	check_verified(&r);
	result_free(&r);
}

static void test_perf_refused(void **state)
{
	struct result r;

	(void)state;
	run_perf(&r, "-q", "1", "-w", "read", "-t", "1", "--tls-key", OTHER_KEY, NULL);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "TLS handshake failed"));
	result_free(&r);
	run_perf(&r, "-q", "1", "-w", "read", "-t", "1", NULL); /* plain on a TLS listener */
	expect_exit(&r, 1);
	result_free(&r);
	run_perf(&r, "-q", "1", "-w", "read", "-t", "1", "--tls-key", KEY, "--tls-identity", "2",
		 NULL);
	expect_exit(&r, 2);
	result_free(&r);
}

/* A run of the small verified kind with --tls-kdf @kdf against the target now in g_trid. */
static void run_kdf(struct result *r, const char *kdf)
{
	run_perf(r, "-q", "8", "-o", "4096", "-w", "randrw", "-t", "1", "--verify", "--json",
		 "--tls-key", KEY, "--tls-kdf", kdf, NULL);
}

static void test_kdf_forms(void **state)
{
	struct tgt_child rfc = {0};
	char text[1024], saved[sizeof(g_trid)];
	struct result r;

	(void)state;
	run_kdf(&r, "nvme-cli");
	check_verified(&r);
	result_free(&r);
	run_kdf(&r, "rfc8446");
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "TLS handshake failed"));
	result_free(&r);
	run_kdf(&r, "rfc"); /* no such form */
	expect_exit(&r, 2);
	result_free(&r);

	rfc.port = free_port();
	snprintf(text, sizeof(text),
		 "[Global]\nTlsPskDerivation rfc8446\n[Transport]\nType TCP\n[Ram]\nName ram0\n"
		 "Size 16M\n[Subsystem]\nNQN " SUB "\nListen TCP 127.0.0.1:%d secure=tls\n"
		 "Host " HOST " psk=" KEY "\nNamespace ram0 1\n",
		 rfc.port);
	assert_int_equal(tgt_child_write_conf(&rfc, text), 0);
	assert_int_equal(tgt_child_start(&rfc), 0);
	memcpy(saved, g_trid, sizeof(saved));
	snprintf(g_trid, sizeof(g_trid),
		 "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:%d subnqn:" SUB " hostnqn:" HOST,
		 rfc.port);
	run_kdf(&r, "rfc8446");
	check_verified(&r);
	result_free(&r);
	run_kdf(&r, "nvme-cli");
	expect_exit(&r, 1);
	result_free(&r);
	memcpy(g_trid, saved, sizeof(saved));
	assert_int_equal(tgt_child_stop(&rfc), 0);
}

static void test_identify(void **state)
{
	char *argv[] = {(char *)g_id_bin, "-r", g_trid, "--tls-key", g_keyfile,
			"--tls-identity", "1",  NULL};
	struct result r;

	(void)state;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, SUB));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_perf_verify_both_identities),
	    cmocka_unit_test(test_perf_refused),
	    cmocka_unit_test(test_identify),
	    cmocka_unit_test(test_kdf_forms),
	};

	return cmocka_run_group_tests(tests, start, stop);
}
