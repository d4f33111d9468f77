/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env cores and threads: cores are EAL lcores, threads are the EAL's
 * worker threads (already pinned), launched and joined per lcore.
 */
#include <errno.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "env/env_internal.h"
#include "include/env.h"

_Static_assert(ENV_CORE_ANY == LCORE_ID_ANY, "ENV_CORE_ANY must match LCORE_ID_ANY");

uint32_t env_main_core(void)
{
	return rte_get_main_lcore();
}

uint32_t env_core_count(void)
{
	return rte_lcore_count();
}

uint32_t env_core_next(uint32_t prev)
{
	/* prev == ENV_CORE_ANY wraps to 0 inside rte_get_next_lcore(). */
	unsigned next = rte_get_next_lcore(prev, 0, 0);

	return next >= RTE_MAX_LCORE ? ENV_CORE_ANY : next;
}

uint32_t env_core_id(void)
{
	return rte_lcore_id();
}

static bool env_is_worker(uint32_t core)
{
	return g_env_started && core < RTE_MAX_LCORE && rte_lcore_is_enabled(core) &&
	       core != rte_get_main_lcore();
}

int env_thread_launch(uint32_t core, int (*fn)(void *), void *arg)
{
	if (fn == NULL || !env_is_worker(core))
		return -EINVAL;
	return rte_eal_remote_launch(fn, arg, core) == 0 ? 0 : -EBUSY;
}

int env_thread_join(uint32_t core)
{
	if (!env_is_worker(core))
		return -EINVAL;
	return rte_eal_wait_lcore(core);
}
