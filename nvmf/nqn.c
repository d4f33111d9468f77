/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nqn.c - NVMe Qualified Name validation and the stable identifiers derived
 * from an NQN (namespace UUID / NGUID / EUI-64).
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "nvmf.h"
#include "nvmf/nvmf_internal.h"

#define NQN_PREFIX "nqn."
#define NQN_UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"
#define UUID_STR_LEN 36

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool uuid_str_valid(const char *s)
{
	if (strlen(s) != UUID_STR_LEN)
		return false;
	for (size_t i = 0; i < UUID_STR_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* "yyyy-mm." at @s. */
static bool date_valid(const char *s)
{
	if (!all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '.')
		return false;
	int month = (s[5] - '0') * 10 + (s[6] - '0');
	return month >= 1 && month <= 12;
}

/* Reverse domain: dot-separated labels of letters, digits and inner hyphens. */
static bool domain_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
		if (label == 0 && s[i] == '-')
			return false;
		label++;
	}
	return true;
}

/* The user part after ':': not empty, no control characters (UTF-8 allowed). */
static bool user_part_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

bool nvmf_nqn_valid(const char *nqn)
{
	size_t len;
	const char *domain, *colon;

	if (nqn == NULL)
		return false;
	len = strnlen(nqn, NVMF_NQN_MAX_LEN + 1);
	if (len > NVMF_NQN_MAX_LEN)
		return false;
	if (strncmp(nqn, NQN_UUID_PREFIX, strlen(NQN_UUID_PREFIX)) == 0)
		return uuid_str_valid(nqn + strlen(NQN_UUID_PREFIX));
	if (strncmp(nqn, NQN_PREFIX, strlen(NQN_PREFIX)) != 0)
		return false;
	if (len < strlen(NQN_PREFIX) + 8 || !date_valid(nqn + strlen(NQN_PREFIX)))
		return false;
	domain = nqn + strlen(NQN_PREFIX) + 8;
	colon = strchr(domain, ':');
	if (colon == NULL)
		return domain_valid(domain, strlen(domain));
	return domain_valid(domain, (size_t)(colon - domain)) && user_part_valid(colon + 1);
}

/* 64-bit FNV-1a over @len bytes, then a final avalanche step. */
static uint64_t hash64(uint64_t seed, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void hash_fill(const char *nqn, uint32_t nsid, uint64_t salt, uint8_t *out, size_t n)
{
	char key[NVMF_NQN_MAX_LEN + 16];
	size_t klen = strnlen(nqn, NVMF_NQN_MAX_LEN);

	memcpy(key, nqn, klen);
	key[klen] = '\0';
	memcpy(key + klen + 1, &nsid, sizeof(nsid));
	klen += 1 + sizeof(nsid);
	for (size_t off = 0; off < n; off += 8) {
		uint64_t h = hash64(salt + off, key, klen);
		size_t chunk = n - off < 8 ? n - off : 8;
		for (size_t i = 0; i < chunk; i++)
			out[off + i] = (uint8_t)(h >> (56 - 8 * i));
	}
}

void nvmf_ns_derive_ids(const char *nqn, uint32_t nsid, uint8_t uuid[16], uint8_t nguid[16],
			uint8_t eui64[8])
{
	if (uuid != NULL) {
		hash_fill(nqn, nsid, 0x5555, uuid, 16);
		uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x80); /* version 8: custom */
		uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	}
	if (nguid != NULL)
		hash_fill(nqn, nsid, 0x6666, nguid, 16);
	if (eui64 != NULL) {
		hash_fill(nqn, nsid, 0x7777, eui64, 8);
		eui64[0] = (uint8_t)((eui64[0] & 0xfc) | 0x02); /* locally administered */
	}
}

bool nvmf_mem_is_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}
