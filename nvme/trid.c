/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trid.c - transport ID strings: "trtype:TCP adrfam:IPv4 traddr:127.0.0.1
 * trsvcid:4420 subnqn:NQN" and "trtype:PCIe traddr:0000:00:04.0".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nvme_internal.h"
#include "util.h"

static const struct {
	const char *name;
	uint32_t type;
} g_trtypes[] = {
    {"PCIe", NVME_TRTYPE_PCIE},
    {"TCP", NVMF_TRTYPE_TCP},
    {"RDMA", NVMF_TRTYPE_RDMA},
};

static const char *trtype_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(g_trtypes); i++)
		if (g_trtypes[i].type == type)
			return g_trtypes[i].name;
	return "unknown";
}

static int parse_trtype(const char *v, struct nvme_trid *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(g_trtypes); i++) {
		if (strcasecmp(v, g_trtypes[i].name) == 0) {
			t->trtype = g_trtypes[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_adrfam(const char *v, struct nvme_trid *t)
{
	if (strcasecmp(v, "IPv4") == 0)
		t->adrfam = NVMF_ADRFAM_IPV4;
	else if (strcasecmp(v, "IPv6") == 0)
		t->adrfam = NVMF_ADRFAM_IPV6;
	else
		return -EINVAL;
	return 0;
}

static int copy_value(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(dst, v, n + 1);
	return 0;
}

static int parse_pair(const char *key, const char *v, struct nvme_trid *t)
{
	if (strcasecmp(key, "trtype") == 0)
		return parse_trtype(v, t);
	if (strcasecmp(key, "adrfam") == 0)
		return parse_adrfam(v, t);
	if (strcasecmp(key, "traddr") == 0)
		return copy_value(t->traddr, sizeof(t->traddr), v);
	if (strcasecmp(key, "trsvcid") == 0)
		return copy_value(t->trsvcid, sizeof(t->trsvcid), v);
	if (strcasecmp(key, "subnqn") == 0)
		return copy_value(t->subnqn, sizeof(t->subnqn), v);
	if (strcasecmp(key, "hostnqn") == 0)
		return copy_value(t->hostnqn, sizeof(t->hostnqn), v);
	return -EINVAL;
}

/* One "key:value" token of @len bytes at @tok. */
static int parse_token(const char *tok, size_t len, struct nvme_trid *t)
{
	char buf[300], *colon;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	colon = strchr(buf, ':');
	if (colon == NULL || colon == buf)
		return -EINVAL;
	*colon = '\0';
	return parse_pair(buf, colon + 1, t);
}

static int trid_finish(struct nvme_trid *t, bool have_trtype)
{
	if (!have_trtype || t->traddr[0] == '\0')
		return -EINVAL;
	if (t->trtype == NVME_TRTYPE_PCIE) {
		if (t->trsvcid[0] != '\0' || t->subnqn[0] != '\0')
			return -EINVAL;
		return 0;
	}
	if (t->adrfam == 0)
		t->adrfam = strchr(t->traddr, ':') ? NVMF_ADRFAM_IPV6 : NVMF_ADRFAM_IPV4;
	if (t->trsvcid[0] == '\0')
		snprintf(t->trsvcid, sizeof(t->trsvcid), "%d", NVMF_PORT_TCP);
	return 0;
}

int nvme_trid_parse(const char *str, struct nvme_trid *trid)
{
	struct nvme_trid t;
	bool have_trtype = false;
	const char *p = str;
	size_t n;
	int rc;

	if (str == NULL || trid == NULL)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t\r\n");
		rc = parse_token(p, n, &t);
		if (rc != 0)
			return rc;
		if (strncasecmp(p, "trtype:", 7) == 0)
			have_trtype = true;
		p += n;
	}
	rc = trid_finish(&t, have_trtype);
	if (rc == 0)
		*trid = t;
	return rc;
}

void nvme_trid_fmt(const struct nvme_trid *trid, char *buf, size_t len)
{
	const char *fam = trid->adrfam == NVMF_ADRFAM_IPV6 ? "IPv6" : "IPv4";
	int n;

	if (len == 0)
		return;
	if (trid->trtype == NVME_TRTYPE_PCIE) {
		snprintf(buf, len, "trtype:PCIe traddr:%s", trid->traddr);
		return;
	}
	n = snprintf(buf, len, "trtype:%s adrfam:%s traddr:%s trsvcid:%s",
		     trtype_name(trid->trtype), fam, trid->traddr, trid->trsvcid);
	if (trid->subnqn[0] != '\0' && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " subnqn:%s", trid->subnqn);
	if (trid->hostnqn[0] != '\0' && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " hostnqn:%s", trid->hostnqn);
}
