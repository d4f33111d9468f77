/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host_env.h - set-up shared by integration tests that are hosts
 * themselves (include/nvme.h over TCP): the env without hugepages or PCI,
 * and a child nvmf_tgt on a conf text. Header-only.
 */
#ifndef NVMF_TGT_TESTS_HOST_ENV_H
#define NVMF_TGT_TESTS_HOST_ENV_H

#include "env.h"
#include "tests/integration/tgt_child.h"

/**
 * Write @conf for @t, start the env as @name (no hugepages, no PCI), then
 * the target. @return 0, or -1 (what failed is on stderr or in errno).
 */
static inline int host_env_start(struct tgt_child *t, const char *name, const char *conf)
{
	struct env_opts eo;

	if (tgt_child_write_conf(t, conf) != 0)
		return -1;
	env_opts_init(&eo);
	eo.name = name;
	eo.no_huge = true;
	eo.no_pci = true;
	if (env_init(&eo) != 0)
		return -1;
	return tgt_child_start(t);
}

#endif /* NVMF_TGT_TESTS_HOST_ENV_H */
