/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth_conf.c - DH-HMAC-CHAP settings on the main thread: a host's secrets,
 * a subsystem's allowed hashes and DH groups, and the transaction context
 * a Connect hands to its queue (secrets transformed, copied, wiped on free).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nvmf/auth.h"
#include "nvmf/nvmf_internal.h"

static const uint8_t g_default_hashes[] = {NVMF_AUTH_HASH_SHA256, NVMF_AUTH_HASH_SHA384,
					   NVMF_AUTH_HASH_SHA512};
static const uint8_t g_default_groups[] = {
    NVMF_AUTH_DHGROUP_NULL,      NVMF_AUTH_DHGROUP_FFDHE2048, NVMF_AUTH_DHGROUP_FFDHE3072,
    NVMF_AUTH_DHGROUP_FFDHE4096, NVMF_AUTH_DHGROUP_FFDHE6144, NVMF_AUTH_DHGROUP_FFDHE8192};

static void key_free(struct dhchap_key *k)
{
	if (k == NULL)
		return;
	dhchap_key_wipe(k);
	free(k);
}

void nvmf_host_free(struct nvmf_host *h)
{
	key_free(h->dhchap_key);
	key_free(h->dhchap_ctrl_key);
	free(h);
}

static int key_new(const char *text, struct dhchap_key **out)
{
	struct dhchap_key *k;

	*out = NULL;
	if (text == NULL)
		return 0;
	k = malloc(sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	if (dhchap_key_parse(text, k) != 0) {
		free(k);
		return -EINVAL;
	}
	*out = k;
	return 0;
}

int nvmf_subsystem_host_set_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char *key,
				   const char *ctrl_key)
{
	struct nvmf_host *h = nvmf_ss_host_find(ss, hostnqn);
	struct dhchap_key *k, *ck;
	int rc;

	if (h == NULL)
		return -ENOENT;
	if (key == NULL && ctrl_key != NULL)
		return -EINVAL; /* a controller secret only answers a host's */
	rc = key_new(key, &k);
	if (rc == 0)
		rc = key_new(ctrl_key, &ck);
	if (rc != 0) {
		key_free(k);
		return rc;
	}
	key_free(h->dhchap_key);
	key_free(h->dhchap_ctrl_key);
	h->dhchap_key = k;
	h->dhchap_ctrl_key = ck;
	return 0;
}

static int set_ids(uint8_t *dst, uint8_t *n, size_t cap, const uint8_t *ids, unsigned nids,
		   bool (*valid)(uint8_t))
{
	if (nids == 0 || nids > cap)
		return -EINVAL;
	for (unsigned i = 0; i < nids; i++)
		if (!valid(ids[i]) || memchr(ids, ids[i], i) != NULL)
			return -EINVAL;
	memcpy(dst, ids, nids);
	*n = (uint8_t)nids;
	return 0;
}

static bool hash_valid(uint8_t id)
{
	return dhchap_hash_len(id) != 0;
}

static bool group_valid(uint8_t id)
{
	return dhchap_dhgroup_len(id) >= 0;
}

int nvmf_subsystem_set_dhchap_hashes(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n)
{
	return set_ids(ss->dhchap_hashes, &ss->n_dhchap_hashes, sizeof(ss->dhchap_hashes), ids, n,
		       hash_valid);
}

int nvmf_subsystem_set_dhchap_groups(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n)
{
	return set_ids(ss->dhchap_groups, &ss->n_dhchap_groups, sizeof(ss->dhchap_groups), ids, n,
		       group_valid);
}

bool nvmf_subsystem_dhchap_configured(struct nvmf_subsystem *ss, const char *hostnqn)
{
	struct nvmf_host *h;

	if (hostnqn == NULL)
		return ss->n_dhchap_hashes != 0 || ss->n_dhchap_groups != 0;
	h = nvmf_ss_host_find(ss, hostnqn);
	return h != NULL && h->dhchap_key != NULL;
}

static void auth_lists(struct nvmf_auth *a, const struct nvmf_subsystem *ss)
{
	a->nhashes = ss->n_dhchap_hashes ? ss->n_dhchap_hashes : sizeof(g_default_hashes);
	memcpy(a->hashes, ss->n_dhchap_hashes ? ss->dhchap_hashes : g_default_hashes, a->nhashes);
	a->ngroups = ss->n_dhchap_groups ? ss->n_dhchap_groups : sizeof(g_default_groups);
	memcpy(a->groups, ss->n_dhchap_groups ? ss->dhchap_groups : g_default_groups, a->ngroups);
}

int nvmf_auth_create(struct nvmf_subsystem *ss, const char *hostnqn, struct nvmf_auth **out)
{
	struct nvmf_host *h = ss->discovery ? NULL : nvmf_ss_host_find(ss, hostnqn);
	struct nvmf_auth *a;
	int len;

	*out = NULL;
	if (h == NULL || h->dhchap_key == NULL)
		return 0;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	snprintf(a->hostnqn, sizeof(a->hostnqn), "%s", hostnqn);
	snprintf(a->subnqn, sizeof(a->subnqn), "%s", ss->nqn);
	auth_lists(a, ss);
	len = dhchap_key_transform(h->dhchap_key, hostnqn, a->hkey);
	if (len > 0) {
		a->hkey_len = (uint8_t)len;
		if (h->dhchap_ctrl_key != NULL)
			len = dhchap_key_transform(h->dhchap_ctrl_key, ss->nqn, a->ckey);
		a->ckey_len = h->dhchap_ctrl_key != NULL && len > 0 ? (uint8_t)len : 0;
	}
	if (len <= 0) {
		nvmf_auth_free(a);
		return -EIO;
	}
	*out = a;
	return 0;
}

void nvmf_auth_free(struct nvmf_auth *a)
{
	if (a == NULL)
		return;
	dhchap_dh_free(a->dh);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}
