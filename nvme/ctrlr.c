/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlr.c - controller bring-up, shutdown, admin commands and keep alive.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "env.h"
#include "nvme_internal.h"
#include "util.h"

#define SHUTDOWN_MAX_MS 5000u

static uint8_t g_hostid[16];
static pthread_once_t g_hostid_once = PTHREAD_ONCE_INIT;

static void hostid_make(void)
{
	if (getrandom(g_hostid, sizeof(g_hostid), 0) != (ssize_t)sizeof(g_hostid)) {
		uint64_t t = env_ticks();

		memcpy(g_hostid, &t, sizeof(t));
	}
	g_hostid[6] = (uint8_t)((g_hostid[6] & 0x0F) | 0x40); /* UUID version 4 */
	g_hostid[8] = (uint8_t)((g_hostid[8] & 0x3F) | 0x80); /* RFC 4122 variant */
}

int nvme_ctrlr_opts_set_tls(struct nvme_ctrlr_opts *opts, const char *key, int identity)
{
	const char *why = "bad key";
	int rc;

	if (identity != 0 && identity != 1) {
		log_error("nvme", "TLS PSK identity version %d: 0 or 1", identity);
		return -EINVAL;
	}
	rc = tls_psk_load(key, &opts->tls_key, &why);
	if (rc == -EINVAL)
		log_error("nvme", "TLS key: %s", why);
	else if (rc != 0)
		log_error("nvme", "TLS key file %s: %s", key, why != NULL ? why : strerror(-rc));
	if (rc != 0)
		return rc;
	opts->tls = true;
	opts->tls_identity = (uint8_t)identity;
	return 0;
}

void nvme_ctrlr_opts_init(struct nvme_ctrlr_opts *opts)
{
	const uint8_t *u = g_hostid;

	pthread_once(&g_hostid_once, hostid_make);
	memset(opts, 0, sizeof(*opts));
	memcpy(opts->hostid, g_hostid, sizeof(opts->hostid));
	snprintf(opts->hostnqn, sizeof(opts->hostnqn),
		 "nqn.2014-08.org.nvmexpress:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
	opts->num_io_queues = 8;
	opts->io_queue_size = 128;
	opts->admin_queue_size = 32;
	opts->kato_ms = 10000;
	opts->timeout_ms = 10000;
}

/* ------------------------------------------------------------- bring-up */

/* Register access: the transport's own, or Property Get / Set (fabrics). */
static int reg_read4(struct nvme_ctrlr *c, uint32_t off, uint32_t *val)
{
	return c->ops->reg_read4 ? c->ops->reg_read4(c, off, val)
				 : nvme_fabrics_reg_read4(c, off, val);
}

static int reg_read8(struct nvme_ctrlr *c, uint32_t off, uint64_t *val)
{
	return c->ops->reg_read8 ? c->ops->reg_read8(c, off, val)
				 : nvme_fabrics_reg_read8(c, off, val);
}

static int reg_write4(struct nvme_ctrlr *c, uint32_t off, uint32_t val)
{
	return c->ops->reg_write4 ? c->ops->reg_write4(c, off, val)
				  : nvme_fabrics_reg_write4(c, off, val);
}

static int ctrlr_wait_csts(struct nvme_ctrlr *c, uint32_t mask, uint32_t want, uint32_t ms)
{
	uint64_t deadline = env_ticks() + nvme_ms_to_ticks(ms);
	uint32_t csts;
	int rc;

	for (;;) {
		rc = reg_read4(c, NVME_REG_CSTS, &csts);
		if (rc != 0)
			return rc;
		if (NVME_REG_GET(csts, CSTS_CFS))
			return -EIO;
		if ((csts & mask) == want)
			return 0;
		if (env_ticks() > deadline)
			return -ETIMEDOUT;
		env_delay_us(1000);
	}
}

static int ctrlr_enable(struct nvme_ctrlr *c)
{
	uint32_t cc = 0, to_ms;
	int rc;

	rc = reg_read8(c, NVME_REG_CAP, &c->cap);
	if (rc == 0)
		rc = reg_read4(c, NVME_REG_VS, &c->vs);
	if (rc != 0)
		return rc;
	cc = NVME_REG_SET(cc, CC_IOSQES, NVME_SQES_LOG2);
	cc = NVME_REG_SET(cc, CC_IOCQES, NVME_CQES_LOG2);
	cc = NVME_REG_SET(cc, CC_EN, 1);
	rc = reg_write4(c, NVME_REG_CC, cc);
	if (rc != 0)
		return rc;
	to_ms = nvme_cap_timeout_ms(c->cap);
	if (to_ms == 0 || to_ms > c->opts.timeout_ms)
		to_ms = c->opts.timeout_ms;
	rc = ctrlr_wait_csts(c, NVME_CSTS_RDY_MASK << NVME_CSTS_RDY_SHIFT, 1, to_ms);
	if (rc != 0)
		log_error(NVME_LOG, "%s: controller did not become ready (CSTS.RDY): %s",
			  c->trid.traddr, rc == -ETIMEDOUT ? "timed out" : "fatal status");
	return rc == -EIO ? -EPROTO : rc;
}

static int ctrlr_bring_up(struct nvme_ctrlr *c)
{
	int rc;

	if (c->ops->fabrics) {
		rc = nvme_fabrics_connect(c->adminq, NVMF_CNTLID_DYNAMIC, &c->cntlid);
		if (rc != 0)
			return rc;
	}
	rc = ctrlr_enable(c);
	if (rc != 0)
		return rc;
	rc = nvme_ctrlr_identify(c, NVME_CNS_CONTROLLER, 0, &c->id);
	if (rc != 0)
		return rc;
	if (c->id.cntrltype == NVME_CNTRLTYPE_DISCOVERY || c->id.cntrltype == NVME_CNTRLTYPE_ADMIN)
		return 0;
	rc = nvme_ctrlr_identify_namespaces(c);
	if (rc != 0)
		return rc;
	return nvme_ctrlr_set_num_queues(c);
}

static void ctrlr_free(struct nvme_ctrlr *c)
{
	free(c->ns);
	free(c->qid_used);
	if (c->ops->ctrlr_destroy)
		c->ops->ctrlr_destroy(c);
	else
		nvme_fabrics_ctrlr_destroy(c);
}

int nvme_ctrlr_connect(const struct nvme_trid *trid, const struct nvme_ctrlr_opts *opts,
		       struct nvme_ctrlr **ctrlr)
{
	const struct nvme_transport_ops *ops = nvme_transport_find(trid->trtype);
	struct nvme_ctrlr_opts defaults;
	struct nvme_ctrlr *c;
	int rc;

	if (ops == NULL)
		return -EPROTONOSUPPORT;
	if (opts == NULL) {
		nvme_ctrlr_opts_init(&defaults);
		opts = &defaults;
	}
	if (ops->ctrlr_create)
		rc = ops->ctrlr_create(ops, trid, opts, &c);
	else
		rc = nvme_fabrics_ctrlr_create(ops, trid, opts, &c);
	if (rc != 0)
		return rc;
	c->ops = ops;
	rc = ctrlr_bring_up(c);
	if (rc != 0) {
		ctrlr_free(c);
		return rc;
	}
	if (c->opts.kato_ms != 0 && c->ops->fabrics) {
		c->ka_interval = nvme_ms_to_ticks(c->opts.kato_ms / 2);
		c->ka_last = env_ticks();
	}
	*ctrlr = c;
	return 0;
}

static void ctrlr_shutdown(struct nvme_ctrlr *c)
{
	uint32_t cc,
	    ms = c->opts.timeout_ms < SHUTDOWN_MAX_MS ? c->opts.timeout_ms : SHUTDOWN_MAX_MS;
	int rc;

	if (c->adminq == NULL || c->adminq->failed)
		return;
	rc = reg_read4(c, NVME_REG_CC, &cc);
	if (rc == 0)
		rc = reg_write4(c, NVME_REG_CC, NVME_REG_SET(cc, CC_SHN, NVME_CC_SHN_NORMAL));
	if (rc == 0)
		rc = ctrlr_wait_csts(c, NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT,
				     NVME_CSTS_SHST_COMPLETE << NVME_CSTS_SHST_SHIFT, ms);
	if (rc != 0)
		log_warn(NVME_LOG, "%s: shutdown did not complete (%d); disconnecting anyway",
			 c->trid.traddr, rc);
}

void nvme_ctrlr_disconnect(struct nvme_ctrlr *ctrlr)
{
	if (ctrlr == NULL)
		return;
	while (ctrlr->io_qpairs != NULL)
		nvme_ctrlr_free_io_qpair(ctrlr->io_qpairs);
	ctrlr_shutdown(ctrlr);
	if (ctrlr->adminq != NULL)
		nvme_qpair_abort_all(ctrlr->adminq,
				     NVME_STATUS_GENERIC(NVME_SC_ABORTED_SQ_DELETION));
	ctrlr_free(ctrlr);
}

int nvme_ctrlr_reset(struct nvme_ctrlr *ctrlr)
{
	if (ctrlr->ops->ctrlr_reset == NULL)
		return -ENOTSUP;
	return ctrlr->ops->ctrlr_reset(ctrlr);
}

/* ------------------------------------------------------------- accessors */

const struct nvme_id_ctrl *nvme_ctrlr_id(const struct nvme_ctrlr *ctrlr)
{
	return &ctrlr->id;
}

const struct nvme_trid *nvme_ctrlr_trid(const struct nvme_ctrlr *ctrlr)
{
	return &ctrlr->trid;
}

uint32_t nvme_ctrlr_num_io_queues(const struct nvme_ctrlr *ctrlr)
{
	return ctrlr->num_io_queues;
}

struct nvme_ns *nvme_ctrlr_ns_next(struct nvme_ctrlr *ctrlr, uint32_t prev_nsid)
{
	uint32_t i;

	for (i = 0; i < ctrlr->num_ns; i++)
		if (ctrlr->ns[i].ns.nsid > prev_nsid)
			return &ctrlr->ns[i].ns;
	return NULL;
}

struct nvme_ns *nvme_ctrlr_ns(struct nvme_ctrlr *ctrlr, uint32_t nsid)
{
	uint32_t i;

	for (i = 0; i < ctrlr->num_ns; i++)
		if (ctrlr->ns[i].ns.nsid == nsid)
			return &ctrlr->ns[i].ns;
	return NULL;
}

const struct nvme_id_ns *nvme_ns_id(const struct nvme_ns *ns)
{
	return &container_of(ns, struct nvme_ns_slot, ns)->id;
}

/* ---------------------------------------------------------- admin commands */

int nvme_ctrlr_admin_raw(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			 uint32_t len, nvme_cb cb, void *arg)
{
	return nvme_qpair_submit(ctrlr->adminq, cmd, buf, len, nvmf_cmd_data_transfer(cmd), cb,
				 arg);
}

int nvme_ctrlr_admin_sync(struct nvme_ctrlr *ctrlr, const struct nvme_cmd *cmd, void *buf,
			  uint32_t len, struct nvme_cpl *cpl)
{
	return nvme_qpair_exec_sync(ctrlr->adminq, cmd, buf, len, nvmf_cmd_data_transfer(cmd), cpl,
				    ctrlr->opts.timeout_ms);
}

static void keep_alive_done(void *arg, const struct nvme_cpl *cpl)
{
	struct nvme_ctrlr *c = arg;

	c->ka_outstanding = false;
	if (nvme_cpl_is_error(cpl))
		log_error(NVME_LOG, "%s: Keep Alive failed: status 0x%04x", c->trid.subnqn,
			  nvme_cpl_get_status(cpl));
}

static int keep_alive_check(struct nvme_ctrlr *c)
{
	struct nvme_cmd cmd = {.opc = NVME_OPC_KEEP_ALIVE};
	uint64_t now;
	int rc;

	if (c->ka_interval == 0 || c->ka_outstanding)
		return 0;
	now = env_ticks();
	if (now - c->ka_last < c->ka_interval)
		return 0;
	rc = nvme_qpair_submit(c->adminq, &cmd, NULL, 0, NVME_DATA_NONE, keep_alive_done, c);
	if (rc == -ENXIO)
		return rc;
	if (rc == 0) {
		c->ka_outstanding = true;
		c->ka_last = now;
	}
	return 0;
}

int nvme_ctrlr_poll_admin(struct nvme_ctrlr *ctrlr)
{
	int rc = keep_alive_check(ctrlr);

	if (rc != 0) {
		nvme_qpair_fail(ctrlr->adminq);
		return -ENXIO;
	}
	return nvme_qpair_poll(ctrlr->adminq, 0);
}

void nvme_ctrlr_set_removed_cb(struct nvme_ctrlr *c, nvme_removed_fn cb, void *arg)
{
	__atomic_store_n(&c->removed_arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&c->removed_cb, cb, __ATOMIC_RELEASE);
}

bool nvme_ctrlr_is_removed(const struct nvme_ctrlr *c)
{
	return __atomic_load_n(&c->removed, __ATOMIC_ACQUIRE);
}

void nvme_ctrlr_removed(struct nvme_ctrlr *c)
{
	nvme_removed_fn cb = __atomic_load_n(&c->removed_cb, __ATOMIC_ACQUIRE);

	if (cb != NULL)
		cb(__atomic_load_n(&c->removed_arg, __ATOMIC_RELAXED));
}
