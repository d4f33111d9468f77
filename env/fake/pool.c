/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env pools: one block of fake DMA memory cut into elements, and a
 * mutex-protected stack of free elements. Misuse (a foreign or doubly
 * returned element, freeing a pool with elements out) aborts, so upper-layer
 * tests catch it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "include/env.h"
#include "include/util.h"

struct env_pool {
	pthread_mutex_t lock;
	char name[32];
	char *block;
	size_t count;
	size_t stride;
	size_t nfree;
	void **free;
};

struct env_pool *env_pool_create(const char *name, size_t count, size_t elt_size, size_t cache_size)
{
	struct env_pool *pool;
	size_t align = (elt_size % 4096 == 0) ? 4096 : 64;

	(void)cache_size;
	if (name == NULL || count == 0 || elt_size == 0)
		return NULL;
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	snprintf(pool->name, sizeof(pool->name), "%s", name);
	pool->stride = (elt_size + align - 1) & ~(align - 1);
	pool->count = count;
	if (count > SIZE_MAX / pool->stride)
		goto err_free_pool;
	pool->free = calloc(count, sizeof(void *));
	if (pool->free == NULL)
		goto err_free_pool;
	pool->block = env_dma_zalloc(count * pool->stride, align);
	if (pool->block == NULL)
		goto err_free_stack;
	for (size_t i = 0; i < count; i++)
		pool->free[i] = pool->block + (count - 1 - i) * pool->stride;
	pool->nfree = count;
	pthread_mutex_init(&pool->lock, NULL);
	return pool;

err_free_stack:
	free(pool->free);
err_free_pool:
	free(pool);
	return NULL;
}

void env_pool_free(struct env_pool *pool)
{
	if (pool == NULL)
		return;
	if (pool->nfree != pool->count) {
		log_error("env", "pool %s: freed with %zu of %zu elements still taken", pool->name,
			  pool->count - pool->nfree, pool->count);
		abort();
	}
	pthread_mutex_destroy(&pool->lock);
	env_dma_free(pool->block);
	free(pool->free);
	free(pool);
}

int env_pool_get_bulk(struct env_pool *pool, void **objs, unsigned n)
{
	pthread_mutex_lock(&pool->lock);
	if (pool->nfree < n) {
		pthread_mutex_unlock(&pool->lock);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		objs[i] = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void *env_pool_get(struct env_pool *pool)
{
	void *obj;

	return env_pool_get_bulk(pool, &obj, 1) == 0 ? obj : NULL;
}

static void fake_pool_check(struct env_pool *pool, void *obj)
{
	uintptr_t a = (uintptr_t)obj, base = (uintptr_t)pool->block;

	if (a < base || (a - base) % pool->stride != 0 ||
	    (a - base) / pool->stride >= pool->count) {
		log_error("env", "pool %s: put of %p, not an element of this pool", pool->name,
			  obj);
		abort();
	}
	if (pool->nfree == pool->count) {
		log_error("env", "pool %s: put of %p, but every element is already free",
			  pool->name, obj);
		abort();
	}
}

void env_pool_put_bulk(struct env_pool *pool, void *const *objs, unsigned n)
{
	pthread_mutex_lock(&pool->lock);
	for (unsigned i = 0; i < n; i++) {
		fake_pool_check(pool, objs[i]);
		pool->free[pool->nfree++] = objs[i];
	}
	pthread_mutex_unlock(&pool->lock);
}

void env_pool_put(struct env_pool *pool, void *obj)
{
	env_pool_put_bulk(pool, &obj, 1);
}

size_t env_pool_avail(const struct env_pool *pool)
{
	struct env_pool *p = (struct env_pool *)pool;
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->nfree;
	pthread_mutex_unlock(&p->lock);
	return n;
}
