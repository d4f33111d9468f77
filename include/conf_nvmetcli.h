/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_nvmetcli.h - the Linux kernel target's configuration, as
 * `nvmetcli save` writes it (/etc/nvmet/config.json), turned into what
 * nvmf-tgt serves.
 *
 * One converter, two outputs: nvmetcli_parse() reads the JSON into a
 * neutral model (subsystems with their hosts, listen addresses and File
 * namespaces), and the model is written either as a conf file in
 * nvmf-tgt.conf(5) format (nvmetcli_emit_conf(), for nvmf_tgt
 * --from-nvmetcli) or as the list of JSON-RPC calls that builds the same
 * state in a running target (nvmetcli_emit_rpc(), for nvmf_rpc
 * import-nvmetcli).
 *
 * What the file holds and nvmf-tgt cannot do (loop and FC ports,
 * referrals, ANA groups, DH-HMAC-CHAP keys, TLS, port parameters, ...)
 * becomes one warning each, "JSON.PATH: what: why", and so does every key
 * the converter does not know. Nothing is dropped without a warning.
 *
 * The model is plain data; nothing here touches a target. Not
 * thread-safe: one model per thread.
 */
#ifndef NVMF_TGT_CONF_NVMETCLI_H
#define NVMF_TGT_CONF_NVMETCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util_json.h"

/** Longest backend name the converter makes ("nvmet<S>n<NSID>"). */
#define NVMETCLI_NAME_LEN 32

/** A namespace of the kernel target, served as a [File] backend. */
struct nvmetcli_ns {
	char backend[NVMETCLI_NAME_LEN]; /**< "nvmet<subsystem position>n<nsid>" */
	char *path;                      /**< device.path: file or block device */
	uint32_t nsid;
	bool has_uuid; /**< device.uuid given and not all zero */
	bool has_nguid;
	uint8_t uuid[16];
	uint8_t nguid[16];
};

/** One address a subsystem listens on (a kernel port linked to it). */
struct nvmetcli_listen {
	bool rdma; /**< else TCP */
	bool ipv6;
	char *traddr;
	char *trsvcid;
};

struct nvmetcli_subsys {
	char *nqn;
	char *sn; /**< attr.serial, NULL when absent */
	char *mn; /**< attr.model, NULL when absent */
	bool allow_any_host;
	char **hosts; /**< allowed_hosts */
	unsigned n_hosts;
	struct nvmetcli_ns *nss;
	unsigned n_nss;
	struct nvmetcli_listen *listens;
	unsigned n_listens;
};

struct nvmetcli_model {
	struct nvmetcli_subsys *subs;
	unsigned n_subs;
	bool uses_tcp;   /**< some listen address is TCP */
	bool uses_rdma;  /**< some listen address is RDMA */
	char **warnings; /**< "JSON.PATH: message", in document order */
	unsigned n_warnings;
};

/**
 * Read the nvmetcli JSON @text (@len bytes) into a new model.
 * @param out  receives the model (free with nvmetcli_free())
 * @param err  on failure, "JSON.PATH: what is wrong" (or the JSON syntax
 *             error with its line and column); @errlen bytes
 * @return 0; -EINVAL for text that is not nvmetcli JSON (not JSON, a
 *         required key missing or of the wrong type: a subsystem without
 *         nqn, an enabled namespace without device.path or nsid, ...);
 *         -ENOMEM.
 */
int nvmetcli_parse(const char *text, size_t len, struct nvmetcli_model **out, char *err,
		   size_t errlen);

/**
 * nvmetcli_parse() of the file @path; @err as there (or why it cannot be
 * read). @return 0, -EINVAL, -ENOMEM, or the errno of reading the file.
 */
int nvmetcli_parse_file(const char *path, struct nvmetcli_model **out, char *err, size_t errlen);

/** Free a model; NULL is ignored. */
void nvmetcli_free(struct nvmetcli_model *m);

/**
 * Write @m as a conf file (nvmf-tgt.conf(5)): a [Transport] of Type RDMA
 * when an address is RDMA (TCP needs none), a [File] per namespace (the
 * file keeps its size), a [Subsystem<N>] per subsystem.
 * @param source  named in the comment at the top
 * @param text    receives the text (NUL-terminated; free())
 * @return 0 or -ENOMEM.
 */
int nvmetcli_emit_conf(const struct nvmetcli_model *m, const char *source, char **text);

/**
 * Write @m into @w as a JSON array of calls, in the order to make them:
 * [{"method": "nvmf_create_transport", "params": {...}}, ...]:
 * transports, bdev_aio_create per namespace, then per subsystem
 * nvmf_create_subsystem, nvmf_subsystem_add_host, _add_listener, _add_ns.
 * Errors are the writer's (json_writer_error()).
 */
void nvmetcli_emit_rpc(const struct nvmetcli_model *m, struct json_writer *w);

#endif /* NVMF_TGT_CONF_NVMETCLI_H */
