/* SPDX-License-Identifier: BSD-3-Clause */
/* nvmf_perf command line. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/nvmf_perf/perf.h"

enum {
	OPT_HDGST = 256,
	OPT_DDGST,
	OPT_VERIFY,
	OPT_SQ_FLOW_CONTROL,
	OPT_JSON,
	OPT_RESET_AT,
	OPT_DHCHAP_SECRET,
	OPT_DHCHAP_CTRL_SECRET,
	OPT_TLS_KEY,
	OPT_TLS_IDENTITY,
	OPT_TLS_KDF,
	OPT_PAUSE_MS,
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s -r TRID [-r TRID ...] -q QD -o SIZE -w WORKLOAD -t SEC [options]\n"
		"  -r, --transport TRID   controller to drive (repeatable), e.g.\n"
		"                         'trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420\n"
		"                          subnqn:nqn.2016-06.io.nvmf-tgt:ram0'\n"
		"  -q, --queue-depth N    I/Os in flight per queue pair (default 32)\n"
		"  -o, --io-size BYTES    I/O size, a multiple of the block size (default 4096;\n"
		"                         K and M suffixes); larger than MDTS is split\n"
		"  -w, --workload W       read, write, randread, randwrite, rw or randrw\n"
		"  -M, --rwmixread PCT    reads in percent for rw / randrw (default 50)\n"
		"  -t, --time SEC         measured seconds (default 10)\n"
		"  -a, --warmup SEC       seconds of I/O before measuring starts (default 0)\n"
		"  -c, --core-mask MASK   cores, one worker each (default: the last core, away\n"
		"                         from nvmf_tgt's default core 0; the first core also\n"
		"                         prints progress and keeps the controllers alive)\n"
		"  -P, --qpairs N         queue pairs per namespace per worker (default 1)\n"
		"      --hdgst, --ddgst   ask for NVMe/TCP header / data digests\n"
		"      --sq-flow-control  keep SQ flow control on, as the Linux and SPDK\n"
		"                         hosts do: every command then ends with a response\n"
		"                         capsule (NVMe/TCP: a read's C2HData is followed by\n"
		"                         a CapsuleResp). Default: I/O queues ask for it to\n"
		"                         be disabled, so a read may end with its C2HData\n"
		"                         (SUCCESS flag)\n"
		"      --dhchap-secret S  DH-HMAC-CHAP host secret (DHHC-1:...), used when the\n"
		"                         target asks; the TRID's hostnqn: names the host\n"
		"      --dhchap-ctrl-secret S  the controller's secret: authenticate it too\n"
		"      --tls-key KEY      NVMe/TCP over TLS 1.3 with this PSK: an interchange\n"
		"                         string (NVMeTLSkey-1:...) or a file holding one\n"
		"      --tls-identity V   PSK identity version sent: 0 (default) or 1\n"
		"      --tls-kdf F        PSK derivation: nvme-cli (default, as Linux hosts)\n"
		"                         or rfc8446 (the target's [Global] TlsPskDerivation)\n"
		"      --verify           write a pattern (LBA, run seed, generation in every\n"
		"                         8 bytes), read every write back and check every\n"
		"                         read of written blocks (reads of blocks not yet\n"
		"                         written become writes); warm-up and the end of\n"
		"                         the run are checked too\n"
		"      --reset-at SEC     reset every controller once, SEC seconds into the\n"
		"                         measured run (local PCIe controllers); I/Os aborted\n"
		"                         by the reset are submitted again and counted as\n"
		"                         retried\n"
		"      --pause-ms MS      wait MS milliseconds after each I/O completes\n"
		"                         before starting the next one (with -q 1: the\n"
		"                         latency of an I/O that follows an idle pause)\n"
		"      --json             print the results as one JSON object on stdout\n"
		"  -h, --help             print this help and exit\n"
		"Progress goes to stderr once a second. Exit: 0 ok, 1 connection, I/O or\n"
		"verify failure (what was measured is still printed), 2 bad options.\n",
		prog);
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	if (*end == 'k' || *end == 'K') {
		v <<= 10;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		v <<= 20;
		end++;
	}
	if (*end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_workload(struct perf_args *a, const char *w)
{
	const char *base = w;

	a->random = strncmp(w, "rand", 4) == 0;
	if (a->random)
		base += 4;
	if (strcmp(base, "read") == 0)
		a->read_pct = 100;
	else if (strcmp(base, "write") == 0)
		a->read_pct = 0;
	else if (strcmp(base, "rw") != 0)
		return -EINVAL;
	a->workload = w;
	return 0;
}

/*
 * The default core: the highest one this process may run on. nvmf_tgt's
 * default is core 0, and a worker that busy-polls on the target's core
 * leaves it a time slice now and then (milliseconds per I/O).
 */
static void default_core(struct perf_args *a)
{
	cpu_set_t set;
	int cpu = 0, i;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (i = 0; i < 64 && i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				cpu = i;
	snprintf(a->default_mask, sizeof(a->default_mask), "0x%llx", 1ull << cpu);
	a->core_mask = a->default_mask;
}

static void set_defaults(struct perf_args *a)
{
	memset(a, 0, sizeof(*a));
	a->qd = 32;
	a->io_size = 4096;
	a->seconds = 10;
	default_core(a);
	a->qpairs_per_ns = 1;
	a->read_pct = 50;
}

/* One option; @return 0, 1 for help, or -EINVAL with a message printed. */
static int parse_one(struct perf_args *a, int opt, const char *arg, const char *prog,
		     bool *mix_given)
{
	unsigned long long v = 0;

	switch (opt) {
	case 'r':
		if (a->num_trids == PERF_MAX_TRIDS) {
			fprintf(stderr, "%s: at most %d -r\n", prog, PERF_MAX_TRIDS);
			return -EINVAL;
		}
		if (nvme_trid_parse(arg, &a->trids[a->num_trids]) != 0) {
			fprintf(stderr, "%s: bad transport ID '%s'\n", prog, arg);
			return -EINVAL;
		}
		a->num_trids++;
		return 0;
	case 'w':
		if (parse_workload(a, arg) == 0)
			return 0;
		fprintf(stderr, "%s: bad workload '%s'\n", prog, arg);
		return -EINVAL;
	case 'c':
		a->core_mask = arg;
		return 0;
	case OPT_HDGST:
		a->hdgst = true;
		return 0;
	case OPT_DHCHAP_SECRET:
		a->dhchap_secret = arg;
		return 0;
	case OPT_DHCHAP_CTRL_SECRET:
		a->dhchap_ctrl_secret = arg;
		return 0;
	case OPT_DDGST:
		a->ddgst = true;
		return 0;
	case OPT_VERIFY:
		a->verify = true;
		return 0;
	case OPT_SQ_FLOW_CONTROL:
		a->sq_flow_control = true;
		return 0;
	case OPT_TLS_KEY:
		a->tls_key = arg;
		return 0;
	case OPT_TLS_IDENTITY:
		if (strcmp(arg, "0") == 0 || strcmp(arg, "1") == 0) {
			a->tls_identity = arg[0] - '0';
			return 0;
		}
		fprintf(stderr, "%s: --tls-identity is 0 or 1\n", prog);
		return -EINVAL;
	case OPT_TLS_KDF:
		if ((a->tls_kdf = tls_psk_kdf_parse(arg)) >= 0)
			return 0;
		fprintf(stderr, "%s: --tls-kdf is nvme-cli or rfc8446\n", prog);
		return -EINVAL;
	case OPT_JSON:
		a->json = true;
		return 0;
	case 'h':
		usage(stdout, prog);
		return 1;
	case 'q':
	case 'o':
	case 'M':
	case 't':
	case 'a':
	case 'P':
	case OPT_RESET_AT:
	case OPT_PAUSE_MS:
		break;
	default:
		return -EINVAL;
	}
	if (parse_uint(arg,
		       opt == 'M'   ? 100
		       : opt == 'o' ? (1ull << 30)
				    : 1u << 20,
		       &v) != 0 ||
	    (v == 0 && opt != 'M' && opt != 'a' && opt != OPT_RESET_AT && opt != OPT_PAUSE_MS)) {
		if (opt == OPT_RESET_AT || opt == OPT_PAUSE_MS)
			fprintf(stderr, "%s: bad value '%s' for --%s\n", prog, arg,
				opt == OPT_RESET_AT ? "reset-at" : "pause-ms");
		else
			fprintf(stderr, "%s: bad value '%s' for -%c\n", prog, arg, opt);
		return -EINVAL;
	}
	if (opt == 'q')
		a->qd = (uint32_t)v;
	else if (opt == 'o')
		a->io_size = (uint32_t)v;
	else if (opt == 't')
		a->seconds = (unsigned)v;
	else if (opt == 'a')
		a->warmup = (unsigned)v;
	else if (opt == 'P')
		a->qpairs_per_ns = (unsigned)v;
	else if (opt == OPT_PAUSE_MS)
		a->pause_ms = (unsigned)v;
	else if (opt == OPT_RESET_AT) {
		a->reset = true;
		a->reset_at = (unsigned)v;
	} else {
		a->read_pct = (unsigned)v;
		*mix_given = true;
	}
	return 0;
}

static int check_args(struct perf_args *a, const char *prog, bool mix_given, unsigned mix)
{
	if (a->num_trids == 0) {
		fprintf(stderr, "%s: at least one -r TRID is required\n", prog);
		return -EINVAL;
	}
	if (!a->workload) {
		fprintf(stderr, "%s: -w WORKLOAD is required\n", prog);
		return -EINVAL;
	}
	if (mix_given && strcmp(a->workload + (a->random ? 4 : 0), "rw") != 0) {
		fprintf(stderr, "%s: -M only applies to rw and randrw\n", prog);
		return -EINVAL;
	}
	if (strcmp(a->workload + (a->random ? 4 : 0), "rw") == 0)
		a->read_pct = mix;
	if (a->reset && a->reset_at >= a->seconds) {
		fprintf(stderr, "%s: --reset-at must be less than -t\n", prog);
		return -EINVAL;
	}
	if (a->qd > 4096 || a->qpairs_per_ns > 64) {
		fprintf(stderr, "%s: -q is at most 4096 and -P at most 64\n", prog);
		return -EINVAL;
	}
	return 0;
}

int perf_parse_args(int argc, char **argv, struct perf_args *a)
{
	static const struct option longopts[] = {
	    {"transport", required_argument, NULL, 'r'},
	    {"queue-depth", required_argument, NULL, 'q'},
	    {"io-size", required_argument, NULL, 'o'},
	    {"workload", required_argument, NULL, 'w'},
	    {"rwmixread", required_argument, NULL, 'M'},
	    {"time", required_argument, NULL, 't'},
	    {"warmup", required_argument, NULL, 'a'},
	    {"core-mask", required_argument, NULL, 'c'},
	    {"qpairs", required_argument, NULL, 'P'},
	    {"hdgst", no_argument, NULL, OPT_HDGST},
	    {"dhchap-secret", required_argument, NULL, OPT_DHCHAP_SECRET},
	    {"dhchap-ctrl-secret", required_argument, NULL, OPT_DHCHAP_CTRL_SECRET},
	    {"ddgst", no_argument, NULL, OPT_DDGST},
	    {"verify", no_argument, NULL, OPT_VERIFY},
	    {"sq-flow-control", no_argument, NULL, OPT_SQ_FLOW_CONTROL},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"reset-at", required_argument, NULL, OPT_RESET_AT},
	    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
	    {"tls-identity", required_argument, NULL, OPT_TLS_IDENTITY},
	    {"tls-kdf", required_argument, NULL, OPT_TLS_KDF},
	    {"pause-ms", required_argument, NULL, OPT_PAUSE_MS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool mix_given = false;
	unsigned mix = 50;
	int opt, rc;

	set_defaults(a);
	while ((opt = getopt_long(argc, argv, "r:q:o:w:M:t:a:c:P:h", longopts, NULL)) != -1) {
		rc = parse_one(a, opt, optarg, argv[0], &mix_given);
		if (rc)
			goto out;
		if (opt == 'M')
			mix = a->read_pct;
	}
	rc = -EINVAL;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		goto out;
	}
	rc = check_args(a, argv[0], mix_given, mix);
out:
	if (rc < 0)
		usage(stderr, argv[0]);
	return rc;
}
