/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * referral.c - what the discovery service says about other discovery
 * services (referrals, subtype 01h entries of the discovery log) and about
 * itself (the target's unique discovery NQN, besides the well-known one).
 * Main thread only.
 *
 * The unique discovery NQN defaults to a UUID NQN derived from the host
 * name, so it stays the same across restarts of the target on a machine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvmf/nvmf_internal.h"

static struct nvmf_referral *referral_find(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *a)
{
	struct nvmf_referral *r;

	TAILQ_FOREACH(r, &tgt->referrals, link)
	{
		if (nvmf_listen_addr_eq(&r->addr, a))
			return r;
	}
	return NULL;
}

int nvmf_discovery_add_referral(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr,
				const char *subnqn, bool secure)
{
	struct nvmf_referral *r;

	if (subnqn != NULL && strcmp(subnqn, NVMF_DISCOVERY_NQN) != 0 && !nvmf_nqn_valid(subnqn))
		return -EINVAL;
	if (referral_find(tgt, addr) != NULL)
		return -EEXIST;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->addr = *addr;
	snprintf(r->subnqn, sizeof(r->subnqn), "%s", subnqn ? subnqn : NVMF_DISCOVERY_NQN);
	r->secure = secure;
	TAILQ_INSERT_TAIL(&tgt->referrals, r, link);
	nvmf_tgt_genctr_bump(tgt);
	return 0;
}

int nvmf_discovery_remove_referral(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *addr)
{
	struct nvmf_referral *r = referral_find(tgt, addr);

	if (r == NULL)
		return -ENOENT;
	TAILQ_REMOVE(&tgt->referrals, r, link);
	free(r);
	nvmf_tgt_genctr_bump(tgt);
	return 0;
}

void nvmf_discovery_foreach_referral(struct nvmf_tgt *tgt,
				     void (*cb)(void *arg, const struct nvmf_listen_addr *addr,
						const char *subnqn, bool secure),
				     void *arg)
{
	struct nvmf_referral *r;

	TAILQ_FOREACH(r, &tgt->referrals, link)
	cb(arg, &r->addr, r->subnqn, r->secure);
}

void nvmf_referrals_free(struct nvmf_tgt *tgt)
{
	struct nvmf_referral *r;

	while ((r = TAILQ_FIRST(&tgt->referrals)) != NULL) {
		TAILQ_REMOVE(&tgt->referrals, r, link);
		free(r);
	}
}

/* ------------------------------------------------ unique discovery NQN */

void nvmf_discovery_nqn_default_init(struct nvmf_tgt *tgt)
{
	char host[256] = "";
	uint8_t u[16];

	gethostname(host, sizeof(host) - 1);
	nvmf_ns_derive_ids(host, 0xd15c, u, NULL, NULL);
	snprintf(tgt->disc_nqn_default, sizeof(tgt->disc_nqn_default),
		 "nqn.2014-08.org.nvmexpress:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

int nvmf_tgt_set_discovery_nqn(struct nvmf_tgt *tgt, const char *nqn)
{
	if (nqn == NULL) {
		tgt->disc_nqn[0] = '\0';
		return 0;
	}
	if (!nvmf_nqn_valid(nqn) || strcmp(nqn, NVMF_DISCOVERY_NQN) == 0 ||
	    nvmf_subsystem_find(tgt, nqn) != NULL)
		return -EINVAL;
	snprintf(tgt->disc_nqn, sizeof(tgt->disc_nqn), "%s", nqn);
	return 0;
}

const char *nvmf_tgt_discovery_nqn(const struct nvmf_tgt *tgt)
{
	return tgt->disc_nqn[0] ? tgt->disc_nqn : tgt->disc_nqn_default;
}

bool nvmf_tgt_discovery_nqn_is_default(const struct nvmf_tgt *tgt)
{
	return tgt->disc_nqn[0] == '\0';
}

bool nvmf_is_unique_discovery_nqn(const struct nvmf_tgt *tgt, const char *nqn)
{
	return strcmp(nqn, nvmf_tgt_discovery_nqn(tgt)) == 0;
}
