/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dhchap_msg.c - DH-HMAC-CHAP wire messages: build each one the host or
 * the controller sends, and parse any of them with every length and id
 * checked against the message's own fields. Multi-byte fields are
 * little-endian (the machines this builds for are too; the structures of
 * nvmf_spec.h are used as they are).
 */
#include <errno.h>
#include <string.h>

#include "nvmf_spec.h"
#include "util_dhchap.h"

#define FAIL_PAYLOAD NVMF_AUTH_FAIL_INCORRECT_PAYLOAD

static int parse_negotiate(const uint8_t *b, size_t len, struct dhchap_msg *m)
{
	const struct nvmf_auth_negotiate *n = (const void *)b;
	const struct nvmf_auth_protocol_desc *d = NULL;

	if (len < sizeof(*n) + sizeof(*d) || n->napd == 0 ||
	    len != sizeof(*n) + (size_t)n->napd * sizeof(*d))
		return FAIL_PAYLOAD;
	m->u.neg.sc_c = n->sc_c;
	for (unsigned i = 0; i < n->napd; i++) {
		if (n->descs[i].authid == NVMF_AUTH_PROTOCOL_DHCHAP) {
			d = &n->descs[i];
			break;
		}
	}
	if (d == NULL)
		return NVMF_AUTH_FAIL_PROTOCOL_UNUSABLE;
	if (d->halen == 0 || d->halen > DHCHAP_MAX_IDS || d->dhlen == 0 ||
	    d->dhlen > DHCHAP_MAX_IDS)
		return FAIL_PAYLOAD;
	m->u.neg.nhash = d->halen;
	m->u.neg.ngroup = d->dhlen;
	memcpy(m->u.neg.hashes, &d->idlist[NVMF_AUTH_IDLIST_HASH_OFFSET], d->halen);
	memcpy(m->u.neg.groups, &d->idlist[NVMF_AUTH_IDLIST_DHGROUP_OFFSET], d->dhlen);
	return 0;
}

/* HL of a message against the hash @hash_id (0: any known hash length). */
static bool hl_ok(uint8_t hl, uint8_t hash_id)
{
	if (hash_id != 0)
		return dhchap_hash_len(hash_id) == hl;
	return hl == 32 || hl == 48 || hl == 64;
}

static int parse_challenge(const uint8_t *b, size_t len, struct dhchap_msg *m)
{
	const struct nvmf_auth_dhchap_challenge *c = (const void *)b;
	int glen;

	if (len < sizeof(*c))
		return FAIL_PAYLOAD;
	if (dhchap_hash_len(c->hashid) == 0)
		return NVMF_AUTH_FAIL_HASH_UNUSABLE;
	glen = dhchap_dhgroup_len(c->dhgid);
	if (glen < 0)
		return NVMF_AUTH_FAIL_DHGROUP_UNUSABLE;
	if (!hl_ok(c->hl, c->hashid) || c->dhvlen != glen ||
	    len != sizeof(*c) + c->hl + (size_t)c->dhvlen || c->seqnum == 0)
		return FAIL_PAYLOAD;
	m->u.chal.hash_id = c->hashid;
	m->u.chal.gid = c->dhgid;
	m->u.chal.hl = c->hl;
	m->u.chal.seqnum = c->seqnum;
	m->u.chal.cval = c->cval;
	m->u.chal.dhvlen = c->dhvlen;
	m->u.chal.dhv = c->dhvlen ? c->cval + c->hl : NULL;
	return 0;
}

static int parse_reply(const uint8_t *b, size_t len, struct dhchap_msg *m)
{
	const struct nvmf_auth_dhchap_reply *r = (const void *)b;

	if (len < sizeof(*r) || !hl_ok(r->hl, 0) || r->cvalid > 1 ||
	    len != sizeof(*r) + 2u * r->hl + r->dhvlen || r->dhvlen > DHCHAP_MAX_DH_LEN ||
	    (r->cvalid && r->seqnum == 0))
		return FAIL_PAYLOAD;
	m->u.reply.hl = r->hl;
	m->u.reply.cvalid = r->cvalid != 0;
	m->u.reply.seqnum = r->seqnum;
	m->u.reply.rval = r->rval;
	m->u.reply.cval = r->rval + r->hl;
	m->u.reply.dhvlen = r->dhvlen;
	m->u.reply.dhv = r->dhvlen ? r->rval + 2u * r->hl : NULL;
	return 0;
}

static int parse_success1(const uint8_t *b, size_t len, struct dhchap_msg *m)
{
	const struct nvmf_auth_dhchap_success1 *s = (const void *)b;

	if (len < sizeof(*s) || !hl_ok(s->hl, 0) || s->rvalid > 1 ||
	    len != sizeof(*s) + (s->rvalid ? s->hl : 0u))
		return FAIL_PAYLOAD;
	m->u.succ1.hl = s->hl;
	m->u.succ1.rvalid = s->rvalid != 0;
	m->u.succ1.rval = s->rvalid ? s->rval : NULL;
	return 0;
}

static int parse_dhchap(const uint8_t *b, size_t len, struct dhchap_msg *m)
{
	switch (m->auth_id) {
	case NVMF_AUTH_ID_DHCHAP_CHALLENGE:
		return parse_challenge(b, len, m);
	case NVMF_AUTH_ID_DHCHAP_REPLY:
		return parse_reply(b, len, m);
	case NVMF_AUTH_ID_DHCHAP_SUCCESS1:
		return parse_success1(b, len, m);
	case NVMF_AUTH_ID_DHCHAP_SUCCESS2:
		return len == sizeof(struct nvmf_auth_dhchap_success2) ? 0 : FAIL_PAYLOAD;
	default:
		return NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG;
	}
}

int dhchap_msg_parse(const void *buf, size_t len, struct dhchap_msg *m)
{
	const uint8_t *b = buf;
	const struct nvmf_auth_failure *f = buf;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(struct nvmf_auth_failure))
		return FAIL_PAYLOAD;
	m->auth_type = b[0];
	m->auth_id = b[1];
	m->t_id = (uint16_t)(b[4] | b[5] << 8);
	if (m->auth_type == NVMF_AUTH_TYPE_DHCHAP)
		return parse_dhchap(b, len, m);
	if (m->auth_type != NVMF_AUTH_TYPE_COMMON)
		return NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG;
	switch (m->auth_id) {
	case NVMF_AUTH_ID_NEGOTIATE:
		return parse_negotiate(b, len, m);
	case NVMF_AUTH_ID_FAILURE1:
	case NVMF_AUTH_ID_FAILURE2:
		if (len != sizeof(*f))
			return FAIL_PAYLOAD;
		m->u.fail.rescode = f->rescode;
		m->u.fail.exp = f->rescode_exp;
		return 0;
	default:
		return NVMF_AUTH_FAIL_INCORRECT_PROTOCOL_MSG;
	}
}

/* ------------------------------------------------------------- building */

/* Zero @len bytes at @buf, then the header every message starts with. */
static void put_hdr(void *buf, size_t len, uint8_t type, uint8_t id, uint16_t t_id)
{
	uint8_t *b = buf;

	memset(buf, 0, len);
	b[0] = type;
	b[1] = id;
	b[4] = (uint8_t)t_id;
	b[5] = (uint8_t)(t_id >> 8);
}

int dhchap_msg_negotiate(void *buf, size_t cap, uint16_t t_id, const uint8_t *hashes,
			 unsigned nhash, const uint8_t *groups, unsigned ngroup)
{
	struct nvmf_auth_negotiate *n = buf;
	size_t len = sizeof(*n) + sizeof(n->descs[0]);

	if (cap < len || nhash == 0 || nhash > DHCHAP_MAX_IDS || ngroup == 0 ||
	    ngroup > DHCHAP_MAX_IDS)
		return -ENOSPC;
	put_hdr(buf, len, NVMF_AUTH_TYPE_COMMON, NVMF_AUTH_ID_NEGOTIATE, t_id);
	n->sc_c = NVMF_AUTH_SC_C_NONE;
	n->napd = 1;
	n->descs[0].authid = NVMF_AUTH_PROTOCOL_DHCHAP;
	n->descs[0].halen = (uint8_t)nhash;
	n->descs[0].dhlen = (uint8_t)ngroup;
	memcpy(&n->descs[0].idlist[NVMF_AUTH_IDLIST_HASH_OFFSET], hashes, nhash);
	memcpy(&n->descs[0].idlist[NVMF_AUTH_IDLIST_DHGROUP_OFFSET], groups, ngroup);
	return (int)len;
}

int dhchap_msg_challenge(void *buf, size_t cap, uint16_t t_id, uint8_t hash_id, uint8_t gid,
			 uint32_t seqnum, const uint8_t *c1, const uint8_t *dhv, uint16_t dhvlen)
{
	struct nvmf_auth_dhchap_challenge *c = buf;
	size_t hl = dhchap_hash_len(hash_id), len = sizeof(*c) + hl + dhvlen;

	if (hl == 0 || cap < len)
		return -ENOSPC;
	put_hdr(buf, sizeof(*c), NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_CHALLENGE, t_id);
	c->hl = (uint8_t)hl;
	c->hashid = hash_id;
	c->dhgid = gid;
	c->dhvlen = dhvlen;
	c->seqnum = seqnum;
	memcpy(c->cval, c1, hl);
	if (dhvlen)
		memcpy(c->cval + hl, dhv, dhvlen);
	return (int)len;
}

int dhchap_msg_reply(void *buf, size_t cap, uint16_t t_id, uint8_t hl, const uint8_t *r1,
		     const uint8_t *c2, uint32_t seqnum, const uint8_t *dhv, uint16_t dhvlen)
{
	struct nvmf_auth_dhchap_reply *r = buf;
	size_t len = sizeof(*r) + 2u * hl + dhvlen;

	if (cap < len)
		return -ENOSPC;
	put_hdr(buf, len, NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_REPLY, t_id);
	r->hl = hl;
	r->cvalid = c2 != NULL;
	r->dhvlen = dhvlen;
	r->seqnum = c2 != NULL ? seqnum : 0;
	memcpy(r->rval, r1, hl);
	if (c2 != NULL)
		memcpy(r->rval + hl, c2, hl);
	if (dhvlen)
		memcpy(r->rval + 2u * hl, dhv, dhvlen);
	return (int)len;
}

int dhchap_msg_success1(void *buf, size_t cap, uint16_t t_id, uint8_t hl, const uint8_t *r2)
{
	struct nvmf_auth_dhchap_success1 *s = buf;
	size_t len = sizeof(*s) + (r2 != NULL ? hl : 0u);

	if (cap < len)
		return -ENOSPC;
	put_hdr(buf, len, NVMF_AUTH_TYPE_DHCHAP, NVMF_AUTH_ID_DHCHAP_SUCCESS1, t_id);
	s->hl = hl;
	s->rvalid = r2 != NULL;
	if (r2 != NULL)
		memcpy(s->rval, r2, hl);
	return (int)len;
}

int dhchap_msg_success2(void *buf, size_t cap, uint16_t t_id)
{
	if (cap < sizeof(struct nvmf_auth_dhchap_success2))
		return -ENOSPC;
	put_hdr(buf, sizeof(struct nvmf_auth_dhchap_success2), NVMF_AUTH_TYPE_DHCHAP,
		NVMF_AUTH_ID_DHCHAP_SUCCESS2, t_id);
	return (int)sizeof(struct nvmf_auth_dhchap_success2);
}

int dhchap_msg_failure(void *buf, size_t cap, uint8_t auth_id, uint16_t t_id, uint8_t exp)
{
	struct nvmf_auth_failure *f = buf;

	if (cap < sizeof(*f))
		return -ENOSPC;
	put_hdr(buf, sizeof(*f), NVMF_AUTH_TYPE_COMMON, auth_id, t_id);
	f->rescode = NVMF_AUTH_RESCODE_FAILED;
	f->rescode_exp = exp;
	return (int)sizeof(*f);
}
