/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of the statistics: nvmf_tgt on a conf file (one RAM
 * namespace on a free loopback port) with a private RPC socket; while
 * nvmf_perf runs against it, nvmf_subsystem_get_controllers shows its
 * controller, nvmf_subsystem_get_qpairs its queues, and `nvmf_rpc stats
 * --watch --count 2` prints two blocks whose subsystem and namespace rows
 * have IOPS and latency. Afterwards the growth of nvmf_get_stats matches
 * what perf reports: at least its reads and writes, at most one queue
 * depth more (the I/O in flight when its measurement ended, not counted
 * by it), bytes as I/O size times count, one latency sample per I/O.
 * Also: --watch stops cleanly on SIGINT; the command's errors (an unknown
 * option, no target) are one line and a non-zero exit.
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
	snprintf(g_tgt.rpc, sizeof(g_tgt.rpc), "%s", g_sock);
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

#define PERF_QD 16
#define PERF_IO 4096

/* nvmf_perf in the background, its JSON report into @out. */
static pid_t perf_start(const char *out)
{
	char trid[256];
	pid_t pid;

	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" NQN,
		 g_tgt.port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, STDOUT_FILENO);
		execl(g_perf_bin, g_perf_bin, "-r", trid, "-q", "16", "-o", "4096", "-w", "randrw",
		      "-t", PERF_SECONDS, "--json", (char *)NULL);
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

/* A row of `nvmf_rpc stats` that names @name: IOPS > 0 and a p50 latency? */
static bool busy_row(const char *out, const char *name)
{
	for (const char *p = strstr(out, name); p != NULL; p = strstr(p + 1, name)) {
		char line[512], *tok[32], *save = NULL;
		size_t n = 0, len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		for (char *t = strtok_r(line, " ", &save); t != NULL && n < 32;
		     t = strtok_r(NULL, " ", &save))
			tok[n++] = t;
		/* ... qpairs IOPS rd-MiB/s wr-MiB/s p50 p99 p99.9 */
		if (n >= 8 && strtod(tok[n - 6], NULL) > 0 && strtod(tok[n - 3], NULL) > 0)
			return true;
	}
	return false;
}

/* The counters of nvmf_get_stats summed over groups, and over namespace 1. */
struct totals {
	uint64_t rd, wr, rd_bytes, wr_bytes; /* the groups' own */
	uint64_t ns_rd, ns_wr, ns_lat;       /* namespace 1: ops, latency samples */
};

static uint64_t lat_samples(const struct json_value *lat)
{
	uint64_t n = 0;

	for (size_t i = 0; i < lat->u.arr.count; i++) {
		uint64_t c = 0;

		assert_int_equal(json_get_uint64(json_arr_at(json_arr_at(lat, i), 2), &c), 0);
		n += c;
	}
	return n;
}

static void totals_get(struct totals *t)
{
	struct json_value *v = rpc("nvmf_get_stats", NULL);
	const struct json_value *pgs = json_obj_get(v, "poll_groups");

	memset(t, 0, sizeof(*t));
	assert_true(json_u64(v, "tick_rate") > 0);
	for (size_t i = 0; i < pgs->u.arr.count; i++) {
		const struct json_value *g = json_arr_at(pgs, i);
		const struct json_value *nss = json_obj_get(g, "namespaces");

		t->rd += json_u64(g, "num_read_ops");
		t->wr += json_u64(g, "num_write_ops");
		t->rd_bytes += json_u64(g, "bytes_read");
		t->wr_bytes += json_u64(g, "bytes_written");
		for (size_t k = 0; k < nss->u.arr.count; k++) {
			const struct json_value *ns = json_arr_at(nss, k);
			const char *nqn = NULL;

			assert_int_equal(json_get_str(json_obj_get(ns, "nqn"), &nqn), 0);
			assert_string_equal(nqn, NQN);
			assert_int_equal(json_u64(ns, "nsid"), 1);
			t->ns_rd += json_u64(ns, "num_read_ops");
			t->ns_wr += json_u64(ns, "num_write_ops");
			t->ns_lat += lat_samples(json_obj_get(ns, "latency_ticks"));
		}
	}
	json_free(v);
}

/* @grew (the target's count) is @perf's, plus at most the I/O it left uncounted. */
static void expect_about(const char *what, uint64_t grew, uint64_t perf)
{
	if (grew < perf || grew > perf + PERF_QD)
		fail_msg("%s: the target counted %llu more, perf reports %llu", what,
			 (unsigned long long)grew, (unsigned long long)perf);
}

static void check_against_perf(const struct totals *a, const struct totals *b, const char *out)
{
	char *text = read_file(out);
	struct json_value *v, *total;
	uint64_t rd, wr;

	assert_non_null(text);
	v = parse_json(text);
	total = (struct json_value *)json_obj_get(v, "total");
	assert_non_null(total);
	rd = json_u64(total, "reads");
	wr = json_u64(total, "writes");
	assert_true(rd > 0 && wr > 0);
	expect_about("reads", b->rd - a->rd, rd);
	expect_about("writes", b->wr - a->wr, wr);
	expect_about("reads + writes", b->rd - a->rd + b->wr - a->wr, rd + wr);
	assert_int_equal(b->rd_bytes - a->rd_bytes, (b->rd - a->rd) * PERF_IO);
	assert_int_equal(b->wr_bytes - a->wr_bytes, (b->wr - a->wr) * PERF_IO);
	/* One namespace: its counts are the groups' counts; a latency sample per I/O. */
	assert_int_equal(b->ns_rd, b->rd);
	assert_int_equal(b->ns_wr, b->wr);
	assert_int_equal(b->ns_lat - a->ns_lat, b->rd - a->rd + b->wr - a->wr);
	json_free(v);
	free(text);
}

static void check_watch_output(void)
{
	char *argv[] = {g_rpc_bin, "-s", g_sock, "stats", "--watch", "--count", "2", NULL};
	struct result r;
	const char *second;

	run_cmd(argv, 30, &r);
	expect_exit(&r, 0);
	/* Not a terminal: a block per report, each headed by the time. */
	assert_memory_equal(r.out, "--- ", 4);
	second = strstr(r.out + 1, "\n--- ");
	assert_non_null(second);
	assert_null(strstr(second + 1, "\n--- "));
	if (!busy_row(second, "nvmf_tgt_poll_group_000") || !busy_row(second, NQN) ||
	    !busy_row(second, "ram0"))
		fail_msg("nvmf_rpc stats --watch --count 2: no busy rows:\n%s", r.out);
	result_free(&r);
}

static void test_stats_under_load(void **state)
{
	char out[64];
	struct json_value *v;
	const struct json_value *c;
	struct totals a, b;
	const char *host = NULL;
	pid_t perf;
	int st = 0;

	(void)state;
	snprintf(out, sizeof(out), "/tmp/nvmf_stats_test.%d.json", (int)getpid());
	totals_get(&a);
	perf = perf_start(out);
	v = wait_ctrlr();
	c = json_arr_at(v, 0);
	assert_true(json_u64(c, "cntlid") > 0);
	assert_int_equal(json_get_str(json_obj_get(c, "hostnqn"), &host), 0);
	assert_memory_equal(host, "nqn.", 4);
	json_free(v);
	v = rpc("nvmf_subsystem_get_qpairs", "{\"nqn\":\"" NQN "\"}");
	assert_true(v->u.arr.count >= 2); /* admin + at least one I/O queue */
	json_free(v);
	check_watch_output();
	assert_int_equal(waitpid(perf, &st, 0), perf);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	totals_get(&b);
	check_against_perf(&a, &b, out);
	unlink(out);
}

/*
 * `nvmf_rpc stats --watch` into a pipe: once its first block is out, SIGINT
 * ends it with status 0 (a clean stop, not death by the signal).
 */
static void test_watch_sigint(void **state)
{
	char *argv[] = {g_rpc_bin, "-s", g_sock, "stats", "--watch", NULL};
	char buf[8192];
	size_t got = 0;
	int fds[2], st = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execv(g_rpc_bin, argv);
		_exit(127);
	}
	close(fds[1]);
	/* The first block ends with the last namespace row and a blank line. */
	while (got < sizeof(buf) - 1 && strstr(buf, "ram0") == NULL) {
		ssize_t n = read(fds[0], buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
	assert_non_null(strstr(buf, "ram0"));
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(fds[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("nvmf_rpc stats --watch after SIGINT: wait status 0x%x", st);
}

static void test_stats_errors(void **state)
{
	char *bad[] = {g_rpc_bin, "-s", g_sock, "stats", "--bogus", NULL};
	char *help[] = {g_rpc_bin, "stats", "--help", NULL};
	char *gone[] = {g_rpc_bin, "-s", "/tmp/nvmf_stats_test.none.sock", "stats", NULL};
	struct result r;

	(void)state;
	run_cmd(bad, 30, &r);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, "--bogus"));
	assert_non_null(strchr(r.err, '\n'));
	assert_int_equal(strchr(r.err, '\n')[1], '\0'); /* one line */
	result_free(&r);
	run_cmd(help, 30, &r);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "--watch"));
	result_free(&r);
	run_cmd(gone, 30, &r);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "nvmf_stats_test.none.sock"));
	assert_int_equal(strchr(r.err, '\n')[1], '\0');
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_under_load),
	    cmocka_unit_test(test_watch_sigint),
	    cmocka_unit_test(test_stats_errors),
	};

	return cmocka_run_group_tests(tests, start_target, stop_target);
}
