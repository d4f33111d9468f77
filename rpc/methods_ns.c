/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_ns.c - namespaces and listeners of a subsystem:
 * nvmf_subsystem_add_ns, nvmf_subsystem_remove_ns,
 * nvmf_subsystem_add_listener, nvmf_subsystem_remove_listener.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rpc/rpc_internal.h"

struct add_ns_params {
	const char *nqn;
	const struct json_value *ns;
};

struct ns_params {
	const char *bdev_name;
	uint32_t nsid;
	const char *uuid;
	const char *nguid;
	const char *eui64;
	uint32_t anagrpid;
};

static const struct rpc_param ns_tab[] = {
    RPC_PARAM("bdev_name", RPC_P_STR, true, struct ns_params, bdev_name),
    RPC_PARAM("nsid", RPC_P_U32, false, struct ns_params, nsid),
    RPC_PARAM("uuid", RPC_P_STR, false, struct ns_params, uuid),
    RPC_PARAM("nguid", RPC_P_STR, false, struct ns_params, nguid),
    RPC_PARAM("eui64", RPC_P_STR, false, struct ns_params, eui64),
    RPC_REFUSE("ptpl_file", "no persistent reservations yet"),
    RPC_PARAM("anagrpid", RPC_P_U32, false, struct ns_params, anagrpid),
    RPC_FIXED("no_auto_visible", false, "every namespace is visible to every allowed host"),
    RPC_FIXED("hide_metadata", false, "no metadata"),
};

/* Identifiers given as strings. @return 0 or -EINVAL (error set). */
static int ns_ids_parse(struct rpc_req *r, const struct ns_params *p, struct nvmf_ns_opts *o)
{
	if (p->uuid && rpc_parse_uuid(p->uuid, o->uuid) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "namespace.uuid: expected 8-4-4-4-12 hex digits");
		return -EINVAL;
	}
	if (p->nguid && rpc_parse_hex(p->nguid, o->nguid, sizeof(o->nguid)) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "namespace.nguid: expected 32 hex digits");
		return -EINVAL;
	}
	if (p->eui64 && rpc_parse_hex(p->eui64, o->eui64, sizeof(o->eui64)) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "namespace.eui64: expected 16 hex digits");
		return -EINVAL;
	}
	return 0;
}

static void add_ns_error(struct rpc_req *r, int rc, const struct ns_params *p, const char *nqn)
{
	switch (rc) {
	case -ENOENT:
		rpc_error(r, rc, "bdev %.64s: not found (bdev_get_bdevs lists them)", p->bdev_name);
		break;
	case -EEXIST:
		rpc_error(r, rc, "%s: NSID %u is taken, or bdev %.64s is already a namespace there",
			  nqn, p->nsid, p->bdev_name);
		break;
	case -EINVAL:
		if (p->nsid != 0)
			rpc_error(r, RPC_ERR_INVALID_PARAMS,
				  "namespace.nsid: %u is above max_namespaces of %s", p->nsid, nqn);
		else
			rpc_error(r, rc, "bdev %.64s: smaller than one block", p->bdev_name);
		break;
	case -ENOSPC:
		rpc_error(r, rc, "%s: every NSID up to max_namespaces is taken", nqn);
		break;
	default:
		rpc_error_errno(r, rc, nqn, NULL);
	}
}

static void rpc_nvmf_subsystem_add_ns(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct add_ns_params, nqn),
	    RPC_PARAM("namespace", RPC_P_OBJ, true, struct add_ns_params, ns),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct add_ns_params p = {0};
	struct ns_params n = {0};
	struct nvmf_ns_opts opts = {0};
	struct nvmf_subsystem *ss;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 3, &p, &given) != 0 ||
	    rpc_params_decode(r, p.ns, "namespace", ns_tab, sizeof(ns_tab) / sizeof(ns_tab[0]), &n,
			      &given) != 0 ||
	    ns_ids_parse(r, &n, &opts) != 0)
		return;
	ss = rpc_ss_lookup(r, p.nqn);
	if (ss == NULL)
		return;
	opts.nsid = n.nsid;
	opts.anagrpid = n.anagrpid;
	if (n.anagrpid > NVMF_ANA_GRP_MAX) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "namespace.anagrpid: %u is over %u",
			  n.anagrpid, NVMF_ANA_GRP_MAX);
		return;
	}
	rc = nvmf_subsystem_add_ns(ss, n.bdev_name, &opts);
	if (rc < 0)
		add_ns_error(r, rc, &n, p.nqn);
	else
		json_uint(rpc_result(r), (uint64_t)rc);
}

struct remove_ns_params {
	const char *nqn;
	uint32_t nsid;
};

static void rpc_nvmf_subsystem_remove_ns(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct remove_ns_params, nqn),
	    RPC_PARAM("nsid", RPC_P_U32, true, struct remove_ns_params, nsid),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct remove_ns_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, tab, 3, &p);
	int rc;

	if (ss == NULL)
		return;
	rc = nvmf_subsystem_remove_ns(ss, p.nsid);
	if (rc == -ENOENT)
		rpc_error(r, rc, "%s: no namespace %u", p.nqn, p.nsid);
	else
		rpc_reply_rc(r, rc, p.nqn);
}

/* -------------------------------------------------------------- listeners */

struct listener_params {
	const char *nqn;
	const struct json_value *addr;
	bool secure_channel;
};

struct addr_params {
	const char *trtype;
	const char *traddr;
	const char *trsvcid;
	const char *adrfam;
};

static const struct rpc_param addr_tab[] = {
    RPC_PARAM("trtype", RPC_P_STR, true, struct addr_params, trtype),
    RPC_PARAM("traddr", RPC_P_STR, true, struct addr_params, traddr),
    RPC_PARAM("trsvcid", RPC_P_STR, true, struct addr_params, trsvcid),
    RPC_PARAM("adrfam", RPC_P_STR, false, struct addr_params, adrfam),
};

int rpc_listen_addr_decode(struct rpc_req *r, const struct json_value *v, const char *name,
			   struct nvmf_listen_addr *a)
{
	struct addr_params p = {0};
	char hostport[300];
	uint64_t given;
	bool v6;

	if (rpc_params_decode(r, v, name, addr_tab, 4, &p, &given) != 0)
		return -EINVAL;
	v6 = strchr(p.traddr, ':') != NULL;
	if (p.adrfam && strcasecmp(p.adrfam, v6 ? "ipv6" : "ipv4") != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "%s.adrfam: '%.16s' does not match traddr %.64s (ipv4 or "
			  "ipv6 only)",
			  name, p.adrfam, p.traddr);
		return -EINVAL;
	}
	snprintf(hostport, sizeof(hostport), v6 ? "[%.256s]:%.32s" : "%.256s:%.32s", p.traddr,
		 p.trsvcid);
	if (nvmf_listen_addr_parse(p.trtype, hostport, a) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "%s: trtype TCP or RDMA, traddr an IP address, trsvcid a "
			  "port 1-65535 (got %.16s %.64s %.32s)",
			  name, p.trtype, p.traddr, p.trsvcid);
		return -EINVAL;
	}
	return 0;
}

static const struct rpc_param listener_tab[] = {
    RPC_PARAM("nqn", RPC_P_STR, true, struct listener_params, nqn),
    RPC_PARAM("listen_address", RPC_P_OBJ, true, struct listener_params, addr),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
    RPC_PARAM("secure_channel", RPC_P_BOOL, false, struct listener_params, secure_channel),
    RPC_REFUSE("sock_impl", "one socket implementation"),
    RPC_REFUSE("ana_state", "no ANA yet"),
};

static void listener_error(struct rpc_req *r, int rc, const char *nqn, bool add)
{
	switch (rc) {
	case -EEXIST:
		rpc_error(r, rc, "%s: already listens there", nqn);
		break;
	case -ENOENT:
		rpc_error(r, rc, "%s: does not listen there", nqn);
		break;
	case -ENOTSUP:
		rpc_error(r, rc,
			  "no transport of that type: create it first (nvmf_create_transport)");
		break;
	case -EADDRINUSE:
		rpc_error_errno(r, rc, nqn, " (another program listens there)");
		break;
	default:
		rpc_error_errno(r, rc, nqn, add ? " (cannot listen there)" : NULL);
	}
}

static void listener_change(struct rpc_req *r, const struct json_value *params, bool add)
{
	struct listener_params p = {0};
	struct nvmf_listen_addr a;
	struct nvmf_subsystem *ss;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, listener_tab, add ? 6 : 3, &p, &given) != 0 ||
	    rpc_listen_addr_decode(r, p.addr, "listen_address", &a) != 0)
		return;
	if (p.secure_channel && a.trtype != NVMF_TRTYPE_TCP) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "secure_channel: TLS is for TCP listeners only");
		return;
	}
	a.secure = p.secure_channel ? NVMF_LISTEN_SECURE_TLS : NVMF_LISTEN_SECURE_NONE;
	ss = rpc_ss_lookup(r, p.nqn);
	if (ss == NULL)
		return;
	rc = add ? nvmf_subsystem_add_listener(ss, &a) : nvmf_subsystem_remove_listener(ss, &a);
	if (rc != 0)
		listener_error(r, rc, p.nqn, add);
	else
		rpc_result_true(r);
}

static void rpc_nvmf_subsystem_add_listener(struct rpc_req *r, const struct json_value *params)
{
	listener_change(r, params, true);
}

static void rpc_nvmf_subsystem_remove_listener(struct rpc_req *r, const struct json_value *params)
{
	listener_change(r, params, false);
}

const struct rpc_method rpc_methods_ns[] = {
    {"nvmf_subsystem_add_ns", rpc_nvmf_subsystem_add_ns},
    {"nvmf_subsystem_remove_ns", rpc_nvmf_subsystem_remove_ns},
    {"nvmf_subsystem_add_listener", rpc_nvmf_subsystem_add_listener},
    {"nvmf_subsystem_remove_listener", rpc_nvmf_subsystem_remove_listener},
    {NULL, NULL},
};
