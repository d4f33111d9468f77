/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env.h - the environment layer: start-up, DMA-able memory, buffer pools,
 * lock-free rings, pinned threads, clock and PCI access.
 *
 * This is the only public header of env/. Its API carries no DPDK type: the
 * DPDK implementation lives in the env/ sources, and a plain-malloc implementation for
 * unit tests of upper layers lives in env/fake/ (same symbols, no EAL).
 *
 * Unless said otherwise, functions return 0 or a negative errno value, and
 * may be called from any thread once env_init() has returned.
 */
#ifndef NVMF_TGT_ENV_H
#define NVMF_TGT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- start-up */

/** Options for env_init(). Fill with env_opts_init() first. */
struct env_opts {
	const char *name;       /**< process name (DPDK file prefix) */
	const char *core_mask;  /**< "0x3" or a list "0-1,3"; NULL = "0x1" */
	size_t mem_mb;          /**< memory to reserve; 0 = default */
	const char **pci_allow; /**< PCI addresses allowed; NULL = none probed */
	unsigned num_pci_allow; /**< entries in pci_allow */
	bool no_huge;           /**< never use hugepages, even when present */
	bool no_pci;            /**< do not scan the PCI bus at all */
	int eal_log_level;      /**< EAL's own log level; 0 = errors only */
};

/** Fill @opts with defaults (name "nvmf", core mask 0x1, no PCI). */
void env_opts_init(struct env_opts *opts);

/**
 * Start the environment. Uses hugepages when some are reserved and a
 * hugetlbfs is mounted, otherwise no-hugepage mode with IOVA as VA; logs one
 * line naming the mode and the reason. Not thread-safe; call once.
 * @return 0, -EINVAL for bad options, -EALREADY when already started,
 *         -ENOMEM / -EIO when the EAL fails to start.
 */
int env_init(const struct env_opts *opts);

/** Stop the environment; every allocation must have been freed first. */
void env_fini(void);

/** True when env_init() chose hugepage-backed memory. */
bool env_hugepages(void);

/**
 * True when DMA addresses (IOVAs) are physical addresses, which a device
 * without an IOMMU (uio_pci_generic) needs: hugepages, root, no IOMMU.
 * False before env_init().
 */
bool env_iova_physical(void);

/* ----------------------------------------------------------------- memory */

/** Returned by env_iova() for an address it does not know. */
#define ENV_IOVA_INVALID UINT64_MAX

/**
 * Allocate @size bytes of DMA-able memory, zero-filled, aligned to @align
 * (a power of two; 0 means 64). Thread-safe.
 * @return the memory, or NULL when out of memory.
 */
void *env_dma_zalloc(size_t size, size_t align);

/** Free memory from env_dma_zalloc(); NULL is ignored. Thread-safe. */
void env_dma_free(void *buf);

/**
 * IO virtual address of @addr, which may point anywhere inside an allocation
 * of env_dma_zalloc() or a pool element.
 * @return the IOVA, or ENV_IOVA_INVALID when @addr is not DMA-able memory.
 */
uint64_t env_iova(const void *addr);

/* ------------------------------------------------------------------ pools */

struct env_pool;

/**
 * Create a pool of @count fixed-size elements of @elt_size bytes each, in
 * DMA-able memory, each aligned to 64 bytes (4096 when @elt_size is a
 * multiple of 4096). @cache_size elements are cached per thread (0: none).
 * @return the pool, or NULL (out of memory, bad arguments).
 */
struct env_pool *env_pool_create(const char *name, size_t count, size_t elt_size,
				 size_t cache_size);

/** Free a pool; all elements must have been returned. NULL is ignored. */
void env_pool_free(struct env_pool *pool);

/** Take one element. @return it, or NULL when the pool is exhausted. */
void *env_pool_get(struct env_pool *pool);

/** Take exactly @n elements into @objs, or none. @return 0 or -ENOMEM. */
int env_pool_get_bulk(struct env_pool *pool, void **objs, unsigned n);

/** Return one element to its pool. */
void env_pool_put(struct env_pool *pool, void *obj);

/** Return @n elements. */
void env_pool_put_bulk(struct env_pool *pool, void *const *objs, unsigned n);

/** Elements available (approximate while other threads use the pool). */
size_t env_pool_avail(const struct env_pool *pool);

/* ------------------------------------------------------------------ rings */

/** Ring flags: single producer, single consumer (default multi for both). */
#define ENV_RING_SP 0x1u
#define ENV_RING_SC 0x2u

struct env_ring;

/**
 * Create a lock-free FIFO of pointers holding at least @count entries.
 * @return the ring, or NULL.
 */
struct env_ring *env_ring_create(const char *name, size_t count, unsigned flags);

/** Free a ring; NULL is ignored. */
void env_ring_free(struct env_ring *ring);

/** Enqueue one pointer. @return 0, or -ENOBUFS when full. */
int env_ring_enqueue(struct env_ring *ring, void *obj);

/** Enqueue as many of @n pointers as fit. @return how many were enqueued. */
unsigned env_ring_enqueue_burst(struct env_ring *ring, void *const *objs, unsigned n);

/** Dequeue up to @n pointers. @return how many were dequeued. */
unsigned env_ring_dequeue_burst(struct env_ring *ring, void **objs, unsigned n);

/** Entries in the ring (approximate under concurrency). */
size_t env_ring_count(const struct env_ring *ring);

/* ---------------------------------------------------------------- threads */

/** Returned by env_core_id() on a thread that is not pinned to a core. */
#define ENV_CORE_ANY UINT32_MAX

/** The core env_init() runs the calling (main) thread on. */
uint32_t env_main_core(void);

/** Number of cores in the core mask. */
uint32_t env_core_count(void);

/**
 * Iterate the cores of the core mask: env_core_next(ENV_CORE_ANY) gives the
 * first, then each call the next. @return the core, or ENV_CORE_ANY at end.
 */
uint32_t env_core_next(uint32_t prev);

/** Core the calling thread is pinned to, or ENV_CORE_ANY. */
uint32_t env_core_id(void);

/**
 * Run @fn(@arg) on a new thread pinned to @core (a core of the mask other
 * than the main core). @return 0, -EINVAL (not a worker core), -EBUSY.
 */
int env_thread_launch(uint32_t core, int (*fn)(void *), void *arg);

/** Wait for the thread on @core to end. @return its fn's return value. */
int env_thread_join(uint32_t core);

/* ------------------------------------------------------------------ clock */

/** Monotonic tick counter (TSC where present). Thread-safe, no syscall. */
uint64_t env_ticks(void);

/** Ticks per second. */
uint64_t env_ticks_hz(void);

/** Busy-wait for @us microseconds. */
void env_delay_us(unsigned us);

/* -------------------------------------------------------------------- PCI */

/** A PCI address: domain:bus:device.function. */
struct env_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;
	uint8_t func;
};

/** Parse "0000:00:04.0" or "00:04.0". @return 0 or -EINVAL. */
int env_pci_addr_parse(const char *str, struct env_pci_addr *addr);

/** Format as "0000:00:04.0" into @buf (at least 13 bytes). */
void env_pci_addr_fmt(const struct env_pci_addr *addr, char *buf, size_t len);

/** What enumeration reports of one PCI function. */
struct env_pci_info {
	struct env_pci_addr addr;
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code; /**< 24 bits: class, subclass, prog-if */
	char driver[32];     /**< bound kernel driver, "" when none */
};

/**
 * Call @cb for each PCI function whose class code equals @class_code (or any
 * when UINT32_MAX) and vendor equals @vendor_id (any when 0xffff). A non-zero
 * return from @cb stops the walk and is returned.
 */
int env_pci_enumerate(uint32_t class_code, uint16_t vendor_id,
		      int (*cb)(void *ctx, const struct env_pci_info *info), void *ctx);

struct env_pci_dev;

/**
 * Attach the function at @addr for user-space access (it must be bound to
 * vfio-pci or uio_pci_generic). @return 0, -ENODEV, -EBUSY (kernel driver).
 */
int env_pci_attach(const struct env_pci_addr *addr, struct env_pci_dev **dev);

/** Release a device from env_pci_attach(). */
void env_pci_detach(struct env_pci_dev *dev);

/** Map BAR @bar: its virtual address, physical address and size. */
int env_pci_map_bar(struct env_pci_dev *dev, unsigned bar, void **vaddr, uint64_t *paddr,
		    uint64_t *size);

/**
 * Has the kernel taken function @dev away, or does it want it back? With
 * vfio-pci: its device request notifier fired (the kernel's removal of the
 * function waits until the device is released); with uio_pci_generic: the
 * function left sysfs. Once true it stays true. Thread-safe, no blocking
 * (one read of an eventfd, or one stat()).
 */
bool env_pci_removal_requested(struct env_pci_dev *dev);

/** Read/write @len bytes of config space at @offset. */
int env_pci_cfg_read(struct env_pci_dev *dev, void *buf, size_t len, uint32_t offset);
int env_pci_cfg_write(struct env_pci_dev *dev, const void *buf, size_t len, uint32_t offset);

#endif /* NVMF_TGT_ENV_H */
