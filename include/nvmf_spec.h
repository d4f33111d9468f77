/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_spec.h - NVMe over Fabrics wire structures and constants: fabrics
 * commands (Connect, Property Get/Set, Disconnect, Authentication Send /
 * Receive), the discovery log page, NVMe/TCP PDUs, NVMe/RDMA connection
 * manager private data and DH-HMAC-CHAP authentication messages.
 *
 * Byte order: every multi-byte field is little-endian on the wire. The
 * structures are declared in host order; nvme_spec.h restricts the build to
 * little-endian hosts and provides nvme_get_le32() & co. for raw buffers.
 *
 * Prefixes: nvmf_ / NVMF_ fabrics, nvme_tcp_ / NVME_TCP_ NVMe/TCP,
 * nvmf_rdma_ / NVMF_RDMA_ RDMA CM private data, nvmf_auth_ / NVMF_AUTH_
 * DH-HMAC-CHAP. Every size and key offset is checked with _Static_assert.
 * Only types, constants and pure inline functions: thread-safe.
 */
#ifndef NVMF_TGT_NVMF_SPEC_H
#define NVMF_TGT_NVMF_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "nvme_spec.h"

/* ------------------------------------------------------------ fabrics commands */

/** Fabrics command types (opcode NVME_OPC_FABRICS, 0x7F). */
enum nvmf_fctype {
	NVMF_FCTYPE_PROPERTY_SET = 0x00,
	NVMF_FCTYPE_CONNECT = 0x01,
	NVMF_FCTYPE_PROPERTY_GET = 0x04,
	NVMF_FCTYPE_AUTH_SEND = 0x05,
	NVMF_FCTYPE_AUTH_RECV = 0x06,
	NVMF_FCTYPE_DISCONNECT = 0x08,
};

#define NVMF_RECFMT_0 0            /* the only record format defined */
#define NVMF_CNTLID_DYNAMIC 0xffff /* Connect: any controller, dynamic model */
#define NVMF_CNTLID_STATIC_ANY 0xfffe
#define NVMF_CNTLID_MAX 0xffef /* valid controller ids are 1..0xFFEF */
#define NVMF_PORT_TCP 4420
#define NVMF_PORT_TCP_DISCOVERY 8009
#define NVMF_PORT_RDMA 4420

/** Generic fabrics command, 64 bytes (overlays struct nvme_cmd). */
struct nvmf_capsule_cmd {
	uint8_t opcode; /* NVME_OPC_FABRICS */
	uint8_t attr;   /* PSDT in bits 7:6 */
	uint16_t cid;
	uint8_t fctype; /* enum nvmf_fctype */
	uint8_t rsvd5[19];
	struct nvme_sgl_desc sgl1;
	uint8_t fabric_specific[24];
};
_Static_assert(sizeof(struct nvmf_capsule_cmd) == 64, "fabrics command is 64 bytes");
_Static_assert(offsetof(struct nvmf_capsule_cmd, fctype) == 4, "fabrics fctype");
_Static_assert(offsetof(struct nvmf_capsule_cmd, sgl1) == 24, "fabrics sgl1");
_Static_assert(offsetof(struct nvmf_capsule_cmd, fabric_specific) == 40, "fabrics specific");

/** The fctype of a fabrics @cmd (only meaningful when opc is NVME_OPC_FABRICS). */
static inline uint8_t nvmf_cmd_fctype(const struct nvme_cmd *cmd)
{
	return (uint8_t)(cmd->nsid & 0xFF);
}

/**
 * Data transfer direction of any command @cmd: opcode bits 1:0, or for a
 * fabrics command (NVME_OPC_FABRICS) fctype bits 1:0. Host and target,
 * every transport, decide it here.
 */
static inline enum nvme_data_transfer nvmf_cmd_data_transfer(const struct nvme_cmd *cmd)
{
	if (cmd->opc == NVME_OPC_FABRICS)
		return (enum nvme_data_transfer)(nvmf_cmd_fctype(cmd) & 0x3);
	return nvme_opc_data_transfer(cmd->opc);
}

/** Connect command, 64 bytes; the Connect data (1024 bytes) is its payload. */
struct nvmf_connect_cmd {
	uint8_t opcode;
	uint8_t attr;
	uint16_t cid;
	uint8_t fctype; /* NVMF_FCTYPE_CONNECT */
	uint8_t rsvd5[19];
	struct nvme_sgl_desc sgl1;
	uint16_t recfmt; /* NVMF_RECFMT_0 */
	uint16_t qid;    /* 0 = admin queue */
	uint16_t sqsize; /* zero-based */
	uint8_t cattr;   /* NVMF_CONNECT_CATTR_* */
	uint8_t rsvd47;
	uint32_t kato; /* keep alive timeout in ms, admin queue only; 0 = off */
	uint8_t rsvd52[12];
};
_Static_assert(sizeof(struct nvmf_connect_cmd) == 64, "Connect command is 64 bytes");
_Static_assert(offsetof(struct nvmf_connect_cmd, recfmt) == 40, "connect recfmt");
_Static_assert(offsetof(struct nvmf_connect_cmd, qid) == 42, "connect qid");
_Static_assert(offsetof(struct nvmf_connect_cmd, sqsize) == 44, "connect sqsize");
_Static_assert(offsetof(struct nvmf_connect_cmd, cattr) == 46, "connect cattr");
_Static_assert(offsetof(struct nvmf_connect_cmd, kato) == 48, "connect kato");

#define NVMF_CONNECT_CATTR_PRIORITY_MASK 0x3u
#define NVMF_CONNECT_CATTR_DISABLE_SQ_FLOW_CONTROL (1u << 2)

/** Connect data, 1024 bytes. */
struct nvmf_connect_data {
	uint8_t hostid[16];
	uint16_t cntlid; /* NVMF_CNTLID_DYNAMIC for the dynamic model */
	uint8_t rsvd18[238];
	char subnqn[NVME_NQN_FIELD_LEN];
	char hostnqn[NVME_NQN_FIELD_LEN];
	uint8_t rsvd768[256];
};
_Static_assert(sizeof(struct nvmf_connect_data) == 1024, "Connect data is 1024 bytes");
_Static_assert(offsetof(struct nvmf_connect_data, cntlid) == 16, "connect data cntlid");
_Static_assert(offsetof(struct nvmf_connect_data, subnqn) == 256, "connect data subnqn");
_Static_assert(offsetof(struct nvmf_connect_data, hostnqn) == 512, "connect data hostnqn");

/*
 * Connect response, in struct nvme_cpl CDW0.
 * Success: CNTLID in bits 15:0; AUTHREQ: ATR (authentication transaction
 * required) bit 17, ASCR (secure channel concatenation required) bit 18,
 * where the Linux host and target and SPDK put them.
 * NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS: IATTR in bits 7:0 (0: the
 * offending field is in the SQE, 1: in the Connect data), IPO in bits 31:16
 * (byte offset of the field within the SQE or the data).
 */
#define NVMF_CONNECT_RSP_CNTLID(cdw0) ((uint16_t)((cdw0)&0xFFFFu))
#define NVMF_CONNECT_RSP_AUTHREQ_ATR (1u << 17)
#define NVMF_CONNECT_RSP_AUTHREQ_ASCR (1u << 18)
#define NVMF_CONNECT_IATTR_SQE 0u
#define NVMF_CONNECT_IATTR_DATA 1u
#define NVMF_CONNECT_RSP_INVALID(iattr, ipo)                                                       \
	((uint32_t)(((unsigned)(iattr)&0xFFu) | ((unsigned)(ipo)&0xFFFFu) << 16))
#define NVMF_CONNECT_RSP_IATTR(cdw0) ((uint8_t)((cdw0)&0xFFu))
#define NVMF_CONNECT_RSP_IPO(cdw0) ((uint16_t)((cdw0) >> 16))

/* Property Get / Set ATTRIB bits 2:0: property size. */
enum nvmf_prop_size {
	NVMF_PROP_SIZE_4 = 0x0,
	NVMF_PROP_SIZE_8 = 0x1,
};

/** Property Get command, 64 bytes. Response: the value in CDW0 (and CDW1 for 8 bytes). */
struct nvmf_property_get_cmd {
	uint8_t opcode;
	uint8_t attr;
	uint16_t cid;
	uint8_t fctype; /* NVMF_FCTYPE_PROPERTY_GET */
	uint8_t rsvd5[35];
	uint8_t attrib; /* enum nvmf_prop_size in bits 2:0 */
	uint8_t rsvd41[3];
	uint32_t ofst; /* register offset, NVME_REG_* */
	uint8_t rsvd48[16];
};
_Static_assert(sizeof(struct nvmf_property_get_cmd) == 64, "Property Get is 64 bytes");
_Static_assert(offsetof(struct nvmf_property_get_cmd, attrib) == 40, "prop get attrib");
_Static_assert(offsetof(struct nvmf_property_get_cmd, ofst) == 44, "prop get ofst");

/** Property Set command, 64 bytes. */
struct nvmf_property_set_cmd {
	uint8_t opcode;
	uint8_t attr;
	uint16_t cid;
	uint8_t fctype; /* NVMF_FCTYPE_PROPERTY_SET */
	uint8_t rsvd5[35];
	uint8_t attrib; /* enum nvmf_prop_size in bits 2:0 */
	uint8_t rsvd41[3];
	uint32_t ofst;
	uint64_t value; /* 4-byte properties use the low half */
	uint8_t rsvd56[8];
};
_Static_assert(sizeof(struct nvmf_property_set_cmd) == 64, "Property Set is 64 bytes");
_Static_assert(offsetof(struct nvmf_property_set_cmd, ofst) == 44, "prop set ofst");
_Static_assert(offsetof(struct nvmf_property_set_cmd, value) == 48, "prop set value");

/** Property size in bytes (4 or 8) of an ATTRIB value; 0 when invalid. */
static inline uint32_t nvmf_prop_size_bytes(uint8_t attrib)
{
	switch (attrib & 0x7) {
	case NVMF_PROP_SIZE_4:
		return 4;
	case NVMF_PROP_SIZE_8:
		return 8;
	default:
		return 0;
	}
}

/** Disconnect command, 64 bytes (deletes the I/O queue it is sent on). */
struct nvmf_disconnect_cmd {
	uint8_t opcode;
	uint8_t attr;
	uint16_t cid;
	uint8_t fctype; /* NVMF_FCTYPE_DISCONNECT */
	uint8_t rsvd5[19];
	struct nvme_sgl_desc sgl1;
	uint16_t recfmt;
	uint8_t rsvd42[22];
};
_Static_assert(sizeof(struct nvmf_disconnect_cmd) == 64, "Disconnect is 64 bytes");

/** Authentication Send / Receive command, 64 bytes. */
struct nvmf_auth_cmd {
	uint8_t opcode;
	uint8_t attr;
	uint16_t cid;
	uint8_t fctype; /* NVMF_FCTYPE_AUTH_SEND / _RECV */
	uint8_t rsvd5[19];
	struct nvme_sgl_desc sgl1;
	uint8_t rsvd40;
	uint8_t spsp0; /* NVMF_AUTH_SPSP0 */
	uint8_t spsp1; /* NVMF_AUTH_SPSP1 */
	uint8_t secp;  /* NVMF_AUTH_SECP */
	uint32_t len;  /* TL (send) / AL (receive): bytes */
	uint8_t rsvd48[16];
};
_Static_assert(sizeof(struct nvmf_auth_cmd) == 64, "Authentication command is 64 bytes");
_Static_assert(offsetof(struct nvmf_auth_cmd, secp) == 43, "auth secp");
_Static_assert(offsetof(struct nvmf_auth_cmd, len) == 44, "auth len");

#define NVMF_AUTH_SECP 0xE9 /* NVMe in-band authentication */
#define NVMF_AUTH_SPSP0 0x01
#define NVMF_AUTH_SPSP1 0x01

/* ------------------------------------------------------------ discovery log */

enum nvmf_trtype {
	NVMF_TRTYPE_RDMA = 1,
	NVMF_TRTYPE_FC = 2,
	NVMF_TRTYPE_TCP = 3,
	NVMF_TRTYPE_LOOP = 254, /* intra-host */
};

enum nvmf_adrfam {
	NVMF_ADRFAM_IPV4 = 1,
	NVMF_ADRFAM_IPV6 = 2,
	NVMF_ADRFAM_IB = 3,
	NVMF_ADRFAM_FC = 4,
	NVMF_ADRFAM_LOOP = 254, /* intra-host */
};

enum nvmf_subtype {
	NVMF_SUBTYPE_DISCOVERY_REFERRAL = 1, /* another discovery service */
	NVMF_SUBTYPE_NVME = 2,               /* an NVM subsystem */
	NVMF_SUBTYPE_DISCOVERY_CURRENT = 3,  /* this discovery subsystem */
};

/* TREQ: secure channel requirement in bits 1:0, SQ flow control in bit 2. */
#define NVMF_TREQ_SECURE_CHANNEL_MASK 0x3u
#define NVMF_TREQ_SECURE_CHANNEL_NOT_SPECIFIED 0x0u
#define NVMF_TREQ_SECURE_CHANNEL_REQUIRED 0x1u
#define NVMF_TREQ_SECURE_CHANNEL_NOT_REQUIRED 0x2u
#define NVMF_TREQ_DISABLE_SQ_FLOW_CONTROL (1u << 2)

/* EFLAGS */
#define NVMF_EFLAGS_DUPLICATE_RETURN_INFO (1u << 0)
#define NVMF_EFLAGS_EXPLICIT_PERSISTENT_CONN (1u << 1)
#define NVMF_EFLAGS_NO_CDC_CONNECTIVITY (1u << 2)

enum nvmf_rdma_qptype {
	NVMF_RDMA_QPTYPE_RELIABLE_CONNECTED = 1,
	NVMF_RDMA_QPTYPE_RELIABLE_DATAGRAM = 2,
};

enum nvmf_rdma_prtype {
	NVMF_RDMA_PRTYPE_NONE = 1,
	NVMF_RDMA_PRTYPE_IB = 2,
	NVMF_RDMA_PRTYPE_ROCE = 3,
	NVMF_RDMA_PRTYPE_ROCE2 = 4,
	NVMF_RDMA_PRTYPE_IWARP = 5,
};

enum nvmf_rdma_cms {
	NVMF_RDMA_CMS_RDMA_CM = 1,
};

enum nvmf_tcp_sectype {
	NVMF_TCP_SECTYPE_NONE = 0,
	NVMF_TCP_SECTYPE_TLS12 = 1,
	NVMF_TCP_SECTYPE_TLS13 = 2,
};

#define NVMF_TRSVCID_LEN 32
#define NVMF_TRADDR_LEN 256

/** Transport specific address subtype, 256 bytes. */
union nvmf_tsas {
	struct {
		uint8_t qptype; /* enum nvmf_rdma_qptype */
		uint8_t prtype; /* enum nvmf_rdma_prtype */
		uint8_t cms;    /* enum nvmf_rdma_cms */
		uint8_t rsvd3[5];
		uint16_t pkey;
		uint8_t rsvd10[246];
	} rdma;
	struct {
		uint8_t sectype; /* enum nvmf_tcp_sectype */
		uint8_t rsvd1[255];
	} tcp;
	uint8_t raw[256];
};
_Static_assert(sizeof(union nvmf_tsas) == 256, "TSAS is 256 bytes");
_Static_assert(offsetof(union nvmf_tsas, rdma.pkey) == 8, "TSAS rdma pkey");

/** Discovery log page entry, 1024 bytes. Strings are space or NUL padded. */
struct nvmf_discovery_log_entry {
	uint8_t trtype;  /* enum nvmf_trtype */
	uint8_t adrfam;  /* enum nvmf_adrfam */
	uint8_t subtype; /* enum nvmf_subtype */
	uint8_t treq;    /* NVMF_TREQ_* */
	uint16_t portid;
	uint16_t cntlid; /* NVMF_CNTLID_DYNAMIC for the dynamic model */
	uint16_t asqsz;  /* max admin SQ size, at least 32 */
	uint16_t eflags; /* NVMF_EFLAGS_* */
	uint8_t rsvd12[20];
	char trsvcid[NVMF_TRSVCID_LEN]; /* e.g. "4420" */
	uint8_t rsvd64[192];
	char subnqn[NVME_NQN_FIELD_LEN];
	char traddr[NVMF_TRADDR_LEN]; /* e.g. "192.168.1.2" */
	union nvmf_tsas tsas;
};
_Static_assert(sizeof(struct nvmf_discovery_log_entry) == 1024, "discovery entry is 1024 bytes");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, portid) == 4, "disc entry portid");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, cntlid) == 6, "disc entry cntlid");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, asqsz) == 8, "disc entry asqsz");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, eflags) == 10, "disc entry eflags");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, trsvcid) == 32, "disc entry trsvcid");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, subnqn) == 256, "disc entry subnqn");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, traddr) == 512, "disc entry traddr");
_Static_assert(offsetof(struct nvmf_discovery_log_entry, tsas) == 768, "disc entry tsas");

/** Discovery log page header, 1024 bytes; entries follow at byte 1024. */
struct nvmf_discovery_log_hdr {
	uint64_t genctr; /* changes whenever the log contents change */
	uint64_t numrec;
	uint16_t recfmt;
	uint8_t rsvd18[1006];
	struct nvmf_discovery_log_entry entries[];
};
_Static_assert(sizeof(struct nvmf_discovery_log_hdr) == 1024, "discovery log header is 1024 B");
_Static_assert(offsetof(struct nvmf_discovery_log_hdr, numrec) == 8, "disc log numrec");
_Static_assert(offsetof(struct nvmf_discovery_log_hdr, recfmt) == 16, "disc log recfmt");
_Static_assert(offsetof(struct nvmf_discovery_log_hdr, entries) == 1024, "disc log entries");

/* ------------------------------------------------------------------ NVMe/TCP */

enum nvme_tcp_pdu_type {
	NVME_TCP_PDU_ICREQ = 0x00,
	NVME_TCP_PDU_ICRESP = 0x01,
	NVME_TCP_PDU_H2C_TERM_REQ = 0x02,
	NVME_TCP_PDU_C2H_TERM_REQ = 0x03,
	NVME_TCP_PDU_CAPSULE_CMD = 0x04,
	NVME_TCP_PDU_CAPSULE_RESP = 0x05,
	NVME_TCP_PDU_H2C_DATA = 0x06,
	NVME_TCP_PDU_C2H_DATA = 0x07,
	NVME_TCP_PDU_R2T = 0x09,
};

/* Common header FLAGS */
#define NVME_TCP_FLAG_HDGSTF 0x01   /* header digest present */
#define NVME_TCP_FLAG_DDGSTF 0x02   /* data digest present */
#define NVME_TCP_FLAG_LAST_PDU 0x04 /* H2CData / C2HData: last of the transfer */
#define NVME_TCP_FLAG_SUCCESS 0x08  /* C2HData: command done, no CapsuleResp */

/* ICReq / ICResp DGST */
#define NVME_TCP_DGST_HDGST_ENABLE 0x01
#define NVME_TCP_DGST_DDGST_ENABLE 0x02

#define NVME_TCP_PFV_1_0 0x0000
#define NVME_TCP_DIGEST_LEN 4        /* CRC32C header / data digest */
#define NVME_TCP_PDA_MAX 31          /* HPDA / CPDA: alignment (n + 1) * 4 bytes */
#define NVME_TCP_MAXH2CDATA_MIN 4096 /* ICResp MAXH2CDATA lower bound */

/* HLEN of each PDU type (header without digest) */
#define NVME_TCP_ICREQ_HLEN 128
#define NVME_TCP_ICRESP_HLEN 128
#define NVME_TCP_TERM_REQ_HLEN 24
#define NVME_TCP_CAPSULE_CMD_HLEN 72
#define NVME_TCP_CAPSULE_RESP_HLEN 24
#define NVME_TCP_DATA_HLEN 24
#define NVME_TCP_R2T_HLEN 24

/*
 * H2CTermReq / C2HTermReq carry the header of the PDU that caused the error
 * as data, truncated to 128 bytes: PLEN is at most 152 (24 + 128) in both
 * directions. A C2HTermReq is the controller's last PDU; it then closes the
 * connection. No digests are sent on TermReq PDUs.
 */
#define NVME_TCP_TERM_REQ_MAX_DATA 128
#define NVME_TCP_TERM_REQ_MAX_PLEN 152

/** Common PDU header, 8 bytes. */
struct nvme_tcp_common_hdr {
	uint8_t pdu_type; /* enum nvme_tcp_pdu_type */
	uint8_t flags;    /* NVME_TCP_FLAG_* */
	uint8_t hlen;     /* header length, without header digest */
	uint8_t pdo;      /* PDU data offset, 0 when no data */
	uint32_t plen;    /* total PDU length incl. digests and padding */
};
_Static_assert(sizeof(struct nvme_tcp_common_hdr) == 8, "TCP common header is 8 bytes");
_Static_assert(offsetof(struct nvme_tcp_common_hdr, plen) == 4, "TCP ch plen");

/** ICReq, 128 bytes. */
struct nvme_tcp_icreq {
	struct nvme_tcp_common_hdr ch;
	uint16_t pfv;    /* NVME_TCP_PFV_1_0 */
	uint8_t hpda;    /* host PDU data alignment, 0..31 */
	uint8_t dgst;    /* NVME_TCP_DGST_* */
	uint32_t maxr2t; /* max outstanding R2T per command, zero-based */
	uint8_t rsvd16[112];
};
_Static_assert(sizeof(struct nvme_tcp_icreq) == 128, "ICReq is 128 bytes");
_Static_assert(offsetof(struct nvme_tcp_icreq, pfv) == 8, "ICReq pfv");
_Static_assert(offsetof(struct nvme_tcp_icreq, hpda) == 10, "ICReq hpda");
_Static_assert(offsetof(struct nvme_tcp_icreq, dgst) == 11, "ICReq dgst");
_Static_assert(offsetof(struct nvme_tcp_icreq, maxr2t) == 12, "ICReq maxr2t");

/** ICResp, 128 bytes. */
struct nvme_tcp_icresp {
	struct nvme_tcp_common_hdr ch;
	uint16_t pfv;
	uint8_t cpda; /* controller PDU data alignment, 0..31 */
	uint8_t dgst;
	uint32_t maxh2cdata; /* bytes per H2CData PDU, >= 4096 */
	uint8_t rsvd16[112];
};
_Static_assert(sizeof(struct nvme_tcp_icresp) == 128, "ICResp is 128 bytes");
_Static_assert(offsetof(struct nvme_tcp_icresp, cpda) == 10, "ICResp cpda");
_Static_assert(offsetof(struct nvme_tcp_icresp, maxh2cdata) == 12, "ICResp maxh2cdata");

/** Fatal error status of H2CTermReq / C2HTermReq. */
enum nvme_tcp_fes {
	NVME_TCP_FES_INVALID_HEADER_FIELD = 0x01, /* FEI: byte offset of the field */
	NVME_TCP_FES_PDU_SEQUENCE_ERROR = 0x02,
	NVME_TCP_FES_HEADER_DIGEST_ERROR = 0x03,
	NVME_TCP_FES_DATA_OUT_OF_RANGE = 0x04,
	NVME_TCP_FES_R2T_LIMIT_EXCEEDED = 0x05, /* H2C: data transfer limit exceeded */
	NVME_TCP_FES_DATA_LIMIT_EXCEEDED = 0x05,
	NVME_TCP_FES_UNSUPPORTED_PARAMETER = 0x06, /* FEI: byte offset of the parameter */
};

/** H2CTermReq / C2HTermReq header, 24 bytes; the error data follows. */
struct nvme_tcp_term_req_hdr {
	struct nvme_tcp_common_hdr ch;
	uint16_t fes; /* enum nvme_tcp_fes */
	uint32_t fei; /* fatal error information */
	uint8_t rsvd14[10];
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_tcp_term_req_hdr) == 24, "TermReq header is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_term_req_hdr, fes) == 8, "TermReq fes");
_Static_assert(offsetof(struct nvme_tcp_term_req_hdr, fei) == 10, "TermReq fei");

/** CapsuleCmd header, 72 bytes; in-capsule data follows at PDO. */
struct nvme_tcp_cmd {
	struct nvme_tcp_common_hdr ch;
	struct nvme_cmd ccsqe;
};
_Static_assert(sizeof(struct nvme_tcp_cmd) == 72, "CapsuleCmd header is 72 bytes");
_Static_assert(offsetof(struct nvme_tcp_cmd, ccsqe) == 8, "CapsuleCmd sqe");

/** CapsuleResp, 24 bytes. */
struct nvme_tcp_rsp {
	struct nvme_tcp_common_hdr ch;
	struct nvme_cpl rccqe;
};
_Static_assert(sizeof(struct nvme_tcp_rsp) == 24, "CapsuleResp is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_rsp, rccqe) == 8, "CapsuleResp cqe");

/** H2CData / C2HData header, 24 bytes; data follows at PDO. */
struct nvme_tcp_data_hdr {
	struct nvme_tcp_common_hdr ch;
	uint16_t cccid; /* command capsule CID */
	uint16_t ttag;  /* H2CData: the R2T's transfer tag; C2HData: reserved */
	uint32_t datao; /* offset in the command's data */
	uint32_t datal; /* length of this PDU's data */
	uint8_t rsvd20[4];
};
_Static_assert(sizeof(struct nvme_tcp_data_hdr) == 24, "data PDU header is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_data_hdr, cccid) == 8, "data cccid");
_Static_assert(offsetof(struct nvme_tcp_data_hdr, ttag) == 10, "data ttag");
_Static_assert(offsetof(struct nvme_tcp_data_hdr, datao) == 12, "data datao");
_Static_assert(offsetof(struct nvme_tcp_data_hdr, datal) == 16, "data datal");

/** R2T, 24 bytes. */
struct nvme_tcp_r2t_hdr {
	struct nvme_tcp_common_hdr ch;
	uint16_t cccid;
	uint16_t ttag;
	uint32_t r2to; /* offset requested */
	uint32_t r2tl; /* length requested, <= MAXH2CDATA per H2CData PDU */
	uint8_t rsvd20[4];
};
_Static_assert(sizeof(struct nvme_tcp_r2t_hdr) == 24, "R2T is 24 bytes");
_Static_assert(offsetof(struct nvme_tcp_r2t_hdr, r2to) == 12, "R2T r2to");
_Static_assert(offsetof(struct nvme_tcp_r2t_hdr, r2tl) == 16, "R2T r2tl");

/** Expected HLEN of @pdu_type; 0 for an unknown type. */
static inline uint8_t nvme_tcp_pdu_hlen(uint8_t pdu_type)
{
	switch (pdu_type) {
	case NVME_TCP_PDU_ICREQ:
	case NVME_TCP_PDU_ICRESP:
		return 128;
	case NVME_TCP_PDU_CAPSULE_CMD:
		return 72;
	case NVME_TCP_PDU_H2C_TERM_REQ:
	case NVME_TCP_PDU_C2H_TERM_REQ:
	case NVME_TCP_PDU_CAPSULE_RESP:
	case NVME_TCP_PDU_H2C_DATA:
	case NVME_TCP_PDU_C2H_DATA:
	case NVME_TCP_PDU_R2T:
		return 24;
	default:
		return 0;
	}
}

/** True for the PDU types a host sends (ICReq, H2CTermReq, CapsuleCmd, H2CData). */
static inline bool nvme_tcp_pdu_from_host(uint8_t pdu_type)
{
	switch (pdu_type) {
	case NVME_TCP_PDU_ICREQ:
	case NVME_TCP_PDU_H2C_TERM_REQ:
	case NVME_TCP_PDU_CAPSULE_CMD:
	case NVME_TCP_PDU_H2C_DATA:
		return true;
	default:
		return false;
	}
}

/**
 * Bytes of header digest that follow the header of a @pdu_type PDU when
 * header digests were negotiated (@hdgst): 4, except for the
 * initialization and termination PDUs, which never carry one.
 */
static inline uint32_t nvme_tcp_pdu_hdgst_len(uint8_t pdu_type, bool hdgst)
{
	switch (pdu_type) {
	case NVME_TCP_PDU_ICREQ:
	case NVME_TCP_PDU_ICRESP:
	case NVME_TCP_PDU_H2C_TERM_REQ:
	case NVME_TCP_PDU_C2H_TERM_REQ:
		return 0;
	default:
		return hdgst ? NVME_TCP_DIGEST_LEN : 0;
	}
}

/** Bytes of alignment for a PDA value (HPDA / CPDA): (pda + 1) * 4. */
static inline uint32_t nvme_tcp_pda_bytes(uint8_t pda)
{
	return ((uint32_t)pda + 1) * 4;
}

/* ----------------------------------------------------- NVMe/RDMA CM private data */

/** RDMA CM connect request private data (host), 32 bytes. */
struct nvmf_rdma_request_private_data {
	uint16_t recfmt;  /* NVMF_RECFMT_0 */
	uint16_t qid;     /* 0 = admin */
	uint16_t hrqsize; /* host receive queue size */
	uint16_t hsqsize; /* host send queue size, zero-based (= Connect SQSIZE) */
	uint16_t cntlid;  /* admin: NVMF_CNTLID_DYNAMIC; I/O: the controller */
	uint8_t rsvd10[22];
};
_Static_assert(sizeof(struct nvmf_rdma_request_private_data) == 32, "RDMA CM request is 32 B");
_Static_assert(offsetof(struct nvmf_rdma_request_private_data, hsqsize) == 6, "RDMA hsqsize");
_Static_assert(offsetof(struct nvmf_rdma_request_private_data, cntlid) == 8, "RDMA cntlid");

/** RDMA CM accept private data (controller), 32 bytes. */
struct nvmf_rdma_accept_private_data {
	uint16_t recfmt;
	uint16_t crqsize; /* controller receive queue size */
	uint8_t rsvd4[28];
};
_Static_assert(sizeof(struct nvmf_rdma_accept_private_data) == 32, "RDMA CM accept is 32 B");

/** RDMA CM reject private data (controller), 4 bytes. */
struct nvmf_rdma_reject_private_data {
	uint16_t recfmt;
	uint16_t sts; /* enum nvmf_rdma_reject_status */
};
_Static_assert(sizeof(struct nvmf_rdma_reject_private_data) == 4, "RDMA CM reject is 4 B");

enum nvmf_rdma_reject_status {
	NVMF_RDMA_REJECT_INVALID_PRIVATE_DATA_LENGTH = 0x1,
	NVMF_RDMA_REJECT_INVALID_RECFMT = 0x2,
	NVMF_RDMA_REJECT_INVALID_QID = 0x3,
	NVMF_RDMA_REJECT_INVALID_HSQSIZE = 0x4,
	NVMF_RDMA_REJECT_INVALID_HRQSIZE = 0x5,
	NVMF_RDMA_REJECT_NO_RESOURCES = 0x6,
	NVMF_RDMA_REJECT_INVALID_IRD = 0x7,
	NVMF_RDMA_REJECT_INVALID_ORD = 0x8,
	NVMF_RDMA_REJECT_INVALID_CNTLID = 0x9,
};

/* ------------------------------------------------------------- DH-HMAC-CHAP */

/** AUTH_TYPE of an authentication message. */
enum nvmf_auth_type {
	NVMF_AUTH_TYPE_COMMON = 0x00,
	NVMF_AUTH_TYPE_DHCHAP = 0x01,
};

/** AUTH_ID: the message. Negotiate and the failures are common messages. */
enum nvmf_auth_id {
	NVMF_AUTH_ID_NEGOTIATE = 0x00,
	NVMF_AUTH_ID_DHCHAP_CHALLENGE = 0x01,
	NVMF_AUTH_ID_DHCHAP_REPLY = 0x02,
	NVMF_AUTH_ID_DHCHAP_SUCCESS1 = 0x03,
	NVMF_AUTH_ID_DHCHAP_SUCCESS2 = 0x04,
	NVMF_AUTH_ID_FAILURE2 = 0xF0,
	NVMF_AUTH_ID_FAILURE1 = 0xF1,
};

/** Authentication protocol identifiers (descriptor AUTHID). */
#define NVMF_AUTH_PROTOCOL_DHCHAP 0x01

enum nvmf_auth_hash_id {
	NVMF_AUTH_HASH_SHA256 = 0x01,
	NVMF_AUTH_HASH_SHA384 = 0x02,
	NVMF_AUTH_HASH_SHA512 = 0x03,
};

enum nvmf_auth_dhgroup_id {
	NVMF_AUTH_DHGROUP_NULL = 0x00,
	NVMF_AUTH_DHGROUP_FFDHE2048 = 0x01,
	NVMF_AUTH_DHGROUP_FFDHE3072 = 0x02,
	NVMF_AUTH_DHGROUP_FFDHE4096 = 0x03,
	NVMF_AUTH_DHGROUP_FFDHE6144 = 0x04,
	NVMF_AUTH_DHGROUP_FFDHE8192 = 0x05,
};

/** Secure channel concatenation (SC_C) of AUTH_Negotiate. */
enum nvmf_auth_sc_c {
	NVMF_AUTH_SC_C_NONE = 0x00,
	NVMF_AUTH_SC_C_SECURE_CHANNEL = 0x01,
	NVMF_AUTH_SC_C_NEW_TLS_PSK = 0x02,
	NVMF_AUTH_SC_C_REPLACE_TLS_PSK = 0x03,
};

/** Failure reason code and explanations. */
#define NVMF_AUTH_RESCODE_FAILED 0x01
enum nvmf_auth_rescode_exp {
	NVMF_AUTH_FAIL_FAILED = 0x01,
	NVMF_AUTH_FAIL_PROTOCOL_UNUSABLE = 0x02,
	NVMF_AUTH_FAIL_SCC_MISMATCH = 0x03,
	NVMF_AUTH_FAIL_HASH_UNUSABLE = 0x04,
	NVMF_AUTH_FAIL_DHGROUP_UNUSABLE = 0x05,
	NVMF_AUTH_FAIL_INCORRECT_PAYLOAD = 0x06,
	NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG = 0x07,
};

/** Authentication protocol descriptor of AUTH_Negotiate, 64 bytes. */
#define NVMF_AUTH_IDLIST_HASH_OFFSET 0
#define NVMF_AUTH_IDLIST_DHGROUP_OFFSET 30
struct nvmf_auth_protocol_desc {
	uint8_t authid; /* NVMF_AUTH_PROTOCOL_DHCHAP */
	uint8_t rsvd1;
	uint8_t halen; /* number of hash ids at idlist[0] */
	uint8_t dhlen; /* number of DH group ids at idlist[30] */
	uint8_t idlist[60];
};
_Static_assert(sizeof(struct nvmf_auth_protocol_desc) == 64, "auth protocol descriptor 64 B");

/** AUTH_Negotiate (host), 8 bytes + napd descriptors. */
struct nvmf_auth_negotiate {
	uint8_t auth_type; /* NVMF_AUTH_TYPE_COMMON */
	uint8_t auth_id;   /* NVMF_AUTH_ID_NEGOTIATE */
	uint8_t rsvd2[2];
	uint16_t t_id; /* transaction id */
	uint8_t sc_c;  /* enum nvmf_auth_sc_c */
	uint8_t napd;  /* number of protocol descriptors */
	struct nvmf_auth_protocol_desc descs[];
};
_Static_assert(sizeof(struct nvmf_auth_negotiate) == 8, "AUTH_Negotiate header is 8 B");
_Static_assert(offsetof(struct nvmf_auth_negotiate, t_id) == 4, "negotiate t_id");

/** DH-HMAC-CHAP_Challenge (controller), 16 bytes + C1 (hl) + DH value (dhvlen). */
struct nvmf_auth_dhchap_challenge {
	uint8_t auth_type; /* NVMF_AUTH_TYPE_DHCHAP */
	uint8_t auth_id;   /* NVMF_AUTH_ID_DHCHAP_CHALLENGE */
	uint8_t rsvd2[2];
	uint16_t t_id;
	uint8_t hl; /* hash length */
	uint8_t rsvd7;
	uint8_t hashid; /* enum nvmf_auth_hash_id */
	uint8_t dhgid;  /* enum nvmf_auth_dhgroup_id */
	uint16_t dhvlen;
	uint32_t seqnum;
	uint8_t cval[]; /* challenge, then DH value */
};
_Static_assert(sizeof(struct nvmf_auth_dhchap_challenge) == 16, "Challenge header is 16 B");
_Static_assert(offsetof(struct nvmf_auth_dhchap_challenge, hashid) == 8, "challenge hashid");
_Static_assert(offsetof(struct nvmf_auth_dhchap_challenge, seqnum) == 12, "challenge seqnum");

/** DH-HMAC-CHAP_Reply (host), 16 bytes + R1 (hl) + C2 (hl) + DH value (dhvlen). */
struct nvmf_auth_dhchap_reply {
	uint8_t auth_type;
	uint8_t auth_id; /* NVMF_AUTH_ID_DHCHAP_REPLY */
	uint8_t rsvd2[2];
	uint16_t t_id;
	uint8_t hl;
	uint8_t rsvd7;
	uint8_t cvalid; /* 1: C2 is valid (bidirectional authentication) */
	uint8_t rsvd9;
	uint16_t dhvlen;
	uint32_t seqnum; /* S2, for bidirectional authentication */
	uint8_t rval[];  /* response, then C2, then DH value */
};
_Static_assert(sizeof(struct nvmf_auth_dhchap_reply) == 16, "Reply header is 16 B");
_Static_assert(offsetof(struct nvmf_auth_dhchap_reply, cvalid) == 8, "reply cvalid");
_Static_assert(offsetof(struct nvmf_auth_dhchap_reply, dhvlen) == 10, "reply dhvlen");

/** DH-HMAC-CHAP_Success1 (controller), 16 bytes + R2 (hl). */
struct nvmf_auth_dhchap_success1 {
	uint8_t auth_type;
	uint8_t auth_id; /* NVMF_AUTH_ID_DHCHAP_SUCCESS1 */
	uint8_t rsvd2[2];
	uint16_t t_id;
	uint8_t hl;
	uint8_t rsvd7;
	uint8_t rvalid; /* 1: R2 is valid */
	uint8_t rsvd9[7];
	uint8_t rval[];
};
_Static_assert(sizeof(struct nvmf_auth_dhchap_success1) == 16, "Success1 header is 16 B");

/** DH-HMAC-CHAP_Success2 (host), 16 bytes. */
struct nvmf_auth_dhchap_success2 {
	uint8_t auth_type;
	uint8_t auth_id; /* NVMF_AUTH_ID_DHCHAP_SUCCESS2 */
	uint8_t rsvd2[2];
	uint16_t t_id;
	uint8_t rsvd6[10];
};
_Static_assert(sizeof(struct nvmf_auth_dhchap_success2) == 16, "Success2 is 16 B");

/** AUTH_Failure1 (controller) / AUTH_Failure2 (host), 8 bytes. */
struct nvmf_auth_failure {
	uint8_t auth_type; /* NVMF_AUTH_TYPE_COMMON */
	uint8_t auth_id;   /* NVMF_AUTH_ID_FAILURE1 / _FAILURE2 */
	uint8_t rsvd2[2];
	uint16_t t_id;
	uint8_t rescode;     /* NVMF_AUTH_RESCODE_FAILED */
	uint8_t rescode_exp; /* enum nvmf_auth_rescode_exp */
};
_Static_assert(sizeof(struct nvmf_auth_failure) == 8, "Failure is 8 B");

#endif /* NVMF_TGT_NVMF_SPEC_H */
