/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport.c - the registry of built-in target transports, their
 * default options, and listen address comparison. The only generic file that names a transport type.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "nvmf_transport.h"

/* Each transport exports its ops table. */
extern const struct nvmf_transport_ops nvmf_tcp_ops;
extern const struct nvmf_transport_ops nvmf_rdma_ops;

static const struct nvmf_transport_ops *const builtin[] = {&nvmf_tcp_ops, &nvmf_rdma_ops};

#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))

bool nvmf_listen_addr_eq(const struct nvmf_listen_addr *a, const struct nvmf_listen_addr *b)
{
	return a->trtype == b->trtype && a->adrfam == b->adrfam &&
	       strcmp(a->traddr, b->traddr) == 0 && strcmp(a->trsvcid, b->trsvcid) == 0;
}

const struct nvmf_transport_ops *nvmf_transport_ops_get(uint8_t trtype)
{
	for (size_t i = 0; i < NBUILTIN; i++) {
		if (builtin[i]->trtype == trtype)
			return builtin[i];
	}
	return NULL;
}

int nvmf_trtype_parse(const char *name, uint8_t *trtype)
{
	if (name == NULL || trtype == NULL)
		return -EINVAL;
	for (size_t i = 0; i < NBUILTIN; i++) {
		if (strcasecmp(name, builtin[i]->name) == 0) {
			*trtype = builtin[i]->trtype;
			return 0;
		}
	}
	return -EINVAL;
}

const char *nvmf_trtype_name(uint8_t trtype)
{
	const struct nvmf_transport_ops *ops = nvmf_transport_ops_get(trtype);

	return ops != NULL ? ops->name : NULL;
}

void nvmf_transport_opts_init(struct nvmf_transport_opts *opts, uint8_t trtype)
{
	memset(opts, 0, sizeof(*opts));
	opts->trtype = trtype;
	opts->max_queue_depth = 128;
	opts->max_aq_depth = 32;
	opts->max_qpairs_per_ctrlr = 64;
	opts->max_io_size = 131072;
	opts->hdgst_allowed = true;
	opts->ddgst_allowed = true;
	opts->tls_handshake_timeout_s = NVMF_TLS_HANDSHAKE_TIMEOUT_S_DEFAULT;
	switch (trtype) {
	case NVMF_TRTYPE_RDMA:
		opts->in_capsule_data_size = 4096;
		opts->io_unit_size = 8192;
		opts->num_shared_buffers = 4095;
		break;
	case NVMF_TRTYPE_TCP:
	default:
		opts->in_capsule_data_size = 8192;
		opts->io_unit_size = 131072;
		opts->num_shared_buffers = 511;
		break;
	}
}
