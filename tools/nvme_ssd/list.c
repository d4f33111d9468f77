/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * list.c - nvme_ssd list: every NVMe function on the PCI bus with the
 * driver bound; for those our driver can use and nobody holds, Identify
 * (model, serial, firmware, capacity, namespaces) and the SMART log.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "nvme/pcie/nvme_pcie.h"
#include "tools/nvme_ssd/ssd.h"
#include "util_json.h"

#define LIST_MAX 64

struct drive {
	struct env_pci_info info;
	char addr[16];
	pid_t holder;
	bool usable;
};

struct found {
	struct drive d[LIST_MAX];
	unsigned n;
};

static int on_function(void *ctx, const struct env_pci_info *info)
{
	struct found *f = ctx;
	struct drive *d;

	if (f->n == LIST_MAX)
		return 0;
	d = &f->d[f->n++];
	d->info = *info;
	env_pci_addr_fmt(&info->addr, d->addr, sizeof(d->addr));
	d->holder = nvme_pcie_claim_holder(d->addr);
	d->usable =
	    strcmp(info->driver, "vfio-pci") == 0 || strcmp(info->driver, "uio_pci_generic") == 0;
	return 0;
}

/* Copy a space-padded Identify string into @out, trimmed. */
static void id_str(char *out, const char *in, size_t n)
{
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0'))
		n--;
	memcpy(out, in, n);
	out[n] = '\0';
}

static void emit_ctrlr(struct json_writer *w, bool json, struct nvme_ctrlr *c)
{
	const struct nvme_id_ctrl *id = nvme_ctrlr_id(c);
	struct nvme_health_log *h = env_dma_zalloc(sizeof(*h), 4096);
	char mn[41], sn[21], fr[9];
	struct nvme_cpl cpl;
	uint64_t bytes = 0;
	uint32_t nns = 0;
	bool health;

	id_str(mn, id->mn, sizeof(id->mn));
	id_str(sn, id->sn, sizeof(id->sn));
	id_str(fr, id->fr, sizeof(id->fr));
	for (struct nvme_ns *ns = nvme_ctrlr_ns_next(c, 0); ns;
	     ns = nvme_ctrlr_ns_next(c, ns->nsid)) {
		bytes += ns->num_blocks * ns->block_size;
		nns++;
	}
	health = h &&
		 nvme_ctrlr_get_log(c, NVME_LOG_HEALTH_INFORMATION, NVME_NSID_ALL, h, sizeof(*h), 0,
				    &cpl) == 0 &&
		 !nvme_cpl_is_error(&cpl);
	if (json) {
		json_kv_str(w, "model", mn);
		json_kv_str(w, "serial", sn);
		json_kv_str(w, "firmware", fr);
		json_kv_uint(w, "capacity_bytes", bytes);
		json_kv_uint(w, "namespaces", nns);
		if (health) {
			json_key(w, "health");
			json_obj_begin(w);
			json_kv_uint(w, "temperature_k", h->temperature);
			json_kv_uint(w, "critical_warning", h->critical_warning);
			json_kv_uint(w, "available_spare", h->available_spare);
			json_kv_uint(w, "available_spare_threshold", h->available_spare_threshold);
			json_kv_uint(w, "percentage_used", h->percentage_used);
			json_kv_uint(w, "media_errors", nvme_le128_get_sat(h->media_errors));
			json_obj_end(w);
		}
	} else {
		printf("  model %s, serial %s, firmware %s\n", mn, sn, fr);
		printf("  %u namespace%s, %llu bytes\n", nns, nns == 1 ? "" : "s",
		       (unsigned long long)bytes);
		if (health)
			printf(
			    "  health: %u K (%d C), critical warning 0x%02x, spare %u%% (threshold "
			    "%u%%), %u%% used, %llu media errors\n",
			    h->temperature, (int)h->temperature - 273, h->critical_warning,
			    h->available_spare, h->available_spare_threshold, h->percentage_used,
			    (unsigned long long)nvme_le128_get_sat(h->media_errors));
	}
	env_dma_free(h);
}

static void emit_drive(struct json_writer *w, bool json, const struct drive *d)
{
	struct nvme_ctrlr *c = NULL;

	if (json) {
		json_obj_begin(w);
		json_kv_str(w, "address", d->addr);
		json_kv_str(w, "driver", d->info.driver);
		if (d->holder > 0)
			json_kv_int(w, "held_by_pid", d->holder);
	} else {
		printf("%s  driver %s", d->addr, d->info.driver[0] ? d->info.driver : "none");
		if (d->holder > 0)
			printf("  in use by process %ld", (long)d->holder);
		else if (!d->usable)
			printf("  (not usable here: run tools/setup.sh to bind it)");
		printf("\n");
	}
	if (d->usable && d->holder <= 0 && ssd_connect(d->addr, 10000, &c) == 0) {
		emit_ctrlr(w, json, c);
		nvme_ctrlr_disconnect(c);
	}
	if (json)
		json_obj_end(w);
}

int ssd_cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *addrs[LIST_MAX];
	static struct found f;
	struct json_writer w;
	bool json = false;
	unsigned n = 0;
	int o, rc;

	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (o != 'j') {
			printf("usage: " SSD_PROG " list [--json]\n");
			return o == 'h' ? 0 : 2;
		}
		json = true;
	}
	rc = env_pci_enumerate(0x010802, 0xffff, on_function, &f);
	if (rc < 0) {
		fprintf(stderr, SSD_PROG ": cannot read the PCI bus: %s\n", strerror(-rc));
		return 1;
	}
	for (unsigned i = 0; i < f.n; i++)
		if (f.d[i].usable && f.d[i].holder <= 0)
			addrs[n++] = f.d[i].addr;
	if (ssd_env_start(addrs, n) != 0)
		return 1;
	json_writer_init(&w, JSON_WRITE_PRETTY);
	if (json)
		json_arr_begin(&w);
	for (unsigned i = 0; i < f.n; i++)
		emit_drive(&w, json, &f.d[i]);
	if (json) {
		json_arr_end(&w);
		printf("%s\n", w.buf ? w.buf : "[]");
	}
	json_writer_fini(&w);
	env_fini();
	return 0;
}
