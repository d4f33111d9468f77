/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of run-time control: nvmf_tgt started with no conf
 * file on a private RPC socket; a whole target is built over JSON-RPC
 * (transport, bdev, subsystem, namespace, listener on 127.0.0.1), then
 * nvmf_perf --verify runs against it. Also: garbage and oversized
 * requests, one client stuck mid-request while another is served, the
 * socket's mode, and its removal at exit. Last, save_config: a state built
 * by RPC is saved with nvmf_rpc save-config, the target restarted from
 * that file, and its subsystems and bdevs compared, then verified I/O.
 *
 * Binaries: $NVMF_TGT_BIN (build/bin/nvmf_tgt), $NVMF_PERF_BIN
 * (build/bin/nvmf_perf), $NVMF_RPC_BIN (build/bin/nvmf_rpc). Port: $NVMF_TEST_PORT, else 26000 + pid % 1000.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpc.h"
#include "util_json.h"

#define NQN "nqn.2016-06.io.nvmf-tgt:rpc0"
#define NQN_SAVE1 "nqn.2016-06.io.nvmf-tgt:save1"
#define NQN_SAVE2 "nqn.2016-06.io.nvmf-tgt:save2"
#define SAVE_HOST "nqn.2016-06.io.example:saver"
#define SAVE_UUID "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"

static pid_t g_pid;
static int g_port;
static char g_sock[108];

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && v[0] ? v : def;
}

/*
 * What came in on a connection and is not parsed yet: a reply may share a
 * read with the next one (the server may send both before we read).
 */
static struct {
	int fd;
	size_t len;
	char buf[1 << 16];
} g_rx = {.fd = -1};

static int sock_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, g_sock, strlen(g_sock) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		if (g_rx.fd == fd)
			g_rx.len = 0; /* what is left is of a closed connection */
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Read one response object within @ms. @return the tree, or NULL (closed / timeout). */
static struct json_value *read_resp(int fd, int ms)
{
	struct json_value *v = NULL;
	struct rpc_frame f;
	size_t start, end;

	if (g_rx.fd != fd) {
		g_rx.fd = fd;
		g_rx.len = 0;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		rpc_frame_reset(&f);
		if (g_rx.len > 0 && rpc_frame_next(&f, g_rx.buf, g_rx.len, &start, &end) == 1) {
			assert_int_equal(json_parse(g_rx.buf + start, end - start, NULL, &v, NULL),
					 0);
			memmove(g_rx.buf, g_rx.buf + end, g_rx.len - end);
			g_rx.len -= end;
			return v;
		}
		if (g_rx.len == sizeof(g_rx.buf) || poll(&p, 1, ms) != 1)
			return NULL;
		n = recv(fd, g_rx.buf + g_rx.len, sizeof(g_rx.buf) - g_rx.len, 0);
		if (n <= 0)
			return NULL;
		g_rx.len += (size_t)n;
	}
}

static void send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

/* One call on a new connection; fails the test on an error response. */
static struct json_value *call(const char *method, const char *params)
{
	char req[2048];
	struct json_value *v;
	int fd = sock_open();

	assert_true(fd >= 0);
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"%s%s}", method,
		 params ? ",\"params\":" : "", params ? params : "");
	send_all(fd, req, strlen(req));
	v = read_resp(fd, 10000);
	close(fd);
	assert_non_null(v);
	if (json_obj_get(v, "error") != NULL) {
		const char *msg = "?";
		json_get_str(json_obj_get(json_obj_get(v, "error"), "message"), &msg);
		fail_msg("%s: %s", method, msg);
	}
	return v;
}

static void call_ok(const char *method, const char *params)
{
	json_free(call(method, params));
}

static int64_t error_code(const struct json_value *v)
{
	int64_t c = 0;

	assert_non_null(v);
	assert_int_equal(json_get_int64(json_obj_get(json_obj_get(v, "error"), "code"), &c), 0);
	return c;
}

/* Start nvmf_tgt on g_sock, with conf file @conf or none; wait for its socket. */
static int spawn_target(const char *conf)
{
	const char *bin = env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt");
	int fd = -1;

	g_pid = fork();
	if (g_pid < 0)
		return -1;
	if (g_pid == 0) {
		if (conf != NULL)
			execl(bin, bin, "-r", g_sock, "-c", conf, (char *)NULL);
		else
			execl(bin, bin, "-r", g_sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && fd < 0; i++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		fd = sock_open();
	}
	if (fd < 0) {
		kill(g_pid, SIGKILL);
		waitpid(g_pid, NULL, 0);
		return -1;
	}
	close(fd);
	return 0;
}

static int start_target(void **state)
{
	const char *port = getenv("NVMF_TEST_PORT");

	(void)state;
	g_port = port ? atoi(port) : 26000 + getpid() % 1000; /* below the ephemeral ports */
	snprintf(g_sock, sizeof(g_sock), "/tmp/nvmf_rpc_test.%d.sock", (int)getpid());
	return spawn_target(NULL);
}

static int stop_target(void **state)
{
	struct stat st;
	int status = 0;

	(void)state;
	kill(g_pid, SIGTERM);
	waitpid(g_pid, &status, 0);
	/* The socket is removed at exit. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(g_sock, &st) == 0)
		return -1;
	return 0;
}

static void test_socket_mode(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat(g_sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* nvmf_perf --verify for @secs seconds against @nqn on g_port: no mismatch, no error. */
static void perf_verify(const char *nqn, int secs)
{
	char cmd[1024], out[8192];
	size_t n = 0;
	FILE *p;
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s' -q 8 -o 4096 "
		 "-w randrw -t %d --verify 2>&1",
		 env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf"), g_port, nqn, secs);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n + 1 < sizeof(out) && (rc = (int)fread(out + n, 1, sizeof(out) - 1 - n, p)) > 0)
		n += (size_t)rc;
	out[n] = '\0';
	rc = pclose(p);
	if (rc != 0 || strstr(out, "0 mismatches") == NULL || strstr(out, "I/O errors: 0") == NULL)
		fail_msg("nvmf_perf --verify (status %d):\n%s", rc, out);
}

static void test_build_target_and_verify(void **state)
{
	char params[512];
	struct json_value *v;

	(void)state;
	call_ok("nvmf_create_transport", "{\"trtype\":\"TCP\",\"c2h_success\":true}");
	call_ok("bdev_malloc_create",
		"{\"name\":\"Malloc0\",\"num_blocks\":32768,\"block_size\":512}");
	call_ok("nvmf_create_subsystem",
		"{\"nqn\":\"" NQN "\",\"allow_any_host\":true,\"serial_number\":\"RPC0001\"}");
	call_ok("nvmf_subsystem_add_ns",
		"{\"nqn\":\"" NQN "\",\"namespace\":{\"bdev_name\":\"Malloc0\"}}");
	snprintf(params, sizeof(params),
		 "{\"nqn\":\"" NQN "\",\"listen_address\":{\"trtype\":\"tcp\",\"adrfam\":\"ipv4\","
		 "\"traddr\":\"127.0.0.1\",\"trsvcid\":\"%d\"}}",
		 g_port);
	call_ok("nvmf_subsystem_add_listener", params);
	perf_verify(NQN, 2);
	/* The bdev served reads in place: once its subsystem is gone it can go too. */
	call_ok("nvmf_delete_subsystem", "{\"nqn\":\"" NQN "\"}");
	call_ok("bdev_malloc_delete", "{\"name\":\"Malloc0\"}");
	v = call("nvmf_get_subsystems", NULL);
	assert_int_equal(json_obj_get(v, "result")->u.arr.count, 0);
	json_free(v);
	v = call("bdev_get_bdevs", NULL);
	assert_int_equal(json_obj_get(v, "result")->u.arr.count, 0);
	json_free(v);
}

static void test_garbage_closes_client(void **state)
{
	struct json_value *v;
	char c;
	int fd = sock_open();

	(void)state;
	assert_true(fd >= 0);
	send_all(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"} hello", 47);
	v = read_resp(fd, 5000);
	assert_int_equal(error_code(v), RPC_ERR_METHOD_NOT_FOUND);
	json_free(v);
	v = read_resp(fd, 5000);
	assert_int_equal(error_code(v), RPC_ERR_PARSE);
	json_free(v);
	assert_int_equal(recv(fd, &c, 1, 0), 0); /* then closed */
	close(fd);
	call_ok("spdk_get_version", NULL);
}

static void test_oversized_request(void **state)
{
	size_t len = RPC_MAX_REQUEST + 4096;
	char *big = malloc(len);
	struct json_value *v;
	int fd = sock_open();

	(void)state;
	assert_non_null(big);
	assert_true(fd >= 0);
	memset(big, ' ', len);
	memcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":\"", 51);
	memset(big + 51, 'x', len - 51);
	send_all(fd, big, len);
	v = read_resp(fd, 5000);
	assert_int_equal(error_code(v), RPC_ERR_INVALID_REQUEST);
	json_free(v);
	close(fd);
	free(big);
	call_ok("spdk_get_version", NULL);
}

static void test_stuck_client_does_not_stall_others(void **state)
{
	const char *half = "{\"jsonrpc\":\"2.0\",\"id\":7,\"meth";
	struct json_value *v;
	int64_t id = 0;
	int stuck = sock_open();

	(void)state;
	assert_true(stuck >= 0);
	send_all(stuck, half, strlen(half));
	/* Another client is answered meanwhile, several times. */
	for (int i = 0; i < 3; i++)
		call_ok("rpc_get_methods", NULL);
	send_all(stuck, "od\":\"spdk_get_version\"}", 23);
	v = read_resp(stuck, 5000);
	assert_non_null(v);
	assert_int_equal(json_get_int64(json_obj_get(v, "id"), &id), 0);
	assert_int_equal(id, 7);
	assert_non_null(json_obj_get(v, "result"));
	json_free(v);
	close(stuck);
}

/* The result of @method as compact JSON text (malloc'ed). */
static char *result_text(const char *method)
{
	struct json_value *v = call(method, NULL);
	struct json_writer w;
	char *text;

	json_writer_init(&w, 0);
	json_write_value(&w, json_obj_get(v, "result"));
	assert_non_null(json_writer_finish(&w, NULL));
	text = strdup(w.buf);
	json_writer_fini(&w);
	json_free(v);
	assert_non_null(text);
	return text;
}

/* Run @cmd through the shell; @return its exit status. */
static int shell(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_save_config_round_trip(void **state)
{
	char params[512], conf[64], cmd[512];
	char *ss_before, *bdevs_before, *ss_after, *bdevs_after;
	int fd;

	(void)state;
	call_ok("bdev_malloc_create",
		"{\"name\":\"SaveRam\",\"num_blocks\":8192,\"block_size\":4096}");
	call_ok("bdev_null_create",
		"{\"name\":\"SaveNull\",\"num_blocks\":65536,\"block_size\":512}");
	call_ok("nvmf_create_subsystem",
		"{\"nqn\":\"" NQN_SAVE2 "\",\"serial_number\":\"SAVE02\","
		"\"model_number\":\"Saved Target\",\"max_namespaces\":16}");
	call_ok("nvmf_create_subsystem", "{\"nqn\":\"" NQN_SAVE1 "\",\"allow_any_host\":true}");
	call_ok("nvmf_subsystem_add_ns", "{\"nqn\":\"" NQN_SAVE1 "\",\"namespace\":{\"bdev_name\":"
					 "\"SaveRam\",\"nsid\":4,\"uuid\":\"" SAVE_UUID "\"}}");
	call_ok("nvmf_subsystem_add_ns", "{\"nqn\":\"" NQN_SAVE2 "\",\"namespace\":{\"bdev_name\":"
					 "\"SaveNull\",\"nsid\":9}}");
	call_ok("nvmf_subsystem_add_host",
		"{\"nqn\":\"" NQN_SAVE2 "\",\"host\":\"" SAVE_HOST "\"}");
	snprintf(params, sizeof(params),
		 "{\"nqn\":\"" NQN_SAVE1 "\",\"listen_address\":{\"trtype\":\"tcp\",\"adrfam\":"
		 "\"ipv4\",\"traddr\":\"127.0.0.1\",\"trsvcid\":\"%d\"}}",
		 g_port);
	call_ok("nvmf_subsystem_add_listener", params);
	ss_before = result_text("nvmf_get_subsystems");
	bdevs_before = result_text("bdev_get_bdevs");

	/* nvmf_rpc save-config > FILE; the file passes --check. */
	snprintf(conf, sizeof(conf), "/tmp/nvmf_rpc_save.XXXXXX");
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s -s %s save-config > %s",
		 env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc"), g_sock, conf);
	assert_int_equal(shell(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s --check -c %s >/dev/null",
		 env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt"), conf);
	assert_int_equal(shell(cmd), 0);

	/* Restarted from the saved file: the same subsystems and bdevs, serving I/O. */
	assert_int_equal(stop_target(NULL), 0);
	assert_int_equal(spawn_target(conf), 0);
	ss_after = result_text("nvmf_get_subsystems");
	bdevs_after = result_text("bdev_get_bdevs");
	assert_string_equal(ss_after, ss_before);
	assert_string_equal(bdevs_after, bdevs_before);
	perf_verify(NQN_SAVE1, 1);
	free(ss_before);
	free(bdevs_before);
	free(ss_after);
	free(bdevs_after);
	unlink(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_socket_mode),
	    cmocka_unit_test(test_build_target_and_verify),
	    cmocka_unit_test(test_garbage_closes_client),
	    cmocka_unit_test(test_oversized_request),
	    cmocka_unit_test(test_stuck_client_does_not_stall_others),
	    cmocka_unit_test(test_save_config_round_trip),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("rpc", tests, start_target, stop_target);
}
