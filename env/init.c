/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK env start-up: turn struct env_opts into EAL arguments, choose
 * hugepage or no-hugepage memory, start the EAL quietly, and say in one log
 * line which memory mode was chosen and why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "env/env_cores.h"
#include "env/env_internal.h"
#include "env/env_pci_addr.h"
#include "include/env.h"
#include "include/util.h"

#define ENV_NOHUGE_DEFAULT_MB 256
#define ENV_MAX_ARGS 64

bool g_env_started;
bool g_env_hugepages;

/*
 * EAL arguments. The EAL may keep pointers into argv, so the strings live
 * for the life of the process.
 */
struct env_args {
	int argc;
	char *argv[ENV_MAX_ARGS + 1];
	char store[8192];
	size_t used;
};

static struct env_args g_args;

__attribute__((format(printf, 2, 3))) static int env_arg(struct env_args *a, const char *fmt, ...)
{
	size_t room = sizeof(a->store) - a->used;
	va_list ap;
	int n;

	if (a->argc == ENV_MAX_ARGS)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(a->store + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	a->argv[a->argc++] = a->store + a->used;
	a->used += (size_t)n + 1;
	return 0;
}

void env_opts_init(struct env_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->name = "nvmf";
	opts->core_mask = "0x1";
	opts->no_pci = true;
}

static int env_check_opts(const struct env_opts *opts, char *cores, size_t len)
{
	struct env_coreset set;
	struct env_pci_addr addr;

	if (opts->name == NULL || opts->name[0] == '\0' || strchr(opts->name, '/') != NULL ||
	    opts->eal_log_level < 0)
		return -EINVAL;
	if (opts->num_pci_allow > 0 && opts->pci_allow == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < opts->num_pci_allow; i++) {
		if (env_pci_addr_do_parse(opts->pci_allow[i], &addr) != 0) {
			log_error("env", "PCI address '%s' in the allow list is not DDDD:BB:DD.F",
				  opts->pci_allow[i]);
			return -EINVAL;
		}
	}
	if (env_coreset_parse(opts->core_mask ? opts->core_mask : "0x1", &set) != 0) {
		log_error("env", "core mask '%s' is neither a hex mask (0x3) nor a list (0-1,3)",
			  opts->core_mask);
		return -EINVAL;
	}
	return env_coreset_fmt(&set, cores, len) == 0 ? 0 : -EINVAL;
}

static int env_build_args(struct env_args *a, const struct env_opts *opts, const char *cores,
			  bool huge, size_t mem_mb)
{
	int level = opts->eal_log_level + (int)RTE_LOG_ERR;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	rc |= env_arg(a, "%s", opts->name);
	rc |= env_arg(a, "-l");
	rc |= env_arg(a, "%s", cores);
	rc |= env_arg(a, "--file-prefix=%s", opts->name);
	/* No files left behind: --in-memory with hugepages, --no-shconf always
	 * (no-hugepage mode uses anonymous memory and rejects --in-memory). */
	if (huge)
		rc |= env_arg(a, "--in-memory");
	rc |= env_arg(a, "--no-shconf");
	rc |= env_arg(a, "--no-telemetry");
	rc |= env_arg(a, "--log-level=%d", level > (int)RTE_LOG_DEBUG ? (int)RTE_LOG_DEBUG : level);
	if (!huge) {
		rc |= env_arg(a, "--no-huge");
		rc |= env_arg(a, "--iova-mode=va");
	}
	if (mem_mb > 0) {
		rc |= env_arg(a, "-m");
		rc |= env_arg(a, "%zu", mem_mb);
	}
	if (opts->no_pci)
		rc |= env_arg(a, "--no-pci");
	for (unsigned i = 0; !opts->no_pci && i < opts->num_pci_allow; i++) {
		rc |= env_arg(a, "-a");
		rc |= env_arg(a, "%s", opts->pci_allow[i]);
	}
	return rc ? -E2BIG : 0;
}

static void env_log_memory(const struct env_huge_probe *hp, bool huge, size_t mem_mb)
{
	const char *iova = rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA";
	char sz[32];

	if (huge) {
		env_huge_size_str(hp->page_kb, sz, sizeof(sz));
		log_notice("env",
			   "memory: hugepages (%" PRIu64 " x %s free, hugetlbfs at %s), IOVA as %s",
			   hp->free_pages, sz, hp->mount, iova);
	} else {
		log_notice("env", "memory: no hugepages (%s), IOVA as %s, %zu MiB heap", hp->reason,
			   iova, mem_mb);
	}
}

static int env_errno_from_eal(int err)
{
	switch (err) {
	case ENOMEM:
		return -ENOMEM;
	case EALREADY:
		return -EALREADY;
	default:
		return -EIO;
	}
}

int env_init(const struct env_opts *opts)
{
	struct env_huge_probe hp;
	char cores[512];
	size_t mem_mb;
	bool huge;
	int rc;

	if (opts == NULL)
		return -EINVAL;
	rc = env_check_opts(opts, cores, sizeof(cores));
	if (rc != 0)
		return rc;
	if (g_env_started)
		return -EALREADY;
	env_huge_probe(&hp, opts->mem_mb);
	if (opts->no_huge) {
		hp.usable = false;
		snprintf(hp.reason, sizeof(hp.reason), "disabled by option");
	}
	huge = hp.usable;
	mem_mb = huge || opts->mem_mb ? opts->mem_mb : ENV_NOHUGE_DEFAULT_MB;
	rc = env_build_args(&g_args, opts, cores, huge, mem_mb);
	if (rc != 0)
		return -EINVAL;
	/* EAL logs to stderr, errors only unless asked, from its first line on. */
	rte_openlog_stream(stderr);
	rte_log_set_global_level((uint32_t)(RTE_LOG_ERR + opts->eal_log_level));
	if (rte_eal_init(g_args.argc, g_args.argv) < 0) {
		rc = env_errno_from_eal(rte_errno);
		log_error("env", "DPDK EAL failed to start (%s, memory: %s): %s",
			  huge ? "hugepages" : "no hugepages", huge ? hp.mount : hp.reason,
			  rte_strerror(rte_errno));
		return rc;
	}
	g_env_started = true;
	g_env_hugepages = huge;
	env_log_memory(&hp, huge, mem_mb);
	return 0;
}

void env_fini(void)
{
	char rundir[256];

	if (!g_env_started)
		return;
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* The EAL leaves its (empty, with --no-shconf) runtime directory. */
	if (rundir[0] != '\0')
		(void)rmdir(rundir);
	g_env_started = false;
	g_env_hugepages = false;
}

bool env_hugepages(void)
{
	return g_env_hugepages;
}

bool env_iova_physical(void)
{
	return g_env_started && rte_eal_iova_mode() == RTE_IOVA_PA;
}
