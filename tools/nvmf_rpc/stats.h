/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h - `nvmf_rpc stats`: samples of the target's statistics
 * (stats.c) and the report of the difference of two (stats_report.c).
 */
#ifndef NVMF_TGT_TOOLS_NVMF_RPC_STATS_H
#define NVMF_TGT_TOOLS_NVMF_RPC_STATS_H

#include "util_json.h"

/** Subsystems a report covers (the first ones listed). */
#define STATS_MAX_SS 64

/** One sample: whole responses of the calls, and when it was taken. */
struct stats_sample {
	double t;                                /**< seconds, monotonic */
	struct json_value *stats;                /**< nvmf_get_stats */
	struct json_value *subsystems;           /**< nvmf_get_subsystems */
	struct json_value *ctrlrs[STATS_MAX_SS]; /**< nvmf_subsystem_get_controllers, by index */
};

/**
 * Print rates and latency percentiles per poll group, subsystem and
 * namespace for the interval from @x to @y (both complete samples).
 */
void stats_report(const struct stats_sample *x, const struct stats_sample *y);

#endif /* NVMF_TGT_TOOLS_NVMF_RPC_STATS_H */
