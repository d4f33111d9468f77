/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_keyring.c - the retained PSKs of (host NQN, subsystem NQN) pairs, and
 * the lookup a TLS server does with the PSK identity a host sends. Changed
 * on the main thread, read by poll groups during handshakes: one mutex
 * (never on the I/O path).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/crypto.h>

#include "util_tls_psk.h"

struct keyring_entry {
	TAILQ_ENTRY(keyring_entry) link;
	char *hostnqn;
	char *subnqn;
	char *source; /* what psk= said: a key file path or the interchange string */
	struct tls_psk retained;
};

struct tls_keyring {
	pthread_mutex_t lock;
	int kdf; /* enum tls_psk_kdf of keys added from now on */
	TAILQ_HEAD(, keyring_entry) entries;
};

struct tls_keyring *tls_keyring_create(void)
{
	struct tls_keyring *kr = calloc(1, sizeof(*kr));

	if (kr == NULL)
		return NULL;
	pthread_mutex_init(&kr->lock, NULL);
	TAILQ_INIT(&kr->entries);
	return kr;
}

void tls_keyring_set_kdf(struct tls_keyring *kr, int kdf)
{
	pthread_mutex_lock(&kr->lock);
	kr->kdf = kdf;
	pthread_mutex_unlock(&kr->lock);
}

int tls_keyring_kdf(struct tls_keyring *kr)
{
	int kdf;

	pthread_mutex_lock(&kr->lock);
	kdf = kr->kdf;
	pthread_mutex_unlock(&kr->lock);
	return kdf;
}

static void entry_free(struct keyring_entry *e)
{
	tls_psk_wipe(&e->retained);
	if (e->source != NULL)
		OPENSSL_cleanse(e->source, strlen(e->source));
	free(e->source);
	free(e->hostnqn);
	free(e->subnqn);
	free(e);
}

void tls_keyring_destroy(struct tls_keyring *kr)
{
	struct keyring_entry *e;

	if (kr == NULL)
		return;
	while ((e = TAILQ_FIRST(&kr->entries)) != NULL) {
		TAILQ_REMOVE(&kr->entries, e, link);
		entry_free(e);
	}
	pthread_mutex_destroy(&kr->lock);
	free(kr);
}

/* The entry of a pair; lock held. */
static struct keyring_entry *entry_find(struct tls_keyring *kr, const char *hostnqn,
					const char *subnqn)
{
	struct keyring_entry *e;

	TAILQ_FOREACH(e, &kr->entries, link)
	{
		if (strcmp(e->hostnqn, hostnqn) == 0 && strcmp(e->subnqn, subnqn) == 0)
			return e;
	}
	return NULL;
}

int tls_keyring_add(struct tls_keyring *kr, const char *hostnqn, const char *subnqn,
		    const struct tls_psk *cfg, const char *source)
{
	char text[128];
	struct keyring_entry *e, *old;
	struct tls_psk key = *cfg;
	int rc;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	if (source == NULL && tls_psk_format(cfg, text, sizeof(text)) == 0)
		source = text;
	e->hostnqn = strdup(hostnqn);
	e->subnqn = strdup(subnqn);
	e->source = source != NULL ? strdup(source) : NULL;
	OPENSSL_cleanse(text, sizeof(text));
	if (e->hostnqn == NULL || e->subnqn == NULL || e->source == NULL) {
		entry_free(e);
		return -ENOMEM;
	}
	pthread_mutex_lock(&kr->lock);
	key.kdf = (uint8_t)kr->kdf;
	pthread_mutex_unlock(&kr->lock);
	rc = tls_psk_retained(&key, hostnqn, &e->retained);
	tls_psk_wipe(&key);
	if (rc != 0) {
		entry_free(e);
		return rc;
	}
	pthread_mutex_lock(&kr->lock);
	old = entry_find(kr, hostnqn, subnqn);
	if (old != NULL)
		TAILQ_REMOVE(&kr->entries, old, link);
	TAILQ_INSERT_TAIL(&kr->entries, e, link);
	pthread_mutex_unlock(&kr->lock);
	if (old != NULL)
		entry_free(old);
	return 0;
}

int tls_keyring_remove(struct tls_keyring *kr, const char *hostnqn, const char *subnqn)
{
	struct keyring_entry *e;

	pthread_mutex_lock(&kr->lock);
	e = entry_find(kr, hostnqn, subnqn);
	if (e != NULL)
		TAILQ_REMOVE(&kr->entries, e, link);
	pthread_mutex_unlock(&kr->lock);
	if (e == NULL)
		return -ENOENT;
	entry_free(e);
	return 0;
}

int tls_keyring_remove_subsystem(struct tls_keyring *kr, const char *subnqn)
{
	TAILQ_HEAD(, keyring_entry) gone = TAILQ_HEAD_INITIALIZER(gone);
	struct keyring_entry *e, *next;
	int n = 0;

	pthread_mutex_lock(&kr->lock);
	for (e = TAILQ_FIRST(&kr->entries); e != NULL; e = next) {
		next = TAILQ_NEXT(e, link);
		if (strcmp(e->subnqn, subnqn) != 0)
			continue;
		TAILQ_REMOVE(&kr->entries, e, link);
		TAILQ_INSERT_TAIL(&gone, e, link);
	}
	pthread_mutex_unlock(&kr->lock);
	while ((e = TAILQ_FIRST(&gone)) != NULL) {
		TAILQ_REMOVE(&gone, e, link);
		entry_free(e);
		n++;
	}
	return n;
}

int tls_keyring_retained(struct tls_keyring *kr, const char *hostnqn, const char *subnqn,
			 struct tls_psk *out)
{
	struct keyring_entry *e;

	pthread_mutex_lock(&kr->lock);
	e = entry_find(kr, hostnqn, subnqn);
	if (e != NULL)
		*out = e->retained;
	pthread_mutex_unlock(&kr->lock);
	return e != NULL ? 0 : -ENOENT;
}

int tls_keyring_source(struct tls_keyring *kr, const char *hostnqn, const char *subnqn, char *buf,
		       size_t len)
{
	struct keyring_entry *e;
	int rc = -ENOENT;

	pthread_mutex_lock(&kr->lock);
	e = entry_find(kr, hostnqn, subnqn);
	if (e != NULL)
		rc = snprintf(buf, len, "%s", e->source) < (int)len ? 0 : -ENOSPC;
	pthread_mutex_unlock(&kr->lock);
	return rc;
}

int tls_keyring_find(struct tls_keyring *kr, const char *identity, size_t len, struct tls_psk *tls)
{
	char copy[TLS_PSK_IDENTITY_MAX + 1], want[TLS_PSK_IDENTITY_MAX + 1];
	struct tls_psk_ident id;
	struct tls_psk retained;
	struct keyring_entry *e;
	int rc;

	if (len > TLS_PSK_IDENTITY_MAX || memchr(identity, '\0', len) != NULL)
		return -EINVAL;
	memcpy(copy, identity, len);
	copy[len] = '\0';
	if (tls_psk_ident_parse(copy, &id) != 0)
		return -EINVAL;
	pthread_mutex_lock(&kr->lock);
	e = entry_find(kr, id.hostnqn, id.subnqn);
	if (e != NULL)
		retained = e->retained;
	pthread_mutex_unlock(&kr->lock);
	if (e == NULL || retained.hash != id.hash) {
		rc = -ENOENT;
		goto out;
	}
	/* Rebuild the identity from our key: a version-1 digest must match it. */
	rc =
	    tls_psk_identity(&retained, id.version, id.hostnqn, id.subnqn, want, sizeof(want), tls);
	if (rc == 0 && (strlen(want) != len || CRYPTO_memcmp(want, identity, len) != 0)) {
		tls_psk_wipe(tls);
		rc = -ENOENT;
	}
out:
	tls_psk_wipe(&retained);
	return rc;
}
