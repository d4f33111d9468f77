/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin_features.c - Get / Set Features. Values live in the controller
 * (admin poll group). Discovery controllers serve Keep Alive Timer and
 * Asynchronous Event Configuration only.
 */
#include <string.h>

#include "nvmf/nvmf_internal.h"

static bool feat_discovery_ok(uint8_t fid)
{
	return fid == NVME_FEAT_KEEP_ALIVE_TIMER || fid == NVME_FEAT_ASYNC_EVENT_CONFIG;
}

static uint32_t granted_queues(struct nvmf_ctrlr *ctrlr)
{
	uint32_t n = atomic_load_explicit(&ctrlr->io_queues_granted, memory_order_relaxed);

	return NVME_FEAT_NUM_QUEUES(n - 1, n - 1);
}

static bool feat_changeable(uint8_t fid)
{
	switch (fid) {
	case NVME_FEAT_TEMPERATURE_THRESHOLD:
	case NVME_FEAT_VOLATILE_WRITE_CACHE:
	case NVME_FEAT_NUMBER_OF_QUEUES:
	case NVME_FEAT_ASYNC_EVENT_CONFIG:
	case NVME_FEAT_KEEP_ALIVE_TIMER:
	case NVME_FEAT_RESERVATION_NOTIFICATION_MASK:
	case NVME_FEAT_RESERVATION_PERSISTENCE:
		return true;
	default:
		return false;
	}
}

static uint16_t get_host_id(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr)
{
	if (!(req->cmd.cdw11 & NVME_FEAT_HOSTID_EXHID))
		return NVMF_ST_INVALID_FIELD; /* only the 128-bit identifier exists */
	nvmf_req_copy_to(req, 0, ctrlr->hostid, sizeof(ctrlr->hostid));
	return NVME_STATUS_SUCCESS;
}

static uint16_t get_value(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr, uint8_t fid)
{
	uint32_t *v = &req->cpl.cdw0;

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_POWER_MANAGEMENT:
	case NVME_FEAT_ERROR_RECOVERY:
	case NVME_FEAT_WRITE_ATOMICITY:
		*v = 0;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_TEMPERATURE_THRESHOLD:
		/* Over-temperature threshold of the composite sensor; others 0. */
		*v = (req->cmd.cdw11 >> NVME_FEAT_TEMP_TMPSEL_SHIFT) & 0x3f ? 0
									    : ctrlr->temp_threshold;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_VOLATILE_WRITE_CACHE:
		*v = atomic_load(&ctrlr->vwc_enabled) && nvmf_ss_has_vwc(ctrlr->ss)
			 ? NVME_FEAT_VWC_WCE
			 : 0;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_NUMBER_OF_QUEUES:
		*v = granted_queues(ctrlr);
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_ASYNC_EVENT_CONFIG:
		*v = ctrlr->aec;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_KEEP_ALIVE_TIMER:
		*v = ctrlr->kato_ms;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_HOST_IDENTIFIER:
		return get_host_id(req, ctrlr);
	case NVME_FEAT_RESERVATION_NOTIFICATION_MASK:
	case NVME_FEAT_RESERVATION_PERSISTENCE:
		return nvmf_resv_get_feature(req, fid);
	default:
		return NVMF_ST_INVALID_FIELD;
	}
}

uint16_t nvmf_admin_get_features(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint8_t fid = req->cmd.cdw10 & NVME_FEAT_FID_MASK;
	uint8_t sel = (req->cmd.cdw10 >> NVME_FEAT_SEL_SHIFT) & NVME_FEAT_SEL_MASK;

	if (ctrlr->ss->discovery && !feat_discovery_ok(fid))
		return NVMF_ST_INVALID_FIELD;
	if (sel == NVME_FEAT_SEL_SUPPORTED) {
		uint16_t st = get_value(req, ctrlr, fid);
		req->cpl.cdw0 = feat_changeable(fid) ? NVME_FEAT_CAP_CHANGEABLE : 0;
		return st;
	}
	if (sel > NVME_FEAT_SEL_SUPPORTED)
		return NVMF_ST_INVALID_FIELD;
	return get_value(req, ctrlr, fid);
}

static uint16_t set_num_queues(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr)
{
	uint32_t nsqr = NVME_FEAT_NUM_QUEUES_NSQR(req->cmd.cdw11);
	uint32_t ncqr = NVME_FEAT_NUM_QUEUES_NCQR(req->cmd.cdw11);
	uint32_t want, granted;

	if (nsqr == 0xffff || ncqr == 0xffff)
		return NVMF_ST_INVALID_FIELD;
	want = (nsqr < ncqr ? nsqr : ncqr) + 1;
	granted = want < ctrlr->max_qpairs - 1 ? want : ctrlr->max_qpairs - 1;
	atomic_store_explicit(&ctrlr->io_queues_granted, granted, memory_order_relaxed);
	ctrlr->num_queues_set = true;
	req->cpl.cdw0 = granted_queues(ctrlr);
	return NVME_STATUS_SUCCESS;
}

static uint16_t set_value(struct nvmf_request *req, struct nvmf_ctrlr *ctrlr, uint8_t fid)
{
	uint32_t v = req->cmd.cdw11;

	switch (fid) {
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_ERROR_RECOVERY:
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_POWER_MANAGEMENT:
		return (v & 0x1f) == 0 ? NVME_STATUS_SUCCESS : NVMF_ST_INVALID_FIELD;
	case NVME_FEAT_TEMPERATURE_THRESHOLD:
		if (((v >> NVME_FEAT_TEMP_TMPSEL_SHIFT) & 0x3f) == 0)
			ctrlr->temp_threshold = v & NVME_FEAT_TEMP_TMPTH_MASK;
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_VOLATILE_WRITE_CACHE:
		atomic_store(&ctrlr->vwc_enabled, (v & NVME_FEAT_VWC_WCE) != 0);
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_NUMBER_OF_QUEUES:
		return set_num_queues(req, ctrlr);
	case NVME_FEAT_ASYNC_EVENT_CONFIG:
		nvmf_ctrlr_set_aec(ctrlr, v);
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_KEEP_ALIVE_TIMER:
		ctrlr->kato_ms = nvmf_kato_round(v);
		return NVME_STATUS_SUCCESS;
	case NVME_FEAT_HOST_IDENTIFIER:
		/* Set by Connect on fabrics. */
		return NVMF_ST_DNR(NVME_STATUS_GENERIC(NVME_SC_COMMAND_SEQUENCE_ERROR));
	case NVME_FEAT_RESERVATION_NOTIFICATION_MASK:
	case NVME_FEAT_RESERVATION_PERSISTENCE:
		return nvmf_resv_set_feature(req, fid);
	default:
		return NVMF_ST_INVALID_FIELD;
	}
}

uint16_t nvmf_admin_set_features(struct nvmf_request *req)
{
	struct nvmf_ctrlr *ctrlr = req->qpair->ctrlr;
	uint8_t fid = req->cmd.cdw10 & NVME_FEAT_FID_MASK;

	if (ctrlr->ss->discovery && !feat_discovery_ok(fid))
		return NVMF_ST_INVALID_FIELD;
	if (req->cmd.cdw10 & NVME_FEAT_SV)
		return NVMF_ST_DNR(NVME_STATUS_CMD(NVME_SC_FEATURE_ID_NOT_SAVEABLE));
	return set_value(req, ctrlr, fid);
}
