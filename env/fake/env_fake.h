/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env_fake.h - what only the fake env (env/fake/, linked by the unit tests
 * of upper layers) offers beyond include/env.h.
 */
#ifndef NVMF_TGT_ENV_FAKE_H
#define NVMF_TGT_ENV_FAKE_H

#include <stdint.h>

/**
 * Move the fake clock (env_ticks(), nanoseconds) @ns forward, for every
 * thread at once, so a test can cover hours of timers in milliseconds.
 * It never goes back. Thread safe.
 */
void env_fake_clock_advance(uint64_t ns);

struct env_pci_info;

/**
 * Put the @n PCI functions of @infos on the fake bus, replacing what was
 * there (0: an empty bus). env_pci_enumerate() then reports them, in this
 * order. Thread safe.
 * @return 0, or -EINVAL (more than 8, or @infos NULL with @n > 0).
 */
int env_fake_pci_set(const struct env_pci_info *infos, unsigned n);

#endif /* NVMF_TGT_ENV_FAKE_H */
