/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK env clock: the TSC through DPDK's cycle API. */
#include <rte_cycles.h>

#include "include/env.h"

uint64_t env_ticks(void)
{
	return rte_get_tsc_cycles();
}

uint64_t env_ticks_hz(void)
{
	return rte_get_tsc_hz();
}

void env_delay_us(unsigned us)
{
	rte_delay_us_block(us);
}
