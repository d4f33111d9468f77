/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_spec.h - NVMe base specification wire structures and constants:
 * submission / completion queue entries, status codes, opcodes, controller
 * registers, SGL and PRP rules. Identify and reservation data structures
 * are in nvme_spec_id.h; log pages, features and asynchronous events in
 * nvme_spec_log.h (both included at the end).
 *
 * Byte order: every multi-byte field on the wire and in the controller
 * registers is little-endian. The structures below are declared in host
 * order and the project builds only for little-endian hosts (checked here),
 * so aligned structure fields may be read and written directly. For raw,
 * possibly unaligned byte buffers use nvme_get_le16/32/64() and
 * nvme_put_le16/32/64().
 *
 * Every wire structure has its size and key field offsets checked with
 * _Static_assert. Everything here is a type, a constant or a pure inline
 * function: thread-safe.
 */
#ifndef NVMF_TGT_NVME_SPEC_H
#define NVMF_TGT_NVME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "nvme_spec.h: the wire structures assume a little-endian host"
#endif

/* ------------------------------------------------------ little-endian helpers */

/** Host value to little-endian and back (identity on the supported hosts). */
static inline uint16_t nvme_to_le16(uint16_t v)
{
	return v;
}
static inline uint32_t nvme_to_le32(uint32_t v)
{
	return v;
}
static inline uint64_t nvme_to_le64(uint64_t v)
{
	return v;
}
static inline uint16_t nvme_from_le16(uint16_t v)
{
	return v;
}
static inline uint32_t nvme_from_le32(uint32_t v)
{
	return v;
}
static inline uint64_t nvme_from_le64(uint64_t v)
{
	return v;
}

/** Load a little-endian value from @p (any alignment). @return the host value. */
static inline uint16_t nvme_get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}

static inline uint32_t nvme_get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t nvme_get_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)nvme_get_le32(b) | (uint64_t)nvme_get_le32(b + 4) << 32;
}

/** Store @v little-endian at @p (any alignment). */
static inline void nvme_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void nvme_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void nvme_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;

	nvme_put_le32(b, (uint32_t)v);
	nvme_put_le32(b + 4, (uint32_t)(v >> 32));
}

/**
 * Add @v to the 128-bit little-endian counter at @ctr (16 bytes, any
 * alignment), carrying into the upper half; wraps at 2^128. The SMART log
 * counters (data units read, power cycles, ...) use this format.
 */
static inline void nvme_le128_add(void *ctr, uint64_t v)
{
	uint8_t *b = ctr;
	uint64_t lo = nvme_get_le64(b);
	uint64_t hi = nvme_get_le64(b + 8);
	uint64_t sum = lo + v;

	if (sum < lo)
		hi++;
	nvme_put_le64(b, sum);
	nvme_put_le64(b + 8, hi);
}

/** Set the 128-bit little-endian counter at @ctr to @v. */
static inline void nvme_le128_set(void *ctr, uint64_t v)
{
	nvme_put_le64(ctr, v);
	nvme_put_le64((uint8_t *)ctr + 8, 0);
}

/** Read the 128-bit counter at @ctr, saturated to UINT64_MAX. */
static inline uint64_t nvme_le128_get_sat(const void *ctr)
{
	const uint8_t *b = ctr;

	return nvme_get_le64(b + 8) ? UINT64_MAX : nvme_get_le64(b);
}

/* ------------------------------------------------------------ sizes, limits */

#define NVME_ADMIN_QID 0
#define NVME_MAX_QID 0xFFFE
#define NVME_NSID_ALL 0xFFFFFFFFu /* broadcast namespace id */
#define NVME_NQN_FIELD_LEN 256    /* NQN fields: NUL-terminated, 223 chars max */
#define NVME_SN_LEN 20
#define NVME_MN_LEN 40
#define NVME_FR_LEN 8
#define NVME_IDENTIFY_DATA_SIZE 4096
#define NVME_SQE_SIZE 64
#define NVME_CQE_SIZE 16
#define NVME_SQES_LOG2 6 /* IOSQES / SQES value for 64-byte entries */
#define NVME_CQES_LOG2 4 /* IOCQES / CQES value for 16-byte entries */

/* ------------------------------------------------------------ SGL descriptor */

enum nvme_sgl_type {
	NVME_SGL_TYPE_DATA_BLOCK = 0x0,
	NVME_SGL_TYPE_BIT_BUCKET = 0x1,
	NVME_SGL_TYPE_SEGMENT = 0x2,
	NVME_SGL_TYPE_LAST_SEGMENT = 0x3,
	NVME_SGL_TYPE_KEYED_DATA_BLOCK = 0x4,
	NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK = 0x5,
	NVME_SGL_TYPE_VENDOR = 0xF,
};

enum nvme_sgl_subtype {
	NVME_SGL_SUBTYPE_ADDRESS = 0x0,
	NVME_SGL_SUBTYPE_OFFSET = 0x1,         /* in-capsule data: address is an offset */
	NVME_SGL_SUBTYPE_TRANSPORT = 0xA,      /* NVMe/TCP: data via R2T / C2HData */
	NVME_SGL_SUBTYPE_INVALIDATE_KEY = 0xF, /* NVMe/RDMA keyed: invalidate the key */
};

/**
 * SGL descriptor, 16 bytes. Byte 15 is the SGL identifier: type in bits 7:4,
 * subtype in bits 3:0. Unkeyed descriptors have a 32-bit length at byte 8;
 * keyed data blocks (RDMA) have a 64-bit address, a 24-bit length at byte 8
 * and a 32-bit key at byte 11.
 */
struct nvme_sgl_desc {
	uint64_t address;
	union {
		struct {
			uint32_t length;
			uint8_t rsvd[3];
			uint8_t subtype : 4;
			uint8_t type : 4;
		} unkeyed;
		struct {
			uint64_t length : 24;
			uint64_t key : 32;
			uint64_t subtype : 4;
			uint64_t type : 4;
		} keyed;
		struct {
			uint8_t rsvd[7];
			uint8_t subtype : 4;
			uint8_t type : 4;
		} generic;
	};
};
_Static_assert(sizeof(struct nvme_sgl_desc) == 16, "SGL descriptor is 16 bytes");

#define NVME_SGL_KEYED_MAX_LEN 0xFFFFFFu

/** SGL type of @d (NVME_SGL_TYPE_*). */
static inline uint8_t nvme_sgl_type(const struct nvme_sgl_desc *d)
{
	return d->generic.type;
}

/** SGL subtype of @d (NVME_SGL_SUBTYPE_*). */
static inline uint8_t nvme_sgl_subtype(const struct nvme_sgl_desc *d)
{
	return d->generic.subtype;
}

/** Fill @d as an unkeyed descriptor of @type / @subtype. */
static inline void nvme_sgl_set_unkeyed(struct nvme_sgl_desc *d, uint8_t type, uint8_t subtype,
					uint64_t address, uint32_t length)
{
	*d = (struct nvme_sgl_desc){0};
	d->address = address;
	d->unkeyed.length = length;
	d->unkeyed.type = type & 0xF;
	d->unkeyed.subtype = subtype & 0xF;
}

/** Fill @d as a keyed data block; @length must be <= NVME_SGL_KEYED_MAX_LEN. */
static inline void nvme_sgl_set_keyed(struct nvme_sgl_desc *d, uint8_t subtype, uint64_t address,
				      uint32_t length, uint32_t key)
{
	*d = (struct nvme_sgl_desc){0};
	d->address = address;
	d->keyed.length = length & NVME_SGL_KEYED_MAX_LEN;
	d->keyed.key = key;
	d->keyed.type = NVME_SGL_TYPE_KEYED_DATA_BLOCK;
	d->keyed.subtype = subtype & 0xF;
}

/* ------------------------------------------------------------------ PRP rules */

/*
 * PRP (physical region page) rules, with page size P = 2^(12 + CC.MPS):
 * - PRP1 may start at any dword-aligned offset inside a page; every later
 *   entry must be page-aligned (offset 0).
 * - If the transfer touches one page, PRP2 is unused (0). If it touches two
 *   pages, PRP2 is the second page. If it touches more than two pages, PRP2
 *   points to a PRP list: an array of 8-byte page addresses; when a list
 *   fills its page, its last entry points to the next list page instead.
 */

/** Number of memory pages a transfer of @len bytes at @addr touches. */
static inline uint32_t nvme_prp_pages(uint64_t addr, uint32_t len, uint32_t page_size)
{
	uint64_t off = addr & (page_size - 1);

	if (len == 0)
		return 0;
	return (uint32_t)((off + len + page_size - 1) / page_size);
}

/** True when the transfer needs a PRP list (touches more than two pages). */
static inline bool nvme_prp_needs_list(uint64_t addr, uint32_t len, uint32_t page_size)
{
	return nvme_prp_pages(addr, len, page_size) > 2;
}

/** True when @addr is valid for a PRP entry after PRP1 (page-aligned). */
static inline bool nvme_prp_entry_aligned(uint64_t addr, uint32_t page_size)
{
	return (addr & (page_size - 1)) == 0;
}

/* ------------------------------------------------------- submission queue entry */

enum nvme_psdt {
	NVME_PSDT_PRP = 0x0,
	NVME_PSDT_SGL_MPTR_CONTIG = 0x1, /* required by NVMe over Fabrics */
	NVME_PSDT_SGL_MPTR_SGL = 0x2,
};

enum nvme_fuse {
	NVME_FUSE_NORMAL = 0x0,
	NVME_FUSE_FIRST = 0x1,  /* e.g. the Compare of Compare-and-Write */
	NVME_FUSE_SECOND = 0x2, /* e.g. the Write of Compare-and-Write */
};

/** Submission queue entry (command), 64 bytes. */
struct nvme_cmd {
	uint8_t opc;
	uint8_t fuse : 2; /* enum nvme_fuse */
	uint8_t rsvd1 : 4;
	uint8_t psdt : 2; /* enum nvme_psdt */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	union {
		struct {
			uint64_t prp1;
			uint64_t prp2;
		} prp;
		struct nvme_sgl_desc sgl1;
	} dptr;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};
_Static_assert(sizeof(struct nvme_cmd) == 64, "SQE is 64 bytes");
_Static_assert(offsetof(struct nvme_cmd, cid) == 2, "SQE cid");
_Static_assert(offsetof(struct nvme_cmd, nsid) == 4, "SQE nsid");
_Static_assert(offsetof(struct nvme_cmd, mptr) == 16, "SQE mptr");
_Static_assert(offsetof(struct nvme_cmd, dptr) == 24, "SQE dptr");
_Static_assert(offsetof(struct nvme_cmd, cdw10) == 40, "SQE cdw10");
_Static_assert(offsetof(struct nvme_cmd, cdw15) == 60, "SQE cdw15");

/* ------------------------------------------------------ completion queue entry */

/** The CQE status field bit by bit (bit 0 is the phase tag). */
struct nvme_status_bits {
	uint16_t p : 1;   /* phase tag */
	uint16_t sc : 8;  /* status code */
	uint16_t sct : 3; /* status code type */
	uint16_t crd : 2; /* command retry delay */
	uint16_t m : 1;   /* more (error log has more) */
	uint16_t dnr : 1; /* do not retry */
};

/** Completion queue entry, 16 bytes. */
struct nvme_cpl {
	uint32_t cdw0; /* command specific */
	uint32_t cdw1; /* reserved / command specific */
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	union {
		uint16_t raw; /* whole status field including the phase bit */
		struct nvme_status_bits bits;
	} status;
};
_Static_assert(sizeof(struct nvme_cpl) == 16, "CQE is 16 bytes");
_Static_assert(offsetof(struct nvme_cpl, sqhd) == 8, "CQE sqhd");
_Static_assert(offsetof(struct nvme_cpl, sqid) == 10, "CQE sqid");
_Static_assert(offsetof(struct nvme_cpl, cid) == 12, "CQE cid");
_Static_assert(offsetof(struct nvme_cpl, status) == 14, "CQE status");

/*
 * Status values. An NVMe status is carried in code as a uint16_t equal to the
 * CQE status field shifted right by one (the phase bit dropped):
 *   bits 7:0 SC, 10:8 SCT, 12:11 CRD, 13 M (more), 14 DNR, 15 zero.
 * 0 (NVME_STATUS_SUCCESS) is success. Build one with
 *   NVME_STATUS(NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE) | NVME_STATUS_DNR
 * and put it into a CQE with nvme_cpl_set_status(). It never mixes with
 * negative errno values: functions return one or the other.
 */
#define NVME_STATUS(sct, sc) ((uint16_t)((((unsigned)(sct)&0x7u) << 8) | ((unsigned)(sc)&0xFFu)))
#define NVME_STATUS_SUCCESS ((uint16_t)0)
#define NVME_STATUS_CRD(n) ((uint16_t)(((unsigned)(n)&0x3u) << 11))
#define NVME_STATUS_MORE ((uint16_t)(1u << 13))
#define NVME_STATUS_DNR ((uint16_t)(1u << 14))
#define NVME_STATUS_GENERIC(sc) NVME_STATUS(NVME_SCT_GENERIC, sc)
#define NVME_STATUS_CMD(sc) NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, sc)

/** SC of status @st. */
static inline uint8_t nvme_status_sc(uint16_t st)
{
	return (uint8_t)(st & 0xFF);
}

/** SCT of status @st. */
static inline uint8_t nvme_status_sct(uint16_t st)
{
	return (uint8_t)((st >> 8) & 0x7);
}

/** CRD of status @st. */
static inline uint8_t nvme_status_crd(uint16_t st)
{
	return (uint8_t)((st >> 11) & 0x3);
}

/** True when DNR is set in @st. */
static inline bool nvme_status_dnr(uint16_t st)
{
	return (st & NVME_STATUS_DNR) != 0;
}

/** True when @st is an error (SCT or SC nonzero). */
static inline bool nvme_status_is_error(uint16_t st)
{
	return (st & 0x7FF) != 0;
}

/** Store status @st into @cpl, keeping its phase bit. */
static inline void nvme_cpl_set_status(struct nvme_cpl *cpl, uint16_t st)
{
	cpl->status.raw = (uint16_t)((cpl->status.raw & 1u) | ((st & 0x7FFFu) << 1));
}

/** The status of @cpl in the NVME_STATUS() convention (phase dropped). */
static inline uint16_t nvme_cpl_get_status(const struct nvme_cpl *cpl)
{
	return (uint16_t)(cpl->status.raw >> 1);
}

/** True when @cpl carries an error status. */
static inline bool nvme_cpl_is_error(const struct nvme_cpl *cpl)
{
	return nvme_status_is_error(nvme_cpl_get_status(cpl));
}

/** Phase tag of @cpl (0 or 1). */
static inline uint8_t nvme_cpl_phase(const struct nvme_cpl *cpl)
{
	return (uint8_t)(cpl->status.raw & 1u);
}

/** Set the phase tag of @cpl to @phase (0 or 1), keeping the status. */
static inline void nvme_cpl_set_phase(struct nvme_cpl *cpl, uint8_t phase)
{
	cpl->status.raw = (uint16_t)((cpl->status.raw & ~1u) | (phase & 1u));
}

enum nvme_sct {
	NVME_SCT_GENERIC = 0x0,
	NVME_SCT_COMMAND_SPECIFIC = 0x1,
	NVME_SCT_MEDIA_ERROR = 0x2,
	NVME_SCT_PATH = 0x3,
	NVME_SCT_VENDOR_SPECIFIC = 0x7,
};

/** Generic command status (SCT 0). */
enum nvme_generic_sc {
	NVME_SC_SUCCESS = 0x00,
	NVME_SC_INVALID_OPCODE = 0x01,
	NVME_SC_INVALID_FIELD = 0x02,
	NVME_SC_COMMAND_ID_CONFLICT = 0x03,
	NVME_SC_DATA_TRANSFER_ERROR = 0x04,
	NVME_SC_ABORTED_POWER_LOSS = 0x05,
	NVME_SC_INTERNAL_DEVICE_ERROR = 0x06,
	NVME_SC_ABORTED_BY_REQUEST = 0x07,
	NVME_SC_ABORTED_SQ_DELETION = 0x08,
	NVME_SC_ABORTED_FAILED_FUSED = 0x09,
	NVME_SC_ABORTED_MISSING_FUSED = 0x0A,
	NVME_SC_INVALID_NAMESPACE_OR_FORMAT = 0x0B,
	NVME_SC_COMMAND_SEQUENCE_ERROR = 0x0C,
	NVME_SC_INVALID_SGL_SEG_DESCRIPTOR = 0x0D,
	NVME_SC_INVALID_NUM_SGL_DESCRIPTORS = 0x0E,
	NVME_SC_DATA_SGL_LENGTH_INVALID = 0x0F,
	NVME_SC_METADATA_SGL_LENGTH_INVALID = 0x10,
	NVME_SC_SGL_DESCRIPTOR_TYPE_INVALID = 0x11,
	NVME_SC_INVALID_CONTROLLER_MEM_BUF = 0x12,
	NVME_SC_INVALID_PRP_OFFSET = 0x13,
	NVME_SC_ATOMIC_WRITE_UNIT_EXCEEDED = 0x14,
	NVME_SC_OPERATION_DENIED = 0x15,
	NVME_SC_INVALID_SGL_OFFSET = 0x16,
	NVME_SC_HOSTID_INCONSISTENT_FORMAT = 0x18,
	NVME_SC_KEEP_ALIVE_EXPIRED = 0x19,
	NVME_SC_KEEP_ALIVE_INVALID = 0x1A,
	NVME_SC_ABORTED_PREEMPT = 0x1B,
	NVME_SC_SANITIZE_FAILED = 0x1C,
	NVME_SC_SANITIZE_IN_PROGRESS = 0x1D,
	NVME_SC_SGL_DATA_BLOCK_GRANULARITY_INVALID = 0x1E,
	NVME_SC_COMMAND_INVALID_IN_CMB = 0x1F,
	NVME_SC_NAMESPACE_IS_WRITE_PROTECTED = 0x20,
	NVME_SC_COMMAND_INTERRUPTED = 0x21,
	NVME_SC_TRANSIENT_TRANSPORT_ERROR = 0x22,
	NVME_SC_PROHIBITED_BY_LOCKDOWN = 0x23,
	NVME_SC_ADMIN_COMMAND_MEDIA_NOT_READY = 0x24,
	/* NVM command set */
	NVME_SC_LBA_OUT_OF_RANGE = 0x80,
	NVME_SC_CAPACITY_EXCEEDED = 0x81,
	NVME_SC_NAMESPACE_NOT_READY = 0x82,
	NVME_SC_RESERVATION_CONFLICT = 0x83,
	NVME_SC_FORMAT_IN_PROGRESS = 0x84,
};

/** Command specific status (SCT 1). */
enum nvme_command_specific_sc {
	NVME_SC_COMPLETION_QUEUE_INVALID = 0x00,
	NVME_SC_INVALID_QUEUE_IDENTIFIER = 0x01,
	NVME_SC_INVALID_QUEUE_SIZE = 0x02,
	NVME_SC_ABORT_COMMAND_LIMIT_EXCEEDED = 0x03,
	NVME_SC_ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED = 0x05,
	NVME_SC_INVALID_FIRMWARE_SLOT = 0x06,
	NVME_SC_INVALID_FIRMWARE_IMAGE = 0x07,
	NVME_SC_INVALID_INTERRUPT_VECTOR = 0x08,
	NVME_SC_INVALID_LOG_PAGE = 0x09,
	NVME_SC_INVALID_FORMAT = 0x0A,
	NVME_SC_FIRMWARE_REQ_CONVENTIONAL_RESET = 0x0B,
	NVME_SC_INVALID_QUEUE_DELETION = 0x0C,
	NVME_SC_FEATURE_ID_NOT_SAVEABLE = 0x0D,
	NVME_SC_FEATURE_NOT_CHANGEABLE = 0x0E,
	NVME_SC_FEATURE_NOT_NAMESPACE_SPECIFIC = 0x0F,
	NVME_SC_FIRMWARE_REQ_NVM_RESET = 0x10,
	NVME_SC_FIRMWARE_REQ_RESET = 0x11,
	NVME_SC_FIRMWARE_REQ_MAX_TIME_VIOLATION = 0x12,
	NVME_SC_FIRMWARE_ACTIVATION_PROHIBITED = 0x13,
	NVME_SC_OVERLAPPING_RANGE = 0x14,
	NVME_SC_NAMESPACE_INSUFFICIENT_CAPACITY = 0x15,
	NVME_SC_NAMESPACE_ID_UNAVAILABLE = 0x16,
	NVME_SC_NAMESPACE_ALREADY_ATTACHED = 0x18,
	NVME_SC_NAMESPACE_IS_PRIVATE = 0x19,
	NVME_SC_NAMESPACE_NOT_ATTACHED = 0x1A,
	NVME_SC_THIN_PROVISIONING_NOT_SUPPORTED = 0x1B,
	NVME_SC_CONTROLLER_LIST_INVALID = 0x1C,
	NVME_SC_DEVICE_SELF_TEST_IN_PROGRESS = 0x1D,
	NVME_SC_BOOT_PARTITION_WRITE_PROHIBITED = 0x1E,
	NVME_SC_INVALID_CONTROLLER_ID = 0x1F,
	NVME_SC_INVALID_SECONDARY_CONTROLLER_STATE = 0x20,
	NVME_SC_INVALID_NUM_CONTROLLER_RESOURCES = 0x21,
	NVME_SC_INVALID_RESOURCE_ID = 0x22,
	NVME_SC_SANITIZE_PROHIBITED_PMR = 0x23,
	NVME_SC_ANA_GROUP_ID_INVALID = 0x24,
	NVME_SC_ANA_ATTACH_FAILED = 0x25,
	/* NVMe over Fabrics (Connect, Authentication, Discovery) */
	NVME_SC_FABRICS_INCOMPATIBLE_FORMAT = 0x80,
	NVME_SC_FABRICS_CONTROLLER_BUSY = 0x81,
	NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS = 0x82,
	NVME_SC_FABRICS_CONNECT_RESTART_DISCOVERY = 0x83,
	NVME_SC_FABRICS_CONNECT_INVALID_HOST = 0x84,
	NVME_SC_FABRICS_INVALID_QUEUE_TYPE = 0x85,
	NVME_SC_FABRICS_DISCOVER_RESTART = 0x90,
	NVME_SC_FABRICS_AUTH_REQUIRED = 0x91,
	/* NVM command set I/O commands (same values, other commands) */
	NVME_SC_CONFLICTING_ATTRIBUTES = 0x80,
	NVME_SC_INVALID_PROTECTION_INFO = 0x81,
	NVME_SC_ATTEMPTED_WRITE_TO_RO_RANGE = 0x82,
};

/** Media and data integrity errors (SCT 2). */
enum nvme_media_error_sc {
	NVME_SC_WRITE_FAULTS = 0x80,
	NVME_SC_UNRECOVERED_READ_ERROR = 0x81,
	NVME_SC_GUARD_CHECK_ERROR = 0x82,
	NVME_SC_APPLICATION_TAG_CHECK_ERROR = 0x83,
	NVME_SC_REFERENCE_TAG_CHECK_ERROR = 0x84,
	NVME_SC_COMPARE_FAILURE = 0x85,
	NVME_SC_ACCESS_DENIED = 0x86,
	NVME_SC_DEALLOCATED_OR_UNWRITTEN_BLOCK = 0x87,
};

/** Path related status (SCT 3). */
enum nvme_path_sc {
	NVME_SC_INTERNAL_PATH_ERROR = 0x00,
	NVME_SC_ANA_PERSISTENT_LOSS = 0x01,
	NVME_SC_ANA_INACCESSIBLE = 0x02,
	NVME_SC_ANA_TRANSITION = 0x03,
	NVME_SC_CONTROLLER_PATH_ERROR = 0x60,
	NVME_SC_HOST_PATH_ERROR = 0x70,
	NVME_SC_ABORTED_BY_HOST = 0x71,
};

/* -------------------------------------------------------------------- opcodes */

enum nvme_admin_opcode {
	NVME_OPC_DELETE_IO_SQ = 0x00,
	NVME_OPC_CREATE_IO_SQ = 0x01,
	NVME_OPC_GET_LOG_PAGE = 0x02,
	NVME_OPC_DELETE_IO_CQ = 0x04,
	NVME_OPC_CREATE_IO_CQ = 0x05,
	NVME_OPC_IDENTIFY = 0x06,
	NVME_OPC_ABORT = 0x08,
	NVME_OPC_SET_FEATURES = 0x09,
	NVME_OPC_GET_FEATURES = 0x0A,
	NVME_OPC_ASYNC_EVENT_REQUEST = 0x0C,
	NVME_OPC_NS_MANAGEMENT = 0x0D,
	NVME_OPC_FIRMWARE_COMMIT = 0x10,
	NVME_OPC_FIRMWARE_IMAGE_DOWNLOAD = 0x11,
	NVME_OPC_DEVICE_SELF_TEST = 0x14,
	NVME_OPC_NS_ATTACHMENT = 0x15,
	NVME_OPC_KEEP_ALIVE = 0x18,
	NVME_OPC_DIRECTIVE_SEND = 0x19,
	NVME_OPC_DIRECTIVE_RECEIVE = 0x1A,
	NVME_OPC_VIRTUALIZATION_MANAGEMENT = 0x1C,
	NVME_OPC_NVME_MI_SEND = 0x1D,
	NVME_OPC_NVME_MI_RECEIVE = 0x1E,
	NVME_OPC_DOORBELL_BUFFER_CONFIG = 0x7C,
	NVME_OPC_FABRICS = 0x7F, /* see NVMF_FCTYPE_* in nvmf_spec.h */
	NVME_OPC_FORMAT_NVM = 0x80,
	NVME_OPC_SECURITY_SEND = 0x81,
	NVME_OPC_SECURITY_RECEIVE = 0x82,
	NVME_OPC_SANITIZE = 0x84,
	NVME_OPC_GET_LBA_STATUS = 0x86,
};

enum nvme_nvm_opcode {
	NVME_OPC_FLUSH = 0x00,
	NVME_OPC_WRITE = 0x01,
	NVME_OPC_READ = 0x02,
	NVME_OPC_WRITE_UNCORRECTABLE = 0x04,
	NVME_OPC_COMPARE = 0x05,
	NVME_OPC_WRITE_ZEROES = 0x08,
	NVME_OPC_DATASET_MANAGEMENT = 0x09,
	NVME_OPC_VERIFY = 0x0C,
	NVME_OPC_RESERVATION_REGISTER = 0x0D,
	NVME_OPC_RESERVATION_REPORT = 0x0E,
	NVME_OPC_RESERVATION_ACQUIRE = 0x11,
	NVME_OPC_RESERVATION_RELEASE = 0x15,
	NVME_OPC_COPY = 0x19,
};

/**
 * Data transfer direction encoded in opcode bits 1:0 (all but fabrics
 * commands, which use the fctype): 0 none, 1 host to controller,
 * 2 controller to host, 3 bidirectional.
 */
enum nvme_data_transfer {
	NVME_DATA_NONE = 0,
	NVME_DATA_HOST_TO_CONTROLLER = 1,
	NVME_DATA_CONTROLLER_TO_HOST = 2,
	NVME_DATA_BIDIRECTIONAL = 3,
};

/** Data transfer direction of @opc (enum nvme_data_transfer). */
static inline enum nvme_data_transfer nvme_opc_data_transfer(uint8_t opc)
{
	return (enum nvme_data_transfer)(opc & 0x3);
}

/* ------------------------------------------------ command dword field layouts */

/* Read / Write / Compare / Write Zeroes / Verify: CDW10-11 SLBA, CDW12: */
#define NVME_RW_NLB_MASK 0xFFFFu /* zero-based number of logical blocks */
#define NVME_RW_DEAC (1u << 25)  /* Write Zeroes: deallocate */
#define NVME_RW_PRINFO_SHIFT 26
#define NVME_RW_FUA (1u << 30)
#define NVME_RW_LR (1u << 31)

/** Starting LBA of a Read/Write-style @cmd (CDW10 low, CDW11 high). */
static inline uint64_t nvme_cmd_slba(const struct nvme_cmd *cmd)
{
	return (uint64_t)cmd->cdw10 | (uint64_t)cmd->cdw11 << 32;
}

/** Number of logical blocks (one-based) of a Read/Write-style @cmd. */
static inline uint32_t nvme_cmd_nlb(const struct nvme_cmd *cmd)
{
	return (cmd->cdw12 & NVME_RW_NLB_MASK) + 1;
}

/** Set SLBA and the one-based block count @nlb (1..65536) of @cmd. */
static inline void nvme_cmd_set_lba_range(struct nvme_cmd *cmd, uint64_t slba, uint32_t nlb)
{
	cmd->cdw10 = (uint32_t)slba;
	cmd->cdw11 = (uint32_t)(slba >> 32);
	cmd->cdw12 = (cmd->cdw12 & ~NVME_RW_NLB_MASK) | ((nlb - 1) & NVME_RW_NLB_MASK);
}

/* Dataset Management: CDW10 bits 7:0 = number of ranges - 1; CDW11 attributes. */
#define NVME_DSM_NR_MASK 0xFFu
#define NVME_DSM_MAX_RANGES 256
#define NVME_DSM_ATTR_IDR (1u << 0) /* integral dataset for read */
#define NVME_DSM_ATTR_IDW (1u << 1) /* integral dataset for write */
#define NVME_DSM_ATTR_AD (1u << 2)  /* deallocate */

/** Dataset Management range, 16 bytes. */
struct nvme_dsm_range {
	uint32_t attributes; /* context attributes */
	uint32_t length;     /* in logical blocks */
	uint64_t slba;
};
_Static_assert(sizeof(struct nvme_dsm_range) == 16, "DSM range is 16 bytes");
_Static_assert(offsetof(struct nvme_dsm_range, slba) == 8, "DSM range slba");

/* Create I/O SQ / CQ: CDW10 QID 15:0, QSIZE 31:16 (zero-based). */
#define NVME_CREATE_Q_QSIZE_SHIFT 16
#define NVME_CREATE_Q_PC (1u << 0)   /* CDW11: physically contiguous */
#define NVME_CREATE_CQ_IEN (1u << 1) /* CDW11: interrupts enabled */
#define NVME_CREATE_CQ_IV_SHIFT 16   /* CDW11: interrupt vector */
#define NVME_CREATE_SQ_QPRIO_SHIFT 1 /* CDW11: priority 2:1 */
#define NVME_CREATE_SQ_CQID_SHIFT 16 /* CDW11: completion queue id */

/* Abort: CDW10 SQID 15:0, CID 31:16. Completion CDW0 bit 0 = 1: not aborted. */
#define NVME_ABORT_CID_SHIFT 16

/* Identify: CDW10 CNS 7:0, CNTID 31:16; CDW11 CNSSID 15:0, CSI 31:24. */
#define NVME_IDENTIFY_CNS_MASK 0xFFu
#define NVME_IDENTIFY_CNTID_SHIFT 16
#define NVME_IDENTIFY_CSI_SHIFT 24

/* Get Log Page: CDW10 LID 7:0, LSP 14:8, RAE 15, NUMDL 31:16; CDW11 NUMDU 15:0,
 * LSI 31:16; CDW12/13 offset (bytes); CDW14 UUID index 6:0, OT 23, CSI 31:24.
 * NUMD is the zero-based number of dwords. */
#define NVME_GLP_LID_MASK 0xFFu
#define NVME_GLP_LSP_SHIFT 8
#define NVME_GLP_LSP_MASK 0x7Fu
#define NVME_GLP_RAE (1u << 15)
#define NVME_GLP_NUMDL_SHIFT 16

/** Bytes requested by a Get Log Page @cmd. */
static inline uint64_t nvme_glp_len(const struct nvme_cmd *cmd)
{
	uint32_t numd = (cmd->cdw10 >> 16) | (cmd->cdw11 & 0xFFFFu) << 16;

	return ((uint64_t)numd + 1) * 4;
}

/** Byte offset of a Get Log Page @cmd. */
static inline uint64_t nvme_glp_offset(const struct nvme_cmd *cmd)
{
	return (uint64_t)cmd->cdw12 | (uint64_t)cmd->cdw13 << 32;
}

/** Fill CDW10-13 of a Get Log Page for @lid, @len bytes (multiple of 4, > 0) at @offset. */
static inline void nvme_glp_set(struct nvme_cmd *cmd, uint8_t lid, uint32_t len, uint64_t offset)
{
	uint32_t numd = len / 4 - 1;

	cmd->cdw10 = lid | (numd & 0xFFFFu) << 16;
	cmd->cdw11 = numd >> 16;
	cmd->cdw12 = (uint32_t)offset;
	cmd->cdw13 = (uint32_t)(offset >> 32);
}

/* Get / Set Features: CDW10 FID 7:0, SEL 10:8 (get), SV 31 (set). */
#define NVME_FEAT_FID_MASK 0xFFu
#define NVME_FEAT_SEL_SHIFT 8
#define NVME_FEAT_SEL_MASK 0x7u
#define NVME_FEAT_SV (1u << 31)

enum nvme_feat_sel {
	NVME_FEAT_SEL_CURRENT = 0,
	NVME_FEAT_SEL_DEFAULT = 1,
	NVME_FEAT_SEL_SAVED = 2,
	NVME_FEAT_SEL_SUPPORTED = 3,
};

/* ------------------------------------------------------------- registers */

/** Controller registers (PCIe BAR0; over fabrics via Property Get/Set). */
struct nvme_registers {
	uint64_t cap;     /* 0x00 controller capabilities */
	uint32_t vs;      /* 0x08 version */
	uint32_t intms;   /* 0x0C interrupt mask set */
	uint32_t intmc;   /* 0x10 interrupt mask clear */
	uint32_t cc;      /* 0x14 controller configuration */
	uint32_t rsvd18;  /* 0x18 */
	uint32_t csts;    /* 0x1C controller status */
	uint32_t nssr;    /* 0x20 NVM subsystem reset */
	uint32_t aqa;     /* 0x24 admin queue attributes */
	uint64_t asq;     /* 0x28 admin SQ base address */
	uint64_t acq;     /* 0x30 admin CQ base address */
	uint32_t cmbloc;  /* 0x38 controller memory buffer location */
	uint32_t cmbsz;   /* 0x3C controller memory buffer size */
	uint32_t bpinfo;  /* 0x40 boot partition information */
	uint32_t bprsel;  /* 0x44 boot partition read select */
	uint64_t bpmbl;   /* 0x48 boot partition memory buffer location */
	uint64_t cmbmsc;  /* 0x50 CMB memory space control */
	uint32_t cmbsts;  /* 0x58 CMB status */
	uint32_t cmbebs;  /* 0x5C CMB elasticity buffer size */
	uint32_t cmbswtp; /* 0x60 CMB sustained write throughput */
	uint32_t nssd;    /* 0x64 NVM subsystem shutdown */
	uint32_t crto;    /* 0x68 controller ready timeouts */
	uint8_t rsvd6c[0xE00 - 0x6C];
	uint32_t pmrcap;  /* 0xE00 persistent memory region capabilities */
	uint32_t pmrctl;  /* 0xE04 */
	uint32_t pmrsts;  /* 0xE08 */
	uint32_t pmrebs;  /* 0xE0C */
	uint32_t pmrswtp; /* 0xE10 */
	uint32_t pmrmscl; /* 0xE14 */
	uint32_t pmrmscu; /* 0xE18 */
	uint8_t rsvde1c[0x1000 - 0xE1C];
	uint32_t doorbell[]; /* 0x1000: SQ0 tail, CQ0 head, ... (stride CAP.DSTRD) */
};
_Static_assert(offsetof(struct nvme_registers, cap) == 0x00, "CAP");
_Static_assert(offsetof(struct nvme_registers, vs) == 0x08, "VS");
_Static_assert(offsetof(struct nvme_registers, intms) == 0x0C, "INTMS");
_Static_assert(offsetof(struct nvme_registers, intmc) == 0x10, "INTMC");
_Static_assert(offsetof(struct nvme_registers, cc) == 0x14, "CC");
_Static_assert(offsetof(struct nvme_registers, csts) == 0x1C, "CSTS");
_Static_assert(offsetof(struct nvme_registers, nssr) == 0x20, "NSSR");
_Static_assert(offsetof(struct nvme_registers, aqa) == 0x24, "AQA");
_Static_assert(offsetof(struct nvme_registers, asq) == 0x28, "ASQ");
_Static_assert(offsetof(struct nvme_registers, acq) == 0x30, "ACQ");
_Static_assert(offsetof(struct nvme_registers, cmbloc) == 0x38, "CMBLOC");
_Static_assert(offsetof(struct nvme_registers, cmbsz) == 0x3C, "CMBSZ");
_Static_assert(offsetof(struct nvme_registers, bpinfo) == 0x40, "BPINFO");
_Static_assert(offsetof(struct nvme_registers, bpmbl) == 0x48, "BPMBL");
_Static_assert(offsetof(struct nvme_registers, cmbmsc) == 0x50, "CMBMSC");
_Static_assert(offsetof(struct nvme_registers, cmbsts) == 0x58, "CMBSTS");
_Static_assert(offsetof(struct nvme_registers, nssd) == 0x64, "NSSD");
_Static_assert(offsetof(struct nvme_registers, crto) == 0x68, "CRTO");
_Static_assert(offsetof(struct nvme_registers, pmrcap) == 0xE00, "PMRCAP");
_Static_assert(offsetof(struct nvme_registers, pmrmscu) == 0xE18, "PMRMSCU");
_Static_assert(offsetof(struct nvme_registers, doorbell) == 0x1000, "doorbells");
_Static_assert(sizeof(struct nvme_registers) == 0x1000, "registers before doorbells");

/** Register offsets, for Property Get/Set and MMIO by offset. */
enum nvme_reg_offset {
	NVME_REG_CAP = 0x00,
	NVME_REG_VS = 0x08,
	NVME_REG_INTMS = 0x0C,
	NVME_REG_INTMC = 0x10,
	NVME_REG_CC = 0x14,
	NVME_REG_CSTS = 0x1C,
	NVME_REG_NSSR = 0x20,
	NVME_REG_AQA = 0x24,
	NVME_REG_ASQ = 0x28,
	NVME_REG_ACQ = 0x30,
	NVME_REG_CMBLOC = 0x38,
	NVME_REG_CMBSZ = 0x3C,
	NVME_REG_DOORBELL_BASE = 0x1000,
};

#define NVME_NSSR_RESET_VALUE 0x4E564D65u /* "NVMe" */

/**
 * Extract / insert a register field by name: NVME_REG_GET(cap, CAP_MQES)
 * expands to ((cap >> NVME_CAP_MQES_SHIFT) & NVME_CAP_MQES_MASK).
 * NVME_REG_SET(cc, CC_EN, 1) returns @reg with the field replaced.
 */
#define NVME_REG_GET(reg, f) (((reg) >> NVME_##f##_SHIFT) & NVME_##f##_MASK)
#define NVME_REG_SET(reg, f, v)                                                                    \
	(((reg) & ~((__typeof__(reg))NVME_##f##_MASK << NVME_##f##_SHIFT)) |                       \
	 (((__typeof__(reg))(v)&NVME_##f##_MASK) << NVME_##f##_SHIFT))

/* CAP (64-bit) */
#define NVME_CAP_MQES_SHIFT 0 /* max queue entries supported, zero-based */
#define NVME_CAP_MQES_MASK 0xFFFFull
#define NVME_CAP_CQR_SHIFT 16 /* contiguous queues required */
#define NVME_CAP_CQR_MASK 0x1ull
#define NVME_CAP_AMS_SHIFT 17 /* arbitration mechanisms supported */
#define NVME_CAP_AMS_MASK 0x3ull
#define NVME_CAP_TO_SHIFT 24 /* timeout, 500 ms units */
#define NVME_CAP_TO_MASK 0xFFull
#define NVME_CAP_DSTRD_SHIFT 32 /* doorbell stride: 4 << DSTRD bytes */
#define NVME_CAP_DSTRD_MASK 0xFull
#define NVME_CAP_NSSRS_SHIFT 36 /* NVM subsystem reset supported */
#define NVME_CAP_NSSRS_MASK 0x1ull
#define NVME_CAP_CSS_SHIFT 37 /* command sets supported */
#define NVME_CAP_CSS_MASK 0xFFull
#define NVME_CAP_BPS_SHIFT 45 /* boot partition support */
#define NVME_CAP_BPS_MASK 0x1ull
#define NVME_CAP_CPS_SHIFT 46 /* controller power scope */
#define NVME_CAP_CPS_MASK 0x3ull
#define NVME_CAP_MPSMIN_SHIFT 48 /* min page size: 2^(12 + MPSMIN) */
#define NVME_CAP_MPSMIN_MASK 0xFull
#define NVME_CAP_MPSMAX_SHIFT 52 /* max page size: 2^(12 + MPSMAX) */
#define NVME_CAP_MPSMAX_MASK 0xFull
#define NVME_CAP_PMRS_SHIFT 56
#define NVME_CAP_PMRS_MASK 0x1ull
#define NVME_CAP_CMBS_SHIFT 57
#define NVME_CAP_CMBS_MASK 0x1ull
#define NVME_CAP_NSSS_SHIFT 58
#define NVME_CAP_NSSS_MASK 0x1ull
#define NVME_CAP_CRMS_SHIFT 59
#define NVME_CAP_CRMS_MASK 0x3ull

/* CAP.CSS bits */
#define NVME_CAP_CSS_NVM (1u << 0)
#define NVME_CAP_CSS_IOCS (1u << 6)   /* I/O command sets (CC.CSS = 6) */
#define NVME_CAP_CSS_NOIOCS (1u << 7) /* admin only (CC.CSS = 7) */
/* CAP.AMS bits */
#define NVME_CAP_AMS_WRR (1u << 0)
#define NVME_CAP_AMS_VS (1u << 1)

/* CC (32-bit) */
#define NVME_CC_EN_SHIFT 0
#define NVME_CC_EN_MASK 0x1u
#define NVME_CC_CSS_SHIFT 4
#define NVME_CC_CSS_MASK 0x7u
#define NVME_CC_MPS_SHIFT 7 /* page size 2^(12 + MPS) */
#define NVME_CC_MPS_MASK 0xFu
#define NVME_CC_AMS_SHIFT 11
#define NVME_CC_AMS_MASK 0x7u
#define NVME_CC_SHN_SHIFT 14
#define NVME_CC_SHN_MASK 0x3u
#define NVME_CC_IOSQES_SHIFT 16 /* I/O SQ entry size 2^n (6 = 64 B) */
#define NVME_CC_IOSQES_MASK 0xFu
#define NVME_CC_IOCQES_SHIFT 20 /* I/O CQ entry size 2^n (4 = 16 B) */
#define NVME_CC_IOCQES_MASK 0xFu
#define NVME_CC_CRIME_SHIFT 24
#define NVME_CC_CRIME_MASK 0x1u

enum nvme_cc_css {
	NVME_CC_CSS_NVM = 0x0,
	NVME_CC_CSS_IOCS = 0x6,
	NVME_CC_CSS_ADMIN_ONLY = 0x7,
};

enum nvme_cc_ams {
	NVME_CC_AMS_RR = 0x0,
	NVME_CC_AMS_WRR = 0x1,
	NVME_CC_AMS_VS = 0x7,
};

enum nvme_cc_shn {
	NVME_CC_SHN_NONE = 0x0,
	NVME_CC_SHN_NORMAL = 0x1,
	NVME_CC_SHN_ABRUPT = 0x2,
};

/* CSTS (32-bit) */
#define NVME_CSTS_RDY_SHIFT 0
#define NVME_CSTS_RDY_MASK 0x1u
#define NVME_CSTS_CFS_SHIFT 1 /* controller fatal status */
#define NVME_CSTS_CFS_MASK 0x1u
#define NVME_CSTS_SHST_SHIFT 2
#define NVME_CSTS_SHST_MASK 0x3u
#define NVME_CSTS_NSSRO_SHIFT 4 /* NVM subsystem reset occurred */
#define NVME_CSTS_NSSRO_MASK 0x1u
#define NVME_CSTS_PP_SHIFT 5 /* processing paused */
#define NVME_CSTS_PP_MASK 0x1u
#define NVME_CSTS_ST_SHIFT 6
#define NVME_CSTS_ST_MASK 0x1u

enum nvme_csts_shst {
	NVME_CSTS_SHST_NORMAL = 0x0,
	NVME_CSTS_SHST_OCCURRING = 0x1,
	NVME_CSTS_SHST_COMPLETE = 0x2,
};

/* AQA (32-bit): sizes are zero-based */
#define NVME_AQA_ASQS_SHIFT 0
#define NVME_AQA_ASQS_MASK 0xFFFu
#define NVME_AQA_ACQS_SHIFT 16
#define NVME_AQA_ACQS_MASK 0xFFFu

/* VS (32-bit) */
#define NVME_VS_TER_SHIFT 0
#define NVME_VS_TER_MASK 0xFFu
#define NVME_VS_MNR_SHIFT 8
#define NVME_VS_MNR_MASK 0xFFu
#define NVME_VS_MJR_SHIFT 16
#define NVME_VS_MJR_MASK 0xFFFFu
/** Version value for VS and Identify Controller VER, e.g. NVME_VS(1, 4, 0). */
#define NVME_VS(mjr, mnr, ter) ((uint32_t)(((mjr) << 16) | ((mnr) << 8) | (ter)))

/* CMBLOC / CMBSZ */
#define NVME_CMBLOC_BIR_SHIFT 0
#define NVME_CMBLOC_BIR_MASK 0x7u
#define NVME_CMBLOC_OFST_SHIFT 12
#define NVME_CMBLOC_OFST_MASK 0xFFFFFu
#define NVME_CMBSZ_SZU_SHIFT 8
#define NVME_CMBSZ_SZU_MASK 0xFu
#define NVME_CMBSZ_SZ_SHIFT 12
#define NVME_CMBSZ_SZ_MASK 0xFFFFFu

/** CAP.MQES + 1: the largest queue size the controller supports. */
static inline uint32_t nvme_cap_max_queue_entries(uint64_t cap)
{
	return (uint32_t)NVME_REG_GET(cap, CAP_MQES) + 1;
}

/** CAP.TO in milliseconds (units of 500 ms). */
static inline uint32_t nvme_cap_timeout_ms(uint64_t cap)
{
	return (uint32_t)NVME_REG_GET(cap, CAP_TO) * 500;
}

/** CAP.DSTRD: doorbell stride exponent (stride is 4 << DSTRD bytes). */
static inline uint32_t nvme_cap_dstrd(uint64_t cap)
{
	return (uint32_t)NVME_REG_GET(cap, CAP_DSTRD);
}

/** Smallest memory page size of CAP.MPSMIN, in bytes. */
static inline uint64_t nvme_cap_min_page_size(uint64_t cap)
{
	return 1ull << (12 + NVME_REG_GET(cap, CAP_MPSMIN));
}

/** Largest memory page size of CAP.MPSMAX, in bytes. */
static inline uint64_t nvme_cap_max_page_size(uint64_t cap)
{
	return 1ull << (12 + NVME_REG_GET(cap, CAP_MPSMAX));
}

/** Memory page size selected by CC.MPS, in bytes. */
static inline uint32_t nvme_cc_page_size(uint32_t cc)
{
	return 1u << (12 + NVME_REG_GET(cc, CC_MPS));
}

/**
 * Byte offset of a queue doorbell from BAR0:
 * 0x1000 + (2 * qid + is_cq) * (4 << dstrd). SQ doorbells take the new tail,
 * CQ doorbells the new head.
 */
static inline uint32_t nvme_doorbell_offset(uint16_t qid, bool is_cq, uint32_t dstrd)
{
	return 0x1000u + (2u * qid + (is_cq ? 1u : 0u)) * (4u << dstrd);
}

#include "nvme_spec_id.h"
#include "nvme_spec_log.h"

#endif /* NVMF_TGT_NVME_SPEC_H */
