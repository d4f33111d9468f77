/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli_ports.c - the "ports" of an nvmetcli file. A kernel port is an
 * address (addr) and the subsystems linked to it; nvmf-tgt has no port
 * object, so each TCP or RDMA port becomes a listen address of every
 * subsystem it links. Loop and FC ports, referrals, ANA groups and port
 * parameters have no equivalent and are warned about.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/nvmetcli_internal.h"

#define NC_COUNT(t) (sizeof(t) / sizeof((t)[0]))

static int r_addr_trtype(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_str(c, path, v, &c->trtype);
}

static int r_addr_adrfam(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_str(c, path, v, &c->adrfam);
}

static int r_addr_traddr(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->port.traddr, path, v);
}

static int r_addr_trsvcid(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_strdup(c, &c->port.trsvcid, path, v);
}

static int r_addr_treq(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_str(c, path, v, &c->treq);
}

static int r_addr_tsas(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_str(c, path, v, &c->tsas);
}

static const struct nc_key addr_keys[] = {
    {.key = "trtype", .read = r_addr_trtype}, {.key = "adrfam", .read = r_addr_adrfam},
    {.key = "traddr", .read = r_addr_traddr}, {.key = "trsvcid", .read = r_addr_trsvcid},
    {.key = "treq", .read = r_addr_treq},     {.key = "tsas", .read = r_addr_tsas},
};

static int r_port_addr(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_walk(c, path, v, addr_keys, NC_COUNT(addr_keys));
}

static int r_port_links(struct nc *c, const char *path, const struct json_value *v)
{
	if (v->type != JSON_ARRAY)
		return nc_fail(c, path, "expected an array of subsystem NQNs");
	c->links = v;
	return 0;
}

static const char *nc_member_text(const struct json_value *obj, const char *key, char buf[32])
{
	const struct json_value *v = json_obj_get(obj, key);
	const char *s = v != NULL ? nc_scalar(v, buf) : NULL;

	return s != NULL ? s : "?";
}

static int r_referral(struct nc *c, const char *path, const struct json_value *v)
{
	const struct json_value *addr = json_obj_get(v, "addr");
	char b1[32], b2[32], b3[32];

	nc_warn(c, path, "discovery referral to %s %s:%s: nvmf-tgt has no referrals; dropped",
		nc_member_text(addr, "trtype", b1), nc_member_text(addr, "traddr", b2),
		nc_member_text(addr, "trsvcid", b3));
	return 0;
}

static int r_port_referrals(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_each(c, path, v, r_referral);
}

/* Group 1 optimized is what a target without ANA amounts to; anything else is warned about. */
static int r_ana_group(struct nc *c, const char *path, const struct json_value *v)
{
	char b1[32], b2[32];
	const char *grpid = nc_member_text(v, "grpid", b1);
	const char *state = nc_member_text(json_obj_get(v, "ana"), "state", b2);

	if (strcmp(grpid, "1") != 0 || strcmp(state, "optimized") != 0)
		nc_warn(c, path, "ANA group %s (%s): no ANA in nvmf-tgt; ignored", grpid, state);
	return 0;
}

static int r_port_ana(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_each(c, path, v, r_ana_group);
}

static const struct nc_key param_keys[] = {
    {.key = "inline_data_size",
     .why = "the in-capsule data size is set per transport ([Transport] InCapsuleDataSize)"},
    {.key = "pi_enable", .ok = "0", .why = "no protection information"},
};

static int r_port_param(struct nc *c, const char *path, const struct json_value *v)
{
	return nc_walk(c, path, v, param_keys, NC_COUNT(param_keys));
}

static const struct nc_key port_keys[] = {
    {.key = "portid", .quiet = true}, /* nvmf-tgt numbers its listen addresses itself */
    {.key = "addr", .read = r_port_addr},
    {.key = "subsystems", .read = r_port_links},
    {.key = "referrals", .read = r_port_referrals},
    {.key = "ana_groups", .read = r_port_ana},
    {.key = "param", .read = r_port_param},
};

/* Whether the address read can be served; if not, one warning says why. */
static bool nc_port_servable(struct nc *c, const char *path)
{
	char sub[NC_PATH_LEN];
	const char *tr = c->trtype, *af = c->adrfam;
	bool tls;

	if (tr == NULL || (strcasecmp(tr, "tcp") != 0 && strcasecmp(tr, "rdma") != 0)) {
		snprintf(sub, sizeof(sub), "%s.addr.trtype", path);
		nc_warn(c, sub, "'%s': nvmf-tgt serves TCP and RDMA only; port dropped",
			tr ? tr : "none");
		return false;
	}
	if (af == NULL || (strcasecmp(af, "ipv4") != 0 && strcasecmp(af, "ipv6") != 0)) {
		snprintf(sub, sizeof(sub), "%s.addr.adrfam", path);
		nc_warn(c, sub, "'%s': expected ipv4 or ipv6; port dropped", af ? af : "none");
		return false;
	}
	/* Served without TLS, a port that asks for it would be weaker: left out instead. */
	tls = c->tsas != NULL && c->tsas[0] != '\0' && strcmp(c->tsas, "none") != 0;
	if (tls || (c->treq != NULL && strcmp(c->treq, "required") == 0)) {
		snprintf(sub, sizeof(sub), "%s.addr.%s", path, tls ? "tsas" : "treq");
		nc_warn(c, sub, "'%s': no TLS on nvmf-tgt listeners yet; port dropped",
			tls ? c->tsas : c->treq);
		return false;
	}
	if (c->port.traddr == NULL || c->port.trsvcid == NULL) {
		snprintf(sub, sizeof(sub), "%s.addr", path);
		nc_warn(c, sub, "no traddr or no trsvcid; port dropped");
		return false;
	}
	c->port.rdma = strcasecmp(tr, "rdma") == 0;
	c->port.ipv6 = strcasecmp(af, "ipv6") == 0;
	return true;
}

static bool nc_same_listen(const struct nvmetcli_listen *a, const struct nvmetcli_listen *b)
{
	return a->rdma == b->rdma && strcmp(a->traddr, b->traddr) == 0 &&
	       strcmp(a->trsvcid, b->trsvcid) == 0;
}

/* The port's address as a listen address of the subsystem @nqn. */
static void nc_link(struct nc *c, const char *path, const char *nqn)
{
	struct nvmetcli_subsys *ss = nc_find_subsys(c->m, nqn);
	struct nvmetcli_listen *l;

	if (ss == NULL) {
		nc_warn(c, path, "%s: no such subsystem in the file; ignored", nqn);
		return;
	}
	for (unsigned i = 0; i < ss->n_listens; i++) {
		if (nc_same_listen(&ss->listens[i], &c->port)) {
			nc_warn(c, path, "%s listens on this address already; ignored", nqn);
			return;
		}
	}
	l = nc_push(c, &ss->listens, &ss->n_listens, sizeof(*l));
	if (l == NULL)
		return;
	*l = c->port;
	l->traddr = strdup(c->port.traddr);
	l->trsvcid = strdup(c->port.trsvcid);
	if (l->traddr == NULL || l->trsvcid == NULL)
		c->rc = -ENOMEM;
	c->m->uses_rdma |= l->rdma;
	c->m->uses_tcp |= !l->rdma;
}

static void nc_link_all(struct nc *c, const char *path)
{
	char sub[NC_PATH_LEN];

	for (size_t i = 0; i < c->links->u.arr.count && c->rc == 0; i++) {
		const struct json_value *nqn = &c->links->u.arr.items[i];

		snprintf(sub, sizeof(sub), "%s.subsystems[%zu]", path, i);
		if (nqn->type != JSON_STRING)
			nc_fail(c, sub, "expected a subsystem NQN");
		else
			nc_link(c, sub, nqn->u.str.s);
	}
}

void nc_free_listen(struct nvmetcli_listen *l)
{
	free(l->traddr);
	free(l->trsvcid);
}

int nc_read_port(struct nc *c, const char *path, const struct json_value *v)
{
	memset(&c->port, 0, sizeof(c->port));
	c->trtype = c->adrfam = c->treq = c->tsas = NULL;
	c->links = NULL;
	if (nc_walk(c, path, v, port_keys, NC_COUNT(port_keys)) == 0 && nc_port_servable(c, path) &&
	    c->links != NULL)
		nc_link_all(c, path);
	nc_free_listen(&c->port);
	return c->rc;
}
