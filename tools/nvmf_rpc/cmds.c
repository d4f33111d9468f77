/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmds.c - the subcommands of nvmf_rpc: words in, one method and its
 * params out. Each takes --help.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/nvmf_rpc/nvmf_rpc.h"

struct cmd_args {
	char **pos; /* positional words after "<group> <verb>" */
	int npos;
	const char *serial, *model, *nsid, *anagrpid;
	const char *psk, *dhchap_key, *dhchap_ctrlr_key; /* key names (psk: also as before) */
	bool any_host;
};

struct cmd {
	const char *group, *verb; /* verb NULL: a one-word command */
	const char *method;
	const char *usage; /* after "nvmf_rpc [-s SOCK] " */
	int npos;          /* positional words it takes */
	int (*build)(const struct cmd_args *a, struct json_writer *w);
};

static int parse_u64(const char *s, const char *what, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0) {
		fprintf(stderr, "nvmf_rpc: %s: '%s' is not a number\n", what, s);
		return 2;
	}
	return 0;
}

static int b_ss_add(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "nqn", a->pos[0]);
	if (a->serial)
		json_kv_str(w, "serial_number", a->serial);
	if (a->model)
		json_kv_str(w, "model_number", a->model);
	json_kv_bool(w, "allow_any_host", a->any_host);
	return 0;
}

static int b_nqn(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "nqn", a->pos[0]);
	return 0;
}

static int b_none(const struct cmd_args *a, struct json_writer *w)
{
	(void)a;
	(void)w;
	return 0;
}

static int b_ns_add(const struct cmd_args *a, struct json_writer *w)
{
	uint64_t nsid;

	json_kv_str(w, "nqn", a->pos[0]);
	json_key(w, "namespace");
	json_obj_begin(w);
	json_kv_str(w, "bdev_name", a->pos[1]);
	if (a->nsid) {
		if (parse_u64(a->nsid, "--nsid", &nsid) != 0)
			return 2;
		json_kv_uint(w, "nsid", nsid);
	}
	json_obj_end(w);
	return 0;
}

static int b_ns_del(const struct cmd_args *a, struct json_writer *w)
{
	uint64_t nsid;

	if (parse_u64(a->pos[1], "NSID", &nsid) != 0)
		return 2;
	json_kv_str(w, "nqn", a->pos[0]);
	json_kv_uint(w, "nsid", nsid);
	return 0;
}

/* "@key": {trtype, adrfam, traddr, trsvcid} from @trtype and ADDR:PORT @hp. @return 0 or 2. */
static int addr_obj(struct json_writer *w, const char *key, const char *trtype, const char *hp)
{
	char host[256];
	const char *colon = strrchr(hp, ':');
	size_t hlen = colon ? (size_t)(colon - hp) : 0;

	if (colon == NULL || hlen == 0 || hlen >= sizeof(host) || colon[1] == '\0') {
		fprintf(stderr,
			"nvmf_rpc: '%s' is not ADDR:PORT (e.g. 127.0.0.1:4420, [::1]:4420)\n", hp);
		return 2;
	}
	if (hp[0] == '[' && hlen >= 2 && hp[hlen - 1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)hlen - 2, hp + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)hlen, hp);
	json_key(w, key);
	json_obj_begin(w);
	json_kv_str(w, "trtype", trtype);
	json_kv_str(w, "adrfam", strchr(host, ':') ? "ipv6" : "ipv4");
	json_kv_str(w, "traddr", host);
	json_kv_str(w, "trsvcid", colon + 1);
	json_obj_end(w);
	return 0;
}

static int b_listener(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "nqn", a->pos[0]);
	return addr_obj(w, "listen_address", a->pos[1], a->pos[2]);
}

static int b_ana_state(const struct cmd_args *a, struct json_writer *w)
{
	uint64_t g;

	if (b_listener(a, w) != 0)
		return 2;
	json_kv_str(w, "ana_state", a->pos[3]);
	if (a->anagrpid) {
		if (parse_u64(a->anagrpid, "--anagrpid", &g) != 0)
			return 2;
		json_kv_uint(w, "anagrpid", g);
	}
	return 0;
}

static int b_referral(const struct cmd_args *a, struct json_writer *w)
{
	return addr_obj(w, "address", a->pos[0], a->pos[1]);
}

static int b_host(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "nqn", a->pos[0]);
	json_kv_str(w, "host", a->pos[1]);
	return 0;
}

/* host add / host set-keys: the host and the keys given. */
static int b_host_keys(const struct cmd_args *a, struct json_writer *w)
{
	b_host(a, w);
	if (a->psk)
		json_kv_str(w, "psk", a->psk);
	if (a->dhchap_key)
		json_kv_str(w, "dhchap_key", a->dhchap_key);
	if (a->dhchap_ctrlr_key)
		json_kv_str(w, "dhchap_ctrlr_key", a->dhchap_ctrlr_key);
	return 0;
}

static int b_set_keys(const struct cmd_args *a, struct json_writer *w)
{
	return b_host_keys(a, w);
}

static int b_key_add(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "name", a->pos[0]);
	json_kv_str(w, "path", a->pos[1]);
	return 0;
}

static int b_bdev(const struct cmd_args *a, struct json_writer *w)
{
	uint64_t mb, bs;

	if (parse_u64(a->pos[1], "SIZE_MB", &mb) != 0 ||
	    parse_u64(a->pos[2], "BLOCK_SIZE", &bs) != 0)
		return 2;
	if (bs == 0 || mb == 0 || mb > (UINT64_MAX >> 20)) {
		fprintf(stderr, "nvmf_rpc: SIZE_MB and BLOCK_SIZE must be positive\n");
		return 2;
	}
	json_kv_str(w, "name", a->pos[0]);
	json_kv_uint(w, "num_blocks", (mb << 20) / bs);
	json_kv_uint(w, "block_size", bs);
	return 0;
}

static int b_nvme_attach(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "name", a->pos[0]);
	json_kv_str(w, "trtype", "PCIe");
	json_kv_str(w, "traddr", a->pos[1]);
	return 0;
}

static int b_name(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "name", a->pos[0]);
	return 0;
}

static int b_transport(const struct cmd_args *a, struct json_writer *w)
{
	json_kv_str(w, "trtype", a->pos[0]);
	return 0;
}

static const struct cmd cmds[] = {
    {"subsystem", "add", "nvmf_create_subsystem",
     "subsystem add NQN [--serial S] [--model M] [--allow-any-host]", 1, b_ss_add},
    {"subsystem", "del", "nvmf_delete_subsystem", "subsystem del NQN", 1, b_nqn},
    {"subsystem", "list", "nvmf_get_subsystems", "subsystem list", 0, b_none},
    {"ns", "add", "nvmf_subsystem_add_ns", "ns add NQN BDEV [--nsid N]", 2, b_ns_add},
    {"ns", "del", "nvmf_subsystem_remove_ns", "ns del NQN NSID", 2, b_ns_del},
    {"listener", "add", "nvmf_subsystem_add_listener", "listener add NQN tcp|rdma ADDR:PORT", 3,
     b_listener},
    {"listener", "del", "nvmf_subsystem_remove_listener", "listener del NQN tcp|rdma ADDR:PORT", 3,
     b_listener},
    {"listener", "ana-state", "nvmf_subsystem_listener_set_ana_state",
     "listener ana-state NQN tcp|rdma ADDR:PORT optimized|non_optimized|inaccessible|"
     "persistent_loss|change [--anagrpid N (default: all groups)]",
     4, b_ana_state},
    {"listener", "list", "nvmf_subsystem_get_listeners", "listener list NQN", 1, b_nqn},
    {"referral", "add", "nvmf_discovery_add_referral", "referral add tcp|rdma ADDR:PORT", 2,
     b_referral},
    {"referral", "del", "nvmf_discovery_remove_referral", "referral del tcp|rdma ADDR:PORT", 2,
     b_referral},
    {"referral", "list", "nvmf_discovery_get_referrals", "referral list", 0, b_none},
    {"host", "add", "nvmf_subsystem_add_host",
     "host add NQN HOSTNQN [--psk KEY|FILE|PSK] [--dhchap-key KEY] [--dhchap-ctrlr-key KEY]", 2,
     b_host_keys},
    {"host", "set-keys", "nvmf_subsystem_set_keys",
     "host set-keys NQN HOSTNQN [--dhchap-key KEY] [--dhchap-ctrlr-key KEY] (none: no "
     "authentication)",
     2, b_set_keys},
    {"host", "del", "nvmf_subsystem_remove_host", "host del NQN HOSTNQN", 2, b_host},
    {"key", "add", "keyring_file_add_key", "key add NAME PATH (a file only its owner reads)", 2,
     b_key_add},
    {"key", "del", "keyring_file_remove_key", "key del NAME", 1, b_name},
    {"key", "list", "keyring_get_keys", "key list (names, files and the hosts using them)", 0,
     b_none},
    {"bdev", "malloc", "bdev_malloc_create", "bdev malloc NAME SIZE_MB BLOCK_SIZE", 3, b_bdev},
    {"bdev", "null", "bdev_null_create", "bdev null NAME SIZE_MB BLOCK_SIZE", 3, b_bdev},
    {"bdev", "list", "bdev_get_bdevs", "bdev list", 0, b_none},
    {"bdev", "nvme-attach", "bdev_nvme_attach_controller",
     "bdev nvme-attach NAME PCI_ADDR (bdevs NAMEn1, NAMEn2 ...)", 2, b_nvme_attach},
    {"bdev", "nvme-detach", "bdev_nvme_detach_controller", "bdev nvme-detach NAME", 1, b_name},
    {"transport", "create", "nvmf_create_transport", "transport create tcp|rdma", 1, b_transport},
    {"save-config", NULL, "save_config", "save-config (prints the state as a conf file)", 0,
     b_none},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void print_usages(FILE *f, const char *group)
{
	for (size_t i = 0; i < N_CMDS; i++) {
		if (group == NULL || strcmp(group, cmds[i].group) == 0)
			fprintf(f, "  nvmf_rpc [-s SOCK] %s\n", cmds[i].usage);
	}
}

/* The options after the verb. @return 0, 1 (--help) or 2. */
static int parse_opts(const struct cmd *c, int argc, char **argv, struct cmd_args *a)
{
	for (int i = c->verb != NULL ? 2 : 1; i < argc; i++) {
		const char **val = NULL;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: nvmf_rpc [-s SOCK] %s\ncalls %s\n", c->usage, c->method);
			return 1;
		}
		if (strcmp(argv[i], "--allow-any-host") == 0 && c->build == b_ss_add)
			a->any_host = true;
		else if (strcmp(argv[i], "--serial") == 0 && c->build == b_ss_add)
			val = &a->serial;
		else if (strcmp(argv[i], "--model") == 0 && c->build == b_ss_add)
			val = &a->model;
		else if (strcmp(argv[i], "--nsid") == 0 && c->build == b_ns_add)
			val = &a->nsid;
		else if (strcmp(argv[i], "--anagrpid") == 0 && c->build == b_ana_state)
			val = &a->anagrpid;
		else if (strcmp(argv[i], "--psk") == 0 && c->build == b_host_keys)
			val = &a->psk;
		else if (strcmp(argv[i], "--dhchap-key") == 0 &&
			 (c->build == b_host_keys || c->build == b_set_keys))
			val = &a->dhchap_key;
		else if (strcmp(argv[i], "--dhchap-ctrlr-key") == 0 &&
			 (c->build == b_host_keys || c->build == b_set_keys))
			val = &a->dhchap_ctrlr_key;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			goto bad;
		else if (a->npos < c->npos)
			a->pos[a->npos++] = argv[i];
		else
			goto bad;
		if (val != NULL && ++i == argc)
			goto bad;
		if (val != NULL)
			*val = argv[i];
	}
	if (a->npos == c->npos)
		return 0;
bad:
	fprintf(stderr, "usage: nvmf_rpc [-s SOCK] %s\n", c->usage);
	return 2;
}

int nvmf_rpc_build(int argc, char **argv, const char **method, struct json_writer *w)
{
	char *pos[4];
	struct cmd_args a = {.pos = pos};
	int rc;

	for (size_t i = 0; i < N_CMDS; i++) {
		const struct cmd *c = &cmds[i];

		if (strcmp(argv[0], c->group) != 0 ||
		    (c->verb != NULL && (argc < 2 || strcmp(argv[1], c->verb) != 0)))
			continue;
		rc = parse_opts(c, argc, argv, &a);
		if (rc != 0)
			return rc;
		*method = c->method;
		json_obj_begin(w);
		rc = c->build(&a, w);
		json_obj_end(w);
		return rc;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_usages(stdout, argv[0]);
		return 1;
	}
	fprintf(stderr, "nvmf_rpc: unknown command '%s%s%s'; the commands:\n", argv[0],
		argc >= 2 ? " " : "", argc >= 2 ? argv[1] : "");
	print_usages(stderr, NULL);
	return 2;
}
