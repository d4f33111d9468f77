/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * directives.c - every directive the conf file knows, as data: section,
 * key, value kind, where the value goes, and whether it is required or
 * repeatable. Adding a directive is adding a line here (and, for a new
 * field, using it in apply.c).
 */
#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

#include "conf/conf_internal.h"
#include "util_tls_psk.h"

const char *const conf_sect_names[CONF_SECT_COUNT] = {
    [CONF_SECT_GLOBAL] = "Global", [CONF_SECT_TRANSPORT] = "Transport",
    [CONF_SECT_RAM] = "Ram",       [CONF_SECT_NULL] = "Null",
    [CONF_SECT_FILE] = "File",     [CONF_SECT_SUBSYSTEM] = "Subsystem",
    [CONF_SECT_NVME] = "Nvme",
};

static const char *const log_names[] = {"error", "warn", "notice", "info", "debug", NULL};
static const int log_values[] = {LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_NOTICE, LOG_LEVEL_INFO,
				 LOG_LEVEL_DEBUG};
static const char *const kdf_names[] = {"nvme-cli", "rfc8446", NULL};
static const int kdf_values[] = {TLS_PSK_KDF_NVME_CLI, TLS_PSK_KDF_RFC8446};
static const char *const bs_names[] = {"512", "4096", NULL};
static const int bs_values[] = {512, 4096};

#define G CONF_BIT(CONF_SECT_GLOBAL)
#define T CONF_BIT(CONF_SECT_TRANSPORT)
#define RN (CONF_BIT(CONF_SECT_RAM) | CONF_BIT(CONF_SECT_NULL))
#define F CONF_BIT(CONF_SECT_FILE)
#define B CONF_BACKENDS
#define NV CONF_BIT(CONF_SECT_NVME)
#define S CONF_BIT(CONF_SECT_SUBSYSTEM)

#define GL(f) offsetof(struct conf_global, f)
#define TR(f) offsetof(struct conf_transport, opts.f)
#define BE(f) offsetof(struct conf_backend, f)
#define SS(f) offsetof(struct conf_subsystem, f)

/* The fields every entry has; the rest are named where used. */
#define D(sect, k, al, kd, off, fl)                                                                \
	.sections = (sect), .key = (k), .alias = (al), .kind = (kd), .offset = (off), .flags = (fl)

#define REQ CONF_REQUIRED
#define REP CONF_REPEATABLE

const struct conf_directive conf_directives[] = {
    /* [Global] */
    {D(G, "ReactorMask", NULL, CONF_CUSTOM, GL(reactor_mask), 0), .parse = conf_parse_mask},
    {D(G, "CoreList", "Cores", CONF_CUSTOM, GL(core_list), 0), .parse = conf_parse_corelist},
    {D(G, "LogLevel", NULL, CONF_ENUM, GL(log_level), 0), .enum_names = log_names,
     .enum_values = log_values},
    {D(G, "IdleSleep", NULL, CONF_BOOL, GL(idle_sleep), 0)},
    {D(G, "IdleSleepUs", NULL, CONF_INT, GL(idle_us), 0), .min = 0, .max = 10000000},
    {D(G, "ReservationDir", NULL, CONF_STRING, GL(resv_dir), 0), .min = 0, .max = 200},
    {D(G, "DiscoveryNQN", NULL, CONF_CUSTOM, GL(discovery_nqn), 0), .parse = conf_parse_nqn},
    {D(G, "TlsPskDerivation", NULL, CONF_ENUM, GL(tls_kdf), 0), .enum_names = kdf_names,
     .enum_values = kdf_values},
    {D(G, "Referral", NULL, CONF_CUSTOM, GL(referrals), REP), .parse = conf_parse_referral},

    /* [Transport] */
    {D(T, "Type", NULL, CONF_CUSTOM, TR(trtype), REQ), .parse = conf_parse_trtype},
    {D(T, "MaxQueueDepth", NULL, CONF_INT, TR(max_queue_depth), 0), .min = 2, .max = 65536},
    {D(T, "MaxAdminQueueDepth", NULL, CONF_INT, TR(max_aq_depth), 0), .min = 2, .max = 4096},
    {D(T, "MaxQueuesPerSession", NULL, CONF_INT, TR(max_qpairs_per_ctrlr), 0), .min = 2,
     .max = 65535},
    {D(T, "InCapsuleDataSize", NULL, CONF_SIZE32, TR(in_capsule_data_size), 0), .min = 0,
     .max = 1 << 20},
    {D(T, "MaxIOSize", NULL, CONF_SIZE32, TR(max_io_size), 0), .min = 4096, .max = 1u << 30},
    {D(T, "IOUnitSize", NULL, CONF_SIZE32, TR(io_unit_size), 0), .min = 512, .max = 1u << 30},
    {D(T, "NumSharedBuffers", NULL, CONF_INT, TR(num_shared_buffers), 0), .min = 1,
     .max = 1u << 20},
    {D(T, "HeaderDigest", NULL, CONF_BOOL, TR(hdgst_allowed), 0)},
    {D(T, "DataDigest", NULL, CONF_BOOL, TR(ddgst_allowed), 0)},
    {D(T, "TlsHandshakeTimeout", NULL, CONF_INT, TR(tls_handshake_timeout_s), 0), .min = 1,
     .max = 3600},

    /* [Ram] [Null] [File] */
    {D(B, "Name", NULL, CONF_CUSTOM, BE(name), REQ), .parse = conf_parse_name},
    {D(RN, "Size", NULL, CONF_SIZE64, BE(size), REQ), .min = 1, .max = UINT64_MAX},
    {D(F, "Size", NULL, CONF_SIZE64, BE(size), 0), .min = 0, .max = UINT64_MAX},
    {D(F, "Path", NULL, CONF_STRING, BE(path), REQ), .min = 0, .max = 4095},
    {D(RN | F, "BlockSize", NULL, CONF_ENUM, BE(block_size), 0), .enum_names = bs_names,
     .enum_values = bs_values},

    /* [Nvme]: a local controller; backends <Name>n<nsid> */
    {D(NV, "TrAddr", "PciAddress", CONF_CUSTOM, BE(path), REQ), .parse = conf_parse_pci_addr},
    {D(NV, "Namespaces", NULL, CONF_CUSTOM, BE(nsids), 0), .parse = conf_parse_nsid_list},

    /* [Subsystem] */
    {D(S, "NQN", NULL, CONF_CUSTOM, SS(nqn), REQ), .parse = conf_parse_nqn},
    {D(S, "SN", "SerialNumber", CONF_STRING, SS(sn), CONF_ASCII), .min = 0, .max = 20},
    {D(S, "MN", "ModelNumber", CONF_STRING, SS(mn), CONF_ASCII), .min = 0, .max = 40},
    {D(S, "Listen", NULL, CONF_CUSTOM, SS(listens), REP), .parse = conf_parse_listen},
    {D(S, "AllowAnyHost", NULL, CONF_BOOL, SS(allow_any_host), 0)},
    {D(S, "AdminPassthru", NULL, CONF_BOOL, SS(admin_passthru), 0)},
    {D(S, "Host", NULL, CONF_CUSTOM, SS(hosts), REP), .parse = conf_parse_host},
    {D(S, "DhchapDigests", NULL, CONF_CUSTOM, SS(dhchap_hashes), 0),
     .parse = conf_parse_dhchap_hashes},
    {D(S, "DhchapDHGroups", NULL, CONF_CUSTOM, SS(dhchap_groups), 0),
     .parse = conf_parse_dhchap_groups},
    {D(S, "MaxNamespaces", NULL, CONF_INT, SS(max_namespaces), 0), .min = 1, .max = 1024},
    {D(S, "Namespace", NULL, CONF_CUSTOM, SS(nss), REP), .parse = conf_parse_namespace},
};

const unsigned conf_n_directives = ARRAY_SIZE(conf_directives);

_Static_assert(ARRAY_SIZE(conf_directives) <= CONF_DIRECTIVES_MAX,
	       "conf_section.seen is too small for the directive table");

int conf_directive_find(enum conf_sect_type type, const char *key)
{
	for (unsigned i = 0; i < conf_n_directives; i++) {
		const struct conf_directive *d = &conf_directives[i];

		if (!(d->sections & CONF_BIT(type)))
			continue;
		if (strcasecmp(d->key, key) == 0 || (d->alias && strcasecmp(d->alias, key) == 0))
			return (int)i;
	}
	return -1;
}

size_t conf_sect_size(enum conf_sect_type type)
{
	switch (type) {
	case CONF_SECT_GLOBAL:
		return sizeof(struct conf_global);
	case CONF_SECT_TRANSPORT:
		return sizeof(struct conf_transport);
	case CONF_SECT_SUBSYSTEM:
		return sizeof(struct conf_subsystem);
	default:
		return sizeof(struct conf_backend);
	}
}

static void subsystem_free(struct conf_subsystem *ss)
{
	free(ss->nqn);
	free(ss->sn);
	free(ss->mn);
	for (unsigned i = 0; i < ss->n_listens; i++)
		free(ss->listens[i].text);
	free(ss->listens);
	for (unsigned i = 0; i < ss->n_hosts; i++)
		conf_host_free(&ss->hosts[i]);
	free(ss->hosts);
	for (unsigned i = 0; i < ss->n_nss; i++)
		free(ss->nss[i].backend);
	free(ss->nss);
}

void conf_sect_free(struct conf_section *s)
{
	if (!s)
		return;
	switch (s->type) {
	case CONF_SECT_GLOBAL: {
		struct conf_global *g = (struct conf_global *)s;

		free(g->reactor_mask);
		free(g->core_list);
		free(g->resv_dir);
		free(g->discovery_nqn);
		for (unsigned i = 0; i < g->n_referrals; i++)
			free(g->referrals[i].text);
		free(g->referrals);
		break;
	}
	case CONF_SECT_TRANSPORT:
		break;
	case CONF_SECT_SUBSYSTEM:
		subsystem_free((struct conf_subsystem *)s);
		break;
	default: {
		struct conf_backend *b = (struct conf_backend *)s;

		free(b->name);
		free(b->path);
		free(b->nsids);
		break;
	}
	}
	free(s);
}
