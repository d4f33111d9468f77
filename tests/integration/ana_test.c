/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of multipath over loopback: nvmf_tgt serves
 * conf/examples/multipath.conf (ports moved to private ones) with an RPC
 * socket. nvmf_perf --verify passes on both paths; the optimized path is
 * set inaccessible by nvmf_rpc, then nvmf_perf on it sees the ANA
 * Inaccessible path status (SCT 3 SC 02h) while the other path keeps
 * verifying; back to optimized, it verifies again. nvmf_perf --verify
 * given both paths (two -r of one NQN) reads the ANA logs, sends I/O on
 * the optimized path and keeps verifying with no error while that path
 * goes inaccessible and back, failing over. A referral added by
 * RPC shows in the discovery log (nvme_identify) and in save_config.
 *
 * Binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN, $NVMF_RPC_BIN, $NVME_IDENTIFY_BIN
 * (build/bin/...). Conf: $NVMF_CONF_DIR (conf/examples).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define NQN "nqn.2016-06.io.nvmf-tgt:mpath0"

static pid_t g_pid;
static int g_port1, g_port2;
static char g_sock[108];
static char g_conf[64];

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/* Run @cmd in a shell; its output into @out. @return its exit status. */
static int run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	size_t n = 0;
	FILE *p;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < len && (rc = (int)fread(out + n, 1, len - 1 - n, p)) > 0)
		n += (size_t)rc;
	out[n] = '\0';
	rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int perf(char *out, size_t len, int port)
{
	return run(out, len,
		   "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN
		   "' -q 8 -o 4096 -w randrw -t 1 --verify 2>&1",
		   env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf"), port);
}

static void perf_verifies(int port)
{
	char out[8192];
	int rc = perf(out, sizeof(out), port);

	if (rc != 0 || strstr(out, "0 mismatches") == NULL || strstr(out, "I/O errors: 0") == NULL)
		fail_msg("nvmf_perf --verify on port %d (status %d):\n%s", port, rc, out);
}

static void rpc_ok(const char *args)
{
	char out[4096];
	int rc = run(out, sizeof(out), "%s -s %s %s 2>&1",
		     env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc"), g_sock, args);

	if (rc != 0)
		fail_msg("nvmf_rpc %s (status %d):\n%s", args, rc, out);
}

static int start_target(void **state)
{
	const char *bin = env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt");
	char cmd[1024], out[256];

	(void)state;
	g_port1 = 27000 + getpid() % 500 * 2;
	g_port2 = g_port1 + 1;
	snprintf(g_sock, sizeof(g_sock), "/tmp/nvmf_ana_test.%d.sock", (int)getpid());
	snprintf(g_conf, sizeof(g_conf), "/tmp/nvmf_ana_test.%d.conf", (int)getpid());
	snprintf(cmd, sizeof(cmd), "sed -e 's/:4420/:%d/; s/:4421/:%d/' %s/multipath.conf > %s",
		 g_port1, g_port2, env_or("NVMF_CONF_DIR", "conf/examples"), g_conf);
	if (run(out, sizeof(out), "%s", cmd) != 0)
		return -1;
	g_pid = fork();
	if (g_pid == 0) {
		execl(bin, bin, "-r", g_sock, "-c", g_conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		if (access(g_sock, F_OK) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int stop_target(void **state)
{
	int ws = 0;

	(void)state;
	kill(g_pid, SIGTERM);
	waitpid(g_pid, &ws, 0);
	unlink(g_conf);
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : -1;
}

static void test_failover_states(void **state)
{
	char out[8192], args[512];

	(void)state;
	perf_verifies(g_port1);
	perf_verifies(g_port2);

	snprintf(args, sizeof(args), "listener ana-state " NQN " tcp 127.0.0.1:%d inaccessible",
		 g_port1);
	rpc_ok(args);
	assert_int_not_equal(perf(out, sizeof(out), g_port1), 0);
	if (strstr(out, "SCT 3 SC 0x02") == NULL)
		fail_msg("nvmf_perf on the inaccessible path:\n%s", out);
	assert_null(strstr(out, "I/O errors: 0;"));
	/* The other path serves on. */
	perf_verifies(g_port2);

	snprintf(args, sizeof(args), "listener list " NQN);
	assert_int_equal(run(out, sizeof(out), "%s -s %s %s",
			     env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc"), g_sock, args),
			 0);
	assert_non_null(strstr(out, "\"inaccessible\""));
	assert_non_null(strstr(out, "\"non_optimized\""));

	snprintf(args, sizeof(args), "listener ana-state " NQN " tcp 127.0.0.1:%d optimized",
		 g_port1);
	rpc_ok(args);
	perf_verifies(g_port1);
}

/* nvmf_perf on both paths while 127.0.0.1:PORT1 goes inaccessible at 2 s and back at 4 s. */
static void test_perf_multipath_failover(void **state)
{
	const char *rpc = env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc");
	char out[16384];
	int rc;

	(void)state;
	rc = run(out, sizeof(out),
		 "(sleep 2; %s -s %s listener ana-state " NQN " tcp 127.0.0.1:%d inaccessible "
		 ">/dev/null; echo \"rpc1=$?\"; sleep 2; %s -s %s listener ana-state " NQN
		 " tcp 127.0.0.1:%d optimized >/dev/null; echo \"rpc2=$?\") & "
		 "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN "' "
		 "-r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN "' "
		 "-q 8 -o 4096 -w randrw -t 6 --verify 2>&1; rc=$?; wait; exit $rc",
		 rpc, g_sock, g_port1, rpc, g_sock, g_port1,
		 env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf"), g_port1, g_port2);
	if (rc != 0 || strstr(out, "rpc1=0") == NULL || strstr(out, "rpc2=0") == NULL ||
	    strstr(out, "I/O errors: 0;") == NULL || strstr(out, " 0 mismatches") == NULL)
		fail_msg("nvmf_perf --verify on two paths across a state change (status %d):\n%s",
			 rc, out);
	/* Both paths' states read at start; I/O moved off the inaccessible path. */
	if (strstr(out, "ANA optimized") == NULL || strstr(out, "ANA inaccessible") == NULL ||
	    strstr(out, "ANA non-optimized") == NULL || strstr(out, "failovers: 0") != NULL ||
	    strstr(out, "failovers: ") == NULL)
		fail_msg("no failover seen:\n%s", out);
}

/* Both paths inaccessible: an I/O waits ANATT (10 s) for a usable path, then the run fails. */
static void test_perf_no_usable_path(void **state)
{
	char out[16384], args[512];
	int rc;

	(void)state;
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args),
			 "listener ana-state " NQN " tcp 127.0.0.1:%d inaccessible",
			 i ? g_port2 : g_port1);
		rpc_ok(args);
	}
	rc = run(out, sizeof(out),
		 "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN "' "
		 "-r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN "' "
		 "-q 8 -o 4096 -w randrw -t 30 --verify 2>&1",
		 env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf"), g_port1, g_port2);
	snprintf(args, sizeof(args), "listener ana-state " NQN " tcp 127.0.0.1:%d optimized",
		 g_port1);
	rpc_ok(args);
	snprintf(args, sizeof(args), "listener ana-state " NQN " tcp 127.0.0.1:%d non_optimized",
		 g_port2);
	rpc_ok(args);
	if (rc != 1 || strstr(out, "ANA inaccessible") == NULL ||
	    strstr(out, "No route to host") == NULL || strstr(out, " 0 mismatches") == NULL)
		fail_msg("nvmf_perf with no usable path (status %d):\n%s", rc, out);
}

static void test_referral_in_discovery_log(void **state)
{
	char out[16384];

	(void)state;
	rpc_ok("referral add tcp 10.0.0.2:8009");
	assert_int_equal(run(out, sizeof(out),
			     "timeout 30 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d' 2>&1",
			     env_or("NVME_IDENTIFY_BIN", "build/bin/nvme_identify"), g_port1),
			 0);
	if (strstr(out, "discovery referral") == NULL || strstr(out, "10.0.0.2") == NULL)
		fail_msg("no referral in the discovery log:\n%s", out);
	assert_int_equal(run(out, sizeof(out), "%s -s %s save-config",
			     env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc"), g_sock),
			 0);
	assert_non_null(strstr(out, "Referral TCP 10.0.0.2:8009"));
	assert_non_null(strstr(out, "ana=non_optimized"));
	rpc_ok("referral del tcp 10.0.0.2:8009");
	assert_int_equal(run(out, sizeof(out),
			     "timeout 30 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d' 2>&1",
			     env_or("NVME_IDENTIFY_BIN", "build/bin/nvme_identify"), g_port1),
			 0);
	assert_null(strstr(out, "10.0.0.2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failover_states),
	    cmocka_unit_test(test_perf_multipath_failover),
	    cmocka_unit_test(test_perf_no_usable_path),
	    cmocka_unit_test(test_referral_in_discovery_log),
	};
	return cmocka_run_group_tests(tests, start_target, stop_target);
}
