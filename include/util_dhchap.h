/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_dhchap.h - DH-HMAC-CHAP (NVMe in-band authentication) pieces both
 * sides share: secrets in the "DHHC-1:XX:<base64>:" representation, the
 * hash and Diffie-Hellman group tables, the response computation, the
 * FFDHE key exchange (OpenSSL) and the wire messages (build and parse).
 *
 * The target (nvmf/auth.c) and the host driver (nvme/auth.c) run their
 * own state machines on top of these; nothing here keeps state between
 * calls. Secret bytes live in struct dhchap_key and are wiped by
 * dhchap_key_wipe(); nothing here logs.
 * Every function is thread-safe.
 */
#ifndef NVMF_TGT_UTIL_DHCHAP_H
#define NVMF_TGT_UTIL_DHCHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCHAP_MAX_HASH_LEN 64 /* SHA-512 */
#define DHCHAP_MAX_KEY_LEN 64  /* secrets are 32, 48 or 64 bytes */
#define DHCHAP_MAX_DH_LEN 1024 /* ffdhe8192 public value */
#define DHCHAP_SECRET_MAX_TEXT 128
#define DHCHAP_MAX_IDS 30   /* ids per list in a protocol descriptor */
#define DHCHAP_MSG_MAX 4096 /* largest message either side sends or takes */

/* ---------------------------------------------------------------- secrets */

/** A DH-HMAC-CHAP secret. */
struct dhchap_key {
	uint8_t hmac; /**< transformation hash: 0 none, else an NVMF_AUTH_HASH_* id */
	uint8_t len;  /**< 32, 48 or 64 */
	uint8_t key[DHCHAP_MAX_KEY_LEN];
};

/**
 * Parse @text, "DHHC-1:XX:<base64 of the secret and its CRC-32>:" with XX
 * 00 (no transformation), 01 (SHA-256), 02 (SHA-384) or 03 (SHA-512) and a
 * secret of 32, 48 or 64 bytes whose CRC-32 (IEEE 802.3, little-endian)
 * matches. @return 0, or -EINVAL (@key wiped) for anything else.
 */
int dhchap_key_parse(const char *text, struct dhchap_key *key);

/** Overwrite @key's secret bytes (OPENSSL_cleanse) and its length. */
void dhchap_key_wipe(struct dhchap_key *key);

/**
 * The transformed secret: @key as it is when key->hmac is 0, otherwise
 * HMAC-hash(secret, @nqn || "NVMe-over-Fabrics") with the key's own hash.
 * @nqn: the NQN of the entity that holds the key (the host NQN for a host
 * secret, the subsystem NQN for a controller secret).
 * @out holds DHCHAP_MAX_KEY_LEN bytes. @return the length, or -EIO.
 */
int dhchap_key_transform(const struct dhchap_key *key, const char *nqn, uint8_t *out);

/** CRC-32 (IEEE 802.3, reflected 0xEDB88320, as zlib's crc32()) of @buf. */
uint32_t dhchap_crc32(const void *buf, size_t len);

/* ----------------------------------------------------- hashes and groups */

/** Bytes of the hash @hash_id (NVMF_AUTH_HASH_*); 0 for an unknown id. */
size_t dhchap_hash_len(uint8_t hash_id);
/** "sha256", "sha384", "sha512"; NULL for an unknown id. */
const char *dhchap_hash_name(uint8_t hash_id);
/** The id of hash @name (as dhchap_hash_name gives it). @return it, or -EINVAL. */
int dhchap_hash_id(const char *name);
/** Bytes of group @gid's public value (0 for null); -EINVAL for an unknown id. */
int dhchap_dhgroup_len(uint8_t gid);
/** "null", "ffdhe2048" ... "ffdhe8192"; NULL for an unknown id. */
const char *dhchap_dhgroup_name(uint8_t gid);
/** The id of group @name. @return it, or -EINVAL. */
int dhchap_dhgroup_id(const char *name);

/* ------------------------------------------------------------ computation */

/** Fill @buf with @len random bytes (RAND_bytes). @return 0 or -EIO. */
int dhchap_random(void *buf, size_t len);

/** What one response covers (the response to one challenge). */
struct dhchap_resp_in {
	uint8_t hash_id;
	const uint8_t *key; /**< transformed secret */
	size_t key_len;
	const uint8_t *chal; /**< challenge, augmented when a DH group is in use */
	uint32_t seqnum;
	uint16_t t_id;
	uint8_t sc_c;
	bool host; /**< true: R1 ("HostHost", host NQN first); false: R2 ("Controller") */
	const char *hostnqn;
	const char *subnqn;
};

/**
 * The response: HMAC(key, chal || seqnum (LE32) || t_id (LE16) || sc_c ||
 * "HostHost" || hostnqn || 00h || subnqn) for the host,
 * HMAC(key, chal || ... || "Controller" || subnqn || 00h || hostnqn) for the
 * controller. @out: dhchap_hash_len(hash_id) bytes. @return 0 or -EIO/-EINVAL.
 */
int dhchap_response(const struct dhchap_resp_in *in, uint8_t *out);

/**
 * The augmented challenge HMAC(H(@skey), @chal) where @skey is the DH
 * shared secret g^xy mod p. @out: hash length bytes. @return 0 or -EIO.
 */
int dhchap_augment(uint8_t hash_id, const uint8_t *skey, size_t skey_len, const uint8_t *chal,
		   uint8_t *out);

/* ------------------------------------------------------------ FFDHE (RFC 7919) */

struct dhchap_dh;

/** A fresh key pair in group @gid (not null). @return 0, -EINVAL, -ENOMEM or -EIO. */
int dhchap_dh_create(uint8_t gid, struct dhchap_dh **dh);
/** Free @dh (its private key wiped by OpenSSL); NULL is ignored. */
void dhchap_dh_free(struct dhchap_dh *dh);
/** @dh's public value, big-endian, padded to the group's length into @out. @return 0 or -EIO. */
int dhchap_dh_public(const struct dhchap_dh *dh, uint8_t *out, size_t len);
/**
 * The shared secret with the peer's public value @peer (@len bytes, the
 * group's length), checked to be a valid element of the group, into @out
 * (the group's length, padded). @return 0, -EINVAL (bad peer value) or -EIO.
 */
int dhchap_dh_shared(const struct dhchap_dh *dh, const uint8_t *peer, size_t len, uint8_t *out);

/* --------------------------------------------------------------- messages */

/** One message as parsed: pointers point into the parsed buffer. */
struct dhchap_msg {
	uint8_t auth_type;
	uint8_t auth_id;
	uint16_t t_id;
	union {
		struct {
			uint8_t sc_c;
			uint8_t nhash, ngroup;
			uint8_t hashes[DHCHAP_MAX_IDS];
			uint8_t groups[DHCHAP_MAX_IDS];
		} neg;
		struct {
			uint8_t hash_id, gid, hl;
			uint32_t seqnum;
			const uint8_t *cval;
			const uint8_t *dhv;
			uint16_t dhvlen;
		} chal;
		struct {
			uint8_t hl;
			bool cvalid;
			uint32_t seqnum;
			const uint8_t *rval;
			const uint8_t *cval;
			const uint8_t *dhv;
			uint16_t dhvlen;
		} reply;
		struct {
			uint8_t hl;
			bool rvalid;
			const uint8_t *rval;
		} succ1;
		struct {
			uint8_t rescode, exp;
		} fail;
	} u;
};

/**
 * Parse the message of @len bytes at @buf: its header, its length against
 * its own fields, its ids (hash and group ids known, HL the hash's length,
 * DHVLEN the group's length). Values that need the transaction's state
 * (T_ID, sequence numbers, the chosen hash) are the caller's to check.
 * @return 0, or a reason code explanation (NVMF_AUTH_FAIL_*, > 0) to send
 * in a failure message.
 */
int dhchap_msg_parse(const void *buf, size_t len, struct dhchap_msg *m);

/** AUTH_Negotiate with one DH-HMAC-CHAP descriptor into @buf (cap bytes). @return length or -ENOSPC. */
int dhchap_msg_negotiate(void *buf, size_t cap, uint16_t t_id, const uint8_t *hashes,
			 unsigned nhash, const uint8_t *groups, unsigned ngroup);
/** DH-HMAC-CHAP_Challenge. @return length or -ENOSPC. */
int dhchap_msg_challenge(void *buf, size_t cap, uint16_t t_id, uint8_t hash_id, uint8_t gid,
			 uint32_t seqnum, const uint8_t *c1, const uint8_t *dhv, uint16_t dhvlen);
/** DH-HMAC-CHAP_Reply; @c2 NULL: no bidirectional authentication. @return length or -ENOSPC. */
int dhchap_msg_reply(void *buf, size_t cap, uint16_t t_id, uint8_t hl, const uint8_t *r1,
		     const uint8_t *c2, uint32_t seqnum, const uint8_t *dhv, uint16_t dhvlen);
/** DH-HMAC-CHAP_Success1; @r2 NULL: RVALID 0. @return length or -ENOSPC. */
int dhchap_msg_success1(void *buf, size_t cap, uint16_t t_id, uint8_t hl, const uint8_t *r2);
/** DH-HMAC-CHAP_Success2. @return length or -ENOSPC. */
int dhchap_msg_success2(void *buf, size_t cap, uint16_t t_id);
/** AUTH_Failure1 (@auth_id NVMF_AUTH_ID_FAILURE1) or _Failure2. @return length or -ENOSPC. */
int dhchap_msg_failure(void *buf, size_t cap, uint8_t auth_id, uint16_t t_id, uint8_t exp);

#endif /* NVMF_TGT_UTIL_DHCHAP_H */
