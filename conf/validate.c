/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * validate.c - checks across directives and sections once the whole file is
 * parsed: required keys, conflicting keys, duplicate names, and references
 * (a Namespace names a backend, a Listen has its transport).
 */
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"
#include "env.h"

static bool is_backend(const struct conf_section *s)
{
	return CONF_BIT(s->type) & CONF_BACKENDS;
}

static unsigned seen_line(const struct conf_section *s, const char *key)
{
	int idx = conf_directive_find(s->type, key);

	return idx >= 0 && s->seen[idx] ? s->seen[idx] : s->line;
}

static void check_required(const struct conf *c, struct conf_errors *errs)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_section *s = c->sects[i];

		for (unsigned d = 0; d < conf_n_directives; d++) {
			const struct conf_directive *dir = &conf_directives[d];

			if ((dir->sections & CONF_BIT(s->type)) && (dir->flags & CONF_REQUIRED) &&
			    !s->seen[d])
				conf_err(errs, c->name, s->line, "%s is missing required key '%s'",
					 s->title, dir->key);
		}
	}
}

static void check_global(const struct conf *c, struct conf_errors *errs)
{
	const struct conf_global *g = c->global;

	if (g && g->reactor_mask && g->core_list)
		conf_err(errs, c->name, seen_line(&g->hdr, "CoreList"),
			 "CoreList conflicts with ReactorMask at line %u; give only one",
			 seen_line(&g->hdr, "ReactorMask"));
}

static void check_transport_sizes(const struct conf *c, const struct conf_transport *t,
				  struct conf_errors *errs)
{
	struct nvmf_transport_opts o;
	uint32_t units;

	conf_transport_opts(t, &o);
	if (o.io_unit_size == 0 || o.io_unit_size > o.max_io_size) {
		conf_err(errs, c->name, seen_line(&t->hdr, "IOUnitSize"),
			 "IOUnitSize %u must be from 1 to MaxIOSize (%u)", o.io_unit_size,
			 o.max_io_size);
		return;
	}
	units = (o.max_io_size + o.io_unit_size - 1) / o.io_unit_size;
	if (units > NVMF_REQ_MAX_IOV - 1)
		conf_err(errs, c->name, seen_line(&t->hdr, "MaxIOSize"),
			 "MaxIOSize %u needs %u buffers of IOUnitSize %u; at most %d: raise "
			 "IOUnitSize",
			 o.max_io_size, units, o.io_unit_size, NVMF_REQ_MAX_IOV - 1);
}

static void check_transports(const struct conf *c, struct conf_errors *errs)
{
	int type_idx = conf_directive_find(CONF_SECT_TRANSPORT, "Type");
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_transport *t = (const void *)c->sects[i], *u;

		if (t->hdr.type != CONF_SECT_TRANSPORT || !conf_seen(&t->hdr, type_idx))
			continue;
		check_transport_sizes(c, t, errs);
		for (unsigned j = 0; j < i; j++) {
			u = (void *)c->sects[j];
			if (u->hdr.type == CONF_SECT_TRANSPORT && conf_seen(&u->hdr, type_idx) &&
			    u->opts.trtype == t->opts.trtype)
				conf_err(errs, c->name, t->hdr.seen[type_idx],
					 "a [Transport] of this Type is already defined at line %u",
					 u->hdr.seen[type_idx]);
		}
	}
}

/* An [Nvme] section's backends are <Name>n<nsid>: does @name look like one? */
static bool nvme_ns_name(const struct conf_backend *b, const char *name)
{
	size_t n = strlen(b->name);

	if (b->hdr.type != CONF_SECT_NVME || strncmp(name, b->name, n) != 0 || name[n] != 'n')
		return false;
	name += n + 1;
	return *name != '\0' && strspn(name, "0123456789") == strlen(name);
}

/** The backend section named @name (or, for [Nvme], one of its namespaces), or NULL. */
const struct conf_backend *conf_backend_find(const struct conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i];

		if (is_backend(&b->hdr) && b->name &&
		    (strcmp(b->name, name) == 0 || nvme_ns_name(b, name)))
			return b;
	}
	return NULL;
}

static void check_backends(const struct conf *c, struct conf_errors *errs)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i], *first;

		if (!is_backend(&b->hdr) || !b->name)
			continue;
		first = conf_backend_find(c, b->name);
		if (first != b)
			conf_err(errs, c->name, seen_line(&b->hdr, "Name"),
				 "duplicate backend name '%s' (first defined at line %u)", b->name,
				 seen_line(&first->hdr, "Name"));
		if (b->size % (uint64_t)b->block_size)
			conf_err(errs, c->name, seen_line(&b->hdr, "Size"),
				 "Size %llu is not a multiple of BlockSize %d",
				 (unsigned long long)b->size, b->block_size);
	}
}

static bool same_pci(const struct env_pci_addr *a, const struct env_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->func == b->func;
}

/* One drive, one owner: two [Nvme] sections may not name the same PCI function. */
static void check_nvme_addrs(const struct conf *c, struct conf_errors *errs)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i], *o;
		struct env_pci_addr ab, ao;

		if (b->hdr.type != CONF_SECT_NVME || !b->path ||
		    env_pci_addr_parse(b->path, &ab) != 0)
			continue;
		for (unsigned j = 0; j < i; j++) {
			o = (const void *)c->sects[j];
			if (o->hdr.type != CONF_SECT_NVME || !o->path ||
			    env_pci_addr_parse(o->path, &ao) != 0 || !same_pci(&ab, &ao))
				continue;
			conf_err(errs, c->name, seen_line(&b->hdr, "TrAddr"),
				 "[Nvme] %s: TrAddr %s is the drive of [Nvme] %s at %s:%u already "
				 "(one drive, one owner: list its namespaces in one section)",
				 b->name ? b->name : "", b->path, o->name ? o->name : "", c->name,
				 seen_line(&o->hdr, "TrAddr"));
			break;
		}
	}
}

static bool have_transport(const struct conf *c, uint8_t trtype)
{
	int type_idx = conf_directive_find(CONF_SECT_TRANSPORT, "Type");

	if (trtype == NVMF_TRTYPE_TCP)
		return true; /* implicit, with defaults */
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_transport *t = (const void *)c->sects[i];

		if (t->hdr.type == CONF_SECT_TRANSPORT && conf_seen(&t->hdr, type_idx) &&
		    t->opts.trtype == trtype)
			return true;
	}
	return false;
}

/* A listener shared by subsystems has one secure= setting. */
static void check_secure_agrees(const struct conf *c, const struct conf_subsystem *ss,
				const struct conf_listen *l, struct conf_errors *errs)
{
	for (unsigned i = 0; i < c->n_sects && (const void *)c->sects[i] != ss; i++) {
		const struct conf_subsystem *o = (const void *)c->sects[i];

		if (o->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; j < o->n_listens; j++) {
			if (nvmf_listen_addr_eq(&o->listens[j].addr, &l->addr) &&
			    o->listens[j].addr.secure != l->addr.secure) {
				conf_err(errs, c->name, l->line,
					 "Listen %s: secure= differs from Listen %s at line %u "
					 "(one address, one setting)",
					 l->text, o->listens[j].text, o->listens[j].line);
				return;
			}
		}
	}
}

static void check_listens(const struct conf *c, const struct conf_subsystem *ss,
			  struct conf_errors *errs)
{
	for (unsigned i = 0; i < ss->n_listens; i++) {
		const struct conf_listen *l = &ss->listens[i];

		if (!have_transport(c, l->addr.trtype))
			conf_err(errs, c->name, l->line,
				 "Listen %s: no [Transport] section of this Type", l->text);
		check_secure_agrees(c, ss, l, errs);
		for (unsigned j = 0; j < i; j++) {
			if (nvmf_listen_addr_eq(&ss->listens[j].addr, &l->addr)) {
				conf_err(errs, c->name, l->line,
					 "duplicate Listen %s (first at line %u)", l->text,
					 ss->listens[j].line);
				break;
			}
		}
	}
}

static void check_hosts(const struct conf *c, const struct conf_subsystem *ss,
			struct conf_errors *errs)
{
	for (unsigned i = 0; i < ss->n_hosts; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(ss->hosts[i].nqn, ss->hosts[j].nqn) == 0) {
				conf_err(errs, c->name, ss->hosts[i].line,
					 "duplicate Host '%s' (first at line %u)", ss->hosts[i].nqn,
					 ss->hosts[j].line);
				break;
			}
		}
	}
}

static void missing_backend(const struct conf *c, const struct conf_ns *ns,
			    struct conf_errors *errs)
{
	const char *names[64];
	const char *hint;
	size_t n = 0;

	for (unsigned i = 0; i < c->n_sects && n < ARRAY_SIZE(names); i++) {
		const struct conf_backend *b = (const void *)c->sects[i];

		if (is_backend(&b->hdr) && b->name)
			names[n++] = b->name;
	}
	hint = conf_suggest(ns->backend, names, n, sizeof(names[0]));
	if (hint)
		conf_err(errs, c->name, ns->line,
			 "Namespace: no backend named '%s' (did you mean '%s'?)", ns->backend,
			 hint);
	else
		conf_err(errs, c->name, ns->line,
			 "Namespace: no backend named '%s' (define it in a [Ram], [Null] or [File] "
			 "section)",
			 ns->backend);
}

static void check_ns_pair(const struct conf *c, const struct conf_ns *a, const struct conf_ns *b,
			  struct conf_errors *errs)
{
	if (a->nsid && a->nsid == b->nsid)
		conf_err(errs, c->name, a->line, "Namespace: NSID %u is already used at line %u",
			 a->nsid, b->line);
	else if (strcmp(a->backend, b->backend) == 0)
		conf_err(errs, c->name, a->line,
			 "Namespace: backend '%s' is already a namespace of this subsystem at line "
			 "%u",
			 a->backend, b->line);
}

static void check_namespaces(const struct conf *c, const struct conf_subsystem *ss,
			     struct conf_errors *errs)
{
	uint32_t max = ss->max_namespaces ? ss->max_namespaces : 1024;

	for (unsigned i = 0; i < ss->n_nss; i++) {
		const struct conf_ns *ns = &ss->nss[i];

		if (!conf_backend_find(c, ns->backend))
			missing_backend(c, ns, errs);
		if (ns->nsid > max)
			conf_err(errs, c->name, ns->line,
				 "Namespace: NSID %u is over MaxNamespaces %u", ns->nsid, max);
		for (unsigned j = 0; j < i; j++)
			check_ns_pair(c, ns, &ss->nss[j], errs);
	}
}

static void check_subsystems(const struct conf *c, struct conf_errors *errs)
{
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_subsystem *ss = (const void *)c->sects[i], *other;

		if (ss->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; ss->nqn && j < i; j++) {
			other = (const void *)c->sects[j];
			if (other->hdr.type == CONF_SECT_SUBSYSTEM && other->nqn &&
			    strcmp(other->nqn, ss->nqn) == 0) {
				conf_err(errs, c->name, seen_line(&ss->hdr, "NQN"),
					 "duplicate subsystem NQN '%s' (first at line %u)", ss->nqn,
					 seen_line(&other->hdr, "NQN"));
				break;
			}
		}
		check_listens(c, ss, errs);
		check_hosts(c, ss, errs);
		check_namespaces(c, ss, errs);
	}
}

void conf_validate(const struct conf *c, struct conf_errors *errs)
{
	check_required(c, errs);
	check_global(c, errs);
	check_transports(c, errs);
	check_backends(c, errs);
	check_nvme_addrs(c, errs);
	check_subsystems(c, errs);
}
