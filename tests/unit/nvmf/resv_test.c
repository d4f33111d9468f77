/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the reservation rules (nvmf/resv_table.c) and of the PTPL
 * state file (nvmf/resv_state.c).
 *
 * The conflict test holds its own copy of the NVMe base specification's
 * table "Command Behavior in the Presence of a Reservation" and checks
 * every type x command x role cell against a state built by real Register
 * and Acquire actions.
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
#include <unistd.h>

#include <cmocka.h>

#include "nvme_spec.h"
#include "nvmf/resv.h"

#define ST_CONFLICT                                                                                \
	((uint16_t)(NVME_STATUS_GENERIC(NVME_SC_RESERVATION_CONFLICT) | NVME_STATUS_DNR))
#define ST_INVALID ((uint16_t)(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD) | NVME_STATUS_DNR))

static const uint8_t HOST_A[16] = {0xa1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t HOST_B[16] = {0xb2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t HOST_C[16] = {0xc3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/*
 * From the specification: per type, for the Read group and the Write
 * group, the behavior for the holder, a registrant and a non-registrant:
 * 'A' allowed, 'C' Reservation Conflict.
 */
static const struct {
	uint8_t rtype;
	const char *read; /* holder, registrant, non-registrant */
	const char *write;
} spec_table[] = {
    {NVME_RESV_WRITE_EXCLUSIVE, "AAA", "ACC"},
    {NVME_RESV_EXCLUSIVE_ACCESS, "ACC", "ACC"},
    {NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY, "AAA", "AAC"},
    {NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY, "AAC", "AAC"},
    {NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS, "AAA", "AAC"},
    {NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS, "AAC", "AAC"},
};

static const struct {
	uint8_t opc;
	bool write;
} io_cmds[] = {
    {NVME_OPC_READ, false},        {NVME_OPC_COMPARE, false},           {NVME_OPC_WRITE, true},
    {NVME_OPC_WRITE_ZEROES, true}, {NVME_OPC_DATASET_MANAGEMENT, true}, {NVME_OPC_FLUSH, true},
};

static uint16_t run(struct nvmf_resv_state *s, uint8_t opc, uint8_t action, uint8_t rtype,
		    const uint8_t *host, uint64_t k1, uint64_t k2, struct nvmf_resv_effects *fx)
{
	struct nvmf_resv_effects local;
	struct nvmf_resv_cmd c = {
	    .opc = opc, .action = action, .rtype = rtype, .crkey = k1, .key2 = k2};

	memcpy(c.hostid, host, 16);
	return nvmf_resv_apply(s, &c, true, fx ? fx : &local);
}

static uint16_t reg(struct nvmf_resv_state *s, const uint8_t *host, uint64_t key)
{
	return run(s, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REGISTER_KEY, 0, host, 0, key, NULL);
}

static uint16_t acquire(struct nvmf_resv_state *s, const uint8_t *host, uint64_t key, uint8_t rtype)
{
	return run(s, NVME_OPC_RESERVATION_ACQUIRE, NVME_RESV_ACQUIRE, rtype, host, key, 0, NULL);
}

static void test_conflict_table(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(spec_table) / sizeof(spec_table[0]); t++) {
		struct nvmf_resv_state s;
		const uint8_t *hosts[3] = {HOST_A, HOST_B, HOST_C};

		memset(&s, 0, sizeof(s));
		assert_int_equal(reg(&s, HOST_A, 0xa), NVME_STATUS_SUCCESS);
		assert_int_equal(reg(&s, HOST_B, 0xb), NVME_STATUS_SUCCESS);
		assert_int_equal(acquire(&s, HOST_A, 0xa, spec_table[t].rtype),
				 NVME_STATUS_SUCCESS);
		for (size_t k = 0; k < sizeof(io_cmds) / sizeof(io_cmds[0]); k++) {
			const char *row =
			    io_cmds[k].write ? spec_table[t].write : spec_table[t].read;
			for (int r = 0; r < 3; r++) {
				enum nvmf_resv_role role = nvmf_resv_role_of(&s, hosts[r]);
				bool got = nvmf_resv_conflicts(s.rtype, role, io_cmds[k].opc);
				if (got != (row[r] == 'C'))
					fail_msg("type %u opcode %02xh role %d: %s",
						 spec_table[t].rtype, io_cmds[k].opc, r,
						 got ? "conflict" : "allowed");
			}
		}
		/* Without a reservation nothing conflicts. */
		assert_false(nvmf_resv_conflicts(0, NVMF_RESV_NON_REGISTRANT, NVME_OPC_WRITE));
	}
}

static void test_roles(void **state)
{
	struct nvmf_resv_state s;

	(void)state;
	memset(&s, 0, sizeof(s));
	reg(&s, HOST_A, 1);
	reg(&s, HOST_B, 2);
	assert_int_equal(nvmf_resv_role_of(&s, HOST_A), NVMF_RESV_REGISTRANT);
	acquire(&s, HOST_A, 1, NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS);
	/* All Registrants: every registrant holds it. */
	assert_int_equal(nvmf_resv_role_of(&s, HOST_B), NVMF_RESV_HOLDER);
	assert_int_equal(nvmf_resv_role_of(&s, HOST_C), NVMF_RESV_NON_REGISTRANT);
}

static void test_register(void **state)
{
	struct nvmf_resv_state s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(reg(&s, HOST_A, 5), NVME_STATUS_SUCCESS);
	assert_int_equal(s.gen, 1);
	assert_int_equal(reg(&s, HOST_A, 5), NVME_STATUS_SUCCESS); /* same key: no change */
	assert_int_equal(s.gen, 1);
	assert_int_equal(reg(&s, HOST_A, 6), ST_CONFLICT);
	/* Replace: the current key must match unless IEKEY. */
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REPLACE_KEY, 0, HOST_A, 4, 7, NULL),
	    ST_CONFLICT);
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_REPLACE_KEY, 0, HOST_A, 5, 7, NULL),
	    NVME_STATUS_SUCCESS);
	assert_int_equal(s.regs[0].rkey, 7);
	struct nvmf_resv_cmd c = {.opc = NVME_OPC_RESERVATION_REGISTER,
				  .action = NVME_RESV_UNREGISTER_KEY,
				  .iekey = true,
				  .crkey = 99};
	struct nvmf_resv_effects fx;
	memcpy(c.hostid, HOST_A, 16);
	assert_int_equal(nvmf_resv_apply(&s, &c, true, &fx), NVME_STATUS_SUCCESS);
	assert_int_equal(s.nregs, 0);
	assert_int_equal(s.gen, 2);
	/* CPTPL 01b is reserved; 11b needs the capability. */
	c.action = NVME_RESV_REGISTER_KEY;
	c.cptpl = 1;
	assert_int_equal(nvmf_resv_apply(&s, &c, true, &fx), ST_INVALID);
	c.cptpl = 3;
	assert_int_equal(nvmf_resv_apply(&s, &c, false, &fx), ST_INVALID);
	assert_int_equal(nvmf_resv_apply(&s, &c, true, &fx), NVME_STATUS_SUCCESS);
	assert_true(s.ptpl);
}

static void test_acquire_preempt(void **state)
{
	struct nvmf_resv_state s;
	struct nvmf_resv_effects fx;

	(void)state;
	memset(&s, 0, sizeof(s));
	reg(&s, HOST_A, 0xa);
	reg(&s, HOST_B, 0xb);
	assert_int_equal(acquire(&s, HOST_C, 0xc, 1), ST_CONFLICT); /* not registered */
	assert_int_equal(acquire(&s, HOST_A, 0xb, 1), ST_CONFLICT); /* wrong key */
	assert_int_equal(acquire(&s, HOST_A, 0xa, 7), ST_INVALID);  /* no such type */
	assert_int_equal(acquire(&s, HOST_A, 0xa, NVME_RESV_WRITE_EXCLUSIVE), NVME_STATUS_SUCCESS);
	assert_int_equal(acquire(&s, HOST_A, 0xa, NVME_RESV_WRITE_EXCLUSIVE), NVME_STATUS_SUCCESS);
	assert_int_equal(acquire(&s, HOST_A, 0xa, NVME_RESV_EXCLUSIVE_ACCESS), ST_CONFLICT);
	assert_int_equal(acquire(&s, HOST_B, 0xb, NVME_RESV_WRITE_EXCLUSIVE), ST_CONFLICT);
	/* B preempts A: A's registration goes, B holds the new type. */
	assert_int_equal(run(&s, NVME_OPC_RESERVATION_ACQUIRE, NVME_RESV_PREEMPT,
			     NVME_RESV_EXCLUSIVE_ACCESS, HOST_B, 0xb, 0xa, &fx),
			 NVME_STATUS_SUCCESS);
	assert_int_equal(s.rtype, NVME_RESV_EXCLUSIVE_ACCESS);
	assert_int_equal(nvmf_resv_role_of(&s, HOST_B), NVMF_RESV_HOLDER);
	assert_int_equal(nvmf_resv_role_of(&s, HOST_A), NVMF_RESV_NON_REGISTRANT);
	assert_int_equal(fx.nnotify, 1);
	assert_memory_equal(fx.notify[0].hostid, HOST_A, 16);
	assert_int_equal(fx.notify[0].type, NVME_RESV_NOTIFY_REGISTRATION_PREEMPTED);
	/* PRKEY 0 is invalid unless the type is All Registrants; no match: conflict. */
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_ACQUIRE, NVME_RESV_PREEMPT, 1, HOST_B, 0xb, 0, &fx),
	    ST_INVALID);
	assert_int_equal(run(&s, NVME_OPC_RESERVATION_ACQUIRE, NVME_RESV_PREEMPT_AND_ABORT, 1,
			     HOST_B, 0xb, 0x77, &fx),
			 ST_CONFLICT);
}

static void test_release_clear(void **state)
{
	struct nvmf_resv_state s;
	struct nvmf_resv_effects fx;

	(void)state;
	memset(&s, 0, sizeof(s));
	reg(&s, HOST_A, 0xa);
	reg(&s, HOST_B, 0xb);
	acquire(&s, HOST_A, 0xa, NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY);
	/* A non-holder's release does nothing; a wrong type is invalid. */
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_RELEASE, 3, HOST_B, 0xb, 0, &fx),
	    NVME_STATUS_SUCCESS);
	assert_int_equal(s.rtype, 3);
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_RELEASE, 1, HOST_A, 0xa, 0, &fx),
	    ST_INVALID);
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_RELEASE, 3, HOST_A, 0xa, 0, &fx),
	    NVME_STATUS_SUCCESS);
	assert_int_equal(s.rtype, 0);
	assert_int_equal(fx.nnotify, 1); /* Registrants Only: the others hear of it */
	assert_int_equal(fx.notify[0].type, NVME_RESV_NOTIFY_RESERVATION_RELEASED);
	assert_memory_equal(fx.notify[0].hostid, HOST_B, 16);
	/* Clear: everything goes; the others are told of a preemption. */
	acquire(&s, HOST_A, 0xa, NVME_RESV_WRITE_EXCLUSIVE);
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_CLEAR, 0, HOST_C, 0xc, 0, &fx),
	    ST_CONFLICT);
	assert_int_equal(
	    run(&s, NVME_OPC_RESERVATION_RELEASE, NVME_RESV_CLEAR, 0, HOST_B, 0xb, 0, &fx),
	    NVME_STATUS_SUCCESS);
	assert_int_equal(s.nregs, 0);
	assert_int_equal(s.rtype, 0);
	assert_int_equal(fx.nnotify, 1);
	assert_int_equal(fx.notify[0].type, NVME_RESV_NOTIFY_RESERVATION_PREEMPTED);
}

static void test_unregister_holder(void **state)
{
	struct nvmf_resv_state s;
	struct nvmf_resv_effects fx;

	(void)state;
	memset(&s, 0, sizeof(s));
	reg(&s, HOST_A, 0xa);
	reg(&s, HOST_B, 0xb);
	acquire(&s, HOST_A, 0xa, NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS);
	/* All Registrants: released only when the last registrant leaves. */
	run(&s, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_UNREGISTER_KEY, 0, HOST_A, 0xa, 0, &fx);
	assert_int_equal(s.rtype, NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS);
	run(&s, NVME_OPC_RESERVATION_REGISTER, NVME_RESV_UNREGISTER_KEY, 0, HOST_B, 0xb, 0, &fx);
	assert_int_equal(s.rtype, 0);
}

static void test_report(void **state)
{
	struct nvmf_resv_state s;
	struct nvmf_resv_ctrl ctrls[2] = {{.cntlid = 3}, {.cntlid = 4}};
	uint8_t buf[64 * 4];
	struct nvme_resv_status_ext hdr;
	struct nvme_resv_ctrl_ext e[3];

	(void)state;
	memset(&s, 0, sizeof(s));
	reg(&s, HOST_A, 0xa);
	reg(&s, HOST_B, 0xb);
	acquire(&s, HOST_A, 0xa, NVME_RESV_EXCLUSIVE_ACCESS);
	/* Host A has two controllers; host B none (CNTLID FFFFh). */
	memcpy(ctrls[0].hostid, HOST_A, 16);
	memcpy(ctrls[1].hostid, HOST_A, 16);
	assert_int_equal(nvmf_resv_report_build(&s, ctrls, 2, buf, sizeof(buf)), 64 * 4);
	memcpy(&hdr, buf, sizeof(hdr));
	memcpy(e, buf + 64, sizeof(e));
	assert_int_equal(hdr.gen, 2);
	assert_int_equal(hdr.rtype, NVME_RESV_EXCLUSIVE_ACCESS);
	assert_int_equal(hdr.regctl, 3);
	assert_int_equal(e[0].cntlid, 3);
	assert_int_equal(e[1].cntlid, 4);
	assert_int_equal(e[0].rcsts, 1);
	assert_int_equal(e[0].rkey, 0xa);
	assert_int_equal(e[2].cntlid, 0xFFFF);
	assert_int_equal(e[2].rcsts, 0);
	assert_memory_equal(e[2].hostid, HOST_B, 16);
	/* A short buffer: the header and what fits. */
	assert_int_equal(nvmf_resv_report_build(&s, ctrls, 2, buf, 100), 64 * 4);
}

/* ------------------------------------------------------------ PTPL file */

static char g_dir[64];

static int dir_setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/resv_test.XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void make_state(struct nvmf_resv_state *s, uint64_t key)
{
	memset(s, 0, sizeof(*s));
	reg(s, HOST_A, key);
	reg(s, HOST_B, key + 1);
	acquire(s, HOST_B, key + 1, NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY);
	s->ptpl = true;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static size_t read_file(const char *path, void *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len, f);
	fclose(f);
	return n;
}

static void test_state_round_trip(void **state)
{
	struct nvmf_resv_state a, b;
	char path[256];

	(void)state;
	assert_int_equal(nvmf_resv_state_path(path, sizeof(path), g_dir, "nqn.x:a/b", 3), 0);
	assert_null(strchr(path + strlen(g_dir) + 1, '/'));
	assert_int_equal(nvmf_resv_state_load(path, &b), -ENOENT);
	make_state(&a, 100);
	assert_int_equal(nvmf_resv_state_save(path, &a), 0);
	assert_int_equal(nvmf_resv_state_load(path, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(nvmf_resv_state_remove(path), 0);
	assert_int_equal(nvmf_resv_state_load(path, &b), -ENOENT);
}

/* Power lost while writing the next state: only FILE.tmp is torn. */
static void test_state_torn_write(void **state)
{
	struct nvmf_resv_state a, next, b;
	char path[256], tmp[300], bytes[2048];
	size_t n;

	(void)state;
	nvmf_resv_state_path(path, sizeof(path), g_dir, "nqn.x:torn", 1);
	make_state(&a, 200);
	assert_int_equal(nvmf_resv_state_save(path, &a), 0);
	make_state(&next, 300);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(nvmf_resv_state_save(tmp, &next), 0);
	n = read_file(tmp, bytes, sizeof(bytes));
	write_file(tmp, bytes, n / 2);
	assert_int_equal(nvmf_resv_state_load(path, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a)); /* the previous state */
	assert_int_equal(access(tmp, F_OK), -1);
}

/* A damaged FILE is refused, set aside, and the namespace starts empty. */
static void test_state_damaged(void **state)
{
	struct nvmf_resv_state a, b;
	char path[256], bad[300], bytes[2048];
	size_t n;

	(void)state;
	nvmf_resv_state_path(path, sizeof(path), g_dir, "nqn.x:bad", 1);
	make_state(&a, 400);
	assert_int_equal(nvmf_resv_state_save(path, &a), 0);
	n = read_file(path, bytes, sizeof(bytes));
	write_file(path, bytes, n - 5); /* truncated */
	assert_int_equal(nvmf_resv_state_load(path, &b), -EBADMSG);
	assert_int_equal(b.nregs, 0);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	assert_int_equal(access(bad, F_OK), 0);
	assert_int_equal(access(path, F_OK), -1);
	bytes[45] ^= 0x40; /* a flipped bit in a host id */
	write_file(path, bytes, n);
	assert_int_equal(nvmf_resv_state_load(path, &b), -EBADMSG);
	assert_int_equal(b.rtype, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conflict_table),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_register),
	    cmocka_unit_test(test_acquire_preempt),
	    cmocka_unit_test(test_release_clear),
	    cmocka_unit_test(test_unregister_holder),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test_setup_teardown(test_state_round_trip, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_state_torn_write, dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_state_damaged, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
