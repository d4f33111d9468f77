/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env rings: struct env_ring is an rte_ring created with an exact
 * usable size (DPDK rounds the storage up to a power of two).
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "env/env_internal.h"
#include "include/env.h"
#include "include/util.h"

static struct rte_ring *env_rte_ring(struct env_ring *ring)
{
	return (struct rte_ring *)ring;
}

struct env_ring *env_ring_create(const char *name, size_t count, unsigned flags)
{
	unsigned rflags = RING_F_EXACT_SZ;
	char rname[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	if (name == NULL || count == 0 || count > RTE_RING_SZ_MASK ||
	    (flags & ~(ENV_RING_SP | ENV_RING_SC)) != 0)
		return NULL;
	if (flags & ENV_RING_SP)
		rflags |= RING_F_SP_ENQ;
	if (flags & ENV_RING_SC)
		rflags |= RING_F_SC_DEQ;
	/* Ring names are global in DPDK; callers may reuse theirs. */
	env_unique_name(rname, sizeof(rname), name);
	r = rte_ring_create(rname, (unsigned)count, SOCKET_ID_ANY, rflags);
	if (r == NULL)
		log_error("env", "ring %s: cannot create %zu entries: %s", name, count,
			  rte_strerror(rte_errno));
	return (struct env_ring *)r;
}

void env_ring_free(struct env_ring *ring)
{
	rte_ring_free(env_rte_ring(ring));
}

int env_ring_enqueue(struct env_ring *ring, void *obj)
{
	return rte_ring_enqueue(env_rte_ring(ring), obj) == 0 ? 0 : -ENOBUFS;
}

unsigned env_ring_enqueue_burst(struct env_ring *ring, void *const *objs, unsigned n)
{
	return rte_ring_enqueue_burst(env_rte_ring(ring), objs, n, NULL);
}

unsigned env_ring_dequeue_burst(struct env_ring *ring, void **objs, unsigned n)
{
	return rte_ring_dequeue_burst(env_rte_ring(ring), objs, n, NULL);
}

size_t env_ring_count(const struct env_ring *ring)
{
	return rte_ring_count((const struct rte_ring *)ring);
}
