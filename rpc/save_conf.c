/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * save_conf.c - save_config: the running state written as a conf file in
 * nvmf-tgt.conf(5) format, checked with the conf parser before it is
 * returned. State the format cannot express fails the call and says what.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"
#include "env.h"
#include "rpc/rpc_internal.h"
#include "util.h"
#include "util_dhchap.h"
#include "util_tls_psk.h"

#define SAVE_MAX_CORES 256 /* what ReactorMask can name: 64 hex digits */

/* One save in progress. */
struct save {
	FILE *f;
	int rc; /* first failure: -EOPNOTSUPP (why set) */
	char *why;
	size_t why_len;
	unsigned nss; /* subsystems written */
	struct tls_keyring *keyring;
	struct nvmf_subsystem *ss;
	const char *nqn;
	const char *nvme_prefix; /* [Nvme] being written: its Name and TrAddr */
	const char *nvme_addr;
	size_t nvme_prefix_len;
};

static void save_fail(struct save *s, const char *fmt, const char *a, const char *b)
{
	if (s->rc != 0)
		return;
	s->rc = -EOPNOTSUPP;
	snprintf(s->why, s->why_len, fmt, a, b);
}

static void save_global(struct save *s)
{
	uint8_t mask[SAVE_MAX_CORES / 8] = {0};
	uint32_t top = 0;

	for (uint32_t c = env_core_next(ENV_CORE_ANY); c != ENV_CORE_ANY; c = env_core_next(c)) {
		if (c >= SAVE_MAX_CORES) {
			save_fail(s, "core %s%s: ReactorMask names cores 0 to 255 only", "", "");
			return;
		}
		mask[c / 8] |= (uint8_t)(1u << (c % 8));
		top = c > top ? c : top;
	}
	fputs("[Global]\n  ReactorMask 0x", s->f);
	for (int i = (int)(top / 4); i >= 0; i--)
		fputc("0123456789abcdef"[(mask[i / 2] >> (4 * (i % 2))) & 0xf], s -> f);
	fprintf(s->f, "\n  LogLevel %s\n", log_level_name(log_get_level()));
}

static void save_referral(void *arg, const struct nvmf_listen_addr *a, const char *subnqn,
			  bool secure)
{
	struct save *s = arg;
	const char *tr = nvmf_trtype_name(a->trtype);
	bool v6 = a->adrfam == NVMF_ADRFAM_IPV6;

	if (secure || strcmp(subnqn, NVMF_DISCOVERY_NQN) != 0)
		save_fail(s,
			  "referral to %s: a secure channel or an NQN other than the well-known "
			  "one%s cannot be written in the conf file",
			  a->traddr, "");
	fprintf(s->f, "  Referral %s %s%s%s:%s\n", tr ? tr : "?", v6 ? "[" : "", a->traddr,
		v6 ? "]" : "", a->trsvcid);
}

static void save_tgt_opts(struct save *s, struct nvmf_tgt *tgt)
{
	struct nvmf_tgt_opts o;

	nvmf_tgt_get_opts(tgt, &o);
	fprintf(s->f, "  IdleSleep %s\n  IdleSleepUs %u\n", o.idle_sleep ? "Yes" : "No", o.idle_us);
	if (o.resv_dir[0] != '\0')
		fprintf(s->f, "  ReservationDir %s\n", o.resv_dir);
	if (!nvmf_tgt_discovery_nqn_is_default(tgt))
		fprintf(s->f, "  DiscoveryNQN %s\n", nvmf_tgt_discovery_nqn(tgt));
	if (tls_keyring_kdf(nvmf_tgt_keyring(tgt)) != TLS_PSK_KDF_NVME_CLI)
		fprintf(s->f, "  TlsPskDerivation %s\n",
			tls_psk_kdf_name(tls_keyring_kdf(nvmf_tgt_keyring(tgt))));
	nvmf_discovery_foreach_referral(tgt, save_referral, s);
	fputc('\n', s->f);
}

static void save_transport(void *arg, const char *name, const struct nvmf_transport_opts *o)
{
	struct save *s = arg;

	fprintf(s->f,
		"[Transport]\n  Type %s\n  MaxQueueDepth %u\n  MaxAdminQueueDepth %u\n"
		"  MaxQueuesPerSession %u\n  InCapsuleDataSize %u\n  MaxIOSize %u\n"
		"  IOUnitSize %u\n  NumSharedBuffers %u\n  HeaderDigest %s\n  DataDigest %s\n"
		"  TlsHandshakeTimeout %u\n\n",
		name, o->max_queue_depth, o->max_aq_depth, o->max_qpairs_per_ctrlr,
		o->in_capsule_data_size, o->max_io_size, o->io_unit_size, o->num_shared_buffers,
		o->hdgst_allowed ? "Yes" : "No", o->ddgst_allowed ? "Yes" : "No",
		o->tls_handshake_timeout_s);
}

/* nvme backends are named <prefix>n<nsid>; one [Nvme] per prefix and controller. */
static void save_nvme(struct save *s, const struct nvmf_backend_info *b)
{
	char suffix[16];
	size_t len = strlen(b->name);

	snprintf(suffix, sizeof(suffix), "n%u", b->nsid);
	if (b->path == NULL || len <= strlen(suffix) ||
	    strcmp(b->name + len - strlen(suffix), suffix) != 0) {
		save_fail(s, "bdev %s%s: not named <Name>n<nsid>", b->name, "");
		return;
	}
	len -= strlen(suffix);
	if (s->nvme_prefix == NULL || s->nvme_prefix_len != len ||
	    strncmp(s->nvme_prefix, b->name, len) != 0 || strcmp(s->nvme_addr, b->path) != 0) {
		fprintf(s->f, "%s[Nvme]\n  Name %.*s\n  TrAddr %s\n  Namespaces %u",
			s->nvme_prefix ? "\n\n" : "", (int)len, b->name, b->path, b->nsid);
		s->nvme_prefix = b->name;
		s->nvme_prefix_len = len;
		s->nvme_addr = b->path;
	} else {
		fprintf(s->f, ",%u", b->nsid);
	}
}

static void save_backend(void *arg, const struct nvmf_backend_info *b)
{
	struct save *s = arg;

	if (strcmp(b->type, "nvme") == 0) {
		save_nvme(s, b);
		return;
	}
	if (s->nvme_prefix != NULL)
		fputs("\n\n", s->f);
	s->nvme_prefix = NULL;
	if (strcmp(b->type, "ram") == 0)
		fprintf(s->f, "[Ram]\n  Name %s\n", b->name);
	else if (strcmp(b->type, "null") == 0)
		fprintf(s->f, "[Null]\n  Name %s\n", b->name);
	else if (strcmp(b->type, "file") == 0 && b->path != NULL)
		fprintf(s->f, "[File]\n  Name %s\n  Path %s\n", b->name, b->path);
	else {
		save_fail(s, "bdev %s: type %s has no conf section", b->name, b->type);
		return;
	}
	fprintf(s->f, "  Size %llu\n  BlockSize %u\n\n", (unsigned long long)b->size,
		b->block_size);
}

/* The ANA states of @a: ana=STATE when every group has it, else ana.N=STATE
 * for each group not optimized. */
static void save_listener_ana(struct save *s, const struct nvmf_listen_addr *a)
{
	uint8_t st[NVMF_ANA_GRP_MAX + 1];
	bool same = true;

	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX; g++) {
		if (nvmf_subsystem_get_ana_state(s->ss, a, g, &st[g]) != 0)
			st[g] = NVME_ANA_OPTIMIZED;
		same = same && st[g] == st[1];
	}
	if (same && st[1] != NVME_ANA_OPTIMIZED) {
		fprintf(s->f, " ana=%s", nvmf_ana_state_name(st[1]));
		return;
	}
	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX && !same; g++) {
		if (st[g] != NVME_ANA_OPTIMIZED)
			fprintf(s->f, " ana.%u=%s", g, nvmf_ana_state_name(st[g]));
	}
}

static void save_listener(void *arg, const struct nvmf_listen_addr *a)
{
	struct save *s = arg;
	const char *tr = nvmf_trtype_name(a->trtype);
	bool v6 = a->adrfam == NVMF_ADRFAM_IPV6;

	fprintf(s->f, "  Listen %s %s%s%s:%s%s", tr ? tr : "?", v6 ? "[" : "", a->traddr,
		v6 ? "]" : "", a->trsvcid,
		a->secure == NVMF_LISTEN_SECURE_TLS ? " secure=tls" : "");
	save_listener_ana(s, a);
	fputc('\n', s->f);
}

/*
 * A host's secrets as they were given: a TLS PSK's key file path or
 * interchange string; DH-HMAC-CHAP secrets as key file paths (a keyring
 * key's too) or, given inline in a conf file, inline as they were.
 */
static void save_host(void *arg, const char *hostnqn)
{
	struct save *s = arg;
	const char *key = NULL, *ctrl_key = NULL;
	char src[4096];

	fprintf(s->f, "  Host %s", hostnqn);
	if (s->keyring != NULL &&
	    tls_keyring_source(s->keyring, hostnqn, s->nqn, src, sizeof(src)) == 0)
		fprintf(s->f, " psk=%s", src);
	OPENSSL_cleanse(src, sizeof(src));
	nvmf_subsystem_host_get_dhchap(s->ss, hostnqn, &key, &ctrl_key);
	if (key != NULL)
		fprintf(s->f, " dhchap_key=%s", key);
	if (ctrl_key != NULL)
		fprintf(s->f, " dhchap_ctrlr_key=%s", ctrl_key);
	fputc('\n', s->f);
}

static void save_ns(void *arg, const struct nvmf_ns_info *ns)
{
	struct save *s = arg;
	uint8_t uuid[16], nguid[16], eui64[8];
	char buf[37];

	nvmf_ns_derive_ids(s->nqn, ns->nsid, uuid, nguid, eui64);
	/* The conf file sets the UUID and the NGUID; the EUI-64 must be the derived one. */
	if (memcmp(eui64, ns->eui64, 8) != 0) {
		save_fail(s,
			  "subsystem %s, namespace %s: its EUI-64 was given at run time and the "
			  "conf file can set only the UUID and the NGUID",
			  s->nqn, ns->backend_name);
		return;
	}
	fprintf(s->f, "  Namespace %s %u", ns->backend_name, ns->nsid);
	if (memcmp(uuid, ns->uuid, 16) != 0) {
		rpc_format_uuid(buf, ns->uuid);
		fprintf(s->f, " %s", buf);
	}
	if (memcmp(nguid, ns->nguid, 16) != 0) {
		for (unsigned i = 0; i < 16; i++)
			fprintf(s->f, "%s%02x", i ? "" : " ", ns->nguid[i]);
	}
	if (ns->anagrpid > 1)
		fprintf(s->f, " anagrpid=%u", ns->anagrpid);
	fputc('\n', s->f);
}

/* SN and MN are the rest of the line: outer blanks would be lost, " #" cut as a comment. */
static void save_check_text(struct save *s, const char *key, const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || v[0] == ' ' || v[len - 1] == ' ' || strstr(v, " #") != NULL)
		save_fail(
		    s, "%s '%s': blanks at either end or ' #' cannot be written in the conf file",
		    key, v);
}

static void save_ids(struct save *s, const char *key, const uint8_t *ids, unsigned n,
		     const char *(*name_of)(uint8_t))
{
	for (unsigned i = 0; i < n; i++)
		fprintf(s->f, "%s%s", i ? "," : key, name_of(ids[i]));
	if (n > 0)
		fputc('\n', s->f);
}

static void save_dhchap_lists(struct save *s, struct nvmf_subsystem *ss)
{
	uint8_t hashes[6], groups[6];
	unsigned nh, ng;

	nvmf_subsystem_get_dhchap_lists(ss, hashes, &nh, groups, &ng);
	save_ids(s, "  DhchapDigests ", hashes, nh, dhchap_hash_name);
	save_ids(s, "  DhchapDHGroups ", groups, ng, dhchap_dhgroup_name);
}

static void save_subsystem(void *arg, struct nvmf_subsystem *ss)
{
	struct save *s = arg;
	struct nvmf_subsystem_info info;

	nvmf_subsystem_get_info(ss, &info);
	s->nqn = info.nqn;
	s->ss = ss;
	save_check_text(s, "SN", info.sn);
	save_check_text(s, "MN", info.mn);
	fprintf(s->f, "[Subsystem%u]\n  NQN %s\n  SN %s\n  MN %s\n", ++s->nss, info.nqn, info.sn,
		info.mn);
	if (info.max_nsid != NVMF_DEFAULT_MAX_NSID)
		fprintf(s->f, "  MaxNamespaces %u\n", info.max_nsid);
	nvmf_subsystem_foreach_listener(ss, save_listener, s);
	save_dhchap_lists(s, ss);
	fprintf(s->f, "  AllowAnyHost %s\n", info.allow_any_host ? "Yes" : "No");
	nvmf_subsystem_foreach_host(ss, save_host, s);
	nvmf_subsystem_foreach_ns(ss, save_ns, s);
	fputc('\n', s->f);
}

/* The conf parser must accept what was written; its first complaint is the reason. */
static int save_verify(struct save *s, const char *text, size_t len)
{
	struct conf_errors *errs = malloc(sizeof(*errs));
	struct conf *c = NULL;
	int rc;

	if (errs == NULL)
		return -ENOMEM;
	conf_errors_init(errs);
	rc = conf_load_buffer("saved", text, len, &c, errs);
	if (rc == -EINVAL)
		save_fail(s, "the state cannot be written as a conf file: %s%s",
			  errs->count ? errs->msg[0] : "", "");
	conf_free(c);
	free(errs);
	return rc == -ENOMEM ? rc : s->rc;
}

int rpc_save_conf(struct nvmf_tgt *tgt, char **text, char *why, size_t why_len)
{
	struct save s = {.why = why, .why_len = why_len, .keyring = nvmf_tgt_keyring(tgt)};
	size_t len = 0;
	int rc;

	*text = NULL;
	s.f = open_memstream(text, &len);
	if (s.f == NULL)
		return -ENOMEM;
	fputs("# nvmf-tgt.conf written by save_config\n\n", s.f);
	save_global(&s);
	save_tgt_opts(&s, tgt);
	nvmf_tgt_foreach_transport(tgt, save_transport, &s);
	nvmf_backend_foreach(tgt, save_backend, &s);
	if (s.nvme_prefix != NULL)
		fputs("\n\n", s.f);
	nvmf_subsystem_foreach(tgt, save_subsystem, &s);
	if (fclose(s.f) != 0 || *text == NULL)
		rc = -ENOMEM;
	else
		rc = s.rc != 0 ? s.rc : save_verify(&s, *text, len);
	if (rc != 0) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static void rpc_save_config(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_REFUSE("subsystems", "the whole state is saved, as one conf file"),
	};
	struct json_writer *w;
	char why[256], *text;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 1, NULL, &given) != 0)
		return;
	rc = rpc_save_conf(r->tgt, &text, why, sizeof(why));
	if (rc == -EOPNOTSUPP) {
		rpc_error(r, rc, "%s", why);
		return;
	}
	if (rc != 0) {
		rpc_error_errno(r, rc, "save_config", NULL);
		return;
	}
	w = rpc_result(r);
	json_obj_begin(w);
	json_kv_str(w, "format", RPC_SAVE_FORMAT);
	json_kv_str(w, "text", text);
	json_obj_end(w);
	OPENSSL_cleanse(text, strlen(text)); /* it may hold secrets given inline */
	free(text);
}

const struct rpc_method rpc_methods_save[] = {
    {"save_config", rpc_save_config},
    {NULL, NULL},
};
