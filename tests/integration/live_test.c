/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * live_test.c - run-time changes as the hosts see them: a child nvmf_tgt
 * with two listeners and an RPC socket, driven by nvmf_rpc while host
 * connections (include/nvme.h) and nvmf_perf runs are live.
 *
 *   - a namespace added and removed by RPC: Namespace Attribute Changed
 *     AEN, then the Changed Namespace List (log 04h), cleared once read;
 *   - a discovery controller with a KATO (as `nvme discover --persistent`):
 *     Discovery Log Page Change AEN when a listener is added, new genctr;
 *   - a listener, then a host, removed: that listener's / host's
 *     controllers go, the others keep working;
 *   - a namespace removed (and its bdev deleted) and a subsystem deleted
 *     under nvmf_perf: that perf ends with an NVMe status or a lost
 *     connection, in bounded time; a perf on another subsystem sees no
 *     error; the target exits cleanly (under ASan: nothing leaked).
 *
 * Binaries: $NVMF_TGT_BIN (build/bin/nvmf_tgt), $NVMF_PERF_BIN, and
 * nvmf_rpc beside the target. Ports: $NVMF_TEST_PORT and the next one,
 * else 27000 + 2 * (pid % 500).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "nvme.h"
#include "nvme_spec_log.h"
#include "tests/integration/run_cmd.h"
#include "tests/integration/host_env.h"

#define NQN_A "nqn.2016-06.io.nvmf-tgt:live-a"
#define NQN_B "nqn.2016-06.io.nvmf-tgt:live-b"
#define NQN_C "nqn.2016-06.io.nvmf-tgt:live-c"
#define NQN_D "nqn.2016-06.io.nvmf-tgt:live-d"
#define HOST1 "nqn.2014-08.org.nvmexpress:uuid:1111aaaa-0000-4000-8000-000000000001"
#define HOST2 "nqn.2014-08.org.nvmexpress:uuid:2222bbbb-0000-4000-8000-000000000002"
#define WAIT_S 15

static struct tgt_child g_tgt;
static int g_port2;
static char g_rpc_bin[512];

static int setup(void **state)
{
	const char *port = getenv("NVMF_TEST_PORT");
	const char *tgt = env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt");
	const char *slash = strrchr(tgt, '/');
	char conf[2048];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	g_tgt.port = port ? atoi(port) : 27000 + 2 * (getpid() % 500); /* below ephemeral */
	g_port2 = g_tgt.port + 1;
	snprintf(g_rpc_bin, sizeof(g_rpc_bin), "%.*snvmf_rpc", slash ? (int)(slash - tgt + 1) : 0,
		 tgt);
	snprintf(g_tgt.rpc, sizeof(g_tgt.rpc), "/tmp/nvmf_live_test.%d.sock", (int)getpid());
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x3\n  LogLevel notice\n"
		 "[Transport]\n  Type TCP\n"
		 "[Ram]\n  Name ram0\n  Size 64M\n  BlockSize 512\n"
		 "[Ram]\n  Name ram1\n  Size 64M\n  BlockSize 512\n"
		 "[Ram]\n  Name ram2\n  Size 16M\n  BlockSize 512\n"
		 "[Subsystem]\n  NQN " NQN_A "\n  Listen TCP 127.0.0.1:%d\n"
		 "  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n  Namespace ram0 1\n"
		 "[Subsystem]\n  NQN " NQN_B "\n  Listen TCP 127.0.0.1:%d\n"
		 "  AllowAnyHost Yes\n  Namespace ram1 1\n"
		 "[Subsystem]\n  NQN " NQN_C "\n  Listen TCP 127.0.0.1:%d\n"
		 "  Host " HOST1 "\n  Host " HOST2 "\n  Namespace ram2 1\n",
		 g_tgt.port, g_port2, g_tgt.port, g_tgt.port);
	return host_env_start(&g_tgt, "live_test", conf);
}

static int teardown(void **state)
{
	int rc = tgt_child_stop(&g_tgt);

	(void)state;
	env_fini();
	unlink(g_tgt.rpc);
	if (rc != 0)
		fprintf(stderr, "nvmf_tgt did not exit cleanly (%d)\n", rc);
	return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- helpers */

/* nvmf_rpc -s SOCK ARGS...; @return its exit status (output in @r when given). */
static int rpc(struct result *out, const char *arg, ...)
{
	char *argv[16] = {g_rpc_bin, "-s", g_tgt.rpc};
	struct result r;
	int n = 3, st;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < 15; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	run_cmd(argv, 20, &r);
	st = r.status;
	if (out != NULL)
		*out = r;
	else
		result_free(&r);
	return st;
}

#define RPC_OK(...)                                                                                \
	do {                                                                                       \
		struct result r_;                                                                  \
		if (rpc(&r_, __VA_ARGS__, (const char *)NULL) != 0)                                \
			fail_msg("nvmf_rpc failed: %s", r_.err);                                   \
		result_free(&r_);                                                                  \
	} while (0)

static struct nvme_ctrlr *connect_via(const char *subnqn, int port, const char *hostnqn,
				      uint32_t kato_ms)
{
	struct nvme_ctrlr_opts o;
	struct nvme_ctrlr *c = NULL;
	struct nvme_trid t;
	char s[512];

	snprintf(s, sizeof(s), "trtype:TCP traddr:127.0.0.1 trsvcid:%d%s%s", port,
		 subnqn ? " subnqn:" : "", subnqn ? subnqn : "");
	assert_int_equal(nvme_trid_parse(s, &t), 0);
	nvme_ctrlr_opts_init(&o);
	o.timeout_ms = 5000;
	o.kato_ms = kato_ms;
	o.num_io_queues = 1;
	if (hostnqn != NULL)
		snprintf(o.hostnqn, sizeof(o.hostnqn), "%s", hostnqn);
	if (nvme_ctrlr_connect(&t, &o, &c) != 0)
		return NULL;
	return c;
}

struct aer {
	bool done;
	struct nvme_cpl cpl;
};

static void aer_cb(void *arg, const struct nvme_cpl *cpl)
{
	struct aer *a = arg;

	a->cpl = *cpl;
	a->done = true;
}

static void aer_post(struct nvme_ctrlr *c, struct aer *a)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_ASYNC_EVENT_REQUEST};

	memset(a, 0, sizeof(*a));
	assert_int_equal(nvme_ctrlr_admin_raw(c, &cmd, NULL, 0, aer_cb, a), 0);
}

/* Poll the admin queue until @a completes; fails the test after WAIT_S. */
static void aer_wait(struct nvme_ctrlr *c, struct aer *a)
{
	for (double end = now_s() + WAIT_S; !a->done && now_s() < end;) {
		assert_true(nvme_ctrlr_poll_admin(c) >= 0);
		usleep(1000);
	}
	assert_true(a->done);
	assert_int_equal(nvme_cpl_get_status(&a->cpl), 0);
}

static void set_features(struct nvme_ctrlr *c, uint8_t fid, uint32_t v)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_SET_FEATURES, .cdw10 = fid, .cdw11 = v};
	struct nvme_cpl cpl;

	assert_int_equal(nvme_ctrlr_admin_sync(c, &cmd, NULL, 0, &cpl), 0);
	assert_int_equal(nvme_cpl_get_status(&cpl), 0);
}

/* Is @c still served? Keep Alive answers, or the connection is gone. */
static bool ctrlr_alive(struct nvme_ctrlr *c)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_KEEP_ALIVE};
	struct nvme_cpl cpl;

	return nvme_ctrlr_admin_sync(c, &cmd, NULL, 0, &cpl) == 0 && nvme_cpl_get_status(&cpl) == 0;
}

/* Wait until the target closes @c's connection. */
static bool ctrlr_lost(struct nvme_ctrlr *c)
{
	for (double end = now_s() + WAIT_S; now_s() < end; usleep(10000)) {
		if (nvme_ctrlr_poll_admin(c) < 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------ namespace events by RPC */

static void changed_ns_read(struct nvme_ctrlr *c, struct nvme_changed_ns_list *l)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE, .nsid = NVME_NSID_ALL};
	struct nvme_cpl cpl;

	nvme_glp_set(&cmd, NVME_LOG_CHANGED_NS_LIST, sizeof(*l), 0);
	assert_int_equal(nvme_ctrlr_admin_sync(c, &cmd, l, sizeof(*l), &cpl), 0);
	assert_int_equal(nvme_cpl_get_status(&cpl), 0);
}

static void expect_ns_event(struct nvme_ctrlr *c, struct aer *a, uint32_t nsid)
{
	static struct nvme_changed_ns_list l;

	aer_wait(c, a);
	assert_int_equal(NVME_ASYNC_EVENT_TYPE(a->cpl.cdw0), NVME_AER_TYPE_NOTICE);
	assert_int_equal(NVME_ASYNC_EVENT_INFO(a->cpl.cdw0), NVME_AER_NOTICE_NS_ATTR_CHANGED);
	assert_int_equal(NVME_ASYNC_EVENT_LID(a->cpl.cdw0), NVME_LOG_CHANGED_NS_LIST);
	changed_ns_read(c, &l);
	assert_int_equal(l.ns_list[0], nsid);
	assert_int_equal(l.ns_list[1], 0);
	changed_ns_read(c, &l); /* read (RAE clear): the list starts over */
	assert_int_equal(l.ns_list[0], 0);
}

static void test_ns_event_by_rpc(void **state)
{
	struct nvme_ctrlr *c = connect_via(NQN_A, g_tgt.port, NULL, 10000);
	struct aer a;

	(void)state;
	assert_non_null(c);
	set_features(c, NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_NS_ATTR);
	aer_post(c, &a);
	RPC_OK("bdev", "malloc", "aen0", "8", "512");
	RPC_OK("ns", "add", NQN_A, "aen0", "--nsid", "5");
	expect_ns_event(c, &a, 5);
	aer_post(c, &a);
	RPC_OK("ns", "del", NQN_A, "5");
	expect_ns_event(c, &a, 5);
	/* No I/O touched it: once the removal settles, the bdev goes. */
	int st = 1;
	for (int i = 0; i < 50 && st != 0; i++, usleep(100000))
		st = rpc(NULL, "raw", "bdev_malloc_delete", "{\"name\":\"aen0\"}", NULL);
	assert_int_equal(st, 0);
	nvme_ctrlr_disconnect(c);
}

/* -------------------------------------------------- discovery with KATO */

static void test_discovery_event_by_rpc(void **state)
{
	struct nvme_ctrlr *d = connect_via(NULL, g_tgt.port, NULL, 30000);
	struct nvmf_discovery_log_hdr *log;
	char port2[16];
	uint64_t gen;
	size_t len;
	struct aer a;
	bool found = false;

	(void)state;
	assert_non_null(d);
	assert_true(nvme_ctrlr_id(d)->oaes & NVME_CTRL_OAES_DISCOVERY_LOG_CHANGE);
	set_features(d, NVME_FEAT_ASYNC_EVENT_CONFIG, NVME_AEC_DISCOVERY_LOG_CHANGE);
	assert_int_equal(nvme_ctrlr_discovery_log(d, &log, &len), 0);
	gen = log->genctr;
	free(log);
	aer_post(d, &a);
	snprintf(port2, sizeof(port2), "127.0.0.1:%d", g_port2);
	RPC_OK("listener", "add", NQN_B, "tcp", port2);
	aer_wait(d, &a);
	assert_int_equal(a.cpl.cdw0, NVME_ASYNC_EVENT(NVME_AER_TYPE_NOTICE,
						      NVME_AER_NOTICE_DISCOVERY_LOG_CHANGE,
						      NVME_LOG_DISCOVERY));
	assert_int_equal(nvme_ctrlr_discovery_log(d, &log, &len), 0);
	assert_true(log->genctr > gen);
	for (uint64_t i = 0; i < log->numrec; i++)
		found |= strcmp(log->entries[i].subnqn, NQN_B) == 0 &&
			 atoi(log->entries[i].trsvcid) == g_port2;
	free(log);
	assert_true(found);
	/* Long-lived: still served after the event, keep-alives flowing. */
	assert_true(ctrlr_alive(d));
	nvme_ctrlr_disconnect(d);
}

/* ---------------------------------------------- listener and host removal */

static void test_remove_listener(void **state)
{
	struct nvme_ctrlr *c1 = connect_via(NQN_A, g_tgt.port, NULL, 10000);
	struct nvme_ctrlr *c2 = connect_via(NQN_A, g_port2, NULL, 10000);
	struct nvme_ctrlr *b2, *again;
	char port2[16];

	(void)state;
	assert_non_null(c1);
	assert_non_null(c2);
	snprintf(port2, sizeof(port2), "127.0.0.1:%d", g_port2);
	RPC_OK("listener", "del", NQN_A, "tcp", port2);
	assert_true(ctrlr_lost(c2));
	assert_true(ctrlr_alive(c1));
	/* The address still serves NQN_B (added by the discovery test)... */
	b2 = connect_via(NQN_B, g_port2, NULL, 10000);
	assert_non_null(b2);
	/* ...but no longer NQN_A. */
	again = connect_via(NQN_A, g_port2, NULL, 10000);
	assert_null(again);
	/* Its last subsystem leaves: NQN_B's controller there goes, and the
	 * address stops taking connections. */
	RPC_OK("listener", "del", NQN_B, "tcp", port2);
	assert_true(ctrlr_lost(b2));
	assert_false(port_open(g_port2));
	assert_true(ctrlr_alive(c1));
	nvme_ctrlr_disconnect(b2);
	nvme_ctrlr_disconnect(c2);
	nvme_ctrlr_disconnect(c1);
}

static void test_remove_host(void **state)
{
	struct nvme_ctrlr *h1 = connect_via(NQN_C, g_tgt.port, HOST1, 10000);
	struct nvme_ctrlr *h2 = connect_via(NQN_C, g_tgt.port, HOST2, 10000);

	(void)state;
	assert_non_null(h1);
	assert_non_null(h2);
	RPC_OK("host", "del", NQN_C, HOST2);
	assert_true(ctrlr_lost(h2));
	assert_true(ctrlr_alive(h1));
	assert_null(connect_via(NQN_C, g_tgt.port, HOST2, 10000));
	nvme_ctrlr_disconnect(h2);
	nvme_ctrlr_disconnect(h1);
}

/* ------------------------------------------------------ removal under I/O */

struct perf_child {
	pid_t pid;
	char out[64];
};

/* nvmf_perf on @subnqn for @secs, output to a temporary file. */
static void perf_spawn(struct perf_child *p, const char *subnqn, const char *secs)
{
	const char *bin = env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf");
	char trid[256];
	int fd;

	snprintf(trid, sizeof(trid), "trtype:TCP traddr:127.0.0.1 trsvcid:%d subnqn:%s", g_tgt.port,
		 subnqn);
	snprintf(p->out, sizeof(p->out), "/tmp/nvmf_live_perf.XXXXXX");
	fd = mkstemp(p->out);
	assert_true(fd >= 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(bin, bin, "-r", trid, "-q", "16", "-o", "4096", "-w", "randrw", "-t", secs,
		      (char *)NULL);
		_exit(127);
	}
	close(fd);
}

/* Wait (bounded: a hang fails) and @return the exit status; *@text its output. */
static int perf_wait(struct perf_child *p, unsigned timeout_s, char **text)
{
	int st = 0;
	pid_t r = 0;

	for (double end = now_s() + timeout_s; now_s() < end; usleep(50000)) {
		r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid)
			break;
	}
	if (r != p->pid) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		st = -1;
	}
	*text = read_file(p->out);
	unlink(p->out);
	if (r != p->pid)
		fail_msg("nvmf_perf did not end within %u s:\n%s", timeout_s, *text);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void expect_clean_perf(struct perf_child *p)
{
	char *out = NULL;
	int st = perf_wait(p, 60, &out);

	if (st != 0 || strstr(out, "I/O errors: 0;") == NULL)
		fail_msg("the unrelated nvmf_perf saw errors (exit %d):\n%s", st, out);
	free(out);
}

static void test_remove_ns_under_io(void **state)
{
	struct perf_child pa, pb;
	struct result r;
	char *out = NULL;
	int st;

	(void)state;
	perf_spawn(&pa, NQN_A, "6");
	perf_spawn(&pb, NQN_B, "6");
	sleep(3);
	RPC_OK("ns", "del", NQN_A, "1");
	/* Its bdev right after, I/O still in flight: the name goes at once, the
	 * memory once no poll group holds it (ASan checks the rest). */
	st = rpc(&r, "raw", "bdev_malloc_delete", "{\"name\":\"ram0\"}", NULL);
	assert_int_equal(st, 0);
	result_free(&r);
	st = rpc(&r, "raw", "bdev_get_bdevs", "{\"name\":\"ram0\"}", NULL);
	assert_int_equal(st, 1);
	result_free(&r);
	st = perf_wait(&pa, 60, &out);
	/* Later I/O to NSID 1: Invalid Namespace or Format (SCT 0, SC 0Bh). */
	if (st != 1 || strstr(out, "first failed I/O: SCT 0 SC 0x0b") == NULL)
		fail_msg("nvmf_perf on the removed namespace (exit %d):\n%s", st, out);
	free(out);
	expect_clean_perf(&pb);
}

static void test_delete_subsystem_under_io(void **state)
{
	struct perf_child pd, pb;
	char port[16], *out = NULL;
	struct result r;
	int st;

	(void)state;
	snprintf(port, sizeof(port), "127.0.0.1:%d", g_tgt.port);
	RPC_OK("bdev", "malloc", "del0", "32", "512");
	RPC_OK("subsystem", "add", NQN_D, "--allow-any-host");
	RPC_OK("ns", "add", NQN_D, "del0");
	RPC_OK("listener", "add", NQN_D, "tcp", port);
	perf_spawn(&pd, NQN_D, "8");
	perf_spawn(&pb, NQN_B, "8");
	sleep(3);
	RPC_OK("subsystem", "del", NQN_D);
	st = perf_wait(&pd, 60, &out);
	if (st != 1 || strstr(out, "status: failed") == NULL)
		fail_msg("nvmf_perf on the deleted subsystem (exit %d):\n%s", st, out);
	free(out);
	expect_clean_perf(&pb);
	assert_int_equal(rpc(&r, "subsystem", "list", NULL), 0);
	assert_null(strstr(r.out, NQN_D));
	assert_non_null(strstr(r.out, NQN_B));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ns_event_by_rpc),
	    cmocka_unit_test(test_discovery_event_by_rpc),
	    cmocka_unit_test(test_remove_listener),
	    cmocka_unit_test(test_remove_host),
	    cmocka_unit_test(test_remove_ns_under_io),
	    cmocka_unit_test(test_delete_subsystem_under_io),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
