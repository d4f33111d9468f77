/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of conf_diff() (conf/diff.c) and conf_diff_summary(): a new
 * conf against a running state built by hand, no target involved.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/reload.h"

#define NQN_A "nqn.2016-06.io.nvmf-tgt:a"
#define NQN_B "nqn.2016-06.io.nvmf-tgt:b"
#define HOST1 "nqn.2016-06.io.example:h1"
#define HOST2 "nqn.2016-06.io.example:h2"

static struct conf_errors g_errs;
static struct conf_diff g_d;

static struct conf *load_ok(const char *text)
{
	struct conf *c = NULL;

	conf_errors_init(&g_errs);
	if (conf_load_buffer("t.conf", text, strlen(text), &c, &g_errs) != 0)
		conf_errors_print(&g_errs, stderr);
	assert_non_null(c);
	return c;
}

/* ------------------------------------------------- a running state by hand */

static struct conf_state *st_new(void)
{
	struct conf_state *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	nvmf_tgt_opts_init(&st->tgt_opts);
	st->log_level = LOG_LEVEL_NOTICE;
	return st;
}

static struct conf_state_backend *st_backend(struct conf_state *st, const char *name,
					     const char *type, uint64_t size, const char *path)
{
	struct conf_state_backend *b = conf_state_grow(&st->backends, &st->n_backends, sizeof(*b));

	assert_non_null(b);
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->type, sizeof(b->type), "%s", type);
	b->size = size;
	b->block_size = 512;
	b->path = path ? strdup(path) : NULL;
	return b;
}

static struct conf_state_ss *st_ss(struct conf_state *st, const char *nqn, bool any)
{
	struct conf_state_ss *ss = conf_state_grow(&st->sss, &st->n_sss, sizeof(*ss));

	assert_non_null(ss);
	snprintf(ss->nqn, sizeof(ss->nqn), "%s", nqn);
	snprintf(ss->sn, sizeof(ss->sn), "SN1");
	snprintf(ss->mn, sizeof(ss->mn), "nvmf-tgt");
	ss->max_nsid = NVMF_DEFAULT_MAX_NSID;
	ss->allow_any_host = any;
	return ss;
}

/* A namespace with the derived identifiers, as the conf would make it. */
static struct conf_state_ns *st_ns(struct conf_state_ss *ss, uint32_t nsid, const char *backend)
{
	struct conf_state_ns *ns = conf_state_grow(&ss->nss, &ss->n_nss, sizeof(*ns));

	assert_non_null(ns);
	ns->nsid = nsid;
	snprintf(ns->backend, sizeof(ns->backend), "%s", backend);
	nvmf_ns_derive_ids(ss->nqn, nsid, ns->uuid, ns->nguid, ns->eui64);
	return ns;
}

static void st_host(struct conf_state_ss *ss, const char *nqn)
{
	char(*h)[NVMF_NQN_MAX_LEN + 1] = conf_state_grow(&ss->hosts, &ss->n_hosts, sizeof(*h));

	assert_non_null(h);
	snprintf(*h, sizeof(*h), "%s", nqn);
}

static void st_listen(struct conf_state_ss *ss, const char *hostport)
{
	struct nvmf_listen_addr *l = conf_state_grow(&ss->listens, &ss->n_listens, sizeof(*l));

	assert_non_null(l);
	assert_int_equal(nvmf_listen_addr_parse("TCP", hostport, l), 0);
}

static void st_tcp(struct conf_state *st)
{
	struct nvmf_transport_opts *t = conf_state_grow(&st->trs, &st->n_trs, sizeof(*t));

	assert_non_null(t);
	nvmf_transport_opts_init(t, NVMF_TRTYPE_TCP);
}

/* The state the file BASE makes at start. */
static const char *const BASE = "[Ram]\n"                       /* 1 */
				"  Name ram0\n"                 /* 2 */
				"  Size 1M\n"                   /* 3 */
				"[Ram]\n"                       /* 4 */
				"  Name ram1\n"                 /* 5 */
				"  Size 1M\n"                   /* 6 */
				"[Subsystem1]\n"                /* 7 */
				"  NQN " NQN_A "\n"             /* 8 */
				"  Listen TCP 127.0.0.1:4420\n" /* 9 */
				"  Host " HOST1 "\n"            /* 10 */
				"  Namespace ram0 1\n"          /* 11 */
				"  Namespace ram1\n";           /* 12 */

static struct conf_state *st_base(void)
{
	struct conf_state *st = st_new();
	struct conf_state_ss *ss;

	st_tcp(st);
	st_backend(st, "ram0", "ram", 1 << 20, NULL);
	st_backend(st, "ram1", "ram", 1 << 20, NULL);
	ss = st_ss(st, NQN_A, false);
	st_listen(ss, "127.0.0.1:4420");
	st_host(ss, HOST1);
	st_ns(ss, 1, "ram0");
	st_ns(ss, 2, "ram1");
	return st;
}

/* Diff @text against @st; @return conf_diff()'s result. The conf is kept in *@c. */
static int diff(const char *text, const struct conf_state *st, struct conf **c)
{
	*c = load_ok(text);
	conf_errors_init(&g_errs);
	return conf_diff(*c, st, &g_d, &g_errs);
}

static unsigned count(enum conf_change_kind kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < g_d.n; i++)
		n += g_d.ch[i].kind == kind;
	return n;
}

static const struct conf_change *find(enum conf_change_kind kind, unsigned nth)
{
	for (unsigned i = 0; i < g_d.n; i++) {
		if (g_d.ch[i].kind == kind && nth-- == 0)
			return &g_d.ch[i];
	}
	fail_msg("no change of kind %d", (int)kind);
	return NULL;
}

static bool notes_have(const char *needle)
{
	for (unsigned i = 0; i < g_d.notes.count && i < CONF_ERRORS_MAX; i++) {
		if (strstr(g_d.notes.msg[i], needle))
			return true;
	}
	return false;
}

static void done(struct conf *c, struct conf_state *st)
{
	conf_diff_free(&g_d);
	conf_free(c);
	conf_state_free(st);
}

static char g_text[4096];

/* BASE with @extra appended. */
static const char *base_plus(const char *extra)
{
	snprintf(g_text, sizeof(g_text), "%s%s", BASE, extra);
	return g_text;
}

/* ------------------------------------------------------------------ tests */

static void test_same_file_no_change(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;
	char sum[128];

	(void)state;
	assert_int_equal(diff(BASE, st, &c), 0);
	assert_int_equal(g_d.n, 0);
	assert_int_equal(g_d.notes.count, 0);
	assert_string_equal(conf_diff_summary(&g_d, sum, sizeof(sum)), "no change");
	done(c, st);
}

static void test_subsystem_added_and_removed(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;
	char sum[128];

	(void)state;
	st_ss(st, NQN_B, true); /* running, e.g. made by RPC; not in the file */
	assert_int_equal(diff(base_plus("[Subsystem2]\n"                    /* 13 */
					"  NQN nqn.2016-06.io.nvmf-tgt:c\n" /* 14 */
					"  AllowAnyHost Yes\n"
					"  Namespace ram0\n"),
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 2);
	assert_string_equal(find(CONF_CH_SS_ADD, 0)->nqn, "nqn.2016-06.io.nvmf-tgt:c");
	assert_int_equal(find(CONF_CH_SS_ADD, 0)->line, 13);
	assert_non_null(find(CONF_CH_SS_ADD, 0)->ss);
	assert_string_equal(find(CONF_CH_SS_DEL, 0)->nqn, NQN_B);
	assert_string_equal(conf_diff_summary(&g_d, sum, sizeof(sum)),
			    "+1 subsystem, -1 subsystem");
	done(c, st);
}

static void test_namespaces(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	st_backend(st, "ram2", "ram", 1 << 20, NULL);
	/* NSID 1 goes to ram1 (ram0 leaves), ram2 comes, ram1's NSID 2 goes. */
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n"
			      "[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Ram]\n  Name ram2\n  Size 1M\n"
			      "[Subsystem1]\n"
			      "  NQN " NQN_A "\n"
			      "  Listen TCP 127.0.0.1:4420\n"
			      "  Host " HOST1 "\n"
			      "  Namespace ram1 1\n" /* 14 */
			      "  Namespace ram2\n",  /* 15 */
			      st, &c),
			 0);
	assert_int_equal(count(CONF_CH_NS_DEL), 2);
	assert_int_equal(count(CONF_CH_NS_ADD), 2);
	assert_int_equal(g_d.n, 4);
	/* NSID 1: removed, then added with ram1 */
	assert_int_equal(find(CONF_CH_NS_DEL, 0)->old_ns->nsid, 1);
	assert_string_equal(find(CONF_CH_NS_DEL, 0)->old_ns->backend, "ram0");
	assert_int_equal(find(CONF_CH_NS_ADD, 0)->ns.nsid, 1);
	assert_string_equal(find(CONF_CH_NS_ADD, 0)->name, "ram1");
	assert_int_equal(find(CONF_CH_NS_ADD, 0)->line, 14);
	/* ram1's NSID 2 is not matched by "ram1 1" (another NSID): removed */
	assert_int_equal(find(CONF_CH_NS_DEL, 1)->old_ns->nsid, 2);
	/* ram2 without an NSID: the lowest free one */
	assert_int_equal(find(CONF_CH_NS_ADD, 1)->ns.nsid, 0);
	assert_string_equal(find(CONF_CH_NS_ADD, 1)->name, "ram2");
	assert_int_equal(find(CONF_CH_NS_ADD, 1)->line, 15);
	done(c, st);
}

static void test_namespace_without_nsid_keeps_running_one(void **state)
{
	struct conf_state *st = st_new();
	struct conf_state_ss *ss;
	struct conf *c;

	(void)state;
	st_tcp(st);
	st_backend(st, "ram0", "ram", 1 << 20, NULL);
	ss = st_ss(st, NQN_A, true);
	st_listen(ss, "127.0.0.1:4420");
	st_ns(ss, 7, "ram0"); /* added by RPC at NSID 7 */
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Subsystem]\n  NQN " NQN_A
			      "\n  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
			      "  Namespace ram0\n",
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 0);
	done(c, st);
}

static void test_namespace_identifiers(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	/* NSID 2 got another NGUID by RPC: the file means the derived one */
	st->sss[0].nss[1].nguid[0] ^= 1;
	/* NSID 1: the file now gives a UUID */
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n  Listen TCP 127.0.0.1:4420\n"
			      "  Host " HOST1 "\n"
			      "  Namespace ram0 1 6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b\n"
			      "  Namespace ram1\n",
			      st, &c),
			 0);
	assert_int_equal(count(CONF_CH_NS_DEL), 2);
	assert_int_equal(count(CONF_CH_NS_ADD), 2);
	assert_int_equal(find(CONF_CH_NS_ADD, 0)->ns.nsid, 1);
	assert_int_equal(find(CONF_CH_NS_ADD, 0)->ns.uuid[0], 0x6b);
	/* the implicit one keeps its running NSID */
	assert_int_equal(find(CONF_CH_NS_ADD, 1)->ns.nsid, 2);
	done(c, st);
}

static void test_explicit_nsid_not_taken_by_implicit(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	/* ram0 runs at NSID 1, but the file gives NSID 1 to ram1 and none to ram0 */
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n  Listen TCP 127.0.0.1:4420\n"
			      "  Host " HOST1 "\n  Namespace ram0\n  Namespace ram1 1\n",
			      st, &c),
			 0);
	/* NSID 1 is replaced (ram1), ram0 comes back elsewhere, NSID 2 (ram1) goes */
	assert_int_equal(count(CONF_CH_NS_DEL), 2);
	assert_int_equal(count(CONF_CH_NS_ADD), 2);
	assert_string_equal(find(CONF_CH_NS_ADD, 0)->name, "ram1");
	assert_int_equal(find(CONF_CH_NS_ADD, 0)->ns.nsid, 1);
	assert_string_equal(find(CONF_CH_NS_ADD, 1)->name, "ram0");
	assert_int_equal(find(CONF_CH_NS_ADD, 1)->ns.nsid, 0);
	done(c, st);
}

static void test_hosts_listeners_allow_any_host(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;
	char sum[160];

	(void)state;
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n"
			      "  Listen TCP 127.0.0.1:4421\n" /* 9 */
			      "  Host " HOST2 "\n"            /* 10 */
			      "  AllowAnyHost Yes\n"          /* 11 */
			      "  AdminPassthru Yes\n"         /* 12 */
			      "  Namespace ram0 1\n  Namespace ram1\n",
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 6);
	assert_true(find(CONF_CH_PASSTHRU, 0)->allow);
	assert_int_equal(find(CONF_CH_PASSTHRU, 0)->line, 12);
	assert_string_equal(find(CONF_CH_HOST_ADD, 0)->name, HOST2);
	assert_int_equal(find(CONF_CH_HOST_ADD, 0)->line, 10);
	assert_string_equal(find(CONF_CH_HOST_DEL, 0)->name, HOST1);
	assert_string_equal(find(CONF_CH_LISTEN_ADD, 0)->addr.trsvcid, "4421");
	assert_int_equal(find(CONF_CH_LISTEN_ADD, 0)->line, 9);
	assert_string_equal(find(CONF_CH_LISTEN_DEL, 0)->addr.trsvcid, "4420");
	assert_true(find(CONF_CH_ALLOW_ANY, 0)->allow);
	assert_int_equal(find(CONF_CH_ALLOW_ANY, 0)->line, 11);
	assert_string_equal(conf_diff_summary(&g_d, sum, sizeof(sum)),
			    "+1 host, -1 host, +1 listener, -1 listener, +1 AllowAnyHost change, "
			    "+1 AdminPassthru change");
	done(c, st);
}

static void test_identity_left_alone(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n"
			      "  SN NEWSN\n"         /* 9 */
			      "  MN nvmf-tgt\n"      /* 10: the same */
			      "  MaxNamespaces 64\n" /* 11 */
			      "  Listen TCP 127.0.0.1:4420\n  Host " HOST1 "\n"
			      "  Namespace ram0 1\n  Namespace ram1\n",
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 0);
	assert_int_equal(g_d.notes.count, 2);
	assert_true(notes_have("t.conf:9: subsystem " NQN_A ": SN 'NEWSN' differs"));
	assert_true(notes_have("t.conf:11: subsystem " NQN_A ": MaxNamespaces 64 differs"));
	done(c, st);
}

static void test_backends(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	st_backend(st, "rpc0", "null", 1 << 30, NULL); /* made by RPC, unused */
	st_backend(st, "nvme0n1", "nvme", 1 << 30, "0000:00:04.0");
	st->backends[1].size = 2 << 20; /* ram1 runs with 2 MiB, the file says 1M */
	assert_int_equal(diff(base_plus("[Null]\n  Name null9\n  Size 1G\n"), st, &c), 0);
	assert_int_equal(g_d.n, 2);
	assert_string_equal(find(CONF_CH_BACKEND_ADD, 0)->name, "null9");
	assert_int_equal(find(CONF_CH_BACKEND_ADD, 0)->line, 13);
	assert_string_equal(find(CONF_CH_BACKEND_DEL, 0)->name, "rpc0");
	/* a changed backend and a controller left out: notes, not changes */
	assert_int_equal(g_d.notes.count, 2);
	assert_true(notes_have("t.conf:6: [Ram] ram1: Size differs"));
	assert_true(notes_have("backend nvme0n1: no longer in the file"));
	done(c, st);
}

static void test_nvme_attach_refused(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	assert_int_equal(diff(base_plus("[Nvme]\n  Name nvme0\n"
					"  TrAddr 0000:00:04.0\n" /* 15 */
					"  Namespaces 1\n"),
			      st, &c),
			 -EINVAL);
	assert_int_equal(g_errs.count, 1);
	assert_non_null(strstr(g_errs.msg[0], "t.conf:15: [Nvme] nvme0:"));
	assert_non_null(strstr(g_errs.msg[0], "restart"));
	done(c, st);

	/* attached already, with that namespace: nothing to do */
	st = st_base();
	st_backend(st, "nvme0n1", "nvme", 1 << 30, "0000:00:04.0");
	assert_int_equal(diff(base_plus("[Nvme]\n  Name nvme0\n  TrAddr 0000:00:04.0\n"
					"  Namespaces 1\n"),
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 0);
	done(c, st);

	/* a second namespace of that controller is an attach too */
	st = st_base();
	st_backend(st, "nvme0n1", "nvme", 1 << 30, "0000:00:04.0");
	assert_int_equal(diff(base_plus("[Nvme]\n  Name nvme0\n  TrAddr 0000:00:04.0\n"
					"  Namespaces 1,2\n"),
			      st, &c),
			 -EINVAL);
	done(c, st);
}

static void test_nsid_over_running_limit(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	/* MaxNamespaces 64 cannot be applied live; NSID 40 is over the running 32 */
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n  MaxNamespaces 64\n"
			      "  Listen TCP 127.0.0.1:4420\n  Host " HOST1 "\n"
			      "  Namespace ram0 1\n  Namespace ram1 40\n", /* 13 */
			      st, &c),
			 -EINVAL);
	assert_int_equal(g_errs.count, 1);
	assert_non_null(strstr(g_errs.msg[0], "t.conf:13: Namespace ram1: NSID 40 is over"));
	done(c, st);
}

static void test_transports(void **state)
{
	struct conf_state *st = st_base();
	struct nvmf_transport_opts *rdma;
	struct conf *c;

	(void)state;
	/* an RDMA transport runs (made by RPC) and the file does not use it */
	rdma = conf_state_grow(&st->trs, &st->n_trs, sizeof(*rdma));
	nvmf_transport_opts_init(rdma, NVMF_TRTYPE_RDMA);
	assert_int_equal(diff(base_plus(""), st, &c), 0);
	assert_int_equal(g_d.n, 0);
	assert_int_equal(g_d.notes.count, 1);
	assert_true(notes_have("RDMA transport: no longer used by the file; it stays"));
	done(c, st);

	/* TCP options changed: a note; a new RDMA section: a transport to add */
	st = st_base();
	assert_int_equal(diff(base_plus("[Transport]\n  Type TCP\n  MaxQueueDepth 64\n" /* 13 */
					"[Transport]\n  Type RDMA\n"),                  /* 16 */
			      st, &c),
			 0);
	assert_int_equal(g_d.n, 1);
	assert_int_equal(find(CONF_CH_TRANSPORT_ADD, 0)->tr.trtype, NVMF_TRTYPE_RDMA);
	assert_int_equal(find(CONF_CH_TRANSPORT_ADD, 0)->line, 16);
	assert_true(notes_have("t.conf:13: TCP transport: MaxQueueDepth differs"));
	done(c, st);
}

static void test_global(void **state)
{
	struct conf_state *st = st_base();
	const char *g = "[Global]\n  ReactorMask 0x3\n  IdleSleep No\n  LogLevel debug\n";
	struct conf *c;

	(void)state;
	st->core_mask = "0x1";
	snprintf(g_text, sizeof(g_text), "%s%s", g, BASE);
	assert_int_equal(diff(g_text, st, &c), 0);
	assert_int_equal(g_d.n, 1);
	assert_int_equal(find(CONF_CH_LOG_LEVEL, 0)->level, LOG_LEVEL_DEBUG);
	assert_int_equal(find(CONF_CH_LOG_LEVEL, 0)->line, 4);
	assert_int_equal(g_d.notes.count, 2);
	assert_true(notes_have("t.conf:2: [Global] cores 0x3: the cores cannot change"));
	assert_true(notes_have("t.conf:3: [Global] IdleSleep/IdleSleepUs"));
	done(c, st);

	/* -m and -L given: neither is compared nor applied */
	st = st_base();
	st->core_mask = "0x1";
	st->core_mask_fixed = true;
	st->log_level_fixed = true;
	snprintf(g_text, sizeof(g_text), "[Global]\n  ReactorMask 0x3\n  LogLevel debug\n%s", BASE);
	assert_int_equal(diff(g_text, st, &c), 0);
	assert_int_equal(g_d.n, 0);
	assert_int_equal(g_d.notes.count, 1);
	assert_true(notes_have("LogLevel: left as it is, the command line (-L) sets it"));
	done(c, st);
}

static void test_changes_in_apply_order(void **state)
{
	struct conf_state *st = st_base();
	struct conf *c;

	(void)state;
	st_ss(st, NQN_B, true);
	st_backend(st, "old", "null", 1 << 20, NULL);
	assert_int_equal(diff("[Ram]\n  Name ram0\n  Size 1M\n[Ram]\n  Name ram1\n  Size 1M\n"
			      "[Null]\n  Name new\n  Size 1M\n"
			      "[Subsystem1]\n  NQN " NQN_A "\n  Listen TCP 127.0.0.1:4421\n"
			      "  Namespace new 1\n  Namespace ram1\n"
			      "[Subsystem2]\n  NQN nqn.2016-06.io.nvmf-tgt:c\n  Namespace ram0\n",
			      st, &c),
			 0);
	assert_true(g_d.n >= 8);
	for (unsigned i = 1; i < g_d.n; i++)
		assert_true(g_d.ch[i - 1].kind <= g_d.ch[i].kind);
	/* everything that may fail comes before the first removal that cannot be undone */
	assert_int_equal(g_d.ch[0].kind, CONF_CH_BACKEND_ADD);
	assert_int_equal(g_d.ch[g_d.n - 1].kind, CONF_CH_BACKEND_DEL);
	done(c, st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_file_no_change),
	    cmocka_unit_test(test_subsystem_added_and_removed),
	    cmocka_unit_test(test_namespaces),
	    cmocka_unit_test(test_namespace_without_nsid_keeps_running_one),
	    cmocka_unit_test(test_namespace_identifiers),
	    cmocka_unit_test(test_explicit_nsid_not_taken_by_implicit),
	    cmocka_unit_test(test_hosts_listeners_allow_any_host),
	    cmocka_unit_test(test_identity_left_alone),
	    cmocka_unit_test(test_backends),
	    cmocka_unit_test(test_nvme_attach_refused),
	    cmocka_unit_test(test_nsid_over_running_limit),
	    cmocka_unit_test(test_transports),
	    cmocka_unit_test(test_global),
	    cmocka_unit_test(test_changes_in_apply_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
