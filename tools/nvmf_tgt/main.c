/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_tgt - the NVMe-oF target daemon: reads a conf file (or none: then
 * it starts empty), starts the environment and the target, takes JSON-RPC
 * calls on a Unix socket, reloads the conf file on SIGHUP (reload.c),
 * serves until SIGINT/SIGTERM. With --check it
 * only reads and checks the conf file (check.c) and starts nothing.
 *
 * Exit status: 0 after a clean stop (or a good file with --check), 1 when
 * the environment or the target fails to start, 2 for a bad command line
 * or a bad conf file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "env.h"
#include "nvmf.h"
#include "tools/nvmf_tgt/check.h"
#include "tools/nvmf_tgt/from_nvmetcli.h"
#include "rpc.h"
#include "util.h"
#include "tools/nvmf_tgt/notify.h"
#include "tools/nvmf_tgt/reload.h"

#define EXIT_CONF 2

struct args {
	const char *conf_path;
	const char *rpc_path; /* -r */
	bool rpc_given;
	const char *core_mask; /* -m, NULL when not given */
	bool level_given;      /* -L */
	bool check;            /* --check */
	const char *nvmetcli;  /* --from-nvmetcli FILE */
	enum log_level level;
};

/* The one target of this process, for the signal handler. */
static struct nvmf_tgt *g_tgt;

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-c FILE] [-r SOCK] [-m MASK] [-L LEVEL] [--check]\n"
		"       %s --from-nvmetcli FILE\n"
		"  -c, --conf FILE        conf file to serve (see conf/examples/); without\n"
		"                         it the target starts empty and waits for RPC\n"
		"      --check            check FILE and exit, starting nothing: 0 and\n"
		"                         'FILE: ok' with what it would serve, or 2 and\n"
		"                         each error as FILE:LINE on stderr. It checks\n"
		"                         the syntax, values, required keys, references\n"
		"                         and the [File] paths (stat only); listen\n"
		"                         addresses, RDMA devices, PCI addresses, cores\n"
		"                         and hugepages are left to a real start\n"
		"      --from-nvmetcli F  print the Linux kernel target's nvmetcli JSON F\n"
		"                         (/etc/nvmet/config.json) as a conf file and exit;\n"
		"                         what has no equivalent is named on stderr\n"
		"  -r, --rpc-socket SOCK  JSON-RPC Unix socket (default " RPC_DEFAULT_SOCKET ")\n"
		"  -m, --reactor-mask M   cores to run on, a hex mask (0x3) or a list (0-1);\n"
		"                         overrides ReactorMask / CoreList of [Global]\n"
		"  -L, --log-level LEVEL  error, warn, notice, info or debug;\n"
		"                         overrides LogLevel of [Global]\n"
		"  -h, --help             print this help and exit\n"
		"Stops cleanly on SIGINT or SIGTERM; SIGHUP reloads FILE and applies\n"
		"the difference live (see nvmf_tgt(8)).\n",
		prog, prog);
}

/* @return 0, 1 for --help, or -EINVAL after printing the usage to stderr. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
	    {"conf", required_argument, NULL, 'c'},
	    {"rpc-socket", required_argument, NULL, 'r'},
	    {"reactor-mask", required_argument, NULL, 'm'},
	    {"log-level", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {"check", no_argument, NULL, 'C'},
	    {"from-nvmetcli", required_argument, NULL, 'N'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(a, 0, sizeof(*a));
	a->rpc_path = RPC_DEFAULT_SOCKET;
	while ((opt = getopt_long(argc, argv, "c:r:m:L:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->conf_path = optarg;
			break;
		case 'r':
			a->rpc_path = optarg;
			a->rpc_given = true;
			break;
		case 'm':
			a->core_mask = optarg;
			break;
		case 'L':
			if (log_level_parse(optarg, &a->level) != 0) {
				fprintf(stderr, "%s: bad log level '%s'\n", argv[0], optarg);
				goto bad;
			}
			a->level_given = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 1;
		case 'C':
			a->check = true;
			break;
		case 'N':
			a->nvmetcli = optarg;
			break;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		goto bad;
	}
	if (a->check && a->conf_path == NULL) {
		fprintf(stderr, "%s: --check needs -c FILE\n", argv[0]);
		goto bad;
	}
	return 0;
bad:
	usage(stderr, argv[0]);
	return -EINVAL;
}

static struct conf *load_conf(const struct args *a)
{
	struct conf *c = tgt_conf_load(a->conf_path, "not starting");
	enum log_level level;

	if (c && !a->level_given && conf_log_level(c, &level) == 0)
		log_set_level(level);
	return c;
}

static int apply_conf(const struct conf *c, struct nvmf_tgt *tgt, const char *path)
{
	struct conf_errors *errs = malloc(sizeof(*errs));
	int rc;

	if (!errs)
		return -ENOMEM;
	conf_errors_init(errs);
	rc = conf_apply(c, tgt, errs);
	if (rc) {
		conf_errors_print(errs, stderr);
		fprintf(stderr, "nvmf_tgt: the target refused %s; not starting\n", path);
	}
	free(errs);
	return rc;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	if (g_tgt)
		nvmf_tgt_stop_async(g_tgt);
}

static int start_env(const struct args *a, const struct conf *c)
{
	struct env_opts opts;
	const char *pci[64];
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "nvmf_tgt_%d", (int)getpid());
	env_opts_init(&opts);
	opts.name = name;
	/* Local NVMe controllers ([Nvme] sections) need the PCI bus. */
	opts.num_pci_allow = conf_pci_allow(c, pci, 64);
	opts.pci_allow = opts.num_pci_allow ? pci : NULL;
	opts.no_pci = opts.num_pci_allow == 0;
	if (a->core_mask)
		opts.core_mask = a->core_mask;
	else if (conf_core_mask(c))
		opts.core_mask = conf_core_mask(c);
	rc = env_init(&opts);
	if (rc)
		log_error("nvmf_tgt", "cannot start the environment (cores %s): %s",
			  opts.core_mask ? opts.core_mask : "0x1", strerror(-rc));
	return rc;
}

static const char *start_hint(int rc)
{
	switch (rc) {
	case -EADDRINUSE:
		return " (another target or program already listens there; change Listen)";
	case -EADDRNOTAVAIL:
		return " (no local interface has that address; check Listen)";
	case -EACCES:
		return " (ports below 1024 need root)";
	default:
		return "";
	}
}

/*
 * The RPC server. Another target on the default socket only costs this one
 * its RPC (a conf-driven target does not need it); on a socket named with
 * -r it is an error. @return 0 or a negative errno.
 */
static int start_rpc(const struct args *a, struct rpc_server **srv)
{
	int rc = rpc_server_create(g_tgt, a->rpc_path, srv);

	if (rc == -EADDRINUSE && !a->rpc_given && a->conf_path != NULL) {
		log_warn("nvmf_tgt", "RPC off: another target answers on %s (use -r PATH)",
			 a->rpc_path);
		*srv = NULL;
		return 0;
	}
	if (rc) {
		log_error("nvmf_tgt", "cannot serve RPC on %s: %s%s", a->rpc_path, strerror(-rc),
			  rc == -EADDRINUSE ? " (another target answers there; use -r PATH)" : "");
		return rc;
	}
	nvmf_tgt_set_main_poller(g_tgt, rpc_server_main_poll, *srv);
	return nvmf_tgt_set_main_wait_fd(g_tgt, rpc_server_wait_fd(*srv));
}

/* SIGHUP reloads the conf file, from the main-loop poller that serves RPC. */
static int start_reload(const struct args *a, const struct conf *c, struct rpc_server *srv)
{
	struct conf_reload_opts ro = {
	    .core_mask = a->core_mask ? a->core_mask : conf_core_mask(c),
	    .core_mask_fixed = a->core_mask != NULL,
	    .log_level_fixed = a->level_given,
	};
	int rc = tgt_reload_install(g_tgt, a->conf_path, &ro, srv);

	if (rc)
		log_error("nvmf_tgt", "cannot catch SIGHUP for reloads: %s", strerror(-rc));
	return rc;
}

/* Create, configure, start and run the target. @return the exit status. */
static int serve(const struct args *a, const struct conf *c)
{
	struct nvmf_tgt_opts opts;
	struct rpc_server *srv = NULL;
	int status = 0, rc;

	conf_tgt_opts(c, &opts);
	rc = nvmf_tgt_create(&opts, &g_tgt);
	if (rc) {
		log_error("nvmf_tgt", "cannot create the target: %s", strerror(-rc));
		return 1;
	}
	if (apply_conf(c, g_tgt, a->conf_path ? a->conf_path : "(no conf file)") != 0) {
		status = EXIT_CONF;
		goto out_destroy;
	}
	rc = nvmf_tgt_start(g_tgt);
	if (rc) {
		log_error("nvmf_tgt", "cannot start the target: %s%s", strerror(-rc),
			  start_hint(rc));
		status = 1;
		goto out_destroy;
	}
	rc = util_signals_install(on_stop_signal, true);
	if (rc) {
		log_error("nvmf_tgt", "cannot install signal handlers: %s", strerror(-rc));
		status = 1;
		goto out_destroy;
	}
	rc = start_rpc(a, &srv);
	if (rc == 0)
		rc = start_reload(a, c, srv);
	if (rc) {
		rpc_server_destroy(srv);
		status = 1;
		goto out_destroy;
	}
	log_notice(
	    "nvmf_tgt",
	    "ready: serving %s on %u core%s (memory: %s), RPC on %s; SIGINT or SIGTERM stops",
	    a->conf_path ? a->conf_path : "nothing yet", env_core_count(),
	    env_core_count() == 1 ? "" : "s", env_hugepages() ? "hugepages" : "no hugepages",
	    srv ? a->rpc_path : "(off)");
	tgt_notify("READY=1");
	nvmf_tgt_run(g_tgt);
	tgt_notify("STOPPING=1");
	tgt_reload_uninstall(g_tgt);
	rpc_server_destroy(srv);
	log_notice("nvmf_tgt", "stopped");
out_destroy:
	nvmf_tgt_destroy(g_tgt);
	g_tgt = NULL;
	return status;
}

int main(int argc, char **argv)
{
	struct conf *c;
	struct args a;
	int status;

	status = parse_args(argc, argv, &a);
	if (status != 0)
		return status > 0 ? 0 : EXIT_CONF;
	if (a.level_given)
		log_set_level(a.level);
	if (a.check)
		return tgt_check(a.conf_path, a.core_mask);
	if (a.nvmetcli)
		return tgt_from_nvmetcli(a.nvmetcli);
	c = load_conf(&a);
	if (!c)
		return EXIT_CONF;
	status = start_env(&a, c);
	if (status != 0) {
		conf_free(c);
		return status == -EINVAL ? EXIT_CONF : 1; /* -EINVAL: a bad core mask */
	}
	status = serve(&a, c);
	env_fini();
	conf_free(c);
	return status;
}
