/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_nvme_test.c - the "nvme" backend (nvmf/backend_nvme.c).
 *
 * The cutter: how a block I/O becomes NVMe commands for a local controller:
 * split at MDTS, never across an iovec (each is one DMA-able pool buffer),
 * whole blocks only, iovecs longer than the I/O trimmed, and refusals for
 * unaligned or short iovecs.
 *
 * The I/O path, on the host driver's generic queue pair code with a fake
 * transport underneath: submit (io_start), the wait on a full queue and the
 * resume from poll (retry_resume), a failed queue pair (retry_fail), each
 * bio's states and the table of legal changes.
 *
 * Abort (ops.abort): one Abort admin command per command of the bio still
 * at the drive, naming its SQID and CID; done() says what the drive said;
 * an aborted bio ends with -ECANCELED, exactly once; a drive that is gone,
 * a bio not at the drive: refused, nothing sent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nvme/nvme_internal.h"
#include "nvmf/backend_nvme.h"
#include "nvmf/nvmf_internal.h"

#include "fake_drive.h"

static uint8_t g_a[1 << 20], g_b[1 << 20];

/* Cut everything; @return the number of segments, or the error. */
static int cut_all(const struct iovec *iov, uint32_t n, uint64_t len, uint32_t bs, uint32_t max,
		   struct nvmf_bnvme_seg *segs, int cap)
{
	struct nvmf_bnvme_cursor cur = {0};
	int count = 0, rc;

	while ((rc = nvmf_bnvme_next_seg(iov, n, len, bs, max, &cur, &segs[count])) == 1)
		if (++count == cap)
			break;
	return rc < 0 ? rc : count;
}

static void test_split_at_mdts(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = sizeof(g_a)};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* 1 MiB with MDTS 512 KiB (QEMU: 2^7 pages): two commands. */
	assert_int_equal(cut_all(&iov, 1, 1 << 20, 512, 512 << 10, s, 8), 2);
	assert_ptr_equal(s[0].buf, g_a);
	assert_int_equal(s[0].len, 512 << 10);
	assert_int_equal(s[0].off, 0);
	assert_ptr_equal(s[1].buf, g_a + (512 << 10));
	assert_int_equal(s[1].off, 512 << 10);
	/* 300 KiB with MDTS 128 KiB: 128 + 128 + 44. */
	assert_int_equal(cut_all(&iov, 1, 300 << 10, 4096, 128 << 10, s, 8), 3);
	assert_int_equal(s[2].len, 44 << 10);
	assert_int_equal(s[2].off, 256 << 10);
}

static void test_mdts_not_block_multiple(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 65536};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* A limit of 10000 bytes with 4 KiB blocks: 8 KiB pieces. */
	assert_int_equal(cut_all(&iov, 1, 16384, 4096, 10000, s, 8), 2);
	assert_int_equal(s[0].len, 8192);
	assert_int_equal(s[1].len, 8192);
}

static void test_per_iovec(void **state)
{
	struct iovec iov[3] = {
	    {.iov_base = g_a, .iov_len = 8192},
	    {.iov_base = g_b, .iov_len = 131072},
	    {.iov_base = g_a + 8192, .iov_len = 131072},
	};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* The last iovec is longer than the I/O: trimmed. */
	assert_int_equal(cut_all(iov, 3, 8192 + 131072 + 4096, 512, 1 << 20, s, 8), 3);
	assert_ptr_equal(s[0].buf, g_a);
	assert_int_equal(s[0].len, 8192);
	assert_ptr_equal(s[1].buf, g_b);
	assert_int_equal(s[1].off, 8192);
	assert_int_equal(s[1].len, 131072);
	assert_ptr_equal(s[2].buf, g_a + 8192);
	assert_int_equal(s[2].len, 4096);
	/* Empty iovecs are skipped. */
	iov[1].iov_len = 0;
	assert_int_equal(cut_all(iov, 3, 8192 + 4096, 512, 1 << 20, s, 8), 2);
	assert_ptr_equal(s[1].buf, g_a + 8192);
}

static void test_refusals(void **state)
{
	struct iovec iov[2] = {
	    {.iov_base = g_a, .iov_len = 1000},
	    {.iov_base = g_b, .iov_len = 8192},
	};
	struct nvmf_bnvme_seg s[8];

	(void)state;
	/* A piece that is not whole blocks. */
	assert_int_equal(cut_all(iov, 2, 4096, 512, 1 << 20, s, 8), -EINVAL);
	/* Iovecs shorter than the I/O. */
	iov[0].iov_len = 4096;
	assert_int_equal(cut_all(iov, 2, 4096 + 8192 + 512, 512, 1 << 20, s, 8), -EINVAL);
	/* Zero length: nothing to cut. */
	assert_int_equal(cut_all(iov, 2, 0, 512, 1 << 20, s, 8), 0);
}

/* ------------------------------------------------------- the backend */

struct bt {
	struct nvmf_tgt *tgt;
	struct nvme_ctrlr *ctrlr;
	struct nvmf_backend *b;
	struct nvmf_bchannel *ch;
	const uint64_t *st; /* changes into each state */
};

#define ST(t, x) ((t)->st[NVMF_BNVME_IO_##x])

static int g_order; /* callbacks so far in this test */

static void bt_up(struct bt *t, uint32_t entries, uint32_t max_io_blocks)
{
	memset(&g_fk, 0, sizeof(g_fk));
	g_order = 0;
	assert_int_equal(nvmf_tgt_create(NULL, &t->tgt), 0);
	t->ctrlr = fk_ctrlr_new(entries, max_io_blocks);
	assert_int_equal(nvmf_bnvme_register(t->tgt, "fk", t->ctrlr, NULL, 0), 0);
	t->b = nvmf_backend_find(t->tgt, "fkn1");
	assert_non_null(t->b);
	assert_int_equal(t->b->size, (uint64_t)FK_BLOCKS * FK_BS);
	assert_int_equal(t->b->ops->channel_create(t->b, &t->ch), 0);
	assert_int_equal(g_fk.qpairs, 1);
	t->st = nvmf_bnvme_io_states(t->ch);
}

static void bt_down(struct bt *t)
{
	t->b->ops->channel_destroy(t->ch);
	assert_int_equal(g_fk.qpairs, 0);
	nvmf_tgt_destroy(t->tgt);
}

struct done {
	int calls;
	int status;
	int order; /* among all callbacks of the test */
};

static void bio_cb(struct nvmf_bio *bio, int status)
{
	struct done *d = bio->cb_arg;

	d->calls++;
	d->status = status;
	d->order = ++g_order;
}

static void bio_set(struct nvmf_bio *bio, struct done *d, enum nvmf_bio_op op, uint64_t off,
		    uint64_t len, const struct iovec *iov, uint32_t iovcnt)
{
	memset(bio, 0, sizeof(*bio));
	memset(d, 0, sizeof(*d));
	bio->op = op;
	bio->offset = off;
	bio->len = len;
	bio->iov = iov;
	bio->iovcnt = iovcnt;
	bio->cb = bio_cb;
	bio->cb_arg = d;
}

static int bt_submit(struct bt *t, struct nvmf_bio *bio)
{
	return t->b->ops->submit(t->ch, bio);
}

static int bt_poll(struct bt *t, unsigned budget)
{
	g_fk.budget = budget;
	return t->b->ops->poll(t->ch);
}

static void assert_cmd(unsigned i, uint8_t opc, uint64_t slba, uint32_t nlb, const void *buf)
{
	assert_true(i < g_fk.nlog);
	assert_int_equal(g_fk.log[i].opc, opc);
	assert_int_equal(g_fk.log[i].slba, slba);
	assert_int_equal(g_fk.log[i].nlb, nlb);
	if (buf != NULL)
		assert_ptr_equal(g_fk.log[i].buf, buf);
}

/* -------------------------------------------------------- state table */

static void test_io_state_table(void **state)
{
	/* legal[from][to], written from the diagram in backend_nvme.h. */
	static const bool legal[NVMF_BNVME_IO_NSTATES][NVMF_BNVME_IO_NSTATES] = {
	    [NVMF_BNVME_IO_FREE] = {[NVMF_BNVME_IO_SENDING] = true},
	    [NVMF_BNVME_IO_SENDING] = {[NVMF_BNVME_IO_FREE] = true,
				       [NVMF_BNVME_IO_WAIT_QUEUE] = true,
				       [NVMF_BNVME_IO_IN_FLIGHT] = true},
	    [NVMF_BNVME_IO_WAIT_QUEUE] = {[NVMF_BNVME_IO_FREE] = true,
					  [NVMF_BNVME_IO_SENDING] = true,
					  [NVMF_BNVME_IO_IN_FLIGHT] = true},
	    [NVMF_BNVME_IO_IN_FLIGHT] = {[NVMF_BNVME_IO_FREE] = true},
	};
	int nlegal = 0;

	(void)state;
	for (int from = 0; from < NVMF_BNVME_IO_NSTATES; from++)
		for (int to = 0; to < NVMF_BNVME_IO_NSTATES; to++) {
			assert_int_equal(nvmf_bnvme_io_state_change_ok(from, to), legal[from][to]);
			nlegal += legal[from][to];
		}
	assert_int_equal(nlegal, 8);
	/* Some refusals spelled out: a double completion, sending after all was sent. */
	assert_false(nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_FREE, NVMF_BNVME_IO_FREE));
	assert_false(nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_IN_FLIGHT, NVMF_BNVME_IO_SENDING));
	assert_false(
	    nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_IN_FLIGHT, NVMF_BNVME_IO_WAIT_QUEUE));
	assert_false(nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_FREE, NVMF_BNVME_IO_IN_FLIGHT));
	assert_false(nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_NSTATES, NVMF_BNVME_IO_FREE));
	assert_false(nvmf_bnvme_io_state_change_ok(NVMF_BNVME_IO_SENDING, NVMF_BNVME_IO_NSTATES));
}

/* ------------------------------------------------------------ io_start */

static void test_start_read_write(void **state)
{
	struct iovec iov[2] = {
	    {.iov_base = g_a, .iov_len = 12288},
	    {.iov_base = g_b, .iov_len = 8192},
	};
	struct nvmf_bio bio;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 16); /* MDTS 8 KiB */
	bio_set(&bio, &d, NVMF_BIO_READ, 1 << 20, 20480, iov, 2);
	assert_int_equal(bt_submit(&t, &bio), 0);
	/* 12 KiB cut at MDTS (8 + 4), then the second iovec. */
	assert_int_equal(g_fk.nlog, 3);
	assert_cmd(0, NVME_OPC_READ, 2048, 16, g_a);
	assert_cmd(1, NVME_OPC_READ, 2064, 8, g_a + 8192);
	assert_cmd(2, NVME_OPC_READ, 2072, 16, g_b);
	assert_int_equal(ST(&t, SENDING), 1);
	assert_int_equal(ST(&t, IN_FLIGHT), 1);
	assert_int_equal(ST(&t, FREE), 0);
	assert_int_equal(d.calls, 0);
	/* Two of three completions: still in flight. */
	assert_int_equal(bt_poll(&t, 2), 2);
	assert_int_equal(d.calls, 0);
	assert_int_equal(bt_poll(&t, 0), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, 0);
	assert_int_equal(ST(&t, FREE), 1);
	/* A FUA write: every command carries FUA. */
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 16384, iov, 1);
	bio.fua = true;
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(g_fk.nlog, 5);
	assert_cmd(3, NVME_OPC_WRITE, 0, 16, g_a);
	assert_true(g_fk.log[3].fua && g_fk.log[4].fua);
	assert_int_equal(bt_poll(&t, 0), 2);
	assert_int_equal(d.calls, 1);
	assert_int_equal(ST(&t, FREE), 2);
	bt_down(&t);
}

static void test_start_misc_commands(void **state)
{
	struct nvmf_bio bio;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 0);
	/* Zero length: nothing to send, done inside submit. */
	bio_set(&bio, &d, NVMF_BIO_WRITE_ZEROES, 4096, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, 0);
	assert_int_equal(g_fk.nlog, 0);
	assert_int_equal(ST(&t, IN_FLIGHT), 1);
	assert_int_equal(ST(&t, FREE), 1);
	/* Write Zeroes cut at 65536 blocks per command. */
	bio_set(&bio, &d, NVMF_BIO_WRITE_ZEROES, 512, (2 * 65536 + 8) * (uint64_t)FK_BS, NULL, 0);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(g_fk.nlog, 3);
	assert_cmd(0, NVME_OPC_WRITE_ZEROES, 1, 65536, NULL);
	assert_cmd(1, NVME_OPC_WRITE_ZEROES, 1 + 65536, 65536, NULL);
	assert_cmd(2, NVME_OPC_WRITE_ZEROES, 1 + 2 * 65536, 8, NULL);
	/* Deallocate: one range. Flush: one command. */
	struct nvmf_bio b2, b3;
	struct done d2, d3;
	bio_set(&b2, &d2, NVMF_BIO_DEALLOCATE, 8192, 4096, NULL, 0);
	bio_set(&b3, &d3, NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &b2), 0);
	assert_int_equal(bt_submit(&t, &b3), 0);
	assert_int_equal(g_fk.nlog, 5);
	assert_cmd(3, NVME_OPC_DATASET_MANAGEMENT, 16, 8, NULL);
	assert_cmd(4, NVME_OPC_FLUSH, 0, 0, NULL);
	assert_int_equal(bt_poll(&t, 0), 5);
	assert_true(d.calls == 1 && d2.calls == 1 && d3.calls == 1);
	assert_true(d.order < d2.order && d2.order < d3.order);
	assert_int_equal(ST(&t, FREE), 4);
	bt_down(&t);
}

static void test_start_refused(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 8192};
	struct iovec bad = {.iov_base = g_a, .iov_len = 1000};
	struct nvmf_bio bio;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 8); /* MDTS 4 KiB */
	/* The first command refused: submit says so, no callback, slot free. */
	g_fk.refuse_at = 1;
	g_fk.refuse_rc = -ENXIO;
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 8192, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), -ENXIO);
	assert_int_equal(d.calls, 0);
	assert_int_equal(ST(&t, SENDING), 1);
	assert_int_equal(ST(&t, FREE), 1);
	assert_int_equal(ST(&t, IN_FLIGHT), 0);
	/* An iovec that is not whole blocks: refused the same way. */
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 4096, &bad, 1);
	assert_int_equal(bt_submit(&t, &bio), -EINVAL);
	assert_int_equal(d.calls, 0);
	assert_int_equal(ST(&t, FREE), 2);
	/* The second command refused: the first is out, the bio ends with the error. */
	g_fk.refuse_at = g_fk.submits + 2;
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 8192, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(g_fk.nlog, 1);
	assert_int_equal(d.calls, 0);
	assert_int_equal(bt_poll(&t, 0), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, -ENXIO);
	/* Out of range or unknown operation: refused before taking a slot. */
	bio_set(&bio, &d, NVMF_BIO_READ, (uint64_t)FK_BLOCKS * FK_BS, 4096, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), -EINVAL);
	assert_int_equal(ST(&t, SENDING), 3);
	bt_down(&t);
}

static void test_channel_full(void **state)
{
	static struct nvmf_bio bios[FK_IOS + 1];
	static struct done d[FK_IOS + 1];
	struct bt t;
	int polls = 0;

	(void)state;
	bt_up(&t, 4, 0); /* three commands in flight at most */
	for (int i = 0; i < FK_IOS; i++) {
		bio_set(&bios[i], &d[i], NVMF_BIO_FLUSH, 0, 0, NULL, 0);
		assert_int_equal(bt_submit(&t, &bios[i]), 0);
	}
	assert_int_equal(g_fk.nlog, 3);
	assert_int_equal(ST(&t, WAIT_QUEUE), FK_IOS - 3);
	/* Every slot taken: -EAGAIN, and that bio's callback never runs. */
	bio_set(&bios[FK_IOS], &d[FK_IOS], NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &bios[FK_IOS]), -EAGAIN);
	while (ST(&t, FREE) < FK_IOS && polls++ < 1000)
		bt_poll(&t, 0);
	assert_int_equal(g_fk.nlog, FK_IOS); /* each flush sent exactly once */
	for (int i = 0; i < FK_IOS; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].order, i + 1); /* in submission order */
	}
	assert_int_equal(d[FK_IOS].calls, 0);
	bt_down(&t);
}

/* -------------------------------------------------------- retry_resume */

static void test_queue_full_then_resume(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 20480};
	struct nvmf_bio b1, b2;
	struct done d1, d2;
	struct bt t;

	(void)state;
	bt_up(&t, 4, 8); /* three commands in flight, MDTS 4 KiB */
	bio_set(&b1, &d1, NVMF_BIO_WRITE, 4096, 20480, &iov, 1);
	bio_set(&b2, &d2, NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &b1), 0);
	assert_int_equal(bt_submit(&t, &b2), 0); /* none of it out: it waits too */
	assert_int_equal(g_fk.nlog, 3);
	assert_int_equal(ST(&t, WAIT_QUEUE), 2);
	assert_int_equal(ST(&t, IN_FLIGHT), 0);
	/* Two completions: b1's pieces in flight reach 0 while it still waits
	 * to send: no callback. Then b1 sends its last two; the flush waits. */
	assert_int_equal(bt_poll(&t, 2), 2);
	assert_int_equal(d1.calls, 0);
	assert_int_equal(g_fk.nlog, 5);
	assert_cmd(3, NVME_OPC_WRITE, 8 + 24, 8, g_a + 12288);
	assert_cmd(4, NVME_OPC_WRITE, 8 + 32, 8, g_a + 16384);
	assert_int_equal(ST(&t, SENDING), 4); /* b1, b2, then both again */
	assert_int_equal(ST(&t, WAIT_QUEUE), 3);
	assert_int_equal(ST(&t, IN_FLIGHT), 1);
	/* b1 done; the flush goes out, once. */
	assert_int_equal(bt_poll(&t, 0), 3);
	assert_int_equal(d1.calls, 1);
	assert_int_equal(d1.status, 0);
	assert_int_equal(d2.calls, 0);
	assert_int_equal(g_fk.nlog, 6);
	assert_cmd(5, NVME_OPC_FLUSH, 0, 0, NULL);
	assert_int_equal(bt_poll(&t, 0), 1);
	assert_int_equal(d2.calls, 1);
	assert_int_equal(d2.status, 0);
	assert_int_equal(bt_poll(&t, 0), 0);
	assert_int_equal(g_fk.nlog, 6);
	assert_int_equal(ST(&t, FREE), 2);
	bt_down(&t);
}

static void test_resume_refused(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 20480};
	struct nvmf_bio b1, b2, b3;
	struct done d1, d2, d3;
	struct bt t;

	(void)state;
	bt_up(&t, 4, 8);
	/* Refused on resume with commands in flight: ends with the error after them. */
	bio_set(&b1, &d1, NVMF_BIO_WRITE, 0, 20480, &iov, 1);
	assert_int_equal(bt_submit(&t, &b1), 0);
	g_fk.refuse_at = 4;
	g_fk.refuse_rc = -ENXIO;
	assert_int_equal(bt_poll(&t, 1), 1);
	assert_int_equal(d1.calls, 0);
	assert_int_equal(ST(&t, IN_FLIGHT), 1);
	assert_int_equal(bt_poll(&t, 0), 2);
	assert_int_equal(d1.calls, 1);
	assert_int_equal(d1.status, -ENXIO);
	/* Refused on resume with nothing in flight: the callback gets the error. */
	bio_set(&b2, &d2, NVMF_BIO_WRITE, 0, 12288, &iov, 1);
	bio_set(&b3, &d3, NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &b2), 0);
	assert_int_equal(bt_submit(&t, &b3), 0);
	assert_int_equal(g_fk.submits, 7); /* the flush did not reach the transport */
	g_fk.refuse_at = 8;
	assert_int_equal(bt_poll(&t, 0), 3);
	assert_int_equal(d2.calls, 1);
	assert_int_equal(d2.status, 0);
	assert_int_equal(d3.calls, 1);
	assert_int_equal(d3.status, -ENXIO);
	assert_true(d2.order < d3.order);
	assert_int_equal(ST(&t, FREE), 3);
	bt_down(&t);
}

/* ---------------------------------------------------------- retry_fail */

static void test_queue_pair_failed(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 20480};
	struct nvmf_bio b1, b2;
	struct done d1, d2;
	struct bt t;

	(void)state;
	bt_up(&t, 4, 8);
	bio_set(&b1, &d1, NVMF_BIO_READ, 0, 20480, &iov, 1);
	bio_set(&b2, &d2, NVMF_BIO_FLUSH, 0, 0, NULL, 0);
	assert_int_equal(bt_submit(&t, &b1), 0); /* three out, two waiting */
	assert_int_equal(bt_submit(&t, &b2), 0); /* nothing out */
	g_fk.fail = true;
	assert_int_equal(bt_poll(&t, 0), 0);
	/* b1's commands were aborted, then both end with -EIO, once, in order. */
	assert_int_equal(d1.calls, 1);
	assert_int_equal(d1.status, -EIO);
	assert_int_equal(d2.calls, 1);
	assert_int_equal(d2.status, -EIO);
	assert_true(d1.order < d2.order);
	assert_int_equal(g_fk.nlog, 3);
	assert_int_equal(ST(&t, IN_FLIGHT), 2);
	assert_int_equal(ST(&t, FREE), 2);
	/* Nothing more happens on later polls. */
	assert_int_equal(bt_poll(&t, 0), 0);
	assert_int_equal(d1.calls + d2.calls, 2);
	bt_down(&t);
}

/* ---------------------------------------------------------------- abort */

struct adone {
	int calls;
	bool aborted;
};

static void adone_cb(void *arg, bool aborted)
{
	struct adone *a = arg;

	a->calls++;
	a->aborted = aborted;
}

static int bt_abort(struct bt *t, struct nvmf_bio *bio, struct adone *a)
{
	memset(a, 0, sizeof(*a));
	return t->b->ops->abort(t->ch, bio, adone_cb, a);
}

/* Entry @i of the log is an Abort (admin queue) of command @io_i of the log. */
static void assert_abort_of(unsigned i, unsigned io_i)
{
	assert_true(i < g_fk.nlog && io_i < g_fk.nlog);
	assert_int_equal(g_fk.log[i].opc, NVME_OPC_ABORT);
	assert_int_equal(g_fk.log[i].qid, 0);
	assert_int_not_equal(g_fk.log[io_i].qid, 0);
	assert_int_equal(g_fk.log[i].cdw10,
			 (uint32_t)g_fk.log[io_i].cid << NVME_ABORT_CID_SHIFT | g_fk.log[io_i].qid);
}

static void test_abort_aborted(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 4096};
	struct nvmf_bio bio;
	struct adone a;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 16);
	g_fk.hold_io = true;
	bio_set(&bio, &d, NVMF_BIO_WRITE, 8192, 4096, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(bt_poll(&t, 0), 0); /* at the drive */
	assert_int_equal(bt_abort(&t, &bio, &a), 0);
	assert_int_equal(g_fk.nlog, 2);
	assert_abort_of(1, 0);
	assert_int_equal(a.calls, 0);
	/* The channel's poll reaps the drive's answer: aborted. */
	g_fk.abort_cdw0 = 0;
	bt_poll(&t, 0);
	assert_int_equal(g_fk.aborts, 1);
	assert_int_equal(a.calls, 1);
	assert_true(a.aborted);
	/* The command itself ends on its queue with Command Abort Requested. */
	bt_poll(&t, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, -ECANCELED);
	/* Exactly once; nothing else happens. */
	g_fk.hold_io = false;
	bt_poll(&t, 0);
	bt_poll(&t, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(a.calls, 1);
	assert_int_equal(g_fk.nlog, 2);
	assert_int_equal(ST(&t, FREE), 1);
	/* Done: no longer anything to abort. */
	assert_int_equal(bt_abort(&t, &bio, &a), -ENOENT);
	bt_down(&t);
}

static void test_abort_not_aborted(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 4096};
	struct nvmf_bio bio;
	struct adone a;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 16);
	g_fk.hold_io = true;
	bio_set(&bio, &d, NVMF_BIO_READ, 0, 4096, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(bt_abort(&t, &bio, &a), 0);
	assert_abort_of(1, 0);
	/* The drive could not abort it (CDW0 bit 0 set): it runs on. */
	g_fk.abort_cdw0 = 1;
	bt_poll(&t, 0);
	bt_poll(&t, 0);
	assert_int_equal(a.calls, 1);
	assert_false(a.aborted);
	assert_int_equal(d.calls, 0);
	g_fk.hold_io = false;
	bt_poll(&t, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, 0);
	assert_int_equal(a.calls, 1);
	bt_down(&t);
}

static void test_abort_split_bio(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 20480};
	struct nvmf_bio bio;
	struct adone a;
	struct done d;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 16); /* MDTS 8 KiB: three commands */
	g_fk.hold_io = true;
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 20480, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), 0);
	assert_int_equal(g_fk.nlog, 3);
	assert_int_equal(bt_abort(&t, &bio, &a), 0);
	assert_int_equal(g_fk.nlog, 6);
	assert_abort_of(3, 0);
	assert_abort_of(4, 1);
	assert_abort_of(5, 2);
	g_fk.abort_cdw0 = 0;
	bt_poll(&t, 0);
	assert_int_equal(g_fk.aborts, 3);
	assert_int_equal(a.calls, 1); /* once, after the last answer */
	assert_true(a.aborted);
	bt_poll(&t, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.status, -ECANCELED);
	bt_down(&t);
}

static void test_abort_refused(void **state)
{
	struct iovec iov = {.iov_base = g_a, .iov_len = 4096};
	struct nvmf_bio bio, other;
	struct adone a;
	struct done d, d2;
	struct bt t;

	(void)state;
	bt_up(&t, 64, 16);
	g_fk.hold_io = true;
	bio_set(&bio, &d, NVMF_BIO_WRITE, 0, 4096, &iov, 1);
	bio_set(&other, &d2, NVMF_BIO_WRITE, 0, 4096, &iov, 1);
	assert_int_equal(bt_submit(&t, &bio), 0);
	/* A bio this channel does not hold. */
	assert_int_equal(bt_abort(&t, &other, &a), -ENOENT);
	/* The drive is gone: nothing is sent, the caller answers "not aborted". */
	nvme_ctrlr_mark_removed(t.ctrlr);
	assert_int_equal(bt_abort(&t, &bio, &a), -ENODEV);
	assert_int_equal(g_fk.nlog, 1);
	assert_int_equal(a.calls, 0);
	g_fk.hold_io = false;
	bt_poll(&t, 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(a.calls, 0);
	bt_down(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_at_mdts),
	    cmocka_unit_test(test_mdts_not_block_multiple),
	    cmocka_unit_test(test_per_iovec),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_io_state_table),
	    cmocka_unit_test(test_start_read_write),
	    cmocka_unit_test(test_start_misc_commands),
	    cmocka_unit_test(test_start_refused),
	    cmocka_unit_test(test_channel_full),
	    cmocka_unit_test(test_queue_full_then_resume),
	    cmocka_unit_test(test_resume_refused),
	    cmocka_unit_test(test_queue_pair_failed),
	    cmocka_unit_test(test_abort_aborted),
	    cmocka_unit_test(test_abort_not_aborted),
	    cmocka_unit_test(test_abort_split_bio),
	    cmocka_unit_test(test_abort_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
