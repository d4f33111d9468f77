/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diff.c - a new conf compared with the running target's description: the
 * changes to make, the notes on what cannot change live, and the errors
 * that forbid a reload. Touches no target.
 *
 * Matching: subsystems by NQN, backends by Name, hosts by NQN, listeners
 * by address. A Namespace with an NSID is the running namespace of that
 * NSID; one without is a running namespace of the same backend (whose NSID
 * no other Namespace names). A namespace is the same when its backend and
 * identifiers are (UUID as given, else derived; NGUID and EUI-64 derived);
 * otherwise it is removed and added again. A host on both sides whose
 * psk= key differs (compared as retained PSKs) gets the new key; a listener
 * whose secure= differs is re-created. Keys the file does not give
 * (SN, MN, MaxNamespaces, LogLevel) are not compared.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf/reload.h"

struct differ {
	const struct conf *c;
	const struct conf_state *st;
	struct conf_diff *d;
	struct conf_errors *errs;
	unsigned cap;
};

static struct conf_change *change(struct differ *x, enum conf_change_kind kind, unsigned line,
				  const char *nqn)
{
	struct conf_change *ch;

	if (x->d->n == x->cap) {
		unsigned cap = x->cap ? x->cap * 2 : 16;
		struct conf_change *grown = realloc(x->d->ch, cap * sizeof(*grown));

		if (grown == NULL) {
			x->d->nomem = true;
			return NULL;
		}
		x->d->ch = grown;
		x->cap = cap;
	}
	ch = &x->d->ch[x->d->n++];
	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	ch->line = line;
	ch->nqn = nqn;
	return ch;
}

static unsigned key_line(const struct conf_section *s, const char *key)
{
	int idx = conf_directive_find(s->type, key);

	return conf_seen(s, idx) ? s->seen[idx] : s->line;
}

#define note(x, line, ...) conf_err(&(x)->d->notes, (x)->c->name, line, __VA_ARGS__)

/* ---------------------------------------------------------------- global */

static void diff_global(struct differ *x)
{
	const struct conf_section *g = x->c->global ? &x->c->global->hdr : NULL;
	const char *mask = conf_core_mask(x->c), *running = x->st->core_mask;
	struct nvmf_tgt_opts o;
	enum log_level level;

	if (!x->st->core_mask_fixed && strcmp(mask ? mask : "0x1", running ? running : "0x1"))
		note(x,
		     g ? key_line(g, x->c->global->reactor_mask ? "ReactorMask" : "CoreList") : 0,
		     "[Global] cores %s: the cores cannot change while the target runs (it runs on "
		     "%s); restart to apply",
		     mask ? mask : "0x1 (the default)", running ? running : "0x1");
	conf_tgt_opts(x->c, &o);
	if (o.idle_sleep != x->st->tgt_opts.idle_sleep || o.idle_us != x->st->tgt_opts.idle_us)
		note(x, g ? key_line(g, "IdleSleep") : 0,
		     "[Global] IdleSleep/IdleSleepUs: the idle policy cannot change while the "
		     "target "
		     "runs (it uses %s, %u us); restart to apply",
		     x->st->tgt_opts.idle_sleep ? "Yes" : "No", x->st->tgt_opts.idle_us);
	if (conf_log_level(x->c, &level) != 0 || (int)level == x->st->log_level)
		return;
	if (x->st->log_level_fixed) {
		note(x, key_line(g, "LogLevel"),
		     "[Global] LogLevel: left as it is, the command line (-L) sets it");
		return;
	}
	struct conf_change *ch = change(x, CONF_CH_LOG_LEVEL, key_line(g, "LogLevel"), NULL);
	if (ch)
		ch->level = (int)level;
}

/* ------------------------------------------------------------ transports */

static void diff_transports(struct differ *x)
{
	struct nvmf_transport_opts want[CONF_SECT_COUNT + 4];
	unsigned lines[CONF_SECT_COUNT + 4];
	unsigned n = conf_transports_wanted(x->c, want, lines, CONF_SECT_COUNT + 4);

	for (unsigned i = 0; i < n; i++) {
		const struct nvmf_transport_opts *run = NULL;
		const char *key;

		for (unsigned j = 0; j < x->st->n_trs; j++)
			run = x->st->trs[j].trtype == want[i].trtype ? &x->st->trs[j] : run;
		if (run == NULL) {
			struct conf_change *ch = change(x, CONF_CH_TRANSPORT_ADD, lines[i], NULL);
			if (ch)
				ch->tr = want[i];
		} else if ((key = conf_transport_opts_diff(&want[i], run)) != NULL) {
			note(x, lines[i],
			     "%s transport: %s%s differs from the running one; transport options "
			     "cannot change while the target runs; restart to apply",
			     conf_trtype_name(want[i].trtype), key,
			     lines[i] ? "" : " (default, no [Transport] section)");
		}
	}
	for (unsigned j = 0; j < x->st->n_trs; j++) {
		bool wanted = false;

		for (unsigned i = 0; i < n; i++)
			wanted |= want[i].trtype == x->st->trs[j].trtype;
		if (!wanted)
			note(x, 0,
			     "%s transport: no longer used by the file; it stays until a restart",
			     conf_trtype_name(x->st->trs[j].trtype));
	}
}

/* -------------------------------------------------------------- backends */

static const struct conf_state_backend *state_backend(const struct conf_state *st, const char *name)
{
	for (unsigned i = 0; i < st->n_backends; i++) {
		if (strcmp(st->backends[i].name, name) == 0)
			return &st->backends[i];
	}
	return NULL;
}

/* What differs between section @b and running backend @r, or NULL. */
static const char *backend_differs(const struct conf_backend *b, const struct conf_state_backend *r)
{
	static const char *const types[CONF_SECT_COUNT] = {
	    [CONF_SECT_RAM] = "ram", [CONF_SECT_NULL] = "null", [CONF_SECT_FILE] = "file"};

	if (strcmp(types[b->hdr.type], r->type) != 0)
		return "the type";
	if (b->hdr.type == CONF_SECT_FILE && strcmp(b->path, r->path ? r->path : "") != 0)
		return "Path";
	if (b->size != 0 && b->size != r->size)
		return "Size";
	if ((uint32_t)b->block_size != r->block_size)
		return "BlockSize";
	return NULL;
}

/* An [Nvme] section: its namespaces must all be attached already. */
static void diff_nvme(struct differ *x, const struct conf_backend *b)
{
	uint32_t nsids[CONF_NVME_NSIDS_MAX];
	int n = b->nsids ? conf_nsid_list(b->nsids, nsids) : 0;
	char name[CONF_NAME_MAX + 16];
	unsigned found = 0;

	for (unsigned i = 0; i < x->st->n_backends; i++) {
		const struct conf_state_backend *r = &x->st->backends[i];
		bool listed = n <= 0;

		for (int k = 0; k < n; k++) {
			snprintf(name, sizeof(name), "%sn%u", b->name, nsids[k]);
			listed |= strcmp(name, r->name) == 0;
		}
		found += listed && strcmp(r->type, "nvme") == 0 && r->path &&
			 strcmp(r->path, b->path) == 0 && conf_backend_find(x->c, r->name) == b;
	}
	if (found == 0 || (n > 0 && found < (unsigned)n))
		conf_err(x->errs, x->c->name, key_line(&b->hdr, "TrAddr"),
			 "[Nvme] %s: the local NVMe controller %s (or a namespace of it) is not "
			 "attached, and attaching one while the target runs is not supported (the "
			 "PCI device list is fixed at start and the attach would stall the main "
			 "loop); restart the target to apply",
			 b->name, b->path);
}

static void diff_backends(struct differ *x)
{
	for (unsigned i = 0; i < x->c->n_sects; i++) {
		const struct conf_backend *b = (const void *)x->c->sects[i];
		const struct conf_state_backend *r;
		const char *what;

		if (!(CONF_BIT(b->hdr.type) & CONF_BACKENDS))
			continue;
		if (b->hdr.type == CONF_SECT_NVME) {
			diff_nvme(x, b);
			continue;
		}
		r = state_backend(x->st, b->name);
		if (r == NULL) {
			struct conf_change *ch = change(x, CONF_CH_BACKEND_ADD, b->hdr.line, NULL);
			if (ch) {
				ch->backend = b;
				ch->name = b->name;
			}
		} else if ((what = backend_differs(b, r)) != NULL) {
			note(x, key_line(&b->hdr, what[0] == 't' ? "Name" : what),
			     "%s %s: %s differs from the running backend; a backend cannot change "
			     "while the target runs; left as it is (restart to apply, or give it "
			     "another Name)",
			     b->hdr.title, b->name, what);
		}
	}
	for (unsigned i = 0; i < x->st->n_backends; i++) {
		const struct conf_state_backend *r = &x->st->backends[i];

		if (conf_backend_find(x->c, r->name) != NULL)
			continue;
		if (strcmp(r->type, "nvme") == 0) {
			note(x, 0,
			     "backend %s: no longer in the file; a local NVMe controller stays "
			     "attached until a restart",
			     r->name);
			continue;
		}
		struct conf_change *ch = change(x, CONF_CH_BACKEND_DEL, 0, NULL);
		if (ch)
			ch->name = r->name;
	}
}

/* ------------------------------------------------------------ subsystems */

static void diff_identity(struct differ *x, const struct conf_subsystem *cs,
			  const struct conf_state_ss *ss)
{
	const char *fmt = "subsystem %s: %s '%s' differs from the running '%s'; it cannot change "
			  "while the target runs (hosts keep what they read); left as it is, "
			  "restart to apply";

	if (cs->sn && strcmp(cs->sn, ss->sn) != 0)
		note(x, key_line(&cs->hdr, "SN"), fmt, cs->nqn, "SN", cs->sn, ss->sn);
	if (cs->mn && strcmp(cs->mn, ss->mn) != 0)
		note(x, key_line(&cs->hdr, "MN"), fmt, cs->nqn, "MN", cs->mn, ss->mn);
	if (cs->max_namespaces && cs->max_namespaces != ss->max_nsid)
		note(x, key_line(&cs->hdr, "MaxNamespaces"),
		     "subsystem %s: MaxNamespaces %u differs from the running %u; it cannot change "
		     "while the target runs; left as it is, restart to apply",
		     cs->nqn, cs->max_namespaces, ss->max_nsid);
}

/* Members (hosts, listeners) of a subsystem in the file and running. */
struct member_ops {
	unsigned (*n_file)(const struct conf_subsystem *cs);
	unsigned (*n_running)(const struct conf_state_ss *ss);
	bool (*eq)(const struct conf_subsystem *cs, unsigned i, const struct conf_state_ss *ss,
		   unsigned j);
	void (*add)(struct differ *x, const struct conf_subsystem *cs, unsigned i,
		    const struct conf_state_ss *ss);
	void (*del)(struct differ *x, const struct conf_state_ss *ss, unsigned j);
};

/* Add what only the file has, remove what only the running subsystem has. */
static void diff_members(struct differ *x, const struct member_ops *o,
			 const struct conf_subsystem *cs, const struct conf_state_ss *ss)
{
	unsigned nf = o->n_file(cs), nr = o->n_running(ss);
	bool found;

	for (unsigned i = 0; i < nf; i++) {
		found = false;
		for (unsigned j = 0; j < nr && !found; j++)
			found = o->eq(cs, i, ss, j);
		if (!found)
			o->add(x, cs, i, ss);
	}
	for (unsigned j = 0; j < nr; j++) {
		found = false;
		for (unsigned i = 0; i < nf && !found; i++)
			found = o->eq(cs, i, ss, j);
		if (!found)
			o->del(x, ss, j);
	}
}

static unsigned hosts_in_file(const struct conf_subsystem *cs)
{
	return cs->n_hosts;
}

static unsigned hosts_running(const struct conf_state_ss *ss)
{
	return ss->n_hosts;
}

static bool host_eq(const struct conf_subsystem *cs, unsigned i, const struct conf_state_ss *ss,
		    unsigned j)
{
	return strcmp(cs->hosts[i].nqn, ss->hosts[j]) == 0;
}

static void host_add(struct differ *x, const struct conf_subsystem *cs, unsigned i,
		     const struct conf_state_ss *ss)
{
	struct conf_change *ch = change(x, CONF_CH_HOST_ADD, cs->hosts[i].line, ss->nqn);

	if (ch) {
		ch->name = cs->hosts[i].nqn;
		ch->host = &cs->hosts[i];
	}
}

static void host_del(struct differ *x, const struct conf_state_ss *ss, unsigned j)
{
	struct conf_change *ch = change(x, CONF_CH_HOST_DEL, 0, ss->nqn);

	if (ch)
		ch->name = ss->hosts[j];
}

static unsigned listens_in_file(const struct conf_subsystem *cs)
{
	return cs->n_listens;
}

static unsigned listens_running(const struct conf_state_ss *ss)
{
	return ss->n_listens;
}

static bool listen_eq(const struct conf_subsystem *cs, unsigned i, const struct conf_state_ss *ss,
		      unsigned j)
{
	return nvmf_listen_addr_eq(&cs->listens[i].addr, &ss->listens[j]);
}

static void listen_add(struct differ *x, const struct conf_subsystem *cs, unsigned i,
		       const struct conf_state_ss *ss)
{
	struct conf_change *ch = change(x, CONF_CH_LISTEN_ADD, cs->listens[i].line, ss->nqn);

	if (ch)
		ch->addr = cs->listens[i].addr;
}

static void listen_del(struct differ *x, const struct conf_state_ss *ss, unsigned j)
{
	struct conf_change *ch = change(x, CONF_CH_LISTEN_DEL, 0, ss->nqn);

	if (ch)
		ch->addr = ss->listens[j];
}

static const struct member_ops host_ops = {
    .n_file = hosts_in_file,
    .n_running = hosts_running,
    .eq = host_eq,
    .add = host_add,
    .del = host_del,
};

static const struct member_ops listen_ops = {
    .n_file = listens_in_file,
    .n_running = listens_running,
    .eq = listen_eq,
    .add = listen_add,
    .del = listen_del,
};

/* Does the file's key of host @i differ from the running one of host @j? */
static bool psk_differs(const struct conf_subsystem *cs, unsigned i, const struct conf_state_ss *ss,
			unsigned j)
{
	const struct conf_host *h = &cs->hosts[i];
	const struct tls_psk *run = j < ss->n_host_psks ? &ss->host_psks[j] : NULL;
	bool running = run != NULL && run->hash != 0;
	struct tls_psk want, cfg;
	bool differs;
	int rc;

	if (h->psk == NULL || !running)
		return (h->psk != NULL) != running;
	cfg = *h->psk;
	cfg.kdf = run->kdf; /* derived as the running key was ([Global] TlsPskDerivation) */
	rc = tls_psk_retained(&cfg, h->nqn, &want);
	tls_psk_wipe(&cfg);
	if (rc != 0)
		return true; /* cannot tell: apply it (the apply reports a failure) */
	differs = want.hash != run->hash || want.len != run->len ||
		  CRYPTO_memcmp(want.key, run->key, want.len) != 0;
	tls_psk_wipe(&want);
	return differs;
}

/* Hosts on both sides whose psk= changed; listeners whose secure= did. */
static void diff_secure(struct differ *x, const struct conf_subsystem *cs,
			const struct conf_state_ss *ss)
{
	struct conf_change *ch;

	for (unsigned i = 0; i < cs->n_hosts; i++) {
		for (unsigned j = 0; j < ss->n_hosts; j++) {
			if (!host_eq(cs, i, ss, j) || !psk_differs(cs, i, ss, j))
				continue;
			if ((ch = change(x, CONF_CH_HOST_PSK, cs->hosts[i].line, ss->nqn))) {
				ch->name = cs->hosts[i].nqn;
				ch->host = &cs->hosts[i];
			}
		}
	}
	for (unsigned i = 0; i < cs->n_listens; i++) {
		for (unsigned j = 0; j < ss->n_listens; j++) {
			if (listen_eq(cs, i, ss, j) &&
			    cs->listens[i].addr.secure != ss->listens[j].secure &&
			    (ch = change(x, CONF_CH_LISTEN_SECURE, cs->listens[i].line, ss->nqn)))
				ch->addr = cs->listens[i].addr;
		}
	}
}

static void diff_access(struct differ *x, const struct conf_subsystem *cs,
			const struct conf_state_ss *ss)
{
	struct conf_change *ch;

	diff_members(x, &host_ops, cs, ss);
	diff_members(x, &listen_ops, cs, ss);
	diff_secure(x, cs, ss);
	if (cs->allow_any_host != ss->allow_any_host &&
	    (ch = change(x, CONF_CH_ALLOW_ANY, key_line(&cs->hdr, "AllowAnyHost"), ss->nqn)))
		ch->allow = cs->allow_any_host;
	if (cs->admin_passthru != ss->admin_passthru &&
	    (ch = change(x, CONF_CH_PASSTHRU, key_line(&cs->hdr, "AdminPassthru"), ss->nqn)))
		ch->allow = cs->admin_passthru;
}

/* Is running namespace @r what Namespace @ns of @nqn asks for at r->nsid? */
static bool ns_same(const char *nqn, const struct conf_ns *ns, const struct conf_state_ns *r)
{
	uint8_t uuid[16], nguid[16], eui64[8];

	nvmf_ns_derive_ids(nqn, r->nsid, uuid, nguid, eui64);
	if (ns->has_uuid)
		memcpy(uuid, ns->uuid, sizeof(uuid));
	return strcmp(ns->backend, r->backend) == 0 && memcmp(uuid, r->uuid, 16) == 0 &&
	       memcmp(nguid, r->nguid, 16) == 0 && memcmp(eui64, r->eui64, 8) == 0;
}

static bool nsid_named(const struct conf_subsystem *cs, uint32_t nsid)
{
	for (unsigned i = 0; i < cs->n_nss; i++) {
		if (cs->nss[i].nsid == nsid)
			return true;
	}
	return false;
}

/* The running namespace Namespace @ns stands for, or -1. */
static int ns_match(const struct conf_subsystem *cs, const struct conf_ns *ns,
		    const struct conf_state_ss *ss, const bool *taken)
{
	for (unsigned j = 0; j < ss->n_nss; j++) {
		const struct conf_state_ns *r = &ss->nss[j];

		if (taken[j])
			continue;
		if (ns->nsid ? r->nsid == ns->nsid
			     : strcmp(r->backend, ns->backend) == 0 && !nsid_named(cs, r->nsid))
			return (int)j;
	}
	return -1;
}

static void ns_add(struct differ *x, const struct conf_state_ss *ss, const struct conf_ns *ns,
		   uint32_t nsid)
{
	struct conf_change *ch = change(x, CONF_CH_NS_ADD, ns->line, ss->nqn);

	if (ch == NULL)
		return;
	ch->name = ns->backend;
	ch->ns.nsid = nsid;
	if (ns->has_uuid)
		memcpy(ch->ns.uuid, ns->uuid, sizeof(ch->ns.uuid));
	if (nsid > ss->max_nsid)
		conf_err(x->errs, x->c->name, ns->line,
			 "Namespace %s: NSID %u is over the running subsystem's limit of %u "
			 "(MaxNamespaces cannot change while the target runs; restart to apply)",
			 ns->backend, nsid, ss->max_nsid);
}

static void ns_del(struct differ *x, const struct conf_state_ss *ss, const struct conf_state_ns *r)
{
	struct conf_change *ch = change(x, CONF_CH_NS_DEL, 0, ss->nqn);

	if (ch) {
		ch->old_ns = r;
		ch->name = r->backend;
	}
}

static void diff_namespaces(struct differ *x, const struct conf_subsystem *cs,
			    const struct conf_state_ss *ss)
{
	bool *taken = calloc(ss->n_nss + 1, sizeof(*taken));

	if (taken == NULL) {
		x->d->nomem = true;
		return;
	}
	/* Those with an NSID first: the ones without must not take theirs. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < cs->n_nss; i++) {
			const struct conf_ns *ns = &cs->nss[i];
			int j;

			if ((ns->nsid != 0) != (pass == 0))
				continue;
			j = ns_match(cs, ns, ss, taken);
			if (j >= 0)
				taken[j] = true;
			if (j >= 0 && ns_same(cs->nqn, ns, &ss->nss[j]))
				continue;
			if (j >= 0)
				ns_del(x, ss, &ss->nss[j]);
			ns_add(x, ss, ns, j >= 0 ? ss->nss[j].nsid : ns->nsid);
		}
	}
	for (unsigned j = 0; j < ss->n_nss; j++) {
		if (!taken[j])
			ns_del(x, ss, &ss->nss[j]);
	}
	free(taken);
	if (cs->n_nss > ss->max_nsid)
		conf_err(x->errs, x->c->name, cs->hdr.line,
			 "subsystem %s: %u namespaces, over the running subsystem's limit of %u "
			 "(MaxNamespaces cannot change while the target runs; restart to apply)",
			 cs->nqn, cs->n_nss, ss->max_nsid);
}

static void diff_subsystems(struct differ *x)
{
	for (unsigned i = 0; i < x->c->n_sects; i++) {
		const struct conf_subsystem *cs = (const void *)x->c->sects[i];
		const struct conf_state_ss *ss = NULL;
		struct conf_change *ch;

		if (cs->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; j < x->st->n_sss; j++)
			ss = strcmp(x->st->sss[j].nqn, cs->nqn) == 0 ? &x->st->sss[j] : ss;
		if (ss == NULL) {
			if ((ch = change(x, CONF_CH_SS_ADD, cs->hdr.line, cs->nqn)))
				ch->ss = cs;
			continue;
		}
		diff_identity(x, cs, ss);
		diff_access(x, cs, ss);
		diff_namespaces(x, cs, ss);
	}
	for (unsigned j = 0; j < x->st->n_sss; j++) {
		bool kept = false;

		for (unsigned i = 0; i < x->c->n_sects; i++) {
			const struct conf_subsystem *cs = (const void *)x->c->sects[i];

			kept |= cs->hdr.type == CONF_SECT_SUBSYSTEM &&
				strcmp(cs->nqn, x->st->sss[j].nqn) == 0;
		}
		if (!kept)
			change(x, CONF_CH_SS_DEL, 0, x->st->sss[j].nqn);
	}
}

/* ------------------------------------------------------------------ all */

/* Put the changes in the order of their kinds, keeping the order within one. */
static int order_changes(struct conf_diff *d)
{
	struct conf_change *sorted = malloc((d->n + 1) * sizeof(*sorted));
	unsigned k = 0;

	if (sorted == NULL)
		return -ENOMEM;
	for (int kind = 0; kind < CONF_CH_KINDS; kind++) {
		for (unsigned i = 0; i < d->n; i++) {
			if (d->ch[i].kind == (enum conf_change_kind)kind)
				sorted[k++] = d->ch[i];
		}
	}
	free(d->ch);
	d->ch = sorted;
	return 0;
}

int conf_diff(const struct conf *c, const struct conf_state *st, struct conf_diff *d,
	      struct conf_errors *errs)
{
	struct differ x = {.c = c, .st = st, .d = d, .errs = errs};
	unsigned before = errs->count;

	memset(d, 0, sizeof(*d));
	conf_errors_init(&d->notes);
	diff_global(&x);
	diff_transports(&x);
	diff_backends(&x);
	diff_subsystems(&x);
	if (d->nomem || order_changes(d) != 0) {
		conf_err(errs, c->name, 0, "out of memory");
		return -ENOMEM;
	}
	return errs->count != before ? -EINVAL : 0;
}

void conf_diff_free(struct conf_diff *d)
{
	free(d->ch);
	d->ch = NULL;
	d->n = 0;
}
