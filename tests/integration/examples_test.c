/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * examples_test.c - nvmf_tgt --check, and the example confs:
 *  - every .conf in $NVMF_CONF_DIR (conf/examples) passes --check: exit 0,
 *    "FILE: ok" and what it would serve;
 *  - bad files exit 2 with FILE:LINE and the word at fault on stderr, one
 *    kind of error each (unknown section, unknown key, bad value, missing
 *    required key, unknown backend, [File] path, PCI address);
 *  - --check starts nothing: as user nobody, in well under a second, on a
 *    conf whose TCP port is taken (a real start fails there), with an RDMA
 *    listener and an [Nvme] device this machine does not have, and the
 *    [File] image is not created;
 *  - multi.conf, the one TCP example perf_test.c does not serve, is served
 *    on two private ports: both subsystems, their namespaces, the host
 *    allow list, I/O with --verify, and a clean stop;
 *  - tls.conf is served on a private port: its host with its key does
 *    verified I/O over TLS (nvmf_perf --tls-key), without TLS it is refused.
 *
 * Binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN, $NVME_IDENTIFY_BIN (build/bin/...).
 * Run from the repository root.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"
#include "tests/integration/tgt_child.h"
#include "util.h"
#include "util_json.h"

#define SHARED_NQN "nqn.2016-06.io.nvmf-tgt:shared"
#define RESTRICTED_NQN "nqn.2016-06.io.nvmf-tgt:restricted"
#define HOST_A "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define HOST_B "nqn.2016-06.io.example:host-b"
#define NOBODY 65534
#define TIMEOUT_S 60

static const char *g_tgt_bin, *g_perf_bin, *g_id_bin, *g_conf_dir;

/* ------------------------------------------------------------- --check */

static void run_check(const char *path, int uid, struct result *r)
{
	char *argv[] = {(char *)g_tgt_bin, "--check", "-c", (char *)path, NULL};

	run_cmd_as(argv, TIMEOUT_S, uid, r);
}

/* Write @text to a new file under /tmp, readable by all; its path into @path. */
static void write_tmp(const char *text, char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/examples_test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* "PATH: ok\n" first, then "PATH: serves ...". */
static void expect_ok(const struct result *r, const char *path)
{
	char want[128];

	expect_exit(r, 0);
	snprintf(want, sizeof(want), "%s: ok\n%s: serves ", path, path);
	if (strncmp(r->out, want, strlen(want)) != 0)
		fail_msg("%s: stdout does not start with '%s':\n%s", path, want, r->out);
	assert_string_equal(r->err, "");
}

static void test_check_every_example(void **state)
{
	char pattern[512];
	struct result r;
	glob_t g;

	(void)state;
	snprintf(pattern, sizeof(pattern), "%s/*.conf", g_conf_dir);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	/* ram, null, file, multi, nvme, rdma, tcp-rdma at least */
	assert_true(g.gl_pathc >= 7);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		run_check(g.gl_pathv[i], -1, &r);
		expect_ok(&r, g.gl_pathv[i]);
		result_free(&r);
	}
	globfree(&g);
}

struct bad_case {
	const char *text;
	const char *want; /* after "PATH:" */
};

static const struct bad_case bad_cases[] = {
    {"[Global]\n  LogLevel info\n\n[Subsytem]\n  NQN nqn.2016-06.io.a:b\n",
     "4: unknown section [Subsytem] (did you mean [Subsystem]?)"},
    {"[Ram]\n  Name ram0\n  Size 1M\n  BlokSize 512\n",
     "4: unknown key 'BlokSize' in [Ram] (did you mean 'BlockSize'?)"},
    {"[Transport]\n  Type TCP\n  MaxQueueDepth 100000\n",
     "3: MaxQueueDepth: expected an integer from 2 to 65536, got '100000'"},
    {"[Ram]\n  Name ram0\n  Size 1M\n[Subsystem]\n  Listen TCP 127.0.0.1:4420\n"
     "  Namespace ram0\n",
     "4: [Subsystem] is missing required key 'NQN'"},
    {"[Ram]\n  Name ram0\n  Size 1M\n[Subsystem]\n  NQN nqn.2016-06.io.a:b\n  Namespace ram1\n",
     "6: Namespace: no backend named 'ram1' (did you mean 'ram0'?)"},
    {"[File]\n  Name f\n  Path /nonexistent-dir.examples_test/f.img\n  Size 1M\n",
     "3: Path '/nonexistent-dir.examples_test/f.img': cannot create it in "
     "'/nonexistent-dir.examples_test': No such file or directory"},
    {"[Nvme]\n  Name nv\n  TrAddr 0000:00:4\n",
     "3: TrAddr: bad PCI address '0000:00:4' (expected 0000:00:04.0, as lspci -D shows)"},
};

/* Each kind of error: exit 2, the exact PATH:LINE message, nothing on stdout. */
static void test_check_bad_files(void **state)
{
	char path[64], want[512];
	struct result r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		write_tmp(bad_cases[i].text, path);
		run_check(path, -1, &r);
		expect_exit(&r, 2);
		snprintf(want, sizeof(want), "%s:%s\nnvmf_tgt: 1 error in %s; check failed\n", path,
			 bad_cases[i].want, path);
		assert_string_equal(r.err, want);
		assert_string_equal(r.out, "");
		unlink(path);
		result_free(&r);
	}
}

/* All errors of a file are reported, and what cannot run at all exits 2 too. */
static void test_check_many_errors_and_usage(void **state)
{
	char *no_conf[] = {(char *)g_tgt_bin, "--check", NULL};
	char path[64];
	struct result r;

	(void)state;
	write_tmp("[Ram]\n  Name ram0\n  Size 1M\n  BlokSize 512\n[Subsystem]\n"
		  "  NQN nqn.2016-06.io.a:b\n  Namespace ram1\n[Bogus]\n",
		  path);
	run_check(path, -1, &r);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, ":4: unknown key 'BlokSize'"));
	assert_non_null(strstr(r.err, ":7: Namespace: no backend named 'ram1'"));
	assert_non_null(strstr(r.err, ":8: unknown section [Bogus]"));
	assert_non_null(strstr(r.err, "nvmf_tgt: 3 errors in "));
	unlink(path);
	result_free(&r);
	run_check("/nonexistent/examples_test.conf", -1, &r);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, "/nonexistent/examples_test.conf: cannot open the conf file: "
				      "No such file or directory"));
	result_free(&r);
	run_cmd(no_conf, TIMEOUT_S, &r);
	expect_exit(&r, 2);
	assert_non_null(strstr(r.err, "--check needs -c FILE"));
	result_free(&r);
}

/* A TCP socket listening on 127.0.0.1, on a port of the kernel's choosing. */
static int hold_port(int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void test_check_starts_nothing(void **state)
{
	char text[1024], path[64], img[64];
	char *argv[4] = {(char *)g_tgt_bin, "-c", path, NULL};
	int held_port, free_p = free_port();
	int held = hold_port(&held_port);
	struct result r;
	struct stat st;

	(void)state;
	snprintf(img, sizeof(img), "/tmp/examples_test_img.%d", (int)getpid());
	snprintf(text, sizeof(text),
		 "[Transport]\n  Type RDMA\n"
		 "[Ram]\n  Name r\n  Size 1G\n"
		 "[File]\n  Name f\n  Path %s\n  Size 1G\n"
		 "[Nvme]\n  Name nv\n  TrAddr 0000:ff:1f.7\n"
		 "[Subsystem]\n  NQN nqn.2016-06.io.a:b\n  Listen TCP 127.0.0.1:%d\n"
		 "  Listen TCP 127.0.0.1:%d\n  Listen RDMA 192.0.2.1:4420\n  AllowAnyHost Yes\n"
		 "  Namespace r\n  Namespace f\n  Namespace nvn1\n",
		 img, held_port, free_p);
	write_tmp(text, path);
	/* As nobody when we may: no privilege for hugepages, devices or PCI. */
	run_check(path, getuid() == 0 ? NOBODY : -1, &r);
	expect_ok(&r, path);
	assert_true(r.secs < 2.0);
	result_free(&r);
	assert_int_equal(stat(img, &st), -1);
	assert_false(port_open(free_p));
	unlink(path);

	/* The same port makes a real start fail: --check did not listen. */
	snprintf(text, sizeof(text),
		 "[Ram]\n  Name r\n  Size 1M\n[Subsystem]\n  NQN nqn.2016-06.io.a:b\n"
		 "  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n  Namespace r\n",
		 held_port);
	write_tmp(text, path);
	run_check(path, -1, &r);
	expect_ok(&r, path);
	result_free(&r);
	run_cmd(argv, TIMEOUT_S, &r);
	expect_exit(&r, 1);
	assert_non_null(strstr(r.err, "Address already in use"));
	result_free(&r);
	unlink(path);
	close(held);
}

/* ------------------------------------------------------ multi.conf served */

static struct tgt_child g_multi;
static int g_port2;

/* @text with the address @from moved to 127.0.0.1:@port (malloc'd). */
static char *moved(const char *text, const char *from, int port)
{
	char to[32], *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	snprintf(to, sizeof(to), "127.0.0.1:%d", port);
	write_replaced(m, text, from, to);
	fclose(m);
	return out;
}

static int serve_multi(void **state)
{
	char path[512], *text, *stage, *conf;
	int rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/multi.conf", g_conf_dir);
	text = read_file(path);
	g_multi.port = free_port();
	g_port2 = free_port();
	if (!text || g_multi.port <= 0 || g_port2 <= 0 || g_port2 == g_multi.port)
		return -1;
	stage = moved(text, "127.0.0.1:4420", g_multi.port);
	conf = moved(stage, "127.0.0.1:4421", g_port2);
	rc = tgt_child_write_conf(&g_multi, conf);
	free(text);
	free(stage);
	free(conf);
	return rc == 0 ? tgt_child_start(&g_multi) : -1;
}

static int stop_multi(void **state)
{
	(void)state;
	if (g_multi.pid > 0)
		tgt_child_stop(&g_multi);
	return 0;
}

/* nvme_identify --json of @nqn on @port as @hostnqn (NULL: its default). */
static void identify(const char *nqn, int port, const char *hostnqn, struct result *r)
{
	char trid[512];
	char *argv[] = {(char *)g_id_bin, "-r", trid, "--json", NULL};

	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s%s%s", port,
		 nqn, hostnqn ? " hostnqn:" : "", hostnqn ? hostnqn : "");
	run_cmd(argv, TIMEOUT_S, r);
}

static const struct json_value *ns_at(const struct json_value *root, size_t i)
{
	const struct json_value *nss = json_obj_get(root, "namespaces");

	assert_non_null(nss);
	assert_true(i < nss->u.arr.count);
	return json_arr_at(nss, i);
}

static void test_multi_shared(void **state)
{
	struct json_value *root;
	const char *sn = NULL;
	struct result r;

	(void)state;
	identify(SHARED_NQN, g_multi.port, NULL, &r);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	assert_int_equal(json_get_str(json_obj_get(json_obj_get(root, "controller"), "sn"), &sn),
			 0);
	assert_string_equal(sn, "NVMFTGTMULTI01");
	assert_int_equal(json_obj_get(root, "namespaces")->u.arr.count, 2);
	assert_int_equal(json_u64(ns_at(root, 0), "nsid"), 1);
	assert_int_equal(json_u64(ns_at(root, 0), "size_bytes"), 256ull << 20);
	assert_int_equal(json_u64(ns_at(root, 0), "block_size"), 512);
	assert_int_equal(json_u64(ns_at(root, 1), "nsid"), 2);
	assert_int_equal(json_u64(ns_at(root, 1), "size_bytes"), 1ull << 40);
	json_free(root);
	result_free(&r);
	/* the second listener serves it too */
	identify(SHARED_NQN, g_port2, NULL, &r);
	expect_exit(&r, 0);
	result_free(&r);
}

static void test_multi_restricted(void **state)
{
	struct json_value *root;
	const char *uuid = NULL;
	struct result r;

	(void)state;
	identify(RESTRICTED_NQN, g_port2, NULL, &r);
	expect_exit(&r, 1); /* a host not on the list */
	result_free(&r);
	identify(RESTRICTED_NQN, g_port2, HOST_B, &r);
	expect_exit(&r, 0);
	root = parse_json(r.out);
	assert_int_equal(json_obj_get(root, "namespaces")->u.arr.count, 1);
	assert_int_equal(json_u64(ns_at(root, 0), "size_bytes"), 128ull << 20);
	assert_int_equal(json_u64(ns_at(root, 0), "block_size"), 4096);
	assert_int_equal(json_get_str(json_obj_get(ns_at(root, 0), "uuid"), &uuid), 0);
	assert_string_equal(uuid, "6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b");
	json_free(root);
	result_free(&r);
}

/* nvmf_perf --verify --json in @r: exit 0, verified I/O, no error; @r freed. */
static void expect_verified(struct result *r)
{
	const struct json_value *total;
	struct json_value *root;

	expect_exit(r, 0);
	root = parse_json(r->out);
	total = json_obj_get(root, "total");
	assert_non_null(total);
	assert_true(json_u64(total, "verified") > 0);
	assert_int_equal(json_u64(total, "io_errors"), 0);
	assert_int_equal(json_u64(total, "verify_errors"), 0);
	json_free(root);
	result_free(r);
}

/* nvmf_perf --verify on the restricted subsystem's RAM namespace (4 KiB blocks). */
static void test_multi_verify_io(void **state)
{
	char trid[512];
	char *argv[] = {(char *)g_perf_bin, "-r", trid, "-q",       "8",      "-o", "8192", "-w",
			"randrw",           "-t", "1",  "--verify", "--json", NULL};
	struct result r;

	(void)state;
	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s hostnqn:%s",
		 g_multi.port, RESTRICTED_NQN, HOST_A);
	run_cmd(argv, TIMEOUT_S, &r);
	expect_verified(&r);
}

/* Last: the target stops cleanly. */
static void test_multi_stop(void **state)
{
	(void)state;
	assert_int_equal(tgt_child_stop(&g_multi), 0);
}

/* -------------------------------------------------------- tls.conf served */

static struct tgt_child g_tls;
static char g_tls_host[256], g_tls_key[128];

/* Serve tls.conf on a private port; take its host NQN and key from it. */
static int serve_tls(void **state)
{
	char path[512], *text, *conf;
	const char *host;
	int rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/tls.conf", g_conf_dir);
	text = read_file(path);
	g_tls.port = free_port();
	host = text ? strstr(text, "\n  Host ") : NULL;
	if (host == NULL || g_tls.port <= 0 ||
	    sscanf(host, " Host %255s psk=%127s", g_tls_host, g_tls_key) != 2) {
		free(text);
		return -1;
	}
	conf = moved(text, "127.0.0.1:4420", g_tls.port);
	rc = tgt_child_write_conf(&g_tls, conf);
	free(text);
	free(conf);
	return rc == 0 ? tgt_child_start(&g_tls) : -1;
}

static int stop_tls(void **state)
{
	(void)state;
	return g_tls.pid > 0 && tgt_child_stop(&g_tls) != 0 ? -1 : 0;
}

/* nvmf_perf --verify on tls.conf's subsystem, over TLS with @key (NULL: plain). */
static void tls_perf(const char *key, struct result *r)
{
	char trid[512];
	char *argv[] = {(char *)g_perf_bin,
			"--json",
			"-t",
			"1",
			"-w",
			"randrw",
			"-q",
			"8",
			"--verify",
			"-r",
			trid,
			key ? "--tls-key" : NULL,
			(char *)key,
			NULL};

	snprintf(trid, sizeof(trid),
		 "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:nqn.2016-06.io.nvmf-tgt:tls0 "
		 "hostnqn:%s",
		 g_tls.port, g_tls_host);
	run_cmd(argv, TIMEOUT_S, r);
}

/* The example's host with the example's key: verified I/O, no error. */
static void test_tls_verify_io(void **state)
{
	struct result r;

	(void)state;
	assert_non_null(strstr(g_tls_key, "NVMeTLSkey-1:"));
	tls_perf(g_tls_key, &r);
	expect_verified(&r);
}

/* The same host without TLS is refused. */
static void test_tls_plain_refused(void **state)
{
	struct result r;

	(void)state;
	tls_perf(NULL, &r);
	assert_true(r.status != 0);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest check[] = {
	    cmocka_unit_test(test_check_every_example),
	    cmocka_unit_test(test_check_bad_files),
	    cmocka_unit_test(test_check_many_errors_and_usage),
	    cmocka_unit_test(test_check_starts_nothing),
	};
	const struct CMUnitTest multi[] = {
	    cmocka_unit_test(test_multi_shared),
	    cmocka_unit_test(test_multi_restricted),
	    cmocka_unit_test(test_multi_verify_io),
	    cmocka_unit_test(test_multi_stop),
	};
	const struct CMUnitTest tls[] = {
	    cmocka_unit_test(test_tls_verify_io),
	    cmocka_unit_test(test_tls_plain_refused),
	};
	int failed = 0;

	test_bins_from_env(&g_tgt_bin, &g_perf_bin, &g_id_bin, &g_conf_dir);
	failed += cmocka_run_group_tests_name("check", check, NULL, NULL);
	failed += cmocka_run_group_tests_name("multi_conf", multi, serve_multi, stop_multi);
	failed += cmocka_run_group_tests_name("tls_conf", tls, serve_tls, stop_tls);
	return failed ? 1 : 0;
}
