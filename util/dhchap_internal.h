/* SPDX-License-Identifier: BSD-3-Clause */
/* dhchap_internal.h - what the DH-HMAC-CHAP files of util/ share. */
#ifndef NVMF_TGT_UTIL_DHCHAP_INTERNAL_H
#define NVMF_TGT_UTIL_DHCHAP_INTERNAL_H

#include "util_dhchap.h"

/** OpenSSL's digest name of @hash_id; NULL for an unknown id. */
const char *dhchap_hash_ossl(uint8_t hash_id);

/** One piece of an HMAC's input. */
struct dhchap_part {
	const void *p;
	size_t len;
};

/**
 * HMAC with hash @hash_id, keyed with @key, over @parts in order, into
 * @out (DHCHAP_MAX_HASH_LEN bytes of room). @return the length or -EIO/-EINVAL.
 */
int dhchap_hmac(uint8_t hash_id, const uint8_t *key, size_t key_len,
		const struct dhchap_part *parts, unsigned nparts, uint8_t *out);

#endif
