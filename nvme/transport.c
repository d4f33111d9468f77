/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport.c - the host transports compiled in, looked up by trtype.
 */
#include <stddef.h>

#include "nvme/pcie/pcie_internal.h"
#include "nvme/rdma/rdma_internal.h"
#include "nvme_internal.h"
#include "util.h"

static const struct nvme_transport_ops *const g_transports[] = {
    &nvme_tcp_ops,
    &nvme_pcie_ops,
    &nvme_rdma_ops,
};

const struct nvme_transport_ops *nvme_transport_find(uint32_t trtype)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(g_transports); i++)
		if (g_transports[i]->trtype == trtype)
			return g_transports[i];
	return NULL;
}
