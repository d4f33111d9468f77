/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_ss.c - subsystems: nvmf_create_subsystem, nvmf_delete_subsystem,
 * nvmf_get_subsystems, nvmf_subsystem_allow_any_host,
 * nvmf_subsystem_add_host, nvmf_subsystem_remove_host.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "rpc/rpc_internal.h"
#include "util_tls_psk.h"

struct nvmf_subsystem *rpc_ss_lookup(struct rpc_req *r, const char *nqn)
{
	struct nvmf_subsystem *ss;

	if (strcmp(nqn, NVMF_DISCOVERY_NQN) == 0) {
		rpc_error(r, -EPERM,
			  "%s: the discovery subsystem is served on every listener and is not "
			  "changed by RPC",
			  nqn);
		return NULL;
	}
	ss = nvmf_subsystem_find(r->tgt, nqn);
	if (ss == NULL)
		rpc_error(r, -ENOENT, "subsystem %.224s: not found", nqn);
	return ss;
}

struct nvmf_subsystem *rpc_ss_params(struct rpc_req *r, const struct json_value *params,
				     const struct rpc_param *tab, size_t n, void *out)
{
	uint64_t given;

	assert(n > 0 && tab[0].type == RPC_P_STR && tab[0].required &&
	       strcmp(tab[0].name, "nqn") == 0);
	if (rpc_params_decode(r, params, NULL, tab, n, out, &given) != 0)
		return NULL;
	return rpc_ss_lookup(r, *(const char **)(void *)((char *)out + tab[0].off));
}

struct create_ss_params {
	const char *nqn;
	const char *serial_number;
	const char *model_number;
	bool allow_any_host;
	uint32_t max_namespaces;
};

static const struct rpc_param create_ss_tab[] = {
    RPC_PARAM("nqn", RPC_P_STR, true, struct create_ss_params, nqn),
    RPC_PARAM("serial_number", RPC_P_STR, false, struct create_ss_params, serial_number),
    RPC_PARAM("model_number", RPC_P_STR, false, struct create_ss_params, model_number),
    RPC_PARAM("allow_any_host", RPC_P_BOOL, false, struct create_ss_params, allow_any_host),
    RPC_PARAM("max_namespaces", RPC_P_U32, false, struct create_ss_params, max_namespaces),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
    RPC_FIXED("ana_reporting", false, "no ANA reporting yet"),
    RPC_REFUSE("min_cntlid", "controller IDs are dynamic, from 1 up"),
    RPC_REFUSE("max_cntlid", "controller IDs are dynamic, from 1 up"),
    RPC_REFUSE("max_discard_size_kib", "no discard size limit"),
    RPC_REFUSE("max_write_zeroes_size_kib", "no write zeroes size limit"),
    RPC_FIXED("passthrough", false, "no NVMe passthrough"),
    RPC_FIXED("enable_nssr", false, "no NVM subsystem reset"),
};

/* Identity and host policy of a new subsystem. @return 0 or -EINVAL (error set). */
static int ss_configure(struct rpc_req *r, struct nvmf_subsystem *ss,
			const struct create_ss_params *p, uint64_t given)
{
	if (p->serial_number && nvmf_subsystem_set_sn(ss, p->serial_number) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "serial_number: 1 to 20 printable ASCII characters");
		return -EINVAL;
	}
	if (p->model_number && nvmf_subsystem_set_mn(ss, p->model_number) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "model_number: 1 to 40 printable ASCII characters");
		return -EINVAL;
	}
	/* SPDK's 0: no limit of its own, i.e. ours. */
	if ((given & (1u << 4)) && nvmf_subsystem_set_max_namespaces(
				       ss, p->max_namespaces ? p->max_namespaces : 1024) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "max_namespaces: 0 (no limit) or 1 to 1024");
		return -EINVAL;
	}
	nvmf_subsystem_set_allow_any_host(ss, p->allow_any_host);
	return 0;
}

static void rpc_nvmf_create_subsystem(struct rpc_req *r, const struct json_value *params)
{
	struct create_ss_params p = {0};
	struct nvmf_subsystem *ss;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, create_ss_tab,
			      sizeof(create_ss_tab) / sizeof(create_ss_tab[0]), &p, &given) != 0)
		return;
	rc = nvmf_subsystem_create(r->tgt, p.nqn, &ss);
	if (rc == -EINVAL) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "nqn: '%.224s' is not a valid NQN (nqn.yyyy-mm.reverse.domain:name)",
			  p.nqn);
		return;
	}
	if (rc != 0) {
		rpc_error_errno(r, rc, p.nqn,
				rc == -EEXIST ? " (a subsystem with this NQN)" : NULL);
		return;
	}
	if (ss_configure(r, ss, &p, given) != 0) {
		nvmf_subsystem_destroy(ss); /* new, no controller: freed at once */
		return;
	}
	rpc_result_true(r);
}

struct nqn_params {
	const char *nqn;
	const char *host;
	const char *psk;
	const char *dhchap_key;
	const char *dhchap_ctrlr_key;
	bool allow_any_host;
};

static const struct rpc_param nqn_only_tab[] = {
    RPC_PARAM("nqn", RPC_P_STR, true, struct nqn_params, nqn),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
};

static void rpc_nvmf_delete_subsystem(struct rpc_req *r, const struct json_value *params)
{
	struct nqn_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, nqn_only_tab, 2, &p);

	/* Live controllers are torn down; the core frees it when they are gone. */
	if (ss != NULL)
		rpc_reply_rc(r, nvmf_subsystem_destroy(ss), p.nqn);
}

static void rpc_nvmf_subsystem_allow_any_host(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct nqn_params, nqn),
	    RPC_PARAM("allow_any_host", RPC_P_BOOL, true, struct nqn_params, allow_any_host),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct nqn_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, tab, 3, &p);

	if (ss == NULL)
		return;
	nvmf_subsystem_set_allow_any_host(ss, p.allow_any_host);
	rpc_result_true(r);
}

static const struct rpc_param host_tab[] = {
    RPC_PARAM("nqn", RPC_P_STR, true, struct nqn_params, nqn),
    RPC_PARAM("host", RPC_P_STR, true, struct nqn_params, host),
    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
    RPC_PARAM("psk", RPC_P_STR, false, struct nqn_params, psk),
    RPC_PARAM("dhchap_key", RPC_P_STR, false, struct nqn_params, dhchap_key),
    RPC_PARAM("dhchap_ctrlr_key", RPC_P_STR, false, struct nqn_params, dhchap_ctrlr_key),
};

/*
 * psk: a keyring key's name, a key file path or an interchange string; @src
 * the file it came from (NULL: inline). Errors never show key bytes.
 */
static int host_psk_load(struct rpc_req *r, const struct nqn_params *p, struct tls_psk *psk,
			 const char **src)
{
	const char *why = "bad key", *path = nvmf_keyring_path(r->tgt, p->psk);
	int rc = tls_psk_load(path != NULL ? path : p->psk, psk, &why);

	*src = path != NULL ? path : (p->psk[0] == '/' || p->psk[0] == '.' ? p->psk : NULL);
	if (rc == -EINVAL)
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "psk: %s", why);
	else if (rc != 0)
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "psk: cannot read key file %.200s: %s",
			  *src != NULL ? *src : "?", why != NULL ? why : strerror(-rc));
	return rc;
}

static void host_error(struct rpc_req *r, const struct nqn_params *p, int rc)
{
	if (rc == -EINVAL)
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "host: '%.224s' is not a valid NQN", p->host);
	else if (rc == -EEXIST)
		rpc_error(r, rc, "host %.224s: already allowed on %s", p->host, p->nqn);
	else if (rc == -ENOENT)
		rpc_error(r, rc, "host %.224s: not on the list of %s", p->host, p->nqn);
	else
		rpc_reply_rc(r, rc, p->host);
}

/* The host's PSK into the TLS keyring, and the keyring key it came from. */
static int host_psk_set(struct rpc_req *r, struct nvmf_subsystem *ss, const struct nqn_params *p,
			struct tls_psk *psk, const char *src)
{
	int rc = tls_keyring_add(nvmf_tgt_keyring(r->tgt), p->host, p->nqn, psk, src);

	if (rc == 0 && nvmf_keyring_path(r->tgt, p->psk) != NULL)
		rc = nvmf_subsystem_host_set_psk_key(ss, p->host, p->psk);
	if (rc != 0)
		rpc_reply_rc(r, rc, p->host);
	return rc;
}

static void rpc_nvmf_subsystem_add_host(struct rpc_req *r, const struct json_value *params)
{
	struct tls_psk psk = {0};
	struct nqn_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, host_tab, 6, &p);
	const char *src = NULL;
	int rc;

	if (ss == NULL || (p.psk != NULL && host_psk_load(r, &p, &psk, &src) != 0))
		return;
	rc = nvmf_subsystem_add_host(ss, p.host);
	if (rc != 0) {
		host_error(r, &p, rc);
	} else if ((p.dhchap_key != NULL || p.dhchap_ctrlr_key != NULL) &&
		   rpc_host_set_dhchap(r, ss, p.nqn, p.host, p.dhchap_key, p.dhchap_ctrlr_key) !=
		       0) {
		nvmf_subsystem_remove_host(ss, p.host); /* new: nothing connected yet */
	} else if (p.psk != NULL && host_psk_set(r, ss, &p, &psk, src) != 0) {
		nvmf_subsystem_remove_host(ss, p.host);
		tls_keyring_remove(nvmf_tgt_keyring(r->tgt), p.host, p.nqn);
	} else {
		rpc_result_true(r);
	}
	tls_psk_wipe(&psk);
}

/* The host goes with its secrets (wiped); its TLS PSK leaves the TLS keyring. */
static void rpc_nvmf_subsystem_remove_host(struct rpc_req *r, const struct json_value *params)
{
	struct nqn_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, host_tab, 3, &p);
	int rc;

	if (ss == NULL)
		return;
	rc = nvmf_subsystem_remove_host(ss, p.host);
	if (rc == 0)
		tls_keyring_remove(nvmf_tgt_keyring(r->tgt), p.host, p.nqn); /* none: fine */
	host_error(r, &p, rc);
}

/* ------------------------------------------------------------------ list */

static void write_host(void *arg, const char *hostnqn)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_str(w, "nqn", hostnqn);
	json_obj_end(w);
}

static void write_listener(void *arg, const struct nvmf_listen_addr *a)
{
	rpc_write_listen_addr(arg, NULL, a);
}

static void write_ns(void *arg, const struct nvmf_ns_info *ns)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_uint(w, "nsid", ns->nsid);
	json_kv_str(w, "bdev_name", ns->backend_name);
	json_kv_str(w, "name", ns->backend_name);
	rpc_write_hex(w, "nguid", ns->nguid, sizeof(ns->nguid));
	rpc_write_hex(w, "eui64", ns->eui64, sizeof(ns->eui64));
	rpc_write_uuid(w, "uuid", ns->uuid);
	json_obj_end(w);
}

static void write_ss(void *arg, struct nvmf_subsystem *ss)
{
	struct json_writer *w = arg;
	struct nvmf_subsystem_info i;

	nvmf_subsystem_get_info(ss, &i);
	json_obj_begin(w);
	json_kv_str(w, "nqn", i.nqn);
	json_kv_str(w, "subtype", "NVMe");
	json_key(w, "listen_addresses");
	json_arr_begin(w);
	nvmf_subsystem_foreach_listener(ss, write_listener, w);
	json_arr_end(w);
	json_kv_bool(w, "allow_any_host", i.allow_any_host);
	json_key(w, "hosts");
	json_arr_begin(w);
	nvmf_subsystem_foreach_host(ss, write_host, w);
	json_arr_end(w);
	json_kv_str(w, "serial_number", i.sn);
	json_kv_str(w, "model_number", i.mn);
	json_kv_uint(w, "max_namespaces", i.max_nsid);
	json_kv_uint(w, "num_controllers", i.num_ctrlrs);
	json_key(w, "namespaces");
	json_arr_begin(w);
	nvmf_subsystem_foreach_ns(ss, write_ns, w);
	json_arr_end(w);
	json_obj_end(w);
}

static void rpc_nvmf_get_subsystems(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, false, struct nqn_params, nqn),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct nqn_params p = {0};
	struct nvmf_subsystem *ss = NULL;
	struct json_writer *w;
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 2, &p, &given) != 0)
		return;
	if (p.nqn != NULL && (ss = rpc_ss_lookup(r, p.nqn)) == NULL)
		return;
	w = rpc_result(r);
	json_arr_begin(w);
	if (ss != NULL)
		write_ss(w, ss);
	else
		nvmf_subsystem_foreach(r->tgt, write_ss, w);
	json_arr_end(w);
}

const struct rpc_method rpc_methods_ss[] = {
    {"nvmf_create_subsystem", rpc_nvmf_create_subsystem},
    {"nvmf_delete_subsystem", rpc_nvmf_delete_subsystem},
    {"nvmf_get_subsystems", rpc_nvmf_get_subsystems},
    {"nvmf_subsystem_allow_any_host", rpc_nvmf_subsystem_allow_any_host},
    {"nvmf_subsystem_add_host", rpc_nvmf_subsystem_add_host},
    {"nvmf_subsystem_remove_host", rpc_nvmf_subsystem_remove_host},
    {NULL, NULL},
};
