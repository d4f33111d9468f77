/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_keys.c - the keyring and a host's secrets: keyring_file_add_key,
 * keyring_file_remove_key, keyring_get_keys, nvmf_subsystem_set_keys.
 * Answers and errors name keys and files, never a secret.
 */
#include <errno.h>
#include <string.h>

#include "rpc/rpc_internal.h"

struct key_params {
	const char *name;
	const char *path;
};

static void rpc_keyring_file_add_key(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, true, struct key_params, name),
	    RPC_PARAM("path", RPC_P_STR, true, struct key_params, path),
	};
	struct key_params p = {0};
	const char *why;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 2, &p, &given) != 0)
		return;
	rc = nvmf_keyring_add(r->tgt, p.name, p.path, &why);
	if (rc == -EINVAL && why != NULL && strncmp(why, "name", 4) == 0)
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s", why);
	else if (rc == -EEXIST)
		rpc_error(r, rc, "key %.63s: already in the keyring", p.name);
	else if (rc != 0)
		rpc_error(r, rc == -EINVAL ? RPC_ERR_INVALID_PARAMS : rc,
			  "path: key file %.200s: %s", p.path, why != NULL ? why : strerror(-rc));
	else
		rpc_result_true(r);
}

static void rpc_keyring_file_remove_key(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, true, struct key_params, name),
	};
	struct key_params p = {0};
	char user[512];
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 1, &p, &given) != 0)
		return;
	rc = nvmf_keyring_remove(r->tgt, p.name, user, sizeof(user));
	if (rc == -EBUSY)
		rpc_error(r, rc, "key %.63s: in use by %s", p.name, user);
	else if (rc == -ENOENT)
		rpc_error(r, rc, "key %.63s: not in the keyring", p.name);
	else
		rpc_reply_rc(r, rc, p.name);
}

static void write_user(void *arg, const char *subnqn, const char *hostnqn, const char *role)
{
	struct json_writer *w = arg;

	json_obj_begin(w);
	json_kv_str(w, "nqn", subnqn);
	json_kv_str(w, "host", hostnqn);
	json_kv_str(w, "role", role);
	json_obj_end(w);
}

struct keys_walk {
	struct rpc_req *r;
	struct json_writer *w;
	const char *only; /* a name, or NULL: every key */
	bool found;
};

static void write_key(void *arg, const char *name, const char *path)
{
	struct keys_walk *k = arg;

	if (k->only != NULL && strcmp(k->only, name) != 0)
		return;
	k->found = true;
	json_obj_begin(k->w);
	json_kv_str(k->w, "name", name);
	json_kv_str(k->w, "module", "keyring_file");
	json_kv_str(k->w, "path", path);
	json_key(k->w, "users");
	json_arr_begin(k->w);
	nvmf_keyring_foreach_user(k->r->tgt, name, write_user, k->w);
	json_arr_end(k->w);
	json_obj_end(k->w);
}

static void rpc_keyring_get_keys(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, false, struct key_params, name),
	};
	struct key_params p = {0};
	struct keys_walk k = {.r = r};
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 1, &p, &given) != 0)
		return;
	if (p.name != NULL && nvmf_keyring_path(r->tgt, p.name) == NULL) {
		rpc_error(r, -ENOENT, "key %.63s: not in the keyring", p.name);
		return;
	}
	k.only = p.name;
	k.w = rpc_result(r);
	json_arr_begin(k.w);
	nvmf_keyring_foreach(r->tgt, write_key, &k);
	json_arr_end(k.w);
}

/* A name given for @what must be a keyring key. */
static int key_name_known(struct rpc_req *r, const char *what, const char *name)
{
	if (name == NULL || nvmf_keyring_path(r->tgt, name) != NULL)
		return 0;
	/* Names have no ':' and secrets do: a secret given here is not repeated. */
	if (strchr(name, ':') != NULL || strlen(name) > NVMF_KEY_NAME_MAX)
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "%s: not a key name (give the name of a keyring key, not a secret)",
			  what);
	else
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "%s: no key %s in the keyring (add it with keyring_file_add_key)", what,
			  name);
	return -ENOKEY;
}

int rpc_host_set_dhchap(struct rpc_req *r, struct nvmf_subsystem *ss, const char *nqn,
			const char *host, const char *key, const char *ctrl_key)
{
	int rc;

	if (key_name_known(r, "dhchap_key", key) != 0 ||
	    key_name_known(r, "dhchap_ctrlr_key", ctrl_key) != 0)
		return -ENOKEY;
	if (key == NULL && ctrl_key != NULL) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "dhchap_ctrlr_key needs dhchap_key (bidirectional authentication "
			  "answers the host's)");
		return -EINVAL;
	}
	rc = nvmf_subsystem_host_set_dhchap(ss, host, key, ctrl_key);
	if (rc == -EINVAL)
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "dhchap_key / dhchap_ctrlr_key: a key file does not hold a DH-HMAC-CHAP "
			  "secret (DHHC-1:0X:...:)");
	else if (rc == -ENOENT)
		rpc_error(r, rc, "host %.224s: not on the list of %s", host, nqn);
	else if (rc != 0)
		rpc_error(r, rc, "dhchap_key / dhchap_ctrlr_key: reading a key file: %s",
			  strerror(-rc));
	return rc;
}

struct set_keys_params {
	const char *nqn;
	const char *host;
	const char *dhchap_key;
	const char *dhchap_ctrlr_key;
};

static void rpc_nvmf_subsystem_set_keys(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("nqn", RPC_P_STR, true, struct set_keys_params, nqn),
	    RPC_PARAM("host", RPC_P_STR, true, struct set_keys_params, host),
	    RPC_PARAM("dhchap_key", RPC_P_STR, false, struct set_keys_params, dhchap_key),
	    RPC_PARAM("dhchap_ctrlr_key", RPC_P_STR, false, struct set_keys_params,
		      dhchap_ctrlr_key),
	    RPC_REFUSE("tgt_name", RPC_WHY_TGT_NAME),
	};
	struct set_keys_params p = {0};
	struct nvmf_subsystem *ss = rpc_ss_params(r, params, tab, 5, &p);

	if (ss != NULL &&
	    rpc_host_set_dhchap(r, ss, p.nqn, p.host, p.dhchap_key, p.dhchap_ctrlr_key) == 0)
		rpc_result_true(r);
}

const struct rpc_method rpc_methods_keys[] = {
    {"keyring_file_add_key", rpc_keyring_file_add_key},
    {"keyring_file_remove_key", rpc_keyring_file_remove_key},
    {"keyring_get_keys", rpc_keyring_get_keys},
    {"nvmf_subsystem_set_keys", rpc_nvmf_subsystem_set_keys},
    {NULL, NULL},
};
