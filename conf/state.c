/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state.c - the running target described as plain data for the reload
 * diff, read through the nvmf listing API only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reload.h"

void *conf_state_grow(void *arr_ptr, unsigned *n, size_t size)
{
	char **arr = arr_ptr;
	char *grown;

	/* Capacity doubles at powers of two: no separate count is kept. */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		grown = realloc(*arr, (*n ? *n * 2 : 4) * size);
		if (grown == NULL)
			return NULL;
		*arr = grown;
	}
	memset(*arr + *n * size, 0, size);
	return *arr + (*n)++ * size;
}

struct state_reader {
	struct conf_state *st;
	struct conf_state_ss *ss; /* the subsystem being read */
	struct tls_keyring *kr;   /* the target's TLS PSKs */
	bool nomem;
};

static void read_transport(void *arg, const char *name, const struct nvmf_transport_opts *opts)
{
	struct state_reader *r = arg;
	struct nvmf_transport_opts *t;

	(void)name;
	t = conf_state_grow(&r->st->trs, &r->st->n_trs, sizeof(*t));
	if (t == NULL) {
		r->nomem = true;
		return;
	}
	*t = *opts;
}

static void read_backend(void *arg, const struct nvmf_backend_info *info)
{
	struct state_reader *r = arg;
	struct conf_state_backend *b;

	b = conf_state_grow(&r->st->backends, &r->st->n_backends, sizeof(*b));
	if (b == NULL || (info->path && (b->path = strdup(info->path)) == NULL)) {
		r->nomem = true;
		return;
	}
	snprintf(b->name, sizeof(b->name), "%s", info->name);
	snprintf(b->type, sizeof(b->type), "%s", info->type);
	b->size = info->size;
	b->block_size = info->block_size;
	b->nsid = info->nsid;
}

static void read_host(void *arg, const char *hostnqn)
{
	struct state_reader *r = arg;
	char(*h)[NVMF_NQN_MAX_LEN + 1];

	struct tls_psk *k;

	h = conf_state_grow(&r->ss->hosts, &r->ss->n_hosts, sizeof(*h));
	k = conf_state_grow(&r->ss->host_psks, &r->ss->n_host_psks, sizeof(*k));
	if (h == NULL || k == NULL) {
		r->nomem = true;
		return;
	}
	snprintf(*h, sizeof(*h), "%s", hostnqn);
	if (r->kr == NULL || tls_keyring_retained(r->kr, hostnqn, r->ss->nqn, k) != 0)
		memset(k, 0, sizeof(*k)); /* no key: hash 0 */
}

static void read_listener(void *arg, const struct nvmf_listen_addr *addr)
{
	struct state_reader *r = arg;
	struct nvmf_listen_addr *l;

	l = conf_state_grow(&r->ss->listens, &r->ss->n_listens, sizeof(*l));
	if (l == NULL)
		r->nomem = true;
	else
		*l = *addr;
}

static void read_ns(void *arg, const struct nvmf_ns_info *info)
{
	struct state_reader *r = arg;
	struct conf_state_ns *ns;

	ns = conf_state_grow(&r->ss->nss, &r->ss->n_nss, sizeof(*ns));
	if (ns == NULL) {
		r->nomem = true;
		return;
	}
	ns->nsid = info->nsid;
	snprintf(ns->backend, sizeof(ns->backend), "%s", info->backend_name);
	memcpy(ns->uuid, info->uuid, sizeof(ns->uuid));
	memcpy(ns->nguid, info->nguid, sizeof(ns->nguid));
	memcpy(ns->eui64, info->eui64, sizeof(ns->eui64));
}

static void read_subsystem(void *arg, struct nvmf_subsystem *ss)
{
	struct state_reader *r = arg;
	struct nvmf_subsystem_info info;
	struct conf_state_ss *s;

	s = conf_state_grow(&r->st->sss, &r->st->n_sss, sizeof(*s));
	if (s == NULL) {
		r->nomem = true;
		return;
	}
	nvmf_subsystem_get_info(ss, &info);
	snprintf(s->nqn, sizeof(s->nqn), "%s", info.nqn);
	snprintf(s->sn, sizeof(s->sn), "%s", info.sn);
	snprintf(s->mn, sizeof(s->mn), "%s", info.mn);
	s->max_nsid = info.max_nsid;
	s->allow_any_host = info.allow_any_host;
	s->admin_passthru = info.admin_passthru;
	r->ss = s;
	nvmf_subsystem_foreach_host(ss, read_host, r);
	nvmf_subsystem_foreach_listener(ss, read_listener, r);
	nvmf_subsystem_foreach_ns(ss, read_ns, r);
}

int conf_state_read(struct nvmf_tgt *tgt, struct conf_state **out)
{
	struct state_reader r = {0};

	*out = NULL;
	r.st = calloc(1, sizeof(*r.st));
	if (r.st == NULL)
		return -ENOMEM;
	r.kr = nvmf_tgt_keyring(tgt);
	nvmf_tgt_get_opts(tgt, &r.st->tgt_opts);
	nvmf_tgt_foreach_transport(tgt, read_transport, &r);
	nvmf_backend_foreach(tgt, read_backend, &r);
	nvmf_subsystem_foreach(tgt, read_subsystem, &r);
	if (r.nomem) {
		conf_state_free(r.st);
		return -ENOMEM;
	}
	*out = r.st;
	return 0;
}

void conf_state_free(struct conf_state *st)
{
	if (st == NULL)
		return;
	for (unsigned i = 0; i < st->n_sss; i++) {
		free(st->sss[i].hosts);
		for (unsigned j = 0; j < st->sss[i].n_host_psks; j++)
			tls_psk_wipe(&st->sss[i].host_psks[j]);
		free(st->sss[i].host_psks);
		free(st->sss[i].listens);
		free(st->sss[i].nss);
	}
	for (unsigned i = 0; i < st->n_backends; i++)
		free(st->backends[i].path);
	free(st->sss);
	free(st->backends);
	free(st->trs);
	free(st);
}
