/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli_emit.c - the two outputs of the nvmetcli converter: a conf
 * file in nvmf-tgt.conf(5) format, and the JSON-RPC calls that build the
 * same state in a running target. Both walk the one model in the same
 * order: transports, backends, subsystems.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf_nvmetcli.h"

/* @id as 8-4-4-4-12 hex digits (@dashes) or as 32; @buf has 37 bytes. */
static const char *nc_hex_id(char buf[37], const uint8_t id[16], bool dashes)
{
	size_t n = 0;

	for (unsigned i = 0; i < 16; i++) {
		if (dashes && (i == 4 || i == 6 || i == 8 || i == 10))
			buf[n++] = '-';
		n += (size_t)snprintf(buf + n, 37 - n, "%02x", id[i]);
	}
	return buf;
}

static const char *nc_trtype(const struct nvmetcli_listen *l)
{
	return l->rdma ? "RDMA" : "TCP";
}

/* ------------------------------------------------------------------- conf */

static void conf_subsys(FILE *f, const struct nvmetcli_subsys *ss, unsigned pos)
{
	char b1[37], b2[37];

	fprintf(f, "[Subsystem%u]\n  NQN %s\n", pos, ss->nqn);
	if (ss->sn != NULL)
		fprintf(f, "  SN %s\n", ss->sn);
	if (ss->mn != NULL)
		fprintf(f, "  MN %s\n", ss->mn);
	for (unsigned i = 0; i < ss->n_listens; i++) {
		const struct nvmetcli_listen *l = &ss->listens[i];

		fprintf(f, "  Listen %s %s%s%s:%s\n", nc_trtype(l), l->ipv6 ? "[" : "", l->traddr,
			l->ipv6 ? "]" : "", l->trsvcid);
	}
	fprintf(f, "  AllowAnyHost %s\n", ss->allow_any_host ? "Yes" : "No");
	for (unsigned i = 0; i < ss->n_hosts; i++)
		fprintf(f, "  Host %s\n", ss->hosts[i]);
	for (unsigned i = 0; i < ss->n_nss; i++) {
		const struct nvmetcli_ns *ns = &ss->nss[i];

		fprintf(f, "  Namespace %s %u%s%s%s%s\n", ns->backend, ns->nsid,
			ns->has_uuid ? " " : "", ns->has_uuid ? nc_hex_id(b1, ns->uuid, true) : "",
			ns->has_nguid ? " " : "",
			ns->has_nguid ? nc_hex_id(b2, ns->nguid, false) : "");
	}
	fputc('\n', f);
}

int nvmetcli_emit_conf(const struct nvmetcli_model *m, const char *source, char **text)
{
	size_t len = 0;
	FILE *f;

	*text = NULL;
	f = open_memstream(text, &len);
	if (f == NULL)
		return -ENOMEM;
	fprintf(f,
		"# nvmf-tgt.conf converted from the nvmetcli file %s\n"
		"# by nvmf_tgt --from-nvmetcli; what had no equivalent was named on stderr.\n\n",
		source);
	if (m->uses_rdma)
		fputs("[Transport]\n  Type RDMA\n\n", f);
	for (unsigned i = 0; i < m->n_subs; i++) {
		for (unsigned j = 0; j < m->subs[i].n_nss; j++)
			fprintf(f, "[File]\n  Name %s\n  Path %s\n\n", m->subs[i].nss[j].backend,
				m->subs[i].nss[j].path);
	}
	for (unsigned i = 0; i < m->n_subs; i++)
		conf_subsys(f, &m->subs[i], i + 1);
	if (fclose(f) != 0 || *text == NULL) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* -------------------------------------------------------------------- rpc */

/* Open {"method": @method, "params": {... ; the caller writes the params and closes both. */
static void rpc_begin(struct json_writer *w, const char *method, const char *nqn)
{
	json_obj_begin(w);
	json_kv_str(w, "method", method);
	json_key(w, "params");
	json_obj_begin(w);
	if (nqn != NULL)
		json_kv_str(w, "nqn", nqn);
}

static void rpc_end(struct json_writer *w)
{
	json_obj_end(w);
	json_obj_end(w);
}

static void rpc_ns(struct json_writer *w, const char *nqn, const struct nvmetcli_ns *ns)
{
	char buf[37];

	rpc_begin(w, "nvmf_subsystem_add_ns", nqn);
	json_key(w, "namespace");
	json_obj_begin(w);
	json_kv_str(w, "bdev_name", ns->backend);
	json_kv_uint(w, "nsid", ns->nsid);
	if (ns->has_uuid)
		json_kv_str(w, "uuid", nc_hex_id(buf, ns->uuid, true));
	if (ns->has_nguid)
		json_kv_str(w, "nguid", nc_hex_id(buf, ns->nguid, false));
	json_obj_end(w);
	rpc_end(w);
}

static void rpc_listener(struct json_writer *w, const char *nqn, const struct nvmetcli_listen *l)
{
	rpc_begin(w, "nvmf_subsystem_add_listener", nqn);
	json_key(w, "listen_address");
	json_obj_begin(w);
	json_kv_str(w, "trtype", nc_trtype(l));
	json_kv_str(w, "adrfam", l->ipv6 ? "IPv6" : "IPv4");
	json_kv_str(w, "traddr", l->traddr);
	json_kv_str(w, "trsvcid", l->trsvcid);
	json_obj_end(w);
	rpc_end(w);
}

static void rpc_subsys(struct json_writer *w, const struct nvmetcli_subsys *ss)
{
	rpc_begin(w, "nvmf_create_subsystem", ss->nqn);
	if (ss->sn != NULL)
		json_kv_str(w, "serial_number", ss->sn);
	if (ss->mn != NULL)
		json_kv_str(w, "model_number", ss->mn);
	json_kv_bool(w, "allow_any_host", ss->allow_any_host);
	rpc_end(w);
	for (unsigned i = 0; i < ss->n_hosts; i++) {
		rpc_begin(w, "nvmf_subsystem_add_host", ss->nqn);
		json_kv_str(w, "host", ss->hosts[i]);
		rpc_end(w);
	}
	for (unsigned i = 0; i < ss->n_listens; i++)
		rpc_listener(w, ss->nqn, &ss->listens[i]);
	for (unsigned i = 0; i < ss->n_nss; i++)
		rpc_ns(w, ss->nqn, &ss->nss[i]);
}

void nvmetcli_emit_rpc(const struct nvmetcli_model *m, struct json_writer *w)
{
	json_arr_begin(w);
	if (m->uses_tcp) {
		rpc_begin(w, "nvmf_create_transport", NULL);
		json_kv_str(w, "trtype", "TCP");
		rpc_end(w);
	}
	if (m->uses_rdma) {
		rpc_begin(w, "nvmf_create_transport", NULL);
		json_kv_str(w, "trtype", "RDMA");
		rpc_end(w);
	}
	for (unsigned i = 0; i < m->n_subs; i++) {
		for (unsigned j = 0; j < m->subs[i].n_nss; j++) {
			rpc_begin(w, "bdev_aio_create", NULL);
			json_kv_str(w, "name", m->subs[i].nss[j].backend);
			json_kv_str(w, "filename", m->subs[i].nss[j].path);
			rpc_end(w);
		}
	}
	for (unsigned i = 0; i < m->n_subs; i++)
		rpc_subsys(w, &m->subs[i]);
	json_arr_end(w);
}
