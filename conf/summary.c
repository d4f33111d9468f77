/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * summary.c - one line that says what a validated conf would serve:
 * subsystems, namespaces, listen addresses, backends and transports.
 */
#include <string.h>

#include "conf/conf_internal.h"

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

/* @bytes in the largest binary unit that divides it: "1 GiB", "1536 MiB". */
static void put_size(FILE *f, uint64_t bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	unsigned u = 0;

	while (bytes && u + 1 < ARRAY_SIZE(units) && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	fprintf(f, "%llu %s", (unsigned long long)bytes, units[u]);
}

static void put_addr(FILE *f, const struct nvmf_listen_addr *a)
{
	const char *fmt = a->adrfam == NVMF_ADRFAM_IPV6 ? "%s [%s]:%s" : "%s %s:%s";

	fprintf(f, fmt, conf_trtype_name(a->trtype), a->traddr, a->trsvcid);
}

/* Was listen @idx of section @sect given before, there or in an earlier subsystem? */
static bool listen_seen_before(const struct conf *c, unsigned sect, unsigned idx)
{
	const struct conf_subsystem *cur = (const void *)c->sects[sect];

	for (unsigned i = 0; i <= sect; i++) {
		const struct conf_subsystem *ss = (const void *)c->sects[i];

		if (ss->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; j < (i == sect ? idx : ss->n_listens); j++) {
			if (nvmf_listen_addr_eq(&ss->listens[j].addr, &cur->listens[idx].addr))
				return true;
		}
	}
	return false;
}

/* Subsystems and namespaces, then each listen address once. */
static void put_subsystems(FILE *f, const struct conf *c)
{
	unsigned n_ss = 0, n_ns = 0, n_addr = 0;

	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_subsystem *ss = (const void *)c->sects[i];

		if (ss->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		n_ss++;
		n_ns += ss->n_nss;
	}
	fprintf(f, "%u subsystem%s, %u namespace%s; listens on", n_ss, plural(n_ss), n_ns,
		plural(n_ns));
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_subsystem *ss = (const void *)c->sects[i];

		if (ss->hdr.type != CONF_SECT_SUBSYSTEM)
			continue;
		for (unsigned j = 0; j < ss->n_listens; j++) {
			if (listen_seen_before(c, i, j))
				continue;
			fputs(n_addr++ ? ", " : " ", f);
			put_addr(f, &ss->listens[j].addr);
		}
	}
	if (n_addr == 0)
		fputs(" nothing", f);
}

static void put_backend(FILE *f, const struct conf_backend *b)
{
	fprintf(f, "%s (%s", b->name, conf_sect_names[b->hdr.type]);
	if (b->hdr.type == CONF_SECT_NVME) {
		fprintf(f, " %s, namespaces %s)", b->path, b->nsids ? b->nsids : "all");
		return;
	}
	if (b->hdr.type == CONF_SECT_FILE)
		fprintf(f, " %s", b->path);
	fputs(", ", f);
	if (b->size)
		put_size(f, b->size);
	else
		fputs("its own size", f);
	fprintf(f, ", %d-byte blocks)", b->block_size);
}

static void put_backends(FILE *f, const struct conf *c)
{
	unsigned n = 0;

	fputs("; backends", f);
	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i];

		if (!(CONF_BIT(b->hdr.type) & CONF_BACKENDS))
			continue;
		fputs(n++ ? ", " : " ", f);
		put_backend(f, b);
	}
	if (n == 0)
		fputs(" none", f);
}

/* Transports: the [Transport] sections, and TCP when a Listen needs it. */
static void put_transports(FILE *f, const struct conf *c)
{
	bool tcp = false, rdma = false;

	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_section *s = c->sects[i];

		if (s->type == CONF_SECT_TRANSPORT) {
			uint8_t t = ((const struct conf_transport *)s)->opts.trtype;

			tcp |= t == NVMF_TRTYPE_TCP;
			rdma |= t == NVMF_TRTYPE_RDMA;
		} else if (s->type == CONF_SECT_SUBSYSTEM) {
			const struct conf_subsystem *ss = (const void *)s;

			for (unsigned j = 0; j < ss->n_listens; j++)
				tcp |= ss->listens[j].addr.trtype == NVMF_TRTYPE_TCP;
		}
	}
	fprintf(f, "; transports %s%s%s%s", tcp ? "TCP" : "", tcp && rdma ? ", " : "",
		rdma ? "RDMA" : "", tcp || rdma ? "" : "none");
}

void conf_summary(const struct conf *c, FILE *f)
{
	put_subsystems(f, c);
	put_backends(f, c);
	put_transports(f, c);
}
