/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the discovery controller and log page (nvmf/discovery.c). */
#include "fixture.h"

#define SS2 "nqn.2016-06.io.example:ss2"

static void add_ss2(struct fx *fx, struct nvmf_subsystem **out)
{
	struct nvmf_subsystem *ss2;
	struct nvmf_listen_addr a6;

	assert_int_equal(nvmf_subsystem_create(fx->tgt, SS2, &ss2), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss2, FX_HOSTNQN2), 0);
	assert_int_equal(nvmf_subsystem_add_listener(ss2, &fx->addr), 0);
	fx_addr(&a6, "::1", "4421");
	a6.adrfam = NVMF_ADRFAM_IPV6;
	assert_int_equal(nvmf_subsystem_add_listener(ss2, &a6), 0);
	*out = ss2;
}

static void test_discovery_identify(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvme_id_ctrl id;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_disc_up(&fx, FX_HOSTNQN);
	assert_int_equal(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 0, NVME_CNS_CONTROLLER, 0, &id, sizeof(id), NULL),
	    0);
	assert_int_equal(id.cntrltype, NVME_CNTRLTYPE_DISCOVERY);
	assert_int_equal(id.nn, 0);
	assert_string_equal(id.subnqn, NVMF_DISCOVERY_NQN);
	/* No namespaces, no I/O, no I/O queues. */
	assert_status(
	    fx_admin(&fx, q, NVME_OPC_IDENTIFY, 1, NVME_CNS_NAMESPACE, 0, &id, sizeof(id), NULL),
	    NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	assert_status(fx_admin(&fx, q, NVME_OPC_ABORT, 0, 0, 0, NULL, 0, NULL), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_OPCODE);
	assert_status(fx_admin(&fx, q, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_NUMBER_OF_QUEUES, 0,
			       NULL, 0, NULL),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	assert_int_equal(fx_admin(&fx, q, NVME_OPC_SET_FEATURES, 0, NVME_FEAT_KEEP_ALIVE_TIMER,
				  30000, NULL, 0, NULL),
			 0);
	assert_status(fx_get_log(&fx, q, NVME_LOG_HEALTH_INFORMATION, 0, &id, 512),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_INVALID_LOG_PAGE);
	struct fx_qp *io = fx_qp_new(&fx);
	assert_status(fx_connect_full(&fx, io, 1, 31, NVMF_DISCOVERY_NQN, FX_HOSTNQN, 0x11,
				      ((struct nvmf_ctrlr *)q->qp.ctrlr)->cntlid, NULL),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);
	fx_fini(&fx);
}

static uint64_t read_log(struct fx *fx, struct fx_qp *q, struct nvmf_discovery_log_entry *e,
			 uint64_t *genctr)
{
	struct nvmf_discovery_log_hdr hdr;
	uint64_t n;

	/* Header first, then the entries at offset 1024, as nvme-cli does. */
	assert_int_equal(fx_get_log(fx, q, NVME_LOG_DISCOVERY, 0, &hdr, sizeof(hdr)), 0);
	n = hdr.numrec;
	assert_true(n <= 8);
	assert_int_equal(hdr.recfmt, 0);
	if (n > 0)
		assert_int_equal(fx_get_log(fx, q, NVME_LOG_DISCOVERY, sizeof(hdr), e,
					    (uint32_t)(n * sizeof(*e))),
				 0);
	*genctr = hdr.genctr;
	return n;
}

static void test_log_filtered_by_host(void **state)
{
	struct fx fx;
	struct fx_qp *q1, *q2;
	struct nvmf_subsystem *ss2;
	static struct nvmf_discovery_log_entry e[8];
	uint64_t gen1, gen2, n;

	(void)state;
	fx_init(&fx);
	add_ss2(&fx, &ss2);
	fx_start(&fx);
	q1 = fx_disc_up(&fx, FX_HOSTNQN);
	q2 = fx_disc_up(&fx, FX_HOSTNQN2);

	n = read_log(&fx, q1, e, &gen1);
	assert_int_equal(n, 2); /* ss1 x 1 listener + current discovery */
	assert_int_equal(e[0].subtype, NVMF_SUBTYPE_NVME);
	assert_string_equal(e[0].subnqn, FX_SSNQN);
	assert_string_equal(e[0].traddr, "127.0.0.1");
	assert_string_equal(e[0].trsvcid, "4420");
	assert_int_equal(e[0].trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(e[0].adrfam, NVMF_ADRFAM_IPV4);
	assert_int_equal(e[0].cntlid, 0xffff);
	assert_int_equal(e[0].asqsz, 32);
	assert_int_equal(e[0].portid, 1);
	assert_int_equal(e[0].treq & NVMF_TREQ_SECURE_CHANNEL_MASK, 0);
	assert_int_equal(e[1].subtype, NVMF_SUBTYPE_DISCOVERY_CURRENT);
	/* The current discovery subsystem goes by the target's unique NQN. */
	assert_string_equal(e[1].subnqn, nvmf_tgt_discovery_nqn(fx.tgt));
	assert_true(strncmp(e[1].subnqn, "nqn.2014-08.org.nvmexpress:uuid:", 32) == 0);
	assert_true(nvmf_nqn_valid(e[1].subnqn));

	n = read_log(&fx, q2, e, &gen2);
	assert_int_equal(n, 4); /* ss1 x 1 + ss2 x 2 + current discovery */
	assert_int_equal(gen1, gen2);
	assert_string_equal(e[1].subnqn, SS2);
	assert_string_equal(e[2].subnqn, SS2);
	assert_int_equal(e[2].adrfam, NVMF_ADRFAM_IPV6);
	assert_string_equal(e[2].traddr, "::1");
	assert_int_equal(e[2].portid, 2);
	assert_int_equal(e[1].portid, 1);

	/* Allowing host 1 changes the generation and its view. */
	assert_int_equal(nvmf_subsystem_add_host(ss2, FX_HOSTNQN), 0);
	n = read_log(&fx, q1, e, &gen2);
	assert_int_equal(n, 4);
	assert_true(gen2 != gen1);
	/* A listener too. */
	struct nvmf_listen_addr a;
	fx_addr(&a, "10.0.0.1", "4420");
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &a), 0);
	n = read_log(&fx, q1, e, &gen1);
	assert_int_equal(n, 5);
	assert_true(gen1 != gen2);
	fx_fini(&fx);
}

/* A secure=tls listener: TREQ secure channel required, TSAS TLS 1.3; a plain one neither. */
static void test_log_tls_listener(void **state)
{
	static struct nvmf_discovery_log_entry e[8];
	struct nvmf_listen_addr a;
	struct fx_qp *q;
	uint64_t gen, n;
	struct fx fx;

	(void)state;
	fx_init(&fx);
	fx_addr(&a, "127.0.0.1", "4430");
	a.secure = NVMF_LISTEN_SECURE_TLS;
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &a), 0);
	fx_start(&fx);
	q = fx_disc_up(&fx, FX_HOSTNQN);
	n = read_log(&fx, q, e, &gen);
	assert_int_equal(n, 3); /* plain + TLS listener + current discovery */
	assert_string_equal(e[0].trsvcid, "4420");
	assert_int_equal(e[0].treq & NVMF_TREQ_SECURE_CHANNEL_MASK,
			 NVMF_TREQ_SECURE_CHANNEL_NOT_SPECIFIED);
	assert_int_equal(e[0].tsas.tcp.sectype, NVMF_TCP_SECTYPE_NONE);
	assert_string_equal(e[1].trsvcid, "4430");
	assert_int_equal(e[1].treq & NVMF_TREQ_SECURE_CHANNEL_MASK,
			 NVMF_TREQ_SECURE_CHANNEL_REQUIRED);
	assert_true(e[1].treq & NVMF_TREQ_DISABLE_SQ_FLOW_CONTROL); /* other bits kept */
	assert_int_equal(e[1].tsas.tcp.sectype, NVMF_TCP_SECTYPE_TLS13);
	fx_fini(&fx);
}

static void test_log_offsets(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	struct nvmf_subsystem *ss2;
	uint8_t whole[1024 * 5], part[1024];
	uint64_t gen;

	(void)state;
	fx_init(&fx);
	add_ss2(&fx, &ss2);
	fx_start(&fx);
	q = fx_disc_up(&fx, FX_HOSTNQN2);
	assert_int_equal(fx_get_log(&fx, q, NVME_LOG_DISCOVERY, 0, whole, sizeof(whole)), 0);
	gen = nvme_get_le64(whole);
	assert_int_equal(nvme_get_le64(whole + 8), 4);
	/* Window in the middle of entry 2. */
	assert_int_equal(fx_get_log(&fx, q, NVME_LOG_DISCOVERY, 1024 * 2 + 256, part, 512), 0);
	assert_memory_equal(part, whole + 1024 * 2 + 256, 512);
	assert_int_equal(nvme_get_le64(whole), gen);
	/* Past the end of the log: invalid field. */
	assert_status(fx_get_log(&fx, q, NVME_LOG_DISCOVERY, 1024 * 9, part, 64), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_FIELD);
	fx_fini(&fx);
}

static void test_referrals(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	static struct nvmf_discovery_log_entry e[8];
	struct nvmf_listen_addr r1, r2;
	uint64_t gen0, gen, n;

	(void)state;
	fx_init(&fx);
	fx_start(&fx);
	q = fx_disc_up(&fx, FX_HOSTNQN);
	n = read_log(&fx, q, e, &gen0);
	assert_int_equal(n, 2);
	fx_addr(&r1, "10.0.0.2", "8009");
	fx_addr(&r2, "10.0.0.3", "8009");
	assert_int_equal(nvmf_discovery_add_referral(fx.tgt, &r1, NULL, false), 0);
	assert_int_equal(nvmf_discovery_add_referral(fx.tgt, &r1, NULL, false), -EEXIST);
	assert_int_equal(nvmf_discovery_add_referral(fx.tgt, &r2, "not an nqn", false), -EINVAL);
	assert_int_equal(nvmf_discovery_add_referral(fx.tgt, &r2, NULL, true), 0);
	n = read_log(&fx, q, e, &gen);
	assert_true(gen != gen0);
	assert_int_equal(n, 4); /* ss1, two referrals, current discovery */
	assert_int_equal(e[1].subtype, NVMF_SUBTYPE_DISCOVERY_REFERRAL);
	assert_string_equal(e[1].subnqn, NVMF_DISCOVERY_NQN);
	assert_string_equal(e[1].traddr, "10.0.0.2");
	assert_string_equal(e[1].trsvcid, "8009");
	assert_int_equal(e[1].trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(e[1].treq & NVMF_TREQ_SECURE_CHANNEL_MASK, 0);
	assert_int_equal(e[2].subtype, NVMF_SUBTYPE_DISCOVERY_REFERRAL);
	assert_string_equal(e[2].traddr, "10.0.0.3");
	assert_int_equal(e[2].treq & NVMF_TREQ_SECURE_CHANNEL_MASK,
			 NVMF_TREQ_SECURE_CHANNEL_REQUIRED);
	assert_int_equal(e[3].subtype, NVMF_SUBTYPE_DISCOVERY_CURRENT);
	gen0 = gen;
	assert_int_equal(nvmf_discovery_remove_referral(fx.tgt, &r1), 0);
	assert_int_equal(nvmf_discovery_remove_referral(fx.tgt, &r1), -ENOENT);
	n = read_log(&fx, q, e, &gen);
	assert_true(gen != gen0);
	assert_int_equal(n, 3);
	assert_string_equal(e[1].traddr, "10.0.0.3");
	fx_fini(&fx);
}

static void test_unique_discovery_nqn(void **state)
{
	struct fx fx;
	struct fx_qp *q;
	const char *uniq = "nqn.2016-06.io.example:discovery";
	static struct nvmf_discovery_log_entry e[8];
	char def[NVMF_NQN_MAX_LEN + 1];
	uint64_t gen;

	(void)state;
	fx_init(&fx);
	snprintf(def, sizeof(def), "%s", nvmf_tgt_discovery_nqn(fx.tgt));
	assert_true(nvmf_tgt_discovery_nqn_is_default(fx.tgt));
	assert_int_equal(nvmf_tgt_set_discovery_nqn(fx.tgt, NVMF_DISCOVERY_NQN), -EINVAL);
	assert_int_equal(nvmf_tgt_set_discovery_nqn(fx.tgt, FX_SSNQN), -EINVAL);
	assert_int_equal(nvmf_tgt_set_discovery_nqn(fx.tgt, "bad"), -EINVAL);
	assert_int_equal(nvmf_tgt_set_discovery_nqn(fx.tgt, uniq), 0);
	assert_false(nvmf_tgt_discovery_nqn_is_default(fx.tgt));
	fx_start(&fx);
	/* Both NQNs reach the discovery service; the old default no longer does. */
	q = fx_qp_new(&fx);
	assert_int_equal(fx_connect_full(&fx, q, 0, 31, uniq, FX_HOSTNQN, 0x11, 0xffff, NULL), 0);
	assert_int_equal(fx_prop_set(&fx, q, NVME_REG_CC, 1), 0);
	assert_int_equal(read_log(&fx, q, e, &gen), 2);
	assert_string_equal(e[1].subnqn, uniq);
	q = fx_qp_new(&fx);
	assert_int_not_equal(fx_connect_full(&fx, q, 0, 31, def, FX_HOSTNQN, 0x11, 0xffff, NULL),
			     0);
	fx_disc_up(&fx, FX_HOSTNQN2);
	fx_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_discovery_identify),
	    cmocka_unit_test(test_log_filtered_by_host),
	    cmocka_unit_test(test_log_offsets),
	    cmocka_unit_test(test_referrals),
	    cmocka_unit_test(test_unique_discovery_nqn),
	    cmocka_unit_test(test_log_tls_listener),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
