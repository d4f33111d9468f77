/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli_internal.h - shared by the nvmetcli reader (nvmetcli.c) and its
 * generic walker (nvmetcli_walk.c). Not a public header.
 */
#ifndef NVMF_TGT_CONF_NVMETCLI_INTERNAL_H
#define NVMF_TGT_CONF_NVMETCLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_nvmetcli.h"

/** Longest JSON path kept in a message ("ports[1].addr.trtype"). */
#define NC_PATH_LEN 256

/** One reading of a file. */
struct nc {
	struct nvmetcli_model *m;
	char *err; /**< the caller's error buffer */
	size_t errlen;
	int rc;                         /**< first failure: -EINVAL (err set) or -ENOMEM */
	struct nvmetcli_subsys *ss;     /**< the subsystem being read */
	struct nvmetcli_ns *ns;         /**< the namespace being read */
	bool ns_enabled;                /**< its "enable" */
	struct nvmetcli_listen port;    /**< the address of the port being read */
	const char *trtype, *adrfam;    /**< its addr.trtype and addr.adrfam */
	const char *treq, *tsas;        /**< its addr.treq and addr.tsas */
	const struct json_value *links; /**< its "subsystems" */
	const struct json_value *hosts, *subs, *ports; /**< the top-level arrays */
	const char *host_nqn;                          /**< nqn of the host being read */
	bool host_chap;                                /**< it has a DH-HMAC-CHAP key */
	const char **chap;                             /**< the NQNs of hosts with a key */
	unsigned n_chap;
};

/**
 * One key of an object. @read maps it. Without @read the key has no
 * equivalent: a value among @ok ("a|b": either) changes nothing and is
 * accepted quietly, any other gets a warning with @why; a @quiet key is
 * accepted whatever its value.
 */
struct nc_key {
	const char *key;
	int (*read)(struct nc *c, const char *path, const struct json_value *v);
	const char *ok;
	const char *why;
	bool quiet;
};

/** Add the warning "@path: <fmt...>" to the model. */
void nc_warn(struct nc *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Fail the reading with "@path: <fmt...>" unless it failed already. @return c->rc. */
int nc_fail(struct nc *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** A scalar as text: a string as is, a number as written, a boolean as 1 or 0; else NULL. */
const char *nc_scalar(const struct json_value *v, char buf[32]);

/** Point *@out at the string @v (in the tree: valid while it is). @return 0 or c->rc. */
int nc_str(struct nc *c, const char *path, const struct json_value *v, const char **out);

/** Replace *@dst by a copy of the string (or number) @v. @return c->rc. */
int nc_strdup(struct nc *c, char **dst, const char *path, const struct json_value *v);

/** A flag: "1"/"0", 1/0 or true/false. @return 0 or c->rc. */
int nc_flag(struct nc *c, const char *path, const struct json_value *v, bool *out);

/** An unsigned 32-bit integer, as a number or a string of digits. @return 0 or c->rc. */
int nc_u32(struct nc *c, const char *path, const struct json_value *v, uint32_t *out);

/** Grow the array *@arr_field of *@n elements of @size bytes by a zeroed one; NULL: no memory. */
void *nc_push(struct nc *c, void *arr_field, unsigned *n, size_t size);

/**
 * Read the object @obj at @path through the @n keys of @tab; an unknown
 * key is a warning. @return c->rc.
 */
int nc_walk(struct nc *c, const char *path, const struct json_value *obj, const struct nc_key *tab,
	    size_t n);

/** Call @each with the path "@path[i]" of every item of the array @v. @return c->rc. */
int nc_each(struct nc *c, const char *path, const struct json_value *v,
	    int (*each)(struct nc *c, const char *path, const struct json_value *item));

/**
 * A UUID or NGUID, as 8-4-4-4-12 hex digits (the kernel shows both so) or
 * 32; *@has is false when it is all zero (not set). @return 0 or c->rc.
 */
int nc_id(struct nc *c, const char *path, const struct json_value *v, uint8_t id[16], bool *has);

/** The subsystem @nqn of the model, or NULL. */
struct nvmetcli_subsys *nc_find_subsys(struct nvmetcli_model *m, const char *nqn);

/**
 * Read the port @v at @path (nvmetcli_ports.c): its address, when nvmf-tgt
 * can serve it, becomes a listen address of each subsystem it links.
 * @return c->rc.
 */
int nc_read_port(struct nc *c, const char *path, const struct json_value *v);

/** Free the strings of @l. */
void nc_free_listen(struct nvmetcli_listen *l);

#endif /* NVMF_TGT_CONF_NVMETCLI_INTERNAL_H */
