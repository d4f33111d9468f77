/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_tcp_test.c - the host driver (include/nvme.h, NVMe/TCP) against a
 * child nvmf_tgt on 127.0.0.1: Identify and namespaces of two subsystems
 * (512 B and 4 KiB blocks), write / read-verify at 512 B .. 1 MiB on two
 * I/O queue pairs at QD 1 and 32 with and without digests, flush, write
 * zeroes, deallocate, the discovery log, a refused host (-EACCES), an
 * unknown subsystem (-ENOENT), keep alive over an idle period, and a clean
 * target exit on SIGTERM.
 *
 * The binary: $NVMF_TGT_BIN, else build/bin/nvmf_tgt. The port:
 * $NVMF_TEST_PORT, else 45000 + pid % 1000.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "nvme.h"
#include "tests/integration/host_env.h"
#include "util.h"

#define NQN_RAM "nqn.2016-06.io.nvmf-tgt:ram0"
#define NQN_LOCKED "nqn.2016-06.io.nvmf-tgt:locked"
#define HOST_OK "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define RAM0_SIZE (64ull << 20)
#define RAM1_SIZE (32ull << 20)
#define MAX_IO (1u << 20)
#define QD_MAX 32

static struct tgt_child g_tgt;

static int setup(void **state)
{
	const char *port = getenv("NVMF_TEST_PORT");
	char conf[2048];

	(void)state;
	g_tgt.port = port ? atoi(port) : 25000 + getpid() % 1000; /* below the ephemeral ports */
	snprintf(conf, sizeof(conf),
		 "[Global]\n  ReactorMask 0x1\n  LogLevel notice\n"
		 "[Transport]\n  Type TCP\n  InCapsuleDataSize 8192\n  MaxIOSize %u\n"
		 "[Ram]\n  Name ram0\n  Size 64M\n  BlockSize 512\n"
		 "[Ram]\n  Name ram1\n  Size 32M\n  BlockSize 4096\n"
		 "[Subsystem]\n  NQN " NQN_RAM "\n  SN NVMFTGT0001\n  MN nvmf-tgt RAM\n"
		 "  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n  Namespace ram0 1\n"
		 "[Subsystem]\n  NQN " NQN_LOCKED "\n  SN NVMFTGT0002\n  MN nvmf-tgt Locked\n"
		 "  Listen TCP 127.0.0.1:%d\n  AllowAnyHost No\n  Host " HOST_OK "\n"
		 "  Namespace ram1 1\n",
		 MAX_IO, g_tgt.port, g_tgt.port);
	return host_env_start(&g_tgt, "nvme_tcp_test", conf);
}

static int teardown(void **state)
{
	(void)state;
	env_fini();
	return 0;
}

static void make_trid(struct nvme_trid *t, const char *subnqn)
{
	char s[512];

	snprintf(s, sizeof(s), "trtype:TCP traddr:127.0.0.1 trsvcid:%d%s%s", g_tgt.port,
		 subnqn ? " subnqn:" : "", subnqn ? subnqn : "");
	assert_int_equal(nvme_trid_parse(s, t), 0);
}

static struct nvme_ctrlr *connect_to(const char *subnqn, const char *hostnqn, bool digests,
				     int want_rc)
{
	struct nvme_ctrlr_opts o;
	struct nvme_ctrlr *c = NULL;
	struct nvme_trid t;

	make_trid(&t, subnqn);
	nvme_ctrlr_opts_init(&o);
	o.hdgst = o.ddgst = digests;
	o.timeout_ms = 5000;
	if (hostnqn)
		snprintf(o.hostnqn, sizeof(o.hostnqn), "%s", hostnqn);
	assert_int_equal(nvme_ctrlr_connect(&t, &o, &c), want_rc);
	return c;
}

static bool field_is(const char *field, size_t len, const char *want)
{
	size_t n = strlen(want), i;

	if (n > len || memcmp(field, want, n) != 0)
		return false;
	for (i = n; i < len; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return false;
	return true;
}

/* ---------------------------------------------------------------- identify */

static void test_identify(void **state)
{
	struct nvme_ctrlr *c = connect_to(NQN_RAM, NULL, false, 0);
	const struct nvme_id_ctrl *id = nvme_ctrlr_id(c);
	struct nvme_ns *ns;

	(void)state;
	assert_true(field_is(id->mn, sizeof(id->mn), "nvmf-tgt RAM"));
	assert_true(field_is(id->sn, sizeof(id->sn), "NVMFTGT0001"));
	assert_string_equal(id->subnqn, NQN_RAM);
	assert_int_equal(id->cntrltype, NVME_CNTRLTYPE_IO);
	assert_true(id->nn >= 1);
	assert_true(nvme_ctrlr_num_io_queues(c) >= 2);
	ns = nvme_ctrlr_ns_next(c, 0);
	assert_non_null(ns);
	assert_int_equal(ns->nsid, 1);
	assert_ptr_equal(nvme_ctrlr_ns(c, 1), ns);
	assert_null(nvme_ctrlr_ns_next(c, 1));
	assert_null(nvme_ctrlr_ns(c, 2));
	assert_int_equal(ns->block_size, 512);
	assert_int_equal(ns->num_blocks, RAM0_SIZE / 512);
	assert_int_equal(nvme_ns_id(ns)->nsze, RAM0_SIZE / 512);
	assert_true(ns->max_io_blocks >= MAX_IO / 512);
	assert_string_equal(nvme_ctrlr_trid(c)->subnqn, NQN_RAM);
	nvme_ctrlr_disconnect(c);

	c = connect_to(NQN_LOCKED, HOST_OK, false, 0);
	ns = nvme_ctrlr_ns(c, 1);
	assert_non_null(ns);
	assert_int_equal(ns->block_size, 4096);
	assert_int_equal(ns->num_blocks, RAM1_SIZE / 4096);
	assert_true(field_is(nvme_ctrlr_id(c)->mn, NVME_MN_LEN, "nvmf-tgt Locked"));
	nvme_ctrlr_disconnect(c);
}

/* -------------------------------------------------------------------- I/O */

struct io_done {
	int calls;
	uint16_t status;
};

static void io_cb(void *arg, const struct nvme_cpl *cpl)
{
	struct io_done *d = arg;

	d->calls++;
	d->status = nvme_cpl_get_status(cpl);
}

/* Poll both qpairs until @n callbacks in @d ran (bounded: 20 s). */
static void wait_all(struct nvme_qpair **q, struct io_done *d, unsigned n)
{
	time_t end = time(NULL) + 20;
	unsigned i, done;

	for (;;) {
		for (done = 0, i = 0; i < n; i++)
			done += d[i].calls;
		if (done == n)
			break;
		assert_true(nvme_qpair_poll(q[0], 0) >= 0);
		assert_true(nvme_qpair_poll(q[1], 0) >= 0);
		assert_true(time(NULL) < end);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].status, 0);
	}
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* @qd writes of @len bytes (alternating qpairs), then reads, then compare. */
static void rw_verify(struct nvme_ns *ns, struct nvme_qpair **q, uint32_t len, unsigned qd,
		      uint8_t *wbuf, uint8_t *rbuf, uint32_t seed)
{
	struct io_done d[QD_MAX];
	uint32_t nlb = len / ns->block_size;
	unsigned i;

	fill(wbuf, (size_t)len * qd, seed);
	memset(rbuf, 0, (size_t)len * qd);
	memset(d, 0, sizeof(d));
	for (i = 0; i < qd; i++)
		assert_int_equal(nvme_ns_write(ns, q[i % 2], wbuf + (size_t)i * len,
					       (uint64_t)i * nlb, nlb, 0, io_cb, &d[i]),
				 0);
	wait_all(q, d, qd);
	memset(d, 0, sizeof(d));
	for (i = 0; i < qd; i++)
		assert_int_equal(nvme_ns_read(ns, q[(i + 1) % 2], rbuf + (size_t)i * len,
					      (uint64_t)i * nlb, nlb, 0, io_cb, &d[i]),
				 0);
	wait_all(q, d, qd);
	assert_memory_equal(wbuf, rbuf, (size_t)len * qd);
}

static void io_matrix(bool digests)
{
	static const uint32_t sizes[] = {512, 4096, 65536, MAX_IO};
	static const unsigned qds[] = {1, QD_MAX};
	struct nvme_ctrlr *c = connect_to(NQN_RAM, NULL, digests, 0);
	struct nvme_ns *ns = nvme_ctrlr_ns(c, 1);
	struct nvme_qpair *q[2];
	uint8_t *w = malloc((size_t)MAX_IO * QD_MAX), *r = malloc((size_t)MAX_IO * QD_MAX);
	size_t i, j;

	assert_non_null(w);
	assert_non_null(r);
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(c, NULL, &q[0]), 0);
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(c, NULL, &q[1]), 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < ARRAY_SIZE(qds); j++)
			rw_verify(ns, q, sizes[i], qds[j], w, r, (uint32_t)(i * 10 + j));
	assert_int_equal(nvme_ns_read(ns, q[0], r, ns->num_blocks, 1, 0, io_cb, NULL), -EINVAL);
	assert_int_equal(nvme_ns_read(ns, q[0], r, 0, ns->max_io_blocks + 1, 0, io_cb, NULL),
			 -EINVAL);
	assert_int_equal(nvme_qpair_outstanding(q[0]), 0);
	nvme_ctrlr_free_io_qpair(q[0]);
	nvme_ctrlr_free_io_qpair(q[1]);
	nvme_ctrlr_disconnect(c);
	free(w);
	free(r);
}

static void test_io_plain(void **state)
{
	(void)state;
	io_matrix(false);
}

static void test_io_digests(void **state)
{
	(void)state;
	io_matrix(true);
}

static void test_flush_zeroes_deallocate(void **state)
{
	struct nvme_ctrlr *c = connect_to(NQN_RAM, NULL, false, 0);
	struct nvme_ns *ns = nvme_ctrlr_ns(c, 1);
	struct nvme_dsm_range range = {.length = 8, .slba = 64};
	struct nvme_qpair *q[2];
	uint8_t w[8192], r[8192], zero[8192] = {0};
	struct io_done d[4];

	(void)state;
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(c, NULL, &q[0]), 0);
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(c, NULL, &q[1]), 0);
	memset(d, 0, sizeof(d));
	fill(w, sizeof(w), 99);
	assert_int_equal(nvme_ns_write(ns, q[0], w, 48, 16, NVME_IO_FUA, io_cb, &d[0]), 0);
	assert_int_equal(nvme_ns_write(ns, q[1], w, 64, 16, 0, io_cb, &d[1]), 0);
	assert_int_equal(nvme_ns_flush(ns, q[0], io_cb, &d[2]), 0);
	wait_all(q, d, 3);
	memset(d, 0, sizeof(d));
	assert_int_equal(nvme_ns_write_zeroes(ns, q[0], 48, 16, io_cb, &d[0]), 0);
	assert_int_equal(nvme_ns_deallocate(ns, q[1], &range, 1, io_cb, &d[1]), 0);
	wait_all(q, d, 2);
	memset(d, 0, sizeof(d));
	memset(r, 0xEE, sizeof(r));
	assert_int_equal(nvme_ns_read(ns, q[0], r, 48, 16, 0, io_cb, &d[0]), 0);
	wait_all(q, d, 1);
	assert_memory_equal(r, zero, sizeof(r));
	assert_int_equal(nvme_ns_write_zeroes(ns, q[0], ns->num_blocks - 1, 2, io_cb, NULL),
			 -EINVAL);
	assert_int_equal(nvme_ns_deallocate(ns, q[0], &range, 0, io_cb, NULL), -EINVAL);
	nvme_ctrlr_disconnect(c); /* frees the qpairs too */
}

/* -------------------------------------------------------- discovery, access */

static void test_discovery(void **state)
{
	struct nvme_ctrlr *c = connect_to(NULL, HOST_OK, false, 0);
	struct nvmf_discovery_log_hdr *log = NULL;
	char port[16];
	bool seen_ram = false, seen_locked = false;
	size_t len = 0;
	uint64_t i;

	(void)state;
	snprintf(port, sizeof(port), "%d", g_tgt.port);
	assert_int_equal(nvme_ctrlr_id(c)->cntrltype, NVME_CNTRLTYPE_DISCOVERY);
	assert_int_equal(nvme_ctrlr_discovery_log(c, &log, &len), 0);
	assert_int_equal(len, sizeof(*log) + log->numrec * sizeof(log->entries[0]));
	for (i = 0; i < log->numrec; i++) {
		const struct nvmf_discovery_log_entry *e = &log->entries[i];

		if (e->subtype != NVMF_SUBTYPE_NVME)
			continue;
		assert_int_equal(e->trtype, NVMF_TRTYPE_TCP);
		assert_int_equal(e->adrfam, NVMF_ADRFAM_IPV4);
		assert_true(field_is(e->traddr, sizeof(e->traddr), "127.0.0.1"));
		assert_true(field_is(e->trsvcid, sizeof(e->trsvcid), port));
		seen_ram |= strcmp(e->subnqn, NQN_RAM) == 0;
		seen_locked |= strcmp(e->subnqn, NQN_LOCKED) == 0;
	}
	assert_true(seen_ram);
	assert_true(seen_locked);
	free(log);
	nvme_ctrlr_disconnect(c);

	/* An I/O controller has no discovery log. */
	c = connect_to(NQN_RAM, NULL, false, 0);
	assert_int_equal(nvme_ctrlr_discovery_log(c, &log, &len), -ENOTSUP);
	nvme_ctrlr_disconnect(c);
}

static void test_refused(void **state)
{
	struct nvme_trid t;
	struct nvme_ctrlr *c = NULL;

	(void)state;
	connect_to(NQN_LOCKED, NULL, false, -EACCES);
	connect_to("nqn.2016-06.io.nvmf-tgt:nosuch", NULL, false, -ENOENT);
	make_trid(&t, NQN_RAM);
	snprintf(t.trsvcid, sizeof(t.trsvcid), "%d", g_tgt.port + 1);
	assert_int_equal(nvme_ctrlr_connect(&t, NULL, &c), -ECONNREFUSED);
}

/*
 * KATO 2000 ms over an idle period longer than KATO plus the target's grace
 * (5 s): the controller whose admin queue is polled (Keep Alive every
 * KATO/2) survives and does I/O; an identical one that is never polled is
 * dropped by the target, which shows the idle period was long enough.
 */
#define KA_IDLE_S 9

static void test_keep_alive(void **state)
{
	struct nvme_ctrlr_opts o;
	struct nvme_ctrlr *c, *lazy;
	struct nvme_qpair *q[2];
	struct nvme_trid t;
	uint8_t w[4096], r[4096];
	struct io_done d[1];
	time_t end;
	int rc = 0, i;

	(void)state;
	make_trid(&t, NQN_RAM);
	nvme_ctrlr_opts_init(&o);
	o.kato_ms = 2000;
	assert_int_equal(nvme_ctrlr_connect(&t, &o, &c), 0);
	assert_int_equal(nvme_ctrlr_connect(&t, &o, &lazy), 0);
	assert_int_equal(nvme_ctrlr_alloc_io_qpair(c, NULL, &q[0]), 0);
	q[1] = q[0];
	end = time(NULL) + KA_IDLE_S;
	while (time(NULL) < end) {
		assert_true(nvme_ctrlr_poll_admin(c) >= 0);
		assert_true(nvme_qpair_poll(q[0], 0) >= 0);
		usleep(50000);
	}
	memset(d, 0, sizeof(d));
	fill(w, sizeof(w), 7);
	assert_int_equal(nvme_ns_write(nvme_ctrlr_ns(c, 1), q[0], w, 0, 8, 0, io_cb, &d[0]), 0);
	wait_all(q, d, 1);
	memset(d, 0, sizeof(d));
	assert_int_equal(nvme_ns_read(nvme_ctrlr_ns(c, 1), q[0], r, 0, 8, 0, io_cb, &d[0]), 0);
	wait_all(q, d, 1);
	assert_memory_equal(w, r, sizeof(w));
	assert_true(nvme_ctrlr_poll_admin(c) >= 0);
	for (i = 0; i < 100 && rc >= 0; i++) {
		rc = nvme_ctrlr_poll_admin(lazy);
		usleep(10000);
	}
	assert_int_equal(rc, -ENXIO);
	nvme_ctrlr_free_io_qpair(q[0]);
	nvme_ctrlr_disconnect(c);
	nvme_ctrlr_disconnect(lazy);
}

/* Last: the target stops cleanly on SIGTERM. */
static void test_target_exit(void **state)
{
	(void)state;
	assert_int_equal(tgt_child_stop(&g_tgt), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identify),   cmocka_unit_test(test_io_plain),
	    cmocka_unit_test(test_io_digests), cmocka_unit_test(test_flush_zeroes_deallocate),
	    cmocka_unit_test(test_discovery),  cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_keep_alive), cmocka_unit_test(test_target_exit),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);

	if (g_tgt.pid > 0)
		tgt_child_stop(&g_tgt);
	return rc;
}
