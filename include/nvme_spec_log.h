/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_spec_log.h - NVMe log pages, feature identifiers and asynchronous
 * events. Included by nvme_spec.h; include that one.
 *
 * Byte order: all multi-byte fields are little-endian on the wire (see
 * nvme_spec.h). The 16-byte counters of the SMART / health log are 128-bit
 * little-endian integers: use nvme_le128_add() and friends.
 */
#ifndef NVMF_TGT_NVME_SPEC_LOG_H
#define NVMF_TGT_NVME_SPEC_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "nvme_spec.h"

/* -------------------------------------------------------------- log pages */

enum nvme_log_page {
	NVME_LOG_SUPPORTED_PAGES = 0x00,
	NVME_LOG_ERROR = 0x01,
	NVME_LOG_HEALTH_INFORMATION = 0x02,
	NVME_LOG_FIRMWARE_SLOT = 0x03,
	NVME_LOG_CHANGED_NS_LIST = 0x04,
	NVME_LOG_COMMAND_EFFECTS = 0x05,
	NVME_LOG_DEVICE_SELF_TEST = 0x06,
	NVME_LOG_TELEMETRY_HOST = 0x07,
	NVME_LOG_TELEMETRY_CTRL = 0x08,
	NVME_LOG_ENDURANCE_GROUP_INFO = 0x09,
	NVME_LOG_PREDICTABLE_LATENCY = 0x0A,
	NVME_LOG_PREDICTABLE_LATENCY_AGGREGATE = 0x0B,
	NVME_LOG_ANA = 0x0C,
	NVME_LOG_PERSISTENT_EVENT = 0x0D,
	NVME_LOG_LBA_STATUS = 0x0E,
	NVME_LOG_ENDURANCE_GROUP_AGGREGATE = 0x0F,
	NVME_LOG_DISCOVERY = 0x70,
	NVME_LOG_RESERVATION_NOTIFICATION = 0x80,
	NVME_LOG_SANITIZE_STATUS = 0x81,
};

/** Error information log entry (log 01h), 64 bytes. */
struct nvme_error_log_entry {
	uint64_t error_count; /* unique, increasing; 0 = entry unused */
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;    /* CQE status field: bit 0 phase, 15:1 status */
	uint16_t param_loc; /* byte 7:0 and bit 10:8 of the offending field */
	uint64_t lba;
	uint32_t nsid;
	uint8_t vsia; /* vendor specific information available */
	uint8_t trtype;
	uint8_t rsvd30[2];
	uint64_t csi;  /* command specific information */
	uint16_t ttsi; /* transport type specific information */
	uint8_t rsvd42[22];
};
_Static_assert(sizeof(struct nvme_error_log_entry) == 64, "error log entry is 64 bytes");
_Static_assert(offsetof(struct nvme_error_log_entry, status) == 12, "error log status");
_Static_assert(offsetof(struct nvme_error_log_entry, lba) == 16, "error log lba");
_Static_assert(offsetof(struct nvme_error_log_entry, nsid) == 24, "error log nsid");
_Static_assert(offsetof(struct nvme_error_log_entry, trtype) == 29, "error log trtype");
_Static_assert(offsetof(struct nvme_error_log_entry, csi) == 32, "error log csi");

/** SMART / Health information log (log 02h), 512 bytes. */
struct nvme_health_log {
	uint8_t critical_warning; /* NVME_HEALTH_CW_* */
	uint16_t temperature;     /* composite, kelvin */
	uint8_t available_spare;  /* percent */
	uint8_t available_spare_threshold;
	uint8_t percentage_used;
	uint8_t endurance_group_cw;
	uint8_t rsvd7[25];
	/* 128-bit little-endian counters */
	uint8_t data_units_read[16]; /* thousands of 512-byte units, rounded up */
	uint8_t data_units_written[16];
	uint8_t host_read_commands[16];
	uint8_t host_write_commands[16];
	uint8_t controller_busy_time[16]; /* minutes */
	uint8_t power_cycles[16];
	uint8_t power_on_hours[16];
	uint8_t unsafe_shutdowns[16];
	uint8_t media_errors[16];
	uint8_t num_error_info_log_entries[16];
	uint32_t warning_temp_time;  /* minutes */
	uint32_t critical_temp_time; /* minutes */
	uint16_t temp_sensor[8];
	uint32_t thm_temp1_trans_count;
	uint32_t thm_temp2_trans_count;
	uint32_t thm_temp1_total_time;
	uint32_t thm_temp2_total_time;
	uint8_t rsvd232[280];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_health_log) == 512, "health log is 512 bytes");
_Static_assert(offsetof(struct nvme_health_log, temperature) == 1, "health temperature");
_Static_assert(offsetof(struct nvme_health_log, available_spare) == 3, "health spare");
_Static_assert(offsetof(struct nvme_health_log, data_units_read) == 32, "health dur");
_Static_assert(offsetof(struct nvme_health_log, data_units_written) == 48, "health duw");
_Static_assert(offsetof(struct nvme_health_log, host_read_commands) == 64, "health hrc");
_Static_assert(offsetof(struct nvme_health_log, host_write_commands) == 80, "health hwc");
_Static_assert(offsetof(struct nvme_health_log, controller_busy_time) == 96, "health cbt");
_Static_assert(offsetof(struct nvme_health_log, power_cycles) == 112, "health pc");
_Static_assert(offsetof(struct nvme_health_log, power_on_hours) == 128, "health poh");
_Static_assert(offsetof(struct nvme_health_log, unsafe_shutdowns) == 144, "health us");
_Static_assert(offsetof(struct nvme_health_log, media_errors) == 160, "health me");
_Static_assert(offsetof(struct nvme_health_log, num_error_info_log_entries) == 176, "health nele");
_Static_assert(offsetof(struct nvme_health_log, warning_temp_time) == 192, "health wctt");
_Static_assert(offsetof(struct nvme_health_log, temp_sensor) == 200, "health ts");
_Static_assert(offsetof(struct nvme_health_log, thm_temp1_trans_count) == 216, "health tmt");

#define NVME_HEALTH_CW_SPARE (1u << 0)
#define NVME_HEALTH_CW_TEMPERATURE (1u << 1)
#define NVME_HEALTH_CW_RELIABILITY (1u << 2)
#define NVME_HEALTH_CW_READ_ONLY (1u << 3)
#define NVME_HEALTH_CW_VOLATILE_BACKUP (1u << 4)
#define NVME_HEALTH_CW_PMR_READ_ONLY (1u << 5)

/** Firmware slot information log (log 03h), 512 bytes. */
struct nvme_firmware_log {
	uint8_t afi; /* active slot 2:0, next active slot 6:4 */
	uint8_t rsvd1[7];
	char frs[7][8]; /* revision per slot 1..7, ASCII */
	uint8_t rsvd64[448];
};
_Static_assert(sizeof(struct nvme_firmware_log) == 512, "firmware slot log is 512 bytes");
_Static_assert(offsetof(struct nvme_firmware_log, frs) == 8, "firmware log frs");

/** Changed namespace list (log 04h): 1024 NSIDs; first FFFFFFFFh = more than 1024. */
#define NVME_CHANGED_NS_LIST_MAX 1024
struct nvme_changed_ns_list {
	uint32_t ns_list[NVME_CHANGED_NS_LIST_MAX];
};
_Static_assert(sizeof(struct nvme_changed_ns_list) == 4096, "changed NS list is 4096 bytes");

/** Commands supported and effects log (log 05h), 4096 bytes. */
struct nvme_cmd_effects_log {
	uint32_t acs[256]; /* admin command n: effects of opcode n */
	uint32_t iocs[256];
	uint8_t rsvd2048[2048];
};
_Static_assert(sizeof(struct nvme_cmd_effects_log) == 4096, "command effects log is 4096 B");
_Static_assert(offsetof(struct nvme_cmd_effects_log, iocs) == 1024, "command effects iocs");

#define NVME_CMD_EFFECTS_CSUPP (1u << 0) /* command supported */
#define NVME_CMD_EFFECTS_LBCC (1u << 1)  /* logical block content change */
#define NVME_CMD_EFFECTS_NCC (1u << 2)   /* namespace capability change */
#define NVME_CMD_EFFECTS_NIC (1u << 3)   /* namespace inventory change */
#define NVME_CMD_EFFECTS_CCC (1u << 4)   /* controller capability change */
#define NVME_CMD_EFFECTS_CSE_SHIFT 16    /* command submission and execution, 18:16 */
#define NVME_CMD_EFFECTS_CSE_MASK 0x7u
#define NVME_CMD_EFFECTS_CSE_NS (1u << 16)  /* one at a time per namespace */
#define NVME_CMD_EFFECTS_CSE_ALL (2u << 16) /* one at a time per subsystem */
#define NVME_CMD_EFFECTS_UUID_SELECT (1u << 19)

/** ANA states. */
enum nvme_ana_state {
	NVME_ANA_OPTIMIZED = 0x1,
	NVME_ANA_NON_OPTIMIZED = 0x2,
	NVME_ANA_INACCESSIBLE = 0x3,
	NVME_ANA_PERSISTENT_LOSS = 0x4,
	NVME_ANA_CHANGE = 0xF,
};

/* Get Log Page LSP for the ANA log: bit 0 = return groups only (no NSIDs). */
#define NVME_ANA_LSP_RGO (1u << 0)

/** ANA log header (log 0Ch), 16 bytes, followed by group descriptors. */
struct nvme_ana_log_hdr {
	uint64_t change_count;
	uint16_t num_ana_group_desc;
	uint8_t rsvd10[6];
};
_Static_assert(sizeof(struct nvme_ana_log_hdr) == 16, "ANA log header is 16 bytes");

/** ANA group descriptor, 32 bytes followed by nnsids NSIDs. */
struct nvme_ana_group_desc {
	uint32_t anagrpid;
	uint32_t nnsids;
	uint64_t change_count;
	uint8_t state; /* enum nvme_ana_state in bits 3:0 */
	uint8_t rsvd17[15];
	uint32_t nsids[];
};
_Static_assert(sizeof(struct nvme_ana_group_desc) == 32, "ANA group descriptor is 32 bytes");
_Static_assert(offsetof(struct nvme_ana_group_desc, change_count) == 8, "ANA desc cc");
_Static_assert(offsetof(struct nvme_ana_group_desc, state) == 16, "ANA desc state");

enum nvme_resv_notification_type {
	NVME_RESV_NOTIFY_EMPTY = 0,
	NVME_RESV_NOTIFY_REGISTRATION_PREEMPTED = 1,
	NVME_RESV_NOTIFY_RESERVATION_RELEASED = 2,
	NVME_RESV_NOTIFY_RESERVATION_PREEMPTED = 3,
};

/** Reservation notification log (log 80h), 64 bytes. */
struct nvme_resv_notification_log {
	uint64_t log_page_count;
	uint8_t type; /* enum nvme_resv_notification_type */
	uint8_t num_avail_pages;
	uint8_t rsvd10[2];
	uint32_t nsid;
	uint8_t rsvd16[48];
};
_Static_assert(sizeof(struct nvme_resv_notification_log) == 64, "resv notification log");
_Static_assert(offsetof(struct nvme_resv_notification_log, nsid) == 12, "resv log nsid");

/* Sanitize Status (81h): progress, status and estimated times (seconds). */
struct nvme_sanitize_log {
	uint16_t sprog;  /* progress, numerator of n/65536 */
	uint16_t sstat;  /* bits 2:0 status of the most recent sanitize */
	uint32_t scdw10; /* CDW10 of the Sanitize that started it */
	uint32_t eto;    /* estimated time for Overwrite */
	uint32_t etbe;   /* ... Block Erase */
	uint32_t etce;   /* ... Crypto Erase */
	uint32_t etond;  /* ... with No-Deallocate After Sanitize */
	uint32_t etbend;
	uint32_t etcend;
	uint8_t rsvd32[480];
};
_Static_assert(sizeof(struct nvme_sanitize_log) == 512, "sanitize status log");
_Static_assert(offsetof(struct nvme_sanitize_log, etcend) == 28, "sanitize log etcend");

/* --------------------------------------------------------------- features */

enum nvme_feature_id {
	NVME_FEAT_ARBITRATION = 0x01,
	NVME_FEAT_POWER_MANAGEMENT = 0x02,
	NVME_FEAT_LBA_RANGE_TYPE = 0x03,
	NVME_FEAT_TEMPERATURE_THRESHOLD = 0x04,
	NVME_FEAT_ERROR_RECOVERY = 0x05,
	NVME_FEAT_VOLATILE_WRITE_CACHE = 0x06,
	NVME_FEAT_NUMBER_OF_QUEUES = 0x07,
	NVME_FEAT_INTERRUPT_COALESCING = 0x08,
	NVME_FEAT_INTERRUPT_VECTOR_CONFIG = 0x09,
	NVME_FEAT_WRITE_ATOMICITY = 0x0A,
	NVME_FEAT_ASYNC_EVENT_CONFIG = 0x0B,
	NVME_FEAT_AUTONOMOUS_POWER_STATE = 0x0C,
	NVME_FEAT_HOST_MEM_BUFFER = 0x0D,
	NVME_FEAT_TIMESTAMP = 0x0E,
	NVME_FEAT_KEEP_ALIVE_TIMER = 0x0F,
	NVME_FEAT_HOST_THERMAL_MGMT = 0x10,
	NVME_FEAT_NON_OPERATIONAL_POWER_STATE = 0x11,
	NVME_FEAT_READ_RECOVERY_LEVEL = 0x12,
	NVME_FEAT_PLM_CONFIG = 0x13,
	NVME_FEAT_PLM_WINDOW = 0x14,
	NVME_FEAT_LBA_STATUS_INFO = 0x15,
	NVME_FEAT_HOST_BEHAVIOR = 0x16,
	NVME_FEAT_SANITIZE_CONFIG = 0x17,
	NVME_FEAT_ENDURANCE_EVENT_CONFIG = 0x18,
	NVME_FEAT_IO_COMMAND_SET_PROFILE = 0x19,
	NVME_FEAT_SOFTWARE_PROGRESS_MARKER = 0x80,
	NVME_FEAT_HOST_IDENTIFIER = 0x81,
	NVME_FEAT_RESERVATION_NOTIFICATION_MASK = 0x82,
	NVME_FEAT_RESERVATION_PERSISTENCE = 0x83,
	NVME_FEAT_NS_WRITE_PROTECTION = 0x84,
};

/* Number of Queues (CDW11 and completion CDW0): NSQR 15:0, NCQR 31:16, zero-based. */
#define NVME_FEAT_NUM_QUEUES(nsqr, ncqr) ((uint32_t)(((ncqr)&0xFFFFu) << 16 | ((nsqr)&0xFFFFu)))
#define NVME_FEAT_NUM_QUEUES_NSQR(v) ((uint16_t)((v)&0xFFFFu))
#define NVME_FEAT_NUM_QUEUES_NCQR(v) ((uint16_t)((v) >> 16))

/* Volatile Write Cache (CDW11): bit 0 WCE. */
#define NVME_FEAT_VWC_WCE (1u << 0)

/* Host Identifier (CDW11): bit 0 EXHID = 128-bit host identifier. */
#define NVME_FEAT_HOSTID_EXHID (1u << 0)

/* Keep Alive Timer (CDW11): KATO in milliseconds. */

/* Asynchronous Event Configuration (CDW11) */
#define NVME_AEC_SMART_MASK 0xFFu /* critical warning bits */
#define NVME_AEC_NS_ATTR (1u << 8)
#define NVME_AEC_FW_ACTIVATION (1u << 9)
#define NVME_AEC_TELEMETRY (1u << 10)
#define NVME_AEC_ANA_CHANGE (1u << 11)
#define NVME_AEC_PLEA (1u << 12)
#define NVME_AEC_LBA_STATUS (1u << 13)
#define NVME_AEC_EGEALCN (1u << 14)
#define NVME_AEC_NNSSHDN (1u << 15)
#define NVME_AEC_DISCOVERY_LOG_CHANGE (1u << 31)

/* Reservation Notification Mask (CDW11) */
#define NVME_RESV_MASK_REGISTRATION_PREEMPTED (1u << 1)
#define NVME_RESV_MASK_RESERVATION_RELEASED (1u << 2)
#define NVME_RESV_MASK_RESERVATION_PREEMPTED (1u << 3)

/* Reservation Persistence (CDW11): bit 0 PTPL. */
#define NVME_FEAT_RESV_PTPL (1u << 0)

/* Temperature Threshold (CDW11): TMPTH 15:0 kelvin, TMPSEL 19:16, THSEL 21:20. */
#define NVME_FEAT_TEMP_TMPTH_MASK 0xFFFFu
#define NVME_FEAT_TEMP_TMPSEL_SHIFT 16
#define NVME_FEAT_TEMP_THSEL_SHIFT 20

/* Arbitration (CDW11): AB 2:0, LPW 15:8, MPW 23:16, HPW 31:24. */
#define NVME_FEAT_ARB_AB_MASK 0x7u

/* Capabilities returned by Get Features with SEL = 3 (completion CDW0). */
#define NVME_FEAT_CAP_SAVEABLE (1u << 0)
#define NVME_FEAT_CAP_NS_SPECIFIC (1u << 1)
#define NVME_FEAT_CAP_CHANGEABLE (1u << 2)

/* -------------------------------------------------------- async events */

/*
 * Asynchronous Event Request completion CDW0: event type in bits 2:0, event
 * information in 15:8, the log page to read (which clears the event) in
 * 23:16. Build one with NVME_ASYNC_EVENT().
 */
#define NVME_ASYNC_EVENT(type, info, lid)                                                          \
	((uint32_t)(((unsigned)(type)&0x7u) | ((unsigned)(info)&0xFFu) << 8 |                      \
		    ((unsigned)(lid)&0xFFu) << 16))
#define NVME_ASYNC_EVENT_TYPE(cdw0) ((uint8_t)((cdw0)&0x7u))
#define NVME_ASYNC_EVENT_INFO(cdw0) ((uint8_t)(((cdw0) >> 8) & 0xFFu))
#define NVME_ASYNC_EVENT_LID(cdw0) ((uint8_t)(((cdw0) >> 16) & 0xFFu))

enum nvme_async_event_type {
	NVME_AER_TYPE_ERROR = 0x0,
	NVME_AER_TYPE_SMART = 0x1,
	NVME_AER_TYPE_NOTICE = 0x2,
	NVME_AER_TYPE_IO_SPECIFIC = 0x6,
	NVME_AER_TYPE_VENDOR = 0x7,
};

/** Error status events (log page: error information, 01h). */
enum nvme_async_event_error {
	NVME_AER_ERROR_INVALID_DB_WRITE = 0x00,
	NVME_AER_ERROR_INVALID_DB_VALUE = 0x01,
	NVME_AER_ERROR_DIAGNOSTIC_FAILURE = 0x02,
	NVME_AER_ERROR_PERSISTENT_INTERNAL = 0x03,
	NVME_AER_ERROR_TRANSIENT_INTERNAL = 0x04,
	NVME_AER_ERROR_FW_IMAGE_LOAD = 0x05,
};

/** SMART / health events (log page: health information, 02h). */
enum nvme_async_event_smart {
	NVME_AER_SMART_RELIABILITY = 0x00,
	NVME_AER_SMART_TEMPERATURE = 0x01,
	NVME_AER_SMART_SPARE = 0x02,
};

/** Notice events; the comment names the log page each points to. */
enum nvme_async_event_notice {
	NVME_AER_NOTICE_NS_ATTR_CHANGED = 0x00,      /* 04h changed namespace list */
	NVME_AER_NOTICE_FW_ACTIVATION = 0x01,        /* 03h firmware slot */
	NVME_AER_NOTICE_TELEMETRY = 0x02,            /* 08h telemetry controller-initiated */
	NVME_AER_NOTICE_ANA_CHANGE = 0x03,           /* 0Ch ANA */
	NVME_AER_NOTICE_PLEA_CHANGE = 0x04,          /* 0Bh predictable latency aggregate */
	NVME_AER_NOTICE_LBA_STATUS = 0x05,           /* 0Eh LBA status */
	NVME_AER_NOTICE_EGEA_CHANGE = 0x06,          /* 0Fh endurance group aggregate */
	NVME_AER_NOTICE_NVM_SHUTDOWN = 0x07,         /* no log page */
	NVME_AER_NOTICE_DISCOVERY_LOG_CHANGE = 0xF0, /* 70h discovery */
};

/** I/O command set specific events. */
enum nvme_async_event_io {
	NVME_AER_IO_RESERVATION_LOG = 0x00,    /* 80h reservation notification */
	NVME_AER_IO_SANITIZE_COMPLETED = 0x01, /* 81h sanitize status */
	NVME_AER_IO_SANITIZE_DEALLOC = 0x02,   /* 81h sanitize status */
};

#endif /* NVMF_TGT_NVME_SPEC_LOG_H */
