/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_test.c - DH-HMAC-CHAP on loopback: nvmf_tgt serving a subsystem
 * with one host that must authenticate (host and controller secrets) and
 * one that need not, and nvmf_perf as the host:
 *  - --verify with the host secret only, and with both (DH group in use);
 *  - a wrong host secret and a wrong controller secret each fail, and the
 *    target logs each failure exactly once;
 *  - no secret where one is required: refused, and logged once;
 *  - the other host's verified I/O runs through all of that unharmed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>

#include <cmocka.h>

#include "run_cmd.h"
#include "tgt_child.h"

#define SUBNQN "nqn.2016-06.io.nvmf-tgt:auth0"
#define HOST_A "nqn.2014-08.org.nvmexpress:uuid:6b2a1f50-4c0e-4bd3-9c6b-0d5f3a1e7a21"
#define HOST_B "nqn.2014-08.org.nvmexpress:uuid:0c8e3a57-1111-4d2b-8f1e-7a2b3c4d5e6f"
/* 32-byte secrets (nvme gen-dhchap-key form); WRONG is valid but not theirs. */
#define HOST_KEY "DHHC-1:01:o87AB07E3kGwSOPGDyXHiYF4W2t3S+SJJDbdMT+VEAI4yKv0:"
#define CTRL_KEY                                                                                   \
	"DHHC-1:02:mhOOGAiEFyCGXWuePjlg8RYU+mx+vLuhDmNNBlIL0UgnFhv+1dBnhBekuiNpa1BqnqLOQQ==:"
#define WRONG_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

static const char *g_tgt, *g_perf, *g_id, *g_conf_dir;
static struct tgt_child g_t;
static char g_log[64];

static int setup(void **state)
{
	char conf[2048];
	int saved, fd;

	(void)state;
	test_bins_from_env(&g_tgt, &g_perf, &g_id, &g_conf_dir);
	g_t.port = free_port();
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x1\n  LogLevel notice\n[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name ram0\n  Size 64M\n[Subsystem]\n  NQN " SUBNQN "\n"
		 "  Listen TCP 127.0.0.1:%d\n  Host " HOST_A " dhchap_key=" HOST_KEY
		 " dhchap_ctrlr_key=" CTRL_KEY "\n  Host " HOST_B "\n"
		 "  DhchapDHGroups ffdhe2048 null\n  Namespace ram0 1\n",
		 g_t.port);
	if (tgt_child_write_conf(&g_t, conf) != 0)
		return -1;
	snprintf(g_log, sizeof(g_log), "/tmp/dhchap_test_log.%d", (int)getpid());
	fd = open(g_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(2);
	dup2(fd, 2); /* the target's log goes to g_log */
	setenv("NVMF_TGT_BIN", g_tgt, 1);
	fd = tgt_child_start(&g_t) == 0 ? fd : -1;
	dup2(saved, 2);
	close(saved);
	return fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	tgt_child_stop(&g_t);
	unlink(g_log);
	return 0;
}

static void perf(const char *host, const char *key, const char *ckey, const char *secs,
		 struct result *r)
{
	char trid[512];
	const char *argv[20];
	int n;

	snprintf(trid, sizeof(trid),
		 "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" SUBNQN " hostnqn:%s", g_t.port,
		 host);
	n = perf_argv(argv, g_perf, trid, "randrw", secs);
	argv[n++] = "--verify";
	if (key != NULL) {
		argv[n++] = "--dhchap-secret";
		argv[n++] = key;
	}
	if (ckey != NULL) {
		argv[n++] = "--dhchap-ctrl-secret";
		argv[n++] = ckey;
	}
	argv[n] = NULL;
	run_cmd((char *const *)argv, 60, r);
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static void test_verify_uni_and_bidir(void **state)
{
	struct result r;

	(void)state;
	perf(HOST_A, HOST_KEY, NULL, "2", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0 mismatches"));
	result_free(&r);
	perf(HOST_A, HOST_KEY, CTRL_KEY, "2", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0 mismatches"));
	result_free(&r);
}

static void test_failures_logged_once_others_unharmed(void **state)
{
	struct result r, other;
	char *log;
	pid_t pid;
	int st = -1;

	(void)state;
	pid = fork(); /* host B's verified I/O, alongside the failures */
	if (pid == 0) {
		perf(HOST_B, NULL, NULL, "4", &other);
		_exit(other.status == 0 && strstr(other.out, "0 mismatches") ? 0 : 1);
	}
	perf(HOST_A, WRONG_KEY, NULL, "1", &r);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "authentication refused by the controller"));
	result_free(&r);
	perf(HOST_A, HOST_KEY, WRONG_KEY, "1", &r);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "failed to authenticate itself"));
	result_free(&r);
	perf(HOST_A, NULL, NULL, "1", &r);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "requires DH-HMAC-CHAP authentication"));
	result_free(&r);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	usleep(300000);
	log = read_file(g_log);
	assert_non_null(log);
	assert_int_equal(count(log, "authentication failed: response mismatch"), 1);
	assert_int_equal(count(log, "(AUTH_Failure2)"), 1);
	assert_int_equal(count(log, "queue closed before the host began"), 1);
	assert_int_equal(count(log, "DH-HMAC-CHAP authentication failed"), 3);
	assert_null(strstr(log, HOST_KEY));
	assert_null(strstr(log, CTRL_KEY));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_uni_and_bidir),
	    cmocka_unit_test(test_failures_logged_once_others_unharmed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
