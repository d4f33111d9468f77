/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_msg_fuzz.c - libFuzzer target: the DH-HMAC-CHAP message parser.
 * Any byte string is refused with a reason code or parsed into fields
 * that lie inside it; a parsed Challenge, Reply or Success1 built again
 * from its fields is the same bytes but for reserved ones (and a Reply's
 * C2 and S2 without CVALID).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvmf_spec.h"
#include "util_dhchap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void in_range(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (p != NULL && (p < data || p + n > data + size))
		abort();
}

static void rebuild(const struct dhchap_msg *m, const uint8_t *data, size_t size)
{
	static uint8_t buf[DHCHAP_MSG_MAX * 2];
	struct dhchap_msg m2;
	int len = -1;

	if (m->auth_id == NVMF_AUTH_ID_DHCHAP_CHALLENGE)
		len = dhchap_msg_challenge(buf, sizeof(buf), m->t_id, m->u.chal.hash_id,
					   m->u.chal.gid, m->u.chal.seqnum, m->u.chal.cval,
					   m->u.chal.dhv, m->u.chal.dhvlen);
	else if (m->auth_id == NVMF_AUTH_ID_DHCHAP_REPLY)
		len = dhchap_msg_reply(buf, sizeof(buf), m->t_id, m->u.reply.hl, m->u.reply.rval,
				       m->u.reply.cvalid ? m->u.reply.cval : NULL,
				       m->u.reply.seqnum, m->u.reply.dhv, m->u.reply.dhvlen);
	else if (m->auth_id == NVMF_AUTH_ID_DHCHAP_SUCCESS1)
		len =
		    dhchap_msg_success1(buf, sizeof(buf), m->t_id, m->u.succ1.hl, m->u.succ1.rval);
	if (len < 0)
		return;
	if ((size_t)len != size || dhchap_msg_parse(buf, (size_t)len, &m2) != 0 ||
	    m2.t_id != m->t_id)
		abort();
	if (m->auth_id == NVMF_AUTH_ID_DHCHAP_REPLY && !m->u.reply.cvalid) {
		/* C2 and S2 mean nothing without CVALID: R1 and the DH value stay. */
		size_t hl = m->u.reply.hl;

		if (memcmp(buf + 16, data + 16, hl) != 0 ||
		    memcmp(buf + 16 + 2 * hl, data + 16 + 2 * hl, size - 16 - 2 * hl) != 0)
			abort();
	} else if (memcmp(buf + 16, data + 16, size - 16) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhchap_msg m;
	int rc = dhchap_msg_parse(data, size, &m);

	if (rc < 0 || rc > NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG)
		abort();
	if (rc != 0 || m.auth_type != NVMF_AUTH_TYPE_DHCHAP)
		return 0;
	in_range(m.u.chal.cval, m.u.chal.hl, data, size);
	if (m.auth_id == NVMF_AUTH_ID_DHCHAP_CHALLENGE)
		in_range(m.u.chal.dhv, m.u.chal.dhvlen, data, size);
	if (m.auth_id == NVMF_AUTH_ID_DHCHAP_REPLY) {
		in_range(m.u.reply.rval, 2u * m.u.reply.hl, data, size);
		in_range(m.u.reply.dhv, m.u.reply.dhvlen, data, size);
	}
	rebuild(&m, data, size);
	return 0;
}
