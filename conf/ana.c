/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ana.c - the conf file's multipath and discovery words: a Listen line's
 * ANA states (ana=STATE for every group, ana.N=STATE for group N, the
 * later word winning), a Namespace's anagrpid=N, and [Global]
 * DiscoveryNQN and Referral, applied after the subsystems.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"

/* "N" (1..NVMF_ANA_GRP_MAX) at @s up to @end. @return it, or 0 when bad. */
static uint32_t group_id(const char *s, const char *end)
{
	uint32_t v = 0;

	if (s == end || end - s > 2)
		return 0;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	return v <= NVMF_ANA_GRP_MAX ? v : 0;
}

int conf_listen_option(struct conf_parser *p, struct conf_listen *l, const char *tok)
{
	const char *eq = strchr(tok, '=');
	uint32_t g = 0;
	uint8_t st;

	if (eq == NULL || strncasecmp(tok, "ana", 3) != 0 ||
	    (tok + 3 != eq && (tok[3] != '.' || (g = group_id(tok + 4, eq)) == 0))) {
		conf_perr(p,
			  "Listen: unknown option '%s' (expected secure=tls, secure=none, "
			  "ana=STATE or ana.N=STATE, N from 1 to %d)",
			  tok, NVMF_ANA_GRP_MAX);
		return -EINVAL;
	}
	if (nvmf_ana_state_parse(eq + 1, &st) != 0) {
		conf_perr(p,
			  "Listen: bad ANA state '%s' (expected optimized, non-optimized, "
			  "inaccessible, persistent-loss or change)",
			  eq + 1);
		return -EINVAL;
	}
	if (g == 0)
		memset(l->ana, 0, sizeof(l->ana)); /* every group, over earlier ana.N */
	l->ana[g] = st;
	return 0;
}

int conf_ns_anagrpid(struct conf_parser *p, struct conf_ns *ns, const char *tok)
{
	if (strncasecmp(tok, "anagrpid=", 9) != 0)
		return 0;
	ns->anagrpid = ns->anagrpid ? 0 : group_id(tok + 9, tok + strlen(tok));
	if (ns->anagrpid == 0) {
		conf_perr(p, "Namespace: bad '%s' (expected anagrpid=N once, N from 1 to %d)", tok,
			  NVMF_ANA_GRP_MAX);
		return -EINVAL;
	}
	return 1;
}

int conf_apply_listen_ana(struct nvmf_subsystem *ss, const struct conf_listen *l)
{
	int rc = 0;

	if (l->ana[0] != 0)
		rc = nvmf_subsystem_set_ana_state(ss, &l->addr, 0, l->ana[0]);
	for (uint32_t g = 1; g <= NVMF_ANA_GRP_MAX && rc == 0; g++) {
		if (l->ana[g] != 0)
			rc = nvmf_subsystem_set_ana_state(ss, &l->addr, g, l->ana[g]);
	}
	return rc;
}
