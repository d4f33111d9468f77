/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Integration test of SIGHUP: nvmf_tgt serves a conf file with two
 * subsystems; while nvmf_perf --verify runs on one of them, the file is
 * rewritten (a namespace and a host added to that one, the other removed,
 * a third added) and the target gets SIGHUP. The new state is read back
 * with nvmf_rpc (nvmf_get_subsystems), and perf must end without an error
 * or a reconnect. Then a broken file: SIGHUP changes nothing and the log
 * names file:line.
 *
 * Binaries: $NVMF_TGT_BIN, $NVMF_PERF_BIN, $NVMF_RPC_BIN (build/bin/...).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/integration/run_cmd.h"

#define NQN_KEEP "nqn.2016-06.io.nvmf-tgt:keep"
#define NQN_GONE "nqn.2016-06.io.nvmf-tgt:gone"
#define NQN_NEW "nqn.2016-06.io.nvmf-tgt:new"
#define HOST "nqn.2016-06.io.example:reloaded"
#define TLS_HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define KEY1 "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define KEY2 "NVMeTLSkey-1:01:Ux2X2E1Yi9ODPvFnx0jJdFg6i6UmJfNA2GqvagRAqx5fJaa4:"

static pid_t g_pid;
static int g_port;
static char g_dir[64], g_conf[96], g_log[96], g_sock[96];

static const char *const CONF_START = "[Ram]\n  Name ram0\n  Size 64M\n"
				      "[Ram]\n  Name ram1\n  Size 16M\n"
				      "[Subsystem1]\n  NQN " NQN_KEEP "\n"
				      "  Listen TCP 127.0.0.1:PORT\n  AllowAnyHost Yes\n"
				      "  Namespace ram0 1\n"
				      "[Subsystem2]\n  NQN " NQN_GONE "\n"
				      "  Listen TCP 127.0.0.1:PORT\n  AllowAnyHost Yes\n"
				      "  Namespace ram1 1\n";

static const char *const CONF_NEW = "[Ram]\n  Name ram0\n  Size 64M\n"
				    "[Ram]\n  Name ram2\n  Size 32M\n"
				    "[Ram]\n  Name ram3\n  Size 16M\n"
				    "[Subsystem1]\n  NQN " NQN_KEEP "\n"
				    "  Listen TCP 127.0.0.1:PORT\n  AllowAnyHost Yes\n"
				    "  Host " HOST "\n"
				    "  Namespace ram0 1\n  Namespace ram2 2\n"
				    "[Subsystem3]\n  NQN " NQN_NEW "\n"
				    "  Listen TCP 127.0.0.1:PORT\n  AllowAnyHost Yes\n"
				    "  Namespace ram3\n";

/* CONF_NEW with a TLS host on NQN_KEEP and the listener's secure= as
 * SECURE: "secure=tls" or "secure=none". */
static const char *const CONF_TLS = "[Ram]\n  Name ram0\n  Size 64M\n"
				    "[Ram]\n  Name ram2\n  Size 32M\n"
				    "[Ram]\n  Name ram3\n  Size 16M\n"
				    "[Subsystem1]\n  NQN " NQN_KEEP "\n"
				    "  Listen TCP 127.0.0.1:PORT SECURE\n  AllowAnyHost Yes\n"
				    "  Host " HOST "\n  Host " TLS_HOST " psk=TLSKEY\n"
				    "  Namespace ram0 1\n  Namespace ram2 2\n"
				    "[Subsystem3]\n  NQN " NQN_NEW "\n"
				    "  Listen TCP 127.0.0.1:PORT SECURE\n  AllowAnyHost Yes\n"
				    "  Host " TLS_HOST " psk=TLSKEY\n  Namespace ram3\n";

/* Line 6 is broken: "Size" without a value. */
static const char *const CONF_BROKEN = "[Ram]\n  Name ram0\n  Size 64M\n"
				       "[Ram]\n  Name ram9\n  Size\n"
				       "[Subsystem1]\n  NQN " NQN_KEEP "\n"
				       "  Listen TCP 127.0.0.1:PORT\n  AllowAnyHost Yes\n"
				       "  Namespace ram9 1\n";
#define BROKEN_LINE 6

static void write_conf(const char *text);

/* @text with every @from replaced by @to (malloc'd). */
static char *replaced(const char *text, const char *from, const char *to)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	write_replaced(f, text, from, to);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* CONF_TLS with @secure and @key put in. */
static void write_tls_conf(const char *secure, const char *key)
{
	char *a = replaced(CONF_TLS, "SECURE", secure), *b = replaced(a, "TLSKEY", key);

	write_conf(b);
	free(a);
	free(b);
}

/* Write @text (PORT replaced) to the conf file, atomically by rename. */
static void write_conf(const char *text)
{
	char tmp[128], port[16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", g_conf);
	snprintf(port, sizeof(port), "%d", g_port);
	f = fopen(tmp, "w");
	assert_non_null(f);
	write_replaced(f, text, "PORT", port);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, g_conf), 0);
}

static int start_target(void **state)
{
	const char *bin = env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt");

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	snprintf(g_dir, sizeof(g_dir), "/tmp/nvmf_reload.XXXXXX");
	if (mkdtemp(g_dir) == NULL)
		return -1;
	snprintf(g_conf, sizeof(g_conf), "%s/tgt.conf", g_dir);
	snprintf(g_log, sizeof(g_log), "%s/tgt.log", g_dir);
	snprintf(g_sock, sizeof(g_sock), "%s/rpc.sock", g_dir);
	g_port = free_port();
	write_conf(CONF_START);
	g_pid = fork();
	if (g_pid == 0) {
		FILE *log = freopen(g_log, "w", stderr);

		if (log == NULL || dup2(fileno(log), STDOUT_FILENO) < 0)
			_exit(126);
		execl(bin, bin, "-c", g_conf, "-r", g_sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 150; i++) {
		if (port_open(g_port) && access(g_sock, F_OK) == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

static int stop_target(void **state)
{
	int st = 0;

	(void)state;
	if (g_pid > 0) {
		kill(g_pid, SIGTERM);
		waitpid(g_pid, &st, 0);
	}
	unlink(g_conf);
	unlink(g_log);
	rmdir(g_dir);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* nvmf_get_subsystems as nvmf_rpc prints it. */
static char *subsystems(void)
{
	char *argv[] = {(char *)env_or("NVMF_RPC_BIN", "build/bin/nvmf_rpc"),
			"-s",
			g_sock,
			"subsystem",
			"list",
			NULL};
	struct result r;
	char *out;

	run_cmd(argv, 30, &r);
	expect_exit(&r, 0);
	out = r.out;
	r.out = NULL;
	result_free(&r);
	return out;
}

static size_t arr_len(const struct json_value *v)
{
	assert_non_null(v);
	assert_int_equal(v->type, JSON_ARRAY);
	return v->u.arr.count;
}

/* String member @key of item @i of array @arr. */
static const char *item_str(const struct json_value *arr, size_t i, const char *key)
{
	const char *s = NULL;

	if (json_get_str(json_obj_get(json_arr_at(arr, i), key), &s) != 0)
		fail_msg("no string '%s' in item %zu", key, i);
	return s;
}

static const struct json_value *find_ss(const struct json_value *list, const char *nqn)
{
	for (size_t i = 0; i < arr_len(list); i++) {
		if (strcmp(item_str(list, i, "nqn"), nqn) == 0)
			return json_arr_at(list, i);
	}
	return NULL;
}

/* Count of @needle in the target's log. */
static unsigned log_count(const char *needle)
{
	char *text = read_file(g_log);
	unsigned n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(text);
	return n;
}

/* SIGHUP, then wait (bounded) for the reload's last line, @outcome. */
static void hup_and_wait(const char *outcome)
{
	unsigned before = log_count(outcome);

	assert_int_equal(kill(g_pid, SIGHUP), 0);
	for (int i = 0; i < 100 && log_count(outcome) == before; i++)
		usleep(50000);
	if (log_count(outcome) == before) {
		char *text = read_file(g_log);

		fail_msg("no '%s' in the log after SIGHUP:\n%s", outcome, text);
	}
}

/* Wait (bounded) until a host is connected to @nqn. */
static void wait_connected(const char *nqn)
{
	for (int i = 0; i < 100; i++) {
		char *text = subsystems();
		struct json_value *list = parse_json(text);
		const struct json_value *ss = find_ss(list, nqn);
		uint64_t n = ss ? json_u64(ss, "num_controllers") : 0;

		json_free(list);
		free(text);
		if (n > 0)
			return;
		usleep(100000);
	}
	fail_msg("no host connected to %s within 10 s", nqn);
}

/* nvmf_perf --verify on @nqn for @secs; over TLS with @key as TLS_HOST when not NULL. */
static FILE *perf_start_tls(const char *nqn, int secs, const char *key)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "timeout 60 %s -r 'trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s%s' -q 8 -o "
		 "4096 -w randrw -t %d --verify%s%s 2>&1",
		 env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf"), g_port, nqn,
		 key ? " hostnqn:" TLS_HOST : "", secs, key ? " --tls-key " : "", key ? key : "");
	return popen(cmd, "r");
}

static FILE *perf_start(const char *nqn, int secs)
{
	return perf_start_tls(nqn, secs, NULL);
}

/* Wait for perf. @return its status; its output in @out. */
static int perf_wait(FILE *p, char *out, size_t len)
{
	size_t n = 0;
	int rc;

	while (n + 1 < len && (rc = (int)fread(out + n, 1, len - 1 - n, p)) > 0)
		n += (size_t)rc;
	out[n] = '\0';
	return pclose(p);
}

/* Wait for perf; it must have verified I/O with no error. */
static void perf_end(FILE *p)
{
	char out[8192];
	int rc = perf_wait(p, out, sizeof(out));

	if (rc != 0 || strstr(out, "0 mismatches") == NULL || strstr(out, "I/O errors: 0") == NULL)
		fail_msg("nvmf_perf --verify across the reload (status %d):\n%s", rc, out);
}

/* Wait for perf; it must have failed (it could not connect). */
static void perf_refused(FILE *p)
{
	char out[8192];

	if (perf_wait(p, out, sizeof(out)) == 0)
		fail_msg("nvmf_perf was let in:\n%s", out);
}

static void test_reload_live(void **state)
{
	const struct json_value *keep, *nss, *hosts;
	struct json_value *list;
	char *text;
	FILE *perf;

	(void)state;
	perf = perf_start(NQN_KEEP, 8);
	assert_non_null(perf);
	wait_connected(NQN_KEEP);
	usleep(500000); /* and doing I/O */
	write_conf(CONF_NEW);
	hup_and_wait("+1 subsystem, -1 subsystem, +1 namespace, +1 host");

	text = subsystems();
	list = parse_json(text);
	keep = find_ss(list, NQN_KEEP);
	assert_non_null(keep);
	nss = json_obj_get(keep, "namespaces");
	assert_int_equal(arr_len(nss), 2);
	assert_string_equal(item_str(nss, 1, "bdev_name"), "ram2");
	hosts = json_obj_get(keep, "hosts");
	assert_int_equal(arr_len(hosts), 1);
	assert_string_equal(item_str(hosts, 0, "nqn"), HOST);
	/* perf's controller stayed: the subsystem was not recreated */
	assert_int_equal(json_u64(keep, "num_controllers"), 1);
	assert_null(find_ss(list, NQN_GONE));
	assert_non_null(find_ss(list, NQN_NEW));
	json_free(list);
	free(text);
	perf_end(perf);
	/* the added subsystem serves verified I/O too */
	perf_end(perf_start(NQN_NEW, 1));
}

static void test_broken_file_changes_nothing(void **state)
{
	char *before, *after, where[160];

	(void)state;
	before = subsystems();
	write_conf(CONF_BROKEN);
	hup_and_wait("not applied");
	snprintf(where, sizeof(where), "reload: %s:%d:", g_conf, BROKEN_LINE);
	if (log_count(where) != 1) {
		char *text = read_file(g_log);

		fail_msg("no '%s' in the log:\n%s", where, text);
	}
	assert_int_equal(log_count("nothing was changed"), 1);
	after = subsystems();
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* and the target still serves */
	perf_end(perf_start(NQN_KEEP, 1));
}

/*
 * From CONF_NEW: the listener becomes secure=tls (re-created: plain hosts
 * are refused, the TLS host with its key gets in); the host's psk= changes
 * (on both subsystems) while a TLS perf runs on NQN_NEW (that one keeps
 * going, the old key is refused from then on, the new one let in: checked
 * on NQN_KEEP, whose namespaces the running perf does not write); then
 * secure=none again.
 */
static void test_reload_secure_channel(void **state)
{
	char relisten[128];
	FILE *perf;

	(void)state;
	snprintf(relisten, sizeof(relisten), "listening on tcp 127.0.0.1:%d again", g_port);
	write_tls_conf("secure=tls", KEY1);
	hup_and_wait("listener secure= change");
	assert_int_equal(log_count(relisten), 1);
	perf_refused(perf_start(NQN_KEEP, 1));
	perf_end(perf_start_tls(NQN_KEEP, 1, KEY1));

	perf = perf_start_tls(NQN_NEW, 6, KEY1);
	assert_non_null(perf);
	wait_connected(NQN_NEW);
	write_tls_conf("secure=tls", KEY2);
	hup_and_wait("+2 host PSK changes");
	perf_refused(perf_start_tls(NQN_KEEP, 1, KEY1));
	perf_end(perf_start_tls(NQN_KEEP, 1, KEY2));
	perf_end(perf); /* the connection made with the old key ran on */
	assert_int_equal(log_count(relisten), 1);

	write_tls_conf("secure=none", KEY2);
	hup_and_wait("listener secure= change");
	assert_int_equal(log_count(relisten), 2);
	perf_end(perf_start(NQN_KEEP, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reload_live),
	    cmocka_unit_test(test_broken_file_changes_nothing),
	    cmocka_unit_test(test_reload_secure_channel),
	};

	return cmocka_run_group_tests(tests, start_target, stop_target);
}
