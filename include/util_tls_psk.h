/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_tls_psk.h - NVMe/TCP secure channel keys (NVMe/TCP transport
 * specification, "TLS PSK and PSK identity derivation" and "PSK
 * interchange format"): the interchange string, the retained PSK, the PSK
 * identities of version 0 and 1, the TLS PSK; and a keyring that maps a
 * PSK identity a host sends to the TLS PSK.
 *
 *   interchange  NVMeTLSkey-1:HH:<base64(configured PSK || CRC-32 LE)>:
 *                HH 01: SHA-256, 32-byte PSK; 02: SHA-384, 48-byte PSK
 *   retained     HKDF-Expand-Label(HKDF-Extract(0, configured), "HostNQN",
 *                host NQN, L)
 *   identity 0   "NVMe0RHH <hostnqn> <subnqn>", TLS PSK =
 *                HKDF-Expand-Label(HKDF-Extract(0, retained), "nvme-tls-psk",
 *                identity, L) (the identity as context: NVMe/TCP 1.0c, and
 *                what nvme-cli inserts for the Linux host)
 *   identity 1   "NVMe1RHH <hostnqn> <subnqn> <digest>", digest =
 *                base64(HMAC(retained, hostnqn " " subnqn " NVMe-over-Fabrics")),
 *                TLS PSK = HKDF-Expand-Label(HKDF-Extract(0, retained),
 *                "nvme-tls-psk", "HH <digest>", L)
 * HKDF-Expand-Label comes in two forms (struct tls_psk.kdf):
 *   TLS_PSK_KDF_NVME_CLI  what nvme-cli 2.x inserts into the Linux host's
 *                         keyring (and what hosts in the field use): info =
 *                         16-bit L in little-endian byte order, "tls13 ",
 *                         label, context, with no length bytes before label
 *                         and context; the default.
 *   TLS_PSK_KDF_RFC8446   RFC 8446 7.1 as the NVMe/TCP text reads: info =
 *                         16-bit L big-endian, length-prefixed "tls13 "
 *                         label, length-prefixed context.
 * Interchange hash indicator 00: the configured PSK is the retained PSK (no
 * transformation); its TLS hash follows its length.
 * Key bytes are wiped when dropped and never logged.
 * Every function is thread-safe; a keyring takes its own lock.
 */
#ifndef NVMF_TGT_UTIL_TLS_PSK_H
#define NVMF_TGT_UTIL_TLS_PSK_H

#include <stddef.h>
#include <stdint.h>

/** Hash indicators of the interchange format and of identities. */
#define TLS_PSK_SHA256 1
#define TLS_PSK_SHA384 2
/** Longest key (SHA-384). */
#define TLS_PSK_MAX 48
/** Longest PSK identity: prefix, two NQNs of 223 bytes, a SHA-384 digest. */
#define TLS_PSK_IDENTITY_MAX 540

/** The two forms of HKDF-Expand-Label (see the top of this file). */
enum tls_psk_kdf {
	TLS_PSK_KDF_NVME_CLI = 0,
	TLS_PSK_KDF_RFC8446 = 1,
};

/** Key bytes and the hash they go with. */
struct tls_psk {
	uint8_t hash;  /**< TLS_PSK_SHA256 / TLS_PSK_SHA384 */
	uint8_t len;   /**< 32 / 48 */
	uint8_t kdf;   /**< enum tls_psk_kdf of the derivations from this key */
	uint8_t as_is; /**< interchange 00: a configured PSK used as the retained one */
	uint8_t key[TLS_PSK_MAX];
};

/**
 * The form named @name ("nvme-cli" or "rfc8446").
 * @return the enum tls_psk_kdf value, or -EINVAL.
 */
int tls_psk_kdf_parse(const char *name);

/** The name of form @kdf, as tls_psk_kdf_parse() reads it. */
const char *tls_psk_kdf_name(int kdf);

/** Overwrite @k (OPENSSL_cleanse: not optimised away). NULL is ignored. */
void tls_psk_wipe(struct tls_psk *k);

/**
 * Parse a PSK interchange string into the configured PSK.
 * @why, when not NULL, gets a reason for a refusal (never key bytes).
 * @return 0, or -EINVAL (bad prefix, hash indicator, base64, length, CRC).
 */
int tls_psk_parse(const char *text, struct tls_psk *out, const char **why);

/** Write @k as an interchange string. @return 0, or -ENOSPC. */
int tls_psk_format(const struct tls_psk *k, char *buf, size_t len);

/**
 * A PSK from @arg: an interchange string, or (when @arg starts with '/' or
 * '.') the path of a file holding one (surrounding white space ignored),
 * read by key_file_read(): a regular file of the process's user that group
 * and others cannot access, else -EACCES with @why.
 * @return 0, -EINVAL (with @why) or a negative errno of reading the file.
 */
int tls_psk_load(const char *arg, struct tls_psk *out, const char **why);

/**
 * The retained PSK of configured PSK @cfg for @hostnqn, derived in the form
 * @cfg->kdf (which the result keeps). @return 0 or -EIO.
 */
int tls_psk_retained(const struct tls_psk *cfg, const char *hostnqn, struct tls_psk *out);

/**
 * The base64 PSK digest of identity version 1 into @buf (45 bytes for
 * SHA-256, 65 for SHA-384, NUL included). @return 0, -ENOSPC or -EIO.
 */
int tls_psk_digest(const struct tls_psk *retained, const char *hostnqn, const char *subnqn,
		   char *buf, size_t len);

/**
 * The PSK identity of @version (0 or 1) for @retained into @buf, and the
 * TLS PSK the handshake uses into @tls (may be NULL).
 * @return 0, -EINVAL (version), -ENOSPC or -EIO.
 */
int tls_psk_identity(const struct tls_psk *retained, int version, const char *hostnqn,
		     const char *subnqn, char *buf, size_t len, struct tls_psk *tls);

/** A PSK identity taken apart (pointers into the caller's copy). */
struct tls_psk_ident {
	int version;  /**< 0 or 1 */
	uint8_t hash; /**< TLS_PSK_SHA256 / TLS_PSK_SHA384 */
	const char *hostnqn;
	const char *subnqn;
	const char *digest; /**< version 1 only, else NULL */
};

/**
 * Split identity @buf in place (spaces become NULs).
 * @return 0, or -EINVAL when it is no NVMe retained-PSK identity.
 */
int tls_psk_ident_parse(char *buf, struct tls_psk_ident *out);

/* --------------------------------------------------------------- keyring */

struct tls_keyring;

/** An empty keyring. @return it, or NULL (out of memory). */
struct tls_keyring *tls_keyring_create(void);

/** Wipe and free @kr; NULL is ignored. */
void tls_keyring_destroy(struct tls_keyring *kr);

/**
 * Derive the keys added from now on in form @kdf (enum tls_psk_kdf; the
 * default is TLS_PSK_KDF_NVME_CLI). Keys already in @kr keep theirs.
 */
void tls_keyring_set_kdf(struct tls_keyring *kr, int kdf);

/** The form tls_keyring_set_kdf() set last. */
int tls_keyring_kdf(struct tls_keyring *kr);

/**
 * Give host @hostnqn the configured PSK @cfg on subsystem @subnqn (the
 * retained PSK is kept, @cfg is not). Replaces an earlier key of the pair.
 * @source is where the key came from, as a saved configuration names it
 * again: the key file's path, or NULL for the interchange string of @cfg
 * (then the entry holds key material as text, wiped when dropped).
 * @return 0, -ENOMEM or -EIO.
 */
int tls_keyring_add(struct tls_keyring *kr, const char *hostnqn, const char *subnqn,
		    const struct tls_psk *cfg, const char *source);

/**
 * The source of the pair's key (tls_keyring_add()) into @buf.
 * @return 0, -ENOENT (no key) or -ENOSPC.
 */
int tls_keyring_source(struct tls_keyring *kr, const char *hostnqn, const char *subnqn, char *buf,
		       size_t len);

/**
 * A copy of the retained PSK of a pair into @out (the caller wipes it).
 * @return 0 or -ENOENT (no key).
 */
int tls_keyring_retained(struct tls_keyring *kr, const char *hostnqn, const char *subnqn,
			 struct tls_psk *out);

/** Drop the key of a pair. @return 0 or -ENOENT. */
int tls_keyring_remove(struct tls_keyring *kr, const char *hostnqn, const char *subnqn);

/**
 * Drop, wiped, the keys of every host on subsystem @subnqn (the subsystem
 * is deleted). @return how many went.
 */
int tls_keyring_remove_subsystem(struct tls_keyring *kr, const char *subnqn);

/**
 * The TLS PSK for PSK identity @identity (@len bytes, not NUL-terminated),
 * as a host sends it in its ClientHello: the pair must have a key of the
 * identity's hash, and a version-1 digest must match.
 * @return 0, -EINVAL (no NVMe identity), -ENOENT (no key, other hash,
 * wrong digest) or -EIO.
 */
int tls_keyring_find(struct tls_keyring *kr, const char *identity, size_t len, struct tls_psk *tls);

#endif /* NVMF_TGT_UTIL_TLS_PSK_H */
