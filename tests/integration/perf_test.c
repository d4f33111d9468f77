/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf_test.c - nvmf_perf and nvme_identify against a child nvmf_tgt that
 * serves each example conf (conf/examples/{ram,null,file}.conf) on a free
 * private port: --verify at several I/O sizes and queue depths with two
 * queue pairs on two cores, with SQ flow control kept on (reads end with a
 * CapsuleResp) and off (reads end on C2HData), digests, the JSON output, Identify and the
 * discovery log, a refused connection, bad options, and a target killed in
 * the middle of a run (nvmf_perf must end with an error, not hang).
 *
 * Binaries: $NVMF_TGT_BIN (build/bin/nvmf_tgt), $NVMF_PERF_BIN
 * (build/bin/nvmf_perf), $NVME_IDENTIFY_BIN (build/bin/nvme_identify);
 * confs from $NVMF_CONF_DIR (conf/examples). Run from the repository root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"
#include "util_json.h"

#define RAM_NQN "nqn.2016-06.io.nvmf-tgt:ram0"
#define NULL_NQN "nqn.2016-06.io.nvmf-tgt:null0"
#define FILE_NQN "nqn.2016-06.io.nvmf-tgt:file0"
#define RUN_TIMEOUT_S 60

static const char *g_tgt_bin, *g_perf_bin, *g_id_bin, *g_conf_dir;

struct target {
	pid_t pid;
	int port;
	char conf[64];
	char img[64]; /* file.conf: the backing file */
};

static struct target g_tgt;

/* ---------------------------------------------------------------- helpers */

/* conf/examples/@name with the port and (file.conf) the image path made private. */
static int write_conf(struct target *t, const char *name)
{
	char path[512], listen[64], *text, *stage = NULL;
	size_t stage_len = 0;
	FILE *f, *m;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g_conf_dir, name);
	text = read_file(path);
	if (!text)
		return -1;
	snprintf(t->conf, sizeof(t->conf), "/tmp/perf_test_conf.XXXXXX");
	snprintf(t->img, sizeof(t->img), "/tmp/perf_test_img.%d", (int)getpid());
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", t->port);
	fd = mkstemp(t->conf);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		free(text);
		return -1;
	}
	m = open_memstream(&stage, &stage_len);
	if (m) {
		write_replaced(m, text, "127.0.0.1:4420", listen);
		fclose(m);
		write_replaced(f, stage, "/var/tmp/nvmf-tgt-file0.img", t->img);
	}
	free(stage);
	free(text);
	return fclose(f);
}

static int start_target(const char *conf_name)
{
	struct target *t = &g_tgt;

	memset(t, 0, sizeof(*t));
	t->port = free_port();
	if (t->port <= 0 || write_conf(t, conf_name) != 0)
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execl(g_tgt_bin, g_tgt_bin, "-c", t->conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 150; i++) { /* 15 s */
		if (port_open(t->port))
			return 0;
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
			fprintf(stderr, "%s -c %s exited before listening\n", g_tgt_bin, t->conf);
			t->pid = 0;
			return -1;
		}
		usleep(100000);
	}
	return -1;
}

static int stop_target(void **state)
{
	(void)state;
	if (g_tgt.pid > 0) {
		kill(g_tgt.pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(g_tgt.pid, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		kill(g_tgt.pid, SIGKILL);
		waitpid(g_tgt.pid, NULL, 0);
	}
	g_tgt.pid = 0;
	unlink(g_tgt.conf);
	unlink(g_tgt.img);
	return 0;
}

static int setup_ram(void **state)
{
	(void)state;
	return start_target("ram.conf");
}

static int setup_null(void **state)
{
	(void)state;
	return start_target("null.conf");
}

static int setup_file(void **state)
{
	(void)state;
	return start_target("file.conf");
}

static void trid_of(char *buf, size_t len, const char *subnqn)
{
	snprintf(buf, len, "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:%d%s%s", g_tgt.port,
		 subnqn ? " subnqn:" : "", subnqn ? subnqn : "");
}

/* nvmf_perf with @extra options (NULL-terminated) against @subnqn. */
static void run_perf(const char *subnqn, struct result *r, unsigned timeout_s, ...)
{
	char trid[256], *argv[40];
	int n = 0;
	va_list ap;

	trid_of(trid, sizeof(trid), subnqn);
	argv[n++] = (char *)g_perf_bin;
	argv[n++] = "-r";
	argv[n++] = trid;
	va_start(ap, timeout_s);
	for (char *a = va_arg(ap, char *); a && n < 38; a = va_arg(ap, char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	run_cmd(argv, timeout_s, r);
}

/* Check a --json perf result: clean, IOPS > 0, and with @verify reads checked. */
static void check_perf_json(const struct result *r, bool verify)
{
	struct json_value *root;
	const struct json_value *total, *lat, *workers;
	const char *status = NULL;

	expect_exit(r, 0);
	root = parse_json(r->out);
	total = json_obj_get(root, "total");
	assert_non_null(total);
	assert_int_equal(json_get_str(json_obj_get(root, "status"), &status), 0);
	assert_string_equal(status, "ok");
	assert_true(json_dbl(total, "iops") > 0);
	assert_true(json_u64(total, "ios") > 0);
	assert_int_equal(json_u64(total, "io_errors"), 0);
	assert_int_equal(json_u64(total, "verify_errors"), 0);
	if (verify)
		assert_true(json_u64(total, "verified") > 0);
	lat = json_obj_get(total, "latency_us");
	assert_non_null(lat);
	assert_true(json_dbl(lat, "min") <= json_dbl(lat, "p50"));
	assert_true(json_dbl(lat, "p50") <= json_dbl(lat, "p99"));
	assert_true(json_dbl(lat, "p99") <= json_dbl(lat, "max"));
	/* two cores, one namespace: a row per core */
	assert_int_equal(json_obj_get(root, "results")->u.arr.count, 2);
	/* and each core's idle share, a percentage */
	workers = json_obj_get(root, "workers");
	assert_non_null(workers);
	assert_int_equal(workers->u.arr.count, 2);
	for (size_t i = 0; i < workers->u.arr.count; i++) {
		double idle = json_dbl(json_arr_at(workers, i), "idle_pct");

		assert_true(idle >= 0.0 && idle <= 100.0);
	}
	json_free(root);
}

/* ------------------------------------------------------------ RAM target */

static void test_ram_verify_matrix(void **state)
{
	static const char *const sizes[] = {"512", "4096", "65536", "1048576"};
	static const char *const qds[] = {"1", "8", "32"};
	struct result r;

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t q = 0; q < sizeof(qds) / sizeof(qds[0]); q++) {
			run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randrw", "-M", "50", "-o",
				 sizes[s], "-q", qds[q], "-P", "2", "-c", "0x3", "-t", "1",
				 "--verify", "--json", NULL);
			check_perf_json(&r, true);
			result_free(&r);
		}
	}
}

static void test_ram_sequential_write_verify(void **state)
{
	struct result r;

	(void)state;
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "write", "-o", "8192", "-q", "16", "-P", "2",
		 "-c", "0x3", "-t", "1", "-a", "1", "--verify", "--json", NULL);
	check_perf_json(&r, true);
	result_free(&r);
}

/* Completion counters of a --json run: all, and those carried by a C2HData. */
static void perf_completions(const struct result *r, uint64_t *all, uint64_t *data, uint64_t *reads)
{
	struct json_value *root = parse_json(r->out);
	const struct json_value *total = json_obj_get(root, "total");

	assert_non_null(total);
	*all = json_u64(total, "completions");
	*data = json_u64(total, "data_completions");
	*reads = json_u64(total, "reads");
	assert_int_equal(json_u64(total, "capsule_completions"), *all - *data);
	json_free(root);
}

/*
 * --sq-flow-control, the Linux and SPDK hosts' way: every read must end
 * with a CapsuleResp (none on a C2HData with SUCCESS), verified data;
 * without it, reads end on C2HData.
 */
static void test_ram_sq_flow_control(void **state)
{
	uint64_t all, data, reads;
	struct result r;

	(void)state;
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randrw", "-M", "70", "-o", "4096", "-q", "32",
		 "-P", "2", "-c", "0x3", "-t", "1", "--verify", "--sq-flow-control", "--json",
		 NULL);
	check_perf_json(&r, true);
	perf_completions(&r, &all, &data, &reads);
	result_free(&r);
	assert_true(reads > 0);
	assert_int_equal(data, 0);
	assert_true(all >= reads);
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randread", "-o", "4096", "-q", "32", "-P", "2",
		 "-c", "0x3", "-t", "1", "--json", NULL);
	check_perf_json(&r, false);
	perf_completions(&r, &all, &data, &reads);
	result_free(&r);
	assert_true(reads > 0);
	assert_true(data >= reads); /* every measured read ended on its C2HData */
}

static void test_ram_table_output(void **state)
{
	struct result r;

	(void)state;
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randread", "-o", "4096", "-q", "8", "-t", "2",
		 NULL);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "IOPS"));
	assert_non_null(strstr(r.out, "p99.99"));
	assert_non_null(strstr(r.out, "Total"));
	assert_non_null(strstr(r.out, RAM_NQN " ns 1"));
	assert_non_null(strstr(r.err, "MiB/s")); /* the progress line */
	result_free(&r);
}

/* Without -c the one worker runs on the last core it may use, not on the
 * target's default core 0. */
static void test_default_core(void **state)
{
	struct json_value *root;
	const char *mask = NULL;
	struct result r;
	char want[24];
	cpu_set_t set;
	int cpu = 0;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (int i = 0; i < 64; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	snprintf(want, sizeof(want), "0x%llx", 1ull << cpu);
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randread", "-q", "4", "-t", "1", "--json",
		 NULL);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	assert_int_equal(
	    json_get_str(json_obj_get(json_obj_get(root, "config"), "core_mask"), &mask), 0);
	assert_string_equal(mask, want);
	assert_int_equal(json_obj_get(root, "results")->u.arr.count, 1);
	json_free(root);
	result_free(&r);
}

static void test_identify_person(void **state)
{
	char trid[256], *argv[4];
	struct result r;

	(void)state;
	trid_of(trid, sizeof(trid), RAM_NQN);
	argv[0] = (char *)g_id_bin;
	argv[1] = "-r";
	argv[2] = trid;
	argv[3] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "nvmf-tgt RAM"));
	assert_non_null(strstr(r.out, "NVMFTGT0001"));
	assert_non_null(strstr(r.out, RAM_NQN));
	assert_non_null(strstr(r.out, "Namespace 1"));
	assert_non_null(strstr(r.out, "1.00 GiB"));
	result_free(&r);
}

static void test_identify_json(void **state)
{
	char trid[256], *argv[5];
	const struct json_value *ctrl, *ns0;
	struct json_value *root;
	const char *s = NULL;
	struct result r;

	(void)state;
	trid_of(trid, sizeof(trid), RAM_NQN);
	argv[0] = (char *)g_id_bin;
	argv[1] = "-r";
	argv[2] = trid;
	argv[3] = "--json";
	argv[4] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	ctrl = json_obj_get(root, "controller");
	assert_int_equal(json_get_str(json_obj_get(ctrl, "sn"), &s), 0);
	assert_string_equal(s, "NVMFTGT0001");
	assert_int_equal(json_get_str(json_obj_get(ctrl, "mn"), &s), 0);
	assert_string_equal(s, "nvmf-tgt RAM");
	assert_int_equal(json_get_str(json_obj_get(ctrl, "subnqn"), &s), 0);
	assert_string_equal(s, RAM_NQN);
	assert_true(json_u64(ctrl, "nn") >= 1);
	ns0 = json_arr_at(json_obj_get(root, "namespaces"), 0);
	assert_non_null(ns0);
	assert_int_equal(json_u64(ns0, "nsid"), 1);
	assert_int_equal(json_u64(ns0, "size_bytes"), 1ull << 30);
	assert_int_equal(json_u64(ns0, "block_size"), 512);
	json_free(root);
	result_free(&r);
}

static void test_identify_discovery(void **state)
{
	char trid[256], *argv[5];
	const struct json_value *entries, *e;
	struct json_value *root;
	const char *s = NULL;
	bool found = false;
	struct result r;

	(void)state;
	trid_of(trid, sizeof(trid), NULL);
	argv[0] = (char *)g_id_bin;
	argv[1] = "-r";
	argv[2] = trid;
	argv[3] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "Discovery Log"));
	assert_non_null(strstr(r.out, RAM_NQN));
	result_free(&r);

	argv[3] = "--json";
	argv[4] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	entries = json_obj_get(json_obj_get(root, "discovery"), "entries");
	assert_non_null(entries);
	for (size_t i = 0; (e = json_arr_at(entries, i)) != NULL; i++) {
		if (json_get_str(json_obj_get(e, "subnqn"), &s) == 0 && strcmp(s, RAM_NQN) == 0) {
			found = true;
			assert_int_equal(json_get_str(json_obj_get(e, "trtype"), &s), 0);
			assert_string_equal(s, "tcp");
		}
	}
	assert_true(found);
	json_free(root);
	result_free(&r);
}

/*
 * Wait (up to 60 s) until the nvmf_perf whose stderr is @fd prints a
 * progress line with I/O in it: it is connected and writing.
 * @return true once it is.
 */
static bool wait_writing(int fd)
{
	char buf[4096];
	size_t have = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	for (int waited = 0; waited < 600;) {
		ssize_t n;

		if (poll(&p, 1, 100) == 0) {
			waited++;
			continue;
		}
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return false;
		have += (size_t)n;
		buf[have] = '\0';
		for (char *l = buf; (l = strstr(l, " s]")) != NULL; l++) {
			double iops = 0;

			if (sscanf(l, " s] %lf IOPS", &iops) == 1 && iops > 0)
				return true;
		}
		if (have > sizeof(buf) / 2) { /* keep the tail */
			memmove(buf, buf + have - 256, 256);
			have = 256;
		}
	}
	return false;
}

/*
 * Another host overwrites the blocks: --verify must say so. The other
 * writer is seen writing before the verifying run starts and goes on until
 * it ends, so the two always overlap, however loaded the machine.
 */
static void test_verify_detects_foreign_writes(void **state)
{
	char trid[256];
	struct json_value *root;
	struct result r;
	pid_t other;
	int pfd[2];

	(void)state;
	trid_of(trid, sizeof(trid), RAM_NQN);
	assert_int_equal(pipe(pfd), 0);
	other = fork();
	if (other == 0) {
		int null = open("/dev/null", O_WRONLY);

		close(pfd[0]);
		dup2(null, STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execl(g_perf_bin, g_perf_bin, "-r", trid, "-w", "randwrite", "-o", "1M", "-q", "32",
		      "-t", "120", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (!wait_writing(pfd[0])) {
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
		close(pfd[0]);
		fail_msg("the other writer never started writing");
	}
	run_perf(RAM_NQN, &r, RUN_TIMEOUT_S, "-w", "randrw", "-o", "1M", "-q", "32", "-t", "4",
		 "--verify", "--json", NULL);
	kill(other, SIGINT);
	close(pfd[0]);
	waitpid(other, NULL, 0);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "verify:"));
	root = parse_json(r.out);
	assert_true(json_u64(json_obj_get(root, "total"), "verify_errors") > 0);
	json_free(root);
	result_free(&r);
}

/* Last of its group: the target dies in the middle of a run. */
static void test_target_killed_mid_run(void **state)
{
	struct result r;
	pid_t killer;

	(void)state;
	killer = fork();
	if (killer == 0) {
		sleep(3);
		kill(g_tgt.pid, SIGKILL);
		_exit(0);
	}
	run_perf(RAM_NQN, &r, 40, "-w", "randrw", "-o", "4096", "-q", "8", "-P", "2", "-c", "0x3",
		 "-t", "30", "--json", NULL);
	waitpid(killer, NULL, 0);
	waitpid(g_tgt.pid, NULL, 0);
	g_tgt.pid = 0;
	if (r.status != 1)
		fail_msg("exit %d after the target died (expected 1)\n%s", r.status, r.err);
	if (r.secs > 15)
		fail_msg("nvmf_perf took %.1f s to notice the target died", r.secs);
	assert_non_null(strstr(r.err, "failed"));
	/* what was measured before is still printed */
	{
		struct json_value *root = parse_json(r.out);
		const char *s = NULL;

		assert_int_equal(json_get_str(json_obj_get(root, "status"), &s), 0);
		assert_string_equal(s, "failed");
		json_free(root);
	}
	result_free(&r);
}

/* ----------------------------------------------------- Null and File */

static void test_null_randread_digests(void **state)
{
	struct result r;

	(void)state;
	/* null.conf allows 4 queues per controller, admin included: 3 I/O queues */
	run_perf(NULL_NQN, &r, RUN_TIMEOUT_S, "-w", "randread", "-o", "4096", "-q", "32", "-P", "1",
		 "-c", "0x3", "-t", "1", "--json", NULL);
	check_perf_json(&r, false);
	result_free(&r);
	run_perf(NULL_NQN, &r, RUN_TIMEOUT_S, "-w", "randrw", "-o", "65536", "-q", "8", "-P", "1",
		 "-c", "0x3", "-t", "1", "--hdgst", "--ddgst", "--json", NULL);
	check_perf_json(&r, false);
	result_free(&r);
}

static void test_file_verify(void **state)
{
	struct result r;

	(void)state;
	run_perf(FILE_NQN, &r, RUN_TIMEOUT_S, "-w", "randrw", "-M", "30", "-o", "4096", "-q", "8",
		 "-P", "2", "-c", "0x3", "-t", "1", "--verify", "--json", NULL);
	check_perf_json(&r, true);
	result_free(&r);
}

/* ------------------------------------------------------------- no target */

static void test_refused(void **state)
{
	char port[16], trid[128], *argv[12];
	struct result r;
	int p = free_port();

	(void)state;
	snprintf(port, sizeof(port), "%d", p);
	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:" RAM_NQN, p);
	argv[0] = (char *)g_perf_bin;
	argv[1] = "-r";
	argv[2] = trid;
	argv[3] = "-w";
	argv[4] = "randread";
	argv[5] = "-t";
	argv[6] = "1";
	argv[7] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "cannot connect"));
	assert_non_null(strstr(r.err, port));
	assert_non_null(strstr(r.err, strerror(ECONNREFUSED)));
	result_free(&r);

	argv[0] = (char *)g_id_bin;
	argv[3] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, strerror(ECONNREFUSED)));
	result_free(&r);
}

static void test_bad_options(void **state)
{
	static const char *const cases[][6] = {
	    {"-w", "randread", NULL},                                        /* no -r */
	    {"-r", "trtype:TCP traddr:127.0.0.1", "-w", "bogus", NULL},      /* bad workload */
	    {"-r", "trtype:TCP traddr:127.0.0.1", "-w", "read", "-M", "50"}, /* -M without rw */
	    {"-r", "trtype:TCP traddr:127.0.0.1", "-w", "read", "-q", "0"},
	    {"-r", "trtype:XYZ", "-w", "read", NULL},
	    {"-r", "trtype:TCP traddr:127.0.0.1", "-w", "rw", "-M", "101"},
	};
	char *argv[8];
	struct result r;

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		argv[0] = (char *)g_perf_bin;
		for (int i = 0; i < 6; i++)
			argv[i + 1] = (char *)cases[c][i];
		argv[7] = NULL;
		run_cmd(argv, RUN_TIMEOUT_S, &r);
		expect_exit(&r, 2);
		assert_non_null(strstr(r.err, "usage:"));
		result_free(&r);
	}
	argv[1] = "-h";
	argv[2] = NULL;
	run_cmd(argv, RUN_TIMEOUT_S, &r);
	expect_exit(&r, 0);
	assert_non_null(strstr(r.out, "--verify"));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest ram[] = {
	    cmocka_unit_test(test_ram_verify_matrix),
	    cmocka_unit_test(test_ram_sequential_write_verify),
	    cmocka_unit_test(test_ram_sq_flow_control),
	    cmocka_unit_test(test_ram_table_output),
	    cmocka_unit_test(test_default_core),
	    cmocka_unit_test(test_identify_person),
	    cmocka_unit_test(test_identify_json),
	    cmocka_unit_test(test_identify_discovery),
	    cmocka_unit_test(test_verify_detects_foreign_writes),
	    cmocka_unit_test(test_target_killed_mid_run),
	};
	const struct CMUnitTest null[] = {cmocka_unit_test(test_null_randread_digests)};
	const struct CMUnitTest file[] = {cmocka_unit_test(test_file_verify)};
	const struct CMUnitTest none[] = {
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_bad_options),
	};
	int failed = 0;

	test_bins_from_env(&g_tgt_bin, &g_perf_bin, &g_id_bin, &g_conf_dir);
	failed += cmocka_run_group_tests_name("perf_none", none, NULL, NULL);
	failed += cmocka_run_group_tests_name("perf_ram", ram, setup_ram, stop_target);
	failed += cmocka_run_group_tests_name("perf_null", null, setup_null, stop_target);
	failed += cmocka_run_group_tests_name("perf_file", file, setup_file, stop_target);
	return failed ? 1 : 0;
}
