/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.h - inside conf/: reloading a conf file into a running target.
 *
 * Three steps, each its own file:
 *   state.c   the running target described as plain data (struct
 *             conf_state), read through the nvmf listing API;
 *   diff.c    a new conf compared with such a description: the list of
 *             changes to make (struct conf_diff), the notes on what cannot
 *             change live, and the errors that forbid the reload. Pure: no
 *             target is touched, so tests build the state by hand;
 *   reload.c  the changes applied through the same nvmf API calls as the
 *             conf applier and the RPC methods, undone on a failure.
 */
#ifndef NVMF_TGT_CONF_RELOAD_H
#define NVMF_TGT_CONF_RELOAD_H

#include "conf/conf_internal.h"

/** A namespace of a running subsystem. */
struct conf_state_ns {
	uint32_t nsid;
	char backend[CONF_NAME_MAX + 1];
	uint8_t uuid[16];
	uint8_t nguid[16];
	uint8_t eui64[8];
};

/** A running subsystem. */
struct conf_state_ss {
	char nqn[NVMF_NQN_MAX_LEN + 1];
	char sn[21];
	char mn[41];
	uint32_t max_nsid;
	bool allow_any_host;
	bool admin_passthru;
	char (*hosts)[NVMF_NQN_MAX_LEN + 1];
	unsigned n_hosts;
	/** By host index: its retained TLS PSK (hash 0: none; wiped when freed).
	 *  Fewer than n_hosts (a state built by hand): the rest have none. */
	struct tls_psk *host_psks;
	unsigned n_host_psks;
	struct nvmf_listen_addr *listens;
	unsigned n_listens;
	struct conf_state_ns *nss;
	unsigned n_nss;
};

/** A running backend. */
struct conf_state_backend {
	char name[CONF_NAME_MAX + 1];
	char type[8]; /**< "ram", "null", "file", "nvme" */
	uint64_t size;
	uint32_t block_size;
	char *path;    /**< file: its path; nvme: the PCI address; else NULL */
	uint32_t nsid; /**< nvme: the drive's NSID */
};

/** The running target as the diff sees it. */
struct conf_state {
	struct nvmf_tgt_opts tgt_opts;
	const char *core_mask; /**< as started (not owned); NULL: the default */
	bool core_mask_fixed;  /**< -m was given: [Global] masks are not compared */
	int log_level;         /**< enum log_level now */
	bool log_level_fixed;  /**< -L was given: LogLevel is not applied */
	struct nvmf_transport_opts *trs;
	unsigned n_trs;
	struct conf_state_backend *backends;
	unsigned n_backends;
	struct conf_state_ss *sss;
	unsigned n_sss;
};

/** Grow *@arr (of @size-byte items, *@n used) by one zeroed item. @return it or NULL. */
void *conf_state_grow(void *arr_ptr, unsigned *n, size_t size);

/** What one change does. Listed in the order they are applied. */
enum conf_change_kind {
	/* May fail; undone on a later failure (a transport stays). */
	CONF_CH_TRANSPORT_ADD = 0,
	CONF_CH_BACKEND_ADD,
	CONF_CH_NS_DEL, /**< of a subsystem that stays (a namespace changed or went) */
	CONF_CH_SS_ADD, /**< with its identity, hosts, listeners and namespaces */
	CONF_CH_NS_ADD,
	CONF_CH_HOST_ADD,
	CONF_CH_LISTEN_ADD,
	CONF_CH_LISTEN_SECURE, /**< a listener's secure= changed: re-created */
	/* Cannot fail once the above succeeded; not undone. */
	CONF_CH_ALLOW_ANY,
	CONF_CH_PASSTHRU,
	CONF_CH_HOST_PSK, /**< a host's psk= changed or went (out of memory: logged) */
	CONF_CH_HOST_DEL,
	CONF_CH_LISTEN_DEL,
	CONF_CH_SS_DEL,
	CONF_CH_BACKEND_DEL,
	CONF_CH_LOG_LEVEL,
	CONF_CH_KINDS,
};

/** One change. Pointers point into the new conf or the state. */
struct conf_change {
	enum conf_change_kind kind;
	unsigned line;                      /**< the directive asking for it; 0 for removals */
	const char *nqn;                    /**< the subsystem, when it concerns one */
	const char *name;                   /**< backend name, host NQN */
	const struct conf_host *host;       /**< HOST_ADD, HOST_PSK: the file's Host */
	const struct conf_backend *backend; /**< BACKEND_ADD */
	const struct conf_subsystem *ss;    /**< SS_ADD */
	const struct conf_state_ns *old_ns; /**< NS_DEL: what to put back on undo */
	struct nvmf_ns_opts ns;             /**< NS_ADD: NSID (0: the lowest free), UUID */
	struct nvmf_listen_addr addr;       /**< LISTEN_* */
	struct nvmf_transport_opts tr;      /**< TRANSPORT_ADD */
	bool allow;                         /**< ALLOW_ANY, PASSTHRU */
	int level;                          /**< LOG_LEVEL */
};

/** The outcome of conf_diff(). */
struct conf_diff {
	struct conf_change *ch; /**< in the order to apply them */
	unsigned n;
	struct conf_errors notes; /**< what is left as it is, or needs a restart */
	bool nomem;
};

/**
 * Compare @c with the running target @st. Changes go to @d (emptied first;
 * free with conf_diff_free()), notes on what cannot change live to
 * @d->notes, and what forbids the reload (an [Nvme] controller to attach,
 * an NSID over a running subsystem's limit) to @errs with file:line.
 * @return 0; -EINVAL when something went to @errs; -ENOMEM.
 */
int conf_diff(const struct conf *c, const struct conf_state *st, struct conf_diff *d,
	      struct conf_errors *errs);

/** Free the change list of @d (the struct itself is the caller's). */
void conf_diff_free(struct conf_diff *d);

/**
 * Write "+1 subsystem, -2 namespaces, ..." for @d into @buf, or "no
 * change". @return @buf.
 */
char *conf_diff_summary(const struct conf_diff *d, char *buf, size_t len);

/**
 * Describe the running @tgt in a new state (free with conf_state_free()).
 * Only what nvmf.h lists; the caller fills core_mask, the *_fixed flags
 * and log_level. @return 0 or -ENOMEM.
 */
int conf_state_read(struct nvmf_tgt *tgt, struct conf_state **out);

/** Free a state from conf_state_read() or built by hand; NULL is ignored. */
void conf_state_free(struct conf_state *st);

/**
 * Make the changes of @d on @tgt, in order. When one of the changes that
 * may fail does, those made are undone in reverse order and the failure
 * goes to @errs with the file:line that asked for it.
 * @return 0 or the negative errno of the failed call.
 */
int conf_diff_apply(const struct conf_diff *d, const struct conf *c, struct nvmf_tgt *tgt,
		    struct conf_errors *errs);

/** Create subsystem @cs with its identity and members (the start-up applier's code). */
int conf_apply_one_subsystem(const struct conf *c, struct nvmf_tgt *tgt,
			     const struct conf_subsystem *cs, struct conf_errors *errs);

/** The first transport key whose value differs between @a and @b, or NULL. */
const char *conf_transport_opts_diff(const struct nvmf_transport_opts *a,
				     const struct nvmf_transport_opts *b);

/** The transports @c asks for, as conf_apply() would add them. @return how many (<= @max). */
unsigned conf_transports_wanted(const struct conf *c, struct nvmf_transport_opts *out,
				unsigned *lines, unsigned max);

#endif /* NVMF_TGT_CONF_RELOAD_H */
