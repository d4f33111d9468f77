/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of conf_apply() (conf/apply.c) against the real target core,
 * created but never started (no threads, no sockets). Run from the top of
 * the tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf_internal.h"

static struct conf_errors g_errs;

static int load(const char *text, struct conf **c)
{
	conf_errors_init(&g_errs);
	return conf_load_buffer("t.conf", text, strlen(text), c, &g_errs);
}

static struct conf *load_ok(const char *text)
{
	struct conf *c = NULL;

	if (load(text, &c) != 0)
		conf_errors_print(&g_errs, stderr);
	assert_non_null(c);
	return c;
}

static void dump_errors(void)
{
	conf_errors_print(&g_errs, stderr);
}

/* ----------------------------------------------------------------- apply */

static int new_tgt(struct nvmf_tgt **tgt)
{
	struct nvmf_tgt_opts opts;

	nvmf_tgt_opts_init(&opts);
	return nvmf_tgt_create(&opts, tgt);
}

static void test_apply_configures_target(void **state)
{
	struct nvmf_transport_opts tcp;
	struct nvmf_tgt_opts topts;
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = NULL;

	(void)state;
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load("conf/examples/multi.conf", &c, &g_errs), 0);
	conf_tgt_opts(c, &topts);
	assert_int_equal(nvmf_tgt_create(&topts, &tgt), 0);
	if (conf_apply(c, tgt, &g_errs) != 0)
		dump_errors();
	assert_int_equal(g_errs.count, 0);
	assert_non_null(nvmf_subsystem_find(tgt, "nqn.2016-06.io.nvmf-tgt:shared"));
	assert_non_null(nvmf_subsystem_find(tgt, "nqn.2016-06.io.nvmf-tgt:restricted"));
	assert_non_null(nvmf_backend_find(tgt, "ram1"));
	assert_non_null(nvmf_backend_find(tgt, "null0"));
	/* the [Transport] was added: a second TCP transport is refused */
	nvmf_transport_opts_init(&tcp, NVMF_TRTYPE_TCP);
	assert_int_equal(nvmf_tgt_add_transport(tgt, &tcp), -EEXIST);
	nvmf_tgt_destroy(tgt);
	conf_free(c);
}

static void test_apply_implicit_tcp(void **state)
{
	struct nvmf_transport_opts tcp;
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = load_ok("[Null]\nName n\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
				 "Listen TCP 127.0.0.1:4420\nAllowAnyHost Yes\nNamespace n\n");

	(void)state;
	assert_int_equal(new_tgt(&tgt), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), 0);
	nvmf_transport_opts_init(&tcp, NVMF_TRTYPE_TCP);
	assert_int_equal(nvmf_tgt_add_transport(tgt, &tcp), -EEXIST);
	nvmf_tgt_destroy(tgt);
	conf_free(c);
}

static void test_apply_refused_rolls_back(void **state)
{
	struct nvmf_subsystem *pre;
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = load_ok("[Subsystem]\nNQN nqn.2016-06.io.a:first\n"
				 "[Subsystem]\nNQN nqn.2016-06.io.a:taken\n");

	(void)state;
	assert_int_equal(new_tgt(&tgt), 0);
	assert_int_equal(nvmf_subsystem_create(tgt, "nqn.2016-06.io.a:taken", &pre), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), -EEXIST);
	assert_int_equal(g_errs.count, 1);
	assert_string_equal(g_errs.msg[0], "t.conf:4: subsystem nqn.2016-06.io.a:taken: cannot "
					   "create: File exists");
	/* the subsystem this call created is gone again; the other one stays */
	assert_null(nvmf_subsystem_find(tgt, "nqn.2016-06.io.a:first"));
	assert_ptr_equal(nvmf_subsystem_find(tgt, "nqn.2016-06.io.a:taken"), pre);
	nvmf_tgt_destroy(tgt);
	conf_free(c);
}

static void test_apply_error_names_line(void **state)
{
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = load_ok("[Ram]\nName r\nSize 1M\n[File]\nName f\n"
				 "Path /nonexistent-dir/f.img\nSize 1M\n");

	(void)state;
	assert_int_equal(new_tgt(&tgt), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), -ENOENT);
	assert_int_equal(g_errs.count, 1);
	assert_string_equal(g_errs.msg[0], "t.conf:6: [File] f: cannot create the backend: No such "
					   "file or directory");
	nvmf_tgt_destroy(tgt);
	conf_free(c);
}

static void test_bad_file_applies_nothing(void **state)
{
	struct nvmf_tgt *tgt = NULL;
	struct conf *c = (struct conf *)1;

	(void)state;
	assert_int_equal(new_tgt(&tgt), 0);
	/* valid until the last line: nothing may reach the target */
	assert_int_equal(load("[Ram]\nName r\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
			      "Namespace r\nMaxNamespaces 0\n",
			      &c),
			 -EINVAL);
	assert_null(c);
	assert_null(nvmf_subsystem_find(tgt, "nqn.2016-06.io.a:b"));
	assert_null(nvmf_backend_find(tgt, "r"));
	nvmf_tgt_destroy(tgt);
}

/* ------------------------------------------------------- secure channel */

#define TLS_HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define TLS_KEY "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

/* Loading @text fails and its first error is @msg. */
static void load_refused(const char *text, const char *msg)
{
	struct conf *c = (struct conf *)1;

	assert_int_equal(load(text, &c), -EINVAL);
	if (g_errs.count == 0 || strcmp(g_errs.msg[0], msg) != 0)
		dump_errors();
	assert_true(g_errs.count > 0);
	assert_string_equal(g_errs.msg[0], msg);
}

static void test_secure_channel_conf(void **state)
{
	char path[] = "/tmp/apply_test_pskXXXXXX", text[1024];
	struct nvmf_tgt *tgt = NULL;
	const struct conf_subsystem *s;
	struct tls_psk tls;
	struct conf *c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, TLS_KEY "\n", strlen(TLS_KEY) + 1),
			 (ssize_t)strlen(TLS_KEY) + 1);
	close(fd);
	snprintf(text, sizeof(text),
		 "[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1:4420 secure=tls\n"
		 "Listen TCP 127.0.0.1:4421\nHost " TLS_HOST " psk=" TLS_KEY "\n"
		 "[Subsystem]\nNQN nqn.2016-06.io.a:c\nListen TCP 127.0.0.1:4421 secure=none\n"
		 "Host " TLS_HOST " psk=%s\nHost nqn.2016-06.io.a:plain\n",
		 path);
	c = load_ok(text);
	unlink(path);
	s = (const void *)c->sects[0];
	assert_int_equal(s->listens[0].addr.secure, NVMF_LISTEN_SECURE_TLS);
	assert_int_equal(s->listens[1].addr.secure, NVMF_LISTEN_SECURE_NONE);
	assert_non_null(s->hosts[0].psk);
	assert_int_equal(s->hosts[0].psk->len, 32);
	assert_null(((const struct conf_subsystem *)c->sects[1])->hosts[1].psk);
	assert_int_equal(new_tgt(&tgt), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), 0);
	/* both pairs are in the keyring, under the identity a host sends */
	assert_int_equal(tls_keyring_find(nvmf_tgt_keyring(tgt),
					  "NVMe0R01 " TLS_HOST " nqn.2016-06.io.a:b",
					  strlen("NVMe0R01 " TLS_HOST " nqn.2016-06.io.a:b"), &tls),
			 0);
	assert_int_equal(tls_keyring_find(nvmf_tgt_keyring(tgt),
					  "NVMe0R01 " TLS_HOST " nqn.2016-06.io.a:c",
					  strlen("NVMe0R01 " TLS_HOST " nqn.2016-06.io.a:c"), &tls),
			 0);
	assert_int_equal(
	    tls_keyring_find(nvmf_tgt_keyring(tgt),
			     "NVMe0R01 nqn.2016-06.io.a:plain nqn.2016-06.io.a:c",
			     strlen("NVMe0R01 nqn.2016-06.io.a:plain nqn.2016-06.io.a:c"), &tls),
	    -ENOENT);
	nvmf_tgt_destroy(tgt);
	conf_free(c);

	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " TLS_HOST
		     " psk=NVMeTLSkey-1:01:AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:\n",
		     "t.conf:3: Host: psk: CRC-32 mismatch (key damaged or mistyped)");
	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " TLS_HOST " key=x\n",
		     "t.conf:3: Host: unknown option 'key' (expected psk=, dhchap_key=, "
		     "dhchap_ctrlr_key=)");
	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " TLS_HOST " psk=/nonexistent/k\n",
		     "t.conf:3: Host: psk: cannot read key file /nonexistent/k: No such file or "
		     "directory");
	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen RDMA 127.0.0.1:4420 secure=tls\n",
		     "t.conf:3: Listen: secure=tls is for TCP listeners only");
	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1:4420 secure=dtls\n",
		     "t.conf:3: Listen: unknown option 'secure=dtls' (expected secure=tls or "
		     "secure=none)");
	load_refused("[Transport]\nType TCP\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		     "Listen TCP 127.0.0.1:4420 secure=tls\n[Subsystem]\nNQN nqn.2016-06.io.a:c\n"
		     "Listen TCP 127.0.0.1:4420\n",
		     "t.conf:8: Listen TCP 127.0.0.1:4420: secure= differs from Listen TCP "
		     "127.0.0.1:4420 secure=tls at line 5 (one address, one setting)");
}

#define DH_HOST "nqn.2016-06.io.a:dh"
#define DH_KEY "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

/* dhchap_key= takes a key file as well as a secret; the file's mode is checked. */
static void test_dhchap_key_file(void **state)
{
	char path[] = "/tmp/nvmf_conf_dh.XXXXXX", text[512];
	const char *key = NULL, *ckey = NULL;
	struct nvmf_tgt *tgt = NULL;
	struct conf *c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_true(write(fd, DH_KEY "\n", strlen(DH_KEY) + 1) == (ssize_t)strlen(DH_KEY) + 1);
	close(fd);
	snprintf(text, sizeof(text),
		 "[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " DH_HOST " dhchap_key=%s "
		 "dhchap_ctrlr_key=" DH_KEY "\n",
		 path);
	c = load_ok(text);
	assert_int_equal(new_tgt(&tgt), 0);
	assert_int_equal(conf_apply(c, tgt, &g_errs), 0);
	assert_int_equal(nvmf_subsystem_host_get_dhchap(
			     nvmf_subsystem_find(tgt, "nqn.2016-06.io.a:b"), DH_HOST, &key, &ckey),
			 0);
	assert_string_equal(key, path);
	assert_string_equal(ckey, DH_KEY);
	nvmf_tgt_destroy(tgt);
	conf_free(c);

	assert_int_equal(chmod(path, 0640), 0);
	snprintf(text, sizeof(text),
		 "[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " DH_HOST " dhchap_key=%s\n", path);
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "t.conf:3: Host: dhchap_key: key file %s: group or others have access "
			 "(chmod 0600)",
			 path);
		load_refused(text, want);
	}
	unlink(path);
	load_refused("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " DH_HOST
		     " dhchap_key=/nonexistent/k\n",
		     "t.conf:3: Host: dhchap_key: key file /nonexistent/k: No such file or "
		     "directory");
	load_refused(
	    "[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost " DH_HOST " dhchap_key=somename\n",
	    "t.conf:3: Host: dhchap_key: not a DH-HMAC-CHAP secret (DHHC-1:0X:<base64 of a "
	    "32, 48 or 64 byte secret and its CRC-32>:, as nvme gen-dhchap-key writes it) "
	    "nor the path of a key file holding one");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply_configures_target),
	    cmocka_unit_test(test_apply_implicit_tcp),
	    cmocka_unit_test(test_apply_refused_rolls_back),
	    cmocka_unit_test(test_apply_error_names_line),
	    cmocka_unit_test(test_bad_file_applies_nothing),
	    cmocka_unit_test(test_secure_channel_conf),
	    cmocka_unit_test(test_dhchap_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
