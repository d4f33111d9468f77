/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * apply.c - a validated conf -> calls of the nvmf API: transports, backends,
 * then subsystems, then the discovery service's NQN and referrals. A refusal from the core is reported with the file:line
 * of the directive that asked for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reload.h"

struct apply_ctx {
	const struct conf *c;
	struct nvmf_tgt *tgt;
	struct conf_errors *errs;
	struct nvmf_subsystem **created; /* for the roll-back */
	unsigned n_created;
};

static size_t kind_width(enum conf_kind kind)
{
	switch (kind) {
	case CONF_INT:
	case CONF_SIZE32:
		return sizeof(uint32_t);
	case CONF_BOOL:
		return sizeof(bool);
	default:
		return 0;
	}
}

void conf_transport_opts(const struct conf_transport *t, struct nvmf_transport_opts *opts)
{
	const size_t base = offsetof(struct conf_transport, opts);

	nvmf_transport_opts_init(opts, t->opts.trtype);
	/* Overlay each key given: the table knows where its value lives. */
	for (unsigned i = 0; i < conf_n_directives; i++) {
		const struct conf_directive *d = &conf_directives[i];
		size_t width = kind_width(d->kind);

		if (!(d->sections & CONF_BIT(CONF_SECT_TRANSPORT)) || !t->hdr.seen[i] || !width)
			continue;
		memcpy((char *)opts + (d->offset - base), (const char *)t + d->offset, width);
	}
}

const char *conf_trtype_name(uint8_t trtype)
{
	return trtype == NVMF_TRTYPE_TCP ? "TCP" : trtype == NVMF_TRTYPE_RDMA ? "RDMA" : "?";
}

static bool tcp_needed(const struct conf *c)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_subsystem *ss = (const void *)c->sects[i];

		if (ss->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; j < ss->n_listens; j++) {
			if (ss->listens[j].addr.trtype == NVMF_TRTYPE_TCP)
				return true;
		}
	}
	return false;
}

const char *conf_transport_opts_diff(const struct nvmf_transport_opts *a,
				     const struct nvmf_transport_opts *b)
{
	const size_t base = offsetof(struct conf_transport, opts);

	for (unsigned i = 0; i < conf_n_directives; i++) {
		const struct conf_directive *d = &conf_directives[i];
		size_t width = kind_width(d->kind);

		if (!(d->sections & CONF_BIT(CONF_SECT_TRANSPORT)) || !width)
			continue;
		if (memcmp((const char *)a + (d->offset - base),
			   (const char *)b + (d->offset - base), width) != 0)
			return d->key;
	}
	return NULL;
}

unsigned conf_transports_wanted(const struct conf *c, struct nvmf_transport_opts *out,
				unsigned *lines, unsigned max)
{
	bool have_tcp = false;
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_sects && n < max; i++) {
		const struct conf_transport *t = (const void *)c->sects[i];

		if (t->hdr.type != CONF_SECT_TRANSPORT)
			continue;
		conf_transport_opts(t, &out[n]);
		have_tcp |= out[n].trtype == NVMF_TRTYPE_TCP;
		lines[n++] = t->hdr.line;
	}
	/* No [Transport] of Type TCP: TCP with the core's defaults (line 0). */
	if (!have_tcp && tcp_needed(c) && n < max) {
		nvmf_transport_opts_init(&out[n], NVMF_TRTYPE_TCP);
		lines[n++] = 0;
	}
	return n;
}

static int apply_transports(struct apply_ctx *a)
{
	struct nvmf_transport_opts opts[CONF_SECT_COUNT + 4];
	unsigned lines[CONF_SECT_COUNT + 4];
	unsigned n = conf_transports_wanted(a->c, opts, lines, CONF_SECT_COUNT + 4);
	int rc;

	for (unsigned i = 0; i < n; i++) {
		rc = nvmf_tgt_add_transport(a->tgt, &opts[i]);
		if (rc == -EEXIST && lines[i] == 0)
			continue;
		if (rc && lines[i] == 0) {
			conf_err(a->errs, a->c->name, 0, "the default TCP transport: %s",
				 strerror(-rc));
			return rc;
		}
		if (rc) {
			conf_err(a->errs, a->c->name, lines[i], "[Transport] Type %s: %s%s",
				 conf_trtype_name(opts[i].trtype), strerror(-rc),
				 rc == -ENOTSUP ? " (not built into this program)" : "");
			return rc;
		}
	}
	return 0;
}

static unsigned key_line(const struct conf_section *s, const char *key)
{
	int idx = conf_directive_find(s->type, key);

	return idx >= 0 && s->seen[idx] ? s->seen[idx] : s->line;
}

/* [Nvme]: one backend per namespace of Namespaces (validated when parsed), or all. */
static int apply_nvme(struct apply_ctx *a, const struct conf_backend *b, unsigned *line)
{
	uint32_t nsids[CONF_NVME_NSIDS_MAX];
	int n = b->nsids ? conf_nsid_list(b->nsids, nsids) : 0;

	if (n < 0) {
		*line = key_line(&b->hdr, "Namespaces");
		return n;
	}
	*line = key_line(&b->hdr, "TrAddr");
	return nvmf_backend_nvme_create(a->tgt, b->name, b->path, nsids, (unsigned)n);
}

static int apply_backend(struct apply_ctx *a, const struct conf_backend *b)
{
	uint32_t bs = (uint32_t)b->block_size;
	unsigned line = key_line(&b->hdr, "Name");
	int rc;

	switch (b->hdr.type) {
	case CONF_SECT_RAM:
		rc = nvmf_backend_ram_create(a->tgt, b->name, b->size, bs);
		break;
	case CONF_SECT_NULL:
		rc = nvmf_backend_null_create(a->tgt, b->name, b->size, bs);
		break;
	case CONF_SECT_NVME:
		rc = apply_nvme(a, b, &line);
		break;
	default:
		rc = nvmf_backend_file_create(a->tgt, b->name, b->path, b->size, bs);
		if (rc && rc != -EEXIST && rc != -ENOMEM)
			line = key_line(&b->hdr, "Path");
		break;
	}
	if (rc)
		conf_err(a->errs, a->c->name, line, "%s %s: cannot create the backend: %s",
			 b->hdr.title, b->name, strerror(-rc));
	return rc;
}

static int apply_backends(struct apply_ctx *a)
{
	for (unsigned i = 0; i < a->c->n_sects; i++) {
		const struct conf_section *s = a->c->sects[i];
		int rc;

		if (!(CONF_BIT(s->type) & CONF_BACKENDS))
			continue;
		rc = apply_backend(a, (const struct conf_backend *)s);
		if (rc)
			return rc;
	}
	return 0;
}

/* Report a refusal by the core for subsystem @cs at @line. @return rc. */
static int refused(struct apply_ctx *a, const struct conf_subsystem *cs, unsigned line, int rc,
		   const char *what)
{
	conf_err(a->errs, a->c->name, line, "subsystem %s: %s: %s", cs->nqn, what, strerror(-rc));
	return rc;
}

static int apply_identity(struct apply_ctx *a, const struct conf_subsystem *cs,
			  struct nvmf_subsystem *ss)
{
	int rc;

	if (cs->sn && (rc = nvmf_subsystem_set_sn(ss, cs->sn)) != 0)
		return refused(a, cs, key_line(&cs->hdr, "SN"), rc, "SN");
	if (cs->mn && (rc = nvmf_subsystem_set_mn(ss, cs->mn)) != 0)
		return refused(a, cs, key_line(&cs->hdr, "MN"), rc, "MN");
	if (cs->max_namespaces &&
	    (rc = nvmf_subsystem_set_max_namespaces(ss, cs->max_namespaces)) != 0)
		return refused(a, cs, key_line(&cs->hdr, "MaxNamespaces"), rc, "MaxNamespaces");
	nvmf_subsystem_set_allow_any_host(ss, cs->allow_any_host);
	if (cs->dhchap_hashes.n && (rc = nvmf_subsystem_set_dhchap_hashes(
					ss, cs->dhchap_hashes.ids, cs->dhchap_hashes.n)) != 0)
		return refused(a, cs, cs->dhchap_hashes.line, rc, "DhchapDigests");
	if (cs->dhchap_groups.n && (rc = nvmf_subsystem_set_dhchap_groups(
					ss, cs->dhchap_groups.ids, cs->dhchap_groups.n)) != 0)
		return refused(a, cs, cs->dhchap_groups.line, rc, "DhchapDHGroups");
	nvmf_subsystem_set_admin_passthru(ss, cs->admin_passthru);
	return 0;
}

static int apply_members(struct apply_ctx *a, const struct conf_subsystem *cs,
			 struct nvmf_subsystem *ss)
{
	char what[CONF_LINE_MAX + 32];
	int rc;

	for (unsigned i = 0; i < cs->n_hosts; i++) {
		const struct conf_host *h = &cs->hosts[i];

		rc = nvmf_subsystem_add_host(ss, h->nqn);
		if (rc == 0 && h->psk != NULL)
			rc = tls_keyring_add(nvmf_tgt_keyring(a->tgt), h->nqn, cs->nqn, h->psk,
					     h->psk_file);
		if (rc == 0 && h->dhchap_key != NULL)
			rc = nvmf_subsystem_host_set_dhchap(ss, h->nqn, h->dhchap_key,
							    h->dhchap_ctrl_key);
		if (rc)
			return refused(a, cs, h->line, rc, "Host");
	}
	for (unsigned i = 0; i < cs->n_listens; i++) {
		rc = nvmf_subsystem_add_listener(ss, &cs->listens[i].addr);
		if (rc == 0)
			rc = conf_apply_listen_ana(ss, &cs->listens[i]);
		snprintf(what, sizeof(what), "Listen %s", cs->listens[i].text);
		if (rc)
			return refused(a, cs, cs->listens[i].line, rc, what);
	}
	for (unsigned i = 0; i < cs->n_nss; i++) {
		const struct conf_ns *ns = &cs->nss[i];
		struct nvmf_ns_opts opts = {.nsid = ns->nsid, .anagrpid = ns->anagrpid};

		if (ns->has_uuid)
			memcpy(opts.uuid, ns->uuid, sizeof(opts.uuid));
		if (ns->has_nguid)
			memcpy(opts.nguid, ns->nguid, sizeof(opts.nguid));
		rc = nvmf_subsystem_add_ns(ss, ns->backend, &opts);
		snprintf(what, sizeof(what), "Namespace %s", ns->backend);
		if (rc < 0)
			return refused(a, cs, ns->line, rc, what);
	}
	return 0;
}

static int apply_subsystem(struct apply_ctx *a, const struct conf_subsystem *cs)
{
	struct nvmf_subsystem *ss;
	int rc;

	rc = nvmf_subsystem_create(a->tgt, cs->nqn, &ss);
	if (rc)
		return refused(a, cs, key_line(&cs->hdr, "NQN"), rc, "cannot create");
	if (a->created)
		a->created[a->n_created++] = ss;
	rc = apply_identity(a, cs, ss);
	if (rc)
		return rc;
	return apply_members(a, cs, ss);
}

int conf_apply_one_subsystem(const struct conf *c, struct nvmf_tgt *tgt,
			     const struct conf_subsystem *cs, struct conf_errors *errs)
{
	struct apply_ctx a = {.c = c, .tgt = tgt, .errs = errs};
	struct nvmf_subsystem *ss;
	int rc = apply_subsystem(&a, cs);

	if (rc && (ss = nvmf_subsystem_find(tgt, cs->nqn)) != NULL)
		nvmf_subsystem_destroy(ss);
	return rc;
}

static int apply_subsystems(struct apply_ctx *a)
{
	for (unsigned i = 0; i < a->c->n_sects; i++) {
		const struct conf_section *s = a->c->sects[i];
		int rc;

		if (s->type != CONF_SECT_SUBSYSTEM)
			continue;
		rc = apply_subsystem(a, (const struct conf_subsystem *)s);
		if (rc)
			return rc;
	}
	return 0;
}

/* [Global] DiscoveryNQN and Referral, once the subsystems are there. */
static int apply_discovery(struct apply_ctx *a)
{
	const struct conf *c = a->c;
	struct conf_errors *errs = a->errs;
	const struct conf_global *g = c->global;
	int rc;

	if (g == NULL)
		return 0;
	if (g->discovery_nqn && nvmf_tgt_set_discovery_nqn(a->tgt, g->discovery_nqn) != 0) {
		conf_err(errs, c->name, key_line(&g->hdr, "DiscoveryNQN"),
			 "DiscoveryNQN %s: refused (it is an NVM subsystem's NQN)",
			 g->discovery_nqn);
		return -EINVAL;
	}
	for (unsigned i = 0; i < g->n_referrals; i++) {
		rc = nvmf_discovery_add_referral(a->tgt, &g->referrals[i].addr, NULL, false);
		if (rc != 0) {
			conf_err(errs, c->name, g->referrals[i].line, "Referral %s: refused: %s",
				 g->referrals[i].text, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int conf_apply(const struct conf *c, struct nvmf_tgt *tgt, struct conf_errors *errs)
{
	struct apply_ctx a = {.c = c, .tgt = tgt, .errs = errs};
	int rc;

	a.created = calloc(c->n_sects + 1, sizeof(*a.created));
	if (!a.created) {
		conf_err(errs, c->name, 0, "out of memory");
		return -ENOMEM;
	}
	if (c->global != NULL)
		tls_keyring_set_kdf(nvmf_tgt_keyring(tgt), c->global->tls_kdf);
	rc = apply_transports(&a);
	if (!rc)
		rc = apply_backends(&a);
	if (!rc)
		rc = apply_subsystems(&a);
	if (!rc)
		rc = apply_discovery(&a);
	if (rc) {
		while (a.n_created)
			nvmf_subsystem_destroy(a.created[--a.n_created]);
	}
	free(a.created);
	return rc;
}
