/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fake env start-up, cores, threads and clock: no EAL. env_init() records
 * the options; threads are pthreads pinned to their core when the machine
 * has it; the clock is CLOCK_MONOTONIC in nanoseconds, plus what a test
 * added with env_fake_clock_advance().
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "env/env_cores.h"
#include "env/fake/env_fake.h"
#include "include/env.h"

static _Atomic uint64_t g_clock_offset_ns;

struct fake_worker {
	pthread_t tid;
	bool launched;
	uint32_t core;
	int (*fn)(void *);
	void *arg;
	int rc;
};

static pthread_mutex_t g_init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_started;
static struct env_coreset g_cores = {.bits = {1}};
static uint32_t g_main_core;
static struct fake_worker g_workers[ENV_MAX_CORES];
static __thread uint32_t t_core = ENV_CORE_ANY;

void env_opts_init(struct env_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->name = "nvmf";
	opts->core_mask = "0x1";
	opts->no_pci = true;
}

int env_init(const struct env_opts *opts)
{
	struct env_coreset set;

	if (opts == NULL || opts->name == NULL || opts->name[0] == '\0' ||
	    (opts->num_pci_allow > 0 && opts->pci_allow == NULL))
		return -EINVAL;
	if (env_coreset_parse(opts->core_mask ? opts->core_mask : "0x1", &set) != 0)
		return -EINVAL;
	pthread_mutex_lock(&g_init_lock);
	if (g_started) {
		pthread_mutex_unlock(&g_init_lock);
		return -EALREADY;
	}
	g_cores = set;
	g_main_core = env_coreset_next(&set, ENV_CORE_ANY);
	g_started = true;
	pthread_mutex_unlock(&g_init_lock);
	t_core = g_main_core;
	return 0;
}

void env_fini(void)
{
	pthread_mutex_lock(&g_init_lock);
	g_started = false;
	memset(&g_cores, 0, sizeof(g_cores));
	env_coreset_add(&g_cores, 0);
	g_main_core = 0;
	pthread_mutex_unlock(&g_init_lock);
	t_core = ENV_CORE_ANY;
}

bool env_hugepages(void)
{
	return false;
}

bool env_iova_physical(void)
{
	return false;
}

uint32_t env_main_core(void)
{
	return g_main_core;
}

uint32_t env_core_count(void)
{
	return env_coreset_count(&g_cores);
}

uint32_t env_core_next(uint32_t prev)
{
	return env_coreset_next(&g_cores, prev);
}

uint32_t env_core_id(void)
{
	return t_core;
}

static void *fake_worker_main(void *p)
{
	struct fake_worker *w = p;
	cpu_set_t cpus;

	t_core = w->core;
	CPU_ZERO(&cpus);
	CPU_SET(w->core, &cpus);
	/* Best effort: the mask may name cores this machine does not have. */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	w->rc = w->fn(w->arg);
	return NULL;
}

int env_thread_launch(uint32_t core, int (*fn)(void *), void *arg)
{
	struct fake_worker *w;

	if (fn == NULL || !env_coreset_has(&g_cores, core) || core == g_main_core)
		return -EINVAL;
	w = &g_workers[core];
	if (w->launched)
		return -EBUSY;
	w->core = core;
	w->fn = fn;
	w->arg = arg;
	w->rc = 0;
	if (pthread_create(&w->tid, NULL, fake_worker_main, w) != 0)
		return -EBUSY;
	w->launched = true;
	return 0;
}

int env_thread_join(uint32_t core)
{
	struct fake_worker *w;

	if (!env_coreset_has(&g_cores, core) || core == g_main_core)
		return -EINVAL;
	w = &g_workers[core];
	if (!w->launched)
		return 0;
	pthread_join(w->tid, NULL);
	w->launched = false;
	return w->rc;
}

uint64_t env_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
	       atomic_load_explicit(&g_clock_offset_ns, memory_order_relaxed);
}

void env_fake_clock_advance(uint64_t ns)
{
	atomic_fetch_add_explicit(&g_clock_offset_ns, ns, memory_order_relaxed);
}

uint64_t env_ticks_hz(void)
{
	return 1000000000ull;
}

void env_delay_us(unsigned us)
{
	uint64_t end = env_ticks() + (uint64_t)us * 1000;

	while (env_ticks() < end)
		sched_yield();
}
