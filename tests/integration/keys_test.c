/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keys_test.c - secrets given at run time, on loopback: nvmf_tgt serves
 * one subsystem (a plain listener and a secure=tls one) with no host;
 * nvmf_rpc puts key files in the keyring and gives hosts their names:
 *  - DH-HMAC-CHAP set up over RPC only: nvmf_perf --verify with the host
 *    secret (unidirectional), with both (bidirectional), none refused;
 *  - a TLS PSK given by keyring name: nvmf_perf --tls-key --verify;
 *  - nvmf_subsystem_set_keys rotates the host key: the old secret is
 *    refused for new connections, the new one accepted, while a queue
 *    authenticated before keeps running its verified I/O;
 *  - a key in use cannot leave the keyring (the error names the host);
 *  - save_config, the target restarted from the saved file: the same
 *    secrets let the hosts in (the file names key files, holds no secret).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "run_cmd.h"
#include "tgt_child.h"

#define SUBNQN "nqn.2016-06.io.nvmf-tgt:keys0"
#define HOST_A "nqn.2014-08.org.nvmexpress:uuid:6b2a1f50-4c0e-4bd3-9c6b-0d5f3a1e7a21"
#define HOST_T "nqn.2014-08.org.nvmexpress:uuid:0c8e3a57-1111-4d2b-8f1e-7a2b3c4d5e6f"
#define HOST_KEY "DHHC-1:01:o87AB07E3kGwSOPGDyXHiYF4W2t3S+SJJDbdMT+VEAI4yKv0:"
#define CTRL_KEY                                                                                   \
	"DHHC-1:02:mhOOGAiEFyCGXWuePjlg8RYU+mx+vLuhDmNNBlIL0UgnFhv+1dBnhBekuiNpa1BqnqLOQQ==:"
#define NEW_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define PSK "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

static const char *g_tgt, *g_perf, *g_id, *g_conf_dir, *g_rpc;
static struct tgt_child g_t;
static int g_tls_port;
static char g_dir[64], g_psk_file[128];

static void key_file(const char *name, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	char conf[1024];

	(void)state;
	test_bins_from_env(&g_tgt, &g_perf, &g_id, &g_conf_dir);
	g_rpc = env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc");
	snprintf(g_dir, sizeof(g_dir), "/tmp/nvmf_keys_it.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	key_file("host", HOST_KEY);
	key_file("ctrl", CTRL_KEY);
	key_file("new", NEW_KEY);
	key_file("psk", PSK);
	snprintf(g_psk_file, sizeof(g_psk_file), "%s/psk", g_dir);
	g_t.port = free_port();
	g_tls_port = free_port();
	snprintf(g_t.rpc, sizeof(g_t.rpc), "%s/rpc.sock", g_dir);
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x1\n  LogLevel notice\n[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name ram0\n  Size 64M\n[Subsystem]\n  NQN " SUBNQN "\n"
		 "  Listen TCP 127.0.0.1:%d\n  Listen TCP 127.0.0.1:%d secure=tls\n"
		 "  Namespace ram0 1\n",
		 g_t.port, g_tls_port);
	if (tgt_child_write_conf(&g_t, conf) != 0)
		return -1;
	setenv("NVMF_TGT_BIN", g_tgt, 1);
	return tgt_child_start(&g_t);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	tgt_child_stop(&g_t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* nvmf_rpc -s SOCK @w0 WORDS... (NULL-terminated); @return its exit status, output in @r. */
static int rpc_v(struct result *r, const char *w0, va_list ap)
{
	const char *argv[16] = {g_rpc, "-s", g_t.rpc, w0};
	int n = 4;

	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	argv[n] = NULL;
	run_cmd((char *const *)argv, 30, r);
	return r->status;
}

static int rpc(struct result *r, const char *w0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, w0);
	rc = rpc_v(r, w0, ap);
	va_end(ap);
	return rc;
}

static void rpc_ok(const char *w0, ...)
{
	struct result r;
	va_list ap;
	int rc;

	va_start(ap, w0);
	rc = rpc_v(&r, w0, ap);
	va_end(ap);
	if (rc != 0)
		fail_msg("nvmf_rpc %s: %s", w0, r.err);
	result_free(&r);
}

static void key_add(const char *name, const char *file)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", g_dir, file);
	rpc_ok("key", "add", name, path, NULL);
}

/*
 * nvmf_perf --verify as @host: @key / @ckey DH-HMAC-CHAP secrets, @psk a TLS
 * key file; @secs "-N": N seconds of reads, nothing verified (the data may
 * change under them).
 */
static void perf(const char *host, const char *key, const char *ckey, const char *psk,
		 const char *secs, struct result *r)
{
	char trid[512];
	const char *argv[24];
	int n;

	snprintf(trid, sizeof(trid),
		 "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" SUBNQN " hostnqn:%s",
		 psk != NULL ? g_tls_port : g_t.port, host);
	n = perf_argv(argv, g_perf, trid, secs[0] == '-' ? "randread" : "randrw",
		      secs[0] == '-' ? secs + 1 : secs);
	if (secs[0] != '-')
		argv[n++] = "--verify";
	if (key != NULL) {
		argv[n++] = "--dhchap-secret";
		argv[n++] = key;
	}
	if (ckey != NULL) {
		argv[n++] = "--dhchap-ctrl-secret";
		argv[n++] = ckey;
	}
	if (psk != NULL) {
		argv[n++] = "--tls-key";
		argv[n++] = psk;
	}
	argv[n] = NULL;
	run_cmd((char *const *)argv, 60, r);
}

static void perf_ok(const char *host, const char *key, const char *ckey, const char *psk)
{
	struct result r;

	perf(host, key, ckey, psk, "1", &r);
	if (r.status != 0 || strstr(r.out, "0 mismatches") == NULL)
		fail_msg("nvmf_perf as %s: status %d: %s", host, r.status, r.err);
	result_free(&r);
}

static void perf_refused(const char *host, const char *key, const char *why)
{
	struct result r;

	perf(host, key, NULL, NULL, "1", &r);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, why));
	result_free(&r);
}

static void test_dhchap_and_psk_over_rpc(void **state)
{
	(void)state;
	perf_refused(HOST_A, HOST_KEY, "not allowed"); /* no host yet */
	key_add("hostkey", "host");
	key_add("ctrlkey", "ctrl");
	key_add("tls", "psk");
	rpc_ok("host", "add", SUBNQN, HOST_A, "--dhchap-key", "hostkey", NULL);
	rpc_ok("host", "set-keys", SUBNQN, HOST_A, "--dhchap-key", "hostkey", NULL);
	perf_ok(HOST_A, HOST_KEY, NULL, NULL);
	perf_refused(HOST_A, NULL, "requires DH-HMAC-CHAP authentication");
	{
		struct result r;

		/* Bidirectional: the controller key given at run time too. */
		assert_int_equal(rpc(&r, "host", "set-keys", SUBNQN, HOST_A, "--dhchap-key",
				     "hostkey", "--dhchap-ctrlr-key", NULL),
				 2); /* a value is missing: refused by nvmf_rpc itself */
		result_free(&r);
	}
	rpc_ok("raw", "nvmf_subsystem_set_keys",
	       "{\"nqn\":\"" SUBNQN "\",\"host\":\"" HOST_A "\",\"dhchap_key\":\"hostkey\","
	       "\"dhchap_ctrlr_key\":\"ctrlkey\"}",
	       NULL);
	perf_ok(HOST_A, HOST_KEY, CTRL_KEY, NULL);
	perf_ok(HOST_A, HOST_KEY, NULL, NULL);
	rpc_ok("host", "add", SUBNQN, HOST_T, "--psk", "tls", NULL);
	perf_ok(HOST_T, NULL, NULL, g_psk_file);
}

static void test_rotation_and_keys_in_use(void **state)
{
	struct result r, old;
	pid_t pid;
	int st = -1;

	(void)state;
	key_add("newkey", "new");
	pid = fork(); /* a queue authenticated with the old key keeps running (reads only) */
	if (pid == 0) {
		perf(HOST_A, HOST_KEY, NULL, NULL, "-4", &old);
		_exit(old.status == 0 && strstr(old.out, " IOPS") ? 0 : 1);
	}
	usleep(1500000);
	rpc_ok("host", "set-keys", SUBNQN, HOST_A, "--dhchap-key", "newkey", "--dhchap-ctrlr-key",
	       "ctrlkey", NULL);
	perf_refused(HOST_A, HOST_KEY, "authentication refused by the controller");
	perf_ok(HOST_A, NEW_KEY, CTRL_KEY, NULL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	assert_int_not_equal(rpc(&r, "key", "del", "newkey", NULL), 0);
	assert_non_null(strstr(r.err, "in use by host " HOST_A));
	result_free(&r);
	rpc_ok("key", "del", "hostkey", NULL); /* no longer used */
	assert_int_equal(rpc(&r, "key", "list", NULL), 0);
	assert_non_null(strstr(r.out, "newkey"));
	assert_null(strstr(r.out, "hostkey"));
	assert_null(strstr(r.out, "DHHC-1"));
	result_free(&r);
}

static void test_save_config_round_trip(void **state)
{
	char saved[64], cmd[512];
	char *text;

	(void)state;
	snprintf(saved, sizeof(saved), "%.40s/saved.conf", g_dir);
	snprintf(cmd, sizeof(cmd), "%s -s %s save-config > %s", g_rpc, g_t.rpc, saved);
	assert_int_equal(system(cmd), 0);
	text = read_file(saved);
	assert_non_null(text);
	assert_non_null(strstr(text, "dhchap_key="));
	assert_null(strstr(text, "DHHC-1"));
	assert_null(strstr(text, "NVMeTLSkey"));
	free(text);

	assert_int_equal(tgt_child_stop(&g_t), 0);
	snprintf(g_t.conf, sizeof(g_t.conf), "%s", saved);
	assert_int_equal(tgt_child_start(&g_t), 0);
	perf_ok(HOST_A, NEW_KEY, CTRL_KEY, NULL);
	perf_refused(HOST_A, HOST_KEY, "authentication refused by the controller");
	perf_ok(HOST_T, NULL, NULL, g_psk_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dhchap_and_psk_over_rpc),
	    cmocka_unit_test(test_rotation_and_keys_in_use),
	    cmocka_unit_test(test_save_config_round_trip),
	};

	return cmocka_run_group_tests_name("keys", tests, setup, teardown);
}
