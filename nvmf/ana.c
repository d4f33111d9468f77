/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ana.c - Asymmetric Namespace Access reporting (NVMe base specification,
 * "Asymmetric Namespace Access Reporting"). Each namespace is in one ANA
 * group; each listen address of a subsystem has a state per group. A
 * controller reports the states of the address its admin queue came in
 * through (its path): it keeps its own copy, written by the main thread
 * when a state changes, so the I/O groups check a command with one load
 * and the admin group builds the log page without asking the main thread.
 *
 * The log page (0Ch) has one descriptor per group that holds at least one
 * namespace, by increasing group ID; with Return Groups Only (LSP bit 0)
 * the descriptors carry no NSID list. The change count is the controller's:
 * it counts the changes of its path's states.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

/* ANATT: seconds a transition may take; states change at once here. */
#define NVMF_ANATT_S 10

static const struct {
	uint8_t state;
	const char *name;
} ana_names[] = {
    {NVME_ANA_OPTIMIZED, "optimized"},
    {NVME_ANA_NON_OPTIMIZED, "non_optimized"},
    {NVME_ANA_INACCESSIBLE, "inaccessible"},
    {NVME_ANA_PERSISTENT_LOSS, "persistent_loss"},
    {NVME_ANA_CHANGE, "change"},
};

#define NANA_NAMES (sizeof(ana_names) / sizeof(ana_names[0]))

int nvmf_ana_state_parse(const char *name, uint8_t *state)
{
	char buf[32];
	size_t i;

	if (name == NULL || strlen(name) >= sizeof(buf))
		return -EINVAL;
	for (i = 0; name[i] != '\0'; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	for (i = 0; i < NANA_NAMES; i++) {
		if (strcasecmp(buf, ana_names[i].name) == 0) {
			*state = ana_names[i].state;
			return 0;
		}
	}
	return -EINVAL;
}

const char *nvmf_ana_state_name(uint8_t state)
{
	for (size_t i = 0; i < NANA_NAMES; i++) {
		if (ana_names[i].state == state)
			return ana_names[i].name;
	}
	return NULL;
}

uint16_t nvmf_ana_io_status(uint8_t st)
{
	/* No DNR: the host retries on another path. */
	switch (st) {
	case NVME_ANA_PERSISTENT_LOSS:
		return NVME_STATUS(NVME_SCT_PATH, NVME_SC_ANA_PERSISTENT_LOSS);
	case NVME_ANA_CHANGE:
		return NVME_STATUS(NVME_SCT_PATH, NVME_SC_ANA_TRANSITION);
	default:
		return NVME_STATUS(NVME_SCT_PATH, NVME_SC_ANA_INACCESSIBLE);
	}
}

void nvmf_ana_listener_init(struct nvmf_ss_listener *sl)
{
	memset(sl->ana, NVME_ANA_OPTIMIZED, sizeof(sl->ana));
}

/* Copy @sl's states (optimized without @sl) into @ctrlr. @return whether one changed. */
static bool ctrlr_states_load(struct nvmf_ctrlr *ctrlr, const struct nvmf_ss_listener *sl)
{
	bool changed = false;

	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX; g++) {
		uint8_t st = sl ? sl->ana[g] : NVME_ANA_OPTIMIZED;

		if (atomic_load_explicit(&ctrlr->ana[g], memory_order_relaxed) != st)
			changed = true;
		atomic_store_explicit(&ctrlr->ana[g], st, memory_order_relaxed);
	}
	return changed;
}

void nvmf_ana_ctrlr_init(struct nvmf_ctrlr *ctrlr, const struct nvmf_listen_addr *path)
{
	ctrlr->path = *path;
	ctrlr_states_load(ctrlr, nvmf_ss_listener_find(ctrlr->ss, path));
}

int nvmf_subsystem_set_ana_state(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr,
				 uint32_t anagrpid, uint8_t state)
{
	struct nvmf_ss_listener *sl = nvmf_ss_listener_find(ss, addr);
	struct nvmf_ctrlr *ctrlr;

	if (anagrpid > NVMF_ANA_GRP_MAX || nvmf_ana_state_name(state) == NULL)
		return -EINVAL;
	if (sl == NULL)
		return -ENOENT;
	for (uint32_t g = anagrpid ? anagrpid : 1; g <= (anagrpid ? anagrpid : NVMF_ANA_GRP_MAX);
	     g++)
		sl->ana[g] = state;
	TAILQ_FOREACH(ctrlr, &ss->ctrlrs, ss_link)
	{
		if (ctrlr->state != NVMF_CTRLR_LIVE || !nvmf_listen_addr_eq(&ctrlr->path, addr))
			continue;
		if (!ctrlr_states_load(ctrlr, sl))
			continue;
		atomic_fetch_add_explicit(&ctrlr->ana_chgcnt, 1, memory_order_relaxed);
		nvmf_ctrlr_ana_changed(ctrlr);
	}
	return 0;
}

int nvmf_subsystem_get_ana_state(struct nvmf_subsystem *ss, const struct nvmf_listen_addr *addr,
				 uint32_t anagrpid, uint8_t *state)
{
	struct nvmf_ss_listener *sl = nvmf_ss_listener_find(ss, addr);

	if (anagrpid == 0 || anagrpid > NVMF_ANA_GRP_MAX)
		return -EINVAL;
	if (sl == NULL)
		return -ENOENT;
	*state = sl->ana[anagrpid];
	return 0;
}

void nvmf_ana_id_ctrl(struct nvme_id_ctrl *id)
{
	id->cmic |= NVME_CTRL_CMIC_ANA;
	id->oaes |= NVME_CTRL_OAES_ANA_CHANGE;
	id->anatt = NVMF_ANATT_S;
	/* Every state can be reported; a namespace keeps its group while attached. */
	id->anacap = NVME_CTRL_ANACAP_OPTIMIZED | NVME_CTRL_ANACAP_NON_OPTIMIZED |
		     NVME_CTRL_ANACAP_INACCESSIBLE | NVME_CTRL_ANACAP_PERSISTENT_LOSS |
		     NVME_CTRL_ANACAP_CHANGE | NVME_CTRL_ANACAP_GRPID_NOT_CHANGED;
	id->anagrpmax = NVMF_ANA_GRP_MAX;
	id->nanagrpid = NVMF_ANA_GRP_MAX;
}

/* Namespaces of @ss per group: counts into @n[]. @return the number of groups used. */
static uint32_t group_counts(struct nvmf_subsystem *ss, uint32_t n[NVMF_ANA_GRP_MAX + 1])
{
	uint32_t groups = 0;

	memset(n, 0, sizeof(n[0]) * (NVMF_ANA_GRP_MAX + 1));
	for (uint32_t nsid = 1; nsid <= ss->max_nsid; nsid++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

		if (ns != NULL && n[ns->anagrpid]++ == 0)
			groups++;
	}
	return groups;
}

/*
 * The descriptor of group @g at @p with its NSIDs (unless @rgo). @return
 * its size. Copied in: after an odd number of NSIDs @p is only 4-byte
 * aligned.
 */
static size_t desc_fill(uint8_t *p, struct nvmf_ctrlr *ctrlr, uint32_t g, uint32_t count,
			uint64_t chgcnt, bool rgo)
{
	struct nvme_ana_group_desc d;
	struct nvmf_subsystem *ss = ctrlr->ss;
	uint32_t k = 0;

	memset(&d, 0, sizeof(d));
	d.anagrpid = g;
	d.change_count = chgcnt;
	d.state = atomic_load_explicit(&ctrlr->ana[g], memory_order_relaxed);
	for (uint32_t nsid = 1; !rgo && nsid <= ss->max_nsid && k < count; nsid++) {
		struct nvmf_ns *ns = nvmf_ss_ns(ss, nsid);

		if (ns != NULL && ns->anagrpid == g)
			memcpy(p + sizeof(d) + k++ * sizeof(nsid), &nsid, sizeof(nsid));
	}
	d.nnsids = k; /* a namespace removed meanwhile leaves fewer */
	memcpy(p, &d, sizeof(d));
	return sizeof(d) + k * sizeof(uint32_t);
}

/* Build the page into a new buffer. @return its size, 0 on no memory. */
static size_t ana_log_build(struct nvmf_ctrlr *ctrlr, bool rgo, uint8_t **out)
{
	uint32_t n[NVMF_ANA_GRP_MAX + 1];
	uint32_t groups = group_counts(ctrlr->ss, n);
	uint64_t chgcnt = atomic_load_explicit(&ctrlr->ana_chgcnt, memory_order_relaxed);
	size_t cap = sizeof(struct nvme_ana_log_hdr) + groups * sizeof(struct nvme_ana_group_desc) +
		     (rgo ? 0 : ctrlr->ss->max_nsid * sizeof(uint32_t));
	uint8_t *buf = calloc(1, cap);
	struct nvme_ana_log_hdr *hdr = (struct nvme_ana_log_hdr *)buf;
	size_t len = sizeof(*hdr);

	if (buf == NULL)
		return 0;
	hdr->change_count = chgcnt;
	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX; g++) {
		if (n[g] == 0)
			continue;
		len += desc_fill(buf + len, ctrlr, g, n[g], chgcnt, rgo);
		hdr->num_ana_group_desc++;
	}
	*out = buf;
	return len;
}

uint16_t nvmf_ana_get_log(struct nvmf_request *req, uint64_t offset)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint32_t lsp = (req->cmd.cdw10 >> NVME_GLP_LSP_SHIFT) & NVME_GLP_LSP_MASK;
	uint8_t *buf;
	size_t len = ana_log_build(ctrlr, (lsp & NVME_ANA_LSP_RGO) != 0, &buf);

	if (len == 0)
		return NVME_STATUS_GENERIC(NVME_SC_INTERNAL_DEVICE_ERROR);
	if (offset >= len) {
		free(buf);
		return NVMF_ST_INVALID_FIELD;
	}
	nvmf_req_copy_page(req, buf, len, offset, nvme_glp_len(&req->cmd));
	free(buf);
	if (!(req->cmd.cdw10 & NVME_GLP_RAE))
		nvmf_ctrlr_notice_read(ctrlr, NVMF_NOTICE_ANA);
	return NVME_STATUS_SUCCESS;
}
