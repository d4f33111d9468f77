/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.h - the conf-file reader: INI-style text -> calls of the nvmf API.
 *
 * Loading is split from applying. conf_load() reads the whole file into
 * section structs and validates it (types, ranges, required keys, duplicate
 * names, references between sections) without touching any target; only a
 * file that passed is handed to conf_apply(), which makes the nvmf.h calls.
 * A bad file therefore never half-configures a target.
 *
 * The file:
 *
 *   [Global]      ReactorMask 0x3 | CoreList 0-1 (alias Cores), LogLevel,
 *                 IdleSleep Yes|No, IdleSleepUs N
 *   [Transport]   Type TCP, MaxQueueDepth, MaxAdminQueueDepth,
 *                 MaxQueuesPerSession, InCapsuleDataSize, MaxIOSize,
 *                 IOUnitSize, NumSharedBuffers, HeaderDigest, DataDigest;
 *                 one section per transport type. TCP needs no section: a
 *                 Listen TCP without a [Transport] of Type TCP adds a TCP
 *                 transport with the core's defaults.
 *   [Ram] [Null]  Name, Size (K/M/G/T suffixes), BlockSize 512|4096
 *   [File]        Name, Path, Size (optional: 0 keeps the file's size),
 *                 BlockSize
 *   [Nvme]        Name, TrAddr (alias PciAddress) 0000:00:04.0, Namespaces
 *                 1,2 (optional: all active); backends <Name>n<nsid>
 *   [Subsystem]   (also [Subsystem1], [Subsystem2] ...) NQN, SN, MN,
 *                 Listen TCP addr:port (IPv6 as [::1]:4420), AllowAnyHost,
 *                 Host NQN, MaxNamespaces, Namespace <backend> [nsid] [uuid]
 *                 [nguid]
 *
 * Section names and keys are case-insensitive; '#' starts a comment at the
 * start of a line or after whitespace; lines may be indented and end in
 * CRLF. Every error names file:line and the word at fault.
 *
 * Nothing here is thread-safe; call from the main thread.
 */
#ifndef NVMF_TGT_CONF_H
#define NVMF_TGT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "nvmf.h"
#include "util.h"

struct conf;

/** Errors kept in struct conf_errors; later ones are only counted. */
#define CONF_ERRORS_MAX 32
/** Longest error message kept, NUL included (longer ones are cut). */
#define CONF_ERROR_LEN 512
/** Longest line accepted, without its line ending. */
#define CONF_LINE_MAX 1023

/** Errors found by conf_load() / conf_apply(), in the order found. */
struct conf_errors {
	unsigned count;                            /**< errors found, may exceed CONF_ERRORS_MAX */
	char msg[CONF_ERRORS_MAX][CONF_ERROR_LEN]; /**< "file:line: text", the first ones */
};

/** Empty @errs. */
void conf_errors_init(struct conf_errors *errs);

/**
 * Write each kept error on its own line to @f, then "(N more errors not
 * shown)" when some were only counted.
 */
void conf_errors_print(const struct conf_errors *errs, FILE *f);

/**
 * Read and validate the conf file @path.
 * @param path  the file; messages name it as given
 * @param out   set to the parsed conf on success (free with conf_free())
 * @param errs  receives every error found; not emptied first
 * @return 0; -EINVAL when the file has errors (all of them in @errs);
 *         the errno of open/read when it cannot be read (also in @errs);
 *         -EFBIG when it is over 16 MiB; -ENOMEM.
 */
int conf_load(const char *path, struct conf **out, struct conf_errors *errs);

/**
 * Parse and validate @len bytes of conf text at @text (need not be
 * NUL-terminated; a NUL byte in it is an error). The entry point for tests
 * and fuzzing.
 * @param name  the name messages use in place of a file name
 * @return 0, -EINVAL (errors in @errs) or -ENOMEM.
 */
int conf_load_buffer(const char *name, const char *text, size_t len, struct conf **out,
		     struct conf_errors *errs);

/**
 * Check @c against this machine without changing anything: the Path of
 * each [File] section is stat()ed (it must be a regular file or a block
 * device; a missing one needs Size and an existing directory; an existing
 * regular file without Size must hold at least one block). Listen
 * addresses, RDMA devices, PCI functions, cores and hugepages are not
 * looked at: start-up reports those. Called by nvmf_tgt before it starts
 * anything, and by nvmf_tgt --check.
 * @param errs  receives each problem, with the file:line of its Path
 * @return 0, or -EINVAL when something was reported.
 */
int conf_check_paths(const struct conf *c, struct conf_errors *errs);

/**
 * Write one line (no newline) saying what @c would serve to @f:
 * "2 subsystems, 3 namespaces; listens on TCP 127.0.0.1:4420; backends
 * ram0 (Ram, 256 MiB, 512-byte blocks), ...; transports TCP".
 */
void conf_summary(const struct conf *c, FILE *f);

/** Free a conf from conf_load*(); NULL is ignored. */
void conf_free(struct conf *c);

/**
 * The core mask of [Global]: ReactorMask ("0x3") or CoreList ("0-1,3") as
 * written, which env_opts.core_mask accepts either way.
 * @return the string (owned by @c), or NULL when neither is given.
 */
const char *conf_core_mask(const struct conf *c);

/**
 * The LogLevel of [Global].
 * @return 0 with *@level set, or -ENOENT when not given.
 */
int conf_log_level(const struct conf *c, enum log_level *level);

/**
 * The PCI addresses of the [Nvme] sections (owned by @c), for env_init()'s
 * allow list: at most @max into @addrs.
 * @return how many were stored.
 */
unsigned conf_pci_allow(const struct conf *c, const char **addrs, unsigned max);

/**
 * Fill @opts for nvmf_tgt_create(): the core's defaults
 * (nvmf_tgt_opts_init()) with IdleSleep / IdleSleepUs of [Global] applied.
 */
void conf_tgt_opts(const struct conf *c, struct nvmf_tgt_opts *opts);

/**
 * Configure @tgt (created, not started) from @c: transports, then backends,
 * then subsystems with their hosts, listeners and namespaces. A core call
 * that fails is reported in @errs with the file:line of the directive that
 * caused it, and applying stops; subsystems created by this call are then
 * destroyed again (backends and transports stay until nvmf_tgt_destroy()).
 * @return 0, or the negative errno of the failed call.
 */
int conf_apply(const struct conf *c, struct nvmf_tgt *tgt, struct conf_errors *errs);

/* --------------------------------------------------------------- reload */

/** How the running target was started, for conf_reload(). */
struct conf_reload_opts {
	const char *core_mask; /**< the core mask in use ("0x3", "0-1"), NULL: default */
	bool core_mask_fixed;  /**< given on the command line: [Global] masks not compared */
	bool log_level_fixed;  /**< given on the command line: LogLevel not applied */
};

/** What conf_reload() did. */
struct conf_reload_result {
	char summary[256]; /**< "+1 subsystem, -2 namespaces, ..." or "no change" */
	unsigned changes;  /**< how many changes were made */
};

/**
 * Make the running @tgt (started or not) equal to the validated conf @c:
 * subsystems, namespaces (and their RAM/Null/File backends), hosts,
 * AllowAnyHost and listeners are added and removed live, whether they came
 * from the file or from RPC; what is the same is not touched, so its
 * connections go on. What cannot change live (SN, MN, MaxNamespaces, a
 * backend's attributes, a transport's options, [Global] cores and idle
 * settings, [Nvme] controllers going away) is left as it is with a note
 * in @notes. The whole change is checked against the running state first:
 * anything that forbids it ([Nvme] controllers to attach, an NSID over a
 * running subsystem's limit) goes to @errs with file:line, and nothing
 * changes. A core call that fails while applying is reported the same way
 * and what was done is undone (a transport added stays: the core cannot
 * remove one). Main thread only.
 * @return 0; -EINVAL (checks failed); -ENOMEM; or the failed call's errno.
 */
int conf_reload(const struct conf *c, struct nvmf_tgt *tgt, const struct conf_reload_opts *opts,
		struct conf_errors *errs, struct conf_errors *notes,
		struct conf_reload_result *res);

#endif /* NVMF_TGT_CONF_H */
