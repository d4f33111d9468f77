/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend_gone.c - a backend whose device went away for good (a local SSD
 * pulled out, or failed): every namespace it serves is removed from its
 * subsystem on the main thread, so hosts get Namespace Attribute Changed
 * and stop using it; the other namespaces keep serving. The backend itself
 * stays registered until it is deleted (conf reload or RPC).
 */
#include <errno.h>
#include <stdlib.h>

#include "env.h"
#include "nvmf/backend.h"
#include "nvmf/nvmf_internal.h"
#include "util.h"

struct gone_ctx {
	struct nvmf_tgt *tgt;
	nvmf_backend_match_fn match;
	const void *key;
};

static void gone_main(void *arg)
{
	struct gone_ctx *cx = arg;
	struct nvmf_subsystem *ss;

	TAILQ_FOREACH(ss, &cx->tgt->subsystems, link)
	{
		for (uint32_t nsid = 1; nsid <= NVMF_MAX_NSID_LIMIT; nsid++) {
			struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

			if (ns == NULL || !cx->match(ns->backend, cx->key))
				continue;
			log_error("nvmf",
				  "subsystem %s: namespace %u (%s) removed: its device is gone",
				  ss->nqn, nsid, ns->backend->name);
			(void)nvmf_subsystem_remove_ns(ss, nsid);
		}
	}
	free(cx);
}

int nvmf_backends_gone(struct nvmf_tgt *tgt, nvmf_backend_match_fn match, const void *key)
{
	struct gone_ctx *cx = malloc(sizeof(*cx));

	if (cx == NULL)
		return -ENOMEM;
	cx->tgt = tgt;
	cx->match = match;
	cx->key = key;
	if (nvmf_msg_send(nvmf_main_pg(tgt), gone_main, cx) != 0) {
		free(cx);
		return -EAGAIN;
	}
	return 0;
}
