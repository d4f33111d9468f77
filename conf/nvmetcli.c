/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli.c - reading the kernel target's nvmetcli JSON (what `nvmetcli
 * save` writes to /etc/nvmet/config.json) into the model of
 * conf_nvmetcli.h. The emitters are in nvmetcli_emit.c, the generic
 * walker in nvmetcli_walk.c.
 *
 * The file: {"hosts": [{"nqn"}], "subsystems": [{"nqn", "attr": {...},
 * "allowed_hosts": [NQN], "namespaces": [{"nsid", "enable", "device":
 * {"path", "uuid", "nguid"}, ...}]}], "ports": [{"portid", "addr":
 * {"trtype", "adrfam", "traddr", "trsvcid", "treq", "tsas"},
 * "subsystems": [NQN], "referrals": [...], "ana_groups": [...], "param":
 * {...}}]}. nvmetcli writes attribute values as strings ("1", "0");
 * numbers and booleans are taken too.
 *
 * Each object is read through a table of its keys. Ports are read after
 * the subsystems they link, so the warnings come in the order hosts,
 * subsystems, ports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"
#include "conf/nvmetcli_internal.h"

#define NC_MAX_FILE (16u << 20) /* as conf_read_file() */
#define NC_COUNT(t) (sizeof(t) / sizeof((t)[0]))

static const char why_cntlid[] = "controller IDs are dynamic, from 1 up";
/* ------------------------------------------------------------------ hosts */

static int r_host_nqn(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_str(c, path, v, &c->host_nqn);
}

/* A key is never printed; its host is left out rather than let in unauthenticated. */
static int r_host_key(struct nc *c, const char *path, const struct json_value *v)
{
	if (v->type != JSON_STRING)
		return nc_fail(c, path, "expected a string");
	if (v->u.str.len == 0)
		return 0;
	nc_warn(c, path,
		"DH-HMAC-CHAP key (not shown): no DH-HMAC-CHAP in nvmf-tgt yet; the host is "
		"left out of every allowed_hosts");
	c->host_chap = true;
	return 0;
}

static const struct nc_key host_keys[] = {
    {.key = "nqn", .read = r_host_nqn},
    {.key = "dhchap_key", .read = r_host_key},
    {.key = "dhchap_ctrl_key", .read = r_host_key},
    {.key = "dhchap_hash", .quiet = true},    /* meaningful only with a key */
    {.key = "dhchap_dhgroup", .quiet = true}, /* likewise */
};

static int r_host(struct nc *c, const char *path, const struct json_value *v)
{
	const char **slot;

	c->host_nqn = NULL;
	c->host_chap = false;
	if (nc_walk(c, path, v, host_keys, NC_COUNT(host_keys)) != 0)
		return c->rc;
	if (c->host_nqn == NULL)
		return nc_fail(c, path, "a host needs an nqn");
	if (!c->host_chap)
		return 0;
	slot = nc_push(c, &c->chap, &c->n_chap, sizeof(*slot));
	if (slot != NULL)
		*slot = c->host_nqn;
	return c->rc;
}

/* ------------------------------------------------------------- namespaces */

static int r_dev_path(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->ns->path, path, v);
}

static int r_dev_uuid(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_id(c, path, v, c->ns->uuid, &c->ns->has_uuid);
}

static int r_dev_nguid(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_id(c, path, v, c->ns->nguid, &c->ns->has_nguid);
}

static const struct nc_key dev_keys[] = {
    {.key = "path", .read = r_dev_path},
    {.key = "uuid", .read = r_dev_uuid},
    {.key = "nguid", .read = r_dev_nguid},
    {.key = "p2pmem", .ok = "0|none|", .why = "no peer-to-peer memory"},
};

static int r_ns_device(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_walk(c, path, v, dev_keys, NC_COUNT(dev_keys));
}

static int r_ns_enable(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_flag(c, path, v, &c->ns_enabled);
}

static int r_ns_nsid(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_u32(c, path, v, &c->ns->nsid);
}

static const struct nc_key ns_keys[] = {
    {.key = "device", .read = r_ns_device},
    {.key = "enable", .read = r_ns_enable},
    {.key = "nsid", .read = r_ns_nsid},
    {.key = "ana_grpid", .ok = "1", .why = "no ANA groups: every namespace is in group 1"},
    {.key = "buffered_io",
     .ok = "0",
     .why = "File namespaces use direct I/O where the file system allows it"},
};

/* An enabled namespace with a path and an NSID becomes a File backend; a disabled one is dropped. */
static int r_namespace(struct nc *c, const char *path, const struct json_value *v)
{
	struct nvmetcli_ns ns = {0}, *slot;
	unsigned pos = c->m->n_subs;

	c->ns = &ns;
	c->ns_enabled = true;
	if (nc_walk(c, path, v, ns_keys, NC_COUNT(ns_keys)) != 0)
		goto out_free;
	if (!c->ns_enabled) {
		nc_warn(c, path, "disabled (enable 0), so not served; dropped (device.path %s)",
			ns.path ? ns.path : "none");
		goto out_free;
	}
	if (ns.path == NULL || ns.path[0] == '\0' || ns.nsid == 0) {
		nc_fail(c, path, "an enabled namespace needs device.path and an nsid above 0");
		goto out_free;
	}
	snprintf(ns.backend, sizeof(ns.backend), "nvmet%un%u", pos, ns.nsid);
	slot = nc_push(c, &c->ss->nss, &c->ss->n_nss, sizeof(*slot));
	if (slot == NULL)
		goto out_free;
	*slot = ns;
	return 0;
out_free:
	free(ns.path);
	return c->rc;
}

/* ------------------------------------------------------------- subsystems */

static int r_attr_allow(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_flag(c, path, v, &c->ss->allow_any_host);
}

static int r_attr_serial(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->ss->sn, path, v);
}

static int r_attr_model(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->ss->mn, path, v);
}

static const struct nc_key attr_keys[] = {
    {.key = "allow_any_host", .read = r_attr_allow},
    {.key = "serial", .read = r_attr_serial},
    {.key = "model", .read = r_attr_model},
    {.key = "version", .ok = "1.3", .why = "nvmf-tgt reports NVMe version 1.3"},
    {.key = "cntlid_min", .ok = "1", .why = why_cntlid},
    {.key = "cntlid_max", .ok = "65519", .why = why_cntlid},
    {.key = "pi_enable", .ok = "0", .why = "no protection information"},
    {.key = "qid_max",
     .why = "queues per controller are set per transport ([Transport] MaxQueuesPerSession)"},
    {.key = "firmware", .why = "the firmware revision is fixed"},
    {.key = "ieee_oui", .ok = "0x000000|0", .why = "the IEEE OUI is fixed (0)"},
};

static int r_ss_attr(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_walk(c, path, v, attr_keys, NC_COUNT(attr_keys));
}

static int r_ss_nqn(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->ss->nqn, path, v);
}

static int r_allowed_host(struct nc *c, const char *path, const struct json_value *v)
{
	char **slot;

	if (v->type != JSON_STRING)
		return nc_fail(c, path, "expected a host NQN");
	for (unsigned i = 0; i < c->n_chap; i++) {
		if (strcmp(c->chap[i], v->u.str.s) == 0) {
			nc_warn(c, path, "%s: left out (it has a DH-HMAC-CHAP key)", v->u.str.s);
			return 0;
		}
	}
	slot = nc_push(c, &c->ss->hosts, &c->ss->n_hosts, sizeof(*slot));
	if (slot != NULL && (*slot = strdup(v->u.str.s)) == NULL)
		c->rc = -ENOMEM;
	return c->rc;
}

static int r_ss_hosts(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_each(c, path, v, r_allowed_host);
}

static int r_ss_namespaces(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_each(c, path, v, r_namespace);
}

static const struct nc_key ss_keys[] = {
    {.key = "nqn", .read = r_ss_nqn},
    {.key = "attr", .read = r_ss_attr},
    {.key = "allowed_hosts", .read = r_ss_hosts},
    {.key = "namespaces", .read = r_ss_namespaces},
    {.key = "passthru", .why = "no NVMe passthrough in nvmf-tgt"},
};

struct nvmetcli_subsys *nc_find_subsys(struct nvmetcli_model *m, const char *nqn)
{
	for (unsigned i = 0; i < m->n_subs; i++) {
		if (m->subs[i].nqn != NULL && strcmp(m->subs[i].nqn, nqn) == 0)
			return &m->subs[i];
	}
	return NULL;
}

static int r_subsystem(struct nc *c, const char *path, const struct json_value *v)
{
	const struct json_value *nqn = json_obj_get(v, "nqn");

	if (nqn != NULL && nqn->type == JSON_STRING && nc_find_subsys(c->m, nqn->u.str.s))
		return nc_fail(c, path, "subsystem %s is in the file twice", nqn->u.str.s);
	c->ss = nc_push(c, &c->m->subs, &c->m->n_subs, sizeof(*c->ss));
	if (c->ss == NULL || nc_walk(c, path, v, ss_keys, NC_COUNT(ss_keys)) != 0)
		return c->rc;
	if (c->ss->nqn == NULL)
		return nc_fail(c, path, "a subsystem needs an nqn");
	return 0;
}

/* ------------------------------------------------------------------- root */

/* The top-level arrays are read in a fixed order once all are found: hosts, subsystems, ports. */
static int r_root_array(struct nc *c, const char *path, const struct json_value *v,
			const struct json_value **slot)
{
	*slot = v;
	return v->type == JSON_ARRAY ? 0 : nc_fail(c, path, "expected an array");
}

static int r_root_hosts(struct nc *c, const char *path, const struct json_value *v)
{
	return r_root_array(c, path, v, &c->hosts);
}

static int r_root_subsystems(struct nc *c, const char *path, const struct json_value *v)
{
	return r_root_array(c, path, v, &c->subs);
}

static int r_root_ports(struct nc *c, const char *path, const struct json_value *v)
{
	return r_root_array(c, path, v, &c->ports);
}

static const struct nc_key root_keys[] = {
    {.key = "hosts", .read = r_root_hosts},
    {.key = "subsystems", .read = r_root_subsystems},
    {.key = "ports", .read = r_root_ports},
};

static void nc_free_subsys(struct nvmetcli_subsys *ss)
{
	free(ss->nqn);
	free(ss->sn);
	free(ss->mn);
	for (unsigned i = 0; i < ss->n_hosts; i++)
		free(ss->hosts[i]);
	free(ss->hosts);
	for (unsigned i = 0; i < ss->n_nss; i++)
		free(ss->nss[i].path);
	free(ss->nss);
	for (unsigned i = 0; i < ss->n_listens; i++)
		nc_free_listen(&ss->listens[i]);
	free(ss->listens);
}

void nvmetcli_free(struct nvmetcli_model *m)
{
	if (m == NULL)
		return;
	for (unsigned i = 0; i < m->n_subs; i++)
		nc_free_subsys(&m->subs[i]);
	free(m->subs);
	for (unsigned i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	free(m);
}

static int nc_read_root(struct nc *c, const struct json_value *root)
{
	if (root->type != JSON_OBJECT)
		return nc_fail(c, "the top level", "expected an object (nvmetcli's config.json)");
	if (nc_walk(c, "", root, root_keys, NC_COUNT(root_keys)) != 0)
		return c->rc;
	if (c->hosts != NULL && nc_each(c, "hosts", c->hosts, r_host) != 0)
		return c->rc;
	if (c->subs != NULL && nc_each(c, "subsystems", c->subs, r_subsystem) != 0)
		return c->rc;
	if (c->ports != NULL)
		nc_each(c, "ports", c->ports, nc_read_port);
	return c->rc;
}

int nvmetcli_parse(const char *text, size_t len, struct nvmetcli_model **out, char *err,
		   size_t errlen)
{
	struct json_limits lim = {.max_size = NC_MAX_FILE};
	struct nc c = {.err = err, .errlen = errlen};
	struct json_value *root = NULL;
	struct json_error jerr;
	int rc;

	*out = NULL;
	rc = json_parse(text, len, &lim, &root, &jerr);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -E2BIG) {
		snprintf(err, errlen, "too large or nested too deeply");
		return -EINVAL;
	}
	if (rc != 0) {
		snprintf(err, errlen, "line %u, column %u: %s", jerr.line, jerr.col, jerr.msg);
		return -EINVAL;
	}
	c.m = calloc(1, sizeof(*c.m));
	rc = c.m == NULL ? -ENOMEM : nc_read_root(&c, root);
	free(c.chap);
	json_free(root);
	if (rc != 0) {
		nvmetcli_free(c.m);
		return rc;
	}
	*out = c.m;
	return 0;
}

int nvmetcli_parse_file(const char *path, struct nvmetcli_model **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = conf_read_file(path, &text, &len);
	if (rc != 0) {
		snprintf(err, errlen, "cannot read it: %s", strerror(-rc));
		return rc;
	}
	rc = nvmetcli_parse(text, len, out, err, errlen);
	free(text);
	return rc;
}
