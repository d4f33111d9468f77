/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resv_table.c - the reservation rules of the NVMe base specification,
 * pure functions over struct nvmf_resv_state (no threads, no I/O):
 *
 *   - which I/O command conflicts with which reservation type for the
 *     holder, a registrant and a non-registrant ("Command Behavior in the
 *     Presence of a Reservation");
 *   - Reservation Register (register, unregister, replace; IEKEY; CPTPL),
 *     Acquire (acquire, preempt, preempt and abort) and Release (release,
 *     clear), with the notices each sends;
 *   - the extended Reservation Status data structure of a Report.
 */
#include <string.h>

#include "nvme_spec.h"
#include "nvme_spec_id.h"
#include "nvmf/resv.h"

#define ST_CONFLICT                                                                                \
	((uint16_t)(NVME_STATUS_GENERIC(NVME_SC_RESERVATION_CONFLICT) | NVME_STATUS_DNR))
#define ST_INVALID ((uint16_t)(NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD) | NVME_STATUS_DNR))
#define ST_FULL ((uint16_t)(NVME_STATUS_GENERIC(NVME_SC_CAPACITY_EXCEEDED) | NVME_STATUS_DNR))

/* CPTPL of Reservation Register. */
#define CPTPL_NO_CHANGE 0u
#define CPTPL_RESERVED 1u
#define CPTPL_CLEAR 2u
#define CPTPL_SET 3u

enum cmd_group { GROUP_NONE, GROUP_READ, GROUP_WRITE };

static enum cmd_group group_of(uint8_t opc)
{
	switch (opc) {
	case NVME_OPC_READ:
	case NVME_OPC_COMPARE:
	case NVME_OPC_VERIFY:
		return GROUP_READ;
	case NVME_OPC_WRITE:
	case NVME_OPC_WRITE_UNCORRECTABLE:
	case NVME_OPC_WRITE_ZEROES:
	case NVME_OPC_DATASET_MANAGEMENT:
	case NVME_OPC_FLUSH:
		return GROUP_WRITE;
	default:
		return GROUP_NONE;
	}
}

bool nvmf_resv_all_regs(uint8_t rtype)
{
	return rtype == NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS ||
	       rtype == NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS;
}

static bool exclusive_access(uint8_t rtype)
{
	return rtype == NVME_RESV_EXCLUSIVE_ACCESS ||
	       rtype == NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY ||
	       rtype == NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS;
}

/* Types 1 and 2: only the holder; the others also let registrants in. */
static bool holder_only(uint8_t rtype)
{
	return rtype == NVME_RESV_WRITE_EXCLUSIVE || rtype == NVME_RESV_EXCLUSIVE_ACCESS;
}

bool nvmf_resv_conflicts(uint8_t rtype, enum nvmf_resv_role role, uint8_t opc)
{
	enum cmd_group g = group_of(opc);

	if (rtype == 0 || g == GROUP_NONE || role == NVMF_RESV_HOLDER)
		return false;
	/* Reads are excluded only by the Exclusive Access types. */
	if (g == GROUP_READ && !exclusive_access(rtype))
		return false;
	if (role == NVMF_RESV_REGISTRANT)
		return holder_only(rtype);
	return true;
}

int nvmf_resv_find(const struct nvmf_resv_state *s, const uint8_t *hostid)
{
	for (uint32_t i = 0; i < s->nregs; i++) {
		if (memcmp(s->regs[i].hostid, hostid, NVMF_RESV_HOSTID_LEN) == 0)
			return (int)i;
	}
	return -1;
}

enum nvmf_resv_role nvmf_resv_role_of(const struct nvmf_resv_state *s, const uint8_t *hostid)
{
	if (nvmf_resv_find(s, hostid) < 0)
		return NVMF_RESV_NON_REGISTRANT;
	if (s->rtype != 0 &&
	    (nvmf_resv_all_regs(s->rtype) || memcmp(s->holder, hostid, NVMF_RESV_HOSTID_LEN) == 0))
		return NVMF_RESV_HOLDER;
	return NVMF_RESV_REGISTRANT;
}

/* ------------------------------------------------------------ helpers */

static void notify(struct nvmf_resv_effects *fx, const uint8_t *hostid, uint8_t type)
{
	if (fx->nnotify == NVMF_RESV_MAX_REGS)
		return;
	memcpy(fx->notify[fx->nnotify].hostid, hostid, NVMF_RESV_HOSTID_LEN);
	fx->notify[fx->nnotify].type = type;
	fx->nnotify++;
}

/* Send @type to every registrant but @except. */
static void notify_others(const struct nvmf_resv_state *s, const uint8_t *except, uint8_t type,
			  struct nvmf_resv_effects *fx)
{
	for (uint32_t i = 0; i < s->nregs; i++) {
		if (memcmp(s->regs[i].hostid, except, NVMF_RESV_HOSTID_LEN) != 0)
			notify(fx, s->regs[i].hostid, type);
	}
}

static void reg_remove(struct nvmf_resv_state *s, uint32_t i)
{
	s->regs[i] = s->regs[--s->nregs];
}

static void resv_drop(struct nvmf_resv_state *s)
{
	s->rtype = 0;
	memset(s->holder, 0, sizeof(s->holder));
}

static void resv_take(struct nvmf_resv_state *s, uint8_t rtype, const uint8_t *hostid)
{
	s->rtype = rtype;
	memcpy(s->holder, hostid, NVMF_RESV_HOSTID_LEN);
}

/* Remove the registrations of other hosts keyed @key, each notified. @return how many. */
static uint32_t preempt_key(struct nvmf_resv_state *s, const uint8_t *issuer, uint64_t key,
			    bool any_key, struct nvmf_resv_effects *fx)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->nregs;) {
		if (memcmp(s->regs[i].hostid, issuer, NVMF_RESV_HOSTID_LEN) != 0 &&
		    (any_key || s->regs[i].rkey == key)) {
			notify(fx, s->regs[i].hostid, NVME_RESV_NOTIFY_REGISTRATION_PREEMPTED);
			reg_remove(s, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

/* ----------------------------------------------------------- Register */

static void unregister_at(struct nvmf_resv_state *s, uint32_t i, struct nvmf_resv_effects *fx)
{
	uint8_t hostid[NVMF_RESV_HOSTID_LEN];
	bool was_holder = nvmf_resv_role_of(s, s->regs[i].hostid) == NVMF_RESV_HOLDER;
	uint8_t rtype = s->rtype;

	memcpy(hostid, s->regs[i].hostid, sizeof(hostid));
	reg_remove(s, i);
	if (!was_holder)
		return;
	if (nvmf_resv_all_regs(rtype)) {
		if (s->nregs == 0)
			resv_drop(s); /* the last holder left */
		return;
	}
	resv_drop(s);
	/* A Registrants Only reservation released by its holder's leaving. */
	if (!holder_only(rtype))
		notify_others(s, hostid, NVME_RESV_NOTIFY_RESERVATION_RELEASED, fx);
}

static uint16_t reg_add(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c)
{
	if (s->nregs == NVMF_RESV_MAX_REGS)
		return ST_FULL;
	memcpy(s->regs[s->nregs].hostid, c->hostid, NVMF_RESV_HOSTID_LEN);
	s->regs[s->nregs].rkey = c->key2;
	s->nregs++;
	s->gen++;
	return NVME_STATUS_SUCCESS;
}

static uint16_t do_register(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			    struct nvmf_resv_effects *fx)
{
	int i = nvmf_resv_find(s, c->hostid);
	bool key_ok = i >= 0 && (c->iekey || s->regs[i].rkey == c->crkey);

	switch (c->action) {
	case NVME_RESV_REGISTER_KEY:
		if (i >= 0)
			return s->regs[i].rkey == c->key2 ? NVME_STATUS_SUCCESS : ST_CONFLICT;
		return reg_add(s, c);
	case NVME_RESV_UNREGISTER_KEY:
		if (!key_ok)
			return ST_CONFLICT;
		unregister_at(s, (uint32_t)i, fx);
		s->gen++;
		return NVME_STATUS_SUCCESS;
	case NVME_RESV_REPLACE_KEY:
		if (i < 0)
			return c->iekey ? reg_add(s, c) : ST_CONFLICT;
		if (!key_ok)
			return ST_CONFLICT;
		s->regs[i].rkey = c->key2;
		return NVME_STATUS_SUCCESS;
	default:
		return ST_INVALID;
	}
}

/* ------------------------------------------------------------ Acquire */

static uint16_t do_preempt(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			   struct nvmf_resv_effects *fx)
{
	uint64_t prkey = c->key2;
	int h;

	if (s->rtype != 0 && nvmf_resv_all_regs(s->rtype) && prkey == 0) {
		/* Every other registrant goes; the issuer holds the new type. */
		preempt_key(s, c->hostid, 0, true, fx);
		resv_take(s, c->rtype, c->hostid);
		s->gen++;
		return NVME_STATUS_SUCCESS;
	}
	if (prkey == 0 && !(s->rtype != 0 && nvmf_resv_all_regs(s->rtype)))
		return ST_INVALID;
	h = s->rtype != 0 && !nvmf_resv_all_regs(s->rtype) ? nvmf_resv_find(s, s->holder) : -1;
	if (h >= 0 && s->regs[h].rkey == prkey) {
		/* The holder is preempted: its key's registrants go, the issuer holds. */
		preempt_key(s, c->hostid, prkey, false, fx);
		resv_take(s, c->rtype, c->hostid);
		s->gen++;
		return NVME_STATUS_SUCCESS;
	}
	if (preempt_key(s, c->hostid, prkey, false, fx) == 0)
		return ST_CONFLICT;
	s->gen++;
	return NVME_STATUS_SUCCESS;
}

static uint16_t do_acquire(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			   struct nvmf_resv_effects *fx)
{
	int i = nvmf_resv_find(s, c->hostid);

	if (i < 0 || s->regs[i].rkey != c->crkey)
		return ST_CONFLICT;
	if (c->rtype < NVME_RESV_WRITE_EXCLUSIVE || c->rtype > NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS)
		return ST_INVALID;
	switch (c->action) {
	case NVME_RESV_ACQUIRE:
		if (s->rtype == 0) {
			resv_take(s, c->rtype, c->hostid);
			return NVME_STATUS_SUCCESS;
		}
		if (nvmf_resv_role_of(s, c->hostid) == NVMF_RESV_HOLDER && s->rtype == c->rtype)
			return NVME_STATUS_SUCCESS;
		return ST_CONFLICT;
	case NVME_RESV_PREEMPT:
	case NVME_RESV_PREEMPT_AND_ABORT:
		/* Abort: commands of the preempted hosts are not aborted, they
		 * complete (their later ones meet the new reservation). */
		return do_preempt(s, c, fx);
	default:
		return ST_INVALID;
	}
}

/* ------------------------------------------------------------ Release */

static uint16_t do_release(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			   struct nvmf_resv_effects *fx)
{
	int i = nvmf_resv_find(s, c->hostid);
	uint8_t rtype = s->rtype;

	if (i < 0 || s->regs[i].rkey != c->crkey)
		return ST_CONFLICT;
	switch (c->action) {
	case NVME_RESV_RELEASE:
		if (rtype == 0 || nvmf_resv_role_of(s, c->hostid) != NVMF_RESV_HOLDER)
			return NVME_STATUS_SUCCESS; /* nothing of the issuer's to release */
		if (c->rtype != rtype)
			return ST_INVALID;
		resv_drop(s);
		if (!holder_only(rtype))
			notify_others(s, c->hostid, NVME_RESV_NOTIFY_RESERVATION_RELEASED, fx);
		return NVME_STATUS_SUCCESS;
	case NVME_RESV_CLEAR:
		notify_others(s, c->hostid, NVME_RESV_NOTIFY_RESERVATION_PREEMPTED, fx);
		resv_drop(s);
		s->nregs = 0;
		s->gen++;
		return NVME_STATUS_SUCCESS;
	default:
		return ST_INVALID;
	}
}

uint16_t nvmf_resv_apply(struct nvmf_resv_state *s, const struct nvmf_resv_cmd *c,
			 bool ptpl_capable, struct nvmf_resv_effects *fx)
{
	uint16_t st;

	fx->nnotify = 0;
	switch (c->opc) {
	case NVME_OPC_RESERVATION_REGISTER:
		if (c->cptpl == CPTPL_RESERVED || (c->cptpl == CPTPL_SET && !ptpl_capable))
			return ST_INVALID;
		st = do_register(s, c, fx);
		if (st == NVME_STATUS_SUCCESS && c->cptpl != CPTPL_NO_CHANGE)
			s->ptpl = c->cptpl == CPTPL_SET;
		return st;
	case NVME_OPC_RESERVATION_ACQUIRE:
		return do_acquire(s, c, fx);
	case NVME_OPC_RESERVATION_RELEASE:
		return do_release(s, c, fx);
	default:
		return ST_INVALID;
	}
}

/* ------------------------------------------------------------- Report */

static void put_entry(uint8_t *buf, size_t len, size_t off, uint16_t cntlid,
		      const struct nvmf_resv_reg *r, bool holds)
{
	struct nvme_resv_ctrl_ext e;

	if (off + sizeof(e) > len)
		return;
	memset(&e, 0, sizeof(e));
	e.cntlid = cntlid;
	e.rcsts = holds ? 1 : 0;
	e.rkey = r->rkey;
	memcpy(e.hostid, r->hostid, sizeof(e.hostid));
	memcpy(buf + off, &e, sizeof(e));
}

size_t nvmf_resv_report_build(const struct nvmf_resv_state *s, const struct nvmf_resv_ctrl *ctrls,
			      uint32_t nctrls, void *buf, size_t len)
{
	struct nvme_resv_status_ext hdr;
	size_t off = sizeof(hdr);
	uint16_t n = 0;

	memset(buf, 0, len);
	for (uint32_t i = 0; i < s->nregs; i++) {
		const struct nvmf_resv_reg *r = &s->regs[i];
		bool holds = nvmf_resv_role_of(s, r->hostid) == NVMF_RESV_HOLDER, any = false;

		for (uint32_t k = 0; k < nctrls; k++) {
			if (memcmp(ctrls[k].hostid, r->hostid, NVMF_RESV_HOSTID_LEN) != 0)
				continue;
			put_entry(buf, len, off, ctrls[k].cntlid, r, holds);
			off += sizeof(struct nvme_resv_ctrl_ext);
			n++;
			any = true;
		}
		if (!any) {
			put_entry(buf, len, off, 0xFFFF, r, holds);
			off += sizeof(struct nvme_resv_ctrl_ext);
			n++;
		}
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.gen = s->gen;
	hdr.rtype = s->rtype;
	hdr.regctl = n;
	hdr.ptpls = s->ptpl ? 1 : 0;
	memcpy(buf, &hdr, len < sizeof(hdr) ? len : sizeof(hdr));
	return off;
}
