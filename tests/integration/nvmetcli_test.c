/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of the nvmetcli converter, on loopback: the fixture
 * tests/fixtures/nvmetcli/config.json with its paths turned into
 * temporary files and its ports into free loopback ports (its RDMA port
 * into a TCP one: no RDMA device here) is
 *  - imported into an empty nvmf_tgt with `nvmf_rpc import-nvmetcli`: a
 *    failed import is undone, a good one shows in nvmf_get_subsystems
 *    and serves nvmf_perf --verify on both subsystems;
 *  - printed by `nvmf_tgt --from-nvmetcli`: the conf passes --check and a
 *    target started on it has the same subsystems as the imported one.
 * Run from the top of the tree, under flock /tmp/nvmf-net.lock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"

#define FIXTURE "tests/fixtures/nvmetcli/config.json"
#define DISKS "nqn.2016-06.io.example:disks"
#define SCRATCH "nqn.2016-06.io.example:scratch"
#define HOST1 "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define FILE_SIZE (8u << 20)

static struct {
	char dir[64];   /* the temporary files */
	char json[128]; /* the fixture as served here */
	char sock[108];
	int port1, port2;
	pid_t tgt;
} g;

static const char *bin(const char *env, const char *def)
{
	return env_or(env, def);
}

/* @text with every @from replaced by @to; frees @text. */
static char *replaced(char *text, const char *from, const char *to)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	write_replaced(m, text, from, to);
	assert_int_equal(fclose(m), 0);
	free(text);
	return out;
}

static void write_fixture(void)
{
	char *text = read_file(FIXTURE), p1[16], p2[16], dir[80];
	FILE *f;

	assert_non_null(text);
	snprintf(dir, sizeof(dir), "%s/", g.dir);
	snprintf(p1, sizeof(p1), "\"%d\"", g.port1);
	snprintf(p2, sizeof(p2), "\"%d\"", g.port2);
	text = replaced(text, "/srv/nvmet/", dir);
	text = replaced(text, "192.0.2.10", "127.0.0.1");
	text = replaced(text, "\"4420\"", p1);
	text = replaced(text, "\"4421\"", p2);
	text = replaced(text, "\"rdma\"", "\"tcp\"");
	snprintf(g.json, sizeof(g.json), "%s/config.json", g.dir);
	f = fopen(g.json, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(text);
}

static void make_file(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g.dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), FILE_SIZE), 0);
	assert_int_equal(fclose(f), 0);
}

/* Start nvmf_tgt on g.sock (with conf @conf, or empty) and wait for its socket. */
static void tgt_start(const char *conf)
{
	const char *tgt = bin("NVMF_TGT_BIN", "build/bin/nvmf_tgt");
	struct stat st;

	g.tgt = fork();
	assert_true(g.tgt >= 0);
	if (g.tgt == 0) {
		if (conf != NULL)
			execl(tgt, tgt, "-r", g.sock, "-c", conf, (char *)NULL);
		else
			execl(tgt, tgt, "-r", g.sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && stat(g.sock, &st) != 0; i++)
		usleep(100000);
	assert_int_equal(stat(g.sock, &st), 0);
	if (conf != NULL) /* listening too */
		for (int i = 0; i < 100 && !port_open(g.port1); i++)
			usleep(100000);
}

static void tgt_stop(void)
{
	int st = 0;

	kill(g.tgt, SIGTERM);
	assert_int_equal(waitpid(g.tgt, &st, 0), g.tgt);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* nvmf_rpc -s g.sock @a @b @c @d (NULLs end it early); stdout and stderr in @r. */
static void rpc(struct result *r, const char *a, const char *b, const char *c, const char *d)
{
	char *argv[] = {(char *)bin("NVMF_RPC_BIN", "build/bin/nvmf_rpc"),
			"-s",
			g.sock,
			(char *)a,
			(char *)b,
			(char *)c,
			(char *)d,
			NULL};

	run_cmd(argv, 60, r);
}

static char *subsystems_text(void)
{
	struct result r;
	char *out;

	rpc(&r, "subsystem", "list", NULL, NULL);
	expect_exit(&r, 0);
	out = r.out;
	r.out = NULL;
	result_free(&r);
	return out;
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

static void perf_verify(const char *nqn, int port, const char *hostnqn)
{
	char trid[512];
	struct result r;
	char *argv[] = {(char *)bin("NVMF_PERF_BIN", "build/bin/nvmf_perf"),
			"-r",
			trid,
			"-q",
			"8",
			"-o",
			"4096",
			"-w",
			"randrw",
			"-t",
			"1",
			"--verify",
			NULL};

	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s%s%s", port,
		 nqn, hostnqn ? " hostnqn:" : "", hostnqn ? hostnqn : "");
	run_cmd(argv, 60, &r);
	if (r.status != 0 || strstr(r.out, "0 mismatches") == NULL ||
	    strstr(r.out, "I/O errors: 0") == NULL)
		fail_msg("nvmf_perf --verify %s (exit %d):\n%s%s", trid, r.status, r.out, r.err);
	result_free(&r);
}

/* What the import must have built (the fixture less what has no equivalent). */
static void check_state(const char *text)
{
	struct json_value *v = parse_json(text);
	char p1[32], p2[32];

	assert_int_equal(v->type, JSON_ARRAY);
	assert_int_equal(v->u.arr.count, 2);
	json_free(v);
	snprintf(p1, sizeof(p1), "\"trsvcid\": \"%d\"", g.port1);
	snprintf(p2, sizeof(p2), "\"trsvcid\": \"%d\"", g.port2);
	assert_int_equal(count(text, p1), 2); /* both subsystems on port 1 */
	assert_int_equal(count(text, p2), 1); /* disks only on port 2 */
	assert_non_null(strstr(text, HOST1));
	assert_non_null(strstr(text, "nqn.2016-06.io.example:host-b"));
	assert_null(strstr(text, "host-chap"));
	assert_non_null(strstr(text, "\"uuid\": \"6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b\""));
	assert_non_null(strstr(text, "\"nguid\": \"0a1b2c3d4e5f60718293a4b5c6d7e8f9\""));
	assert_non_null(strstr(text, "\"nguid\": \"00112233445566778899aabbccddeeff\""));
	assert_non_null(strstr(text, "\"serial_number\": \"SCRATCH0001\""));
	assert_non_null(strstr(text, "\"model_number\": \"Scratch Space\""));
	assert_null(strstr(text, "retired"));
}

static int setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(g.dir, sizeof(g.dir), "/tmp/nvmf_nvmetcli.XXXXXX");
	if (mkdtemp(g.dir) == NULL)
		return -1;
	snprintf(g.sock, sizeof(g.sock), "%s/rpc.sock", g.dir);
	g.port1 = free_port();
	do
		g.port2 = free_port();
	while (g.port2 == g.port1);
	return g.port1 > 0 && g.port2 > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_import(void **state)
{
	char *before, *after;
	struct result r;

	(void)state;
	make_file("disk0.img");
	make_file("disk1.img");
	make_file("scratch.img");
	write_fixture();
	tgt_start(NULL);

	/* A subsystem of the file exists already: the import fails and is undone. */
	rpc(&r, "subsystem", "add", SCRATCH, NULL);
	expect_exit(&r, 0);
	result_free(&r);
	before = subsystems_text();
	rpc(&r, "import-nvmetcli", g.json, NULL, NULL);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "nvmf_create_subsystem"));
	assert_non_null(strstr(r.err, "undoing the import"));
	result_free(&r);
	after = subsystems_text();
	assert_string_equal(after, before);
	free(before);
	free(after);
	rpc(&r, "bdev", "list", NULL, NULL);
	expect_exit(&r, 0);
	assert_null(strstr(r.out, "nvmet1n1"));
	result_free(&r);
	rpc(&r, "subsystem", "del", SCRATCH, NULL);
	expect_exit(&r, 0);
	result_free(&r);

	/* Into the empty target: every warning on stderr, the state as the file says. */
	rpc(&r, "import-nvmetcli", g.json, NULL, NULL);
	expect_exit(&r, 0);
	assert_int_equal(count(r.err, ": warning: "), 14);
	assert_non_null(strstr(r.err, "warning: ports[0].referrals[0]: discovery referral"));
	result_free(&r);
	before = subsystems_text();
	check_state(before);
	perf_verify(SCRATCH, g.port1, NULL);
	perf_verify(DISKS, g.port2, HOST1);
	tgt_stop();

	/* The conf printed by --from-nvmetcli passes --check and builds the same subsystems. */
	{
		char conf[128], cmd[512];

		snprintf(conf, sizeof(conf), "%s/converted.conf", g.dir);
		snprintf(cmd, sizeof(cmd), "%s --from-nvmetcli %s >%s 2>/dev/null",
			 bin("NVMF_TGT_BIN", "build/bin/nvmf_tgt"), g.json, conf);
		assert_int_equal(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s --check -c %s >/dev/null",
			 bin("NVMF_TGT_BIN", "build/bin/nvmf_tgt"), conf);
		assert_int_equal(system(cmd), 0);
		tgt_start(conf);
		after = subsystems_text();
		assert_string_equal(after, before);
		perf_verify(DISKS, g.port1, "nqn.2016-06.io.example:host-b");
		tgt_stop();
	}
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_import),
	};

	return cmocka_run_group_tests_name("nvmetcli", tests, setup, teardown);
}
