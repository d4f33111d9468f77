/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_ssd - manage the local NVMe drives through the project's own PCIe
 * driver: list them, format, download and commit firmware, read any log
 * page. A drive another process holds (its claim lock) is refused with
 * that process's PID. Each subcommand takes --help.
 *
 * Exit status: 0 done, 1 failed (or the drive answered with an error), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "nvme/pcie/nvme_pcie.h"
#include "tools/nvme_ssd/ssd.h"

#define FORMAT_TIMEOUT_MS 600000u
#define ADMIN_TIMEOUT_MS 30000u
#define FW_CHUNK 32768u

static const char *const g_usage[] = {
    "list [--json]                     the NVMe functions: driver, model, serial, firmware,\n"
    "                                  capacity, namespaces, health",
    "format ADDR [--nsid N] [--ses 0|1] --yes-wipe\n"
    "                                  Format NVM (all namespaces by default): every block lost",
    "fw-download ADDR FILE [--offset BYTES]\n"
    "                                  Firmware Image Download of FILE",
    "fw-commit ADDR --slot N --action N Firmware Commit",
    "log ADDR LID [--nsid N] [--len N] [--json|--hex]\n"
    "                                  Get Log Page LID (hex dump by default)",
};

static void usage(FILE *f, int which)
{
	for (int i = 0; i < (int)(sizeof(g_usage) / sizeof(g_usage[0])); i++)
		if (which < 0 || which == i)
			fprintf(f, "usage: " SSD_PROG " %s\n", g_usage[i]);
	if (which < 0)
		fprintf(f, "ADDR is a PCI address (0000:00:04.0) bound by tools/setup.sh.\n");
}

int ssd_env_start(const char *const *addrs, unsigned n)
{
	struct env_opts opts;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), SSD_PROG "_%d", (int)getpid());
	env_opts_init(&opts);
	opts.name = name;
	opts.pci_allow = (const char **)addrs;
	opts.num_pci_allow = n;
	opts.no_pci = n == 0;
	rc = env_init(&opts);
	if (rc)
		fprintf(stderr, SSD_PROG ": cannot start the environment: %s\n", strerror(-rc));
	return rc;
}

int ssd_connect(const char *addr, uint32_t timeout_ms, struct nvme_ctrlr **ctrlr)
{
	struct nvme_ctrlr_opts opts;
	struct nvme_trid trid;
	char str[300];
	pid_t holder = nvme_pcie_claim_holder(addr);
	int rc;

	if (holder > 0) {
		fprintf(stderr,
			SSD_PROG ": %s: in use by process %ld; stop it or detach the drive\n", addr,
			(long)holder);
		return -EBUSY;
	}
	snprintf(str, sizeof(str), "trtype:PCIe traddr:%s", addr);
	rc = nvme_trid_parse(str, &trid);
	if (rc == 0) {
		nvme_ctrlr_opts_init(&opts);
		opts.num_io_queues = 1;
		opts.timeout_ms = timeout_ms;
		rc = nvme_ctrlr_connect(&trid, &opts, ctrlr);
	}
	if (rc)
		fprintf(stderr, SSD_PROG ": %s: cannot attach: %s\n", addr, strerror(-rc));
	return rc;
}

static const char *status_name(uint16_t st)
{
	switch (st & 0x7ff) {
	case 0x0001:
		return "Invalid Command Opcode";
	case 0x0002:
		return "Invalid Field in Command";
	case 0x000b:
		return "Invalid Namespace or Format";
	case 0x0106:
		return "Invalid Firmware Slot";
	case 0x0107:
		return "Invalid Firmware Image";
	case 0x010a:
		return "Invalid Format";
	case 0x010b:
		return "Firmware Activation Requires Conventional Reset";
	case 0x0109:
		return "Invalid Log Page";
	case 0x0110:
		return "Firmware Activation Requires NVM Subsystem Reset";
	case 0x0111:
		return "Firmware Activation Requires Controller Level Reset";
	case 0x0113:
		return "Firmware Activation Prohibited";
	case 0x0114:
		return "Overlapping Range";
	case 0x0282:
		return "Access Denied";
	default:
		return "see the NVMe base specification";
	}
}

int ssd_report(const char *what, int rc, const struct nvme_cpl *cpl)
{
	uint16_t st;

	if (rc != 0) {
		fprintf(stderr, SSD_PROG ": %s: %s\n", what, strerror(-rc));
		return 1;
	}
	st = nvme_cpl_get_status(cpl);
	if ((st & 0x7ff) == 0) {
		printf("%s: ok\n", what);
		return 0;
	}
	printf("%s: the drive answered status 0x%03x (SCT %u, SC 0x%02x: %s)%s\n", what, st & 0x7ff,
	       (st >> 8) & 7u, st & 0xffu, status_name(st), st & 0x4000 ? ", do not retry" : "");
	return 1;
}

/* A number argument of option @opt, within [0, @max]. */
static bool num_arg(const char *opt, const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *v > max) {
		fprintf(stderr, SSD_PROG ": %s: bad value '%s' (0 to %llu)\n", opt, s,
			(unsigned long long)max);
		return false;
	}
	return true;
}

/* getopt_long over argv[1..] of a subcommand; returns the option or -1. */
#define SUB_OPTS(...)                                                                              \
	static const struct option longopts[] = {                                                  \
	    __VA_ARGS__, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}}

static int with_ctrlr(const char *addr, uint32_t ms, int (*fn)(struct nvme_ctrlr *, void *),
		      void *arg)
{
	struct nvme_ctrlr *c = NULL;
	int rc = 1;

	if (ssd_env_start(&addr, 1) != 0)
		return 1;
	if (ssd_connect(addr, ms, &c) == 0) {
		rc = fn(c, arg);
		nvme_ctrlr_disconnect(c);
	}
	env_fini();
	return rc;
}

/* ---------------------------------------------------------------- format */

struct format_args {
	uint32_t nsid;
	uint8_t ses;
};

static int do_format(struct nvme_ctrlr *c, void *arg)
{
	struct format_args *f = arg;
	struct nvme_ns *ns = nvme_ctrlr_ns_next(c, 0);
	uint8_t lbaf = ns ? nvme_ns_id(ns)->flbas & 0xfu : 0;
	struct nvme_cpl cpl;
	char what[64];

	snprintf(what, sizeof(what), "format nsid 0x%x ses %u", f->nsid, f->ses);
	return ssd_report(what, nvme_ctrlr_format(c, f->nsid, lbaf, f->ses, &cpl), &cpl);
}

static int cmd_format(int argc, char **argv)
{
	SUB_OPTS({"nsid", required_argument, NULL, 'n'}, {"ses", required_argument, NULL, 's'},
		 {"yes-wipe", no_argument, NULL, 'y'});
	struct format_args f = {.nsid = NVME_NSID_ALL};
	bool yes = false;
	uint64_t v;
	int o;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (o == 'h') {
			usage(stdout, 1);
			return 0;
		} else if (o == 'n' && num_arg("--nsid", optarg, UINT32_MAX, &v)) {
			f.nsid = (uint32_t)v;
		} else if (o == 's' && num_arg("--ses", optarg, 1, &v)) {
			f.ses = (uint8_t)v;
		} else if (o == 'y') {
			yes = true;
		} else {
			usage(stderr, 1);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr, 1);
		return 2;
	}
	if (!yes) {
		fprintf(stderr,
			SSD_PROG ": format erases every block of %s; give --yes-wipe to do it\n",
			argv[optind]);
		return 2;
	}
	return with_ctrlr(argv[optind], FORMAT_TIMEOUT_MS, do_format, &f);
}

/* -------------------------------------------------------------- firmware */

struct fw_args {
	const char *file;
	uint32_t offset;
	uint8_t slot, action;
};

static int do_fw_download(struct nvme_ctrlr *c, void *arg)
{
	struct fw_args *f = arg;
	uint8_t *buf = env_dma_zalloc(FW_CHUNK, 4096);
	struct nvme_cpl cpl;
	uint32_t off = f->offset;
	char what[96];
	int fd, rc = 0;
	ssize_t n;

	fd = open(f->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || buf == NULL) {
		fprintf(stderr, SSD_PROG ": %s: %s\n", f->file, strerror(fd < 0 ? errno : ENOMEM));
		if (fd >= 0)
			close(fd);
		env_dma_free(buf);
		return 1;
	}
	while (rc == 0 && (n = read(fd, buf, FW_CHUNK)) > 0) {
		uint32_t len = ((uint32_t)n + 3u) & ~3u; /* the image padded to dwords */

		memset(buf + n, 0, len - (uint32_t)n);
		snprintf(what, sizeof(what), "fw-download %u bytes at offset %u", len, off);
		rc = ssd_report(what, nvme_ctrlr_fw_download(c, buf, len, off, &cpl), &cpl);
		off += len;
	}
	close(fd);
	env_dma_free(buf);
	return rc;
}

static int do_fw_commit(struct nvme_ctrlr *c, void *arg)
{
	struct fw_args *f = arg;
	struct nvme_cpl cpl;
	char what[64];

	snprintf(what, sizeof(what), "fw-commit slot %u action %u", f->slot, f->action);
	return ssd_report(what, nvme_ctrlr_fw_commit(c, f->slot, f->action, &cpl), &cpl);
}

static int cmd_fw(int argc, char **argv, bool commit)
{
	SUB_OPTS({"offset", required_argument, NULL, 'o'}, {"slot", required_argument, NULL, 's'},
		 {"action", required_argument, NULL, 'a'});
	struct fw_args f = {0};
	bool slot = false, action = false;
	uint64_t v;
	int o, which = commit ? 3 : 2;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (o == 'h') {
			usage(stdout, which);
			return 0;
		} else if (o == 'o' && !commit && num_arg("--offset", optarg, UINT32_MAX, &v) &&
			   v % 4 == 0) {
			f.offset = (uint32_t)v;
		} else if (o == 's' && commit && num_arg("--slot", optarg, 7, &v)) {
			f.slot = (uint8_t)v;
			slot = true;
		} else if (o == 'a' && commit && num_arg("--action", optarg, 7, &v)) {
			f.action = (uint8_t)v;
			action = true;
		} else {
			usage(stderr, which);
			return 2;
		}
	}
	if (optind + (commit ? 1 : 2) != argc || (commit && (!slot || !action))) {
		usage(stderr, which);
		return 2;
	}
	f.file = commit ? NULL : argv[optind + 1];
	return with_ctrlr(argv[optind], ADMIN_TIMEOUT_MS, commit ? do_fw_commit : do_fw_download,
			  &f);
}

/* ------------------------------------------------------------------- log */

struct log_args {
	uint8_t lid;
	uint32_t nsid, len;
	bool json;
};

static int do_log(struct nvme_ctrlr *c, void *arg)
{
	struct log_args *l = arg;
	uint8_t *buf = env_dma_zalloc(l->len, 4096);
	struct nvme_cpl cpl;
	int rc;

	if (buf == NULL)
		return 1;
	rc = nvme_ctrlr_get_log(c, l->lid, l->nsid, buf, l->len, 0, &cpl);
	if (rc != 0 || nvme_cpl_is_error(&cpl)) {
		rc = ssd_report("log", rc, &cpl);
	} else if (l->json) {
		printf("{\"lid\": %u, \"nsid\": %u, \"len\": %u, \"data\": \"", l->lid, l->nsid,
		       l->len);
		for (uint32_t i = 0; i < l->len; i++)
			printf("%02x", buf[i]);
		printf("\"}\n");
	} else {
		for (uint32_t i = 0; i < l->len; i++) {
			if (i % 16 == 0)
				printf("%06x:", i);
			printf(" %02x%s", buf[i], i % 16 == 15 || i + 1 == l->len ? "\n" : "");
		}
	}
	env_dma_free(buf);
	return rc;
}

static int cmd_log(int argc, char **argv)
{
	SUB_OPTS({"nsid", required_argument, NULL, 'n'}, {"len", required_argument, NULL, 'l'},
		 {"json", no_argument, NULL, 'j'}, {"hex", no_argument, NULL, 'x'});
	struct log_args l = {.nsid = NVME_NSID_ALL, .len = 512};
	uint64_t v;
	int o;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (o == 'h') {
			usage(stdout, 4);
			return 0;
		} else if (o == 'n' && num_arg("--nsid", optarg, UINT32_MAX, &v)) {
			l.nsid = (uint32_t)v;
		} else if (o == 'l' && num_arg("--len", optarg, 1u << 20, &v) && v >= 4 &&
			   v % 4 == 0) {
			l.len = (uint32_t)v;
		} else if (o == 'j' || o == 'x') {
			l.json = o == 'j';
		} else {
			usage(stderr, 4);
			return 2;
		}
	}
	if (optind + 2 != argc || !num_arg("LID", argv[optind + 1], 255, &v)) {
		usage(stderr, 4);
		return 2;
	}
	l.lid = (uint8_t)v;
	return with_ctrlr(argv[optind], ADMIN_TIMEOUT_MS, do_log, &l);
}

int main(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	argc--;
	argv++;
	if (strcmp(sub, "list") == 0)
		return ssd_cmd_list(argc, argv);
	if (strcmp(sub, "format") == 0)
		return cmd_format(argc, argv);
	if (strcmp(sub, "fw-download") == 0)
		return cmd_fw(argc, argv, false);
	if (strcmp(sub, "fw-commit") == 0)
		return cmd_fw(argc, argv, true);
	if (strcmp(sub, "log") == 0)
		return cmd_log(argc, argv);
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		usage(stdout, -1);
		return 0;
	}
	usage(stderr, -1);
	return 2;
}
