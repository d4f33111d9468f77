/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.c - the changes of a conf diff made on the running target, with
 * the same nvmf API calls as the conf applier and the RPC methods. The
 * changes that may fail come first and are undone in reverse order when
 * one does; those that follow cannot fail (removals), so a reload is
 * applied whole or not at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reload.h"

struct reloader {
	const struct conf_diff *d;
	const struct conf *c;
	struct nvmf_tgt *tgt;
	struct conf_errors *errs;
	uint32_t *nsids; /* per change: the NSID an NS_ADD got */
};

static struct nvmf_subsystem *ss_of(struct reloader *r, const struct conf_change *ch)
{
	return nvmf_subsystem_find(r->tgt, ch->nqn);
}

static int refused(struct reloader *r, const struct conf_change *ch, int rc, const char *what)
{
	conf_err(r->errs, r->c->name, ch->line, "%s%s%s: %s; nothing was changed",
		 ch->nqn ? "subsystem " : "", ch->nqn ? ch->nqn : "", what, strerror(-rc));
	return rc;
}

static int add_backend(struct reloader *r, const struct conf_change *ch)
{
	const struct conf_backend *b = ch->backend;
	uint32_t bs = (uint32_t)b->block_size;

	switch (b->hdr.type) {
	case CONF_SECT_RAM:
		return nvmf_backend_ram_create(r->tgt, b->name, b->size, bs);
	case CONF_SECT_NULL:
		return nvmf_backend_null_create(r->tgt, b->name, b->size, bs);
	case CONF_SECT_FILE:
		return nvmf_backend_file_create(r->tgt, b->name, b->path, b->size, bs);
	default:
		return -ENOTSUP; /* [Nvme]: the diff refuses it */
	}
}

/* @return the NSID (> 0) or a negative errno. */
static int add_ns(struct nvmf_subsystem *ss, const char *backend, const struct nvmf_ns_opts *o)
{
	return ss ? nvmf_subsystem_add_ns(ss, backend, o) : -ENOENT;
}

/* Give the host of @ch the file's PSK (replacing its key for new
 * connections; those running keep theirs), or drop its key. */
static int set_psk(struct reloader *r, const struct conf_change *ch)
{
	struct tls_keyring *kr = nvmf_tgt_keyring(r->tgt);

	if (ch->host->psk == NULL) {
		tls_keyring_remove(kr, ch->name, ch->nqn);
		return 0;
	}
	return tls_keyring_add(kr, ch->name, ch->nqn, ch->host->psk, ch->host->psk_file);
}

/* Make a change that may fail. @return 0 or a negative errno (reported). */
static int do_change(struct reloader *r, unsigned i)
{
	const struct conf_change *ch = &r->d->ch[i];
	struct nvmf_subsystem *ss = ch->nqn ? ss_of(r, ch) : NULL;
	char what[CONF_LINE_MAX + 64];
	int rc;

	switch (ch->kind) {
	case CONF_CH_TRANSPORT_ADD:
		rc = nvmf_tgt_add_transport(r->tgt, &ch->tr);
		snprintf(what, sizeof(what), "%s transport", conf_trtype_name(ch->tr.trtype));
		break;
	case CONF_CH_BACKEND_ADD:
		rc = add_backend(r, ch);
		snprintf(what, sizeof(what), "%s %s: cannot create the backend",
			 ch->backend->hdr.title, ch->name);
		break;
	case CONF_CH_NS_DEL:
		rc = ss ? nvmf_subsystem_remove_ns(ss, ch->old_ns->nsid) : -ENOENT;
		snprintf(what, sizeof(what), ": remove namespace %u", ch->old_ns->nsid);
		break;
	case CONF_CH_SS_ADD:
		/* Reports its own refusal with the directive's line. */
		return conf_apply_one_subsystem(r->c, r->tgt, ch->ss, r->errs);
	case CONF_CH_NS_ADD:
		rc = add_ns(ss, ch->name, &ch->ns);
		r->nsids[i] = rc > 0 ? (uint32_t)rc : 0;
		rc = rc > 0 ? 0 : rc;
		snprintf(what, sizeof(what), ": Namespace %s", ch->name);
		break;
	case CONF_CH_HOST_ADD:
		rc = ss ? nvmf_subsystem_add_host(ss, ch->name) : -ENOENT;
		if (rc == 0 && ch->host->psk != NULL)
			rc = set_psk(r, ch);
		snprintf(what, sizeof(what), ": Host %s", ch->name);
		break;
	case CONF_CH_LISTEN_ADD:
	case CONF_CH_LISTEN_SECURE:
		if (ch->kind == CONF_CH_LISTEN_ADD)
			rc = ss ? nvmf_subsystem_add_listener(ss, &ch->addr) : -ENOENT;
		else
			rc = nvmf_tgt_listener_set_secure(r->tgt, &ch->addr);
		snprintf(what, sizeof(what), ": Listen %s %s:%s%s",
			 conf_trtype_name(ch->addr.trtype), ch->addr.traddr, ch->addr.trsvcid,
			 ch->kind == CONF_CH_LISTEN_SECURE ? ": secure= change" : "");
		break;
	default:
		return -EINVAL;
	}
	return rc ? refused(r, ch, rc, what) : 0;
}

/* Undo a change do_change() made. */
static void undo_change(struct reloader *r, unsigned i)
{
	const struct conf_change *ch = &r->d->ch[i];
	struct nvmf_subsystem *ss = ch->nqn ? ss_of(r, ch) : NULL;
	struct nvmf_listen_addr back;
	struct nvmf_ns_opts o = {0};

	switch (ch->kind) {
	case CONF_CH_BACKEND_ADD:
		nvmf_backend_delete(r->tgt, ch->name);
		break;
	case CONF_CH_NS_DEL:
		o.nsid = ch->old_ns->nsid;
		memcpy(o.uuid, ch->old_ns->uuid, sizeof(o.uuid));
		memcpy(o.nguid, ch->old_ns->nguid, sizeof(o.nguid));
		memcpy(o.eui64, ch->old_ns->eui64, sizeof(o.eui64));
		if (add_ns(ss, ch->old_ns->backend, &o) < 0)
			log_error("conf",
				  "reload: subsystem %s: namespace %u (%s) could not be put "
				  "back",
				  ch->nqn, o.nsid, ch->old_ns->backend);
		break;
	case CONF_CH_SS_ADD:
		if (ss)
			nvmf_subsystem_destroy(ss);
		break;
	case CONF_CH_NS_ADD:
		if (ss && r->nsids[i])
			nvmf_subsystem_remove_ns(ss, r->nsids[i]);
		break;
	case CONF_CH_HOST_ADD:
		if (ss)
			nvmf_subsystem_remove_host(ss, ch->name);
		break;
	case CONF_CH_LISTEN_ADD:
		if (ss)
			nvmf_subsystem_remove_listener(ss, &ch->addr);
		break;
	case CONF_CH_LISTEN_SECURE:
		back = ch->addr;
		back.secure = back.secure == NVMF_LISTEN_SECURE_TLS ? NVMF_LISTEN_SECURE_NONE
								    : NVMF_LISTEN_SECURE_TLS;
		if (nvmf_tgt_listener_set_secure(r->tgt, &back) != 0)
			log_error("conf", "reload: listener %s:%s: secure= could not be put back",
				  back.traddr, back.trsvcid);
		break;
	default: /* a transport cannot be removed */
		break;
	}
}

/* Make a removal (cannot fail in a way that needs undoing). */
static void do_removal(struct reloader *r, const struct conf_change *ch)
{
	struct nvmf_subsystem *ss = ch->nqn ? ss_of(r, ch) : NULL;
	int rc = 0;

	switch (ch->kind) {
	case CONF_CH_ALLOW_ANY:
		if (ss)
			nvmf_subsystem_set_allow_any_host(ss, ch->allow);
		break;
	case CONF_CH_PASSTHRU:
		if (ss)
			nvmf_subsystem_set_admin_passthru(ss, ch->allow);
		break;
	case CONF_CH_HOST_PSK:
		rc = ss ? set_psk(r, ch) : -ENOENT;
		break;
	case CONF_CH_HOST_DEL:
		rc = ss ? nvmf_subsystem_remove_host(ss, ch->name) : -ENOENT;
		break;
	case CONF_CH_LISTEN_DEL:
		rc = ss ? nvmf_subsystem_remove_listener(ss, &ch->addr) : -ENOENT;
		break;
	case CONF_CH_SS_DEL:
		rc = ss ? nvmf_subsystem_destroy(ss) : -ENOENT;
		break;
	case CONF_CH_BACKEND_DEL:
		/* Its name goes at once; its memory once no poll group holds it. */
		rc = nvmf_backend_delete(r->tgt, ch->name);
		break;
	case CONF_CH_LOG_LEVEL:
		log_set_level((enum log_level)ch->level);
		break;
	default:
		break;
	}
	if (rc)
		log_warn("conf", "reload: %s%s: change %d: %s", ch->nqn ? "subsystem " : "backend ",
			 ch->nqn ? ch->nqn : ch->name, (int)ch->kind, strerror(-rc));
}

int conf_diff_apply(const struct conf_diff *d, const struct conf *c, struct nvmf_tgt *tgt,
		    struct conf_errors *errs)
{
	struct reloader r = {.d = d, .c = c, .tgt = tgt, .errs = errs};
	unsigned i;
	int rc = 0;

	r.nsids = calloc(d->n + 1, sizeof(*r.nsids));
	if (r.nsids == NULL) {
		conf_err(errs, c->name, 0, "out of memory; nothing was changed");
		return -ENOMEM;
	}
	for (i = 0; i < d->n && d->ch[i].kind < CONF_CH_ALLOW_ANY; i++) {
		rc = do_change(&r, i);
		if (rc)
			break;
	}
	if (rc) {
		while (i-- > 0)
			undo_change(&r, i);
	} else {
		for (; i < d->n; i++)
			do_removal(&r, &d->ch[i]);
	}
	free(r.nsids);
	return rc;
}

/* ---------------------------------------------------------------- summary */

static unsigned count_kind(const struct conf_diff *d, enum conf_change_kind kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->n; i++)
		n += d->ch[i].kind == kind;
	return n;
}

char *conf_diff_summary(const struct conf_diff *d, char *buf, size_t len)
{
	/* Added and removed counts per noun; CONF_CH_KINDS: no such change. */
	static const struct {
		enum conf_change_kind add, del;
		const char *noun;
	} nouns[] = {
	    {CONF_CH_SS_ADD, CONF_CH_SS_DEL, "subsystem"},
	    {CONF_CH_NS_ADD, CONF_CH_NS_DEL, "namespace"},
	    {CONF_CH_HOST_ADD, CONF_CH_HOST_DEL, "host"},
	    {CONF_CH_LISTEN_ADD, CONF_CH_LISTEN_DEL, "listener"},
	    {CONF_CH_BACKEND_ADD, CONF_CH_BACKEND_DEL, "backend"},
	    {CONF_CH_TRANSPORT_ADD, CONF_CH_KINDS, "transport"},
	    {CONF_CH_ALLOW_ANY, CONF_CH_KINDS, "AllowAnyHost change"},
	    {CONF_CH_PASSTHRU, CONF_CH_KINDS, "AdminPassthru change"},
	    {CONF_CH_HOST_PSK, CONF_CH_KINDS, "host PSK change"},
	    {CONF_CH_LISTEN_SECURE, CONF_CH_KINDS, "listener secure= change"},
	    {CONF_CH_LOG_LEVEL, CONF_CH_KINDS, "LogLevel change"},
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t w = 0; w < 2 * sizeof(nouns) / sizeof(nouns[0]); w++) {
		enum conf_change_kind kind = w % 2 ? nouns[w / 2].del : nouns[w / 2].add;
		unsigned n = kind == CONF_CH_KINDS ? 0 : count_kind(d, kind);
		int k;

		if (n == 0 || used >= len)
			continue;
		k = snprintf(buf + used, len - used, "%s%c%u %s%s", used ? ", " : "",
			     w % 2 ? '-' : '+', n, nouns[w / 2].noun, n == 1 ? "" : "s");
		used += k > 0 ? (size_t)k : 0;
	}
	if (used == 0)
		snprintf(buf, len, "no change");
	return buf;
}

/* ------------------------------------------------------------------ entry */

int conf_reload(const struct conf *c, struct nvmf_tgt *tgt, const struct conf_reload_opts *opts,
		struct conf_errors *errs, struct conf_errors *notes, struct conf_reload_result *res)
{
	struct conf_state *st;
	struct conf_diff *d;
	int rc;

	memset(res, 0, sizeof(*res));
	d = malloc(sizeof(*d));
	if (d == NULL || conf_state_read(tgt, &st) != 0) {
		free(d);
		conf_err(errs, c->name, 0, "out of memory; nothing was changed");
		return -ENOMEM;
	}
	st->core_mask = opts->core_mask;
	st->core_mask_fixed = opts->core_mask_fixed;
	st->log_level_fixed = opts->log_level_fixed;
	st->log_level = (int)log_get_level();
	rc = conf_diff(c, st, d, errs);
	*notes = d->notes;
	if (rc == 0)
		rc = conf_diff_apply(d, c, tgt, errs);
	if (rc == 0) {
		conf_diff_summary(d, res->summary, sizeof(res->summary));
		res->changes = d->n;
	}
	conf_diff_free(d);
	free(d);
	conf_state_free(st);
	return rc;
}
