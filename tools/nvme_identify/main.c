/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_identify - connect to one controller and print its Identify data and
 * that of each active namespace (with the namespace identification
 * descriptors), or, for a discovery controller (the discovery NQN or no
 * subnqn), the discovery log page. --json prints one JSON object instead.
 *
 * Exit status: 0 ok, 1 connection or command failure, 2 bad options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "nvmf.h"
#include "tools/nvme_identify/identify.h"
#include "util.h"

struct args {
	struct nvme_trid trid;
	bool have_trid;
	bool json;
	bool hdgst, ddgst;
	const char *dhchap_secret, *dhchap_ctrl_secret; /* or NULL */
	const char *tls_key;                            /* --tls-key, NULL: plain */
	int tls_identity;
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s -r TRID [--json]\n"
		"  -r, --transport TRID  e.g. 'trtype:TCP adrfam:IPv4 traddr:127.0.0.1\n"
		"                        trsvcid:4420 subnqn:nqn.2016-06.io.nvmf-tgt:ram0';\n"
		"                        without subnqn (or with the discovery NQN) the\n"
		"                        discovery log is printed\n"
		"      --hdgst, --ddgst  ask for NVMe/TCP header / data digests\n"
		"      --dhchap-secret S       DH-HMAC-CHAP host secret (DHHC-1:...)\n"
		"      --dhchap-ctrl-secret S  the controller's secret (bidirectional)\n"
		"      --tls-key KEY     NVMe/TCP over TLS 1.3 with this PSK: an interchange\n"
		"                        string (NVMeTLSkey-1:...) or a file holding one\n"
		"      --tls-identity V  PSK identity version sent: 0 (default) or 1\n"
		"      --json            print one JSON object\n"
		"  -h, --help            print this help and exit\n"
		"Exit: 0 ok, 1 connection or command failure, 2 bad options.\n",
		prog);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
	    {"transport", required_argument, NULL, 'r'},
	    {"json", no_argument, NULL, 'j'},
	    {"hdgst", no_argument, NULL, 'H'},
	    {"ddgst", no_argument, NULL, 'D'},
	    {"dhchap-secret", required_argument, NULL, 'S'},
	    {"dhchap-ctrl-secret", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'K'},
	    {"tls-identity", required_argument, NULL, 'I'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	memset(a, 0, sizeof(*a));
	while ((opt = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		if (opt == 'r') {
			if (nvme_trid_parse(optarg, &a->trid) != 0) {
				fprintf(stderr, "%s: bad transport ID '%s'\n", argv[0], optarg);
				goto bad;
			}
			a->have_trid = true;
		} else if (opt == 'j' || opt == 'H' || opt == 'D') {
			*(opt == 'j' ? &a->json : opt == 'H' ? &a->hdgst : &a->ddgst) = true;
		} else if (opt == 'S' || opt == 'C') {
			*(opt == 'S' ? &a->dhchap_secret : &a->dhchap_ctrl_secret) = optarg;
		} else if (opt == 'K') {
			a->tls_key = optarg;
		} else if (opt == 'I' && (strcmp(optarg, "0") == 0 || strcmp(optarg, "1") == 0)) {
			a->tls_identity = optarg[0] - '0';
		} else if (opt == 'h') {
			usage(stdout, argv[0]);
			return 1;
		} else {
			goto bad;
		}
	}
	if (optind < argc || !a->have_trid) {
		fprintf(stderr, "%s: %s\n", argv[0],
			optind < argc ? "unexpected argument" : "-r TRID is required");
		goto bad;
	}
	return 0;
bad:
	usage(stderr, argv[0]);
	return -EINVAL;
}

static int start_env(const struct args *a)
{
	const char *pci[1] = {a->trid.traddr};
	struct env_opts opts;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "nvme_identify_%d", (int)getpid());
	env_opts_init(&opts);
	opts.name = name;
	if (a->trid.trtype == NVME_TRTYPE_PCIE) {
		opts.pci_allow = pci;
		opts.num_pci_allow = 1;
	} else {
		opts.no_pci = true;
	}
	rc = env_init(&opts);
	if (rc)
		fprintf(stderr, "nvme_identify: cannot start the environment: %s\n", strerror(-rc));
	return rc;
}

static bool is_discovery(const struct nvme_trid *trid)
{
	return trid->trtype != NVME_TRTYPE_PCIE &&
	       (trid->subnqn[0] == '\0' || strcmp(trid->subnqn, NVMF_DISCOVERY_NQN) == 0);
}

static int identify(const struct args *a, struct emit *e)
{
	struct nvme_ctrlr_opts opts;
	struct nvme_ctrlr *ctrlr;
	char str[600];
	int rc;

	nvme_ctrlr_opts_init(&opts);
	opts.hdgst = a->hdgst;
	opts.ddgst = a->ddgst;
	opts.dhchap_secret = a->dhchap_secret;
	opts.dhchap_ctrl_secret = a->dhchap_ctrl_secret;
	opts.num_io_queues = 1;
	if (a->tls_key != NULL &&
	    (rc = nvme_ctrlr_opts_set_tls(&opts, a->tls_key, a->tls_identity)))
		return rc;
	rc = nvme_ctrlr_connect(&a->trid, &opts, &ctrlr);
	if (rc) {
		nvme_trid_fmt(&a->trid, str, sizeof(str));
		fprintf(stderr, "nvme_identify: cannot connect to '%s': %s\n", str, strerror(-rc));
		return rc;
	}
	if (e->json)
		json_obj_begin(&e->w);
	print_ctrlr(e, ctrlr);
	if (is_discovery(&a->trid))
		rc = print_discovery(e, ctrlr);
	else
		rc = print_namespaces(e, ctrlr);
	if (rc)
		fprintf(stderr, "nvme_identify: an admin command failed: %s\n", strerror(-rc));
	if (e->json)
		json_obj_end(&e->w);
	nvme_ctrlr_disconnect(ctrlr);
	return rc;
}

int main(int argc, char **argv)
{
	static struct emit e;
	struct args a;
	const char *out;
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc > 0 ? 0 : 2;
	log_set_level(LOG_LEVEL_WARN);
	if (start_env(&a) != 0)
		return 1;
	e.json = a.json;
	if (e.json)
		json_writer_init(&e.w, JSON_WRITE_PRETTY);
	rc = identify(&a, &e);
	if (e.json && rc == 0) {
		out = json_writer_finish(&e.w, NULL);
		if (out)
			printf("%s\n", out);
		else
			rc = -EINVAL;
	}
	if (e.json)
		json_writer_fini(&e.w);
	env_fini();
	return rc ? 1 : 0;
}
