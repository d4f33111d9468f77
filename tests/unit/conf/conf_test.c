/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the conf reader (conf/): parsing, every class of error with
 * its file:line, and the examples in conf/examples/ (conf_apply() has
 * apply_test.c). Run from the top of the tree.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf_internal.h"

static struct conf_errors g_errs;

/* Load @text as "t.conf". */
static int load_as(const char *name, const char *text, struct conf **c)
{
	conf_errors_init(&g_errs);
	return conf_load_buffer(name, text, strlen(text), c, &g_errs);
}

static int load(const char *text, struct conf **c)
{
	return load_as("t.conf", text, c);
}

static bool has_error(const char *msg)
{
	for (unsigned i = 0; i < g_errs.count && i < CONF_ERRORS_MAX; i++) {
		if (strcmp(g_errs.msg[i], msg) == 0)
			return true;
	}
	return false;
}

static void dump_errors(void)
{
	conf_errors_print(&g_errs, stderr);
}

/* Require that loading @text fails with exactly the message @msg among its errors. */
static void expect_error(const char *text, const char *msg)
{
	struct conf *c = (struct conf *)1;

	assert_int_equal(load(text, &c), -EINVAL);
	assert_null(c);
	if (!has_error(msg)) {
		fprintf(stderr, "expected: %s\ngot:\n", msg);
		dump_errors();
	}
	assert_true(has_error(msg));
}

static struct conf *load_ok(const char *text)
{
	struct conf *c = NULL;

	if (load(text, &c) != 0)
		dump_errors();
	assert_non_null(c);
	assert_int_equal(g_errs.count, 0);
	return c;
}

static const struct conf_section *nth(const struct conf *c, enum conf_sect_type t, unsigned n)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		if (c->sects[i]->type == t && n-- == 0)
			return c->sects[i];
	}
	return NULL;
}

#define SUBSYS(c, n) ((const struct conf_subsystem *)nth(c, CONF_SECT_SUBSYSTEM, n))
#define BACKEND(c, t, n) ((const struct conf_backend *)nth(c, t, n))
#define TRANSPORT(c, n) ((const struct conf_transport *)nth(c, CONF_SECT_TRANSPORT, n))

static const char issue_example[] = "[Global]\n"
				    "  ReactorMask 0x3\n"
				    "  LogLevel info\n"
				    "[Transport]\n"
				    "  Type TCP\n"
				    "  MaxQueueDepth 128\n"
				    "  MaxQueuesPerSession 8\n"
				    "  InCapsuleDataSize 8192\n"
				    "  MaxIOSize 1048576\n"
				    "  IOUnitSize 131072\n"
				    "[Ram]\n"
				    "  Name ram0\n"
				    "  Size 256M\n"
				    "  BlockSize 512\n"
				    "[File]\n"
				    "  Name file0\n"
				    "  Path /tmp/file0.img\n"
				    "  Size 256M\n"
				    "  BlockSize 4096\n"
				    "[Subsystem]\n"
				    "  NQN nqn.2016-06.io.nvmf-tgt:ram0\n"
				    "  SN NVMFTGT0001\n"
				    "  MN nvmf-tgt RAM\n"
				    "  Listen TCP 127.0.0.1:4420\n"
				    "  AllowAnyHost Yes\n"
				    "  Namespace ram0 1\n"
				    "[Subsystem]\n"
				    "  NQN nqn.2016-06.io.nvmf-tgt:file0\n"
				    "  SN NVMFTGT0002\n"
				    "  MN nvmf-tgt File\n"
				    "  Listen TCP 127.0.0.1:4420\n"
				    "  AllowAnyHost No\n"
				    "  Host nqn.2014-08.org.nvmexpress:uuid:"
				    "11111111-2222-3333-4444-555555555555\n"
				    "  Namespace file0 1\n";

/* ---------------------------------------------------------------- loading */

static void test_issue_example_loads(void **state)
{
	struct conf *c = load_ok(issue_example);
	const struct conf_transport *t = TRANSPORT(c, 0);
	const struct conf_subsystem *s1 = SUBSYS(c, 1);
	enum log_level level;
	struct nvmf_transport_opts o;

	(void)state;
	assert_string_equal(conf_core_mask(c), "0x3");
	assert_int_equal(conf_log_level(c, &level), 0);
	assert_int_equal(level, LOG_LEVEL_INFO);
	conf_transport_opts(t, &o);
	assert_int_equal(o.trtype, NVMF_TRTYPE_TCP);
	assert_int_equal(o.max_queue_depth, 128);
	assert_int_equal(o.max_qpairs_per_ctrlr, 8);
	assert_int_equal(o.in_capsule_data_size, 8192);
	assert_int_equal(o.max_io_size, 1048576);
	assert_int_equal(o.io_unit_size, 131072);
	assert_int_equal(BACKEND(c, CONF_SECT_RAM, 0)->size, 256ull << 20);
	assert_int_equal(BACKEND(c, CONF_SECT_FILE, 0)->block_size, 4096);
	assert_string_equal(BACKEND(c, CONF_SECT_FILE, 0)->path, "/tmp/file0.img");
	assert_string_equal(SUBSYS(c, 0)->mn, "nvmf-tgt RAM");
	assert_true(SUBSYS(c, 0)->allow_any_host);
	assert_false(s1->allow_any_host);
	assert_int_equal(s1->n_hosts, 1);
	assert_int_equal(s1->n_nss, 1);
	assert_string_equal(s1->nss[0].backend, "file0");
	assert_int_equal(s1->nss[0].nsid, 1);
	assert_int_equal(s1->listens[0].line, 31);
	assert_string_equal(s1->listens[0].addr.traddr, "127.0.0.1");
	assert_string_equal(s1->listens[0].addr.trsvcid, "4420");
	assert_false(s1->admin_passthru); /* off by default */
	conf_free(c);
}

static void test_admin_passthru(void **state)
{
	struct conf *c = load_ok("[Subsystem]\n  NQN nqn.2016-06.io.nvmf-tgt:a\n"
				 "  AdminPassthru Yes\n");

	(void)state;
	assert_true(SUBSYS(c, 0)->admin_passthru);
	conf_free(c);
}

/* Every .conf in conf/examples/ loads and passes conf_check_paths(): new ones are covered. */
static void test_examples_load(void **state)
{
	glob_t g;

	(void)state;
	assert_int_equal(glob("conf/examples/*.conf", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 7);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct conf *c = NULL;

		conf_errors_init(&g_errs);
		if (conf_load(g.gl_pathv[i], &c, &g_errs) != 0 || conf_check_paths(c, &g_errs) != 0)
			dump_errors();
		assert_int_equal(g_errs.count, 0);
		assert_non_null(c);
		assert_non_null(SUBSYS(c, 0));
		conf_free(c);
	}
	globfree(&g);
}

static void test_ram_example_content(void **state)
{
	const struct conf_backend *b;
	const struct conf_subsystem *s;
	struct conf *c = NULL;

	(void)state;
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load("conf/examples/ram.conf", &c, &g_errs), 0);
	b = BACKEND(c, CONF_SECT_RAM, 0);
	s = SUBSYS(c, 0);
	assert_string_equal(b->name, "ram0");
	assert_int_equal(b->size, 1ull << 30);
	assert_int_equal(b->block_size, 512);
	assert_string_equal(s->nqn, "nqn.2016-06.io.nvmf-tgt:ram0");
	assert_string_equal(s->mn, "nvmf-tgt RAM");
	assert_true(s->allow_any_host);
	assert_int_equal(s->n_listens, 1);
	assert_int_equal(s->listens[0].addr.trtype, NVMF_TRTYPE_TCP);
	assert_string_equal(s->listens[0].addr.traddr, "127.0.0.1");
	assert_string_equal(s->listens[0].addr.trsvcid, "4420");
	assert_null(SUBSYS(c, 1));
	conf_free(c);
}

static void test_multi_example_content(void **state)
{
	const struct conf_subsystem *s;
	struct conf *c = NULL;

	(void)state;
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load("conf/examples/multi.conf", &c, &g_errs), 0);
	s = SUBSYS(c, 1);
	assert_string_equal(s->hdr.title, "[Subsystem2]");
	assert_false(s->allow_any_host);
	assert_int_equal(s->n_hosts, 2);
	assert_int_equal(s->n_listens, 2);
	assert_true(s->nss[0].has_uuid);
	assert_int_equal(s->nss[0].uuid[0], 0x6b);
	assert_int_equal(s->nss[0].uuid[15], 0x5b);
	conf_free(c);
}

static void test_missing_file(void **state)
{
	struct conf *c = (struct conf *)1;

	(void)state;
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load("/nonexistent/x.conf", &c, &g_errs), -ENOENT);
	assert_null(c);
	assert_int_equal(g_errs.count, 1);
	assert_string_equal(
	    g_errs.msg[0],
	    "/nonexistent/x.conf: cannot open the conf file: No such file or directory");
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load("conf/examples", &c, &g_errs), -EISDIR);
	assert_int_equal(g_errs.count, 1);
}

/* ---------------------------------------------------------------- syntax */

static void test_comments_blank_indent(void **state)
{
	struct conf *c =
	    load_ok("# whole-line comment\n"
		    "\n"
		    "   [ram]   # after a header\n"
		    "\tname r0   # trailing\n"
		    "\t   SIZE 1M\t# after a tab\n"
		    "      \n"
		    "  #   indented comment\n"
		    "[File]\nName f\nPath /var/tmp/a#b  # '#' inside a word is kept\n");
	const struct conf_backend *b = BACKEND(c, CONF_SECT_RAM, 0);

	(void)state;
	assert_string_equal(b->name, "r0");
	assert_string_equal(BACKEND(c, CONF_SECT_FILE, 0)->path, "/var/tmp/a#b");
	assert_int_equal(b->size, 1 << 20);
	assert_int_equal(b->block_size, 512); /* the default */
	conf_free(c);
}

static void test_crlf(void **state)
{
	struct conf *c = load_ok("[Ram]\r\nName ram0\r\nSize 4K\r\n\r\n[Subsystem]\r\n"
				 "NQN nqn.2016-06.io.a:b\r\nMN model x\r\nNamespace ram0\r\n");

	(void)state;
	assert_string_equal(SUBSYS(c, 0)->mn, "model x");
	assert_string_equal(SUBSYS(c, 0)->nss[0].backend, "ram0");
	assert_int_equal(SUBSYS(c, 0)->nss[0].nsid, 0);
	conf_free(c);
	/* an error line number counts CRLF lines right */
	expect_error("[Ram]\r\nName a\r\nSize 1X\r\n",
		     "t.conf:3: Size: expected a size such as 4096, 64K, 256M or 1G, got '1X'");
}

static void test_subsystem_numbered_sections(void **state)
{
	struct conf *c = load_ok("[Subsystem1]\nNQN nqn.2016-06.io.a:one\n"
				 "[subsystem22]\nNQN nqn.2016-06.io.a:two\n"
				 "[SUBSYSTEM]\nNQN nqn.2016-06.io.a:three\n");

	(void)state;
	assert_string_equal(SUBSYS(c, 0)->hdr.title, "[Subsystem1]");
	assert_string_equal(SUBSYS(c, 2)->nqn, "nqn.2016-06.io.a:three");
	conf_free(c);
	expect_error("[Subsystem1a]\nNQN nqn.2016-06.io.a:one\n",
		     "t.conf:1: unknown section [Subsystem1a] (did you mean [Subsystem]?)");
}

static void test_long_line_and_nul(void **state)
{
	char *text = malloc(2100);
	struct conf *c;

	(void)state;
	strcpy(text, "[Ram]\nName ");
	memset(text + 11, 'a', 2000);
	strcpy(text + 2011, "\n");
	expect_error(text, "t.conf:2: line is too long (2005 characters, at most 1023)");
	free(text);
	conf_errors_init(&g_errs);
	assert_int_equal(conf_load_buffer("t.conf", "[Ram]\nNa\0me x\n", 14, &c, &g_errs), -EINVAL);
	assert_true(has_error("t.conf:2: line contains a NUL byte (is this a text file?)"));
}

static void test_outside_section_and_bad_header(void **state)
{
	(void)state;
	expect_error("Name ram0\n",
		     "t.conf:1: 'Name ram0' is outside of any section (put a [Section] header "
		     "above it)");
	expect_error("[Ram\n", "t.conf:1: section header '[Ram' has no closing ']'");
	expect_error("[Ram]\nName\n", "t.conf:2: key 'Name' in [Ram] needs a value");
}

/* ---------------------------------------------------------------- values */

static void test_sizes(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
	    {"0", 0},
	    {"512", 512},
	    {"4K", 4096},
	    {"4k", 4096},
	    {"64KiB", 65536},
	    {"1kb", 1024},
	    {"256M", 256 << 20},
	    {"1G", 1ull << 30},
	    {"2T", 2ull << 40},
	    {"0x1000", 4096},
	    {"16777215T", 16777215ull << 40},
	};
	static const char *const bad[] = {
	    "", "K", "1Q", "-1", "1.5G", "1 G", "1GG", "99999999999999999999", "16777216T", "G1"};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(conf_parse_size(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(conf_parse_size(bad[i], &v), -EINVAL);
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"Yes", "yes", "TRUE", "True", "1", "On"};
	static const char *const no[] = {"No", "NO", "false", "False", "0", "off"};
	static const char *const bad[] = {"maybe", "2", "", "y", "yess"};
	bool b;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		b = false;
		assert_int_equal(conf_parse_bool(yes[i], &b), 0);
		assert_true(b);
		assert_int_equal(conf_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(conf_parse_bool(bad[i], &b), -EINVAL);
}

static void test_bad_value_messages(void **state)
{
	(void)state;
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nAllowAnyHost maybe\n",
		     "t.conf:3: AllowAnyHost: expected Yes or No (or True/False, On/Off, 1/0), "
		     "got 'maybe'");
	expect_error("[Transport]\nType TCP\nMaxQueueDepth 1\n",
		     "t.conf:3: MaxQueueDepth: expected an integer from 2 to 65536, got '1'");
	expect_error("[Transport]\nType TCP\nMaxQueueDepth 12x\n",
		     "t.conf:3: MaxQueueDepth: expected an integer from 2 to 65536, got '12x'");
	expect_error("[Ram]\nName a\nSize 1M\nBlockSize 1024\n",
		     "t.conf:4: BlockSize: expected one of 512, 4096, got '1024'");
	expect_error("[Global]\nLogLevel loud\n",
		     "t.conf:2: LogLevel: expected one of error, warn, notice, info, debug, got "
		     "'loud'");
	expect_error("[Ram]\nName a\nSize 0\n",
		     "t.conf:3: Size: 0 is out of range: expected 1 to 18446744073709551615 bytes");
	expect_error("[Transport]\nType FC\n",
		     "t.conf:2: Type: unknown transport 'FC' (expected TCP or RDMA)");
	expect_error("[Global]\nReactorMask 3\n",
		     "t.conf:2: ReactorMask: expected a hex core mask such as 0x3, got '3'");
	expect_error("[Global]\nReactorMask 0x0\n", "t.conf:2: ReactorMask: '0x0' selects no core");
	expect_error("[Global]\nCores 0-1,x\n",
		     "t.conf:2: CoreList: expected a core list such as 0-1 or 0,2-3 (cores below "
		     "1024), got '0-1,x'");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nSN 123456789012345678901\n",
		     "t.conf:3: SN: '123456789012345678901' is 21 characters long, at most 20 "
		     "allowed");
	expect_error("[Ram]\nName a b\nSize 1M\n",
		     "t.conf:2: Name: 'a b' is not a valid name: use letters, digits, '_', '-', "
		     "'.' or ':', at most 63 characters");
}

static void test_listen_and_namespace_values(void **state)
{
	struct conf *c = load_ok("[Ram]\nName r\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
				 "Listen tcp [::1]:4420\nListen TCP 127.0.0.1:4421\n"
				 "Namespace r 7 6b1e3d2a-4c5f-4e70-9a8b-0c1d2e3f4a5b\n");
	const struct conf_subsystem *s = SUBSYS(c, 0);

	(void)state;
	assert_int_equal(s->listens[0].addr.adrfam, NVMF_ADRFAM_IPV6);
	assert_string_equal(s->listens[0].addr.traddr, "::1");
	assert_int_equal(s->listens[0].line, 6);
	assert_string_equal(s->listens[1].addr.trsvcid, "4421");
	assert_int_equal(s->nss[0].nsid, 7);
	assert_true(s->nss[0].has_uuid);
	assert_false(s->nss[0].has_nguid);
	conf_free(c);
	c = load_ok("[Ram]\nName r\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		    "Namespace r 00112233445566778899AABBCCDDEEFF 2\n");
	s = SUBSYS(c, 0);
	assert_int_equal(s->nss[0].nsid, 2);
	assert_false(s->nss[0].has_uuid);
	assert_true(s->nss[0].has_nguid);
	assert_int_equal(s->nss[0].nguid[0], 0x00);
	assert_int_equal(s->nss[0].nguid[15], 0xff);
	conf_free(c);
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1\n",
		     "t.conf:3: Listen: bad address '127.0.0.1': expected address:port such as "
		     "127.0.0.1:4420 or [::1]:4420");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen 127.0.0.1:4420\n",
		     "t.conf:3: Listen: expected a transport and address:port such as 'TCP "
		     "127.0.0.1:4420' or 'TCP [::1]:4420', got '127.0.0.1:4420'");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r 0\n",
		     "t.conf:3: Namespace: bad NSID '0' (expected one integer from 1 to 1024)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r 1 2 3 4 5\n",
		     "t.conf:3: Namespace: expected '<backend name> [nsid] [uuid] [nguid] "
		     "[anagrpid=N]', got 'r 1 2 3 4 5'");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r 1 anagrpid=33\n",
		     "t.conf:3: Namespace: bad 'anagrpid=33' (expected anagrpid=N once, N from 1 "
		     "to 32)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1:4420 ana=fast\n",
		     "t.conf:3: Listen: bad ANA state 'fast' (expected optimized, non-optimized, "
		     "inaccessible, persistent-loss or change)");
	expect_error(
	    "[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1:4420 ana.0=change\n",
	    "t.conf:3: Listen: unknown option 'ana.0=change' (expected secure=tls, secure=none, "
	    "ana=STATE or ana.N=STATE, N from 1 to 32)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r 1 2\n",
		     "t.conf:3: Namespace: bad NSID '2' (expected one integer from 1 to 1024)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r "
		     "00112233445566778899aabbccddeefg\n",
		     "t.conf:3: Namespace: bad NGUID '00112233445566778899aabbccddeefg' (expected "
		     "32 hex digits, given once)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace r 1 6b1e3d2a-zz\n",
		     "t.conf:3: Namespace: bad UUID '6b1e3d2a-zz' (expected "
		     "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, given once)");
}

/* --------------------------------------------------------- names, checks */

static void test_unknown_key_suggestion(void **state)
{
	struct conf *c;

	(void)state;
	/* the message of the issue, at line 12 of ram.conf */
	assert_int_equal(load_as("ram.conf",
				 "[Ram]\n  Name ram0\n  Size 1G\n\n\n\n\n\n\n[Subsystem]\n"
				 "  NQN nqn.2016-06.io.nvmf-tgt:ram0\n  Listn TCP 127.0.0.1:4420\n",
				 &c),
			 -EINVAL);
	assert_int_equal(g_errs.count, 1);
	assert_string_equal(
	    g_errs.msg[0],
	    "ram.conf:12: unknown key 'Listn' in [Subsystem] (did you mean 'Listen'?)");
	expect_error("[Ram]\nNmae x\n",
		     "t.conf:2: unknown key 'Nmae' in [Ram] (did you mean 'Name'?)");
	expect_error("[Ram]\nColour x\n", "t.conf:2: unknown key 'Colour' in [Ram]");
	/* a key of another section is unknown here */
	expect_error("[Ram]\nPath /x\n", "t.conf:2: unknown key 'Path' in [Ram]");
}

static void test_unknown_section_suggestion(void **state)
{
	(void)state;
	expect_error("[Subsytem]\nNQN x\n",
		     "t.conf:1: unknown section [Subsytem] (did you mean [Subsystem]?)");
	assert_int_equal(g_errs.count, 1); /* its keys are not reported too */
	expect_error("[Malloc]\n", "t.conf:1: unknown section [Malloc] (did you mean [Ram]?)");
	expect_error("[Zebra]\n", "t.conf:1: unknown section [Zebra] (known: Global, Transport, "
				  "Ram, Null, File, Nvme, Subsystem)");
}

static void test_missing_required(void **state)
{
	(void)state;
	expect_error("[Global]\n\n[Ram]\n  Size 1M\n",
		     "t.conf:3: [Ram] is missing required key 'Name'");
	expect_error("[File]\nName f\n", "t.conf:1: [File] is missing required key 'Path'");
	expect_error("[Subsystem3]\nMN x\n",
		     "t.conf:1: [Subsystem3] is missing required key 'NQN'");
	expect_error("[Transport]\nMaxQueueDepth 64\n",
		     "t.conf:1: [Transport] is missing required key 'Type'");
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_error("[Ram]\nName a\nSize 1M\n[Null]\nName a\nSize 1M\n",
		     "t.conf:5: duplicate backend name 'a' (first defined at line 2)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n",
		     "t.conf:4: duplicate subsystem NQN 'nqn.2016-06.io.a:b' (first at line 2)");
	expect_error("[Ram]\nName a\nSize 1M\nSize 2M\n",
		     "t.conf:4: duplicate key 'Size' in [Ram] (first given at line 3)");
	expect_error("[Global]\n[Global]\n",
		     "t.conf:2: duplicate section [Global] (first at line 1)");
	expect_error("[Transport]\nType TCP\n[Transport]\nType tcp\n",
		     "t.conf:4: a [Transport] of this Type is already defined at line 2");
	expect_error("[Global]\nCoreList 0-1\nReactorMask 0x3\n",
		     "t.conf:2: CoreList conflicts with ReactorMask at line 3; give only one");
	expect_error("[Global]\nCores 0\nCoreList 1\n",
		     "t.conf:3: duplicate key 'CoreList' in [Global] (first given at line 2)");
}

static void test_invalid_nqn(void **state)
{
	(void)state;
	expect_error("[Subsystem]\nNQN foo\n",
		     "t.conf:2: NQN: 'foo' is not a valid NQN: must start with 'nqn.'");
	expect_error("[Subsystem]\nNQN nqn.16-06.io.a:b\n",
		     "t.conf:2: NQN: 'nqn.16-06.io.a:b' is not a valid NQN: expected a date "
		     "'yyyy-mm.' after 'nqn.' (nqn.2016-06.com.example:name)");
	expect_error(
	    "[Subsystem]\nNQN nqn.2016-13.io.a:b\n",
	    "t.conf:2: NQN: 'nqn.2016-13.io.a:b' is not a valid NQN: the month of the date "
	    "must be 01 to 12");
	expect_error("[Subsystem]\nNQN nqn.2014-08.org.nvmexpress.discovery\n",
		     "t.conf:2: NQN: 'nqn.2014-08.org.nvmexpress.discovery' is the discovery "
		     "service's NQN; choose another");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost nqn.2014-08.org.nvmexpress:uuid:"
		     "1234\n",
		     "t.conf:3: Host: 'nqn.2014-08.org.nvmexpress:uuid:1234' is not a valid NQN: "
		     "expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) after ':uuid:'");
}

static void test_references(void **state)
{
	(void)state;
	expect_error("[Ram]\nName ram0\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		     "Namespace rma0\n",
		     "t.conf:6: Namespace: no backend named 'rma0' (did you mean 'ram0'?)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nNamespace disk\n",
		     "t.conf:3: Namespace: no backend named 'disk' (define it in a [Ram], [Null] "
		     "or [File] section)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen RDMA 10.0.0.1:4420\n",
		     "t.conf:3: Listen RDMA 10.0.0.1:4420: no [Transport] section of this Type");
	expect_error("[Ram]\nName r\nSize 1M\n[Ram]\nName s\nSize 1M\n[Subsystem]\n"
		     "NQN nqn.2016-06.io.a:b\nNamespace r 1\nNamespace s 1\n",
		     "t.conf:10: Namespace: NSID 1 is already used at line 9");
	expect_error("[Ram]\nName r\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		     "Namespace r\nNamespace r\n",
		     "t.conf:7: Namespace: backend 'r' is already a namespace of this subsystem at "
		     "line 6");
	expect_error("[Ram]\nName r\nSize 1M\n[Subsystem]\nNQN nqn.2016-06.io.a:b\n"
		     "MaxNamespaces 4\nNamespace r 5\n",
		     "t.conf:7: Namespace: NSID 5 is over MaxNamespaces 4");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nListen TCP 127.0.0.1:4420\n"
		     "Listen tcp 127.0.0.1:4420\n",
		     "t.conf:4: duplicate Listen tcp 127.0.0.1:4420 (first at line 3)");
	expect_error("[Subsystem]\nNQN nqn.2016-06.io.a:b\nHost nqn.2016-06.io.h:1\n"
		     "Host nqn.2016-06.io.h:1\n",
		     "t.conf:4: duplicate Host 'nqn.2016-06.io.h:1' (first at line 3)");
	expect_error("[Ram]\nName r\nSize 1000\n",
		     "t.conf:3: Size 1000 is not a multiple of BlockSize 512");
	expect_error(
	    "[Transport]\nType TCP\nMaxIOSize 1M\nIOUnitSize 4K\n",
	    "t.conf:3: MaxIOSize 1048576 needs 256 buffers of IOUnitSize 4096; at most 32: "
	    "raise IOUnitSize");
}

static void test_repeatable_keys(void **state)
{
	struct conf *c = load_ok("[Ram]\nName r\nSize 1M\n[Null]\nName n\nSize 1G\n[Subsystem]\n"
				 "NQN nqn.2016-06.io.a:b\n"
				 "Host nqn.2016-06.io.h:1\nHost nqn.2016-06.io.h:2\n"
				 "Host nqn.2016-06.io.h:3\n"
				 "Listen TCP 127.0.0.1:4420\nListen TCP 127.0.0.1:4421\n"
				 "Namespace r\nNamespace n 9\n");
	const struct conf_subsystem *s = SUBSYS(c, 0);

	(void)state;
	assert_int_equal(s->n_hosts, 3);
	assert_string_equal(s->hosts[2].nqn, "nqn.2016-06.io.h:3");
	assert_int_equal(s->hosts[2].line, 11);
	assert_int_equal(s->n_listens, 2);
	assert_int_equal(s->n_nss, 2);
	assert_int_equal(s->nss[1].nsid, 9);
	conf_free(c);
}

static void test_multiple_errors_all_reported(void **state)
{
	struct conf *c;

	(void)state;
	assert_int_equal(load("[Ram]\nName r\nSize 1Q\nBlockSiz 512\n[Bogus]\nx y\n"
			      "[Subsystem]\nNQN bad\nNamespace qqq\n",
			      &c),
			 -EINVAL);
	assert_int_equal(g_errs.count, 5);
	assert_true(
	    has_error("t.conf:3: Size: expected a size such as 4096, 64K, 256M or 1G, got '1Q'"));
	assert_true(has_error("t.conf:4: unknown key 'BlockSiz' in [Ram] (did you mean "
			      "'BlockSize'?)"));
	assert_true(has_error("t.conf:5: unknown section [Bogus] (known: Global, Transport, Ram, "
			      "Null, File, Nvme, Subsystem)"));
	assert_true(has_error("t.conf:8: NQN: 'bad' is not a valid NQN: must start with 'nqn.'"));
	assert_true(has_error("t.conf:9: Namespace: no backend named 'qqq' (define it in a [Ram], "
			      "[Null] or [File] section)"));
}

static void test_error_cap(void **state)
{
	size_t len = 0;
	char *text = malloc(100 * 16 + 16), *out = NULL;
	size_t pos = (size_t)sprintf(text, "[Ram]\n");
	struct conf *c;
	FILE *f;

	(void)state;
	for (int i = 0; i < 100; i++)
		pos += (size_t)sprintf(text + pos, "Bad%d x\n", i);
	assert_int_equal(load(text, &c), -EINVAL);
	free(text);
	assert_int_equal(g_errs.count, 102); /* 100 unknown keys, no Name, no Size */
	f = open_memstream(&out, &len);
	conf_errors_print(&g_errs, f);
	fclose(f);
	assert_non_null(strstr(out, "t.conf:2: unknown key 'Bad0' in [Ram]\n"));
	assert_null(strstr(out, "'Bad40'"));
	assert_non_null(strstr(out, "(70 more errors not shown)\n"));
	free(out);
}

/* --------------------------------------------------------------- helpers */

static void test_edit_distance(void **state)
{
	const char *const cands[] = {"Listen", "Host", "Namespace"};

	(void)state;
	assert_int_equal(conf_edit_distance("Listn", "Listen"), 1);
	assert_int_equal(conf_edit_distance("LISTEN", "listen"), 0);
	assert_int_equal(conf_edit_distance("Lsiten", "Listen"), 1); /* transposition */
	assert_int_equal(conf_edit_distance("", "abc"), 3);
	assert_string_equal(conf_suggest("Namspace", cands, 3, sizeof(char *)), "Namespace");
	assert_null(conf_suggest("Zzzzzz", cands, 3, sizeof(char *)));
}

static void test_global_accessors(void **state)
{
	struct nvmf_tgt_opts opts, defaults;
	enum log_level level;
	struct conf *c = load_ok("[Global]\nCores 0-1\nIdleSleep Yes\nIdleSleepUs 250\n");

	(void)state;
	assert_string_equal(conf_core_mask(c), "0-1");
	assert_int_equal(conf_log_level(c, &level), -ENOENT);
	conf_tgt_opts(c, &opts);
	assert_true(opts.idle_sleep);
	assert_int_equal(opts.idle_us, 250);
	conf_free(c);
	c = load_ok("# empty\n");
	assert_null(conf_core_mask(c));
	conf_tgt_opts(c, &opts);
	nvmf_tgt_opts_init(&defaults);
	assert_int_equal(opts.max_subsystems, defaults.max_subsystems);
	assert_int_equal(opts.idle_sleep, defaults.idle_sleep);
	conf_free(c);
}

static void test_transport_defaults_overlay(void **state)
{
	struct nvmf_transport_opts o, d;
	struct conf *c = load_ok("[Transport]\nType TCP\nMaxQueueDepth 64\nDataDigest No\n");

	(void)state;
	conf_transport_opts(TRANSPORT(c, 0), &o);
	nvmf_transport_opts_init(&d, NVMF_TRTYPE_TCP);
	assert_int_equal(o.max_queue_depth, 64);
	assert_false(o.ddgst_allowed);
	assert_int_equal(o.hdgst_allowed, d.hdgst_allowed);
	assert_int_equal(o.max_io_size, d.max_io_size);
	assert_int_equal(o.io_unit_size, d.io_unit_size);
	assert_int_equal(o.num_shared_buffers, d.num_shared_buffers);
	conf_free(c);
}

/* Mutated copies of a valid file: every result is 0 or -EINVAL, never a crash or leak. */
static void test_mutations_are_safe(void **state)
{
	static const char alphabet[] = "[]#: \t\r\n0xK-=aZ\\\"";
	size_t len = sizeof(issue_example) - 1;
	char *buf = malloc(len);
	uint32_t seed = 12345;
	unsigned ok = 0;

	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		struct conf *c = NULL;
		int rc;

		memcpy(buf, issue_example, len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		conf_errors_init(&g_errs);
		rc = conf_load_buffer("m.conf", buf, len, &c, &g_errs);
		assert_true(rc == 0 || rc == -EINVAL);
		assert_true((rc == 0) == (c != NULL));
		ok += rc == 0;
		conf_free(c);
	}
	assert_true(ok > 0 && ok < 3000); /* some mutations are harmless, most are not */
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_issue_example_loads),
	    cmocka_unit_test(test_admin_passthru),
	    cmocka_unit_test(test_examples_load),
	    cmocka_unit_test(test_ram_example_content),
	    cmocka_unit_test(test_multi_example_content),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_comments_blank_indent),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_subsystem_numbered_sections),
	    cmocka_unit_test(test_long_line_and_nul),
	    cmocka_unit_test(test_outside_section_and_bad_header),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_bools),
	    cmocka_unit_test(test_bad_value_messages),
	    cmocka_unit_test(test_listen_and_namespace_values),
	    cmocka_unit_test(test_unknown_key_suggestion),
	    cmocka_unit_test(test_unknown_section_suggestion),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_invalid_nqn),
	    cmocka_unit_test(test_references),
	    cmocka_unit_test(test_repeatable_keys),
	    cmocka_unit_test(test_multiple_errors_all_reported),
	    cmocka_unit_test(test_error_cap),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_global_accessors),
	    cmocka_unit_test(test_transport_defaults_overlay),
	    cmocka_unit_test(test_mutations_are_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
