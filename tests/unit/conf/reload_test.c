/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of conf_reload() (conf/state.c, diff.c, reload.c) against the
 * real target core, created but not started: the state is read back
 * through the nvmf listing API after each reload.
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
#define NQN_C "nqn.2016-06.io.nvmf-tgt:c"
#define HOST1 "nqn.2016-06.io.example:h1"

static struct conf_errors g_errs, g_notes;
static struct conf_reload_result g_res;

static const char *const START = "[Ram]\n  Name ram0\n  Size 1M\n"
				 "[Ram]\n  Name ram1\n  Size 1M\n"
				 "[Subsystem1]\n  NQN " NQN_A "\n"
				 "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				 "  Namespace ram0 1\n"
				 "[Subsystem2]\n  NQN " NQN_B "\n"
				 "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				 "  Namespace ram1\n";

static struct conf *load_ok(const char *text)
{
	struct conf *c = NULL;

	conf_errors_init(&g_errs);
	if (conf_load_buffer("t.conf", text, strlen(text), &c, &g_errs) != 0)
		conf_errors_print(&g_errs, stderr);
	assert_non_null(c);
	return c;
}

static struct nvmf_tgt *start_tgt(uint32_t max_subsystems)
{
	struct nvmf_tgt_opts opts;
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = load_ok(START);

	nvmf_tgt_opts_init(&opts);
	opts.max_subsystems = max_subsystems;
	assert_int_equal(nvmf_tgt_create(&opts, &tgt), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), 0);
	conf_free(c);
	return tgt;
}

static int reload(struct nvmf_tgt *tgt, const char *text)
{
	struct conf_reload_opts o = {0};
	struct conf *c = load_ok(text);
	int rc;

	conf_errors_init(&g_errs);
	conf_errors_init(&g_notes);
	rc = conf_reload(c, tgt, &o, &g_errs, &g_notes, &g_res);
	conf_free(c);
	return rc;
}

/* "nsid:backend,..." of @nqn's namespaces, uuid first bytes when @ids. */
struct ns_list {
	char text[256];
	bool ids;
};

static void add_ns(void *arg, const struct nvmf_ns_info *ns)
{
	struct ns_list *l = arg;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s%u:%s", n ? "," : "", ns->nsid,
		 ns->backend_name);
	n = strlen(l->text);
	if (l->ids)
		snprintf(l->text + n, sizeof(l->text) - n, "/%02x%02x", ns->uuid[0], ns->nguid[0]);
}

static const char *nss(struct nvmf_tgt *tgt, const char *nqn, bool ids)
{
	static struct ns_list l;
	struct nvmf_subsystem *ss = nvmf_subsystem_find(tgt, nqn);

	memset(&l, 0, sizeof(l));
	l.ids = ids;
	if (ss == NULL)
		return "(none)";
	nvmf_subsystem_foreach_ns(ss, add_ns, &l);
	return l.text;
}

static void count_host(void *arg, const char *hostnqn)
{
	(void)hostnqn;
	(*(unsigned *)arg)++;
}

static unsigned n_hosts(struct nvmf_tgt *tgt, const char *nqn)
{
	unsigned n = 0;

	nvmf_subsystem_foreach_host(nvmf_subsystem_find(tgt, nqn), count_host, &n);
	return n;
}

/* ------------------------------------------------------------------ tests */

static void test_reload_applies_the_difference(void **state)
{
	struct nvmf_tgt *tgt = start_tgt(1024);
	struct nvmf_subsystem *a = nvmf_subsystem_find(tgt, NQN_A);
	struct nvmf_subsystem_info info;

	(void)state;
	/* +ram2 in a, +c, -b, +host in a */
	assert_int_equal(reload(tgt, "[Ram]\n  Name ram0\n  Size 1M\n"
				     "[Ram]\n  Name ram2\n  Size 2M\n"
				     "[Null]\n  Name null0\n  Size 1G\n"
				     "[Subsystem1]\n  NQN " NQN_A "\n"
				     "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				     "  Host " HOST1 "\n"
				     "  Namespace ram0 1\n  Namespace ram2\n"
				     "[Subsystem3]\n  NQN " NQN_C "\n"
				     "  Listen TCP 127.0.0.1:4420\n  Namespace null0 5\n"),
			 0);
	assert_int_equal(g_errs.count, 0);
	assert_string_equal(g_res.summary, "+1 subsystem, -1 subsystem, +1 namespace, +1 host, "
					   "+2 backends, -1 backend");
	/* the same object: subsystem a was changed, not recreated */
	assert_ptr_equal(nvmf_subsystem_find(tgt, NQN_A), a);
	assert_string_equal(nss(tgt, NQN_A, false), "1:ram0,2:ram2");
	assert_int_equal(n_hosts(tgt, NQN_A), 1);
	assert_null(nvmf_subsystem_find(tgt, NQN_B));
	assert_string_equal(nss(tgt, NQN_C, false), "5:null0");
	nvmf_subsystem_get_info(nvmf_subsystem_find(tgt, NQN_C), &info);
	assert_false(info.allow_any_host);
	/* ram1 was only b's: deleted with it */
	assert_null(nvmf_backend_find(tgt, "ram1"));
	assert_non_null(nvmf_backend_find(tgt, "ram2"));

	/* the same file again: nothing to do */
	assert_int_equal(reload(tgt, "[Ram]\n  Name ram0\n  Size 1M\n"
				     "[Ram]\n  Name ram2\n  Size 2M\n"
				     "[Null]\n  Name null0\n  Size 1G\n"
				     "[Subsystem1]\n  NQN " NQN_A "\n"
				     "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				     "  Host " HOST1 "\n"
				     "  Namespace ram0 1\n  Namespace ram2\n"
				     "[Subsystem3]\n  NQN " NQN_C "\n"
				     "  Listen TCP 127.0.0.1:4420\n  Namespace null0 5\n"),
			 0);
	assert_string_equal(g_res.summary, "no change");
	assert_int_equal(g_res.changes, 0);
	nvmf_tgt_destroy(tgt);
}

static void test_reload_undoes_state_made_by_rpc(void **state)
{
	struct nvmf_tgt *tgt = start_tgt(1024);
	struct nvmf_subsystem *ss;

	(void)state;
	/* what nvmf_rpc would do: a backend, a subsystem, a namespace, a host */
	assert_int_equal(nvmf_backend_null_create(tgt, "Null0", 1 << 20, 512), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, "nqn.2016-06.io.nvmf-tgt:rpc", &ss), 0);
	assert_true(nvmf_subsystem_add_ns(nvmf_subsystem_find(tgt, NQN_A), "Null0", NULL) > 0);
	assert_int_equal(nvmf_subsystem_add_host(nvmf_subsystem_find(tgt, NQN_B), HOST1), 0);
	assert_int_equal(reload(tgt, START), 0);
	assert_string_equal(g_res.summary, "-1 subsystem, -1 namespace, -1 host, -1 backend");
	assert_null(nvmf_subsystem_find(tgt, "nqn.2016-06.io.nvmf-tgt:rpc"));
	assert_string_equal(nss(tgt, NQN_A, false), "1:ram0");
	assert_int_equal(n_hosts(tgt, NQN_B), 0);
	assert_null(nvmf_backend_find(tgt, "Null0"));
	nvmf_tgt_destroy(tgt);
}

static void test_failure_while_applying_changes_nothing(void **state)
{
	struct nvmf_tgt *tgt = start_tgt(2); /* a third subsystem is refused */
	const char *before;
	char saved[256];

	(void)state;
	before = nss(tgt, NQN_A, true);
	snprintf(saved, sizeof(saved), "%s", before);
	/* NSID 1 of a changes backend (removed first), ram9 is created, then
	 * creating c fails: all of it must be undone */
	assert_int_not_equal(reload(tgt, "[Ram]\n  Name ram0\n  Size 1M\n"
					 "[Ram]\n  Name ram1\n  Size 1M\n"
					 "[Ram]\n  Name ram9\n  Size 1M\n"
					 "[Subsystem1]\n  NQN " NQN_A "\n"
					 "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
					 "  Host " HOST1 "\n"
					 "  Namespace ram9 1\n"
					 "[Subsystem2]\n  NQN " NQN_B "\n"
					 "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
					 "  Namespace ram1\n"
					 "[Subsystem3]\n"
					 "  NQN " NQN_C "\n" /* 22 */
					 "  Namespace ram0\n"),
			     0);
	assert_int_equal(g_errs.count, 1);
	assert_non_null(strstr(g_errs.msg[0], "t.conf:22: subsystem " NQN_C ": cannot create"));
	/* namespace 1 is back with its backend and identifiers */
	assert_string_equal(nss(tgt, NQN_A, true), saved);
	assert_null(nvmf_backend_find(tgt, "ram9"));
	assert_null(nvmf_subsystem_find(tgt, NQN_C));
	assert_int_equal(n_hosts(tgt, NQN_A), 0);
	assert_string_equal(nss(tgt, NQN_B, false), "1:ram1");
	nvmf_tgt_destroy(tgt);
}

static void test_refused_by_running_state_changes_nothing(void **state)
{
	struct nvmf_tgt *tgt = start_tgt(1024);

	(void)state;
	/* an [Nvme] controller to attach: refused before anything is done */
	assert_int_equal(reload(tgt, "[Nvme]\n  Name nvme0\n  TrAddr 0000:00:04.0\n"
				     "[Ram]\n  Name ram0\n  Size 1M\n"
				     "[Subsystem1]\n  NQN " NQN_A "\n"
				     "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				     "  Namespace ram0 1\n  Namespace nvme0n1\n"),
			 -EINVAL);
	assert_non_null(strstr(g_errs.msg[0], "t.conf:3: [Nvme] nvme0:"));
	assert_non_null(nvmf_subsystem_find(tgt, NQN_B));
	assert_non_null(nvmf_backend_find(tgt, "ram1"));
	assert_string_equal(nss(tgt, NQN_A, false), "1:ram0");
	nvmf_tgt_destroy(tgt);
}

static void test_left_alone_is_noted(void **state)
{
	struct nvmf_tgt *tgt = start_tgt(1024);
	struct nvmf_subsystem_info info;

	(void)state;
	/* ram1 grows, a gets an SN: both stay as they are; b loses its namespace */
	assert_int_equal(reload(tgt, "[Ram]\n  Name ram0\n  Size 1M\n"
				     "[Ram]\n  Name ram1\n  Size 4M\n"
				     "[Subsystem1]\n  NQN " NQN_A "\n  SN CHANGED\n"
				     "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				     "  Namespace ram0 1\n"
				     "[Subsystem2]\n  NQN " NQN_B "\n"
				     "  Listen TCP 127.0.0.1:4420\n  AllowAnyHost Yes\n"
				     "  Namespace ram1\n"),
			 0);
	assert_int_equal(g_notes.count, 2);
	assert_string_equal(g_res.summary, "no change");
	nvmf_subsystem_get_info(nvmf_subsystem_find(tgt, NQN_A), &info);
	assert_string_not_equal(info.sn, "CHANGED");
	nvmf_tgt_destroy(tgt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reload_applies_the_difference),
	    cmocka_unit_test(test_reload_undoes_state_made_by_rpc),
	    cmocka_unit_test(test_failure_while_applying_changes_nothing),
	    cmocka_unit_test(test_refused_by_running_state_changes_nothing),
	    cmocka_unit_test(test_left_alone_is_noted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
