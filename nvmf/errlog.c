/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * errlog.c - the error information log (01h) of a target controller: a
 * ring of the last NVMF_ERRLOG_SLOTS commands completed with an error.
 * Written from whichever poll group completed the command, under a spin
 * lock held for a 64-byte copy (errors are rare; no I/O path takes it
 * otherwise).
 */
#include <string.h>

#include "nvmf/health.h"

static void errlog_lock(struct nvmf_errlog *log)
{
	while (atomic_flag_test_and_set_explicit(&log->lock, memory_order_acquire))
		;
}

static void errlog_unlock(struct nvmf_errlog *log)
{
	atomic_flag_clear_explicit(&log->lock, memory_order_release);
}

void nvmf_errlog_init(struct nvmf_errlog *log)
{
	memset(log->ring, 0, sizeof(log->ring));
	log->count = 0;
	atomic_flag_clear(&log->lock);
}

/* The LBA a command names, for the commands that name one. */
static uint64_t cmd_lba(uint16_t sqid, const struct nvme_cmd *cmd)
{
	if (sqid == 0)
		return 0;
	switch (cmd->opc) {
	case NVME_OPC_READ:
	case NVME_OPC_WRITE:
	case NVME_OPC_WRITE_ZEROES:
	case NVME_OPC_COMPARE:
		return (uint64_t)cmd->cdw11 << 32 | cmd->cdw10;
	default:
		return 0;
	}
}

void nvmf_errlog_record(struct nvmf_errlog *log, uint16_t sqid, const struct nvme_cmd *cmd,
			uint16_t status, uint8_t trtype)
{
	struct nvme_error_log_entry e;

	memset(&e, 0, sizeof(e));
	e.sqid = sqid;
	e.cid = cmd->cid;
	e.status = (uint16_t)(status << 1); /* bit 0 is the phase tag */
	e.param_loc = 0xffff;               /* not known */
	e.lba = cmd_lba(sqid, cmd);
	e.nsid = cmd->nsid;
	e.trtype = trtype;
	errlog_lock(log);
	e.error_count = ++log->count;
	log->ring[(e.error_count - 1) % NVMF_ERRLOG_SLOTS] = e;
	errlog_unlock(log);
}

uint64_t nvmf_errlog_count(struct nvmf_errlog *log)
{
	uint64_t n;

	errlog_lock(log);
	n = log->count;
	errlog_unlock(log);
	return n;
}

size_t nvmf_errlog_fill(struct nvmf_errlog *log, struct nvme_error_log_entry *out, uint32_t max)
{
	uint32_t n = 0;

	errlog_lock(log);
	for (uint64_t c = log->count; c > 0 && n < max && n < NVMF_ERRLOG_SLOTS; c--)
		out[n++] = log->ring[(c - 1) % NVMF_ERRLOG_SLOTS];
	errlog_unlock(log);
	return (size_t)max * sizeof(*out);
}
