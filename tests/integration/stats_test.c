/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of the statistics: nvmf_tgt on a conf file (one RAM
 * namespace on a free loopback port) with a private RPC socket; while
 * nvmf_perf runs against it, nvmf_subsystem_get_controllers shows its
 * controller, nvmf_subsystem_get_qpairs its queues, and `nvmf_rpc stats
 * --count 2` prints a poll group row with a nonzero IOPS; afterwards
 * nvmf_get_stats counts the completed I/O.
 *
 * Binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN; nvmf_rpc is taken from the
 * directory of $NVMF_TGT_BIN.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"
#include "tests/integration/tgt_child.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:stats0"
#define PERF_SECONDS "4"

static const char *g_tgt_bin, *g_perf_bin;
static char g_rpc_bin[512], g_sock[108];
static struct tgt_child g_tgt;

static int start_target(void **state)
{
	const char *id, *conf_dir;
	char conf[512], *slash;

	(void)state;
	test_bins_from_env(&g_tgt_bin, &g_perf_bin, &id, &conf_dir);
	snprintf(g_rpc_bin, sizeof(g_rpc_bin), "%s", g_tgt_bin);
	slash = strrchr(g_rpc_bin, '/');
	snprintf(slash ? slash + 1 : g_rpc_bin,
		 sizeof(g_rpc_bin) - (size_t)(slash ? slash + 1 - g_rpc_bin : 0), "nvmf_rpc");
	snprintf(g_sock, sizeof(g_sock), "/tmp/nvmf_stats_test.%d.sock", (int)getpid());
	g_tgt.port = free_port();
	g_tgt.rpc_sock = g_sock;
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x1\n[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name ram0\n  Size 64M\n  BlockSize 512\n"
		 "[Subsystem]\n  NQN " NQN "\n  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n"
		 "  Namespace ram0 1\n",
		 g_tgt.port);
	if (g_tgt.port < 0 || tgt_child_write_conf(&g_tgt, conf) != 0)
		return -1;
	return tgt_child_start(&g_tgt);
}

static int stop_target(void **state)
{
	(void)state;
	return tgt_child_stop(&g_tgt) == 0 ? 0 : -1;
}

/* `nvmf_rpc -s SOCK raw METHOD [PARAMS]`: its printed result, parsed. */
static struct json_value *rpc(const char *method, const char *params)
{
	char *argv[] = {g_rpc_bin, "-s", g_sock, "raw", (char *)method, (char *)params, NULL};
	struct result r;
	struct json_value *v;

	run_cmd(argv, 30, &r);
	if (r.status != 0)
		fail_msg("nvmf_rpc raw %s: status %d: %s", method, r.status, r.err);
	v = parse_json(r.out);
	result_free(&r);
	return v;
}

static pid_t perf_start(void)
{
	char trid[256];
	pid_t pid;

	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN,
		 g_tgt.port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, STDOUT_FILENO);
		execl(g_perf_bin, g_perf_bin, "-r", trid, "-q", "16", "-o", "4096", "-w", "randrw",
		      "-t", PERF_SECONDS, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait (bounded) until the perf controller shows up; @return the listing. */
static struct json_value *wait_ctrlr(void)
{
	for (int i = 0; i < 50; i++) {
		struct json_value *v =
		    rpc("nvmf_subsystem_get_controllers", "{\"nqn\":\"" NQN "\"}");

		if (v->type == JSON_ARRAY && v->u.arr.count > 0 &&
		    json_u64(json_arr_at(v, 0), "num_io_qpairs") > 0)
			return v;
		json_free(v);
		usleep(100000);
	}
	fail_msg("no controller with an I/O queue within 5 s");
	return NULL;
}

/* A "nvmf_tgt_poll_group_..." row of `nvmf_rpc stats` with IOPS > 0? */
static bool has_busy_group_row(const char *out)
{
	for (const char *p = strstr(out, "nvmf_tgt_poll_group_"); p != NULL;
	     p = strstr(p + 1, "nvmf_tgt_poll_group_")) {
		char name[64], qp[32];
		double iops = 0;

		if (sscanf(p, "%63s %31s %lf", name, qp, &iops) == 3 && iops > 0)
			return true;
	}
	return false;
}

static void test_stats_under_load(void **state)
{
	char *argv[] = {g_rpc_bin, "-s", g_sock, "stats", "--count", "2", NULL};
	struct json_value *v;
	const struct json_value *c, *pgs;
	struct result r;
	uint64_t done = 0;
	const char *host = NULL;
	pid_t perf;
	int st = 0;

	(void)state;
	perf = perf_start();
	v = wait_ctrlr();
	c = json_arr_at(v, 0);
	assert_true(json_u64(c, "cntlid") > 0);
	assert_int_equal(json_get_str(json_obj_get(c, "hostnqn"), &host), 0);
	assert_memory_equal(host, "nqn.", 4);
	json_free(v);
	v = rpc("nvmf_subsystem_get_qpairs", "{\"nqn\":\"" NQN "\"}");
	assert_true(v->u.arr.count >= 2); /* admin + at least one I/O queue */
	json_free(v);
	run_cmd(argv, 30, &r);
	if (r.status != 0 || !has_busy_group_row(r.out))
		fail_msg("nvmf_rpc stats --count 2 (status %d):\n%s%s", r.status, r.out, r.err);
	assert_non_null(strstr(r.out, "no latency histograms"));
	result_free(&r);
	assert_int_equal(waitpid(perf, &st, 0), perf);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	v = rpc("nvmf_get_stats", NULL);
	pgs = json_obj_get(v, "poll_groups");
	assert_int_equal(pgs->u.arr.count, 1);
	done = json_u64(json_arr_at(pgs, 0), "completed_nvme_io");
	assert_true(done > 0);
	assert_true(json_u64(json_arr_at(pgs, 0), "bytes_read") > 0);
	assert_true(json_u64(json_arr_at(pgs, 0), "io_qpairs") > 0);
	json_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_under_load),
	};

	return cmocka_run_group_tests(tests, start_target, stop_target);
}
