/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_psk_test.c - NVMe/TCP secure channel keys: interchange format,
 * retained PSK, identities of version 0 and 1, TLS PSK, and the keyring.
 *
 * Known answers: configured PSKs 00 01 .. 1f (SHA-256) and 00 01 .. 2f
 * (SHA-384), host NQN HOST, subsystem NQN SUB below. The retained PSKs,
 * digests and TLS PSKs were computed independently with Python's hashlib
 * and hmac modules, in both forms of HKDF-Expand-Label: RFC 8446's, as the
 * NVMe/TCP transport specification writes it (RET256, TLS256, ... with
 * TLS_PSK_KDF_RFC8446), and the one nvme-cli 2.x (libnvme 1.x) uses for
 * the keys it inserts into the Linux host's keyring (CLI_*: info = 16-bit
 * length little-endian, "tls13 ", label, context, no length bytes), as its
 * source's comments and the libnvme issue tracker (#870, #1051: "compat"
 * derivation) describe it. The
 * interchange strings and their CRC-32 (91267e8a, 05202171) are what
 * nvme-cli 2.3's `nvme check-tls-key` accepts and prints; NVMECLI_KEY was
 * printed by its `nvme gen-tls-key -m 1` (CRC b8a6255f by check-tls-key).
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

#include "util_tls_psk.h"

#define HOST "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define SUB "nqn.2016-06.io.nvmf-tgt:tls0"
#define KEY256 "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define KEY384                                                                                     \
	"NVMeTLSkey-1:02:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vcSEgBQ==" \
	":"
#define NVMECLI_KEY "NVMeTLSkey-1:01:Ux2X2E1Yi9ODPvFnx0jJdFg6i6UmJfNA2GqvagRAqx5fJaa4:"

#define RET256 "528bdd057636a22352e20f7203eb3450998ca16c98efc27315eea7d0c52ac634"
#define DIG256 "WcJiV3qBEL7NuC81VfV31Jb2o/aKTKDmn6gqiwi72wM="
#define TLS256 "608e7a4c9f1e05c3db987bbc9cb79fe123045a54fcbace6d5a1ad83d2c888bcd"
/* Version 0: HKDF-Expand-Label(HKDF-Extract(0, retained), "nvme-tls-psk", identity). */
#define TLS0_256 "34def7c682cac00901df1904129f01e7bce7f5d5bdc66530a84208a148605c81"
#define TLS0_384                                                                                   \
	"1187d00e10d0feb9a17cb2276498e9d13bd2ce67d5f10ced5e72391371e36386e20d66a50cf2f240a4c33990" \
	"6f571645"
#define RET384                                                                                     \
	"44e3b298865849dc527050157fed9f74bc313fc9cea88c0185e70c32eb43c228eacab9880ede3946a9cdb826" \
	"54e0"                                                                                     \
	"15ec"
#define DIG384 "YvL/nE/eWdEGM5Rlx4ITyWtkXLClwaEvm6eHKEFAbhBgMw47nAKKMZ/Z780StH6f"
#define TLS384                                                                                     \
	"9c81e76e81998603bbfd75a4026caf6d772d6806b310e40d55eab37e7ce3f6f599629a95e83be3c1ace44f16" \
	"e89c"                                                                                     \
	"78c6"

/* The nvme-cli form (the default). */
#define CLI_RET256 "12b69334b1fe99295ace3dbbe075c3f8c6b6b74b903f37a9d50c45c8728c5049"
#define CLI_TLS0_256 "1881ecb4103c0fd83b38384820c600871f37bc890cf16bd432538b8fd71ea74c"
#define CLI_DIG256 "2aE9Qc7Ej+sKEt4ty2p/VnTMvKS3ODhOOrQaprqNC1U="
#define CLI_TLS1_256 "ce163699c542d705120eed8251d8a1a95ed1224b8d2e8b410d66c71ba9f65cf1"
#define CLI_RET384                                                                                 \
	"9a99abc6d0909643511287443078774ac64fed1824801b433fb60297e5e7a6fdd7cbd0625e22e856ac189860" \
	"acdbaaa8"
#define CLI_TLS0_384                                                                               \
	"9a9b83dc66f4a6106a4e093e17d1e6250828f76b23d7df7fc3d07427ec3f91500f88925baee14ebd2e79b0d3" \
	"0887cf4a"
/* KEY256's bytes with hash indicator 00: used as the retained PSK as is. */
#define KEY00 "NVMeTLSkey-1:00:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"

static void hex_of(const struct tls_psk *k, char *out)
{
	for (unsigned i = 0; i < k->len; i++)
		sprintf(out + 2 * i, "%02x", k->key[i]);
}

static void assert_key(const struct tls_psk *k, const char *hex)
{
	char buf[2 * TLS_PSK_MAX + 1];

	hex_of(k, buf);
	assert_string_equal(buf, hex);
}

static void test_parse_known(void **state)
{
	struct tls_psk k;
	char buf[128];

	(void)state;
	assert_int_equal(tls_psk_parse(KEY256, &k, NULL), 0);
	assert_int_equal(k.hash, TLS_PSK_SHA256);
	assert_int_equal(k.len, 32);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(k.key[i], i);
	assert_int_equal(tls_psk_format(&k, buf, sizeof(buf)), 0);
	assert_string_equal(buf, KEY256);

	assert_int_equal(tls_psk_parse(KEY384, &k, NULL), 0);
	assert_int_equal(k.hash, TLS_PSK_SHA384);
	assert_int_equal(k.len, 48);
	assert_int_equal(k.key[47], 47);
	assert_int_equal(tls_psk_format(&k, buf, sizeof(buf)), 0);
	assert_string_equal(buf, KEY384);
	assert_int_equal(tls_psk_format(&k, buf, 20), -ENOSPC);

	assert_int_equal(tls_psk_parse(NVMECLI_KEY, &k, NULL), 0);
	assert_int_equal(tls_psk_format(&k, buf, sizeof(buf)), 0);
	assert_string_equal(buf, NVMECLI_KEY);
}

static void test_parse_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "NVMeTLSkey-2:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    /* 00 with 16 bytes + CRC: neither 32 nor 48 */
	    "NVMeTLSkey-1:00:AAECAwQFBgcICQoLDA0OD5kYxDM=:",
	    "NVMeTLSkey-1:03:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    "NVMeTLSkey-1:1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    /* no trailing colon, then something after it */
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR",
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:x",
	    /* one key bit flipped: CRC mismatch */
	    "NVMeTLSkey-1:01:AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    /* CRC bytes in big-endian order */
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+RfiaK:",
	    /* a 32-byte key marked SHA-384 */
	    "NVMeTLSkey-1:02:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    /* 16 bytes + CRC; not base64; bad length */
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0OD5kYxDM=:",
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+Kfia!:",
	    "NVMeTLSkey-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+Kfia:",
	};
	struct tls_psk k;
	const char *why;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(tls_psk_parse(bad[i], &k, &why), -EINVAL);
		assert_non_null(why);
		assert_int_equal(k.len, 0);
	}
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/tls_psk_testXXXXXX";
	struct tls_psk k;
	const char *why;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "  " KEY256 "\n", strlen(KEY256) + 3),
			 (ssize_t)strlen(KEY256) + 3);
	close(fd);
	assert_int_equal(tls_psk_load(path, &k, &why), 0);
	assert_int_equal(k.len, 32);
	assert_int_equal(tls_psk_load(KEY384, &k, &why), 0);
	assert_int_equal(k.len, 48);
	/* a key file others may read is refused, saying why */
	assert_int_equal(chmod(path, 0640), 0);
	why = NULL;
	assert_int_equal(tls_psk_load(path, &k, &why), -EACCES);
	assert_non_null(why);
	unlink(path);
	assert_int_equal(tls_psk_load(path, &k, &why), -ENOENT);
}

static void derive_kdf(const char *text, int kdf, int version, struct tls_psk *ret, char *id,
		       struct tls_psk *tls)
{
	struct tls_psk cfg;

	assert_int_equal(tls_psk_parse(text, &cfg, NULL), 0);
	assert_int_equal(cfg.kdf, TLS_PSK_KDF_NVME_CLI);
	cfg.kdf = (uint8_t)kdf;
	assert_int_equal(tls_psk_retained(&cfg, HOST, ret), 0);
	assert_int_equal(tls_psk_identity(ret, version, HOST, SUB, id, TLS_PSK_IDENTITY_MAX, tls),
			 0);
	tls_psk_wipe(&cfg);
	assert_int_equal(cfg.len, 0);
}

/* The RFC 8446 form. */
static void derive(const char *text, int version, struct tls_psk *ret, char *id,
		   struct tls_psk *tls)
{
	derive_kdf(text, TLS_PSK_KDF_RFC8446, version, ret, id, tls);
}

/* The form nvme-cli inserts for the Linux host; and interchange 00. */
static void test_derive_nvme_cli(void **state)
{
	char id[TLS_PSK_IDENTITY_MAX], txt[128];
	struct tls_psk ret, tls, cfg;

	(void)state;
	derive_kdf(KEY256, TLS_PSK_KDF_NVME_CLI, 0, &ret, id, &tls);
	assert_key(&ret, CLI_RET256);
	assert_string_equal(id, "NVMe0R01 " HOST " " SUB);
	assert_key(&tls, CLI_TLS0_256);
	derive_kdf(KEY256, TLS_PSK_KDF_NVME_CLI, 1, &ret, id, &tls);
	assert_string_equal(id, "NVMe1R01 " HOST " " SUB " " CLI_DIG256);
	assert_key(&tls, CLI_TLS1_256);
	derive_kdf(KEY384, TLS_PSK_KDF_NVME_CLI, 0, &ret, id, &tls);
	assert_key(&ret, CLI_RET384);
	assert_key(&tls, CLI_TLS0_384);

	/* 00: the bytes are the retained PSK; SHA-256 by their length */
	assert_int_equal(tls_psk_parse(KEY00, &cfg, NULL), 0);
	assert_int_equal(cfg.hash, TLS_PSK_SHA256);
	assert_int_equal(tls_psk_format(&cfg, txt, sizeof(txt)), 0);
	assert_string_equal(txt, KEY00);
	assert_int_equal(tls_psk_retained(&cfg, HOST, &ret), 0);
	assert_int_equal(ret.len, 32);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(ret.key[i], i);

	assert_int_equal(tls_psk_kdf_parse("nvme-cli"), TLS_PSK_KDF_NVME_CLI);
	assert_int_equal(tls_psk_kdf_parse("rfc8446"), TLS_PSK_KDF_RFC8446);
	assert_int_equal(tls_psk_kdf_parse("RFC"), -EINVAL);
	assert_string_equal(tls_psk_kdf_name(TLS_PSK_KDF_RFC8446), "rfc8446");
	assert_string_equal(tls_psk_kdf_name(TLS_PSK_KDF_NVME_CLI), "nvme-cli");
}

static void test_derive_sha256(void **state)
{
	char id[TLS_PSK_IDENTITY_MAX];
	struct tls_psk ret, tls;

	(void)state;
	derive(KEY256, 0, &ret, id, &tls);
	assert_key(&ret, RET256);
	assert_string_equal(id, "NVMe0R01 " HOST " " SUB);
	assert_key(&tls, TLS0_256); /* version 0: derived with the identity as context */
	derive(KEY256, 1, &ret, id, &tls);
	assert_string_equal(id, "NVMe1R01 " HOST " " SUB " " DIG256);
	assert_key(&tls, TLS256);
	assert_int_equal(tls_psk_identity(&ret, 2, HOST, SUB, id, sizeof(id), &tls), -EINVAL);
	assert_int_equal(tls_psk_identity(&ret, 1, HOST, SUB, id, 40, NULL), -ENOSPC);
}

static void test_derive_sha384(void **state)
{
	char id[TLS_PSK_IDENTITY_MAX], dig[80];
	struct tls_psk ret, tls;

	(void)state;
	derive(KEY384, 0, &ret, id, &tls);
	assert_key(&ret, RET384);
	assert_string_equal(id, "NVMe0R02 " HOST " " SUB);
	assert_key(&tls, TLS0_384);
	derive(KEY384, 1, &ret, id, &tls);
	assert_string_equal(id, "NVMe1R02 " HOST " " SUB " " DIG384);
	assert_key(&tls, TLS384);
	assert_int_equal(tls_psk_digest(&ret, HOST, SUB, dig, sizeof(dig)), 0);
	assert_string_equal(dig, DIG384);
	assert_int_equal(tls_psk_digest(&ret, HOST, SUB, dig, 64), -ENOSPC);
}

static void test_ident_parse(void **state)
{
	char a[] = "NVMe1R02 " HOST " " SUB " " DIG384;
	char b[] = "NVMe0R01 " HOST " " SUB;
	char c[] = "NVMe0R01 " HOST " " SUB " extra";
	char d[] = "NVMe1R01 " HOST " " SUB;
	char e[] = "NVMe0G01 " HOST " " SUB;
	char f[] = "NVMe0R03 " HOST " " SUB;
	struct tls_psk_ident id;

	(void)state;
	assert_int_equal(tls_psk_ident_parse(a, &id), 0);
	assert_int_equal(id.version, 1);
	assert_int_equal(id.hash, 2);
	assert_string_equal(id.hostnqn, HOST);
	assert_string_equal(id.subnqn, SUB);
	assert_string_equal(id.digest, DIG384);
	assert_int_equal(tls_psk_ident_parse(b, &id), 0);
	assert_int_equal(id.version, 0);
	assert_null(id.digest);
	assert_int_equal(tls_psk_ident_parse(c, &id), -EINVAL);
	assert_int_equal(tls_psk_ident_parse(d, &id), -EINVAL);
	assert_int_equal(tls_psk_ident_parse(e, &id), -EINVAL); /* generated PSK: not ours */
	assert_int_equal(tls_psk_ident_parse(f, &id), -EINVAL);
}

static int find(struct tls_keyring *kr, const char *id, struct tls_psk *tls)
{
	return tls_keyring_find(kr, id, strlen(id), tls);
}

static void test_keyring(void **state)
{
	struct tls_keyring *kr = tls_keyring_create();
	struct tls_psk cfg, tls;
	char src[128];

	(void)state;
	assert_non_null(kr);
	assert_int_equal(tls_psk_parse(KEY256, &cfg, NULL), 0);
	/* the default form, then RFC 8446 for the keys added after the switch */
	assert_int_equal(tls_keyring_kdf(kr), TLS_PSK_KDF_NVME_CLI);
	assert_int_equal(tls_keyring_add(kr, HOST, SUB, &cfg, NULL), 0);
	assert_int_equal(find(kr, "NVMe0R01 " HOST " " SUB, &tls), 0);
	assert_key(&tls, CLI_TLS0_256);
	tls_keyring_set_kdf(kr, TLS_PSK_KDF_RFC8446);
	assert_int_equal(tls_keyring_kdf(kr), TLS_PSK_KDF_RFC8446);
	assert_int_equal(find(kr, "NVMe0R01 " HOST " " SUB, &tls), 0);
	assert_key(&tls, CLI_TLS0_256);
	assert_int_equal(tls_keyring_add(kr, HOST, SUB, &cfg, NULL), 0);
	/* no source given: the interchange string, as it came */
	assert_int_equal(tls_keyring_source(kr, HOST, SUB, src, sizeof(src)), 0);
	assert_string_equal(src, KEY256);
	assert_int_equal(tls_keyring_source(kr, HOST, SUB, src, 10), -ENOSPC);
	assert_int_equal(tls_keyring_source(kr, HOST, SUB "x", src, sizeof(src)), -ENOENT);
	assert_int_equal(find(kr, "NVMe0R01 " HOST " " SUB, &tls), 0);
	assert_key(&tls, TLS0_256);
	assert_int_equal(find(kr, "NVMe1R01 " HOST " " SUB " " DIG256, &tls), 0);
	assert_key(&tls, TLS256);
	/* wrong digest, other hash, other subsystem, other host, garbage */
	assert_int_equal(find(kr, "NVMe1R01 " HOST " " SUB " " DIG384, &tls), -ENOENT);
	assert_int_equal(find(kr, "NVMe0R02 " HOST " " SUB, &tls), -ENOENT);
	assert_int_equal(find(kr, "NVMe0R01 " HOST " " SUB "x", &tls), -ENOENT);
	assert_int_equal(find(kr, "NVMe0R01 nqn.2016-06.io.x:h " SUB, &tls), -ENOENT);
	assert_int_equal(find(kr, "hello", &tls), -EINVAL);
	assert_int_equal(tls_keyring_find(kr, "NVMe0R01 a\0b", 12, &tls), -EINVAL);
	/* replace with the SHA-384 key, then remove */
	assert_int_equal(tls_psk_parse(KEY384, &cfg, NULL), 0);
	assert_int_equal(tls_keyring_add(kr, HOST, SUB, &cfg, "/etc/nvmf-tgt/host.key"), 0);
	assert_int_equal(tls_keyring_source(kr, HOST, SUB, src, sizeof(src)), 0);
	assert_string_equal(src, "/etc/nvmf-tgt/host.key");
	assert_int_equal(find(kr, "NVMe0R01 " HOST " " SUB, &tls), -ENOENT);
	assert_int_equal(find(kr, "NVMe1R02 " HOST " " SUB " " DIG384, &tls), 0);
	assert_key(&tls, TLS384);
	assert_int_equal(tls_keyring_remove(kr, HOST, SUB), 0);
	assert_int_equal(tls_keyring_remove(kr, HOST, SUB), -ENOENT);
	assert_int_equal(find(kr, "NVMe1R02 " HOST " " SUB " " DIG384, &tls), -ENOENT);
	tls_psk_wipe(&cfg);
	tls_keyring_destroy(kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_known),   cmocka_unit_test(test_parse_refused),
	    cmocka_unit_test(test_load_file),     cmocka_unit_test(test_derive_sha256),
	    cmocka_unit_test(test_derive_sha384), cmocka_unit_test(test_ident_parse),
	    cmocka_unit_test(test_keyring),       cmocka_unit_test(test_derive_nvme_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
