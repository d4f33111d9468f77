/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.h - reading the conf file for nvmf_tgt, and nvmf_tgt --check.
 * Both go through tgt_conf_load(), so --check finds exactly what a start
 * would find before it touches the environment.
 */
#ifndef NVMF_TGT_TOOLS_CHECK_H
#define NVMF_TGT_TOOLS_CHECK_H

#include "conf.h"

/** What the target serves when started without -c: an empty conf. */
#define TGT_NO_CONF "(no conf file)"

/**
 * Read, validate and check (conf_check_paths()) the conf file @path (NULL:
 * no file, an empty conf; the target then waits for RPC). On
 * failure every error goes to stderr, then "nvmf_tgt: N errors in PATH;
 * @verdict".
 * @return the conf (free with conf_free()), or NULL.
 */
struct conf *tgt_conf_load(const char *path, const char *verdict);

/**
 * nvmf_tgt --check: tgt_conf_load() and nothing else (no environment, no
 * memory, no socket, no device). On success prints "PATH: ok" and a line
 * of what it would serve to stdout.
 * @param core_mask  -m as given, or NULL
 * @return the exit status: 0 when the file is good, 2 otherwise.
 */
int tgt_check(const char *path, const char *core_mask);

#endif /* NVMF_TGT_TOOLS_CHECK_H */
