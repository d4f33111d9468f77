/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_rpc.h - the parts of the nvmf_rpc tool.
 */
#ifndef NVMF_TGT_TOOLS_NVMF_RPC_H
#define NVMF_TGT_TOOLS_NVMF_RPC_H

#include <stddef.h>

#include "util_json.h"

/**
 * Send @request (@len bytes) to the server at @sock and read one response
 * object into @resp (free with json_free). Prints why on failure.
 * @return 0 or a negative errno.
 */
int nvmf_rpc_call(const char *sock, const char *request, size_t len, struct json_value **resp);

/**
 * Build the params of subcommand @argv[0] @argv[1] ... into @w (an object)
 * and name its method in @method. Prints a usage error, or the help when
 * asked. @return 0, 1 after --help, 2 for a usage error.
 */
int nvmf_rpc_build(int argc, char **argv, const char **method, struct json_writer *w);

/**
 * nvmf_rpc import-nvmetcli [--dry-run] FILE (@argv[0] is the command):
 * apply the nvmetcli JSON FILE to the target at @sock (import.c), or
 * print the calls with --dry-run. Warnings go to stderr.
 * @return the exit status: 0, 1 a call failed (the import is undone),
 *         2 bad usage or a file that is not nvmetcli JSON.
 */
int nvmf_rpc_import_nvmetcli(const char *sock, int argc, char **argv);

/**
 * The stats command: @argv[0] is "stats", then its options. Calls the
 * server at @sock, prints rates. @return the exit status (0, 1, 2).
 */
int nvmf_rpc_stats(const char *sock, int argc, char **argv);

#endif /* NVMF_TGT_TOOLS_NVMF_RPC_H */
