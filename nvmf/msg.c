/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * msg.c - messages between poll groups: a {fn, arg} pair on the target
 * group's multi-producer single-consumer ring. Control path only (Connect,
 * teardown, namespace events); the I/O path never sends messages.
 */
#include <errno.h>
#include <stdlib.h>

#include "env.h"
#include "util.h"
#include "nvmf/nvmf_internal.h"

struct nvmf_msg {
	nvmf_msg_fn fn;
	void *arg;
};

int nvmf_msg_send(struct nvmf_poll_group *pg, nvmf_msg_fn fn, void *arg)
{
	struct nvmf_msg *m = malloc(sizeof(*m));

	if (m == NULL) {
		log_error("nvmf", "poll group %u: out of memory for a message", pg->idx);
		return -ENOMEM;
	}
	m->fn = fn;
	m->arg = arg;
	if (env_ring_enqueue(pg->ring, m) != 0) {
		log_error("nvmf", "poll group %u: message ring full, message dropped", pg->idx);
		free(m);
		return -ENOBUFS;
	}
	nvmf_pg_wake(pg);
	return 0;
}

unsigned nvmf_msg_poll(struct nvmf_poll_group *pg, unsigned budget)
{
	void *msgs[32];
	unsigned n, done = 0;

	while (done < budget) {
		unsigned want = budget - done < ARRAY_SIZE(msgs) ? budget - done : ARRAY_SIZE(msgs);
		n = env_ring_dequeue_burst(pg->ring, msgs, want);
		if (n == 0)
			break;
		for (unsigned i = 0; i < n; i++) {
			struct nvmf_msg *m = msgs[i];
			m->fn(m->arg);
			free(m);
		}
		done += n;
	}
	return done;
}
