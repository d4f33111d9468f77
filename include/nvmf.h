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
	bool idle_sleep;  /**< poll groups sleep on events when idle (see idle_us); default true */
	uint32_t idle_us; /**< idle time before sleeping, microseconds */
	/** Where reservation states that persist through power loss live;
	 *  empty: no PTPL. Default NVMF_RESV_DIR_DEFAULT. */
	char resv_dir[256];
};

#define NVMF_RESV_DIR_DEFAULT "/var/lib/nvmf-tgt/reservations"

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
 * The target's keyring of TLS PSKs (util_tls_psk.h): a host's key on a
 * subsystem goes there with tls_keyring_add(); transports with a secure
 * channel look identities up in it. Thread-safe. Never NULL.
 */
struct tls_keyring *nvmf_tgt_keyring(struct nvmf_tgt *tgt);

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

/**
 * Remove and free a subsystem; its hosts' connections are closed and their
 * TLS PSKs leave the target's keyring, wiped.
 */
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

/**
 * Let hosts' Format NVM, Sanitize, Firmware Image Download and Firmware
 * Commit reach the local drive when every namespace of @ss is on that one
 * drive (default off: Invalid Command Opcode).
 */
void nvmf_subsystem_set_admin_passthru(struct nvmf_subsystem *ss, bool allow);

/** Allow a host NQN. @return 0, -EINVAL, -EEXIST. */
int nvmf_subsystem_add_host(struct nvmf_subsystem *ss, const char *hostnqn);

/**
 * Give host @hostnqn (on @ss's list) DH-HMAC-CHAP secrets: @key the host's
 * (its Connects must then authenticate), @ctrl_key the controller's for
 * bidirectional authentication (NULL: none). Each is a secret in the
 * "DHHC-1:XX:...:" text form, the path of a key file holding one (it starts
 * with '/' or '.'; see key_file_read()), or the name of a keyring key. Both
 * NULL: no authentication. The old secrets are wiped; Connects from now on
 * use the new ones; queues already authenticated keep running and get the
 * new secrets (not a removal) for their next re-authentication. Main thread.
 * @return 0, -ENOENT (not on the list), -EINVAL (malformed secret, no
 *         keyring key of that name, or a controller secret without a host
 *         secret), -EACCES or another errno of reading a key file, -ENOMEM.
 */
int nvmf_subsystem_host_set_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char *key,
				   const char *ctrl_key);

/**
 * The host's DH-HMAC-CHAP secrets as they were given to
 * nvmf_subsystem_host_set_dhchap() (a keyring name as the key file's path),
 * NULL for none. The strings are the host's: valid until its next change.
 * @return 0 or -ENOENT (not on the list).
 */
int nvmf_subsystem_host_get_dhchap(struct nvmf_subsystem *ss, const char *hostnqn, const char **key,
				   const char **ctrl_key);

/**
 * Record that host @hostnqn's TLS PSK came from keyring key @name (NULL:
 * none), which then cannot be removed. The PSK itself is in the TLS keyring.
 * @return 0, -ENOENT (host not on the list), -ENOKEY (no such key), -ENOMEM.
 */
int nvmf_subsystem_host_set_psk_key(struct nvmf_subsystem *ss, const char *hostnqn,
				    const char *name);

/* -------------------------------------------------------------- keyring */

/** Longest keyring key name, without the NUL. */
#define NVMF_KEY_NAME_MAX 63

/**
 * Add keyring key @name (1 to NVMF_KEY_NAME_MAX of A-Z a-z 0-9 _ - ., not
 * starting with '.') whose secret is in the file at the absolute @path; the
 * file is read now to check it (key_file_read()) and again at each use.
 * @return 0, -EINVAL (name or path, *@why), -EEXIST, -EACCES (owner or
 *         mode, *@why), another errno of reading the file, -ENOMEM.
 */
int nvmf_keyring_add(struct nvmf_tgt *tgt, const char *name, const char *path, const char **why);

/**
 * Remove keyring key @name when no host uses it; else -EBUSY and @user
 * (@len bytes) names the first one ("host H on subsystem S").
 * @return 0, -ENOENT, -EBUSY.
 */
int nvmf_keyring_remove(struct nvmf_tgt *tgt, const char *name, char *user, size_t len);

/** The key file of keyring key @name, or NULL. */
const char *nvmf_keyring_path(struct nvmf_tgt *tgt, const char *name);

/** Call @cb for each keyring key, in the order added. */
void nvmf_keyring_foreach(struct nvmf_tgt *tgt,
			  void (*cb)(void *arg, const char *name, const char *path), void *arg);

/**
 * Call @cb for each use of keyring key @name by a host: the subsystem, the
 * host and the role ("psk", "dhchap_key" or "dhchap_ctrlr_key").
 */
void nvmf_keyring_foreach_user(struct nvmf_tgt *tgt, const char *name,
			       void (*cb)(void *arg, const char *subnqn, const char *hostnqn,
					  const char *role),
			       void *arg);

/**
 * DH-HMAC-CHAP hash functions (NVMF_AUTH_HASH_*) and DH groups
 * (NVMF_AUTH_DHGROUP_*) @ss accepts, in its order of preference (the first
 * the host offers too is chosen). Defaults: SHA-256, SHA-384, SHA-512;
 * null, ffdhe2048 ... ffdhe8192. @return 0 or -EINVAL (empty, unknown or
 * repeated id, too many).
 */
int nvmf_subsystem_set_dhchap_hashes(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n);
int nvmf_subsystem_set_dhchap_groups(struct nvmf_subsystem *ss, const uint8_t *ids, unsigned n);

/**
 * The lists set by nvmf_subsystem_set_dhchap_hashes() / _groups() into
 * @hashes / @groups (6 bytes each); @return the counts in *@nh and *@ng (0:
 * not set, the defaults apply).
 */
void nvmf_subsystem_get_dhchap_lists(struct nvmf_subsystem *ss, uint8_t hashes[6], unsigned *nh,
				     uint8_t groups[6], unsigned *ng);

/**
 * Whether DH-HMAC-CHAP is configured: for @hostnqn, a secret; for NULL,
 * the subsystem's own hash or DH group list. Main thread.
 */
bool nvmf_subsystem_dhchap_configured(struct nvmf_subsystem *ss, const char *hostnqn);

/**
 * Disallow a host NQN; its controllers are torn down and its TLS PSK on the
 * subsystem leaves the target's keyring, wiped. @return 0 or -ENOENT.
 */
int nvmf_subsystem_remove_host(struct nvmf_subsystem *ss, const char *hostnqn);

/**
 * Listen on @addr (its transport must have been added). Before start the
 * address is only recorded; after start it is opened at once.
 * @return 0, -EEXIST, -ENOTSUP (no such transport), or the transport's errno.
 */
int nvmf_subsystem_add_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr);

/** Stop listening for this subsystem. @return 0 or -ENOENT. */
int nvmf_subsystem_remove_listener(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr);

/**
 * Give the listener of @addr's address the secure channel setting
 * @addr->secure. When it differs, the listener is re-created: it stops
 * listening and listens again with the new setting, and every controller
 * that came in through it (of any subsystem) is torn down, as it was let
 * in under the old setting. Main thread.
 * @return 0 (also: same setting), -ENOENT (no such listener), or the
 * transport's listen error (the old setting then stays).
 */
int nvmf_tgt_listener_set_secure(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr);

/** Namespace identifiers; a zero field is derived from the NQN and NSID. */
struct nvmf_ns_opts {
	uint32_t nsid;     /**< 0: the lowest free NSID */
	uint8_t uuid[16];  /**< all zero: derived */
	uint8_t nguid[16]; /**< all zero: derived */
	uint8_t eui64[8];  /**< all zero: derived */
	uint32_t anagrpid; /**< ANA group, 1..NVMF_ANA_GRP_MAX; 0: group 1 */
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

/**
 * The main poller's events: @fd (level-triggered, e.g. an epoll fd) is
 * readable when it has work, so an idle main thread sleeping on events
 * wakes for it. One fd, for the target's life; @fd stays open until
 * nvmf_tgt_destroy(). @return 0 or a negative errno.
 */
int nvmf_tgt_set_main_wait_fd(struct nvmf_tgt *tgt, int fd);

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
	bool admin_passthru; /**< AdminPassthru */
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
	uint32_t anagrpid;
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

/* ----------------------------------------------------------- statistics */
/*
 * Each poll group counts what it serves on its own thread, in plain memory:
 * queue pairs, I/O commands, and per namespace the reads, writes, bytes
 * and a latency histogram. Nothing on the I/O path is shared, locked or
 * atomic. nvmf_tgt_get_stats() sends a message to every poll group; each
 * copies its counters and sends them back by message to the main thread,
 * which calls @done once all have answered.
 */

struct histogram;

/** Transports in struct nvmf_pg_stats_info (the core's limit). */
#define NVMF_STATS_MAX_TRANSPORTS 4

/** Successful reads (Read, Compare) and writes, and their bytes. */
struct nvmf_io_stats {
	uint64_t read_ops;
	uint64_t write_ops;
	uint64_t bytes_read;
	uint64_t bytes_written;
};

/** What one poll group did on one namespace since start. */
struct nvmf_ns_stats_info {
	const char *nqn; /**< its subsystem */
	uint32_t nsid;
	struct nvmf_io_stats io;
	/**
	 * Ticks (nvmf_stats.tick_rate per second) from the start of each
	 * successful read or write in the core to its completion; NULL when
	 * out of memory.
	 */
	const struct histogram *latency;
};

/** One poll group's counters since start. */
struct nvmf_pg_stats_info {
	uint32_t idx;                  /**< 0 = the main thread's group */
	uint32_t core;                 /**< the CPU core it runs on */
	uint64_t admin_qpairs;         /**< admin queues ever attached here */
	uint64_t io_qpairs;            /**< I/O queues ever attached here */
	uint32_t current_admin_qpairs; /**< attached now */
	uint32_t current_io_qpairs;    /**< attached now */
	uint64_t completed_io;         /**< I/O commands completed with success */
	struct nvmf_io_stats io;       /**< all namespaces */
	uint32_t ntr;                  /**< transports, in the order added */
	struct {
		const char *name;        /**< "TCP", "RDMA" */
		uint32_t current_qpairs; /**< its queues attached here now */
	} tr[NVMF_STATS_MAX_TRANSPORTS];
	uint32_t nns;                        /**< namespaces it did I/O on */
	const struct nvmf_ns_stats_info *ns; /**< by subsystem, then NSID */
};

/** One collection: every poll group, by index. */
struct nvmf_stats {
	uint64_t tick_rate; /**< ticks per second of the latency histograms */
	uint32_t ngroups;
	const struct nvmf_pg_stats_info *groups;
};

/** Called on the main thread with a collection; it lives until the call returns. */
typedef void (*nvmf_stats_done_fn)(void *arg, const struct nvmf_stats *st);

/**
 * Collect the statistics of every poll group (main thread). Before start
 * (no poll groups) @done runs at once with none; else it runs from a later
 * main-loop poll, after every group answered (a group that a message
 * cannot reach is logged and answers zeros, at once).
 * @return 0 (@done runs, maybe before the return), or -ENOMEM (it does not).
 */
int nvmf_tgt_get_stats(struct nvmf_tgt *tgt, nvmf_stats_done_fn done, void *arg);

/** A controller of a subsystem, for listings. Strings live as long as the call. */
struct nvmf_ctrlr_info {
	uint16_t cntlid;
	const char *hostnqn;
	uint8_t hostid[16];
	uint32_t num_io_qpairs; /**< I/O queues attached now */
	bool live;              /**< false while it is being torn down */
};

/** Call @cb once per controller of @ss, in creation order. */
void nvmf_subsystem_foreach_ctrlr(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_ctrlr_info *c),
				  void *arg);

/** A queue pair of a controller, for listings. Pointers live as long as the call. */
struct nvmf_qpair_info {
	uint16_t cntlid;
	uint16_t qid;
	const char *state; /**< "active", or "deleting" once its controller is torn down */
	const struct nvmf_listen_addr *peer;   /**< the host's address */
	const struct nvmf_listen_addr *listen; /**< the listener it came in on */
};

/** Call @cb once per attached queue pair of @ss, by controller then QID. */
void nvmf_subsystem_foreach_qpair(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_qpair_info *q),
				  void *arg);

/* ------------------------------------------- asymmetric namespace access */
/*
 * Each namespace belongs to one ANA group (1..NVMF_ANA_GRP_MAX). Each
 * listen address of a subsystem has an ANA state per group (all optimized
 * when added). A controller reports the states of the address its admin
 * queue came in through; I/O on a namespace whose group is inaccessible,
 * in persistent loss or changing there fails with the matching path status.
 */

/** Largest ANA group ID (Identify ANAGRPMAX and NANAGRPID). */
#define NVMF_ANA_GRP_MAX 32

/**
 * Parse an ANA state name: optimized, non_optimized, inaccessible,
 * persistent_loss, change ('-' may stand for '_', any case) into @state
 * (enum nvme_ana_state). @return 0 or -EINVAL.
 */
int nvmf_ana_state_parse(const char *name, uint8_t *state);

/** The name of ANA state @state ("optimized", "non_optimized", ...), or NULL. */
const char *nvmf_ana_state_name(uint8_t state);

/**
 * Set the ANA state of group @anagrpid (0: every group) on listen address
 * @addr of @ss. Each live controller that came in through @addr gets the
 * new states at once (I/O after this call sees them), a new change count
 * and an ANA Change notice (if it enabled it). Setting the state a group
 * already has changes nothing and sends nothing.
 * @return 0, -ENOENT (@ss does not listen on @addr), -EINVAL (group ID
 *         over NVMF_ANA_GRP_MAX, or not a state).
 */
int nvmf_subsystem_set_ana_state(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr,
				 uint32_t anagrpid, uint8_t state);

/**
 * The ANA state of group @anagrpid (1..NVMF_ANA_GRP_MAX) on @addr of @ss
 * into @state. @return 0, -ENOENT (no such listener), -EINVAL (group).
 */
int nvmf_subsystem_get_ana_state(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr,
				 uint32_t anagrpid, uint8_t *state);

/* ------------------------------------------------------------ discovery */

/**
 * Add a referral: the discovery log lists another discovery service at
 * @addr (subtype 01h, the well-known discovery NQN unless @subnqn names
 * another), with TREQ "secure channel required" when @secure. Bumps the
 * generation counter and tells live discovery controllers.
 * @return 0, -EEXIST (a referral to @addr exists), -EINVAL (@subnqn), -ENOMEM.
 */
int nvmf_discovery_add_referral(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr,
				const char *subnqn, bool secure);

/** Remove the referral to @addr, as add does. @return 0 or -ENOENT. */
int nvmf_discovery_remove_referral(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr);

/** Call @cb once per referral, in the order added. */
void nvmf_discovery_foreach_referral(struct nvmf_tgt *tgt,
				     void (*cb)(void *arg, const struct nvmf_listen_addr *addr,
						const char *subnqn, bool secure),
				     void *arg);

/**
 * The target's unique discovery NQN, accepted at Connect besides the
 * well-known one and named in the log's current discovery subsystem entry.
 * @nqn NULL restores the default (nvmf_tgt_discovery_nqn_default()).
 * @return 0 or -EINVAL (not a valid NQN, or an NVM subsystem's).
 */
int nvmf_tgt_set_discovery_nqn(struct nvmf_tgt *tgt, const char *nqn);

/** The unique discovery NQN in use. */
const char *nvmf_tgt_discovery_nqn(const struct nvmf_tgt *tgt);

/** True when the unique discovery NQN is the default one. */
bool nvmf_tgt_discovery_nqn_is_default(const struct nvmf_tgt *tgt);

#endif /* NVMF_TGT_NVMF_H */
