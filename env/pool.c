/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env pools: struct env_pool is an rte_mempool (ring based, with a
 * per-lcore cache). Elements whose size is a multiple of 4 KiB are placed
 * on 4 KiB boundaries by populating the pool one element at a time, each
 * preceded by a 4 KiB gap that holds the mempool's object header.
 */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "env/env_internal.h"
#include "include/env.h"
#include "include/util.h"

#define ENV_PAGE 4096u

/* Kept in the mempool's private area. */
struct env_pool_priv {
	void *chunk; /* page-aligned element memory, or NULL */
};

static struct rte_mempool *env_mp(const struct env_pool *pool)
{
	return (struct rte_mempool *)pool;
}

static int env_pool_populate_pages(struct rte_mempool *mp, size_t count, size_t elt_size)
{
	struct env_pool_priv *priv = rte_mempool_get_priv(mp);
	size_t slot = ENV_PAGE + elt_size;
	size_t obj_len = mp->header_size + elt_size + mp->trailer_size;
	char *chunk;

	if (mp->header_size + mp->trailer_size > ENV_PAGE)
		return -EINVAL;
	if (count > (SIZE_MAX - ENV_PAGE) / slot)
		return -ENOMEM;
	chunk = rte_zmalloc(NULL, count * slot + ENV_PAGE, ENV_PAGE);
	if (chunk == NULL)
		return -ENOMEM;
	priv->chunk = chunk;
	if (rte_mempool_set_ops_byname(mp, "ring_mp_mc", NULL) != 0)
		return -ENOENT;
	for (size_t i = 0; i < count; i++) {
		char *obj = chunk + i * slot + ENV_PAGE;
		char *va = obj - mp->header_size;

		if (rte_mempool_populate_iova(mp, va, env_iova(va), obj_len, NULL, NULL) != 1)
			return -ENOMEM;
	}
	return 0;
}

static struct rte_mempool *env_pool_create_pages(const char *name, size_t count, size_t elt_size,
						 unsigned cache)
{
	struct rte_mempool *mp;
	int rc;

	mp = rte_mempool_create_empty(name, (unsigned)count, (unsigned)elt_size, cache,
				      sizeof(struct env_pool_priv), SOCKET_ID_ANY,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	((struct env_pool_priv *)rte_mempool_get_priv(mp))->chunk = NULL;
	rc = env_pool_populate_pages(mp, count, elt_size);
	if (rc != 0) {
		env_pool_free((struct env_pool *)mp);
		rte_errno = -rc;
		return NULL;
	}
	return mp;
}

struct env_pool *env_pool_create(const char *name, size_t count, size_t elt_size, size_t cache_size)
{
	char mname[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	size_t cache = cache_size;

	if (name == NULL || count == 0 || elt_size == 0 || count > UINT32_MAX ||
	    elt_size > UINT32_MAX)
		return NULL;
	/* DPDK wants cache <= its maximum and <= count / 1.5. */
	if (cache > RTE_MEMPOOL_CACHE_MAX_SIZE)
		cache = RTE_MEMPOOL_CACHE_MAX_SIZE;
	if (cache > count * 2 / 3)
		cache = count * 2 / 3;
	env_unique_name(mname, sizeof(mname), name);
	if (elt_size % ENV_PAGE == 0)
		mp = env_pool_create_pages(mname, count, elt_size, (unsigned)cache);
	else
		mp = rte_mempool_create(mname, (unsigned)count, (unsigned)elt_size, (unsigned)cache,
					sizeof(struct env_pool_priv), NULL, NULL, NULL, NULL,
					SOCKET_ID_ANY, 0);
	if (mp == NULL)
		log_error("env", "pool %s: cannot create %zu x %zu bytes: %s", name, count,
			  elt_size, rte_strerror(rte_errno));
	return (struct env_pool *)mp;
}

void env_pool_free(struct env_pool *pool)
{
	struct env_pool_priv *priv;
	void *chunk;

	if (pool == NULL)
		return;
	priv = rte_mempool_get_priv(env_mp(pool));
	chunk = priv->chunk;
	rte_mempool_free(env_mp(pool));
	rte_free(chunk);
}

void *env_pool_get(struct env_pool *pool)
{
	void *obj;

	return rte_mempool_get(env_mp(pool), &obj) == 0 ? obj : NULL;
}

int env_pool_get_bulk(struct env_pool *pool, void **objs, unsigned n)
{
	return rte_mempool_get_bulk(env_mp(pool), objs, n) == 0 ? 0 : -ENOMEM;
}

void env_pool_put(struct env_pool *pool, void *obj)
{
	rte_mempool_put(env_mp(pool), obj);
}

void env_pool_put_bulk(struct env_pool *pool, void *const *objs, unsigned n)
{
	rte_mempool_put_bulk(env_mp(pool), objs, n);
}

size_t env_pool_avail(const struct env_pool *pool)
{
	return rte_mempool_avail_count(env_mp(pool));
}
