/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_test.c - DH-HMAC-CHAP pieces of util/: secret text vectors and
 * every malformed form, the NQN transformation, responses and augmented
 * challenge against values computed independently, FFDHE agreement, and
 * every message built then parsed, and each malformed message refused with
 * its reason.
 *
 * The expected values below come from Python's standard library, not from
 * this code:
 *   key = bytes(range(32)); crc = struct.pack('<I', zlib.crc32(key))
 *   "DHHC-1:01:" + base64.b64encode(key + crc).decode() + ":"
 *   hmac.new(key, (HOSTNQN + "NVMe-over-Fabrics").encode(), hashlib.sha256)
 *   hmac.new(tk, chal + pack('<I', seq) + pack('<H', tid) + b'\0' +
 *            b"HostHost" + HOSTNQN + b'\0' + SUBNQN, hashlib.sha256)
 *   hmac.new(hashlib.sha256(skey).digest(), chal, hashlib.sha256)
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

#include "nvmf_spec.h"
#include "util_dhchap.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000001"
#define SUBNQN "nqn.2016-06.io.nvmf-tgt:auth0"
#define KEY32 "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:"
#define KEY48 "DHHC-1:00:QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5voBXMjQ==:"
#define KEY64                                                                                      \
	"DHHC-1:03:gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4"   \
	"ubq7vL2+v6rfDIU=:"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(dhchap_crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(dhchap_crc32("", 0), 0);
}

static void test_key_vectors(void **state)
{
	struct dhchap_key k;

	(void)state;
	assert_int_equal(dhchap_key_parse(KEY32, &k), 0);
	assert_int_equal(k.hmac, 1);
	assert_int_equal(k.len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(k.key[i], i);
	assert_int_equal(dhchap_key_parse(KEY48, &k), 0);
	assert_int_equal(k.hmac, 0);
	assert_int_equal(k.len, 48);
	assert_int_equal(k.key[0], 0x40);
	assert_int_equal(k.key[47], 0x6f);
	assert_int_equal(dhchap_key_parse(KEY64, &k), 0);
	assert_int_equal(k.hmac, 3);
	assert_int_equal(k.len, 64);
	assert_int_equal(k.key[63], 0xbf);
	dhchap_key_wipe(&k);
	assert_int_equal(k.len, 0);
	for (int i = 0; i < DHCHAP_MAX_KEY_LEN; i++)
		assert_int_equal(k.key[i], 0);
}

static void test_key_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "DHHC-1:01:",
	    "DHHC-2:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    "DHHC-1:04:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:", /* unknown hash */
	    "DHHC-1:0x:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:",
	    "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR",   /* no ':' */
	    "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR:x", /* trailing */
	    "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaS:",  /* CRC */
	    "DHHC-1:01:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=:",      /* 32 B, no CRC */
	    "DHHC-1:01:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+KfiaR!:", /* not base64 */
	    "DHHC-1:01:AAE=:",                                              /* too short */
	};
	struct dhchap_key k;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&k, 0x5a, sizeof(k));
		assert_int_equal(dhchap_key_parse(bad[i], &k), -EINVAL);
		assert_int_equal(k.len, 0);
	}
	assert_int_equal(dhchap_key_parse(NULL, &k), -EINVAL);
}

static void test_transform(void **state)
{
	struct dhchap_key k;
	uint8_t out[DHCHAP_MAX_KEY_LEN], want[64];

	(void)state;
	assert_int_equal(dhchap_key_parse(KEY32, &k), 0);
	assert_int_equal(dhchap_key_transform(&k, HOSTNQN, out), 32);
	unhex("6c7b81cb2a746f74454b1d7140f3153b51ca99459fcef7a86a17f27695b87cd8", want);
	assert_memory_equal(out, want, 32);
	assert_int_equal(dhchap_key_parse(KEY64, &k), 0);
	assert_int_equal(dhchap_key_transform(&k, SUBNQN, out), 64);
	unhex("cab49d1781c643039e2cf0bfa45537827886f7005d06b7a2aa936b69b128bba3"
	      "45819e92416051bc78c8c8565c0e25d0bfe060275e1eb6ca23a87d71e25af6a8",
	      want);
	assert_memory_equal(out, want, 64);
	assert_int_equal(dhchap_key_parse(KEY48, &k), 0); /* 00: used as it is */
	assert_int_equal(dhchap_key_transform(&k, HOSTNQN, out), 48);
	assert_memory_equal(out, k.key, 48);
	dhchap_key_wipe(&k);
}

static void test_response(void **state)
{
	struct dhchap_key k;
	uint8_t tk[64], chal[32], out[64], want[32], skey[256];
	struct dhchap_resp_in in = {.hash_id = NVMF_AUTH_HASH_SHA256,
				    .key = tk,
				    .key_len = 32,
				    .chal = chal,
				    .seqnum = 0x01020304,
				    .t_id = 0x1234,
				    .host = true,
				    .hostnqn = HOSTNQN,
				    .subnqn = SUBNQN};

	(void)state;
	memset(chal, 0xa5, sizeof(chal));
	assert_int_equal(dhchap_key_parse(KEY32, &k), 0);
	assert_int_equal(dhchap_key_transform(&k, HOSTNQN, tk), 32);
	assert_int_equal(dhchap_response(&in, out), 0);
	unhex("bdae1f5899b62829b8d5d10505a66bb7f5d1f52f7c10802684e0953a99d74809", want);
	assert_memory_equal(out, want, 32);
	in.host = false;
	in.seqnum = 7;
	assert_int_equal(dhchap_response(&in, out), 0);
	unhex("b6858728805527ee11e27de6ce843a7442b1c3cae4e8e2deea6650277e6976f4", want);
	assert_memory_equal(out, want, 32);
	memset(skey, 0x11, sizeof(skey));
	assert_int_equal(dhchap_augment(NVMF_AUTH_HASH_SHA256, skey, sizeof(skey), chal, out), 0);
	unhex("a897ff2125289e03f09acfb9bf4089b6cb4f87ad28a9a73b68fe408f4ad90685", want);
	assert_memory_equal(out, want, 32);
	in.hash_id = 9;
	assert_int_equal(dhchap_response(&in, out), -EINVAL);
	dhchap_key_wipe(&k);
}

static void test_tables(void **state)
{
	(void)state;
	assert_int_equal(dhchap_hash_len(NVMF_AUTH_HASH_SHA384), 48);
	assert_int_equal(dhchap_hash_len(0), 0);
	assert_int_equal(dhchap_hash_len(4), 0);
	assert_int_equal(dhchap_hash_id("SHA512"), NVMF_AUTH_HASH_SHA512);
	assert_int_equal(dhchap_hash_id("md5"), -EINVAL);
	assert_int_equal(dhchap_dhgroup_len(NVMF_AUTH_DHGROUP_FFDHE8192), 1024);
	assert_int_equal(dhchap_dhgroup_len(NVMF_AUTH_DHGROUP_NULL), 0);
	assert_int_equal(dhchap_dhgroup_len(6), -EINVAL);
	assert_int_equal(dhchap_dhgroup_id("ffdhe3072"), NVMF_AUTH_DHGROUP_FFDHE3072);
	assert_string_equal(dhchap_dhgroup_name(NVMF_AUTH_DHGROUP_NULL), "null");
}

/* Both sides of each group agree; a degenerate peer value is refused. */
static void test_dh_agree(void **state)
{
	static uint8_t pa[DHCHAP_MAX_DH_LEN], pb[DHCHAP_MAX_DH_LEN];
	static uint8_t sa[DHCHAP_MAX_DH_LEN], sb[DHCHAP_MAX_DH_LEN];

	(void)state;
	for (uint8_t g = NVMF_AUTH_DHGROUP_FFDHE2048; g <= NVMF_AUTH_DHGROUP_FFDHE3072; g++) {
		struct dhchap_dh *a, *b;
		size_t len = (size_t)dhchap_dhgroup_len(g);

		assert_int_equal(dhchap_dh_create(g, &a), 0);
		assert_int_equal(dhchap_dh_create(g, &b), 0);
		assert_int_equal(dhchap_dh_public(a, pa, len), 0);
		assert_int_equal(dhchap_dh_public(b, pb, len), 0);
		assert_memory_not_equal(pa, pb, len);
		assert_int_equal(dhchap_dh_shared(a, pb, len, sa), 0);
		assert_int_equal(dhchap_dh_shared(b, pa, len, sb), 0);
		assert_memory_equal(sa, sb, len);
		memset(pb, 0, len);
		pb[len - 1] = 1; /* y = 1 */
		assert_int_equal(dhchap_dh_shared(a, pb, len, sa), -EINVAL);
		memset(pb, 0, len);
		assert_int_equal(dhchap_dh_shared(a, pb, len, sa), -EINVAL);
		assert_int_equal(dhchap_dh_shared(a, pa, len - 1, sa), -EINVAL);
		dhchap_dh_free(a);
		dhchap_dh_free(b);
	}
	assert_int_equal(dhchap_dh_create(NVMF_AUTH_DHGROUP_NULL, &(struct dhchap_dh *){NULL}),
			 -EINVAL);
}

static void test_msg_roundtrip(void **state)
{
	uint8_t buf[DHCHAP_MSG_MAX], c1[64], r[64], dhv[256];
	const uint8_t hashes[] = {1, 2, 3}, groups[] = {0, 1};
	struct dhchap_msg m;
	int len;

	(void)state;
	memset(c1, 0x33, sizeof(c1));
	memset(r, 0x44, sizeof(r));
	memset(dhv, 0x55, sizeof(dhv));
	len = dhchap_msg_negotiate(buf, sizeof(buf), 7, hashes, 3, groups, 2);
	assert_int_equal(len, 72);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.t_id, 7);
	assert_int_equal(m.u.neg.nhash, 3);
	assert_int_equal(m.u.neg.groups[1], 1);
	len = dhchap_msg_challenge(buf, sizeof(buf), 7, 1, 1, 99, c1, dhv, 256);
	assert_int_equal(len, 16 + 32 + 256);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.u.chal.seqnum, 99);
	assert_ptr_equal(m.u.chal.dhv, buf + 48);
	len = dhchap_msg_reply(buf, sizeof(buf), 7, 48, r, c1, 5, NULL, 0);
	assert_int_equal(len, 16 + 96);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_true(m.u.reply.cvalid);
	assert_int_equal(m.u.reply.seqnum, 5);
	len = dhchap_msg_success1(buf, sizeof(buf), 7, 64, r);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_true(m.u.succ1.rvalid);
	len = dhchap_msg_success2(buf, sizeof(buf), 7);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.auth_id, NVMF_AUTH_ID_DHCHAP_SUCCESS2);
	len = dhchap_msg_failure(buf, sizeof(buf), NVMF_AUTH_ID_FAILURE2, 7, 4);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), 0);
	assert_int_equal(m.u.fail.exp, 4);
	assert_int_equal(dhchap_msg_challenge(buf, 40, 7, 1, 0, 1, c1, NULL, 0), -ENOSPC);
}

static void test_msg_malformed(void **state)
{
	uint8_t buf[DHCHAP_MSG_MAX] = {0}, c1[64] = {1}, dhv[256] = {2};
	const uint8_t hashes[] = {1}, groups[] = {0};
	struct dhchap_msg m;
	int len;

	(void)state;
	assert_int_equal(dhchap_msg_parse(buf, 4, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	/* Negotiate: short, long, no DH-HMAC-CHAP descriptor, empty lists. */
	len = dhchap_msg_negotiate(buf, sizeof(buf), 1, hashes, 1, groups, 1);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len - 1, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len + 1, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[8] = 2;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_PROTOCOL_UNUSABLE);
	buf[8] = 1;
	buf[10] = 0;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[10] = 31;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	/* Challenge: unknown hash, unknown group, DHVLEN off, seqnum 0. */
	len = dhchap_msg_challenge(buf, sizeof(buf), 1, 1, 1, 5, c1, dhv, 256);
	buf[8] = 4;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_HASH_UNUSABLE);
	buf[8] = 1;
	buf[9] = 6;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_DHGROUP_UNUSABLE);
	buf[9] = 2; /* ffdhe3072 wants 384 bytes */
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[9] = 1;
	memset(buf + 12, 0, 4);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	/* Reply: HL not a hash length, CVALID 2, CVALID with seqnum 0, length off. */
	len = dhchap_msg_reply(buf, sizeof(buf), 1, 32, c1, c1, 9, NULL, 0);
	buf[6] = 33;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[6] = 32;
	buf[8] = 2;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[8] = 1;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len + 2, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	memset(buf + 12, 0, 4);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	/* Success1 with RVALID but no R2; Success2 long; unknown ids and types. */
	len = dhchap_msg_success1(buf, sizeof(buf), 1, 32, NULL);
	buf[8] = 1;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m), NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	len = dhchap_msg_success2(buf, sizeof(buf), 1);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len + 1, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
	buf[1] = 9;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG);
	buf[0] = 7;
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG);
	len = dhchap_msg_failure(buf, sizeof(buf), NVMF_AUTH_ID_FAILURE1, 1, 1);
	assert_int_equal(dhchap_msg_parse(buf, (size_t)len + 1, &m),
			 NVMF_AUTH_FAIL_INCORRECT_PAYLOAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),         cmocka_unit_test(test_key_vectors),
	    cmocka_unit_test(test_key_malformed), cmocka_unit_test(test_transform),
	    cmocka_unit_test(test_response),      cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_dh_agree),      cmocka_unit_test(test_msg_roundtrip),
	    cmocka_unit_test(test_msg_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
