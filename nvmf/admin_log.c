/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_log.c - Get Log Page: error information, SMART / health, firmware
 * slot, changed namespace list, commands supported and effects, ANA (ana.c),
 * sanitize status (the drive's, when Sanitize is passed to it:
 * admin_passthru.c), and (on discovery controllers) the discovery log. Each page is built whole, then
 * the bytes [offset, offset + length) are copied.
 */
#include <string.h>

#include "env.h"
#include "nvmf/nvmf_internal.h"

#define HEALTH_TEMPERATURE_K 293 /* 20 C when no local drive is behind the namespaces */
#define DATA_UNIT_BYTES (512ull * 1000)

static void health_fill(struct nvme_health_log *h, struct nvmf_ctrlr *ctrlr)
{
	struct nvmf_ctrlr_totals t;
	uint64_t hours = (env_ticks() - ctrlr->ss->tgt->start_tick) / env_ticks_hz() / 3600;

	nvmf_ctrlr_sum_stats(ctrlr, &t);
	h->temperature = HEALTH_TEMPERATURE_K;
	h->available_spare = 100;
	h->available_spare_threshold = 10;
	nvme_le128_set(h->data_units_read, (t.bytes_read + DATA_UNIT_BYTES - 1) / DATA_UNIT_BYTES);
	nvme_le128_set(h->data_units_written,
		       (t.bytes_written + DATA_UNIT_BYTES - 1) / DATA_UNIT_BYTES);
	nvme_le128_set(h->host_read_commands, t.read_cmds);
	nvme_le128_set(h->host_write_commands, t.write_cmds);
	nvme_le128_set(h->power_cycles, 1);
	nvme_le128_set(h->power_on_hours, hours);
	nvme_le128_set(h->num_error_info_log_entries, nvmf_errlog_count(&ctrlr->errlog));
	h->temp_sensor[0] = HEALTH_TEMPERATURE_K;
}

static void changed_ns_fill(struct nvme_changed_ns_list *l, struct nvmf_ctrlr *ctrlr, bool rae)
{
	if (ctrlr->changed_overflow)
		l->ns_list[0] = NVME_NSID_ALL;
	else
		memcpy(l->ns_list, ctrlr->changed_ns, ctrlr->nchanged * sizeof(uint32_t));
	if (rae)
		return;
	ctrlr->nchanged = 0;
	ctrlr->changed_overflow = false;
	nvmf_ctrlr_notice_read(ctrlr, NVMF_NOTICE_NS_ATTR);
}

static void effects_fill(struct nvme_cmd_effects_log *e, struct nvmf_ctrlr *ctrlr)
{
	static const uint8_t admin[] = {NVME_OPC_GET_LOG_PAGE, NVME_OPC_IDENTIFY,
					NVME_OPC_ABORT,        NVME_OPC_SET_FEATURES,
					NVME_OPC_GET_FEATURES, NVME_OPC_ASYNC_EVENT_REQUEST,
					NVME_OPC_KEEP_ALIVE};
	static const uint8_t io_change[] = {NVME_OPC_WRITE, NVME_OPC_WRITE_ZEROES,
					    NVME_OPC_DATASET_MANAGEMENT};
	static const uint8_t io_read[] = {NVME_OPC_FLUSH,
					  NVME_OPC_READ,
					  NVME_OPC_COMPARE,
					  NVME_OPC_RESERVATION_REGISTER,
					  NVME_OPC_RESERVATION_REPORT,
					  NVME_OPC_RESERVATION_ACQUIRE,
					  NVME_OPC_RESERVATION_RELEASE};

	for (size_t i = 0; i < sizeof(admin); i++)
		e->acs[admin[i]] = NVME_CMD_EFFECTS_CSUPP;
	for (size_t i = 0; i < sizeof(io_change); i++)
		e->iocs[io_change[i]] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC;
	for (size_t i = 0; i < sizeof(io_read); i++)
		e->iocs[io_read[i]] = NVME_CMD_EFFECTS_CSUPP;
	if (!nvmf_admin_passthru_on(ctrlr->ss))
		return;
	/* Passed to the drive (admin_passthru.c): what each one changes. */
	e->acs[NVME_OPC_FORMAT_NVM] = NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC |
				      NVME_CMD_EFFECTS_NCC | NVME_CMD_EFFECTS_CSE_ALL;
	e->acs[NVME_OPC_SANITIZE] =
	    NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_LBCC | NVME_CMD_EFFECTS_CSE_ALL;
	e->acs[NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD] = NVME_CMD_EFFECTS_CSUPP;
	e->acs[NVME_OPC_FIRMWARE_COMMIT] =
	    NVME_CMD_EFFECTS_CSUPP | NVME_CMD_EFFECTS_CCC | NVME_CMD_EFFECTS_CSE_ALL;
}

/* Build page @lid into @buf (4 KiB, zeroed). @return its size, or 0 when unknown. */
static size_t log_build(uint8_t lid, void *buf, struct nvmf_ctrlr *ctrlr, bool rae)
{
	switch (lid) {
	case NVME_LOG_ERROR:
		return nvmf_errlog_fill(&ctrlr->errlog, buf, NVMF_ERROR_LOG_MAX);
	case NVME_LOG_HEALTH_INFORMATION:
		health_fill(buf, ctrlr);
		return sizeof(struct nvme_health_log);
	case NVME_LOG_FIRMWARE_SLOT: {
		struct nvme_firmware_log *fw = buf;
		fw->afi = 1;
		memset(fw->frs[0], ' ', sizeof(fw->frs[0]));
		memcpy(fw->frs[0], NVMF_FW_REVISION, strlen(NVMF_FW_REVISION));
		return sizeof(*fw);
	}
	case NVME_LOG_CHANGED_NS_LIST:
		changed_ns_fill(buf, ctrlr, rae);
		return sizeof(struct nvme_changed_ns_list);
	case NVME_LOG_COMMAND_EFFECTS:
		effects_fill(buf, ctrlr);
		return sizeof(struct nvme_cmd_effects_log);
	case NVME_LOG_RESERVATION_NOTIFICATION:
		nvmf_resv_log_fill(ctrlr, buf, rae);
		return sizeof(struct nvme_resv_notification_log);
	default:
		return 0;
	}
}

uint16_t nvmf_admin_get_log_page(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint8_t lid = req->cmd.cdw10 & NVME_GLP_LID_MASK;
	bool rae = (req->cmd.cdw10 & NVME_GLP_RAE) != 0;
	uint64_t off = nvme_glp_offset(&req->cmd);
	uint32_t buf[1024];
	size_t len;

	if (off & 3)
		return NVMF_ST_INVALID_FIELD;
	if (ctrlr->ss->discovery) {
		if (lid != NVME_LOG_DISCOVERY)
			return NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_INVALID_LOG_PAGE));
		return nvmf_discovery_get_log(req, off);
	}
	if (lid == NVME_LOG_ANA)
		return nvmf_ana_get_log(req, off);
	/* Sanitize runs on the drive: so does its status (admin_passthru.c). */
	if (lid == NVME_LOG_SANITIZE_STATUS && nvmf_admin_passthru_on(ctrlr->ss))
		return nvmf_admin_passthru(req);
	memset(buf, 0, sizeof(buf));
	len = log_build(lid, buf, ctrlr, rae);
	if (lid == NVME_LOG_HEALTH_INFORMATION && !nvmf_health_fill(req, (void *)buf))
		return NVMF_STATUS_ASYNC; /* parked until the drives answer (health.c) */
	if (len == 0)
		return NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_INVALID_LOG_PAGE));
	if (off >= len)
		return NVMF_ST_INVALID_FIELD;
	nvmf_req_copy_page(req, buf, len, off, nvme_glp_len(&req->cmd));
	return NVME_STATUS_SUCCESS;
}
