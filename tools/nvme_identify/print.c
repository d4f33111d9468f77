/* SPDX-License-Identifier: BSD-3-Clause */
/* nvme_identify printers: controller, namespaces, discovery log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/nvme_identify/identify.h"

static void print_version(struct emit *e, uint32_t ver)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u.%u.%u", ver >> 16, (ver >> 8) & 0xFF, ver & 0xFF);
	emit_str(e, "Version (VER)", "ver", buf);
}

static void print_ctrlr_nvm(struct emit *e, const struct nvme_id_ctrl *id)
{
	emit_hex(e, "SQ Entry Size (SQES)", "sqes", id->sqes);
	emit_hex(e, "CQ Entry Size (CQES)", "cqes", id->cqes);
	emit_uint(e, "Max Outstanding Cmds (MAXCMD)", "maxcmd", id->maxcmd);
	emit_uint(e, "Number of Namespaces (NN)", "nn", id->nn);
	emit_hex(e, "Optional NVM Commands (ONCS)", "oncs", id->oncs);
	emit_hex(e, "Fused Operations (FUSES)", "fuses", id->fuses);
	emit_hex(e, "Volatile Write Cache (VWC)", "vwc", id->vwc);
	emit_hex(e, "SGL Support (SGLS)", "sgls", id->sgls);
	emit_text(e, "Subsystem NQN (SUBNQN)", "subnqn", id->subnqn, sizeof(id->subnqn));
	emit_uint(e, "I/O Cmd Capsule Size (IOCCSZ)", "ioccsz", id->ioccsz);
	emit_uint(e, "I/O Rsp Capsule Size (IORCSZ)", "iorcsz", id->iorcsz);
	emit_uint(e, "In-Capsule Data Offset (ICDOFF)", "icdoff", id->icdoff);
	emit_hex(e, "Ctrl Attributes (FCATT)", "fcatt", id->fcatt);
	emit_uint(e, "Max SGL Descriptors (MSDBD)", "msdbd", id->msdbd);
	emit_hex(e, "Fabrics Cmd Support (OFCS)", "ofcs", id->ofcs);
}

void print_ctrlr(struct emit *e, struct nvme_ctrlr *ctrlr)
{
	const struct nvme_id_ctrl *id = nvme_ctrlr_id(ctrlr);
	char trid[600];

	nvme_trid_fmt(nvme_ctrlr_trid(ctrlr), trid, sizeof(trid));
	emit_section_begin(e, "controller", "Controller");
	emit_str(e, "Transport ID", "trid", trid);
	emit_hex(e, "PCI Vendor ID (VID)", "vid", id->vid);
	emit_hex(e, "PCI Subsystem Vendor (SSVID)", "ssvid", id->ssvid);
	emit_text(e, "Serial Number (SN)", "sn", id->sn, sizeof(id->sn));
	emit_text(e, "Model Number (MN)", "mn", id->mn, sizeof(id->mn));
	emit_text(e, "Firmware Revision (FR)", "fr", id->fr, sizeof(id->fr));
	emit_bytes(e, "IEEE OUI", "ieee", id->ieee, sizeof(id->ieee));
	emit_hex(e, "Multi-Path/Ctrl (CMIC)", "cmic", id->cmic);
	emit_uint(e, "Max Data Transfer (MDTS)", "mdts", id->mdts);
	emit_uint(e, "Controller ID (CNTLID)", "cntlid", id->cntlid);
	print_version(e, id->ver);
	emit_hex(e, "Async Events (OAES)", "oaes", id->oaes);
	emit_hex(e, "Ctrl Attributes (CTRATT)", "ctratt", id->ctratt);
	emit_uint(e, "Controller Type (CNTRLTYPE)", "cntrltype", id->cntrltype);
	emit_hex(e, "Admin Commands (OACS)", "oacs", id->oacs);
	emit_uint(e, "Abort Limit (ACL)", "acl", id->acl);
	emit_uint(e, "Async Event Limit (AERL)", "aerl", id->aerl);
	emit_hex(e, "Log Page Attributes (LPA)", "lpa", id->lpa);
	emit_uint(e, "Keep Alive Granularity (KAS)", "kas", id->kas);
	emit_hex(e, "ANA Capabilities (ANACAP)", "anacap", id->anacap);
	print_ctrlr_nvm(e, id);
	emit_uint(e, "I/O Queues granted", "io_queues", nvme_ctrlr_num_io_queues(ctrlr));
	emit_section_end(e);
}

static void identify_cmd(struct nvme_cmd *cmd, uint32_t nsid, uint32_t cns)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opc = NVME_OPC_IDENTIFY;
	cmd->nsid = nsid;
	cmd->cdw10 = cns;
}

static void print_desc(struct emit *e, const struct nvme_ns_id_desc *d)
{
	switch (d->nidt) {
	case NVME_NIDT_EUI64:
		emit_bytes(e, "EUI64 (descriptor)", "desc_eui64", d->nid, d->nidl);
		break;
	case NVME_NIDT_NGUID:
		emit_bytes(e, "NGUID (descriptor)", "desc_nguid", d->nid, d->nidl);
		break;
	case NVME_NIDT_UUID: {
		const uint8_t *u = d->nid;
		char s[40];

		snprintf(s, sizeof(s),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			 u[12], u[13], u[14], u[15]);
		emit_str(e, "UUID", "uuid", s);
		break;
	}
	case NVME_NIDT_CSI:
		emit_uint(e, "Command Set (CSI)", "csi", d->nid[0]);
		break;
	default:
		emit_uint(e, "Unknown descriptor type", "unknown_nidt", d->nidt);
	}
}

/* Identify CNS 03h: the namespace identification descriptors. */
static int print_descriptors(struct emit *e, struct nvme_ctrlr *ctrlr, uint32_t nsid)
{
	uint8_t *buf = calloc(1, NVME_NS_ID_DESC_LIST_SIZE);
	struct nvme_cpl cpl;
	struct nvme_cmd cmd;
	size_t off = 0;
	int rc;

	if (!buf)
		return -ENOMEM;
	identify_cmd(&cmd, nsid, NVME_CNS_NS_ID_DESCRIPTOR_LIST);
	rc = nvme_ctrlr_admin_sync(ctrlr, &cmd, buf, NVME_NS_ID_DESC_LIST_SIZE, &cpl);
	if (rc == 0 && nvme_cpl_is_error(&cpl)) {
		emit_hex(e, "Descriptors: status", "desc_status", nvme_cpl_get_status(&cpl));
		goto out;
	}
	while (rc == 0 && off + sizeof(struct nvme_ns_id_desc) <= NVME_NS_ID_DESC_LIST_SIZE) {
		const struct nvme_ns_id_desc *d = (const void *)(buf + off);

		if (d->nidl == 0 || off + sizeof(*d) + d->nidl > NVME_NS_ID_DESC_LIST_SIZE)
			break;
		print_desc(e, d);
		off += sizeof(*d) + d->nidl;
	}
out:
	free(buf);
	return rc;
}

static int print_ns(struct emit *e, struct nvme_ctrlr *ctrlr, const struct nvme_ns *ns)
{
	const struct nvme_id_ns *id = nvme_ns_id(ns);
	uint64_t bytes = ns->num_blocks * ns->block_size;
	char title[64], size[64];
	int rc;

	snprintf(title, sizeof(title), "Namespace %u", ns->nsid);
	snprintf(size, sizeof(size), "%.2f GiB (%llu bytes)", (double)bytes / (1u << 30),
		 (unsigned long long)bytes);
	emit_item_begin(e, title);
	emit_uint(e, "Namespace ID", "nsid", ns->nsid);
	emit_str(e, "Size", "size_text", size);
	emit_uint(e, "Size in bytes", "size_bytes", bytes);
	emit_uint(e, "Size in blocks (NSZE)", "nsze", id->nsze);
	emit_uint(e, "Capacity (NCAP)", "ncap", id->ncap);
	emit_uint(e, "Utilization (NUSE)", "nuse", id->nuse);
	emit_uint(e, "Block size", "block_size", ns->block_size);
	emit_uint(e, "Max I/O blocks (MDTS)", "max_io_blocks", ns->max_io_blocks);
	emit_hex(e, "Features (NSFEAT)", "nsfeat", id->nsfeat);
	emit_hex(e, "Multi-path (NMIC)", "nmic", id->nmic);
	emit_uint(e, "ANA Group (ANAGRPID)", "anagrpid", id->anagrpid);
	emit_bytes(e, "NGUID", "nguid", id->nguid, sizeof(id->nguid));
	emit_bytes(e, "EUI64", "eui64", id->eui64, sizeof(id->eui64));
	rc = print_descriptors(e, ctrlr, ns->nsid);
	emit_item_end(e);
	return rc;
}

int print_namespaces(struct emit *e, struct nvme_ctrlr *ctrlr)
{
	struct nvme_ns *ns;
	int rc = 0, r;

	emit_array_begin(e, "namespaces");
	for (ns = nvme_ctrlr_ns_next(ctrlr, 0); ns; ns = nvme_ctrlr_ns_next(ctrlr, ns->nsid)) {
		r = print_ns(e, ctrlr, ns);
		if (r && !rc)
			rc = r;
	}
	emit_array_end(e);
	return rc;
}

static const char *trtype_name(uint8_t t)
{
	switch (t) {
	case NVMF_TRTYPE_RDMA:
		return "rdma";
	case NVMF_TRTYPE_FC:
		return "fc";
	case NVMF_TRTYPE_TCP:
		return "tcp";
	case NVMF_TRTYPE_LOOP:
		return "loop";
	default:
		return "unknown";
	}
}

static const char *adrfam_name(uint8_t a)
{
	switch (a) {
	case NVMF_ADRFAM_IPV4:
		return "ipv4";
	case NVMF_ADRFAM_IPV6:
		return "ipv6";
	case NVMF_ADRFAM_IB:
		return "ib";
	case NVMF_ADRFAM_FC:
		return "fc";
	case NVMF_ADRFAM_LOOP:
		return "loop";
	default:
		return "unknown";
	}
}

static const char *subtype_name(uint8_t s)
{
	switch (s) {
	case NVMF_SUBTYPE_DISCOVERY_REFERRAL:
		return "discovery referral";
	case NVMF_SUBTYPE_NVME:
		return "nvme subsystem";
	case NVMF_SUBTYPE_DISCOVERY_CURRENT:
		return "current discovery subsystem";
	default:
		return "unknown";
	}
}

static const char *treq_name(uint8_t t)
{
	switch (t & NVMF_TREQ_SECURE_CHANNEL_MASK) {
	case NVMF_TREQ_SECURE_CHANNEL_REQUIRED:
		return "secure channel required";
	case NVMF_TREQ_SECURE_CHANNEL_NOT_REQUIRED:
		return "not required";
	default:
		return "not specified";
	}
}

static void print_entry(struct emit *e, const struct nvmf_discovery_log_entry *d, uint64_t i)
{
	char title[32];

	snprintf(title, sizeof(title), "Entry %llu", (unsigned long long)i);
	emit_item_begin(e, title);
	emit_str(e, "trtype", "trtype", trtype_name(d->trtype));
	emit_str(e, "adrfam", "adrfam", adrfam_name(d->adrfam));
	emit_str(e, "subtype", "subtype", subtype_name(d->subtype));
	emit_str(e, "treq", "treq", treq_name(d->treq));
	emit_uint(e, "portid", "portid", d->portid);
	emit_text(e, "trsvcid", "trsvcid", d->trsvcid, sizeof(d->trsvcid));
	emit_text(e, "subnqn", "subnqn", d->subnqn, sizeof(d->subnqn));
	emit_text(e, "traddr", "traddr", d->traddr, sizeof(d->traddr));
	emit_hex(e, "cntlid", "cntlid", d->cntlid);
	emit_uint(e, "asqsz", "asqsz", d->asqsz);
	emit_hex(e, "eflags", "eflags", d->eflags);
	if (d->trtype == NVMF_TRTYPE_TCP)
		emit_uint(e, "sectype", "sectype", d->tsas.tcp.sectype);
	emit_item_end(e);
}

int print_discovery(struct emit *e, struct nvme_ctrlr *ctrlr)
{
	struct nvmf_discovery_log_hdr *log = NULL;
	size_t len = 0;
	uint64_t n;
	int rc;

	rc = nvme_ctrlr_discovery_log(ctrlr, &log, &len);
	if (rc) {
		fprintf(stderr, "nvme_identify: cannot read the discovery log: %s\n",
			strerror(-rc));
		return rc;
	}
	n = log->numrec;
	if (len < sizeof(*log) + n * sizeof(log->entries[0]))
		n = len < sizeof(*log) ? 0 : (len - sizeof(*log)) / sizeof(log->entries[0]);
	emit_section_begin(e, "discovery", "Discovery Log");
	emit_uint(e, "Generation counter", "genctr", log->genctr);
	emit_uint(e, "Number of records", "numrec", log->numrec);
	emit_array_begin(e, "entries");
	for (uint64_t i = 0; i < n; i++)
		print_entry(e, &log->entries[i], i);
	emit_array_end(e);
	emit_section_end(e);
	free(log);
	return 0;
}
