/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvme_spec_id.h - NVMe Identify data structures (controller, namespace,
 * namespace identification descriptors) and reservation data structures.
 * Included by nvme_spec.h; include that one.
 *
 * Byte order: all multi-byte fields are little-endian on the wire (see
 * nvme_spec.h).
 */
#ifndef NVMF_TGT_NVME_SPEC_ID_H
#define NVMF_TGT_NVME_SPEC_ID_H

#include <stddef.h>
#include <stdint.h>

#include "nvme_spec.h"

/* --------------------------------------------------------------- Identify */

/** CNS values of Identify CDW10. */
enum nvme_identify_cns {
	NVME_CNS_NAMESPACE = 0x00,
	NVME_CNS_CONTROLLER = 0x01,
	NVME_CNS_ACTIVE_NS_LIST = 0x02,
	NVME_CNS_NS_ID_DESCRIPTOR_LIST = 0x03,
	NVME_CNS_NVM_SET_LIST = 0x04,
	NVME_CNS_CSI_NAMESPACE = 0x05,
	NVME_CNS_CSI_CONTROLLER = 0x06,
	NVME_CNS_CSI_ACTIVE_NS_LIST = 0x07,
	NVME_CNS_CS_INDEPENDENT_NAMESPACE = 0x08,
	NVME_CNS_ALLOCATED_NS_LIST = 0x10,
	NVME_CNS_ALLOCATED_NAMESPACE = 0x11,
	NVME_CNS_NS_ATTACHED_CTRL_LIST = 0x12,
	NVME_CNS_CTRL_LIST = 0x13,
	NVME_CNS_PRIMARY_CTRL_CAPS = 0x14,
	NVME_CNS_SECONDARY_CTRL_LIST = 0x15,
	NVME_CNS_NS_GRANULARITY_LIST = 0x16,
	NVME_CNS_UUID_LIST = 0x17,
	NVME_CNS_DOMAIN_LIST = 0x18,
	NVME_CNS_ENDURANCE_GROUP_LIST = 0x19,
	NVME_CNS_CSI_ALLOCATED_NS_LIST = 0x1A,
	NVME_CNS_CSI_ALLOCATED_NAMESPACE = 0x1B,
	NVME_CNS_IO_COMMAND_SET = 0x1C,
};

/** Command set identifiers (CSI). */
enum nvme_csi {
	NVME_CSI_NVM = 0x0,
	NVME_CSI_KV = 0x1,
	NVME_CSI_ZNS = 0x2,
};

/** Active namespace list (CNS 02h): up to 1024 ascending NSIDs, 0-terminated. */
#define NVME_ACTIVE_NS_LIST_MAX 1024

/** Namespace identification descriptor header (CNS 03h), 4 bytes + NIDL. */
/*
 * Descriptors follow each other with no padding (a CSI descriptor is 5
 * bytes), so the header is byte-aligned: it may sit at any address.
 */
struct nvme_ns_id_desc {
	uint8_t nidt; /* enum nvme_nidt */
	uint8_t nidl; /* length of nid in bytes */
	uint8_t rsvd[2];
	uint8_t nid[];
};
_Static_assert(_Alignof(struct nvme_ns_id_desc) == 1, "NS ID descriptors may be unaligned");
_Static_assert(sizeof(struct nvme_ns_id_desc) == 4, "NS ID descriptor header is 4 bytes");

enum nvme_nidt {
	NVME_NIDT_EUI64 = 0x1,
	NVME_NIDT_NGUID = 0x2,
	NVME_NIDT_UUID = 0x3,
	NVME_NIDT_CSI = 0x4,
};

#define NVME_NIDT_EUI64_LEN 8
#define NVME_NIDT_NGUID_LEN 16
#define NVME_NIDT_UUID_LEN 16
#define NVME_NIDT_CSI_LEN 1
#define NVME_NS_ID_DESC_LIST_SIZE 4096

/** Power state descriptor, 32 bytes. */
struct nvme_power_state {
	uint16_t mp; /* maximum power, 0.01 W (or 0.0001 W with MXPS) */
	uint8_t rsvd2;
	uint8_t flags;  /* bit 0 MXPS, bit 1 NOPS */
	uint32_t enlat; /* entry latency, us */
	uint32_t exlat; /* exit latency, us */
	uint8_t rrt;    /* relative read throughput, 4:0 */
	uint8_t rrl;
	uint8_t rwt;
	uint8_t rwl;
	uint16_t idlp;
	uint8_t ips; /* idle power scale, 7:6 */
	uint8_t rsvd19;
	uint16_t actp;
	uint8_t apw_aps; /* APW 2:0, APS 7:6 */
	uint8_t rsvd23[9];
};
_Static_assert(sizeof(struct nvme_power_state) == 32, "power state descriptor is 32 bytes");
_Static_assert(offsetof(struct nvme_power_state, idlp) == 16, "PSD idlp");
_Static_assert(offsetof(struct nvme_power_state, actp) == 20, "PSD actp");

/** Identify Controller data structure (CNS 01h), 4096 bytes. */
struct nvme_id_ctrl {
	/* controller capabilities and features */
	uint16_t vid;
	uint16_t ssvid;
	char sn[NVME_SN_LEN]; /* ASCII, space padded, no NUL */
	char mn[NVME_MN_LEN];
	char fr[NVME_FR_LEN];
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic; /* NVME_CTRL_CMIC_* */
	uint8_t mdts; /* max transfer: 2^mdts * CAP.MPSMIN pages, 0 = none */
	uint16_t cntlid;
	uint32_t ver;
	uint32_t rtd3r;
	uint32_t rtd3e;
	uint32_t oaes;   /* NVME_CTRL_OAES_* */
	uint32_t ctratt; /* NVME_CTRL_CTRATT_* */
	uint16_t rrls;
	uint8_t rsvd102[9];
	uint8_t cntrltype; /* enum nvme_cntrltype */
	uint8_t fguid[16];
	uint16_t crdt1;
	uint16_t crdt2;
	uint16_t crdt3;
	uint8_t rsvd134[119];
	uint8_t nvmsr;
	uint8_t vwci;
	uint8_t mec;
	/* admin command set attributes */
	uint16_t oacs; /* NVME_CTRL_OACS_* */
	uint8_t acl;   /* abort command limit, zero-based */
	uint8_t aerl;  /* async event request limit, zero-based */
	uint8_t frmw;
	uint8_t lpa; /* NVME_CTRL_LPA_* */
	uint8_t elpe;
	uint8_t npss;
	uint8_t avscc;
	uint8_t apsta;
	uint16_t wctemp;
	uint16_t cctemp;
	uint16_t mtfa;
	uint32_t hmpre;
	uint32_t hmmin;
	uint8_t tnvmcap[16];
	uint8_t unvmcap[16];
	uint32_t rpmbs;
	uint16_t edstt;
	uint8_t dsto;
	uint8_t fwug;
	uint16_t kas; /* keep alive granularity, 100 ms units */
	uint16_t hctma;
	uint16_t mntmt;
	uint16_t mxtmt;
	uint32_t sanicap;
	uint32_t hmminds;
	uint16_t hmmaxd;
	uint16_t nsetidmax;
	uint16_t endgidmax;
	uint8_t anatt;
	uint8_t anacap; /* NVME_CTRL_ANACAP_* */
	uint32_t anagrpmax;
	uint32_t nanagrpid;
	uint32_t pels;
	uint16_t domainid;
	uint8_t rsvd358[10];
	uint8_t megcap[16];
	uint8_t rsvd384[128];
	/* NVM command set attributes */
	uint8_t sqes;    /* required 3:0, max 7:4 (log2) */
	uint8_t cqes;    /* required 3:0, max 7:4 (log2) */
	uint16_t maxcmd; /* fabrics: max outstanding commands per queue */
	uint32_t nn;
	uint16_t oncs; /* NVME_CTRL_ONCS_* */
	uint16_t fuses;
	uint8_t fna;
	uint8_t vwc; /* bit 0: volatile write cache present */
	uint16_t awun;
	uint16_t awupf;
	uint8_t nvscc;
	uint8_t nwpc;
	uint16_t acwu;
	uint16_t ocfs;
	uint32_t sgls; /* NVME_CTRL_SGLS_* */
	uint32_t mnan;
	uint8_t maxdna[16];
	uint32_t maxcna;
	uint8_t rsvd564[204];
	char subnqn[NVME_NQN_FIELD_LEN];
	uint8_t rsvd1024[768];
	/* NVMe over Fabrics attributes */
	uint32_t ioccsz; /* I/O queue command capsule size, 16-byte units */
	uint32_t iorcsz; /* I/O queue response capsule size, 16-byte units */
	uint16_t icdoff; /* in-capsule data offset, 16-byte units */
	uint8_t fcatt;   /* bit 0: 0 dynamic, 1 static controller model */
	uint8_t msdbd;   /* max SGL data block descriptors, 0 = no limit */
	uint16_t ofcs;   /* bit 0: disconnect command supported */
	uint8_t dctype;
	uint8_t rsvd1807[241];
	struct nvme_power_state psd[32];
	uint8_t vs[1024];
};
_Static_assert(sizeof(struct nvme_id_ctrl) == 4096, "Identify Controller is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_ctrl, sn) == 4, "id_ctrl sn");
_Static_assert(offsetof(struct nvme_id_ctrl, mn) == 24, "id_ctrl mn");
_Static_assert(offsetof(struct nvme_id_ctrl, fr) == 64, "id_ctrl fr");
_Static_assert(offsetof(struct nvme_id_ctrl, rab) == 72, "id_ctrl rab");
_Static_assert(offsetof(struct nvme_id_ctrl, cmic) == 76, "id_ctrl cmic");
_Static_assert(offsetof(struct nvme_id_ctrl, mdts) == 77, "id_ctrl mdts");
_Static_assert(offsetof(struct nvme_id_ctrl, cntlid) == 78, "id_ctrl cntlid");
_Static_assert(offsetof(struct nvme_id_ctrl, ver) == 80, "id_ctrl ver");
_Static_assert(offsetof(struct nvme_id_ctrl, oaes) == 92, "id_ctrl oaes");
_Static_assert(offsetof(struct nvme_id_ctrl, ctratt) == 96, "id_ctrl ctratt");
_Static_assert(offsetof(struct nvme_id_ctrl, cntrltype) == 111, "id_ctrl cntrltype");
_Static_assert(offsetof(struct nvme_id_ctrl, fguid) == 112, "id_ctrl fguid");
_Static_assert(offsetof(struct nvme_id_ctrl, mec) == 255, "id_ctrl mec");
_Static_assert(offsetof(struct nvme_id_ctrl, oacs) == 256, "id_ctrl oacs");
_Static_assert(offsetof(struct nvme_id_ctrl, npss) == 263, "id_ctrl npss");
_Static_assert(offsetof(struct nvme_id_ctrl, wctemp) == 266, "id_ctrl wctemp");
_Static_assert(offsetof(struct nvme_id_ctrl, tnvmcap) == 280, "id_ctrl tnvmcap");
_Static_assert(offsetof(struct nvme_id_ctrl, kas) == 320, "id_ctrl kas");
_Static_assert(offsetof(struct nvme_id_ctrl, anatt) == 342, "id_ctrl anatt");
_Static_assert(offsetof(struct nvme_id_ctrl, anagrpmax) == 344, "id_ctrl anagrpmax");
_Static_assert(offsetof(struct nvme_id_ctrl, nanagrpid) == 348, "id_ctrl nanagrpid");
_Static_assert(offsetof(struct nvme_id_ctrl, megcap) == 368, "id_ctrl megcap");
_Static_assert(offsetof(struct nvme_id_ctrl, sqes) == 512, "id_ctrl sqes");
_Static_assert(offsetof(struct nvme_id_ctrl, maxcmd) == 514, "id_ctrl maxcmd");
_Static_assert(offsetof(struct nvme_id_ctrl, nn) == 516, "id_ctrl nn");
_Static_assert(offsetof(struct nvme_id_ctrl, oncs) == 520, "id_ctrl oncs");
_Static_assert(offsetof(struct nvme_id_ctrl, vwc) == 525, "id_ctrl vwc");
_Static_assert(offsetof(struct nvme_id_ctrl, nvscc) == 530, "id_ctrl nvscc");
_Static_assert(offsetof(struct nvme_id_ctrl, acwu) == 532, "id_ctrl acwu");
_Static_assert(offsetof(struct nvme_id_ctrl, sgls) == 536, "id_ctrl sgls");
_Static_assert(offsetof(struct nvme_id_ctrl, mnan) == 540, "id_ctrl mnan");
_Static_assert(offsetof(struct nvme_id_ctrl, maxcna) == 560, "id_ctrl maxcna");
_Static_assert(offsetof(struct nvme_id_ctrl, subnqn) == 768, "id_ctrl subnqn");
_Static_assert(offsetof(struct nvme_id_ctrl, ioccsz) == 1792, "id_ctrl ioccsz");
_Static_assert(offsetof(struct nvme_id_ctrl, iorcsz) == 1796, "id_ctrl iorcsz");
_Static_assert(offsetof(struct nvme_id_ctrl, icdoff) == 1800, "id_ctrl icdoff");
_Static_assert(offsetof(struct nvme_id_ctrl, fcatt) == 1802, "id_ctrl fcatt");
_Static_assert(offsetof(struct nvme_id_ctrl, msdbd) == 1803, "id_ctrl msdbd");
_Static_assert(offsetof(struct nvme_id_ctrl, ofcs) == 1804, "id_ctrl ofcs");
_Static_assert(offsetof(struct nvme_id_ctrl, psd) == 2048, "id_ctrl psd");
_Static_assert(offsetof(struct nvme_id_ctrl, vs) == 3072, "id_ctrl vs");

#define NVME_CTRL_CMIC_MULTI_PORT (1u << 0)
#define NVME_CTRL_CMIC_MULTI_CTRL (1u << 1)
#define NVME_CTRL_CMIC_SRIOV (1u << 2)
#define NVME_CTRL_CMIC_ANA (1u << 3)

#define NVME_CTRL_OAES_NS_ATTR (1u << 8)
#define NVME_CTRL_OAES_FW_ACTIVATION (1u << 9)
#define NVME_CTRL_OAES_ANA_CHANGE (1u << 11)
#define NVME_CTRL_OAES_DISCOVERY_LOG_CHANGE (1u << 31)

#define NVME_CTRL_CTRATT_HOSTID_128 (1u << 0)
#define NVME_CTRL_CTRATT_NOPSPM (1u << 1)
#define NVME_CTRL_CTRATT_NVM_SETS (1u << 2)
#define NVME_CTRL_CTRATT_UUID_LIST (1u << 9)

enum nvme_cntrltype {
	NVME_CNTRLTYPE_NOT_REPORTED = 0,
	NVME_CNTRLTYPE_IO = 1,
	NVME_CNTRLTYPE_DISCOVERY = 2,
	NVME_CNTRLTYPE_ADMIN = 3,
};

#define NVME_CTRL_OACS_SECURITY (1u << 0)
#define NVME_CTRL_OACS_FORMAT (1u << 1)
#define NVME_CTRL_OACS_FIRMWARE (1u << 2)
#define NVME_CTRL_OACS_NS_MANAGEMENT (1u << 3)
#define NVME_CTRL_OACS_SELF_TEST (1u << 4)
#define NVME_CTRL_OACS_DIRECTIVES (1u << 5)
#define NVME_CTRL_OACS_NVME_MI (1u << 6)
#define NVME_CTRL_OACS_VIRTUALIZATION (1u << 7)
#define NVME_CTRL_OACS_DOORBELL_BUFFER (1u << 8)
#define NVME_CTRL_OACS_GET_LBA_STATUS (1u << 9)

/* SANICAP: Crypto Erase, Block Erase, Overwrite; No-Deallocate Inhibited;
 * No-Deallocate Modifies Media After Sanitize (2 bits). */
#define NVME_CTRL_SANICAP_CES (1u << 0)
#define NVME_CTRL_SANICAP_BES (1u << 1)
#define NVME_CTRL_SANICAP_OWS (1u << 2)
#define NVME_CTRL_SANICAP_NDI (1u << 29)
#define NVME_CTRL_SANICAP_NODMMAS_SHIFT 30
#define NVME_CTRL_SANICAP_NODMMAS_MASK (3u << NVME_CTRL_SANICAP_NODMMAS_SHIFT)

/* FNA: Format / Secure Erase apply to all namespaces; Crypto Erase supported. */
#define NVME_CTRL_FNA_FORMAT_ALL (1u << 0)
#define NVME_CTRL_FNA_SEC_ERASE_ALL (1u << 1)
#define NVME_CTRL_FNA_CRYPTO_ERASE (1u << 2)

#define NVME_CTRL_LPA_SMART_PER_NS (1u << 0)
#define NVME_CTRL_LPA_CMD_EFFECTS (1u << 1)
#define NVME_CTRL_LPA_EXTENDED (1u << 2)
#define NVME_CTRL_LPA_TELEMETRY (1u << 3)

#define NVME_CTRL_ANACAP_OPTIMIZED (1u << 0)
#define NVME_CTRL_ANACAP_NON_OPTIMIZED (1u << 1)
#define NVME_CTRL_ANACAP_INACCESSIBLE (1u << 2)
#define NVME_CTRL_ANACAP_PERSISTENT_LOSS (1u << 3)
#define NVME_CTRL_ANACAP_CHANGE (1u << 4)
#define NVME_CTRL_ANACAP_GRPID_NOT_CHANGED (1u << 6)
#define NVME_CTRL_ANACAP_GRPID_MGMT (1u << 7)

#define NVME_CTRL_ONCS_COMPARE (1u << 0)
#define NVME_CTRL_ONCS_WRITE_UNCORRECTABLE (1u << 1)
#define NVME_CTRL_ONCS_DSM (1u << 2)
#define NVME_CTRL_ONCS_WRITE_ZEROES (1u << 3)
#define NVME_CTRL_ONCS_SAVE_SELECT (1u << 4)
#define NVME_CTRL_ONCS_RESERVATIONS (1u << 5)
#define NVME_CTRL_ONCS_TIMESTAMP (1u << 6)
#define NVME_CTRL_ONCS_VERIFY (1u << 7)
#define NVME_CTRL_ONCS_COPY (1u << 8)

#define NVME_CTRL_FUSES_COMPARE_AND_WRITE (1u << 0)
#define NVME_CTRL_VWC_PRESENT (1u << 0)
#define NVME_CTRL_VWC_FLUSH_BROADCAST_OK (3u << 1) /* NSID FFFFFFFFh supported */

#define NVME_CTRL_SGLS_SUPPORTED (1u << 0)     /* bits 1:0 = 01b: byte aligned */
#define NVME_CTRL_SGLS_DWORD_ALIGNED (2u << 0) /* bits 1:0 = 10b */
#define NVME_CTRL_SGLS_KEYED (1u << 2)
#define NVME_CTRL_SGLS_BIT_BUCKET (1u << 16)
#define NVME_CTRL_SGLS_METADATA_BYTE_ALIGNED (1u << 17)
#define NVME_CTRL_SGLS_OVERSIZED (1u << 18) /* SGL longer than the transfer */
#define NVME_CTRL_SGLS_MPTR_SGL (1u << 19)
#define NVME_CTRL_SGLS_OFFSET (1u << 20)
#define NVME_CTRL_SGLS_TRANSPORT_DATA_BLOCK (1u << 21)

#define NVME_CTRL_FCATT_STATIC (1u << 0)
#define NVME_CTRL_OFCS_DISCONNECT (1u << 0)

/** LBA format, 4 bytes. */
struct nvme_lbaf {
	uint16_t ms;   /* metadata bytes per block */
	uint8_t lbads; /* log2 of the block size (9 = 512 B) */
	uint8_t rp;    /* relative performance, bits 1:0 */
};
_Static_assert(sizeof(struct nvme_lbaf) == 4, "LBA format is 4 bytes");

/** Identify Namespace data structure (CNS 00h, NVM command set), 4096 bytes. */
struct nvme_id_ns {
	uint64_t nsze; /* size in blocks */
	uint64_t ncap; /* capacity in blocks */
	uint64_t nuse; /* utilization in blocks */
	uint8_t nsfeat;
	uint8_t nlbaf; /* number of LBA formats, zero-based */
	uint8_t flbas; /* format index 3:0 (+ 6:5 high bits), bit 4 extended metadata */
	uint8_t mc;
	uint8_t dpc;
	uint8_t dps;
	uint8_t nmic; /* bit 0: may be attached to several controllers */
	uint8_t rescap;
	uint8_t fpi;
	uint8_t dlfeat;
	uint16_t nawun;
	uint16_t nawupf;
	uint16_t nacwu;
	uint16_t nabsn;
	uint16_t nabo;
	uint16_t nabspf;
	uint16_t noiob;
	uint8_t nvmcap[16];
	uint16_t npwg;
	uint16_t npwa;
	uint16_t npdg;
	uint16_t npda;
	uint16_t nows;
	uint16_t mssrl;
	uint32_t mcl;
	uint8_t msrc;
	uint8_t rsvd81;
	uint8_t nulbaf;
	uint8_t rsvd83[9];
	uint32_t anagrpid;
	uint8_t rsvd96[3];
	uint8_t nsattr; /* bit 0: write protected */
	uint16_t nvmsetid;
	uint16_t endgid;
	uint8_t nguid[16];
	uint8_t eui64[8];
	struct nvme_lbaf lbaf[64];
	uint8_t vs[3712];
};
_Static_assert(sizeof(struct nvme_id_ns) == 4096, "Identify Namespace is 4096 bytes");
_Static_assert(offsetof(struct nvme_id_ns, nsfeat) == 24, "id_ns nsfeat");
_Static_assert(offsetof(struct nvme_id_ns, flbas) == 26, "id_ns flbas");
_Static_assert(offsetof(struct nvme_id_ns, nmic) == 30, "id_ns nmic");
_Static_assert(offsetof(struct nvme_id_ns, rescap) == 31, "id_ns rescap");
_Static_assert(offsetof(struct nvme_id_ns, dlfeat) == 33, "id_ns dlfeat");
_Static_assert(offsetof(struct nvme_id_ns, nawun) == 34, "id_ns nawun");
_Static_assert(offsetof(struct nvme_id_ns, noiob) == 46, "id_ns noiob");
_Static_assert(offsetof(struct nvme_id_ns, nvmcap) == 48, "id_ns nvmcap");
_Static_assert(offsetof(struct nvme_id_ns, npwg) == 64, "id_ns npwg");
_Static_assert(offsetof(struct nvme_id_ns, mcl) == 76, "id_ns mcl");
_Static_assert(offsetof(struct nvme_id_ns, anagrpid) == 92, "id_ns anagrpid");
_Static_assert(offsetof(struct nvme_id_ns, nsattr) == 99, "id_ns nsattr");
_Static_assert(offsetof(struct nvme_id_ns, nvmsetid) == 100, "id_ns nvmsetid");
_Static_assert(offsetof(struct nvme_id_ns, endgid) == 102, "id_ns endgid");
_Static_assert(offsetof(struct nvme_id_ns, nguid) == 104, "id_ns nguid");
_Static_assert(offsetof(struct nvme_id_ns, eui64) == 120, "id_ns eui64");
_Static_assert(offsetof(struct nvme_id_ns, lbaf) == 128, "id_ns lbaf");
_Static_assert(offsetof(struct nvme_id_ns, vs) == 384, "id_ns vs");

#define NVME_NS_NSFEAT_THIN_PROVISIONING (1u << 0)
#define NVME_NS_NSFEAT_NSABP (1u << 1)
#define NVME_NS_NSFEAT_DAE (1u << 2)
#define NVME_NS_NSFEAT_UIDREUSE (1u << 3)
#define NVME_NS_NSFEAT_OPTPERF (1u << 4)
#define NVME_NS_FLBAS_EXTENDED_METADATA (1u << 4)
#define NVME_NS_NMIC_SHARED (1u << 0)
#define NVME_NS_NSATTR_WRITE_PROTECTED (1u << 0)
/* DLFEAT: 2:0 value read from deallocated blocks, 3 Write Zeroes can deallocate */
#define NVME_NS_DLFEAT_READ_MASK 0x7u
#define NVME_NS_DLFEAT_READ_ZEROES 0x1u
#define NVME_NS_DLFEAT_READ_ONES 0x2u
#define NVME_NS_DLFEAT_WRITE_ZEROES_DEALLOC (1u << 3)
#define NVME_NS_DLFEAT_GUARD_CRC (1u << 4)

/** Index of the LBA format in use (FLBAS bits 3:0 and 6:5). */
static inline uint8_t nvme_id_ns_flbas_index(const struct nvme_id_ns *ns)
{
	return (uint8_t)((ns->flbas & 0xF) | ((ns->flbas >> 5) & 0x3) << 4);
}

/** Logical block size of the format in use, in bytes. */
static inline uint32_t nvme_id_ns_block_size(const struct nvme_id_ns *ns)
{
	return 1u << ns->lbaf[nvme_id_ns_flbas_index(ns)].lbads;
}

/* ---------------------------------------------------------- reservations */

enum nvme_reservation_type {
	NVME_RESV_WRITE_EXCLUSIVE = 1,
	NVME_RESV_EXCLUSIVE_ACCESS = 2,
	NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY = 3,
	NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY = 4,
	NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS = 5,
	NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS = 6,
};

/* Reservation Register CDW10: RREGA 2:0, IEKEY 3, CPTPL 31:30. */
enum nvme_resv_register_action {
	NVME_RESV_REGISTER_KEY = 0,
	NVME_RESV_UNREGISTER_KEY = 1,
	NVME_RESV_REPLACE_KEY = 2,
};

/* Reservation Acquire CDW10: RACQA 2:0, IEKEY 3, RTYPE 15:8. */
enum nvme_resv_acquire_action {
	NVME_RESV_ACQUIRE = 0,
	NVME_RESV_PREEMPT = 1,
	NVME_RESV_PREEMPT_AND_ABORT = 2,
};

/* Reservation Release CDW10: RRELA 2:0, IEKEY 3, RTYPE 15:8. */
enum nvme_resv_release_action {
	NVME_RESV_RELEASE = 0,
	NVME_RESV_CLEAR = 1,
};

#define NVME_RESV_ACTION_MASK 0x7u
#define NVME_RESV_IEKEY (1u << 3)
#define NVME_RESV_RTYPE_SHIFT 8
#define NVME_RESV_CPTPL_SHIFT 30

/** Reservation Register data, 16 bytes. */
struct nvme_resv_register_data {
	uint64_t crkey;
	uint64_t nrkey;
};
_Static_assert(sizeof(struct nvme_resv_register_data) == 16, "resv register data");

/** Reservation Acquire data, 16 bytes. */
struct nvme_resv_acquire_data {
	uint64_t crkey;
	uint64_t prkey;
};
_Static_assert(sizeof(struct nvme_resv_acquire_data) == 16, "resv acquire data");

/** Reservation Report header (24 bytes), followed by registrant entries. */
struct nvme_resv_status {
	uint32_t gen;
	uint8_t rtype;
	uint16_t regctl; /* number of registered controllers (bytes 6:5) */
	uint8_t rsvd7[2];
	uint8_t ptpls;
	uint8_t rsvd10[14];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_resv_status) == 24, "resv status header");
_Static_assert(offsetof(struct nvme_resv_status, regctl) == 5, "resv status regctl");
_Static_assert(offsetof(struct nvme_resv_status, ptpls) == 9, "resv status ptpls");

/** Extended Reservation Status header (Report with EDS set), 64 bytes. */
struct nvme_resv_status_ext {
	uint32_t gen;
	uint8_t rtype;
	uint16_t regctl;
	uint8_t rsvd7[2];
	uint8_t ptpls;
	uint8_t rsvd10[54];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_resv_status_ext) == 64, "extended resv status header");
_Static_assert(offsetof(struct nvme_resv_status_ext, ptpls) == 9, "extended resv status ptpls");

/* Reservation Report CDW11: bit 0 EDS (extended data structure). */
#define NVME_RESV_REPORT_EDS (1u << 0)

/* Identify Namespace RESCAP (byte 31). */
#define NVME_NS_RESCAP_PTPL (1u << 0)
#define NVME_NS_RESCAP_WE (1u << 1)
#define NVME_NS_RESCAP_EA (1u << 2)
#define NVME_NS_RESCAP_WE_RO (1u << 3)
#define NVME_NS_RESCAP_EA_RO (1u << 4)
#define NVME_NS_RESCAP_WE_AR (1u << 5)
#define NVME_NS_RESCAP_EA_AR (1u << 6)
#define NVME_NS_RESCAP_IEK_13 (1u << 7)

/** Registered controller data structure (extended, 128-bit host id), 64 bytes. */
struct nvme_resv_ctrl_ext {
	uint16_t cntlid;
	uint8_t rcsts; /* bit 0: holds the reservation */
	uint8_t rsvd3[5];
	uint64_t rkey;
	uint8_t hostid[16];
	uint8_t rsvd32[32];
};
_Static_assert(sizeof(struct nvme_resv_ctrl_ext) == 64, "extended registrant entry");
_Static_assert(offsetof(struct nvme_resv_ctrl_ext, rkey) == 8, "registrant rkey");
_Static_assert(offsetof(struct nvme_resv_ctrl_ext, hostid) == 16, "registrant hostid");

#endif /* NVMF_TGT_NVME_SPEC_ID_H */
