/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of subsystems, hosts, listeners and namespaces
 * (nvmf/subsystem.c, nvmf/listener.c, nvmf/ns.c).
 */
#include "fixture.h"
#include "util_tls_psk.h"

static void test_create_rules(void **state)
{
	struct nvmf_tgt *tgt;
	struct nvmf_subsystem *ss;

	(void)state;
	assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, "bad", &ss), -EINVAL);
	assert_int_equal(nvmf_subsystem_create(tgt, NVMF_DISCOVERY_NQN, &ss), -EINVAL);
	assert_int_equal(nvmf_subsystem_create(tgt, FX_SSNQN, &ss), 0);
	assert_ptr_equal(nvmf_subsystem_find(tgt, FX_SSNQN), ss);
	assert_int_equal(nvmf_subsystem_create(tgt, FX_SSNQN, NULL), -EEXIST);
	assert_int_equal(nvmf_subsystem_set_sn(ss, "SN-0123456789"), 0);
	assert_string_equal(ss->sn, "SN-0123456789");
	assert_int_equal(nvmf_subsystem_set_sn(ss, "012345678901234567890"), -EINVAL);
	assert_int_equal(nvmf_subsystem_set_sn(ss, ""), -EINVAL);
	assert_int_equal(nvmf_subsystem_set_mn(ss, "Model"), 0);
	assert_int_equal(nvmf_subsystem_set_mn(ss, "m\x01"), -EINVAL);
	assert_int_equal(nvmf_subsystem_set_max_namespaces(ss, 0), -EINVAL);
	assert_int_equal(nvmf_subsystem_set_max_namespaces(ss, 1025), -EINVAL);
	assert_int_equal(nvmf_subsystem_set_max_namespaces(ss, 1024), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss, "not-an-nqn"), -EINVAL);
	assert_int_equal(nvmf_subsystem_add_host(ss, FX_HOSTNQN), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss, FX_HOSTNQN), -EEXIST);
	assert_true(nvmf_ss_host_allowed(ss, FX_HOSTNQN));
	assert_false(nvmf_ss_host_allowed(ss, FX_HOSTNQN2));
	assert_int_equal(nvmf_subsystem_remove_host(ss, FX_HOSTNQN), 0);
	assert_int_equal(nvmf_subsystem_remove_host(ss, FX_HOSTNQN), -ENOENT);
	assert_int_equal(nvmf_subsystem_destroy(ss), 0);
	assert_null(nvmf_subsystem_find(tgt, FX_SSNQN));
	nvmf_tgt_destroy(tgt);
}

static void test_namespaces(void **state)
{
	struct nvmf_tgt *tgt;
	struct nvmf_subsystem *ss;
	struct nvmf_ns_opts o;
	struct nvmf_ns *ns;

	(void)state;
	assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, FX_SSNQN, &ss), 0);
	fx_backend_add(tgt, "a", 16, 512, false);
	fx_backend_add(tgt, "b", 16, 4096, false);
	fx_backend_add(tgt, "c", 16, 512, false);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "nope", NULL), -ENOENT);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "a", NULL), 1);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "a", NULL), -EEXIST);
	memset(&o, 0, sizeof(o));
	o.nsid = 1;
	assert_int_equal(nvmf_subsystem_add_ns(ss, "b", &o), -EEXIST);
	o.nsid = NVMF_DEFAULT_MAX_NSID + 1;
	assert_int_equal(nvmf_subsystem_add_ns(ss, "b", &o), -EINVAL);
	o.nsid = 3;
	o.uuid[0] = 0x42;
	assert_int_equal(nvmf_subsystem_add_ns(ss, "b", &o), 3);
	ns = nvmf_ss_ns(ss, 3);
	assert_int_equal(ns->uuid[0], 0x42);
	assert_true(nvmf_mem_is_zero(ns->uuid + 1, 15));
	assert_false(nvmf_mem_is_zero(ns->nguid, 16));
	assert_int_equal(ns->lbads, 12);
	assert_int_equal(ns->nsze, 16);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "c", NULL), 2);
	assert_int_equal(ss->num_ns, 3);
	/* max namespaces cannot drop below a used NSID. */
	assert_int_equal(nvmf_subsystem_set_max_namespaces(ss, 2), -EINVAL);
	assert_int_equal(nvmf_subsystem_remove_ns(ss, 3), 0);
	assert_int_equal(nvmf_subsystem_remove_ns(ss, 3), -ENOENT);
	assert_int_equal(nvmf_subsystem_set_max_namespaces(ss, 2), 0);
	assert_int_equal(nvmf_subsystem_add_ns(ss, "b", NULL), -ENOSPC);
	nvmf_tgt_destroy(tgt);
}

static void test_derived_ids_survive_restart(void **state)
{
	uint8_t uuid[2][16], nguid[2][16], eui[2][8];

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct nvmf_tgt *tgt;
		struct nvmf_subsystem *ss;
		assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
		assert_int_equal(nvmf_subsystem_create(tgt, FX_SSNQN, &ss), 0);
		fx_backend_add(tgt, "a", 16, 512, false);
		assert_int_equal(nvmf_subsystem_add_ns(ss, "a", NULL), 1);
		memcpy(uuid[i], nvmf_ss_ns(ss, 1)->uuid, 16);
		memcpy(nguid[i], nvmf_ss_ns(ss, 1)->nguid, 16);
		memcpy(eui[i], nvmf_ss_ns(ss, 1)->eui64, 8);
		nvmf_tgt_destroy(tgt);
	}
	assert_memory_equal(uuid[0], uuid[1], 16);
	assert_memory_equal(nguid[0], nguid[1], 16);
	assert_memory_equal(eui[0], eui[1], 8);
}

static void test_listen_addr_parse(void **state)
{
	struct nvmf_listen_addr a;
	char buf[128];

	(void)state;
	assert_int_equal(nvmf_listen_addr_parse("TCP", "127.0.0.1:4420", &a), 0);
	assert_int_equal(a.trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(a.adrfam, NVMF_ADRFAM_IPV4);
	assert_string_equal(a.traddr, "127.0.0.1");
	assert_string_equal(a.trsvcid, "4420");
	nvmf_listen_addr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "tcp 127.0.0.1:4420");
	assert_int_equal(nvmf_listen_addr_parse("TCP", "[::1]:4420", &a), 0);
	assert_int_equal(a.adrfam, NVMF_ADRFAM_IPV6);
	assert_string_equal(a.traddr, "::1");
	nvmf_listen_addr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "tcp [::1]:4420");
	assert_int_equal(nvmf_listen_addr_parse("TCP", "127.0.0.1", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("TCP", "127.0.0.1:0", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("TCP", "127.0.0.1:65536", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("TCP", "127.0.0.1:44x", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("TCP", "300.0.0.1:4420", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("TCP", "[::1:4420", &a), -EINVAL);
	assert_int_equal(nvmf_listen_addr_parse("XYZ", "127.0.0.1:4420", &a), -EINVAL);
}

static void test_listeners(void **state)
{
	struct fx fx;
	struct nvmf_subsystem *ss2;
	struct fx_transport *t;
	struct nvmf_listen_addr a;
	uint64_t gen;

	(void)state;
	fx_init(&fx);
	t = (struct fx_transport *)nvmf_tgt_tr_find(fx.tgt, NVMF_TRTYPE_TCP)->t;
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &fx.addr), -EEXIST);
	fx_addr(&a, "127.0.0.1", "4420");
	a.trtype = NVMF_TRTYPE_RDMA;
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &a), -ENOTSUP);
	assert_int_equal(nvmf_subsystem_create(fx.tgt, "nqn.2016-06.io.example:ss2", &ss2), 0);
	/* Shared address: one transport listener. */
	assert_int_equal(nvmf_subsystem_add_listener(ss2, &fx.addr), 0);
	assert_int_equal(t->listens, 0); /* recorded only before start */
	fx_start(&fx);
	assert_int_equal(t->listens, 1);
	gen = fx.tgt->genctr;
	fx_addr(&a, "127.0.0.1", "4430");
	assert_int_equal(nvmf_subsystem_add_listener(ss2, &a), 0); /* opened at once */
	assert_int_equal(t->listens, 2);
	assert_true(fx.tgt->genctr != gen);
	assert_int_equal(nvmf_subsystem_remove_listener(ss2, &a), 0);
	assert_int_equal(t->stop_listens, 1);
	assert_int_equal(nvmf_subsystem_remove_listener(ss2, &a), -ENOENT);
	assert_int_equal(nvmf_subsystem_remove_listener(ss2, &fx.addr), 0);
	assert_int_equal(t->stop_listens, 1); /* fx.ss still uses it */
	fx_fini(&fx);
}

static void test_remove_host_drops_ctrlr(void **state)
{
	struct fx fx;
	struct fx_qp *a;

	(void)state;
	fx_init(&fx);
	nvmf_subsystem_set_allow_any_host(fx.ss, false);
	assert_int_equal(nvmf_subsystem_add_host(fx.ss, FX_HOSTNQN), 0);
	fx_start(&fx);
	fx_admin_up(&fx, &a, FX_SSNQN);
	assert_int_equal(fx.ss->num_ctrlrs, 1);
	assert_int_equal(nvmf_subsystem_remove_host(fx.ss, FX_HOSTNQN), 0);
	fx_poll(&fx, 10);
	assert_true(a->freed);
	assert_int_equal(fx.ss->num_ctrlrs, 0);
	fx_fini(&fx);
}

/* A connection of FX_HOSTNQN to @subnqn through @port, admin queue up. */
static struct fx_qp *admin_via(struct fx *fx, const char *subnqn, const char *port)
{
	struct nvmf_listen_addr keep = fx->addr;
	struct fx_qp *q;

	fx_addr(&fx->addr, "127.0.0.1", port);
	fx_admin_up(fx, &q, subnqn);
	fx->addr = keep;
	return q;
}

static void test_remove_listener_drops_its_ctrlrs(void **state)
{
	struct fx fx;
	struct fx_transport *t;
	struct nvmf_subsystem *ss2;
	struct nvmf_listen_addr b;
	struct fx_qp *q_a, *q_b, *q_ss2, *q_disc;

	(void)state;
	fx_init(&fx);
	t = (struct fx_transport *)nvmf_tgt_tr_find(fx.tgt, NVMF_TRTYPE_TCP)->t;
	fx_addr(&b, "127.0.0.1", "4421");
	assert_int_equal(nvmf_subsystem_add_listener(fx.ss, &b), 0);
	assert_int_equal(nvmf_subsystem_create(fx.tgt, "nqn.2016-06.io.example:ss2", &ss2), 0);
	nvmf_subsystem_set_allow_any_host(ss2, true);
	assert_int_equal(nvmf_subsystem_add_listener(ss2, &b), 0);
	fx_start(&fx);
	q_a = admin_via(&fx, FX_SSNQN, "4420");
	q_b = admin_via(&fx, FX_SSNQN, "4421");
	q_ss2 = admin_via(&fx, "nqn.2016-06.io.example:ss2", "4421");
	fx.addr = b;
	q_disc = fx_disc_up(&fx, FX_HOSTNQN);
	fx_addr(&fx.addr, "127.0.0.1", "4420");
	assert_int_equal(fx.ss->num_ctrlrs, 2);

	/* 4421 leaves fx.ss: its controller through 4421 goes, nothing else. */
	assert_int_equal(nvmf_subsystem_remove_listener(fx.ss, &b), 0);
	fx_poll(&fx, 10);
	assert_true(q_b->freed);
	assert_false(q_a->close_asked);
	assert_false(q_ss2->close_asked);
	assert_false(q_disc->close_asked);
	assert_int_equal(fx.ss->num_ctrlrs, 1);
	assert_int_equal(t->stop_listens, 0); /* ss2 still listens there */
	assert_int_equal(fx_admin(&fx, q_a, NVME_OPC_KEEP_ALIVE, 0, 0, 0, NULL, 0, NULL), 0);
	/* A new connection through 4421 to fx.ss is refused. */
	fx.addr = b;
	struct fx_qp *again = fx_qp_new(&fx);
	fx_addr(&fx.addr, "127.0.0.1", "4420");
	assert_status(fx_connect_full(&fx, again, 0, 31, FX_SSNQN, FX_HOSTNQN, 0xab, 0xffff, NULL),
		      NVME_SCT_COMMAND_SPECIFIC, NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS);

	/* Its last subsystem leaves 4421: the transport stops listening. */
	assert_int_equal(nvmf_subsystem_remove_listener(ss2, &b), 0);
	fx_poll(&fx, 10);
	assert_true(q_ss2->freed);
	assert_int_equal(t->stop_listens, 1);
	assert_false(q_a->close_asked);
	assert_false(q_disc->close_asked);
	fx_fini(&fx);
}

/* Any-host access withdrawn: hosts not on the list lose their controllers. */
static void test_allow_any_host_off_drops_unlisted(void **state)
{
	struct fx fx;
	struct fx_qp *listed, *other;
	struct fx_qp *q;

	(void)state;
	fx_init(&fx);
	assert_int_equal(nvmf_subsystem_add_host(fx.ss, FX_HOSTNQN), 0);
	fx_start(&fx);
	fx_admin_up(&fx, &listed, FX_SSNQN);
	q = fx_qp_new(&fx);
	assert_int_equal(fx_connect_full(&fx, q, 0, 31, FX_SSNQN, FX_HOSTNQN2, 0xcd, 0xffff, NULL),
			 0);
	other = q;
	nvmf_subsystem_set_allow_any_host(fx.ss, false);
	fx_poll(&fx, 10);
	assert_true(other->freed);
	assert_false(listed->close_asked);
	assert_int_equal(fx.ss->num_ctrlrs, 1);
	fx_fini(&fx);
}

/* A host's PSK leaves the keyring with the host, and all of a subsystem's
 * with the subsystem; another subsystem's keys stay. */
static void test_keyring_follows_hosts(void **state)
{
	static const char key[] =
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:";
	static const char other[] = "nqn.2016-06.io.example:ss2";
	struct nvmf_subsystem *ss, *ss2;
	struct tls_keyring *kr;
	struct nvmf_tgt *tgt;
	struct tls_psk cfg;
	char src[128];

	(void)state;
	assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
	kr = nvmf_tgt_keyring(tgt);
	assert_int_equal(tls_psk_parse(key, &cfg, NULL), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, FX_SSNQN, &ss), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, other, &ss2), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss, FX_HOSTNQN), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss, FX_HOSTNQN2), 0);
	assert_int_equal(nvmf_subsystem_add_host(ss2, FX_HOSTNQN), 0);
	assert_int_equal(tls_keyring_add(kr, FX_HOSTNQN, FX_SSNQN, &cfg, NULL), 0);
	assert_int_equal(tls_keyring_add(kr, FX_HOSTNQN2, FX_SSNQN, &cfg, NULL), 0);
	assert_int_equal(tls_keyring_add(kr, FX_HOSTNQN, other, &cfg, NULL), 0);
	/* one host out: its key goes, the others stay */
	assert_int_equal(nvmf_subsystem_remove_host(ss, FX_HOSTNQN2), 0);
	assert_int_equal(tls_keyring_source(kr, FX_HOSTNQN2, FX_SSNQN, src, sizeof(src)), -ENOENT);
	assert_int_equal(tls_keyring_source(kr, FX_HOSTNQN, FX_SSNQN, src, sizeof(src)), 0);
	assert_string_equal(src, key);
	/* the host back without a key, then the subsystem deleted */
	assert_int_equal(nvmf_subsystem_add_host(ss, FX_HOSTNQN2), 0);
	assert_int_equal(tls_keyring_add(kr, FX_HOSTNQN2, FX_SSNQN, &cfg, NULL), 0);
	assert_int_equal(nvmf_subsystem_destroy(ss), 0);
	assert_int_equal(tls_keyring_source(kr, FX_HOSTNQN, FX_SSNQN, src, sizeof(src)), -ENOENT);
	assert_int_equal(tls_keyring_source(kr, FX_HOSTNQN2, FX_SSNQN, src, sizeof(src)), -ENOENT);
	assert_int_equal(tls_keyring_source(kr, FX_HOSTNQN, other, src, sizeof(src)), 0);
	/* the keyring call itself: counts, and nothing left the second time */
	assert_int_equal(tls_keyring_remove_subsystem(kr, other), 1);
	assert_int_equal(tls_keyring_remove_subsystem(kr, other), 0);
	tls_psk_wipe(&cfg);
	nvmf_tgt_destroy(tgt);
}

static void test_backend_public_create(void **state)
{
	struct nvmf_tgt *tgt;

	(void)state;
	assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
	assert_int_equal(nvmf_backend_ram_create(tgt, "r0", 1 << 20, 512), 0);
	assert_int_equal(nvmf_backend_ram_create(tgt, "r0", 1 << 20, 512), -EEXIST);
	assert_int_equal(nvmf_backend_null_create(tgt, "n0", 1 << 20, 4096), 0);
	assert_non_null(nvmf_backend_find(tgt, "r0"));
	assert_non_null(nvmf_backend_find(tgt, "n0"));
	assert_null(nvmf_backend_find(tgt, "x"));
	assert_int_not_equal(nvmf_backend_find(tgt, "r0")->id, nvmf_backend_find(tgt, "n0")->id);
	nvmf_tgt_destroy(tgt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_rules),
	    cmocka_unit_test(test_namespaces),
	    cmocka_unit_test(test_derived_ids_survive_restart),
	    cmocka_unit_test(test_listen_addr_parse),
	    cmocka_unit_test(test_listeners),
	    cmocka_unit_test(test_remove_host_drops_ctrlr),
	    cmocka_unit_test(test_remove_listener_drops_its_ctrlrs),
	    cmocka_unit_test(test_allow_any_host_off_drops_unlisted),
	    cmocka_unit_test(test_backend_public_create),
	    cmocka_unit_test(test_keyring_follows_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
