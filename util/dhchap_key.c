/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_key.c - DH-HMAC-CHAP secrets: the "DHHC-1:XX:<base64>:" text form
 * (secret followed by its CRC-32, base64), wiping, the NQN transformation,
 * and the hash / DH group tables.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "nvmf_spec.h"
#include "util.h"
#include "util/dhchap_internal.h"

#define SECRET_PREFIX "DHHC-1:"
#define TRANSFORM_SUFFIX "NVMe-over-Fabrics"

struct hash_info {
	const char *name; /* ours, and OpenSSL's digest name */
	const char *ossl;
	size_t len;
};

static const struct hash_info g_hashes[] = {
    [NVMF_AUTH_HASH_SHA256] = {"sha256", "SHA256", 32},
    [NVMF_AUTH_HASH_SHA384] = {"sha384", "SHA384", 48},
    [NVMF_AUTH_HASH_SHA512] = {"sha512", "SHA512", 64},
};

static const char *const g_groups[] = {
    [NVMF_AUTH_DHGROUP_NULL] = "null",           [NVMF_AUTH_DHGROUP_FFDHE2048] = "ffdhe2048",
    [NVMF_AUTH_DHGROUP_FFDHE3072] = "ffdhe3072", [NVMF_AUTH_DHGROUP_FFDHE4096] = "ffdhe4096",
    [NVMF_AUTH_DHGROUP_FFDHE6144] = "ffdhe6144", [NVMF_AUTH_DHGROUP_FFDHE8192] = "ffdhe8192",
};
static const int g_group_bits[] = {0, 2048, 3072, 4096, 6144, 8192};

size_t dhchap_hash_len(uint8_t hash_id)
{
	if (hash_id >= sizeof(g_hashes) / sizeof(g_hashes[0]) || g_hashes[hash_id].name == NULL)
		return 0;
	return g_hashes[hash_id].len;
}

const char *dhchap_hash_name(uint8_t hash_id)
{
	return dhchap_hash_len(hash_id) ? g_hashes[hash_id].name : NULL;
}

const char *dhchap_hash_ossl(uint8_t hash_id)
{
	return dhchap_hash_len(hash_id) ? g_hashes[hash_id].ossl : NULL;
}

int dhchap_hash_id(const char *name)
{
	for (unsigned i = 0; i < sizeof(g_hashes) / sizeof(g_hashes[0]); i++)
		if (g_hashes[i].name != NULL && strcasecmp(name, g_hashes[i].name) == 0)
			return (int)i;
	return -EINVAL;
}

int dhchap_dhgroup_len(uint8_t gid)
{
	if (gid >= sizeof(g_groups) / sizeof(g_groups[0]))
		return -EINVAL;
	return g_group_bits[gid] / 8;
}

const char *dhchap_dhgroup_name(uint8_t gid)
{
	return gid < sizeof(g_groups) / sizeof(g_groups[0]) ? g_groups[gid] : NULL;
}

int dhchap_dhgroup_id(const char *name)
{
	for (unsigned i = 0; i < sizeof(g_groups) / sizeof(g_groups[0]); i++)
		if (strcasecmp(name, g_groups[i]) == 0)
			return (int)i;
	return -EINVAL;
}

uint32_t dhchap_crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

void dhchap_key_wipe(struct dhchap_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}

/* Decode the base64 text of @n chars at @s into @out (room for 3n/4). @return bytes or -EINVAL. */
static int b64_decode(const char *s, size_t n, uint8_t *out)
{
	int got, pad = 0;

	if (n == 0 || n % 4 != 0)
		return -EINVAL;
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (got < 0 || got < pad)
		return -EINVAL;
	return got - pad;
}

static int key_parse(const char *text, struct dhchap_key *key)
{
	uint8_t raw[DHCHAP_MAX_KEY_LEN + 4 + 3];
	size_t plen = strlen(SECRET_PREFIX), n;
	const char *b64, *end;
	int hi, lo, len, rc = -EINVAL;
	uint32_t crc;

	if (strncmp(text, SECRET_PREFIX, plen) != 0)
		return -EINVAL;
	hi = util_hex_digit(text[plen]);
	lo = hi < 0 ? -1 : util_hex_digit(text[plen + 1]);
	if (lo < 0 || text[plen + 2] != ':' || hi * 16 + lo > NVMF_AUTH_HASH_SHA512)
		return -EINVAL;
	key->hmac = (uint8_t)(hi * 16 + lo);
	b64 = text + plen + 3;
	end = strchr(b64, ':');
	if (end == NULL || end[1] != '\0')
		return -EINVAL;
	n = (size_t)(end - b64);
	if (n > (sizeof(raw) / 3) * 4)
		return -EINVAL;
	len = b64_decode(b64, n, raw);
	if (len != 36 && len != 52 && len != 68)
		goto out;
	len -= 4;
	crc = (uint32_t)raw[len] | (uint32_t)raw[len + 1] << 8 | (uint32_t)raw[len + 2] << 16 |
	      (uint32_t)raw[len + 3] << 24;
	if (crc != dhchap_crc32(raw, (size_t)len))
		goto out;
	memcpy(key->key, raw, (size_t)len);
	key->len = (uint8_t)len;
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int dhchap_key_parse(const char *text, struct dhchap_key *key)
{
	int rc;

	memset(key, 0, sizeof(*key));
	if (text == NULL || strlen(text) > DHCHAP_SECRET_MAX_TEXT)
		return -EINVAL;
	rc = key_parse(text, key);
	if (rc != 0)
		dhchap_key_wipe(key);
	return rc;
}

int dhchap_key_transform(const struct dhchap_key *key, const char *nqn, uint8_t *out)
{
	const struct dhchap_part parts[] = {
	    {nqn, strlen(nqn)},
	    {TRANSFORM_SUFFIX, strlen(TRANSFORM_SUFFIX)},
	};

	if (key->hmac == 0) {
		memcpy(out, key->key, key->len);
		return key->len;
	}
	return dhchap_hmac(key->hmac, key->key, key->len, parts, 2, out);
}
