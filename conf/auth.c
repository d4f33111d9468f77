/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.c - DH-HMAC-CHAP in the conf file: the options after a Host's NQN
 * ("dhchap_key=" and "dhchap_ctrlr_key=", each a DHHC-1:... secret or the
 * path of a key file holding one), one table entry each, and a subsystem's DhchapDigests / DhchapDHGroups lists.
 * Secret values are checked here but never printed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf/conf_internal.h"
#include "util.h"
#include "util_dhchap.h"
#include "util_tls_psk.h"

/* One option of a Host line: "name=value", stored at @offset of conf_host. */
struct host_opt {
	const char *name;
	size_t offset;
	int (*check)(struct conf_parser *p, const char *name, const char *value);
};

/* A secret inline, or (starting with '/' or '.') the path of a key file holding one. */
static int check_secret(struct conf_parser *p, const char *name, const char *value)
{
	struct dhchap_key k;
	char text[512];
	const char *why = NULL;
	int rc = 0;

	if (value[0] == '/' || value[0] == '.') {
		rc = key_file_read(value, text, sizeof(text), &why);
		if (rc != 0) {
			conf_perr(p, "Host: %s: key file %s: %s", name, value,
				  why != NULL ? why : strerror(-rc));
			return rc;
		}
		value = text;
	}
	rc = dhchap_key_parse(value, &k);
	dhchap_key_wipe(&k);
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != 0)
		conf_perr(p,
			  "Host: %s: not a DH-HMAC-CHAP secret (DHHC-1:0X:<base64 of a 32, 48 or "
			  "64 byte secret and its CRC-32>:, as nvme gen-dhchap-key writes it) nor "
			  "the path of a key file holding one",
			  name);
	return rc;
}

static const struct host_opt g_host_opts[] = {
    {"dhchap_key", offsetof(struct conf_host, dhchap_key), check_secret},
    {"dhchap_ctrlr_key", offsetof(struct conf_host, dhchap_ctrl_key), check_secret},
};

static void secret_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void conf_host_free(struct conf_host *h)
{
	free(h->nqn);
	tls_psk_wipe(h->psk);
	free(h->psk);
	free(h->psk_file);
	secret_free(h->dhchap_key);
	secret_free(h->dhchap_ctrl_key);
}

static int host_opt(struct conf_parser *p, struct conf_host *h, char *tok)
{
	char *eq = strchr(tok, '=');

	if (strncmp(tok, "psk=", 4) == 0)
		return conf_host_psk(p, h, tok + 4);

	for (size_t i = 0; eq != NULL && i < sizeof(g_host_opts) / sizeof(g_host_opts[0]); i++) {
		const struct host_opt *o = &g_host_opts[i];
		char **dst = (char **)((char *)h + o->offset);

		if (strlen(o->name) != (size_t)(eq - tok) || strncmp(tok, o->name, eq - tok) != 0)
			continue;
		if (*dst != NULL) {
			conf_perr(p, "Host: %s given twice", o->name);
			return -EINVAL;
		}
		if (o->check(p, o->name, eq + 1) != 0)
			return -EINVAL;
		*dst = strdup(eq + 1);
		if (*dst == NULL) {
			p->nomem = true;
			return -ENOMEM;
		}
		return 0;
	}
	if (eq != NULL)
		*eq = '\0'; /* the value may be a secret: name only */
	conf_perr(p, "Host: unknown option '%s' (expected psk=, dhchap_key=, dhchap_ctrlr_key=)",
		  tok);
	return -EINVAL;
}

int conf_host_options(struct conf_parser *p, struct conf_host *h, char *opts)
{
	char *save = NULL;
	int rc = 0;

	for (char *t = strtok_r(opts, " \t", &save); t && rc == 0; t = strtok_r(NULL, " \t", &save))
		rc = host_opt(p, h, t);
	if (rc == 0 && h->dhchap_ctrl_key != NULL && h->dhchap_key == NULL) {
		conf_perr(p, "Host: dhchap_ctrlr_key needs dhchap_key (bidirectional "
			     "authentication answers the host's)");
		rc = -EINVAL;
	}
	return rc;
}

/* A list of names into @l, each known to @id_of and given once. */
static int id_list(struct conf_parser *p, const char *key, struct conf_id_list *l,
		   const char *value, int (*id_of)(const char *), const char *expected)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", value);
	l->n = 0;
	for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		int id = id_of(t);

		if (id < 0 || l->n == sizeof(l->ids) || memchr(l->ids, id, l->n) != NULL) {
			conf_perr(p, "%s: '%s' %s (expected %s)", key, t,
				  id < 0 ? "is not known" : "is given twice", expected);
			return -EINVAL;
		}
		l->ids[l->n++] = (uint8_t)id;
	}
	if (l->n == 0) {
		conf_perr(p, "%s: empty list (expected %s)", key, expected);
		return -EINVAL;
	}
	l->line = p->line;
	return 0;
}

int conf_parse_dhchap_hashes(struct conf_parser *p, const struct conf_directive *d, void *sect,
			     void *field, const char *value)
{
	(void)sect;
	return id_list(p, d->key, field, value, dhchap_hash_id, "sha256, sha384, sha512");
}

int conf_parse_dhchap_groups(struct conf_parser *p, const struct conf_directive *d, void *sect,
			     void *field, const char *value)
{
	(void)sect;
	return id_list(p, d->key, field, value, dhchap_dhgroup_id,
		       "null, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192");
}
