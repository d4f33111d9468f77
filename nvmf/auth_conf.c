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
#include "util.h"

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

/* A secret's source string (it may be the secret itself): wiped, freed. */
static void src_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void nvmf_host_free(struct nvmf_host *h)
{
	key_free(h->dhchap_key);
	key_free(h->dhchap_ctrl_key);
	src_free(h->dhchap_src);
	src_free(h->ctrl_src);
	free(h->psk_name);
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
}

static bool src_is_path(const char *src)
{
	return src[0] == '/' || src[0] == '.';
}

static bool src_is_inline(const char *src)
{
	return strncmp(src, "DHHC-1:", 7) == 0;
}

/* Parse @src (inline, key file or keyring name) into @k. */
static int key_parse_src(struct nvmf_tgt *tgt, const char *src, struct dhchap_key *k)
{
	char text[512];
	const char *path = src, *why;
	int rc;

	if (src_is_inline(src))
		return dhchap_key_parse(src, k) != 0 ? -EINVAL : 0;
	if (!src_is_path(src) && (path = nvmf_keyring_path(tgt, src)) == NULL)
		return -EINVAL; /* neither a secret nor a key's name */
	rc = key_file_read(path, text, sizeof(text), &why);
	if (rc == 0 && dhchap_key_parse(text, k) != 0)
		rc = -EINVAL;
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

static int key_new(struct nvmf_tgt *tgt, const char *src, struct dhchap_key **out, char **src_out)
{
	struct dhchap_key *k;
	int rc;

	*out = NULL;
	*src_out = NULL;
	if (src == NULL)
		return 0;
	k = malloc(sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	rc = key_parse_src(tgt, src, k);
	if (rc == 0 && (*src_out = strdup(src)) == NULL)
		rc = -ENOMEM;
	if (rc != 0) {
		key_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/* New secrets for one running queue: re-authentications from now on use them. */
struct auth_rekey {
	struct nvmf_conn *c;
	struct nvmf_auth *keys; /* only the keys are filled in */
};

/* On the queue's group: swap the keys between transactions, never inside one. */
static void rekey_msg(void *arg)
{
	struct auth_rekey *r = arg;
	struct nvmf_auth *a = r->c->auth, *k = r->keys;

	if (a != NULL && (a->step == NVMF_AUTH_DONE || a->step == NVMF_AUTH_NEGOTIATE)) {
		memcpy(a->hkey, k->hkey, sizeof(a->hkey));
		memcpy(a->ckey, k->ckey, sizeof(a->ckey));
		a->hkey_len = k->hkey_len;
		a->ckey_len = k->ckey_len;
	}
	nvmf_auth_free(k);
	free(r);
}

/* Hand the host's new secrets to each queue it has authenticated (main thread). */
static void rekey_queues(struct nvmf_subsystem *ss, const char *hostnqn)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (ctrlr->state != NVMF_CTRLR_LIVE || strcmp(ctrlr->hostnqn, hostnqn) != 0)
			continue;
		for (uint32_t qid = 0; qid < ctrlr->max_qpairs; qid++) {
			struct nvmf_conn *c = ctrlr->conns[qid];
			struct auth_rekey *r;

			if (c == NULL || (r = calloc(1, sizeof(*r))) == NULL)
				continue;
			r->c = c;
			if (nvmf_auth_create(ss, hostnqn, &r->keys) != 0 || r->keys == NULL ||
			    nvmf_msg_send(c->pg, rekey_msg, r) != 0) {
				nvmf_auth_free(r->keys);
				free(r);
			}
		}
	}
}

int nvmf_subsystem_host_set_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char *key,
				   const char *ctrl_key)
{
	struct nvmf_host *h = nvmf_ss_host_find(ss, hostnqn);
	struct dhchap_key *k, *ck = NULL;
	char *ks, *cks = NULL;
	int rc;

	if (h == NULL)
		return -ENOENT;
	if (key == NULL && ctrl_key != NULL)
		return -EINVAL; /* a controller secret only answers a host's */
	rc = key_new(ss->tgt, key, &k, &ks);
	if (rc == 0)
		rc = key_new(ss->tgt, ctrl_key, &ck, &cks);
	if (rc != 0) {
		key_free(k);
		src_free(ks);
		return rc;
	}
	key_free(h->dhchap_key);
	key_free(h->dhchap_ctrl_key);
	src_free(h->dhchap_src);
	src_free(h->ctrl_src);
	h->dhchap_key = k;
	h->dhchap_ctrl_key = ck;
	h->dhchap_src = ks;
	h->ctrl_src = cks;
	rekey_queues(ss, hostnqn);
	return 0;
}

/* A keyring name as its key file's path; anything else as given. */
static const char *src_shown(struct nvmf_tgt *tgt, const char *src)
{
	const char *path;

	if (src == NULL || src_is_inline(src) || src_is_path(src))
		return src;
	path = nvmf_keyring_path(tgt, src);
	return path != NULL ? path : src;
}

int nvmf_subsystem_host_get_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char **key,
				   const char **ctrl_key)
{
	struct nvmf_host *h = nvmf_ss_host_find(ss, hostnqn);

	if (h == NULL)
		return -ENOENT;
	*key = src_shown(ss->tgt, h->dhchap_src);
	*ctrl_key = src_shown(ss->tgt, h->ctrl_src);
	return 0;
}

int nvmf_subsystem_host_set_psk_key(struct nvmf_subsystem *ss, const char *hostnqn,
				    const char *name)
{
	struct nvmf_host *h = nvmf_ss_host_find(ss, hostnqn);
	char *copy = NULL;

	if (h == NULL)
		return -ENOENT;
	if (name != NULL && nvmf_keyring_path(ss->tgt, name) == NULL)
		return -ENOKEY;
	if (name != NULL && (copy = strdup(name)) == NULL)
		return -ENOMEM;
	free(h->psk_name);
	h->psk_name = copy;
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

void nvmf_subsystem_get_dhchap_lists(struct nvmf_subsystem *ss, uint8_t hashes[6], unsigned *nh,
				     uint8_t groups[6], unsigned *ng)
{
	_Static_assert(sizeof(ss->dhchap_hashes) <= 6 && sizeof(ss->dhchap_groups) <= 6,
		       "lists fit the caller's arrays");
	*nh = ss->n_dhchap_hashes;
	memcpy(hashes, ss->dhchap_hashes, *nh);
	*ng = ss->n_dhchap_groups;
	memcpy(groups, ss->dhchap_groups, *ng);
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
