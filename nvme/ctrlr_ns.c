/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlr_ns.c - Identify (controller, namespaces), number of queues, I/O
 * queue pair allocation and the discovery log page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme_internal.h"
#include "util.h"

#define NS_LIST_MAX 1024 /* nsids in one Active Namespace ID list */
#define DISC_LOG_TRIES 3

int nvme_ctrlr_identify(struct nvme_ctrlr *ctrlr, uint8_t cns, uint32_t nsid, void *buf)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_IDENTIFY, .nsid = nsid, .cdw10 = cns};
	struct nvme_cpl cpl;
	int rc;

	rc = nvme_ctrlr_admin_sync(ctrlr, &cmd, buf, NVME_IDENTIFY_DATA_SIZE, &cpl);
	if (rc != 0)
		return rc;
	if (nvme_cpl_is_error(&cpl)) {
		log_error(NVME_LOG, "%s: Identify cns %u nsid %u failed: status 0x%04x",
			  ctrlr->trid.subnqn, cns, nsid, nvme_cpl_get_status(&cpl));
		return -EPROTO;
	}
	return 0;
}

static void ns_fill(struct nvme_ctrlr *c, struct nvme_ns_slot *s, uint32_t nsid)
{
	uint64_t max_bytes;

	s->ns.ctrlr = c;
	s->ns.nsid = nsid;
	s->ns.block_size = nvme_id_ns_block_size(&s->id);
	s->ns.num_blocks = s->id.nsze;
	s->ns.max_io_blocks = 65536; /* NLB is 16 bits */
	if (c->id.mdts != 0 && s->ns.block_size != 0) {
		max_bytes = nvme_cap_min_page_size(c->cap) << c->id.mdts;
		if (max_bytes / s->ns.block_size < s->ns.max_io_blocks)
			s->ns.max_io_blocks = (uint32_t)(max_bytes / s->ns.block_size);
	}
}

int nvme_ctrlr_identify_namespaces(struct nvme_ctrlr *c)
{
	uint32_t *list, n = 0, i;
	int rc;

	list = calloc(NS_LIST_MAX, sizeof(*list));
	if (list == NULL)
		return -ENOMEM;
	rc = nvme_ctrlr_identify(c, NVME_CNS_ACTIVE_NS_LIST, 0, list);
	if (rc != 0)
		goto out;
	while (n < NS_LIST_MAX && list[n] != 0)
		n++;
	c->ns = calloc(n ? n : 1, sizeof(*c->ns));
	if (c->ns == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct nvme_ns_slot *s = &c->ns[c->num_ns];

		rc = nvme_ctrlr_identify(c, NVME_CNS_NAMESPACE, list[i], &s->id);
		if (rc != 0)
			goto out;
		if (s->id.nsze == 0)
			continue; /* inactive after all */
		ns_fill(c, s, list[i]);
		c->num_ns++;
	}
out:
	free(list);
	return rc;
}

int nvme_ctrlr_set_num_queues(struct nvme_ctrlr *c)
{
	uint32_t want = c->opts.num_io_queues ? c->opts.num_io_queues : 1;
	struct nvme_cmd cmd = {.opc = NVME_OPC_SET_FEATURES};
	struct nvme_cpl cpl;
	uint32_t nsq, ncq;
	int rc;

	if (want > NVME_MAX_QID)
		want = NVME_MAX_QID;
	cmd.cdw10 = NVME_FEAT_NUMBER_OF_QUEUES;
	cmd.cdw11 = NVME_FEAT_NUM_QUEUES(want - 1, want - 1);
	rc = nvme_ctrlr_admin_sync(c, &cmd, NULL, 0, &cpl);
	if (rc != 0)
		return rc;
	if (nvme_cpl_is_error(&cpl)) {
		log_error(NVME_LOG, "%s: Set Features Number of Queues failed: status 0x%04x",
			  c->trid.subnqn, nvme_cpl_get_status(&cpl));
		return -EPROTO;
	}
	nsq = NVME_FEAT_NUM_QUEUES_NSQR(cpl.cdw0) + 1u;
	ncq = NVME_FEAT_NUM_QUEUES_NCQR(cpl.cdw0) + 1u;
	c->num_io_queues = nsq < ncq ? nsq : ncq;
	if (c->num_io_queues > want)
		c->num_io_queues = want;
	c->qid_used = calloc(c->num_io_queues + 1u, 1);
	return c->qid_used != NULL ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------ I/O qpairs */

int nvme_ctrlr_alloc_io_qpair(struct nvme_ctrlr *ctrlr, const struct nvme_qpair_opts *opts,
			      struct nvme_qpair **qpair)
{
	uint32_t size = opts && opts->queue_size ? opts->queue_size : ctrlr->opts.io_queue_size;
	uint32_t mqes = ctrlr->cap ? nvme_cap_max_queue_entries(ctrlr->cap) : size;
	struct nvme_qpair *q;
	uint16_t qid;
	int rc;

	if (ctrlr->adminq->failed)
		return -ENXIO;
	for (qid = 1; qid <= ctrlr->num_io_queues && ctrlr->qid_used[qid]; qid++)
		;
	if (qid > ctrlr->num_io_queues)
		return -EBUSY;
	if (size > mqes)
		size = mqes;
	if (size < 2)
		return -EINVAL;
	rc = ctrlr->ops->qpair_create(ctrlr, qid, size, &q);
	if (rc != 0)
		return rc;
	if (ctrlr->ops->fabrics) {
		rc = nvme_fabrics_connect(q, ctrlr->cntlid, NULL);
		if (rc != 0) {
			ctrlr->ops->qpair_destroy(q);
			return rc;
		}
	}
	ctrlr->qid_used[qid] = 1;
	q->next_io = ctrlr->io_qpairs;
	ctrlr->io_qpairs = q;
	*qpair = q;
	return 0;
}

void nvme_ctrlr_free_io_qpair(struct nvme_qpair *qpair)
{
	struct nvme_ctrlr *c;
	struct nvme_qpair **pp;

	if (qpair == NULL)
		return;
	c = qpair->ctrlr;
	for (pp = &c->io_qpairs; *pp != NULL; pp = &(*pp)->next_io) {
		if (*pp == qpair) {
			*pp = qpair->next_io;
			break;
		}
	}
	c->qid_used[qpair->qid] = 0;
	nvme_qpair_abort_all(qpair, NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	c->ops->qpair_destroy(qpair);
}

/* ------------------------------------------------------------ discovery */

static int get_log(struct nvme_ctrlr *c, uint8_t lid, void *buf, uint32_t len, uint64_t off)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_GET_LOG_PAGE};
	struct nvme_cpl cpl;
	int rc;

	nvme_glp_set(&cmd, lid, len, off);
	rc = nvme_ctrlr_admin_sync(c, &cmd, buf, len, &cpl);
	if (rc != 0)
		return rc;
	if (nvme_cpl_is_error(&cpl)) {
		log_error(NVME_LOG, "%s: Get Log Page 0x%02x failed: status 0x%04x", c->trid.subnqn,
			  lid, nvme_cpl_get_status(&cpl));
		return -EPROTO;
	}
	return 0;
}

static int disc_log_once(struct nvme_ctrlr *c, struct nvmf_discovery_log_hdr **log, size_t *len)
{
	struct nvmf_discovery_log_hdr *hdr, *full;
	uint64_t genctr, numrec;
	size_t size;
	int rc;

	hdr = calloc(1, sizeof(*hdr));
	if (hdr == NULL)
		return -ENOMEM;
	rc = get_log(c, NVME_LOG_DISCOVERY, hdr, sizeof(*hdr), 0);
	genctr = hdr->genctr;
	numrec = hdr->numrec;
	if (rc == 0 && numrec > 4096)
		rc = -EPROTO;
	if (rc != 0) {
		free(hdr);
		return rc;
	}
	size = sizeof(*hdr) + numrec * sizeof(struct nvmf_discovery_log_entry);
	full = realloc(hdr, size);
	if (full == NULL) {
		free(hdr);
		return -ENOMEM;
	}
	if (numrec != 0)
		rc = get_log(c, NVME_LOG_DISCOVERY, full->entries, (uint32_t)(size - sizeof(*hdr)),
			     sizeof(*hdr));
	if (rc == 0)
		rc = get_log(c, NVME_LOG_DISCOVERY, full, sizeof(*full), 0);
	if (rc == 0 && (full->genctr != genctr || full->numrec != numrec))
		rc = -EAGAIN;
	if (rc != 0) {
		free(full);
		return rc;
	}
	*log = full;
	*len = size;
	return 0;
}

int nvme_ctrlr_discovery_log(struct nvme_ctrlr *ctrlr, struct nvmf_discovery_log_hdr **log,
			     size_t *len)
{
	int rc = -EAGAIN, i;

	if (ctrlr->id.cntrltype != NVME_CNTRLTYPE_DISCOVERY)
		return -ENOTSUP;
	for (i = 0; i < DISC_LOG_TRIES && rc == -EAGAIN; i++)
		rc = disc_log_once(ctrlr, log, len);
	return rc;
}
