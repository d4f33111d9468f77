/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf.h - the target core's public API: what the conf file's applier
 * (conf_apply()), tools/nvmf_tgt and the JSON-RPC server (rpc/, driven by
 * tools/nvmf_rpc) call. The conf file describes what is served at start;
 * while the target runs, the JSON-RPC server changes it through the same
 * calls from the main thread's loop (see the run-time control API below).
 *
 * Set-up calls (create, add_*, remove_*) are made on the main thread,
 * normally before nvmf_tgt_start(); those documented to act on a running
 * target (a listener opened at once, a namespace change announced to
 * hosts, a host's controllers torn down) may also be made there after it.
 * They are not thread-safe. Functions return 0 or a negative errno and log
 * nothing themselves except where said: the caller reports errors with its
 * own context (file:line for the conf reader).
 */
#ifndef NVMF_TGT_NVMF_H
#define NVMF_TGT_NVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmf_transport.h"

struct nvmf_tgt;
struct nvmf_subsystem;
struct nvmf_backend;

/**
 * Size of the poll groups' Compare buffers when the target starts with no
 * transport; a transport added later with a larger max_io_size grows them.
 */
#define NVMF_RUNTIME_MAX_IO_SIZE (128u * 1024)

/** Longest NQN, without the NUL (the spec's limit). */
#define NVMF_NQN_MAX_LEN 223
/** The well-known discovery subsystem. */
#define NVMF_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"

/* --------------------------------------------------------------- target */

/** Options of the target as a whole. */
struct nvmf_tgt_opts {
	uint32_t max_subsystems; /**< default 1024 */
	bool idle_sleep;         /**< poll groups sleep when idle (see idle_us) */
	uint32_t idle_us;        /**< idle time before sleeping, microseconds */
};

/** Fill @opts with defaults. */
void nvmf_tgt_opts_init(struct nvmf_tgt_opts *opts);

/** Create an empty target. @return 0 or -ENOMEM. */
int nvmf_tgt_create(const struct nvmf_tgt_opts *opts, struct nvmf_tgt **tgt);

/**
 * Destroy the target: stop it if running, free subsystems, backends and
 * transports. Call on the main thread.
 */
void nvmf_tgt_destroy(struct nvmf_tgt *tgt);

/**
 * Add a transport (one per type). Once the target runs, each poll group
 * creates its part of the transport on its own thread (by message) before
 * it adopts any connection of it, and first grows its Compare buffers when
 * @opts->max_io_size is larger than any before.
 * @return 0, -EEXIST, -ENOTSUP, -ENOSPC (too many), -ENOMEM (also: the
 *         transport refused @opts; it logs why).
 */
int nvmf_tgt_add_transport(struct nvmf_tgt *tgt, const struct nvmf_transport_opts *opts);

/**
 * Start: one poll group per core of the env core mask (the main core
 * included), the listeners of every subsystem, then one log line per
 * listener ("listening on tcp 127.0.0.1:4420") and per subsystem.
 * @return 0 or a negative errno (a listener failed: nothing keeps running).
 */
int nvmf_tgt_start(struct nvmf_tgt *tgt);

/**
 * Run the main core's poll group, the acceptors and timers until
 * nvmf_tgt_stop_async() is called, then shut down: every controller sees
 * CSTS.SHST complete, connections are closed, poll groups joined.
 * @return 0.
 */
int nvmf_tgt_run(struct nvmf_tgt *tgt);

/** Ask nvmf_tgt_run() to return. Async-signal-safe. */
void nvmf_tgt_stop_async(struct nvmf_tgt *tgt);

/* ------------------------------------------------------------- backends */

/** Create a RAM backend of @size bytes. @return 0, -EEXIST, -EINVAL, -ENOMEM. */
int nvmf_backend_ram_create(struct nvmf_tgt *tgt, const char *name, uint64_t size,
			    uint32_t block_size);

/** Create a Null backend (writes dropped, reads zero). */
int nvmf_backend_null_create(struct nvmf_tgt *tgt, const char *name, uint64_t size,
			     uint32_t block_size);

/**
 * Create a File backend on a regular file or block device. @size 0 keeps
 * the file's size; otherwise a regular file is created or extended to it.
 * @return 0, -EEXIST, -EINVAL (block size, size not a multiple), or the
 * errno of open/fstat/ftruncate.
 */
int nvmf_backend_file_create(struct nvmf_tgt *tgt, const char *name, const char *path,
			     uint64_t size, uint32_t block_size);

/**
 * Create "nvme" backends on the local NVMe controller at PCI address
 * @pci_addr ("0000:00:04.0", bound to vfio-pci or uio_pci_generic): one per
 * active namespace, or per NSID in @nsids when @n_nsids > 0, named
 * "<name_prefix>n<nsid>" (nvme0n1). Block size, capacity and the volatile
 * write cache come from the drive. Connects the controller on the calling
 * (main) thread; each poll group later opens its own I/O queue pair.
 * @return 0, -EINVAL, -ENOENT (a listed namespace is not active, or none
 *         is), -EEXIST (a name is taken), -ENOTSUP (block size), or the
 *         errno of the controller connection (-ENODEV, -EBUSY: see the log).
 */
int nvmf_backend_nvme_create(struct nvmf_tgt *tgt, const char *name_prefix, const char *pci_addr,
			     const uint32_t *nsids, unsigned n_nsids);

/** Find a backend by name, or NULL. */
struct nvmf_backend *nvmf_backend_find(struct nvmf_tgt *tgt, const char *name);

/* ----------------------------------------------------------- subsystems */

/**
 * Check an NQN against the spec's rules: at most 223 bytes, and either the
 * "nqn.yyyy-mm.reverse.domain:..." form with a valid date and domain, or
 * "nqn.2014-08.org.nvmexpress:uuid:" followed by a UUID.
 * @return true when valid.
 */
bool nvmf_nqn_valid(const char *nqn);

/** Create an NVM subsystem. @return 0, -EINVAL (NQN), -EEXIST, -ENOMEM. */
int nvmf_subsystem_create(struct nvmf_tgt *tgt, const char *nqn, struct nvmf_subsystem **ss);

/** Find a subsystem by NQN, or NULL. */
struct nvmf_subsystem *nvmf_subsystem_find(struct nvmf_tgt *tgt, const char *nqn);

/** Remove and free a subsystem; its hosts' connections are closed. */
int nvmf_subsystem_destroy(struct nvmf_subsystem *ss);

/** Serial number (<= 20 ASCII chars). @return 0 or -EINVAL. */
int nvmf_subsystem_set_sn(struct nvmf_subsystem *ss, const char *sn);

/** Model number (<= 40 ASCII chars). @return 0 or -EINVAL. */
int nvmf_subsystem_set_mn(struct nvmf_subsystem *ss, const char *mn);

/** A new subsystem's largest NSID, until nvmf_subsystem_set_max_namespaces(). */
#define NVMF_DEFAULT_MAX_NSID 32

/** Largest NSID allowed (1..1024). @return 0 or -EINVAL. */
int nvmf_subsystem_set_max_namespaces(struct nvmf_subsystem *ss, uint32_t max);

/** Allow any host, or only those added with nvmf_subsystem_add_host(). */
void nvmf_subsystem_set_allow_any_host(struct nvmf_subsystem *ss, bool allow);

/** Allow a host NQN. @return 0, -EINVAL, -EEXIST. */
int nvmf_subsystem_add_host(struct nvmf_subsystem *ss, const char *hostnqn);

/**
 * Give host @hostnqn (on @ss's list) DH-HMAC-CHAP secrets, in the
 * "DHHC-1:XX:...:" text form: @key the host's (its Connects must then
 * authenticate), @ctrl_key the controller's for bidirectional
 * authentication (NULL: none). Both NULL: no authentication. Takes effect
 * for the next Connect. Main thread.
 * @return 0, -ENOENT (not on the list), -EINVAL (malformed secret, or a
 *         controller secret without a host secret), -ENOMEM.
 */
int nvmf_subsystem_host_set_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char *key,
				   const char *ctrl_key);

/**
 * DH-HMAC-CHAP hash functions (NVMF_AUTH_HASH_*) and DH groups
 * (NVMF_AUTH_DHGROUP_*) @ss accepts, in its order of preference (the first
 * the host offers too is chosen). Defaults: SHA-256, SHA-384, SHA-512;
 * null, ffdhe2048 ... ffdhe8192. @return 0 or -EINVAL (empty, unknown or
 * repeated id, too many).
 */
int nvmf_subsystem_set_dhchap_hashes(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n);
int nvmf_subsystem_set_dhchap_groups(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n);

/** Disallow a host NQN; its controllers are torn down. @return 0 or -ENOENT. */
int nvmf_subsystem_remove_host(struct nvmf_subsystem *ss, const char *hostnqn);

/**
 * Listen on @addr (its transport must have been added). Before start the
 * address is only recorded; after start it is opened at once.
 * @return 0, -EEXIST, -ENOTSUP (no such transport), or the transport's errno.
 */
int nvmf_subsystem_add_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr);

/** Stop listening for this subsystem. @return 0 or -ENOENT. */
int nvmf_subsystem_remove_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr);

/** Namespace identifiers; a zero field is derived from the NQN and NSID. */
struct nvmf_ns_opts {
	uint32_t nsid;     /**< 0: the lowest free NSID */
	uint8_t uuid[16];  /**< all zero: derived */
	uint8_t nguid[16]; /**< all zero: derived */
	uint8_t eui64[8];  /**< all zero: derived */
};

/**
 * Expose backend @backend_name as a namespace. Derived identifiers are
 * stable across restarts (a hash of the subsystem NQN and the NSID). Hosts
 * get a namespace-attribute-changed event.
 * @return the NSID (> 0), or -ENOENT (no backend), -EEXIST (NSID used, or
 *         backend already in this subsystem), -EINVAL (NSID over max), -ENOSPC.
 */
int nvmf_subsystem_add_ns(struct nvmf_subsystem *ss, const char *backend_name,
			  const struct nvmf_ns_opts *opts);

/** Remove namespace @nsid; hosts get a namespace-attribute-changed event. */
int nvmf_subsystem_remove_ns(struct nvmf_subsystem *ss, uint32_t nsid);

/** Parse "TCP 127.0.0.1:4420" / "TCP [::1]:4420" into @addr. @return 0 or -EINVAL. */
int nvmf_listen_addr_parse(const char *trtype_name, const char *hostport,
			   struct nvmf_listen_addr *addr);

/* ------------------------------------------------- run-time control API */
/*
 * What the RPC server needs beyond set-up: looking at the target, deleting
 * backends, and a hook into the main thread's loop. Main thread only, like
 * the set-up calls above.
 */

/**
 * A function the main thread's loop calls on every iteration (not while
 * the target shuts down). It must not block and should do bounded work.
 * @return NVMF_POLL_BUSY when it did something, else NVMF_POLL_IDLE.
 */
typedef int (*nvmf_main_poll_fn)(void *arg);

/**
 * Install (or, with @fn NULL, remove) the main-loop poller; one at a time.
 * Call before nvmf_tgt_run() or from the poller itself.
 */
void nvmf_tgt_set_main_poller(struct nvmf_tgt *tgt, nvmf_main_poll_fn fn, void *arg);

/** Copy the options @tgt was created with (defaults filled in) into @opts. */
void nvmf_tgt_get_opts(const struct nvmf_tgt *tgt, struct nvmf_tgt_opts *opts);

/** True between nvmf_tgt_start() and the end of shutdown. */
bool nvmf_tgt_running(const struct nvmf_tgt *tgt);

/**
 * Call @cb once per transport, in the order they were added, with its
 * name ("TCP") and options.
 */
void nvmf_tgt_foreach_transport(struct nvmf_tgt *tgt,
				void (*cb)(void *arg, const char *name,
					   const struct nvmf_transport_opts *opts),
				void *arg);

/** What a backend is, for listings. Strings live as long as the backend. */
struct nvmf_backend_info {
	const char *name;
	const char *type; /**< "ram", "null", "file", "nvme" */
	uint64_t size;    /**< bytes */
	uint32_t block_size;
	uint32_t refs; /**< namespaces using it */
	bool volatile_cache;
	const char *path; /**< "file": its path; "nvme": the controller's PCI address; else NULL */
	uint32_t nsid;    /**< "nvme": the drive's namespace ID; else 0 */
};

/** Fill @info for @b. */
void nvmf_backend_get_info(const struct nvmf_backend *b, struct nvmf_backend_info *info);

/** Call @cb once per backend, in creation order. */
void nvmf_backend_foreach(struct nvmf_tgt *tgt,
			  void (*cb)(void *arg, const struct nvmf_backend_info *info), void *arg);

/**
 * Delete backend @name. It must not be a namespace of any subsystem. Its
 * name is free at once. Before start it is freed here; while the target
 * runs, each poll group first closes its channel on it, once nothing
 * holds that channel (bios in flight, reads served in place from the
 * backend's memory that the transport has not sent yet), and the backend
 * is freed when the last group is done (a local NVMe controller is then
 * disconnected), from the main thread's loop.
 * @return 0, -ENOENT (no such backend), -EBUSY (a namespace uses it),
 *         -ENOMEM.
 */
int nvmf_backend_delete(struct nvmf_tgt *tgt, const char *name);

/** Call @cb once per NVM subsystem (not discovery), in creation order. */
void nvmf_subsystem_foreach(struct nvmf_tgt *tgt, void (*cb)(void *arg, struct nvmf_subsystem *ss),
			    void *arg);

/** What a subsystem is, for listings. Strings live as long as the subsystem. */
struct nvmf_subsystem_info {
	const char *nqn;
	const char *sn;
	const char *mn;
	uint32_t max_nsid;
	uint32_t num_ns;
	uint32_t num_ctrlrs; /**< live controllers */
	bool allow_any_host;
};

/** Fill @info for @ss. */
void nvmf_subsystem_get_info(const struct nvmf_subsystem *ss, struct nvmf_subsystem_info *info);

/** Call @cb once per allowed host NQN of @ss. */
void nvmf_subsystem_foreach_host(struct nvmf_subsystem *ss,
				 void (*cb)(void *arg, const char *hostnqn), void *arg);

/** Call @cb once per listen address of @ss. */
void nvmf_subsystem_foreach_listener(struct nvmf_subsystem *ss,
				     void (*cb)(void *arg, const struct nvmf_listen_addr *addr),
				     void *arg);

/** A namespace, for listings. */
struct nvmf_ns_info {
	uint32_t nsid;
	const char *backend_name;
	uint8_t uuid[16];
	uint8_t nguid[16];
	uint8_t eui64[8];
};

/**
 * The identifiers a namespace gets when none is given: a hash of
 * subsystem @nqn and @nsid. Any of @uuid, @nguid, @eui64 may be NULL.
 */
void nvmf_ns_derive_ids(const char *nqn, uint32_t nsid, uint8_t uuid[16], uint8_t nguid[16],
			uint8_t eui64[8]);

/** Call @cb once per namespace of @ss, by increasing NSID. */
void nvmf_subsystem_foreach_ns(struct nvmf_subsystem *ss,
			       void (*cb)(void *arg, const struct nvmf_ns_info *ns), void *arg);

#endif /* NVMF_TGT_NVMF_H */
