/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * idle.c - a poll group that found no work for IdleSleepUs sleeps on events.
 *
 * Each group has one epoll fd holding its transport groups' wait fds (their
 * connections' sockets, completion channels), on the main group also the
 * transports' listener fds and the main poller's fd, and an eventfd that a
 * message sender writes only when the group sleeps. The wait's timeout is
 * the group's next timer (keep-alive, AER, handshake and auth timeouts).
 *
 * Sleep/wake protocol, with no lost wake-up:
 *   sleeper: ask each transport group to arm (group_sleep); set sleeping;
 *            full fence; poll once more (messages, completions that came
 *            before arming); nothing found: epoll_wait; clear sleeping.
 *   sender:  enqueue the message; full fence; read sleeping: set, write
 *            the eventfd.
 * Either the sender sees the flag, or the sleeper's second poll sees the
 * message. A busy group never sets the flag, so a sender pays a fence and a
 * load, never a system call.
 *
 * Polled work that no fd announces keeps the group awake: I/O in flight
 * (a local NVMe SSD or a File namespace completes only when polled), and
 * whatever a transport's group_sleep reports.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "util.h"
#include "nvmf/nvmf_internal.h"

/* Without wait fds (a transport that has none): the old short nap. */
#define IDLE_NAP_US 200u

int nvmf_pg_idle_add_fd(struct nvmf_poll_group *pg, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	if (pg->wait_epfd < 0)
		return -EBADF;
	return epoll_ctl(pg->wait_epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

/* The listener fd of transport @tr, on the main group. */
static void idle_add_tr_fd(struct nvmf_poll_group *pg, struct nvmf_tr *tr)
{
	int fd = nvmf_tr_wait_fd(tr);

	if (fd != -ENOENT && (fd < 0 || nvmf_pg_idle_add_fd(pg, fd) != 0))
		pg->nap_only = true;
}

/* The wait fd of transport group @i of @pg. */
static void idle_add_group_fd(struct nvmf_poll_group *pg, uint32_t i)
{
	int fd = nvmf_tr_group_wait_fd(&pg->tgt->tr[i], pg->tgroups[i]);

	if (fd < 0 || nvmf_pg_idle_add_fd(pg, fd) != 0)
		pg->nap_only = true;
}

void nvmf_pg_idle_tr_added(struct nvmf_poll_group *pg, uint32_t idx)
{
	if (pg->nap_only || pg->tgroups[idx] == NULL)
		return;
	idle_add_group_fd(pg, idx);
	if (!pg->nap_only && pg == nvmf_main_pg(pg->tgt))
		idle_add_tr_fd(pg, &pg->tgt->tr[idx]);
}

/* The fds of the main group's transports (listeners) and main poller. */
static void idle_add_main_fds(struct nvmf_poll_group *pg)
{
	struct nvmf_tgt *tgt = pg->tgt;

	for (uint32_t i = 0; i < tgt->ntr; i++)
		idle_add_tr_fd(pg, &tgt->tr[i]);
	if (tgt->main_wait_fd > 0 && nvmf_pg_idle_add_fd(pg, tgt->main_wait_fd - 1) != 0)
		pg->nap_only = true;
}

void nvmf_pg_idle_init(struct nvmf_poll_group *pg)
{
	pg->wait_epfd = epoll_create1(EPOLL_CLOEXEC);
	pg->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pg->nap_only =
	    pg->wait_epfd < 0 || pg->wake_fd < 0 || nvmf_pg_idle_add_fd(pg, pg->wake_fd) != 0;
	for (uint32_t i = 0; i < NVMF_MAX_TRANSPORTS && !pg->nap_only; i++) {
		if (pg->tgroups[i] != NULL)
			idle_add_group_fd(pg, i);
	}
	if (!pg->nap_only && pg == nvmf_main_pg(pg->tgt))
		idle_add_main_fds(pg);
	if (pg->nap_only && pg->tgt->opts.idle_sleep)
		log_info("nvmf", "poll group %u: idle naps of %u us (no event to wait on)", pg->idx,
			 IDLE_NAP_US);
}

void nvmf_pg_idle_fini(struct nvmf_poll_group *pg)
{
	if (pg->wait_epfd >= 0)
		close(pg->wait_epfd);
	if (pg->wake_fd >= 0)
		close(pg->wake_fd);
	pg->wait_epfd = -1;
	pg->wake_fd = -1;
	pg->nap_only = true;
}

void nvmf_pg_wake(struct nvmf_poll_group *pg)
{
	uint64_t one = 1;

	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&pg->sleeping, memory_order_relaxed))
		return;
	/* EAGAIN: the counter is full, the group wakes anyway. */
	if (write(pg->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("nvmf", "poll group %u: wake-up write failed", pg->idx);
}

/* Arm the transport groups. @return the longest sleep in us (0: none). */
static uint32_t idle_arm(struct nvmf_poll_group *pg)
{
	uint32_t max_us = NVMF_SLEEP_FOREVER;

	if (pg->io_inflight != 0)
		return 0;
	if (pg->nap_only)
		return IDLE_NAP_US; /* nothing armed: no event would be read */
	for (uint32_t i = 0; i < NVMF_MAX_TRANSPORTS && max_us != 0; i++) {
		uint32_t us;

		if (pg->tgroups[i] == NULL)
			continue;
		us = nvmf_tr_group_sleep(&pg->tgt->tr[i], pg->tgroups[i]);
		max_us = us < max_us ? us : max_us;
	}
	return max_us;
}

/* Milliseconds to wait: until the next timer, within @max_us (rounded up). */
static int idle_timeout_ms(struct nvmf_poll_group *pg, uint32_t max_us)
{
	uint64_t now = env_ticks(), hz = env_ticks_hz();
	uint64_t ms = pg->next_timer > now ? ((pg->next_timer - now) * 1000 + hz - 1) / hz : 0;

	if (max_us != NVMF_SLEEP_FOREVER && ms > (max_us + 999u) / 1000u)
		ms = (max_us + 999u) / 1000u;
	return ms > NVMF_TIMER_PERIOD_MS ? NVMF_TIMER_PERIOD_MS : (int)ms;
}

static void idle_woken(struct nvmf_poll_group *pg, const struct epoll_event *ev, int n)
{
	uint64_t v;

	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == pg->wake_fd && read(pg->wake_fd, &v, sizeof(v)) < 0)
			log_debug("nvmf", "poll group %u: wake-up read failed", pg->idx);
	}
	for (uint32_t i = 0; i < NVMF_MAX_TRANSPORTS; i++) {
		if (pg->tgroups[i] != NULL)
			nvmf_tr_group_woken(&pg->tgt->tr[i], pg->tgroups[i]);
	}
}

/* A short nap where no event can wake the group. */
static void idle_nap(uint32_t us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};

	nanosleep(&ts, NULL);
}

int nvmf_pg_idle_sleep(struct nvmf_poll_group *pg, int (*poll)(void *arg), void *arg)
{
	struct epoll_event ev[8];
	uint32_t max_us = idle_arm(pg);
	int n;

	if (max_us == 0)
		return NVMF_POLL_IDLE;
	if (pg->nap_only) {
		idle_nap(max_us);
		return NVMF_POLL_IDLE;
	}
	atomic_store_explicit(&pg->sleeping, true, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	if (poll(arg) == NVMF_POLL_BUSY) {
		atomic_store_explicit(&pg->sleeping, false, memory_order_relaxed);
		return NVMF_POLL_BUSY;
	}
	pg->sleeps++;
	n = epoll_wait(pg->wait_epfd, ev, (int)ARRAY_SIZE(ev), idle_timeout_ms(pg, max_us));
	atomic_store_explicit(&pg->sleeping, false, memory_order_relaxed);
	idle_woken(pg, ev, n);
	/* Woken by an event: stay awake a while, its poller may look only now and then. */
	return n > 0 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}

void nvmf_pg_loop_once(struct nvmf_poll_group *pg, int (*poll)(void *arg), void *arg,
		       uint64_t *idle_since)
{
	uint64_t now;

	if (poll(arg) == NVMF_POLL_BUSY) {
		*idle_since = env_ticks();
		return;
	}
	if (!pg->tgt->opts.idle_sleep)
		return;
	now = env_ticks();
	if (now - *idle_since <= pg->tgt->opts.idle_us * env_ticks_hz() / 1000000)
		return;
	if (nvmf_pg_idle_sleep(pg, poll, arg) == NVMF_POLL_BUSY)
		*idle_since = env_ticks();
}
