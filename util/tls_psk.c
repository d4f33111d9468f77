/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_psk.c - NVMe/TCP secure channel keys: the interchange format, the
 * retained PSK, PSK identities and the TLS PSK (see util_tls_psk.h for the
 * formulas). HMAC and the hashes come from OpenSSL's libcrypto.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"
#include "util_tls_psk.h"

#define PSK_PREFIX "NVMeTLSkey-1:"

void tls_psk_wipe(struct tls_psk *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

static const EVP_MD *psk_md(uint8_t hash)
{
	return hash == TLS_PSK_SHA384 ? EVP_sha384() : EVP_sha256();
}

static uint8_t psk_len_of(uint8_t hash)
{
	return hash == TLS_PSK_SHA384 ? 48 : 32;
}

/* CRC-32 of ISO 3309 / IEEE 802.3 (reflected 0xEDB88320), bit by bit: keys are short. */
static uint32_t psk_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320u : 0);
	}
	return ~crc;
}

/* Decode @len base64 characters into @out (room for 3 * len / 4). @return bytes or -1. */
static int psk_b64_decode(const char *s, size_t len, uint8_t *out)
{
	int n, pad = 0;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=' && i + 2 >= len)
			continue;
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return -1;
	}
	pad = (s[len - 1] == '=') + (s[len - 2] == '=');
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	return n < 0 ? -1 : n - pad;
}

int tls_psk_parse(const char *text, struct tls_psk *out, const char **why)
{
	uint8_t raw[TLS_PSK_MAX + 4 + 3];
	const char *b64, *end;
	size_t plen = strlen(PSK_PREFIX);
	uint32_t crc;
	int hash, n;
	const char *dummy;

	why = why ? why : &dummy;
	memset(out, 0, sizeof(*out));
	if (strncmp(text, PSK_PREFIX, plen) != 0) {
		*why = "not a PSK interchange string (expected 'NVMeTLSkey-1:HH:...:')";
		return -EINVAL;
	}
	text += plen;
	if (!isdigit((unsigned char)text[0]) || !isdigit((unsigned char)text[1]) ||
	    text[2] != ':') {
		*why = "bad hash indicator (expected 00, 01 or 02)";
		return -EINVAL;
	}
	hash = (text[0] - '0') * 10 + (text[1] - '0');
	if (hash != 0 && hash != TLS_PSK_SHA256 && hash != TLS_PSK_SHA384) {
		*why = "hash indicator must be 00 (as is), 01 (SHA-256) or 02 (SHA-384)";
		return -EINVAL;
	}
	b64 = text + 3;
	end = strchr(b64, ':');
	if (end == NULL || end[1] != '\0') {
		*why = "the key must end with ':'";
		return -EINVAL;
	}
	if ((size_t)(end - b64) > 4 * ((sizeof(raw) - 3) / 3 + 1) ||
	    (n = psk_b64_decode(b64, (size_t)(end - b64), raw)) < 0) {
		*why = "bad base64 data";
		return -EINVAL;
	}
	if (hash == 0 && (n == 32 + 4 || n == 48 + 4)) {
		out->as_is = 1;
		hash = n == 32 + 4 ? TLS_PSK_SHA256 : TLS_PSK_SHA384;
	}
	if (n != psk_len_of((uint8_t)hash) + 4) {
		OPENSSL_cleanse(raw, sizeof(raw));
		*why = hash == 0                ? "a 00 key must hold 32 or 48 bytes and a CRC-32"
		       : hash == TLS_PSK_SHA256 ? "a 01 key must hold 32 bytes and a CRC-32"
						: "a 02 key must hold 48 bytes and a CRC-32";
		return -EINVAL;
	}
	n -= 4;
	crc = (uint32_t)raw[n] | (uint32_t)raw[n + 1] << 8 | (uint32_t)raw[n + 2] << 16 |
	      (uint32_t)raw[n + 3] << 24;
	if (crc != psk_crc32(raw, (size_t)n)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		*why = "CRC-32 mismatch (key damaged or mistyped)";
		return -EINVAL;
	}
	out->hash = (uint8_t)hash;
	out->len = (uint8_t)n;
	memcpy(out->key, raw, (size_t)n);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int tls_psk_format(const struct tls_psk *k, char *buf, size_t len)
{
	uint8_t raw[TLS_PSK_MAX + 4];
	char b64[4 * (sizeof(raw) + 2) / 3 + 1];
	uint32_t crc = psk_crc32(k->key, k->len);
	int n;

	memcpy(raw, k->key, k->len);
	for (int i = 0; i < 4; i++)
		raw[k->len + i] = (uint8_t)(crc >> (8 * i));
	EVP_EncodeBlock((unsigned char *)b64, raw, k->len + 4);
	n = snprintf(buf, len, PSK_PREFIX "%02u:%s:", k->as_is ? 0 : k->hash, b64);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b64, sizeof(b64));
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int tls_psk_load(const char *arg, struct tls_psk *out, const char **why)
{
	char buf[256];
	const char *dummy;
	int rc;

	if (arg[0] != '/' && arg[0] != '.')
		return tls_psk_parse(arg, out, why);
	why = why ? why : &dummy;
	rc = key_file_read(arg, buf, sizeof(buf), why);
	if (rc == 0)
		rc = tls_psk_parse(buf, out, why);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* HKDF-Extract with a zero salt (RFC 5869: HashLen zero bytes). */
static int psk_extract(const struct tls_psk *ikm, uint8_t *prk)
{
	uint8_t salt[TLS_PSK_MAX] = {0};
	unsigned int n = 0;

	if (HMAC(psk_md(ikm->hash), salt, psk_len_of(ikm->hash), ikm->key, ikm->len, prk, &n) ==
		NULL ||
	    n != psk_len_of(ikm->hash))
		return -EIO;
	return 0;
}

int tls_psk_kdf_parse(const char *name)
{
	if (strcmp(name, "nvme-cli") == 0)
		return TLS_PSK_KDF_NVME_CLI;
	if (strcmp(name, "rfc8446") == 0)
		return TLS_PSK_KDF_RFC8446;
	return -EINVAL;
}

const char *tls_psk_kdf_name(int kdf)
{
	return kdf == TLS_PSK_KDF_RFC8446 ? "rfc8446" : "nvme-cli";
}

/*
 * The HKDF info of HKDF-Expand-Label(@label, @context) for an output of
 * @len bytes into @info, followed by HKDF-Expand's block counter 0x01 (one
 * block: L is one hash length). @return its length, or -EINVAL.
 *   RFC 8446 7.1: uint16 L (big-endian), uint8 + "tls13 " label, uint8 +
 *                 context.
 *   nvme-cli:     uint16 L (little-endian), "tls13 ", label, context, with
 *                 no length bytes.
 */
static int psk_label_info(int kdf, uint8_t len, const char *label, const char *context,
			  uint8_t *info, size_t room)
{
	size_t llen = strlen(label), clen = strlen(context), n = 0;
	bool rfc = kdf == TLS_PSK_KDF_RFC8446;

	if (6 + llen > 255 || clen > 255 || room < 2 + 1 + 6 + llen + 1 + clen + 1)
		return -EINVAL;
	info[n++] = rfc ? 0 : len;
	info[n++] = rfc ? len : 0;
	if (rfc)
		info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, llen);
	n += 6 + llen;
	if (rfc)
		info[n++] = (uint8_t)clen;
	memcpy(info + n, context, clen);
	n += clen;
	info[n++] = 1;
	return (int)n;
}

/* HKDF-Expand-Label(@prk, @label, @context, L) with L one hash length, into @out. */
static int psk_expand_label(uint8_t hash, int kdf, const uint8_t *prk, const char *label,
			    const char *context, struct tls_psk *out)
{
	uint8_t info[2 + 1 + 255 + 1 + 255 + 1];
	uint8_t len = psk_len_of(hash);
	unsigned int got = 0;
	int n = psk_label_info(kdf, len, label, context, info, sizeof(info));

	if (n < 0)
		return n;
	out->hash = hash;
	out->len = len;
	out->kdf = (uint8_t)kdf;
	out->as_is = 0;
	if (HMAC(psk_md(hash), prk, len, info, (size_t)n, out->key, &got) == NULL || got != len) {
		tls_psk_wipe(out);
		return -EIO;
	}
	return 0;
}

int tls_psk_retained(const struct tls_psk *cfg, const char *hostnqn, struct tls_psk *out)
{
	uint8_t prk[TLS_PSK_MAX];
	int rc;

	if (cfg->as_is) {
		*out = *cfg;
		out->as_is = 0;
		return 0;
	}
	rc = psk_extract(cfg, prk);
	if (rc == 0)
		rc = psk_expand_label(cfg->hash, cfg->kdf, prk, "HostNQN", hostnqn, out);
	OPENSSL_cleanse(prk, sizeof(prk));
	return rc;
}

int tls_psk_digest(const struct tls_psk *retained, const char *hostnqn, const char *subnqn,
		   char *buf, size_t len)
{
	char msg[2 * 256 + 32];
	uint8_t md[TLS_PSK_MAX];
	unsigned int n = 0;
	int m;

	if (len < (size_t)4 * ((retained->len + 2) / 3) + 1)
		return -ENOSPC;
	m = snprintf(msg, sizeof(msg), "%s %s NVMe-over-Fabrics", hostnqn, subnqn);
	if (m < 0 || (size_t)m >= sizeof(msg))
		return -EINVAL;
	if (HMAC(psk_md(retained->hash), retained->key, retained->len, (const uint8_t *)msg,
		 (size_t)m, md, &n) == NULL ||
	    n != retained->len) {
		OPENSSL_cleanse(md, sizeof(md));
		return -EIO;
	}
	EVP_EncodeBlock((unsigned char *)buf, md, (int)n);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int tls_psk_identity(const struct tls_psk *retained, int version, const char *hostnqn,
		     const char *subnqn, char *buf, size_t len, struct tls_psk *tls)
{
	char digest[4 * (TLS_PSK_MAX / 3) + 1], ctx[sizeof(digest) + 4];
	uint8_t prk[TLS_PSK_MAX];
	int n, rc;

	if (version != 0 && version != 1)
		return -EINVAL;
	if (version == 0) {
		n = snprintf(buf, len, "NVMe0R%02u %s %s", retained->hash, hostnqn, subnqn);
	} else {
		rc = tls_psk_digest(retained, hostnqn, subnqn, digest, sizeof(digest));
		if (rc != 0)
			return rc;
		n = snprintf(buf, len, "NVMe1R%02u %s %s %s", retained->hash, hostnqn, subnqn,
			     digest);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	if (tls == NULL)
		return 0;
	/* The context: version 0 the whole identity, version 1 "HH <digest>". */
	if (version == 1)
		snprintf(ctx, sizeof(ctx), "%02u %s", retained->hash, digest);
	rc = psk_extract(retained, prk);
	if (rc == 0)
		rc = psk_expand_label(retained->hash, retained->kdf, prk, "nvme-tls-psk",
				      version == 0 ? buf : ctx, tls);
	OPENSSL_cleanse(prk, sizeof(prk));
	return rc;
}

int tls_psk_ident_parse(char *buf, struct tls_psk_ident *out)
{
	char *f[4] = {NULL}, *save = NULL, *tok;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (strncmp(buf, "NVMe", 4) != 0 || (buf[4] != '0' && buf[4] != '1') || buf[5] != 'R' ||
	    buf[6] != '0' || (buf[7] != '1' && buf[7] != '2') || buf[8] != ' ')
		return -EINVAL;
	out->version = buf[4] - '0';
	out->hash = (uint8_t)(buf[7] - '0');
	for (tok = strtok_r(buf + 9, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		if (n == 3)
			return -EINVAL;
		f[n++] = tok;
	}
	if (n != 2 + out->version)
		return -EINVAL;
	out->hostnqn = f[0];
	out->subnqn = f[1];
	out->digest = f[2];
	return 0;
}
