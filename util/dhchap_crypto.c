/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_crypto.c - DH-HMAC-CHAP computation on OpenSSL: HMAC over a list
 * of parts, the responses R1 / R2, the augmented challenge and the FFDHE
 * key exchange (groups by name, RFC 7919).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "nvmf_spec.h"
#include "util/dhchap_internal.h"

int dhchap_hmac(uint8_t hash_id, const uint8_t *key, size_t key_len,
		const struct dhchap_part *parts, unsigned nparts, uint8_t *out)
{
	const char *digest = dhchap_hash_ossl(hash_id);
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t outl = 0;
	int rc = -EIO;

	if (digest == NULL)
		return -EINVAL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return -EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL || EVP_MAC_init(ctx, key, key_len, params) != 1)
		goto out;
	for (unsigned i = 0; i < nparts; i++)
		if (parts[i].len > 0 && EVP_MAC_update(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (EVP_MAC_final(ctx, out, &outl, DHCHAP_MAX_HASH_LEN) == 1)
		rc = (int)outl;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int dhchap_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

int dhchap_response(const struct dhchap_resp_in *in, uint8_t *out)
{
	static const uint8_t zero;
	size_t hl = dhchap_hash_len(in->hash_id);
	uint8_t seq[4], tid[2];
	const char *label = in->host ? "HostHost" : "Controller";
	const char *first = in->host ? in->hostnqn : in->subnqn;
	const char *second = in->host ? in->subnqn : in->hostnqn;
	struct dhchap_part parts[] = {
	    {in->chal, hl}, {seq, sizeof(seq)},       {tid, sizeof(tid)},
	    {&in->sc_c, 1}, {label, strlen(label)},   {first, strlen(first)},
	    {&zero, 1},     {second, strlen(second)},
	};

	if (hl == 0)
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		seq[i] = (uint8_t)(in->seqnum >> (8 * i));
	tid[0] = (uint8_t)in->t_id;
	tid[1] = (uint8_t)(in->t_id >> 8);
	return dhchap_hmac(in->hash_id, in->key, in->key_len, parts, 8, out) == (int)hl ? 0 : -EIO;
}

int dhchap_augment(uint8_t hash_id, const uint8_t *skey, size_t skey_len, const uint8_t *chal,
		   uint8_t *out)
{
	uint8_t hk[DHCHAP_MAX_HASH_LEN];
	size_t hl = dhchap_hash_len(hash_id);
	unsigned int hkl = 0;
	struct dhchap_part part = {chal, hl};
	int rc = -EIO;

	if (hl == 0)
		return -EINVAL;
	if (EVP_Digest(skey, skey_len, hk, &hkl, EVP_get_digestbyname(dhchap_hash_ossl(hash_id)),
		       NULL) == 1 &&
	    dhchap_hmac(hash_id, hk, hkl, &part, 1, out) == (int)hl)
		rc = 0;
	OPENSSL_cleanse(hk, sizeof(hk));
	return rc;
}

/* ------------------------------------------------------------------ FFDHE */

struct dhchap_dh {
	uint8_t gid;
	size_t len;
	EVP_PKEY *pkey;
};

int dhchap_dh_create(uint8_t gid, struct dhchap_dh **out)
{
	int len = dhchap_dhgroup_len(gid);
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx;
	struct dhchap_dh *dh;

	if (len <= 0)
		return -EINVAL;
	dh = calloc(1, sizeof(*dh));
	if (dh == NULL)
		return -ENOMEM;
	dh->gid = gid;
	dh->len = (size_t)len;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)dhchap_dhgroup_name(gid), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_params(ctx, params) != 1 || EVP_PKEY_generate(ctx, &dh->pkey) != 1) {
		EVP_PKEY_CTX_free(ctx);
		free(dh);
		return -EIO;
	}
	EVP_PKEY_CTX_free(ctx);
	*out = dh;
	return 0;
}

void dhchap_dh_free(struct dhchap_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);
	free(dh);
}

int dhchap_dh_public(const struct dhchap_dh *dh, uint8_t *out, size_t len)
{
	BIGNUM *pub = NULL;
	int rc = -EIO;

	if (len != dh->len)
		return -EINVAL;
	if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, &pub) == 1 &&
	    BN_bn2binpad(pub, out, (int)len) == (int)len)
		rc = 0;
	BN_free(pub);
	return rc;
}

/* The peer's public value @peer as a key of @dh's group, checked. */
static EVP_PKEY *dh_peer_key(const struct dhchap_dh *dh, const uint8_t *peer, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *pub = BN_bin2bn(peer, (int)len, NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *key = NULL;

	if (bld == NULL || pub == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    dhchap_dhgroup_name(dh->gid), 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	/* 1 < y < p - 1 and y^q = 1 mod p: no small-subgroup or degenerate value. */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	BN_free(pub);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

int dhchap_dh_shared(const struct dhchap_dh *dh, const uint8_t *peer, size_t len, uint8_t *out)
{
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx;
	size_t outl = dh->len;
	int rc = -EIO;

	if (len != dh->len)
		return -EINVAL;
	pk = dh_peer_key(dh, peer, len);
	if (pk == NULL)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1 &&
	    EVP_PKEY_derive_set_peer(ctx, pk) == 1 && EVP_PKEY_derive(ctx, out, &outl) == 1 &&
	    outl == dh->len)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}
