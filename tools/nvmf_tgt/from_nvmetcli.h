/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * from_nvmetcli.h - nvmf_tgt --from-nvmetcli.
 */
#ifndef NVMF_TGT_TOOLS_FROM_NVMETCLI_H
#define NVMF_TGT_TOOLS_FROM_NVMETCLI_H

/**
 * Read the nvmetcli JSON @path (what `nvmetcli save` writes), print each
 * warning ("nvmf_tgt: PATH: warning: JSON.PATH: ...") to stderr and the
 * equivalent conf file to stdout, once the conf reader has accepted it.
 * Touches no target, device or socket.
 * @return the exit status: 0 printed, 1 stdout failed, 2 the file is not
 *         nvmetcli JSON or the result would not load (why on stderr).
 */
int tgt_from_nvmetcli(const char *path);

#endif /* NVMF_TGT_TOOLS_FROM_NVMETCLI_H */
