/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - what the poll groups count and how it reaches the main thread.
 *
 * Counting: each group keeps its counters in plain memory on its own
 * thread (struct nvmf_pg_stats), and per namespace it did I/O on one
 * struct nvmf_ns_pg_stats, found from the I/O path through
 * ns->pg_stats[group index].
 *
 * Collecting (nvmf_tgt_get_stats), three steps:
 *
 *   main thread                       each poll group
 *   keys: (serial, NQN, NSID) of
 *   every namespace now; a slot
 *   per group                ---msg-->  copy its counters into its slot,
 *                                       prune stats of namespaces gone
 *   count the answers        <--msg---
 *   the last one: done(arg, stats), free the collection
 *
 * A namespace's stats stay with its group until a collection shows that
 * the namespace is gone (its serial is below the newest and not among
 * the keys) and no I/O on it is in flight.
 *
 * Listings of controllers and queue pairs read the main thread's registry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "util.h"
#include "util_histogram.h"
#include "nvmf/nvmf_internal.h"

/* One namespace of the collection, named on the main thread at its start. */
struct stats_key {
	uint64_t id;
	uint32_t nsid;
	const char *nqn; /* into collect.nqns */
};

struct collect;

/* What one group answers; written by that group, read by main after its reply. */
struct collect_slot {
	struct collect *c;
	struct nvmf_poll_group *pg;
	struct nvmf_pg_stats_info info;
	struct nvmf_ns_stats_info *ns; /* nkeys entries; info.nns used */
};

struct collect {
	struct nvmf_tgt *tgt;
	nvmf_stats_done_fn done;
	void *arg;
	uint32_t remaining;
	uint64_t newest_id; /* ns_serial at the start */
	uint32_t nkeys;
	struct stats_key *keys;
	char *nqns;
	struct collect_slot slot[NVMF_MAX_GROUPS];
};

struct nvmf_ns_pg_stats *nvmf_ns_pg_stats_get(struct nvmf_poll_group *pg, struct nvmf_ns *ns)
{
	struct nvmf_ns_pg_stats *s = ns->pg_stats[pg->idx];

	if (s != NULL)
		return s;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ns_id = ns->stats_id;
	s->lat = malloc(sizeof(*s->lat));
	if (s->lat != NULL)
		histogram_init(s->lat);
	LIST_INSERT_HEAD(&pg->stats.ns, s, link);
	ns->pg_stats[pg->idx] = s;
	return s;
}

static void io_stats_add(struct nvmf_io_stats *a, bool write, uint64_t len)
{
	if (write) {
		a->write_ops++;
		a->bytes_written += len;
	} else {
		a->read_ops++;
		a->bytes_read += len;
	}
}

void nvmf_ns_pg_stats_count(struct nvmf_poll_group *pg, struct nvmf_ns_pg_stats *s, bool write,
			    uint64_t len, uint64_t ticks)
{
	io_stats_add(&pg->stats.io, write, len);
	if (s == NULL)
		return;
	io_stats_add(&s->io, write, len);
	if (s->lat != NULL)
		histogram_record(s->lat, ticks);
}

void nvmf_pg_stats_attach(struct nvmf_poll_group *pg, bool admin, int tr, int d)
{
	struct nvmf_pg_stats *st = &pg->stats;

	if (admin) {
		st->cur_admin_qpairs += (uint32_t)d;
		st->admin_qpairs += d > 0;
	} else {
		st->cur_io_qpairs += (uint32_t)d;
		st->io_qpairs += d > 0;
	}
	if (tr >= 0 && tr < NVMF_MAX_TRANSPORTS)
		st->cur_tr_qpairs[tr] += (uint32_t)d;
}

static void ns_pg_stats_free(struct nvmf_ns_pg_stats *s)
{
	LIST_REMOVE(s, link);
	free(s->lat);
	free(s);
}

void nvmf_pg_stats_fini(struct nvmf_poll_group *pg)
{
	while (!LIST_EMPTY(&pg->stats.ns))
		ns_pg_stats_free(LIST_FIRST(&pg->stats.ns));
}

/* --------------------------------------------------------- collection */

static const struct stats_key *key_find(const struct collect *c, uint64_t id)
{
	for (uint32_t i = 0; i < c->nkeys; i++) {
		if (c->keys[i].id == id)
			return &c->keys[i];
	}
	return NULL;
}

/* Copy @s (a namespace of the collection) into the next entry of @sl. */
static void slot_add_ns(struct collect_slot *sl, const struct stats_key *k,
			const struct nvmf_ns_pg_stats *s)
{
	struct nvmf_ns_stats_info *e = &sl->ns[sl->info.nns++];
	struct histogram *h = s->lat != NULL ? malloc(sizeof(*h)) : NULL;

	e->nqn = k->nqn;
	e->nsid = k->nsid;
	e->io = s->io;
	if (h != NULL)
		memcpy(h, s->lat, sizeof(*h));
	e->latency = h;
}

static void slot_fill_group(struct collect_slot *sl)
{
	struct nvmf_poll_group *pg = sl->pg;
	struct nvmf_pg_stats *s = &pg->stats;
	struct nvmf_tgt *tgt = pg->tgt;

	sl->info.admin_qpairs = s->admin_qpairs;
	sl->info.io_qpairs = s->io_qpairs;
	sl->info.current_admin_qpairs = s->cur_admin_qpairs;
	sl->info.current_io_qpairs = s->cur_io_qpairs;
	sl->info.completed_io = s->completed_io;
	sl->info.io = s->io;
	sl->info.ntr = tgt->ntr < NVMF_MAX_TRANSPORTS ? tgt->ntr : NVMF_MAX_TRANSPORTS;
	for (uint32_t i = 0; i < sl->info.ntr; i++) {
		sl->info.tr[i].name = nvmf_tr_name(&tgt->tr[i]);
		sl->info.tr[i].current_qpairs = s->cur_tr_qpairs[i];
	}
}

static void collect_reply(void *arg);

/* On the group's thread: answer, and drop the stats of namespaces gone. */
static void collect_on_group(void *arg)
{
	struct collect_slot *sl = arg;
	struct collect *c = sl->c;
	struct nvmf_ns_pg_stats *s, *next;

	slot_fill_group(sl);
	for (s = LIST_FIRST(&sl->pg->stats.ns); s != NULL; s = next) {
		const struct stats_key *k = key_find(c, s->ns_id);

		next = LIST_NEXT(s, link);
		if (k != NULL)
			slot_add_ns(sl, k, s);
		else if (s->ns_id <= c->newest_id && s->inflight == 0)
			ns_pg_stats_free(s);
	}
	if (nvmf_msg_send(nvmf_main_pg(c->tgt), collect_reply, sl) != 0)
		log_error("nvmf", "poll group %u: statistics not sent back", sl->pg->idx);
}

static void collect_free(struct collect *c)
{
	for (uint32_t g = 0; g < NVMF_MAX_GROUPS; g++) {
		for (uint32_t i = 0; c->slot[g].ns != NULL && i < c->slot[g].info.nns; i++)
			free((void *)c->slot[g].ns[i].latency);
		free(c->slot[g].ns);
	}
	free(c->keys);
	free(c->nqns);
	free(c);
}

/* Call done with the answers gathered, then free @c. */
static void collect_finish(struct collect *c, uint32_t ngroups)
{
	struct nvmf_pg_stats_info groups[NVMF_MAX_GROUPS];
	struct nvmf_stats st = {.tick_rate = env_ticks_hz(), .ngroups = ngroups, .groups = groups};

	for (uint32_t g = 0; g < ngroups; g++) {
		groups[g] = c->slot[g].info;
		groups[g].ns = c->slot[g].ns;
	}
	c->done(c->arg, &st);
	collect_free(c);
}

static void collect_reply(void *arg)
{
	struct collect_slot *sl = arg;
	struct collect *c = sl->c;

	if (--c->remaining == 0)
		collect_finish(c, c->tgt->ngroups);
}

/* The keys: every namespace of every NVM subsystem now. @return 0 or -ENOMEM. */
static int collect_keys(struct collect *c, struct nvmf_tgt *tgt)
{
	struct nvmf_subsystem *ss;
	uint32_t n = 0, nss = 0;

	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		n += ss->num_ns;
		nss++;
	}
	c->keys = calloc(n + 1, sizeof(*c->keys));
	c->nqns = calloc(nss + 1, NVMF_NQN_MAX_LEN + 1);
	if (c->keys == NULL || c->nqns == NULL)
		return -ENOMEM;
	nss = 0;
	TAILQ_FOREACH(ss, &tgt->subsystems, link)
	{
		char *nqn = c->nqns + (size_t)nss++ * (NVMF_NQN_MAX_LEN + 1);

		memcpy(nqn, ss->nqn, sizeof(ss->nqn));
		for (uint32_t nsid = 1; nsid <= ss->max_nsid && c->nkeys < n; nsid++) {
			struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

			if (ns != NULL)
				c->keys[c->nkeys++] = (struct stats_key){ns->stats_id, nsid, nqn};
		}
	}
	return 0;
}

/* A collection with a slot per group. @return it, or NULL (out of memory). */
static struct collect *collect_new(struct nvmf_tgt *tgt, nvmf_stats_done_fn done, void *arg)
{
	struct collect *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->tgt = tgt;
	c->done = done;
	c->arg = arg;
	c->newest_id = tgt->ns_serial;
	if (collect_keys(c, tgt) != 0)
		goto err;
	for (uint32_t g = 0; g < tgt->ngroups; g++) {
		c->slot[g].c = c;
		c->slot[g].pg = tgt->groups[g];
		c->slot[g].info.idx = tgt->groups[g]->idx;
		c->slot[g].info.core = tgt->groups[g]->core;
		c->slot[g].ns = calloc(c->nkeys + 1, sizeof(*c->slot[g].ns));
		if (c->slot[g].ns == NULL)
			goto err;
	}
	return c;
err:
	collect_free(c);
	return NULL;
}

int nvmf_tgt_get_stats(struct nvmf_tgt *tgt, nvmf_stats_done_fn done, void *arg)
{
	struct collect *c = collect_new(tgt, done, arg);

	if (c == NULL)
		return -ENOMEM;
	if (tgt->ngroups == 0) {
		collect_finish(c, 0);
		return 0;
	}
	c->remaining = tgt->ngroups;
	for (uint32_t g = 0; g < tgt->ngroups; g++) {
		if (nvmf_msg_send(tgt->groups[g], collect_on_group, &c->slot[g]) != 0)
			collect_reply(&c->slot[g]); /* logged; answers with zeros */
	}
	return 0;
}

/* ------------------------------------------------------------ listings */

void nvmf_ctrlr_sum_stats(struct nvmf_ctrlr *ctrlr, struct nvmf_ctrlr_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < ctrlr->nstats; i++) {
		struct nvmf_ctrlr_stats *s = &ctrlr->stats[i];

		t->bytes_read += atomic_load_explicit(&s->bytes_read, memory_order_relaxed);
		t->bytes_written += atomic_load_explicit(&s->bytes_written, memory_order_relaxed);
		t->read_cmds += atomic_load_explicit(&s->read_cmds, memory_order_relaxed);
		t->write_cmds += atomic_load_explicit(&s->write_cmds, memory_order_relaxed);
	}
}

void nvmf_subsystem_foreach_ctrlr(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_ctrlr_info *c), void *arg)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		struct nvmf_ctrlr_info info = {
		    .cntlid = ctrlr->cntlid,
		    .hostnqn = ctrlr->hostnqn,
		    .live = ctrlr->state == NVMF_CTRLR_LIVE,
		};

		memcpy(info.hostid, ctrlr->hostid, sizeof(info.hostid));
		for (uint32_t qid = 1; qid < ctrlr->max_qpairs; qid++)
			info.num_io_qpairs += ctrlr->conns[qid] != NULL;
		cb(arg, &info);
	}
}

void nvmf_subsystem_foreach_qpair(struct nvmf_subsystem *ss,
				  void (*cb)(void *arg, const struct nvmf_qpair_info *q), void *arg)
{
	struct nvmf_ctrlr *ctrlr;

	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		for (uint32_t qid = 0; qid < ctrlr->max_qpairs; qid++) {
			struct nvmf_conn *c = ctrlr->conns[qid];
			struct nvmf_qpair_info info;

			if (c == NULL)
				continue;
			info.cntlid = ctrlr->cntlid;
			info.qid = (uint16_t)qid;
			info.state = ctrlr->state == NVMF_CTRLR_LIVE ? "active" : "deleting";
			info.peer = &c->qp->peer;
			info.listen = &c->qp->local;
			cb(arg, &info);
		}
	}
}
