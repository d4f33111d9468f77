/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idle_test.c - an idle target with IdleSleep Yes sleeps: over a few
 * seconds, with no host and with a connected host that sends nothing, its
 * CPU time stays far below one core; and I/O that follows a pause of idle
 * completes (over NVMe/TCP, nvmf_perf with --pause-ms, verified).
 *
 * A functional check that the target sleeps, with a generous bound (a
 * polling target burns ~100 % of its core); tests/bench/idle.sh gives the
 * figures.
 *
 * Binaries: $NVMF_TGT_BIN (build/bin/nvmf_tgt), $NVMF_PERF_BIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"
#include "tests/integration/tgt_child.h"
#include "util_json.h"

#define NQN "nqn.2016-06.io.example:idle"
#define IDLE_SECONDS 3
#define CPU_MAX_PCT 20.0
#define RUN_TIMEOUT_S 60

static const char *g_perf_bin;
static struct tgt_child g_t;

/* utime + stime of @pid, in seconds. */
static double cpu_s(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	p = fgets(text, sizeof(text), f);
	fclose(f);
	assert_non_null(p);
	p = strrchr(text, ')'); /* the command name may hold spaces */
	assert_non_null(p);
	/* After ")": state is field 3; utime and stime are fields 14 and 15. */
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Percent of one core @pid used over the next IDLE_SECONDS. */
static double cpu_pct_over_idle(pid_t pid)
{
	double c0 = cpu_s(pid), t0 = now_s(), c1, t1;

	sleep(IDLE_SECONDS);
	c1 = cpu_s(pid);
	t1 = now_s();
	return (c1 - c0) / (t1 - t0) * 100.0;
}

static void trid(char *buf, size_t len)
{
	snprintf(buf, len, "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:%d subnqn:%s", g_t.port,
		 NQN);
}

static int setup(void **state)
{
	char conf[1024];
	const char *tgt_bin, *id_bin, *conf_dir;

	(void)state;
	test_bins_from_env(&tgt_bin, &g_perf_bin, &id_bin, &conf_dir);
	memset(&g_t, 0, sizeof(g_t));
	g_t.port = free_port();
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x1\n  IdleSleep Yes\n"
		 "[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name r0\n  Size 16M\n  BlockSize 512\n"
		 "[Subsystem]\n  NQN %s\n  AllowAnyHost Yes\n  Listen TCP 127.0.0.1:%d\n"
		 "  Namespace r0 1\n",
		 NQN, g_t.port);
	if (g_t.port <= 0 || tgt_child_write_conf(&g_t, conf) != 0)
		return -1;
	return tgt_child_start(&g_t);
}

static int teardown(void **state)
{
	(void)state;
	return tgt_child_stop(&g_t) == 0 ? 0 : -1;
}

/* No host: the target sleeps. */
static void test_idle_no_host(void **state)
{
	double pct;

	(void)state;
	sleep(1); /* start-up done */
	pct = cpu_pct_over_idle(g_t.pid);
	print_message("idle target, no host: %.1f %% of a core\n", pct);
	assert_true(pct < CPU_MAX_PCT);
}

/* A connected host that sends nothing (one I/O, then a long pause). */
static void test_idle_connected_host(void **state)
{
	char tr[256];
	pid_t perf;
	double pct;
	int st = 0;

	(void)state;
	trid(tr, sizeof(tr));
	perf = fork();
	assert_true(perf >= 0);
	if (perf == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(g_perf_bin, g_perf_bin, "-r", tr, "-q", "1", "-o", "4096", "-w", "randread",
		      "-t", "30", "-c", "0x1", "--pause-ms", "60000", (char *)NULL);
		_exit(127);
	}
	sleep(2);                                         /* connected, its one I/O done */
	assert_int_equal(waitpid(perf, &st, WNOHANG), 0); /* still connected */
	pct = cpu_pct_over_idle(g_t.pid);
	kill(perf, SIGTERM);
	waitpid(perf, &st, 0);
	print_message("idle target, connected idle host: %.1f %% of a core\n", pct);
	assert_true(pct < CPU_MAX_PCT);
}

/* I/O after idle pauses: every one completes, every read checked. */
static void test_io_after_idle(void **state)
{
	char tr[256];
	struct result r;
	struct json_value *root;
	const struct json_value *total;
	const char *status = NULL;
	char *argv[] = {
	    (char *)g_perf_bin, "-r", tr,  "-q", "1",   "-o",         "4096", "-w",
	    "randrw",           "-t", "4", "-c", "0x1", "--pause-ms", "1000", "--verify",
	    "--json",           NULL};

	(void)state;
	trid(tr, sizeof(tr));
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	total = json_obj_get(root, "total");
	assert_non_null(total);
	assert_int_equal(json_get_str(json_obj_get(root, "status"), &status), 0);
	assert_string_equal(status, "ok");
	/* About one I/O per second over 4 s, and the read-back of each write at once. */
	print_message("%llu I/Os after 1 s pauses\n", (unsigned long long)json_u64(total, "ios"));
	assert_true(json_u64(total, "ios") >= 2 && json_u64(total, "ios") <= 10);
	assert_int_equal(json_u64(total, "io_errors"), 0);
	assert_int_equal(json_u64(total, "verify_errors"), 0);
	json_free(root);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idle_no_host),
	    cmocka_unit_test(test_idle_connected_host),
	    cmocka_unit_test(test_io_after_idle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
