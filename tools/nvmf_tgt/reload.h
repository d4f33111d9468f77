/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.h - SIGHUP: nvmf_tgt reads its conf file again and applies the
 * difference to the running target (conf_reload()). The signal handler
 * only sets a flag; the reload runs on the main thread, from the
 * main-loop poller that also serves RPC.
 */
#ifndef NVMF_TGT_TOOLS_RELOAD_H
#define NVMF_TGT_TOOLS_RELOAD_H

#include "conf.h"
#include "nvmf.h"
#include "rpc.h"

/**
 * Catch SIGHUP and take over the main-loop poller of @tgt: each pass runs
 * @srv's poller (when not NULL), then a reload of @conf_path when SIGHUP
 * came. Without a conf file (@conf_path NULL) a SIGHUP is logged and
 * ignored. Call after nvmf_tgt_start(), before nvmf_tgt_run(); undo with
 * tgt_reload_uninstall().
 * @param opts  how the target was started (copied)
 * @return 0, -ENOMEM, or -errno from sigaction().
 */
int tgt_reload_install(struct nvmf_tgt *tgt, const char *conf_path,
		       const struct conf_reload_opts *opts, struct rpc_server *srv);

/** Give the main-loop poller back to nobody and SIGHUP back to its default. */
void tgt_reload_uninstall(struct nvmf_tgt *tgt);

#endif /* NVMF_TGT_TOOLS_RELOAD_H */
