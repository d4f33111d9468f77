/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keyring.c - named key files on the main thread: a host's DH-HMAC-CHAP
 * secrets and TLS PSK may name one; a key in use cannot be removed. The
 * keyring holds names and paths only, never a secret.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nvmf/nvmf_internal.h"
#include "util.h"

#define KEY_TEXT_MAX 512

static struct nvmf_key *key_find(struct nvmf_tgt *tgt, const char *name)
{
	struct nvmf_key *k;

	TAILQ_FOREACH(k, &tgt->keys, link)
	{
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NVMF_KEY_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") ==
	       len;
}

static bool key_src_is(const char *src, const char *name)
{
	return src != NULL && strcmp(src, name) == 0;
}

int nvmf_keyring_add(struct nvmf_tgt *tgt, const char *name, const char *path, const char **why)
{
	char text[KEY_TEXT_MAX];
	struct nvmf_key *k;
	int rc;

	*why = NULL;
	if (!name_valid(name)) {
		*why = "name: 1 to 63 of A-Z a-z 0-9 _ - ., not starting with '.'";
		return -EINVAL;
	}
	if (path[0] != '/') {
		*why = "path: not an absolute path";
		return -EINVAL;
	}
	if (key_find(tgt, name) != NULL)
		return -EEXIST;
	rc = key_file_read(path, text, sizeof(text), why);
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != 0)
		return rc;
	k = calloc(1, sizeof(*k));
	if (k == NULL || (k->path = strdup(path)) == NULL) {
		free(k);
		return -ENOMEM;
	}
	snprintf(k->name, sizeof(k->name), "%s", name);
	TAILQ_INSERT_TAIL(&tgt->keys, k, link);
	return 0;
}

struct user_buf {
	char *buf;
	size_t len;
};

/* The first user found, for the error of a refused removal. */
static void first_user(void *arg, const char *subnqn, const char *hostnqn, const char *role)
{
	struct user_buf *u = arg;

	if (u->buf[0] == '\0')
		snprintf(u->buf, u->len, "host %s on subsystem %s (%s)", hostnqn, subnqn, role);
}

int nvmf_keyring_remove(struct nvmf_tgt *tgt, const char *name, char *user, size_t len)
{
	struct nvmf_key *k = key_find(tgt, name);
	struct user_buf u = {user, len};

	if (k == NULL)
		return -ENOENT;
	user[0] = '\0';
	nvmf_keyring_foreach_user(tgt, name, first_user, &u);
	if (user[0] != '\0')
		return -EBUSY;
	TAILQ_REMOVE(&tgt->keys, k, link);
	free(k->path);
	free(k);
	return 0;
}

const char *nvmf_keyring_path(struct nvmf_tgt *tgt, const char *name)
{
	struct nvmf_key *k = key_find(tgt, name);

	return k != NULL ? k->path : NULL;
}

void nvmf_keyring_foreach(struct nvmf_tgt *tgt,
			  void (*cb)(void *arg, const char *name, const char *path), void *arg)
{
	struct nvmf_key *k;

	TAILQ_FOREACH(k, &tgt->keys, link)
	cb(arg, k->name, k->path);
}

void nvmf_keyring_foreach_user(struct nvmf_tgt *tgt, const char *name,
			       void (*cb)(void *arg, const char *subnqn, const char *hostnqn,
					  const char *role),
			       void *arg)
{
	struct nvmf_subsystem *ss;
	struct nvmf_host *h;

	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		TAILQ_FOREACH(h, &ss->hosts, link)
		{
			if (key_src_is(h->psk_name, name))
				cb(arg, ss->nqn, h->nqn, "psk");
			if (key_src_is(h->dhchap_src, name))
				cb(arg, ss->nqn, h->nqn, "dhchap_key");
			if (key_src_is(h->ctrl_src, name))
				cb(arg, ss->nqn, h->nqn, "dhchap_ctrlr_key");
		}
	}
}

void nvmf_keyring_clear(struct nvmf_tgt *tgt)
{
	struct nvmf_key *k;

	while ((k = TAILQ_FIRST(&tgt->keys)) != NULL) {
		TAILQ_REMOVE(&tgt->keys, k, link);
		free(k->path);
		free(k);
	}
}
