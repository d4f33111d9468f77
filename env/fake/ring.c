/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env rings: a mutex-protected circular array holding exactly the
 * requested number of entries. The SP/SC flags are accepted and ignored
 * (the lock makes every ring multi-producer, multi-consumer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "include/env.h"

struct env_ring {
	pthread_mutex_t lock;
	size_t cap;
	size_t head; /* next slot to dequeue */
	size_t count;
	void *slots[];
};

struct env_ring *env_ring_create(const char *name, size_t count, unsigned flags)
{
	struct env_ring *ring;

	if (name == NULL || count == 0 || (flags & ~(ENV_RING_SP | ENV_RING_SC)) != 0 ||
	    count > (SIZE_MAX - sizeof(*ring)) / sizeof(void *))
		return NULL;
	ring = calloc(1, sizeof(*ring) + count * sizeof(void *));
	if (ring == NULL)
		return NULL;
	pthread_mutex_init(&ring->lock, NULL);
	ring->cap = count;
	return ring;
}

void env_ring_free(struct env_ring *ring)
{
	if (ring == NULL)
		return;
	pthread_mutex_destroy(&ring->lock);
	free(ring);
}

unsigned env_ring_enqueue_burst(struct env_ring *ring, void *const *objs, unsigned n)
{
	unsigned done = 0;

	pthread_mutex_lock(&ring->lock);
	while (done < n && ring->count < ring->cap) {
		ring->slots[(ring->head + ring->count) % ring->cap] = objs[done++];
		ring->count++;
	}
	pthread_mutex_unlock(&ring->lock);
	return done;
}

int env_ring_enqueue(struct env_ring *ring, void *obj)
{
	return env_ring_enqueue_burst(ring, &obj, 1) == 1 ? 0 : -ENOBUFS;
}

unsigned env_ring_dequeue_burst(struct env_ring *ring, void **objs, unsigned n)
{
	unsigned done = 0;

	pthread_mutex_lock(&ring->lock);
	while (done < n && ring->count > 0) {
		objs[done++] = ring->slots[ring->head];
		ring->head = (ring->head + 1) % ring->cap;
		ring->count--;
	}
	pthread_mutex_unlock(&ring->lock);
	return done;
}

size_t env_ring_count(const struct env_ring *ring)
{
	struct env_ring *r = (struct env_ring *)ring;
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}
