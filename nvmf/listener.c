/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * listener.c - listen addresses: parsing, formatting, and the target's table
 * of addresses shared (reference counted) by subsystems. Main thread only.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "nvmf/nvmf_internal.h"

void nvmf_listen_addr_fmt(const struct nvmf_listen_addr *a, char *buf, size_t len)
{
	const char *src = nvmf_trtype_name(a->trtype);
	char name[16];
	size_t i = 0;

	if (src == NULL)
		snprintf(name, sizeof(name), "trtype%u", a->trtype);
	else {
		for (; i + 1 < sizeof(name) && src[i]; i++)
			name[i] = (char)tolower((unsigned char)src[i]);
		name[i] = '\0';
	}
	if (a->adrfam == NVMF_ADRFAM_IPV6)
		snprintf(buf, len, "%s [%s]:%s", name, a->traddr, a->trsvcid);
	else
		snprintf(buf, len, "%s %s:%s", name, a->traddr, a->trsvcid);
}

static int port_valid(const char *s)
{
	char *end;
	unsigned long v;

	if (*s == '\0' || strlen(s) > 5)
		return 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
	}
	v = strtoul(s, &end, 10);
	return v >= 1 && v <= 65535;
}

int nvmf_listen_addr_parse(const char *trtype_name, const char *hostport,
			   struct nvmf_listen_addr *addr)
{
	char host[256];
	const char *port;
	unsigned char bin[16];
	size_t hlen;

	memset(addr, 0, sizeof(*addr));
	if (trtype_name == NULL || hostport == NULL ||
	    nvmf_trtype_parse(trtype_name, &addr->trtype) != 0)
		return -EINVAL;
	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');
		if (close == NULL || close[1] != ':')
			return -EINVAL;
		hlen = (size_t)(close - hostport - 1);
		port = close + 2;
		addr->adrfam = NVMF_ADRFAM_IPV6;
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, hostport + 1, hlen);
	} else {
		const char *colon = strrchr(hostport, ':');
		if (colon == NULL)
			return -EINVAL;
		hlen = (size_t)(colon - hostport);
		port = colon + 1;
		addr->adrfam = NVMF_ADRFAM_IPV4;
		if (hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, hostport, hlen);
	}
	host[hlen] = '\0';
	if (inet_pton(addr->adrfam == NVMF_ADRFAM_IPV6 ? AF_INET6 : AF_INET, host, bin) != 1)
		return -EINVAL;
	if (!port_valid(port))
		return -EINVAL;
	snprintf(addr->traddr, sizeof(addr->traddr), "%s", host);
	snprintf(addr->trsvcid, sizeof(addr->trsvcid), "%s", port);
	return 0;
}

int nvmf_tgt_listener_get(struct nvmf_tgt *tgt, const struct nvmf_listen_addr *a,
			  struct nvmf_listener **out)
{
	struct nvmf_listener *l;
	char buf[320];

	TAILQ_FOREACH(l, &tgt->listeners, link)
	{
		if (nvmf_listen_addr_eq(&l->addr, a)) {
			l->refs++;
			*out = l;
			return 0;
		}
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->addr = *a;
	l->refs = 1;
	l->portid = ++tgt->next_portid;
	if (tgt->started) {
		int rc = nvmf_tr_listen(nvmf_tgt_tr_find(tgt, a->trtype), a);
		if (rc != 0) {
			free(l);
			return rc;
		}
		l->listening = true;
		nvmf_listen_addr_fmt(a, buf, sizeof(buf));
		log_notice("nvmf", "listening on %s", buf);
	}
	TAILQ_INSERT_TAIL(&tgt->listeners, l, link);
	*out = l;
	return 0;
}

void nvmf_tgt_listener_put(struct nvmf_tgt *tgt, struct nvmf_listener *l)
{
	if (--l->refs > 0)
		return;
	if (l->listening)
		nvmf_tr_stop_listen(nvmf_tgt_tr_find(tgt, l->addr.trtype), &l->addr);
	TAILQ_REMOVE(&tgt->listeners, l, link);
	free(l);
}
